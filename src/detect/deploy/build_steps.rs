//! What a Dockerfile builds besides the program: a Node front-end built in a stage of its own whose output the
//! final stage copies in (`COPY --from=frontend /frontend/dist frontend/dist/`), and the system packages the
//! final stage installs (`apt-get install -y ffmpeg`). Read with where each step is, so the new image can do
//! the same and say where that came from.

use std::path::Path;

use super::syntax::{exec_form, first_word, logical_lines};
use crate::detect::frontend::Copy;
use crate::detect::join_rel;

/// A front-end the old image built: the repository folder whose package.json builds it, the script it ran
/// (None when the stage ran a tool directly: the package's own build script is then the one), and where the
/// final stage put its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuiltFrontend {
    pub(crate) dir: String,
    pub(crate) script: Option<String>,
    pub(crate) copies: Vec<Copy>,
    /// The Node major of the stage's `FROM node:20-alpine`, with where.
    pub(crate) node_major: Option<(String, String)>,
}

/// One stage as far as it is read: its name, working directory, the repository folders it copied in (source
/// relative to the build context, destination absolute) and the package script it built with.
#[derive(Clone, Default)]
struct Stage {
    name: Option<String>,
    /// The Node major of its image (`node:20-alpine` → 20), with its line.
    node_major: Option<(String, usize)>,
    workdir: String,
    folders: Vec<(String, String)>,
    build: Option<(Option<String>, String)>,
}

