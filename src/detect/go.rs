//! The Go probe: go.mod or go.work, main packages, cgo, vendoring and the listen port, all from the files.

use std::collections::BTreeSet;
use std::path::{Component, Path};

use anyhow::{bail, Result};
use serde_json::json;

use super::gomod::{self, GoMod};
use super::gosrc::{self, Lexed, Token};
use super::walk;
use super::{has_marker, join_rel, read_manifest, read_small_text, Candidate, Choice, ChoiceOption, Fact, Facts};

pub(super) const MARKERS: &[&str] = &["go.mod", "go.work"];

/// Modules that compile C code through cgo, so the binary needs `CGO_ENABLED=1` and a libc at runtime.
const CGO_MODULES: &[&str] = &[
    "github.com/mattn/go-sqlite3",
    "github.com/confluentinc/confluent-kafka-go",
    "github.com/confluentinc/confluent-kafka-go/v2",
    "gopkg.in/confluentinc/confluent-kafka-go.v1",
    "github.com/mattn/go-oci8",
    "github.com/godror/godror",
];

/// Calls whose string arguments are listen addresses: net/http, net, gin, echo, fiber.
const LISTEN_CALLS: &[&str] = &[
    "ListenAndServe",
    "ListenAndServeTLS",
    "Listen",
    "Run",
    "RunTLS",
    "Start",
];

/// Flag constructors whose default value is the listen address or port when the flag is named so.
const FLAG_CALLS: &[&str] = &["String", "StringVar", "Int", "IntVar", "Uint", "UintVar"];

/// One Go module of the build: the root module, or one `use` entry of a workspace.
struct Module {
    /// Directory relative to the build root, "." for the root.
    dir: String,
    path: String,
    gomod: GoMod,
    has_go_sum: bool,
}

pub(super) fn probe(root: &Path) -> Result<Option<Candidate>> {
    if has_marker(root, "go.work")? {
        probe_workspace(root).map(Some)
    } else if has_marker(root, "go.mod")? {
        probe_module(root).map(Some)
    } else {
        Ok(None)
    }
}

fn probe_module(root: &Path) -> Result<Candidate> {
    let module = read_module(root, ".")?;
    let mut candidate = new_candidate("go.mod");
    match version_fact(&module.gomod, "go.mod") {
        Some(fact) => insert(&mut candidate.facts, "go_version", fact),
        None => candidate.warnings.push(
            "go.mod has no go directive: pass --set go_version=1.N (or --builder-image) to choose the Go toolchain"
                .into(),
        ),
    }
    let module_line = module.gomod.module.as_ref().map_or(1, |m| m.1);
    insert(
        &mut candidate.facts,
        "module",
        Fact::new(module.path.clone(), format!("go.mod:{module_line}")),
    );
    insert(
        &mut candidate.facts,
        "workspace",
        Fact::new(false, "go.work").with_note("not present"),
    );
    if let Some(outer) = enclosing_workspace(root) {
        candidate.warnings.push(format!(
            "{} is outside the build context, so the image builds this module alone: modules it takes from \
             that workspace must be published or vendored (or run dockgen in the workspace root)",
            outer.display()
        ));
    }
    finish(root, &[module], &[], &mut candidate)?;
    Ok(candidate)
}

fn probe_workspace(root: &Path) -> Result<Candidate> {
    let work = gomod::parse_go_work(&read_manifest(root, "go.work")?).map_err(|e| anyhow::anyhow!("go.work:{e}"))?;
    let mut modules = Vec::new();
    for (dir, line) in &work.uses {
        let dir = normalise_use_dir(dir).ok_or_else(|| {
            anyhow::anyhow!(
                "go.work:{line}: `use {dir}` is outside the build context; run dockgen in the directory that holds every used module"
            )
        })?;
        let gomod_rel = join_rel(&dir, "go.mod");
        if !root.join(&gomod_rel).is_file() {
            bail!("go.work:{line}: `use {dir}` has no {gomod_rel}");
        }
        modules.push(read_module(root, &dir)?);
    }
    if modules.is_empty() {
        bail!("go.work has no `use` directive, so there is no module to build");
    }
    let mut candidate = new_candidate("go.work");
    let workspace_version = version_fact_from(work.go.as_ref(), work.toolchain.as_ref(), "go.work");
    let newest_module_version = modules
        .iter()
        .filter_map(|m| version_fact(&m.gomod, &join_rel(&m.dir, "go.mod")))
        .max_by_key(|fact| version_key(fact.value.as_str().unwrap_or_default()));
    match workspace_version.or(newest_module_version) {
        Some(fact) => insert(&mut candidate.facts, "go_version", fact),
        None => candidate
            .warnings
            .push("neither go.work nor its modules have a go directive: pass --set go_version=1.N".into()),
    }
    let uses: Vec<&str> = modules.iter().map(|m| m.dir.as_str()).collect();
    let first_use = work.uses.first().map_or(1, |u| u.1);
    insert(
        &mut candidate.facts,
        "workspace",
        Fact::new(json!(uses), format!("go.work:{first_use}")),
    );
    finish(root, &modules, &work.replaced, &mut candidate)?;
    Ok(candidate)
}

