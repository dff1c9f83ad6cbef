//! Synthetic claims: `ADHOC_<release>.csv`, the same rows as SQLite, and a history file.

use std::path::Path;

use super::dicom_out::SynthError;
use crate::fsutil::{ShowPath, write_atomic};
use crate::review::csv_text::{UTF8_BOM, push_record};

/// The claims columns of the spec, in order.
pub const CLAIMS_COLUMNS: [&str; 25] = [
    "HOSP_ID",
    "HOSP_DATA_TYPE",
    "FEE_YM",
    "APPL_TYPE",
    "APPL_DATE",
    "CASE_TYPE",
    "SEQ_NO",
    "ORDER_SEQ_NO",
    "ORDER_CODE",
    "HOSP_CNT_TYPE",
    "STUDY_DATE",
    "PATIENT_ID",
    "PATIENT_AGE",
    "PATIENT_SEX",
    "MODALITY",
    "CURE_PATH",
    "DEATH_CODE",
    "DEATH_M",
    "ICD1",
    "ICD2",
    "ICD3",
    "ICD4",
    "ICD5",
    "StudyInstanceId",
    "SeriesInstanceId",
];

/// History columns of `ADHOC_<release>_VDemoOpDtl_<year>.csv` (not specified by the manual; claim-style).
pub const HISTORY_COLUMNS: [&str; 10] = [
    "PATIENT_ID",
    "FEE_YM",
    "FUNC_DATE",
    "HOSP_ID",
    "HOSP_DATA_TYPE",
    "CASE_TYPE",
    "ICD1",
    "ICD2",
    "ICD3",
    "T_AMT",
];

/// Writes a CSV as government exports often come: UTF-8 with a BOM, CRLF line ends.
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), SynthError> {
    let mut text = String::from(UTF8_BOM);
    push_record(&mut text, header);
    for row in rows {
        push_record(&mut text, row);
    }
    write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// Writes the same rows into a SQLite file, table `ADHOC_DATA`, all columns TEXT.
pub fn write_sqlite(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), SynthError> {
    let tmp = path.with_extension("sqlite.tmp");
    let _ = std::fs::remove_file(&tmp);
    let db_err = |e: rusqlite::Error| SynthError::Write(format!("{e} ({})", path.shown()));
    {
        let conn = rusqlite::Connection::open(&tmp).map_err(db_err)?;
        let cols: Vec<String> = header.iter().map(|h| format!("\"{h}\" TEXT")).collect();
        conn.execute_batch(&format!("CREATE TABLE ADHOC_DATA ({});", cols.join(", ")))
            .map_err(db_err)?;
        let marks: Vec<String> = (1..=header.len()).map(|i| format!("?{i}")).collect();
        let sql = format!("INSERT INTO ADHOC_DATA VALUES ({})", marks.join(", "));
        let mut stmt = conn.prepare(&sql).map_err(db_err)?;
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row.iter()))
                .map_err(db_err)?;
        }
    }
    crate::fsutil::rename(&tmp, path)?;
    Ok(())
}
