//! Where a JVM program writes: the folders its code makes and the files it creates (`new File("uploads").mkdirs()`,
//! `Files.write(Path.of("bot.json"), …)`, `File("data").writeText(…)`), its file databases (`jdbc:sqlite:app.db`,
//! `jdbc:h2:file:./data/db`), its log files (`logging.file.name`, logback's `<file>`, log4j2's `fileName`) and the
//! defaults of data-folder settings (`app.upload-dir=uploads`, `@Value("${storage.location:files}")`). The image
//! makes those folders and hands them to the app user; its working directory `/app` is otherwise root's.

use std::collections::HashMap;
use std::path::Path;

use serde_json::json;

use super::config::Settings;
use crate::detect::lex::{self, Token};
use crate::detect::{join_rel, read_small_text, Fact};

/// A place the program writes, as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::detect) struct Write {
    /// The folder, relative to the working directory (`.` for the directory itself) or absolute.
    pub(in crate::detect) folder: String,
    /// `file:line` and what is written there.
    pub(in crate::detect) why: String,
}

/// Calls on `Files` whose argument at the index is a folder (true) or a file (false) the program writes.
const FILES_CALLS: &[(&str, usize, bool)] = &[
    ("createDirectories", 0, true),
    ("createDirectory", 0, true),
    ("write", 0, false),
    ("writeString", 0, false),
    ("newOutputStream", 0, false),
    ("newBufferedWriter", 0, false),
    ("createFile", 0, false),
    ("copy", 1, false),
    ("move", 1, false),
];
/// Writer classes whose constructor's first argument is the file written.
const WRITER_CLASSES: &[&str] = &[
    "FileWriter",
    "FileOutputStream",
    "PrintWriter",
    "PrintStream",
    "RandomAccessFile",
];
/// Methods of a `File` (Java, Kotlin) that make it as a folder (true) or write it as a file (false).
const FILE_METHODS: &[(&str, bool)] = &[
    ("mkdirs", true),
    ("mkdir", true),
    ("createNewFile", false),
    ("writeText", false),
    ("writeBytes", false),
    ("appendText", false),
    ("appendBytes", false),
    ("outputStream", false),
    ("bufferedWriter", false),
    ("printWriter", false),
];

/// Words of a setting's name that say it holds a place the program keeps data in.
const DATA_WORDS: &[&str] = &[
    "upload",
    "uploads",
    "storage",
    "store",
    "data",
    "files",
    "attachments",
    "images",
    "media",
    "avatars",
    "documents",
    "downloads",
    "export",
    "exports",
    "backup",
    "backups",
    "multipart",
    "db",
    "database",
];
/// The last word of such a setting's name when its value is a folder or file.
const PLACE_WORDS: &[&str] = &[
    "dir",
    "directory",
    "path",
    "location",
    "folder",
    "root",
    "basedir",
    "file",
];
/// Log settings whose value is a file (false) or a folder (true).
const LOG_SETTINGS: &[(&str, bool)] = &[
    ("logging.file.name", false),
    ("logging.file", false),
    ("logging.file.path", true),
    ("logging.path", true),
    ("quarkus.log.file.path", false),
    ("server.tomcat.basedir", true),
];
/// Logging configurations on the class path, read for the files their appenders write.
const LOG_CONFIGS: &[&str] = &[
    "logback.xml",
    "logback-spring.xml",
    "log4j2.xml",
    "log4j2-spring.xml",
    "log4j.xml",
];

/// The folders found, each once in the order found, as the `written_dirs` fact (None when there are none).
pub(in crate::detect) fn fact(found: &[Write]) -> Option<Fact> {
    let mut folders: Vec<&str> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for write in found {
        if !folders.contains(&write.folder.as_str()) {
            folders.push(&write.folder);
            sources.push(format!("{} ({})", write.folder, write.why));
        }
    }
    let first = found.first()?;
    let source = first.why.split_once(' ').map_or(first.why.as_str(), |(at, _)| at);
    Some(Fact::new(json!(folders), source).with_note(format!("the program writes there: {}", sources.join(", "))))
}

