//! A Gradle build as its files say: the projects the settings script includes (each with its build script), the
//! version catalog's plugin aliases, the plugins declared once in the root with `apply false`, the wrapper's
//! Gradle version, and the Java line each project asks for.

use std::path::Path;

use anyhow::Result;

use super::script::{self, Script};
use crate::detect::jvm::config::properties_entries;
use crate::detect::jvm::line::java_release;
use crate::knowledge::jvm::GradlePlugin;
use crate::detect::{has_marker, join_rel, read_manifest, read_small_text, Fact};

/// The files whose presence makes this a Gradle build.
pub(super) const MARKERS: &[&str] = &["settings.gradle.kts", "settings.gradle", "build.gradle.kts", "build.gradle"];

/// How many included projects are read: a bound whatever the settings script says.
const MAX_PROJECTS: usize = 200;

/// One project of the build.
#[derive(Debug)]
pub(super) struct Project {
    /// Its Gradle path: `:` for the root, `:app`, `:services:api`.
    pub(super) path: String,
    /// Its folder, relative to the repository (`.`, `app`, `services/api`).
    pub(super) dir: String,
    /// Its build script.
    pub(super) file: String,
    /// Its project name: the settings' `rootProject.name` for the root (else the build folder's name, which is
    /// the image's working folder `src`), the last part of its path for the others.
    pub(super) name: String,
    /// Whether the build names it (a subproject, or a root with `rootProject.name`), not the folder it is in.
    pub(super) named: bool,
    /// Where its name is written: the settings script's line (`include`, `rootProject.name`), else its build
    /// script.
    pub(super) name_source: String,
    pub(super) script: Script,
}

impl Project {
    /// What goes before a task name in its path: nothing for the root, `:app` for `:app`.
    pub(super) fn path_prefix(&self) -> &str {
        if self.path == ":" {
            ""
        } else {
            &self.path
        }
    }
}

#[derive(Debug)]
pub(super) struct Build {
    /// The marker found first, for evidence.
    pub(super) evidence: String,
    pub(super) projects: Vec<Project>,
    /// The files the dependency layer is keyed on: settings and build scripts, the script files they apply,
    /// gradle.properties, the catalog.
    pub(super) scripts: Vec<String>,
    /// Folders of build logic the scripts need before anything resolves: `buildSrc`, included builds.
    pub(super) logic_dirs: Vec<String>,
    /// `gradlew` and `gradle/wrapper/gradle-wrapper.jar` are both committed.
    pub(super) wrapper_committed: bool,
    /// The wrapper properties' `distributionUrl` version, with its line.
    pub(super) gradle_version: Option<(String, String)>,
    /// `gradle/libs.versions.toml` `[plugins]`: accessor (`libs.plugins.spring.boot`) → (id, version).
    catalog: Vec<(String, String, Option<String>)>,
    /// The catalog's `[libraries]` (accessor → `group:artifact`) and `[bundles]` (accessor → libraries).
    libraries: Vec<(String, String)>,
    bundles: Vec<Bundle>,
    /// The settings script's `pluginManagement { plugins {} }` declarations (ids and versions).
    settings_plugins: Vec<script::Plugin>,
    /// gradle.properties: (key, value, `file:line`).
    properties: Vec<(String, String, String)>,
}

/// A catalog bundle: its accessor and its libraries' accessors.
type Bundle = (String, Vec<String>);

