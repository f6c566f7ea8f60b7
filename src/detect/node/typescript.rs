//! TypeScript servers: the compile a project with no build script still has (its `tsc` and tsconfig `outDir`),
//! the sources a compiled entry comes from, and the dev runners (tsx, ts-node) whose loaders node runs the sources
//! through when nothing compiles them; tsconfig settings through their `extends` chain.

use std::path::Path;

use super::js::config::{json_setting, Setting};
use super::js::eval::join;
use super::tsc_root::tsc_root;
use super::tsconfig::{compiler_option, tsconfig_option};
use super::{join_rel, App, Fact};

/// A TypeScript server with no build script whose start runs its sources through a dev runner (`tsx
/// src/server.ts`), compiles them first (`tsc && node dist/server.js`) or whose `main` is TypeScript, while
/// its tsconfig names an outDir and the project depends on TypeScript: the image compiles it with the
/// project's `tsc` and runs the output (`dist/server.js`) with node.
pub(super) fn typescript_compile(app: &App) -> Option<Fact> {
    let typescript = app.dependency("typescript")?;
    let out_dir = tsconfig_option(app, "outDir")?;
    let start = app.script("start").map(|(text, _)| text).unwrap_or_default();
    let main = app.package.str("main").unwrap_or_default();
    let runs_typescript = start.split_whitespace().any(is_typescript) || is_typescript(main);
    if runs_typescript {
        return Some(Fact::new("tsc", typescript.source).with_note(format!(
            "no build script: the project's TypeScript compiles the sources into {out_dir}/ (tsconfig), which node runs"
        )));
    }
    // `"start": "tsc && node dist/server.js"`: the start compiles first; the image compiles in its build stage.
    let started = super::scripts::resolve(app, "start")?;
    let (_, at) = started.before.iter().find(|(step, _)| matches!(step.as_str(), "tsc" | "npx tsc"))?;
    Some(Fact::new("tsc", at.clone()).with_note(format!(
        "no build script: the start script compiles with tsc before it starts the server; the image compiles into \
         {out_dir}/ (tsconfig) in its build stage"
    )))
}

/// The loaders `source_loader` starts node with: tsx's and ts-node's.
const TSX_LOADER: &str = "--import tsx";
const TS_NODE_LOADER: &str = "-r ts-node/register";
pub(super) const SOURCE_LOADERS: &[&str] = &[TSX_LOADER, TS_NODE_LOADER];

/// The variables a loader runs with in the image: ts-node type-checks every file it loads unless told to only
/// transpile, and a production install holds no devDependencies' `@types`, so the check would stop the server
/// (TS7016) over types that do not matter at run time; the project's own type-check is its build's or its CI's.
pub(super) fn loader_env(loader: &str) -> Vec<(String, String)> {
    match loader {
        TS_NODE_LOADER => vec![("TS_NODE_TRANSPILE_ONLY".to_string(), "true".to_string())],
        _ => Vec::new(),
    }
}

/// How node loads TypeScript sources through the project's own dev runner, when it can: `--import tsx` (tsx 4 and
/// later), `-r ts-node/register` (ts-node, also under ts-node-dev, for a `CommonJS` package whose tsconfig emits
/// `CommonJS`: its ESM loader is experimental).
pub(super) fn source_loader(app: &App, runner: &str) -> Option<&'static str> {
    match runner {
        "tsx" => tsx_loads_sources(app).then_some(TSX_LOADER),
        "ts-node" | "ts-node-dev" => ts_node_loads_sources(app).then_some(TS_NODE_LOADER),
        _ => None,
    }
}

/// Whether ts-node's require hook can run the project: ts-node (or ts-node-dev, which brings it) is declared,
/// the package is `CommonJS` and the `module` of tsconfig.json (the file ts-node reads) leaves it so.
fn ts_node_loads_sources(app: &App) -> bool {
    let declared = app.dependency("ts-node").is_some() || app.dependency("ts-node-dev").is_some();
    let common_js = app.package.str("type").is_none_or(|kind| kind == "commonjs");
    let module = compiler_option(app, "tsconfig.json", "module").map(|(_, m)| m.to_ascii_lowercase());
    let emits_common_js = module
        .as_deref()
        .is_none_or(|m| matches!(m, "commonjs" | "node16" | "nodenext"));
    declared && common_js && emits_common_js
}

/// Whether the project's tsx is one node can load as a module loader (`node --import tsx`, tsx 4 and later):
/// a TypeScript server nothing compiles then runs from its sources, as its scripts run it.
fn tsx_loads_sources(app: &App) -> bool {
    let declared = ["dependencies", "devDependencies"]
        .iter()
        .find_map(|section| app.package.str(&format!("{section}.tsx")).map(String::from));
    let major = declared.as_deref().and_then(|range| {
        let digits: String = range.trim_start_matches(|c: char| !c.is_ascii_digit()).chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().ok()
    });
    major.is_some_and(|major| major >= 4)
}

