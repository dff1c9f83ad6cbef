//! Codecs we own: decoders for what the Rust crates refuse, encoders for `synth`.
//!
//! All pure Rust, so the app builds on Windows with no C/C++ toolchain.

pub mod j2k_encode;
pub mod jpeg_dct;
pub mod jpeg_lossless_encode;
pub mod jpegls;
pub mod rle_decode;
pub mod rle_encode;
