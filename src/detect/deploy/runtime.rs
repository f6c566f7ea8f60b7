//! How a project already runs its program, read from its deployment files: a hand-written Dockerfile's final
//! stage (EXPOSE, ENTRYPOINT/CMD, ENV, VOLUME, WORKDIR, HEALTHCHECK), the compose service built from the
//! project, Procfile's `web:` process and fly.toml's `internal_port`. Only values are taken, each with its
//! `file:line`; none of the old file's build steps is ever copied.

use std::path::Path;

use serde_json::{json, Value};

use super::{container_files, logical_lines, read_small_text};
use crate::detect::{Fact, Facts};

/// A value with the `file:line` it came from.
pub(crate) type Sourced<T> = (T, String);

/// The runtime contract the deployment files describe; every part is optional.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Runtime {
    /// The (TCP) ports the program serves, in the order written.
    pub(crate) ports: Vec<Sourced<u16>>,
    /// The UDP ports it serves (`EXPOSE 53/udp`, compose `53:53/udp`, a container port with `protocol: UDP`).
    pub(crate) udp_ports: Vec<Sourced<u16>>,
    /// The command that starts the program, as words (`ENTRYPOINT` + `CMD`, compose `command`, Procfile `web:`).
    pub(crate) command: Option<Sourced<Vec<String>>>,
    /// Arguments given to the image's own command without naming the program (a Kubernetes container's
    /// `args` without `command`).
    pub(crate) entry_args: Option<Sourced<Vec<String>>>,
    /// Plain environment values the program reads at run time.
    pub(crate) env: Vec<Sourced<(String, String)>>,
    /// Variables whose names say they hold credentials: only their names are kept, for a hint.
    pub(crate) secret_env: Vec<Sourced<String>>,
    /// Container paths declared as volumes.
    pub(crate) volumes: Vec<Sourced<String>>,
    pub(crate) workdir: Option<Sourced<String>>,
    /// The health check command in exec form, with its options (`--interval=30s`).
    pub(crate) healthcheck: Option<Sourced<(Vec<String>, Vec<String>)>>,
    /// Where the old final stage copied files from the build context (`COPY conf/app.yml /etc/app/`): the
    /// program's arguments may name them, and the new image holds only the program.
    pub(crate) copied_in: Vec<Sourced<String>>,
}

/// Compose files, in the order Compose itself prefers them.
const COMPOSE_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Reads the runtime contract of the app in `dir` (relative to the repository `root`; "." for the root): the
/// container files of its folder — below the root, also the root's ones whose command runs the program — the
/// compose service built from `dir`, and the folder's Procfile and fly.toml. `runs_program` tells whether a
/// command's words run the program being containerised (its binary, its jar, its entry file): among several
/// Dockerfiles, the one that runs it wins; a command that runs something else is not taken.
pub(crate) fn read(root: &Path, dir: &str, names: &[String], runs_program: &dyn Fn(&[String]) -> bool) -> Runtime {
    let mut found = Runtime::default();
    let own = root.join(dir);
    let mut dockerfiles = own_dockerfiles(&own, dir);
    if dir != "." {
        // The root's files hold several apps' images: only one that runs this program speaks for it.
        dockerfiles.extend(
            own_dockerfiles(root, ".")
                .into_iter()
                .filter(|(_, r)| r.command.as_ref().is_some_and(|(w, _)| runs_program(w))),
        );
    }
    let runs = |r: &Runtime| r.command.as_ref().is_some_and(|(words, _)| runs_program(words));
    let chosen = dockerfiles.iter().find(|(_, r)| runs(r)).or_else(|| {
        dockerfiles
            .iter()
            .find(|(rel, r)| r.command.is_none() && *rel == super::super::join_rel(dir, "Dockerfile"))
    });
    if let Some((_, runtime)) = chosen {
        found = runtime.clone();
    }
    // The compose file at the root names the service by its build context; one in the app's folder builds `.`.
    let mut compose_places = vec![(".", dir)];
    if dir != "." {
        compose_places.push((dir, "."));
    }
    for (at, context) in compose_places {
        for name in COMPOSE_FILES {
            let rel = super::super::join_rel(at, name);
            if let Some(text) = read_small_text(&root.join(&rel)) {
                if let Some(service) = compose_service(&text, &rel, context) {
                    merge(&mut found, service, &runs);
                }
                break;
            }
        }
    }
    let procfile_rel = super::super::join_rel(dir, "Procfile");
    if let Some(text) = read_small_text(&root.join(&procfile_rel)) {
        if let Some(web) = procfile(&text, &procfile_rel) {
            merge(&mut found, web, &runs);
        }
    }
    if let Some(manifest) = super::kube::read(root, names) {
        merge(&mut found, manifest, &runs);
    }
    if found.ports.is_empty() {
        let fly_rel = super::super::join_rel(dir, "fly.toml");
        if let Some(text) = read_small_text(&root.join(&fly_rel)) {
            found.ports.extend(fly_port(&text, &fly_rel));
        }
    }
    if found.command.as_ref().is_some_and(|(words, _)| !runs_program(words)) {
        found.command = None;
    }
    found
}

