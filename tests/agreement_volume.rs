//! Per-series 3-D agreement (`agreement::volume::per_series`) against independent
//! references on the same masks: MedPy (`dc`, `jc`, `hd`, `hd95`, `assd` on the 3-D
//! array with `voxelspacing = (slice, row, column)`) for evenly spaced slices, and a
//! brute-force border-to-border distance (scipy erosion and cdist at the slices' real
//! positions) for unevenly spaced ones. The series are random: axial or tilted, slices
//! ascending or descending along the normal, images named out of position order,
//! anisotropic pixels, star polygons per slice with empty slices among them; test masks
//! identical, shifted in-plane and by a slice, shrunk, independent or empty. Volumes by
//! hand, and the geometries that leave distances and volumes out.

mod common;

use common::Rng;

use lightbox::agreement::region::Region;
use lightbox::agreement::volume::{FrameMasks, SeriesAgreement, VolumeNote, per_series};
use lightbox::annotate::files::frames::{FrameInfo, FrameInfos};
use lightbox::measure::PixelSpacing;
use serde_json::{Value, json};

const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// One single-frame image.
fn image(
    series: &str,
    sop: &str,
    size: [u32; 2],
    pixel: [f64; 2],
    at: Option<[f64; 3]>,
) -> FrameInfo {
    FrameInfo {
        rows: size[0],
        cols: size[1],
        frames: 1,
        spacing: PixelSpacing::from_attributes(Some(pixel), None),
        position_mm: at,
        orientation: Some(AXIAL),
        study_uid: format!("study-{series}"),
        series_uid: series.to_owned(),
        sop_uid: sop.to_owned(),
        file_name: format!("{sop}.dcm"),
        rel_dir: String::new(),
    }
}

/// A random series: its images in array order (slice `k` at `t[k]` along the normal),
/// and per label the two readers' masks of each slice.
struct Series {
    uid: String,
    size: [u32; 2],
    pixel: [f64; 2],
    /// Positions along the normal in array order, increasing.
    t: Vec<f64>,
    uneven: bool,
    images: Vec<FrameInfo>,
    labels: Vec<(String, Vec<[Region; 2]>)>,
}

/// An object: a star per slice of a slice range around one centre, some slices empty.
fn object(rng: &mut Rng, slices: usize, size: [u32; 2]) -> Vec<Option<Vec<[f64; 2]>>> {
    let [rows, cols] = size.map(f64::from);
    let centre = [rng.range(0.2, 0.8) * cols, rng.range(0.2, 0.8) * rows];
    let first = rng.below(slices);
    let last = (first + 1 + rng.below(slices)).min(slices - 1);
    let side = rows.min(cols);
    (0..slices)
        .map(|k| {
            let drawn = (first..=last).contains(&k) && rng.unit() > 0.12;
            let vertices = 3 + rng.below(8);
            drawn.then(|| rng.star(centre, (side * 0.08, side * 0.35), vertices))
        })
        .collect()
}

/// The test reader's rings from the reference's by `variant`.
fn test_rings(
    rng: &mut Rng,
    variant: usize,
    reference: &[Option<Vec<[f64; 2]>>],
    size: [u32; 2],
) -> Vec<Option<Vec<[f64; 2]>>> {
    let n = reference.len();
    match variant {
        0 => reference.to_vec(),
        1..=3 => {
            let (dx, dy) = (rng.range(-3.0, 3.0), rng.range(-3.0, 3.0));
            let dk = rng.below(3) as isize - 1;
            (0..n as isize)
                .map(|k| {
                    let from = usize::try_from(k - dk).ok()?;
                    let ring = reference.get(from)?.as_ref()?;
                    Some(ring.iter().map(|p| [p[0] + dx, p[1] + dy]).collect())
                })
                .collect()
        }
        4 | 5 => object(rng, n, size),
        6 => reference
            .iter()
            .map(|ring| {
                let ring = ring.as_ref()?;
                let c = ring
                    .iter()
                    .fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
                let c = c.map(|v| v / ring.len() as f64);
                Some(
                    ring.iter()
                        .map(|p| [c[0] + 0.6 * (p[0] - c[0]), c[1] + 0.6 * (p[1] - c[1])])
                        .collect(),
                )
            })
            .collect(),
        _ => vec![None; n],
    }
}

