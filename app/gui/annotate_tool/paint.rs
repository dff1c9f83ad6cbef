//! Painting the shapes of a frame: every outline through the GPU layer of
//! [`crate::gui::gpu::shapes`], uploaded only when the shapes change, and through egui
//! only what changes every frame (the shape being dragged, the selection's handles and
//! tag).
//!
//! The segments are built on the CPU once per change of what is shown, keyed by the
//! collection's revision, the ids shown, the selection, the dragged shape and the label
//! colours, and kept in egui's memory; a frame that pans or zooms only writes the
//! 48-byte [`ShapeUniforms`]. `benches/annotation_speed.rs` measures it.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use eframe::egui_wgpu;
use egui::{Align2, Color32, FontId, Painter, Rect, Stroke, Vec2};

use super::{AnnotationView, ToScreen, label_colour, screen_ring};
use crate::annotate::{Grade, Shape, ShapeKind};
use crate::gui::gpu::Affine2;
use crate::gui::gpu::shapes::{Segment, ShapeLayer, ShapePipeline, ShapeUniforms};

/// Radius (points) of a point shape's circle.
const POINT_RADIUS: f32 = 5.0;
/// Half length (points) of a point shape's cross.
const POINT_CROSS: f32 = 8.0;
/// Edges of a point shape's circle.
const POINT_CIRCLE_EDGES: usize = 24;

/// GPU resources of the shape layers of all viewports, kept in egui-wgpu's callback
/// resources (inserted when the app starts on wgpu).
pub struct ShapeLayerResources {
    pipeline: ShapePipeline,
    layers: HashMap<u64, ShapeLayer>,
}

impl ShapeLayerResources {
    /// Builds the pipeline once for the window's target format.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        Self {
            pipeline: ShapePipeline::new(device, format),
            layers: HashMap::new(),
        }
    }
}

/// Paints every shape of the frame (`dragged` in place of the stored shape of its id):
/// the outlines through the GPU layer `layer`, the dragged shape, the selection's
/// handles and its tag with `painter`.
pub(super) fn paint_shapes(
    painter: &Painter,
    layer: egui::Id,
    to: &ToScreen<'_>,
    view: &AnnotationView<'_>,
    dragged: Option<&Shape>,
) {
    let dragged_id = dragged.map(|d| d.id.as_str());
    let key = layer_key(view, dragged_id);
    let cache_id = layer.with("segments");
    let cached: Option<(u64, Arc<Vec<Segment>>)> = painter.ctx().data(|d| d.get_temp(cache_id));
    let segments = match cached {
        Some((k, segments)) if k == key => segments,
        _ => {
            let built = Arc::new(segments(view, dragged_id));
            painter
                .ctx()
                .data_mut(|d| d.insert_temp(cache_id, (key, Arc::clone(&built))));
            built
        }
    };
    let ppp = painter.ctx().pixels_per_point();
    painter.add(egui_wgpu::Callback::new_paint_callback(
        to.rect,
        ShapeLayerCallback {
            layer: layer.value(),
            key,
            segments,
            uniforms: uniforms(to.affine, to.rect, ppp),
        },
    ));
    if let Some(shape) = dragged {
        let (width, colour) = outline_style(view, shape);
        paint_outline(painter, to, shape, Stroke::new(width, colour));
    }
    if let Some(sel) = view.selection
        && let Some(shape) = dragged
            .filter(|d| d.id == sel.id)
            .or_else(|| view.shapes.iter().copied().find(|s| s.id == sel.id))
    {
        paint_selection(painter, to, view, shape, sel.vertex);
    }
}

/// The width (points) and colour of a shape's outline: the selected one thicker,
/// another annotator's thinner and dimmer, so the two sets stay apart on screen as
/// they do in the store.
fn outline_style(view: &AnnotationView<'_>, shape: &Shape) -> (f32, Color32) {
    let selected = view.selection.is_some_and(|s| s.id == shape.id);
    let own = shape.annotator == view.annotator;
    let colour = label_colour(view.labels, &shape.label);
    let width = if selected {
        2.5
    } else if own {
        1.5
    } else {
        1.0
    };
    (
        width,
        if own {
            colour
        } else {
            colour.gamma_multiply(0.7)
        },
    )
}

/// What the layer's segments depend on, hashed: the collection's revision, the shapes
/// shown, the dragged one (left out), the selection, the viewer's annotator and the
/// label colours. Hashing ids, not vertices, keeps it well under a millisecond for
/// 5,000 shapes.
fn layer_key(view: &AnnotationView<'_>, dragged: Option<&str>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    view.revision.hash(&mut h);
    view.shapes.len().hash(&mut h);
    for shape in &view.shapes {
        shape.id.hash(&mut h);
    }
    dragged.hash(&mut h);
    view.selection.map(|s| s.id.as_str()).hash(&mut h);
    view.annotator.hash(&mut h);
    for label in &view.labels.labels {
        label.name.hash(&mut h);
        label.colour.hash(&mut h);
    }
    h.finish()
}

