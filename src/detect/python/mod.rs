//! The Python probe: the manifests (which manager installs what, `manifests`, `requirements`), the Python line
//! (`version`), the application object a production server runs (`app`, parsed with `source`) and the server
//! (`server`), the project's own start command and contract (`contract`), and Django's build step.

mod app;
mod contract;
mod indexes;
mod lock;
mod manifests;
mod plan;
mod programs;
mod requirements;
mod server;
mod settings;
mod source;
mod version;
mod wheels;
mod workspace;
mod runtime;

use std::path::Path;

use anyhow::Result;
use serde_json::{json, Value};

use self::app::AppObject;
use self::lock::Locked;
use self::manifests::{Manager, Manifests};
use self::requirements::Dependency;
use self::source::{summarise, Literal};
use super::stack::{Example, Parser, Stack};
use super::{frontend, read_small_text, services, Candidate, Choice, ChoiceOption, Fact, Facts};
use crate::knowledge::python::{knowledge, tool};
use crate::knowledge::version_at_least;

pub(super) static STACK: Stack = Stack {
    name: "python",
    markers: manifests::MARKERS,
    probe,
    decisive_facts: &[
        "app",
        "framework",
        "server",
        "package_manager",
        "python_version",
        "port",
    ],
    internal_facts: &[
        "dependency_files",
        "interface",
        "app_factory",
        "app_dir",
        "installable",
        "locked",
        "system_libraries",
        "uv_workspace",
        "poetry_groups",
        "no_musl_wheels",
        "has_frontend",
        "frontend",
        "written_code_dirs",
    ],
    derive: plan::derive,
    plan_fields: plan::FIELDS,
    build_inputs: false,
    program_key: "app",
    image_name: |values| {
        // A console script is named after itself; a server's app after its top package (not a generic one).
        if let Some(app) = values.get("app").and_then(Value::as_str) {
            let first = app.split([':', '.']).next()?;
            return Some(if ["app", "main", "wsgi", "asgi", "server", "src"].contains(&first) {
                "app".to_string()
            } else {
                first.replace('_', "-")
            });
        }
        let command = values.get("start_command")?.as_str()?;
        Some(command.split_whitespace().next()?.rsplit('/').next()?.to_string())
    },
    examples: &[
        Example {
            preset: "python",
            folder: "python-fastapi",
        },
        Example {
            preset: "python-distroless",
            folder: "python-fastapi",
        },
        Example {
            preset: "python-alpine",
            folder: "python-uv-api",
        },
    ],
    parsers: &[
        Parser {
            name: "pyproject",
            parse: manifests::fuzz_text,
        },
        Parser {
            name: "requirements",
            parse: requirements::fuzz_text,
        },
        Parser {
            name: "python_source",
            parse: fuzz_source,
        },
    ],
    fuzz_paths: &[
        "pyproject.toml",
        "requirements.txt",
        "requirements/base.txt",
        "Pipfile",
        "poetry.lock",
        "uv.lock",
        "manage.py",
        "main.py",
        "app/main.py",
        "mysite/settings.py",
        ".python-version",
    ],
};

fn probe(root: &Path) -> Result<Option<Candidate>> {
    let Some(manifests) = manifests::read(root)? else {
        return Ok(None);
    };
    let mut candidate = Candidate {
        stack: "python",
        evidence: manifests.manager_source.clone(),
        facts: Facts::new(),
        choices: Vec::new(),
        warnings: manifests.warnings.clone(),
        notes: manifests.notes.clone(),
    };
    manager_facts(&manifests, &mut candidate);
    index_secrets(root, &manifests, &mut candidate);
    let lock = manifests
        .dependency_files
        .iter()
        .find(|f| matches!(f.as_str(), "uv.lock" | "poetry.lock" | "pdm.lock"));
    let locked = lock.and_then(|file| Some((file.as_str(), lock::read(root, file)?)));
    let installed = locked.clone().or_else(|| pipfile_lock(root, &manifests));
    let mut run_time = runtime::scan(root);
    let mut caps = wheels::newest_lines(
        locked.as_ref().map(|(file, packages)| (*file, packages.as_slice())),
        &manifests.dependencies,
    );
    caps.extend(version::removed_modules_caps(&run_time.removed_imports, &manifests.dependencies));
    if let Some(fact) = version::python_line(root, &manifests.python, &caps, &mut candidate.notes) {
        version::say_unsupported(&fact, &mut candidate.warnings);
        candidate.facts.insert("python_version".into(), fact);
    }
    tool_for_python_line(&mut candidate);
    musl_facts(
        locked.as_ref().map(|(file, packages)| (*file, packages.as_slice())),
        &manifests.dependencies,
        &mut candidate.facts,
    );
    runtime_packages(&manifests.dependencies, &mut candidate.facts);
    candidate.warnings.extend(run_time.cut.clone());
    let mut apps = app::find(root, &manifests.dependencies, &mut candidate.warnings);
    let started = contract::started(root);
    if let Some((started, source)) = &started {
        apps = contract::rank_by_command(root, apps, started, source, &mut candidate.warnings);
    }
    flask_instance_folder(&apps, &manifests.dependencies, &mut run_time);
    gunicorn_log_folders(root, started.as_ref(), &manifests.dependencies, &mut run_time);
    // Written paths are the working directory's: the repository's root, or the app's folder (a nested Django
    // project's `mysite/`, where the image's WORKDIR is).
    let app_dir = apps.first().map_or(".", |app| app.dir.as_str());
    written_dirs(root, app_dir, &run_time, &mut candidate);
    started_programs(&manifests.dependencies, &run_time, &mut candidate.facts);
    served_frontend(root, &run_time, &mut candidate);
    let programs = programs::find(root, &manifests.dependencies);
    // The project starts the program itself (`python -m src.bot`): taken where dockgen has no server to run it with.
    let script = if started.is_none() { contract::started_script(root) } else { None };
    // With nothing else to run, the one module that runs as a program is the program.
    let script = script.or_else(|| only_program_module(root, &run_time, &apps, &programs, &mut candidate));
    let (mut options, mut ranks): (Vec<ChoiceOption>, Vec<u8>) = if apps.is_empty() {
        if programs.is_empty() {
            let Some(script) = &script else {
                let mut candidate = no_app(&manifests, started.map(|(s, _)| s.server), candidate);
                record_services(root, &manifests.dependencies, &run_time, &mut candidate.facts);
                services::required_env(&run_time.required, "read with no default", &mut candidate.facts);
                bind_variable(&run_time, &mut candidate.facts);
                return Ok(Some(candidate));
            };
            (vec![script_option(script)], vec![0])
        } else {
            programs.iter().map(|found| (programs::option(found), found.rank)).unzip()
        }
    } else if started.is_none() && programs.first().is_some_and(|found| found.rank == 0) {
        // The deployment files start one of the programs (`streamlit run app.py`) and no web app: that program
        // is what the image runs, the web apps are the other choices.
        let locked = installed.as_ref().map(|(file, packages)| (*file, packages.as_slice()));
        let (mut options, mut ranks): (Vec<ChoiceOption>, Vec<u8>) =
            programs.iter().map(|found| (programs::option(found), found.rank)).unzip();
        options.extend(apps.iter().map(|app| option(root, app, &manifests.dependencies, locked)));
        ranks.extend(apps.iter().map(|app| app.rank.saturating_add(1)));
        (options, ranks)
    } else {
        candidate.notes.extend(programs::beside_notes(&programs));
        let locked = installed.as_ref().map(|(file, packages)| (*file, packages.as_slice()));
        let mut options: Vec<ChoiceOption> =
            apps.iter().map(|app| option(root, app, &manifests.dependencies, locked)).collect();
        if let Some((started, source)) = &started {
            contract::apply_started(root, &mut options, started, source);
        }
        (options, apps.iter().map(|app| app.rank).collect())
    };
    if !apps.is_empty() {
        script_over_apps(root, script.as_ref(), &mut options, &mut ranks);
    }
    candidate.notes.extend(contract::apply(root, &mut options));
    for option in &mut options {
        workspace_package(&manifests.workspace, &option.source.clone(), &mut option.facts);
        record_services(root, &manifests.dependencies, &run_time, &mut option.facts);
        services::required_env(&run_time.required, "read with no default", &mut option.facts);
        bind_variable(&run_time, &mut option.facts);
        sqlite_in_workdir(&candidate.facts, &mut option.facts);
        undeclared_pip_packages(&manifests.dependencies, &mut option.facts);
        let locked = installed.as_ref().map(|(file, packages)| (*file, packages.as_slice()));
        if let Some(warning) = uninstalled_server(&manifests.dependencies, locked, &option.facts) {
            option.warnings.push(warning);
        }
    }
    choose(&mut candidate, &ranks, options);
    Ok(Some(candidate))
}

