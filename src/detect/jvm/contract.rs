//! How the project already runs its Java program (a hand-written Dockerfile, compose, Procfile, a start script),
//! applied to the runnable modules of either build tool: `java [options] -jar JAR [args]` or `java [options]
//! [-cp PATH] MAIN [args]`.

use std::path::Path;

use super::super::ChoiceOption;
use super::super::Facts;
use crate::detect::deploy::{self, Program, Start};

/// Applies the deployment files of each module's folder (and the root's, when they run its program) to the
/// module's facts; each module comes with its folder; returns the notes saying what was carried over.
pub(in crate::detect) fn apply(root: &Path, modules: &mut [(String, &mut ChoiceOption)]) -> Vec<String> {
    let stems: Vec<String> = modules.iter().filter_map(|(_, m)| artifact_stem(&m.facts)).collect();
    let mut programs: Vec<Program> = modules
        .iter_mut()
        .map(|(dir, module)| Program {
            names: published_names(dir, module),
            dir: dir.clone(),
            facts: &mut module.facts,
            warnings: &mut module.warnings,
            builds_frontend: false,
            runs_python_scripts: false,
            kept_at_start: |_| false,
            takes_workdir: false,
            own_env: &["JAVA_TOOL_OPTIONS"],
        })
        .collect();
    let notes = deploy::apply_to_programs(
        root,
        &mut programs,
        &|facts, words| java_start(facts, words, &stems),
        &|s| s.to_string(),
    );
    for (dir, module) in modules.iter_mut() {
        ship_named_files(root, dir, &mut module.facts);
    }
    notes
}

/// Where the build puts a module's resources (Maven's `target/classes/`, Gradle's `build/resources/main/`): a
/// file there that the command names (`server target/classes/config/dev.yml`) is a resource of the sources.
const RESOURCE_OUTPUTS: &[&str] = &["target/classes/", "build/resources/main/"];

/// The repository files the program's arguments name by a path relative to where it runs (`server
/// config.yml`, Dropwizard's configuration; `--config=conf/app.yml`), added to `config_files`: copied to that
/// path under the image's working directory. A path into the build's resource output is the resource's source
/// file; one the old Dockerfile copied in is already a contract file.
fn ship_named_files(root: &Path, dir: &str, facts: &mut Facts) {
    let Some(args) = facts.get("args") else { return };
    let source = args.source.clone();
    let shipped: Vec<String> = facts
        .get("contract_files")
        .and_then(|f| f.value.as_array())
        .into_iter()
        .flatten()
        .filter_map(|copy| copy["to"].as_str().map(str::to_string))
        .collect();
    let mut copies = Vec::new();
    for arg in args
        .value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
    {
        let value = arg.rsplit_once('=').map_or(arg, |(_, value)| value);
        let rel = value.trim_start_matches("./");
        let plain = !value.starts_with(['/', '-', '$']) && crate::validate::context_path(rel).is_ok();
        if !plain || shipped.iter().any(|to| to == rel) {
            continue;
        }
        let resource = RESOURCE_OUTPUTS
            .iter()
            .find_map(|output| Some(format!("src/main/resources/{}", rel.strip_prefix(output)?)));
        let from = std::iter::once(rel.to_string())
            .chain(resource)
            .map(|candidate| crate::detect::join_rel(dir, &candidate))
            .find(|from| {
                root.join(from).is_file()
                    && !crate::knowledge::node::runtime().is_secret(from.rsplit('/').next().unwrap_or(from))
            });
        if let Some(from) = from {
            copies.push(serde_json::json!({ "from": from, "to": rel }));
        }
    }
    if copies.is_empty() {
        return;
    }
    let named: Vec<String> = copies
        .iter()
        .filter_map(|c| c["from"].as_str().map(str::to_string))
        .collect();
    log_folders(root, &named, facts);
    // A server whose code and settings say no port listens where the config file it is given says.
    if facts.get("port").is_some_and(super::is_assumed_port) {
        let mut warnings = Vec::new();
        if let Some(port) = crate::detect::configport::config_port(root, &named, &mut warnings) {
            facts.insert("port".into(), port);
        }
    }
    let note = format!(
        "the program's arguments name {} where it runs: copied there",
        named.join(", ")
    );
    super::extend_list_fact(
        facts,
        "config_files",
        crate::detect::Fact::new(copies, source).with_note(note),
    );
}

/// The names a module's image may be published under: its folder and its artifact without the version
/// (`api/target/orders-api-2.1.jar` → `api`, `orders-api`).
fn published_names(dir: &str, module: &ChoiceOption) -> Vec<String> {
    let mut names: Vec<String> = dir
        .rsplit('/')
        .next()
        .filter(|n| *n != ".")
        .map(String::from)
        .into_iter()
        .collect();
    if let Some(artifact) = module.facts.get("artifact").and_then(|f| f.value.as_str()) {
        names.push(artifact_name(artifact));
    }
    names
}

/// An artifact's name without folders, `.jar` and version (`api/target/orders-api-2.1.jar` → `orders-api`).
pub(in crate::detect) fn artifact_name(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.strip_suffix(".jar").unwrap_or(file);
    let version_at = stem
        .match_indices('-')
        .find(|(at, _)| stem[at + 1..].starts_with(|c: char| c.is_ascii_digit()))
        .map_or(stem.len(), |(at, _)| at);
    stem[..version_at].to_string()
}

