//! Which framework an app uses, whether it is a static site or a server, and what its build leaves: from its
//! dependencies, scripts and the settings of its framework config (parsed, evaluated statically).

use anyhow::{bail, Result};
use serde_json::{json, Value};

use super::js::config::{exported_setting, Setting};
use super::outputs::{
    astro_output, config_setting, flag_folder, framework_config, setting_in, static_output, vite_output,
    OUTPUT_DIR_REMEDY,
};
use super::runfiles::{run_files, Ships, Walk};
use super::listen::insert_port;
use super::server::{server, start_from_script, starts_a_node_server};
use super::{has_marker, join_rel, App, Fact, Facts};
use crate::knowledge::node;

/// Server packages whose CLI starts a framework's build, with the script node runs for it.
const SERVE_BINS: &[(&str, &str, &str)] = &[
    ("@remix-run/serve", "remix", "node_modules/@remix-run/serve/dist/cli.js"),
    (
        "@react-router/serve",
        "react-router",
        "node_modules/@react-router/serve/bin.js",
    ),
];

/// Servers built by Nitro (Vinxi, `TanStack` Start and `SolidStart` on it, Analog): `.output/server/index.mjs`
/// with its dependencies bundled, as Nuxt's.
const NITRO_PACKAGES: &[&str] = &["nitro", "nitropack", "vinxi", "@solidjs/start", "@analogjs/platform"];

/// Frameworks whose build a server of the project's own may serve (a custom Next.js server calling `next()`, a
/// bundle around adapter-node's handler, an API beside an Astro site, a Hono server around a React Router build
/// that also lists `react-router-serve`): when the start script runs a node server, that server runs, with what
/// its code reads.
const SERVED_BY_OWN_SERVER: &[(&str, &str)] = &[
    ("next", "Next.js"),
    ("@sveltejs/kit", "SvelteKit"),
    ("astro", "Astro"),
    ("@react-router/serve", "React Router"),
    ("@remix-run/serve", "Remix"),
];

/// The scripts that start the app (`start`, `start:*`, `dockerstart`, `start-docker`): name, text and where.
fn start_scripts(app: &App) -> Vec<(String, String, String)> {
    let Some(scripts) = app.package.object("scripts") else {
        return Vec::new();
    };
    scripts
        .keys()
        .filter(|name| name.starts_with("start") || (name.contains("docker") && name.contains("start")))
        .filter_map(|name| app.script(name).map(|(text, source)| (name.clone(), text, source)))
        .collect()
}

/// Why the app builds for a runtime other than Node (knowledge/node/platforms.toml), when it does: the reason,
/// and the platform with the line that says so.
fn other_platform(app: &App) -> Option<(String, Fact)> {
    let table = node::platforms();
    // The start scripts' own words outrank a Node adapter among the dependencies (a Remix app on Cloudflare
    // Pages that also lists @remix-run/serve still starts with `wrangler pages dev`).
    // (Another start variant, `start:unix`, counts when the platform's packages are there too.)
    let starts = start_scripts(app);
    let platform_start = table.platform.iter().find_map(|platform| {
        let built_for = platform.packages.iter().any(|name| app.dependency(name).is_some());
        starts.iter().find_map(|(name, script, source)| {
            if name != "start" && !built_for {
                return None;
            }
            let words = shlex::split(script)?;
            let tool = platform.tools.iter().find(|tool| words.contains(tool))?;
            Some((platform, tool, name, source))
        })
    });
    if let Some((platform, tool, name, source)) = platform_start {
        let why = format!(
            "{source}: scripts.{name} runs {tool}, which serves the app on {}, not on Node, so \
             dockgen cannot tell what the image would run: pass --preset node-server with --set \
             start_command=... or --preset node-static with --set output_dir=... if it also builds for Node",
            platform.name
        );
        return Some((why, Fact::new(platform.name.as_str(), source.as_str())));
    }
    if table.node_adapters.iter().any(|name| app.dependency(name).is_some()) {
        return None;
    }
    table.platform.iter().find_map(|platform| {
        let found = platform.packages.iter().find_map(|name| app.dependency(name))?;
        let why = format!(
            "{}: {} builds the app for {}, not for a Node server or a folder of static files, so dockgen \
             cannot tell what the image would run: pass --preset node-server with --set start_command=... or \
             --preset node-static with --set output_dir=... if it also builds for Node",
            found.source,
            found.value.as_str().unwrap_or_default(),
            platform.name
        );
        Some((why, Fact::new(platform.name.as_str(), found.source)))
    })
}

