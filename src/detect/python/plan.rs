//! Python's derive step: the server's start command from the server, the app object and the port (each server
//! spells its bind and its factory flag its own way), and the install flags of the manager's version.

use serde_json::{Map, Value};

use super::super::stack::PlanField;
use crate::knowledge::python::tool;
use crate::knowledge::version_at_least;

pub(super) const FIELDS: &[PlanField] = &[
    PlanField {
        name: "start_words",
        holds: "the CMD's words: start_command when given, else the server running the app on 0.0.0.0 and the port \
                (gunicorn --bind, uvicorn --host/--port, --factory or `module:factory()` for a factory; Flask's own \
                `flask run --host --port`, the app in FLASK_APP, added to start_env; Django's `manage.py runserver`), \
                with the server's options from the project's start command (server_options)",
    },
    PlanField {
        name: "poetry_main_only",
        holds: "for Poetry: the flag that leaves out development dependencies (--only main since 1.2, with the groups \
                a deployment installs too, poetry_groups; --no-dev before)",
    },
    PlanField {
        name: "tool_released",
        holds: "for Poetry, Pipenv and PDM at dockgen's default version: the day it was uploaded, whose dependencies \
                the builder installs it with (uv --exclude-newer)",
    },
    PlanField {
        name: "tool_installer_uv",
        holds: "the uv that installs the package manager with the dependencies of its release day (none on a Python \
                line uv does not install on: the tool is installed with pip alone there)",
    },
    PlanField {
        name: "frontend.package_manager_setup, frontend.node_ships_yarn",
        holds: "the front-end stage's package-manager setup and whether its Node image has yarn, as Node derives \
                them",
    },
    PlanField {
        name: "python_path",
        holds: "the folder the app's modules import from, when it is not the working directory (a src layout)",
    },
];

pub(super) fn derive(values: &mut Map<String, Value>) {
    crate::detect::frontend::derive(values);
    let text = |values: &Map<String, Value>, key: &str| values.get(key).and_then(Value::as_str).map(String::from);
    if let Some(words) = start_words(values) {
        values.insert("start_words".into(), Value::from(words));
    }
    app_env(values);
    if text(values, "package_manager").as_deref() == Some("poetry") {
        let version = text(values, "package_manager_version").unwrap_or_default();
        let groups: Vec<&str> = values
            .get("poetry_groups")
            .and_then(Value::as_array)
            .map(|groups| groups.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // Groups came with 1.2; before it there is only development or not.
        let flag = if !version.is_empty() && !version_at_least(&version, "1.2") {
            "--no-dev".to_string()
        } else {
            std::iter::once("--only main").chain(groups).collect::<Vec<_>>().join(",")
        };
        values.insert("poetry_main_only".into(), Value::from(flag));
    }
    let manager = text(values, "package_manager").unwrap_or_default();
    let version = text(values, "package_manager_version").unwrap_or_default();
    // uv runs on none of the oldest lines: there the tool is installed with pip alone.
    let line = text(values, "python_version");
    let uv = tool("uv").filter(|uv| uv.installs_on(line.as_deref()));
    if let Some(released) = tool(&manager).filter(|_| manager != "uv").and_then(|known| known.released_on(&version)) {
        values.insert("tool_released".into(), Value::from(released.to_string()));
        if let Some(uv) = uv {
            values.insert("tool_installer_uv".into(), Value::from(uv.default.clone()));
        }
    }
    if let Some(dir) = text(values, "app_dir").filter(|d| d != ".") {
        values.insert("python_path".into(), Value::from(format!("/app/{dir}")));
    }
}

fn start_words(values: &Map<String, Value>) -> Option<Vec<String>> {
    let text = |key: &str| values.get(key).and_then(Value::as_str);
    if let Some(command) = text("start_command") {
        return Some(command.split_whitespace().map(String::from).collect());
    }
    let app = text("app")?;
    let server = text("server")?;
    let port = match values.get("port") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => "8000".to_string(),
    };
    let factory = values.get("app_factory").and_then(Value::as_bool).unwrap_or(false);
    let asgi = text("interface") == Some("asgi");
    // gunicorn, hypercorn and waitress call a factory written as a call; uvicorn and granian take a flag.
    let called = if factory { format!("{app}()") } else { app.to_string() };
    let bind = format!("0.0.0.0:{port}");
    let words: Vec<String> = match server {
        "gunicorn" if asgi => vec!["gunicorn", "--bind", &bind, "--worker-class", "uvicorn.workers.UvicornWorker", &called]
            .into_iter()
            .map(String::from)
            .collect(),
        "gunicorn" | "hypercorn" => vec![server.to_string(), "--bind".into(), bind, called],
        "uvicorn" => {
            let mut words = vec!["uvicorn".to_string(), app.to_string(), "--host".into(), "0.0.0.0".into(), "--port".into(), port];
            if factory {
                words.push("--factory".into());
            }
            words
        }
        "granian" => {
            let mut words = vec!["granian".to_string(), "--interface".into(), if asgi { "asgi" } else { "wsgi" }.into()];
            words.extend(["--host".into(), "0.0.0.0".into(), "--port".into(), port]);
            if factory {
                words.push("--factory".into());
            }
            words.push(app.to_string());
            words
        }
        "daphne" => vec!["daphne".into(), "--bind".into(), "0.0.0.0".into(), "--port".into(), port, app.to_string()],
        // The app is named by its variable (`app_env`, set with the start environment).
        "flask" => vec!["flask".into(), "run".into(), "--host".into(), "0.0.0.0".into(), "--port".into(), port],
        "django" => vec!["python".into(), "manage.py".into(), "runserver".into(), "--noreload".into(), format!("0.0.0.0:{port}")],
        // uWSGI's `--module` names the callable; a factory it cannot call from the command line.
        "uwsgi" if !factory => ["uwsgi", "--http-socket", &bind, "--master", "--module", app]
            .into_iter()
            .map(String::from)
            .collect(),
        "waitress" => {
            let mut words = vec!["waitress-serve".to_string(), format!("--listen={bind}")];
            if factory {
                words.push("--call".into());
            }
            words.push(app.to_string());
            words
        }
        _ => return None,
    };
    // The server's options from the project's start command go after the server's own name.
    let options: Vec<String> = values
        .get("server_options")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(|w| w.as_str().map(String::from)).collect())
        .unwrap_or_default();
    let mut words = words;
    // After the subcommand that starts the server (`flask run`, `manage.py runserver`), whose options they are.
    let subcommand = server_knowledge(server).and_then(|s| s.subcommand.as_deref());
    let at = words.iter().position(|w| Some(w.as_str()) == subcommand).map_or(1, |i| i + 1);
    words.splice(at..at, options);
    Some(words)
}

