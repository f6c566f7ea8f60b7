//! Whether the lockfile still matches package.json: a frozen install (`npm ci`, `yarn install
//! --frozen-lockfile`, `pnpm install --frozen-lockfile`) stops on a lockfile nobody updated after a dependency
//! was added or changed, though the project's own `npm install` works. Read with each manager's rule: npm
//! needs a locked version inside every declared range, yarn 1 the exact `name@range` entry, pnpm the exact
//! specifier per importer.

use std::collections::{BTreeMap, HashSet};


use super::npmlock::NpmLock;
use super::pkgjson::JsonDoc;
use super::{join_rel, read_small_text, Context, Fact};

/// The dependency sections a frozen install checks.
const SECTIONS: &[&str] = &["dependencies", "devDependencies", "optionalDependencies"];

/// What is wrong with a declared dependency (folder, name, range) for a lockfile; None when it matches.
type Check<'a> = dyn Fn(&str, &str, &str) -> Option<String> + 'a;

/// One package.json the install covers: its folder in the context and its parsed document.
pub(super) struct Manifest<'a> {
    pub(super) dir: &'a str,
    pub(super) doc: &'a JsonDoc,
}

/// The first dependency of `manifests` the lockfile does not match, as a fact on its package.json line with a
/// note saying what the lockfile has; None when every one matches or the lockfile is one dockgen does not check
/// (yarn berry, bun) or cannot read (left to the install to report). `members` are the workspace's package
/// names, which yarn 1 links without an entry.
pub(super) fn stale(
    context: &Context,
    manager: &str,
    lockfile: &str,
    manifests: &[Manifest],
    members: &[&str],
) -> Option<Fact> {
    let check = checker(context, manager, lockfile, members)?;
    first_mismatch(context, manifests, &check)
}

/// Whether the lockfile matches every dependency of `manifests`: None when it is one dockgen cannot check.
pub(super) fn agrees(context: &Context, manager: &str, lockfile: &str, manifests: &[Manifest]) -> Option<bool> {
    let check = checker(context, manager, lockfile, &[])?;
    Some(first_mismatch(context, manifests, &check).is_none())
}

/// The check of each declared dependency against the lockfile, by its manager's rule.
fn checker<'a>(context: &'a Context, manager: &str, lockfile: &str, members: &'a [&'a str]) -> Option<Box<Check<'a>>> {
    let npm = (manager == "npm").then(|| context.npm_lock(lockfile)).flatten();
    let text = match manager {
        "yarn" | "pnpm" => read_small_text(&context.dir.join(lockfile))?,
        _ => String::new(),
    };
    let check: Box<Check> = match manager {
        "npm" => {
            let lock = npm?;
            Box::new(move |dir: &str, name: &str, range: &str| npm_lock(lock.lock.as_ref()?)(dir, name, range))
        }
        "bun" => bun_lock(context, lockfile)?,
        "yarn" => {
            let patterns = yarn_patterns(&text);
            let shown = context.shown(lockfile);
            Box::new(move |_: &str, name: &str, range: &str| {
                let recorded =
                    is_linked(range) || members.contains(&name) || patterns.contains(&format!("{name}@{range}"));
                (!recorded).then(|| format!("{shown} has no `{name}@{range}` entry"))
            })
        }
        "pnpm" => {
            let specifiers = pnpm_specifiers(&text)?;
            let shown = context.shown(lockfile);
            Box::new(move |dir: &str, name: &str, range: &str| match specifiers.get(&(dir.to_string(), name.to_string())) {
                Some(locked) if locked == range => None,
                Some(locked) => Some(format!("{shown} records the specifier `{locked}`")),
                None => Some(format!("{shown} does not list it")),
            })
        }
        _ => return None,
    };
    Some(check)
}

/// bun's lockfile records each declared `name` with its range: the text bun.lock as `"name": "range"`, the
/// binary bun.lockb both as strings. One without them was not updated after package.json changed.
fn bun_lock<'a>(context: &Context, lockfile: &str) -> Option<Box<Check<'a>>> {
    let bytes = crate::files::read_bytes(&context.dir.join(lockfile), None, crate::files::MANIFEST_CAP * 8).ok()?;
    let shown = context.shown(lockfile);
    let text = lockfile == "bun.lock";
    Some(Box::new(move |_: &str, name: &str, range: &str| {
        (!bun_records(&bytes, text, name, range) && !is_linked(range))
            .then(|| format!("{shown} does not record `{name}@{range}`"))
    }))
}

/// Whether a bun lockfile's bytes record `name` declared with `range`.
fn bun_records(bytes: &[u8], text: bool, name: &str, range: &str) -> bool {
    let holds = |needle: &str| memchr::memmem::find(bytes, needle.as_bytes()).is_some();
    if text {
        holds(&format!("\"{name}\": \"{range}\""))
    } else {
        holds(name) && holds(range)
    }
}