/// Decides the framework, static or server, and what to build, copy and run. False when nothing says.
pub(super) fn framework(app: &App, facts: &mut Facts, warnings: &mut Vec<String>) -> Result<bool> {
    let is_app = framework_of(app, facts, warnings)?;
    if facts.get("kind").is_some_and(|kind| kind.value == "static") {
        super::base_path::site_base(app, facts, warnings);
        say_dev_proxy(app, warnings);
        say_server_beside(app, warnings);
    }
    Ok(is_app)
}

fn framework_of(app: &App, facts: &mut Facts, warnings: &mut Vec<String>) -> Result<bool> {
    let build = app.build_script();
    if let Some((_, source)) = &build {
        facts.insert("build_script".into(), Fact::new("build", source.clone()));
    }
    if let Some((why, platform)) = other_platform(app) {
        warnings.push(why);
        facts.insert("other_platform".into(), platform);
        return Ok(false);
    }
    if let Some((_, name)) = SERVED_BY_OWN_SERVER
        .iter()
        .find(|(package, _)| app.dependency(package).is_some())
    {
        if starts_a_node_server(app) {
            need_build(app, facts, name)?;
            server(app, facts, warnings)?;
            return Ok(true);
        }
        super::server::say_unrunnable_start(app, warnings);
    }
    if let Some(next) = app.dependency("next") {
        nextjs(app, &next, facts, warnings)?;
        return Ok(true);
    }
    if let Some(nuxt) = app.dependency("nuxt") {
        nuxt_app(app, &nuxt, build.as_ref(), facts, warnings)?;
        return Ok(true);
    }
    if let Some(nitro) = NITRO_PACKAGES.iter().find_map(|name| app.dependency(name)) {
        need_build(app, facts, "Nitro")?;
        nitro_server(
            app,
            Fact::new("nitro", nitro.source.clone()).with_note(format!(
                "{} builds with Nitro",
                nitro.value.as_str().unwrap_or_default()
            )),
            facts,
            warnings,
        );
        return Ok(true);
    }
    for (package, name, bin) in SERVE_BINS {
        if let Some(found) = app.dependency(package) {
            serve_cli(app, &found, name, bin, facts, warnings)?;
            return Ok(true);
        }
    }
    if let Some(kit) = app.dependency("@sveltejs/kit") {
        return sveltekit(app, &kit, facts, warnings);
    }
    if let Some(astro) = app.dependency("astro") {
        astro_app(app, &astro, facts, warnings)?;
        return Ok(true);
    }
    // The project deploys a node server from a package script (Procfile's `web: npm run server`): that is the
    // app, whatever front-end the package also builds.
    if super::server::deploys_a_server(app) {
        server(app, facts, warnings)?;
        return Ok(true);
    }
    if static_framework(app, build.as_ref(), facts, warnings)? {
        return Ok(true);
    }
    // In a workspace, `main` alone marks a library other packages import, not a server.
    let in_workspace = app.dir != "." || app.context.down != ".";
    let server_framework = SERVER_FRAMEWORKS.iter().any(|name| app.dependency(name).is_some() && !app.is_dev_only(name));
    // A server framework with no start script, whose dev script runs its TypeScript entry and whose build
    // compiles it, is a server too (`node` on the compiled entry).
    let compiled_dev_server = server_framework && super::server::dev_entry_script(app, build.is_some()).is_some();
    // With no build, a server framework's package whose one top-level file calls listen() is that server
    // (`index.js` beside `"dependencies": {"express": …}` and nothing else).
    let listening_file = build.is_none() && server_framework && super::server::listening_file(app).is_some();
    let has_server_entry = app.script("start").is_some()
        || starts_a_node_server(app)
        || (app.package.str("main").is_some() && !in_workspace)
        || compiled_dev_server
        || listening_file
        || (super::server::bun_entry(app).is_some() && !in_workspace)
        // The project's own Dockerfile, compose file or Procfile runs a file of the package with node.
        || super::server::deployed_entry(app).is_some();
    if has_server_entry || app.dependency("@nestjs/core").is_some() {
        server(app, facts, warnings)?;
        return Ok(true);
    }
    if let Some((script, source)) = &build {
        let output = static_output(script)
            .map(|output| Fact::new(output, source.clone()).with_note("the build script's output folder"))
            .or_else(|| super::outputs::hosting_output(app));
        if let Some(output) = output {
            static_site(facts, Fact::new("static", source.clone()), Some(output), &[], true, warnings);
        } else {
            warnings.push(format!(
                "{source}: cannot tell which folder `{script}` writes: pass --set output_dir=DIR"
            ));
            facts.insert("framework".into(), Fact::new("static", source.clone()));
            facts.insert("kind".into(), Fact::new("static", source.clone()));
        }
        return Ok(true);
    }
    Ok(false)
}

