//! The Windows exe (`LIGHTBOX_WINDOWS_EXE`, cross-built) under Wine against the Linux
//! build, black box, on copies of the sample release: every CLI verb must write the same
//! bytes (index and claims JSON modulo the root and the path separators), with the
//! paths Windows users have: a drive letter, backslashes, a release under
//! `D:\研究資料\release 1\`, a path longer than 260 characters and a `\\?\` path. The
//! index cache must go to `%LOCALAPPDATA%\lightbox` and the project store beside the
//! release, never into the Unix home.
//!
//! Wine does not enforce MAX_PATH, so a long-path run alone proves little: Windows 10
//! (long paths off, the default) refuses any path of 260 characters or more that is not
//! written `\\?\…`. Rust's std adds `\\?\` itself; C code (SQLite) does not. The
//! long-path test therefore traces Wine's path conversions and fails on any long path
//! that reached Win32 without `\\?\`.

mod common;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::wine::{Wine, succeeded, windows_exe};
use common::{lightbox_ok, repo, s};

const RELEASE: &str = "20210407_102537";
const CODE: &str = "2021010001";
const FOLLOW_UP_STUDY: &str = "2.25.75236339950318899541567895762551279514";

/// The same release twice: a Linux copy and a Windows copy on drive `D:`.
struct Pair {
    _tmp: tempfile::TempDir,
    wine: Wine,
    /// The Linux copy's root.
    linux: PathBuf,
    /// The Windows copy's root, as a Unix path.
    windows_unix: PathBuf,
    /// Output folders: Linux, and Windows (on `D:`).
    linux_out: PathBuf,
    windows_out: PathBuf,
    /// With `Some`, every Windows run is traced and the long paths it gave Win32 are
    /// collected here.
    long_paths: Option<RefCell<Vec<LongPath>>>,
}

impl Pair {
    /// Copies the sample to `<tmp>/linux/<rel>` and `D:\<rel>`.
    fn new(exe: &Path, rel: &[&str]) -> Pair {
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut wine = Wine::new(exe);
        wine.keep_running();
        let drive_d = tmp.path().join("d");
        wine.map_drive('d', &drive_d);
        let linux = place_sample(&tmp.path().join("linux"), rel);
        let windows_unix = place_sample(&drive_d, rel);
        let (linux_out, windows_out) = (tmp.path().join("out"), drive_d.join("out"));
        for dir in [&linux_out, &windows_out] {
            std::fs::create_dir_all(dir).expect("mkdir out");
        }
        Pair {
            _tmp: tmp,
            wine,
            linux,
            windows_unix,
            linux_out,
            windows_out,
            long_paths: None,
        }
    }

    /// The Windows copy's root as the exe is given it: `D:\…`.
    fn windows_root(&self) -> String {
        self.wine.windows_path(&self.windows_unix)
    }

    /// Runs `args` on both sides; `{root}` is the release root, `{out}/NAME` a file in
    /// the output folder, `{rel}/PATH` a path inside the release and `{repo}/PATH` one in
    /// the repository (`/`-separated). Returns (Linux, Windows) outputs; both must succeed.
    fn both(&self, args: &[&str]) -> (Output, Output) {
        let linux: Vec<String> = args.iter().map(|a| self.expand(a, false)).collect();
        let windows: Vec<String> = args.iter().map(|a| self.expand(a, true)).collect();
        (
            lightbox_ok(&linux.iter().map(String::as_str).collect::<Vec<_>>()),
            self.run_windows(&windows.iter().map(String::as_str).collect::<Vec<_>>()),
        )
    }