/// The TypeScript source of a file compiled beside it (`src/index.js` from `src/index.ts`).
pub(super) fn typescript_source(app: &App, compiled: &str) -> Option<String> {
    let ts = compiled.strip_suffix(".js").map(|s| format!("{s}.ts"));
    let mts = compiled.strip_suffix(".mjs").map(|s| format!("{s}.mts"));
    let cts = compiled.strip_suffix(".cjs").map(|s| format!("{s}.cts"));
    [ts, mts, cts].into_iter().flatten().find(|s| app.path(s).is_file())
}

/// An entry compiled into an output folder, and where from.
pub(super) struct Compiled {
    /// The entry's source (`src/main.ts`).
    pub(super) source: String,
    /// The folder the sources are compiled from (`src`; empty for the app's folder).
    pub(super) root: String,
    /// The folder they are compiled into (`dist`).
    pub(super) out_dir: String,
}

/// The source of an entry compiled into an output folder (`dist/main.js` from `src/main.ts`), from the app's
/// Nx build, else tsconfig's outDir and rootDir.
pub(super) fn compiled_source(app: &App, entry: &str) -> Option<Compiled> {
    if let Some(nx) = super::nx::build(app).filter(|nx| nx.entry == entry && app.path(&nx.main).is_file()) {
        let root = Path::new(&nx.main)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Some(Compiled {
            source: nx.main,
            root,
            out_dir: nx.output,
        });
    }
    if let Some(project) = super::nest::project_of(app, entry).filter(|p| app.path(&p.main).is_file()) {
        return Some(Compiled {
            source: project.main,
            root: project.source_root,
            out_dir: project.out_dir,
        });
    }
    // `node dist/main` runs dist/main.js, as node resolves a name without an extension.
    let entry = if Path::new(entry).extension().is_none() { format!("{entry}.js") } else { entry.to_string() };
    let entry = entry.as_str();
    let (top, inner) = entry.split_once('/')?;
    let out_dir = tsconfig_option(app, "outDir").unwrap_or_else(|| top.to_string());
    let inner = entry.strip_prefix(&format!("{out_dir}/")).unwrap_or(inner);
    let set_root = tsconfig_option(app, "rootDir");
    let computed = set_root.is_none().then(|| tsc_root(app)).flatten();
    // A start script may name the output as if the root were src/ while tsc's computed root is wider: the
    // source is still found, and the layout is tsc's (`start_entry` then names the file tsc writes).
    let roots = set_root.map_or_else(|| vec!["src".to_string(), String::new()], |r| vec![r]);
    roots.into_iter().find_map(|root| {
        let compiled = join(&root, inner);
        let source = typescript_source(app, &compiled).or_else(|| app.path(&compiled).is_file().then_some(compiled))?;
        Some(Compiled {
            source,
            root: computed.as_ref().map_or(root, |c| c.dir.clone()),
            out_dir: out_dir.clone(),
        })
    })
}

pub(super) fn is_typescript(file: &str) -> bool {
    [".ts", ".mts", ".cts"].iter().any(|e| file.ends_with(e))
}

/// Where tsc writes `file` (`src/index.ts` → `dist/index.js`), from tsconfig's outDir and rootDir.
pub(super) fn compiled_entry(app: &App, file: &str) -> String {
    let out_dir = tsconfig_option(app, "outDir").unwrap_or_else(|| ".".into());
    let file = file.trim_start_matches("./");
    let root_dir = tsconfig_option(app, "rootDir")
        .or_else(|| tsc_root(app).map(|root| root.dir))
        .unwrap_or_else(|| {
            if file.starts_with("src/") {
                "src".to_string()
            } else {
                ".".to_string()
            }
        });
    let out_dir = out_dir.trim_start_matches("./").trim_end_matches('/');
    let root_dir = root_dir.trim_start_matches("./").trim_end_matches('/');
    let inner = if root_dir == "." {
        file
    } else {
        file.strip_prefix(&format!("{root_dir}/")).unwrap_or(file)
    };
    let js = inner
        .strip_suffix(".mts")
        .map(|s| format!("{s}.mjs"))
        .or_else(|| inner.strip_suffix(".cts").map(|s| format!("{s}.cjs")))
        .or_else(|| inner.strip_suffix(".ts").map(|s| format!("{s}.js")))
        .unwrap_or_else(|| inner.to_string());
    join_rel(if out_dir.is_empty() { "." } else { out_dir }, &js)
}

/// Nest's compiled entry: tsconfig outDir (dist) + nest-cli.json entryFile (main).
pub(super) fn nest_entry(app: &App) -> String {
    let cli = app.config(&["nest-cli.json"]).map(|(_, t)| t).unwrap_or_default();
    let setting = |key: &str, default: &str| match json_setting(&cli, &[key]) {
        Setting::Value { value, .. } => value,
        Setting::Unset | Setting::Unknown { .. } => default.to_string(),
    };
    let entry = setting("entryFile", "main");
    let source_root = setting("sourceRoot", "src");
    compiled_entry(app, &format!("{source_root}/{entry}.ts"))
}
