//! The bit of RFC 4180 CSV the review's own files need: quoting a field on the way
//! out, splitting quoted records on the way in.
//!
//! The decisions csv carries free-text reasons (commas, quotes, Chinese, line breaks)
//! and the summary carries header values, so they need quoting; the keep-list never
//! does (its values are UIDs and plain file names) and is read by its own strict
//! reader. Files are UTF-8 with a byte order mark and CRLF line ends: that is what
//! Excel on a zh-TW Windows workstation needs to open UTF-8 text correctly.

/// The UTF-8 byte order mark the review's csv files start with.
pub const UTF8_BOM: &str = "\u{feff}";

/// Appends `value` to `out` as one CSV field, quoted when it holds `,`, `"`, CR or LF.
pub fn push_field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Appends `fields` as one record ended by CRLF.
pub fn push_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

/// One record read back, with the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The line the record starts on.
    pub line: usize,
    /// Its fields, unquoted.
    pub fields: Vec<String>,
}

/// Splits `text` (BOM already removed) into records; CRLF and LF both end a record,
/// quoted fields may hold commas, doubled quotes and line breaks. Fails with the line
/// of a quote that is never closed.
pub fn records(text: &str) -> Result<Vec<Record>, usize> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut record_line) = (1, 1);
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                line += usize::from(c == '\n');
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                out.push(Record {
                    line: record_line,
                    fields: std::mem::take(&mut fields),
                });
                line += 1;
                record_line = line;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(record_line);
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push(Record {
            line: record_line,
            fields,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed_and_reads_back() {
        let mut out = String::new();
        push_record(&mut out, &["a", "b,c", "say \"hi\"", "兩\r\n行", ""]);
        push_record(&mut out, &["x"]);
        assert_eq!(out, "a,\"b,c\",\"say \"\"hi\"\"\",\"兩\r\n行\",\r\nx\r\n");
        let back = records(&out).expect("closed quotes");
        assert_eq!(
            back,
            [
                Record {
                    line: 1,
                    fields: vec![
                        "a".into(),
                        "b,c".into(),
                        "say \"hi\"".into(),
                        "兩\r\n行".into(),
                        String::new()
                    ],
                },
                Record {
                    line: 3,
                    fields: vec!["x".into()],
                },
            ]
        );
    }

    #[test]
    fn lf_last_line_without_end_and_unclosed_quote() {
        let back = records("a,b\nc").expect("no quotes");
        assert_eq!(
            back[1],
            Record {
                line: 2,
                fields: vec!["c".into()]
            }
        );
        assert_eq!(records("a\n\"b,c\n"), Err(2));
        assert_eq!(records(""), Ok(vec![]));
    }
}