/// Constructors and factories whose first argument is a file the program opens (`new File("routes.csv")`,
/// `new FileReader(...)`, `Path.of(...)`, `Paths.get(...)`, Kotlin's `File("x")`).
const OPENED_BY: &[&str] = &["File", "FileReader", "FileInputStream", "RandomAccessFile", "of", "get"];

/// The relative paths one source file's code opens by a literal (`new File("40E")`), each with `file:line`: a
/// file the repository has there is read from the working directory at run time. `Path.of`/`Paths.get` only on
/// `Path`/`Paths`.
pub(in crate::detect) fn file_reads(tokens: &[(Token, usize)], rel: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for i in 0..tokens.len() {
        let [(Token::Ident(name), _), (Token::Punct('('), _), (Token::Str(path), line), ..] = &tokens[i..] else {
            continue;
        };
        if !OPENED_BY.contains(&name.as_str()) {
            continue;
        }
        let receiver = i
            .checked_sub(2)
            .and_then(|at| match (&tokens[at].0, &tokens[at + 1].0) {
                (Token::Ident(r), Token::Punct('.')) => Some(r.as_str()),
                _ => None,
            });
        let factory = matches!(name.as_str(), "of" | "get");
        if factory && !matches!(receiver, Some("Path" | "Paths")) {
            continue;
        }
        let plain = !path.is_empty() && !path.starts_with(['/', '~', '.']) || path.starts_with("./");
        if plain && !path.contains(['$', '{', '%', '\\', '*', ':']) {
            found.push((path.trim_start_matches("./").to_string(), format!("{rel}:{line}")));
        }
    }
    found
}

/// The places one source file's code writes.
pub(in crate::detect) fn file_writes(tokens: &[(Token, usize)], rel: &str) -> Vec<Write> {
    let bound = bindings(tokens);
    (0..tokens.len())
        .filter_map(|i| write_at(tokens, i, &bound, rel))
        .collect()
}

/// The write the token at `i` starts, if any: a file database's URL, a call that makes a folder or writes a file,
/// a data setting's default in `@Value`.
fn write_at(tokens: &[(Token, usize)], i: usize, bound: &HashMap<&str, Place>, rel: &str) -> Option<Write> {
    let (token, line) = &tokens[i];
    let (place, is_folder, what) = match token {
        Token::Str(text) => (Place::Folder(jdbc_folder(text)?), true, "opens a file database"),
        Token::Ident(name) if is_call(tokens, i) => {
            let receiver = receiver(tokens, i);
            if receiver == Some("Files") {
                let (_, at, is_folder) = FILES_CALLS.iter().find(|(call, _, _)| call == name)?;
                let place = path_at(tokens, argument(tokens, i + 1, *at)?, bound)?;
                (
                    place,
                    *is_folder,
                    if *is_folder {
                        "makes the folder"
                    } else {
                        "writes the file"
                    },
                )
            } else if receiver.is_none() && WRITER_CLASSES.contains(&name.as_str()) {
                (path_at(tokens, i + 2, bound)?, false, "writes the file")
            } else if name == "transferTo" {
                (path_at(tokens, i + 2, bound)?, false, "stores an upload")
            } else {
                let (_, is_folder) = FILE_METHODS.iter().find(|(method, _)| method == name)?;
                let place = receiver_path(tokens, i, bound)?;
                (
                    place,
                    *is_folder,
                    if *is_folder {
                        "makes the folder"
                    } else {
                        "writes the file"
                    },
                )
            }
        }
        Token::Punct('@') => return value_default(tokens, i, rel),
        _ => return None,
    };
    Some(Write {
        folder: place.folder(is_folder)?,
        why: format!("{rel}:{line} {what}"),
    })
}

/// `@Value("${app.upload-dir:uploads}")` at `at`: a data setting's default, or a file database's URL.
fn value_default(tokens: &[(Token, usize)], at: usize, rel: &str) -> Option<Write> {
    let [(Token::Ident(annotation), _), (Token::Punct('('), _), (Token::Str(value), line), ..] =
        tokens.get(at + 1..at + 4)?
    else {
        return None;
    };
    if annotation != "Value" {
        return None;
    }
    let (key, default) = value.strip_prefix("${")?.strip_suffix('}')?.split_once(':')?;
    let source = format!("{rel}:{line}");
    match jdbc_folder(default) {
        Some(folder) => Some(Write {
            folder,
            why: format!("{source} {key}, a file database"),
        }),
        None => setting_write(key, default, &source),
    }
}

