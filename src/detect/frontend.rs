//! A front-end stage for a program of another stack: a Node project in the repository whose build output the
//! program needs (a Go binary embeds it, a Python app serves it), built in a stage of its own and copied into
//! the app. The stage is described with the Node probe's own facts (package manager, lockfile, Node line,
//! script), reached through the registry, and derived as Node derives them.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::{join_rel, Fact, Facts};

/// One output the stage makes and where the app reads it: `from` relative to the repository (the stage
/// builds in a mirror of it), `to` relative to the app's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Copy {
    pub(crate) from: String,
    pub(crate) to: String,
}

/// The folder whose package.json builds `target`: the nearest one at or above it, up to the repository root.
pub(crate) fn builder_of(root: &Path, target: &str) -> Option<String> {
    let mut dir = target.to_string();
    loop {
        if root.join(&dir).join("package.json").is_file() {
            return Some(dir);
        }
        if dir == "." {
            return None;
        }
        dir = dir
            .rsplit_once('/')
            .map_or_else(|| ".".to_string(), |(parent, _)| parent.to_string());
    }
}

/// Whether the repository lacks `rel` as a build would make it: absent, a placeholder kept only for its place,
/// or gitignored.
pub(crate) fn needs_building(root: &Path, rel: &str) -> bool {
    let path = root.join(rel);
    !path.exists() || is_placeholder(&path) || crate::detect::walk::is_gitignored(root, rel)
}

/// A folder kept in git only for its place (empty, or `.gitkeep` and other dotfiles alone): its content is
/// a build's output.
fn is_placeholder(path: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(path) else {
        return false;
    };
    entries
        .filter_map(Result::ok)
        .all(|e| e.file_name().to_string_lossy().starts_with('.') && e.file_type().is_ok_and(|t| t.is_file()))
}

/// The Node probe's facts for the front-end folder `dir` (a front-end is a Node project, read as Node reads
/// it), or why it cannot be built in a stage.
pub(crate) fn node_facts(root: &Path, dir: &str) -> Result<Facts, String> {
    let node = crate::detect::stack("node").ok_or_else(|| "no Node stack is registered".to_string())?;
    let candidate = (node.probe)(&root.join(dir))
        .map_err(|e| format!("{e:#}"))?
        .ok_or_else(|| "it has no package.json".to_string())?;
    if candidate.facts.contains_key("workspace_root") || !candidate.choices.is_empty() {
        return Err("it is part of a Node workspace, which a front-end stage does not build yet".into());
    }
    if !candidate.facts.contains_key("build_script") {
        return Err("its package.json has no build script".into());
    }
    let needs_version = candidate
        .facts
        .get("package_manager")
        .and_then(|f| f.value.as_str())
        .is_some_and(|pm| ["pnpm", "yarn-berry", "bun"].contains(&pm));
    if needs_version && !candidate.facts.contains_key("package_manager_version") {
        return Err("its package manager's version is not pinned (packageManager in package.json)".into());
    }
    Ok(candidate.facts)
}

/// A front-end stage made for a folder the app serves: its facts and the note that says why.
pub(crate) struct Served {
    pub(crate) facts: Vec<(&'static str, Fact)>,
    pub(crate) note: String,
}

/// A front-end stage for a folder the app serves at run time (`http.Dir("web/dist")`, `StaticFiles(directory=…)`)
/// that the repository does not hold and a package.json of it builds (its output folder): the stage's facts,
/// copying the output where the app reads it, and the note saying so. `Ok(None)` when the folder is not such an
/// output; `Err` with a warning when it is built by a package.json that a stage cannot build.
pub(crate) fn served(root: &Path, folder: &str, source: &str) -> Result<Option<Served>, String> {
    if !needs_building(root, folder) {
        return Ok(None);
    }
    let Some(builder) = builder_of(root, folder) else {
        return Ok(None);
    };
    let manifest = join_rel(&builder, "package.json");
    let node = node_facts(root, &builder).map_err(|why| {
        format!(
            "{source}: the app serves {folder}/, which {manifest} builds, but {why}: the image does not build it; \
             add that build in your lines"
        )
    })?;
    let Some(output) = node
        .get("output_dir")
        .and_then(|f| f.value.as_str())
        .map(|o| join_rel(&builder, o))
    else {
        return Ok(None);
    };
    if folder != output && !folder.starts_with(&format!("{output}/")) {
        return Ok(None);
    }
    let copies = [Copy {
        from: output.clone(),
        to: output,
    }];
    let facts = stage_facts(&builder, &node, None, &copies, source, "served by the app, and");
    let why = format!(
        "{source}: the app serves {folder}/, which {manifest}'s build writes and the repository does not hold: the \
         image builds it in a stage of its own"
    );
    Ok(Some(Served { facts, note: why }))
}

/// The facts a program with a front-end stage gets: `frontend` (the stage's folder, its Node facts under the
/// names the Node templates use, the copies), `has_frontend`, and `frontend_node_version` when the front-end
/// names its Node line. `script` replaces the probe's build script when the evidence names another one; `why`
/// begins the note (`embedded, and` … built by web/package.json).
pub(crate) fn stage_facts(
    dir: &str,
    node: &Facts,
    script: Option<&str>,
    copies: &[Copy],
    source: &str,
    why: &str,
) -> Vec<(&'static str, Fact)> {
    let mut stage = Map::new();
    stage.insert("dir".into(), json!(dir));
    // Absent facts stay absent so the templates' defaults apply.
    for key in [
        "package_manager",
        "package_manager_version",
        "corepack",
        "yarn_path",
        "lockfile",
        "install_files",
        "build_script",
        "legacy_openssl",
    ] {
        if let Some(fact) = node.get(key) {
            stage.insert(key.into(), fact.value.clone());
        }
    }
    if let Some(script) = script {
        stage.insert("build_script".into(), json!(script));
    }
    let copies: Vec<Value> = copies.iter().map(|c| json!({ "from": c.from, "to": c.to })).collect();
    stage.insert("copies".into(), Value::Array(copies));
    let mut facts = vec![
        (
            "frontend",
            Fact::new(Value::Object(stage), source.to_string())
                .with_note(format!("{why} built by {}", join_rel(dir, "package.json"))),
        ),
        ("has_frontend", Fact::new(true, source.to_string())),
    ];
    if let Some(version) = node.get("node_version") {
        facts.push(("frontend_node_version", version.clone()));
    }
    facts
}

/// The front-end stage's package-manager setup and whether its Node image has yarn, as Node derives them.
pub(crate) fn derive(values: &mut Map<String, Value>) {
    let Some(Value::Object(frontend)) = values.get("frontend") else {
        return;
    };
    let Some(node) = crate::detect::stack("node") else {
        return;
    };
    let mut as_node = frontend.clone();
    if let Some(version) = values.get("frontend_node_version") {
        as_node.insert("node_version".into(), version.clone());
    }
    (node.derive)(&mut as_node);
    if let Some(Value::Object(frontend)) = values.get_mut("frontend") {
        for field in ["package_manager_setup", "node_ships_yarn"] {
            if let Some(value) = as_node.remove(field) {
                frontend.insert(field.into(), value);
            }
        }
    }
}
