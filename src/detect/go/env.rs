//! The environment variables a Go program reads by name (`os.Getenv("DATABASE_URL")`, `os.LookupEnv`), the
//! names compose.yaml wires to the backing services; and the health endpoint it registers, compose.yaml's
//! health check.

use crate::detect::lex::Token;

/// The names `os.Getenv` and `os.LookupEnv` read in a file, each with its line.
pub(super) fn file_env(tokens: &[(Token, usize)]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for i in 2..tokens.len() {
        let (Token::Ident(call), line) = &tokens[i] else { continue };
        if !matches!(call.as_str(), "Getenv" | "LookupEnv")
            || tokens[i - 1].0 != Token::Punct('.')
            || !matches!(&tokens[i - 2].0, Token::Ident(receiver) if receiver == "os")
        {
            continue;
        }
        if let (Some((Token::Punct('('), _)), Some((Token::Str(name), _))) = (tokens.get(i + 1), tokens.get(i + 2)) {
            if crate::validate::env_name(name).is_ok() {
                found.push((name.to_string(), *line));
            }
        }
    }
    found
}

/// The health routes a file registers (`HandleFunc("/healthz", …)`, `r.GET("/health", …)`), with their line.
pub(super) fn file_health_routes(tokens: &[(Token, usize)]) -> Vec<(String, usize)> {
    use crate::knowledge::services::{is_health_path, is_route_group_type, makes_route_group};
    let ident = |k: usize| match tokens.get(k) {
        Some((Token::Ident(name), _)) => Some(name.as_str()),
        _ => None,
    };
    let punct = |k: usize, c: char| matches!(tokens.get(k), Some((Token::Punct(p), _)) if *p == c);
    let health_path_at = |k: usize| match (tokens.get(k), tokens.get(k + 1)) {
        (Some((Token::Punct('('), _)), Some((Token::Str(route), line))) if is_health_path(route) => Some((route, *line)),
        _ => None,
    };
    // Most files register no health route: the route groups below matter only where one is.
    if !(0..tokens.len()).any(|k| health_path_at(k).is_some()) {
        return Vec::new();
    }
    // Names that hold a route group: assigned from a group call on their line (`v1 := r.Group("/api")`), or
    // declared with a group's type (`rg *gin.RouterGroup`, `r fiber.Router`).
    let mut groups: Vec<&str> = Vec::new();
    for k in 0..tokens.len() {
        let Some(name) = ident(k) else { continue };
        let assigned = (punct(k + 1, ':') && punct(k + 2, '=')) || (punct(k + 1, '=') && !punct(k + 2, '='));
        if assigned {
            let line = tokens[k].1;
            let grouped = tokens[k..]
                .iter()
                .take_while(|(_, l)| *l == line)
                .zip(tokens[k + 1..].iter())
                .any(|((t, _), (next, _))| {
                    *t == Token::Punct('.') && matches!(next, Token::Ident(call) if makes_route_group(call))
                });
            if grouped {
                groups.push(name);
            }
        }
        // `name *pkg.Type` or `name pkg.Type`.
        let at = if punct(k + 1, '*') { k + 2 } else { k + 1 };
        if ident(at).is_some() && punct(at + 1, '.') && ident(at + 2).is_some_and(is_route_group_type) {
            groups.push(name);
        }
    }
    let mut found = Vec::new();
    for k in 0..tokens.len() {
        let Some((route, line)) = health_path_at(k) else {
            continue;
        };
        // `recv.Method("/health"`: not a group's registration, nor a call that makes a group.
        let method = k.checked_sub(1).and_then(ident);
        let receiver = k.checked_sub(3).filter(|r| punct(r + 1, '.')).and_then(ident);
        if method.is_some_and(makes_route_group) || receiver.is_some_and(|r| groups.contains(&r)) {
            continue;
        }
        let path = route.strip_prefix("GET ").unwrap_or(route).trim();
        found.push((path.to_string(), line));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lex;

    #[test]
    fn getenv_and_lookupenv_names() {
        let src = "package main\nimport \"os\"\nfunc main() {\n\turl := os.Getenv(\"DATABASE_URL\")\n\t\
                   _, ok := os.LookupEnv(\"REDIS_ADDR\")\n\tx := cfg.Getenv(\"NOT_OS\")\n\ty := os.Getenv(name)\n}\n";
        let found = file_env(&lex::source(src).tokens);
        assert_eq!(found, [("DATABASE_URL".to_string(), 4), ("REDIS_ADDR".to_string(), 5)]);
    }

    #[test]
    fn health_routes() {
        let src = "package main\nfunc main() {\n\thttp.HandleFunc(\"GET /healthz\", ok)\n\tr.GET(\"/users\", list)\n}\n";
        assert_eq!(file_health_routes(&lex::source(src).tokens), [("/healthz".to_string(), 3)]);
        // On a group, or by the call that makes one, the path sits under a prefix; the root router's stands.
        let grouped = "package main\nfunc routes(r *gin.Engine, rg *gin.RouterGroup) {\n\tv1 := r.Group(\"/api/v1\")\n\t\
                       v1.GET(\"/ping\", pong)\n\trg.GET(\"/health\", ok)\n\tsub := rg.Group(\"/healthz\")\n\t\
                       r.Mount(\"/health\", mux)\n\tr.GET(\"/livez\", live)\n}\n";
        assert_eq!(file_health_routes(&lex::source(grouped).tokens), [("/livez".to_string(), 8)]);
    }
}
