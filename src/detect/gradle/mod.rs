//! The Gradle probe: the settings script's projects, each project's build script read as tokens (`script`,
//! never run), the version catalog's plugin aliases and the wrapper (`build`); then, per project, what it builds
//! and how that starts (a plugin of knowledge/jvm/gradle.toml, or a jar manifest's Main-Class), its Java line
//! and its port, with what the JVM stacks share (`jvm`: sources, application.properties/.yml, lines).

mod boot;
mod build;
mod catalog;
mod launch;
mod logic;
mod plan;
mod project;
mod runs;
mod script;

use std::path::Path;

use anyhow::{bail, Result};
use serde_json::Value;

use self::build::Project;
use super::jvm::{self, config, is_sample, line, sources};
use super::stack::{Example, Parser, Stack};
use super::{services, Candidate, Choice, ChoiceOption, Fact, Facts};
use crate::knowledge::jvm::{gradle, gradle_lines, knowledge};

pub(super) static STACK: Stack = Stack {
    name: "gradle",
    markers: build::MARKERS,
    probe,
    decisive_facts: &["project", "framework", "launch", "main_class", "java_version", "gradle_version"],
    internal_facts: &["build_tool", "build_files", "build_logic", "task", "jar_name", "application_name", "project_name", "entry"],
    derive: plan::derive,
    plan_fields: plan::FIELDS,
    build_inputs: false,
    program_key: "project",
    // A project is named as the build names it (a subproject's path, rootProject.name), else after the
    // repository's folder.
    image_name: |values| values.get("project_name")?.as_str().map(String::from),
    examples: &[Example {
        preset: "gradle",
        folder: "java-gradle",
    }],
    parsers: &[Parser {
        name: "gradle_script",
        parse: fuzz_script,
    }],
    fuzz_paths: &[
        "settings.gradle.kts",
        "build.gradle.kts",
        "build.gradle",
        "app/build.gradle",
        "gradle/libs.versions.toml",
        "gradle/wrapper/gradle-wrapper.properties",
        "src/main/resources/application.properties",
    ],
};

