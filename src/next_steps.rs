//! What to run once `init` has written the files: the commands that build and run this image with its real
//! ports, build arguments and secrets. Pure: the answers in, command words out.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

/// The two commands, as words (Podman takes the same ones).
#[derive(Debug, Serialize)]
pub struct NextSteps {
    pub build: Vec<String>,
    pub run: Vec<String>,
    /// `docker compose up --build`, when a compose file was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compose: Option<Vec<String>>,
}

impl NextSteps {
    /// The commands as a user types them, each word quoted only where a shell needs it.
    pub fn text(&self) -> String {
        let line = |words: &[String]| {
            words
                .iter()
                .map(|w| {
                    let plain =
                        !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "_./:=,@%+-".contains(c));
                    if plain {
                        w.clone()
                    } else {
                        shlex::try_quote(w).map_or_else(|_| w.clone(), std::borrow::Cow::into_owned)
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut text = format!(
            "next: build and run the image (podman takes the same arguments):\n  {}\n  {}\n",
            line(&self.build),
            line(&self.run)
        );
        if let Some(compose) = &self.compose {
            text.push_str("or run it with its services:\n  ");
            text.push_str(&line(compose));
            text.push('\n');
        }
        text
    }
}

/// The commands for the `dockerfile` and its build `context`, both as paths from the current directory (as
/// Docker reads them), rendered from `values`; the image is named after the `program` (its stack names it from
/// the answers) or the project folder.
pub fn next_steps(
    project: &Path,
    context: &Path,
    dockerfile: &Path,
    program: Option<String>,
    values: &Map<String, Value>,
) -> NextSteps {
    let image = image_name(project, program);
    let list = |key: &str| -> Vec<Value> { values.get(key).and_then(Value::as_array).cloned().unwrap_or_default() };
    let (context, dockerfile) = (lexical(context), lexical(dockerfile));
    let mut build = vec!["docker".to_string(), "build".into()];
    // Without -f Docker takes CONTEXT/Dockerfile.
    if dockerfile != lexical(&context.join("Dockerfile")) {
        build.extend(["-f".into(), shown(&dockerfile)]);
    }
    // Build variables the Dockerfile declares without a value are read from the caller's environment.
    let declared: Vec<String> = list("build_env")
        .iter()
        .chain(&list("build_env_checked"))
        .filter_map(|name| name.as_str().map(String::from))
        .chain(
            list("build_env_given")
                .iter()
                .filter(|pair| pair["value"].as_str().is_some_and(str::is_empty))
                .filter_map(|pair| pair["name"].as_str().map(String::from)),
        )
        .collect();
    for name in declared {
        build.extend(["--build-arg".into(), name]);
    }
    let secrets = values
        .get("build_secrets")
        .or_else(|| values.get("npmrc_secrets"))
        .or_else(|| values.get("index_secrets"));
    for id in secrets
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        build.extend(["--secret".into(), format!("id={id},env={id}")]);
    }
    build.extend(["-t".into(), image.clone(), shown(&context)]);

    let mut run = vec!["docker".to_string(), "run".into(), "--rm".into()];
    let number = |v: &Value| v.as_u64().or_else(|| v.as_str()?.parse().ok());
    let tcp = values.get("port").and_then(number);
    if tcp.is_some() || !list("udp_ports").is_empty() {
        for port in tcp
            .into_iter()
            .chain(list("extra_ports").iter().filter_map(number).filter(|_| tcp.is_some()))
        {
            run.extend(["-p".into(), format!("{port}:{port}")]);
        }
        for port in list("udp_ports").iter().filter_map(number) {
            run.extend(["-p".into(), format!("{port}:{port}/udp")]);
        }
    }
    // Credentials and other services' addresses are passed from the caller's environment, never written down.
    // So are the variables that reach the backing services (compose.yaml sets them for its services).
    let reaching: Vec<Value> = list("service_variables").iter().map(|v| v["name"].clone()).collect();
    let mut passed: Vec<&str> = Vec::new();
    for name in list("secret_env")
        .iter()
        .chain(list("required_env").iter())
        .chain(list("service_env").iter())
        .chain(reaching.iter())
        .filter_map(Value::as_str)
    {
        if !passed.contains(&name) {
            passed.push(name);
            run.extend(["-e".into(), name.to_string()]);
        }
    }
    run.push(image);
    NextSteps {
        build,
        run,
        compose: None,
    }
}

/// `docker compose up --build` for the compose file at `path` (`-f` unless it is ./compose.yaml).
pub fn compose_up(path: &Path) -> Vec<String> {
    let path = lexical(path);
    let mut words = vec!["docker".to_string(), "compose".into()];
    if path != Path::new("compose.yaml") {
        words.extend(["-f".into(), shown(&path)]);
    }
    words.extend(["up".into(), "--build".into()]);
    words
}

/// `path` without `.` steps and with each `folder/..` pair folded (`./apps/web/../..` → `..`), as typed paths
/// are: lexically, without following links.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path as a command-line word: `.` for the current directory.
fn shown(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        ".".into()
    } else {
        path.display().to_string()
    }
}

/// A local image name: the program's name (binary, package, artifact without its version), else the project
/// folder's, in the characters image names allow.
pub(crate) fn image_name(project: &Path, program: Option<String>) -> String {
    let folder = std::fs::canonicalize(project)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    let named = program.or(folder).unwrap_or_default();
    let base = named.rsplit('/').next().unwrap_or(&named).to_ascii_lowercase();
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
    if clean.is_empty() {
        "app".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_folded_as_typed() {
        assert_eq!(shown(&lexical(Path::new("./../.."))), "../..");
        assert_eq!(shown(&lexical(Path::new("apps/web/../.."))), ".");
        assert_eq!(shown(&lexical(Path::new("./Dockerfile"))), "Dockerfile");
        assert_eq!(
            shown(&lexical(Path::new("/srv/app/./Dockerfile.new"))),
            "/srv/app/Dockerfile.new"
        );
        assert_eq!(shown(&lexical(Path::new("../x/../y"))), "../y");
    }

    #[test]
    fn the_dockerfile_is_named_only_when_docker_would_not_find_it() {
        let values = Map::new();
        let words = |context: &str, dockerfile: &str| {
            next_steps(
                Path::new("app"),
                Path::new(context),
                Path::new(dockerfile),
                None,
                &values,
            )
            .build
        };
        assert_eq!(words(".", "./Dockerfile"), ["docker", "build", "-t", "app", "."]);
        assert_eq!(words("./../..", "./Dockerfile")[2..4], ["-f", "Dockerfile"]);
        assert_eq!(
            words("apps/web/../..", "apps/web/Dockerfile")[2..4],
            ["-f", "apps/web/Dockerfile"]
        );
        assert_eq!(
            words("/srv/app", "/srv/app/Dockerfile.new")[2..4],
            ["-f", "/srv/app/Dockerfile.new"]
        );
    }
}
