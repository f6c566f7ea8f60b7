//! `//go:embed` in the chosen program: folders that are in the repository must stay in the build context;
//! folders a front-end build produces (`web/dist`, `ui/build`) get a Node stage that builds them before
//! `go build`, described with the Node probe's own facts (package manager, lockfile, Node line, script).

use std::path::Path;


use super::super::lex::Lexed;
use super::super::{frontend, join_rel, Fact, Facts};
use super::packages::Tree;

/// What the embeds of a program need.
#[derive(Default)]
pub(super) struct Embeds {
    /// Embedded paths present in the repository, which the .dockerignore must not exclude.
    pub(super) present: Vec<String>,
    /// The front-end stage's facts, when an embedded folder is a package.json build's output.
    pub(super) frontend: Vec<(&'static str, Fact)>,
    pub(super) warnings: Vec<String>,
}

/// The front-end stage being gathered: its folder, the Node probe's facts for it, the embedded paths copied
/// out of it, and the first embed that asked for it.
struct Stage {
    dir: String,
    facts: Facts,
    copies: Vec<String>,
    source: String,
}

/// One `//go:embed` pattern of a file with a fixed folder, resolved against the repository once however many
/// programs compile the file.
pub(super) struct Embedded {
    pattern: String,
    line: usize,
    /// The pattern's fixed folder, relative to the repository.
    target: String,
    /// Whether the repository holds it (not a placeholder, not gitignored): else a build must make it.
    present: bool,
}

/// The embeds of one file (`rel`, relative to the repository root `root`).
pub(super) fn file_embeds(root: &Path, rel: &str, lexed: &Lexed) -> Vec<Embedded> {
    let package_dir = rel.rsplit_once('/').map_or(".", |(dir, _)| dir);
    let mut found = Vec::new();
    for (patterns, line) in &lexed.embeds {
        for pattern in embed_patterns(patterns) {
            let Some(target) = static_prefix(package_dir, &pattern) else {
                continue;
            };
            let present = !frontend::needs_building(root, &target);
            found.push(Embedded {
                pattern,
                line: *line,
                target,
                present,
            });
        }
    }
    found
}

pub(super) fn embeds(root: &Path, tree: &Tree, graph: &[usize]) -> Embeds {
    let mut found = Embeds::default();
    let mut stage: Option<Stage> = None;
    for file in tree.graph_files(graph) {
        for embedded in &file.run_time().embeds {
            let Embedded {
                pattern,
                line,
                target,
                present,
            } = embedded;
            let source = format!("{}:{line}", file.rel);
            let target = target.clone();
            if *present {
                if !found.present.contains(&target) {
                    found.present.push(target);
                }
                continue;
            }
            match (&mut stage, frontend::builder_of(root, &target)) {
                (Some(stage), Some(builder)) if stage.dir == builder => {
                    if !stage.copies.contains(&target) {
                        stage.copies.push(target);
                    }
                }
                (Some(stage), Some(other)) => found.warnings.push(format!(
                    "{source}: //go:embed {pattern}: built by {other}/package.json, but the front-end \
                     stage already builds {}/package.json; dockgen builds one front-end, so add \
                     a stage for {other} by hand",
                    stage.dir
                )),
                (None, Some(builder)) => match frontend::node_facts(root, &builder) {
                    Ok(facts) => {
                        stage = Some(Stage {
                            dir: builder,
                            facts,
                            copies: vec![target],
                            source: source.clone(),
                        });
                    }
                    Err(why) => found.warnings.push(format!(
                        "{source}: //go:embed {pattern}: {target} is built by {builder}/package.json, \
                         but {why}"
                    )),
                },
                (_, None) => found.warnings.push(format!(
                    "{source}: //go:embed {pattern}: {target} is not in the repository and no package.json \
                     above it builds it, so go build will fail until it exists"
                )),
            }
        }
    }
    if let Some(Stage {
        dir,
        facts,
        copies,
        source,
    }) = stage
    {
        let copies: Vec<frontend::Copy> = copies
            .into_iter()
            .map(|path| frontend::Copy {
                from: path.clone(),
                to: path,
            })
            .collect();
        found.frontend = frontend::stage_facts(&dir, &facts, None, &copies, &source, "embedded, and");
    }
    found
}

/// The patterns of one directive: space-separated, each possibly quoted, `all:` dropped.
fn embed_patterns(text: &str) -> Vec<String> {
    let words = shlex::split(text).unwrap_or_else(|| text.split_whitespace().map(str::to_string).collect());
    words
        .into_iter()
        .map(|w| w.strip_prefix("all:").map(str::to_string).unwrap_or(w))
        .collect()
}

/// The part of a pattern before its first glob, relative to the repository: `dist/*` in `web` → `web/dist`.
/// None for patterns that leave the package or have no fixed part.
fn static_prefix(package_dir: &str, pattern: &str) -> Option<String> {
    let fixed: Vec<&str> = pattern
        .split('/')
        .take_while(|part| !part.contains(['*', '?', '[']))
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    if fixed.is_empty() || fixed.contains(&"..") {
        return None;
    }
    Some(join_rel(package_dir, &fixed.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_reduce_to_their_fixed_folder() {
        assert_eq!(static_prefix(".", "web/dist").as_deref(), Some("web/dist"));
        assert_eq!(static_prefix("ui", "build/*").as_deref(), Some("ui/build"));
        assert_eq!(static_prefix(".", "static/*.html").as_deref(), Some("static"));
        assert_eq!(static_prefix(".", "*.tmpl"), None);
        assert_eq!(static_prefix(".", "../x"), None);
        assert_eq!(
            embed_patterns("all:web/dist \"a b\" templates"),
            vec!["web/dist", "a b", "templates"]
        );
    }
}
