//! Where the chosen program listens: literals in listen calls and server `Addr`s, wildcard addresses passed
//! along, the defaults of listen flags (flag, pflag/cobra, kingpin, viper) and config structs, the `PORT`
//! variable's default and framework defaults — read only in the program's own import graph, so an example's
//! port never leaks in.

use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde_json::json;

use super::super::lex::{self, Lexed, Token};
use super::super::Fact;
use super::packages::{is_in_module, Tree};
use super::Words;
use crate::detect::configport::{is_listen_flag_name, port_of_address, port_of_default};

/// Calls whose string arguments are listen addresses: net/http, net, gin, echo, fiber.
const LISTEN_CALLS: &[&str] = &[
    "ListenAndServe",
    "ListenAndServeTLS",
    "Listen",
    "Run",
    "RunTLS",
    "Start",
];

/// Calls that make a program a server even when the address is not a literal.
pub(super) const LISTENER_CALLS: &[&str] = &[
    "ListenAndServe",
    "ListenAndServeTLS",
    "Serve",
    "ServeTLS",
    "Listen",
    "ListenTCP",
    "ListenPacket",
    "ListenUDP",
];

/// Server frameworks whose import alone means the program serves (they start listening in their own code),
/// with the port they listen on when `Run()` is given no address.
const SERVER_FRAMEWORKS: &[(&str, Option<u16>)] = &[
    // gin's `Run()` without an address listens on $PORT or 8080.
    ("github.com/gin-gonic/gin", Some(8080)),
    ("github.com/labstack/echo", None),
    ("github.com/gofiber/fiber", None),
    ("github.com/valyala/fasthttp", None),
    ("google.golang.org/grpc", None),
    ("github.com/beego/beego", Some(8080)),
    ("github.com/kataras/iris", None),
    ("github.com/caddyserver/caddy", None),
];

/// Flag constructors whose default value is the listen address or port when the flag is named so.
const FLAG_CALLS: &[&str] = &[
    "String",
    "StringVar",
    "StringP",
    "StringVarP",
    "Int",
    "IntVar",
    "IntP",
    "IntVarP",
    "Uint",
    "UintVar",
    "Uint16",
    "Uint16Var",
    "Int64",
    "Int64Var",
    "SetDefault",
];

/// Subcommand names a CLI starts its server with (`app serve`): when the command that defines the listener is
/// one of them, the image starts the program with it instead of printing the root command's help.
const SERVER_COMMANDS: &[&str] = &["serve", "server", "run", "web"];

/// Ports of the databases and brokers programs connect to: a config default with one of these is a client
/// setting, not where the program listens.
const CLIENT_PORTS: &[u16] = &[
    25, 389, 465, 587, 636, 1433, 1521, 2181, 3306, 4222, 5432, 5672, 6379, 9042, 9092, 9200, 11211, 27017,
];

/// What the program's import graph says about listening.
pub(super) struct Listening {
    /// Every port found, in the order found (the main package first), with its evidence.
    pub(super) ports: Vec<Fact>,
    /// A listener call or server framework, when no port literal goes with it.
    pub(super) listener: Option<String>,
    /// Where a port found is bound to a loopback address (`localhost:8080`): unreachable through a published
    /// port, said as a warning.
    pub(super) loopback: Vec<String>,
    /// How the first port can be changed: the PORT variable, a listen flag, or not at all (a literal).
    pub(super) setting: Option<PortSetting>,
    /// How many packages were read.
    pub(super) packages: usize,
    /// The subcommand defined beside the first port or listener call (`Use: "serve"`), with its `file:line`.
    pub(super) server_command: Option<(String, String)>,
    /// The listen variable the program reads (`PORT`, `APP_PORT`, `ADDRESS`) and where: the first file that
    /// reads one, the main package's first.
    pub(super) port_env_read: Option<(String, String)>,
}

/// What the probe reads of one file by itself: its literal constants, the names it uses (that a constant
/// elsewhere in the program could stand for), its hits with nothing folded in, its first listener call and
/// whether it calls `.Run()`. Made once per file while it is lexed whole, however many programs import it;
/// its tokens are not kept.
#[derive(Default)]
pub(crate) struct FileScan {
    constants: Vec<(String, Token<'static>)>,
    /// The names the file uses where a literal can be a port: whether a constant defined elsewhere can change
    /// the file's hits is known without its tokens.
    read_names: ReadNames,
    hits: Vec<PortHit>,
    /// The file's hits with each set of constants folded in so far (their names and values, in name order).
    folds: std::sync::Mutex<Vec<Fold>>,
    listener: Option<String>,
    default_run: bool,
    /// A server subcommand the file defines (cobra's `Use: "serve …"`, kingpin's `Command("serve", …)`,
    /// urfave/cli's `cli.Command{Name: "serve"}`), with its line.
    server_command: Option<(String, usize)>,
    /// The listen variable the file reads (`os.Getenv("PORT")`, `os.Getenv("HTTP_ADDR")`), with or without a
    /// default, and where.
    port_env_read: Option<(String, String)>,
}

/// Per file (package, file) of one program where one of its constants stands: the file's hits with them
/// folded in.
pub(super) type Folded = FxHashMap<FileAt, Hits>;

/// A file of the tree: (package, file).
type FileAt = (usize, usize);
type Hits = Arc<Vec<PortHit>>;
/// A file's hits with a set of constants folded in (their names and values, in name order).
type Fold = (Vec<(String, Token<'static>)>, Hits);
/// A candidate file, the names of the constants that can change its hits, and each program's folded hits.
type Candidate<'t> = (FileAt, Vec<&'t str>, Vec<(usize, Hits)>);

/// What each program's constants change (in the order of `graphs`, each program's packages, whose files
/// `Tree::lex_whole` scanned): every file where one of them stands is folded once per distinct set of the
/// constants that stand in it, whichever tree (set of build tags) asks; a file is lexed again (its tokens were
/// not kept) only for a set not folded before.
pub(super) fn folded(tree: &Tree, graphs: &[Vec<usize>]) -> Vec<Folded> {
    let mut wanted: Vec<usize> = graphs.iter().flatten().copied().collect();
    wanted.sort_unstable();
    wanted.dedup();
    let files = || {
        wanted
            .iter()
            .flat_map(|&package| (0..tree.packages[package].files.len()).map(move |file| (package, file)))
    };
    let mut names: Vec<(&str, u64, &Token)> = files()
        .flat_map(|(package, file)| tree.packages[package].files[file].run_time().ports.constants.iter())
        .map(|(name, value)| (name.as_str(), name_hash(name), value))
        .collect();
    names.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // Each candidate file with the names of the constants that can change its hits, in name order.
    let mut candidates: Vec<Candidate> = files()
        .filter_map(|(package, file)| {
            let read = &tree.packages[package].files[file].run_time().ports.read_names;
            let mut standing: Vec<&str> = names
                .iter()
                .filter(|(_, hash, value)| read.can_change(*hash, value))
                .map(|(name, ..)| *name)
                .collect();
            standing.dedup();
            (!standing.is_empty()).then(|| ((package, file), standing, Vec::new()))
        })
        .collect();
    let constants: Vec<Constants> = graphs.iter().map(|graph| constants(tree, graph)).collect();
    super::super::each_in_parallel(&mut candidates, |((package, file), used, found)| {
        let go_file = &tree.packages[*package].files[*file];
        // Only the programs that compile the file.
        let programs = graphs
            .iter()
            .zip(&constants)
            .enumerate()
            .filter(|(_, (graph, _))| graph.contains(package))
            .map(|(program, (_, constants))| (program, constants));
        *found = fold_file(&go_file.run_time().ports, &go_file.rel, || go_file.text(), used, programs);
    });
    let mut folded = vec![Folded::default(); graphs.len()];
    for (at, _, found) in candidates {
        for (program, hits) in found {
            folded[program].insert(at, hits);
        }
    }
    folded
}

/// One file's hits for each program (index, its constants) where one of the program's constants stands in
/// it (`used`: the names of constants it uses, in order): worked out once per distinct set of standing
/// constants, shared by the programs (and trees) that have the same.
fn fold_file<'c>(
    scan: &FileScan,
    rel: &str,
    text: impl FnOnce() -> Option<Arc<str>>,
    used: &[&str],
    programs: impl Iterator<Item = (usize, &'c Constants<'c>)>,
) -> Vec<(usize, Hits)> {
    let mut text = Some(text);
    let mut made = scan.folds.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let read = std::cell::OnceCell::new();
    let lexed = std::cell::OnceCell::new();
    let mut found = Vec::new();
    for (program, constants) in programs {
        let standing: Vec<(&str, &Token)> = used
            .iter()
            .filter_map(|name| constants.get_key_value(name).map(|(k, v)| (*k, *v)))
            .filter(|(name, value)| scan.read_names.can_change(name_hash(name), value))
            .collect();
        if standing.is_empty() {
            continue;
        }
        let known = made.iter().find(|(known, _)| {
            known.len() == standing.len()
                && known.iter().zip(&standing).all(|((name, value), (n, v))| name == n && value == *v)
        });
        let hits = if let Some((_, hits)) = known {
            Arc::clone(hits)
        } else {
            let Some(source) = read.get_or_init(|| text.take().and_then(|text| text())) else {
                return Vec::new();
            };
            let whole = lexed.get_or_init(|| lex::source(source));
            let hits = Arc::new(port_hits(&fold_constants(&whole.tokens, constants), rel));
            let key = standing
                .iter()
                .map(|(name, value)| ((*name).to_string(), (*value).clone().into_owned()))
                .collect();
            made.push((key, Arc::clone(&hits)));
            hits
        };
        found.push((program, hits));
    }
    found
}

fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher as _;
    rustc_hash::FxBuildHasher.hash_one(name)
}

