//! How the viewer applies annotation commands: every change of shapes becomes one
//! [`crate::store::StoreCommand`] through the review session (stored, audited,
//! undoable), and geometry is done by `crate::annotate::geometry`.

use super::super::LightboxApp;
use crate::annotate::geometry::{self, Morphed};
use crate::annotate::{Shape, ShapeImage, new_shape_id, reshaped};
use crate::assist::fill_between::stale_fill;
use crate::fsutil::ShowPath;
use crate::gui::annotate_tool::ShapeSelection;
use crate::gui::annotate_ui::ShapeEdit;
use crate::gui::command::Command;
use crate::gui::command::SeriesRef;
use crate::gui::job::Job;
use crate::index::Instance;
use crate::measure::{FrameView, PixelSpacing};

impl LightboxApp {
    /// The frame a viewport shows, as a shape's image, with its pixel spacing.
    pub(in crate::gui::app) fn current_shape_image(
        &self,
        v: usize,
    ) -> Option<(ShapeImage, PixelSpacing)> {
        let slice = self.viewports.get(v)?.slice;
        self.shape_image_at(v, slice)
    }

    /// Slice `slice` of the series a viewport shows, as a shape's image.
    fn shape_image_at(&self, v: usize, slice: usize) -> Option<(ShapeImage, PixelSpacing)> {
        let r = self.viewports.get(v)?.series.clone()?;
        let frames = self.frames_for(&r);
        let (key, i) = frames.get(slice)?;
        let instance = self.series(&r)?.instances.get(*i)?;
        Some((
            ShapeImage {
                study_uid: r.study_uid.clone(),
                series_uid: r.series_uid.clone(),
                sop_uid: instance.sop_uid.clone(),
                file_name: instance.file_name.clone(),
                frame: key.frame + 1,
            },
            instance.pixel_spacing(),
        ))
    }

    /// The instance a shape is drawn on (its series is found by UID in O(1)).
    pub(super) fn instance_of(&self, image: &ShapeImage) -> Option<&Instance> {
        let series = self.series(&SeriesRef {
            study_uid: image.study_uid.clone(),
            series_uid: image.series_uid.clone(),
        })?;
        series.instances.iter().find(|i| i.sop_uid == image.sop_uid)
    }

    /// The selected shape, if it still exists.
    pub(super) fn selected_shape(&self) -> Option<Shape> {
        let id = &self.annotate.selection.as_ref()?.id;
        self.review.session.as_ref()?.annotations().get(id).cloned()
    }

    /// Applies one annotation command.
    pub(super) fn apply_annotation(&mut self, ctx: &egui::Context, command: Command) {
        let a = &mut self.annotate;
        match command {
            Command::ShowAnnotator { annotator, shown } => {
                if shown {
                    a.hidden_annotators.remove(&annotator);
                } else {
                    a.hidden_annotators.insert(annotator);
                }
            }
            Command::EditLabelDraft(draft) => a.label_editor = draft,
            Command::SetNoteDraft(id, text) => a.note_draft = Some((id, text)),
            Command::SetMorphDistance(mm) => a.distance_mm = mm,
            Command::SetSimplifyTolerance(mm) => a.tolerance_mm = mm,
            shapes => self.apply_shape_command(ctx, shapes),
        }
    }

