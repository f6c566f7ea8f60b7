//! A Gradle build as its files say: the projects the settings script includes (each with its build script), the
//! version catalog's plugin aliases, the plugins declared once in the root with `apply false`, the wrapper's
//! Gradle version, and the Java line each project asks for.

use std::path::Path;

use anyhow::Result;

use super::catalog::{catalog_libraries, catalog_plugins, Bundle};
use super::logic::{container_gradle, conventions, logic_scripts, MAX_CONVENTIONS};
pub(super) use super::project::Project;
use super::script::{self, Scope, Script};
use crate::detect::jvm::config::properties_entries;
use crate::detect::jvm::line::java_release;
use crate::knowledge::jvm::GradlePlugin;
use crate::detect::{has_marker, join_rel, read_manifest, read_small_text, Fact};

/// The files whose presence makes this a Gradle build.
pub(super) const MARKERS: &[&str] = &["settings.gradle.kts", "settings.gradle", "build.gradle.kts", "build.gradle"];

/// How many included projects are read: a bound whatever the settings script says.
const MAX_PROJECTS: usize = 200;


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
    /// The wrapper properties' `distributionUrl` version, else a `FROM gradle:VERSION` of the project's own
    /// Dockerfile, with its line.
    pub(super) gradle_version: Option<(String, String)>,
    /// `gradle/libs.versions.toml` `[plugins]`: accessor (`libs.plugins.spring.boot`) → (id, version).
    catalog: Vec<(String, String, Option<String>)>,
    /// The catalog's `[libraries]` (accessor → `group:artifact`) and `[bundles]` (accessor → libraries).
    libraries: Vec<(String, String)>,
    bundles: Vec<Bundle>,
    /// The build scripts of the build logic folders (`buildSrc/build.gradle.kts`), whose dependencies put the
    /// plugins its convention plugins apply on their classpath, with their versions.
    logic_scripts: Vec<Project>,
    /// The precompiled script plugins of the build logic (`buildSrc/src/main/kotlin/spring-conventions.gradle.kts`
    /// is the plugin `spring-conventions`), each read as a project whose path is its plugin id.
    conventions: Vec<Project>,
    /// The settings script's `pluginManagement { plugins {} }` declarations (ids and versions).
    settings_plugins: Vec<script::Plugin>,
    /// gradle.properties: (key, value, `file:line`).
    properties: Vec<(String, String, String)>,
}


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
    let gradle_version = read_small_text(&root.join("gradle/wrapper/gradle-wrapper.properties"))
        .and_then(|t| wrapper_version(&t))
        .or_else(|| container_gradle(root));
    let conventions = conventions(root, &build_logic)?;
    let logic_scripts = logic_scripts(root, &build_logic)?;
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
        conventions,
        logic_scripts,
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
        // The project's own plugins, the root's `subprojects {}`/`allprojects {}` ones, then those of the convention
        // plugins it applies (buildSrc, included builds), followed through.
        let root = self.projects.iter().find(|p| p.path == ":");
        let inherited = root.filter(|r| r.path != project.path).into_iter().flat_map(|r| {
            r.script.plugins.iter().filter(|p| p.scope != Scope::Own).map(move |p| (r, p))
        });
        let own = project.script.plugins.iter().filter(|p| p.scope != Scope::Subprojects).map(|p| (project, p));
        let conventions = self.conventions_of(project);
        let from_conventions = conventions.iter().flat_map(|c| c.script.plugins.iter().map(move |p| (*c, p)));
        let mut applied: Vec<(String, Option<String>, String)> = Vec::new();
        for (owner, plugin) in own.chain(inherited).chain(from_conventions).filter(|(_, p)| p.applied) {
            let (id, version) = resolve(plugin);
            let version = version.or_else(|| declared.iter().filter(|(d, _)| *d == id).find_map(|(_, v)| v.clone()));
            if !applied.iter().any(|(a, _, _)| *a == id) {
                applied.push((id, version, format!("{}:{}", owner.file, plugin.line)));
            }
        }
        applied
    }

    /// The convention plugins (precompiled script plugins of buildSrc and included builds) a project applies,
    /// and those they apply, by their ids.
    pub(super) fn conventions_of(&self, project: &Project) -> Vec<&Project> {
        let mut found: Vec<&Project> = Vec::new();
        let mut ids: Vec<&str> = project.script.plugins.iter().map(|p| p.id.as_str()).collect();
        while let Some(id) = ids.pop() {
            if let Some(convention) = self.conventions.iter().find(|c| c.path == id) {
                if !found.iter().any(|f| f.path == convention.path) && found.len() < MAX_CONVENTIONS {
                    found.push(convention);
                    ids.extend(convention.script.plugins.iter().map(|p| p.id.as_str()));
                }
            }
        }
        found
    }

    /// The settings that configure a project in Gradle's order: the root's `allprojects {}`/`subprojects {}`
    /// blocks first (for a subproject), then the project's own script (its own such blocks left out).
    pub(super) fn settings_for<'a>(&'a self, project: &'a Project) -> Vec<(&'a Project, &'a script::Setting)> {
        let root = self.projects.iter().find(|p| p.path == ":").filter(|r| r.path != project.path);
        let inherited = root.into_iter().flat_map(|r| {
            r.script.settings.iter().filter(|s| Scope::of(&s.blocks) != Scope::Own).map(move |s| (r, s))
        });
        let own = project.script.settings.iter().filter(|s| Scope::of(&s.blocks) != Scope::Subprojects).map(move |s| (project, s));
        inherited.chain(own).collect()
    }

    /// A plugin's version where a `plugins {}` line gives none: its jar on a `buildscript` classpath
    /// (`classpath "org.springframework.boot:spring-boot-gradle-plugin:${springBootVersion}"`) or on the build
    /// logic's (`buildSrc/build.gradle.kts` `implementation(libs.spring.boot.gradle.plugin)`), else the BOM that
    /// carries it (`platform(...)`, `mavenBom ...`), in the project's script or the root's; a `${name}` in it is
    /// read from the scripts' properties (`ext { name = ... }`) and gradle.properties. As (version, `file:line`).
    pub(super) fn plugin_version_elsewhere(&self, project: &Project, plugin: &GradlePlugin) -> Option<(String, String)> {
        let root = self.projects.iter().find(|p| p.path == ":");
        let scripts: Vec<&Project> = std::iter::once(project)
            .chain(root.filter(|r| r.path != project.path))
            .chain(&self.logic_scripts)
            .collect();
        let modules = [plugin.classpath.as_deref(), plugin.bom.as_deref()];
        for module in modules.into_iter().flatten() {
            for candidate in &scripts {
                let script = &candidate.script;
                let from_dependency = self.dependencies(candidate).into_iter().find_map(|d| {
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
                let mut parts = notation.split(':');
                if let (Some(group), Some(artifact)) = (parts.next(), parts.next()) {
                    resolved.push(script::Dependency {
                        group: group.to_string(),
                        artifact: artifact.to_string(),
                        version: parts.next().map(String::from),
                        ..dependency.clone()
                    });
                }
            }
        }
        resolved
    }

    /// The Java release a project's build asks for: in each script, strongest first, a toolchain's
    /// `languageVersion`, Kotlin's `jvmToolchain(N)`, the compiler's `release`, Kotlin's `jvmTarget`, then
    /// `targetCompatibility` and `sourceCompatibility`; across the project's own script, its convention plugins, those of the projects it
    /// depends on (`project(":core")`, followed through) and the root's (`allprojects`/`subprojects` blocks), the
    /// newest, which the program's classes need to run.
    pub(super) fn java_line(&self, project: &Project) -> Option<Fact> {
        let mut scripts: Vec<&Project> = vec![project];
        scripts.extend(self.conventions_of(project));
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
    fn project_paths_stay_inside_the_repository() {
        assert!(safe_segment("app") && safe_segment("web-api"));
        assert!(!safe_segment("..") && !safe_segment("a/b") && !safe_segment("x;y") && !safe_segment(""));
    }
}