/// Angular, Vue CLI, Create React App, Vite and the static-site generators: front-ends whose build is a folder
/// of static files.
fn static_framework(
    app: &App,
    build: Option<&(String, String)>,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) -> Result<bool> {
    if generated_site(app, build, facts, warnings) {
        return Ok(true);
    }
    if let Some(angular) = app.dependency("@angular/core") {
        need_build(app, facts, "Angular")?;
        let output = angular_output(app)?;
        if let Some(ssr) = app.dependency("@angular/ssr") {
            angular_ssr(app, &ssr, &output, facts, warnings);
            return Ok(true);
        }
        static_site(
            facts,
            Fact::new("angular", angular.source),
            Some(output),
            &[],
            true,
            warnings,
        );
        return Ok(true);
    }
    if let Some(vue) = app.dependency("@vue/cli-service") {
        need_build(app, facts, "Vue CLI")?;
        let default = Fact::new("dist", vue.source.clone()).with_note("Vue CLI's default outputDir");
        let output = config_setting(app, "vue", &["outputDir"], OUTPUT_DIR_REMEDY, warnings).or_default(default);
        static_site(
            facts,
            Fact::new("vue-cli", vue.source),
            output,
            &["js", "css"],
            true,
            warnings,
        );
        return Ok(true);
    }
    if let Some(cra) = app.dependency("react-scripts") {
        need_build(app, facts, "Create React App")?;
        let output = Fact::new("build", cra.source.clone()).with_note("Create React App writes build/");
        static_site(
            facts,
            Fact::new("create-react-app", cra.source),
            Some(output),
            &["static"],
            true,
            warnings,
        );
        return Ok(true);
    }
    // Vite builds a front-end unless a start script runs a node server (an SSR or API server that also uses
    // Vite), directly or through a chain (`start` → `npm run serve` → `node server.js`).
    let node_start = starts_a_node_server(app);
    let vite_build = build.is_some() && super::scripts::runs(app, "build", "vite", "build");
    // In a workspace vite may be the root's devDependency: the build running `vite build` is evidence enough.
    let vite = app
        .dependency("vite")
        .or_else(|| build.map(|(_, source)| Fact::new("vite", source.clone())));
    // A Vite app (its index.html at the root) whose package has no build script is built by `vite build`.
    let unscripted_vite = build.is_none()
        && app.dependency("vite").is_some()
        && app.path("index.html").is_file()
        && !SERVER_FRAMEWORKS.iter().any(|name| app.dependency(name).is_some() && !app.is_dev_only(name));
    if let Some(vite) = vite.filter(|_| (vite_build || unscripted_vite) && !node_start) {
        own_build(app, facts, "Vite", "vite build")?;
        let output = vite_output(app, &vite, warnings);
        static_site(
            facts,
            Fact::new("vite", vite.source),
            output,
            &["assets"],
            true,
            warnings,
        );
        return Ok(true);
    }
    Ok(false)
}

/// A static-site generator's site (Docusaurus, Gatsby, Eleventy, Hexo: knowledge/node/generators.toml) whose
/// build script runs its build: its pages, in the folder the build's flag, the generator's config or its default
/// names, served as a site of many pages (their own 404 page), whatever dev server `start` runs.
fn generated_site(
    app: &App,
    build: Option<&(String, String)>,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) -> bool {
    let Some((_, source)) = build else { return false };
    let commands = super::scripts::commands(app, "build");
    for generator in node::generators() {
        let Some(declared) = app.dependency(&generator.package) else { continue };
        let builds = |words: &Vec<String>| {
            words.first().is_some_and(|w| generator.programs.contains(w))
                && generator.subcommand.as_ref().is_none_or(|sub| words.get(1) == Some(sub))
        };
        let Some(words) = commands.iter().find(|words| builds(words)) else { continue };
        let flagged = generator.output_flag.as_ref().and_then(|flag| {
            let folder = (0..words.len()).find_map(|at| flag_folder(words, at, flag))?;
            Some(Fact::new(folder, source.clone()).with_note(format!("the build's {flag}")))
        });
        let configured = || {
            let stem = generator.config_stem.as_deref()?;
            let config = framework_config(app, stem).or_else(|| app.config(&[generator.legacy_config.as_deref()?]))?;
            let path: Vec<&str> = generator.config_path.iter().map(String::as_str).collect();
            let mut fact = setting_in(config, &path, OUTPUT_DIR_REMEDY, warnings).set()?;
            fact.value = json!(super::js::eval::join("", fact.value.as_str().unwrap_or_default()));
            Some(fact)
        };
        let output = flagged.or_else(configured).unwrap_or_else(|| {
            Fact::new(generator.output.as_str(), declared.source.clone())
                .with_note(format!("{}'s default output folder", generator.name))
        });
        static_site(facts, Fact::new(generator.name.as_str(), declared.source), Some(output), &[], false, warnings);
        return true;
    }
    false
}

