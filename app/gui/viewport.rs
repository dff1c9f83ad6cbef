//! One viewport: what it shows, how the mouse and keys change it, and how it is painted.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Align2, Color32, FontId, PointerButton, Rect, Sense, Stroke, Vec2};

use super::annotate_tool::{self, AnnotationView};
use super::command::{Command, SeriesRef, VoiChoice};
use super::gpu::{
    ColourConversion, GpuImage, ImagePipeline, ImageUniforms, Interpolation, Mode, Placement,
};
use super::measure_tool::{self, Measurement, Tool};
use super::overlay;
use crate::display_frame::{CompactPixels, DisplayFrame};
use crate::index::{Instance, Series};
use crate::loader::FrameKey;
use crate::render::min_max_window;
use crate::window::{Voi, VoiFunction, Window};
use eframe::egui_wgpu;

/// The view of one viewport (not persisted: it belongs to the open release).
#[derive(Debug, Clone, Default)]
pub struct ViewportState {
    /// The series shown.
    pub series: Option<SeriesRef>,
    /// Index into the series' frames (instances × frames, in display order).
    pub slice: usize,
    /// The VOI in use; `None` until the first frame arrives (then the file's).
    pub voi: Option<VoiChoice>,
    /// Its display name.
    pub voi_label: String,
    /// User inversion on top of the file's presentation.
    pub invert: bool,
    /// Screen points per image pixel; `None` = fit.
    pub zoom: Option<f32>,
    /// Offset of the image centre from the viewport centre, in points.
    pub pan: Vec2,
    /// Clockwise quarter turns.
    pub quarter_turns: u32,
    /// Mirrored left↔right.
    pub flip_h: bool,
    /// Mirrored top↔bottom.
    pub flip_v: bool,
    /// Cine playing.
    pub cine: bool,
    /// Fractional frames accumulated by cine.
    pub cine_accum: f64,
}

impl ViewportState {
    /// Resets the view of a newly shown series.
    pub fn show(&mut self, series: SeriesRef) {
        *self = Self {
            series: Some(series),
            ..Self::default()
        };
    }

    /// The effective zoom for an image in a viewport of `size` points.
    pub fn effective_zoom(&self, image: [f32; 2], size: Vec2) -> f32 {
        self.zoom
            .unwrap_or_else(|| fit_zoom(image, size, self.quarter_turns))
    }

    /// The window to apply to `frame`, resolving the automatic choices.
    pub fn resolved_voi(&self, frame: &DisplayFrame) -> Voi {
        let auto = |lo: f64, hi: f64| Voi::Window(min_max_window(lo, hi));
        match &self.voi {
            Some(VoiChoice::Window(w)) => Voi::Window(*w),
            Some(VoiChoice::File(i)) => frame
                .file_vois
                .get(*i)
                .map(|f| f.voi.clone())
                .unwrap_or_else(|| auto(frame.stats.min, frame.stats.max)),
            Some(VoiChoice::AutoPercentile) => auto(frame.stats.p1, frame.stats.p99),
            Some(VoiChoice::AutoMinMax) | None => match frame.file_vois.first() {
                Some(f) if self.voi.is_none() => f.voi.clone(),
                _ => auto(frame.stats.min, frame.stats.max),
            },
        }
    }
}

/// Zoom that fits the (rotated) image in the viewport.
pub fn fit_zoom(image: [f32; 2], size: Vec2, quarter_turns: u32) -> f32 {
    let (w, h) = if quarter_turns % 2 == 1 {
        (image[1], image[0])
    } else {
        (image[0], image[1])
    };
    (size.x / w.max(1.0)).min(size.y / h.max(1.0)).max(1e-3)
}

/// The frames of a series in display order.
pub fn frames_of(series: &Series) -> Vec<(FrameKey, usize)> {
    series
        .instances
        .iter()
        .enumerate()
        .flat_map(|(i, inst)| {
            let path: Arc<std::path::Path> = Arc::from(inst.path.as_path());
            (0..inst.frames).map(move |f| {
                (
                    FrameKey {
                        path: Arc::clone(&path),
                        frame: f,
                    },
                    i,
                )
            })
        })
        .collect()
}

