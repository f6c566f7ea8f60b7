//! Which application object the server runs, and which server: the project's own start command (Procfile,
//! an old Dockerfile or compose service) first, then Django's settings (manage.py → `WSGI_APPLICATION`), then
//! the modules that make an app (`app = FastAPI()`, `app = create_app()`, `def create_app():`) found by
//! parsing. The server is the production server the project depends on for the app's interface.

use std::path::Path;

use super::requirements::Dependency;
use super::source::{summarise, Literal, Summary};
use crate::detect::walk;
use crate::detect::{join_rel, read_small_text};
use crate::knowledge::python::{is_stdlib, knowledge, normalise, Framework};

/// An application object a server can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AppObject {
    /// `package.module`, importable from `dir`.
    pub(super) module: String,
    /// The object (`app`, `application`), or the factory function that returns one.
    pub(super) object: String,
    pub(super) factory: bool,
    pub(super) framework: String,
    pub(super) interface: String,
    pub(super) source: String,
    /// The folder the module imports from (`src` in a src layout), relative to the repository; "." at the root.
    pub(super) dir: String,
    /// How strongly it looks like the entry point: lower is stronger.
    pub(super) rank: u8,
    /// The port its module runs it on when started directly (`uvicorn.run(app, port=8080)`, `app.run(port=5000)`).
    pub(super) port: Option<(u16, String)>,
}

impl AppObject {
    /// `module:object` as servers name it.
    pub(super) fn spec(&self) -> String {
        format!("{}:{}", self.module, self.object)
    }
}

/// Folders whose modules are tests, examples or tools, never the app a server runs by default.
const SIDE_WORDS: &[&str] = &[
    "test", "tests", "testing", "example", "examples", "sample", "samples", "demo", "docs", "doc", "scripts",
    "benchmarks", "migrations", "alembic", "fixtures",
];

/// Module names that conventionally hold the entry point.
pub(super) const ENTRY_NAMES: &[&str] = &["main", "app", "wsgi", "asgi", "server", "application", "api", "run", "web"];

/// Every app object of the frameworks the project depends on, strongest first. Django projects are found by
/// their manage.py; the other frameworks by parsing the modules that import them.
pub(super) fn find(root: &Path, dependencies: &[Dependency], warnings: &mut Vec<String>) -> Vec<AppObject> {
    let known = knowledge();
    let used: Vec<&Framework> = known
        .framework
        .iter()
        .filter(|fw| dependencies.iter().any(|d| d.name == fw.package))
        .collect();
    let mut found = Vec::new();
    if let Some(django) = used.iter().find(|fw| fw.name == "django") {
        found.extend(django_app(root, django, dependencies).or_else(|| django_wsgi_module(root, django)));
    }
    let others: Vec<&&Framework> = used.iter().filter(|fw| fw.name != "django").collect();
    if others.is_empty() {
        return found;
    }
    let walked = walk::files_with_extensions(root, &["py"], |dir| dir.join("pyvenv.cfg").is_file());
    warnings.extend(walked.cut_warning(".", "Python", "pass --set app=MODULE:OBJECT"));
    // Modules that may attach routes to an app another one makes, read again only if one is made.
    let mut extending = Vec::new();
    for path in &walked.files {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if is_test(&rel) {
            continue;
        }
        let Some(text) = read_small_text(path) else { continue };
        if may_extend(&text) && !is_side(&rel) {
            extending.push(path.clone());
        }
        // Only modules that mention a framework's constructor or factory are parsed.
        let mentions = others
            .iter()
            .any(|fw| fw.constructors.iter().chain(&fw.factories).any(|name| text.contains(name.as_str())));
        if !mentions {
            continue;
        }
        let summary = summarise(&text, &|name| name == "run");
        found.extend(objects_in(root, &rel, &summary, &others, dependencies));
    }
    served_where_extended(root, &extending, dependencies, &mut found);
    found.sort_by_key(|a| (a.rank, a.source.len()));
    found.dedup_by(|a, b| a.spec() == b.spec() && a.dir == b.dir);
    found
}

