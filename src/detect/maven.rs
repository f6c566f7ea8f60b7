//! The Maven probe: pom.xml (and its modules and in-repository parents) read with an XML parser, properties
//! resolved, then the Java version, framework, the exact artifact the build leaves, its main class and port.

use std::path::Path;

use anyhow::{bail, Result};
use serde_json::json;

use super::gosrc::{self, Token};
use super::pom::{self, Dependency, Plugin, Pom, Props};
use super::walk;
use super::{has_marker, join_rel, read_manifest, read_small_text, Candidate, Choice, ChoiceOption, Fact, Facts};

pub(super) const MARKERS: &[&str] = &["pom.xml"];

/// How deep `<modules>` may nest before dockgen stops following them.
const MAX_MODULE_DEPTH: usize = 6;

/// One pom.xml of the build, with the properties it sees (its parents' and its own).
struct Project {
    /// Directory relative to the build root, "." for the root.
    dir: String,
    file: String,
    pom: Pom,
    props: Props,
    /// The Spring Boot parent's version when the parent chain ends in spring-boot-starter-parent.
    boot_parent: Option<(String, String)>,
    /// Dependencies declared here and in in-repository parents.
    dependencies: Vec<Dependency>,
    plugins: Vec<Plugin>,
}

pub(super) fn probe(root: &Path) -> Result<Option<Candidate>> {
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
    let wrapper = root.join("mvnw").is_file() && root.join(".mvn/wrapper").is_dir();
    candidate.facts.insert(
        "build_tool".into(),
        if wrapper {
            Fact::new("maven-wrapper", "mvnw").with_note(".mvn/wrapper/ is present")
        } else {
            Fact::new("maven", "pom.xml")
        },
    );
    let pom_files: Vec<&str> = projects.iter().map(|p| p.file.as_str()).collect();
    candidate
        .facts
        .insert("pom_files".into(), Fact::new(json!(pom_files), "pom.xml"));

    let mut options = Vec::new();
    let mut not_runnable = Vec::new();
    let is_reactor = projects.len() > 1 || !projects[0].pom.modules.is_empty();
    for project in projects.iter().filter(|p| packaging(p).0 != "pom") {
        let mut module_warnings = Vec::new();
        let analysed = analyse(root, project, &mut module_warnings).and_then(|facts| {
            // In a reactor, a jar with no way to start it is a library, not an app to offer.
            let no_main =
                facts.get("launch").is_some_and(|l| l.value == "classpath") && !facts.contains_key("main_class");
            if is_reactor && no_main {
                Err(format!(
                    "{} is a library jar (no Main-Class, Spring Boot or Quarkus plugin)",
                    project.file
                ))
            } else {
                Ok(facts)
            }
        });
        match analysed {
            Ok(facts) => {
                candidate.warnings.extend(module_warnings);
                let source = project
                    .pom
                    .artifact_id
                    .as_ref()
                    .map_or_else(|| project.file.clone(), |(_, l)| format!("{}:{l}", project.file));
                options.push(ChoiceOption {
                    value: project.dir.clone(),
                    source,
                    facts,
                    why: Vec::new(),
                    warnings: Vec::new(),
                });
            }
            Err(why) => not_runnable.push((project, why)),
        }
    }
    if !is_reactor {
        if let Some((_, why)) = not_runnable.first() {
            bail!("{why}");
        }
    }
    match options.len() {
        0 => bail!(
            "pom.xml: no module builds something runnable ({}); dockgen builds Spring Boot and Quarkus apps and jars with a Main-Class",
            not_runnable.iter().map(|(p, why)| format!("{}: {why}", p.dir)).collect::<Vec<_>>().join("; ")
        ),
        1 => {
            let only = options.remove(0);
            candidate.facts.insert("module".into(), Fact::new(only.value.clone(), only.source.clone()));
            candidate.facts.extend(only.facts);
        }
        _ => candidate.choices.push(Choice {
            key: "module".into(),
            options,
            default: None,
        }),
    }
    // Libraries are expected in a reactor; a war module is worth a word, since it will not be built.
    for (project, why) in not_runnable.iter().filter(|(p, _)| packaging(p).0 == "war") {
        candidate
            .warnings
            .push(format!("module {} is not built: {why}", project.dir));
    }
    Ok(Some(candidate))
}

