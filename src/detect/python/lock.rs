//! The packages a lock file pins (uv.lock, poetry.lock, pdm.lock), with the wheel files it lists for each:
//! what the install will hold, direct or not. Poetry before 1.3 kept the files apart, under
//! `[metadata.files]`.

use std::path::Path;

use crate::detect::read_manifest;
use super::requirements::Dependency;
use crate::knowledge::python::normalise;

/// One locked package: its normalised name, version and the file names of its wheels and sources.
#[derive(Debug, Clone)]
pub(super) struct Locked {
    pub(super) name: String,
    pub(super) version: String,
    pub(super) files: Vec<String>,
    /// Whether the production install holds it: Poetry's `groups`/`category` and PDM's `groups` say so per
    /// package; for uv.lock, what the project's own non-development dependencies reach.
    pub(super) main: bool,
}

/// The packages of the lock `file` at `root`; None when it cannot be read or parsed.
pub(super) fn read(root: &Path, file: &str) -> Option<Vec<Locked>> {
    parse(&read_manifest(root, file).ok()?)
}

/// Pipfile.lock's `default` section: the packages `pipenv install --deploy` installs, direct or brought by
/// another (it lists hashes, not file names). None when it cannot be read or parsed.
pub(super) fn read_pipfile(root: &Path) -> Option<Vec<Locked>> {
    let doc: serde_json::Value = serde_json::from_str(&read_manifest(root, "Pipfile.lock").ok()?).ok()?;
    let default = doc.get("default")?.as_object()?;
    let locked = default.iter().map(|(name, entry)| Locked {
        name: normalise(name),
        version: entry
            .get("version")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .trim_start_matches("==")
            .to_string(),
        files: Vec::new(),
        main: true,
    });
    Some(locked.collect())
}

pub(super) fn parse(text: &str) -> Option<Vec<Locked>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let old_files = table
        .get("metadata")
        .and_then(|m| m.get("files"))
        .and_then(toml::Value::as_table);
    let packages = table.get("package")?.as_array()?;
    Some::<Vec<Locked>>(
        packages
            .iter()
            .filter_map(|package| {
                let name = package.get("name")?.as_str()?;
                let version = package.get("version").and_then(toml::Value::as_str).unwrap_or_default();
                let listed = ["wheels", "files"]
                    .iter()
                    .filter_map(|key| package.get(*key)?.as_array())
                    .flatten()
                    .chain(old_files.and_then(|f| f.get(name)?.as_array()).into_iter().flatten());
                let files = listed
                    .filter_map(|entry| {
                        let named = entry.get("file").or_else(|| entry.get("url"))?.as_str()?;
                        Some(named.rsplit('/').next().unwrap_or(named).to_string())
                    })
                    .collect();
                let main = match (package.get("groups"), package.get("category")) {
                    (Some(groups), _) => groups
                        .as_array()
                        .is_some_and(|g| g.iter().any(|g| matches!(g.as_str(), Some("main" | "default")))),
                    (None, Some(category)) => category.as_str() == Some("main"),
                    (None, None) => true,
                };
                Some(Locked {
                    name: normalise(name),
                    version: version.to_string(),
                    files,
                    main,
                })
            })
            .collect::<Vec<_>>(),
    )
    .map(|mut locked| {
        mark_reached_by_project(packages, &mut locked);
        locked
    })
}

/// The dependencies pyproject.toml declares that uv.lock's project does not record (`[package.metadata]
/// requires-dist`, what the lock was made from): a lock out of date, which `uv sync --frozen` would install as it
/// is, without them. None when the lock records nothing to compare (no metadata, several projects).
pub(super) fn uv_unlocked<'d>(text: &str, declared: &'d [Dependency]) -> Option<Vec<&'d Dependency>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let packages = table.get("package")?.as_array()?;
    let mut projects = packages.iter().filter(|p| {
        p.get("source")
            .is_some_and(|s| s.get("editable").or_else(|| s.get("virtual")).and_then(toml::Value::as_str) == Some("."))
    });
    let project = projects.next()?;
    if projects.next().is_some() {
        return None;
    }
    let recorded: Vec<String> = project
        .get("metadata")?
        .get("requires-dist")?
        .as_array()?
        .iter()
        .filter_map(|d| Some(normalise(d.get("name")?.as_str()?)))
        .collect();
    let missing: Vec<&Dependency> = declared.iter().filter(|d| !recorded.contains(&normalise(&d.name))).collect();
    (!missing.is_empty()).then_some(missing)
}

