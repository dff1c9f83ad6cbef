//! The cases dicom-pixeldata 0.10 gets wrong or refuses, and the rest of the grey-scale
//! pipeline, on tiny hand-built files whose expected values are computed by hand.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use lightbox::pixel::{DicomImage, FramePixels, Samples};
use lightbox::render::{VoiRequest, render_frame};

/// A minimal image data set: rows × cols, one sample, the given bits, `photometric`.
fn base(
    rows: u16,
    cols: u16,
    allocated: u16,
    stored: u16,
    signed: bool,
    photometric: &str,
) -> InMemDicomObject {
    let mut o = InMemDicomObject::new_empty();
    for (tag, vr, v) in [
        (tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.7"),
        (tags::SOP_INSTANCE_UID, VR::UI, "2.25.77"),
        (tags::STUDY_INSTANCE_UID, VR::UI, "2.25.78"),
        (tags::SERIES_INSTANCE_UID, VR::UI, "2.25.79"),
        (tags::PHOTOMETRIC_INTERPRETATION, VR::CS, photometric),
    ] {
        o.put(DataElement::new(tag, vr, PrimitiveValue::from(v)));
    }
    for (tag, v) in [
        (tags::ROWS, rows),
        (tags::COLUMNS, cols),
        (tags::SAMPLES_PER_PIXEL, 1),
        (tags::BITS_ALLOCATED, allocated),
        (tags::BITS_STORED, stored),
        (tags::HIGH_BIT, stored - 1),
        (tags::PIXEL_REPRESENTATION, u16::from(signed)),
    ] {
        o.put(DataElement::new(tag, VR::US, PrimitiveValue::from(v)));
    }
    o
}

fn put(o: &mut InMemDicomObject, tag: Tag, vr: VR, v: &str) {
    o.put(DataElement::new(tag, vr, PrimitiveValue::from(v)));
}

/// Writes `o` as explicit VR little endian.
fn write(o: InMemDicomObject, path: &Path) -> PathBuf {
    write_dicom(o, "1.2.840.10008.1.2.1", path)
}

fn grey(path: &Path, frame: u32) -> Samples {
    let img = DicomImage::open(path).unwrap();
    match img.decode_frame(frame).unwrap().pixels {
        FramePixels::Grey(s) => s,
        FramePixels::Rgb(_) => panic!("expected grey"),
    }
}

fn values(s: &Samples) -> Vec<f64> {
    (0..s.len()).map(|i| s.get(i)).collect()
}

#[test]
fn one_bit_frames_need_not_start_on_a_byte() {
    let tmp = tempfile::tempdir().unwrap();
    // 3×5 = 15 bits a frame, two frames; bits are packed least significant first.
    let bits: Vec<u8> = [
        1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, /* frame 1 */ 0, 1, 1, 0, 0, 1, 0, 1, 0,
        0, 0, 1, 1, 1, 1,
    ]
    .to_vec();
    let mut packed = vec![0u8; bits.len().div_ceil(8) + 1];
    for (i, b) in bits.iter().enumerate() {
        packed[i / 8] |= b << (i % 8);
    }
    let mut o = base(3, 5, 1, 1, false, "MONOCHROME2");
    put(&mut o, tags::NUMBER_OF_FRAMES, VR::IS, "2");
    o.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(packed.into()),
    ));
    let f = write(o, &tmp.path().join("bits.dcm"));
    let expect =
        |r: std::ops::Range<usize>| bits[r].iter().map(|b| f64::from(*b)).collect::<Vec<_>>();
    assert_eq!(values(&grey(&f, 0)), expect(0..15));
    assert_eq!(values(&grey(&f, 1)), expect(15..30));
}

#[test]
fn thirty_two_bit_integers_signed_and_unsigned() {
    let tmp = tempfile::tempdir().unwrap();
    let raw: Vec<u32> = vec![0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 12345];
    for (signed, expect) in [
        (
            true,
            vec![0.0, 1.0, 2_147_483_647.0, -2_147_483_648.0, -1.0, 12345.0],
        ),
        (
            false,
            vec![
                0.0,
                1.0,
                2_147_483_647.0,
                2_147_483_648.0,
                4_294_967_295.0,
                12345.0,
            ],
        ),
    ] {
        let mut o = base(2, 3, 32, 32, signed, "MONOCHROME2");
        o.put(DataElement::new(
            tags::PIXEL_DATA,
            VR::OB,
            PrimitiveValue::U8(raw.iter().flat_map(|v| v.to_le_bytes()).collect()),
        ));
        let f = write(o, &tmp.path().join(format!("i32-{signed}.dcm")));
        assert_eq!(values(&grey(&f, 0)), expect, "signed={signed}");
        // Big endian, converted by dcmtk: the same values.
        let be = tmp.path().join(format!("i32-{signed}-be.dcm"));
        tool("dcmconv", &["+tb", s(&f), s(&be)]);
        assert_eq!(values(&grey(&be, 0)), expect, "big endian, signed={signed}");
    }
}

#[test]
fn float_pixel_data() {
    let tmp = tempfile::tempdir().unwrap();
    let v: Vec<f32> = vec![1.5, -2.25, 0.0, 1e6];
    let mut o = base(2, 2, 32, 32, false, "MONOCHROME2");
    o.put(DataElement::new(
        tags::FLOAT_PIXEL_DATA,
        VR::OF,
        PrimitiveValue::F32(v.clone().into()),
    ));
    let f = write(o, &tmp.path().join("float.dcm"));
    assert_eq!(
        values(&grey(&f, 0)),
        v.iter().map(|x| f64::from(*x)).collect::<Vec<_>>()
    );
}

