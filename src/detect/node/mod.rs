//! The Node probe: package.json (and the workspace around it), the lockfile and package manager, the Node
//! version, then per app the framework, whether it is a static site or a server, what the build leaves and how
//! the server starts. Framework configs are parsed (`js`) for the few settings that matter.

mod assets;
mod base_path;
mod buildenv;
mod calls;
mod config_module;
mod contract;
mod dbconfig;
mod engines;
mod framework;
mod js;
mod listen;
mod lockstate;
mod manager;
mod nest;
mod next_loads;
mod npmlock;
mod nx;
mod outputs;
mod peers;
mod pm2;
pub(crate) mod pkgjson;
mod plan;
mod prisma;
mod runfiles;
mod scripts;
mod server;
mod tsc_root;
mod tsconfig;
mod typescript;
mod version;
mod workspace;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use anyhow::{bail, Result};
use serde_json::json;

use super::stack::{Example, Parser, Stack};
use super::services;
use super::{has_marker, join_rel, read_manifest, read_small_text, read_source, Candidate, Choice, ChoiceOption, Fact, Facts};
use pkgjson::JsonDoc;
use version::Resolved;

pub(super) static STACK: Stack = Stack {
    name: "node",
    markers: &["package.json"],
    probe,
    decisive_facts: &[
        "app",
        "kind",
        "framework",
        "module",
        "build_script",
        "output_dir",
        "base_path",
        "next_output",
        "node_version",
        "package_manager",
        "package_manager_version",
    ],
    internal_facts: &[
        "has_frontend",
        "frontend",
        "fallback_page",
        "never_listens",
        "install_files",
        "yarn_focus",
        "port_fixed",
        "dockerfile_dir",
        "lockfile",
        "lockfile_stale",
        "pnpm_lock_settings",
        "app_dir",
        "app_name",
        "workspace_root",
        "whole_app",
        "build_reads",
        "corepack",
        "compiled_dir",
        "prod_dependencies",
        "public_dir",
        "spa",
        "yarn_path",
    ],
    derive: plan::derive,
    plan_fields: plan::FIELDS,
    build_inputs: true,
    program_key: "app",
    image_name: |values| values.get("app_name").and_then(|v| v.as_str()).map(String::from),
    examples: &[
        Example {
            preset: "node-static",
            folder: "node-spa",
        },
        Example {
            preset: "node-server",
            folder: "node-server",
        },
        Example {
            preset: "nextjs-standalone",
            folder: "node-nextjs",
        },
    ],
    parsers: &[Parser {
        name: "node",
        parse: fuzz_text,
    }],
    fuzz_paths: &[
        "package.json",
        "package-lock.json",
        "pnpm-lock.yaml",
        "pnpm-workspace.yaml",
        "yarn.lock",
        ".yarnrc.yml",
        ".nvmrc",
        "vite.config.ts",
        "next.config.js",
        "angular.json",
        "tsconfig.json",
        "src/index.ts",
        "server.js",
        "apps/web/package.json",
        "apps/api/package.json",
        "apps/api/src/main.ts",
        ".npmrc",
        "index.html",
        ".env.example",
        "bun.lock",
    ],
};

/// Where the build context is and how its files are named for the user (relative to PATH).
pub(super) struct Context {
    /// The context folder: the workspace root, or PATH itself.
    pub(super) dir: PathBuf,
    /// From PATH to the context (`../..`), "." when PATH is the context.
    pub(super) up: String,
    /// PATH inside the context (`apps/web`), "." when PATH is the context.
    pub(super) down: String,
    /// The engines limits of the lockfile in each folder (relative to the context) read so far: every app of
    /// a workspace shares the root's, and a big lockfile is parsed once.
    lock_limits: RefCell<HashMap<String, Rc<Vec<engines::Limit>>>>,
    /// The package-lock.json files (by path relative to the context) read so far, parsed: the engines limits,
    /// the frozen-install check and the peer check each read the same one.
    npm_locks: RefCell<HashMap<String, Option<Rc<npmlock::LockFile>>>>,
    /// The workspace's package manager (`pnpm`), once detected: every app of it installs with that one.
    manager: RefCell<String>,
}

impl Context {
    pub(super) fn new(dir: PathBuf, up: String, down: String) -> Self {
        Context {
            dir,
            up,
            down,
            lock_limits: RefCell::default(),
            npm_locks: RefCell::default(),
            manager: RefCell::default(),
        }
    }

    /// The package manager the context installs with (empty before it is detected).
    pub(super) fn manager(&self) -> String {
        self.manager.borrow().clone()
    }

    /// The engines limits of the lockfile in `dir` (relative to the context), read once per folder.
    fn lock_limits(&self, dir: &str) -> Rc<Vec<engines::Limit>> {
        if let Some(known) = self.lock_limits.borrow().get(dir) {
            return Rc::clone(known);
        }
        let npm = self.npm_lock(&join_rel(dir, "package-lock.json"));
        let read = Rc::new(engines::limits(npm.as_deref(), &self.dir.join(dir), &|name| self.shown(&join_rel(dir, name))));
        self.lock_limits.borrow_mut().insert(dir.to_string(), Rc::clone(&read));
        read
    }

    /// The npm lockfile at `rel` (relative to the context), read and parsed once; None when it cannot be read.
    fn npm_lock(&self, rel: &str) -> Option<Rc<npmlock::LockFile>> {
        if let Some(known) = self.npm_locks.borrow().get(rel) {
            return known.clone();
        }
        let read = read_small_text(&self.dir.join(rel)).map(|text| Rc::new(npmlock::LockFile::new(text)));
        self.npm_locks.borrow_mut().insert(rel.to_string(), read.clone());
        read
    }