impl FileScan {
    /// `words`: what the file holds, so that a shape whose every name it lacks is not looked for.
    pub(super) fn of(lexed: &Lexed, rel: &str, words: &Words) -> Self {
        let tokens = &lexed.tokens;
        let mut constants = Vec::new();
        let const_tokens = if words.constant { tokens.as_slice() } else { &[] };
        for (at, (token, _)) in const_tokens.iter().enumerate() {
            if !matches!(token, Token::Ident(word) if word == "const") {
                continue;
            }
            let block = tokens.get(at + 1).map(|t| &t.0) == Some(&Token::Punct('('));
            let specs = if block {
                let end = tokens[at + 1..]
                    .iter()
                    .position(|(t, _)| *t == Token::Punct(')'))
                    .map_or(tokens.len(), |p| at + 1 + p);
                &tokens[at + 2..end]
            } else {
                &tokens[at + 1..tokens.len().min(at + 6)]
            };
            collect_constants(specs, block, &mut constants);
        }
        let read_names = ReadNames::of(tokens);
        let default_run = words.run
            && tokens.windows(4).any(|w| {
            matches!(
                (&w[0].0, &w[1].0, &w[2].0, &w[3].0),
                (Token::Punct('.'), Token::Ident(run), Token::Punct('('), Token::Punct(')')) if run == "Run"
            )
        });
        FileScan {
            constants,
            read_names,
            hits: port_hits(tokens, rel),
            folds: std::sync::Mutex::default(),
            listener: words.listener.then(|| listener_call(lexed, rel)).flatten(),
            default_run,
            server_command: words.command.then(|| server_command(tokens)).flatten(),
            port_env_read: (words.env_lookup || words.listen_variable)
                .then(|| port_env_read(tokens, rel))
                .flatten(),
        }
    }
}

/// Where a file uses names where `port_hits` reads a literal: the hashes of each kind, sorted and each once.
/// A constant used only elsewhere (`i < maxRetries`, `case KindA:`, `Effect: EffectAllow`) cannot change a
/// port, so its file is not folded.
#[derive(Default)]
struct ReadNames {
    /// Where a port number or a string is read: a listen setting's value (`Port: n`, `cfg.Addr = a`,
    /// urfave's `Value:`), a lookup helper's default (`envOr("PORT", n)`), a listen or flag call's arguments.
    literal: Vec<u64>,
    /// Where only a string is read: an argument (a wildcard address passed along, a variable's name, kingpin's
    /// `Default(…)`, urfave's `Name:`) and the window after an environment lookup where its default is looked for.
    string: Vec<u64>,
}

impl ReadNames {
    fn of(tokens: &[(Token, usize)]) -> Self {
        let mut read = ReadNames::default();
        let mut call_until = 0;
        let mut lookup_until = 0;
        for (i, (token, _)) in tokens.iter().enumerate() {
            let Token::Ident(name) = token else { continue };
            let next = tokens.get(i + 1).map(|t| &t.0);
            if next == Some(&Token::Punct('('))
                && (LISTEN_CALLS.contains(&name.as_str()) || FLAG_CALLS.contains(&name.as_str()))
            {
                let close = lex::call_args(tokens, i + 1).close.unwrap_or(tokens.len());
                call_until = call_until.max(close);
            } else if name == "Getenv" || name == "LookupEnv" {
                // `port_hits` looks for the default up to 28 tokens after the lookup.
                lookup_until = lookup_until.max(i + 28);
            }
            if defines_at(tokens, i) {
                continue;
            }
            // `pkg.Name` is read where `pkg` stands.
            let qualified = i >= 2 && tokens[i - 1].0 == Token::Punct('.') && matches!(tokens[i - 2].0, Token::Ident(_));
            let start = if qualified { i - 2 } else { i };
            let back = |n: usize| start.checked_sub(n).map(|at| &tokens[at].0);
            let setting_value = matches!(back(1), Some(Token::Punct(':' | '=')))
                && matches!(back(2), Some(Token::Ident(key)) if is_listen_setting(key) || key == "Value");
            let helper_default = back(1) == Some(&Token::Punct(','))
                && matches!(back(2), Some(Token::Str(_)))
                && back(3) == Some(&Token::Punct('('));
            let argument = matches!(back(1), Some(Token::Punct('(' | ',')))
                || matches!((back(1), back(2)), (Some(Token::Punct(':')), Some(Token::Ident(key))) if key == "Name");
            if i < call_until || setting_value || helper_default {
                read.literal.push(name_hash(name));
            } else if i < lookup_until || argument {
                read.string.push(name_hash(name));
            }
        }
        for hashes in [&mut read.literal, &mut read.string] {
            hashes.sort_unstable();
            hashes.dedup();
        }
        read
    }

