//! The PACS in the viewer, against a real Orthanc with its DICOMweb plugin on
//! loopback (no mock), driven through the widgets by their labels: with no server
//! configured the PACS window points to Settings and the process opens no socket; a
//! server added in Settings ▸ PACS servers answers Test, a closed port is reported
//! naming the server; the release's annotations are sent as SEG and SR (Orthanc then
//! holds a SEG); a search lists the sample's follow-up chest CT, which is retrieved
//! into the chosen folder with the progress ending at its total, and Open opens the
//! folder as the release.
#![cfg(feature = "gui")]

mod common;

use std::path::{Path, PathBuf};

use common::gui::{has_label, wait_for};
use common::orthanc::Orthanc;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use lightbox::gui::LightboxApp;
use lightbox::gui::command::{Command, WindowKind};
use lightbox::gui::pacs_ui::{PacsCommand, TransferKind};
use lightbox::index::Index;

/// The follow-up chest CT of the sample (one series of 32 slices).
const FOLLOW_UP: &str = "2.25.75236339950318899541567895762551279514";

/// The sockets this process holds (its descriptors that are sockets).
fn sockets() -> Vec<String> {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|target| target.to_string_lossy().into_owned())
        .filter(|target| target.starts_with("socket:"))
        .collect()
}

/// True when some widget's text contains every one of `parts`.
fn shows_all(h: &Harness<'static, LightboxApp>, parts: &[&str]) -> bool {
    h.root().query_all_by(|_| true).any(|n| {
        let text = n.value().or_else(|| n.accesskit_node().label());
        text.is_some_and(|t| parts.iter().all(|p| t.contains(p)))
    })
}

/// Types `text` into the text field labelled `label` (as assistive technology does).
fn fill(h: &mut Harness<'static, LightboxApp>, label: &str, text: &str) {
    h.get_by_label(label).set_text_value_accesskit(text);
    h.run_steps(2);
}

/// Adds a DICOMweb server through Settings ▸ PACS servers' editor.
fn add_server(h: &mut Harness<'static, LightboxApp>, name: &str, url: &str) {
    h.get_by_label("Add server…").click();
    h.run_steps(2);
    fill(h, "Name", name);
    fill(h, "Service URL", url);
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert!(has_label(h, url), "the server {name} is listed");
}

