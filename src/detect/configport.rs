//! The port a program's own config file sets (`server: { port: ":8080" }` in the YAML viper reads; Dropwizard's
//! `server: { applicationConnectors: [{ port: 9008 }] }`), for a program whose listen call takes it from there:
//! only read when nothing in the code says the port, and only from the files the program reads (Go's
//! `shipped_paths`, the config file a JVM program's arguments name). Shared by the stacks.

use std::path::Path;

use marked_yaml::Node;

use crate::detect::{read_small_text, Fact};

/// Keys that hold a served port or address, compared without case, `_` or `-`.
const PORT_KEYS: &[&str] = &[
    "port",
    "httpport",
    "serverport",
    "listen",
    "listenaddr",
    "addr",
    "address",
    "httpaddr",
];

/// Sections whose port is another service's (a database, a cache, a broker): never the program's.
const CLIENT_SECTIONS: &[&str] = &[
    "db",
    "database",
    "redis",
    "mongo",
    "mongodb",
    "postgres",
    "mysql",
    "sql",
    "cache",
    "smtp",
    "mail",
    "kafka",
    "rabbitmq",
    "amqp",
    "nats",
    "elastic",
    "elasticsearch",
    "client",
    "upstream",
    "proxy",
    "remote",
    "metrics",
];

/// The port the config files set, with the file and line, when they agree; a warning when they do not.
pub(in crate::detect) fn config_port<'a>(
    root: &Path,
    read: impl IntoIterator<Item = &'a String>,
    warnings: &mut Vec<String>,
) -> Option<Fact> {
    let mut found: Vec<(u16, String)> = Vec::new();
    for path in read {
        let yaml = Path::new(path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
        if !yaml {
            continue;
        }
        let Some(text) = read_small_text(&root.join(path)) else {
            continue;
        };
        let Ok(doc) = marked_yaml::parse_yaml(0, &text) else {
            continue;
        };
        if let Some((port, line)) = served_port(&doc) {
            found.push((port, format!("{path}:{line}")));
        }
    }
    let (first, at) = found.first()?.clone();
    if found.iter().any(|(port, _)| *port != first) {
        let seen: Vec<String> = found.iter().map(|(port, at)| format!("{port} ({at})")).collect();
        warnings.push(format!(
            "the config files the program reads set different ports: {}; pass --port N",
            seen.join(", ")
        ));
        return None;
    }
    let files: Vec<&str> = found.iter().map(|(_, at)| at.as_str()).collect();
    Some(Fact::new(first, at).with_note(format!(
        "set by the config files the program reads ({}); nothing in its code says the port",
        files.join(", ")
    )))
}

/// The first served port in a YAML document, depth first, outside the sections of other services.
fn served_port(node: &Node) -> Option<(u16, usize)> {
    let Node::Mapping(pairs) = node else { return None };
    for (key, value) in pairs.iter() {
        let name: String = key
            .as_str()
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        match value {
            Node::Scalar(scalar) if PORT_KEYS.contains(&name.as_str()) => {
                let text = scalar.as_str();
                let port = port_of_default(text).or_else(|| port_of_address(text));
                let line = scalar.span().start().map_or(1, marked_yaml::Marker::line);
                if let Some(port) = port {
                    return Some((port, line));
                }
            }
            // A section, or a list of listeners (Dropwizard's `applicationConnectors: [{ type: http, port: 9008 }]`:
            // the first), unless it is another service's.
            Node::Mapping(_) | Node::Sequence(_) if !CLIENT_SECTIONS.iter().any(|section| name.contains(section)) => {
                let found = match value {
                    Node::Sequence(items) => items.iter().find_map(served_port),
                    section => served_port(section),
                };
                if found.is_some() {
                    return found;
                }
            }
            _ => {}
        }
    }
    None
}

/// A flag or setting name for where the program listens: it says listen, bind or addr(ess), or it is a port
/// qualified only by what is served (`port`, `http-port`, `web.port`); `collector.ntp.server-port` and
/// `db-port` name ports the program connects to.
pub(in crate::detect) fn is_listen_flag_name(name: &str) -> bool {
    const CLIENTS: &[&str] = &[
        "db", "database", "redis", "smtp", "mysql", "postgres", "pg", "upstream", "remote", "target", "backend",
        "proxy", "peer", "client", "ntp", "dns", "ldap", "mail", "kafka", "nats", "mongo", "elastic",
    ];
    const SERVED: &[&str] = &[
        "port",
        "http",
        "https",
        "web",
        "grpc",
        "metrics",
        "admin",
        "api",
        "app",
        "server",
        "service",
        "health",
        "telemetry",
        "debug",
        "pprof",
        "ui",
        "listen",
        "bind",
        "addr",
        "address",
    ];
    let words: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| CLIENTS.contains(w)) {
        return false;
    }
    let says_listen = words
        .iter()
        .any(|w| ["listen", "bind", "addr", "address", "listenaddr", "listenaddress"].contains(w));
    let served_port = words.last() == Some(&"port") && words.iter().all(|w| SERVED.contains(w));
    says_listen || served_port
}

/// The port of a listen address literal such as `:8080`, `0.0.0.0:8080` or `localhost:8080`.
pub(in crate::detect) fn port_of_address(addr: &str) -> Option<u16> {
    let (host, port) = addr.rsplit_once(':')?;
    let host_ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    if !host_ok || port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    port.parse().ok().filter(|p| *p > 0)
}

/// A port written as a default value: `8080` or `:8080`.
pub(in crate::detect) fn port_of_default(value: &str) -> Option<u16> {
    let digits = value.strip_prefix(':').unwrap_or(value);
    if digits.is_empty() || digits.len() > 5 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|p| *p > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(text: &str) -> Option<(u16, usize)> {
        served_port(&marked_yaml::parse_yaml(0, text).unwrap())
    }

    #[test]
    fn a_served_port_outside_other_services_sections() {
        assert_eq!(port("server:\n  Port: \":8080\"\n  Mode: release\n"), Some((8080, 2)));
        assert_eq!(
            port("database:\n  port: 5432\nhttp:\n  listen_addr: 0.0.0.0:9000\n"),
            Some((9000, 4))
        );
        assert_eq!(port("redis:\n  port: 6379\n"), None);
        assert_eq!(port("port: 3000\n"), Some((3000, 1)));
        assert_eq!(port("server:\n  port: ${PORT}\n"), None);
        // Dropwizard's connectors: the application's, listed before the admin's.
        let dropwizard = "logging:\n  level: INFO\nserver:\n  applicationConnectors:\n    - type: http\n      port: 9008\n  adminConnectors:\n    - type: http\n      port: 9009\n";
        assert_eq!(port(dropwizard), Some((9008, 6)));
    }
}