/// Reads the pom in `dir` and, recursively, the modules it lists.
fn load_reactor(root: &Path, dir: &str, depth: usize, out: &mut Vec<Project>) -> Result<()> {
    let project = load_project(root, dir, 0)?;
    let modules: Vec<(String, usize)> = project.pom.modules.clone();
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
        load_reactor(root, &module_dir, depth + 1, out)?;
    }
    Ok(())
}

/// Reads one pom and the properties of its in-repository parents (by `relativePath`, default `../pom.xml`).
fn load_project(root: &Path, dir: &str, depth: usize) -> Result<Project> {
    let file = join_rel(dir, "pom.xml");
    let pom = pom::parse(&read_manifest(root, &file)?).map_err(|e| anyhow::anyhow!("{file}:{e}"))?;
    let mut props = Props::default();
    let mut boot_parent = None;
    let mut dependencies = Vec::new();
    let mut plugins = Vec::new();
    if let Some(parent) = &pom.parent {
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
            props = parent_project.props;
            boot_parent = parent_project.boot_parent;
            dependencies = parent_project.dependencies;
            plugins = parent_project.plugins;
        } else if parent.artifact_id == "spring-boot-starter-parent" {
            let version = props
                .resolve(&parent.version)
                .unwrap_or_else(|_| parent.version.clone());
            boot_parent = Some((version, format!("{file}:{}", parent.line)));
        }
        props.set(
            "project.parent.version",
            &parent.version,
            format!("{file}:{}", parent.line),
        );
        props.set(
            "project.parent.groupId",
            &parent.group_id,
            format!("{file}:{}", parent.line),
        );
    }
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
    Ok(Project {
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

fn packaging(project: &Project) -> (String, String) {
    match &project.pom.packaging {
        Some((value, line)) => (
            project.props.resolve(value).unwrap_or_else(|_| value.clone()),
            format!("{}:{line}", project.file),
        ),
        None => ("jar".into(), project.file.clone()),
    }
}

fn plugin<'a>(project: &'a Project, artifact_id: &str) -> Option<&'a Plugin> {
    project.plugins.iter().rev().find(|p| p.artifact_id == artifact_id)
}

/// A resolved value with its evidence, or a warning when a property it uses is undefined.
fn resolved(project: &Project, value: &str, line: usize, warnings: &mut Vec<String>) -> Option<(String, String)> {
    match project.props.resolve(value) {
        Ok(v) => Some((v, format!("{}:{line}", project.file))),
        Err(why) => {
            warnings.push(format!("{}:{line}: {why}", project.file));
            None
        }
    }
}

/// Facts for one module, or why it cannot be run.
fn analyse(root: &Path, project: &Project, warnings: &mut Vec<String>) -> Result<Facts, String> {
    let (packaging, packaging_source) = packaging(project);
    if packaging == "war" {
        return Err(format!(
            "{packaging_source}: packaging war is not supported yet: dockgen builds runnable jars (Spring Boot, \
             Quarkus, or a jar with a Main-Class); a war needs a servlet container such as Tomcat or Jetty"
        ));
    }
    if packaging != "jar" {
        return Err(format!(
            "{packaging_source}: packaging {packaging} is not a runnable jar"
        ));
    }
    let mut facts = Facts::new();
    facts.insert("packaging".into(), Fact::new("jar", packaging_source));
    if let Some(fact) = java_version(project) {
        facts.insert("java_version".into(), fact);
    }
    let spring = plugin(project, "spring-boot-maven-plugin");
    let quarkus = plugin(project, "quarkus-maven-plugin").filter(|p| p.group_id.starts_with("io.quarkus"));
    let module_dir = project.dir.clone();
    let target = |file: &str| join_rel(&module_dir, &format!("target/{file}"));

    let final_name = final_name(project, warnings).ok_or_else(|| {
        format!(
            "{}: cannot tell the jar's name (no artifactId/version or finalName): pass --set artifact=PATH",
            project.file
        )
    })?;

    if spring.is_some() || project.boot_parent.is_some() {
        let evidence = spring.map_or_else(
            || project.boot_parent.as_ref().map(|(_, s)| s.clone()).unwrap_or_default(),
            |p| format!("{}:{}", project.file, p.line),
        );
        facts.insert("framework".into(), Fact::new("spring-boot", evidence));
        if let Some(version) = boot_version(project, spring, warnings) {
            facts.insert("spring_boot_version".into(), version);
        }
        facts.insert(
            "artifact".into(),
            Fact::new(target(&format!("{}.jar", final_name.0)), final_name.1.clone()),
        );
        facts.insert(
            "launch".into(),
            Fact::new("spring-boot", "spring-boot-maven-plugin").with_note("layered jar extraction"),
        );
        if let Some((main, source)) = spring
            .and_then(|p| p.value("configuration/mainClass"))
            .map(|(m, l)| (m.to_string(), l))
        {
            facts.insert(
                "main_class".into(),
                Fact::new(main, format!("{}:{source}", project.file)),
            );
        }
        insert_port(&mut facts, spring_port(root, &project.dir, warnings));
    } else if let Some(quarkus) = quarkus {
        quarkus_facts(root, project, quarkus, &final_name, &mut facts, warnings);
    } else {
        facts.insert(
            "framework".into(),
            Fact::new("plain", project.file.clone()).with_note("no Spring Boot or Quarkus plugin"),
        );
        plain_jar(project, &final_name, &mut facts, warnings);
        insert_port(&mut facts, java_source_port(root, &project.dir));
    }
    Ok(facts)
}