fn server_knowledge(name: &str) -> Option<&'static crate::knowledge::python::Server> {
    crate::knowledge::python::knowledge().server.iter().find(|s| s.name == name)
}

/// The app's variable for a server that takes it so (Flask's `FLASK_APP`) and the variables that keep it out of
/// its debug mode (`FLASK_DEBUG=0`), added to the start environment.
fn app_env(values: &mut Map<String, Value>) {
    let text = |key: &str| values.get(key).and_then(Value::as_str);
    if text("start_command").is_some() {
        return;
    }
    let (Some(app), Some(server)) = (text("app"), text("server")) else { return };
    let Some(knowledge) = server_knowledge(server) else { return };
    let Some(name) = knowledge.app_env.clone() else { return };
    // Flask calls a factory the variable names by itself (`module:create_app`); its arguments would need a shell.
    let mut pairs = vec![serde_json::json!({ "name": name, "value": app.trim_end_matches("()") })];
    pairs.extend(knowledge.production_env.iter().map(|(name, value)| serde_json::json!({ "name": name, "value": value })));
    match values.get_mut("start_env") {
        Some(Value::Array(env)) => {
            env.retain(|pair| !pairs.iter().any(|new| new["name"] == pair["name"]));
            env.extend(pairs);
        }
        _ => {
            values.insert("start_env".into(), Value::Array(pairs));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn derived(values: &Value) -> Vec<String> {
        let mut values = values.as_object().unwrap().clone();
        derive(&mut values);
        serde_json::from_value(values["start_words"].clone()).unwrap()
    }

    #[test]
    fn each_server_is_started_its_own_way() {
        assert_eq!(
            derived(&json!({"app": "mysite.wsgi:application", "server": "gunicorn", "port": 8000})).join(" "),
            "gunicorn --bind 0.0.0.0:8000 mysite.wsgi:application"
        );
        assert_eq!(
            derived(&json!({"app": "app:create_app", "server": "uvicorn", "port": 9000, "app_factory": true})).join(" "),
            "uvicorn app:create_app --host 0.0.0.0 --port 9000 --factory"
        );
        assert_eq!(
            derived(&json!({"app": "app:create_app", "server": "gunicorn", "port": 8000, "app_factory": true})).join(" "),
            "gunicorn --bind 0.0.0.0:8000 app:create_app()"
        );
        assert_eq!(
            derived(&json!({"app": "main:app", "server": "gunicorn", "port": 8000, "interface": "asgi"})).join(" "),
            "gunicorn --bind 0.0.0.0:8000 --worker-class uvicorn.workers.UvicornWorker main:app"
        );
        assert_eq!(
            derived(&json!({"app": "w:app", "server": "gunicorn", "port": 5000, "server_options": ["--workers", "2"]}))
                .join(" "),
            "gunicorn --workers 2 --bind 0.0.0.0:5000 w:app"
        );
        assert_eq!(
            derived(&json!({"app": "x:app", "server": "uvicorn", "start_command": "python -m x"})).join(" "),
            "python -m x"
        );
    }
}