/// The `.dcm` files under `dir`.
fn dcm_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "dcm"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn the_pacs_window_sends_finds_retrieves_and_opens() {
    let (mut h, _root, _dirs) = common::gui::sample_app();
    let ctx = h.ctx.clone();

    // No server: the window points to Settings, and nothing opens a socket.
    let before = sockets();
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    wait_for(&mut h, "the PACS window", |h| {
        has_label(h, "No PACS server yet")
    });
    // A new window is laid out invisibly first: click once it is drawn.
    h.run_steps(2);
    h.get_by_label("Open Settings").click();
    wait_for(&mut h, "the Settings window", |h| {
        has_label(h, "Cache size")
    });
    h.run_steps(2);
    h.get_by_label("PACS servers").click();
    wait_for(&mut h, "Settings ▸ PACS servers", |h| {
        has_label(h, "No PACS server is configured")
    });
    // Whatever is asked, with no server there is nothing to ask it of.
    for command in [
        PacsCommand::TestServer(0),
        PacsCommand::Search,
        PacsCommand::Retrieve,
        PacsCommand::SendAnnotations,
    ] {
        h.state_mut().apply(&ctx, Command::Pacs(command));
    }
    h.run_steps(2);
    let pacs = h.state().pacs();
    assert!(pacs.search.is_none() && pacs.transfer.is_none() && pacs.echoes.is_empty());
    assert!(pacs.found.is_none() && pacs.outcome.is_none());
    assert_eq!(sockets(), before, "no socket opened without a server");

    // A real PACS holding the sample release.
    let orthanc = Orthanc::start();
    let index = Index::open(&common::sample_images(), &Default::default(), &|_| {}).expect("scan");
    let all: Vec<PathBuf> = index.instances().map(|i| i.path.clone()).collect();
    orthanc.upload(&all);
    let study = index
        .studies()
        .find(|s| s.study_uid == FOLLOW_UP)
        .expect("the follow-up study");
    let originals = common::study_files(study);

    // Settings ▸ PACS servers: the server answers Test; a closed port names itself.
    let url = orthanc.dicomweb_url();
    add_server(&mut h, "orthanc", &url);
    h.get_by_label("Test").click();
    wait_for(&mut h, "the echo", |h| shows_all(h, &["OK (", " ms)"]));
    let closed = format!("http://127.0.0.1:{}/dicom-web", common::free_port());
    add_server(&mut h, "closed", &closed);
    h.query_all_by_label("Test")
        .nth(1)
        .expect("a second Test")
        .click();
    let refusal = format!("cannot reach the DICOMweb server {closed}");
    wait_for(&mut h, "the refusal", |h| shows_all(h, &[&refusal]));
    h.state_mut().apply(
        &ctx,
        Command::ShowWindow {
            window: WindowKind::Settings,
            open: false,
        },
    );
    h.run_steps(2);

    // Send: the release's annotations as SEG and SR; Orthanc then holds a SEG.
    let example = common::repo().join("sample-data/annotations/example.json");
    h.state_mut()
        .apply(&ctx, Command::ImportAnnotations(example));
    wait_for(&mut h, "the example annotations", |h| {
        h.state()
            .annotations()
            .is_some_and(|a| a.iter().count() > 0)
    });
    h.get_by_label("Send annotations (SEG and SR)").click();
    wait_for(&mut h, "the send", |h| {
        h.state().pacs().transfer.is_none() && h.state().pacs().outcome.is_some()
    });
    assert!(
        shows_all(&h, &["stored, 0 not stored on orthanc"]),
        "{:?}",
        h.state().pacs().outcome
    );
    let modalities: Vec<String> = orthanc
        .get_json("/series?expand")
        .as_array()
        .expect("series")
        .iter()
        .filter_map(|s| s["MainDicomTags"]["Modality"].as_str().map(str::to_owned))
        .collect();
    assert!(modalities.iter().any(|m| m == "SEG"), "{modalities:?}");

    // Search by patient and date: the follow-up study, then selected by a click.
    fill(&mut h, "Patient ID", &study.patient_id);
    fill(&mut h, "Study date from", "2020-09-01");
    fill(&mut h, "to", "20200930");
    h.get_by_label("Search").click();
    wait_for(&mut h, "the study found", |h| {
        has_label(h, "1 study(ies) on orthanc")
    });
    let listed = match &h.state().pacs().found {
        Some(found) => found.result.clone().expect("studies"),
        None => panic!("nothing found"),
    };
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].study_uid, FOLLOW_UP);
    // The SEG and SR sent are in the study too.
    let total = listed[0].instance_count.expect("a count") as usize;
    assert!(total > originals.len(), "{total}");
    h.get_by_label("CT CHEST FOLLOW-UP").click();
    h.run_steps(2);
    assert!(h.state().pacs().selected.contains(FOLLOW_UP));

    // Retrieve into the chosen folder: every instance, the progress at its total.
    let out = tempfile::tempdir().expect("temp dir");
    h.state_mut().apply(
        &ctx,
        Command::Pacs(PacsCommand::SetFolder(out.path().to_owned())),
    );
    h.run_steps(2);
    h.get_by_label("Retrieve 1 selected").click();
    wait_for(&mut h, "the retrieval", |h| {
        h.state().pacs().transfer.is_none() && h.state().pacs().outcome.is_some()
    });
    let (kind, outcome, last) = h.state().pacs().outcome.clone().expect("an outcome");
    assert_eq!(kind, TransferKind::Retrieve);
    assert!(outcome.errors.is_empty(), "{outcome:?}");
    let last = last.expect("progress").progress;
    assert_eq!((last.done, last.total), (total, total));
    let progress = format!("Study 1 of 1: {total}/{total} images");
    assert!(has_label(&h, &progress), "the window says {progress}");
    let folder = out.path().join(FOLLOW_UP);
    assert_eq!(dcm_files(&folder).len(), total);
    for (series, sop, original) in &originals {
        let got = folder.join(series).join(format!("{sop}.dcm"));
        assert!(
            std::fs::read(&got).ok() == std::fs::read(original).ok(),
            "{} differs from {}",
            got.display(),
            original.display()
        );
    }
    assert_eq!(h.state().state.pacs_folder.as_deref(), Some(out.path()));

    // Open: the retrieved study is the release the browser shows.
    assert!(has_label(&h, "CT CHEST W/O CONTRAST"), "the sample first");
    h.get_by_label("Open").click();
    wait_for(&mut h, "the retrieved study in the browser", |h| {
        h.state().state.last_folder.as_deref() == Some(folder.as_path())
            && shows_all(h, &["20200915", "CT CHEST FOLLOW-UP  ("])
            && has_label(h, "CHEST 5mm — 32 images")
    });
    assert!(
        !has_label(&h, "CT CHEST W/O CONTRAST"),
        "only the retrieved study"
    );
}
