//! `lightbox mpr`: one axial, coronal or sagittal plane of a series (optionally a thick
//! slab) to `.npy` (modality units, on the series' own grid) or `.png` (as the viewer
//! shows it: resampled to square pixels, a gantry tilt undone), for scripts and tests.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use lightbox::fsutil::{ShowPath, write_atomic};
use lightbox::mpr::display::{FileDisplay, min_max_voi, render_plane};
use lightbox::mpr::{Plane, PlaneKind, Sampling, Slab, SlabMode, Volume, cut, square_pixels};
use lightbox::npy::{NpyType, encode};
use lightbox::presets::Presets;
use lightbox::window::{Voi, VoiFunction, Window};
use serde_json::json;

use super::review::series_by_uid;
use super::segment::numbers;

/// `--plane` values.
#[derive(Clone, Copy, ValueEnum)]
enum PlaneArg {
    Axial,
    Coronal,
    Sagittal,
}

/// `--mode` values.
#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Mip,
    Minip,
    Avg,
}

/// Arguments of `mpr`.
#[derive(Args)]
pub struct MprArgs {
    /// Release root, release folder or folder of DICOM files.
    path: PathBuf,
    /// The series (Series Instance UID).
    #[arg(long, value_name = "UID")]
    series: String,
    /// The plane: axial (a slice), coronal (an image row through the slices), sagittal
    /// (an image column through the slices).
    #[arg(long, value_enum)]
    plane: PlaneArg,
    /// From 0: the slice in slice order (axial), the image row (coronal), the image
    /// column (sagittal).
    #[arg(long, value_name = "N")]
    index: usize,
    /// A thick slab of this many mm along the plane's normal (the planes within half
    /// of it each side); needs --mode.
    #[arg(long, value_name = "MM", requires = "mode")]
    slab: Option<f64>,
    /// How the slab's planes combine: mip, minip or avg; needs --slab.
    #[arg(long, value_enum, requires = "slab")]
    mode: Option<ModeArg>,
    /// For .png: window centre and width in modality units (default: the series'
    /// first window, else the plane's min–max).
    #[arg(
        long,
        value_name = "C,W",
        allow_hyphen_values = true,
        conflicts_with = "preset"
    )]
    window: Option<String>,
    /// For .png: a named preset (see assets/window-presets.json), e.g. lung.
    #[arg(long)]
    preset: Option<String>,
    /// Output: .npy (float32, modality units, the series' grid) or .png (displayed).
    #[arg(long)]
    out: PathBuf,
    /// Print one JSON object: shape, spacing, the volume's check, the file written.
    #[arg(long)]
    json: bool,
}

