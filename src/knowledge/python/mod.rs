//! What dockgen knows about Python apps beyond their manifests, as data: the `CPython` release lines
//! (lines.toml), web frameworks, production servers and packages that load system libraries (frameworks.toml),
//! the package managers' default versions (tools.toml) and the standard library's module names (stdlib.toml).

use std::sync::OnceLock;

use serde::Deserialize;

use super::table;

const FRAMEWORKS_TOML: &str = include_str!("frameworks.toml");
const TOOLS_TOML: &str = include_str!("tools.toml");
const WHEELS_TOML: &str = include_str!("wheels.toml");
const STDLIB_TOML: &str = include_str!("stdlib.toml");
pub(crate) const LINES_TOML: &str = include_str!("lines.toml");

/// `CPython`'s lines, newest first, and the one a project that names none builds on.
#[derive(Deserialize, Default)]
pub(crate) struct Lines {
    pub(crate) default_line: String,
    pub(crate) oldest_maintained: String,
    pub(crate) line: Vec<Line>,
}

#[derive(Deserialize)]
pub(crate) struct Line {
    pub(crate) version: String,
    pub(crate) end_of_support: toml::value::Datetime,
    pub(crate) distroless_debian: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Knowledge {
    pub(crate) framework: Vec<Framework>,
    pub(crate) server: Vec<Server>,
    pub(crate) program: Vec<Program>,
    pub(crate) native: Vec<Native>,
    pub(crate) starts: Vec<Starts>,
    /// Migration commands a start runs before the server, by their first words.
    pub(crate) migrations: Vec<String>,
}

impl Knowledge {
    /// Whether a step a start runs first is a migration (`.venv/bin/alembic upgrade head`), its program's folder
    /// taken off.
    pub(crate) fn is_migration(&self, step: &str) -> bool {
        let words: Vec<&str> = step.split_whitespace().collect();
        let Some((program, rest)) = words.split_first() else { return false };
        let program = program.rsplit('/').next().unwrap_or(program);
        self.migrations.iter().any(|migration| {
            let wanted: Vec<&str> = migration.split_whitespace().collect();
            wanted.first() == Some(&program) && rest.starts_with(&wanted[1..])
        })
    }
}

/// A package whose code starts programs the runtime image lacks (knowledge/programs installs them).
#[derive(Deserialize)]
pub(crate) struct Starts {
    pub(crate) package: String,
    /// The name the code imports it by (`git` for gitpython).
    pub(crate) module: String,
    pub(crate) programs: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct Framework {
    pub(crate) name: String,
    pub(crate) package: String,
    pub(crate) interface: String,
    #[serde(default)]
    pub(crate) constructors: Vec<String>,
    #[serde(default)]
    pub(crate) factories: Vec<String>,
    #[serde(default)]
    pub(crate) server_extras: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
pub(crate) struct Server {
    pub(crate) name: String,
    pub(crate) package: String,
    pub(crate) interfaces: Vec<String>,
    pub(crate) port: u16,
    /// Its options that take no value; every other option takes one.
    pub(crate) flags: Vec<String>,
    /// For a framework's own development server, the frameworks whose apps it runs: taken only when the project
    /// depends on no production server. Empty for a production server.
    #[serde(default)]
    pub(crate) frameworks: Vec<String>,
    /// The script Python runs it from (`python manage.py runserver`), for a server that has no command of its own.
    #[serde(default)]
    pub(crate) script: Option<String>,
    /// The subcommand that starts it (`flask run`), read past in a start command and written after the name.
    #[serde(default)]
    pub(crate) subcommand: Option<String>,
    /// The variable that names the app to it (`FLASK_APP`), where it takes no argument for it.
    #[serde(default)]
    pub(crate) app_env: Option<String>,
    /// Variables that keep it out of its debug mode (`FLASK_DEBUG=0`), which a committed env file it loads at
    /// start (`.flaskenv`) may turn on: the environment wins over such a file.
    #[serde(default)]
    pub(crate) production_env: std::collections::BTreeMap<String, String>,
}

impl Server {
    pub(crate) fn is_development(&self) -> bool {
        !self.frameworks.is_empty()
    }
}

/// An app that runs as a program of its own: a script its framework's command runs, or a worker.
#[derive(Deserialize)]
pub(crate) struct Program {
    pub(crate) name: String,
    pub(crate) package: String,
    pub(crate) kind: ProgramKind,
    pub(crate) imports: String,
    #[serde(default)]
    pub(crate) calls: Vec<String>,
    #[serde(default)]
    pub(crate) constructors: Vec<String>,
    pub(crate) command: Vec<String>,
    /// The framework's own command for a module that makes the app but never runs it (`sanic server:app`).
    #[serde(default)]
    pub(crate) cli_command: Vec<String>,
    #[serde(default)]
    pub(crate) env: std::collections::BTreeMap<String, String>,
    pub(crate) port_env: Option<String>,
    pub(crate) port_keyword: Option<String>,
    pub(crate) host_keyword: Option<String>,
    /// The address the call binds when the code passes none (Sanic's `app.run()`: 127.0.0.1).
    pub(crate) host_default: Option<String>,
    pub(crate) port: Option<u16>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ProgramKind {
    Script,
    Worker,
}

#[derive(Deserialize)]
pub(crate) struct Native {
    pub(crate) package: String,
    pub(crate) runtime: Vec<String>,
    #[serde(default)]
    pub(crate) unless_extras: Vec<String>,
}

/// A package with native code and the first release that installs on each newer line (`"3.13" = "2.9.10"`).
#[derive(Deserialize)]
pub(crate) struct NativeReleases {
    pub(crate) name: String,
    pub(crate) first: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct Wheels {
    package: Vec<NativeReleases>,
}

/// What `wheels.toml` knows of a package, by its normalised name.
pub(crate) fn native_releases(name: &str) -> Option<&'static NativeReleases> {
    static WHEELS: OnceLock<Wheels> = OnceLock::new();
    WHEELS.get_or_init(|| table(WHEELS_TOML)).package.iter().find(|p| p.name == name)
}

#[derive(Deserialize, Default)]
struct Tools {
    tool: Vec<Tool>,
    public_indexes: Vec<String>,
}

/// A package manager's default version and the day it was uploaded.
#[derive(Deserialize)]
pub(crate) struct Tool {
    pub(crate) name: String,
    pub(crate) default: String,
    pub(crate) released: toml::value::Datetime,
    /// The oldest release that still installs and runs: a pin below it gets the default instead.
    pub(crate) oldest_installable: Option<String>,
    /// The newest releases that still run on older Python lines, newest first.
    #[serde(default)]
    pub(crate) for_older: Vec<OlderRelease>,
    /// The oldest Python line any release installs on (its Requires-Python).
    pub(crate) requires_python: Option<String>,
}

/// The newest release of a tool that runs on Python lines below `below`.
#[derive(Deserialize)]
pub(crate) struct OlderRelease {
    pub(crate) below: String,
    pub(crate) version: String,
    pub(crate) released: toml::value::Datetime,
}

impl Tool {
    /// The release installed where the repository pins none: the default, or on an older Python line (`3.8`)
    /// the newest release that runs there.
    pub(crate) fn default_for(&self, python_line: Option<&str>) -> (&str, &toml::value::Datetime) {
        let older = python_line.and_then(|line| {
            self.for_older.iter().rev().find(|older| !crate::knowledge::version_at_least(line, &older.below))
        });
        older.map_or((self.default.as_str(), &self.released), |o| (o.version.as_str(), &o.released))
    }

    /// Whether it installs on a Python line (`3.7`); an unknown line is taken to be a current one.
    pub(crate) fn installs_on(&self, python_line: Option<&str>) -> bool {
        match (python_line, &self.requires_python) {
            (Some(line), Some(floor)) => crate::knowledge::version_at_least(line, floor),
            _ => true,
        }
    }

    /// The day a release dockgen installs by default was uploaded.
    pub(crate) fn released_on(&self, version: &str) -> Option<&toml::value::Datetime> {
        if self.default == version {
            return Some(&self.released);
        }
        self.for_older.iter().find(|o| o.version == version).map(|o| &o.released)
    }
}

pub(crate) fn lines() -> &'static Lines {
    static LINES: OnceLock<Lines> = OnceLock::new();
    LINES.get_or_init(|| table(LINES_TOML))
}

pub(crate) fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| table(FRAMEWORKS_TOML))
}

/// The Debian release of the distroless Python image that carries `line` (`3.11` → `12`).
pub(crate) fn distroless_debian(line: &str) -> Result<&'static str, String> {
    let known = lines();
    known
        .line
        .iter()
        .find(|l| l.version == line)
        .and_then(|l| l.distroless_debian.as_deref())
        .ok_or_else(|| {
            let carried: Vec<String> = known
                .line
                .iter()
                .filter_map(|l| Some(format!("{} (debian{})", l.version, l.distroless_debian.as_deref()?)))
                .collect();
            format!(
                "gcr.io/distroless/python3 images carry Python {} only, not {line}: pass --set python_version=LINE \
                 with one of them, or use the python preset",
                carried.join(" and ")
            )
        })
}