/// The container files of `root/dir` that dockgen did not write, each with its final stage read.
fn own_dockerfiles(root: &Path, dir: &str) -> Vec<(String, Runtime)> {
    container_files(root)
        .into_iter()
        .filter_map(|rel| {
            let text = read_small_text(&root.join(&rel))?;
            // dockgen's own output is not evidence of how the project runs.
            if text.lines().take(5).any(|l| l.contains("Generated by dockgen")) {
                return None;
            }
            let shown = super::super::join_rel(dir, &rel);
            let runtime = dockerfile(&text, &shown);
            Some((shown, runtime))
        })
        .collect()
}

/// Fills what `found` lacks from a lower-ranked file (compose under a Dockerfile, Procfile under both).
fn merge(found: &mut Runtime, other: Runtime, runs_program: &dyn Fn(&Runtime) -> bool) {
    if found.command.is_none() && runs_program(&other) {
        found.command = other.command;
    }
    if found.command.is_none() && found.entry_args.is_none() {
        found.entry_args = other.entry_args;
    }
    if found.ports.is_empty() && found.udp_ports.is_empty() {
        found.ports = other.ports;
        found.udp_ports = other.udp_ports;
    }
    for pair in other.env {
        if !found.env.iter().any(|((name, _), _)| *name == pair.0 .0) {
            found.env.push(pair);
        }
    }
    for secret in other.secret_env {
        if !found.secret_env.iter().any(|(name, _)| *name == secret.0) {
            found.secret_env.push(secret);
        }
    }
    for volume in other.volumes {
        if !found.volumes.iter().any(|(path, _)| *path == volume.0) {
            found.volumes.push(volume);
        }
    }
    if found.workdir.is_none() {
        found.workdir = other.workdir;
    }
}

