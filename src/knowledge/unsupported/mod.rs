//! Marker files of stacks dockgen does not build yet (markers.toml), so "nothing recognised" names what it saw.

use std::sync::OnceLock;

use serde::Deserialize;

use super::table;

const MARKERS_TOML: &str = include_str!("markers.toml");

#[derive(Deserialize, Default)]
struct Markers {
    marker: Vec<Marker>,
}

/// A file that marks a stack dockgen does not build.
#[derive(Deserialize)]
pub(crate) struct Marker {
    pub(crate) file: String,
    pub(crate) stack: String,
    /// What to do instead, when there is a way (`run go mod init`): said in place of "not supported yet".
    #[serde(default)]
    pub(crate) hint: Option<String>,
}

pub(crate) fn markers() -> &'static [Marker] {
    static MARKERS: OnceLock<Markers> = OnceLock::new();
    &MARKERS.get_or_init(|| table(MARKERS_TOML)).marker
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses() {
        let parsed: Markers = toml::from_str(MARKERS_TOML).unwrap();
        assert!(parsed.marker.iter().any(|m| m.file == "Cargo.toml"));
    }
}
