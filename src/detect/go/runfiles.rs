//! What the chosen program reads from its working directory at run time, so the image ships it beside the
//! binary: folders it serves (`http.Dir("./assets/")`, gin/echo/fiber `Static("/", "public")`), templates it
//! parses (`template.ParseGlob("templates/*.html")`, gin's `LoadHTMLGlob`), files it opens by a literal
//! relative path (`os.ReadFile("config.yml")`) and folders it builds paths in (`filepath.Join("public", name)`),
//! config files its loaders read (`ini.Load("conf/app.ini")`,
//! `viper.SetConfigFile`, the name `viper.SetConfigName` gets in each folder `AddConfigPath` adds) or a config flag
//! defaults to, and the files its command's arguments name — read in
//! its own import graph, and shipped only when the repository has them (a path the program writes or that users
//! mount is not there). A dotenv file it loads at start (`godotenv.Load()`) is never shipped (it holds the
//! developer's secrets): the image gets an empty one, and the values come from the environment.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use super::super::lex::Token;
use super::packages::Tree;
use super::writes::{leading_strings, string_arguments, FLAG_SETTERS, READ_WORDS};
use crate::detect::{Fact, Facts};

/// Calls whose string arguments are paths read at run time, and which argument: `None` for every one.
const READ_CALLS: &[(&str, Option<usize>)] = &[
    ("Dir", Some(0)),
    ("ParseGlob", Some(0)),
    ("ParseFiles", None),
    ("LoadHTMLGlob", Some(0)),
    ("LoadHTMLFiles", None),
    ("Static", Some(1)),
    ("StaticFile", Some(1)),
    ("ReadFile", Some(0)),
    ("ReadDir", Some(0)),
    ("Open", Some(0)),
    // `filepath.Glob("views/*.html")`: the files it lists are read.
    ("Glob", Some(0)),
    // net/http's `http.ServeFile(w, r, "templates/index.html")`: the file it answers with.
    ("ServeFile", Some(2)),
];

/// Config loaders and template engines whose string arguments are files or folders read at start (receiver,
/// call, which argument: `None` for every one); `godotenv.Load()` without one reads `.env`.
const LOADER_CALLS: &[(&str, &str, Option<usize>)] = &[
    ("ini", "Load", None),
    ("toml", "DecodeFile", Some(0)),
    ("cleanenv", "ReadConfig", Some(0)),
    ("viper", "SetConfigFile", Some(0)),
    ("godotenv", "Load", None),
    ("godotenv", "Overload", None),
    // Fiber's template engines read their folder at start: `html.New("./views", ".html")`.
    ("html", "New", Some(0)),
    ("django", "New", Some(0)),
    ("handlebars", "New", Some(0)),
    ("pug", "New", Some(0)),
    ("mustache", "New", Some(0)),
    ("jet", "New", Some(0)),
    // Jet's loader of a template folder: `jet.NewSet(jet.NewOSFileSystemLoader("./views"))`.
    ("jet", "NewOSFileSystemLoader", Some(0)),
    ("ace", "New", Some(0)),
    ("amber", "New", Some(0)),
    ("slim", "New", Some(0)),
];

/// The dotenv file `godotenv.Load()` reads when it is given none.
const DEFAULT_DOTENV: &str = ".env";

/// Each file or folder the program reads (relative to its working directory, the build context's
/// root), with the first `file.go:line` that reads it.
pub(super) fn read_paths(root: &Path, tree: &Tree, graph: &[usize]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for file in tree.graph_files(graph) {
        for (path, line) in &file.run_time().reads {
            // (A dotenv file is hidden: `static_part` leaves it out, and `dotenv_loads` stands in for it.)
            let Some(part) = static_part(path) else { continue };
            if root.join(&part).exists() {
                found.entry(part).or_insert_with(|| format!("{}:{line} reads {path}", file.rel));
            }
        }
    }
    // A field given to a read call stands for every string the graph sets it to (`StaticDir: "./static"`).
    let settings: Vec<(&str, &str)> = tree
        .graph_files(graph)
        .flat_map(|file| file.run_time().field_strings.iter().map(|(field, value)| (field.as_str(), value.as_str())))
        .collect();
    for file in tree.graph_files(graph) {
        for (field, line) in &file.run_time().field_reads {
            for (_, value) in settings.iter().filter(|(set, _)| set == field) {
                let Some(part) = static_part(value) else { continue };
                if root.join(&part).exists() {
                    found.entry(part).or_insert_with(|| format!("{}:{line} reads {field} ({value})", file.rel));
                }
            }
        }
    }
    // A path inside a folder that is shipped whole is shipped with it.
    let folders: Vec<String> = found.keys().map(|p| format!("{p}/")).collect();
    found.retain(|path, _| !folders.iter().any(|folder| path.starts_with(folder.as_str())));
    found
}