/// The final stage of a Dockerfile: what the image it builds runs and how.
pub(crate) fn dockerfile(text: &str, file: &str) -> Runtime {
    let lines = logical_lines(text);
    let last_from = lines
        .iter()
        .rposition(|(_, l)| first_word(l).eq_ignore_ascii_case("FROM"))
        .unwrap_or(0);
    let mut found = Runtime::default();
    let mut entrypoint: Option<Vec<String>> = None;
    let mut cmd: Option<Vec<String>> = None;
    let mut command_line = 0;
    for (line, logical) in &lines[last_from..] {
        let source = format!("{file}:{line}");
        let instruction = first_word(logical).to_ascii_uppercase();
        let rest = logical.trim_start()[instruction.len()..].trim();
        match instruction.as_str() {
            "EXPOSE" => {
                for word in rest.split_whitespace() {
                    let (number, protocol) = word.split_once('/').unwrap_or((word, "tcp"));
                    if let Ok(port) = number.parse::<u16>() {
                        found.add_port(port, protocol, &source);
                    }
                }
            }
            "ENV" => env_assignments(rest, &source, &mut found),
            "VOLUME" => {
                let paths = exec_form(rest).or_else(|| Some(rest.split_whitespace().map(String::from).collect()));
                for path in paths.unwrap_or_default() {
                    if path.starts_with('/') && !path.contains('$') {
                        found.volumes.push((path, source.clone()));
                    }
                }
            }
            "WORKDIR" => {
                let dir = rest.trim_end_matches('/');
                found.workdir = crate::validate::is_app_dir(dir).then(|| (dir.to_string(), source.clone()));
            }
            "ENTRYPOINT" => {
                entrypoint = command_words(rest);
                // An ENTRYPOINT resets the CMD inherited so far.
                cmd = None;
                command_line = *line;
            }
            "CMD" => {
                cmd = command_words(rest);
                command_line = *line;
            }
            "HEALTHCHECK" => found.healthcheck = healthcheck(rest).map(|h| (h, source.clone())),
            "COPY" | "ADD" if !rest.contains("--from") => {
                let words = exec_form(rest).or_else(|| shlex::split(rest)).unwrap_or_default();
                if let Some(dest) = words.iter().filter(|w| !w.starts_with("--")).nth(1).and(words.last()) {
                    if dest.starts_with('/') {
                        found
                            .copied_in
                            .push((dest.trim_end_matches('/').to_string(), source.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    let words: Vec<String> = entrypoint
        .into_iter()
        .flatten()
        .chain(cmd.into_iter().flatten())
        .collect();
    if !words.is_empty() {
        found.command = Some((words, format!("{file}:{command_line}")));
    }
    found
}

fn first_word(line: &str) -> &str {
    line.split_whitespace().next().unwrap_or_default()
}

/// An exec-form array (`["a", "b"]`), parsed as the JSON it is.
fn exec_form(text: &str) -> Option<Vec<String>> {
    text.starts_with('[').then(|| serde_json::from_str(text).ok()).flatten()
}

/// A command's words: exec form, or a shell form that is plain words (no pipes, substitutions or `&&`, which
/// only a shell runs; a leading `exec` is dropped).
fn command_words(text: &str) -> Option<Vec<String>> {
    if let Some(words) = exec_form(text) {
        return Some(words);
    }
    if text.contains(['|', '>', '<', '`', ';', '&']) || text.contains("$(") {
        return None;
    }
    let mut words = shlex::split(text)?;
    if words.first().is_some_and(|w| w == "exec") {
        words.remove(0);
    }
    Some(words)
}

/// A YAML command: a list of words, or a string of plain words.
pub(super) fn command_words_of(node: &marked_yaml::Node) -> Option<Vec<String>> {
    match node {
        marked_yaml::Node::Scalar(s) => command_words(s.as_str()),
        marked_yaml::Node::Sequence(list) => list
            .iter()
            .map(|w| w.as_scalar().map(|s| s.as_str().to_string()))
            .collect(),
        marked_yaml::Node::Mapping(_) => None,
    }
}

/// `ENV A=1 B="two words"` and the legacy `ENV A 1`.
fn env_assignments(text: &str, source: &str, found: &mut Runtime) {
    let Some(words) = shlex::split(text) else { return };
    let pairs: Vec<(String, String)> = if words.first().is_some_and(|w| !w.contains('=')) {
        let (name, value) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        vec![(name.to_string(), value.trim().to_string())]
    } else {
        words
            .iter()
            .filter_map(|w| w.split_once('=').map(|(n, v)| (n.to_string(), v.to_string())))
            .collect()
    };
    for (name, value) in pairs {
        add_env(found, name, Some(value), source);
    }
}

/// A variable for the runtime contract: a secret by its name or a password in its value (a URL's user part)
/// keeps only its name; a value that is not plain text (a `$` reference, quotes, spaces) is not taken.
pub(super) fn add_env(found: &mut Runtime, name: String, value: Option<String>, source: &str) {
    // COMPOSE_* variables configure Compose itself (`COMPOSE_PROFILES`), not the program.
    if crate::validate::env_name(&name).is_err() || name.starts_with("COMPOSE_") {
        return;
    }
    let password_in_value = value.as_deref().is_some_and(crate::validate::holds_password);
    if crate::validate::looks_secret(&name) || password_in_value {
        found.secret_env.push((name, source.to_string()));
        return;
    }
    let Some(value) = value.filter(|v| crate::validate::env_value(v).is_ok()) else {
        return;
    };
    found.env.push(((name, value), source.to_string()));
}

/// `HEALTHCHECK [--interval=30s ...] CMD ...` as (options, exec-form command); `NONE` and shell forms that need
/// a shell are not taken.
fn healthcheck(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let mut options = Vec::new();
    let mut rest = text;
    while let Some(option) = rest.strip_prefix("--") {
        let (word, after) = option.split_once(char::is_whitespace)?;
        options.push(format!("--{word}"));
        rest = after.trim_start();
    }
    let command = rest.strip_prefix("CMD")?.trim();
    Some((options, command_words(command)?))
}

/// The line (1-based) where a YAML node starts.
pub(super) fn line_of(node: &marked_yaml::Node) -> usize {
    node.span().start().map_or(1, marked_yaml::Marker::line)
}

/// The compose service built from the folder `wanted` (relative to the compose file: `build: .`,
/// `build: {context: ./api}`).
fn compose_service(text: &str, file: &str, wanted: &str) -> Option<Runtime> {
    let doc = marked_yaml::parse_yaml(0, text).ok()?;
    let (service, _) = built_service(&doc, wanted)?;
    let mut found = Runtime::default();
    let at = |node: &marked_yaml::Node| format!("{file}:{}", line_of(node));
    if let Some(ports) = service.get_sequence("ports") {
        for entry in ports.iter() {
            let target = match entry {
                marked_yaml::Node::Scalar(s) => compose_port(s.as_str()),
                marked_yaml::Node::Mapping(m) => m.get_scalar("target").and_then(|t| {
                    let protocol = m.get_scalar("protocol").map_or("tcp", |p| p.as_str());
                    Some((t.as_str().parse().ok()?, protocol.to_string()))
                }),
                marked_yaml::Node::Sequence(_) => None,
            };
            if let Some((port, protocol)) = target {
                found.add_port(port, &protocol, &at(entry));
            }
        }
    }
    if let Some(node) = service.get_node("command") {
        found.command = command_words_of(node).map(|w| (w, at(node)));
    }
    match service.get_node("environment") {
        Some(marked_yaml::Node::Mapping(map)) => {
            for (name, node) in map.iter() {
                let value = node.as_scalar().map(|v| v.as_str().to_string());
                add_env(&mut found, name.as_str().to_string(), value, &at(node));
            }
        }
        Some(marked_yaml::Node::Sequence(list)) => {
            for entry in list.iter() {
                let Some(text) = entry.as_scalar() else { continue };
                let (name, value) = match text.as_str().split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (text.as_str().to_string(), None),
                };
                add_env(&mut found, name, value, &at(entry));
            }
        }
        _ => {}
    }
    if let Some(volumes) = service.get_sequence("volumes") {
        for entry in volumes.iter() {
            // Named and anonymous volumes hold data; a bind mount of a host folder (`./src:/app`) is a
            // development convenience, not part of how the image runs.
            let target = match entry {
                marked_yaml::Node::Scalar(s) => {
                    let parts: Vec<&str> = s.as_str().split(':').collect();
                    match parts.as_slice() {
                        [only] => Some((*only).to_string()),
                        [source, target, ..] if !source.starts_with(['.', '/', '~', '$']) => {
                            Some((*target).to_string())
                        }
                        _ => None,
                    }
                }
                marked_yaml::Node::Mapping(m) if m.get_scalar("type").is_none_or(|t| t.as_str() == "volume") => {
                    m.get_scalar("target").map(|t| t.as_str().to_string())
                }
                _ => None,
            };
            if let Some(path) = target.filter(|p| p.starts_with('/') && !p.contains('$')) {
                found.volumes.push((path, at(entry)));
            }
        }
    }
    // `working_dir` is left out: in a compose file it goes with a bind mount of the sources, for development.
    Some(found)
}

/// The compose service that builds the folder `wanted`: its build context, or the folder of the Dockerfile it
/// builds with (`context: .` + `dockerfile: apps/api/Dockerfile`, the usual shape in a workspace); and its
/// `build` node.
fn built_service<'a>(
    doc: &'a marked_yaml::Node,
    wanted: &str,
) -> Option<(&'a marked_yaml::types::MarkedMappingNode, &'a marked_yaml::Node)> {
    let services = doc.as_mapping()?.get_mapping("services")?;
    services
        .values()
        .filter_map(marked_yaml::Node::as_mapping)
        .find_map(|service| {
            let build = service.get_node("build")?;
            let (context, dockerfile) = match build {
                marked_yaml::Node::Scalar(s) => (s.as_str(), None),
                marked_yaml::Node::Mapping(m) => (
                    m.get_scalar("context").map_or(".", |s| s.as_str()),
                    m.get_scalar("dockerfile")
                        .map(marked_yaml::types::MarkedScalarNode::as_str),
                ),
                marked_yaml::Node::Sequence(_) => return None,
            };
            let dockerfile_dir = dockerfile
                .and_then(|file| file.rsplit_once('/'))
                .map(|(dir, _)| format!("{}/{dir}", context.trim_end_matches('/')));
            let builds = same_folder(context, wanted) && dockerfile_dir.is_none()
                || dockerfile_dir.is_some_and(|dir| same_folder(&dir, wanted));
            builds.then_some((service, build))
        })
}

/// Where the repository's own deployment files build the app in `dir` (below the root): the root compose
/// service whose build context it is, or a container file of its own folder that dockgen did not write.
pub(crate) fn built_by(root: &Path, dir: &str) -> Option<String> {
    for name in COMPOSE_FILES {
        if let Some(text) = read_small_text(&root.join(name)) {
            let doc = marked_yaml::parse_yaml(0, &text).ok();
            if let Some((_, build)) = doc.as_ref().and_then(|doc| built_service(doc, dir)) {
                return Some(format!("{name}:{}", line_of(build)));
            }
            break;
        }
    }
    own_dockerfiles(&root.join(dir), dir)
        .into_iter()
        .next()
        .map(|(rel, _)| rel)
}

/// Whether two relative folder names are the same folder (`./api/` and `api`, `.` and `./`).
fn same_folder(a: &str, b: &str) -> bool {
    let normal = |s: &str| {
        let s = s.trim_end_matches('/');
        let s = s.strip_prefix("./").unwrap_or(s);
        if s.is_empty() {
            ".".to_string()
        } else {
            s.to_string()
        }
    };
    normal(a) == normal(b)
}

/// The container port of a compose `ports` entry and its protocol: `"8080"`, `"80:8080"`,
/// `"127.0.0.1:80:8080/tcp"`, `"53:53/udp"`.
fn compose_port(entry: &str) -> Option<(u16, String)> {
    let (ports, protocol) = entry.split_once('/').unwrap_or((entry, "tcp"));
    Some((ports.rsplit(':').next()?.parse().ok()?, protocol.to_string()))
}

/// Procfile's `web:` process: its command words; `$PORT` in them is the port the platform gives.
fn procfile(text: &str, file: &str) -> Option<Runtime> {
    text.lines().enumerate().find_map(|(index, line)| {
        let command = line.strip_prefix("web:")?.trim();
        let mut words = shlex::split(command)?;
        let source = format!("{file}:{}", index + 1);
        let mut found = Runtime::default();
        // `VAR=value` prefixes are env for the program.
        while words.first().is_some_and(|w| w.contains('=') && !w.starts_with('-')) {
            let word = words.remove(0);
            let (name, value) = word.split_once('=').unwrap_or_default();
            add_env(&mut found, name.to_string(), Some(value.to_string()), &source);
        }
        if words.first().is_some_and(|w| w == "exec") {
            words.remove(0);
        }
        (!words.is_empty()).then(|| {
            found.command = Some((words, source));
            found
        })
    })
}

/// fly.toml's `internal_port` (under `[http_service]` or `[[services]]`), with its line.
fn fly_port(text: &str, file: &str) -> Option<Sourced<u16>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let port = table
        .get("http_service")
        .and_then(|s| s.get("internal_port"))
        .or_else(|| table.get("services")?.as_array()?.first()?.get("internal_port"))?
        .as_integer()?;
    let port = u16::try_from(port).ok().filter(|p| *p > 0)?;
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("internal_port"))
        .map_or(1, |i| i + 1);
    Some((port, format!("{file}:{line}")))
}

impl Runtime {
    /// The program's arguments: the command's words after the first `skip` (the program and what starts it).
    fn args(&self, skip: usize) -> Option<Sourced<Vec<String>>> {
        let (words, source) = self.command.as_ref()?;
        let args: Vec<String> = words.iter().skip(skip).cloned().collect();
        (!args.is_empty()).then(|| (args, source.clone()))
    }

    /// What is carried over, with where each part came from, for a note.
    pub(crate) fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.ports.is_empty() {
            let numbers: Vec<String> = self.ports.iter().map(|(p, _)| p.to_string()).collect();
            parts.push(format!("ports {} ({})", numbers.join(" "), self.ports[0].1));
        }
        if !self.udp_ports.is_empty() {
            let numbers: Vec<String> = self.udp_ports.iter().map(|(p, _)| format!("{p}/udp")).collect();
            parts.push(format!("ports {} ({})", numbers.join(" "), self.udp_ports[0].1));
        }
        if let Some((words, source)) = &self.command {
            parts.push(format!(
                "the command `{}` ({source})",
                crate::files::excerpt(&words.join(" "))
            ));
        } else if let Some((words, source)) = &self.entry_args {
            parts.push(format!(
                "the arguments `{}` ({source})",
                crate::files::excerpt(&words.join(" "))
            ));
        }
        let mut named = |what: &str, items: Vec<&str>, source: Option<&String>| {
            if let Some(source) = source {
                parts.push(format!("{what} {} ({source})", items.join(" ")));
            }
        };
        named(
            "env",
            self.env.iter().map(|((n, _), _)| n.as_str()).collect(),
            self.env.first().map(|(_, s)| s),
        );
        named(
            "volumes",
            self.volumes.iter().map(|(v, _)| v.as_str()).collect(),
            self.volumes.first().map(|(_, s)| s),
        );
        if let Some((dir, source)) = &self.workdir {
            parts.push(format!("WORKDIR {dir} ({source})"));
        }
        if let Some((_, source)) = &self.healthcheck {
            parts.push(format!("the health check ({source})"));
        }
        format!(
            "the project's deployment files say how it runs: {}; the new Dockerfile keeps that (not their build steps)",
            parts.join(", ")
        )
    }

    /// Arguments that name a file the old image copied in from the repository, which the new one lacks.
    pub(crate) fn missing_files(&self, args: &[String]) -> Vec<String> {
        let Some((_, command_source)) = &self.command else {
            return Vec::new();
        };
        args.iter()
            .filter_map(|arg| {
                let (dest, copied_at) = self.copied_in.iter().find(|(dest, _)| {
                    !dest.is_empty() && arg.find(dest.as_str()).is_some_and(|at| {
                        let after = &arg[at + dest.len()..];
                        after.is_empty() || after.starts_with('/')
                    })
                })?;
                Some(format!(
                    "{command_source}: the argument `{}` names {dest}, which the old Dockerfile copied in ({copied_at}) \
                     and the new image does not hold: mount it at run time (docker run -v FILE:{dest})",
                    crate::files::excerpt(arg)
                ))
            })
            .collect()
    }

    /// A port the program serves, once, by protocol (`tcp`, `udp`; another protocol is not a port a
    /// Dockerfile publishes).
    pub(super) fn add_port(&mut self, port: u16, protocol: &str, source: &str) {
        let list = match protocol.to_ascii_lowercase().as_str() {
            "tcp" => &mut self.ports,
            "udp" => &mut self.udp_ports,
            _ => return,
        };
        if port > 0 && !list.iter().any(|(p, _)| *p == port) {
            list.push((port, source.to_string()));
        }
    }

    /// Names every source as the user sees it.
    fn relabel(&mut self, shown: &dyn Fn(&str) -> String) {
        let sources = self
            .ports
            .iter_mut()
            .chain(self.udp_ports.iter_mut())
            .map(|(_, s)| s)
            .chain(self.command.iter_mut().map(|(_, s)| s))
            .chain(self.entry_args.iter_mut().map(|(_, s)| s))
            .chain(self.env.iter_mut().map(|(_, s)| s))
            .chain(self.secret_env.iter_mut().map(|(_, s)| s))
            .chain(self.volumes.iter_mut().map(|(_, s)| s))
            .chain(self.workdir.iter_mut().map(|(_, s)| s))
            .chain(self.healthcheck.iter_mut().map(|(_, s)| s))
            .chain(self.copied_in.iter_mut().map(|(_, s)| s));
        for source in sources {
            *source = shown(source);
        }
    }

    /// Whether the contract says anything at all.
    pub(crate) fn is_empty(&self) -> bool {
        *self == Runtime::default()
    }
}

/// The last part of a path (`/usr/local/bin/api` → `api`): how a command names its program.
pub(crate) fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// One program the deployment files may describe: the folder it is built from (relative to the repository),
/// its facts, and the warnings said when it is the one built.
pub(crate) struct Program<'a> {
    pub(crate) dir: String,
    pub(crate) facts: &'a mut Facts,
    pub(crate) warnings: &'a mut Vec<String>,
    /// Names the program may be published under (its binary, artifact or package name), which a Kubernetes
    /// container or image names.
    pub(crate) names: Vec<String>,
    /// Whether the image can start the program from the deployment files' WORKDIR (a single binary can; a
    /// jar or a Node app runs from the folder the new image puts it in).
    pub(crate) takes_workdir: bool,
    /// Variables the image sets itself (`NODE_ENV`), whatever the deployment files say.
    pub(crate) own_env: &'static [&'static str],
}

