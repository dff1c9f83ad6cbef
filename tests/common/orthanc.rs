//! A real PACS for the tests (no mock): Debian's `Orthanc` with the `orthanc-dicomweb`
//! plugin, started on free loopback ports with a temporary storage folder, killed when
//! dropped. Without the packages the test fails with the fix (`.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Orthanc's own AE title in the tests.
pub const ORTHANC_AET: &str = "ORTHANC";
/// Our AE title as Orthanc knows it (registered as a modality on [`Orthanc::our_port`]).
pub const OUR_AET: &str = "LIGHTBOX";

/// Where Debian puts the DICOMweb plugin.
fn dicomweb_plugin() -> PathBuf {
    let dir = Path::new("/usr/lib/orthanc");
    std::fs::read_dir(dir)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("libOrthancDicomWeb.so"))
        })
        .unwrap_or_else(|| {
            panic!(
                "no DICOMweb plugin under {}: apt-get install orthanc orthanc-dicomweb",
                dir.display()
            )
        })
}

/// The running server, killed when dropped (a test that panics too).
pub struct Orthanc {
    child: Child,
    /// Its REST and DICOMweb port.
    pub http_port: u16,
    /// Its DICOM port.
    pub dicom_port: u16,
    /// The port Orthanc believes [`OUR_AET`] listens on (for C-MOVE).
    pub our_port: u16,
    log: PathBuf,
    agent: ureq::Agent,
    _dir: tempfile::TempDir,
}

impl Drop for Orthanc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Orthanc {
    /// Starts Orthanc with an empty storage folder and waits (30 s at most) until its
    /// REST API answers.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (http_port, dicom_port, our_port) =
            (super::free_port(), super::free_port(), super::free_port());
        let storage = dir.path().join("storage");
        let config = json!({
            "Name": "lightbox-test",
            "StorageDirectory": storage,
            "IndexDirectory": storage,
            "HttpPort": http_port,
            "DicomPort": dicom_port,
            "DicomAet": ORTHANC_AET,
            "RemoteAccessAllowed": false,
            "AuthenticationEnabled": false,
            "HttpServerEnabled": true,
            "Plugins": [dicomweb_plugin()],
            "DicomWeb": {"Enable": true, "Root": "/dicom-web/"},
            "DicomModalities": {"lightbox": [OUR_AET, "127.0.0.1", our_port]},
            "DicomCheckCalledAet": false,
            "DicomCheckModalityHost": false,
            "DicomAlwaysAllowEcho": true,
            "DicomAlwaysAllowStore": true,
            "DicomAlwaysAllowFind": true,
            "DicomAlwaysAllowGet": true,
            "DicomAlwaysAllowMove": true,
            "StorageCompression": false,
            "OverwriteInstances": false,
        });
        let config_path = dir.path().join("orthanc.json");
        std::fs::write(&config_path, config.to_string()).expect("write the config");
        let log = dir.path().join("orthanc.log");
        let child = Command::new("Orthanc")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).expect("log"))
            .stderr(Stdio::from(
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(&log)
                    .expect("log"),
            ))
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start Orthanc ({e}): apt-get install orthanc orthanc-dicomweb")
            });
        let mut server = Self {
            child,
            http_port,
            dicom_port,
            our_port,
            log,
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .build()
                .into(),
            _dir: dir,
        };
        let started = Instant::now();
        loop {
            if server
                .agent
                .get(format!("{}/system", server.rest_url()))
                .call()
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("Orthanc ended ({status}):\n{}", server.logs());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "Orthanc did not answer within 30 s:\n{}",
                server.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// The REST API's root, `http://127.0.0.1:PORT`.
    pub fn rest_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// The DICOMweb service root.
    pub fn dicomweb_url(&self) -> String {
        format!("{}/dicom-web", self.rest_url())
    }

    /// The DIMSE address as the CLI takes it, `ORTHANC@127.0.0.1:PORT`.
    pub fn dimse_address(&self) -> String {
        format!("{ORTHANC_AET}@127.0.0.1:{}", self.dicom_port)
    }

    /// Stores `files` through the REST API (not through our code).
    pub fn upload(&self, files: &[PathBuf]) {
        for file in files {
            let bytes = std::fs::read(file).expect("read an instance");
            let mut reply = self
                .agent
                .post(format!("{}/instances", self.rest_url()))
                .send(&bytes[..])
                .expect("upload to Orthanc");
            assert!(
                reply.status().is_success(),
                "Orthanc refused {}: {}",
                file.display(),
                reply.body_mut().read_to_string().unwrap_or_default()
            );
        }
    }

    /// GETs a REST path; panics unless Orthanc answers with success.
    fn get(&self, path: &str) -> ureq::http::Response<ureq::Body> {
        let reply = self
            .agent
            .get(format!("{}{path}", self.rest_url()))
            .call()
            .expect("GET from Orthanc");
        assert!(
            reply.status().is_success(),
            "GET {path}: {}",
            reply.status()
        );
        reply
    }

    /// GETs a REST path's JSON.
    pub fn get_json(&self, path: &str) -> Value {
        let mut reply = self.get(path);
        serde_json::from_reader(reply.body_mut().as_reader()).expect("JSON")
    }

    /// The bytes of a REST path (e.g. `/instances/{id}/file`).
    pub fn get_bytes(&self, path: &str) -> Vec<u8> {
        let mut reply = self.get(path);
        reply
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .expect("body")
    }

    /// The SOP Instance UIDs Orthanc holds, sorted.
    pub fn sop_instance_uids(&self) -> Vec<String> {
        let ids = self.get_json("/instances");
        let mut uids: Vec<String> = ids
            .as_array()
            .expect("an array")
            .iter()
            .map(|id| {
                let tags = self.get_json(&format!(
                    "/instances/{}/simplified-tags",
                    id.as_str().expect("an id")
                ));
                tags["SOPInstanceUID"]
                    .as_str()
                    .expect("a SOP UID")
                    .to_owned()
            })
            .collect();
        uids.sort();
        uids
    }

    /// The end of Orthanc's log.
    pub fn logs(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(4000);
        text[text.ceil_char_boundary(start)..].to_owned()
    }
}
