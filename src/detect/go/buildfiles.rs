//! The build files a Go repository already has — Makefile, justfile, Taskfile, goreleaser, Dockerfiles and
//! Containerfiles, Procfile — read into plain evidence: which package they build, under which binary name. The
//! main packages are ranked with it; none of these files' steps is ever copied.

use std::path::Path;

use crate::detect::deploy::{self, line_of, logical_lines};
use crate::detect::read_small_text;

/// One `go build` (or `go install`) a build file runs, or a release config's build entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoBuild {
    /// The package built, as written (`./cmd/api`, `.`, `./cmd/api/main.go`, `example.com/app/cmd/api`); None
    /// when the command names none (`go build` builds the current folder: the root for these files).
    pub(crate) package: Option<String>,
    /// The binary's file name (`-o bin/api` → `api`, goreleaser `binary`), when the file says it literally.
    pub(crate) binary: Option<String>,
    /// `Makefile:12`, `.goreleaser.yaml:8`.
    pub(crate) source: String,
    /// The build tags it passes (`-tags sqlite,fs_embed`, goreleaser's `tags:`).
    pub(crate) tags: BuildTags,
    /// Whether a Dockerfile or Containerfile runs it: how the project already builds its image.
    pub(crate) in_container_file: bool,
    /// The `CGO_ENABLED` the build sets (`CGO_ENABLED=0 go build`, goreleaser's `env:`), when it sets one
    /// literally.
    pub(crate) cgo: Option<bool>,
}

/// `CGO_ENABLED=0` or `=1` among environment assignments, the last one winning as in a shell.
fn cgo_setting<'w>(assignments: impl IntoIterator<Item = &'w str>, variables: &[(String, String)]) -> Option<bool> {
    assignments
        .into_iter()
        .filter_map(|word| word.strip_prefix("CGO_ENABLED="))
        .filter_map(|value| expand(value, variables, 0))
        .filter_map(|value| match value.as_str() {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        })
        .last()
}

/// The `-tags` of one build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum BuildTags {
    #[default]
    None,
    /// Every tag, in the build's order, each a valid tag name.
    Listed(Vec<String>),
    /// A value the file does not define (`-tags $(TAGS)` with TAGS from the environment) or that is not a list
    /// of tag names: its text as written.
    Unknown(String),
}

impl BuildTags {
    /// The tags it names; none for a build without tags or with tags it does not spell out.
    pub(crate) fn listed(&self) -> &[String] {
        match self {
            BuildTags::Listed(tags) => tags,
            BuildTags::None | BuildTags::Unknown(_) => &[],
        }
    }
}

/// A `-tags` value with the file's variables expanded: comma-separated (the old space-separated form too).
fn tags_of(value: &str, variables: &[(String, String)]) -> BuildTags {
    let Some(expanded) = expand(value, variables, 0) else {
        return BuildTags::Unknown(value.to_string());
    };
    let mut tags: Vec<String> = Vec::new();
    for tag in expanded.split([',', ' ', '\t']).filter(|t| !t.is_empty()) {
        if !crate::validate::is_build_tag(tag) {
            return BuildTags::Unknown(expanded);
        }
        if !tags.iter().any(|known| known == tag) {
            tags.push(tag.to_string());
        }
    }
    if tags.is_empty() {
        BuildTags::None
    } else {
        BuildTags::Listed(tags)
    }
}

/// What the build files say about the Go programs they build.
#[derive(Debug, Default)]
pub(crate) struct BuildFiles {
    pub(crate) go_builds: Vec<GoBuild>,
    /// The program of Procfile's `web:` process (`bin/server --port $PORT` → `server`) and its line.
    pub(crate) procfile_web: Option<(String, String)>,
    /// The programs compose services serve (`command: ["/server"]` with published ports → `server`), each with
    /// its line.
    pub(crate) compose_served: Vec<(String, String)>,
    /// Build files that exist but could not be understood; said as warnings, never fatal.
    pub(crate) unreadable: Vec<String>,
}