#[test]
fn bits_stored_below_allocated_with_high_bit_and_sign() {
    let tmp = tempfile::tempdir().unwrap();
    // 12 bits stored, signed: 0x0FFF is -1, 0x0800 is -2048, 0x07FF is 2047; bits above 11 are ignored.
    let mut o = base(1, 4, 16, 12, true, "MONOCHROME2");
    o.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::U16(vec![0x0FFF, 0x0800, 0x07FF, 0xF001].into()),
    ));
    let f = write(o, &tmp.path().join("s12.dcm"));
    assert_eq!(values(&grey(&f, 0)), vec![-1.0, -2048.0, 2047.0, 1.0]);
    // High Bit 15 with 12 bits stored: the value sits in the upper bits.
    let mut o = base(1, 2, 16, 12, false, "MONOCHROME2");
    o.put(DataElement::new(
        tags::HIGH_BIT,
        VR::US,
        PrimitiveValue::from(15u16),
    ));
    o.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::U16(vec![0xABC0, 0x0010].into()),
    ));
    let f = write(o, &tmp.path().join("hb15.dcm"));
    assert_eq!(values(&grey(&f, 0)), vec![f64::from(0xABCu16), 1.0]);
}

/// Renders `path` with the file's VOI and returns the 8-bit values.
fn rendered(path: &Path) -> Vec<u8> {
    let img = DicomImage::open(path).unwrap();
    let frame = img.decode_frame(0).unwrap();
    render_frame(&img, 0, &frame, &VoiRequest::FileOrMinMax, None)
        .unwrap()
        .data
}

#[test]
fn modality_and_voi_lut_sequences_and_inverse_shape() {
    let tmp = tempfile::tempdir().unwrap();
    let lut_item = |first: u16, bits: u16, data: Vec<u16>| {
        let mut i = InMemDicomObject::new_empty();
        i.put(DataElement::new(
            tags::LUT_DESCRIPTOR,
            VR::US,
            PrimitiveValue::U16(vec![data.len() as u16, first, bits].into()),
        ));
        i.put(DataElement::new(
            tags::LUT_DATA,
            VR::OW,
            PrimitiveValue::U16(data.into()),
        ));
        i
    };
    let mut o = base(1, 4, 16, 16, false, "MONOCHROME2");
    o.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::U16(vec![0, 10, 11, 12].into()),
    ));
    // Modality LUT: input 10..=12 → 100, 200, 300 (below the table: its first entry).
    o.put(DataElement::new(
        tags::MODALITY_LUT_SEQUENCE,
        VR::SQ,
        dicom_core::value::DataSetSequence::from(vec![lut_item(10, 16, vec![100, 200, 300])]),
    ));
    // VOI LUT on modality values 100..=300 in steps: 8-bit output 0, 51, 255.
    let mut voi = vec![0u16; 201];
    voi[100] = 51;
    voi[200] = 255;
    o.put(DataElement::new(
        tags::VOILUT_SEQUENCE,
        VR::SQ,
        dicom_core::value::DataSetSequence::from(vec![lut_item(100, 8, voi)]),
    ));
    let f = write(o.clone(), &tmp.path().join("luts.dcm"));
    assert_eq!(values(&grey(&f, 0)), vec![0.0, 10.0, 11.0, 12.0]);
    let decoded = decode(&f, 0, tmp.path());
    assert_eq!(decoded.values, vec![100.0, 100.0, 200.0, 300.0]);
    assert_eq!(rendered(&f), vec![0, 0, 51, 255]);
    // Presentation LUT Shape INVERSE flips the output.
    put(&mut o, tags::PRESENTATION_LUT_SHAPE, VR::CS, "INVERSE");
    let f = write(o, &tmp.path().join("inverse.dcm"));
    assert_eq!(rendered(&f), vec![255, 255, 204, 0]);
}

#[test]
fn padding_is_black_and_left_out_of_min_max() {
    let tmp = tempfile::tempdir().unwrap();
    let mut o = base(1, 4, 16, 16, true, "MONOCHROME2");
    o.put(DataElement::new(
        tags::PIXEL_PADDING_VALUE,
        VR::SS,
        PrimitiveValue::from(-2000i16),
    ));
    o.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::I16(vec![-2000, 0, 50, 100].into()),
    ));
    let f = write(o, &tmp.path().join("pad.dcm"));
    // Min-max over 0..=100: LINEAR with c = 50.5, w = 101 maps 0 → 0, 100 → 255, 50 → 127.5 → 128.
    assert_eq!(rendered(&f), vec![0, 0, 128, 255]);
}

#[test]
fn j2k_signedness_follows_the_dicom_header() {
    let tmp = tempfile::tempdir().unwrap();
    // A codestream written as unsigned 16-bit, in a file whose header says signed.
    let raw: Vec<i32> = vec![0, 1, 0x7FFF, 0x8000, 0xFFFF, 0xF000];
    let cs = lightbox::codec::j2k_encode::encode_frame_lossless(&raw, 2, 3, 1, 16, false).unwrap();
    let mut o = base(2, 3, 16, 16, true, "MONOCHROME2");
    let mut frag = cs;
    if frag.len() % 2 == 1 {
        frag.push(0);
    }
    o.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        dicom_core::value::Value::PixelSequence(dicom_core::value::PixelFragmentSequence::new(
            Vec::<u32>::new(),
            vec![frag],
        )),
    ));
    let path = write_dicom(
        o,
        "1.2.840.10008.1.2.4.90",
        &tmp.path().join("j2k-signed.dcm"),
    );
    assert_eq!(
        values(&grey(&path, 0)),
        vec![0.0, 1.0, 32767.0, -32768.0, -1.0, -4096.0]
    );
}