/// The app objects one module defines: an assignment from a framework's constructor or from a factory call
/// (`app = create_app()`, the module a server is pointed at), or a factory function of a framework the module
/// imports.
fn objects_in(
    root: &Path,
    rel: &str,
    summary: &Summary,
    frameworks: &[&&Framework],
    dependencies: &[Dependency],
) -> Vec<AppObject> {
    let Some((dir, module)) = import_root(root, rel, &summary.imports, dependencies) else { return Vec::new() };
    if !rel.ends_with("__init__.py") && shadowed_by_package(root, &dir, &module) {
        return Vec::new();
    }
    let side = is_side(rel);
    let entry_name = ENTRY_NAMES.contains(&module.rsplit('.').next().unwrap_or(&module));
    let imported = |fw: &Framework| summary.imports.contains(&fw.package);
    let port = summary
        .calls
        .iter()
        .find_map(|call| Some((call.keyword("port")?.as_port()?, format!("{rel}:{}", call.line))));
    let mut found = Vec::new();
    // A subclass of the framework's app the module defines (`class Api(Flask): …`) constructs one too.
    let constructs = |fw: &Framework, callee: &String| {
        fw.constructors.contains(callee)
            || summary.classes.iter().any(|c| c.name == *callee && c.bases.iter().any(|b| fw.constructors.contains(b)))
    };
    for (name, callee, line) in &summary.assignments {
        let by_constructor = frameworks.iter().find(|fw| constructs(fw, callee) && imported(fw));
        let by_factory = frameworks.iter().find(|fw| fw.factories.contains(callee));
        let Some(fw) = by_constructor.or(by_factory) else { continue };
        // An app made by calling a factory is the module a server is pointed at (wsgi.py: app = create_app()).
        let rank = u8::from(side) * 4 + u8::from(by_constructor.is_some()) + u8::from(!entry_name);
        let mut app = object(&dir, &module, name, false, fw, format!("{rel}:{line}"), rank);
        app.port.clone_from(&port);
        found.push(app);
    }
    for (name, returns, line) in &summary.functions {
        // A factory by its conventional name (`create_app`), or by the app it says it returns (`-> Litestar`).
        let makes = |fw: &Framework| fw.factories.contains(name) || returns.as_ref().is_some_and(|r| fw.constructors.contains(r));
        if let Some(fw) = frameworks.iter().find(|fw| makes(fw) && imported(fw)) {
            let rank = u8::from(side) * 4 + 2 + u8::from(!entry_name);
            let mut app = object(&dir, &module, name, true, fw, format!("{rel}:{line}"), rank);
            app.port.clone_from(&port);
            found.push(app);
        }
    }
    found
}

/// Methods that attach routes, routers, blueprints or middleware to an app object (`app.include_router(…)`,
/// `@app.get("/")`).
const EXTENDING: &[&str] = &[
    "include_router", "add_middleware", "middleware", "mount", "register_blueprint", "add_url_rule", "add_api_route",
    "add_route", "route", "get", "post", "put", "patch", "delete", "websocket", "exception_handler", "on_event",
];

/// Whether a module's text may import an app and attach routes to it: it imports, and calls one of the
/// methods that extend an app.
fn may_extend(text: &str) -> bool {
    text.contains("import") && EXTENDING.iter().any(|method| text.contains(&format!(".{method}(")))
}

/// An app object made in one module (`app = FastAPI()` in app/__init__.py) whose routes another module attaches
/// after importing it (main.py: `from app import app`, `app.include_router(…)`) is served from that module:
/// importing the first alone never runs the second, and the app would answer nothing. Taken when exactly one
/// module does so and the first does not import it itself (Flask's `from app import views` at the end of
/// the package); the first stays the alternative.
fn served_where_extended(root: &Path, files: &[std::path::PathBuf], dependencies: &[Dependency], found: &mut Vec<AppObject>) {
    let mut added = Vec::new();
    for app in found.iter_mut().filter(|app| !app.factory) {
        let Some((definer, _)) = app.source.split_once(':') else { continue };
        let mut importers = Vec::new();
        for path in files {
            let Ok(rel) = path.strip_prefix(root) else { continue };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel == definer {
                continue;
            }
            let Some(text) = read_small_text(path) else { continue };
            if !text.contains(app.object.as_str()) {
                continue;
            }
            let summary = summarise(&text, &|name| EXTENDING.contains(&name));
            let Some((dir, module)) = import_root(root, &rel, &summary.imports, dependencies) else { continue };
            // The app's module as this module imports it: the same file, whichever folder each imports from
            // (`from application import application` beside it, run with its folder on the path).
            let imports_the_app = |from: &str| {
                let imported = absolute_module(from, &module, rel.ends_with("__init__.py"));
                if dir == app.dir {
                    return imported == app.module;
                }
                let file = crate::detect::normalised_rel(&dir, &imported.replace('.', "/"));
                file.is_some_and(|file| format!("{file}.py") == definer || format!("{file}/__init__.py") == definer)
            };
            let bound = summary.imported_names.iter().find(|(from, name, _, _)| *name == app.object && imports_the_app(from));
            let Some((_, _, bound, _)) = bound else { continue };
            let extends = summary.calls.iter().find(|call| {
                call.callee.strip_prefix(bound.as_str()).and_then(|rest| rest.strip_prefix('.')).is_some_and(|m| EXTENDING.contains(&m))
            });
            if let Some(call) = extends {
                importers.push((dir, module, bound.clone(), format!("{rel}:{}", call.line)));
            }
        }
        let [(dir, module, object, source)] = importers.as_slice() else { continue };
        if imports_module(root, definer, &app.module, module) {
            continue;
        }
        let mut served = app.clone();
        served.dir.clone_from(dir);
        served.module.clone_from(module);
        served.object.clone_from(object);
        served.source = format!("{source} (attaches routes to the app made at {})", app.source);
        app.rank += 1;
        added.push(served);
    }
    found.extend(added);
}

