//! Annotation files against their reference readers, on the bundled sample release.
//!
//! `sample-data/annotations/example.json` is a radiologist-style example in our format
//! for the sample release; [`example_shapes`] makes it, and a test keeps the committed
//! file equal to what it makes (regenerate with `LIGHTBOX_WRITE_EXAMPLE=1 cargo test
//! --test annotation_formats example_file`, the one time a test writes into
//! `sample-data/`). Its shapes are exported to every format, then
//! `tests/annotation/check_formats.py` reads the exports with the reference
//! implementations: pycocotools (COCO masks and keypoints), labelme (`LabelFile` and
//! `shape_to_mask`) and jsonschema (our JSON against
//! `assets/schema/lightbox-annotations-v1.schema.json`). The venv is
//! `target/annotation-venv` (or `$LIGHTBOX_ANNOTATION_VENV`), from the pins of
//! `tests/annotation/requirements.txt` and `requirements-formats.txt`; without Python
//! or PyPI on first use the test fails with the fix. labelme imports PyQt5's QtGui,
//! which needs `libGL.so.1` (Debian: `libgl1`), though no window is opened.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::python::{require_success, run};
use common::{lightbox_ok, repo, s};
use lightbox::annotate::files::{
    FrameInfo, FrameInfos, coco, labelme, lightbox_json, masks, merge::merge,
};
use lightbox::annotate::{Grade, LabelSet, Measurements, Shape, ShapeImage, ShapeKind};
use lightbox::index::{Index, Instance, ScanOptions, Series};
use serde_json::{Value, json};

/// The committed example, relative to the repository.
const EXAMPLE: &str = "sample-data/annotations/example.json";

/// The sample release, scanned without touching any cache.
fn sample_index() -> Index {
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    Index::open(&repo().join("sample-data"), &options, &|_| {}).expect("scan sample-data")
}

/// The series `series` of the study described as `study`.
fn series<'a>(index: &'a Index, study: &str, series: &str) -> &'a Series {
    index
        .studies()
        .filter(|st| st.description.as_deref() == Some(study))
        .flat_map(|st| &st.series)
        .find(|se| se.description.as_deref() == Some(series))
        .unwrap_or_else(|| panic!("sample has {study} / {series}"))
}