    /// Applies a command on shapes, with the review open (the shapes are its).
    fn apply_shape_command(&mut self, ctx: &egui::Context, command: Command) {
        if self.review.session.is_none() {
            return;
        }
        let active = self.active;
        let viewport_or_active = |v: usize| if v == usize::MAX { active } else { v };
        match command {
            Command::SelectShape(selection) => {
                if selection.as_ref().map(|s| &s.id)
                    != self.annotate.selection.as_ref().map(|s| &s.id)
                {
                    self.annotate.note_draft = None;
                }
                if let Some(id) = selection.as_ref().map(|s| s.id.clone()) {
                    self.mpr_jump_to_shape(&id);
                }
                self.annotate.selection = selection;
            }
            Command::ChangeShapes { label, changes } => self.change_shapes(label, changes),
            Command::EditSelectedShape(edit) => self.edit_selected(edit),
            Command::SetDrawLabel(label) => self.annotate.draw_label = label,
            Command::DeleteSelection(v) => {
                let v = viewport_or_active(v);
                match (self.selected_shape(), self.annotate.selection.clone()) {
                    (
                        Some(mut shape),
                        Some(ShapeSelection {
                            vertex: Some(i), ..
                        }),
                    ) if shape.kind.is_area() => {
                        if shape.points.len() > 3 && i < shape.points.len() {
                            shape.points.remove(i);
                            self.annotate.selection = Some(ShapeSelection {
                                id: shape.id.clone(),
                                vertex: None,
                            });
                            self.change_shapes(
                                "delete vertex".into(),
                                vec![(shape.id.clone(), Some(shape))],
                            );
                        } else {
                            self.annotate.message =
                                Some(self.s().get("annotate.min_vertices").to_owned());
                        }
                    }
                    (Some(shape), _) => {
                        self.annotate.selection = None;
                        self.change_shapes("delete shape".into(), vec![(shape.id, None)]);
                    }
                    _ => self.apply(ctx, Command::DeleteLastMeasurement(v)),
                }
            }
            Command::CopyShape => {
                if let Some(shape) = self.selected_shape() {
                    if let Ok(json) = serde_json::to_string(&shape) {
                        ctx.copy_text(json);
                    }
                    self.annotate.clipboard = Some(shape);
                }
            }
            Command::PasteShape { viewport, text } => {
                let from_text = text.and_then(|t| serde_json::from_str::<Shape>(&t).ok());
                let Some(shape) = from_text.or_else(|| self.annotate.clipboard.clone()) else {
                    return;
                };
                let v = viewport_or_active(viewport);
                if let Some((image, _)) = self.current_shape_image(v) {
                    self.place_copy(shape, image, "paste shape");
                }
            }
            Command::PropagateShape { viewport, delta } => {
                let v = viewport_or_active(viewport);
                let Some(shape) = self.selected_shape() else {
                    return;
                };
                let target = self.viewports[v].slice as i64 + delta;
                let Some((image, _)) = usize::try_from(target)
                    .ok()
                    .and_then(|t| self.shape_image_at(v, t))
                else {
                    return;
                };
                self.place_copy(shape, image, "propagate shape");
                self.apply(ctx, Command::Scroll { viewport: v, delta });
            }
            Command::SetLabelSet(set) => {
                if let Some(session) = self.review.session.as_mut() {
                    self.annotate.message = session.set_labels(set).err().map(|e| e.to_string());
                }
            }
            Command::ExportAnnotations(export) => self.export_annotations(ctx, &export),
            Command::ImportAnnotations(path) => self.import_annotations(&path),
            other => super::misrouted("annotation", &other),
        }
    }

    /// Stores shape changes as one command and tells the user when it failed.
    pub(super) fn change_shapes(&mut self, label: String, changes: Vec<(String, Option<Shape>)>) {
        let Some(session) = self.review.session.as_mut() else {
            return;
        };
        // The shapes before and after: an edited key frame of a fill offers to redo it
        // (not the fill's own change).
        let touched: Vec<Shape> = changes
            .iter()
            .filter_map(|(id, _)| session.annotations().get(id).cloned())
            .chain(changes.iter().filter_map(|(_, shape)| shape.clone()))
            .collect();
        let is_fill = label == "interpolate";
        let command = session.shapes_command(label, changes);
        self.annotate.message = session.apply(&command).err().map(|e| e.to_string());
        if is_fill {
            self.annotate.refill = None;
        } else if let Some(stale) = stale_fill(
            session.annotations().iter(),
            &touched.iter().collect::<Vec<_>>(),
        ) {
            self.annotate.refill = Some(stale);
        }
        if let Some(sel) = &self.annotate.selection
            && session.annotations().get(&sel.id).is_none()
        {
            self.annotate.selection = None;
        }
        self.review.refresh_log();
    }

