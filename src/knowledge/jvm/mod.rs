//! What dockgen knows about JVM programs beyond their build file, as data (frameworks.toml), and its release lines (lines.toml): dependencies that listen
//! on a port, packages a JRE lacks, packagings contributed by build extensions. Any JVM build tool reads it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use globset::GlobSet;
use serde::Deserialize;

use super::{glob_set, table, version_at_least};

const KNOWLEDGE_TOML: &str = include_str!("frameworks.toml");
pub(crate) const LINES_TOML: &str = include_str!("lines.toml");
pub(crate) const GRADLE_TOML: &str = include_str!("gradle.toml");

/// What dockgen knows of Gradle (gradle.toml).
#[derive(Deserialize, Default)]
pub(crate) struct Gradle {
    #[serde(rename = "gradle")]
    pub(crate) version: GradleVersion,
    pub(crate) runs_on: Vec<GradleRunsOn>,
    pub(crate) starts_from: Vec<GradleRunsOn>,
    pub(crate) plugin: Vec<GradlePlugin>,
}

/// From which Gradle version on it runs on (or starts from) a Java line.
#[derive(Deserialize, Default)]
pub(crate) struct GradleRunsOn {
    pub(crate) gradle: String,
    pub(crate) java: u32,
}

#[derive(Deserialize, Default)]
pub(crate) struct GradleVersion {
    pub(crate) default: String,
    pub(crate) released: Option<toml::value::Datetime>,
    /// The default for a build that targets a Java line older than the default Gradle starts on.
    pub(crate) legacy: Option<LegacyGradle>,
}

#[derive(Deserialize, Default)]
pub(crate) struct LegacyGradle {
    pub(crate) version: String,
    pub(crate) below_java: u32,
}

/// A plugin that makes a project a program: the task that builds it and how it starts, or why it is not
/// supported yet.
#[derive(Deserialize, Default)]
pub(crate) struct GradlePlugin {
    pub(crate) id: String,
    /// Other ids the same plugin is published under (a fork, a new owner).
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) launch: Option<String>,
    /// For a jar launch: the name the task's jar is found by in the build's libs folder (`*-all.jar`).
    pub(crate) jar_name: Option<String>,
    /// `group:artifact` of the plugin's jar on a `buildscript` classpath (the way before `plugins {}`), and of
    /// the BOM that carries its version: where its version is read when the `plugins {}` line has none.
    pub(crate) classpath: Option<String>,
    pub(crate) bom: Option<String>,
    /// Applying it makes a program only where a main class is named (a shadow jar of a library is a library).
    #[serde(default)]
    pub(crate) needs_main_class: bool,
    pub(crate) task: Option<String>,
    pub(crate) framework: Option<String>,
    pub(crate) unsupported: Option<String>,
}

impl GradlePlugin {
    /// Whether `id` is this plugin's.
    pub(crate) fn is(&self, id: &str) -> bool {
        self.id == id || self.aliases.iter().any(|alias| alias == id)
    }
}

/// The oldest Java line `version` of Gradle starts on, and the newest LTS line it runs on.
pub(crate) fn gradle_lines(version: &str) -> (Option<u32>, Option<u32>) {
    let known = gradle();
    let line = |table: &[GradleRunsOn]| table.iter().find(|r| version_at_least(version, &r.gradle)).map(|r| r.java);
    (line(&known.starts_from), line(&known.runs_on))
}

/// The JDK line that runs Gradle `version` for a build targeting Java `java`: `java` itself, or the nearest line
/// that Gradle starts and runs on (`release` and the compatibility settings still compile for `java`).
pub(crate) fn gradle_jdk_line(version: &str, java: u32) -> u32 {
    let (oldest, newest) = gradle_lines(version);
    let java = oldest.map_or(java, |oldest| java.max(oldest));
    newest.map_or(java, |newest| java.min(newest))
}

pub(crate) fn gradle() -> &'static Gradle {
    static GRADLE: OnceLock<Gradle> = OnceLock::new();
    GRADLE.get_or_init(|| table(GRADLE_TOML))
}

#[derive(Deserialize, Default)]
struct JavaLines {
    line: Vec<JavaLine>,
}

/// One Java line Temurin publishes images of.
#[derive(Deserialize)]
pub(crate) struct JavaLine {
    pub(crate) version: u32,
    pub(crate) lts: bool,
}


#[derive(Deserialize, Default)]
struct Raw {
    listen: RawListen,
    jdk_only: JdkOnly,
    packaging: BTreeMap<String, Packaging>,
    framework: BTreeMap<String, Framework>,
    #[serde(default)]
    command: Vec<ServerCommand>,
}

/// A server library's command-line arguments that start its server, and the keys of its YAML configuration.
#[derive(Deserialize, Clone)]
pub(crate) struct ServerCommand {
    pub(crate) dependency: String,
    pub(crate) args: Vec<String>,
    pub(crate) config_keys: Vec<String>,
}

/// A framework's HTTP port and address settings, and the config files it reads where it runs.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct Framework {
    /// The settings keys that set the port, strongest first.
    pub(crate) port_keys: Vec<String>,
    /// The environment variable that overrides them.
    pub(crate) port_env: Option<String>,
    /// The settings keys that set the listen address, strongest first.
    #[serde(default)]
    pub(crate) address_keys: Vec<String>,
    /// The environment variable that overrides them.
    pub(crate) address_env: Option<String>,
    /// The config files it reads from its working directory at run time (`config/application.yml`).
    #[serde(default)]
    pub(crate) working_dir_configs: Vec<String>,
}