/// Whether the module `definer` (a file, whose module is `module`) imports `other`, whole or a name of it.
fn imports_module(root: &Path, definer: &str, module: &str, other: &str) -> bool {
    let Some(text) = read_small_text(&root.join(definer)) else { return false };
    let summary = summarise(&text, &|_| false);
    let package = definer.ends_with("__init__.py");
    let whole = summary.imported_modules.iter().map(|m| absolute_module(m, module, package));
    let names = summary
        .imported_names
        .iter()
        .map(|(from, name, _, _)| format!("{}.{name}", absolute_module(from, module, package)));
    whole.chain(names).any(|imported| imported == other)
}

/// A module name as imported from `module` (a package's `__init__` when `package`): `.views` in `app` (a
/// package) → `app.views`, `..core` in `app.api.main` → `app.core`; an absolute name as it is.
fn absolute_module(name: &str, module: &str, package: bool) -> String {
    let dots = name.chars().take_while(|c| *c == '.').count();
    if dots == 0 {
        return name.to_string();
    }
    let mut base: Vec<&str> = module.split('.').collect();
    if !package {
        base.pop();
    }
    for _ in 1..dots {
        base.pop();
    }
    let rest = &name[dots..];
    if !rest.is_empty() {
        base.push(rest);
    }
    base.join(".")
}

fn object(dir: &str, module: &str, name: &str, factory: bool, fw: &Framework, source: String, rank: u8) -> AppObject {
    AppObject {
        module: module.to_string(),
        object: name.to_string(),
        factory,
        framework: fw.name.clone(),
        interface: fw.interface.clone(),
        source,
        dir: dir.to_string(),
        rank,
        port: None,
    }
}

/// The importable module of a file and the folder it imports from: `app/main.py` → (`.`, `app.main`);
/// `src/pkg/api.py` → (`src`, `pkg.api`) when `src/` is a layout folder rather than a package, also in a
/// workspace member (`apps/api/src/api/main.py` → (`apps/api/src`, `api.main`)); `pkg/__init__.py` → `pkg`.
/// None for a file whose path is not a module name (`my-app/x.py`).
fn module_of(root: &Path, rel: &str) -> Option<(String, String)> {
    let stem = rel.strip_suffix(".py")?;
    let layout = stem
        .match_indices("src/")
        .map(|(at, _)| at)
        .filter(|&at| at == 0 || stem.as_bytes()[at - 1] == b'/')
        .map(|at| &stem[..at + 3])
        .filter(|dir| !root.join(dir).join("__init__.py").is_file())
        .last();
    let (dir, stem) = match layout {
        Some(dir) => (dir, &stem[dir.len() + 1..]),
        None => (".", stem),
    };
    Some((dir.to_string(), module_name(stem)?))
}

