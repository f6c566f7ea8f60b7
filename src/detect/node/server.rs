//! Servers: the command that starts one (never a dev runner), the files it needs and the port it listens on.

use serde_json::json;

use super::js::config::{exported_setting, json_setting, Setting};
use super::js::eval::join;
use super::outputs::{astro_output, static_output, vite_output};
use super::listen::Found;
use super::runfiles::{resolve, run_files, RunFiles, Ships, Walk};
use crate::detect::runtime_programs;
use super::tsc_root::tsc_root;
use super::tsconfig::{tsconfig_chain, tsconfig_option};
use super::typescript::{
    compiled_entry, compiled_source, is_typescript, nest_entry, source_loader, typescript_compile, typescript_source,
    SOURCE_LOADERS,
};
use super::{scripts, App, Fact, Facts};
use crate::knowledge::node::{self, ServerCli};

/// Commands that watch and restart: fine on a laptop, never what a container should run.
pub(super) const DEV_RUNNERS: &[&str] = &["nodemon", "ts-node", "ts-node-dev", "tsx", "node-dev", "babel-node"];

/// A plain Node server (Express, Fastify, Koa, Nest or none): the start command from the real entry.
pub(super) fn server(app: &App, facts: &mut Facts, warnings: &mut Vec<String>) -> anyhow::Result<()> {
    let framework = ["@nestjs/core", "express", "fastify", "koa", "@hapi/hapi", "hono"]
        .iter()
        .find_map(|name| app.dependency(name).map(|f| (*name, f)));
    let (name, source) = match &framework {
        Some((name, fact)) => (
            match *name {
                "@nestjs/core" => "nestjs",
                "@hapi/hapi" => "hapi",
                other => other,
            },
            fact.source.clone(),
        ),
        None => ("node", app.file("package.json")),
    };
    facts.insert("framework".into(), Fact::new(name, source.clone()));
    facts.insert("kind".into(), Fact::new("server", source.clone()));
    if !facts.contains_key("build_script") {
        if let Some(fact) = typescript_compile(app) {
            facts.insert("compile_command".into(), fact);
        }
    }
    let has_build = facts.contains_key("build_script") || facts.contains_key("compile_command");
    let node_line = facts
        .get("node_version")
        .and_then(|f| f.value.as_str())
        .and_then(|v| v.split('.').next()?.parse::<u64>().ok());
    let start = start_entry(app, name == "nestjs", has_build, node_line, warnings);
    let command = start
        .as_ref()
        .and_then(|s| s.command.value.as_str())
        .map(str::to_string);
    if let (Some(start), Some(entry)) = (&start, command.as_deref().and_then(entry_file)) {
        if entry.starts_with('/') || entry.split('/').any(|part| part == "..") {
            anyhow::bail!(
                "{}: the server's entry `{}` is outside the app's folder, which is all the image holds; pass \
                 --set start_command=\"node FILE\"",
                start.command.source,
                crate::files::excerpt(entry)
            );
        }
    }
    if start.is_none() {
        say_unfollowable_scripts(app, warnings);
        say_entered_packages(app, warnings);
    }
    let mut script_port = None;
    let mut cli = None;
    if let Some(mut start) = start {
        cli = start.cli.take();
        let source = start.command.source.clone();
        let (env, port) = start_env(start.env, &source, warnings);
        script_port = port;
        if !env.is_empty() {
            facts.insert("start_env".into(), Fact::new(json!(env), source).with_note(start_env_note(&start.command)));
        }
        if command.as_deref().is_some_and(|c| c.starts_with("bun ")) {
            bun_runtime(app, &start.command, facts, warnings);
        }
        facts.insert("start_command".into(), start.command);
    }
    if let Some(start) = facts.get("start_command").cloned() {
        dev_preloads(app, &start, facts, warnings);
    }
    // The app file node runs, or the one a server CLI loads.
    let entry = match &cli {
        Some(cli) => cli.entry.as_deref(),
        None => command.as_deref().and_then(entry_file),
    };
    let has_build = server_build(app, entry, facts) || has_build;
    super::nest::build_project(app, entry, facts);
    let outputs = build_outputs(app, warnings);
    let followed = shipped_files(app, facts, (entry, command.as_deref()), &source, has_build, &outputs, warnings);
    let bun_export = command.as_deref().filter(|c| c.starts_with("bun ")).and(entry);
    let default = match (&cli, bun_export.and_then(|entry| bun_export_port(app, entry))) {
        (_, Some((port, true))) => {
            facts.insert("port_fixed".into(), Fact::new(port.source.clone(), port.source.clone()));
            script_port = Some(port);
            None
        }
        (_, Some((port, false))) => Some(port),
        (Some(cli), None) if !cli.port_fixed => Some(cli.port.clone()),
        (Some(cli), None) => {
            script_port = Some(cli.port.clone());
            None
        }
        (None, None) => matches!(name, "nestjs" | "express" | "koa" | "hono" | "fastify")
            .then(|| Fact::new(3000, source).with_note(format!("{name}'s usual port; no listen() literal found"))),
    };
    super::listen::insert_port(facts, app, (entry, followed), (script_port, default), warnings);
    if let Some(cli) = cli {
        if cli.port_fixed {
            facts.insert("port_fixed".into(), Fact::new(cli.port.source.clone(), cli.port.source));
        }
        if let Some(bind) = cli.bind_env {
            facts.entry("bind_env".into()).or_insert(bind);
        }
    }
    Ok(())
}

/// Where the start's variables come from: the start script, and the loader it runs the sources through.
fn start_env_note(command: &Fact) -> String {
    let loader = SOURCE_LOADERS.iter().find(|l| command.value.as_str().is_some_and(|c| c.contains(*l)));
    match loader.filter(|l| !super::typescript::loader_env(l).is_empty()) {
        Some(loader) => format!("set by the start script, and for `node {loader}`, which runs the sources"),
        None => "set by the start script".to_string(),
    }
}

/// Dev runners that run a JavaScript file as node does, restarting it on changes (`nodemon src/app.js`).
const RESTARTING_RUNNERS: &[&str] = &["nodemon", "node-dev"];

/// The dev script when it runs an entry through a dev runner and the image can run that entry with node: a
/// TypeScript one a build compiles or a loader runs (`tsx --watch src/index.ts`), a JavaScript one a restarting
/// runner runs as it is (`nodemon src/app.js`). The server's entry when no start script names one.
pub(super) fn dev_entry_script(app: &App, has_build: bool) -> Option<scripts::Resolved> {
    DEV_SCRIPTS.iter().find_map(|name| {
        let found = scripts::resolve(app, name)?;
        let runner = found.words.first()?;
        let file = found.words.iter().skip(1).find(|w| scripts::is_script_file(w))?;
        let runs = if is_typescript(file) {
            has_build || source_loader(app, runner).is_some()
        } else {
            RESTARTING_RUNNERS.contains(&runner.as_str())
        };
        (runs && DEV_RUNNERS.contains(&runner.as_str())).then_some(found)
    })
}

/// The start of a TypeScript server that only its dev runner runs, from its sources through the runner's loader
/// (`node --import tsx src/index.ts`, `node -r ts-node/register src/index.ts`), said.
fn loader_start(found: &scripts::Resolved, file: &str, loader: &str, warnings: &mut Vec<String>) -> Start {
    let text = found.words.join(" ");
    let source = found.source();
    let file = file.trim_start_matches("./");
    let runner = found.words.first().map_or("", String::as_str);
    warnings.push(format!(
        "{source}: `{text}` runs the TypeScript sources through {runner} and no build compiles them: the image runs \
         them the same way (`node {loader} {file}`); add a build (tsc) for an image without {runner}"
    ));
    let mut env = found.env.clone();
    env.extend(super::typescript::loader_env(loader));
    Start {
        command: Fact::new(format!("node {loader} {file}"), source)
            .with_note(format!("`{text}` without its watch mode: {runner} loads the sources")),
        env,
        cli: None,
    }
}

