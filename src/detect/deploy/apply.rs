//! Applies the contract the deployment files describe to each stack's programs: the one whose start the
//! command runs (or the only one of its folder) takes the ports, arguments, runtime options, environment,
//! volumes, WORKDIR and health check, as facts with their evidence. How a command starts a program is each
//! stack's own question (`Starts`), answered in its `contract.rs`.

use std::path::Path;

use serde_json::{json, Value};

use super::build_steps::BuiltFrontend;
use super::record::{Runtime, Sourced};
use crate::detect::{frontend, join_rel, Fact, Facts};

/// Where the images of the stacks that do not take the old WORKDIR put the app (their templates' `WORKDIR /app`).
const APP_ROOT: &str = "/app";

/// The last part of a path (`/usr/local/bin/api` → `api`): how a command names its program.
pub(crate) fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// One program the deployment files may describe: the folder it is built from (relative to the repository),
/// its facts, and the warnings said when it is the one built.
pub(crate) struct Program<'a> {
    pub(crate) dir: String,
    pub(crate) facts: &'a mut Facts,
    pub(crate) warnings: &'a mut Vec<String>,
    /// Names the program may be published under (its binary, artifact or package name), which a Kubernetes
    /// container or image names.
    pub(crate) names: Vec<String>,
    /// Whether the image can start the program from the deployment files' WORKDIR (a single binary can; a
    /// jar or a Node app runs from the folder the new image puts it in).
    pub(crate) takes_workdir: bool,
    /// Variables the image sets itself (`NODE_ENV`), whatever the deployment files say.
    pub(crate) own_env: &'static [&'static str],
    /// Whether the stack's image builds a front-end stage (`frontend`) that copies into the app.
    pub(crate) builds_frontend: bool,
    /// Whether the stack's image can run the project's Python scripts the old Dockerfile ran (`build_scripts`).
    pub(crate) runs_python_scripts: bool,
    /// Which steps a start runs before the program the image keeps at its own start (`start_steps`: a Python
    /// image's migrations); the others are said.
    pub(crate) kept_at_start: fn(&str) -> bool,
}

/// How a command starts a program: how many of its words do (`["/usr/local/bin/api"]` → 1, `["java",
/// "-Xmx512m", "-jar", "app.jar"]` → 4; the words after them are its arguments) and the runtime's own options
/// among them (`-Xmx512m`), which the new image passes through the runtime's variable (`JAVA_TOOL_OPTIONS`,
/// `NODE_OPTIONS`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Start {
    pub(crate) words: usize,
    pub(crate) options: Vec<String>,
}

impl Start {
    pub(crate) fn words(words: usize) -> Self {
        Start {
            words,
            options: Vec::new(),
        }
    }
}

/// How a command starts the program these facts describe; None: it runs something else.
pub(crate) type Starts<'a> = &'a dyn Fn(&Facts, &[String]) -> Option<Start>;

/// Applies the contract of each folder's deployment files to the programs whose start their command runs,
/// or to the only program of the folder when they name no command. `shown` names a repository file as the
/// user sees it. Returns one note per folder saying what was carried over.
pub(crate) fn apply_to_programs(
    root: &Path,
    programs: &mut [Program],
    starts: Starts,
    shown: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    for program in programs.iter() {
        if !dirs.contains(&program.dir) {
            dirs.push(program.dir.clone());
        }
    }
    let mut summaries: Vec<(Vec<String>, String)> = Vec::new();
    for dir in dirs {
        let mut runtime = {
            let here: Vec<&Program> = programs.iter().filter(|p| p.dir == dir).collect();
            let names: Vec<String> = here.iter().flat_map(|p| p.names.clone()).collect();
            // A command run from another folder names its files from there: not this folder's program.
            super::read(root, &dir, &names, &|words, run_dir| {
                run_dir.is_none() && here.iter().any(|p| starts(p.facts, words).is_some())
            })
        };
        if runtime.is_empty() {
            continue;
        }
        runtime.relabel(shown);
        if !programs.iter().any(|p| p.dir == dir && p.takes_workdir) {
            if dir == "." {
                runtime.reroot_workdir(APP_ROOT);
            }
            runtime.workdir = None;
        }
        let single = programs.iter().filter(|p| p.dir == dir).count() == 1;
        let mut applied: Option<Runtime> = None;
        for program in programs.iter_mut().filter(|p| p.dir == dir) {
            let start = runtime
                .command
                .as_ref()
                .and_then(|(words, _)| starts(program.facts, words));
            if start.is_some() || single && runtime.command.is_none() {
                record_links(&runtime, program.facts);
                let carried = apply(root, &runtime, start.as_ref(), program, starts);
                if applied.is_none() && !carried.is_empty() {
                    applied = Some(carried);
                }
            }
        }
        if let Some(summary) = applied.as_ref().and_then(Runtime::summary) {
            // The root's files often run every module alike: one note names them all.
            match summaries.iter_mut().find(|(_, s)| *s == summary) {
                Some((dirs, _)) => dirs.push(dir),
                None => summaries.push((vec![dir], summary)),
            }
        }
    }
    summaries
        .into_iter()
        .map(|(dirs, summary)| {
            if dirs == ["."] {
                summary
            } else {
                format!("{}: {summary}", dirs.join(", "))
            }
        })
        .collect()
}

