//! What dockgen knows beyond the repository, as data built into the binary, one folder per area: each stack's
//! release lines with their support dates (`go/`, `node/`, `jvm/` `lines.toml`), image families and the fixed
//! images' lines (`images/`), the JVM and Node framework tables, cgo and native-module lists, the words that
//! mark a credential (`secrets/`). Kept apart from the presets users override: these are facts about the world, not
//! choices. Each table is parsed once, on first use, with its defaults as the fallback, because a unit test
//! beside each table parses it, so the fallback is never taken. Detection and rendering read it; it reads
//! neither.

// One module per folder (`go`, `jvm`, `node`, `images`, `secrets`, ...): each holds its data files and their
// typed loader (mod.rs). build.rs declares them, so a new stack's knowledge is a folder and nothing else.
include!(concat!(env!("OUT_DIR"), "/knowledge_areas.rs"));

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::de::DeserializeOwned;

/// Whether `version` is `minimum` or later, comparing numbers part by part (`3.10` after `3.9`; a part that is
/// not a number counts as 0).
pub(crate) fn version_at_least(version: &str, minimum: &str) -> bool {
    let key = |v: &str| -> Vec<u64> { v.split(['.', '-']).map(|part| part.parse().unwrap_or(0)).collect() };
    key(version) >= key(minimum)
}

/// The table in `text`, or the empty one.
pub(crate) fn table<T: DeserializeOwned + Default>(text: &str) -> T {
    toml::from_str(text).unwrap_or_default()
}

/// One set matching any of `patterns`; a pattern that does not compile (checked by the tables' tests) is left
/// out.
pub(crate) fn glob_set<'a>(patterns: impl IntoIterator<Item = &'a String>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = Glob::new(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}
