//! The backing services an app talks to (its SQL database, document store, cache, queue, stream), for
//! compose.yaml: each kind found from the repository's evidence and ranked per category — what the project
//! configures (an existing compose file's linked images, connection URLs in its example env files and
//! framework configs, a Prisma datasource) above what it merely depends on (a client library) — and the
//! variables the app reads to reach each (`DATABASE_URL`, `REDIS_HOST`), by the role of their value.

use std::path::Path;

use serde_json::json;

use super::{join_rel, read_small_text, Fact, Facts};
use crate::knowledge::services::{self as known, Service};

/// Whether a file documents the project's variables with example values: a dotenv file named as an example
/// (`.env.example`, `.env.sample`, `example.env`, `env-example-relational`, `.env_rename_me`), never the
/// developer's own `.env` or `.env.local`.
fn is_env_example(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("env")
        && ["example", "sample", "template", "dist", "default", "rename"]
            .iter()
            .any(|w| lower.contains(w))
        && !Path::new(&lower).extension().is_some_and(|e| {
            ["js", "ts", "mjs", "cjs", "md", "json", "yaml", "yml"]
                .iter()
                .any(|x| e == *x)
        })
}

/// The example env files of a folder (relative to the repository), in name order.
fn env_examples(root: &Path, folder: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| is_env_example(name))
        .take(32)
        .map(|name| join_rel(folder, &name))
        .collect();
    names.sort();
    names
}

/// One piece of evidence that the app talks to a kind of service.
#[derive(Debug, Clone)]
pub(crate) struct Clue {
    service: &'static Service,
    /// What the evidence is (`pg`, `DATABASE_URL=postgres://…`), and where.
    what: String,
    source: String,
    /// Configured by the project (a URL, a provider, a linked image) rather than only depended on.
    configured: bool,
    /// The variable the configuration names for the URL, with where.
    variable: Option<(String, String)>,
}

impl Clue {
    /// A client library of `registry` (`npm`, `go`, `maven`) the app depends on.
    pub(crate) fn library(registry: &str, package: &str, source: &str) -> Option<Clue> {
        known::by_package(registry, package).map(|service| Clue {
            service,
            what: package.to_string(),
            source: source.to_string(),
            configured: false,
            variable: None,
        })
    }

    /// Whether both say the app talks to the same kind of service.
    pub(crate) fn same_kind(&self, other: &Clue) -> bool {
        std::ptr::eq(self.service, other.service)
    }

    /// A Prisma datasource `provider`.
    pub(crate) fn prisma(provider: &str, source: &str) -> Option<Clue> {
        known::by_prisma_provider(provider).map(|service| Clue {
            service,
            what: format!("prisma provider {provider}"),
            source: source.to_string(),
            configured: true,
            variable: None,
        })
    }

    /// The variable this clue's configuration reads its URL from (a Prisma datasource's `url = env("…")`).
    pub(crate) fn read_from(self, variable: Option<(String, String)>) -> Clue {
        Clue { variable, ..self }
    }

    /// A connection URL the project configures (`spring.datasource.url=jdbc:postgresql://…`).
    pub(crate) fn url(setting: &str, value: &str, source: &str) -> Option<Clue> {
        known::by_url(value).map(|service| Clue {
            service,
            what: format!("{setting}={}…", value.split("://").next().unwrap_or_default()),
            source: source.to_string(),
            configured: true,
            variable: None,
        })
    }
}

/// What a variable's value is to the service it reaches.
fn role_of(words: &[&str]) -> Option<&'static str> {
    let last = *words.last()?;
    let before = words.len().checked_sub(2).map(|i| words[i]);
    Some(match (before, last) {
        (_, "URL" | "URI" | "DSN" | "CONNECTION" | "CONNSTR") | (Some("CONNECTION"), "STRING") => "url",
        (_, "HOST" | "HOSTNAME" | "SERVER") => "host",
        (_, "PORT") => "port",
        (_, "USER" | "USERNAME") => "user",
        (_, "PASSWORD" | "PASS" | "PWD") => "password",
        (_, "ADDR" | "ADDRESS" | "BROKERS" | "BROKER" | "SERVERS") => "address",
        (Some(_), "NAME" | "DB" | "DATABASE") => "database",
        _ => return None,
    })
}