const MAKEFILES: &[&str] = &["GNUmakefile", "makefile", "Makefile"];

const JUSTFILES: &[&str] = &["justfile", "Justfile", ".justfile"];

const TASKFILES: &[&str] = &["Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml"];

const GORELEASER: &[&str] = &[
    ".goreleaser.yml",
    ".goreleaser.yaml",
    "goreleaser.yml",
    "goreleaser.yaml",
];

/// Expanding variables stops here: deeper or longer expansions are not literal names any more.
const MAX_EXPANSION_DEPTH: usize = 4;

const MAX_EXPANDED_LEN: usize = 4096;

/// Reads every build file `root` has. Missing files are simply absent; unreadable ones are listed.
pub(crate) fn read(root: &Path) -> BuildFiles {
    let mut found = BuildFiles::default();
    for name in GORELEASER {
        if let Some(text) = read_small_text(&root.join(name)) {
            match goreleaser_builds(&text, name) {
                Ok(builds) => found.go_builds.extend(builds),
                Err(why) => found.unreadable.push(format!("{name}: {why}")),
            }
        }
    }
    for name in MAKEFILES {
        if let Some(text) = read_small_text(&root.join(name)) {
            found.go_builds.extend(script_builds(&text, name, Syntax::Make));
        }
    }
    for name in JUSTFILES {
        if let Some(text) = read_small_text(&root.join(name)) {
            found.go_builds.extend(script_builds(&text, name, Syntax::Just));
        }
    }
    for name in TASKFILES {
        if let Some(text) = read_small_text(&root.join(name)) {
            match taskfile_builds(&text, name) {
                Ok(builds) => found.go_builds.extend(builds),
                Err(why) => found.unreadable.push(format!("{name}: {why}")),
            }
        }
    }
    for rel in deploy::container_files(root) {
        let text = read_small_text(&root.join(&rel)).filter(|t| !deploy::is_dockgens_own(t));
        if let Some(text) = text {
            found.go_builds.extend(script_builds(&text, &rel, Syntax::Dockerfile));
        }
    }
    if let Some(text) = read_small_text(&root.join("Procfile")) {
        found.procfile_web = procfile_web(&text);
    }
    found.compose_served = deploy::served_commands(root)
        .into_iter()
        .filter_map(|(words, source)| Some((binary_name_of_output(words.first()?)?, source)))
        .collect();
    found
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Make,
    Just,
    Dockerfile,
}

/// `go build` lines of a line-oriented file (recipes, RUN steps), continuation lines joined, with the file's
/// simple variable assignments expanded (`BINARY := relay`, `name := "relay"`, `ARG BIN=relay`).
fn script_builds(text: &str, file: &str, syntax: Syntax) -> Vec<GoBuild> {
    let mut variables: Vec<(String, String)> = Vec::new();
    let mut builds = Vec::new();
    for (line, logical) in logical_lines(text) {
        if let Some((name, value)) = assignment(&logical, syntax) {
            variables.push((name, value));
            continue;
        }
        // `cd web && go build` builds in that folder.
        let mut folder: Option<String> = None;
        for command in go_build_commands(&logical) {
            if let Some(dir) = command.strip_prefix("cd ") {
                folder = expand(dir.trim(), &variables, 0)
                    .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_string());
                continue;
            }
            if let Some(found) = parse_go_build(&command, &variables, &format!("{file}:{line}")) {
                builds.extend(found.into_iter().map(|mut build| {
                    build.in_container_file = syntax == Syntax::Dockerfile;
                    in_folder(build, folder.as_deref())
                }));
            }
        }
    }
    builds
}

