//! Where a Node build writes its output: a framework config's setting (Vite's `build.outDir` under `root`,
//! Astro's `outDir`), a build script's output flag, or a bundler's default. Read by the framework table and by
//! the server's shipped-files rules alike.

use super::js::config::{exported_setting, Setting};
use super::{App, Fact};

/// A framework's config file, `<stem>.config.{ts,js,mts,mjs,cjs}`: the first that exists, with its text.
pub(super) fn framework_config(app: &App, stem: &str) -> Option<(String, String)> {
    let names = ["ts", "js", "mts", "mjs", "cjs"].map(|ext| format!("{stem}.config.{ext}"));
    app.config(&names.each_ref().map(String::as_str))
}

/// What settles an output folder dockgen cannot read from a config.
pub(super) const OUTPUT_DIR_REMEDY: &str = "pass --set output_dir=DIR with the folder the build writes";

/// A setting of a framework config, as detection uses it.
pub(super) enum ConfigValue {
    /// Set to a known value: a fact pointing at its line.
    Set(Fact),
    /// Not set (or no config): the framework's default applies.
    Unset,
    /// Set to something only running the config would tell: said as a warning naming the `--set` key.
    Unknown,
}

impl ConfigValue {
    /// The value, the default when unset, None when it cannot be known.
    pub(super) fn or_default(self, default: Fact) -> Option<Fact> {
        match self {
            ConfigValue::Set(fact) => Some(fact),
            ConfigValue::Unset => Some(default),
            ConfigValue::Unknown => None,
        }
    }

    /// The value when the config sets one that is known.
    pub(super) fn set(self) -> Option<Fact> {
        match self {
            ConfigValue::Set(fact) => Some(fact),
            ConfigValue::Unset | ConfigValue::Unknown => None,
        }
    }
}

/// The setting at `path` (`["build", "outDir"]`) of the framework's config file; when it cannot be known
/// statically, a warning names the line and what settles it (`remedy`).
pub(super) fn config_setting(
    app: &App,
    stem: &str,
    path: &[&str],
    remedy: &str,
    warnings: &mut Vec<String>,
) -> ConfigValue {
    match framework_config(app, stem) {
        Some(config) => setting_in(config, path, remedy, warnings),
        None => ConfigValue::Unset,
    }
}

/// [`config_setting`] in a config file already found (as the user sees it, with its text).
pub(super) fn setting_in(
    (file, text): (String, String),
    path: &[&str],
    remedy: &str,
    warnings: &mut Vec<String>,
) -> ConfigValue {
    let name = file.rsplit('/').next().unwrap_or(&file);
    match exported_setting(&text, name, path) {
        Setting::Value { value, line } => ConfigValue::Set(Fact::new(value, format!("{file}:{line}"))),
        Setting::Unset => ConfigValue::Unset,
        Setting::Unknown { line } => {
            warnings.push(format!(
                "{file}:{line}: cannot tell `{}` without running the config (not a literal, or built from \
                 something dockgen does not evaluate): {remedy}",
                path.join(".")
            ));
            ConfigValue::Unknown
        }
    }
}

/// Astro's output folder: `outDir`, dist/ by default.
pub(super) fn astro_output(app: &App, astro: &Fact, warnings: &mut Vec<String>) -> Option<Fact> {
    let default = Fact::new("dist", astro.source.clone()).with_note("Astro's default outDir");
    config_setting(app, "astro", &["outDir"], OUTPUT_DIR_REMEDY, warnings).or_default(default)
}

/// Vite's output folder: `build.outDir` under `root` (both relative to the config's folder).
pub(super) fn vite_output(app: &App, vite: &Fact, warnings: &mut Vec<String>) -> Option<Fact> {
    let default = Fact::new("dist", vite.source.clone()).with_note("Vite's default outDir");
    let out_dir = config_setting(app, "vite", &["build", "outDir"], OUTPUT_DIR_REMEDY, warnings).or_default(default)?;
    let root = config_setting(app, "vite", &["root"], OUTPUT_DIR_REMEDY, warnings);
    match root {
        ConfigValue::Unset => Some(out_dir),
        ConfigValue::Unknown => None,
        ConfigValue::Set(root) => {
            let (Some(root_dir), Some(out)) = (root.value.as_str(), out_dir.value.as_str()) else {
                return None;
            };
            let joined = super::js::eval::join(root_dir, out);
            Some(Fact::new(joined, out_dir.source.clone()).with_note(format!("outDir under root {root_dir}")))
        }
    }
}

