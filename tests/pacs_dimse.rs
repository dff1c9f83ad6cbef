//! The DIMSE half of the PACS client (`lightbox::pacs` with a `DimseServer`) against a
//! real Orthanc on loopback (no mock): C-ECHO; C-FIND by patient, date range, modality
//! and limit; C-GET of every sample study into a folder, each instance in the transfer
//! syntax it was stored in and its data set element for element the original's;
//! nothing fetched twice, two removed files fetched alone, a cancel that stops and a
//! retry that completes; C-STORE of the whole sample (each file in its own syntax) with
//! a non-DICOM file named and skipped. Refusals name the server: a closed port, an HTTP
//! port, and an association rejected by dicom-ul's own acceptor for a wrong called AE
//! title (Orthanc, configured not to check it, accepts any).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::orthanc::Orthanc;
use dicom_core::Tag;
use dicom_core::value::Value;
use dicom_object::InMemDicomObject;
use lightbox::index::Index;
use lightbox::pacs::{
    Cancel, DateRange, DimseServer, PacsError, Progress, Query, RetrieveReport, Server,
};

/// The chest CT series of the sample (32 slices, JPEG lossless).
const CHEST_SERIES: &str = "2.25.58992966161156072126607366601187380746";

/// One sample instance.
struct Instance {
    study: String,
    series: String,
    sop: String,
    path: PathBuf,
}

/// The sample's instances and the chest study's identity.
struct Sample {
    instances: Vec<Instance>,
    chest_study: String,
    patient_id: String,
    study_date: String,
}

impl Sample {
    fn read() -> Self {
        let index =
            Index::open(&common::sample_images(), &Default::default(), &|_| {}).expect("scan");
        let chest = index
            .studies()
            .find(|s| s.series.iter().any(|se| se.series_uid == CHEST_SERIES))
            .expect("the chest study");
        Self {
            instances: index
                .instances()
                .map(|i| Instance {
                    study: i.study_uid.clone(),
                    series: i.series_uid.clone(),
                    sop: i.sop_uid.clone(),
                    path: i.path.clone(),
                })
                .collect(),
            chest_study: chest.study_uid.clone(),
            patient_id: chest.patient_id.clone(),
            study_date: chest.study_date.clone().expect("a study date"),
        }
    }

    fn of_study<'a>(&'a self, study: &'a str) -> impl Iterator<Item = &'a Instance> + 'a {
        self.instances.iter().filter(move |i| i.study == study)
    }

    fn studies(&self) -> BTreeSet<&str> {
        self.instances.iter().map(|i| i.study.as_str()).collect()
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.instances.iter().map(|i| i.path.clone()).collect()
    }
}

fn server_of(orthanc: &Orthanc) -> Server {
    Server::Dimse(DimseServer::parse(&orthanc.dimse_address(), None).expect("address"))
}

/// A file's data set and transfer syntax, read the way the viewer reads it.
fn read(path: &Path) -> (InMemDicomObject, String) {
    let file = lightbox::dicom_file::open(path, false)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (file.dataset, file.transfer_syntax)
}