/// uv.lock: only what the project's own packages (`source = { editable = "." }` or `virtual`) reach through
/// their `dependencies` (not their `dev-dependencies`) is installed by `uv sync --no-dev`, with the extras each
/// edge asks for (`{ name = "litestar", extra = ["full"] }` reaches what litestar's `full` lists).
fn mark_reached_by_project(packages: &[toml::Value], locked: &mut [Locked]) {
    // Each edge: the package's name and the extras it is asked for.
    let edges = |list: Option<&toml::Value>| -> Vec<(String, Vec<String>)> {
        list.and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| {
                let extras = d.get("extra").and_then(toml::Value::as_array).into_iter().flatten();
                Some((normalise(d.get("name")?.as_str()?), extras.filter_map(|e| Some(normalise(e.as_str()?))).collect()))
            })
            .collect()
    };
    let is_project = |package: &toml::Value| {
        package
            .get("source")
            .is_some_and(|s| s.get("editable").is_some() || s.get("virtual").is_some())
    };
    let mut queue: Vec<(String, Vec<String>)> =
        packages.iter().filter(|p| is_project(p)).flat_map(|p| edges(p.get("dependencies"))).collect();
    if queue.is_empty() {
        return; // not a uv lock, or a project uv does not describe: the per-package markers stand
    }
    let mut reached: Vec<String> = packages
        .iter()
        .filter(|p| is_project(p))
        .filter_map(|p| Some(normalise(p.get("name")?.as_str()?)))
        .collect();
    // Each extra is followed once, whichever edge asks for it first.
    let mut followed_extras: Vec<(String, String)> = Vec::new();
    while let Some((name, extras)) = queue.pop() {
        let package = packages
            .iter()
            .find(|p| p.get("name").and_then(toml::Value::as_str).map(normalise).as_deref() == Some(name.as_str()));
        if let Some(package) = package {
            for extra in extras {
                if followed_extras.iter().any(|(n, e)| *n == name && *e == extra) {
                    continue;
                }
                queue.extend(edges(package.get("optional-dependencies").and_then(|o| o.get(&extra))));
                followed_extras.push((name.clone(), extra));
            }
            if !reached.contains(&name) {
                queue.extend(edges(package.get("dependencies")));
            }
        }
        if !reached.contains(&name) {
            reached.push(name);
        }
    }
    for package in locked {
        package.main = reached.contains(&package.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_poetry_locks_keep_their_files_apart() {
        let lock = "[[package]]\nname = \"greenlet\"\nversion = \"1.1.2\"\n\n[metadata.files]\ngreenlet = [\n  \
                    {file = \"greenlet-1.1.2-cp310-cp310-manylinux_2_17_x86_64.whl\", hash = \"sha256:0\"},\n]\n";
        let packages = parse(lock).unwrap();
        assert_eq!(packages[0].files, vec!["greenlet-1.1.2-cp310-cp310-manylinux_2_17_x86_64.whl"]);
    }

    #[test]
    fn uv_locks_install_what_the_project_reaches() {
        let lock = "[[package]]\nname = \"app\"\nversion = \"0\"\nsource = { virtual = \".\" }\n\
                    dependencies = [{ name = \"uvicorn-worker\" }]\n[package.dev-dependencies]\ndev = [{ name = \"pytest\" }]\n\n\
                    [[package]]\nname = \"uvicorn-worker\"\nversion = \"1\"\ndependencies = [{ name = \"gunicorn\" }]\n\n\
                    [[package]]\nname = \"gunicorn\"\nversion = \"23\"\n\n[[package]]\nname = \"pytest\"\nversion = \"8\"\n";
        let packages = parse(lock).unwrap();
        let main: Vec<&str> = packages.iter().filter(|p| p.main).map(|p| p.name.as_str()).collect();
        assert_eq!(main, vec!["app", "uvicorn-worker", "gunicorn"]);
    }

    #[test]
    fn uv_locks_follow_the_extras_the_project_asks_for() {
        let lock = "[[package]]\nname = \"app\"\nversion = \"0\"\nsource = { editable = \".\" }\n\
                    dependencies = [{ name = \"litestar\", extra = [\"full\"] }]\n\n\
                    [[package]]\nname = \"litestar\"\nversion = \"2\"\ndependencies = [{ name = \"anyio\" }]\n\
                    [package.optional-dependencies]\nfull = [{ name = \"uvicorn\", extra = [\"standard\"] }]\n\
                    redis = [{ name = \"redis\" }]\n\n\
                    [[package]]\nname = \"uvicorn\"\nversion = \"0.34\"\n[package.optional-dependencies]\n\
                    standard = [{ name = \"uvloop\" }]\n\n[[package]]\nname = \"anyio\"\nversion = \"4\"\n\n\
                    [[package]]\nname = \"uvloop\"\nversion = \"0.21\"\n\n[[package]]\nname = \"redis\"\nversion = \"5\"\n";
        let packages = parse(lock).unwrap();
        let main: Vec<&str> = packages.iter().filter(|p| p.main).map(|p| p.name.as_str()).collect();
        assert_eq!(main, vec!["app", "litestar", "uvicorn", "anyio", "uvloop"]);
    }
}
