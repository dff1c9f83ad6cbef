//! labelme JSON: one file per annotated frame, for labelme and the tools that read it.
//!
//! Each annotated frame gets `<stem>[_f<frame>].json` in the frame's release sub-folder
//! ([`FrameInfo::frame_path`]), naming the frame's image `<stem>[_f<frame>].png` beside
//! it (`imagePath`; `imageData` null, so the PNG is not embedded: render it there, e.g.
//! with `lightbox render FILE --frame N-1 --out …`, before opening the JSON in labelme,
//! which loads the image and checks its size against `imageWidth`/`imageHeight`).
//! Every shape is a `polygon` (rectangles and ellipses are stored as rings already) or
//! a `point`, with `group_id` null, `flags` {}, the note as `description`, and our id,
//! kind, grade and annotator under the extra key `lightbox` (labelme keeps unknown
//! keys as `other_data`).
//!
//! # Coordinates: ours, unchanged
//!
//! labelme's coordinates are continuous with pixel `i` over `[i, i + 1)`, as ours:
//! its canvas paints the image with `QPainter.drawPixmap` from the origin and a shape's
//! points at `point × scale`, so a click on the centre of the top-left pixel stores
//! `(0.5, 0.5)`. Its masks (`labelme.utils.shape_to_mask`, used by
//! `labelme_json_to_dataset` and its converters) hand the points unchanged to PIL's
//! `ImageDraw.polygon`, which (Pillow 13, checked against our raster rule on random
//! rings) fills each row from the pixel holding the left crossing to the pixel holding
//! the right one and draws a 1-pixel outline: our mask grown by up to one pixel along
//! the edges, with no shift. So points are written as they are; `tests/annotation`
//! checks that labelme's masks agree with ours away from the edges and are not offset.
//! Our mask PNGs ([`super::masks`]) are the exact ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::frames::FrameInfos;
use super::{FilesError, check_shapes, create_dir, sorted, to_json_text, write_file};
use crate::annotate::shape::{ImageKey, Shape};

/// The `version` written: the labelme file format these files follow (5.x; labelme 6
/// reads it unchanged).
pub const LABELME_VERSION: &str = "5.5.0";

/// The labelme document of one frame's shapes.
fn document(shapes: &[&Shape], image_path: &str, rows: u32, cols: u32) -> Value {
    let shapes: Vec<Value> = shapes
        .iter()
        .map(|s| {
            json!({
                "label": s.label,
                "points": s.points,
                "group_id": null,
                "description": s.note,
                "shape_type": if s.kind.is_area() { "polygon" } else { "point" },
                "flags": {},
                "mask": null,
                "lightbox": {
                    "id": s.id,
                    "kind": s.kind.as_str(),
                    "grade": s.grade.as_str(),
                    "annotator": s.annotator,
                },
            })
        })
        .collect();
    json!({
        "version": LABELME_VERSION,
        "flags": {},
        "shapes": shapes,
        "imagePath": image_path,
        "imageData": null,
        "imageHeight": rows,
        "imageWidth": cols,
    })
}

/// Writes one labelme JSON per annotated frame under `out_dir` (created if needed):
/// see the module doc. Returns the files written, in path order.
pub fn write_dir(
    out_dir: &Path,
    shapes: &[Shape],
    frames: &FrameInfos,
) -> Result<Vec<PathBuf>, FilesError> {
    check_shapes(shapes, out_dir)?;
    let mut by_frame: BTreeMap<ImageKey, Vec<&Shape>> = BTreeMap::new();
    for s in sorted(shapes) {
        by_frame.entry(s.image.key()).or_default().push(s);
    }
    // Plan every file first, so a clash writes nothing.
    let mut planned: BTreeMap<PathBuf, (ImageKey, Value)> = BTreeMap::new();
    for (key, frame_shapes) in by_frame {
        let info = frames.for_shape(frame_shapes[0], out_dir)?;
        let path = info.frame_path(out_dir, key.frame, ".json");
        let image_path = format!("{}.png", info.frame_stem(key.frame));
        let doc = document(&frame_shapes, &image_path, info.rows, info.cols);
        if let Some((other, _)) = planned.get(&path) {
            return Err(FilesError::NameClash {
                path,
                first: format!("image {} frame {}", other.sop_uid, other.frame),
                second: format!("image {} frame {}", key.sop_uid, key.frame),
            });
        }
        planned.insert(path, (key, doc));
    }
    for (path, (_, doc)) in &planned {
        if let Some(dir) = path.parent() {
            create_dir(dir)?;
        }
        write_file(path, to_json_text(doc, path)?.as_bytes())?;
    }
    Ok(planned.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{frame, frames, shape};
    use super::*;
    use crate::annotate::shape::ShapeKind;

    #[test]
    fn one_file_per_frame_with_points_unchanged() {
        let dir = tempfile::tempdir().expect("tmp");
        let shapes = vec![
            shape("a", ShapeKind::Polygon, "nodule", "a", 1),
            shape("b", ShapeKind::Point, "landmark", "a", 1),
            shape("c", ShapeKind::Rectangle, "mass", "m", 2),
        ];
        assert_eq!(
            write_dir(dir.path(), &shapes, &frames())
                .expect("writes")
                .len(),
            2
        );
        let read = |name: &str| -> Value {
            let text =
                std::fs::read_to_string(dir.path().join("ST1/SE1").join(name)).expect("written");
            serde_json::from_str(&text).expect("json")
        };
        let a = read("a.json");
        assert_eq!(a["imagePath"], "a.png");
        assert_eq!(a["imageHeight"], 8);
        assert_eq!(a["imageWidth"], 10);
        assert!(a["imageData"].is_null());
        assert_eq!(a["shapes"][0]["shape_type"], "polygon");
        assert_eq!(a["shapes"][0]["points"][0], json!([2.0, 1.0]));
        assert_eq!(a["shapes"][0]["description"], "note");
        assert_eq!(a["shapes"][1]["shape_type"], "point");
        assert_eq!(a["shapes"][1]["points"], json!([[3.5, 2.5]]));
        assert_eq!(a["shapes"][1]["lightbox"]["id"], "b");
        let m = read("m_f2.json");
        assert_eq!(m["imagePath"], "m_f2.png");
        assert_eq!(m["shapes"][0]["shape_type"], "polygon");
        assert_eq!(m["shapes"][0]["lightbox"]["kind"], "rectangle");
    }

    #[test]
    fn two_images_with_one_name_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut frames = frames();
        frames.insert(frame("b", "a.dcm", 8, 10, 1));
        let shapes = vec![
            shape("x", ShapeKind::Polygon, "nodule", "a", 1),
            shape("y", ShapeKind::Polygon, "nodule", "b", 1),
        ];
        let e = write_dir(dir.path(), &shapes, &frames).expect_err("clash");
        assert!(matches!(e, FilesError::NameClash { .. }), "{e}");
        assert!(!dir.path().join("ST1").exists());
    }
}
