//! Decoding and rendering checked against independent toolkits.
//!
//! dcmtk and GDCM compress our sample images into every transfer syntax; our
//! decode must give the source values exactly for lossless syntaxes, and what the
//! toolkit's own decoder gives for lossy ones. Truth values are read with
//! `gdcmraw` from uncompressed files, so our parser is not its own referee.
//! Rendering is compared with `dcm2pnm`/`dcmj2pnm`: ≤ 1 grey level on ≥ 99.5 % of pixels.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Where each test keeps its files.
fn workdir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(name)
        .tempdir()
        .expect("tempdir")
}

/// Sample files used as sources.
fn ct() -> PathBuf {
    sample_images().join("ST0001/SE0002/IM0012.dcm")
}
fn cr() -> PathBuf {
    sample_images().join("ST0004/SE0001/IM0001.dcm")
}
fn us() -> PathBuf {
    sample_images().join("ST0005/SE0001/IM0001.dcm")
}
fn dx() -> PathBuf {
    sample_images().join("ST0007/SE0001/IM0001.dcm")
}

/// An uncompressed copy of the (JPEG 2000) MR slice, made by GDCM.
fn mr_raw(dir: &Path) -> PathBuf {
    let out = dir.join("mr-raw.dcm");
    tool(
        "gdcmconv",
        &[
            "--raw",
            s(&sample_images().join("ST0003/SE0004/IM0008")),
            s(&out),
        ],
    );
    out
}

/// Truth: little-endian 16-bit pixels of an uncompressed file, as modality values.
fn truth_16bit(file: &Path, dir: &Path, signed: bool, intercept: f64) -> Vec<f64> {
    gdcm_raw_pixels(file, dir)
        .chunks_exact(2)
        .map(|c| {
            let v = if signed {
                f64::from(i16::from_le_bytes([c[0], c[1]]))
            } else {
                f64::from(u16::from_le_bytes([c[0], c[1]]))
            };
            v + intercept
        })
        .collect()
}

/// Asserts that `lightbox decode` of `file` equals `truth` exactly.
fn assert_decodes_exactly(file: &Path, truth: &[f64], dir: &Path, what: &str) {
    let got = decode(file, 0, dir);
    let (frac, max) = diff_stats(&got.values, truth, 0.0);
    assert_eq!(
        frac,
        0.0,
        "{what}: {:.3}% of pixels differ, max {max}",
        frac * 100.0
    );
}

#[test]
fn lossless_syntaxes_reproduce_the_source_values() {
    let dir = workdir("lossless");
    let d = dir.path();
    let mr = mr_raw(d);
    for (src, signed, intercept, name) in [(ct(), true, -1024.0, "ct"), (mr, false, 0.0, "mr")] {
        let truth = truth_16bit(&src, d, signed, intercept);
        assert_decodes_exactly(&src, &truth, d, &format!("{name} native"));
        let variants: Vec<(&str, &str, Vec<&str>)> = vec![
            ("big-endian", "dcmconv", vec!["+tb"]),
            ("implicit", "dcmconv", vec!["+ti"]),
            ("deflated", "dcmconv", vec!["+td"]),
            ("rle", "dcmcrle", vec![]),
            ("jpeg-sv1", "dcmcjpeg", vec!["+e1"]),
            ("jpeg-lossless-sv6", "dcmcjpeg", vec!["+el", "+sv", "6"]),
            ("jpeg-ls", "dcmcjpls", vec!["+el"]),
            ("j2k", "gdcmconv", vec!["--j2k"]),
        ];
        for (label, cmd, opts) in variants {
            let out = d.join(format!("{name}-{label}.dcm"));
            let mut args: Vec<&str> = opts.clone();
            args.push(s(&src));
            args.push(s(&out));
            tool(cmd, &args);
            assert_decodes_exactly(&out, &truth, d, &format!("{name} {label}"));
        }
    }
}

/// A lossy case: label, compressor and its options, decompressor and its options.
type LossyCase<'a> = (&'a str, &'a str, &'a [&'a str], &'a str, &'a [&'a str]);

