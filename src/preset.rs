//! Presets: TOML data (images, defaults, questions, template names) embedded from `presets/`, and the Tera
//! templates from `templates/` they name. Users add or shadow both from layers (`--presets-dir`, a project's
//! `.dockgen/`, the user config folder), each holding `presets/*.toml` and `templates/**`. A preset is chosen
//! for a detected stack or by `--preset`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use include_dir::{include_dir, Dir};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::files;

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
    /// A package or script name (`build`, `@acme/web`): letters, digits and `@/._:~+-`.
    Name,
    /// A command run in exec form (`node dist/main.js`): words separated by spaces, each quoted on output.
    Command,
    /// Go build tags, comma-separated (`sqlite,fs_embed`); `none` for no tags.
    Tags,
    /// The URL path a site is served under (`/docs/`); `/` for the root.
    UrlPath,
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
    /// Needed only when these answers or facts have these values (`{ launch = "classpath" }`, a list meaning
    /// any of them); otherwise the answer may stay unset and the templates test `is defined`.
    #[serde(default)]
    pub needed_when: IndexMap<String, toml::Value>,
    /// Not needed when any of these answers or facts is set (a build script, where the framework's own build
    /// command stands in for it).
    #[serde(default)]
    pub needed_unless: Vec<String>,
    /// Never asked for: set by detection or by the user when it applies, and tested with `is defined` in the
    /// templates (a build script a plain JavaScript server does not have).
    #[serde(default)]
    pub optional: bool,
    /// For a port: why `none` cannot be the answer (nginx and Next.js always listen).
    pub refuse_none: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    #[serde(skip)]
    pub name: String,
    /// The TOML text the preset was read from, for `presets show` and `presets eject`.
    #[serde(skip)]
    pub source_text: String,
    /// Where it was defined: `built-in`, or the file it was read from.
    #[serde(skip)]
    pub source: String,
    /// Every template visible to this preset (built-in, shadowed by the layers), with where each came from.
    #[serde(skip)]
    pub templates: Arc<Templates>,
    pub description: String,
    /// The detected stack this preset builds (`go`).
    pub stack: String,
    /// The preset chosen for its stack when `--preset` is not given; one per stack.
    #[serde(default)]
    pub default_for_stack: bool,
    /// When several presets are defaults for one stack, the facts that make this one fit
    /// (`{ kind = "static" }`); the preset whose conditions all hold, most conditions first, is chosen.
    #[serde(default)]
    pub default_when: IndexMap<String, toml::Value>,
    pub dockerfile_template: String,
    pub dockerignore_template: String,
    /// More files the preset writes beside the Dockerfile (`nginx.conf`), by name → template.
    #[serde(default)]
    pub extra_files: IndexMap<String, String>,
    /// The answer or fact that holds the build context's folder relative to PATH (`../..` for an app inside a
    /// workspace); the .dockerignore is written there. Unset: PATH is the context.
    pub context: Option<String>,
    /// The plan a terminal session shows: answers confirmed even when known, pre-filled so Enter accepts them.
    #[serde(default = "default_ask")]
    pub ask: Vec<String>,
    /// Answers that `dockgen detect` shows with their default when detection found nothing (`port`).
    #[serde(default)]
    pub report_defaults: Vec<String>,
    pub answers: IndexMap<String, AnswerSpec>,
    /// Combinations of answers the images cannot run, each with why and what to pick instead.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    /// `[when.cgo]`: defaults that replace `answers.*.default` when the named boolean answer is true.
    #[serde(default)]
    pub when: IndexMap<String, IndexMap<String, toml::Value>>,
}

/// `[[conflicts]]`: answers that together make an image that cannot work (a cgo binary on scratch).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    pub when: IndexMap<String, toml::Value>,
    pub why: String,
}

fn default_ask() -> Vec<String> {
    ["builder_image", "runtime_image", "port"].map(String::from).to_vec()
}

