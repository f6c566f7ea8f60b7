//! The frameworks' own configuration files (application.properties / .yml / .yaml under src/main/resources)
//! and the settings dockgen reads from them: the port, and Quarkus' package type.

use std::path::Path;

use crate::detect::{join_rel, read_small_text, Fact};

/// One module's settings, profile-free keys flattened (`server.port`), each with `file:line`. Profiles that
/// do not apply in a container are left out: Spring's later YAML documents, Quarkus' `%dev.`/`%test.` keys.
#[derive(Debug, Default)]
pub(in crate::detect) struct Settings {
    entries: Vec<(String, String, String)>,
    /// The config files read from the working directory at run time: where the repository has each, and where
    /// the program looks for it (`config/application.yml`).
    working_dir_files: Vec<(String, String)>,
}

impl Settings {
    pub(in crate::detect) fn get(&self, key: &str) -> Option<(&str, &str)> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, s)| (v.as_str(), s.as_str()))
    }

    /// Every setting: key, value, `file:line`.
    pub(in crate::detect) fn entries(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.entries
            .iter()
            .map(|(k, v, s)| (k.as_str(), v.as_str(), s.as_str()))
    }

    /// Every setting whose value is a connection URL (`spring.datasource.url=jdbc:postgresql://…`): key,
    /// value, `file:line`.
    pub(in crate::detect) fn urls(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.entries
            .iter()
            .filter(|(_, value, _)| value.contains("://"))
            .map(|(k, v, s)| (k.as_str(), v.as_str(), s.as_str()))
    }

    /// The config files the program reads from its working directory: where each is in the repository, and
    /// where it goes beside the program.
    pub(in crate::detect) fn working_dir_files(&self) -> &[(String, String)] {
        &self.working_dir_files
    }

    /// A port setting as a fact; a value that is not a port (`${PORT}` with no default) is None.
    pub(in crate::detect) fn port(&self, keys: &[&str]) -> Option<Fact> {
        let (value, source) = keys.iter().find_map(|key| self.get(key))?;
        port_value(value).map(|p| Fact::new(p, source))
    }
}

/// The framework config names, in the order a key's first value wins.
const CONFIG_NAMES: &[&str] = &["application.properties", "application.yml", "application.yaml"];

/// A module's settings: application.properties, .yml and .yaml in its working-directory folders (`config/`, then
/// the module's own folder: Spring Boot and Quarkus read them from where the program runs, over the packaged
/// ones), then in src/main/resources (`config/`, then its root); a key's first value wins. Files the repository
/// ignores are someone's local settings and are left out.
pub(in crate::detect) fn read(root: &Path, module_dir: &str, warnings: &mut Vec<String>) -> Settings {
    let resources = join_rel(module_dir, "src/main/resources");
    let mut settings = Settings::default();
    let folders = [
        (join_rel(module_dir, "config"), Some("config/")),
        (module_dir.to_string(), Some("")),
        (join_rel(&resources, "config"), None),
        (resources, None),
    ];
    for (folder, working_dir) in folders {
        for name in CONFIG_NAMES {
            let rel = join_rel(&folder, name);
            if working_dir.is_some() && crate::detect::walk::is_gitignored(root, &rel) {
                continue;
            }
            let Some(text) = read_config(root, &rel, warnings) else {
                continue;
            };
            let entries = if name.ends_with(".properties") {
                properties_entries(&text, &rel)
            } else {
                match yaml_entries(&text, &rel) {
                    Ok(entries) => entries,
                    Err(why) => {
                        warnings.push(format!("{rel}: not valid YAML ({why}); its settings are ignored"));
                        continue;
                    }
                }
            };
            if let Some(prefix) = working_dir {
                settings
                    .working_dir_files
                    .push((rel.clone(), format!("{prefix}{name}")));
            }
            settings.entries.extend(entries);
        }
    }
    settings
}

