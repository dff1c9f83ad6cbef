//! Fonts that can draw Traditional Chinese on any machine.
//!
//! The system's CJK font is preferred (Microsoft JhengHei on Windows, Noto CJK on
//! Linux) because it covers text inside DICOM files too; without one, a bundled
//! subset of Noto Sans TC (OFL) covers every UI string and claims label.

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};

/// The bundled subset font (see `assets/fonts/README.md`).
const BUNDLED_CJK: &[u8] = include_bytes!("../../assets/fonts/NotoSansTC-Lightbox-subset.otf");

/// Where system CJK fonts usually are, in order of preference.
const SYSTEM_CJK: &[&str] = &[
    "C:\\Windows\\Fonts\\msjh.ttc",
    "C:\\Windows\\Fonts\\msjh.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
];

/// Adds a CJK font after egui's default fonts (Latin keeps its usual look).
pub fn install(ctx: &egui::Context) {
    if let Some(bytes) = SYSTEM_CJK.iter().find_map(|p| std::fs::read(p).ok()) {
        ctx.add_font(FontInsert::new(
            "system-cjk",
            egui::FontData::from_owned(bytes),
            fallback_families(),
        ));
    }
    // Last in line: covers every UI string even without a system CJK font.
    ctx.add_font(FontInsert::new(
        "bundled-cjk",
        egui::FontData::from_static(BUNDLED_CJK),
        fallback_families(),
    ));
}

/// Both families, with the font as the last fallback.
fn fallback_families() -> Vec<InsertFontFamily> {
    [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
        .into_iter()
        .map(|family| InsertFontFamily {
            family,
            priority: FontPriority::Lowest,
        })
        .collect()
}
