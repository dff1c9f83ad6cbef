//! MPR speed (issue 17), on the 300-slice 512×512 CT that `viewer_speed` makes with
//! `synth` (`target/bench-data/ct300`, made here if missing): building the volume
//! (every frame decoded, checked), then cutting a coronal and a sagittal plane on the
//! grid, the same resampled for display, and a 20 mm MIP slab of each kind. The
//! reference in the same run is reading the series' frames alone
//! (`assist::stack::Stack::load`), so the ratio says what the volume adds over decoding.
//!
//! `cargo bench --bench mpr_speed` (prints a table; not a test).

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use lightbox::assist::stack::Stack;
use lightbox::mpr::{PlaneKind, Sampling, Slab, SlabMode, Volume, cut, square_pixels};

fn main() {
    let (dir, index) = common::ct300();
    let series = common::ct300_series(&dir, &index);
    let (stack, _) = common::best(2, || Stack::load(series, |_| true).map(|s| s.slices.len()));
    let (build, volume) = common::best(2, || Volume::load(series));
    let volume = match volume {
        Ok(v) => v,
        Err(e) => {
            eprintln!("volume failed: {e}");
            std::process::exit(2);
        }
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "a {}-slice {}×{} series ({:.0} MB of f32 values):",
        volume.slices.len(),
        volume.cols,
        volume.rows,
        volume.byte_len() as f64 / 1e6
    );
    println!("  frames alone (Stack)     {:8.1} ms", ms(stack));
    println!(
        "  volume (frames + check)  {:8.1} ms  ({:.2}x the frames alone)",
        ms(build),
        build.as_secs_f64() / stack.as_secs_f64()
    );
    let mip = Some(Slab {
        thickness_mm: 20.0,
        mode: SlabMode::Mip,
    });
    let (row, col) = (volume.rows / 2, volume.cols / 2);
    let mid = volume.slices.len() / 2;
    for (name, kind, index) in [
        ("axial", PlaneKind::Axial, mid),
        ("coronal", PlaneKind::Coronal, row),
        ("sagittal", PlaneKind::Sagittal, col),
    ] {
        let (grid, plane) = common::best(5, || cut(&volume, kind, index, None, Sampling::Grid));
        let Ok(plane) = plane else {
            eprintln!("{name}: the plane failed");
            std::process::exit(2);
        };
        let (shown, _) = common::best(5, || {
            cut(&volume, kind, index, None, Sampling::Patient).map(|p| square_pixels(&p))
        });
        let (slab, _) = common::best(5, || cut(&volume, kind, index, mip, Sampling::Grid));
        println!(
            "  {name:<9} {:>4}×{:<4} grid {:7.2} ms, displayed {:7.2} ms, 20 mm MIP {:7.2} ms",
            plane.rows,
            plane.cols,
            ms(grid),
            ms(shown),
            ms(slab)
        );
    }
}
