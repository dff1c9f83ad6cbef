//! `lightbox describe --out DIR`: the description as CSV tables (one per attribute,
//! overall and per set) and as an offline HTML report with bar charts drawn in
//! inline SVG (no scripts, no fonts or files from anywhere), in English and in
//! Traditional Chinese.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::describe::{BY, Description};
use crate::fsutil::{self, ShowPath};
use crate::i18n::{Language, Strings};
use crate::review::csv_text::push_record;

/// A report file that could not be written.
#[derive(Debug, Error)]
#[error("cannot write the report: {source}: {}", path.shown())]
pub struct ReportError {
    /// The file or folder.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// The descriptions to report: `all` first, then each set of a split.
pub struct Report<'a> {
    /// The whole release.
    pub all: &'a Description,
    /// Each set, by name (`train`, `val`, `test`); empty without a split.
    pub splits: &'a BTreeMap<&'static str, Description>,
}

impl Report<'_> {
    /// The descriptions with the name of their set (`all` first).
    fn sets(&self) -> Vec<(&str, &Description)> {
        std::iter::once(("all", self.all))
            .chain(
                super::split::SETS
                    .iter()
                    .filter_map(|set| self.splits.get(set).map(|d| (*set, d))),
            )
            .collect()
    }
}

/// Writes `totals.csv`, `by_<attribute>.csv` and `report.en.html`,
/// `report.zh-TW.html` into `dir` (created); returns the files written.
///
/// # Errors
/// The folder or a file that cannot be written (atomically), with its path.
pub fn write(dir: &Path, report: &Report<'_>) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut put = |name: &str, text: String| -> Result<(), ReportError> {
        let path = dir.join(name);
        fsutil::write_atomic(&path, text.as_bytes()).map_err(|source| ReportError {
            path: path.clone(),
            source,
        })?;
        files.push(path);
        Ok(())
    };
    let mut totals = String::new();
    push_record(
        &mut totals,
        &["set", "patients", "studies", "series", "images"],
    );
    for (set, d) in report.sets() {
        let counts = [d.patients, d.studies, d.series, d.images].map(|n| n.to_string());
        push_record(
            &mut totals,
            &[set, &counts[0], &counts[1], &counts[2], &counts[3]],
        );
    }
    put("totals.csv", totals)?;
    for (_, attribute) in BY {
        let mut csv = String::new();
        push_record(&mut csv, &["set", "value", "patients", "studies", "images"]);
        for (set, d) in report.sets() {
            for (value, c) in d.by.get(attribute).into_iter().flatten() {
                let counts = [c.patients, c.studies, c.images].map(|n| n.to_string());
                push_record(&mut csv, &[set, value, &counts[0], &counts[1], &counts[2]]);
            }
        }
        put(&format!("by_{attribute}.csv"), csv)?;
    }
    for (language, name) in [
        (Language::English, "report.en.html"),
        (Language::TraditionalChinese, "report.zh-TW.html"),
    ] {
        put(
            name,
            html(report, Strings::for_language(language), language),
        )?;
    }
    Ok(files)
}

/// The HTML report in one language.
pub fn html(report: &Report<'_>, s: &Strings, language: Language) -> String {
    let mut out = page_start(s.get("report.title"), language);
    let sets = report.sets();
    // Totals, one row per set.
    let _ = writeln!(
        out,
        "<table><tr><th></th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape(s.get("report.patients")),
        escape(s.get("report.studies")),
        escape(s.get("report.series")),
        escape(s.get("report.images"))
    );
    for (set, d) in &sets {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(s.get(&format!("report.set.{set}"))),
            d.patients,
            d.studies,
            d.series,
            d.images
        );
    }
    out.push_str("</table>\n");
    for (_, attribute) in BY {
        let _ = writeln!(
            out,
            "<h2>{}</h2>",
            escape(s.get(&format!("report.by.{attribute}")))
        );
        let values: Vec<&String> = report
            .all
            .by
            .get(attribute)
            .map_or_else(Vec::new, |m| m.keys().collect());
        if values.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(s.get("report.none")));
            continue;
        }
        out.push_str(&chart(report.all, attribute, &values));
        let _ = write!(out, "<table><tr><th></th>");
        for (set, _) in &sets {
            let _ = write!(
                out,
                "<th>{} · {}</th><th>{} · {}</th>",
                escape(s.get(&format!("report.set.{set}"))),
                escape(s.get("report.patients")),
                escape(s.get(&format!("report.set.{set}"))),
                escape(s.get("report.studies"))
            );
        }
        out.push_str("</tr>\n");
        for value in &values {
            let _ = write!(out, "<tr><td>{}</td>", escape(value));
            for (_, d) in &sets {
                let c = d.by.get(attribute).and_then(|m| m.get(*value));
                let _ = write!(
                    out,
                    "<td>{}</td><td>{}</td>",
                    c.map_or(0, |c| c.patients),
                    c.map_or(0, |c| c.studies)
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body></html>\n");
    out
}

/// The start of a report page titled `title`: the document head with its style and
/// the `<h1>`. The caller ends it with `</body></html>`.
pub(crate) fn page_start(title: &str, language: Language) -> String {
    let lang = match language {
        Language::English => "en",
        Language::TraditionalChinese => "zh-Hant-TW",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:0.5em 0 1.5em}}\
         td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}td:first-child,th:first-child{{text-align:left}}\
         svg text{{font:12px sans-serif}}</style></head><body>\n<h1>{title}</h1>\n",
        title = escape(title)
    )
}

