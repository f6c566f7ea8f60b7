//! Environment a build reads: what a bundler inlines (Vite's `import.meta.env.VITE_*`, Next's
//! `process.env.NEXT_PUBLIC_*`, Create React App's `REACT_APP_*` and the like, `SvelteKit`'s `$env/static/*`
//! imports, the same names in `.env.example`), the public values the repository commits for them (`.env`,
//! `.env.production`), and what an env schema checks while the build imports it (`@t3-oss/env-*`'s `createEnv`),
//! with the switch that skips the check. Each becomes a build ARG (or an ENV of the build stage), declared before
//! the build step.

use std::collections::BTreeMap;

use serde_json::json;

use super::js::env::{env_reads, Access, EnvReads, Schema, Skip};
use super::{read_source, App, Fact, Facts};
use crate::detect::{holds, walk};

/// Prefixes a bundler inlines at build time, by the dependency that does it and how the code reads them.
const INLINED: &[(&str, Access, &str)] = &[
    ("vite", Access::ImportMeta, "VITE_"),
    ("next", Access::Process, "NEXT_PUBLIC_"),
    ("react-scripts", Access::Process, "REACT_APP_"),
    ("@vue/cli-service", Access::Process, "VUE_APP_"),
    ("gatsby", Access::Process, "GATSBY_"),
    ("astro", Access::ImportMeta, "PUBLIC_"),
    ("expo", Access::Process, "EXPO_PUBLIC_"),
];

/// The modules `SvelteKit`'s build-time variables are imported from (`$env/static/public`, `$env/static/private`).
const SVELTEKIT_STATIC_ENV: &str = "$env/static/";

/// Pages whose `%NAME%` placeholders a bundler fills with those variables: Vite's index.html, Create React App's
/// public/index.html.
const HTML_PLACEHOLDERS: &[(&str, &str)] = &[("VITE_", "index.html"), ("REACT_APP_", "public/index.html")];

/// Files that document a project's variables without holding values.
pub(super) const ENV_TEMPLATES: &[&str] = &[".env.example", ".env.sample", ".env.template", ".env.dist"];

/// Files the bundlers load for a production build, later ones winning (the `.local` ones are a developer's
/// own, never the repository's).
const ENV_FILES: &[&str] = &[".env", ".env.production"];

/// Validation libraries whose schemas run while the build imports them.
const ENV_SCHEMAS: &[&str] = &["@t3-oss/env-nextjs", "@t3-oss/env-core", "@t3-oss/env-nuxt"];

/// The variable the env schemas of the t3 templates (and hand-written ones copying them) are skipped by.
const SKIP_VARIABLE: &str = "SKIP_ENV_VALIDATION";

/// Sources parsed for reads; single-file components are scanned for the inlined names only.
const PARSED: &[&str] = &["js", "jsx", "ts", "tsx", "mjs", "mts", "cjs", "cts"];
const COMPONENTS: &[&str] = &["vue", "svelte", "astro"];
const WALKED: &[&str] = &[
    "js", "jsx", "ts", "tsx", "mjs", "mts", "cjs", "cts", "vue", "svelte", "astro",
];

/// A cap on names: a real app reads a handful; more is a generated file.
const MAX_NAMES: usize = 64;

/// Names in the order first seen, each with where.
#[derive(Default)]
struct Names(Vec<(String, String)>);

impl Names {
    fn add(&mut self, name: impl Into<String>, at: impl FnOnce() -> String) {
        let name = name.into();
        if self.0.len() < MAX_NAMES && !self.contains(&name) {
            self.0.push((name, at()));
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(known, _)| known == name)
    }

    fn fact(&self, note: &str) -> Option<Fact> {
        let (_, first) = self.0.first()?;
        let seen: Vec<String> = self.0.iter().map(|(name, at)| format!("{name} ({at})")).collect();
        Some(
            Fact::new(
                json!(self.0.iter().map(|(name, _)| name).collect::<Vec<_>>()),
                first.clone(),
            )
            .with_note(format!("{note}: {}", seen.join(", "))),
        )
    }
}

