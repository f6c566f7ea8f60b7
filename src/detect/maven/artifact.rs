//! What one module's build leaves and how it starts: the effective packaging (jar, war, or one contributed by
//! a build extension), the framework (Spring Boot, Quarkus, Micronaut, plain), the artifact's path, the
//! launch style and the main class.

use crate::detect::jvm::config::Settings;
use crate::detect::jvm::{self, release_numbers};
use super::pom::Plugin;
use crate::knowledge::jvm::knowledge;
use std::path::Path;

use super::{plugin, resolved, Project};
use crate::detect::{join_rel, read_small_text, Fact, Facts};

/// The packaging a module's build really produces.
pub(super) enum Packaging {
    Jar,
    /// A web archive: runnable only when Spring Boot repackages it (`java -jar` starts its embedded server).
    War,
    Quarkus,
    /// An aggregator or parent: nothing to run.
    Pom,
}

/// The effective packaging and its evidence, or why the module cannot be run.
pub(super) fn packaging(project: &Project) -> Result<(Packaging, String), String> {
    let (name, source) = match &project.pom.packaging {
        Some((value, line)) => (
            project.props.resolve(value).unwrap_or_else(|_| value.clone()),
            format!("{}:{line}", project.file),
        ),
        None => return Ok((Packaging::Jar, project.file.clone())),
    };
    match name.as_str() {
        "jar" => return Ok((Packaging::Jar, source)),
        "pom" => return Ok((Packaging::Pom, source)),
        "war" => return Ok((Packaging::War, source)),
        _ => {}
    }
    let known = knowledge().packaging.get(&name);
    // A packaging other than Maven's own comes from a plugin declared with <extensions>true</extensions>.
    let extension = project.plugins.iter().rev().find(|p| {
        p.extensions
            && known
                .and_then(|k| k.plugin.as_deref())
                .is_none_or(|wanted| p.artifact_id == wanted)
    });
    match (known, extension) {
        (Some(k), _) if k.effective == "refuse" => Err(format!(
            "{source}: packaging {name} is {}, not a program dockgen can run",
            k.why.as_deref().unwrap_or("not runnable")
        )),
        (Some(k), Some(plugin)) => {
            let evidence = format!("{source} ({}:{} with extensions)", project.file, plugin.line);
            Ok(if k.effective == "quarkus" {
                (Packaging::Quarkus, evidence)
            } else {
                (Packaging::Jar, evidence)
            })
        }
        (Some(k), None) => Err(format!(
            "{source}: packaging {name} needs {} declared with <extensions>true</extensions>, and this pom has none",
            k.plugin.as_deref().unwrap_or("its plugin")
        )),
        (None, Some(plugin)) => Err(format!(
            "{source}: packaging {name} comes from {}:{} ({}:{}), which dockgen does not know; it builds jar, \
             Spring Boot, Quarkus and Micronaut modules",
            plugin.group_id, plugin.artifact_id, project.file, plugin.line
        )),
        (None, None) => Err(format!("{source}: packaging {name} is not a runnable jar")),
    }
}

/// The framework plugin a module uses, and whether its own pom declares it (a plugin inherited from a
/// reactor parent's `<plugins>` is in every child, libraries included).
pub(super) struct FrameworkPlugin<'a> {
    pub(super) name: &'static str,
    pub(super) plugin: Option<&'a Plugin>,
    pub(super) evidence: String,
    pub(super) declared_here: bool,
}

