//! Dataset speed (issue 14's targets): agreement over 10,000 shape pairs (≤ 2 s), and
//! the study facts, description and a stratified split of 1,000,000 instances
//! (≤ 2 s). Hand-made in memory, no files.
//!
//! `cargo bench --bench dataset_speed` (prints a table; not a test). No peer tool does
//! this on a DICOM release, so the numbers are absolute; compare runs on one machine.

mod common;

use common::best;

use lightbox::agreement::{Options, Project, compare};
use lightbox::annotate::files::frames::{FrameInfo, FrameInfos};
use lightbox::annotate::shape::{Grade, Shape, ShapeImage, ShapeKind};
use lightbox::dataset::describe::describe;
use lightbox::dataset::facts::study_facts;
use lightbox::dataset::split::split;
use lightbox::index::{Index, Instance};
use lightbox::measure::{PixelSpacing, SpacingSource};
use lightbox::release::ReleaseLayout;

/// A 48-vertex circle of radius `r` pixels about `(x, y)`.
fn circle(x: f64, y: f64, r: f64) -> Vec<[f64; 2]> {
    (0..48)
        .map(|k| {
            let t = std::f64::consts::TAU * f64::from(k) / 48.0;
            [x + r * t.cos(), y + r * t.sin()]
        })
        .collect()
}

