//! Typed, forgiving reads of attributes from a data set.
//!
//! Real files carry empty values, stray spaces and wrong VRs; a reviewer still
//! wants to see the image. Every accessor here returns `None` for a missing or
//! unreadable value instead of failing, and the caller decides what is required.
//!
//! Attributes stored with VR UN (an explicit-VR writer that did not know the tag)
//! are read through the dictionary's VR: their bytes are text for DS/IS/CS/...,
//! little-endian numbers for US/SS. Read as raw bytes, a Rescale Slope "1" would be 49.

use std::borrow::Cow;

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;
use dicom_object::InMemDicomObject;

/// The dictionary's VR of `tag`, when it is exactly known.
fn dictionary_vr(tag: Tag) -> Option<VR> {
    match StandardDataDictionary.by_tag(tag)?.vr() {
        VirtualVr::Exact(vr) => Some(vr),
        _ => None,
    }
}

/// `Some(value as text)` for an element stored as UN (`Some(None)`: UN but not textual);
/// `None` when the element is absent or not UN.
fn un_text(obj: &InMemDicomObject, tag: Tag) -> Option<Option<String>> {
    let e = obj.get(tag)?;
    if e.vr() != VR::UN {
        return None;
    }
    let Some(vr) = dictionary_vr(tag) else {
        return Some(None);
    };
    let Ok(bytes) = e.to_bytes() else {
        return Some(None);
    };
    let numbers = |f: fn([u8; 2]) -> String| {
        bytes
            .chunks_exact(2)
            .map(|c| f([c[0], c[1]]))
            .collect::<Vec<_>>()
            .join("\\")
    };
    Some(match vr {
        VR::US => Some(numbers(|b| u16::from_le_bytes(b).to_string())),
        VR::SS => Some(numbers(|b| i16::from_le_bytes(b).to_string())),
        VR::AE
        | VR::AS
        | VR::CS
        | VR::DA
        | VR::DS
        | VR::DT
        | VR::IS
        | VR::LO
        | VR::LT
        | VR::PN
        | VR::SH
        | VR::ST
        | VR::TM
        | VR::UC
        | VR::UI
        | VR::UR
        | VR::UT => Some(String::from_utf8_lossy(&bytes).into_owned()),
        _ => None,
    })
}

/// The raw text of the attribute (all values, backslash-separated).
fn raw_text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    if let Some(un) = un_text(obj, tag) {
        return un;
    }
    obj.get(tag)?.to_str().ok().map(Cow::into_owned)
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c == '\0' || c.is_whitespace())
}

/// The attribute as trimmed text; `None` when absent or empty.
pub fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    let v = raw_text(obj, tag)?;
    let t = trim(&v);
    (!t.is_empty()).then(|| t.to_owned())
}

/// The attribute as an integer (first value).
pub fn int(obj: &InMemDicomObject, tag: Tag) -> Option<i64> {
    if let Some(un) = un_text(obj, tag) {
        let first = trim(un?.split('\\').next()?).to_owned();
        return first
            .parse()
            .ok()
            .or_else(|| first.parse::<f64>().ok().map(|f| f as i64));
    }
    let e = obj.get(tag)?;
    e.to_int::<i64>().ok().or_else(|| {
        // IS values with decimals ("12.0") occur in the wild.
        e.to_float64()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f as i64)
    })
}

/// The attribute as one finite float (first value).
pub fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    floats(obj, tag)?.first().copied()
}

/// All values of the attribute as finite floats; `None` when absent, empty or unparsable.
pub fn floats(obj: &InMemDicomObject, tag: Tag) -> Option<Vec<f64>> {
    let v = match un_text(obj, tag) {
        Some(un) => un?
            .split('\\')
            .map(|s| trim(s).parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
            .ok()?,
        None => obj.get(tag)?.to_multi_float64().ok()?,
    };
    (!v.is_empty() && v.iter().all(|f| f.is_finite())).then_some(v)
}

/// All values of a multi-valued text attribute, each trimmed.
pub fn texts(obj: &InMemDicomObject, tag: Tag) -> Vec<String> {
    raw_text(obj, tag)
        .map(|v| v.split('\\').map(|s| trim(s).to_owned()).collect())
        .unwrap_or_default()
}

/// The first item of a sequence attribute.
pub fn first_item(obj: &InMemDicomObject, tag: Tag) -> Option<&InMemDicomObject> {
    obj.get(tag)?.items()?.first()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_core::{DataElement, PrimitiveValue};
    use dicom_dictionary_std::tags;

    #[test]
    fn un_values_are_read_through_the_dictionary_vr() {
        let mut o = InMemDicomObject::new_empty();
        let un = |tag, bytes: &[u8]| {
            DataElement::new(tag, VR::UN, PrimitiveValue::U8(bytes.to_vec().into()))
        };
        o.put(un(tags::RESCALE_SLOPE, b"1 "));
        o.put(un(tags::WINDOW_CENTER, b"40\\-600 "));
        o.put(un(tags::ROWS, &[0x00, 0x02]));
        o.put(un(tags::MODALITY, b"CT"));
        assert_eq!(float(&o, tags::RESCALE_SLOPE), Some(1.0));
        assert_eq!(floats(&o, tags::WINDOW_CENTER), Some(vec![40.0, -600.0]));
        assert_eq!(int(&o, tags::ROWS), Some(512));
        assert_eq!(text(&o, tags::MODALITY).as_deref(), Some("CT"));
    }
}
