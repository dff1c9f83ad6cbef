//! `shaders/shapes.wgsl` (the annotation outlines of the viewer) against geometry
//! computed by hand: where a segment of a given width lands for a given placement, how
//! much of a pixel its edge covers, markers offset in points at 2 pixels per point, and
//! colours through sRGB targets.
//!
//! Renders offscreen on a headless wgpu device (lavapipe is enough).
#![cfg(feature = "gui")]

use std::time::Duration;

use lightbox::gui::gpu::Placement;
use lightbox::gui::gpu::offscreen::{Target, draw_rgba};
use lightbox::gui::gpu::shapes::{Segment, ShapeLayer, ShapePipeline, ShapeUniforms};

mod common;
use common::gpu::gpu;

const W: u32 = 128;
const H: u32 = 96;

/// Draws `segments` into a `W × H` target of `format` cleared to black, with `uniforms`;
/// returns RGBA bytes.
fn draw(format: wgpu::TextureFormat, uniforms: &ShapeUniforms, segments: &[Segment]) -> Vec<u8> {
    let gpu = gpu();
    let pipeline = ShapePipeline::new(&gpu.device, format);
    let mut layer = ShapeLayer::new(&gpu.device, &pipeline);
    layer.upload(&gpu.device, &gpu.queue, 1, segments);
    layer.write_uniforms(&gpu.queue, uniforms);
    let target = Target {
        format,
        size: [W, H],
        clear: wgpu::Color::BLACK,
    };
    draw_rgba(
        &gpu.device,
        &gpu.queue,
        &target,
        Duration::from_secs(60),
        |pass| {
            layer.paint(pass, &pipeline);
        },
    )
    .expect("offscreen draw")
}

/// Uniforms for image → screen: 2 screen pixels per image pixel, image pixel (0, 0) at
/// screen (5, 5), as `Placement::to_screen` gives it, at `ppp` pixels per point.
fn uniforms(ppp: f32) -> ShapeUniforms {
    // A 40 × 30 image zoomed 2× in a W × H viewport: its corner lands at
    // ((128 - 80) / 2, (96 - 60) / 2) = (24, 18) plus the pan.
    let affine = Placement {
        zoom: 2.0,
        pan_px: [-19.0, -13.0],
        ..Placement::centred([40.0, 30.0], [f64::from(W), f64::from(H)])
    }
    .to_screen();
    assert_eq!(
        affine.apply([0.0, 0.0]),
        [5.0, 5.0],
        "the placement by hand"
    );
    assert_eq!(
        affine.apply([10.0, 20.0]),
        [25.0, 45.0],
        "the placement by hand"
    );
    let row = |r: [f64; 3]| [r[0] as f32, r[1] as f32, r[2] as f32, 0.0];
    ShapeUniforms {
        xform_x: row(affine.rows[0]),
        xform_y: row(affine.rows[1]),
        viewport_px: [W as f32, H as f32],
        pixels_per_point: ppp,
        _pad: 0.0,
    }
}

fn segment(a: [f32; 2], b: [f32; 2], width_pt: f32, colour: [u8; 4]) -> Segment {
    Segment {
        a,
        b,
        a_offset_pt: [0.0; 2],
        b_offset_pt: [0.0; 2],
        colour: u32::from_le_bytes(colour),
        width_pt,
    }
}

fn red(rgba: &[u8], x: u32, y: u32) -> u8 {
    rgba[((y * W + x) * 4) as usize]
}

#[test]
fn a_horizontal_edge_lands_where_the_placement_puts_it_with_its_width() {
    // Image (10, 20) → (50, 20) is screen (25, 45) → (105, 45); 3 points wide at 1 ppp
    // it covers y 43.5..46.5: rows 44 and 45 fully, rows 43 and 46 half (pixel centres
    // 43.5 and 46.5 sit on the edge, where the one-pixel feather gives 0.5), 42 and 47 not.
    let rgba = draw(
        wgpu::TextureFormat::Rgba8Unorm,
        &uniforms(1.0),
        &[segment([10.0, 20.0], [50.0, 20.0], 3.0, [255; 4])],
    );
    for x in [30, 60, 100] {
        assert_eq!(red(&rgba, x, 44), 255, "row 44 at x {x}");
        assert_eq!(red(&rgba, x, 45), 255, "row 45 at x {x}");
        for y in [43, 46] {
            let v = red(&rgba, x, y);
            assert!(
                (120..=135).contains(&v),
                "row {y} at x {x} half covered: {v}"
            );
        }
        assert_eq!(red(&rgba, x, 42), 0, "row 42 at x {x}");
        assert_eq!(red(&rgba, x, 47), 0, "row 47 at x {x}");
    }
    // The ends reach half a width beyond the vertices (25 - 1.5, 105 + 1.5: pixel centres 24.5 and 105.5 are in), so the
    // edges of a ring meet without a notch; nothing further.
    assert_eq!(red(&rgba, 24, 45), 255, "square cap at the start");
    assert_eq!(red(&rgba, 105, 45), 255, "square cap at the end");
    assert_eq!(red(&rgba, 21, 45), 0, "nothing before the cap");
    assert_eq!(red(&rgba, 109, 45), 0, "nothing after the cap");
}

