//! Which release, and which images, a project store belongs to.
//!
//! Decisions name UIDs, so a store silently applied to another release or to a
//! re-delivered one with different files would hand in a wrong keep-list. The store
//! therefore keeps a fingerprint (release id, image count, SHA-256 over the sorted
//! image list) and the image list itself. On open, a different release id is an
//! error; the same release with different images is a warning with counts, because
//! a re-export of the same release is common and the reviewer's work should survive
//! it, but only once they have seen and accepted the change.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use super::meta;
use crate::review::{ImageRef, ReleaseImages};

/// What identifies the images of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// The release id, when known.
    pub release_id: Option<String>,
    /// The number of images.
    pub image_count: u64,
    /// SHA-256 (lower-case hex) over the images sorted by study, series and SOP
    /// Instance UID, file name and size; each text field length-prefixed.
    pub images_sha256: String,
}

impl Fingerprint {
    /// The fingerprint of `images`.
    pub fn of(images: &ReleaseImages) -> Self {
        let mut keys: Vec<(&str, &str, &str, &str, u64)> = images
            .images
            .iter()
            .map(|i| {
                (
                    i.study_uid.as_str(),
                    i.series_uid.as_str(),
                    i.sop_uid.as_str(),
                    i.file_name.as_str(),
                    i.bytes,
                )
            })
            .collect();
        keys.sort_unstable();
        let mut hash = Sha256::new();
        for (study, series, sop, file, bytes) in keys {
            for text in [study, series, sop, file] {
                hash.update((text.len() as u64).to_le_bytes());
                hash.update(text.as_bytes());
            }
            hash.update(bytes.to_le_bytes());
        }
        let images_sha256 = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Self {
            release_id: images.release_id.clone(),
            image_count: images.images.len() as u64,
            images_sha256,
        }
    }

    /// How this release is named in messages (`release 20210407_102537`).
    pub fn release_name(&self) -> String {
        match &self.release_id {
            Some(id) => format!("release {id}"),
            None => "a folder without a release id".to_owned(),
        }
    }
}

/// How the opened images differ from those the store was made for; images are
/// matched by SOP Instance UID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImagesChanged {
    /// Images in the release that the store did not know.
    pub added: usize,
    /// Images the store knew that are no longer in the release.
    pub removed: usize,
    /// Images in both whose study, series, file name or size differ.
    pub changed: usize,
}

/// What the store keeps of one image, keyed by SOP Instance UID.
type ImageRow = (String, String, String, u64);

fn row_of(image: &ImageRef) -> ImageRow {
    (
        image.study_uid.clone(),
        image.series_uid.clone(),
        image.file_name.clone(),
        image.bytes,
    )
}

/// The fingerprint the store holds, `None` before the store has been initialised.
pub fn stored(conn: &Connection) -> rusqlite::Result<Option<Fingerprint>> {
    let (Some(count), Some(images_sha256)) = (
        meta::get(conn, meta::IMAGE_COUNT)?,
        meta::get(conn, meta::IMAGES_SHA256)?,
    ) else {
        return Ok(None);
    };
    Ok(Some(Fingerprint {
        release_id: meta::get(conn, meta::RELEASE_ID)?,
        image_count: count.parse().unwrap_or(u64::MAX),
        images_sha256,
    }))
}

/// Replaces the stored image list and fingerprint with those of `images`
/// (call inside a transaction).
pub fn save(conn: &Connection, images: &ReleaseImages) -> rusqlite::Result<()> {
    let fingerprint = Fingerprint::of(images);
    conn.execute("DELETE FROM images", [])?;
    let mut insert = conn.prepare(
        "INSERT OR REPLACE INTO images (sop_uid, study_uid, series_uid, file_name, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for image in &images.images {
        insert.execute(params![
            image.sop_uid,
            image.study_uid,
            image.series_uid,
            image.file_name,
            image.bytes as i64
        ])?;
    }
    match &fingerprint.release_id {
        Some(id) => meta::set(conn, meta::RELEASE_ID, id)?,
        None => {
            conn.execute("DELETE FROM meta WHERE key = ?1", [meta::RELEASE_ID])?;
        }
    }
    meta::set(
        conn,
        meta::IMAGE_COUNT,
        &fingerprint.image_count.to_string(),
    )?;
    meta::set(conn, meta::IMAGES_SHA256, &fingerprint.images_sha256)
}

/// Compares `images` with the image list the store holds.
pub fn diff(conn: &Connection, images: &ReleaseImages) -> rusqlite::Result<ImagesChanged> {
    let mut stmt =
        conn.prepare("SELECT sop_uid, study_uid, series_uid, file_name, bytes FROM images")?;
    let stored: BTreeMap<String, ImageRow> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)? as u64),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let current: BTreeMap<&str, ImageRow> = images
        .images
        .iter()
        .map(|i| (i.sop_uid.as_str(), row_of(i)))
        .collect();
    let mut changes = ImagesChanged {
        added: 0,
        removed: 0,
        changed: 0,
    };
    for (sop, row) in &current {
        match stored.get(*sop) {
            None => changes.added += 1,
            Some(old) if old != row => changes.changed += 1,
            Some(_) => {}
        }
    }
    changes.removed = stored
        .keys()
        .filter(|sop| !current.contains_key(sop.as_str()))
        .count();
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(sop: &str, file: &str, bytes: u64) -> ImageRef {
        ImageRef {
            study_uid: "1.2".into(),
            series_uid: "1.2.3".into(),
            sop_uid: sop.into(),
            file_name: file.into(),
            bytes,
            modality: None,
            body_part: None,
        }
    }

    #[test]
    fn sha256_of_a_known_list() {
        // Independent truth: the bytes written out by hand (u64-LE length + text for
        // study, series, sop and file, then the size as u64 LE) and hashed by sha256sum:
        // printf '\x03\0\0\0\0\0\0\0001.2\x05\0\0\0\0\0\0\0001.2.3\x01\0\0\0\0\0\0\0009'\
        //        '\x01\0\0\0\0\0\0\000a\x05\0\0\0\0\0\0\0' | sha256sum
        let images = ReleaseImages::new(Some("20210407_102537".into()), vec![image("9", "a", 5)]);
        let fp = Fingerprint::of(&images);
        assert_eq!(fp.image_count, 1);
        assert_eq!(
            fp.images_sha256,
            "97f9465c996dcf082c55c56c7083aea132e39c11170d4a8986268a4f73ac8f97"
        );
    }

    #[test]
    fn order_does_not_matter_but_every_field_does() {
        let a = image("1", "a.dcm", 10);
        let b = image("2", "b.dcm", 20);
        let fp = |v: Vec<ImageRef>| {
            Fingerprint::of(&ReleaseImages {
                release_id: None,
                images: v,
            })
        };
        assert_eq!(
            fp(vec![a.clone(), b.clone()]),
            fp(vec![b.clone(), a.clone()])
        );
        let mut bigger = b.clone();
        bigger.bytes = 21;
        assert_ne!(fp(vec![a.clone(), b.clone()]), fp(vec![a.clone(), bigger]));
        let mut renamed = b.clone();
        renamed.file_name = "c.dcm".into();
        assert_ne!(fp(vec![a.clone(), b]), fp(vec![a, renamed]));
    }
}
