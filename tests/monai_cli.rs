//! `lightbox monai`, black box, against a real MONAI Label server (no mock): the
//! pinned `monailabel` stack (tests/monai/requirements.txt) in its own venv, the
//! weight-free app of tests/monai/app (one infer task: voxels above a threshold) on a
//! free loopback port with an empty datastore. A synthetic CT series with a bright
//! sphere in noisy lung is written here; `info` lists the model, `infer` stores one
//! outline per slice the sphere cuts, marked `monai-label`, whose pixels match the
//! sphere's (Dice ≥ 0.9 per slice); the model's options reach it; an unknown model
//! and a closed port are clear errors naming the server.
//!
//! The venv is `target/monai-venv` (about 8.1 GB: torch brings the CUDA libraries; some
//! 4 to 5 minutes to install on first use), or where `$LIGHTBOX_MONAI_VENV` says.

mod common;

use std::path::Path;
use std::time::Instant;

use common::free_port;
use common::monai::Server;
use common::{CtSlice, Rng, lightbox, s, write_ct_slice};
use lightbox::agreement::region::Region;
use lightbox::assist::monai::nifti::VolumeOut;
use lightbox::assist::monai::{MonaiClient, MonaiError};
use serde_json::Value;

const SIZE: usize = 64;
const SLICES: usize = 16;
const SERIES: &str = "2.25.1616161616";
/// Pixel spacing and slice gap, mm.
const PIXEL_MM: f64 = 0.8;
const GAP_MM: f64 = 2.0;
/// The sphere: centre (x, y, z) mm and radius mm; slices at z = 2k mm cut it 1, 3, 5,
/// 7 and 9 mm from its centre.
const CENTRE: [f64; 3] = [26.0, 24.0, 15.0];
const RADIUS: f64 = 10.0;

/// Is the centre of voxel (column `c`, row `r`, slice `k`) in the sphere?
fn in_sphere(c: usize, r: usize, k: usize) -> bool {
    let d = [
        c as f64 * PIXEL_MM - CENTRE[0],
        r as f64 * PIXEL_MM - CENTRE[1],
        k as f64 * GAP_MM - CENTRE[2],
    ];
    d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= RADIUS * RADIUS
}

fn sop(k: usize) -> String {
    format!("2.25.16161616{k:02}")
}