/// `compose_service`: the name of the app's service in the project's compose file, and `compose_links`: the
/// compose services it talks to, for compose.yaml.
fn record_links(runtime: &Runtime, facts: &mut Facts) {
    if let Some((name, file)) = &runtime.service_name {
        facts.insert("compose_service".into(), Fact::new(name.clone(), file.clone()));
    }
    let Some((_, first)) = runtime.links.first() else {
        return;
    };
    let links: Vec<Value> = runtime
        .links
        .iter()
        .map(|(link, source)| {
            let (variable, url) = link.variable.clone().unzip();
            json!({ "image": link.image, "variable": variable, "url": url, "source": source })
        })
        .collect();
    facts.insert(
        "compose_links".into(),
        Fact::new(json!(links), first.clone()).with_note("the compose services the app's service talks to"),
    );
}

/// The contract as facts of a program: `port`/`extra_ports` (replacing what the code suggested, which the
/// note keeps), `args` and `runtime_options` (the command's words after its start and the runtime's options in
/// it, when the command runs this program), `runtime_env`, `secret_env`, `volumes`, `workdir` and
/// `healthcheck` (when it runs the program itself). Returns what was carried over, for the note: the command
/// only when its arguments or options were, no variable the image sets itself.
fn apply(root: &Path, runtime: &Runtime, start: Option<&Start>, program: &mut Program, starts: Starts) -> Runtime {
    let mut carried = carried_part(runtime);
    let facts = &mut *program.facts;
    let mut ports = runtime.ports.clone();
    // `PORT=8080` in the environment is the port when nothing publishes one (a Procfile, a compose service
    // without `ports`).
    let port_variable = runtime
        .env
        .iter()
        .find(|((name, _), _)| name == "PORT")
        .and_then(|((_, value), source)| Some((value.parse::<u16>().ok().filter(|p| *p > 0)?, source.clone())));
    if ports.is_empty() {
        ports.extend(port_variable.clone());
    }
    prefer_the_agreeing_port(&mut ports, &runtime.other_ports, facts, program.warnings);
    keep_listening_nowhere(&mut ports, facts, program.warnings);
    keep_fixed_port(&mut ports, facts, program.warnings);
    apply_ports(&ports, facts);
    carried.ports.clone_from(&ports);

    if let Some((_, source)) = runtime.udp_ports.first() {
        let numbers: Vec<u16> = runtime.udp_ports.iter().map(|(p, _)| *p).collect();
        facts.insert(
            "udp_ports".into(),
            Fact::new(json!(numbers), source.clone()).with_note("UDP ports the deployment files publish"),
        );
    }
    let in_context = |path: &str| root.join(crate::detect::join_rel(&program.dir, path)).is_file();
    if !apply_command(runtime, start, facts, program.warnings, &in_context) {
        carried.command = None;
        carried.entry_args = None;
    }
    if let Some(passed) = port_from_args(facts) {
        ports.insert(0, passed);
    }
    let port = ports.first().map(|(p, _)| p.to_string());
    // The template writes PORT itself where the program reads it (the same value again would be a twin), and
    // the variables the image sets itself win.
    carried.env.retain(|((name, value), _)| {
        !(program.own_env.contains(&name.as_str()) || name == "PORT" && Some(value) == port.as_ref())
    });
    loopback_services_at_run_time(&mut carried, &ports, facts);
    let env = &carried.env;
    let mut list = |key: &str, values: Vec<Value>, sources: Vec<&str>, note: &str| {
        if !values.is_empty() {
            let mut sources = sources;
            sources.dedup();
            facts.insert(key.into(), Fact::new(json!(values), sources.join(", ")).with_note(note));
        }
    };
    list(
        "runtime_env",
        env.iter().map(|((n, v), _)| json!({ "name": n, "value": v })).collect(),
        env.iter().map(|(_, s)| s.as_str()).collect(),
        "set at run time by the deployment files",
    );
    list(
        "secret_env",
        runtime.secret_env.iter().map(|(n, _)| json!(n)).collect(),
        runtime.secret_env.iter().map(|(_, s)| s.as_str()).collect(),
        "credentials the program reads: given at run time, never written into the image",
    );
    list(
        "service_env",
        carried.service_env.iter().map(|(n, _)| json!(n)).collect(),
        carried.service_env.iter().map(|(_, s)| s.as_str()).collect(),
        "values that name another service's host (a compose service's, which resolves only inside that project, or \
         localhost, the container itself once in one): given at run time, never written into the image",
    );
    list(
        "volumes",
        runtime.volumes.iter().map(|(v, _)| json!(v)).collect(),
        runtime.volumes.iter().map(|(_, s)| s.as_str()).collect(),
        "data the program keeps",
    );
    owned_dirs(&runtime.owned_dirs, &carried.env, facts);
    if let Some((dir, source)) = &runtime.workdir {
        facts.insert(
            "workdir".into(),
            Fact::new(dir.clone(), source.clone()).with_note("the working directory the program expects"),
        );
    }
    if let Some(((options, command), source)) = &runtime.healthcheck {
        // It carries over only when it runs the program itself: the new image has no other tools.
        if let Some(start) = starts(facts, command) {
            facts.insert(
                "healthcheck".into(),
                Fact::new(
                    json!({ "options": options, "args": command[start.words..] }),
                    source.clone(),
                )
                .with_note("the health check runs the program itself"),
            );
        } else {
            carried.healthcheck = None;
            program.warnings.push(format!(
                "{source}: the HEALTHCHECK runs {}, which the new image does not have; it is not carried over",
                crate::files::excerpt(&command.join(" "))
            ));
        }
    }
    if !build_steps(root, runtime, start, program) {
        carried.frontend = None;
    }
    carried
}

