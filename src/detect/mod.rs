//! Detection: a repository path in, facts with evidence out. Nothing here prints, prompts or looks at the
//! machine dockgen runs on; every fact names the file (and line) it came from.

mod configport;
mod deploy;
mod frontend;
mod jvm;
mod lex;
mod members;
mod programs;
pub(crate) mod services;
pub mod stack;
mod toolchains;
pub(crate) mod walk;

use std::path::Path;

use anyhow::Result;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::files;
pub(crate) use deploy::is_dockgens_own;
pub(crate) use programs::runtime_programs;
pub use stack::Stack;

/// Declares the stacks (one folder each under `src/detect/`, defining `STACK`) and `STACKS`, in the order
/// their probes run and their candidates are listed.
macro_rules! stacks {
    ($($stack:ident),+ $(,)?) => {
        $(mod $stack;)+
        /// Every stack dockgen knows. Adding one: docs/architecture.md.
        pub static STACKS: &[&Stack] = &[$(&$stack::STACK),+];
    };
}

stacks!(go, gradle, maven, node, python);

/// The registered stack of this name (a preset's or candidate's `stack`).
pub fn stack(name: &str) -> Option<&'static Stack> {
    STACKS.iter().copied().find(|stack| stack.name == name)
}

/// A value read from the repository, with where it came from (`go.mod:3`, `cmd/api/main.go:12`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub value: Value,
    pub source: String,
    /// Why the value is what it is, when the source alone does not say (`from toolchain go1.23.1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// True when no file said anything and the value is the preset's default.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    /// True when the repository allows no other value (its one main package, its one runnable module): a
    /// terminal session does not ask about it.
    #[serde(skip)]
    pub sole: bool,
}

impl Fact {
    pub fn new(value: impl Into<Value>, source: impl Into<String>) -> Self {
        Fact {
            value: value.into(),
            source: source.into(),
            note: None,
            default: false,
            sole: false,
        }
    }

    /// The only value the repository allows.
    #[must_use]
    pub fn sole(mut self) -> Self {
        self.sole = true;
        self
    }

    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

pub type Facts = IndexMap<String, Fact>;

/// A question detection cannot settle alone: several main packages, apps or modules fit.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// The answer key the choice sets, e.g. `main_package`.
    pub key: String,
    /// Ranked, strongest first when the probe ranks them.
    pub options: Vec<ChoiceOption>,
    /// The option clearly stronger than the others by evidence: taken without a terminal (with a note), and
    /// where a terminal's list starts. None on a genuine tie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Another way to settle it than choosing, said where dockgen cannot ask (`run dockgen init in one app's
    /// folder`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
}

impl Choice {
    /// Each option's value with the evidence that found it, as a question lists them.
    pub fn option_list(&self) -> Vec<(String, String)> {
        self.options
            .iter()
            .map(|o| (o.value.clone(), o.source.clone()))
            .collect()
    }

    /// What taking the default means, for a note: its evidence, the others, and how to pick another.
    pub fn default_note(&self) -> Option<String> {
        let default = self.default.as_ref()?;
        let chosen = self.options.iter().find(|o| o.value == *default)?;
        let evidence = if chosen.why.is_empty() {
            chosen.source.clone()
        } else {
            chosen.why.join("; ")
        };
        let others: Vec<&str> = self
            .options
            .iter()
            .filter(|o| o.value != *default)
            .map(|o| o.value.as_str())
            .collect();
        Some(format!(
            "{} {default} ({evidence}); also found {}: pass --set {}=VALUE to build another",
            self.key,
            others.join(", "),
            self.key
        ))
    }
}

/// One possible answer; its facts (binary name, port...) apply only when it is chosen.
#[derive(Debug, Clone, Serialize)]
pub struct ChoiceOption {
    pub value: String,
    pub source: String,
    pub facts: Facts,
    /// The evidence that ranks it (`built by Makefile:12`, `under examples/: a helper program`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    /// Said only when this option is the one built (an embed of it that cannot be built).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Said only when this option is the one built: a value of it taken from the strongest of several builds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A stack found in the repository, with everything detection learnt about it.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub stack: &'static str,
    /// The file that made the stack recognisable (`go.mod`, `go.work`).
    pub evidence: String,
    pub facts: Facts,
    pub choices: Vec<Choice>,
    pub warnings: Vec<String>,
    /// Decisions taken on evidence that the user may want to revisit (a front-end that is part of a Go
    /// service, not a second stack), each with how to decide otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Candidate {
    /// The facts' values by name, as templates and preset conditions see them.
    pub fn values(&self) -> serde_json::Map<String, Value> {
        self.facts.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect()
    }
}

