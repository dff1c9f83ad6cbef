//! `shaders/image.wgsl` against the CPU reference (`lightbox::window`), pixel by pixel.
//!
//! Renders offscreen on a headless wgpu device (lavapipe is enough: Debian
//! `mesa-vulkan-drivers libvulkan1`), 1:1 so each image pixel is one target pixel,
//! into `Rgba8Unorm`, `Rgba8UnormSrgb` and their BGRA twins, reads back and compares with what
//! `lightbox::render` computes on the CPU. Every pixel must agree within one grey level;
//! the number of one-level differences is printed (`cargo test -- --nocapture`).
//! `WGPU_BACKEND=gl` (or `vulkan`) picks the backend; by default Vulkan or GL.
#![cfg(feature = "gui")]

use lightbox::gui::gpu::offscreen::render_rgba;
use lightbox::gui::gpu::{
    ColourConversion, GpuImage, ImagePipeline, ImageUniforms, Interpolation, Mode, Placement,
};
use lightbox::pixel::ColourSpace;
use lightbox::window::{Lut, VoiFunction, Window, window_value};
use std::time::Duration;

mod common;
use common::gpu::{Gpu, gpu};

const W: u32 = 256;
const H: u32 = 256;
/// RGBA as the brief's offscreen targets; BGRA as egui's surfaces (and kittest on Vulkan).
const FORMATS: [wgpu::TextureFormat; 4] = [
    wgpu::TextureFormat::Rgba8Unorm,
    wgpu::TextureFormat::Rgba8UnormSrgb,
    wgpu::TextureFormat::Bgra8Unorm,
    wgpu::TextureFormat::Bgra8UnormSrgb,
];

/// Draws `image` with `uniforms` into a fresh `width × height` target; returns RGBA bytes
/// (BGRA targets are swizzled back).
fn render(
    gpu: &Gpu,
    pipeline: &ImagePipeline,
    image: &GpuImage,
    uniforms: &ImageUniforms,
    width: u32,
    height: u32,
) -> Vec<u8> {
    // Magenta, transparent: a pixel the quad misses cannot pass for grey.
    let magenta = wgpu::Color {
        r: 1.0,
        g: 0.0,
        b: 1.0,
        a: 0.0,
    };
    render_rgba(
        &gpu.device,
        &gpu.queue,
        pipeline,
        image,
        uniforms,
        [width, height],
        magenta,
        Duration::from_secs(600),
    )
    .expect("render and read back")
}

/// The VOI of a case, as `lightbox::render::render_frame` applies it.
enum Voi {
    Window(Window),
    Lut(Lut),
}

struct GreyCase {
    name: String,
    slope: f64,
    intercept: f64,
    voi: Voi,
    invert: bool,
    padding: Option<f32>,
    interpolation: Interpolation,
}

/// The CPU bytes of `render_frame`: window_value(x, w, 0, 255) or lookup / max × 255,
/// inverted before rounding, padding black.
fn cpu_grey(stored: &[f32], case: &GreyCase) -> Vec<u8> {
    stored
        .iter()
        .map(|&s| {
            if case.padding == Some(s) {
                return 0;
            }
            let x = f64::from(s) * case.slope + case.intercept;
            let y = match &case.voi {
                Voi::Window(w) => window_value(x, w, 0.0, 255.0),
                Voi::Lut(l) => l.lookup(x) / l.max_output() * 255.0,
            };
            let y = if case.invert { 255.0 - y } else { y };
            y.round().clamp(0.0, 255.0) as u8
        })
        .collect()
}

fn uniforms_for(case: &GreyCase, xform: [[f32; 4]; 2]) -> ImageUniforms {
    let (mode, center, width) = match &case.voi {
        Voi::Window(w) => {
            let mode = match w.function {
                VoiFunction::Linear => Mode::Linear,
                VoiFunction::LinearExact => Mode::LinearExact,
                VoiFunction::Sigmoid => Mode::Sigmoid,
            };
            (mode, w.center as f32, w.width as f32)
        }
        Voi::Lut(_) => (Mode::VoiLut, 0.0, 1.0),
    };
    let mut u = ImageUniforms::new(xform, mode);
    u.slope = case.slope as f32;
    u.intercept = case.intercept as f32;
    u.center = center;
    u.width = width;
    u.invert = u32::from(case.invert);
    u.use_padding = u32::from(case.padding.is_some());
    u.padding_value = case.padding.unwrap_or(0.0);
    u.interpolation = case.interpolation as u32;
    u
}