/// 10,000 frames of 512 × 512 at 0.7 mm (100 axial series of 100 slices 1.25 mm
/// apart, two studies per patient), each with one reference and one test lesion of
/// radius 12–30 pixels, the test's moved 2 pixels and scored like a model's.
fn agreement_case() -> Project {
    let mut frames = FrameInfos::new();
    let mut shapes = Vec::new();
    for i in 0..10_000u32 {
        let sop_uid = format!("1.2.3.{i}");
        frames.insert(FrameInfo {
            rows: 512,
            cols: 512,
            frames: 1,
            spacing: PixelSpacing {
                row_mm: 0.7,
                col_mm: 0.7,
                source: SpacingSource::PixelSpacing,
            },
            position_mm: Some([0.0, 0.0, 1.25 * f64::from(i % 100)]),
            orientation: Some([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
            study_uid: format!("1.2.{}", i / 100),
            series_uid: format!("1.2.{}.1", i / 100),
            sop_uid: sop_uid.clone(),
            file_name: format!("IM{i:05}.dcm"),
            rel_dir: String::new(),
        });
        let r = 12.0 + f64::from(i % 19);
        for (annotator, dx) in [("reader-a", 0.0), ("reader-b", 2.0)] {
            shapes.push(Shape {
                id: format!("{annotator}-{i}"),
                kind: ShapeKind::Polygon,
                label: "nodule".into(),
                image: ShapeImage {
                    study_uid: format!("1.2.{}", i / 100),
                    series_uid: format!("1.2.{}.1", i / 100),
                    sop_uid: sop_uid.clone(),
                    file_name: format!("IM{i:05}.dcm"),
                    frame: 1,
                },
                points: circle(256.0 + dx, 256.0, r),
                grade: Grade::Medium,
                score: (dx > 0.0).then(|| 0.3 + f64::from(i % 13) / 20.0),
                source: None,
                source_parameters: Default::default(),
                note: String::new(),
                annotator: annotator.into(),
                created: String::new(),
                modified: String::new(),
            });
        }
    }
    let patients = (0..100).map(|s| (format!("1.2.{s}"), format!("P{}", s / 2)));
    Project {
        shapes,
        frames,
        patients: patients.collect(),
        ..Project::default()
    }
}

/// One instance of a hand-made release.
fn instance(patient: usize, study: usize, series: usize, image: usize) -> Instance {
    let study_uid = format!("1.2.{patient}.{study}");
    let series_uid = format!("{study_uid}.{series}");
    Instance {
        path: format!("/r/{series_uid}/{image}.dcm").into(),
        file_name: format!("IM{image:04}.dcm"),
        file_size: 525_000,
        mtime_ns: 0,
        transfer_syntax: "1.2.840.10008.1.2.1".into(),
        sop_class_uid: "1.2.840.10008.5.1.4.1.1.2".into(),
        sop_uid: format!("{series_uid}.{image}"),
        number: Some(image as i64),
        frames: 1,
        rows: 512,
        cols: 512,
        samples_per_pixel: 1,
        bits_allocated: 16,
        photometric: Some("MONOCHROME2".into()),
        patient_id: format!("P{patient:06}"),
        patient_sex: Some(if patient.is_multiple_of(2) { "M" } else { "F" }.into()),
        patient_age: Some(format!("{:03}Y", 20 + patient % 70)),
        study_uid,
        study_date: None,
        study_time: None,
        study_description: None,
        accession_number: None,
        series_uid,
        series_number: Some(series as i64),
        series_description: None,
        series_date: None,
        modality: Some(["CT", "MR", "CR"][patient % 3].into()),
        body_part: None,
        protocol_name: None,
        content_date: None,
        pixel_spacing_mm: Some([0.7, 0.7]),
        imager_pixel_spacing_mm: None,
        slice_thickness_mm: None,
        slice_location_mm: None,
        position_mm: None,
        orientation: None,
        frame_of_reference_uid: None,
        manufacturer: Some("ACME".into()),
        model_name: Some(format!("Scanner {}", patient % 4)),
        identity_removed: None,
        deidentification_method: None,
        burned_in_annotation: None,
        warnings: Vec::new(),
    }
}

/// 10,000 patients × 2 studies × 2 series × 25 images = 1,000,000 instances.
fn big_index() -> Index {
    let mut instances = Vec::with_capacity(1_000_000);
    for p in 0..10_000 {
        for st in 0..2 {
            for se in 0..2 {
                for im in 0..25 {
                    instances.push(instance(p, st, se, im));
                }
            }
        }
    }
    Index {
        root: "/r".into(),
        layout: ReleaseLayout::Plain,
        scan_dir: "/r".into(),
        files_scanned: instances.len(),
        files_from_cache: 0,
        patients: lightbox::index::tree::build(instances),
        problems: Vec::new(),
        skipped: Vec::new(),
        cache_warning: None,
    }
}

fn main() {
    let project = agreement_case();
    let (t_agree, g) = best(3, || {
        compare(
            &project.inputs(),
            "reader-a",
            "reader-b",
            Options::default(),
        )
        .expect("compare")
    });
    println!(
        "agreement, 10,000 scored shape pairs on 512 x 512 (100 series in 3-D, AP, FROC, \
         AUC, 1000 bootstrap replicates): {:.2} s (target 2 s); mean Dice {:.3}, TP {}, \
         AP {:.3}, {} series",
        t_agree.as_secs_f64(),
        g.segmentation.dice_mean.unwrap_or_default(),
        g.detection.tp,
        g.detection.ap.and_then(|a| a.ap).unwrap_or_default(),
        g.segmentation.per_series.len()
    );
    let index = big_index();
    let (t_facts, facts) = best(3, || study_facts(&index, None, &[]));
    let (t_describe, d) = best(3, || describe(&facts));
    let strata = vec!["sex".to_owned(), "modality".to_owned()];
    let (t_split, s) = best(3, || {
        split(&facts, [0.7, 0.15, 0.15], &strata, 1).expect("split")
    });
    println!(
        "1,000,000 instances ({} studies): facts {:.2} s + describe {:.2} s + split {:.2} s = {:.2} s (target 2 s); {} images described, {} strata",
        d.studies,
        t_facts.as_secs_f64(),
        t_describe.as_secs_f64(),
        t_split.as_secs_f64(),
        (t_facts + t_describe + t_split).as_secs_f64(),
        d.images,
        s.strata.len()
    );
}
