//! Workspaces: the members an npm, yarn or pnpm workspace declares, and the workspace above PATH that holds it.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{bail, Result};
use serde_json::Value;

use super::{has_marker, join_rel, read_manifest, Context, JsonDoc};
use crate::detect::members;

/// How many folders above PATH dockgen looks for the workspace that holds it.
pub(super) const MAX_WORKSPACE_DEPTH: usize = 6;

/// PATH declares a workspace itself (`workspaces` in package.json, or pnpm-workspace.yaml): its members.
/// Patterns that match no member folder (`**` in a single-project repository that keeps pnpm settings there)
/// leave the package itself to build, with a warning.
pub(super) fn own_workspace(
    context: &Context,
    package: &JsonDoc,
    warnings: &mut Vec<String>,
) -> Result<Option<(Vec<String>, String)>> {
    let Some((patterns, source)) = workspace_patterns(context, package)? else {
        return Ok(None);
    };
    let members = expand_members(&context.dir, &patterns);
    let escapes = patterns
        .iter()
        .any(|p| p.starts_with('/') || p.trim_start_matches('!').split('/').any(|part| part == ".."));
    if members.is_empty() && escapes {
        bail!(
            "{source}: the workspace patterns ({}) match no folder with a package.json",
            patterns.join(", ")
        );
    }
    if members.is_empty() {
        warnings.push(format!(
            "{source}: the workspace patterns ({}) match no folder with a package.json besides the root; the root \
             package is built as a single project",
            patterns
                .iter()
                .map(|p| p.chars().take(40).collect::<String>().escape_debug().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Ok(None);
    }
    Ok(Some((
        members,
        source.split(':').next().unwrap_or_default().to_string(),
    )))
}

/// The workspace patterns a folder declares, with `file:line`.
pub(super) fn workspace_patterns(context: &Context, package: &JsonDoc) -> Result<Option<(Vec<String>, String)>> {
    if has_marker(&context.dir, "pnpm-workspace.yaml")? {
        let text = read_manifest(&context.dir, "pnpm-workspace.yaml")?;
        let (patterns, line) = pnpm_workspace_packages(&text);
        // pnpm 10 keeps its settings there too (onlyBuiltDependencies, overrides): without `packages:` the
        // file configures a single project, it declares no workspace.
        if !patterns.is_empty() {
            return Ok(Some((patterns, format!("pnpm-workspace.yaml:{line}"))));
        }
    }
    let list = match package.get("workspaces") {
        Some(Value::Array(list)) => list,
        Some(Value::Object(object)) => match object.get("packages") {
            Some(Value::Array(list)) => list,
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    let patterns = list.iter().filter_map(Value::as_str).map(String::from).collect();
    Ok(Some((patterns, format!("package.json:{}", package.line("workspaces")))))
}

/// `packages:` entries of pnpm-workspace.yaml (a list of quoted or bare globs) and the line of `packages:`.
pub(super) fn pnpm_workspace_packages(text: &str) -> (Vec<String>, usize) {
    let mut patterns = Vec::new();
    let mut in_packages = false;
    let mut at = 1;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t', '-']) {
            in_packages = trimmed.starts_with("packages:");
            if in_packages {
                at = i + 1;
            }
            continue;
        }
        if in_packages {
            if let Some(item) = trimmed.strip_prefix('-') {
                let item = item.split(" #").next().unwrap_or_default().trim();
                patterns.push(item.trim_matches(['\'', '"']).to_string());
            }
        }
    }
    (patterns, at)
}

/// Folders matching the workspace globs that hold a package.json.
pub(super) fn expand_members(root: &Path, patterns: &[String]) -> Vec<String> {
    members::expand(root, patterns, "package.json")
}

/// A workspace above PATH that lists it as a member: the build context must be that workspace's root.
pub(super) fn enclosing_workspace(root: &Path) -> Result<Option<(Context, Vec<String>, String)>> {
    let Ok(start) = root.canonicalize() else {
        return Ok(None);
    };
    let mut up = String::from(".");
    let mut dir = start.as_path();
    for _ in 0..MAX_WORKSPACE_DEPTH {
        if dir.join(".git").exists() {
            break;
        }
        let Some(parent) = dir.parent() else { break };
        dir = parent;
        up = if up == "." { "..".into() } else { format!("{up}/..") };
        let down = start
            .strip_prefix(dir)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let context = Context::new(root.join(&up), up.clone(), down.clone());
        if !context.dir.join("package.json").is_file() && !context.dir.join("pnpm-workspace.yaml").is_file() {
            continue;
        }
        // A folder above PATH is read as the repository it may be: its files, nothing outside it.
        let _confined = crate::files::Confine::to(&context.dir);
        let package = if context.dir.join("package.json").is_file() {
            context.read_json("package.json")?
        } else {
            JsonDoc::parse("{}").map_err(|e| anyhow::anyhow!("{e}"))?
        };
        let Some((patterns, source)) = workspace_patterns(&context, &package)? else {
            continue;
        };
        let members = expand_members(&context.dir, &patterns);
        if members.contains(&down) {
            let file = source.split(':').next().unwrap_or_default().to_string();
            return Ok(Some((context, members, file)));
        }
    }
    Ok(None)
}

/// Package name → folder, for every workspace member (to find the workspace packages an app depends on).
pub(super) fn member_names(context: &Context, members: &[String]) -> Result<Vec<(String, String)>> {
    members
        .iter()
        .map(|dir| {
            let doc = context.read_json(&join_rel(dir, "package.json"))?;
            Ok((doc.str("name").unwrap_or_default().to_string(), dir.clone()))
        })
        .collect()
}

/// What a workspace library ships, as npm packs it: its `files` (when none is a pattern) or the folder of its
/// `main` (`dist/index.js` → `dist`), with package.json; empty when it cannot be told (the whole folder ships).
pub(super) fn shipped_files(doc: &JsonDoc) -> Vec<String> {
    let safe = |path: &str| {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        crate::validate::context_path(path).is_ok().then(|| path.to_string())
    };
    let listed: Option<Vec<String>> = match doc.get("files").and_then(Value::as_array) {
        Some(files) => files
            .iter()
            .map(|f| f.as_str().filter(|f| !f.contains(['*', '?', '!', '{'])).and_then(safe))
            .collect(),
        None => doc
            .str("main")
            .and_then(|main| safe(main)?.split_once('/').map(|(top, _)| vec![top.to_string()])),
    };
    let Some(mut files) = listed.filter(|files| !files.is_empty()) else {
        return Vec::new();
    };
    if !files.iter().any(|f| f == "package.json") {
        files.push("package.json".into());
    }
    files
}

/// The members the package in `dir` depends on (dependencies and devDependencies, by name), directly or
/// through each other, each listed after the members it depends on: the order their builds must run in. A
/// cycle is cut where it closes; the app itself is never listed. Chains deeper than any real workspace's are
/// not followed further.
pub(super) fn member_dependencies(
    context: &Context,
    dir: &str,
    package: &JsonDoc,
    members: &[(String, String)],
) -> Result<Vec<(String, JsonDoc)>> {
    const MAX_CHAIN: usize = 64;
    struct Walk<'a> {
        context: &'a Context,
        by_name: std::collections::HashMap<&'a str, &'a str>,
        app: &'a str,
        seen: BTreeSet<String>,
        ordered: Vec<(String, JsonDoc)>,
    }
    impl Walk<'_> {
        /// The members a package.json names among its dependencies.
        fn uses(&self, doc: &JsonDoc) -> Vec<String> {
            ["dependencies", "devDependencies"]
                .iter()
                .filter_map(|section| doc.get(section).and_then(Value::as_object))
                .flat_map(|deps| deps.keys())
                .filter_map(|name| self.by_name.get(name.as_str()).map(|member| (*member).to_string()))
                .collect()
        }

        fn visit(&mut self, member: &str, depth: usize) -> Result<()> {
            if member == self.app || depth > MAX_CHAIN || !self.seen.insert(member.to_string()) {
                return Ok(());
            }
            let doc = self.context.read_json(&join_rel(member, "package.json"))?;
            for used in self.uses(&doc) {
                self.visit(&used, depth + 1)?;
            }
            self.ordered.push((member.to_string(), doc));
            Ok(())
        }
    }
    let mut walk = Walk {
        context,
        by_name: members
            .iter()
            .filter(|(name, _)| !name.is_empty())
            .map(|(name, member)| (name.as_str(), member.as_str()))
            .collect(),
        app: dir,
        seen: BTreeSet::new(),
        ordered: Vec::new(),
    };
    for used in walk.uses(package) {
        walk.visit(&used, 1)?;
    }
    Ok(walk.ordered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pnpm_settings_file_declares_no_workspace() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pnpm-workspace.yaml"),
            "onlyBuiltDependencies:\n  - esbuild\n",
        )
        .unwrap();
        let context = Context::new(dir.path().to_path_buf(), ".".into(), ".".into());
        let package = JsonDoc::parse("{}").unwrap();
        assert!(workspace_patterns(&context, &package).unwrap().is_none());
    }

    #[test]
    fn pnpm_workspace_file() {
        let (patterns, line) =
            pnpm_workspace_packages("# x\npackages:\n  - 'apps/*'\n  - \"packages/*\" # libs\nonlyBuilt: []\n");
        assert_eq!(patterns, vec!["apps/*", "packages/*"]);
        assert_eq!(line, 2);
    }
}
