//! A listen call that takes its port or host from a config module: `listen(CONFIG.app.port, CONFIG.app.ip)`
//! with `const CONFIG = require('./config/config')`, `const port = config.server.port` then `listen(port)`, or
//! node-config's `config.get('server.port')` (the `config` package: `config/production.*` over
//! `config/default.*`, a variable mapped in `config/custom-environment-variables.*`). The module's object is
//! evaluated statically with the JS parser; its value is the port (said as fixed: the code writes it) or a
//! loopback host (said, since no published port reaches it).

use super::calls::walk_arguments;
use super::js::env::{env_reads, Access};
use super::js::eval::join;
use super::js::config::{exported_setting, json_setting, Setting};
use super::runfiles::has_extension_in;
use super::{read_small_text, App};
use crate::detect::is_loopback_host;
use crate::detect::lex::Token;

/// What a listen argument reads from a config module.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ConfigRead {
    /// The module as the source names it (`./config/config`, `config`).
    module: String,
    /// The key path in what the module exports (`["app", "port"]`).
    path: Vec<String>,
    /// The listen call's line.
    line: usize,
    /// Whether it is the host argument (else the port).
    host: bool,
}

/// The extensions a relative `require`/`import` may leave out, in node's order (TypeScript sources last).
const MODULE_EXTENSIONS: &[&str] = &["", ".js", ".cjs", ".mjs", ".json", ".ts", ".mts", "/index.js", "/index.ts"];

/// node-config's files, the production one first (the image runs with `NODE_ENV=production`).
const NODE_CONFIG_FILES: &[&str] = &["production", "default"];
const NODE_CONFIG_EXTENSIONS: &[&str] = &["json", "js", "cjs", "ts", "yaml", "yml"];

/// The config reads of the `listen(` call whose `(` is at `open`: its first two arguments, or its options'
/// `port` and `host`/`hostname`, when each is a member chain of a name bound to a module.
pub(super) fn reads_at_listen(tokens: &[(Token, usize)], open: usize) -> Vec<ConfigRead> {
    let mut reads = Vec::new();
    let line = tokens.get(open).map_or(0, |(_, l)| *l);
    walk_arguments(tokens, open, |k, at| {
        match &tokens[k].0 {
            Token::Ident(key)
                if at.options && at.depth == 2 && matches!(tokens.get(k + 1), Some((Token::Punct(':'), _))) =>
            {
                let host = matches!(key.as_str(), "host" | "hostname");
                if host || key.as_str() == "port" {
                    reads.extend(read_at(tokens, k + 2, line, host));
                }
            }
            // An argument starts after the call's `(` or a `,` of its list.
            Token::Punct('(' | ',') if !at.options && at.depth == 1 && at.argument < 2 => {
                reads.extend(read_at(tokens, k + 1, line, at.argument == 1));
            }
            _ => {}
        }
        true
    });
    reads
}

/// The config read an argument at `at` makes: a member chain (`CONFIG.app.port`), node-config's
/// `config.get('server.port')`, or a name assigned one of them (`const port = config.port;`).
fn read_at(tokens: &[(Token, usize)], at: usize, line: usize, host: bool) -> Option<ConfigRead> {
    let (root, path) = if let Some(chain) = chain_at(tokens, at) {
        chain
    } else {
        let Some((Token::Ident(name), _)) = tokens.get(at) else { return None };
        assigned_chain(tokens, name)?
    };
    let (module, named) = module_of(tokens, &root)?;
    // A named import (`import { env } from './config/env'`) reads inside the export of that name.
    let path = if named { std::iter::once(root).chain(path).collect() } else { path };
    Some(ConfigRead {
        module,
        path,
        line,
        host,
    })
}