/// A go.work in a folder above the module, which go would use locally but a build of this folder cannot see.
fn enclosing_workspace(root: &Path) -> Option<std::path::PathBuf> {
    let absolute = std::fs::canonicalize(root).ok()?;
    absolute
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("go.work"))
        .find(|path| path.is_file())
}

fn new_candidate(evidence: &str) -> Candidate {
    Candidate {
        stack: "go",
        evidence: evidence.into(),
        facts: Facts::new(),
        choices: Vec::new(),
        warnings: Vec::new(),
    }
}

fn insert(facts: &mut Facts, key: &str, fact: Fact) {
    facts.insert(key.to_string(), fact);
}

/// The facts every Go build shares: main packages, cgo, vendoring and the files that pin dependencies.
fn finish(root: &Path, modules: &[Module], workspace_replaced: &[String], candidate: &mut Candidate) -> Result<()> {
    let workspace = candidate.evidence == "go.work";
    let main_packages = find_main_packages(root, modules);
    let sources = module_sources(root, modules)?;

    insert(&mut candidate.facts, "cgo", cgo_fact(modules, &sources));

    let vendored = root.join("vendor/modules.txt").is_file();
    if vendored {
        insert(&mut candidate.facts, "vendor", Fact::new(true, "vendor/modules.txt"));
    } else {
        if root.join("vendor").is_dir() {
            candidate
                .warnings
                .push("vendor/ has no modules.txt, so go ignores it; run `go mod vendor` to use it".into());
        }
        insert(
            &mut candidate.facts,
            "vendor",
            Fact::new(false, "vendor/modules.txt").with_note("not present"),
        );
    }
    insert(
        &mut candidate.facts,
        "module_files",
        module_files_fact(root, modules, workspace),
    );
    let download_step = if vendored {
        Fact::new(false, "vendor/modules.txt").with_note("dependencies are vendored")
    } else {
        download_step_fact(modules, workspace_replaced)
    };
    insert(&mut candidate.facts, "download_step", download_step);

    let other_main_dirs: Vec<String> = main_packages.iter().map(|m| m.dir.clone()).collect();
    let mut options: Vec<ChoiceOption> = main_packages
        .iter()
        .map(|main| main_package_option(main, &sources, &other_main_dirs, workspace, &mut candidate.warnings))
        .collect();
    match options.len() {
        0 => candidate.warnings.push(format!(
            "no main package found (looked in {}): pass --set main_package=./path/to/cmd",
            looked_in(modules)
        )),
        1 => {
            let only = options.remove(0);
            insert(&mut candidate.facts, "main_package", Fact::new(only.value, only.source));
            candidate.facts.extend(only.facts);
        }
        _ => candidate.choices.push(Choice {
            key: "main_package".into(),
            options,
        }),
    }
    Ok(())
}

fn looked_in(modules: &[Module]) -> String {
    modules
        .iter()
        .flat_map(|m| [format!("{}/", m.dir), join_rel(&m.dir, "cmd/*/")])
        .collect::<Vec<_>>()
        .join(", ")
}

fn read_module(root: &Path, dir: &str) -> Result<Module> {
    let rel = join_rel(dir, "go.mod");
    let gomod = gomod::parse_go_mod(&read_manifest(root, &rel)?).map_err(|e| anyhow::anyhow!("{rel}:{e}"))?;
    let Some((path, _)) = gomod.module.clone() else {
        bail!("{rel} has no module directive");
    };
    let has_go_sum = root.join(join_rel(dir, "go.sum")).is_file();
    Ok(Module {
        dir: dir.to_string(),
        path,
        gomod,
        has_go_sum,
    })
}

