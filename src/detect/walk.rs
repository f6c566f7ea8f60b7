//! The one place detection walks a tree. It never descends into dependency folders, VCS data or ignored
//! paths, so a repository with 200,000 files under `node_modules/` costs what the same repository costs without.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};

/// Folders that hold dependencies, VCS data or build output, never the project's own code to inspect.
const SKIPPED_DIRS: &[&str] = &["node_modules", "vendor", "testdata", "target", "dist", "build"];

/// The most files one walk collects: a tree with more of the extensions asked for is read in part, and the
/// detection that walked it says so (`Walked::cut`). Real projects stay far below (the largest in
/// docs/real-world.md has about 3,200 source files).
pub(crate) const MAX_FILES: usize = 20_000;

/// Source files found under a folder, and what could not be read on the way.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) unreadable: Vec<String>,
    /// The budget the walk stopped at (`MAX_FILES`): the files are the first ones in walking order, not all.
    pub(crate) cut: Option<usize>,
}

impl Walked {
    /// The warning for a cut walk: what was read, and the flag that settles what it could not.
    pub(crate) fn cut_warning(&self, dir: &str, what: &str, settle: &str) -> Option<String> {
        self.cut.map(|budget| {
            format!(
                "{dir}: more than {budget} {what} files; dockgen read the first {budget} and what it found may be \
                 incomplete: {settle}"
            )
        })
    }
}

/// Every file with one of the extensions `exts` under `dir`, in a stable order, skipping hidden, `_`-prefixed,
/// dependency and gitignored folders, and any folder for which `is_boundary` is true (a nested module).
pub(crate) fn files_with_extensions(
    dir: &Path,
    exts: &'static [&'static str],
    is_boundary: impl Fn(&Path) -> bool + Send + Sync + 'static,
) -> Walked {
    walk_at_most(dir, exts, is_boundary, MAX_FILES, true)
}

/// `files_with_extensions` for sources the build compiles whatever .gitignore says: the build context is not
/// filtered by it, and a line meant for a built binary (`agent`) also matches the committed `cmd/agent/`.
pub(crate) fn compiled_files(
    dir: &Path,
    exts: &'static [&'static str],
    is_boundary: impl Fn(&Path) -> bool + Send + Sync + 'static,
) -> Walked {
    walk_at_most(dir, exts, is_boundary, MAX_FILES, false)
}

fn walk_at_most(
    dir: &Path,
    exts: &'static [&'static str],
    is_boundary: impl Fn(&Path) -> bool + Send + Sync + 'static,
    max_files: usize,
    gitignore: bool,
) -> Walked {
    let root = dir.to_path_buf();
    let prefix = format!("{}/", dir.display());
    let found = std::sync::Mutex::new(Walked::default());
    // The parallel walker applies `filter_entry` before opening a folder; the sequential one opens every
    // folder first (it is built on walkdir), which would read node_modules/ just to skip it.
    WalkBuilder::new(dir)
        .threads(1)
        .hidden(true)
        .parents(false)
        .require_git(false)
        .git_ignore(gitignore)
        // The user's global excludes file (git's core.excludesFile) is this machine's, not the repository's.
        .git_global(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.path() == root {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !(name.starts_with('_') || SKIPPED_DIRS.contains(&name.as_ref()) || is_boundary(entry.path()))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let mut found = found.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if found.files.len() >= max_files {
                    found.cut = Some(max_files);
                    return WalkState::Quit;
                }
                match entry {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file && entry.path().extension().is_some_and(|e| exts.iter().any(|x| e == *x)) {
                            found.files.push(entry.into_path());
                        }
                    }
                    // Named relative to the walked folder: "cmd: Permission denied (os error 13)".
                    Err(err) => found.unreadable.push(err.to_string().replacen(&prefix, "", 1)),
                }
                WalkState::Continue
            })
        });
    let mut walked = found.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    walked.files.sort();
    walked.unreadable.sort();
    walked
}

/// How deep below the root `marker_folders` looks, and how many folders it names at most.
const MARKER_DEPTH: usize = 3;
const MAX_MARKER_FOLDERS: usize = 8;

/// Folders up to three levels below `dir` (skipping hidden, `_`-prefixed and dependency folders) holding one of
/// the `markers` files, with the first marker each holds: `src (go.mod)`. Read only when the root holds none, so
/// a refusal can name where the projects are.
pub(crate) fn marker_folders(dir: &Path, markers: &[&str]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut level: Vec<PathBuf> = vec![dir.to_path_buf()];
    for _ in 0..MARKER_DEPTH {
        let mut next = Vec::new();
        for folder in &level {
            let Ok(entries) = std::fs::read_dir(folder) else {
                continue;
            };
            let mut children: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
                .filter(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    !(name.starts_with(['.', '_']) || SKIPPED_DIRS.contains(&name.as_str()))
                })
                .map(|entry| entry.path())
                .take(MAX_FILES)
                .collect();
            children.sort();
            for child in children {
                if let Some(marker) = markers.iter().find(|m| child.join(m).is_file()) {
                    if found.len() < MAX_MARKER_FOLDERS {
                        let rel = child.strip_prefix(dir).unwrap_or(&child);
                        found.push((rel.to_string_lossy().replace('\\', "/"), (*marker).to_string()));
                    }
                } else {
                    next.push(child);
                }
            }
        }
        level = next;
    }
    found.sort();
    found
}