/// A folder the build script names with a common output flag, or the default of a known bundler.
pub(super) fn static_output(script: &str) -> Option<String> {
    let words: Vec<&str> = script.split_whitespace().collect();
    let flags = ["--out-dir", "--outdir", "--dist-dir", "--output-path", "--outDir"];
    if let Some(folder) = (0..words.len()).find_map(|i| flags.iter().find_map(|flag| flag_folder(&words, i, flag))) {
        return Some(folder);
    }
    let tool = words.first()?;
    matches!(*tool, "parcel" | "webpack" | "rspack").then(|| "dist".to_string())
}

/// The folder the word at `at` gives when it is `flag` (`--out-dir site`, `--out-dir=./site/`): `site`.
pub(super) fn flag_folder<S: AsRef<str>>(words: &[S], at: usize, flag: &str) -> Option<String> {
    let word = words.get(at)?.as_ref();
    let value = match word.strip_prefix(flag)? {
        "" => words.get(at + 1)?.as_ref(),
        rest => rest.strip_prefix('=')?,
    };
    Some(value.trim_start_matches("./").trim_end_matches('/').to_string())
}

/// The static hosts' configs and the key of each that names the folder they publish.
const HOSTING_CONFIGS: &[(&str, &str)] =
    &[("vercel.json", "outputDirectory"), ("netlify.toml", "publish"), ("firebase.json", "\"public\"")];

/// The output folder the project's static hosting config publishes: vercel.json's `outputDirectory`,
/// netlify.toml's `[build] publish` (without a `base` folder), firebase.json's `hosting.public`. Each host serves
/// the folder the build writes, so it names that folder.
pub(super) fn hosting_output(app: &App) -> Option<Fact> {
    HOSTING_CONFIGS.iter().find_map(|(file, key)| {
        let text = app.text(file)?;
        let value = published_folder(file, &text)?;
        let line = text.lines().position(|l| l.contains(key)).map_or(1, |at| at + 1);
        Some(Fact::new(value, format!("{}:{line}", app.file(file))).with_note("the folder the project's static host publishes"))
    })
}

/// The folder one hosting config (`file`, with its `text`) publishes, relative to the app; None when it names
/// none, the app itself, or one below another base folder.
fn published_folder(file: &str, text: &str) -> Option<String> {
    let value = match file {
        "vercel.json" => serde_json::from_str::<serde_json::Value>(text).ok()?["outputDirectory"].as_str()?.to_string(),
        "netlify.toml" => {
            let netlify = text.parse::<toml::Table>().ok()?;
            let build = netlify.get("build")?.as_table()?;
            let base = build.get("base").and_then(toml::Value::as_str).unwrap_or(".");
            if !matches!(base.trim_matches('/'), "" | ".") {
                return None;
            }
            build.get("publish")?.as_str()?.to_string()
        }
        _ => {
            let firebase: serde_json::Value = serde_json::from_str(text).ok()?;
            let hosting = &firebase["hosting"];
            hosting["public"].as_str().or_else(|| hosting[0]["public"].as_str())?.to_string()
        }
    };
    let value = value.trim_start_matches("./").trim_end_matches('/');
    (!value.is_empty() && value != ".").then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_outputs_from_build_scripts() {
        assert_eq!(static_output("parcel build index.html").as_deref(), Some("dist"));
        assert_eq!(
            static_output("esbuild app.js --bundle --outdir=public/js").as_deref(),
            Some("public/js")
        );
        assert_eq!(static_output("tsc && cp -r x y"), None);
    }

    #[test]
    fn folders_static_hosts_publish() {
        assert_eq!(published_folder("vercel.json", r#"{"outputDirectory": "./site/"}"#).as_deref(), Some("site"));
        assert_eq!(published_folder("netlify.toml", "[build]\npublish = \"public\"\n").as_deref(), Some("public"));
        // Below another base folder, the publish path is that folder's.
        assert_eq!(published_folder("netlify.toml", "[build]\nbase = \"web\"\npublish = \"dist\"\n"), None);
        assert_eq!(published_folder("firebase.json", r#"{"hosting": {"public": "build"}}"#).as_deref(), Some("build"));
        assert_eq!(published_folder("firebase.json", r#"{"hosting": [{"public": "www"}]}"#).as_deref(), Some("www"));
        assert_eq!(published_folder("vercel.json", r#"{"outputDirectory": "."}"#), None);
        assert_eq!(published_folder("vercel.json", "not json"), None);
    }
}