/// `key=value` (or `key: value`) lines of a .properties file.
pub(in crate::detect) fn properties_entries(text: &str, rel: &str) -> Vec<(String, String, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            if line.starts_with(['#', '!']) {
                return None;
            }
            let (key, value) = line.split_once(['=', ':'])?;
            Some((
                key.trim().to_string(),
                value.trim().to_string(),
                format!("{rel}:{}", i + 1),
            ))
        })
        .collect()
}

/// The first YAML document's scalars under their dotted paths (`server:` `port: 8081` → `server.port`).
/// Later documents are profiles (`spring.config.activate.on-profile`), which do not apply by default.
fn yaml_entries(text: &str, rel: &str) -> Result<Vec<(String, String, String)>, String> {
    let first = first_document(text);
    if first.trim().is_empty() {
        return Ok(Vec::new());
    }
    let doc = marked_yaml::parse_yaml(0, first).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    flatten(&doc, "", rel, &mut out);
    Ok(out)
}

fn first_document(text: &str) -> &str {
    let mut offset = 0;
    let mut seen_content = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("---") {
            if seen_content {
                return &text[..offset];
            }
        } else if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            seen_content = true;
        }
        offset += line.len();
    }
    text
}

fn flatten(node: &marked_yaml::Node, prefix: &str, rel: &str, out: &mut Vec<(String, String, String)>) {
    match node {
        marked_yaml::Node::Mapping(map) => {
            for (key, value) in map.iter() {
                let path = if prefix.is_empty() {
                    key.as_str().to_string()
                } else {
                    format!("{prefix}.{}", key.as_str())
                };
                flatten(value, &path, rel, out);
            }
        }
        marked_yaml::Node::Scalar(scalar) => {
            let line = node.span().start().map_or(1, marked_yaml::Marker::line);
            out.push((prefix.to_string(), scalar.as_str().to_string(), format!("{rel}:{line}")));
        }
        marked_yaml::Node::Sequence(_) => {}
    }
}

/// An optional framework config: absent is normal; present but unreadable (binary, not UTF-8, huge, not a
/// regular file) is said, since the settings in it are then not used.
fn read_config(root: &Path, rel: &str, warnings: &mut Vec<String>) -> Option<String> {
    let path = root.join(rel);
    if std::fs::symlink_metadata(&path).is_err() {
        return None;
    }
    let text = read_small_text(&path);
    if text.is_none() {
        warnings.push(format!(
            "{rel} is not readable UTF-8 text of at most 4 MB; its settings are ignored"
        ));
    }
    text
}

/// `8081` or a placeholder's default, `${PORT:8081}`.
pub(in crate::detect) fn port_value(value: &str) -> Option<u16> {
    let value = value.trim().trim_matches('"').trim_matches('\'');
    let digits = match value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        Some(placeholder) => placeholder.split_once(':')?.1,
        None => value,
    };
    digits.parse().ok().filter(|p| *p > 0)
}

pub(in crate::detect) fn fuzz_text(text: &str) -> usize {
    properties_entries(text, "a.properties").len() + yaml_entries(text, "a.yml").map_or(0, |e| e.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_from_values_and_placeholders() {
        assert_eq!(port_value("8081"), Some(8081));
        assert_eq!(port_value("${PORT:9000}"), Some(9000));
        assert_eq!(port_value("${PORT}"), None);
        assert_eq!(port_value("0"), None);
    }

    #[test]
    fn yaml_is_flattened_from_the_first_document_only() {
        let text = "# c\nserver:\n  port: 8081\nquarkus.http.port: 9000\n\"%prod\":\n  quarkus:\n    http:\n      port: 7000\n---\nserver:\n  port: 1\n";
        let entries = yaml_entries(text, "a.yml").unwrap();
        let settings = Settings {
            entries,
            ..Settings::default()
        };
        assert_eq!(settings.get("server.port"), Some(("8081", "a.yml:3")));
        assert_eq!(settings.get("quarkus.http.port"), Some(("9000", "a.yml:4")));
        assert_eq!(settings.get("%prod.quarkus.http.port"), Some(("7000", "a.yml:8")));
        assert_eq!(settings.entries.len(), 3);
    }
}
