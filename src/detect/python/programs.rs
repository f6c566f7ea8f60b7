//! Apps that run as programs of their own rather than as an object a server imports (knowledge's
//! `[[program]]`): a script its framework's command or Python runs as a file, serving on its own port
//! (`streamlit run app.py`, a Gradio demo's `launch()`, Dash's `app.run()`, aiohttp's `web.run_app`), and a
//! worker that serves nothing (a Celery app, RQ). Found by parsing the modules that import them; a start
//! command of the project's deployment files that runs one ranks it first.

use std::path::Path;

use serde_json::{json, Value};

use super::app::{import_root, is_side, ENTRY_NAMES};
use super::requirements::Dependency;
use super::source::{summarise, Call, Literal, Summary};
use super::{ChoiceOption, Fact, Facts};
use crate::detect::deploy::{self, base_name};
use crate::detect::{read_small_text, walk};
use crate::knowledge::python::{knowledge, Program, ProgramKind};

/// Module names that hold a script or a worker by convention, besides a web app's entry names.
const PROGRAM_NAMES: &[&str] = &["streamlit_app", "dashboard", "demo", "celery", "worker", "tasks"];

/// One module that runs as a program.
pub(super) struct Found {
    pub(super) program: &'static Program,
    /// The module's path, relative to the repository.
    pub(super) file: String,
    /// `module:object` for a worker's app, else the file: the value `--set app=` names.
    pub(super) value: String,
    module: String,
    object: String,
    dir: String,
    pub(super) source: String,
    /// How strongly it looks like the entry point: lower is stronger.
    pub(super) rank: u8,
    /// Where the project's deployment files start it (`Dockerfile:9`).
    started_by: Option<String>,
    /// Whether the module runs it itself (one of the program's `calls`), rather than only making it.
    called: bool,
    /// The port the code passes itself, with where.
    port: Option<(u16, String)>,
    /// The variable that port is read from, when the code reads one (`int(os.getenv("PORT", 8080))`).
    port_variable: Option<String>,
    /// The port argument as written, when it is none of the shapes a port is read from (`port=settings.port()`).
    unread_port: Option<String>,
    loopback: Option<String>,
}

impl Found {
    pub(super) fn is_worker(&self) -> bool {
        self.program.kind == ProgramKind::Worker
    }

    /// The words that start it, as its framework's command takes them.
    pub(super) fn command(&self) -> String {
        let port = self.port().map_or_else(String::new, |p| p.to_string());
        let own_command = !self.called && !self.program.cli_command.is_empty() && !self.object.is_empty();
        let template = if own_command { &self.program.cli_command } else { &self.program.command };
        let words: Vec<String> = template
            .iter()
            .map(|w| {
                w.replace("{file}", &self.file)
                    .replace("{module}", &self.module)
                    .replace("{object}", &self.object)
                    .replace("{port}", &port)
            })
            .collect();
        words.join(" ")
    }

    fn port(&self) -> Option<u16> {
        self.port.as_ref().map(|(p, _)| *p).or(self.program.port)
    }
}