/// Template path (`go/Dockerfile.tera`) → (text, where it came from).
pub type Templates = IndexMap<String, (String, String)>;

/// A folder of user presets and templates, and how `presets list` names it.
#[derive(Debug, Clone)]
pub struct Layer {
    pub label: String,
    pub dir: PathBuf,
}

/// The layers in force, lowest first: the user config folder, the project's `.dockgen/` (None with
/// `--no-project-config`), `--presets-dir`.
pub fn layers(project: Option<&Path>, presets_dir: Option<&Path>) -> Vec<Layer> {
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")));
    let mut out = Vec::new();
    if let Some(config) = config_home {
        out.push(Layer {
            label: "user config".into(),
            dir: config.join("dockgen"),
        });
    }
    if let Some(project) = project {
        out.push(Layer {
            label: "project".into(),
            dir: project.join(".dockgen"),
        });
    }
    if let Some(dir) = presets_dir {
        out.push(Layer {
            label: "--presets-dir".into(),
            dir: dir.to_path_buf(),
        });
    }
    out
}

/// The preset and template files in use that are not built in (from a project's `.dockgen/`, the user config
/// folder or `--presets-dir`): a project can replace what dockgen writes, so every run says so.
pub fn custom_files(presets: &[Preset]) -> Vec<String> {
    const BUILT_IN: &str = "built-in";
    let mut files: std::collections::BTreeSet<String> = presets
        .iter()
        .filter(|p| p.source != BUILT_IN)
        .map(|p| p.source.clone())
        .collect();
    if let Some(first) = presets.first() {
        files.extend(
            first
                .templates
                .values()
                .filter(|(_, origin)| origin != BUILT_IN)
                .map(|(_, origin)| origin.clone()),
        );
    }
    files.into_iter().collect()
}

/// A preset's TOML text and where it came from.
struct Source {
    text: String,
    origin: String,
}

/// Every built-in preset, in name order.
pub fn builtin() -> Result<Vec<Preset>> {
    load(&[])
}

/// Every preset: built-in ones, then each layer's, a later one shadowing an earlier one of the same name.
pub fn load(layers: &[Layer]) -> Result<Vec<Preset>> {
    let mut sources: IndexMap<String, Source> = IndexMap::new();
    for file in BUILTIN_PRESETS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
    {
        let name = file
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = file
            .contents_utf8()
            .with_context(|| format!("built-in preset {name}.toml is not UTF-8"))?;
        sources.insert(
            name,
            Source {
                text: text.to_string(),
                origin: "built-in".into(),
            },
        );
    }
    let mut templates = Templates::new();
    collect_templates(&BUILTIN_TEMPLATES, &mut templates);
    for layer in layers {
        read_layer(layer, &mut sources, &mut templates)?;
    }
    let templates = Arc::new(templates);
    let tables = Sources::new(&sources);
    let mut presets = sources
        .keys()
        .map(|name| {
            let origin = &sources[name].origin;
            let shown = if origin == "built-in" {
                format!("built-in preset {name}.toml")
            } else {
                origin.clone()
            };
            let mut preset = parse(name, &tables).with_context(|| shown)?;
            preset.templates = Arc::clone(&templates);
            Ok(preset)
        })
        .collect::<Result<Vec<_>>>()?;
    presets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(presets)
}

/// A layer's `presets/*.toml` and `templates/**/*.tera`. Only regular files inside the layer's folder (links
/// resolved) are read, each at most `files::PRESET_CAP` bytes; a link to a folder is not followed.
fn read_layer(layer: &Layer, sources: &mut IndexMap<String, Source>, templates: &mut Templates) -> Result<()> {
    let inside = files::boundary(&layer.dir);
    let presets_dir = layer.dir.join("presets");
    if let Ok(entries) = std::fs::read_dir(&presets_dir) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = read_layer_file(&path, &inside)?;
            sources.insert(
                name,
                Source {
                    text,
                    origin: files::printable(&path.display().to_string()),
                },
            );
        }
    }
    let templates_dir = layer.dir.join("templates");
    read_templates(&templates_dir, &templates_dir, &inside, 0, templates)
}

