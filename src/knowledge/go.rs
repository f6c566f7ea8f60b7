//! What dockgen knows about Go programs beyond their module, as data (go.toml): the modules that need cgo.

use std::sync::OnceLock;

use serde::Deserialize;

use super::table;

const GO_TOML: &str = include_str!("go.toml");

#[derive(Deserialize, Default)]
struct Go {
    cgo_modules: Vec<String>,
}

/// Modules that compile C code through cgo, so the binary needs `CGO_ENABLED=1` and a libc at run time.
pub(crate) fn cgo_modules() -> &'static [String] {
    static GO: OnceLock<Go> = OnceLock::new();
    &GO.get_or_init(|| table(GO_TOML)).cgo_modules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses() {
        let parsed: Go = toml::from_str(GO_TOML).unwrap();
        assert!(parsed.cgo_modules.iter().any(|m| m == "github.com/mattn/go-sqlite3"));
    }
}
