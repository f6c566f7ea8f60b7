//! Where a Node server listens, read from its sources: the port (`listen(3000)`, `listen({ port: 3000 })`,
//! `PORT || 3000`) and the host it binds — a host variable whose default is loopback
//! (`process.env.HOST || 'localhost'`) is set to every interface in the image; a loopback literal, or Fastify's
//! `listen()` without a host (Fastify binds localhost then), is said, since no published port reaches it.

use std::path::Path;

use super::calls::walk_arguments;
use super::config_module::{self, ConfigRead, Resolved};
use super::{read_source, App, Fact, Facts};
use crate::detect::lex::{self, Token};
use crate::detect::{holds, is_loopback_host, services, walk, HOST_VARIABLES};

/// Variables programs read their listen port from, `PORT` first (a database's `DB_PORT` is not one).
const PORT_VARIABLES: &[&str] = &["PORT", "HTTP_PORT", "SERVER_PORT", "APP_PORT", "API_PORT", "LISTEN_PORT", "WEB_PORT"];

/// The sources read for listening (and files without an extension, which node runs as `CommonJS`).
pub(super) const SCANNED: &[&str] = &["js", "mjs", "cjs", "ts", "mts"];

/// What each source file that says something about listening says, with its path relative to the app.
pub(super) type Found = Vec<(Listen, String)>;

/// A port the sources name: a `listen()` literal (the program always listens there) or a port variable's
/// default (the image sets the variable).
#[derive(Debug, PartialEq)]
pub(super) struct PortHit {
    pub(super) port: u16,
    pub(super) line: usize,
    /// The variable it is the default of; None for a literal.
    pub(super) variable: Option<String>,
    /// How a literal is written (`listen() literal`, `listen({ port }) literal`).
    pub(super) literal: &'static str,
}

impl PortHit {
    fn how(&self) -> String {
        match &self.variable {
            Some(name) => format!("default of the {name} environment variable"),
            None => self.literal.into(),
        }
    }
}

/// What one source file says about listening.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Listen {
    /// Ports with their line and how they were found.
    pub(super) ports: Vec<PortHit>,
    /// Variables a listen call takes its port from with no default (`listen(process.env.API_PORT)`), with
    /// their line: the image sets them to the port it exposes.
    pub(super) port_reads: Vec<(String, usize)>,
    /// Host variables with a loopback default, with their line.
    pub(super) host_variables: Vec<(String, usize)>,
    /// Loopback binds nothing in the image can change, with their line and what binds.
    pub(super) loopback: Vec<(usize, String)>,
    /// The variables the file reads (`process.env.DATABASE_URL`), with their line.
    pub(super) env_names: Vec<(String, usize)>,
    /// The health routes the file registers (`app.get('/healthz', …)`), with their line.
    pub(super) health_routes: Vec<(String, usize)>,
    /// Whether the file names anything that serves (`listen`, `createServer`, `serve(`, a `Server(`).
    pub(super) serves: bool,
    /// Listen arguments read from a config module (`listen(CONFIG.app.port)`), resolved with the app's files.
    pub(super) config_reads: Vec<ConfigRead>,
}

/// Texts of a module that may serve: one without any of them listens nowhere. A call, not the word: a bot's
/// "event listener" comment or `setBotListener` serves nothing.
const SERVING_WORDS: &[&str] = &["listen(", "createServer", "serve(", "Server(", "server("];

/// Packages that serve however they are called (`server.start()`, an exported `fetch` handler, a framework's own
/// command): an app depending on one is never taken for one that listens nowhere.
const SERVING_PACKAGES: &[&str] = &[
    "express", "fastify", "koa", "@hapi/hapi", "hapi", "restify", "polka", "micro", "socket.io", "ws", "hono",
    "@hono/node-server", "elysia", "h3", "nitropack", "next", "nuxt", "@nestjs/core", "sails", "@feathersjs/feathers",
    "@strapi/strapi", "loopback", "@loopback/core", "json-server", "http-server", "serve", "connect", "@adonisjs/core",
    "meteor-node-stubs", "@remix-run/serve", "@sveltejs/kit", "astro", "vite",
];