/// Quarkus: the fast-jar folder (or the uber-jar when application.properties asks for one) and its port.
fn quarkus_facts(
    root: &Path,
    project: &Project,
    quarkus: &Plugin,
    final_name: &(String, String),
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) {
    facts.insert(
        "framework".into(),
        Fact::new("quarkus", format!("{}:{}", project.file, quarkus.line)),
    );
    let properties = read_properties(
        root,
        &join_rel(&project.dir, "src/main/resources/application.properties"),
        warnings,
    );
    let uber = ["quarkus.package.type", "quarkus.package.jar.type"]
        .iter()
        .find_map(|key| properties.iter().find(|(k, v, _)| k == key && v == "uber-jar"));
    if let Some((_, _, source)) = uber {
        facts.insert(
            "artifact".into(),
            Fact::new(
                join_rel(&project.dir, &format!("target/{}-runner.jar", final_name.0)),
                source.clone(),
            ),
        );
        facts.insert(
            "launch".into(),
            Fact::new("jar", source.clone()).with_note("Quarkus uber-jar"),
        );
    } else {
        facts.insert(
            "artifact".into(),
            Fact::new(
                join_rel(&project.dir, "target/quarkus-app"),
                format!("{}:{}", project.file, quarkus.line),
            )
            .with_note("fast-jar layout"),
        );
        facts.insert(
            "launch".into(),
            Fact::new("quarkus", format!("{}:{}", project.file, quarkus.line)),
        );
    }
    let port = properties
        .iter()
        .find(|(k, _, _)| k == "%prod.quarkus.http.port")
        .or_else(|| properties.iter().find(|(k, _, _)| k == "quarkus.http.port"))
        .and_then(|(_, v, source)| port_value(v).map(|p| Fact::new(p, source.clone())));
    insert_port(facts, port);
}

fn insert_port(facts: &mut Facts, port: Option<Fact>) {
    if let Some(port) = port {
        facts.insert("port".into(), port);
    }
}

/// `finalName`, else `artifactId-version`, resolved.
fn final_name(project: &Project, warnings: &mut Vec<String>) -> Option<(String, String)> {
    if let Some((name, line)) = &project.pom.final_name {
        return resolved(project, name, *line, warnings);
    }
    let (artifact, line) = project.pom.artifact_id.as_ref()?;
    let (version, _) = project.props.get("project.version")?;
    let version = project
        .props
        .resolve(version)
        .map_err(|why| warnings.push(format!("{}: version: {why}", project.file)))
        .ok()?;
    Some((format!("{artifact}-{version}"), format!("{}:{line}", project.file)))
}

/// The Java release, in the order Maven's compiler applies them; `1.8` means 8.
fn java_version(project: &Project) -> Option<Fact> {
    for key in [
        "maven.compiler.release",
        "maven.compiler.source",
        "maven.compiler.target",
        "java.version",
    ] {
        if let Some((value, source)) = project.props.get(key) {
            if let Ok(value) = project.props.resolve(value) {
                if let Some(version) = java_release(&value) {
                    return Some(Fact::new(version, source).with_note(format!("{key} = {value}")));
                }
            }
        }
    }
    let compiler = plugin(project, "maven-compiler-plugin")?;
    ["configuration/release", "configuration/source", "configuration/target"]
        .iter()
        .find_map(|path| {
            let (value, line) = compiler.value(path)?;
            let value = project.props.resolve(value).ok()?;
            java_release(&value).map(|v| {
                Fact::new(v, format!("{}:{line}", project.file)).with_note(format!("maven-compiler-plugin {path}"))
            })
        })
}

