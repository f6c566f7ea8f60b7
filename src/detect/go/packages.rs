//! The packages of the build's modules and the imports between them. Every file is read once and lexed only
//! up to its imports; the files of the chosen programs' import graphs are lexed whole afterwards, so a big
//! module costs little more than its package clauses.

use std::collections::{HashMap, VecDeque};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{bail, Result};

use super::super::lex::{self, GoHeader, Lexed};
use super::super::{join_rel, read_small_text, walk};
use super::{Module, RunTime};

/// How much of a file is read first: enough for the package clause and imports of nearly every file; the
/// rest is read only when the header goes on past it.
const HEADER_BYTES: u64 = 4 * 1024;

/// How much of the files' text a tree keeps from their first read (`GoFile::whole`).
const KEPT_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// One non-test Go file that a Linux build may compile (with some set of tags).
#[derive(Clone)]
pub(super) struct GoFile {
    /// Relative to the repository root.
    pub(super) rel: String,
    path: PathBuf,
    pub(super) header: GoHeader,
    /// The whole text when the first read reached the file's end (most files are shorter than `HEADER_BYTES`),
    /// so that lexing it whole does not open it again.
    whole: Option<Arc<str>>,
    /// What the file does at run time, read with the whole file once however many programs import it: shared
    /// by the trees of every set of tags.
    run_time: Arc<OnceLock<RunTime>>,
}

impl GoFile {
    /// What `Tree::lex_whole` read of the file (nothing before, or when it cannot be read).
    pub(super) fn run_time(&self) -> &RunTime {
        self.run_time.get_or_init(RunTime::default)
    }

    /// The whole file's text (`Tree::lex_whole` keeps none of its tokens, so a probe that needs them later
    /// lexes it again); None when it cannot be read.
    pub(super) fn text(&self) -> Option<Arc<str>> {
        self.whole.clone().or_else(|| read_small_text(&self.path).map(Arc::from))
    }
}

/// Where an import is.
#[derive(Clone, Copy)]
pub(super) struct Import<'a> {
    rel: &'a str,
    line: usize,
}

impl Import<'_> {
    /// `file.go:line`.
    pub(super) fn source(self) -> String {
        format!("{}:{}", self.rel, self.line)
    }
}

pub(super) use crate::knowledge::go::is_in_module;

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

    /// Every import of every file, with where it is (`Import::source` formats it only where it is said).
    pub(super) fn imports(&self) -> impl Iterator<Item = (&str, Import<'_>)> {
        self.files.iter().flat_map(|file| {
            file.header
                .imports()
                .map(move |(path, line)| (path, Import { rel: &file.rel, line }))
        })
    }
}

/// Every package of the build, in folder order.
pub(super) struct Tree {
    pub(super) packages: Vec<Package>,
    by_import: HashMap<String, usize>,
    /// How many Go files were read, for notes.
    pub(super) file_count: usize,
    /// Folders below the build's modules with a go.mod of their own (not part of this build), relative to
    /// the repository root.
    pub(super) nested_modules: Vec<String>,
    /// Said when a module had more Go files than one walk reads (`walk::MAX_FILES`).
    pub(super) cut: Vec<String>,
    /// Every file read, in walk order, with its folder and module, whether this tree's tags compile it or not:
    /// the tree of another set of tags is assembled from them without reading or lexing any file again.
    sources: Vec<Source>,
}

#[derive(Clone)]
struct Source {
    module: usize,
    dir: String,
    file: GoFile,
}