/// Records the port (the start script's, else the one found in the sources — the start entry's own file
/// (`entry`, as the start command names it) decides between several —, else the framework's default) and how
/// the server binds.
///
/// `followed`: what the modules of the server's import graph say, when it was followed to its end (another
/// file's listen call, a deploy recipe's or a script's, is not this server's); else every source is read.
pub(super) fn insert_port(
    facts: &mut Facts,
    app: &App,
    (entry, followed): (Option<&str>, Option<Found>),
    (script_port, default): (Option<Fact>, Option<Fact>),
    warnings: &mut Vec<String>,
) {
    let mut found = followed.unwrap_or_else(|| scan(app, entry, warnings));
    found.extend(from_config_modules(app, &found));
    // Nothing the program runs serves (its import graph, else every source of the app), and no server package
    // or script port says otherwise: it listens nowhere (a chat bot, a worker).
    let never_listens = entry.is_some()
        && script_port.is_none()
        && default.is_none()
        && !SERVING_PACKAGES.iter().any(|name| app.dependency(name).is_some())
        && !found.iter().any(|(listen, _)| listen.serves);
    if never_listens {
        let source = entry.map_or_else(|| app.file("package.json"), |entry| app.file(entry.trim_start_matches("./")));
        facts.insert(
            "port".into(),
            Fact::new(serde_json::Value::Null, source.clone()).with_note(
                "nothing in the program serves (no listen call, no server, no server package): no EXPOSE (pass \
                 --port N if it serves)",
            ),
        );
        facts.insert("never_listens".into(), Fact::new(true, source));
    }
    // A variable the listen call reads with no default: the repository's env file may give its value.
    let read = found.iter().find_map(|(listen, rel)| {
        let (name, line) = listen.port_reads.first()?;
        Some((name.clone(), format!("{}:{line}", app.file(rel))))
    });
    let env_file_port = || {
        let (name, at) = read.as_ref()?;
        let (value, source) = services::committed_env_value(&app.path("."), name)?;
        let port = value.parse::<u16>().ok().filter(|p| *p > 0)?;
        Some(Fact::new(port, source).with_note(format!("{name}'s value there; the program reads it with no default ({at})")))
    };
    let port = script_port
        .or_else(|| source_port(app, &found, entry, warnings))
        .or_else(env_file_port)
        .or(default)
        .filter(|_| !never_listens);
    // How the port can be changed: through the variable it defaults (other than PORT, which the template
    // writes), or not at all when the code writes it (a different --port is then said, init.rs).
    let hit = port.as_ref().and_then(|port| {
        found.iter().find_map(|(listen, rel)| {
            listen
                .ports
                .iter()
                .find(|hit| port.source == format!("{}:{}", app.file(rel), hit.line) && port.value == hit.port)
        })
    });
    match (hit.map(|hit| &hit.variable), port.as_ref()) {
        (Some(Some(name)), Some(port)) if name != "PORT" => {
            facts.insert("port_env".into(), Fact::new(name.clone(), port.source.clone()));
        }
        (Some(None), Some(port)) => {
            facts.insert("port_fixed".into(), Fact::new(port.source.clone(), port.source.clone()));
        }
        // No variable's default nor a literal gave the port (the env file, a framework's usual port, the
        // preset's): the variable the program reads with no default is the one the image sets.
        (None, _) if !never_listens => {
            if let Some((name, at)) = read.filter(|(name, _)| name != "PORT") {
                facts.insert(
                    "port_env".into(),
                    Fact::new(name, at)
                        .with_note("read with no default in the code: the image sets it to the port it exposes"),
                );
            }
        }
        _ => {}
    }
    if let Some(port) = port {
        facts.insert("port".into(), port);
    }
    let mut variables = found
        .iter()
        .flat_map(|(listen, rel)| listen.host_variables.iter().map(move |(name, line)| (name, line, rel)));
    if let Some((name, line, rel)) = variables.next() {
        facts.insert(
            "bind_env".into(),
            Fact::new(name.clone(), format!("{}:{line}", app.file(rel))).with_note(crate::detect::BIND_ENV_NOTE),
        );
    }
    let mut reads: Vec<(String, String)> = Vec::new();
    for (listen, rel) in &found {
        for (name, line) in &listen.env_names {
            if !reads.iter().any(|(known, _)| known == name) {
                reads.push((name.clone(), format!("{}:{line}", app.file(rel))));
            }
        }
    }
    services::env_reads(reads, facts);
    let health = found.iter().find_map(|(listen, rel)| {
        let (path, line) = listen.health_routes.first()?;
        Some((path.clone(), format!("{}:{line}", app.file(rel))))
    });
    services::health_route(health, facts);
    for (listen, rel) in &found {
        for (line, what) in &listen.loopback {
            warnings.push(format!(
                "{}:{line}: {what}, a loopback address that a published port cannot reach; make it listen on \
                 0.0.0.0 (every interface) in the container",
                app.file(rel)
            ));
        }
    }
}

/// What the listen calls' config reads resolve to, as the config files' own findings.
fn from_config_modules(app: &App, found: &Found) -> Found {
    let mut from_config = Found::new();
    for (listen, rel) in found {
        for (resolved, config_rel, line) in config_module::resolve(app, rel, &listen.config_reads) {
            let mut said = Listen::default();
            match resolved {
                Resolved::Port { port, variable } => said.ports.push(PortHit {
                    port,
                    line,
                    variable,
                    literal: "the config value the listen call reads",
                }),
                Resolved::HostVariable(name) => said.host_variables.push((name, line)),
                Resolved::Loopback(what) => said.loopback.push((line, what)),
            }
            from_config.push((said, config_rel));
        }
    }
    from_config
}

/// Whether the app's server is Fastify's (a production dependency, and no Express beside it), whose
/// `listen({ port })` binds localhost unless it is given a host.
pub(super) fn is_fastify_app(app: &App) -> bool {
    let production = |name: &str| app.dependency(name).is_some() && !app.is_dev_only(name);
    production("fastify") && !production("express")
}

/// Every source file of the app and its start entry (not of nested packages: other apps' ports are not this server's) that says
/// something about listening, with its path relative to the app.
fn scan(app: &App, entry: Option<&str>, warnings: &mut Vec<String>) -> Found {
    let root = app.path(".");
    let boundary_root = root.clone();
    let walked = walk::files_with_extensions(&root, SCANNED, move |p| {
        p != boundary_root && p.join("package.json").is_file()
    });
    warnings.extend(walked.cut_warning(&app.file("."), "JavaScript/TypeScript", "pass --port N if the port is wrong"));
    // A start entry without an extension (`node bin/serve`) is JavaScript too.
    let bare_entry = entry
        .map(|e| app.path(e.trim_start_matches("./")))
        .filter(|p| p.extension().is_none() && p.is_file());
    let fastify = is_fastify_app(app);
    // Each file read and scanned on every core, taken in walk order.
    let mut scanned: Vec<(&std::path::Path, Option<(Listen, String)>)> =
        walked.files.iter().chain(bare_entry.as_ref()).map(|path| (path.as_path(), None)).collect();
    crate::detect::each_in_parallel(&mut scanned, |(path, found)| {
        let rel = path
            .strip_prefix(&root)
            .map_or_else(|_| path.display().to_string(), |p| p.to_string_lossy().into_owned());
        if is_test_or_tooling(&rel) {
            return; // a test's server or a script's proxy is not the app's
        }
        let Some(text) = read_source(path) else { return };
        let listen = listen_in_source(&text, fastify);
        *found = (listen != Listen::default()).then_some((listen, rel));
    });
    scanned.into_iter().filter_map(|(_, found)| found).collect()
}