/// Reads the build at `root`; None when no Gradle script is there.
pub(super) fn read(root: &Path) -> Result<Option<Build>> {
    let mut evidence = None;
    for marker in MARKERS {
        if has_marker(root, marker)? {
            evidence.get_or_insert(*marker);
        }
    }
    let Some(evidence) = evidence else { return Ok(None) };
    let mut scripts = Vec::new();
    let settings_file = ["settings.gradle.kts", "settings.gradle"]
        .into_iter()
        .find(|f| root.join(f).is_file());
    let settings = match settings_file {
        Some(file) => {
            scripts.push(file.to_string());
            script::read(&read_manifest(root, file)?)
        }
        None => Script::default(),
    };
    let root_named = settings.setting(&[], "rootProject.name").map(|s| s.value.clone());
    let settings_line = |line: usize| settings_file.map(|file| format!("{file}:{line}"));
    let root_name_source = settings.setting(&[], "rootProject.name").and_then(|s| settings_line(s.line));
    let root_name = root_named.clone().unwrap_or_else(|| "src".to_string());
    let mut paths = vec![(":".to_string(), root_name_source)];
    for (include, line) in settings.includes.iter().take(MAX_PROJECTS) {
        let path = format!(":{}", include.trim_start_matches(':'));
        if !paths.iter().any(|(p, _)| *p == path) && path.split(':').skip(1).all(safe_segment) {
            paths.push((path, settings_line(*line)));
        }
    }
    let mut projects = Vec::new();
    for (path, name_source) in paths {
        let dir = if path == ":" { ".".to_string() } else { path[1..].replace(':', "/") };
        let Some(file) = ["build.gradle.kts", "build.gradle"]
            .into_iter()
            .map(|name| join_rel(&dir, name))
            .find(|file| root.join(file).is_file())
        else {
            continue;
        };
        let script = script::read(&read_manifest(root, &file)?);
        scripts.push(file.clone());
        let name = if path == ":" { root_name.clone() } else { path.rsplit(':').next().unwrap_or_default().to_string() };
        let named = path != ":" || root_named.is_some();
        let name_source = name_source.unwrap_or_else(|| file.clone());
        projects.push(Project { path, dir, file, name, named, name_source, script });
    }
    let mut build_logic: Vec<String> = Vec::new();
    let included = settings.included_builds.iter();
    for dir in std::iter::once(&"buildSrc".to_string()).chain(included) {
        let dir = dir.trim_start_matches("./").trim_end_matches('/').to_string();
        if dir.split('/').all(safe_segment) && root.join(&dir).is_dir() && !build_logic.contains(&dir) {
            build_logic.push(dir);
        }
    }
    let applied = settings.applied_files.iter().chain(projects.iter().flat_map(|p| {
        p.script.applied_files.iter()
    }));
    for file in applied {
        let file = file.trim_start_matches("./").to_string();
        if file.split('/').all(safe_segment) && root.join(&file).is_file() && !scripts.contains(&file) {
            scripts.push(file);
        }
    }
    for extra in ["gradle.properties", "gradle/libs.versions.toml"] {
        if root.join(extra).is_file() {
            scripts.push(extra.to_string());
        }
    }
    let catalog_text = read_small_text(&root.join("gradle/libs.versions.toml")).unwrap_or_default();
    let catalog = catalog_plugins(&catalog_text);
    let (libraries, bundles) = catalog_libraries(&catalog_text);
    let properties = read_small_text(&root.join("gradle.properties"))
        .map(|text| properties_entries(&text, "gradle.properties"))
        .unwrap_or_default();
    let wrapper_committed = root.join("gradlew").is_file() && root.join("gradle/wrapper/gradle-wrapper.jar").is_file();
    let gradle_version = read_small_text(&root.join("gradle/wrapper/gradle-wrapper.properties")).and_then(|t| wrapper_version(&t));
    Ok(Some(Build {
        evidence: evidence.to_string(),
        projects,
        scripts,
        logic_dirs: build_logic,
        wrapper_committed,
        gradle_version,
        catalog,
        libraries,
        bundles,
        settings_plugins: settings.plugins.clone(),
        properties,
    }))
}