/// Every module of the programs the project depends on, strongest first.
pub(super) fn find(root: &Path, dependencies: &[Dependency]) -> Vec<Found> {
    let used: Vec<&'static Program> = knowledge()
        .program
        .iter()
        .filter(|p| dependencies.iter().any(|d| d.name == p.package))
        .collect();
    if used.is_empty() {
        return Vec::new();
    }
    let named = started(root);
    let walked = walk::files_with_extensions(root, &["py"], |dir| dir.join("pyvenv.cfg").is_file());
    let mut found = Vec::new();
    for path in &walked.files {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let rel = rel.to_string_lossy().replace('\\', "/");
        // The image runs the command without a shell: a path it cannot write as a plain word is not offered; a
        // multipage app's pages/ (Streamlit's, Dash's) are pages of the app beside them, never an entry.
        let page = rel.split('/').rev().nth(1) == Some("pages");
        if crate::validate::command(&rel).is_err() || rel.contains(' ') || page {
            continue;
        }
        let Some(text) = read_small_text(path) else { continue };
        if !used.iter().any(|p| text.contains(p.imports.as_str())) {
            continue;
        }
        let summary = summarise(&text, &|name| used.iter().any(|p| p.calls.iter().any(|c| c == name)));
        for program in &used {
            if !summary.imports.contains(&program.imports) {
                continue;
            }
            let resolved = import_root(root, &rel, &summary.imports, dependencies).or_else(|| run_as_file(program, &rel));
            let Some((module_dir, module)) = resolved else { continue };
            let calls: Vec<&Call> = summary
                .calls
                .iter()
                .filter(|c| program.calls.iter().any(|name| last_name(&c.callee) == name))
                .collect();
            let constructed = summary
                .assignments
                .iter()
                .find(|(_, callee, _)| program.constructors.contains(callee));
            let Some((object, line)) = object_and_line(program, constructed, &calls) else { continue };
            let keyword = |name: &Option<String>| {
                let name = name.as_deref()?;
                calls.iter().find_map(|c| Some((c.keyword(name)?, c.line)))
            };
            let place = ModulePlace { root, rel: &rel, module_dir: &module_dir };
            let (passed, unread_port) = keyword(&program.port_keyword).map_or((None, None), |(value, line)| {
                match passed_port(value, format!("{rel}:{line}"), &summary, &place) {
                    Some(passed) => (Some(passed), None),
                    None => (None, Some(format!("{rel}:{line}: {}", written(value)))),
                }
            });
            let host = keyword(&program.host_keyword);
            let loopback = match (host, &program.host_default, calls.first()) {
                (Some((value, line)), _, _) => {
                    value.as_str().filter(|h| crate::detect::is_loopback_host(h)).map(|_| format!("{rel}:{line}"))
                }
                (None, Some(default), Some(call)) => {
                    crate::detect::is_loopback_host(default).then(|| format!("{rel}:{}", call.line))
                }
                (None, _, _) => None,
            };
            let stem = module.rsplit('.').next().unwrap_or(&module);
            let entry = ENTRY_NAMES.contains(&stem) || PROGRAM_NAMES.contains(&stem);
            // A Streamlit app's pages/ are pages of the app beside them, never its entry.
            let side = is_side(&rel);
            let value = if object.is_empty() { rel.clone() } else { format!("{module}:{object}") };
            // A project's web scripts come before its workers: the image serves, a worker is the same image
            // run again.
            let worker = program.kind == ProgramKind::Worker;
            let started_by = named
                .as_ref()
                .filter(|(n, _)| *n == rel || *n == value || *n == module)
                .map(|(_, source)| source.clone());
            let rank = if started_by.is_some() {
                0
            } else {
                1 + u8::from(worker) * 8 + u8::from(side) * 4 + u8::from(!entry) + u8::from(rel.contains('/'))
            };
            let dir = if worker { module_dir } else { ".".to_string() };
            found.push(Found {
                program,
                file: rel.clone(),
                value,
                module,
                object,
                dir,
                source: format!("{rel}:{line}"),
                rank,
                started_by,
                called: !calls.is_empty(),
                port: passed.as_ref().map(|p| (p.port, p.at.clone())),
                port_variable: passed.and_then(|p| p.variable),
                unread_port,
                loopback,
            });
        }
    }
    found.sort_by_key(|f| (f.rank, f.file.len()));
    found
}