    /// Runs the exe (traced when the MAX_PATH audit is on); it must succeed.
    fn run_windows(&self, args: &[&str]) -> Output {
        let Some(long_paths) = &self.long_paths else {
            return self.wine.run_ok(args);
        };
        let mut out = self
            .wine
            .command()
            .args(args)
            .env("WINEDEBUG", "-all,trace+file")
            .output()
            .expect("wine runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let (trace, own): (Vec<&str>, Vec<&str>) =
            stderr.lines().partition(|l| l.contains(":trace:"));
        long_paths
            .borrow_mut()
            .extend(trace.iter().filter_map(|line| {
                LongPath::parse(line).map(|verbatim| LongPath {
                    run: args.join(" "),
                    verbatim,
                    line: (*line).to_owned(),
                })
            }));
        out.stderr = own.join("\n").into_bytes();
        succeeded(args, out)
    }

    /// One argument with its placeholder replaced by one side's path.
    fn expand(&self, arg: &str, windows: bool) -> String {
        let (root, out) = if windows {
            (&self.windows_unix, &self.windows_out)
        } else {
            (&self.linux, &self.linux_out)
        };
        let path = if arg == "{root}" {
            root.clone()
        } else if let Some(name) = arg.strip_prefix("{out}/") {
            out.join(name)
        } else if let Some(rel) = arg.strip_prefix("{rel}/") {
            root.join(rel)
        } else if let Some(rel) = arg.strip_prefix("{repo}/") {
            repo().join(rel)
        } else {
            return arg.to_owned();
        };
        if windows {
            self.wine.windows_path(&path)
        } else {
            s(&path).to_owned()
        }
    }

    /// The same output file from both sides must have the same bytes.
    fn same_file(&self, name: &str) {
        assert_same_bytes(
            name,
            &read(&self.linux_out.join(name)),
            &read(&self.windows_out.join(name)),
        );
    }

    /// The same file inside both releases must have the same bytes.
    fn same_release_file(&self, rel: &str) {
        assert_same_bytes(
            rel,
            &read(&self.linux.join(rel)),
            &read(&self.windows_unix.join(rel)),
        );
    }

    /// A JSON report (`index --json`, `claims --json`) with the root written as
    /// `<ROOT>` and `/` for every separator, from either side.
    fn normalised_linux(&self, out: &Output) -> String {
        text(out).replace(&json_escaped(s(&self.linux)), "<ROOT>")
    }

    fn normalised_windows(&self, out: &Output, root_as_given: &str) -> String {
        text(out)
            .replace(&json_escaped(root_as_given), "<ROOT>")
            .replace("\\\\", "/")
    }
}

/// A path of 200 or more characters that a traced run gave to Win32's DOS-to-NT path
/// conversion (Windows 10 refuses those of 260 and more unless written `\\?\…`).
struct LongPath {
    /// The exe's arguments.
    run: String,
    /// Written `\\?\…` (or `\\.\…`).
    verbatim: bool,
    /// The trace line.
    line: String,
}

impl LongPath {
    /// `Some(verbatim)` for a Wine `trace+file` line that converts a DOS path Wine shows
    /// cut (it shows the first 200 characters, then `...`).
    fn parse(line: &str) -> Option<bool> {
        let path = line
            .split("trace:file:RtlDosPathNameToNtPathName_U_WithStatus (L\"")
            .nth(1)?;
        if !path.contains("\"...,") {
            return None;
        }
        // The trace escapes each backslash: `\\?\` shows as `\\\\?\\`.
        Some(path.starts_with(r"\\\\?\\") || path.starts_with(r"\\\\.\\"))
    }
}

/// Moves a fresh copy of the sample release to `<base>/<rel…>` and returns it.
fn place_sample(base: &Path, rel: &[&str]) -> PathBuf {
    let (_dir, copy) = common::sample_copy();
    let to = rel.iter().fold(base.to_path_buf(), |p, c| p.join(c));
    std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
    std::fs::rename(&copy, &to).expect("move the sample copy");
    to
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// `path` as it appears inside a JSON string.
fn json_escaped(path: &str) -> String {
    let quoted = serde_json::to_string(path).expect("JSON string");
    quoted[1..quoted.len() - 1].to_owned()
}

/// Equal bytes, or a failure that says where they first differ.
fn assert_same_bytes(what: &str, linux: &[u8], windows: &[u8]) {
    if linux == windows {
        return;
    }
    let at = linux
        .iter()
        .zip(windows)
        .position(|(a, b)| a != b)
        .unwrap_or(linux.len().min(windows.len()));
    let around = |b: &[u8]| {
        String::from_utf8_lossy(&b[at.saturating_sub(80)..(at + 80).min(b.len())]).into_owned()
    };
    panic!(
        "{what}: Linux and Windows differ ({} vs {} bytes), first at byte {at}:\n\
         linux:   {:?}\nwindows: {:?}",
        linux.len(),
        windows.len(),
        around(linux),
        around(windows)
    );
}

/// Equal text (normalised JSON), or a failure that says where it first differs.
fn assert_same_text(what: &str, linux: &str, windows: &str) {
    assert_same_bytes(what, linux.as_bytes(), windows.as_bytes());
}

/// The first instance of every series (paths relative to the root, `/`-separated),
/// from the Linux index.
fn first_instances(index_json: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(index_json).expect("index JSON");
    doc["studies"]
        .as_array()
        .expect("studies")
        .iter()
        .flat_map(|st| st["series"].as_array().expect("series").iter())
        .map(|se| {
            let path = se["instances"][0]["path"].as_str().expect("path");
            path.strip_prefix("<ROOT>/")
                .expect("under the root")
                .to_owned()
        })
        .collect()
}

/// Every file under `dir`, relative, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("under dir");
            (rel.to_string_lossy().into_owned(), read(e.path()))
        })
        .collect();
    files.sort();
    files
}

