//! Claims: encodings, delimiters, SQLite discovery, csv-vs-SQLite reports, the join
//! to the sample release, history, code tables, ICD titles and `lightbox claims`.
//!
//! Expected values come from the spec (`claims-codes.tsv`, the claims column table),
//! the sample release's plan in `app/synth/mod.rs` (the series written with
//! `claims = false` and the stray claims row of `write_strays`), the CMS ICD-10-CM
//! titles, and hand-written files.

mod common;

use std::io::Read;
use std::path::Path;

use common::{lightbox, lightbox_ok, repo, s};
use lightbox::claims::csv_read::{TextEncoding, parse_csv};
use lightbox::claims::{Claims, ClaimsError, SeriesKey, UsedSource, codes, icd, row_fields};
use lightbox::fsutil::write_atomic;
use lightbox::i18n::Language;
use lightbox::index::{Index, ScanOptions};
use lightbox::review::ReleaseImages;

const RELEASE: &str = "20210407_102537";

/// The sample release's series written without a claims row (`head_bone`, study 9).
const SERIES_WITHOUT_CLAIMS: (&str, &str) = (
    "2.25.58045117995382639379623748232281937019",
    "2.25.77015370472943342042533000418941644138",
);

/// The sample release's claims row whose study never arrived (`write_strays`).
const ROW_WITHOUT_IMAGES: (&str, &str) = (
    "2.25.36503033445629715841253277013590698364",
    "2.25.81417158160076231224546486589620642635",
);

/// A claims header with an extra column the manual does not list.
const HEADER: &str = "HOSP_ID,CASE_TYPE,SEQ_NO,ORDER_SEQ_NO,PATIENT_ID,CURE_PATH,ICD1,StudyInstanceId,SeriesInstanceId,備註";

fn data_dir(root: &Path) -> std::path::PathBuf {
    let dir = root.join("DATA");
    std::fs::create_dir_all(&dir).expect("DATA");
    dir
}

fn write(path: &Path, bytes: &[u8]) {
    write_atomic(path, bytes).expect("write test file");
}

fn csv_name() -> String {
    format!("ADHOC_{RELEASE}.csv")
}

/// Writes `rows` (each `columns` long) as a SQLite table named `table`.
fn write_sqlite(path: &Path, table: &str, columns: &[&str], rows: &[Vec<&str>]) {
    let conn = rusqlite::Connection::open(path).expect("sqlite");
    let cols: Vec<String> = columns.iter().map(|c| format!("\"{c}\" TEXT")).collect();
    conn.execute_batch(&format!("CREATE TABLE \"{table}\" ({})", cols.join(", ")))
        .expect("create");
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    for row in rows {
        conn.execute(
            &format!("INSERT INTO \"{table}\" VALUES ({})", marks.join(", ")),
            rusqlite::params_from_iter(row.iter()),
        )
        .expect("insert");
    }
}

// ---- encodings and csv shapes -------------------------------------------------------

/// The same two rows in three encodings read back to the same text, Chinese included.
#[test]
fn utf8_utf8_bom_and_big5_read_back_exactly() {
    let body = format!(
        "{HEADER}\r\nH1,A3,001000,1,P1,U,J189,1.2.3,1.2.3.4,胸部急診，複查\r\nH1,1,001007,2,P1,H,I10,1.2.3,1.2.3.5,門診\r\n"
    );
    let (big5, _, unmappable) = encoding_rs::BIG5.encode(&body);
    assert!(!unmappable, "the test text is representable in Big5");
    assert_ne!(
        big5.as_ref(),
        body.as_bytes(),
        "Big5 bytes differ from UTF-8"
    );
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(body.as_bytes());
    for (bytes, expected) in [
        (body.as_bytes().to_vec(), TextEncoding::Utf8),
        (bom, TextEncoding::Utf8Bom),
        (big5.into_owned(), TextEncoding::Big5),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = data_dir(dir.path());
        write(&data.join(csv_name()), &bytes);
        let claims = Claims::load(&data, RELEASE).expect("loads");
        let csv = claims.csv.as_ref().expect("csv read");
        assert_eq!(csv.encoding, expected);
        assert_eq!(claims.used(), UsedSource::Csv);
        let table = claims.table();
        assert_eq!(
            table.columns[0], "HOSP_ID",
            "{expected:?}: BOM not in the name"
        );
        assert_eq!(table.columns[9], "備註");
        assert_eq!(table.len(), 2);
        assert_eq!(table.rows[0][9], "胸部急診，複查", "{expected:?}");
        assert_eq!(table.rows[1][9], "門診", "{expected:?}");
        assert_eq!(claims.extra_columns(), ["備註"]);
        assert!(claims.notes.is_empty(), "{:?}", claims.notes);
    }
}