    /// `rel` (relative to the context) as the user sees it from PATH.
    pub(super) fn shown(&self, rel: &str) -> String {
        if self.down == "." {
            return rel.to_string();
        }
        if let Some(inner) = rel.strip_prefix(&format!("{}/", self.down)) {
            return inner.to_string();
        }
        join_rel(&self.up, rel)
    }

    /// A JSON manifest whose top level must be an object (package.json, angular.json).
    pub(super) fn read_json(&self, rel: &str) -> Result<JsonDoc> {
        let shown = self.shown(rel);
        let text = read_manifest(&self.dir, rel).map_err(|e| rename_error(&e, rel, &shown))?;
        let doc = JsonDoc::parse_file(&text, &shown)?;
        if !doc.value.is_object() {
            bail!("{shown}:1: the top level is not a JSON object");
        }
        Ok(doc)
    }
}

/// Errors from `read_manifest` name the file relative to the context; the user needs it relative to PATH.
pub(super) fn rename_error(err: &anyhow::Error, rel: &str, shown: &str) -> anyhow::Error {
    anyhow::anyhow!("{}", format!("{err:#}").replacen(rel, shown, 1))
}

fn probe(root: &Path) -> Result<Option<Candidate>> {
    if !has_marker(root, "package.json")? {
        return Ok(None);
    }
    let here = Context::new(root.to_path_buf(), ".".into(), ".".into());
    let package = here.read_json("package.json")?;
    let mut warnings = Vec::new();
    let (context, members, members_source) = match workspace::own_workspace(&here, &package, &mut warnings)? {
        Some((members, source)) => (here, Some(members), source),
        None => match workspace::enclosing_workspace(root)? {
            Some((context, members, source)) => (context, Some(members), source),
            None => (here, None, String::new()),
        },
    };
    // PATH is a member of a workspace above it: the repository is that workspace.
    let _confined = (context.down != ".").then(|| crate::files::Confine::to(&context.dir));
    let root_package = if context.down == "." {
        package.clone()
    } else {
        context.read_json("package.json")?
    };
    let mut candidate = Candidate {
        stack: "node",
        evidence: "package.json".into(),
        facts: Facts::new(),
        choices: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    let lockfile = manager::package_manager(&context, &root_package, &mut candidate.facts, &mut warnings)?;
    if let Some(manager) = candidate.facts.get("package_manager").and_then(|f| f.value.as_str()) {
        context.manager.replace(manager.to_string());
    }
    let mut install_files = install_files(&context, lockfile)?;
    let names = match &members {
        Some(members) => workspace::member_names(&context, members)?,
        None => Vec::new(),
    };
    if let Some(lockfile) = lockfile {
        let manifests = (&root_package, &package);
        say_stale_lockfile(&context, lockfile, manifests, &names, &mut candidate.facts, &mut warnings);
        pnpm_settings(&context, lockfile, &mut candidate.facts);
        if lockfile == "package-lock.json" {
            npm_peer_config(&context, &mut candidate.facts);
        }
    }
    if let Some(members) = members {
        candidate.facts.insert(
            "workspace_root".into(),
            Fact::new(context.up.clone(), context.shown(&members_source)),
        );
        install_files.extend(members.iter().map(|member| join_rel(member, "package.json")));
        if context.down == "." {
            workspace_apps(
                &context,
                &members,
                &members_source,
                &root_package,
                &names,
                &mut candidate,
            )?;
        } else {
            let facts = analyse(
                &context,
                &context.down,
                (&package, &root_package),
                &names,
                (&mut warnings, &mut candidate.notes),
            )?;
            if let Some(why) = unselectable(&candidate.facts, &context.down, &facts) {
                bail!("{}: {why}", context.shown(&join_rel(&context.down, "package.json")));
            }
            candidate.facts.extend(facts);
        }
    } else {
        let facts = analyse(
            &context,
            ".",
            (&package, &root_package),
            &[],
            (&mut warnings, &mut candidate.notes),
        )?;
        candidate.facts.insert("app".into(), Fact::new(".", "package.json"));
        candidate.facts.extend(facts);
    }
    if let Some(secrets) = npmrc_secrets(&context)? {
        candidate.facts.insert("npmrc_secrets".into(), secrets);
    }
    hook_inputs(&context, &root_package, &mut install_files, &mut candidate.notes);
    candidate
        .facts
        .insert("install_files".into(), Fact::new(json!(install_files), "package.json"));
    candidate.facts.insert(
        "dockerfile_dir".into(),
        Fact::new(context.down.clone(), "package.json").with_note("where the Dockerfile is, inside the build context"),
    );
    candidate.warnings.extend(warnings);
    Ok(Some(candidate))
}

/// Every Node text parser on arbitrary text, for the fuzz target: package.json/lockfile JSON with key lines,
/// version strings, workspace and yarn settings, framework configs, scripts and JS sources.
fn fuzz_text(text: &str) -> usize {
    let json = JsonDoc::parse(text).map_or(0, |doc| doc.line("scripts.build") + doc.line("a.b.c"));
    let versions = text
        .lines()
        .filter(|l| matches!(version::resolve(l), Resolved::Line(..)))
        .count();
    let (patterns, _) = workspace::pnpm_workspace_packages(text);
    let globs = usize::from(crate::detect::members::MemberGlobs::new(&patterns).admits("apps/web"));
    let settings = [&["build", "outDir"][..], &["output"], &["compilerOptions", "rootDir"]]
        .iter()
        .filter(|path| {
            matches!(
                js::config::exported_setting(text, "fuzz.config.ts", path),
                js::config::Setting::Value { .. }
            ) || matches!(js::config::json_setting(text, path), js::config::Setting::Value { .. })
        })
        .count();
    let loads = js::imports::references(text, "fuzz.js").map_or(0, |r| r.modules.len() + r.paths.len());
    let scripts = text
        .lines()
        .filter(|line| server::start_from_script(line).is_some() || outputs::static_output(line).is_some())
        .count();
    let chains = scripts::fuzz_text(text) + super::toolchains::fuzz_text(text) + engines::fuzz_text(text);
    let env_names = buildenv::names_after(text, "import.meta.env.VITE_").len()
        + js::env::env_reads(text, "fuzz.ts").map_or(0, |r| r.names.len() + r.schemas.len());
    json + versions + globs + settings + loads + scripts + chains + env_names + listen::listen_in_source(text, false).ports.len()
}

/// Workspace member expansion, for the fuzz target: the members the patterns find under `root`.
pub(super) fn fuzz_workspace(root: &Path, patterns: &[String]) -> usize {
    workspace::expand_members(root, patterns).len()
}

/// A lockfile package.json has moved away from: the install resolves anew (a frozen one would stop), said with
/// the first dependency that differs.
fn say_stale_lockfile(
    context: &Context,
    lockfile: &str,
    (root_package, package): (&JsonDoc, &JsonDoc),
    members: &[(String, String)],
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) {
    let manager = facts.get("package_manager").and_then(|f| f.value.as_str()).unwrap_or_default().to_string();
    let mut manifests = vec![lockstate::Manifest { dir: ".", doc: root_package }];
    if context.down != "." {
        manifests.push(lockstate::Manifest { dir: &context.down, doc: package });
    }
    let members: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
    let Some(stale) = lockstate::stale(context, &manager, lockfile, &manifests, &members) else {
        return;
    };
    let (frozen, loose) = match manager.as_str() {
        "npm" => ("npm ci", "npm install"),
        "pnpm" => ("pnpm install --frozen-lockfile", "pnpm install"),
        "bun" => ("bun install --frozen-lockfile", "bun install"),
        _ => ("yarn install --frozen-lockfile", "yarn install"),
    };
    warnings.push(format!(
        "{}: {} out of date with package.json ({}): `{frozen}` would stop, so the image runs `{loose}`, which \
         resolves the difference on every build; run `{loose}` and commit {}",
        stale.source,
        context.shown(lockfile),
        stale.note.as_deref().unwrap_or_default(),
        context.shown(lockfile),
    ));
    facts.insert("lockfile_stale".into(), stale);
}

/// pnpm settings the lockfile was written with that differ from pnpm's defaults and that no committed file
/// (.npmrc, pnpm-workspace.yaml) sets: the builder sets them, or the frozen install stops on the mismatch.
fn pnpm_settings(context: &Context, lockfile: &str, facts: &mut Facts) {
    if lockfile != "pnpm-lock.yaml" {
        return;
    }
    let Some(text) = read_small_text(&context.dir.join(lockfile)) else {
        return;
    };
    let committed = |file: &str| read_small_text(&context.dir.join(file)).unwrap_or_default();
    let (npmrc, workspace) = (committed(".npmrc"), committed("pnpm-workspace.yaml"));
    let missing: Vec<_> = lockstate::pnpm_lock_settings(&text)
        .into_iter()
        .filter(|setting| {
            !npmrc.lines().any(|l| l.trim_start().starts_with(setting.name))
                && !workspace.contains(&format!("{}:", setting.key))
        })
        .collect();
    let Some(first) = missing.first() else {
        return;
    };
    let shown = context.shown(&format!("{lockfile}:{}", first.line));
    let settings: Vec<_> = missing.iter().map(|s| json!({"name": s.name, "value": s.value})).collect();
    facts.insert(
        "pnpm_lock_settings".into(),
        Fact::new(json!(settings), shown).with_note(
            "the lockfile was written with these pnpm settings, which no committed file sets: the builder sets them \
             (a frozen install stops on a mismatch)",
        ),
    );
}

/// npm options for peer dependencies that the project's own builds install with (`npm ci --legacy-peer-deps`
/// in its Dockerfile, `npm ci --force` in a CI workflow), else that its lockfile shows it was written with (a
/// peer installed at a version its range refuses), and no committed .npmrc sets: a lockfile written that way
/// does not install without them. The builder sets the same through npm's environment
/// (`NPM_CONFIG_LEGACY_PEER_DEPS=true`).
fn npm_peer_config(context: &Context, facts: &mut Facts) {
    let npmrc = read_small_text(&context.dir.join(".npmrc")).unwrap_or_default();
    if npmrc.lines().any(|l| l.trim_start().starts_with("legacy-peer-deps") || l.trim_start().starts_with("force")) {
        return;
    }
    let files = crate::detect::deploy::container_files(&context.dir)
        .into_iter()
        .chain(crate::detect::toolchains::workflow_files(&context.dir));
    for file in files {
        let Some(text) = read_small_text(&context.dir.join(&file)) else { continue };
        for (at, line) in text.lines().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some(npm) = words.windows(2).position(|w| w[0] == "npm" && matches!(w[1], "ci" | "install" | "i")) else {
                continue;
            };
            let option = words[npm + 2..].iter().find_map(|word| match *word {
                "--legacy-peer-deps" => Some("NPM_CONFIG_LEGACY_PEER_DEPS"),
                "--force" | "-f" => Some("NPM_CONFIG_FORCE"),
                _ => None,
            });
            if let Some(name) = option {
                let source = context.shown(&format!("{file}:{}", at + 1));
                facts.insert(
                    "npm_config".into(),
                    Fact::new(json!([{ "name": name, "value": "true" }]), source).with_note(
                        "the project's own build installs with this npm option (its lockfile needs it for peer \
                         dependencies); no committed .npmrc sets it",
                    ),
                );
                return;
            }
        }
    }
    // Else the lockfile itself: a peer installed at a version its range refuses was written with the option.
    let lock = context.npm_lock("package-lock.json");
    let conflict = lock.as_deref().and_then(|file| peers::conflict(file, &context.shown("package-lock.json")));
    if let Some(found) = conflict {
        let note = format!(
            "{} asks for {} and the lockfile installs {}: it was written with --legacy-peer-deps, without which \
             `npm ci` stops (ERESOLVE)",
            found.package, found.wants, found.installed
        );
        facts.insert(
            "npm_config".into(),
            Fact::new(json!([{ "name": "NPM_CONFIG_LEGACY_PEER_DEPS", "value": "true" }]), found.source).with_note(note),
        );
    }
}

