//! package-lock.json as every reader of it sees it: the installed packages of lockfile v2/v3 (`packages`) and
//! v1's nested tree (`dependencies`), with the fields the engines limits, the frozen-install check and the peer
//! check read. Parsed once per file: a big lockfile is most of a Node project's detection time.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A lockfile's text and what it holds; `lock` is None when the text is not a lockfile dockgen can read.
pub(super) struct LockFile {
    pub(super) text: String,
    pub(super) lock: Option<NpmLock>,
}

impl LockFile {
    pub(super) fn new(text: String) -> Self {
        let lock = serde_json::from_str(&text).ok();
        LockFile { text, lock }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct NpmLock {
    /// Installed packages by path (`node_modules/a/node_modules/b`); "" is the project itself.
    #[serde(default)]
    pub(super) packages: BTreeMap<String, Package>,
    /// lockfileVersion 1 (npm 5 and 6): the installed tree, nested.
    #[serde(default)]
    pub(super) dependencies: BTreeMap<String, TreeDependency>,
}

#[derive(Deserialize)]
pub(super) struct Package {
    #[serde(default)]
    pub(super) version: Option<String>,
    #[serde(default)]
    pub(super) engines: Option<serde_json::Value>,
    #[serde(default)]
    pub(super) optional: bool,
    /// A workspace member or a `file:` folder, linked rather than installed.
    #[serde(default)]
    pub(super) link: bool,
    #[serde(default, rename = "peerDependencies")]
    pub(super) peers: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "peerDependenciesMeta")]
    pub(super) peers_meta: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
pub(super) struct TreeDependency {
    #[serde(default)]
    pub(super) version: Option<String>,
    #[serde(default)]
    pub(super) optional: bool,
    #[serde(default)]
    pub(super) link: bool,
    #[serde(default)]
    pub(super) dependencies: BTreeMap<String, TreeDependency>,
}
