//! What a server reads at run time, so that its image ships that and not the tests, docs and tooling beside
//! it: the modules its entry loads (relative imports and requires, followed), the paths its code names
//! (`path.join(__dirname, '../views')`, `express.static('public')`), the folders servers read by convention and
//! what its dependencies read (knowledge/node/runtime.toml).

use std::collections::{BTreeMap, HashSet, VecDeque};

use super::js::eval::{join, Static};
use super::js::imports::{references, References, Written};
use super::listen::{is_fastify_app, is_test_or_tooling, listen_in_source, Found, Listen};
use super::{read_source, App};
use crate::knowledge::node;
/// A module graph larger than this is not followed to its end: the whole folder ships.
const MAX_MODULES: usize = 2000;

/// What node loads for a specifier without an extension, in the order it tries them; TypeScript's for sources
/// run as they are or compiled beside themselves.
const EXTENSIONS: &[&str] = &[
    ".js", ".mjs", ".cjs", ".json", ".node", ".ts", ".mts", ".cts", ".tsx", ".jsx",
];

/// Sources node does not run as they are: a build compiles them.
const COMPILED_EXTENSIONS: &[&str] = &["ts", "mts", "cts", "tsx", "jsx"];

/// Files the walk parses for more loads.
pub(super) const SOURCE_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"];

/// Where a walk starts and what it ships.
pub(super) struct Walk<'w> {
    /// What node runs first (the entry, `-r`/`--import` preloads), relative to the app.
    pub(super) entries: Vec<String>,
    /// Folders the build writes: absent from the repository, present at run time.
    pub(super) outputs: &'w [String],
    pub(super) ships: Ships,
    /// Sources compiled into an output folder: (source root, output folder). `__dirname` in a source is its
    /// compiled file's folder at run time (`src/app.ts` → `dist/`, `server/x.ts` → `build/server/`).
    pub(super) layout: Option<(String, String)>,
}

/// What of the modules reached and the paths they name ships.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ships {
    /// The top-level file or folder of each module and named path, and the conventional folders (a server run
    /// from its sources).
    TopLevel,
    /// The top-level file or folder of each named path and the conventional folders, not the modules: they are
    /// compiled into an output folder that ships instead.
    NamedPaths,
    /// The modules and named paths themselves, nothing by convention (a config and what it imports).
    Files,
}

/// What a walk found.
#[derive(Debug, Default)]
pub(super) struct RunFiles {
    /// Files and folders of the app to ship, each with why (`app.js:3 loads ./config/passport`).
    pub(super) shipped: BTreeMap<String, String>,
    /// Loads that cannot be followed (`server.js:12`): what they load is only known at run time.
    pub(super) unfollowed: Vec<String>,
    /// Secrets the code names (`.env.production`), kept out of the image, with where.
    pub(super) secrets: Vec<(String, String)>,
    /// Folders the code writes to, relative to the working directory (`.` for itself) or absolute, with why
    /// (`server.js:5 writes data/app.db`).
    pub(super) written: BTreeMap<String, String>,
    /// Files the code writes, relative to the working directory or absolute (`data/app.db`).
    pub(super) written_files: std::collections::BTreeSet<String>,
    /// Programs the code starts that runtime images lack, with where (`server.js:4`).
    pub(super) programs: BTreeMap<String, String>,
    /// Packages the code loads that only devDependencies declare (the image installs production ones), with
    /// where (`src/index.js:1`).
    pub(super) dev_only: BTreeMap<String, String>,
    /// Paths the code names that neither the repository nor the app's build makes (`client/build`, which another
    /// package.json builds), with where (`server.js:12`).
    pub(super) absent: BTreeMap<String, String>,
    /// What the modules followed say about listening (those that say something), with their paths.
    listening: Found,
    /// Modules loaded from a folder by a computed name (`autoload({ dir: … })`): shipped and followed, but which of
    /// them run is only known at run time, so what they say about listening is not taken.
    loads_folders: bool,
    /// Where a static file server is given the app's own folder (`express.static('./')`): any file of it may
    /// be asked for, so the whole folder ships.
    serves_app: Option<String>,
    /// How many modules were parsed.
    parsed: usize,
    /// Files and folders of the sources a compiled program reads from the output folder (a JSON file it imports,
    /// a folder it reads by `__dirname`), by where it reads them (`dist/data`): the compiler may not write them
    /// there (see `assets`).
    pub(super) assets: BTreeMap<String, Asset>,
}