/// `root.a.b` or `root.get('a.b')` at `at`, ending the argument (a `,`, `)` or `}` follows): the root name and
/// the key path.
fn chain_at(tokens: &[(Token, usize)], at: usize) -> Option<(String, Vec<String>)> {
    let Some((Token::Ident(root), _)) = tokens.get(at) else { return None };
    let mut path = Vec::new();
    let mut k = at + 1;
    while let (Some((Token::Punct('.'), _)), Some((Token::Ident(key), _))) = (tokens.get(k), tokens.get(k + 1)) {
        path.push(key.to_string());
        k += 2;
    }
    if path.len() == 1 && path[0] == "get" {
        if let (Some((Token::Punct('('), _)), Some((Token::Str(dotted), _)), Some((Token::Punct(')'), _))) =
            (tokens.get(k), tokens.get(k + 1), tokens.get(k + 2))
        {
            path = dotted.split('.').map(str::to_string).collect();
            k += 3;
        }
    }
    let ends = matches!(tokens.get(k), Some((Token::Punct(',' | ')' | '}' | ';'), _)) | None);
    (!path.is_empty() && ends && path.iter().all(|key| !key.is_empty())).then(|| (root.to_string(), path))
}

/// The chain a name is assigned, alone in its statement (`const port = config.server.port;`).
fn assigned_chain(tokens: &[(Token, usize)], name: &str) -> Option<(String, Vec<String>)> {
    tokens.windows(2).enumerate().find_map(|(i, pair)| match pair {
        [(Token::Ident(assigned), _), (Token::Punct('='), _)] if assigned.as_str() == name => {
            let declared = matches!(i.checked_sub(1).map(|p| &tokens[p].0), Some(Token::Ident(word)) if matches!(word.as_str(), "const" | "let" | "var"));
            let not_comparison = !matches!(tokens.get(i + 2), Some((Token::Punct('='), _)));
            (declared && not_comparison).then(|| chain_at(tokens, i + 2)).flatten()
        }
        _ => None,
    })
}

/// The module a name is bound to: `const NAME = require('SPEC')`, `import NAME from 'SPEC'`, `import * as NAME
/// from 'SPEC'`, or `import { NAME } from 'SPEC'` (then true: the name is one of the module's exports).
fn module_of(tokens: &[(Token, usize)], name: &str) -> Option<(String, bool)> {
    bound_module(tokens, name)
        .map(|spec| (spec, false))
        .or_else(|| named_import(tokens, name).map(|spec| (spec, true)))
}

/// The module of `import { …, NAME, … } from 'SPEC'`.
fn named_import(tokens: &[(Token, usize)], name: &str) -> Option<String> {
    tokens.iter().enumerate().find_map(|(i, (token, _))| {
        let Token::Ident(bound) = token else { return None };
        if bound.as_str() != name || !matches!(tokens.get(i + 1), Some((Token::Punct(',' | '}'), _))) {
            return None;
        }
        // Back to the list's `{`, after `import`; on to its `}`, then `from 'SPEC'`.
        let in_list = |t: &Token| matches!(t, Token::Ident(_) | Token::Punct(','));
        let open = tokens[..i].iter().rposition(|(t, _)| !in_list(t))?;
        let word = |back: usize| match open.checked_sub(back).map(|p| &tokens[p].0) {
            Some(Token::Ident(word)) => Some(word.as_str()),
            _ => None,
        };
        let comma_before = matches!(open.checked_sub(1).map(|p| &tokens[p].0), Some(Token::Punct(',')));
        // `import {`, `import type {`, `import Default, {`.
        let imported = matches!(tokens.get(open), Some((Token::Punct('{'), _)))
            && (word(1) == Some("import")
                || word(1) == Some("type") && word(2) == Some("import")
                || comma_before && word(3) == Some("import"));
        let close = i + 1 + tokens[i + 1..].iter().position(|(t, _)| !in_list(t))?;
        match (imported, tokens.get(close), tokens.get(close + 1), tokens.get(close + 2)) {
            (true, Some((Token::Punct('}'), _)), Some((Token::Ident(from), _)), Some((Token::Str(spec), _)))
                if from.as_str() == "from" =>
            {
                Some(spec.to_string())
            }
            _ => None,
        }
    })
}

