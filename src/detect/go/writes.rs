//! Where the chosen program writes: folders it makes (`os.MkdirAll("data", …)`), files it creates, the `SQLite`
//! databases it opens (`sqlite.Open("data/app.db")`, `sql.Open("sqlite3", "./app.db")`) and the defaults of
//! data-folder flags and variables (`flag.String("data-dir", "./data", …)`, `getEnv("DB_PATH", "app.db")`) —
//! read only in the program's own import graph. The image makes those folders and hands them to the app user.

use rustc_hash::FxHashMap;

use super::super::lex::Token;
use super::packages::Tree;

/// `os`/`ioutil` calls whose first argument is a folder the program makes.
const FOLDER_CALLS: &[&str] = &["MkdirAll", "Mkdir"];
/// `os`/`ioutil` calls whose first argument is a file the program writes.
const FILE_CALLS: &[&str] = &["Create", "WriteFile", "OpenFile"];

/// Flag and default setters, with the argument positions of the name and of the default.
pub(super) const FLAG_SETTERS: &[(&str, usize, usize)] = &[
    ("String", 0, 1),
    ("StringP", 0, 2),
    ("StringVar", 1, 2),
    ("StringVarP", 1, 3),
    ("SetDefault", 0, 1),
];

/// Words of a flag or variable name that say it holds a place the program keeps data in.
const DATA_WORDS: &[&str] = &[
    "data", "datadir", "storage", "upload", "uploads", "db", "database", "sqlite", "state", "dir", "folder",
];
/// Words that say the place is read, not written (config, certificates, static files, templates).
pub(super) const READ_WORDS: &[&str] = &[
    "config", "conf", "cfg", "cert", "certs", "key", "tls", "ssl", "template", "templates", "static", "assets",
    "web", "ui", "public", "views", "plugin", "plugins", "migration", "migrations", "schema", "frontend", "dist",
    "www", "root", "html", "theme", "themes", "locale", "locales", "i18n", "url", "host", "addr", "dsn", "driver",
];
/// Words that say a data setting holds something other than a place (`DB_PORT`, `DB_USER`, `DATA_TTL`).
const NOT_PLACE_WORDS: &[&str] = &[
    "port", "user", "username", "name", "password", "pass", "secret", "token", "timeout", "ttl", "size", "max",
    "min", "limit", "count", "mode", "type", "level", "ssl", "sslmode",
];
/// Extensions of the files programs keep data in: their folder is what must be writable.
const DATA_FILE_EXTENSIONS: &[&str] = &["db", "sqlite", "sqlite3", "db3", "bolt", "json", "log"];

const SQLITE: &str = "opens the SQLite database";

/// A place the program writes, as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Write {
    /// The folder, relative to the working directory (may start with `..`) or absolute.
    pub(super) folder: String,
    /// `file.go:line` and what is written there.
    pub(super) why: String,
}

/// The places the program (`graph`, its packages) writes, each folder once, in the order found.
pub(super) fn writes(tree: &Tree, graph: &[usize]) -> Vec<Write> {
    let mut found: Vec<Write> = Vec::new();
    for file in tree.graph_files(graph) {
        for write in &file.run_time().writes {
            if !found.iter().any(|w| w.folder == write.folder) {
                found.push(write.clone());
            }
        }
    }
    found
}

