//! Node version ranges (`>=18 <21`, `20.x || 22.x`) read as comparator sets, and the `engines.node` ranges a
//! lockfile records for the packages it installs (package-lock.json v2/v3, pnpm-lock.yaml): a native module
//! built for Node ≤ 24 (`better-sqlite3`: `20.x || 22.x || 23.x || 24.x`) fails to compile on 26, so a line
//! chosen without a pin stays within them. A range that allows no line from Node 16 on (`0.10.x`) is left out
//! (knowledge/node/lines.toml): npm does not enforce engines, and old packages name lines long gone.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use nodejs_semver::Range;
use super::npmlock::{LockFile, NpmLock, TreeDependency};

use crate::detect::read_small_text;
use crate::knowledge::node;

/// One installed package whose engines range rules out some supported line.
#[derive(Debug)]
pub(super) struct Limit {
    /// `better-sqlite3@12.4.1`.
    pub(super) package: String,
    pub(super) range: String,
    /// `package-lock.json:1234`.
    pub(super) source: String,
    sets: Vec<Range>,
}

impl Limit {
    pub(super) fn allows(&self, major: u64) -> bool {
        allows_line(&self.sets, major, false)
    }
}

/// The limits the lockfile in `dir` (shown as `shown(name)`) records, in the lockfile's order: its
/// package-lock.json (`npm`, read by the caller) or else its pnpm-lock.yaml.
pub(super) fn limits(npm: Option<&LockFile>, dir: &Path, shown: &dyn Fn(&str) -> String) -> Vec<Limit> {
    if let Some(file) = npm {
        return file
            .lock
            .as_ref()
            .map(|lock| package_lock(&file.text, lock, &shown("package-lock.json")))
            .unwrap_or_default();
    }
    if let Some(text) = read_small_text(&dir.join("pnpm-lock.yaml")) {
        return pnpm_lock(&text, &shown("pnpm-lock.yaml"));
    }
    Vec::new()
}

fn package_lock(text: &str, lock: &NpmLock, file: &str) -> Vec<Limit> {
    // Hundreds of packages share a few dozen ranges: each is read once.
    let mut ranges: HashMap<&str, Option<Vec<Range>>> = HashMap::new();
    let mut found: Vec<(&str, Limit)> = Vec::new();
    for (key, package) in &lock.packages {
        // The root entry ("") is the project itself: its engines are read from package.json. Other entries are
        // installed packages (`node_modules/x`) and the workspace's own (`packages/x`).
        if key.is_empty() {
            continue;
        }
        let Some(range) = package.engines.as_ref().and_then(|e| e.get("node")).and_then(|r| r.as_str()) else {
            continue;
        };
        let Some(sets) = ranges.entry(range).or_insert_with(|| limiting(range)).clone() else {
            continue;
        };
        let name = key.rsplit_once("node_modules/").map_or(key.as_str(), |(_, name)| name);
        let limit = Limit {
            package: format!("{name}@{}", package.version.as_deref().unwrap_or("?")),
            range: range.to_string(),
            source: file.to_string(),
            sets,
        };
        found.push((key, limit));
    }
    // Each limit's line, found in one pass over the text (npm writes a key per line).
    let mut wanted: HashMap<String, usize> = found.iter().enumerate().map(|(i, (key, _))| (format!("\"{key}\": {{"), i)).collect();
    for (index, line) in text.lines().enumerate() {
        if let Some(at) = wanted.remove(line.trim()) {
            found[at].1.source = format!("{file}:{}", index + 1);
        }
        if wanted.is_empty() {
            break;
        }
    }
    let mut limits: Vec<Limit> = found.into_iter().map(|(_, limit)| limit).collect();
    limits.extend(nan_limit(lock, text, file));
    limits.extend(removed_limits(lock, text, file));
    limits
}