/// The paths the program reads that the repository does not hold (a front-end's gitignored `web/dist`), each
/// with the first `file.go:line` that reads it: a build may make them.
pub(super) fn unheld_reads(root: &Path, tree: &Tree, graph: &[usize]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for file in tree.graph_files(graph) {
        for (path, line) in &file.run_time().reads {
            let Some(part) = static_part(path) else { continue };
            if crate::detect::frontend::needs_building(root, &part) {
                found.entry(part).or_insert_with(|| format!("{}:{line}", file.rel));
            }
        }
    }
    found
}

/// The dotenv files the program loads at start (`.env`, `.env.local`), each with its first `file.go:line`.
pub(super) fn dotenv_loads(tree: &Tree, graph: &[usize]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for file in tree.graph_files(graph) {
        for (path, line) in &file.run_time().reads {
            let name = path.trim_start_matches("./");
            if is_dotenv(name) && !name.contains('/') {
                found.entry(name.to_string()).or_insert_with(|| format!("{}:{line} loads {path}", file.rel));
            }
        }
    }
    found
}

fn is_dotenv(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (name == ".env" || name.starts_with(".env."))
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The files the command's arguments name (`-c config.docker.yaml`, kept from the project's Dockerfile) that the
/// repository has: added to `shipped_paths`, as the program opens them from its working directory.
pub(super) fn ship_named_arguments(root: &Path, facts: &mut Facts) {
    let Some(args) = facts.get("args") else { return };
    let source = args.source.clone();
    let named: Vec<String> = args
        .value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|arg| arg.as_str())
        .filter_map(|arg| static_part(arg).filter(|part| part == arg.trim_start_matches("./")))
        .filter(|part| root.join(part).is_file())
        .collect();
    if named.is_empty() {
        return;
    }
    let why = format!("{source}: the command's arguments name {}", named.join(", "));
    let shipped = facts
        .entry("shipped_paths".to_string())
        .or_insert_with(|| Fact::new(json!([]), source.clone()).with_note("shipped beside the binary, in its working directory"));
    if let Some(paths) = shipped.value.as_array_mut() {
        for part in named {
            if !paths.iter().any(|p| p.as_str() == Some(&part)) {
                paths.push(json!(part));
            }
        }
    }
    let note = shipped.note.take().unwrap_or_default();
    shipped.note = Some(format!("{why}; {note}"));
}

/// The extensions viper tries after a config name (`SetConfigName("config")` reads `config.yaml`, …).
const VIPER_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "toml"];

/// The files viper may read in a file that names its config: every name `SetConfigName` is given, as a literal
/// or, when it takes a variable, as any plain string of the file that could be its value (`GetConfigPath`
/// returning `"config/config_local"`), in every folder `AddConfigPath` adds (the working directory when none),
/// with each extension viper tries. Only those the repository has are shipped (`read_paths`).
pub(super) fn viper_config_reads(tokens: &[(Token, usize)], calls: &[usize]) -> Vec<(String, usize)> {
    let calls = |name: &str| -> Vec<(usize, Option<String>)> {
        calls
            .iter()
            .copied()
            .filter(|&i| {
                i >= 1 &&
                matches!(&tokens[i].0, Token::Ident(call) if call == name)
                    && tokens[i - 1].0 == Token::Punct('.')
                    && tokens.get(i + 1).map(|t| &t.0) == Some(&Token::Punct('('))
            })
            .map(|i| (tokens[i].1, string_arguments(tokens, i + 1).into_iter().next().flatten()))
            .collect()
    };
    let names = calls("SetConfigName");
    let Some(&(line, _)) = names.first() else {
        return Vec::new();
    };
    let mut candidates: Vec<String> = names.iter().filter_map(|(_, name)| name.clone()).collect();
    if names.iter().any(|(_, name)| name.is_none()) {
        let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.'));
        candidates.extend(tokens.iter().filter_map(|(token, _)| match token {
            Token::Str(s) if plain(s) => Some(s.to_string()),
            _ => None,
        }));
    }
    let mut folders: Vec<String> = calls("AddConfigPath").into_iter().filter_map(|(_, dir)| dir).collect();
    if folders.is_empty() {
        folders.push(".".to_string());
    }
    let mut found = Vec::new();
    for folder in &folders {
        for name in &candidates {
            for extension in VIPER_EXTENSIONS {
                let path = format!("{}/{name}.{extension}", folder.trim_end_matches('/'));
                if !found.iter().any(|(known, _)| *known == path) {
                    found.push((path, line));
                }
            }
        }
    }
    found
}