/// Compares RGBA output with expected RGBA; returns (max difference, pixels off by one).
fn compare(got: &[u8], expected: &[u8]) -> (u8, usize) {
    assert_eq!(got.len(), expected.len());
    let mut max = 0;
    let mut ones = 0;
    for (g, e) in got.chunks_exact(4).zip(expected.chunks_exact(4)) {
        let d = g
            .iter()
            .zip(e)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap_or(0);
        max = max.max(d);
        ones += usize::from(d == 1);
    }
    (max, ones)
}

fn grey_to_rgba(grey: &[u8]) -> Vec<u8> {
    grey.iter().flat_map(|&g| [g, g, g, 255]).collect()
}

/// Stored values whose modality values (slope 1, intercept −1024) cover −2048..=3000,
/// every integer in between, scattered so that neighbouring pixels differ a lot (a
/// texel off by one shows). Rows 0–1 hold the padding value −1024.
fn synthetic_stored() -> Vec<f32> {
    let n = (W * H) as usize;
    (0..n)
        .map(|i| {
            if i < 2 * W as usize {
                return PADDING;
            }
            let k = (i * 40_503) % n; // odd multiplier: a permutation of 0..n
            let modality = -2048 + (k as i64 * 5048) / (n as i64 - 1);
            (modality + 1024) as f32
        })
        .collect()
}

const PADDING: f32 = -1024.0;

fn win(center: f64, width: f64, function: VoiFunction) -> Voi {
    Voi::Window(Window {
        center,
        width,
        function,
    })
}