fn probe(root: &Path) -> Result<Option<Candidate>> {
    let Some(build) = build::read(root)? else {
        return Ok(None);
    };
    let mut candidate = Candidate {
        stack: "gradle",
        evidence: build.evidence.clone(),
        facts: Facts::new(),
        choices: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    tool_facts(&build, &mut candidate);
    let mut runnable = Vec::new();
    let mut unsupported = Vec::new();
    let mut skipped = Vec::new();
    for project in &build.projects {
        match analyse(root, &build, project, &mut skipped) {
            Ok(Some(option)) => runnable.push(option),
            Ok(None) => {}
            Err(why) => unsupported.push(why),
        }
    }
    if runnable.is_empty() {
        if let Some(why) = unsupported.first() {
            bail!("{why}");
        }
        if !skipped.is_empty() {
            bail!("{}: no project is a program: {}", build.evidence, skipped.join("; "));
        }
        let plugins: Vec<&str> = gradle().plugin.iter().flat_map(|p| std::iter::once(&p.id).chain(&p.aliases)).map(String::as_str).collect();
        bail!(
            "{}: no project applies a plugin that makes a program ({}) nor names a main class (application \
             {{ mainClass }}, a jar manifest's Main-Class)",
            build.evidence,
            plugins.join(", ")
        );
    }
    for why in unsupported {
        candidate.warnings.push(format!("not offered: {why}"));
    }
    let folder = |path: &str| build.projects.iter().find(|p| p.path == path).map_or_else(|| ".".to_string(), |p| p.dir.clone());
    let mut projects: Vec<(String, &mut ChoiceOption)> = runnable.iter_mut().map(|o| (folder(&o.value), o)).collect();
    candidate.notes.extend(jvm::contract::apply(root, &mut projects));
    choose(root, &mut candidate, runnable);
    Ok(Some(candidate))
}

/// How the build is run: the committed wrapper (its jar and script), else a Gradle image (of the version each
/// project's option records: `runs`), and the files keyed before the dependencies resolve.
fn tool_facts(build: &build::Build, candidate: &mut Candidate) {
    let facts = &mut candidate.facts;
    let tool = if build.wrapper_committed { "gradle-wrapper" } else { "gradle" };
    facts.insert("build_tool".into(), Fact::new(tool, build.evidence.clone()));
    facts.insert("build_files".into(), Fact::new(build.scripts.clone(), build.evidence.clone()));
    if !build.logic_dirs.is_empty() {
        facts.insert(
            "build_logic".into(),
            Fact::new(build.logic_dirs.clone(), build.evidence.clone())
                .with_note("build logic the scripts apply, copied before the dependencies resolve"),
        );
    }
}

/// A plugin pinned to a snapshot (`2.5.6-SNAPSHOT`): only a snapshot repository serves it, and only until its
/// release, so the build is unlikely to resolve it; said with the release to pin instead.
fn snapshot_plugin(id: &str, version: &str, source: &str) -> Option<String> {
    let release = version.strip_suffix("-SNAPSHOT").or_else(|| version.strip_suffix(".BUILD-SNAPSHOT"))?;
    Some(format!(
        "{source}: plugin {id} is pinned to {version}, a snapshot that only a snapshot repository serves, and only \
         until {release} is released: the build is unlikely to resolve it; pin {release} (or a later release)"
    ))
}

/// One project's option: what it builds and how that starts; None for a library, an error for a program of a
/// kind not supported yet.
fn analyse(
    root: &Path,
    build: &build::Build,
    project: &Project,
    skipped: &mut Vec<String>,
) -> Result<Option<ChoiceOption>, String> {
    // Said only when this project is the one built.
    let mut warnings = Vec::new();
    let warnings = &mut warnings;
    let applied = build.applied_plugins(project);
    warnings.extend(applied.iter().filter_map(|(id, version, source)| snapshot_plugin(id, version.as_deref()?, source)));
    let Some(mut found) = launch::of(project, &applied)? else {
        return Ok(None);
    };
    if let Some(why) = launch::not_a_program(root, build, project, &found.task) {
        skipped.push(format!("{} ({why})", project.path));
        return Ok(None);
    }
    let mut facts = Facts::new();
    let sources = sources::scan(root, &project.dir);
    warnings.extend(sources.cut.iter().cloned());
    let settings = config::read(root, &project.dir, warnings);
    if let Some(fact) = jvm::written_dirs(root, &project.dir, &sources, Some(&settings)) {
        facts.insert("written_dirs".into(), fact);
    }
    jvm::opened_files(root, &project.dir, &sources, &mut facts);
    if found.framework == "quarkus" {
        launch::quarkus(&settings, &mut found);
    }
    if project.named {
        facts.insert("project_name".into(), Fact::new(project.name.clone(), project.name_source.clone()));
    }
    launch::record(project, &found, &mut facts);
    let launch::Program { launch, task, framework, evidence, .. } = found;
    if let Some(fact) = jvm::port_env(&settings, &framework, &evidence) {
        facts.insert("port_env".into(), fact);
    }
    jvm::run_time_settings(&settings, &framework, &mut facts);
    if framework == "spring-boot" {
        let version = applied
            .iter()
            .find(|(id, _, _)| id == "org.springframework.boot")
            .and_then(|(_, v, s)| Some((v.clone()?, s.clone())))
            .or_else(|| {
                let plugin = gradle().plugin.iter().find(|p| p.id == "org.springframework.boot")?;
                build.plugin_version_elsewhere(project, plugin)
            });
        boot::facts(project, version, &evidence, &mut facts, warnings)?;
    }
    main_class(project, &launch, &sources, &mut facts);
    if launch == "application" {
        let (name, source) = project
            .script
            .setting(&["application"], "applicationName")
            .map_or_else(|| (project.name.clone(), project.name_source.clone()), |s| (s.value.clone(), format!("{}:{}", project.file, s.line)));
        // The start script is build/install/NAME/bin/NAME: a name that is not a file name is no program to run.
        if crate::validate::file_name(&name).is_err() {
            return Err(format!(
                "{source}: the application's name `{}` is not a file name (letters, digits and ._-), and its start script is \
                 named after it",
                name.escape_debug()
            ));
        }
        facts.insert("application_name".into(), Fact::new(name, source));
    }
    let java = build
        .java_line(project)
        .or_else(|| line::named_elsewhere(root, &project.dir, "the build script"))
        .or_else(|| gradle_runs_on(build));
    if let Some(fact) = java {
        let (fact, note) = line::build_line(fact);
        if let Some(note) = note {
            warnings.push(format!("{}: {note}", fact.source));
        }
        facts.insert("java_version".into(), fact);
    }
    gradle_facts(build, &mut facts, warnings);
    let dependencies = build.dependencies(project);
    port(project, &dependencies, &framework, &settings, &sources, &mut facts);
    let runtime_dependencies = dependencies
        .iter()
        .filter(|d| !d.configuration.starts_with("test"))
        .map(|d| (d.artifact.as_str(), format!("{}:{}", project.file, d.line)));
    if let Some(args) = jvm::server_command_args(root, &project.dir, runtime_dependencies) {
        facts.insert("args".into(), args);
    }
    if let Some((entry, source)) = sources.app_annotations.first().map(|(a, s)| (format!("@{a}"), s.clone())).or_else(|| sources.mains.first().cloned()) {
        facts.insert("entry".into(), Fact::new(entry, source));
    }
    let clues = dependencies
        .iter()
        .filter(|d| !d.configuration.starts_with("test"))
        .filter_map(|d| services::Clue::library("maven", &format!("{}:{}", d.group, d.artifact), &format!("{}:{}", project.file, d.line)))
        .collect();
    services::record(root, &project.dir, clues, &mut facts);
    let mut why = vec![format!("built with {task}: {evidence}")];
    if is_sample(&project.dir) {
        why.push(format!("{}: a sample, test or tool project by its folder name", project.dir));
    }
    Ok(Some(ChoiceOption {
        value: project.path.clone(),
        source: project.file.clone(),
        facts,
        why,
        warnings: std::mem::take(warnings),
        notes: Vec::new(),
    }))
}

/// The Gradle version (the wrapper's, else a default for the Java line) and, when the builder's JDK cannot be the
/// build's Java line, why (a warning; the preset's builder image moves the line the same way).
fn gradle_facts(build: &build::Build, facts: &mut Facts, warnings: &mut Vec<String>) {
    let java = facts.get("java_version");
    let line = java.and_then(|f| f.value.as_str()).and_then(|v| v.parse::<u32>().ok());
    let toolchain = java.and_then(|f| f.note.as_deref()).is_some_and(|n| n.starts_with("languageVersion") || n.starts_with("jvmToolchain"));
    let (version, warning) = runs::gradle_version(build, line);
    let said = |warnings: &mut Vec<String>, warning: String| {
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    };
    if let Some(warning) = warning {
        said(warnings, warning);
    }
    if let (Some(line), Some(written)) = (line, version.value.as_str()) {
        if let Some((_, why)) = runs::builder_line(written, line, toolchain) {
            said(warnings, format!("{}: {why}", version.source));
        }
    }
    facts.insert("gradle_version".into(), version);
}

/// A build that names no Java line: the newest LTS line its Gradle runs on (the wrapper's, else the default).
fn gradle_runs_on(build: &build::Build) -> Option<Fact> {
    let known = gradle();
    let (version, source) = build
        .gradle_version
        .clone()
        .unwrap_or_else(|| (known.version.default.clone(), "src/knowledge/jvm/gradle.toml".into()));
    let line = gradle_lines(&version).1?;
    Some(Fact::new(line.to_string(), source).with_note(format!(
        "the build names no Java line: the newest LTS Gradle {version} runs on; --set java_version=N for another"
    )))
}

/// The class a start script or a classpath launch runs: `application { mainClass }` (or Gradle 6's
/// `mainClassName`), Spring Boot's `springBoot { mainClass }`, the jar manifest's Main-Class, else the only
/// `main` in the sources.
fn main_class(project: &Project, launch: &str, sources: &sources::Sources, facts: &mut Facts) {
    let script = &project.script;
    let said = launch::main_class_setting(project)
        .or_else(|| script.setting(&["springBoot"], "mainClass"))
        .map(|s| (s.value.clone(), format!("{}:{}", project.file, s.line)))
        .or_else(|| {
            let s = script.main_class_attribute()?;
            let at = s.strings.iter().position(|v| v.eq_ignore_ascii_case("Main-Class"))?;
            Some((s.strings.get(at + 1)?.clone(), format!("{}:{}", project.file, s.line)))
        });
    match said {
        Some((class, source)) => {
            facts.insert("main_class".into(), Fact::new(class, source));
        }
        None if matches!(launch, "application" | "jar") => {
            if let [(class, source)] = sources.mains.as_slice() {
                facts.insert("main_class".into(), Fact::new(class.clone(), source.clone()).with_note("the only main in the sources"));
            }
        }
        None => {}
    }
}

/// The port: the framework's configured port (application.properties/.yml) or its default when it serves
/// HTTP; a plain program's listen call; none for a command-line program.
fn port(
    project: &Project,
    dependencies: &[script::Dependency],
    framework: &str,
    settings: &config::Settings,
    sources: &sources::Sources,
    facts: &mut Facts,
) {
    let known = knowledge();
    let server = dependencies
        .iter()
        .filter(|d| !d.configuration.starts_with("test") && d.configuration != "compileOnly")
        .find(|d| known.is_server(&d.artifact, framework != "plain"))
        .map(|d| (format!("depends on {}", d.artifact), format!("{}:{}", project.file, d.line)))
        .or_else(|| {
            // Micronaut's plugin adds the HTTP server its `runtime` names.
            let runtime = project.script.setting(&["micronaut"], "runtime")?;
            ["netty", "jetty", "tomcat", "undertow"].contains(&runtime.value.to_ascii_lowercase().as_str()).then(|| {
                (format!("Micronaut's {} runtime", runtime.value), format!("{}:{}", project.file, runtime.line))
            })
        });
    let configured = jvm::configured_port(settings, framework);
    let main = facts.get("main_class").and_then(|m| m.value.as_str()).map(String::from);
    let (listeners, ports) = sources.listening_from(main.as_deref());
    let fact = configured
        .or_else(|| sources::agreed_port(&ports))
        .or_else(|| {
            // A framework listens on 8080 unless configured; a plain server library's port is only assumed.
            server.as_ref().map(|(what, source)| match framework {
                "plain" => jvm::assumed_port(what, source),
                _ => Fact::new(8080, source.clone()).with_note(format!("{what}; 8080, the framework's default")),
            })
        })
        .or_else(|| listeners.first().map(|(what, source)| jvm::assumed_port(&format!("opens a {what}"), source)));
    let fact = fact.unwrap_or_else(|| {
        Fact::new(Value::Null, project.file.clone())
            .with_note("a command-line program: no server dependency and no listening socket in src/main")
    });
    facts.insert("port".into(), fact);
}

/// One runnable project is taken; several are a choice, with a default when exactly one is not a sample, or
/// exactly one is what the project's own Dockerfile or CI builds (its task path `:api:`, its `api/build/`).
fn choose(root: &Path, candidate: &mut Candidate, mut options: Vec<ChoiceOption>) {
    if options.len() == 1 {
        let only = options.remove(0);
        candidate
            .facts
            .insert("project".into(), Fact::new(only.value.clone(), only.source.clone()).sole());
        candidate.facts.extend(only.facts);
        candidate.warnings.extend(only.warnings);
        return;
    }
    // A project's path names its folders (`:samples:demo` is samples/demo).
    let sample = |o: &ChoiceOption| is_sample(&o.value.trim_start_matches(':').replace(':', "/"));
    let mut shipped = Vec::new();
    for option in &mut options {
        let dir = option.value.trim_start_matches(':').replace(':', "/");
        let needles = [format!("{}:", option.value), format!("{dir}/build/")];
        if let Some(source) = jvm::build_tool::deployment_naming(root, &needles) {
            option.why.push(format!("built by {source}"));
            shipped.push(option.value.clone());
        }
    }
    options.sort_by_key(|o| (!shipped.contains(&o.value), sample(o)));
    let applications = options.iter().filter(|o| !sample(o)).count();
    let default = match shipped.as_slice() {
        [only] => Some(only.clone()),
        _ => (applications == 1).then(|| options[0].value.clone()),
    };
    candidate.choices.push(Choice {
        alternative: None,
        key: "project".into(),
        options,
        default,
    });
}

/// The script reader on arbitrary text, for the fuzz target.
fn fuzz_script(text: &str) -> usize {
    let script = script::read(text);
    script.plugins.len()
        + script.settings.len()
        + script.dependencies.len()
        + script.includes.len()
        + build::fuzz_text(text)
        + jvm::build_tool::fuzz_text(text)
}