fn java_release(value: &str) -> Option<String> {
    let version = value.strip_prefix("1.").unwrap_or(value);
    (!version.is_empty() && version.len() <= 3 && version.chars().all(|c| c.is_ascii_digit()))
        .then(|| version.to_string())
}

fn boot_version(project: &Project, spring: Option<&Plugin>, warnings: &mut Vec<String>) -> Option<Fact> {
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

/// A plain jar: the shaded or assembled jar when those plugins make one with a Main-Class, else the jar
/// plugin's output run with its runtime dependencies on the classpath.
fn plain_jar(project: &Project, final_name: &(String, String), facts: &mut Facts, warnings: &mut Vec<String>) {
    let target = |file: &str| join_rel(&project.dir, &format!("target/{file}"));
    let main_of = |plugin: Option<&Plugin>, path: &str| {
        plugin
            .and_then(|p| p.value(path))
            .map(|(m, l)| (m.to_string(), format!("{}:{l}", project.file)))
    };
    let jar_main = main_of(plugin(project, "maven-jar-plugin"), "archive/manifest/mainClass");
    let shade = plugin(project, "maven-shade-plugin");
    let shade_main = main_of(shade, "transformer/mainClass").or_else(|| jar_main.clone().filter(|_| shade.is_some()));
    let assembly = plugin(project, "maven-assembly-plugin");
    let assembly_main = main_of(assembly, "archive/manifest/mainClass");

    if let (Some(shade), Some((main, main_source))) = (shade, shade_main) {
        // Shade replaces the main jar (keeping original-*.jar) unless the shaded jar is attached.
        let attached = shade.value("shadedArtifactAttached").is_some_and(|(v, _)| v == "true");
        let name = shade
            .value("configuration/finalName")
            .map_or_else(|| final_name.0.clone(), |(n, _)| n.to_string());
        let file = if attached {
            let classifier = shade.value("shadedClassifierName").map_or("shaded", |(c, _)| c);
            format!("{name}-{classifier}.jar")
        } else {
            format!("{name}.jar")
        };
        let evidence = format!("{}:{}", project.file, shade.line);
        runnable_jar(
            facts,
            target(&file),
            (main, main_source),
            evidence,
            ["maven-shade-plugin", "shaded jar with a Main-Class"],
        );
    } else if let (Some(assembly), Some((main, main_source))) = (
        assembly,
        assembly_main.filter(|_| {
            assembly.is_some_and(|a| {
                a.value("descriptorRef")
                    .is_some_and(|(d, _)| d == "jar-with-dependencies")
            })
        }),
    ) {
        let append_id = assembly.value("appendAssemblyId").is_none_or(|(v, _)| v != "false");
        let name = assembly
            .value("configuration/finalName")
            .map_or_else(|| final_name.0.clone(), |(n, _)| n.to_string());
        let file = if append_id {
            format!("{name}-jar-with-dependencies.jar")
        } else {
            format!("{name}.jar")
        };
        let evidence = format!("{}:{}", project.file, assembly.line);
        runnable_jar(
            facts,
            target(&file),
            (main, main_source),
            evidence,
            ["maven-assembly-plugin", "jar-with-dependencies"],
        );
    } else {
        facts.insert(
            "artifact".into(),
            Fact::new(target(&format!("{}.jar", final_name.0)), final_name.1.clone()),
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
        match jar_main {
            Some((main, source)) => {
                facts.insert("main_class".into(), Fact::new(main, source));
            }
            None => warnings.push(format!(
                "{} builds a plain jar without a Main-Class: set <mainClass> in maven-jar-plugin's \
                 configuration/archive/manifest (or use maven-shade-plugin with a ManifestResourceTransformer), \
                 or pass --set main_class=com.example.Main",
                project.file
            )),
        }
    }
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

/// `key=value` lines of a .properties file with their `file:line`.
fn read_properties(root: &Path, rel: &str, warnings: &mut Vec<String>) -> Vec<(String, String, String)> {
    let Some(text) = read_config(root, rel, warnings) else {
        return Vec::new();
    };
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            if line.starts_with(['#', '!']) {
                return None;
            }
            let (key, value) = line.split_once(['=', ':'])?;
            Some((
                key.trim().to_string(),
                value.trim().to_string(),
                format!("{rel}:{}", i + 1),
            ))
        })
        .collect()
}

/// An optional framework config: absent is normal; present but unreadable (binary, not UTF-8, huge, not a
/// regular file) is said, since the settings in it are then not used.
fn read_config(root: &Path, rel: &str, warnings: &mut Vec<String>) -> Option<String> {
    let path = root.join(rel);
    if std::fs::symlink_metadata(&path).is_err() {
        return None;
    }
    let text = read_small_text(&path);
    if text.is_none() {
        warnings.push(format!(
            "{rel} is not readable UTF-8 text of at most 4 MB; its settings are ignored"
        ));
    }
    text
}

/// `8081` or a placeholder's default, `${PORT:8081}`.
fn port_value(value: &str) -> Option<u16> {
    let value = value.trim().trim_matches('"').trim_matches('\'');
    let digits = match value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        Some(placeholder) => placeholder.split_once(':')?.1,
        None => value,
    };
    digits.parse().ok().filter(|p| *p > 0)
}

