//! `lightbox agreement --report OUT.html`: the agreement as an offline HTML page
//! (tables, and the FROC and ROC curves in inline SVG; no scripts, fonts or files
//! from anywhere), in English at `OUT.html` and in Traditional Chinese beside it at
//! `OUT.zh-TW.html`, like the dataset report.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::Agreement;
use super::classify::{Binary, Proportion};
use crate::dataset::report::{ReportError, escape, page_start};
use crate::fsutil;
use crate::i18n::{Language, Strings};

/// How many of the worst frames the report lists.
const WORST: usize = 50;

/// The Chinese twin of `path`: `OUT.html` → `OUT.zh-TW.html`.
pub fn chinese_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "agreement".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.zh-TW.html"))
}

/// Writes the English report at `path` and the Chinese one beside it (atomically);
/// returns both paths.
///
/// # Errors
/// A file that cannot be written, with its path.
pub fn write(path: &Path, agreement: &Agreement) -> Result<[PathBuf; 2], ReportError> {
    let zh = chinese_path(path);
    for (file, language) in [
        (path, Language::English),
        (zh.as_path(), Language::TraditionalChinese),
    ] {
        let text = html(agreement, Strings::for_language(language), language);
        fsutil::write_atomic(file, text.as_bytes()).map_err(|source| ReportError {
            path: file.to_path_buf(),
            source,
        })?;
    }
    Ok([path.to_path_buf(), zh])
}

/// A number to 3 decimals, `–` when absent.
fn num(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"))
}

/// A proportion with its interval.
fn prop(p: Option<Proportion>) -> String {
    p.map_or_else(
        || "–".to_owned(),
        |p| format!("{:.3} ({:.3}–{:.3})", p.value, p.low, p.high),
    )
}

/// The column keys of [`rates`].
const RATE_KEYS: [&str; 7] = [
    "agreement.sensitivity",
    "agreement.specificity",
    "agreement.ppv",
    "agreement.npv",
    "agreement.accuracy",
    "agreement.youden",
    "agreement.kappa",
];