/// The installed releases of a package in a package-lock.json (v2/v3 `packages`, else v1's nested
/// `dependencies`), each with the key npm writes on the line that opens its entry; an optional package's
/// (fsevents, macOS only) is never installed on Linux and does not count.
fn installed<'a>(lock: &'a NpmLock, name: &str) -> Vec<(String, &'a str)> {
    let nested = format!("/node_modules/{name}");
    let mut found: Vec<(String, &str)> = lock
        .packages
        .iter()
        .filter(|(key, package)| (key.strip_prefix("node_modules/") == Some(name) || key.ends_with(&nested)) && !package.optional)
        .filter_map(|(key, package)| Some((format!("\"{key}\": {{"), package.version.as_deref()?)))
        .collect();
    if lock.packages.is_empty() {
        let mut pending: Vec<&BTreeMap<String, TreeDependency>> = vec![&lock.dependencies];
        while let Some(dependencies) = pending.pop() {
            for (key, dependency) in dependencies {
                if dependency.optional {
                    continue;
                }
                if let (true, Some(version)) = (key == name, dependency.version.as_deref()) {
                    found.push((format!("\"{name}\": {{"), version));
                }
                pending.push(&dependency.dependencies);
            }
        }
    }
    found
}

/// The line of the entry `key` that records `version` (npm writes `"version"` right after the key), 1 when
/// not found.
fn entry_line(text: &str, key: &str, version: &str) -> usize {
    let version_line = format!("\"version\": \"{version}\"");
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(2)
        .position(|pair| pair[0].trim() == key && pair[1].contains(&version_line))
        .map_or(1, |at| at + 1)
}

/// The line the lockfile's nan allows (knowledge/node/native.toml), the oldest nan installed deciding: the
/// native addons built through it compile on no later Node.
fn nan_limit(lock: &NpmLock, text: &str, file: &str) -> Option<Limit> {
    let nan = node::nan();
    let (key, version, newest) = installed(lock, "nan")
        .into_iter()
        .filter_map(|(key, version)| Some((key, version, nan.newest_node(version)?)))
        .min_by_key(|(_, _, newest)| *newest)?;
    Some(Limit {
        package: format!("nan@{version} (native addons compile through it)"),
        range: format!("up to {newest}"),
        source: format!("{file}:{}", entry_line(text, &key, version)),
        sets: comparator_sets(&format!("<{}", newest + 1))?,
    })
}

/// The lines the locked packages that call what a later Node removed allow (knowledge/node/removed.toml):
/// jwa before 1.4.2 loads `buffer-equal-constant-time`, which reads `SlowBuffer`, gone from Node 25.
fn removed_limits(lock: &NpmLock, text: &str, file: &str) -> Vec<Limit> {
    let mut limits = Vec::new();
    for removed in node::removed_for() {
        let Some((key, version)) = installed(lock, &removed.name)
            .into_iter()
            .find(|(_, version)| removed.affects(version))
        else {
            continue;
        };
        limits.extend(removed_limit(removed, version, format!("{file}:{}", entry_line(text, &key, version))));
    }
    limits
}

fn removed_limit(removed: &node::RemovedFor, version: &str, source: String) -> Option<Limit> {
    Some(Limit {
        package: format!("{}@{version}, which {}", removed.name, removed.why),
        range: format!("up to {}", removed.newest_node),
        source,
        sets: comparator_sets(&format!("<{}", removed.newest_node + 1))?,
    })
}

fn pnpm_lock(text: &str, file: &str) -> Vec<Limit> {
    let Ok(doc) = marked_yaml::parse_yaml(0, engines_outline(text)) else {
        return Vec::new();
    };
    let Some(packages) = doc.as_mapping().and_then(|d| d.get_mapping("packages")) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (key, package) in packages.iter() {
        // `/jwa@1.4.1` (lockfile v6), `jwa@1.4.1` (v9), `/@scope/name@1.0.0(peer@2.0.0)`.
        let entry = key.as_str().trim_start_matches('/');
        let entry = entry.split_once('(').map_or(entry, |(entry, _)| entry);
        if let Some((name, version)) = entry.rsplit_once('@').filter(|(name, _)| !name.is_empty()) {
            for removed in node::removed_for().iter().filter(|r| r.name == name && r.affects(version)) {
                let line = key.span().start().map_or(1, marked_yaml::Marker::line);
                found.extend(removed_limit(removed, version, format!("{file}:{line}")));
            }
        }
        let Some(range) = engines_node(package) else {
            continue;
        };
        let line = range.span().start().map_or(1, marked_yaml::Marker::line);
        let package = key.as_str().trim_start_matches('/').to_string();
        found.extend(limit(package, range.as_str(), format!("{file}:{line}")));
    }
    found
}