pub(super) fn framework<'a>(project: &'a Project, packaging: &Packaging) -> Option<FrameworkPlugin<'a>> {
    let declared_here = |artifact_id: &str| project.pom.plugins.iter().any(|p| p.artifact_id == artifact_id);
    let at = |p: &Plugin| format!("{}:{}", project.file, p.line);
    if let Some(p) = plugin(project, "spring-boot-maven-plugin") {
        return Some(FrameworkPlugin {
            name: "spring-boot",
            plugin: Some(p),
            evidence: at(p),
            declared_here: declared_here("spring-boot-maven-plugin"),
        });
    }
    if let Some((_, source)) = &project.boot_parent {
        return Some(FrameworkPlugin {
            name: "spring-boot",
            plugin: None,
            evidence: source.clone(),
            declared_here: project
                .pom
                .parent
                .as_ref()
                .is_some_and(|p| p.artifact_id == "spring-boot-starter-parent"),
        });
    }
    // Quarkus' scaffolds name the plugin's group through a property (`${quarkus.platform.group-id}`).
    let quarkus = plugin(project, "quarkus-maven-plugin").filter(|p| {
        project
            .props
            .resolve(&p.group_id)
            .is_ok_and(|group| group.starts_with("io.quarkus"))
    });
    if let Some(p) = quarkus {
        return Some(FrameworkPlugin {
            name: "quarkus",
            plugin: Some(p),
            evidence: at(p),
            declared_here: declared_here("quarkus-maven-plugin") || matches!(packaging, Packaging::Quarkus),
        });
    }
    if let Some(p) = plugin(project, "micronaut-maven-plugin") {
        return Some(FrameworkPlugin {
            name: "micronaut",
            plugin: Some(p),
            evidence: at(p),
            declared_here: declared_here("micronaut-maven-plugin"),
        });
    }
    let micronaut_parent = project
        .pom
        .parent
        .as_ref()
        .filter(|p| p.artifact_id == "micronaut-parent" && p.group_id.starts_with("io.micronaut"));
    micronaut_parent.map(|p| FrameworkPlugin {
        name: "micronaut",
        plugin: None,
        evidence: format!("{}:{}", project.file, p.line),
        declared_here: true,
    })
}

/// A war runs only as Spring Boot repackages it (with the servlet container inside, started by `java -jar`); any
/// other war needs a servlet container's image, which dockgen does not write.
pub(super) fn war_runs(fw: Option<&FrameworkPlugin>, source: &str) -> Result<(), String> {
    if fw.is_some_and(|fw| fw.name == "spring-boot" && fw.plugin.is_some()) {
        return Ok(());
    }
    Err(format!(
        "{source}: packaging war without spring-boot-maven-plugin is not supported: such a war needs a servlet \
         container (Tomcat, Jetty); dockgen builds runnable jars and Spring Boot's executable wars"
    ))
}

/// `finalName`, else `artifactId-version`, resolved. A name that cannot be resolved (an undefined or circular
/// property, an expansion that explodes) is an error naming the property and pom.xml:line.
pub(super) fn final_name(project: &Project) -> Result<(String, String), String> {
    const PICK: &str = "pass --set artifact=PATH";
    if let Some((name, line)) = &project.pom.final_name {
        let at = format!("{}:{line}", project.file);
        return match project.props.resolve(name) {
            Ok(name) => Ok((name, at)),
            Err(why) => Err(format!("{at}: finalName: {why}; {PICK}")),
        };
    }
    let unknown = || {
        format!(
            "{}: cannot tell the jar's name (no artifactId/version or finalName): {PICK}",
            project.file
        )
    };
    let (artifact, line) = project.pom.artifact_id.as_ref().ok_or_else(unknown)?;
    let (version, at) = project.props.get("project.version").ok_or_else(unknown)?;
    let version = project
        .props
        .resolve(version)
        .map_err(|why| format!("{at}: version: {why}; {PICK}"))?;
    Ok((format!("{artifact}-{version}"), format!("{}:{line}", project.file)))
}

fn target(project: &Project, file: &str) -> String {
    join_rel(&project.dir, &format!("target/{file}"))
}

