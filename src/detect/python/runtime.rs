//! What the program does at run time, from one pass over its modules: the variables it reads by name
//! (`os.environ["DATABASE_URL"]`, `os.getenv`, `os.environ.get`, django-environ's `env("…")`, decouple's
//! `config("…")`, a pydantic-settings class's fields), for compose.yaml's wiring and for the variables the image
//! names, and the folders it writes into, relative to its working directory or absolute: files opened for
//! writing (`open("model.pkl", "wb")`), `SQLite` databases (`sqlite3.connect("app.db")`, a `sqlite:///./app.db`
//! URL, Django's sqlite3 backend beside manage.py), folders it creates (`os.makedirs("uploads")`), objects
//! dumped to a path (`joblib.dump(model, "model.pkl")`) and log files (`logging.basicConfig(filename=
//! "logs/app.log")`). The image makes them and hands them to the app user: the code stays root's, and a
//! program that writes beside it would fail with a permission error.

use std::path::Path;

use super::settings;
use super::source::{summarise, Call, Literal};
use crate::detect::{read_small_text, walk};
use crate::validate::is_upper_env_name;

/// Calls that write at a path literal, by the callee's last name, with the argument that holds the path.
/// Modules whose `connect(path)` opens a `SQLite` file: the standard library's, its asyncio wrapper, and the
/// drop-in builds of it.
const SQLITE_MODULES: &[&str] = &["sqlite3", "aiosqlite", "pysqlite3", "sqlean", "sqlcipher3"];

const WRITING_CALLS: &[(&str, usize)] = &[("connect", 0), ("makedirs", 0), ("mkdir", 0), ("dump", 1)];

/// Calls that save data to a file named at a path, by the callee's last name, with the argument that holds it:
/// pandas' `df.to_csv("output/results.csv")`, matplotlib's `savefig`, opencv's `imwrite`, `np.save(path, …)`,
/// `torch.save(obj, path)`, a model's or an image's `save(path)`, `TinyDB("storage/db.json")`. Their names
/// are common words, so only an argument written like a file path (a folder or an extension in it) counts.
const SAVING_CALLS: &[(&str, usize)] = &[
    ("to_csv", 0),
    ("to_excel", 0),
    ("to_json", 0),
    ("to_parquet", 0),
    ("to_pickle", 0),
    ("to_feather", 0),
    ("savefig", 0),
    ("imwrite", 0),
    ("save", 0),
    ("save", 1),
    ("TinyDB", 0),
];

/// Modules whose `open(path)` creates its files whatever the mode (`shelve.open("state/shelf")`).
const CREATING_OPENS: &[&str] = &["shelve", "dbm"];

/// The logging module's calls that open a log file, by name: the file is their `filename` keyword or, for
/// the handlers, their first argument. A log file in a folder the image lacks stops the program at start.
const LOG_FILE_CALLS: &[&str] = &[
    "basicConfig",
    "FileHandler",
    "RotatingFileHandler",
    "TimedRotatingFileHandler",
    "WatchedFileHandler",
];

/// Calls that start a program, by the module they are called through (or imported from) and their name: the
/// program is their first argument, a command line or a list of words.
const STARTING_CALLS: &[(&str, &str)] = &[
    ("subprocess", "run"),
    ("subprocess", "call"),
    ("subprocess", "check_call"),
    ("subprocess", "check_output"),
    ("subprocess", "Popen"),
    ("os", "system"),
    ("os", "popen"),
    ("asyncio", "create_subprocess_exec"),
    ("asyncio", "create_subprocess_shell"),
    ("shutil", "which"),
];

/// Calls that serve files from a folder, by name, with the keyword or position of the folder, whether it is
/// relative to the module's folder (Flask's root path) rather than the working directory, and whether the
/// argument is a file in the folder (`FileResponse("ui/dist/index.html")`).
const SERVING_CALLS: &[(&str, &str, usize, bool, bool)] = &[
    ("StaticFiles", "directory", 0, false, false),
    ("Jinja2Templates", "directory", 0, false, false),
    ("FileResponse", "path", 0, false, true),
    ("Flask", "static_folder", usize::MAX, true, false),
    ("Flask", "template_folder", usize::MAX, true, false),
    ("send_from_directory", "directory", 0, true, false),
    ("send_file", "path_or_file", 0, true, true),
];

/// Texts a module must contain to be parsed at all.
const TRIGGERS: &[&str] = &[
    "open(", "connect(", "makedirs(", "mkdir(", "dump(", "sqlite", "environ", "getenv", "env(", "config(", "instance_",
    "BaseSettings", "subprocess", "system(", "popen(", "which(", "StaticFiles", "Templates", "FileResponse",
    "static_folder", "template_folder", "send_", "STATICFILES_DIRS", "basicConfig", "FileHandler", "_DIR", "_FOLDER",
    "_ROOT", "_PATH", "to_csv(", "to_excel(", "to_json(", "to_parquet(", "to_pickle(", "to_feather(", "savefig(",
    "imwrite(", "save(", "TinyDB(", "shelve", "dbm",
];

/// What the program does at run time: each with the `file:line` that does it, in the order found.
#[derive(Debug, Default)]
pub(super) struct RunTime {
    /// Folders written, each once.
    pub(super) written: Vec<(String, String)>,
    /// Files written at a path named whole, relative to the working directory, each once.
    pub(super) written_files: Vec<(String, String)>,
    /// Variables read by name, each once.
    pub(super) env_reads: Vec<(String, String)>,
    /// Those of them read with no default (`os.environ["X"]`, a settings field without one): the program
    /// stops without them.
    pub(super) required: Vec<(String, String)>,
    /// Folders the app serves files from (static folders, templates, a file's folder), relative to the
    /// repository, each once.
    pub(super) served: Vec<(String, String)>,
    /// Modules that run as a program (`if __name__ == "__main__":`), with the guard's line.
    pub(super) main_guards: Vec<(String, usize)>,
    /// Programs the code starts that dockgen knows how to install (knowledge/programs), each once.
    pub(super) programs: Vec<(String, String)>,
    /// Where a module uses Flask's instance folder (`app.instance_path`, `instance_relative_config=True`).
    pub(super) instance_folder: Option<String>,
    /// Host variables read with a loopback default (`os.getenv("HOST", "127.0.0.1")`), each once.
    pub(super) host_variables: Vec<(String, String)>,
    /// Standard modules the code imports that a newer Python line removed (`distutils`), each once.
    pub(super) removed_imports: Vec<(String, String)>,
    /// The top-level name of every module the code imports, anywhere in a file (`git` for `from git import
    /// Repo`), each once.
    pub(super) imported: Vec<String>,
    /// The warning of a walk cut short.
    pub(super) cut: Option<String>,
}

