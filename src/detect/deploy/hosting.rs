//! Hosting platforms' service files that say how the program starts on a plain host: render.yaml's web
//! service (`startCommand`, `envVars`, the folder it is built in) and Railway's `deploy.startCommand`
//! (railway.toml, railway.json). Read like a Procfile: the command a platform runs, one line of shell.

use std::path::Path;

use super::procfile::shell_command;
use super::record::{add_env, add_service_env, Runtime};
use super::syntax::line_of;
use crate::detect::read_small_text;
use marked_yaml::types::MarkedMappingNode;

/// render.yaml's services built from `dir` (relative to the repository root: its `rootDir`, the root when none
/// is given), web services first, then a background worker or private service when there is no web one.
pub(super) fn render(root: &Path, dir: &str) -> Vec<Runtime> {
    with_render_services(root, dir, |services| {
        services
            .iter()
            .map(|service| {
                let mut found = service
                    .get_node("startCommand")
                    .and_then(|node| {
                        let command = node
                            .as_scalar()?
                            .as_str()
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty());
                        let command = command.collect::<Vec<_>>().join(" && ");
                        shell_command(&command, &format!("render.yaml:{}", line_of(node)))
                    })
                    .unwrap_or_default();
                for variable in service.get_sequence("envVars").into_iter().flat_map(|s| s.iter()) {
                    render_variable(&mut found, variable);
                }
                found
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The value render.yaml gives a variable (`PYTHON_VERSION: 3.11.0`) in a service built from `dir`, with its line.
pub(crate) fn render_variable_value(root: &Path, dir: &str, name: &str) -> Option<(String, usize)> {
    with_render_services(root, dir, |services| {
        services.iter().find_map(|service| {
            service.get_sequence("envVars")?.iter().find_map(|variable| {
                let variable = variable.as_mapping()?;
                (variable.get_scalar("key")?.as_str() == name).then_some(())?;
                let value = variable.get_scalar("value")?;
                Some((value.as_str().trim().to_string(), line_of(variable.get_node("value")?)))
            })
        })
    })
    .flatten()
}

/// `each` on the services of render.yaml built from `dir`: its web services, else its workers and private
/// services. None without a render.yaml that parses.
fn with_render_services<T>(root: &Path, dir: &str, each: impl FnOnce(&[&MarkedMappingNode]) -> T) -> Option<T> {
    let text = read_small_text(&root.join("render.yaml"))?;
    let doc = marked_yaml::parse_yaml(0, &text).ok()?;
    let services = doc.as_mapping()?.get_sequence("services")?;
    let wanted = normal_dir(dir);
    let ours: Vec<&MarkedMappingNode> = services
        .iter()
        .filter_map(|s| s.as_mapping())
        .filter(|s| normal_dir(s.get_scalar("rootDir").map_or(".", |d| d.as_str())) == wanted)
        .collect();
    let kind = |s: &&&MarkedMappingNode| s.get_scalar("type").map(|t| t.as_str().to_string());
    let web: Vec<&MarkedMappingNode> = ours
        .iter()
        .filter(|s| kind(s).as_deref() == Some("web"))
        .copied()
        .collect();
    let chosen: Vec<&MarkedMappingNode> = if web.is_empty() {
        ours.iter()
            .filter(|s| matches!(kind(s).as_deref(), Some("worker" | "pserv")))
            .copied()
            .collect()
    } else {
        web
    };
    Some(each(&chosen))
}

/// Variables that configure the platform's build, not the program (`PYTHON_VERSION` picks Render's Python: a
/// line, read by `toolchains`).
const PLATFORM_SETTINGS: &[&str] = &[
    "PYTHON_VERSION",
    "NODE_VERSION",
    "BUN_VERSION",
    "POETRY_VERSION",
    "UV_VERSION",
    "GO_VERSION",
    "RUBY_VERSION",
    "ELIXIR_VERSION",
    "RUST_VERSION",
];

/// One of render.yaml's `envVars`: a value is the program's environment (`PORT` also its port); one taken from
/// another service (`fromDatabase`, `fromService`) is named for run time, and so is a secret kept on the platform
/// (`sync: false`, `generateValue`); the platform's own build settings (and the PORT it gives) are not the
/// program's.
fn render_variable(found: &mut Runtime, variable: &marked_yaml::Node) {
    let Some(variable) = variable.as_mapping() else { return };
    let Some(name) = variable.get_scalar("key").map(|k| k.as_str().to_string()) else {
        return;
    };
    if PLATFORM_SETTINGS.contains(&name.as_str()) {
        return;
    }
    let line = variable.get_node("key").map_or(1, line_of);
    let source = format!("render.yaml:{line}");
    match variable.get_scalar("value").map(|v| v.as_str().to_string()) {
        Some(value) => {
            if name == "PORT" {
                found
                    .ports
                    .extend(value.parse().ok().filter(|p| *p > 0).map(|p| (p, source.clone())));
            }
            add_env(found, name, Some(value), &source);
        }
        None if variable.get_node("fromDatabase").is_some() || variable.get_node("fromService").is_some() => {
            add_service_env(found, name, &source);
        }
        // The platform gives PORT itself.
        None if name == "PORT" => {}
        None => found.secret_env.push((name, source)),
    }
}

/// A folder as render.yaml or the caller writes it, without `./` or a trailing slash; "." for the root.
fn normal_dir(dir: &str) -> &str {
    match dir.trim_start_matches("./").trim_end_matches('/') {
        "" => ".",
        dir => dir,
    }
}

/// Railway's start command in the app's folder: `[deploy] startCommand` of railway.toml, or `deploy.startCommand`
/// of railway.json.
pub(super) fn railway(own: &Path, dir: &str) -> Option<Runtime> {
    for (name, parse) in [
        ("railway.toml", parse_toml as fn(&str) -> Option<serde_json::Value>),
        ("railway.json", |text: &str| serde_json::from_str(text).ok()),
    ] {
        let Some(text) = read_small_text(&own.join(name)) else {
            continue;
        };
        let Some(command) =
            parse(&text).and_then(|config| Some(config.get("deploy")?.get("startCommand")?.as_str()?.to_string()))
        else {
            continue;
        };
        let line = text
            .lines()
            .position(|l| l.contains("startCommand"))
            .map_or(1, |i| i + 1);
        return shell_command(&command, &format!("{}:{line}", crate::detect::join_rel(dir, name)));
    }
    None
}

fn parse_toml(text: &str) -> Option<serde_json::Value> {
    let table: toml::Table = toml::from_str(text).ok()?;
    serde_json::to_value(table).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn render_services_of_the_folder() {
        let dir = repo(&[(
            "render.yaml",
            "services:\n  - type: web\n    rootDir: ./api/\n    startCommand: npm run migrate && node dist/main.js\n    envVars:\n      - key: DATABASE_URL\n        fromDatabase:\n          name: db\n          property: connectionString\n      - key: LOG_LEVEL\n        value: info\n      - key: NODE_VERSION\n        value: 22.11.0\n      - key: PORT\n        generateValue: true\n  - type: web\n    startCommand: bin/site\n  - type: cron\n    rootDir: api\n    startCommand: node dist/jobs.js\n",
        )]);
        let api = render(dir.path(), "api");
        assert_eq!(api.len(), 1);
        let (words, source) = api[0].command.clone().unwrap();
        assert_eq!(
            (words, source.as_str()),
            (vec!["node".to_string(), "dist/main.js".into()], "render.yaml:4")
        );
        assert_eq!(api[0].steps_before, ["npm run migrate"]);
        assert_eq!(api[0].service_env[0].0, "DATABASE_URL");
        // The platform's build setting is a line, not the program's environment; PORT is the platform's to give.
        assert_eq!(
            api[0].env,
            [(
                ("LOG_LEVEL".to_string(), "info".to_string()),
                "render.yaml:10".to_string()
            )]
        );
        assert!(api[0].secret_env.is_empty());
        assert_eq!(
            render_variable_value(dir.path(), "api", "NODE_VERSION"),
            Some(("22.11.0".to_string(), 13))
        );
        assert_eq!(render_variable_value(dir.path(), ".", "NODE_VERSION"), None);
        let site = render(dir.path(), ".");
        assert_eq!(site[0].command.as_ref().unwrap().0, ["bin/site"]);
        // Only a web service, or a worker when there is none: a cron job is not how the program serves.
        assert!(render(&dir.path().join("api"), ".").is_empty());
    }

    #[test]
    fn railway_start_command() {
        let toml = repo(&[(
            "railway.toml",
            "[build]\nbuilder = \"nixpacks\"\n\n[deploy]\nstartCommand = \"python -m bot\"\n",
        )]);
        let found = railway(toml.path(), ".").unwrap();
        assert_eq!(
            found.command.unwrap(),
            (
                vec!["python".to_string(), "-m".into(), "bot".into()],
                "railway.toml:5".into()
            )
        );
        let json = repo(&[(
            "railway.json",
            "{\n  \"deploy\": {\n    \"startCommand\": \"PORT=4000 node server.js\"\n  }\n}\n",
        )]);
        let found = railway(json.path(), "web").unwrap();
        assert_eq!(found.command.unwrap().1, "web/railway.json:3");
        assert_eq!(found.env[0].0, ("PORT".to_string(), "4000".to_string()));
        assert!(railway(repo(&[("railway.json", "{\"build\": {}}")]).path(), ".").is_none());
    }
}