/// A project path segment that is a plain folder name (no `..`, no separator, nothing a shell would read).
fn safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Build {
    /// The plugins a project applies, as (id, version, `file:line`): catalog aliases resolved, and the
    /// version a root `apply false` declaration gives a plugin the project applies without one.
    pub(super) fn applied_plugins(&self, project: &Project) -> Vec<(String, Option<String>, String)> {
        let resolve = |plugin: &script::Plugin| -> (String, Option<String>) {
            match self.catalog.iter().find(|(alias, _, _)| *alias == plugin.id) {
                Some((_, id, version)) => (id.clone(), plugin.version.clone().or_else(|| version.clone())),
                None => (plugin.id.clone(), plugin.version.clone()),
            }
        };
        // Versions declared once for the build: the root's `apply false` lines, the settings' plugin management.
        let declared: Vec<(String, Option<String>)> = self
            .projects
            .iter()
            .filter(|p| p.path == ":")
            .flat_map(|p| p.script.plugins.iter())
            .chain(&self.settings_plugins)
            .map(resolve)
            .collect();
        project
            .script
            .plugins
            .iter()
            .filter(|p| p.applied)
            .map(|p| {
                let (id, version) = resolve(p);
                let version = version.or_else(|| declared.iter().filter(|(d, _)| *d == id).find_map(|(_, v)| v.clone()));
                (id, version, format!("{}:{}", project.file, p.line))
            })
            .collect()
    }

    /// A plugin's version where a `plugins {}` line gives none: its jar on a `buildscript` classpath
    /// (`classpath "org.springframework.boot:spring-boot-gradle-plugin:${springBootVersion}"`), else the BOM that
    /// carries it (`platform(...)`, `mavenBom ...`), in the project's script or the root's; a `${name}` in it is
    /// read from the scripts' properties (`ext { name = ... }`) and gradle.properties. As (version, `file:line`).
    pub(super) fn plugin_version_elsewhere(&self, project: &Project, plugin: &GradlePlugin) -> Option<(String, String)> {
        let root = self.projects.iter().find(|p| p.path == ":");
        let scripts: Vec<&Project> = std::iter::once(project).chain(root.filter(|r| r.path != project.path)).collect();
        let modules = [plugin.classpath.as_deref(), plugin.bom.as_deref()];
        for module in modules.into_iter().flatten() {
            for candidate in &scripts {
                let script = &candidate.script;
                let from_dependency = script.dependencies.iter().find_map(|d| {
                    (format!("{}:{}", d.group, d.artifact) == module).then(|| Some((d.version.clone()?, d.line))).flatten()
                });
                let prefix = format!("{module}:");
                let from_setting = || {
                    script.settings.iter().find_map(|s| {
                        let notation = s.strings.iter().find(|v| v.starts_with(&prefix))?;
                        Some((notation[prefix.len()..].split(':').next()?.to_string(), s.line))
                    })
                };
                if let Some((written, line)) = from_dependency.or_else(from_setting) {
                    let source = format!("{}:{line}", candidate.file);
                    return self.property_value(&scripts, &written).map(|(v, s)| (v, s.unwrap_or(source)));
                }
            }
        }
        None
    }

    /// A version as written, with `${name}` (or `$name`) read from the scripts' settings or gradle.properties;
    /// with where the property was found. None when the property is defined nowhere.
    fn property_value(&self, scripts: &[&Project], written: &str) -> Option<(String, Option<String>)> {
        let Some(name) = written.strip_prefix("${").and_then(|n| n.strip_suffix('}')).or_else(|| written.strip_prefix('$')) else {
            return Some((written.to_string(), None));
        };
        let name = name.trim_start_matches("project.").trim_start_matches("rootProject.");
        scripts
            .iter()
            .find_map(|p| {
                let s = p.script.settings.iter().rev().find(|s| s.key == name || s.key.ends_with(&format!(".{name}")))?;
                Some((s.value.clone(), Some(format!("{}:{}", p.file, s.line))))
            })
            .or_else(|| {
                let (_, value, source) = self.properties.iter().find(|(key, _, _)| key == name)?;
                Some((value.clone(), Some(source.clone())))
            })
    }

    /// A project's dependencies with catalog accessors resolved to their modules (a bundle to each of its
    /// libraries); an accessor the catalog does not hold is left out.
    pub(super) fn dependencies(&self, project: &Project) -> Vec<script::Dependency> {
        let module = |accessor: &str| self.libraries.iter().find(|(a, _)| a == accessor).map(|(_, m)| m.clone());
        let mut resolved = Vec::new();
        for dependency in &project.script.dependencies {
            let Some(alias) = &dependency.alias else {
                resolved.push(dependency.clone());
                continue;
            };
            let modules: Vec<String> = match self.bundles.iter().find(|(a, _)| a == alias) {
                Some((_, members)) => members.iter().filter_map(|m| module(m)).collect(),
                None => module(alias).into_iter().collect(),
            };
            for notation in modules {
                if let Some((group, artifact)) = notation.split_once(':') {
                    resolved.push(script::Dependency {
                        group: group.to_string(),
                        artifact: artifact.split(':').next().unwrap_or_default().to_string(),
                        ..dependency.clone()
                    });
                }
            }
        }
        resolved
    }

    /// The Java release a project's build asks for: in each script, strongest first, a toolchain's
    /// `languageVersion`, Kotlin's `jvmToolchain(N)`, the compiler's `release`, Kotlin's `jvmTarget`, then
    /// `targetCompatibility` and `sourceCompatibility`; across the project's own script, those of the projects it
    /// depends on (`project(":core")`, followed through) and the root's (`allprojects`/`subprojects` blocks), the
    /// newest, which the program's classes need to run.
    pub(super) fn java_line(&self, project: &Project) -> Option<Fact> {
        let mut scripts: Vec<&Project> = vec![project];
        let mut at = 0;
        while let Some(current) = scripts.get(at) {
            for path in &current.script.project_dependencies {
                let path = format!(":{}", path.trim_start_matches(':'));
                if let Some(dependency) = self.projects.iter().find(|p| p.path == path) {
                    if !scripts.iter().any(|p| p.path == dependency.path) {
                        scripts.push(dependency);
                    }
                }
            }
            at += 1;
        }
        if let Some(root) = self.projects.iter().find(|p| p.path == ":") {
            if !scripts.iter().any(|p| p.path == ":") {
                scripts.push(root);
            }
        }
        let mut newest: Option<(u32, Fact)> = None;
        for candidate in scripts {
            let Some((release, fact)) = script_line(candidate) else { continue };
            if newest.as_ref().is_none_or(|(best, _)| release > *best) {
                newest = Some((release, fact));
            }
        }
        newest.map(|(_, fact)| fact)
    }
}

