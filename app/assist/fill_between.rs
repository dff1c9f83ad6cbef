//! "Fill between slices" for one series, label and annotator, as a set of shape
//! changes the CLI's `annotations interpolate` and the viewer store as one undoable
//! command: the hand-drawn outlines are the key frames; the interpolated shapes of an
//! earlier run are replaced (they would otherwise count as keys, and a key frame
//! drawn since must not keep a stale proposal beside it).

use std::collections::BTreeSet;

use super::interpolate::{FrameSlot, SOURCE, interpolated_shapes};
use super::stack::{Stack, StackError};
use crate::annotate::shape::Shape;
use crate::index::Series;

/// What a fill changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Fill {
    /// Shape ids and their new state (`None`: removed).
    pub changes: Vec<(String, Option<Shape>)>,
    /// The frames that got shapes, from 1 along the series.
    pub frames: Vec<usize>,
    /// How many shapes the fill made.
    pub made: usize,
}

/// The series' slices as [`interpolated_shapes`] reads them (no pixels read).
///
/// # Errors
/// A series without frames, or whose frames differ in size.
pub fn frame_slots(series: &Series) -> Result<Vec<FrameSlot>, StackError> {
    let stack = Stack::load(series, |_| false)?;
    Ok(stack
        .slices
        .into_iter()
        .map(|s| FrameSlot {
            image: s.image,
            rows: stack.rows as u32,
            cols: stack.cols as u32,
            spacing: stack.spacing,
            position_mm: s.position_mm,
        })
        .collect())
}

/// Fills the frames between `annotator`'s outlines of `label` on `series` (`shapes`
/// are the project's).
///
/// # Errors
/// As [`frame_slots`].
pub fn fill_between(
    shapes: &[Shape],
    series: &Series,
    label: &str,
    annotator: &str,
) -> Result<Fill, StackError> {
    let frames = frame_slots(series)?;
    let ours = |s: &&Shape| {
        s.image.series_uid == series.series_uid && s.label == label && s.annotator == annotator
    };
    let (earlier, keys): (Vec<&Shape>, Vec<&Shape>) = shapes
        .iter()
        .filter(ours)
        .partition(|s| s.source.as_deref() == Some(SOURCE));
    let made = interpolated_shapes(&keys, &frames);
    let new_ids: BTreeSet<&str> = made.iter().map(|s| s.id.as_str()).collect();
    let slot = |s: &Shape| {
        frames
            .iter()
            .position(|f| f.image.key() == s.image.key())
            .map_or(0, |k| k + 1)
    };
    let filled: BTreeSet<usize> = made.iter().map(slot).collect();
    let mut changes: Vec<(String, Option<Shape>)> = earlier
        .iter()
        .filter(|s| !new_ids.contains(s.id.as_str()))
        .map(|s| (s.id.clone(), None))
        .collect();
    let count = made.len();
    // An outline the earlier run already made stays as stored (its times with it).
    let unchanged = |s: &Shape| {
        earlier.iter().any(|e| {
            e.id == s.id && e.points == s.points && e.source_parameters == s.source_parameters
        })
    };
    changes.extend(
        made.into_iter()
            .filter(|s| !unchanged(s))
            .map(|s| (s.id.clone(), Some(s))),
    );
    Ok(Fill {
        changes,
        frames: filled.into_iter().collect(),
        made: count,
    })
}

/// One fill: the series, label and annotator whose outlines it interpolates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillKey {
    /// The series' UID.
    pub series_uid: String,
    /// The label.
    pub label: String,
    /// The annotator.
    pub annotator: String,
}

/// The fill an edit of key frames left stale, so the viewer can offer to redo it: the
/// first of `changed` (the edited shapes, before and after the edit) that is a
/// hand-made area outline of a series, label and annotator that has interpolated
/// shapes among `shapes`.
pub fn stale_fill<'a>(
    shapes: impl Iterator<Item = &'a Shape>,
    changed: &[&Shape],
) -> Option<FillKey> {
    let key = |s: &Shape| FillKey {
        series_uid: s.image.series_uid.clone(),
        label: s.label.clone(),
        annotator: s.annotator.clone(),
    };
    let keys: Vec<FillKey> = changed
        .iter()
        .filter(|s| s.source.as_deref() != Some(SOURCE) && s.kind.is_area())
        .map(|s| key(s))
        .collect();
    if keys.is_empty() {
        return None;
    }
    let filled: BTreeSet<(String, String, String)> = shapes
        .filter(|s| s.source.as_deref() == Some(SOURCE))
        .map(|s| {
            (
                s.image.series_uid.clone(),
                s.label.clone(),
                s.annotator.clone(),
            )
        })
        .collect();
    keys.into_iter()
        .find(|k| filled.contains(&(k.series_uid.clone(), k.label.clone(), k.annotator.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::{Grade, ShapeImage, ShapeKind};

    fn shape(series: &str, label: &str, source: Option<&str>) -> Shape {
        Shape {
            id: format!("{series}-{label}-{source:?}"),
            kind: ShapeKind::Polygon,
            label: label.into(),
            image: ShapeImage {
                study_uid: "1".into(),
                series_uid: series.into(),
                sop_uid: "1.2.3".into(),
                file_name: "IM1".into(),
                frame: 1,
            },
            points: vec![[0.0, 0.0], [4.0, 0.0], [4.0, 3.0]],
            grade: Grade::None,
            score: None,
            source: source.map(str::to_owned),
            source_parameters: Default::default(),
            note: String::new(),
            annotator: "me".into(),
            created: String::new(),
            modified: String::new(),
        }
    }

    #[test]
    fn an_edited_key_frame_of_a_filled_series_and_label_makes_its_fill_stale() {
        let filled = shape("s1", "nodule", Some(SOURCE));
        let key = shape("s1", "nodule", None);
        let all = [filled.clone(), key.clone(), shape("s2", "nodule", None)];
        let stale = stale_fill(all.iter(), &[&key]).expect("stale");
        assert_eq!(
            (stale.series_uid.as_str(), stale.label.as_str()),
            ("s1", "nodule")
        );
        // Another series, another label, or an interpolated shape edited: no offer.
        assert_eq!(
            stale_fill(all.iter(), &[&shape("s2", "nodule", None)]),
            None
        );
        assert_eq!(stale_fill(all.iter(), &[&shape("s1", "mass", None)]), None);
        assert_eq!(stale_fill(all.iter(), &[&filled]), None);
        // No fill at all: nothing to redo.
        assert_eq!(stale_fill([key.clone()].iter(), &[&key]), None);
    }
}