/// What the walk over the sources found.
#[derive(Default)]
struct Reads {
    inlined: Names,
    /// The env schemas, each with its file.
    schemas: Vec<(String, Schema)>,
    /// `SvelteKit`'s `$env/static/private` imports: inlined into the server by the build, which fails without them.
    private_static: Names,
    /// Every name imported from `SvelteKit`'s `$env/static/*`: the build stops on one that is not set at all.
    static_imports: Vec<String>,
    /// A read of `SKIP_ENV_VALIDATION` (a hand-written schema's switch).
    skip_read: Option<String>,
    /// Said when the app had more sources than one walk reads.
    cut: Option<String>,
}

/// Records `build_env` (names the bundler inlines, each with where it was seen), `build_env_committed` (their
/// values in the committed env files), `build_env_checked` (names an env schema requires while building) and
/// `skip_env_validation` (the variable and value that skip the schema).
pub(super) fn build_env(app: &App, facts: &mut Facts, warnings: &mut Vec<String>) {
    let Some(script) = facts.get("build_script").and_then(|f| f.value.as_str()) else {
        return;
    };
    // A build that only compiles (`build:server`: tsc) runs no bundler to inline anything.
    let transpilers = &crate::knowledge::node::runtime().files.compile.transpilers;
    let commands = super::scripts::commands(app, script);
    if !commands.is_empty()
        && commands
            .iter()
            .all(|words| words.first().is_some_and(|program| transpilers.contains_key(program)))
    {
        return;
    }
    let svelte_prefix = app.dependency("@sveltejs/kit").map(|_| sveltekit_public_prefix(app));
    let mut prefixes: Vec<(Access, &str)> = INLINED
        .iter()
        .filter(|(dependency, _, _)| app.dependency(dependency).is_some())
        .map(|(_, access, prefix)| (*access, *prefix))
        .collect();
    // `define: { 'process.env': process.env }` in the Vite config inlines every variable the code reads.
    if app.dependency("vite").is_some() && vite_defines_process_env(app) {
        prefixes.push((Access::Process, ""));
    }
    if let Some(prefix) = &svelte_prefix {
        prefixes.push((Access::SvelteKitPublic, prefix.as_str()));
    }
    let schema_library = ENV_SCHEMAS.iter().find_map(|name| app.dependency(name));
    if prefixes.is_empty() && schema_library.is_none() {
        return;
    }
    let mut reads = read_sources(app, &prefixes, schema_library.is_some());
    warnings.extend(reads.cut.take());
    html_placeholders(app, &prefixes, &mut reads.inlined);
    for template in ENV_TEMPLATES {
        let Some(text) = app.text(template) else { continue };
        for (key, line) in dotenv_lines(&text) {
            if prefixes.iter().any(|(_, prefix)| key.starts_with(prefix)) {
                reads.inlined.add(key, || format!("{}:{line}", app.file(template)));
            }
        }
    }
    // Only prefixed names are public by convention: a committed `.env` may hold secrets besides them.
    let public: Vec<(Access, &str)> = prefixes.iter().copied().filter(|(_, prefix)| !prefix.is_empty()).collect();
    let committed = committed_values(app, &public, warnings);
    // A committed value makes the name a default-bearing ARG of its own.
    reads.inlined.0.retain(|(name, _)| !committed.contains_key(name));
    if let Some((_, first)) = reads.private_static.0.first() {
        let names: Vec<&str> = reads.private_static.0.iter().map(|(name, _)| name.as_str()).collect();
        warnings.push(format!(
            "{first}: the build inlines what the code imports from $env/static/private into the server and \
             fails without it ({}): pass the values with --build-arg NAME=VALUE (they then sit in the image), or \
             read them from $env/dynamic/private at run time",
            names.join(", ")
        ));
        for (name, at) in std::mem::take(&mut reads.private_static.0) {
            reads.inlined.add(name, || at);
        }
    }
    // SvelteKit stops on a `$env/static/*` import of a variable that is not set at all: declared with an empty
    // value, the build passes and `--build-arg NAME=VALUE` gives the real one.
    let must_exist: Vec<&(String, String)> =
        reads.inlined.0.iter().filter(|(name, _)| reads.static_imports.contains(name)).collect();
    if let Some((_, first)) = must_exist.first() {
        let names: Vec<&str> = must_exist.iter().map(|(name, _)| name.as_str()).collect();
        facts.insert(
            "build_env_empty".into(),
            Fact::new(json!(names), first.clone())
                .with_note("imported from $env/static/*, which stops the build when unset: empty unless given"),
        );
    }
    if let Some(fact) = reads
        .inlined
        .fact("read by the build and baked into its output; pass values with --build-arg")
    {
        facts.insert("build_env".into(), fact);
    }
    if let Some((_, (_, first))) = committed.first_key_value() {
        let pairs: Vec<_> = committed
            .iter()
            .map(|(name, (value, _))| json!({"name": name, "value": value}))
            .collect();
        let seen: Vec<String> = committed
            .iter()
            .map(|(name, (_, at))| format!("{name} ({at})"))
            .collect();
        facts.insert(
            "build_env_committed".into(),
            Fact::new(json!(pairs), first.clone()).with_note(format!(
                "public values the repository commits for the build (the .dockerignore keeps .env files out of \
                 the context): {}",
                seen.join(", ")
            )),
        );
    }
    schema_checks(app, &reads, &committed, facts, warnings);
}