/// A tilted orientation: the axial one turned by `a` about x, then `b` about z; and
/// its normal.
fn tilted(a: f64, b: f64) -> ([f64; 6], [f64; 3]) {
    let (sa, ca, sb, cb) = (a.sin(), a.cos(), b.sin(), b.cos());
    (
        [cb, sb, 0.0, -ca * sb, ca * cb, sa],
        [sa * sb, -sa * cb, ca],
    )
}

/// Counts of what the random cases covered.
#[derive(Default, Debug)]
struct Covered {
    tilted: usize,
    descending: usize,
}

/// A random series `uid` (evenly spaced unless `uneven`), named out of position order.
fn series(
    rng: &mut Rng,
    uid: String,
    variant: usize,
    labels: usize,
    uneven: bool,
    cov: &mut Covered,
) -> Series {
    let slices = 2 + rng.below(if uneven { 8 } else { 10 });
    let size = [12 + rng.below(30) as u32, 12 + rng.below(30) as u32];
    let pixel = [rng.range(0.3, 1.6), rng.range(0.3, 1.6)];
    let step = rng.range(0.5, 5.0);
    let mut t = vec![0.0];
    for k in 1..slices {
        let gap = if uneven { rng.range(0.4, 6.0) } else { step };
        t.push(if uneven {
            t[k - 1] + gap
        } else {
            k as f64 * step
        });
    }
    let (orientation, normal) = if rng.below(3) == 0 {
        cov.tilted += 1;
        tilted(rng.range(-0.6, 0.6), rng.range(-0.8, 0.8))
    } else {
        (AXIAL, [0.0, 0.0, 1.0])
    };
    // Feet first: positions decrease along the normal as the array index grows.
    let sign = if rng.below(3) == 0 { -1.0 } else { 1.0 };
    cov.descending += usize::from(sign < 0.0);
    let origin = [
        rng.range(-150.0, 150.0),
        rng.range(-150.0, 150.0),
        rng.range(-300.0, 300.0),
    ];
    let mut names: Vec<usize> = (0..slices).collect();
    for i in (1..slices).rev() {
        names.swap(i, rng.below(i + 1));
    }
    let images = (0..slices)
        .map(|k| {
            let at = [0, 1, 2].map(|i| origin[i] + sign * t[k] * normal[i]);
            let mut info = image(&uid, &format!("{uid}.{}", names[k]), size, pixel, Some(at));
            info.orientation = Some(orientation);
            info
        })
        .collect();
    let labels = (0..labels)
        .map(|l| {
            let reference = object(rng, slices, size);
            let test = test_rings(rng, if l == 0 { variant } else { 4 }, &reference, size);
            let region = |ring: &Option<Vec<[f64; 2]>>| {
                ring.as_ref()
                    .map_or_else(Region::default, |r| Region::of_ring(r, size[0], size[1]))
            };
            let masks = reference
                .iter()
                .zip(&test)
                .map(|(a, b)| [region(a), region(b)])
                .collect();
            (format!("label{l}"), masks)
        })
        .collect();
    Series {
        uid,
        size,
        pixel,
        t,
        uneven,
        images,
        labels,
    }
}

/// The flat indices of slice `k`'s region in a `slices × rows × cols` array.
fn indices(r: &Region, k: usize, size: [u32; 2]) -> Vec<usize> {
    let base = k * size[0] as usize * size[1] as usize;
    r.grid([0, 0, size[0], size[1]])
        .iter()
        .enumerate()
        .filter(|(_, inside)| **inside)
        .map(|(i, _)| base + i)
        .collect()
}

/// The median of the gaps between consecutive positions.
fn median_gap(t: &[f64]) -> f64 {
    let mut gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_by(f64::total_cmp);
    let n = gaps.len();
    if n % 2 == 1 {
        gaps[n / 2]
    } else {
        (gaps[n / 2 - 1] + gaps[n / 2]) / 2.0
    }
}

/// The frame masks of every slice either reader drew on.
fn frame_masks(all: &[Series]) -> Vec<FrameMasks<'_>> {
    let mut out = Vec::new();
    for s in all {
        for (label, masks) in &s.labels {
            for (k, [a, b]) in masks.iter().enumerate() {
                if !a.is_empty() || !b.is_empty() {
                    out.push(FrameMasks {
                        sop_uid: &s.images[k].sop_uid,
                        frame: 1,
                        label,
                        reference: a,
                        test: b,
                    });
                }
            }
        }
    }
    out
}

fn close(got: f64, want: &Value, what: &str) {
    let w = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: no reference value"));
    assert!(
        (got - w).abs() <= 1e-9 * w.abs().max(1.0),
        "{what}: {got} vs reference {w}"
    );
}

