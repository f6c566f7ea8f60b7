//! An answer's text parsed and validated for its kind (port, image, path...): one place, used when answers are
//! resolved and as the user types at a terminal.

use anyhow::{bail, Result};
use indexmap::IndexMap;
use serde_json::Value;

use crate::preset::{AnswerSpec, Kind};
use crate::validate;

/// Parses and validates an answer's text for its kind.
pub fn parse(spec: &AnswerSpec, text: &str) -> Result<Value> {
    let text = text.trim();
    if text.is_empty() {
        bail!("an empty answer is not a value");
    }
    Ok(match spec.kind {
        Kind::Image => {
            validate::image_reference(text)?;
            Value::from(text)
        }
        // A program that does not listen: no EXPOSE.
        Kind::Port if text == "none" => match &spec.refuse_none {
            Some(why) => bail!("`none` is not a port for this preset: {why}"),
            None => Value::Null,
        },
        Kind::Port => {
            let n: i64 = text
                .parse()
                .map_err(|_| anyhow::anyhow!("`{text}` is not a valid port (1-65535)"))?;
            Value::from(validate::port(n)?)
        }
        Kind::Bool => match text {
            "true" | "yes" | "1" => Value::Bool(true),
            "false" | "no" | "0" => Value::Bool(false),
            _ => bail!("`{text}` is not true or false"),
        },
        Kind::Version => {
            validate::version(text)?;
            Value::from(text)
        }
        Kind::Path => {
            let path = normalise_path(text);
            validate::context_path(&path)?;
            Value::from(path)
        }
        Kind::FileName => {
            validate::file_name(text)?;
            Value::from(text)
        }
        Kind::OutputPath => {
            validate::context_path(text)?;
            Value::from(text)
        }
        Kind::ClassName => {
            validate::class_name(text)?;
            Value::from(text)
        }
        Kind::Name => {
            validate::package_name(text)?;
            Value::from(text)
        }
        Kind::Command => {
            validate::command(text)?;
            Value::from(text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Kind::Tags if text == "none" => Value::Null,
        Kind::Tags => Value::from(validate::build_tags(text)?),
        Kind::UrlPath => Value::from(validate::url_path(text)?),
        Kind::Choice => {
            if !spec.choices.iter().any(|c| c == text) {
                bail!("`{text}` is not one of {}", spec.choices.join(", "));
            }
            Value::from(text)
        }
    })
}

/// Checks typed text for a kind, for validation as the user types (choices are picked from a list).
pub fn check_text(kind: Kind, text: &str) -> Result<(), String> {
    let spec = AnswerSpec {
        kind,
        help: String::new(),
        default: None,
        choices: Vec::new(),
        needed_when: IndexMap::new(),
        needed_unless: Vec::new(),
        optional: false,
        refuse_none: None,
    };
    parse(&spec, text).map(|_| ()).map_err(|e| format!("{e:#}"))
}

/// `./cmd/api`, `cmd/api` and `./cmd/api/` as one spelling.
pub(crate) fn normalise_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
    if trimmed.is_empty() || trimmed == "." {
        ".".into()
    } else {
        format!("./{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: Kind) -> AnswerSpec {
        AnswerSpec {
            kind,
            help: String::new(),
            default: None,
            choices: vec!["a".into()],
            optional: false,
            needed_when: IndexMap::new(),
            needed_unless: Vec::new(),
            refuse_none: None,
        }
    }

    #[test]
    fn parses_each_kind_and_rejects_bad_text() {
        assert_eq!(parse(&spec(Kind::Port), " 8080 ").unwrap(), Value::from(8080));
        assert!(parse(&spec(Kind::Port), "80a").is_err());
        assert_eq!(parse(&spec(Kind::Port), "none").unwrap(), Value::Null);
        assert_eq!(parse(&spec(Kind::Bool), "yes").unwrap(), Value::Bool(true));
        assert_eq!(parse(&spec(Kind::Path), "cmd/api/").unwrap(), Value::from("./cmd/api"));
        assert_eq!(parse(&spec(Kind::Path), ".").unwrap(), Value::from("."));
        assert!(parse(&spec(Kind::Path), "../etc").is_err());
        assert!(parse(&spec(Kind::Choice), "b").is_err());
        assert!(parse(&spec(Kind::Image), "alpine:3.20\nRUN x").is_err());
        assert_eq!(parse(&spec(Kind::UrlPath), "/docs").unwrap(), Value::from("/docs/"));
        assert_eq!(parse(&spec(Kind::UrlPath), "//").unwrap(), Value::from("/"));
        assert!(parse(&spec(Kind::UrlPath), "/a/../b").is_err());
        assert!(parse(&spec(Kind::UrlPath), "docs").is_err());
        assert!(parse(&spec(Kind::UrlPath), "/a b/").is_err());
    }
}
