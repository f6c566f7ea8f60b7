//! In-process cost of `dockgen init --stdout` (detect → answers → render) on each bundled example and on
//! monorepo-sized trees: the Go and the Node server examples, each with 200,000 files under `node_modules/`,
//! `vendor/` and `.git/`.
//! Detection alone is also timed on a big Go module (520 packages, over 7 MB of Go, one program importing a
//! few of them) against the go-http example: only the program's import graph is read past its imports.
//! Run: `cargo bench --bench pipeline`; whole-process timing is `benches/large_tree.sh`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use dockgen::prompt::NonInteractive;
use dockgen::{answers, detect, plan, preset, render};
use indexmap::IndexMap;

fn init_stdout(root: &Path, presets: &[preset::Preset]) -> usize {
    let detection = detect::detect(root).expect("detect");
    let candidate = &detection.candidates[0];
    let preset = preset::default_for(presets, candidate.stack, &candidate.values()).expect("preset");
    let resolved = answers::resolve(preset, Some(candidate), &IndexMap::new(), &mut NonInteractive).expect("answers");
    render::render(preset, &plan::derive(preset, &resolved.values))
        .expect("render")
        .dockerfile
        .len()
}

/// `examples/<example>` plus `files` files split between `node_modules/`, `vendor/` and `.git/` (100 per folder).
fn monorepo(example: &str, files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(example),
        dir.path(),
    );
    for (top, share) in [("node_modules", 8), (".git/objects", 1), ("vendor/github.com", 1)] {
        let count = files * share / 10;
        for start in (0..count).step_by(100) {
            let folder: PathBuf = dir.path().join(top).join(format!("d{}", start / 100));
            std::fs::create_dir_all(&folder).expect("mkdir");
            for i in start..(start + 100).min(count) {
                let name = if i % 10 == 0 {
                    format!("f{i}.go")
                } else {
                    format!("f{i}.js")
                };
                std::fs::write(folder.join(name), "package p\n").expect("write");
            }
        }
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("example") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

fn bench(c: &mut Criterion) {
    let presets = preset::builtin().expect("presets");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut group = c.benchmark_group("init --stdout");
    group.sample_size(50);
    for name in ["go-http", "java-maven", "node-spa", "node-server", "node-nextjs"] {
        let root = examples.join(name);
        group.bench_function(name, |b| b.iter(|| black_box(init_stdout(&root, &presets))));
    }
    for name in ["go-http", "node-server"] {
        let large = monorepo(name, 200_000);
        group.bench_function(format!("{name} + 200,000 files in node_modules, vendor, .git"), |b| {
            b.iter(|| black_box(init_stdout(large.path(), &presets)));
        });
    }
    group.finish();
}

/// Packages in the generated module, and how many of them the program imports.
const BIG_PACKAGES: usize = 520;
const IMPORTED: usize = 6;

/// A Go module shaped like a big service repository: `cmd/big` (a server) importing a few of
/// `internal/p000`..`internal/p519`, each a ~14 KB file of functions, comments and string literals.
fn big_go_module() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(root.join("go.mod"), "module example.com/big\n\ngo 1.26\n").expect("go.mod");
    let mut body = String::new();
    for f in 0..40 {
        let _ = write!(
            body,
            "// Handle{f} answers request kind {f}; it mentions ListenAndServe(\":9{f:03}\") only in a comment.\n\
             func Handle{f}(input string) (string, error) {{\n\
             \tif input == \"\" {{\n\t\treturn \"\", fmt.Errorf(\"kind {f}: empty input at %s\", \"handler\")\n\t}}\n\
             \tparts := strings.Split(input, \",\")\n\tfor i, p := range parts {{\n\t\tparts[i] = strings.TrimSpace(p) + \"-{f}\"\n\t}}\n\
             \treturn strings.Join(parts, \";\"), nil\n}}\n\n"
        );
    }
    for p in 0..BIG_PACKAGES {
        let folder = root.join(format!("internal/p{p:03}"));
        std::fs::create_dir_all(&folder).expect("mkdir");
        let text = format!("package p{p:03}\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\n{body}");
        std::fs::write(folder.join("handlers.go"), text).expect("write");
    }
    let mut imports = String::new();
    for p in 0..IMPORTED {
        let _ = writeln!(imports, "\t_ \"example.com/big/internal/p{p:03}\"");
    }
    std::fs::create_dir_all(root.join("cmd/big")).expect("mkdir");
    std::fs::write(
        root.join("cmd/big/main.go"),
        format!("package main\n\nimport (\n\t\"net/http\"\n{imports})\n\nfunc main() {{ _ = http.ListenAndServe(\":8080\", nil) }}\n"),
    )
    .expect("main.go");
    dir
}

fn bench_detect(c: &mut Criterion) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/go-http");
    let big = big_go_module();
    let go_bytes: u64 = walk_sizes(big.path());
    eprintln!("big Go module: {BIG_PACKAGES} packages, {go_bytes} bytes of Go");
    let mut group = c.benchmark_group("detect");
    group.sample_size(50);
    group.bench_function("go-http", |b| {
        b.iter(|| black_box(detect::detect(&example).expect("detect")));
    });
    group.bench_function(
        format!("go module: {BIG_PACKAGES} packages, {} MB", go_bytes / 1_000_000),
        |b| {
            b.iter(|| black_box(detect::detect(big.path()).expect("detect")));
        },
    );
    group.finish();
}

fn walk_sizes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                walk_sizes(&e.path())
            } else {
                e.metadata().expect("meta").len()
            }
        })
        .sum()
}

criterion_group!(benches, bench, bench_detect);
criterion_main!(benches);
