//! Black-box tests of the command line: outputs, and errors that name the file and never panic.

mod common;

use std::process::Output;

use common::*;

/// Asserts a clean failure: exit code 2, one `error:` line naming `needle`, no panic.
fn assert_clean_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit code 2; stderr: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains(needle),
        "stderr should mention {needle:?}: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn bad_inputs_fail_cleanly_with_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let png = tmp.path().join("x.png");
    let p = s(&png);
    let thumbs = sample_images().join("ST0009/SE0002/Thumbs.db");
    assert_clean_error(&lightbox(&["render", s(&thumbs), "--out", p]), "Thumbs.db");
    assert_clean_error(
        &lightbox(&["render", "/no/such/file.dcm", "--out", p]),
        "/no/such/file.dcm",
    );
    let truncated = sample_images().join("ST0009/SE0002/IM0099.dcm");
    assert_clean_error(
        &lightbox(&["decode", s(&truncated), "--out", p]),
        "IM0099.dcm",
    );
    let ct = sample_images().join("ST0001/SE0002/IM0001.dcm");
    assert_clean_error(
        &lightbox(&["render", s(&ct), "--frame", "5", "--out", p]),
        "frame 5 out of range",
    );
    assert_clean_error(
        &lightbox(&["render", s(&ct), "--preset", "nope", "--out", p]),
        "lung",
    );
    assert_clean_error(&lightbox(&["index", "/no/such/folder"]), "/no/such/folder");
    assert!(!png.exists(), "nothing written on failure");
}

#[test]
fn unsupported_transfer_syntax_is_named() {
    use dicom_core::value::{PixelFragmentSequence, Value};
    use dicom_core::{DataElement, PrimitiveValue, VR};
    use dicom_dictionary_std::tags;
    use dicom_object::InMemDicomObject;

    let tmp = tempfile::tempdir().unwrap();
    let mut obj = InMemDicomObject::new_empty();
    for (tag, vr, v) in [
        (
            tags::SOP_CLASS_UID,
            VR::UI,
            "1.2.840.10008.5.1.4.1.1.77.1.4.1",
        ),
        (tags::SOP_INSTANCE_UID, VR::UI, "2.25.1"),
        (tags::STUDY_INSTANCE_UID, VR::UI, "2.25.2"),
        (tags::SERIES_INSTANCE_UID, VR::UI, "2.25.3"),
        (tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "YBR_PARTIAL_420"),
    ] {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(v)));
    }
    for (tag, v) in [
        (tags::ROWS, 16u16),
        (tags::COLUMNS, 16),
        (tags::SAMPLES_PER_PIXEL, 3),
        (tags::BITS_ALLOCATED, 8),
        (tags::BITS_STORED, 8),
        (tags::HIGH_BIT, 7),
    ] {
        obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(v)));
    }
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        Value::PixelSequence(PixelFragmentSequence::new(
            Vec::<u32>::new(),
            vec![vec![0u8; 8]],
        )),
    ));
    let mpeg = write_dicom(obj, "1.2.840.10008.1.2.4.100", &tmp.path().join("mpeg.dcm"));
    let out = lightbox(&["decode", s(&mpeg), "--out", s(&tmp.path().join("x.npy"))]);
    assert_clean_error(&out, "unsupported transfer syntax MPEG2");
    assert_clean_error(&out, "(1.2.840.10008.1.2.4.100)");
}

#[test]
fn render_writes_grey_or_rgb_as_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let grey = tmp.path().join("cr.png");
    lightbox_ok(&[
        "render",
        s(&sample_images().join("ST0004/SE0001/IM0001.dcm")),
        "--out",
        s(&grey),
    ]);
    let (w, h, c, px) = read_png(&grey);
    assert_eq!((w, h, c), (448, 512, 1));
    // MONOCHROME1: the air around the body has the highest stored values and shows black.
    assert!(px[0] < 20, "corner is {}", px[0]);
    let colour = tmp.path().join("us.png");
    lightbox_ok(&[
        "render",
        s(&sample_images().join("ST0005/SE0001/IM0001.dcm")),
        "--frame",
        "3",
        "--out",
        s(&colour),
    ]);
    assert_eq!(read_png(&colour).2, 3);
}

#[test]
fn decode_writes_modality_values() {
    let tmp = tempfile::tempdir().unwrap();
    let v = decode(
        &sample_images().join("ST0001/SE0002/IM0016.dcm"),
        0,
        tmp.path(),
    );
    assert_eq!(v.shape, vec![256, 256]);
    // Centre of the phantom's chest at this level is soft tissue (~30-45 HU); the corner is padding (-2000 - 1024).
    let centre = v.values[128 * 256 + 140];
    assert!(
        (-20.0..100.0).contains(&centre),
        "soft tissue, got {centre}"
    );
    assert_eq!(v.values[0], -3024.0);
}

#[test]
fn opening_a_missing_folder_fails_before_any_window() {
    let out = lightbox(&["/no/such/release"]);
    assert_clean_error(&out, "not a folder: /no/such/release");
}