/// A source file or folder a compiled program reads from its output folder.
#[derive(Debug)]
pub(super) struct Asset {
    /// Where it is in the sources (`src/data`).
    pub(super) source: String,
    /// Loaded as a module (`import seed from './data.json'`) rather than read by path.
    pub(super) imported: bool,
    /// Where the code reads it (`src/index.ts:5 names dist/data`).
    pub(super) why: String,
}

impl RunFiles {
    fn ship(&mut self, path: &str, why: impl FnOnce() -> String) {
        if path.is_empty() || self.shipped.contains_key(path) {
            return;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        if node::runtime().is_secret(name) {
            if !self.secrets.iter().any(|(p, _)| p == path) {
                self.secrets.push((path.to_string(), why()));
            }
            return;
        }
        self.shipped.insert(path.to_string(), why());
    }

    /// Why the walk's list cannot be used as it is: loads named only at run time, a static file server of the
    /// app's own folder, or names a COPY line cannot hold (spaces, quotes, `$`); then the whole folder ships.
    pub(super) fn unusable(&self) -> Option<String> {
        if !self.unfollowed.is_empty() {
            return Some(format!("loads named only at run time ({})", self.unfollowed.join(", ")));
        }
        if let Some(at) = &self.serves_app {
            return Some(format!("{at} serves the files of the app's own folder"));
        }
        self.odd_names()
    }

    /// What the server's modules say about listening, in path order, when its import graph was followed to
    /// its end: every load named in the code, none from a folder by a computed name, every module parsed.
    pub(super) fn take_listening(&mut self) -> Option<Found> {
        if !self.unfollowed.is_empty() || self.loads_folders || self.parsed == 0 {
            return None;
        }
        let mut found = std::mem::take(&mut self.listening);
        // As the walk over the sources orders them.
        found.sort_by(|(_, a), (_, b)| std::path::Path::new(a).cmp(std::path::Path::new(b)));
        Some(found)
    }

    /// Shipped names a COPY line cannot hold (spaces, quotes, `$`), said as a reason.
    pub(super) fn odd_names(&self) -> Option<String> {
        let odd: Vec<&str> = self
            .shipped
            .keys()
            .map(String::as_str)
            .filter(|p| crate::validate::context_path(p).is_err())
            .collect();
        (!odd.is_empty()).then(|| format!("names dockgen does not write into a COPY line ({})", odd.join(", ")))
    }

    /// The paths to ship: `leading` in its order (each with why, when the walk did not find it), then every
    /// path the walk found; and the evidence, one entry per path that has some.
    pub(super) fn listing(&self, leading: &[(&str, Option<&str>)]) -> (Vec<String>, String) {
        let mut files = Vec::new();
        let mut evidence = Vec::new();
        let found = self
            .shipped
            .iter()
            .map(|(path, why)| (path.as_str(), Some(why.as_str())));
        for (path, given) in leading.iter().copied().chain(found) {
            if files.iter().any(|f| f == path) {
                continue;
            }
            files.push(path.to_string());
            if let Some(why) = self.shipped.get(path).map(String::as_str).or(given) {
                evidence.push(format!("{path}: {why}"));
            }
        }
        (files, evidence.join("; "))
    }
}

/// Follows the entries' loads and collects what the server reads at run time.
pub(super) fn run_files(app: &App, walk: &Walk) -> RunFiles {
    let mut found = RunFiles::default();
    // Each file with why it is loaded, and whether every load on the way there is eager (no `import()`).
    let mut queue: VecDeque<(String, String, bool)> = walk
        .entries
        .iter()
        .map(|entry| (entry.clone(), "what node runs".to_string(), true))
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let top = |path: &str| top_of(walk, path);
    let fastify = is_fastify_app(app);
    let graph = Graph {
        app,
        walk,
        aliases: super::tsconfig::path_aliases(app),
        folders: Folders::of(app.path("")),
    };
    // The graph is followed a level at a time: the files of a level are read and parsed on every core, then
    // taken in queue order, which is the order one file at a time would take them in.
    let mut level: Vec<(String, String, bool)> = Vec::new();
    let mut parsed: Vec<(std::path::PathBuf, String, Parsed)> = Vec::new();
    let mut cut = false;
    while !queue.is_empty() && !cut {
        level.clear();
        for (file, why, eager) in queue.drain(..) {
            if !seen.insert(file.clone()) {
                continue;
            }
            if seen.len() > MAX_MODULES {
                cut = true;
                break;
            }
            level.push((file, why, eager));
        }
        // Read apart from `app`, which keeps caches of its own.
        parsed.extend(level.iter().map(|(file, ..)| (app.path(file), file.clone(), Parsed::NotRead)));
        crate::detect::each_in_parallel(&mut parsed, |(path, file, read)| *read = Parsed::of(path, file, fastify));
        for (module, (_, _, read)) in level.drain(..).zip(parsed.drain(..)) {
            follow(&graph, &top, module, read, &mut queue, &mut found);
        }
    }
    if cut {
        found.unfollowed.push(format!("more than {MAX_MODULES} modules"));
    }
    if walk.ships != Ships::Files {
        conventional(app, walk.outputs, &mut found);
    }
    found
}

/// What reading one module of the graph gives, worked out apart from the others.
enum Parsed {
    NotRead,
    /// Not a source node parses (a JSON file, an image).
    NotSource,
    Unreadable,
    Unparsable,
    Read {
        refs: Box<References>,
        listen: Option<Listen>,
    },
}

impl Parsed {
    fn of(path: &std::path::Path, file: &str, fastify: bool) -> Parsed {
        // A file without an extension (a package's `bin/` script) is CommonJS to node.
        let extension = std::path::Path::new(file).extension();
        let parses = extension.is_none_or(|e| SOURCE_EXTENSIONS.iter().any(|s| e.eq_ignore_ascii_case(s)));
        if !parses {
            return Parsed::NotSource;
        }
        let Some(text) = read_source(path) else {
            return Parsed::Unreadable;
        };
        let Some(refs) = references(&text, file) else {
            return Parsed::Unparsable;
        };
        // Whatever the program imports runs in it (bun runs TSX, a Hono server renders JSX): every source is
        // read for listening, not only the extensions the whole-app scan reads.
        let listen = (!is_test_or_tooling(file))
            .then(|| listen_in_source(&text, fastify))
            .filter(|listen| *listen != Listen::default());
        Parsed::Read {
            refs: Box::new(refs),
            listen,
        }
    }
}

/// What a walk reads the graph with: the app, the walk, and the tsconfig's import aliases (`@/*`).
struct Graph<'g> {
    app: &'g App<'g>,
    walk: &'g Walk<'g>,
    aliases: Vec<(String, Vec<String>)>,
    folders: Folders,
}

