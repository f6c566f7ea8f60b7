//! Requirement files as pip reads them: one requirement per logical line (`\` continues it, ` #` starts a
//! comment), `-r`/`-c` includes relative to the including file, options, per-requirement `--hash`es, `-e`
//! and local paths. Each include is read once (a loop ends there) and at most `MAX_FILES` are read.

use std::path::Path;
use std::str::FromStr;

use pep440_rs::Operator;
use pep508_rs::{Requirement, VerbatimUrl, VersionOrUrl};

use crate::detect::has_marker;
use crate::knowledge::python::normalise;

/// One distribution the app depends on at run time, normalised (`flask-sqlalchemy`), with where it is named.
#[derive(Debug, Clone)]
pub(super) struct Dependency {
    pub(super) name: String,
    pub(super) extras: Vec<String>,
    /// The exact version an `==` pin names (`psycopg2==2.9.5` → `2.9.5`).
    pub(super) pinned: Option<String>,
    /// The version every release the requirement allows is below (`Django>=2.0,<3.0`, `~=3.2`, Poetry's `^2.2`:
    /// `3.0`), and whether that version itself is allowed (`<=2.2.28`).
    pub(super) below: Option<(String, bool)>,
    pub(super) source: String,
}

/// The version every release `specifiers` allow is below, and whether that one is allowed too: `<3.0`,
/// `<=2.2.28`, `~=3.2` (below 4.0), `==3.2.*` (below 3.3). None when nothing bounds it from above.
pub(super) fn upper_bound(specifiers: &pep440_rs::VersionSpecifiers) -> Option<(String, bool)> {
    let bounds = specifiers.iter().filter_map(|spec| {
        let release = spec.version().release();
        match spec.operator() {
            Operator::LessThan => Some((spec.version().to_string(), false)),
            Operator::LessThanEqual => Some((spec.version().to_string(), true)),
            Operator::TildeEqual => Some((bumped(release, release.len().checked_sub(1)?)?, false)),
            Operator::EqualStar => Some((bumped(release, release.len())?, false)),
            _ => None,
        }
    });
    bounds.min_by(|(a, _), (b, _)| {
        let version = |v: &str| pep440_rs::Version::from_str(v).ok();
        version(a).cmp(&version(b))
    })
}

/// The first `keep` parts of a release with the last of them one higher (`3.2.1`, 2 → `3.3`): the version every
/// release sharing that prefix is below.
fn bumped(release: &[u64], keep: usize) -> Option<String> {
    let mut parts: Vec<u64> = release.get(..keep)?.to_vec();
    *parts.last_mut()? += 1;
    Some(parts.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
}

/// Poetry's constraint (`^2.2`, `~2.2`, `>=2.0,<3.0`) as [`upper_bound`] reads it: a caret keeps the first
/// non-zero part, a tilde the minor.
pub(super) fn poetry_upper_bound(constraint: &str) -> Option<(String, bool)> {
    let constraint = constraint.trim();
    let release = |v: &str| -> Option<Vec<u64>> { v.trim().split('.').map(|p| p.parse().ok()).collect() };
    if let Some(version) = constraint.strip_prefix('^') {
        let parts = release(version)?;
        let first_non_zero = parts.iter().position(|p| *p != 0).unwrap_or(parts.len().saturating_sub(1));
        return Some((bumped(&parts, first_non_zero + 1)?, false));
    }
    if let Some(version) = constraint.strip_prefix('~').filter(|v| !v.starts_with('=')) {
        let parts = release(version)?;
        return Some((bumped(&parts, usize::from(parts.len() > 1) + 1)?, false));
    }
    upper_bound(&pep440_rs::VersionSpecifiers::from_str(constraint).ok()?)
}

/// A PEP 508 requirement string as a dependency; None for one that does not parse.
pub(super) fn pep508(text: &str, source: &str) -> Option<Dependency> {
    // Only the name, extras and version matter here: the environment marker (`; python_version < "3.11"`) and a
    // direct URL (`name @ https://…`) are left out before parsing.
    let text = text.split(';').next().unwrap_or_default();
    let text = text.split_once(" @").map_or(text, |(named, _)| named).trim();
    // pep508_rs 0.9.2 panics on a name or an extra that ends in `.`, `-` or `_` right before another character
    // (`0-:`, `x[a-`) instead of refusing it: such text is refused here first.
    if !names_well_formed(text) {
        return None;
    }
    let requirement = Requirement::<VerbatimUrl>::from_str(text).ok()?;
    let (pinned, below) = match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => match &specifiers[..] {
            [only] if *only.operator() == Operator::Equal => (Some(only.version().to_string()), None),
            _ => (None, upper_bound(specifiers)),
        },
        _ => (None, None),
    };
    Some(Dependency {
        name: normalise(requirement.name.as_ref()),
        extras: requirement.extras.iter().map(|e| normalise(e.as_ref())).collect(),
        pinned,
        below,
        source: source.to_string(),
    })
}