/// The places the framework settings name: file databases, log files and data-folder settings.
pub(in crate::detect) fn settings_writes(settings: &Settings) -> Vec<Write> {
    let mut found = Vec::new();
    for (key, value, source) in settings.entries() {
        let value = placeholder_default(value);
        if let Some(folder) = jdbc_folder(value) {
            found.push(Write {
                folder,
                why: format!("{source} {key}, a file database"),
            });
        } else if let Some(write) = setting_write(key, value, source) {
            found.push(write);
        }
    }
    found
}

/// The module's resources of these names that exist, each with its path from the repository and its text.
fn resources<'n>(
    root: &'n Path,
    module_dir: &'n str,
    names: &'n [&str],
) -> impl Iterator<Item = (String, String)> + 'n {
    names.iter().filter_map(move |name| {
        let rel = join_rel(module_dir, &format!("src/main/resources/{name}"));
        read_small_text(&root.join(&rel)).map(|text| (rel, text))
    })
}

/// The folders the logging configuration's file appenders write to (logback, log4j2).
pub(in crate::detect) fn logging_writes(root: &Path, module_dir: &str) -> Vec<Write> {
    let mut found = Vec::new();
    for (rel, text) in resources(root, module_dir, LOG_CONFIGS) {
        let Ok(document) = roxmltree::Document::parse(&text) else {
            continue;
        };
        let mut properties: HashMap<String, String> = HashMap::new();
        for node in document.descendants().filter(roxmltree::Node::is_element) {
            let tag = node.tag_name().name();
            if tag.eq_ignore_ascii_case("property") {
                let name = node.attribute("name");
                let value = node.attribute("value").or_else(|| node.text());
                if let (Some(name), Some(value)) = (name, value) {
                    properties.insert(name.to_string(), value.trim().to_string());
                }
            }
            let written = match tag {
                "file" | "fileNamePattern" => node.text(),
                _ => node.attribute("fileName").or_else(|| node.attribute("filePattern")),
            };
            let Some(path) = written.and_then(|p| substituted(p.trim(), &properties)) else {
                continue;
            };
            let line = document.text_pos_at(node.range().start).row;
            if let Some(folder) = Place::Path(path).folder(false) {
                found.push(Write {
                    folder,
                    why: format!("{rel}:{line} a log file"),
                });
            }
        }
    }
    found
}

/// HOCON configurations a program loads from its resources (Typesafe Config's `application.conf`: Ktor, Play,
/// Akka): where no parser of theirs is at hand, the JDBC URLs they hold are what matters here.
const HOCON_CONFIGS: &[&str] = &["application.conf"];

/// The file databases the HOCON configuration names (`url = "jdbc:h2:./db/ktorwebapi"`): their folders, in the
/// working directory the program runs in.
pub(in crate::detect) fn hocon_writes(root: &Path, module_dir: &str) -> Vec<Write> {
    let mut found = Vec::new();
    for (rel, text) in resources(root, module_dir, HOCON_CONFIGS) {
        for (at, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.trim_start().starts_with('#') {
                continue;
            }
            for (start, _) in code.match_indices("jdbc:") {
                let url = code[start..]
                    .split(['"', '\'', ' ', '\t', ',', '}'])
                    .next()
                    .unwrap_or_default();
                if let Some(folder) = jdbc_folder(url) {
                    found.push(Write {
                        folder,
                        why: format!("{rel}:{} a file database", at + 1),
                    });
                }
            }
        }
    }
    found
}

/// Keys of a YAML configuration naming a log file written at run time: Dropwizard's file appenders
/// (`logging.appenders[].currentLogFilename`, its `archivedLogFilenamePattern`).
const YAML_LOG_KEYS: &[&str] = &["currentLogFilename", "archivedLogFilenamePattern"];

