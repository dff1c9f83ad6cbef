//! `lightbox claims`: the release's claims joined to its series, and what does not match.
//!
//! Mismatches are findings, not failures: the verb exits 0 whenever the release and
//! its claims could be read, and 2 only when they could not.
//!
//! `--json` prints one object; keys are only ever added, never renamed or removed:
//!
//! - `release_id` (string or null), `language` (`en` / `zh-TW`: labels and readings)
//! - `sources`: `used` (`sqlite` / `csv` / `none`); `csv` (null or `path`, `encoding`
//!   `utf8` / `utf8_bom` / `utf16_le` / `utf16_be` / `big5`, `delimiter`, `rows`);
//!   `sqlite` (null or `path`, `table`, `rows`); `history` (`path`, `year`, `encoding`,
//!   `rows` per VDemoOpDtl file)
//! - `columns` (of the table in use, file order), `extra_columns` (not in the manual)
//! - `studies`: in browser order, each `study_uid`, `patient_id`, `study_date`,
//!   `claims` (rows naming the study and no series) and `series`: `series_uid`,
//!   `modality`, `number`, `description`, `images`, `summary` (one line, null without
//!   claims), `claims` (rows naming the series)
//! - `claims_rows_without_images` (rows), `series_without_claims` (`study_uid`,
//!   `series_uid`)
//! - `csv_vs_sqlite`: null unless both files were read, else `csv_rows`,
//!   `sqlite_rows`, `columns_only_in_csv`, `columns_only_in_sqlite`, `key_columns`,
//!   `only_in_csv` / `only_in_sqlite` (`key`, `row`), `differing` (`key`, `csv_row`,
//!   `sqlite_row`, `cells`: `column`, `csv`, `sqlite`)
//! - `notes`: strings, each ending with the path it is about
//!
//! A row is `{"row": n, "fields": [...]}`, `n` its 0-based index in the table in use
//! (the text output numbers rows from 1), each field `column`, `label` (null for an
//! extra column), `value`, `readings` (decoded code, several when ambiguous),
//! `icd_code` and `icd_title` (null unless an ICD-10-CM diagnosis).

use lightbox::fsutil::ShowPath;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use lightbox::claims::history::PATIENT_ID_COLUMN;
use lightbox::claims::table::{SERIES_UID_COLUMN, STUDY_UID_COLUMN};
use lightbox::claims::{Claims, ClaimsJoin, ClaimsTable, FieldView, row_fields, series_summary};
use lightbox::i18n::Language;
use lightbox::index::Index;
use serde_json::{Value, json};

/// Arguments of `claims`.
#[derive(Args)]
pub struct ClaimsArgs {
    /// Release root (holding IMAGE/ and DATA/) or IMAGE/<release> folder.
    path: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Language of column names and decoded codes: en or zh-TW.
    #[arg(long, default_value = "en", value_parser = parse_language)]
    lang: Language,
}

fn parse_language(s: &str) -> Result<Language, String> {
    Language::from_code(s).ok_or_else(|| format!("unknown language {s:?}; use en or zh-TW"))
}

/// Runs `claims`.
pub fn run(a: &ClaimsArgs) -> anyhow::Result<ExitCode> {
    let index = super::scan::scan(&a.path, false, a.json)?;
    let claims = Claims::load_for_release(&index.root, &index.layout)?;
    let join = claims.join_index(&index);
    if a.json {
        let value = to_json(&index, &claims, &join, a.lang);
        outln!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_text(&index, &claims, &join, a.lang);
    }
    Ok(ExitCode::SUCCESS)
}

/// One claims row for JSON: its index in the table in use and every field read.
fn row_json(table: &ClaimsTable, row: usize, lang: Language) -> Value {
    json!({ "row": row, "fields": row_fields(table, row, lang) })
}

/// The `claims --json` object, as the module documentation describes it.
fn to_json(index: &Index, claims: &Claims, join: &ClaimsJoin, lang: Language) -> Value {
    let table = claims.table();
    let rows =
        |rows: &[usize]| -> Vec<Value> { rows.iter().map(|r| row_json(table, *r, lang)).collect() };
    let studies: Vec<Value> = index
        .studies()
        .map(|st| {
            let series: Vec<Value> = st
                .series
                .iter()
                .map(|se| {
                    let own = join
                        .series_rows
                        .get(&se.series_uid)
                        .map_or(&[][..], Vec::as_slice);
                    let described = join.rows_for_series(&st.study_uid, &se.series_uid);
                    json!({
                        "series_uid": se.series_uid,
                        "modality": se.modality,
                        "number": se.number,
                        "description": se.description,
                        "images": se.instances.len(),
                        "summary": series_summary(table, &described, lang),
                        "claims": rows(own),
                    })
                })
                .collect();
            let study_only = join
                .study_only_rows
                .get(&st.study_uid)
                .map_or(&[][..], Vec::as_slice);
            json!({
                "study_uid": st.study_uid,
                "patient_id": st.patient_id,
                "study_date": st.study_date,
                "claims": rows(study_only),
                "series": series,
            })
        })
        .collect();
    json!({
        "release_id": claims.release_id,
        "language": lang.code(),
        "sources": {
            "used": claims.used(),
            "csv": claims.csv.as_ref().map(|c| json!({
                "path": c.path,
                "encoding": c.encoding,
                "delimiter": c.delimiter.to_string(),
                "rows": c.table.len(),
            })),
            "sqlite": claims.sqlite.as_ref().map(|s| json!({
                "path": s.path,
                "table": s.table_name,
                "rows": s.table.len(),
            })),
            "history": claims.history.files.iter().map(|f| json!({
                "path": f.path,
                "year": f.year,
                "encoding": f.encoding,
                "rows": f.table.len(),
            })).collect::<Vec<_>>(),
        },
        "columns": table.columns,
        "extra_columns": claims.extra_columns(),
        "studies": studies,
        "claims_rows_without_images": rows(&join.rows_without_images),
        "series_without_claims": join.series_without_claims,
        "csv_vs_sqlite": claims.comparison,
        "notes": claims.notes,
    })
}