/// What the old image did besides starting the program: the steps its command runs first (said), its system
/// packages and its front-end stage (carried over; false when the front-end is not).
fn build_steps(root: &Path, runtime: &Runtime, start: Option<&Start>, program: &mut Program) -> bool {
    if start.is_some() {
        say_steps_before(runtime, program.kept_at_start, program.facts, program.warnings);
    }
    system_packages(&runtime.packages, program.facts);
    say_foreign_packages(runtime, program.warnings);
    if program.runs_python_scripts {
        build_scripts(root, &runtime.script_runs, program);
        pip_packages(&runtime.pip_packages, program.facts);
    }
    runtime
        .frontend
        .as_ref()
        .is_none_or(|(built, source)| apply_frontend(root, built, source, program))
}

/// `build_scripts`: the project's scripts the old final stage ran once its code was in (`RUN python db.py`, the
/// tables a `SQLite` app reads), run in the new image too, as the app user, each said with its line.
fn build_scripts(root: &Path, runs: &[Sourced<Vec<String>>], program: &mut Program) {
    // Each a command of plain words, written as one line (`python db.py --seed`).
    let here: Vec<(String, &String)> = runs
        .iter()
        .filter(|(words, _)| {
            let script = crate::detect::join_rel(&program.dir, &words[1]);
            let plain = words.iter().all(|w| !w.is_empty() && !w.contains(char::is_whitespace));
            plain && crate::validate::context_path(&script).is_ok() && root.join(&script).is_file()
        })
        .map(|(words, source)| (words.join(" "), source))
        .collect();
    let Some((_, first)) = here.first() else { return };
    let sources: Vec<String> = here
        .iter()
        .map(|(command, source)| format!("`{command}` ({source})"))
        .collect();
    program.facts.insert(
        "build_scripts".into(),
        Fact::new(
            json!(here.iter().map(|(command, _)| command).collect::<Vec<_>>()),
            (*first).clone(),
        )
        .with_note(format!(
            "the project's Dockerfile runs {} once its code is in: the new image does too, as the app user",
            sources.join(", ")
        )),
    );
}

/// The folders the old image made its program's user own (`written_dirs`, absolute): made and handed to the app
/// user in the new image too, beside those the code shows it writes.
/// The folder of a `SQLite` database file a URL names by its absolute path: `file:/data/app.db` (Prisma),
/// `sqlite:////data/app.db` (`SQLAlchemy`, also with a driver: `sqlite+aiosqlite:`); None for a relative one, a
/// server's URL or a system folder.
fn database_folder(url: &str) -> Option<String> {
    let path = match url.split_once(':')? {
        ("file", path) => path,
        (scheme, rest) if scheme == "sqlite" || scheme.starts_with("sqlite+") => rest.strip_prefix("///")?,
        _ => return None,
    };
    let path = path.split('?').next().unwrap_or_default();
    let (folder, file) = path.rsplit_once('/')?;
    (path.starts_with('/') && !file.is_empty() && crate::validate::is_app_dir(folder)).then(|| folder.to_string())
}

