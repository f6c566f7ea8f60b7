//! What every JVM build tool's probe reads besides its build file, shared by them (Maven and Gradle):
//! the Java and Kotlin sources (main classes, listen calls, framework annotations) and the Spring, Quarkus and
//! Micronaut configuration files (`application.properties`/`.yml`), the Java line (`line`) and Spring Boot's jar layout. The tables behind it are data in
//! `src/knowledge/jvm/`.

pub(in crate::detect) mod build_tool;
pub(in crate::detect) mod config;
pub(in crate::detect) mod contract;
pub(in crate::detect) mod line;
pub(in crate::detect) mod sources;
pub(in crate::detect) mod writes;

use super::Fact;
use crate::knowledge::jvm::knowledge;
use crate::knowledge::version_at_least;

/// The variable the program's port is read from: the one its port setting names (`server.port=${PORT:8080}`:
/// `PORT`, which the framework's own variable would outrank), else the framework's (frameworks.toml), as a fact.
pub(in crate::detect) fn port_env(settings: &config::Settings, framework: &str, evidence: &str) -> Option<Fact> {
    let known = knowledge().framework(framework)?;
    let named = known.port_keys.iter().find_map(|key| {
        let (value, source) = settings.get(key)?;
        let inner = value.trim().strip_prefix("${")?.strip_suffix('}')?;
        let variable = inner.split_once(':').map_or(inner, |(name, _)| name);
        crate::validate::is_upper_env_name(variable)
            .then(|| Fact::new(variable, source).with_note(format!("the variable {key} reads ({value})")))
    });
    named.or_else(|| {
        let variable = known.port_env.clone()?;
        Some(Fact::new(variable, evidence).with_note("the variable the framework reads its port from"))
    })
}

/// What the port note of a server says when nothing in its code or settings names the port: 8080 is taken.
const ASSUMED_PORT: &str = "no port literal found, 8080 assumed";

/// The port of a server whose code and settings name none (`what`: the evidence it serves, `depends on
/// dropwizard-core`): 8080, said to be an assumption.
pub(in crate::detect) fn assumed_port(what: &str, source: &str) -> Fact {
    Fact::new(8080, source).with_note(format!("{what}; {ASSUMED_PORT}"))
}

/// Whether a port fact is that assumption (the deployment files and the program's own config file outrank it).
pub(in crate::detect) fn is_assumed_port(fact: &Fact) -> bool {
    fact.note.as_deref().is_some_and(|note| note.ends_with(ASSUMED_PORT))
}

/// The port a framework's settings (application.properties/.yml) configure, by its keys in frameworks.toml.
pub(in crate::detect) fn configured_port(settings: &config::Settings, framework: &str) -> Option<Fact> {
    let keys: Vec<&str> = knowledge()
        .framework(framework)?
        .port_keys
        .iter()
        .map(String::as_str)
        .collect();
    settings.port(&keys)
}

/// What the framework's settings ask of the image at run time: the listen address moved off loopback
/// (`bind_env`) and the config files it reads where it runs (`config_files`).
pub(in crate::detect) fn run_time_settings(settings: &config::Settings, framework: &str, facts: &mut super::Facts) {
    if let Some(fact) = loopback_bind(settings, framework) {
        facts.insert("bind_env".into(), fact);
    }
    if let Some(fact) = working_dir_configs(settings, framework) {
        extend_list_fact(facts, "config_files", fact);
    }
}