/// Django keeps a `SQLite` database in the project's folder (`BASE_DIR / "db.sqlite3"`), the image's working
/// directory: when the image makes its tables (`migrate_sqlite`) and the code search found no write there (a URL
/// default such as dj-database-url's `sqlite:///db.sqlite3`), that folder is the app user's too, or the build's
/// migrate, run as that user, cannot create the file.
fn sqlite_in_workdir(candidate: &Facts, facts: &mut Facts) {
    let Some(migrate) = facts.get("migrate_sqlite") else { return };
    let found = facts.get("written_dirs").or_else(|| candidate.get("written_dirs"));
    let mut dirs: Vec<serde_json::Value> = found.and_then(|f| f.value.as_array().cloned()).unwrap_or_default();
    if dirs.iter().any(|dir| dir == ".") {
        return;
    }
    dirs.push(json!("."));
    let why = format!(
        "the SQLite database of the settings ({}), which Django keeps in the project's folder, the working directory",
        migrate.source
    );
    let note = match found.and_then(|f| f.note.as_deref()) {
        Some(note) => format!("{note}; {why}"),
        None => format!("the program writes there: {why}"),
    };
    let source = found.map_or_else(|| migrate.source.clone(), |f| f.source.clone());
    facts.insert("written_dirs".into(), Fact::new(json!(dirs), source).with_note(note));
}

/// Pipfile.lock's installed packages, when the install follows it: what the install holds, for the servers it
/// brings (it names no wheel files, so the line and image checks read only the other locks).
fn pipfile_lock<'m>(root: &Path, manifests: &'m Manifests) -> Option<(&'m str, Vec<Locked>)> {
    let pipfile = manifests.dependency_files.iter().find(|f| *f == "Pipfile.lock")?;
    Some((pipfile.as_str(), lock::read_pipfile(root)?))
}

/// The credentials a private package index needs at build time, as build secrets.
fn index_secrets(root: &Path, manifests: &Manifests, candidate: &mut Candidate) {
    let indexes = indexes::secrets(root, &manifests.index_urls);
    candidate.warnings.extend(indexes.warnings);
    if let Some((_, source)) = indexes.names.first() {
        let names: Vec<&str> = indexes.names.iter().map(|(n, _)| n.as_str()).collect();
        candidate.facts.insert(
            "index_secrets".into(),
            Fact::new(json!(names), source.clone()).with_note(
                "credentials of a private package index: build secrets for the install (docker build --secret \
                 id=NAME,env=NAME), never kept in a layer",
            ),
        );
    }
}

/// Where dockgen's default tool versions come from.
const TOOLS_TABLE: &str = "src/knowledge/python/tools.toml";

/// The warning that no version of the package manager is pinned, naming the release installed instead.
fn unpinned_tool(name: &str, version: &str, released: &toml::value::Datetime, line: Option<&str>) -> String {
    let why = line.map(|line| format!(", the newest that runs on Python {line}")).unwrap_or_default();
    format!(
        "no {name} version pinned in the repository: {name} {version} (released {released}{why}) is installed; pin \
         it with --set package_manager_version=VERSION"
    )
}