#[derive(Deserialize, Default)]
struct Stdlib {
    names: Vec<String>,
    /// The line that removed each module, by line (`"3.12" = ["distutils", …]`).
    #[serde(default)]
    removed: std::collections::BTreeMap<String, Vec<String>>,
}

fn stdlib() -> &'static Stdlib {
    static STDLIB: OnceLock<Stdlib> = OnceLock::new();
    STDLIB.get_or_init(|| table(STDLIB_TOML))
}

/// Whether a top-level module name is the standard library's (stdlib.toml).
pub(crate) fn is_stdlib(name: &str) -> bool {
    stdlib().names.iter().any(|n| n == name)
}

/// The line (`3.12`) that removed a standard module (`distutils`), when one did (stdlib.toml).
pub(crate) fn removed_in(module: &str) -> Option<&'static str> {
    stdlib()
        .removed
        .iter()
        .find(|(_, modules)| modules.iter().any(|m| m == module))
        .map(|(line, _)| line.as_str())
}

fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| table(TOOLS_TOML))
}

/// The default version of a package manager dockgen installs (`uv`, `poetry`, `pipenv`, `pdm`).
pub(crate) fn tool(name: &str) -> Option<&'static Tool> {
    tools().tool.iter().find(|t| t.name == name)
}

/// Whether an index URL is on a host anyone can read (tools.toml `public_indexes`): no credentials.
pub(crate) fn is_public_index(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    tools()
        .public_indexes
        .iter()
        .any(|public| host == *public || host.ends_with(&format!(".{public}")))
}

