//! How the project already runs its app (Procfile's `web:`, an old Dockerfile's CMD, a compose command): the
//! server and app its start command names rank first, its bind port is the port, and the rest of the
//! deployment files' contract (ports, environment, volumes) applies as for every stack.

use std::path::Path;

use super::app::AppObject;
use super::server::{self, Started};
use super::{ChoiceOption, Fact};
use crate::detect::deploy::{self, base_name, Program, Start};
use crate::detect::join_rel;
use crate::knowledge::python::knowledge;

/// The start command of the project's deployment files when it runs a known server on an app the repository
/// has, with its source: a command naming a module that is not there (an old Dockerfile's `main:app` after the
/// app moved to `app/main.py`) gives way to the next file's (compose's `app.main:app`).
pub(super) fn started(root: &Path) -> Option<(Started, String)> {
    let runs_an_app_here = |words: &[String], run_dir: Option<&str>| {
        server::started(words).is_some_and(|started| app_is_here(&root.join(run_dir.unwrap_or(".")), &started, words))
    };
    let runtime = deploy::read(root, ".", &[], &runs_an_app_here);
    let (words, source) = runtime.command?;
    let mut started = server::started(&words)?;
    started.dir = runtime.run_dir;
    Some((started, source))
}

/// Whether the module of the command's app is in the folder it runs in (`app.main` → app/main.py or app/main/),
/// as the server imports it from the working directory or from the installed src layout (src/app/main.py); a
/// command that moves that directory (`--chdir`, `--app-dir`, `--pythonpath`) or names no app is taken as it is.
fn app_is_here(root: &Path, started: &Started, words: &[String]) -> bool {
    let Some(spec) = &started.app else { return true };
    let moved = words.iter().any(|option| {
        ["--chdir", "--app-dir", "--pythonpath"].iter().any(|flag| option == flag || option.starts_with(&format!("{flag}=")))
    });
    let module = spec.split_once(':').map_or(spec.as_str(), |(module, _)| module);
    // The src layout's package is installed (`pip install .`) and imported from anywhere.
    moved || module_in(root, module) || module_in(&root.join("src"), module)
}

/// Whether `module` (`app.main`) is a module or package of the folder `base`.
fn module_in(base: &Path, module: &str) -> bool {
    let path = module.replace('.', "/");
    base.join(format!("{path}.py")).is_file() || base.join(&path).is_dir()
}

/// The project's deployment files start the program itself with Python (`python -m src.bot`, `python3 app.py`,
/// an old Dockerfile's CMD, Procfile, compose): the words as the image runs them (`python` of its environment) and
/// what they run, with the source. Only a file or module the repository holds counts.
pub(super) fn started_script(root: &Path) -> Option<(Vec<String>, String, String)> {
    let runs = |words: &[String], run_dir: Option<&str>| run_dir.is_none() && script_target(root, words).is_some();
    let runtime = deploy::read(root, ".", &[], &runs);
    let (words, source) = runtime.command?;
    // Its words are joined into the command the plan splits again: a word with a space would not survive.
    if words.iter().any(|w| w.contains(char::is_whitespace)) {
        return None;
    }
    let target = script_target(root, &words)?;
    let mut command = vec!["python".to_string()];
    command.extend(words.into_iter().skip(1));
    Some((command, target, source))
}

/// What `python [-u] FILE.py …` or `python -m MODULE …` runs, when the repository has it.
fn script_target(root: &Path, words: &[String]) -> Option<String> {
    let interpreter = base_name(words.first()?);
    let is_python = interpreter == "python"
        || interpreter
            .strip_prefix("python")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    if !is_python {
        return None;
    }
    let mut rest = words[1..].iter().skip_while(|w| matches!(w.as_str(), "-u" | "-O" | "-OO" | "-B"));
    let first = rest.next()?;
    let safe = |s: &str| !s.is_empty() && !s.starts_with(['-', '/', '.']) && !s.contains("..");
    if first == "-m" {
        let module = rest.next()?;
        let path = module.replace('.', "/");
        let exists = safe(module)
            && (root.join(format!("{path}.py")).is_file() || root.join(&path).join("__main__.py").is_file());
        return exists.then(|| module.clone());
    }
    let file = first.strip_prefix("./").unwrap_or(first);
    let is_python_file = Path::new(file).extension().is_some_and(|e| e.eq_ignore_ascii_case("py"));
    (safe(file) && is_python_file && root.join(file).is_file()).then(|| file.to_string())
}

/// Whether a command's app (`mysite.wsgi`, `app.main:app`, `pkg:create_app()`) is this app object. gunicorn
/// and waitress take `application` when no object is named; Flask's own server finds the module's app itself.
fn names(app: &AppObject, spec: &str, started: &Started) -> bool {
    // Run from a folder (`cd src && gunicorn web.app:app`), the module is that folder's: the same file as the app's
    // module in the folder it imports from.
    let same_module = |module: &str| match &started.dir {
        None => app.module == module,
        Some(dir) => join_rel(&app.dir, &app.module.replace('.', "/")) == join_rel(dir, &module.replace('.', "/")),
    };
    let Some((module, object)) = spec.split_once(':') else {
        return same_module(spec) && (server::is_development(&started.server) || app.object == "application");
    };
    let object = object.strip_suffix("()").unwrap_or(object);
    same_module(module) && app.object == object
}