/// The folders the file appenders of a YAML configuration the program is given write to (`rel`, relative to the
/// repository), anywhere in the document.
pub(in crate::detect) fn yaml_log_writes(root: &Path, rel: &str) -> Vec<Write> {
    let Some(text) = read_small_text(&root.join(rel)) else {
        return Vec::new();
    };
    let Ok(document) = marked_yaml::parse_yaml(0, &text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut pending = vec![&document];
    while let Some(node) = pending.pop() {
        match node {
            marked_yaml::Node::Mapping(pairs) => {
                for (key, value) in pairs.iter() {
                    if let (true, Some(path)) = (YAML_LOG_KEYS.contains(&key.as_str()), value.as_scalar()) {
                        let line = path.span().start().map_or(1, marked_yaml::Marker::line);
                        // The file's name may be a pattern (`app-%d.log.gz`); its folder is what is made.
                        let text = path.as_str().trim();
                        let parent = text
                            .rsplit_once('/')
                            .map_or(".", |(parent, _)| if parent.is_empty() { "/" } else { parent });
                        if let Some(folder) = Place::Path(parent.to_string()).folder(true) {
                            found.push(Write {
                                folder,
                                why: format!("{rel}:{line} a log file"),
                            });
                        }
                    }
                    pending.push(value);
                }
            }
            marked_yaml::Node::Sequence(items) => pending.extend(items.iter()),
            marked_yaml::Node::Scalar(_) => {}
        }
    }
    found
}

/// `${LOG_PATH:-logs}/app.log` with the configuration's own properties and the placeholders' defaults; None
/// when a placeholder has neither (the folder is chosen at run time).
fn substituted(text: &str, properties: &HashMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let inner = &rest[start + 2..end];
        let (name, default) = match inner.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (inner, None),
        };
        let value = properties.get(name).map(String::as_str).or(default)?;
        if value.contains("${") {
            return None;
        }
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// A data-folder or log setting (`app.upload-dir=uploads`, `logging.file.name=logs/app.log`) as a write.
fn setting_write(key: &str, value: &str, source: &str) -> Option<Write> {
    let value = value.trim().trim_matches(['"', '\'']);
    let value = value.strip_prefix("file:").unwrap_or(value);
    if let Some((_, is_folder)) = LOG_SETTINGS.iter().find(|(name, _)| *name == key) {
        let folder = Place::Path(value.to_string()).folder(*is_folder)?;
        return Some(Write {
            folder,
            why: format!("{source} {key}"),
        });
    }
    let words = words(key);
    let last = words.last()?;
    if !PLACE_WORDS.contains(&last.as_str()) || !words.iter().any(|w| DATA_WORDS.contains(&w.as_str())) {
        return None;
    }
    // A file setting names a file; the others name the folder itself.
    let folder = Place::Path(value.to_string()).folder(last != "file")?;
    Some(Write {
        folder,
        why: format!("{source} {key}"),
    })
}

/// The lower-case words of a setting's name: `app.uploadDir` → app, upload, dir.
fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in key.split(['.', '-', '_']) {
        let mut word = String::new();
        for c in part.chars() {
            if c.is_ascii_uppercase() && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    words
}

/// `${DB_URL:jdbc:sqlite:app.db}` → its default; any other value as it is.
fn placeholder_default(value: &str) -> &str {
    value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .and_then(|v| v.split_once(':'))
        .map_or(value, |(_, default)| default)
}

/// The folder a JDBC URL's file database lives in: `jdbc:sqlite:data/app.db` → `data`, `jdbc:h2:file:./db/x` → `db`,
/// `jdbc:derby:data/appdb;create=true` → `data`: Derby's database is a folder Derby makes itself, and it refuses
/// one that exists, so the folder it is made in is the one written. In-memory and server URLs are None.
fn jdbc_folder(url: &str) -> Option<String> {
    let rest = url.trim().strip_prefix("jdbc:")?;
    let (driver, path) = rest.split_once(':')?;
    let path = match driver {
        "sqlite" => {
            let path = path.strip_prefix("file:").unwrap_or(path);
            path.split('?').next()?
        }
        "h2" => {
            let path = path.strip_prefix("file:").unwrap_or(path);
            if ["mem:", "tcp:", "ssl:", "zip:"].iter().any(|p| path.starts_with(p)) {
                return None;
            }
            path.split(';').next()?
        }
        "hsqldb" => path.strip_prefix("file:")?.split(';').next()?,
        "derby" => {
            let path = path.strip_prefix("directory:").unwrap_or(path);
            if path.starts_with("memory:") || path.starts_with("//") || path.starts_with("classpath:") {
                return None;
            }
            path.split(';').next()?
        }
        _ => return None,
    };
    if path.is_empty() || path.starts_with(':') {
        return None;
    }
    Place::Path(path.to_string()).folder(false)
}

/// A path the code names: whole (`"uploads"`, `"bot.json"`) or only its start (`"uploads/" + name`).
#[derive(Debug, Clone)]
enum Place {
    Path(String),
    Under(String),
    /// A folder already known (a file database's).
    Folder(String),
}

impl Place {
    /// The folder written: the path itself for a folder, its parent for a file, the folder a prefix names.
    /// None for what is not the program's own (`~`, a placeholder, a URL, the class path).
    fn folder(&self, is_folder: bool) -> Option<String> {
        let (path, whole) = match self {
            Place::Path(p) => (p.as_str(), true),
            Place::Under(p) => (p.as_str(), false),
            Place::Folder(p) => return Some(p.clone()),
        };
        if path.is_empty()
            || path.starts_with('~')
            || path.contains(['$', '{', '%', '\\', '*', '\n', ':'])
            || path.split('/').any(|part| part.starts_with(' ') || part.ends_with(' '))
        {
            return None;
        }
        // A folder named whole, or a prefix that ends in `/` (`"uploads/" + name`), is the folder itself.
        let folder = if (whole && is_folder) || (!whole && path.ends_with('/')) {
            path.trim_end_matches('/')
        } else {
            path.rsplit_once('/')
                .map_or(".", |(parent, _)| if parent.is_empty() { "/" } else { parent })
        };
        let folder = folder.strip_prefix("./").unwrap_or(folder);
        Some(match folder {
            "" if path.starts_with('/') => "/".into(),
            "" => ".".into(),
            folder => folder.to_string(),
        })
    }
}

/// Names bound to a literal path in this file: `String DIR = "uploads";`, `File dir = new File("data");`,
/// `val store = Path.of("store")`.
fn bindings<'a>(tokens: &'a [(Token<'a>, usize)]) -> HashMap<&'a str, Place> {
    let mut bound = HashMap::new();
    for (i, window) in tokens.windows(2).enumerate() {
        if let [(Token::Ident(name), _), (Token::Punct('='), _)] = window {
            // `a == b` lexes as two `=`: not a binding.
            if matches!(tokens.get(i + 2), Some((Token::Punct('='), _))) {
                continue;
            }
            if let Some(place) = path_at(tokens, i + 2, &HashMap::new()) {
                bound.insert(name.as_str(), place);
            }
        }
    }
    bound
}

/// The path an expression starting at `start` names: a string literal, a bound name, `new File(…)`, `File(…)`,
/// `Paths.get(…)`, `Path.of(…)`; a `+` after it makes it the start of a longer path.
fn path_at(tokens: &[(Token, usize)], start: usize, bound: &HashMap<&str, Place>) -> Option<Place> {
    let mut i = start;
    if matches!(tokens.get(i), Some((Token::Ident(new), _)) if new == "new") {
        i += 1;
    }
    // A class named with its package (`new java.io.File(…)`, `java.nio.file.Paths.get(…)`), not a name's field.
    let mut class = i;
    while let Some([(Token::Ident(package), _), (Token::Punct('.'), _), (Token::Ident(_), _)]) =
        tokens.get(class..class + 3)
    {
        if !package.starts_with(|c: char| c.is_ascii_lowercase()) {
            break;
        }
        class += 2;
    }
    if matches!(tokens.get(class), Some((Token::Ident(name), _)) if name.starts_with(|c: char| c.is_ascii_uppercase()))
    {
        i = class;
    }
    let (place, end) = match tokens.get(i)? {
        (Token::Str(text), _) => (Place::Path(text.to_string()), i + 1),
        (Token::Ident(name), _) if name == "System" && is_user_dir(tokens, i) => {
            return under_working_dir(tokens, i + 6)
        }
        (Token::Ident(name), _) if name == "File" && is_call(tokens, i) => maker(tokens, i + 1, bound)?,
        (Token::Ident(name), _)
            if matches!((name.as_str(), tokens.get(i + 2)), ("Paths", Some((Token::Ident(m), _))) if m == "get")
                || matches!((name.as_str(), tokens.get(i + 2)), ("Path", Some((Token::Ident(m), _))) if m == "of") =>
        {
            if !matches!(tokens.get(i + 1), Some((Token::Punct('.'), _))) || !is_call(tokens, i + 2) {
                return None;
            }
            maker(tokens, i + 3, bound)?
        }
        (Token::Ident(name), _) => (bound.get(name.as_str())?.clone(), i + 1),
        _ => return None,
    };
    match (place, tokens.get(end)) {
        (Place::Path(path), Some((Token::Punct('+'), _))) => {
            // `DIR + "/" + name` or `DIR + File.separator + name`: DIR is the folder.
            let separator = match tokens.get(end + 1) {
                Some((Token::Str(next), _)) => next.starts_with('/'),
                Some((Token::Ident(next), _)) => next == "File",
                _ => false,
            };
            Some(Place::Under(if separator && !path.ends_with('/') {
                format!("{path}/")
            } else {
                path
            }))
        }
        (place, _) => Some(place),
    }
}

/// `System.getProperty("user.dir")` at `at`: the working directory.
fn is_user_dir(tokens: &[(Token, usize)], at: usize) -> bool {
    matches!(
        tokens.get(at + 1..at + 6),
        Some([(Token::Punct('.'), _), (Token::Ident(get), _), (Token::Punct('('), _), (Token::Str(key), _), (Token::Punct(')'), _)])
            if get == "getProperty" && key == "user.dir"
    )
}

/// The path after the working directory, from `end` (after `System.getProperty("user.dir")`): `+ "/uploads/" +
/// name` is under uploads/, `+ "/data.json"` the file itself, nothing more the directory.
fn under_working_dir(tokens: &[(Token, usize)], end: usize) -> Option<Place> {
    let [(Token::Punct('+'), _), (Token::Str(rest), _), ..] = tokens.get(end..end + 2)? else {
        return Some(Place::Path(".".into()));
    };
    let rest = rest.trim_start_matches('/').to_string();
    let more = matches!(tokens.get(end + 2), Some((Token::Punct('+'), _)));
    Some(if more { Place::Under(rest) } else { Place::Path(rest) })
}

/// The arguments of `File(a)`, `File(a, b)`, `Paths.get(a, b…)` from the `(` at `open`: the path, or the folder
/// the first of several names; and the index after the `)`.
fn maker(tokens: &[(Token, usize)], open: usize, bound: &HashMap<&str, Place>) -> Option<(Place, usize)> {
    let first = path_at(tokens, open + 1, bound)?;
    let close = closing(tokens, open)?;
    let several = argument(tokens, open, 1).is_some();
    let place = match first {
        Place::Path(path) if several => Place::Under(format!("{}/", path.trim_end_matches('/'))),
        place => place,
    };
    Some((place, close + 1))
}

/// The path of the expression a method is called on (`new File("x").mkdirs()`, `dir.mkdirs()`).
fn receiver_path(tokens: &[(Token, usize)], method: usize, bound: &HashMap<&str, Place>) -> Option<Place> {
    if !matches!(tokens.get(method.checked_sub(1)?), Some((Token::Punct('.'), _))) {
        return None;
    }
    let before = method - 2;
    match tokens.get(before)? {
        (Token::Ident(name), _) => bound.get(name.as_str()).cloned(),
        (Token::Punct(')'), _) => {
            // Back to the `(` of `File(…)` / `Paths.get(…)` and the name before it.
            let mut depth = 0usize;
            let mut j = before;
            loop {
                match tokens.get(j)?.0 {
                    Token::Punct(')') => depth += 1,
                    Token::Punct('(') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j = j.checked_sub(1)?;
            }
            let start = (j.checked_sub(3))
                .filter(|&s| matches!(&tokens[s + 1].0, Token::Punct('.')))
                .unwrap_or(j.checked_sub(1)?);
            let start = if start > 0 && matches!(&tokens[start - 1].0, Token::Ident(n) if n == "new") {
                start - 1
            } else {
                start
            };
            path_at(tokens, start, bound)
        }
        _ => None,
    }
}

/// Whether the identifier at `i` is called: `name(`.
fn is_call(tokens: &[(Token, usize)], i: usize) -> bool {
    matches!(tokens.get(i + 1), Some((Token::Punct('('), _)))
}

/// The name before `.name(`: `Files` in `Files.write(`.
fn receiver<'a>(tokens: &'a [(Token<'a>, usize)], i: usize) -> Option<&'a str> {
    match (tokens.get(i.checked_sub(2)?), tokens.get(i - 1)) {
        (Some((Token::Ident(r), _)), Some((Token::Punct('.'), _))) => Some(r.as_str()),
        _ => None,
    }
}

/// The index of the `)` that closes the `(` at `open`.
fn closing(tokens: &[(Token, usize)], open: usize) -> Option<usize> {
    lex::call_args(tokens, open).close
}

/// The index where argument `n` of the call whose `(` is at `open` starts; None when it has fewer.
fn argument(tokens: &[(Token, usize)], open: usize, n: usize) -> Option<usize> {
    lex::call_args(tokens, open).starts.get(n).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folders(code: &str) -> Vec<String> {
        file_writes(&lex::source(code).tokens, "src/main/java/A.java")
            .into_iter()
            .map(|w| w.folder)
            .collect()
    }

    #[test]
    fn folders_the_code_makes_and_files_it_writes() {
        assert_eq!(folders(r#"new File("uploads").mkdirs();"#), ["uploads"]);
        assert_eq!(
            folders(r#"File dir = new File("data/cache"); if (!dir.exists()) dir.mkdirs();"#),
            ["data/cache"]
        );
        assert_eq!(folders(r#"Files.createDirectories(Paths.get("./store"));"#), ["store"]);
        assert_eq!(folders(r#"Files.writeString(Path.of("bot.json"), text);"#), ["."]);
        assert_eq!(
            folders(r#"val f = File("state/bot.json"); f.writeText(json)"#),
            ["state"]
        );
        assert_eq!(folders(r#"try (var w = new FileWriter("out/report.csv")) {}"#), ["out"]);
        assert_eq!(
            folders(r#"static final String DIR = "uploads"; file.transferTo(new File(DIR + File.separator + name));"#),
            ["uploads"]
        );
        assert_eq!(folders(r#"Files.copy(in, Paths.get("files", name));"#), ["files"]);
        assert_eq!(folders(r#"Files.copy(in, Paths.get("images/" + name));"#), ["images"]);
        assert_eq!(
            folders(r#"conn = DriverManager.getConnection("jdbc:sqlite:plex.db");"#),
            ["."]
        );
        assert_eq!(
            folders(r#"@Value("${app.upload-dir:./uploads}") String dir;"#),
            ["uploads"]
        );
        // Paths from the working directory, `System.getProperty("user.dir")`.
        assert_eq!(
            folders(
                r#"String folderPath = System.getProperty("user.dir") + "/uploads/" + name; new File(folderPath).mkdirs();"#
            ),
            ["uploads"]
        );
        assert_eq!(
            folders(
                r#"ImageIO.write(img, "png", x); new FileOutputStream(System.getProperty("user.dir") + "/avatar.png");"#
            ),
            ["."]
        );
        assert!(
            folders(r#"String home = System.getProperty("user.home") + "/.app"; new File(home).mkdirs();"#).is_empty()
        );
    }

    #[test]
    fn reads_home_folders_and_placeholders_are_not_writes() {
        assert!(folders(r#"new FileReader("config.json"); Files.readString(Path.of("a.txt"));"#).is_empty());
        assert!(folders(r#"new File(System.getProperty("user.home"), ".app").mkdirs();"#).is_empty());
        assert!(folders(r#"File("~/.app").mkdirs(); File("$dir/x").mkdirs(); Files.write(path, bytes);"#).is_empty());
        assert!(folders(r#"if (a == "x") {} String u = "jdbc:h2:mem:test";"#).is_empty());
    }

    #[test]
    fn file_databases_by_driver() {
        assert_eq!(
            jdbc_folder("jdbc:h2:file:./data/demo;AUTO_SERVER=TRUE").as_deref(),
            Some("data")
        );
        assert_eq!(jdbc_folder("jdbc:h2:./db").as_deref(), Some("."));
        assert_eq!(jdbc_folder("jdbc:h2:~/test"), None);
        assert_eq!(jdbc_folder("jdbc:h2:tcp://localhost/x"), None);
        assert_eq!(
            jdbc_folder("jdbc:sqlite:/var/lib/app/app.db?journal_mode=WAL").as_deref(),
            Some("/var/lib/app")
        );
        assert_eq!(jdbc_folder("jdbc:sqlite::memory:"), None);
        assert_eq!(jdbc_folder("jdbc:hsqldb:file:db/app").as_deref(), Some("db"));
        assert_eq!(jdbc_folder("jdbc:derby:appdb;create=true").as_deref(), Some("."));
        assert_eq!(
            jdbc_folder("jdbc:derby:data/appdb;create=true").as_deref(),
            Some("data")
        );
        assert_eq!(jdbc_folder("jdbc:postgresql://db:5432/app"), None);
    }

    #[test]
    fn settings_name_data_folders_and_log_files() {
        let write = |k: &str, v: &str| setting_write(k, v, "a.properties:1").map(|w| w.folder);
        assert_eq!(write("app.upload-dir", "uploads").as_deref(), Some("uploads"));
        assert_eq!(write("file.uploadDir", "./files/").as_deref(), Some("files"));
        assert_eq!(write("storage.location", "/srv/store").as_deref(), Some("/srv/store"));
        assert_eq!(write("logging.file.name", "logs/app.log").as_deref(), Some("logs"));
        assert_eq!(
            write("logging.file.path", "/home/app/logs").as_deref(),
            Some("/home/app/logs")
        );
        assert_eq!(
            write("spring.web.resources.static-locations", "classpath:/static/"),
            None
        );
        assert_eq!(write("app.name", "uploads"), None);
        assert_eq!(placeholder_default("${DB:jdbc:sqlite:x.db}"), "jdbc:sqlite:x.db");
    }

    #[test]
    fn files_opened_by_a_relative_literal() {
        let code = "class A {\n void f() throws Exception {\n  new Scanner(new File(\"40E\"));\n  Files.readAllLines(Path.of(\"./data/stops.csv\"));\n  Paths.get(\"/etc/app.conf\");\n  Map.of(\"a\", 1);\n  System.getProperty(\"user.home\");\n  new FileReader(\"../up.txt\");\n  new File(\".env\");\n }\n}\n";
        let reads: Vec<String> = file_reads(&lex::source(code).tokens, "A.java")
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(reads, ["40E", "data/stops.csv"]);
        // Kotlin constructs without `new`.
        let kotlin = file_reads(
            &lex::source("fun f() = File(\"routes.txt\").readText()\n").tokens,
            "A.kt",
        );
        assert_eq!(kotlin, [("routes.txt".to_string(), "A.kt:1".to_string())]);
    }

    #[test]
    fn a_yaml_configs_file_appenders_write_their_folders() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(
            root.path().join("config.yml"),
            "logging:\n  appenders:\n    - type: console\n    - type: file\n      currentLogFilename: ./var/log/app.log\n      archivedLogFilenamePattern: /var/log/app/app-%d.log\nserver:\n  requestLog:\n    appenders:\n      - type: file\n        currentLogFilename: access.log\n",
        )
        .unwrap();
        let folders: Vec<String> = yaml_log_writes(root.path(), "config.yml")
            .into_iter()
            .map(|w| w.folder)
            .collect();
        assert_eq!(folders.len(), 3, "{folders:?}");
        assert!(folders.contains(&"var/log".to_string()) && folders.contains(&"/var/log/app".to_string()));
        assert!(folders.contains(&".".to_string()), "{folders:?}");
    }

    #[test]
    fn logging_placeholders_take_properties_then_defaults() {
        let properties = HashMap::from([("LOG_DIR".to_string(), "/home/app/logs".to_string())]);
        assert_eq!(
            substituted("${LOG_DIR}/app.log", &properties).as_deref(),
            Some("/home/app/logs/app.log")
        );
        assert_eq!(
            substituted("${LOG_PATH:-logs}/a.log", &properties).as_deref(),
            Some("logs/a.log")
        );
        assert_eq!(substituted("${LOG_PATH}/a.log", &properties), None);
    }
}