/// The category a variable configures by its words (`REDIS_HOST` → cache, `DB_NAME` → sql), if any.
fn category_of(words: &[&str]) -> Option<&'static str> {
    let first = *words.first()?;
    if matches!(first, "DB" | "DATABASE") {
        return Some("sql");
    }
    known::all()
        .iter()
        .find(|service| service.words.iter().any(|w| w == first))
        .map(|service| service.category.as_str())
}

/// libpq's own variables (`PGHOST`, `PGPASSWORD`), which Postgres clients read without being told, by role.
fn libpq_role(name: &str) -> Option<&'static str> {
    Some(match name.strip_prefix("PG")? {
        "HOST" => "host",
        "PORT" => "port",
        "USER" => "user",
        "PASSWORD" => "password",
        "DATABASE" => "database",
        _ => return None,
    })
}

/// A variable the app reads to reach a service, by the category of that service and the role of its value.
fn variable(name: &str, value: Option<&str>, source: &str) -> Option<serde_json::Value> {
    if let Some(role) = libpq_role(name) {
        return Some(json!({ "name": name, "category": "sql", "role": role, "source": source }));
    }
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let by_value = value.and_then(known::by_url).map(|s| s.category.as_str());
    let category = by_value.or_else(|| category_of(&words))?;
    let role = if by_value.is_some() { "url" } else { role_of(&words)? };
    let mut found = json!({ "name": name, "category": category, "role": role, "source": source });
    // The URL's options (`?sslmode=disable`, `?schema=blog`) are the app's: kept on the URL compose writes.
    if let Some((_, query)) = value.filter(|_| by_value.is_some()).and_then(|v| v.split_once('?')) {
        if !query.is_empty() && crate::validate::env_value(query).is_ok() && !query.contains('$') {
            found["query"] = json!(query);
        }
    }
    Some(found)
}

/// The value the repository's env files give `name` (its committed `.env`, never a gitignored one, then the
/// example files), with `file:line`.
pub(crate) fn committed_env_value(root: &Path, name: &str) -> Option<(String, String)> {
    let dotenv = (root.join(".env").is_file() && !super::walk::is_gitignored(root, ".env")).then(|| ".env".to_string());
    dotenv.into_iter().chain(env_examples(root, ".")).find_map(|rel| {
        let text = read_small_text(&root.join(&rel))?;
        dotenv_pairs(&text)
            .into_iter()
            .find(|(key, value, _)| key == name && !value.is_empty())
            .map(|(_, value, line)| (value, format!("{rel}:{line}")))
    })
}

/// The dotenv lines of a file: `(name, value, line)`, quotes taken off; nothing is substituted.
pub(crate) fn dotenv_pairs(text: &str) -> Vec<(String, String, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let line = line.trim_start();
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, value) = line.split_once('=')?;
            let key = key.trim();
            crate::validate::is_env_name(key).then_some(())?;
            let value = value.trim();
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            Some((key.to_string(), value.to_string(), index + 1))
        })
        .collect()
}

/// Records `env_reads`: the variables the program's code reads by name (`os.Getenv("DATABASE_URL")`,
/// `process.env.REDIS_URL`), each with where, in the order found; those that reach a backing service are the
/// ones compose.yaml sets.
pub(crate) fn env_reads(found: Vec<(String, String)>, facts: &mut Facts) {
    let Some((_, first)) = found.first() else { return };
    let source = first.clone();
    let reads: Vec<serde_json::Value> = found
        .into_iter()
        .map(|(name, source)| json!({ "name": name, "source": source }))
        .collect();
    facts.insert(
        "env_reads".into(),
        Fact::new(json!(reads), source).with_note("variables the program's code reads by name"),
    );
}

