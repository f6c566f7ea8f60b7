//! fly.toml: the port the platform routes to.

use super::record::Sourced;

/// fly.toml's `internal_port` (under `[http_service]` or `[[services]]`), with its line.
pub(super) fn fly_port(text: &str, file: &str) -> Option<Sourced<u16>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let port = table
        .get("http_service")
        .and_then(|s| s.get("internal_port"))
        .or_else(|| table.get("services")?.as_array()?.first()?.get("internal_port"))?
        .as_integer()?;
    let port = u16::try_from(port).ok().filter(|p| *p > 0)?;
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("internal_port"))
        .map_or(1, |i| i + 1);
    Some((port, format!("{file}:{line}")))
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
}
