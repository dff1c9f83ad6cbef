//! Lesions (`annotate::lesion::lesions`) against truth worked out by hand: series and
//! shapes built here, volumes as voxels × pixel area × slice gap, diameters as the
//! distance between two named vertices; grouping across slices, annotators, labels and
//! gaps; tilted and reversed slices; the geometries that leave the volume out.

use lightbox::annotate::files::frames::{FrameInfo, FrameInfos};
use lightbox::annotate::{Grade, Lesion, Shape, ShapeImage, ShapeKind, lesions};
use lightbox::measure::PixelSpacing;

const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// Image `sop` of series `series`: 64 × 64, single-frame, `pixel` = [row, col] mm.
fn image(series: &str, sop: &str, pixel: [f64; 2], at: Option<[f64; 3]>, o: [f64; 6]) -> FrameInfo {
    FrameInfo {
        rows: 64,
        cols: 64,
        frames: 1,
        spacing: PixelSpacing::from_attributes(Some(pixel), None),
        position_mm: at,
        orientation: Some(o),
        study_uid: "st".into(),
        series_uid: series.into(),
        sop_uid: sop.into(),
        file_name: format!("{sop}.dcm"),
        rel_dir: String::new(),
    }
}

/// An axial series `se` of `n` slices, 0.5 mm pixels, at z = 2.5·k (slice k is image
/// `<se>-k`); file names run against the positions, so the order must come from them.
fn axial(se: &str, n: usize) -> Vec<FrameInfo> {
    (0..n)
        .map(|k| {
            let mut f = image(se, &format!("{se}-{k}"), [0.5, 0.5], None, AXIAL);
            f.position_mm = Some([-100.0, -80.0, 2.5 * k as f64]);
            f.file_name = format!("IM{:04}.dcm", n - k);
            f
        })
        .collect()
}

/// A shape of `kind` with `points` on `frame` of image `sop`.
fn shape(id: &str, label: &str, who: &str, at: (&str, u32), points: Vec<[f64; 2]>) -> Shape {
    let series = at.0.rsplit_once('-').map_or(at.0, |(s, _)| s);
    Shape {
        id: id.into(),
        kind: ShapeKind::Polygon,
        label: label.into(),
        image: ShapeImage {
            study_uid: "st".into(),
            series_uid: series.into(),
            sop_uid: at.0.into(),
            file_name: String::new(),
            frame: at.1,
        },
        points,
        grade: Grade::None,
        score: None,
        source: None,
        source_parameters: Default::default(),
        note: String::new(),
        annotator: who.into(),
        created: String::new(),
        modified: String::new(),
    }
}

