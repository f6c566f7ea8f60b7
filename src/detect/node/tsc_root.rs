//! The folder tsc compiles from when tsconfig sets no `rootDir`: the longest common folder of the files it
//! compiles, as tsc computes it. One input outside `src/` (a `data-source.ts` at the top, a `migrations/` folder)
//! makes it the app's folder, and `src/main.ts` compiles to `dist/src/main.js`, not `dist/main.js`.

use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::js::config::{json_strings, Strings};
use super::js::eval::join;
use super::tsconfig::{tsconfig_chain, tsconfig_file, tsconfig_option};
use super::App;
use crate::detect::walk;

/// The compile's root folder and, when it is wider than `src/`, an input that made it so (for the note).
#[derive(Debug, Clone)]
pub(super) struct TscRoot {
    /// Relative to the app's folder; empty for the app's folder itself.
    pub(super) dir: String,
    pub(super) widened_by: Option<String>,
}

/// The files tsc compiles: TypeScript sources, declaration files aside (they emit nothing).
const SOURCE_EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts"];

/// Folders tsc leaves out when tsconfig names no `exclude`, besides its outDir.
const DEFAULT_EXCLUDES: &[&str] = &["node_modules", "bower_components", "jspm_packages"];

/// The root tsc computes for the app's compile, when tsconfig leaves `rootDir` unset and the inputs are known
/// (every `include`/`files`/`exclude` entry plain and inside the app). Read once per app.
pub(super) fn tsc_root(app: &App) -> Option<TscRoot> {
    app.tsc_root.get_or_init(|| compute(app)).clone()
}

fn compute(app: &App) -> Option<TscRoot> {
    let first = tsconfig_file(app)?;
    // A Nest app that webpack or SWC builds is laid out by them.
    if nest_compiler(app).is_none_or(|compiler| compiler != "tsc") {
        return None;
    }
    let chain = tsconfig_chain(app, first);
    // Each list is the first file's of the chain that sets it, relative to that file's folder; `None` when one
    // cannot be read as written.
    let list = |key: &str| -> Option<Strings> {
        for (file, text) in &chain {
            let folder = folder_of(file);
            if let Strings::Set(entries) = json_strings(text, &[key])? {
                return Some(Strings::Set(entries.iter().map(|e| join(&folder, e)).collect()));
            }
        }
        Some(Strings::Unset)
    };
    let files = list("files")?;
    let include = list("include")?;
    let exclude = list("exclude")?;
    let include = match (&files, include) {
        (_, Strings::Set(include)) => include,
        (Strings::Set(_), Strings::Unset) => Vec::new(),
        (Strings::Unset, Strings::Unset) => vec!["**/*".to_string()],
    };
    let exclude = match exclude {
        Strings::Set(exclude) => exclude,
        Strings::Unset => {
            let out_dir = tsconfig_option(app, "outDir");
            DEFAULT_EXCLUDES.iter().map(ToString::to_string).chain(out_dir).collect()
        }
    };
    let files = match files {
        Strings::Set(files) => files,
        Strings::Unset => Vec::new(),
    };
    let leaves_app = |entry: &String| entry.starts_with("..") || Path::new(entry).is_absolute();
    if include.iter().chain(&exclude).chain(&files).any(leaves_app) {
        return None;
    }
    let included = patterns(&include)?;
    let excluded = patterns(&exclude)?;
    let dir = app.path(".");
    let walked = walk::compiled_files(&dir, SOURCE_EXTENSIONS, |_| false);
    let prefix = format!("{}/", dir.display());
    let mut inputs: Vec<String> = walked
        .files
        .iter()
        .filter_map(|path| path.to_str()?.strip_prefix(&prefix).map(str::to_string))
        .filter(|rel| !is_declaration(rel) && included.is_match(rel) && !excluded.is_match(rel))
        .collect();
    inputs.extend(files.into_iter().filter(|f| !is_declaration(f) && app.path(f).is_file()));
    let dir = common_folder(&inputs)?;
    let widened_by = (dir.is_empty()).then(|| inputs.iter().find(|f| !f.starts_with("src/")).cloned()).flatten();
    Some(TscRoot { dir, widened_by })
}