/// The Java release one project's script asks for, by the strongest setting it has.
fn script_line(project: &Project) -> Option<(u32, Fact)> {
    // Kotlin's compiler has a `languageVersion` of its own: only a toolchain's is the Java line.
    let asks = |s: &&script::Setting, key: &str| match key {
        "languageVersion" => {
            (s.key == key && s.blocks.iter().any(|b| b == "toolchain")) || s.key.ends_with("toolchain.languageVersion")
        }
        _ => s.key == key || s.key.ends_with(&format!(".{key}")),
    };
    ["languageVersion", "jvmToolchain", "options.release", "jvmTarget", "targetCompatibility", "sourceCompatibility"]
        .iter()
        .find_map(|key| {
            let setting = project.script.settings.iter().rev().find(|s| asks(s, key))?;
            let release = java_release(setting.value.trim())?;
            let number = release.parse().ok()?;
            let fact = Fact::new(release, format!("{}:{}", project.file, setting.line))
                .with_note(format!("{} = {}", setting.key, setting.value));
            Some((number, fact))
        })
}

/// `distributionUrl=https\://services.gradle.org/distributions/gradle-8.10.2-bin.zip` → (`8.10.2`, line).
fn wrapper_version(text: &str) -> Option<(String, String)> {
    text.lines().enumerate().find_map(|(at, line)| {
        let url = line.trim().strip_prefix("distributionUrl")?.trim_start().strip_prefix('=')?;
        let file = url.rsplit('/').next()?;
        let version = file.strip_prefix("gradle-")?.rsplit_once('-')?.0;
        crate::validate::version(version)
            .is_ok()
            .then(|| (version.to_string(), format!("gradle/wrapper/gradle-wrapper.properties:{}", at + 1)))
    })
}

/// The catalog's `[plugins]`: `spring-boot = { id = "org.springframework.boot", version.ref = "boot" }` is the
/// accessor `libs.plugins.spring.boot` (Gradle reads `-`, `_` and `.` as one separator).
fn catalog_plugins(text: &str) -> Vec<(String, String, Option<String>)> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else { return Vec::new() };
    let versions = table.get("versions").and_then(toml::Value::as_table);
    let Some(plugins) = table.get("plugins").and_then(toml::Value::as_table) else { return Vec::new() };
    plugins
        .iter()
        .filter_map(|(alias, spec)| {
            let (id, version) = match spec {
                // `alias = "id:version"`
                toml::Value::String(notation) => {
                    let (id, version) = notation.split_once(':').map_or((notation.as_str(), None), |(i, v)| (i, Some(v.to_string())));
                    (id.to_string(), version)
                }
                toml::Value::Table(spec) => {
                    let id = spec.get("id")?.as_str()?.to_string();
                    let version = match spec.get("version") {
                        Some(toml::Value::String(v)) => Some(v.clone()),
                        Some(toml::Value::Table(v)) => v
                            .get("ref")
                            .and_then(toml::Value::as_str)
                            .and_then(|r| versions?.get(r)?.as_str().map(String::from)),
                        _ => None,
                    };
                    (id, version)
                }
                _ => return None,
            };
            Some((format!("libs.plugins.{}", alias.replace(['-', '_'], ".")), id, version))
        })
        .collect()
}