/// Everything found in a repository; nothing found or several stacks found is data, not an error.
#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    pub candidates: Vec<Candidate>,
    /// The marker files each probe looked for, so "nothing recognised" can say what was expected.
    pub looked_for: Vec<&'static str>,
    /// Marker files of stacks dockgen does not build (`pyproject.toml`: Python), found at the top of the folder.
    pub unsupported: Vec<Unsupported>,
    /// When the folder holds no project: the subfolders that do (`src`, `go.mod`), up to two levels down.
    pub nested: Vec<(String, String)>,
    /// Of several such subfolders, the one the folder's own deployment files build (a compose service's build
    /// context, a Dockerfile working there), when they build exactly one: the folder and the evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployed_nested: Option<(String, String)>,
    /// Candidates a stronger build of the same program outranked (Maven beside the Gradle build CI runs):
    /// never the default, still built when their preset is asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub set_aside: Vec<Candidate>,
    /// When no project was found: marker files that are there all the same (a pyproject.toml holding only tool
    /// settings), so the refusal does not read as if they were missing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub idle_markers: Vec<String>,
}

/// A file at the top of the folder that marks a stack dockgen does not build yet.
#[derive(Debug, Clone, Serialize)]
pub struct Unsupported {
    pub file: String,
    pub stack: String,
    /// What to do instead, when there is a way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Detection {
    /// Why nothing can be built from `path`: what was looked for, and what was seen instead.
    pub fn nothing_found(&self, path: &Path) -> String {
        let seen = self.unsupported_seen();
        let seen = if seen.is_empty() {
            String::new()
        } else {
            format!("; found {}", seen.join("; "))
        };
        let nested = if self.nested.is_empty() {
            String::new()
        } else {
            let folders: Vec<String> = self
                .nested
                .iter()
                .map(|(dir, marker)| format!("{dir}/{marker}"))
                .collect();
            let example = path.join(&self.nested[0].0);
            format!(
                "; projects below it: {} (run dockgen in the one to build, e.g. `dockgen init {}`)",
                folders.join(", "),
                example.display()
            )
        };
        let idle = match self.idle_markers.as_slice() {
            [] => String::new(),
            [one] => format!("; {one} is there but declares no project or dependencies"),
            many => format!("; {} are there but declare no project or dependencies", many.join(", ")),
        };
        format!(
            "no supported project found in {} (looked for {}{seen}{idle}){nested}",
            path.display(),
            self.looked_for.join(", ")
        )
    }

    /// The one project below a root that holds none (`backend/` with its pom.xml, the repository's only app),
    /// which is what `init` at the root means; None when the root holds a stack dockgen does not build, when
    /// several folders hold projects, or when the one is an example, a test or documentation.
    pub fn lone_nested_project(&self) -> Option<&str> {
        const NOT_THE_APP: &[&str] = &[
            "example",
            "examples",
            "demo",
            "demos",
            "sample",
            "samples",
            "docs",
            "doc",
            "test",
            "tests",
            "fixtures",
            "e2e",
            "benchmarks",
            "scripts",
            "tools",
        ];
        let [(folder, _)] = self.nested.as_slice() else {
            return None;
        };
        let not_the_app = folder
            .split('/')
            .any(|part| NOT_THE_APP.contains(&part.to_ascii_lowercase().as_str()));
        (self.candidates.is_empty() && self.unsupported.is_empty() && !not_the_app).then_some(folder.as_str())
    }

    /// The project below a root that holds none which the root's deployment files build, of several there
    /// (`deployed_nested`), with that evidence and the other folders; None when the root holds a stack dockgen
    /// does not build.
    pub fn deployed_nested_project(&self) -> Option<(&str, &str, Vec<&str>)> {
        let (folder, evidence) = self.deployed_nested.as_ref()?;
        let others = self
            .nested
            .iter()
            .map(|(dir, _)| dir.as_str())
            .filter(|dir| dir != folder)
            .collect();
        (self.candidates.is_empty() && self.unsupported.is_empty()).then_some((
            folder.as_str(),
            evidence.as_str(),
            others,
        ))
    }

