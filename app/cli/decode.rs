//! `lightbox decode`: modality values of one frame as NPY.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::fsutil::{ShowPath, write_atomic};
use lightbox::npy::{NpyType, encode};
use lightbox::pixel::{DicomImage, FramePixels};
use lightbox::render::ModalityFrame;

/// Arguments of `decode`.
#[derive(Args)]
pub struct DecodeArgs {
    /// The DICOM file.
    file: PathBuf,
    /// Frame to decode, from 0.
    #[arg(long, default_value_t = 0)]
    frame: u32,
    /// Output .npy file.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `decode`.
pub fn run(a: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let image = DicomImage::open(&a.file).with_context(|| a.file.shown().to_string())?;
    let frame = image
        .decode_frame(a.frame)
        .with_context(|| a.file.shown().to_string())?;
    let (rows, cols) = (frame.rows as usize, frame.cols as usize);
    let bytes = match &frame.pixels {
        FramePixels::Grey(stored) => {
            let m = ModalityFrame::new(&image, a.frame, frame.rows, frame.cols, stored);
            let data: Vec<u8> = m
                .values
                .iter()
                .flat_map(|v| (*v as f32).to_le_bytes())
                .collect();
            encode(NpyType::F32, &[rows, cols], &data)
        }
        FramePixels::Rgb(rgb) => encode(NpyType::U8, &[rows, cols, 3], rgb),
    };
    write_atomic(&a.out, &bytes).with_context(|| format!("cannot write {}", a.out.shown()))?;
    Ok(ExitCode::SUCCESS)
}