    /// Whether a constant of this name and value can change what `port_hits` finds in the file.
    fn can_change(&self, hash: u64, value: &Token) -> bool {
        self.literal.binary_search(&hash).is_ok()
            || (matches!(value, Token::Str(_)) && self.string.binary_search(&hash).is_ok())
    }
}

/// The first listen variable the file reads (`os.Getenv("PORT")`, `os.LookupEnv("APP_ADDR")`) and where.
fn port_env_read(tokens: &[(Token, usize)], rel: &str) -> Option<(String, String)> {
    tokens.iter().enumerate().find_map(|(i, (token, line))| match token {
        // Both shapes are calls.
        Token::Ident(name) if tokens.get(i + 1).is_some_and(|(next, _)| *next == Token::Punct('(')) => listen_env_read(tokens, i, name)
            .or_else(|| env_helper_default(tokens, i, name).map(|(variable, ..)| variable))
            .map(|variable| (variable, format!("{rel}:{line}"))),
        _ => None,
    })
}

/// A lookup helper of the project's own called with a listen variable and its default, `getEnvAsInt("PORT",
/// 5000)` or `envOr("HTTP_ADDR", ":8080")`: the variable, the port, whether the default is an address, its line.
/// Only an upper-case variable name counts (a flag's `String("port", …)` is not one).
fn env_helper_default(tokens: &[(Token, usize)], i: usize, name: &str) -> Option<(String, u16, bool, usize)> {
    let [(Token::Punct('('), _), (Token::Str(variable), _), (Token::Punct(','), _), (default, line), (Token::Punct(')'), _)] =
        tokens.get(i + 1..i + 6)?
    else {
        return None;
    };
    if FLAG_CALLS.contains(&name) || name == "Getenv" || name == "LookupEnv" {
        return None;
    }
    let listens = variable == "PORT" || is_listen_flag_name(&variable.to_ascii_lowercase());
    if !crate::validate::is_upper_env_name(variable) || !listens {
        return None;
    }
    let (port, address) = match default {
        Token::Str(s) => port_of_default(s)
            .map(|p| (p, s.starts_with(':')))
            .or_else(|| port_of_address(s).map(|p| (p, true)))?,
        Token::Number(n) => (n.parse().ok().filter(|p| *p > 0)?, false),
        _ => return None,
    };
    Some((variable.to_string(), port, address, *line))
}

/// The variable of `os.Getenv("X")` / `os.LookupEnv("X")` at `i` when it names where the program listens:
/// `PORT`, or a name like a listen flag's (`APP_PORT`, `HTTP_ADDR`, `ADDRESS`; not `DB_PORT`).
fn listen_env_read(tokens: &[(Token, usize)], i: usize, name: &str) -> Option<String> {
    if name != "Getenv" && name != "LookupEnv" {
        return None;
    }
    let (Some((Token::Punct('('), _)), Some((Token::Str(variable), _)), Some((Token::Punct(')'), _))) =
        (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3))
    else {
        return None;
    };
    let listens = variable == "PORT" || is_listen_flag_name(&variable.to_ascii_lowercase());
    (listens && crate::validate::is_env_name(variable)).then(|| variable.to_string())
}

/// Whether a constant's value can change what the probes find where it is used: a port, an address, a listen
/// flag's name or `PORT`. Folding only those keeps every other file's scan as it is.
fn can_matter(literal: &Token) -> bool {
    match literal {
        Token::Number(n) => n.parse::<u16>().is_ok_and(|p| p > 0),
        Token::Str(s) => {
            s == "PORT" || port_of_address(s).is_some() || port_of_default(s).is_some() || is_listen_flag_name(s)
        }
        _ => false,
    }
}

/// Whether the name at `i` is being defined or called (`name =`, `name(`, `name:`), not used as a value.
fn defines_at(tokens: &[(Token, usize)], i: usize) -> bool {
    matches!(tokens.get(i + 1).map(|t| &t.0), Some(Token::Punct('=' | '(' | ':')))
}

/// `folded`: the program's hits where its constants stand (`folded`).
pub(super) fn listening(tree: &Tree, graph: &[usize], folded: &Folded) -> Listening {
    let mut ports: Vec<Fact> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut listener = None;
    let mut loopback = Vec::new();
    let mut setting = None;
    let mut server_command = None;
    let mut port_env_read = None;
    for &index in graph {
        let package = &tree.packages[index];
        for (file_index, file) in package.files.iter().enumerate() {
            let scanned = &file.run_time().ports;
            if port_env_read.is_none() {
                port_env_read.clone_from(&scanned.port_env_read);
            }
            // Folded where a constant of this program stands in the file; else the file's own hits.
            let hits: &[PortHit] = folded.get(&(index, file_index)).map_or(&scanned.hits, |hits| hits);
            for hit in hits {
                if seen.insert(hit.port) {
                    let on_loopback = &hit.loopback;
                    let first = ports.is_empty();
                    match (&on_loopback, &hit.flag) {
                        // The Dockerfile passes the flag with every interface's address.
                        (Some(_), Some(_)) if first => {}
                        (Some(address), _) => loopback.push(format!(
                            "{}: the program listens on {address}, a loopback address that a published port \
                             cannot reach; make it listen on :{} (every interface) in the container",
                            hit.source, hit.port
                        )),
                        (None, _) => {}
                    }
                    if first {
                        server_command = scanned
                            .server_command
                            .as_ref()
                            .map(|(name, line)| (name.clone(), format!("{}:{line}", file.rel)));
                        setting = Some(match (&hit.flag, &hit.env) {
                            (Some(flag), _) => PortSetting::Flag(ListenFlag {
                                loopback: on_loopback.is_some(),
                                ..flag.clone()
                            }),
                            (None, Some((variable, address))) => PortSetting::Env(variable.clone(), *address),
                            (None, None) => PortSetting::Fixed(hit.source.clone()),
                        });
                    }
                    let note = match &hit.env {
                        Some((variable, _)) => format!("default of the {variable} environment variable"),
                        None => hit.how.to_string(),
                    };
                    ports.push(Fact::new(hit.port, hit.source.clone()).with_note(note));
                }
            }
            if listener.is_none() {
                listener.clone_from(&scanned.listener);
                if listener.is_some() && ports.is_empty() {
                    server_command = scanned
                        .server_command
                        .as_ref()
                        .map(|(name, line)| (name.clone(), format!("{}:{line}", file.rel)));
                }
            }
        }
        for (path, at) in package.imports() {
            let framework = SERVER_FRAMEWORKS.iter().find(|(prefix, _)| is_in_module(path, prefix));
            let Some((name, default)) = framework else { continue };
            let source = at.source();
            if listener.is_none() {
                listener = Some(format!("{source} (imports {name})"));
            }
            if let Some(port) = default {
                if uses_default_run(tree, index) && seen.insert(*port) {
                    ports.push(Fact::new(*port, source.clone()).with_note(format!("{name}'s default port")));
                }
            }
        }
    }
    Listening {
        ports,
        listener,
        loopback,
        setting,
        packages: graph.len(),
        server_command,
        port_env_read,
    }
}

