//! What `dockgen detect` and `dockgen presets list` print: the detection as JSON or aligned text.

use std::fmt::Write as _;

use indexmap::IndexMap;
use serde::Serialize;

use crate::detect::{Candidate, Choice, Detection, Fact};
use crate::files;
use crate::preset::{self, Preset};

#[derive(Debug, Serialize)]
pub(crate) struct Report<'a> {
    /// The preset `init` would use, or None when nothing or several stacks were found.
    preset: Option<String>,
    stack: Option<&'static str>,
    facts: IndexMap<String, Fact>,
    choices: &'a [Choice],
    candidates: Vec<CandidateSummary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    warnings: Vec<String>,
    looked_for: &'a [&'static str],
    /// Preset and template files from the project or user folders in use (see `preset::custom_files`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) custom_files: Vec<String>,
}

#[derive(Debug, Serialize)]
struct CandidateSummary {
    stack: &'static str,
    preset: Option<String>,
    evidence: String,
    /// Every preset that builds this stack, for `--preset`.
    presets: Vec<String>,
}

impl<'a> Report<'a> {
    pub(crate) fn new(detection: &'a Detection, presets: &[Preset]) -> Self {
        let default_name = |c: &Candidate| preset::default_for(presets, c.stack, &c.values()).map(|p| p.name.clone());
        let candidates = detection
            .candidates
            .iter()
            .map(|c| CandidateSummary {
                stack: c.stack,
                preset: default_name(c),
                evidence: c.evidence.clone(),
                presets: presets
                    .iter()
                    .filter(|p| p.stack == c.stack)
                    .map(|p| p.name.clone())
                    .collect(),
            })
            .collect();
        let only = match detection.candidates.as_slice() {
            [only] => Some(only),
            _ => None,
        };
        let mut facts = only.map(|c| c.facts.clone()).unwrap_or_default();
        let chosen_preset = only.and_then(|c| preset::default_for(presets, c.stack, &c.values()));
        // Values that fall back to the preset's default say so rather than pose as found; a pending choice
        // (several main packages or modules) may still bring them.
        let waits_on_choice = only.is_some_and(|c| !c.choices.is_empty());
        if let Some(preset) = chosen_preset.filter(|_| !waits_on_choice) {
            for key in &preset.report_defaults {
                if facts.contains_key(key) {
                    continue;
                }
                let Some(default) = preset.answers.get(key).and_then(|spec| spec.default.as_ref()) else {
                    continue;
                };
                let value = match default {
                    toml::Value::Integer(i) => serde_json::Value::from(*i),
                    toml::Value::String(s) => serde_json::Value::from(s.clone()),
                    other => serde_json::Value::from(other.to_string()),
                };
                let mut fact = Fact::new(value, format!("default of preset {}", preset.name));
                fact.default = true;
                fact.note = Some("nothing in the repository sets it".into());
                facts.insert(key.clone(), fact);
            }
        }
        let mut warnings: Vec<String> = detection.candidates.iter().flat_map(|c| c.warnings.clone()).collect();
        if detection.candidates.len() > 1 {
            let stacks: Vec<&str> = detection.candidates.iter().map(|c| c.stack).collect();
            warnings.push(format!(
                "several stacks fit ({}): pass --preset NAME to init",
                stacks.join(", ")
            ));
        }
        Report {
            preset: chosen_preset.map(|p| p.name.clone()),
            stack: only.map(|c| c.stack),
            facts,
            choices: only.map(|c| c.choices.as_slice()).unwrap_or_default(),
            candidates,
            notes: detection.candidates.iter().flat_map(|c| c.notes.clone()).collect(),
            warnings,
            looked_for: &detection.looked_for,
            custom_files: Vec::new(),
        }
    }

    /// The report as aligned text. Every value is text from the repository, so each line is made printable:
    /// a hostile file cannot send the terminal control sequences.
    /// The same without its notes and warnings, for a terminal session that has already said them.
    pub(crate) fn without_messages(mut self) -> Self {
        self.notes.clear();
        self.warnings.clear();
        self
    }

    pub(crate) fn to_text(&self) -> String {
        self.lines().lines().map(|line| files::printable(line) + "\n").collect()
    }

