//! The store's key–value settings: which release it is for, when and by which
//! Lightbox it was made, who has reviewed in it.
//!
//! A key–value table rather than columns so that later issues can add settings
//! without a migration.

use rusqlite::{Connection, OptionalExtension};

/// The release id the store was made for (absent for a folder without one).
pub const RELEASE_ID: &str = "release_id";
/// When the store was created (RFC 3339 UTC).
pub const CREATED_AT: &str = "created_at";
/// The Lightbox version that created the store.
pub const APP_VERSION: &str = "app_version";
/// The reviewers who have opened the store, as a JSON array of names in first-seen order.
pub const REVIEWERS: &str = "reviewers";
/// The number of images the store was made for (see `fingerprint`).
pub const IMAGE_COUNT: &str = "image_count";
/// SHA-256 over the sorted image list the store was made for (see `fingerprint`).
pub const IMAGES_SHA256: &str = "images_sha256";

/// The project's annotation label set, as JSON (see `annotate::LabelSet`).
pub const LABEL_SET: &str = "label_set";

/// The pre-labelling rules the project uses (TOML text; see `rules`), as last edited.
pub const RULES_TOML: &str = "rules_toml";
/// The file those rules were loaded from or saved to, when there is one.
pub const RULES_PATH: &str = "rules_path";

/// The value of `key`, if set.
pub fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

/// Sets `key` to `value`.
pub fn set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}
