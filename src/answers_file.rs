//! `dockgen.toml`: the answers of a run, saved by `init --save` and read by every later `init`, so CI and
//! project templates reproduce the same Dockerfile with `--yes`. It ranks below flags and `DOCKGEN_*`, above
//! detected facts and preset defaults.

use std::path::Path;

use anyhow::{bail, Result};
use indexmap::IndexMap;
use serde::Deserialize;

use crate::answers::Resolved;
use crate::files;
use crate::origin::{Given, Origin};
use crate::preset::Preset;

pub use crate::origin::ANSWERS_FILE as FILE_NAME;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersFile {
    pub preset: Option<String>,
    /// `--file`: the Dockerfile's name.
    pub file: Option<String>,
    #[serde(default)]
    pub answers: IndexMap<String, toml::Value>,
    #[serde(default)]
    pub run: RunInputs,
    #[serde(default)]
    pub build: BuildInputs,
    #[serde(default)]
    pub compose: ComposeInputs,
}

/// `--arg` and `--env`, each value written as the flag takes it (`NAME=VALUE`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInputs {
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
}

/// `--build-env` and `--secret`, each value written as the flag takes it (`NAME[=VALUE]`, `ID`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildInputs {
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub secrets: Vec<String>,
}

/// `--compose` and `--services`: whether compose.yaml is written, and the services it runs when they are not
/// the detected ones.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComposeInputs {
    #[serde(default)]
    pub write: bool,
    pub services: Option<Vec<String>>,
}

/// The inputs of a run that are not template answers: lists given by repeatable flags, and the file name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub run: RunInputs,
    pub build: BuildInputs,
    pub compose: ComposeInputs,
    /// The Dockerfile's name when it is not `Dockerfile`.
    pub file: Option<String>,
}

/// Reads `PATH/dockgen.toml` when it exists; a syntax error or unknown key names the file and the key.
pub fn load(root: &Path) -> Result<Option<AnswersFile>> {
    let path = root.join(FILE_NAME);
    let shown = path.display().to_string();
    let inside = files::boundary(root);
    let refused = |why: files::Refusal| anyhow::anyhow!(why.about(&shown));
    if files::kind_within(&path, Some(&inside)).map_err(refused)? != files::Kind::File {
        return Ok(None);
    }
    let text = files::read_text_within(&path, Some(&inside), files::ANSWERS_CAP).map_err(refused)?;
    let file: AnswersFile = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", files::printable(&shown), files::toml_error(&e, &text)))?;
    Ok(Some(file))
}

impl AnswersFile {
    /// The answers as given values, each naming the file and key it came from.
    pub fn given(&self) -> Result<IndexMap<String, Given>> {
        let mut given = IndexMap::new();
        for (key, value) in &self.answers {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => bail!(
                    "{FILE_NAME}: answers.{key} must be a string, number or boolean, not {}",
                    other.type_str()
                ),
            };
            given.insert(
                key.clone(),
                Given {
                    text,
                    origin: Origin::AnswersFile(key.clone()),
                },
            );
        }
        Ok(given)
    }
}