/// The first declared dependency of `manifests` the check finds unmatched, as a fact on its package.json line.
fn first_mismatch(context: &Context, manifests: &[Manifest], check: &Check) -> Option<Fact> {
    manifests.iter().find_map(|manifest| {
        SECTIONS.iter().find_map(|section| {
            manifest.doc.object(section)?.iter().find_map(|(name, range)| {
                let range = range.as_str()?;
                let why = check(manifest.dir, name, range)?;
                let file = context.shown(&join_rel(manifest.dir, "package.json"));
                let source = format!("{file}:{}", manifest.doc.line(&format!("{section}.{name}")));
                Some(Fact::new(true, source).with_note(format!("{name}@{range}: {why}")))
            })
        })
    })
}

/// A dependency yarn 1 links without a lockfile entry (a folder by `link:`, a workspace sibling); `file:` copies
/// are locked like any other.
fn is_linked(range: &str) -> bool {
    ["workspace:", "link:", "portal:"].iter().any(|p| range.starts_with(p))
}

/// An npm lockfile's check: for a declared `name@range` in folder `dir`, what is wrong (not locked, or locked at a
/// version outside the range); ranges that are not semver (git, tags, aliases) are not judged.
fn npm_lock(lock: &NpmLock) -> impl Fn(&str, &str, &str) -> Option<String> + '_ {
    let (packages, legacy) = (&lock.packages, &lock.dependencies);
    move |dir: &str, name: &str, range: &str| {
        let Ok(wanted) = nodejs_semver::Range::parse(range) else {
            return None;
        };
        let nested = join_rel(dir, &format!("node_modules/{name}"));
        // (version, linked) of the entry npm installs for it.
        let entry = packages
            .get(&nested)
            .or_else(|| packages.get(&format!("node_modules/{name}")))
            .map(|p| (p.version.as_deref(), p.link))
            .or_else(|| legacy.get(name).map(|d| (d.version.as_deref(), d.link)));
        match entry {
            None if packages.is_empty() && legacy.is_empty() => None,
            None => Some("the lockfile does not list it".into()),
            Some((_, true)) => None,
            Some((version, false)) => {
                let version = version?;
                let locked = nodejs_semver::Version::parse(version).ok()?;
                (!wanted.satisfies(&locked)).then(|| format!("the lockfile locks {version}"))
            }
        }
    }
}

/// The `name@range` patterns a yarn 1 lockfile resolves: its entry keys (`"a@^1", a@^1.2:`).
fn yarn_patterns(text: &str) -> HashSet<String> {
    text.lines()
        .filter(|line| !line.starts_with([' ', '#']) && line.ends_with(':'))
        .flat_map(|line| line.trim_end_matches(':').split(", "))
        .map(|pattern| pattern.trim().trim_matches('"').to_string())
        .collect()
}

/// A pnpm lockfile's specifiers by (importer folder, dependency name): `importers.<dir>.<section>.<name>
/// .specifier` (lockfile 6 and later), top-level sections for a single project (6), or `specifiers:` (5).
fn pnpm_specifiers(text: &str) -> Option<BTreeMap<(String, String), String>> {
    let outline = top_level_outline(text, |key| key == "importers" || key == "specifiers" || SECTIONS.contains(&key));
    let doc = marked_yaml::parse_yaml(0, outline).ok()?;
    let top = doc.as_mapping()?;
    let mut found = BTreeMap::new();
    let mut read_importer = |dir: &str, importer: &marked_yaml::types::MarkedMappingNode| {
        if let Some(specifiers) = importer.get_mapping("specifiers") {
            for (name, specifier) in specifiers.iter() {
                if let Some(specifier) = specifier.as_scalar() {
                    found.insert((dir.to_string(), name.as_str().to_string()), specifier.as_str().to_string());
                }
            }
        }
        for section in SECTIONS {
            for (name, entry) in importer.get_mapping(section).map(|m| m.iter()).into_iter().flatten() {
                if let Some(specifier) = entry.as_mapping().and_then(|e| e.get_scalar("specifier")) {
                    found.insert((dir.to_string(), name.as_str().to_string()), specifier.as_str().to_string());
                }
            }
        }
    };
    match top.get_mapping("importers") {
        Some(importers) => {
            for (dir, importer) in importers.iter() {
                if let Some(importer) = importer.as_mapping() {
                    read_importer(dir.as_str(), importer);
                }
            }
        }
        None => read_importer(".", top),
    }
    Some(found)
}

/// A pnpm setting a lockfile records that differs from pnpm's default.
pub(super) struct LockSetting {
    /// As the lockfile and pnpm-workspace.yaml write it (`autoInstallPeers`).
    pub(super) key: &'static str,
    /// As `pnpm config set` and .npmrc take it (`auto-install-peers`).
    pub(super) name: &'static str,
    pub(super) value: String,
    pub(super) line: usize,
}

