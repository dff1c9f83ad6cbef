//! `multipart/related` bodies, as WADO-RS answers and STOW-RS sends them: the boundary
//! from a Content-Type, the parts of a body, a body from parts.

/// The `boundary` parameter of a multipart Content-Type (quoted or not).
pub fn boundary(content_type: &str) -> Result<String, String> {
    let (kind, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !kind.trim().to_ascii_lowercase().starts_with("multipart/") {
        return Err(format!("the reply is {kind:?}, not multipart"));
    }
    params
        .split(';')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 200)
        .ok_or_else(|| format!("the multipart reply has no boundary ({content_type:?})"))
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// Its Content-Type header, if any.
    pub content_type: Option<String>,
    /// Its bytes.
    pub body: &'a [u8],
}

/// Where `needle` first occurs in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let j = hay[i..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)?;
        i += j;
        if &hay[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The parts of `body` between `--boundary` delimiters, up to the closing one.
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut at = find(body, d, 0).ok_or("the multipart body has no boundary line")?;
    let mut parts = Vec::new();
    loop {
        let after = at + d.len();
        if body[after..].starts_with(b"--") {
            return Ok(parts);
        }
        let headers_start = find(body, b"\r\n", after).ok_or("a part has no headers")? + 2;
        let (headers_end, body_start) = if body[headers_start..].starts_with(b"\r\n") {
            (headers_start, headers_start + 2)
        } else {
            let end =
                find(body, b"\r\n\r\n", headers_start).ok_or("a part's headers do not end")?;
            (end, end + 4)
        };
        let headers = String::from_utf8_lossy(&body[headers_start..headers_end]);
        let content_type = headers
            .split("\r\n")
            .filter_map(|h| h.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.trim().to_owned());
        let mut closing = Vec::with_capacity(d.len() + 2);
        closing.extend_from_slice(b"\r\n");
        closing.extend_from_slice(d);
        let end = find(body, &closing, body_start).ok_or("the multipart body is cut short")?;
        parts.push(Part {
            content_type,
            body: &body[body_start..end],
        });
        at = end + 2;
    }
}

/// A `multipart/related` body of `parts`, each with Content-Type `content_type`,
/// between `boundary` lines.
pub fn body(parts: &[&[u8]], content_type: &str, boundary: &str) -> Vec<u8> {
    let size = parts.iter().map(|p| p.len() + 128).sum::<usize>() + 64;
    let mut out = Vec::with_capacity(size);
    for part in parts {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Type: {content_type}\r\n\r\n").as_bytes(),
        );
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_of_content_types() {
        let ct = r#"multipart/related; type="application/dicom"; boundary="a b""#;
        assert_eq!(boundary(ct).as_deref(), Ok("a b"));
        assert_eq!(
            boundary("Multipart/Related; boundary=xyz; type=application/dicom").as_deref(),
            Ok("xyz")
        );
        assert!(boundary("application/dicom+json").is_err());
        assert!(boundary("multipart/related; type=application/dicom").is_err());
    }

    #[test]
    fn parts_round_trip_and_keep_binary_bytes() {
        let a: &[u8] = b"DICM\r\n\x00--not-the-boundary";
        let b: &[u8] = b"";
        let c: &[u8] = b"\r\n\r\nx";
        let text = body(&[a, b, c], "application/dicom", "BND");
        let got = parts(&text, "BND").expect("parts");
        assert_eq!(got.len(), 3);
        assert_eq!(
            got.iter().map(|p| p.body).collect::<Vec<_>>(),
            vec![a, b, c]
        );
        assert_eq!(got[0].content_type.as_deref(), Some("application/dicom"));
    }

    #[test]
    fn a_preamble_and_part_without_headers() {
        let text = b"ignored\r\n--B\r\n\r\nbody\r\n--B--";
        let got = parts(text, "B").expect("parts");
        assert_eq!(
            (got[0].body, got[0].content_type.clone()),
            (&b"body"[..], None)
        );
    }

    #[test]
    fn cut_bodies_are_errors() {
        assert!(parts(b"--B\r\nContent-Type: x\r\n\r\nbody", "B").is_err());
        assert!(parts(b"no delimiter", "B").is_err());
        assert!(parts(b"--B\r\nContent-Type: x", "B").is_err());
    }
}
