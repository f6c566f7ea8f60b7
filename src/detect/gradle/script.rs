//! A Gradle build or settings script, Groovy or Kotlin DSL, read as tokens and never run (it is code): the
//! plugins it applies, the settings it assigns inside which blocks (`application { mainClass = "x" }`,
//! `java { toolchain { languageVersion = JavaLanguageVersion.of(21) } }`), the dependencies it declares and the
//! projects a settings script includes. Statements are split the way both DSLs split them: at `;`, braces and
//! line ends outside parentheses and operators.

use crate::detect::lex::{self, Token};

/// How deep block nesting is followed: deeper blocks are read as the deepest one.
const MAX_DEPTH: usize = 32;

/// A plugin the `plugins {}` block or `apply plugin:` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plugin {
    /// Its id (`org.springframework.boot`, `application`), or the catalog alias (`libs.plugins.spring.boot`).
    pub(super) id: String,
    pub(super) version: Option<String>,
    /// Declared with `apply false` (a root script declaring a version for its subprojects).
    pub(super) applied: bool,
    /// Applied inside `subprojects {}` (to the other projects only) or `allprojects {}` (to every project).
    pub(super) scope: Scope,
    pub(super) line: usize,
}

/// Which projects a root script's plugin applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Scope {
    #[default]
    Own,
    Subprojects,
    AllProjects,
}

impl Scope {
    /// The scope of a statement inside `blocks`.
    pub(super) fn of(blocks: &[String]) -> Self {
        if blocks.iter().any(|b| b == "subprojects") {
            Scope::Subprojects
        } else if blocks.iter().any(|b| b == "allprojects") {
            Scope::AllProjects
        } else {
            Scope::Own
        }
    }
}

/// A value assigned or passed inside blocks: `application { mainClass.set("x") }` is block path
/// `["application"]`, key `mainClass`, value `x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Setting {
    pub(super) blocks: Vec<String>,
    pub(super) key: String,
    /// The first string or number of the statement, or the constant a `JavaVersion.VERSION_17` names.
    pub(super) value: String,
    /// Every string of the statement (`attributes("Main-Class" to "app.Main")`).
    pub(super) strings: Vec<String>,
    pub(super) line: usize,
}

/// A dependency notation in a `dependencies {}` block: `implementation("g:a:v")`, `runtimeOnly 'g:a'`, or a
/// version-catalog accessor (`implementation(libs.spring.boot.web)`), whose group and artifact are empty until
/// the catalog resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Dependency {
    pub(super) configuration: String,
    pub(super) group: String,
    pub(super) artifact: String,
    /// The version the notation names (`g:a:v`), as written (`${springBootVersion}` too).
    pub(super) version: Option<String>,
    /// The catalog accessor (`libs.spring.boot.web`, `libs.bundles.web`), for a dependency written as one.
    pub(super) alias: Option<String>,
    pub(super) line: usize,
}

#[derive(Debug, Default)]
pub(super) struct Script {
    pub(super) plugins: Vec<Plugin>,
    pub(super) settings: Vec<Setting>,
    pub(super) dependencies: Vec<Dependency>,
    /// `include("app", ":lib:core")` in a settings script: project paths as written, with the line.
    pub(super) includes: Vec<(String, usize)>,
    /// `includeBuild("build-logic")`: builds whose plugins the scripts apply.
    pub(super) included_builds: Vec<String>,
    /// `apply(from = "gradle/x.gradle.kts")`, `apply from: 'x.gradle'`: script files the build runs.
    pub(super) applied_files: Vec<String>,
    /// `implementation(project(":core"))`: the paths of the projects it depends on.
    pub(super) project_dependencies: Vec<String>,
}

impl Script {
    /// The last value assigned to `key` inside the blocks `blocks` (outermost first; `[]` is the top level).
    pub(super) fn setting(&self, blocks: &[&str], key: &str) -> Option<&Setting> {
        self.settings
            .iter()
            .rev()
            .find(|s| s.key == key && s.blocks.len() == blocks.len() && s.blocks.iter().zip(blocks).all(|(a, b)| a == b))
    }

    /// The jar manifest's `attributes` naming a `Main-Class`, in any case as manifests read it (the class is the
    /// string after it).
    pub(super) fn main_class_attribute(&self) -> Option<&Setting> {
        self.settings.iter().rev().find(|s| {
            s.key == "attributes"
                && s.blocks.last().is_some_and(|b| b == "manifest")
                && s.strings.iter().any(|v| v.eq_ignore_ascii_case("Main-Class"))
        })
    }
}

