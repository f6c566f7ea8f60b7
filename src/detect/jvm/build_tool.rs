//! Gradle or Maven, when a repository holds both builds of one program: the tool the project's own files use,
//! strongest first — its Dockerfile (what ships today), its CI (what is tested), then the wrapper it commits.
//! The first of these that names one tool and not the other decides; a tie is left to the user.

use std::path::Path;

use super::super::deploy::{self, logical_lines};
use super::super::{read_small_text, toolchains};

/// CI configuration files whose commands name the build tool.
const CI_FILES: &[&str] = &[
    ".gitlab-ci.yml",
    "Jenkinsfile",
    ".circleci/config.yml",
    ".travis.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "cloudbuild.yaml",
];

/// The tool a repository builds with, by its strongest evidence: (stack, `file:line`, what the place is).
/// None when no place names exactly one of them.
pub(in crate::detect) fn preferred(root: &Path) -> Option<(&'static str, String, &'static str)> {
    let dockerfiles: Vec<String> = deploy::container_files(root);
    let mut ci: Vec<String> = toolchains::workflow_files(root);
    ci.extend(CI_FILES.iter().map(|f| (*f).to_string()));
    let places = [(dockerfiles, "the project's Dockerfile"), (ci, "CI")];
    for (files, place) in places {
        let named = named_in(root, &files);
        // A place that names both (a Dockerfile per tool) does not decide; the next may.
        if let [(tool, source)] = named.as_slice() {
            return Some((tool, source.clone(), place));
        }
    }
    let gradle = root.join("gradlew").is_file() && root.join("gradle/wrapper/gradle-wrapper.jar").is_file();
    let maven = root.join("mvnw").is_file() && root.join(".mvn/wrapper").is_dir();
    match (gradle, maven) {
        (true, false) => Some((
            "gradle",
            "gradlew, gradle/wrapper/gradle-wrapper.jar".into(),
            "the committed wrapper",
        )),
        (false, true) => Some(("maven", "mvnw, .mvn/wrapper/".into(), "the committed wrapper")),
        _ => None,
    }
}

/// The first `file:line` of the project's own Dockerfiles, then its CI files, whose text holds one of `needles`
/// (a Gradle task path `:api:`, a build output folder `api/build/`): which of several programs ships.
pub(in crate::detect) fn deployment_naming(root: &Path, needles: &[String]) -> Option<String> {
    let mut files = deploy::container_files(root);
    files.extend(toolchains::workflow_files(root));
    files.extend(CI_FILES.iter().map(|f| (*f).to_string()));
    files.iter().find_map(|file| {
        let text = read_small_text(&root.join(file)).filter(|t| !deploy::is_dockgens_own(t))?;
        logical_lines(&text).into_iter().find_map(|(line, logical)| {
            let code = logical.trim_start();
            let comment = code.starts_with('#') || code.starts_with("//");
            (!comment && needles.iter().any(|n| starts_a_word(code, n))).then(|| format!("{file}:{line}"))
        })
    })
}

/// Whether `needle` occurs in `text` not glued to a word before it (`:api:` is not in `:services:api:`, nor
/// `api/build/` in `myapi/build/`).
fn starts_a_word(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    })
}

/// Each tool the files' lines name, with the first `file:line` that names it.
fn named_in(root: &Path, files: &[String]) -> Vec<(&'static str, String)> {
    let mut found: Vec<(&'static str, String)> = Vec::new();
    for file in files {
        let Some(text) = read_small_text(&root.join(file)).filter(|t| !deploy::is_dockgens_own(t)) else {
            continue;
        };
        for (line, tool) in tools_in(&text) {
            if !found.iter().any(|(t, _)| *t == tool) {
                found.push((tool, format!("{file}:{line}")));
            }
        }
    }
    found
}

/// The tools a text's lines name, with the line: a command (`./gradlew build`, `mvn -B package`), a build file
/// (`COPY pom.xml .`), a build image (`FROM maven:3.9-eclipse-temurin-21`), a setup action (`gradle/actions`,
/// setup-java's `cache: maven`). Comment lines are skipped.
fn tools_in(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (line, logical) in logical_lines(text) {
        let trimmed = logical.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        let words = trimmed.split(|c: char| c.is_whitespace() || "\"'`()[]{};&|,=".contains(c));
        for tool in words.filter_map(tool_of) {
            if !found.contains(&(line, tool)) {
                found.push((line, tool));
            }
        }
    }
    found
}

/// The stack a word names, by its file name (`./gradlew`, `maven:3.9-...`, `pom.xml`).
fn tool_of(word: &str) -> Option<&'static str> {
    if word.starts_with("gradle/actions") || word.starts_with("gradle/gradle-build-action") {
        return Some("gradle");
    }
    let file = word.rsplit(['/', '\\']).next()?;
    let name = file.split(':').next()?;
    match name {
        "gradle"
        | "gradlew"
        | "gradlew.bat"
        | "build.gradle"
        | "build.gradle.kts"
        | "settings.gradle"
        | "settings.gradle.kts" => Some("gradle"),
        "maven" | "mvn" | "mvnw" | "mvnw.cmd" | "mvnd" | "pom.xml" => Some("maven"),
        _ => None,
    }
}

/// Every reader on arbitrary text, for the fuzz target.
pub(in crate::detect) fn fuzz_text(text: &str) -> usize {
    tools_in(text).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_files_images_and_actions_name_their_tool() {
        let workflow =
            "steps:\n  - uses: actions/setup-java@v4\n    with:\n      cache: 'maven'\n  - run: ./mvnw -B verify\n";
        assert_eq!(tools_in(workflow), [(4, "maven"), (5, "maven")]);
        let dockerfile = "FROM gradle:8.10-jdk21 AS build\n# mvn is not used\nCOPY build.gradle.kts settings.gradle.kts ./\nRUN gradle bootJar\n";
        assert_eq!(tools_in(dockerfile), [(1, "gradle"), (3, "gradle"), (4, "gradle")]);
        assert_eq!(tools_in("- uses: gradle/actions/setup-gradle@v4\n"), [(1, "gradle")]);
        assert!(tools_in("implementation 'org.apache.maven:maven-core'\nrepositories { mavenCentral() }\n").is_empty());
    }

    #[test]
    fn a_project_is_named_only_as_a_whole_word() {
        assert!(starts_a_word("RUN ./gradlew :api:bootJar", ":api:"));
        assert!(!starts_a_word("RUN ./gradlew :services:api:bootJar", ":api:"));
        assert!(starts_a_word(
            "COPY --from=build /src/api/build/libs/app.jar .",
            "api/build/"
        ));
        assert!(!starts_a_word("COPY myapi/build/libs/app.jar .", "api/build/"));
    }
}
