//! The Python line the image is built on: a pin the repository makes (`.python-version`, `runtime.txt`,
//! Pipfile's `python_version`, `.tool-versions`, CI's setup-python, the old Dockerfile's `FROM python:X`),
//! checked against the range the manifests allow (`requires-python`, Poetry's `python`); with only a range,
//! the default line when the range allows it, else the newest supported line it allows.

use std::path::Path;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

use super::manifests::PythonSaid;
use super::requirements::Dependency;
use super::wheels::Cap;
use crate::detect::toolchains::{self, Tool};
use crate::detect::Fact;
use crate::knowledge::python::lines;

/// The line (`3.12`) and the fact saying where it comes from; notes go to `notes`.
pub(super) fn python_line(root: &Path, said: &[PythonSaid], caps: &[Cap], notes: &mut Vec<String>) -> Option<Fact> {
    let mut pins: Vec<(String, String)> = said
        .iter()
        .filter(|s| !s.range)
        .filter_map(|s| Some((line_of(&s.text)?, s.source.clone())))
        .collect();
    // A range that allows one version only (Poetry's `python = "3.7.10"`, `==3.11.*`) pins its line.
    pins.extend(
        said.iter()
            .filter(|s| s.range)
            .filter_map(|s| Some((exact_line(&s.text)?, s.source.clone()))),
    );
    // A CI matrix tests several lines (`["3.9", "3.10", "3.11"]`): the newest is the one to run on.
    let mut mentions: Vec<(String, String, toolchains::Place)> = toolchains::mentions(root, &["."], Tool::Python)
        .into_iter()
        .filter_map(|m| Some((line_of(&m.version)?, format!("{} ({})", m.source, m.place.said()), m.place)))
        .collect();
    mentions.sort_by_key(|(line, _, place)| (*place, std::cmp::Reverse(minor(line))));
    pins.extend(mentions.into_iter().map(|(line, source, _)| (line, source)));
    let ranges: Vec<(VersionSpecifiers, &PythonSaid)> = said
        .iter()
        .filter(|s| s.range)
        .filter_map(|s| Some((specifiers(&s.text)?, s)))
        .collect();
    // A line is allowed when some release of it is (`>=3.11.4` allows 3.11).
    let allowed = |line: &str| {
        ranges.iter().all(|(range, said)| {
            exact_line(&said.text).as_deref() == Some(line)
                || ["0", "99"]
                    .iter()
                    .any(|patch| Version::from_str(&format!("{line}.{patch}")).is_ok_and(|v| range.contains(&v)))
        })
    };
    // The lowest cap that leaves a line the ranges allow: one below them (a lock made on 3.11 holding a package
    // whose wheels stop at 3.9) was installed from its source on the project's own lines.
    let known = lines();
    let cap = caps
        .iter()
        .filter(|cap| known.line.iter().any(|l| minor(&l.version) <= cap.minor && allowed(&l.version)))
        .min_by_key(|cap| cap.minor);
    // A pin outside what the manifests allow (an old Dockerfile's `FROM python:3.10` below `>=3.11`) is not the
    // code's line: the next pin, or the ranges, decide.
    if let Some((line, source)) = pins.iter().find(|(line, _)| !allowed(line)) {
        if let Some((_, range)) = ranges.first() {
            notes.push(format!(
                "{source} names Python {line}, outside {} ({}): not used",
                range.text, range.source
            ));
        }
    }
    pins.retain(|(line, _)| allowed(line));
    // Nothing pins a line: the interpreter the repository's own bytecode or virtualenv was made by, when the
    // manifests allow it.
    if pins.is_empty() {
        if let Some((line, source)) = committed_interpreter(root).filter(|(line, _)| allowed(line)) {
            return Some(Fact::new(line.clone(), source).with_note(format!(
                "the repository holds what Python {line} made (nothing pins a line); pass --set python_version=LINE \
                 for another"
            )));
        }
    }
    if let Some((line, source)) = pins.first() {
        if let Some(cap) = cap.filter(|cap| minor(line) > cap.minor) {
            notes.push(format!(
                "{source} pins Python {line}, but {} ({}): the pin is used, and the build or the start may fail on it",
                cap.why, cap.source
            ));
        }
        let others: Vec<&str> = pins.iter().filter(|(l, _)| l != line).map(|(l, _)| l.as_str()).collect();
        let fact = Fact::new(line.clone(), source.clone());
        return Some(if others.is_empty() {
            fact
        } else {
            fact.with_note(format!("also named: {}; pass --set python_version=LINE for another", others.join(", ")))
        });
    }
    let range = ranges.first().map(|(_, said)| *said);
    let chosen = if allowed(&known.default_line) {
        known.default_line.as_str()
    } else {
        known.line.iter().map(|l| l.version.as_str()).find(|l| allowed(l))?
    };
    // Old native packages pinned or locked: the newest line they install on, which the ranges allow.
    if let Some(cap) = cap.filter(|cap| minor(chosen) > cap.minor) {
        if let Some(line) = known
            .line
            .iter()
            .map(|l| l.version.as_str())
            .find(|l| minor(l) <= cap.minor && allowed(l))
        {
            return Some(Fact::new(line, cap.source.clone()).with_note(format!(
                "{}: the newest line it installs on; pass --set python_version=LINE for another",
                cap.why
            )));
        }
    }
    let range = range?;
    if chosen == known.default_line {
        return None; // the preset's default line, which the range allows
    }
    Some(Fact::new(chosen, range.source.clone()).with_note(format!("the newest line {} allows", range.text)))
}

