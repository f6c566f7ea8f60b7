//! The toolchain lines a repository names besides its manifests: the setup steps and job containers of its
//! GitHub Actions workflows, the images of its GitLab CI, `.circleci` and Bitbucket Pipelines jobs, Travis CI's
//! language versions, tool-version files (`.tool-versions`, `.sdkmanrc`) and the base images of its own
//! container files. Each stack weighs these against its own pins (engines.node, the pom's release); here they
//! are only found, each with its `file:line`.

use std::path::Path;

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::Node;

use super::deploy::{self, logical_lines};
use super::{join_rel, read_small_text};

/// A language runtime whose line the image is chosen by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Node,
    Java,
    Python,
}

/// Where a version was named, strongest first for a stack that ranks them so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Place {
    /// `.tool-versions` (asdf, mise) or `.sdkmanrc`: the line developers run.
    ToolFile,
    /// A CI workflow's setup step or job image: the line the project is tested on.
    Ci,
    /// A static host's build settings (netlify.toml's `NODE_VERSION`): the line its deployed build runs on.
    Hosting,
    /// The base image of a stage of the project's own Dockerfile.
    ContainerFile,
}

impl Place {
    /// How a note names it.
    pub(crate) fn said(self) -> &'static str {
        match self {
            Place::ToolFile => "tool-version file",
            Place::Ci => "CI workflow",
            Place::Hosting => "the hosting config",
            Place::ContainerFile => "the project's Dockerfile",
        }
    }
}

/// One version of `tool` named by the repository, as written (`18.x`, `lts/*`, `17`, `1.22`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    pub(crate) version: String,
    pub(crate) source: String,
    pub(crate) place: Place,
}

/// The setup actions and the input that names their version.
const SETUP_ACTIONS: &[(&str, Tool, &str)] = &[
    ("actions/setup-node", Tool::Node, "node-version"),
    ("actions/setup-java", Tool::Java, "java-version"),
    ("actions/setup-python", Tool::Python, "python-version"),
];

/// Images whose tag is the tool's version (`node:18-alpine`, `cimg/node:20.11`, `eclipse-temurin:17-jre`).
const VERSION_TAGGED: &[(&str, Tool)] = &[
    ("node", Tool::Node),
    ("eclipse-temurin", Tool::Java),
    ("openjdk", Tool::Java),
    ("amazoncorretto", Tool::Java),
    ("ibm-semeru-runtimes", Tool::Java),
    ("sapmachine", Tool::Java),
    ("zulu-openjdk", Tool::Java),
    ("zulu-openjdk-alpine", Tool::Java),
    ("liberica-openjdk-alpine", Tool::Java),
    ("liberica-openjdk-debian", Tool::Java),
    ("openjdk-jre", Tool::Java),
    ("python", Tool::Python),
];

/// Build-tool images whose tag names the JDK in a word (`maven:3.9-eclipse-temurin-17`, `gradle:8-jdk17`).
const JDK_IN_TAG: &[&str] = &["maven", "gradle"];

/// Every version of `tool` the repository at `root` names outside its manifests: tool-version files of the
/// folders `dirs` (the app's folder first, relative to `root`), CI workflows at the root, and container files of
/// `dirs`, in that order.
pub(crate) fn mentions(root: &Path, dirs: &[&str], tool: Tool) -> Vec<Mention> {
    let mut found = Vec::new();
    for dir in dirs {
        found.extend(tool_files(root, dir, tool));
        found.extend(netlify(root, dir, tool));
        found.extend(render(root, dir, tool));
    }
    found.extend(github_workflows(root, tool));
    found.extend(gitlab_ci(root, tool));
    for rel in IMAGE_KEYED_CI {
        found.extend(images_anywhere(root, rel, tool));
    }
    found.extend(travis(root, tool));
    for dir in dirs {
        let folder = root.join(dir);
        for rel in deploy::container_files(&folder) {
            let Some(text) = read_small_text(&folder.join(&rel)).filter(|t| !deploy::is_dockgens_own(t)) else {
                continue;
            };
            found.extend(container_file(&text, &join_rel(dir, &rel), tool));
        }
    }
    found
}

