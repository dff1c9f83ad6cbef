//! `shaders/mpr.wgsl` against its CPU reference (`lightbox::mpr::reslice::sample_view`
//! and `lightbox::window::window_value`), pixel by pixel.
//!
//! The sample chest CT (a 16-bit volume: `R16Uint`, 2 bytes a voxel) is drawn offscreen
//! as axial, coronal and sagittal views through the nodule, an oblique view turned
//! about two axes, and 20 mm MIP, MinIP and mean slabs, with trilinear and nearest
//! sampling; a synthetic volume with fractional values goes through `R32Float`. Every
//! pixel must agree within one grey level; outside the volume both give black.
//! The geometry of the views is checked by hand on a tiny volume.
#![cfg(feature = "gui")]

use std::time::Duration;

use lightbox::gui::gpu::offscreen::{Target, draw_rgba};
use lightbox::gui::gpu::volume::{GpuMprView, GpuVolume, MprPipeline, MprUniforms, MprWindow};
use lightbox::mpr::grid::{Texels, VoxelGrid};
use lightbox::mpr::plane::SlabMode;
use lightbox::mpr::reslice::{
    IDENTITY, ResliceView, ViewFrame, ViewPlane, VoxelInterpolation, compose, rotate,
    rotation_about, sample_view,
};
use lightbox::mpr::volume::Volume;
use lightbox::window::{VoiFunction, Window, window_value};

mod common;
use common::gpu::{Gpu, gpu};

/// The sample's chest CT: 32 slices of 256 × 256, 1.4 mm pixels, 5 mm apart.
const CHEST: &str = "2.25.58992966161156072126607366601187380746";
const SIZE: [u32; 2] = [160, 120];

fn chest_grid() -> VoxelGrid {
    let index = common::scan_no_cache(&common::repo().join("sample-data"));
    let series = index
        .series()
        .find(|s| s.series_uid == CHEST)
        .expect("the chest CT");
    VoxelGrid::from_volume(&Volume::load(series).expect("a volume"))
}

/// The CPU's bytes: each pixel's value through the window, 0..255, rounded; black
/// outside the volume.
fn cpu_grey(grid: &VoxelGrid, view: &ResliceView, window: &MprWindow) -> Vec<u8> {
    let w = Window {
        center: window.center,
        width: window.width,
        function: window.function,
    };
    sample_view(grid, view, SIZE)
        .into_iter()
        .map(|v| match v {
            None => 0,
            Some(x) => {
                let y = window_value(f64::from(x), &w, 0.0, 255.0);
                let y = if window.invert { 255.0 - y } else { y };
                y.round().clamp(0.0, 255.0) as u8
            }
        })
        .collect()
}

fn gpu_grey(
    gpu: &Gpu,
    pipeline: &MprPipeline,
    volume: &GpuVolume,
    view: &ResliceView,
    window: &MprWindow,
) -> Vec<u8> {
    let mpr = GpuMprView::new(&gpu.device, pipeline, volume);
    mpr.write_uniforms(
        &gpu.queue,
        &MprUniforms::new(view, volume.offset, window, [0.0, 0.0]),
    );
    let target = Target {
        format: pipeline.target_format(),
        size: SIZE,
        // Magenta: a pixel the triangle misses cannot pass for grey.
        clear: wgpu::Color {
            r: 1.0,
            g: 0.0,
            b: 1.0,
            a: 1.0,
        },
    };
    let rgba = draw_rgba(
        &gpu.device,
        &gpu.queue,
        &target,
        Duration::from_secs(600),
        |pass| mpr.paint(pass, pipeline),
    )
    .expect("render and read back");
    rgba.chunks_exact(4)
        .map(|p| {
            assert!(p[0] == p[1] && p[1] == p[2], "not grey: {p:?}");
            p[0]
        })
        .collect()
}

/// Every pixel within one level; returns how many differ by one.
fn assert_close(name: &str, got: &[u8], want: &[u8]) -> usize {
    let mut ones = 0;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let d = g.abs_diff(*w);
        assert!(
            d <= 1,
            "{name}: pixel ({}, {}) is {g} on the GPU, {w} on the CPU",
            i % SIZE[0] as usize,
            i / SIZE[0] as usize
        );
        ones += usize::from(d == 1);
    }
    ones
}