/// The health routes a source registers: a quoted health path as a call's first argument (`app.get('/healthz',
/// …)`, `router.get("/health", …)`, `fastify.route({ url: '/health' })` is not read), with its line.
fn health_routes(text: &str) -> Vec<(String, usize)> {
    if !holds(text, "/health") && !holds(text, "/livez") && !holds(text, "/readyz") && !holds(text, "/ping") {
        return Vec::new();
    }
    // Names assigned a router that is mounted under a prefix elsewhere (`const router = express.Router()`).
    let groups: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("Router("))
        .filter_map(|line| {
            let (left, _) = line.split_once('=')?;
            left.split_whitespace().last().filter(|name| name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
        })
        .collect();
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for (quote, opening) in [('\'', "('/"), ('"', "(\"/"), ('`', "(`/")] {
            let mut rest = line;
            let mut offset = 0;
            while let Some(at) = rest.find(opening) {
                let before = &line[..offset + at];
                let after = &rest[at + 2..];
                let Some(end) = after.find(quote) else { break };
                let route = &after[..end];
                let receiver = before.rsplit_once('.').map(|(r, _)| {
                    r.rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).next().unwrap_or(r)
                });
                let on_group = receiver.is_some_and(|r| groups.contains(&r));
                if crate::knowledge::services::is_health_path(route) && !on_group {
                    found.push((route.to_string(), index + 1));
                }
                offset += at + 2 + end;
                rest = &after[end..];
            }
        }
    }
    found
}

/// The variables a source reads by name (`process.env.NAME`, or `NestJS`'s `configService.get('NAME')`), each
/// once, with its line.
fn env_names(text: &str) -> Vec<(String, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    // One search of the whole text, lines counted between the reads.
    let marker = "process.env.";
    let (mut line, mut counted) = (1, 0);
    for at in memchr::memmem::find_iter(text.as_bytes(), marker) {
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..at]).count();
        counted = at;
        if let Some(name) = super::buildenv::name_at(&text[at + marker.len()..]) {
            found.push((name.to_string(), line));
        }
    }
    if holds(text, "ConfigService") {
        found.extend(config_service_reads(text));
    }
    let mut names: Vec<(String, usize)> = Vec::new();
    for (name, line) in found {
        if !names.iter().any(|(known, _)| *known == name) {
            names.push((name, line));
        }
    }
    names
}

/// Names `NestJS`'s `ConfigService` reads from the environment: `config.get('DB_HOST')`, `getOrThrow<string>(
/// 'REDIS_URL')` — a literal in the shape of a variable's name (upper case, digits, `_`), not a dotted path of a
/// registered config (`app.port`).
fn config_service_reads(text: &str) -> Vec<(String, usize)> {
    let tokens = lex::javascript(text).tokens;
    let mut found = Vec::new();
    for (i, (token, _)) in tokens.iter().enumerate() {
        let Token::Ident(method) = token else { continue };
        if !(method == "get" || method == "getOrThrow") || i == 0 || tokens[i - 1].0 != Token::Punct('.') {
            continue;
        }
        let mut k = i + 1;
        // A type argument: `get<string>(`, `get<number>(`.
        if matches!(tokens.get(k), Some((Token::Punct('<'), _))) {
            while k < tokens.len() && k < i + 8 && tokens[k].0 != Token::Punct('>') {
                k += 1;
            }
            k += 1;
        }
        let (Some((Token::Punct('('), _)), Some((Token::Str(name), line))) = (tokens.get(k), tokens.get(k + 1)) else {
            continue;
        };
        let variable_like = name.len() > 1 && crate::validate::is_upper_env_name(name);
        if variable_like {
            found.push((name.to_string(), *line));
        }
    }
    found
}

