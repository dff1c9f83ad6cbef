//! Helpers shared by the integration tests: the binary, external tools, NPY/PNG readers.
#![allow(dead_code)] // each test binary uses a different subset

#[cfg(feature = "gui")]
pub mod gpu;
#[cfg(feature = "gui")]
pub mod gui;
pub mod monai;
pub mod orthanc;
pub mod python;
#[cfg(unix)]
pub mod wine;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A port on the loopback interface that nothing listens on (for now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled sample release's image folder.
pub fn sample_images() -> PathBuf {
    repo().join("sample-data/IMAGE/20210407_102537")
}

/// Every instance of `study` as (series UID, SOP instance UID, file), series by series:
/// what a retrieve of the whole study should bring back.
pub fn study_files(study: &lightbox::index::Study) -> Vec<(String, String, PathBuf)> {
    study
        .series
        .iter()
        .flat_map(|se| {
            se.instances
                .iter()
                .map(|i| (se.series_uid.clone(), i.sop_uid.clone(), i.path.clone()))
        })
        .collect()
}

/// Runs the `lightbox` binary with `args`.
pub fn lightbox(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lightbox"))
        .args(args)
        .env(
            "LIGHTBOX_CACHE_DIR",
            std::env::temp_dir().join("lightbox-test-cache"),
        )
        .output()
        .expect("the lightbox binary runs")
}

/// Runs `lightbox` and panics with its stderr unless it succeeds.
pub fn lightbox_ok(args: &[&str]) -> Output {
    let out = lightbox(args);
    assert!(
        out.status.success(),
        "lightbox {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs an external tool (dcmtk, gdcm); a missing tool fails the test with the fix.
pub fn tool(name: &str, args: &[&str]) -> Output {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{name} is needed by this test ({e}); install it: apt-get install dcmtk libgdcm-tools"
        )
    });
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Path as &str (test paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A parsed NPY array: shape and values as f64.
pub struct Npy {
    pub shape: Vec<usize>,
    pub values: Vec<f64>,
}

/// Reads the `.npy` files `lightbox decode` writes (`<f4` or `|u1`).
pub fn read_npy(path: &Path) -> Npy {
    let b = std::fs::read(path).expect("npy exists");
    assert_eq!(&b[..6], b"\x93NUMPY");
    let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
    let header = std::str::from_utf8(&b[10..10 + hlen]).expect("ascii header");
    let shape_text = header
        .split("'shape': (")
        .nth(1)
        .and_then(|t| t.split(')').next())
        .expect("shape");
    let shape: Vec<usize> = shape_text
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().expect("dim"))
        .collect();
    let data = &b[10 + hlen..];
    let values = if header.contains("<f4") {
        data.chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect()
    } else {
        data.iter().map(|v| f64::from(*v)).collect()
    };
    Npy { shape, values }
}

/// Decodes `file` frame `frame` with `lightbox decode`.
pub fn decode(file: &Path, frame: u32, dir: &Path) -> Npy {
    let out = dir.join(format!(
        "{}-{frame}.npy",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("x")
    ));
    lightbox_ok(&[
        "decode",
        s(file),
        "--frame",
        &frame.to_string(),
        "--out",
        s(&out),
    ]);
    read_npy(&out)
}

/// Reads a PNG as 8-bit samples (grey or RGB) with its channel count.
pub fn read_png(path: &Path) -> (u32, u32, u8, Vec<u8>) {
    let img = image::open(path).expect("png decodes");
    let (w, h) = (img.width(), img.height());
    match img {
        image::DynamicImage::ImageLuma8(g) => (w, h, 1, g.into_raw()),
        other => (w, h, 3, other.to_rgb8().into_raw()),
    }
}

/// Fraction of samples that differ by more than `tol`, and the largest difference.
pub fn diff_stats(a: &[f64], b: &[f64], tol: f64) -> (f64, f64) {
    assert_eq!(a.len(), b.len(), "sizes differ");
    let mut over = 0usize;
    let mut max = 0.0f64;
    for (x, y) in a.iter().zip(b) {
        let d = (x - y).abs();
        max = max.max(d);
        if d > tol {
            over += 1;
        }
    }
    (over as f64 / a.len().max(1) as f64, max)
}

/// The raw Pixel Data bytes of an uncompressed file, extracted by GDCM (independent of our parser).
pub fn gdcm_raw_pixels(file: &Path, dir: &Path) -> Vec<u8> {
    let out = dir.join(format!(
        "{}.raw",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("x")
    ));
    tool(
        "gdcmraw",
        &["-i", s(file), "-o", s(&out), "-t", "7fe0,0010"],
    );
    std::fs::read(&out).expect("raw pixels")
}

/// Writes a hand-built data set as a Part 10 file with transfer syntax `ts`.
pub fn write_dicom(obj: dicom_object::InMemDicomObject, ts: &str, path: &Path) -> PathBuf {
    use dicom_dictionary_std::tags;
    let text = |tag| {
        obj.get(tag)
            .and_then(|e| e.to_str().ok())
            .map(|s| s.trim_end_matches('\0').to_owned())
            .unwrap_or_default()
    };
    let (class, instance) = (text(tags::SOP_CLASS_UID), text(tags::SOP_INSTANCE_UID));
    let file = obj
        .with_meta(
            dicom_object::FileMetaTableBuilder::new()
                .transfer_syntax(ts)
                .media_storage_sop_class_uid(class)
                .media_storage_sop_instance_uid(instance),
        )
        .expect("file meta");
    file.write_to_file(path).expect("write test file");
    path.to_path_buf()
}

/// Writes a scale release (`synth --studies N --slices M --size PX`) under `out`.
pub fn synth_release(out: &Path, studies: u32, slices: u32, size: u32) {
    lightbox_ok(&[
        "synth",
        "--out",
        s(out),
        "--studies",
        &studies.to_string(),
        "--slices",
        &slices.to_string(),
        "--size",
        &size.to_string(),
    ]);
}

/// A copy of the bundled sample release in a temp folder, so a test's project store
/// (written beside the release) starts empty and never lands in the repository.
pub fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("sample-data");
    for entry in walkdir::WalkDir::new(repo().join("sample-data")) {
        let entry = entry.expect("walk sample-data");
        let rel = entry
            .path()
            .strip_prefix(repo().join("sample-data"))
            .expect("under sample-data");
        if rel.starts_with("lightbox") {
            continue;
        }
        let to = root.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    (dir, root)
}

/// xorshift64*: a small, seedable stream of numbers, the same on every platform (the
/// tests' random cases need no dependency and never change under them).
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// A star-shaped polygon of `n` vertices around `centre` (radii drawn from `r`):
    /// simple, often concave. Vertices may fall off a frame.
    pub fn star(&mut self, centre: [f64; 2], r: (f64, f64), n: usize) -> Vec<[f64; 2]> {
        (0..n)
            .map(|k| {
                let t = std::f64::consts::TAU * k as f64 / n as f64;
                let radius = self.range(r.0, r.1);
                [centre[0] + radius * t.cos(), centre[1] + radius * t.sin()]
            })
            .collect()
    }
}