impl Graph<'_> {
    /// `resolve`, with each folder's files listed once for the whole walk.
    fn resolve(&self, target: &str) -> Option<String> {
        resolve_with(target, |rel| self.folders.has_file(rel))
    }
}

/// Folders of the app with their files, each listed once: resolving one load tries up to a dozen names (each
/// extension, a TypeScript source, a folder's `index`), and every package an alias could map asks too.
struct Folders {
    /// The app's folder.
    root: std::path::PathBuf,
    listed: std::cell::RefCell<rustc_hash::FxHashMap<String, Listing>>,
}

enum Listing {
    /// The names of the folder's files (links to files too, as `Path::is_file` follows links).
    Files(rustc_hash::FxHashSet<String>),
    /// No such folder, or not one that can be read.
    Missing,
    /// Too many entries to list for a few names: each is asked of the file system.
    Large,
}

/// A folder with more entries than this is not listed (`Listing::Large`).
const MAX_LISTED: usize = 4096;

impl Folders {
    fn of(root: std::path::PathBuf) -> Self {
        Folders {
            root,
            listed: std::cell::RefCell::default(),
        }
    }

    /// Whether the app has a file at `rel`, as `is_file` of its path says.
    fn has_file(&self, rel: &str) -> bool {
        let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        // A path not in its plain form is asked as it is.
        let plain = |part: &str| !matches!(part, "" | "." | "..");
        if !plain(name) || (!folder.is_empty() && !folder.split('/').all(plain)) {
            return self.root.join(rel).is_file();
        }
        let mut folders = self.listed.borrow_mut();
        if !folders.contains_key(folder) {
            folders.insert(folder.to_string(), list(&self.root.join(folder)));
        }
        match &folders[folder] {
            Listing::Files(names) => names.contains(name),
            Listing::Missing => false,
            Listing::Large => self.root.join(rel).is_file(),
        }
    }
}

