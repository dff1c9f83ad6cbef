//! The lesion of the selected shape (its outlines of the label on neighbouring
//! slices, [`crate::annotate::lesions`]): volume and largest 3-D diameter for the
//! panel, recomputed only when the selection or one of those outlines changes.

use super::super::LightboxApp;
use crate::annotate::files::frames::{FrameInfo, FrameInfos};
use crate::annotate::lesions;
use crate::gui::command::SeriesRef;

impl LightboxApp {
    /// Keeps `annotate.lesion` for the selected shape up to date.
    pub(in crate::gui::app) fn update_selected_lesion(&mut self) {
        let Some(shape) = self.selected_shape() else {
            self.annotate.lesion = None;
            return;
        };
        let Some(session) = self.review.session.as_ref() else {
            return;
        };
        let group: Vec<&crate::annotate::Shape> = session
            .annotations()
            .iter()
            .filter(|s| {
                s.kind.is_area()
                    && s.image.series_uid == shape.image.series_uid
                    && s.label == shape.label
                    && s.annotator == shape.annotator
            })
            .collect();
        // A hash of the group's ids and times: any edit among them changes it. Cheap
        // enough for every frame (no allocation).
        let signature = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for s in &group {
                (&s.id, &s.modified).hash(&mut h);
            }
            h.finish()
        };
        if self
            .annotate
            .lesion
            .as_ref()
            .is_some_and(|(id, sig, _)| *id == shape.id && *sig == signature)
        {
            return;
        }
        let series = self.series(&SeriesRef {
            study_uid: shape.image.study_uid.clone(),
            series_uid: shape.image.series_uid.clone(),
        });
        let frames: FrameInfos = series
            .map(|s| s.instances.iter().map(FrameInfo::from_instance).collect())
            .unwrap_or_default();
        let group: Vec<_> = group.into_iter().cloned().collect();
        let lesion = lesions(&group, &frames)
            .into_iter()
            .find(|l| l.shape_ids.contains(&shape.id));
        self.annotate.lesion = Some((shape.id, signature, lesion));
    }
}