/// The requirement files pip is pointed at by convention, most telling first: the production set before
/// a base set that a development file also includes.
const TOP_FILES: &[&str] = &[
    "requirements.txt",
    "requirements/production.txt",
    "requirements/prod.txt",
    "requirements-prod.txt",
    "requirements/base.txt",
    "requirements/common.txt",
    "requirements/requirements.txt",
];

/// How many files one install may include in all.
const MAX_FILES: usize = 32;

/// The conventional top requirement files present, in `TOP_FILES` order.
pub(super) fn top_files(root: &Path) -> Vec<String> {
    TOP_FILES
        .iter()
        .filter(|file| has_marker(root, file).unwrap_or(false))
        .map(|file| (*file).to_string())
        .collect()
}

/// What one install from a requirement file reads.
#[derive(Debug, Default)]
pub(super) struct Read {
    /// Every file read, the top one first.
    pub(super) files: Vec<String>,
    pub(super) dependencies: Vec<Dependency>,
    /// `-e .` or `.`: the install builds the project itself, so it needs the sources.
    pub(super) installs_project: bool,
    /// `--require-hashes` or a `--hash`: pip then checks every download (said with `--require-hashes`).
    pub(super) hashed: bool,
    /// The package indexes the files name (`--index-url`, `--extra-index-url`, `--find-links`), with where.
    pub(super) index_urls: Vec<(String, String)>,
    pub(super) warnings: Vec<String>,
}

/// The options that name a package index, in their `--option=URL` form.
const INDEX_OPTIONS: &[&str] = &["--index-url", "--extra-index-url", "--find-links"];

/// Reads `top` (relative to the repository) and what it includes.
pub(super) fn read(root: &Path, top: &str) -> Read {
    let mut read = Read::default();
    let mut queue = vec![top.to_string()];
    while let Some(file) = queue.pop() {
        if read.files.contains(&file) {
            continue;
        }
        if read.files.len() >= MAX_FILES {
            read.warnings.push(format!(
                "{top}: includes more than {MAX_FILES} requirement files; dockgen read the first {MAX_FILES}"
            ));
            break;
        }
        let Ok(text) = crate::files::read_text_with_bom(&root.join(&file), crate::files::MANIFEST_CAP) else {
            read.warnings.push(format!("{file}: included but not readable in the repository"));
            continue;
        };
        read.files.push(file.clone());
        let folder = file.rsplit_once('/').map_or("", |(dir, _)| dir);
        for (line, words) in logical_lines(&text) {
            let source = format!("{file}:{line}");
            match words.first().map(String::as_str) {
                Some("-r" | "--requirement" | "-c" | "--constraint") => {
                    if let Some(included) = words.get(1).and_then(|w| relative(folder, w)) {
                        queue.push(included);
                    }
                }
                Some(option) if option.starts_with("--requirement=") || option.starts_with("--constraint=") => {
                    if let Some(included) = option.split_once('=').and_then(|(_, w)| relative(folder, w)) {
                        queue.push(included);
                    }
                }
                Some("-e" | "--editable") => {
                    read.installs_project |= words.get(1).is_some_and(|w| is_project_path(w));
                }
                Some("--require-hashes") => read.hashed = true,
                Some("-i" | "--index-url" | "--extra-index-url" | "-f" | "--find-links") => {
                    read.index_urls.extend(words.get(1).map(|url| (url.clone(), source.clone())));
                }
                Some(option) if INDEX_OPTIONS.iter().any(|o| option.starts_with(&format!("{o}="))) => {
                    read.index_urls.extend(option.split_once('=').map(|(_, url)| (url.to_string(), source.clone())));
                }
                Some(option) if option.starts_with('-') => {}
                Some(first) if is_project_path(first) => read.installs_project = true,
                Some(_) => {
                    read.hashed |= words.iter().any(|w| w.starts_with("--hash"));
                    let requirement: Vec<&str> = words
                        .iter()
                        .take_while(|w| !w.starts_with("--"))
                        .map(String::as_str)
                        .collect();
                    if let Some(dependency) = pep508(&requirement.join(" "), &source) {
                        read.dependencies.push(dependency);
                    }
                }
                None => {}
            }
        }
    }
    read
}