#[test]
fn a_ring_outlines_its_edges_and_leaves_the_inside_alone() {
    // The square (10, 10)–(40, 30) in image pixels is screen (25, 25)–(85, 65).
    let ring = [[10.0, 10.0], [40.0, 10.0], [40.0, 30.0], [10.0, 30.0]];
    let segments: Vec<Segment> = (0..4)
        .map(|i| segment(ring[i], ring[(i + 1) % 4], 2.0, [255; 4]))
        .collect();
    let rgba = draw(wgpu::TextureFormat::Rgba8Unorm, &uniforms(1.0), &segments);
    for (x, y) in [
        (55, 24),
        (55, 25),
        (85, 45),
        (84, 45),
        (55, 65),
        (25, 45),
        (25, 25),
        (85, 65),
    ] {
        assert_eq!(red(&rgba, x, y), 255, "outline at ({x}, {y})");
    }
    for (x, y) in [(55, 45), (30, 30), (80, 60), (55, 20), (90, 45)] {
        assert_eq!(red(&rgba, x, y), 0, "not the outline at ({x}, {y})");
    }
}

#[test]
fn offsets_and_widths_are_in_points() {
    // At 2 pixels per point a cross arm of ±8 points from image (30, 20) (screen (65, 45))
    // reaches ±16 pixels, and a 1-point line is 2 pixels wide: rows 44 and 45.
    let arm = Segment {
        a_offset_pt: [-8.0, 0.0],
        b_offset_pt: [8.0, 0.0],
        ..segment([30.0, 20.0], [30.0, 20.0], 1.0, [255; 4])
    };
    let rgba = draw(wgpu::TextureFormat::Rgba8Unorm, &uniforms(2.0), &[arm]);
    for x in [50, 65, 80] {
        assert_eq!(red(&rgba, x, 44), 255, "({x}, 44)");
        assert_eq!(red(&rgba, x, 45), 255, "({x}, 45)");
        assert_eq!(red(&rgba, x, 42), 0, "({x}, 42)");
    }
    // 65 ± (16 + 1 of the cap): covered to 47.5 .. 82.5.
    assert_eq!(red(&rgba, 48, 45), 255, "inside the arm's reach");
    assert_eq!(red(&rgba, 45, 45), 0, "beyond the arm's reach");
    assert_eq!(red(&rgba, 85, 45), 0, "beyond the arm's reach");
}

#[test]
fn colours_survive_an_srgb_target_and_blend_premultiplied() {
    // egui's colours are premultiplied sRGB; an sRGB target must give the same bytes back.
    for format in [
        wgpu::TextureFormat::Rgba8Unorm,
        wgpu::TextureFormat::Rgba8UnormSrgb,
        wgpu::TextureFormat::Bgra8UnormSrgb,
    ] {
        let colour = [200, 100, 30, 255];
        let rgba = draw(
            format,
            &uniforms(1.0),
            &[segment([10.0, 20.0], [50.0, 20.0], 4.0, colour)],
        );
        let at = ((45 * W + 60) * 4) as usize;
        for (c, (got, want)) in rgba[at..at + 3].iter().zip(&colour[..3]).enumerate() {
            assert!(
                got.abs_diff(*want) <= 1,
                "{format:?} channel {c}: {got} vs {want}"
            );
        }
    }
    // Half-transparent white (premultiplied 128) over black gives 128.
    let rgba = draw(
        wgpu::TextureFormat::Rgba8Unorm,
        &uniforms(1.0),
        &[segment(
            [10.0, 20.0],
            [50.0, 20.0],
            4.0,
            [128, 128, 128, 128],
        )],
    );
    let v = red(&rgba, 60, 45);
    assert!(v.abs_diff(128) <= 1, "premultiplied blend: {v}");
}

#[test]
fn an_upload_is_skipped_for_the_same_key_and_redone_for_a_new_one() {
    let gpu = gpu();
    let format = wgpu::TextureFormat::Rgba8Unorm;
    let pipeline = ShapePipeline::new(&gpu.device, format);
    let mut layer = ShapeLayer::new(&gpu.device, &pipeline);
    let one = [segment([10.0, 20.0], [50.0, 20.0], 3.0, [255; 4])];
    let other = [segment([10.0, 5.0], [50.0, 5.0], 3.0, [255; 4])];
    layer.upload(&gpu.device, &gpu.queue, 7, &one);
    layer.upload(&gpu.device, &gpu.queue, 7, &other); // same key: kept
    layer.write_uniforms(&gpu.queue, &uniforms(1.0));
    let target = Target {
        format,
        size: [W, H],
        clear: wgpu::Color::BLACK,
    };
    let timeout = Duration::from_secs(60);
    let rgba = draw_rgba(&gpu.device, &gpu.queue, &target, timeout, |p| {
        layer.paint(p, &pipeline)
    })
    .expect("draw");
    assert_eq!(red(&rgba, 60, 45), 255, "the first upload stands");
    assert_eq!(red(&rgba, 60, 15), 0, "the second was skipped");
    layer.upload(&gpu.device, &gpu.queue, 8, &other);
    let rgba = draw_rgba(&gpu.device, &gpu.queue, &target, timeout, |p| {
        layer.paint(p, &pipeline)
    })
    .expect("draw");
    assert_eq!(red(&rgba, 60, 45), 0, "replaced");
    assert_eq!(red(&rgba, 60, 15), 255, "the new key's segments");
    layer.upload(&gpu.device, &gpu.queue, 9, &[]);
    let rgba = draw_rgba(&gpu.device, &gpu.queue, &target, timeout, |p| {
        layer.paint(p, &pipeline)
    })
    .expect("draw");
    assert!(
        rgba.chunks(4).all(|p| p[0] == 0),
        "no segments, nothing drawn"
    );
}
