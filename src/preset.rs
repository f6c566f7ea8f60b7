//! Presets: TOML data (images, defaults, questions, template names) embedded from `presets/`, and the Tera
//! templates from `templates/` they name. A preset is chosen for a detected stack or by `--preset`.

use anyhow::{bail, Context, Result};
use include_dir::{include_dir, Dir};
use indexmap::IndexMap;
use serde::Deserialize;

static BUILTIN_PRESETS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/presets");
static BUILTIN_TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// What kind of value an answer holds; decides how `--set` text is parsed and how it is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Image,
    Port,
    Bool,
    Version,
    /// A relative path inside the build context.
    Path,
    /// A file name without directories.
    FileName,
    /// A relative path the build creates (so it need not exist yet).
    OutputPath,
    /// A Java class name such as `com.example.Main`.
    ClassName,
    /// One of `choices`.
    Choice,
}

/// One value the templates need, with how to obtain it when neither the user nor detection provides it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerSpec {
    pub kind: Kind,
    /// One line shown in `presets show`, in prompts and in "missing answer" errors.
    pub help: String,
    /// A literal, or a string with `{{ other_answer }}` references resolved against the other answers.
    pub default: Option<toml::Value>,
    #[serde(default)]
    pub choices: Vec<String>,
    /// Needed only when these answers or facts have these values (`{ launch = "classpath" }`); otherwise
    /// the answer may stay unset and the templates test `is defined`.
    #[serde(default)]
    pub needed_when: IndexMap<String, toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    #[serde(skip)]
    pub name: String,
    /// The TOML text the preset was read from, for `presets show`.
    #[serde(skip)]
    pub source_text: String,
    pub description: String,
    /// The detected stack this preset builds (`go`).
    pub stack: String,
    /// The preset chosen for its stack when `--preset` is not given; one per stack.
    #[serde(default)]
    pub default_for_stack: bool,
    pub dockerfile_template: String,
    pub dockerignore_template: String,
    /// Answers that `dockgen detect` shows with their default when detection found nothing (`port`).
    #[serde(default)]
    pub report_defaults: Vec<String>,
    pub answers: IndexMap<String, AnswerSpec>,
    /// `[when.cgo]`: defaults that replace `answers.*.default` when the named boolean answer is true.
    #[serde(default)]
    pub when: IndexMap<String, IndexMap<String, toml::Value>>,
}

/// Every preset dockgen knows, in name order.
pub fn builtin() -> Result<Vec<Preset>> {
    let sources: IndexMap<String, &str> = BUILTIN_PRESETS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .map(|file| {
            let name = file
                .path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = file
                .contents_utf8()
                .with_context(|| format!("built-in preset {name}.toml is not UTF-8"))?;
            Ok((name, text))
        })
        .collect::<Result<_>>()?;
    let mut presets = sources
        .keys()
        .map(|name| parse(name, &sources).with_context(|| format!("built-in preset {name}.toml")))
        .collect::<Result<Vec<_>>>()?;
    presets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(presets)
}