/// The lockfile with every line blanked but what `pnpm_lock` reads: the `packages:` key, each package's key
/// and its `engines:` entry (with any lines nested under it). A lockfile is mostly resolutions, dependency
/// lists and snapshots, which the YAML parser would otherwise build into nodes only to drop them; blanking
/// keeps every kept line at its line number for the evidence.
fn engines_outline(text: &str) -> String {
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let mut out = String::with_capacity(text.len() / 8);
    let mut in_packages = false;
    let mut package_indent = None;
    let mut engines_indent = None;
    for line in text.lines() {
        let content = line.trim_start_matches(' ');
        let blank_or_comment = content.is_empty() || content.starts_with('#');
        let at = indent(line);
        if !blank_or_comment && at == 0 {
            in_packages = content.trim_end() == "packages:";
            package_indent = None;
            engines_indent = None;
            if in_packages {
                out.push_str(line);
            }
        } else if in_packages && !blank_or_comment {
            let package = *package_indent.get_or_insert(at);
            if engines_indent.is_some_and(|engines| at <= engines) {
                engines_indent = None;
            }
            if at == package || engines_indent.is_some() {
                out.push_str(line);
            } else if content.starts_with("engines:") {
                engines_indent = Some(at);
                out.push_str(line);
            }
        }
        out.push('\n');
    }
    out
}

/// A limit when the range has an upper bound and allows some line from `engines_limits_from` on.
fn limit(package: String, range: &str, source: String) -> Option<Limit> {
    limiting(range).map(|sets| Limit {
        package,
        range: range.to_string(),
        source,
        sets,
    })
}

/// The range's sets when it limits the line: an upper bound, and some line from `engines_limits_from` allowed.
fn limiting(range: &str) -> Option<Vec<Range>> {
    let sets = comparator_sets(range.trim())?;
    let table = node::lines();
    let supported = table
        .line
        .iter()
        .filter(|l| l.lts && l.version >= table.engines_limits_from)
        .any(|l| allows_line(&sets, l.version, false));
    (supported && !allows_line(&sets, 10_000, false)).then_some(sets)
}

/// Whether a range's sets allow some release of the line `major`; `whole`: its newest releases (a tag such as
/// `node:24-alpine` moves to them).
pub(super) fn allows_line(sets: &[Range], major: u64, whole: bool) -> bool {
    let line = if whole {
        Range::parse(format!(">={major}.100.0 <{}.0.0-0", major + 1))
    } else {
        Range::parse(format!("{major}.x"))
    };
    line.is_ok_and(|line| sets.iter().any(|set| set.intersect(&line).is_some()))
}