/// What the install step needs before the sources: the manifest, the lockfile and package-manager settings.
fn install_files(context: &Context, lockfile: Option<&str>) -> Result<Vec<String>> {
    let mut files = vec!["package.json".to_string()];
    files.extend(lockfile.map(String::from));
    for extra in [
        ".npmrc",
        ".yarnrc",
        ".yarnrc.yml",
        "pnpm-workspace.yaml",
        "bunfig.toml",
        ".pnpmfile.cjs",
    ] {
        if has_marker(&context.dir, extra)? {
            files.push(extra.into());
        }
    }
    for dir in [".yarn/releases", ".yarn/plugins", ".yarn/patches", "patches"] {
        if context.dir.join(dir).is_dir() {
            files.push(format!("{dir}/"));
        }
    }
    Ok(files)
}

/// The files the root package's install hooks run, added to what the install step needs first, said.
fn hook_inputs(context: &Context, root_package: &JsonDoc, install_files: &mut Vec<String>, notes: &mut Vec<String>) {
    for (input, source) in scripts::hook_inputs(&App::new(context, ".", root_package)) {
        if !install_files.contains(&input) {
            notes.push(format!(
                "{source}: the install runs {input} (an install hook), so it is copied in before the install"
            ));
            install_files.push(input);
        }
    }
}