/// The facts of one program: the command that starts it, its port (none for a worker) and how it is made to
/// listen on all interfaces.
pub(super) fn option(found: &Found) -> ChoiceOption {
    let program = found.program;
    let mut facts = Facts::new();
    let mut warnings = Vec::new();
    facts.insert("framework".into(), Fact::new(program.name.clone(), found.source.clone()));
    facts.insert("app_dir".into(), Fact::new(found.dir.clone(), found.source.clone()));
    facts.insert(
        "start_command".into(),
        Fact::new(found.command(), found.source.clone()).with_note(format!("{}'s own command runs it", program.name)),
    );
    let port = match (found.is_worker(), &found.port, program.port) {
        (true, _, _) => Fact::new(Value::Null, found.source.clone()).with_note("a worker: it serves no port"),
        (false, Some((port, at)), _) => Fact::new(*port, at.clone()).with_note("the port its code passes"),
        (false, None, Some(port)) => Fact::new(port, found.source.clone())
            .with_note(format!("{}'s default port, which the image passes it", program.name)),
        (false, None, None) => Fact::new(Value::Null, found.source.clone()),
    };
    facts.insert("port".into(), port);
    match (&found.port_variable, &program.port_env, &found.port) {
        (Some(variable), _, Some((_, at))) => {
            let fact = Fact::new(variable.clone(), at.clone()).with_note("the code reads its port from it");
            facts.insert("port_env".into(), fact);
        }
        (None, Some(name), None) => {
            facts.insert("port_env".into(), Fact::new(name.clone(), found.source.clone()));
        }
        _ => {}
    }
    if let (Some(unread), false, Some(port)) = (&found.unread_port, found.is_worker(), program.port) {
        warnings.push(format!(
            "{unread}: the code passes {} a port dockgen cannot read; {port} ({}'s default) is assumed: pass --set \
             port=N for the one it listens on",
            program.name, program.name
        ));
    }
    let env: Vec<Value> = program.env.iter().map(|(name, value)| json!({ "name": name, "value": value })).collect();
    if !env.is_empty() {
        facts.insert(
            "start_env".into(),
            Fact::new(json!(env), found.source.clone())
                .with_note(format!("makes {} listen on all interfaces", program.name)),
        );
    }
    if let Some(at) = &found.loopback {
        warnings.push(format!(
            "{at}: the code binds a loopback address, which answers nothing published from a container: make it \
             0.0.0.0"
        ));
    }
    ChoiceOption {
        value: found.value.clone(),
        source: found.source.clone(),
        facts,
        why: found.started_by.iter().map(|source| format!("started by {source}")).collect(),
        warnings,
        notes: Vec::new(),
    }
}

/// The programs beside the web app the image serves (a Celery worker, a Streamlit front-end): the same image
/// runs each with its own command.
pub(super) fn beside_notes(found: &[Found]) -> Vec<String> {
    let mut notes = Vec::new();
    for program in &knowledge().program {
        let Some(first) = found.iter().find(|f| std::ptr::eq(f.program, program)) else { continue };
        let what = if first.is_worker() { "worker" } else { "app" };
        let port = first.port().map_or_else(String::new, |p| format!(" (it listens on {p})"));
        notes.push(format!(
            "{}: a {} {what} too; run the same image with `{}` for it{port}",
            first.source,
            program.name,
            first.command()
        ));
    }
    notes
}

/// What the deployment files' start command runs, when it starts one of the programs: the file
/// (`streamlit run app.py`, `python app.py`) or the worker's app (`celery -A proj worker`).
pub(super) fn named_by(words: &[String]) -> Option<String> {
    let first = base_name(words.first()?);
    let rest = &words[1..];
    let named = match first {
        "streamlit" => rest.iter().skip_while(|w| *w != "run").nth(1),
        "celery" => rest
            .iter()
            .position(|w| w == "-A" || w == "--app")
            .and_then(|at| rest.get(at + 1))
            .or_else(|| rest.iter().find(|w| w.starts_with("--app="))),
        _ if first.starts_with("python") => rest.first().filter(|w| Path::new(w.as_str()).extension().is_some_and(|e| e == "py")),
        "rq" => return (rest.first().map(String::as_str) == Some("worker")).then(String::new),
        // `sanic server:app --host=0.0.0.0`: the app it serves.
        "sanic" => rest.iter().find(|w| !w.starts_with('-')),
        _ => None,
    }?;
    Some(named.trim_start_matches("--app=").trim_start_matches("./").to_string())
}