/// On an older Python line, dockgen's default package manager gives way to its newest release that runs there
/// (pipenv 2024.4.1 on Python 3.8, where 2026.10.3 needs 3.10): the tool runs on the project's Python.
fn tool_for_python_line(candidate: &mut Candidate) {
    let line = candidate.facts.get("python_version").and_then(|f| f.value.as_str()).map(String::from);
    let Some(manager) = candidate.facts.get("package_manager").and_then(|f| f.value.as_str()).map(String::from) else {
        return;
    };
    let Some(known) = tool(&manager) else { return };
    let Some(fact) = candidate.facts.get_mut("package_manager_version").filter(|f| f.source == TOOLS_TABLE) else {
        return;
    };
    let (version, released) = known.default_for(line.as_deref());
    if version == known.default {
        return;
    }
    let line = line.unwrap_or_default();
    fact.value = json!(version);
    fact.note = Some(format!("dockgen's default for Python {line}: the newest {manager} that runs there"));
    let default_warning = unpinned_tool(&manager, &known.default, &known.released, None);
    for warning in &mut candidate.warnings {
        if *warning == default_warning {
            *warning = unpinned_tool(&manager, version, released, Some(&line));
        }
    }
}

/// The manager, its version (pinned, or the default with a warning), and the files its install reads.
fn manager_facts(manifests: &Manifests, candidate: &mut Candidate) {
    let facts = &mut candidate.facts;
    let manager = manifests.manager;
    facts.insert(
        "package_manager".into(),
        Fact::new(manager.name(), manifests.manager_source.clone()),
    );
    if manager != Manager::Pip {
        let known = tool(manager.name());
        let too_old = |version: &str| {
            known
                .and_then(|k| k.oldest_installable.as_deref())
                .is_some_and(|oldest| !version_at_least(version, oldest))
        };
        match &manifests.manager_version {
            Some((version, source)) if !too_old(version) => {
                facts.insert("package_manager_version".into(), Fact::new(version.clone(), source.clone()));
            }
            Some((version, source)) => {
                if let Some(known) = known {
                    candidate.notes.push(format!(
                        "{source}: written by {} {version}, which no longer installs beside today's packages; {} {} \
                         reads the same lock and is installed instead (--set package_manager_version=VERSION for \
                         another)",
                        manager.name(),
                        manager.name(),
                        known.default
                    ));
                    facts.insert(
                        "package_manager_version".into(),
                        Fact::new(known.default.clone(), source.clone())
                            .with_note(format!("dockgen's default: the lock's {version} is too old to install")),
                    );
                }
            }
            None => {
                if let Some(known) = tool(manager.name()) {
                    candidate.warnings.push(unpinned_tool(manager.name(), &known.default, &known.released, None));
                    facts.insert(
                        "package_manager_version".into(),
                        Fact::new(known.default.clone(), TOOLS_TABLE).with_note("dockgen's default"),
                    );
                }
            }
        }
    }
    facts.insert(
        "dependency_files".into(),
        Fact::new(json!(manifests.dependency_files), manifests.manager_source.clone()),
    );
    if let Some(file) = &manifests.requirements {
        let fact = Fact::new(file.clone(), manifests.manager_source.clone());
        let named_elsewhere = manifests.manager_source != *file;
        facts.insert(
            "requirements_file".into(),
            if named_elsewhere {
                fact.with_note(format!("pip installs {file}, as {} does", manifests.manager_source))
            } else {
                fact
            },
        );
    }
    if let Some(file) = &manifests.hashed {
        facts.insert(
            "require_hashes".into(),
            Fact::new(true, file.clone()).with_note("the requirement files pin hashes: pip checks every download"),
        );
    }
    facts.insert(
        "installable".into(),
        Fact::new(manifests.installable, manifests.manager_source.clone()),
    );
    facts.insert("locked".into(), Fact::new(manifests.locked, manifests.manager_source.clone()));
    if let Some(source) = &manifests.workspace_source {
        facts.insert(
            "uv_workspace".into(),
            Fact::new(true, source.clone()).with_note("a uv workspace: its members install only with their sources"),
        );
    }
    installed_sets(manifests, facts);
    // A lock that is there but out of date is said where it is found (`stale_uv_lock`).
    let lock_present = manifests
        .dependency_files
        .iter()
        .any(|f| std::path::Path::new(f).extension().is_some_and(|e| e == "lock"));
    if !manifests.locked && manager != Manager::Pip && !lock_present {
        candidate.warnings.push(format!(
            "{}: no lock file, so the image resolves the dependencies when it is built: commit the lock for \
             reproducible images",
            manifests.manager_source
        ));
    }
}

/// The dependency sets the image installs besides the main one: Poetry groups and Pipfile categories that are
/// not for development.
fn installed_sets(manifests: &Manifests, facts: &mut Facts) {
    if let Some((_, source)) = manifests.poetry_groups.first() {
        let groups: Vec<&str> = manifests.poetry_groups.iter().map(|(name, _)| name.as_str()).collect();
        facts.insert(
            "poetry_groups".into(),
            Fact::new(json!(groups), source.clone()).with_note("Poetry groups installed besides main"),
        );
    }
    if let Some((_, source)) = manifests.pipenv_categories.first() {
        let mut categories = vec!["packages".to_string()];
        categories.extend(manifests.pipenv_categories.iter().map(|(name, _)| name.clone()));
        facts.insert(
            "pipenv_categories".into(),
            Fact::new(json!(categories), source.clone()).with_note("Pipfile categories installed besides [packages]"),
        );
    }
}

