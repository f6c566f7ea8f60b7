//! Workspace members by glob (npm, yarn and pnpm `workspaces`, uv's `[tool.uv.workspace] members`): which
//! folders the patterns admit, found in one bounded walk.

use std::collections::BTreeSet;
use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::join_rel;

/// How deep below the workspace root members are looked for.
const MAX_MEMBER_DEPTH: usize = 8;
/// How many folders one expansion may open: a bound on the walk whatever the patterns.
const MAX_WALKED_DIRS: usize = 50_000;

/// Workspace globs compiled once (`apps/*`, `packages/**`, `!**/test`): which folders they admit, and which
/// folders a walk must open to find those. Matching is linear in the path (globset compiles to a regex), so no
/// pattern can make it backtrack.
pub(crate) struct MemberGlobs {
    include: GlobSet,
    exclude: GlobSet,
    /// Per included pattern: its leading literal segments, and its segment count unless it has `**`.
    reach: Vec<(Vec<String>, Option<usize>)>,
}

impl MemberGlobs {
    /// Patterns that leave the workspace (`/x`, `../x`) or do not parse admit nothing.
    pub(crate) fn new(patterns: &[String]) -> MemberGlobs {
        let mut include = GlobSetBuilder::new();
        let mut exclude = GlobSetBuilder::new();
        let mut reach = Vec::new();
        for pattern in patterns {
            let (negated, pattern) = match pattern.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, pattern.as_str()),
            };
            let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
            if pattern.is_empty() || pattern.starts_with('/') || pattern.split('/').any(|part| part == "..") {
                continue;
            }
            let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() else {
                continue;
            };
            if negated {
                exclude.add(glob);
                continue;
            }
            include.add(glob);
            let segments: Vec<&str> = pattern.split('/').collect();
            let literal = segments
                .iter()
                .take_while(|s| !s.contains(['*', '?', '[', '{', '\\']))
                .map(|s| (*s).to_string())
                .collect();
            let depth = (!segments.contains(&"**")).then_some(segments.len());
            reach.push((literal, depth));
        }
        let build = |set: GlobSetBuilder| set.build().unwrap_or_else(|_| GlobSet::empty());
        MemberGlobs {
            include: build(include),
            exclude: build(exclude),
            reach,
        }
    }

    /// Whether the folder `dir` (relative, `/`-separated) is a member by the patterns.
    pub(crate) fn admits(&self, dir: &str) -> bool {
        self.include.is_match(dir) && !self.exclude.is_match(dir)
    }

    /// Whether some pattern can match a folder below `dir`.
    fn reaches_below(&self, dir: &[&str]) -> bool {
        self.reach.iter().any(|(literal, depth)| {
            depth.is_none_or(|depth| dir.len() < depth) && literal.iter().zip(dir).all(|(l, d)| l == d)
        })
    }
}

/// Folders matching the workspace globs that hold the file `manifest`, found in one walk that opens only the
/// folders a pattern can reach, never follows links and skips `node_modules` and hidden folders.
pub(crate) fn expand(root: &Path, patterns: &[String], manifest: &str) -> Vec<String> {
    let globs = MemberGlobs::new(patterns);
    let mut found = BTreeSet::new();
    let mut queue = std::collections::VecDeque::from([String::from(".")]);
    let mut opened = 0;
    while let Some(dir) = queue.pop_front() {
        let segments: Vec<&str> = if dir == "." {
            Vec::new()
        } else {
            dir.split('/').collect()
        };
        if segments.len() >= MAX_MEMBER_DEPTH || !globs.reaches_below(&segments) || opened >= MAX_WALKED_DIRS {
            continue;
        }
        opened += 1;
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            // The entry's own type: a link to a folder is not walked into.
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "node_modules" && !n.starts_with('.'))
            .collect();
        names.sort();
        for name in names {
            let child = join_rel(&dir, &name);
            if globs.admits(&child) && root.join(&child).join(manifest).is_file() {
                found.insert(child.clone());
            }
            queue.push_back(child);
        }
    }
    found.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_globs() {
        let globs = MemberGlobs::new(&["apps/*".into(), "packages/**".into(), "pkg-*".into(), "!**/test".into()]);
        assert!(globs.admits("apps/web"));
        assert!(!globs.admits("apps/web/x"));
        assert!(globs.admits("packages/a/b"));
        assert!(!globs.admits("packages/a/test"));
        assert!(globs.admits("pkg-ui"));
        assert!(!globs.admits("lib-ui"));
        assert!(globs.reaches_below(&["apps"]) && !globs.reaches_below(&["apps", "web"]));
        assert!(globs.reaches_below(&["packages", "a", "b"]) && !globs.reaches_below(&["docs"]));
        assert!(!MemberGlobs::new(&["../*".into(), "/abs".into()]).admits("x"));
    }

    #[test]
    fn a_backtracking_pattern_costs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let long = "a".repeat(200);
        std::fs::create_dir_all(dir.path().join(&long)).unwrap();
        std::fs::write(dir.path().join(&long).join("package.json"), "{}").unwrap();
        let patterns = vec!["*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b".to_string()];
        // Before globset this took minutes; a linear matcher answers at once (no timing asserted here: the
        // hostile table runs it under a time limit).
        assert!(expand(dir.path(), &patterns, "package.json").is_empty());
        let pattern = vec![format!("{}*", "a".repeat(100))];
        assert_eq!(expand(dir.path(), &pattern, "package.json"), vec![long]);
    }
}