/// pnpm settings a lockfile records (its `settings:` block) that differ from pnpm's defaults: a frozen install
/// stops (`ERR_PNPM_LOCKFILE_CONFIG_MISMATCH`) unless pnpm runs with them, as the developer's did.
pub(super) fn pnpm_lock_settings(text: &str) -> Vec<LockSetting> {
    const DEFAULTS: &[(&str, &str, &str)] = &[
        ("autoInstallPeers", "auto-install-peers", "true"),
        ("excludeLinksFromLockfile", "exclude-links-from-lockfile", "false"),
    ];
    let Ok(doc) = marked_yaml::parse_yaml(0, top_level_outline(text, |key| key == "settings")) else {
        return Vec::new();
    };
    let Some(settings) = doc.as_mapping().and_then(|d| d.get_mapping("settings")) else {
        return Vec::new();
    };
    DEFAULTS
        .iter()
        .filter_map(|(key, name, default)| {
            let value = settings.get_scalar(key)?;
            (value.as_str() != *default).then(|| LockSetting {
                key,
                name,
                value: value.as_str().to_string(),
                line: value.span().start().map_or(1, marked_yaml::Marker::line),
            })
        })
        .collect()
}

/// The lockfile with only the top-level blocks whose key `keep` accepts (other lines blank, so every kept line
/// stays at its line number): the resolutions and snapshots, most of a lockfile, are never built into YAML nodes.
fn top_level_outline(text: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut kept = false;
    let mut out = String::with_capacity(text.len() / 4);
    for line in text.lines() {
        if !line.starts_with([' ', '\t']) && !line.is_empty() {
            kept = keep(line.split(':').next().unwrap_or_default().trim_matches(['\'', '"']));
        }
        if kept {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yarn_patterns_are_the_entry_keys() {
        let lock = "# yarn lockfile v1\n\n\"@babel/core@^7.0.0\", \"@babel/core@^7.1.0\":\n  version \"7.2.0\"\n\nexpress@^4.17.1:\n  version \"4.18.2\"\n";
        let patterns = yarn_patterns(lock);
        assert!(patterns.contains("@babel/core@^7.1.0"));
        assert!(patterns.contains("express@^4.17.1"));
        assert!(!patterns.contains("express@^4.18.0"));
        assert!(is_linked("link:../shared") && !is_linked("file:"));
    }

    #[test]
    fn npm_ranges_are_checked_against_the_locked_version() {
        let lock = r#"{"lockfileVersion": 3, "packages": {"": {}, "node_modules/express": {"version": "4.18.2"},
            "node_modules/lib": {"resolved": "packages/lib", "link": true}}}"#;
        let lock: NpmLock = serde_json::from_str(lock).unwrap();
        let check = npm_lock(&lock);
        assert_eq!(check(".", "express", "^4.17.1"), None);
        assert_eq!(check(".", "express", "^5.0.0").as_deref(), Some("the lockfile locks 4.18.2"));
        assert_eq!(check(".", "zod", "^3.0.0").as_deref(), Some("the lockfile does not list it"));
        assert_eq!(check(".", "lib", "^1.0.0"), None);
        assert_eq!(check(".", "express", "github:expressjs/express"), None);
    }

    #[test]
    fn bun_lockfiles_record_each_declared_range() {
        let text = b"{\n  \"workspaces\": {\n    \"\": {\n      \"dependencies\": {\n        \"ms\": \"2.1.2\",\n      },\n    },\n  },\n}\n";
        assert!(bun_records(text, true, "ms", "2.1.2"));
        assert!(!bun_records(text, true, "ms", "2.1.3"));
        assert!(!bun_records(text, true, "bytes", "3.1.2"));
        let binary = b"\x00\x07express\x00\x07^4.18.2\x00";
        assert!(bun_records(binary, false, "express", "^4.18.2"));
        assert!(!bun_records(binary, false, "zod", "^3.0.0"));
    }

    #[test]
    fn pnpm_settings_other_than_the_defaults() {
        let lock = "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: false\n  excludeLinksFromLockfile: false\n\nimporters: {}\n";
        let found: Vec<_> = pnpm_lock_settings(lock).into_iter().map(|s| (s.key, s.name, s.value, s.line)).collect();
        assert_eq!(found, vec![("autoInstallPeers", "auto-install-peers", "false".to_string(), 4)]);
        assert!(pnpm_lock_settings("lockfileVersion: '9.0'\nsettings:\n  autoInstallPeers: true\n").is_empty());
    }

    #[test]
    fn pnpm_specifiers_per_importer_and_single_project() {
        let nine = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      express:\n        specifier: ^4.18.0\n        version: 4.18.2\n\npackages:\n\n  express@4.18.2:\n    resolution: {integrity: x}\n";
        let found = pnpm_specifiers(nine).unwrap();
        assert_eq!(found.get(&(".".into(), "express".into())).map(String::as_str), Some("^4.18.0"));
        let five = "lockfileVersion: 5.4\n\nspecifiers:\n  express: ^4.17.0\n\ndependencies:\n  express: 4.18.2\n";
        let found = pnpm_specifiers(five).unwrap();
        assert_eq!(found.get(&(".".into(), "express".into())).map(String::as_str), Some("^4.17.0"));
    }
}