/// The rectangle with corners (x, y) and (x + w, y + h), as a ring.
fn rect(x: f64, y: f64, w: f64, h: f64) -> Vec<[f64; 2]> {
    vec![[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
}

/// A 10 × 10 px rectangle at (10, 10) on slice `k` of series `se`.
fn square(id: &str, se: &str, k: usize) -> Shape {
    let sop = format!("{se}-{k}");
    shape(id, "nodule", "ann", (&sop, 1), rect(10.0, 10.0, 10.0, 10.0))
}

fn infos(images: impl IntoIterator<Item = FrameInfo>) -> FrameInfos {
    images.into_iter().collect()
}

fn ids(l: &Lesion) -> Vec<&str> {
    l.shape_ids.iter().map(String::as_str).collect()
}

/// Rounded as `lesions` rounds (0.0001).
fn r4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

#[test]
fn a_square_on_three_slices_by_hand() {
    let frames = infos(axial("se", 5));
    let shapes: Vec<Shape> = (0..3).map(|k| square(&format!("s{k}"), "se", k)).collect();
    let found = lesions(&shapes, &frames);
    assert_eq!(found.len(), 1, "{found:?}");
    let l = &found[0];
    assert_eq!(ids(l), ["s0", "s1", "s2"]);
    assert_eq!((l.frames, l.voxels), (3, 300));
    // 10 × 10 pixel centres inside on each slice: 300 voxels × 0.5 × 0.5 mm × 2.5 mm.
    assert_eq!(l.slice_thickness_mm, Some(2.5));
    assert_eq!(l.volume_mm3, Some(187.5));
    // Corner (10, 10) of slice 0 and corner (20, 20) of slice 2: 10 px × 0.5 mm = 5 mm
    // in x, 5 mm in y, and 2 × 2.5 mm = 5 mm along z: √(5² + 5² + 5²) = √75 mm.
    assert_eq!(l.max_diameter_mm, Some(r4(75f64.sqrt())));
    assert_eq!(l.note, None);
    assert_eq!((l.label.as_str(), l.annotator.as_str()), ("nodule", "ann"));
    assert_eq!((l.study_uid.as_str(), l.series_uid.as_str()), ("st", "se"));
    // Serde both ways, as the panel and the file use it.
    let back: Lesion =
        serde_json::from_value(serde_json::to_value(l).expect("json")).expect("reads back");
    assert_eq!(&back, l);
}

#[test]
fn gaps_side_by_side_and_no_overlap_split_lesions() {
    let frames = infos(axial("se", 6));
    let mut shapes = vec![square("a0", "se", 0), square("a2", "se", 2)];
    // Slice 4: two squares apart (one lesion each); slice 5: one overlapping the first
    // by a 5 × 5 px corner, which joins it, and one touching nothing.
    let on = |id: &str, k: usize, x: f64, y: f64| {
        shape(
            id,
            "nodule",
            "ann",
            (&format!("se-{k}"), 1),
            rect(x, y, 10.0, 10.0),
        )
    };
    shapes.push(on("b4", 4, 10.0, 10.0));
    shapes.push(on("c4", 4, 40.0, 40.0));
    shapes.push(on("b5", 5, 15.0, 15.0));
    shapes.push(on("d5", 5, 40.0, 5.0));
    let found = lesions(&shapes, &frames);
    let groups: Vec<Vec<&str>> = found.iter().map(ids).collect();
    assert_eq!(
        groups,
        [
            vec!["a0"],
            vec!["a2"],
            vec!["b4", "b5"],
            vec!["c4"],
            vec!["d5"]
        ]
    );
    // One slice: 100 voxels × 0.25 mm² × 2.5 mm.
    assert_eq!(found[0].volume_mm3, Some(62.5));
    assert_eq!(found[2].volume_mm3, Some(125.0));
    // One slice's diagonal: √(5² + 5²) mm.
    assert_eq!(found[0].max_diameter_mm, Some(r4(50f64.sqrt())));
}

#[test]
fn annotators_and_labels_each_have_their_own_lesions() {
    let frames = infos(axial("se", 3));
    let mut shapes: Vec<Shape> = (0..3).map(|k| square(&format!("a{k}"), "se", k)).collect();
    for k in 0..2 {
        let mut other = square(&format!("o{k}"), "se", k);
        other.annotator = "other".into();
        shapes.push(other);
    }
    let mut cyst = square("c1", "se", 1);
    cyst.label = "cyst".into();
    shapes.push(cyst);
    // Points are not lesions.
    let mut point = square("p", "se", 1);
    point.kind = ShapeKind::Point;
    point.points.truncate(1);
    shapes.push(point);
    let found = lesions(&shapes, &frames);
    let who: Vec<(&str, &str, Vec<&str>)> = found
        .iter()
        .map(|l| (l.label.as_str(), l.annotator.as_str(), ids(l)))
        .collect();
    assert_eq!(
        who,
        [
            ("cyst", "ann", vec!["c1"]),
            ("nodule", "ann", vec!["a0", "a1", "a2"]),
            ("nodule", "other", vec!["o0", "o1"]),
        ]
    );
    assert_eq!(found[2].volume_mm3, Some(125.0));
}

/// The axial orientation turned by `a` about x, then `b` about z; and its normal.
fn tilted(a: f64, b: f64) -> ([f64; 6], [f64; 3]) {
    let (sa, ca, sb, cb) = (a.sin(), a.cos(), b.sin(), b.cos());
    (
        [cb, sb, 0.0, -ca * sb, ca * cb, sa],
        [sa * sb, -sa * cb, ca],
    )
}

#[test]
fn a_tilted_series_in_reverse_gives_the_same_volume_and_diameter() {
    let (o, n) = tilted(0.4, -0.7);
    // Slice k at origin − 2.5·k along the normal: images listed in descending
    // position, so the lesion's slices 0–2 are the last three in position order.
    let frames = infos((0..4).map(|k| {
        let t = -2.5 * k as f64;
        let at = [12.0 + t * n[0], -30.0 + t * n[1], 7.0 + t * n[2]];
        image("ti", &format!("ti-{k}"), [0.5, 0.5], Some(at), o)
    }));
    let shapes: Vec<Shape> = (0..3).map(|k| square(&format!("t{k}"), "ti", k)).collect();
    let found = lesions(&shapes, &frames);
    assert_eq!(found.len(), 1, "{found:?}");
    let l = &found[0];
    assert_eq!(l.slice_thickness_mm, Some(2.5));
    assert_eq!(l.volume_mm3, Some(187.5));
    // A rotation keeps distances: √75 mm, as axial.
    assert_eq!(l.max_diameter_mm, Some(r4(75f64.sqrt())));
    assert_eq!(l.note, None);
}

#[test]
fn anisotropic_pixels_and_uneven_slices() {
    // Rows 0.5 mm, columns 0.8 mm; slices at z = 0, 2.5, 5, 10 (one missing): gaps
    // 2.5, 2.5, 5, median 2.5. A 10 × 4 px rectangle on the slices at 5 and 10 mm,
    // neighbours in position order: one lesion.
    let z = [0.0, 2.5, 5.0, 10.0];
    let frames = infos(z.iter().enumerate().map(|(k, &z)| {
        image(
            "an",
            &format!("an-{k}"),
            [0.5, 0.8],
            Some([0.0, 0.0, z]),
            AXIAL,
        )
    }));
    let on = |id: &str, k: usize| {
        shape(
            id,
            "nodule",
            "ann",
            (&format!("an-{k}"), 1),
            rect(3.0, 3.0, 10.0, 4.0),
        )
    };
    let found = lesions(&[on("x2", 2), on("x3", 3)], &frames);
    assert_eq!(found.len(), 1, "{found:?}");
    let l = &found[0];
    // 2 × 40 voxels × 0.5 × 0.8 mm² × 2.5 mm.
    assert_eq!(l.voxels, 80);
    assert_eq!(l.volume_mm3, Some(80.0));
    // Opposite corners: 10 px × 0.8 = 8 mm in x, 4 px × 0.5 = 2 mm in y, 5 mm in z.
    assert_eq!(l.max_diameter_mm, Some(r4((64.0f64 + 4.0 + 25.0).sqrt())));
}

#[test]
fn missing_geometry_leaves_the_volume_out_with_a_note() {
    // No positions: slices by file name (IM0003 is se-0, ...), still one lesion.
    let frames = infos(axial("se", 3).into_iter().map(|mut f| {
        f.position_mm = None;
        f
    }));
    let shapes: Vec<Shape> = (0..3).map(|k| square(&format!("s{k}"), "se", k)).collect();
    let found = lesions(&shapes, &frames);
    assert_eq!(found.len(), 1, "{found:?}");
    let l = &found[0];
    assert_eq!((l.frames, l.voxels), (3, 300));
    assert_eq!(
        (l.volume_mm3, l.slice_thickness_mm, l.max_diameter_mm),
        (None, None, None)
    );
    let note = l.note.as_deref().expect("a note");
    assert!(note.contains("Image Position"), "{note}");

    // A multi-frame image: its frames are the slices, in frame order.
    let mut multi = image("mf", "mf", [0.5, 0.5], Some([0.0; 3]), AXIAL);
    multi.frames = 3;
    let shapes: Vec<Shape> = (1..=3)
        .map(|f| {
            shape(
                &format!("m{f}"),
                "nodule",
                "ann",
                ("mf", f),
                rect(10.0, 10.0, 10.0, 10.0),
            )
        })
        .collect();
    let found = lesions(&shapes, &infos([multi]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].volume_mm3, None);
    assert!(
        found[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("multi-frame"))
    );

    // One slice: no thickness, but the in-plane diameter.
    let found = lesions(&[square("one", "se", 0)], &infos(axial("se", 1)));
    assert_eq!(found[0].volume_mm3, None);
    assert_eq!(found[0].max_diameter_mm, Some(r4(50f64.sqrt())));
    assert!(
        found[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("one slice"))
    );

    // Imager Pixel Spacing (at the detector): no volume, no patient diameter.
    let frames = infos(axial("se", 3).into_iter().map(|mut f| {
        f.spacing = PixelSpacing::from_attributes(None, Some([0.5, 0.5]));
        f
    }));
    let found = lesions(&[square("d", "se", 0)], &frames);
    assert_eq!(
        (found[0].volume_mm3, found[0].max_diameter_mm),
        (None, None)
    );
    assert!(
        found[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("Pixel Spacing"))
    );

    // An image missing from the release: a lesion of its own, no measurements.
    let found = lesions(&[square("lost", "se", 0)], &FrameInfos::new());
    assert_eq!(ids(&found[0]), ["lost"]);
    assert_eq!(found[0].voxels, 0);
    assert!(found[0].note.is_some());
}