/// The catalog's `[libraries]` as accessors to `group:artifact` (`spring-boot-web = { module = "g:a" }`,
/// `{ group = "g", name = "a" }` or `"g:a:v"`), and its `[bundles]` as accessors to library accessors.
fn catalog_libraries(text: &str) -> (Vec<(String, String)>, Vec<Bundle>) {
    let Ok(table) = toml::from_str::<toml::Table>(text) else { return (Vec::new(), Vec::new()) };
    let accessor = |prefix: &str, key: &str| format!("libs.{prefix}{}", key.replace(['-', '_'], "."));
    let libraries = table
        .get("libraries")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .filter_map(|(key, spec)| {
            let module = match spec {
                toml::Value::String(notation) => notation.clone(),
                toml::Value::Table(spec) => match spec.get("module").and_then(toml::Value::as_str) {
                    Some(module) => module.to_string(),
                    None => format!("{}:{}", spec.get("group")?.as_str()?, spec.get("name")?.as_str()?),
                },
                _ => return None,
            };
            Some((accessor("", key), module))
        })
        .collect();
    let bundles = table
        .get("bundles")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .map(|(key, members)| {
            let members = members
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| Some(accessor("", m.as_str()?)))
                .collect();
            (accessor("bundles.", key), members)
        })
        .collect();
    (libraries, bundles)
}

/// The build's own text readers, for the fuzz target.
pub(super) fn fuzz_text(text: &str) -> usize {
    let (libraries, bundles) = catalog_libraries(text);
    wrapper_version(text).map_or(0, |_| 1) + catalog_plugins(text).len() + libraries.len() + bundles.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrapper_names_its_gradle() {
        let properties = "distributionBase=GRADLE_USER_HOME\ndistributionUrl=https\\://services.gradle.org/distributions/gradle-8.10.2-bin.zip\n";
        assert_eq!(
            wrapper_version(properties),
            Some(("8.10.2".into(), "gradle/wrapper/gradle-wrapper.properties:2".into()))
        );
        assert_eq!(wrapper_version("distributionUrl=https\\://x/gradle-8.0;rm-bin.zip"), None);
    }

    #[test]
    fn catalog_aliases_resolve_to_ids_and_versions() {
        let catalog = "[versions]\nboot = \"3.3.2\"\n[plugins]\nspring-boot = { id = \"org.springframework.boot\", version.ref = \"boot\" }\nktlint = \"org.jlleitschuh.gradle.ktlint:12.1.0\"\n";
        let plugins = catalog_plugins(catalog);
        assert!(plugins.contains(&("libs.plugins.spring.boot".into(), "org.springframework.boot".into(), Some("3.3.2".into()))));
        assert!(plugins.contains(&("libs.plugins.ktlint".into(), "org.jlleitschuh.gradle.ktlint".into(), Some("12.1.0".into()))));
    }

    #[test]
    fn catalog_libraries_and_bundles_resolve_to_modules() {
        let catalog = "[libraries]\nspring-boot-web = { module = \"org.springframework.boot:spring-boot-starter-web\" }\n\
                       ktor-server = { group = \"io.ktor\", name = \"ktor-server-netty\", version = \"3.0.0\" }\n\
                       pg = \"org.postgresql:postgresql:42.7.4\"\n[bundles]\nweb = [\"ktor-server\", \"pg\"]\n";
        let (libraries, bundles) = catalog_libraries(catalog);
        assert!(libraries.contains(&("libs.spring.boot.web".into(), "org.springframework.boot:spring-boot-starter-web".into())));
        assert!(libraries.contains(&("libs.ktor.server".into(), "io.ktor:ktor-server-netty".into())));
        assert_eq!(bundles, vec![("libs.bundles.web".to_string(), vec!["libs.ktor.server".to_string(), "libs.pg".to_string()])]);
    }

    #[test]
    fn project_paths_stay_inside_the_repository() {
        assert!(safe_segment("app") && safe_segment("web-api"));
        assert!(!safe_segment("..") && !safe_segment("a/b") && !safe_segment("x;y") && !safe_segment(""));
    }
}
