//! Annotation speed (issue 5 target: 5,000 polygons of 50 vertices on one series,
//! panning and editing without a visible stall).
//!
//! Per-frame CPU cost of the viewport's annotation layer: an egui pass that maps the
//! frame's shapes to the screen, hit-tests the pointer and paints them, plus egui's
//! tessellation of what was painted (the CPU work before the GPU). The view pans by a
//! few points every frame, so nothing can be cached between frames. Three cases:
//! no shapes (the baseline), the series spread as annotators draw it (50 shapes on
//! each of 100 slices) and the worst case (all 5,000 on the slice shown). And the
//! cost of one edit: one vertex drag stored as one command (SQLite, `synchronous =
//! FULL`) into a project already holding the 5,000 shapes.
//!
//! `cargo bench --bench annotation_speed` prints p50/p99 and the ratios to the baseline.

use std::time::{Duration, Instant};

use lightbox::annotate::{Grade, ImageKey, Shape, ShapeImage, ShapeKind};
use lightbox::gui::annotate_tool::{AnnotationView, viewport_annotations};
use lightbox::gui::gpu::Placement;
use lightbox::gui::measure_tool::Tool;
use lightbox::measure::PixelSpacing;
use lightbox::review::{ImageRef, ReleaseImages, ReviewSession};

const SLICES: usize = 100;
const SHAPES: usize = 5_000;
const VERTICES: usize = 50;
const FRAMES: usize = 300;

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

/// Per-frame CPU time of painting `shapes` in a 900×900 viewport, panning.
fn frame_times(shapes: &[Shape]) -> Vec<Duration> {
    let ctx = egui::Context::default();
    let labels = lightbox::annotate::LabelSet::default();
    let mut times = Vec::with_capacity(FRAMES);
    for frame in 0..FRAMES + 20 {
        let start = Instant::now();
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(900.0, 900.0),
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
                ..Placement::centred([512.0, 512.0], [900.0, 900.0])
            }
            .to_screen();
            let view = AnnotationView {
                shapes: shapes.iter().collect(),
                labels: &labels,
                selection: None,
                draw_label: "nodule",
                annotator: "bench",
                image: None,
                spacing: PixelSpacing::UNCALIBRATED,
                freehand_tolerance_mm: 0.2,
                segment_window: None,
                segment_three_d: false,
            };
            let commands =
                viewport_annotations(ui, &response, rect, Tool::EditShapes, &to_screen, &view);
            std::hint::black_box(commands);
        });
        let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
        std::hint::black_box(primitives);
        if frame >= 20 {
            times.push(start.elapsed());
        }
    }
    times
}

fn main() {
    let all: Vec<Shape> = (0..SHAPES).map(|n| polygon(n, n % SLICES)).collect();
    let spread: Vec<Shape> = all
        .iter()
        .filter(|s| s.image.sop_uid == "1.2.3.7")
        .cloned()
        .collect();
    let one_slice: Vec<Shape> = (0..SHAPES).map(|n| polygon(n, 7)).collect();

    let (b50, b99) = percentiles(frame_times(&[]));
    let (s50, s99) = percentiles(frame_times(&spread));
    let (w50, w99) = percentiles(frame_times(&one_slice));
    println!(
        "annotation layer, per-frame CPU (egui pass + tessellation), {FRAMES} frames, panning:"
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
