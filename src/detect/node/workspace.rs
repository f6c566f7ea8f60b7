//! Workspaces: the members an npm, yarn or pnpm workspace declares, and the workspace above PATH that holds it.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{bail, Result};
use serde_json::Value;

use super::{has_marker, join_rel, read_manifest, Context, JsonDoc};

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

/// Folders matching the workspace globs (`apps/*`, `packages/**`, `!**/test`) that hold a package.json.
pub(super) fn expand_members(root: &Path, patterns: &[String]) -> Vec<String> {
    let mut found = BTreeSet::new();
    let (excluded, included): (Vec<&String>, Vec<&String>) = patterns.iter().partition(|p| p.starts_with('!'));
    for pattern in included {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        let parts: Vec<&str> = pattern.split('/').collect();
        collect_matches(root, ".", &parts, 0, &mut found);
    }
    found
        .into_iter()
        .filter(|dir| {
            !excluded
                .iter()
                .any(|e| glob_match(e.trim_start_matches('!').trim_start_matches("./"), dir))
        })
        .collect()
}

pub(super) fn collect_matches(root: &Path, dir: &str, parts: &[&str], depth: usize, found: &mut BTreeSet<String>) {
    if depth > 8 {
        return;
    }
    let Some((first, rest)) = parts.split_first() else {
        if dir != "." && root.join(dir).join("package.json").is_file() {
            found.insert(dir.to_string());
        }
        return;
    };
    if *first == ".." {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "node_modules" && !n.starts_with('.'))
        .collect();
    names.sort();
    if *first == "**" {
        collect_matches(root, dir, rest, depth + 1, found);
        for name in &names {
            collect_matches(root, &join_rel(dir, name), parts, depth + 1, found);
        }
        return;
    }
    for name in names.iter().filter(|n| segment_match(first, n)) {
        collect_matches(root, &join_rel(dir, name), rest, depth + 1, found);
    }
}

/// A `/`-separated glob with `*` (within a segment) and `**` (any number of segments).
pub(super) fn glob_match(pattern: &str, path: &str) -> bool {
    fn go(pattern: &[&str], path: &[&str]) -> bool {
        match (pattern.split_first(), path.split_first()) {
            (None, None) => true,
            (Some((&"**", rest)), _) => go(rest, path) || (!path.is_empty() && go(pattern, &path[1..])),
            (Some((p, rest)), Some((s, tail))) => segment_match(p, s) && go(rest, tail),
            _ => false,
        }
    }
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    go(&pattern, &path)
}

pub(super) fn segment_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            name.len() >= prefix.len()
                && name.starts_with(prefix)
                && (0..=name.len() - prefix.len())
                    .filter(|i| name.is_char_boundary(prefix.len() + i))
                    .any(|i| segment_match(rest, &name[prefix.len() + i..]))
        }
    }
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
        let context = Context {
            dir: root.join(&up),
            up: up.clone(),
            down: down.clone(),
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_globs() {
        assert!(glob_match("apps/*", "apps/web"));
        assert!(!glob_match("apps/*", "apps/web/x"));
        assert!(glob_match("packages/**", "packages/a/b"));
        assert!(glob_match("**/test", "packages/a/test"));
        assert!(segment_match("pkg-*", "pkg-ui"));
        assert!(!segment_match("pkg-*", "lib-ui"));
    }

    #[test]
    fn a_pnpm_settings_file_declares_no_workspace() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pnpm-workspace.yaml"),
            "onlyBuiltDependencies:\n  - esbuild\n",
        )
        .unwrap();
        let context = Context {
            dir: dir.path().to_path_buf(),
            up: ".".into(),
            down: ".".into(),
        };
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