/// How a command starts a program: how many of its words do (`["/usr/local/bin/api"]` → 1, `["java",
/// "-Xmx512m", "-jar", "app.jar"]` → 4; the words after them are its arguments) and the runtime's own options
/// among them (`-Xmx512m`), which the new image passes through the runtime's variable (`JAVA_TOOL_OPTIONS`,
/// `NODE_OPTIONS`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Start {
    pub(crate) words: usize,
    pub(crate) options: Vec<String>,
}

impl Start {
    pub(crate) fn words(words: usize) -> Self {
        Start {
            words,
            options: Vec::new(),
        }
    }
}

/// How a command starts the program these facts describe; None: it runs something else.
pub(crate) type Starts<'a> = &'a dyn Fn(&Facts, &[String]) -> Option<Start>;

/// Applies the contract of each folder's deployment files to the programs whose start their command runs,
/// or to the only program of the folder when they name no command. `shown` names a repository file as the
/// user sees it. Returns one note per folder saying what was carried over.
pub(crate) fn apply_to_programs(
    root: &Path,
    programs: &mut [Program],
    starts: Starts,
    shown: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    for program in programs.iter() {
        if !dirs.contains(&program.dir) {
            dirs.push(program.dir.clone());
        }
    }
    let mut summaries: Vec<(Vec<String>, String)> = Vec::new();
    for dir in dirs {
        let mut runtime = {
            let here: Vec<&Program> = programs.iter().filter(|p| p.dir == dir).collect();
            let names: Vec<String> = here.iter().flat_map(|p| p.names.clone()).collect();
            read(root, &dir, &names, &|words| {
                here.iter().any(|p| starts(p.facts, words).is_some())
            })
        };
        if runtime.is_empty() {
            continue;
        }
        runtime.relabel(shown);
        if !programs.iter().any(|p| p.dir == dir && p.takes_workdir) {
            runtime.workdir = None;
        }
        let single = programs.iter().filter(|p| p.dir == dir).count() == 1;
        let mut applied: Option<Runtime> = None;
        for program in programs.iter_mut().filter(|p| p.dir == dir) {
            let start = runtime
                .command
                .as_ref()
                .and_then(|(words, _)| starts(program.facts, words));
            if start.is_some() || single && runtime.command.is_none() {
                let carried = apply(&runtime, start.as_ref(), program, starts);
                if applied.is_none() && !carried.is_empty() {
                    applied = Some(carried);
                }
            }
        }
        if let Some(carried) = applied {
            let summary = carried.summary();
            // The root's files often run every module alike: one note names them all.
            match summaries.iter_mut().find(|(_, s)| *s == summary) {
                Some((dirs, _)) => dirs.push(dir),
                None => summaries.push((vec![dir], summary)),
            }
        }
    }
    summaries
        .into_iter()
        .map(|(dirs, summary)| {
            if dirs == ["."] {
                summary
            } else {
                format!("{}: {summary}", dirs.join(", "))
            }
        })
        .collect()
}