/// The env assignments of the start script as the image's ENV, and the port when it sets PORT: `NODE_ENV` is
/// production in the image whatever the script says; values that are not plain text are said, not copied.
fn start_env(
    assigned: Vec<(String, String)>,
    source: &str,
    warnings: &mut Vec<String>,
) -> (Vec<serde_json::Value>, Option<Fact>) {
    let mut env = Vec::new();
    let mut port = None;
    for (name, value) in assigned {
        match name.as_str() {
            "NODE_ENV" => {}
            "PORT" => {
                port = value
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .map(|p| Fact::new(p, source).with_note("PORT given to the server where it is started"));
            }
            _ if crate::validate::env_value(&value).is_ok() => env.push(json!({ "name": name, "value": value })),
            _ => warnings.push(format!(
                "{source}: the start script sets {name} to a value that is not plain text; it is not copied into \
                 the image's ENV (pass it at run time)"
            )),
        }
    }
    (env, port)
}

/// A server bun runs (`bun src/index.ts`, Bun's own APIs): the runtime gets the bun binary the base stage
/// installs, which the Node image lacks. Only a bun project installs bun.
fn bun_runtime(app: &App, command: &Fact, facts: &mut Facts, warnings: &mut Vec<String>) {
    if app.context.manager() == "bun" {
        facts.insert(
            "bun_runtime".into(),
            Fact::new(true, command.source.clone()).with_note("the server runs on bun: the runtime gets its binary"),
        );
    } else {
        warnings.push(format!(
            "{}: the server runs on bun, but the project installs with {} (no bun.lock), so the image has no bun: \
             commit bun.lock (`bun install`) to build with bun, or pass --set start_command=\"node FILE\"",
            command.source,
            app.context.manager()
        ));
    }
}

/// Folders the build writes: Vite's or Astro's outDir when it runs their build, a `--out-dir` of the build
/// script, tsconfig's outDir.
fn build_outputs(app: &App, warnings: &mut Vec<String>) -> Vec<String> {
    let mut outputs = Vec::new();
    if let Some((script, _)) = app.build_script() {
        if let (true, Some(vite)) = (scripts::runs(app, "build", "vite", "build"), app.dependency("vite")) {
            outputs.extend(vite_output(app, &vite, warnings).and_then(|f| f.value.as_str().map(String::from)));
        }
        if let (true, Some(astro)) = (scripts::runs(app, "build", "astro", "build"), app.dependency("astro")) {
            outputs.extend(astro_output(app, &astro, warnings).and_then(|f| f.value.as_str().map(String::from)));
        }
        outputs.extend(static_output(&script));
        if app.dependency("@sveltejs/adapter-node").is_some() {
            outputs.push("build".to_string()); // adapter-node's default `out`
        }
        if scripts::runs(app, "build", "next", "build") {
            outputs.push(".next".to_string());
        }
        outputs.extend(framework_build_folders(app, warnings));
        if scripts::runs(app, "build", "nx", "build") {
            outputs.extend(super::nx::build(app).map(|build| build.output));
        }
        // What the build's other tools write (`tailwindcss … -o ./public/styles.css`): the folder of the file.
        outputs.extend(scripts::commands(app, "build").iter().filter_map(|words| written_file_folder(words)));
    }
    outputs.extend(tsconfig_option(app, "outDir"));
    let mut folders: Vec<String> = Vec::new();
    for folder in outputs.iter().map(|o| join("", o)).filter(|o| !o.is_empty()) {
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    folders
}

/// The folders framework builds the build script runs write (`react-router build` → build/, or its config's
/// `buildDirectory`), knowledge/node/runtime.toml `framework_builds`.
fn framework_build_folders(app: &App, warnings: &mut Vec<String>) -> Vec<String> {
    let mut folders = Vec::new();
    for build in &node::runtime().files.compile.framework_builds {
        let Some((program, subcommand)) = build.command.split_once(' ') else { continue };
        if !scripts::runs(app, "build", program, subcommand) {
            continue;
        }
        let default = Fact::new(build.folder.as_str(), app.at("scripts.build"));
        let folder = match &build.config {
            Some((stem, setting)) => {
                super::outputs::config_setting(app, stem, &[setting], super::outputs::OUTPUT_DIR_REMEDY, warnings)
                    .or_default(default)
            }
            None => Some(default),
        };
        folders.extend(folder.and_then(|fact| fact.value.as_str().map(String::from)));
    }
    folders
}

/// The folder a build tool's output option names (`-o ./public/styles.css` → `public`, `--output dist/app.css`).
fn written_file_folder(words: &[String]) -> Option<String> {
    let at = words.iter().position(|w| matches!(w.as_str(), "-o" | "--output" | "--outfile" | "--out-file"))?;
    let path = join("", words.get(at + 1)?);
    let (folder, file) = path.rsplit_once('/')?;
    (file.contains('.') && !folder.is_empty()).then(|| folder.to_string())
}

/// What the compile in the image reads from the build context besides the manifests: the tsconfig it is given and
/// the folder of the entry's sources, as `build_reads` (a project's own ignore file written for a Dockerfile that
/// copied a prebuilt dist/ may hide them: dockgen's block lets them back in). Hands the compiled entry back.
fn recording_build_reads(
    app: &App,
    compiled: Option<super::typescript::Compiled>,
    facts: &mut Facts,
) -> Option<super::typescript::Compiled> {
    let sources = compiled.as_ref().and_then(|c| c.source.split_once('/')).map(|(top, _)| top);
    let reads: Vec<String> = super::tsconfig::tsconfig_file(app)
        .into_iter()
        .chain(sources)
        .filter(|path| app.path(path).exists())
        .map(|path| app.file(path))
        .collect();
    if let Some(first) = reads.first() {
        let note = "what the compile reads: kept in the build context";
        facts.insert("build_reads".into(), Fact::new(json!(reads), first.clone()).with_note(note));
    }
    compiled
}

/// Why the compiled folder ships.
const RUNS_FROM: &str = "the folder the start command runs from";

/// What the runtime image holds, as facts: the output folder a server is compiled into (`compiled_dir`) and
/// what its sources read beside it; for a server that runs its sources (or is compiled beside them), the files
/// its entry loads and what they read (`runtime_files`); the whole folder (`whole_app`) when a load cannot be
/// followed. Returns what the modules followed say about listening, when the graph was followed to its end.
fn shipped_files(
    app: &App,
    facts: &mut Facts,
    (entry, command): (Option<&str>, Option<&str>),
    source: &str,
    has_build: bool,
    outputs: &[String],
    warnings: &mut Vec<String>,
) -> Option<Found> {
    let named = entry.map(|e| join("", e)).unwrap_or_default();
    // `node server` runs server.js: the file node resolves, when the repository has it.
    let resolved = (!named.is_empty()).then(|| resolve(app, &named)).flatten();
    let committed = resolved.is_some();
    let entry = resolved.unwrap_or(named);
    let out_dir = tsconfig_option(app, "outDir");
    let compiled_dir = entry
        .split_once('/')
        .map(|(top, _)| top.to_string())
        .filter(|top| has_build && !committed && (!app.path(top).is_dir() || out_dir.as_deref() == Some(top)));
    if let Some(top) = compiled_dir {
        let compiled = recording_build_reads(app, compiled_source(app, &entry), facts);
        let walk = Walk {
            entries: compiled.as_ref().map(|c| c.source.clone()).into_iter().collect(),
            outputs,
            ships: Ships::NamedPaths,
            layout: compiled.map(|c| (c.root, c.out_dir)),
        };
        let mut found = run_files(app, &walk);
        say_secrets(&found, warnings);
        if super::assets::build_may_bundle(app, facts) {
            say_dev_only(&found.dev_only, warnings);
        } else {
            install_dev_loads(&found.dev_only, facts, warnings);
        }
        run_time_needs(app, &mut found, facts, warnings);
        if let Some((_, out_dir)) = &walk.layout {
            super::assets::compiled_assets(app, &found.assets, out_dir, facts);
        }
        let listening = found.take_listening();
        // (Loads the sources make at run time are compiled into the output folder: only odd names matter.)
        if let Some(why) = found.odd_names() {
            let note = format!("{why}, so the whole folder ships");
            facts.insert("whole_app".into(), Fact::new(true, source).with_note(note));
            return listening;
        }
        // Built in the image, so kept out of the build context too.
        facts.insert(
            "compiled_dir".into(),
            Fact::new(top.clone(), source).with_note(RUNS_FROM),
        );
        let (files, evidence) = found.listing(&[(&top, Some(RUNS_FROM)), ("package.json", None)]);
        facts.insert(
            "runtime_files".into(),
            Fact::new(json!(files), source).with_note(evidence),
        );
        return listening;
    }
    let start = if committed {
        Some(entry.clone())
    } else {
        typescript_source(app, &entry)
    };
    let Some(start) = start else {
        let note = if has_build {
            "the build writes beside the sources"
        } else {
            "the sources run as they are"
        };
        facts.insert("whole_app".into(), Fact::new(true, source).with_note(note));
        return None;
    };
    let mut entries = vec![start];
    entries.extend(
        command
            .map(preloads)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| app.path(p).is_file()),
    );
    let mut found = run_files(
        app,
        &Walk {
            entries,
            outputs,
            ships: Ships::TopLevel,
            layout: None,
        },
    );
    say_secrets(&found, warnings);
    install_dev_loads(&found.dev_only, facts, warnings);
    run_time_needs(app, &mut found, facts, warnings);
    let listening = found.take_listening();
    if let Some(why) = found.unusable() {
        let note = format!("{why}, so the whole folder ships");
        facts.insert("whole_app".into(), Fact::new(true, source).with_note(note));
        return listening;
    }
    let (configs, why) = run_time_tsconfigs(app, command);
    let mut leading = vec![("package.json", None)];
    leading.extend(configs.iter().map(|file| (file.as_str(), Some(why))));
    let (files, evidence) = found.listing(&leading);
    facts.insert(
        "runtime_files".into(),
        Fact::new(json!(files), source).with_note(evidence),
    );
    listening
}