/// The Go version from a toolchain line (which wins: it is what `go` would download) or the go directive.
fn version_fact(gomod: &GoMod, file: &str) -> Option<Fact> {
    version_fact_from(gomod.go.as_ref(), gomod.toolchain.as_ref(), file)
}

fn version_fact_from(go: Option<&(String, usize)>, toolchain: Option<&(String, usize)>, file: &str) -> Option<Fact> {
    if let Some((name, line)) = toolchain {
        if let Some(minor) = gomod::toolchain_minor(name) {
            return Some(Fact::new(minor, format!("{file}:{line}")).with_note(format!("from toolchain {name}")));
        }
    }
    let (version, line) = go?;
    let minor = gomod::minor_version(version)?;
    let fact = Fact::new(minor.clone(), format!("{file}:{line}"));
    Some(if minor == *version {
        fact
    } else {
        fact.with_note(format!("from go {version}"))
    })
}

fn version_key(minor: &str) -> u32 {
    minor.strip_prefix("1.").and_then(|m| m.parse().ok()).unwrap_or(0)
}

/// `./api/` → `api`; None when the path leaves the root or is absolute.
fn normalise_use_dir(dir: &str) -> Option<String> {
    let mut parts = Vec::new();
    for component in Path::new(dir).components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => parts.push(part.to_str()?.to_string()),
            _ => return None,
        }
    }
    Some(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

/// A lexed non-test Go file that takes part in builds, with its path relative to the root.
struct Source {
    rel: String,
    dir: String,
    lexed: Lexed,
}

/// Every buildable Go file of the build's modules, each module stopping at nested modules.
/// Every buildable Go file of the build's modules, each module stopping at nested modules. A folder that
/// cannot be read is an error: the build context would not hold it either.
fn module_sources(root: &Path, modules: &[Module]) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for module in modules {
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
            if let Some(source) = read_source(root, &path) {
                sources.push(source);
            }
        }
    }
    Ok(sources)
}

fn read_source(root: &Path, path: &Path) -> Option<Source> {
    let rel_path = path.strip_prefix(root).ok()?;
    let rel = rel_path.to_string_lossy().replace('\\', "/");
    if rel.ends_with("_test.go") {
        return None;
    }
    // Go source is UTF-8; a file that is not (or is not a regular file, or is huge) is skipped here, and
    // go build will report it.
    let lexed = gosrc::lex(&read_small_text(path)?);
    if lexed.is_ignored_by_constraint() || lexed.package().is_none() {
        return None;
    }
    let dir = rel_path.parent().map_or_else(
        || ".".into(),
        |p| {
            let p = p.to_string_lossy().replace('\\', "/");
            if p.is_empty() {
                ".".into()
            } else {
                p
            }
        },
    );
    Some(Source { rel, dir, lexed })
}

/// A directory whose package is `main`.
struct MainPackage {
    dir: String,
    evidence: String,
    binary_name: String,
    module_path: String,
}

/// The root package of each module and each `cmd/*/` when it is `package main`, whatever the files are called.
fn find_main_packages(root: &Path, modules: &[Module]) -> Vec<MainPackage> {
    let mut found = Vec::new();
    for module in modules {
        let mut dirs = vec![module.dir.clone()];
        let cmd = root.join(&module.dir).join("cmd");
        if let Ok(entries) = std::fs::read_dir(&cmd) {
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|name| !name.starts_with(['.', '_']))
                .collect();
            names.sort();
            dirs.extend(
                names
                    .into_iter()
                    .map(|name| join_rel(&module.dir, &format!("cmd/{name}"))),
            );
        }
        for dir in dirs {
            if let Some(evidence) = main_package_evidence(root, &dir) {
                let binary_name = if dir == module.dir {
                    module_binary_name(&module.path)
                } else {
                    dir.rsplit('/').next().unwrap_or(&dir).to_string()
                };
                found.push(MainPackage {
                    dir,
                    evidence,
                    binary_name,
                    module_path: module.path.clone(),
                });
            }
        }
    }
    found
}

/// `file.go:line` of the first non-test file in `dir` that declares `package main`.
fn main_package_evidence(root: &Path, dir: &str) -> Option<String> {
    let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "go"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|path| read_source(root, path))
        .find_map(|source| {
            let (name, line) = source.lexed.package()?;
            (name == "main").then(|| format!("{}:{line}", source.rel))
        })
}