/// A dev server that forwards paths to a back end (Vite's `server.proxy`, Create React App's `proxy` in
/// package.json): the image serves the built site alone, so those paths would get index.html. Said, as the back
/// end's address in production is the deployment's.
fn say_dev_proxy(app: &App, warnings: &mut Vec<String>) {
    let vite = framework_config(app, "vite").and_then(|(file, text)| {
        let name = file.rsplit('/').next().unwrap_or(&file);
        match exported_setting(&text, name, &["server", "proxy"]) {
            Setting::Unset => None,
            Setting::Value { line, .. } | Setting::Unknown { line } => Some(format!("{file}:{line}: server.proxy")),
        }
    });
    let react_scripts = app.dependency("react-scripts").is_some() && app.package.str("proxy").is_some();
    let Some(proxy) = vite.or_else(|| react_scripts.then(|| format!("{}: proxy", app.at("proxy")))) else {
        return;
    };
    warnings.push(format!(
        "{proxy} forwards requests to a back end while developing; the image serves the built site alone, where \
         those paths answer with index.html: run the back end separately and route them to it (a reverse proxy in \
         front of both)"
    ));
}

/// A static site whose package also depends on a server framework, which no start script runs: the image
/// serves the site alone, and the server (an API beside the client) would be left out without a word.
fn say_server_beside(app: &App, warnings: &mut Vec<String>) {
    let server = SERVER_FRAMEWORKS
        .iter()
        .find(|name| app.dependency(name).is_some() && !app.is_dev_only(name));
    if let Some(name) = server {
        warnings.push(format!(
            "{}: the package also depends on {name}, a server, but no start script runs one: the image serves the \
             built site alone; to ship the server, give it a start script (`node FILE`, `bun FILE`) and pass --preset \
             node-server",
            app.at(&format!("dependencies.{name}"))
        ));
    }
}

/// Server frameworks whose presence as a production dependency says the package holds a server.
const SERVER_FRAMEWORKS: &[&str] = &["express", "fastify", "koa", "@hapi/hapi", "hono", "@nestjs/core", "elysia"];

/// Records a static site: its framework, output folder, the folders of content-hashed assets nginx may cache
/// for long, and whether unknown paths fall back to index.html (a single-page app) or are 404s (pre-rendered).
/// An output folder that is the app's own folder or its sources is refused: the image would serve the code.
fn static_site(
    facts: &mut Facts,
    framework: Fact,
    output: Option<Fact>,
    asset_dirs: &[&str],
    spa: bool,
    warnings: &mut Vec<String>,
) {
    let source = framework.source.clone();
    facts.insert("framework".into(), framework);
    facts.insert("kind".into(), Fact::new("static", source.clone()));
    match output {
        Some(output) if outside_the_app(&output) => warnings.push(format!(
            "{}: the build writes its output outside the app's folder (`{}`), where another package (a server) \
             serves it: build that package, or pass --set output_dir=DIR with a folder inside this one",
            output.source,
            output.value.as_str().unwrap_or_default()
        )),
        Some(output) if serves_sources(&output) => warnings.push(format!(
            "{}: the build's output folder `{}` is the app's own folder or its sources, which the image would \
             serve as they are: pass --set output_dir=DIR with the folder the build writes",
            output.source,
            output.value.as_str().unwrap_or_default()
        )),
        Some(output) => {
            facts.insert("output_dir".into(), output);
        }
        None => {}
    }
    facts.insert("asset_dirs".into(), Fact::new(json!(asset_dirs), source.clone()));
    facts.insert("spa".into(), Fact::new(spa, source));
}

/// An output folder that holds the sources instead of a build: the app's folder, `src`, a parent.
fn serves_sources(output: &Fact) -> bool {
    let folder = super::js::eval::join("", output.value.as_str().unwrap_or_default());
    folder.is_empty() || folder == "src"
}

/// An output folder above the app's own (`../backend/dist/public`): outside what its image is built from.
fn outside_the_app(output: &Fact) -> bool {
    super::js::eval::join("", output.value.as_str().unwrap_or_default()).starts_with("..")
}

/// A server framework's facts: the files the runtime needs, the command and the port.
fn server_facts(
    app: &App,
    facts: &mut Facts,
    files: &[String],
    start: Fact,
    default_port: Fact,
    warnings: &mut Vec<String>,
) {
    facts.insert("kind".into(), Fact::new("server", start.source.clone()));
    facts.insert("runtime_files".into(), Fact::new(json!(files), start.source.clone()));
    facts.insert("start_command".into(), start);
    insert_port(facts, app, (None, None), (None, Some(default_port)), warnings);
}