    fn lines(&self) -> String {
        let mut out = String::new();
        if self.candidates.is_empty() {
            let _ = writeln!(out, "nothing recognised (looked for {})", self.looked_for.join(", "));
        }
        for c in &self.candidates {
            let preset = match (&c.preset, self.choices.first()) {
                (Some(name), _) => name.clone(),
                (None, Some(choice)) => format!("decided by the {} you choose", choice.key),
                (None, None) => "none".to_string(),
            };
            let _ = writeln!(
                out,
                "stack   {} (found {})\npreset  {preset} (presets for this stack: {})",
                c.stack,
                c.evidence,
                c.presets.join(", ")
            );
        }
        // How the image runs the program is one block of its own, after what it is built from.
        let (runs, builds): (Vec<_>, Vec<_>) = self
            .facts
            .iter()
            .partition(|(name, _)| RUNTIME_FACTS.contains(&name.as_str()));
        let width = self.facts.keys().map(String::len).max().unwrap_or(0);
        let value_width = self
            .facts
            .values()
            .map(|f| fact_value_text(&f.value).len())
            .max()
            .unwrap_or(0)
            .min(40);
        for (title, facts) in [("facts", builds), ("how it runs", runs)] {
            if facts.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}");
            for (name, fact) in facts {
                let value = fact_value_text(&fact.value);
                let note = fact.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                let _ = writeln!(out, "  {name:width$}  {value:value_width$}  {}{note}", fact.source);
            }
        }
        for choice in self.choices {
            let default = choice
                .default
                .as_ref()
                .map_or_else(|| "no clear default".to_string(), |d| format!("default {d}"));
            let _ = writeln!(
                out,
                "choose {} ({default}; pass --set {}=VALUE)",
                choice.key, choice.key
            );
            for option in &choice.options {
                let extra: Vec<String> = option
                    .facts
                    .iter()
                    .map(|(k, f)| format!("{k}={}", fact_value_text(&f.value)))
                    .collect();
                let why = if option.why.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", option.why.join("; "))
                };
                let _ = writeln!(out, "  {}  {}{why}  {}", option.value, option.source, extra.join(" "));
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {}", files::message(note));
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "warning: {}", files::message(warning));
        }
        if !self.custom_files.is_empty() {
            let _ = writeln!(
                out,
                "custom presets and templates (replacing built-in ones of the same name): {}",
                self.custom_files.join(", ")
            );
        }
        out
    }
}

/// The facts that say how the image runs the program (the runtime contract), shown as one block.
const RUNTIME_FACTS: &[&str] = &[
    "start_command",
    "start_env",
    "port",
    "extra_ports",
    "udp_ports",
    "port_env",
    "port_flag",
    "args",
    "runtime_options",
    "runtime_env",
    "secret_env",
    "volumes",
    "workdir",
    "healthcheck",
];

/// A fact's value as a person reads it: lists joined with commas, file groups as their files (the JSON
/// output keeps the structure).
fn fact_value_text(value: &serde_json::Value) -> String {
    match value {
        // A value may hold a newline; escaped here, it cannot pose as a line of its own.
        serde_json::Value::String(s) => files::printable(s),
        // The only null fact is a port that is none.
        serde_json::Value::Null => "none".into(),
        serde_json::Value::Array(items) => items.iter().map(fact_value_text).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(map) => match (map.get("name"), map.get("value"), map.get("args")) {
            // An environment pair as it would be set; a health check as the program's run it makes.
            (Some(name), Some(value), _) => format!("{}={}", fact_value_text(name), fact_value_text(value)),
            (_, _, Some(args)) => format!("the program {}", fact_value_text(args).replace(", ", " ")),
            _ => map.get("files").map_or_else(|| value.to_string(), fact_value_text),
        },
        other => other.to_string(),
    }
}

pub(crate) fn preset_list(presets: &[Preset]) -> String {
    let width = presets.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let stack_width = presets.iter().map(|p| p.stack.len()).max().unwrap_or(0);
    let mut out = String::new();
    for p in presets {
        let default = if p.default_for_stack && p.default_when.is_empty() {
            format!(" [default for {}]", p.stack)
        } else if p.default_for_stack {
            let when: Vec<String> = p.default_when.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!(" [default for {} when {}]", p.stack, when.join(", "))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{:width$}  {:stack_width$}  {}{default}  ({})",
            p.name, p.stack, p.description, p.source
        );
    }
    out
}
