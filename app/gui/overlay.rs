//! Text and marks drawn over the image: corner annotations, orientation letters, scale bar.
//!
//! Only what a de-identified release carries is shown; patient name and birth date
//! never are.

use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Stroke, Vec2};

use super::gpu::Affine2;
use super::viewport::ViewportInput;
use crate::measure::scale_bar;
use crate::window::Voi;

/// Draws the overlays of a viewport.
pub fn draw(
    painter: &Painter,
    rect: Rect,
    input: &ViewportInput<'_>,
    voi: &Voi,
    zoom: f32,
    to_screen: &Affine2,
) {
    let font = FontId::monospace(12.0);
    let colour = Color32::from_rgb(230, 230, 150);
    let inst = input.instance;
    let text_of = |v: &Option<String>| v.clone().unwrap_or_default();
    let margin = 6.0;
    let corner = |align: Align2, lines: Vec<String>| {
        let lines: Vec<String> = lines.into_iter().filter(|l| !l.trim().is_empty()).collect();
        let text = lines.join("\n");
        let pos = match align {
            Align2::LEFT_TOP => rect.left_top() + Vec2::splat(margin),
            Align2::RIGHT_TOP => rect.right_top() + Vec2::new(-margin, margin),
            Align2::LEFT_BOTTOM => rect.left_bottom() + Vec2::new(margin, -margin),
            _ => rect.right_bottom() - Vec2::splat(margin),
        };
        painter.text(
            pos + Vec2::splat(1.0),
            align,
            &text,
            font.clone(),
            Color32::BLACK,
        );
        painter.text(pos, align, text, font.clone(), colour);
    };
    if let Some(inst) = inst {
        corner(
            Align2::LEFT_TOP,
            vec![
                format!("{} {}", text_of(&inst.modality), text_of(&inst.body_part)),
                text_of(&inst.series_description),
                inst.series_number
                    .map(|n| format!("Se {n}"))
                    .unwrap_or_default(),
            ],
        );
        corner(
            Align2::RIGHT_TOP,
            vec![
                text_of(&inst.study_description),
                text_of(&inst.study_date),
                format!(
                    "{} {}",
                    text_of(&inst.patient_sex),
                    text_of(&inst.patient_age)
                ),
            ],
        );
        let slice = input.state.slice + 1;
        corner(
            Align2::LEFT_BOTTOM,
            vec![
                format!("Im {slice}/{}", input.frame_count),
                inst.slice_location_mm
                    .map(|z| format!("Loc {z:.1} mm"))
                    .unwrap_or_default(),
                inst.slice_thickness_mm
                    .map(|t| format!("Thk {t:.1} mm"))
                    .unwrap_or_default(),
            ],
        );
    }
    let wl = match voi {
        Voi::Window(w) => format!("W {:.0} L {:.0}", w.width, w.center),
        Voi::Lut(_) => "VOI LUT".to_owned(),
    };
    corner(
        Align2::RIGHT_BOTTOM,
        vec![
            if input.state.voi_label.is_empty() {
                wl.clone()
            } else {
                format!("{wl} ({})", input.state.voi_label)
            },
            format!("Zoom {:.0}%", zoom * 100.0),
        ],
    );
    if let Some(o) = inst.and_then(|i| i.orientation) {
        orientation_letters(painter, rect, o, to_screen);
    }
    if let Some(inst) = inst {
        let spacing = inst.pixel_spacing();
        if spacing.is_calibrated() {
            draw_scale_bar(
                painter,
                rect,
                spacing.col_mm / f64::from(zoom),
                spacing.at_detector(),
            );
        }
    }
}

/// The patient direction a unit vector points to most: L/R, P/A, H/F (LPS axes).
pub fn direction_letter(v: [f64; 3]) -> Option<char> {
    let (i, c) = v
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(i, c)| (i, *c))?;
    if c.abs() < 1e-6 {
        return None;
    }
    Some(match (i, c > 0.0) {
        (0, true) => 'L',
        (0, false) => 'R',
        (1, true) => 'P',
        (1, false) => 'A',
        (2, true) => 'H',
        _ => 'F',
    })
}