/// `.tool-versions` (`nodejs 20.11.1`, `java temurin-17.0.9+9`) and `.sdkmanrc` (`java=17.0.9-tem`).
fn tool_files(root: &Path, dir: &str, tool: Tool) -> Vec<Mention> {
    let mut found = Vec::new();
    let rel = join_rel(dir, ".tool-versions");
    if let Some(text) = read_small_text(&root.join(&rel)) {
        for (index, line) in text.lines().enumerate() {
            let mut words = line.split('#').next().unwrap_or_default().split_whitespace();
            let named = match words.next() {
                Some("nodejs" | "node") => tool == Tool::Node,
                Some("java") => tool == Tool::Java,
                Some("python") => tool == Tool::Python,
                _ => false,
            };
            if let Some(version) = words.next().filter(|_| named) {
                found.push(Mention {
                    version: tool_version(version, tool),
                    source: format!("{rel}:{}", index + 1),
                    place: Place::ToolFile,
                });
            }
        }
    }
    let rel = join_rel(dir, ".sdkmanrc");
    if tool == Tool::Java {
        if let Some(text) = read_small_text(&root.join(&rel)) {
            for (index, line) in text.lines().enumerate() {
                if let Some(version) = line.trim().strip_prefix("java=") {
                    found.push(Mention {
                        version: tool_version(version, tool),
                        source: format!("{rel}:{}", index + 1),
                        place: Place::ToolFile,
                    });
                }
            }
        }
    }
    found
}

/// Netlify's build image line: `NODE_VERSION` / `PYTHON_VERSION` in netlify.toml's `[build.environment]`, the line
/// the project's deployed build runs on.
fn netlify(root: &Path, dir: &str, tool: Tool) -> Option<Mention> {
    let name = match tool {
        Tool::Node => "NODE_VERSION",
        Tool::Python => "PYTHON_VERSION",
        Tool::Java => return None,
    };
    let rel = join_rel(dir, "netlify.toml");
    let text = read_small_text(&root.join(&rel))?;
    let table: toml::Table = text.parse().ok()?;
    let version = table
        .get("build")?
        .get("environment")?
        .get(name)?
        .as_str()?
        .trim()
        .to_string();
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with(name))
        .map_or(1, |at| at + 1);
    Some(Mention {
        version,
        source: format!("{rel}:{line}"),
        place: Place::Hosting,
    })
}

/// Render's build line: a `NODE_VERSION` / `PYTHON_VERSION` value among the `envVars` of render.yaml's services
/// built from the folder (its `rootDir`), the line the deployed build runs on.
fn render(root: &Path, dir: &str, tool: Tool) -> Option<Mention> {
    let name = match tool {
        Tool::Node => "NODE_VERSION",
        Tool::Python => "PYTHON_VERSION",
        Tool::Java => return None,
    };
    let (version, line) = deploy::render_variable_value(root, dir, name)?;
    Some(Mention {
        version,
        source: format!("render.yaml:{line}"),
        place: Place::Hosting,
    })
}

