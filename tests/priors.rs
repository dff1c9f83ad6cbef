//! "Compare with prior" on the sample release: the follow-up chest CT's prior is the
//! earlier chest CT of the same patient, and in it the soft-tissue series (its
//! description), not the bone series; a study without an earlier one has no prior.

mod common;

use lightbox::index::priors::prior_of;
use lightbox::index::{Index, ScanOptions};

#[test]
fn the_follow_up_chest_ct_has_the_earlier_chest_ct_as_its_prior() {
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    let index = Index::open(&common::repo().join("sample-data"), &options, &|_| {})
        .expect("scan the sample");
    // Patient AF3C38723FBC4BC2: 20200302 CT CHEST W/O CONTRAST (series 2 CHEST 5mm, 32
    // images; series 3 CHEST 5mm BONE, 16) and 20200915 CT CHEST FOLLOW-UP.
    let follow_up = index
        .studies()
        .find(|s| s.study_date.as_deref() == Some("20200915"))
        .expect("the follow-up");
    let current = follow_up
        .series
        .iter()
        .find(|s| s.instances.len() == 32)
        .expect("its chest series");
    let (study, series) = prior_of(&index, &current.series_uid).expect("a prior");
    assert_eq!(study.study_date.as_deref(), Some("20200302"));
    assert_eq!(series.instances.len(), 32, "{:?}", series.description);
    assert_eq!(series.description, current.description);
    // The earlier study has no prior of its own.
    assert!(prior_of(&index, &series.series_uid).is_none());
}