/// Variables `.npmrc` reads (`//registry.npmjs.org/:_authToken=${NPM_TOKEN}`): the install needs them, and
/// as tokens they are mounted as build secrets, never passed as ARGs.
fn npmrc_secrets(context: &Context) -> Result<Option<Fact>> {
    if !has_marker(&context.dir, ".npmrc")? {
        return Ok(None);
    }
    let text = read_manifest(&context.dir, ".npmrc")?;
    let mut names: Vec<String> = Vec::new();
    let mut first = None;
    for (i, line) in text.lines().enumerate() {
        for (at, _) in line.match_indices("${") {
            let rest = &line[at + 2..];
            let Some(end) = rest.find('}') else { continue };
            let name = &rest[..end];
            if crate::validate::is_env_name(name) && !names.iter().any(|n| n == name) && names.len() < 16 {
                names.push(name.to_string());
                first.get_or_insert(i + 1);
            }
        }
    }
    Ok(first.map(|line| {
        let source = context.shown(&format!(".npmrc:{line}"));
        Fact::new(json!(names), source).with_note(format!(
            "the install reads {} through .npmrc: build with --secret id=NAME,env=NAME (docker) or --secret \
             id=NAME,src=FILE",
            names.join(", ")
        ))
    }))
}

const ROOT_STARTS_NOTHING: &str =
    "package.json: the workspace root starts nothing of its own (no start script, no entry file): its members are the apps";

/// Whether the workspace root is a server with no start command of its own (a stray dependency, a `main` that
/// names nothing) beside members that have one: not an app, only where the workspace's tools live.
fn root_starts_nothing(analysed: &[(String, Facts, Vec<String>, Vec<String>)]) -> bool {
    let starts = |facts: &Facts| facts.contains_key("start_command");
    let root_server = analysed.iter().any(|(dir, facts, _, _)| {
        dir == "." && facts.get("kind").and_then(|k| k.value.as_str()) == Some("server") && !starts(facts)
    });
    root_server && analysed.iter().any(|(dir, facts, _, _)| dir != "." && starts(facts))
}