/// Horizontal bars of the studies per value of an attribute, as inline SVG.
fn chart(d: &Description, attribute: &str, values: &[&String]) -> String {
    let counts: Vec<usize> = values
        .iter()
        .map(|v| {
            d.by.get(attribute)
                .and_then(|m| m.get(*v))
                .map_or(0, |c| c.studies)
        })
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let (label_w, bar_w, row_h) = (220.0, 360.0, 20.0);
    let height = row_h * values.len() as f64 + 4.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\">",
        label_w + bar_w + 60.0
    );
    for (i, (value, n)) in values.iter().zip(&counts).enumerate() {
        let y = i as f64 * row_h + 2.0;
        let w = bar_w * *n as f64 / max;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"#4a7fb5\"/>\
             <text x=\"{}\" y=\"{}\">{n}</text>",
            label_w - 6.0,
            y + 14.0,
            escape(value),
            row_h - 4.0,
            label_w + w + 4.0,
            y + 14.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Text safe inside HTML (and SVG) element content and attributes.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::describe::ValueCounts;

    fn description() -> Description {
        let mut d = Description {
            patients: 2,
            studies: 3,
            series: 4,
            images: 35,
            by: BTreeMap::new(),
        };
        d.by.insert(
            "label".into(),
            [
                (
                    "nodule <3mm>".to_owned(),
                    ValueCounts {
                        patients: 1,
                        studies: 2,
                        images: 30,
                    },
                ),
                (
                    "none".to_owned(),
                    ValueCounts {
                        patients: 1,
                        studies: 1,
                        images: 5,
                    },
                ),
            ]
            .into(),
        );
        d
    }

    #[test]
    fn the_html_is_offline_escaped_and_speaks_both_languages() {
        let d = description();
        let splits = BTreeMap::new();
        let report = Report {
            all: &d,
            splits: &splits,
        };
        let en = html(
            &report,
            Strings::for_language(Language::English),
            Language::English,
        );
        let zh = html(
            &report,
            Strings::for_language(Language::TraditionalChinese),
            Language::TraditionalChinese,
        );
        for page in [&en, &zh] {
            assert!(!page.contains("<script"), "no scripts");
            // The only address is the SVG namespace, which nothing fetches.
            assert_eq!(
                page.matches("http").count(),
                page.matches("http://www.w3.org/2000/svg").count()
            );
            assert!(
                !page.contains("src=") && !page.contains("href="),
                "nothing loaded from anywhere"
            );
            assert!(page.contains("nodule &lt;3mm&gt;") && !page.contains("nodule <3mm>"));
            assert!(page.contains("<svg") && page.contains("<rect"));
        }
        assert!(en.contains("Dataset description") && zh.contains("資料集描述"));
        // The longer bar is the value with more studies: 360 wide against 180.
        assert!(en.contains("width=\"360.0\"") && en.contains("width=\"180.0\""));
    }

    #[test]
    fn the_tables_are_written_as_csv() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = description();
        let splits = BTreeMap::new();
        let files = write(
            dir.path(),
            &Report {
                all: &d,
                splits: &splits,
            },
        )
        .expect("written");
        assert_eq!(files.len(), 1 + BY.len() + 2);
        let label = std::fs::read_to_string(dir.path().join("by_label.csv")).expect("csv");
        assert_eq!(
            label,
            "set,value,patients,studies,images\r\nall,nodule <3mm>,1,2,30\r\nall,none,1,1,5\r\n"
        );
        let totals = std::fs::read_to_string(dir.path().join("totals.csv")).expect("csv");
        assert_eq!(
            totals,
            "set,patients,studies,series,images\r\nall,2,3,4,35\r\n"
        );
    }
}