impl Tree {
    /// Reads every Go file of the modules that a Linux build with the custom `tags` compiles, each module
    /// stopping at nested modules. A folder that cannot be read is an error: the build context would not hold
    /// it either.
    pub(super) fn read(root: &Path, modules: &[Module], tags: &[String]) -> Result<Tree> {
        let mut sources = Vec::new();
        let mut buffer = Vec::new();
        let mut kept = 0;
        let mut nested_modules = Vec::new();
        let mut cut = Vec::new();
        for (index, module) in modules.iter().enumerate() {
            let module_root = root.join(&module.dir);
            // Nested modules are found among the walked files (their go.mod) rather than by a look-up in
            // every folder: a big module has hundreds of folders and few nested modules.
            let walked = walk::compiled_files(&module_root, &["go", "mod"], |_| false);
            cut.extend(walked.cut_warning(
                &module.dir,
                "Go",
                "pass --set main_package=./path/to/cmd and check the port (--port N)",
            ));
            if let Some(unreadable) = walked.unreadable.first() {
                bail!(
                    "{}",
                    join_rel(&module.dir, unreadable).replacen(": ", ": cannot read: ", 1)
                );
            }
            let nested: Vec<&Path> = walked
                .files
                .iter()
                .filter(|p| p.file_name().is_some_and(|n| n == "go.mod"))
                .filter_map(|p| p.parent())
                .filter(|dir| *dir != module_root)
                .collect();
            nested_modules.extend(
                nested
                    .iter()
                    .filter_map(|dir| dir.strip_prefix(root).ok())
                    .map(|dir| dir.to_string_lossy().replace('\\', "/")),
            );
            let paths = walked
                .files
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "go") && !nested.iter().any(|dir| p.starts_with(dir)));
            sources.extend(
                paths
                    .filter_map(|path| read_file(root, path, &mut buffer, &mut kept))
                    .map(|(dir, file)| Source { module: index, dir, file }),
            );
        }
        Ok(Tree::assemble(sources, modules, tags, nested_modules, cut))
    }

    /// The same files as a build with other `tags` compiles them: nothing is read again, and a file this tree
    /// lexed whole is not lexed again.
    pub(super) fn with_tags(&self, modules: &[Module], tags: &[String]) -> Tree {
        Tree::assemble(self.sources.clone(), modules, tags, self.nested_modules.clone(), self.cut.clone())
    }

    /// The packages of the files a Linux build with `tags` compiles, in walk order.
    fn assemble(sources: Vec<Source>, modules: &[Module], tags: &[String], nested_modules: Vec<String>, cut: Vec<String>) -> Tree {
        let mut packages: Vec<Package> = Vec::new();
        let mut by_dir: HashMap<&str, usize> = HashMap::new();
        let mut file_count = 0;
        for source in &sources {
            let file = &source.file;
            let file_name = file.rel.rsplit('/').next().unwrap_or(&file.rel);
            if !super::constraints::compiled_on_linux(file_name, &file.header.build_constraints, tags) {
                continue;
            }
            let Some((name, line)) = file.header.package.as_ref() else {
                continue;
            };
            file_count += 1;
            if let Some(&at) = by_dir.get(source.dir.as_str()) {
                packages[at].files.push(file.clone());
                continue;
            }
            let module = &modules[source.module];
            let dir = &source.dir;
            // The folder inside its module: `cmd/api` of module folder `svc` for `svc/cmd/api`.
            let inside = if module.dir == "." || *dir == module.dir {
                if *dir == module.dir {
                    "."
                } else {
                    dir.as_str()
                }
            } else {
                dir.strip_prefix(&format!("{}/", module.dir)).unwrap_or(dir)
            };
            let import_path = if inside == "." {
                module.path.clone()
            } else {
                format!("{}/{inside}", module.path)
            };
            by_dir.insert(dir, packages.len());
            packages.push(Package {
                dir: dir.clone(),
                name: name.clone(),
                clause: format!("{}:{line}", file.rel),
                import_path,
                module: source.module,
                files: vec![file.clone()],
            });
        }
        let by_import = packages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.import_path.clone(), i))
            .collect();
        Tree {
            packages,
            by_import,
            file_count,
            nested_modules,
            cut,
            sources,
        }
    }

    /// The package in folder `dir` (relative to the repository root).
    pub(super) fn package_in(&self, dir: &str) -> Option<usize> {
        self.packages.iter().position(|package| package.dir == dir)
    }

    /// Every file of the packages `graph`, in its order.
    pub(super) fn graph_files<'t>(&'t self, graph: &'t [usize]) -> impl Iterator<Item = &'t GoFile> {
        graph.iter().flat_map(|&index| self.packages[index].files.iter())
    }

    /// Whether an import path is a package of the build (the repository's own, not a dependency's).
    pub(super) fn has_package(&self, import_path: &str) -> bool {
        self.by_import.contains_key(import_path)
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

    /// Lexes the files of these packages whole (once each, split between threads: the result does not depend
    /// on how many) and keeps what `run_time` reads of each, not the tokens: a big program's tokens are many
    /// times its source. Generated schema code (`knowledge::go::generated_is_schema_code`; `module_paths`: the
    /// build's modules) is not read: it holds nothing `run_time` looks for, and is most of some modules.
    pub(super) fn lex_whole(
        &self,
        packages: &[usize],
        module_paths: &[&str],
        run_time: impl Fn(Lexed<'_>, &str) -> RunTime + Sync,
    ) {
        let mut wanted = packages.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut files: Vec<&GoFile> = self
            .packages
            .iter()
            .enumerate()
            .filter(|(index, _)| wanted.binary_search(index).is_ok())
            .flat_map(|(_, package)| package.files.iter())
            .filter(|file| file.run_time.get().is_none())
            .filter(|file| {
                let in_build = |path: &str| module_paths.iter().any(|module| is_in_module(path, module));
                let imports = file.header.imports().map(|(path, _)| path);
                !(file.header.generated && crate::knowledge::go::generated_is_schema_code(imports, in_build))
            })
            .collect();
        super::super::each_in_parallel(&mut files, |file| {
            file.run_time.get_or_init(|| {
                file.text()
                    .map(|text| run_time(lex::source(&text), &file.rel))
                    .unwrap_or_default()
            });
        });
    }
}

/// One file with its folder, or None for tests and files that are not
/// UTF-8 regular files of a sane size (go build reports those itself). `buffer` is reused between files: a
/// big module's files are read once each, and only up to their imports when those fit in `HEADER_BYTES`.
fn read_file(root: &Path, path: &Path, buffer: &mut Vec<u8>, kept: &mut u64) -> Option<(String, GoFile)> {
    let rel_path = path.strip_prefix(root).ok()?;
    let rel = rel_path.to_string_lossy().replace('\\', "/");
    if rel.ends_with("_test.go") {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > crate::files::MANIFEST_CAP {
        return None;
    }
    buffer.clear();
    (&mut file).take(HEADER_BYTES).read_to_end(buffer).ok()?;
    let mut header = lex_prefix(buffer)?;
    let mut at_end = (buffer.len() as u64) < HEADER_BYTES;
    if !header.reached_declarations && !at_end {
        file.read_to_end(buffer).ok()?;
        header = lex_prefix(buffer)?;
        at_end = true;
    }
    // Read as `read_small_text` would: the walk yields regular files inside the root, never links.
    // Kept within a budget: a huge module's texts are read again instead of held.
    let keep = at_end && *kept + buffer.len() as u64 <= KEPT_TEXT_BYTES;
    let whole = keep.then(|| std::str::from_utf8(buffer).ok().map(Arc::from)).flatten();
    if whole.is_some() {
        *kept += buffer.len() as u64;
    }
    let dir = match rel.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => ".".to_string(),
    };
    Some((
        dir,
        GoFile {
            rel,
            path: path.to_path_buf(),
            header,
            whole,
            run_time: Arc::default(),
        },
    ))
}

/// The header of text that may end mid-character (a cut read): lexed up to the last whole character. A
/// file that is not UTF-8 before that point is not Go source.
fn lex_prefix(bytes: &[u8]) -> Option<GoHeader> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // Only an incomplete character at the very end is a cut; anything else is not UTF-8.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    Some(lex::header(text).go_header())
}