/// Lossy syntaxes: our decode must equal the toolkit's decoder output.
#[test]
fn lossy_syntaxes_match_the_toolkit_decoders() {
    let dir = workdir("lossy");
    let d = dir.path();
    let mr = mr_raw(d);
    // (label, compressor + args, decompressor + args): compress `mr`, then decompress for truth.
    let cases: [LossyCase; 3] = [
        ("jpeg-12bit-extended", "dcmcjpeg", &["+ee"], "dcmdjpeg", &[]),
        (
            "jpeg-ls-near-lossless",
            "dcmcjpls",
            &["+en", "+md", "3"],
            "dcmdjpls",
            &[],
        ),
        (
            "j2k-lossy",
            "gdcmconv",
            &["--j2k", "--lossy", "-q", "40"],
            "gdcmconv",
            &["--raw"],
        ),
    ];
    for (label, enc, enc_args, dec, dec_args) in cases {
        let lossy = d.join(format!("{label}.dcm"));
        let back = d.join(format!("{label}-back.dcm"));
        let mut a: Vec<&str> = enc_args.to_vec();
        a.extend([s(&mr), s(&lossy)]);
        tool(enc, &a);
        let mut b: Vec<&str> = dec_args.to_vec();
        b.extend([s(&lossy), s(&back)]);
        tool(dec, &b);
        let truth = truth_16bit(&back, d, false, 0.0);
        let got = decode(&lossy, 0, d);
        let (frac, max) = diff_stats(&got.values, &truth, 0.0);
        // JPEG 2000 lossy goes through wavelet arithmetic in two implementations: allow ±1.
        let tolerance_ok = if label == "j2k-lossy" {
            max <= 1.0
        } else {
            frac == 0.0
        };
        assert!(
            tolerance_ok,
            "{label}: {:.3}% differ, max {max}",
            frac * 100.0
        );
    }
}

/// Colour: JPEG baseline YBR_FULL_422, native YBR_FULL_422, planar RGB (LE and BE), APP14 RGB JPEG.
#[test]
fn colour_variants_match_dcmtk() {
    let dir = workdir("colour");
    let d = dir.path();
    // dcmtk's decode of the clip to RGB, colour-by-pixel: the truth.
    let rgb = d.join("us-rgb.dcm");
    tool("dcmdjpeg", &["+ca", "+px", s(&us()), s(&rgb)]);
    let truth: Vec<f64> = gdcm_raw_pixels(&rgb, d)
        .iter()
        .map(|v| f64::from(*v))
        .collect();
    let frame_len = 240 * 320 * 3;
    let truth0 = &truth[..frame_len];
    let check = |file: &Path, tol: f64, what: &str| {
        let got = decode(file, 0, d);
        assert_eq!(got.shape, vec![240, 320, 3], "{what}");
        let (frac, max) = diff_stats(&got.values, truth0, tol);
        assert_eq!(
            frac,
            0.0,
            "{what}: {:.3}% beyond ±{tol}, max {max}",
            frac * 100.0
        );
    };
    check(&us(), 0.0, "JPEG baseline YBR_FULL_422");
    // Last frame too: frames map to fragments.
    let last = decode(&us(), 11, d);
    let (frac, _) = diff_stats(&last.values, &truth[11 * frame_len..12 * frame_len], 0.0);
    assert_eq!(frac, 0.0, "frame 11");
    check(&rgb, 0.0, "native RGB");
    let ybr422 = d.join("us-ybr422.dcm");
    tool("dcmdjpeg", &["+cn", "+px", s(&us()), s(&ybr422)]);
    // Our YCbCr→RGB is libjpeg's; dcmtk's decoder upsampled chroma smoothly while native 4:2:2 repeats it.
    let got = decode(&ybr422, 0, d);
    let (frac, _) = diff_stats(&got.values, truth0, 6.0);
    assert!(
        frac < 0.02,
        "native YBR_FULL_422: {:.3}% beyond ±6",
        frac * 100.0
    );
    let planar = d.join("us-planar.dcm");
    tool("dcmdjpeg", &["+ca", "+pl", s(&us()), s(&planar)]);
    check(&planar, 0.0, "RGB planar configuration 1");
    let planar_be = d.join("us-planar-be.dcm");
    tool("dcmconv", &["+tb", s(&planar), s(&planar_be)]);
    check(&planar_be, 0.0, "RGB planar configuration 1, big endian");
    // RGB JPEG with an Adobe APP14 marker saying "no colour transform".
    let app14 = d.join("us-app14.dcm");
    let app14_back = d.join("us-app14-back.dcm");
    tool("dcmcjpeg", &["+eb", "+cr", s(&rgb), s(&app14)]);
    tool("dcmdjpeg", &["+px", s(&app14), s(&app14_back)]);
    let t: Vec<f64> = gdcm_raw_pixels(&app14_back, d)
        .iter()
        .map(|v| f64::from(*v))
        .collect();
    let got = decode(&app14, 0, d);
    let (frac, max) = diff_stats(&got.values, &t[..frame_len], 0.0);
    assert_eq!(frac, 0.0, "APP14 RGB JPEG: max {max}");
}