/// Reads the modules at `root` (tests and migrations aside).
pub(super) fn scan(root: &Path) -> RunTime {
    let walked = walk::files_with_extensions(root, &["py"], |dir| dir.join("pyvenv.cfg").is_file());
    let mut env_reads: Vec<(String, String)> = Vec::new();
    let mut required: Vec<(String, String)> = Vec::new();
    let mut instance_folder = None;
    let mut found: Vec<(String, String)> = Vec::new();
    let mut programs: Vec<(String, String)> = Vec::new();
    let mut served: Vec<(String, String)> = Vec::new();
    let mut main_guards = Vec::new();
    let mut written_files: Vec<(String, String)> = Vec::new();
    let mut host_variables: Vec<(String, String)> = Vec::new();
    let mut made_elsewhere: Vec<MadeElsewhere> = Vec::new();
    let mut removed_imports: Vec<(String, String)> = Vec::new();
    let mut imported: Vec<String> = Vec::new();
    for path in &walked.files {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let rel = rel.to_string_lossy().replace('\\', "/");
        // Tests, and tooling modules (setup.py's wizard, nox sessions) that the image never runs.
        if is_test(&rel) || NOT_PROGRAMS.contains(&rel.as_str()) && rel != "manage.py" {
            continue;
        }
        let module_dir = rel.rsplit_once('/').map_or(".", |(dir, _)| dir);
        let Some(text) = read_small_text(path) else { continue };
        note_imports(&text, &rel, &mut removed_imports, &mut imported);
        // A module at the top that runs itself unguarded (`asyncio.run(main())` as its last line) is a script too.
        let runs_itself = || top_level_run(&text).filter(|_| !rel.contains('/'));
        if let Some(line) = main_guard(&text).or_else(runs_itself).filter(|_| rel != "manage.py") {
            main_guards.push((rel.clone(), line));
        }
        // A log or database file's path handed to any call (`get_logger(__name__, "logs/app.log")`, a helper
        // that makes its folder and opens it): its folder is written, whatever the helper is called.
        let names_written_file = WRITTEN_EXTENSIONS
            .iter()
            .any(|extension| text.contains(&format!(".{extension}\"")) || text.contains(&format!(".{extension}'")));
        if !names_written_file && !TRIGGERS.iter().any(|t| text.contains(t)) {
            continue;
        }
        if instance_folder.is_none() {
            if let Some(at) = text.lines().position(|l| l.contains("instance_path") || l.contains("instance_relative_config")) {
                instance_folder = Some(format!("{rel}:{}", at + 1));
            }
        }
        let summary = summarise(&text, &|name| {
            names_written_file
                || name == "open"
                || WRITING_CALLS.iter().chain(SAVING_CALLS).any(|(n, _)| *n == name)
                || LOG_FILE_CALLS.contains(&name)
                || ENV_CALLS.contains(&name)
                || STARTING_CALLS.iter().any(|(_, n)| *n == name)
                || SERVING_CALLS.iter().any(|(n, ..)| *n == name)
        });
        for (folder, line) in served_folders(&summary, &rel) {
            add_once(&mut served, folder, format!("{rel}:{line}"));
        }
        for call in &summary.calls {
            if let Some(program) = started_program(call, &summary.imports) {
                add_once(&mut programs, program, format!("{rel}:{}", call.line));
            }
            if let Some(name) = loopback_host_variable(call) {
                add_once(&mut host_variables, name.to_string(), format!("{rel}:{}", call.line));
            }
        }
        let settings_reads = settings::reads(&summary);
        let without_default = summary
            .environ_subscripts
            .iter()
            .cloned()
            .chain(settings_reads.iter().filter(|r| r.required).map(|r| (r.name.clone(), r.line)))
            .chain(reads_without_default(&summary));
        for (name, line) in without_default {
            add_once(&mut required, name, format!("{rel}:{line}"));
        }
        let read = env_names(&summary).into_iter().chain(settings_reads.into_iter().map(|r| (r.name, r.line)));
        for (name, line) in read {
            add_once(&mut env_reads, name, format!("{rel}:{line}"));
        }
        made_elsewhere.extend(folders_of_other_modules(&summary, &rel, module_dir));
        for (dir, line, file) in module_writes(&summary, &text, module_dir) {
            if let Some(file) = file {
                add_once(&mut written_files, file, format!("{rel}:{line}"));
            }
            if !found.iter().any(|(d, _)| *d == dir) {
                found.push((dir, format!("{rel}:{line}")));
            }
        }
    }
    for (dir, source) in resolve_made_elsewhere(root, &made_elsewhere) {
        if !found.iter().any(|(d, _)| *d == dir) {
            found.push((dir, source));
        }
    }
    RunTime {
        written: found,
        written_files,
        env_reads,
        required,
        programs,
        served,
        main_guards,
        instance_folder,
        host_variables,
        removed_imports,
        imported,
        cut: walked.cut_warning(".", "Python", "the folders it writes may be missing from the image's list"),
    }
}

/// A folder made through a name another module of the project holds (`config.STORE_PATH.mkdir()` with
/// `STORE_PATH = CWD / "store"` in config.py): the module as imported, the name, and where it is made.
struct MadeElsewhere {
    module: String,
    name: String,
    importer_dir: String,
    source: String,
}

/// The `module.NAME.mkdir(...)` calls of a module whose `module` it imports whole.
fn folders_of_other_modules(summary: &super::source::Summary, rel: &str, module_dir: &str) -> Vec<MadeElsewhere> {
    summary
        .calls
        .iter()
        .filter_map(|call| {
            let (module, name) = call.callee.strip_suffix(".mkdir")?.split_once('.')?;
            let imported = summary.imported_modules.iter().any(|m| m == module);
            (imported && !name.contains(['.', '('])).then(|| MadeElsewhere {
                module: module.to_string(),
                name: name.to_string(),
                importer_dir: module_dir.to_string(),
                source: format!("{rel}:{}", call.line),
            })
        })
        .collect()
}