/// The caps the code's own imports set: a standard module the next line removed (`import imp`: 3.11). distutils
/// stays importable where setuptools is installed (its copy stands in), so a project depending on setuptools is
/// not held back by it.
pub(super) fn removed_modules_caps(imports: &[(String, String)], dependencies: &[Dependency]) -> Vec<Cap> {
    let setuptools = dependencies.iter().any(|d| d.name == "setuptools");
    imports
        .iter()
        .filter(|(module, _)| !(setuptools && module == "distutils"))
        .filter_map(|(module, source)| {
            let line = crate::knowledge::python::removed_in(module)?;
            Some(Cap {
                minor: minor(line).checked_sub(1)?,
                why: format!("the code imports {module}, which Python {line} removed"),
                source: source.clone(),
            })
        })
        .collect()
}

/// Folders looked through for bytecode and virtualenvs, at most: the root and three levels below it.
const INTERPRETER_SCAN_DIRS: usize = 400;

/// The newest Python line whose files the repository holds, with one of them: bytecode in `__pycache__`
/// (`courses.cpython-313.pyc`) and a virtualenv's `pyvenv.cfg` (`version = 3.11.4`). A gitignored folder is
/// the machine's, not the repository's. Bounded: the root and three levels below, dependency folders skipped.
fn committed_interpreter(root: &Path) -> Option<(String, String)> {
    let mut found: Option<(u32, String, String)> = None;
    let mut note = |line: String, source: String| {
        if found.as_ref().is_none_or(|(minor_seen, ..)| minor(&line) > *minor_seen) {
            found = Some((minor(&line), line, source));
        }
    };
    let mut pending = vec![(String::new(), 0usize)];
    let mut visited = 0;
    while let Some((rel, depth)) = pending.pop() {
        visited += 1;
        if visited > INTERPRETER_SCAN_DIRS {
            break;
        }
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                if name == "pyvenv.cfg" && !crate::detect::walk::is_gitignored(root, &child) {
                    let text = crate::detect::read_small_text(&entry.path()).unwrap_or_default();
                    if let Some(line) = pyvenv_line(&text) {
                        note(line, child);
                    }
                }
                continue;
            }
            if matches!(name.as_str(), ".git" | "node_modules" | "site-packages" | "dist-packages")
                || crate::detect::walk::is_gitignored(root, &child)
            {
                continue;
            }
            if name == "__pycache__" {
                let files = std::fs::read_dir(entry.path()).into_iter().flatten().flatten();
                for file_name in files.take(50).map(|f| f.file_name().to_string_lossy().into_owned()) {
                    if let Some(line) = bytecode_line(&file_name) {
                        note(line, format!("{child}/{file_name}"));
                    }
                }
            } else if depth < 3 {
                pending.push((child, depth + 1));
            }
        }
    }
    found.map(|(_, line, source)| (line, source))
}

/// The line of a virtualenv's `pyvenv.cfg` (`version = 3.11.4`, uv's `version_info = 3.12.1`).
fn pyvenv_line(text: &str) -> Option<String> {
    let version = text.lines().find_map(|l| {
        let (key, value) = l.split_once('=')?;
        matches!(key.trim(), "version" | "version_info").then(|| value.trim())
    })?;
    line_of(version)
}

/// The line a bytecode file was compiled by, from its tag (`courses.cpython-313.pyc` → `3.13`).
fn bytecode_line(file_name: &str) -> Option<String> {
    let (_, tag) = file_name.strip_suffix(".pyc")?.rsplit_once(".cpython-")?;
    (tag.len() >= 2 && tag.chars().all(|c| c.is_ascii_digit())).then(|| format!("{}.{}", &tag[..1], &tag[1..]))
}

/// A pinned line older than the oldest supported one gets no security fixes: said, with where it came from.
pub(super) fn say_unsupported(fact: &Fact, warnings: &mut Vec<String>) {
    let table = lines();
    let Some(line) = fact.value.as_str() else { return };
    if minor(line) >= minor(&table.oldest_maintained) {
        return;
    }
    let ended = table
        .line
        .iter()
        .find(|l| l.version == line)
        .map_or_else(|| "is past its end of support".to_string(), |l| format!("reached its end of support on {}", l.end_of_support));
    warnings.push(format!(
        "{}: Python {line} {ended}: its image gets no security fixes, and new releases of packages stop \
         supporting it; move the project to Python {} or later",
        fact.source, table.oldest_maintained
    ));
}