/// What of the contract the note can say was carried over: not the linked services (compose.yaml's, recorded),
/// the steps run before the program (said apart) nor where the old image kept its files.
fn carried_part(runtime: &Runtime) -> Runtime {
    Runtime {
        copied_in: Vec::new(),
        folder_copies: Vec::new(),
        old_workdir: None,
        links: Vec::new(),
        service_name: None,
        steps_before: Vec::new(),
        ..runtime.clone()
    }
}

/// `written_dirs`: the folders the old final stage handed to a user, and the folder of a `SQLite` database a
/// variable names by its absolute path (`DATABASE_URL=file:/data/app.db`), where the program makes the file.
fn owned_dirs(owned: &[Sourced<String>], env: &[Sourced<(String, String)>], facts: &mut Facts) {
    let databases = env
        .iter()
        .filter_map(|((_, value), source)| Some((database_folder(value)?, source.clone())));
    let owned: Vec<Sourced<String>> = owned.iter().cloned().chain(databases).collect();
    let Some((_, first)) = owned.first() else { return };
    let fact = facts
        .entry("written_dirs".into())
        .or_insert_with(|| Fact::new(json!([]), first.clone()));
    let Some(list) = fact.value.as_array_mut() else { return };
    let mut added = Vec::new();
    for (dir, source) in &owned {
        if !list.iter().any(|known| known == dir.as_str()) {
            list.push(json!(dir));
            added.push(format!(
                "{dir} ({source}: the project's image hands it to the program's user)"
            ));
        }
    }
    if !added.is_empty() {
        let note = fact
            .note
            .take()
            .map_or_else(|| added.join(", "), |note| format!("{note}; {}", added.join(", ")));
        fact.note = Some(note);
    }
}

/// `pip_packages`: the Python packages the old image installed by name besides the project's dependencies
/// (`pip install gunicorn`), installed by the new one too.
fn pip_packages(packages: &[Sourced<String>], facts: &mut Facts) {
    let Some((_, first)) = packages.first() else { return };
    let names: Vec<&str> = packages.iter().map(|(name, _)| name.as_str()).collect();
    facts.insert(
        "pip_packages".into(),
        Fact::new(json!(names), first.clone())
            .with_note("the project's Dockerfile installs them besides the dependencies; the new one does too"),
    );
}

