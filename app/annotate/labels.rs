//! The project's label set: name, colour, hotkey and description of each label.
//!
//! A project starts from `assets/labels/default.json` (compiled in) and the reviewer
//! edits it in the viewer; the store keeps it. Names are unique (shapes refer to
//! labels by name), colours are `#rrggbb`, and a hotkey is one digit (the number
//! keys pick labels while an annotation tool is active) used by at most one label.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The label set shipped with Lightbox, as JSON.
pub const DEFAULT_LABELS_JSON: &str = include_str!("../../assets/labels/default.json");

/// One label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Unique name, as written on shapes and in exports.
    pub name: String,
    /// Display colour, `#rrggbb`.
    pub colour: String,
    /// The digit that picks the label while drawing (`1`…`9`, `0`), or empty.
    #[serde(default)]
    pub hotkey: String,
    /// What the label means, for the annotators.
    #[serde(default)]
    pub description: String,
    /// What the label segments, coded: DICOM SEG writes them as the segment's
    /// category and type. A label without codes gets a private code of its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<LabelCodes>,
}

/// A coded concept (PS3.3 8.8): coding scheme designator, code value, code meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// Coding Scheme Designator (`SCT` for SNOMED CT, `DCM`, or a private `99…`).
    pub scheme: String,
    /// Code Value.
    pub value: String,
    /// Code Meaning.
    pub meaning: String,
}

/// What a label segments: the Segmented Property Category (CID 7150) and Type
/// (e.g. CID 7151, 7159) of DICOM SEG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelCodes {
    /// The category, e.g. SCT 49755003 "Morphologically Altered Structure".
    pub category: Code,
    /// The type, e.g. SCT 27925004 "Nodule".
    #[serde(rename = "type")]
    pub kind: Code,
}

impl Label {
    /// The colour as RGB, when it is a valid `#rrggbb`.
    pub fn rgb(&self) -> Option<[u8; 3]> {
        parse_colour(&self.colour)
    }
}

/// A label set, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSet {
    /// The labels.
    pub labels: Vec<Label>,
}

/// Why a label set is not usable.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LabelSetError {
    /// The JSON does not parse.
    #[error("the label set is not valid JSON: {0}")]
    Json(String),
    /// No labels at all.
    #[error("the label set has no labels; add at least one")]
    Empty,
    /// A label without a name.
    #[error("label {position} has an empty name")]
    EmptyName {
        /// 1-based position in the set.
        position: usize,
    },
    /// Two labels with the same name.
    #[error("two labels are named {name:?}; label names must be unique")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A colour that is not `#rrggbb`.
    #[error("label {name:?} has colour {colour:?}; write it as #rrggbb, e.g. #e6194b")]
    BadColour {
        /// The label.
        name: String,
        /// The colour as written.
        colour: String,
    },
    /// A hotkey that is not one letter or digit, or is used twice.
    #[error(
        "label {name:?} has hotkey {hotkey:?}; use one digit or letter not used by another label"
    )]
    BadHotkey {
        /// The label.
        name: String,
        /// The hotkey as written.
        hotkey: String,
    },
}

impl Default for LabelSet {
    fn default() -> Self {
        // The compiled-in file is checked by a unit test.
        Self::from_json(DEFAULT_LABELS_JSON).unwrap_or(Self {
            labels: vec![Label {
                name: "finding".into(),
                colour: "#ff0000".into(),
                hotkey: "1".into(),
                description: String::new(),
                codes: None,
            }],
        })
    }
}

impl LabelSet {
    /// Parses and checks a label set file.
    pub fn from_json(json: &str) -> Result<Self, LabelSetError> {
        let set: Self =
            serde_json::from_str(json).map_err(|e| LabelSetError::Json(e.to_string()))?;
        set.check()?;
        Ok(set)
    }