/// Reads the TOML table of preset `name`, with the table of the preset it `extends` merged underneath.
fn merged_table(name: &str, sources: &IndexMap<String, &str>, depth: usize) -> Result<toml::Table> {
    if depth > 8 {
        bail!("`extends` chain is too long or circular at `{name}`");
    }
    let text = sources
        .get(name)
        .with_context(|| format!("extends unknown preset `{name}`"))?;
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end().replace('\n', " ")))?;
    let Some(parent) = table.remove("extends") else {
        return Ok(table);
    };
    let parent_name = parent.as_str().context("`extends` must be a preset name")?;
    let mut base = merged_table(parent_name, sources, depth + 1)?;
    // Being the default for a stack is a property of one preset, never inherited.
    base.remove("default_for_stack");
    merge(&mut base, table);
    Ok(base)
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_table)), toml::Value::Table(overlay_table)) => {
                merge(base_table, overlay_table);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn parse(name: &str, sources: &IndexMap<String, &str>) -> Result<Preset> {
    let table = merged_table(name, sources, 0)?;
    let mut preset: Preset = table
        .try_into()
        .map_err(|e: toml::de::Error| anyhow::anyhow!("{}", e.to_string().trim_end().replace('\n', " ")))?;
    preset.name = name.to_string();
    preset.source_text = sources[name].to_string();
    for (flag, defaults) in &preset.when {
        if preset.answers.get(flag).map(|spec| spec.kind) != Some(Kind::Bool) {
            bail!("[when.{flag}] needs a boolean answer named {flag}");
        }
        if let Some(unknown) = defaults.keys().find(|key| !preset.answers.contains_key(*key)) {
            bail!("[when.{flag}] sets `{unknown}`, which is not an answer of this preset");
        }
    }
    Ok(preset)
}

/// Finds a preset by name; an unknown name lists the known ones.
pub fn find<'a>(presets: &'a [Preset], name: &str) -> Result<&'a Preset> {
    presets.iter().find(|p| p.name == name).ok_or_else(|| {
        let known: Vec<&str> = presets.iter().map(|p| p.name.as_str()).collect();
        anyhow::anyhow!("unknown preset `{name}` (known: {})", known.join(", "))
    })
}

/// The preset used for a detected stack when the user names none.
pub fn default_for_stack<'a>(presets: &'a [Preset], stack: &str) -> Option<&'a Preset> {
    presets.iter().find(|p| p.stack == stack && p.default_for_stack)
}

/// The text of a built-in template, by its path under `templates/`.
pub fn template_text(path: &str) -> Result<&'static str> {
    BUILTIN_TEMPLATES
        .get_file(path)
        .and_then(|f| f.contents_utf8())
        .with_context(|| format!("template {path} is not a built-in template"))
}

/// Every built-in template as (path, text), so partials can be included from any template.
pub fn all_templates() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    collect_templates(&BUILTIN_TEMPLATES, &mut out);
    out
}

fn collect_templates(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static str)>) {
    for file in dir.files() {
        if let Some(text) = file.contents_utf8() {
            out.push((file.path().to_string_lossy().replace('\\', "/"), text));
        }
    }
    for sub in dir.dirs() {
        collect_templates(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_preset_parses_and_names_existing_templates() {
        let presets = builtin().unwrap();
        assert!(presets.len() >= 2);
        for preset in &presets {
            template_text(&preset.dockerfile_template).unwrap();
            template_text(&preset.dockerignore_template).unwrap();
        }
    }

    #[test]
    fn each_stack_has_exactly_one_default_preset() {
        let presets = builtin().unwrap();
        for preset in &presets {
            let defaults = presets
                .iter()
                .filter(|p| p.stack == preset.stack && p.default_for_stack)
                .count();
            assert_eq!(defaults, 1, "stack {}", preset.stack);
        }
    }

    #[test]
    fn a_preset_with_an_unknown_field_is_rejected_with_its_name() {
        let sources = IndexMap::from([(
            "x".to_string(),
            "description = 'd'\nstack = 'go'\ndockerfile_template = 'a'\ndockerignore_template = 'b'\nbogus = 1\n[answers]\n",
        )]);
        let err = parse("x", &sources).unwrap_err().to_string();
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn extends_merges_tables_but_not_the_stack_default() {
        let sources = IndexMap::from([
            (
                "base".to_string(),
                "description = 'b'\nstack = 'go'\ndefault_for_stack = true\ndockerfile_template = 'a'\ndockerignore_template = 'b'\n[answers.port]\nkind = 'port'\nhelp = 'h'\ndefault = 1\n",
            ),
            ("child".to_string(), "extends = 'base'\ndescription = 'c'\n[answers.port]\ndefault = 2\n"),
        ]);
        let child = parse("child", &sources).unwrap();
        assert!(!child.default_for_stack);
        assert_eq!(child.description, "c");
        assert_eq!(child.answers["port"].help, "h");
        assert_eq!(child.answers["port"].default, Some(toml::Value::Integer(2)));
    }
}