/// The tsconfig files the start reads at run time, and why: a loader that compiles the sources as node loads
/// them (tsx, ts-node) reads their tsconfig, and bun resolves the path aliases a tsconfig declares
/// (`@routes/*`, or bare names under `baseUrl`) when it runs the sources.
fn run_time_tsconfigs(app: &App, command: Option<&str>) -> (Vec<String>, &'static str) {
    let loads_sources = command.is_some_and(|c| SOURCE_LOADERS.iter().any(|loader| c.contains(loader)));
    let chain = tsconfig_chain(app, "tsconfig.json");
    let aliases = command.is_some_and(|c| c.starts_with("bun "))
        && chain.iter().any(|(_, text)| {
            ["paths", "baseUrl"].iter().any(|key| !matches!(json_setting(text, &["compilerOptions", key]), Setting::Unset))
        });
    let why = if loads_sources { "the loader compiles the sources with it" } else { "bun resolves its path aliases" };
    let configs = if loads_sources || aliases { chain.into_iter().map(|(file, _)| file).collect() } else { Vec::new() };
    (configs, why)
}

/// What the walk found the program needs at run time besides its files: the folders and files it writes, the
/// programs it starts.
fn run_time_needs(app: &App, found: &mut RunFiles, facts: &mut Facts, warnings: &mut Vec<String>) {
    database_writes(app, found, warnings);
    written_dirs(app, found, facts);
    runtime_programs(found.programs.iter(), facts);
    served_frontend(app, found, facts, warnings);
}

/// The front-end the server serves from a folder another package.json of the repository builds (`express.static`
/// of `client/build`, which client/package.json's build writes): built in a stage of its own and copied where the
/// server reads it (was: neither built nor shipped, so every page answered 404).
fn served_frontend(app: &App, found: &RunFiles, facts: &mut Facts, warnings: &mut Vec<String>) {
    // (A workspace's packages are built by the workspace; only a lone app's folders are looked at.)
    if app.dir != "." {
        return;
    }
    let root = app.path(".");
    for (path, source) in &found.absent {
        if crate::detect::frontend::builder_of(&root, path).is_none_or(|builder| builder == ".") {
            continue;
        }
        match crate::detect::frontend::served(&root, path, source) {
            Ok(None) => continue,
            Ok(Some(served)) => {
                for (key, fact) in served.facts {
                    let fact = if key == "frontend" {
                        fact.with_note(served.note.clone())
                    } else {
                        fact
                    };
                    facts.insert(key.into(), fact);
                }
            }
            Err(warning) => warnings.push(warning),
        }
        return;
    }
}

/// What the server's dependencies write besides what its code names: the `SQLite` file of the database settings
/// production selects (sequelize-cli's config), a package's default folder (connect-sqlite3's sessions); and what
/// those settings stop at start, said.
fn database_writes(app: &App, found: &mut RunFiles, warnings: &mut Vec<String>) {
    let production = super::dbconfig::production(app);
    if let Some((file, folder, why)) = production.written {
        found.written_files.insert(file);
        found.written.entry(folder).or_insert(why);
    }
    warnings.extend(production.warnings);
    for (package, folder) in &node::runtime().files.writes.package_folders {
        if let Some(dependency) = app.dependency(package) {
            let why = format!("{} {package} writes in {folder} by default", dependency.source);
            found.written.entry(folder.clone()).or_insert(why);
        }
    }
}

/// The folders the code writes to (`written_dirs`): made in the image and handed to the app user, who owns
/// nothing else; and the files it writes that the repository holds (`written_files`, a committed `SQLite`
/// database), shipped as the app user's.
fn written_dirs(app: &App, found: &RunFiles, facts: &mut Facts) {
    let Some((_, first)) = found.written.iter().next() else {
        return;
    };
    let source = first.split_once(' ').map_or(first.as_str(), |(at, _)| at);
    let dirs: Vec<&String> = found.written.keys().collect();
    let evidence: Vec<&str> = found.written.values().map(String::as_str).collect();
    facts.insert(
        "written_dirs".into(),
        Fact::new(json!(dirs), source).with_note(evidence.join("; ")),
    );
    // (One in a written folder other than the working directory is the app user's with that folder.)
    let handed_with_folder = |file: &str| {
        let folder = file.rsplit_once('/').map_or(".", |(folder, _)| folder);
        folder != "." && found.written.contains_key(folder)
    };
    let held: Vec<&String> = found
        .written_files
        .iter()
        .filter(|file| app.path(file).is_file() && !handed_with_folder(file))
        .filter(|file| !crate::detect::kept_out_of_build(&app.context.dir, &crate::detect::join_rel(&app.dir, file)))
        .collect();
    if !held.is_empty() {
        facts.insert(
            "written_files".into(),
            Fact::new(json!(held), source).with_note("files of the repository the program writes"),
        );
    }
}

/// Packages the server loads that only devDependencies declare: the production install leaves them out, so it
/// stops at start (`Cannot find module`) unless the build bundles them.
fn say_dev_only<P: std::fmt::Display, A: std::fmt::Display>(
    loads: impl IntoIterator<Item = (P, A)>,
    warnings: &mut Vec<String>,
) {
    for (package, at) in loads {
        warnings.push(format!(
            "{at} loads {package}, which only devDependencies declare: the image installs production dependencies, \
             so the server stops with `Cannot find module` unless the build bundles it; move it to dependencies"
        ));
    }
}

/// Packages a server run from its sources loads (or its start command preloads, `node -r dotenv/config`) that
/// only devDependencies declare: nothing bundles them, so the image installs every dependency
/// (`dev_dependencies_loaded`) and the server starts; a warning names each load and the fix.
pub(super) fn install_dev_loads<P: std::fmt::Display, A: std::fmt::Display>(
    loads: impl IntoIterator<Item = (P, A)>,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) {
    for (package, at) in loads {
        warnings.push(format!(
            "{at} loads {package}, which only devDependencies declare: the image installs every dependency, \
             devDependencies too, so that the server starts; move it to dependencies for a production-only install"
        ));
        let package = package.to_string();
        let fact = facts.entry("dev_dependencies_loaded".into()).or_insert_with(|| {
            Fact::new(json!([]), at.to_string()).with_note("loaded at run time, declared only as devDependencies")
        });
        if let Some(list) = fact.value.as_array_mut().filter(|list| !list.iter().any(|p| p == package.as_str())) {
            list.push(json!(package));
        }
    }
}