/// Reads a script's text.
pub(super) fn read(text: &str) -> Script {
    let tokens = lex::gradle(text).tokens;
    let mut script = Script::default();
    let mut blocks: Vec<String> = Vec::new();
    let mut statement: Vec<&(Token, usize)> = Vec::new();
    let mut parens = 0usize;
    for token in &tokens {
        let new_line = statement.last().is_some_and(|(_, line)| *line != token.1);
        if new_line && parens == 0 && !continues(&statement, &token.0) {
            finish(&statement, &blocks, &mut script);
            statement.clear();
        }
        match &token.0 {
            Token::Punct('{') => {
                let name = block_name(&statement);
                // `plugins { ... }` and `dependencies { ... }` are read as blocks, their statements one by one.
                finish(&statement, &blocks, &mut script);
                statement.clear();
                parens = 0;
                if blocks.len() < MAX_DEPTH {
                    blocks.push(name);
                }
            }
            Token::Punct('}') => {
                finish(&statement, &blocks, &mut script);
                statement.clear();
                parens = 0;
                blocks.pop();
            }
            Token::Punct(';') => {
                finish(&statement, &blocks, &mut script);
                statement.clear();
            }
            Token::Punct('(' | '[') => {
                parens += 1;
                statement.push(token);
            }
            Token::Punct(')' | ']') => {
                parens = parens.saturating_sub(1);
                statement.push(token);
            }
            _ => statement.push(token),
        }
    }
    finish(&statement, &blocks, &mut script);
    script
}

/// Whether a statement goes on over a line break: it ends with an operator, or the next line starts with one
/// (a chained `.call()`).
fn continues(statement: &[&(Token, usize)], next: &Token) -> bool {
    let ends_open = matches!(statement.last(), Some((Token::Punct('=' | '.' | ',' | '+' | ':'), _)));
    ends_open || matches!(next, Token::Punct('.' | '?'))
}

/// The name a block is known by: the type `tasks.withType` names (`Jar`), the task a `tasks.named("bootJar")`
/// names, else the statement's last word (`java`, `tasks.bootJar`).
fn block_name(statement: &[&(Token, usize)]) -> String {
    // `tasks.withType<ShadowJar>`, `tasks.withType(ShadowJar::class.java)`, `withType<a.b.BootJar>`: the type.
    let typed = statement
        .iter()
        .position(|(t, _)| matches!(t, Token::Ident(w) if w == "withType"))
        .and_then(|at| {
            // The type's simple name: the last word before `::class` or the end (`a.b.BootJar` is `BootJar`).
            statement[at + 1..]
                .iter()
                .take_while(|(t, _)| !matches!(t, Token::Punct(':')))
                .filter_map(|(t, _)| match t {
                    Token::Ident(word) => Some(word.to_string()),
                    _ => None,
                })
                .last()
        });
    if let Some(typed) = typed {
        return typed;
    }
    let string = statement.iter().find_map(|(t, _)| match t {
        Token::Str(s) => Some(s.to_string()),
        _ => None,
    });
    string
        .or_else(|| {
            statement.iter().rev().find_map(|(t, _)| match t {
                Token::Ident(word) => Some(word.to_string()),
                _ => None,
            })
        })
        .unwrap_or_default()
}

/// One statement: a plugin, a dependency, an include, or a setting.
fn finish(statement: &[&(Token, usize)], blocks: &[String], script: &mut Script) {
    let Some((_, line)) = statement.first() else { return };
    let line = *line;
    let words: Vec<&Token> = statement.iter().map(|(t, _)| t).collect();
    let in_block = |name: &str| blocks.last().is_some_and(|b| b == name);
    if in_block("plugins") {
        script.plugins.extend(plugin(&words, line).map(|p| Plugin { scope: Scope::of(blocks), ..p }));
        return;
    }
    let key = dotted_key(&words);
    if key == "apply" {
        // `apply plugin: 'x'` (Groovy) and `apply(plugin = "x")` (Kotlin); `apply from:` runs a script file.
        let from = words.iter().any(|t| matches!(t, Token::Ident(w) if w == "from"));
        if let Some(value) = first_string(&words) {
            if from {
                script.applied_files.push(value);
            } else {
                script.plugins.push(Plugin { id: value, version: None, applied: true, scope: Scope::of(blocks), line });
            }
        }
        return;
    }
    if key == "includeBuild" {
        script.included_builds.extend(first_string(&words));
        return;
    }
    if in_block("dependencies") {
        let Some(Token::Ident(configuration)) = words.first() else { return };
        let configuration = configuration.to_string();
        let on_project = words.iter().any(|t| matches!(t, Token::Ident(w) if w == "project"));
        if let Some(path) = first_string(&words).filter(|p| on_project && p.starts_with(':')) {
            script.project_dependencies.push(path);
            return;
        }
        if let Some(notation) = first_string(&words) {
            let mut parts = notation.split(':');
            if let (Some(group), Some(artifact)) = (parts.next(), parts.next()) {
                script.dependencies.push(Dependency {
                    configuration,
                    group: group.to_string(),
                    artifact: artifact.to_string(),
                    version: parts.next().map(String::from),
                    alias: None,
                    line,
                });
            }
        } else if let Some(at) = words.iter().position(|t| matches!(t, Token::Ident(w) if w == "libs")) {
            let alias = dotted_key(&words[at..]);
            script.dependencies.push(Dependency {
                configuration,
                group: String::new(),
                artifact: String::new(),
                version: None,
                alias: Some(alias),
                line,
            });
        }
        return;
    }
    if blocks.is_empty() && key == "include" {
        script.includes.extend(strings(&words).into_iter().map(|s| (s, line)));
        return;
    }
    if key.is_empty() {
        return;
    }
    let key = key.strip_suffix(".set").unwrap_or(&key).to_string();
    if let Some(value) = value_of(&words) {
        script.settings.push(Setting {
            blocks: blocks.to_vec(),
            key,
            value,
            strings: strings(&words),
            line,
        });
    }
}