/// What the deployment files' start command runs, with where that command is.
fn started(root: &Path) -> Option<(String, String)> {
    let runtime = deploy::read(root, ".", &[], &|words, run_dir| run_dir.is_none() && named_by(words).is_some());
    let (words, source) = runtime.command?;
    Some((named_by(&words)?, source))
}

/// The object a module makes (`app = Celery(...)`), empty for a module that runs the program itself (started as
/// a file, `python server.py`, whatever it makes) or imports it only, with the line that says so; None when the
/// module neither makes nor runs what the program needs.
fn object_and_line(
    program: &Program,
    constructed: Option<&(String, String, usize)>,
    calls: &[&Call],
) -> Option<(String, usize)> {
    let runs_as_file = !program.calls.is_empty() && program.command.iter().any(|w| w.contains("{file}"));
    match (constructed, calls.first()) {
        (_, Some(call)) if runs_as_file => Some((String::new(), call.line)),
        (Some((name, _, line)), _) => Some((name.clone(), *line)),
        (None, Some(call)) => Some((String::new(), call.line)),
        (None, None) if program.constructors.is_empty() && program.calls.is_empty() => Some((String::new(), 1)),
        _ => None,
    }
}

/// A script its command runs as a file needs no module name (`streamlit run gemini-bot.py`): the folder it runs
/// in and its file's stem.
fn run_as_file(program: &Program, rel: &str) -> Option<(String, String)> {
    let runs_file = program.command.iter().all(|w| !w.contains("{module}") && !w.contains("{object}"));
    let stem = rel.rsplit('/').next().unwrap_or(rel).trim_end_matches(".py").to_string();
    runs_file.then(|| (".".to_string(), stem))
}

/// A port a program's call is given, read to its number.
struct Passed {
    port: u16,
    /// The variable it is read from, whose default the number is.
    variable: Option<String>,
    at: String,
}

/// Where a module is: the repository, its path in it, and the folder its imports are resolved from.
struct ModulePlace<'a> {
    root: &'a Path,
    rel: &'a str,
    module_dir: &'a str,
}

/// The port a call passes: a number, a variable read with a numeric default (`int(os.getenv("PORT", "8080"))`),
/// or a name standing for either, assigned in the module itself or in the module it comes from (`from config
/// import PORT`, `cfg.PORT` after `import config as cfg`). Names are followed one module deep.
fn passed_port(value: &Literal, at: String, summary: &Summary, place: &ModulePlace) -> Option<Passed> {
    let direct = |value: &Literal, at: String| match value {
        Literal::Int(_) => Some(Passed { port: value.as_port()?, variable: None, at }),
        Literal::EnvNumber(variable, _) => Some(Passed { port: value.as_port()?, variable: Some(variable.clone()), at }),
        _ => None,
    };
    let Literal::Name(name) = value else { return direct(value, at) };
    let constant = |summary: &Summary, name: &str| summary.constants.iter().rev().find(|(n, _, _)| n == name).cloned();
    if let Some((_, value, line)) = constant(summary, name) {
        return direct(&value, format!("{}:{line}", place.rel));
    }
    // The module that defines it: one imported whole (`cfg.PORT`) or the one a name is taken from (`PORT`).
    let (module, attribute) = if let Some((bound, attribute)) = name.rsplit_once('.') {
        let whole = summary.imported_as.iter().find(|(_, b)| b == bound).map(|(m, _)| m.clone());
        let taken = summary
            .imported_names
            .iter()
            .find(|(_, _, b, _)| b == bound)
            .map(|(from, original, _, _)| format!("{from}.{original}"));
        (whole.or(taken)?, attribute.to_string())
    } else {
        let (from, original, _, _) = summary.imported_names.iter().find(|(_, _, b, _)| b == name)?;
        (from.clone(), original.clone())
    };
    let file = module_file(place, &module)?;
    let text = read_small_text(&place.root.join(&file))?;
    let (_, value, line) = constant(&summarise(&text, &|_| false), &attribute)?;
    direct(&value, format!("{file}:{line}"))
}

