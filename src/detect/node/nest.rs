//! Nest monorepos (nest-cli.json `"monorepo": true`): `nest build` builds only the default project (the
//! top-level `root`), `nest build NAME` another of its `projects`, and each app's compiled entry is
//! `dist/apps/NAME/main.js`. The app the start script runs decides which project the image builds.

use super::js::config::{json_setting, Setting};
use super::{App, Fact, Facts};

/// The project of a Nest monorepo whose compiled entry the start command runs.
pub(super) struct Project {
    pub(super) name: String,
    /// Its entry's source (`apps/site/src/main.ts`), relative to the app.
    pub(super) main: String,
    /// The folder its sources compile from (`apps/site/src`) and the one they are written to (`dist/apps/site`).
    pub(super) source_root: String,
    pub(super) out_dir: String,
    /// Whether a bare `nest build` builds it (it is the top-level `root`).
    pub(super) is_default: bool,
    /// Where nest-cli.json names it (`nest-cli.json:12`).
    pub(super) at: String,
}

/// The monorepo project whose compiled entry is `entry` (`dist/apps/site/main`, with or without `.js`).
pub(super) fn project_of(app: &App, entry: &str) -> Option<Project> {
    let (file, text) = app.config(&["nest-cli.json"])?;
    let value = |path: &[&str]| match json_setting(&text, path) {
        Setting::Value { value, line } => Some((value, line)),
        Setting::Unset | Setting::Unknown { .. } => None,
    };
    if value(&["monorepo"]).is_none_or(|(monorepo, _)| monorepo != "true") {
        return None;
    }
    let entry = entry.strip_suffix(".js").unwrap_or(entry);
    let inner = entry.strip_prefix("dist/")?;
    let (folder, entry_file) = inner.rsplit_once('/')?;
    let name = folder.rsplit('/').next()?;
    let (root, line) = value(&["projects", name, "root"])?;
    if root.trim_end_matches('/') != folder {
        return None;
    }
    let source_root = value(&["projects", name, "sourceRoot"]).map_or_else(|| format!("{folder}/src"), |(s, _)| s);
    let expected = value(&["projects", name, "entryFile"]).map_or_else(|| "main".to_string(), |(e, _)| e);
    if expected != entry_file {
        return None;
    }
    let source_root = source_root.trim_end_matches('/').to_string();
    crate::validate::context_path(&source_root).ok()?;
    let is_default = value(&["root"]).is_some_and(|(default, _)| default.trim_end_matches('/') == folder);
    Some(Project {
        name: name.to_string(),
        main: format!("{source_root}/{entry_file}.ts"),
        source_root,
        out_dir: format!("dist/{folder}"),
        is_default,
        at: format!("{file}:{line}"),
    })
}

/// `build_arguments`: the project a bare `nest build` would not build, named after the build script
/// (`npm run build -- site`), when the start command runs another project than the default.
pub(super) fn build_project(app: &App, entry: Option<&str>, facts: &mut Facts) {
    let Some(project) = entry.and_then(|entry| project_of(app, entry)) else { return };
    let Some(script) = facts.get("build_script").and_then(|f| f.value.as_str()).map(str::to_string) else {
        return;
    };
    let runs_bare_nest_build = app
        .script(&script)
        .is_some_and(|(text, _)| text.trim() == "nest build" || text.trim().starts_with("nest build -"));
    if project.is_default || !runs_bare_nest_build {
        return;
    }
    facts.insert(
        "build_arguments".into(),
        Fact::new(serde_json::json!([project.name]), project.at).with_note(format!(
            "the start command runs {}, which a bare `nest build` (the default project) does not build",
            project.out_dir
        )),
    );
}
