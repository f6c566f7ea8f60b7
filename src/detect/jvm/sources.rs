//! What a module's own sources (src/main/java, src/main/kotlin) say about how it runs: its entry points, the
//! sockets it opens, the port literals it listens on and the JDK-only packages it uses at run time.

use std::collections::BTreeSet;
use std::path::Path;

use super::config::port_value;
use super::writes::{self, Write};
use crate::detect::lex::{self, Token};
use crate::detect::{join_rel, read_small_text, walk, Fact};
use crate::knowledge::jvm::knowledge;

#[derive(Debug, Default)]
pub(in crate::detect) struct Sources {
    /// Said when a source folder had more files than one walk reads (`walk::MAX_FILES`).
    pub(in crate::detect) cut: Vec<String>,
    /// Classes with a `main` method, fully qualified, with `file:line`.
    pub(in crate::detect) mains: Vec<(String, String)>,
    /// `@SpringBootApplication`, `@QuarkusMain`, `@Path` (JAX-RS) and the like: `(annotation, file:line)`.
    pub(in crate::detect) app_annotations: Vec<(String, String)>,
    /// Uses of a type that opens a listening socket (`ServerSocket`, `HttpServer`): `(type, file:line)`.
    pub(in crate::detect) listeners: Vec<(String, String)>,
    /// Port literals: `new InetSocketAddress(8080)`, the default of a `PORT` lookup.
    pub(in crate::detect) ports: Vec<Fact>,
    /// JDK-only modules the code uses: `(module, file:line)`.
    pub(in crate::detect) jdk_modules: Vec<(String, String)>,
    /// The folders the code makes and the files it writes, with `file:line`.
    pub(in crate::detect) writes: Vec<Write>,
    /// The relative paths the code opens by a literal (`new File("routes.csv")`), with `file:line`.
    pub(in crate::detect) reads: Vec<(String, String)>,
    /// Per file: its path, its class (the file's name) and the capitalised names it mentions, so what a
    /// program's main class reaches can be told from the rest (a tool beside the program).
    files: Vec<FileRefs>,
}

#[derive(Debug, Default)]
struct FileRefs {
    rel: String,
    class: String,
    fqcn: String,
    names: BTreeSet<String>,
}

impl Sources {
    /// Adds what one more file holds, as scanning it after the others would have.
    fn absorb(&mut self, file: Sources) {
        self.mains.extend(file.mains);
        self.app_annotations.extend(file.app_annotations);
        self.listeners.extend(file.listeners);
        self.ports.extend(file.ports);
        for (module, at) in file.jdk_modules {
            if !self.jdk_modules.iter().any(|(known, _)| *known == module) {
                self.jdk_modules.push((module, at));
            }
        }
        self.writes.extend(file.writes);
        self.reads.extend(file.reads);
        self.files.extend(file.files);
    }

    /// The files the class `main` (fully qualified) reaches through the names its code mentions, itself
    /// included; None when no file holds that class.
    fn reachable_from(&self, main: &str) -> Option<BTreeSet<&str>> {
        let start = self.files.iter().position(|f| f.fqcn == main)?;
        let mut seen = BTreeSet::from([start]);
        let mut queue = vec![start];
        while let Some(index) = queue.pop() {
            for name in &self.files[index].names {
                for (other, file) in self.files.iter().enumerate() {
                    if file.class == *name && seen.insert(other) {
                        queue.push(other);
                    }
                }
            }
        }
        Some(seen.into_iter().map(|i| self.files[i].rel.as_str()).collect())
    }

    /// The listening sockets and port literals in what `main` reaches (all of them when it is unknown).
    pub(in crate::detect) fn listening_from(&self, main: Option<&str>) -> (Vec<(String, String)>, Vec<Fact>) {
        let Some(reached) = main.and_then(|m| self.reachable_from(m)) else {
            return (self.listeners.clone(), self.ports.clone());
        };
        let in_reach = |source: &str| source.rsplit_once(':').is_some_and(|(rel, _)| reached.contains(rel));
        (
            self.listeners.iter().filter(|(_, s)| in_reach(s)).cloned().collect(),
            self.ports.iter().filter(|p| in_reach(&p.source)).cloned().collect(),
        )
    }
}