/// Spring Boot: layered extraction from 2.4 (2.3 when layers are enabled), the fat jar before.
pub(super) fn spring_boot(
    project: &Project,
    fw: &FrameworkPlugin,
    final_name: &(String, String),
    packaging: &Packaging,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) {
    let version = boot_version(project, fw.plugin, warnings);
    let layers_by_default = version
        .as_ref()
        .and_then(|v| v.value.as_str())
        .is_none_or(jvm::boot_layers_by_default);
    if let Some(version) = version {
        facts.insert("spring_boot_version".into(), version);
    }
    let war = matches!(packaging, Packaging::War);
    let extension = if war { "war" } else { "jar" };
    facts.insert(
        "artifact".into(),
        Fact::new(target(project, &format!("{}.{extension}", final_name.0)), final_name.1.clone()),
    );
    if war {
        facts.insert(
            "launch".into(),
            Fact::new("jar", fw.evidence.clone())
                .with_note("an executable war: spring-boot-maven-plugin repackages it with its server, run with java -jar"),
        );
        return;
    }
    let layers = fw
        .plugin
        .and_then(|p| p.value("layers/enabled"))
        .map(|(v, l)| (v == "true", l));
    let layered = layers.map_or(layers_by_default, |(enabled, _)| enabled);
    if layered {
        facts.insert(
            "launch".into(),
            Fact::new("spring-boot", fw.evidence.clone()).with_note("layered jar extraction"),
        );
    } else {
        let why = match layers {
            Some((_, line)) => (
                format!("{}:{line}", project.file),
                "layers are disabled: the fat jar runs with java -jar",
            ),
            None => (
                fw.evidence.clone(),
                "Spring Boot before 2.4 builds no layer index: the fat jar runs with java -jar",
            ),
        };
        facts.insert("launch".into(), Fact::new("jar", why.0).with_note(why.1));
    }
    if let Some((main, line)) = fw.plugin.and_then(|p| p.value("configuration/mainClass")) {
        if let Some(main) = main_class_value(project, main) {
            facts.insert("main_class".into(), Fact::new(main, format!("{}:{line}", project.file)));
        }
    }
}

/// A main class as the pom writes it with its properties filled in (`${start-class}` defined in
/// `<properties>`); None when it refers to a property defined nowhere, which Maven leaves as written and which
/// names no class: the main class is then found as if the pom named none.
fn main_class_value(project: &Project, written: &str) -> Option<String> {
    project.props.resolve(written).ok().filter(|main| !main.trim().is_empty())
}

/// Spring Boot's version as digits and dots: `2.2.13.RELEASE` and `3.4.0-M1` name releases of 2.2.13 and 3.4.0
/// (the qualifier does not change how the jar is laid out).
fn boot_version(project: &Project, spring: Option<&Plugin>, warnings: &mut Vec<String>) -> Option<Fact> {
    let fact = declared_boot_version(project, spring, warnings)?;
    let written = fact.value.as_str().unwrap_or_default().to_string();
    let numbers = release_numbers(&written);
    if numbers.is_empty() {
        return Some(fact);
    }
    let plain = numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
    if plain == written {
        return Some(fact);
    }
    let said = fact.note.clone().unwrap_or_default();
    Some(Fact {
        value: plain.into(),
        note: Some(format!("{said}: {written}")),
        ..fact
    })
}

fn declared_boot_version(project: &Project, spring: Option<&Plugin>, warnings: &mut Vec<String>) -> Option<Fact> {
    if let Some((version, source)) = &project.boot_parent {
        return Some(Fact::new(version.clone(), source.clone()).with_note("spring-boot-starter-parent"));
    }
    if let Some(plugin) = spring {
        if let Some(version) = &plugin.version {
            return resolved(project, version, plugin.line, warnings)
                .map(|(v, s)| Fact::new(v, s).with_note("spring-boot-maven-plugin"));
        }
    }
    let bom = project
        .pom
        .managed
        .iter()
        .find(|d| d.group_id == "org.springframework.boot" && d.artifact_id == "spring-boot-dependencies")?;
    resolved(project, bom.version.as_deref()?, bom.line, warnings)
        .map(|(v, s)| Fact::new(v, s).with_note("spring-boot-dependencies BOM"))
}

/// Quarkus: the fast-jar folder, or the uber-jar / legacy-jar when the configuration asks for one.
pub(super) fn quarkus(
    project: &Project,
    fw: &FrameworkPlugin,
    settings: &Settings,
    final_name: &(String, String),
    facts: &mut Facts,
) {
    let package_type = ["quarkus.package.jar.type", "quarkus.package.type"]
        .iter()
        .find_map(|key| {
            settings
                .get(key)
                .map(|(v, s)| (v.to_string(), s.to_string()))
                .or_else(|| {
                    // The same keys as Maven properties configure the build too.
                    let (value, source) = project.props.get(key)?;
                    Some((project.props.resolve(value).ok()?, source.to_string()))
                })
        });
    match package_type {
        Some((kind, source)) if kind == "uber-jar" => {
            facts.insert(
                "artifact".into(),
                Fact::new(target(project, &format!("{}-runner.jar", final_name.0)), source.clone()),
            );
            facts.insert("launch".into(), Fact::new("jar", source).with_note("Quarkus uber-jar"));
        }
        Some((kind, source)) if kind == "legacy-jar" => {
            facts.insert(
                "artifact".into(),
                Fact::new(target(project, &format!("{}-runner.jar", final_name.0)), source.clone()),
            );
            facts.insert("runtime_dependencies".into(), Fact::new(true, source.clone()));
            facts.insert(
                "launch".into(),
                Fact::new("jar", source).with_note("Quarkus legacy-jar: the runner jar with target/lib/ beside it"),
            );
        }
        _ => {
            facts.insert(
                "artifact".into(),
                Fact::new(target(project, "quarkus-app"), fw.evidence.clone()).with_note("fast-jar layout"),
            );
            facts.insert("launch".into(), Fact::new("quarkus", fw.evidence.clone()));
        }
    }
}

