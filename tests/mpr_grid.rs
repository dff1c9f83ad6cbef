//! The viewer's volume grid (`lightbox::mpr::grid::VoxelGrid`) on synthetic series
//! whose every value is known: uneven gaps are resampled at the true positions (a
//! missing slice's plane is the linear blend of its neighbours), a gantry tilt is
//! shifted back (a line that moves down one row per slice stands still), an even
//! series is its own voxels, and CT values take 2 bytes a voxel.

mod common;

use common::axial_series;
use lightbox::mpr::grid::{Texels, VoxelGrid};
use lightbox::mpr::volume::Volume;

fn grid_of(dir: &std::path::Path, uid: &str) -> VoxelGrid {
    let index = common::scan_no_cache(dir);
    let series = index
        .series()
        .find(|s| s.series_uid == uid)
        .expect("the series");
    VoxelGrid::from_volume(&Volume::load(series).expect("a volume"))
}

#[test]
fn uneven_gaps_are_resampled_at_the_true_positions() {
    let dir = tempfile::tempdir().expect("temp dir");
    // z 0, 2, 4, 8, 10 mm (a slice missing at 6); each slice's HU is 10 × z.
    let zs = [0.0, 2.0, 4.0, 8.0, 10.0];
    axial_series(
        dir.path(),
        "2.25.1801",
        8,
        &zs,
        |k| vec![(10.0 * zs[k]) as i16; 64],
        |_| 0.0,
    );
    let grid = grid_of(dir.path(), "2.25.1801");
    // Median gap 2 mm: planes at 0, 2, 4, 6, 8, 10 mm; the one at 6 mm is (40 + 80) / 2.
    assert_eq!(grid.dims, [8, 8, 6]);
    assert_eq!(grid.spacing_mm, [1.0, 1.0, 2.0]);
    for (k, want) in [0.0, 20.0, 40.0, 60.0, 80.0, 100.0].into_iter().enumerate() {
        for (x, y) in [(0, 0), (3, 5), (7, 7)] {
            assert_eq!(grid.value(x, y, k), want, "plane {k} at ({x}, {y})");
        }
    }
    assert!(
        matches!(grid.texels, Texels::U16 { .. }),
        "CT is 2 bytes a voxel"
    );
    assert!(
        grid.notes.iter().any(|n| n.contains("uneven")),
        "{:?}",
        grid.notes
    );
    // Voxel (0, 0, 3) lies at z 6 mm: the resampled plane is where it says.
    assert_eq!(grid.point_of([0.0, 0.0, 3.0])[2], 6.0);
}

#[test]
fn a_gantry_tilt_is_shifted_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Slices 2 mm apart in z, each 1 mm further in y (tilted); in every slice a bright
    // line on image row 3, so in the patient the line is at y = k + 3 on slice k.
    let zs = [0.0, 2.0, 4.0, 6.0];
    let line = |_k: usize| (0..64).map(|i| if i / 8 == 3 { 1000 } else { 0 }).collect();
    axial_series(dir.path(), "2.25.1802", 8, &zs, line, |k| k as f64);
    let grid = grid_of(dir.path(), "2.25.1802");
    assert_eq!(grid.dims, [8, 8, 4]);
    assert!(
        grid.notes.iter().any(|n| n.contains("tilt")),
        "{:?}",
        grid.notes
    );
    for k in 0..4 {
        for y in 0..8 {
            let want = if y == 3 + k { 1000.0 } else { 0.0 };
            assert_eq!(grid.value(4, y, k), want, "plane {k}, row {y}");
        }
    }
}

#[test]
fn an_even_series_is_its_own_voxels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let zs = [0.0, 2.5, 5.0];
    axial_series(
        dir.path(),
        "2.25.1803",
        4,
        &zs,
        |k| (0..16).map(|i| (100 * k + i) as i16 - 1000).collect(),
        |_| 0.0,
    );
    let grid = grid_of(dir.path(), "2.25.1803");
    assert!(grid.notes.is_empty(), "{:?}", grid.notes);
    assert_eq!(grid.dims, [4, 4, 3]);
    for k in 0..3 {
        for i in 0..16 {
            assert_eq!(grid.value(i % 4, i / 4, k), (100 * k + i) as f32 - 1000.0);
        }
    }
    assert_eq!(
        grid.texels,
        Texels::U16 {
            texels: (0..3)
                .flat_map(|k| (0..16).map(move |i| (100 * k + i) as u16))
                .collect(),
            offset: -1000.0
        }
    );
}
