//! Entry points for the fuzz targets in `fuzz/` and for the tests that replay their findings: every parser
//! on arbitrary text, and the whole detect → answers → render pipeline on a generated repository. Not an API.

use std::path::Path;

use indexmap::IndexMap;

use crate::prompt::NonInteractive;
use crate::{answers, detect, plan, preset, render};

pub use crate::detect::stack::Parser;

/// Every stack's text parsers (`go_mod`, `pom`, `node`, ...), in registry order.
pub fn parsers() -> impl Iterator<Item = &'static Parser> {
    detect::STACKS.iter().flat_map(|stack| stack.parsers)
}

/// The parser `name` on `text`; None when no stack has a parser of that name.
pub fn parse(name: &str, text: &str) -> Option<usize> {
    parsers()
        .find(|parser| parser.name == name)
        .map(|parser| (parser.parse)(text))
}

/// One of every stack's parsers on arbitrary bytes: the first byte picks the parser, the rest is its text.
pub fn any_parser(data: &[u8]) -> usize {
    let all: Vec<&Parser> = parsers().collect();
    let Some((first, rest)) = data.split_first() else {
        return 0;
    };
    match std::str::from_utf8(rest) {
        Ok(text) => (all[usize::from(*first) % all.len()].parse)(text),
        Err(_) => 0,
    }
}

/// Files the pipeline target can write, picked by the first byte of each chunk: every stack's.
fn paths() -> Vec<&'static str> {
    detect::STACKS
        .iter()
        .flat_map(|stack| stack.fuzz_paths.iter().copied())
        .collect()
}

/// The ignore-file merge and reader on arbitrary text: as the existing file, as a generated section and as
/// a Dockerfile whose COPY sources it checks.
pub fn ignore_file(text: &str) -> usize {
    let copies = |_: &str| {
        Some(crate::dockerignore::Copies {
            paths: crate::dockerignore::copied_sources(text),
            context_entries: vec!["src".into(), "pom.xml".into()],
            reads: vec!["tsconfig.json".into()],
        })
    };
    crate::dockerignore::merge(Some(text), ".dockerignore", "Dockerfile", text, &copies)
        .map_or(0, |merged| merged.text.len() + merged.warnings.len())
}

/// Workspace globs over a folder tree, both from `data`: before the first 0 byte, one pattern per line (as
/// `workspaces` or pnpm-workspace.yaml list them); after it, one folder per line, created with a package.json
/// when the line ends in `+`. The walk must stay bounded whatever the patterns and the tree.
pub fn workspace_globs(data: &[u8]) -> usize {
    let text = String::from_utf8_lossy(data);
    let (patterns, tree) = text.split_once('\0').unwrap_or((&text, ""));
    let patterns: Vec<String> = patterns.lines().take(32).map(String::from).collect();
    let Ok(dir) = tempfile::tempdir() else { return 0 };
    for line in tree.lines().take(64) {
        let (folder, member) = match line.strip_suffix('+') {
            Some(folder) => (folder, true),
            None => (line, false),
        };
        // Only plain relative folders below the temporary root, a few levels deep.
        let parts: Vec<&str> = folder
            .split('/')
            .filter(|p| !p.is_empty() && *p != "." && *p != ".." && !p.contains('\\'))
            .take(10)
            .collect();
        if parts.is_empty() {
            continue;
        }
        let path = dir.path().join(parts.join("/"));
        if std::fs::create_dir_all(&path).is_ok() && member {
            let _ = std::fs::write(path.join("package.json"), "{}");
        }
    }
    crate::detect::fuzzing::workspace_members(dir.path(), &patterns)
}

/// `dockgen.toml` text: parsed as the answers file, its answers turned into given values, and a parse error
/// shown as dockgen shows it (line and column, no quoted text).
pub fn answers_file(text: &str) -> usize {
    match toml::from_str::<crate::answers_file::AnswersFile>(text) {
        Ok(file) => file.given().map_or(1, |given| given.len()),
        Err(err) => crate::files::toml_error(&err, text).len(),
    }
}

/// Writes a repository from `data` (chunks separated by 0 bytes; a chunk's first byte picks its path), then
/// detects, resolves with no prompts and renders every fitting preset. Panics only when a rendered Dockerfile
/// breaks the instruction grammar, which would mean a repository value injected something.
pub fn pipeline(data: &[u8]) -> usize {
    let Ok(dir) = tempfile::tempdir() else { return 0 };
    let paths = paths();
    for chunk in data.split(|b| *b == 0).filter(|c| !c.is_empty()) {
        let path = dir.path().join(paths[usize::from(chunk[0]) % paths.len()]);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, &chunk[1..]);
    }
    render_all(dir.path())
}

fn render_all(root: &Path) -> usize {
    let (Ok(detection), Ok(presets)) = (detect::detect(root), preset::builtin()) else {
        return 0;
    };
    let mut rendered = 0;
    for candidate in &detection.candidates {
        for preset in presets.iter().filter(|p| p.stack == candidate.stack) {
            let Ok(resolved) = answers::resolve(preset, Some(candidate), &IndexMap::new(), &mut NonInteractive) else {
                continue;
            };
            if let Ok(files) = render::render(preset, &plan::derive(preset, &resolved.values)) {
                assert_well_formed(&files.dockerfile);
                rendered += files.dockerfile.len() + files.dockerignore.len();
            }
        }
    }
    rendered
}

/// The instructions of a Dockerfile in order (`FROM`, `ARG`, `RUN`, ...), continuation lines joined and
/// comments skipped; used to check that no value added, removed or changed an instruction.
pub fn instructions(dockerfile: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut continued = false;
    for line in dockerfile.lines() {
        let trimmed = line.trim_start();
        if !continued && !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.push(trimmed.split_whitespace().next().unwrap_or_default().to_string());
        }
        if !trimmed.starts_with('#') {
            continued = trimmed.ends_with('\\');
        }
    }
    out
}

const KNOWN: &[&str] = &[
    "FROM",
    "ARG",
    "WORKDIR",
    "COPY",
    "RUN",
    "USER",
    "ENV",
    "EXPOSE",
    "ENTRYPOINT",
    "CMD",
    "VOLUME",
    "HEALTHCHECK",
];

/// Panics when a rendered Dockerfile has an instruction dockgen never writes, a line that breaks out of a
/// continuation, or an exec-form array that is not valid JSON.
pub fn assert_well_formed(dockerfile: &str) {
    for instruction in instructions(dockerfile) {
        assert!(
            KNOWN.contains(&instruction.as_str()),
            "unexpected instruction `{instruction}` in:\n{dockerfile}"
        );
    }
    for line in dockerfile.lines().filter(|l| {
        l.starts_with("ENTRYPOINT [")
            || l.starts_with("CMD [")
            || l.starts_with("VOLUME [")
            || l.starts_with("HEALTHCHECK ")
    }) {
        let array = &line[line.find('[').unwrap_or(0)..];
        assert!(
            serde_json::from_str::<Vec<String>>(array).is_ok(),
            "exec form is not a JSON array: {line}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_join_continuations_and_skip_comments() {
        let text = "# syntax=docker/dockerfile:1\nARG A=1\nRUN a \\\n    b \\\n    c\n# note\nCOPY x y\n";
        assert_eq!(instructions(text), vec!["ARG", "RUN", "COPY"]);
    }

    #[test]
    #[should_panic(expected = "unexpected instruction")]
    fn an_injected_instruction_is_caught() {
        assert_well_formed("FROM a\nRUN x\nONBUILD RUN evil\n");
    }
}