#[test]
fn random_series_equal_medpy_and_brute_force() {
    let mut rng = Rng(0x3D5E_21E5);
    let mut cov = Covered::default();
    let mut checked: Vec<(SeriesAgreement, bool, f64, [f64; 2])> = Vec::new();
    let mut inputs = Vec::new();
    for case in 0..48 {
        let uneven = case >= 32;
        let mut all = Vec::new();
        for s in 0..1 + usize::from(case % 3 == 0) {
            let labels = 1 + usize::from(case % 4 == 0);
            all.push(series(
                &mut rng,
                format!("1.2.{case}.{s}"),
                (case + s) % 8,
                labels,
                uneven,
                &mut cov,
            ));
        }
        // A series nobody drew on, in the same release.
        let bystander = image(
            "9.9",
            &format!("9.9.{case}"),
            [8, 8],
            [1.0, 1.0],
            Some([0.0; 3]),
        );
        let mut infos: Vec<FrameInfo> = all.iter().flat_map(|s| s.images.clone()).collect();
        infos.push(bystander);
        for i in (1..infos.len()).rev() {
            infos.swap(i, rng.below(i + 1));
        }
        let frames: FrameInfos = infos.into_iter().collect();
        let ours = per_series(&frame_masks(&all), &frames);
        let mut seen = 0;
        for s in &all {
            for (label, masks) in &s.labels {
                let Some(got) = ours
                    .iter()
                    .find(|g| g.series_uid == s.uid && g.label == *label)
                else {
                    assert!(
                        masks.iter().all(|[a, b]| a.is_empty() && b.is_empty()),
                        "{} {label} missing",
                        s.uid
                    );
                    continue;
                };
                seen += 1;
                let pick = |side: usize| -> Vec<usize> {
                    masks
                        .iter()
                        .enumerate()
                        .flat_map(|(k, m)| indices(&m[side], k, s.size))
                        .collect()
                };
                let step = median_gap(&s.t);
                inputs.push(json!({
                    "shape": [s.t.len(), s.size[0], s.size[1]],
                    "spacing": [step, s.pixel[0], s.pixel[1]],
                    "z": if s.uneven { json!(s.t) } else { Value::Null },
                    "a": pick(0),
                    "b": pick(1),
                }));
                checked.push((got.clone(), s.uneven, step, s.pixel));
            }
        }
        assert_eq!(
            ours.len(),
            seen,
            "case {case}: entries for series nobody drew on"
        );
    }
    let reference = common::python::reference_json(
        "agreement",
        "agreement/check_volume.py",
        &Value::Array(inputs),
    );
    let reference = reference.as_array().expect("the reference's list");
    assert_eq!(reference.len(), checked.len());
    let (mut medpy, mut brute, mut overlapping, mut empty) = (0, 0, 0, 0);
    for (k, ((got, uneven, step, pixel), want)) in checked.iter().zip(reference).enumerate() {
        let what = |key: &str| format!("entry {k} ({} {}): {key}", got.series_uid, got.label);
        assert_eq!(got.note, None, "{}", what("note"));
        assert_eq!(
            got.reference_voxels,
            want["a_voxels"].as_u64().unwrap_or(u64::MAX),
            "{}",
            what("a")
        );
        assert_eq!(
            got.test_voxels,
            want["b_voxels"].as_u64().unwrap_or(u64::MAX),
            "{}",
            what("b")
        );
        close(got.dice, &want["dice"], &what("dice"));
        close(got.jaccard, &want["jaccard"], &what("jaccard"));
        let spacing = got
            .slice_spacing_mm
            .unwrap_or_else(|| panic!("{}", what("spacing")));
        assert!((spacing - step).abs() <= 1e-9 * step, "{}", what("spacing"));
        let voxel = pixel[0] * pixel[1] * step;
        let mm3 = got
            .reference_mm3
            .unwrap_or_else(|| panic!("{}", what("mm3")));
        assert!(
            (mm3 - got.reference_voxels as f64 * voxel).abs() <= 1e-9 * mm3.max(1.0),
            "{}",
            what("mm3")
        );
        overlapping += usize::from(got.dice > 0.0 && got.dice < 1.0);
        match (got.hd_mm, got.hd95_mm, got.assd_mm) {
            (Some(hd), Some(hd95), Some(assd)) => {
                close(hd, &want["hd"], &what("hd"));
                close(hd95, &want["hd95"], &what("hd95"));
                close(assd, &want["assd"], &what("assd"));
                if *uneven { brute += 1 } else { medpy += 1 }
            }
            _ => {
                assert!(
                    want.get("hd").is_none(),
                    "{}",
                    what("the reference has distances, we none")
                );
                empty += 1;
            }
        }
    }
    // Not vacuous: every kind of case was compared.
    println!(
        "{medpy} MedPy, {brute} brute force, {overlapping} partial overlaps, {empty} without distances, {cov:?}"
    );
    assert!(
        medpy >= 30 && brute >= 12 && overlapping >= 15 && empty >= 3,
        "{medpy} {brute} {overlapping} {empty}"
    );
    assert!(cov.tilted >= 8 && cov.descending >= 8, "{cov:?}");
}