    /// The unsupported stacks seen, one phrase each: `pyproject.toml, requirements.txt: Python is not supported
    /// yet`.
    pub fn unsupported_seen(&self) -> Vec<String> {
        let mut stacks: Vec<(&str, Option<&str>, Vec<&str>)> = Vec::new();
        for seen in &self.unsupported {
            match stacks.iter_mut().find(|(stack, _, _)| *stack == seen.stack) {
                Some((_, _, files)) => files.push(&seen.file),
                None => stacks.push((&seen.stack, seen.hint.as_deref(), vec![&seen.file])),
            }
        }
        stacks
            .iter()
            .map(|(stack, hint, files)| match hint {
                Some(hint) => format!("{}: {hint}", files.join(", ")),
                None => format!("{}: {stack} is not supported yet", files.join(", ")),
            })
            .collect()
    }
}

/// Runs every stack probe on `root`. Errors are for files that exist but cannot be read or parsed; their
/// message starts with the file's path (`go.mod:3: ...`), joined to `root` here so it can be found.
pub fn detect(root: &Path) -> Result<Detection> {
    let _confined = files::Confine::to(root);
    let in_root = |err: anyhow::Error| {
        let shown = root.display().to_string();
        let prefix = if shown == "." {
            String::new()
        } else {
            format!("{}/", shown.trim_end_matches('/'))
        };
        anyhow::anyhow!("{prefix}{err:#}")
    };
    let mut probed: Vec<(&'static str, Result<Option<Candidate>>)> =
        STACKS.iter().map(|stack| (stack.name, (stack.probe)(root))).collect();
    let set_aside = one_jvm_build(root, &mut probed);
    let mut candidates = Vec::new();
    for (_, result) in probed {
        candidates.extend(result.map_err(in_root)?);
    }
    fold_frontend_into_program(&mut candidates);
    drop_tooling_package_json(&mut candidates);
    drop_python_that_starts_nothing(&mut candidates);
    let looked_for: Vec<&'static str> = STACKS.iter().flat_map(|stack| stack.markers.iter().copied()).collect();
    // A marker a registered stack claims is that stack's, whatever the table of unsupported ones still says.
    let unsupported = crate::knowledge::unsupported::markers()
        .iter()
        .filter(|marker| !looked_for.contains(&marker.file.as_str()))
        .filter(|marker| files::kind(&root.join(&marker.file)).is_ok_and(|kind| kind == files::Kind::File))
        .map(|marker| Unsupported {
            file: marker.file.clone(),
            stack: marker.stack.clone(),
            hint: marker.hint.clone(),
        })
        .collect();
    let nested = if candidates.is_empty() {
        walk::marker_folders(root, &looked_for)
    } else {
        Vec::new()
    };
    let deployed_nested = deployed_nested(root, &nested);
    let idle_markers = if candidates.is_empty() {
        let is_file = |marker: &str| files::kind(&root.join(marker)).is_ok_and(|kind| kind == files::Kind::File);
        looked_for
            .iter()
            .filter(|marker| is_file(marker))
            .map(|marker| (*marker).to_string())
            .collect()
    } else {
        Vec::new()
    };
    Ok(Detection {
        candidates,
        looked_for,
        unsupported,
        nested,
        deployed_nested,
        set_aside,
        idle_markers,
    })
}

/// Of several project folders below a root with none, the one the root's deployment files build, when they
/// build exactly one (`docker-compose.yml` builds `./api`, not `./web`).
fn deployed_nested(root: &Path, nested: &[(String, String)]) -> Option<(String, String)> {
    if nested.len() < 2 {
        return None;
    }
    let mut built = nested
        .iter()
        .filter_map(|(dir, _)| Some((dir.clone(), deploy::built_from_root(root, dir)?)));
    let first = built.next()?;
    built.next().is_none().then_some(first)
}

/// A repository with both a Gradle and a Maven build of one program is built with the tool its own files use
/// (`jvm::build_tool`): the other is set aside with a note (or dropped when it cannot be built). On a tie both
/// stay, a question; one that cannot be built then leaves the other, with a warning saying why.
fn one_jvm_build(root: &Path, probed: &mut Vec<(&'static str, Result<Option<Candidate>>)>) -> Vec<Candidate> {
    let found = |stack: &str| {
        probed
            .iter()
            .position(|(name, result)| *name == stack && !matches!(result, Ok(None)))
    };
    let (Some(gradle), Some(maven)) = (found("gradle"), found("maven")) else {
        return Vec::new();
    };
    let (keep, drop, why) = match jvm::build_tool::preferred(root) {
        Some((tool, source, place)) => {
            let (keep, drop) = if tool == "gradle" {
                (gradle, maven)
            } else {
                (maven, gradle)
            };
            (keep, drop, format!("{place} builds with {tool} ({source})"))
        }
        None => match (&probed[gradle].1, &probed[maven].1) {
            (Ok(_), Err(_)) => (gradle, maven, "the Maven build cannot be built".to_string()),
            (Err(_), Ok(_)) => (maven, gradle, "the Gradle build cannot be built".to_string()),
            _ => return Vec::new(),
        },
    };
    let other = probed[drop].0;
    let (_, dropped) = probed.remove(drop);
    let keep = if drop < keep { keep - 1 } else { keep };
    let mut set_aside = Vec::new();
    let said = match dropped {
        Ok(Some(candidate)) => {
            set_aside.push(candidate);
            format!("pass --preset {other} to build with {other} instead")
        }
        Ok(None) => String::new(),
        Err(error) => format!("the {other} build is not offered: {error:#}"),
    };
    if let (name, Ok(Some(candidate))) = &mut probed[keep] {
        candidate.notes.push(format!(
            "built with {name}: {why}; the repository also has a {other} build: {said}"
        ));
    }
    set_aside
}

/// A Go program or a Python project beside a package.json that runs no server (only build and dev scripts, or a
/// `main` it never starts: a front-end the Go binary embeds or serves, the assets a Python web app's templates
/// load) is that stack's project, not a second stack to choose between. A Node server beside them is a genuine
/// tie and stays one.
fn fold_frontend_into_program(candidates: &mut Vec<Candidate>) {
    let has_program = |c: &Candidate| match c.stack {
        "go" => c.facts.contains_key("main_package") || c.choices.iter().any(|choice| choice.key == "main_package"),
        "python" => true,
        _ => false,
    };
    let Some(program_at) = candidates.iter().position(has_program) else {
        return;
    };
    let Some(node_at) = candidates.iter().position(|c| c.stack == "node") else {
        return;
    };
    let frontend = &candidates[node_at];
    let kind = frontend.facts.get("kind");
    let serves = kind.is_some_and(|k| k.value == "server") && frontend.facts.contains_key("start_command");
    if serves || !frontend.choices.is_empty() {
        return;
    }
    let why = match kind.filter(|k| k.value != "server") {
        Some(kind) => format!(
            "it builds a {} site, {}",
            kind.value.as_str().unwrap_or("static"),
            kind.source
        ),
        // A server framework or a `main` made it look like a server, but nothing of it starts one.
        None if kind.is_some() => "neither a start script nor its `main` starts one".to_string(),
        None => "it has no start script".to_string(),
    };
    let note = if candidates[program_at].stack == "go" {
        format!(
            "package.json runs no server ({why}): this is a Go service and the Node part is its front-end; \
             pass --preset node-static to build the front-end alone"
        )
    } else if candidates[program_at].facts.contains_key("frontend") {
        format!(
            "package.json runs no server ({why}): this is a Python project and the Node part builds the front-end it \
             serves, built in a stage of its own; pass --preset node-static to build the front-end alone"
        )
    } else if kind.is_some_and(|k| k.value == "static") {
        format!(
            "package.json runs no server ({why}): this is a Python project and the Node part builds its front-end \
             assets, which the image does not build: commit what it builds, or add its build in your lines of the \
             build stage; pass --preset node-static to build the front-end alone"
        )
    } else {
        "package.json starts nothing (no start script, and no `main` that exists): it holds tooling or front-end \
         packages for this Python project, not an app; pass --preset node-server to build it instead"
            .to_string()
    };
    candidates[program_at].notes.push(note);
    candidates.remove(node_at);
}

/// A package.json with neither a build nor a start script (nor `main`) beside another stack's project holds that
/// project's tooling (end-to-end tests, linters, formatters), not an app: the other stack is the project.
fn drop_tooling_package_json(candidates: &mut Vec<Candidate>) {
    let Some(node_at) = candidates.iter().position(|c| c.stack == "node") else {
        return;
    };
    let tooling = !candidates[node_at].facts.contains_key("kind") && candidates[node_at].choices.is_empty();
    if !tooling || candidates.len() < 2 {
        return;
    }
    candidates.remove(node_at);
    let other = &mut candidates[0];
    other.notes.push(format!(
        "package.json has neither a build nor a start script (nor `main`): it holds tooling for this {} project, \
         not an app; pass --preset node-server or node-static to build it instead",
        other.stack
    ));
}

/// A Python project with no web framework and nothing that starts it (`needs_start`: the requirements of a helper
/// the program runs, a notebook's) beside a server whose start the repository says (a start script, the project's
/// Dockerfile running it) is not the app: the server is.
fn drop_python_that_starts_nothing(candidates: &mut Vec<Candidate>) {
    let Some(python_at) = candidates
        .iter()
        .position(|c| c.stack == "python" && c.facts.get("needs_start").is_some_and(|f| f.value == true))
    else {
        return;
    };
    let started = |c: &Candidate| c.stack != "python" && c.facts.contains_key("start_command");
    if candidates.len() != 2 || !candidates.iter().any(started) {
        return;
    }
    let python = candidates.remove(python_at);
    let server = &mut candidates[0];
    let start = server
        .facts
        .get("start_command")
        .map(|f| f.source.clone())
        .unwrap_or_default();
    let dependencies = python
        .facts
        .get("requirements_file")
        .map_or("the Python project", |f| f.source.as_str());
    server.notes.push(format!(
        "{dependencies}: no web framework and nothing starts it, while {start} starts the {} server: built as that \
         server; pass --preset python to build the Python part instead",
        server.stack
    ));
}

/// The fuzz entry point that is not a text parser (see `crate::fuzzing::workspace_globs`).
#[doc(hidden)]
pub mod fuzzing {
    /// Workspace member expansion: the patterns over a tree of folders.
    pub fn workspace_members(root: &std::path::Path, patterns: &[String]) -> usize {
        super::node::fuzz_workspace(root, patterns)
    }
}

/// The part of `path` inside `folder` (`/app/data` inside `/app` is `data`); None for the folder itself or a path
/// elsewhere. A trailing `/` on the folder is ignored.
pub(crate) fn inside<'p>(path: &'p str, folder: &str) -> Option<&'p str> {
    path.strip_prefix(folder.trim_end_matches('/'))?.strip_prefix('/')
}

