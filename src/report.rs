//! What `dockgen detect` and `dockgen presets list` print: the detection as JSON or aligned text.

use std::fmt::Write as _;

use indexmap::IndexMap;
use serde::Serialize;

use crate::detect::{Candidate, Choice, Detection, Fact};
use crate::files;
use crate::preset::{self, Preset};
use crate::term::{fit, hanging, terminal_width, wrap};

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
    /// When nothing was recognised: the stacks dockgen does not build that it saw, with their files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unsupported: Vec<String>,
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
            unsupported: if detection.candidates.is_empty() {
                detection.unsupported_seen()
            } else {
                Vec::new()
            },
            custom_files: Vec::new(),
        }
    }

    /// The same without its notes and warnings, for a terminal session that has already said them.
    pub(crate) fn without_messages(mut self) -> Self {
        self.notes.clear();
        self.warnings.clear();
        self
    }

    /// The report as aligned text, laid out for `layout`. Every value is text from the repository, so each
    /// line is made printable: a hostile file cannot send the terminal control sequences.
    pub(crate) fn to_text(&self, layout: Layout) -> String {
        self.lines(layout)
            .lines()
            .map(|line| files::printable(line) + "\n")
            .collect()
    }

    /// The pending choices, each option with its evidence and the facts it brings.
    fn choice_lines(&self, out: &mut String, layout: Layout) {
        let classes = FactClasses::of(self.stack);
        for choice in self.choices {
            let default = choice
                .default
                .as_ref()
                .map_or_else(|| "no clear default".to_string(), |d| format!("default {d}"));
            let line = format!("choose {} ({default}; pass --set {}=VALUE)", choice.key, choice.key);
            let _ = writeln!(out, "{}", fit(&line, layout.width));
            for option in &choice.options {
                let extra: Vec<String> = option
                    .facts
                    .iter()
                    .filter(|(k, f)| layout.verbose || !is_internal(&classes, k, f))
                    .map(|(k, f)| format!("{k}={}", fact_value_text(&f.value)))
                    .collect();
                let why = if option.why.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", option.why.join("; "))
                };
                let line = format!("  {}  {}{why}  {}", option.value, option.source, extra.join(" "));
                let _ = writeln!(out, "{}", fit(line.trim_end(), layout.width));
            }
        }
    }

    fn lines(&self, layout: Layout) -> String {
        let classes = FactClasses::of(self.stack);
        let mut out = String::new();
        if self.candidates.is_empty() {
            let _ = writeln!(out, "nothing recognised (looked for {})", self.looked_for.join(", "));
            for seen in &self.unsupported {
                let _ = writeln!(out, "found {seen}");
            }
        }
        for c in &self.candidates {
            let preset = match (&c.preset, self.choices.first()) {
                (Some(name), _) => name.clone(),
                (None, Some(choice)) => format!("decided by the {} you choose", choice.key),
                (None, None) => "none".to_string(),
            };
            for (label, text) in [
                ("stack", format!("{} (found {})", c.stack, c.evidence)),
                (
                    "preset",
                    format!("{preset} (presets for this stack: {})", c.presets.join(", ")),
                ),
            ] {
                // Wrapped at word boundaries under the value, at a terminal.
                let lines = layout
                    .width
                    .map_or_else(|| vec![text.clone()], |w| wrap(&text, w.saturating_sub(8).max(20)));
                for (i, line) in lines.iter().enumerate() {
                    let label = if i == 0 { label } else { "" };
                    let _ = writeln!(out, "{label:8}{line}");
                }
            }
        }
        // The decisive facts first, internals only when asked for; how the image runs the program is one block
        // of its own, after what it is built from.
        let mut shown: Vec<(&String, &Fact)> = self
            .facts
            .iter()
            .filter(|(name, fact)| layout.verbose || !is_internal(&classes, name, fact))
            .collect();
        shown.sort_by_key(|(name, _)| {
            classes
                .decisive
                .iter()
                .position(|d| d == name)
                .unwrap_or(classes.decisive.len())
        });
        let (runs, builds): (Vec<_>, Vec<_>) = shown
            .into_iter()
            .partition(|(name, _)| RUNTIME_FACTS.contains(&name.as_str()));
        let columns = Columns {
            name: runs
                .iter()
                .chain(&builds)
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0),
            value: runs
                .iter()
                .chain(&builds)
                .map(|(_, f)| fact_value_text(&f.value).chars().count())
                .max()
                .unwrap_or(0)
                .min(40),
            total: layout.width,
        };
        for (title, facts) in [("facts", builds), ("how it runs", runs)] {
            if facts.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}");
            for (name, fact) in facts {
                let note = fact.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                let evidence = format!("{}{note}", fact.source);
                out.push_str(&columns.row(name, &fact_value_text(&fact.value), &evidence));
            }
        }
        self.choice_lines(&mut out, layout);
        for note in &self.notes {
            let _ = writeln!(
                out,
                "{}",
                hanging(&format!("note: {}", files::message(note)), layout.width)
            );
        }
        for warning in &self.warnings {
            let _ = writeln!(
                out,
                "{}",
                hanging(&format!("warning: {}", files::message(warning)), layout.width)
            );
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

/// How the text report is laid out: the width of the terminal it goes to (None: not a terminal, never wrapped)
/// and whether internal facts are shown (`detect --verbose`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Layout {
    pub(crate) width: Option<usize>,
    pub(crate) verbose: bool,
}

