//! Knowledge tables built into the binary (presets/…): parsed with their defaults as the fallback, because a
//! unit test beside each table parses it, so the fallback is never taken.

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::de::DeserializeOwned;

/// The table in `text`, or the empty one.
pub(super) fn table<T: DeserializeOwned + Default>(text: &str) -> T {
    toml::from_str(text).unwrap_or_default()
}

/// One set matching any of `patterns`; a pattern that does not compile (checked by the tables' tests) is left
/// out.
pub(super) fn glob_set<'a>(patterns: impl IntoIterator<Item = &'a String>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = Glob::new(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}