/// The packages the start command preloads (`node -r source-map-support/register dist/index.js`) that only
/// devDependencies declare.
fn dev_preloads(app: &App, start: &Fact, facts: &mut Facts, warnings: &mut Vec<String>) {
    let dev_only = preloaded(start.value.as_str().unwrap_or_default())
        .into_iter()
        .filter_map(super::runfiles::package_name)
        .filter(|package| app.is_dev_only(package))
        .map(|package| (package, &start.source));
    install_dev_loads(dev_only, facts, warnings);
}

/// Secret files the code names: never shipped, so the user must give their values at run time.
fn say_secrets(found: &RunFiles, warnings: &mut Vec<String>) {
    for (path, why) in &found.secrets {
        let name = path.rsplit('/').next().unwrap_or(path);
        let instead = if name.starts_with(".env") {
            format!("pass its variables at run time (`{path}`)")
        } else {
            format!("mount it at run time (`-v \"$PWD/{path}:/app/{path}:ro\"`)")
        };
        warnings.push(format!(
            "{why}, a secrets file the image never holds (the .dockerignore keeps it out of the build too): {instead}"
        ));
    }
}

/// Modules `node -r ./x.js` or `--import ./y.mjs` loads before the entry: the app's own files among them.
fn preloads(command: &str) -> Vec<String> {
    preloaded(command)
        .into_iter()
        .filter(|v| v.starts_with("./") || v.starts_with("../"))
        .map(|v| join("", v))
        .collect()
}

/// What node's `-r`/`--require`/`--import` options load before the entry, as written.
fn preloaded(command: &str) -> Vec<&str> {
    let words: Vec<&str> = command.split_whitespace().collect();
    words
        .iter()
        .enumerate()
        .filter_map(|(i, word)| match *word {
            "-r" | "--require" | "--import" => words.get(i + 1).copied(),
            other => ["--require=", "--import="]
                .iter()
                .find_map(|flag| other.strip_prefix(flag)),
        })
        .collect()
}

/// Start scripts that exist but use the shell beyond `&&` (a line break, a pipe, a redirection, a
/// substitution): an exec-form CMD cannot run them as written, so they are said rather than split.
fn say_unfollowable_scripts(app: &App, warnings: &mut Vec<String>) {
    for name in START_SCRIPTS {
        if let (Some((_, source)), None) = (app.script(name), scripts::resolve(app, name)) {
            warnings.push(format!(
                "{source}: scripts.{name} uses the shell (a line break, pipe, redirection, substitution or a loop \
                 of scripts), which an exec-form CMD cannot run as written; pass --set start_command=\"node FILE\""
            ));
        }
    }
}

/// A package with nothing to start whose scripts run apps in folders of their own (`cd server && yarn dev`):
/// those are what to build, said with the folders.
fn say_entered_packages(app: &App, warnings: &mut Vec<String>) {
    let folders = scripts::entered_packages(app);
    let Some(first) = folders.first() else { return };
    let listed: Vec<String> = folders.iter().map(|f| format!("{f}/")).collect();
    warnings.push(format!(
        "{}: its scripts run the apps in {}, each with a package.json of its own: this package starts none of them; \
         run dockgen in the one to build (dockgen init {})",
        app.file("package.json"),
        listed.join(", "),
        app.file(first)
    ));
}

/// The first Node line whose images run `node file.ts` without flags: type stripping is on by default from
/// 22.18 and 23.6, and a line's image tag (`node:22-alpine`) is its newest release, past 22.18.
const STRIPS_TYPES_FROM: u64 = 22;

/// Scripts that start a server in production, most specific first; dev servers are never among them. A
/// package that runs on several runtimes names its Node start `start:node` or `node:start` (beside `start:bun`).
pub(super) const START_SCRIPTS: &[&str] =
    &["start:prod", "start:production", "prod", "start", "start:node", "node:start", "serve"];

/// The start scripts that exist, in `START_SCRIPTS` order, then a `preview` that runs node on a file: Vite's SSR
/// templates start their production server so (`"preview": "NODE_ENV=production node dist/server.js"`), while a
/// `vite preview` serves a static build for a look, never in production.
fn production_scripts(app: &App) -> Vec<scripts::Resolved> {
    let preview = scripts::resolve(app, "preview").filter(|found| node_command(&found.words, true).is_some());
    let deployed = deployed_script(app);
    let deployed_name = deployed.as_ref().and_then(|found| found.chain.first()).map(|(name, _)| name.clone());
    let named = START_SCRIPTS
        .iter()
        .filter(|name| deployed_name.as_deref() != Some(**name))
        .filter_map(|name| scripts::resolve(app, name));
    deployed.into_iter().chain(named).chain(preview).collect()
}

/// The package script the project's deployment files run (Procfile's `web: npm run server`, a Dockerfile's
/// `CMD ["npm", "run", "serve"]`, compose's command), followed to its command: it comes before the scripts
/// named like a start, being what the project runs in production.
pub(super) fn deployed_script(app: &App) -> Option<scripts::Resolved> {
    let script = |words: &[String]| scripts::run_target(words).map(|(name, _)| name).filter(|name| app.script(name).is_some());
    // A command run in another folder (`cd web && npm start`) is that folder's package's.
    let runs = |words: &[String], run_dir: Option<&str>| run_dir.is_none() && script(words).is_some();
    let runtime = crate::detect::deploy::read(&app.path("."), ".", &[], &runs);
    let (words, source) = runtime.command.as_ref()?;
    let mut found = scripts::resolve(app, &script(words)?)?;
    found.deployed_by = Some(source.clone());
    Some(found)
}

/// Whether the project's deployment files run a package script that starts node on a file: a server, whatever
/// front-end the package also builds.
pub(super) fn deploys_a_server(app: &App) -> bool {
    deployed_script(app).is_some_and(|found| node_command(&found.words, true).is_some())
}

/// Dev scripts whose TypeScript entry a compiled server starts from (`dev:node` beside `dev:bun`).
const DEV_SCRIPTS: &[&str] = &["dev", "dev:node"];

/// How the server starts: the command, and the env assignments its script puts in front of it.
pub(super) struct Start {
    pub(super) command: Fact,
    pub(super) env: Vec<(String, String)>,
    /// When a dependency's command serves the app (`fastify start app.js`), what it says about the server.
    pub(super) cli: Option<CliServed>,
}

/// What a server CLI's command says: the app file it loads, its port, and the variable that takes it off
/// loopback.
pub(super) struct CliServed {
    entry: Option<String>,
    port: Fact,
    /// The command passes the port as an option: the PORT variable does not move it.
    port_fixed: bool,
    bind_env: Option<Fact>,
}

