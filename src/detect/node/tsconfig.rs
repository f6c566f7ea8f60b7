//! The app's tsconfig: the file its compile reads and the settings of its `extends` chain.

use std::path::Path;

use super::js::config::{json_setting, Setting};
use super::js::eval::join;
use super::App;

/// A `compilerOptions` path of the app's tsconfig (tsconfig.build.json, else tsconfig.json), following
/// `extends` to relative files; relative to the app's folder.
pub(super) fn tsconfig_option(app: &App, key: &str) -> Option<String> {
    let (folder, value) = compiler_option(app, tsconfig_file(app)?, key)?;
    Some(join(&folder, &value))
}

/// A `compilerOptions` path of a tsconfig the build names (`tsc -p tsconfig.server.json`), through its
/// `extends` chain; relative to the app's folder. A folder named instead holds its tsconfig.json.
pub(super) fn tsconfig_option_in(app: &App, project: &str, key: &str) -> Option<String> {
    let project = join("", project);
    let file = if app.path(&project).is_dir() { join(&project, "tsconfig.json") } else { project };
    let (folder, value) = compiler_option(app, &file, key)?;
    Some(join(&folder, &value))
}

/// The tsconfig the app's compile reads: tsconfig.build.json (Nest's and many servers' build config), else
/// tsconfig.json.
pub(super) fn tsconfig_file(app: &App) -> Option<&'static str> {
    ["tsconfig.build.json", "tsconfig.json"]
        .into_iter()
        .find(|name| app.path(name).is_file())
}

/// Whether a `compilerOptions` switch is on in the app's tsconfig (tsconfig.build.json, else tsconfig.json) or a
/// file it extends.
pub(super) fn tsconfig_switch(app: &App, key: &str) -> bool {
    tsconfig_file(app)
        .and_then(|first| compiler_option(app, first, key))
        .is_some_and(|(_, value)| value == "true")
}

/// A `compilerOptions` setting as written in the first file of `first`'s `extends` chain that sets it, with
/// that file's folder; `None` when no file sets it or the one that does is not plain JSON there.
pub(super) fn compiler_option(app: &App, first: &str, key: &str) -> Option<(String, String)> {
    for (file, text) in tsconfig_chain(app, first) {
        match json_setting(&text, &["compilerOptions", key]) {
            Setting::Value { value, .. } => {
                let folder = Path::new(&file)
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                return Some((folder, value));
            }
            Setting::Unknown { .. } => return None,
            Setting::Unset => {}
        }
    }
    None
}

/// A tsconfig file of the app and the files of the app it extends, in order, each with its text; a parent
/// from a package (`@tsconfig/node20`) ends the chain.
pub(super) fn tsconfig_chain(app: &App, first: &str) -> Vec<(String, String)> {
    let mut chain = Vec::new();
    let mut file = first.to_string();
    // A chain of extends is short; a loop of them is cut.
    for _ in 0..8 {
        let Some(text) = app.text(&file) else { break };
        let folder = Path::new(&file)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parent = match json_setting(&text, &["extends"]) {
            Setting::Value { value, .. } if value.starts_with('.') => Some(join(&folder, &value)),
            _ => None,
        };
        chain.push((file, text));
        let Some(parent) = parent else { break };
        let named = Path::new(&parent)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        file = if named { parent } else { format!("{parent}.json") };
    }
    chain
}