/// Every path under `dir` whose name contains `needle` (case-insensitive).
fn find_named(dir: &Path, needle: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .to_lowercase()
                .contains(needle)
        })
        .map(|e| e.path().to_path_buf())
        .collect()
}

#[test]
fn every_verb_gives_the_linux_bytes_on_a_drive_with_spaces_and_chinese() {
    let Some(exe) = windows_exe() else { return };
    let started = std::time::Instant::now();
    let pair = Pair::new(&exe, &["研究資料", "release 1"]);
    let root = pair.windows_root();
    assert_eq!(root, "D:\\研究資料\\release 1");

    // index --json: fresh, then from the cache; also as `\\?\D:\…` and `D:/…`.
    let (l, w) = pair.both(&["index", "{root}", "--json"]);
    let linux_index = pair.normalised_linux(&l);
    assert!(linux_index.contains("\"instances\": 159"), "{linux_index}");
    assert_same_text(
        "index --json",
        &linux_index,
        &pair.normalised_windows(&w, &root),
    );
    let cached = pair.wine.run_ok(&["index", &root, "--json"]);
    assert_same_text(
        "index --json from the cache",
        &linux_index,
        &pair.normalised_windows(&cached, &root),
    );
    // A `\\?\` path is shown as given; `D:/…` the way Windows users write it, `D:\…`.
    let (verbatim, slashes) = (format!("\\\\?\\{root}"), root.replace('\\', "/"));
    for (given, shown) in [(&verbatim, &verbatim), (&slashes, &root)] {
        let out = pair.wine.run_ok(&["index", given, "--json"]);
        assert_same_text(
            &format!("index --json of {given}"),
            &linux_index,
            &pair.normalised_windows(&out, shown),
        );
    }
    // The cache is in %LOCALAPPDATA%\lightbox, nothing of ours in the Unix home.
    let cache = pair.wine.local_app_data().join("lightbox");
    let caches = find_named(&cache, "index-");
    assert!(
        caches
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "sqlite")),
        "no index cache in {}: {caches:?}",
        cache.display()
    );
    assert_eq!(
        find_named(&pair.wine.unix_home(), "lightbox"),
        Vec::<PathBuf>::new()
    );

    // claims --json.
    let (l, w) = pair.both(&["claims", "{root}", "--json"]);
    assert_same_text(
        "claims --json",
        &pair.normalised_linux(&l),
        &pair.normalised_windows(&w, &root),
    );

    // render and decode: the first image of every series (every transfer syntax of the
    // sample), the ultrasound clip's frame 3, a preset and a window.
    let mut renders: Vec<Vec<String>> = Vec::new();
    for (i, file) in first_instances(&linux_index).iter().enumerate() {
        renders.push(vec![file.clone(), format!("s{i}")]);
    }
    for (i, extra) in [
        vec!["--frame", "3"],
        vec!["--preset", "lung"],
        vec!["--window", "40", "400"],
    ]
    .into_iter()
    .enumerate()
    {
        let file = if i == 0 {
            "IMAGE/20210407_102537/ST0005/SE0001/IM0001.dcm"
        } else {
            "IMAGE/20210407_102537/ST0001/SE0002/IM0016.dcm"
        };
        let mut row = vec![file.to_owned(), format!("x{i}")];
        row.extend(extra.iter().map(|a| (*a).to_owned()));
        renders.push(row);
    }
    for row in &renders {
        let (file, name, extra) = (&row[0], &row[1], &row[2..]);
        let input = format!("{{rel}}/{file}");
        let png = format!("{{out}}/{name}.png");
        let mut args = vec!["render", input.as_str(), "--out", png.as_str()];
        args.extend(extra.iter().map(String::as_str));
        pair.both(&args);
        pair.same_file(&format!("{name}.png"));
        if !extra.iter().any(|a| a == "--preset" || a == "--window") {
            let npy = format!("{{out}}/{name}.npy");
            let frame: Vec<&str> = extra.iter().map(String::as_str).collect();
            let mut args = vec!["decode", input.as_str(), "--out", npy.as_str()];
            args.extend(frame);
            pair.both(&args);
            pair.same_file(&format!("{name}.npy"));
        }
    }

    // Decisions in the default store (beside the release), a reason in Chinese.
    let series_drop = "2.25.76790894914833540829967007743537682742";
    for set in [
        ["study", FOLLOW_UP_STUDY, "keep"],
        ["series", series_drop, "drop"],
    ] {
        let mut args = vec!["decide", "{root}", "--set"];
        args.extend(set);
        args.extend(["--reason", "追蹤 follow-up, 結節", "--reviewer", "王醫師"]);
        pair.both(&args);
    }
    for side in [&pair.linux, &pair.windows_unix] {
        let store = side.join(format!("lightbox/{RELEASE}.lightbox.sqlite"));
        assert!(store.is_file(), "no project store at {}", store.display());
    }
    assert_eq!(
        find_named(&pair.wine.roaming_app_data(), "lightbox"),
        Vec::<PathBuf>::new(),
        "the store fell back to %APPDATA%"
    );
    pair.both(&["decide", "{root}", "--export", "{out}/decisions.csv"]);
    pair.same_file("decisions.csv");

    // The keep-list and its summary; the list checks clean on Windows.
    pair.both(&[
        "takeout",
        "{root}",
        "--project-code",
        CODE,
        "--undecided",
        "drop",
        "--summary",
        "{out}/summary.csv",
    ]);
    let list = format!("TAKEOUT/{CODE}_{RELEASE}.csv");
    pair.same_release_file(&list);
    pair.same_file("summary.csv");
    let check = pair.wine.run_ok(&[
        "takeout",
        "--check",
        &format!("{root}\\TAKEOUT\\{CODE}_{RELEASE}.csv"),
        &root,
        "--project-code",
        CODE,
    ]);
    assert!(text(&check).starts_with("ok:"), "{}", text(&check));

    // Annotations: the shipped example in, every format out.
    pair.both(&[
        "annotations",
        "import",
        "{root}",
        "{rel}/annotations/example.json",
    ]);
    for format in ["lightbox", "coco", "labelme", "masks"] {
        let out = format!("{{out}}/{format}");
        pair.both(&[
            "annotations",
            "export",
            "{root}",
            "--format",
            format,
            "--out",
            &out,
        ]);
        let (l, w) = (
            tree(&pair.linux_out.join(format)),
            tree(&pair.windows_out.join(format)),
        );
        assert_eq!(
            l.iter().map(|f| &f.0).collect::<Vec<_>>(),
            w.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "annotations export --format {format}: file names"
        );
        assert!(!l.is_empty(), "{format}: nothing exported");
        for ((name, lb), (_, wb)) in l.iter().zip(&w) {
            assert_same_bytes(&format!("{format}/{name}"), lb, wb);
        }
    }

    // Pre-labelling: the JSON, then stored and accepted, then the decisions again.
    let rules = "{repo}/assets/rules/default.toml";
    let (l, w) = pair.both(&["prelabel", "{root}", "--rules", rules, "--json"]);
    assert!(text(&l).contains("\"proposals\""), "{}", text(&l));
    assert_same_bytes("prelabel --json", &l.stdout, &w.stdout);
    pair.both(&["prelabel", "{root}", "--rules", rules, "--apply"]);
    let (l, w) = pair.both(&["prelabel", "--accept-all", "{root}"]);
    assert_same_bytes("prelabel --accept-all", &l.stdout, &w.stdout);
    pair.both(&["decide", "{root}", "--export", "{out}/accepted.csv"]);
    pair.same_file("accepted.csv");

    eprintln!(
        "windows_cli: every verb matched in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The folders of a release path of 260+ characters: `D:\研究資料\<A>\<B>\release 1`.
/// `D:\研究資料\<A>` is 193 characters, so every path Wine's trace shows cut (past 200
/// characters) goes into `<B>`, and every such path is 260 characters or more.
fn long_release_folders() -> Vec<String> {
    let a = format!("{:-<185}", "long folder name for the MAX_PATH check ");
    let b = "第二層 資料夾 second level folder 長路徑測試 with enough characters to pass 260";
    ["研究資料", &a, b, "release 1"]
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

#[test]
fn long_and_verbatim_paths_give_the_same_bytes_and_reach_win32_as_verbatim() {
    let Some(exe) = windows_exe() else { return };
    let started = std::time::Instant::now();
    let folders = long_release_folders();
    let mut pair = Pair::new(
        &exe,
        &folders.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    pair.long_paths = Some(RefCell::new(Vec::new()));
    let root = pair.windows_root();
    assert_eq!(
        root.chars().count(),
        8 + 185 + 1 + folders[2].chars().count() + 10
    );
    assert!(root.encode_utf16().count() >= 260, "{root}");
    let verbatim = format!("\\\\?\\{root}");

    let (l, w) = pair.both(&["index", "{root}", "--json", "--no-cache"]);
    let linux_index = pair.normalised_linux(&l);
    assert_same_text(
        "index of the long path",
        &linux_index,
        &pair.normalised_windows(&w, &root),
    );
    let w = pair.run_windows(&["index", &verbatim, "--json"]);
    assert_same_text(
        "index of the \\\\?\\ path",
        &linux_index,
        &pair.normalised_windows(&w, &verbatim),
    );
    let (l, w) = pair.both(&["claims", "{root}", "--json"]);
    assert_same_text(
        "claims --json",
        &pair.normalised_linux(&l),
        &pair.normalised_windows(&w, &root),
    );

    let ct = "IMAGE/20210407_102537/ST0001/SE0002/IM0016.dcm";
    pair.both(&["render", &format!("{{rel}}/{ct}"), "--out", "{out}/ct.png"]);
    pair.same_file("ct.png");
    pair.both(&["decode", &format!("{{rel}}/{ct}"), "--out", "{out}/ct.npy"]);
    pair.same_file("ct.npy");
    let w = pair.run_windows(&[
        "render",
        &format!("{verbatim}\\{}", ct.replace('/', "\\")),
        "--out",
        &pair
            .wine
            .windows_path(&pair.windows_out.join("ct-verbatim.png")),
    ]);
    assert!(w.status.success());
    assert_same_bytes(
        "render of a \\\\?\\ path",
        &read(&pair.linux_out.join("ct.png")),
        &read(&pair.windows_out.join("ct-verbatim.png")),
    );

    // A decision through the plain path, exported through the \\?\ path: one store.
    pair.both(&[
        "decide",
        "{root}",
        "--set",
        "study",
        FOLLOW_UP_STUDY,
        "keep",
    ]);
    lightbox_ok(&[
        "decide",
        s(&pair.linux),
        "--export",
        s(&pair.linux_out.join("d.csv")),
    ]);
    pair.run_windows(&[
        "decide",
        &verbatim,
        "--export",
        &pair.wine.windows_path(&pair.windows_out.join("d.csv")),
    ]);
    pair.same_file("d.csv");
    let stores = find_named(&pair.windows_unix.join("lightbox"), ".lightbox.sqlite");
    assert_eq!(
        stores
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "sqlite"))
            .count(),
        1,
        "{stores:?}"
    );
    pair.both(&[
        "takeout",
        "{root}",
        "--project-code",
        CODE,
        "--undecided",
        "drop",
    ]);
    pair.same_release_file(&format!("TAKEOUT/{CODE}_{RELEASE}.csv"));

    // What Windows 10 would have refused: long paths given to Win32 without \\?\.
    let long_paths = pair.long_paths.take().expect("traced").into_inner();
    assert!(
        long_paths.iter().any(|p| p.verbatim),
        "the trace shows no long \\\\?\\ path: the MAX_PATH check saw nothing"
    );
    let refused: Vec<&LongPath> = long_paths.iter().filter(|p| !p.verbatim).collect();
    let mut runs: Vec<&str> = refused.iter().map(|p| p.run.as_str()).collect();
    runs.dedup();
    assert!(
        refused.is_empty(),
        "{} Win32 calls got a path of 260+ characters without \\\\?\\ (Windows 10 refuses \
         them unless long paths are enabled), in: {runs:#?}\nfirst: {}",
        refused.len(),
        refused.first().map_or("", |p| p.line.as_str())
    );
    eprintln!(
        "windows_cli: long and \\\\?\\ paths matched in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// `lightbox claims … --json | head -c 100` under Wine: the reader goes away while the exe
/// still has 80 KB to write (more than a pipe holds). On Windows that is a write error, on
/// which `println!` panicked (exit 101); the exe must end quietly, as on Unix.
#[test]
fn a_closed_pipe_ends_the_exe_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let Some(exe) = windows_exe() else { return };
    let wine = Wine::new(&exe);
    let sample = repo().join("sample-data");
    let mut child = wine
        .command()
        .args(["claims", &wine.windows_path(&sample), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wine runs");
    let mut head = [0u8; 100];
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_exact(&mut head)
        .expect("the first 100 bytes");
    // The read end is dropped here, as `head` closes it.
    let out = child.wait_with_output().expect("wine ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(head.starts_with(b"{"), "{}", String::from_utf8_lossy(&head));
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