/// A front-end whose package has no build script is built by its framework's own command (`vite build`), run
/// from the project's `node_modules`; in a workspace, whose tools run the app's scripts, a script is needed.
fn own_build(app: &App, facts: &mut Facts, what: &str, command: &str) -> Result<()> {
    let in_workspace = app.dir != "." || app.context.down != ".";
    if facts.contains_key("build_script") || in_workspace {
        return need_build(app, facts, what);
    }
    facts.insert(
        "build_command".into(),
        Fact::new(command, app.file("package.json"))
            .with_note(format!("no build script: {what}'s own build command, from the project's node_modules")),
    );
    Ok(())
}

fn need_build(app: &App, facts: &Facts, what: &str) -> Result<()> {
    if facts.contains_key("build_script") {
        Ok(())
    } else {
        bail!(
            "{}: {what} needs a `build` script to produce its output; add one to scripts",
            app.file("package.json")
        )
    }
}

/// Next.js's `.next`: `next build` fills `.next/cache` (a cache mount in the build, so rebuilds reuse it and
/// the image never holds it: hundreds of MB), and a server writes into `.next` at run time (regenerated pages
/// into `.next/server`, optimised images and fetches into `.next/cache`), so it is the app user's, as in
/// Next.js's own Dockerfile example.
fn next_cache(next: &Fact, facts: &mut Facts, server: bool) {
    facts.insert(
        "build_cache".into(),
        Fact::new(".next/cache", next.source.clone())
            .with_note("next build's cache: mounted in the build, never shipped"),
    );
    if !server {
        return;
    }
    // (A Next app behind a server of its own goes through `server`, which follows that server's writes; this
    // path reads no code, so nothing else names written folders here.)
    facts.insert(
        "written_dirs".into(),
        Fact::new(json!([".next"]), next.source.clone()).with_note(format!(
            "{} next writes regenerated pages and its caches into .next at run time",
            next.source
        )),
    );
}

/// Next.js: `output: 'export'` is a static site, `output: 'standalone'` the traced server, else `next start`.
fn nextjs(app: &App, next: &Fact, facts: &mut Facts, warnings: &mut Vec<String>) -> Result<()> {
    need_build(app, facts, "Next.js")?;
    let config = framework_config(app, "next");
    let output = config_setting(
        app,
        "next",
        &["output"],
        "taken as a `next start` server; pass --preset nextjs-standalone for output 'standalone' or \
         --preset node-static with --set output_dir=out for 'export'",
        warnings,
    )
    .set();
    let framework = Fact::new("nextjs", next.source.clone());
    let port = Fact::new(3000, next.source.clone()).with_note("Next.js default");
    next_cache(next, facts, !matches!(output.as_ref().and_then(|f| f.value.as_str()), Some("export")));
    match output.as_ref().and_then(|f| f.value.as_str()) {
        Some("export") => {
            let out = Fact::new("out", output.as_ref().map(|f| f.source.clone()).unwrap_or_default())
                .with_note("output: 'export' writes out/");
            static_site(facts, framework, Some(out), &["_next/static"], false, warnings);
        }
        Some("standalone") => {
            let source = output.map(|f| f.source).unwrap_or_default();
            facts.insert("framework".into(), framework);
            facts.insert("next_output".into(), Fact::new("standalone", source.clone()));
            if app.path("public").is_dir() {
                facts.insert("public_dir".into(), Fact::new(true, app.file("public")));
            }
            let start = Fact::new(format!("node {}", join_rel(&app.dir, "server.js")), source)
                .with_note(".next/standalone/server.js");
            server_facts(app, facts, &[], start, port, warnings);
        }
        _ => {
            let mut files = vec![".next".to_string(), "package.json".to_string()];
            if app.path("public").is_dir() {
                files.push("public".into());
            }
            if let Some((file, _)) = &config {
                // `next start` loads the config, and the config what it imports (an env schema, a redirect list).
                let name = file.rsplit('/').next().unwrap_or(file).to_string();
                let walk = Walk {
                    entries: vec![name],
                    outputs: &[],
                    ships: Ships::Files,
                    layout: None,
                };
                let found = run_files(app, &walk);
                if let Some(first) = found.unfollowed.first() {
                    warnings.push(format!(
                        "{first}: the Next.js config loads a module named only at run time; add it to the runtime \
                         stage if `next start` needs it"
                    ));
                }
                let leading: Vec<(&str, Option<&str>)> = files.iter().map(|f| (f.as_str(), None)).collect();
                files = found.listing(&leading).0;
            }
            facts.insert("framework".into(), framework);
            super::next_loads::next_server_loads(app, facts, warnings);
            if let Some((file, _)) = &config {
                super::next_loads::typescript_config_loader(app, file, facts, warnings);
            }
            let start =
                Fact::new("node node_modules/next/dist/bin/next start", next.source.clone()).with_note("next start");
            server_facts(app, facts, &files, start, port, warnings);
        }
    }
    Ok(())
}

