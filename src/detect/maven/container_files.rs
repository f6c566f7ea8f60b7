//! The Maven modules a project's own container files build or copy the jar of (`COPY server/target/*.jar`,
//! `mvn -pl server`, `mvn -f server/pom.xml`): the reactor's deployable module named by the repository.

use std::path::Path;

use crate::detect::deploy::{self, logical_lines};
use crate::detect::read_small_text;

/// Every module the container files of `root` name, with the line that names it; "." for the root module.
pub(super) fn modules_named(root: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for rel in deploy::container_files(root) {
        if let Some(text) = read_small_text(&root.join(&rel)).filter(|t| !deploy::is_dockgens_own(t)) {
            found.extend(maven_modules(&text, &rel));
        }
    }
    found
}

/// The Maven modules a Dockerfile's instructions name (see `BuildFiles::maven_modules`).
fn maven_modules(text: &str, file: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut workdirs: Vec<String> = Vec::new();
    for (line, logical) in logical_lines(text) {
        let source = format!("{file}:{line}");
        let words: Vec<&str> = logical.split_whitespace().collect();
        let Some(instruction) = words.first().map(|w| w.to_ascii_uppercase()) else {
            continue;
        };
        if instruction == "WORKDIR" {
            workdirs.extend(words.get(1).map(|w| w.trim_end_matches('/').to_string()));
            continue;
        }
        let mut add = |module: &str| {
            // A path in a build stage (`/src/server/`) is relative to a WORKDIR the file set.
            let module = workdirs
                .iter()
                .find_map(|w| {
                    module
                        .strip_prefix(w.as_str())
                        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                })
                .unwrap_or(module);
            let module = module.trim_start_matches('/');
            let module = module.trim_start_matches("./").trim_end_matches('/');
            let module = if module.is_empty() { "." } else { module };
            let plausible = module.len() <= 200
                && !module.contains(['$', '*', '{', ':'])
                && !module.split('/').any(|part| part == "..");
            if plausible && !found.iter().any(|(m, _): &(String, String)| m == module) {
                found.push((module.to_string(), source.clone()));
            }
        };
        match instruction.as_str() {
            "COPY" | "ADD" => {
                for word in words.iter().skip(1).filter(|w| !w.starts_with("--")) {
                    if let Some((module, rest)) = word.split_once("target/") {
                        let jar = Path::new(rest)
                            .extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("jar"));
                        if jar || rest.starts_with("quarkus-app") {
                            add(module);
                        }
                    }
                }
            }
            "RUN" if words.iter().any(|w| w.ends_with("mvn") || w.ends_with("mvnw")) => {
                for pair in words.windows(2) {
                    match pair[0] {
                        "-pl" | "--projects" => pair[1].split(',').for_each(&mut add),
                        "-f" | "--file" => {
                            if let Some(dir) = pair[1].strip_suffix("pom.xml") {
                                add(dir);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The reader on arbitrary text, for the fuzz target.
pub(super) fn fuzz_text(text: &str) -> usize {
    maven_modules(text, "D").len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maven_modules_from_copies_and_reactor_flags() {
        let text = "FROM maven AS b\nWORKDIR /src\nRUN mvn -B -pl server,api -am \\\n  package\nRUN ./mvnw -f tools/pom.xml verify\nFROM jre\nCOPY --from=b /src/web/target/*.jar app.jar\nCOPY target/quarkus-app/lib/ lib/\nCOPY ../x/target/a.jar .\nCOPY $DIR/target/a.jar .\n";
        let found = maven_modules(text, "Dockerfile");
        let names: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(names, ["server", "api", "tools", "web", "."]);
        assert_eq!(found[0].1, "Dockerfile:3");
        assert_eq!(found[3].1, "Dockerfile:7");
    }
}