pub(super) fn file_reads(tokens: &[(Token, usize)], calls: &[usize]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    // A `file://` URL names a local path (golang-migrate's `migrate.New("file://./migrations", …)`).
    for (token, line) in tokens {
        if let Token::Str(text) = token {
            if let Some(path) = text.strip_prefix("file://").filter(|p| !p.is_empty() && !p.starts_with('/')) {
                found.push((path.to_string(), *line));
            }
        }
    }
    for &i in calls.iter().filter(|&&i| i >= 2) {
        let (Token::Ident(call), line) = &tokens[i] else { continue };
        if tokens[i - 1].0 != Token::Punct('.') || tokens.get(i + 1).map(|t| &t.0) != Some(&Token::Punct('(')) {
            continue;
        }
        let receiver = match &tokens[i - 2].0 {
            Token::Ident(r) => r.as_str(),
            _ => "",
        };
        if let Some(paths) = loader_reads(tokens, i, receiver, call) {
            found.extend(paths.into_iter().map(|p| (p, *line)));
            continue;
        }
        if let Some(path) = joined_path(tokens, i, receiver, call) {
            found.push((path, *line));
            continue;
        }
        // goose runs the migrations of a folder: `goose.Up(db, "migrations")`, `goose.UpContext(ctx, db, dir)`.
        if receiver == "goose" {
            let which = if call.ends_with("Context") { 2 } else { 1 };
            found.extend(read_arguments(tokens, i + 1).into_iter().nth(which).flatten().map(|p| (p, *line)));
            continue;
        }
        let Some(&(_, which)) = read_call(receiver, call) else {
            continue;
        };
        // `template.ParseFiles(files...)`: the strings of the `[]string{…}` the file gave that name.
        if let Some(listed) = spread_slice(tokens, i + 1) {
            found.extend(listed.into_iter().map(|p| (p, *line)));
            continue;
        }
        let args = read_arguments(tokens, i + 1);
        let paths: Vec<String> = match which {
            Some(n) => args.into_iter().nth(n).flatten().into_iter().collect(),
            None => args.into_iter().flatten().collect(),
        };
        found.extend(paths.into_iter().map(|p| (p, *line)));
    }
    found.extend(passed_to_readers(tokens, calls));
    found
}

/// The fields a read call is given as its path (`http.Dir(config.Env().StaticDir)` → `StaticDir`), with the
/// call's line: the value is set elsewhere (`field_strings`).
pub(super) fn field_reads(tokens: &[(Token, usize)], calls: &[usize]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for &i in calls.iter().filter(|&&i| i >= 2) {
        for argument in read_call_arguments(tokens, i) {
            // A selector's last name: `cfg.StaticDir`, `config.Env().StaticDir`.
            if let [.., Token::Punct('.'), Token::Ident(field)] = argument.as_slice() {
                found.push((field.to_string(), tokens[i].1));
            }
        }
    }
    found
}

/// The arguments a read call at `i` (`os.Open(…)`, the name of the call) reads as paths; none when there is
/// no read call there.
fn read_call_arguments<'t, 'a>(tokens: &'t [(Token<'a>, usize)], i: usize) -> Vec<Vec<&'t Token<'a>>> {
    let (Token::Ident(call), Some(Token::Punct('.')), Some(Token::Punct('('))) =
        (&tokens[i].0, i.checked_sub(1).map(|k| &tokens[k].0), tokens.get(i + 1).map(|t| &t.0))
    else {
        return Vec::new();
    };
    let receiver = match i.checked_sub(2).map(|k| &tokens[k].0) {
        Some(Token::Ident(r)) => r.as_str(),
        _ => "",
    };
    let Some(&(_, which)) = read_call(receiver, call) else { return Vec::new() };
    let mut arguments = super::writes::argument_tokens(tokens, i + 1);
    if let Some(which) = which {
        arguments = arguments.into_iter().nth(which).into_iter().collect();
    }
    arguments
}

