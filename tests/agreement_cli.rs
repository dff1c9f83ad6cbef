//! `lightbox agreement`, black box, on a copy of the sample release: two readers'
//! rectangles on a CT image, imported as two annotators, against values worked out
//! by hand (pixel counts, IoU, one-to-one matches); the pixel spacing the distances
//! use is read with dcmtk's `dcmdump`, not by us.

mod common;

use std::process::Command;

use common::{lightbox, lightbox_ok, s};
use serde_json::{Value, json};

/// A rectangle shape covering pixel columns `x0..x1` and rows `y0..y1` of `template`'s
/// image, by `annotator`.
fn rectangle(template: &Value, id: &str, annotator: &str, [x0, y0, x1, y1]: [f64; 4]) -> Value {
    let mut shape = template.clone();
    shape["id"] = id.into();
    shape["kind"] = "rectangle".into();
    shape["label"] = "nodule".into();
    shape["annotator"] = annotator.into();
    shape["points"] = json!([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]);
    shape["points_patient_mm"] = Value::Null;
    shape["measurements"] = Value::Null;
    shape["note"] = "".into();
    shape
}

/// The sample's annotation file, and dr.okafor's ellipse on a CT slice (IM0014 of the
/// chest series) in it: the template of the shapes these tests draw.
fn example_and_template() -> (Value, Value) {
    let example: Value = common::example_annotations();
    let template = example["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|sh| sh["kind"] == "ellipse" && sh["file_name"] == "IM0014.dcm")
        .expect("the template shape")
        .clone();
    (example, template)
}

/// One value of a data element as dcmtk prints it (`dcmdump +P tag`), if any.
fn dcmdump(file: &std::path::Path, tag: &str) -> Option<String> {
    let out = Command::new("dcmdump")
        .args(["-q", "+P", tag])
        .arg(file)
        .output()
        .expect("dcmdump (apt-get install dcmtk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let start = text.find('[')? + 1;
    let end = text[start..].find(']')? + start;
    Some(text[start..end].to_owned())
}

#[test]
fn two_readers_agree_as_worked_out_by_hand() {
    let (_dir, root) = common::sample_copy();
    let (example, template) = example_and_template();
    let file = walkdir::WalkDir::new(root.join("IMAGE"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| {
            e.file_name() == "IM0014.dcm"
                && dcmdump(e.path(), "SOPInstanceUID").as_deref() == template["sop_uid"].as_str()
        })
        .expect("the template's image")
        .into_path();
    let spacing: Vec<f64> = dcmdump(&file, "PixelSpacing")
        .expect("Pixel Spacing")
        .split('\\')
        .map(|v| v.trim().parse().expect("a number"))
        .collect();

    // Reader A: two nodules of 10×10 pixels. Reader B: the first moved 2 pixels right
    // (IoU 80/120), and a 5×5 one where A has none.
    let a1 = [100.0, 100.0, 110.0, 110.0];
    let a2 = [200.0, 50.0, 210.0, 60.0];
    let b1 = [102.0, 100.0, 112.0, 110.0];
    let b3 = [150.0, 180.0, 155.0, 185.0];
    let mut doc = example.clone();
    doc["shapes"] = json!([
        rectangle(&template, "a1", "reader-a", a1),
        rectangle(&template, "a2", "reader-a", a2),
        rectangle(&template, "b1", "reader-b", b1),
        rectangle(&template, "b3", "reader-b", b3),
    ]);
    let out = tempfile::tempdir().expect("temp dir");
    let readers = out.path().join("readers.json");
    std::fs::write(&readers, doc.to_string()).expect("write");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&readers),
        "--store",
        store_s,
    ]);

    // `lightbox agreement` on the copy, readers b against a, with more arguments.
    let agreement = |test: &str, more: &[&str]| {
        let mut args = vec![
            "agreement",
            root_s,
            "--store",
            store_s,
            "--reference",
            "reader-a",
            "--test",
            test,
        ];
        args.extend_from_slice(more);
        lightbox(&args)
    };
    let run = |iou: &str| -> Value {
        let out = agreement("reader-b", &["--iou", iou, "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("agreement JSON")
    };
    let g = run("0.5");
    assert_eq!(
        (g["reference"].as_str(), g["test"].as_str()),
        (Some("reader-a"), Some("reader-b"))
    );
    // One frame and label: A = 200 pixels, B = 125, 80 shared.
    let per_image = g["segmentation"]["per_image"]
        .as_array()
        .expect("per_image");
    assert_eq!(per_image.len(), 1, "{per_image:?}");
    let p = &per_image[0];
    assert_eq!(p["sop_uid"], template["sop_uid"]);
    assert_eq!(
        (p["frame"].as_u64(), p["label"].as_str()),
        (Some(1), Some("nodule"))
    );
    assert_eq!(
        (p["reference_pixels"].as_u64(), p["test_pixels"].as_u64()),
        (Some(200), Some(125))
    );
    let near = |v: &Value, want: f64| (v.as_f64().expect("a number") - want).abs() < 1e-12;
    assert!(
        near(&p["dice"], 160.0 / 325.0) && near(&p["jaccard"], 80.0 / 245.0),
        "{p}"
    );
    assert!(near(&g["segmentation"]["dice_mean"], 160.0 / 325.0));
    assert_eq!(p["calibrated"], true);
    // Hausdorff is at least the distance from a2's top-left pixel (200, 50) to the
    // nearest border pixel of B (the edges of b1 and b3), in mm.
    let edge = |[x0, y0, x1, y1]: [f64; 4]| {
        let (x0, y0, x1, y1) = (x0 as i32, y0 as i32, x1 as i32 - 1, y1 as i32 - 1);
        (y0..=y1)
            .flat_map(move |y| (x0..=x1).map(move |x| (x, y)))
            .filter(move |&(x, y)| x == x0 || x == x1 || y == y0 || y == y1)
    };
    let nearest = edge(b1)
        .chain(edge(b3))
        .map(|(x, y)| {
            let (dx, dy) = (
                f64::from(x - 200) * spacing[1],
                f64::from(y - 50) * spacing[0],
            );
            (dx * dx + dy * dy).sqrt()
        })
        .fold(f64::INFINITY, f64::min);
    let hd = p["hd_mm"].as_f64().expect("hd_mm");
    assert!(
        hd >= nearest - 1e-9,
        "hd {hd} mm, but a2 alone is {nearest} mm from B"
    );
    assert!(p["hd95_mm"].as_f64().expect("hd95") <= hd);
    // Detection: a1–b1 match (IoU 2/3), a2 missed, b3 extra.
    let d = &g["detection"];
    assert_eq!(
        (d["tp"].as_u64(), d["fp"].as_u64(), d["fn"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert!(near(&d["recall"], 0.5) && near(&d["precision"], 0.5) && near(&d["f1"], 0.5));
    // IoU 0.7 is more than a1–b1 reach: nothing matches.
    let strict = run("0.7");
    let d = &strict["detection"];
    assert_eq!(
        (d["tp"].as_u64(), d["fp"].as_u64(), d["fn"].as_u64()),
        (Some(0), Some(2), Some(2))
    );

    // The text report and an annotator the project does not have.
    let text = agreement("reader-b", &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("mean Dice 0.492") && text.contains("1 TP, 1 FP, 1 FN"),
        "{text}"
    );
    let unknown = agreement("reader-c", &[]);
    assert!(!unknown.status.success());
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("\"reader-c\"") && err.contains("reader-a, reader-b"),
        "{err}"
    );
}

/// `dcmdump +F` of every file under `dir`: (Study, Series Instance UID, frames) per
/// file dcmtk reads.
fn dicom_files_under(dir: &std::path::Path) -> Vec<(String, String, u64)> {
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    let out = Command::new("dcmdump")
        .args([
            "-q",
            "+F",
            "+P",
            "StudyInstanceUID",
            "+P",
            "SeriesInstanceUID",
        ])
        .args(["+P", "NumberOfFrames"])
        .args(&files)
        .output()
        .expect("dcmdump (apt-get install dcmtk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let value = |block: &str, name: &str| {
        let line = block.lines().find(|l| l.ends_with(name))?;
        let start = line.find('[')? + 1;
        Some(line[start..start + line[start..].find(']')?].to_owned())
    };
    text.split("# dcmdump")
        .filter_map(|block| {
            Some((
                value(block, "StudyInstanceUID")?,
                value(block, "SeriesInstanceUID")?,
                value(block, "NumberOfFrames").map_or(1, |n| n.trim().parse().unwrap_or(1)),
            ))
        })
        .collect()
}

#[test]
fn a_models_scores_and_the_readers_decisions_are_scored_as_worked_out_by_hand() {
    let (_dir, root) = common::sample_copy();
    let (example, template) = example_and_template();
    let study = template["study_uid"].as_str().expect("study").to_owned();
    // The reader's two nodules; the model finds the first (IoU 2/3, score 0.9), one
    // where there is none (0.8) and the second exactly (0.4).
    let scored = |id: &str, corners: [f64; 4], score: f64| {
        let mut sh = rectangle(&template, id, "model", corners);
        sh["score"] = score.into();
        sh
    };
    let mut doc = example.clone();
    doc["shapes"] = json!([
        rectangle(&template, "a1", "reader-a", [100.0, 100.0, 110.0, 110.0]),
        rectangle(&template, "a2", "reader-a", [200.0, 50.0, 210.0, 60.0]),
        scored("m1", [102.0, 100.0, 112.0, 110.0], 0.9),
        scored("m3", [150.0, 180.0, 155.0, 185.0], 0.8),
        scored("m2", [200.0, 50.0, 210.0, 60.0], 0.4),
    ]);
    let out = tempfile::tempdir().expect("temp dir");
    let shapes = out.path().join("shapes.json");
    std::fs::write(&shapes, doc.to_string()).expect("write");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&shapes),
        "--store",
        store_s,
    ]);
    // The reader keeps the study; the model's reviewer drops it.
    for (reviewer, decision) in [("reader-a", "keep"), ("model", "drop")] {
        lightbox_ok(&[
            "decide",
            root_s,
            "--store",
            store_s,
            "--reviewer",
            reviewer,
            "--set",
            "study",
            &study,
            decision,
        ]);
    }
    let report = out.path().join("agreement.html");
    let run = lightbox_ok(&[
        "agreement",
        root_s,
        "--store",
        store_s,
        "--reference",
        "reader-a",
        "--test",
        "model",
        "--json",
        "--report",
        s(&report),
    ]);
    let g: Value = serde_json::from_slice(&run.stdout).expect("agreement JSON");
    assert_eq!(g["scored"], true);
    let near = |v: &Value, want: f64| (v.as_f64().expect("a number") - want).abs() < 1e-9;
    // Sorted by score: TP, FP, TP → recall ½, ½, 1 and precision 1, ½, ⅔ (made
    // monotone: 1, ⅔, ⅔). Recall thresholds 0…0.50 (51 of them) read precision 1,
    // 0.51…1 (50) read ⅔: AP = (51 + 50 × ⅔) / 101.
    let d = &g["detection"];
    assert!(
        near(&d["ap"]["ap"], (51.0 + 50.0 * 2.0 / 3.0) / 101.0),
        "{d}"
    );
    // FROC: one false positive in all the release's frames (far under ⅛ per image)
    // once both nodules are found: sensitivity 1 at every rate.
    let froc = &d["froc"];
    assert!(froc["images"].as_u64().expect("images") >= 100);
    let at: Vec<f64> = froc["sensitivity_at"]
        .as_array()
        .expect("sensitivity_at")
        .iter()
        .map(|r| r["sensitivity"].as_f64().expect("sensitivity"))
        .collect();
    assert_eq!(at, vec![1.0; 7]);
    // ROC by study: the one study the reader marked has the model's top score.
    let c = &g["classification"];
    let by_study = c["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .find(|l| l["level"] == "study")
        .expect("study level");
    assert!(near(&by_study["roc"]["auc"], 1.0), "{by_study}");
    assert_eq!(by_study["roc"]["positives"], 1);
    // Keep/drop: the study is a disagreement (kept by the reference, dropped by the
    // test); every other study is undecided by both and left out. Series and images
    // likewise, as many as dcmtk finds in that study.
    let files = dicom_files_under(&root.join("IMAGE"));
    let series: std::collections::BTreeSet<&str> = files
        .iter()
        .filter(|f| f.0 == study)
        .map(|f| f.1.as_str())
        .collect();
    let images = files.iter().filter(|f| f.0 == study).count() as u64;
    let kd = c["keep_drop"].as_array().expect("keep_drop");
    let level = |name: &str| kd.iter().find(|k| k["level"] == name).expect(name);
    for (name, n) in [
        ("study", 1),
        ("series", series.len() as u64),
        ("image", images),
    ] {
        let k = level(name);
        assert_eq!(
            (
                k["fn"].as_u64(),
                k["tp"].as_u64(),
                k["fp"].as_u64(),
                k["tn"].as_u64()
            ),
            (Some(n), Some(0), Some(0), Some(0)),
            "{name}: {k}"
        );
        assert_eq!(
            k["nodes"].as_u64().expect("nodes") - k["undecided"].as_u64().expect("undecided"),
            n
        );
    }
    // Per series in 3-D: the chest series, one slice drawn.
    let per_series = g["segmentation"]["per_series"]
        .as_array()
        .expect("per_series");
    assert_eq!(per_series.len(), 1);
    assert_eq!(per_series[0]["series_uid"], template["series_uid"]);
    // The bootstrap interval of the mean Dice holds the mean (one frame: a point).
    let seg = &g["segmentation"];
    assert!(near(
        &seg["dice_mean_ci"]["low"],
        seg["dice_mean"].as_f64().expect("dice")
    ));
    // The report: both languages, charts inline, nothing fetched or run.
    for (file, title) in [
        (report.clone(), "Agreement of two readers"),
        (
            out.path().join("agreement.zh-TW.html"),
            "兩位判讀者的一致性",
        ),
    ] {
        let html = std::fs::read_to_string(&file).expect("the report");
        assert!(
            html.contains(title) && html.contains("<svg"),
            "{}",
            file.display()
        );
        for forbidden in ["<script", "http://", "https://", "src="] {
            let outside_svg_ns = html.replace("http://www.w3.org/2000/svg", "");
            assert!(
                !outside_svg_ns.contains(forbidden),
                "{forbidden} in {}",
                file.display()
            );
        }
    }
}