#[test]
fn semicolon_and_tab_delimiters_with_quoted_fields() {
    let semicolon =
        b"PATIENT_ID;ICD1;NOTE\r\nP1;J189;\"a;b, c\"\r\nP2;\"I10\";\"say \"\"hi\"\"\"\r\n";
    let csv = parse_csv(semicolon).expect("semicolon csv");
    assert_eq!(csv.delimiter, ';');
    assert_eq!(csv.table.columns, ["PATIENT_ID", "ICD1", "NOTE"]);
    assert_eq!(csv.table.rows[0], ["P1", "J189", "a;b, c"]);
    assert_eq!(csv.table.rows[1], ["P2", "I10", "say \"hi\""]);

    let tab = b"PATIENT_ID\tICD1\tNOTE\nP1\tJ189\t\"x,y\"\nP2\tC3490\t\"two\nlines\"\n";
    let csv = parse_csv(tab).expect("tab csv");
    assert_eq!(csv.delimiter, '\t');
    assert_eq!(csv.table.rows[0], ["P1", "J189", "x,y"]);
    assert_eq!(csv.table.rows[1], ["P2", "C3490", "two\nlines"]);

    let comma = b"A,B,C\n\"1,000\",\"x\",\n";
    let csv = parse_csv(comma).expect("comma csv");
    assert_eq!(csv.delimiter, ',');
    assert_eq!(csv.table.rows[0], ["1,000", "x", ""]);
}

#[test]
fn an_unknown_column_is_kept_and_shown_under_its_own_name() {
    let csv = parse_csv(format!("{HEADER}\nH1,A3,1,1,P1,U,J189,1.2,1.2.1,自費\n").as_bytes())
        .expect("parses");
    let fields = row_fields(&csv.table, 0, Language::English);
    let extra = fields.last().expect("fields");
    assert_eq!(
        (extra.column.as_str(), extra.label, extra.value.as_str()),
        ("備註", None, "自費")
    );
    let case = &fields[1];
    assert_eq!(case.label, Some("Case type"));
    assert_eq!(
        case.readings,
        [
            "preventive care",
            "agency (labour insurance): specific case"
        ]
    );
}

#[test]
fn undecodable_csv_is_an_error_naming_the_line_and_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = data_dir(dir.path());
    let path = data.join(csv_name());
    write(&path, b"PATIENT_ID,NOTE\nP1,ok\nP2,\x80\x80\n");
    let err = Claims::load(&data, RELEASE).expect_err("not text");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read claims csv: neither UTF-8 (invalid byte at line 3) nor Big5 (invalid byte at line 3): {}",
            path.display()
        )
    );
}

// ---- SQLite --------------------------------------------------------------------------

#[test]
fn sqlite_table_is_found_by_its_columns_among_decoys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = data_dir(dir.path());
    let path = data.join(format!("ADHOC_{RELEASE}.sqlite"));
    // Decoys: one has the study key only, one the series key only.
    write_sqlite(
        &path,
        "patients",
        &["PATIENT_ID", "StudyInstanceId"],
        &[vec!["P1", "1.2"]],
    );
    write_sqlite(
        &path,
        "series_index",
        &["SeriesInstanceId"],
        &[vec!["1.2.1"]],
    );
    write_sqlite(
        &path,
        "export 2021-04 (final)",
        &[
            "patient_id",
            "icd1",
            "studyinstanceid",
            "SERIESINSTANCEID",
            "COST",
        ],
        &[vec!["P1", "J189", "1.2", "1.2.1", "350"]],
    );
    let claims = Claims::load(&data, RELEASE).expect("loads");
    let sqlite = claims.sqlite.as_ref().expect("sqlite read");
    assert_eq!(sqlite.table_name, "export 2021-04 (final)");
    assert_eq!(claims.used(), UsedSource::Sqlite);
    assert_eq!(claims.table().value(0, "ICD1"), Some("J189"));
    assert_eq!(claims.table().value(0, "SeriesInstanceId"), Some("1.2.1"));
    assert_eq!(claims.extra_columns(), ["COST"]);
}