/// Our annotation file as `lightbox annotations export --format lightbox` writes the
/// project of `store` on release `root` into `dir` (parsed).
pub fn exported_annotations(root: &str, store: &str, dir: &Path) -> serde_json::Value {
    lightbox_ok(&[
        "annotations",
        "export",
        root,
        "--store",
        store,
        "--format",
        "lightbox",
        "--out",
        s(dir),
    ]);
    let file = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "json"))
        .expect("the exported file");
    serde_json::from_str(&std::fs::read_to_string(file.path()).expect("read")).expect("JSON")
}

/// The two `lightbox` sessions that import the annotation file `example` over the
/// release at `root` into `store`, then export that project as DICOM SEG files into
/// `out`: `[import, export]`, each an argument list for [`lightbox_ok`].
pub fn seg_export_sessions<'a>(
    root: &'a Path,
    example: &'a Path,
    store: &'a Path,
    out: &'a Path,
) -> [Vec<&'a str>; 2] {
    [
        vec![
            "annotations",
            "import",
            s(root),
            s(example),
            "--store",
            s(store),
        ],
        vec![
            "annotations",
            "export",
            s(root),
            "--store",
            s(store),
            "--format",
            "dicom-seg",
            "--out",
            s(out),
        ],
    ]
}

/// The file under `dir` whose SOP Instance UID is `sop`, as dcmtk's `dcmdump` reads it.
pub fn dicom_file_with_sop(dir: &Path, sop: &str) -> PathBuf {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .find(|e| {
            let out = std::process::Command::new("dcmdump")
                .args(["-q", "+P", "SOPInstanceUID"])
                .arg(e.path())
                .output()
                .expect("dcmdump (apt-get install dcmtk)");
            String::from_utf8_lossy(&out.stdout).contains(&format!("[{sop}]"))
        })
        .expect("the image")
        .into_path()
}

/// The sample's annotation file (`sample-data/annotations/example.json`), parsed.
pub fn example_annotations() -> serde_json::Value {
    let path = repo().join("sample-data/annotations/example.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the example file"))
        .expect("the example is JSON")
}

/// One slice of a synthetic axial CT series, as the tests that need known truth write
/// it (16-bit signed stored values = HU, Rescale 1/0, explicit VR little endian).
pub struct CtSlice<'a> {
    /// Study Instance UID.
    pub study_uid: &'a str,
    /// Series Instance UID.
    pub series_uid: &'a str,
    /// SOP Instance UID.
    pub sop_uid: &'a str,
    /// Patient ID.
    pub patient_id: &'a str,
    /// Instance Number.
    pub number: usize,
    /// Rows and columns (square).
    pub size: usize,
    /// Pixel spacing, mm (square pixels).
    pub pixel_mm: f64,
    /// The slice's z, mm (Image Position (Patient) is (0, 0, z)).
    pub z_mm: f64,
    /// HU of each pixel, row-major.
    pub hu: Vec<i16>,
}