/// The strings the file sets fields to: keyed in a composite literal (`StaticDir: "./static",`) or assigned to
/// a selector (`cfg.StaticDir = "./static"`).
pub(super) fn field_strings(tokens: &[(Token, usize)]) -> Vec<(String, String)> {
    let token = |k: usize| tokens.get(k).map(|t| &t.0);
    let mut found = Vec::new();
    for i in 1..tokens.len() {
        let Token::Ident(field) = &tokens[i].0 else { continue };
        let keyed = matches!(tokens[i - 1].0, Token::Punct('{' | ',')) && token(i + 1) == Some(&Token::Punct(':'));
        let assigned = tokens[i - 1].0 == Token::Punct('.')
            && token(i + 1) == Some(&Token::Punct('='))
            && token(i + 2) != Some(&Token::Punct('='));
        if !keyed && !assigned {
            continue;
        }
        // The string whole: not the start of a concatenation or a call on it.
        let whole = !matches!(token(i + 3), Some(Token::Punct('+' | '.' | '[' | '(')));
        if let (Some(Token::Str(value)), true) = (token(i + 2), whole) {
            found.push((field.to_string(), value.to_string()));
        }
    }
    found
}

/// The read call `receiver.call` is, with which argument it reads as a path (`None`: every one).
fn read_call(receiver: &str, call: &str) -> Option<&'static (&'static str, Option<usize>)> {
    let entry = READ_CALLS.iter().find(|(name, _)| *name == call)?;
    // `os.Open`, `os.ReadFile` and `os.ReadDir` read files; `Open` of anything else (a database, a zip) is not a path.
    if matches!(call, "Open" | "ReadFile" | "ReadDir") && !matches!(receiver, "os" | "ioutil") {
        return None;
    }
    // `filepath.Glob` lists the files of a folder on disk; `fs.Glob` an embedded file system's.
    if call == "Glob" && receiver != "filepath" {
        return None;
    }
    Some(entry)
}

/// The paths given to the file's own functions that hand a parameter to a read call (`readLines("data/quotes.txt")`
/// where `func readLines(path string)` opens `path`), each with the call's line.
fn passed_to_readers(tokens: &[(Token, usize)], calls: &[usize]) -> Vec<(String, usize)> {
    let readers = reading_parameters(tokens, calls);
    if readers.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for &i in calls {
        let Token::Ident(name) = &tokens[i].0 else { continue };
        if tokens.get(i + 1).map(|t| &t.0) != Some(&Token::Punct('(')) {
            continue;
        }
        for (_, position) in readers.iter().filter(|(reader, _)| reader == name.as_str()) {
            let path = read_arguments(tokens, i + 1).into_iter().nth(*position).flatten();
            found.extend(path.map(|path| (path, tokens[i].1)));
        }
    }
    found
}

/// The file's functions that hand one of their parameters, as it is, to a read call in their body, by name with
/// the parameter's position (`func readLines(path string)` whose body calls `os.Open(path)` → (`readLines`, 0)).
fn reading_parameters(tokens: &[(Token, usize)], calls: &[usize]) -> Vec<(String, usize)> {
    // The read calls given a bare name, which a function may have as its parameter; most files have none, and
    // then no function's body need be looked at.
    let reads_of_names: Vec<(usize, &str)> = calls
        .iter()
        .flat_map(|&k| {
            read_call_arguments(tokens, k).into_iter().filter_map(move |argument| match argument.as_slice() {
                [Token::Ident(given)] => Some((k, given.as_str())),
                _ => None,
            })
        })
        .collect();
    if reads_of_names.is_empty() {
        return Vec::new();
    }
    let token = |k: usize| tokens.get(k).map(|t| &t.0);
    let mut found = Vec::new();
    for i in 0..tokens.len() {
        if !matches!(&tokens[i].0, Token::Ident(word) if word == "func") {
            continue;
        }
        // A method's receiver comes first: `func (s *Store) load(path string)`.
        let mut at = i + 1;
        if token(at) == Some(&Token::Punct('(')) {
            let Some(close) = crate::detect::lex::call_args(tokens, at).close else { continue };
            at = close + 1;
        }
        let (Some(Token::Ident(name)), Some(Token::Punct('('))) = (token(at), token(at + 1)) else { continue };
        let parameters: Vec<&str> = super::writes::argument_tokens(tokens, at + 1)
            .iter()
            .filter_map(|parameter| match parameter.first() {
                Some(Token::Ident(p)) => Some(p.as_str()),
                _ => None,
            })
            .collect();
        let Some(close) = crate::detect::lex::call_args(tokens, at + 1).close else { continue };
        let Some(open) = (close + 1..tokens.len()).find(|&k| tokens[k].0 == Token::Punct('{')) else { continue };
        let end = crate::detect::lex::call_args(tokens, open).close.unwrap_or(tokens.len());
        for (_, given) in reads_of_names.iter().filter(|(k, _)| (open + 2..end).contains(k)) {
            if let Some(position) = parameters.iter().position(|p| p == given) {
                found.push((name.to_string(), position));
            }
        }
    }
    found
}