/// A stable UUID-shaped id for example shape `n` (FNV-1a, then SplitMix64's
/// finaliser to spread the bits; no randomness).
fn example_id(n: u32) -> String {
    let hash = |seed: u64| {
        let mut h = format!("example-shape-{n}").bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^ (h >> 31)
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A ring of `n` vertices around `centre` with radii `r` (x, y), each vertex's radius
/// scaled by `1 + wobble · w` with `w` in [-1, 1] from a fixed sequence; rounded to
/// 1/100 pixel, as a traced outline.
fn ring(centre: [f64; 2], r: [f64; 2], n: u32, wobble: f64, seed: u32) -> Vec<[f64; 2]> {
    let mut state = u64::from(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|k| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let w = (state % 2001) as f64 / 1000.0 - 1.0;
            let a = std::f64::consts::TAU * f64::from(k) / f64::from(n);
            let f = 1.0 + wobble * w;
            let round = |v: f64| (v * 100.0).round() / 100.0;
            [
                round(centre[0] + r[0] * f * a.cos()),
                round(centre[1] + r[1] * f * a.sin()),
            ]
        })
        .collect()
}

/// Image point of patient (x, y) mm on an axial slice.
fn axial_point(inst: &Instance, x_mm: f64, y_mm: f64) -> [f64; 2] {
    let p = inst.position_mm.expect("CT has a position");
    let [row_mm, col_mm] = inst.pixel_spacing_mm.expect("CT has pixel spacing");
    assert_eq!(
        inst.orientation,
        Some([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
        "axial"
    );
    [0.5 + (x_mm - p[0]) / col_mm, 0.5 + (y_mm - p[1]) / row_mm]
}

/// The example's shapes, placed on the sample release's synthetic anatomy
/// (`app/synth/phantom.rs`): the chest CT's nodule at patient (-70, -10) mm, phantom
/// z 12 mm (slice z = Image Position z + 100), radius 6 mm at baseline and 9 mm at
/// follow-up; the vertebral body at (0, 75) mm; the CR's right lung; the ultrasound's
/// vessel.
fn example_shapes(index: &Index) -> Vec<Shape> {
    let mut n = 0;
    let mut shapes = Vec::new();
    let mut add = |inst: &Instance,
                   frame: u32,
                   kind: ShapeKind,
                   label: &str,
                   points: Vec<[f64; 2]>,
                   grade: Grade,
                   note: &str,
                   annotator: &str,
                   created: &str,
                   modified: &str| {
        n += 1;
        shapes.push(Shape {
            id: example_id(n),
            kind,
            label: label.into(),
            image: ShapeImage {
                study_uid: inst.study_uid.clone(),
                series_uid: inst.series_uid.clone(),
                sop_uid: inst.sop_uid.clone(),
                file_name: inst.file_name.clone(),
                frame,
            },
            points,
            grade,
            score: None,
            source: None,
            source_parameters: Default::default(),
            note: note.into(),
            annotator: annotator.into(),
            created: created.into(),
            modified: modified.into(),
        });
    };
    let (chen, okafor) = ("dr.chen", "dr.okafor");
    let nodule = |inst: &Instance, radius_mm: f64| {
        let z = inst.position_mm.expect("position")[2] + 100.0;
        let dz = z - 12.0;
        let r_mm = (radius_mm * radius_mm - dz * dz).max(0.0).sqrt();
        (axial_point(inst, -70.0, -10.0), r_mm / 1.4)
    };

    // Follow-up CT: the 9 mm nodule on the three slices it crosses, outlined by Dr Chen.
    let follow = series(index, "CT CHEST FOLLOW-UP", "CHEST 5mm");
    let on_nodule: Vec<&Instance> = follow
        .instances
        .iter()
        .filter(|i| nodule(i, 9.0).1 > 3.0)
        .collect();
    assert_eq!(
        on_nodule.len(),
        3,
        "the 9 mm nodule crosses 3 slices of 5 mm"
    );
    let notes = [
        "RUL nodule, cranial pole",
        "Solid RUL nodule, 18 x 18 mm, grown from 12 mm on 2020-03-02. Lung-RADS 4B: PET-CT or tissue sampling.",
        "RUL nodule, caudal pole",
    ];
    for (k, inst) in on_nodule.iter().enumerate() {
        let (c, r) = nodule(inst, 9.0);
        let created = format!("2021-04-12T09:{:02}:{:02}Z", 14 + 2 * k, 3 + 17 * k);
        if k == 1 {
            // The largest section: clicked vertex by vertex.
            add(
                inst,
                1,
                ShapeKind::Polygon,
                "nodule",
                ring(c, [r + 0.6, r + 0.6], 12, 0.05, 11),
                Grade::High,
                notes[k],
                chen,
                &created,
                "2021-04-12T09:41:27Z",
            );
            // Dr Okafor's second read of the same section, as an ellipse.
            add(
                inst,
                1,
                ShapeKind::Ellipse,
                "nodule",
                ring(c, [r + 0.8, r + 0.4], 48, 0.0, 0),
                Grade::Medium,
                "Second read: agree solid nodule, smooth margins; grade medium pending PET.",
                okafor,
                "2021-04-13T14:02:41Z",
                "2021-04-13T14:02:41Z",
            );
            // The vertebral body's centre: a reference point for registration.
            add(
                inst,
                1,
                ShapeKind::Point,
                "landmark",
                vec![axial_point(inst, 0.0, 75.0).map(|v| (v * 100.0).round() / 100.0)],
                Grade::None,
                "Vertebral body centre, level of the nodule (registration reference)",
                chen,
                "2021-04-12T09:22:40Z",
                "2021-04-12T09:22:40Z",
            );
        } else {
            add(
                inst,
                1,
                ShapeKind::Freehand,
                "nodule",
                ring(c, [r + 0.6, r + 0.6], 36, 0.04, 20 + k as u32),
                Grade::High,
                notes[k],
                chen,
                &created,
                &created,
            );
        }
    }

    // Baseline CT: the 6 mm nodule on its middle slice.
    let base = series(index, "CT CHEST W/O CONTRAST", "CHEST 5mm");
    let middle = base
        .instances
        .iter()
        .max_by(|a, b| nodule(a, 6.0).1.total_cmp(&nodule(b, 6.0).1))
        .expect("slices");
    let (c, r) = nodule(middle, 6.0);
    add(
        middle,
        1,
        ShapeKind::Freehand,
        "nodule",
        ring(c, [r + 0.6, r + 0.6], 28, 0.05, 31),
        Grade::Low,
        "Solid RUL nodule 12 mm at baseline; Lung-RADS 3, follow-up CT in 6 months.",
        chen,
        "2021-04-12T09:05:12Z",
        "2021-04-12T09:48:55Z",
    );

    // CR chest (512 x 448, 0.8 mm at the detector): right lower zone opacity, and the
    // corner marker.
    let cr = &series(index, "CHEST PA", "CHEST PA").instances[0];
    add(
        cr,
        1,
        ShapeKind::Polygon,
        "consolidation",
        vec![
            [118.42, 305.17],
            [151.93, 297.6],
            [178.25, 311.84],
            [183.6, 338.12],
            [171.08, 362.49],
            [140.77, 369.31],
            [117.35, 356.03],
            [109.86, 331.44],
        ],
        Grade::Medium,
        "Patchy airspace opacity, right lower zone; no effusion. Correlate with infection markers.",
        okafor,
        "2021-04-13T14:10:05Z",
        "2021-04-13T14:12:50Z",
    );
    add(
        cr,
        1,
        ShapeKind::Rectangle,
        "artefact",
        vec![[380.4, 8.3], [436.6, 8.3], [436.6, 30.7], [380.4, 30.7]],
        Grade::None,
        "Side-marker corner; exclude from training crops.",
        okafor,
        "2021-04-13T14:11:31Z",
        "2021-04-13T14:11:31Z",
    );

    // Ultrasound clip (12 frames, 240 x 320): the vessel's colour-Doppler blob, whose
    // centre moves with the frame (phantom: x = 160 + 10 sin(0.4 (frame - 1)), y = 130,
    // radius 22, pixel indices).
    let us = &series(index, "US ABDOMEN", "RUQ CLIP").instances[0];
    let vessel = |frame: u32| [160.5 + 10.0 * (0.4 * f64::from(frame - 1)).sin(), 130.5];
    add(
        us,
        3,
        ShapeKind::Ellipse,
        "other",
        ring(vessel(3), [23.0, 22.5], 40, 0.0, 0),
        Grade::None,
        "Colour-Doppler flow: vessel, not a lesion.",
        okafor,
        "2021-04-13T14:20:18Z",
        "2021-04-13T14:20:18Z",
    );
    add(
        us,
        7,
        ShapeKind::Point,
        "landmark",
        vec![vessel(7).map(|v| (v * 100.0).round() / 100.0)],
        Grade::None,
        "Vessel centre at peak flow",
        chen,
        "2021-04-12T09:55:02Z",
        "2021-04-12T09:56:40Z",
    );
    shapes
}

/// No measurements: the geometry module fills them when the CLI exports.
fn no_measure(_: &Shape) -> Option<Measurements> {
    None
}

#[test]
fn example_file_is_what_the_generator_writes() {
    let index = sample_index();
    let frames = FrameInfos::from_index(&index);
    let path = repo().join(EXAMPLE);
    let text = lightbox_json::to_text(
        &path,
        index.release_id(),
        &LabelSet::default(),
        &example_shapes(&index),
        &frames,
        no_measure,
    )
    .expect("example serialises");
    if std::env::var_os("LIGHTBOX_WRITE_EXAMPLE").is_some() {
        std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
        std::fs::write(&path, &text).expect("write the example");
    }
    let committed = std::fs::read_to_string(&path).expect("the example is committed");
    assert!(
        committed == text,
        "{EXAMPLE} differs from what example_shapes makes; regenerate with LIGHTBOX_WRITE_EXAMPLE=1"
    );
}

#[test]
fn example_covers_every_kind_grade_and_two_annotators() {
    let file = lightbox_json::read(&repo().join(EXAMPLE)).expect("example reads");
    assert_eq!(file.release_id.as_deref(), Some("20210407_102537"));
    let kinds: BTreeSet<&str> = file.shapes.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds.len(), ShapeKind::ALL.len(), "{kinds:?}");
    let grades: BTreeSet<&str> = file.shapes.iter().map(|s| s.grade.as_str()).collect();
    assert_eq!(grades.len(), Grade::ALL.len(), "{grades:?}");
    let annotators: BTreeSet<&str> = file.shapes.iter().map(|s| s.annotator.as_str()).collect();
    assert_eq!(annotators.len(), 2);
    // Nodule outlines on 3 consecutive slices of one CT series.
    let index = sample_index();
    let follow = series(&index, "CT CHEST FOLLOW-UP", "CHEST 5mm");
    let positions: BTreeSet<usize> = file
        .shapes
        .iter()
        .filter(|s| s.label == "nodule")
        .filter_map(|s| {
            follow
                .instances
                .iter()
                .position(|i| i.sop_uid == s.image.sop_uid)
        })
        .collect();
    let positions: Vec<usize> = positions.into_iter().collect();
    assert_eq!(positions.len(), 3, "{positions:?}");
    assert_eq!(positions[2] - positions[0], 2, "consecutive: {positions:?}");
    // A frame after the first of a multi-frame image, and the CR.
    assert!(file.shapes.iter().any(|s| s.image.frame > 1));
    assert!(file.shapes.iter().any(|s| s.label == "consolidation"));
    // Patient points where the geometry allows (CT), none elsewhere (CR at the
    // detector, ultrasound without position).
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join(EXAMPLE)).expect("example"))
            .expect("json");
    for shape in v["shapes"].as_array().expect("shapes") {
        let inst = index
            .instances()
            .find(|i| shape["sop_uid"] == i.sop_uid.as_str())
            .expect("the example's images are the sample's");
        let patient = &shape["points_patient_mm"];
        if inst.modality.as_deref() == Some("CT") {
            assert_eq!(
                patient.as_array().map(Vec::len),
                shape["points"].as_array().map(Vec::len)
            );
        } else {
            assert!(patient.is_null(), "{}", shape["id"]);
        }
        if shape["note"]
            .as_str()
            .is_some_and(|n| n.starts_with("Vertebral"))
        {
            let p = &patient[0];
            let near = |v: &Value, want: f64| (v.as_f64().expect("mm") - want).abs() < 0.01;
            assert!(near(&p[0], 0.0) && near(&p[1], 75.0), "{p}");
        }
    }
}