/// At a workspace's root: its apps (the root package when it is an app itself, members that are a site or a
/// server); one is taken, several are a choice whose default is the root app (the project's own package,
/// members beside it are helpers).
fn workspace_apps(
    context: &Context,
    members: &[String],
    members_source: &str,
    root_package: &JsonDoc,
    names: &[(String, String)],
    candidate: &mut Candidate,
) -> Result<()> {
    let mut options = Vec::new();
    let (mut skipped, mut libraries, mut elsewhere) = (Vec::new(), Vec::new(), Vec::new());
    let started = started_member(context, root_package, members, names);
    // A root whose start script starts a member is not an app besides it: it is not read as one.
    let root = started.is_none().then(|| (".".to_string(), root_package.clone()));
    let packages = members
        .iter()
        .map(|member| Ok((member.clone(), context.read_json(&join_rel(member, "package.json"))?)))
        .collect::<Result<Vec<_>>>()?;
    let mut analysed = Vec::new();
    for (dir, doc) in root.into_iter().chain(packages) {
        let (mut app_warnings, mut app_notes) = (Vec::new(), Vec::new());
        let facts = analyse(
            context,
            &dir,
            (&doc, root_package),
            names,
            (&mut app_warnings, &mut app_notes),
        )?;
        analysed.push((dir, facts, app_warnings, app_notes));
    }
    // The members other packages use: with no start command and no framework of their own, they are libraries.
    let used = used_members(analysed.iter().map(|(_, facts, _, _)| facts));
    let root_starts_nothing = root_starts_nothing(&analysed);
    for (dir, facts, app_warnings, app_notes) in analysed {
        // An app is a static site or a server; anything else is a library the apps use. The root counts only
        // with a framework of its own or a start command: its bare `build` usually runs the members' builds.
        let framework = facts
            .get("framework")
            .and_then(|f| f.value.as_str())
            .unwrap_or_default();
        let generic = framework == "static" || (framework == "node" && !facts.contains_key("start_command"));
        if used.contains(&dir) && generic {
            libraries.push(dir);
        } else if dir == "." && root_starts_nothing {
            candidate.notes.push(ROOT_STARTS_NOTHING.to_string());
        } else if let Some(why) = unselectable(&candidate.facts, &dir, &facts).filter(|_| facts.contains_key("kind")) {
            candidate
                .warnings
                .push(format!("{dir}/package.json: {why}; it is not offered"));
        } else if facts.contains_key("kind") && (dir != "." || !generic) {
            // Apps of one workspace share what is said of the workspace (its Node line): said once.
            say_once(&mut candidate.warnings, app_warnings);
            say_once(&mut candidate.notes, app_notes);
            let why = if dir == "." {
                vec!["the workspace root is an app itself; its members are helpers".to_string()]
            } else {
                Vec::new()
            };
            options.push(ChoiceOption {
                value: dir.clone(),
                source: join_rel(&dir, "package.json"),
                facts,
                why,
                warnings: Vec::new(),
                notes: Vec::new(),
            });
        } else if let Some(platform) = facts.get("other_platform").filter(|_| dir != ".") {
            elsewhere.push(format!(
                "{dir} builds for {} ({}), not for Node",
                platform.value.as_str().unwrap_or_default(),
                platform.source
            ));
        } else if dir != "." {
            skipped.push(dir);
        }
    }
    if let Some(started) = &started {
        started.say(&mut options, candidate);
    }
    match options.len() {
        0 => return Err(no_app(members_source, &skipped, &libraries, &elsewhere)),
        1 => {
            let only = options.remove(0);
            candidate.notes.extend(only_app_note(&only, &libraries, &skipped, &elsewhere));
            candidate
                .facts
                .insert("app".into(), Fact::new(only.value.clone(), only.source.clone()));
            candidate.facts.extend(only.facts);
        }
        _ => {
            // The root app is the project's own; else the member the root starts; else the one member the
            // deployment files build.
            let mut deployed = Vec::new();
            for option in options.iter_mut().filter(|o| o.value != ".") {
                if let Some(source) = super::deploy::built_by(&context.dir, &option.value) {
                    option.why.insert(0, format!("built by {}", context.shown(&source)));
                    deployed.push(option.value.clone());
                }
            }
            let default = options
                .iter()
                .find(|o| o.value == ".")
                .map(|o| o.value.clone())
                .or_else(|| started.map(|started| started.dir).filter(|dir| options.iter().any(|o| o.value == *dir)))
                .or_else(|| (deployed.len() == 1).then(|| deployed.remove(0)));
            let alternative = Some(run_in_app_folder(&options));
            candidate.choices.push(Choice {
                default,
                key: "app".into(),
                options,
                alternative,
            });
        }
    }
    Ok(())
}

/// The other way to pick an app: a run in its own folder (the workspace is found above it).
/// The workspace members other packages use (their `workspace_deps`).
fn used_members<'a>(apps: impl Iterator<Item = &'a Facts>) -> std::collections::BTreeSet<String> {
    apps.filter_map(|facts| facts.get("workspace_deps")?.value.as_array().cloned())
        .flatten()
        .filter_map(|dep| dep["dir"].as_str().map(str::to_string))
        .collect()
}

fn say_once(said: &mut Vec<String>, more: Vec<String>) {
    for line in more {
        if !said.contains(&line) {
            said.push(line);
        }
    }
}

/// The workspace member a root's start script runs its own script in (`npm run start --prefix backend`,
/// `yarn workspace api start`), or the root's deployment files' command does (Procfile `web: yarn workspace
/// api start`), with what says so and its line.
struct Started {
    dir: String,
    /// `the root's scripts.start`, `the root's deployment command`.
    by: String,
    source: String,
}

impl Started {
    /// Why the member is the app (its option's first reason), and that the root is not one.
    fn say(&self, options: &mut [ChoiceOption], candidate: &mut Candidate) {
        if let Some(option) = options.iter_mut().find(|option| option.value == self.dir) {
            let why = format!("started by {} ({})", self.by, self.source);
            option.why.insert(0, why);
        }
        candidate.notes.push(format!(
            "{}: {} starts {}, so the root package is not an app of its own",
            self.source, self.by, self.dir
        ));
    }
}

/// The member the root's start script starts, else the one the root's deployment files' command starts, when
/// it names one of the workspace's members (by folder or by package name).
fn started_member(
    context: &Context,
    root_package: &JsonDoc,
    members: &[String],
    names: &[(String, String)],
) -> Option<Started> {
    let root = App::new(context, ".", root_package);
    let by_script = server::START_SCRIPTS.iter().find_map(|name| {
        let member = scripts::delegated_member(&root, name)?;
        Some((member, format!("the root's scripts.{name}"), root.at(&format!("scripts.{name}"))))
    });
    let (member, by, source) = by_script.or_else(|| {
        let runtime = crate::detect::deploy::read(&context.dir, ".", &[], &|_, _| true);
        let (words, source) = runtime.command?;
        let member = scripts::member_of_command(&shlex::try_join(words.iter().map(String::as_str)).ok()?)?;
        Some((member, "the root's deployment command".to_string(), context.shown(&source)))
    })?;
    let dir = names
        .iter()
        .find(|(name, _)| *name == member)
        .map_or(member.clone(), |(_, dir)| dir.clone());
    members.contains(&dir).then_some(Started { dir, by, source })
}