/// Whether the Vite config defines `process.env` whole (`define: { 'process.env': process.env }`), which
/// bakes every `process.env.NAME` the client code reads into the bundle.
fn vite_defines_process_env(app: &App) -> bool {
    let Some((file, text)) = super::outputs::framework_config(app, "vite") else {
        return false;
    };
    // The key is written quoted; a config dockgen cannot parse says Unknown for every path, so the text
    // must name the key too.
    let quoted = ["'process.env'", "\"process.env\"", "`process.env`"].iter().any(|key| text.contains(key));
    let name = file.rsplit('/').next().unwrap_or(&file);
    quoted
        && !matches!(
            super::js::config::exported_setting(&text, name, &["define", "process.env"]),
            super::js::config::Setting::Unset
        )
}

/// Parses the app's sources for the names the bundler inlines and the env schemas they declare.
fn read_sources(app: &App, prefixes: &[(Access, &str)], has_schema_library: bool) -> Reads {
    let mut reads = Reads::default();
    let root = app.path(".");
    let boundary_root = root.clone();
    let walked = walk::files_with_extensions(&root, WALKED, move |p| {
        p != boundary_root && p.join("package.json").is_file()
    });
    reads.cut = walked.cut_warning(
        &app.file("."),
        "source",
        "pass the variables the build needs with --build-env NAME=VALUE",
    );
    let markers: Vec<(String, &str)> = prefixes
        .iter()
        .filter_map(|(access, prefix)| Some((format!("{}{prefix}", access_text(*access)?), *prefix)))
        .collect();
    // Each source read and parsed on every core, its reads taken in walk order.
    let mut read: Vec<(std::path::PathBuf, SourceReads)> =
        walked.files.into_iter().map(|path| (path, SourceReads::Nothing)).collect();
    crate::detect::each_in_parallel(&mut read, |(path, found)| {
        *found = source_reads(path, &root, &markers, prefixes, has_schema_library);
    });
    for (path, found) in read {
        let rel = path
            .strip_prefix(&root)
            .map_or_else(|_| path.display().to_string(), |p| p.to_string_lossy().into_owned());
        let shown = app.file(&rel);
        match found {
            SourceReads::Nothing => {}
            SourceReads::Component { scripts, marked } => {
                for (access, name, line) in scripts {
                    take_read(&mut reads, prefixes, (access, name), || format!("{shown}:{line}"));
                }
                for (name, line) in marked {
                    reads.inlined.add(name, || format!("{shown}:{line}"));
                }
            }
            SourceReads::Module(found) => {
                for (access, name, line) in found.names {
                    take_read(&mut reads, prefixes, (access, name), || format!("{shown}:{line}"));
                }
                // (`createEnv` is the schema libraries' only when one of them is a dependency.)
                if has_schema_library {
                    reads
                        .schemas
                        .extend(found.schemas.into_iter().map(|schema| (shown.clone(), schema)));
                }
            }
        }
    }
    reads
}