/// The repository files the code opens by a relative literal (`new File("40E")`, `Path.of("data/routes.csv")`),
/// added to `config_files`: copied to that path under the image's working directory, where the program opens them
/// (sources and dotfiles never).
pub(in crate::detect) fn opened_files(
    root: &std::path::Path,
    module_dir: &str,
    sources: &sources::Sources,
    facts: &mut super::Facts,
) {
    let mut copies: Vec<serde_json::Value> = Vec::new();
    let mut evidence = Vec::new();
    for (path, at) in &sources.reads {
        let from = super::join_rel(module_dir, path);
        let source_code = std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e == "java" || e == "kt" || e == "class");
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let secret = crate::knowledge::node::runtime().is_secret(file_name);
        let copy = serde_json::json!({ "from": from, "to": path });
        if source_code || secret || !root.join(&from).is_file() || copies.contains(&copy) {
            continue;
        }
        copies.push(copy);
        evidence.push(format!("{path} ({at})"));
    }
    let Some(first) = sources.reads.first().map(|(_, at)| at.clone()) else {
        return;
    };
    if copies.is_empty() {
        return;
    }
    let note = format!(
        "the code opens them from its working directory: {}",
        evidence.join(", ")
    );
    extend_list_fact(facts, "config_files", Fact::new(copies, first).with_note(note));
}

/// A list fact (`config_files`, `written_dirs`) with more items: the fact as given, or its items added to the
/// ones already there, each once.
fn extend_list_fact(facts: &mut super::Facts, key: &str, more: Fact) {
    match facts.get_mut(key).and_then(|f| f.value.as_array_mut()) {
        Some(existing) => {
            for item in more.value.as_array().into_iter().flatten() {
                if !existing.contains(item) {
                    existing.push(item.clone());
                }
            }
        }
        None => {
            facts.insert(key.into(), more);
        }
    }
}

/// The variable that moves the listen address off loopback, when the framework's settings bind it there
/// (Spring's `server.address=localhost`): a published port reaches only an address on every interface.
fn loopback_bind(settings: &config::Settings, framework: &str) -> Option<Fact> {
    let known = knowledge().framework(framework)?;
    let variable = known.address_env.clone()?;
    let (key, value, source) = known
        .address_keys
        .iter()
        .find_map(|key| settings.get(key).map(|(value, source)| (key, value, source)))?;
    // A placeholder's default is the address when the variable is unset (`${HOST:localhost}`).
    let value = value.trim().trim_matches(['"', '\'']);
    let address = value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .map_or(value, |inner| inner.split_once(':').map_or("", |(_, default)| default));
    crate::detect::is_loopback_host(address).then(|| {
        Fact::new(variable.as_str(), source).with_note(format!(
            "{key}={value} listens on loopback only, which a published port cannot reach: the image sets \
             {variable}=0.0.0.0"
        ))
    })
}

/// The config files the framework reads from its working directory that the module has (`application.yml`
/// beside pom.xml), as `config_files`: copied into the image's working directory, where the program looks.
fn working_dir_configs(settings: &config::Settings, framework: &str) -> Option<Fact> {
    let known = knowledge().framework(framework)?;
    let files: Vec<_> = settings
        .working_dir_files()
        .iter()
        .filter(|(_, to)| known.working_dir_configs.contains(to))
        .collect();
    let (first, _) = files.first()?;
    let copies: Vec<_> = files
        .iter()
        .map(|(from, to)| serde_json::json!({ "from": from, "to": to }))
        .collect();
    let named: Vec<&str> = files.iter().map(|(from, _)| from.as_str()).collect();
    Some(Fact::new(copies, first.as_str()).with_note(format!(
        "{framework} reads {} from its working directory at run time, over the packaged settings: copied there",
        named.join(", ")
    )))
}

/// How a Spring Boot jar of `version` is unpacked into layers and started: `tools` (3.3+: `-Djarmode=tools
/// extract --layers`, `java -jar`), `launcher` (3.2: layertools, the loader's new package) or `legacy`.
pub(in crate::detect) fn spring_boot_layout(version: &str) -> &'static str {
    if version_at_least(version, "3.3") {
        "tools"
    } else if version_at_least(version, "3.2") {
        "launcher"
    } else {
        "legacy"
    }
}