/// Renders `file` with our CLI and dcmtk and compares: ≤ 1 level on ≥ 99.5 % of pixels.
fn assert_render_matches(
    file: &Path,
    ours_args: &[&str],
    dcmtk_tool: &str,
    dcmtk_args: &[&str],
    d: &Path,
    what: &str,
) {
    let ours = d.join(format!("{what}-ours.png"));
    let theirs = d.join(format!("{what}-dcmtk.png"));
    let mut a = vec!["render", s(file)];
    a.extend_from_slice(ours_args);
    a.extend(["--out", s(&ours)]);
    lightbox_ok(&a);
    let mut b: Vec<&str> = vec!["+on"];
    b.extend_from_slice(dcmtk_args);
    b.extend([s(file), s(&theirs)]);
    tool(dcmtk_tool, &b);
    let (w1, h1, c1, p1) = read_png(&ours);
    let (w2, h2, c2, p2) = read_png(&theirs);
    assert_eq!(
        (w1, h1, c1),
        (w2, h2, c2),
        "{what}: size or channels differ"
    );
    let a: Vec<f64> = p1.iter().map(|v| f64::from(*v)).collect();
    let b: Vec<f64> = p2.iter().map(|v| f64::from(*v)).collect();
    let (frac, max) = diff_stats(&a, &b, 1.0);
    assert!(
        frac <= 0.005,
        "{what}: {:.3}% of pixels differ by more than 1 (max {max})",
        frac * 100.0
    );
}

#[test]
fn render_matches_dcm2pnm() {
    let dir = workdir("render");
    let d = dir.path();
    assert_render_matches(&ct(), &[], "dcm2pnm", &["+Wi", "1"], d, "ct-file-window");
    assert_render_matches(
        &ct(),
        &["--window", "-600", "1500"],
        "dcm2pnm",
        &["+Ww", "-600", "1500"],
        d,
        "ct-lung",
    );
    assert_render_matches(
        &ct(),
        &["--preset", "bone"],
        "dcm2pnm",
        &["+Ww", "400", "1800"],
        d,
        "ct-bone-preset",
    );
    assert_render_matches(
        &ct(),
        &["--voi-function", "sigmoid"],
        "dcm2pnm",
        &["+Wi", "1", "+Wfs"],
        d,
        "ct-sigmoid",
    );
    assert_render_matches(&cr(), &[], "dcm2pnm", &["+Wi", "1"], d, "cr-monochrome1");
    assert_render_matches(
        &dx(),
        &[],
        "dcm2pnm",
        &["+Wi", "1"],
        d,
        "dx-sigmoid-from-file",
    );
    assert_render_matches(&mr_raw(d), &[], "dcm2pnm", &["+Wi", "1"], d, "mr");
    assert_render_matches(&us(), &[], "dcmj2pnm", &[], d, "us-colour");
    // No window in the file: both fall back to the min-max window. (We leave Pixel
    // Padding Value out of min-max and dcmtk does not, so the padding tag goes too.)
    let bare = d.join("ct-no-window.dcm");
    std::fs::copy(ct(), &bare).expect("copy");
    tool(
        "dcmodify",
        &[
            "-nb",
            "-e",
            "(0028,1050)",
            "-e",
            "(0028,1051)",
            "-e",
            "(0028,1055)",
            "-e",
            "(0028,0120)",
            s(&bare),
        ],
    );
    assert_render_matches(&bare, &[], "dcm2pnm", &["+Wm"], d, "ct-min-max");
}