#[derive(Deserialize, Default)]
struct RawListen {
    servers: Vec<String>,
    plain_servers: Vec<String>,
    not_servers: Vec<String>,
    source_types: Vec<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct JdkOnly {
    pub(crate) modules: Vec<String>,
    /// Package prefix → the JDK module that holds it.
    pub(crate) packages: BTreeMap<String, String>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct Packaging {
    /// The plugin (artifactId) that contributes it; none for packagings Maven itself knows.
    pub(crate) plugin: Option<String>,
    #[serde(rename = "as")]
    pub(crate) effective: String,
    pub(crate) why: Option<String>,
}

pub(crate) struct Knowledge {
    servers: GlobSet,
    plain_servers: GlobSet,
    not_servers: GlobSet,
    pub(crate) source_types: Vec<String>,
    pub(crate) jdk_only: JdkOnly,
    pub(crate) packaging: BTreeMap<String, Packaging>,
    framework: BTreeMap<String, Framework>,
    pub(crate) command: Vec<ServerCommand>,
}

impl Knowledge {
    /// A framework's port settings; none for a plain program.
    pub(crate) fn framework(&self, name: &str) -> Option<&Framework> {
        self.framework.get(name)
    }

    /// True when a dependency with this artifactId makes the program listen: any server dependency under a
    /// framework (which starts what it finds), only the self-starting ones for a plain program.
    pub(crate) fn is_server(&self, artifact_id: &str, framework: bool) -> bool {
        let set = if framework { &self.servers } else { &self.plain_servers };
        set.is_match(artifact_id) && !self.not_servers.is_match(artifact_id)
    }
}

pub(crate) fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| {
        let raw: Raw = table(KNOWLEDGE_TOML);
        Knowledge {
            servers: glob_set(&raw.listen.servers),
            plain_servers: glob_set(&raw.listen.plain_servers),
            not_servers: glob_set(&raw.listen.not_servers),
            source_types: raw.listen.source_types,
            jdk_only: raw.jdk_only,
            packaging: raw.packaging,
            framework: raw.framework,
            command: raw.command,
        }
    })
}

/// The Java lines Temurin publishes (lines.toml).
pub(crate) fn lines() -> &'static [JavaLine] {
    static LINES: OnceLock<JavaLines> = OnceLock::new();
    &LINES.get_or_init(|| table(LINES_TOML)).line
}

/// The LTS line a Java program built for `release` runs on: `release` itself when it is LTS, else the next LTS
/// line; None when `release` is newer than every line dockgen knows.
pub(crate) fn java_runtime_line(release: u32) -> Option<u32> {
    lines()
        .iter()
        .filter(|l| l.lts && l.version >= release)
        .map(|l| l.version)
        .min()
}

#[cfg(test)]
mod tests {
    use globset::Glob;

    use super::*;

    #[test]
    fn the_table_parses_and_every_glob_compiles() {
        let raw: Raw = toml::from_str(KNOWLEDGE_TOML).unwrap();
        let listen = &raw.listen;
        for pattern in listen
            .servers
            .iter()
            .chain(&listen.plain_servers)
            .chain(&listen.not_servers)
        {
            Glob::new(pattern).unwrap();
        }
        for (name, packaging) in &raw.packaging {
            assert!(
                ["quarkus", "jar", "refuse"].contains(&packaging.effective.as_str()),
                "{name}: {}",
                packaging.effective
            );
            assert_eq!(packaging.effective == "refuse", packaging.why.is_some(), "{name}");
        }
        for module in raw.jdk_only.packages.values() {
            assert!(raw.jdk_only.modules.contains(module), "{module}");
        }
        // The source scan looks for them only among capitalised names.
        for source_type in &listen.source_types {
            assert!(source_type.starts_with(|c: char| c.is_ascii_uppercase()), "{source_type}");
        }
    }

    #[test]
    fn servers_are_told_from_clients() {
        let k = knowledge();
        for server in [
            "spring-boot-starter-web",
            "quarkus-rest-jackson",
            "spring-boot-starter-webmvc",
            "spring-cloud-starter-netflix-eureka-server",
        ] {
            assert!(k.is_server(server, true), "{server}");
        }
        for other in [
            "spring-boot-starter-restclient",
            "jakarta.servlet-api",
            "quarkus-rest-client-jackson",
            "spring-boot-starter-batch",
            "jackson-databind",
        ] {
            assert!(!k.is_server(other, true), "{other}");
        }
        // A library with "server" in its name does nothing in a plain program unless the code starts it.
        assert!(!k.is_server("vaadin-server", false));
        assert!(k.is_server("javalin", false));
    }

    #[test]
    fn gradle_runs_on_a_jdk_inside_its_range() {
        // Gradle 9 starts on 17 at the oldest; 7.6 runs on 17 at the newest LTS; 8.10 takes 11 and 21 as they are.
        assert_eq!(gradle_jdk_line("9.5.1", 11), 17);
        assert_eq!(gradle_jdk_line("9.5.1", 25), 25);
        assert_eq!(gradle_jdk_line("7.6", 21), 17);
        assert_eq!(gradle_jdk_line("8.10.2", 11), 11);
        assert_eq!(gradle_jdk_line("8.10.2", 21), 21);
    }

    #[test]
    fn the_java_table_parses_and_lists_the_lts_lines() {
        let table: JavaLines = toml::from_str(LINES_TOML).unwrap();
        let lts: Vec<u32> = table.line.iter().filter(|l| l.lts).map(|l| l.version).collect();
        assert_eq!(lts, [8, 11, 17, 21, 25]);
    }

    #[test]
    fn non_lts_java_releases_run_on_the_next_lts_line() {
        assert_eq!(java_runtime_line(17), Some(17));
        assert_eq!(java_runtime_line(23), Some(25));
        assert_eq!(java_runtime_line(9), Some(11));
        assert_eq!(java_runtime_line(26), None);
    }
}