/// `pkg/api` → `pkg.api`, `pkg/__init__` → `pkg`; None when a part is not a Python name (`my-app/x`).
fn module_name(stem: &str) -> Option<String> {
    let mut parts: Vec<&str> = stem.split('/').collect();
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    let valid = !parts.is_empty()
        && parts
            .iter()
            .all(|p| p.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    valid.then(|| parts.join("."))
}

/// The folder a module imports from, and its name there: [`module_of`]'s, unless the module's own absolute
/// imports name a module that is not there but in a folder on the module's path (`users_app/main.py` doing
/// `from core.db import …` beside `users_app/core/`): the project runs it from that folder, the only place
/// its imports resolve. The standard library and the project's dependencies are never its own modules.
pub(super) fn import_root(root: &Path, rel: &str, imports: &[String], dependencies: &[Dependency]) -> Option<(String, String)> {
    let (dir, module) = module_of(root, rel)?;
    let holds = |folder: &str, name: &str| {
        let base = root.join(folder);
        base.join(name).is_dir() || base.join(format!("{name}.py")).is_file()
    };
    let own: Vec<&String> = imports
        .iter()
        .filter(|name| {
            !is_stdlib(name) && !dependencies.iter().any(|d| d.name == normalise(name)) && !holds(&dir, name)
        })
        .collect();
    if own.is_empty() {
        return Some((dir, module));
    }
    // The folders between the default root and the module, shallowest first.
    let parts: Vec<&str> = rel.split('/').collect();
    let skip = if dir == "." { 0 } else { dir.split('/').count() };
    (skip + 1..parts.len())
        .map(|depth| parts[..depth].join("/"))
        .find(|folder| own.iter().any(|name| holds(folder, name)))
        .and_then(|folder| {
            let below = rel[folder.len() + 1..].strip_suffix(".py")?;
            Some((folder, module_name(below)?))
        })
        .or(Some((dir, module)))
}

/// Whether a package of the same name stands beside the module (`app.py` beside `app/__init__.py`): Python
/// imports the package, so no server can load the module's objects by that name.
fn shadowed_by_package(root: &Path, dir: &str, module: &str) -> bool {
    let path = root.join(dir).join(module.replace('.', "/"));
    path.join("__init__.py").is_file() && path.with_extension("py").is_file()
}

pub(super) fn is_side(rel: &str) -> bool {
    let mut folders: Vec<&str> = rel.split('/').collect();
    folders.pop();
    is_test(rel) || folders.iter().any(|f| SIDE_WORDS.contains(&f.to_ascii_lowercase().as_str()))
}

/// A test module (`test_*.py`, `*_test.py`, `conftest.py`, or under a `tests/` folder): the app it builds is a
/// test's, never one to offer.
pub(super) fn is_test(rel: &str) -> bool {
    let mut folders: Vec<&str> = rel.split('/').collect();
    let file = folders.pop().unwrap_or_default();
    file.starts_with("test_")
        || file.ends_with("_test.py")
        || file == "conftest.py"
        || folders.iter().any(|f| matches!(f.to_ascii_lowercase().as_str(), "test" | "tests" | "testing"))
}

/// Django: the settings module manage.py sets (at the root or one folder down), and the application its
/// `WSGI_APPLICATION` (or `ASGI_APPLICATION` with Channels) names, else the `wsgi.py` beside the settings.
fn django_app(root: &Path, django: &Framework, dependencies: &[Dependency]) -> Option<AppObject> {
    let (dir, manage) = ["manage.py"]
        .iter()
        .map(|f| (".".to_string(), (*f).to_string()))
        .chain(one_folder_down(root, "manage.py"))
        .find(|(_, rel)| root.join(rel).is_file())?;
    let text = read_small_text(&root.join(&manage))?;
    let summary = summarise(&text, &|name| name == "setdefault");
    let (settings, line) = summary.calls.iter().find_map(|call| {
        (call.args.first().and_then(Literal::as_str) == Some("DJANGO_SETTINGS_MODULE"))
            .then(|| Some((call.args.get(1)?.as_str()?.to_string(), call.line)))?
    })?;
    let settings_file = join_rel(&dir, &format!("{}.py", settings.replace('.', "/")));
    let settings_file = if root.join(&settings_file).is_file() {
        settings_file
    } else {
        join_rel(&dir, &format!("{}/__init__.py", settings.replace('.', "/")))
    };
    let channels = dependencies.iter().any(|d| d.name == "channels" || d.name == "daphne");
    let named = read_small_text(&root.join(&settings_file)).and_then(|text| {
        let summary = summarise(&text, &|_| false);
        let key = if channels { "ASGI_APPLICATION" } else { "WSGI_APPLICATION" };
        summary.constants.iter().find_map(|(name, value, line)| {
            (name == key).then(|| Some((value.as_str()?.to_string(), format!("{settings_file}:{line}"))))?
        })
    });
    let interface = if channels { "asgi" } else { "wsgi" };
    let (module, object, source) = if let Some((path, source)) = named {
        let (module, object) = path.rsplit_once('.')?;
        (module.to_string(), object.to_string(), source)
    } else {
        {
            // The settings package's own wsgi.py/asgi.py, looked for from the settings module upwards.
            let mut package: Vec<&str> = settings.split('.').collect();
            package.pop();
            loop {
                let module = package.iter().chain([&interface]).copied().collect::<Vec<_>>().join(".");
                let file = join_rel(&dir, &format!("{}.py", module.replace('.', "/")));
                if root.join(&file).is_file() {
                    break (module, "application".to_string(), format!("{manage}:{line}"));
                }
                package.pop()?;
            }
        }
    };
    Some(AppObject {
        module,
        object,
        factory: false,
        framework: django.name.clone(),
        interface: interface.to_string(),
        source,
        dir,
        rank: 0,
        port: None,
    })
}

/// Django without a settings module manage.py names literally: the project package's `wsgi.py` that calls
/// `get_wsgi_application()`, at the root or one folder down (`config/wsgi.py` → `config.wsgi:application`).
fn django_wsgi_module(root: &Path, django: &Framework) -> Option<AppObject> {
    let entries = std::fs::read_dir(root).ok()?;
    let mut packages: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|d| !d.starts_with(['.', '_']))
        .collect();
    packages.sort();
    let (package, line) = packages.iter().find_map(|package| {
        let text = read_small_text(&root.join(package).join("wsgi.py"))?;
        let summary = summarise(&text, &|_| false);
        summary
            .assignments
            .iter()
            .find(|(name, callee, _)| name == "application" && callee == "get_wsgi_application")
            .map(|(_, _, line)| (package.clone(), *line))
    })?;
    Some(AppObject {
        module: format!("{package}.wsgi"),
        object: "application".to_string(),
        factory: false,
        framework: django.name.clone(),
        interface: "wsgi".to_string(),
        source: format!("{package}/wsgi.py:{line}"),
        dir: ".".to_string(),
        rank: 0,
        port: None,
    })
}

