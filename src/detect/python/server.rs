//! The server: the production server the project depends on for its app's interface (else its framework's own
//! development server), and how a start command of the project's own deployment files runs one (`gunicorn -b
//! 0.0.0.0:8000 mysite.wsgi`, `flask run --host=0.0.0.0`), read into the app it names and the port it binds.

use std::path::Path;

use super::lock::Locked;
use super::requirements::Dependency;
use super::source::summarise;
use crate::detect::deploy::base_name;
use crate::detect::read_small_text;
use crate::knowledge::python::knowledge;

/// The server the project depends on for `interface` (the first of knowledge's servers that serves it), with
/// the dependency that names it and a note when it comes another way: with a framework's extra
/// (`fastapi[standard]`), or through another dependency, as the lock shows (`uvicorn-worker` brings gunicorn).
/// With no production server, the framework's own development server (`flask run`), which its `app.run()`
/// starts too.
pub(super) fn depended_on(
    dependencies: &[Dependency],
    locked: Option<(&str, &[Locked])>,
    interface: &str,
    framework: &str,
) -> Option<(String, String, Option<String>)> {
    production(dependencies, locked, interface).or_else(|| {
        let own = knowledge().server.iter().find(|s| s.frameworks.iter().any(|f| f == framework))?;
        let dependency = dependencies.iter().find(|d| d.name == own.package)?;
        Some((own.name.clone(), dependency.source.clone(), None))
    })
}

/// The distribution a known server comes in (`waitress` for `waitress-serve`'s server).
pub(super) fn package_of(name: &str) -> Option<&'static str> {
    knowledge().server.iter().find(|s| s.name == name).map(|s| s.package.as_str())
}

/// Whether the project installs the server named: as a dependency, through a framework's extra
/// (`fastapi[standard]` brings uvicorn), or as the lock holds it (another dependency brings it).
pub(super) fn installed(dependencies: &[Dependency], locked: Option<(&str, &[Locked])>, name: &str) -> bool {
    let Some(package) = package_of(name) else { return true };
    let direct = dependencies.iter().any(|d| d.name == package);
    let by_extra = knowledge().framework.iter().any(|framework| {
        dependencies
            .iter()
            .any(|d| d.name == framework.package && d.extras.iter().any(|e| framework.server_extras.get(e).is_some_and(|s| s == name)))
    });
    let by_lock = locked.is_some_and(|(_, packages)| packages.iter().any(|p| p.name == package));
    direct || by_extra || by_lock
}

/// Whether the server named is a framework's development server (`flask`).
pub(super) fn is_development(name: &str) -> bool {
    knowledge().server.iter().any(|s| s.name == name && s.is_development())
}

/// The production server the project depends on for an app of this interface: directly, through a framework's
/// extra (`fastapi[standard]`), or installed by another dependency (the lock holds it).
fn production(
    dependencies: &[Dependency],
    locked: Option<(&str, &[Locked])>,
    interface: &str,
) -> Option<(String, String, Option<String>)> {
    let servers: Vec<_> = knowledge()
        .server
        .iter()
        .filter(|s| !s.is_development() && s.interfaces.iter().any(|i| i == interface))
        .collect();
    for server in &servers {
        if let Some(dependency) = dependencies.iter().find(|d| d.name == server.package) {
            return Some((server.name.clone(), dependency.source.clone(), None));
        }
    }
    for framework in &knowledge().framework {
        let with_extra = dependencies.iter().find_map(|d| {
            (d.name == framework.package)
                .then(|| d.extras.iter().find_map(|e| Some((e, framework.server_extras.get(e)?))))?
                .map(|(extra, server)| (d, extra, server))
        });
        if let Some((dependency, extra, server)) = with_extra {
            let note = format!("{server} comes with {}[{extra}]", dependency.name);
            return Some((server.clone(), dependency.source.clone(), Some(note)));
        }
    }
    let (file, packages) = locked?;
    let server = servers.iter().find(|s| packages.iter().any(|p| p.main && p.name == s.package))?;
    Some((
        server.name.clone(),
        file.to_string(),
        Some(format!(
            "{} is installed through another dependency ({file} holds it)",
            server.name
        )),
    ))
}

