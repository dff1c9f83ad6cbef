//! The MPR reading mode: the active viewport's series as axial, coronal and sagittal
//! views of one volume on the GPU, with a 3-D crosshair, reference lines, oblique
//! turns, thick slabs and measurements in mm.
//!
//! The volume is built on a worker (every frame decoded, checked, put on an even grid:
//! `lightbox::mpr`) and uploaded once; the views then only change uniforms. The camera
//! ([`MprCamera`]) is plain data changed by [`MprCommand`]s, applied in one place
//! (`app/apply/mpr.rs`); [`view`] draws a view and turns the pointer into commands.

pub mod gpu;
pub mod view;

use std::sync::Arc;

use crate::gui::command::{Command, SeriesRef};
use crate::gui::job::{Job, Polled};
use crate::i18n::Strings;
use crate::index::Index;
use crate::mpr::grid::{VoxelGrid, dot, sub};
use crate::mpr::plane::SlabMode;
use crate::mpr::reslice::{IDENTITY, ViewFrame, ViewPlane, cross, rotate};
use crate::mpr::volume::Volume;
use crate::window::Window;

/// A change to the MPR mode.
#[derive(Debug, Clone, PartialEq)]
pub enum MprCommand {
    /// Turn MPR on (for the active viewport's series) or off.
    Toggle,
    /// Put the 3-D cursor at a patient point, mm.
    SetCursor([f64; 3]),
    /// Move a view's plane along its normal by `steps` voxel steps.
    Step {
        /// The view.
        plane: ViewPlane,
        /// Steps (negative: towards the viewer).
        steps: i64,
    },
    /// Turn the other two views' planes about this view's normal, radians.
    Rotate {
        /// The view whose normal is the axis.
        plane: ViewPlane,
        /// The angle, clockwise as seen in that view.
        angle_rad: f64,
    },
    /// The slab: thickness (0 = a plane) and how it combines.
    SetSlab {
        /// Thickness, mm.
        thickness_mm: f64,
        /// MIP, MinIP or mean.
        mode: SlabMode,
    },
    /// The window all three views use.
    SetWindow(Window),
    /// Zoom by a factor (> 1: closer).
    Zoom {
        /// The factor.
        factor: f64,
        /// The size of the view it was asked in, points (what "fit" is relative to).
        view_points: [f64; 2],
    },
    /// Back to the unrotated planes through the volume's centre, fitted.
    Reset,
    /// Keep a distance measured in a view.
    Measure(MprMeasurement),
    /// Forget the measurements.
    ClearMeasurements,
}

/// A distance measured in an MPR view, between two patient points (mm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MprMeasurement {
    /// The view it was drawn in.
    pub plane: ViewPlane,
    /// Start, patient mm.
    pub from_mm: [f64; 3],
    /// End, patient mm.
    pub to_mm: [f64; 3],
}

impl MprMeasurement {
    /// Its length, mm.
    pub fn length_mm(&self) -> f64 {
        let d = sub(self.to_mm, self.from_mm);
        dot(d, d).sqrt()
    }
}

/// A shape's outline in patient mm and its label's colour, for the views to cut.
#[derive(Debug, Clone)]
pub struct MprShape {
    /// Its points, patient mm (a closed ring for area shapes).
    pub ring_mm: Vec<[f64; 3]>,
    /// Its label's colour.
    pub colour: egui::Color32,
}

/// Where the views look and how they draw: plain data, changed by [`MprCommand`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct MprCamera {
    /// The 3-D cursor, patient mm: every view's plane passes through it.
    pub cursor_mm: [f64; 3],
    /// Each view's turn from its standard orientation (axial, coronal, sagittal).
    pub rotations: [[[f64; 3]; 3]; 3],
    /// mm per screen point; `None` fits the volume.
    pub mm_per_point: Option<f64>,
    /// Slab thickness, mm (0: a plane).
    pub slab_mm: f64,
    /// How the slab combines.
    pub slab_mode: SlabMode,
    /// The window.
    pub window: Window,
    /// Inverted grey.
    pub invert: bool,
}