/// Micronaut: micronaut-parent shades the jar, with `exec.mainClass` as its Main-Class.
pub(super) fn micronaut(project: &Project, fw: &FrameworkPlugin, final_name: &(String, String), facts: &mut Facts) {
    facts.insert(
        "artifact".into(),
        Fact::new(target(project, &format!("{}.jar", final_name.0)), final_name.1.clone())
            .with_note("shaded by micronaut-parent"),
    );
    facts.insert(
        "launch".into(),
        Fact::new("jar", fw.evidence.clone()).with_note("shaded jar with exec.mainClass as Main-Class"),
    );
    if let Some((main, source)) = project.props.get("exec.mainClass") {
        if let Ok(main) = project.props.resolve(main) {
            facts.insert("main_class".into(), Fact::new(main, source));
        }
    }
}

/// A plain jar: the shaded or assembled jar when those plugins make one with a Main-Class, else the jar
/// plugin's output run with its runtime dependencies on the classpath.
pub(super) fn plain_jar(
    root: &Path,
    project: &Project,
    final_name: &(String, String),
    mains: &[(String, String)],
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) {
    let main_of = |plugin: Option<&Plugin>, path: &str| {
        plugin
            .and_then(|p| p.value(path))
            .and_then(|(m, l)| Some((main_class_value(project, m)?, format!("{}:{l}", project.file))))
    };
    let jar_main = main_of(plugin(project, "maven-jar-plugin"), "archive/manifest/mainClass");
    let shade = plugin(project, "maven-shade-plugin");
    let shade_main = main_of(shade, "transformer/mainClass").or_else(|| jar_main.clone().filter(|_| shade.is_some()));
    let assembly = plugin(project, "maven-assembly-plugin");
    let assembly_main = main_of(assembly, "archive/manifest/mainClass");

    if let (Some(shade), Some(main)) = (shade, shade_main) {
        // Shade replaces the main jar (keeping original-*.jar) unless the shaded jar is attached.
        let attached = shade.value("shadedArtifactAttached").is_some_and(|(v, _)| v == "true");
        let name = configured_name(project, shade, final_name);
        let file = if attached {
            let classifier = shade.value("shadedClassifierName").map_or("shaded", |(c, _)| c);
            format!("{name}-{classifier}.jar")
        } else {
            format!("{name}.jar")
        };
        let evidence = format!("{}:{}", project.file, shade.line);
        runnable_jar(
            facts,
            target(project, &file),
            main,
            evidence,
            ["maven-shade-plugin", "shaded jar with a Main-Class"],
        );
    } else if let (Some((file, kind)), Some(main)) = (assembled_jar(root, project, final_name), assembly_main) {
        let evidence = assembly.map_or_else(String::new, |a| format!("{}:{}", project.file, a.line));
        runnable_jar(
            facts,
            target(project, &file),
            main,
            evidence,
            ["maven-assembly-plugin", &kind],
        );
    } else {
        facts.insert(
            "artifact".into(),
            Fact::new(target(project, &format!("{}.jar", final_name.0)), final_name.1.clone()),
        );
        let runtime_dependencies = project
            .dependencies
            .iter()
            .filter(|d| !d.optional && matches!(d.scope.as_deref(), None | Some("compile" | "runtime")))
            .count();
        facts.insert(
            "runtime_dependencies".into(),
            Fact::new(runtime_dependencies > 0, project.file.clone())
                .with_note(format!("{runtime_dependencies} compile/runtime dependencies")),
        );
        // A jar whose manifest names its main class and needs nothing else runs with `java -jar`; otherwise
        // the jar and its dependencies go on the classpath with the main class named.
        let launch = if jar_main.is_some() && runtime_dependencies == 0 {
            Fact::new("jar", project.file.clone()).with_note("Main-Class in the manifest, no runtime dependencies")
        } else {
            Fact::new("classpath", project.file.clone()).with_note("the jar and its dependencies on the classpath")
        };
        facts.insert("launch".into(), launch);
        match (jar_main, mains) {
            (Some((main, source)), _) => {
                facts.insert("main_class".into(), Fact::new(main, source));
            }
            // The manifest names none, but the sources have exactly one program to run.
            (None, [(main, source)]) => {
                facts.insert(
                    "main_class".into(),
                    Fact::new(main.clone(), source.clone())
                        .with_note("the only main method in src/main; the jar's manifest names none"),
                );
            }
            (None, _) => {
                let found = if mains.is_empty() {
                    String::new()
                } else {
                    let listed: Vec<String> = mains.iter().take(3).map(|(m, s)| format!("{m} ({s})")).collect();
                    let more = if mains.len() > 3 { ", …" } else { "" };
                    format!(
                        "; its sources have {} main methods: {}{more}",
                        mains.len(),
                        listed.join(", ")
                    )
                };
                warnings.push(format!(
                    "{} builds a plain jar without a Main-Class{found}: set <mainClass> in maven-jar-plugin's \
                     configuration/archive/manifest (or use maven-shade-plugin with a ManifestResourceTransformer), \
                     or pass --set main_class=com.example.Main",
                    project.file
                ));
            }
        }
    }
}