/// What a start command says: the server, the app it runs (`module:object`, with `()` for a factory call),
/// whether it is a factory, and the port it binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Started {
    pub(super) server: String,
    pub(super) app: Option<String>,
    pub(super) factory: bool,
    pub(super) port: Option<u16>,
    /// How many words start the server (`python -m gunicorn` is three, `gunicorn` one).
    pub(super) words: usize,
    /// The server's other options, kept as written (`--workers 2`, `--timeout=120`, `-c gunicorn.conf.py`).
    pub(super) options: Vec<String>,
    /// The folder of the repository it runs in when the command moves there first (`cd src && gunicorn …`):
    /// where its app's module is imported from.
    pub(super) dir: Option<String>,
}

/// Options the image sets itself (the bind, the app's folder, the factory flag, Flask's `--app` and `-h` host) or
/// that only suit development (`--reload`, `--debug`): not carried into the image's command.
const SET_BY_IMAGE: &[&str] = &[
    "-b", "--bind", "--listen", "--host", "--port", "-p", "--chdir", "--app-dir", "--pythonpath", "--factory",
    "--call", "--reload", "--reload-dir", "--reload-include", "--reload-exclude", "--env-file", "-D", "--daemon",
    "--interface", "-u", "--user", "-g", "--group", "--app", "-A", "-h", "--debug", "--debugger", "--noreload",
];

/// Options naming a file the server logs to (`--access-logfile access.log`): a container logs to its output
/// (`-`), and a file in the image's root-owned app folder cannot be opened by its user.
const LOG_FILE_OPTIONS: &[&str] = &["--access-logfile", "--error-logfile", "--log-file"];

/// Reads a command that starts one of the known servers; None for anything else (a dev server, a script).
pub(super) fn started(words: &[String]) -> Option<Started> {
    // A server run from a script of the project (`python manage.py runserver`).
    let scripted = || {
        let script = base_name(words.get(1)?);
        knowledge().server.iter().find(|s| s.script.as_deref() == Some(script)).map(|s| (s.name.as_str(), 2))
    };
    let (server, at) = match base_name(words.first()?) {
        first if first.starts_with("python") && words.get(1).is_some_and(|w| w == "-m") => (words.get(2)?.as_str(), 3),
        first if first.starts_with("python") => scripted()?,
        "waitress-serve" => ("waitress", 1),
        first => (first, 1),
    };
    let known = knowledge().server.iter().find(|s| s.name == server)?;
    // Every option takes a value but the server's flags: a list of valued options misses some (gunicorn's
    // `--max-requests-jitter 100`) and abbreviations (`--thread 50`), and a lost value breaks the command.
    let takes_value = |option: &str| !option.starts_with("--no-") && !known.flags.iter().any(|flag| flag == option);
    let mut found = Started {
        server: server.to_string(),
        app: None,
        factory: false,
        port: None,
        words: at,
        options: Vec::new(),
        dir: None,
    };
    // `flask run`: the subcommand is read past; a command without it (`flask db upgrade`) starts no server.
    let mut subcommand = known.subcommand.as_deref();
    let mut rest = words[at..].iter();
    while let Some(word) = rest.next() {
        if subcommand == Some(word.as_str()) {
            subcommand = None;
            continue;
        }
        let (option, inline) = match word.split_once('=') {
            Some((option, value)) if option.starts_with('-') => (option, Some(value.to_string())),
            _ => (word.as_str(), None),
        };
        if option == "--factory" {
            found.factory = true;
            continue;
        }
        if option.starts_with('-') {
            // `-w4` carries its value as `--workers=4` does.
            let attached = !option.starts_with("--") && option.len() > 2;
            let separate = takes_value(option) && inline.is_none() && !attached;
            let value = if separate { rest.next().cloned() } else { inline };
            if let Some(value) = &value {
                if matches!(option, "-b" | "--bind" | "--listen" | "--port" | "-p") {
                    found.port = found.port.or_else(|| port_in(value));
                }
                if matches!(option, "--app" | "-A") {
                    found.app = found.app.take().or_else(|| app_of_target(value));
                }
            }
            // A value the old command's shell expanded (`${WORKERS:-4}`) means nothing in an exec-form CMD.
            let expanded = word.contains('$') || value.as_ref().is_some_and(|v| v.contains('$'));
            let logs_to_file = LOG_FILE_OPTIONS.contains(&option) && value.as_deref() != Some("-");
            if !SET_BY_IMAGE.contains(&option) && !expanded && !logs_to_file {
                found.options.push(word.clone());
                if let (true, Some(value)) = (separate, value) {
                    found.options.push(value);
                }
            }
            continue;
        }
        if known.is_development() && found.port.is_none() {
            // Django's `runserver 0.0.0.0:8000`: the address is an argument.
            found.port = port_in(word);
            if found.port.is_some() {
                continue;
            }
        }
        if found.app.is_none() && is_app_spec(word) {
            found.app = Some(word.clone());
        }
    }
    subcommand.is_none().then_some(found)
}

