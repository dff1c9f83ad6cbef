//! Claims csv files as they arrive: bytes of an unstated encoding, an unstated delimiter.
//!
//! The manual does not say how the csv is encoded, and exports from Taiwanese
//! government systems come as UTF-8 with a BOM (Excel), plain UTF-8, Big5/CP950
//! (older tools) or, from Excel's "Unicode text", UTF-16 with a BOM. A BOM decides;
//! without one, text that is valid UTF-8 is UTF-8 (Big5 text with Chinese in it almost
//! never is) and anything else must be valid Big5 (`encoding_rs::BIG5` is the WHATWG
//! Big5, a superset of CP950). Nothing is decoded with replacement characters: a file
//! that is neither is an error that names the line, so a reviewer never reads
//! mojibake as data. The delimiter is sniffed from the header line among `,` `;`
//! TAB `|`; quoting follows RFC 4180 and both CRLF and LF end lines.

use std::path::Path;

use encoding_rs::{BIG5, Encoding, UTF_8, UTF_16LE};
use serde::Serialize;

use super::ClaimsError;
use super::table::ClaimsTable;

/// The encoding a claims file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    /// UTF-8 without a BOM (plain ASCII included).
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little-endian with a BOM.
    Utf16Le,
    /// UTF-16 big-endian with a BOM.
    Utf16Be,
    /// Big5 / CP950.
    Big5,
}

impl TextEncoding {
    /// A short name for reports: `UTF-8`, `UTF-8 BOM`, `UTF-16LE`, `UTF-16BE`, `Big5`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 BOM",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Big5 => "Big5",
        }
    }
}

/// Why the bytes of a csv are not a claims table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvProblem {
    /// Neither UTF-8 nor Big5.
    #[error(
        "neither UTF-8 (invalid byte at line {utf8_line}) nor Big5 (invalid byte at line {big5_line})"
    )]
    UnknownEncoding {
        /// 1-based line of the first byte that is not UTF-8.
        utf8_line: usize,
        /// 1-based line of the first byte that is not Big5.
        big5_line: usize,
    },
    /// A byte-order mark followed by bytes not in its encoding.
    #[error("invalid {encoding} at line {line} after a byte-order mark")]
    InvalidAfterBom {
        /// The encoding the BOM announced.
        encoding: &'static str,
        /// 1-based line of the first invalid byte.
        line: usize,
    },
    /// No header line.
    #[error("the file is empty (no header line)")]
    Empty,
    /// The csv reader failed.
    #[error("malformed csv at line {line}: {reason}")]
    Malformed {
        /// 1-based line.
        line: u64,
        /// What the reader said.
        reason: String,
    },
}

/// A decoded csv file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvText {
    /// Header and rows, values exactly as in the file.
    pub table: ClaimsTable,
    /// The encoding found.
    pub encoding: TextEncoding,
    /// The delimiter found.
    pub delimiter: char,
    /// Rows whose field count differs from the header's (padded or cut), without path.
    pub warnings: Vec<String>,
}

/// The delimiters a header line is sniffed for, in the order ties are broken.
const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

/// Reads and decodes the csv at `path`; `what` names it in errors (`claims csv`).
pub fn read_csv(path: &Path, what: &'static str) -> Result<CsvText, ClaimsError> {
    let bytes = std::fs::read(path).map_err(|reason| ClaimsError::Io {
        what,
        reason,
        path: path.to_path_buf(),
    })?;
    parse_csv(&bytes).map_err(|problem| ClaimsError::Csv {
        what,
        problem,
        path: path.to_path_buf(),
    })
}

/// Decodes csv bytes: encoding, delimiter, header and rows.
pub fn parse_csv(bytes: &[u8]) -> Result<CsvText, CsvProblem> {
    let (text, encoding) = decode_text(bytes)?;
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter as u8)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CsvProblem::Malformed {
            line: line_at(&text, e.position()),
            reason: e.to_string(),
        })?;
        let line = line_at(&text, record.position());
        let fields: Vec<String> = record.iter().map(str::to_owned).collect();
        match &header {
            None => header = Some(header_names(fields)),
            Some(_) if fields.iter().all(|f| f.trim().is_empty()) => {}
            Some(h) => {
                if fields.len() != h.len() {
                    warnings.push(format!(
                        "line {line} has {} fields, the header {}",
                        fields.len(),
                        h.len()
                    ));
                }
                rows.push(fields);
            }
        }
    }
    let header = header.ok_or(CsvProblem::Empty)?;
    Ok(CsvText {
        table: ClaimsTable::new(header, rows),
        encoding,
        delimiter,
        warnings,
    })
}

/// The 1-based line a record starts on. The reader's position can point at the `\n`
/// of the previous line's CRLF, so line ends after it are skipped before counting.
fn line_at(text: &str, position: Option<&csv::Position>) -> u64 {
    let bytes = text.as_bytes();
    let mut at = position.map_or(0, |p| p.byte() as usize).min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    1 + bytes[..at].iter().filter(|b| **b == b'\n').count() as u64
}

/// Header names trimmed; a blank name becomes `column_<n>` so it can still be shown.
fn header_names(fields: Vec<String>) -> Vec<String> {
    fields
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let name = f.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            if name.is_empty() {
                format!("column_{}", i + 1)
            } else {
                name.to_owned()
            }
        })
        .collect()
}