impl Layout {
    /// For text going to `stream`: its width when it is a terminal.
    pub(crate) fn for_stream(stream: &impl std::os::fd::AsFd, verbose: bool) -> Self {
        Layout {
            width: terminal_width(stream),
            verbose,
        }
    }
}

/// The display classes of the reported stack's facts: the decisive ones first in their order, internal ones
/// only with `--verbose`. A report without a single stack has no facts to class.
struct FactClasses {
    decisive: &'static [&'static str],
    internal: &'static [&'static str],
}

impl FactClasses {
    fn of(stack: Option<&str>) -> Self {
        let stack = stack.and_then(crate::detect::stack);
        FactClasses {
            decisive: stack.map_or(&[], |s| s.decisive_facts),
            internal: stack.map_or(&[], |s| s.internal_facts),
        }
    }
}

/// An internal fact, an empty one, or a "no" that decides nothing (no go.work, no vendor folder).
/// Which facts are which is the stack's to say (`Stack::decisive_facts`, `Stack::internal_facts`).
fn is_internal(stack: &FactClasses, name: &str, fact: &Fact) -> bool {
    stack.internal.contains(&name)
        || NEUTRAL_INTERNAL.contains(&name)
        || match &fact.value {
            serde_json::Value::Array(items) => items.is_empty(),
            serde_json::Value::String(text) => text.is_empty(),
            serde_json::Value::Bool(false) => !stack.decisive.contains(&name),
            _ => false,
        }
}

/// The fact table's columns: name, value (wrapped at word boundaries) and evidence (one line, cut with … at
/// the terminal's width).
struct Columns {
    name: usize,
    value: usize,
    total: Option<usize>,
}

impl Columns {
    fn row(&self, name: &str, value: &str, evidence: &str) -> String {
        let indent = 2 + self.name + 2;
        let Some(total) = self.total else {
            let line = format!("  {name:nw$}  {value:vw$}  {evidence}", nw = self.name, vw = self.value);
            return format!("{}\n", line.trim_end());
        };
        // The value keeps at least a few words per line; the evidence takes what is left, or a line of its own.
        let value_width = self.value.min(total.saturating_sub(indent + 20)).max(12);
        let evidence_at = indent + value_width + 2;
        let mut lines = wrap(value, value_width);
        let first = format!("  {name:nw$}  {:value_width$}", lines.remove(0), nw = self.name);
        let beside = total.saturating_sub(evidence_at) >= 16;
        let mut out = String::new();
        if beside {
            let _ = writeln!(
                out,
                "{}",
                format!("{first}  {}", fit(evidence, Some(total - evidence_at))).trim_end()
            );
        } else {
            let _ = writeln!(out, "{}", first.trim_end());
        }
        for line in lines {
            let _ = writeln!(out, "{:indent$}{line}", "");
        }
        if !beside {
            let room = Some(total.saturating_sub(indent + 2));
            let _ = writeln!(out, "{:indent$}  {}", "", fit(evidence, room));
        }
        out
    }
}

