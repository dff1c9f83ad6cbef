//! The naming rules a TAKEOUT keep-list must follow, in one place.
//!
//! The HPC manual warns that a list breaking the rules can cost the team its access
//! (第三章: 「請務必配合本署作業要求規範，以免影響後續使用權利」), so the writer refuses
//! and the checker reports by exactly these rules:
//!
//! - List file name, chapter 3: 「檔案名稱命名規則：專案代碼_\[識別代碼\].csv
//!   (如: 2021010001_20210407_102537.csv)」 — project code, `_`, release id, `.csv`.
//! - Names on the NAS, chapter 2: 「建議務必使用英文命名相關檔案及目錄，符號僅可使用“_”
//!   (底線)及“-”(連接線)，不可使用中文或其他特殊符號」 — English letters, digits, `_`
//!   and `-` only. The keep-list example in chapter 3 names files such as
//!   `1.3.12.2.1….dcm`, so the dot (extension and UID-style names) is allowed in
//!   DICOM file names too.
//! - UIDs: DICOM PS3.5 §9.1 — numeric components separated by `.`, no component
//!   with a leading zero (a lone `0` is fine), at most 64 characters.

use crate::release::is_release_id;

/// The longest UID PS3.5 §9.1 allows, in characters.
pub const UID_MAX_CHARS: usize = 64;

/// True when `uid` is a UID by PS3.5 §9.1: digits in `.`-separated components, no
/// empty component, no leading zero in a multi-digit component, at most 64 characters.
pub fn is_valid_uid(uid: &str) -> bool {
    uid.len() <= UID_MAX_CHARS
        && uid.split('.').all(|component| {
            let b = component.as_bytes();
            !b.is_empty() && b.iter().all(u8::is_ascii_digit) && (b.len() == 1 || b[0] != b'0')
        })
}

/// True when `name` is a DICOM file name the keep-list may carry: ASCII letters,
/// digits, `_`, `-` and `.` (chapter 2's rule plus the dots of chapter 3's example),
/// not empty and not starting with a dot. Commas, spaces and quotes are therefore out.
pub fn is_valid_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// True when `code` is a project code: ASCII letters and digits, optionally `-`
/// after the first character. The manual shows `2021010001` (chapter 3) and
/// `E202501010001` (chapter 1); `_` is left out because it separates the code from
/// the release id in the list's file name.
pub fn is_valid_project_code(code: &str) -> bool {
    code.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The keep-list file name for a project and release: `<code>_<release>.csv`.
pub fn keep_list_file_name(project_code: &str, release_id: &str) -> String {
    format!("{project_code}_{release_id}.csv")
}

/// True when `file_name` is `<code>_<release>.csv` with a valid project code and a
/// release id matching `^[0-9]{8}_[0-9]{6}$`.
pub fn is_valid_keep_list_file_name(file_name: &str) -> bool {
    file_name
        .strip_suffix(".csv")
        .and_then(|stem| stem.split_at_checked(stem.len().checked_sub(16)?))
        .is_some_and(|(code, rest)| {
            rest.strip_prefix('_').is_some_and(is_release_id) && is_valid_project_code(code)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_follow_ps3_5_9_1() {
        for good in ["1.2.840.10008.1.2", "0.0", "1", "1.20.300"] {
            assert!(is_valid_uid(good), "{good}");
        }
        let at_limit = format!("1.{}", "2".repeat(62));
        assert_eq!(at_limit.len(), 64);
        assert!(is_valid_uid(&at_limit));
        for bad in [
            "", "1..2", ".1.2", "1.2.", "1.02.3", "1.2.3a", "1,2", " 1.2", "１.2",
        ] {
            assert!(!is_valid_uid(bad), "{bad:?}");
        }
        assert!(!is_valid_uid(&format!("1.{}", "2".repeat(63))));
    }

    #[test]
    fn file_names_are_letters_digits_underscore_dash_dot() {
        for good in ["IM0001.dcm", "1.3.12.2.1107.5.1.dcm", "a_b-c", "IM0001"] {
            assert!(is_valid_file_name(good), "{good}");
        }
        for bad in [
            "",
            ".hidden",
            "IM 0001.dcm",
            "a,b.dcm",
            "影像.dcm",
            "a\"b",
            "a/b",
        ] {
            assert!(!is_valid_file_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn project_codes_and_list_names() {
        for good in ["2021010001", "E202501010001", "P-7"] {
            assert!(is_valid_project_code(good), "{good}");
        }
        for bad in ["", "-1", "2021_01", "專案", "a b"] {
            assert!(!is_valid_project_code(bad), "{bad:?}");
        }
        assert_eq!(
            keep_list_file_name("2021010001", "20210407_102537"),
            "2021010001_20210407_102537.csv"
        );
        assert!(is_valid_keep_list_file_name(
            "2021010001_20210407_102537.csv"
        ));
        for bad in [
            "2021010001_20210407_102537.CSV",
            "_20210407_102537.csv",
            "2021010001-20210407_102537.csv",
            "2021010001_2021047_102537.csv",
            "20210407_102537.csv",
            "x.csv",
            "é_20210407_102537.csv",
            "0_20210407_10253é.csv",
        ] {
            assert!(!is_valid_keep_list_file_name(bad), "{bad}");
        }
    }
}
