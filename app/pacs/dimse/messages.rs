//! DIMSE messages as bytes (PS3.7): command sets (always implicit VR little endian,
//! led by their group length), the data sets that follow them (identifiers, in the
//! presentation context's transfer syntax), statuses and what they mean, and the
//! Part 10 header put before a data set received by C-STORE.

use dicom_core::dictionary::DataDictionary;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{StandardDataDictionary, tags, uids};
use dicom_encoding::TransferSyntaxIndex;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use crate::annotate::files::dicom_derived::{IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION};

/// Command Field values (PS3.7 E.1).
pub mod field {
    /// C-STORE-RQ.
    pub const C_STORE_RQ: u16 = 0x0001;
    /// C-STORE-RSP.
    pub const C_STORE_RSP: u16 = 0x8001;
    /// C-GET-RQ.
    pub const C_GET_RQ: u16 = 0x0010;
    /// C-GET-RSP.
    pub const C_GET_RSP: u16 = 0x8010;
    /// C-FIND-RQ.
    pub const C_FIND_RQ: u16 = 0x0020;
    /// C-FIND-RSP.
    pub const C_FIND_RSP: u16 = 0x8020;
    /// C-ECHO-RQ.
    pub const C_ECHO_RQ: u16 = 0x0030;
    /// C-ECHO-RSP.
    pub const C_ECHO_RSP: u16 = 0x8030;
    /// C-CANCEL-RQ.
    pub const C_CANCEL_RQ: u16 = 0x0FFF;
}

/// Statuses we act on (PS3.7 C, PS3.4 C.4).
pub mod status {
    /// Success.
    pub const SUCCESS: u16 = 0x0000;
    /// Pending: more matches or sub-operations follow.
    pub const PENDING: u16 = 0xFF00;
    /// Pending, some optional keys not supported.
    pub const PENDING_WARNING: u16 = 0xFF01;
    /// Cancelled by a C-CANCEL.
    pub const CANCELLED: u16 = 0xFE00;
    /// Sub-operations complete, one or more failed or had warnings.
    pub const SUBOPERATIONS_FAILED: u16 = 0xB000;
    /// Refused: out of resources (what we answer when an instance cannot be written).
    pub const OUT_OF_RESOURCES: u16 = 0xA700;
    /// Error: cannot understand (what we answer when an instance is not DICOM).
    pub const CANNOT_UNDERSTAND: u16 = 0xC000;
}

/// Command Data Set Type when no data set follows.
const NO_DATA_SET: u16 = 0x0101;
/// Command Data Set Type when one does (any other value).
const DATA_SET: u16 = 0x0001;
/// Priority MEDIUM.
const PRIORITY_MEDIUM: u16 = 0x0000;

/// A status as the protocols write it, `0xA701`.
pub fn status_text(status: u16) -> String {
    format!("0x{status:04X}")
}

/// Whether a final status is a warning (the operation was done, with a remark).
pub fn is_warning(status: u16) -> bool {
    status == 0x0001 || (status & 0xF000) == 0xB000
}

/// What a failure status means, for the message that shows it.
pub fn status_meaning(status: u16) -> &'static str {
    match status {
        0x0105 => "no such attribute",
        0x0106 => "invalid attribute value",
        0x0110 => "processing failure",
        0x0111 => "duplicate SOP instance",
        0x0117 => "invalid object instance",
        0x0122 => "SOP class not supported",
        0x0124 => "not authorised",
        0x0211 => "unrecognised operation",
        0x0212 => "mistyped argument",
        0x0213 => "resource limitation",
        0xA701 => "out of resources: cannot count the matches",
        0xA702 => "out of resources: cannot perform the sub-operations",
        0xA700..=0xA7FF => "out of resources",
        0xA801 => "move destination unknown",
        0xA900..=0xA9FF => "the data set does not match the SOP class",
        status::SUBOPERATIONS_FAILED => "some sub-operations failed",
        0xC000..=0xCFFF => "unable to process",
        status::CANCELLED => "cancelled",
        _ => "",
    }
}

/// The value representation the standard dictionary gives `tag` (UN when unknown).
pub fn vr_of(tag: Tag) -> VR {
    StandardDataDictionary
        .by_tag(tag)
        .map_or(VR::UN, |entry| entry.vr.relaxed())
}