/// What the viewport needs to draw itself this frame.
pub struct ViewportInput<'a> {
    /// Viewport index.
    pub index: usize,
    /// Whether keys act on it.
    pub active: bool,
    /// Its state.
    pub state: &'a ViewportState,
    /// The series shown.
    pub series: Option<&'a Series>,
    /// Total frames of the series.
    pub frame_count: usize,
    /// The instance of the current frame.
    pub instance: Option<&'a Instance>,
    /// The decoded current frame, when ready.
    pub frame: Option<Arc<DisplayFrame>>,
    /// Its key.
    pub key: Option<FrameKey>,
    /// A decode error for the current frame.
    pub error: Option<String>,
    /// Show the corner overlays.
    pub show_overlays: bool,
    /// What a left drag does.
    pub tool: Tool,
    /// Measurements on the current image.
    pub measurements: &'a [Measurement],
    /// The annotation shapes of the current frame, when a review is open.
    pub annotations: Option<AnnotationView<'a>>,
    /// Reference lines: where the other viewports' images cut this one (same frame of
    /// reference), in image coordinates, with each viewport's colour.
    pub reference_lines: Vec<([[f64; 2]; 2], Color32)>,
    /// The 3-D cursor projected onto this image (image coordinates), when it lies in
    /// this image's frame of reference.
    pub cursor_in_image: Option<[f64; 2]>,
}

/// Each viewport's colour for its reference lines in the others.
pub fn viewport_colour(index: usize) -> Color32 {
    const COLOURS: [Color32; 4] = [
        Color32::from_rgb(90, 170, 250),
        Color32::from_rgb(250, 170, 60),
        Color32::from_rgb(120, 220, 120),
        Color32::from_rgb(230, 110, 230),
    ];
    COLOURS[index % COLOURS.len()]
}

/// What the pointer is over, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hover {
    /// Pixel column and row.
    pub pixel: (u32, u32),
    /// The modality value there.
    pub value: Option<f64>,
}

/// Result of drawing a viewport.
pub struct ViewportOutput {
    /// Commands from mouse input.
    pub commands: Vec<Command>,
    /// What the pointer is over.
    pub hover: Option<Hover>,
    /// The image-to-screen map used (relative to the viewport's top left), when an
    /// image was drawn.
    pub to_screen: Option<super::gpu::Affine2>,
}