/// Bytes to text, by BOM, else UTF-8, else Big5; never with replacement characters.
pub fn decode_text(bytes: &[u8]) -> Result<(String, TextEncoding), CsvProblem> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        let found = if encoding == UTF_8 {
            TextEncoding::Utf8Bom
        } else if encoding == UTF_16LE {
            TextEncoding::Utf16Le
        } else {
            TextEncoding::Utf16Be
        };
        return encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .map(|text| (text.into_owned(), found))
            .ok_or_else(|| CsvProblem::InvalidAfterBom {
                encoding: encoding.name(),
                line: first_bad_line(encoding, body),
            });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_owned(), TextEncoding::Utf8));
    }
    BIG5.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| (text.into_owned(), TextEncoding::Big5))
        .ok_or_else(|| CsvProblem::UnknownEncoding {
            utf8_line: first_bad_line(UTF_8, bytes),
            big5_line: first_bad_line(BIG5, bytes),
        })
}

/// The 1-based line of the first byte of `bytes` that is not valid in `encoding`.
fn first_bad_line(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    text.find('\u{fffd}')
        .map_or(1, |at| 1 + text[..at].matches('\n').count())
}

/// The candidate that occurs most often outside quotes in the first line; `,` when
/// none occurs (a one-column file) or on a tie with it.
fn sniff_delimiter(text: &str) -> char {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for c in header.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = DELIMITERS.iter().position(|d| *d == c) {
            counts[i] += 1;
        }
    }
    let mut best = 0;
    for (i, n) in counts.iter().enumerate() {
        if *n > counts[best] {
            best = i;
        }
    }
    DELIMITERS[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_header_delimiter() {
        assert_eq!(sniff_delimiter("A,B,C\n1;2;3;4;5"), ',');
        assert_eq!(sniff_delimiter("A;B;C\r\n"), ';');
        assert_eq!(sniff_delimiter("A\tB\tC"), '\t');
        assert_eq!(sniff_delimiter("A|B|C"), '|');
        assert_eq!(sniff_delimiter("\"A;x\",B,C"), ',');
        assert_eq!(sniff_delimiter("ONE_COLUMN"), ',');
        assert_eq!(sniff_delimiter(""), ',');
    }

    #[test]
    fn bom_decides_and_plain_bytes_are_utf8_first() {
        let (text, enc) = decode_text(b"\xef\xbb\xbfA,B").expect("utf-8 bom");
        assert_eq!((text.as_str(), enc), ("A,B", TextEncoding::Utf8Bom));
        let (text, enc) = decode_text(b"\xff\xfeA\0,\0B\0").expect("utf-16le");
        assert_eq!((text.as_str(), enc), ("A,B", TextEncoding::Utf16Le));
        let (text, enc) = decode_text(b"\xfe\xff\0A\0,\0B").expect("utf-16be");
        assert_eq!((text.as_str(), enc), ("A,B", TextEncoding::Utf16Be));
        let (text, enc) = decode_text("A,胸部".as_bytes()).expect("utf-8");
        assert_eq!((text.as_str(), enc), ("A,胸部", TextEncoding::Utf8));
        // 胸部 in Big5 is AF DD B3 A1.
        let (text, enc) = decode_text(b"A,\xaf\xdd\xb3\xa1").expect("big5");
        assert_eq!((text.as_str(), enc), ("A,胸部", TextEncoding::Big5));
    }

    #[test]
    fn neither_utf8_nor_big5_names_the_lines() {
        // Line 2: 0xA8 0xDF is Big5 but not UTF-8; line 3: 0x80 is neither.
        let err = decode_text(b"A,B\n\xa8\xdf,x\n\x80,y\n").expect_err("not text");
        assert_eq!(
            err,
            CsvProblem::UnknownEncoding {
                utf8_line: 2,
                big5_line: 3
            }
        );
        assert_eq!(
            decode_text(b"\xef\xbb\xbfok\n\xff").expect_err("bad utf-8 after bom"),
            CsvProblem::InvalidAfterBom {
                encoding: "UTF-8",
                line: 2
            }
        );
    }

    #[test]
    fn short_and_long_rows_are_kept_with_a_warning() {
        let csv = parse_csv(b"A,B\r\n1\r\n1,2,3\r\n,\r\n4,5\r\n").expect("parses");
        assert_eq!(csv.table.rows.len(), 3, "the all-blank row is skipped");
        assert_eq!(csv.table.rows[0], ["1", ""]);
        assert_eq!(csv.table.rows[1], ["1", "2"]);
        assert_eq!(
            csv.warnings,
            [
                "line 2 has 1 fields, the header 2",
                "line 3 has 3 fields, the header 2"
            ]
        );
        let lf = parse_csv(b"A,B\n\n1\n").expect("parses");
        assert_eq!(lf.warnings, ["line 3 has 1 fields, the header 2"]);
        assert_eq!(parse_csv(b"").expect_err("empty"), CsvProblem::Empty);
    }

    #[test]
    fn blank_header_names_get_a_placeholder() {
        let csv = parse_csv(b" A ,,C\n1,2,3\n").expect("parses");
        assert_eq!(csv.table.columns, ["A", "column_2", "C"]);
    }
}