/// The command that starts the server: a start script followed through its chain (`npm run serve`) to
/// `node FILE`; else one whose chain ends in a dev runner (nodemon, ts-node, `nest start`), replaced by node
/// on the compiled entry; else Nest's build output or `main`.
pub(super) fn start_entry(
    app: &App,
    nest: bool,
    has_build: bool,
    node_line: Option<u64>,
    warnings: &mut Vec<String>,
) -> Option<Start> {
    let resolved: Vec<scripts::Resolved> = production_scripts(app)
        .into_iter()
        .map(|found| package_itself(app, found))
        .collect();
    if let Some(start) = run_by_node(app, &resolved, has_build, node_line, warnings) {
        return Some(start);
    }
    let node = |entry: &str, source: String| Fact::new(format!("node {entry}"), source);
    // With no start script, a compiled server's dev script (`tsx --watch src/index.ts`) still names its entry.
    let dev = resolved.is_empty().then(|| dev_entry_script(app, has_build)).flatten();
    for found in resolved.iter().chain(dev.iter()) {
        let words = &found.words;
        let text = words.join(" ");
        let source = found.source();
        let runner = words.first().map(String::as_str).unwrap_or_default();
        let start = |command: Fact| {
            Some(Start {
                command,
                env: found.env.clone(),
                cli: None,
            })
        };
        if super::pm2::is_runner(words) {
            if let Some((command, env)) = super::pm2::started(app, words, &source, &found.describe()) {
                return Some(Start {
                    command,
                    env: [found.env.clone(), env].concat(),
                    cli: None,
                });
            }
            continue;
        }
        let cli = node::server_clis()
            .iter()
            .find(|cli| cli.bin == runner && words.get(1) == Some(&cli.subcommand));
        if let Some(cli) = cli {
            if let Some(served) = served_by_cli(app, cli, found, warnings) {
                return Some(served);
            }
            continue;
        }
        if nest || (runner == "nest" && words.get(1).is_some_and(|w| w == "start")) {
            let entry = nest_entry(app);
            return start(
                node(&entry, source).with_note(format!("`{text}` runs a dev build; the compiled entry is {entry}")),
            );
        }
        if let Some(command) = super::nx::served_entry(app, words) {
            return start(command);
        }
        if DEV_RUNNERS.contains(&runner) {
            let Some(file) = words.iter().skip(1).rev().find(|w| scripts::is_script_file(w)) else {
                continue;
            };
            let entry = if is_typescript(file) {
                if let Some(loader) = source_loader(app, runner).filter(|_| !has_build) {
                    return Some(loader_start(found, file, loader, warnings));
                }
                if !has_build {
                    warnings.push(format!(
                        "{source}: `{text}` runs TypeScript through {runner} and there is no build script to compile it: \
                         add a build (tsc) or pass --set start_command=\"node dist/index.js\""
                    ));
                    return None;
                }
                compiled_entry(app, file)
            } else {
                file.trim_start_matches("./").to_string()
            };
            return start(node(&entry, source).with_note(format!("`{text}` is a dev runner; node runs {entry}")));
        }
    }
    if nest {
        let entry = nest_entry(app);
        return Some(Start {
            command: node(&entry, app.at("dependencies.@nestjs/core")).with_note("nest build output"),
            env: Vec::new(),
            cli: None,
        });
    }
    // Why `main` is not the entry matters only when nothing else names one.
    let mut main_warnings = Vec::new();
    let found = npm_default_start(app)
        .or_else(|| main_entry(app, has_build, &mut main_warnings))
        .or_else(|| bun_entry(app))
        .or_else(|| deployed_entry(app))
        .or_else(|| listening_script_file(app))
        .or_else(|| listening_file(app));
    if found.is_none() {
        warnings.extend(main_warnings);
    }
    found
}

/// npm's own start with no start script: `node server.js` when the package holds server.js (npm's documented
/// default for `npm start`), whatever `main` names (what `require` of the package loads).
fn npm_default_start(app: &App) -> Option<Start> {
    let main = app.package.str("main").map(|m| m.trim_start_matches("./"));
    // (`main` naming server.js says the same, with its own line.)
    if app.script("start").is_some() || !app.path("server.js").is_file() || main == Some("server.js") {
        return None;
    }
    let note = match main {
        Some(main) => format!("no start script: `npm start` runs server.js (npm's default), not main ({main})"),
        None => "no start script: `npm start` runs server.js (npm's default)".to_string(),
    };
    Some(Start {
        command: Fact::new("node server.js", app.file("server.js")).with_note(note),
        env: Vec::new(),
        cli: None,
    })
}

/// With no start script nor entry, a script of another name that runs a file calling `listen()` (`"start-api":
/// "node src/api/index.js"`, `"serve:api": "nodemon server.js"`): when exactly one such file exists, it is the
/// server's entry, said with the script that names it.
fn listening_script_file(app: &App) -> Option<Start> {
    let names: Vec<String> = app.package.get("scripts")?.as_object()?.keys().cloned().collect();
    let mut found: Vec<(String, String, String)> = Vec::new();
    for name in names.iter().filter(|name| !name.starts_with("test") && !name.starts_with("lint")) {
        let Some(resolved) = scripts::resolve(app, name) else { continue };
        let runner = resolved.words.first().map(String::as_str).unwrap_or_default();
        if runner != "node" && !DEV_RUNNERS.contains(&runner) {
            continue;
        }
        let Some(file) = resolved.words.iter().skip(1).rev().find(|w| scripts::is_script_file(w)) else { continue };
        let file = join("", file);
        if is_typescript(&file) || !app.path(&file).is_file() || found.iter().any(|(known, ..)| *known == file) {
            continue;
        }
        let Some(line) = app.text(&file).and_then(|text| super::listen::listen_call_line(&text)) else { continue };
        found.push((file.clone(), format!("{}:{line}", app.file(&file)), resolved.describe()));
    }
    let [(file, listens_at, how)] = found.as_slice() else { return None };
    Some(Start {
        command: Fact::new(format!("node {file}"), listens_at.clone()).with_note(format!(
            "no start script names the server: {how} runs {file}, the only file a script runs that calls listen() \
             (--set start_command=\"node FILE\" picks another)"
        )),
        env: Vec::new(),
        cli: None,
    })
}

/// The first start script that runs a file with node (a TypeScript one where node strips types), unless nothing
/// makes the file it runs.
fn run_by_node(
    app: &App,
    resolved: &[scripts::Resolved],
    has_build: bool,
    node_line: Option<u64>,
    warnings: &mut Vec<String>,
) -> Option<Start> {
    // Node 22 and later run a TypeScript entry as it is (type stripping); the current LTS when nothing pins.
    let strips_types = node_line.is_none_or(|major| major >= STRIPS_TYPES_FROM);
    for found in resolved {
        let typescript_entry =
            node_command(&found.words, true).is_some() && node_command(&found.words, false).is_none();
        if typescript_entry && !strips_types {
            warnings.push(format!(
                "{}: `{}` runs TypeScript, which node runs as it is only from Node {STRIPS_TYPES_FROM} (type \
                 stripping); the Node line here is {}: raise engines.node or compile it",
                found.source(),
                found.words.join(" "),
                node_line.unwrap_or_default()
            ));
        }
        if let Some(command) = node_command(&found.words, strips_types) {
            if let Some(missing) = entry_file(&command).filter(|file| made_by_nothing(app, found, file, has_build)) {
                warnings.push(format!(
                    "{}: `{}` runs {missing}, which is not in the repository and which nothing builds (no build \
                     script, no compile, no pre-script or install hook): not taken as the server's command",
                    found.source(),
                    found.words.join(" ")
                ));
                continue;
            }
            say_skipped_steps(found, &command, warnings);
            let command = where_tsc_writes(app, found, command, has_build, warnings);
            let fact = Fact::new(command, found.source()).with_note(found.describe());
            return Some(Start {
                command: fact,
                env: found.env.clone(),
                cli: None,
            });
        }
    }
    None
}

/// The build script that writes the server's entry, when `build` does not (`"build": "vite build"` for the
/// front-end, `"build:server": "tsc … --outDir dist-server"` for the server the start runs): the image builds
/// with it. True when the server has a build of its own so.
fn server_build(app: &App, entry: Option<&str>, facts: &mut Facts) -> bool {
    let Some(entry) = entry.filter(|entry| !loadable(app, entry)) else {
        return false;
    };
    let Some((script, source)) = scripts::writing(app, entry) else {
        return false;
    };
    if script == "build" {
        return false;
    }
    let note = match app.build_script() {
        Some((text, _)) => format!("writes {entry}, which the start runs; `build` ({text}) does not"),
        None => format!("writes {entry}, which the start runs"),
    };
    facts.insert("build_script".into(), Fact::new(script, source).with_note(note));
    true
}