/// `file` inside `dir`, both relative to the repository root ("." is the root).
pub(crate) fn join_rel(dir: &str, file: &str) -> String {
    if dir == "." {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// `path` relative to the repository folder `dir`, with `.` and `..` resolved (`backend`, `../ui/dist` →
/// `ui/dist`; `.` for the folder itself); None for an absolute path or one that leaves the repository.
fn normalised_rel(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

/// Reads a manifest as UTF-8 text; every error names the file relative to the repository. Only regular
/// files inside the repository are read: a FIFO or device named like a manifest would block or never end,
/// and a link out of the repository would read (and quote back) a file that is not the project's.
fn read_manifest(root: &Path, rel: &str) -> Result<String> {
    files::read_text(&root.join(rel), files::MANIFEST_CAP).map_err(|why| anyhow::anyhow!(why.about(rel)))
}

/// Whether the marker file `rel` is present. A name that exists but cannot be followed (a symlink loop, a
/// dangling link, a link out of the repository) or is a special file is an error naming it, not a silent
/// "not found".
fn has_marker(root: &Path, rel: &str) -> Result<bool> {
    match files::kind(&root.join(rel)) {
        Ok(kind) => Ok(kind == files::Kind::File),
        Err(why) => Err(anyhow::anyhow!(why.about(rel))),
    }
}

/// Optional text (a framework config, a source file): None when absent, not a regular file inside the
/// repository, larger than a manifest may be, or not UTF-8. Detection then simply learns nothing from it.
fn read_small_text(path: &Path) -> Option<String> {
    files::read_text(path, files::MANIFEST_CAP).ok()
}

/// A source file's text (JavaScript, TypeScript, Go, Python…), stray non-UTF-8 bytes replaced: None when absent,
/// not a regular file inside the repository, larger than a manifest may be, or binary.
pub(crate) fn read_source(path: &Path) -> Option<String> {
    files::read_source_text(path, files::MANIFEST_CAP).ok()
}

/// Whether the repository's own `.dockerignore` keeps `path` (relative to the build context `root`) out of the
/// build: the image never holds such a file, so no instruction may name it (a `chown` of it fails the build).
pub(crate) fn kept_out_of_build(root: &Path, path: &str) -> bool {
    read_small_text(&root.join(".dockerignore"))
        .is_some_and(|text| !crate::dockerignore::hidden(&text, &[path.to_string()]).is_empty())
}

/// From how many items work is shared between threads (below, starting them costs more than it saves).
const PARALLEL_FROM: usize = 64;

/// Variables programs conventionally read their listen host from (a database's `DB_HOST` is not one).
pub(crate) const HOST_VARIABLES: &[&str] = &[
    "HOST",
    "HOSTNAME",
    "BIND",
    "BIND_ADDRESS",
    "BIND_HOST",
    "LISTEN_ADDRESS",
    "LISTEN_HOST",
    "ADDRESS",
    "SERVER_HOST",
    "APP_HOST",
    "HTTP_HOST",
    "FASTIFY_ADDRESS",
];

/// The note of a `bind_env` fact: the host variable the image sets to every interface.
pub(crate) const BIND_ENV_NOTE: &str =
    "the listen host's variable, whose default is loopback: set to 0.0.0.0 so a published port reaches the server";

/// Whether `name` is a listen host's variable (`HOST`, `BIND_ADDRESS`; any case: `os.getenv("host")`).
pub(crate) fn is_host_variable(name: &str) -> bool {
    HOST_VARIABLES.iter().any(|known| known.eq_ignore_ascii_case(name))
}

/// Whether a listen host is a loopback address (`localhost`, `127.0.0.1`, `::1`, `[::1]`), which a published
/// port cannot reach.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    matches!(host, "localhost" | "::1" | "[::1]") || host.starts_with("127.")
}

/// Whether `text` holds `word` anywhere: a vectorised search (`str::contains` reads a file about four times slower,
/// which shows where a probe asks a whole source for several absent words).
pub(crate) fn holds(text: &str, word: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), word.as_bytes()).is_some()
}