/// The variables the program needs and has no default for, which the running container must be given: credentials
/// join `secret_env`, the rest are `required_env`; those the deployment files give a value, and the port, are
/// set already.
pub(crate) fn required_env(required: &[(String, String)], why: &str, facts: &mut Facts) {
    let listed = |facts: &Facts, key: &str| -> Vec<String> {
        facts
            .get(key)
            .and_then(|f| f.value.as_array())
            .map_or_else(Vec::new, |list| {
                list.iter()
                    .filter_map(|v| v.as_str().or_else(|| v["name"].as_str()).map(String::from))
                    .collect()
            })
    };
    let mut set = listed(facts, "runtime_env");
    set.extend(["PORT".to_string()]);
    set.extend(facts.get("port_env").and_then(|f| f.value.as_str()).map(String::from));
    let needed: Vec<&(String, String)> = required.iter().filter(|(name, _)| !set.contains(name)).collect();
    let (secrets, plain): (Vec<_>, Vec<_>) = needed
        .into_iter()
        .partition(|(name, _)| crate::validate::looks_secret(name));
    let mut secret_names = listed(facts, "secret_env");
    let new_secrets: Vec<&(String, String)> = secrets.into_iter().filter(|(n, _)| !secret_names.contains(n)).collect();
    if let Some((_, source)) = new_secrets.first() {
        let source = facts
            .get("secret_env")
            .map_or_else(|| source.clone(), |f| f.source.clone());
        secret_names.extend(new_secrets.iter().map(|(n, _)| n.clone()));
        facts.insert(
            "secret_env".into(),
            Fact::new(json!(secret_names), source).with_note("credentials the program reads with no default"),
        );
    }
    if let Some((_, source)) = plain.first() {
        let names: Vec<&str> = plain.iter().map(|(n, _)| n.as_str()).collect();
        let sources: Vec<String> = plain.iter().map(|(n, s)| format!("{n} ({s})")).collect();
        facts.insert(
            "required_env".into(),
            Fact::new(json!(names), source.clone()).with_note(format!("{why}: {}", sources.join(", "))),
        );
    }
}

/// Records `health_path`: the health endpoint the program's code registers, with where; the service's health
/// check calls it when `--compose` writes a compose.yaml.
pub(crate) fn health_route(found: Option<(String, String)>, facts: &mut Facts) {
    if let Some((path, source)) = found {
        facts.insert(
            "health_path".into(),
            Fact::new(path, source).with_note(
                "the program's health endpoint: the health check of the compose.yaml that `--compose` writes calls it",
            ),
        );
    }
}

/// Records `backing_services` (the kinds wired, one per category, each with the evidence) and
/// `service_variables` (the variables the app reads to reach them) for the app in `dir`, from `clues` the stack
/// found in its manifests and configs, the example env files of the app's folder and the root, the variables
/// its code reads (`env_reads`) and the compose services the deployment files link to it (`compose_links`, from
/// `deploy`).
pub(crate) fn record(root: &Path, dir: &str, mut clues: Vec<Clue>, facts: &mut Facts) {
    let mut variables: Vec<serde_json::Value> = Vec::new();
    let mut add_variable = |found: serde_json::Value| {
        if !variables.iter().any(|known| known["name"] == found["name"]) {
            variables.push(found);
        }
    };
    let mut folders = vec![dir];
    if dir != "." {
        folders.push(".");
    }
    if let Some(example) = env_examples(root, dir).first() {
        // The app's other settings (keys, secrets) are documented there: compose.yaml passes the developer's
        // `.env` made from it.
        let name = example.rsplit('/').next().unwrap_or(example);
        facts.insert("env_example".into(), Fact::new(name, example.clone()));
    }
    for folder in folders {
        for rel in env_examples(root, folder) {
            let Some(text) = read_small_text(&root.join(&rel)) else {
                continue;
            };
            for (name, value, line) in dotenv_pairs(&text) {
                let at = format!("{rel}:{line}");
                if let Some(clue) = Clue::url(&name, &value, &at) {
                    clues.push(clue);
                }
                if let Some(found) = variable(&name, Some(&value), &at) {
                    add_variable(found);
                }
            }
        }
    }
    // Consumed here: the variables that reach a service are what the plan needs (`service_variables`).
    if let Some(reads) = facts.shift_remove("env_reads") {
        for read in reads.value.as_array().into_iter().flatten() {
            let (Some(name), Some(at)) = (read["name"].as_str(), read["source"].as_str()) else {
                continue;
            };
            if let Some(found) = variable(name, None, at) {
                add_variable(found);
            }
        }
    }
    if let Some(links) = facts.get("compose_links") {
        let source = links.source.clone();
        for link in links.value.as_array().into_iter().flatten() {
            let image = link["image"].as_str().unwrap_or_default();
            let at = link["source"].as_str().unwrap_or(&source).to_string();
            let Some(service) = known::by_image(image) else {
                continue;
            };
            clues.push(Clue {
                service,
                what: format!("compose service image {image}"),
                source: at.clone(),
                configured: true,
                variable: None,
            });
            if let Some(name) = link["variable"].as_str() {
                let words: Vec<&str> = name.split('_').collect();
                let role = if link["url"].as_bool() == Some(true) {
                    "url"
                } else {
                    role_of(&words).unwrap_or("url")
                };
                add_variable(json!({ "name": name, "category": service.category, "role": role, "source": at }));
            }
        }
    }
    for clue in &clues {
        if let Some((name, at)) = &clue.variable {
            add_variable(json!({ "name": name, "category": clue.service.category, "role": "url", "source": at }));
        }
    }
    // What ranking decided is said where compose.yaml is written (`service_notes`), not on every run.
    let mut notes = Vec::new();
    let wired = rank(&clues, &mut notes);
    if let Some(first) = clues.first().filter(|_| !notes.is_empty()) {
        facts.insert("service_notes".into(), Fact::new(json!(notes), first.source.clone()));
    }
    let Some(first) = wired.first() else { return };
    let evidence: Vec<String> = wired
        .iter()
        .map(|(service, chosen)| format!("{}: {}", service.name, evidence_of(chosen)))
        .collect();
    let names: Vec<&str> = wired.iter().map(|(service, _)| service.name.as_str()).collect();
    facts.insert(
        "backing_services".into(),
        Fact::new(json!(names), first.1[0].source.clone()).with_note(format!(
            "{}; compose.yaml (--compose) runs them beside the app; --services picks others",
            evidence.join("; ")
        )),
    );
    variables.retain(|v| wired.iter().any(|(s, _)| v["category"] == s.category.as_str()));
    if let Some(first) = variables.first() {
        let source = first["source"].as_str().unwrap_or_default().to_string();
        facts.insert(
            "service_variables".into(),
            Fact::new(json!(variables), source).with_note("compose.yaml points them at the services"),
        );
    }
}