#[test]
fn example_reads_and_writes_back_to_the_same_bytes() {
    let path = repo().join(EXAMPLE);
    let committed = std::fs::read_to_string(&path).expect("example");
    let file = lightbox_json::read(&path).expect("example reads");
    let frames = FrameInfos::from_index(&sample_index());
    let dir = tempfile::tempdir().expect("tmp");
    let again = dir.path().join("again.json");
    lightbox_json::write(
        &again,
        file.release_id.as_deref(),
        &file.labels,
        &file.shapes,
        &frames,
        no_measure,
    )
    .expect("writes");
    let written = std::fs::read_to_string(&again).expect("written");
    assert!(
        written == committed,
        "write(read(example)) differs from the example"
    );
    // And once more from the copy, in shuffled order: sorting makes it the same.
    let mut shuffled = lightbox_json::read(&again).expect("reads").shapes;
    shuffled.reverse();
    let text = lightbox_json::to_text(
        &again,
        file.release_id.as_deref(),
        &file.labels,
        &shuffled,
        &frames,
        no_measure,
    )
    .expect("writes");
    assert!(text == committed);
}

#[test]
fn a_second_readers_file_merges_without_losing_anyone() {
    let existing = lightbox_json::read(&repo().join(EXAMPLE))
        .expect("example")
        .shapes;
    let frames = FrameInfos::from_index(&sample_index());
    // Dr Okafor's copy: she moved a vertex of her own ellipse, re-graded Dr Chen's
    // polygon on her copy (same id, her name), and added a shape.
    let mut theirs = existing.clone();
    let own = theirs
        .iter_mut()
        .find(|s| s.annotator == "dr.okafor" && s.kind == ShapeKind::Ellipse && s.image.frame == 1)
        .expect("okafor's ellipse");
    own.points[0][0] += 0.75;
    own.modified = "2021-04-14T08:00:00Z".into();
    let own_id = own.id.clone();
    let chens = theirs
        .iter_mut()
        .find(|s| s.kind == ShapeKind::Polygon && s.label == "nodule")
        .expect("chen's polygon");
    chens.annotator = "dr.okafor".into();
    chens.grade = Grade::Medium;
    let chens_id = chens.id.clone();
    let mut new = theirs[0].clone();
    new.id = "okafor-extra-1".into();
    new.label = "ground-glass".into();
    theirs.push(new);
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("okafor.json");
    lightbox_json::write(
        &path,
        None,
        &LabelSet::default(),
        &theirs,
        &frames,
        no_measure,
    )
    .expect("writes");
    let incoming = lightbox_json::read(&path).expect("reads").shapes;

    let plan = merge(&existing, &incoming);
    assert_eq!(plan.unchanged, existing.len() - 2);
    assert_eq!(plan.replace.len(), 1);
    assert_eq!(plan.replace[0].id, own_id);
    assert_eq!(plan.renamed, 1);
    let added: BTreeSet<String> = plan.add.iter().map(|s| s.id.clone()).collect();
    let renamed = format!("{chens_id}-dr.okafor");
    assert_eq!(
        added,
        BTreeSet::from([renamed.clone(), "okafor-extra-1".to_owned()])
    );

    // Apply it: Dr Chen's polygon is still there, untouched, beside Dr Okafor's.
    let mut merged: Vec<Shape> = existing
        .iter()
        .map(|s| {
            plan.replace
                .iter()
                .find(|r| r.id == s.id)
                .unwrap_or(s)
                .clone()
        })
        .collect();
    merged.extend(plan.add.iter().cloned());
    let chen = merged.iter().find(|s| s.id == chens_id).expect("kept");
    assert_eq!(
        (chen.annotator.as_str(), chen.grade),
        ("dr.chen", Grade::High)
    );
    let hers = merged.iter().find(|s| s.id == renamed).expect("added");
    assert_eq!(
        (hers.annotator.as_str(), hers.grade),
        ("dr.okafor", Grade::Medium)
    );
    // Importing the same file again changes nothing.
    let again = merge(&merged, &incoming);
    assert!(
        again.add.is_empty() && again.replace.is_empty(),
        "{again:?}"
    );
    assert_eq!(again.unchanged, incoming.len());
}