/// The facts of one app object: how the server runs it, and which server.
fn option(root: &Path, app: &AppObject, dependencies: &[Dependency], locked: Option<(&str, &[Locked])>) -> ChoiceOption {
    let mut facts = Facts::new();
    facts.insert("framework".into(), Fact::new(app.framework.clone(), app.source.clone()));
    facts.insert("interface".into(), Fact::new(app.interface.clone(), app.source.clone()));
    facts.insert("app_factory".into(), Fact::new(app.factory, app.source.clone()));
    facts.insert("app_dir".into(), Fact::new(app.dir.clone(), app.source.clone()));
    let mut warnings = Vec::new();
    match server::depended_on(dependencies, locked, &app.interface, &app.framework) {
        Some((name, source, note)) => {
            let known = knowledge().server.iter().find(|s| s.name == name);
            let port = known.map_or(8000, |s| s.port);
            let fact = Fact::new(name.clone(), source.clone());
            let note = note.or_else(|| {
                let own = known.filter(|s| s.is_development())?;
                let command = match &own.script {
                    Some(script) => format!("python {script}"),
                    None => name.clone(),
                };
                warnings.push(format!(
                    "{}: the project depends on no production server, so the image runs {}'s own development \
                     server (`{command} {}`) on all interfaces: add gunicorn or waitress to the dependencies and pass \
                     --set server=NAME for production",
                    app.spec(),
                    app.framework,
                    own.subcommand.as_deref().unwrap_or_default()
                ));
                Some(format!("{}'s own development server: the project depends on no production server", app.framework))
            });
            facts.insert("server".into(), note.map_or(fact.clone(), |n| fact.with_note(n)));
            let configured = (name == "gunicorn").then(|| server::gunicorn_config_port(root, &[])).flatten();
            let port = match (&configured, &app.port) {
                (Some((port, at)), _) => {
                    Fact::new(*port, at.clone()).with_note("the bind of gunicorn's configuration file")
                }
                (None, Some((port, at))) => Fact::new(*port, at.clone())
                    .with_note(format!("the port its module runs it on; {name} is started on it")),
                (None, None) => {
                    Fact::new(port, source).with_note(format!("{name}'s default port, which the image passes it"))
                }
            };
            facts.insert("port".into(), port);
        }
        None => warnings.push(format!(
            "{} is {} app, but the project depends on no production server for it ({}): add one to its \
             dependencies and pass --set server=NAME",
            app.spec(),
            if app.interface == "asgi" { "an ASGI" } else { "a WSGI" },
            if app.interface == "asgi" { "uvicorn, hypercorn, granian" } else { "gunicorn, waitress, granian" }
        )),
    }
    if app.framework == "django" {
        django_facts(root, app, &mut facts);
    }
    let mut notes = Vec::new();
    if app.dir != "." {
        notes.push(format!(
            "{}: its modules import from {}/, which the image puts on PYTHONPATH",
            app.source, app.dir
        ));
    }
    ChoiceOption {
        value: app.spec(),
        source: app.source.clone(),
        facts,
        why: Vec::new(),
        warnings,
        notes,
    }
}

/// Django collects its static files at build time when the settings assign `STATIC_ROOT`; the secrets the
/// settings read without a default get placeholders for that step only and are named for run time.
fn django_facts(root: &Path, app: &AppObject, facts: &mut Facts) {
    let mut static_root = None;
    let mut sqlite = None;
    let mut server_database = false;
    let mut required: Vec<String> = Vec::new();
    let mut build_only: Vec<(String, String)> = Vec::new();
    let mut first_read = None;
    // The build's manage.py steps load the settings the served app loads, not manage.py's development default.
    let served = served_settings(root, app);
    if let Some((settings, _)) = &served {
        build_only.push(("DJANGO_SETTINGS_MODULE".to_string(), settings.clone()));
    }
    for file in django_settings_files(root, app) {
        let Some(text) = read_small_text(&root.join(&file)) else { continue };
        if sqlite.is_none() {
            sqlite = sqlite_database_line(&text).map(|line| format!("{file}:{line}"));
        }
        server_database |= SERVER_BACKENDS.iter().any(|backend| text.contains(backend));
        let summary = summarise(&text, &|name| matches!(name, "get" | "getenv" | "env" | "config"));
        if static_root.is_none() {
            static_root = summary
                .assigned
                .iter()
                .find(|(name, _)| name == "STATIC_ROOT")
                .map(|(_, line)| format!("{file}:{line}"));
        }
        // Read with no default (`config("DB_NAME")`, `config("DB_PORT", cast=int)`, `os.environ["KEY"]`): importing
        // the settings fails without them, so the build's manage.py steps get a placeholder, one that survives a
        // cast where the read casts.
        let without_default = summary
            .calls
            .iter()
            .filter(|call| {
                let reads = call.callee.ends_with("environ.get")
                    || call.callee.ends_with("getenv")
                    || call.callee == "env"
                    || call.callee == "config";
                reads && call.args.len() == 1 && call.keyword("default").is_none()
            })
            .filter_map(|call| {
                let name = call.args.first().and_then(Literal::as_str)?;
                Some((name.to_string(), call.keyword("cast").is_some()))
            })
            .chain(summary.environ_subscripts.iter().map(|(name, _)| (name.clone(), false)));
        for (name, cast) in without_default {
            if build_only.iter().any(|(known, _)| *known == name) {
                continue;
            }
            first_read.get_or_insert_with(|| file.clone());
            if crate::validate::looks_secret(&name) {
                required.push(name.clone());
            }
            let value = build_placeholder(&name, cast);
            build_only.push((name, value.to_string()));
        }
    }
    if let Some(source) = &static_root {
        facts.insert(
            "collectstatic".into(),
            Fact::new(true, source.clone()).with_note("STATIC_ROOT is set: collectstatic runs in the build"),
        );
    }
    // A database server named anywhere (production's, beside a SQLite fallback for tests) may be the one in
    // force, and migrating it needs the server: only a SQLite-only project is migrated in the image.
    if let Some(source) = sqlite.as_ref().filter(|_| !server_database) {
        facts.insert(
            "migrate_sqlite".into(),
            Fact::new(true, source.clone()).with_note(
                "the database is a SQLite file in the image: `manage.py migrate` makes its tables at build, as the \
                 app user",
            ),
        );
    }
    let served_at = served.map(|(_, at)| at);
    let Some(settings) = first_read.or(served_at.clone()) else { return };
    // The running app is given them (`docker run -e`); the image names them, never holds them.
    if !required.is_empty() {
        facts.entry("secret_env".into()).or_insert_with(|| {
            Fact::new(json!(required), settings.clone()).with_note("secrets the settings read without a default")
        });
    }
    if static_root.is_some() || facts.contains_key("migrate_sqlite") {
        let placeholders: Vec<_> = build_only.iter().map(|(name, value)| json!({ "name": name, "value": value })).collect();
        let placeholder = "read by the settings without a default: given a placeholder for the build's manage.py steps only";
        let note = match served_at {
            Some(at) => format!("{placeholder}; DJANGO_SETTINGS_MODULE is the served app's ({at}), which manage.py's default is not"),
            None => placeholder.to_string(),
        };
        facts.insert("build_only_env".into(), Fact::new(json!(placeholders), settings).with_note(note));
    }
}

