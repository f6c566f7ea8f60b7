//! package.json (and other JSON manifests) read with `serde_json`, plus the line each key is on, so every fact
//! taken from it can name `package.json:12`.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// `line:column: what`, from serde's error (which ends with its own `at line L column C`).
fn where_and_what(e: &serde_json::Error) -> String {
    let what = e.to_string();
    let what = what.split(" at line ").next().unwrap_or(&what).to_string();
    format!("{}:{}: {what}", e.line(), e.column())
}

/// `parse` on the text of the file shown as `shown`: an empty file is said as such, an error names the file.
fn in_file<T>(text: &str, shown: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> anyhow::Result<T> {
    if text.trim().is_empty() {
        anyhow::bail!("{shown} is empty: it needs at least `{{}}`");
    }
    parse(text).map_err(|e| anyhow::anyhow!("{shown}:{e}"))
}

/// A parsed JSON document and the 1-based line of every object key, by dotted path (`scripts.build`).
#[derive(Debug, Clone)]
pub(crate) struct JsonDoc {
    pub(crate) value: Value,
    lines: HashMap<String, usize>,
}

impl JsonDoc {
    /// Parses `text`; the error says where (`line 3 column 7: expected ...`).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| where_and_what(&e))?;
        Ok(JsonDoc {
            value,
            lines: key_lines(text),
        })
    }

    /// Parses the file shown as `shown` (`apps/web/package.json`); the error names it and says where, or that the
    /// file is empty.
    pub(crate) fn parse_file(text: &str, shown: &str) -> anyhow::Result<Self> {
        in_file(text, shown, Self::parse)
    }

    /// Only the fields of `T` from the file shown as `shown`, with the same errors as `parse_file`: for a big
    /// file (a lockfile) of which one field is read, neither a tree of every value nor every key's line.
    pub(crate) fn parse_fields<T: serde::de::DeserializeOwned>(text: &str, shown: &str) -> anyhow::Result<T> {
        in_file(text, shown, |text| serde_json::from_str(text).map_err(|e| where_and_what(&e)))
    }

    /// The line of the key at `path` (`engines.node`), else 1.
    pub(crate) fn line(&self, path: &str) -> usize {
        self.lines.get(path).copied().unwrap_or(1)
    }

    pub(crate) fn get(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(&self.value, |v, key| v.get(key))
    }

    pub(crate) fn str(&self, path: &str) -> Option<&str> {
        self.get(path).and_then(Value::as_str)
    }

    pub(crate) fn object(&self, path: &str) -> Option<&Map<String, Value>> {
        self.get(path).and_then(Value::as_object)
    }
}

/// Walks JSON text that `serde_json` already accepted and records the line of each object key. Keys containing
/// a dot are recorded as written, so lookups of such keys simply fall back to line 1.
fn key_lines(text: &str) -> HashMap<String, usize> {
    #[derive(PartialEq)]
    enum Frame {
        Object(Option<String>),
        Array,
    }
    let mut lines = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut line = 1;
    let mut expecting_key = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '{' => {
                stack.push(Frame::Object(None));
                expecting_key = true;
            }
            '[' => {
                stack.push(Frame::Array);
                expecting_key = false;
            }
            '}' | ']' => {
                if let Some(Frame::Object(Some(_))) = stack.pop() {
                    path.pop();
                }
                expecting_key = false;
            }
            ',' => expecting_key = matches!(stack.last(), Some(Frame::Object(_))),
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                s.push(escaped);
                            }
                        }
                        _ => s.push(c),
                    }
                }
                if expecting_key {
                    if let Some(Frame::Object(current)) = stack.last_mut() {
                        if current.is_some() {
                            path.pop();
                        }
                        *current = Some(s.clone());
                        path.push(s);
                        lines.entry(path.join(".")).or_insert(line);
                    }
                    expecting_key = false;
                }
            }
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_know_their_lines() {
        let doc = JsonDoc::parse(
            "{\n  \"name\": \"a\",\n  \"scripts\": {\n    \"build\": \"vite build\",\n    \"x\": \"}\\\"{\"\n  },\n  \"engines\": {\"node\": \">=18\"}\n}\n",
        )
        .unwrap();
        assert_eq!(doc.line("name"), 2);
        assert_eq!(doc.line("scripts.build"), 4);
        assert_eq!(doc.line("scripts.x"), 5);
        assert_eq!(doc.line("engines.node"), 7);
        assert_eq!(doc.str("engines.node"), Some(">=18"));
    }

    #[test]
    fn errors_say_where() {
        let err = JsonDoc::parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert!(err.starts_with("3:1: "), "{err}");
        let err = JsonDoc::parse_file("{\n  \"a\": 1,\n}", "web/package.json").unwrap_err();
        assert!(err.to_string().starts_with("web/package.json:3:1: "), "{err}");
    }

    #[test]
    fn an_empty_file_is_called_empty() {
        for text in ["", " \n\n"] {
            let err = JsonDoc::parse_file(text, "package.json").unwrap_err().to_string();
            assert_eq!(err, "package.json is empty: it needs at least `{}`");
        }
    }
}