fn opposite(c: char) -> char {
    match c {
        'L' => 'R',
        'R' => 'L',
        'P' => 'A',
        'A' => 'P',
        'H' => 'F',
        _ => 'H',
    }
}

/// Letters at the middle of each edge, following rotation and flips.
fn orientation_letters(painter: &Painter, rect: Rect, o: [f64; 6], to_screen: &Affine2) {
    let row = [o[0], o[1], o[2]];
    let col = [o[3], o[4], o[5]];
    let (Some(right), Some(down)) = (direction_letter(row), direction_letter(col)) else {
        return;
    };
    // Where do +x (row direction) and +y (column direction) point on screen?
    let origin = to_screen.apply([0.0, 0.0]);
    let ex = to_screen.apply([1.0, 0.0]);
    let ey = to_screen.apply([0.0, 1.0]);
    let dx = [ex[0] - origin[0], ex[1] - origin[1]];
    let dy = [ey[0] - origin[0], ey[1] - origin[1]];
    // For each screen side, the image axis pointing there and its sign.
    let letter_towards = |screen: [f64; 2]| -> char {
        let (px, py) = (
            dx[0] * screen[0] + dx[1] * screen[1],
            dy[0] * screen[0] + dy[1] * screen[1],
        );
        if px.abs() >= py.abs() {
            if px > 0.0 { right } else { opposite(right) }
        } else if py > 0.0 {
            down
        } else {
            opposite(down)
        }
    };
    let font = FontId::proportional(16.0);
    let c = Color32::from_rgb(255, 200, 80);
    let m = 18.0;
    for (screen, pos, align) in [
        (
            [1.0, 0.0],
            Pos2::new(rect.right() - m, rect.center().y),
            Align2::RIGHT_CENTER,
        ),
        (
            [-1.0, 0.0],
            Pos2::new(rect.left() + m, rect.center().y),
            Align2::LEFT_CENTER,
        ),
        (
            [0.0, 1.0],
            Pos2::new(rect.center().x, rect.bottom() - m),
            Align2::CENTER_BOTTOM,
        ),
        (
            [0.0, -1.0],
            Pos2::new(rect.center().x, rect.top() + m),
            Align2::CENTER_TOP,
        ),
    ] {
        painter.text(
            pos,
            align,
            letter_towards(screen).to_string(),
            font.clone(),
            c,
        );
    }
}

/// A horizontal scale bar along the bottom edge.
fn draw_scale_bar(painter: &Painter, rect: Rect, mm_per_point: f64, at_detector: bool) {
    let Some(bar) = scale_bar(mm_per_point, f64::from(rect.width() * 0.25)) else {
        return;
    };
    // Above the bottom orientation letter.
    let y = rect.bottom() - 44.0;
    let x1 = rect.center().x + (bar.width_px as f32) / 2.0;
    let x0 = x1 - bar.width_px as f32;
    let stroke = Stroke::new(2.0, Color32::from_rgb(230, 230, 150));
    painter.line_segment([Pos2::new(x0, y), Pos2::new(x1, y)], stroke);
    for x in [x0, x1] {
        painter.line_segment([Pos2::new(x, y - 5.0), Pos2::new(x, y + 5.0)], stroke);
    }
    let label = if at_detector {
        format!("{} *", bar.label())
    } else {
        bar.label()
    };
    painter.text(
        Pos2::new((x0 + x1) / 2.0, y - 6.0),
        Align2::CENTER_BOTTOM,
        label,
        FontId::monospace(11.0),
        stroke.color,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_of_an_axial_slice() {
        // Axial: rows run to the patient's left, columns to posterior.
        assert_eq!(direction_letter([1.0, 0.0, 0.0]), Some('L'));
        assert_eq!(direction_letter([0.0, 1.0, 0.0]), Some('P'));
        assert_eq!(direction_letter([0.0, 0.0, -1.0]), Some('F'));
        assert_eq!(direction_letter([0.0, 0.0, 0.0]), None);
        assert_eq!(opposite('L'), 'R');
    }
}
