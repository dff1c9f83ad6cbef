//! The presentation contexts we propose: the query/retrieve services, and for C-GET
//! the storage SOP classes we take instances of, each transfer syntax in a context of
//! its own so that the archive can send every instance as it holds it (a context
//! offering several syntaxes gets one of them, chosen by the archive, for all). One
//! association holds at most 128 contexts: the classes and syntaxes below fill them.

use dicom_dictionary_std::uids;

use super::association::Proposed;

/// The uncompressed syntaxes we take and send.
pub const NATIVE: [&str; 2] = [
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
    uids::IMPLICIT_VR_LITTLE_ENDIAN,
];

/// The syntaxes of images, one context each.
const IMAGE_SYNTAXES: [&str; 10] = [
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
    uids::IMPLICIT_VR_LITTLE_ENDIAN,
    uids::JPEG_BASELINE8_BIT,
    uids::JPEG_EXTENDED12_BIT,
    uids::JPEG_LOSSLESS_SV1,
    uids::JPEGLS_LOSSLESS,
    uids::JPEG2000_LOSSLESS,
    uids::JPEG2000,
    uids::RLE_LOSSLESS,
    uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
];

/// Image storage SOP classes: proposed in every syntax of [`IMAGE_SYNTAXES`].
const IMAGES: [&str; 11] = [
    uids::CT_IMAGE_STORAGE,
    uids::ENHANCED_CT_IMAGE_STORAGE,
    uids::MR_IMAGE_STORAGE,
    uids::ENHANCED_MR_IMAGE_STORAGE,
    uids::COMPUTED_RADIOGRAPHY_IMAGE_STORAGE,
    uids::DIGITAL_X_RAY_IMAGE_STORAGE_FOR_PRESENTATION,
    uids::DIGITAL_MAMMOGRAPHY_X_RAY_IMAGE_STORAGE_FOR_PRESENTATION,
    uids::ULTRASOUND_IMAGE_STORAGE,
    uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE,
    uids::SECONDARY_CAPTURE_IMAGE_STORAGE,
    uids::POSITRON_EMISSION_TOMOGRAPHY_IMAGE_STORAGE,
];

/// Other storage SOP classes (segmentations, reports, structures): uncompressed, each
/// syntax in a context of its own.
const OTHERS: [&str; 8] = [
    uids::SEGMENTATION_STORAGE,
    uids::COMPREHENSIVE_SR_STORAGE,
    uids::ENHANCED_SR_STORAGE,
    uids::BASIC_TEXT_SR_STORAGE,
    uids::RT_STRUCTURE_SET_STORAGE,
    uids::KEY_OBJECT_SELECTION_DOCUMENT_STORAGE,
    uids::GRAYSCALE_SOFTCOPY_PRESENTATION_STATE_STORAGE,
    uids::ENCAPSULATED_PDF_STORAGE,
];

/// The most presentation contexts one association can propose (odd ids 1 to 255).
pub const MAX_CONTEXTS: usize = 128;

/// A service (echo, find, get) in the native syntaxes.
pub fn service(abstract_syntax: &str) -> Proposed<'_> {
    Proposed {
        abstract_syntax,
        transfer_syntaxes: NATIVE.to_vec(),
    }
}

/// The storage SOP classes a C-GET may bring.
pub fn storage_classes() -> impl Iterator<Item = &'static str> {
    IMAGES.into_iter().chain(OTHERS)
}

/// The storage contexts for C-GET: images in every syntax of [`IMAGE_SYNTAXES`], the
/// others in both uncompressed ones.
pub fn storage() -> Vec<Proposed<'static>> {
    let images = IMAGES
        .into_iter()
        .flat_map(|class| IMAGE_SYNTAXES.map(|ts| (class, ts)));
    let others = OTHERS
        .into_iter()
        .flat_map(|class| NATIVE.map(|ts| (class, ts)));
    images
        .chain(others)
        .map(|(abstract_syntax, ts)| Proposed {
            abstract_syntax,
            transfer_syntaxes: vec![ts],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retrieval_contexts_fit_one_association() {
        // Plus the FIND and GET services.
        assert!(storage().len() + 2 <= MAX_CONTEXTS, "{}", storage().len());
        let classes: Vec<_> = storage_classes().collect();
        let mut unique = classes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), classes.len());
    }
}
