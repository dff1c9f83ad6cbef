//! Binary masks: one PNG per annotated frame and label.
//!
//! Each PNG is 8-bit greyscale at the image's size, 0 outside and 255 inside the union
//! of that label's area shapes on that frame, by the one inclusion rule
//! ([`crate::annotate::raster`]: a pixel is inside when its centre is, even-odd).
//! Points (landmarks) cover no pixels and make no mask. Files are named
//! `<stem>[_f<frame>]_<label>.png` in the frame's release sub-folder
//! ([`FrameInfo::frame_path`]), with the label made file-name safe by
//! [`super::safe_name`] (letters and digits of any script, `-`, `_`, `.` kept, anything
//! else `_`): `IM0014_nodule.png`, `US0001_f3_other.png`. Two labels that become the
//! same name on the same frame are refused ([`FilesError::NameClash`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use image::ImageEncoder;

use super::frames::FrameInfos;
use super::{FilesError, check_shapes, create_dir, safe_name, sorted, write_file};
use crate::annotate::raster;
use crate::annotate::shape::{ImageKey, Shape};

/// The mask of `shapes` (their union) on a `rows × cols` frame: 0 outside, 255 inside,
/// row-major.
pub fn union_mask<'a>(
    shapes: impl IntoIterator<Item = &'a Shape>,
    rows: u32,
    cols: u32,
) -> Vec<u8> {
    let mut out = vec![0u8; rows as usize * cols as usize];
    for s in shapes.into_iter().filter(|s| s.kind.is_area()) {
        for span in raster::spans(&s.points, rows, cols) {
            let start = span.row as usize * cols as usize;
            out[start + span.cols.start as usize..start + span.cols.end as usize].fill(255);
        }
    }
    out
}

/// 8-bit greyscale PNG bytes.
fn png(pixels: &[u8], rows: u32, cols: u32, path: &Path) -> Result<Vec<u8>, FilesError> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(pixels, cols, rows, image::ExtendedColorType::L8)
        .map_err(|e| FilesError::Png {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    Ok(out)
}

/// Writes one mask PNG per annotated frame and label under `out_dir` (created if
/// needed): see the module doc. Returns the files written, in (study, series, SOP
/// instance, frame, label) order.
pub fn write_dir(
    out_dir: &Path,
    shapes: &[Shape],
    frames: &FrameInfos,
) -> Result<Vec<PathBuf>, FilesError> {
    check_shapes(shapes, out_dir)?;
    let mut groups: BTreeMap<(ImageKey, &str), Vec<&Shape>> = BTreeMap::new();
    for s in sorted(shapes).into_iter().filter(|s| s.kind.is_area()) {
        groups
            .entry((s.image.key(), s.label.as_str()))
            .or_default()
            .push(s);
    }
    // Plan every file first, so a clash writes nothing.
    let mut planned: Vec<(PathBuf, &Vec<&Shape>, u32, u32)> = Vec::new();
    let mut owners: BTreeMap<PathBuf, String> = BTreeMap::new();
    for ((key, label), group) in &groups {
        let info = frames.for_shape(group[0], out_dir)?;
        let tail = format!("_{}.png", safe_name(label));
        let path = info.frame_path(out_dir, key.frame, &tail);
        let owner = format!(
            "label {label:?} on image {} frame {}",
            key.sop_uid, key.frame
        );
        if let Some(first) = owners.insert(path.clone(), owner.clone()) {
            return Err(FilesError::NameClash {
                path,
                first,
                second: owner,
            });
        }
        planned.push((path, group, info.rows, info.cols));
    }
    let mut written = Vec::with_capacity(planned.len());
    for (path, group, rows, cols) in planned {
        let pixels = union_mask(group.iter().copied(), rows, cols);
        let bytes = png(&pixels, rows, cols, &path)?;
        if let Some(dir) = path.parent() {
            create_dir(dir)?;
        }
        write_file(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{frames, shape};
    use super::*;
    use crate::annotate::shape::ShapeKind;

    #[test]
    fn one_png_per_frame_and_label_with_the_union_inside() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut left = shape("l", ShapeKind::Rectangle, "nodule", "a", 1);
        left.points = vec![[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0]];
        let mut right = shape("r", ShapeKind::Polygon, "nodule", "a", 1);
        right.points = vec![[5.0, 2.0], [7.0, 2.0], [7.0, 4.0], [5.0, 4.0]];
        let mut other = shape("o", ShapeKind::Polygon, "ground glass", "m", 2);
        other.points = vec![[0.0, 0.0], [7.0, 0.0], [7.0, 1.0], [0.0, 1.0]];
        let point = shape("p", ShapeKind::Point, "landmark", "a", 1);
        let written =
            write_dir(dir.path(), &[right, other, point, left], &frames()).expect("writes");
        let names: Vec<String> = written
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            names,
            ["ST1/SE1/a_nodule.png", "ST1/SE1/m_f2_ground_glass.png"]
        );
        let img = image::open(&written[0]).expect("png").to_luma8();
        assert_eq!((img.width(), img.height()), (10, 8));
        let inside: Vec<(u32, u32)> = img
            .enumerate_pixels()
            .filter(|(_, _, p)| p.0[0] == 255)
            .map(|(x, y, _)| (x, y))
            .collect();
        // Row by row: the left square's 2×2 pixels and the right one's.
        assert_eq!(
            inside,
            [
                (1, 1),
                (2, 1),
                (1, 2),
                (2, 2),
                (5, 2),
                (6, 2),
                (5, 3),
                (6, 3)
            ]
        );
        let m = image::open(&written[1]).expect("png").to_luma8();
        assert!(
            m.enumerate_pixels()
                .all(|(_, y, p)| (p.0[0] == 255) == (y == 0))
        );
    }

    #[test]
    fn labels_that_sanitise_alike_are_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = shape("a", ShapeKind::Polygon, "a b", "a", 1);
        let b = shape("b", ShapeKind::Polygon, "a/b", "a", 1);
        let e = write_dir(dir.path(), &[a, b], &frames()).expect_err("clash");
        assert!(matches!(e, FilesError::NameClash { .. }), "{e}");
        assert!(!dir.path().join("ST1").exists());
    }
}
