//! `dockgen.toml`: the answers of a run, saved by `init --save` and read by every later `init`, so CI and
//! project templates reproduce the same Dockerfile with `--yes`. It ranks below flags and `DOCKGEN_*`, above
//! detected facts and preset defaults.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};
use indexmap::IndexMap;
use serde::Deserialize;

use crate::answers::{Given, Resolved};
use crate::preset::Preset;

pub const FILE_NAME: &str = "dockgen.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersFile {
    pub preset: Option<String>,
    #[serde(default)]
    pub answers: IndexMap<String, toml::Value>,
}

/// Reads `PATH/dockgen.toml` when it exists; a syntax error or unknown key names the file and the key.
pub fn load(root: &Path) -> Result<Option<AnswersFile>> {
    let path = root.join(FILE_NAME);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("{}: cannot read", path.display()))?;
    let file: AnswersFile = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end().replace('\n', " ")))?;
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
                    origin: format!("{FILE_NAME} answers.{key}"),
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
pub fn render(preset: &Preset, resolved: &Resolved, choices: &[String]) -> String {
    let mut out = String::from(
        "# dockgen answers: `dockgen init --yes` reproduces the same Dockerfile from these and the repository.\n\
         # Flags and DOCKGEN_* variables override them; delete a line to let detection decide again.\n",
    );
    let _ = writeln!(out, "preset = {}\n\n[answers]", toml::Value::from(preset.name.as_str()));
    // In the preset's order, so the file reads like the preset.
    let ordered = preset
        .answers
        .keys()
        .filter_map(|key| resolved.answers.get_key_value(key));
    let recorded = ordered.filter(|(key, answer)| choices.contains(key) || answer.is_given() || answer.is_prompted());
    for (key, answer) in recorded {
        let _ = writeln!(out, "# {}", preset.answers[key.as_str()].help);
        let value = match &answer.value {
            serde_json::Value::String(s) => toml::Value::from(s.clone()),
            serde_json::Value::Bool(b) => toml::Value::from(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map_or_else(|| toml::Value::from(n.to_string()), toml::Value::from),
            // A port that is none.
            serde_json::Value::Null => toml::Value::from("none"),
            other => toml::Value::from(other.to_string()),
        };
        let _ = writeln!(out, "{key} = {value}");
    }
    out
}
