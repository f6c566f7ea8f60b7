//! The packages of the build's modules and the imports between them. Every file is read once and lexed only
//! up to its imports; the files of the chosen programs' import graphs are lexed whole afterwards, so a big
//! module costs little more than its package clauses.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use anyhow::{bail, Result};

use super::super::gosrc::{self, Lexed};
use super::super::{join_rel, read_small_text, walk};
use super::Module;

/// One non-test Go file that takes part in builds.
pub(super) struct GoFile {
    /// Relative to the repository root.
    pub(super) rel: String,
    text: String,
    pub(super) header: Lexed,
    /// The whole file, once `Tree::lex_whole` has read it.
    whole: Option<Lexed>,
}

impl GoFile {
    /// The whole file's tokens; the header only when `Tree::lex_whole` did not cover it.
    pub(super) fn lexed(&self) -> &Lexed {
        self.whole.as_ref().unwrap_or(&self.header)
    }
}

/// A folder of Go files with one package clause.
pub(super) struct Package {
    /// Relative to the repository root, "." for the root.
    pub(super) dir: String,
    pub(super) name: String,
    /// `file.go:line` of the package clause of the first file.
    pub(super) clause: String,
    /// The import path: the module path joined with the folder inside the module.
    pub(super) import_path: String,
    /// The module the package belongs to (index into the build's modules).
    pub(super) module: usize,
    pub(super) files: Vec<GoFile>,
}

impl Package {
    pub(super) fn is_main(&self) -> bool {
        self.name == "main"
    }

    /// Every import of every file, with its `file.go:line`.
    pub(super) fn imports(&self) -> impl Iterator<Item = (&str, String)> {
        self.files.iter().flat_map(|file| {
            file.header
                .imports()
                .into_iter()
                .map(move |(path, line)| (path, format!("{}:{line}", file.rel)))
        })
    }
}

/// Every package of the build, in folder order.
pub(super) struct Tree {
    pub(super) packages: Vec<Package>,
    by_import: HashMap<String, usize>,
    /// How many Go files were read, for notes.
    pub(super) file_count: usize,
}

impl Tree {
    /// Reads every buildable Go file of the modules, each module stopping at nested modules. A folder that
    /// cannot be read is an error: the build context would not hold it either.
    pub(super) fn read(root: &Path, modules: &[Module]) -> Result<Tree> {
        let mut packages: Vec<Package> = Vec::new();
        let mut by_dir: HashMap<String, usize> = HashMap::new();
        let mut file_count = 0;
        for (index, module) in modules.iter().enumerate() {
            let module_root = root.join(&module.dir);
            let boundary_root = module_root.clone();
            let walked = walk::files_with_extensions(&module_root, &["go"], move |dir| {
                dir != boundary_root && dir.join("go.mod").is_file()
            });
            if let Some(unreadable) = walked.unreadable.first() {
                bail!(
                    "{}",
                    join_rel(&module.dir, unreadable).replacen(": ", ": cannot read: ", 1)
                );
            }
            for path in walked.files {
                let Some((dir, file)) = read_file(root, &path) else {
                    continue;
                };
                let Some((name, line)) = file.header.package().map(|(n, l)| (n.to_string(), l)) else {
                    continue;
                };
                file_count += 1;
                if let Some(&at) = by_dir.get(&dir) {
                    packages[at].files.push(file);
                    continue;
                }
                // The folder inside its module: `cmd/api` of module folder `svc` for `svc/cmd/api`.
                let inside = if module.dir == "." || dir == module.dir {
                    if dir == module.dir {
                        "."
                    } else {
                        dir.as_str()
                    }
                } else {
                    dir.strip_prefix(&format!("{}/", module.dir)).unwrap_or(&dir)
                };
                let import_path = if inside == "." {
                    module.path.clone()
                } else {
                    format!("{}/{inside}", module.path)
                };
                by_dir.insert(dir.clone(), packages.len());
                packages.push(Package {
                    dir,
                    name,
                    clause: format!("{}:{line}", file.rel),
                    import_path,
                    module: index,
                    files: vec![file],
                });
            }
        }
        let by_import = packages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.import_path.clone(), i))
            .collect();
        Ok(Tree {
            packages,
            by_import,
            file_count,
        })
    }

    /// The package `index` and every package of the build it imports, directly or not, nearest first.
    pub(super) fn graph(&self, index: usize) -> Vec<usize> {
        let mut seen = vec![false; self.packages.len()];
        let mut order = Vec::new();
        let mut queue = VecDeque::from([index]);
        seen[index] = true;
        while let Some(at) = queue.pop_front() {
            order.push(at);
            for (path, _) in self.packages[at].imports() {
                if let Some(&next) = self.by_import.get(path) {
                    if !seen[next] {
                        seen[next] = true;
                        queue.push_back(next);
                    }
                }
            }
        }
        order
    }

    /// Lexes the files of these packages whole (once each), for the probes that read past the imports.
    pub(super) fn lex_whole(&mut self, packages: &[usize]) {
        for &index in packages {
            for file in &mut self.packages[index].files {
                if file.whole.is_none() {
                    file.whole = Some(gosrc::lex(&file.text));
                }
            }
        }
    }
}

/// One file with its folder, or None for tests, files a Linux build does not compile, and files that are not
/// UTF-8 regular files of a sane size (go build reports those itself).
fn read_file(root: &Path, path: &Path) -> Option<(String, GoFile)> {
    let rel_path = path.strip_prefix(root).ok()?;
    let rel = rel_path.to_string_lossy().replace('\\', "/");
    if rel.ends_with("_test.go") {
        return None;
    }
    let text = read_small_text(path)?;
    let header = gosrc::lex_header(&text);
    let file_name = rel.rsplit('/').next().unwrap_or(&rel);
    if !super::constraints::compiled_on_linux(file_name, &header.build_constraints) {
        return None;
    }
    let dir = match rel.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => ".".to_string(),
    };
    Some((
        dir,
        GoFile {
            rel,
            text,
            header,
            whole: None,
        },
    ))
}
