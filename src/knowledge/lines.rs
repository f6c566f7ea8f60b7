//! Release lines of the languages dockgen builds (lines/go.toml, lines/node.toml, lines/java.toml): which exist,
//! which are LTS or still maintained, and what their official images ship. Detection reduces a project's
//! version to one of them; rendering asks what an image of a line holds.

use std::sync::OnceLock;

use serde::Deserialize;

use super::table;

pub(crate) const GO_TOML: &str = include_str!("lines/go.toml");
pub(crate) const NODE_TOML: &str = include_str!("lines/node.toml");
pub(crate) const JAVA_TOML: &str = include_str!("lines/java.toml");

/// Go's lines: the oldest one still maintained, and every line dockgen knows.
#[derive(Deserialize, Default)]
pub(crate) struct GoLines {
    pub(crate) oldest_maintained: String,
    pub(crate) line: Vec<GoLine>,
}

/// One Go line; its `variants` (the image tags published for it) are checked by the tests below, so the table
/// cannot list a maintained line whose alpine or bookworm image does not exist.
#[derive(Deserialize)]
pub(crate) struct GoLine {
    pub(crate) version: String,
}

/// Node's lines: the newest LTS line, and every line with what its image holds.
#[derive(Deserialize, Default)]
pub(crate) struct NodeLines {
    pub(crate) current_lts: u64,
    pub(crate) line: Vec<NodeLine>,
}

#[derive(Deserialize)]
pub(crate) struct NodeLine {
    pub(crate) version: u64,
    pub(crate) codename: Option<String>,
    pub(crate) lts: bool,
    pub(crate) corepack: bool,
    pub(crate) yarn: bool,
}

#[derive(Deserialize, Default)]
struct JavaLines {
    line: Vec<JavaLine>,
}

/// One Java line Temurin publishes images of.
#[derive(Deserialize)]
pub(crate) struct JavaLine {
    pub(crate) version: u32,
    pub(crate) lts: bool,
}

pub(crate) fn go() -> &'static GoLines {
    static LINES: OnceLock<GoLines> = OnceLock::new();
    LINES.get_or_init(|| table(GO_TOML))
}

pub(crate) fn node() -> &'static NodeLines {
    static LINES: OnceLock<NodeLines> = OnceLock::new();
    LINES.get_or_init(|| table(NODE_TOML))
}

pub(crate) fn java() -> &'static [JavaLine] {
    static LINES: OnceLock<JavaLines> = OnceLock::new();
    &LINES.get_or_init(|| table(JAVA_TOML)).line
}

/// Whether the official image of Node `major` ships `tool` (`corepack`, `yarn`); false for a line dockgen does
/// not know, so the Dockerfile installs the tool with npm, which works on every image.
pub(crate) fn node_image_has(major: u64, tool: &str) -> bool {
    node()
        .line
        .iter()
        .find(|l| l.version == major)
        .is_some_and(|l| match tool {
            "corepack" => l.corepack,
            "yarn" => l.yarn,
            _ => false,
        })
}

/// The LTS line a Java program built for `release` runs on: `release` itself when it is LTS, else the next LTS
/// line; None when `release` is newer than every line dockgen knows.
pub(crate) fn java_runtime_line(release: u32) -> Option<u32> {
    java()
        .iter()
        .filter(|l| l.lts && l.version >= release)
        .map(|l| l.version)
        .min()
}

/// `1.22` → 22, for comparing Go lines.
pub(crate) fn go_minor(line: &str) -> u32 {
    line.strip_prefix("1.").and_then(|m| m.parse().ok()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_maintained_go_line_has_the_variants_the_presets_use() {
        let table: toml::Value = toml::from_str(GO_TOML).unwrap();
        let oldest = go_minor(table["oldest_maintained"].as_str().unwrap());
        assert!(oldest > 0);
        let maintained: Vec<&toml::Value> = table["line"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| go_minor(l["version"].as_str().unwrap()) >= oldest)
            .collect();
        assert!(maintained.len() >= 2, "Go maintains two lines");
        for line in maintained {
            let variants = line["variants"].as_array().unwrap();
            for variant in ["alpine", "bookworm"] {
                assert!(
                    variants.iter().any(|v| v.as_str() == Some(variant)),
                    "golang:{}-{variant}",
                    line["version"]
                );
            }
        }
    }

    #[test]
    fn the_node_table_parses_and_its_current_lts_is_an_lts_line() {
        let table: NodeLines = toml::from_str(NODE_TOML).unwrap();
        let current = table.line.iter().find(|l| l.version == table.current_lts).unwrap();
        assert!(current.lts);
        assert!(table.line.windows(2).all(|w| w[0].version < w[1].version));
        assert!(table.line.iter().all(|l| l.lts == (l.version % 2 == 0)));
    }

    #[test]
    fn the_java_table_parses_and_lists_the_lts_lines() {
        let table: JavaLines = toml::from_str(JAVA_TOML).unwrap();
        let lts: Vec<u32> = table.line.iter().filter(|l| l.lts).map(|l| l.version).collect();
        assert_eq!(lts, [8, 11, 17, 21, 25]);
    }

    #[test]
    fn images_of_node_25_and_later_have_no_corepack_and_26_no_yarn() {
        assert!(node_image_has(24, "corepack") && node_image_has(24, "yarn"));
        assert!(!node_image_has(25, "corepack") && node_image_has(25, "yarn"));
        assert!(!node_image_has(26, "corepack") && !node_image_has(26, "yarn"));
        assert!(!node_image_has(99, "corepack"));
    }

    #[test]
    fn non_lts_java_releases_run_on_the_next_lts_line() {
        assert_eq!(java_runtime_line(17), Some(17));
        assert_eq!(java_runtime_line(23), Some(25));
        assert_eq!(java_runtime_line(9), Some(11));
        assert_eq!(java_runtime_line(26), None);
    }
}