/// The same elements with the same values, sequences item by item and encapsulated
/// pixel data fragment by fragment (lengths and group lengths aside: an archive may
/// write sequences with another length form).
fn same_elements(a: &InMemDicomObject, b: &InMemDicomObject, at: &str) -> Result<(), String> {
    let tags = |o: &InMemDicomObject| -> Vec<Tag> {
        o.iter()
            .map(|e| e.header().tag)
            .filter(|t| t.element() != 0)
            .collect()
    };
    if tags(a) != tags(b) {
        let (ta, tb): (BTreeSet<_>, BTreeSet<_>) =
            (tags(a).into_iter().collect(), tags(b).into_iter().collect());
        return Err(format!(
            "{at}: only in the original {:?}, only in the copy {:?}",
            ta.difference(&tb).collect::<Vec<_>>(),
            tb.difference(&ta).collect::<Vec<_>>()
        ));
    }
    for tag in tags(a) {
        let (x, y) = (a.get(tag).expect("element"), b.get(tag).expect("element"));
        let here = format!("{at}{tag}");
        if x.vr() != y.vr() {
            return Err(format!("{here}: VR {} vs {}", x.vr(), y.vr()));
        }
        match (x.value(), y.value()) {
            (Value::Sequence(s), Value::Sequence(t)) => {
                if s.items().len() != t.items().len() {
                    return Err(format!("{here}: item counts differ"));
                }
                for (n, (i, j)) in s.items().iter().zip(t.items()).enumerate() {
                    same_elements(i, j, &format!("{here}[{n}]"))?;
                }
            }
            (Value::PixelSequence(p), Value::PixelSequence(q)) => {
                if p.fragments() != q.fragments() {
                    return Err(format!("{here}: pixel data fragments differ"));
                }
            }
            (v, w) if v == w => {}
            (v, w) => return Err(format!("{here}: {v:?} vs {w:?}")),
        }
    }
    Ok(())
}

/// The SOP Instance UIDs in a retrieved study folder (`<series>/<sop>.dcm`), with paths.
fn retrieved(folder: &Path) -> BTreeMap<String, PathBuf> {
    walkdir::WalkDir::new(folder)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let sop = e
                .path()
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (sop, e.into_path())
        })
        .collect()
}

/// Retrieves `study` into `out`, recording every progress report.
fn retrieve(
    server: &Server,
    study: &str,
    out: &Path,
    cancel: &Cancel,
    cancel_after: Option<usize>,
) -> (Result<RetrieveReport, PacsError>, Vec<Progress>) {
    let mut seen = Vec::new();
    let result = server.retrieve(
        study,
        out,
        &mut |p| {
            seen.push(p.clone());
            if cancel_after.is_some_and(|n| p.done >= n) {
                cancel.cancel();
            }
        },
        cancel,
    );
    (result, seen)
}