/// The rings of `shapes` (area kinds) as JSON.
fn rings<'a>(shapes: impl Iterator<Item = &'a Shape>) -> Value {
    json!(
        shapes
            .filter(|s| s.kind.is_area())
            .map(|s| s.points.clone())
            .collect::<Vec<_>>()
    )
}

#[test]
fn every_format_reads_back_in_its_reference_implementation() {
    let index = sample_index();
    let frames = FrameInfos::from_index(&index);
    let file = lightbox_json::read(&repo().join(EXAMPLE)).expect("example reads");
    let shapes = &file.shapes;
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path();

    let coco_path = out.join("coco.json");
    let summary = coco::write(&coco_path, &file.labels, shapes, &frames).expect("coco");
    assert_eq!(summary.annotations, shapes.len());
    let mask_paths = masks::write_dir(&out.join("masks"), shapes, &frames).expect("masks");
    let labelme_dir = out.join("labelme");
    let labelme_files = labelme::write_dir(&labelme_dir, shapes, &frames).expect("labelme");
    // Our JSON as the CLI and the viewer export it: real measurements, pixel
    // statistics from the decoded frames.
    let report = lightbox::annotate::export::export(
        lightbox::annotate::export::ExportFormat::Lightbox,
        &out.join("json"),
        &index,
        file.release_id.as_deref(),
        &file.labels,
        shapes,
    )
    .expect("json with measurements");
    let measured = report.files[0].clone();
    let with_stats = std::fs::read_to_string(&measured).expect("written");
    assert!(
        with_stats.contains("\"stats\": {"),
        "pixel statistics in {with_stats}"
    );

    // What each file should hold, for the script.
    let info = |s: &Shape| -> &FrameInfo { frames.get(&s.image.sop_uid).expect("known") };
    let mut frame_keys: Vec<_> = shapes.iter().map(|s| s.image.key()).collect();
    frame_keys.sort();
    frame_keys.dedup();
    let mut mask_entries = Vec::new();
    let mut labelme_entries = Vec::new();
    let mut point_entries = Vec::new();
    for key in &frame_keys {
        let on_frame: Vec<&Shape> = shapes.iter().filter(|s| s.image.key() == *key).collect();
        let f = info(on_frame[0]);
        let labels: BTreeSet<&str> = on_frame
            .iter()
            .filter(|s| s.kind.is_area())
            .map(|s| s.label.as_str())
            .collect();
        let mut frame_masks = Vec::new();
        for label in labels {
            let path = f.frame_path(&out.join("masks"), key.frame, &format!("_{label}.png"));
            assert!(mask_paths.contains(&path), "{} written", path.display());
            let entry = json!({
                "file_name": f.frame_rel_name(key.frame),
                "label": label,
                "path": s(&path),
                "width": f.cols,
                "height": f.rows,
                "rings": rings(on_frame.iter().copied().filter(|s| s.label == label)),
            });
            frame_masks.push(entry.clone());
            mask_entries.push(entry);
        }
        for p in on_frame.iter().filter(|s| !s.kind.is_area()) {
            point_entries.push(json!({
                "file_name": f.frame_rel_name(key.frame),
                "label": p.label,
                "point": p.points[0],
            }));
        }
        // labelme loads the frame's image from beside the JSON: render it there.
        let json_path = f.frame_path(&labelme_dir, key.frame, ".json");
        let png = f.frame_path(&labelme_dir, key.frame, ".png");
        let dicom = index
            .instances()
            .find(|i| i.sop_uid == key.sop_uid)
            .expect("instance")
            .path
            .clone();
        lightbox_ok(&[
            "render",
            s(&dicom),
            "--frame",
            &(key.frame - 1).to_string(),
            "--out",
            s(&png),
        ]);
        let mut sorted_on_frame = on_frame.clone();
        sorted_on_frame.sort_by(|a, b| a.id.cmp(&b.id));
        labelme_entries.push(json!({
            "path": s(&json_path),
            "image_path": format!("{}.png", f.frame_stem(key.frame)),
            "width": f.cols,
            "height": f.rows,
            "shapes": sorted_on_frame.iter().map(|s| json!({
                "label": s.label,
                "shape_type": if s.kind.is_area() { "polygon" } else { "point" },
                "points": s.points,
                "description": s.note,
            })).collect::<Vec<_>>(),
            "masks": frame_masks,
        }));
    }
    assert_eq!(labelme_files.len(), frame_keys.len());
    assert_eq!(mask_paths.len(), mask_entries.len());
    let manifest = json!({
        "schema": s(&repo().join("assets/schema/lightbox-annotations-v1.schema.json")),
        "documents": [s(&repo().join(EXAMPLE)), s(&measured)],
        "coco": s(&coco_path),
        "coco_images": summary.images,
        "coco_annotations": summary.annotations,
        "masks": mask_entries,
        "points": point_entries,
        "labelme": labelme_entries,
    });
    let manifest_path = out.join("manifest.json");
    std::fs::write(&manifest_path, manifest.to_string()).expect("manifest");

    let python = common::python::venv("annotation");
    let fix = "see tests/annotation_formats.rs: the venv needs the pinned wheels, and labelme needs libGL (apt-get install libgl1)";
    let outcome = run(
        Command::new(&python)
            .arg(repo().join("tests/annotation/check_formats.py"))
            .arg(&manifest_path)
            .env("QT_QPA_PLATFORM", "offscreen"),
        "check_formats.py",
        fix,
    );
    require_success(&outcome, "check_formats.py", fix);
    let report = String::from_utf8_lossy(&outcome.stdout);
    println!("{report}");
    assert!(report.contains("all checks passed"), "{report}");
}