impl MprCamera {
    /// Unrotated planes through the centre of `grid`, fitted, no slab.
    pub fn centred(grid: &VoxelGrid, window: Window, invert: bool) -> Self {
        Self {
            cursor_mm: grid.centre_mm(),
            rotations: [IDENTITY; 3],
            mm_per_point: None,
            slab_mm: 0.0,
            slab_mode: SlabMode::Mip,
            window,
            invert,
        }
    }

    /// Screen right and down of `plane`'s view, patient unit vectors.
    pub fn axes(&self, plane: ViewPlane) -> [[f64; 3]; 2] {
        let r = &self.rotations[index_of(plane)];
        plane.base_axes().map(|v| rotate(r, v))
    }

    /// `plane`'s normal (away from the viewer).
    pub fn normal(&self, plane: ViewPlane) -> [f64; 3] {
        let [right, down] = self.axes(plane);
        cross(right, down)
    }

    /// `plane`'s view of `grid` in a view of `size_points`: the plane through the
    /// cursor, centred where the volume's centre projects onto it.
    pub fn frame(&self, grid: &VoxelGrid, plane: ViewPlane, size_points: [f64; 2]) -> ViewFrame {
        let [right, down] = self.axes(plane);
        let normal = cross(right, down);
        let centre = grid.centre_mm();
        let off = dot(sub(self.cursor_mm, centre), normal);
        let mm_per_px = self
            .mm_per_point
            .unwrap_or_else(|| fit_mm_per_point(grid, size_points));
        ViewFrame {
            centre_mm: std::array::from_fn(|k| centre[k] + off * normal[k]),
            right,
            down,
            mm_per_px,
        }
    }

    /// One voxel step along `plane`'s normal, mm: the grid's spacing along it.
    pub fn step_mm(&self, grid: &VoxelGrid, plane: ViewPlane) -> f64 {
        let per_mm = grid.voxel_step(self.normal(plane));
        let largest = per_mm.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if largest > 0.0 { 1.0 / largest } else { 1.0 }
    }
}

/// The array index of a view plane.
pub fn index_of(plane: ViewPlane) -> usize {
    match plane {
        ViewPlane::Axial => 0,
        ViewPlane::Coronal => 1,
        ViewPlane::Sagittal => 2,
    }
}

/// mm per point that shows the whole volume in a view of `size_points`.
pub fn fit_mm_per_point(grid: &VoxelGrid, size_points: [f64; 2]) -> f64 {
    let extent = (0..3)
        .map(|k| grid.dims[k] as f64 * grid.spacing_mm[k])
        .fold(0.0f64, f64::max);
    let side = size_points[0].min(size_points[1]).max(1.0);
    (extent / side).max(1e-3)
}

/// A built volume: its grid, the volume check's warnings and a generation that names
/// this upload for the GPU side.
#[derive(Debug)]
pub struct LoadedVolume {
    /// The grid the views sample.
    pub grid: Arc<VoxelGrid>,
    /// Warnings of the volume check and what the grid did about them.
    pub notes: Vec<String>,
}

/// The MPR mode's runtime: the series, its volume (building or built), the camera and
/// the measurements.
#[derive(Debug, Default)]
pub struct MprUi {
    /// The series shown, while MPR is on.
    pub series: Option<SeriesRef>,
    /// The volume being built.
    job: Option<Job<Result<LoadedVolume, String>>>,
    /// The volume built.
    pub volume: Option<LoadedVolume>,
    /// Why the volume could not be built.
    pub error: Option<String>,
    /// Where the views look (once the volume is there).
    pub camera: Option<MprCamera>,
    /// Names the volume uploaded to the GPU; bumped for each new volume.
    pub generation: u64,
    /// Distances measured in the views.
    pub measurements: Vec<MprMeasurement>,
    /// The window to start with (the 2-D viewport's).
    pub start_window: Option<(Window, bool)>,
    /// Why the GPU could not take the volume (set by the paint callback).
    pub upload_error: gpu::UploadError,
}

