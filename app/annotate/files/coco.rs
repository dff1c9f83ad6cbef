//! COCO detection/segmentation JSON, as pycocotools reads it.
//!
//! - `images`: one per annotated frame, ids from 1 in (study, series, SOP instance,
//!   frame) order. `file_name` is the DICOM file's path under the release with `_f<frame>`
//!   before the extension for frames of multi-frame images
//!   ([`FrameInfo::frame_rel_name`]: `ST0005/SE0001/US0001_f3.dcm`); a release repeats
//!   file names in every series, so the folder is part of the name. `width` = columns,
//!   `height` = rows; `sop_uid`, `frame`, `study_uid` and `series_uid` are extra keys
//!   that pycocotools ignores.
//! - `annotations`: one per shape, ids from 1 in file order. Areas (polygons, freehand
//!   traces, rectangles, ellipses) have `segmentation` `[[x1, y1, x2, y2, …]]`, written
//!   unchanged: COCO's coordinates are ours (continuous, the top-left pixel spans
//!   `[0, 1) × [0, 1)`). `area` is the ring's area in pixels² by the shoelace formula
//!   (for a self-overlapping ring, the even-odd mask differs), `bbox` `[x, y, w, h]`
//!   its bounding box, `iscrowd` 0.
//! - Points (landmarks) are COCO keypoint annotations: `keypoints` `[x, y, 2]` (2 =
//!   labelled and visible), `num_keypoints` 1, `segmentation` `[]`, `area` 0, `bbox`
//!   `[x, y, 0, 0]`; their category lists the one keypoint (`keypoints` `[<label>]`,
//!   `skeleton` `[]`). pycocotools loads them and indexes them like any annotation, but
//!   `annToMask` has no polygon to draw for them: select area annotations with
//!   `num_keypoints` absent (or `segmentation` non-empty) before making masks.
//! - `categories`: the label set in order, ids from 1, `supercategory` "finding"; labels
//!   that shapes use but the set lacks follow, by name.
//! - Every annotation has `attributes` with our `id`, `kind`, `grade`, `note` and
//!   `annotator`, so a trained model's findings can be traced back.
//! - A model's shape has its `score` on the annotation, where COCO's results format
//!   keeps it (`COCOeval` reads it from there).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use super::frames::FrameInfos;
use super::{FilesError, check_shapes, sorted, to_json_text, write_file};
use crate::annotate::labels::LabelSet;
use crate::annotate::shape::{ImageKey, Shape};

/// The `supercategory` of every category.
pub const SUPERCATEGORY: &str = "finding";

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CocoSummary {
    /// Images (annotated frames).
    pub images: usize,
    /// Annotations (shapes).
    pub annotations: usize,
    /// Of them, keypoint annotations (points).
    pub keypoints: usize,
    /// Categories (labels).
    pub categories: usize,
}

/// The ring's area by the shoelace formula, in pixels².
fn shoelace(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    let twice: f64 = (0..n)
        .map(|i| {
            let [x0, y0] = ring[i];
            let [x1, y1] = ring[(i + 1) % n];
            x0 * y1 - x1 * y0
        })
        .sum();
    (twice / 2.0).abs()
}

/// `[x, y, w, h]` of the points' bounding box.
fn bbox(points: &[[f64; 2]]) -> [f64; 4] {
    let (mut x0, mut y0) = (f64::INFINITY, f64::INFINITY);
    let (mut x1, mut y1) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for [x, y] in points {
        x0 = x0.min(*x);
        y0 = y0.min(*y);
        x1 = x1.max(*x);
        y1 = y1.max(*y);
    }
    [x0, y0, x1 - x0, y1 - y0]
}

/// The COCO document and its summary.
pub fn to_text(
    path: &Path,
    labels: &LabelSet,
    shapes: &[Shape],
    frames: &FrameInfos,
) -> Result<(String, CocoSummary), FilesError> {
    check_shapes(shapes, path)?;
    let shapes = sorted(shapes);

    // Categories: the set's labels, then labels only shapes know, by name.
    let mut names: Vec<&str> = labels.labels.iter().map(|l| l.name.as_str()).collect();
    let mut extra: Vec<&str> = shapes
        .iter()
        .map(|s| s.label.as_str())
        .filter(|l| !names.contains(l))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    names.extend(extra);
    let category_id = |name: &str| names.iter().position(|n| *n == name).map(|i| i + 1);

    let mut images: Vec<Value> = Vec::new();
    let mut image_ids: BTreeMap<ImageKey, usize> = BTreeMap::new();
    let mut annotations = Vec::with_capacity(shapes.len());
    let mut keypoints = 0;
    let mut point_labels: Vec<&str> = Vec::new();
    for (i, s) in shapes.iter().enumerate() {
        let info = frames.for_shape(s, path)?;
        let key = s.image.key();
        let image_id = match image_ids.get(&key) {
            Some(id) => *id,
            None => {
                let id = images.len() + 1;
                images.push(json!({
                    "id": id,
                    "file_name": info.frame_rel_name(s.image.frame),
                    "width": info.cols,
                    "height": info.rows,
                    "sop_uid": info.sop_uid,
                    "frame": s.image.frame,
                    "study_uid": info.study_uid,
                    "series_uid": info.series_uid,
                }));
                image_ids.insert(key, id);
                id
            }
        };
        let attributes = json!({
            "id": s.id,
            "kind": s.kind.as_str(),
            "grade": s.grade.as_str(),
            "note": s.note,
            "annotator": s.annotator,
        });
        let mut ann = json!({
            "id": i + 1,
            "image_id": image_id,
            "category_id": category_id(&s.label),
            "iscrowd": 0,
        });
        if s.kind.is_area() {
            let flat: Vec<f64> = s.points.iter().flatten().copied().collect();
            ann["segmentation"] = json!([flat]);
            ann["area"] = json!(shoelace(&s.points));
            ann["bbox"] = json!(bbox(&s.points));
        } else {
            let [x, y] = s.points[0];
            ann["segmentation"] = json!([]);
            ann["area"] = json!(0.0);
            ann["bbox"] = json!([x, y, 0.0, 0.0]);
            ann["keypoints"] = json!([x, y, 2]);
            ann["num_keypoints"] = json!(1);
            keypoints += 1;
            if !point_labels.contains(&s.label.as_str()) {
                point_labels.push(&s.label);
            }
        }
        ann["attributes"] = attributes;
        // A model's score where COCO's results format keeps it.
        if let Some(score) = s.score {
            ann["score"] = json!(score);
        }
        annotations.push(ann);
    }
    // Images in (study, series, SOP, frame) order: shapes were sorted that way, so
    // ids already follow it.
    let categories: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut c = json!({ "id": i + 1, "name": name, "supercategory": SUPERCATEGORY });
            if point_labels.contains(name) {
                c["keypoints"] = json!([name]);
                c["skeleton"] = json!([]);
            }
            c
        })
        .collect();
    let summary = CocoSummary {
        images: images.len(),
        annotations: annotations.len(),
        keypoints,
        categories: categories.len(),
    };
    let doc = json!({
        "info": {
            "description": "Annotations exported by Lightbox",
            "version": "1.0",
        },
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": categories,
    });
    Ok((to_json_text(&doc, path)?, summary))
}