#[test]
fn sqlite_without_a_claims_table_lists_the_tables_seen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = data_dir(dir.path());
    let path = data.join(format!("ADHOC_{RELEASE}.sqlite"));
    write_sqlite(&path, "patients", &["PATIENT_ID", "StudyInstanceId"], &[]);
    write_sqlite(&path, "visits", &["PATIENT_ID", "FUNC_DATE"], &[]);
    let err = Claims::load(&data, RELEASE).expect_err("no claims table");
    assert!(matches!(err, ClaimsError::NoClaimsTable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read claims sqlite: no table has the columns StudyInstanceId and SeriesInstanceId (tables: patients, visits): {}",
            path.display()
        )
    );
}

/// csv: 3 rows; SQLite: 2 of them, one with another diagnosis, plus one of its own.
fn write_disagreeing_sources(data: &Path) {
    let columns = [
        "SeriesInstanceId",
        "ORDER_SEQ_NO",
        "SEQ_NO",
        "StudyInstanceId",
        "ICD1",
    ];
    write(
        &data.join(csv_name()),
        "SeriesInstanceId,ORDER_SEQ_NO,SEQ_NO,StudyInstanceId,ICD1\n\
         1.2.1,1,001000,1.2,J189\n\
         1.2.2,2,001000,1.2,I10\n\
         1.3.1,1,001007,1.3,C3490\n"
            .as_bytes(),
    );
    write_sqlite(
        &data.join(format!("ADHOC_{RELEASE}.sqlite")),
        "ADHOC_DATA",
        &columns,
        &[
            vec!["1.2.1", "1", "1000", "1.2", "J189"],
            vec!["1.2.2", "2", "1000", "1.2", "J449"],
            vec!["1.4.1", "1", "1014", "1.4", "R05"],
        ],
    );
}

#[test]
fn csv_and_sqlite_disagreement_is_reported_and_the_sqlite_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = data_dir(dir.path());
    write_disagreeing_sources(&data);
    let claims = Claims::load(&data, RELEASE).expect("loads");
    assert_eq!(claims.used(), UsedSource::Sqlite);
    assert_eq!(claims.table().value(1, "ICD1"), Some("J449"));
    let c = claims.comparison.as_ref().expect("compared");
    assert!(!c.agrees());
    assert_eq!((c.csv_rows, c.sqlite_rows), (3, 3));
    assert_eq!(
        c.key_columns,
        ["SeriesInstanceId", "ORDER_SEQ_NO", "SEQ_NO"]
    );
    assert_eq!(c.only_in_csv.len(), 1);
    assert_eq!(
        c.only_in_csv[0].key,
        "SeriesInstanceId=1.3.1, ORDER_SEQ_NO=1, SEQ_NO=1007"
    );
    assert_eq!(c.only_in_sqlite.len(), 1);
    assert_eq!(c.only_in_sqlite[0].row, 2);
    assert_eq!(
        c.differing.len(),
        1,
        "SEQ_NO 001000 = 1000 is no difference"
    );
    let d = &c.differing[0];
    assert_eq!((d.csv_row, d.sqlite_row), (1, 1));
    assert_eq!(d.cells.len(), 1);
    assert_eq!(
        (
            d.cells[0].column.as_str(),
            d.cells[0].csv.as_str(),
            d.cells[0].sqlite.as_str()
        ),
        ("ICD1", "I10", "J449")
    );
    assert_eq!(
        claims.notes,
        [format!(
            "csv and sqlite disagree: csv 3 rows, sqlite 3; 1 only in csv, 1 only in sqlite, 1 differing; the sqlite is used: {}",
            data.display()
        )]
    );
}