/// The folders `folders_of_other_modules` found, from the named modules' constants: each module read once,
/// beside its importer or at the root.
fn resolve_made_elsewhere(root: &Path, made: &[MadeElsewhere]) -> Vec<(String, String)> {
    let mut read: Vec<(String, Option<super::source::Summary>)> = Vec::new();
    let mut found = Vec::new();
    for folder in made {
        let file = format!("{}.py", folder.module.replace('.', "/"));
        let candidates = [crate::detect::join_rel(&folder.importer_dir, &file), file];
        let Some(rel) = candidates.into_iter().find(|rel| root.join(rel).is_file()) else { continue };
        if !read.iter().any(|(known, _)| *known == rel) {
            let summary = read_small_text(&root.join(&rel)).map(|text| summarise(&text, &|_| false));
            read.push((rel.clone(), summary));
        }
        let Some((_, Some(summary))) = read.iter().find(|(known, _)| *known == rel) else { continue };
        let module_dir = rel.rsplit_once('/').map_or(".", |(dir, _)| dir);
        let path = summary
            .constants
            .iter()
            .rev()
            .find(|(n, _, _)| *n == folder.name)
            .and_then(|(_, value, _)| value.path_in(module_dir));
        if let Some(dir) = path.and_then(|p| folder_written(&p, Some(false))) {
            found.push((dir, folder.source.clone()));
        }
    }
    found
}

/// The folders one module writes, each with its line: paths its writing calls name, log files handed to any
/// call, constants and config attributes named for data, `SQLite` files and Django's sqlite3 database.
fn module_writes(summary: &super::source::Summary, text: &str, module_dir: &str) -> Vec<(String, usize, Option<String>)> {
    let mut found = Vec::new();
    // (Flask-SQLAlchemy's setting, `SQLALCHEMY_DATABASE_URI`, is relative to its instance folder.)
    let module_engine = ["create_engine(", "create_async_engine("].iter().any(|c| text.contains(c))
        && !text.contains("SQLALCHEMY_DATABASE_URI")
        && !summary.imports.iter().any(|i| i == "flask_sqlalchemy");
    for call in &summary.calls {
        if let Some(path) = written_path(call, summary, module_dir) {
            let writes = writes_file(call);
            if let Some(dir) = folder_written(&path, writes) {
                let file = (writes == Some(true)).then(|| file_named(&path)).flatten();
                found.push((dir, call.line, file));
            }
        }
        // A log or SQLite file handed to any call is written (a logging helper given `"logs/app.log"`, a
        // database class given `"app.db"`). A path join's last part is only the file's name, in a folder the
        // other parts name.
        let joins = call.callee.rsplit('.').next() == Some("join");
        let arguments = call.args.iter().chain(call.keywords.iter().map(|(_, value)| value));
        // (A message that ends in a file name, `"saved to app.db"`, is no path.)
        let written_kind = |path: &&str| {
            !path.contains(char::is_whitespace)
                && Path::new(path)
                .extension()
                .is_some_and(|e| WRITTEN_EXTENSIONS.iter().any(|known| e.eq_ignore_ascii_case(known)))
        };
        let texts = arguments.filter_map(|argument| module_text(argument, summary));
        // SQLAlchemy's own engine opens a relative SQLite file from the working directory: the URL handed to it,
        // or one a module that makes the engine passes around first (`db_url = config.get("database_url",
        // "sqlite:///app.db")`), unless Flask-SQLAlchemy makes it.
        let engine = matches!(call.callee.rsplit('.').next(), Some("create_engine" | "create_async_engine"))
            || module_engine;
        for text in texts.filter(|_| !joins) {
            let text = text.as_str();
            // A SQLite URL handed to a call (`dj_database_url.config(default="sqlite:////data/app.db")`) names
            // its file when absolute; a relative one is relative to a folder the library picks (Flask-SQLAlchemy's
            // instance folder), which the framework rules know, but for SQLAlchemy's engine.
            let file = match sqlite_url_file(text) {
                Some(file) if file.starts_with('/') || engine => file,
                None if written_kind(&text) => text,
                Some(_) | None => continue,
            };
            if let Some(dir) = folder_written(file, Some(true)) {
                found.push((dir, call.line, file_named(file)));
            }
        }
    }
    // A module constant named for the data it holds (`DATA_DIR = BASE_DIR / "data"`, `UPLOAD_FOLDER =
    // "uploads"`): a folder the program keeps data in, made whatever code makes it (a loop over several).
    // So is an attribute of a config class (`class Config: UPLOAD_FOLDER = "uploads"`), read through it, and a
    // setting a factory assigns (`app.config["UPLOAD_FOLDER"] = os.path.join("app", "static", "uploads")`).
    let class_values = summary.classes.iter().map(|class| class.values.as_slice());
    let settings = std::iter::once(summary.config_settings.as_slice());
    for assignments in std::iter::once(summary.constants.as_slice()).chain(class_values).chain(settings) {
        for (at, (name, value, line)) in assignments.iter().enumerate() {
            // The name's last assignment is the one in force.
            let reassigned = assignments[at + 1..].iter().any(|(later, _, _)| later == name);
            if let Some(path) = value.path_in(module_dir).filter(|_| names_data_folder(name) && !reassigned) {
                if let Some(dir) = folder_of_dir(&path) {
                    found.push((dir, *line, None));
                }
            }
        }
    }
    for (file, line) in sqlite_files(summary, module_dir) {
        if let Some(dir) = folder_of(&file) {
            found.push((dir, line, file_named(&file)));
        }
    }
    // Django's SQLite database lives in BASE_DIR, the folder manage.py runs from.
    if let Some(line) = code_line(text, &|code| code.contains(DJANGO_SQLITE_ENGINE)) {
        found.push((".".to_string(), line, None));
    }
    found
}

/// The text an argument stands for in its module: a string, an f-string with the names the module assigned a
/// string filled in (`f"sqlite:///{db_file}"` after `db_file = "app.db"`), or a name the module assigned one of
/// those (`create_engine(sqlite_url)`).
fn module_text(argument: &Literal, summary: &super::source::Summary) -> Option<String> {
    let fill = |text: &str| {
        let mut filled = String::new();
        let mut rest = text;
        while let Some((before, after)) = rest.split_once('{') {
            filled.push_str(before);
            let (name, tail) = after.split_once('}')?;
            if let Some(value) = summary.bound_string(name).filter(|value| !value.contains('{')) {
                filled.push_str(value);
            } else {
                filled.push('{');
                filled.push_str(name);
                filled.push('}');
            }
            rest = tail;
        }
        filled.push_str(rest);
        Some(filled)
    };
    match argument {
        Literal::Str(text) => Some(text.clone()),
        Literal::Formatted(text) => fill(text),
        Literal::Name(name) => match summary.constants.iter().rev().find(|(n, _, _)| n == name)?.1 {
            Literal::Str(ref text) => Some(text.clone()),
            Literal::Formatted(ref text) => fill(text),
            _ => None,
        },
        _ => None,
    }
}