/// Draws one viewport in `rect` and turns mouse input into commands.
#[must_use]
pub fn viewport_ui(ui: &mut egui::Ui, rect: Rect, input: &ViewportInput<'_>) -> ViewportOutput {
    let mut commands = Vec::new();
    let id = ui.scope_id().with(("viewport", input.index));
    let response = ui.interact(rect, id, Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::BLACK);
    let i = input.index;
    if response.clicked() || response.drag_started() {
        commands.push(Command::Activate(i));
    }
    let mut hover = None;
    let mut drawn_transform = None;
    if let (Some(frame), Some(key)) = (&input.frame, &input.key) {
        let image = [frame.cols as f32, frame.rows as f32];
        let st = input.state;
        let zoom = st.effective_zoom(image, rect.size());
        let to_screen = Placement {
            image_size: [f64::from(image[0]), f64::from(image[1])],
            viewport_px: [f64::from(rect.width()), f64::from(rect.height())],
            zoom: f64::from(zoom),
            pan_px: [f64::from(st.pan.x), f64::from(st.pan.y)],
            quarter_turns: st.quarter_turns,
            flip_h: st.flip_h,
            flip_v: st.flip_v,
        }
        .to_screen();
        drawn_transform = Some(to_screen);
        let voi = st.resolved_voi(frame);
        let ppp = ui.ctx().pixels_per_point();
        let uniforms = uniforms_for(frame, st, &voi, rect, ppp, image, zoom);
        let lut = match &voi {
            Voi::Lut(l) => Some((
                l.data
                    .iter()
                    .map(|v| (f64::from(*v) / l.max_output()) as f32)
                    .collect(),
                l.first_mapped as f32,
            )),
            Voi::Window(_) => None,
        };
        ui.painter().add(egui_wgpu::Callback::new_paint_callback(
            rect,
            ImageCallback {
                viewport: i,
                key: key.clone(),
                frame: Arc::clone(frame),
                uniforms,
                lut,
            },
        ));
        if let Some(pos) = response.hover_pos() {
            let local = pos - rect.min;
            if let Some(inv) = to_screen.inverse() {
                let p = inv.apply([f64::from(local.x), f64::from(local.y)]);
                if p[0] >= 0.0
                    && p[1] >= 0.0
                    && p[0] < f64::from(frame.cols)
                    && p[1] < f64::from(frame.rows)
                {
                    let (c, r) = (p[0] as u32, p[1] as u32);
                    hover = Some(Hover {
                        pixel: (c, r),
                        value: frame.modality_value(c, r),
                    });
                }
            }
        }
        if input.show_overlays {
            overlay::draw(&painter, rect, input, &voi, zoom, &to_screen);
        }
        commands.extend(cursor_and_reference_lines(
            ui, &response, &painter, rect, input, &to_screen,
        ));
        let colour = Color32::from_rgb(255, 220, 60);
        for m in input.measurements {
            measure_tool::draw(
                &painter, rect, &to_screen, m.tool, &m.points, &m.label, colour,
            );
        }
        if let Some(view) = &input.annotations {
            commands.extend(annotate_tool::viewport_annotations(
                ui, &response, rect, input.tool, &to_screen, view,
            ));
        }
        if let Some(measurement) = measure_tool::handle_input(
            ui,
            &response,
            rect,
            input.tool,
            &to_screen,
            frame,
            input.instance,
        ) {
            commands.push(Command::AddMeasurement {
                key: key.clone(),
                measurement,
            });
        }
        mouse_commands(ui, &response, rect, input, frame, &voi, &mut commands);
    } else if let Some(err) = &input.error {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            err,
            FontId::proportional(14.0),
            Color32::LIGHT_RED,
        );
    } else if input.series.is_some() {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "…",
            FontId::proportional(24.0),
            Color32::GRAY,
        );
    }
    if let Some(delta) = scroll_steps(ui, &response) {
        commands.push(Command::Scroll { viewport: i, delta });
    }
    let border = if input.active {
        Color32::from_rgb(80, 160, 255)
    } else {
        Color32::from_gray(60)
    };
    painter.rect_stroke(
        rect.shrink(0.5),
        0.0,
        Stroke::new(1.0, border),
        egui::StrokeKind::Inside,
    );
    ViewportOutput {
        commands,
        hover,
        to_screen: drawn_transform,
    }
}

/// The other viewports' reference lines and the 3-D cursor's cross on this image; a
/// Shift+click or Shift+drag with the window/level tool moves the cursor here.
fn cursor_and_reference_lines(
    ui: &egui::Ui,
    response: &egui::Response,
    painter: &egui::Painter,
    rect: Rect,
    input: &ViewportInput<'_>,
    to_screen: &super::gpu::Affine2,
) -> Option<Command> {
    for ([a, b], colour) in &input.reference_lines {
        let at = |p: [f64; 2]| {
            let q = to_screen.apply(p);
            rect.min + Vec2::new(q[0] as f32, q[1] as f32)
        };
        painter.line_segment([at(*a), at(*b)], Stroke::new(1.0, *colour));
    }
    if let Some(p) = input.cursor_in_image {
        let q = to_screen.apply(p);
        let c = rect.min + Vec2::new(q[0] as f32, q[1] as f32);
        let stroke = Stroke::new(1.5, Color32::from_rgb(255, 230, 0));
        for d in [Vec2::X, Vec2::Y] {
            painter.line_segment([c - d * 9.0, c - d * 3.0], stroke);
            painter.line_segment([c + d * 3.0, c + d * 9.0], stroke);
        }
    }
    // Shift+click or Shift+drag with the window/level tool: the 3-D cursor.
    let shift = ui.input(|inp| inp.modifiers.shift);
    if input.tool == Tool::WindowLevel
        && shift
        && (response.clicked() || response.dragged_by(PointerButton::Primary))
        && let (Some(pos), Some(inv)) = (response.interact_pointer_pos(), to_screen.inverse())
    {
        let local = pos - rect.min;
        let point_in_image = inv.apply([f64::from(local.x), f64::from(local.y)]);
        return Some(Command::SetCursor3d {
            viewport: input.index,
            point_in_image,
        });
    }
    None
}