pub(super) fn file_writes(tokens: &[(Token, usize)], calls: &[usize], rel: &str) -> Vec<Write> {
    let mut found = Vec::new();
    for &i in calls {
        let (Token::Ident(name), line) = &tokens[i] else { continue };
        if tokens.get(i + 1).map(|t| &t.0) != Some(&Token::Punct('(')) {
            continue;
        }
        let receiver = match (i.checked_sub(2).map(|p| &tokens[p].0), i.checked_sub(1).map(|p| &tokens[p].0)) {
            (Some(Token::Ident(r)), Some(Token::Punct('.'))) => Some(r.as_str()),
            _ => None,
        };
        if !may_write(receiver, name, tokens.get(i + 2).map(|t| &t.0)) {
            continue;
        }
        let args = string_arguments(tokens, i + 1);
        let arg = |n: usize| args.get(n).and_then(Option::as_deref);
        // A file written under a name made at run time (`"uploads/" + name`): the folder its literal start names.
        let prefixes = leading_strings(tokens, i + 1);
        let written_under = |n: usize| prefixes.get(n).and_then(Option::as_deref);
        let (path, is_file, what) = match (receiver, name.as_str()) {
            // `os.MkdirAll("uploads/" + user, …)`: folders made under the literal's.
            (Some("os" | "ioutil"), call) if FOLDER_CALLS.contains(&call) => match arg(0) {
                Some(path) => (Some(path), false, "makes".into()),
                None => (written_under(0), true, "makes folders under".into()),
            },
            (Some("os" | "ioutil"), call) if FILE_CALLS.contains(&call) => (written_under(0), true, "writes".into()),
            // gin's `c.SaveUploadedFile(file, "uploads/" + name)`.
            (Some(_), "SaveUploadedFile") => (written_under(1), true, "saves uploads to".into()),
            // gorm.io/driver/sqlite, glebarez/sqlite: `sqlite.Open(dsn)`.
            (Some("sqlite"), "Open") => (arg(0).and_then(sqlite_file), true, SQLITE.into()),
            // database/sql, sqlx and GORM v1: `Open("sqlite3", dsn)`.
            (Some(_), "Open" | "Connect") if arg(0).is_some_and(|d| d.starts_with("sqlite")) => {
                (arg(1).and_then(sqlite_file), true, SQLITE.into())
            }
            (Some(_), setter) => match FLAG_SETTERS.iter().find(|(s, ..)| *s == setter) {
                Some((_, name_at, default_at)) => data_default(arg(*name_at), arg(*default_at)),
                None => (None, false, String::new()),
            },
            // A variable read with a default: `getEnv("DATA_DIR", "./data")`.
            (None, _) if args.len() == 2 && arg(0).is_some_and(is_variable_name) => data_default(arg(0), arg(1)),
            _ => (None, false, String::new()),
        };
        let Some(path) = path.filter(|p| is_plain_path(p)) else { continue };
        let folder = match (is_file, path.ends_with('/')) {
            // `"file/save/" + name`: the folder itself.
            (true, true) | (false, _) => normalise(path),
            (true, false) => parent(path),
        };
        if folder.is_empty() {
            continue; // the working directory itself, which the app user owns
        }
        found.push(Write {
            folder,
            why: format!("{rel}:{line} {what} {path}"),
        });
    }
    found
}

/// Whether a call can be one `file_writes` reads, from its name and first argument alone: most calls are
/// not, and their arguments are never collected.
fn may_write(receiver: Option<&str>, name: &str, first: Option<&Token>) -> bool {
    match receiver {
        Some("os" | "ioutil") if FOLDER_CALLS.contains(&name) || FILE_CALLS.contains(&name) => true,
        Some(_) => {
            matches!(name, "Open" | "Connect" | "SaveUploadedFile") || FLAG_SETTERS.iter().any(|(s, ..)| *s == name)
        }
        None => matches!(first, Some(Token::Str(s)) if is_variable_name(s)),
    }
}

/// The default of a flag or variable named as a data place, and whether it names a file.
fn data_default<'a>(name: Option<&str>, default: Option<&'a str>) -> (Option<&'a str>, bool, String) {
    let Some(name) = name else { return (None, false, String::new()) };
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['-', '_', '.']).collect();
    let data = words.iter().any(|w| DATA_WORDS.contains(w))
        && !words.iter().any(|w| READ_WORDS.contains(w) || NOT_PLACE_WORDS.contains(w));
    let Some(default) = default.filter(|d| data && looks_like_path(d)) else {
        return (None, false, String::new());
    };
    let is_file = default
        .rsplit('/')
        .next()
        .and_then(|last| last.rsplit_once('.'))
        .is_some_and(|(stem, ext)| !stem.is_empty() && DATA_FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()));
    (Some(default), is_file, format!("`{name}` defaults to"))
}