/// A table under the heading `heading` (a key; none for `None`) with the translated
/// column `keys` and `rows` of cells; nothing at all without rows.
fn table(
    out: &mut String,
    s: &Strings,
    heading: Option<&str>,
    keys: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return;
    }
    if let Some(h) = heading {
        let _ = writeln!(out, "<h3>{}</h3>", escape(s.get(h)));
    }
    out.push_str("<table><tr>");
    for k in keys {
        let _ = write!(out, "<th>{}</th>", escape(s.get(k)));
    }
    out.push_str("</tr>\n");
    for cells in rows {
        out.push_str("<tr>");
        for c in cells {
            let _ = write!(out, "<td>{}</td>", escape(&c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// The page in one language.
pub fn html(g: &Agreement, s: &Strings, language: Language) -> String {
    let mut out = page_start(s.get("agreement.title"), language);
    let _ = writeln!(
        out,
        "<p>{}</p>",
        escape(
            &s.get("agreement.readers")
                .replace("{reference}", &g.reference)
                .replace("{test}", &g.test)
        )
    );
    segmentation(&mut out, g, s);
    detection(&mut out, g, s);
    classification(&mut out, g, s);
    out.push_str("</body></html>\n");
    out
}

/// Mean Dice, the per-series table and the worst frames.
fn segmentation(out: &mut String, g: &Agreement, s: &Strings) {
    let seg = &g.segmentation;
    let _ = writeln!(out, "<h2>{}</h2>", escape(s.get("agreement.segmentation")));
    let ci = seg.dice_mean_ci.map_or_else(String::new, |c| {
        format!(" ({} {:.3}–{:.3})", s.get("agreement.ci"), c.low, c.high)
    });
    let _ = writeln!(
        out,
        "<p>{}: {}{} · {}: {}</p>",
        escape(s.get("agreement.dice_mean")),
        num(seg.dice_mean),
        escape(&ci),
        escape(s.get("agreement.frames")),
        seg.per_image.len()
    );
    let series_keys = [
        "report.series",
        "dataset.label",
        "agreement.slices",
        "agreement.dice",
        "agreement.hd95",
        "agreement.volume_reference",
        "agreement.volume_test",
        "agreement.volume_difference",
    ];
    let series_rows = seg.per_series.iter().map(|p| {
        vec![
            p.series_uid.clone(),
            p.label.clone(),
            p.slices.to_string(),
            format!("{:.3}", p.dice),
            num(p.hd95_mm),
            num(p.reference_mm3),
            num(p.test_mm3),
            num(p.volume_difference_pct),
        ]
    });
    table(
        out,
        s,
        Some("agreement.per_series"),
        &series_keys,
        series_rows,
    );
    let frame_keys = [
        "dataset.image",
        "dataset.label",
        "agreement.dice",
        "agreement.jaccard",
        "agreement.hd",
        "agreement.hd95",
        "agreement.assd",
    ];
    let frame_rows = seg.per_image.iter().take(WORST).map(|p| {
        vec![
            format!("{} f{}", p.sop_uid, p.frame),
            p.label.clone(),
            format!("{:.3}", p.dice),
            format!("{:.3}", p.jaccard),
            num(p.hd_mm),
            num(p.hd95_mm),
            num(p.assd_mm),
        ]
    });
    table(out, s, Some("agreement.worst"), &frame_keys, frame_rows);
}

/// Counts and rates, AP and the FROC curve.
fn detection(out: &mut String, g: &Agreement, s: &Strings) {
    let d = &g.detection;
    let _ = writeln!(out, "<h2>{}</h2>", escape(s.get("agreement.detection")));
    let keys = [
        "agreement.iou",
        "agreement.tp",
        "agreement.fp",
        "agreement.fn",
        "agreement.recall",
        "agreement.precision",
        "agreement.f1",
        "agreement.ap",
    ];
    let cells = vec![
        format!("{}", d.iou_threshold),
        d.tp.to_string(),
        d.fp.to_string(),
        d.fn_.to_string(),
        num(d.recall),
        num(d.precision),
        num(d.f1),
        num(d.ap.as_ref().and_then(|a| a.ap)),
    ];
    table(out, s, None, &keys, [cells]);
    if let Some(froc) = &d.froc {
        let _ = writeln!(out, "<h3>{}</h3>", escape(s.get("agreement.froc")));
        // log2 of the rate: 1/8 … 8 evenly across.
        let x = |rate: f64| (rate.log2() + 3.0) / 6.0;
        let points: Vec<(f64, f64)> = froc
            .sensitivity_at
            .iter()
            .map(|r| (x(r.fp_per_image), r.sensitivity))
            .collect();
        let ticks: Vec<(f64, String)> = froc
            .sensitivity_at
            .iter()
            .map(|r| (x(r.fp_per_image), format!("{}", r.fp_per_image)))
            .collect();
        out.push_str(&line_chart(&points, &ticks));
        let _ = writeln!(out, "<p>CPM {:.3}</p>", froc.cpm_sensitivity);
    }
}

/// Labels per study and series, grades, keep/drop, and the ROC curves by study.
fn classification(out: &mut String, g: &Agreement, s: &Strings) {
    let c = &g.classification;
    let _ = writeln!(
        out,
        "<h2>{}</h2>",
        escape(s.get("agreement.classification"))
    );
    let level = |name: &str| s.get(&format!("agreement.level.{name}")).to_owned();
    let mut keys = vec!["dataset.label", "agreement.level"];
    keys.extend(RATE_KEYS);
    keys.push("agreement.auc");
    let label_rows = c.labels.iter().map(|l| {
        let auc = l.roc.as_ref().map_or_else(
            || "–".to_owned(),
            |r| {
                let ci = l
                    .auc_ci
                    .map_or_else(String::new, |c| format!(" ({:.3}–{:.3})", c.low, c.high));
                format!("{:.3}{ci}", r.auc)
            },
        );
        let mut cells = vec![l.label.clone(), level(l.level)];
        cells.extend(rates(&l.calls));
        cells.push(auc);
        cells
    });
    table(out, s, None, &keys, label_rows);
    let _ = writeln!(
        out,
        "<p>{}: {}</p>",
        escape(s.get("agreement.grade_kappa")),
        num(c.grade_kappa)
    );
    let mut keys = vec!["agreement.level", "agreement.undecided"];
    keys.extend(RATE_KEYS);
    let keep_rows = c.keep_drop.iter().map(|k| {
        let mut cells = vec![level(k.level), format!("{} / {}", k.undecided, k.nodes)];
        cells.extend(rates(&k.calls));
        cells
    });
    table(out, s, Some("agreement.keep_drop"), &keys, keep_rows);
    for l in c.labels.iter().filter(|l| l.level == "study") {
        if let Some(roc) = &l.roc {
            let _ = writeln!(
                out,
                "<h3>{} · {}</h3>",
                escape(s.get("agreement.roc")),
                escape(&l.label)
            );
            let mut points = vec![(0.0, 0.0)];
            points.extend(
                roc.curve
                    .iter()
                    .map(|p| (p.false_positive_rate, p.true_positive_rate)),
            );
            let ticks = [0.0, 0.5, 1.0].map(|x| (x, format!("{x}")));
            out.push_str(&line_chart(&points, &ticks));
        }
    }
}

/// Sensitivity … kappa of a binary comparison, as table cells.
fn rates(b: &Binary) -> Vec<String> {
    vec![
        prop(b.sensitivity),
        prop(b.specificity),
        prop(b.ppv),
        prop(b.npv),
        prop(b.accuracy),
        num(b.youden),
        num(b.kappa),
    ]
}

/// A line through `points` (x and y in 0..1) in a 0..1 square with `ticks` under the
/// x axis, as inline SVG.
fn line_chart(points: &[(f64, f64)], ticks: &[(f64, String)]) -> String {
    let (left, top, size) = (40.0, 10.0, 240.0);
    let at = |(x, y): (f64, f64)| (left + x * size, top + (1.0 - y) * size);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\">\
         <rect x=\"{left}\" y=\"{top}\" width=\"{size}\" height=\"{size}\" fill=\"none\" stroke=\"#999\"/>",
        left + size + 20.0,
        top + size + 30.0
    );
    for (x, label) in ticks {
        let (px, py) = at((*x, 0.0));
        let _ = write!(
            svg,
            "<text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            py + 16.0,
            escape(label)
        );
    }
    for y in [0.0, 0.5, 1.0] {
        let (px, py) = at((0.0, y));
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{y}</text>",
            px - 4.0,
            py + 4.0
        );
    }
    let path: Vec<String> = points
        .iter()
        .map(|&p| {
            let (x, y) = at(p);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = writeln!(
        svg,
        "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"{}\"/></svg>",
        path.join(" ")
    );
    svg
}