/// What one source says the build reads, worked out apart from the others.
enum SourceReads {
    Nothing,
    /// A component: the reads of its scripts, then each name after a marker (`import.meta.env.VITE_X`, the
    /// prefix and the name), each with its line.
    Component {
        scripts: Vec<(Access, String, usize)>,
        marked: Vec<(String, usize)>,
    },
    /// A module's reads and schemas.
    Module(EnvReads),
}

fn source_reads(
    path: &std::path::Path,
    root: &std::path::Path,
    markers: &[(String, &str)],
    prefixes: &[(Access, &str)],
    has_schema_library: bool,
) -> SourceReads {
    let Some(text) = read_source(path) else {
        return SourceReads::Nothing;
    };
    let rel = path
        .strip_prefix(root)
        .map_or_else(|_| path.display().to_string(), |p| p.to_string_lossy().into_owned());
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    if COMPONENTS.contains(&extension) {
        // (A component's scripts sit inside markup the JavaScript parser does not take: SvelteKit's imports
        // are read from its script blocks, the rest by their markers.)
        let mut scripts = Vec::new();
        if holds(&text, SVELTEKIT_STATIC_ENV) {
            for (offset, script) in component_scripts(&text) {
                let Some(found) = env_reads(script, &format!("{rel}.ts")) else { continue };
                scripts.extend(found.names.into_iter().map(|(access, name, line)| (access, name, line + offset)));
            }
        }
        let mut marked = Vec::new();
        if markers.iter().any(|(marker, _)| holds(&text, marker)) {
            for (index, line) in text.lines().enumerate() {
                for (marker, prefix) in markers {
                    marked.extend(names_after(line, marker).into_iter().map(|name| (format!("{prefix}{name}"), index + 1)));
                }
            }
        }
        return SourceReads::Component { scripts, marked };
    }
    if !PARSED.contains(&extension) {
        return SourceReads::Nothing;
    }
    // Every name kept is written out in the module (an inlined prefix, the skip variable) or goes with a
    // `createEnv` call: a module with none of them is not parsed.
    let may_matter = prefixes.iter().any(|(_, prefix)| holds(&text, prefix))
        || holds(&text, SVELTEKIT_STATIC_ENV)
        || holds(&text, SKIP_VARIABLE)
        || (has_schema_library && holds(&text, "createEnv"));
    if !may_matter {
        return SourceReads::Nothing;
    }
    env_reads(&text, &rel).map_or(SourceReads::Nothing, SourceReads::Module)
}

/// Keeps one read the build depends on: a name the bundler inlines, a `SvelteKit` private import, the skip switch.
fn take_read(reads: &mut Reads, prefixes: &[(Access, &str)], (access, name): (Access, String), at: impl FnOnce() -> String) {
    if matches!(access, Access::SvelteKitPublic | Access::SvelteKitPrivate) && !reads.static_imports.contains(&name) {
        reads.static_imports.push(name.clone());
    }
    if prefixes
        .iter()
        .any(|(a, prefix)| *a == access && name.starts_with(prefix) && name.len() > prefix.len())
    {
        reads.inlined.add(name, at);
    } else if access == Access::SvelteKitPrivate && prefixes.iter().any(|(a, _)| *a == Access::SvelteKitPublic) {
        reads.private_static.add(name, at);
    } else if name == SKIP_VARIABLE && reads.skip_read.is_none() {
        reads.skip_read = Some(at());
    }
}

/// The text a marker search finds a read by (`process.env.`); None for `SvelteKit`'s imports, which are parsed.
fn access_text(access: Access) -> Option<&'static str> {
    match access {
        Access::Process => Some("process.env."),
        Access::ImportMeta => Some("import.meta.env."),
        Access::SvelteKitPublic | Access::SvelteKitPrivate => None,
    }
}