impl MprUi {
    /// True while MPR is on (building or showing).
    pub fn active(&self) -> bool {
        self.series.is_some()
    }

    /// True while the volume is being built.
    pub fn building(&self) -> bool {
        self.job.is_some()
    }

    /// Starts building the volume of `series` (from `index`) on a worker.
    pub fn start(&mut self, ctx: &egui::Context, index: Arc<Index>, series: SeriesRef) {
        self.stop();
        let uid = series.series_uid.clone();
        self.series = Some(series);
        let work = move || build_volume(&index, &uid);
        match Job::spawn(ctx, "mpr-volume", work) {
            Ok(job) => self.job = Some(job),
            Err(e) => self.error = Some(format!("cannot start the volume's thread: {e}")),
        }
    }

    /// Turns MPR off and drops the volume.
    pub fn stop(&mut self) {
        let generation = self.generation;
        *self = Self {
            generation,
            ..Self::default()
        };
    }

    /// Takes the built volume in, when the worker is done.
    pub fn poll(&mut self) {
        match Job::finished(&mut self.job) {
            None | Some(Polled::Running) => {}
            Some(Polled::Done(Ok(volume))) => {
                self.generation += 1;
                let (window, invert) = self.start_window.unwrap_or((
                    Window {
                        center: 40.0,
                        width: 400.0,
                        function: crate::window::VoiFunction::Linear,
                    },
                    false,
                ));
                self.camera = Some(MprCamera::centred(&volume.grid, window, invert));
                self.volume = Some(volume);
            }
            Some(Polled::Done(Err(e))) => self.error = Some(e),
            Some(Polled::Lost) => {
                self.error = Some("building the volume failed (the worker ended)".to_owned());
            }
        }
    }
}

/// The MPR tool bar: on/off, and with a volume the slab, its mode, Reset and the
/// measurements' Clear.
pub fn tool_bar(ui: &mut egui::Ui, s: &Strings, mpr: &MprUi, shortcut: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    if ui
        .selectable_label(mpr.active(), s.get("mpr.toggle"))
        .on_hover_text(shortcut)
        .clicked()
    {
        commands.push(MprCommand::Toggle.into());
    }
    let Some(camera) = &mpr.camera else {
        return commands;
    };
    let mut slab = camera.slab_mm;
    ui.label(s.get("mpr.slab"));
    ui.add(
        egui::DragValue::new(&mut slab)
            .range(0.0..=100.0)
            .speed(0.5)
            .suffix(" mm"),
    );
    let mut mode = camera.slab_mode;
    egui::ComboBox::from_id_salt("mpr-slab-mode")
        .selected_text(s.get(view::slab_key(mode)))
        .show_ui(ui, |ui| {
            for m in [SlabMode::Mip, SlabMode::Minip, SlabMode::Avg] {
                ui.selectable_value(&mut mode, m, s.get(view::slab_key(m)));
            }
        });
    if slab != camera.slab_mm || mode != camera.slab_mode {
        commands.push(
            MprCommand::SetSlab {
                thickness_mm: slab,
                mode,
            }
            .into(),
        );
    }
    if ui.button(s.get("mpr.reset")).clicked() {
        commands.push(MprCommand::Reset.into());
    }
    if !mpr.measurements.is_empty() && ui.button(s.get("mpr.clear_measurements")).clicked() {
        commands.push(MprCommand::ClearMeasurements.into());
    }
    commands
}