/// The wheel's vertical movement this frame, in raw notches/points (not smoothed).
pub fn wheel_y(input: &egui::InputState) -> f32 {
    input
        .events
        .iter()
        .map(|e| match e {
            egui::Event::MouseWheel { delta, .. } => delta.y,
            _ => 0.0,
        })
        .sum()
}

/// Wheel: one image per notch (Ctrl+wheel zooms, handled in `mouse_commands`).
fn scroll_steps(ui: &egui::Ui, response: &egui::Response) -> Option<i64> {
    if !response.hovered() {
        return None;
    }
    let (dy, ctrl) = ui.input(|i| (wheel_y(i), i.modifiers.command || i.modifiers.ctrl));
    if ctrl || dy == 0.0 {
        return None;
    }
    Some(if dy > 0.0 { -1 } else { 1 })
}

/// Left drag: window/level; right drag: zoom; middle drag: pan; Ctrl+wheel: zoom.
fn mouse_commands(
    ui: &egui::Ui,
    response: &egui::Response,
    rect: Rect,
    input: &ViewportInput<'_>,
    frame: &DisplayFrame,
    voi: &Voi,
    commands: &mut Vec<Command>,
) {
    let i = input.index;
    let delta = response.drag_delta();
    if input.tool == Tool::WindowLevel
        && response.dragged_by(PointerButton::Primary)
        && delta != Vec2::ZERO
        && !ui.input(|inp| inp.modifiers.shift)
    {
        let current = match voi {
            Voi::Window(w) => *w,
            Voi::Lut(_) => min_max_window(frame.stats.min, frame.stats.max),
        };
        // Sensitivity scales with the data range so CT (HU) and 8-bit data both feel right.
        let range = (frame.stats.max - frame.stats.min).max(64.0);
        let per_point = range / 1024.0;
        let window = Window {
            center: current.center + f64::from(delta.y) * per_point,
            width: (current.width + f64::from(delta.x) * per_point * 2.0).max(1.0),
            function: current.function,
        };
        commands.push(Command::SetVoi {
            viewport: i,
            voi: VoiChoice::Window(window),
            label: String::new(),
        });
    }
    if response.dragged_by(PointerButton::Secondary) && delta.y != 0.0 {
        commands.push(Command::Zoom {
            viewport: i,
            factor: (1.0 - delta.y * 0.01).clamp(0.5, 2.0),
            anchor: [0.0, 0.0],
        });
    }
    if response.dragged_by(PointerButton::Middle) && delta != Vec2::ZERO {
        commands.push(Command::Pan {
            viewport: i,
            delta: [delta.x, delta.y],
        });
    }
    if response.hovered() {
        let (dy, ctrl, pos) = ui.input(|inp| {
            (
                wheel_y(inp),
                inp.modifiers.command || inp.modifiers.ctrl,
                inp.pointer.hover_pos(),
            )
        });
        if ctrl && dy != 0.0 {
            let anchor = pos.map_or(Vec2::ZERO, |p| p - rect.center());
            commands.push(Command::Zoom {
                viewport: i,
                factor: if dy > 0.0 { 1.1 } else { 1.0 / 1.1 },
                anchor: [anchor.x, anchor.y],
            });
        }
    }
}

