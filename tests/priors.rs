//! "Compare with prior" on the sample release: the follow-up chest CT's prior is the
//! earlier chest CT of the same patient, and in it the soft-tissue series (its
//! description), not the bone series; a study without an earlier one has no prior.

mod common;

use lightbox::index::priors::prior_of;

#[test]
fn the_follow_up_chest_ct_has_the_earlier_chest_ct_as_its_prior() {
    let index = common::scan_no_cache(&common::repo().join("sample-data"));
    let (_, current) = common::follow_up_chest(&index);
    let (study, series) = prior_of(&index, &current.series_uid).expect("a prior");
    assert_eq!(study.study_date.as_deref(), Some("20200302"));
    assert_eq!(series.instances.len(), 32, "{:?}", series.description);
    assert_eq!(series.description, current.description);
    // The earlier study has no prior of its own.
    assert!(prior_of(&index, &series.series_uid).is_none());
}