/// Words without which a file cannot write a place `writes` finds.
const WRITE_TRIGGERS: &[&str] = &["File", "jdbc:", "Value", "transferTo"];

/// How many distinct names one file's references keep: far more than a real class mentions.
const MAX_NAMES_PER_FILE: usize = 4096;

/// Annotations that mark a class as an application entry point or a served resource.
const APP_ANNOTATIONS: &[&str] = &["SpringBootApplication", "QuarkusMain", "Path", "MicronautApplication"];

pub(in crate::detect) fn scan(root: &Path, module_dir: &str) -> Sources {
    let mut sources = Sources::default();
    for (folder, ext) in [("src/main/java", "java"), ("src/main/kotlin", "kt")] {
        let dir = root.join(join_rel(module_dir, folder));
        if !dir.is_dir() {
            continue;
        }
        let exts: &'static [&'static str] = if ext == "java" { &["java"] } else { &["kt"] };
        let walked = walk::files_with_extensions(&dir, exts, |_| false);
        sources.cut.extend(walked.cut_warning(
            &join_rel(module_dir, folder),
            if ext == "java" { "Java" } else { "Kotlin" },
            "pass --set main_class=CLASS if the main class is wrong, and --port N",
        ));
        // Each file scanned on its own (on every core), then taken in walk order: the same as one by one.
        let mut scanned: Vec<(std::path::PathBuf, Sources)> = walked
            .files
            .into_iter()
            .map(|path| (path, Sources::default()))
            .collect();
        crate::detect::each_in_parallel(&mut scanned, |(path, found)| {
            let Some(text) = read_small_text(path) else {
                return;
            };
            let rel = path
                .strip_prefix(root)
                .map_or_else(|_| path.display().to_string(), |p| p.to_string_lossy().into_owned());
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            scan_file(&text, &rel, &stem, ext == "kt", found);
        });
        for (_, found) in scanned {
            sources.absorb(found);
        }
    }
    sources
}

/// A dotted name starting at `tokens[i]` (`javax.tools.ToolProvider`) and how many tokens it spans.
fn dotted(tokens: &[(Token, usize)], i: usize) -> (String, usize) {
    let mut name = String::new();
    let mut j = i;
    while let Some((Token::Ident(part), _)) = tokens.get(j) {
        name.push_str(part);
        if matches!(tokens.get(j + 1), Some((Token::Punct('.'), _)))
            && matches!(tokens.get(j + 2), Some((Token::Ident(_), _)))
        {
            name.push('.');
            j += 2;
        } else {
            j += 1;
            break;
        }
    }
    (name, j - i)
}