/// An axial series of `n` slices `step` mm apart, pixels 0.5 × 0.5 mm, 32 × 32.
fn axial(uid: &str, n: usize, step: f64) -> Vec<FrameInfo> {
    (0..n)
        .map(|k| {
            image(
                uid,
                &format!("{uid}.{k}"),
                [32, 32],
                [0.5, 0.5],
                Some([0.0, 0.0, k as f64 * step]),
            )
        })
        .collect()
}

/// A filled rectangle `w` columns by `h` rows from (x, y).
fn rect(x: f64, y: f64, w: f64, h: f64) -> Region {
    Region::of_ring(&[[x, y], [x + w, y], [x + w, y + h], [x, y + h]], 32, 32)
}

/// The 10 × 10 reference and 12 × 10 test rectangles on slices 1–3 of `images`.
fn rectangles<'a>(images: &'a [FrameInfo], a: &'a Region, b: &'a Region) -> Vec<FrameMasks<'a>> {
    images[1..4]
        .iter()
        .map(|i| FrameMasks {
            sop_uid: &i.sop_uid,
            frame: 1,
            label: "lesion",
            reference: a,
            test: b,
        })
        .collect()
}

#[test]
fn volumes_by_hand() {
    // 10 × 10 pixels of 0.5 × 0.5 mm on 3 of 5 slices 2.5 mm apart: 300 voxels of
    // 0.625 mm³, 187.5 mm³; the test is 12 × 10 (360 voxels, 225 mm³): 37.5 mm³ and
    // 20 % more. Its two extra columns end 2 columns (1 mm) from the reference's.
    let images = axial("1.5", 5, 2.5);
    let (a, b) = (rect(4.0, 4.0, 10.0, 10.0), rect(4.0, 4.0, 12.0, 10.0));
    let frames: FrameInfos = images.iter().cloned().collect();
    let got = per_series(&rectangles(&images, &a, &b), &frames);
    assert_eq!(got.len(), 1);
    let g = &got[0];
    assert_eq!((g.slices, g.reference_voxels, g.test_voxels), (5, 300, 360));
    assert_eq!(
        (g.note, g.calibrated, g.study_uid.as_str()),
        (None, true, "study-1.5")
    );
    assert_eq!(g.slice_spacing_mm, Some(2.5));
    assert_eq!((g.reference_mm3, g.test_mm3), (Some(187.5), Some(225.0)));
    assert_eq!(g.volume_difference_mm3, Some(37.5));
    assert_eq!(g.volume_difference_pct, Some(20.0));
    assert!((g.dice - 600.0 / 660.0).abs() < 1e-12 && (g.jaccard - 300.0 / 360.0).abs() < 1e-12);
    assert_eq!(g.hd_mm, Some(1.0));
    // Against an empty test mask: volumes, no distances.
    let none = Region::default();
    let got = per_series(&rectangles(&images, &a, &none), &frames);
    assert_eq!(
        (got[0].test_mm3, got[0].volume_difference_pct),
        (Some(0.0), Some(-100.0))
    );
    assert_eq!(
        (got[0].dice, got[0].hd_mm, got[0].assd_mm),
        (0.0, None, None)
    );
}

