//! `lightbox annotations import` of a DICOM RT Structure Set, black box, on a copy of the
//! sample release, against an independent writer: rt-utils (`tests/dicom/make_rtstruct.py`,
//! venv "dicom" pinned by `tests/dicom/requirements.txt`) turns a ring mask (a disc with a
//! hole) on three slices of the chest CT into CLOSED_PLANAR contours and reads its own
//! file back into masks; pydicom appends ROIs whose contours are given by hand in
//! patient mm (a square 1 mm off a slice's plane without an image reference, a contour
//! far from every slice, a point, an open line).
//!
//! The imported ring's masks (our centre rule over the exported shapes) equal rt-utils'
//! masks except on the pixels whose centre lies *on* a contour: rt-utils (OpenCV
//! `fillPoly`) counts every pixel the outline passes through as inside, as its contours
//! run through boundary pixel centres; the centre rule settles such ties to one side
//! (and the float32 arithmetic of rt-utils moves those centres by ~1e-6 px either way).
//! So the test asks: every pixel off the outline is equal (interior exact, hole
//! included), and on the outline ours is a subset of rt-utils'. A half-pixel shift, a
//! transposed axis, a wrong plane or a filled hole each break the first. The square
//! is checked against vertices computed by hand.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{lightbox_ok, s};
use lightbox::annotate::raster::mask;
use lightbox::index::{Index, ScanOptions};
use serde_json::{Value, json};

/// The chest CT series the structures are drawn on (32 slices of 256², 1.4 mm pixels,
/// 5 mm apart; IM0014 at z = -87.5 mm, Image Position (-178.5, -178.5, z)).
const SERIES: &str = "2.25.58992966161156072126607366601187380746";

/// The SOP Instance UID of file `name` of [`SERIES`].
fn sop_of(index: &Index, name: &str) -> String {
    index
        .instances()
        .find(|i| i.series_uid == SERIES && i.file_name == name)
        .map(|i| i.sop_uid.clone())
        .unwrap_or_else(|| panic!("{name} in the chest CT"))
}

/// Flat pixel indices of a JSON array.
fn pixel_set(v: &Value) -> BTreeSet<usize> {
    v.as_array()
        .expect("pixels")
        .iter()
        .map(|p| p.as_u64().expect("index") as usize)
        .collect()
}

/// Writes the RTSTRUCT of the module doc into `out` and returns rt-utils' report.
fn write_rtstruct(root: &Path, index: &Index, out: &Path) -> Value {
    let series_dir = root.join("IMAGE/20210407_102537/ST0002/SE0002");
    let im14 = sop_of(index, "IM0014.dcm");
    // The square by hand: x = 0.5 + (X + 178.5) / 1.4, so X = -109.2 and -95.2 are
    // columns 50 and 60, Y = -39.2 and -25.2 rows 100 and 110 (pixel edges), at
    // z = -86.5: 1 mm off IM0014 (-87.5), within half the 5 mm gap.
    let z = -86.5;
    let square = [
        [-109.2, -39.2, z],
        [-95.2, -39.2, z],
        [-95.2, -25.2, z],
        [-109.2, -25.2, z],
    ];
    common::python::reference_json(
        "dicom",
        "dicom/make_rtstruct.py",
        &json!({
            "series_dir": s(&series_dir),
            "out": s(out),
            "ring": {"name": "nodule ring", "colour": [255, 0, 0], "instances": [13, 14, 15],
                     "centre": [78.5, 121.5], "outer": 14, "inner": 5},
            "extra": [
                {"name": "square", "colour": [0, 128, 255], "type": "ORGAN", "contours": [
                    {"type": "CLOSED_PLANAR", "points": square},
                    // 120 mm below the series' last slice (-177.5): on no image.
                    {"type": "CLOSED_PLANAR",
                     "points": [[-109.2, -39.2, -300.0], [-95.2, -39.2, -300.0], [-95.2, -25.2, -300.0]]},
                ]},
                // The centre of pixel (30, 40) of IM0014: X = -178.5 + 30 × 1.4.
                {"name": "marker", "colour": [10, 20, 30], "type": "MARKER", "contours": [
                    {"type": "POINT", "points": [[-136.5, -122.5, -87.5]], "sop_uid": im14},
                ]},
                {"name": "centreline", "colour": [1, 2, 3], "type": "CONTROL", "contours": [
                    {"type": "OPEN_PLANAR", "points": [[-136.5, -122.5, -87.5], [-130.0, -120.0, -87.5]],
                     "sop_uid": im14},
                ]},
            ],
        }),
    )
}

