//! Node.js versions as projects write them (`engines.node` ranges, `.nvmrc` lines, `lts/iron`), reduced to the
//! line an image tag needs (`node:22-alpine`): the newest LTS line a range allows, never an odd line when an LTS
//! line fits, never above its upper bound. The lines and what their images hold are data
//! (knowledge/node/lines.toml).

use anyhow::{bail, Result};
use nodejs_semver::Range;

use super::engines::{self, allows_line, comparator_sets, Limit};
use super::pkgjson::JsonDoc;
use super::{join_rel, App, Context};
use crate::detect::toolchains::{self, Place, Tool};
use crate::detect::{read_small_text, Fact};
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
    let allows = |major: u64| allows_line(&sets, major, false);
    let allowed: Vec<&NodeLine> = table.line.iter().filter(|l| allows(l.version)).collect();
    let unbounded = allows(10_000);
    if unbounded && allows(table.current_lts) {
        return Resolved::Line(table.current_lts, format!("{text} has no upper bound: the current LTS"));
    }
    // An image tag follows its line to the newest release: a bound inside a line (`<26.3.1`) rules it out
    // when a line below is allowed whole.
    if let Some(line) = allowed.iter().rev().find(|l| l.lts && allows_line(&sets, l.version, true)) {
        let cut = allowed
            .iter()
            .rev()
            .find(|l| l.lts && l.version > line.version)
            .map(|above| format!(" (Node {} only below its newest releases)", above.version))
            .unwrap_or_default();
        return Resolved::Line(line.version, format!("{text}: the newest LTS line it allows{cut}"));
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

/// The Node line the app builds and runs on, from the strongest evidence the repository has: a bounded
/// `engines.node` range (the app's before the root's); else a pinned version (.nvmrc, .node-version,
/// .tool-versions, Volta); else the newest LTS line its CI workflows test on, its own Dockerfile's base image,
/// or the major of `@types/node`, each only when an open `engines.node` (`>=18`) allows it; else what that
/// open range resolves to. None, with a warning naming what was looked at, when nothing names a line.
pub(super) fn node_version(
    context: &Context,
    app: &App,
    root_package: &JsonDoc,
    warnings: &mut Vec<String>,
) -> Result<Option<Fact>> {
    let root = App::new(context, ".", root_package);
    let apps: Vec<&App> = if app.dir == "." { vec![app] } else { vec![app, &root] };
    let dirs: Vec<&str> = apps.iter().map(|a| a.dir.as_str()).collect();
    let mentions: Vec<toolchains::Mention> = toolchains::mentions(&context.dir, &dirs, Tool::Node)
        .into_iter()
        .map(|m| match m.source.rsplit_once(':') {
            Some((file, line)) => toolchains::Mention {
                source: format!("{}:{line}", context.shown(file)),
                ..m
            },
            None => m,
        })
        .collect();
    let pins = pins(&apps, &mentions);
    if app.dir != "." {
        warnings.extend(root.warnings());
    }
    let mut open_range: Option<(Vec<Range>, Fact)> = None;
    for a in &apps {
        let Some(range) = a.package.str("engines.node") else { continue };
        let source = a.at("engines.node");
        let Some(fact) = pinned(range, &source, "engines.node", warnings)? else {
            continue;
        };
        match comparator_sets(range.trim().trim_start_matches('v')) {
            Some(sets) if allows_line(&sets, 10_000, false) => {
                open_range = Some((sets, fact));
                break;
            }
            _ => return Ok(Some(said_as_pinned(fact, warnings))),
        }
    }
    for (text, source, what) in &pins {
        if let Some(fact) = pinned(text, source, what, warnings)? {
            return Ok(Some(said_as_pinned(fact, warnings)));
        }
    }
    let allowed = |major: u64| open_range.as_ref().is_none_or(|(sets, _)| allows_line(sets, major, false));
    let chosen = named_elsewhere(&apps, &mentions, &allowed).or(open_range.as_ref().map(|(_, fact)| fact.clone()));
    // Read only now: a pinned line is the project's own choice, and a big lockfile costs time.
    let limits = [app.dir.as_str(), "."]
        .iter()
        .map(|dir| context.lock_limits(dir))
        .find(|found| !found.is_empty())
        .unwrap_or_default();
    let within = within_limits(chosen, &limits, &allowed, warnings);
    let floor = [app.dir.as_str(), "."].iter().find_map(|dir| {
        let npm = join_rel(dir, "package-lock.json");
        if let Some(file) = context.npm_lock(&npm) {
            return engines::floor(&file, &context.shown(&npm));
        }
        let pnpm = join_rel(dir, "pnpm-lock.yaml");
        let text = read_small_text(&context.dir.join(&pnpm))?;
        engines::pnpm_floor(&text, &context.shown(&pnpm))
    });
    // A lockfile that records no engines (yarn v1, none at all): what the declared framework's releases need.
    let floor = floor.or_else(|| declared_floor(&apps));
    let within = match (within, floor) {
        (Some(fact), Some((first, package))) => Some(above_floor(fact, first, &package, &limits, &allowed)),
        (within, _) => within,
    };
    match &within {
        Some(fact) => say_unsupported(fact, warnings),
        None => warnings.push(format!(
            "no file names a Node line (looked at engines.node, .nvmrc, .node-version, .tool-versions, volta, CI \
             workflows, Dockerfiles, @types/node, the lockfile's engines): built on Node {}, the current LTS; --set \
             node_version=N picks another",
            node::lines().current_lts
        )),
    }
    Ok(within)
}

/// The highest Node floor the app's declared frameworks and build tools set (`"next": "^14.2.4"` needs 18.17), from
/// floors.toml: the first line it allows, and the package as a limit with its package.json entry.
fn declared_floor(apps: &[&App]) -> Option<(u64, Limit)> {
    let mut found: Option<(u64, Limit)> = None;
    for app in apps {
        for section in ["dependencies", "devDependencies"] {
            let Some(declared) = app.package.get(section).and_then(serde_json::Value::as_object) else { continue };
            for (name, range) in declared {
                let Some(range) = range.as_str() else { continue };
                let Some(floor) = node::floor_for(name, range) else { continue };
                let source = app.at(&format!("{section}.{name}"));
                let Some((first, limit)) = engines::floor_limit(format!("{name}@{range}"), &floor.node, source) else {
                    continue;
                };
                if found.as_ref().is_none_or(|(highest, _)| first > *highest) {
                    found = Some((first, limit));
                }
            }
        }
    }
    found
}

/// Without a pin: the newest LTS line the CI workflows test on, else the one its static host builds on
/// (netlify.toml), else the project's Dockerfile's, else the major
/// of `@types/node` — each only when `allowed` (an open engines range) allows it.
fn named_elsewhere(apps: &[&App], mentions: &[toolchains::Mention], allowed: &dyn Fn(u64) -> bool) -> Option<Fact> {
    for place in [Place::Ci, Place::Hosting, Place::ContainerFile] {
        let lines: Vec<(u64, &toolchains::Mention)> = mentions
            .iter()
            .filter(|m| m.place == place)
            .filter_map(|m| match resolve(&m.version) {
                Resolved::Line(major, _) if allowed(major) => Some((major, m)),
                _ => None,
            })
            .collect();
        let newest = lines
            .iter()
            .filter(|(major, _)| is_lts(*major))
            .max_by_key(|(major, _)| *major)
            .or_else(|| lines.iter().max_by_key(|(major, _)| *major));
        if let Some((major, mention)) = newest {
            let mut named: Vec<String> = Vec::new();
            for (line, _) in &lines {
                if !named.contains(&line.to_string()) {
                    named.push(line.to_string());
                }
            }
            let note = if named.len() > 1 {
                format!("{} names Node {}: the newest LTS line among them", place.said(), named.join(", "))
            } else {
                format!("{} names Node {}", place.said(), mention.version)
            };
            return Some(Fact::new(major.to_string(), mention.source.clone()).with_note(note));
        }
    }
    let (range, source) = apps.iter().find_map(|a| {
        ["devDependencies", "dependencies"].iter().find_map(|section| {
            let key = format!("{section}.@types/node");
            Some((a.package.str(&key)?.to_string(), a.at(&key)))
        })
    })?;
    let digits: String = range
        .trim_start_matches(['^', '~', '>', '=', 'v', ' '])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let major: u64 = digits.parse().ok()?;
    let known = node::lines().line.iter().any(|l| l.version == major);
    (known && allowed(major)).then(|| {
        let line = if is_lts(major) { major } else { major.saturating_sub(1) };
        Fact::new(line.to_string(), source).with_note(format!(
            "@types/node {range}: the Node typings the code is written against"
        ))
    })
}

/// A line chosen without a pin (None: the current LTS) kept within the locked packages' engines: when one
/// rules it out, the newest LTS line below it that all of them (and `allowed`) allow.
fn within_limits(
    chosen: Option<Fact>,
    limits: &[Limit],
    allowed: &dyn Fn(u64) -> bool,
    warnings: &mut Vec<String>,
) -> Option<Fact> {
    let table = node::lines();
    let major = chosen
        .as_ref()
        .and_then(|f| f.value.as_str()?.parse().ok())
        .unwrap_or(table.current_lts);
    let Some(first) = limits.iter().find(|l| !l.allows(major)) else {
        return chosen;
    };
    let fits = table
        .line
        .iter()
        .rev()
        .find(|l| l.lts && l.version < major && allowed(l.version) && limits.iter().all(|limit| limit.allows(l.version)));
    let Some(line) = fits else {
        warnings.push(format!(
            "{}: {} supports Node {}, which no LTS line at or below {major} fits together with the other locked \
             packages; built on Node {major}",
            first.source, first.package, first.range
        ));
        return chosen;
    };
    let was = chosen.as_ref().map_or_else(
        || format!("the current LTS ({major})"),
        |f| format!("Node {major} ({})", f.source),
    );
    Some(Fact::new(line.version.to_string(), first.source.clone()).with_note(format!(
        "{} supports Node {}, which rules out {was}: the newest LTS line every locked package allows",
        first.package, first.range
    )))
}

/// A line named without a pin (a CI job's, the old Dockerfile's) that a locked package's engines rule out from
/// below (react-scripts 5 needs Node 14, the Dockerfile says 12): the oldest LTS line from the package's first one
/// that every locked package and `allowed` allow; the line as it was when none does.
fn above_floor(fact: Fact, first: u64, package: &Limit, limits: &[Limit], allowed: &dyn Fn(u64) -> bool) -> Fact {
    let Some(major) = fact.value.as_str().and_then(|v| v.parse::<u64>().ok()).filter(|major| *major < first) else {
        return fact;
    };
    let fits = node::lines()
        .line
        .iter()
        .find(|l| l.lts && l.version >= first && allowed(l.version) && limits.iter().all(|limit| limit.allows(l.version)));
    let Some(line) = fits else { return fact };
    Fact::new(line.version.to_string(), package.source.clone()).with_note(format!(
        "{} supports Node {}, which rules out Node {major} ({}): the oldest LTS line it allows",
        package.package, package.range, fact.source
    ))
}

/// A pinned line is kept; one past its support is said.
fn said_as_pinned(fact: Fact, warnings: &mut Vec<String>) -> Fact {
    say_unsupported(&fact, warnings);
    fact
}

/// A line older than the oldest supported one gets no security fixes: said, with where it came from.
fn say_unsupported(fact: &Fact, warnings: &mut Vec<String>) {
    let table = node::lines();
    let Some(major) = fact.value.as_str().and_then(|v| v.parse::<u64>().ok()) else {
        return;
    };
    if major >= table.oldest_maintained {
        return;
    }
    if let Some(line) = table.line.iter().find(|l| l.version == major) {
        warnings.push(format!(
            "{}: Node {major} reached its end of support on {}: its image gets no security fixes; move the \
             project to Node {} or later",
            fact.source, line.end_of_support, table.oldest_maintained
        ));
    }
}

/// The versions the app (then the root) pins: .nvmrc, .node-version, .tool-versions, then Volta's.
fn pins(apps: &[&App], mentions: &[toolchains::Mention]) -> Vec<(String, String, &'static str)> {
    let mut pins: Vec<(String, String, &'static str)> = Vec::new();
    for a in apps {
        for file in [".nvmrc", ".node-version"] {
            if let Some(text) = a.text(file) {
                if let Some((i, line)) = text
                    .lines()
                    .enumerate()
                    .map(|(i, l)| (i, l.split('#').next().unwrap_or_default().trim()))
                    .find(|(_, l)| !l.is_empty())
                {
                    pins.push((line.to_string(), format!("{}:{}", a.file(file), i + 1), file));
                }
            }
        }
        let tool_versions = a.file(".tool-versions");
        pins.extend(
            mentions
                .iter()
                .filter(|m| m.place == Place::ToolFile && m.source.starts_with(&format!("{tool_versions}:")))
                .map(|m| (m.version.clone(), m.source.clone(), ".tool-versions")),
        );
    }
    for a in apps {
        if let Some(version) = a.package.str("volta.node") {
            pins.push((version.to_string(), a.at("volta.node"), "volta.node"));
        }
    }
    pins
}

/// A version text read as a line; an unpinnable one is said and skipped, an impossible one is an error.
fn pinned(text: &str, source: &str, what: &str, warnings: &mut Vec<String>) -> Result<Option<Fact>> {
    match resolve(text) {
        Resolved::Line(major, note) => {
            let note = if note.is_empty() {
                format!("{what} {text}")
            } else {
                format!("{what} {note}")
            };
            Ok(Some(Fact::new(major.to_string(), source).with_note(note)))
        }
        Resolved::Unpinnable => {
            warnings.push(format!(
                "{source}: `{}` names no Node version dockgen can pin; ignored",
                text.chars().take(60).collect::<String>().escape_debug()
            ));
            Ok(None)
        }
        Resolved::Impossible(why) => bail!(
            "{source}: {what} `{}` {why}; no Node image can satisfy it, so fix it in the repository",
            text.chars().take(60).collect::<String>().escape_debug()
        ),
    }
}

fn is_lts(major: u64) -> bool {
    node::lines().line.iter().any(|l| l.version == major && l.lts)
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
        assert_eq!(m(">=18 <26.3.1"), Some(24), "node:26 moves past 26.3.0: the line below, allowed whole");
        assert_eq!(m("~24.11.0"), Some(24), "a line allowed only in part when nothing is allowed whole");
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