fn list(dir: &std::path::Path) -> Listing {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Listing::Missing;
    };
    let mut names = rustc_hash::FxHashSet::default();
    for (count, entry) in entries.enumerate() {
        if count >= MAX_LISTED {
            return Listing::Large;
        }
        let Ok(entry) = entry else { continue };
        let is_file = entry.file_type().is_ok_and(|kind| {
            kind.is_file() || kind.is_symlink() && std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file())
        });
        if let (true, Ok(name)) = (is_file, entry.file_name().into_string()) {
            names.insert(name);
        }
    }
    Listing::Files(names)
}

/// One module of the graph taken in: what it ships, loads, reads, runs and writes, and the modules it loads
/// queued.
fn follow(
    graph: &Graph,
    top: &impl Fn(&str) -> String,
    (file, why, eager): (String, String, bool),
    parsed: Parsed,
    queue: &mut VecDeque<(String, String, bool)>,
    found: &mut RunFiles,
) {
    let (app, walk) = (graph.app, graph.walk);
    if walk.ships != Ships::NamedPaths {
        found.ship(&top(&file), || why);
    }
    let shown = app.file(&file);
    let refs = match parsed {
        Parsed::NotRead | Parsed::NotSource | Parsed::Unreadable => return,
        Parsed::Unparsable => {
            found.unfollowed.push(format!("{shown} (does not parse)"));
            return;
        }
        Parsed::Read { refs, listen } => {
            found.parsed += 1;
            if let Some(listen) = listen {
                found.listening.push((listen, file.clone()));
            }
            refs
        }
    };
        let folder = file.rsplit_once('/').map(|(f, _)| f.to_string()).unwrap_or_default();
        let run_folder = run_folder_of(walk, &folder);
        let imports_folder_loader = refs.modules.iter().any(|(specifier, _)| {
            package_name(specifier).is_some_and(|p| node::runtime().files.folder_loaders.iter().any(|l| l == p))
        });
        for (index, (specifier, line)) in refs.modules.into_iter().enumerate() {
            let eager = eager && !refs.lazy.contains(&index);
            let why = || format!("{shown}:{line} loads {specifier}");
            let relative = specifier.starts_with("./") || specifier.starts_with("../") || specifier == "." || specifier == "..";
            // An alias of the tsconfig (`@/db/index`) is the file it maps to, which tsx and bundlers load.
            let target = match super::tsconfig::aliased(&graph.aliases, &specifier).find(|t| graph.resolve(t).is_some()) {
                Some(aliased) => aliased,
                None if relative => join(&folder, &specifier),
                None => {
                    // A package, a built-in, an absolute path: not the app's files. A package only
                    // devDependencies declare is not in the image: said when every load on the way is eager (an
                    // `import()` is often on a development path: a dev server, test mocks).
                    if let Some(package) = package_name(&specifier).filter(|p| eager && app.is_dev_only(p)) {
                        found.dev_only.entry(package.to_string()).or_insert_with(|| format!("{shown}:{line}"));
                    }
                    continue;
                }
            };
            if target.starts_with("..") {
                continue; // outside the app: a workspace package (shipped as one) or nothing the image holds
            }
            match graph.resolve(&target) {
                Some(resolved) => {
                    if !is_source(&resolved) {
                        note_asset(walk, found, &resolved, true, why);
                    }
                    queue.push_back((resolved, why(), eager));
                }
                None if walk.outputs.iter().any(|o| under(&target, o)) => found.ship(&top(&target), why),
                None => {}
            }
        }
        for (known, line) in refs.dynamic {
            let folder_read = match known {
                Some(Static::Here(rel)) => Some(join(&run_folder, &rel)),
                Some(Static::Cwd(rel)) => Some(join("", &rel)),
                Some(Static::Text(rel)) if rel.starts_with('.') => Some(join(&folder, &rel)),
                _ => None,
            };
            match folder_read.filter(|p| !p.is_empty() && !p.starts_with("..")) {
                Some(path) => {
                    found.loads_folders = true;
                    found.ship(&top(&path), || format!("{shown}:{line} loads modules from {path}"));
                    queue_folder_modules(app, &path, &format!("{shown}:{line} loads modules from {path}"), eager, queue);
                }
                None => found.unfollowed.push(format!("{shown}:{line}")),
            }
        }
        if imports_folder_loader {
            queue_named_folders(app, &refs.paths, (&run_folder, &shown), eager, queue);
        }
        ship_named_paths(app, walk, found, refs.paths, (&folder, &run_folder), &shown);
        for (program, line) in refs.runs {
            found.programs.entry(program).or_insert_with(|| format!("{shown}:{line}"));
        }
        for (written, line) in refs.writes {
            let at = format!("{shown}:{line}");
            if let Some(file) = note_written(found, written, &run_folder, &at) {
                // A file it writes that the repository holds (a seeded database) is the program's data: it ships.
                if app.path(&file).is_file() {
                    found.ship(&top(&file), || format!("{at} writes {file}, which the repository holds"));
                }
            }
        }
        for (served, line) in refs.serves_folder {
            let folder = match served {
                Static::Here(_) => run_folder.clone(),
                _ => String::new(),
            };
            if folder.is_empty() {
                found.serves_app.get_or_insert_with(|| format!("{shown}:{line}"));
            } else {
                found.ship(&top(&folder), || format!("{shown}:{line} serves the files of {folder}"));
            }
        }
}