#[test]
fn dimse_echo_find_and_retrieve() {
    let orthanc = Orthanc::start();
    let sample = Sample::read();
    orthanc.upload(&sample.paths());
    let server = server_of(&orthanc);
    server.echo().expect("C-ECHO");

    // C-FIND: by patient, by date range and modality, out of range, with a limit.
    let find = |q: Query| server.find(&q).expect("C-FIND");
    let by_patient = find(Query {
        patient_id: Some(sample.patient_id.clone()),
        ..Query::default()
    });
    let chest = by_patient
        .iter()
        .find(|m| m.study_uid == sample.chest_study)
        .expect("the chest study is found by its patient");
    assert_eq!(
        chest.instance_count,
        Some(sample.of_study(&sample.chest_study).count() as u32)
    );
    assert_eq!(chest.modalities, ["CT"]);
    assert_eq!(chest.study_date, sample.study_date);
    assert!(by_patient.iter().all(|m| m.patient_id == sample.patient_id));
    let date = &sample.study_date;
    let by_date = find(Query {
        study_date: Some(DateRange::parse(&format!("{date}-{date}")).expect("range")),
        modality: Some("CT".into()),
        ..Query::default()
    });
    assert!(by_date.iter().any(|m| m.study_uid == sample.chest_study));
    assert!(by_date.iter().all(|m| &m.study_date == date));
    let old = find(Query {
        study_date: Some(DateRange::parse("19000101-19001231").expect("range")),
        ..Query::default()
    });
    assert!(old.is_empty(), "{old:?}");
    let all = find(Query::default());
    assert_eq!(all.len(), sample.studies().len());
    let one = find(Query {
        limit: Some(1),
        ..Query::default()
    });
    assert_eq!(one.len(), 1);

    // C-GET of every study: exactly the uploaded instances, each in its stored
    // transfer syntax (no transcoding) with the original's elements.
    let out = tempfile::tempdir().expect("temp dir");
    let never = Cancel::new();
    for study in sample.studies() {
        let (report, seen) = retrieve(&server, study, out.path(), &never, None);
        let report = report.unwrap_or_else(|e| panic!("study {study}: {e}\n{}", orthanc.logs()));
        let want: BTreeMap<&str, &Instance> = sample
            .of_study(study)
            .map(|i| (i.sop.as_str(), i))
            .collect();
        assert_eq!((report.retrieved, report.already_present), (want.len(), 0));
        let last = seen.last().expect("progress");
        assert_eq!((last.done, last.total), (want.len(), want.len()));
        assert_eq!(last.bytes, report.bytes);
        let got = retrieved(&out.path().join(study));
        assert_eq!(
            got.keys().map(String::as_str).collect::<Vec<_>>(),
            want.keys().copied().collect::<Vec<_>>()
        );
        for (sop, original) in &want {
            let path = &got[*sop];
            assert_eq!(
                path.parent().and_then(Path::file_name).expect("series"),
                original.series.as_str()
            );
            let (copy, copy_ts) = read(path);
            let (orig, orig_ts) = read(&original.path);
            assert_eq!(copy_ts, orig_ts, "{sop} was transcoded");
            same_elements(&orig, &copy, "").unwrap_or_else(|e| panic!("{sop}: {e}"));
        }
    }

    // Again: nothing fetched. Two removed: only those two come back.
    let chest_count = sample.of_study(&sample.chest_study).count();
    let (again, _) = retrieve(&server, &sample.chest_study, out.path(), &never, None);
    let again = again.expect("again");
    assert_eq!((again.retrieved, again.already_present), (0, chest_count));
    let folder = out.path().join(&sample.chest_study);
    let removed: Vec<PathBuf> = retrieved(&folder).into_values().take(2).collect();
    for path in &removed {
        std::fs::remove_file(path).expect("remove");
    }
    let (resumed, seen) = retrieve(&server, &sample.chest_study, out.path(), &never, None);
    let resumed = resumed.expect("resumed");
    assert_eq!(
        (resumed.retrieved, resumed.already_present),
        (2, chest_count - 2)
    );
    assert!(removed.iter().all(|p| p.is_file()));
    assert_eq!(seen.first().map(|p| p.done), Some(chest_count - 2));

    // Cancelled after a few instances: what arrived stays, a retry fetches the rest.
    let fresh = tempfile::tempdir().expect("temp dir");
    let cancel = Cancel::new();
    let (stopped, _) = retrieve(&server, &sample.chest_study, fresh.path(), &cancel, Some(3));
    assert!(
        matches!(stopped, Err(PacsError::Cancelled { .. })),
        "{stopped:?}"
    );
    let kept = retrieved(&fresh.path().join(&sample.chest_study)).len();
    assert!((3..chest_count).contains(&kept), "{kept} kept");
    let (rest, _) = retrieve(&server, &sample.chest_study, fresh.path(), &never, None);
    let rest = rest.expect("the rest");
    assert_eq!(
        (rest.retrieved, rest.already_present),
        (chest_count - kept, kept)
    );

    // A study the server does not hold: refused, naming the server, no folder made.
    let nowhere = tempfile::tempdir().expect("temp dir");
    let (unknown, _) = retrieve(&server, "1.2.3.4", nowhere.path(), &never, None);
    let e = unknown.expect_err("an unknown study").to_string();
    assert!(
        e.contains("does not hold that study") && e.contains(&server.to_string()),
        "{e}"
    );
    assert!(!nowhere.path().join("1.2.3.4").exists());

    // Orthanc's HTTP port does not speak DICOM: a bad reply that says which port.
    let http = Server::Dimse(
        DimseServer::parse(&format!("ORTHANC@127.0.0.1:{}", orthanc.http_port), None)
            .expect("address"),
    );
    let e = http.echo().expect_err("DICOM to an HTTP port");
    assert!(matches!(e, PacsError::BadReply { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains(&format!("is {} its DICOM port?", orthanc.http_port)),
        "{e}"
    );
}

#[test]
fn dimse_send_stores_each_file_as_it_is() {
    let orthanc = Orthanc::start();
    let sample = Sample::read();
    let server = server_of(&orthanc);
    let work = tempfile::tempdir().expect("temp dir");
    let not_dicom = work.path().join("notes.txt");
    std::fs::write(&not_dicom, "not DICOM").expect("write");
    let mut files = sample.paths();
    files.insert(3, not_dicom.clone());
    let mut seen = Vec::new();
    let report = server
        .send(&files, &mut |p| seen.push(p.clone()), &Cancel::new())
        .unwrap_or_else(|e| panic!("C-STORE: {e}\n{}", orthanc.logs()));
    assert_eq!(report.sent, sample.instances.len(), "{:?}", report.failed);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].path, not_dicom);
    assert!(
        report.failed[0].reason.contains("not a DICOM file"),
        "{}",
        report.failed[0].reason
    );
    let last = seen.last().expect("progress");
    assert_eq!((last.done, last.total), (files.len(), files.len()));
    assert_eq!(seen.len(), files.len());

    let want: BTreeSet<String> = sample.instances.iter().map(|i| i.sop.clone()).collect();
    let got: BTreeSet<String> = orthanc.sop_instance_uids().into_iter().collect();
    assert_eq!(got, want);
    // Each stored as sent: Orthanc's copy is in the original's transfer syntax.
    let stored = orthanc.get_json("/instances?expand");
    let by_sop: BTreeMap<&str, &Instance> = sample
        .instances
        .iter()
        .map(|i| (i.sop.as_str(), i))
        .collect();
    for item in stored.as_array().expect("instances") {
        let sop = item["MainDicomTags"]["SOPInstanceUID"]
            .as_str()
            .expect("SOP UID");
        let id = item["ID"].as_str().expect("id");
        let copy = work.path().join(format!("{sop}.dcm"));
        std::fs::write(&copy, orthanc.get_bytes(&format!("/instances/{id}/file"))).expect("write");
        let (copy_ds, copy_ts) = read(&copy);
        let (orig_ds, orig_ts) = read(&by_sop[sop].path);
        assert_eq!(copy_ts, orig_ts, "{sop} was transcoded");
        same_elements(&orig_ds, &copy_ds, "").unwrap_or_else(|e| panic!("{sop}: {e}"));
    }

    // Cancelled before the first file: nothing is sent.
    let cancel = Cancel::new();
    cancel.cancel();
    let stopped = server.send(&files, &mut |_| {}, &cancel);
    assert!(
        matches!(stopped, Err(PacsError::Cancelled { .. })),
        "{stopped:?}"
    );
}

