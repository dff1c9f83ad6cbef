//! Hostile input never takes the app down: a seeded mutation and truncation sweep.
//!
//! Real files (one per series of the sample release, plus the sample CT recompressed
//! by dcmtk/gdcm as JPEG lossless, JPEG-LS, JPEG 2000, RLE, deflate, implicit VR and
//! big endian when those tools are installed) get seeded byte flips, corrupt length
//! fields, absurd Rows/Columns and truncations; `lightbox index`, `render` and
//! `decode` run on each mutant as child processes. Every run must end by itself with
//! exit code 0, 1 or 2 (no panic: exit 101 or "panicked at"; no signal: an abort
//! from a failed allocation or a stack overflow), every `error:` line must name the
//! file, and no process may peak over 1 GiB resident (ru_maxrss from `wait4`). The
//! children also run under an address-space limit, so a runaway allocation fails
//! (and fails the test) instead of taking the machine with it.
//!
//! `LIGHTBOX_SWEEP_MUTANTS` (default 500) and `LIGHTBOX_SWEEP_SEED` (default 12)
//! change the sweep; the seed and the counts are printed. `LIGHTBOX_SWEEP_BIN` runs a
//! copy of the binary instead (a long sweep outlives rebuilds of a shared target).
#![cfg(unix)]

mod common;

use common::Rng;

use std::fs::File;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use common::{repo, sample_images};

/// The peak resident memory a single run may reach.
const MAX_RSS_BYTES: u64 = 1 << 30;
/// Address space a child gets: a debug build maps far more than it touches.
const ADDRESS_SPACE_BYTES: u64 = 4 << 30;

/// One series' first file from the sample release.
fn sample_sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut studies: Vec<_> = std::fs::read_dir(sample_images())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    studies.sort();
    for study in studies {
        let mut series: Vec<_> = std::fs::read_dir(&study)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        series.sort();
        for s in series {
            let mut files: Vec<_> = std::fs::read_dir(&s)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("IM"))
                })
                .collect();
            files.sort();
            if let Some(f) = files.into_iter().next() {
                out.push(f);
            }
        }
    }
    out
}

fn tool(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The sample CT re-encoded by dcmtk and gdcm in the syntaxes those tools write.
fn compressed_sources(dir: &Path) -> Vec<PathBuf> {
    let ct = sample_images().join("ST0001/SE0002/IM0001.dcm");
    let mut out = Vec::new();
    let mut run = |program: &str, args: &[&str], name: &str| {
        if !tool(program) {
            return;
        }
        let dst = dir.join(name);
        let ok = Command::new(program)
            .args(args)
            .arg(&ct)
            .arg(&dst)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            out.push(dst);
        }
    };
    run("dcmcjpeg", &[], "jpeg_lossless.dcm");
    run("dcmcjpeg", &["+eb"], "jpeg_baseline.dcm");
    run("dcmcjpls", &[], "jpeg_ls.dcm");
    run("dcmcrle", &[], "rle.dcm");
    run("gdcmconv", &["--j2k"], "j2k.dcm");
    run("dcmconv", &["+td"], "deflate.dcm");
    run("dcmconv", &["+ti"], "implicit.dcm");
    run("dcmconv", &["+tb"], "big_endian.dcm");
    out
}

/// Offsets of explicit-VR length fields (2- or 4-byte) and of item lengths.
fn length_fields(bytes: &[u8]) -> Vec<(usize, usize)> {
    const LONG: [&[u8; 2]; 8] = [b"OB", b"OW", b"OF", b"SQ", b"UN", b"UT", b"UC", b"OD"];
    const SHORT: [&[u8; 2]; 10] = [
        b"CS", b"DS", b"IS", b"LO", b"PN", b"SH", b"UI", b"US", b"DA", b"TM",
    ];
    let mut out = Vec::new();
    for i in 4..bytes.len().saturating_sub(8) {
        let vr = &bytes[i..i + 2];
        if LONG.iter().any(|v| v.as_slice() == vr) && bytes[i + 2..i + 4] == [0, 0] {
            out.push((i + 4, 4));
        } else if SHORT.iter().any(|v| v.as_slice() == vr) {
            out.push((i + 2, 2));
        } else if bytes[i - 4..i] == [0xFE, 0xFF, 0x00, 0xE0] {
            out.push((i, 4)); // item length
        }
    }
    out
}