/// A `plugins {}` statement: `id("x") version "v"`, `id 'x'`, `kotlin("jvm")`, `alias(libs.plugins.x)`,
/// `application`, `` `java-library` ``; `apply false` declares without applying.
fn plugin(words: &[&Token], line: usize) -> Option<Plugin> {
    let first = match words.first()? {
        Token::Ident(word) => word.as_str(),
        // Kotlin's backticked core plugin names (`java-library`) lex as strings.
        Token::Str(name) if words.len() == 1 => {
            return Some(Plugin { id: name.to_string(), version: None, applied: true, scope: Scope::Own, line });
        }
        _ => return None,
    };
    let after = |word: &str| {
        let at = words.iter().position(|t| matches!(t, Token::Ident(w) if w == word))?;
        words.get(at + 1).copied()
    };
    let version = match after("version") {
        Some(Token::Str(v)) => Some(v.to_string()),
        _ => None,
    };
    let applied = !matches!(after("apply"), Some(Token::Ident(w)) if w == "false");
    let id = match first {
        "id" => first_string(words)?,
        "kotlin" => format!("org.jetbrains.kotlin.{}", first_string(words)?),
        "alias" => {
            let path: Vec<&str> = words
                .iter()
                .skip(1)
                .take_while(|t| !matches!(t, Token::Punct(')')))
                .filter_map(|t| match t {
                    Token::Ident(w) => Some(w.as_str()),
                    _ => None,
                })
                .collect();
            path.join(".")
        }
        core if words.len() == 1 => core.to_string(),
        _ => return None,
    };
    Some(Plugin { id, version, applied, scope: Scope::Own, line })
}

/// The statement's leading `a.b.c` name (`mainClass.set` for `mainClass.set("x")`); empty when it starts with
/// something else.
fn dotted_key(words: &[&Token]) -> String {
    let mut key = String::new();
    let mut expect_word = true;
    for token in words {
        match (token, expect_word) {
            (Token::Ident(word), true) => {
                key.push_str(word);
                expect_word = false;
            }
            (Token::Punct('.'), false) => {
                key.push('.');
                expect_word = true;
            }
            _ => break,
        }
    }
    key.trim_end_matches('.').to_string()
}

/// The value a statement gives its key: its first string or number, else `true`/`false` (`null` as an empty
/// string), else a `VERSION_17`-style constant's release (`VERSION_1_8` is 8, Kotlin's `JVM_17` is 17).
fn value_of(words: &[&Token]) -> Option<String> {
    let literal = words.iter().skip(1).find_map(|t| match t {
        Token::Str(s) | Token::Number(s) => Some(s.to_string()),
        _ => None,
    });
    // `runtime(NETTY)`, `runtime(MicronautRuntime.NETTY)`: a call whose one argument is a (qualified) name.
    let named_argument = || match words {
        [_, Token::Punct('('), inner @ .., Token::Punct(')')]
            if !inner.is_empty() && inner.iter().all(|t| matches!(t, Token::Ident(_) | Token::Punct('.'))) =>
        {
            match inner.last() {
                Some(Token::Ident(name)) => Some(name.to_string()),
                _ => None,
            }
        }
        _ => None,
    };
    literal.or_else(named_argument).or_else(|| {
        words.iter().skip(1).find_map(|t| match t {
            Token::Ident(w) if w == "true" || w == "false" => Some(w.to_string()),
            // `classifier = null` unsets it, as an empty string does.
            Token::Ident(w) if w == "null" => Some(String::new()),
            // `JavaVersion.VERSION_1_8`, Kotlin's `JvmTarget.JVM_17`.
            Token::Ident(w) => {
                let release = w.strip_prefix("VERSION_").or_else(|| w.strip_prefix("JVM_"))?;
                let release = release.strip_prefix("1_").unwrap_or(release);
                Some(release.replace('_', "."))
            }
            _ => None,
        })
    })
}