/// A range as its `||` sets, each the intersection of its comparators. The semver crate turns an impossible
/// set (`>=18 <17`) into a union, so comparators are intersected one by one here; an impossible set is left
/// out. None when a comparator does not parse.
pub(super) fn comparator_sets(text: &str) -> Option<Vec<Range>> {
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

/// The newest lower bound the packages a package-lock.json installs put on Node: the package whose `engines.node`
/// allows no line below the highest first line, that line, and the package's range and entry. None when every
/// range allows the oldest line known (or none known at all: a range of lines long gone says nothing).
pub(super) fn floor(file: &LockFile, shown: &str) -> Option<(u64, Limit)> {
    let lock = file.lock.as_ref()?;
    let ranges = lock
        .packages
        .iter()
        .filter(|(key, package)| !key.is_empty() && !package.optional)
        .filter_map(|(key, package)| {
            let range = package.engines.as_ref()?.get("node")?.as_str()?;
            Some((range, (key, package)))
        });
    let (first, range, sets, (key, package)) = highest_first_line(ranges)?;
    let name = key.rsplit_once("node_modules/").map_or(key.as_str(), |(_, name)| name);
    let entry = format!("\"{key}\": {{");
    let line = file.text.lines().position(|l| l.trim() == entry).map_or(1, |at| at + 1);
    Some((
        first,
        Limit {
            package: format!("{name}@{}", package.version.as_deref().unwrap_or("?")),
            range: range.to_string(),
            source: format!("{shown}:{line}"),
            sets,
        },
    ))
}

/// A pnpm-lock.yaml package's `engines.node`, with its place.
fn engines_node(package: &marked_yaml::Node) -> Option<&marked_yaml::types::MarkedScalarNode> {
    package.as_mapping()?.get_mapping("engines")?.get_scalar("node")
}

/// A package's engines range as a floor: the oldest known line it allows, and the package as a limit.
pub(super) fn floor_limit(package: String, range: &str, source: String) -> Option<(u64, Limit)> {
    let (first, sets) = first_line(range)?;
    Some((first, Limit { package, range: range.to_string(), source, sets }))
}

/// The oldest known line a range allows, with the range's sets.
fn first_line(range: &str) -> Option<(u64, Vec<Range>)> {
    let sets = comparator_sets(range.trim())?;
    let first = node::lines().line.iter().map(|l| l.version).find(|major| allows_line(&sets, *major, false))?;
    Some((first, sets))
}

/// [`floor`] for a pnpm-lock.yaml (its text, shown as `file`): the package whose `engines.node` allows no line
/// below the highest first line among them.
pub(super) fn pnpm_floor(text: &str, file: &str) -> Option<(u64, Limit)> {
    let doc = marked_yaml::parse_yaml(0, engines_outline(text)).ok()?;
    let packages = doc.as_mapping()?.get_mapping("packages")?;
    let ranges = packages.iter().filter_map(|(key, package)| {
        let range = engines_node(package)?;
        Some((range.as_str(), (key, range)))
    });
    let (first, range, sets, (key, node)) = highest_first_line(ranges)?;
    let line = node.span().start().map_or(1, marked_yaml::Marker::line);
    let package = key.as_str().trim_start_matches('/').to_string();
    Some((first, Limit { package, range: range.to_string(), source: format!("{file}:{line}"), sets }))
}

/// Of packages with their `engines.node` ranges, the one whose range's oldest allowed line is the highest above
/// the oldest line known, with that line, its range and the range's sets; each distinct range is read once.
/// None when every range allows the oldest line known.
fn highest_first_line<'r, T>(ranges: impl Iterator<Item = (&'r str, T)>) -> Option<(u64, &'r str, Vec<Range>, T)> {
    let oldest = node::lines().line.first()?.version;
    let mut read: HashMap<&str, Option<(u64, Vec<Range>)>> = HashMap::new();
    let mut found: Option<(u64, &str, T)> = None;
    for (range, item) in ranges {
        let first = read.entry(range).or_insert_with(|| first_line(range));
        if let Some((first, _)) = first.as_ref().filter(|(first, _)| *first > oldest) {
            if found.as_ref().is_none_or(|(highest, ..)| *first > *highest) {
                found = Some((*first, range, item));
            }
        }
    }
    let (first, range, item) = found?;
    let sets = read.remove(range)??.1;
    Some((first, range, sets, item))
}

/// Every reader on arbitrary text, for the fuzz target.
pub(super) fn fuzz_text(text: &str) -> usize {
    npm_limits(text).len() + pnpm_lock(text, "pnpm-lock.yaml").len() + usize::from(pnpm_floor(text, "pnpm-lock.yaml").is_some())
}