fn scan_file(text: &str, rel: &str, stem: &str, kotlin: bool, out: &mut Sources) {
    // Java's and Kotlin's comments, strings and identifiers lex like Go's, which is all this needs.
    let tokens = lex::source(text).tokens;
    // Only a file that names a file, a database or a setting's default can write one.
    if WRITE_TRIGGERS.iter().any(|t| text.contains(t)) {
        out.writes.extend(writes::file_writes(&tokens, rel));
        out.reads.extend(writes::file_reads(&tokens, rel));
    }
    let known = knowledge();
    let mut package = String::new();
    // Kotlin's top-level functions live in the class `<File>Kt`.
    let class = if kotlin { format!("{stem}Kt") } else { stem.to_string() };
    let mut jdk_roots: Vec<&str> = known
        .jdk_only
        .packages
        .keys()
        .filter_map(|p| p.split('.').next())
        .collect();
    jdk_roots.dedup();
    // Gathered by reference, then copied once each: a class names the same types over and over.
    let mut mentioned: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    for (token, _) in &tokens {
        if let Token::Ident(name) = token {
            if mentioned.len() < MAX_NAMES_PER_FILE && name.starts_with(|c: char| c.is_ascii_uppercase()) {
                mentioned.insert(name.as_str());
            }
        }
    }
    let names: BTreeSet<String> = mentioned.into_iter().map(str::to_string).collect();
    let mut i = 0;
    while i < tokens.len() {
        let (token, line) = &tokens[i];
        let at = || format!("{rel}:{line}");
        let Token::Ident(word) = token else {
            if let (Token::Punct('@'), Some((Token::Ident(name), _))) = (token, tokens.get(i + 1)) {
                if APP_ANNOTATIONS.contains(&name.as_str()) {
                    out.app_annotations.push((name.to_string(), at()));
                }
                i += 2;
                continue;
            }
            i += 1;
            continue;
        };
        let window = tokens.get(i + 1..(i + 6).min(tokens.len())).unwrap_or_default();
        if word == "package" && package.is_empty() {
            let (name, len) = dotted(&tokens, i + 1);
            package = name;
            i += 1 + len;
            continue;
        }
        let is_main = match (word.as_str(), window) {
            ("void", [(Token::Ident(m), _), (Token::Punct('('), _), ..]) if !kotlin => m == "main",
            ("fun", [(Token::Ident(m), _), (Token::Punct('('), _), ..]) if kotlin => m == "main",
            _ => false,
        };
        if is_main {
            out.mains.push((qualified(&package, &class), at()));
        }
        // Every such type is capitalised (checked by the table's test): most names are not.
        if word.starts_with(|c: char| c.is_ascii_uppercase()) && known.source_types.iter().any(|t| t == word) {
            out.listeners.push((word.to_string(), at()));
        }
        let literal = port_literal(word, window);
        if let Some((text, line, how)) = literal {
            if let Some(port) = port_value(text) {
                out.ports.push(Fact::new(port, format!("{rel}:{line}")).with_note(how));
            }
        }
        // A qualified name (an import or a use in code) inside a package the JRE lacks. Its tails
        // (`tools.ToolProvider`) are looked at too, harmlessly: no JDK-only package starts like one.
        // (Only a name followed by `.` can be qualified: the others are not built into a string at all.)
        // Only a name whose first part starts one of those packages (`javax`, `com`, `jdk`) can be inside one.
        if matches!(tokens.get(i + 1), Some((Token::Punct('.'), _))) && jdk_roots.contains(&word.as_str()) {
            let (name, len) = dotted(&tokens, i);
            let module = known
                .jdk_only
                .packages
                .iter()
                .find(|(prefix, _)| {
                    name.strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
                })
                .map(|(_, module)| module);
            if let Some(module) = module.filter(|_| len > 1) {
                if !out.jdk_modules.iter().any(|(m, _)| m == module) {
                    out.jdk_modules.push((module.clone(), at()));
                }
            }
        }
        i += 1;
    }
    out.files.push(FileRefs {
        rel: rel.to_string(),
        fqcn: qualified(&package, &class),
        class: stem.to_string(),
        names,
    });
}

/// `com.example.App`, or `App` in the default package.
fn qualified(package: &str, class: &str) -> String {
    if package.is_empty() {
        class.to_string()
    } else {
        format!("{package}.{class}")
    }
}