/// The contract as facts of a program: `port`/`extra_ports` (replacing what the code suggested, which the
/// note keeps), `args` and `runtime_options` (the command's words after its start and the runtime's options in
/// it, when the command runs this program), `runtime_env`, `secret_env`, `volumes`, `workdir` and
/// `healthcheck` (when it runs the program itself). Returns what was carried over, for the note: the command
/// only when its arguments or options were, no variable the image sets itself.
fn apply(runtime: &Runtime, start: Option<&Start>, program: &mut Program, starts: Starts) -> Runtime {
    let mut carried = Runtime {
        copied_in: Vec::new(),
        ..runtime.clone()
    };
    let facts = &mut *program.facts;
    let mut ports = runtime.ports.clone();
    // `PORT=8080` in the environment is the port when nothing publishes one (a Procfile, a compose service
    // without `ports`).
    let port_variable = runtime
        .env
        .iter()
        .find(|((name, _), _)| name == "PORT")
        .and_then(|((_, value), source)| Some((value.parse::<u16>().ok().filter(|p| *p > 0)?, source.clone())));
    if ports.is_empty() {
        ports.extend(port_variable.clone());
    }
    apply_ports(&ports, facts);
    carried.ports.clone_from(&ports);

    if let Some((_, source)) = runtime.udp_ports.first() {
        let numbers: Vec<u16> = runtime.udp_ports.iter().map(|(p, _)| *p).collect();
        facts.insert(
            "udp_ports".into(),
            Fact::new(json!(numbers), source.clone()).with_note("UDP ports the deployment files publish"),
        );
    }
    if !apply_command(runtime, start, facts, program.warnings) {
        carried.command = None;
        carried.entry_args = None;
    }
    let port = ports.first().map(|(p, _)| p.to_string());
    // The template writes PORT itself where the program reads it (the same value again would be a twin), and
    // the variables the image sets itself win.
    carried.env.retain(|((name, value), _)| {
        !(program.own_env.contains(&name.as_str()) || name == "PORT" && Some(value) == port.as_ref())
    });
    let env = &carried.env;
    let mut list = |key: &str, values: Vec<Value>, sources: Vec<&str>, note: &str| {
        if !values.is_empty() {
            let mut sources = sources;
            sources.dedup();
            facts.insert(key.into(), Fact::new(json!(values), sources.join(", ")).with_note(note));
        }
    };
    list(
        "runtime_env",
        env.iter().map(|((n, v), _)| json!({ "name": n, "value": v })).collect(),
        env.iter().map(|(_, s)| s.as_str()).collect(),
        "set at run time by the deployment files",
    );
    list(
        "secret_env",
        runtime.secret_env.iter().map(|(n, _)| json!(n)).collect(),
        runtime.secret_env.iter().map(|(_, s)| s.as_str()).collect(),
        "credentials the program reads: given at run time, never written into the image",
    );
    list(
        "volumes",
        runtime.volumes.iter().map(|(v, _)| json!(v)).collect(),
        runtime.volumes.iter().map(|(_, s)| s.as_str()).collect(),
        "data the program keeps",
    );
    if let Some((dir, source)) = &runtime.workdir {
        facts.insert(
            "workdir".into(),
            Fact::new(dir.clone(), source.clone()).with_note("the working directory the program expects"),
        );
    }
    if let Some(((options, command), source)) = &runtime.healthcheck {
        // It carries over only when it runs the program itself: the new image has no other tools.
        if let Some(start) = starts(facts, command) {
            facts.insert(
                "healthcheck".into(),
                Fact::new(
                    json!({ "options": options, "args": command[start.words..] }),
                    source.clone(),
                )
                .with_note("the health check runs the program itself"),
            );
        } else {
            carried.healthcheck = None;
            program.warnings.push(format!(
                "{source}: the HEALTHCHECK runs {}, which the new image does not have; it is not carried over",
                crate::files::excerpt(&command.join(" "))
            ));
        }
    }
    carried
}