/// The MPR area: the three views side by side, or the volume's progress or error.
pub fn area_ui(
    ui: &mut egui::Ui,
    area: egui::Rect,
    mpr: &MprUi,
    shapes: &[MprShape],
    measuring: bool,
    s: &Strings,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let upload_error = mpr.upload_error.lock().ok().and_then(|e| e.clone());
    if let Some(e) = mpr.error.as_ref().or(upload_error.as_ref()) {
        ui.painter().text(
            area.center(),
            egui::Align2::CENTER_CENTER,
            format!("{}: {e}", s.get("mpr.failed")),
            egui::FontId::proportional(15.0),
            egui::Color32::LIGHT_RED,
        );
        return commands;
    }
    if mpr.building() {
        ui.put(
            egui::Rect::from_center_size(area.center(), egui::vec2(320.0, 40.0)),
            egui::Spinner::new(),
        );
        ui.painter().text(
            area.center() + egui::vec2(0.0, 36.0),
            egui::Align2::CENTER_CENTER,
            s.get("mpr.building"),
            egui::FontId::proportional(15.0),
            egui::Color32::LIGHT_GRAY,
        );
        return commands;
    }
    let Some(volume) = &mpr.volume else {
        return commands;
    };
    let notes_height = if volume.notes.is_empty() { 0.0 } else { 20.0 };
    let width = area.width() / 3.0;
    for (k, plane) in ViewPlane::ALL.into_iter().enumerate() {
        let rect = egui::Rect::from_min_size(
            area.min + egui::vec2(k as f32 * width, 0.0),
            egui::vec2(width, area.height() - notes_height),
        )
        .shrink(1.0);
        ui.painter().rect_filled(rect, 0.0, egui::Color32::BLACK);
        commands.extend(view::view_ui(ui, rect, mpr, plane, shapes, measuring, s));
        ui.painter().rect_stroke(
            rect,
            0.0,
            egui::Stroke::new(1.0, view::colour(plane).gamma_multiply(0.5)),
            egui::StrokeKind::Inside,
        );
    }
    if !volume.notes.is_empty() {
        ui.painter().text(
            egui::pos2(area.left() + 4.0, area.bottom() - 4.0),
            egui::Align2::LEFT_BOTTOM,
            volume.notes.join(" · "),
            egui::FontId::proportional(13.0),
            egui::Color32::from_rgb(240, 190, 90),
        );
    }
    commands
}

/// Reads series `uid` of `index` as a volume and puts it on its grid.
fn build_volume(index: &Index, uid: &str) -> Result<LoadedVolume, String> {
    let series = index
        .series()
        .find(|s| s.series_uid == uid)
        .ok_or_else(|| format!("series {uid} is no longer in the release"))?;
    let volume = Volume::load(series).map_err(|e| e.to_string())?;
    let grid = VoxelGrid::from_volume(&volume);
    let mut notes = volume.check.warnings.clone();
    notes.extend(grid.notes.iter().cloned());
    Ok(LoadedVolume {
        grid: Arc::new(grid),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpr::grid::Texels;

    fn grid() -> VoxelGrid {
        VoxelGrid {
            dims: [100, 80, 40],
            spacing_mm: [0.5, 0.5, 2.0],
            origin_mm: [0.0; 3],
            axes: IDENTITY,
            texels: Texels::F32(vec![0.0; 100 * 80 * 40]),
            notes: Vec::new(),
        }
    }

    #[test]
    fn each_view_passes_through_the_cursor_and_steps_one_voxel() {
        let g = grid();
        let window = Window {
            center: 40.0,
            width: 400.0,
            function: crate::window::VoiFunction::Linear,
        };
        let mut cam = MprCamera::centred(&g, window, false);
        cam.cursor_mm = [10.0, 12.0, 30.0];
        for plane in ViewPlane::ALL {
            let f = cam.frame(&g, plane, [400.0, 300.0]);
            let off = dot(sub(cam.cursor_mm, f.centre_mm), f.normal());
            assert!(off.abs() < 1e-9, "{plane:?}");
        }
        // 80 mm across 300 points.
        assert!(
            (cam.frame(&g, ViewPlane::Axial, [400.0, 300.0]).mm_per_px - 80.0 / 300.0).abs()
                < 1e-12
        );
        assert_eq!(cam.step_mm(&g, ViewPlane::Axial), 2.0);
        assert_eq!(cam.step_mm(&g, ViewPlane::Coronal), 0.5);
    }
}