/// The `<script>` blocks of a component, each with the number of lines before it.
fn component_scripts(text: &str) -> Vec<(usize, &str)> {
    let mut scripts = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find("<script").map(|at| rest + at) {
        let Some(body) = text[open..].find('>').map(|at| open + at + 1) else { break };
        let Some(close) = text[body..].find("</script>").map(|at| body + at) else { break };
        scripts.push((text[..body].matches('\n').count(), &text[body..close]));
        rest = close;
    }
    scripts
}

/// `SvelteKit`'s prefix of public variables: `kit.env.publicPrefix` in svelte.config.js, `PUBLIC_` by default.
fn sveltekit_public_prefix(app: &App) -> String {
    super::outputs::framework_config(app, "svelte")
        .and_then(|(file, text)| {
            let name = file.rsplit('/').next().unwrap_or(&file).to_string();
            match super::js::config::exported_setting(&text, &name, &["kit", "env", "publicPrefix"]) {
                super::js::config::Setting::Value { value, .. } if !value.is_empty() => Some(value),
                _ => None,
            }
        })
        .unwrap_or_else(|| "PUBLIC_".to_string())
}

/// The `%VITE_NAME%` placeholders of Vite's index.html, and the like (`HTML_PLACEHOLDERS`).
fn html_placeholders(app: &App, prefixes: &[(Access, &str)], inlined: &mut Names) {
    for (prefix, page) in HTML_PLACEHOLDERS {
        if !prefixes.iter().any(|(_, p)| p == prefix) {
            continue;
        }
        let Some(text) = app.text(page) else { continue };
        for (index, line) in text.lines().enumerate() {
            for name in names_after(line, &format!("%{prefix}")) {
                inlined.add(format!("{prefix}{name}"), || format!("{}:{}", app.file(page), index + 1));
            }
        }
    }
}

/// The inlined names' values in the env files the repository commits (not gitignored), the production file
/// winning: name → (value, `file:line`). A value dockgen cannot write into an ARG line is said and left out.
fn committed_values(
    app: &App,
    prefixes: &[(Access, &str)],
    warnings: &mut Vec<String>,
) -> BTreeMap<String, (String, String)> {
    let mut values = BTreeMap::new();
    for file in ENV_FILES {
        let rel = super::join_rel(&app.dir, file);
        if walk::is_gitignored(&app.context.dir, &rel) {
            continue;
        }
        let Some(text) = app.text(file) else { continue };
        let shown = app.file(file);
        let lines = dotenv_lines(&text);
        // dotenv substitutes `${NAME}` from the environment it runs in: never this machine's.
        for item in dotenvy::from_read_iter(text.as_bytes()) {
            let Ok((key, value)) = item else {
                warnings.push(format!("{shown}: not a dotenv file dockgen can read (ignored)"));
                break;
            };
            if !prefixes.iter().any(|(_, prefix)| key.starts_with(prefix)) {
                continue;
            }
            if value.is_empty() {
                // An empty value (a template line) sets nothing worth a default, and overrides an earlier one.
                values.remove(&key);
                continue;
            }
            let line = lines.iter().find(|(k, _)| *k == key).map_or(0, |(_, l)| *l);
            let raw = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
            if raw.contains('$') || crate::validate::env_value(&value).is_err() {
                warnings.push(format!(
                    "{shown}:{line}: {key}'s value is not one dockgen writes into an ARG line (a substitution, \
                     spaces or quotes): pass it with --build-env {key}=VALUE"
                ));
                values.remove(&key);
                continue;
            }
            values.insert(key, (value, format!("{shown}:{line}")));
        }
    }
    values
}

/// The keys a dotenv file sets, each with its line.
fn dotenv_lines(text: &str) -> Vec<(String, usize)> {
    crate::detect::services::dotenv_pairs(text)
        .into_iter()
        .map(|(key, _, line)| (key, line))
        .collect()
}