/// A distribution name as PEP 503 compares them: lower case, each run of `-`, `_` and `.` one `-`.
pub(crate) fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_parse() {
        let known: Knowledge = toml::from_str(FRAMEWORKS_TOML).unwrap();
        assert!(known.framework.len() >= 5 && known.server.len() >= 5 && !known.native.is_empty());
        for program in &known.program {
            // A script serves on a port; a worker serves none.
            assert_eq!(program.port.is_some(), program.kind == ProgramKind::Script, "{}", program.name);
            assert!(program.calls.len() + program.constructors.len() > 0 || program.name == "streamlit");
        }
        for starts in &known.starts {
            for program in &starts.programs {
                assert!(crate::knowledge::programs::is_known(program), "{}: {program}", starts.package);
            }
            assert_eq!(starts.package, normalise(&starts.package), "package names are normalised");
        }
        assert!(known.is_migration(".venv/bin/alembic upgrade head") && known.is_migration("flask db upgrade"));
        assert!(!known.is_migration("flask db migrate") && !known.is_migration("python seed.py"));
        let lines: Lines = toml::from_str(LINES_TOML).unwrap();
        assert!(lines.line.iter().any(|l| l.version == lines.default_line));
        let wheels: Wheels = toml::from_str(WHEELS_TOML).unwrap();
        assert!(wheels.package.iter().all(|p| p.name == normalise(&p.name) && !p.first.is_empty()));
        let tools: Tools = toml::from_str(TOOLS_TOML).unwrap();
        for name in ["uv", "poetry", "pipenv", "pdm"] {
            assert!(tools.tool.iter().any(|t| t.name == name), "{name}");
        }
    }

    #[test]
    fn names_compare_as_pep_503_says() {
        assert_eq!(normalise("Flask_SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(normalise("zope.interface"), "zope-interface");
        assert_eq!(normalise("a__-b"), "a-b");
    }
}
