//! The Maven probe: pom.xml (and its modules, active profiles and in-repository parents) read with an XML
//! parser, properties resolved; then, per module, what it builds and how that starts (`artifact`), its
//! settings (`config`), what its sources say (`sources`), and the Java line (`java`). Modules are ranked:
//! applications before samples, libraries never offered.

mod artifact;
mod container_files;
mod effective;
mod java;
mod plan;
mod pom;
mod wrapper;

use std::path::Path;

use anyhow::{bail, Result};
use serde_json::json;

use self::artifact::{FrameworkPlugin, Packaging};
use self::effective::{load_reactor, plugin, resolved, Project};
use self::pom::Props;
use super::jvm::{self, config, is_sample, line, sources, sources::Sources};
use super::stack::{Example, Parser, Stack};
use super::services;
use super::{has_marker, join_rel, read_manifest, Candidate, Choice, ChoiceOption, Fact, Facts};
use crate::knowledge::jvm::knowledge;

pub(super) static STACK: Stack = Stack {
    name: "maven",
    markers: &["pom.xml"],
    probe,
    decisive_facts: &[
        "app",
        "framework",
        "module",
        "packaging",
        "artifact",
        "launch",
        "main_class",
        "java_version",
    ],
    internal_facts: &["pom_files", "build_tool", "entry"],
    derive: plan::derive,
    plan_fields: plan::FIELDS,
    build_inputs: false,
    program_key: "module",
    image_name: |values| values.get("artifact").and_then(|v| v.as_str()).map(jvm::contract::artifact_name),
    examples: &[Example {
        preset: "maven",
        folder: "java-maven",
    }],
    parsers: &[
        Parser {
            name: "pom",
            parse: fuzz_pom,
        },
        Parser {
            name: "maven_properties",
            parse: fuzz_properties,
        },
    ],
    fuzz_paths: &[
        "pom.xml",
        "app/pom.xml",
        "app/src/main/java/A.java",
        "src/main/java/Main.java",
        "src/main/resources/application.properties",
        "src/main/resources/application.yml",
        ".mvn/wrapper/maven-wrapper.properties",
        "mvnw",
    ],
};

/// A module that can run, with how strongly it looks like the application.
struct Runnable {
    option: ChoiceOption,
    /// A container file of the project builds it or copies its jar.
    named: bool,
    sample: bool,
    /// Another runnable module depends on it: a library of that application, whatever main it has.
    library: bool,
}

