//! Why `--check` finds a Dockerfile out of date when the difference is an answer: a value typed at a prompt
//! and never saved (a port, an image) makes every later run render the detected value instead. Each answer
//! this run did not get from the user is probed: rendered with a marker value, the lines that change are the
//! lines it writes; the committed file's text at those lines is the value it was written with. A value counts
//! only when rendering with it brings the file closer, and the whole explanation is complete only when those
//! values reproduce the file exactly.

use indexmap::IndexMap;
use serde_json::Value;

use crate::answers::{self, Given, Origin, Resolved};
use crate::detect::Candidate;
use crate::preset::{Kind, Preset};
use crate::prompt::NonInteractive;

/// An answer the committed file was written with, and this run's value with its origin.
pub(crate) struct Written {
    pub(crate) key: String,
    pub(crate) in_file: String,
    pub(crate) this_run: String,
    pub(crate) origin: Origin,
}

/// The answers the committed Dockerfile differs by, and whether they are the whole difference.
pub(crate) struct Explained {
    pub(crate) answers: Vec<Written>,
    pub(crate) complete: bool,
}

/// What the rest of the pipeline makes of settled answers: the Dockerfile's text.
pub(crate) type Finish<'a> = dyn Fn(&Resolved) -> anyhow::Result<String> + 'a;

/// The answers (not given by the user) whose values in `existing` differ from this run's `rendered`.
pub(crate) fn explain(
    preset: &Preset,
    candidate: Option<&Candidate>,
    given: &IndexMap<String, Given>,
    resolved: &Resolved,
    existing: &str,
    rendered: &str,
    finish: &Finish<'_>,
) -> Option<Explained> {
    let before = changed_lines(rendered, existing);
    let mut found: Vec<Written> = Vec::new();
    let mut with_found = given.clone();
    for (key, spec) in &preset.answers {
        let Some(answer) = resolved.answers.get(key).filter(|a| !a.is_given()) else {
            continue;
        };
        let Some(in_file) = value_in_file(key, spec.kind, &answer.value, resolved, existing, rendered, finish) else {
            continue;
        };
        let mut attempt = given.clone();
        attempt.insert(key.clone(), typed(&in_file));
        let closer = render_with(preset, candidate, &attempt, finish)
            .is_some_and(|text| changed_lines(&text, existing) < before);
        if closer {
            with_found.insert(key.clone(), typed(&in_file));
            found.push(Written {
                key: key.clone(),
                in_file,
                this_run: answers::value_text(&answer.value),
                origin: answer.origin.clone(),
            });
        }
    }
    if found.is_empty() {
        return None;
    }
    let complete = render_with(preset, candidate, &with_found, finish).is_some_and(|text| text == existing);
    Some(Explained {
        answers: found,
        complete,
    })
}

fn typed(text: &str) -> Given {
    Given {
        text: text.to_string(),
        origin: Origin::Typed,
    }
}

/// The Dockerfile rendered from `given`, as `--yes` would settle the rest.
fn render_with(
    preset: &Preset,
    candidate: Option<&Candidate>,
    given: &IndexMap<String, Given>,
    finish: &Finish<'_>,
) -> Option<String> {
    let resolved = answers::resolve(preset, candidate, given, &mut NonInteractive).ok()?;
    finish(&resolved).ok()
}

/// The value `existing` holds where the answer `key` is written: found by rendering with a marker value and
/// reading the committed line that has the marker line's text around it.
fn value_in_file(
    key: &str,
    kind: Kind,
    value: &Value,
    resolved: &Resolved,
    existing: &str,
    rendered: &str,
    finish: &Finish<'_>,
) -> Option<String> {
    let marker = match (kind, value) {
        (Kind::Port, _) | (_, Value::Number(_)) => {
            let port = if value.as_u64() == Some(47_113) { 47_114 } else { 47_113 };
            Value::from(port)
        }
        (Kind::Image, Value::String(_)) => Value::from("dockgen-probe.invalid/probe:1"),
        (Kind::Name | Kind::FileName | Kind::Version | Kind::Tags, Value::String(_)) => Value::from("dockgenprobe"),
        _ => return None,
    };
    let marker_text = answers::value_text(&marker);
    let mut probe = resolved.clone();
    probe.values.insert(key.to_string(), marker.clone());
    if let Some(answer) = probe.answers.get_mut(key) {
        answer.value = marker;
    }
    let probed = finish(&probe).ok()?;
    let (ours, theirs): (Vec<&str>, Vec<&str>) = (rendered.lines().collect(), probed.lines().collect());
    if ours.len() != theirs.len() {
        return None;
    }
    let mut values: Vec<String> = Vec::new();
    for (line, probed_line) in ours.iter().zip(&theirs).filter(|(a, b)| a != b) {
        let (before, after) = probed_line.split_once(marker_text.as_str())?;
        let written = existing.lines().find_map(|committed| {
            let middle = committed.strip_prefix(before)?.strip_suffix(after)?;
            (committed != *line && !middle.is_empty()).then(|| middle.to_string())
        });
        values.extend(written);
    }
    values.dedup();
    // Every line the answer writes must agree on one value.
    match values.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// How many lines differ between two texts.
fn changed_lines(a: &str, b: &str) -> usize {
    similar::TextDiff::from_lines(a, b)
        .iter_all_changes()
        .filter(|change| change.tag() != similar::ChangeTag::Equal)
        .count()
}

/// The flags that give these answers, quoted for a shell where a value needs it.
pub(crate) fn flags(answers: &[Written]) -> String {
    answers
        .iter()
        .map(|written| {
            let value = shell_word(&written.in_file);
            match written.key.as_str() {
                "builder_image" => format!("--builder-image {value}"),
                "runtime_image" => format!("--runtime-image {value}"),
                "port" => format!("--port {value}"),
                key => format!("--set {key}={value}"),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_word(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._/:@=+,-".contains(c));
    if plain && !text.is_empty() {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn values_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(shell_word("ubuntu:24.04"), "ubuntu:24.04");
        assert_eq!(shell_word("node dist/x.js"), "'node dist/x.js'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
