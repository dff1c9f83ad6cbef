//! ICD-10-CM code titles, so a reviewer reads "J18.9 Pneumonia, unspecified organism"
//! instead of a bare `J189`.
//!
//! The list is the public-domain CMS/NCHS ICD-10-CM release shipped compressed in
//! `assets/icd10cm/` (source, version and how it was made are in its README). It is
//! compiled in because the review workstation has no internet, and decompressed on
//! first use only (98,186 codes, about 8 MB of text), once per program. Claims
//! write codes without the dot (`J189`), files with it; both are accepted. Codes that
//! are not ICD-10-CM, such as ICD-9-CM in claims before 2016, get no title and the UI
//! shows the code alone.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

/// `CODE<TAB>TITLE` lines, codes with their dot, gzip-compressed.
const ICD10CM_TSV_GZ: &[u8] = include_bytes!("../../assets/icd10cm/icd10cm-codes.tsv.gz");

/// Titles by code without the dot.
static TITLES: OnceLock<HashMap<String, String>> = OnceLock::new();

fn titles() -> &'static HashMap<String, String> {
    TITLES.get_or_init(|| {
        let mut text = String::new();
        // The asset is compiled in and checked by a unit test; should it ever fail to
        // decompress, lookups find nothing, which the UI shows as bare codes.
        if flate2::read::GzDecoder::new(ICD10CM_TSV_GZ)
            .read_to_string(&mut text)
            .is_err()
        {
            return HashMap::new();
        }
        text.lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(code, title)| (code.replace('.', ""), title.to_owned()))
            .collect()
    })
}

/// A code as the list keys it: trimmed, upper case, without the dot.
fn key(code: &str) -> String {
    code.trim().replace('.', "").to_ascii_uppercase()
}

/// The ICD-10-CM title of `code` (`J189`, `J18.9`, `j18.9 `), or `None` when it is
/// not an ICD-10-CM code.
pub fn title(code: &str) -> Option<&'static str> {
    titles().get(&key(code)).map(String::as_str)
}

/// `code` written the ICD-10-CM way (`J189` → `J18.9`) when it is in the list,
/// else `None`.
pub fn dotted(code: &str) -> Option<String> {
    let k = key(code);
    titles().contains_key(&k).then(|| {
        if k.len() > 3 {
            format!("{}.{}", &k[..3], &k[3..])
        } else {
            k
        }
    })
}

/// Number of codes in the shipped list.
pub fn code_count() -> usize {
    titles().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_asset_decompresses_to_the_whole_list() {
        // The April 2026 release has 98,186 codes below the block level.
        assert_eq!(code_count(), 98_186);
    }

    #[test]
    fn lookups_accept_claims_spellings() {
        let pneumonia = Some("Pneumonia, unspecified organism");
        assert_eq!(title("J18.9"), pneumonia);
        assert_eq!(title("J189"), pneumonia);
        assert_eq!(title(" j189  "), pneumonia);
        assert_eq!(dotted("j189"), Some("J18.9".to_owned()));
        assert_eq!(dotted("I10"), Some("I10".to_owned()));
        assert_eq!(title("486"), None, "ICD-9-CM pneumonia is not ICD-10-CM");
        assert_eq!(dotted("486"), None);
        assert_eq!(title(""), None);
    }
}