fn grey_cases() -> Vec<GreyCase> {
    use VoiFunction::{Linear, LinearExact, Sigmoid};
    let mut cases = Vec::new();
    let mut add = |name: &str, slope: f64, intercept: f64, voi: Voi| {
        cases.push(GreyCase {
            name: name.to_string(),
            slope,
            intercept,
            voi,
            invert: false,
            padding: None,
            interpolation: Interpolation::Nearest,
        });
    };
    let (s, b) = (1.0, -1024.0);
    add("LINEAR c40 w400", s, b, win(40.0, 400.0, Linear));
    add("LINEAR c-600 w1500", s, b, win(-600.0, 1500.0, Linear));
    add("LINEAR c1000.3 w333.7", s, b, win(1000.3, 333.7, Linear));
    add("LINEAR c500 w1", s, b, win(500.0, 1.0, Linear));
    add(
        "LINEAR c500.5 w1 (threshold on an integer)",
        s,
        b,
        win(500.5, 1.0, Linear),
    );
    add("LINEAR c100 w2", s, b, win(100.0, 2.0, Linear));
    add("LINEAR c7 w0.5 (taken as 1)", s, b, win(7.0, 0.5, Linear));
    add(
        "LINEAR c476 w5049 (full range)",
        s,
        b,
        win(476.5, 5049.0, Linear),
    );
    add("LINEAR_EXACT c40 w400", s, b, win(40.0, 400.0, LinearExact));
    add("LINEAR_EXACT c0 w0.5", s, b, win(0.0, 0.5, LinearExact));
    add(
        "LINEAR_EXACT c10.25 w0.5",
        s,
        b,
        win(10.25, 0.5, LinearExact),
    );
    add("LINEAR_EXACT c100 w1", s, b, win(100.0, 1.0, LinearExact));
    add(
        "LINEAR_EXACT c-300.7 w2000.3",
        s,
        b,
        win(-300.7, 2000.3, LinearExact),
    );
    add("SIGMOID c40 w400", s, b, win(40.0, 400.0, Sigmoid));
    add("SIGMOID c0 w1", s, b, win(0.0, 1.0, Sigmoid));
    add("SIGMOID c2000 w3000", s, b, win(2000.0, 3000.0, Sigmoid));
    add(
        "slope 0.25 b-1000.5 LINEAR c-700 w300",
        0.25,
        -1000.5,
        win(-700.0, 300.0, Linear),
    );
    add(
        "slope 0.25 b-1000.5 SIGMOID c-800 w200",
        0.25,
        -1000.5,
        win(-800.0, 200.0, Sigmoid),
    );
    add(
        "slope 1.7 b-300.3 LINEAR c500 w1000",
        1.7,
        -300.3,
        win(500.0, 1000.0, Linear),
    );
    add(
        "slope 1.7 b-300.3 LINEAR_EXACT c1000.2 w700",
        1.7,
        -300.3,
        win(1000.2, 700.0, LinearExact),
    );
    add(
        "slope 1.7 b-300.3 SIGMOID c40 w400",
        1.7,
        -300.3,
        win(40.0, 400.0, Sigmoid),
    );
    let gamma = Lut {
        first_mapped: -1024,
        bits: 12,
        data: (0..4096u32)
            .map(|i| ((f64::from(i) / 4095.0).powf(0.6) * 4095.0).round() as u16)
            .collect(),
    };
    add(
        "VOI LUT gamma, 4096 entries from -1024",
        s,
        b,
        Voi::Lut(gamma),
    );
    let saw = Lut {
        first_mapped: -2041,
        bits: 16,
        data: (0..5000u32).map(|i| ((i * 7919) % 65_536) as u16).collect(),
    };
    add(
        "VOI LUT scrambled, 5000 entries from -2041",
        s,
        b,
        Voi::Lut(saw),
    );
    let full = Lut {
        first_mapped: -32_768,
        bits: 16,
        data: (0..65_536u32)
            .map(|i| ((i * 40_503) % 65_536) as u16)
            .collect(),
    };
    add(
        "VOI LUT scrambled, 65536 entries from -32768",
        s,
        b,
        Voi::Lut(full),
    );
    let tiny = Lut {
        first_mapped: -2,
        bits: 8,
        data: vec![10, 20, 30],
    };
    add(
        "VOI LUT 3 entries (clamped both sides)",
        1.0,
        -1.0,
        Voi::Lut(tiny),
    );

    let variant = |name: &str, invert: bool, padding: Option<f32>, voi: Voi| GreyCase {
        name: name.to_string(),
        slope: s,
        intercept: b,
        voi,
        invert,
        padding,
        interpolation: Interpolation::Nearest,
    };
    cases.push(variant(
        "inverted LINEAR c40 w400",
        true,
        None,
        win(40.0, 400.0, Linear),
    ));
    cases.push(variant(
        "inverted LINEAR c1000.3 w333.7",
        true,
        None,
        win(1000.3, 333.7, Linear),
    ));
    cases.push(variant(
        "inverted SIGMOID c40 w400",
        true,
        None,
        win(40.0, 400.0, Sigmoid),
    ));
    cases.push(variant(
        "padding LINEAR c40 w400",
        false,
        Some(PADDING),
        win(40.0, 400.0, Linear),
    ));
    cases.push(variant(
        "padding + inverted LINEAR_EXACT c40 w400",
        true,
        Some(PADDING),
        win(40.0, 400.0, LinearExact),
    ));
    let mut bilinear = variant(
        "bilinear at 1:1 LINEAR c40 w400",
        false,
        None,
        win(40.0, 400.0, Linear),
    );
    bilinear.interpolation = Interpolation::Bilinear;
    cases.push(bilinear);
    cases
}

fn lut01(l: &Lut) -> Vec<f32> {
    let max = l.max_output();
    l.data
        .iter()
        .map(|&v| (f64::from(v) / max) as f32)
        .collect()
}

