//! The environment variables a Go program reads by name (`os.Getenv("DATABASE_URL")`, `os.LookupEnv`), the
//! names compose.yaml wires to the backing services; and the health endpoint it registers, compose.yaml's
//! health check.

use crate::detect::lex::Token;

/// The names `os.Getenv` and `os.LookupEnv` read in a file, each with its line.
pub(super) fn file_env(tokens: &[(Token, usize)], calls: &[usize]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for &i in calls.iter().filter(|&&i| i >= 2) {
        let (Token::Ident(call), line) = &tokens[i] else { continue };
        if !matches!(call.as_str(), "Getenv" | "LookupEnv")
            || tokens[i - 1].0 != Token::Punct('.')
            || !matches!(&tokens[i - 2].0, Token::Ident(receiver) if receiver == "os")
        {
            continue;
        }
        if let (Some((Token::Punct('('), _)), Some((Token::Str(name), _))) = (tokens.get(i + 1), tokens.get(i + 2)) {
            if crate::validate::is_env_name(name) {
                found.push((name.to_string(), *line));
            }
        }
    }
    found
}

/// Calls that stop the program (`log.Fatal`, `os.Exit`, `panic`).
const STOPS: &[&str] = &["Fatal", "Fatalf", "Fatalln", "Exit", "panic", "Panic", "Panicf", "Panicln"];

/// The variables a file stops the program without: read by name, then tested empty in an `if` whose block stops
/// it (`if os.Getenv("APP_ENV") == "" { log.Fatal(…) }`, or through the name it is bound to), each with the read's
/// line. The running container must be given them.
pub(super) fn file_required_env(tokens: &[(Token, usize)], reads: &[(String, usize)]) -> Vec<(String, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    for (name, line) in reads {
        // The read itself, and the local name it is bound to on its line (`x := os.Getenv("X")`).
        let at = tokens.iter().position(|(t, l)| *l == *line && matches!(t, Token::Str(s) if s == name));
        let Some(at) = at else { continue };
        // `local := os.Getenv(` or `local = os.Getenv(`: the name sits before the assignment and `os . Getenv (`.
        let before = |back: usize| at.checked_sub(back).and_then(|k| tokens.get(k));
        let bound = match (before(7), before(6), before(5)) {
            (Some((Token::Ident(local), l)), Some((Token::Punct(':'), _)), Some((Token::Punct('='), _))) if l == line => {
                Some(local.as_str())
            }
            (_, Some((Token::Ident(local), l)), Some((Token::Punct('='), _))) if l == line => Some(local.as_str()),
            _ => None,
        };
        let tested_here = matches!(tokens.get(at + 2..at + 4), Some([(Token::Punct('='), _), (Token::Punct('='), _)]))
            && matches!(tokens.get(at + 4), Some((Token::Str(empty), _)) if empty.is_empty());
        let stops_after = |from: usize| block_stops(tokens, from);
        let required = (tested_here && stops_after(at + 5))
            || bound.is_some_and(|local| {
                (at..tokens.len().saturating_sub(4)).any(|k| {
                    matches!(&tokens[k].0, Token::Ident(i) if i == "if")
                        && matches!(&tokens[k + 1].0, Token::Ident(n) if n == local)
                        && tokens[k + 2].0 == Token::Punct('=')
                        && tokens[k + 3].0 == Token::Punct('=')
                        && matches!(&tokens[k + 4].0, Token::Str(empty) if empty.is_empty())
                        && stops_after(k + 5)
                })
            });
        if required && !found.iter().any(|(known, _)| known == name) {
            found.push((name.clone(), *line));
        }
    }
    found
}

/// Whether the block opening at or just after `from` (`{`) calls one of `STOPS` before it closes.
fn block_stops(tokens: &[(Token, usize)], from: usize) -> bool {
    let Some(open) = (from..tokens.len().min(from + 3)).find(|&k| tokens[k].0 == Token::Punct('{')) else {
        return false;
    };
    let mut depth = 0usize;
    for (token, _) in &tokens[open..] {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            Token::Ident(name) if STOPS.contains(&name.as_str()) => return true,
            _ => {}
        }
    }
    false
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

    fn env_of(tokens: &[(Token, usize)]) -> Vec<(String, usize)> {
        file_env(tokens, &lex::call_positions(tokens))
    }

    #[test]
    fn getenv_and_lookupenv_names() {
        let src = "package main\nimport \"os\"\nfunc main() {\n\turl := os.Getenv(\"DATABASE_URL\")\n\t\
                   _, ok := os.LookupEnv(\"REDIS_ADDR\")\n\tx := cfg.Getenv(\"NOT_OS\")\n\ty := os.Getenv(name)\n}\n";
        let found = env_of(&lex::source(src).tokens);
        assert_eq!(found, [("DATABASE_URL".to_string(), 4), ("REDIS_ADDR".to_string(), 5)]);
    }

    #[test]
    fn variables_the_program_stops_without() {
        let src = "package main\nimport \"os\"\nfunc main() {\n\tif os.Getenv(\"APP_ENV\") == \"\" {\n\t\tlog.Fatal(\"APP_ENV\")\n\t}\n\t\
                   token := os.Getenv(\"TOKEN\")\n\tif token == \"\" {\n\t\tpanic(\"no token\")\n\t}\n\t\
                   port := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"8080\"\n\t}\n}\n";
        let tokens = lex::source(src).tokens;
        let reads = env_of(&tokens);
        let required: Vec<String> = file_required_env(&tokens, &reads).into_iter().map(|(name, _)| name).collect();
        assert_eq!(required, ["APP_ENV", "TOKEN"]);
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