/// The loopback listen address (`localhost:8080`, `127.0.0.1:8080`, `[::1]:8080`) of `port` written on `line`.
fn loopback_address(tokens: &[(Token, usize)], line: usize, port: u16) -> Option<String> {
    tokens.iter().find_map(|(token, at)| match token {
        Token::Str(s) if *at == line => {
            // The address itself, or a struct tag's default (`default:"localhost:8080"`).
            let address = if port_of_address(s) == Some(port) {
                s.to_string()
            } else {
                DEFAULT_TAGS
                    .iter()
                    .find_map(|key| tag_value(s, key))
                    .filter(|value| port_of_address(value) == Some(port))?
            };
            let (host, _) = address.rsplit_once(':')?;
            crate::detect::is_loopback_host(host).then(|| crate::files::excerpt(&address))
        }
        _ => None,
    })
}

/// The server subcommand a file defines: `Use: "serve [flags]"` (cobra), `.Command("serve", …)` (kingpin),
/// `Name: "serve"` in a `cli.Command{…}` (urfave/cli).
fn server_command(tokens: &[(Token, usize)]) -> Option<(String, usize)> {
    let word = |at: usize| match tokens.get(at) {
        Some((Token::Str(s), line)) => s
            .split_whitespace()
            .next()
            .filter(|w| SERVER_COMMANDS.contains(w))
            .map(|w| (w.to_string(), *line)),
        _ => None,
    };
    let ident = |at: usize, name: &str| matches!(tokens.get(at), Some((Token::Ident(i), _)) if i == name);
    let punct = |at: usize, c: char| matches!(tokens.get(at), Some((Token::Punct(p), _)) if *p == c);
    (0..tokens.len()).find_map(|i| {
        if ident(i, "Use") && punct(i + 1, ':') {
            return word(i + 2);
        }
        if punct(i, '.') && ident(i + 1, "Command") && punct(i + 2, '(') {
            return word(i + 3);
        }
        let in_urfave_command = || {
            (i.saturating_sub(12)..i)
                .any(|k| ident(k, "cli") && punct(k + 1, '.') && ident(k + 2, "Command") && punct(k + 3, '{'))
        };
        if ident(i, "Name") && punct(i + 1, ':') && in_urfave_command() {
            return word(i + 2);
        }
        None
    })
}

/// `r.Run()` with no address: the framework's default port.
fn uses_default_run(tree: &Tree, index: usize) -> bool {
    tree.packages[index].files.iter().any(|file| file.run_time().ports.default_run)
}

fn listener_call(lexed: &Lexed, rel: &str) -> Option<String> {
    lexed.tokens.windows(3).find_map(|w| match (&w[0].0, &w[1], &w[2].0) {
        (Token::Punct('.'), (Token::Ident(name), line), Token::Punct('('))
            if LISTENER_CALLS.contains(&name.as_str()) =>
        {
            Some(format!("{rel}:{line} ({name})"))
        }
        _ => None,
    })
}

/// The port facts of a program: `port` (the first found, or none when nothing in its import graph listens)
/// and `extra_ports` (the others).
/// The facts of the program's port; `env_value` gives the value the repository's env files set a variable to.
pub(super) fn port_facts(
    listening: &Listening,
    main_dir: &str,
    env_value: impl Fn(&str) -> Option<(String, String)>,
) -> Vec<(&'static str, Fact)> {
    let mut facts = Vec::new();
    match listening.ports.split_first() {
        Some((first, rest)) => {
            facts.push(("port", first.clone()));
            match &listening.setting {
                Some(PortSetting::Env(name, address)) => {
                    facts.push(("port_env", Fact::new(name.clone(), first.source.clone())));
                    facts.extend(address.then(|| address_form(&first.source)));
                }
                Some(PortSetting::Flag(flag)) => facts.push((
                    "port_flag",
                    Fact::new(
                        json!({
                            "name": flag.name,
                            "address": flag.address,
                            "default": first.value,
                            "loopback": flag.loopback,
                        }),
                        first.source.clone(),
                    )
                    .with_note(if flag.loopback {
                        "its default is a loopback address: passed with every interface's"
                    } else {
                        "passed when the port is another"
                    }),
                )),
                Some(PortSetting::Fixed(at)) => facts.push(("port_fixed", Fact::new(at.clone(), at.clone()))),
                None => {}
            }
            if !rest.is_empty() {
                let values: Vec<serde_json::Value> = rest.iter().map(|f| f.value.clone()).collect();
                let sources: Vec<&str> = rest.iter().map(|f| f.source.as_str()).collect();
                facts.push((
                    "extra_ports",
                    Fact::new(json!(values), sources.join(", ")).with_note("the program listens on these too"),
                ));
            }
        }
        // It listens on whatever a variable says and has no default of its own: the image sets it to its port,
        // the one the repository's env file gives it when it gives one.
        None if listening.listener.is_some() => {
            if let Some((name, read)) = &listening.port_env_read {
                let given = env_value(name).and_then(|(value, at)| {
                    let port = port_of_default(&value).or_else(|| port_of_address(&value))?;
                    Some((port, value.contains(':'), at))
                });
                let address = match &given {
                    Some((port, address, at)) => {
                        facts.push((
                            "port",
                            Fact::new(*port, at.clone())
                                .with_note(format!("{name}'s value there; the program reads it with no default ({read})")),
                        ));
                        *address
                    }
                    None => name.contains("ADDR"),
                };
                facts.push((
                    "port_env",
                    Fact::new(name.clone(), read.clone())
                        .with_note("read with no default in the code: the image sets it to the port it exposes"),
                ));
                facts.extend(address.then(|| address_form(read)));
            }
        }
        None => {
            facts.push((
                "port",
                Fact::new(serde_json::Value::Null, super::package_arg(main_dir)).with_note(format!(
                    "nothing in this program ({} packages with what it imports) listens: no EXPOSE (pass --port N \
                     if it serves)",
                    listening.packages
                )),
            ));
            facts.push(("never_listens", Fact::new(true, super::package_arg(main_dir))));
        }
    }
    facts
}

/// `port_env_address`: the port variable holds an address (`:8080`), which the image writes in that form.
fn address_form(source: &str) -> (&'static str, Fact) {
    (
        "port_env_address",
        Fact::new(true, source).with_note("its value is an address: `:PORT`"),
    )
}

pub(super) struct PortHit {
    pub(super) port: u16,
    pub(super) source: String,
    pub(super) how: &'static str,
    line: usize,
    /// The flag package flag whose default this port is: another port is set by passing it.
    flag: Option<ListenFlag>,
    /// The loopback address the port is written with (`localhost:8080`), which a published port cannot reach.
    loopback: Option<String>,
    /// The variable whose default this port is (`PORT`, `ADDRESS`), and whether its value is an address
    /// (`:3000`) rather than a bare port.
    env: Option<(String, bool)>,
    /// The host the code writes before the variable's bare value (`":" + port`, `"localhost:" + port`): where
    /// it listens once the image sets the variable, whatever its default.
    env_host: Option<String>,
}

/// How a program's port is set from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PortSetting {
    /// A variable, and whether its value is an address (`:3000`).
    Env(String, bool),
    Flag(ListenFlag),
    /// Written in the code (`file:line`): only a code change moves it.
    Fixed(String),
}

