//! The one place detection walks a tree. It never descends into dependency folders, VCS data or ignored
//! paths, so a repository with 200,000 files under `node_modules/` costs what the same repository costs without.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// Folders that hold dependencies, VCS data or build output, never the project's own code to inspect.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "testdata",
    "target",
    "dist",
    "build",
];

/// Source files found under a folder, and what could not be read on the way.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) unreadable: Vec<String>,
}

/// Every file with the extension `ext` under `dir`, in a stable order, skipping hidden, `_`-prefixed,
/// dependency and gitignored folders, and any folder for which `is_boundary` is true (a nested module).
pub(crate) fn files_with_extension(
    dir: &Path,
    ext: &str,
    is_boundary: impl Fn(&Path) -> bool + Send + Sync + 'static,
) -> Walked {
    let root = dir.to_path_buf();
    let mut walked = Walked::default();
    let entries = WalkBuilder::new(dir)
        .hidden(true)
        .parents(false)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.path() == root {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !(name.starts_with('_')
                || SKIPPED_DIRS.contains(&name.as_ref())
                || is_boundary(entry.path()))
        })
        .build();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && entry.path().extension().is_some_and(|e| e == ext) {
                    walked.files.push(entry.into_path());
                }
            }
            Err(err) => walked.unreadable.push(err.to_string()),
        }
    }
    walked
}