/// The service kind of each category with the strongest evidence, with that evidence; a category whose
/// strongest kinds tie is left unwired, with a note naming them and how to pick one. A file database (sqlite)
/// that wins its category needs no service.
fn rank<'a>(clues: &'a [Clue], notes: &mut Vec<String>) -> Vec<(&'static Service, Vec<&'a Clue>)> {
    let mut categories: Vec<&str> = Vec::new();
    for clue in clues {
        if !categories.contains(&clue.service.category.as_str()) {
            categories.push(&clue.service.category);
        }
    }
    let mut wired = Vec::new();
    for category in categories {
        let here: Vec<&Clue> = clues.iter().filter(|c| c.service.category == category).collect();
        let strongest = here.iter().any(|c| c.configured);
        let mut kinds: Vec<&'static Service> = Vec::new();
        for clue in here.iter().filter(|c| c.configured == strongest) {
            if !kinds.iter().any(|k| std::ptr::eq(*k, clue.service)) {
                kinds.push(clue.service);
            }
        }
        let listed = |kind: &Service| -> String {
            let seen: Vec<&Clue> = here.iter().copied().filter(|c| c.service.name == kind.name).collect();
            format!("{} ({})", kind.name, evidence_of(&seen))
        };
        match kinds.as_slice() {
            [only] if only.image.is_none() => {}
            [only] => {
                let others: Vec<String> = here
                    .iter()
                    .filter(|c| c.service.name != only.name)
                    .map(|c| c.service.name.clone())
                    .fold(Vec::new(), |mut all, name| {
                        if !all.contains(&name) {
                            all.push(name);
                        }
                        all
                    });
                if !others.is_empty() {
                    notes.push(format!(
                        "the app's {category} service is {}: its configuration says so; the code can also use {} \
                         (pass --services to wire another)",
                        only.name,
                        others.join(", ")
                    ));
                }
                let chosen: Vec<&Clue> = here.iter().copied().filter(|c| c.service.name == only.name).collect();
                wired.push((*only, chosen));
            }
            tied => {
                let listed: Vec<String> = tied.iter().map(|kind| listed(kind)).collect();
                let runnable: Vec<&str> = tied
                    .iter()
                    .filter(|k| k.image.is_some())
                    .map(|k| k.name.as_str())
                    .collect();
                notes.push(format!(
                    "the app can use more than one {category} database: {}; compose.yaml wires none of them \
                     (pass --services {} to wire one)",
                    listed.join(", "),
                    runnable.join(" or --services ")
                ));
            }
        }
    }
    // In the table's order (the database first), whatever order the evidence came in.
    let position = |service: &Service| known::all().iter().position(|s| std::ptr::eq(s, service));
    wired.sort_by_key(|(service, _)| position(service));
    wired
}