/// The strings of the slice a call spreads as its only argument (`(files...)`), when the file assigns that name
/// a `[]string{…}` of literals (`files := []string{"./ui/html/base.tmpl", …}`).
fn spread_slice(tokens: &[(Token, usize)], open: usize) -> Option<Vec<String>> {
    let at = |n: usize| tokens.get(open + n).map(|t| &t.0);
    let (Some(Token::Ident(name)), [Some(Token::Punct('.')), Some(Token::Punct('.')), Some(Token::Punct('.'))]) =
        (at(1), [at(2), at(3), at(4)])
    else {
        return None;
    };
    let slice_start = (1..tokens.len()).find_map(|i| {
        let is = |n: usize, expected: &Token| tokens.get(i + n).is_some_and(|t| t.0 == *expected);
        let assigned = matches!(&tokens[i - 1].0, Token::Ident(n) if n == name)
            && (tokens[i].0 == Token::Punct('=') && !is(1, &Token::Punct('='))
                || tokens[i].0 == Token::Punct(':') && is(1, &Token::Punct('=')));
        let value = if tokens[i].0 == Token::Punct(':') { i + 2 } else { i + 1 };
        let slice = [Token::Punct('['), Token::Punct(']'), Token::Ident("string".into()), Token::Punct('{')];
        (assigned && slice.iter().enumerate().all(|(k, t)| tokens.get(value + k).is_some_and(|found| found.0 == *t)))
            .then_some(value + slice.len())
    })?;
    let mut listed = Vec::new();
    for (token, _) in &tokens[slice_start..] {
        match token {
            Token::Str(text) => listed.push(text.to_string()),
            Token::Punct(',') => {}
            Token::Punct('}') => return Some(listed),
            _ => return None,
        }
    }
    None
}

/// The repository files a name is bound to (`const matrixFile = "data/azure/latency.csv"`, `var seed =
/// "db/seed.sql"`), each with its line: a path kept in a constant is opened where the name is passed on
/// (`load(matrixFile)` → `os.Open(path)`), which the call patterns cannot follow. Only data files the
/// repository has count (not Go sources, not folders: a folder a name holds is a package path as often as one
/// that is read).
pub(super) fn bound_files(root: &Path, assigned: &[(&str, usize)]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (path, line) in assigned {
        let path_like = path.contains('/') || path.rsplit_once('.').is_some_and(|(stem, _)| !stem.is_empty());
        let Some(part) = static_part(path).filter(|part| path_like && part.len() == path.trim_start_matches("./").len()) else {
            continue;
        };
        if Path::new(&part).extension().is_none_or(|e| e != "go") && root.join(&part).is_file() {
            found.push((part, *line));
        }
    }
    found
}

/// Each argument of a read call as a path: a literal, or for a name made at run time (`"./templates/" + name`)
/// the folder its literal start names (`./templates/`; `"page_" + name` names none).
fn read_arguments(tokens: &[(Token, usize)], open: usize) -> Vec<Option<String>> {
    string_arguments(tokens, open)
        .into_iter()
        .zip(leading_strings(tokens, open))
        .map(|(literal, leading)| {
            literal.or_else(|| {
                let leading = leading?;
                let folder = &leading[..=leading.rfind('/')?];
                Some(folder.to_string())
            })
        })
        .collect()
}

/// The folder a path is built on (`filepath.Join("public", name)` → `public`, `filepath.Join("file", "give",
/// name)` → `file/give`, `filepath.Abs("file/give")`): the literal arguments in front, joined. What the program
/// then opens there is known at run time only; the repository's folder of that name is what it reads.
fn joined_path(tokens: &[(Token, usize)], i: usize, receiver: &str, call: &str) -> Option<String> {
    if !matches!(receiver, "filepath" | "path") || !matches!(call, "Join" | "Abs") {
        return None;
    }
    let literal: Vec<String> = string_arguments(tokens, i + 1).into_iter().map_while(|arg| arg).collect();
    (!literal.is_empty()).then(|| literal.join("/"))
}