/// A command-line flag that sets the listen address (`-addr :8080`) or port (`-port 8080`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ListenFlag {
    pub(super) name: String,
    /// True when its value is an address (`:8080`), false for a bare port number.
    pub(super) address: bool,
    /// True when its default binds a loopback address, which a published port cannot reach.
    pub(super) loopback: bool,
}

/// Literal constants of the program's packages by name (`DefaultListenHTTP = ":80"`, `defaultPort = 8080`),
/// the nearest package's first.
type Constants<'a> = FxHashMap<&'a str, &'a Token<'static>>;

fn constants<'a>(tree: &'a Tree, graph: &[usize]) -> Constants<'a> {
    let mut found = Constants::default();
    for &index in graph {
        for file in &tree.packages[index].files {
            for (name, value) in &file.run_time().ports.constants {
                found.entry(name.as_str()).or_insert(value);
            }
        }
    }
    found
}

/// `Name [Type] = literal` specs (the first one only outside a block), each kept when nothing follows its
/// literal on the line: `computed = base + 1` is not a literal constant. A file's first definition of a
/// name wins, as the first file's does in the program.
fn collect_constants(specs: &[(Token<'_>, usize)], block: bool, found: &mut Vec<(String, Token<'static>)>) {
    for (i, (token, line)) in specs.iter().enumerate() {
        let starts_spec = i == 0 || specs[i - 1].1 < *line || specs[i - 1].0 == Token::Punct(';');
        let Token::Ident(name) = token else { continue };
        if !starts_spec {
            continue;
        }
        // The type, when there is one, sits between the name and `=`.
        let equals = match specs.get(i + 1) {
            Some((Token::Ident(_), _)) => i + 2,
            _ => i + 1,
        };
        if let (Some((Token::Punct('='), _)), Some((literal @ (Token::Str(_) | Token::Number(_)), literal_line))) =
            (specs.get(equals), specs.get(equals + 1))
        {
            let ends = specs
                .get(equals + 2)
                .is_none_or(|(t, next)| next > literal_line || *t == Token::Punct(';'));
            if ends && can_matter(literal) && !found.iter().any(|(known, _)| known == name) {
                found.push((name.to_string(), literal.clone().into_owned()));
            }
        }
        if !block {
            break;
        }
    }
}

/// The tokens with every use of a literal constant (`defaultPort`, `server.DefaultListenHTTP`) replaced by
/// its value, so the probes below see `Value: ":80"` where the code says `Value: server.DefaultListenHTTP`.
fn fold_constants<'a>(tokens: &[(Token<'a>, usize)], constants: &Constants<'_>) -> Vec<(Token<'a>, usize)> {
    let mut out: Vec<(Token, usize)> = Vec::with_capacity(tokens.len());
    for (i, (token, line)) in tokens.iter().enumerate() {
        let Token::Ident(name) = token else {
            out.push((token.clone(), *line));
            continue;
        };
        match constants.get(name.as_str()) {
            Some(value) if !defines_at(tokens, i) => {
                // `pkg.Name`: the qualifier goes with it.
                if out.len() >= 2
                    && out[out.len() - 1].0 == Token::Punct('.')
                    && matches!(out[out.len() - 2].0, Token::Ident(_))
                {
                    out.truncate(out.len() - 2);
                }
                out.push(((*value).clone(), *line));
            }
            _ => out.push((token.clone(), *line)),
        }
    }
    out
}

pub(super) fn port_hits(tokens: &[(Token, usize)], rel: &str) -> Vec<PortHit> {
    let mut hits = Vec::new();
    let hit = |port, line, how| PortHit {
        port,
        source: format!("{rel}:{line}"),
        how,
        line,
        flag: None,
        loopback: None,
        env: None,
        env_host: None,
    };
    for (i, (token, line)) in tokens.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &tokens[p].0);
        let name = match token {
            Token::Str(tag) if is_struct_tag(tag) && tag.contains("efault:\"") => {
                if let Some((port, line, flag)) = struct_tag_default(tokens, i) {
                    hits.push(PortHit {
                        flag,
                        ..hit(port, line, "default in a config struct's tag")
                    });
                }
                continue;
            }
            Token::Str(addr) => {
                // A wildcard listen address passed along (`webflag.AddFlags(app, ":9093")`, `New(":8080")`).
                if matches!(previous, Some(Token::Punct('(' | ','))) {
                    // Unless it is the default an environment lookup on this line was already found with.
                    let found = |port| hits.last().is_some_and(|h: &PortHit| h.line == *line && h.port == port && h.env.is_some());
                    if let Some(port) = port_of_wildcard_address(addr).filter(|p| !found(*p)) {
                        hits.push(hit(port, *line, "listen address literal"));
                    }
                }
                continue;
            }
            Token::Ident(name) => name,
            _ => continue,
        };
        let next = tokens.get(i + 1).map(|t| &t.0);
        // Every shape below is a call, a key or an assignment: most names are none of these.
        if !matches!(next, Some(Token::Punct('(' | ':' | '='))) {
            continue;
        }
        if LISTEN_CALLS.contains(&name.as_str()) && next == Some(&Token::Punct('(')) {
            for (arg, arg_line) in call_arguments(tokens, i + 1) {
                if let Token::Str(addr) = arg {
                    // Wildcard addresses are found on their own above.
                    let port = port_of_address(addr).filter(|_| port_of_wildcard_address(addr).is_none());
                    if let Some(port) = port {
                        hits.push(hit(port, *arg_line, "listen address literal"));
                    }
                }
            }
        } else if let Some(variable) = listen_env_read(tokens, i, name) {
            // `port := os.Getenv("PORT"); if port == "" { port = "8080" }`, `cmp.Or(os.Getenv("ADDRESS"), ":3000")`
            let window: Vec<&(Token, usize)> = tokens.iter().skip(i + 4).take(24).collect();
            // `return ":" + p`: the value is a bare port the code makes an address of.
            let env_host = window.windows(2).find_map(|pair| match (&pair[0].0, &pair[1].0) {
                (Token::Str(s), Token::Punct('+')) => s.strip_suffix(':').map(str::to_string),
                _ => None,
            });
            if let Some((port, address, default_line)) = window.iter().find_map(|(t, l)| match t {
                Token::Str(s) => port_of_default(s)
                    .map(|p| (p, s.starts_with(':'), *l))
                    .or_else(|| port_of_address(s).map(|p| (p, true, *l))),
                _ => None,
            }) {
                // The note names the variable (`listening`).
                hits.push(PortHit {
                    env: Some((variable, address && env_host.is_none())),
                    env_host,
                    ..hit(port, default_line, "default of a listen environment variable")
                });
            }
        } else if let Some((variable, port, address, line)) = env_helper_default(tokens, i, name) {
            // `getEnvAsInt("PORT", 5000)`, `env("APP_ADDR", ":8080")`: the project's own lookup with a default.
            hits.push(PortHit {
                env: Some((variable, address)),
                ..hit(port, line, "default of a listen environment variable")
            });
        } else if FLAG_CALLS.contains(&name.as_str()) && next == Some(&Token::Punct('(')) {
            hits.extend(flag_default_port(tokens, i + 1).map(|(port, l, flag)| PortHit {
                flag: Some(flag),
                ..hit(port, l, "default of a listen flag")
            }));
        } else if name == "Value" && next == Some(&Token::Punct(':')) {
            hits.extend(urfave_default(tokens, i).map(|(port, l)| hit(port, l, "default of a listen flag")));
        } else if name == "Default" && next == Some(&Token::Punct('(')) {
            hits.extend(kingpin_default(tokens, i).map(|(port, l)| hit(port, l, "default of a listen flag")));
        } else if is_setting_assignment(tokens, i, previous) && is_listen_setting(name) {
            // `Addr: ":8080"`, `Port: 80` in a server or config literal, `cfg.Port = 8080` in a defaults function.
            let found = match tokens.get(i + 2) {
                Some((Token::Str(s), line)) => port_of_address(s).or_else(|| port_of_default(s)).map(|p| (p, *line)),
                Some((Token::Number(n), line)) => n.parse().ok().filter(|p| *p > 0).map(|p| (p, *line)),
                _ => None,
            };
            if let Some((port, line)) = found.filter(|(p, _)| !CLIENT_PORTS.contains(p)) {
                hits.push(hit(port, line, "listen address or port setting"));
            }
        }
    }
    for hit in &mut hits {
        hit.loopback = match (&hit.env, &hit.env_host) {
            (Some(_), Some(host)) => crate::detect::is_loopback_host(host).then(|| format!("{host}:{}", hit.port)),
            // The image sets the variable to an address on every interface: the default is only a fallback.
            (Some((_, true)), None) => None,
            _ => loopback_address(tokens, hit.line, hit.port),
        };
    }
    hits
}