/// Facts every stack's detection records for compose.yaml that a reader does not need: the linked compose
/// services (what `backing_services` shows), the variables wired to them, the app's example env file and what
/// ranking the services decided (said when compose.yaml is written).
const NEUTRAL_INTERNAL: &[&str] = &[
    "compose_links",
    "compose_service",
    "service_variables",
    "env_example",
    "service_notes",
];

/// The facts that say how the image runs the program (the runtime contract), shown as one block.
const RUNTIME_FACTS: &[&str] = &[
    "start_command",
    "start_steps",
    "start_env",
    "port",
    "extra_ports",
    "udp_ports",
    "port_env",
    "port_env_address",
    "port_flag",
    "bind_env",
    "args",
    "runtime_options",
    "contract_files",
    "runtime_env",
    "secret_env",
    "required_env",
    "service_env",
    "volumes",
    "written_dirs",
    "shipped_paths",
    "empty_files",
    "runtime_programs",
    "system_packages",
    "pip_packages",
    "workdir",
    "run_dir",
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
            // A flag the program takes its port from: its name and default, in words.
            (Some(name), None, None) if map.contains_key("default") => {
                let loopback = map.get("loopback").and_then(serde_json::Value::as_bool) == Some(true);
                format!(
                    "--{} (default {}{})",
                    fact_value_text(name),
                    fact_value_text(&map["default"]),
                    if loopback { ", loopback only" } else { "" }
                )
            }
            // A system package by its name and its image family.
            (Some(name), None, None) if map.contains_key("family") => {
                format!("{} ({})", fact_value_text(name), fact_value_text(&map["family"]))
            }
            // A workspace package by its folder; a Prisma schema by its file.
            // A file copied into the image from elsewhere.
            (_, _, _) if map.contains_key("from") && map.contains_key("to") => {
                format!("{} → {}", fact_value_text(&map["from"]), fact_value_text(&map["to"]))
            }
            _ if map.contains_key("dir") => fact_value_text(&map["dir"]),
            _ if map.contains_key("schema") => fact_value_text(&map["schema"]),
            _ => map.get("files").map_or_else(|| value.to_string(), fact_value_text),
        },
        other => other.to_string(),
    }
}

/// The plan as settled, shown at the terminal before the files: the preset's name, then each answer with its
/// value in words and where it came from.
pub(crate) fn plan_summary(preset: &Preset, resolved: &crate::answers::Resolved, layout: Layout) -> String {
    let rows: Vec<(&String, String, String)> = preset
        .answers
        .keys()
        .filter_map(|key| resolved.answers.get_key_value(key))
        .map(|(key, answer)| (key, fact_value_text(&answer.value), answer.origin.to_string()))
        .collect();
    let columns = Columns {
        name: rows.iter().map(|(k, _, _)| k.chars().count()).max().unwrap_or(0),
        value: rows.iter().map(|(_, v, _)| v.chars().count()).max().unwrap_or(0),
        total: layout.width,
    };
    // Not the preset's description: the answers may have changed what it says (another runtime image).
    let mut out = format!("The plan (preset {}):\n", preset.name);
    for (key, value, origin) in &rows {
        out.push_str(&columns.row(key, value, origin));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::{fact_value_text, Columns};

    #[test]
    fn a_port_flag_reads_as_words_not_json() {
        let flag = serde_json::json!({"name": "addr", "address": true, "default": 8090, "loopback": true});
        assert_eq!(fact_value_text(&flag), "--addr (default 8090, loopback only)");
        let flag = serde_json::json!({"name": "port", "address": false, "default": 3000, "loopback": false});
        assert_eq!(fact_value_text(&flag), "--port (default 3000)");
    }

    #[test]
    fn a_row_fits_the_width_it_is_given() {
        let columns = Columns {
            name: 13,
            value: 40,
            total: Some(60),
        };
        let row = columns.row(
            "start_command",
            "node --enable-source-maps dist/server/entry.mjs --cluster",
            "package.json:10 (scripts.start)",
        );
        assert!(row.lines().all(|l| l.chars().count() <= 60), "{row}");
        assert!(row.contains("--enable-source-maps") && row.contains('…'), "{row}");
        let unlimited = Columns { total: None, ..columns };
        assert_eq!(unlimited.row("port", "8080", "compose.yaml:5").lines().count(), 1);
    }
}
