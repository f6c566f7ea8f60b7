//! The environment variables a Go program reads by name (`os.Getenv("DATABASE_URL")`, `os.LookupEnv`): the
//! names compose.yaml wires to the backing services.

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
}