/// `Key: value` in a composite literal or `x.Key = value`; never a local (`port := 8080` is often a value
/// the program passes elsewhere).
fn is_setting_assignment(tokens: &[(Token, usize)], i: usize, previous: Option<&Token>) -> bool {
    let next = tokens.get(i + 1).map(|t| &t.0);
    let after = tokens.get(i + 2).map(|t| &t.0);
    match next {
        Some(Token::Punct(':')) => after != Some(&Token::Punct('=')),
        Some(Token::Punct('=')) => previous == Some(&Token::Punct('.')) && after != Some(&Token::Punct('=')),
        _ => false,
    }
}

/// A field or key that holds where the program listens: `Addr`, `ListenAddr`, `HTTPPort`, `Port`; not a
/// client's (`DBPort`, `RedisAddr`, `SMTPPort`).
fn is_listen_setting(name: &str) -> bool {
    [
        "addr",
        "port",
        "listen",
        "listenaddr",
        "listenaddress",
        "listenport",
        "httpport",
        "httpaddr",
        "serverport",
        "serveraddr",
        "bindaddr",
        "bindaddress",
        "webport",
        "webaddr",
    ]
    .iter()
    .any(|setting| setting.eq_ignore_ascii_case(name))
}

/// A `Port int` field tagged `default:"80"` (creasty/defaults, caarlos0/env's `envDefault`, cleanenv's `env-default`): the
/// tag's default when the field before it is a listen setting.
/// Struct-tag keys that hold a field's default.
const DEFAULT_TAGS: &[&str] = &["default", "envDefault", "env-default"];

/// A listen setting's struct tag (`long:"listen" default:"localhost:8080"`): its default port, with the
/// command-line flag go-flags makes of the field (`long`), which sets another.
fn struct_tag_default(tokens: &[(Token, usize)], tag_at: usize) -> Option<(u16, usize, Option<ListenFlag>)> {
    let (Token::Str(tag), line) = &tokens[tag_at] else {
        return None;
    };
    // The field name is the identifier before the type (`Port int`, `Addr *string`).
    let mut field = tokens[tag_at.saturating_sub(4)..tag_at]
        .iter()
        .rev()
        .filter_map(|(t, _)| match t {
            Token::Ident(name) => Some(name.as_str()),
            _ => None,
        });
    if !field.by_ref().take(2).any(is_listen_setting) {
        return None;
    }
    DEFAULT_TAGS.iter().find_map(|key| {
        let value = tag_value(tag, key)?;
        let port = port_of_address(&value).or_else(|| port_of_default(&value))?;
        let flag = tag_value(tag, "long")
            .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .map(|name| ListenFlag {
                name,
                address: value.contains(':'),
                loopback: false,
            });
        Some((port, *line, flag))
    })
}

/// Whether a string may be a struct tag: each value of one is quoted. One byte search, where most strings of a
/// file are not tags and a search for a key's `:"` costs ten times more.
fn is_struct_tag(text: &str) -> bool {
    memchr::memchr(b'"', text.as_bytes()).is_some()
}

/// A value from a Go struct tag (`key:"value" other:"x"`), as reflect.StructTag.Get reads it.
pub(super) fn tag_value(tag: &str, key: &str) -> Option<String> {
    if !is_struct_tag(tag) {
        return None;
    }
    let mut rest = tag.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once(":\"")?;
        let end = after.find('"')?;
        if name.trim() == key {
            return Some(after[..end].to_string());
        }
        rest = after[end + 1..].trim_start();
    }
    None
}

/// kingpin's `Flag("web.listen-address", "...").Default(":9093")`: the default, when the flag's name (in the
/// same chain, a few tokens back) names a listen address or a served port.
fn kingpin_default(tokens: &[(Token, usize)], default_at: usize) -> Option<(u16, usize)> {
    let (Token::Str(value), line) = &tokens.get(default_at + 2)? else {
        return None;
    };
    let port = port_of_address(value).or_else(|| port_of_default(value))?;
    let start = default_at.saturating_sub(40);
    let named = tokens[start..default_at]
        .windows(3)
        .rev()
        .find_map(|w| match (&w[0].0, &w[1].0, &w[2].0) {
            (Token::Ident(f), Token::Punct('('), Token::Str(name)) if f == "Flag" => Some(name.to_ascii_lowercase()),
            _ => None,
        })?;
    is_listen_flag_name(&named).then_some((port, *line))
}

/// urfave/cli's `&cli.StringFlag{Name: "listen-http", Value: ":80"}`: the `Value` when the same literal's
/// `Name` names a listen address or a served port.
fn urfave_default(tokens: &[(Token, usize)], value_at: usize) -> Option<(u16, usize)> {
    let (found, line) = match tokens.get(value_at + 2)? {
        (Token::Str(s), line) => (port_of_address(s).or_else(|| port_of_default(s)), *line),
        (Token::Number(n), line) => (n.parse().ok().filter(|p: &u16| *p > 0), *line),
        _ => return None,
    };
    let port = found?;
    let start = value_at.saturating_sub(30);
    let literal = &tokens[start..value_at];
    // Stay inside the same composite literal: nothing before its own opening brace counts (nested literals
    // such as `Aliases: []string{"l"}` are passed over).
    let mut depth = 0usize;
    let opened = literal
        .iter()
        .rposition(|(t, _)| match t {
            Token::Punct('}') => {
                depth += 1;
                false
            }
            Token::Punct('{') if depth > 0 => {
                depth -= 1;
                false
            }
            Token::Punct('{') => true,
            _ => false,
        })
        .unwrap_or(0);
    let named = literal[opened..]
        .windows(3)
        .find_map(|w| match (&w[0].0, &w[1].0, &w[2].0) {
            (Token::Ident(key), Token::Punct(':'), Token::Str(name)) if key == "Name" => {
                Some(name.to_ascii_lowercase())
            }
            _ => None,
        })?;
    is_listen_flag_name(&named).then_some((port, line))
}