    /// Adds a copy of `shape` on `image` (a new id, by this reviewer) and selects it.
    fn place_copy(&mut self, shape: Shape, image: ShapeImage, label: &str) {
        let annotator = self
            .review
            .session
            .as_ref()
            .map(|s| s.reviewer().to_owned())
            .unwrap_or_default();
        let copy = Shape {
            id: new_shape_id(&annotator),
            image,
            annotator,
            created: String::new(),
            modified: String::new(),
            ..shape
        };
        self.annotate.selection = Some(ShapeSelection {
            id: copy.id.clone(),
            vertex: None,
        });
        self.change_shapes(label.into(), vec![(copy.id.clone(), Some(copy))]);
    }

    /// Applies an attribute or geometry edit to the selected shape.
    fn edit_selected(&mut self, edit: ShapeEdit) {
        let Some(shape) = self.selected_shape() else {
            return;
        };
        let spacing = self
            .instance_of(&shape.image)
            .map(Instance::pixel_spacing)
            .unwrap_or_default();
        let s = self.s();
        let morphed = |result: Result<Morphed, geometry::GeometryError>| match result {
            Ok(m) => Ok((m.rings, m.holes_filled)),
            Err(e) => Err(e.to_string()),
        };
        let (label, rings) = match edit {
            ShapeEdit::SetLabel(l) => {
                let shape = Shape { label: l, ..shape };
                self.change_shapes(
                    "relabel shape".into(),
                    vec![(shape.id.clone(), Some(shape))],
                );
                return;
            }
            ShapeEdit::SetGrade(grade) => {
                let shape = Shape { grade, ..shape };
                self.change_shapes("grade shape".into(), vec![(shape.id.clone(), Some(shape))]);
                return;
            }
            ShapeEdit::SetNote(note) => {
                let shape = Shape { note, ..shape };
                self.change_shapes(
                    "note on shape".into(),
                    vec![(shape.id.clone(), Some(shape))],
                );
                return;
            }
            ShapeEdit::Grow(mm) => (
                if mm >= 0.0 {
                    "grow shape"
                } else {
                    "shrink shape"
                },
                morphed(geometry::grow(&shape.points, mm, &spacing)),
            ),
            ShapeEdit::Opening(mm) => (
                "opening",
                morphed(geometry::opening(&shape.points, mm, &spacing)),
            ),
            ShapeEdit::Closing(mm) => (
                "closing",
                morphed(geometry::closing(&shape.points, mm, &spacing)),
            ),
            ShapeEdit::Simplify(method, mm) => (
                "simplify shape",
                geometry::simplify(&shape.points, mm, &spacing, method)
                    .map(|ring| (vec![ring], 0))
                    .map_err(|e| e.to_string()),
            ),
            ShapeEdit::Repair => ("repair shape", Ok((geometry::repair(&shape.points), 0))),
        };
        let (rings, holes) = match rings {
            Ok(r) => r,
            Err(e) => {
                self.annotate.message = Some(e);
                return;
            }
        };
        let before = shape.points.len();
        let changes = reshaped(&shape, rings);
        let message = match &changes[0].1 {
            None => s.get("annotate.vanished").to_owned(),
            Some(first) => s.format(
                "annotate.result",
                &[
                    ("pieces", &changes.len().to_string()),
                    ("before", &before.to_string()),
                    ("after", &first.points.len().to_string()),
                    ("holes", &holes.to_string()),
                ],
            ),
        };
        self.change_shapes(label.into(), changes);
        if self.annotate.message.is_none() {
            self.annotate.message = Some(message);
        }
    }