/// The settings module the served app's own module sets (`os.environ.setdefault("DJANGO_SETTINGS_MODULE",
/// "core.settings.production")` in core/wsgi.py) when manage.py defaults to another (`core.settings.development`,
/// whose apps may be development dependencies the image does not install), with that line.
fn served_settings(root: &Path, app: &AppObject) -> Option<(String, String)> {
    let setting = |rel: &str| {
        let text = read_small_text(&root.join(rel))?;
        let summary = summarise(&text, &|name| name == "setdefault");
        summary.calls.iter().find_map(|call| {
            (call.args.first().and_then(Literal::as_str) == Some("DJANGO_SETTINGS_MODULE"))
                .then(|| Some((call.args.get(1)?.as_str()?.to_string(), format!("{rel}:{}", call.line))))?
        })
    };
    let served_file = crate::detect::join_rel(&app.dir, &format!("{}.py", app.module.replace('.', "/")));
    let (served, at) = setting(&served_file)?;
    let (managed, _) = setting(&crate::detect::join_rel(&app.dir, "manage.py"))?;
    (served != managed).then_some((served, at))
}

/// A value for a setting read with no default, given only to the build's manage.py steps: one the settings can
/// parse as they import (a cast read, a port or count read through `int()`, a database URL parsed by
/// dj-database-url, a service URL), never used to reach anything.
fn build_placeholder(name: &str, cast: bool) -> &'static str {
    let upper = name.to_ascii_uppercase();
    let numeric = ["PORT", "TIMEOUT", "WORKERS", "SIZE", "LIMIT", "TTL"];
    if cast || numeric.iter().any(|word| upper.ends_with(word)) {
        "1"
    } else if upper.contains("DATABASE_URL") || upper.ends_with("DB_URL") {
        "sqlite:////tmp/build-only.sqlite3"
    } else if upper.contains("REDIS") && (upper.ends_with("_URL") || upper.ends_with("_URI")) {
        "redis://localhost:6379/0"
    } else if upper.ends_with("_URL") || upper.ends_with("_URI") {
        "http://localhost/"
    } else if upper.contains("DEBUG") {
        "False"
    } else {
        "build-only"
    }
}

/// Django database backends that talk to a server.
const SERVER_BACKENDS: &[&str] = &[
    "backends.postgresql",
    "backends.mysql",
    "backends.oracle",
    "gis.db.backends.postgis",
    "gis.db.backends.mysql",
    "mssql",
    "django_cockroachdb",
    "djongo",
    "postgres://",
    "postgresql://",
    "mysql://",
];

/// The line where Django settings keep the database in a `SQLite` file: the `sqlite3` backend, or a
/// `sqlite:///` URL a database-URL helper falls back to (`dj_database_url.config(default=...)`).
fn sqlite_database_line(text: &str) -> Option<usize> {
    runtime::code_line(text, &|code| {
        code.contains(runtime::DJANGO_SQLITE_ENGINE) || code.contains("\"sqlite:///") || code.contains("'sqlite:///")
    })
}

/// The settings modules of a Django project, from its application's package (`mysite.wsgi` → `mysite/`):
/// `settings.py`, or every module of a `settings/` package (`base.py`, `production.py`), sorted.
fn django_settings_files(root: &Path, app: &AppObject) -> Vec<String> {
    let package = app.module.rsplit_once('.').map_or(app.module.as_str(), |(package, _)| package);
    let folder = crate::detect::join_rel(&app.dir, &package.replace('.', "/"));
    let single = format!("{folder}/settings.py");
    if root.join(&single).is_file() {
        return vec![single];
    }
    let Ok(entries) = std::fs::read_dir(root.join(&folder).join("settings")) else {
        return Vec::new();
    };
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|name| Path::new(name).extension().is_some_and(|ext| ext == "py"))
        .map(|name| format!("{folder}/settings/{name}"))
        .collect();
    files.sort();
    files
}

/// One app is taken; several are a choice, with a default when one ranks above the rest.
fn choose(candidate: &mut Candidate, ranks: &[u8], mut options: Vec<ChoiceOption>) {
    if options.len() == 1 {
        let only = options.remove(0);
        candidate
            .facts
            .insert("app".into(), Fact::new(only.value.clone(), only.source.clone()).sole());
        candidate.facts.extend(only.facts);
        candidate.warnings.extend(only.warnings);
        candidate.notes.extend(only.notes);
        return;
    }
    let best = ranks[0];
    let tied = ranks[1..].contains(&best);
    let default = (!tied).then(|| options[0].value.clone());
    candidate.choices.push(Choice {
        key: "app".into(),
        options,
        default,
        alternative: None,
    });
}

/// The program as the project's deployment files start it (`python -m src.bot`): its command, and no port
/// unless those files publish one.
/// A script the project starts itself outranks a framework's development server, never a production one unless
/// the script runs a production server itself (`uvicorn.run(app, …)` after its own setup: what it does before
/// serving is the program's): put first, ranked 0.
fn script_over_apps(
    root: &Path,
    script: Option<&(Vec<String>, String, String)>,
    options: &mut Vec<ChoiceOption>,
    ranks: &mut Vec<u8>,
) {
    let Some(script) = script else { return };
    let production = |o: &ChoiceOption| o.facts.get("server").and_then(|s| s.value.as_str()).is_some_and(|s| !server::is_development(s));
    let serving = runs_a_production_server(root, &script.1);
    if serving.is_some() || !options.iter().any(production) {
        let mut option = script_option(script);
        // Its run call's port, when the code says it (`port = os.environ.get('PORT') or 4000`). The variable is
        // left unset: a value read from the environment is text, which a run call given it as it is (no `int()`)
        // cannot bind.
        if let Some((port, at)) = serving.and_then(|serves| serves.port) {
            option.facts.insert("port".into(), Fact::new(port, at).with_note("the port its run call passes"));
        }
        options.insert(0, option);
        *ranks = std::iter::once(0).chain(ranks.iter().map(|r| r + 1)).collect();
    }
}

