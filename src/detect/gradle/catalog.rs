//! The version catalog, `gradle/libs.versions.toml`: its plugin aliases (`libs.plugins.spring.boot` → id and
//! version), libraries (`libs.ktor.server` → `group:artifact:version`) and bundles.

/// An entry's `version = "3.0.0"`, or its `version.ref = "ktor"` read from `[versions]`.
fn version_of(spec: &toml::Table, versions: Option<&toml::Table>) -> Option<String> {
    match spec.get("version")? {
        toml::Value::String(v) => Some(v.clone()),
        toml::Value::Table(v) => versions?.get(v.get("ref")?.as_str()?)?.as_str().map(String::from),
        _ => None,
    }
}

/// A catalog bundle: its accessor and its libraries' accessors.
pub(super) type Bundle = (String, Vec<String>);

/// The catalog's `[plugins]`: `spring-boot = { id = "org.springframework.boot", version.ref = "boot" }` is the
/// accessor `libs.plugins.spring.boot` (Gradle reads `-`, `_` and `.` as one separator).
pub(super) fn catalog_plugins(text: &str) -> Vec<(String, String, Option<String>)> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else { return Vec::new() };
    let versions = table.get("versions").and_then(toml::Value::as_table);
    let Some(plugins) = table.get("plugins").and_then(toml::Value::as_table) else { return Vec::new() };
    plugins
        .iter()
        .filter_map(|(alias, spec)| {
            let (id, version) = match spec {
                // `alias = "id:version"`
                toml::Value::String(notation) => {
                    let (id, version) = notation.split_once(':').map_or((notation.as_str(), None), |(i, v)| (i, Some(v.to_string())));
                    (id.to_string(), version)
                }
                toml::Value::Table(spec) => {
                    let id = spec.get("id")?.as_str()?.to_string();
                    let version = version_of(spec, versions);
                    (id, version)
                }
                _ => return None,
            };
            Some((format!("libs.plugins.{}", alias.replace(['-', '_'], ".")), id, version))
        })
        .collect()
}

/// The catalog's `[libraries]` as accessors to `group:artifact` (`spring-boot-web = { module = "g:a" }`,
/// `{ group = "g", name = "a" }` or `"g:a:v"`), and its `[bundles]` as accessors to library accessors.
pub(super) fn catalog_libraries(text: &str) -> (Vec<(String, String)>, Vec<Bundle>) {
    let Ok(table) = toml::from_str::<toml::Table>(text) else { return (Vec::new(), Vec::new()) };
    let accessor = |prefix: &str, key: &str| format!("libs.{prefix}{}", key.replace(['-', '_'], "."));
    let versions = table.get("versions").and_then(toml::Value::as_table);
    let libraries = table
        .get("libraries")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .filter_map(|(key, spec)| {
            let module = match spec {
                toml::Value::String(notation) => notation.clone(),
                toml::Value::Table(spec) => {
                    let module = match spec.get("module").and_then(toml::Value::as_str) {
                        Some(module) => module.to_string(),
                        None => format!("{}:{}", spec.get("group")?.as_str()?, spec.get("name")?.as_str()?),
                    };
                    // `version = "3.0.0"` or `version.ref = "ktor"`: kept as the notation's third part.
                    let version = version_of(spec, versions);
                    version.map_or(module.clone(), |v| format!("{module}:{v}"))
                }
                _ => return None,
            };
            Some((accessor("", key), module))
        })
        .collect();
    let bundles = table
        .get("bundles")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .map(|(key, members)| {
            let members = members
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| Some(accessor("", m.as_str()?)))
                .collect();
            (accessor("bundles.", key), members)
        })
        .collect();
    (libraries, bundles)
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_aliases_resolve_to_ids_and_versions() {
        let catalog = "[versions]\nboot = \"3.3.2\"\n[plugins]\nspring-boot = { id = \"org.springframework.boot\", version.ref = \"boot\" }\nktlint = \"org.jlleitschuh.gradle.ktlint:12.1.0\"\n";
        let plugins = catalog_plugins(catalog);
        assert!(plugins.contains(&("libs.plugins.spring.boot".into(), "org.springframework.boot".into(), Some("3.3.2".into()))));
        assert!(plugins.contains(&("libs.plugins.ktlint".into(), "org.jlleitschuh.gradle.ktlint".into(), Some("12.1.0".into()))));
    }

    #[test]
    fn catalog_libraries_and_bundles_resolve_to_modules() {
        let catalog = "[libraries]\nspring-boot-web = { module = \"org.springframework.boot:spring-boot-starter-web\" }\n\
                       ktor-server = { group = \"io.ktor\", name = \"ktor-server-netty\", version = \"3.0.0\" }\n\
                       pg = \"org.postgresql:postgresql:42.7.4\"\n[bundles]\nweb = [\"ktor-server\", \"pg\"]\n";
        let (libraries, bundles) = catalog_libraries(catalog);
        assert!(libraries.contains(&("libs.spring.boot.web".into(), "org.springframework.boot:spring-boot-starter-web".into())));
        assert!(libraries.contains(&("libs.ktor.server".into(), "io.ktor:ktor-server-netty:3.0.0".into())));
        assert_eq!(bundles, vec![("libs.bundles.web".to_string(), vec!["libs.ktor.server".to_string(), "libs.pg".to_string()])]);
    }
}