/// A command set, encoded: implicit VR little endian, (0000,0000) first.
fn encode_command(elements: Vec<(Tag, VR, PrimitiveValue)>) -> Vec<u8> {
    let mut obj = InMemDicomObject::new_empty();
    for (tag, vr, value) in elements {
        obj.put(DataElement::new(tag, vr, value));
    }
    let mut body = Vec::with_capacity(256);
    // Writing a handful of short elements to a Vec cannot fail.
    let _ = obj.write_dataset_with_ts(
        &mut body,
        &dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN.erased(),
    );
    let mut out = Vec::with_capacity(body.len() + 12);
    out.extend_from_slice(&[0, 0, 0, 0, 4, 0, 0, 0]);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// A UID element's value (padded to even length by the writer).
fn uid(value: &str) -> PrimitiveValue {
    PrimitiveValue::from(value)
}

/// A request: `field` for `sop_class`, with or without a data set after it. C-ECHO
/// has no priority; the others ask for medium priority.
pub fn request(field: u16, sop_class: &str, message_id: u16, with_data: bool) -> Vec<u8> {
    let mut elements = vec![
        (tags::AFFECTED_SOP_CLASS_UID, VR::UI, uid(sop_class)),
        (tags::COMMAND_FIELD, VR::US, PrimitiveValue::from(field)),
        (tags::MESSAGE_ID, VR::US, PrimitiveValue::from(message_id)),
        (
            tags::COMMAND_DATA_SET_TYPE,
            VR::US,
            PrimitiveValue::from(if with_data { DATA_SET } else { NO_DATA_SET }),
        ),
    ];
    if field != field::C_ECHO_RQ {
        elements.push((
            tags::PRIORITY,
            VR::US,
            PrimitiveValue::from(PRIORITY_MEDIUM),
        ));
    }
    encode_command(elements)
}

/// A C-STORE-RQ for instance `sop_instance` of `sop_class`; the data set follows.
pub fn store_request(sop_class: &str, sop_instance: &str, message_id: u16) -> Vec<u8> {
    encode_command(vec![
        (tags::AFFECTED_SOP_CLASS_UID, VR::UI, uid(sop_class)),
        (
            tags::COMMAND_FIELD,
            VR::US,
            PrimitiveValue::from(field::C_STORE_RQ),
        ),
        (tags::MESSAGE_ID, VR::US, PrimitiveValue::from(message_id)),
        (
            tags::PRIORITY,
            VR::US,
            PrimitiveValue::from(PRIORITY_MEDIUM),
        ),
        (
            tags::COMMAND_DATA_SET_TYPE,
            VR::US,
            PrimitiveValue::from(DATA_SET),
        ),
        (tags::AFFECTED_SOP_INSTANCE_UID, VR::UI, uid(sop_instance)),
    ])
}

/// A C-STORE-RSP to message `responding_to`, with `comment` (shortened to the 64
/// characters of LO) when the status is not success.
pub fn store_response(
    sop_class: &str,
    sop_instance: &str,
    responding_to: u16,
    status: u16,
    comment: &str,
) -> Vec<u8> {
    let mut elements = vec![
        (tags::AFFECTED_SOP_CLASS_UID, VR::UI, uid(sop_class)),
        (
            tags::COMMAND_FIELD,
            VR::US,
            PrimitiveValue::from(field::C_STORE_RSP),
        ),
        (
            tags::MESSAGE_ID_BEING_RESPONDED_TO,
            VR::US,
            PrimitiveValue::from(responding_to),
        ),
        (
            tags::COMMAND_DATA_SET_TYPE,
            VR::US,
            PrimitiveValue::from(NO_DATA_SET),
        ),
        (tags::STATUS, VR::US, PrimitiveValue::from(status)),
        (tags::AFFECTED_SOP_INSTANCE_UID, VR::UI, uid(sop_instance)),
    ];
    if status != status::SUCCESS && !comment.is_empty() {
        let text: String = comment
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() && c != '\\' {
                    c
                } else {
                    ' '
                }
            })
            .take(64)
            .collect();
        elements.push((
            tags::ERROR_COMMENT,
            VR::LO,
            PrimitiveValue::from(text.trim_end()),
        ));
    }
    encode_command(elements)
}

/// A C-CANCEL-RQ for the operation of message `responding_to`.
pub fn cancel_request(responding_to: u16) -> Vec<u8> {
    encode_command(vec![
        (
            tags::COMMAND_FIELD,
            VR::US,
            PrimitiveValue::from(field::C_CANCEL_RQ),
        ),
        (
            tags::MESSAGE_ID_BEING_RESPONDED_TO,
            VR::US,
            PrimitiveValue::from(responding_to),
        ),
        (
            tags::COMMAND_DATA_SET_TYPE,
            VR::US,
            PrimitiveValue::from(NO_DATA_SET),
        ),
    ])
}