#[test]
fn an_unreadable_csv_beside_a_good_sqlite_is_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = data_dir(dir.path());
    write_disagreeing_sources(&data);
    let csv = data.join(csv_name());
    write(&csv, b"SeriesInstanceId,ICD1\n1.2.1,\x80\n");
    let claims = Claims::load(&data, RELEASE).expect("the sqlite is enough");
    assert_eq!(claims.used(), UsedSource::Sqlite);
    assert_eq!(claims.table().len(), 3);
    assert!(claims.comparison.is_none());
    assert_eq!(
        claims.notes,
        [format!(
            "cannot read claims csv: neither UTF-8 (invalid byte at line 2) nor Big5 (invalid byte at line 2): {}",
            csv.display()
        )]
    );
}

#[test]
fn a_missing_data_folder_or_claims_file_is_an_empty_set_with_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("IMAGE").join(RELEASE);
    std::fs::create_dir_all(&image).expect("IMAGE");
    let index = Index::open(dir.path(), &no_cache(), &|_| {}).expect("scans");
    let claims = Claims::load_for_release(&index.root, &index.layout).expect("no error");
    assert_eq!(claims.used(), UsedSource::None);
    assert!(claims.table().is_empty());
    assert_eq!(claims.notes.len(), 1);
    assert!(
        claims.notes[0].starts_with("no claims: no DATA folder"),
        "{:?}",
        claims.notes
    );

    let data = data_dir(dir.path());
    let claims = Claims::load(&data, RELEASE).expect("no error");
    assert_eq!(
        claims.notes,
        [format!(
            "no claims file ADHOC_{RELEASE}.csv or ADHOC_{RELEASE}.sqlite: {}",
            data.display()
        )]
    );
}

// ---- the sample release --------------------------------------------------------------

fn no_cache() -> ScanOptions {
    ScanOptions {
        no_cache: true,
        cache_path: None,
    }
}

fn sample() -> (Index, Claims) {
    let index = Index::open(&repo().join("sample-data"), &no_cache(), &|_| {}).expect("scans");
    let claims = Claims::load_for_release(&index.root, &index.layout).expect("loads");
    (index, claims)
}

#[test]
fn sample_release_mismatches_both_ways() {
    let (index, claims) = sample();
    assert_eq!(claims.used(), UsedSource::Sqlite);
    assert!(claims.comparison.as_ref().expect("both files").agrees());
    assert!(claims.notes.is_empty(), "{:?}", claims.notes);
    let table = claims.table();
    assert_eq!(table.len(), 11);
    for join in [
        claims.join_index(&index),
        claims.join_images(&ReleaseImages::from_index(&index)),
    ] {
        assert_eq!(
            join.series_without_claims,
            [SeriesKey {
                study_uid: SERIES_WITHOUT_CLAIMS.0.into(),
                series_uid: SERIES_WITHOUT_CLAIMS.1.into(),
            }]
        );
        let rows: Vec<(&str, &str)> = join
            .rows_without_images
            .iter()
            .map(|r| {
                (
                    table.value_or_empty(*r, "StudyInstanceId"),
                    table.value_or_empty(*r, "SeriesInstanceId"),
                )
            })
            .collect();
        assert_eq!(rows, [ROW_WITHOUT_IMAGES]);
        assert_eq!(join.series_rows.len(), 10, "11 series, one without claims");
    }
}

#[test]
fn sample_history_is_sorted_by_date() {
    let (_, claims) = sample();
    // Patient 2 of the plan: visits written in the order 07-05, 11-10, 03-15.
    let history = claims.patient_history("6AFFAB808737B81F");
    assert_eq!(history.date_column.as_deref(), Some("FUNC_DATE"));
    let dates: Vec<&str> = (0..history.table.len())
        .map(|r| history.table.value_or_empty(r, "FUNC_DATE"))
        .collect();
    assert_eq!(dates, ["20200315", "20200705", "20201110"]);
    assert_eq!(history.table.value(0, "T_AMT"), Some("506"));
    assert!(claims.patient_history("NOBODY").table.is_empty());
}