/// The tokens between the parenthesis at `open` and its match.
fn call_arguments<'t, 'a>(tokens: &'t [(Token<'a>, usize)], open: usize) -> impl Iterator<Item = &'t (Token<'a>, usize)> {
    let mut depth = 0usize;
    tokens[open..].iter().take_while(move |(t, _)| {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth > 0
    })
}

/// `flag.Int("port", 8080, ...)`, `flag.StringVar(&addr, "addr", ":8080", ...)`, pflag's
/// `StringVarP(&addr, "listen", "l", ":8080", ...)`, viper's `SetDefault("http.port", 8080)`: the default
/// after a name that names a listen address or a served port.
fn flag_default_port(tokens: &[(Token, usize)], open: usize) -> Option<(u16, usize, ListenFlag)> {
    let mut args = call_arguments(tokens, open).skip(1);
    let named = args.by_ref().find_map(|(t, _)| match t {
        Token::Str(s) => Some(s.to_string()),
        _ => None,
    })?;
    if !is_listen_flag_name(&named.to_ascii_lowercase()) {
        return None;
    }
    let (port, line, address) = args.find_map(|(t, line)| match t {
        Token::Str(s) => port_of_address(s)
            .or_else(|| port_of_default(s))
            .map(|p| (p, *line, s.contains(':'))),
        Token::Number(n) => n.parse().ok().filter(|p| *p > 0).map(|p| (p, *line, false)),
        _ => None,
    })?;
    let flag = ListenFlag {
        name: named,
        address,
        loopback: false,
    };
    Some((port, line, flag))
}


/// The port of an address only a server uses: every interface (`:9093`, `0.0.0.0:80`, `[::]:443`).
fn port_of_wildcard_address(addr: &str) -> Option<u16> {
    let (host, _) = addr.rsplit_once(':')?;
    if !matches!(host, "" | "0.0.0.0" | "[::]") {
        return None;
    }
    port_of_address(addr)
}


#[cfg(test)]
mod tests {
    use super::super::super::lex;
    use super::*;

    fn ports(src: &str) -> Vec<(u16, String)> {
        port_hits(&lex::source(src).tokens, "main.go")
            .into_iter()
            .map(|h| (h.port, h.source))
            .collect()
    }

    #[test]
    fn finds_ports_in_the_usual_places() {
        let cases: &[(&str, u16, usize)] = &[
            ("package main\nfunc main() {\n\thttp.ListenAndServe(\":8080\", nil)\n}", 8080, 3),
            ("package main\nvar s = &http.Server{\n\tAddr: \"0.0.0.0:9000\",\n}", 9000, 3),
            ("package main\nfunc main() { r.Run(\":3000\") }", 3000, 2),
            ("package main\nl, _ := net.Listen(\"tcp\", \"localhost:7000\")", 7000, 2),
            ("package main\nport := os.Getenv(\"PORT\")\nif port == \"\" {\n\tport = \"8081\"\n}", 8081, 4),
            ("package main\naddr := cmp.Or(os.Getenv(\"PORT\"), \"8082\")", 8082, 2),
            ("package main\nc := Config{DBPort: getEnvAsInt(\"DB_PORT\", 5432),\n\tPort: getEnvAsInt(\"PORT\", 5000)}", 5000, 3),
            ("package main\nvar addr = envOr(\"HTTP_ADDR\", \":8086\")", 8086, 2),
            ("package main\nvar p = flag.Int(\"port\", 8083, \"port\")", 8083, 2),
            ("package main\nflag.StringVar(&a, \"listen-addr\", \"localhost:8084\", \"\")", 8084, 2),
            (
                "package main\nvar a = kingpin.Flag(\"web.listen-address\", \"Address to listen on.\").\n\tDefault(\"localhost:9093\").String()",
                9093,
                3,
            ),
            ("package main\nvar c = webflag.AddFlags(kingpin.CommandLine, \":9100\")", 9100, 2),
            ("package main\ncmd.Flags().StringVarP(&addr, \"listen\", \"l\", \"127.0.0.1:8085\", \"\")", 8085, 2),
            ("package main\ncmd.Flags().IntP(\"port\", \"p\", 8086, \"\")", 8086, 2),
            ("package main\ntype Config struct {\n\tPort int `default:\"8087\" env:\"PORT\"`\n}", 8087, 3),
            ("package main\ntype C struct {\n\tListenAddr string `envDefault:\"8088\"`\n}", 8088, 3),
            ("package config\nfunc Defaults() Config {\n\treturn Config{Port: 8089}\n}", 8089, 3),
            ("package config\nfunc set(c *Config) {\n\tc.HTTPPort = 8090\n}", 8090, 3),
            ("package main\nviper.SetDefault(\"server.port\", 8091)", 8091, 2),
            (
                "package main\nvar f = &cli.StringFlag{Name: \"listen-http\", Aliases: []string{\"l\"},\n\tValue: \"localhost:8092\"}",
                8092,
                3,
            ),
        ];
        for (src, port, line) in cases {
            assert_eq!(ports(src), vec![(*port, format!("main.go:{line}"))], "{src}");
        }
    }

    #[test]
    fn ignores_ports_in_comments_urls_clients_locals_and_unrelated_strings() {
        for src in [
            "package main\n// http.ListenAndServe(\":9999\", nil)\nfunc main() {}",
            "package main\nhttp.Get(\"http://example.com:8080/x\")",
            "package main\nvar n = flag.Int(\"workers\", 8, \"\")",
            "package main\nhttp.ListenAndServe(\"localhost:99999\", nil)",
            "package main\nvar db = Config{Host: \"localhost\", Port: 5432}",
            "package main\nvar r = flag.String(\"redis-addr\", \"localhost:6380\", \"\")",
            "package main\ntype C struct {\n\tDBPort int `default:\"5433\"`\n}",
            "package main\nfunc f() { port := 8080; use(port) }",
            "package main\nvar p = kingpin.Flag(\"collector.ntp.server-port\", \"\").Default(\"123\").Int()",
            "package main\nfunc f() { addr = \"0.0.0.0:80\" }",
        ] {
            assert!(ports(src).is_empty(), "{src}: {:?}", ports(src));
        }
    }

