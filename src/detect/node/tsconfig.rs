//! The app's tsconfig: the file its compile reads and the settings of its `extends` chain.

use std::path::Path;

use super::js::config::{json_setting, json_string_lists, Setting};
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

/// The import aliases of the app's tsconfig (`compilerOptions.paths`, from the first file of the `extends` chain
/// that sets them): each pattern (`@/*`) with its targets relative to the app's folder, from `baseUrl` when
/// it is set, else from that file's folder. With `baseUrl`, any other bare specifier is looked up under it
/// too (`import db from "components/db"` with `baseUrl: "./src"`), after the aliases: a last `*` alias.
pub(super) fn path_aliases(app: &App) -> Vec<(String, Vec<String>)> {
    let Some(first) = tsconfig_file(app) else { return Vec::new() };
    let base = compiler_option(app, first, "baseUrl").map(|(folder, value)| join(&folder, &value));
    let mut aliases = Vec::new();
    for (file, text) in tsconfig_chain(app, first) {
        let Some(paths) = json_string_lists(&text, &["compilerOptions", "paths"]) else { continue };
        let folder = Path::new(&file).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let base = base.clone().unwrap_or(folder);
        aliases = paths
            .into_iter()
            .map(|(pattern, targets)| (pattern, targets.iter().map(|t| join(&base, t)).collect()))
            .collect();
        break;
    }
    if let Some(base) = base {
        aliases.push(("*".to_string(), vec![join(&base, "*")]));
    }
    aliases
}

/// The files an aliased specifier stands for (`@/db/index` under `"@/*": ["./src/*"]` → `src/db/index`), as
/// TypeScript maps it: a pattern with one `*` takes what it matches into each target's `*`, a pattern without
/// one matches the whole specifier.
pub(super) fn aliased<'a>(aliases: &'a [(String, Vec<String>)], specifier: &'a str) -> impl Iterator<Item = String> + 'a {
    aliases.iter().flat_map(move |(pattern, targets)| {
        let matched = match pattern.split_once('*') {
            Some((prefix, suffix)) => specifier
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .filter(|_| specifier.len() >= prefix.len() + suffix.len()),
            None => (pattern == specifier).then_some(""),
        };
        targets.iter().filter_map(move |target| matched.map(|star| target.replacen('*', star, 1)))
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliased_specifiers_map_to_their_targets() {
        let aliases = vec![
            ("@/*".to_string(), vec!["src/*".to_string()]),
            ("~config".to_string(), vec!["config/index".to_string()]),
            ("#lib/*.js".to_string(), vec!["lib/*.ts".to_string(), "vendor/*.ts".to_string()]),
        ];
        let all = |specifier: &str| aliased(&aliases, specifier).collect::<Vec<_>>();
        assert_eq!(all("@/db/index"), ["src/db/index"]);
        assert_eq!(all("~config"), ["config/index"]);
        assert_eq!(all("#lib/a.js"), ["lib/a.ts", "vendor/a.ts"]);
        assert!(all("express").is_empty() && all("~config/x").is_empty());
    }
}