/// `system_packages`: the packages the old image installed for run time, each with its family and the program
/// it provides when dockgen knows it (the templates translate those for another image family).
fn system_packages(packages: &[Sourced<(String, &'static str)>], facts: &mut Facts) {
    let Some((_, first)) = packages.first() else { return };
    let values: Vec<Value> = packages
        .iter()
        .map(|((name, family), _)| {
            let program = crate::knowledge::programs::provided_by(name, family).unwrap_or_default();
            json!({ "name": name, "family": family, "program": program })
        })
        .collect();
    facts.insert(
        "system_packages".into(),
        Fact::new(json!(values), first.clone()).with_note(
            "the project's Dockerfile installs them in its image for run time; the new one does too on an image \
                 of the same family (or the package of another family for a program dockgen knows), else names them \
                 in a comment",
        ),
    );
}

/// The packages the old image installed from a source it added itself: not carried over (the new image has no such
/// source, so its install would fail the build), said with where they came from.
fn say_foreign_packages(runtime: &Runtime, warnings: &mut Vec<String>) {
    let (Some(added), Some((_, first))) = (&runtime.package_source, runtime.foreign_packages.first()) else {
        return;
    };
    let names: Vec<&str> = runtime.foreign_packages.iter().map(|(name, _)| name.as_str()).collect();
    warnings.push(format!(
        "{first} installs {} from the package source {added} adds: not carried over, since the new image has no \
         such source; add the source and the install to the runtime stage if the program needs {}",
        names.join(", "),
        if names.len() == 1 { "it" } else { "them" }
    ));
}

/// The front-end the old image built in a stage of its own, as the program's front-end stage (`frontend`)
/// where its stack's image builds one; said where it cannot. False when not carried over.
fn apply_frontend(root: &Path, built: &BuiltFrontend, source: &str, program: &mut Program) -> bool {
    // The code's own evidence (the front-end a Go binary embeds) already made the stage; a package build of the
    // app's own folder is the app's build (a Node project's), which its image runs anyway.
    if program.facts.contains_key("frontend") || !program.builds_frontend && built.dir == "." {
        return false;
    }
    let why = if program.builds_frontend {
        match frontend::node_facts(root, &join_rel(&program.dir, &built.dir)) {
            Ok(mut node) => {
                if let (false, Some((major, at))) = (node.contains_key("node_version"), &built.node_major) {
                    node.insert("node_version".into(), Fact::new(major.clone(), at.clone()));
                }
                let why = "served by the app, as the project's Dockerfile does, and";
                let script = built.script.as_deref();
                for (key, fact) in frontend::stage_facts(&built.dir, &node, script, &built.copies, source, why) {
                    program.facts.insert(key.into(), fact);
                }
                return true;
            }
            Err(why) => why,
        }
    } else {
        "this stack's image has no front-end stage yet".to_string()
    };
    program.warnings.push(format!(
        "{source}: the project's Dockerfile builds the front-end in {}/ and copies its output into the image, \
         which the new Dockerfile does not ({why}): add that stage in your lines",
        built.dir
    ));
    false
}

/// The runtime's options and the program's arguments in the command that starts it, as `runtime_options` and
/// `args`; false when there are none (the command then says nothing the new image does not do).
/// Without a command that starts the program, the arguments given to the image's own command are its arguments.
fn apply_command(
    runtime: &Runtime,
    start: Option<&Start>,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
    in_context: &dyn Fn(&str) -> bool,
) -> bool {
    let Some((_, source)) = runtime.command.as_ref().or(runtime.entry_args.as_ref()) else {
        return false;
    };
    let (options, unplain): (Vec<&String>, Vec<&String>) = start
        .iter()
        .flat_map(|start| &start.options)
        .partition(|o| crate::validate::env_value(o).is_ok());
    if let Some(first) = unplain.first() {
        warnings.push(format!(
            "{source}: the runtime option `{}` is not a plain value; it is not carried over",
            crate::files::excerpt(first)
        ));
    }
    if !options.is_empty() {
        facts.insert(
            "runtime_options".into(),
            Fact::new(json!(options), source.clone()).with_note("the runtime's options in the deployment files"),
        );
    }
    let mut args = Vec::new();
    let args_given = match start {
        Some(start) => runtime.args(start.words),
        None => runtime.entry_args.clone().filter(|_| runtime.command.is_none()),
    };
    if let Some((words, source)) = args_given {
        args = plain_args(words, &source, warnings);
        let (files, missing) = runtime.named_files(&args, in_context);
        warnings.extend(missing);
        contract_files(&files, facts);
        if !args.is_empty() {
            facts.insert(
                "args".into(),
                Fact::new(json!(args), source).with_note("the program's arguments in the deployment files"),
            );
        }
    }
    !options.is_empty() || !args.is_empty()
}

/// `contract_files`: the repository files the program's arguments name, copied where the old image had them.
fn contract_files(files: &[(String, String, String)], facts: &mut Facts) {
    let Some((_, _, first)) = files.first() else { return };
    let copies: Vec<Value> = files
        .iter()
        .map(|(from, to, _)| json!({ "from": from, "to": to }))
        .collect();
    let sources: Vec<&str> = files.iter().map(|(_, _, at)| at.as_str()).collect();
    facts.insert(
        "contract_files".into(),
        Fact::new(json!(copies), sources.join(", ")).with_note(format!(
            "the program's arguments name them, and the project's Dockerfile copied them there ({first})"
        )),
    );
}

/// `http://localhost:8080` for a service beside the developer's program: in a container, localhost is the
/// container itself, so such a value is given at run time (`service_env`) like a compose service's address.
fn loopback_services_at_run_time(carried: &mut Runtime, ports: &[Sourced<u16>], facts: &Facts) {
    let mut own_ports: Vec<u16> = ports.iter().map(|(p, _)| *p).collect();
    own_ports.extend(
        facts
            .get("port")
            .and_then(|f| f.value.as_u64())
            .and_then(|p| u16::try_from(p).ok()),
    );
    let (elsewhere, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut carried.env)
        .into_iter()
        .partition(|((_, value), _)| names_loopback_service(value, &own_ports));
    carried.env = kept;
    for ((name, _), source) in elsewhere {
        if !carried.service_env.iter().any(|(known, _)| *known == name) {
            carried.service_env.push((name, source));
        }
    }
}

/// Whether a value addresses another service on the developer's own machine: a loopback host with a port the
/// program does not serve, or with a scheme other than HTTP's (`redis://localhost`).
fn names_loopback_service(value: &str, own_ports: &[u16]) -> bool {
    let Some(host) = super::compose::host_of(value) else {
        return false;
    };
    if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
        return false;
    }
    let scheme = value.split_once("://").map(|(scheme, _)| scheme);
    let after_host = value.split_once(host).map_or("", |(_, rest)| rest);
    let port = after_host
        .strip_prefix(':')
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse::<u16>().ok());
    match (scheme, port) {
        (_, Some(port)) => !own_ports.contains(&port),
        (Some(scheme), None) => !matches!(scheme, "http" | "https"),
        (None, None) => false,
    }
}