/// A port literal at a word and the tokens after it, with its line and how it is written.
fn port_literal<'t>(word: &str, window: &'t [(Token<'t>, usize)]) -> Option<(&'t lex::Text<'t>, usize, &'static str)> {
    match (word, window) {
        ("InetSocketAddress", [(Token::Punct('('), _), (Token::Number(n), line), (Token::Punct(')'), _), ..]) => {
            Some((n, *line, "InetSocketAddress literal"))
        }
        (
            "getOrDefault",
            [(Token::Punct('('), _), (Token::Str(key), _), (Token::Punct(','), _), (Token::Str(value), line), ..],
        ) if key == "PORT" => Some((value, *line, "default of the PORT environment variable")),
        // `JavalinAPI(port = 7000)`, `int port = 8080;`, `val port = 8080`: a number given to a name that is the
        // port itself (a database's or a broker's well-known port is another service's).
        ("port", [(Token::Punct('='), _), (Token::Number(n), line), ..]) if !is_client_port(n) => {
            Some((n, *line, "a port literal assigned to `port`"))
        }
        // Javalin 2's `.port(7000)`, Spark's `port(4567)`.
        ("port", [(Token::Punct('('), _), (Token::Number(n), line), (Token::Punct(')'), _), ..])
            if !is_client_port(n) =>
        {
            Some((n, *line, "port() literal"))
        }
        _ => None,
    }
}

/// The well-known ports of the services a program connects to (the usual databases, caches, brokers and search
/// engines): a `port` set to one is a client's setting.
fn is_client_port(number: &str) -> bool {
    ["5432", "3306", "6379", "27017", "9092", "5672", "11211", "9200"].contains(&number)
}

/// The one port the literals agree on.
pub(in crate::detect) fn agreed_port(ports: &[Fact]) -> Option<Fact> {
    let first = ports.first()?;
    ports.iter().all(|h| h.value == first.value).then(|| first.clone())
}

pub(in crate::detect) fn fuzz_text(text: &str) -> usize {
    let mut java = Sources::default();
    scan_file(text, "A.java", "A", false, &mut java);
    let mut kotlin = Sources::default();
    scan_file(text, "A.kt", "A", true, &mut kotlin);
    java.mains.len() + java.listeners.len() + java.jdk_modules.len() + kotlin.mains.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(text: &str, kotlin: bool) -> Sources {
        let mut out = Sources::default();
        scan_file(text, "src/main/java/a/App.java", "App", kotlin, &mut out);
        out
    }

    #[test]
    fn ports_given_to_a_name_or_a_call_called_port() {
        let ports = |text: &str, kotlin: bool| -> Vec<u64> {
            scanned(text, kotlin)
                .ports
                .iter()
                .filter_map(|p| p.value.as_u64())
                .collect()
        };
        assert_eq!(ports("fun main() { JavalinApi(port = 7000).init() }", true), [7000]);
        assert_eq!(ports("class A { void m() { int port = 8080; } }", false), [8080]);
        assert_eq!(ports("class A { void m() { port(4567); } }", false), [4567]);
        // A database's or a broker's port is another service's.
        assert!(ports("class Db { int port = 5432; }", false).is_empty());
        assert!(ports("val dbPort = 9000", true).is_empty());
    }

    #[test]
    fn finds_mains_annotations_listeners_and_jdk_packages() {
        let s = scanned(
            r#"package com.example.app;
import javax.tools.ToolProvider;
import java.net.ServerSocket;
@SpringBootApplication
public class App {
  // void main( in a comment is not a main
  public static void main(String[] args) throws Exception {
    var s = new ServerSocket(9000);
    System.out.println("import jdk.jshell.JShell;");
  }
}"#,
            false,
        );
        assert_eq!(
            s.mains,
            [(
                "com.example.app.App".to_string(),
                "src/main/java/a/App.java:7".to_string()
            )]
        );
        assert_eq!(s.app_annotations[0].0, "SpringBootApplication");
        assert!(s.listeners.iter().any(|(t, _)| t == "ServerSocket"));
        assert_eq!(
            s.jdk_modules,
            [("jdk.compiler".to_string(), "src/main/java/a/App.java:2".to_string())]
        );
    }

    #[test]
    fn listeners_count_only_where_the_main_class_reaches() {
        let mut s = Sources::default();
        scan_file(
            "package t;\nclass Main { void run() { new Helper().go(); } }",
            "src/Main.java",
            "Main",
            false,
            &mut s,
        );
        scan_file(
            "package t;\nclass Helper { void go() {} }",
            "src/Helper.java",
            "Helper",
            false,
            &mut s,
        );
        scan_file(
            "package t;\nclass Listener { ServerSocket s = new ServerSocket(9000); }",
            "src/Listener.java",
            "Listener",
            false,
            &mut s,
        );
        assert_eq!(s.listening_from(Some("t.Main")).0, []);
        assert_eq!(s.listening_from(Some("t.Listener")).0.len(), 2);
        assert_eq!(s.listening_from(None).0.len(), 2);
        assert_eq!(
            s.listening_from(Some("t.Nowhere")).0.len(),
            2,
            "an unknown main keeps everything"
        );
    }

    #[test]
    fn kotlin_top_level_main_is_the_file_class() {
        let s = scanned("package demo\nfun main(args: Array<String>) {}\n", true);
        assert_eq!(s.mains[0].0, "demo.AppKt");
    }
}
