//! The project's manifests: which package manager installs it (by its lock file, then its pyproject tables,
//! then requirement files), the files its dependency layer is keyed on, the distributions it depends on, and
//! what the manifests say about the Python line and the manager's version. Read with TOML and PEP 508
//! parsers; requirement files as pip reads them (`-r`/`-c` includes, options, hashes, continuations).

use std::path::Path;

use toml_edit::{Document, Item, Table};

use super::requirements::{self, pep508, Dependency};
use super::workspace::{self, Member};
use crate::detect::{has_marker, read_manifest};
use crate::knowledge::python::normalise;

/// The tool that installs the project's dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Manager {
    Pip,
    Uv,
    Poetry,
    Pipenv,
    Pdm,
}

impl Manager {
    pub(super) fn name(self) -> &'static str {
        match self {
            Manager::Pip => "pip",
            Manager::Uv => "uv",
            Manager::Poetry => "poetry",
            Manager::Pipenv => "pipenv",
            Manager::Pdm => "pdm",
        }
    }
}

/// A statement about the Python line: a pin (`3.12`, from `.python-version`) or a range (`>=3.10`).
#[derive(Debug, Clone)]
pub(super) struct PythonSaid {
    pub(super) text: String,
    pub(super) source: String,
    pub(super) range: bool,
}

/// What the manifests say.
#[derive(Debug)]
pub(super) struct Manifests {
    pub(super) manager: Manager,
    pub(super) manager_source: String,
    /// The manager's version the repository pins (a lock header, `required-version`), with its source.
    pub(super) manager_version: Option<(String, String)>,
    /// The files the dependency install reads, copied before the sources so their layer is reused.
    pub(super) dependency_files: Vec<String>,
    /// pip's top requirement file, when pip installs from one.
    pub(super) requirements: Option<String>,
    /// Where the requirement files pin hashes (`--hash`, `--require-hashes`): pip then checks every download.
    pub(super) hashed: Option<String>,
    /// The package indexes the requirement files name (`--extra-index-url URL`), with where.
    pub(super) index_urls: Vec<(String, String)>,
    pub(super) dependencies: Vec<Dependency>,
    pub(super) python: Vec<PythonSaid>,
    /// `[project.scripts]`/`[tool.poetry.scripts]`: console scripts (name, `module:function`, source).
    pub(super) scripts: Vec<(String, String, String)>,
    /// The project itself is a package the manager installs (a `[project]` or Poetry package with a build
    /// backend, a setup.py), besides its dependencies.
    pub(super) installable: bool,
    /// Whether the lock file pins what the install resolves (uv.lock, poetry.lock, Pipfile.lock, pdm.lock).
    pub(super) locked: bool,
    /// Pipfile categories besides `[packages]` that the app's install needs (`[deploy]` holding its server).
    pub(super) pipenv_categories: Vec<(String, String)>,
    /// Poetry dependency groups besides main that are not for development (`[tool.poetry.group.prod]` holding
    /// its server): the image installs them too.
    pub(super) poetry_groups: Vec<(String, String)>,
    /// A uv workspace's member projects (the root first when it is one); empty for a single project.
    pub(super) workspace: Vec<Member>,
    /// Where `[tool.uv.workspace]` is declared, for a workspace with members besides the root.
    pub(super) workspace_source: Option<String>,
    pub(super) warnings: Vec<String>,
    /// Choices made on the evidence, said with it (the manager the project's Dockerfile installs with).
    pub(super) notes: Vec<String>,
}