/// Writes `slice` to `path`.
pub fn write_ct_slice(path: &Path, slice: &CtSlice<'_>) -> PathBuf {
    use dicom_core::{DataElement, PrimitiveValue, VR};
    use dicom_dictionary_std::tags;
    let mut o = dicom_object::InMemDicomObject::new_empty();
    let (z, number) = (format!("0\\0\\{}", slice.z_mm), slice.number.to_string());
    let spacing = format!("{}\\{}", slice.pixel_mm, slice.pixel_mm);
    for (tag, vr, v) in [
        (tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.2"),
        (tags::SOP_INSTANCE_UID, VR::UI, slice.sop_uid),
        (tags::STUDY_INSTANCE_UID, VR::UI, slice.study_uid),
        (tags::SERIES_INSTANCE_UID, VR::UI, slice.series_uid),
        (tags::PATIENT_ID, VR::LO, slice.patient_id),
        (tags::MODALITY, VR::CS, "CT"),
        (tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"),
        (tags::INSTANCE_NUMBER, VR::IS, number.as_str()),
        (tags::PIXEL_SPACING, VR::DS, spacing.as_str()),
        (tags::IMAGE_POSITION_PATIENT, VR::DS, z.as_str()),
        (tags::IMAGE_ORIENTATION_PATIENT, VR::DS, "1\\0\\0\\0\\1\\0"),
        (tags::RESCALE_INTERCEPT, VR::DS, "0"),
        (tags::RESCALE_SLOPE, VR::DS, "1"),
    ] {
        o.put(DataElement::new(tag, vr, PrimitiveValue::from(v)));
    }
    for (tag, v) in [
        (tags::ROWS, slice.size as u16),
        (tags::COLUMNS, slice.size as u16),
        (tags::SAMPLES_PER_PIXEL, 1),
        (tags::BITS_ALLOCATED, 16),
        (tags::BITS_STORED, 16),
        (tags::HIGH_BIT, 15),
        (tags::PIXEL_REPRESENTATION, 1),
    ] {
        o.put(DataElement::new(tag, VR::US, PrimitiveValue::from(v)));
    }
    o.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::I16(slice.hu.clone().into()),
    ));
    write_dicom(o, "1.2.840.10008.1.2.1", path)
}

/// One synthetic axial series of `size`² 1 mm pixels: slice k at z `zs[k]` (Instance
/// Number k + 1) with HU `hu(k)`, its Image Position (Patient) moved to `(0, y(k), z)`.
pub fn axial_series(
    dir: &Path,
    uid: &str,
    size: usize,
    zs: &[f64],
    hu: impl Fn(usize) -> Vec<i16>,
    y: impl Fn(usize) -> f64,
) {
    for (k, z) in zs.iter().enumerate() {
        let path = dir.join(format!("IM{k:04}.dcm"));
        let sop = format!("{uid}.{k}");
        write_ct_slice(
            &path,
            &CtSlice {
                study_uid: "2.25.17",
                series_uid: uid,
                sop_uid: &sop,
                patient_id: "P",
                number: k + 1,
                size,
                pixel_mm: 1.0,
                z_mm: *z,
                hu: hu(k),
            },
        );
        if y(k) != 0.0 {
            let mut obj = dicom_object::open_file(&path).expect("reopen");
            obj.put(dicom_core::DataElement::new(
                dicom_dictionary_std::tags::IMAGE_POSITION_PATIENT,
                dicom_core::VR::DS,
                dicom_core::PrimitiveValue::from(format!("0\\{}\\{z}", y(k))),
            ));
            obj.write_to_file(&path).expect("rewrite");
        }
    }
}

/// The release at `root`, scanned without touching any cache.
pub fn scan_no_cache(root: &Path) -> lightbox::index::Index {
    let options = lightbox::index::ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    lightbox::index::Index::open(root, &options, &|_| {})
        .unwrap_or_else(|e| panic!("scan {}: {e}", root.display()))
}

/// The sample's follow-up chest CT (patient AF3C38723FBC4BC2, 20200915) and its
/// 32-image series; its prior is the 20200302 chest CT, in another frame of reference.
pub fn follow_up_chest(
    index: &lightbox::index::Index,
) -> (&lightbox::index::Study, &lightbox::index::Series) {
    let study = index
        .studies()
        .find(|s| s.study_date.as_deref() == Some("20200915"))
        .expect("the follow-up");
    let series = study
        .series
        .iter()
        .find(|s| s.instances.len() == 32)
        .expect("its chest series");
    (study, series)
}
