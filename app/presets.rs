//! Window presets per modality, from `assets/window-presets.json`.
//!
//! The file is compiled in as the default so the app works from a bare binary;
//! the viewer will also read an edited copy from the user's settings folder.

use crate::fsutil::ShowPath;
use std::collections::BTreeMap;

use serde::Deserialize;

/// A named window preset.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Preset {
    /// Its name (`lung`, `bone`, ...).
    pub name: String,
    /// Window centre in modality units.
    pub center: f64,
    /// Window width in modality units.
    pub width: f64,
}

/// The bundled presets file.
pub const BUNDLED_PRESETS_JSON: &str = include_str!("../assets/window-presets.json");

/// Presets keyed by modality.
#[derive(Debug, Clone, Default)]
pub struct Presets {
    by_modality: BTreeMap<String, Vec<Preset>>,
}

impl Presets {
    /// Parses a presets file (keys starting with `_` are comments).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let raw: BTreeMap<String, serde_json::Value> = serde_json::from_str(text)?;
        let mut by_modality = BTreeMap::new();
        for (k, v) in raw.into_iter().filter(|(k, _)| !k.starts_with('_')) {
            by_modality.insert(k, serde_json::from_value(v)?);
        }
        Ok(Self { by_modality })
    }

    /// The bundled presets.
    pub fn bundled() -> Self {
        Self::from_json(BUNDLED_PRESETS_JSON).unwrap_or_default()
    }

    /// The presets a user edited, else the bundled ones: `$LIGHTBOX_PRESETS`, then
    /// `assets/window-presets.json` beside the executable, then in the working folder.
    /// Returns where they came from (`None`: built in) and a parse error to show.
    pub fn load() -> (Self, Option<std::path::PathBuf>, Option<String>) {
        let mut candidates: Vec<std::path::PathBuf> = Vec::new();
        if let Some(p) = std::env::var_os("LIGHTBOX_PRESETS") {
            candidates.push(p.into());
        }
        if let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(|d| d.to_path_buf()))
        {
            candidates.push(dir.join("assets/window-presets.json"));
        }
        candidates.push(std::path::PathBuf::from("assets/window-presets.json"));
        for path in candidates {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            return match Self::from_json(&text) {
                Ok(p) => (p, Some(path), None),
                Err(e) => (
                    Self::bundled(),
                    None,
                    Some(format!("{e}: {}", path.shown())),
                ),
            };
        }
        (Self::bundled(), None, None)
    }

    /// The presets of one modality, in file order.
    pub fn for_modality(&self, modality: &str) -> &[Preset] {
        self.by_modality.get(modality).map_or(&[], Vec::as_slice)
    }

    /// Finds a preset by name (case-insensitive): the image's modality first, then any.
    pub fn find(&self, name: &str, modality: Option<&str>) -> Option<&Preset> {
        let matches = |p: &&Preset| p.name.eq_ignore_ascii_case(name);
        modality
            .and_then(|m| self.for_modality(m).iter().find(matches))
            .or_else(|| self.by_modality.values().flatten().find(matches))
    }

    /// Every preset name, for error messages.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .by_modality
            .values()
            .flatten()
            .map(|p| p.name.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_presets_parse_and_include_ct_lung() {
        let p = Presets::bundled();
        let lung = p.find("LUNG", Some("CT")).expect("lung preset");
        assert_eq!((lung.center, lung.width), (-600.0, 1500.0));
        assert_eq!(p.for_modality("CT").len(), 7);
    }
}