/// Nuxt: `nuxt build` leaves a self-contained `.output/`; `nuxt generate` a static site in `.output/public`.
fn nuxt_app(
    app: &App,
    nuxt: &Fact,
    build: Option<&(String, String)>,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) -> Result<()> {
    need_build(app, facts, "Nuxt")?;
    let framework = Fact::new("nuxt", nuxt.source.clone());
    if declared_major(app, "nuxt").is_some_and(|major| major < 3) {
        nuxt2_app(app, framework, build, facts, warnings);
        return Ok(());
    }
    if let Some((_, source)) = build.filter(|(script, _)| script.contains("nuxt generate")) {
        let output = Fact::new(".output/public", source.clone()).with_note("nuxt generate");
        static_site(facts, framework, Some(output), &["_nuxt"], false, warnings);
    } else {
        nitro_server(app, framework, facts, warnings);
    }
    Ok(())
}

/// The major release the lowest version a dependency's declared range allows (`^2.15.8` → 2).
fn declared_major(app: &App, package: &str) -> Option<u64> {
    let declared = ["dependencies", "devDependencies"]
        .iter()
        .find_map(|section| app.package.object(section)?.get(package)?.as_str())?;
    let range = nodejs_semver::Range::parse(declared).ok()?;
    range.min_version().map(|version| version.major()).filter(|major| *major > 0)
}

/// Nuxt 1 and 2 (before Nitro): `nuxt build` writes `.nuxt/`, which `nuxt start` serves with the nuxt package,
/// nuxt.config and `static/`, binding localhost unless HOST says otherwise; `nuxt generate` writes a static
/// site into `dist/`. (Their webpack 4 hashes with MD4: knowledge/node/openssl.toml says so.)
fn nuxt2_app(
    app: &App,
    framework: Fact,
    build: Option<&(String, String)>,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) {
    let source = framework.source.clone();
    if let Some((_, at)) = build.filter(|(script, _)| script.contains("nuxt generate")) {
        let output = Fact::new("dist", at.clone()).with_note("nuxt generate (Nuxt 2's generate.dir)");
        static_site(facts, framework, Some(output), &["_nuxt"], false, warnings);
        return;
    }
    facts.insert("framework".into(), framework);
    let config = ["nuxt.config.js", "nuxt.config.mjs", "nuxt.config.ts"]
        .into_iter()
        .filter(|name| app.path(name).is_file());
    let static_dir = app.path("static").is_dir().then(|| "static".to_string());
    // (nuxt.config often reads package.json: `const pkg = require('./package')` for the page head.)
    let files: Vec<String> = [".nuxt", "package.json"]
        .into_iter()
        .chain(config)
        .map(String::from)
        .chain(static_dir)
        .collect();
    if app.is_dev_only("nuxt") {
        facts.insert(
            "prod_dependencies".into(),
            Fact::new(false, source.clone())
                .with_note("`nuxt start` needs the nuxt package, which only devDependencies declare"),
        );
    }
    facts.insert(
        "bind_env".into(),
        Fact::new("HOST", source.clone()).with_note("`nuxt start` (Nuxt 2) binds localhost unless HOST is set"),
    );
    let start = Fact::new("node_modules/.bin/nuxt start", source.clone()).with_note("Nuxt 2 serves .nuxt/ with nuxt start");
    let port = Fact::new(3000, source).with_note("nuxt start's default PORT");
    server_facts(app, facts, &files, start, port, warnings);
}

/// A Nitro server build (Nuxt, Vinxi, `TanStack` Start on Nitro): node runs `.output/server/index.mjs`, which
/// bundles its dependencies; Nitro listens on PORT, 3000 by default.
fn nitro_server(app: &App, framework: Fact, facts: &mut Facts, warnings: &mut Vec<String>) {
    let source = framework.source.clone();
    facts.insert("framework".into(), framework);
    facts.insert(
        "prod_dependencies".into(),
        Fact::new(false, source.clone()).with_note(".output bundles the server's dependencies"),
    );
    let start = Fact::new("node .output/server/index.mjs", source.clone());
    let port = Fact::new(3000, source).with_note("Nitro's default PORT");
    server_facts(app, facts, &[".output".to_string()], start, port, warnings);
}