/// Each piece of evidence once, with where it was first seen: `pg (package.json:9), DATABASE_URL=postgres…
/// (.env.example:2)`.
fn evidence_of(clues: &[&Clue]) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut said: Vec<&str> = Vec::new();
    for clue in clues {
        if !said.contains(&clue.what.as_str()) {
            said.push(&clue.what);
            seen.push(format!("{} ({})", clue.what, clue.source));
        }
    }
    seen.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clue(registry: &str, package: &str) -> Clue {
        Clue::library(registry, package, "package.json:3").unwrap()
    }

    #[test]
    fn variables_by_role_and_category() {
        let of = |name: &str, value: Option<&str>| {
            variable(name, value, "x:1").map(|v| {
                (
                    v["category"].as_str().unwrap().to_string(),
                    v["role"].as_str().unwrap().to_string(),
                )
            })
        };
        let pair = |c: &str, r: &str| Some((c.to_string(), r.to_string()));
        assert_eq!(
            of("DATABASE_URL", Some("postgres://u@localhost/app")),
            pair("sql", "url")
        );
        assert_eq!(of("DB_HOST", None), pair("sql", "host"));
        assert_eq!(of("DB_NAME", Some("app")), pair("sql", "database"));
        assert_eq!(of("REDIS_PORT", Some("6379")), pair("cache", "port"));
        assert_eq!(of("MONGODB_URI", None), pair("document", "url"));
        assert_eq!(of("KAFKA_BROKERS", None), pair("stream", "address"));
        assert_eq!(of("CACHE_TTL", Some("60")), None);
        assert_eq!(of("LOG_LEVEL", Some("info")), None);
        assert_eq!(of("APP_DB", Some("mongodb://x")), pair("document", "url"));
        assert_eq!(of("PGHOST", None), pair("sql", "host"));
        assert_eq!(of("PGDATABASE", None), pair("sql", "database"));
        assert_eq!(of("PGDATA", None), None);
    }

    #[test]
    fn the_configured_kind_wins_and_a_tie_wires_nothing() {
        let mut notes = Vec::new();
        let clues = vec![
            clue("npm", "pg"),
            clue("npm", "mysql2"),
            clue("npm", "ioredis"),
            Clue::prisma("postgresql", "prisma/schema.prisma:3").unwrap(),
        ];
        let wired = rank(&clues, &mut notes);
        let names: Vec<&str> = wired.iter().map(|(s, _)| s.name.as_str()).collect();
        assert_eq!(names, ["postgres", "redis"]);
        assert!(notes[0].contains("can also use mysql"), "{notes:?}");

        let mut notes = Vec::new();
        let tie = vec![
            clue("go", "github.com/lib/pq"),
            clue("go", "github.com/mattn/go-sqlite3"),
        ];
        assert!(rank(&tie, &mut notes).is_empty());
        assert!(notes[0].contains("more than one sql database"), "{notes:?}");

        let mut notes = Vec::new();
        let file_only = vec![clue("npm", "better-sqlite3")];
        assert!(rank(&file_only, &mut notes).is_empty() && notes.is_empty());
    }

    #[test]
    fn example_env_files_by_name() {
        for name in [
            ".env.example",
            ".env.sample",
            "example.env",
            "env-example-relational",
            ".env_rename_me",
            ".env.dist",
        ] {
            assert!(is_env_example(name), "{name}");
        }
        for name in [
            ".env",
            ".env.local",
            ".env.production",
            "env.example.ts",
            "environment.md",
            "package.json",
        ] {
            assert!(!is_env_example(name), "{name}");
        }
    }

    #[test]
    fn dotenv_pairs_unquote_and_skip_comments() {
        let pairs =
            dotenv_pairs("# a comment\nexport DATABASE_URL=\"postgres://x\"\n\nREDIS_URL='redis://r'\nbad line\n");
        assert_eq!(
            pairs,
            [
                ("DATABASE_URL".to_string(), "postgres://x".to_string(), 2),
                ("REDIS_URL".to_string(), "redis://r".to_string(), 4)
            ]
        );
    }
}