/// One field as a text line: `COLUMN (label): value = reading | reading`.
fn field_line(f: &FieldView) -> String {
    let name = match f.label {
        Some(label) => format!("{} ({label})", f.column),
        None => format!("{} [extra]", f.column),
    };
    let mut line = format!("{name}: {}", f.value);
    if !f.readings.is_empty() {
        line.push_str(&format!(" = {}", f.readings.join(" | ")));
    }
    if let (Some(code), Some(title)) = (&f.icd_code, f.icd_title) {
        line.push_str(&format!(" = {code} {title}"));
    }
    line
}

/// Prints the filled fields of each row, indented.
fn print_rows(table: &ClaimsTable, rows: &[usize], lang: Language, indent: &str) {
    for &row in rows {
        outln!("{indent}row {}:", row + 1);
        for f in row_fields(table, row, lang)
            .iter()
            .filter(|f| !f.value.is_empty())
        {
            outln!("{indent}  {}", field_line(f));
        }
    }
}

fn print_text(index: &Index, claims: &Claims, join: &ClaimsJoin, lang: Language) {
    let table = claims.table();
    outln!(
        "Release {}",
        claims.release_id.as_deref().unwrap_or("(no release id)")
    );
    if let Some(s) = &claims.sqlite {
        outln!(
            "  sqlite: table {}, {} rows: {}",
            s.table_name,
            s.table.len(),
            s.path.shown()
        );
    }
    if let Some(c) = &claims.csv {
        outln!(
            "  csv: {} rows, {}, delimiter {:?}: {}",
            c.table.len(),
            c.encoding.name(),
            c.delimiter,
            c.path.shown()
        );
    }
    if let Some(c) = &claims.comparison {
        outln!("  {}", c.summary());
    }
    for f in &claims.history.files {
        outln!(
            "  history {}: {} rows, {}: {}",
            f.year,
            f.table.len(),
            f.encoding.name(),
            f.path.shown()
        );
    }
    let extra = claims.extra_columns();
    if !extra.is_empty() {
        outln!("  extra columns: {}", extra.join(", "));
    }
    for st in index.studies() {
        outln!(
            "Study {}  {}  patient {}",
            st.study_uid,
            st.study_date.as_deref().unwrap_or("-"),
            st.patient_id
        );
        if let Some(rows) = join.study_only_rows.get(&st.study_uid) {
            print_rows(table, rows, lang, "  ");
        }
        for se in &st.series {
            let described = join.rows_for_series(&st.study_uid, &se.series_uid);
            outln!(
                "  Series {}  {} \"{}\"  {} images  {}",
                se.series_uid,
                se.modality.as_deref().unwrap_or("-"),
                se.description.as_deref().unwrap_or("-"),
                se.instances.len(),
                series_summary(table, &described, lang).unwrap_or_else(|| "(no claims)".into())
            );
            if let Some(rows) = join.series_rows.get(&se.series_uid) {
                print_rows(table, rows, lang, "    ");
            }
        }
    }
    outln!(
        "Claims rows with no images ({}):",
        join.rows_without_images.len()
    );
    for &row in &join.rows_without_images {
        outln!(
            "  row {}: study {} series {} patient {}",
            row + 1,
            table.value_or_empty(row, STUDY_UID_COLUMN),
            table.value_or_empty(row, SERIES_UID_COLUMN),
            table.value_or_empty(row, PATIENT_ID_COLUMN)
        );
    }
    outln!(
        "Series with no claims row ({}):",
        join.series_without_claims.len()
    );
    for s in &join.series_without_claims {
        outln!("  study {} series {}", s.study_uid, s.series_uid);
    }
    if let Some(c) = claims.comparison.as_ref().filter(|c| !c.agrees()) {
        outln!("CSV vs SQLite: {}", c.summary());
        for r in &c.only_in_csv {
            outln!("  only in csv, row {}: {}", r.row + 1, r.key);
        }
        for r in &c.only_in_sqlite {
            outln!("  only in sqlite, row {}: {}", r.row + 1, r.key);
        }
        for d in &c.differing {
            outln!("  differs ({}):", d.key);
            for cell in &d.cells {
                outln!(
                    "    {}: csv {:?}, sqlite {:?}",
                    cell.column,
                    cell.csv,
                    cell.sqlite
                );
            }
        }
    }
    if !claims.notes.is_empty() {
        outln!("Notes ({}):", claims.notes.len());
        for n in &claims.notes {
            outln!("  {n}");
        }
    }
}
