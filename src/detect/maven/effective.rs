//! The effective POM of each project in the build: its pom.xml read with the properties and dependencies of its
//! in-repository parents and of the profiles Maven activates on its own, and the reactor of modules it lists.
//! What Maven would compute before building, as far as the repository says it.

use std::path::Path;

use anyhow::{bail, Result};

use super::pom::{self, Dependency, Plugin, Pom, Profile, Props};
use super::{java, join_rel, read_manifest};

/// How deep `<modules>` may nest before dockgen stops following them.
const MAX_MODULE_DEPTH: usize = 6;

/// One pom.xml of the build, with the properties it sees (its parents' and its own).
pub(super) struct Project {
    /// Directory relative to the build root, "." for the root.
    pub(super) dir: String,
    pub(super) file: String,
    pub(super) pom: Pom,
    pub(super) props: Props,
    /// The Spring Boot parent's version when the parent chain ends in spring-boot-starter-parent.
    pub(super) boot_parent: Option<(String, String)>,
    /// Dependencies declared here, in active profiles and in in-repository parents.
    pub(super) dependencies: Vec<Dependency>,
    pub(super) plugins: Vec<Plugin>,
    /// Modules added by profiles Maven activates without being asked: `(module, line, profile id)`.
    pub(super) profile_modules: Vec<(String, usize, String)>,
}

/// Reads the pom in `dir` and, recursively, the modules it (and its active profiles) lists.
pub(super) fn load_reactor(root: &Path, dir: &str, depth: usize, out: &mut Vec<Project>) -> Result<()> {
    let project = load_project(root, dir, 0)?;
    let mut modules: Vec<(String, usize)> = project.pom.modules.clone();
    modules.extend(project.profile_modules.iter().map(|(m, l, _)| (m.clone(), *l)));
    let file = project.file.clone();
    out.push(project);
    if depth >= MAX_MODULE_DEPTH {
        return Ok(());
    }
    for (module, line) in modules {
        let module_dir = join_dir(dir, &module)
            .ok_or_else(|| anyhow::anyhow!("{file}:{line}: module `{module}` is outside the build context"))?;
        let module_pom = if Path::new(&module_dir)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
        {
            module_dir.clone()
        } else {
            join_rel(&module_dir, "pom.xml")
        };
        if !root.join(&module_pom).is_file() {
            bail!("{file}:{line}: module `{module}` has no {module_pom}");
        }
        let module_dir = module_pom
            .rsplit_once('/')
            .map_or(".".to_string(), |(d, _)| d.to_string());
        if out.iter().any(|p| p.dir == module_dir) {
            continue; // listed twice (a module and a profile's module): read once
        }
        load_reactor(root, &module_dir, depth + 1, out)?;
    }
    Ok(())
}

/// The profiles Maven activates on its own: `activeByDefault` ones (unless another profile of the pom is
/// active) and those whose `<jdk>` matches the Java release the build uses.
fn active_profiles<'a>(pom: &'a Pom, props: &Props) -> Vec<&'a Profile> {
    let release = java::release_from_props(props).and_then(|(r, _, _)| r.parse().ok());
    let by_jdk: Vec<&Profile> = pom
        .profiles
        .iter()
        .filter(|p| {
            p.jdk
                .as_deref()
                .zip(release)
                .is_some_and(|(spec, release)| java::jdk_activation_matches(spec, release))
        })
        .collect();
    if !by_jdk.is_empty() {
        return by_jdk;
    }
    pom.profiles.iter().filter(|p| p.active_by_default).collect()
}

/// What a pom inherits from its parent: properties, the Spring Boot parent's version, dependencies, plugins.
#[derive(Default)]
struct Inherited {
    props: Props,
    boot_parent: Option<(String, String)>,
    dependencies: Vec<Dependency>,
    plugins: Vec<Plugin>,
}

/// The in-repository parent (by `relativePath`, default `../pom.xml`) when it is the declared one; an
/// external Spring Boot parent is known by name.
fn inherit(root: &Path, dir: &str, depth: usize, pom: &Pom, file: &str) -> Result<Inherited> {
    let mut inherited = Inherited::default();
    let Some(parent) = &pom.parent else {
        return Ok(inherited);
    };
    let local = parent_dir(dir, parent.relative_path.as_deref())
        .filter(|_| depth < MAX_MODULE_DEPTH)
        .and_then(|parent_dir| {
            let parent_file = join_rel(&parent_dir, "pom.xml");
            root.join(&parent_file).is_file().then_some(parent_dir)
        });
    let loaded = match local {
        Some(parent_dir) => {
            let loaded = load_project(root, &parent_dir, depth + 1)?;
            let same = loaded
                .pom
                .artifact_id
                .as_ref()
                .is_some_and(|(a, _)| *a == parent.artifact_id);
            same.then_some(loaded)
        }
        None => None,
    };
    if let Some(parent_project) = loaded {
        inherited = Inherited {
            props: parent_project.props,
            boot_parent: parent_project.boot_parent,
            dependencies: parent_project.dependencies,
            plugins: parent_project.plugins,
        };
    } else if parent.artifact_id == "spring-boot-starter-parent" {
        let version = inherited
            .props
            .resolve(&parent.version)
            .unwrap_or_else(|_| parent.version.clone());
        inherited.boot_parent = Some((version, format!("{file}:{}", parent.line)));
    }
    let at = format!("{file}:{}", parent.line);
    inherited
        .props
        .set("project.parent.version", &parent.version, at.clone());
    inherited.props.set("project.parent.groupId", &parent.group_id, at);
    Ok(inherited)
}