/// The compiler `nest build` runs, from nest-cli.json: `webpack` (its switch, and a monorepo's default), the
/// `builder` named (`swc`), else `tsc`; None when nest-cli.json is there but does not parse.
pub(super) fn nest_compiler(app: &App) -> Option<String> {
    let Some(text) = app.text("nest-cli.json") else {
        return Some("tsc".into());
    };
    let cli = serde_json::from_str::<serde_json::Value>(&text).ok()?;
    let options = &cli["compilerOptions"];
    if options["webpack"].as_bool() == Some(true) || cli["monorepo"].as_bool() == Some(true) {
        return Some("webpack".into());
    }
    let builder = options["builder"].as_str().or_else(|| options["builder"]["type"].as_str());
    Some(builder.unwrap_or("tsc").to_string())
}

fn folder_of(file: &str) -> String {
    Path::new(file)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A declaration file (`index.d.ts`): the types of a package, never code that is compiled or run.
pub(super) fn is_declaration(file: &str) -> bool {
    [".d.ts", ".d.mts", ".d.cts"].iter().any(|ext| file.ends_with(ext))
}

/// tsconfig's wildcards: `*` and `?` stay within a folder, `**/` crosses folders, and an entry whose last part
/// has neither a wildcard nor an extension names a folder and everything below it.
fn patterns(entries: &[String]) -> Option<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for entry in entries {
        let last = entry.rsplit('/').next().unwrap_or_default();
        let names_folder = !last.contains(['*', '?', '.']);
        let globs = if entry.is_empty() {
            vec!["**".to_string()]
        } else if names_folder {
            vec![entry.clone(), format!("{entry}/**")]
        } else {
            vec![entry.clone()]
        };
        for glob in globs {
            set.add(GlobBuilder::new(&glob).literal_separator(true).build().ok()?);
        }
    }
    set.build().ok()
}

/// The longest folder every file lies in (`src` for `src/main.ts` and `src/app/x.ts`; empty when one lies at
/// the top or in another folder).
fn common_folder(files: &[String]) -> Option<String> {
    let mut common: Option<Vec<&str>> = None;
    for file in files {
        let parts: Vec<&str> = file.split('/').collect();
        let folder = &parts[..parts.len() - 1];
        common = Some(match common {
            None => folder.to_vec(),
            Some(sofar) => sofar.iter().zip(folder).take_while(|(a, b)| a == b).map(|(a, _)| *a).collect(),
        });
    }
    common.map(|parts| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_folder_is_the_longest_every_input_lies_in() {
        let files = |list: &[&str]| list.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(common_folder(&files(&["src/main.ts", "src/app/x.ts"])).as_deref(), Some("src"));
        assert_eq!(common_folder(&files(&["src/main.ts", "data-source.ts"])).as_deref(), Some(""));
        assert_eq!(common_folder(&files(&["src/a/x.ts", "src/b/y.ts"])).as_deref(), Some("src"));
        assert_eq!(common_folder(&files(&["src/a/x.ts"])).as_deref(), Some("src/a"));
        assert_eq!(common_folder(&[]), None);
    }

    #[test]
    fn tsconfig_wildcards_stay_in_a_folder_and_folder_names_take_everything_below() {
        let set = patterns(&["src".to_string(), "**/*.spec.ts".to_string(), "scripts/*.ts".to_string()]).unwrap();
        assert!(set.is_match("src/a/b.ts"));
        assert!(set.is_match("test/app.spec.ts"));
        assert!(set.is_match("scripts/seed.ts"));
        assert!(!set.is_match("scripts/deep/seed.ts"));
        assert!(!set.is_match("data-source.ts"));
    }
}