/// The app a Flask target names (`--app`, `FLASK_APP`): `app.py`, `src/app.py`, `app:create_app()` as the
/// `module:object` spec the other servers take (the object left out when the target names none).
fn app_of_target(target: &str) -> Option<String> {
    let (module, object) = target.split_once(':').map_or((target, None), |(m, o)| (m, Some(o)));
    let module = module.strip_suffix(".py").unwrap_or(module).trim_start_matches("./").replace('/', ".");
    let spec = object.map_or_else(|| module.clone(), |object| format!("{module}:{object}"));
    is_app_spec(&spec).then_some(spec)
}

/// The port gunicorn's configuration file binds (`bind = "0.0.0.0:8080"`): the file the start command's `-c`
/// names, else `gunicorn.conf.py`, which gunicorn reads from its working directory by itself.
pub(super) fn gunicorn_config_port(root: &Path, options: &[String]) -> Option<(u16, String)> {
    gunicorn_settings(root, options, &["bind"]).into_iter().find_map(|(value, at)| Some((port_in(&value)?, at)))
}

/// The files gunicorn's configuration logs to (`accesslog`, `errorlog`), with their lines; `-` (the standard
/// streams) is none. (The start command's own log options are not carried into the image's command, which logs
/// to its output: `LOG_FILE_OPTIONS`.)
pub(super) fn gunicorn_log_files(root: &Path, options: &[String]) -> Vec<(String, String)> {
    let mut files = gunicorn_settings(root, options, &["accesslog", "errorlog"]);
    files.retain(|(file, _)| file != "-" && !file.is_empty());
    files
}

/// The string settings of these names in gunicorn's configuration file (the one the start command's `-c` names,
/// else `gunicorn.conf.py`, which gunicorn reads from its working directory by itself), with their lines.
fn gunicorn_settings(root: &Path, options: &[String], settings: &[&str]) -> Vec<(String, String)> {
    let named = options
        .iter()
        .position(|o| o == "-c" || o == "--config")
        .and_then(|at| options.get(at + 1).cloned())
        .or_else(|| options.iter().find_map(|o| o.strip_prefix("--config=").map(String::from)));
    let file = named.map_or_else(|| "gunicorn.conf.py".to_string(), |f| f.trim_start_matches("./").to_string());
    let Some(text) = read_small_text(&root.join(&file)) else { return Vec::new() };
    let summary = summarise(&text, &|_| false);
    summary
        .constants
        .iter()
        .filter(|(name, _, _)| settings.contains(&name.as_str()))
        .filter_map(|(_, value, line)| Some((value.as_str()?.to_string(), format!("{file}:{line}"))))
        .collect()
}

/// `0.0.0.0:8000`, `:8000`, `[::]:8000`, `8000` → 8000; a variable or a socket path → None.
fn port_in(value: &str) -> Option<u16> {
    let port = value.rsplit(':').next()?;
    port.parse().ok().filter(|p| *p > 0)
}

