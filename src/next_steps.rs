//! What to run once `init` has written the files: the commands that build and run this image with its real
//! ports, build arguments and secrets. Pure: the answers in, command words out.

use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

/// The two commands, as words (Podman takes the same ones).
#[derive(Debug, Serialize)]
pub struct NextSteps {
    pub build: Vec<String>,
    pub run: Vec<String>,
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
        format!(
            "next: build and run the image (podman takes the same arguments):\n  {}\n  {}\n",
            line(&self.build),
            line(&self.run)
        )
    }
}

/// The commands for the Dockerfile `dockerfile` (relative to the build `context`) rendered from `values`; the
/// image is named after the `program` (its stack names it from the answers) or the project folder.
pub fn next_steps(
    project: &Path,
    context: &Path,
    dockerfile: &str,
    program: Option<String>,
    values: &Map<String, Value>,
) -> NextSteps {
    let image = image_name(project, program);
    let list = |key: &str| -> Vec<Value> { values.get(key).and_then(Value::as_array).cloned().unwrap_or_default() };
    let mut build = vec!["docker".to_string(), "build".into()];
    if dockerfile != "Dockerfile" {
        build.extend(["-f".into(), dockerfile.to_string()]);
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
    let secrets = values.get("build_secrets").or_else(|| values.get("npmrc_secrets"));
    for id in secrets
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        build.extend(["--secret".into(), format!("id={id},env={id}")]);
    }
    build.extend(["-t".into(), image.clone(), context.display().to_string()]);

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
    // Credentials the program reads are passed from the caller's environment, never written down.
    for name in list("secret_env").iter().filter_map(Value::as_str) {
        run.extend(["-e".into(), name.to_string()]);
    }
    run.push(image);
    NextSteps { build, run }
}

/// A local image name: the program's name (binary, package, artifact without its version), else the project
/// folder's, in the characters image names allow.
fn image_name(project: &Path, program: Option<String>) -> String {
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
