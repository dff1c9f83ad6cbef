//! Annotation speed (issue 5: 5,000 polygons of 50 vertices on one series, panning and
//! editing without a visible stall; issue 15: 5,000 on one slice at p99 ≤ 8 ms of UI CPU
//! a frame).
//!
//! Per-frame UI CPU cost of the viewport's annotation layer: an egui pass that hit-tests
//! the pointer and paints the shapes, egui's tessellation of what was painted, and the
//! submission of the frame to a headless wgpu device (egui-wgpu's buffers and the paint
//! callbacks' `prepare`, where the shape layer uploads its segments when they changed).
//! Waiting for the GPU is not counted: the UI thread does not wait for it. The view pans
//! by a few points every frame. Cases: no shapes (the baseline), the series spread as
//! annotators draw it (50 shapes on each of 100 slices), the worst case (all 5,000 on the
//! slice shown), the worst case changing every frame (segments rebuilt and uploaded each
//! time) and, as the reference for the ratio, the 5,000 outlines given to egui as lines
//! (how the viewer painted them before the GPU layer). And the cost of one edit: one
//! vertex drag stored as one command (SQLite, `synchronous = FULL`) into a project
//! already holding the 5,000 shapes.
//!
//! `cargo bench --bench annotation_speed` prints p50/p99 and the ratios.

use std::time::{Duration, Instant};

use eframe::egui_wgpu;
use lightbox::annotate::{Grade, ImageKey, Shape, ShapeImage, ShapeKind};
use lightbox::gui::annotate_tool::{AnnotationView, ShapeLayerResources, viewport_annotations};
use lightbox::gui::gpu::{Affine2, Placement};
use lightbox::gui::measure_tool::Tool;
use lightbox::measure::PixelSpacing;
use lightbox::review::{ImageRef, ReleaseImages, ReviewSession};

const SLICES: usize = 100;
const SHAPES: usize = 5_000;
const VERTICES: usize = 50;
const FRAMES: usize = 300;

#[path = "../tests/common/gpu.rs"]
mod gpu;

/// A star-ish polygon of `VERTICES` vertices around (cx, cy), deterministic.
fn polygon(n: usize, slice: usize) -> Shape {
    let cx = 20.0 + (n * 37 % 470) as f64;
    let cy = 20.0 + (n * 91 % 470) as f64;
    let points = (0..VERTICES)
        .map(|k| {
            let t = k as f64 / VERTICES as f64 * std::f64::consts::TAU;
            let r = 8.0 + 3.0 * ((k * 7 + n) % 5) as f64 / 4.0;
            [cx + r * t.cos(), cy + r * t.sin()]
        })
        .collect();
    Shape {
        id: format!("s{n:05}"),
        kind: ShapeKind::Polygon,
        label: "nodule".into(),
        image: ShapeImage {
            study_uid: "1.2".into(),
            series_uid: "1.2.3".into(),
            sop_uid: format!("1.2.3.{slice}"),
            file_name: format!("IM{slice:04}.dcm"),
            frame: 1,
        },
        points,
        grade: Grade::Low,
        score: None,
        source: None,
        source_parameters: Default::default(),
        note: String::new(),
        annotator: "bench".into(),
        created: "2026-11-21T00:00:00Z".into(),
        modified: "2026-11-21T00:00:00Z".into(),
    }
}

/// The release the shapes are on: one series of `SLICES` images.
fn release() -> ReleaseImages {
    ReleaseImages::new(
        Some("20210407_102537".into()),
        (0..SLICES)
            .map(|i| ImageRef {
                study_uid: "1.2".into(),
                series_uid: "1.2.3".into(),
                sop_uid: format!("1.2.3.{i}"),
                file_name: format!("IM{i:04}.dcm"),
                bytes: 1000,
                modality: Some("CT".into()),
                body_part: None,
            })
            .collect(),
    )
}

/// p50 and p99 of per-frame times, in ms.
fn percentiles(mut t: Vec<Duration>) -> (f64, f64) {
    t.sort();
    let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.99))
}

/// What a frame paints the shapes with.
#[derive(Clone, Copy, PartialEq)]
enum Painting {
    /// The viewer: outlines through the GPU shape layer, uploaded when they change.
    Viewer,
    /// The viewer, with the shapes changing every frame (an edit each frame: the
    /// segments are rebuilt and uploaded every time; the worst case).
    ViewerEditing,
    /// What the viewer did before the GPU layer: every outline given to egui, which
    /// tessellates it every frame. The reference the ratio is taken to.
    EguiLines,
}