/// Remix and React Router apps served by their `*-serve` CLI, run by node on the server build.
fn serve_cli(
    app: &App,
    found: &Fact,
    name: &str,
    bin: &str,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) -> Result<()> {
    need_build(app, facts, name)?;
    let start = app.script("start");
    let build_entry = start
        .as_ref()
        .and_then(|(script, _)| {
            let last = script.split_whitespace().last()?;
            let is_js = std::path::Path::new(last)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("js"));
            is_js.then(|| last.trim_start_matches("./").to_string())
        })
        .unwrap_or_else(|| "build/server/index.js".into());
    let source = start.map_or_else(|| found.source.clone(), |(_, s)| s);
    let build_dir = build_entry.split('/').next().unwrap_or("build").to_string();
    let mut files = vec![build_dir, "package.json".to_string()];
    if app.path("public").is_dir() {
        files.push("public".into());
    }
    facts.insert("framework".into(), Fact::new(name, found.source.clone()));
    let port = Fact::new(3000, found.source.clone()).with_note(format!("{name} serve default"));
    server_facts(
        app,
        facts,
        &files,
        Fact::new(format!("node {bin} {build_entry}"), source),
        port,
        warnings,
    );
    Ok(())
}

/// `SvelteKit`: adapter-node is a server (`node build`), adapter-static a pre-rendered site in build/.
fn sveltekit(app: &App, kit: &Fact, facts: &mut Facts, warnings: &mut Vec<String>) -> Result<bool> {
    need_build(app, facts, "SvelteKit")?;
    let framework = Fact::new("sveltekit", kit.source.clone());
    if let Some(adapter) = app.dependency("@sveltejs/adapter-node") {
        facts.insert("framework".into(), framework);
        // adapter({ out: 'node_build' }) in svelte.config.js: the folder the server is built into.
        let default = Fact::new("build", adapter.source.clone()).with_note("adapter-node's default out");
        let remedy = "pass --set start_command=\"node DIR/index.js\" with the folder adapter-node builds into";
        let Some(out) = config_setting(app, "svelte", &["kit", "adapter", "out"], remedy, warnings).or_default(default)
        else {
            facts.insert("kind".into(), Fact::new("server", adapter.source));
            return Ok(true);
        };
        let dir = super::js::eval::join("", out.value.as_str().unwrap_or("build"));
        let start = Fact::new(format!("node {dir}/index.js"), out.source).with_note("adapter-node");
        let port = Fact::new(3000, adapter.source).with_note("adapter-node default");
        server_facts(app, facts, &[dir, "package.json".to_string()], start, port, warnings);
        return Ok(true);
    }
    if let Some(adapter) = app.dependency("@sveltejs/adapter-static") {
        let default = Fact::new("build", adapter.source).with_note("adapter-static default");
        let output = config_setting(app, "svelte", &["kit", "adapter", "pages"], OUTPUT_DIR_REMEDY, warnings)
            .or_default(default)
            .map(|mut pages| {
                pages.value = json!(super::js::eval::join("", pages.value.as_str().unwrap_or("build")));
                pages
            });
        static_site(facts, framework, output, &["_app/immutable"], false, warnings);
        // adapter({ fallback: '200.html' }): the page for every path nothing was prerendered for (an app rendered
        // in the browser, `ssr = false`), which the server must answer instead of a 404.
        let remedy = "write the fallback page's name as a literal in svelte.config.js";
        if let Some(fallback) = config_setting(app, "svelte", &["kit", "adapter", "fallback"], remedy, warnings).set() {
            facts.insert(
                "fallback_page".into(),
                fallback.with_note("adapter-static's fallback: a path with no prerendered page gets it, and the app routes it in the browser"),
            );
        }
        return Ok(true);
    }
    warnings.push(format!(
        "{}: SvelteKit without @sveltejs/adapter-node or @sveltejs/adapter-static, so the build's output is unknown: \
         add one of them",
        kit.source
    ));
    Ok(false)
}