/// Whether the file or module a script command runs (`web.py`, `app.main`) starts a production server itself:
/// a call of one's own run function (`uvicorn.run(app, …)`, `waitress.serve(app, …)`); with the port that call
/// passes, when it can be read.
fn runs_a_production_server(root: &Path, target: &str) -> Option<ServesItself> {
    let file = if Path::new(target).extension().is_some_and(|e| e.eq_ignore_ascii_case("py")) {
        target.to_string()
    } else {
        format!("{}.py", target.replace('.', "/"))
    };
    let text = crate::detect::read_small_text(&root.join(&file))?;
    let summary = source::summarise(&text, &|name| matches!(name, "run" | "serve"));
    let serves = summary.calls.iter().any(|call| {
        call.callee.split_once('.').is_some_and(|(module, _)| {
            knowledge().server.iter().any(|known| known.name == module && !known.is_development())
        })
    });
    serves.then(|| ServesItself { port: programs::run_call_port(root, &file, &summary) })
}

/// A script that runs a production server itself, and the port its run call passes with where, when readable.
struct ServesItself {
    port: Option<(u16, String)>,
}

fn script_option((command, target, source): &(Vec<String>, String, String)) -> ChoiceOption {
    let mut facts = Facts::new();
    facts.insert("app_dir".into(), Fact::new(".", source.clone()));
    facts.insert(
        "start_command".into(),
        Fact::new(command.join(" "), source.clone()).with_note("the project's own start command runs the program itself"),
    );
    facts.insert(
        "port".into(),
        Fact::new(Value::Null, source.clone()).with_note("the start command serves no port the deployment files name"),
    );
    ChoiceOption {
        value: target.clone(),
        source: source.clone(),
        facts,
        why: vec![format!("started by {source}")],
        warnings: Vec::new(),
        notes: Vec::new(),
    }
}

/// No app object: a console script is a command-line program (no port); anything else is refused with what
/// would settle it.
fn no_app(manifests: &Manifests, server: Option<String>, mut candidate: Candidate) -> Candidate {
    if let Some((name, target, source)) = manifests.scripts.first() {
        candidate.facts.insert(
            "start_command".into(),
            Fact::new(name.clone(), source.clone()).with_note(format!("the console script running {target}")),
        );
        candidate.facts.insert(
            "port".into(),
            Fact::new(Value::Null, source.clone()).with_note("a command-line program: no web framework app found"),
        );
        workspace_package(&manifests.workspace, source, &mut candidate.facts);
        return candidate;
    }
    let frameworks: Vec<&str> = knowledge()
        .framework
        .iter()
        .filter(|fw| manifests.dependencies.iter().any(|d| d.name == fw.package))
        .map(|fw| fw.name.as_str())
        .collect();
    let found = if frameworks.is_empty() {
        "no web framework among its dependencies".to_string()
    } else {
        format!("depends on {} but no application object was found", frameworks.join(", "))
    };
    let server = server.map_or(String::new(), |s| format!(" (its start command runs {s})"));
    // The start command is then the answer the image needs: asked at a terminal, refused under --yes unless given.
    candidate.warnings.push(format!(
        "{}: {found}{server}, and nothing in the repository starts the program: pass --set start_command=\"python \
         -m PACKAGE\" (or the server's command, e.g. \"gunicorn --bind 0.0.0.0:8000 app.main:app\")",
        manifests.manager_source
    ));
    candidate.facts.insert(
        "needs_start".into(),
        Fact::new(true, manifests.manager_source.clone()).with_note(found),
    );
    candidate.facts.insert(
        "port".into(),
        Fact::new(Value::Null, manifests.manager_source.clone())
            .with_note("nothing says the program listens: pass --port N with a start command that serves"),
    );
    candidate
}

/// In a uv workspace, the member that holds the program is the package the image installs (with the members
/// it depends on); a program in the root project needs no name.
fn workspace_package(members: &[workspace::Member], evidence: &str, facts: &mut Facts) {
    if let Some(member) = workspace::member_of(members, evidence) {
        facts.insert(
            "workspace_package".into(),
            Fact::new(member.name.clone(), member.source.clone()).with_note(format!(
                "the uv workspace member {}/ holds it: uv sync --package {} installs it and the members it depends on",
                member.dir, member.name
            )),
        );
    }
}

/// The listen host's variable the code reads with a loopback default: the image sets it to every interface
/// (a server the program starts itself binds what the variable says).
fn bind_variable(run_time: &runtime::RunTime, facts: &mut Facts) {
    if let Some((name, at)) = run_time.host_variables.first() {
        facts.entry("bind_env".into()).or_insert_with(|| {
            Fact::new(name.clone(), at.clone()).with_note(crate::detect::BIND_ENV_NOTE)
        });
    }
}

/// The backing services the app talks to (its client libraries, the variables its code reads), for compose.yaml.
fn record_services(root: &Path, dependencies: &[Dependency], run_time: &runtime::RunTime, facts: &mut Facts) {
    services::env_reads(run_time.env_reads.clone(), facts);
    // An extra named after a client library brings it (`celery[redis]` installs redis).
    let clues = dependencies
        .iter()
        .flat_map(|d| std::iter::once(&d.name).chain(&d.extras).map(move |name| (name, &d.source)))
        .filter_map(|(name, source)| services::Clue::library("pypi", name, source))
        .collect();
    services::record(root, ".", clues, facts);
}

/// Flask keeps what an app writes at run time in its instance folder, `instance/` beside the app: a database
/// Flask-SQLAlchemy opens by a relative `sqlite:///` URL, files the code puts under `app.instance_path`.
fn flask_instance_folder(apps: &[AppObject], dependencies: &[Dependency], run_time: &mut runtime::RunTime) {
    if apps.first().is_none_or(|app| app.framework != "flask") {
        return;
    }
    let sqlalchemy = dependencies.iter().find(|d| d.name == "flask-sqlalchemy").map(|d| d.source.clone());
    let Some(source) = run_time.instance_folder.clone().or(sqlalchemy) else { return };
    // Relative SQLite files are the instance folder's under Flask-SQLAlchemy, not the working directory's.
    if !run_time.written.iter().any(|(dir, _)| dir == "instance") {
        run_time.written.push(("instance".to_string(), source));
    }
}