/// A start command naming a compiled entry where tsc does not write it: `node dist/main` while an input outside
/// src/ (a top-level `data-source.ts`) makes tsc's root the app's folder, so `src/main.ts` compiles to
/// `dist/src/main.js`. The command runs the file tsc writes, said with the input that moved it.
fn where_tsc_writes(
    app: &App,
    found: &scripts::Resolved,
    command: String,
    has_build: bool,
    warnings: &mut Vec<String>,
) -> String {
    let Some(file) = entry_file(&command).filter(|file| has_build && !loadable(app, file)) else {
        return command;
    };
    let Some(root) = tsc_root(app).filter(|_| tsconfig_option(app, "rootDir").is_none() && compiles_with_tsc(app))
    else {
        return command;
    };
    let Some(compiled) = compiled_source(app, file) else {
        return command;
    };
    let written = compiled_entry(app, &compiled.source);
    let named = file.trim_start_matches("./");
    let named = if std::path::Path::new(named).extension().is_none() { format!("{named}.js") } else { named.to_string() };
    if written == named {
        return command;
    }
    let why = root.widened_by.map_or_else(
        || "tsc's root is the common folder of its inputs".to_string(),
        |input| format!("{} is among tsc's inputs (tsconfig has no rootDir), so its root is the app's folder", app.file(&input)),
    );
    warnings.push(format!(
        "{}: `{}` runs {file}, but tsc compiles {} to {written}: {why}; the image runs {written} (pass --set \
         start_command=... to run another)",
        found.source(),
        found.words.join(" "),
        app.file(&compiled.source),
    ));
    command
        .split_whitespace()
        .map(|word| if word == file { written.as_str() } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the app's build compiles with tsc, file by file (`tsc`, `nest build` with its default compiler).
fn compiles_with_tsc(app: &App) -> bool {
    let commands = scripts::commands(app, "build");
    let tsc = |words: &Vec<String>| match words.first().map(String::as_str) {
        Some("tsc") => true,
        Some("nest") => words.get(1).is_some_and(|w| w == "build"),
        _ => false,
    };
    commands.iter().any(tsc) || (commands.is_empty() && typescript_compile(app).is_some())
}

/// Whether the file a start command runs can be missing when it starts: node finds nothing to load in the
/// repository and no step of the build or of the install could make it.
fn made_by_nothing(app: &App, found: &scripts::Resolved, file: &str, has_build: bool) -> bool {
    let pre_scripts = found.chain.iter().any(|(name, _)| app.script(&format!("pre{name}")).is_some());
    let install_hooks = ["preinstall", "install", "postinstall", "prepare"]
        .iter()
        .any(|hook| app.script(hook).is_some());
    !loadable(app, file)
        && !has_build
        && found.before.is_empty()
        && !pre_scripts
        && !install_hooks
        && scripts::writing(app, file).is_none()
}

/// Whether node finds a file to load for this path: the file, with `.js` added, or a folder's index.js.
fn loadable(app: &App, file: &str) -> bool {
    let file = file.trim_start_matches("./");
    [file.to_string(), format!("{file}.js"), join(file, "index.js")]
        .iter()
        .any(|candidate| app.path(candidate).is_file())
}

/// The one JavaScript file at the top of the app that calls `listen(`, when neither the scripts nor `main`
/// name an entry that exists (`npm init`'s `main: index.js` beside a `server.js`): the server's entry.
pub(super) fn listening_file(app: &App) -> Option<Start> {
    let entries = std::fs::read_dir(app.path(".")).ok()?;
    let mut listening: Vec<(String, usize)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| [".js", ".mjs", ".cjs"].iter().any(|ext| name.ends_with(ext)) && app.path(name).is_file())
        .filter_map(|name| {
            let text = app.text(&name)?;
            let line = super::listen::listen_call_line(&text)?;
            Some((name, line))
        })
        .collect();
    listening.sort();
    let [(file, line)] = listening.as_slice() else {
        return None;
    };
    Some(Start {
        command: Fact::new(format!("node {file}"), format!("{}:{line}", app.file(file))).with_note(
            "no script or main names an entry that exists; the only file at the app's top level that calls listen() \
             (--set start_command=\"node FILE\" picks another)",
        ),
        env: Vec::new(),
        cli: None,
    })
}

/// `bun .` and `node .` run the package itself: its entry file (bun's `module`, then `main`; node's `main`) is
/// named instead, when it exists.
fn package_itself(app: &App, mut found: scripts::Resolved) -> scripts::Resolved {
    let fields: &[&str] = match found.words.first().map(String::as_str) {
        Some("bun") => &["module", "main"],
        Some("node") => &["main"],
        _ => return found,
    };
    let Some(at) = found.words.iter().position(|word| word == "." || word == "./") else {
        return found;
    };
    let entry = fields
        .iter()
        .filter_map(|field| app.package.str(field))
        .map(|entry| entry.trim_start_matches("./"))
        .find(|entry| app.path(entry).is_file());
    if let Some(entry) = entry {
        found.words[at] = entry.to_string();
    }
    found
}

/// Bun serves an entry whose default export has `fetch` (`export default { port, fetch: app.fetch }`): on its
/// `port` when that is a number (fixed: true), else on PORT, 3000 by default.
fn bun_export_port(app: &App, entry: &str) -> Option<(Fact, bool)> {
    let entry = entry.trim_start_matches("./");
    let text = app.text(entry)?;
    let name = entry.rsplit('/').next().unwrap_or(entry);
    let shown = app.file(entry);
    if matches!(exported_setting(&text, name, &["fetch"]), Setting::Unset) {
        return None;
    }
    match exported_setting(&text, name, &["port"]) {
        Setting::Value { value, line } => {
            let port: u16 = value.parse().ok().filter(|port| *port > 0)?;
            let note = "the port of the default export Bun serves";
            Some((Fact::new(port, format!("{shown}:{line}")).with_note(note), true))
        }
        Setting::Unset | Setting::Unknown { .. } => Some((
            Fact::new(3000, shown).with_note("Bun serves the default export ({ fetch }) on PORT, 3000 by default"),
            false,
        )),
    }
}

/// A bun project without a start script: bun runs TypeScript as it is, so its entry is the file its `module`
/// field names (what `bun init` writes; its README says `bun run index.ts`), else the file its dev script runs
/// under bun (`bun run --hot src/index.ts`), without the watch flags.
pub(super) fn bun_entry(app: &App) -> Option<Start> {
    if app.context.manager() != "bun" {
        return None;
    }
    let module = app
        .package
        .str("module")
        .map(|file| file.trim_start_matches("./"))
        .filter(|file| scripts::is_script_file(file) && app.path(file).is_file())
        .map(|file| (file.to_string(), app.at("module"), "the package's module field (bun's entry)".to_string()));
    let dev = || {
        let found = scripts::resolve(app, "dev")?;
        if found.words.first().map(String::as_str) != Some("bun") {
            return None;
        }
        let file = found.words.iter().skip(1).find(|w| scripts::is_script_file(w))?;
        let file = file.trim_start_matches("./");
        app.path(file)
            .is_file()
            .then(|| (file.to_string(), found.source(), format!("`{}` without its watch flags", found.words.join(" "))))
    };
    let (file, source, why) = module.or_else(dev)?;
    Some(Start {
        command: Fact::new(format!("bun {file}"), source).with_note(format!("no start script: {why}")),
        env: Vec::new(),
        cli: None,
    })
}

/// The file the project's deployment files run with node (a Dockerfile's `CMD node app.js`, also at the end of
/// a shell chain; a Procfile; compose), when the package names none that exists: the server's entry, from them.
/// A file the old image had where it copied a folder whole (`COPY src ./` then `node index.js`) is that folder's.
pub(super) fn deployed_entry(app: &App) -> Option<Start> {
    // `bun run src/app.ts` runs the file as `bun src/app.ts` does, and `npx ts-node src/server.ts` as
    // `ts-node src/server.ts`: the word `run` or `npx` is read past.
    let file_at = |words: &[String]| {
        let first = words.first().map(|w| crate::detect::deploy::base_name(w));
        let second = words.get(1).map(String::as_str);
        let bun_run = first == Some("bun") && second == Some("run");
        let npx_runner = first == Some("npx") && second.is_some_and(|w| DEV_RUNNERS.contains(&w));
        if bun_run || npx_runner { 2 } else { 1 }
    };
    // A TypeScript file run through a runner whose loader node can use (`ts-node src/server.ts`).
    let loader = |words: &[String]| {
        let runner = words.get(file_at(words) - 1).map(|w| crate::detect::deploy::base_name(w))?;
        let file = words.get(file_at(words))?;
        is_typescript(file).then(|| super::typescript::source_loader(app, runner)).flatten()
    };
    // A file run from another folder (`cd server && node index.js`) is read relative to that folder.
    let runs = |words: &[String], run_dir: Option<&str>| {
        if run_dir.is_some() {
            return false;
        }
        let file = words.get(file_at(words)).map(|f| f.trim_start_matches("./"));
        let runs_file = file.is_some_and(|f| !f.starts_with(['-', '/']) && !f.contains(".."));
        if super::pm2::is_runner(words) {
            return super::pm2::started(app, words, "", "").is_some();
        }
        match words.first().map(|w| crate::detect::deploy::base_name(w)) {
            Some("node") => runs_file,
            // bun runs a script file as node does; a word that is no file is a package script.
            Some("bun") => runs_file && file.is_some_and(scripts::is_bun_file),
            _ => runs_file && loader(words).is_some(),
        }
    };
    let mut runtime = crate::detect::deploy::read(&app.path("."), ".", &[], &runs);
    if let Some((words, _)) = runtime.command.as_mut() {
        if file_at(words) == 2 && words[0] != "npx" {
            words.remove(1);
        }
    }
    let (mut words, source) = runtime.command.clone()?;
    // Through the runner's loader, as a start script running it would (`node -r ts-node/register FILE`).
    let through = loader(&words).map(|loader| (loader, words[..file_at(&words)].join(" ")));
    // (The file's own arguments follow it as they did.)
    let mut after_file = Vec::new();
    if let Some((loader, _)) = &through {
        let at = file_at(&words);
        after_file = words.split_off(at + 1);
        let file = words[at].clone();
        words = std::iter::once("node").chain(loader.split_whitespace()).map(String::from).collect();
        words.push(file);
    }
    if super::pm2::is_runner(&words) {
        let how = format!("the project's deployment file ({source})");
        let (command, env) = super::pm2::started(app, &words, &source, &how)?;
        return Some(Start { command, env, cli: None });
    }
    // The file: after node, or after node and the loader's words.
    let at = if through.is_some() { words.len() - 1 } else { 1 };
    let named = words.get(at)?.trim_start_matches("./").to_string();
    let built = !app.path(&named).is_file() && built_by_the_package(app, &named);
    let file = if app.path(&named).is_file() || built {
        named
    } else {
        runtime.repository_file(&named).filter(|file| app.path(file).is_file())?
    };
    words[at] = file;
    words.extend(after_file);
    if words.iter().any(|w| w.contains(char::is_whitespace)) {
        return None;
    }
    let note = match (&through, built) {
        (Some((_, runner)), _) => format!("the project's deployment files run it with `{runner}`, whose loader node takes"),
        (None, true) => "the project's deployment files run it; the package's build writes it".to_string(),
        (None, false) => "the project's deployment files run it".to_string(),
    };
    Some(Start {
        command: Fact::new(words.join(" "), source).with_note(note),
        env: through.map(|(loader, _)| super::typescript::loader_env(loader)).unwrap_or_default(),
        cli: None,
    })
}

/// Whether the package's build writes `file` (`node dist/index.js` in the old image, after its `npm run build`):
/// a script names it as its output, or tsc compiles a source of the repository to it.
fn built_by_the_package(app: &App, file: &str) -> bool {
    let compiles = app.build_script().is_some() || typescript_compile(app).is_some();
    scripts::writing(app, file).is_some() || compiles && compiled_source(app, file).is_some()
}

/// The package's `main` as the server's entry (compiled when it is TypeScript and there is a build); None
/// when it names nothing node could load and nothing builds it.
fn main_entry(app: &App, has_build: bool, warnings: &mut Vec<String>) -> Option<Start> {
    let main = app.package.str("main").filter(|main| !main.trim().is_empty())?;
    let main = main.trim_start_matches("./");
    // A declaration file (`index.d.ts`) holds the package's types, never code node runs.
    if super::tsc_root::is_declaration(main) {
        return None;
    }
    // A build writes into its output folder: a missing file at the top (npm init's `index.js`) is made only
    // where a script or the compiler says so. A TypeScript source is what a build reads, never what it writes.
    let built = has_build && !is_typescript(main) && (main.contains('/') || built_by_the_package(app, main));
    if !loadable(app, main) && !built {
        if let Some(deployed) = deployed_entry(app) {
            return Some(deployed);
        }
        warnings.push(format!(
            "{}: main names {main}, which is not in the repository and which no build makes: it is not the \
             server's entry; pass --set start_command=\"node FILE\"",
            app.at("main")
        ));
        return None;
    }
    if let Some(builds) = builds_assets(app, main) {
        warnings.push(format!(
            "{}: main names {main}, a build script ({builds}, and no server package): it is not the server's \
             entry; pass --set start_command=\"node FILE\"",
            app.at("main")
        ));
        return None;
    }
    let entry = if is_typescript(main) && has_build {
        compiled_entry(app, main)
    } else {
        main.to_string()
    };
    Some(Start {
        command: Fact::new(format!("node {entry}"), app.at("main")),
        env: Vec::new(),
        cli: None,
    })
}

/// Where a file loads a bundler's API (`esbuild.js:2 loads esbuild`, knowledge/node/runtime.toml `build_apis`)
/// while it loads no server package: it builds the front-end's assets, it serves nothing.
fn builds_assets(app: &App, file: &str) -> Option<String> {
    let text = app.text(file)?;
    let references = super::js::imports::references(&text, file)?;
    let knowledge = &node::runtime().files;
    let loads = |names: &[String]| {
        references.modules.iter().find(|(specifier, _)| {
            // `node:http` is no package name: it is matched as written.
            let package = super::runfiles::package_name(specifier).unwrap_or(specifier);
            names.iter().any(|name| name == package)
        })
            .map(|(specifier, line)| format!("{}:{line} loads {specifier}", app.file(file)))
    };
    if loads(&knowledge.servers).is_some() {
        return None;
    }
    loads(&knowledge.build_apis)
}

/// `fastify start -l info app.js` (knowledge/node/clis.toml): the same command through `node_modules/.bin`, without
/// watch options; the app file it loads, the port it is given or its default, and what moves it off loopback.
/// None (said) when the tool is not a production dependency, which is all the image installs.
fn served_by_cli(app: &App, cli: &ServerCli, found: &scripts::Resolved, warnings: &mut Vec<String>) -> Option<Start> {
    let source = found.source();
    let text = found.words.join(" ");
    let installed = app
        .package
        .object("dependencies")
        .is_some_and(|deps| deps.contains_key(&cli.package));
    if !installed {
        warnings.push(format!(
            "{source}: `{text}` runs {}, which is not among the dependencies the image installs (production only): \
             move it to dependencies or pass --set start_command=...",
            cli.package
        ));
        return None;
    }
    let mut command = vec![format!("node_modules/.bin/{}", cli.bin), cli.subcommand.clone()];
    let (mut entry, mut port, mut bind) = (None, None, None);
    let mut words = found.words.iter().skip(2).flat_map(|word| match word.split_once('=') {
        Some((option, value)) if option.starts_with("--") => vec![option.to_string(), value.to_string()],
        _ => vec![word.clone()],
    });
    while let Some(word) = words.next() {
        if cli.dev_options.contains(&word) {
            continue;
        }
        command.push(word.clone());
        if cli.options_with_values.contains(&word) {
            let value = words.next()?;
            command.push(value.clone());
            if cli.port_options.contains(&word) {
                port = value.parse::<u16>().ok().filter(|p| *p > 0);
            } else if cli.bind_options.contains(&word) {
                bind = Some(value);
            }
        } else if !word.starts_with('-') && entry.is_none() {
            entry = Some(word.trim_start_matches("./").to_string());
        }
    }
    let bind_env = match (&bind, &cli.bind_env) {
        (Some(address), _) if crate::detect::is_loopback_host(address) => {
            warnings.push(format!(
                "{source}: `{text}` listens on {address}, a loopback address that a published port cannot reach; \
                 pass --set start_command=... with an address of every interface (0.0.0.0)"
            ));
            None
        }
        (None, Some(name)) => Some(Fact::new(name.clone(), source.clone()).with_note(format!(
            "{} listens on localhost unless {name} says otherwise: set to 0.0.0.0 so a published port reaches it",
            cli.package
        ))),
        _ => None,
    };
    let (port, port_fixed) = match port {
        Some(port) => (Fact::new(port, source.clone()).with_note("the start script's port option"), true),
        None => (
            Fact::new(cli.port, source.clone()).with_note(format!("{}'s default; PORT moves it", cli.package)),
            false,
        ),
    };
    Some(Start {
        command: Fact::new(command.join(" "), source).with_note(format!("{}'s command, as the start script runs it", cli.package)),
        env: found.env.clone(),
        cli: Some(CliServed {
            entry,
            port,
            port_fixed,
            bind_env,
        }),
    })
}


/// Whether one of the start scripts ends, through its chain, in `node FILE`: the app runs a server of its own.
pub(super) fn starts_a_node_server(app: &App) -> bool {
    node_starts(app).iter().any(|(_, _, runnable)| *runnable)
}

/// The start scripts that end in `node FILE`: their source, the file, and whether it can be run — there, or
/// in a folder a build writes (`dist/server/entry.mjs`); `node run dist/…` runs a file named `run`, which
/// neither the repository nor a build has.
fn node_starts(app: &App) -> Vec<(String, String, bool)> {
    production_scripts(app)
        .into_iter()
        .filter_map(|found| Some((found.source(), node_command(&found.words, true)?)))
        .filter_map(|(source, command)| {
            let file = entry_file(&command)?.to_string();
            let runnable = file.contains('/') || loadable(app, &file);
            Some((source, file, runnable))
        })
        .collect()
}

/// A warning for a start script whose `node FILE` names a file nobody has, when no start script can run.
pub(super) fn say_unrunnable_start(app: &App, warnings: &mut Vec<String>) {
    let starts = node_starts(app);
    if starts.iter().any(|(_, _, runnable)| *runnable) {
        return;
    }
    if let Some((source, file, _)) = starts.first() {
        warnings.push(format!(
            "{source}: the start script runs `{file}`, which neither the repository nor a build has: not taken as \
             a server of the project's own"
        ));
    }
}

/// Steps an `&&` start script runs before the server: the build stage already builds, anything else
/// (migrations, seeding) the image's CMD does not run, which the user must know.
fn say_skipped_steps(found: &scripts::Resolved, command: &str, warnings: &mut Vec<String>) {
    let builds = |step: &str| {
        let words: Vec<&str> = step.split_whitespace().collect();
        matches!(words.as_slice(), ["tsc", ..] | ["nest", "build", ..])
            || words.last().is_some_and(|w| *w == "build" || w.starts_with("build:"))
                && words
                    .first()
                    .is_some_and(|w| matches!(*w, "npm" | "yarn" | "pnpm" | "bun"))
    };
    let skipped: Vec<&(String, String)> = found.before.iter().filter(|(step, _)| !builds(step)).collect();
    if let Some((_, source)) = skipped.first() {
        warnings.push(format!(
            "{source}: the start script runs {} before the server; the image's CMD runs only `{command}`: run {} \
             separately (a release step, an init container) or pass --set start_command=...",
            skipped
                .iter()
                .map(|(s, _)| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if skipped.len() == 1 { "it" } else { "them" }
        ));
    }
}

/// `node [flags] FILE [args]` as a command, without watch/inspect flags, or bun running a file (`bun run
/// src/index.ts`, `bun index.ts`: `bun src/index.ts`, which runs TypeScript as it is); None for anything else
/// (another program, `node -e`, a TypeScript entry on a Node line that cannot strip types).
fn node_command(words: &[String], strips_types: bool) -> Option<String> {
    let runtime = words.first().map(String::as_str).filter(|r| matches!(*r, "node" | "bun"))?;
    let mut rest: Vec<&str> = words[1..]
        .iter()
        .map(String::as_str)
        .filter(|w| !w.starts_with("--watch") && !w.starts_with("--inspect") && *w != "--hot")
        .collect();
    // `bun run FILE`, `bun --hot run FILE` and `bun FILE` are the same; `bun run NAME` of a script never gets here.
    if runtime == "bun" && rest.first() == Some(&"run") {
        rest.remove(0);
    }
    let kept: Vec<&str> = std::iter::once(runtime).chain(rest).collect();
    let file = node_file(&kept)?;
    if runtime == "bun" && !scripts::is_bun_file(file) {
        return None;
    }
    if runtime == "node" && is_typescript(file) && !strips_types {
        return None;
    }
    Some(
        kept.iter()
            .map(|w| w.trim_start_matches("./"))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The file `node [flags] FILE` runs: the first word after `node` that is neither a flag nor the value of
/// one (`-r dotenv/config`); None for `node -e`/`-p` and a bare `node`.
fn node_file<'a>(words: &[&'a str]) -> Option<&'a str> {
    let mut skip_value = false;
    for word in words.iter().skip(1) {
        if skip_value {
            skip_value = false;
        } else if matches!(*word, "-e" | "--eval" | "-p" | "--print") {
            return None;
        } else if word.starts_with('-') {
            skip_value = FLAGS_WITH_VALUES.contains(word);
        } else {
            return Some(word);
        }
    }
    None
}

/// The file a `node ...` start command runs.
pub(super) fn entry_file(command: &str) -> Option<&str> {
    let words: Vec<&str> = command.split_whitespace().collect();
    node_file(&words)
}

/// Node flags whose value is the next word.
const FLAGS_WITH_VALUES: &[&str] = &[
    "-r",
    "--require",
    "--import",
    "--loader",
    "--experimental-loader",
    "--env-file",
    "--conditions",
    "-C",
    "--title",
];

/// `node [flags] file [args]` (after env assignments), without watch/inspect flags; None for anything else.
pub(super) fn start_from_script(script: &str) -> Option<String> {
    node_command(&command_words(script)?, false)
}

/// The words of a simple command, after `VAR=value` and `cross-env VAR=value` prefixes. None when the script
/// uses the shell (`&&`, pipes, substitutions), which an exec-form CMD cannot reproduce.
pub(super) fn command_words(script: &str) -> Option<Vec<String>> {
    if script.contains(['&', '|', ';', '>', '<', '$', '`', '(', '\'', '"', '\\']) {
        return None;
    }
    let words: Vec<String> = script
        .split_whitespace()
        .skip_while(|w| *w == "cross-env" || (w.contains('=') && !w.starts_with('-')))
        .map(String::from)
        .collect();
    (!words.is_empty()).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_scripts_become_node_commands() {
        assert_eq!(start_from_script("node server.js").as_deref(), Some("node server.js"));
        assert_eq!(
            start_from_script("NODE_ENV=production node ./dist/main.js --x").as_deref(),
            Some("node dist/main.js --x")
        );
        assert_eq!(
            start_from_script("node --watch index.js").as_deref(),
            Some("node index.js")
        );
        assert_eq!(start_from_script("nodemon index.js"), None);
        assert_eq!(start_from_script("node a.js && node b.js"), None);
        assert_eq!(start_from_script("node src/index.ts"), None);
        assert_eq!(start_from_script("bun run src/index.ts").as_deref(), Some("bun src/index.ts"));
        assert_eq!(start_from_script("bun --hot index.ts").as_deref(), Some("bun index.ts"));
        assert_eq!(start_from_script("bun --hot run src/index.ts").as_deref(), Some("bun src/index.ts"));
        assert_eq!(start_from_script("bun run start"), None);
    }
}