/// A default that can be a folder or file: not a number, a duration, a boolean or a URL (`5432`, `30s`, `true`).
fn looks_like_path(value: &str) -> bool {
    !value.is_empty()
        && !value.contains("://")
        && !value.starts_with(|c: char| c.is_ascii_digit())
        && !matches!(value, "true" | "false")
}

fn is_variable_name(name: &str) -> bool {
    name.len() > 1 && crate::validate::is_upper_env_name(name)
}

/// The file of an `SQLite` DSN (`file:data/app.db?cache=shared` → `data/app.db`); none for an in-memory one.
fn sqlite_file(dsn: &str) -> Option<&str> {
    if dsn.contains(":memory:") || dsn.contains("mode=memory") {
        return None;
    }
    let path = dsn.strip_prefix("file:").unwrap_or(dsn);
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty()).then_some(path)
}

/// A literal path a Dockerfile can name: no variables, home folders, URLs, spaces or addresses.
fn is_plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains("://")
        && !path.starts_with(['~', '$'])
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'))
}

/// `./data/` → `data`; `/var/lib/app/` → `/var/lib/app`; `.` → the empty path; `./../x` → `../x`.
fn normalise(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

fn parent(path: &str) -> String {
    let normal = normalise(path);
    match normal.rsplit_once('/') {
        Some(("", _)) => "/".into(),
        Some((folder, _)) => folder.to_string(),
        None => String::new(),
    }
}

/// Each top-level argument of the call whose `(` is at `open`: its value when it is one string literal.
pub(super) fn string_arguments(tokens: &[(Token, usize)], open: usize) -> Vec<Option<String>> {
    argument_tokens(tokens, open).iter().map(|arg| single_string(arg)).collect()
}

/// Each top-level argument: the literal it starts with when it is a concatenation (`"uploads/" + name` →
/// `uploads/`), else its value when it is one string literal.
pub(super) fn leading_strings(tokens: &[(Token, usize)], open: usize) -> Vec<Option<String>> {
    argument_tokens(tokens, open)
        .iter()
        .map(|arg| match arg.as_slice() {
            [Token::Str(_), Token::Punct('+'), ..] => {
                // The literals in front joined: `"uploads" + "/avatars/" + id` → `uploads/avatars/`.
                let mut joined = String::new();
                for pair in arg.chunks(2) {
                    match pair {
                        [Token::Str(s), Token::Punct('+')] => joined.push_str(s),
                        _ => break,
                    }
                }
                Some(joined)
            }
            other => single_string(other),
        })
        .collect()
}

/// A file's names bound to one string literal (`local_strings`): where each is used, with the literal it stands
/// for, and the literals names are assigned with their lines.
pub(super) struct LocalStrings<'t, 'a> {
    pub(super) uses: Vec<(usize, Token<'a>)>,
    pub(super) assigned: Vec<(&'t str, usize)>,
}

/// Each name of the file bound to one string literal in it (`const dbPath = "/data/db.json"`, `envPath :=
/// ".env"`) where it is used as a value, with that literal: `put_local_strings` puts them in place, so a call
/// given the name (`os.OpenFile(dbPath, …)`, `godotenv.Load(envPath)`) is read as given the literal. A name
/// bound to different literals, or to more than a literal, is left alone. Also every literal a name is assigned
/// with `=` (a constant, a variable: `const f = "data/x.csv"`), with its line.
pub(super) fn local_strings<'t, 'a>(tokens: &'t [(Token<'a>, usize)]) -> LocalStrings<'t, 'a> {
    let mut bound: FxHashMap<&str, Option<Token<'a>>> = FxHashMap::default();
    let mut assigned = Vec::new();
    for (i, (token, _)) in tokens.iter().enumerate() {
        let Token::Ident(name) = token else { continue };
        let after = |n: usize| tokens.get(i + n).map(|t| &t.0);
        let value_at = match (after(1), after(2)) {
            (Some(Token::Punct('=')), Some(Token::Punct('='))) => continue,
            (Some(Token::Punct('=')), _) => 2,
            (Some(Token::Punct(':')), Some(Token::Punct('='))) => 3,
            _ => continue,
        };
        if i > 0 && matches!(tokens[i - 1].0, Token::Punct('.')) {
            continue;
        }
        // (A name bound above to a literal stands for it here too: `baseNotesPath + title`.)
        let value = match after(value_at) {
            Some(Token::Ident(earlier)) => match bound.get(earlier.as_str()) {
                Some(Some(literal)) => Some(literal),
                _ => after(value_at),
            },
            value => value,
        };
        let literal = match (value, after(value_at + 1)) {
            (Some(value @ Token::Str(_)), next) if !matches!(next, Some(Token::Punct('+' | '.' | '['))) => Some(value.clone()),
            // A path made at run time in a folder named here (`filename := "notes/" + title + ".txt"`, Go's wiki
            // tutorial) stands for that folder: what is written or read through the name lands there.
            (Some(Token::Str(text)), Some(Token::Punct('+'))) if !text.contains("://") => {
                text.rfind('/').map(|end| Token::Str(text[..=end].to_string().into()))
            }
            _ => None,
        };
        if let (Some(Token::Str(text)), 2) = (after(value_at), value_at) {
            if literal.is_some() && !matches!(after(value_at + 1), Some(Token::Punct('+'))) {
                assigned.push((text.as_str(), tokens[i + 2].1));
            }
        }
        bound
            .entry(name.as_str())
            .and_modify(|known| {
                if *known != literal {
                    *known = None;
                }
            })
            .or_insert(literal);
    }
    bound.retain(|_, literal| literal.is_some());
    if bound.is_empty() {
        return LocalStrings { uses: Vec::new(), assigned };
    }
    // A name is looked up only when its length and ends may be a bound name's: most names of a file are not.
    let sketch = |name: &str| -> u64 {
        let (first, last) = (name.bytes().next().unwrap_or(0), name.bytes().last().unwrap_or(0));
        let mix = name.len() ^ usize::from(first) << 2 ^ usize::from(last) << 4;
        1 << (mix % 64)
    };
    let sketches = bound.keys().fold(0, |all, name| all | sketch(name));
    let mut uses = Vec::new();
    for (i, (token, _)) in tokens.iter().enumerate() {
        let Token::Ident(name) = token else { continue };
        if sketches & sketch(name) == 0 || i > 0 && matches!(tokens[i - 1].0, Token::Punct('.')) {
            continue;
        }
        if let Some(Some(literal)) = bound.get(name.as_str()) {
            uses.push((i, literal.clone()));
        }
    }
    LocalStrings { uses, assigned }
}

/// The tokens with each use of a local string name replaced by its literal (`LocalStrings::uses`), in place: a
/// copy of a big file's tokens costs more than every probe that reads them.
pub(super) fn put_local_strings<'a>(tokens: &mut [(Token<'a>, usize)], uses: Vec<(usize, Token<'a>)>) {
    for (i, literal) in uses {
        tokens[i].0 = literal;
    }
}

