//! Fonts that can draw Traditional Chinese on any machine.
//!
//! The system's CJK font is preferred because it covers text inside DICOM files and
//! claims too: on Windows Microsoft JhengHei (Traditional Chinese, in every Windows
//! 10/11 install), then Microsoft YaHei (Simplified, where JhengHei was removed),
//! found under `%WINDIR%\Fonts` rather than a fixed `C:\Windows` (Windows may live
//! on another drive); on Linux Noto Sans CJK. Without one, a bundled subset of Noto
//! Sans TC (OFL) covers every UI string and claims label.
//!
//! The system font is read before the first frame: measured for issue 12 with the
//! 19.5 MB NotoSansCJK-Regular.ttc (msjh.ttc is about as large), reading it takes
//! 6-40 ms (page cache; 30-90 ms uncached at 200-600 MB/s) and egui's first frame
//! with it 8.5 ms instead of 1-2 ms. Loading it on a thread would instead redraw
//! every label in another font a moment after the window appears.

use std::ffi::OsString;
use std::path::PathBuf;

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};

/// The bundled subset font (see `assets/fonts/README.md`).
const BUNDLED_CJK: &[u8] = include_bytes!("../../assets/fonts/NotoSansTC-Lightbox-subset.otf");

/// Windows' CJK fonts in `%WINDIR%\Fonts`, in order of preference: JhengHei
/// (`.ttc` since Windows 8, `.ttf` before), then YaHei.
const WINDOWS_CJK: &[&str] = &["msjh.ttc", "msjh.ttf", "msyh.ttc", "msyh.ttf"];

/// Where Linux distributions put Noto Sans CJK.
const LINUX_CJK: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
];

/// The Windows folder when neither `WINDIR` nor `SystemRoot` is set.
const DEFAULT_WINDIR: &str = r"C:\Windows";

/// Adds a CJK font after egui's default fonts (Latin keeps its usual look).
pub fn install(ctx: &egui::Context) {
    let candidates = system_cjk_candidates(windows_dir(|v| std::env::var_os(v)));
    if let Some(bytes) = candidates.iter().find_map(|p| std::fs::read(p).ok()) {
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

/// The Windows folder from the environment `var` (`WINDIR`, then `SystemRoot`,
/// ignoring empty values); on Windows `C:\Windows` without either, elsewhere `None`.
fn windows_dir(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    ["WINDIR", "SystemRoot"]
        .into_iter()
        .find_map(|name| var(name).filter(|v| !v.is_empty()))
        .map(PathBuf::from)
        .or_else(|| cfg!(windows).then(|| PathBuf::from(DEFAULT_WINDIR)))
}

/// The system font files to try, best first: Windows' fonts under `windir` when
/// there is one, then the Linux paths.
fn system_cjk_candidates(windir: Option<PathBuf>) -> Vec<PathBuf> {
    let windows = windir.into_iter().flat_map(|dir| {
        let fonts = dir.join("Fonts");
        WINDOWS_CJK.iter().map(move |name| fonts.join(name))
    });
    windows.chain(LINUX_CJK.iter().map(PathBuf::from)).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_fonts_come_from_windir_jhenghei_first() {
        let windir = PathBuf::from(r"D:\WINDOWS");
        let list = system_cjk_candidates(Some(windir.clone()));
        let fonts = windir.join("Fonts");
        assert_eq!(
            list[..4],
            [
                fonts.join("msjh.ttc"),
                fonts.join("msjh.ttf"),
                fonts.join("msyh.ttc"),
                fonts.join("msyh.ttf"),
            ]
        );
        assert_eq!(
            list[4],
            PathBuf::from("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
        );
        assert_eq!(list.len(), 4 + LINUX_CJK.len());
    }

    #[test]
    fn without_windir_only_the_linux_fonts() {
        assert_eq!(
            system_cjk_candidates(None),
            LINUX_CJK.iter().map(PathBuf::from).collect::<Vec<_>>()
        );
    }

    #[test]
    fn windir_then_systemroot() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            windows_dir(env(&[("WINDIR", r"E:\Win"), ("SystemRoot", r"C:\Windows")])),
            Some(PathBuf::from(r"E:\Win"))
        );
        assert_eq!(
            windows_dir(env(&[("WINDIR", ""), ("SystemRoot", r"F:\WINNT")])),
            Some(PathBuf::from(r"F:\WINNT"))
        );
        let none = windows_dir(env(&[]));
        assert_eq!(none, cfg!(windows).then(|| PathBuf::from(DEFAULT_WINDIR)));
    }
}