/// Puts the app the start command names first (rank 0, its source the command's); an app the command names
/// that parsing did not find is taken as the command says.
pub(super) fn rank_by_command(
    root: &Path,
    mut apps: Vec<AppObject>,
    started: &Started,
    source: &str,
    warnings: &mut Vec<String>,
) -> Vec<AppObject> {
    let Some(spec) = &started.app else { return apps };
    if let Some(at) = apps.iter().position(|a| names(a, spec, started)) {
        let mut named = apps.remove(at);
        named.rank = 0;
        named.source = format!("{source} (defined at {})", named.source);
        apps.insert(0, named);
        return apps;
    }
    let unnamed = if server::is_development(&started.server) { "app" } else { "application" };
    let (module, object) = spec.split_once(':').unwrap_or((spec.as_str(), unnamed));
    // A stale command (`gunicorn app:runserver.py` after a rename) names no Python object: the code decides.
    let callee = object.split_once('(').map_or(object, |(name, _)| name);
    if !module.split('.').all(is_identifier) || !is_identifier(callee) {
        warnings.push(format!(
            "{source}: the start command names `{}`, which is not a Python module and object (MODULE:OBJECT): \
             not taken; the app is chosen from the code (--set app=MODULE:OBJECT picks another)",
            crate::files::excerpt(spec)
        ));
        return apps;
    }
    let factory = started.factory || object.ends_with("()");
    let interface = match started.server.as_str() {
        "uvicorn" | "daphne" => "asgi",
        _ => "wsgi",
    };
    let framework = apps.first().map_or_else(|| "unknown".to_string(), |a| a.framework.clone());
    apps.insert(
        0,
        AppObject {
            module: module.to_string(),
            object: object.trim_end_matches("()").to_string(),
            factory,
            framework,
            interface: interface.to_string(),
            source: source.to_string(),
            // Where the server imports it from: the folder the command runs in, else the working directory, else
            // the src layout (as `app_is_here` found it).
            dir: started.dir.clone().unwrap_or_else(|| {
                let in_src = !module_in(root, module) && module_in(&root.join("src"), module);
                if in_src { "src" } else { "." }.to_string()
            }),
            rank: 0,
            port: None,
        },
    );
    apps
}

/// Whether `name` is a Python identifier (`create_app`, not `runserver.py`).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The server and port the start command gives, on the app it runs.
pub(super) fn apply_started(root: &Path, options: &mut [ChoiceOption], started: &Started, source: &str) {
    let Some(option) = options.iter_mut().find(|o| started.app.as_ref().is_none_or(|spec| o.value == *spec || o.source.starts_with(source))) else {
        return;
    };
    // A development server the command names (`flask run`) does not replace a production one the project
    // depends on: the image runs that one, on the command's port.
    let has_production =
        option.facts.get("server").and_then(|s| s.value.as_str()).is_some_and(|s| !server::is_development(s));
    let takes_server = !(server::is_development(&started.server) && has_production);
    if knowledge().server.iter().any(|s| s.name == started.server) && takes_server {
        option.facts.insert(
            "server".into(),
            Fact::new(started.server.clone(), source.to_string()).with_note("the server the project's start command runs"),
        );
        option.warnings.clear();
    }
    if !started.options.is_empty() && takes_server {
        option.facts.insert(
            "server_options".into(),
            Fact::new(serde_json::json!(started.options), source.to_string())
                .with_note("the server's options in the project's start command, kept"),
        );
    }
    if let Some(dir) = &started.dir {
        option.facts.insert(
            "run_dir".into(),
            Fact::new(dir.clone(), source.to_string())
                .with_note("the project's start command runs there (a `cd` before it): the image's WORKDIR"),
        );
    }
    if let Some(port) = started.port {
        option.facts.insert(
            "port".into(),
            Fact::new(port, source.to_string()).with_note("the port the project's start command binds"),
        );
    } else if let Some((port, at)) =
        (started.server == "gunicorn").then(|| server::gunicorn_config_port(root, &started.options)).flatten()
    {
        option.facts.insert(
            "port".into(),
            Fact::new(port, at).with_note("the bind of the gunicorn configuration the start command reads"),
        );
    }
}

/// Applies the deployment files' contract (ports, environment, volumes) to the app objects; returns the notes
/// saying what was carried over.
pub(super) fn apply(root: &Path, options: &mut [ChoiceOption]) -> Vec<String> {
    let mut programs: Vec<Program> = options
        .iter_mut()
        .map(|option| Program {
            names: Vec::new(),
            dir: ".".to_string(),
            facts: &mut option.facts,
            warnings: &mut option.warnings,
            builds_frontend: true,
            runs_python_scripts: true,
            kept_at_start: |step| crate::knowledge::python::knowledge().is_migration(step),
            takes_workdir: false,
            // The image's own, and the development switches an old image may have set (FLASK_ENV=development).
            own_env: &[
                "PYTHONUNBUFFERED",
                "PYTHONDONTWRITEBYTECODE",
                "PATH",
                "VIRTUAL_ENV",
                "PYTHONPATH",
                "PORT",
                "FLASK_ENV",
                "FLASK_DEBUG",
                // `flask run`'s app and bind, which the image sets when Flask's server runs the app.
                "FLASK_APP",
                "FLASK_RUN_HOST",
                "FLASK_RUN_PORT",
            ],
        })
        .collect();
    // The image builds its own start command from the server and the app: the old one's words are all start.
    deploy::apply_to_programs(
        root,
        &mut programs,
        &|facts, words| {
            // The project's own start command, taken as the program's (`python -m bot`), runs it too.
            let own = facts
                .get("start_command")
                .and_then(|f| f.value.as_str())
                .is_some_and(|command| command == words.join(" "));
            (own || server::started(words).is_some() || super::programs::named_by(words).is_some())
                .then(|| Start::words(words.len()))
        },
        &|s| s.to_string(),
    )
}