/// The env schemas the build runs: skipped by their switch when they have one (or by `SKIP_ENV_VALIDATION`
/// when the code reads it); the names a schema without a switch requires are declared for the build, with a
/// warning (the build fails without them).
fn schema_checks(
    app: &App,
    reads: &Reads,
    committed: &BTreeMap<String, (String, String)>,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) {
    let switch = reads.schemas.iter().find_map(|(file, schema)| match &schema.skip {
        Skip::Switch { name, value, line } => Some((name.clone(), value.clone(), format!("{file}:{line}"))),
        Skip::Absent | Skip::Unknown { .. } => None,
    });
    let switch = switch.or_else(|| {
        let at = reads.skip_read.clone()?;
        Some((SKIP_VARIABLE.to_string(), "1".to_string(), at))
    });
    if let Some((name, value, at)) = switch {
        let library = ENV_SCHEMAS.iter().find_map(|name| app.dependency(name));
        let what = library
            .as_ref()
            .and_then(|f| f.value.as_str())
            .unwrap_or("the env schema");
        facts.insert(
            "skip_env_validation".into(),
            Fact::new(json!({"name": name, "value": value}), at).with_note(format!(
                "{what}'s check is skipped while building; it runs when the server starts"
            )),
        );
    }
    let mut checked = Names::default();
    let mut secret = Names::default();
    for (file, schema) in &reads.schemas {
        let why = match schema.skip {
            Skip::Switch { .. } => continue,
            Skip::Unknown { line } if schema.required.is_empty() => {
                warnings.push(format!(
                    "{file}:{line}: cannot tell what the env schema's skipValidation needs: if the build fails on \
                     it, pass the variables with --build-env NAME=VALUE"
                ));
                continue;
            }
            Skip::Absent if schema.required.is_empty() => continue,
            Skip::Unknown { line } => format!("its skipValidation ({file}:{line}) is nothing dockgen can turn on"),
            Skip::Absent => "it has no skipValidation switch".to_string(),
        };
        for (name, line) in &schema.required {
            if reads.inlined.contains(name) || committed.contains_key(name) {
                continue;
            }
            // A credential never becomes a build argument (it would stay in the image's history): it is mounted.
            let names = if crate::validate::looks_secret(name) {
                &mut secret
            } else {
                &mut checked
            };
            names.add(name.clone(), || format!("{file}:{line}"));
        }
        let names: Vec<&str> = schema.required.iter().map(|(n, _)| n.as_str()).collect();
        warnings.push(format!(
            "{file}:{}: the env schema requires {} while the build runs, and {why}: the build fails without them. \
             Pass values with --build-arg NAME=VALUE (or `dockgen init --build-env NAME=VALUE`; a placeholder will \
             do for a value only the server uses); credentials are mounted as build secrets (`docker build --secret \
             id=NAME,env=NAME`); or add `skipValidation: !!process.env.{SKIP_VARIABLE}` to the schema",
            schema.line,
            names.join(", ")
        ));
    }
    if let Some(fact) = checked.fact("required by the env schema while the build runs; pass values with --build-arg") {
        facts.insert("build_env_checked".into(), fact);
    }
    if let Some(fact) = secret.fact(
        "credentials the env schema requires while the build runs: mounted as build secrets (docker build --secret \
         id=NAME,env=NAME)",
    ) {
        facts.insert("build_env_secrets".into(), fact);
    }
}

/// The identifier tails after each `marker` in `line` (`import.meta.env.VITE_` + `API_URL`).
pub(super) fn names_after<'a>(line: &'a str, marker: &str) -> Vec<&'a str> {
    line.match_indices(marker)
        .filter_map(|(at, _)| name_at(&line[at + marker.len()..]))
        .collect()
}

/// The variable name `text` starts with (letters, digits, `_`), if any.
pub(super) fn name_at(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_their_marker() {
        let line = "fetch(import.meta.env.VITE_API_URL + import.meta.env.VITE_ + import.meta.env.VITE_X1)";
        assert_eq!(names_after(line, "import.meta.env.VITE_"), ["API_URL", "X1"]);
        assert!(names_after("process.env.NODE_ENV", "process.env.NEXT_PUBLIC_").is_empty());
    }

    #[test]
    fn dotenv_keys_and_lines() {
        let keys = dotenv_lines("# comment\nVITE_A=1\n\nexport VITE_B = \"two\"\nnot a line\n");
        assert_eq!(keys, [("VITE_A".to_string(), 2), ("VITE_B".to_string(), 4)]);
    }
}
