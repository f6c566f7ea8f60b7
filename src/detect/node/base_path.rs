//! The URL path a static site is built for (Vite's `base`, Astro's `base`, Nuxt's `app.baseURL`, a GitHub Pages
//! `homepage`...): its pages name their assets under that path, so nginx must serve the build there, or every
//! script and stylesheet answers 404.

use super::outputs::{config_setting, ConfigValue};
use super::{App, Fact, Facts};
use crate::validate;

/// Where each static framework takes the path its site is built for.
enum Setting {
    /// A setting of its config file (`<stem>.config.*`).
    Config(&'static str, &'static [&'static str]),
    /// A package.json field holding a URL (Create React App's `homepage`).
    PackageUrl(&'static str),
    /// angular.json's build option `baseHref`.
    AngularBaseHref,
}

/// Per framework (as detection names it): the setting, and the build-script flag that overrides it.
const BASE_SETTINGS: &[(&str, Setting, Option<&str>)] = &[
    ("vite", Setting::Config("vite", &["base"]), Some("--base")),
    ("astro", Setting::Config("astro", &["base"]), Some("--base")),
    ("vue-cli", Setting::Config("vue", &["publicPath"]), None),
    ("nuxt", Setting::Config("nuxt", &["app", "baseURL"]), None),
    ("sveltekit", Setting::Config("svelte", &["kit", "paths", "base"]), None),
    ("nextjs", Setting::Config("next", &["basePath"]), None),
    ("create-react-app", Setting::PackageUrl("homepage"), None),
    ("angular", Setting::AngularBaseHref, Some("--base-href")),
];

const REMEDY: &str = "if the site is built for a sub-path, pass --set base_path=/PATH/ so nginx serves it there";

/// Records `base_path` for a static site built for a sub-path; nothing for the root or a relative base (`./`),
/// which work wherever the files are served.
pub(super) fn site_base(app: &App, facts: &mut Facts, warnings: &mut Vec<String>) {
    let Some(framework) = facts.get("framework").and_then(|f| f.value.as_str().map(String::from)) else {
        return;
    };
    let Some((_, setting, flag)) = BASE_SETTINGS.iter().find(|(name, _, _)| *name == framework) else {
        return;
    };
    let from_script = flag.and_then(|flag| script_flag(app, flag));
    let found = from_script.or_else(|| match setting {
        Setting::Config(stem, path) => match config_setting(app, stem, path, REMEDY, warnings) {
            ConfigValue::Set(fact) => Some(fact),
            ConfigValue::Unset | ConfigValue::Unknown => None,
        },
        Setting::PackageUrl(key) => app.package.str(key).map(|url| Fact::new(url, app.at(key))),
        Setting::AngularBaseHref => angular_base_href(app),
    });
    let Some(found) = found else { return };
    let written = found.value.as_str().unwrap_or_default();
    let Some(path) = url_path_of(written) else {
        return;
    };
    if path == "/" {
        return;
    }
    let note = format!(
        "the {framework} build names its files under {path}: served there, / redirects to it; --set base_path=/ \
         serves it at the root"
    );
    facts.insert("base_path".into(), Fact::new(path, found.source).with_note(note));
}

/// `vite build --base=/docs/` or `--base /docs/` in the build script.
fn script_flag(app: &App, flag: &str) -> Option<Fact> {
    let (script, source) = app.build_script()?;
    let words: Vec<&str> = script.split_whitespace().collect();
    let prefix = format!("{flag}=");
    words.iter().enumerate().find_map(|(i, word)| {
        let value = match word.strip_prefix(&prefix) {
            Some(value) => value,
            None if *word == flag => words.get(i + 1)?,
            None => return None,
        };
        let value = value.trim_matches(['"', '\'']);
        Some(Fact::new(value, source.clone()))
    })
}

/// The first application project's `baseHref` in angular.json.
fn angular_base_href(app: &App) -> Option<Fact> {
    let doc = app.context.read_json(&super::join_rel(&app.dir, "angular.json")).ok()?;
    let projects = doc.object("projects")?;
    let name = projects
        .iter()
        .find(|(_, project)| project.get("projectType").and_then(serde_json::Value::as_str) == Some("application"))
        .map(|(name, _)| name.clone())?;
    let key = format!("projects.{name}.architect.build.options.baseHref");
    let value = doc.str(&key)?;
    Some(Fact::new(value, format!("{}:{}", app.file("angular.json"), doc.line(&key))))
}

/// The path part of a base as frameworks accept it: `/docs`, `/docs/`, `https://me.github.io/docs/`; None for a
/// relative base (`./`, `.`, empty), which needs no serving path, and for anything that is not a plain path.
fn url_path_of(written: &str) -> Option<String> {
    let path = match written.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |slash| &rest[slash..]),
        None => written,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return None;
    }
    validate::url_path(path).ok()
}

#[cfg(test)]
mod tests {
    use super::url_path_of;

    #[test]
    fn base_paths_in_one_spelling() {
        assert_eq!(url_path_of("/docs").as_deref(), Some("/docs/"));
        assert_eq!(url_path_of("/a/b/").as_deref(), Some("/a/b/"));
        assert_eq!(url_path_of("https://me.github.io/repo").as_deref(), Some("/repo/"));
        assert_eq!(url_path_of("https://example.com").as_deref(), Some("/"));
        assert_eq!(url_path_of("./"), None);
        assert_eq!(url_path_of(""), None);
        assert_eq!(url_path_of("."), None);
        assert_eq!(url_path_of("/a b/"), None);
    }
}