impl Manifests {
    /// What a manager's manifests say before they are read.
    fn new(manager: Manager, manager_source: String, locked: bool) -> Self {
        Manifests {
            manager,
            manager_source,
            manager_version: None,
            dependency_files: Vec::new(),
            requirements: None,
            hashed: None,
            index_urls: Vec::new(),
            dependencies: Vec::new(),
            python: Vec::new(),
            scripts: Vec::new(),
            installable: false,
            locked,
            pipenv_categories: Vec::new(),
            poetry_groups: Vec::new(),
            workspace: Vec::new(),
            workspace_source: None,
            warnings: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// A uv.lock made before dependencies were added to pyproject.toml: `uv sync --frozen` would install it as it
/// is, without them, and the program stops at their import. The image resolves anew instead (`uv sync`,
/// which updates the lock in the build), said.
fn stale_uv_lock(root: &Path, has_lock: bool, found: &mut Manifests) {
    if !has_lock || !found.workspace.is_empty() {
        return;
    }
    let Some(text) = crate::detect::read_small_text(&root.join("uv.lock")) else { return };
    let Some(missing) = super::lock::uv_unlocked(&text, &found.dependencies) else { return };
    let names: Vec<&str> = missing.iter().map(|d| d.name.as_str()).collect();
    found.warnings.push(format!(
        "uv.lock does not record {} that {} declares: it is out of date, and `uv sync --frozen` would leave \
         {} out; the image resolves the dependencies anew (`uv sync`) — run `uv lock` and commit uv.lock for \
         reproducible images",
        crate::files::excerpt(&names.join(", ")),
        missing[0].source,
        if names.len() == 1 { "it" } else { "them" }
    ));
    found.locked = false;
}

/// The files whose presence makes this a Python project.
pub(super) const MARKERS: &[&str] = &[
    "pyproject.toml",
    "requirements.txt",
    "Pipfile",
    "setup.py",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
];

/// Reads the manifests at `root`; None when there are none, or when they describe no Python app (a
/// pyproject.toml that only configures a linter for a project of another stack).
pub(super) fn read(root: &Path) -> anyhow::Result<Option<Manifests>> {
    let mut present = Vec::new();
    for marker in MARKERS.iter().chain(["setup.cfg", "Pipfile.lock"].iter()) {
        if has_marker(root, marker)? {
            present.push(*marker);
        }
    }
    let pyproject = if present.contains(&"pyproject.toml") { Some(Pyproject::read(root, "pyproject.toml")?) } else { None };
    let (requirement_files, installed_by_dockerfile) = requirement_files(root);
    let orphan_lock = orphan_lock(&present, pyproject.is_some(), &requirement_files);
    let has = |name: &str| present.contains(&name) && orphan_lock.as_ref().is_none_or(|(lock, _)| *lock != name);
    let project_table = pyproject.as_ref().and_then(|p| p.doc.get("project").and_then(Item::as_table));
    let poetry = pyproject.as_ref().and_then(|p| p.table(&["tool", "poetry"]));
    let uv_workspace = pyproject.as_ref().and_then(|p| p.table(&["tool", "uv", "workspace"]));
    let describes_app = project_table.is_some()
        || poetry.is_some()
        || uv_workspace.is_some()
        || !requirement_files.is_empty()
        || ["Pipfile", "setup.py", "uv.lock", "poetry.lock", "pdm.lock"].iter().any(|m| has(m));
    if !describes_app {
        return Ok(None);
    }
    let (mut manager, mut manager_source) =
        choose_manager(&has, pyproject.as_ref(), &requirement_files, project_table.is_some());
    if let Some((_, at)) = installed_by_dockerfile.filter(|(file, _)| *file == manager_source) {
        // pip installs it because that line does.
        manager_source = at;
    }
    let over = deployed_with_pip(root, &requirement_files, &mut manager, &mut manager_source);
    let locked = ["uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"].iter().any(|m| has(m));
    let mut found = Manifests::new(manager, manager_source, locked);
    found.notes.extend(over);
    found.warnings.extend(orphan_lock.as_ref().map(|(_, warning)| warning.clone()));
    python_files(root, &mut found);
    if let Some(p) = &pyproject {
        p.read_into(&mut found);
        if manager == Manager::Uv {
            if let Some(workspace) = uv_workspace {
                read_members(root, p, workspace, &mut found)?;
            }
            stale_uv_lock(root, has("uv.lock"), &mut found);
        }
    }
    match manager {
        Manager::Pip => {
            if let Some(top) = requirement_files.first() {
                let read = requirements::read(root, top);
                found.dependency_files.extend(read.files);
                found.dependencies.extend(read.dependencies);
                found.warnings.extend(read.warnings);
                found.requirements = Some(top.clone());
                found.hashed = read.hashed.then(|| top.clone());
                found.index_urls = read.index_urls;
                // The project itself is installed only through its requirement file (`-e .`), if at all.
                found.installable = read.installs_project;
            } else {
                found.dependency_files.push(if pyproject.is_some() { "pyproject.toml" } else { "setup.py" }.into());
                found.installable = true;
                if has("setup.py") && pyproject.is_some() {
                    found.dependency_files.push("setup.py".into());
                }
            }
        }
        Manager::Pipenv => {
            found.dependency_files.push("Pipfile".into());
            if has("Pipfile.lock") {
                found.dependency_files.push("Pipfile.lock".into());
            }
            pipfile(root, &mut found)?;
        }
        Manager::Uv | Manager::Poetry | Manager::Pdm => {
            if manager == Manager::Poetry && found.installable {
                // Poetry 2 refuses to install a root package whose folder or readme is missing; 1.x only warned.
                if let Some(why) = poetry_root_missing(root, poetry) {
                    found.installable = false;
                    if !why.is_empty() {
                        found.warnings.push(format!(
                            "pyproject.toml: {why}, so the project itself cannot be installed: only its dependencies \
                             are (poetry install --no-root)"
                        ));
                    }
                }
            }
            if pyproject.is_none() {
                anyhow::bail!("{}: no pyproject.toml beside it", found.manager_source);
            }
            found.dependency_files.push("pyproject.toml".into());
            let lock = match manager {
                Manager::Uv => "uv.lock",
                Manager::Poetry => "poetry.lock",
                _ => "pdm.lock",
            };
            if has(lock) {
                found.dependency_files.push(lock.into());
            }
            if manager == Manager::Poetry && has_marker(root, "poetry.toml").unwrap_or(false) {
                found.dependency_files.push("poetry.toml".into());
            }
            if manager == Manager::Poetry && has("poetry.lock") {
                found.manager_version = poetry_lock_version(&read_manifest(root, "poetry.lock")?);
            }
        }
    }
    Ok(Some(found))
}

/// The project's own image installs a requirement file with pip: that is how it deploys, over the manager
/// another file declares (a Pipfile or a lock kept for development). Returns the note saying so.
fn deployed_with_pip(root: &Path, requirement_files: &[String], manager: &mut Manager, source: &mut String) -> Option<String> {
    let (file, at) = crate::detect::deploy::pip_requirement_file(root)
        .filter(|(file, _)| requirement_files.first() == Some(file) && !names_development_set(file))
        .filter(|_| *manager != Manager::Pip)?;
    let name = manager.name();
    let note = format!(
        "{at}: the project's Dockerfile installs {file} with pip, so the image does too, over {source} ({name}'s); \
         --set package_manager={name} installs with that"
    );
    *manager = Manager::Pip;
    *source = at;
    Some(note)
}

/// The top requirement files, most telling first, and the one the project's own Dockerfile installs with its
/// line when that outranks the conventional names (`pip install -r req.txt`). It is news only when it is not
/// the conventional file pip would be given anyway; a development set the Dockerfile happens to install
/// (`requirements/dev.txt`) does not outrank a production one.
fn requirement_files(root: &Path) -> (Vec<String>, Option<(String, String)>) {
    let mut files = requirements::top_files(root);
    let installed_by_dockerfile = crate::detect::deploy::pip_requirement_file(root)
        .filter(|(file, _)| files.first() != Some(file) && (files.is_empty() || !names_development_set(file)));
    if let Some((file, _)) = &installed_by_dockerfile {
        files.retain(|f| f != file);
        files.insert(0, file.clone());
    }
    (files, installed_by_dockerfile)
}

/// Whether a requirement file's name says it holds a development set (`requirements-dev.txt`, `dev.txt`,
/// `requirements/test.txt`).
fn names_development_set(file: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file).to_ascii_lowercase();
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| matches!(word, "dev" | "develop" | "development" | "test" | "tests" | "testing" | "lint" | "docs" | "ci"))
}

/// A uv workspace's members: each one's dependencies, Python range and scripts are the workspace's, and each
/// is a package `uv sync --package` can install. The root is a member too when it is a project itself.
fn read_members(root: &Path, pyproject: &Pyproject, workspace: &Table, found: &mut Manifests) -> anyhow::Result<()> {
    let mut members: Vec<Member> = pyproject.member(".").into_iter().collect();
    let dirs = workspace::member_dirs(root, workspace);
    for dir in &dirs {
        let file = Pyproject::read(root, &format!("{dir}/pyproject.toml"))?;
        file.read_into(found);
        members.extend(file.member(dir));
    }
    if !dirs.is_empty() {
        found.workspace_source = Some(pyproject.source(&["tool", "uv", "workspace"]));
    }
    found.workspace = members;
    Ok(())
}

/// The manager by its lock file, then pyproject.toml's tables, then requirement files, then pip on the project.
/// A tool's lockfile without the pyproject.toml it locks (renamed, moved away), beside a requirement file: no
/// tool installs from it, so the requirement file is what installs; with the warning that says so.
fn orphan_lock(present: &[&str], has_pyproject: bool, requirement_files: &[String]) -> Option<(&'static str, String)> {
    let file = requirement_files.first().filter(|_| !has_pyproject)?;
    let lock = ["uv.lock", "poetry.lock", "pdm.lock"].into_iter().find(|lock| present.contains(lock))?;
    Some((
        lock,
        format!("{lock}: no pyproject.toml beside it, so its tool cannot install from it: {file} is installed instead"),
    ))
}

fn choose_manager(
    has: &dyn Fn(&str) -> bool,
    pyproject: Option<&Pyproject>,
    requirement_files: &[String],
    has_project: bool,
) -> (Manager, String) {
    // A pyproject table that says which tool manages the project, with its line.
    let declared = |path: &[&str], needs: Option<&str>| {
        let p = pyproject?;
        let table = p.table(path)?;
        needs.is_none_or(|key| table.contains_key(key)).then(|| p.source(path))
    };
    if has("uv.lock") {
        (Manager::Uv, "uv.lock".to_string())
    } else if has("poetry.lock") {
        (Manager::Poetry, "poetry.lock".to_string())
    } else if has("pdm.lock") {
        (Manager::Pdm, "pdm.lock".to_string())
    } else if has("Pipfile") {
        (Manager::Pipenv, "Pipfile".to_string())
    } else if let Some(source) = declared(&["tool", "poetry"], Some("dependencies")) {
        (Manager::Poetry, source)
    } else if let Some(source) = declared(&["tool", "uv"], None) {
        (Manager::Uv, source)
    } else if let Some(file) = requirement_files.first() {
        (Manager::Pip, file.clone())
    } else if let Some(source) = declared(&["project"], Some("dependencies")).filter(|_| !has_build_system(pyproject)) {
        // A dependency list that builds no package (no [build-system]): pip would build the folder as one
        // (`pip install .`, which fails on several top-level modules); uv installs the list alone.
        (Manager::Uv, source)
    } else {
        (Manager::Pip, if has_project { "pyproject.toml" } else { "setup.py" }.to_string())
    }
}

fn has_build_system(pyproject: Option<&Pyproject>) -> bool {
    pyproject.is_some_and(|p| p.doc.contains_key("build-system"))
}

/// A Pipfile category's or Poetry group's name that says it is for development (`dev-packages`, `test`,
/// `lint`, `docs`, `typing`, `formatting`).
fn is_development_group(name: &str) -> bool {
    ["dev", "test", "lint", "doc", "typ", "format"].iter().any(|word| name.contains(word))
}

/// Whether the package Poetry would install as the project exists: `packages = [...]` names it, or a module
/// named after the project (`my-app` → `my_app/`, `src/my_app/`, `my_app.py`) is there.
fn poetry_root_missing(root: &Path, poetry: Option<&Table>) -> Option<String> {
    let Some(poetry) = poetry else { return Some(String::new()) };
    // Building the root package reads its readme.
    if let Some(readme) = poetry.get("readme").and_then(Item::as_str) {
        if !root.join(readme).is_file() {
            return Some(format!("[tool.poetry] readme names {readme}, which is not there"));
        }
    }
    if let Some(packages) = poetry.get("packages").and_then(Item::as_array) {
        // Every package listed must be there (`include` under its `from` folder); a glob is taken on trust.
        let missing = packages.iter().find_map(|package| {
            let table = package.as_inline_table()?;
            let include = table.get("include").and_then(|v| v.as_str())?;
            let from = table.get("from").and_then(|v| v.as_str()).unwrap_or(".");
            let present = include.contains(['*', '?', '[']) || root.join(from).join(include).exists();
            (!present).then(|| include.to_string())
        });
        return missing.map(|include| format!("[tool.poetry] packages names {include}, which is not there"));
    }
    if poetry.contains_key("packages") {
        return None;
    }
    let Some(name) = poetry.get("name").and_then(Item::as_str) else { return Some(String::new()) };
    let module = name.to_ascii_lowercase().replace(['-', '.'], "_");
    let present = [module.clone(), format!("src/{module}"), format!("{module}.py")]
        .iter()
        .any(|path| root.join(path).exists());
    (!present).then(String::new)
}

/// `.python-version` and `runtime.txt`: the line the developers and the platform run.
fn python_files(root: &Path, found: &mut Manifests) {
    for file in [".python-version", "runtime.txt"] {
        let Ok(text) = read_manifest(root, file) else { continue };
        let Some((at, line)) = text
            .lines()
            .enumerate()
            .map(|(at, l)| (at, l.trim()))
            .find(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        else {
            continue;
        };
        let version = if file == "runtime.txt" { runtime_txt_version(line) } else { Some(line) };
        if let Some(version) = version {
            found.python.push(PythonSaid {
                text: version.to_string(),
                source: format!("{file}:{}", at + 1),
                range: false,
            });
        }
    }
}

/// The version a runtime.txt line names: Heroku's `python-3.11.9`, also `Python: 3.11.13 (main, …)` or
/// `python 3.11` as a version dump writes it.
fn runtime_txt_version(line: &str) -> Option<&str> {
    let rest = line.get(..6).filter(|word| word.eq_ignore_ascii_case("python")).map(|_| &line[6..])?;
    let rest = rest.trim_start_matches([' ', '-', ':', '=']);
    let end = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
    Some(&rest[..end]).filter(|version| version.contains('.') && version.starts_with(|c: char| c.is_ascii_digit()))
}

/// Pipfile: `[packages]` (not `[dev-packages]`) and `[requires] python_version`.
fn pipfile(root: &Path, found: &mut Manifests) -> anyhow::Result<()> {
    let text = read_manifest(root, "Pipfile")?;
    let doc = Document::parse(text.clone())
        .map_err(|e| anyhow::anyhow!("Pipfile: {}", crate::files::excerpt(e.message())))?;
    let file = Pyproject {
        file: "Pipfile".into(),
        text,
        doc,
    };
    // `[packages]`, and the categories of Pipenv 2022.10+ (`[deploy]`) that are not for development: the image
    // installs them too, as a deployment would.
    let tables: Vec<(&str, &Table)> = file
        .doc
        .as_table()
        .iter()
        .filter(|(name, _)| {
            !matches!(*name, "source" | "requires" | "scripts" | "pipenv" | "dev-packages")
                && !is_development_group(name)
        })
        .filter_map(|(name, item)| Some((name, item.as_table()?)))
        .collect();
    for (category, packages) in tables {
        if category != "packages" {
            found
                .pipenv_categories
                .push((category.to_string(), file.source(&[category])));
        }
        for (name, _) in packages {
            let version = packages.get(name).and_then(|v| v.as_str().or_else(|| v.get("version")?.as_str()));
            found.dependencies.push(Dependency {
                name: normalise(name),
                extras: Vec::new(),
                pinned: version.and_then(|v| exact(v.strip_prefix("==")?)),
                below: version.and_then(|v| super::requirements::upper_bound(&v.parse().ok()?)),
                source: file.key_source(packages, name),
            });
        }
    }
    if let Some(requires) = file.table(&["requires"]) {
        for key in ["python_full_version", "python_version"] {
            if let Some(version) = requires.get(key).and_then(Item::as_str) {
                found.python.push(PythonSaid {
                    text: version.to_string(),
                    source: file.key_source(requires, key),
                    range: false,
                });
                break;
            }
        }
    }
    Ok(())
}

/// The Poetry version a lock was written by: `# This file is automatically @generated by Poetry 1.8.3 and …`.
fn poetry_lock_version(text: &str) -> Option<(String, String)> {
    let (at, line) = text.lines().take(3).enumerate().find(|(_, l)| l.contains("@generated by Poetry"))?;
    let version = line.split("Poetry ").nth(1)?.split_whitespace().next()?;
    crate::validate::version(version)
        .is_ok()
        .then(|| (version.to_string(), format!("poetry.lock:{}", at + 1)))
}

/// A parsed TOML manifest with its text, for the line of each key.
struct Pyproject {
    /// The file's path in the repository, for evidence (`pyproject.toml`, `Pipfile`, `apps/api/pyproject.toml`).
    file: String,
    text: String,
    doc: Document<String>,
}

impl Pyproject {
    fn read(root: &Path, file: &str) -> anyhow::Result<Pyproject> {
        let text = read_manifest(root, file)?;
        let doc = Document::parse(text.clone())
            .map_err(|e| anyhow::anyhow!("{file}: {}", crate::files::excerpt(e.message())))?;
        Ok(Pyproject {
            file: file.to_string(),
            text,
            doc,
        })
    }

    /// The project a workspace member folder holds, by its `[project] name`.
    fn member(&self, dir: &str) -> Option<Member> {
        let project = self.table(&["project"])?;
        Some(Member {
            name: normalise(project.get("name")?.as_str()?),
            dir: dir.to_string(),
            source: self.key_source(project, "name"),
        })
    }

    fn table(&self, path: &[&str]) -> Option<&Table> {
        let mut table = self.doc.as_table();
        for key in path {
            table = table.get(key)?.as_table()?;
        }
        Some(table)
    }

    /// `pyproject.toml:LINE` of the table at `path` (its header, or its first key).
    fn source(&self, path: &[&str]) -> String {
        let line = self
            .table(path)
            .and_then(|t| t.span().or_else(|| t.iter().next().and_then(|(k, _)| t.key(k)?.span())))
            .map_or(1, |span| line_at(&self.text, span.start));
        format!("{}:{line}", self.file)
    }

    fn key_source(&self, table: &Table, key: &str) -> String {
        let line = table
            .key(key)
            .and_then(toml_edit::Key::span)
            .map_or(1, |span| line_at(&self.text, span.start));
        format!("{}:{line}", self.file)
    }

    /// The PEP 621 `[project]` table and Poetry's: dependencies, the Python range, scripts, and whether the
    /// project is itself a package.
    fn read_into(&self, found: &mut Manifests) {
        let has_backend = self.table(&["build-system"]).is_some_and(|t| t.contains_key("build-backend"));
        if let Some(project) = self.table(&["project"]) {
            if let Some(list) = project.get("dependencies").and_then(Item::as_array) {
                for value in list {
                    let Some(text) = value.as_str() else { continue };
                    let line = value.span().map_or(1, |s| line_at(&self.text, s.start));
                    if let Some(dependency) = pep508(text, &format!("{}:{line}", self.file)) {
                        found.dependencies.push(dependency);
                    }
                }
            }
            if let Some(range) = project.get("requires-python").and_then(Item::as_str) {
                found.python.push(PythonSaid {
                    text: range.to_string(),
                    source: self.key_source(project, "requires-python"),
                    range: true,
                });
            }
            self.scripts(project, found);
            found.installable |= has_backend;
        }
        if let Some(poetry) = self.table(&["tool", "poetry"]) {
            if let Some(dependencies) = poetry.get("dependencies").and_then(Item::as_table) {
                self.poetry_dependencies(dependencies, found);
            }
            // Groups a deployment installs: not the development ones, nor those Poetry leaves out unless asked.
            for (group, item) in poetry.get("group").and_then(Item::as_table).into_iter().flatten() {
                let optional = item.get("optional").and_then(Item::as_bool).unwrap_or(false);
                let Some(dependencies) = item.get("dependencies").and_then(Item::as_table) else { continue };
                if optional || is_development_group(group) || group == "main" {
                    continue;
                }
                found.poetry_groups.push((group.to_string(), self.source(&["tool", "poetry", "group", group])));
                self.poetry_dependencies(dependencies, found);
            }
            self.scripts(poetry, found);
            // Poetry 1.8+'s `package-mode = false`: dependencies only, no package of its own.
            let package_mode = poetry.get("package-mode").and_then(Item::as_bool).unwrap_or(true);
            found.installable |= package_mode && (has_backend || poetry.contains_key("name"));
        }
        if let Some(required) = self
            .table(&["tool", "uv"])
            .and_then(|uv| uv.get("required-version"))
            .and_then(Item::as_str)
        {
            let exact = required.strip_prefix("==").unwrap_or(required);
            if crate::validate::version(exact).is_ok() && exact.chars().all(|c| c.is_ascii_digit() || c == '.') {
                let uv = self.table(&["tool", "uv"]).expect("read above");
                found.manager_version = Some((exact.to_string(), self.key_source(uv, "required-version")));
            }
        }
    }

    /// A Poetry dependency table's packages (`python` is the interpreter's range, read as such).
    fn poetry_dependencies(&self, dependencies: &Table, found: &mut Manifests) {
        for (name, value) in dependencies {
            let source = self.key_source(dependencies, name);
            if name == "python" {
                if let Some(range) = value.as_str() {
                    found.python.push(PythonSaid {
                        text: range.to_string(),
                        source,
                        range: true,
                    });
                }
                continue;
            }
            let extras = value
                .get("extras")
                .and_then(Item::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(normalise)).collect())
                .unwrap_or_default();
            let version = value.as_str().or_else(|| value.get("version")?.as_str());
            found.dependencies.push(Dependency {
                name: normalise(name),
                extras,
                pinned: version.and_then(|v| exact(v.strip_prefix("==").unwrap_or(v))),
                below: version.and_then(super::requirements::poetry_upper_bound),
                source,
            });
        }
    }

    fn scripts(&self, table: &Table, found: &mut Manifests) {
        let Some(scripts) = table.get("scripts").and_then(Item::as_table) else {
            return;
        };
        for (name, value) in scripts {
            if let Some(target) = value.as_str() {
                found.scripts.push((name.to_string(), target.to_string(), self.key_source(scripts, name)));
            }
        }
    }
}

/// A plain release number (`2.9.5`), which Poetry and Pipfile read as an exact pin.
fn exact(version: &str) -> Option<String> {
    let plain = !version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.');
    plain.then(|| version.to_string())
}

/// The 1-based line of a byte offset.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count() + 1
}

