//! The Go line to build with: the module's `go` (or newer `toolchain`) line, raised to the oldest maintained
//! line when it is older — the directive is a minimum, and images of unmaintained lines go stale or never
//! existed in the variants a build needs (`golang:1.15-bookworm`). The lines are data (knowledge/go/lines.toml).

use crate::knowledge::go::{self as knowledge, go_minor};

/// The line to build `asked` with, and a note when it differs.
pub(super) fn build_line(asked: &str) -> (String, Option<String>) {
    let table = knowledge::lines();
    let oldest = &table.oldest_maintained;
    if !oldest.is_empty() && go_minor(asked) < go_minor(oldest) {
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
    fn old_lines_are_raised_and_new_ones_kept() {
        assert_eq!(build_line("1.15").0, "1.26");
        assert!(build_line("1.15").1.unwrap().contains("minimum"));
        assert_eq!(build_line("1.27"), ("1.27".to_string(), None));
        assert_eq!(build_line("1.26"), ("1.26".to_string(), None));
        assert!(build_line("1.40").1.is_some());
    }
}
