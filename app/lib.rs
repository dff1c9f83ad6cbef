//! Lightbox core: index, decode and window de-identified DICOM releases.
//!
//! This library has no UI dependency; the desktop viewer and the CLI are thin
//! shells over it. See `ARCHITECTURE.md` for what each module owns.

pub mod attrs;
pub mod codec;
pub mod dicom_file;
pub mod fsutil;
pub mod index;
pub mod npy;
pub mod pixel;
pub mod presets;
pub mod release;
pub mod render;
pub mod synth;
pub mod window;
