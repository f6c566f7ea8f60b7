//! Node.js versions as projects write them (`engines.node` ranges, `.nvmrc` lines, `lts/iron`), reduced to the
//! line an image tag needs (`node:22-alpine`): the newest LTS line a range allows, never an odd line when an LTS
//! line fits, never above its upper bound. The lines and what their images hold are data
//! (knowledge/node/lines.toml).

use nodejs_semver::Range;

use crate::knowledge::node::{self, NodeLine};
/// The newest LTS line: what `lts/*`, a range with no upper bound and a repository that names no version get.
#[cfg(test)]
fn current_lts() -> u64 {
    node::lines().current_lts
}

/// What a version text resolves to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A line, with a note on how it was read (empty for a plain version).
    Line(u64, String),
    /// The text names no version dockgen can pin (`node`, `latest`, a malformed range): ignored with a warning.
    Unpinnable,
    /// A well-formed range or version that no released line satisfies: an error, the manifest is wrong.
    Impossible(String),
}

/// The line a version or range resolves to.
pub(crate) fn resolve(text: &str) -> Resolved {
    let table = node::lines();
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let codename = lower.strip_prefix("lts/").unwrap_or(&lower);
    if codename == "*" && lower.starts_with("lts/") {
        return Resolved::Line(table.current_lts, format!("{text}: the current LTS"));
    }
    if let Some(line) = table.line.iter().find(|l| l.codename.as_deref() == Some(codename)) {
        return Resolved::Line(line.version, format!("{text}: Node {} LTS", line.version));
    }
    if lower.starts_with("lts/") {
        return Resolved::Unpinnable;
    }
    let bare = lower.strip_prefix('v').unwrap_or(&lower);
    if let Some(major) = exact_major(bare) {
        return match table.line.iter().find(|l| l.version == major) {
            Some(line) if line.lts => Resolved::Line(major, String::new()),
            Some(_) => Resolved::Line(major, format!("{text}: Node {major} is not an LTS line")),
            None => Resolved::Impossible(format!(
                "is not a released Node line (the newest is {})",
                table.line.last().map_or(0, |l| l.version)
            )),
        };
    }
    let Some(sets) = comparator_sets(bare) else {
        return Resolved::Unpinnable;
    };
    if sets.is_empty() {
        return Resolved::Impossible("allows no version at all".into());
    }
    let allows = |major: u64| {
        let line = Range::parse(format!("{major}.x")).ok();
        line.is_some_and(|line| sets.iter().any(|set| set.intersect(&line).is_some()))
    };
    let allowed: Vec<&NodeLine> = table.line.iter().filter(|l| allows(l.version)).collect();
    let unbounded = allows(10_000);
    if unbounded && allows(table.current_lts) {
        return Resolved::Line(table.current_lts, format!("{text} has no upper bound: the current LTS"));
    }
    if let Some(line) = allowed.iter().rev().find(|l| l.lts) {
        return Resolved::Line(line.version, format!("{text}: the newest LTS line it allows"));
    }
    match allowed.last() {
        Some(line) => Resolved::Line(
            line.version,
            format!(
                "{text}: allows no LTS line; Node {} is the newest line it allows",
                line.version
            ),
        ),
        None => Resolved::Impossible(format!(
            "is satisfied by no released Node line (the newest is {})",
            table.line.last().map_or(0, |l| l.version)
        )),
    }
}

/// A range as its `||` sets, each the intersection of its comparators. The semver crate turns an impossible
/// set (`>=18 <17`) into a union, so comparators are intersected one by one here; an impossible set is left
/// out. None when a comparator does not parse.
fn comparator_sets(text: &str) -> Option<Vec<Range>> {
    let mut sets = Vec::new();
    for set in text.split("||") {
        let mut comparators: Vec<String> = Vec::new();
        let mut words = set.split_whitespace().peekable();
        while let Some(word) = words.next() {
            if word == "-" {
                // A hyphen range `18 - 20`: one comparator with the word before it.
                let low = comparators.pop()?;
                comparators.push(format!("{low} - {}", words.next()?));
            } else if word.chars().all(|c| matches!(c, '<' | '>' | '=' | '~' | '^')) {
                // `>= 18`: the operator and its version are one comparator.
                comparators.push(format!("{word}{}", words.next()?));
            } else {
                comparators.push(word.to_string());
            }
        }
        if comparators.is_empty() {
            comparators.push("*".into());
        }
        let mut range: Option<Range> = None;
        let mut empty = false;
        for comparator in &comparators {
            let parsed = Range::parse(comparator).ok()?;
            range = match range {
                None => Some(parsed),
                Some(so_far) => {
                    let both = so_far.intersect(&parsed);
                    empty |= both.is_none();
                    both.or(Some(so_far))
                }
            };
        }
        if !empty {
            sets.extend(range);
        }
    }
    Some(sets)
}

/// `20`, `20.11`, `20.11.1`: a plain version, not a range.
fn exact_major(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    parts[0].parse().ok().filter(|m| *m > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Option<u64> {
        match resolve(text) {
            Resolved::Line(major, _) => Some(major),
            _ => None,
        }
    }

    #[test]
    fn presets_default_to_the_current_lts() {
        let presets = crate::preset::builtin().unwrap();
        let defaults: Vec<(String, String)> = presets
            .iter()
            .flat_map(|p| {
                p.answers
                    .iter()
                    .filter(|(key, _)| key.ends_with("node_version"))
                    .map(|(key, spec)| (format!("{}.{key}", p.name), format!("{:?}", spec.default)))
            })
            .collect();
        assert!(!defaults.is_empty());
        for (answer, default) in defaults {
            assert!(
                default.contains(&format!("\"{}\"", current_lts())),
                "{answer} = {default}"
            );
        }
    }

    #[test]
    fn ranges_resolve_to_the_newest_lts_line_they_allow() {
        assert_eq!(m(">=18 <21"), Some(20));
        assert_eq!(m(">=18 <=23"), Some(22), "never the odd line at the top");
        assert_eq!(m("^20.11"), Some(20));
        assert_eq!(m("18.x || 20.x"), Some(20));
        assert_eq!(m("~18.17.0"), Some(18));
        assert_eq!(m("18 - 20"), Some(20));
        assert_eq!(m(">= 18 < 21"), Some(20));
        assert_eq!(m(">=18"), Some(current_lts()));
        assert_eq!(m("^21"), Some(21), "no LTS line fits: the newest line it allows");
        assert_eq!(m(">= eighteen"), None);
    }

    #[test]
    fn impossible_ranges_and_unreleased_lines_are_errors() {
        for text in [">=18 <17", ">99", "^30", "30", ">=20 <20"] {
            assert!(
                matches!(resolve(text), Resolved::Impossible(_)),
                "{text}: {:?}",
                resolve(text)
            );
        }
        assert_eq!(m(">=18 <17 || ^20"), Some(20), "one possible set is enough");
    }

    #[test]
    fn version_files_and_codenames() {
        assert_eq!(m("v20.11.1"), Some(20));
        assert_eq!(m("22"), Some(22));
        assert_eq!(m("8.17.0"), Some(8), "old lines stay resolvable");
        assert_eq!(m("lts/iron"), Some(20));
        assert_eq!(m("lts/*"), Some(current_lts()));
        assert_eq!(m("Hydrogen"), Some(18));
        assert_eq!(resolve("lts/unknown"), Resolved::Unpinnable);
        assert_eq!(resolve("node"), Resolved::Unpinnable);
        assert_eq!(resolve("latest"), Resolved::Unpinnable);
    }
}