/// A build run after `cd DIR`: its package is relative to DIR.
fn in_folder(mut build: GoBuild, folder: Option<&str>) -> GoBuild {
    let Some(folder) = folder.filter(|f| !f.is_empty() && *f != "." && !f.starts_with('/') && !f.contains("..")) else {
        return build;
    };
    build.package = Some(match build.package.as_deref() {
        None | Some(".") => format!("./{folder}"),
        Some(p) if p.starts_with("./") => format!("./{folder}/{}", &p[2..]),
        Some(other) => other.to_string(),
    });
    build
}

/// A variable assignment at the start of a line: `NAME := value` (make, just), `ARG/ENV NAME=value`
/// (Dockerfile). Values keep their text, with just's quotes removed.
fn assignment(line: &str, syntax: Syntax) -> Option<(String, String)> {
    let (name, value) = match syntax {
        Syntax::Make | Syntax::Just => {
            if line.starts_with(char::is_whitespace) {
                return None;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let at = line.find('=')?;
            let name = line[..at].trim_end_matches([':', '?', '+', '!']).trim();
            (name, line[at + 1..].trim())
        }
        Syntax::Dockerfile => {
            let mut words = line.split_whitespace();
            let keyword = words.next()?.to_ascii_uppercase();
            if keyword != "ARG" && keyword != "ENV" {
                return None;
            }
            let (name, value) = words.next()?.split_once('=')?;
            (name, value)
        }
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    // A quoted value (just's strings) loses its quotes; quotes inside it (`-tags "$(TAGS)"`) stay.
    let value = ['"', '\'']
        .iter()
        .find_map(|quote| value.strip_prefix(*quote)?.strip_suffix(*quote))
        .unwrap_or(value);
    Some((name.to_string(), value.to_string()))
}

/// The shell commands of a line that run `go build` or `go install`, split at `&&`, `||`, `;` and `|`.
fn go_build_commands(line: &str) -> Vec<String> {
    if !line.contains("go ") && !line.contains("go\t") && !line.contains("GO") {
        return Vec::new();
    }
    line.split("&&")
        .flat_map(|part| part.split("||"))
        .flat_map(|part| part.split([';', '|']))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// go build flags that take a value in the next word.
const VALUED_FLAGS: &[&str] = &[
    "o",
    "ldflags",
    "gcflags",
    "asmflags",
    "gccgoflags",
    "tags",
    "mod",
    "modfile",
    "p",
    "pkgdir",
    "toolexec",
    "overlay",
    "pgo",
    "installsuffix",
    "buildmode",
    "compiler",
    "covermode",
    "coverpkg",
    "C",
];

/// Reads one shell command; None when it is not `go build`/`go install`. A command that builds several
/// packages gives one entry each. A word that is only a variable (`$(BUILD_FLAGS)`) stands for the words
/// of its value; `GOFLAGS=-tags=x` before the command passes its flags too.
fn parse_go_build(command: &str, variables: &[(String, String)], source: &str) -> Option<Vec<GoBuild>> {
    let words = shlex::split(command)?;
    let at = words.iter().position(|w| w == "build" || w == "install")?;
    let tool = words[..at].last()?;
    let is_go = tool == "go" || tool.ends_with("/go") || is_variable_reference(tool) && expands_to_go(tool, variables);
    if !is_go {
        return None;
    }
    let goflags = words[..at]
        .iter()
        .filter_map(|w| w.strip_prefix("GOFLAGS="))
        .filter_map(|value| expand(value, variables, 0))
        .filter_map(|value| shlex::split(&value));
    let mut arguments: Vec<String> = goflags.flatten().collect();
    for word in &words[at + 1..] {
        let spliced = is_variable_reference(word)
            .then(|| expand(word, variables, 0))
            .flatten()
            .and_then(|value| shlex::split(&value));
        match spliced {
            Some(expanded) => arguments.extend(expanded),
            None => arguments.push(word.clone()),
        }
    }
    let cgo = cgo_setting(words[..at].iter().map(String::as_str), variables);
    let mut output = None;
    let mut tags = BuildTags::None;
    let mut packages = Vec::new();
    let mut rest = arguments.iter();
    while let Some(word) = rest.next() {
        if let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) {
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (flag, None),
            };
            if VALUED_FLAGS.contains(&name) {
                let value = inline.or_else(|| rest.next().cloned());
                match name {
                    "o" => output = value,
                    "tags" => tags = value.map_or(BuildTags::None, |v| tags_of(&v, variables)),
                    _ => {}
                }
            }
            continue;
        }
        packages.push(word.clone());
    }
    let binary = output
        .and_then(|o| expand(&o, variables, 0))
        .and_then(|o| binary_name_of_output(&o));
    let packages: Vec<Option<String>> = if packages.is_empty() {
        vec![None]
    } else {
        packages
            .iter()
            .filter_map(|p| expand(p, variables, 0))
            .filter(|p| !p.contains("...") && !p.contains('*'))
            .map(Some)
            .collect()
    };
    Some(
        packages
            .into_iter()
            .map(|package| GoBuild {
                package,
                binary: binary.clone(),
                source: source.to_string(),
                tags: tags.clone(),
                in_container_file: false,
                cgo,
            })
            .collect(),
    )
}

fn is_variable_reference(word: &str) -> bool {
    (word.starts_with("$(") && word.ends_with(')')) || (word.starts_with("${") && word.ends_with('}'))
}

fn expands_to_go(word: &str, variables: &[(String, String)]) -> bool {
    expand(word, variables, 0).is_some_and(|w| w == "go" || w.ends_with("/go"))
        // `$(GO) build` with GO set outside the file (the environment) is still the go command.
        || ["GO", "GOCMD", "GO_CMD", "GOBIN_CMD"].contains(&word.trim_matches(['$', '(', ')', '{', '}']))
}

/// Replaces `$(NAME)`, `${NAME}`, `{{NAME}}` and `{{.NAME}}` by the file's own assignments; None when a
/// reference is left that the file does not define (the value is not literal, so it is not evidence).
fn expand(text: &str, variables: &[(String, String)], depth: usize) -> Option<String> {
    if depth > MAX_EXPANSION_DEPTH || text.len() > MAX_EXPANDED_LEN {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(['$', '{']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let (open, close) = if tail.starts_with("$(") {
            ("$(", ")")
        } else if tail.starts_with("${") {
            ("${", "}")
        } else if tail.starts_with("{{") {
            ("{{", "}}")
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
            continue;
        };
        let end = tail.find(close)?;
        let name = tail[open.len()..end].trim().trim_start_matches('.');
        // The last assignment wins, as in make.
        let (_, value) = variables.iter().rev().find(|(n, _)| n == name)?;
        out.push_str(&expand(value, variables, depth + 1)?);
        rest = &tail[end + close.len()..];
    }
    out.push_str(rest);
    (out.len() <= MAX_EXPANDED_LEN).then_some(out)
}

/// Systems other than Linux, as release builds suffix their binaries (`hey_windows_amd64`, `app-darwin`).
const OTHER_SYSTEMS: &[&str] = &[
    "windows", "darwin", "freebsd", "openbsd", "netbsd", "solaris", "aix", "plan9", "macos",
];

/// Architectures a cross-compiled binary's name ends with (`fwatchdog-amd64`, `app_arm64`).
const ARCHITECTURES: &[&str] = &[
    "amd64", "arm64", "arm", "armhf", "armv6", "armv7", "arm64v8", "386", "i386", "x86_64", "aarch64", "ppc64le",
    "s390x", "riscv64",
];

/// `bin/api` → `api`; `dist/app_linux_amd64` → `app`; `bin/fwatchdog-amd64` → `fwatchdog`. A folder (`bin/`, `.`) or a binary for another system
/// (`.exe`, `_darwin_arm64`) gives none: it is not what a Linux image runs.
fn binary_name_of_output(output: &str) -> Option<String> {
    if output.ends_with('/') {
        return None;
    }
    let name = output.rsplit('/').next()?;
    let lower = name.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split(['-', '_', '.']).collect();
    let valid = !name.is_empty()
        && name != "."
        && name != ".."
        && Path::new(&lower).extension().is_none_or(|e| e != "exe")
        && !parts.iter().any(|p| OTHER_SYSTEMS.contains(p))
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return None;
    }
    // A Linux release name keeps only the program's name.
    let base = match lower.find("_linux").or_else(|| lower.find("-linux")) {
        Some(at) if at > 0 => &name[..at],
        _ => name,
    };
    // A cross-compile target's architecture suffix is not part of the program's name either.
    let base = match base.rsplit_once(['-', '_']) {
        Some((program, arch)) if !program.is_empty() && ARCHITECTURES.contains(&arch.to_ascii_lowercase().as_str()) => {
            program
        }
        _ => base,
    };
    Some(base.to_string())
}

/// goreleaser's `builds[]`: `main` (default `.`) and `binary` (default the project name), each a build.
fn goreleaser_builds(text: &str, file: &str) -> Result<Vec<GoBuild>, String> {
    let doc = marked_yaml::parse_yaml(0, text).map_err(|e| e.to_string())?;
    let Some(top) = doc.as_mapping() else {
        return Ok(Vec::new());
    };
    let project = top.get_scalar("project_name").map(|s| s.as_str().to_string());
    let variables: Vec<(String, String)> = project.iter().map(|p| ("ProjectName".to_string(), p.clone())).collect();
    let Some(builds) = top.get_sequence("builds") else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for build in builds.iter() {
        let Some(entry) = build.as_mapping() else { continue };
        if entry.get_scalar("skip").is_some_and(|s| s.as_bool() == Some(true)) {
            continue;
        }
        let main = entry.get_scalar("main");
        let dir = entry
            .get_scalar("dir")
            .map(|d| d.as_str().trim_end_matches('/').to_string());
        let package = main.map(|m| m.as_str().to_string()).map(|m| match &dir {
            Some(dir) if dir != "." => format!("./{}/{}", dir.trim_start_matches("./"), m.trim_start_matches("./")),
            _ => m,
        });
        let binary = entry
            .get_scalar("binary")
            .and_then(|b| expand(b.as_str(), &variables, 0))
            .or_else(|| project.clone())
            .and_then(|b| binary_name_of_output(&b));
        let line = line_of(build);
        found.push(GoBuild {
            package: Some(package.unwrap_or_else(|| ".".into())),
            binary,
            source: format!("{file}:{line}"),
            tags: goreleaser_tags(entry, &variables),
            in_container_file: false,
            cgo: goreleaser_cgo(entry, &variables),
        });
    }
    Ok(found)
}

/// A goreleaser build's `CGO_ENABLED`, from its `env:` list.
fn goreleaser_cgo(entry: &marked_yaml::types::MarkedMappingNode, variables: &[(String, String)]) -> Option<bool> {
    let env = entry.get_sequence("env")?;
    cgo_setting(env.iter().filter_map(|item| Some(item.as_scalar()?.as_str())), variables)
}

/// A goreleaser build's tags: its `tags:` list, else a `-tags` among its `flags:`. Template values
/// (`{{ .Env.TAGS }}`) are not literal: the tags are then unknown.
fn goreleaser_tags(entry: &marked_yaml::types::MarkedMappingNode, variables: &[(String, String)]) -> BuildTags {
    let scalars = |key: &str| -> Vec<String> {
        match entry.get_node(key) {
            Some(marked_yaml::Node::Scalar(one)) => vec![one.as_str().to_string()],
            Some(marked_yaml::Node::Sequence(items)) => items
                .iter()
                .filter_map(|item| Some(item.as_scalar()?.as_str().to_string()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let listed = scalars("tags");
    if !listed.is_empty() {
        return tags_of(&listed.join(","), variables);
    }
    let flags = scalars("flags");
    let mut words = flags.iter().flat_map(|flag| flag.split_whitespace());
    while let Some(word) = words.next() {
        match word.trim_start_matches('-').split_once('=') {
            Some(("tags", value)) => return tags_of(value, variables),
            None if word.trim_start_matches('-') == "tags" && word.starts_with('-') => {
                return words.next().map_or(BuildTags::None, |value| tags_of(value, variables));
            }
            _ => {}
        }
    }
    BuildTags::None
}

/// Taskfile: every command string of every task (`cmds:` items, `cmd:`), with its top-level `vars`.
fn taskfile_builds(text: &str, file: &str) -> Result<Vec<GoBuild>, String> {
    let doc = marked_yaml::parse_yaml(0, text).map_err(|e| e.to_string())?;
    let Some(top) = doc.as_mapping() else {
        return Ok(Vec::new());
    };
    let variables: Vec<(String, String)> = top
        .get_mapping("vars")
        .map(|vars| {
            vars.iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.as_scalar()?.as_str().to_string())))
                .collect()
        })
        .unwrap_or_default();
    let mut strings = Vec::new();
    if let Some(tasks) = top.get_mapping("tasks") {
        for task in tasks.values() {
            collect_scalars(task, &mut strings);
        }
    }
    let mut found = Vec::new();
    for (command, line) in strings {
        for part in go_build_commands(&command) {
            if let Some(builds) = parse_go_build(&part, &variables, &format!("{file}:{line}")) {
                found.extend(builds);
            }
        }
    }
    Ok(found)
}

fn collect_scalars(node: &marked_yaml::Node, out: &mut Vec<(String, usize)>) {
    match node {
        marked_yaml::Node::Scalar(s) => out.push((s.as_str().to_string(), line_of(node))),
        marked_yaml::Node::Sequence(items) => items.iter().for_each(|n| collect_scalars(n, out)),
        marked_yaml::Node::Mapping(map) => map.values().for_each(|n| collect_scalars(n, out)),
    }
}

/// `web: bin/server --port $PORT` → (`server`, `Procfile:1`).
fn procfile_web(text: &str) -> Option<(String, String)> {
    let web = deploy::procfile_web(text, "Procfile")?;
    let (words, source) = web.command?;
    Some((binary_name_of_output(words.first()?)?, source))
}

/// Every reader on arbitrary text, for the fuzz target (`detect::fuzzing::go_source`).
pub(crate) fn fuzz_text(text: &str) -> usize {
    let scripts: usize = [Syntax::Make, Syntax::Just, Syntax::Dockerfile]
        .into_iter()
        .map(|syntax| script_builds(text, "F", syntax).len())
        .sum();
    let yaml = goreleaser_builds(text, "g").map_or(0, |b| b.len()) + taskfile_builds(text, "t").map_or(0, |b| b.len());
    scripts + yaml + usize::from(procfile_web(text).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builds(text: &str, syntax: Syntax) -> Vec<(Option<String>, Option<String>, String)> {
        script_builds(text, "F", syntax)
            .into_iter()
            .map(|b| (b.package, b.binary, b.source))
            .collect()
    }

    #[test]
    fn makefile_builds_with_variables_and_continuations() {
        let text = "BINARY ?= relay\nGO := go\n\nbuild:\n\tCGO_ENABLED=0 $(GO) build -trimpath \\\n\t\t-ldflags \"-s -w\" -o bin/$(BINARY) ./cmd/relay\n\ntools:\n\tgo build -o bin/ ./hack/gen && go test ./...\n";
        assert_eq!(
            builds(text, Syntax::Make),
            vec![
                (Some("./cmd/relay".into()), Some("relay".into()), "F:5".into()),
                (Some("./hack/gen".into()), None, "F:9".into()),
            ]
        );
    }

    #[test]
    fn a_build_after_cd_is_in_that_folder() {
        assert_eq!(
            builds("build:\n\tcd cmd/api && go build -o ../../bin/api\n", Syntax::Make),
            vec![(Some("./cmd/api".into()), Some("api".into()), "F:2".into())]
        );
    }

    #[test]
    fn unknown_variables_are_not_evidence() {
        assert_eq!(
            builds("build:\n\tgo build -o $(OUT) ./cmd/x\n", Syntax::Make),
            vec![(Some("./cmd/x".into()), None, "F:2".into())]
        );
        assert!(builds("build:\n\tdocker build -t x .\n\tnpm run build\n", Syntax::Make).is_empty());
    }

    #[test]
    fn justfile_and_dockerfile_builds() {
        assert_eq!(
            builds(
                "name := \"svc\"\nbuild:\n    go build -o {{name}} ./cmd/svc\n",
                Syntax::Just
            ),
            vec![(Some("./cmd/svc".into()), Some("svc".into()), "F:3".into())]
        );
        let dockerfile = "FROM golang:1.22 AS build\nARG BIN=api\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download && go build -o /out/${BIN} ./cmd/api\n";
        assert_eq!(
            builds(dockerfile, Syntax::Dockerfile),
            vec![(Some("./cmd/api".into()), Some("api".into()), "F:3".into())]
        );
    }

    #[test]
    fn goreleaser_builds_name_main_and_binary() {
        let text = "project_name: relay\nbuilds:\n  - id: relay\n    main: ./cmd/relay\n  - id: tool\n    main: ./cmd/relayctl\n    binary: relayctl\n  - id: off\n    skip: true\n";
        let found = goreleaser_builds(text, ".goreleaser.yaml").unwrap();
        let shown: Vec<_> = found
            .iter()
            .map(|b| (b.package.clone(), b.binary.clone(), b.source.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    Some("./cmd/relay".into()),
                    Some("relay".into()),
                    ".goreleaser.yaml:3".into()
                ),
                (
                    Some("./cmd/relayctl".into()),
                    Some("relayctl".into()),
                    ".goreleaser.yaml:5".into()
                ),
            ]
        );
        assert!(goreleaser_builds("a: &x 1\nb: *x\n", "g").is_err());
        assert!(goreleaser_builds("- not a mapping\n", "g").is_err());
    }

    #[test]
    fn taskfile_commands_are_read_with_vars() {
        let text =
            "version: '3'\nvars:\n  APP: web\ntasks:\n  build:\n    cmds:\n      - go build -o dist/{{.APP}} .\n";
        let found = taskfile_builds(text, "Taskfile.yml").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].package.as_deref(), Some("."));
        assert_eq!(found[0].binary.as_deref(), Some("web"));
        assert_eq!(found[0].source, "Taskfile.yml:7");
    }

    #[test]
    fn procfile_names_the_web_program() {
        assert_eq!(
            procfile_web("worker: bin/worker\nweb: PORT=1 bin/server --port $PORT\n"),
            Some(("server".into(), "Procfile:2".into()))
        );
    }

    #[test]
    fn release_names_for_other_systems_are_not_the_binary() {
        assert_eq!(binary_name_of_output("bin/hey_windows_amd64"), None);
        assert_eq!(binary_name_of_output("dist/app-darwin-arm64"), None);
        assert_eq!(binary_name_of_output("dist/app_linux_amd64").as_deref(), Some("app"));
        assert_eq!(binary_name_of_output("bin/").as_deref(), None);
        assert_eq!(binary_name_of_output("bin/fwatchdog-amd64").as_deref(), Some("fwatchdog"));
        assert_eq!(binary_name_of_output("bin/app_arm64").as_deref(), Some("app"));
        assert_eq!(binary_name_of_output("bin/x86").as_deref(), Some("x86"));
        assert_eq!(binary_name_of_output("./relay").as_deref(), Some("relay"));
    }

    fn tags(text: &str, syntax: Syntax) -> Vec<BuildTags> {
        script_builds(text, "F", syntax).into_iter().map(|b| b.tags).collect()
    }

    #[test]
    fn build_tags_are_read_through_variables_and_goflags() {
        let listed = |t: &[&str]| BuildTags::Listed(t.iter().map(|s| (*s).to_string()).collect());
        let make = "TAGS := fs_embed sqlite\nFLAGS := -tags \"$(TAGS)\" -ldflags \"-s -w\"\nbuild:\n\tgo build $(FLAGS) -o bin/x ./cmd/x\n";
        assert_eq!(tags(make, Syntax::Make), vec![listed(&["fs_embed", "sqlite"])]);
        assert_eq!(
            tags("build:\n\tGOFLAGS=-tags=netgo go build -o x .\n", Syntax::Make),
            vec![listed(&["netgo"])]
        );
        assert_eq!(
            tags("build:\n\tgo build -tags=a,b,a ./cmd/x\n", Syntax::Make),
            vec![listed(&["a", "b"])]
        );
        assert_eq!(
            tags("build:\n\tgo build -tags $(GO_TAGS) ./cmd/x\n", Syntax::Make),
            vec![BuildTags::Unknown("$(GO_TAGS)".into())]
        );
        assert_eq!(
            tags("build:\n\tgo build -tags 'a/b' ./cmd/x\n", Syntax::Make),
            vec![BuildTags::Unknown("a/b".into())]
        );
        assert_eq!(tags("build:\n\tgo build -tags \"\" .\n", Syntax::Make), vec![BuildTags::None]);
        let dockerfile = "FROM golang AS build\nRUN go build -tags netgo -o /out/x .\n";
        let found = script_builds(dockerfile, "Dockerfile", Syntax::Dockerfile);
        assert!(found[0].in_container_file);
        assert_eq!(found[0].tags, listed(&["netgo"]));
    }

    #[test]
    fn a_build_says_whether_it_turns_cgo_off() {
        let make = "CGO := 0\nbuild:\n\tCGO_ENABLED=$(CGO) go build -o bin/relay ./cmd/relay\n\tgo build ./cmd/tool\n\tCGO_ENABLED=1 go build ./cmd/db\n";
        let found: Vec<Option<bool>> = script_builds(make, "Makefile", Syntax::Make).into_iter().map(|b| b.cgo).collect();
        assert_eq!(found, [Some(false), None, Some(true)]);
        let release = "builds:\n  - main: ./cmd/a\n    env:\n      - CGO_ENABLED=0\n      - GOFLAGS=-trimpath\n  - main: ./cmd/b\n";
        let found: Vec<Option<bool>> =
            goreleaser_builds(release, ".goreleaser.yaml").unwrap().into_iter().map(|b| b.cgo).collect();
        assert_eq!(found, [Some(false), None]);
    }

    #[test]
    fn goreleaser_tags_come_from_tags_or_flags() {
        let text = "builds:\n  - main: ./cmd/a\n    tags: [sqlite, fts5]\n  - main: ./cmd/b\n    flags:\n      - -trimpath\n      - -tags=netgo\n  - main: ./cmd/c\n    tags:\n      - '{{ .Env.TAGS }}'\n";
        let found = goreleaser_builds(text, ".goreleaser.yaml").unwrap();
        let shown: Vec<BuildTags> = found.into_iter().map(|b| b.tags).collect();
        assert_eq!(
            shown,
            vec![
                BuildTags::Listed(vec!["sqlite".into(), "fts5".into()]),
                BuildTags::Listed(vec!["netgo".into()]),
                BuildTags::Unknown("{{ .Env.TAGS }}".into()),
            ]
        );
    }

    #[test]
    fn expansion_is_bounded() {
        let vars: Vec<(String, String)> = vec![("A".into(), "$(A)$(A)".into())];
        assert_eq!(expand("$(A)", &vars, 0), None);
    }
}