/// The segments of every outline shown but the dragged one: each edge of a ring (closed),
/// a point's circle and cross.
fn segments(view: &AnnotationView<'_>, dragged: Option<&str>) -> Vec<Segment> {
    let edges: usize = view.shapes.iter().map(|s| s.points.len().max(2)).sum();
    let mut out = Vec::with_capacity(edges);
    for shape in view
        .shapes
        .iter()
        .filter(|s| Some(s.id.as_str()) != dragged)
    {
        let (width_pt, colour) = outline_style(view, shape);
        let colour = u32::from_le_bytes(colour.to_array());
        let segment =
            |a: [f64; 2], b: [f64; 2], a_offset_pt: [f32; 2], b_offset_pt: [f32; 2]| Segment {
                a: [a[0] as f32, a[1] as f32],
                b: [b[0] as f32, b[1] as f32],
                a_offset_pt,
                b_offset_pt,
                colour,
                width_pt,
            };
        if shape.kind == ShapeKind::Point {
            let Some(&p) = shape.points.first() else {
                continue;
            };
            let on_circle = |k: usize| {
                let t = k as f32 / POINT_CIRCLE_EDGES as f32 * std::f32::consts::TAU;
                [POINT_RADIUS * t.cos(), POINT_RADIUS * t.sin()]
            };
            out.extend(
                (0..POINT_CIRCLE_EDGES).map(|k| segment(p, p, on_circle(k), on_circle(k + 1))),
            );
            out.push(segment(p, p, [-POINT_CROSS, 0.0], [POINT_CROSS, 0.0]));
            out.push(segment(p, p, [0.0, -POINT_CROSS], [0.0, POINT_CROSS]));
        } else if shape.points.len() >= 2 {
            let n = shape.points.len();
            out.extend((0..n).map(|i| {
                segment(
                    shape.points[i],
                    shape.points[(i + 1) % n],
                    [0.0; 2],
                    [0.0; 2],
                )
            }));
        }
    }
    out
}

/// The layer's uniforms: `to_screen` (points, from the viewport's corner) scaled to
/// physical pixels.
fn uniforms(to_screen: &Affine2, rect: Rect, pixels_per_point: f32) -> ShapeUniforms {
    let ppp = f64::from(pixels_per_point);
    let row = |r: [f64; 3]| {
        [
            (r[0] * ppp) as f32,
            (r[1] * ppp) as f32,
            (r[2] * ppp) as f32,
            0.0,
        ]
    };
    ShapeUniforms {
        xform_x: row(to_screen.rows[0]),
        xform_y: row(to_screen.rows[1]),
        viewport_px: [
            rect.width() * pixels_per_point,
            rect.height() * pixels_per_point,
        ],
        pixels_per_point,
        _pad: 0.0,
    }
}

/// One shape's outline with egui (the shape being dragged, which changes every frame).
fn paint_outline(painter: &Painter, to: &ToScreen<'_>, shape: &Shape, stroke: Stroke) {
    if shape.kind == ShapeKind::Point {
        if let Some(p) = shape.points.first().map(|p| to.pos(*p)) {
            painter.circle_stroke(p, POINT_RADIUS, stroke);
            painter.line_segment(
                [p - Vec2::X * POINT_CROSS, p + Vec2::X * POINT_CROSS],
                stroke,
            );
            painter.line_segment(
                [p - Vec2::Y * POINT_CROSS, p + Vec2::Y * POINT_CROSS],
                stroke,
            );
        }
    } else {
        let ring = screen_ring(to, &shape.points);
        if ring.len() >= 2 {
            painter.add(egui::Shape::closed_line(ring, stroke));
        }
    }
}

/// The selected shape's vertex handles (the selected vertex larger) and its label and
/// grade above it.
fn paint_selection(
    painter: &Painter,
    to: &ToScreen<'_>,
    view: &AnnotationView<'_>,
    shape: &Shape,
    vertex: Option<usize>,
) {
    for (i, p) in shape.points.iter().enumerate() {
        let q = to.pos(*p);
        let r = if vertex == Some(i) { 5.0 } else { 3.5 };
        let handle = Rect::from_center_size(q, Vec2::splat(r * 2.0));
        painter.rect_filled(handle, 0.0, Color32::WHITE);
        painter.rect_stroke(
            handle,
            0.0,
            Stroke::new(1.0, Color32::BLACK),
            egui::StrokeKind::Middle,
        );
    }
    let tag = match shape.grade {
        Grade::None => shape.label.clone(),
        g => format!("{} · {}", shape.label, g.as_str()),
    };
    let Some(top) = shape
        .points
        .iter()
        .map(|p| to.pos(*p))
        .min_by(|a, b| a.y.total_cmp(&b.y))
    else {
        return;
    };
    let pos = top - Vec2::new(0.0, 6.0);
    let colour = label_colour(view.labels, &shape.label);
    for (offset, colour) in [(Vec2::splat(1.0), Color32::BLACK), (Vec2::ZERO, colour)] {
        painter.text(
            pos + offset,
            Align2::CENTER_BOTTOM,
            &tag,
            FontId::proportional(12.0),
            colour,
        );
    }
}