/// The decisions worth recording: the preset, every choice detection could not settle alone, and whatever
/// was given (flags, DOCKGEN_*, this file) or typed at the prompt. Values derived from the repository or from
/// other answers (the images from the Go/Node/Java line, the binary from the main package) are derived again
/// on every run, so bumping go.mod, engines or the pom flows through to the Dockerfile.
///
/// An existing file (`existing`, its text) is edited in place: its comments, order and other keys stay, the
/// preset and the recorded answers are set; a new answer gets its help line as a comment.
pub fn render(
    preset: &Preset,
    resolved: &Resolved,
    choices: &[String],
    inputs: &Inputs,
    existing: Option<&str>,
) -> String {
    let existing = existing.and_then(|text| text.parse::<toml_edit::DocumentMut>().ok());
    let fresh = existing.is_none();
    let mut doc = existing.unwrap_or_default();
    set_keeping_decor(
        doc.as_table_mut(),
        "preset",
        toml_edit::Value::from(preset.name.as_str()),
    );
    if fresh {
        if let Some(mut key) = doc.key_mut("preset") {
            key.leaf_decor_mut().set_prefix(
                "# dockgen answers: `dockgen init --yes` reproduces the same Dockerfile from these and the \
                 repository.\n# Flags and DOCKGEN_* variables override them; delete a line to let detection decide \
                 again.\n",
            );
        }
    }
    match &inputs.file {
        Some(file) => {
            set_keeping_decor(doc.as_table_mut(), "file", toml_edit::Value::from(file.as_str()));
        }
        None => {
            doc.remove("file");
        }
    }
    if !doc.contains_table("answers") {
        let mut table = toml_edit::Table::new();
        table.set_implicit(false);
        doc.insert("answers", toml_edit::Item::Table(table));
    }
    let Some(answers) = doc["answers"].as_table_mut() else {
        // `answers` is something else than a table: load() rejects such a file, so this is unreachable in
        // practice; leave the document as it is rather than lose the user's text.
        return doc.to_string();
    };
    // In the preset's order, so a new file reads like the preset.
    let recorded = preset
        .answers
        .keys()
        .filter_map(|key| resolved.answers.get_key_value(key))
        .filter(|(key, answer)| choices.contains(key) || answer.is_given() || answer.is_prompted());
    for (key, answer) in recorded {
        let value = match &answer.value {
            serde_json::Value::String(s) => toml_edit::Value::from(s.as_str()),
            serde_json::Value::Bool(b) => toml_edit::Value::from(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map_or_else(|| toml_edit::Value::from(n.to_string()), toml_edit::Value::from),
            // A port that is none.
            serde_json::Value::Null => toml_edit::Value::from("none"),
            other => toml_edit::Value::from(other.to_string()),
        };
        if !set_keeping_decor(answers, key, value) {
            if let Some(mut entry) = answers.key_mut(key) {
                entry
                    .leaf_decor_mut()
                    .set_prefix(format!("# {}\n", preset.answers[key.as_str()].help));
            }
        }
    }
    set_list_section(&mut doc, "run", &[("args", &inputs.run.args), ("env", &inputs.run.env)]);
    set_list_section(
        &mut doc,
        "build",
        &[("env", &inputs.build.env), ("secrets", &inputs.build.secrets)],
    );
    set_compose_section(&mut doc, &inputs.compose);
    doc.to_string()
}

/// A section of lists (`[run]` with `args` and `env`): each list set, an empty one removed, and the section
/// removed when nothing is left in it.
fn set_list_section(doc: &mut toml_edit::DocumentMut, section: &str, lists: &[(&str, &Vec<String>)]) {
    if !doc.contains_table(section) {
        if lists.iter().all(|(_, values)| values.is_empty()) {
            return;
        }
        let mut table = toml_edit::Table::new();
        table.set_implicit(false);
        doc.insert(section, toml_edit::Item::Table(table));
    }
    let Some(table) = doc[section].as_table_mut() else {
        return;
    };
    for (key, values) in lists {
        if values.is_empty() {
            table.remove(key);
        } else {
            let array: toml_edit::Array = values.iter().map(String::as_str).collect();
            set_keeping_decor(table, key, toml_edit::Value::Array(array));
        }
    }
    if table.is_empty() {
        doc.remove(section);
    }
}

/// `[compose]`: `write = true` and the chosen `services`, or no section when compose.yaml is not written.
fn set_compose_section(doc: &mut toml_edit::DocumentMut, compose: &ComposeInputs) {
    if !compose.write {
        doc.remove("compose");
        return;
    }
    if !doc.contains_table("compose") {
        let mut table = toml_edit::Table::new();
        table.set_implicit(false);
        doc.insert("compose", toml_edit::Item::Table(table));
    }
    let Some(table) = doc["compose"].as_table_mut() else {
        return;
    };
    set_keeping_decor(table, "write", toml_edit::Value::from(true));
    match &compose.services {
        Some(services) => {
            let array: toml_edit::Array = services.iter().map(String::as_str).collect();
            set_keeping_decor(table, "services", toml_edit::Value::Array(array));
        }
        None => {
            table.remove("services");
        }
    }
}

/// Sets `key` to `value`, keeping the spacing and trailing comment of a value already there; false when the
/// key is new.
fn set_keeping_decor(table: &mut toml_edit::Table, key: &str, value: toml_edit::Value) -> bool {
    if let Some(item) = table.get_mut(key).and_then(toml_edit::Item::as_value_mut) {
        let decor = item.decor().clone();
        *item = value;
        *item.decor_mut() = decor;
        return true;
    }
    table.insert(key, toml_edit::value(value));
    false
}