/// Astro: a static site in dist/ (or outDir), or with `output: 'server'` and @astrojs/node a server.
fn astro_app(app: &App, astro: &Fact, facts: &mut Facts, warnings: &mut Vec<String>) -> Result<()> {
    need_build(app, facts, "Astro")?;
    let dist = astro_output(app, astro, warnings);
    let server_output = config_setting(
        app,
        "astro",
        &["output"],
        "taken as a static site; pass --preset node-server with --set start_command=\"node dist/server/entry.mjs\" \
         for a server",
        warnings,
    )
    .set()
    .filter(|f| f.value == "server" || f.value == "hybrid");
    let framework = Fact::new("astro", astro.source.clone());
    match (server_output, app.dependency("@astrojs/node")) {
        (Some(output), Some(adapter)) => {
            let dir = dist
                .as_ref()
                .and_then(|d| d.value.as_str())
                .unwrap_or("dist")
                .trim_start_matches("./")
                .trim_end_matches('/')
                .to_string();
            facts.insert("framework".into(), framework);
            let start =
                Fact::new(format!("node {dir}/server/entry.mjs"), output.source).with_note("@astrojs/node standalone");
            let port = astro_port(app).unwrap_or_else(|| Fact::new(4321, astro.source.clone()).with_note("Astro default"));
            server_facts(app, facts, &[dir, "package.json".to_string()], start, port, warnings);
            // The standalone server binds `server.host`, localhost unless set; HOST overrides it.
            facts.entry("bind_env".into()).or_insert_with(|| {
                Fact::new("HOST", adapter.source.clone()).with_note(
                    "@astrojs/node's standalone server binds localhost unless HOST is set: set to 0.0.0.0 so a \
                     published port reaches it",
                )
            });
        }
        _ => static_site(facts, framework, dist, &["_astro"], false, warnings),
    }
    Ok(())
}

/// `server.port` of astro.config when it is a literal: where the standalone server listens without PORT.
fn astro_port(app: &App) -> Option<Fact> {
    let (file, text) = framework_config(app, "astro")?;
    let name = file.rsplit('/').next().unwrap_or(&file);
    match exported_setting(&text, name, &["server", "port"]) {
        Setting::Value { value, line } => {
            let port: u16 = value.parse().ok().filter(|port| *port > 0)?;
            Some(Fact::new(port, format!("{file}:{line}")).with_note("server.port of the Astro config"))
        }
        Setting::Unset | Setting::Unknown { .. } => None,
    }
}

/// Angular with server-side rendering (`@angular/ssr`): node runs the build's `server/server.mjs` (the
/// `serve:ssr:<project>` script's command when there is one), beside the browser files; 4000 by default.
fn angular_ssr(app: &App, ssr: &Fact, browser: &Fact, facts: &mut Facts, warnings: &mut Vec<String>) {
    let scripted = app.package.object("scripts").and_then(|scripts| {
        scripts
            .keys()
            .filter(|name| name.starts_with("serve:ssr"))
            .find_map(|name| {
                Some((
                    start_from_script(app.script(name)?.0.as_str())?,
                    app.at(&format!("scripts.{name}")),
                ))
            })
    });
    let base = browser.value.as_str().unwrap_or("dist");
    let base = base.strip_suffix("/browser").unwrap_or(base).to_string();
    let (command, source) =
        scripted.unwrap_or_else(|| (format!("node {base}/server/server.mjs"), browser.source.clone()));
    let top = base.split('/').next().unwrap_or("dist").to_string();
    facts.insert(
        "framework".into(),
        Fact::new("angular", ssr.source.clone()).with_note("server-side rendering"),
    );
    let port = Fact::new(4000, ssr.source.clone()).with_note("Angular SSR's default PORT");
    server_facts(
        app,
        facts,
        &[top, "package.json".to_string()],
        Fact::new(command, source),
        port,
        warnings,
    );
}

/// Angular's browser output from angular.json: `outputPath` (with `/browser` for the application builder).
pub(super) fn angular_output(app: &App) -> Result<Fact> {
    let rel = join_rel(&app.dir, "angular.json");
    let shown = app.file("angular.json");
    if !has_marker(&app.context.dir, &rel)? {
        return Ok(Fact::new("dist", app.file("package.json")).with_note("no angular.json; pass --set output_dir"));
    }
    let doc = app.context.read_json(&rel)?;
    let projects = doc.object("projects").cloned().unwrap_or_default();
    let chosen = projects
        .iter()
        .find(|(_, p)| p.get("projectType").and_then(Value::as_str) == Some("application"))
        .map(|(name, _)| name.clone())
        .ok_or_else(|| anyhow::anyhow!("{shown}: no project with projectType application"))?;
    let build = format!("projects.{chosen}.architect.build");
    let builder = doc.str(&format!("{build}.builder")).unwrap_or_default().to_string();
    let application = builder.ends_with(":application");
    let line = doc.line(&format!("{build}.options.outputPath"));
    let (base, browser) = match doc.get(&format!("{build}.options.outputPath")) {
        Some(Value::String(path)) => (path.clone(), "browser".to_string()),
        Some(Value::Object(object)) => (
            object
                .get("base")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            object
                .get("browser")
                .and_then(Value::as_str)
                .unwrap_or("browser")
                .to_string(),
        ),
        _ => (format!("dist/{chosen}"), "browser".to_string()),
    };
    let output = if application && !browser.is_empty() {
        format!("{base}/{browser}")
    } else {
        base
    };
    Ok(Fact::new(output, format!("{shown}:{line}")).with_note(format!("project {chosen}, builder {builder}")))
}