/// Tests, their helpers and tooling (folders of knowledge/node/runtime.toml's `not_runtime`, `*.test.*` and
/// `*.spec.*` files), whose servers are never the app's.
pub(super) fn is_test_or_tooling(rel: &str) -> bool {
    let not_runtime = &crate::knowledge::node::runtime().files.not_runtime;
    let (folders, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    folders.split('/').any(|f| not_runtime.iter().any(|n| n == f))
        || name.split('.').any(|part| part == "test" || part == "spec")
}

/// The port the sources listen on: the only one found, else the one in the start entry's own file.
fn source_port(app: &App, found: &[(Listen, String)], entry: Option<&str>, warnings: &mut Vec<String>) -> Option<Fact> {
    let hits: Vec<(Fact, &str)> = found
        .iter()
        .flat_map(|(listen, rel)| {
            listen.ports.iter().map(move |hit| {
                (
                    Fact::new(hit.port, format!("{}:{}", app.file(rel), hit.line)).with_note(hit.how()),
                    rel.as_str(),
                )
            })
        })
        .collect();
    let first = hits.first()?.0.clone();
    if hits.iter().all(|(h, _)| h.value == first.value) {
        return Some(first);
    }
    let entry_stem = entry.and_then(|e| Path::new(e).file_stem().map(|s| s.to_string_lossy().into_owned()));
    let in_entry: Vec<&Fact> = hits
        .iter()
        .filter(|(_, rel)| {
            entry_stem
                .as_deref()
                .is_some_and(|stem| Path::new(rel).file_stem().is_some_and(|s| s == stem))
        })
        .map(|(f, _)| f)
        .collect();
    if let Some(first) = in_entry.first().filter(|f| in_entry.iter().all(|h| h.value == f.value)) {
        return Some((*first).clone());
    }
    warnings.push(format!(
        "several ports in the sources ({}): pass --port",
        hits.iter()
            .map(|(h, _)| format!("{} at {}", h.value, h.source))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    None
}

/// The line of the first method call `.listen(` in a JavaScript source (`app.listen(3000)`,
/// `server.listen({ port })`), if any.
pub(super) fn listen_call_line(text: &str) -> Option<usize> {
    if !holds(text, "listen") {
        return None;
    }
    let tokens = lex::javascript(text).tokens;
    tokens.windows(3).find_map(|w| match (&w[0].0, &w[1].0, &w[2].0) {
        (Token::Punct('.'), Token::Ident(name), Token::Punct('(')) if name == "listen" => Some(w[1].1),
        _ => None,
    })
}

/// Port, host variables and loopback binds in JS/TS source.
pub(super) fn listen_in_source(text: &str, fastify_app: bool) -> Listen {
    let mut found = Listen {
        env_names: env_names(text),
        health_routes: health_routes(text),
        serves: SERVING_WORDS.iter().any(|word| holds(text, word)),
        ..Listen::default()
    };
    // Every probe starts at one of these names: a file without any is not lexed.
    if !["listen", "PORT", "HOST", "ADDR", "BIND", "serve("].iter().any(|n| holds(text, n)) {
        return found;
    }
    let tokens = lex::javascript(text).tokens;
    // The Fastify instance is often made in another module (`const app = build()`): the app's dependency says.
    let fastify = fastify_app || holds(text, "fastify");
    let assigned = port_assignments(&tokens);
    for (i, (token, _)) in tokens.iter().enumerate() {
        let Token::Ident(name) = token else { continue };
        if name == "listen" && matches!(tokens.get(i + 1), Some((Token::Punct('('), _))) {
            let window: Vec<&Token> = tokens.iter().skip(i + 1).take(8).map(|(t, _)| t).collect();
            let line_of = |k: usize| tokens.get(i + 1 + k).map_or(0, |(_, l)| *l);
            if let Some(port) = window.get(1).and_then(|t| port_number(t)) {
                found.ports.push(PortHit {
                    port,
                    line: line_of(1),
                    variable: None,
                    literal: "listen() literal",
                });
            }
            port_argument(&tokens, i + 2, &assigned, &mut found);
            port_option(&tokens, i + 1, &assigned, "listen({ port }) literal", &mut found);
            found.loopback.extend(listen_host(&tokens, i + 1, fastify, "host"));
            found.config_reads.extend(config_module::reads_at_listen(&tokens, i + 1));
        } else if name == "serve"
            && i >= 2
            && matches!(&tokens[i - 2].0, Token::Ident(bun) if bun == "Bun")
            && tokens[i - 1].0 == Token::Punct('.')
            && matches!(tokens.get(i + 1), Some((Token::Punct('('), _)))
        {
            // `Bun.serve({ port, hostname: '127.0.0.1', … })`: bun's own server binds what they say.
            let reads = found.port_reads.len();
            let given = port_option(&tokens, i + 1, &assigned, "Bun.serve({ port }) literal", &mut found);
            if !given || found.port_reads.len() > reads {
                // No port, or one read with no default: bun then reads PORT itself, else serves on 3000.
                found.ports.push(PortHit {
                    port: 3000,
                    line: tokens[i].1,
                    variable: Some("PORT".into()),
                    literal: "",
                });
            }
            found.loopback.extend(listen_host(&tokens, i + 1, false, "hostname"));
        } else if name == "serve" && matches!(tokens.get(i + 1), Some((Token::Punct('('), _))) {
            // `serve({ fetch: app.fetch, port })` (@hono/node-server, Deno.serve): the port its options give.
            port_option(&tokens, i + 1, &assigned, "serve({ port }) literal", &mut found);
        } else if let Some((port, line)) = PORT_VARIABLES
            .contains(&name.as_str())
            .then(|| schema_default(&tokens, i))
            .flatten()
        {
            found.ports.push(PortHit {
                port,
                line,
                variable: Some(name.to_string()),
                literal: "",
            });
        } else if PORT_VARIABLES.contains(&name.as_str()) || HOST_VARIABLES.contains(&name.as_str()) {
            let Some((op, k)) = default_operator(&tokens, i + 1).or_else(|| last_in_list(&tokens, i + 1)) else {
                continue;
            };
            let default = tokens.get(k).map(|(t, _)| t);
            let line = tokens.get(k).map_or(0, |(_, l)| *l);
            if PORT_VARIABLES.contains(&name.as_str()) && op {
                if let Some(port) = default.and_then(port_number) {
                    found.ports.push(PortHit {
                        port,
                        line,
                        variable: Some(name.to_string()),
                        literal: "",
                    });
                }
            } else if HOST_VARIABLES.contains(&name.as_str())
                && default.is_some_and(|t| matches!(t, Token::Str(s) if is_loopback_host(s)))
            {
                found.host_variables.push((name.to_string(), line));
            }
        }
    }
    found
}

/// The `port` option of the object a call at `open` (its parenthesis) is given: `listen({ port: 3000 })`,
/// `Bun.serve({ port: process.env.PORT })`. Whether the object gives one.
fn port_option(
    tokens: &[(Token, usize)],
    open: usize,
    assigned: &[Assigned],
    literal: &'static str,
    found: &mut Listen,
) -> bool {
    let Some(key) = option_key(tokens, open, "port") else {
        return false;
    };
    match tokens.get(key + 1).map(|(t, _)| t) {
        // `{ port: 3000 }`, `{ port: process.env.PORT || 3000 }`
        Some(Token::Punct(':')) => {
            if let Some((port, line)) = tokens.get(key + 2).and_then(|(t, line)| Some((port_number(t)?, *line))) {
                found.ports.push(PortHit {
                    port,
                    line,
                    variable: None,
                    literal,
                });
            }
            port_argument(tokens, key + 2, assigned, found);
        }
        // `{ port, fetch }`: the variable of that name.
        _ => port_argument(tokens, key, assigned, found),
    }
    true
}

/// Where the options object a call at `open` is given first names `key` among its own properties (`key:` or the
/// shorthand `key,`), not inside a nested object, call or function.
fn option_key(tokens: &[(Token, usize)], open: usize, key: &str) -> Option<usize> {
    let mut found = None;
    walk_arguments(tokens, open, |k, at| {
        let property = at.options
            && at.depth == 2
            && at.argument == 0
            && matches!(&tokens[k].0, Token::Ident(name) if name == key)
            && matches!(tokens.get(k - 1), Some((Token::Punct('{' | ','), _)))
            && matches!(tokens.get(k + 1), Some((Token::Punct(':' | ',' | '}'), _)));
        if property {
            found = Some(k);
        }
        found.is_none()
    });
    found
}

/// What a listen call's port argument at `at` says: a name assigned above (`listen(port`: its default, or the
/// variable it is read from with none), or an environment read in place (`listen(process.env.X || 3000`), with
/// its default if any.
fn port_argument(tokens: &[(Token, usize)], at: usize, assigned: &[Assigned], found: &mut Listen) {
    if let Some((Token::Ident(ident), _)) = tokens.get(at) {
        if let Some(named) = assigned.iter().find(|named| named.name == *ident) {
            match (named.port, &named.variable) {
                (Some(port), variable) => found.ports.push(PortHit {
                    port,
                    line: named.line,
                    variable: variable.clone(),
                    literal: if variable.is_some() { "" } else { "listen() constant" },
                }),
                (None, Some(variable)) => found.port_reads.push((variable.clone(), named.line)),
                (None, None) => {}
            }
        }
    }
    let Some((variable, k)) = env_read(tokens, at) else { return };
    match default_operator(tokens, k + 1) {
        Some((_, d)) => {
            let default = tokens.get(d).and_then(|(t, line)| Some((port_number(t)?, *line)));
            // A conventional port variable's default is read where the variable is met.
            if let Some((port, line)) = default.filter(|_| !PORT_VARIABLES.contains(&variable.as_str())) {
                found.ports.push(PortHit {
                    port,
                    line,
                    variable: Some(variable),
                    literal: "",
                });
            }
        }
        None => found.port_reads.push((variable, tokens[k].1)),
    }
}

/// A port written as a number or a string of one.
fn port_number(t: &Token) -> Option<u16> {
    match t {
        Token::Number(n) | Token::Str(n) => n.parse::<u16>().ok().filter(|p| *p > 0),
        _ => None,
    }
}

/// The default an environment schema gives the variable whose key is at `i`: zod's `PORT:
/// z.coerce.number().default(3010)`, envalid's `PORT: port({ default: 3000 })`; the port and its line. Read within
/// the key's own value (to the `,` or `}` that ends it, a bounded number of tokens).
fn schema_default(tokens: &[(Token, usize)], i: usize) -> Option<(u16, usize)> {
    if tokens.get(i + 1).map(|(t, _)| t) != Some(&Token::Punct(':')) {
        return None;
    }
    let mut depth = 0usize;
    for k in i + 2..tokens.len().min(i + 48) {
        match &tokens[k].0 {
            Token::Punct('(' | '{' | '[') => depth += 1,
            // The key's value ends: its own closing bracket, or the comma before the next key.
            Token::Punct(')' | '}' | ']' | ',') if depth == 0 => return None,
            Token::Punct(')' | '}' | ']') => depth -= 1,
            Token::Ident(word) if word == "default" => {
                let after = tokens.get(k + 1).map(|(t, _)| t);
                if matches!(after, Some(Token::Punct('(' | ':'))) {
                    if let Some((Token::Number(value), line)) = tokens.get(k + 2) {
                        return value.parse::<u16>().ok().filter(|p| *p > 0).map(|port| (port, *line));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// A name assigned a port or the variable that holds one; whether it is the listen port is for the `listen(`
/// that takes the name to say.
struct Assigned {
    name: String,
    /// The environment variable it is read from; None for a number alone.
    variable: Option<String>,
    /// The variable's numeric default, or the number; None for a variable read with no default.
    port: Option<u16>,
    line: usize,
}

/// Names assigned from an environment variable of any name with a numeric default (`const PORT =
/// process.env.NODE_DOCKER_PORT || 8080`, `Number(process.env.X) ?? 80`), with none (`const port =
/// process.env.API_PORT;`), or a number alone (`const PORT = 8080;`).
fn port_assignments(tokens: &[(Token, usize)]) -> Vec<Assigned> {
    let mut assigned = Vec::new();
    for (i, (token, _)) in tokens.iter().enumerate() {
        let Token::Ident(variable) = token else { continue };
        if let Some(constant) = literal_constant(tokens, i) {
            assigned.push(constant);
            continue;
        }
        let Some(start) = i.checked_sub(4) else { continue };
        let env_read = matches!(
            &tokens[start..i],
            [(Token::Ident(process), _), (Token::Punct('.'), _), (Token::Ident(env), _), (Token::Punct('.'), _)]
                if process == "process" && env == "env"
        );
        if !env_read {
            continue;
        }
        let default = match default_operator(tokens, i + 1) {
            // A conventional port variable's default is read where the variable is met.
            Some(_) if PORT_VARIABLES.contains(&variable.as_str()) => continue,
            Some((_, k)) => match tokens.get(k) {
                Some((Token::Number(default), line)) => match default.parse::<u16>().ok().filter(|p| *p > 0) {
                    Some(port) => Some((port, *line)),
                    None => continue,
                },
                _ => continue,
            },
            // No default: only where the statement ends with the read (not `process.env.X + 1`).
            None if statement_ends(tokens, i + 1, tokens[i].1) => None,
            None => continue,
        };
        // Back past `Number(` / `parseInt(` to the `=` and the name before it.
        let mut j = start;
        while j > 0
            && match &tokens[j - 1].0 {
                Token::Punct('(') => true,
                Token::Ident(call) => call == "Number" || call == "parseInt",
                _ => false,
            }
        {
            j -= 1;
        }
        if let (Some(Token::Punct('=')), Some(Token::Ident(name))) =
            (j.checked_sub(1).map(|e| &tokens[e].0), j.checked_sub(2).map(|n| &tokens[n].0))
        {
            assigned.push(Assigned {
                name: name.to_string(),
                variable: Some(variable.to_string()),
                port: default.map(|(port, _)| port),
                line: default.map_or(tokens[i].1, |(_, line)| line),
            });
        }
    }
    assigned
}

/// Whether a statement ends at `at` (past closing parentheses): a `;`, the end of the file, or a token on a
/// later line than `line`.
fn statement_ends(tokens: &[(Token, usize)], at: usize, line: usize) -> bool {
    let mut k = at;
    while matches!(tokens.get(k), Some((Token::Punct(')'), _))) {
        k += 1;
    }
    match tokens.get(k) {
        None | Some((Token::Punct(';'), _)) => true,
        Some((_, next_line)) => *next_line > line,
    }
}

/// An environment read at `at`, past `Number(` / `parseInt(` / `+`: `process.env.NAME` or
/// `process.env['NAME']`; the name and the index of its token.
fn env_read(tokens: &[(Token, usize)], at: usize) -> Option<(String, usize)> {
    let mut k = at;
    while match tokens.get(k).map(|(t, _)| t) {
        Some(Token::Punct('(' | '+')) => true,
        Some(Token::Ident(call)) => call == "Number" || call == "parseInt",
        _ => false,
    } {
        k += 1;
    }
    let is = |k: usize, word: &str| matches!(tokens.get(k), Some((Token::Ident(w), _)) if w == word);
    if !(is(k, "process") && matches!(tokens.get(k + 1), Some((Token::Punct('.'), _))) && is(k + 2, "env")) {
        return None;
    }
    match (tokens.get(k + 3).map(|(t, _)| t), tokens.get(k + 4).map(|(t, _)| t), tokens.get(k + 5).map(|(t, _)| t)) {
        (Some(Token::Punct('.')), Some(Token::Ident(name)), _) => Some((name.to_string(), k + 4)),
        (Some(Token::Punct('[')), Some(Token::Str(name)), Some(Token::Punct(']'))) => Some((name.to_string(), k + 5)),
        _ => None,
    }
    .filter(|(name, _)| crate::validate::is_env_name(name))
}

/// `const PORT = 8080;` at `at` (the declaring keyword): the name and the number, when the statement ends
/// there (a `;`, the end of the line or of the file), so `const PORT = 8080 + offset` is not one. A number
/// first in `||` or `??` is the value too (`const PORT = 5000 || process.env.PORT`: a port is never falsy, so
/// the variable after it is never read).
fn literal_constant(tokens: &[(Token, usize)], at: usize) -> Option<Assigned> {
    let declares = matches!(&tokens[at].0, Token::Ident(keyword) if matches!(keyword.as_str(), "const" | "let" | "var"));
    if !declares {
        return None;
    }
    // (`const PORT = 8007` or `const PORT = '8007'`: node's listen takes a string of digits as well.)
    let (Some((Token::Ident(name), _)), Some((Token::Punct('='), _)), Some((value @ (Token::Number(_) | Token::Str(_)), line))) =
        (tokens.get(at + 1), tokens.get(at + 2), tokens.get(at + 3))
    else {
        return None;
    };
    let ends = match tokens.get(at + 4) {
        None | Some((Token::Punct(';'), _)) => true,
        Some((_, next_line)) => next_line > line || default_operator(tokens, at + 4).is_some(),
    };
    let port = port_number(value)?;
    ends.then(|| Assigned {
        name: name.to_string(),
        variable: None,
        port: Some(port),
        line: *line,
    })
}

/// After a variable at `at` (past closing parentheses: `Number(process.env.PORT) || 3000`): whether `||`
/// or `??` follows, and the index of the default's first token.
fn default_operator(tokens: &[(Token, usize)], at: usize) -> Option<(bool, usize)> {
    let mut k = at;
    while matches!(tokens.get(k), Some((Token::Punct(')'), _))) {
        k += 1;
    }
    match (tokens.get(k).map(|t| &t.0), tokens.get(k + 1).map(|t| &t.0)) {
        (Some(Token::Punct('|')), Some(Token::Punct('|'))) | (Some(Token::Punct('?')), Some(Token::Punct('?'))) => {
            Some((true, k + 2))
        }
        _ => None,
    }
}

/// After a variable at `at` inside a list of candidates whose first usable one wins (`[args.port,
/// process.env.PORT, 3001].find(…)`): the index of the list's last element, the fallback, when a literal
/// closes the list.
fn last_in_list(tokens: &[(Token, usize)], at: usize) -> Option<(bool, usize)> {
    if !matches!(tokens.get(at), Some((Token::Punct(','), _))) {
        return None;
    }
    let mut depth = 0usize;
    for k in at..tokens.len().min(at + 64) {
        match &tokens[k].0 {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(']') if depth == 0 => {
                let last = k.checked_sub(1)?;
                let literal = matches!(tokens[last].0, Token::Number(_) | Token::Str(_));
                return (literal && tokens[last - 1].0 == Token::Punct(',')).then_some((true, last));
            }
            Token::Punct(')' | ']' | '}') if depth > 0 => depth -= 1,
            Token::Punct(')' | '}' | ';') => return None,
            _ => {}
        }
    }
    None
}

/// The loopback host a `listen(` call at `open` binds: its second argument (`listen(3000, 'localhost')`) or
/// its options' `host_key` (`listen({ port, host: '127.0.0.1' })`, `Bun.serve({ hostname })`); for Fastify,
/// options without a host.
fn listen_host(tokens: &[(Token, usize)], open: usize, fastify: bool, host_key: &str) -> Option<(usize, String)> {
    let mut options = false;
    let mut has_host = false;
    let mut loopback = None;
    walk_arguments(tokens, open, |k, at| {
        options = at.options;
        match &tokens[k] {
            (Token::Ident(key), _) if at.options && at.depth == 2 && key == host_key => {
                has_host = true;
                if let (Some((Token::Punct(':'), _)), Some((Token::Str(s), line))) = (tokens.get(k + 1), tokens.get(k + 2)) {
                    if is_loopback_host(s) {
                        loopback = Some((*line, format!("the server binds {host_key} '{s}'")));
                    }
                }
            }
            (Token::Str(s), line) if at.depth == 1 && at.argument == 1 && is_loopback_host(s) => {
                loopback = Some((*line, format!("listen() binds host '{s}'")));
            }
            _ => {}
        }
        loopback.is_none()
    });
    loopback.or_else(|| {
        (fastify && options && !has_host).then(|| {
            let line = tokens.get(open).map_or(0, |(_, l)| *l);
            (line, "Fastify's listen() without a host binds localhost".to_string())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_in_js() {
        let src = "const port = process.env.PORT || 3001;\napp.listen(port);\nserver.listen({ port: 4000, host })\n";
        let ports: Vec<u16> = listen_in_source(src, false).ports.into_iter().map(|hit| hit.port).collect();
        assert_eq!(ports, vec![3001, 4000]);
        assert_eq!(listen_in_source("app.listen('8080')", false).ports[0].port, 8080);
        let listed = "const port = [args.port, process.env.APP_PORT, process.env.PORT, 3001]\n  .find((p) => p);\n";
        assert_eq!(listen_in_source(listed, false).ports[0].port, 3001);
        assert!(listen_in_source("f(process.env.PORT, 3001)", false).ports.is_empty());
        assert!(listen_in_source("[process.env.PORT, 3001, other]", false).ports.is_empty());
        let api = listen_in_source("const port = Number(process.env.API_PORT) || 5050\nconst db = process.env.DB_PORT || 5432\n", false);
        assert_eq!(
            api.ports,
            vec![PortHit {
                port: 5050,
                line: 1,
                variable: Some("API_PORT".into()),
                literal: ""
            }]
        );
    }

    #[test]
    fn an_env_schema_default() {
        let zod = "const schema = z.object({\n  PORT: z.coerce.number().int().positive().default(3010),\n  HOST: z.string().default('0.0.0.0'),\n  DB_PORT: z.coerce.number().default(5432),\n})\n";
        let hits = listen_in_source(zod, false).ports;
        assert_eq!(
            hits,
            vec![PortHit {
                port: 3010,
                line: 2,
                variable: Some("PORT".into()),
                literal: ""
            }]
        );
        let envalid = "cleanEnv(process.env, { PORT: port({ default: 3000 }), NODE_ENV: str() })";
        assert_eq!(listen_in_source(envalid, false).ports[0].port, 3000);
        // A default of another key of the same object is not this one's.
        assert!(listen_in_source("z.object({ PORT: z.coerce.number(), TIMEOUT: z.number().default(30) })", false)
            .ports
            .is_empty());
    }

    #[test]
    fn a_name_assigned_from_any_variable_with_a_default_and_passed_to_listen() {
        let src = "const PORT = process.env.NODE_DOCKER_PORT || 8080;\nconst db = Number(process.env.DB_PORT) || 3306;\napp.listen(PORT, () => {});\n";
        let hit = PortHit {
            port: 8080,
            line: 1,
            variable: Some("NODE_DOCKER_PORT".into()),
            literal: "",
        };
        assert_eq!(listen_in_source(src, false).ports, [hit]);
        let options = "const port = parseInt(process.env.WEB_LISTEN_PORT) ?? 5000\nserver.listen({ port: port })\n";
        assert_eq!(listen_in_source(options, false).ports[0].variable.as_deref(), Some("WEB_LISTEN_PORT"));
        // A name that never reaches listen() is not the port; nor a comparison.
        assert!(listen_in_source("const db = process.env.DB_PORT || 3306\napp.listen(3000)\n", false).ports.iter().all(|p| p.port == 3000));
        assert!(listen_in_source("if (a == process.env.X || 80) {}\napp.listen(a)\n", false).ports.is_empty());
    }

    #[test]
    fn a_variable_read_with_no_default_is_the_port_variable() {
        let reads = |src: &str| listen_in_source(src, false).port_reads;
        assert_eq!(reads("app.listen(process.env.API_PORT, () => {})\n"), [("API_PORT".to_string(), 1)]);
        assert_eq!(reads("server.listen({ port: Number(process.env['WEB_PORT']) })"), [("WEB_PORT".to_string(), 1)]);
        assert_eq!(reads("const port = process.env.APP_PORT;\nhttp.createServer(h).listen(port)\n"), [("APP_PORT".to_string(), 1)]);
        // Read with a default, or assigned more than the read: not a read with no default.
        assert!(reads("app.listen(process.env.API_PORT || 3000)").is_empty());
        assert!(reads("const port = process.env.OFFSET + 1\napp.listen(port)\n").is_empty());
        // Any variable's numeric default inside the call is the port, with the variable that changes it.
        let hit = &listen_in_source("app.listen(process.env.NODE_PORT ?? 4100)", false).ports[0];
        assert_eq!((hit.port, hit.variable.as_deref()), (4100, Some("NODE_PORT")));
    }

    #[test]
    fn health_routes_only_where_no_prefix_can_hide() {
        assert_eq!(health_routes("app.get('/healthz', ok)\n"), [("/healthz".to_string(), 1)]);
        // Mounted somewhere as `app.use('/api', router)`: the full path is not in this file.
        let router = "const router = express.Router();\nrouter.get('/health', ok)\napp.get('/livez', ok)\n";
        assert_eq!(health_routes(router), [("/livez".to_string(), 3)]);
    }

    #[test]
    fn nest_config_service_reads_are_variables() {
        let src = "import { ConfigService } from '@nestjs/config';\nhost: configService.get('POSTGRES_HOST'),\n\
                   port: config.getOrThrow<number>('POSTGRES_PORT'),\nname: configService.get('app.name'),\n\
                   // Any upper-case literal .get in a file that uses ConfigService counts (a Map's key too: harmless).\n\
                   cache.get('CACHE_KEY'),\n";
        let names: Vec<String> = env_names(src).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["POSTGRES_HOST", "POSTGRES_PORT", "CACHE_KEY"]);
        assert!(env_names("cache.get('KEY')\n").is_empty());
    }

    #[test]
    fn host_variables_with_a_loopback_default_and_loopback_binds() {
        let found = listen_in_source(
            "const host = process.env.HOST || 'localhost';\nconst db = process.env.DB_HOST || 'localhost';\n\
             app.listen(port, host);\nother.listen(3001, '127.0.0.1', () => {});\n\
             srv.listen({ port: 4000, host: '::1' });\n",
            false,
        );
        assert_eq!(found.host_variables, vec![("HOST".to_string(), 1)]);
        let lines: Vec<usize> = found.loopback.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![4, 5]);
        assert!(listen_in_source("app.listen(3000, '0.0.0.0')", false).loopback.is_empty());
        let bun = listen_in_source("Bun.serve({\n  port: 3000,\n  hostname: '127.0.0.1',\n  fetch: app.fetch,\n});\n", false);
        assert_eq!(bun.loopback, vec![(3, "the server binds hostname '127.0.0.1'".to_string())]);
        assert!(listen_in_source("Bun.serve({ port: 3000, hostname: '0.0.0.0', fetch })", false).loopback.is_empty());
        let port_of = |src: &str| listen_in_source(src, false).ports.iter().map(|hit| (hit.port, hit.variable.clone())).collect::<Vec<_>>();
        assert_eq!(port_of("Bun.serve({ port: 8081, fetch })"), [(8081, None)]);
        assert_eq!(port_of("Bun.serve({\n  port: process.env.PORT,\n  fetch })"), [(3000, Some("PORT".into()))]);
        assert_eq!(port_of("Bun.serve({ fetch })"), [(3000, Some("PORT".into()))]);
        assert_eq!(port_of("Bun.serve({ port: process.env.PORT || 4000, fetch })"), [(4000, Some("PORT".into()))]);
        assert!(listen_in_source("other.serve({ hostname: 'localhost' })", false).loopback.is_empty());
        assert!(listen_in_source("app.listen(port, process.env.HOST ?? '0.0.0.0')", false).host_variables.is_empty());
    }

    #[test]
    fn a_name_assigned_a_number_and_passed_to_listen_is_a_fixed_port() {
        let src = "const PORT = 8080;\nconst App = express();\nApp.listen(PORT, () => {});\n";
        let ports = listen_in_source(src, false).ports;
        assert_eq!((ports[0].port, ports[0].line, ports[0].variable.as_deref()), (8080, 1, None));
        assert_eq!(ports[0].literal, "listen() constant");
        // Not a whole statement, or not a declaration: not a constant.
        assert!(listen_in_source("const PORT = 8080 + offset\napp.listen(PORT)\n", false).ports.is_empty());
        assert!(listen_in_source("PORT = 8080\napp.listen(PORT)\n", false).ports.is_empty());
        // A port before `||` is always the value: the environment is never read.
        let first = listen_in_source("const PORT = 5000 || process.env.PORT;\napp.listen(PORT, () => {});\n", false).ports;
        assert_eq!((first.len(), first[0].port, first[0].variable.as_deref()), (1, 5000, None));
        let unterminated = "let port = 4000\nserver.listen({ port: port })\n";
        assert_eq!(listen_in_source(unterminated, false).ports[0].port, 4000);
    }

    #[test]
    fn a_serve_call_gives_its_port_in_its_options() {
        let hono = "import { serve } from '@hono/node-server'\nconst port = 3000\nserve({ fetch: app.fetch, port })\n";
        assert_eq!(listen_in_source(hono, false).ports[0].port, 3000);
        let env = "serve({ fetch: app.fetch, port: Number(process.env.API_PORT) || 8787 })\n";
        assert_eq!(listen_in_source(env, false).ports[0].variable.as_deref(), Some("API_PORT"));
        assert!(listen_in_source("serve(app)\n", false).ports.is_empty());
    }

    #[test]
    fn fastify_without_a_host_binds_localhost() {
        let without = "import Fastify from 'fastify'\nawait app.listen({ port: process.env.PORT ?? 3000 })\n";
        assert_eq!(listen_in_source(without, false).loopback.len(), 1);
        let with = "import Fastify from 'fastify'\nawait app.listen({ port: 3000, host: '0.0.0.0' })\n";
        assert!(listen_in_source(with, false).loopback.is_empty());
        assert!(listen_in_source("const app = express()\napp.listen({ port: 3000 })\n", false).loopback.is_empty());
    }
}