/// A received command set.
#[derive(Debug, Clone)]
pub struct Command {
    /// The presentation context it came on.
    pub context: u8,
    /// Its elements.
    pub set: InMemDicomObject,
}

impl Command {
    /// Parses a command set (implicit VR little endian).
    pub fn parse(context: u8, bytes: &[u8]) -> Result<Self, String> {
        InMemDicomObject::read_dataset_with_ts(
            bytes,
            &dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN.erased(),
        )
        .map(|set| Self { context, set })
        .map_err(|e| format!("a command set is not DICOM: {e}"))
    }

    /// An unsigned short element.
    pub fn number(&self, tag: Tag) -> Option<u16> {
        self.set.element(tag).ok()?.to_int::<u16>().ok()
    }

    /// A text element, trimmed; empty when absent.
    pub fn text(&self, tag: Tag) -> String {
        crate::attrs::text(&self.set, tag).unwrap_or_default()
    }

    /// Command Field.
    pub fn field(&self) -> Option<u16> {
        self.number(tags::COMMAND_FIELD)
    }

    /// Status (responses only).
    pub fn status(&self) -> Option<u16> {
        self.number(tags::STATUS)
    }

    /// Whether a data set follows.
    pub fn has_data_set(&self) -> bool {
        self.number(tags::COMMAND_DATA_SET_TYPE) != Some(NO_DATA_SET)
    }

    /// The status, its meaning and the server's Error Comment, as one line.
    pub fn status_detail(&self, status: u16) -> String {
        let comment = self.text(tags::ERROR_COMMENT);
        match (status_meaning(status), comment.is_empty()) {
            ("", true) => String::new(),
            (meaning, true) => meaning.to_owned(),
            ("", false) => comment,
            (meaning, false) => format!("{meaning}: {comment}"),
        }
    }
}

/// The transfer syntax `uid` from the registry (trailing padding ignored).
fn syntax(uid: &str) -> Result<&'static dicom_encoding::TransferSyntax, String> {
    let uid = uid.trim_end_matches(['\0', ' ']);
    TransferSyntaxRegistry
        .get(uid)
        .ok_or_else(|| format!("transfer syntax {uid} is not supported here"))
}

/// A data set encoded in transfer syntax `ts`.
pub fn encode_data_set(obj: &InMemDicomObject, ts: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    obj.write_dataset_with_ts(&mut out, syntax(ts)?)
        .map_err(|e| format!("cannot encode a data set in {ts}: {e}"))?;
    Ok(out)
}

/// A data set decoded from transfer syntax `ts`.
pub fn decode_data_set(bytes: &[u8], ts: &str) -> Result<InMemDicomObject, String> {
    InMemDicomObject::read_dataset_with_ts(bytes, syntax(ts)?)
        .map_err(|e| format!("a data set is not DICOM: {e}"))
}

/// A query or retrieve identifier: `level`, the keys to match, and the keys asked
/// back (empty values), each with the VR the dictionary gives it. A value beyond
/// ASCII makes the identifier UTF-8 (ISO_IR 192); an ASCII one names no character set,
/// which every archive reads.
pub fn identifier(level: &str, keys: &[(Tag, String)], asked: &[Tag]) -> InMemDicomObject {
    let mut obj = InMemDicomObject::new_empty();
    if keys.iter().any(|(_, value)| !value.is_ascii()) {
        obj.put(DataElement::new(
            tags::SPECIFIC_CHARACTER_SET,
            VR::CS,
            PrimitiveValue::from("ISO_IR 192"),
        ));
    }
    obj.put(DataElement::new(
        tags::QUERY_RETRIEVE_LEVEL,
        VR::CS,
        PrimitiveValue::from(level),
    ));
    for tag in asked {
        obj.put(DataElement::new(*tag, vr_of(*tag), PrimitiveValue::Empty));
    }
    for (tag, value) in keys {
        obj.put(DataElement::new(
            *tag,
            vr_of(*tag),
            PrimitiveValue::from(value.as_str()),
        ));
    }
    obj
}