/// What was done to a source, for the report of a failing run.
fn mutate(src: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    let mut b = src.to_vec();
    let lengths = length_fields(&b);
    match rng.below(5) {
        0 => {
            let n = 1 + rng.below(8);
            for _ in 0..n {
                let i = rng.below(b.len());
                b[i] = rng.next() as u8;
            }
            (b, format!("{n} random bytes"))
        }
        1 if !lengths.is_empty() => {
            let (at, width) = lengths[rng.below(lengths.len())];
            let v = match rng.below(4) {
                0 => u32::MAX - 1,
                1 => 0x7FFF_FFFF,
                2 => 0xFF35_FFFF,
                _ => rng.next() as u32,
            };
            if width == 4 {
                b[at..at + 4].copy_from_slice(&v.to_le_bytes());
            } else {
                b[at..at + 2].copy_from_slice(&(v as u16).to_le_bytes());
            }
            (b, format!("length field at {at} set to {v:#x}"))
        }
        2 => {
            // Rows, Columns or Number of Frames made absurd.
            let tags: [[u8; 4]; 3] = [[0x28, 0, 0x10, 0], [0x28, 0, 0x11, 0], [0x28, 0, 0x08, 0]];
            let tag = tags[rng.below(3)];
            let Some(at) = b.windows(4).position(|w| w == tag) else {
                return (b, "no size tag".into());
            };
            let v = [0xFFu8, 0xFF];
            let value = if &b[at + 4..at + 6] == b"US" {
                at + 8
            } else if &b[at + 4..at + 6] == b"IS" {
                b[at + 8..at + 10].copy_from_slice(b"99");
                return (b, format!("number of frames at {at} set to 99"));
            } else {
                at + 8 // implicit VR: tag, 4-byte length, value
            };
            if value + 2 <= b.len() {
                b[value..value + 2].copy_from_slice(&v);
            }
            (b, format!("size attribute at {at} set to 65535"))
        }
        3 => {
            let cut = rng.below(b.len());
            b.truncate(cut);
            (b, format!("truncated to {cut} bytes"))
        }
        _ => {
            // Flips in the last quarter (pixel data and codestream headers).
            let n = 1 + rng.below(16);
            for _ in 0..n {
                let i = b.len() * 3 / 4 + rng.below(b.len() / 4);
                b[i] ^= 1 << rng.below(8);
            }
            (b, format!("{n} bit flips in the last quarter"))
        }
    }
}

/// How one child run ended.
struct Run {
    status: ExitStatus,
    max_rss_bytes: u64,
    stderr: String,
}