/// A copy of the sample release, scanned, with an RTSTRUCT that rt-utils wrote over
/// its chest CT into a scratch folder.
struct Sample {
    /// Holds the copy.
    _dir: tempfile::TempDir,
    /// The copy's root.
    root: PathBuf,
    /// The scratch folder.
    out: tempfile::TempDir,
    /// The copy's index (scanned without a cache, before any change to the copy).
    index: Index,
    /// The RTSTRUCT file, in `out`.
    rtstruct: PathBuf,
    /// Where a review store goes, in `out` (not made yet).
    store: PathBuf,
    /// What `write_rtstruct` says it wrote.
    written: Value,
}

/// [`Sample`] with the RTSTRUCT written as `name`.
fn sample_with_rtstruct(name: &str) -> Sample {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    let index = Index::open(&root, &options, &|_| {}).expect("scan the copy");
    let rtstruct = out.path().join(name);
    let written = write_rtstruct(&root, &index, &rtstruct);
    let store = out.path().join("review.lightbox.sqlite");
    Sample {
        _dir,
        root,
        out,
        index,
        rtstruct,
        store,
        written,
    }
}

/// `lightbox annotations import` of `rtstruct` over `root` into `store`.
fn import_args<'a>(root: &'a Path, rtstruct: &'a Path, store: &'a Path) -> [&'a str; 6] {
    [
        "annotations",
        "import",
        s(root),
        s(rtstruct),
        "--store",
        s(store),
    ]
}

