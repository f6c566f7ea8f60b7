//! Node.js versions as projects write them (`engines.node` ranges, `.nvmrc` lines, `lts/iron`), reduced to the
//! major an image tag needs (`node:20-alpine`).

use nodejs_semver::Range;

/// LTS codenames, as `.nvmrc` files write them (`lts/iron`).
const LTS_CODENAMES: &[(&str, u64)] = &[
    ("argon", 4),
    ("boron", 6),
    ("carbon", 8),
    ("dubnium", 10),
    ("erbium", 12),
    ("fermium", 14),
    ("gallium", 16),
    ("hydrogen", 18),
    ("iron", 20),
    ("jod", 22),
    ("krypton", 24),
];

/// The newest LTS line dockgen knows, used for `lts/*` and for ranges with no upper bound. It is also the
/// preset's default when nothing in the repository names a version (see presets/node-*.toml).
pub(crate) const CURRENT_LTS: u64 = 24;

/// The highest major a version or range allows, with a note on how it was read; None when the text names
/// no version dockgen can pin (`node`, `latest`, a malformed range).
pub(crate) fn major(text: &str) -> Option<(u64, String)> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if let Some(codename) = lower.strip_prefix("lts/") {
        if codename == "*" {
            return Some((CURRENT_LTS, format!("{text}: the current LTS")));
        }
        return LTS_CODENAMES
            .iter()
            .find(|(name, _)| *name == codename)
            .map(|(_, major)| (*major, format!("{text}: Node {major} LTS")));
    }
    if let Some((_, major)) = LTS_CODENAMES.iter().find(|(name, _)| *name == lower) {
        return Some((*major, format!("{text}: Node {major} LTS")));
    }
    let bare = lower.strip_prefix('v').unwrap_or(&lower);
    if let Some(major) = exact_major(bare) {
        return Some((major, String::new()));
    }
    let range = Range::parse(bare).ok()?;
    let allows = |major: u64| {
        Range::parse(format!("{major}.x"))
            .ok()
            .and_then(|m| range.intersect(&m))
            .is_some()
    };
    // The majors a range can allow at its edges are those it names and their neighbours (`<21` → 20): no need
    // to try every number.
    let mut candidates: Vec<u64> = bare
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse::<u64>().ok())
        .filter(|n| *n < 10_000)
        .flat_map(|n| [n.saturating_sub(1), n, n + 1])
        .filter(|n| *n > 0)
        .chain([CURRENT_LTS])
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    // A range with no upper bound allows every future major: the current LTS is the sensible pick.
    if allows(10_000) {
        if allows(CURRENT_LTS) {
            return Some((CURRENT_LTS, format!("{text} has no upper bound: the current LTS")));
        }
        let lowest = candidates.into_iter().find(|m| allows(*m))?;
        return Some((lowest, format!("{text}: the lowest major it allows")));
    }
    let highest = candidates.into_iter().rev().find(|m| allows(*m))?;
    Some((highest, format!("{text}: the highest major it allows")))
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
        major(text).map(|(m, _)| m)
    }

    #[test]
    fn ranges_resolve_to_the_highest_major_they_allow() {
        assert_eq!(m(">=18 <21"), Some(20));
        assert_eq!(m("^20.11"), Some(20));
        assert_eq!(m("18.x || 20.x"), Some(20));
        assert_eq!(m("~18.17.0"), Some(18));
        assert_eq!(m("18 - 20"), Some(20));
        assert_eq!(m(">=18"), Some(CURRENT_LTS));
        assert_eq!(m(">=30"), Some(30));
        assert_eq!(m(">= eighteen"), None);
    }

    #[test]
    fn version_files_and_codenames() {
        assert_eq!(m("v20.11.1"), Some(20));
        assert_eq!(m("22"), Some(22));
        assert_eq!(m("lts/iron"), Some(20));
        assert_eq!(m("lts/*"), Some(CURRENT_LTS));
        assert_eq!(m("Hydrogen"), Some(18));
        assert_eq!(m("lts/unknown"), None);
        assert_eq!(m("node"), None);
        assert_eq!(m("latest"), None);
    }
}
