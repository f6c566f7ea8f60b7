//! How a project is a program: the plugin of knowledge/jvm/gradle.toml it applies (Spring Boot, Quarkus,
//! Micronaut, Ktor, shadow, application), else an `application { mainClass }` block or a jar manifest's
//! Main-Class; with the task that builds it and, for a jar, the name the jar is found by.

use super::build::{Build, Project};
use super::script::Setting;
use crate::detect::jvm::config::Settings;
use crate::detect::{Fact, Facts};
use crate::knowledge::jvm::gradle;

/// What a project's build makes and how it starts.
pub(super) struct Program {
    /// `spring-boot`, `quarkus`, `application` (installDist's start script) or `jar` (java -jar).
    pub(super) launch: String,
    pub(super) task: String,
    /// `spring-boot`, `quarkus`, `micronaut`, `ktor` or `plain`.
    pub(super) framework: String,
    /// The `file:line` that says so.
    pub(super) evidence: String,
    /// For a jar: the name it is found by, when it is not the project's plain jar (`*-all.jar`).
    pub(super) jar_name: Option<Fact>,
}

/// The project's launch; None for a library, an error for a plugin not supported yet.
pub(super) fn of(project: &Project, applied: &[(String, Option<String>, String)]) -> Result<Option<Program>, String> {
    let named_main = main_class_setting(project).is_some() || project.script.main_class_attribute().is_some();
    let plugin = gradle()
        .plugin
        .iter()
        .filter(|p| named_main || !p.needs_main_class)
        .find_map(|p| applied.iter().find(|(id, _, _)| p.is(id)).map(|found| (p, found)));
    if let Some((p, (_, _, source))) = plugin {
        if let Some(why) = &p.unsupported {
            return Err(format!("{source}: {why}"));
        }
        let task = p.task.clone().unwrap_or_default();
        let jar_name = match &p.jar_name {
            Some(default) => Some(classified_jar(project, &task)?.unwrap_or_else(|| Fact::new(default.clone(), source.clone()))),
            None => None,
        };
        return Ok(Some(Program {
            launch: p.launch.clone().unwrap_or_default(),
            task,
            framework: p.framework.clone().unwrap_or_else(|| "plain".into()),
            evidence: source.clone(),
            jar_name,
        }));
    }
    // An `application { mainClass }` block compiles only where the application plugin is applied: here through a
    // convention plugin (buildSrc, an included build, a company plugin) the script does not name.
    let (launch, task, setting) = match (main_class_setting(project), project.script.main_class_attribute()) {
        (Some(setting), _) => ("application", "installDist", setting),
        (None, Some(setting)) => ("jar", "jar", setting),
        (None, None) => return Ok(None),
    };
    Ok(Some(Program {
        launch: launch.into(),
        task: task.into(),
        framework: "plain".into(),
        evidence: format!("{}:{}", project.file, setting.line),
        jar_name: None,
    }))
}

/// Why a project that applies a program's plugin is no program: its packaging task is switched off
/// (`bootJar { enabled = false }`: a library of a Boot build), or it has no sources (`src/main`, and no
/// `srcDirs` of its own: a root that only pins plugin versions for its subprojects).
pub(super) fn not_a_program(root: &std::path::Path, build: &Build, project: &Project, task: &str) -> Option<String> {
    let script = &project.script;
    // The last word wins: a subproject's own `bootJar { enabled = true }` undoes the root's `subprojects {}`.
    let switched = build.settings_for(project).into_iter().rev().find(|(_, s)| {
        (s.key == "enabled" && s.blocks.last().is_some_and(|b| b.eq_ignore_ascii_case(task)))
            || s.key == format!("{task}.enabled")
            || s.key == format!("tasks.{task}.enabled")
    });
    if let Some((owner, setting)) = switched.filter(|(_, s)| s.value == "false") {
        return Some(format!("{}:{}: its {task} task is disabled", owner.file, setting.line));
    }
    let own_sources = script.settings.iter().any(|s| s.key.contains("srcDir") || s.blocks.iter().any(|b| b == "sourceSets"));
    let folder = crate::detect::join_rel(&project.dir, "src/main");
    (!own_sources && !root.join(&folder).is_dir()).then(|| format!("{}: no {folder} folder, so nothing of its own to run", project.file))
}

/// The application plugin's main class: `application { mainClass }`, or Gradle 6's `mainClassName`.
pub(super) fn main_class_setting(project: &Project) -> Option<&Setting> {
    let script = &project.script;
    script
        .setting(&["application"], "mainClass")
        .or_else(|| script.setting(&[], "application.mainClass"))
        .or_else(|| script.setting(&[], "mainClassName"))
}

/// The jar a task configures its own name for: `archiveFileName`, else `archiveClassifier` (`classifier` before
/// Gradle 8), in a block named after the task or its type (`shadowJar {}`, `tasks.withType<ShadowJar> {}`);
/// an error for a name a file name should not hold.
fn classified_jar(project: &Project, task: &str) -> Result<Option<Fact>, String> {
    let configures = |s: &&Setting| s.blocks.last().is_some_and(|b| b.eq_ignore_ascii_case(task));
    let settings: Vec<&Setting> = project.script.settings.iter().filter(configures).collect();
    let last = |key: &str| settings.iter().rev().find(|s| s.key == key).copied();
    // `archiveName` is the name Gradle before 8 took (`archiveName 'app.jar'`).
    let (name, setting) = if let Some(s) = last("archiveFileName").or_else(|| last("archiveName")) {
        (s.value.clone(), s)
    } else {
        let Some(s) = last("archiveClassifier").or_else(|| last("classifier")) else { return Ok(None) };
        let name = if s.value.is_empty() { "*.jar".to_string() } else { format!("*-{}.jar", s.value) };
        (name, s)
    };
    let safe = crate::validate::file_glob(&name).is_ok();
    let source = format!("{}:{}", project.file, setting.line);
    if !safe {
        return Err(format!("{source}: the {task} jar's name `{}` is not a file name (letters, digits and ._-)", name.escape_debug()));
    }
    Ok(Some(Fact::new(name, source)))
}

/// Quarkus' package type (`quarkus.package.jar.type`, `quarkus.package.type` before 3.9, in
/// application.properties/.yml): an uber-jar is a `*-runner.jar` run with java -jar; anything else is the
/// fast-jar folder `build/quarkus-app/`.
pub(super) fn quarkus(settings: &Settings, found: &mut Program) {
    let package_type = ["%prod.quarkus.package.jar.type", "quarkus.package.jar.type", "quarkus.package.type"]
        .iter()
        .find_map(|key| settings.get(key));
    if let Some(("uber-jar", source)) = package_type {
        found.launch = "jar".into();
        found.jar_name = Some(Fact::new("*-runner.jar", source).with_note("Quarkus uber-jar"));
    }
}

/// Records the launch's facts: `launch`, `task` (with the project's path), `framework`, and `jar_name`.
pub(super) fn record(project: &Project, found: &Program, facts: &mut Facts) {
    let evidence = &found.evidence;
    facts.insert("launch".into(), Fact::new(found.launch.as_str(), evidence.clone()));
    facts.insert("task".into(), Fact::new(format!("{}:{}", project.path_prefix(), found.task), evidence.clone()));
    facts.insert("framework".into(), Fact::new(found.framework.as_str(), evidence.clone()));
    if let Some(jar) = &found.jar_name {
        facts.insert("jar_name".into(), jar.clone());
    }
}
