//! MPR on the GPU (issue 17), on the 300-slice 512×512 CT of `viewer_speed`
//! (`target/bench-data/ct300`, made here if missing): putting the volume on its grid
//! (2 bytes a voxel), uploading it as a 3-D texture, and drawing the three views of a
//! crosshair move (thin, and with a 20 mm MIP slab) at 512 × 512 each; plus the UI
//! thread's share of a crosshair move (placing three views and their uniforms).
//!
//! The device is whatever wgpu finds (lavapipe on a machine without a GPU: then the
//! draw times are a CPU rasteriser's, an upper bound, not a GPU's). Upload and draw
//! times are wall times up to the GPU's completion (`device.poll(Wait)`).
//!
//! `cargo bench --bench mpr_gpu_speed --features gui` (prints a table; not a test).

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/common/gpu.rs"]
mod gpu;

use std::time::{Duration, Instant};

use lightbox::gui::gpu::offscreen::{Target, draw_rgba};
use lightbox::gui::gpu::volume::{GpuMprView, GpuVolume, MprPipeline, MprUniforms, MprWindow};
use lightbox::mpr::grid::VoxelGrid;
use lightbox::mpr::plane::SlabMode;
use lightbox::mpr::reslice::{IDENTITY, ViewFrame, ViewPlane, VoxelInterpolation, rotate};
use lightbox::mpr::volume::Volume;
use lightbox::window::VoiFunction;

const SIDE: u32 = 512;

fn main() {
    let (dir, index) = common::ct300();
    let series = common::ct300_series(&dir, &index);
    let volume = Volume::load(series).unwrap_or_else(|e| common::fail(&format!("volume: {e}")));
    let (grid_time, grid) = common::best(2, || VoxelGrid::from_volume(&volume));
    drop(volume);
    let gpu = gpu::gpu();
    println!(
        "device: {} ({:?})",
        gpu.adapter.name, gpu.adapter.device_type
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "grid {}×{}×{}: {:.0} MB ({} bytes a voxel), built in {:.1} ms",
        grid.dims[0],
        grid.dims[1],
        grid.dims[2],
        grid.byte_len() as f64 / 1e6,
        grid.texels.bytes_per_voxel(),
        ms(grid_time)
    );
    let (upload, volume_gpu) = common::best(3, || {
        let v = GpuVolume::upload(&gpu.device, &gpu.queue, &grid)
            .unwrap_or_else(|e| common::fail(&format!("upload: {e}")));
        gpu.queue.submit([]);
        let _ = gpu.device.poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: Some(Duration::from_secs(60)),
        });
        v
    });
    println!("upload to the GPU: {:.1} ms (target 500 ms)", ms(upload));

    let pipeline = MprPipeline::new(&gpu.device, wgpu::TextureFormat::Rgba8Unorm);
    let views: Vec<GpuMprView> = (0..3)
        .map(|_| GpuMprView::new(&gpu.device, &pipeline, &volume_gpu))
        .collect();
    let window = MprWindow {
        center: -600.0,
        width: 1500.0,
        function: VoiFunction::Linear,
        invert: false,
    };
    let size = [f64::from(SIDE); 2];
    let place = |cursor: [f64; 3], slab: f64| -> Vec<MprUniforms> {
        ViewPlane::ALL
            .iter()
            .map(|plane| {
                let [right, down] = plane.base_axes().map(|v| rotate(&IDENTITY, v));
                let frame = ViewFrame {
                    centre_mm: cursor,
                    right,
                    down,
                    mm_per_px: 360.0 / f64::from(SIDE),
                };
                let view = frame.reslice(
                    &grid,
                    size,
                    slab,
                    SlabMode::Mip,
                    VoxelInterpolation::Trilinear,
                );
                MprUniforms::new(&view, volume_gpu.offset, &window, [0.0, 0.0])
            })
            .collect()
    };
    // The UI thread's part of a crosshair move: three views placed, uniforms made.
    let centre = grid.centre_mm();
    let moves = 10_000;
    let start = Instant::now();
    for k in 0..moves {
        let cursor = [
            centre[0] + (k % 7) as f64,
            centre[1],
            centre[2] + (k % 5) as f64,
        ];
        std::hint::black_box(place(cursor, 20.0));
    }
    let per_move = start.elapsed() / moves;
    println!(
        "UI thread per crosshair move (3 views placed): {:.2} µs",
        per_move.as_secs_f64() * 1e6
    );
    let target = Target {
        format: pipeline.target_format(),
        size: [SIDE, SIDE],
        clear: wgpu::Color::BLACK,
    };
    for (name, slab) in [("thin planes", 0.0), ("20 mm MIP slabs", 20.0)] {
        let uniforms = place(centre, slab);
        let (draw, _) = common::best(3, || {
            for (view, u) in views.iter().zip(&uniforms) {
                view.write_uniforms(&gpu.queue, u);
                draw_rgba(
                    &gpu.device,
                    &gpu.queue,
                    &target,
                    Duration::from_secs(120),
                    |pass| view.paint(pass, &pipeline),
                )
                .unwrap_or_else(|e| common::fail(&format!("draw: {e}")));
            }
        });
        println!(
            "three {SIDE}×{SIDE} views, {name}: {:.1} ms (draw and read back; target 16 ms on a GPU)",
            ms(draw)
        );
    }
}
