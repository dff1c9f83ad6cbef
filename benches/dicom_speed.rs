//! DICOM object speed (issue 16 target: SEG export of 1,000 shapes over a 300-slice
//! series ≤ 1 s), on the 300-slice 512×512 CT that `viewer_speed` makes with `synth`
//! (`target/bench-data/ct300`, made here if missing). The reference in the same run is
//! the mask PNG export of the same shapes (one PNG per frame and label), so the ratio
//! says what the DICOM encoding costs over rasterising and writing the masks.
//!
//! `cargo bench --bench dicom_speed` (prints a table; not a test).

#[path = "common/mod.rs"]
mod common;

use lightbox::annotate::files::{FrameInfos, dicom_seg, masks};
use lightbox::annotate::{Grade, LabelSet, Shape, ShapeImage, ShapeKind};

const SHAPES: usize = 1_000;
const VERTICES: usize = 50;

fn main() {
    let (dir, index) = common::ct300();
    let series = common::ct300_series(&dir, &index);
    let labels = LabelSet::default();
    let names = ["nodule", "mass", "consolidation"];
    let shapes: Vec<Shape> = (0..SHAPES)
        .map(|n| {
            let instance = &series.instances[n * 7 % series.instances.len()];
            let (cx, cy) = (40.0 + (n * 37 % 430) as f64, 40.0 + (n * 91 % 430) as f64);
            Shape {
                id: format!("s{n:05}"),
                kind: ShapeKind::Polygon,
                label: names[n % names.len()].into(),
                image: ShapeImage {
                    study_uid: instance.study_uid.clone(),
                    series_uid: instance.series_uid.clone(),
                    sop_uid: instance.sop_uid.clone(),
                    file_name: instance.file_name.clone(),
                    frame: 1,
                },
                points: (0..VERTICES)
                    .map(|k| {
                        let t = k as f64 / VERTICES as f64 * std::f64::consts::TAU;
                        let r = 12.0 + 4.0 * ((k * 7 + n) % 5) as f64 / 4.0;
                        [cx + r * t.cos(), cy + r * t.sin()]
                    })
                    .collect(),
                grade: Grade::None,
                score: None,
                source: None,
                source_parameters: Default::default(),
                note: String::new(),
                annotator: "bench".into(),
                created: String::new(),
                modified: String::new(),
            }
        })
        .collect();
    let out = tempfile::tempdir().expect("temp dir");
    let (seg, files) = common::best(3, || {
        let dir = out.path().join("seg");
        dicom_seg::write_dir(&dir, &index, &labels, &shapes).expect("SEG export")
    });
    let size = std::fs::metadata(&files[0]).map_or(0, |m| m.len());
    let frames = FrameInfos::from_index(&index);
    let (png, written) = common::best(3, || {
        let dir = out.path().join("masks");
        masks::write_dir(&dir, &shapes, &frames).expect("mask export")
    });
    println!(
        "{SHAPES} polygons of {VERTICES} vertices over a {}-slice {}×{} series:",
        series.instances.len(),
        series.instances[0].cols,
        series.instances[0].rows
    );
    println!(
        "  DICOM SEG export        {:8.1} ms  (1 file, {:.1} MB; target 1 s)",
        seg.as_secs_f64() * 1e3,
        size as f64 / 1e6
    );
    println!(
        "  mask PNG export         {:8.1} ms  ({} files)",
        png.as_secs_f64() * 1e3,
        written.len()
    );
    println!(
        "  SEG / PNG masks         {:8.2}x",
        seg.as_secs_f64() / png.as_secs_f64()
    );
}