/// The runtime's options and the program's arguments in the command that starts it, as `runtime_options` and
/// `args`; false when there are none (the command then says nothing the new image does not do).
/// Without a command that starts the program, the arguments given to the image's own command are its arguments.
fn apply_command(runtime: &Runtime, start: Option<&Start>, facts: &mut Facts, warnings: &mut Vec<String>) -> bool {
    let Some((_, source)) = runtime.command.as_ref().or(runtime.entry_args.as_ref()) else {
        return false;
    };
    let (options, unplain): (Vec<&String>, Vec<&String>) = start
        .iter()
        .flat_map(|start| &start.options)
        .partition(|o| crate::validate::env_value(o).is_ok());
    if let Some(first) = unplain.first() {
        warnings.push(format!(
            "{source}: the runtime option `{}` is not a plain value; it is not carried over",
            crate::files::excerpt(first)
        ));
    }
    if !options.is_empty() {
        facts.insert(
            "runtime_options".into(),
            Fact::new(json!(options), source.clone()).with_note("the runtime's options in the deployment files"),
        );
    }
    let mut args = Vec::new();
    let args_given = match start {
        Some(start) => runtime.args(start.words),
        None => runtime.entry_args.clone().filter(|_| runtime.command.is_none()),
    };
    if let Some((words, source)) = args_given {
        args = plain_args(words, &source, warnings);
        warnings.extend(runtime.missing_files(&args));
        if !args.is_empty() {
            facts.insert(
                "args".into(),
                Fact::new(json!(args), source).with_note("the program's arguments in the deployment files"),
            );
        }
    }
    !options.is_empty() || !args.is_empty()
}