    #[test]
    fn named_constants_are_folded_into_their_uses() {
        let src = "package main\nconst (\n\tDefaultListenHTTP = \":80\"\n\tdefaultPort int = 8080\n\tcomputed = base + 1\n)\nvar f = &cli.StringFlag{Name: \"listen-http\", Value: server.DefaultListenHTTP}\nvar p = fs.Int(\"port\", defaultPort, \"\")\n";
        let lexed = lex::source(src);
        let scanned = FileScan::of(&lexed, "main.go", &Words::of(&lexed.tokens));
        let names: Vec<&str> = scanned.constants.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["DefaultListenHTTP", "defaultPort"]);
        // Without its tokens, the file says it uses them.
        for (name, value) in &scanned.constants {
            assert!(scanned.read_names.can_change(name_hash(name), value), "{name}");
        }
        assert!(!scanned.read_names.can_change(name_hash("unusedName"), &Token::Number("80".into())));
        // A constant used where no port is read does not make the file one to fold.
        let retries = "package main\nconst retries = 3\nfunc f() {\n\tfor i := 0; i < retries; i++ {}\n}\n";
        let retries = lex::source(retries);
        let counted = FileScan::of(&retries, "main.go", &Words::of(&retries.tokens));
        assert!(!counted.read_names.can_change(name_hash("retries"), &Token::Number("3".into())));
        let constants: Constants = scanned.constants.iter().map(|(n, v)| (n.as_str(), v)).collect();
        assert_eq!(constants.get("DefaultListenHTTP"), Some(&&Token::Str(":80".into())));
        assert_eq!(constants.get("defaultPort"), Some(&&Token::Number("8080".into())));
        assert!(!constants.contains_key("computed"));
        let folded = fold_constants(&lexed.tokens, &constants);
        let found: Vec<u16> = port_hits(&folded, "main.go").into_iter().map(|h| h.port).collect();
        assert_eq!(found, vec![80, 8080]);
        assert!(scanned.hits.is_empty(), "unfolded, the file has no port");
        // The same for each program that compiles the file, worked out once for programs with the same constants.
        let none = Constants::default();
        let programs = [(0, &constants), (1, &none), (2, &constants)];
        let each = fold_file(&scanned, "main.go", || Some(Arc::from(src)), &names, programs.into_iter());
        assert_eq!(each.iter().map(|(program, _)| *program).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(each[0].1.iter().map(|h| h.port).collect::<Vec<_>>(), [80, 8080]);
        assert!(Arc::ptr_eq(&each[0].1, &each[1].1), "worked out once");
        // Asked again (the tree of another set of tags), the file is not lexed again.
        let again = fold_file(&scanned, "main.go", || None, &names, [(0, &constants)].into_iter());
        assert!(Arc::ptr_eq(&again[0].1, &each[0].1));
    }

    #[test]
    fn only_constants_that_can_change_a_port_are_folded() {
        assert!(can_matter(&Token::Number("8080".into())));
        assert!(can_matter(&Token::Str(":9090".into())));
        assert!(can_matter(&Token::Str("PORT".into())));
        assert!(can_matter(&Token::Str("http-port".into())));
        assert!(!can_matter(&Token::Number("100000".into())));
        assert!(!can_matter(&Token::Str("cerbos.policy.v1".into())));
    }

    #[test]
    fn a_port_variable_read_without_a_default_is_found_where_it_is_read() {
        let read = |src: &str| port_env_read(&lex::source(src).tokens, "main.go");
        let at = |name: &str, source: &str| Some((name.to_string(), source.to_string()));
        assert_eq!(
            read("package main\nfunc main() {\n\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tlog.Fatal(\"$PORT must be set\")\n\t}\n}"),
            at("PORT", "main.go:3")
        );
        assert_eq!(read("package main\nv, ok := os.LookupEnv(\"PORT\")"), at("PORT", "main.go:2"));
        assert_eq!(read("package main\nv := os.Getenv(\"DB_PORT\")"), None);
        assert_eq!(read("package main\nv := os.Getenv(\"REDIS_ADDR\")"), None);
        assert_eq!(read("package main\nv := os.Getenv(\"APP_PORT\")"), at("APP_PORT", "main.go:2"));
        assert_eq!(read("package main\nv := os.Getenv(\"HTTP_ADDR\")"), at("HTTP_ADDR", "main.go:2"));
    }

    #[test]
    fn a_listen_variable_default_is_the_port_in_the_variable_form() {
        let src = "package main\naddr := os.Getenv(\"ADDRESS\")\nif addr == \"\" {\n\taddr = \":3000\"\n}\n";
        let hits = port_hits(&lex::source(src).tokens, "main.go");
        assert_eq!((hits[0].port, hits[0].env.clone()), (3000, Some(("ADDRESS".to_string(), true))));
        let bare = "package main\np := cmp.Or(os.Getenv(\"APP_PORT\"), \"8081\")\n";
        let hits = port_hits(&lex::source(bare).tokens, "main.go");
        assert_eq!((hits[0].port, hits[0].env.clone()), (8081, Some(("APP_PORT".to_string(), false))));
        let client = "package main\nh := os.Getenv(\"DB_ADDR\")\nif h == \"\" {\n\th = \"db:5432\"\n}\n";
        assert!(port_hits(&lex::source(client).tokens, "main.go").is_empty());
        // The code makes the address of a bare port: where it listens once the variable is set is the host in
        // front, not the default's.
        let prefixed = |host: &str| {
            let src = format!("package web\nfunc A() string {{\n\tp := os.Getenv(\"PORT\")\n\tif p != \"\" {{\n\t\treturn \"{host}:\" + p\n\t}}\n\treturn \"localhost:8080\"\n}}\n");
            let hit = port_hits(&lex::source(&src).tokens, "a.go").remove(0);
            (hit.port, hit.env, hit.loopback)
        };
        assert_eq!(prefixed(""), (8080, Some(("PORT".to_string(), false)), None));
        assert_eq!(prefixed("127.0.0.1"), (8080, Some(("PORT".to_string(), false)), Some("127.0.0.1:8080".to_string())));
    }

    #[test]
    fn a_go_flags_tag_is_a_listen_flag_and_its_loopback_default_is_seen() {
        let src = "package main\ntype options struct {\n\tListen string `long:\"listen\" env:\"LISTEN\" default:\"localhost:8080\"`\n}\n";
        let hits = port_hits(&lex::source(src).tokens, "main.go");
        assert_eq!(hits.len(), 1);
        let flag = hits[0].flag.as_ref().expect("the tag's long flag");
        assert_eq!((flag.name.as_str(), flag.address), ("listen", true));
        assert_eq!(hits[0].loopback.as_deref(), Some("localhost:8080"));
        // Without `long` it stays a default that nothing passes.
        let untagged = "package main\ntype c struct {\n\tPort int `default:\"8087\" env:\"PORT\"`\n}\n";
        assert!(port_hits(&lex::source(untagged).tokens, "c.go")[0].flag.is_none());
    }

    #[test]
    fn struct_tags_are_read_like_reflect() {
        assert_eq!(
            tag_value("json:\"port\" default:\"80\"", "default").as_deref(),
            Some("80")
        );
        assert_eq!(tag_value("default:\"80\"", "json"), None);
        assert_eq!(tag_value("broken:\"", "default"), None);
    }

    #[test]
    fn flag_names_tell_served_ports_from_remote_ones() {
        for name in [
            "port",
            "http-port",
            "web.listen-address",
            "listen",
            "bind-addr",
            "metrics.port",
        ] {
            assert!(is_listen_flag_name(name), "{name}");
        }
        for name in [
            "collector.ntp.server-port",
            "db-port",
            "redis.addr",
            "workers",
            "upstream-port",
        ] {
            assert!(!is_listen_flag_name(name), "{name}");
        }
    }
}