/// A plugin's own `finalName`, resolved, else the module's.
fn configured_name(project: &Project, plugin: &Plugin, final_name: &(String, String)) -> String {
    plugin
        .value("configuration/finalName")
        .and_then(|(name, _)| project.props.resolve(name).ok())
        .unwrap_or_else(|| final_name.0.clone())
}

/// The jar maven-assembly-plugin makes, when it makes one: `jar-with-dependencies`, or a descriptor file of
/// the module whose formats include `jar`; `(file name, what kind of jar)`.
fn assembled_jar(root: &Path, project: &Project, final_name: &(String, String)) -> Option<(String, String)> {
    let assembly = plugin(project, "maven-assembly-plugin")?;
    let id = if assembly
        .value("descriptorRef")
        .is_some_and(|(d, _)| d == "jar-with-dependencies")
    {
        "jar-with-dependencies".to_string()
    } else {
        let (descriptor, _) = assembly.value("descriptors/descriptor")?;
        let rel = join_rel(&project.dir, &project.props.resolve(descriptor).ok()?);
        let text = read_small_text(&root.join(&rel))?;
        let doc = roxmltree::Document::parse(&text).ok()?;
        let top = doc.root_element();
        let text_of = |name: &str| {
            top.children()
                .find(|n| n.has_tag_name(name))
                .map(|n| n.text().unwrap_or("").trim().to_string())
        };
        let jar_format = top.children().find(|n| n.has_tag_name("formats")).is_some_and(|f| {
            f.children()
                .any(|n| n.has_tag_name("format") && n.text() == Some("jar"))
        });
        if !jar_format {
            return None;
        }
        text_of("id")?
    };
    let append_id = assembly.value("appendAssemblyId").is_none_or(|(v, _)| v != "false");
    let name = configured_name(project, assembly, final_name);
    let file = if append_id {
        format!("{name}-{id}.jar")
    } else {
        format!("{name}.jar")
    };
    Some((file, format!("assembled jar ({id}) with a Main-Class")))
}

/// A jar that carries its dependencies and its Main-Class (shaded or assembled): run with `java -jar`.
/// `notes` say which plugin made the artifact and what kind of jar it is.
fn runnable_jar(facts: &mut Facts, artifact: String, main: (String, String), evidence: String, notes: [&str; 2]) {
    facts.insert(
        "artifact".into(),
        Fact::new(artifact, evidence.clone()).with_note(notes[0]),
    );
    facts.insert("main_class".into(), Fact::new(main.0, main.1));
    facts.insert("launch".into(), Fact::new("jar", evidence).with_note(notes[1]));
}