/// Django's `SQLite` database backend.
pub(super) const DJANGO_SQLITE_ENGINE: &str = "django.db.backends.sqlite3";

/// The first line (1-based) whose code, its comment left out, `matches`: a commented-out block is not the one in
/// force.
pub(super) fn code_line(text: &str, matches: &dyn Fn(&str) -> bool) -> Option<usize> {
    text.lines()
        .position(|line| matches(line.split('#').next().unwrap_or_default()))
        .map(|at| at + 1)
}

/// A file written at a path the image holds: relative to the working directory and named whole
/// (`./database.db` → `database.db`), not at run time.
fn file_named(path: &str) -> Option<String> {
    if path.contains(['{', '%', '$']) {
        return None;
    }
    crate::detect::normalised_rel(".", path).filter(|file| file != ".")
}

/// Extensions of files a program writes whatever call it hands them to: logs and `SQLite` databases.
const WRITTEN_EXTENSIONS: &[&str] = &["log", "db", "sqlite", "sqlite3"];

/// Modules with a `__main__` guard that are tooling, not the program.
const NOT_PROGRAMS: &[&str] = &["setup.py", "manage.py", "conftest.py", "noxfile.py", "fabfile.py"];

/// The line of a module's `if __name__ == "__main__":`, either quote.
fn main_guard(text: &str) -> Option<usize> {
    if !text.contains("__main__") {
        return None;
    }
    text.lines().position(|line| {
        let line: String = line.split_whitespace().collect();
        line.starts_with("if__name__==") && (line.contains("\"__main__\"") || line.contains("'__main__'"))
    })
    .map(|at| at + 1)
}

/// Calls that run a program's main coroutine or function.
const RUN_CALLS: &[&str] = &["asyncio.run(", "uvloop.run(", "trio.run(", "anyio.run(", "main()"];

/// The line of an unindented statement that runs the program when the module is executed or imported
/// (`asyncio.run(main())`, `main()`), outside any guard.
fn top_level_run(text: &str) -> Option<usize> {
    text.lines()
        .position(|line| RUN_CALLS.iter().any(|call| line.starts_with(call)))
        .map(|at| at + 1)
}

/// The `SQLite` files a module's URLs name, relative to the repository, with their lines: in a module
/// constant, a settings class's field default (`database_url: str = "sqlite:///./app.db"` in a pydantic
/// `BaseSettings`, also through `Field(default=...)`) or a config class's value (Flask's `SQLALCHEMY_DATABASE_URI = "sqlite:///" +
/// os.path.join(basedir, "app.db")`).
fn sqlite_files(summary: &super::source::Summary, module_dir: &str) -> Vec<(String, usize)> {
    let fields = summary.classes.iter().flat_map(|c| &c.fields).filter_map(|f| match &f.default {
        super::source::FieldDefault::Value(value) => Some((value, f.line)),
        // pydantic's `Field(default="sqlite:///db.sqlite", alias="DB_URL")`, or the default as its first argument.
        super::source::FieldDefault::Call(call) if call.callee.rsplit('.').next() == Some("Field") => {
            call.keyword("default").or(call.args.first()).map(|value| (value, f.line))
        }
        super::source::FieldDefault::Missing | super::source::FieldDefault::Call(_) => None,
    });
    let class_values = summary.classes.iter().flat_map(|c| c.values.iter().map(|(_, v, l)| (v, *l)));
    let values = summary.constants.iter().map(|(_, v, l)| (v, *l)).chain(fields).chain(class_values);
    values
        .filter_map(|(value, line)| {
            let file = match value {
                Literal::SqliteUrl(path) => path.path_in(module_dir),
                other => other.as_str().and_then(sqlite_url_file).map(str::to_string),
            };
            Some((file?, line))
        })
        .collect()
}

/// Notes the modules a file imports (`imported`, each once) and those of them a newer Python line removed that it
/// imports at its top (`removed`, with where).
fn note_imports(text: &str, rel: &str, removed: &mut Vec<(String, String)>, imported: &mut Vec<String>) {
    for (module, line, top) in imported_modules(text) {
        if top && crate::knowledge::python::removed_in(module).is_some() {
            add_once(removed, module.to_string(), format!("{rel}:{line}"));
        }
        if !imported.iter().any(|known| known == module) {
            imported.push(module.to_string());
        }
    }
}

/// The top-level name of each module an import line names (`import imp`, `from distutils.version import
/// LooseVersion` → `distutils`), with its line and whether the import is at the module's top: one inside a `try:`
/// or a function is indented (the code has a fallback, or may never run it). Relative imports are not modules.
fn imported_modules(text: &str) -> Vec<(&str, usize, bool)> {
    let mut found = Vec::new();
    for (at, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let top = trimmed.len() == line.len();
        let imported = if let Some(names) = trimmed.strip_prefix("import ") {
            names.split(',').collect::<Vec<_>>()
        } else if let Some(from) = trimmed.strip_prefix("from ") {
            from.split(" import").next().into_iter().collect()
        } else {
            continue;
        };
        for name in imported {
            let module = name.trim().split([' ', '.']).next().unwrap_or_default();
            if !module.is_empty() {
                found.push((module, at + 1, top));
            }
        }
    }
    found
}

/// Adds `item` with where it was found, unless the list has it already.
fn add_once(list: &mut Vec<(String, String)>, item: String, source: String) {
    if !list.iter().any(|(known, _)| *known == item) {
        list.push((item, source));
    }
}