/// A Java version as version managers write it (`temurin-17.0.9+9`, `17.0.9-tem`, `openjdk-21`) reduced to
/// the version; other tools' versions as written.
fn tool_version(written: &str, tool: Tool) -> String {
    if tool != Tool::Java {
        return written.to_string();
    }
    written
        .split(['-', '+'])
        .find(|part| part.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(written)
        .to_string()
}

/// The GitHub Actions workflow files, `.github/workflows/*.yml` relative to `root`, in name order.
pub(crate) fn workflow_files(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(".github/workflows")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| {
            Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| format!(".github/workflows/{name}"))
        .collect()
}

/// The setup steps (`actions/setup-node` `node-version`, also through `${{ matrix.KEY }}`) and job containers
/// of `.github/workflows/*.yml`, files in name order.
fn github_workflows(root: &Path, tool: Tool) -> Vec<Mention> {
    let mut found = Vec::new();
    for rel in workflow_files(root) {
        let Some(text) = read_small_text(&root.join(&rel)) else {
            continue;
        };
        // Only a job container or the tool's setup action names a version: a workflow with neither word is not
        // parsed (most of a repository's workflows lint, release or label).
        let names_one = super::holds(&text, "container")
            || SETUP_ACTIONS
                .iter()
                .any(|(action, t, _)| *t == tool && super::holds(&text, action));
        if !names_one {
            continue;
        }
        let Ok(doc) = marked_yaml::parse_yaml(0, &text) else {
            continue;
        };
        let Some(jobs) = doc.as_mapping().and_then(|d| d.get_mapping("jobs")) else {
            continue;
        };
        let workflow_env = doc.as_mapping().and_then(|d| d.get_mapping("env"));
        for (_, job) in jobs.iter() {
            let Some(job) = job.as_mapping() else { continue };
            if let Some(image) = job_image(job.get_node("container")) {
                found.extend(image_mention(image.as_str(), tool).map(|version| Mention {
                    version,
                    source: format!("{rel}:{}", scalar_line(image)),
                    place: Place::Ci,
                }));
            }
            let matrix = job.get_mapping("strategy").and_then(|s| s.get_mapping("matrix"));
            for step in job.get_sequence("steps").into_iter().flat_map(|s| s.iter()) {
                let Some(step) = step.as_mapping() else { continue };
                let Some(uses) = step.get_scalar("uses") else { continue };
                let Some((_, _, input)) = SETUP_ACTIONS
                    .iter()
                    .find(|(action, t, _)| *t == tool && uses.as_str().split('@').next() == Some(*action))
                else {
                    continue;
                };
                let Some(value) = step.get_mapping("with").and_then(|w| w.get_node(input)) else {
                    continue;
                };
                // `${{ env.KEY }}`: the step's env, else the job's, else the workflow's.
                let envs = [step.get_mapping("env"), job.get_mapping("env"), workflow_env];
                for (version, line) in step_versions(value, matrix, &envs) {
                    found.push(Mention {
                        version,
                        source: format!("{rel}:{line}"),
                        place: Place::Ci,
                    });
                }
            }
        }
    }
    found
}

/// A setup input's versions: a literal, a list, `${{ matrix.KEY }}` expanded from the job's matrix, or
/// `${{ env.KEY }}` from the first of `envs` that sets it; an expression of anything else names no version.
fn step_versions(
    value: &Node,
    matrix: Option<&MarkedMappingNode>,
    envs: &[Option<&MarkedMappingNode>],
) -> Vec<(String, usize)> {
    let scalars: Vec<&MarkedScalarNode> = match value {
        Node::Scalar(s) => vec![s],
        Node::Sequence(list) => list.iter().filter_map(Node::as_scalar).collect(),
        Node::Mapping(_) => Vec::new(),
    };
    let mut versions = Vec::new();
    for scalar in scalars {
        let text = scalar.as_str().trim();
        if let Some(expression) = text.strip_prefix("${{").and_then(|t| t.strip_suffix("}}")) {
            let expression = expression.trim();
            let set = match (expression.strip_prefix("matrix."), expression.strip_prefix("env.")) {
                (Some(key), _) => matrix.and_then(|m| m.get_node(key)),
                (None, Some(key)) => envs.iter().flatten().find_map(|env| env.get_node(key)),
                (None, None) => None,
            };
            match set {
                Some(Node::Sequence(list)) => versions.extend(
                    list.iter()
                        .filter_map(Node::as_scalar)
                        .map(|s| (s.as_str().to_string(), scalar_line(s))),
                ),
                Some(Node::Scalar(s)) => versions.push((s.as_str().to_string(), scalar_line(s))),
                _ => {}
            }
        } else if !text.contains("${{") && !text.is_empty() {
            versions.push((text.to_string(), scalar_line(scalar)));
        }
    }
    versions
}

/// `container: node:20` or `container: {image: node:20}`; also GitLab's `image: x` and `image: {name: x}`.
fn job_image(node: Option<&Node>) -> Option<&MarkedScalarNode> {
    match node? {
        Node::Scalar(s) => Some(s),
        Node::Mapping(m) => m.get_scalar("image").or_else(|| m.get_scalar("name")),
        Node::Sequence(_) => None,
    }
}

/// `.gitlab-ci.yml`: the top-level `image`, `default`'s, and each job's.
fn gitlab_ci(root: &Path, tool: Tool) -> Vec<Mention> {
    let rel = ".gitlab-ci.yml";
    let Some(text) = read_small_text(&root.join(rel)) else {
        return Vec::new();
    };
    let Ok(doc) = marked_yaml::parse_yaml(0, &text) else {
        return Vec::new();
    };
    let Some(top) = doc.as_mapping() else {
        return Vec::new();
    };
    let mut images: Vec<&MarkedScalarNode> = job_image(top.get_node("image")).into_iter().collect();
    for (_, job) in top.iter() {
        if let Some(job) = job.as_mapping() {
            images.extend(job_image(job.get_node("image")));
        }
    }
    images
        .into_iter()
        .filter_map(|image| {
            image_mention(image.as_str(), tool).map(|version| Mention {
                version,
                source: format!("{rel}:{}", scalar_line(image)),
                place: Place::Ci,
            })
        })
        .collect()
}

/// CI configs that name their jobs' container images under `image` keys at any depth: `.circleci/config.yml`'s
/// `docker: - image: cimg/node:14.17` of jobs and executors, Bitbucket Pipelines' `image:` at the top and in steps.
const IMAGE_KEYED_CI: &[&str] = &[".circleci/config.yml", "bitbucket-pipelines.yml"];

/// Nodes a CI config is read to at most: a config is small, an endless one is cut.
const MAX_CI_NODES: usize = 20_000;

/// Every `image` of the CI config `rel` that names a version of `tool`, in file order.
fn images_anywhere(root: &Path, rel: &str, tool: Tool) -> Vec<Mention> {
    let Some(doc) = read_small_text(&root.join(rel)).and_then(|text| marked_yaml::parse_yaml(0, &text).ok()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut pending: Vec<&Node> = vec![&doc];
    let mut visited = 0;
    while let Some(node) = pending.pop() {
        visited += 1;
        if visited > MAX_CI_NODES {
            break;
        }
        match node {
            Node::Mapping(map) => {
                if let Some(image) = job_image(map.get_node("image")) {
                    found.extend(image_mention(image.as_str(), tool).map(|version| Mention {
                        version,
                        source: format!("{rel}:{}", scalar_line(image)),
                        place: Place::Ci,
                    }));
                }
                pending.extend(map.values());
            }
            Node::Sequence(list) => pending.extend(list.iter()),
            Node::Scalar(_) => {}
        }
    }
    found.sort_by_key(|mention| line_of(&mention.source));
    found
}

fn line_of(source: &str) -> usize {
    source
        .rsplit(':')
        .next()
        .and_then(|line| line.parse().ok())
        .unwrap_or(0)
}

/// `.travis.yml`'s language versions: `node_js`, `python` (a version or a list of them) and `jdk`
/// (`openjdk11`).
fn travis(root: &Path, tool: Tool) -> Vec<Mention> {
    let rel = ".travis.yml";
    let key = match tool {
        Tool::Node => "node_js",
        Tool::Python => "python",
        Tool::Java => "jdk",
    };
    let Some(doc) = read_small_text(&root.join(rel)).and_then(|text| marked_yaml::parse_yaml(0, &text).ok()) else {
        return Vec::new();
    };
    let scalars: Vec<&MarkedScalarNode> = match doc.as_mapping().and_then(|top| top.get_node(key)) {
        Some(Node::Scalar(one)) => vec![one],
        Some(Node::Sequence(list)) => list.iter().filter_map(Node::as_scalar).collect(),
        _ => Vec::new(),
    };
    scalars
        .into_iter()
        .filter_map(|scalar| {
            let written = scalar.as_str().trim();
            let version = if tool == Tool::Java {
                written.trim_start_matches(|c: char| c.is_ascii_alphabetic())
            } else {
                written
            };
            version.starts_with(|c: char| c.is_ascii_digit()).then(|| Mention {
                version: version.to_string(),
                source: format!("{rel}:{}", scalar_line(scalar)),
                place: Place::Ci,
            })
        })
        .collect()
}

/// The base image of every stage (`FROM [--platform=…] IMAGE [AS name]`), with the file's `ARG` defaults
/// declared before it filled in (`FROM node:${NODE_VERSION}-alpine`).
fn container_file(text: &str, file: &str, tool: Tool) -> Vec<Mention> {
    let mut defaults: Vec<(String, String)> = Vec::new();
    let mut found = Vec::new();
    for (line, logical) in logical_lines(text) {
        let mut words = logical.split_whitespace();
        let instruction = words.next().unwrap_or_default().to_ascii_uppercase();
        match instruction.as_str() {
            "ARG" => {
                for word in words {
                    if let Some((name, value)) = word.split_once('=') {
                        defaults.push((name.to_string(), value.trim_matches('"').to_string()));
                    }
                }
            }
            "FROM" => {
                let Some(image) = words.find(|w| !w.starts_with("--")) else {
                    continue;
                };
                let mut image = image.to_string();
                for (name, value) in &defaults {
                    image = image
                        .replace(&format!("${{{name}}}"), value)
                        .replace(&format!("${name}"), value);
                }
                if image.contains('$') {
                    continue;
                }
                found.extend(image_mention(&image, tool).map(|version| Mention {
                    version,
                    source: format!("{file}:{line}"),
                    place: Place::ContainerFile,
                }));
            }
            _ => {}
        }
    }
    found
}

/// The version of `tool` an image reference names: `node:20-alpine` → `20`, `cimg/node:18.17` → `18.17`,
/// `maven:3.9-eclipse-temurin-17` → `17`; None for another tool's image or a tag without a version
/// (`node:alpine`, `node:latest`).
pub(crate) fn image_mention(image: &str, tool: Tool) -> Option<String> {
    let image = image.split('@').next().unwrap_or(image);
    let (name, tag) = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => return None,
    };
    let base = name.rsplit('/').next().unwrap_or(name);
    if VERSION_TAGGED.iter().any(|(n, t)| *n == base && *t == tool) {
        let version: String = tag
            .split('-')
            .next()
            .unwrap_or_default()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let version = version.trim_end_matches('.');
        return (!version.is_empty()).then(|| version.to_string());
    }
    if tool == Tool::Java && JDK_IN_TAG.contains(&base) {
        let words: Vec<&str> = tag.split('-').collect();
        return words.iter().enumerate().find_map(|(i, word)| {
            let digits = |w: &str| (!w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())).then(|| w.to_string());
            ["jdk", "java", "openjdk"]
                .iter()
                .find_map(|prefix| word.strip_prefix(prefix).and_then(digits))
                .or_else(|| {
                    let vendor = matches!(
                        *word,
                        "temurin" | "openjdk" | "corretto" | "sapmachine" | "semeru" | "jdk"
                    );
                    vendor.then(|| words.get(i + 1).copied().and_then(digits)).flatten()
                })
        });
    }
    None
}