fn run_in_app_folder(options: &[ChoiceOption]) -> String {
    let folders: Vec<&str> = options
        .iter()
        .map(|o| o.value.as_str())
        .filter(|dir| *dir != ".")
        .collect();
    format!("or run dockgen init in one app's folder ({})", folders.join(", "))
}

/// Why a workspace member cannot be built: pnpm, yarn and bun select a workspace package by its name, and this
/// one has none (npm selects by folder).
fn unselectable(workspace: &Facts, dir: &str, facts: &Facts) -> Option<String> {
    let manager = workspace
        .get("package_manager")
        .and_then(|f| f.value.as_str())
        .unwrap_or("npm");
    (dir != "." && manager != "npm" && !facts.contains_key("app_name"))
        .then(|| format!("the package has no `name`, and {manager} selects a workspace package by name: add one"))
}

/// Everything about one app (a package folder `dir` relative to the context); without a `kind` it is neither
/// a site nor a server (a library, or a package that says nothing about what to run).
fn analyse(
    context: &Context,
    dir: &str,
    (package, root_package): (&JsonDoc, &JsonDoc),
    members: &[(String, String)],
    (warnings, notes): (&mut Vec<String>, &mut Vec<String>),
) -> Result<Facts> {
    let app = App::new(context, dir, package);
    let mut facts = Facts::new();
    if let Some(name) = package.str("name") {
        facts.insert("app_name".into(), Fact::new(name, app.at("name")));
    }
    facts.insert("app_dir".into(), Fact::new(dir, app.file("package.json")));
    if let Some(version) = version::node_version(context, &app, root_package, warnings)? {
        facts.insert("node_version".into(), version);
    }
    if let Some(native) = crate::knowledge::node::native_modules()
        .iter()
        .find_map(|m| app.dependency(m))
    {
        let note = format!(
            "{}: native code built against glibc",
            native.value.as_str().unwrap_or_default()
        );
        facts.insert("native_modules".into(), Fact::new(true, native.source).with_note(note));
    }
    if let Some(fact) = legacy_openssl(&app) {
        facts.insert("legacy_openssl".into(), fact);
    }
    let local = workspace::member_dependencies(context, dir, package, members)?;
    if !local.is_empty() {
        let deps: Vec<serde_json::Value> = local
            .iter()
            .map(|(member, doc)| json!({ "dir": member, "files": workspace::shipped_files(doc) }))
            .collect();
        facts.insert(
            "workspace_deps".into(),
            Fact::new(json!(deps), app.file("package.json"))
                .with_note("workspace packages the app uses, directly or through each other"),
        );
    }
    let is_app = framework::framework(&app, &mut facts, warnings)?;
    prisma::prisma(&app, &mut facts, warnings);
    if let Some(builds) = workspace_builds(context, &local, &facts) {
        facts.insert("workspace_builds".into(), builds);
    }
    buildenv::build_env(&app, &mut facts, warnings);
    dev_hooks(context, &app, root_package, &mut facts);
    notes.extend(contract::apply(context, dir, &mut facts, warnings));
    // The front-end stage says why it is there (the folder the server serves, which package.json builds it).
    notes.extend(facts.get("frontend").and_then(|stage| stage.note.clone()));
    services::record(&context.dir, dir, service_clues(&app), &mut facts);
    ship_whole_app_for_odd_names(&mut facts);
    warnings.extend(app.warnings());
    // A workspace member that is neither is a library, skipped without a word at the workspace's root.
    let is_the_target = members.is_empty() || context.down == dir;
    // (An app with a build script that is neither was said why by the framework's own check.)
    if !is_app && is_the_target && !facts.contains_key("build_script") {
        warnings.push(format!(
            "{} has neither a build nor a start script (nor `main`), so dockgen cannot tell what to run: \
             pass --preset node-static --set output_dir=DIR for a static site, or --preset node-server \
             --set start_command=\"node server.js\" for a server",
            app.file("package.json")
        ));
    }
    Ok(facts)
}

/// Run-time files whose names a COPY line cannot hold unquoted (a Next.js route group `app/(auth)/…`, a
/// dynamic segment `[id]`, which COPY would read as a pattern): the whole folder ships instead, as when the
/// walk meets such a name itself.
fn ship_whole_app_for_odd_names(facts: &mut Facts) {
    let Some(files) = facts.get("runtime_files") else { return };
    let odd: Vec<&str> = files
        .value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str())
        .filter(|path| crate::validate::context_path(path).is_err())
        .collect();
    if odd.is_empty() {
        return;
    }
    let note = format!("names dockgen does not write into a COPY line ({}), so the whole folder ships", odd.join(", "));
    let source = files.source.clone();
    facts.shift_remove("runtime_files");
    facts.insert("whole_app".into(), Fact::new(true, source).with_note(note));
}

/// What the app's code talks to: the service clients among its run-time dependencies, and its Prisma datasource.
fn service_clues(app: &App) -> Vec<services::Clue> {
    let mut clues: Vec<services::Clue> = app
        .package
        .object("dependencies")
        .into_iter()
        .flat_map(|deps| deps.keys())
        .filter_map(|name| services::Clue::library("npm", name, &app.at(&format!("dependencies.{name}"))))
        .collect();
    if let Some(((provider, source), variable)) = prisma::datasource(app) {
        clues.extend(services::Clue::prisma(&provider, &source).map(|clue| clue.read_from(variable)));
    }
    clues
}