/// How many threads `each_in_parallel` shares work between (at most 8). Asked of the system once per run: on Linux
/// each answer reads the process's cgroup files.
fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from).min(8))
}

/// `each` on every item, shared between threads when there are enough items to pay for starting them. Items
/// are independent, so the result does not depend on how many threads there are.
pub(crate) fn each_in_parallel<T: Send>(items: &mut [T], each: impl Fn(&mut T) + Sync) {
    if items.len() < PARALLEL_FROM || threads() < 2 {
        items.iter_mut().for_each(each);
        return;
    }
    // Parts taken from one queue by this thread and the helpers: a helper that cannot be started only leaves
    // more parts to the others.
    let queue = std::sync::Mutex::new(items.chunks_mut(16));
    let work = || loop {
        let part = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).next();
        let Some(part) = part else { break };
        part.iter_mut().for_each(&each);
    };
    // Helpers read inside the same repository as this thread (`files::Confine`).
    let boundary = files::current_boundary();
    std::thread::scope(|scope| {
        for _ in 1..threads() {
            let boundary = boundary.clone();
            let _ = std::thread::Builder::new().spawn_scoped(scope, move || {
                files::confine_thread(boundary);
                work();
            });
        }
        work();
    });
}

/// A command's words as a test writes them, split at spaces.
#[cfg(test)]
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::{each_in_parallel, PARALLEL_FROM};

    #[test]
    fn every_item_is_done_once_whether_or_not_threads_share_the_work() {
        for count in [0, 3, PARALLEL_FROM, PARALLEL_FROM * 5 + 7] {
            let mut items: Vec<(usize, usize)> = (0..count).map(|i| (i, 0)).collect();
            each_in_parallel(&mut items, |(i, done)| *done += *i + 1);
            assert!(items.iter().all(|(i, done)| *done == i + 1), "{count} items");
        }
    }

    #[test]
    fn helper_threads_read_inside_the_same_repository() {
        let dir = tempfile::tempdir().unwrap();
        let _confined = crate::files::Confine::to(dir.path());
        let expected = crate::files::current_boundary();
        assert!(expected.is_some());
        let mut items: Vec<Option<std::path::PathBuf>> = vec![None; PARALLEL_FROM * 4];
        each_in_parallel(&mut items, |boundary| *boundary = crate::files::current_boundary());
        assert!(items.iter().all(|boundary| *boundary == expected));
    }
}