/// The view of `plane` through `point_mm`, turned by `rotation`, at `mm_per_px`.
fn frame(plane: ViewPlane, point_mm: [f64; 3], rotation: &[[f64; 3]; 3], mm: f64) -> ViewFrame {
    let [right, down] = plane.base_axes();
    ViewFrame {
        centre_mm: point_mm,
        right: rotate(rotation, right),
        down: rotate(rotation, down),
        mm_per_px: mm,
    }
}

#[test]
fn chest_ct_views_and_slabs_match_the_cpu_reference() {
    let grid = chest_grid();
    assert!(
        matches!(grid.texels, Texels::U16 { .. }),
        "CT is 2 bytes a voxel"
    );
    assert_eq!(grid.byte_len(), 256 * 256 * 32 * 2);
    let gpu = gpu();
    for format in [
        wgpu::TextureFormat::Rgba8Unorm,
        wgpu::TextureFormat::Bgra8UnormSrgb,
    ] {
        let pipeline = MprPipeline::new(&gpu.device, format);
        let volume = GpuVolume::upload(&gpu.device, &gpu.queue, &grid).expect("upload");
        // The nodule of the sample: pixel (78, 121) of slice 14.
        let nodule = grid.point_of([78.0, 121.0, 14.0]);
        let lung = MprWindow {
            center: -600.0,
            width: 1500.0,
            function: VoiFunction::Linear,
            invert: false,
        };
        let oblique = compose(
            &rotation_about([0.0, 0.0, 1.0], 0.5),
            &rotation_about([1.0, 0.0, 0.0], 0.3),
        );
        let mut cases: Vec<(
            String,
            ViewFrame,
            f64,
            SlabMode,
            VoxelInterpolation,
            MprWindow,
        )> = Vec::new();
        for plane in ViewPlane::ALL {
            for (slab, mode) in [
                (0.0, SlabMode::Avg),
                (20.0, SlabMode::Mip),
                (20.0, SlabMode::Minip),
                (20.0, SlabMode::Avg),
            ] {
                cases.push((
                    format!("{plane:?} slab {slab} {mode:?}"),
                    frame(plane, nodule, &IDENTITY, 1.7),
                    slab,
                    mode,
                    VoxelInterpolation::Trilinear,
                    lung,
                ));
            }
            cases.push((
                format!("{plane:?} oblique"),
                frame(plane, nodule, &oblique, 1.3),
                0.0,
                SlabMode::Avg,
                VoxelInterpolation::Trilinear,
                MprWindow {
                    function: VoiFunction::Sigmoid,
                    invert: true,
                    ..lung
                },
            ));
        }
        // Nearest on the acquired grid at 1 pixel a voxel: no sample near a voxel border.
        let axial_grid = ViewFrame {
            centre_mm: grid.point_of([80.0, 60.0, 14.0]),
            right: grid.axes[0],
            down: grid.axes[1],
            mm_per_px: grid.spacing_mm[0],
        };
        cases.push((
            "axial nearest, one pixel a voxel".to_owned(),
            axial_grid,
            0.0,
            SlabMode::Avg,
            VoxelInterpolation::Nearest,
            MprWindow {
                function: VoiFunction::LinearExact,
                ..lung
            },
        ));
        for (name, f, slab, mode, interpolation, window) in &cases {
            let size = [f64::from(SIZE[0]), f64::from(SIZE[1])];
            let view = f.reslice(&grid, size, *slab, *mode, *interpolation);
            let want = cpu_grey(&grid, &view, window);
            let got = gpu_grey(&gpu, &pipeline, &volume, &view, window);
            let ones = assert_close(&format!("{format:?} {name}"), &got, &want);
            let distinct: std::collections::BTreeSet<u8> = want.iter().copied().collect();
            assert!(distinct.len() > 20, "{name}: a flat image tests nothing");
            println!("{format:?} {name}: {ones} pixel(s) one level off");
        }
    }
}