/// The folders a module's program writes (`written_dirs`): what its code makes and writes, the file databases,
/// log files and data folders its settings, logging and HOCON configurations name.
pub(in crate::detect) fn written_dirs(
    root: &std::path::Path,
    module_dir: &str,
    sources: &sources::Sources,
    settings: Option<&config::Settings>,
) -> Option<Fact> {
    let mut found = sources.writes.clone();
    if let Some(settings) = settings {
        found.extend(writes::settings_writes(settings));
    }
    found.extend(writes::logging_writes(root, module_dir));
    found.extend(writes::hocon_writes(root, module_dir));
    writes::fact(&found)
}

/// The arguments a server library's jar needs to serve (`server config.yml` for Dropwizard, knowledge
/// `[[command]]`), when the module depends on one (`dependencies`: artifactId and `file:line`): its command, and the
/// module's YAML configuration when exactly one file at the module's root holds one of its keys at the top level
/// (`server:`, `logging:`). The deployment files' own arguments replace them (deploy/apply.rs).
pub(in crate::detect) fn server_command_args<'d>(
    root: &std::path::Path,
    module_dir: &str,
    mut dependencies: impl Iterator<Item = (&'d str, String)>,
) -> Option<Fact> {
    let known = &knowledge().command;
    let (command, source) =
        dependencies.find_map(|(artifact, at)| known.iter().find(|c| c.dependency == artifact).map(|c| (c, at)))?;
    let folder = root.join(module_dir);
    let mut configs: Vec<String> = std::fs::read_dir(&folder)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| {
            let extension = std::path::Path::new(name)
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            let yaml = extension.eq_ignore_ascii_case("yml") || extension.eq_ignore_ascii_case("yaml");
            yaml && !name.starts_with('.') && !name.contains("compose")
        })
        .filter(|name| {
            crate::detect::read_small_text(&folder.join(name)).is_some_and(|text| {
                text.lines().any(|line| {
                    line.split_once(':')
                        .is_some_and(|(key, _)| command.config_keys.iter().any(|k| k == key))
                })
            })
        })
        .collect();
    configs.sort();
    let mut args = command.args.clone();
    let note = match configs.as_slice() {
        [config] => {
            args.push(config.clone());
            format!(
                "{} serves when given `{}`; {config} is the module's configuration",
                command.dependency,
                args.join(" ")
            )
        }
        _ => format!("{} serves when given `{}`", command.dependency, args.join(" ")),
    };
    Some(Fact::new(serde_json::json!(args), source).with_note(note))
}

/// Words in a module's or project's folder that make it a sample, test or tool beside the real application.
const SAMPLE_WORDS: &[&str] = &[
    "sample",
    "samples",
    "example",
    "examples",
    "demo",
    "demos",
    "test",
    "tests",
    "testing",
    "it",
    "e2e",
    "benchmark",
    "benchmarks",
    "bench",
    "jmh",
    "perf",
    "docs",
    "doc",
    "tools",
    "archetype",
    "archetypes",
    "showcase",
    "playground",
    "tutorial",
    "tutorials",
];

/// True when a folder of the module's (or project's) path is named like a sample, test or tool (`examples/`, `demo-app/`).
pub(in crate::detect) fn is_sample(dir: &str) -> bool {
    dir != "."
        && dir.split('/').any(|segment| {
            segment
                .split(['-', '_', '.'])
                .any(|word| SAMPLE_WORDS.contains(&word.to_ascii_lowercase().as_str()))
        })
}

/// Whether a Spring Boot jar of `version` carries a layer index unless told otherwise (2.4 on; 1.x and 2.0-2.3
/// build a fat jar with no index, which runs with java -jar). A version with no leading number is taken to.
pub(in crate::detect) fn boot_layers_by_default(version: &str) -> bool {
    let numbers = release_numbers(version);
    numbers.is_empty() || numbers >= vec![2, 4]
}

/// A release's leading numbers: `2.3.2.RELEASE` and `3.4.0-M1` are 2.3.2 and 3.4.0 (a qualifier does not change
/// how the jar is laid out).
pub(in crate::detect) fn release_numbers(version: &str) -> Vec<u32> {
    version.split(['.', '-']).map_while(|part| part.parse().ok()).collect()
}