/// `mysite.wsgi`, `app:app`, `pkg.main:create_app()`: a dotted module, optionally `:object`.
fn is_app_spec(word: &str) -> bool {
    let (module, object) = word.split_once(':').unwrap_or((word, "app"));
    let object = object.strip_suffix("()").unwrap_or(object);
    let name = |part: &str| {
        part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    module.split('.').all(name) && object.split('.').all(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::words;

    #[test]
    fn gunicorn_log_files_come_from_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gunicorn.conf.py"), "accesslog = \"logs/access.log\"\nerrorlog = \"-\"\n").unwrap();
        std::fs::write(dir.path().join("prod.py"), "errorlog = \"/var/log/app/error.log\"\n").unwrap();
        let files = |command: &str| -> Vec<(String, String)> {
            let options = started(&words(command)).map(|s| s.options).unwrap_or_default();
            gunicorn_log_files(dir.path(), &options)
        };
        assert_eq!(files("gunicorn app:app"), [("logs/access.log".to_string(), "gunicorn.conf.py:1".to_string())]);
        // The command's own log files are not the image's: it logs to its output.
        assert_eq!(
            files("gunicorn -c prod.py --access-logfile=requests.log --log-file - app:app"),
            [("/var/log/app/error.log".to_string(), "prod.py:1".to_string())]
        );
    }

    #[test]
    fn start_commands_are_read() {
        let started = started(&words("gunicorn -w 4 --bind 0.0.0.0:5000 mysite.wsgi --log-file -")).unwrap();
        assert_eq!(
            (started.server.as_str(), started.app.as_deref(), started.port),
            ("gunicorn", Some("mysite.wsgi"), Some(5000))
        );
        assert_eq!(started.options, words("-w 4 --log-file -"));
        let started = super::started(&words("python -m uvicorn app.main:app --host 0.0.0.0 --port=8080")).unwrap();
        assert_eq!((started.app.as_deref(), started.port, started.words), (Some("app.main:app"), Some(8080), 3));
        let started = super::started(&words("uvicorn --factory app:create_app --reload --workers=2")).unwrap();
        assert!(started.factory);
        assert_eq!(started.options, words("--workers=2"));
        let started = super::started(&words("gunicorn -w ${WORKERS_COUNT:-4} --timeout 60 app:app")).unwrap();
        assert_eq!(started.options, words("--timeout 60"));
        // Flask's own server: its subcommand read past, the app its --app target names, its development switches
        // and the bind left to the image; a command without the subcommand starts no server.
        let started = super::started(&words(
            "flask --app web/server.py --debug run --host=0.0.0.0 --port=8080 --with-threads",
        ))
        .unwrap();
        assert_eq!((started.app.as_deref(), started.port), (Some("web.server"), Some(8080)));
        assert_eq!(started.options, words("--with-threads"));
        let started = super::started(&words("python -m flask run -h 0.0.0.0 -p 5001")).unwrap();
        assert_eq!((started.server.as_str(), started.port, started.options.len()), ("flask", Some(5001), 0));
        assert_eq!(super::started(&words("flask --app app:create_app() run")).unwrap().app.as_deref(), Some("app:create_app()"));
        assert_eq!(super::started(&words("flask db upgrade")), None);
        let started = super::started(&words("python3 manage.py runserver 0.0.0.0:8001 --noreload")).unwrap();
        assert_eq!((started.server.as_str(), started.port, started.options.len()), ("django", Some(8001), 0));
        assert_eq!(super::started(&words("python manage.py migrate")), None);
        assert_eq!(super::started(&words("gunicorn -b $HOST:$PORT app:app")).unwrap().port, None);
        // Options missing from any list of valued ones, and argparse's abbreviations, keep their values.
        let started = super::started(&words(
            "gunicorn --workers 9 --thread 50 --worker-class gevent --max-requests-jitter 100 --preload app.wsgi:application",
        ))
        .unwrap();
        assert_eq!(started.app.as_deref(), Some("app.wsgi:application"));
        assert_eq!(
            started.options,
            words("--workers 9 --thread 50 --worker-class gevent --max-requests-jitter 100 --preload")
        );
        let started = super::started(&words("uvicorn main:app --proxy-headers --no-access-log --timeout-keep-alive 5")).unwrap();
        assert_eq!(started.app.as_deref(), Some("main:app"));
        assert_eq!(started.options, words("--proxy-headers --no-access-log --timeout-keep-alive 5"));
        assert_eq!(super::started(&words("gunicorn -w4 app:app")).unwrap().app.as_deref(), Some("app:app"));
    }
}