/// The start of a Part 10 file for a data set received by C-STORE: the 128-byte
/// preamble, `DICM` and the file meta group naming the instance and the transfer
/// syntax it came in. The data set's bytes follow it as they arrived.
pub fn part10_header(sop_class: &str, sop_instance: &str, ts: &str) -> Result<Vec<u8>, String> {
    let meta = FileMetaTableBuilder::new()
        .media_storage_sop_class_uid(sop_class)
        .media_storage_sop_instance_uid(sop_instance)
        .transfer_syntax(ts.trim_end_matches(['\0', ' ']))
        .implementation_class_uid(IMPLEMENTATION_CLASS_UID)
        .implementation_version_name(IMPLEMENTATION_VERSION)
        .build()
        .map_err(|e| format!("cannot make the file meta of {sop_instance}: {e}"))?;
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    meta.write(&mut out)
        .map_err(|e| format!("cannot make the file meta of {sop_instance}: {e}"))?;
    Ok(out)
}

/// Whether `ts` is an uncompressed encoding (implicit or explicit VR, either byte order),
/// which any other uncompressed one can be rewritten to without loss.
pub fn is_native(ts: &str) -> bool {
    matches!(
        ts.trim_end_matches(['\0', ' ']),
        uids::IMPLICIT_VR_LITTLE_ENDIAN
            | uids::EXPLICIT_VR_LITTLE_ENDIAN
            | crate::pixel::EXPLICIT_VR_BIG_ENDIAN
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_sets_lead_with_their_length() {
        let bytes = request(field::C_ECHO_RQ, uids::VERIFICATION, 7, false);
        assert_eq!(&bytes[..8], &[0, 0, 0, 0, 4, 0, 0, 0]);
        let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        assert_eq!(len, bytes.len() - 12);
        let parsed = Command::parse(1, &bytes).expect("parse");
        assert_eq!(parsed.field(), Some(field::C_ECHO_RQ));
        assert_eq!(parsed.number(tags::MESSAGE_ID), Some(7));
        assert!(!parsed.has_data_set());
        assert!(parsed.set.element(tags::PRIORITY).is_err());
        assert_eq!(
            parsed.text(tags::AFFECTED_SOP_CLASS_UID),
            uids::VERIFICATION
        );
    }

    #[test]
    fn store_responses_carry_status_and_a_short_comment() {
        let long = "disk full ".repeat(20);
        let bytes = store_response("1.2", "1.2.3", 9, status::OUT_OF_RESOURCES, &long);
        let parsed = Command::parse(3, &bytes).expect("parse");
        assert_eq!(parsed.status(), Some(status::OUT_OF_RESOURCES));
        assert_eq!(parsed.number(tags::MESSAGE_ID_BEING_RESPONDED_TO), Some(9));
        assert!(parsed.text(tags::ERROR_COMMENT).len() <= 64);
        assert_eq!(
            parsed.status_detail(status::OUT_OF_RESOURCES),
            format!("out of resources: {}", parsed.text(tags::ERROR_COMMENT))
        );
    }

    #[test]
    fn identifiers_use_the_dictionary_vrs() {
        let id = identifier(
            "STUDY",
            &[(tags::PATIENT_ID, "P1".into())],
            &[tags::STUDY_DATE, tags::NUMBER_OF_STUDY_RELATED_INSTANCES],
        );
        let vr = |t| id.element(t).expect("element").vr();
        assert_eq!(vr(tags::PATIENT_ID), VR::LO);
        assert_eq!(vr(tags::STUDY_DATE), VR::DA);
        assert_eq!(vr(tags::NUMBER_OF_STUDY_RELATED_INSTANCES), VR::IS);
        let bytes = encode_data_set(&id, uids::EXPLICIT_VR_LITTLE_ENDIAN).expect("encode");
        let back = decode_data_set(&bytes, uids::EXPLICIT_VR_LITTLE_ENDIAN).expect("decode");
        assert_eq!(crate::attrs::texts(&back, tags::PATIENT_ID), ["P1"]);
        assert_eq!(
            crate::attrs::texts(&back, tags::QUERY_RETRIEVE_LEVEL),
            ["STUDY"]
        );
        assert_eq!(crate::attrs::text(&back, tags::STUDY_DATE), None);
    }

    #[test]
    fn part10_headers_name_the_instance_and_syntax() {
        let head = part10_header("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", uids::RLE_LOSSLESS)
            .expect("header");
        assert_eq!(&head[128..132], b"DICM");
        let meta = dicom_object::FileMetaTable::from_reader(&head[128..]).expect("meta");
        assert_eq!(meta.transfer_syntax(), uids::RLE_LOSSLESS);
        assert_eq!(meta.media_storage_sop_instance_uid(), "1.2.3.4");
        assert_eq!(head.len() as u32, 132 + 12 + meta.information_group_length);
    }
}