#[test]
fn an_rtstruct_written_by_rt_utils_imports_to_its_masks() {
    let Sample {
        _dir,
        root,
        out,
        index,
        rtstruct,
        store,
        written,
    } = sample_with_rtstruct("rt-utils.rtstruct.dcm");

    let said = lightbox_ok(&import_args(&root, &rtstruct, &store));
    let said = String::from_utf8_lossy(&said.stdout).into_owned();
    assert!(said.contains("; 3 new labels"), "{said}");
    let doc = common::exported_annotations(s(&root), s(&store), &out.path().join("export"));
    let shapes = doc["shapes"].as_array().expect("shapes");
    for shape in shapes {
        assert_eq!(shape["annotator"], "RTstruct (RTSTRUCT)", "{shape}");
        assert_eq!(shape["source"], "rtstruct", "{shape}");
        assert_eq!(shape["series_uid"], SERIES, "{shape}");
    }
    let labels: BTreeMap<&str, &Value> = doc["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|l| (l["name"].as_str().expect("name"), l))
        .collect();
    assert_eq!(labels["nodule ring"]["colour"], "#ff0000");
    assert_eq!(labels["square"]["colour"], "#0080ff");
    assert_eq!(labels["marker"]["colour"], "#0a141e");
    assert!(
        !labels.contains_key("centreline"),
        "an open contour makes no shape"
    );

    // The ring: rt-utils' masks, the outline's own pixels aside (module doc).
    let ring = written["ring"].as_array().expect("ring slices");
    assert_eq!(ring.len(), 3);
    let mut ours: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for shape in shapes.iter().filter(|sh| sh["label"] == "nodule ring") {
        assert_eq!(shape["kind"], "polygon");
        let ring: Vec<[f64; 2]> = serde_json::from_value(shape["points"].clone()).expect("points");
        let inside = mask(&ring, 256, 256);
        let pixels = ours
            .entry(shape["sop_uid"].as_str().expect("sop").to_owned())
            .or_default();
        for (i, _) in inside.iter().enumerate().filter(|(_, v)| **v) {
            assert!(pixels.insert(i), "the pieces of a slice do not overlap");
        }
    }
    assert_eq!(ours.len(), 3, "the ring on its three slices only");
    for slice in ring {
        let sop = slice["sop_uid"].as_str().expect("sop");
        let (theirs, outline) = (pixel_set(&slice["pixels"]), pixel_set(&slice["outline"]));
        assert_eq!(
            theirs,
            pixel_set(&slice["written"]),
            "rt-utils reads its own file back to the mask it was given"
        );
        let mine = &ours[sop];
        let differ: BTreeSet<usize> = theirs.symmetric_difference(mine).copied().collect();
        assert!(
            differ.is_subset(&outline),
            "{sop}: pixels off the outline differ: {:?}",
            differ.difference(&outline).collect::<Vec<_>>()
        );
        assert!(mine.is_subset(&theirs), "{sop}: ours adds pixels");
        // The hole is a hole: its centre pixel (78, 121) is outside, the ring inside.
        assert!(
            !mine.contains(&(121 * 256 + 78)),
            "{sop}: the hole was filled"
        );
        assert!(mine.contains(&(121 * 256 + 78 - 9)), "{sop}");
        let dice =
            2.0 * theirs.intersection(mine).count() as f64 / (theirs.len() + mine.len()) as f64;
        println!(
            "{sop}: {} pixels (rt-utils {}), {} on the outline differ, Dice {dice:.4}",
            mine.len(),
            theirs.len(),
            differ.len()
        );
    }

    // The square, placed by geometry on IM0014, vertices by hand (pixel edges).
    let im14 = sop_of(&index, "IM0014.dcm");
    let squares: Vec<&Value> = shapes.iter().filter(|sh| sh["label"] == "square").collect();
    assert_eq!(squares.len(), 1, "the contour off every plane is left out");
    assert_eq!(squares[0]["sop_uid"], im14.as_str());
    assert_eq!(squares[0]["frame"], 1);
    let points: Vec<[f64; 2]> =
        serde_json::from_value(squares[0]["points"].clone()).expect("points");
    let want = [[50.0, 100.0], [60.0, 100.0], [60.0, 110.0], [50.0, 110.0]];
    assert_eq!(points.len(), 4, "{points:?}");
    for (p, q) in points.iter().zip(want) {
        assert!(
            (p[0] - q[0]).abs() < 1e-9 && (p[1] - q[1]).abs() < 1e-9,
            "{points:?}"
        );
    }
    let covered: BTreeSet<usize> = mask(&points, 256, 256)
        .iter()
        .enumerate()
        .filter(|(_, v)| **v)
        .map(|(i, _)| i)
        .collect();
    let by_hand: BTreeSet<usize> = (100..110)
        .flat_map(|r| (50..60).map(move |c| r * 256 + c))
        .collect();
    assert_eq!(covered, by_hand, "columns 50..59, rows 100..109");

    // The point: the centre of pixel (30, 40).
    let marks: Vec<&Value> = shapes.iter().filter(|sh| sh["label"] == "marker").collect();
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0]["kind"], "point");
    assert_eq!(marks[0]["sop_uid"], im14.as_str());
    let p: Vec<[f64; 2]> = serde_json::from_value(marks[0]["points"].clone()).expect("point");
    assert!(
        (p[0][0] - 30.5).abs() < 1e-9 && (p[0][1] - 40.5).abs() < 1e-9,
        "{p:?}"
    );

    // What was left out, counted per ROI, through the library (the CLI prints counts).
    let read = lightbox::annotate::files::rtstruct_import::read_rtstruct(&rtstruct, &index)
        .expect("the RTSTRUCT reads");
    let warnings = read.warnings.join("\n");
    assert!(
        warnings.contains("ROI 2 \"square\": 1 contour(s) lie on no image"),
        "{warnings}"
    );
    assert!(
        warnings.contains("ROI 4 \"centreline\": 1 open contour(s)"),
        "{warnings}"
    );
    assert_eq!(read.warnings.len(), 2, "{warnings}");
}

#[test]
fn an_rtstruct_on_another_release_is_refused_naming_the_file() {
    // The same structures, imported into a release without the chest CT: every contour
    // is off every plane, and the error names the file and the count per ROI.
    // `out` holds the RTSTRUCT: bound so that it lives to the end.
    let Sample {
        _dir,
        root,
        out: _out,
        rtstruct,
        store,
        ..
    } = sample_with_rtstruct("elsewhere.dcm");
    std::fs::remove_dir_all(root.join("IMAGE/20210407_102537/ST0002")).expect("drop the CT");
    let run = common::lightbox(&import_args(&root, &rtstruct, &store));
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("elsewhere.dcm"), "{err}");
    assert!(
        err.contains("ROI 1 \"nodule ring\": 6 contour(s) lie on no image"),
        "{err}"
    );
}