/// The ports as facts: the first is `port`, the others `extra_ports`.
fn apply_ports(ports: &[Sourced<u16>], facts: &mut Facts) {
    let Some(((first, source), rest)) = ports.split_first() else {
        return;
    };
    let mut fact = Fact::new(*first, source.clone()).with_note("the port the deployment files publish");
    if let Some(code) = facts
        .get("port")
        .filter(|f| f.value.as_u64() != Some(u64::from(*first)) && !f.value.is_null())
    {
        fact = fact.with_note(format!(
            "the port the deployment files publish; the code suggests {} ({})",
            code.value, code.source
        ));
    }
    facts.insert("port".into(), fact);
    facts.shift_remove("extra_ports");
    if !rest.is_empty() {
        let sources: Vec<&str> = rest.iter().map(|(_, s)| s.as_str()).collect();
        facts.insert(
            "extra_ports".into(),
            Fact::new(
                json!(rest.iter().map(|(p, _)| *p).collect::<Vec<_>>()),
                sources.join(", "),
            )
            .with_note("published by the deployment files too"),
        );
    }
}

/// Arguments an exec-form CMD can pass as written: a word reading a variable (`$PORT`, `--addr=:${PORT}`) only
/// means something to a shell, so it is left out — with the flag it is the value of — and said.
fn plain_args(words: Vec<String>, source: &str, warnings: &mut Vec<String>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    let mut dropped = Vec::new();
    for word in words {
        if word.contains('$') {
            if !word.starts_with('-')
                && kept
                    .last()
                    .is_some_and(|flag| flag.starts_with('-') && !flag.contains('='))
            {
                dropped.extend(kept.pop());
            }
            dropped.push(word);
        } else {
            kept.push(word);
        }
    }
    if !dropped.is_empty() {
        warnings.push(format!(
            "{source}: `{}` reads variables a shell expands, which an exec-form CMD does not: left out of CMD (the \
             port is set by dockgen; pass other values with --arg)",
            crate::files::excerpt(&dropped.join(" "))
        ));
    }
    kept
}