/// A workspace with no app: the members to run dockgen on, and those that build for another platform.
fn no_app(members_source: &str, skipped: &[String], libraries: &[String], elsewhere: &[String]) -> anyhow::Error {
    let members: Vec<&str> = skipped.iter().chain(libraries).map(String::as_str).collect();
    let run_on = (!members.is_empty()).then(|| format!("run dockgen on one of them: {}", members.join(", ")));
    let parts: Vec<String> = std::iter::once("no workspace package is an app (a static site or a server)".to_string())
        .chain(run_on)
        .chain(elsewhere.iter().cloned())
        .collect();
    anyhow::anyhow!("{members_source}: {}", parts.join("; "))
}

/// Why the one app of a workspace is the only one: the other members are libraries or have nothing to run.
fn only_app_note(only: &ChoiceOption, libraries: &[String], skipped: &[String], elsewhere: &[String]) -> Option<String> {
    // The word that agrees with how many folders are named.
    let agree = |dirs: &[String], one: &'static str, many: &'static str| if dirs.len() == 1 { one } else { many };
    let mut others = Vec::new();
    if !libraries.is_empty() {
        others.push(format!(
            "{} {} used by other packages, with no start or framework of {} own (libraries)",
            libraries.join(", "),
            agree(libraries, "is", "are"),
            agree(libraries, "its", "their")
        ));
    }
    if !skipped.is_empty() {
        others.push(format!(
            "{} {} no build or start of {} own",
            skipped.join(", "),
            agree(skipped, "has", "have"),
            agree(skipped, "its", "their")
        ));
    }
    others.extend(elsewhere.iter().cloned());
    (!others.is_empty()).then(|| {
        format!(
            "app {} ({}): the only app of the workspace; {}",
            only.value,
            only.source,
            others.join("; ")
        )
    })
}

/// The workspace packages the app uses that have the app's build script (their `dist/` is made by it, not
/// committed), in the order they must be built: each after the packages it uses. pnpm and yarn berry order
/// them themselves; npm, yarn 1 and bun build them one by one.
fn workspace_builds(context: &Context, local: &[(String, JsonDoc)], facts: &Facts) -> Option<Fact> {
    let script = facts.get("build_script")?.value.as_str()?;
    let key = format!("scripts.{script}");
    let (builds, sources): (Vec<serde_json::Value>, Vec<String>) = local
        .iter()
        .filter_map(|(member, doc)| {
            doc.str(&key)?;
            let build = json!({ "dir": member, "name": doc.str("name")? });
            Some((build, App::new(context, member, doc).at(&key)))
        })
        .unzip();
    (!builds.is_empty()).then(|| {
        Fact::new(json!(builds), sources.join(", "))
            .with_note(format!("workspace packages built with `{script}` before the app"))
    })
}

/// Install hooks of the workspace root and the app that call a devDependency: the production install would
/// fail on them (`husky: not found`), so the deps stage drops them first (`npm pkg delete scripts.prepare`).
fn dev_hooks(context: &Context, app: &App, root_package: &JsonDoc, facts: &mut Facts) {
    let root = App::new(context, ".", root_package);
    let mut packages = vec![app];
    if app.dir != "." {
        packages.insert(0, &root);
    }
    let mut hooks = Vec::new();
    let mut sources = Vec::new();
    for package in packages {
        for hook in scripts::dev_tool_hooks(package) {
            sources.push(format!("{} (`{}` runs {})", hook.source, hook.script, hook.tool));
            hooks.push(json!({ "dir": package.dir, "script": hook.script }));
        }
    }
    if let Some(first) = sources.first() {
        let source = first.split(' ').next().unwrap_or_default().to_string();
        facts.insert(
            "dev_hooks".into(),
            Fact::new(json!(hooks), source).with_note(format!(
                "install hooks that need a devDependency, dropped before the production install: {}",
                sources.join(", ")
            )),
        );
    }
}

/// A build tool the app depends on at a release that hashes with MD4 (`react-scripts` 2, webpack 4 before 4.47):
/// Node 17 and later build it only with OpenSSL's legacy provider on. The release is the lowest the declared
/// range allows (`^4.46.0` → 4.46.0).
fn legacy_openssl(app: &App) -> Option<Fact> {
    crate::knowledge::node::md4_tools().iter().find_map(|tool| {
        let (section, declared) = ["dependencies", "devDependencies"]
            .iter()
            .find_map(|section| Some((*section, app.package.object(section)?.get(&tool.package)?.as_str()?)))?;
        hashes_with_md4(declared, &tool.fixed_in).then(|| {
            Fact::new(true, app.at(&format!("{section}.{}", tool.package))).with_note(format!(
                "{} {declared} hashes with MD4, which Node 17 and later allow only with OpenSSL's legacy provider",
                tool.package
            ))
        })
    })
}

/// Whether the lowest release a declared range allows comes before `fixed_in`; false for what is not a range
/// (a tag, a URL) and for a range with no lower bound (`*`), which says nothing of the release.
fn hashes_with_md4(declared: &str, fixed_in: &str) -> bool {
    let parse = |version: &str| nodejs_semver::Version::parse(version).ok();
    let lowest = nodejs_semver::Range::parse(declared).ok().and_then(|range| range.min_version());
    match (lowest, parse(fixed_in), parse("0.0.0")) {
        (Some(lowest), Some(fixed), Some(unbounded)) => lowest > unbounded && lowest < fixed,
        _ => false,
    }
}