    /// Measures the selected shape when it changed (geometry always; pixel statistics
    /// when its frame is decoded).
    pub(in crate::gui::app) fn measure_selected_shape(&mut self) {
        let Some(shape) = self.selected_shape() else {
            self.annotate.measured = None;
            return;
        };
        let Some(instance) = self.instance_of(&shape.image) else {
            self.annotate.measured = None;
            return;
        };
        let spacing = instance.pixel_spacing();
        let frame = self.loader.get(&crate::loader::FrameKey {
            path: std::sync::Arc::from(instance.path.as_path()),
            frame: shape.image.frame.saturating_sub(1),
        });
        if self
            .annotate
            .measured
            .as_ref()
            .is_some_and(|(id, modified, had_frame, _)| {
                *id == shape.id && *modified == shape.modified && *had_frame == frame.is_some()
            })
        {
            return;
        }
        let values = frame.as_ref().and_then(|f| f.modality_values());
        let view = frame
            .as_ref()
            .zip(values.as_ref())
            .map(|(f, (values, padding))| FrameView {
                rows: f.rows,
                cols: f.cols,
                values,
                padding,
            });
        let m = if shape.kind.is_area() {
            geometry::measure(&shape.points, &spacing, view.as_ref())
        } else {
            None
        };
        self.annotate.measured = Some((shape.id, shape.modified, frame.is_some(), m));
    }

    /// Exports on a worker thread (our JSON decodes every annotated frame for its
    /// pixel statistics); the result is shown in the panel when it arrives.
    fn export_annotations(
        &mut self,
        ctx: &egui::Context,
        job: &crate::gui::annotate_ui::AnnotationExport,
    ) {
        let (Some(index), Some(session)) = (self.index.clone(), self.review.session.as_ref())
        else {
            return;
        };
        let release_id = session.images().release_id.clone();
        let labels = session.labels().clone();
        let shapes: Vec<Shape> = session.annotations().iter().cloned().collect();
        let s = self.s();
        let (format, folder) = (job.format, job.folder.clone());
        let work = move || {
            let result = crate::annotate::export::export(
                format,
                &folder,
                &index,
                release_id.as_deref(),
                &labels,
                &shapes,
            );
            match result {
                Ok(report) => s.format(
                    "annotate.exported",
                    &[
                        ("n", &report.files.len().to_string()),
                        ("folder", &folder.shown().to_string()),
                    ],
                ),
                Err(e) => e.to_string(),
            }
        };
        match Job::spawn(ctx, "annotation-export", work) {
            Ok(running) => {
                self.annotate.message = Some(s.get("common.loading").to_owned());
                self.annotate.export_result = Some(running);
            }
            Err(e) => self.annotate.message = Some(e.to_string()),
        }
    }

    /// Merges an annotation file into the project (one undoable command).
    fn import_annotations(&mut self, path: &std::path::Path) {
        let s = self.s();
        let (Some(session), Some(index)) = (self.review.session.as_mut(), self.index.as_ref())
        else {
            return;
        };
        let result = crate::annotate::files::seg_import::read_any(path, index, session.labels())
            .map_err(|e| e.to_string())
            .and_then(|incoming| {
                session
                    .import_annotations(&incoming.file, path)
                    .map(|report| (report, incoming.warnings))
                    .map_err(|e| e.to_string())
            });
        self.annotate.message = Some(match result {
            Ok((r, warnings)) => {
                s.format(
                    "annotate.imported",
                    &[
                        ("added", &r.added.to_string()),
                        ("replaced", &r.replaced.to_string()),
                        ("unchanged", &r.unchanged.to_string()),
                        ("renamed", &r.renamed.to_string()),
                        ("newer", &r.kept_newer.to_string()),
                        ("labels", &r.labels_added.to_string()),
                    ],
                ) + &warnings
                    .iter()
                    .map(|w| format!("\n{w}"))
                    .collect::<String>()
            }
            Err(e) => e,
        });
        self.review.refresh_log();
    }
}
