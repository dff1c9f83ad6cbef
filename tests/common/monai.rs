//! A real MONAI Label server for the tests (no mock): its venv, pinned in
//! tests/monai/requirements.txt, and the weight-free app of tests/monai/app started on
//! a free loopback port, killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lightbox::assist::monai::MonaiClient;

/// The running server, killed when dropped (a test that panics too).
pub struct Server {
    child: Child,
    /// The server's base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `monailabel start_server` with a copy of tests/monai/app and an empty
    /// studies folder, and waits (two minutes at most) until `/info/` answers.
    pub fn start(python: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, studies) = (dir.path().join("app"), dir.path().join("studies"));
        std::fs::create_dir_all(&app).expect("mkdir");
        std::fs::create_dir_all(&studies).expect("mkdir");
        std::fs::copy(
            super::repo().join("tests/monai/app/main.py"),
            app.join("main.py"),
        )
        .expect("copy the app");
        let port = super::free_port();
        let log = dir.path().join("server.log");
        let bin = python.parent().expect("the venv's bin").to_path_buf();
        let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("PATH");
        let started = Instant::now();
        let child = Command::new(python)
            .args(["-m", "monailabel.main", "start_server", "--app"])
            .arg(&app)
            .arg("--studies")
            .arg(&studies)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .env("PATH", path)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).expect("log"))
            .stderr(std::fs::File::create(dir.path().join("server.err")).expect("log"))
            .spawn()
            .expect("start monailabel");
        let mut server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        let client = MonaiClient::new(&server.url).expect("client");
        loop {
            if client.info().is_ok() {
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server ended ({status}):\n{}", server.logs());
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the server did not answer /info/ within 120 s:\n{}",
                server.logs()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        eprintln!(
            "monailabel answered /info/ after {:.1} s",
            started.elapsed().as_secs_f64()
        );
        server
    }

    /// The end of the server's output.
    pub fn logs(&self) -> String {
        let mut text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text += &std::fs::read_to_string(self.log.with_file_name("server.err")).unwrap_or_default();
        let start = text.len().saturating_sub(4000);
        text[text.ceil_char_boundary(start)..].to_owned()
    }
}