/// The folders a module serves files from, relative to the repository (`StaticFiles(directory="ui/dist")`,
/// `Flask(__name__, static_folder="../frontend/build")` beside the module, Django's `STATICFILES_DIRS`), with
/// their lines.
fn served_folders(summary: &super::source::Summary, rel: &str) -> Vec<(String, usize)> {
    let module_dir = rel.rsplit_once('/').map_or(".", |(dir, _)| dir);
    let constant = |name: &str| summary.constants.iter().rev().find(|(n, _, _)| n == name).map(|(_, v, _)| v);
    // A plain path, or a constant holding one; `BASE_DIR / "x"` is relative to the project, not the module.
    let path_of = |literal: &Literal| -> Option<(String, bool)> {
        let literal = match literal {
            Literal::Name(name) => constant(name)?,
            other => other,
        };
        match literal {
            Literal::Str(path) => Some((path.clone(), true)),
            Literal::UnderBase(path) => Some((path.clone(), false)),
            beside @ Literal::BesideModule(..) => Some((beside.path_in(module_dir)?, false)),
            _ => None,
        }
    };
    let mut found = Vec::new();
    for call in &summary.calls {
        let name = call.callee.rsplit('.').next().unwrap_or(&call.callee);
        for (_, keyword, at, beside_module, is_file) in SERVING_CALLS.iter().filter(|(n, ..)| *n == name) {
            let Some((path, as_written)) = call.keyword(keyword).or_else(|| call.args.get(*at)).and_then(path_of) else {
                continue;
            };
            let path = if *is_file { path.rsplit_once('/').map_or(".", |(dir, _)| dir).to_string() } else { path };
            let base = if *beside_module && as_written { module_dir } else { "." };
            if let Some(folder) = crate::detect::normalised_rel(base, &path) {
                found.push((folder, call.line));
            }
        }
    }
    for (name, value, line) in &summary.constants {
        if let (true, Literal::List(items)) = (name == "STATICFILES_DIRS", value) {
            for item in items {
                if let Some(folder) = path_of(item).and_then(|(path, _)| crate::detect::normalised_rel(".", &path)) {
                    found.push((folder, *line));
                }
            }
        }
    }
    found
}

/// The known program a call starts (`subprocess.run(["ffmpeg", ...])`, `os.system("git pull")`,
/// `shutil.which("tesseract")`, or `run` imported from subprocess), by its base name.
fn started_program(call: &Call, imports: &[String]) -> Option<String> {
    let (module, name) = call.callee.rsplit_once('.').unwrap_or(("", &call.callee));
    let module = module.rsplit('.').next().unwrap_or(module);
    let through = |wanted: &str| module == wanted || module.is_empty() && imports.iter().any(|i| i == wanted);
    if !STARTING_CALLS.iter().any(|(m, n)| *n == name && through(m)) {
        return None;
    }
    let words = match call.args.first()? {
        Literal::Str(line) => line.split_whitespace().next()?.to_string(),
        Literal::List(words) => words.first()?.as_str()?.to_string(),
        _ => return None,
    };
    let program = words.rsplit('/').next().unwrap_or(&words);
    crate::knowledge::programs::is_known(program).then(|| program.to_string())
}

/// Words of a constant's name that say it names a data folder, and words that say it is read, not written.
const DATA_FOLDER_WORDS: &[&str] = &[
    "DATA", "UPLOAD", "UPLOADS", "DOWNLOAD", "DOWNLOADS", "MEDIA", "STORAGE", "CACHE", "LOG", "LOGS",
];
const READ_FOLDER_WORDS: &[&str] = &["STATIC", "TEMPLATE", "TEMPLATES", "FRONTEND", "DIST", "MODEL", "MODELS", "CONFIG"];

/// `DATA_DIR`, `UPLOAD_FOLDER`, `MEDIA_ROOT`: a name with a data word and a folder word, no read word.
fn names_data_folder(name: &str) -> bool {
    let words: Vec<&str> = name.split('_').collect();
    words.iter().any(|w| DATA_FOLDER_WORDS.contains(w))
        && words.last().is_some_and(|w| matches!(*w, "DIR" | "FOLDER" | "PATH" | "ROOT"))
        && !words.iter().any(|w| READ_FOLDER_WORDS.contains(w))
}

/// The folder a constant names as a folder (`data`, `downloads/`, `./.cache/`); none for a file (`data/app.db`).
fn folder_of_dir(path: &str) -> Option<String> {
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    // An extension names a file; a leading dot alone (`.cache`) or a closing slash a folder.
    let extension = last.get(1..).is_some_and(|rest| rest.contains('.'));
    if extension && !path.ends_with('/') {
        return None;
    }
    folder_written(path, Some(false))
}

/// Calls that read a variable by name, by the callee's last name (`os.getenv`, `os.environ.get`, `env.str`,
/// `config`).
const ENV_CALLS: &[&str] = &["getenv", "get", "env", "str", "int", "bool", "list", "db", "url", "config"];

/// The variables a module reads by name: `os.environ["X"]`, `os.getenv("X")`, `os.environ.get("X")`,
/// django-environ's `env("X")`/`env.str("X")`, decouple's `config("X")`; only names written like variables.
fn env_names(summary: &super::source::Summary) -> Vec<(String, usize)> {
    let by_call = summary.calls.iter().filter_map(|call| {
        let name = call.args.first()?.as_str()?;
        let reads = returns_none(call) || raises_without_default(call);
        (reads && read_name(call, name)).then(|| (name.to_string(), call.line))
    });
    summary
        .environ_subscripts
        .iter()
        .filter(|(name, _)| is_upper_env_name(name))
        .cloned()
        .chain(by_call)
        .collect()
}

/// Whether a name a call reads is a variable's: written like one (`DATABASE_URL`), or any name django-environ's
/// `env` or decouple's `config` is given (`config('cloud_name')` reads that variable, whatever its case).
fn read_name(call: &Call, name: &str) -> bool {
    is_upper_env_name(name) || (raises_without_default(call) && crate::validate::is_env_name(name))
}

/// django-environ's `env("X")`/`env.str("X")` and decouple's `config("X")`: they raise when the variable is
/// unset and no default is given.
fn raises_without_default(call: &Call) -> bool {
    call.callee == "env" || call.callee.starts_with("env.") || call.callee == "config"
}

/// The listen host's variable a call reads with a loopback default: `os.getenv("HOST", "127.0.0.1")`,
/// `os.environ.get("host", default="localhost")`.
fn loopback_host_variable(call: &Call) -> Option<&str> {
    let name = call.args.first()?.as_str()?;
    let default = call.args.get(1).or_else(|| call.keyword("default"))?.as_str()?;
    (returns_none(call) && crate::detect::is_host_variable(name) && crate::detect::is_loopback_host(default)).then_some(name)
}

