//! The Dataset tab driven as a reviewer would: it describes the open release, and
//! compares two annotators (the sample's example file has two readers) worst frame
//! first; a click on a frame shows it in the viewport.
#![cfg(feature = "gui")]

mod common;

use common::gui::{has_label, wait_for};
use egui_kittest::kittest::Queryable;
use lightbox::gui::command::Command;

#[test]
fn describe_the_release_and_compare_two_readers() {
    let (mut h, root, _dirs) = common::gui::sample_app();
    let example = common::repo().join("sample-data/annotations/example.json");
    let ctx = h.ctx.clone();
    h.state_mut()
        .apply(&ctx, Command::ImportAnnotations(example));
    h.get_by_label("Dataset").click();
    // The counts `lightbox describe` gives for the sample (tests/dataset_cli.rs checks
    // those against dcmtk and the claims csv).
    wait_for(&mut h, "the description", |h| {
        has_label(h, "7 patients, 9 studies, 11 series, 159 images")
    });
    h.get_by_label("By sex").click();
    wait_for(&mut h, "the sex rows", |h| {
        has_label(h, "6 studies, 4 patients")
    });

    // Stratified by modality too: the checkbox adds it to the split's attributes.
    h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "Modality")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().split_strata(), ["label", "modality", "sex"]);
    // A split made here marks each study of the browser with its set.
    h.get_by_label("Make split").click();
    wait_for(&mut h, "the split", |h| {
        has_label(h, "Shown in the browser:")
    });
    assert!(has_label(&h, "Training"), "studies tagged with their set");
    // A split loaded from a file: everything in the test set.
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("split.csv");
    let index = lightbox::index::Index::open(&root, &Default::default(), &|_| {}).expect("scan");
    let mut text = String::from("PATIENT_ID,STUDY_INSTANCE_UID,SPLIT\r\n");
    for st in index.studies() {
        text.push_str(&format!("{},{},test\r\n", st.patient_id, st.study_uid));
    }
    std::fs::write(&csv, text).expect("write");
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, Command::LoadSplit(csv));
    wait_for(&mut h, "the loaded split", |h| {
        has_label(h, "Shown in the browser: 0 % / 0 % / 100 %") && !has_label(h, "Training")
    });

    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        Command::SetAgreementPair {
            reference: "dr.okafor".into(),
            test: "dr.chen".into(),
        },
    );
    h.run_steps(2);
    h.get_by_label("Compare").click();
    wait_for(&mut h, "the agreement", |h| {
        has_label(
            h,
            "7 frame/label pairs, mean Dice 0.140; detection 1 TP, 3 FP, 3 FN, F1 0.250",
        )
    });
    // With its patient-bootstrap interval, and the series in 3-D.
    assert!(has_label(&h, "Mean Dice, 95 % CI by patient:"));
    assert!(has_label(&h, "Per series, in 3-D ("));
    // The one frame both read: its link shows it in the active viewport.
    let sop = "2.25.31445806601613528193067707103341708208";
    let short = &sop[sop.len() - 10..];
    h.get_by_label_contains(short).click();
    wait_for(&mut h, "the frame shown", |h| {
        h.state().current_sop().as_deref() == Some(sop)
    });
}
