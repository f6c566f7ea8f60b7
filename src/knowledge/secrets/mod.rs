//! The words that mark a credential in a variable's name (words.toml).

use std::sync::OnceLock;

use serde::Deserialize;

use super::table;

const SECRETS_TOML: &str = include_str!("words.toml");

#[derive(Deserialize, Default)]
struct Secrets {
    words: Vec<String>,
}

/// Upper-case words (`TOKEN`, `PASSWORD`) a credential's name contains.
pub(crate) fn words() -> &'static [String] {
    static SECRETS: OnceLock<Secrets> = OnceLock::new();
    &SECRETS.get_or_init(|| table(SECRETS_TOML)).words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses() {
        let parsed: Secrets = toml::from_str(SECRETS_TOML).unwrap();
        assert!(parsed.words.iter().all(|w| *w == w.to_ascii_uppercase()));
        assert!(parsed.words.iter().any(|w| w == "PASSWORD"));
    }
}