/// Whether a command before the program is none the image needs at start: one that only prints or waits (`echo
/// "--- migrate ---"`, `sleep 5`), a shell variable set for the script's own later words (`PORT=${PORT:-8000}`,
/// not exported), or the install of the manifests' dependencies, which the image's build already ran (`pip install
/// -r requirements.txt`, `npm ci`).
fn is_no_step(step: &str) -> bool {
    let words: Vec<&str> = step.split_whitespace().collect();
    let assignment = |word: &str| {
        word.split_once('=')
            .is_some_and(|(name, _)| crate::validate::is_env_name(name))
    };
    // Only the install of what the manifests list: a package named besides (`pip install gunicorn`) may be one
    // the image lacks.
    let only_flags = |rest: &[&str]| rest.iter().all(|w| w.starts_with('-'));
    let installs = match words.as_slice() {
        ["pip" | "pip3", "install", rest @ ..] | ["python" | "python3", "-m", "pip", "install", rest @ ..] => {
            matches!(rest, ["-r", "requirements.txt"] | ["."] | ["-e", "."])
        }
        ["npm", "install" | "i" | "ci", rest @ ..] | ["yarn" | "pnpm" | "bun", "install", rest @ ..] => {
            only_flags(rest)
        }
        ["yarn"] | ["go", "mod", "download"] => true,
        _ => false,
    };
    let quiet = matches!(words.first(), Some(&("echo" | "printf" | "sleep" | "true" | ":")));
    quiet || installs || (words.len() == 1 && assignment(words[0]))
}