/// Uploads a viewport's segments when they changed and writes its uniforms every frame.
struct ShapeLayerCallback {
    layer: u64,
    key: u64,
    segments: Arc<Vec<Segment>>,
    uniforms: ShapeUniforms,
}

impl egui_wgpu::CallbackTrait for ShapeLayerCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(res) = resources.get_mut::<ShapeLayerResources>() else {
            return Vec::new();
        };
        let ShapeLayerResources { pipeline, layers } = res;
        let layer = layers
            .entry(self.layer)
            .or_insert_with(|| ShapeLayer::new(device, pipeline));
        layer.upload(device, queue, self.key, &self.segments);
        layer.write_uniforms(queue, &self.uniforms);
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        render_pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        if let Some(res) = resources.get::<ShapeLayerResources>()
            && let Some(layer) = res.layers.get(&self.layer)
        {
            layer.paint(render_pass, &res.pipeline);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::{LabelSet, ShapeImage};
    use crate::gui::annotate_tool::ShapeSelection;
    use crate::measure::PixelSpacing;

    fn shape(id: &str, kind: ShapeKind, points: Vec<[f64; 2]>) -> Shape {
        Shape {
            id: id.into(),
            kind,
            label: "nodule".into(),
            image: ShapeImage {
                study_uid: "1".into(),
                series_uid: "1.2".into(),
                sop_uid: "1.2.3".into(),
                file_name: "IM1".into(),
                frame: 1,
            },
            points,
            grade: Grade::None,
            score: None,
            source: None,
            source_parameters: Default::default(),
            note: String::new(),
            annotator: "me".into(),
            created: String::new(),
            modified: String::new(),
        }
    }

    fn view<'a>(shapes: &'a [Shape], labels: &'a LabelSet, revision: u64) -> AnnotationView<'a> {
        AnnotationView {
            shapes: shapes.iter().collect(),
            revision,
            labels,
            selection: None,
            draw_label: "nodule",
            annotator: "me",
            image: None,
            spacing: PixelSpacing::UNCALIBRATED,
            freehand_tolerance_mm: 0.2,
            segment_window: None,
            segment_three_d: false,
            brush_radius_mm: 3.0,
            seeds: None,
            display: None,
        }
    }

    #[test]
    fn one_segment_per_edge_a_point_as_circle_and_cross_the_dragged_left_out() {
        let shapes = [
            shape(
                "a",
                ShapeKind::Polygon,
                vec![[0.0, 0.0], [4.0, 0.0], [4.0, 3.0]],
            ),
            shape("b", ShapeKind::Point, vec![[2.0, 2.0]]),
            shape(
                "c",
                ShapeKind::Rectangle,
                vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
            ),
        ];
        let labels = LabelSet::default();
        let v = view(&shapes, &labels, 1);
        assert_eq!(segments(&v, None).len(), 3 + POINT_CIRCLE_EDGES + 2 + 4);
        assert_eq!(segments(&v, Some("c")).len(), 3 + POINT_CIRCLE_EDGES + 2);
        // The ring closes: the last edge runs from the last vertex back to the first.
        let s = segments(&v, None);
        assert_eq!((s[2].a, s[2].b), ([4.0, 3.0], [0.0, 0.0]));
    }

    #[test]
    fn the_key_follows_revision_selection_dragging_and_ids_shown() {
        let shapes = [
            shape(
                "a",
                ShapeKind::Polygon,
                vec![[0.0, 0.0], [4.0, 0.0], [4.0, 3.0]],
            ),
            shape(
                "b",
                ShapeKind::Polygon,
                vec![[1.0, 0.0], [5.0, 0.0], [5.0, 3.0]],
            ),
        ];
        let labels = LabelSet::default();
        let base = layer_key(&view(&shapes, &labels, 1), None);
        assert_eq!(base, layer_key(&view(&shapes, &labels, 1), None), "stable");
        assert_ne!(
            base,
            layer_key(&view(&shapes, &labels, 2), None),
            "revision"
        );
        assert_ne!(
            base,
            layer_key(&view(&shapes[..1], &labels, 1), None),
            "ids shown"
        );
        assert_ne!(
            base,
            layer_key(&view(&shapes, &labels, 1), Some("a")),
            "dragged"
        );
        let selection = ShapeSelection {
            id: "a".into(),
            vertex: None,
        };
        let mut selected = view(&shapes, &labels, 1);
        selected.selection = Some(&selection);
        assert_ne!(base, layer_key(&selected, None), "selection");
    }
}
