//! fly.toml: the port the platform routes to, the environment it gives the program (`[env]`) and the volumes it
//! mounts (`[mounts]`).

use super::record::{add_env, add_service_env, Runtime, Sourced};

/// fly.toml's `internal_port` (under `[http_service]` or `[[services]]`), with its line.
pub(super) fn fly_port(text: &str, file: &str) -> Option<Sourced<u16>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let port = table
        .get("http_service")
        .and_then(|s| s.get("internal_port"))
        .or_else(|| table.get("services")?.as_array()?.first()?.get("internal_port"))?
        .as_integer()?;
    let port = u16::try_from(port).ok().filter(|p| *p > 0)?;
    Some((port, format!("{file}:{}", line_of(text, None, "internal_port"))))
}

/// The runtime contract fly.toml gives: its port, its `[env]` values (a host of Fly's private network,
/// `*.internal` or `*.flycast`, resolves only there: named, not baked) and its mounts' destinations.
pub(super) fn fly_runtime(text: &str, file: &str) -> Runtime {
    let mut found = Runtime::default();
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return found;
    };
    found.ports.extend(fly_port(text, file));
    if let Some(env) = table.get("env").and_then(toml::Value::as_table) {
        for (name, value) in env {
            let value = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => value.to_string(),
                _ => continue,
            };
            let source = format!("{file}:{}", line_of(text, Some("env"), name));
            if value.contains(".internal") || value.contains(".flycast") {
                add_service_env(&mut found, name.clone(), &source);
            } else {
                add_env(&mut found, name.clone(), Some(value), &source);
            }
        }
    }
    let mounts = match table.get("mounts") {
        Some(toml::Value::Table(mount)) => vec![mount],
        Some(toml::Value::Array(mounts)) => mounts.iter().filter_map(toml::Value::as_table).collect(),
        _ => Vec::new(),
    };
    for mount in mounts {
        let Some(destination) = mount.get("destination").and_then(toml::Value::as_str) else {
            continue;
        };
        if destination.starts_with('/') && !destination.contains('$') {
            let source = format!("{file}:{}", line_of(text, Some("mounts"), "destination"));
            found
                .volumes
                .push((destination.trim_end_matches('/').to_string(), source));
        }
    }
    found
}

/// The line of `key = …`, after the `[table]` header when one is given (the first such line; 1 when not found).
fn line_of(text: &str, table: Option<&str>, key: &str) -> usize {
    let mut inside = table.is_none();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if let Some(table) = table {
            if line.starts_with('[') {
                let name = line.trim_matches(|c| c == '[' || c == ']' || c == ' ');
                inside = name == table;
                continue;
            }
        }
        let named = line
            .strip_prefix(key)
            .or_else(|| line.strip_prefix(&format!("\"{key}\"")))
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if inside && named {
            return index + 1;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fly_internal_port() {
        assert_eq!(
            fly_port("app = \"x\"\n[http_service]\n  internal_port = 8090\n", "fly.toml"),
            Some((8090, "fly.toml:3".into()))
        );
    }

    #[test]
    fn fly_env_and_mounts() {
        let text = "app = \"x\"\n[env]\n  DB_PATH = \"/data\"\n  WORKERS = 2\n  REDIS_URL = \"redis://x-redis.internal:6379\"\n  \
                    SECRET_KEY = \"abc\"\n\n[mounts]\n  source = \"x_data\"\n  destination = \"/data/\"\n\n\
                    [http_service]\n  internal_port = 8080\n";
        let found = fly_runtime(text, "fly.toml");
        assert_eq!(
            found.env,
            vec![
                (("DB_PATH".into(), "/data".into()), "fly.toml:3".into()),
                (("WORKERS".into(), "2".into()), "fly.toml:4".into())
            ]
        );
        assert_eq!(found.service_env, vec![("REDIS_URL".into(), "fly.toml:5".into())]);
        assert_eq!(found.secret_env, vec![("SECRET_KEY".into(), "fly.toml:6".into())]);
        assert_eq!(found.volumes, vec![("/data".into(), "fly.toml:10".into())]);
        assert_eq!(found.ports, vec![(8080, "fly.toml:13".into())]);
    }
}