fn first_string(words: &[&Token]) -> Option<String> {
    strings(words).into_iter().next()
}

fn strings(words: &[&Token]) -> Vec<String> {
    words
        .iter()
        .filter_map(|t| match t {
            Token::Str(s) => Some(s.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kotlin_dsl_plugins_settings_and_dependencies() {
        let script = read(
            r#"
plugins {
    id("org.springframework.boot") version "3.3.2"
    id("io.spring.dependency-management") version "1.1.6"
    kotlin("jvm") version "2.0.0"
    alias(libs.plugins.ktlint)
    `java-library`
    application
}
java {
    toolchain {
        languageVersion = JavaLanguageVersion.of(21)
    }
}
application {
    mainClass.set("com.example.AppKt")
}
tasks.named<BootJar>("bootJar") {
    archiveFileName.set("app.jar")
}
dependencies {
    implementation("org.springframework.boot:spring-boot-starter-web")
    testImplementation("org.springframework.boot:spring-boot-starter-test")
}
"#,
        );
        let ids: Vec<&str> = script.plugins.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "org.springframework.boot",
                "io.spring.dependency-management",
                "org.jetbrains.kotlin.jvm",
                "libs.plugins.ktlint",
                "java-library",
                "application"
            ]
        );
        assert_eq!(script.plugins[0].version.as_deref(), Some("3.3.2"));
        assert_eq!(script.setting(&["java", "toolchain"], "languageVersion").unwrap().value, "21");
        assert_eq!(script.setting(&["application"], "mainClass").unwrap().value, "com.example.AppKt");
        assert_eq!(script.setting(&["bootJar"], "archiveFileName").unwrap().value, "app.jar");
        assert_eq!(script.dependencies[0].artifact, "spring-boot-starter-web");
        assert_eq!(script.dependencies[1].configuration, "testImplementation");
        let aliased = read("dependencies {\n    implementation(libs.spring.boot.web)\n    implementation(libs.bundles.ktor)\n}\n");
        assert_eq!(aliased.dependencies[0].alias.as_deref(), Some("libs.spring.boot.web"));
        assert_eq!(aliased.dependencies[1].alias.as_deref(), Some("libs.bundles.ktor"));
    }

    #[test]
    fn groovy_dsl_and_settings() {
        let script = read(
            "plugins {\n  id 'org.springframework.boot' version '2.7.18' apply false\n}\napply plugin: 'application'\n\
             mainClassName = 'demo.Main'\nsourceCompatibility = JavaVersion.VERSION_1_8\n\
             jar {\n  manifest {\n    attributes 'Main-Class': 'demo.Main'\n  }\n}\n",
        );
        assert!(!script.plugins[0].applied);
        assert_eq!(script.plugins[1].id, "application");
        assert_eq!(script.setting(&[], "mainClassName").unwrap().value, "demo.Main");
        assert_eq!(script.setting(&[], "sourceCompatibility").unwrap().value, "8");
        assert_eq!(script.setting(&["jar", "manifest"], "attributes").unwrap().value, "Main-Class");
        let settings = read(
            "pluginManagement {\n  includeBuild(\"build-logic\")\n}\nrootProject.name = 'shop'\ninclude 'app', ':lib:core'\n\
             include(\"web\")\napply from: 'gradle/versions.gradle'\n",
        );
        assert_eq!(settings.included_builds, ["build-logic"]);
        assert_eq!(settings.applied_files, ["gradle/versions.gradle"]);
        assert_eq!(settings.setting(&[], "rootProject.name").unwrap().value, "shop");
        let includes: Vec<&str> = settings.includes.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(includes, ["app", ":lib:core", "web"]);
    }

    #[test]
    fn strings_that_look_like_code_are_strings() {
        let script = read("description = \"\"\"\nplugins { id 'org.springframework.boot' }\n\"\"\"\nversion = '1.0'\n");
        assert!(script.plugins.is_empty());
        assert_eq!(script.setting(&[], "version").unwrap().value, "1.0");
    }
}