/// The viewer's GPU side for the bench: a headless device (lavapipe will do), egui's
/// renderer with the viewer's shape layer, and a 900×900 target.
struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    renderer: egui_wgpu::Renderer,
    target: wgpu::TextureView,
}

const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Bgra8Unorm;
const SIDE: u32 = 900;

impl Gpu {
    fn new() -> Self {
        let gpu::Gpu {
            device,
            queue,
            adapter,
        } = gpu::gpu();
        println!("GPU: {} ({:?})", adapter.name, adapter.backend);
        let mut renderer = egui_wgpu::Renderer::new(&device, FORMAT, Default::default());
        renderer
            .callback_resources
            .insert(ShapeLayerResources::new(&device, FORMAT));
        let target = device
            .create_texture(&wgpu::TextureDescriptor {
                label: Some("bench target"),
                size: wgpu::Extent3d {
                    width: SIDE,
                    height: SIDE,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: FORMAT,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                view_formats: &[],
            })
            .create_view(&Default::default());
        Self {
            device,
            queue,
            renderer,
            target,
        }
    }

    /// What the UI thread does to get a frame to the GPU: textures, egui's buffers and
    /// the paint callbacks' `prepare`, the render pass recorded and submitted.
    fn submit(&mut self, output: egui::FullOutput, primitives: &[egui::ClippedPrimitive]) {
        for (id, deltas) in &output.textures_delta.set {
            for delta in deltas {
                self.renderer
                    .update_texture(&self.device, &self.queue, *id, delta);
            }
        }
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [SIDE, SIDE],
            pixels_per_point: 1.0,
        };
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
        let prepared = self.renderer.update_buffers(
            &self.device,
            &self.queue,
            &mut encoder,
            primitives,
            &screen,
        );
        {
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("bench frame"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &self.target,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    depth_stencil_attachment: None,
                    timestamp_writes: None,
                    occlusion_query_set: None,
                    multiview_mask: None,
                })
                .forget_lifetime();
            self.renderer.render(&mut pass, primitives, &screen);
        }
        self.queue
            .submit(prepared.into_iter().chain([encoder.finish()]));
    }

    /// Waits for the GPU (not timed: the UI thread does not wait for it either).
    fn wait(&self) {
        let _ = self.device.poll(wgpu::PollType::wait_indefinitely());
    }
}

/// Per-frame UI CPU time of painting `shapes` in a 900×900 viewport, panning: the egui
/// pass, its tessellation and the submission of the frame to the GPU.
fn frame_times(gpu: &mut Gpu, shapes: &[Shape], painting: Painting) -> Vec<Duration> {
    let ctx = egui::Context::default();
    let labels = lightbox::annotate::LabelSet::default();
    let mut times = Vec::with_capacity(FRAMES);
    for frame in 0..FRAMES + 20 {
        let start = Instant::now();
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(SIDE as f32, SIDE as f32),
            )),
            ..Default::default()
        };
        let pan = (frame % 40) as f64 * 3.0;
        let output = ctx.run_ui(input, |ui| {
            let rect = ui.max_rect();
            let response = ui.interact(
                rect,
                ui.scope_id().with("vp"),
                egui::Sense::click_and_drag(),
            );
            let to_screen = Placement {
                zoom: 1.7,
                pan_px: [pan, -pan],
                ..Placement::centred([512.0, 512.0], [f64::from(SIDE), f64::from(SIDE)])
            }
            .to_screen();
            if painting == Painting::EguiLines {
                paint_with_egui(ui, rect, &to_screen, shapes);
                return;
            }
            let view = AnnotationView {
                shapes: shapes.iter().collect(),
                revision: if painting == Painting::ViewerEditing {
                    frame as u64
                } else {
                    0
                },
                labels: &labels,
                selection: None,
                draw_label: "nodule",
                annotator: "bench",
                image: None,
                spacing: PixelSpacing::UNCALIBRATED,
                freehand_tolerance_mm: 0.2,
                segment_window: None,
                segment_three_d: false,
                brush_radius_mm: 3.0,
                seeds: None,
                display: None,
            };
            let commands =
                viewport_annotations(ui, &response, rect, Tool::EditShapes, &to_screen, &view);
            std::hint::black_box(commands);
        });
        let primitives = ctx.tessellate(output.shapes.clone(), output.pixels_per_point);
        gpu.submit(output, &primitives);
        let elapsed = start.elapsed();
        gpu.wait();
        if frame >= 20 {
            times.push(elapsed);
        }
    }
    times
}