/// The tokens of each top-level argument of the call whose `(` is at `open`.
pub(super) fn argument_tokens<'t, 'a>(tokens: &'t [(Token<'a>, usize)], open: usize) -> Vec<Vec<&'t Token<'a>>> {
    let args = super::super::lex::call_args(tokens, open);
    let end = args.close.unwrap_or(tokens.len());
    args.starts
        .iter()
        .enumerate()
        .map(|(k, &start)| {
            // Up to the comma before the next argument, or the closing parenthesis.
            let stop = args.starts.get(k + 1).map_or(end, |next| next - 1);
            tokens[start..stop].iter().map(|(token, _)| token).collect()
        })
        .collect()
}

fn single_string(tokens: &[&Token]) -> Option<String> {
    match tokens {
        [Token::Str(s)] => Some(s.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(source: &str) -> Vec<(String, String)> {
        let tokens = crate::detect::lex::source(source).tokens;
        file_writes(&tokens, &crate::detect::lex::call_positions(&tokens), "main.go")
            .into_iter()
            .map(|w| (w.folder, w.why))
            .collect()
    }

    #[test]
    fn folders_files_databases_and_data_defaults() {
        let source = "package main\nfunc main() {\n\tos.MkdirAll(\"./uploads/\", 0o755)\n\
                      \tdb, _ := gorm.Open(sqlite.Open(\"file:data/app.db?cache=shared\"), &gorm.Config{})\n\
                      \tsql.Open(\"sqlite3\", \"./../gorm.db\")\n\
                      \tdir := flag.String(\"data-dir\", \"/var/lib/ledger\", \"where data lives\")\n\
                      \tcfg := flag.String(\"config-dir\", \"./config\", \"read only\")\n\
                      \tpath := getEnv(\"DB_PATH\", \"store/ledger.db\")\n\
                      \tmem, _ := sql.Open(\"sqlite3\", \":memory:\")\n\
                      \tos.WriteFile(\"out.txt\", nil, 0o644)\n}\n";
        let folders: Vec<String> = found(source).into_iter().map(|(f, _)| f).collect();
        assert_eq!(folders, ["uploads", "data", "..", "/var/lib/ledger", "store"]);
        let uploads = "package main\nfunc save(c *gin.Context) {\n\tc.SaveUploadedFile(file, \"file/save/\"+name)\n\
                       \tos.Create(\"reports/r-\" + id + \".csv\")\n\tos.Create(dir + \"/x\")\n\
                       \tos.MkdirAll(\"./uploads/users/\"+id, 0o755)\n\tos.MkdirAll(\"media\" + \"/avatars/\" + id, 0o755)\n}\n";
        let folders: Vec<String> = found(uploads).into_iter().map(|(f, _)| f).collect();
        assert_eq!(folders, ["file/save", "reports", "uploads/users", "media/avatars"]);
        assert_eq!(
            found(source)[1].1,
            "main.go:4 opens the SQLite database data/app.db"
        );
    }

    #[test]
    fn settings_of_a_database_that_are_not_places_are_not_folders() {
        let source = "package main\nfunc load() {\n\tport := getEnv(\"DB_PORT\", \"5432\")\n\
                      \tuser := getEnv(\"DB_USER\", \"postgres\")\n\tdir := getEnv(\"DATA_DIR\", \"30s\")\n}\n";
        assert_eq!(found(source), []);
    }

    #[test]
    fn names_bound_to_one_literal_stand_for_it() {
        let source = "package main\nconst DB_PATH = \"/data/db.json\"\nvar mode = \"a\"\nfunc save() {\n\
                      \tf, _ := os.OpenFile(DB_PATH, os.O_APPEND|os.O_WRONLY, 0o644)\n\tdir := \"x\"\n\tdir = \"y\"\n\
                      \tos.MkdirAll(dir, 0o755)\n\tif mode == \"b\" {}\n}\n";
        let mut named = crate::detect::lex::source(source).tokens;
        let uses = local_strings(&named).uses;
        put_local_strings(&mut named, uses);
        let calls = crate::detect::lex::call_positions(&named);
        let folders: Vec<String> = file_writes(&named, &calls, "main.go").into_iter().map(|w| w.folder).collect();
        assert_eq!(folders, ["/data"], "dir is bound to two literals: not a folder");
        let plain = crate::detect::lex::source("package main\nfunc f() { os.MkdirAll(d, 0) }\n").tokens;
        assert!(local_strings(&plain).uses.is_empty());
    }

    #[test]
    fn arguments_split_at_the_top_level() {
        let tokens = crate::detect::lex::source("f(\"a\", g(\"b\", \"c\"), \"d\")").tokens;
        assert_eq!(
            string_arguments(&tokens, 1),
            [Some("a".into()), None, Some("d".into())]
        );
    }
}
