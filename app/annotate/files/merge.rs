//! Joining imported shapes to the ones a project already has, without losing either.
//!
//! Shape ids are stable across exports and imports, so an id names "the same shape":
//!
//! - same id, equal in every field: nothing to do (`unchanged`);
//! - same id, same annotator, different: the annotator's newer version (`replace`),
//!   unless the project's copy was modified later (an old export imported again):
//!   then the project's is kept (`kept_newer`), so no edit is lost;
//! - same id, another annotator: another person's shape that happens to share the id
//!   (a copy of a file edited by two people). It is kept apart under a fresh id,
//!   `<id>-<annotator>` (the annotator made id-safe by [`super::safe_name`]; then
//!   `-2`, `-3`… until unused) and added (`renamed`). Importing the same file again
//!   finds that renamed shape by its fresh id and so changes nothing;
//! - a new id: `add`.

use std::collections::{HashMap, HashSet};

use super::safe_name;
use crate::annotate::shape::Shape;

/// What importing `incoming` into `existing` does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergePlan {
    /// Shapes to add (new ids, and other annotators' shapes under fresh ids).
    pub add: Vec<Shape>,
    /// Shapes that replace the existing shape with the same id.
    pub replace: Vec<Shape>,
    /// Incoming shapes equal to an existing one.
    pub unchanged: usize,
    /// Of `add`, shapes that got a fresh id because another annotator's shape has theirs.
    pub renamed: usize,
    /// Incoming shapes older than the project's version of the same shape (left out).
    pub kept_newer: usize,
}

/// The plan for importing `incoming` into `existing`: see the module doc.
pub fn merge(existing: &[Shape], incoming: &[Shape]) -> MergePlan {
    let by_id: HashMap<&str, &Shape> = existing.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut taken: HashSet<String> = existing
        .iter()
        .chain(incoming)
        .map(|s| s.id.clone())
        .collect();
    let mut plan = MergePlan::default();
    for shape in incoming {
        let Some(old) = by_id.get(shape.id.as_str()) else {
            plan.add.push(shape.clone());
            continue;
        };
        if *old == shape {
            plan.unchanged += 1;
            continue;
        }
        if old.annotator == shape.annotator {
            // RFC 3339 UTC times of one format order as text.
            if shape.modified < old.modified {
                plan.kept_newer += 1;
            } else {
                plan.replace.push(shape.clone());
            }
            continue;
        }
        // Another annotator's shape: find its own id, or make one.
        let annotator = if shape.annotator.trim().is_empty() {
            "unknown".to_owned()
        } else {
            safe_name(shape.annotator.trim())
        };
        let base = format!("{}-{annotator}", shape.id);
        let mut n = 1;
        let fresh = loop {
            let candidate = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            match by_id.get(candidate.as_str()) {
                // Imported before: the same person's shape under its fresh id.
                Some(prev) if prev.annotator == shape.annotator => break candidate,
                Some(_) => {}
                None if !taken.contains(&candidate) => break candidate,
                None => {}
            }
            n += 1;
        };
        let mut renamed = shape.clone();
        renamed.id = fresh.clone();
        match by_id.get(fresh.as_str()) {
            Some(prev) if **prev == renamed => plan.unchanged += 1,
            Some(_) => plan.replace.push(renamed),
            None => {
                taken.insert(fresh);
                plan.add.push(renamed);
                plan.renamed += 1;
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::super::test_support::shape;
    use super::*;
    use crate::annotate::shape::ShapeKind;

    fn by(id: &str, annotator: &str, x: f64) -> Shape {
        let mut s = shape(id, ShapeKind::Polygon, "nodule", "a", 1);
        s.annotator = annotator.into();
        s.points[0][0] = x;
        s
    }

    #[test]
    fn each_rule_once() {
        let existing = vec![
            by("same", "ana", 1.0),
            by("edit", "ana", 1.0),
            by("clash", "ana", 1.0),
        ];
        let incoming = vec![
            by("same", "ana", 1.0),
            by("edit", "ana", 2.0),
            by("clash", "Dr Bo", 3.0),
            by("new", "bo", 1.0),
        ];
        let plan = merge(&existing, &incoming);
        assert_eq!(plan.unchanged, 1);
        assert_eq!(plan.replace, vec![by("edit", "ana", 2.0)]);
        assert_eq!(plan.renamed, 1);
        let ids: Vec<&str> = plan.add.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["clash-Dr_Bo", "new"]);
        assert_eq!(plan.add[0].points[0][0], 3.0);
        assert_eq!(plan.add[0].annotator, "Dr Bo");
    }

    #[test]
    fn an_older_copy_of_the_same_annotators_shape_does_not_undo_their_edit() {
        let mut newer = by("s", "ana", 5.0);
        newer.modified = "2026-03-02T10:00:00Z".into();
        let mut older = by("s", "ana", 1.0);
        older.modified = "2026-03-01T10:00:00Z".into();
        let plan = merge(std::slice::from_ref(&newer), std::slice::from_ref(&older));
        assert_eq!(
            (plan.kept_newer, plan.replace.len(), plan.add.len()),
            (1, 0, 0)
        );
        // The other way round the import is the newer one and replaces.
        let plan = merge(&[older], &[newer.clone()]);
        assert_eq!(plan.replace, vec![newer]);
    }

    #[test]
    fn importing_twice_changes_nothing_the_second_time() {
        let existing = vec![by("x", "ana", 1.0)];
        let incoming = vec![by("x", "bo", 2.0)];
        let first = merge(&existing, &incoming);
        let mut after = existing.clone();
        after.extend(first.add.iter().cloned());
        let second = merge(&after, &incoming);
        assert_eq!(second.add, vec![]);
        assert_eq!(second.replace, vec![]);
        assert_eq!(second.unchanged, 1);
        // Bo edits it again: it replaces Bo's renamed copy, not Ana's.
        let third = merge(&after, &[by("x", "bo", 5.0)]);
        assert_eq!(third.replace.len(), 1);
        assert_eq!(third.replace[0].id, "x-bo");
    }

    #[test]
    fn fresh_ids_skip_ids_already_used() {
        // "x-bo" is taken by someone else (Cy), and "x-bo-2" by an incoming shape.
        let existing = vec![by("x", "ana", 1.0), by("x-bo", "cy", 1.0)];
        let incoming = vec![by("x", "bo", 2.0), by("x-bo-2", "bo", 7.0)];
        let plan = merge(&existing, &incoming);
        let ids: Vec<&str> = plan.add.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["x-bo-3", "x-bo-2"]);
        assert_eq!(plan.renamed, 1);
    }
}