/// `server.port` from application.properties, or from application.yml/.yaml (`server:` then `port:`).
fn spring_port(root: &Path, dir: &str, warnings: &mut Vec<String>) -> Option<Fact> {
    let resources = join_rel(dir, "src/main/resources");
    let properties = read_properties(root, &format!("{resources}/application.properties"), warnings);
    if let Some((_, value, source)) = properties.iter().find(|(k, _, _)| k == "server.port") {
        return port_value(value).map(|p| Fact::new(p, source.clone()));
    }
    for name in ["application.yml", "application.yaml"] {
        let rel = format!("{resources}/{name}");
        let Some(text) = read_config(root, &rel, warnings) else {
            continue;
        };
        let mut in_server = false;
        for (i, line) in text.lines().enumerate() {
            if line.starts_with("---") {
                break; // later documents are profiles
            }
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indented = line.starts_with([' ', '\t']);
            if !indented {
                in_server = trimmed.starts_with("server:");
                if let Some(value) = trimmed.strip_prefix("server.port:") {
                    return port_value(value).map(|p| Fact::new(p, format!("{rel}:{}", i + 1)));
                }
            } else if in_server {
                if let Some(value) = trimmed.strip_prefix("port:") {
                    return port_value(value).map(|p| Fact::new(p, format!("{rel}:{}", i + 1)));
                }
            }
        }
    }
    None
}

/// A port literal in `new InetSocketAddress(8080)` or the default of a `PORT` lookup in src/main/java.
fn java_source_port(root: &Path, dir: &str) -> Option<Fact> {
    let sources = root.join(join_rel(dir, "src/main/java"));
    let walked = walk::files_with_extensions(&sources, &["java"], |_| false);
    let mut hits = Vec::new();
    for path in walked.files {
        let Some(text) = read_small_text(&path) else {
            continue;
        };
        let rel = path
            .strip_prefix(root)
            .map_or_else(|_| path.display().to_string(), |p| p.to_string_lossy().into_owned());
        // Java's comments, strings and identifiers lex like Go's, which is all this needs.
        let tokens = gosrc::lex(&text).tokens;
        for (i, (token, _)) in tokens.iter().enumerate() {
            let Token::Ident(name) = token else { continue };
            let window = tokens.get(i + 1..(i + 6).min(tokens.len())).unwrap_or_default();
            let literal = match (name.as_str(), window) {
                (
                    "InetSocketAddress",
                    [(Token::Punct('('), _), (Token::Number(n), line), (Token::Punct(')'), _), ..],
                ) => Some((n.clone(), *line, "InetSocketAddress literal")),
                (
                    "getOrDefault",
                    [(Token::Punct('('), _), (Token::Str(key), _), (Token::Punct(','), _), (Token::Str(value), line), ..],
                ) if key == "PORT" => Some((value.clone(), *line, "default of the PORT environment variable")),
                _ => None,
            };
            if let Some((text, line, how)) = literal {
                if let Some(port) = port_value(&text) {
                    hits.push(Fact::new(port, format!("{rel}:{line}")).with_note(how));
                }
            }
        }
    }
    let first = hits.first()?;
    hits.iter().all(|h| h.value == first.value).then(|| first.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_release_normalises_old_style_versions() {
        assert_eq!(java_release("1.8").as_deref(), Some("8"));
        assert_eq!(java_release("11").as_deref(), Some("11"));
        assert_eq!(java_release("${x}"), None);
        assert_eq!(java_release("17; rm"), None);
    }

    #[test]
    fn ports_from_values_and_placeholders() {
        assert_eq!(port_value("8081"), Some(8081));
        assert_eq!(port_value("${PORT:9000}"), Some(9000));
        assert_eq!(port_value("${PORT}"), None);
        assert_eq!(port_value("0"), None);
    }

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