    /// Checks the rules of the module doc.
    pub fn check(&self) -> Result<(), LabelSetError> {
        if self.labels.is_empty() {
            return Err(LabelSetError::Empty);
        }
        let mut names = std::collections::HashSet::new();
        let mut hotkeys = std::collections::HashSet::new();
        for (i, label) in self.labels.iter().enumerate() {
            if label.name.trim().is_empty() {
                return Err(LabelSetError::EmptyName { position: i + 1 });
            }
            if !names.insert(label.name.as_str()) {
                return Err(LabelSetError::DuplicateName {
                    name: label.name.clone(),
                });
            }
            if label.rgb().is_none() {
                return Err(LabelSetError::BadColour {
                    name: label.name.clone(),
                    colour: label.colour.clone(),
                });
            }
            let mut chars = label.hotkey.chars();
            let ok_key = match (chars.next(), chars.next()) {
                (None, _) => true,
                (Some(c), None) => c.is_ascii_digit() && hotkeys.insert(c),
                _ => false,
            };
            if !ok_key {
                return Err(LabelSetError::BadHotkey {
                    name: label.name.clone(),
                    hotkey: label.hotkey.clone(),
                });
            }
        }
        Ok(())
    }

    /// The label with this name.
    pub fn get(&self, name: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.name == name)
    }

    /// The label whose hotkey is `key`.
    pub fn by_hotkey(&self, key: char) -> Option<&Label> {
        self.labels.iter().find(|l| l.hotkey.starts_with(key))
    }

    /// Adds every label of `other` whose name this set lacks (hotkeys that would
    /// collide are dropped); returns how many were added.
    pub fn merge(&mut self, other: &LabelSet) -> usize {
        let mut added = 0;
        for label in &other.labels {
            if self.get(&label.name).is_some() {
                continue;
            }
            let mut label = label.clone();
            let hotkey = label.hotkey.chars().next();
            if hotkey.is_some_and(|k| self.by_hotkey(k).is_some()) {
                label.hotkey.clear();
            }
            self.labels.push(label);
            added += 1;
        }
        added
    }
}

/// Parses `#rrggbb`.
pub fn parse_colour(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_set_is_valid_with_ten_hotkeys() {
        let set = LabelSet::from_json(DEFAULT_LABELS_JSON).expect("default label set");
        assert_eq!(set.labels.len(), 10);
        assert_eq!(set.by_hotkey('1').map(|l| l.name.as_str()), Some("nodule"));
        assert_eq!(set.by_hotkey('0').map(|l| l.name.as_str()), Some("other"));
        assert_eq!(
            set.get("nodule").and_then(Label::rgb),
            Some([0xe6, 0x19, 0x4b])
        );
    }

    #[test]
    fn bad_sets_are_refused_with_the_label_named() {
        let one = |name: &str, colour: &str, hotkey: &str| Label {
            name: name.into(),
            colour: colour.into(),
            hotkey: hotkey.into(),
            description: String::new(),
            codes: None,
        };
        let set = |labels| LabelSet { labels };
        assert_eq!(set(vec![]).check(), Err(LabelSetError::Empty));
        assert!(matches!(
            set(vec![one("a", "#000000", "1"), one("a", "#000000", "2")]).check(),
            Err(LabelSetError::DuplicateName { .. })
        ));
        assert!(matches!(
            set(vec![one("a", "red", "1")]).check(),
            Err(LabelSetError::BadColour { .. })
        ));
        assert!(matches!(
            set(vec![one("a", "#000000", "1"), one("b", "#000000", "1")]).check(),
            Err(LabelSetError::BadHotkey { .. })
        ));
        for bad in ["12", "a"] {
            assert!(matches!(
                set(vec![one("a", "#000000", bad)]).check(),
                Err(LabelSetError::BadHotkey { .. })
            ));
        }
        assert!(set(vec![one("a", "#00ff00", "")]).check().is_ok());
    }

    #[test]
    fn merge_adds_missing_labels_and_drops_colliding_hotkeys() {
        let mut a = LabelSet::default();
        let b = LabelSet {
            labels: vec![
                Label {
                    name: "nodule".into(),
                    colour: "#000000".into(),
                    hotkey: String::new(),
                    description: String::new(),
                    codes: None,
                },
                Label {
                    name: "cyst".into(),
                    colour: "#123456".into(),
                    hotkey: "1".into(),
                    description: String::new(),
                    codes: None,
                },
            ],
        };
        assert_eq!(a.merge(&b), 1);
        let cyst = a.get("cyst").expect("cyst added");
        assert_eq!(cyst.hotkey, "");
        assert!(a.check().is_ok());
    }
}