/// Runs `mpr`.
pub fn run(a: &MprArgs) -> anyhow::Result<ExitCode> {
    let png = match a.out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("npy") => false,
        Some(e) if e.eq_ignore_ascii_case("png") => true,
        _ => bail!("--out must end in .npy or .png: {}", a.out.shown()),
    };
    let window = match &a.window {
        Some(text) => {
            let w = numbers(text, 2, "--window C,W")?;
            anyhow::ensure!(w[1] > 0.0, "window width must be positive, got {}", w[1]);
            Some(Window {
                center: w[0],
                width: w[1],
                function: VoiFunction::Linear,
            })
        }
        None => None,
    };
    let index = super::scan::scan(&a.path, false, a.json)?;
    let series = series_by_uid(&index, &a.series)
        .with_context(|| format!("cannot reformat {}", a.path.shown()))?;
    let volume =
        Volume::load(series).with_context(|| format!("cannot reformat {}", a.path.shown()))?;
    let kind = match a.plane {
        PlaneArg::Axial => PlaneKind::Axial,
        PlaneArg::Coronal => PlaneKind::Coronal,
        PlaneArg::Sagittal => PlaneKind::Sagittal,
    };
    let slab = a.slab.map(|thickness_mm| Slab {
        thickness_mm,
        mode: match a.mode {
            Some(ModeArg::Minip) => SlabMode::Minip,
            Some(ModeArg::Avg) => SlabMode::Avg,
            Some(ModeArg::Mip) | None => SlabMode::Mip,
        },
    });
    let sampling = if png {
        Sampling::Patient
    } else {
        Sampling::Grid
    };
    let plane = cut(&volume, kind, a.index, slab, sampling)
        .with_context(|| format!("cannot reformat {}", a.path.shown()))?;
    let mut notes: Vec<String> = Vec::new();
    let (bytes, written, voi) = if png {
        let shown = square_pixels(&plane);
        let voi = choose_voi(&volume, &plane, &shown, window, a.preset.as_deref())?;
        let img = render_plane(&shown, &voi.0, voi.1);
        let png = img.png().context("PNG encoding failed")?;
        (png, shown, Some(voi))
    } else {
        if volume.check.uneven || volume.check.tilted {
            notes.push(
                "the .npy keeps the acquired grid: one row per slice at its own position \
                 (row_positions_mm), no resampling; a .png is resampled"
                    .to_owned(),
            );
        }
        let data: Vec<u8> = plane.values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let npy = encode(NpyType::F32, &[plane.rows, plane.cols], &data);
        (npy, plane.clone(), None)
    };
    notes.extend(written.notes.iter().cloned());
    write_atomic(&a.out, &bytes).with_context(|| format!("cannot write {}", a.out.shown()))?;
    for w in &volume.check.warnings {
        eprintln!("warning: series {}: {w}", volume.series_uid);
    }
    for n in &notes {
        eprintln!("note: {n}");
    }
    if a.json {
        let window = voi.as_ref().map(|(voi, inverted)| match voi {
            Voi::Window(w) => json!({"center": w.center, "width": w.width, "inverted": inverted}),
            Voi::Lut(_) => json!({"voi_lut": true, "inverted": inverted}),
        });
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "series_uid": volume.series_uid,
                "path": a.path,
                "plane": kind,
                "index": a.index,
                "format": if png { "png" } else { "npy" },
                "shape": [written.rows, written.cols],
                "spacing_mm": written.spacing_mm,
                "grid_spacing_mm": plane.spacing_mm,
                "row_positions_mm": written.row_positions_mm,
                "row_slices": plane.row_slices,
                "slab": plane.slab.map(|s| json!({
                    "thickness_mm": s.thickness_mm,
                    "mode": s.mode,
                    "planes": plane.gathered,
                })),
                "volume": {
                    "slices": volume.slices.len(),
                    "rows": volume.rows,
                    "cols": volume.cols,
                    "pixel_spacing_mm": [volume.spacing.row_mm, volume.spacing.col_mm],
                    "normal": volume.normal(),
                },
                "check": volume.check,
                "notes": notes,
                "window": window,
                "written": a.out,
            }))?
        );
    } else {
        outln!(
            "wrote {}: {} plane {} of series {}, {}×{} pixels of {:.3}×{:.3} mm",
            a.out.shown(),
            kind.name(),
            a.index,
            volume.series_uid,
            written.rows,
            written.cols,
            written.spacing_mm[0],
            written.spacing_mm[1]
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The VOI a `.png` is shown with and whether it is inverted: `--window`, else
/// `--preset` (the series' modality first), else the file's first window or VOI LUT
/// (of the plane's slice, or the middle slice), else `shown`'s min–max.
fn choose_voi(
    volume: &Volume,
    plane: &Plane,
    shown: &Plane,
    window: Option<Window>,
    preset: Option<&str>,
) -> anyhow::Result<(Voi, bool)> {
    let slice = if plane.kind == PlaneKind::Axial {
        plane.index
    } else {
        volume.slices.len() / 2
    };
    let file = volume
        .slices
        .get(slice)
        .map(|s| FileDisplay::read(&s.path, s.image.frame))
        .unwrap_or_default();
    if let Some(w) = window {
        return Ok((Voi::Window(w), file.inverted));
    }
    if let Some(name) = preset {
        let presets = Presets::bundled();
        let p = presets
            .find(name, volume.modality.as_deref())
            .with_context(|| {
                format!(
                    "unknown preset {name:?}; known: {}",
                    presets.names().join(", ")
                )
            })?;
        let w = Window {
            center: p.center,
            width: p.width,
            function: VoiFunction::Linear,
        };
        return Ok((Voi::Window(w), file.inverted));
    }
    Ok((
        file.voi.unwrap_or_else(|| min_max_voi(shown)),
        file.inverted,
    ))
}