/// The files a config loader call at `i` reads, or a config flag defaults to (`flag.String("config",
/// "./config/local.yml", …)`); None when the call is neither.
fn loader_reads(tokens: &[(Token, usize)], i: usize, receiver: &str, call: &str) -> Option<Vec<String>> {
    let args = || string_arguments(tokens, i + 1);
    if let Some((_, _, which)) = LOADER_CALLS.iter().find(|(r, c, _)| *r == receiver && *c == call) {
        let args = args();
        let no_arguments = args.is_empty();
        let mut paths: Vec<String> = match which {
            Some(n) => args.into_iter().nth(*n).flatten().into_iter().collect(),
            None => args.into_iter().flatten().collect(),
        };
        if receiver == "godotenv" && no_arguments {
            paths.push(DEFAULT_DOTENV.to_string());
        }
        // Only godotenv leaves values already in the environment in place: a dotenv file another loader reads
        // as the whole config (viper) cannot be stood in for by an empty one.
        if receiver != "godotenv" {
            paths.retain(|path| !is_dotenv(path));
        }
        return Some(paths);
    }
    let (_, name_at, default_at) = FLAG_SETTERS.iter().find(|(setter, ..)| *setter == call)?;
    let args = args();
    let name = args.get(*name_at).cloned().flatten()?.to_ascii_lowercase();
    let config = name.split(['-', '_', '.']).any(|word| READ_WORDS.contains(&word));
    let default = args.get(*default_at).cloned().flatten()?;
    // A path, not a word that happens to name a folder: it has a folder or an extension.
    let path_like = default.contains('/') || default.rsplit_once('.').is_some_and(|(stem, _)| !stem.is_empty());
    (config && path_like).then(|| vec![default])
}