fn read_layer_file(path: &Path, inside: &Path) -> Result<String> {
    files::read_text_within(path, Some(inside), files::PRESET_CAP)
        .map_err(|why| anyhow::anyhow!(why.about(&path.display().to_string())))
}

/// Template folders nest a level or two; deeper is not a template tree.
const MAX_TEMPLATE_DEPTH: usize = 8;

fn read_templates(root: &Path, dir: &Path, inside: &Path, depth: usize, templates: &mut Templates) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        // The entry's own type: a link to a folder is not a folder here, so no walk follows links.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && depth < MAX_TEMPLATE_DEPTH {
            read_templates(root, &path, inside, depth + 1, templates)?;
        } else if !is_dir && path.extension().is_some_and(|e| e == "tera") {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let text = read_layer_file(&path, inside)?;
            templates.insert(name, (text, files::printable(&path.display().to_string())));
        }
    }
    Ok(())
}

/// The presets' sources with the TOML table of each, parsed once however many presets extend it.
struct Sources<'s> {
    sources: &'s IndexMap<String, Source>,
    tables: std::cell::RefCell<std::collections::HashMap<String, toml::Table>>,
}

impl<'s> Sources<'s> {
    fn new(sources: &'s IndexMap<String, Source>) -> Self {
        Sources {
            sources,
            tables: std::cell::RefCell::default(),
        }
    }

    fn table(&self, name: &str, source: &Source) -> Result<toml::Table> {
        if let Some(table) = self.tables.borrow().get(name) {
            return Ok(table.clone());
        }
        let table: toml::Table =
            toml::from_str(&source.text).map_err(|e| anyhow::anyhow!(files::toml_error(&e, &source.text)))?;
        self.tables.borrow_mut().insert(name.to_string(), table.clone());
        Ok(table)
    }
}

/// Reads the TOML table of preset `name`, with the table of the preset it `extends` merged underneath.
fn merged_table(name: &str, sources: &Sources, depth: usize) -> Result<toml::Table> {
    if depth > 8 {
        bail!("`extends` chain is too long or circular at `{name}`");
    }
    let source = sources
        .sources
        .get(name)
        .with_context(|| format!("extends unknown preset `{name}`"))?;
    let mut table = sources.table(name, source)?;
    let Some(parent) = table.remove("extends") else {
        return Ok(table);
    };
    let parent_name = parent.as_str().context("`extends` must be a preset name")?;
    let mut base = merged_table(parent_name, sources, depth + 1)?;
    // Being the default for a stack is a property of one preset, never inherited.
    base.remove("default_for_stack");
    base.remove("default_when");
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

fn parse(name: &str, sources: &Sources) -> Result<Preset> {
    let table = merged_table(name, sources, 0)?;
    let sources = sources.sources;
    let mut preset: Preset = table
        .try_into()
        .map_err(|e: toml::de::Error| anyhow::anyhow!(files::excerpt(&e.to_string().trim_end().replace('\n', " "))))?;
    preset.name = name.to_string();
    preset.source_text.clone_from(&sources[name].text);
    preset.source.clone_from(&sources[name].origin);
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

/// The preset used for a detected stack when the user names none: of the stack's defaults, the one whose
/// `default_when` conditions hold for `values`, the most specific first. None when none fits.
pub fn default_for<'a>(presets: &'a [Preset], stack: &str, values: &Map<String, Value>) -> Option<&'a Preset> {
    presets
        .iter()
        .filter(|p| p.stack == stack && p.default_for_stack && conditions_hold(&p.default_when, values))
        .max_by_key(|p| p.default_when.len())
}