#[test]
fn a_float_volume_is_sampled_as_f32() {
    // 5 × 4 × 3 voxels of fractional values: stays R32Float.
    let values: Vec<f32> = (0..60).map(|i| i as f32 * 1.25 - 20.5).collect();
    let grid = VoxelGrid {
        dims: [5, 4, 3],
        spacing_mm: [1.0, 2.0, 3.0],
        origin_mm: [0.0; 3],
        axes: IDENTITY,
        texels: Texels::F32(values),
        notes: Vec::new(),
    };
    let gpu = gpu();
    let pipeline = MprPipeline::new(&gpu.device, wgpu::TextureFormat::Rgba8Unorm);
    let volume = GpuVolume::upload(&gpu.device, &gpu.queue, &grid).expect("upload");
    let window = MprWindow {
        center: 17.0,
        width: 80.0,
        function: VoiFunction::Linear,
        invert: false,
    };
    let tilted = rotation_about([0.6, 0.0, 0.8], 0.4);
    for (plane, slab, mode) in [
        (ViewPlane::Axial, 0.0, SlabMode::Avg),
        (ViewPlane::Coronal, 6.0, SlabMode::Mip),
        (ViewPlane::Sagittal, 4.0, SlabMode::Avg),
    ] {
        let f = frame(plane, grid.centre_mm(), &tilted, 0.08);
        let view = f.reslice(
            &grid,
            [f64::from(SIZE[0]), f64::from(SIZE[1])],
            slab,
            mode,
            VoxelInterpolation::Trilinear,
        );
        let want = cpu_grey(&grid, &view, &window);
        let got = gpu_grey(&gpu, &pipeline, &volume, &view, &window);
        assert_close(&format!("float {plane:?}"), &got, &want);
        assert!(want.contains(&0), "{plane:?}: the view reaches outside");
    }
}

#[test]
fn views_place_voxels_where_hand_computed() {
    // 4 × 3 × 2 voxels of 2 × 3 × 5 mm, origin (10, 20, 30), standard axes.
    let grid = VoxelGrid {
        dims: [4, 3, 2],
        spacing_mm: [2.0, 3.0, 5.0],
        origin_mm: [10.0, 20.0, 30.0],
        axes: IDENTITY,
        texels: Texels::F32((0..24).map(|i| i as f32).collect()),
        notes: Vec::new(),
    };
    assert_eq!(grid.point_of([1.0, 2.0, 1.0]), [12.0, 26.0, 35.0]);
    assert_eq!(grid.voxel_of([12.0, 26.0, 35.0]), [1.0, 2.0, 1.0]);
    // A coronal view through voxel row y = 1 (patient y 23), 1 mm a pixel, centred on
    // voxel (1.5, 1, 0.5): pixel centres (x + 0.5, y + 0.5) walk +x by 1 mm = 0.5 voxel
    // and −z by 1 mm = 0.2 voxel.
    let f = frame(
        ViewPlane::Coronal,
        grid.point_of([1.5, 1.0, 0.5]),
        &IDENTITY,
        1.0,
    );
    let view = f.reslice(
        &grid,
        [4.0, 4.0],
        0.0,
        SlabMode::Avg,
        VoxelInterpolation::Nearest,
    );
    assert_eq!(view.step_x, [0.5, 0.0, 0.0]);
    assert_eq!(view.step_y, [0.0, 0.0, -0.2]);
    // Corner: 2 px left (−1 voxel x) and 2 px up (+0.4 voxel z) of the centre.
    assert_eq!(view.corner, [0.5, 1.0, 0.9]);
    // Pixel (0, 0) samples (0.75, 1, 0.8): nearest voxel (1, 1, 1) = 1 + 4 + 12 = 17.
    let values = sample_view(&grid, &view, [4, 4]);
    assert_eq!(values[0], Some(17.0));
    // A 10 mm slab along the coronal normal (+y) takes 3-voxel MIP: the finest spacing
    // is 2 mm, so 5 samples 2.5 mm apart: y = 1 ± 0.83 voxel reaches rows 0..2.
    let slab = f.reslice(
        &grid,
        [4.0, 4.0],
        10.0,
        SlabMode::Mip,
        VoxelInterpolation::Nearest,
    );
    assert_eq!(slab.slab_samples, 5);
    assert_eq!(sample_view(&grid, &slab, [4, 4])[0], Some(21.0));
}