/// Where a module of `folder` runs: the folder itself, or for a source compiled into an output folder, its
/// compiled file's folder (`src/routes` → `dist/routes`).
fn run_folder_of(walk: &Walk, folder: &str) -> String {
    let Some((root, out)) = &walk.layout else { return folder.to_string() };
    let inner = if root.is_empty() { Some(folder) } else { under_root(folder, root) };
    inner.map_or_else(|| folder.to_string(), |inner| join(out, inner))
}

/// The package a bare specifier loads (`@scope/name/sub` → `@scope/name`, `name/register` → `name`); None for
/// built-ins (`node:fs`), absolute paths and URLs.
pub(super) fn package_name(specifier: &str) -> Option<&str> {
    if specifier.starts_with(['.', '/', '#']) || specifier.contains(':') {
        return None;
    }
    let mut parts = specifier.splitn(3, '/');
    let first = parts.next()?;
    let end = if first.starts_with('@') {
        first.len() + 1 + parts.next()?.len()
    } else {
        first.len()
    };
    Some(&specifier[..end]).filter(|name| !name.is_empty())
}

/// The folder a write lands in, relative to the working directory (the app's folder, where the server starts)
/// or absolute; a path outside the app (`../data`) is left to the user. Returns the file written, if a file.
fn note_written(found: &mut RunFiles, written: Written, run_folder: &str, at: &str) -> Option<String> {
    let (value, is_file) = match written {
        Written::Folder(value) => (value, false),
        Written::File(value) => (value, true),
    };
    let path = match &value {
        Static::Text(text) if text.starts_with('/') => text.trim_end_matches('/').to_string(),
        Static::Text(rel) | Static::Cwd(rel) => join("", rel),
        Static::Here(rel) => join(run_folder, rel),
        Static::ThisFile => return None,
    };
    let folder = if is_file {
        path.rsplit_once('/').map_or("", |(folder, _)| folder).to_string()
    } else {
        path.clone()
    };
    if folder.starts_with("..") || folder.starts_with("node_modules") {
        return None;
    }
    let folder = if folder.is_empty() { ".".to_string() } else { folder };
    if is_file {
        found.written_files.insert(path.clone());
    }
    let file = (is_file && !path.starts_with('/')).then(|| path.clone());
    let shown = if is_file || path.is_empty() { path } else { format!("{path}/") };
    found
        .written
        .entry(folder)
        .or_insert_with(|| format!("{at} writes {}", if shown.is_empty() { "." } else { &shown }));
    file
}

