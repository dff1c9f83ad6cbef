//! Typed, forgiving reads of attributes from a data set.
//!
//! Real files carry empty values, stray spaces and wrong VRs; a reviewer still
//! wants to see the image. Every accessor here returns `None` for a missing or
//! unreadable value instead of failing, and the caller decides what is required.

use dicom_core::Tag;
use dicom_object::InMemDicomObject;

/// The attribute as trimmed text; `None` when absent or empty.
pub fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    let v = obj.get(tag)?.to_str().ok()?;
    let t = v.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!t.is_empty()).then(|| t.to_owned())
}

/// The attribute as an integer (first value).
pub fn int(obj: &InMemDicomObject, tag: Tag) -> Option<i64> {
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
    let v = obj.get(tag)?.to_multi_float64().ok()?;
    (!v.is_empty() && v.iter().all(|f| f.is_finite())).then_some(v)
}

/// All values of a multi-valued text attribute, each trimmed.
pub fn texts(obj: &InMemDicomObject, tag: Tag) -> Vec<String> {
    obj.get(tag)
        .and_then(|e| e.to_multi_str().ok().map(|v| v.to_vec()))
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.trim().to_owned())
        .collect()
}

/// The first item of a sequence attribute.
pub fn first_item(obj: &InMemDicomObject, tag: Tag) -> Option<&InMemDicomObject> {
    obj.get(tag)?.items()?.first()
}
