//! Peer dependencies a package-lock.json installs against the wrong version: npm 7 and later refuse such a tree
//! (`npm ci` stops with ERESOLVE) unless told `--legacy-peer-deps`, the option the lockfile was written with.
//! `tree-sitter-kotlin` asking for `tree-sitter@^0.21.0` beside the project's `tree-sitter@0.25.0` is one.

use std::collections::BTreeMap;

use nodejs_semver::{Range, Version};
use super::npmlock::{LockFile, Package};

/// A peer dependency the lockfile installs at a version its range does not allow.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Conflict {
    /// `tree-sitter-kotlin@0.3.8`.
    pub(super) package: String,
    /// `tree-sitter@^0.21.0`.
    pub(super) wants: String,
    /// The version installed where the package finds it (`0.25.0`).
    pub(super) installed: String,
    /// The package's entry in the lockfile, `package-lock.json:2151`.
    pub(super) source: String,
}

/// The first peer dependency of the lockfile `text` (package-lock.json v2/v3, shown as `file`) that resolves to
/// a version its range does not allow; None when every one fits, is optional, or the lockfile does not parse.
pub(super) fn conflict(lock_file: &LockFile, file: &str) -> Option<Conflict> {
    let (text, lock) = (&lock_file.text, lock_file.lock.as_ref()?);
    let (key, package, name, range, installed) = lock.packages.iter().find_map(|(key, package)| {
        package.peers.iter().find_map(|(name, range)| {
            let range = range.as_str()?;
            let optional = package.peers_meta.get(name).is_some_and(|meta| meta["optional"] == true);
            let installed = resolved(&lock.packages, key, name)?;
            let allowed = Range::parse(range).ok()?;
            let version = Version::parse(&installed).ok()?;
            (!optional && !allowed.satisfies(&version)).then_some((key, package, name, range, installed))
        })
    })?;
    let entry = format!("\"{key}\": {{");
    let line = text.lines().position(|l| l.trim() == entry).map_or(1, |at| at + 1);
    let short = key.rsplit_once("node_modules/").map_or(key.as_str(), |(_, name)| name);
    Some(Conflict {
        package: format!("{short}@{}", package.version.as_deref().unwrap_or("?")),
        wants: format!("{name}@{range}"),
        installed,
        source: format!("{file}:{line}"),
    })
}

/// The version of `name` that the package installed at `key` loads: node looks in its own `node_modules`, then in
/// each folder above it.
fn resolved(packages: &BTreeMap<String, Package>, key: &str, name: &str) -> Option<String> {
    let mut at = key;
    loop {
        let candidate = if at.is_empty() { format!("node_modules/{name}") } else { format!("{at}/node_modules/{name}") };
        if let Some(version) = packages.get(&candidate).and_then(|p| p.version.clone()) {
            return Some(version);
        }
        if at.is_empty() {
            return None;
        }
        // One node_modules level up: `node_modules/a/node_modules/b` → `node_modules/a` → "".
        at = at.rsplit_once("/node_modules/").map_or("", |(parent, _)| parent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_installed_at_a_version_its_range_refuses() {
        let lock = r#"{
  "lockfileVersion": 3,
  "packages": {
    "": { "dependencies": { "tree-sitter": "0.25.0", "tree-sitter-kotlin": "0.3.8" } },
    "node_modules/tree-sitter": { "version": "0.25.0" },
    "node_modules/tree-sitter-kotlin": {
      "version": "0.3.8",
      "peerDependencies": { "tree-sitter": "^0.21.0" }
    },
    "node_modules/react-dom": {
      "version": "18.3.1",
      "peerDependencies": { "react": "^18.3.1", "scheduler": ">=1" },
      "peerDependenciesMeta": { "scheduler": { "optional": true } }
    },
    "node_modules/react": { "version": "18.3.1" },
    "node_modules/scheduler": { "version": "0.1.0" }
  }
}"#;
        assert_eq!(
            conflict(&LockFile::new(lock.to_string()), "package-lock.json"),
            Some(Conflict {
                package: "tree-sitter-kotlin@0.3.8".into(),
                wants: "tree-sitter@^0.21.0".into(),
                installed: "0.25.0".into(),
                source: "package-lock.json:6".into(),
            })
        );
        let fitting = lock.replace("^0.21.0", ">=0.21.0");
        assert_eq!(conflict(&LockFile::new(fitting), "package-lock.json"), None);
        assert_eq!(conflict(&LockFile::new("not json".to_string()), "package-lock.json"), None);
    }

    #[test]
    fn a_nested_copy_is_the_one_its_parent_loads() {
        let lock = r#"{"packages": {
    "node_modules/plugin": { "version": "1.0.0", "peerDependencies": { "core": "^1" } },
    "node_modules/plugin/node_modules/core": { "version": "1.4.0" },
    "node_modules/core": { "version": "2.0.0" }
}}"#;
        assert_eq!(conflict(&LockFile::new(lock.to_string()), "package-lock.json"), None);
    }
}