/// True when a .gitignore on the way to `target` (relative to `root`, the repository) ignores it: a local file
/// (a build output, a developer's `.env`), not the repository's.
pub(crate) fn is_gitignored(root: &Path, target: &str) -> bool {
    let full = root.join(target);
    let is_dir = full.is_dir();
    let mut dir = root.to_path_buf();
    let mut parts = target.split('/').peekable();
    loop {
        if let Some(gitignore) = gitignore_in(&dir) {
            if gitignore.matched_path_or_any_parents(&full, is_dir).is_ignore() {
                return true;
            }
        }
        let Some(part) = parts.next() else { return false };
        if parts.peek().is_none() {
            return false;
        }
        dir.push(part);
    }
}

/// The .gitignore files built so far by folder (None: none there, or unreadable), kept while a detection runs:
/// every embed, served folder and `.env` asks about the same few files. `forget_gitignores` empties it when a
/// detection starts and ends, so a file changed between two runs in one process is read again. Folders are
/// told apart as written (`app/.` is not `app` to a matcher, which strips its own root from the paths asked).
static GITIGNORES: Mutex<Option<HashMap<OsString, Option<Arc<Gitignore>>>>> = Mutex::new(None);

fn gitignore_in(dir: &Path) -> Option<Arc<Gitignore>> {
    let lock = || GITIGNORES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = lock().as_ref().and_then(|built| built.get(dir.as_os_str())) {
        return known.clone();
    }
    let ignore_file = dir.join(".gitignore");
    let gitignore = ignore_file.is_file().then(|| {
        let mut builder = GitignoreBuilder::new(dir);
        builder
            .add(&ignore_file)
            .is_none()
            .then(|| builder.build().ok())
            .flatten()
            .map(Arc::new)
    });
    let gitignore = gitignore.flatten();
    lock()
        .get_or_insert_with(HashMap::new)
        .insert(dir.as_os_str().to_owned(), gitignore.clone());
    gitignore
}

/// Forgets the .gitignore files built (see `GITIGNORES`).
pub(crate) fn forget_gitignores() {
    *GITIGNORES.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
}

#[cfg(test)]
mod tests {
    use super::{compiled_files, files_with_extensions, is_gitignored, marker_folders, walk_at_most};

    #[test]
    fn one_folder_written_two_ways_is_matched_by_its_own_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "dist/\n").unwrap();
        std::fs::create_dir(dir.path().join("dist")).unwrap();
        let _confined = crate::files::Confine::to(dir.path());
        assert!(is_gitignored(&dir.path().join("."), "dist"));
        assert!(is_gitignored(dir.path(), "dist"));
        assert!(!is_gitignored(dir.path(), "src"));
    }

    #[test]
    fn a_walk_stops_at_its_budget_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.go", "b.go", "c.go", "d.go", "e.txt"] {
            std::fs::write(dir.path().join(name), "package main\n").unwrap();
        }
        let all = walk_at_most(dir.path(), &["go"], |_| false, 10, true);
        assert_eq!((all.files.len(), all.cut), (4, None));
        assert_eq!(all.cut_warning("svc", "Go", "pass X"), None);
        let cut = walk_at_most(dir.path(), &["go"], |_| false, 3, true);
        assert_eq!((cut.files.len(), cut.cut), (3, Some(3)));
        assert_eq!(
            cut.cut_warning("svc", "Go", "pass X").unwrap(),
            "svc: more than 3 Go files; dockgen read the first 3 and what it found may be incomplete: pass X"
        );
    }

    #[test]
    fn projects_three_levels_down_are_named() {
        let dir = tempfile::tempdir().unwrap();
        for (folder, marker) in [
            ("go/src/catan", "go.mod"),
            ("next/src/catan", "package.json"),
            ("a/b/c/d", "go.mod"),
        ] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
            std::fs::write(dir.path().join(folder).join(marker), "").unwrap();
        }
        let found = marker_folders(dir.path(), &["go.mod", "package.json"]);
        assert_eq!(
            found,
            [
                ("go/src/catan".to_string(), "go.mod".to_string()),
                ("next/src/catan".into(), "package.json".into())
            ]
        );
    }

    #[test]
    fn compiled_sources_are_walked_whatever_gitignore_says() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cmd/agent")).unwrap();
        std::fs::write(dir.path().join("cmd/agent/main.go"), "package main\n").unwrap();
        std::fs::write(dir.path().join(".gitignore"), "agent\n").unwrap();
        assert!(files_with_extensions(dir.path(), &["go"], |_| false).files.is_empty());
        assert_eq!(compiled_files(dir.path(), &["go"], |_| false).files.len(), 1);
    }
}