/// The steps a shell command runs before the program (`python manage.py migrate && gunicorn …`), said: the new
/// image's exec-form CMD starts the program alone.
///
/// Django's migrate, which the image itself runs at build when the database is a `SQLite` file in it
/// (`migrate_sqlite`), is said apart: the image's own database has its tables, one kept in a volume from an older
/// image does not get the new ones.
///
/// The steps the stack keeps (`kept_at_start`: a Python image's migrations, `flask db upgrade`) run at the image's
/// start, before the server (`start_steps`): a database in a file of the container has no other place to be migrated.
fn say_steps_before(runtime: &Runtime, kept_at_start: fn(&str) -> bool, facts: &mut Facts, warnings: &mut Vec<String>) {
    let (Some((_, source)), false) = (&runtime.command, runtime.steps_before.is_empty()) else {
        return;
    };
    let migrated_at_build = facts.contains_key("migrate_sqlite");
    let kept: Vec<String> = runtime
        .steps_before
        .iter()
        .filter(|step| kept_at_start(step))
        .filter(|step| !(migrated_at_build && step.contains("manage.py migrate")))
        .filter(|step| crate::validate::command(step).is_ok())
        // (The image's shell reads them unquoted.)
        .filter(|step| {
            step.split_whitespace()
                .all(|word| crate::validate::shell_word(word).is_ok())
        })
        .map(|step| step.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    if !kept.is_empty() {
        facts.insert(
            "start_steps".into(),
            Fact::new(json!(kept), source.clone())
                .with_note("the project's start migrates before the server: the image does too"),
        );
    }
    let (migrate, steps): (Vec<&String>, Vec<&String>) = runtime
        .steps_before
        .iter()
        .filter(|step| !is_no_step(step))
        .filter(|step| !kept.contains(&step.split_whitespace().collect::<Vec<_>>().join(" ")))
        .partition(|step| migrated_at_build && step.contains("manage.py migrate"));
    let quoted = |steps: &[&String]| -> String {
        let quoted: Vec<String> = steps
            .iter()
            .map(|s| format!("`{}`", crate::files::excerpt(s)))
            .collect();
        quoted.join(", ")
    };
    if !steps.is_empty() {
        warnings.push(format!(
            "{source}: the command runs {} before the program, which the new image's exec-form CMD does not: run \
             them where the project deploys (a release command, an init container, a job), or in your lines",
            quoted(&steps)
        ));
    }
    if !migrate.is_empty() {
        warnings.push(format!(
            "{source}: the command runs {} at every start; the new image runs it once, at build, for the SQLite \
             database it holds: a database kept in a volume from an older image does not get new migrations, so \
             run it where the project deploys when you upgrade",
            quoted(&migrate)
        ));
    }
}

/// A port the code fixes (`app.listen(5000)`, a literal the image cannot change) that the deployment files do not
/// publish: theirs belong to something else the old image ran (a proxy in front, `service nginx start && node
/// app.js`), so the program's own port is exposed and theirs are said.
fn keep_fixed_port(ports: &mut Vec<Sourced<u16>>, facts: &Facts, warnings: &mut Vec<String>) {
    let Some(fixed) = facts.get("port_fixed") else { return };
    let Some(port) = facts
        .get("port")
        .and_then(|f| f.value.as_u64())
        .and_then(|p| u16::try_from(p).ok())
    else {
        return;
    };
    let Some((_, source)) = ports.first() else { return };
    if ports.iter().any(|(p, _)| *p == port) {
        return;
    }
    let numbers: Vec<String> = ports.iter().map(|(p, _)| p.to_string()).collect();
    warnings.push(format!(
        "{source}: publishes port {}, but the program listens on {port} ({}), which the image cannot change: \
         EXPOSE {port}",
        numbers.join(" "),
        fixed.source
    ));
    ports.clear();
}

/// fly.toml's port is what `fly launch` writes for any app: it does not make a program that the code shows
/// listening nowhere (a bot) serve one. Said, and dropped.
fn keep_listening_nowhere(ports: &mut Vec<Sourced<u16>>, facts: &Facts, warnings: &mut Vec<String>) {
    let never_listens = facts.get("never_listens").is_some_and(|f| f.value == true);
    let Some((first, source)) = ports.first() else { return };
    if !never_listens || !ports.iter().all(|(_, source)| source.starts_with("fly.toml")) {
        return;
    }
    let numbers: Vec<String> = ports.iter().map(|(p, _)| p.to_string()).collect();
    warnings.push(format!(
        "{source}: publishes port {}, but nothing in the program listens: no EXPOSE (pass --port {first} if it \
         serves)",
        numbers.join(" ")
    ));
    ports.clear();
}

/// When the deployment files disagree on the port (an old Dockerfile's `EXPOSE 500`, compose's `5000:5000`) and
/// the code's port is one a lower-ranked file publishes, that port wins: two sources against one, and EXPOSE
/// only documents a port while compose maps the one the program answers on. Said, with the `--port` that
/// picks the other.
fn prefer_the_agreeing_port(
    ports: &mut Vec<Sourced<u16>>,
    others: &[Sourced<u16>],
    facts: &Facts,
    warnings: &mut Vec<String>,
) {
    let Some(code) = facts
        .get("port")
        .and_then(|f| Some((u16::try_from(f.value.as_u64()?).ok()?, f.source.clone())))
    else {
        return;
    };
    if ports.is_empty() || ports.iter().any(|(port, _)| *port == code.0) {
        return;
    }
    let Some(agreeing) = others.iter().find(|(port, _)| *port == code.0) else {
        return;
    };
    let (first, first_source) = &ports[0];
    warnings.push(format!(
        "{first_source}: the deployment files disagree on the port: this says {first}, {} publishes {}, where the \
         code listens ({}): took {}; pass --port {first} for the other",
        agreeing.1, agreeing.0, code.1, agreeing.0
    ));
    *ports = vec![agreeing.clone()];
}

/// A listen flag the program's arguments pass (`-port=3000`, `--addr :8080`) is where it listens, whatever the
/// code's default, a sample env file or an EXPOSE says: the port becomes that (what said otherwise kept in the
/// note), and a flag of the code's is not passed again. Returns the port with where the arguments are, when it
/// changed.
fn port_from_args(facts: &mut Facts) -> Option<Sourced<u16>> {
    let args = facts.get("args")?;
    let source = args.source.clone();
    let words: Vec<&str> = args.value.as_array()?.iter().filter_map(Value::as_str).collect();
    let (word, port) = words.iter().enumerate().find_map(|(at, word)| {
        let flag = word.strip_prefix("--").or_else(|| word.strip_prefix('-'))?;
        let (name, value) = match flag.split_once('=') {
            Some((name, value)) => (name, value),
            None => (flag, *words.get(at + 1)?),
        };
        if !crate::detect::configport::is_listen_flag_name(&name.to_ascii_lowercase()) {
            return None;
        }
        let port = crate::detect::configport::port_of_address(value)
            .or_else(|| crate::detect::configport::port_of_default(value))?;
        Some((word.to_string(), port))
    })?;
    // Where the deployment files already publish it, their evidence stands.
    if facts
        .get("port")
        .is_some_and(|f| f.value.as_u64() == Some(u64::from(port)))
    {
        return None;
    }
    let before = facts.get("port").filter(|f| !f.value.is_null());
    let mut note = format!("the port its arguments pass (`{word}`)");
    if let Some(before) = before {
        use std::fmt::Write as _;
        let _ = write!(note, "; {} says {}", before.source, before.value);
    }
    facts.insert("port".into(), Fact::new(port, source.clone()).with_note(note));
    // Another port asked for with these arguments kept is one the program never hears (said at init).
    facts.insert(
        "port_fixed".into(),
        Fact::new(source.clone(), source.clone()).with_note("the arguments the image passes set it"),
    );
    facts.shift_remove("port_flag");
    Some((port, source))
}

/// The ports as facts: the first is `port`, the others `extra_ports`.
fn apply_ports(ports: &[Sourced<u16>], facts: &mut Facts) {
    let Some(((first, source), rest)) = ports.split_first() else {
        return;
    };
    let mut fact = Fact::new(*first, source.clone()).with_note("the port the deployment files publish");
    if let Some(code) = facts
        .get("port")
        .filter(|f| f.value.as_u64() != Some(u64::from(*first)) && !f.value.is_null())
    {
        fact = fact.with_note(format!(
            "the port the deployment files publish; the code suggests {} ({})",
            code.value, code.source
        ));
    }
    facts.insert("port".into(), fact);
    facts.shift_remove("extra_ports");
    if !rest.is_empty() {
        let sources: Vec<&str> = rest.iter().map(|(_, s)| s.as_str()).collect();
        facts.insert(
            "extra_ports".into(),
            Fact::new(
                json!(rest.iter().map(|(p, _)| *p).collect::<Vec<_>>()),
                sources.join(", "),
            )
            .with_note("published by the deployment files too"),
        );
    }
}

/// Arguments an exec-form CMD can pass as written: a word reading a variable (`$PORT`, `--addr=:${PORT}`) only
/// means something to a shell, so it is left out — with the flag it is the value of — and said.
fn plain_args(words: Vec<String>, source: &str, warnings: &mut Vec<String>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    let mut dropped = Vec::new();
    for word in words {
        if word.contains('$') {
            if !word.starts_with('-')
                && kept
                    .last()
                    .is_some_and(|flag| flag.starts_with('-') && !flag.contains('='))
            {
                dropped.extend(kept.pop());
            }
            dropped.push(word);
        } else {
            kept.push(word);
        }
    }
    if !dropped.is_empty() {
        warnings.push(format!(
            "{source}: `{}` reads variables a shell expands, which an exec-form CMD does not: left out of CMD (the \
             port is set by dockgen; pass other values with --arg)",
            crate::files::excerpt(&dropped.join(" "))
        ));
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listen_flag_in_the_arguments_is_the_port() {
        let port_of = |args: &[&str]| {
            let mut facts = Facts::new();
            facts.insert("port".into(), Fact::new(8000, "main.go:9"));
            facts.insert("port_flag".into(), Fact::new(json!({ "name": "addr" }), "main.go:9"));
            facts.insert("args".into(), Fact::new(json!(args), "Dockerfile:9"));
            port_from_args(&mut facts).map(|(port, _)| (port, facts.contains_key("port_flag")))
        };
        assert_eq!(port_of(&["-port=3000"]), Some((3000, false)));
        assert_eq!(port_of(&["serve", "--addr", "0.0.0.0:9090"]), Some((9090, false)));
        assert_eq!(port_of(&["--db-port=5432", "--config", "x.yml"]), None);
        assert_eq!(port_of(&["--workers", "4"]), None);
    }

    #[test]
    fn steps_the_image_needs_at_start() {
        for none in [
            "echo start",
            "PORT=${PORT:-8000}",
            "pip install -r requirements.txt",
            "npm ci --omit=dev",
            "yarn",
        ] {
            assert!(is_no_step(none), "{none}");
        }
        for step in [
            "pip install gunicorn",
            "npm install pm2",
            "export PORT=8000",
            "python manage.py migrate",
        ] {
            assert!(!is_no_step(step), "{step}");
        }
    }

    #[test]
    fn the_folder_of_a_sqlite_database_a_variable_names() {
        assert_eq!(database_folder("file:/data/sqlite.db").as_deref(), Some("/data"));
        assert_eq!(
            database_folder("sqlite+aiosqlite:////var/lib/app/db.sqlite3?mode=rwc").as_deref(),
            Some("/var/lib/app")
        );
        for relative_or_server in [
            "file:./dev.db",
            "sqlite:///app.db",
            "postgres://u@db/x",
            "file:/tmp.db",
            "/data/x.db",
        ] {
            assert_eq!(database_folder(relative_or_server), None, "{relative_or_server}");
        }
    }

    #[test]
    fn loopback_addresses_of_other_services_are_not_baked_in() {
        for value in [
            "http://localhost:8080/api",
            "redis://127.0.0.1",
            "localhost:5432",
            "mongodb://localhost/app",
        ] {
            assert!(names_loopback_service(value, &[3000]), "{value}");
        }
        for value in [
            "http://localhost:3000",
            "http://localhost",
            "0.0.0.0",
            "https://api.example.com:8080",
            "production",
        ] {
            assert!(!names_loopback_service(value, &[3000]), "{value}");
        }
    }
}