/// The last element of a module path, skipping a major-version suffix: `example.com/tool/v2` → `tool`.
fn module_binary_name(module_path: &str) -> String {
    let mut elements = module_path.rsplit('/');
    let last = elements.next().unwrap_or(module_path);
    let is_major_suffix = last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
    match (is_major_suffix, elements.next()) {
        (true, Some(previous)) => previous.to_string(),
        _ => last.to_string(),
    }
}

/// The package path `go build` takes from the build root: `.`, `./cmd/api`.
fn package_arg(dir: &str) -> String {
    if dir == "." {
        ".".into()
    } else {
        format!("./{dir}")
    }
}

fn main_package_option(
    main: &MainPackage,
    sources: &[Source],
    main_dirs: &[String],
    workspace: bool,
    warnings: &mut Vec<String>,
) -> ChoiceOption {
    let mut facts = Facts::new();
    insert(
        &mut facts,
        "binary_name",
        Fact::new(main.binary_name.clone(), main.evidence.clone()),
    );
    if workspace {
        // In a workspace the module depends on which app is built.
        insert(
            &mut facts,
            "module",
            Fact::new(main.module_path.clone(), main.evidence.clone()),
        );
    }
    // The port is read from the main package first; failing that, from the rest of the code that is not
    // another binary's, as long as it names a single port.
    let own: Vec<PortHit> = sources
        .iter()
        .filter(|s| s.dir == main.dir)
        .flat_map(port_hits)
        .collect();
    let hits = if own.is_empty() {
        sources
            .iter()
            .filter(|s| !main_dirs.contains(&s.dir) && !is_under_other_main(&s.dir, &main.dir, main_dirs))
            .flat_map(port_hits)
            .collect()
    } else {
        own
    };
    let distinct: BTreeSet<u16> = hits.iter().map(|h| h.port).collect();
    match distinct.len() {
        0 => {}
        1 => {
            let hit = &hits[0];
            insert(
                &mut facts,
                "port",
                Fact::new(hit.port, hit.source.clone()).with_note(hit.how),
            );
        }
        _ => warnings.push(format!(
            "main package {} listens on several ports ({}): pass --port N to choose the one to EXPOSE",
            package_arg(&main.dir),
            hits.iter()
                .map(|h| format!("{} at {}", h.port, h.source))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    ChoiceOption {
        value: package_arg(&main.dir),
        source: main.evidence.clone(),
        facts,
    }
}

/// True when `dir` lies inside a main package directory other than `own` (another binary's helpers).
fn is_under_other_main(dir: &str, own: &str, main_dirs: &[String]) -> bool {
    main_dirs
        .iter()
        .filter(|m| m.as_str() != own && m.as_str() != ".")
        .any(|m| dir.starts_with(&format!("{m}/")))
}

fn cgo_fact(modules: &[Module], sources: &[Source]) -> Fact {
    for source in sources {
        if let Some((_, line)) = source.lexed.imports().into_iter().find(|(path, _)| *path == "C") {
            return Fact::new(true, format!("{}:{line}", source.rel)).with_note("imports \"C\"");
        }
    }
    for module in modules {
        for (path, line) in &module.gomod.requires {
            if CGO_MODULES.contains(&path.as_str()) {
                return Fact::new(true, format!("{}:{line}", join_rel(&module.dir, "go.mod")))
                    .with_note(format!("requires {path}, which needs cgo"));
            }
        }
    }
    Fact::new(false, "*.go").with_note(format!(
        "none of {} Go files imports \"C\"; no cgo dependency",
        sources.len()
    ))
}

/// Whether `go mod download` can run on the module files alone. In a workspace, a module that requires
/// another workspace module without a `replace` builds fine, but `go mod download` tries to fetch that
/// module from the proxy and fails; such a build downloads during `go build` (still with a cache mount).
fn download_step_fact(modules: &[Module], workspace_replaced: &[String]) -> Fact {
    for module in modules {
        for (path, line) in &module.gomod.requires {
            let is_workspace_module = modules.iter().any(|m| m.path == *path);
            let replaced = module.gomod.replaced.contains(path) || workspace_replaced.contains(path);
            if is_workspace_module && !replaced {
                return Fact::new(false, format!("{}:{line}", join_rel(&module.dir, "go.mod"))).with_note(format!(
                    "requires workspace module {path} without a replace, which `go mod download` would fetch"
                ));
            }
        }
    }
    Fact::new(true, if modules.len() > 1 { "go.work" } else { "go.mod" })
}

/// The files that pin dependencies, grouped by the directory they are copied to before `go mod download`.
fn module_files_fact(root: &Path, modules: &[Module], workspace: bool) -> Fact {
    let mut groups = Vec::new();
    if workspace {
        let mut files = vec!["go.work".to_string()];
        if root.join("go.work.sum").is_file() {
            files.push("go.work.sum".into());
        }
        groups.push(json!({ "dir": ".", "files": files }));
    }
    for module in modules {
        let mut files = vec![join_rel(&module.dir, "go.mod")];
        if module.has_go_sum {
            files.push(join_rel(&module.dir, "go.sum"));
        }
        // Merge the root module's files into the workspace group so one COPY carries them.
        if module.dir == "." && workspace {
            if let Some(group_files) = groups[0]["files"].as_array_mut() {
                group_files.extend(files.into_iter().map(serde_json::Value::from));
            }
            continue;
        }
        groups.push(json!({ "dir": module.dir, "files": files }));
    }
    let source = if workspace { "go.work" } else { "go.mod" };
    Fact::new(json!(groups), source)
}

struct PortHit {
    port: u16,
    source: String,
    how: &'static str,
}

/// Runs the source probes (package clause, build constraints, imports, ports) on arbitrary text.
pub(crate) fn probe_source_text(text: &str) -> usize {
    let lexed = gosrc::lex(text);
    let package = lexed.package().map(|(name, _)| name.len()).unwrap_or_default();
    let source = Source {
        rel: "fuzz.go".into(),
        dir: ".".into(),
        lexed,
    };
    package
        + source.lexed.imports().len()
        + usize::from(source.lexed.is_ignored_by_constraint())
        + port_hits(&source).len()
}

fn port_hits(source: &Source) -> Vec<PortHit> {
    let tokens = &source.lexed.tokens;
    let mut hits = Vec::new();
    let hit = |port, line, how| PortHit {
        port,
        source: format!("{}:{line}", source.rel),
        how,
    };
    for (i, (token, _)) in tokens.iter().enumerate() {
        let Token::Ident(name) = token else { continue };
        let next = tokens.get(i + 1).map(|t| &t.0);
        if LISTEN_CALLS.contains(&name.as_str()) && next == Some(&Token::Punct('(')) {
            for (arg, arg_line) in call_arguments(tokens, i + 1) {
                if let Token::Str(addr) = arg {
                    if let Some(port) = port_of_address(addr) {
                        hits.push(hit(port, *arg_line, "listen address literal"));
                    }
                }
            }
        } else if name == "Addr" && matches!(next, Some(Token::Punct(':' | '='))) {
            if let Some((Token::Str(addr), arg_line)) = tokens.get(i + 2) {
                if let Some(port) = port_of_address(addr) {
                    hits.push(hit(port, *arg_line, "server Addr literal"));
                }
            }
        } else if (name == "Getenv" || name == "LookupEnv") && is_call_with_string(tokens, i, "PORT") {
            // `port := os.Getenv("PORT"); if port == "" { port = "8080" }` or `cmp.Or(os.Getenv("PORT"), "8080")`
            let mut window = tokens.iter().skip(i + 4).take(24);
            if let Some((port, default_line)) = window.find_map(|(t, l)| match t {
                Token::Str(s) => port_of_default(s).map(|p| (p, *l)),
                _ => None,
            }) {
                hits.push(hit(port, default_line, "default of the PORT environment variable"));
            }
        } else if FLAG_CALLS.contains(&name.as_str()) && next == Some(&Token::Punct('(')) {
            hits.extend(flag_default_port(tokens, i + 1).map(|(port, l)| hit(port, l, "default of a port flag")));
        }
    }
    hits
}

/// The tokens between the parenthesis at `open` and its match.
fn call_arguments(tokens: &[(Token, usize)], open: usize) -> impl Iterator<Item = &(Token, usize)> {
    let mut depth = 0usize;
    tokens[open..].iter().take_while(move |(t, _)| {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth > 0
    })
}

fn is_call_with_string(tokens: &[(Token, usize)], i: usize, value: &str) -> bool {
    matches!(
        (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3)),
        (Some((Token::Punct('('), _)), Some((Token::Str(s), _)), Some((Token::Punct(')'), _))) if s == value
    )
}

/// `flag.Int("port", 8080, ...)` or `flag.StringVar(&addr, "addr", ":8080", ...)`: the default after a name
/// that says port, addr or listen.
fn flag_default_port(tokens: &[(Token, usize)], open: usize) -> Option<(u16, usize)> {
    let mut args = call_arguments(tokens, open).skip(1);
    let named = args.by_ref().find_map(|(t, _)| match t {
        Token::Str(s) => Some(s.to_ascii_lowercase()),
        _ => None,
    })?;
    if !["port", "addr", "listen"].iter().any(|w| named.contains(w)) {
        return None;
    }
    args.find_map(|(t, line)| match t {
        Token::Str(s) => port_of_address(s).or_else(|| port_of_default(s)).map(|p| (p, *line)),
        Token::Number(n) => n.parse().ok().filter(|p| *p > 0).map(|p| (p, *line)),
        _ => None,
    })
}

/// The port of a listen address literal such as `:8080`, `0.0.0.0:8080` or `localhost:8080`.
fn port_of_address(addr: &str) -> Option<u16> {
    let (host, port) = addr.rsplit_once(':')?;
    let host_ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    if !host_ok || port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    port.parse().ok().filter(|p| *p > 0)
}

/// A port written as a default value: `8080` or `:8080`.
fn port_of_default(value: &str) -> Option<u16> {
    let digits = value.strip_prefix(':').unwrap_or(value);
    if digits.is_empty() || digits.len() > 5 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|p| *p > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(src: &str) -> Vec<(u16, String)> {
        let source = Source {
            rel: "main.go".into(),
            dir: ".".into(),
            lexed: gosrc::lex(src),
        };
        port_hits(&source).into_iter().map(|h| (h.port, h.source)).collect()
    }

    #[test]
    fn finds_ports_in_the_usual_places() {
        assert_eq!(
            ports("package main\nfunc main() {\n\thttp.ListenAndServe(\":8080\", nil)\n}"),
            vec![(8080, "main.go:3".into())]
        );
        assert_eq!(
            ports("package main\nvar s = &http.Server{\n\tAddr: \"0.0.0.0:9000\",\n}"),
            vec![(9000, "main.go:3".into())]
        );
        assert_eq!(
            ports("package main\nfunc main() { r.Run(\":3000\") }"),
            vec![(3000, "main.go:2".into())]
        );
        assert_eq!(
            ports("package main\nl, _ := net.Listen(\"tcp\", \"localhost:7000\")"),
            vec![(7000, "main.go:2".into())]
        );
        assert_eq!(
            ports("package main\nport := os.Getenv(\"PORT\")\nif port == \"\" {\n\tport = \"8081\"\n}"),
            vec![(8081, "main.go:4".into())]
        );
        assert_eq!(
            ports("package main\naddr := cmp.Or(os.Getenv(\"PORT\"), \"8082\")"),
            vec![(8082, "main.go:2".into())]
        );
        assert_eq!(
            ports("package main\nvar p = flag.Int(\"port\", 8083, \"port\")"),
            vec![(8083, "main.go:2".into())]
        );
        assert_eq!(
            ports("package main\nflag.StringVar(&a, \"listen-addr\", \":8084\", \"\")"),
            vec![(8084, "main.go:2".into())]
        );
    }

    #[test]
    fn ignores_ports_in_comments_urls_and_unrelated_strings() {
        assert!(ports("package main\n// http.ListenAndServe(\":9999\", nil)\nfunc main() {}").is_empty());
        assert!(ports("package main\nhttp.Get(\"http://example.com:8080/x\")").is_empty());
        assert!(ports("package main\nvar n = flag.Int(\"workers\", 8, \"\")").is_empty());
        assert!(ports("package main\nhttp.ListenAndServe(\":99999\", nil)").is_empty());
    }

    #[test]
    fn binary_name_skips_a_major_version_suffix() {
        assert_eq!(module_binary_name("example.com/tool/v2"), "tool");
        assert_eq!(module_binary_name("example.com/tool"), "tool");
        assert_eq!(module_binary_name("tool"), "tool");
        assert_eq!(module_binary_name("example.com/v2"), "example.com");
        assert_eq!(module_binary_name("example.com/tool/vx"), "vx");
    }

    #[test]
    fn use_dirs_stay_inside_the_root() {
        assert_eq!(normalise_use_dir("./api/").as_deref(), Some("api"));
        assert_eq!(normalise_use_dir(".").as_deref(), Some("."));
        assert_eq!(normalise_use_dir("../shared"), None);
        assert_eq!(normalise_use_dir("/abs"), None);
    }
}