/// The front-end the final stage copies from a Node build stage, with the line of its first such copy; None
/// when it copies none. `is_dir` tells whether a path of the build context is a folder.
pub(super) fn built_frontend(text: &str, file: &str, is_dir: &dyn Fn(&str) -> bool) -> Option<(BuiltFrontend, String)> {
    let mut stages: Vec<Stage> = Vec::new();
    let mut found: Option<(BuiltFrontend, String)> = None;
    for (line, logical) in logical_lines(text) {
        let instruction = first_word(&logical).to_ascii_uppercase();
        let rest = logical.trim_start()[instruction.len()..].trim();
        if instruction == "FROM" {
            stages.push(new_stage(rest, line, &stages));
            // Only the final stage's copies make the image.
            found = None;
            continue;
        }
        let Some(stage) = stages.last_mut() else { continue };
        match instruction.as_str() {
            "WORKDIR" => stage.workdir = absolute(&stage.workdir, rest),
            "RUN" if stage.build.is_none() => {
                stage.build = package_build(rest).map(|build| {
                    let script = match build {
                        PackageBuild::Script(script) => Some(script),
                        PackageBuild::Tool => None,
                    };
                    (script, stage.workdir.clone())
                });
            }
            "COPY" | "ADD" => {
                let words = exec_form(rest).or_else(|| shlex::split(rest)).unwrap_or_default();
                let from = words.iter().find_map(|w| w.strip_prefix("--from=")).map(str::to_string);
                let paths: Vec<&String> = words.iter().filter(|w| !w.starts_with("--")).collect();
                let Some((dest, sources)) = paths.split_last() else {
                    continue;
                };
                let dest = absolute(&stage.workdir, dest);
                let Some(from) = from else {
                    for source in sources {
                        let source = source.trim_start_matches("./").trim_end_matches('/');
                        let source = if source.is_empty() { "." } else { source };
                        if is_dir(source) {
                            stage.folders.push((source.to_string(), dest.clone()));
                        }
                    }
                    continue;
                };
                let workdir = stage.workdir.clone();
                let earlier = &stages[..stages.len() - 1];
                let Some(builder) = stage_named(earlier, &from).filter(|s| s.build.is_some()) else {
                    continue;
                };
                for source in sources {
                    let Some(copy) = frontend_copy(builder, source, &dest, &workdir) else {
                        continue;
                    };
                    let (script, build_dir) = builder.build.clone().unwrap_or_default();
                    let Some(dir) = in_repository(builder, &build_dir) else {
                        continue;
                    };
                    match &mut found {
                        Some((built, _)) if built.dir == dir => built.copies.push(copy),
                        Some(_) => {}
                        None => {
                            let built = BuiltFrontend {
                                dir,
                                script: script.clone(),
                                copies: vec![copy],
                                node_major: builder
                                    .node_major
                                    .clone()
                                    .map(|(major, at)| (major, format!("{file}:{at}"))),
                            };
                            found = Some((built, format!("{file}:{line}")));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Packages a final stage may install only to build (compilers, headers, fetchers, repository setup, a Node
/// toolchain for a front-end build), to work inside the container by hand (editors, pagers) or to run other
/// services beside the program (a proxy, a process supervisor, cron) or to run it under an init process (tini):
/// the new image builds in stages of its own and runs the program alone, so it does not carry them.
const NOT_CARRIED: &[&str] = &[
    "build-essential",
    "build-base",
    "gcc",
    "g++",
    "make",
    "cmake",
    "pkg-config",
    "pkgconf",
    "autoconf",
    "automake",
    "libtool",
    "musl-dev",
    "linux-headers",
    "git",
    "curl",
    "wget",
    "gnupg",
    "gnupg2",
    "apt-transport-https",
    "software-properties-common",
    "lsb-release",
    "nodejs",
    "npm",
    "yarn",
    "python3-dev",
    "python3-pip",
    "python3-venv",
    "unzip",
    "nano",
    "vim",
    "vim-tiny",
    "less",
    "htop",
    "nginx",
    "apache2",
    "supervisor",
    "tini",
    "dumb-init",
    "openssh-server",
    "cron",
];

/// What adds a package source the base image lacks: an apt list or PPA, an apk repository.
const PACKAGE_SOURCE_MARKS: &[&str] = &[
    "sources.list",
    "add-apt-repository",
    "/etc/apk/repositories",
    "--repository",
];

/// The system packages one RUN of a final stage installs, with the image family their manager serves
/// (`apt-get install` → debian, `apk add` → alpine): those the program may need at run time, without version
/// pins. An `apk add --virtual` group is a build-time set (deleted again), and build tools are left out.
/// Each is marked with whether a package source was added before it (in this RUN or an earlier one:
/// `source_added` carries that between the RUNs of a stage): such a package may exist only there (Google's
/// `google-chrome-stable`), so an image without that source cannot install it.
pub(super) fn installed_packages_by_source(
    command: &str,
    source_added: &mut bool,
) -> Vec<((String, &'static str), bool)> {
    let mut found: Vec<((String, &'static str), bool)> = Vec::new();
    for part in commands(command, true) {
        if PACKAGE_SOURCE_MARKS.iter().any(|mark| part.contains(mark)) {
            *source_added = true;
        }
        let words: Vec<&str> = part.split_whitespace().collect();
        let (family, verb) = match words.as_slice() {
            ["apt-get" | "apt", rest @ ..] if rest.contains(&"install") => ("debian", "install"),
            ["apk", rest @ ..]
                if rest.contains(&"add") && !rest.iter().any(|w| w.starts_with("--virtual") || *w == "-t") =>
            {
                ("alpine", "add")
            }
            _ => continue,
        };
        for word in words.iter().skip_while(|w| **w != verb).skip(1) {
            let name = word.split('=').next().unwrap_or(word);
            let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-._".contains(&b));
            if word.starts_with('-') || !plain || name.is_empty() {
                continue;
            }
            if name.ends_with("-dev") || NOT_CARRIED.contains(&name) {
                continue;
            }
            if !found.iter().any(|((known, _), _)| known == name) {
                found.push(((name.to_string(), family), *source_added));
            }
        }
    }
    found
}

/// pip's options that take a value (`-r req.txt`, `--index-url URL`): their values are not packages.
const PIP_VALUED: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--cache-dir",
    "--log",
    "--timeout",
    "--retries",
    "--proxy",
    "--cert",
    "--client-cert",
    "--exists-action",
    "--only-binary",
    "--no-binary",
    "--config-settings",
];

/// What every image builds with, or installs its own way: not a package the app needs.
const PIP_TOOLS: &[&str] = &[
    "pip",
    "setuptools",
    "wheel",
    "poetry",
    "uv",
    "pipenv",
    "pdm",
    "pip-tools",
    "virtualenv",
];

/// The packages one RUN names to pip besides a requirements file (`pip install gunicorn==22.0`, `python -m pip
/// install "uvicorn[standard]"`), as written; not files, folders, URLs, shell expansions or pip's own tools.
pub(super) fn pip_packages(command: &str) -> Vec<String> {
    let mut found = Vec::new();
    for part in commands(command, true) {
        let Some(words) = shlex::split(part) else { continue };
        let Some(install) = words.iter().position(|w| w == "install") else {
            continue;
        };
        let runs_pip = words[..install]
            .iter()
            .any(|w| matches!(w.rsplit('/').next(), Some("pip" | "pip3")));
        if !runs_pip {
            continue;
        }
        let mut rest = words[install + 1..].iter();
        while let Some(word) = rest.next() {
            if PIP_VALUED.contains(&word.as_str()) {
                rest.next();
                continue;
            }
            let name = word
                .split(['=', '<', '>', '~', '!', '[', ';', ' '])
                .next()
                .unwrap_or_default();
            let plain = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
            if word.starts_with('-') || !plain || word.contains(['$', '/', '@']) || name.starts_with('.') {
                continue;
            }
            if !PIP_TOOLS.contains(&name.to_ascii_lowercase().as_str()) && !found.contains(word) {
                found.push(word.clone());
            }
        }
    }
    found
}

/// The project's Python scripts one RUN runs (`python db.py`, `python3 scripts/init_db.py --seed`), as plain
/// words: not manage.py or setup.py (dockgen runs Django's steps itself), nothing a shell expands.
pub(super) fn script_runs(command: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for part in commands(command, false) {
        if part.contains(['$', '|', '>', '<', '`']) {
            continue;
        }
        let Some(words) = shlex::split(part.trim()) else {
            continue;
        };
        let python = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
        let is_python = python.is_some_and(|p| {
            p == "python"
                || p.strip_prefix("python3")
                    .is_some_and(|v| v.is_empty() || v.starts_with('.'))
        });
        let script = words.get(1).filter(|s| {
            Path::new(s.as_str())
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("py"))
                && !s.starts_with('-')
                && !matches!(s.rsplit('/').next(), Some("manage.py" | "setup.py"))
        });
        if is_python && script.is_some() {
            found.push(words);
        }
    }
    found
}

/// The absolute folders one RUN of a final stage makes and hands to a user (`mkdir -p /data && chown -R
/// node:node /data`): folders the program writes, which the new image makes its user's too. System folders
/// and variables are left out.
pub(super) fn owned_folders(command: &str) -> Vec<String> {
    let mut made: Vec<&str> = Vec::new();
    let mut owned: Vec<&str> = Vec::new();
    for part in commands(command, false) {
        let words: Vec<&str> = part.split_whitespace().collect();
        match words.as_slice() {
            ["mkdir", rest @ ..] => made.extend(rest.iter().filter(|w| !w.starts_with('-'))),
            ["chown", rest @ ..] => {
                // The owner is the first word that is not an option; the paths follow it.
                let mut operands = rest.iter().filter(|w| !w.starts_with('-'));
                operands.next();
                owned.extend(operands);
            }
            _ => {}
        }
    }
    let system = [
        "/", "/tmp", "/var", "/usr", "/etc", "/home", "/root", "/opt", "/app", "/srv",
    ];
    let mut found: Vec<String> = Vec::new();
    for dir in made {
        let dir = dir.trim_end_matches('/');
        let plain = dir.starts_with('/') && !dir.contains(['$', '*', '{']) && !system.contains(&dir);
        if plain && owned.iter().any(|o| o.trim_end_matches('/') == dir) && !found.iter().any(|f| f == dir) {
            found.push(dir.to_string());
        }
    }
    found
}

/// A stage from its FROM line: one built on an earlier stage starts from that stage's state.
fn new_stage(rest: &str, line: usize, stages: &[Stage]) -> Stage {
    let words: Vec<&str> = rest.split_whitespace().filter(|w| !w.starts_with("--")).collect();
    let name = match words.as_slice() {
        [_, as_word, name, ..] if as_word.eq_ignore_ascii_case("as") => Some(name.to_ascii_lowercase()),
        _ => None,
    };
    let base = words.first().and_then(|image| stage_named(stages, image));
    let mut stage = base.cloned().unwrap_or_else(|| Stage {
        workdir: "/".to_string(),
        ..Stage::default()
    });
    stage.name = name;
    if let Some(tag) = words.first().and_then(|image| image.strip_prefix("node:")) {
        let major = tag.split(['.', '-']).next().unwrap_or_default();
        if !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) {
            stage.node_major = Some((major.to_string(), line));
        }
    }
    stage
}

/// The stage a `--from=` or `FROM` names: by name, or by its index.
fn stage_named<'a>(stages: &'a [Stage], reference: &str) -> Option<&'a Stage> {
    let reference = reference.to_ascii_lowercase();
    stages
        .iter()
        .find(|s| s.name.as_deref() == Some(reference.as_str()))
        .or_else(|| reference.parse::<usize>().ok().and_then(|at| stages.get(at)))
}

/// How a RUN builds a package: with one of its scripts, or with a build tool run directly.
#[derive(Debug, PartialEq, Eq)]
enum PackageBuild {
    Script(String),
    /// `npx vite build`: the package's own build script stands for it.
    Tool,
}

/// The commands one RUN runs one after another (`a && b; c`); with `pipes`, each side of a pipe too.
fn commands(run: &str, pipes: bool) -> impl Iterator<Item = &str> {
    let separators: &'static [char] = if pipes { &[';', '|'] } else { &[';'] };
    run.split("&&").flat_map(move |part| part.split(separators))
}

/// The package build a RUN runs: `npm run build`, `yarn build`, `pnpm run build:prod`, `bun run build`, `npx
/// vite build`. None for installs, tests, anything else.
fn package_build(command: &str) -> Option<PackageBuild> {
    for part in commands(command, false) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let Some((manager, rest)) = words.split_first() else {
            continue;
        };
        match (*manager, rest) {
            ("npm" | "bun", ["run", script, ..]) | ("yarn" | "pnpm", ["run", script, ..] | [script, ..])
                if script.contains("build") || *script == "generate" =>
            {
                return Some(PackageBuild::Script((*script).to_string()));
            }
            ("npx" | "pnpx" | "bunx", [_tool, "build", ..]) => return Some(PackageBuild::Tool),
            _ => {}
        }
    }
    None
}

/// A path of a stage's file system: absolute as written, else under `workdir`; `.` parts dropped.
fn absolute(workdir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", workdir.trim_end_matches('/'))
    };
    let parts: Vec<&str> = joined.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    format!("/{}", parts.join("/"))
}

/// The repository path a stage's path holds: under the folder the stage copied there, the longest one.
fn in_repository(stage: &Stage, path: &str) -> Option<String> {
    stage
        .folders
        .iter()
        .filter_map(|(source, dest)| {
            let below = if path == dest {
                ""
            } else if dest == "/" {
                path.strip_prefix('/')?
            } else {
                path.strip_prefix(dest.as_str())?.strip_prefix('/')?
            };
            let rel = if below.is_empty() {
                source.clone()
            } else {
                join_rel(source, below)
            };
            Some((dest.len(), rel))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, rel)| rel)
        .filter(|rel| !rel.split('/').any(|part| part == ".."))
}

/// One `COPY --from=builder SOURCE DEST` of the final stage as a copy of the front-end's output: its
/// repository path and its place in the app's folder (the final WORKDIR). None for a source outside what the
/// stage copied from the repository, or a destination outside the app's folder or its root itself.
fn frontend_copy(builder: &Stage, source: &str, dest: &str, workdir: &str) -> Option<Copy> {
    if workdir == "/" {
        return None;
    }
    let from = in_repository(builder, &absolute("/", source))?;
    let to = dest.strip_prefix(workdir.trim_end_matches('/'))?.strip_prefix('/')?;
    (!to.is_empty() && from != ".").then(|| Copy {
        from,
        to: to.to_string(),
    })
}

/// The requirement file a RUN of the Dockerfile hands to pip (`pip install -r req.txt`, `python -m pip install
/// --requirement=deps/prod.txt`), as a path of the build context, with its line: the first one that `exists`
/// there. A path inside the stage's working directory (`/app/req.txt` under `WORKDIR /app`) is taken relative to
/// it, as the `COPY . .` before it put it there.
pub(super) fn pip_requirement_file(text: &str, file: &str, exists: &dyn Fn(&str) -> bool) -> Option<(String, String)> {
    let mut workdir = String::from("/");
    for (line, logical) in logical_lines(text) {
        let instruction = first_word(&logical).to_ascii_uppercase();
        let rest = logical.trim_start()[instruction.len()..].trim();
        match instruction.as_str() {
            "FROM" => workdir = String::from("/"),
            "WORKDIR" => workdir = absolute(&workdir, rest),
            "RUN" => {
                let command = exec_form(rest).map_or_else(|| rest.to_string(), |words| words.join(" "));
                for part in commands(&command, true) {
                    let Some(path) = requirement_argument(part) else {
                        continue;
                    };
                    let in_context = match path.strip_prefix(&format!("{}/", workdir.trim_end_matches('/'))) {
                        Some(inside) if path.starts_with('/') => inside.to_string(),
                        _ => path.trim_start_matches("./").to_string(),
                    };
                    let leaves = in_context.starts_with('/') || in_context.split('/').any(|part| part == "..");
                    // uv and pip-tools also take a project's manifest (`uv pip install -r pyproject.toml`); pip
                    // reads only a requirements file, and the manifest is read as such already.
                    let manifest = matches!(
                        in_context.rsplit('/').next(),
                        Some("pyproject.toml" | "setup.py" | "setup.cfg")
                    );
                    if !leaves && !manifest && exists(&in_context) {
                        return Some((in_context, format!("{file}:{line}")));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The file of `-r FILE`, `-rFILE`, `--requirement FILE` or `--requirement=FILE` in a pip install command.
fn requirement_argument(command: &str) -> Option<String> {
    let words = shlex::split(command)?;
    let install = words.iter().position(|w| w == "install")?;
    let runs_pip = words[..install]
        .iter()
        .any(|w| matches!(w.rsplit('/').next(), Some("pip" | "pip3")) || w == "pip");
    if !runs_pip {
        return None;
    }
    let mut rest = words[install + 1..].iter();
    while let Some(word) = rest.next() {
        if word == "-r" || word == "--requirement" {
            return rest.next().cloned();
        }
        if let Some(path) = word.strip_prefix("--requirement=").or_else(|| word.strip_prefix("-r")) {
            if !path.is_empty() && !path.starts_with('-') {
                return Some(path.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<BuiltFrontend> {
        built_frontend(text, "Dockerfile", &|path| {
            ["frontend", ".", "web", "backend"].contains(&path)
        })
        .map(|(b, _)| b)
    }

    #[test]
    fn the_project_scripts_a_run_runs() {
        let words = |text: &str| text.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(script_runs("python db.py"), [words("python db.py")]);
        assert_eq!(
            script_runs("pip install -r r.txt && python3 scripts/seed.py --fresh; /usr/local/bin/python3.12 x.py"),
            [
                words("python3 scripts/seed.py --fresh"),
                words("/usr/local/bin/python3.12 x.py")
            ]
        );
        // Django's steps, setup.py, a module, flags and shell expansions are not such scripts.
        assert!(script_runs("python manage.py collectstatic --noinput").is_empty());
        assert!(script_runs("python setup.py install && python -m pip install x").is_empty());
        assert!(script_runs("python db.py > /tmp/log").is_empty());
        assert!(script_runs("pythonista db.py").is_empty());
    }

    #[test]
    fn folders_a_run_makes_and_hands_over() {
        assert_eq!(
            owned_folders("apk add tini && mkdir -p /data /cache && chown -R node:node /data"),
            ["/data"]
        );
        assert_eq!(
            owned_folders("mkdir -p /srv/app/uploads/; chown app /srv/app/uploads"),
            ["/srv/app/uploads"]
        );
        // Not handed over, a variable, or a system folder.
        assert!(owned_folders("mkdir -p /data").is_empty());
        assert!(owned_folders("mkdir -p $HOME/x && chown node $HOME/x").is_empty());
        assert!(owned_folders("mkdir -p /tmp && chown node /tmp").is_empty());
    }

    fn requirement_file(text: &str) -> Option<(String, String)> {
        pip_requirement_file(text, "Dockerfile", &|path| {
            ["req.txt", "deps/prod.txt", "pyproject.toml"].contains(&path)
        })
    }

    #[test]
    fn packages_named_to_pip() {
        assert_eq!(
            pip_packages(
                "pip install --no-cache-dir -r requirements.txt && pip3 install gunicorn==22.0 'uvicorn[standard]'"
            ),
            ["gunicorn==22.0", "uvicorn[standard]"]
        );
        assert_eq!(
            pip_packages("python -m pip install --upgrade pip setuptools wheel"),
            Vec::<String>::new()
        );
        assert_eq!(
            pip_packages("pip install -e . && pip install --index-url https://x/simple ./dist/a.whl $EXTRA"),
            Vec::<String>::new()
        );
        assert_eq!(pip_packages("npm install gunicorn"), Vec::<String>::new());
    }

    #[test]
    fn the_requirement_file_pip_is_handed() {
        let found = |text: &str| requirement_file(text).map(|(file, at)| format!("{file} {at}"));
        // A manifest uv reads as one is not a requirements file pip could.
        assert_eq!(
            found("FROM python\nRUN uv venv && uv pip install -r pyproject.toml\n"),
            None
        );
        assert_eq!(
            found("FROM python:3.13\nRUN pip install -r req.txt\n").as_deref(),
            Some("req.txt Dockerfile:2")
        );
        assert_eq!(
            found("FROM python\nRUN pip3 install -rreq.txt").as_deref(),
            Some("req.txt Dockerfile:2")
        );
        assert_eq!(
            found("FROM python\nWORKDIR /app\nRUN apt-get update && \\\n python -m pip install --requirement=/app/deps/prod.txt")
                .as_deref(),
            Some("deps/prod.txt Dockerfile:3")
        );
        assert_eq!(
            found("FROM python\nRUN [\"uv\", \"pip\", \"install\", \"-r\", \"./req.txt\"]").as_deref(),
            Some("req.txt Dockerfile:2")
        );
        // Not pip's, not in the build context, or not there at all.
        assert_eq!(found("FROM python\nRUN npm install -r req.txt"), None);
        assert_eq!(
            found("FROM python\nWORKDIR /app\nRUN pip install -r /tmp/req.txt"),
            None
        );
        assert_eq!(found("FROM python\nRUN pip install -r ../req.txt"), None);
        assert_eq!(found("FROM python\nRUN pip install -r requirements.txt"), None);
        assert_eq!(found("FROM python\nRUN pip install -r"), None);
    }

    #[test]
    fn a_front_end_stage_copied_into_the_app() {
        let built = read(
            "FROM node:20-alpine AS frontend\nWORKDIR /frontend\nCOPY frontend/package.json frontend/package-lock.json* ./\n\
             RUN npm ci\nCOPY frontend/ .\nRUN npm run build\n\nFROM python:3.11-slim\nWORKDIR /app\n\
             COPY backend/ backend/\nCOPY --from=frontend /frontend/dist frontend/dist/\nCMD [\"uvicorn\"]\n",
        )
        .unwrap();
        assert_eq!(built.dir, "frontend");
        assert_eq!(built.script.as_deref(), Some("build"));
        assert_eq!(built.node_major, Some(("20".into(), "Dockerfile:1".into())));
        assert_eq!(
            built.copies,
            [Copy {
                from: "frontend/dist".into(),
                to: "frontend/dist".into()
            }]
        );
    }

    #[test]
    fn the_whole_context_copied_and_a_build_into_another_folder() {
        let built = read(
            "FROM node:22 AS web\nWORKDIR /src\nCOPY . .\nWORKDIR /src/web\nRUN yarn install && yarn build\n\
             FROM python:3.12-slim\nWORKDIR /srv/app\nCOPY --from=web /src/web/build ./static\n",
        )
        .unwrap();
        assert_eq!(built.dir, "web");
        assert_eq!(built.copies[0].from, "web/build");
        assert_eq!(built.copies[0].to, "static");
        // By index, with a tool run directly.
        let built = read(
            "FROM node:22\nWORKDIR /w\nCOPY web ./\nRUN npx vite build\nFROM python:3.12\nWORKDIR /app\n\
             COPY --from=0 /w/dist /app/web/dist\n",
        )
        .unwrap();
        assert_eq!((built.dir.as_str(), built.script), ("web", None));
        assert_eq!(built.copies[0].from, "web/dist");
    }

    #[test]
    fn copies_that_are_not_a_front_end_build_are_not_taken() {
        // A builder that installs only, a copy over the app's root, and a copy outside the app's folder.
        for text in [
            "FROM node:22 AS deps\nWORKDIR /app\nCOPY . .\nRUN npm ci\nFROM python\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\n",
            "FROM node:22 AS fe\nWORKDIR /fe\nCOPY frontend .\nRUN npm run build\nFROM python\nWORKDIR /app\nCOPY --from=fe /fe/dist .\n",
            "FROM node:22 AS fe\nWORKDIR /fe\nCOPY frontend .\nRUN npm run build\nFROM nginx\nCOPY --from=fe /fe/dist /usr/share/nginx/html\n",
            "FROM node:22 AS fe\nRUN npm run build\nFROM python\nWORKDIR /app\nCOPY --from=fe /dist ./dist\n",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }

    fn installed_packages(command: &str) -> Vec<(String, &'static str)> {
        let mut source_added = false;
        installed_packages_by_source(command, &mut source_added)
            .into_iter()
            .map(|(package, _)| package)
            .collect()
    }

    #[test]
    fn packages_after_an_added_source_are_marked() {
        let mut source_added = false;
        let installed = installed_packages_by_source(
            "apt-get install -y fonts-liberation libnss3 && echo \"deb http://dl.google.com/linux/chrome/deb/ stable main\" > \
             /etc/apt/sources.list.d/google.list && apt-get update && apt-get install -y google-chrome-stable",
            &mut source_added,
        );
        let marked: Vec<(&str, bool)> = installed
            .iter()
            .map(|((name, _), after)| (name.as_str(), *after))
            .collect();
        assert_eq!(
            marked,
            [
                ("fonts-liberation", false),
                ("libnss3", false),
                ("google-chrome-stable", true)
            ]
        );
        // The next RUN of the stage is after the source too.
        assert!(installed_packages_by_source("apt-get install -y fonts-noto", &mut source_added)[0].1);
        let mut apk = false;
        assert!(installed_packages_by_source("apk add --repository http://dl-cdn/edge/testing pkg", &mut apk)[0].1);
    }

    #[test]
    fn packages_a_final_stage_installs_for_run_time() {
        let installed = installed_packages(
            "apt-get update && apt-get install -y --no-install-recommends ffmpeg libgl1 gcc libpq-dev tzdata=2024a-0 \\
             && rm -rf /var/lib/apt/lists/*",
        );
        assert_eq!(
            installed,
            [
                ("ffmpeg".to_string(), "debian"),
                ("libgl1".to_string(), "debian"),
                ("tzdata".to_string(), "debian")
            ]
        );
        assert_eq!(
            installed_packages("apk add --no-cache tesseract-ocr curl"),
            [("tesseract-ocr".to_string(), "alpine")]
        );
        assert!(installed_packages("apk add --no-cache --virtual .build-deps gcc libffi").is_empty());
        assert!(installed_packages("pip install ffmpeg && echo apt-get install $PKGS").is_empty());
    }

    #[test]
    fn package_builds_name_their_script() {
        let script = |name: &str| Some(PackageBuild::Script(name.into()));
        assert_eq!(package_build("npm ci && npm run build"), script("build"));
        assert_eq!(package_build("pnpm build:prod"), script("build:prod"));
        assert_eq!(package_build("yarn run generate"), script("generate"));
        assert_eq!(package_build("npx vite build"), Some(PackageBuild::Tool));
        assert_eq!(package_build("npm ci"), None);
        assert_eq!(package_build("npm run test"), None);
    }
}
