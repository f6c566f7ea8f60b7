//! Private package indexes and the credentials they need at build time: the variables an index URL reads
//! (`--extra-index-url https://${PIP_TOKEN}@pkgs.example.com/simple` in a requirement file, a Pipfile or PDM
//! source), and the variables uv and Poetry read a named index's credentials from
//! (`UV_INDEX_<NAME>_USERNAME`/`_PASSWORD`, `POETRY_HTTP_BASIC_<NAME>_USERNAME`/`_PASSWORD`). They become
//! build secrets, mounted for the install only; never build arguments, which stay in the image's history.

use std::path::Path;

use crate::detect::read_small_text;

/// The variables the install's package indexes need, each once with where, and warnings for credentials
/// written into a URL itself.
#[derive(Debug, Default)]
pub(super) struct IndexSecrets {
    pub(super) names: Vec<(String, String)>,
    pub(super) warnings: Vec<String>,
}

impl IndexSecrets {
    fn add(&mut self, name: String, source: &str) {
        if crate::validate::is_env_name(&name) && !self.names.iter().any(|(n, _)| *n == name) {
            self.names.push((name, source.to_string()));
        }
    }

    /// A URL's `${VAR}` references; a password written into it is warned about.
    fn url(&mut self, url: &str, source: &str) {
        let mut rest = url;
        while let Some(at) = rest.find("${") {
            let after = &rest[at + 2..];
            let Some(end) = after.find('}') else { break };
            self.add(after[..end].to_string(), source);
            rest = &after[end + 1..];
        }
        if !url.contains('$') && crate::validate::holds_password(url) {
            self.warnings.push(format!(
                "{source}: the index URL holds a password, which every copy of the repository (and the build \
                 context) carries: read it from a variable (${{PIP_PASSWORD}}), which the image takes as a build secret"
            ));
        }
    }
}

/// The secrets of the indexes named in requirement files (`urls`), pyproject.toml's uv, Poetry and PDM
/// sources, and the Pipfile's.
pub(super) fn secrets(root: &Path, urls: &[(String, String)]) -> IndexSecrets {
    let mut found = IndexSecrets::default();
    for (url, source) in urls {
        found.url(url, source);
    }
    let table = |file: &str| read_small_text(&root.join(file)).and_then(|text| text.parse::<toml::Table>().ok());
    if let Some(pyproject) = table("pyproject.toml") {
        let tool = pyproject.get("tool").and_then(toml::Value::as_table);
        let list = |tool_name: &str, key: &str| -> Vec<toml::Table> {
            tool.and_then(|t| t.get(tool_name))
                .and_then(|t| t.get(key))
                .and_then(toml::Value::as_array)
                .map(|a| a.iter().filter_map(|i| i.as_table().cloned()).collect())
                .unwrap_or_default()
        };
        for (tool_name, key, prefix) in [("uv", "index", "UV_INDEX_"), ("poetry", "source", "POETRY_HTTP_BASIC_")] {
            for index in list(tool_name, key) {
                let (Some(name), Some(url)) = (text(&index, "name"), text(&index, "url")) else { continue };
                if crate::knowledge::python::is_public_index(url) {
                    continue;
                }
                let source = format!("pyproject.toml ([tool.{tool_name}] {key} {name})");
                let upper: String =
                    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
                found.add(format!("{prefix}{upper}_USERNAME"), &source);
                found.add(format!("{prefix}{upper}_PASSWORD"), &source);
                found.url(url, &source);
            }
        }
        for source_table in list("pdm", "source") {
            let source = "pyproject.toml ([[tool.pdm.source]])";
            for key in ["url", "username", "password"] {
                if let Some(value) = text(&source_table, key) {
                    found.url(value, source);
                }
            }
        }
    }
    if let Some(pipfile) = table("Pipfile") {
        for source_table in pipfile.get("source").and_then(toml::Value::as_array).into_iter().flatten() {
            if let Some(url) = source_table.get("url").and_then(toml::Value::as_str) {
                found.url(url, "Pipfile ([[source]])");
            }
        }
    }
    found
}

fn text<'a>(table: &'a toml::Table, key: &str) -> Option<&'a str> {
    table.get(key).and_then(toml::Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_urls_and_named_indexes_need_secrets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[[tool.uv.index]]\nname = \"acme-internal\"\nurl = \"https://pkgs.acme.dev/simple\"\n\
             [[tool.uv.index]]\nname = \"pypi\"\nurl = \"https://pypi.org/simple\"\n\
             [[tool.uv.index]]\nname = \"pytorch-cpu\"\nurl = \"https://download.pytorch.org/whl/cpu\"\nexplicit = true\n",
        )
        .unwrap();
        let urls = vec![
            ("https://${PIP_USER}:${PIP_TOKEN}@pkgs.acme.dev/simple".to_string(), "r.txt:1".to_string()),
            ("https://bob:hunter2@pkgs.acme.dev/simple".to_string(), "r.txt:2".to_string()),
            ("https://${1BAD}@x".to_string(), "r.txt:3".to_string()),
        ];
        let found = secrets(dir.path(), &urls);
        let names: Vec<&str> = found.names.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            vec!["PIP_USER", "PIP_TOKEN", "UV_INDEX_ACME_INTERNAL_USERNAME", "UV_INDEX_ACME_INTERNAL_PASSWORD"]
        );
        assert_eq!(found.warnings.len(), 1);
        assert!(found.warnings[0].starts_with("r.txt:2: the index URL holds a password"));
    }
}
