//! The viewer's shell stays in small rooms: no file in `app/gui/` over 800 lines and
//! no function there over 150 (issue 13). Function lengths come from the parsed
//! source (syn, with line spans), from the `fn` keyword to the closing brace, so a
//! doc comment does not count and a nested function counts in its parent too.
//!
//! `cargo test --test gui_limits -- --nocapture` prints the longest functions and
//! files, for the numbers in a note.

use std::path::{Path, PathBuf};

use syn::spanned::Spanned;
use syn::visit::Visit;

/// The most lines a file of the viewer may hold.
const MAX_FILE_LINES: usize = 800;
/// The most lines a function of the viewer may hold.
const MAX_FN_LINES: usize = 150;

/// One function: where it is and how long it is.
#[derive(Debug)]
struct FnLength {
    file: PathBuf,
    name: String,
    line: usize,
    lines: usize,
}

/// Collects every function with a body (free, inherent, trait impl, trait default).
struct Collector<'a> {
    file: &'a Path,
    found: Vec<FnLength>,
}

impl Collector<'_> {
    fn add(&mut self, name: &syn::Ident, start: proc_macro2::Span, block: &syn::Block) {
        let (first, last) = (start.start().line, block.span().end().line);
        self.found.push(FnLength {
            file: self.file.to_path_buf(),
            name: name.to_string(),
            line: first,
            lines: last + 1 - first,
        });
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.add(&f.sig.ident, f.sig.fn_token.span, &f.block);
        syn::visit::visit_item_fn(self, f);
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.add(&f.sig.ident, f.sig.fn_token.span, &f.block);
        syn::visit::visit_impl_item_fn(self, f);
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.add(&f.sig.ident, f.sig.fn_token.span, block);
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

/// The Rust files under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("readable app/gui"))
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// Each file's line count and every function's length.
fn measure(dir: &Path) -> (Vec<(PathBuf, usize)>, Vec<FnLength>) {
    let mut files = Vec::new();
    let mut fns = Vec::new();
    for path in rust_files(dir) {
        let text = std::fs::read_to_string(&path).expect("readable source");
        files.push((path.clone(), text.lines().count()));
        let parsed = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("{}: does not parse: {e}", path.display()));
        let mut c = Collector {
            file: &path,
            found: Vec::new(),
        };
        c.visit_file(&parsed);
        fns.extend(c.found);
    }
    (files, fns)
}

#[test]
fn the_viewer_has_no_file_over_800_lines_and_no_function_over_150() {
    let gui = Path::new(env!("CARGO_MANIFEST_DIR")).join("app/gui");
    let (mut files, mut fns) = measure(&gui);
    assert!(
        files.len() > 10 && fns.len() > 100,
        "found the viewer's sources"
    );
    files.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    fns.sort_by_key(|f| std::cmp::Reverse(f.lines));
    let total: usize = files.iter().map(|(_, n)| n).sum();
    println!("{} files, {total} lines; longest files:", files.len());
    for (path, n) in files.iter().take(8) {
        println!(
            "  {n:5}  {}",
            path.strip_prefix(&gui).unwrap_or(path).display()
        );
    }
    println!("{} functions; longest:", fns.len());
    for f in fns.iter().take(12) {
        let file = f.file.strip_prefix(&gui).unwrap_or(&f.file);
        println!("  {:5}  {}:{} {}", f.lines, file.display(), f.line, f.name);
    }
    let long_files: Vec<String> = files
        .iter()
        .filter(|(_, n)| *n > MAX_FILE_LINES)
        .map(|(p, n)| format!("{} ({n} lines)", p.display()))
        .collect();
    let long_fns: Vec<String> = fns
        .iter()
        .filter(|f| f.lines > MAX_FN_LINES)
        .map(|f| {
            format!(
                "{}:{} {} ({} lines)",
                f.file.display(),
                f.line,
                f.name,
                f.lines
            )
        })
        .collect();
    assert!(
        long_files.is_empty() && long_fns.is_empty(),
        "split these into smaller rooms (limits: {MAX_FILE_LINES} lines a file, \
         {MAX_FN_LINES} a function):\n{}\n{}",
        long_files.join("\n"),
        long_fns.join("\n")
    );
}

#[test]
fn the_measure_counts_lines_from_fn_to_the_closing_brace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = "/// doc\nfn three() {\n    let _ = 1;\n}\n\nstruct S;\nimpl S {\n    fn one(&self) {}\n}\ntrait T {\n    fn two() {\n    }\n    fn none();\n}\n";
    std::fs::write(dir.path().join("a.rs"), source).expect("write");
    let (files, fns) = measure(dir.path());
    assert_eq!(files[0].1, 14);
    let lengths: Vec<(&str, usize)> = fns.iter().map(|f| (f.name.as_str(), f.lines)).collect();
    assert_eq!(lengths, [("three", 3), ("one", 1), ("two", 2)]);
}