/// The shader uniforms for this frame and view.
fn uniforms_for(
    frame: &DisplayFrame,
    st: &ViewportState,
    voi: &Voi,
    rect: Rect,
    ppp: f32,
    image: [f32; 2],
    zoom: f32,
) -> ImageUniforms {
    let xform = Placement {
        image_size: [f64::from(image[0]), f64::from(image[1])],
        viewport_px: [
            f64::from(rect.width() * ppp),
            f64::from(rect.height() * ppp),
        ],
        zoom: f64::from(zoom * ppp),
        pan_px: [f64::from(st.pan.x * ppp), f64::from(st.pan.y * ppp)],
        quarter_turns: st.quarter_turns,
        flip_h: st.flip_h,
        flip_v: st.flip_v,
    }
    .to_clip();
    let colour_space = match &frame.pixels {
        CompactPixels::Colour8 { space, .. } => Some(*space),
        _ => None,
    };
    let mode = match (colour_space, voi) {
        (Some(_), _) => Mode::Colour,
        (None, Voi::Lut(_)) => Mode::VoiLut,
        (None, Voi::Window(w)) => match w.function {
            VoiFunction::Linear => Mode::Linear,
            VoiFunction::LinearExact => Mode::LinearExact,
            VoiFunction::Sigmoid => Mode::Sigmoid,
        },
    };
    let mut u = ImageUniforms::new(xform, mode);
    let (slope, intercept) = match &frame.modality {
        crate::window::ModalityTransform::Rescale { slope, intercept } => (*slope, *intercept),
        crate::window::ModalityTransform::Lut(_) => (1.0, 0.0),
    };
    u.slope = slope as f32;
    u.intercept = intercept as f32;
    if let Voi::Window(w) = voi {
        u.center = w.center as f32;
        u.width = w.width as f32;
    }
    u.invert = u32::from(colour_space.is_none() && (frame.inverted != st.invert));
    if let Some(space) = colour_space {
        u.colour_space = ColourConversion::from(space) as u32;
    }
    if let Some(p) = frame.padding_value {
        u.use_padding = 1;
        u.padding_value = match frame.modality {
            crate::window::ModalityTransform::Lut(_) => PADDING_AFTER_LUT,
            crate::window::ModalityTransform::Rescale { .. } => p,
        };
    }
    // Bilinear when magnified, like a PACS; nearest at and below 1:1 keeps pixels honest.
    u.interpolation = if zoom * ppp > 1.5 {
        Interpolation::Bilinear
    } else {
        Interpolation::Nearest
    } as u32;
    u
}

/// What padded pixels become when a Modality LUT is applied before upload (no LUT outputs it).
const PADDING_AFTER_LUT: f32 = -1.0e30;

/// GPU resources of all viewports, kept in egui-wgpu's callback resources.
pub struct ViewportResources {
    pipeline: ImagePipeline,
    images: HashMap<usize, (GpuImage, Option<FrameKey>)>,
}

impl ViewportResources {
    /// Builds the pipeline once for the window's target format.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        Self {
            pipeline: ImagePipeline::new(device, format),
            images: HashMap::new(),
        }
    }
}

/// Paints one viewport's image: uploads the frame when it changed, writes uniforms every frame.
struct ImageCallback {
    viewport: usize,
    key: FrameKey,
    frame: Arc<DisplayFrame>,
    uniforms: ImageUniforms,
    lut: Option<(Vec<f32>, f32)>,
}

impl egui_wgpu::CallbackTrait for ImageCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(res) = resources.get_mut::<ViewportResources>() else {
            return Vec::new();
        };
        let ViewportResources { pipeline, images } = res;
        let (image, shown) = images
            .entry(self.viewport)
            .or_insert_with(|| (GpuImage::new(device, pipeline), None));
        if shown.as_ref() != Some(&self.key) {
            let f = &self.frame;
            let uploaded = match &f.pixels {
                CompactPixels::Colour8 { triples, .. } => {
                    let rgba: Vec<u8> = triples
                        .chunks_exact(3)
                        .flat_map(|p| [p[0], p[1], p[2], 255])
                        .collect();
                    image.upload_rgba(device, queue, f.cols, f.rows, &rgba)
                }
                other => {
                    let stored = match &f.modality {
                        // A Modality LUT is applied here; the shader then sees slope 1, intercept 0.
                        crate::window::ModalityTransform::Lut(l) => (0..other.len())
                            .map(|i| {
                                let stored = other.stored(i);
                                if f.padding_value == Some(stored) {
                                    PADDING_AFTER_LUT
                                } else {
                                    l.lookup(f64::from(stored)) as f32
                                }
                            })
                            .collect(),
                        crate::window::ModalityTransform::Rescale { .. } => other.stored_f32(),
                    };
                    image.upload_grey(device, queue, f.cols, f.rows, &stored)
                }
            };
            if uploaded.is_ok() {
                *shown = Some(self.key.clone());
            }
        }
        if let Some((lut, first)) = &self.lut {
            let _ = image.set_voi_lut(device, queue, lut, *first);
        }
        image.write_uniforms(queue, &self.uniforms);
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        render_pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        if let Some(res) = resources.get::<ViewportResources>()
            && let Some((image, Some(_))) = res.images.get(&self.viewport)
        {
            image.paint(render_pass, &res.pipeline);
        }
    }
}