fn bound_module(tokens: &[(Token, usize)], name: &str) -> Option<String> {
    tokens.iter().enumerate().find_map(|(i, (token, _))| {
        let Token::Ident(bound) = token else { return None };
        if bound.as_str() != name {
            return None;
        }
        let after = |k: usize| tokens.get(i + k).map(|(t, _)| t);
        let before = i.checked_sub(1).map(|p| &tokens[p].0);
        match (after(1), after(2), after(3), after(4)) {
            (Some(Token::Punct('=')), Some(Token::Ident(require)), Some(Token::Punct('(')), Some(Token::Str(spec)))
                if require.as_str() == "require" =>
            {
                Some(spec.to_string())
            }
            (Some(Token::Ident(from)), Some(Token::Str(spec)), ..)
                if from.as_str() == "from"
                    && matches!(before, Some(Token::Ident(word)) if matches!(word.as_str(), "import" | "as")) =>
            {
                Some(spec.to_string())
            }
            _ => None,
        }
    })
}

/// What a config read resolves to, in the config file that holds the value.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Resolved {
    /// The listen port, with the variable that overrides it (node-config's mapping, `process.env.X || 8081`).
    Port { port: u16, variable: Option<String> },
    /// A host variable whose default is loopback: the image sets it to every interface.
    HostVariable(String),
    /// A loopback host nothing in the image can change, said.
    Loopback(String),
}

/// What the config reads of a source's listen calls resolve to: each with the config file (relative to the
/// app) and line that hold the value, so the evidence names them. `rel`: the source, relative to the app.
pub(super) fn resolve(app: &App, rel: &str, reads: &[ConfigRead]) -> Vec<(Resolved, String, usize)> {
    let mut resolved = Vec::new();
    for read in reads {
        let Some((value, config_rel, line, variable)) = value_of(app, rel, read) else { continue };
        // `host: process.env.HOST || '127.0.0.1'`: the variable the value defaults is the one to set.
        let variable = variable.or_else(|| {
            let text = read_small_text(&app.path(&config_rel))?;
            environment_read_on(&text, &config_rel, line)
        });
        let found = if read.host {
            if !is_loopback_host(&value) {
                continue;
            }
            match variable {
                Some(name) => Resolved::HostVariable(name),
                None => Resolved::Loopback(format!(
                    "the listen host {} ({}:{}) is '{value}'",
                    read.path.join("."),
                    app.file(rel),
                    read.line
                )),
            }
        } else {
            let Some(port) = value.parse::<u16>().ok().filter(|p| *p > 0) else { continue };
            Resolved::Port { port, variable }
        };
        resolved.push((found, config_rel, line));
    }
    resolved
}

/// The environment variable a JS config (the file `name`) reads on `line` (`process.env.NAME`), if one.
fn environment_read_on(text: &str, name: &str, line: usize) -> Option<String> {
    let reads = env_reads(text, name)?;
    reads
        .names
        .into_iter()
        .find(|(access, _, at)| *at == line && *access == Access::Process)
        .map(|(_, variable, _)| variable)
}