/// The folders gunicorn's configuration writes its log files into (`accesslog = "logs/access.log"`): the one the
/// project's start command names, or the one gunicorn reads by itself when the project depends on it and starts no
/// other server.
fn gunicorn_log_folders(
    root: &Path,
    started: Option<&(server::Started, String)>,
    dependencies: &[Dependency],
    run_time: &mut runtime::RunTime,
) {
    let files = match started {
        Some((started, _)) if started.server == "gunicorn" => server::gunicorn_log_files(root, &started.options),
        None if dependencies.iter().any(|d| d.name == "gunicorn") => server::gunicorn_log_files(root, &[]),
        _ => return,
    };
    for (file, source) in files {
        let Some(folder) = runtime::folder_of(&file) else { continue };
        if !run_time.written.iter().any(|(dir, _)| *dir == folder) {
            run_time.written.push((folder, source));
        }
    }
}

/// The folders the program writes, handed to the app user by the image: those that hold the project's modules
/// (a `SQLite` file beside the code) only as folders (`written_code_dirs`), so the code stays root's.
fn written_dirs(root: &Path, app_dir: &str, run_time: &runtime::RunTime, candidate: &mut Candidate) {
    let written = &run_time.written;
    let Some((_, first)) = written.first() else { return };
    let dirs: Vec<&str> = written.iter().map(|(dir, _)| dir.as_str()).collect();
    let sources: Vec<String> = written.iter().map(|(dir, source)| format!("{dir} ({source})")).collect();
    candidate.facts.insert(
        "written_dirs".into(),
        Fact::new(json!(dirs), first.clone()).with_note(format!("the program writes there: {}", sources.join(", "))),
    );
    let holds_code = |dir: &str| {
        std::fs::read_dir(root.join(dir)).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("py")))
        })
    };
    // A file the repository holds and the program writes (a committed `SQLite` database) ships root-owned with
    // the code: it is handed over too.
    // (One in a written folder is the app user's with it, unless the folder holds code: handed over alone.)
    let handed_with_folder = |file: &str| {
        let folder = file.rsplit_once('/').map_or(".", |(folder, _)| folder);
        folder != "." && dirs.contains(&folder) && !holds_code(folder)
    };
    // A SQLite database the repository holds in a folder the program writes (Django's committed db.sqlite3) is
    // the one it opens there.
    let databases = committed_databases(&root.join(app_dir), written);
    let held: Vec<&(String, String)> = run_time
        .written_files
        .iter()
        .filter(|(file, _)| (root.join(app_dir).join(file).is_file() || root.join(file).is_file()) && !handed_with_folder(file))
        .chain(databases.iter().filter(|(file, _)| !handed_with_folder(file) && !run_time.written_files.iter().any(|(f, _)| f == file)))
        // One the project's .dockerignore keeps out is not in the image: the program makes it in its folder.
        .filter(|(file, _)| !crate::detect::kept_out_of_build(root, &crate::detect::join_rel(app_dir, file)))
        .collect();
    if let Some((_, source)) = held.first() {
        let files: Vec<&str> = held.iter().map(|(file, _)| file.as_str()).collect();
        let sources: Vec<String> = held.iter().map(|(file, source)| format!("{file} ({source})")).collect();
        candidate.facts.insert(
            "written_files".into(),
            Fact::new(json!(files), source.clone())
                .with_note(format!("files of the repository the program writes: {}", sources.join(", "))),
        );
    }
    let code_dirs: Vec<&str> = dirs.iter().copied().filter(|dir| *dir != "." && !dir.starts_with('/') && holds_code(dir)).collect();
    if !code_dirs.is_empty() {
        candidate.facts.insert(
            "written_code_dirs".into(),
            Fact::new(json!(code_dirs), first.clone()).with_note("they hold the program's modules: handed over as folders only"),
        );
    }
}

/// The `SQLite` files the repository holds directly in the folders the program writes (relative to `app`), each
/// with the line that writes its folder.
fn committed_databases(app: &Path, written: &[(String, String)]) -> Vec<(String, String)> {
    const EXTENSIONS: &[&str] = &["sqlite3", "sqlite", "db"];
    let mut found = Vec::new();
    for (dir, source) in written.iter().filter(|(dir, _)| !dir.starts_with('/')) {
        let Ok(entries) = std::fs::read_dir(app.join(dir)) else { continue };
        let mut files: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| std::path::Path::new(name).extension().is_some_and(|x| EXTENSIONS.iter().any(|e| x.eq_ignore_ascii_case(e))))
            .collect();
        files.sort();
        for name in files {
            let file = if dir == "." { name } else { format!("{dir}/{name}") };
            found.push((file, source.clone()));
        }
    }
    found
}

/// The only module with a `__main__` guard, when the project has no app object, no program its framework runs
/// and nothing that starts it: the one candidate there is, run as it imports (`python bot.py` at the root,
/// `python -m src.bot` inside a package), said with its evidence. A module in a folder that is no package is
/// left to the user: run as a file or as a module, its imports resolve differently.
fn only_program_module(
    root: &Path,
    run_time: &runtime::RunTime,
    apps: &[AppObject],
    programs: &[programs::Found],
    candidate: &mut Candidate,
) -> Option<(Vec<String>, String, String)> {
    let [(module, line)] = run_time.main_guards.as_slice() else { return None };
    if !apps.is_empty() || !programs.is_empty() || module.contains(char::is_whitespace) {
        return None;
    }
    let command = match module.rsplit_once('/') {
        None => vec!["python".to_string(), module.clone()],
        Some((folder, _)) => {
            let mut dir = Some(folder);
            while let Some(here) = dir {
                if !root.join(here).join("__init__.py").is_file() {
                    return None;
                }
                dir = here.rsplit_once('/').map(|(parent, _)| parent);
            }
            let dotted = module.strip_suffix(".py")?.replace('/', ".");
            vec!["python".to_string(), "-m".to_string(), dotted]
        }
    };
    let source = format!("{module}:{line}");
    candidate.notes.push(format!(
        "{source}: {module} is the only module that runs as a program (`if __name__ == \"__main__\":`, or a \
         top-level `asyncio.run(main())`), and nothing else starts one: the image runs `{}`; --set start_command=COMMAND runs another",
        command.join(" ")
    ));
    let target = command.last().cloned().unwrap_or_default();
    Some((command, target, source))
}

