//! Reading a `.dockerignore` the way the builder does, to tell whether it would hide files a Dockerfile
//! copies from the build context (framework scaffolds ship `*` followed by an allow-list for their own
//! Dockerfile, which leaves no pom.xml or source for a multi-stage build).

use globset::{GlobBuilder, GlobMatcher};

/// One pattern line: excluded or re-included (`!`), with its 1-based line.
struct Rule {
    matcher: GlobMatcher,
    include: bool,
    text: String,
    line: usize,
}

/// A path the Dockerfile needs that the ignore file hides, with the pattern that hides it.
#[derive(Debug, PartialEq, Eq)]
pub struct Hidden {
    pub path: String,
    pub pattern: String,
    pub line: usize,
}

fn rules(text: &str) -> Vec<Rule> {
    text.lines()
        .enumerate()
        .filter_map(|(index, raw)| {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let (include, pattern) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            // The builder cleans each pattern: no leading slash or ./, no trailing slash.
            let pattern = pattern
                .trim_start_matches('/')
                .trim_start_matches("./")
                .trim_end_matches('/');
            if pattern.is_empty() {
                return None;
            }
            let glob = GlobBuilder::new(pattern).literal_separator(true).build().ok()?;
            Some(Rule {
                matcher: glob.compile_matcher(),
                include,
                text: line.to_string(),
                line: index + 1,
            })
        })
        .collect()
}

/// The rule that decides `path`, if it is excluded: the last rule matching it or one of its parent
/// folders wins (a folder's exclusion covers its contents).
fn excluding_rule<'a>(rules: &'a [Rule], path: &str) -> Option<&'a Rule> {
    let mut prefixes = Vec::new();
    let mut end = 0;
    for part in path.split('/') {
        end += part.len();
        prefixes.push(&path[..end]);
        end += 1;
    }
    rules
        .iter()
        .rfind(|rule| prefixes.iter().any(|p| rule.matcher.is_match(p)))
        .filter(|rule| !rule.include)
}

/// The build-context sources of a Dockerfile's `COPY`/`ADD` instructions (not `--from` ones, not globs).
pub fn copied_sources(dockerfile: &str) -> Vec<String> {
    let mut sources = Vec::new();
    let mut logical = String::new();
    for line in dockerfile.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(continued) = line.strip_suffix('\\') {
            logical.push_str(continued);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let words: Vec<&str> = logical.split_whitespace().collect();
        let is_copy = words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("COPY") || w.eq_ignore_ascii_case("ADD"));
        if is_copy && !words.iter().any(|w| w.starts_with("--from")) {
            let operands: Vec<&str> = words[1..].iter().copied().filter(|w| !w.starts_with("--")).collect();
            if let Some((_, srcs)) = operands.split_last() {
                sources.extend(
                    srcs.iter()
                        .map(|s| s.trim_start_matches("./").trim_end_matches('/'))
                        .filter(|s| !s.is_empty() && *s != "." && !s.contains(['*', '?', '[', '$']))
                        .map(str::to_string),
                );
            }
        }
        logical.clear();
    }
    sources
}

/// Which of `paths` the ignore file hides from the build context.
pub fn hidden(ignore_text: &str, paths: &[String]) -> Vec<Hidden> {
    let rules = rules(ignore_text);
    paths
        .iter()
        .filter_map(|path| {
            excluding_rule(&rules, path).map(|rule| Hidden {
                path: path.clone(),
                pattern: rule.text.clone(),
                line: rule.line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCAFFOLD: &str = "*\n!target/*-runner\n!target/*-runner.jar\n!target/lib/*\n!target/quarkus-app/*\n";

    #[test]
    fn an_allow_list_hides_everything_else() {
        let paths: Vec<String> = ["pom.xml", "src", "target/lib/a.jar"].map(String::from).to_vec();
        let found = hidden(SCAFFOLD, &paths);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0],
            Hidden {
                path: "pom.xml".into(),
                pattern: "*".into(),
                line: 1
            }
        );
        assert_eq!(found[1].path, "src");
    }

    #[test]
    fn folders_cover_their_contents_and_the_last_rule_wins() {
        let text = "# comment\n/docs/\n**/*.md\n!README.md\napp/secret\n";
        let paths: Vec<String> = [
            "docs/a/b.txt",
            "x/y.md",
            "README.md",
            "app/secret/k",
            "app/secrets",
            "src/Main.java",
        ]
        .map(String::from)
        .to_vec();
        let found: Vec<String> = hidden(text, &paths).into_iter().map(|h| h.path).collect();
        assert_eq!(found, ["docs/a/b.txt", "x/y.md", "app/secret/k"]);
    }

    #[test]
    fn copy_sources_skip_other_stages_globs_and_the_whole_context() {
        let dockerfile = "FROM x AS build\nCOPY --chmod=755 mvnw ./\nCOPY .mvn/ .mvn/\n# COPY nope ./\nCOPY pom.xml \\\n  app/pom.xml ./\nCOPY . .\nCOPY --from=build /src/target/a.jar ./\nCOPY package*.json ./\n";
        assert_eq!(copied_sources(dockerfile), ["mvnw", ".mvn", "pom.xml", "app/pom.xml"]);
    }
}