/// The limits a package-lock.json's text records (none when it does not parse).
fn npm_limits(text: &str) -> Vec<Limit> {
    limits(Some(&LockFile::new(text.to_string())), Path::new(""), &str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_engines_with_an_upper_bound_are_limits() {
        let lock = r#"{
  "lockfileVersion": 3,
  "packages": {
    "": { "engines": { "node": ">=18 <20" } },
    "node_modules/better-sqlite3": {
      "version": "12.4.1",
      "engines": { "node": "20.x || 22.x || 23.x || 24.x" }
    },
    "node_modules/old": { "version": "1.0.0", "engines": { "node": "0.10.x" } },
    "node_modules/open": { "version": "2.0.0", "engines": { "node": ">=14" } },
    "node_modules/legacy": { "version": "0.1.0", "engines": ["node >= 0.4"] }
  }
}"#;
        let found = npm_limits(lock);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].package, "better-sqlite3@12.4.1");
        assert_eq!(found[0].source, "package-lock.json:5");
        assert!(found[0].allows(24) && !found[0].allows(26));
    }

    #[test]
    fn the_highest_first_line_of_the_locked_packages_is_the_floor() {
        let lock = r#"{
  "lockfileVersion": 3,
  "packages": {
    "": { "engines": { "node": ">=20" } },
    "node_modules/express": { "version": "4.21.2", "engines": { "node": ">= 0.10.0" } },
    "node_modules/undici": {
      "version": "5.28.4",
      "engines": { "node": ">=14.0" }
    },
    "node_modules/fsevents": { "version": "2.3.3", "optional": true, "engines": { "node": ">=22" } }
  }
}"#;
        let (first, package) = floor(&LockFile::new(lock.to_string()), "package-lock.json").unwrap();
        assert_eq!(first, 14);
        assert_eq!(package.package, "undici@5.28.4");
        assert_eq!(package.source, "package-lock.json:6");
        assert!(floor(&LockFile::new(r#"{"packages": {"node_modules/a": {"engines": {"node": "*"}}}}"#.into()), "l").is_none());
    }

    #[test]
    fn the_oldest_nan_a_build_compiles_limits_the_line() {
        let lock = r#"{
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "x" },
    "node_modules/sqlite3/node_modules/nan": {
      "version": "2.10.0"
    },
    "node_modules/nan": {
      "version": "2.14.2"
    },
    "node_modules/fsevents/node_modules/nan": {
      "version": "2.3.0",
      "optional": true
    },
    "node_modules/new-addon/node_modules/nan": {
      "version": "2.23.0"
    }
  }
}"#;
        let found = npm_limits(lock);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].package, "nan@2.10.0 (native addons compile through it)");
        assert_eq!(found[0].source, "package-lock.json:5");
        assert!(found[0].allows(10) && !found[0].allows(12));
        assert!(npm_limits(r#"{"lockfileVersion": 3, "packages": {"node_modules/nan": {"version": "2.22.0"}}}"#).is_empty());
    }

    #[test]
    fn pnpm_locks_record_engines_per_package() {
        let lock = "lockfileVersion: '9.0'\n\npackages:\n\n  better-sqlite3@12.4.1:\n    resolution: {integrity: x}\n    \
                    engines: {node: 20.x || 22.x || 23.x || 24.x}\n\n  open@1.0.0:\n    engines: {node: '>=18'}\n";
        let found = pnpm_lock(lock, "pnpm-lock.yaml");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].package.as_str(), found[0].source.as_str()),
            ("better-sqlite3@12.4.1", "pnpm-lock.yaml:7")
        );
        // Block-style engines, other sections with the same shapes, comments: read as the parser reads them.
        let lock = "lockfileVersion: '9.0'\nimporters:\n  .:\n    engines: {node: 20.x || 22.x}\n\
                    packages:\n  # a comment\n  better-sqlite3@12.4.1:\n    resolution: {integrity: x}\n    engines:\n      \
                    node: 20.x || 22.x\n    hasBin: true\nsnapshots:\n  x@1.0.0:\n    engines: {node: 20.x || 22.x}\n";
        let found = pnpm_lock(lock, "pnpm-lock.yaml");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].package.as_str(), found[0].source.as_str()),
            ("better-sqlite3@12.4.1", "pnpm-lock.yaml:10")
        );
        // A release that calls what a later Node removed (knowledge/node/removed.toml), v6 and v9 keys.
        for (lock, line) in [
            ("lockfileVersion: '6.0'\npackages:\n\n  /jwa@1.4.1:\n    resolution: {integrity: x}\n", 4),
            ("lockfileVersion: '9.0'\npackages:\n  jws@3.2.2:\n    resolution: {integrity: x}\n  jwa@2.0.0:\n    x: y\n", 5),
        ] {
            let found = pnpm_lock(lock, "pnpm-lock.yaml");
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].source, format!("pnpm-lock.yaml:{line}"));
            assert!(found[0].package.starts_with("jwa@") && !found[0].allows(26) && found[0].allows(24));
        }
        assert!(pnpm_lock("packages:\n  /jwa@1.4.2:\n    x: y\n", "pnpm-lock.yaml").is_empty());
    }
}
