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
    let grouped = crate::knowledge::services::groups_routes("go", |name| {
        tokens.iter().any(|(token, _)| matches!(token, Token::Ident(ident) if ident == name))
    });
    if grouped {
        return Vec::new();
    }
    tokens
        .windows(2)
        .filter_map(|pair| match (&pair[0].0, &pair[1]) {
            (Token::Punct('('), (Token::Str(route), line)) if crate::knowledge::services::is_health_path(route) => {
                let path = route.strip_prefix("GET ").unwrap_or(route).trim();
                Some((path.to_string(), *line))
            }
            _ => None,
        })
        .collect()
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
        let grouped = "package main\nfunc routes(r *gin.Engine) {\n\tv1 := r.Group(\"/api/v1\")\n\tv1.GET(\"/ping\", pong)\n}\n";
        assert!(file_health_routes(&lex::source(grouped).tokens).is_empty());
    }
}