/// Reads one pom with what it inherits from its in-repository parents and its active profiles.
fn load_project(root: &Path, dir: &str, depth: usize) -> Result<Project> {
    let file = join_rel(dir, "pom.xml");
    let pom = pom::parse(&read_manifest(root, &file)?).map_err(|e| anyhow::anyhow!("{file}:{e}"))?;
    let Inherited {
        mut props,
        boot_parent,
        mut dependencies,
        mut plugins,
    } = inherit(root, dir, depth, &pom, &file)?;
    if let Some((version, source)) = &boot_parent {
        // The Spring Boot parent sets java.version: 17 from Boot 3, 1.8 before. The pom may override it.
        if props.get("java.version").is_none() {
            let default = if version.starts_with("2.") || version.starts_with("1.") {
                "1.8"
            } else {
                "17"
            };
            props.set(
                "java.version",
                default,
                format!("{source} (spring-boot-starter-parent {version})"),
            );
        }
    }
    for (name, (value, line)) in &pom.properties {
        props.set(name, value, format!("{file}:{line}"));
    }
    let active = active_profiles(&pom, &props);
    let inherited_version = pom.parent.as_ref().map(|p| (p.version.clone(), p.line));
    for (key, value) in [
        ("project.artifactId", pom.artifact_id.clone()),
        (
            "project.groupId",
            pom.group_id
                .clone()
                .or_else(|| pom.parent.as_ref().map(|p| (p.group_id.clone(), p.line))),
        ),
        ("project.version", pom.version.clone().or(inherited_version)),
    ] {
        if let Some((value, line)) = value {
            props.set(key, &value, format!("{file}:{line}"));
            props.set(&key.replace("project.", "pom."), &value, format!("{file}:{line}"));
        }
    }
    dependencies.extend(pom.dependencies.iter().cloned());
    plugins.extend(pom.plugins.iter().cloned());
    for profile in &active {
        for (name, (value, line)) in &profile.properties {
            props.set(name, value, format!("{file}:{line}"));
        }
        dependencies.extend(profile.dependencies.iter().cloned());
        plugins.extend(profile.plugins.iter().cloned());
    }
    let profile_modules = active
        .iter()
        .flat_map(|p| p.modules.iter().map(|(m, l)| (m.clone(), *l, p.id.clone())))
        .collect();
    Ok(Project {
        profile_modules,
        dir: dir.to_string(),
        file,
        pom,
        props,
        boot_parent,
        dependencies,
        plugins,
    })
}

fn parent_dir(dir: &str, relative_path: Option<&str>) -> Option<String> {
    match relative_path {
        Some("") => None,
        Some(path) => {
            let path = path.strip_suffix("pom.xml").unwrap_or(path).trim_end_matches('/');
            join_dir(dir, if path.is_empty() { "." } else { path })
        }
        None => join_dir(dir, ".."),
    }
}

/// Joins a relative path onto `dir`, resolving `.` and `..`; None when it leaves the build root.
fn join_dir(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dir == "." {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

pub(super) fn plugin<'a>(project: &'a Project, artifact_id: &str) -> Option<&'a Plugin> {
    project.plugins.iter().rev().find(|p| p.artifact_id == artifact_id)
}

/// A resolved value with its evidence, or a warning when a property it uses is undefined.
pub(super) fn resolved(project: &Project, value: &str, line: usize, warnings: &mut Vec<String>) -> Option<(String, String)> {
    match project.props.resolve(value) {
        Ok(v) => Some((v, format!("{}:{line}", project.file))),
        Err(why) => {
            warnings.push(format!("{}:{line}: {why}", project.file));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_stay_in_the_root() {
        assert_eq!(join_dir("a", "../b").as_deref(), Some("b"));
        assert_eq!(join_dir(".", "x/./y/").as_deref(), Some("x/y"));
        assert_eq!(join_dir(".", "../out"), None);
        assert_eq!(parent_dir("app", None).as_deref(), Some("."));
        assert_eq!(parent_dir("app", Some("")), None);
        assert_eq!(parent_dir("a/b", Some("../../pom.xml")).as_deref(), Some("."));
    }
}