#[test]
fn history_from_several_years_with_different_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = data_dir(dir.path());
    write(
        &data.join(format!("ADHOC_{RELEASE}_VDemoOpDtl_2020.csv")),
        b"PATIENT_ID,FEE_YM,FUNC_DATE,ICD1\nP1,202011,20201103,J189\nP2,202001,20200101,I10\nP1,202002,20200214,R05\n",
    );
    write(
        &data.join(format!("ADHOC_{RELEASE}_VDemoOpDtl_2019.csv")),
        b"FEE_YM,PATIENT_ID,ICD1,DRUG\n201912,P1,J449,X1\n201905,P1,,\n",
    );
    let claims = Claims::load(&data, RELEASE).expect("loads");
    let h = claims.patient_history("P1");
    assert_eq!(
        h.table.columns,
        ["FEE_YM", "PATIENT_ID", "ICD1", "DRUG", "FUNC_DATE"]
    );
    let order: Vec<(&str, &str)> = (0..h.table.len())
        .map(|r| {
            (
                h.table.value_or_empty(r, "FEE_YM"),
                h.table.value_or_empty(r, "ICD1"),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("201905", ""),
            ("201912", "J449"),
            ("202002", "R05"),
            ("202011", "J189")
        ]
    );
}

// ---- codes and ICD titles ------------------------------------------------------------

#[test]
fn codes_decode_from_the_spec_table_in_both_languages() {
    use Language::{English, TraditionalChinese};
    assert_eq!(
        codes::decode("CASE_TYPE", "A3", English),
        [
            "preventive care",
            "agency (labour insurance): specific case"
        ]
    );
    assert_eq!(
        codes::decode("CASE_TYPE", "A3", TraditionalChinese),
        ["預防保健", "代辦勞保局特定案件"]
    );
    assert_eq!(
        codes::decode("HOSP_CNT_TYPE", "1", TraditionalChinese),
        ["醫學中心"]
    );
    assert_eq!(
        codes::decode("CURE_PATH", "G", English),
        ["chest and upper abdomen"]
    );
    assert_eq!(
        codes::decode("HOSP_DATA_TYPE", "22", English),
        ["inpatient, western-medicine hospital"]
    );
    assert_eq!(
        codes::decode("DEATH_CODE", "Y", TraditionalChinese),
        ["死亡"]
    );
    assert!(codes::decode("CURE_PATH", "X", English).is_empty());
    assert_eq!(
        codes::column_label("ICD1", TraditionalChinese),
        Some("主診斷代碼")
    );
    assert_eq!(
        codes::column_label("SeriesInstanceId", TraditionalChinese),
        Some("Series 識別碼")
    );
}

/// The shipped ICD-10-CM list, read independently of `icd`.
fn shipped_icd_lines() -> String {
    let bytes = std::fs::read(repo().join("assets/icd10cm/icd10cm-codes.tsv.gz")).expect("asset");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("gzip");
    text
}

#[test]
fn icd_titles_match_cms_and_the_shipped_file() {
    let shipped = shipped_icd_lines();
    for (code, claims_spelling, title) in [
        ("J18.9", "J189", "Pneumonia, unspecified organism"),
        (
            "C34.90",
            "c3490 ",
            "Malignant neoplasm of unspecified part of unspecified bronchus or lung",
        ),
        ("I10", "I10", "Essential (primary) hypertension"),
        (
            "S62.309A",
            "S62309A",
            "Unspecified fracture of unspecified metacarpal bone, initial encounter for closed fracture",
        ),
    ] {
        assert!(
            shipped.contains(&format!("\n{code}\t{title}\n")),
            "{code} in the shipped file"
        );
        assert_eq!(icd::title(code), Some(title));
        assert_eq!(icd::title(claims_spelling), Some(title));
        assert_eq!(icd::dotted(claims_spelling).as_deref(), Some(code));
    }
    assert_eq!(icd::title("4280"), None, "ICD-9-CM heart failure");
    assert_eq!(icd::code_count(), shipped.lines().count());
}