/// The module's artifact without folders and `.jar` (`server/target/api-1.0.jar` → `api-1.0`): Maven's
/// `artifact`, or the name a Gradle task gives its jar (`archiveFileName`), when it is not a pattern.
fn artifact_stem(facts: &Facts) -> Option<String> {
    let named = facts
        .get("jar_name")
        .and_then(|f| f.value.as_str())
        .filter(|name| !name.contains('*'));
    let artifact = facts.get("artifact").and_then(|f| f.value.as_str()).or(named)?;
    let name = artifact.rsplit('/').next().unwrap_or(artifact);
    Some(name.strip_suffix(".jar").unwrap_or(name).to_string())
}

/// Whether a jar named in a command (`app.jar`, `/app/target/api-*.jar`) is the artifact `stem`.
fn names_artifact(jar: &str, stem: &str) -> bool {
    let name = jar.rsplit('/').next().unwrap_or(jar);
    let jar_stem = name.strip_suffix(".jar").unwrap_or(name);
    match jar_stem.split_once('*') {
        Some((prefix, _)) => !prefix.is_empty() && stem.starts_with(prefix),
        None => stem == jar_stem || stem.starts_with(&format!("{jar_stem}-")),
    }
}

/// The folders the file appenders of the config files the arguments name write to (Dropwizard's
/// `currentLogFilename: logs/app.log`), added to `written_dirs`: made and handed to the app user.
fn log_folders(root: &Path, configs: &[String], facts: &mut Facts) {
    let logs: Vec<super::writes::Write> = configs
        .iter()
        .flat_map(|from| super::writes::yaml_log_writes(root, from))
        .collect();
    if let Some(fact) = super::writes::fact(&logs) {
        super::extend_list_fact(facts, "written_dirs", fact);
    }
}

/// How a `java` command starts this module's program. A jar named after one of the modules' artifacts
/// (`stems`) starts only that module; a jar named otherwise (`app.jar`) starts whichever module is built.
fn java_start(facts: &Facts, words: &[String], stems: &[String]) -> Option<Start> {
    let program = words.first()?;
    if deploy::base_name(program) != "java" {
        return None;
    }
    let mut options = Vec::new();
    let mut at = 1;
    while let Some(word) = words.get(at) {
        match word.as_str() {
            "-jar" => {
                let jar = words.get(at + 1)?;
                let this = artifact_stem(facts);
                let named_module = stems.iter().any(|stem| names_artifact(jar, stem));
                if named_module && !this.is_some_and(|stem| names_artifact(jar, &stem)) {
                    return None;
                }
                return Some(Start { words: at + 2, options });
            }
            // The class path is the new image's own.
            "-cp" | "-classpath" | "--class-path" => at += 2,
            // `java $JAVA_OPTS -jar …`: options the old image's environment gave, none of them written here.
            variable if variable.starts_with('$') => at += 1,
            option if option.starts_with('-') => {
                // Properties and memory settings are the program's configuration; other options (modules,
                // agents) name files of the old image.
                if option.starts_with("-D") || option.starts_with("-X") {
                    options.push(option.to_string());
                }
                at += 1;
            }
            main => {
                let known = facts.get("main_class").and_then(|f| f.value.as_str());
                let launcher = main.starts_with("org.springframework.boot.loader.") || main.starts_with("io.quarkus.");
                let runs_this = known.map_or(launcher, |class| class == main);
                return runs_this.then_some(Start { words: at + 1, options });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::words;
    use crate::detect::Fact;

    fn facts(artifact: &str, main: Option<&str>) -> Facts {
        let mut facts = Facts::new();
        facts.insert("artifact".into(), Fact::new(artifact, "pom.xml"));
        if let Some(main) = main {
            facts.insert("main_class".into(), Fact::new(main, "pom.xml"));
        }
        facts
    }

    #[test]
    fn a_jar_command_starts_the_module_it_names_or_any_module() {
        let stems = vec!["api-1.0".to_string(), "worker-1.0".to_string()];
        let api = facts("api/target/api-1.0.jar", None);
        let worker = facts("worker/target/worker-1.0.jar", None);
        let command = words("java -Xmx512m -Dspring.profiles.active=prod -jar /app/api.jar --debug");
        let start = java_start(&api, &command, &stems).unwrap();
        assert_eq!(start.words, 5);
        assert_eq!(start.options, vec!["-Xmx512m", "-Dspring.profiles.active=prod"]);
        assert_eq!(java_start(&worker, &command, &stems), None);
        let generic = words("java -jar app.jar");
        assert!(java_start(&worker, &generic, &stems).is_some());
        assert!(java_start(&api, &words("java -jar target/api-*.jar"), &stems).is_some());
    }

    #[test]
    fn a_main_class_command_starts_the_module_with_that_main() {
        let tool = facts("target/tool-1.0.jar", Some("com.example.Tool"));
        let stems = vec!["tool-1.0".to_string()];
        let start = java_start(&tool, &words("java -cp /app/lib/* com.example.Tool serve"), &stems).unwrap();
        assert_eq!(start.words, 4);
        assert_eq!(java_start(&tool, &words("java -cp x com.example.Other"), &stems), None);
        assert_eq!(java_start(&tool, &words("/bin/sh -c java"), &stems), None);
        let boot = facts("target/app-1.0.jar", None);
        assert!(java_start(
            &boot,
            &words("java org.springframework.boot.loader.launch.JarLauncher"),
            &stems
        )
        .is_some());
    }
}