/// True when every `key = value` condition holds in `values`; a list of values means any of them.
pub fn conditions_hold(conditions: &IndexMap<String, toml::Value>, values: &Map<String, Value>) -> bool {
    fn json(value: &toml::Value) -> Value {
        match value {
            toml::Value::String(s) => Value::from(s.clone()),
            toml::Value::Boolean(b) => Value::from(*b),
            toml::Value::Integer(i) => Value::from(*i),
            other => Value::from(other.to_string()),
        }
    }
    conditions.iter().all(|(key, expected)| {
        let actual = values.get(key);
        match expected {
            toml::Value::Array(any) => any.iter().any(|e| actual == Some(&json(e))),
            single => actual == Some(&json(single)),
        }
    })
}

/// The text of the built-in template `name` (`go/Dockerfile.tera`).
pub(crate) fn builtin_template(name: &str) -> Option<&'static str> {
    BUILTIN_TEMPLATES.get_file(name)?.contents_utf8()
}

/// The names of every built-in template.
#[cfg(test)]
pub(crate) fn builtin_template_names() -> Vec<String> {
    let mut templates = Templates::new();
    collect_templates(&BUILTIN_TEMPLATES, &mut templates);
    templates.into_keys().collect()
}

fn collect_templates(dir: &'static Dir<'static>, out: &mut Templates) {
    for file in dir.files() {
        if let Some(text) = file.contents_utf8() {
            out.insert(
                file.path().to_string_lossy().replace('\\', "/"),
                (text.to_string(), "built-in".into()),
            );
        }
    }
    for sub in dir.dirs() {
        collect_templates(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(items: &[(&str, &str)]) -> IndexMap<String, Source> {
        items
            .iter()
            .map(|(name, text)| {
                (
                    (*name).to_string(),
                    Source {
                        text: (*text).to_string(),
                        origin: "test".into(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn every_builtin_preset_parses_and_names_existing_templates() {
        let presets = builtin().unwrap();
        assert!(presets.len() >= 2);
        for preset in &presets {
            assert!(
                preset.templates.contains_key(&preset.dockerfile_template),
                "{}",
                preset.name
            );
            assert!(
                preset.templates.contains_key(&preset.dockerignore_template),
                "{}",
                preset.name
            );
        }
    }

    #[test]
    fn each_stack_has_defaults_that_never_tie() {
        let presets = builtin().unwrap();
        for preset in &presets {
            let defaults: Vec<&Preset> = presets
                .iter()
                .filter(|p| p.stack == preset.stack && p.default_for_stack)
                .collect();
            assert!(!defaults.is_empty(), "stack {} has no default preset", preset.stack);
            for (i, a) in defaults.iter().enumerate() {
                for b in &defaults[i + 1..] {
                    assert_ne!(a.default_when, b.default_when, "{} and {} tie", a.name, b.name);
                }
            }
        }
    }

    #[test]
    fn a_preset_with_an_unknown_field_is_rejected_with_its_name() {
        let sources = sources(&[(
            "x",
            "description = 'd'\nstack = 'go'\ndockerfile_template = 'a'\ndockerignore_template = 'b'\nbogus = 1\n[answers]\n",
        )]);
        let err = parse("x", &Sources::new(&sources)).unwrap_err().to_string();
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn extends_merges_tables_but_not_the_stack_default() {
        let sources = sources(&[
            (
                "base",
                "description = 'b'\nstack = 'go'\ndefault_for_stack = true\ndockerfile_template = 'a'\ndockerignore_template = 'b'\n[answers.port]\nkind = 'port'\nhelp = 'h'\ndefault = 1\n",
            ),
            ("child", "extends = 'base'\ndescription = 'c'\n[answers.port]\ndefault = 2\n"),
        ]);
        let child = parse("child", &Sources::new(&sources)).unwrap();
        assert!(!child.default_for_stack);
        assert_eq!(child.description, "c");
        assert_eq!(child.answers["port"].help, "h");
        assert_eq!(child.answers["port"].default, Some(toml::Value::Integer(2)));
    }
}