/// `name` in each folder just below the root (not hidden, `_`-prefixed or a dependency folder), sorted.
fn one_folder_down(root: &Path, name: &str) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut found: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|d| !d.starts_with(['.', '_']) && !matches!(d.as_str(), "node_modules" | "venv" | "env"))
        .map(|d| (d.clone(), format!("{d}/{name}")))
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_root_is_where_the_modules_own_imports_resolve() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["svc/main.py", "svc/core/__init__.py", "svc/logging.py", "svc/redis.py", "lib/util.py"] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let imports = |names: &[&str]| names.iter().map(|n| (*n).to_string()).collect::<Vec<_>>();
        let redis = Dependency { name: "redis".into(), extras: Vec::new(), pinned: None, below: None, source: "r:1".into() };
        let root_of = |names: &[&str]| import_root(dir.path(), "svc/main.py", &imports(names), std::slice::from_ref(&redis));
        assert_eq!(root_of(&["core", "fastapi"]), Some(("svc".into(), "main".into())));
        // The standard library's and the dependencies' names, and modules found from the root, say nothing.
        for names in [&["logging"][..], &["redis"], &["lib", "svc"], &["missing"]] {
            assert_eq!(root_of(names), Some((".".into(), "svc.main".into())), "{names:?}");
        }
    }

    #[test]
    fn relative_imports_are_made_absolute() {
        assert_eq!(absolute_module(".views", "app", true), "app.views");
        assert_eq!(absolute_module(".", "app", true), "app");
        assert_eq!(absolute_module("..core", "app.api.main", false), "app.core");
        assert_eq!(absolute_module(".db", "app.main", false), "app.db");
        assert_eq!(absolute_module("app", "main", false), "app");
    }

    #[test]
    fn files_are_modules_of_their_layout() {
        let root = Path::new("/nonexistent");
        assert_eq!(module_of(root, "app/main.py"), Some((".".into(), "app.main".into())));
        assert_eq!(module_of(root, "src/pkg/api.py"), Some(("src".into(), "pkg.api".into())));
        assert_eq!(module_of(root, "apps/api/src/api/main.py"), Some(("apps/api/src".into(), "api.main".into())));
        assert_eq!(module_of(root, "apps/resrc/main.py"), Some((".".into(), "apps.resrc.main".into())));
        assert_eq!(module_of(root, "pkg/__init__.py"), Some((".".into(), "pkg".into())));
        assert_eq!(module_of(root, "my-app/x.py"), None);
        assert!(is_side("tests/test_app.py") && is_side("examples/hello/app.py") && !is_side("app/main.py"));
        assert!(is_test("packages/api/tests/routes/test_health.py") && is_test("conftest.py") && !is_test("examples/x.py"));
    }
}