/// One package folder and the package.json in it.
pub(super) struct App<'a> {
    pub(super) context: &'a Context,
    pub(super) dir: String,
    pub(super) package: &'a JsonDoc,
    /// Optional files (configs, version files) that exist but could not be read as text: said, then ignored.
    unreadable: std::cell::RefCell<Vec<String>>,
    /// The folder tsc compiles from when tsconfig sets none, once computed (it walks the app).
    tsc_root: std::cell::OnceCell<Option<tsc_root::TscRoot>>,
}

impl<'a> App<'a> {
    pub(super) fn new(context: &'a Context, dir: &str, package: &'a JsonDoc) -> Self {
        App {
            context,
            dir: dir.to_string(),
            package,
            unreadable: std::cell::RefCell::default(),
            tsc_root: std::cell::OnceCell::new(),
        }
    }

    /// A file of the app as the user sees it.
    pub(super) fn file(&self, name: &str) -> String {
        self.context.shown(&join_rel(&self.dir, name))
    }

    /// `package.json:LINE` of a key.
    pub(super) fn at(&self, key: &str) -> String {
        format!("{}:{}", self.file("package.json"), self.package.line(key))
    }

    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.context.dir.join(join_rel(&self.dir, name))
    }

    /// Whether only devDependencies declare `name`: a production install leaves it out.
    pub(super) fn is_dev_only(&self, name: &str) -> bool {
        let declares = |section: &str| self.package.object(section).is_some_and(|deps| deps.contains_key(name));
        declares("devDependencies") && !declares("dependencies") && !declares("optionalDependencies")
    }

    /// The declaring line when the app depends on `name` (dependencies or devDependencies).
    pub(super) fn dependency(&self, name: &str) -> Option<Fact> {
        ["dependencies", "devDependencies"].iter().find_map(|section| {
            self.package
                .object(section)
                .filter(|deps| deps.contains_key(name))
                .map(|_| Fact::new(name, self.at(&format!("{section}.{name}"))))
        })
    }

    pub(super) fn script(&self, name: &str) -> Option<(String, String)> {
        self.package
            .str(&format!("scripts.{name}"))
            .map(|s| (s.to_string(), self.at(&format!("scripts.{name}"))))
    }

    /// The build script, unless it does nothing (`"build": "echo No build needed"`, `true`, `exit 0`): a no-op
    /// makes no file a start command could run.
    pub(super) fn build_script(&self) -> Option<(String, String)> {
        let (text, source) = self.script("build")?;
        let no_op = text.split("&&").all(|step| {
            let word = step.split_whitespace().next().unwrap_or_default();
            matches!(word, "echo" | "true" | ":" | "exit" | "") && !step.contains(['>', '|', ';', '$', '`'])
        });
        (!no_op).then_some((text, source))
    }

    /// The first config file of these names that exists, with its text.
    pub(super) fn config(&self, names: &[&str]) -> Option<(String, String)> {
        names
            .iter()
            .find_map(|name| self.text(name).map(|text| (self.file(name), text)))
    }

    /// An optional file's text: None when absent; present but binary, huge or not a regular file is noted
    /// (see `warnings`) and treated as absent.
    pub(super) fn text(&self, name: &str) -> Option<String> {
        let path = self.path(name);
        std::fs::symlink_metadata(&path).ok()?;
        let text = if runfiles::is_source(name) {
            read_source(&path)
        } else {
            read_small_text(&path)
        };
        if text.is_none() {
            let file = self.file(name);
            let mut unreadable = self.unreadable.borrow_mut();
            if !unreadable.contains(&file) {
                unreadable.push(file);
            }
        }
        text
    }

    /// The optional files that could not be read, as warnings.
    fn warnings(&self) -> Vec<String> {
        self.unreadable
            .borrow()
            .iter()
            .map(|file| format!("{file} is not readable UTF-8 text of at most 4 MB; its settings are ignored"))
            .collect()
    }
}


#[cfg(test)]
mod tests {
    use super::{hashes_with_md4, ship_whole_app_for_odd_names, Fact, Facts};

    #[test]
    fn run_time_files_with_odd_names_ship_the_whole_folder() {
        let mut facts = Facts::new();
        let files = serde_json::json!(["package.json", "server.js", "src/app/(app)/lib/loader.ts"]);
        facts.insert("runtime_files".into(), Fact::new(files, "package.json:5"));
        ship_whole_app_for_odd_names(&mut facts);
        assert!(!facts.contains_key("runtime_files"));
        let whole = &facts["whole_app"];
        assert_eq!(whole.value, serde_json::json!(true));
        assert!(whole.note.as_deref().is_some_and(|note| note.contains("src/app/(app)/lib/loader.ts")));
        let mut plain = Facts::new();
        plain.insert("runtime_files".into(), Fact::new(serde_json::json!(["server.js", "src"]), "package.json:5"));
        ship_whole_app_for_odd_names(&mut plain);
        assert!(plain.contains_key("runtime_files") && !plain.contains_key("whole_app"));
    }

    #[test]
    fn the_lowest_release_a_range_allows_is_compared() {
        assert!(hashes_with_md4("4.46.0", "4.47.0"));
        assert!(hashes_with_md4("^4.46.0", "4.47.0"));
        assert!(!hashes_with_md4("4.47.0", "4.47.0"));
        assert!(!hashes_with_md4("5", "5.0.0"));
        assert!(hashes_with_md4("~2.1.8", "5.0.0"));
        assert!(!hashes_with_md4("x", "5.0.0"));
        assert!(!hashes_with_md4("*", "5.0.0"));
        assert!(!hashes_with_md4("latest", "5.0.0"));
        assert!(!hashes_with_md4("github:webpack/webpack#v4.46.0", "4.47.0"));
    }
}
