//! Reference lines in 2-D viewports (kittest): an axial and a sagittal series of one
//! frame of reference, side by side. The axial viewport shows the sagittal image's plane
//! (x = 30 mm) as a vertical line in the sagittal viewport's colour, at image column
//! 30.5; the sagittal viewport shows the axial plane as a horizontal line.
#![cfg(feature = "gui")]

use std::path::Path;

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use egui_kittest::Harness;

mod common;
use common::gui::{has_label, wait_for};
use common::{CtSlice, write_ct_slice};

use lightbox::gui::LightboxApp;
use lightbox::gui::command::{Command, SeriesRef};
use lightbox::gui::state::Layout;

const STUDY: &str = "2.25.4242";
const AXIAL: &str = "2.25.4242.1";
const SAGITTAL: &str = "2.25.4242.2";

/// A 64² slice of 1 mm pixels at `position` facing `orientation`, in one frame of reference.
fn slice(dir: &Path, series: &str, k: usize, position: [f64; 3], orientation: &str) {
    let path = dir.join(format!("{series}.{k}.dcm"));
    let sop = format!("{series}.{k}");
    write_ct_slice(
        &path,
        &CtSlice {
            study_uid: STUDY,
            series_uid: series,
            sop_uid: &sop,
            patient_id: "P",
            number: k + 1,
            size: 64,
            pixel_mm: 1.0,
            z_mm: 0.0,
            hu: (0..64 * 64).map(|i| (i % 64) as i16 * 10).collect(),
        },
    );
    let mut obj = dicom_object::open_file(&path).expect("reopen");
    let ipp = format!("{}\\{}\\{}", position[0], position[1], position[2]);
    for (tag, value) in [
        (tags::IMAGE_POSITION_PATIENT, ipp.as_str()),
        (tags::IMAGE_ORIENTATION_PATIENT, orientation),
    ] {
        obj.put(DataElement::new(tag, VR::DS, PrimitiveValue::from(value)));
    }
    obj.put(DataElement::new(
        tags::FRAME_OF_REFERENCE_UID,
        VR::UI,
        PrimitiveValue::from("2.25.4242.9"),
    ));
    obj.write_to_file(&path).expect("rewrite");
}

/// Screen columns (or rows) of `colour` within `x_range`; (positions, count).
fn coloured(image: &image::RgbaImage, colour: [u8; 3]) -> Vec<(u32, u32)> {
    image
        .enumerate_pixels()
        .filter(|(_, _, p)| p[0] == colour[0] && p[1] == colour[1] && p[2] == colour[2])
        .map(|(x, y, _)| (x, y))
        .collect()
}

#[test]
fn each_viewport_shows_where_the_other_cuts_it() {
    let runtime = tempfile::tempdir().expect("runtime dir");
    let cache = tempfile::tempdir().expect("cache dir");
    // SAFETY: set before any thread of the test reads the environment.
    unsafe {
        std::env::set_var("XDG_RUNTIME_DIR", runtime.path());
        std::env::set_var("XDG_CACHE_HOME", cache.path());
    }
    let dir = tempfile::tempdir().expect("release");
    for k in 0..5 {
        slice(
            dir.path(),
            AXIAL,
            k,
            [0.0, 0.0, 10.0 * k as f64],
            "1\\0\\0\\0\\1\\0",
        );
    }
    for k in 0..3 {
        // Rows run down in z from z = 40, columns along +y.
        slice(
            dir.path(),
            SAGITTAL,
            k,
            [20.0 + 10.0 * k as f64, 0.0, 40.0],
            "0\\1\\0\\0\\0\\-1",
        );
    }
    let root = dir.path().to_path_buf();
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .wgpu()
        .build_eframe(move |cc| LightboxApp::new(cc, Some(root), None));
    wait_for(&mut h, "the release", |h| h.state().annotations().is_some());
    let ctx = h.ctx.clone();
    let series = |uid: &str| SeriesRef {
        study_uid: STUDY.to_owned(),
        series_uid: uid.to_owned(),
    };
    for c in [
        Command::SetApplyHanging(false),
        Command::SetLayout(Layout::OneByTwo),
        Command::ShowSeries {
            viewport: 1,
            series: series(SAGITTAL),
        },
        Command::Scroll {
            viewport: 1,
            delta: 1,
        },
        Command::ShowSeries {
            viewport: 0,
            series: series(AXIAL),
        },
        Command::ToggleLinkedScrolling,
        Command::Scroll {
            viewport: 0,
            delta: 2,
        },
    ] {
        h.state_mut().apply(&ctx, c);
    }
    wait_for(&mut h, "the axial image drawn", |h| {
        has_label(h, "Slice 3/5") && h.state().screen_pos_of([0.0, 0.0]).is_some()
    });
    h.run_steps(3);
    let image = h.render().expect("render");
    image
        .save(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("reference_lines.png"))
        .expect("save");
    // In the axial viewport (the active one): the sagittal plane x = 30 mm, image column
    // 30.5, in viewport 2's colour, a vertical line.
    let sagittal_colour = lightbox_colour(1);
    let at = h.state().screen_pos_of([30.5, 32.0]).expect("drawn");
    let cols: Vec<(u32, u32)> = coloured(&image, sagittal_colour);
    assert!(
        cols.len() > 100,
        "a line in the sagittal viewport's colour: {}",
        cols.len()
    );
    let xs: std::collections::BTreeSet<u32> = cols.iter().map(|(x, _)| *x).collect();
    assert!(
        xs.iter().all(|x| (*x as f32 - at.x).abs() <= 1.5),
        "vertical at x {} (image column 30.5): {xs:?}",
        at.x
    );
    // In the sagittal viewport: the axial plane (z = 20 mm) as a horizontal line.
    let rows: Vec<(u32, u32)> = coloured(&image, lightbox_colour(0));
    let ys: std::collections::BTreeSet<u32> = rows.iter().map(|(_, y)| *y).collect();
    assert!(
        rows.len() > 100 && ys.len() <= 3,
        "a horizontal line: {ys:?}"
    );
}

/// The reference-line colour of viewport `v`, as RGB.
fn lightbox_colour(v: usize) -> [u8; 3] {
    let c = lightbox::gui::viewport_colour(v);
    [c.r(), c.g(), c.b()]
}