/// The value a read resolves to: the value, the file that holds it (relative to the app), its line, and the
/// environment variable that overrides it (node-config's custom-environment-variables).
fn value_of(app: &App, rel: &str, read: &ConfigRead) -> Option<(String, String, usize, Option<String>)> {
    let path: Vec<&str> = read.path.iter().map(String::as_str).collect();
    if read.module.starts_with('.') {
        let base = module_base(rel, &read.module)?;
        return MODULE_EXTENSIONS.iter().find_map(|extension| {
            let module_rel = format!("{base}{extension}");
            let text = read_small_text(&app.path(&module_rel))?;
            match setting_value(&text, &module_rel, &path) {
                Some((value, line)) => Some((value, module_rel, line, None)),
                None => schema_env_value(app, &text, &module_rel, &path),
            }
        });
    }
    if read.module != "config" || app.dependency("config").is_none() {
        return None;
    }
    let variable = NODE_CONFIG_EXTENSIONS.iter().find_map(|extension| {
        let mapping_rel = format!("config/custom-environment-variables.{extension}");
        let text = read_small_text(&app.path(&mapping_rel))?;
        let (name, _) = setting_value(&text, &mapping_rel, &path)
            .or_else(|| setting_value(&text, &mapping_rel, &[path.as_slice(), &["__name"]].concat()))?;
        Some(name)
    });
    // node-config parses YAML only with a YAML package installed, TypeScript only with ts-node.
    let readable = |extension: &&&str| match **extension {
        "yaml" | "yml" => app.dependency("js-yaml").is_some() || app.dependency("yaml").is_some(),
        "ts" => app.dependency("ts-node").is_some(),
        _ => true,
    };
    NODE_CONFIG_FILES.iter().find_map(|stem| {
        NODE_CONFIG_EXTENSIONS.iter().filter(readable).find_map(|extension| {
            let config_rel = format!("config/{stem}.{extension}");
            let text = read_small_text(&app.path(&config_rel))?;
            let (value, line) = setting_value(&text, &config_rel, &path)?;
            Some((value, config_rel, line, variable.clone()))
        })
    })
}

/// How a module validates the environment into the object it exports (zod's `schema.parse(process.env)`,
/// envalid's `cleanEnv(process.env, …)`, t3-env's `runtimeEnv: process.env`): a key of that object is the
/// variable of the same name.
const ENV_SCHEMA_PARSES: &[&str] =
    &[".parse(process.env", ".safeParse(process.env", "cleanEnv(process.env", "runtimeEnv: process.env"];

/// The value of a variable an env schema module exports (`env.API_PORT`): the schema's default for it
/// (`API_PORT: z.coerce.number().default(5000)`), else the value the app's env template gives it
/// (`.env.example`'s `API_PORT=5000`); with the variable, which the image then sets.
fn schema_env_value(app: &App, text: &str, module_rel: &str, path: &[&str]) -> Option<(String, String, usize, Option<String>)> {
    let variable = *path.last()?;
    if !ENV_SCHEMA_PARSES.iter().any(|parse| text.contains(parse)) {
        return None;
    }
    let variable_line = |line: &str| {
        line.trim_start().strip_prefix(variable).is_some_and(|rest| rest.trim_start().starts_with(':'))
    };
    let schema_default = text.lines().enumerate().find_map(|(at, line)| {
        let rest = line.split_once(".default(").filter(|_| variable_line(line))?.1;
        let number: String = rest.trim_start().chars().take_while(char::is_ascii_digit).collect();
        (!number.is_empty()).then(|| (number, module_rel.to_string(), at + 1))
    });
    let template_value = || {
        super::buildenv::ENV_TEMPLATES.iter().find_map(|template| {
            let text = read_small_text(&app.path(template))?;
            text.lines().enumerate().find_map(|(at, line)| {
                let value = line.trim().strip_prefix(variable)?.strip_prefix('=')?;
                let value = value.trim().trim_matches(['"', '\'']);
                value.parse::<u16>().is_ok().then(|| (value.to_string(), (*template).to_string(), at + 1))
            })
        })
    };
    let (value, file, line) = schema_default.or_else(template_value)?;
    Some((value, file, line, Some(variable.to_string())))
}

/// The value at `path` in a config file (JSON, YAML, or a JS/TS module's export) and its line.
fn setting_value(text: &str, name: &str, path: &[&str]) -> Option<(String, usize)> {
    let setting = if has_extension_in(name, &["json"]) {
        json_setting(text, path)
    } else if has_extension_in(name, &["yaml", "yml"]) {
        return yaml_value(text, path);
    } else {
        exported_setting(text, name, path)
    };
    match setting {
        Setting::Value { value, line } => Some((value, line)),
        Setting::Unset | Setting::Unknown { .. } => None,
    }
}

