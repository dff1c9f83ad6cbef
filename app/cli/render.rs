//! `lightbox render`: one frame to an 8-bit PNG.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use lightbox::fsutil::{ShowPath, write_atomic};
use lightbox::pixel::DicomImage;
use lightbox::presets::Presets;
use lightbox::render::{VoiRequest, render_frame};
use lightbox::window::{VoiFunction, Window};

/// `--voi-function` values.
#[derive(Clone, Copy, ValueEnum)]
enum FunctionArg {
    Linear,
    LinearExact,
    Sigmoid,
}

/// Arguments of `render`.
#[derive(Args)]
pub struct RenderArgs {
    /// The DICOM file.
    file: PathBuf,
    /// Frame to render, from 0.
    #[arg(long, default_value_t = 0)]
    frame: u32,
    /// Window centre and width in modality units.
    #[arg(long, num_args = 2, value_names = ["CENTER", "WIDTH"], allow_hyphen_values = true, conflicts_with = "preset")]
    window: Option<Vec<f64>>,
    /// A named preset (see assets/window-presets.json), e.g. lung.
    #[arg(long)]
    preset: Option<String>,
    /// VOI LUT function to apply the window with (default: the file's, else linear).
    #[arg(long, value_enum)]
    voi_function: Option<FunctionArg>,
    /// Output PNG.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `render`.
pub fn run(a: &RenderArgs) -> anyhow::Result<ExitCode> {
    let image = DicomImage::open(&a.file).with_context(|| a.file.shown().to_string())?;
    let function = a.voi_function.map(|f| match f {
        FunctionArg::Linear => VoiFunction::Linear,
        FunctionArg::LinearExact => VoiFunction::LinearExact,
        FunctionArg::Sigmoid => VoiFunction::Sigmoid,
    });
    let voi = if let Some(w) = &a.window {
        if w[1] <= 0.0 {
            bail!("window width must be positive, got {}", w[1]);
        }
        VoiRequest::Window(Window {
            center: w[0],
            width: w[1],
            function: VoiFunction::Linear,
        })
    } else if let Some(name) = &a.preset {
        let presets = Presets::bundled();
        let modality = lightbox::attrs::text(&image.dataset, dicom_dictionary_std::tags::MODALITY);
        let p = presets.find(name, modality.as_deref()).with_context(|| {
            format!(
                "unknown preset {name:?}; known: {}",
                presets.names().join(", ")
            )
        })?;
        VoiRequest::Window(Window {
            center: p.center,
            width: p.width,
            function: VoiFunction::Linear,
        })
    } else {
        VoiRequest::FileOrMinMax
    };
    let frame = image
        .decode_frame(a.frame)
        .with_context(|| a.file.shown().to_string())?;
    let img = render_frame(&image, a.frame, &frame, &voi, function)
        .with_context(|| a.file.shown().to_string())?;
    let png = img.png().context("PNG encoding failed")?;
    write_atomic(&a.out, &png).with_context(|| format!("cannot write {}", a.out.shown()))?;
    Ok(ExitCode::SUCCESS)
}