/// What ships for a path: the path itself for an exact walk, else its top-level file or folder.
fn top_of(walk: &Walk, path: &str) -> String {
    if walk.ships == Ships::Files {
        path.to_string()
    } else {
        path.split('/').next().unwrap_or_default().to_string()
    }
}

/// Ships the paths a module names that exist (or that the build writes); a plain string only when it looks
/// like a path the server reads (see knowledge/node/runtime.toml).
fn ship_named_paths(
    app: &App,
    walk: &Walk,
    found: &mut RunFiles,
    paths: Vec<(Static, usize)>,
    (folder, run_folder): (&str, &str),
    shown: &str,
) {
    for (value, line) in paths {
        if let Static::Here(rel) = &value {
            // Read beside the compiled file: what the sources hold there unless the output has it already.
            let (source, path) = (join(folder, rel), join(run_folder, rel));
            if walk.layout.is_some() && source != path && !app.path(&path).exists() && holds_no_sources(app, &source) {
                note_asset(walk, found, &source, false, || format!("{shown}:{line} names {path}"));
            }
        }
        let (path, bare) = match value {
            Static::Here(rel) => (join(run_folder, &rel), false),
            Static::Cwd(rel) => (join("", &rel), false),
            Static::Text(rel) if !rel.starts_with('/') && !rel.contains(['\n', '*']) => (join("", &rel), true),
            _ => continue,
        };
        let Some(head) = path.split('/').next().filter(|h| !h.is_empty() && *h != "..") else {
            continue;
        };
        // A TypeScript or JSX source named by a compiled server (a dev server's entry, `app/index.tsx`) is
        // compiled by the build, never read by node.
        if walk.ships == Ships::NamedPaths && is_compiled_source(&path) {
            continue;
        }
        let built = walk.outputs.iter().any(|o| under(&path, o));
        if bare {
            let known = &node::runtime().files;
            let word = !path.contains(['/', '.']);
            if known.not_runtime.iter().any(|n| n == head) || (word && !built && !known.folders.contains(&path)) {
                continue;
            }
        }
        if built || app.path(&path).exists() {
            // A secret inside a shipped folder (`ssl/private.key`) stays out of it: said, like one named alone.
            if node::runtime().is_secret(path.rsplit('/').next().unwrap_or(&path)) {
                found.ship(&path, || format!("{shown}:{line} names {path}"));
            }
            found.ship(&top_of(walk, &path), || format!("{shown}:{line} names {path}"));
        } else if !bare {
            found.absent.entry(path).or_insert_with(|| format!("{shown}:{line}"));
        }
    }
}

/// A module that loads the modules of a folder it names (`autoload({ dir: path.join(__dirname, 'routes') })`) runs
/// them too: each named folder's modules are followed like imports.
fn queue_named_folders(
    app: &App,
    paths: &[(Static, usize)],
    (run_folder, shown): (&str, &str),
    eager: bool,
    queue: &mut VecDeque<(String, String, bool)>,
) {
    for (value, line) in paths {
        let path = match value {
            Static::Here(rel) => join(run_folder, rel),
            Static::Cwd(rel) => join("", rel),
            _ => continue,
        };
        if !path.is_empty() && !path.starts_with("..") && app.path(&path).is_dir() {
            queue_folder_modules(app, &path, &format!("{shown}:{line} loads the modules of {path}"), eager, queue);
        }
    }
}