/// Writes the COCO file at `path` (atomically): see the module doc.
pub fn write(
    path: &Path,
    labels: &LabelSet,
    shapes: &[Shape],
    frames: &FrameInfos,
) -> Result<CocoSummary, FilesError> {
    let (text, summary) = to_text(path, labels, shapes, frames)?;
    write_file(path, text.as_bytes())?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{frames, shape};
    use super::*;
    use crate::annotate::shape::ShapeKind;

    #[test]
    fn images_annotations_and_categories_by_hand() {
        let shapes = vec![
            shape("b", ShapeKind::Rectangle, "nodule", "m", 3),
            shape("a", ShapeKind::Polygon, "nodule", "a", 1),
            shape("c", ShapeKind::Point, "landmark", "a", 1),
            shape("d", ShapeKind::Ellipse, "cyst", "m", 3),
        ];
        let (text, summary) = to_text(
            Path::new("c.json"),
            &LabelSet::default(),
            &shapes,
            &frames(),
        )
        .expect("writes");
        assert_eq!(
            summary,
            CocoSummary {
                images: 2,
                annotations: 4,
                keypoints: 1,
                categories: 11
            }
        );
        let v: Value = serde_json::from_str(&text).expect("json");
        let images = v["images"].as_array().expect("images");
        assert_eq!(images[0]["file_name"], "ST1/SE1/a.dcm");
        assert_eq!(images[0]["width"], 10);
        assert_eq!(images[0]["height"], 8);
        assert_eq!(images[1]["file_name"], "ST1/SE1/m_f3.dcm");
        assert_eq!(images[1]["frame"], 3);
        let anns = v["annotations"].as_array().expect("annotations");
        let a = &anns[0];
        assert_eq!(a["attributes"]["id"], "a");
        assert_eq!(a["image_id"], 1);
        assert_eq!(a["category_id"], 1, "nodule is the first label");
        assert_eq!(
            a["segmentation"],
            json!([[2.0, 1.0, 6.0, 1.5, 5.5, 5.0, 1.5, 4.25]])
        );
        // Shoelace of (2,1) (6,1.5) (5.5,5) (1.5,4.25): (-3 + 21.75 + 15.875 - 7) / 2.
        assert_eq!(a["area"], 13.8125);
        assert_eq!(a["bbox"], json!([1.5, 1.0, 4.5, 4.0]));
        let c = &anns[1];
        assert_eq!(c["keypoints"], json!([3.5, 2.5, 2]));
        assert_eq!(c["num_keypoints"], 1);
        assert_eq!(c["segmentation"], json!([]));
        assert_eq!(c["category_id"], 8, "landmark");
        assert_eq!(anns[2]["image_id"], 2);
        assert_eq!(anns[3]["category_id"], 11, "cyst, added after the set");
        let cats = v["categories"].as_array().expect("categories");
        assert_eq!(cats[7]["keypoints"], json!(["landmark"]));
        assert!(cats[0].get("keypoints").is_none());
        assert_eq!(cats[10]["name"], "cyst");
    }

    #[test]
    fn a_shape_on_an_unknown_image_or_frame_is_refused() {
        let labels = LabelSet::default();
        let missing = vec![shape("x", ShapeKind::Polygon, "nodule", "zz", 1)];
        let e = to_text(Path::new("c.json"), &labels, &missing, &frames()).expect_err("zz");
        assert!(matches!(e, FilesError::UnknownImage { .. }), "{e}");
        let frame_4 = vec![shape("x", ShapeKind::Polygon, "nodule", "m", 4)];
        let e = to_text(Path::new("c.json"), &labels, &frame_4, &frames()).expect_err("f4");
        assert!(e.to_string().ends_with("c.json"), "{e}");
    }
}