fn scalar_line(scalar: &MarkedScalarNode) -> usize {
    scalar.span().start().map_or(1, marked_yaml::Marker::line)
}

/// Every reader on arbitrary text, for the fuzz target.
pub(crate) fn fuzz_text(text: &str) -> usize {
    let from =
        container_file(text, "Dockerfile", Tool::Node).len() + container_file(text, "Dockerfile", Tool::Java).len();
    let images = text
        .split_whitespace()
        .filter_map(|w| image_mention(w, Tool::Java).or_else(|| image_mention(w, Tool::Node)))
        .count();
    from + images + tool_version(text, Tool::Java).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_name_their_tools_version() {
        for (image, tool, version) in [
            ("node:20-alpine", Tool::Node, Some("20")),
            (
                "docker.io/library/node:18.17.1-bookworm-slim",
                Tool::Node,
                Some("18.17.1"),
            ),
            ("cimg/node:22.3", Tool::Node, Some("22.3")),
            ("node:lts-alpine", Tool::Node, None),
            ("node", Tool::Node, None),
            ("golang:1.22", Tool::Node, None),
            ("eclipse-temurin:17-jre-alpine", Tool::Java, Some("17")),
            ("maven:3.9.6-eclipse-temurin-21", Tool::Java, Some("21")),
            ("maven:3.8-openjdk-11-slim", Tool::Java, Some("11")),
            ("gradle:8.5-jdk17", Tool::Java, Some("17")),
            ("maven:3.9", Tool::Java, None),
            ("registry:5000/node", Tool::Node, None),
        ] {
            assert_eq!(image_mention(image, tool).as_deref(), version, "{image}");
        }
    }

    #[test]
    fn dockerfile_stages_with_arg_defaults() {
        let text = "ARG NODE_VERSION=18.19\nFROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-alpine AS build\n\
                    FROM $BASE\nFROM node:20-slim\n";
        let found = container_file(text, "Dockerfile", Tool::Node);
        let versions: Vec<(&str, &str)> = found.iter().map(|m| (m.version.as_str(), m.source.as_str())).collect();
        assert_eq!(versions, vec![("18.19", "Dockerfile:2"), ("20", "Dockerfile:4")]);
    }

    #[test]
    fn workflow_setup_steps_matrices_and_containers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
        std::fs::write(
            dir.path().join(".github/workflows/ci.yml"),
            "on: push\njobs:\n  test:\n    strategy:\n      matrix:\n        node: [18, 20.x]\n    steps:\n      \
             - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with:\n          \
             node-version: ${{ matrix.node }}\n  lint:\n    container: node:22-alpine\n    steps:\n      \
             - uses: actions/setup-node@v4\n        with:\n          node-version: ${{ env.NODE }}\n      \
             - uses: actions/setup-java@v4\n        with:\n          java-version: '17'\n  deploy:\n    env:\n      \
             NODE_VERSION: '20.x'\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          \
             node-version: ${{ env.NODE_VERSION }}\n",
        )
        .unwrap();
        let node: Vec<(String, String)> = mentions(dir.path(), &["."], Tool::Node)
            .into_iter()
            .map(|m| (m.version, m.source))
            .collect();
        assert_eq!(
            node,
            vec![
                ("18".into(), ".github/workflows/ci.yml:6".into()),
                ("20.x".into(), ".github/workflows/ci.yml:6".into()),
                ("22".into(), ".github/workflows/ci.yml:13".into()),
                ("20.x".into(), ".github/workflows/ci.yml:23".into()),
            ]
        );
        let java: Vec<String> = mentions(dir.path(), &["."], Tool::Java)
            .into_iter()
            .map(|m| m.version)
            .collect();
        assert_eq!(java, vec!["17"]);
    }

    #[test]
    fn tool_files_and_gitlab_images() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".tool-versions"),
            "golang 1.22.1\nnodejs 20.11.1 # pinned\njava temurin-17.0.9+9\n",
        )
        .unwrap();
        std::fs::write(dir.path().join(".sdkmanrc"), "# sdk env\njava=21.0.2-tem\n").unwrap();
        std::fs::write(
            dir.path().join(".gitlab-ci.yml"),
            "image: node:18\ntest:\n  image:\n    name: maven:3.9-eclipse-temurin-17\n  script: [mvn test]\n",
        )
        .unwrap();
        let all = |tool| -> Vec<(String, String, Place)> {
            mentions(dir.path(), &["."], tool)
                .into_iter()
                .map(|m| (m.version, m.source, m.place))
                .collect()
        };
        assert_eq!(
            all(Tool::Node),
            vec![
                ("20.11.1".into(), ".tool-versions:2".into(), Place::ToolFile),
                ("18".into(), ".gitlab-ci.yml:1".into(), Place::Ci),
            ]
        );
        assert_eq!(
            all(Tool::Java),
            vec![
                ("17.0.9".into(), ".tool-versions:3".into(), Place::ToolFile),
                ("21.0.2".into(), ".sdkmanrc:2".into(), Place::ToolFile),
                ("17".into(), ".gitlab-ci.yml:4".into(), Place::Ci),
            ]
        );
    }

    #[test]
    fn circleci_bitbucket_and_travis_name_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".circleci")).unwrap();
        std::fs::write(
            dir.path().join(".circleci/config.yml"),
            concat!(
                "version: 2.1\nexecutors:\n  node:\n    docker:\n      - image: cimg/node:14.17.1\n        auth: {}\n",
                "jobs:\n  build:\n    docker:\n      - image: cimg/node:16.20\n      - image: cimg/postgres:14.1\n",
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("bitbucket-pipelines.yml"),
            "image: python:3.11\npipelines:\n  default:\n    - step:\n        image: node:20\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(".travis.yml"),
            "language: node_js\nnode_js:\n  - '12'\n  - lts/*\njdk: openjdk11\n",
        )
        .unwrap();
        let all = |tool| -> Vec<(String, String)> {
            mentions(dir.path(), &["."], tool)
                .into_iter()
                .map(|m| (m.version, m.source))
                .collect()
        };
        assert_eq!(
            all(Tool::Node),
            vec![
                ("14.17.1".into(), ".circleci/config.yml:5".into()),
                ("16.20".into(), ".circleci/config.yml:10".into()),
                ("20".into(), "bitbucket-pipelines.yml:5".into()),
                ("12".into(), ".travis.yml:3".into()),
            ]
        );
        assert_eq!(
            all(Tool::Python),
            vec![("3.11".into(), "bitbucket-pipelines.yml:1".into())]
        );
        assert_eq!(all(Tool::Java), vec![("11".into(), ".travis.yml:5".into())]);
    }
}
