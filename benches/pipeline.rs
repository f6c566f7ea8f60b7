//! In-process cost of `dockgen init --stdout` (detect → answers → render) on each bundled example and on
//! monorepo-sized trees: the Go and the Node server examples, each with 200,000 files under `node_modules/`,
//! `vendor/` and `.git/`.
//! Run: `cargo bench --bench pipeline`; whole-process timing is `benches/large_tree.sh`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use dockgen::prompt::NonInteractive;
use dockgen::{answers, detect, preset, render};
use indexmap::IndexMap;

fn init_stdout(root: &Path, presets: &[preset::Preset]) -> usize {
    let detection = detect::detect(root).expect("detect");
    let candidate = &detection.candidates[0];
    let preset = preset::default_for(presets, candidate.stack, &candidate.values()).expect("preset");
    let resolved = answers::resolve(preset, Some(candidate), &IndexMap::new(), &mut NonInteractive).expect("answers");
    render::render(preset, &resolved.values)
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

criterion_group!(benches, bench);
criterion_main!(benches);