/// `os.getenv("X")` and `os.environ.get("X")`: None when the variable is unset and no default is given.
fn returns_none(call: &Call) -> bool {
    call.callee == "getenv" || call.callee.ends_with(".getenv") || call.callee.ends_with("environ.get")
}

/// Reads with no default that the program needs: django-environ's `env("X")` and decouple's `config("X")`
/// raise without one, so any name; `os.getenv("X")` and `os.environ.get("X")` return None, so only a
/// credential's name (`API_KEY`, `SECRET_KEY`: the program cannot do without it, and it is never baked in). A
/// credential whose default is empty (`os.getenv("BOT_TOKEN", "")`) is as needed: an empty token signs nothing.
fn reads_without_default(summary: &super::source::Summary) -> Vec<(String, usize)> {
    summary
        .calls
        .iter()
        .filter(|call| call.keyword("default").is_none())
        .filter_map(|call| {
            let name = call.args.first()?.as_str()?;
            let empty_default = match call.args.get(1) {
                None => true,
                Some(default) => default.as_str() == Some("") && call.args.len() == 2,
            };
            let needed = (raises_without_default(call) && call.args.len() == 1)
                || (returns_none(call) && empty_default && crate::validate::looks_secret(name));
            (needed && read_name(call, name)).then(|| (name.to_string(), call.line))
        })
        .collect()
}

/// The path a call writes at: `open(path, "w"/"a"/"x"...)`, `connect(path)`, `makedirs(path)`, `dump(obj, path)`,
/// a log file (`logging.basicConfig(filename=path)`, `RotatingFileHandler(path)`);
/// a path given by a name the module assigned one (`LOGS_DIR = BASE_DIR / "logs"`) is that path.
fn written_path(call: &Call, summary: &super::source::Summary, module_dir: &str) -> Option<String> {
    let constants = &summary.constants;
    let path_of = |literal: &Literal| match literal {
        Literal::Name(name) => match constants.iter().rev().find(|(n, _, _)| n == name) {
            Some((_, value, _)) => value.path_in(module_dir),
            None => summary.bound_string(name).map(str::to_string),
        },
        // `f"exports/{name}.csv"`: a file named at run time, in a folder named here.
        Literal::Formatted(text) => Some(text.clone()),
        other => other.path_in(module_dir),
    };
    let last = call.callee.rsplit('.').next().unwrap_or(&call.callee);
    // pathlib's `DOWNLOADS.mkdir(exist_ok=True)`: the folder is the name it is called on.
    if let Some(receiver) = call.callee.strip_suffix(".mkdir").filter(|r| !r.contains(['.', '('])) {
        if let Some(path) = constants.iter().rev().find(|(n, _, _)| n == receiver).and_then(|(_, v, _)| v.path_in(module_dir)) {
            return Some(path);
        }
    }
    let module = call.callee.split('.').next().unwrap_or_default();
    if last == "open" && CREATING_OPENS.contains(&module) {
        return path_of(call.args.first()?);
    }
    if last == "open" {
        let mode = call.args.get(1).or_else(|| call.keyword("mode"))?.as_str()?;
        if !mode.contains(['w', 'a', 'x', '+']) {
            return None;
        }
        return path_of(call.args.first()?);
    }
    if LOG_FILE_CALLS.contains(&last) {
        let file = call.keyword("filename").or_else(|| (last != "basicConfig").then(|| call.args.first()).flatten())?;
        return path_of(file);
    }
    let saved = SAVING_CALLS.iter().filter(|(name, _)| *name == last).find_map(|(_, at)| {
        let path = path_of(call.args.get(*at)?)?;
        let file_name = path.rsplit('/').next().unwrap_or_default();
        (path.contains('/') || Path::new(file_name).extension().is_some()).then_some(path)
    });
    if saved.is_some() {
        return saved;
    }
    let (_, at) = WRITING_CALLS.iter().find(|(name, _)| *name == last)?;
    // `connect` writes only as SQLite's (`sqlite3.connect`, `aiosqlite.connect`); a database driver's connects
    // to a server.
    if last == "connect" && !SQLITE_MODULES.contains(&module) {
        return None;
    }
    let path = path_of(call.args.get(*at)?)?;
    (last != "connect" || path != ":memory:").then_some(path)
}

/// The file of a `SQLite` URL: `sqlite:///./app.db` → `./app.db`, `sqlite:////data/app.db` → `/data/app.db`.
fn sqlite_url_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite")?;
    let rest = rest.split_once(":///")?.1;
    let file = rest.split('?').next()?;
    (!file.is_empty() && file != ":memory:").then_some(file)
}

/// The folder a written path lies in, as the image names it: `.` for the working directory, a relative folder,
/// or an absolute one; None for a path outside the working directory (`../x`), a template or a URL.
pub(super) fn folder_of(path: &str) -> Option<String> {
    folder_written(path, None)
}

/// Whether a writing call writes a file (`open`, `SQLite`'s `connect`, `dump`: whatever the name) or makes a
/// folder (`makedirs`, `mkdir`).
fn writes_file(call: &Call) -> Option<bool> {
    match call.callee.rsplit('.').next().unwrap_or(&call.callee) {
        "open" | "connect" | "dump" => Some(true),
        last if SAVING_CALLS.iter().any(|(name, _)| *name == last) => Some(true),
        last if LOG_FILE_CALLS.contains(&last) => Some(true),
        "makedirs" | "mkdir" => Some(false),
        _ => None,
    }
}

/// The folder a write at `path` needs: its parent for a file (`is_file`: what the call writes says so;
/// None: the path's extension does), the path itself for a folder.
fn folder_written(path: &str, is_file: Option<bool>) -> Option<String> {
    // A path that starts at run time (`f"{path}"`, `"%s/x"`) may be anywhere, absolute too.
    if path.contains("://") || path.is_empty() || path.starts_with(['{', '%', '$']) {
        return None;
    }
    // The system's temporary folders are everyone's to write already.
    if ["/tmp", "/var/tmp", "/dev/shm"].iter().any(|temp| path == *temp || path.starts_with(&format!("{temp}/"))) {
        return None;
    }
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            other => parts.push(other),
        }
    }
    // A path that names a file (what the call writes, else an extension) writes into its folder; one without
    // names the folder a makedirs creates.
    if is_file.unwrap_or_else(|| parts.last().is_some_and(|last| last.contains('.'))) {
        parts.pop();
    }
    // A folder named at run time (`{user}/`, `%s`, `$HOME`) is not known here; a file's name may be.
    if parts.iter().any(|part| part.contains(['{', '%', '$'])) {
        return None;
    }
    match (absolute, parts.is_empty()) {
        (true, true) => None,
        (true, false) => Some(format!("/{}", parts.join("/"))),
        (false, true) => Some(".".to_string()),
        (false, false) => Some(parts.join("/")),
    }
}