/// A scalar at `path` in a YAML file, with its line.
fn yaml_value(text: &str, path: &[&str]) -> Option<(String, usize)> {
    let mut node = marked_yaml::parse_yaml(0, text).ok()?;
    for key in path {
        node = node.as_mapping()?.get_node(key)?.clone();
    }
    let scalar = node.as_scalar()?;
    let line = node.span().start().map_or(1, marked_yaml::Marker::line);
    Some((scalar.as_str().to_string(), line))
}

/// The module a relative `require`/`import` in the source `rel` names, as a path from the app's folder
/// without an extension; None when it leaves the app.
fn module_base(rel: &str, module: &str) -> Option<String> {
    let dir = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
    let base = join(dir, module);
    (!base.is_empty() && base != ".." && !base.starts_with("../")).then_some(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lex;

    fn reads(src: &str) -> Vec<ConfigRead> {
        let tokens = lex::javascript(src).tokens;
        let open = tokens
            .windows(2)
            .position(|w| matches!(&w[0].0, Token::Ident(n) if n.as_str() == "listen") && w[1].0 == Token::Punct('('))
            .map(|i| i + 1)
            .unwrap();
        reads_at_listen(&tokens, open)
    }

    fn read(module: &str, path: &[&str], line: usize, host: bool) -> ConfigRead {
        ConfigRead {
            module: module.into(),
            path: path.iter().map(|s| (*s).to_string()).collect(),
            line,
            host,
        }
    }

    #[test]
    fn arguments_read_from_a_config_module() {
        let positional = "const CONFIG = require('./config/config')\napp.listen(CONFIG.app.port, CONFIG.app.ip, () => {})\n";
        assert_eq!(
            reads(positional),
            [read("./config/config", &["app", "port"], 2, false), read("./config/config", &["app", "ip"], 2, true)]
        );
        let node_config = "import config from 'config'\nserver.listen({ port: config.get('server.port'), host: config.host })\n";
        assert_eq!(
            reads(node_config),
            [read("config", &["server", "port"], 2, false), read("config", &["host"], 2, true)]
        );
        let assigned = "const settings = require('../settings');\nconst port = settings.http.port;\napp.listen(port);\n";
        assert_eq!(reads(assigned), [read("../settings", &["http", "port"], 3, false)]);
    }

    #[test]
    fn a_named_import_reads_inside_its_export() {
        let named = "import { logger, env } from './config/env.js'\napp.listen(env.API_PORT, () => {})\n";
        assert_eq!(reads(named), [read("./config/env.js", &["env", "API_PORT"], 2, false)]);
        let beside_default = "import app, { env } from './app'\napp.listen(env.PORT)\n";
        assert_eq!(reads(beside_default), [read("./app", &["env", "PORT"], 2, false)]);
        // A name that is not in an import list is no config read.
        assert!(reads("const list = { env }\napp.listen(env.PORT)").is_empty());
    }

    #[test]
    fn other_arguments_are_not_config_reads() {
        // Not bound to a module, a call on the value, a comparison, a callback as second argument.
        assert!(reads("app.listen(options.port)").is_empty());
        assert!(reads("const c = require('./c')\napp.listen(c.port + 1)").is_empty());
        assert!(reads("const c = require('./c')\nconst port = c.port == 1\napp.listen(port)").is_empty());
        assert!(reads("const c = require('./c')\napp.listen(c.port, () => c.log())")
            .iter()
            .all(|read| !read.host));
    }

    #[test]
    fn yaml_values_and_their_lines() {
        let text = "server:\n  host: 127.0.0.1\n  port: 8181\n";
        assert_eq!(yaml_value(text, &["server", "port"]), Some(("8181".into(), 3)));
        assert_eq!(yaml_value(text, &["server", "missing"]), None);
    }

    #[test]
    fn module_paths_stay_in_the_app() {
        assert_eq!(module_base("src/server.js", "./../config/app").as_deref(), Some("config/app"));
        assert_eq!(module_base("server.js", "../outside"), None);
    }
}