/// The port a module's call of a server's run function passes (`uvicorn.run(app, port=port)` with `port =
/// os.environ.get('PORT') or 4000`): the port and where.
pub(super) fn run_call_port(root: &Path, rel: &str, summary: &Summary) -> Option<(u16, String)> {
    let call = summary.calls.iter().find(|c| matches!(last_name(&c.callee), "run" | "serve") && c.keyword("port").is_some())?;
    let module_dir = rel.rsplit_once('/').map_or(".", |(dir, _)| dir);
    let place = ModulePlace { root, rel, module_dir };
    let passed = passed_port(call.keyword("port")?, format!("{rel}:{}", call.line), summary, &place)?;
    Some((passed.port, passed.at))
}

/// The repository path of the module an import names: from the importing module's folder for a relative one
/// (`.config`), else from the folder its imports resolve from.
fn module_file(place: &ModulePlace, module: &str) -> Option<String> {
    let dots = module.chars().take_while(|c| *c == '.').count();
    let base = if dots > 0 {
        let own = place.rel.rsplit_once('/').map_or(".", |(dir, _)| dir);
        let up = vec![".."; dots - 1].join("/");
        crate::detect::normalised_rel(own, if up.is_empty() { "." } else { &up })?
    } else {
        place.module_dir.to_string()
    };
    let path = module[dots..].replace('.', "/");
    [format!("{path}.py"), format!("{path}/__init__.py")]
        .into_iter()
        .map(|file| crate::detect::join_rel(&base, &file))
        .find(|file| place.root.join(file).is_file())
}

/// A port argument as the code writes it, for a warning.
fn written(value: &Literal) -> String {
    match value {
        Literal::Name(name) => format!("port={name}"),
        _ => "its port argument".to_string(),
    }
}

fn last_name(callee: &str) -> &str {
    callee.rsplit('.').next().unwrap_or(callee)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::words;

    #[test]
    fn start_commands_name_their_program() {
        assert_eq!(named_by(&words("streamlit run ./app.py --server.port 8080")).as_deref(), Some("app.py"));
        assert_eq!(named_by(&words("celery -A proj worker -l info")).as_deref(), Some("proj"));
        assert_eq!(named_by(&words("celery --app=proj.celery:app worker")).as_deref(), Some("proj.celery:app"));
        assert_eq!(named_by(&words("python3 dash_app.py")).as_deref(), Some("dash_app.py"));
        assert_eq!(named_by(&words("python -m flask run")), None);
        assert_eq!(named_by(&words("gunicorn app:app")), None);
        assert_eq!(named_by(&words("sanic server:app --host=0.0.0.0 --workers=4")).as_deref(), Some("server:app"));
    }

    #[test]
    fn a_port_named_by_a_constant_is_read_where_it_is_assigned() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("bot")).unwrap();
        std::fs::write(root.join("bot/settings.py"), "import os\nPORT = int(os.getenv('BOT_PORT', 8443))\n").unwrap();
        let place = ModulePlace { root, rel: "bot/main.py", module_dir: "." };
        let port = |text: &str| {
            let summary = summarise(text, &|name| name == "run_app");
            let value = summary.calls[0].keyword("port").unwrap().clone();
            passed_port(&value, "bot/main.py:9".into(), &summary, &place).map(|p| (p.port, p.variable, p.at))
        };
        let from_settings = Some((8443, Some("BOT_PORT".to_string()), "bot/settings.py:2".to_string()));
        assert_eq!(port("from .settings import PORT\nweb.run_app(app, port=PORT)\n"), from_settings);
        assert_eq!(port("from bot import settings\nweb.run_app(app, port=settings.PORT)\n"), from_settings);
        assert_eq!(port("import bot.settings as s\nweb.run_app(app, port=s.PORT)\n"), from_settings);
        assert_eq!(port("P = 9000\nweb.run_app(app, port=P)\n"), Some((9000, None, "bot/main.py:1".to_string())));
        assert_eq!(port("web.run_app(app, port=args.port)\n"), None);
        assert_eq!(port("from .settings import HOST\nweb.run_app(app, port=HOST)\n"), None);
    }
}