fn is_test(rel: &str) -> bool {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    file.starts_with("test_")
        || file.ends_with("_test.py")
        || file == "conftest.py"
        || rel.split('/').any(|part| matches!(part, "tests" | "test" | "migrations" | "alembic"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_paths_name_their_folders() {
        assert_eq!(folder_of("model.pkl").as_deref(), Some("."));
        assert_eq!(folder_of("./data/app.db").as_deref(), Some("data"));
        assert_eq!(folder_of("uploads").as_deref(), Some("uploads"));
        assert_eq!(folder_of("/var/lib/app/app.db").as_deref(), Some("/var/lib/app"));
        assert_eq!(folder_of("/tmp/edges.png"), None);
        assert_eq!(folder_of("../outside.txt"), None);
        // A file named at run time is in a known folder; a folder named at run time is not known.
        assert_eq!(folder_of("{name}.txt"), None);
        assert_eq!(folder_of("./{name}.txt").as_deref(), Some("."));
        assert_eq!(folder_of("exports/{}.csv").as_deref(), Some("exports"));
        assert_eq!(folder_of("{user}/notes.txt"), None);
        // A file without an extension that `open` writes is a file: its folder is written.
        assert_eq!(folder_written("txtfile", Some(true)).as_deref(), Some("."));
        assert_eq!(folder_written("cache", Some(false)).as_deref(), Some("cache"));
        assert_eq!(folder_of_dir("./.cache/").as_deref(), Some(".cache"));
        assert_eq!(folder_of_dir(".venv").as_deref(), Some(".venv"));
        assert_eq!(folder_of_dir("data/app.db"), None);
        assert_eq!(folder_of_dir("exports.v2/").as_deref(), Some("exports.v2"));
        assert_eq!(sqlite_url_file("sqlite:///./sql_app.db"), Some("./sql_app.db"));
        assert_eq!(sqlite_url_file("sqlite+aiosqlite:////data/app.db"), Some("/data/app.db"));
        assert_eq!(sqlite_url_file("postgresql://db/app"), None);
    }

    #[test]
    fn only_writing_calls_count() {
        let summary = summarise(
            "import sqlite3, joblib\nopen('notes.txt')\nopen('out/log.txt', 'a')\nsqlite3.connect('app.db')\n\
             psycopg2.connect('dbname=x')\naiosqlite.connect(DB_NAME)\nDB_NAME = 'chat.db'\njoblib.dump(model, 'models/m.pkl')\n\
             LOGS_DIR = os.path.join(BASE_DIR, 'logs')\nos.makedirs(LOGS_DIR, exist_ok=True)\nos.makedirs(elsewhere)\n\
             def save(f):\n    path = 'txtfile'\n    with open(path, 'w+b') as out:\n        out.write(f)\n\
             def twice():\n    out = 'a.txt'\n    out = other\n    open(out, 'w')\n",
            &|name| name == "open" || WRITING_CALLS.iter().any(|(n, _)| *n == name),
        );
        let paths: Vec<String> = summary.calls.iter().filter_map(|c| written_path(c, &summary, ".")).collect();
        assert_eq!(paths, vec!["out/log.txt", "app.db", "chat.db", "models/m.pkl", "logs", "txtfile"]);
    }

    #[test]
    fn saved_data_files_name_their_folders() {
        let written = written_by(
            "report.py",
            "import shelve\nimport pandas as pd\nfrom tinydb import TinyDB\ndb = TinyDB(\"storage/db.json\")\n\
             def run(df, fig, model):\n    df.to_csv(\"output/results.csv\")\n    fig.savefig(\"plots/chart.png\")\n\
             \x20   torch.save(model.state_dict(), \"weights/model.pt\")\n    with shelve.open(\"state/shelf\") as shelf:\n\
             \x20       shelf[\"n\"] = 1\n    session.save(\"user\")\n    df.to_json()\n",
        );
        // A bare word given to `save` is no path; `to_json()` without one returns text.
        assert_eq!(written, ["storage", "output", "plots", "weights", "state"]);
    }

    #[test]
    fn pathlib_folders_env_defaults_and_data_folder_names_are_written() {
        let written = written_by(
            "bot.py",
            "import os\nfrom pathlib import Path\nDOWNLOADS = Path(\"downloads\")\nDOWNLOADS.mkdir(exist_ok=True)\n\
             DATA_DIR = Path(os.environ.get(\"BOT_DATA_DIR\", BASE_DIR / \"data\"))\nfor d in [DATA_DIR]:\n    os.makedirs(d)\n\
             MEDIA_ROOT = '/media/'\nMEDIA_ROOT = os.path.join(BASE_DIR, 'media')\nSTATIC_DIR = 'static'\nDATA_FILE = 'data/x.csv'\n",
        );
        assert_eq!(written, ["downloads", "data", "media"]);
    }

    #[test]
    fn paths_from_the_working_directory_are_relative() {
        let written = written_by(
            "app/main.py",
            "import os\nfrom pathlib import Path\nSTATE = os.getenv(\"STATE_FILE\", os.path.join(os.getcwd(), \"var\", \"state.json\"))\n\
             EXPORTS = Path.cwd() / \"exports\"\nEXPORTS.mkdir()\ndef save(c):\n    config_path = os.path.join(os.getcwd(), \"config.json\")\n\
             \x20   with open(config_path, \"w\") as f:\n        f.write(c)\n    with open(STATE, \"w\") as f:\n        f.write(c)\n",
        );
        assert_eq!(written, ["exports", ".", "var"]);
    }

    /// The folders `scan` finds in a project of one module at `rel` holding `text`.
    fn written_by(rel: &str, text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        scan(dir.path()).written.into_iter().map(|(d, _)| d).collect()
    }

    #[test]
    fn log_and_database_files_handed_to_any_call_are_written() {
        let text = "import logging\nday = date.today().isoformat()\nlogging.basicConfig(filename=f'./logs/app-{day}.log')\n\
                    counter = Counter('visits.db')\nreport(f'{day}/x.log')\nnote('saved to notes.db')\n\
                    keep(os.path.join(base, 'cache.db'))\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.py"), text).unwrap();
        let found = scan(dir.path());
        let written: Vec<&str> = found.written.iter().map(|(d, _)| d.as_str()).collect();
        // Not a folder named at run time, a message or a path join's last part.
        assert_eq!(written, ["logs", "."]);
        let files: Vec<&str> = found.written_files.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(files, ["visits.db"]);
    }

    #[test]
    fn a_database_url_handed_to_a_call_and_only_the_django_engine_in_force() {
        let text = "import dj_database_url\n#DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n\
                    DATABASES = {'default': dj_database_url.config(default='sqlite:////data/db.sqlite3')}\n";
        assert_eq!(written_by("myapp/settings.py", text), ["/data"]);
        // SQLAlchemy's engine opens a relative file from the working directory; Flask-SQLAlchemy's setting, from
        // its instance folder (the framework rules').
        let text = "from sqlalchemy import create_engine
engine = create_engine('sqlite:///./var/app.db')
                    app.config.update(SQLALCHEMY_DATABASE_URI='sqlite:///site.db')
";
        assert_eq!(written_by("db.py", text), ["var"]);
        // A URL a module that makes the engine passes around first is the engine's too.
        let text = "from sqlalchemy import create_engine\nurl = config.get('database_url', 'sqlite:///data/portal.db')\n\
                    engine = create_engine(url)\n";
        assert_eq!(written_by("db.py", text), ["data"]);
    }

    #[test]
    fn a_config_class_names_its_folders_beside_its_module() {
        // BASE_DIR bound to the module's own folder in a package below the project: the uploads are in app/.
        let written = written_by(
            "app/config.py",
            "import os\n\nclass Config:\n    BASE_DIR = os.path.dirname(os.path.abspath(__file__))\n    \
             UPLOAD_FOLDER = os.path.join(BASE_DIR, 'static', 'uploads')\n    CACHE_DIR = './.cache/'\n    \
             TEMPLATE_DIR = 'templates'\n",
        );
        assert_eq!(written, ["app/static/uploads", ".cache"]);
    }

    #[test]
    fn a_settings_class_default_names_the_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src/core")).unwrap();
        std::fs::write(
            dir.path().join("src/core/settings.py"),
            "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    api_key: str\n    \
             database_url: str = \"sqlite:///./data/test.db\"\n",
        )
        .unwrap();
        assert_eq!(scan(dir.path()).written, [("data".to_string(), "src/core/settings.py:5".to_string())]);
        std::fs::write(
            dir.path().join("src/core/settings.py"),
            "from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\nclass Db(BaseSettings):\n    \
             db_url: str = Field(default=\"sqlite+aiosqlite:///db.sqlite\", alias=\"DB_URL\")\n",
        )
        .unwrap();
        assert_eq!(scan(dir.path()).written, [(".".to_string(), "src/core/settings.py:5".to_string())]);
    }

    #[test]
    fn a_flask_config_names_its_sqlite_file_beside_the_module() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("blog")).unwrap();
        std::fs::write(
            dir.path().join("blog/config.py"),
            "import os\nbasedir = os.path.abspath(os.path.dirname(__file__))\n\nclass Config:\n    \
             SECRET_KEY = os.environ.get('SECRET_KEY') or 'dev'\n    \
             SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL') or \\\n        \
             'sqlite:///' + os.path.join(basedir, 'db', 'app.db')\n",
        )
        .unwrap();
        assert_eq!(scan(dir.path()).written, [("blog/db".to_string(), "blog/config.py:6".to_string())]);
        // An absolute URL is not built on a base folder.
        std::fs::write(dir.path().join("blog/config.py"), "X = 'sqlite:////' + os.path.join(basedir, 'a.db')\n").unwrap();
        assert!(scan(dir.path()).written.is_empty());
    }

    #[test]
    fn variables_read_by_name() {
        let summary = summarise(
            "import os
from decouple import config
A = os.environ['DATABASE_URL']
B = os.getenv('REDIS_URL', 'x')
             C = os.environ.get('SECRET_KEY')
D = env.str('DEBUG_LEVEL')
E = config('EMAIL_HOST')
F = d.get('lower')
os.environ['SET_NOT_READ'] = 'x'
",
            &|name| ENV_CALLS.contains(&name),
        );
        let names: Vec<String> = env_names(&summary).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG_LEVEL", "EMAIL_HOST"]);
    }

    #[test]
    fn a_key_decouple_or_environ_reads_is_a_variable_whatever_its_case() {
        let summary = summarise(
            "from decouple import config
import os
CLOUD = config('cloud_name')
KEY = config('api_secret')
DEBUG = config('debug', default=False, cast=bool)
HOME = os.getenv('home')
LOOKUP = settings.get('cache_key')
",
            &|name| ENV_CALLS.contains(&name),
        );
        let read: Vec<String> = env_names(&summary).into_iter().map(|(n, _)| n).collect();
        assert_eq!(read, ["cloud_name", "api_secret", "debug"]);
        let needed: Vec<String> = reads_without_default(&summary).into_iter().map(|(n, _)| n).collect();
        assert_eq!(needed, ["cloud_name", "api_secret"]);
        // A credential with an empty default is needed too; one with a real default, or a plain setting, is not.
        let summary = summarise(
            "import os\nTOKEN = os.getenv('API_TOKEN', '')\nKEY = os.environ.get('STRIPE_KEY', 'sk_test')\n\
             NAME = os.getenv('SITE_NAME', '')\n",
            &|name| ENV_CALLS.contains(&name),
        );
        let needed: Vec<String> = reads_without_default(&summary).into_iter().map(|(n, _)| n).collect();
        assert_eq!(needed, ["API_TOKEN"]);
    }

    #[test]
    fn imported_modules_with_their_lines_and_whether_at_the_top() {
        let text = "import os, imp\nfrom distutils.util import strtobool\nfrom . import views\ntry:\n    import cgi\nexcept ImportError:\n    cgi = None\ndef f():\n    from git import Repo\n";
        assert_eq!(
            imported_modules(text),
            vec![("os", 1, true), ("imp", 1, true), ("distutils", 2, true), ("cgi", 5, false), ("git", 9, false)]
        );
    }
}