/// pyproject.toml and Pipfile on their own, for the fuzz target.
pub(super) fn fuzz_text(text: &str) -> usize {
    let Ok(doc) = Document::parse(text.to_string()) else { return 0 };
    let file = Pyproject {
        file: "pyproject.toml".into(),
        text: text.to_string(),
        doc,
    };
    let mut found = Manifests::new(Manager::Pip, String::new(), false);
    file.read_into(&mut found);
    found.dependencies.len() + found.python.len() + found.scripts.len() + poetry_lock_version(text).map_or(0, |_| 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(files: &[&str], pyproject: &str) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let doc: Document<String> = pyproject.parse().unwrap();
        let poetry = doc.get("tool").and_then(|t| t.get("poetry")).and_then(Item::as_table);
        poetry_root_missing(dir.path(), poetry)
    }

    #[test]
    fn runtime_txt_names_its_line_in_the_forms_written() {
        assert_eq!(runtime_txt_version("python-3.11.9"), Some("3.11.9"));
        assert_eq!(runtime_txt_version("Python: 3.11.13 (main, Jun  4 2025, 08:57:29) [GCC 11.4.0]"), Some("3.11.13"));
        assert_eq!(runtime_txt_version("python 3.12"), Some("3.12"));
        assert_eq!(runtime_txt_version("sklearn: 1.6.1"), None);
        assert_eq!(runtime_txt_version("python-3"), None);
        assert_eq!(runtime_txt_version("pythö"), None);
    }

    #[test]
    fn a_lock_without_its_pyproject_leaves_the_requirement_file_to_pip() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("uv.lock"), "version = 1\n").unwrap();
        std::fs::write(dir.path().join("requirements.txt"), "fastapi==0.115.0\n").unwrap();
        let found = read(dir.path()).unwrap().unwrap();
        assert_eq!(found.manager, Manager::Pip);
        assert_eq!(found.requirements.as_deref(), Some("requirements.txt"));
        assert!(found.warnings[0].starts_with("uv.lock: no pyproject.toml beside it"), "{:?}", found.warnings);
        std::fs::remove_file(dir.path().join("requirements.txt")).unwrap();
        assert!(read(dir.path()).is_err());
    }

    #[test]
    fn development_sets_are_named_so() {
        assert!(names_development_set("requirements/dev.txt"));
        assert!(names_development_set("requirements-test.txt"));
        assert!(!names_development_set("req.txt"));
        assert!(!names_development_set("requirements/prod.txt"));
        assert!(!names_development_set("deps/server.txt"));
    }

    #[test]
    fn a_root_package_poetry_cannot_build_is_not_installed() {
        let project = "[tool.poetry]\nname = \"shop-api\"\nreadme = \"README.md\"\n";
        assert_eq!(missing(&["README.md", "shop_api/__init__.py"], project), None);
        assert_eq!(
            missing(&["readme.md", "shop_api/__init__.py"], project).as_deref(),
            Some("[tool.poetry] readme names README.md, which is not there")
        );
        let listed = "[tool.poetry]\nname = \"x\"\npackages = [{include = \"shop\", from = \"src\"}]\n";
        assert_eq!(missing(&["src/shop/__init__.py"], listed), None);
        assert_eq!(
            missing(&["Shop/__init__.py"], listed).as_deref(),
            Some("[tool.poetry] packages names shop, which is not there")
        );
        // No module of its name: not installed, as Poetry 2 would refuse it, with nothing to say.
        assert_eq!(missing(&[], "[tool.poetry]\nname = \"x\"\n").as_deref(), Some(""));
    }
}