/// The hand case on `images` (slices 1–3 drawn, any geometry): the note, and Dice
/// right without distances or volumes.
fn without_geometry(
    images: &[FrameInfo],
    masks: Vec<FrameMasks<'_>>,
    note: VolumeNote,
) -> SeriesAgreement {
    let frames: FrameInfos = images.iter().cloned().collect();
    let got = per_series(&masks, &frames);
    assert_eq!(got.len(), 1, "{note:?}");
    let g = got[0].clone();
    assert_eq!(g.note, Some(note));
    assert_eq!((g.reference_voxels, g.test_voxels), (300, 360), "{note:?}");
    assert!((g.dice - 600.0 / 660.0).abs() < 1e-12, "{note:?}");
    assert_eq!(
        (g.hd_mm, g.hd95_mm, g.assd_mm),
        (None, None, None),
        "{note:?}"
    );
    assert_eq!(
        (g.reference_mm3, g.volume_difference_mm3),
        (None, None),
        "{note:?}"
    );
    g
}

#[test]
fn incomplete_geometry_keeps_dice_and_drops_distances() {
    let (a, b) = (rect(4.0, 4.0, 10.0, 10.0), rect(4.0, 4.0, 12.0, 10.0));
    let mut images = axial("2.1", 5, 2.5);
    images[4].position_mm = None;
    let g = without_geometry(&images, rectangles(&images, &a, &b), VolumeNote::NoPosition);
    assert_eq!((g.slices, g.slice_spacing_mm), (5, None));
    let mut images = axial("2.2", 5, 2.5);
    images[0].orientation = Some([0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
    without_geometry(
        &images,
        rectangles(&images, &a, &b),
        VolumeNote::MixedOrientation,
    );
    let mut images = axial("2.3", 5, 2.5);
    images[4].position_mm = images[3].position_mm;
    without_geometry(
        &images,
        rectangles(&images, &a, &b),
        VolumeNote::SharedPosition,
    );
    let mut images = axial("2.4", 5, 2.5);
    images[0].spacing = PixelSpacing::from_attributes(Some([0.6, 0.5]), None);
    let g = without_geometry(&images, rectangles(&images, &a, &b), VolumeNote::MixedGrid);
    assert_eq!(g.slice_spacing_mm, Some(2.5));
    let mut images = axial("2.5", 5, 2.5);
    for i in &mut images {
        i.spacing = PixelSpacing::UNCALIBRATED;
    }
    let g = without_geometry(
        &images,
        rectangles(&images, &a, &b),
        VolumeNote::Uncalibrated,
    );
    assert!(!g.calibrated);
    // One multi-frame image of 5 frames, drawn on frames 2–4.
    let mut multi = axial("2.6", 1, 2.5);
    multi[0].frames = 5;
    let masks = (2..5)
        .map(|f| FrameMasks {
            sop_uid: "2.6.0",
            frame: f,
            label: "lesion",
            reference: &a,
            test: &b,
        })
        .collect();
    let g = without_geometry(&multi, masks, VolumeNote::MultiFrame);
    assert_eq!(g.slices, 5);
    // One slice: a 2-D mask, no slice spacing.
    let single = axial("2.7", 1, 2.5);
    let masks = vec![FrameMasks {
        sop_uid: "2.7.0",
        frame: 1,
        label: "lesion",
        reference: &a,
        test: &b,
    }];
    let frames: FrameInfos = single.into_iter().collect();
    let got = per_series(&masks, &frames);
    assert_eq!(got[0].note, Some(VolumeNote::SingleSlice));
    assert_eq!(
        (got[0].reference_voxels, got[0].test_voxels, got[0].hd_mm),
        (100, 120, None)
    );
    assert!((got[0].dice - 200.0 / 220.0).abs() < 1e-12);
}

#[test]
fn masks_outside_the_release_are_left_out_and_several_for_one_frame_united() {
    let images = axial("3.1", 3, 2.0);
    let frames: FrameInfos = images.iter().cloned().collect();
    let (left, right) = (rect(2.0, 2.0, 4.0, 4.0), rect(10.0, 2.0, 4.0, 4.0));
    let masks = [
        FrameMasks {
            sop_uid: "3.1.1",
            frame: 1,
            label: "x",
            reference: &left,
            test: &left,
        },
        FrameMasks {
            sop_uid: "3.1.1",
            frame: 1,
            label: "x",
            reference: &right,
            test: &right,
        },
        FrameMasks {
            sop_uid: "3.1.1",
            frame: 2,
            label: "x",
            reference: &left,
            test: &left,
        },
        FrameMasks {
            sop_uid: "elsewhere",
            frame: 1,
            label: "x",
            reference: &left,
            test: &left,
        },
    ];
    let got = per_series(&masks, &frames);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].reference_voxels, got[0].dice, got[0].hd_mm),
        (32, 1.0, Some(0.0))
    );
}
