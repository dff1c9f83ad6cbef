//! Build script: embeds the Windows version resource and icon into `lightbox.exe`.
//!
//! Explorer shows an exe's icon and its "Details" tab (product, version, company) from
//! resources linked into the PE file, so a Windows build compiles a small `.rc` (written
//! here from `CARGO_PKG_VERSION`, never by hand, so it cannot drift) with the mingw-w64
//! `windres` and links the object into the binaries. Any other target does nothing: the
//! Linux build needs no resource compiler. No crate is needed for this; `windres` comes
//! with the mingw-w64 toolchain that the `x86_64-pc-windows-gnu` target needs anyway.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icons/lightbox.ico");
    println!("cargo:rerun-if-env-changed=WINDRES");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    if let Err(message) = embed_windows_resource() {
        // The gnu target links with mingw-w64, which ships windres: its absence is a broken
        // toolchain, so fail. For MSVC builds the resource is a nicety: warn and go on.
        if env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("msvc") {
            println!("cargo:warning=no version resource or icon in lightbox.exe: {message}");
        } else {
            eprintln!("error: embedding the Windows resource: {message}");
            std::process::exit(1);
        }
    }
}

/// Writes `lightbox.rc` into OUT_DIR, compiles it with windres and links it into the bins.
fn embed_windows_resource() -> Result<(), String> {
    let out_dir = PathBuf::from(env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);
    let manifest_dir = PathBuf::from(
        env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?,
    );
    let version = env::var("CARGO_PKG_VERSION").map_err(|e| format!("CARGO_PKG_VERSION: {e}"))?;
    let icon = manifest_dir.join("assets/icons/lightbox.ico");
    let rc = out_dir.join("lightbox.rc");
    std::fs::write(&rc, resource_script(&version, &icon))
        .map_err(|e| format!("cannot write the resource script: {e}: {}", rc.display()))?;

    let msvc = env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("msvc");
    // MSVC's link.exe takes a compiled `.res` as input; GNU ld takes a COFF object.
    let (output, format) = if msvc {
        (out_dir.join("lightbox.res"), "res")
    } else {
        (out_dir.join("lightbox-resource.o"), "coff")
    };
    let windres = windres_program();
    let status = Command::new(&windres)
        .arg("--input")
        .arg(&rc)
        .arg("--output-format")
        .arg(format)
        .arg("--output")
        .arg(&output)
        .status()
        .map_err(|e| format!("cannot run {windres}: {e} (install mingw-w64 or set WINDRES)"))?;
    if !status.success() {
        return Err(format!("{windres} failed ({status}): {}", rc.display()));
    }
    // Only the binaries: the library's test and bench binaries need no icon.
    println!("cargo:rustc-link-arg-bins={}", output.display());
    Ok(())
}

/// The resource compiler: `$WINDRES`, else the mingw-w64 cross one when it exists, else
/// plain `windres` (a Windows host with a mingw toolchain, e.g. MSYS2).
fn windres_program() -> String {
    if let Ok(program) = env::var("WINDRES") {
        return program;
    }
    let cross = "x86_64-w64-mingw32-windres";
    let found = env::var_os("PATH")
        .map(|paths| env::split_paths(&paths).any(|dir| dir.join(cross).is_file()))
        .unwrap_or(false);
    if found { cross } else { "windres" }.to_string()
}

/// The `.rc` text: the icon (resource id 1, which Explorer shows as the exe's icon) and a
/// VERSIONINFO block whose numbers and strings come from the package version.
fn resource_script(version: &str, icon: &Path) -> String {
    let mut numbers: Vec<u16> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|part| part.parse().unwrap_or(0))
        .collect();
    numbers.resize(4, 0);
    let commas = numbers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",");
    // windres reads the path as a C string: forward slashes need no escaping.
    let icon_path = icon.display().to_string().replace('\\', "/");
    format!(
        r#"#include <winver.h>
1 ICON "{icon_path}"
VS_VERSION_INFO VERSIONINFO
FILEVERSION {commas}
PRODUCTVERSION {commas}
FILEFLAGSMASK 0x3fL
FILEFLAGS 0x0L
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
FILESUBTYPE 0x0L
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "Lightbox"
      VALUE "FileDescription", "Lightbox: review and annotate de-identified DICOM releases"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "lightbox"
      VALUE "LegalCopyright", "Lightbox contributors; MIT OR Apache-2.0"
      VALUE "OriginalFilename", "lightbox.exe"
      VALUE "ProductName", "Lightbox"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#
    )
}