// ---- the CLI -------------------------------------------------------------------------

fn claims_json(args: &[&str]) -> serde_json::Value {
    let out = lightbox_ok(args);
    serde_json::from_slice(&out.stdout).expect("claims --json prints JSON")
}

#[test]
fn cli_json_on_the_sample_release() {
    let sample = repo().join("sample-data");
    let v = claims_json(&["claims", s(&sample), "--json"]);
    assert_eq!(v["release_id"], RELEASE);
    assert_eq!(v["language"], "en");
    assert_eq!(v["sources"]["used"], "sqlite");
    assert_eq!(v["sources"]["sqlite"]["table"], "ADHOC_DATA");
    assert_eq!(v["sources"]["csv"]["encoding"], "utf8_bom");
    assert_eq!(v["sources"]["csv"]["rows"], 11);
    assert_eq!(v["sources"]["history"][0]["year"], "2020");
    assert_eq!(
        v["csv_vs_sqlite"]["only_in_csv"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(
        v["series_without_claims"],
        serde_json::json!([{"study_uid": SERIES_WITHOUT_CLAIMS.0, "series_uid": SERIES_WITHOUT_CLAIMS.1}])
    );
    let stray = &v["claims_rows_without_images"];
    assert_eq!(stray.as_array().map(Vec::len), Some(1));
    let field = |row: &serde_json::Value, column: &str| {
        row["fields"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["column"] == column))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        field(&stray[0], "StudyInstanceId")["value"],
        ROW_WITHOUT_IMAGES.0
    );
    assert_eq!(
        field(&stray[0], "SeriesInstanceId")["value"],
        ROW_WITHOUT_IMAGES.1
    );
    assert_eq!(field(&stray[0], "ICD1")["icd_code"], "C50.911");

    // The chest radiograph (study 4 of the plan): CR, CURE_PATH U, J189, 71 F.
    let studies = v["studies"].as_array().expect("studies");
    let cr = studies
        .iter()
        .flat_map(|st| st["series"].as_array().into_iter().flatten())
        .find(|se| se["modality"] == "CR")
        .expect("a CR series");
    assert_eq!(cr["summary"], "CR · chest · J18.9 · 71 F");
    let icd1 = field(&cr["claims"][0], "ICD1");
    assert_eq!(icd1["icd_title"], "Pneumonia, unspecified organism");
    assert_eq!(icd1["label"], "Principal diagnosis");

    let zh = claims_json(&["claims", s(&sample), "--json", "--lang", "zh-TW"]);
    let summaries: Vec<&str> = zh["studies"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|st| st["series"].as_array().into_iter().flatten())
        .filter_map(|se| se["summary"].as_str())
        .collect();
    assert!(
        summaries.contains(&"CR · 胸部 · J18.9 · 71 F"),
        "{summaries:?}"
    );
    assert_eq!(
        summaries.len(),
        10,
        "every series with claims has a summary"
    );
}

#[test]
fn cli_reports_disagreement_with_exit_0_and_fails_with_2_on_a_bad_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("IMAGE").join(RELEASE)).expect("IMAGE");
    write_disagreeing_sources(&data_dir(dir.path()));
    let v = claims_json(&["claims", s(dir.path()), "--json"]);
    let c = &v["csv_vs_sqlite"];
    assert_eq!(
        (c["csv_rows"].as_u64(), c["sqlite_rows"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(c["differing"][0]["cells"][0]["column"], "ICD1");
    assert_eq!(c["differing"][0]["cells"][0]["csv"], "I10");
    assert_eq!(c["differing"][0]["cells"][0]["sqlite"], "J449");
    assert_eq!(
        v["claims_rows_without_images"].as_array().map(Vec::len),
        Some(3)
    );

    let text = lightbox_ok(&["claims", s(dir.path())]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("CSV vs SQLite: csv and sqlite disagree"),
        "{text}"
    );
    assert!(
        text.contains("    ICD1: csv \"I10\", sqlite \"J449\""),
        "{text}"
    );

    let missing = dir.path().join("no-such-folder");
    let out = lightbox(&["claims", s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a folder"));
}