/// Queues the source files under `folder` (a folder whose modules the code loads by their place), each as loaded
/// for `why`.
fn queue_folder_modules(app: &App, folder: &str, why: &str, eager: bool, queue: &mut VecDeque<(String, String, bool)>) {
    let dir = app.path(folder);
    for module in crate::detect::walk::files_with_extensions(&dir, SOURCE_EXTENSIONS, |_| false).files {
        if let Some(rel) = module.strip_prefix(&dir).ok().and_then(|rel| rel.to_str()) {
            queue.push_back((join(folder, rel), why.to_string(), eager));
        }
    }
}

/// Notes a file or folder of the sources (`src/data`) that a compiled program reads from its output folder.
fn note_asset(walk: &Walk, found: &mut RunFiles, source: &str, imported: bool, why: impl FnOnce() -> String) {
    let Some((root, out)) = &walk.layout else {
        return;
    };
    let inner = if root.is_empty() { Some(source) } else { under_root(source, root) };
    let Some(inner) = inner.filter(|inner| !inner.is_empty() && !under(source, out)) else {
        return;
    };
    found.assets.entry(join(out, inner)).or_insert_with(|| Asset {
        source: source.to_string(),
        imported,
        why: why(),
    });
}

/// Whether `path` is a file other than a source, or a folder without one (at most a few hundred entries
/// looked at): a compiler writes into the output folder what it compiles, and nothing else.
fn holds_no_sources(app: &App, path: &str) -> bool {
    const MAX_ENTRIES: usize = 500;
    let full = app.path(path);
    if full.is_file() {
        return !is_source(path);
    }
    if !full.is_dir() {
        return false;
    }
    let mut pending = vec![full];
    let mut looked = 0;
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return false;
        };
        for entry in entries.flatten() {
            looked += 1;
            if looked > MAX_ENTRIES {
                return false;
            }
            let Ok(kind) = entry.file_type() else {
                return false;
            };
            if kind.is_dir() {
                pending.push(entry.path());
            } else if is_source(&entry.file_name().to_string_lossy()) {
                return false;
            }
        }
    }
    true
}

/// Whether node or a compiler reads `path` as code (by its extension).
pub(super) fn is_source(path: &str) -> bool {
    has_extension_in(path, SOURCE_EXTENSIONS)
}

fn is_compiled_source(path: &str) -> bool {
    has_extension_in(path, COMPILED_EXTENSIONS)
}

/// Whether `path` ends in one of `extensions` (without the dot, in any case).
pub(super) fn has_extension_in(path: &str, extensions: &[&str]) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| extensions.iter().any(|known| e.eq_ignore_ascii_case(known)))
}

/// Folders servers read by convention, and what the app's dependencies read, when they exist (or the build
/// writes them).
fn conventional(app: &App, outputs: &[String], found: &mut RunFiles) {
    let knowledge = &node::runtime().files;
    for folder in &knowledge.folders {
        if app.path(folder).is_dir() {
            found.ship(folder, || "a folder servers read by convention".to_string());
        } else if outputs.iter().any(|o| o == folder || under(o, folder)) {
            // Not committed: the build writes it (a stylesheet compiled into public/).
            found.ship(folder, || "a folder servers read by convention, written by the build".to_string());
        }
    }
    for (dependency, paths) in &knowledge.dependencies {
        let Some(deps) = app.package.object("dependencies") else {
            break;
        };
        if !deps.contains_key(dependency) {
            continue;
        }
        let present = |p: &&String| app.path(p).exists() || outputs.iter().any(|o| under(p, o));
        for path in paths.iter().filter(present) {
            found.ship(path, || {
                format!("{} reads it", app.at(&format!("dependencies.{dependency}")))
            });
        }
    }
}