/// Every reader on arbitrary text, for the fuzz target.
pub(crate) fn fuzz_text(text: &str) -> usize {
    let file = dockerfile(text, "Dockerfile");
    let compose = compose_service(text, "compose.yaml", ".").map_or(0, |r| r.ports.len() + r.env.len());
    let web = procfile(text, "Procfile").map_or(0, |r| r.env.len());
    file.ports.len() + file.env.len() + compose + web + fly_port(text, "fly.toml").map_or(0, |(p, _)| usize::from(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "FROM golang:1.22 AS build\nEXPOSE 1\nRUN go build -o /server .\n\nFROM alpine:3.20\n\
        ENV APP_MODE=production DB_PASSWORD=hunter2 \\\n    GREETING=\"two words\"\nVOLUME [\"/data\"]\n\
        WORKDIR /srv\nEXPOSE 3592 3593/tcp\nHEALTHCHECK --interval=30s CMD [\"/server\", \"health\"]\n\
        ENTRYPOINT [\"/server\"]\nCMD [\"serve\", \"--verbose\"]\n";

    #[test]
    fn a_dockerfiles_final_stage_is_its_contract() {
        let found = dockerfile(OLD, "Dockerfile");
        assert_eq!(
            found.ports,
            vec![(3592, "Dockerfile:10".into()), (3593, "Dockerfile:10".into())]
        );
        assert_eq!(
            found.command,
            Some((
                vec!["/server".into(), "serve".into(), "--verbose".into()],
                "Dockerfile:13".into()
            ))
        );
        assert_eq!(
            found.env,
            vec![(("APP_MODE".into(), "production".into()), "Dockerfile:6".into())]
        );
        assert_eq!(found.secret_env, vec![("DB_PASSWORD".into(), "Dockerfile:6".into())]);
        assert_eq!(found.volumes, vec![("/data".into(), "Dockerfile:8".into())]);
        assert_eq!(found.workdir, Some(("/srv".into(), "Dockerfile:9".into())));
        let (health, _) = found.healthcheck.unwrap();
        assert_eq!(
            health,
            (vec!["--interval=30s".into()], vec!["/server".into(), "health".into()])
        );
    }

    #[test]
    fn shell_commands_and_references_are_not_taken() {
        let found = dockerfile("FROM a\nENV A=$HOME\nCMD ./x | tee log\nVOLUME $DATA\n", "Dockerfile");
        assert_eq!(found, Runtime::default());
    }

    #[test]
    fn the_compose_service_built_here() {
        let text = "services:\n  db:\n    image: postgres\n    ports: [\"5432:5432\"]\n  api:\n    build: .\n    \
            ports:\n      - \"8081:8080\"\n      - target: 9090\n    command: [\"serve\", \"--debug\"]\n    environment:\n      \
            LOG_LEVEL: info\n      API_TOKEN: x\n      COMPOSE_PROFILES: prod\n    volumes:\n      - data:/var/lib/app\n      - ./conf:/etc/app:ro\n";
        let found = compose_service(text, "compose.yaml", ".").unwrap();
        assert_eq!(
            found.ports.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
            vec![8080, 9090]
        );
        assert_eq!(found.ports[0].1, "compose.yaml:8");
        assert_eq!(found.command.unwrap().0, vec!["serve", "--debug"]);
        assert_eq!(
            found.env,
            vec![(("LOG_LEVEL".into(), "info".into()), "compose.yaml:12".into())]
        );
        assert_eq!(found.secret_env[0].0, "API_TOKEN");
        let volumes: Vec<&str> = found.volumes.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(
            volumes,
            vec!["/var/lib/app"],
            "a bind mount of a host folder is not a volume"
        );
    }

    #[test]
    fn arguments_naming_files_the_old_image_copied_in_are_said() {
        let found = dockerfile(
            "FROM a\nCOPY conf/app.yml /etc/app/app.yml\nENTRYPOINT [\"/bin/app\"]\nCMD [\"--config=/etc/app/app.yml\", \"--v\"]\n",
            "Dockerfile",
        );
        let args = found.args(1).unwrap().0;
        let said = found.missing_files(&args);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("Dockerfile:4: the argument `--config=/etc/app/app.yml` names /etc/app/app.yml"));
    }

    #[test]
    fn udp_ports_are_kept_apart() {
        let found = dockerfile("FROM a\nEXPOSE 53 53/udp 8053/sctp\n", "Dockerfile");
        assert_eq!(found.ports, vec![(53, "Dockerfile:2".into())]);
        assert_eq!(found.udp_ports, vec![(53, "Dockerfile:2".into())]);
        assert_eq!(compose_port("127.0.0.1:5353:53/udp"), Some((53, "udp".into())));
        assert_eq!(compose_port("8080"), Some((8080, "tcp".into())));
    }

    #[test]
    fn only_an_apps_own_folder_is_a_workdir() {
        assert_eq!(dockerfile("FROM a\nWORKDIR /\n", "D").workdir, None);
    }

    #[test]
    fn procfile_and_fly() {
        let web = procfile(
            "worker: x\nweb: NODE_OPTIONS=--max-old-space-size=512 bin/server --port $PORT\n",
            "Procfile",
        )
        .unwrap();
        assert_eq!(
            web.command.unwrap(),
            (
                vec!["bin/server".into(), "--port".into(), "$PORT".into()],
                "Procfile:2".into()
            )
        );
        assert_eq!(web.env[0].0 .0, "NODE_OPTIONS");
        assert_eq!(
            fly_port("app = \"x\"\n[http_service]\n  internal_port = 8090\n", "fly.toml"),
            Some((8090, "fly.toml:3".into()))
        );
    }
}
