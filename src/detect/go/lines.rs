//! The Go line to build with: the module's `go` (or newer `toolchain`) line, raised to the oldest maintained
//! line when it is older — the directive is a minimum, and images of unmaintained lines go stale or never
//! existed in the variants a build needs (`golang:1.15-bookworm`). The lines are data (presets/lines/go.toml).

use serde::Deserialize;

const LINES_TOML: &str = include_str!("../../../presets/lines/go.toml");

#[derive(Deserialize, Default)]
struct Lines {
    oldest_maintained: String,
    line: Vec<Line>,
}

/// One line; its `variants` (the image tags published for it) are checked by the tests below, so the table
/// cannot list a maintained line whose alpine or bookworm image does not exist.
#[derive(Deserialize)]
struct Line {
    version: String,
}

fn lines() -> Lines {
    crate::detect::builtin::table(LINES_TOML)
}

/// `1.22` → 22, for comparing lines.
pub(super) fn minor_number(line: &str) -> u32 {
    line.strip_prefix("1.").and_then(|m| m.parse().ok()).unwrap_or(0)
}

/// The line to build `asked` with, and a note when it differs.
pub(super) fn build_line(asked: &str) -> (String, Option<String>) {
    let table = lines();
    let oldest = &table.oldest_maintained;
    if !oldest.is_empty() && minor_number(asked) < minor_number(oldest) {
        return (
            oldest.clone(),
            Some(format!(
                "go {asked} is a minimum and no longer maintained; built with the oldest maintained line {oldest}"
            )),
        );
    }
    let known = table.line.iter().any(|l| l.version == asked);
    let note =
        (!known).then(|| format!("go {asked} is newer than the lines dockgen knows; its images may not exist yet"));
    (asked.to_string(), note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_maintained_line_has_the_variants_the_presets_use() {
        let table: toml::Value = toml::from_str(LINES_TOML).unwrap();
        let oldest = minor_number(table["oldest_maintained"].as_str().unwrap());
        assert!(oldest > 0);
        let maintained: Vec<&toml::Value> = table["line"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| minor_number(l["version"].as_str().unwrap()) >= oldest)
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
    fn old_lines_are_raised_and_new_ones_kept() {
        assert_eq!(build_line("1.15").0, "1.26");
        assert!(build_line("1.15").1.unwrap().contains("minimum"));
        assert_eq!(build_line("1.27"), ("1.27".to_string(), None));
        assert_eq!(build_line("1.26"), ("1.26".to_string(), None));
        assert!(build_line("1.40").1.is_some());
    }
}