fn probe(root: &Path) -> Result<Option<Candidate>> {
    if !has_marker(root, "pom.xml")? {
        return Ok(None);
    }
    let mut projects = Vec::new();
    load_reactor(root, ".", 0, &mut projects)?;
    let mut candidate = Candidate {
        stack: "maven",
        evidence: "pom.xml".into(),
        facts: Facts::new(),
        choices: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    wrapper::build_tool(root, &mut candidate);
    let pom_files: Vec<&str> = projects.iter().map(|p| p.file.as_str()).collect();
    candidate
        .facts
        .insert("pom_files".into(), Fact::new(json!(pom_files), "pom.xml"));

    let is_reactor = projects.len() > 1 || !projects[0].pom.modules.is_empty();
    let named_by = container_files::modules_named(root);
    let mut runnable = Vec::new();
    let mut not_runnable = Vec::new();
    for project in &projects {
        let (mut module_warnings, mut module_notes) = (Vec::new(), Vec::new());
        match analyse(
            root,
            project,
            &projects,
            is_reactor,
            &mut module_warnings,
            &mut module_notes,
        ) {
            Ok(None) => {}
            Ok(Some(facts)) => {
                candidate.warnings.extend(module_warnings);
                for note in module_notes {
                    if !candidate.notes.contains(&note) {
                        candidate.notes.push(note);
                    }
                }
                runnable.push(runnable_module(project, facts, &named_by));
            }
            Err(why) => not_runnable.push((project, why)),
        }
    }
    mark_libraries(&projects, &mut runnable);
    let mut modules: Vec<(String, &mut ChoiceOption)> =
        runnable.iter_mut().map(|r| (r.option.value.clone(), &mut r.option)).collect();
    candidate.notes.extend(jvm::contract::apply(root, &mut modules));
    record_services(root, &projects, &mut runnable);
    if !is_reactor {
        if let Some((_, why)) = not_runnable.first() {
            bail!("{why}");
        }
        offer_main_classes(root, &mut candidate, &runnable);
    }
    if runnable.is_empty() {
        bail!(
            "pom.xml: no module builds something runnable ({}); dockgen builds Spring Boot, Quarkus and Micronaut \
             apps and jars with a Main-Class",
            not_runnable
                .iter()
                .map(|(p, why)| format!("{}: {why}", p.dir))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    choose_module(&mut candidate, runnable);
    // Libraries are expected in a reactor; a war module is worth a word, since it will not be built.
    for (project, why) in not_runnable.iter().filter(|(_, why)| why.contains("packaging war")) {
        candidate
            .warnings
            .push(format!("module {} is not built: {why}", project.dir));
    }
    Ok(Some(candidate))
}

/// A single jar whose manifest names no main class while its sources have several: the user picks one (a
/// terminal lists them; `--yes` refuses with the list).
fn offer_main_classes(root: &Path, candidate: &mut Candidate, runnable: &[Runnable]) {
    let Some(only) = runnable.first() else { return };
    let needs_main = only.option.facts.get("launch").is_some_and(|l| l.value == "classpath")
        && !only.option.facts.contains_key("main_class");
    if !needs_main {
        return;
    }
    let mains = sources::scan(root, &only.option.value).mains;
    if mains.len() > 1 {
        candidate.choices.push(Choice {
            alternative: None,
            key: "main_class".into(),
            options: mains
                .into_iter()
                .map(|(class, source)| ChoiceOption {
                    value: class,
                    source,
                    facts: Facts::new(),
                    why: Vec::new(),
                    warnings: Vec::new(),
                    notes: Vec::new(),
                })
                .collect(),
            default: None,
        });
    }
}

/// A module that builds something runnable, with the evidence that ranks it.
fn runnable_module(project: &Project, facts: Facts, named_by: &[(String, String)]) -> Runnable {
    let source = project
        .pom
        .artifact_id
        .as_ref()
        .map_or_else(|| project.file.clone(), |(_, l)| format!("{}:{l}", project.file));
    let sample = is_sample(&project.dir);
    let named = named_by.iter().find(|(m, _)| *m == project.dir);
    let mut why = vec![application_evidence(&facts)];
    if let Some((_, source)) = named {
        why.insert(0, format!("built by {source}"));
    }
    if sample {
        why.push(format!(
            "{}: a sample, test or tool module by its folder name",
            project.dir
        ));
    }
    Runnable {
        option: ChoiceOption {
            value: project.dir.clone(),
            source,
            facts,
            why,
            warnings: Vec::new(),
            notes: Vec::new(),
        },
        named: named.is_some(),
        sample,
        library: false,
    }
}

/// Marks each runnable module another runnable module depends on (`<dependency>` on its artifactId, in its
/// group or one written as a property), with the dependency's line: it is a library of that application
/// (a migrations or entity module with a main of its own), not a second program.
fn mark_libraries(projects: &[Project], runnable: &mut [Runnable]) {
    let project_of = |dir: &str| projects.iter().find(|p| p.dir == dir);
    let dirs: Vec<String> = runnable.iter().map(|r| r.option.value.clone()).collect();
    // (library, the module that depends on it, where)
    let mut dependents = Vec::new();
    for project in dirs.iter().filter_map(|dir| project_of(dir)) {
        let Some((artifact, _)) = project.pom.artifact_id.as_ref() else { continue };
        let group = project
            .pom
            .group_id
            .as_ref()
            .map(|(g, _)| g.as_str())
            .or_else(|| project.pom.parent.as_ref().map(|p| p.group_id.as_str()));
        let users = dirs.iter().filter(|dir| **dir != project.dir).filter_map(|dir| project_of(dir));
        for user in users {
            let dependency = user.pom.dependencies.iter().find(|d| {
                d.artifact_id == *artifact && (d.group_id.contains("${") || Some(d.group_id.as_str()) == group)
            });
            if let Some(dependency) = dependency {
                dependents.push((project.dir.clone(), user.dir.clone(), format!("{}:{}", user.file, dependency.line)));
            }
        }
    }
    for (library, user, source) in dependents {
        for module in runnable.iter_mut() {
            if module.option.value == library {
                module.library = true;
                module.option.why.push(format!("a library of module {user} ({source})"));
            } else if module.option.value == user {
                module.option.why.push(format!("depends on module {library} ({source})"));
            }
        }
    }
}

/// One runnable module is the module; several are a choice, with a default when exactly one of them is
/// built by the project's own container files, else when exactly one is an application rather than a sample
/// or a library of another.
fn choose_module(candidate: &mut Candidate, mut runnable: Vec<Runnable>) {
    // Modules the project's container files build first, then applications, then samples and libraries, each
    // in reactor order; a sample is the default only when a container file names it.
    runnable.sort_by_key(|r| (!r.named, r.sample || r.library));
    let named = runnable.iter().filter(|r| r.named).count();
    let applications = runnable.iter().filter(|r| !r.sample && !r.library).count();
    if runnable.len() == 1 {
        let only = runnable.remove(0).option;
        candidate
            .facts
            .insert("module".into(), Fact::new(only.value.clone(), only.source.clone()).sole());
        candidate.facts.extend(only.facts);
        candidate.warnings.extend(only.warnings);
    } else {
        let default = (named == 1 || (named == 0 && applications == 1)).then(|| runnable[0].option.value.clone());
        candidate.choices.push(Choice {
            alternative: None,
            key: "module".into(),
            options: runnable.into_iter().map(|r| r.option).collect(),
            default,
        });
    }
}

/// Why a module is an application, for the ranked list: `a spring-boot application (@SpringBootApplication
/// at server/src/main/java/…/App.java:6)`.
fn application_evidence(facts: &Facts) -> String {
    let framework = facts.get("framework").and_then(|f| f.value.as_str()).unwrap_or("plain");
    let kind = match framework {
        "plain" => facts
            .get("launch")
            .and_then(|l| l.note.clone())
            .unwrap_or_else(|| "a jar with a main class".into()),
        other => format!("a {other} application"),
    };
    match facts.get("entry") {
        Some(entry) => format!(
            "{kind} ({} at {})",
            entry.value.as_str().unwrap_or_default(),
            entry.source
        ),
        None => kind,
    }
}

/// Facts for one module; None for a module with nothing to run (an aggregator, a library in a reactor);
/// an error says why a module that looks like an application cannot be run.
fn analyse(
    root: &Path,
    project: &Project,
    projects: &[Project],
    is_reactor: bool,
    warnings: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<Option<Facts>, String> {
    let (packaging, packaging_source) = artifact::packaging(project)?;
    if matches!(packaging, Packaging::Pom) {
        return Ok(None);
    }
    let mut facts = Facts::new();
    facts.insert(
        "packaging".into(),
        Fact::new(
            match packaging {
                Packaging::Quarkus => "quarkus",
                Packaging::War => "war",
                _ => "jar",
            },
            packaging_source.clone(),
        ),
    );
    if let Some(fact) = java::java_version(project).or_else(|| line::named_elsewhere(root, &project.dir, "the pom")) {
        let (fact, note) = line::build_line(fact);
        if let Some(note) = note {
            notes.push(format!("{}: {note}", fact.source));
        }
        facts.insert("java_version".into(), fact);
    }
    let sources = sources::scan(root, &project.dir);
    warnings.extend(sources.cut.iter().cloned());
    let framework = artifact::framework(project, &packaging);
    if matches!(packaging, Packaging::War) {
        artifact::war_runs(framework.as_ref(), &packaging_source)?;
    }
    if is_reactor && framework.as_ref().is_some_and(|fw| is_library(fw, &sources)) {
        return Ok(None);
    }
    let final_name = artifact::final_name(project)?;
    let module = Module {
        root,
        project,
        projects,
        sources: &sources,
        final_name: &final_name,
        packaging: &packaging,
    };
    let settings = framework.is_some().then(|| config::read(root, &project.dir, warnings));
    let entry = if let (Some(fw), Some(settings)) = (&framework, &settings) {
        framework_facts(&module, fw, settings, &mut facts, warnings);
        true
    } else {
        plain_facts(&module, &mut facts, warnings)
    };
    if let Some(fact) = jvm::written_dirs(root, &project.dir, &sources, settings.as_ref()) {
        facts.insert("written_dirs".into(), fact);
    }
    jvm::opened_files(root, &project.dir, &sources, &mut facts);
    // In a reactor, a jar with no way to start it is a library, not an app to offer.
    if is_reactor && !entry {
        return Ok(None);
    }
    if let Some((entry, source)) = sources
        .app_annotations
        .first()
        .map(|(a, s)| (format!("@{a}"), s.clone()))
        .or_else(|| sources.mains.first().cloned())
    {
        facts.insert("entry".into(), Fact::new(entry, source));
    }
    needs_jdk(project, &sources, &mut facts);
    Ok(Some(facts))
}

/// One module being analysed, with what its facts are drawn from.
struct Module<'a> {
    root: &'a Path,
    project: &'a Project,
    projects: &'a [Project],
    sources: &'a Sources,
    final_name: &'a (String, String),
    packaging: &'a Packaging,
}

/// A Spring Boot, Quarkus or Micronaut module: its artifact and launch, and the port its settings give (the
/// framework's default for a server, none for a command-line program).
fn framework_facts(
    module: &Module,
    fw: &FrameworkPlugin,
    settings: &config::Settings,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) {
    let Module {
        project,
        final_name,
        packaging,
        ..
    } = *module;
    // A framework starts the server it finds among the dependencies, whatever the code mentions.
    let server_evidence = server_evidence(project, module.projects, &module.sources.listeners, true);
    let server_evidence = server_evidence.as_ref();
    facts.insert("framework".into(), Fact::new(fw.name, fw.evidence.clone()));
    if let Some(fact) = jvm::port_env(settings, fw.name, &fw.evidence) {
        facts.insert("port_env".into(), fact);
    }
    jvm::run_time_settings(settings, fw.name, facts);
    match fw.name {
        "spring-boot" => artifact::spring_boot(project, fw, final_name, packaging, facts, warnings),
        "quarkus" => artifact::quarkus(project, fw, settings, final_name, facts),
        _ => artifact::micronaut(project, fw, final_name, facts),
    }
    // All three listen on 8080 unless configured.
    let port = jvm::configured_port(settings, fw.name).or_else(|| {
        server_evidence.map(|(what, source)| {
            Fact::new(8080, source.clone()).with_note(format!("{what}; {}'s default port", fw.name))
        })
    });
    insert_port(facts, port, server_evidence.is_some(), &project.file);
}

/// A jar without a framework: its artifact, launch and port; false when nothing says how to start it.
fn plain_facts(module: &Module, facts: &mut Facts, warnings: &mut Vec<String>) -> bool {
    let Module {
        root,
        project,
        sources,
        final_name,
        ..
    } = *module;
    facts.insert(
        "framework".into(),
        Fact::new("plain", project.file.clone()).with_note("no Spring Boot, Quarkus or Micronaut plugin"),
    );
    artifact::plain_jar(root, project, final_name, &sources.mains, facts, warnings);
    // Only what the program's main class reaches counts: an exploit listener or a test server beside a
    // command-line tool does not make the tool listen.
    let main = facts.get("main_class").and_then(|m| m.value.as_str());
    let (listeners, ports) = sources.listening_from(main);
    let server_evidence = server_evidence(project, module.projects, &listeners, false);
    let server_evidence = server_evidence.as_ref();
    let port = sources::agreed_port(&ports).or_else(|| {
        server_evidence.map(|(what, source)| {
            jvm::assumed_port(what, source)
        })
    });
    insert_port(facts, port, server_evidence.is_some(), &project.file);
    let dependencies = project.dependencies.iter().map(|d| (d.artifact_id.as_str(), format!("{}:{}", project.file, d.line)));
    if let Some(args) = jvm::server_command_args(root, &project.dir, dependencies) {
        facts.insert("args".into(), args);
    }
    let without_main = facts.get("launch").is_some_and(|l| l.value == "classpath") && !facts.contains_key("main_class");
    !without_main
}

/// A framework module with no entry point of its own: a library the application modules depend on, though
/// it inherits the framework's plugin or parent from the reactor. Spring Boot's entry is its
/// `@SpringBootApplication` class, or a `main` in a module whose own pom declares the Boot plugin (a `main` in
/// a module that only inherits it is a tool, like a code generator); Quarkus' is `@QuarkusMain`, a JAX-RS
/// resource or the plugin declared in the module's own pom; Micronaut's is its `main`.
fn is_library(fw: &FrameworkPlugin, sources: &Sources) -> bool {
    let annotated = |names: &[&str]| sources.app_annotations.iter().any(|(a, _)| names.contains(&a.as_str()));
    let has_main = !sources.mains.is_empty();
    let application = match fw.name {
        "spring-boot" => annotated(&["SpringBootApplication"]) || (has_main && fw.declared_here),
        "quarkus" => annotated(&["QuarkusMain", "Path"]) || fw.declared_here,
        _ => has_main,
    };
    !application
}

/// Why the module listens on a port: a server dependency (its own, or of a reactor module it depends on)
/// or a listening socket in its sources; None for a command-line program.
fn server_evidence(
    project: &Project,
    projects: &[Project],
    listeners: &[(String, String)],
    framework: bool,
) -> Option<(String, String)> {
    let known = knowledge();
    let mut seen = vec![project.dir.as_str()];
    let mut queue = vec![project];
    while let Some(current) = queue.pop() {
        for dependency in current
            .dependencies
            .iter()
            .filter(|d| !matches!(d.scope.as_deref(), Some("test" | "provided" | "system")))
        {
            if known.is_server(&dependency.artifact_id, framework) {
                return Some((
                    format!("depends on {}", dependency.artifact_id),
                    format!("{}:{}", current.file, dependency.line),
                ));
            }
            // A reactor module it depends on brings its own dependencies (bounded: each module once).
            if let Some(module) = projects.iter().find(|p| {
                p.pom
                    .artifact_id
                    .as_ref()
                    .is_some_and(|(a, _)| *a == dependency.artifact_id)
                    && !seen.contains(&p.dir.as_str())
            }) {
                seen.push(&module.dir);
                queue.push(module);
            }
        }
    }
    listeners
        .first()
        .map(|(what, source)| (format!("opens a {what}"), source.clone()))
}

/// The port fact: the configured or found port, or none for a program with no server at all.
fn insert_port(facts: &mut Facts, port: Option<Fact>, listens: bool, pom_file: &str) {
    let fact = match port {
        Some(port) => port,
        None if listens => return, // a server whose port nothing says: the preset's default
        None => Fact::new(serde_json::Value::Null, pom_file).with_note(
            "a command-line program: no server dependency (web starter, servlet container, HTTP server) and no \
             listening socket in src/main",
        ),
    };
    facts.insert("port".into(), fact);
}

/// A program that uses JDK-only modules at run time (a compiler, jshell) needs a JDK, not a JRE.
fn needs_jdk(project: &Project, sources: &Sources, facts: &mut Facts) {
    let known = &knowledge().jdk_only;
    let mut found: Vec<(String, String)> = sources.jdk_modules.clone();
    // --add-exports/--add-opens of jdk.* modules in the manifest or the compiler's arguments.
    for plugin in &project.plugins {
        for (path, value, line) in &plugin.values {
            let relevant = path.contains("Add-Exports")
                || path.contains("Add-Opens")
                || path.ends_with("compilerArgs/arg")
                || path.ends_with("compilerArgument");
            if !relevant {
                continue;
            }
            if let Some(module) = known.modules.iter().find(|m| value.contains(m.as_str())) {
                if !found.iter().any(|(m, _)| m == module) {
                    found.push((module.clone(), format!("{}:{line}", project.file)));
                }
            }
        }
    }
    if let Some((module, source)) = found.first() {
        let modules: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
        facts.insert(
            "needs_jdk".into(),
            Fact::new(json!(modules), source.clone()).with_note(format!(
                "JDK-only modules used at run time, which a JRE lacks ({module} first at {source})"
            )),
        );
    }
}

/// The text-level readers of this probe, for the fuzz target: none may panic or hang on any input.
fn fuzz_text(text: &str) -> usize {
    sources::fuzz_text(text) + config::fuzz_text(text) + wrapper::fuzz_text(text) + container_files::fuzz_text(text)
}

/// pom.xml and `${...}` resolution of its properties, and the probe's other readers (Java/Kotlin sources,
/// application.properties/.yml, the wrapper's properties) on the same text.
fn fuzz_pom(text: &str) -> usize {
    let others = fuzz_text(text);
    let Ok(pom) = pom::parse(text) else {
        return others;
    };
    let mut props = Props::default();
    for (name, (value, line)) in &pom.properties {
        props.set(name, value, format!("pom.xml:{line}"));
    }
    pom.properties
        .values()
        .filter(|(value, _)| props.resolve(value).is_ok())
        .count()
        + pom.plugins.len()
        + others
}

/// Maven `${}` expansion on its own: each `name=value` line defines a property (later ones win), and every
/// value is expanded; the bounds on depth, steps and size must hold whatever the values.
fn fuzz_properties(text: &str) -> usize {
    let mut props = Props::default();
    let mut values = Vec::new();
    for (line, definition) in text.lines().enumerate().take(256) {
        let (name, value) = definition.split_once('=').unwrap_or((definition, ""));
        props.set(name, value, format!("pom.xml:{}", line + 1));
        values.push(value);
    }
    values
        .iter()
        .map(|v| props.resolve(v).map_or_else(|e| e.len(), |r| r.len()))
        .sum()
}

/// The backing services of each runnable module (`services::record`).
fn record_services(root: &Path, projects: &[Project], runnable: &mut [Runnable]) {
    for option in runnable.iter_mut().map(|r| &mut r.option) {
        if let Some(project) = projects.iter().find(|p| p.dir == option.value) {
            services::record(root, &project.dir, service_clues(root, project), &mut option.facts);
        }
    }
}

/// What the module's code talks to: the service clients among its dependencies (not test-scoped) and the
/// connection URLs its framework configuration sets.
fn service_clues(root: &Path, project: &Project) -> Vec<services::Clue> {
    let mut clues: Vec<services::Clue> = project
        .dependencies
        .iter()
        .filter(|d| d.scope.as_deref() != Some("test"))
        .filter_map(|d| {
            let name = format!("{}:{}", d.group_id, d.artifact_id);
            services::Clue::library("maven", &name, &format!("{}:{}", project.file, d.line))
        })
        .collect();
    let settings = config::read(root, &project.dir, &mut Vec::new());
    clues.extend(settings.urls().filter_map(|(key, value, source)| services::Clue::url(key, value, source)));
    clues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_modules_are_named_by_their_folders() {
        assert!(is_sample("examples/hello"));
        assert!(is_sample("spring-boot-sample-web"));
        assert!(is_sample("benchmarks"));
        assert!(!is_sample("app"));
        assert!(!is_sample("."));
        assert!(!is_sample("latest-service"));
    }
}