/// The minor number of a `3.x` line (`3.11` → 11).
fn minor(line: &str) -> u32 {
    line.strip_prefix("3.").and_then(|m| m.parse().ok()).unwrap_or(0)
}

/// `3.12.4` → `3.12`; `3.11` → `3.11`; `pypy3.10`, `system`, `3` → None.
fn line_of(version: &str) -> Option<String> {
    let version = version.trim().trim_start_matches('v');
    let mut parts = version.split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    let minor: String = minor.chars().take_while(char::is_ascii_digit).collect();
    (major == "3" && !minor.is_empty()).then(|| format!("3.{minor}"))
}

/// The line a range allowing one version pins: `3.7.10` (Poetry's exact form), `==3.11.4`, `==3.11.*`.
fn exact_line(text: &str) -> Option<String> {
    let text = text.trim();
    let version = text.strip_prefix("==").unwrap_or(text).trim();
    let version = version.strip_suffix(".*").unwrap_or(version);
    let plain = version.chars().all(|c| c.is_ascii_digit() || c == '.') && version.matches('.').count() >= 1;
    if !plain || text.contains(',') {
        return None;
    }
    line_of(version)
}

/// A PEP 440 range, or Poetry's caret and tilde forms (`^3.11` → `>=3.11,<4`, `~3.11` → `>=3.11,<3.12`).
fn specifiers(text: &str) -> Option<VersionSpecifiers> {
    let parts: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty() && *p != "*")
        .map(|part| {
            if let Some(version) = part.strip_prefix('^') {
                let major = version.split('.').next().unwrap_or(version);
                let next = major.parse::<u64>().map_or(0, |m| m + 1);
                format!(">={version},<{next}")
            } else if let Some(version) = part.strip_prefix('~').filter(|v| !v.starts_with('=')) {
                let mut numbers: Vec<u64> = version.split('.').filter_map(|n| n.parse().ok()).collect();
                if numbers.len() >= 2 {
                    numbers.truncate(2);
                    numbers[1] += 1;
                } else if let Some(first) = numbers.first_mut() {
                    *first += 1;
                }
                let upper: Vec<String> = numbers.iter().map(u64::to_string).collect();
                format!(">={version},<{}", upper.join("."))
            } else if part.starts_with(|c: char| c.is_ascii_digit()) {
                format!("=={part}")
            } else {
                part.to_string()
            }
        })
        .collect();
    VersionSpecifiers::from_str(&parts.join(",")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytecode_and_virtualenvs_name_their_line() {
        assert_eq!(bytecode_line("courses.cpython-313.pyc").as_deref(), Some("3.13"));
        assert_eq!(bytecode_line("views.cpython-39.opt-1.pyc"), None);
        assert_eq!(bytecode_line("notes.txt"), None);
        assert_eq!(pyvenv_line("home = /usr/bin\nversion = 3.11.4\n").as_deref(), Some("3.11"));
        assert_eq!(pyvenv_line("home = /usr/bin\n"), None);
    }

    #[test]
    fn lines_past_their_support_are_said() {
        let said = |line: &str| {
            let mut warnings = Vec::new();
            say_unsupported(&Fact::new(line, "runtime.txt:1"), &mut warnings);
            warnings
        };
        assert!(said("3.10")[0].starts_with("runtime.txt:1: Python 3.10 reached its end of support on 2026-10-31"));
        assert!(said("3.7")[0].starts_with("runtime.txt:1: Python 3.7 reached its end of support on 2023-06-27"));
        // A line older than the table: past its support all the same.
        assert!(said("3.6")[0].contains("Python 3.6 is past its end of support"));
        assert!(said(&lines().oldest_maintained).is_empty() && said("3.14").is_empty());
    }

    #[test]
    fn lines_and_ranges_are_read() {
        assert_eq!(line_of("3.12.4").as_deref(), Some("3.12"));
        assert_eq!(line_of("3.11").as_deref(), Some("3.11"));
        assert_eq!(line_of("pypy3.10"), None);
        let v = |s: &str| Version::from_str(s).unwrap();
        let caret = specifiers("^3.10").unwrap();
        assert!(caret.contains(&v("3.13.0")) && !caret.contains(&v("3.9.0")));
        let tilde = specifiers("~3.11").unwrap();
        assert!(tilde.contains(&v("3.11.0")) && !tilde.contains(&v("3.12.0")));
        let range = specifiers(">=3.9,<3.13").unwrap();
        assert!(range.contains(&v("3.12.0")) && !range.contains(&v("3.13.0")));
        assert!(specifiers("3.11.*").unwrap().contains(&v("3.11.0")));
        assert_eq!(exact_line("3.7.10").as_deref(), Some("3.7"));
        assert_eq!(exact_line("==3.11.*").as_deref(), Some("3.11"));
        assert_eq!(exact_line(">=3.11"), None);
        assert_eq!(exact_line("3.11,<3.13"), None);
    }
}