#[test]
fn shader_matches_cpu_window_level() {
    let gpu = gpu();
    println!(
        "adapter: {} ({:?}, {:?}, driver {})",
        gpu.adapter.name, gpu.adapter.backend, gpu.adapter.device_type, gpu.adapter.driver_info
    );
    let stored = synthetic_stored();
    let xform =
        Placement::centred([f64::from(W), f64::from(H)], [f64::from(W), f64::from(H)]).to_clip();
    let pipelines = FORMATS.map(|f| ImagePipeline::new(&gpu.device, f));
    let mut image = GpuImage::new(&gpu.device, &pipelines[0]);
    image
        .upload_grey(&gpu.device, &gpu.queue, W, H, &stored)
        .expect("upload grey");

    let mut failures = Vec::new();
    for case in grey_cases() {
        if let Voi::Lut(l) = &case.voi {
            image
                .set_voi_lut(&gpu.device, &gpu.queue, &lut01(l), l.first_mapped as f32)
                .expect("set VOI LUT");
        }
        let expected = grey_to_rgba(&cpu_grey(&stored, &case));
        let uniforms = uniforms_for(&case, xform);
        for pipeline in &pipelines {
            let got = render(&gpu, pipeline, &image, &uniforms, W, H);
            let (max, ones) = compare(&got, &expected);
            println!(
                "{:<48} {:<15} max diff {max}, {ones} pixels off by 1",
                case.name,
                format!("{:?}", pipeline.target_format())
            );
            if max > 1 {
                failures.push(format!(
                    "{} / {:?}: max diff {max}",
                    case.name,
                    pipeline.target_format()
                ));
            }
        }
    }

    // Colour: RGB passes through (alpha too); YCbCr is converted in the shader and must
    // match ColourSpace::to_rgb_in_place, the CPU reference, on every pixel.
    let rgba: Vec<u8> = (0..W * H * 4)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    image
        .upload_rgba(&gpu.device, &gpu.queue, W, H, &rgba)
        .expect("upload rgba");
    for space in [
        ColourSpace::Rgb,
        ColourSpace::YbrFull,
        ColourSpace::YbrPartial,
    ] {
        let mut expected = rgba.clone();
        for px in expected.chunks_exact_mut(4) {
            space.to_rgb_in_place(&mut px[..3]);
        }
        let mut uniforms = ImageUniforms::new(xform, Mode::Colour);
        uniforms.colour_space = ColourConversion::from(space) as u32;
        for pipeline in &pipelines {
            let got = render(&gpu, pipeline, &image, &uniforms, W, H);
            let (max, ones) = compare(&got, &expected);
            println!(
                "{:<48} {:<15} max diff {max}, {ones} pixels off by 1",
                format!("colour {space:?}"),
                format!("{:?}", pipeline.target_format())
            );
            if max > 1 {
                failures.push(format!(
                    "colour {space:?} / {:?}: max diff {max}",
                    pipeline.target_format()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "shader differs from the CPU by more than one level: {failures:#?}"
    );
}

/// Rotation and flips end to end: a non-square image turned once clockwise and mirrored,
/// each target pixel compared with the image pixel the inverse of `Placement::to_screen` points at.
#[test]
fn shader_follows_the_view_transform() {
    let gpu = gpu();
    let (w, h) = (200u32, 120u32);
    let stored: Vec<f32> = (0..w * h).map(|i| ((i * 40_503) % 4096) as f32).collect();
    let case = GreyCase {
        name: String::new(),
        slope: 1.0,
        intercept: 0.0,
        voi: win(2048.0, 4096.0, VoiFunction::Linear),
        invert: false,
        padding: None,
        interpolation: Interpolation::Nearest,
    };
    let cpu = cpu_grey(&stored, &case);
    let pipeline = ImagePipeline::new(&gpu.device, wgpu::TextureFormat::Rgba8Unorm);
    let mut image = GpuImage::new(&gpu.device, &pipeline);
    image
        .upload_grey(&gpu.device, &gpu.queue, w, h, &stored)
        .expect("upload");
    // Turned once, the image is h wide and w tall: it fills an h × w target exactly.
    for (turns, flip_h, flip_v) in [
        (1, true, false),
        (1, false, false),
        (2, false, true),
        (3, true, true),
    ] {
        let (tw, th) = if turns % 2 == 1 { (h, w) } else { (w, h) };
        let placement = Placement {
            quarter_turns: turns,
            flip_h,
            flip_v,
            ..Placement::centred([f64::from(w), f64::from(h)], [f64::from(tw), f64::from(th)])
        };
        let got = render(
            &gpu,
            &pipeline,
            &image,
            &uniforms_for(&case, placement.to_clip()),
            tw,
            th,
        );
        let inv = placement.to_screen().inverse().expect("invertible");
        let mut expected = Vec::with_capacity(got.len());
        for ty in 0..th {
            for tx in 0..tw {
                let p = inv.apply([f64::from(tx) + 0.5, f64::from(ty) + 0.5]);
                let (c, r) = (p[0].floor() as usize, p[1].floor() as usize);
                let g = cpu[r * w as usize + c];
                expected.extend_from_slice(&[g, g, g, 255]);
            }
        }
        let (max, ones) = compare(&got, &expected);
        println!("turns {turns} flip_h {flip_h} flip_v {flip_v}: max diff {max}, {ones} off by 1");
        assert!(
            max <= 1,
            "turns {turns} flip_h {flip_h} flip_v {flip_v}: max diff {max}"
        );
    }
}

/// Bilinear zoom: at zoom 2 each target pixel centre falls a quarter texel off the texel
/// centres, so the weights are exact; the CPU interpolates stored values the same way
/// (padding neighbours dropped, padding under the point black) and windows in f64.
#[test]
fn bilinear_zoom_matches_cpu_interpolation() {
    let gpu = gpu();
    let (w, h, zoom) = (64u32, 48u32, 2u32);
    let (tw, th) = (w * zoom, h * zoom);
    let pad = -5.0f32;
    let stored: Vec<f32> = (0..w * h)
        .map(|i| {
            if i % 37 == 0 {
                pad
            } else {
                ((i * 40_503) % 2000) as f32
            }
        })
        .collect();
    let window = Window {
        center: 900.0,
        width: 1700.0,
        function: VoiFunction::Linear,
    };
    let case = GreyCase {
        name: String::new(),
        slope: 1.0,
        intercept: -24.0,
        voi: Voi::Window(window),
        invert: false,
        padding: Some(pad),
        interpolation: Interpolation::Bilinear,
    };
    let pipeline = ImagePipeline::new(&gpu.device, wgpu::TextureFormat::Rgba8Unorm);
    let mut image = GpuImage::new(&gpu.device, &pipeline);
    image
        .upload_grey(&gpu.device, &gpu.queue, w, h, &stored)
        .expect("upload");
    let size = ([f64::from(w), f64::from(h)], [f64::from(tw), f64::from(th)]);
    let xform = Placement {
        zoom: f64::from(zoom),
        ..Placement::centred(size.0, size.1)
    }
    .to_clip();
    let got = render(&gpu, &pipeline, &image, &uniforms_for(&case, xform), tw, th);

    let at = |c: i64, r: i64| {
        let c = c.clamp(0, i64::from(w) - 1) as usize;
        let r = r.clamp(0, i64::from(h) - 1) as usize;
        stored[r * w as usize + c]
    };
    let mut expected = Vec::with_capacity(got.len());
    for ty in 0..th {
        for tx in 0..tw {
            let p = [
                (f64::from(tx) + 0.5) / f64::from(zoom),
                (f64::from(ty) + 0.5) / f64::from(zoom),
            ];
            let g = if at(p[0].floor() as i64, p[1].floor() as i64) == pad {
                0
            } else {
                let q = [p[0] - 0.5, p[1] - 0.5];
                let (c0, r0) = (q[0].floor(), q[1].floor());
                let (fx, fy) = (q[0] - c0, q[1] - r0);
                let (c0, r0) = (c0 as i64, r0 as i64);
                let taps = [
                    (at(c0, r0), (1.0 - fx) * (1.0 - fy)),
                    (at(c0 + 1, r0), fx * (1.0 - fy)),
                    (at(c0, r0 + 1), (1.0 - fx) * fy),
                    (at(c0 + 1, r0 + 1), fx * fy),
                ];
                let (sum, total) = taps
                    .iter()
                    .filter(|(s, _)| *s != pad)
                    .fold((0.0, 0.0), |(sum, total), (s, k)| {
                        (sum + f64::from(*s) * k, total + k)
                    });
                let s = sum / total;
                let y = window_value(s * case.slope + case.intercept, &window, 0.0, 255.0);
                y.round().clamp(0.0, 255.0) as u8
            };
            expected.extend_from_slice(&[g, g, g, 255]);
        }
    }
    let (max, ones) = compare(&got, &expected);
    println!("bilinear zoom 2 with padding: max diff {max}, {ones} pixels off by 1");
    assert!(max <= 1, "bilinear zoom 2: max diff {max}");
}