/// Whether the name and every extra are PEP 508 names: letters and digits, with `.`, `-`, `_` only inside.
fn names_well_formed(text: &str) -> bool {
    let is_name = |name: &str| {
        name.is_empty()
            || (name.starts_with(|c: char| c.is_ascii_alphanumeric()) && name.ends_with(|c: char| c.is_ascii_alphanumeric()))
    };
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(text.len());
    if !is_name(&text[..name_end]) {
        return false;
    }
    let Some(extras) = text[name_end..].trim_start().strip_prefix('[') else {
        return true;
    };
    let inside = extras.split(']').next().unwrap_or_default();
    inside.split(',').map(str::trim).all(|extra| {
        is_name(extra) && extra.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    })
}

/// Whether a requirement names the project's own folder (`.`, `./`, `.[extra]`, `file:.`).
fn is_project_path(word: &str) -> bool {
    let path = word.strip_prefix("file:").unwrap_or(word);
    let path = path.split('[').next().unwrap_or(path);
    matches!(path, "." | "./")
}

/// An included file relative to the including file's folder, kept inside the repository.
fn relative(folder: &str, name: &str) -> Option<String> {
    if name.contains("://") || name.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = if folder.is_empty() { Vec::new() } else { folder.split('/').collect() };
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The file's logical lines (continuations joined, comments dropped), each as words with its first line.
fn logical_lines(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (at, raw) in text.lines().enumerate() {
        if current.is_empty() {
            start = at + 1;
        }
        // A comment starts at `#` at the line's start or after whitespace (a URL's `#egg=` fragment is not one).
        let uncommented = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(at) => &raw[..at],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(continued) = uncommented.strip_suffix('\\') {
            current.push_str(continued);
            current.push(' ');
            continue;
        }
        current.push_str(uncommented);
        let words: Vec<String> = current.split_whitespace().map(String::from).collect();
        if !words.is_empty() {
            lines.push((start, words));
        }
        current.clear();
    }
    lines
}

/// The line reader on its own, for the fuzz target.
pub(super) fn fuzz_text(text: &str) -> usize {
    logical_lines(text)
        .iter()
        .filter_map(|(line, words)| pep508(&words.join(" "), &line.to_string()))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_bounds_of_requirements() {
        let below = |text: &str| pep508(text, "r:1").and_then(|d| d.below);
        let bound = |v: &str, inclusive: bool| Some((v.to_string(), inclusive));
        assert_eq!(below("Django>=2.0,<3.0"), bound("3.0", false));
        assert_eq!(below("django<=2.2.28"), bound("2.2.28", true));
        assert_eq!(below("django~=3.2"), bound("4", false));
        assert_eq!(below("django~=3.2.1"), bound("3.3", false));
        assert_eq!(below("django==3.2.*"), bound("3.3", false));
        assert_eq!(below("django>=3.2"), None);
        assert_eq!(below("django==3.2.4"), None);
        assert_eq!(poetry_upper_bound("^2.2"), bound("3", false));
        assert_eq!(poetry_upper_bound("^0.5.1"), bound("0.6", false));
        assert_eq!(poetry_upper_bound("~2.2"), bound("2.3", false));
        assert_eq!(poetry_upper_bound(">=2.0,<3.0"), bound("3.0", false));
        assert_eq!(poetry_upper_bound("*"), None);
    }

    #[test]
    fn lines_are_read_as_pip_reads_them() {
        let text = "flask==3.0 \\\n    --hash=sha256:abc\n# a comment\ngunicorn>=21 # server\n-r base.txt\n";
        let lines = logical_lines(text);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], (1, vec!["flask==3.0".into(), "--hash=sha256:abc".into()]));
        assert_eq!(lines[1].0, 4);
        assert_eq!(lines[2].1, vec!["-r".to_string(), "base.txt".into()]);
    }

    #[test]
    fn includes_stay_inside_the_repository() {
        assert_eq!(relative("requirements", "base.txt").as_deref(), Some("requirements/base.txt"));
        assert_eq!(relative("requirements", "../req.txt").as_deref(), Some("req.txt"));
        assert_eq!(relative("", "../outside.txt"), None);
        assert_eq!(relative("", "https://example.com/r.txt"), None);
        assert!(is_project_path(".[web]") && is_project_path("file:.") && !is_project_path("./lib"));
    }

    #[test]
    fn names_ending_in_a_separator_are_refused_not_a_panic() {
        assert!(pep508("0-:", "r:1").is_none());
        assert!(pep508("flask_:x", "r:1").is_none());
        assert!(pep508("0[0-", "r:1").is_none());
        assert_eq!(
            pep508("uvicorn[standard]==0.30 ; python_version >= '3.9'", "r:1").map(|d| d.pinned),
            Some(Some("0.30".to_string()))
        );
        assert_eq!(pep508("pkg @ https://example.com/pkg.whl", "r:1").map(|d| d.name), Some("pkg".to_string()));
        assert_eq!(pep508("flask[async]==3.0", "r:1").map(|d| d.name), Some("flask".to_string()));
    }
}