/// Runs the binary with `args`, waiting with `wait4` for its resource usage.
#[allow(clippy::zombie_processes)] // reaped by libc::wait4, which also gives its rusage
fn run(args: &[&std::ffi::OsStr], out_dir: &Path) -> Run {
    let err_path = out_dir.join("stderr.txt");
    let err = File::create(&err_path).unwrap();
    // A long sweep by hand can point at a copy, safe from rebuilds of the shared target.
    let bin = std::env::var_os("LIGHTBOX_SWEEP_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_lightbox").into());
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env("LIGHTBOX_CACHE_DIR", out_dir.join("cache"))
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: ADDRESS_SPACE_BYTES,
                rlim_max: ADDRESS_SPACE_BYTES,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().expect("the lightbox binary starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(
        waited,
        pid,
        "wait4 failed: {}",
        std::io::Error::last_os_error()
    );
    Run {
        status: ExitStatus::from_raw(status),
        // Linux reports kilobytes.
        max_rss_bytes: usage.ru_maxrss as u64 * 1024,
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

#[test]
fn mutated_and_truncated_files_never_take_the_app_down() {
    let mutants: usize = std::env::var("LIGHTBOX_SWEEP_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let seed: u64 = std::env::var("LIGHTBOX_SWEEP_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let tmp = tempfile::tempdir().unwrap();
    let made = tmp.path().join("sources");
    std::fs::create_dir_all(&made).unwrap();
    let mut sources = sample_sources();
    sources.extend(compressed_sources(&made));
    let contents: Vec<Vec<u8>> = sources.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);

    let started = Instant::now();
    let (mut runs, mut errors, mut failures) = (0usize, 0usize, Vec::<String>::new());
    let (mut peak, mut peak_what) = (0u64, String::new());
    for k in 0..mutants {
        let which = rng.below(sources.len());
        let (bytes, what) = mutate(&contents[which], &mut rng);
        let dir = tmp.path().join(format!("m{k}"));
        std::fs::create_dir_all(&dir).unwrap();
        let name = format!(
            "mutant{k}_{}",
            sources[which].file_name().unwrap().to_string_lossy()
        );
        let file = dir.join(&name);
        std::fs::write(&file, &bytes).unwrap();
        let png = tmp.path().join("out.png");
        let npy = tmp.path().join("out.npy");
        let verbs: [(&str, Vec<&std::ffi::OsStr>); 3] = [
            (
                "index",
                vec!["index".as_ref(), dir.as_os_str(), "--no-cache".as_ref()],
            ),
            (
                "render",
                vec![
                    "render".as_ref(),
                    file.as_os_str(),
                    "--out".as_ref(),
                    png.as_os_str(),
                ],
            ),
            (
                "decode",
                vec![
                    "decode".as_ref(),
                    file.as_os_str(),
                    "--out".as_ref(),
                    npy.as_os_str(),
                ],
            ),
        ];
        for (verb, args) in verbs {
            let r = run(&args, tmp.path());
            runs += 1;
            let label = format!(
                "{verb} {name} (from {}, {what}, seed {seed})",
                sources[which].display()
            );
            if r.max_rss_bytes > peak {
                peak = r.max_rss_bytes;
                peak_what = label.clone();
            }
            let code = r.status.code();
            if code != Some(0) {
                errors += 1;
            }
            if let Some(sig) = r.status.signal() {
                failures.push(format!("{label}: killed by signal {sig}: {}", r.stderr));
            } else if code == Some(101) || r.stderr.contains("panicked at") {
                failures.push(format!("{label}: panicked: {}", r.stderr));
            } else if !matches!(code, Some(0..=2)) {
                failures.push(format!("{label}: exit code {code:?}: {}", r.stderr));
            }
            if verb == "index" && code != Some(0) {
                failures.push(format!(
                    "{label}: index failed on one bad file: {}",
                    r.stderr
                ));
            }
            for line in r.stderr.lines().filter(|l| l.starts_with("error:")) {
                if !line.contains(&name) {
                    failures.push(format!("{label}: error does not name the file: {line}"));
                }
            }
            if r.max_rss_bytes > MAX_RSS_BYTES {
                failures.push(format!(
                    "{label}: peak RSS {} MiB over the limit",
                    r.max_rss_bytes >> 20
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "hostile sweep: seed {seed}, {mutants} mutants of {} source files, {runs} runs, \
         {errors} clean errors, {} failures (panics, signals, unnamed errors, memory), \
         peak RSS {} MiB ({peak_what}), {:.1} s",
        sources.len(),
        failures.len(),
        peak >> 20,
        started.elapsed().as_secs_f64()
    );
    assert!(runs > 0 && repo().exists());
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A corrupt Pixel Data length is refused from the header walk, quickly and small.
#[test]
fn a_corrupt_pixel_data_length_is_refused_before_allocating() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(sample_images().join("ST0006/SE0002/IM0020.dcm")).unwrap();
    let px = bytes
        .windows(6)
        .position(|w| w == [0xE0, 0x7F, 0x10, 0x00, b'O', b'B'])
        .expect("pixel data");
    bytes[px + 8..px + 12].copy_from_slice(&4_281_729_023u32.to_le_bytes());
    let remaining = bytes.len() - px - 12;
    let file = tmp.path().join("corrupt.dcm");
    std::fs::write(&file, &bytes).unwrap();
    let png = tmp.path().join("out.png");
    let r = run(
        &[
            "render".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            png.as_os_str(),
        ],
        tmp.path(),
    );
    assert_eq!(r.status.code(), Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "element (7FE0,0010) declares 4281729023 bytes but only {remaining} remain"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("corrupt.dcm"), "{}", r.stderr);
    assert!(
        r.max_rss_bytes < 200 << 20,
        "peak RSS {} MiB",
        r.max_rss_bytes >> 20
    );
}

/// An explicit VR little endian element.
fn element(group: u16, elem: u16, vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&group.to_le_bytes());
    out.extend_from_slice(&elem.to_le_bytes());
    out.extend_from_slice(vr);
    if matches!(vr, b"OB" | b"OW" | b"SQ" | b"UN" | b"UT") {
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    } else {
        out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    }
    out.extend_from_slice(value);
    out
}

const SOP_CLASS: &[u8] = b"1.2.840.10008.5.1.4.1.1.7\0"; // Secondary Capture

/// A 2 x 2 8-bit secondary capture file written byte by byte (no DICOM library),
/// with `extra` data set elements first and without SOP Instance UID unless `sop_uid`.
fn tiny_file(extra: &[u8], sop_uid: bool) -> Vec<u8> {
    let mut meta = Vec::new();
    meta.extend(element(0x0002, 0x0001, b"OB", &[0, 1]));
    meta.extend(element(0x0002, 0x0002, b"UI", SOP_CLASS));
    meta.extend(element(0x0002, 0x0003, b"UI", b"1.2.3.4.5.6\0"));
    meta.extend(element(0x0002, 0x0010, b"UI", b"1.2.840.10008.1.2.1\0"));
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    out.extend(element(
        0x0002,
        0x0000,
        b"UL",
        &(meta.len() as u32).to_le_bytes(),
    ));
    out.extend(meta);
    out.extend_from_slice(extra);
    out.extend(element(0x0008, 0x0016, b"UI", SOP_CLASS));
    if sop_uid {
        out.extend(element(0x0008, 0x0018, b"UI", b"1.2.3.4.5.6\0"));
    }
    out.extend(element(0x0008, 0x0060, b"CS", b"OT"));
    out.extend(element(0x0010, 0x0020, b"LO", b"P1"));
    out.extend(element(0x0020, 0x000D, b"UI", b"1.2.3.1\0"));
    out.extend(element(0x0020, 0x000E, b"UI", b"1.2.3.2\0"));
    out.extend(element(0x0028, 0x0002, b"US", &1u16.to_le_bytes()));
    out.extend(element(0x0028, 0x0004, b"CS", b"MONOCHROME2 "));
    for (e, v) in [
        (0x0010u16, 2u16),
        (0x0011, 2),
        (0x0100, 8),
        (0x0101, 8),
        (0x0102, 7),
        (0x0103, 0),
    ] {
        out.extend(element(0x0028, e, b"US", &v.to_le_bytes()));
    }
    out.extend(element(0x7FE0, 0x0010, b"OB", &[0, 64, 128, 255]));
    out
}

/// dcmdump's verdict on a file: `Some(true)` when it reads it, `None` without dcmtk.
fn dcmtk_reads(path: &Path) -> Option<bool> {
    let out = Command::new("dcmdump").arg(path).output().ok()?;
    Some(out.status.success())
}

/// Indexes `dir` as JSON, renders `file`; returns the JSON.
fn index_and_render(dir: &Path, file: &Path) -> serde_json::Value {
    let out = common::lightbox_ok(&["index", dir.to_str().unwrap(), "--json", "--no-cache"]);
    let png = dir.join("out.png");
    common::lightbox_ok(&[
        "render",
        file.to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
    ]);
    std::fs::remove_file(&png).unwrap();
    serde_json::from_slice(&out.stdout).expect("index JSON")
}

/// Trailing bytes too few to be an element after the last one: pydicom (3.0.2,
/// checked by hand on this very file) reads such a file without a word, its element
/// reader stopping at a short header, and we read it with a warning; dcmtk's dcmdump
/// (3.6.7) refuses it ("premature end of stream"), even with +E, so here the
/// reference is pydicom's reading.
#[test]
fn trailing_bytes_after_the_last_element_are_read_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("padded.dcm");
    let mut bytes = tiny_file(&[], true);
    bytes.extend_from_slice(&[0; 5]);
    std::fs::write(&file, &bytes).unwrap();
    let v = index_and_render(tmp.path(), &file);
    assert_eq!(v["counts"]["instances"], 1, "{v}");
    assert_eq!(v["counts"]["problems"], 0, "{v}");
    assert_eq!(
        v["warnings"][0]["error"],
        "5 trailing byte(s) after the last element ignored"
    );
    if let Some(reads) = dcmtk_reads(&file) {
        assert!(
            !reads,
            "dcmdump refuses trailing bytes (if it now reads them, say so above)"
        );
    }
}

/// A stray command-group element with a blank VR inside the data set: dcmtk reads
/// it with a warning ("Non-standard VR '  ' … assuming 2 byte length field"), so do
/// we. (pydicom 3.0.2 keeps that one element and silently loses the rest, checked by
/// hand: not a reference here.)
#[test]
fn a_stray_group_0000_element_with_a_blank_vr_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("stray.dcm");
    let mut stray = vec![0x00, 0x00, 0x00, 0x00, b' ', b' ', 4, 0];
    stray.extend_from_slice(&0u32.to_le_bytes());
    std::fs::write(&file, tiny_file(&stray, true)).unwrap();
    if let Some(reads) = dcmtk_reads(&file) {
        assert!(reads, "dcmdump reads a blank-VR element");
    }
    let v = index_and_render(tmp.path(), &file);
    assert_eq!(v["counts"]["instances"], 1, "{v}");
    assert_eq!(v["counts"]["problems"], 0, "{v}");
    assert!(
        v["warnings"][0]["error"]
            .as_str()
            .is_some_and(|w| w.contains("(0000,0000)")),
        "{v}"
    );
}

/// An instance without SOP Instance UID is indexed by its path with a warning, and
/// review, decisions and the keep-list work on it without failing.
#[test]
fn an_instance_without_sop_instance_uid_is_indexed_by_path() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("nouid.dcm");
    std::fs::write(&file, tiny_file(&[], false)).unwrap();
    if let Some(reads) = dcmtk_reads(&file) {
        assert!(reads, "dcmdump reads a file without SOP Instance UID");
    }
    let v = index_and_render(tmp.path(), &file);
    assert_eq!(v["counts"]["instances"], 1, "{v}");
    assert_eq!(v["counts"]["problems"], 0, "{v}");
    let inst = &v["studies"][0]["series"][0]["instances"][0];
    assert_eq!(inst["sop_uid"], "path:nouid.dcm", "{v}");
    assert!(
        v["warnings"][0]["error"]
            .as_str()
            .is_some_and(|w| w.starts_with("no SOPInstanceUID")),
        "{v}"
    );
    let dir = tmp.path().to_str().unwrap();
    common::lightbox_ok(&["decide", dir, "--set", "image", "path:nouid.dcm", "keep"]);
    let out = tmp.path().join("takeout");
    let r = common::lightbox(&[
        "takeout",
        dir,
        "--project-code",
        "IRB001",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(
        !stderr.contains("panicked") && matches!(r.status.code(), Some(0..=2)),
        "{stderr}"
    );
}

/// Sets the US value of explicit VR element `(0028,elem)` in `bytes`.
fn set_us(bytes: &mut [u8], elem: u8, value: u16) {
    let at = bytes
        .windows(6)
        .position(|w| w == [0x28, 0x00, elem, 0x00, b'U', b'S'])
        .expect("the element");
    bytes[at + 8..at + 10].copy_from_slice(&value.to_le_bytes());
}

/// Renders `bytes` written to `name`; returns the run.
fn render_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Run {
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    let png = dir.join("out.png");
    run(
        &[
            "render".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            png.as_os_str(),
        ],
        dir,
    )
}

/// A header claiming 65535 x 65535 pixels, and a codestream whose own size disagrees
/// with the header, fail cleanly before any allocation of the claimed size.
#[test]
fn absurd_or_disagreeing_frame_sizes_fail_before_allocating() {
    let tmp = tempfile::tempdir().unwrap();
    let mut huge = tiny_file(&[], true);
    set_us(&mut huge, 0x10, 65535);
    set_us(&mut huge, 0x11, 65535);
    let r = render_bytes(tmp.path(), "huge.dcm", &huge);
    assert_eq!(r.status.code(), Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("a frame of 65535 x 65535 x 1 samples is over the limit"),
        "{}",
        r.stderr
    );
    assert!(r.max_rss_bytes < 200 << 20, "{} MiB", r.max_rss_bytes >> 20);

    let mut j2k = std::fs::read(sample_images().join("ST0006/SE0002/IM0020.dcm")).unwrap();
    set_us(&mut j2k, 0x10, 128); // the codestream says 256 x 256
    let r = render_bytes(tmp.path(), "j2k.dcm", &j2k);
    assert_eq!(r.status.code(), Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "the codestream is 256 x 256 with 1 component(s), the header says 128 x 256 with 1"
        ),
        "{}",
        r.stderr
    );
}