/// The part of `folder` under the source `root` (`src/routes` under `src` is `routes`).
fn under_root<'f>(folder: &'f str, root: &str) -> Option<&'f str> {
    if folder == root {
        Some("")
    } else {
        crate::detect::inside(folder, root)
    }
}

/// Whether `path` is `folder` or inside it.
pub(super) fn under(path: &str, folder: &str) -> bool {
    let folder = join("", folder);
    !folder.is_empty() && (path == folder || path.starts_with(&format!("{folder}/")))
}

/// The file node loads for `target` (relative to the app): as written, with an extension, a TypeScript
/// source for its compiled name, or a folder's index.
pub(super) fn resolve(app: &App, target: &str) -> Option<String> {
    resolve_with(target, |rel| app.path(rel).is_file())
}

fn resolve_with(target: &str, is_file: impl Fn(&str) -> bool) -> Option<String> {
    if is_file(target) {
        return Some(target.to_string());
    }
    // Each name tried is built in one buffer: a load tries up to two dozen.
    let mut candidate = String::with_capacity(target.len() + 16);
    let mut tried = |parts: &[&str]| {
        candidate.clear();
        for part in parts {
            candidate.push_str(part);
        }
        is_file(&candidate).then(|| candidate.clone())
    };
    for (compiled, sources) in [
        (".js", &[".ts", ".tsx"][..]),
        (".mjs", &[".mts"]),
        (".cjs", &[".cts"]),
        (".jsx", &[".tsx"]),
    ] {
        if let Some(stem) = target.strip_suffix(compiled) {
            if let Some(source) = sources.iter().find_map(|s| tried(&[stem, s])) {
                return Some(source);
            }
        }
    }
    if let Some(with_extension) = EXTENSIONS.iter().find_map(|e| tried(&[target, e])) {
        return Some(with_extension);
    }
    // `join(target, "index.js")`: the folder as its parts resolve, then the file.
    let folder = join(target, "");
    let separator = if folder.is_empty() { "" } else { "/" };
    EXTENSIONS.iter().find_map(|e| tried(&[&folder, separator, "index", e]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_specifiers_name_their_package() {
        assert_eq!(package_name("source-map-support/register"), Some("source-map-support"));
        assert_eq!(package_name("@babel/runtime/helpers/x"), Some("@babel/runtime"));
        assert_eq!(package_name("express"), Some("express"));
        for not_a_package in ["node:fs", "./x", "/abs", "#internal", "https://x.dev/m.js", "@scope"] {
            assert_eq!(package_name(not_a_package), None, "{not_a_package}");
        }
    }


    #[test]
    fn listed_folders_resolve_as_the_file_system_does() {
        let root = tempfile::tempdir().unwrap();
        for file in ["server.ts", "lib/db.js", "lib/index.ts", "routes/api/index.js", "Cased.js", "data.json"] {
            let path = root.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        std::fs::create_dir(root.path().join("folder.js")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.path().join("lib/db.js"), root.path().join("linked.js")).unwrap();
        let folders = Folders::of(root.path().to_path_buf());
        let by_stat = |rel: &str| root.path().join(rel).is_file();
        for target in [
            "server", "server.js", "lib/db", "lib", "lib/", "./lib/db", "routes/api", "routes/../lib/db", "cased",
            "Cased", "data", "folder", "linked", "missing/x", "lib/db.js/x", "", ".",
        ] {
            let listed = resolve_with(target, |rel| folders.has_file(rel));
            assert_eq!(listed, resolve_with(target, by_stat), "{target}");
        }
        assert_eq!(resolve_with("server.js", |rel| folders.has_file(rel)).as_deref(), Some("server.ts"));
        assert_eq!(resolve_with("lib", |rel| folders.has_file(rel)).as_deref(), Some("lib/index.ts"));
    }

    #[test]
    fn paths_under_folders() {
        assert!(under("dist/index.js", "dist"));
        assert!(under("dist", "./dist/"));
        assert!(!under("distant/x", "dist"));
        assert!(!under("x", ""));
    }
}
