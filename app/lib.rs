//! Lightbox core: index, decode and window de-identified DICOM releases.
//!
//! This library has no UI dependency; the desktop viewer and the CLI are thin
//! shells over it. See `ARCHITECTURE.md` for what each module owns.

pub mod agreement;
pub mod annotate;
pub mod assist;
pub mod attrs;
pub mod claims;
pub mod codec;
pub mod dataset;
pub mod dicom_file;
pub mod display_frame;
pub mod fsutil;
#[cfg(feature = "gui")]
pub mod gui;
pub mod hanging;
pub mod i18n;
pub mod index;
pub mod loader;
pub mod measure;
pub mod mpr;
pub mod net;
pub mod npy;
pub mod pacs;
pub mod pixel;
pub mod presets;
pub mod release;
pub mod render;
pub mod review;
pub mod rng;
/// Keyword pre-labelling rules: a TOML file proposes labels and keep/drop decisions.
pub mod rules;
pub mod store;
pub mod synth;
pub mod window;