#[test]
fn dimse_refusals_name_the_server() {
    // Nothing listens: cannot reach, naming the server.
    let closed = Server::Dimse(
        DimseServer::parse(&format!("ORTHANC@127.0.0.1:{}", common::free_port()), None)
            .expect("address"),
    );
    let e = closed.echo().expect_err("a closed port");
    assert!(matches!(e, PacsError::Connect { .. }), "{e:?}");
    assert!(
        e.to_string().contains(&format!("cannot reach {closed}")),
        "{e}"
    );

    // dicom-ul's acceptor, AE title ARCHIVE, rejects a call to another AE title.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let acceptor = std::thread::spawn(move || {
        let (socket, _) = listener.accept().expect("accept");
        dicom_ul::ServerAssociationOptions::new()
            .accept_called_ae_title()
            .ae_title("ARCHIVE")
            .with_abstract_syntax(dicom_dictionary_std::uids::VERIFICATION)
            .establish(socket)
            .is_err()
    });
    let wrong = Server::Dimse(
        DimseServer::parse(&format!("ELSEWHERE@127.0.0.1:{port}"), None).expect("address"),
    );
    let e = wrong.echo().expect_err("a wrong called AE title");
    assert!(acceptor.join().expect("acceptor"), "the acceptor accepted");
    match &e {
        PacsError::Refused { status, detail, .. } => {
            assert_eq!(status, "association rejected");
            assert!(
                detail.contains("called AE title not recognized"),
                "{detail}"
            );
            assert!(detail.contains("ELSEWHERE"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains(&wrong.to_string()), "{e}");
}