/// Writes slice `k` (0-based, at z = 2k mm) into `dir`: 200 HU in the sphere, −800
/// around, noise of ±40 HU.
fn write_slice(dir: &Path, k: usize, rng: &mut Rng) {
    let hu: Vec<i16> = (0..SIZE * SIZE)
        .map(|i| {
            let hu = if in_sphere(i % SIZE, i / SIZE, k) {
                200.0
            } else {
                -800.0
            };
            (hu + 80.0 * (rng.unit() - 0.5)).round() as i16
        })
        .collect();
    let sop = sop(k);
    let slice = CtSlice {
        study_uid: "2.25.1616",
        series_uid: SERIES,
        sop_uid: &sop,
        patient_id: "ML1",
        number: k + 1,
        size: SIZE,
        pixel_mm: PIXEL_MM,
        z_mm: GAP_MM * k as f64,
        hu,
    };
    write_ct_slice(&dir.join(format!("IM{:02}.dcm", k + 1)), &slice);
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_real_monai_label_server_outlines_the_sphere() {
    let python = common::python::venv("monai");
    let server = Server::start(&python);
    let url = server.url.as_str();

    // info lists the model and its label.
    let info = lightbox(&["monai", "info", "--server", url, "--json"]);
    assert!(info.status.success(), "{}", stderr(&info));
    let info: Value = serde_json::from_slice(&info.stdout).expect("JSON");
    assert_eq!(info["server"], url);
    let models = info["info"]["models"].as_array().expect("models");
    assert_eq!(models.len(), 1, "{info}");
    assert_eq!(models[0]["name"], "threshold");
    assert_eq!(models[0]["labels"]["bright"], 1);
    assert_eq!(info["datastore"]["total"], 0);
    let text = lightbox(&["monai", "info", "--server", url]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("model threshold (segmentation, 3-D)"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    // The series, written out of slice order.
    let data = tempfile::tempdir().expect("temp dir");
    let root = data.path().join("series");
    std::fs::create_dir_all(&root).expect("mkdir");
    let mut rng = Rng(0x1616);
    for k in (0..SLICES).rev() {
        write_slice(&root, k, &mut rng);
    }
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let infer = |more: &[&str]| {
        let mut args = vec![
            "monai",
            "infer",
            root_s,
            "--store",
            store_s,
            "--server",
            url,
            "--series",
            SERIES,
            "--annotator",
            "monai",
        ];
        args.extend_from_slice(more);
        lightbox(&args)
    };
    let started = Instant::now();
    let made = infer(&["--model", "threshold", "--label", "bright=nodule", "--json"]);
    assert!(
        made.status.success(),
        "{}\n{}",
        stderr(&made),
        server.logs()
    );
    eprintln!(
        "infer on {SLICES} slices of {SIZE}×{SIZE}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    let truth_frames: Vec<usize> = (0..SLICES)
        .filter(|&k| (0..SIZE * SIZE).any(|i| in_sphere(i % SIZE, i / SIZE, k)))
        .map(|k| k + 1)
        .collect();
    assert_eq!(truth_frames.len(), 10);
    let frames: Vec<usize> = serde_json::from_value(made["frames"].clone()).expect("frames");
    assert_eq!(frames, truth_frames);
    assert_eq!(
        made["shape_count"].as_u64(),
        Some(truth_frames.len() as u64)
    );
    assert_eq!(made["server"], url);

    // The stored shapes, through our export: per slice, their union against the sphere.
    let doc = common::exported_annotations(root_s, store_s, &out.path().join("export"));
    let shapes = doc["shapes"].as_array().expect("shapes");
    assert_eq!(shapes.len(), truth_frames.len());
    let n = SIZE as u32;
    let mut worst = 1.0f64;
    for k in 0..SLICES {
        let on: Vec<&Value> = shapes
            .iter()
            .filter(|sh| sh["sop_uid"] == sop(k).as_str())
            .collect();
        let mut got = vec![false; SIZE * SIZE];
        for sh in &on {
            assert_eq!(sh["source"], "monai-label");
            assert_eq!(sh["label"], "nodule");
            assert_eq!(sh["annotator"], "monai");
            let p = &sh["source_parameters"];
            assert_eq!(p["server"], url);
            assert_eq!(p["model"], "threshold");
            assert_eq!(p["label_value"], 1);
            assert_eq!(p["frame"], k + 1);
            let ring: Vec<[f64; 2]> = serde_json::from_value(sh["points"].clone()).expect("ring");
            for (g, r) in got
                .iter_mut()
                .zip(Region::of_ring(&ring, n, n).grid([0, 0, n, n]))
            {
                *g |= r;
            }
        }
        let truth: Vec<bool> = (0..SIZE * SIZE)
            .map(|i| in_sphere(i % SIZE, i / SIZE, k))
            .collect();
        let (a, b) = (
            got.iter().filter(|x| **x).count(),
            truth.iter().filter(|x| **x).count(),
        );
        if b == 0 {
            assert!(on.is_empty(), "slice {k} has shapes but no sphere");
            continue;
        }
        let both = got.iter().zip(&truth).filter(|(g, t)| **g && **t).count();
        let dice = 2.0 * both as f64 / (a + b) as f64;
        eprintln!("slice {k}: {b} sphere pixels, Dice {dice:.4}");
        assert!(dice >= 0.9, "slice {k}: Dice {dice} ({a} vs {b} pixels)");
        worst = worst.min(dice);
    }
    eprintln!("worst Dice per slice {worst:.4}");

    // The model's options reach it: nothing is above 1000 HU.
    let none = infer(&[
        "--model",
        "threshold",
        "--label",
        "nodule",
        "--params",
        r#"{"threshold": 1000}"#,
        "--json",
    ]);
    assert!(none.status.success(), "{}", stderr(&none));
    let none: Value = serde_json::from_slice(&none.stdout).expect("JSON");
    assert_eq!(none["shape_count"], 0);

    // An unknown model and label: the CLI checks /info/ first and names the server.
    let unknown = infer(&["--model", "nope", "--label", "nodule"]);
    let err = stderr(&unknown);
    assert!(
        !unknown.status.success()
            && err.contains(url)
            && err.contains("no model \"nope\"")
            && err.contains("threshold"),
        "{err}"
    );
    let label = infer(&["--model", "threshold", "--label", "liver=nodule"]);
    let err = stderr(&label);
    assert!(
        !label.status.success() && err.contains("no label \"liver\"") && err.contains("bright"),
        "{err}"
    );
    // Asked directly, the server's own answer: an error status with its message.
    let plane = vec![0f32; 4];
    let volume = VolumeOut {
        cols: 2,
        rows: 2,
        planes: vec![&plane],
        spacing_mm: [1.0; 3],
        affine: VolumeOut::diagonal_affine([1.0; 3]),
    };
    let client = MonaiClient::new(url).expect("client");
    match client.infer("nope", &volume, &serde_json::Map::new()) {
        Err(e @ MonaiError::Status { status, .. }) => {
            let text = e.to_string();
            eprintln!("unknown model: {text}");
            assert!(status >= 400 && text.contains(url), "{text}");
        }
        other => panic!("an unknown model: {other:?}"),
    }

    // A closed port.
    let closed = format!("http://127.0.0.1:{}", free_port());
    let refused = lightbox(&["monai", "info", "--server", &closed]);
    let err = stderr(&refused);
    assert!(
        !refused.status.success() && err.contains(&closed) && err.contains("connection refused"),
        "{err}"
    );
    // https to the plain-http server: the TLS handshake fails, and says so.
    let https = url.replacen("http://", "https://", 1);
    let tls = stderr(&lightbox(&["monai", "info", "--server", &https]));
    assert!(tls.contains(&https) && tls.contains("TLS failed"), "{tls}");
    // Nothing but the sphere's outlines was stored by the failures.
    let doc = common::exported_annotations(root_s, store_s, &out.path().join("again"));
    assert_eq!(
        doc["shapes"].as_array().map(Vec::len),
        Some(truth_frames.len())
    );
    drop(server);
}