/// The outlines as egui lines, as the viewer painted them before the GPU layer.
fn paint_with_egui(ui: &egui::Ui, rect: egui::Rect, to_screen: &Affine2, shapes: &[Shape]) {
    let painter = ui.painter_at(rect);
    let stroke = egui::Stroke::new(1.5, egui::Color32::from_rgb(230, 60, 60));
    for shape in shapes {
        let ring: Vec<egui::Pos2> = shape
            .points
            .iter()
            .map(|p| {
                let [x, y] = to_screen.apply(*p);
                rect.min + egui::vec2(x as f32, y as f32)
            })
            .collect();
        painter.add(egui::Shape::closed_line(ring, stroke));
    }
}

fn main() {
    let all: Vec<Shape> = (0..SHAPES).map(|n| polygon(n, n % SLICES)).collect();
    let spread: Vec<Shape> = all
        .iter()
        .filter(|s| s.image.sop_uid == "1.2.3.7")
        .cloned()
        .collect();
    let one_slice: Vec<Shape> = (0..SHAPES).map(|n| polygon(n, 7)).collect();

    let mut gpu = Gpu::new();
    let (b50, b99) = percentiles(frame_times(&mut gpu, &[], Painting::Viewer));
    let (s50, s99) = percentiles(frame_times(&mut gpu, &spread, Painting::Viewer));
    let (w50, w99) = percentiles(frame_times(&mut gpu, &one_slice, Painting::Viewer));
    let (e50, e99) = percentiles(frame_times(&mut gpu, &one_slice, Painting::ViewerEditing));
    let (g50, g99) = percentiles(frame_times(&mut gpu, &one_slice, Painting::EguiLines));
    println!(
        "annotation layer, per-frame UI CPU (egui pass + tessellation + GPU submission), {FRAMES} frames, panning:"
    );
    println!("  no shapes                        p50 {b50:7.3} ms  p99 {b99:7.3} ms");
    println!(
        "  {} shapes on the slice (of {SHAPES} on {SLICES} slices)  p50 {s50:7.3} ms  p99 {s99:7.3} ms  ({:.1}x baseline p99)",
        spread.len(),
        s99 / b99
    );
    println!(
        "  {SHAPES} shapes on one slice (worst)  p50 {w50:7.3} ms  p99 {w99:7.3} ms  ({:.1}x baseline p99)",
        w99 / b99
    );
    println!(
        "  {SHAPES} shapes, changed every frame    p50 {e50:7.3} ms  p99 {e99:7.3} ms  (segments rebuilt and uploaded)"
    );
    println!(
        "  {SHAPES} shapes as egui lines (before)  p50 {g50:7.3} ms  p99 {g99:7.3} ms  (GPU layer is {:.0}x faster at p99)",
        g99 / w99
    );

    // One edit = one stored command, into a project holding all 5,000 shapes.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.lightbox.sqlite");
    let (mut session, _) = ReviewSession::open(release(), &path, "bench").expect("open store");
    let load = Instant::now();
    let cmd = session.shapes_command(
        "load",
        all.iter()
            .map(|s| (s.id.clone(), Some(s.clone())))
            .collect(),
    );
    session.apply(&cmd).expect("store 5,000 shapes");
    let load_ms = load.elapsed().as_secs_f64() * 1e3;
    let key = ImageKey {
        sop_uid: "1.2.3.7".into(),
        frame: 1,
    };
    let mut edits = Vec::new();
    for k in 0..200 {
        let Some(mut shape) = session.annotations().on_frame(&key).next().cloned() else {
            break;
        };
        shape.points[k % VERTICES][0] += 0.5;
        let start = Instant::now();
        let cmd = session.shapes_command("edit vertex", vec![(shape.id.clone(), Some(shape))]);
        session.apply(&cmd).expect("store the edit");
        edits.push(start.elapsed());
    }
    let (e50, e99) = percentiles(edits);
    println!("storing 5,000 shapes in one command: {load_ms:.0} ms");
    println!("one vertex drag stored (200 edits): p50 {e50:.2} ms  p99 {e99:.2} ms");
    let reopen = Instant::now();
    drop(session);
    let (session, _) = ReviewSession::open(release(), &path, "bench").expect("reopen");
    println!(
        "reopening the project with {} shapes: {:.0} ms",
        session.annotations().len(),
        reopen.elapsed().as_secs_f64() * 1e3
    );
}