/// The part of a relative path before any glob (`./templates/*.html` → `templates`, `web/dist/` →
/// `web/dist`); none for absolute paths, paths above the working directory, hidden or odd names.
fn static_part(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let plain = |p: &&str| p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .take_while(plain)
        .collect();
    let hidden = parts.iter().any(|p| p.starts_with('.'));
    (!parts.is_empty() && !hidden).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_of(tokens: &[(Token, usize)]) -> Vec<(String, usize)> {
        file_reads(tokens, &crate::detect::lex::call_positions(tokens))
    }

    fn fields_of(tokens: &[(Token, usize)]) -> Vec<(String, usize)> {
        field_reads(tokens, &crate::detect::lex::call_positions(tokens))
    }

    fn viper_of(tokens: &[(Token, usize)]) -> Vec<(String, usize)> {
        viper_config_reads(tokens, &crate::detect::lex::call_positions(tokens))
    }

    #[test]
    fn pages_served_and_template_folders_loaded() {
        let tokens = crate::detect::lex::source(
            "package main\nfunc index(w http.ResponseWriter, r *http.Request) {\n\thttp.ServeFile(w, r, \"templates/index.html\")\n}\n\
             func views() {\n\tset := jet.NewSet(jet.NewOSFileSystemLoader(\"./views\"), jet.InDevelopmentMode())\n}\n",
        )
        .tokens;
        let paths: Vec<(String, usize)> = reads_of(&tokens);
        assert_eq!(paths, [("templates/index.html".to_string(), 3), ("./views".to_string(), 6)]);
    }

    #[test]
    fn names_bound_to_repository_data_files() {
        let root = tempfile::tempdir().unwrap();
        for file in ["data/a.csv", "seed.sql", "cmd/tool/main.go"] {
            std::fs::create_dir_all(root.path().join(file).parent().unwrap()).unwrap();
            std::fs::write(root.path().join(file), "").unwrap();
        }
        let tokens = crate::detect::lex::source(
            "package main\nconst (\n\tmatrix = \"./data/a.csv\"\n\tmissing = \"data/b.csv\"\n\tdir = \"data\"\n)\n\
             var seed string = \"seed.sql\"\nvar tool = \"cmd/tool/main.go\"\nvar glob = \"data/*.csv\"\n\
             func f() { if x == \"seed.sql\" {} ; y = \"data/a.csv\" + z }\n",
        )
        .tokens;
        let found = bound_files(root.path(), &crate::detect::go::writes::local_strings(&tokens).assigned);
        assert_eq!(found, [("data/a.csv".to_string(), 3), ("seed.sql".to_string(), 7)]);
    }

    #[test]
    fn templates_listed_in_a_spread_slice() {
        let tokens = crate::detect::lex::source(
            "package main\nfunc home() {\n\tfiles := []string{\n\t\t\"./ui/html/base.tmpl\",\n\t\t\"./ui/html/home.tmpl\",\n\t}\n\
             \tts, _ := template.ParseFiles(files...)\n\tothers := []string{name, \"x.tmpl\"}\n\ttemplate.ParseFiles(others...)\n}\n",
        )
        .tokens;
        assert_eq!(
            reads_of(&tokens),
            [("./ui/html/base.tmpl".to_string(), 7), ("./ui/html/home.tmpl".to_string(), 7)],
            "a slice with a name in it is not read as its literals"
        );
    }

    #[test]
    fn paths_the_program_reads() {
        let tokens = crate::detect::lex::source(
            "package main\nfunc main() {\n\tfs := http.FileServer(http.Dir(\"./assets/\"))\n\
             \ttmpl := template.Must(template.ParseGlob(\"templates/*.html\"))\n\tr.Static(\"/static\", \"./public\")\n\
             \tcfg, _ := os.ReadFile(\"config.yml\")\n\tdb, _ := bolt.Open(\"my.db\", 0600, nil)\n\
             \ttemplate.ParseFiles(\"views/a.html\", \"views/b.html\")\n}\n",
        )
        .tokens;
        let paths: Vec<String> = reads_of(&tokens).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            ["./assets/", "templates/*.html", "./public", "config.yml", "views/a.html", "views/b.html"]
        );
        let migrations = crate::detect::lex::source(
            "package db\nfunc Up() {\n\tm, _ := migrate.New(\"file://./migrations/\", url)\n\t\
             goose.UpContext(ctx, db, \"sql/schema\")\n\tgoose.Up(db, \"./seeds\")\n\tmigrate.New(\"file:///etc/x\", u)\n}\n",
        )
        .tokens;
        let paths: Vec<String> = reads_of(&migrations).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["./migrations/", "sql/schema", "./seeds"]);
        let engines = crate::detect::lex::source(
            "package main\nfunc main() {\n\tengine := html.New(\"./src/views\", \".html\")\n\t\
             d := django.New(\"./templates\", \".django\")\n\ts := html.EscapeString(\"<b>\")\n}\n",
        )
        .tokens;
        let paths: Vec<String> = reads_of(&engines).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["./src/views", "./templates"]);
        assert_eq!(static_part("./templates/*.html").as_deref(), Some("templates"));
        assert_eq!(static_part("web/dist/").as_deref(), Some("web/dist"));
        assert_eq!(static_part("../x"), None);
        let loaders = crate::detect::lex::source(
            "package main\nfunc main() {\n\tini.Load(\"conf/app.ini\")\n\tgodotenv.Load()\n\tgodotenv.Load(file)\n\t\
             viper.SetConfigFile(\".env\")\n\tviper.SetConfigFile(\"config/app.yaml\")\n\tflag.String(\"config\", \"./config/local.yml\", \"\")\n\t\
             flag.StringVar(&x, \"log-level\", \"info.txt\", \"\")\n\tflag.String(\"conf\", \"prod\", \"\")\n}\n",
        )
        .tokens;
        let paths: Vec<String> = reads_of(&loaders).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["conf/app.ini", ".env", "config/app.yaml", "./config/local.yml"]);
        assert!(is_dotenv(".env") && is_dotenv("./.env.local") && !is_dotenv("app.env"));
        assert_eq!(static_part("/etc/app.yml"), None);
    }

    #[test]
    fn paths_built_on_literal_folders_are_read() {
        let reads = |src: &str| -> Vec<String> {
            reads_of(&crate::detect::lex::source(src).tokens).into_iter().map(|(p, _)| p).collect()
        };
        assert_eq!(reads("package main\nf := filepath.Join(\"public\", name)\n"), ["public"]);
        assert_eq!(reads("package main\nf := filepath.Join(\"file\", \"give\", name)\n"), ["file/give"]);
        assert_eq!(reads("package main\nd, _ := filepath.Abs(\"file/give\")\n"), ["file/give"]);
        assert!(reads("package main\nf := filepath.Join(dir, \"x\")\n").is_empty());
        assert!(reads("package main\nf := strings.Join(parts, \"/\")\n").is_empty());
        // A name made at run time: the folder its literal start names, if any.
        let by_name = "package render\nt, _ := template.ParseFiles(\"./templates/\"+name, \"./templates/base.tmpl\")\n";
        assert_eq!(reads(by_name), ["./templates/", "./templates/base.tmpl"]);
        assert_eq!(reads("package main\nb, _ := os.ReadFile(\"data/\" + \"seed_\" + n)\n"), ["data/"]);
        assert!(reads("package main\nb, _ := os.ReadFile(\"page_\" + n)\n").is_empty());
    }

    #[test]
    fn paths_given_to_the_files_own_readers_and_globs_are_read() {
        let reads = |src: &str| -> Vec<String> {
            reads_of(&crate::detect::lex::source(src).tokens).into_iter().map(|(p, _)| p).collect()
        };
        let helper = "package main\nfunc quote() {\n\ta, _ := readLines(\"data/authors.txt\")\n\tq, _ := s.load(2, \"data/q.txt\")\n}\n\
                      func readLines(path string) ([]string, error) {\n\tfile, err := os.Open(path)\n\treturn nil, err\n}\n\
                      func (s *Store) load(n int, name string) error {\n\t_, err := os.ReadFile(name)\n\treturn err\n}\n\
                      func show(title string) {\n\tfmt.Println(title)\n}\nfunc main() {\n\tshow(\"hello.txt\")\n}\n";
        assert_eq!(reads(helper), ["data/authors.txt", "data/q.txt"]);
        let globs = "package helpers\nfunc Include(path string) []string {\n\tfiles, _ := filepath.Glob(\"admin/views/templates/*.html\")\n\t\
                     more, _ := filepath.Glob(\"admin/views/\" + path + \"/*.html\")\n\tembedded, _ := fs.Glob(content, \"*.css\")\n\treturn files\n}\n";
        assert_eq!(reads(globs), ["admin/views/templates/*.html", "admin/views/"]);
    }

    #[test]
    fn fields_given_to_read_calls_and_the_strings_fields_are_set_to() {
        let tokens = crate::detect::lex::source(
            "package main\nfunc main() {\n\thttp.Handle(\"/\", http.FileServer(http.Dir(config.Env().StaticDir)))\n\t\
             b, _ := os.ReadFile(cfg.Seed)\n\tos.ReadFile(name)\n}\nfunc Env() *env {\n\treturn &env{\n\t\tPort: 8080,\n\t\t\
             StaticDir: \"./static\",\n\t\tImagesDir: \"./images\"}\n}\nfunc init() {\n\tcfg.Seed = \"db/seed.sql\"\n\tlabel := \"x\"\n}\n",
        )
        .tokens;
        let fields: Vec<String> = fields_of(&tokens).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["StaticDir", "Seed"]);
        let set = field_strings(&tokens);
        let set: Vec<(&str, &str)> = set.iter().map(|(f, v)| (f.as_str(), v.as_str())).collect();
        assert_eq!(set, [("StaticDir", "./static"), ("ImagesDir", "./images"), ("Seed", "db/seed.sql")]);
    }

    #[test]
    fn viper_reads_its_config_name_with_each_extension_in_each_folder() {
        let reads = |src: &str| -> Vec<String> {
            viper_of(&crate::detect::lex::source(src).tokens).into_iter().map(|(p, _)| p).collect()
        };
        let named = reads("package c\nfunc f() {\n\tv.SetConfigName(\"app\")\n\tv.AddConfigPath(\"./configs/\")\n}\n");
        assert_eq!(named, ["./configs/app.yaml", "./configs/app.yml", "./configs/app.json", "./configs/app.toml"]);
        // The name is a parameter: the file's plain strings are what it can be.
        let passed = reads(
            "package c\nfunc load(name string) {\n\tv.SetConfigName(name)\n}\n\
             func path(env string) string {\n\tif env == \"docker\" {\n\t\treturn \"config/config_docker\"\n\t}\n\treturn \"config/config_local\"\n}\n",
        );
        assert!(passed.contains(&"./config/config_local.yml".to_string()), "{passed:?}");
        assert!(passed.contains(&"./config/config_docker.yml".to_string()), "{passed:?}");
        assert!(reads("package c\nfunc f() {\n\tx := \"config/a\"\n}\n").is_empty());
    }
}