/// The front-end the app serves: a folder it serves (`StaticFiles(directory=…)`, `static_folder`) that a
/// package.json of the repository builds (its output folder) and the repository does not hold (a gitignored
/// `frontend/dist`), built in a stage of its own and copied where the app reads it.
fn served_frontend(root: &Path, run_time: &runtime::RunTime, candidate: &mut Candidate) {
    for (folder, source) in &run_time.served {
        match frontend::served(root, folder, source) {
            Ok(None) => continue,
            Ok(Some(served)) => {
                for (key, fact) in served.facts {
                    candidate.facts.insert(key.into(), fact);
                }
                candidate.notes.push(served.note);
            }
            Err(warning) => candidate.warnings.push(warning),
        }
        return;
    }
}

/// A warning when the server the image starts (the project's start command's, `gunicorn`) is installed by
/// nothing: no dependency, no framework extra, no lock entry, no package the project's Dockerfile named.
fn uninstalled_server(dependencies: &[Dependency], locked: Option<(&str, &[Locked])>, facts: &Facts) -> Option<String> {
    let fact = facts.get("server")?;
    let name = fact.value.as_str()?;
    let mut installed = dependencies.to_vec();
    installed.extend(pip_packages(facts));
    (!server::installed(&installed, locked, name)).then(|| {
        format!(
            "{}: the image starts {name}, which no dependency installs: add it to the dependencies (or pass \
             --set start_command=COMMAND)",
            fact.source
        )
    })
}

/// The packages the project's Dockerfile installed by name (`pip_packages`), read as requirements.
fn pip_packages(facts: &Facts) -> Vec<Dependency> {
    let Some(fact) = facts.get("pip_packages") else { return Vec::new() };
    let specs = fact.value.as_array().into_iter().flatten().filter_map(serde_json::Value::as_str);
    specs.filter_map(|spec| requirements::pep508(spec, &fact.source)).collect()
}

/// Keeps, of the packages the project's Dockerfile installed by name (`pip_packages`), those its dependencies
/// do not already install: the server it starts with (`pip install gunicorn`), a driver.
fn undeclared_pip_packages(dependencies: &[Dependency], facts: &mut Facts) {
    let Some(fact) = facts.get_mut("pip_packages") else { return };
    if let Some(specs) = fact.value.as_array_mut() {
        specs.retain(|spec| {
            let declared = spec.as_str().and_then(|spec| requirements::pep508(spec, "")).map(|d| d.name);
            declared.is_none_or(|name| !dependencies.iter().any(|d| d.name == name))
        });
        if specs.is_empty() {
            facts.shift_remove("pip_packages");
        }
    }
}

/// The programs the code starts, and those its dependencies start (pydub runs ffmpeg), as `runtime_programs`.
fn started_programs(dependencies: &[Dependency], run_time: &runtime::RunTime, facts: &mut Facts) {
    let mut found = run_time.programs.clone();
    for starts in &knowledge().starts {
        let Some(dependency) = dependencies.iter().find(|d| d.name == starts.package) else {
            continue;
        };
        // A package the code neither imports nor runs (one more line of a frozen environment) starts nothing;
        // a scan cut short cannot tell.
        let used = run_time.cut.is_some()
            || run_time.imported.contains(&starts.module)
            || run_time.programs.iter().any(|(program, _)| *program == starts.package);
        if !used {
            continue;
        }
        for program in &starts.programs {
            if !found.iter().any(|(known, _)| known == program) {
                found.push((program.clone(), format!("{} ({})", dependency.source, dependency.name)));
            }
        }
    }
    crate::detect::runtime_programs(found.iter().map(|(program, at)| (program, at)), facts);
}

/// The Debian packages the slim runtime needs for dependencies that load a system library.
fn runtime_packages(dependencies: &[Dependency], facts: &mut Facts) {
    let mut packages: Vec<String> = Vec::new();
    let mut first_source = None;
    for native in &knowledge().native {
        let Some(dependency) = dependencies.iter().find(|d| d.name == native.package) else {
            continue;
        };
        if dependency.extras.iter().any(|e| native.unless_extras.contains(e)) {
            continue;
        }
        first_source.get_or_insert_with(|| dependency.source.clone());
        for package in &native.runtime {
            if !packages.contains(package) {
                packages.push(package.clone());
            }
        }
    }
    if let Some(source) = first_source {
        facts.insert("system_libraries".into(), Fact::new(true, source.clone()));
        facts.insert(
            "runtime_packages".into(),
            Fact::new(json!(packages), source).with_note("system libraries the dependencies load at run time"),
        );
    }
}

/// Whether the dependencies install on Alpine's musl libc from wheels (the python-alpine preset refuses when
/// not), checked for the project's line or, when it names none, the default line.
fn musl_facts(locked: Option<(&str, &[Locked])>, dependencies: &[Dependency], facts: &mut Facts) {
    let line = facts
        .get("python_version")
        .and_then(|f| f.value.as_str().map(String::from))
        .unwrap_or_else(|| crate::knowledge::python::lines().default_line.clone());
    let Some(minor) = line.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()) else { return };
    if let Some((why, source)) = wheels::musl_blockers(locked, dependencies, minor) {
        facts.insert("no_musl_wheels".into(), Fact::new(true, source).with_note(why));
    }
}

/// A Python module's reader on arbitrary text, for the fuzz target.
fn fuzz_source(text: &str) -> usize {
    let summary = summarise(text, &|_| true);
    summary.imports.len() + summary.assignments.len() + summary.functions.len() + summary.calls.len()
}
