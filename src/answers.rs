//! The one place answers are merged: flags and `DOCKGEN_*` env > detected facts (including the chosen main
//! package's) > preset defaults; whatever is still missing goes to the `Prompter`.

use anyhow::{bail, Context, Result};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::detect::{Candidate, Choice, ChoiceOption, Facts};
pub use crate::origin::{Given, Origin};
use crate::preset::{AnswerSpec, Kind, Preset};
use crate::prompt::{Prompter, Question};
use crate::{answer_kind, render};

/// A resolved answer and its origin: a flag, an env var, a fact's evidence, the preset default or a prompt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub value: Value,
    pub origin: Origin,
}

impl Answer {
    /// Set by the user before the run: a flag, a `DOCKGEN_*` variable or `dockgen.toml`.
    pub fn is_given(&self) -> bool {
        self.origin.is_given()
    }

    /// Typed or picked at a terminal during the run.
    pub fn is_prompted(&self) -> bool {
        self.origin.is_prompted()
    }
}

/// The answers of one run, and every value the templates see (facts overlaid by answers).
#[derive(Debug, Clone)]
pub struct Resolved {
    pub answers: IndexMap<String, Answer>,
    pub values: Map<String, Value>,
    /// Choices settled by their evidence without asking, each with why and how to pick another.
    pub notes: Vec<String>,
    /// Warnings that belong to the chosen options (an embedded front-end that cannot be built).
    pub warnings: Vec<String>,
}

/// How often a refused interactive answer is asked again before giving up.
const MAX_TRIES: usize = 5;

/// Resolves every answer `preset` declares. `given` keys must be answers of the preset.
pub fn resolve(
    preset: &Preset,
    candidate: Option<&Candidate>,
    given: &IndexMap<String, Given>,
    prompter: &mut dyn Prompter,
) -> Result<Resolved> {
    if let Some(unknown) = given.keys().find(|key| !preset.answers.contains_key(*key)) {
        let known: Vec<&str> = preset.answers.keys().map(String::as_str).collect();
        bail!(crate::UsageError(format!(
            "preset {} has no answer `{unknown}` ({}); known: {}",
            preset.name,
            given[unknown].origin,
            known.join(", ")
        )));
    }
    let mut facts: Facts = candidate.map(|c| c.facts.clone()).unwrap_or_default();
    let mut answers: IndexMap<String, Answer> = IndexMap::new();

    for (key, given) in given {
        let value = match answer_kind::parse(&preset.answers[key], &given.text) {
            Ok(value) => value,
            // A flag or variable the user typed is a usage error; a file's value is the file's error.
            Err(e) if given.origin.is_command_line() => {
                bail!(crate::UsageError(format!("{}: {e:#}", given.origin)))
            }
            Err(e) => return Err(e.context(given.origin.to_string())),
        };
        answers.insert(
            key.clone(),
            Answer {
                value,
                origin: given.origin.clone(),
            },
        );
    }

    let (notes, mut warnings) = apply_choices(preset, candidate, &mut facts, &mut answers, prompter)?;
    warnings.extend(saved_against_detected(preset, &facts, &answers));

    for (key, spec) in &preset.answers {
        if answers.contains_key(key) {
            continue;
        }
        if let Some(fact) = facts.get(key) {
            let value = answer_kind::parse(spec, &value_text(&fact.value))
                .with_context(|| format!("{key} detected at {}", fact.source))?;
            answers.insert(
                key.clone(),
                Answer {
                    value,
                    origin: Origin::Detected(fact.source.clone()),
                },
            );
        }
    }

    loop {
        let undecided = fill_defaults(preset, &facts, &mut answers)?;
        let values = context_values(&facts, &answers);
        let Some(mut question) = next_question(preset, &answers, &values) else {
            break;
        };
        // A default that cannot be derived (an image dockgen does not know) is asked, saying why.
        question.problem = undecided.get(&question.key).cloned();
        let spec = &preset.answers[&question.key];
        let mut tries = 0;
        let value = loop {
            tries += 1;
            let text = prompter.ask(&question)?;
            match answer_kind::parse(spec, &text) {
                Ok(value) => break value,
                Err(e) if tries < MAX_TRIES => question.problem = Some(format!("{e:#}")),
                Err(e) => return Err(e.context(format!("answer for {}", question.key))),
            }
        };
        answers.insert(
            question.key.clone(),
            Answer {
                value,
                origin: Origin::Typed,
            },
        );
    }

    let values = context_values(&facts, &answers);
    refuse_conflicts(preset, &facts, &answers, &values)?;
    Ok(Resolved {
        answers,
        values,
        notes,
        warnings,
    })
}

/// Answers that cannot work together (a preset's `[[conflicts]]`): at a terminal the value just typed is asked
/// again with the reason.
#[derive(Debug)]
pub struct Conflict(String);

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Conflict {}

/// A combination the preset says cannot work is an error; a usage error when the user gave one of its answers.
fn refuse_conflicts(
    preset: &Preset,
    facts: &Facts,
    answers: &IndexMap<String, Answer>,
    values: &Map<String, Value>,
) -> Result<()> {
    let Some(conflict) = preset
        .conflicts
        .iter()
        .find(|c| crate::preset::conditions_hold(&c.when, values))
    else {
        return Ok(());
    };
    // The answers that make the combination: its own keys and those their defaults read (runtime_image for
    // runtime_family), each with its origin.
    let involved: Vec<(&String, &Answer)> = answers
        .iter()
        .filter(|(key, _)| {
            conflict.when.contains_key(*key)
                || conflict
                    .when
                    .keys()
                    .any(|k| preset.answers.get(k).is_some_and(|spec| default_reads(spec, key)))
        })
        .collect();
    // A detected fact that is not an answer (which packages lack a musl wheel) says why in its note.
    let detected = conflict
        .when
        .keys()
        .filter(|key| !answers.contains_key(*key))
        .filter_map(|key| facts.get(key).map(|fact| (key, fact)))
        .map(|(key, fact)| match &fact.note {
            Some(note) => format!("{key} from {}: {note}", fact.source),
            None => format!("{key} from {}", fact.source),
        });
    let origins: Vec<String> = detected
        .chain(involved.iter().map(|(key, a)| format!("{key} from {}", a.origin)))
        .collect();
    let message = format!("{} ({})", conflict.why, origins.join("; "));
    if involved.iter().any(|(_, a)| a.is_given()) {
        bail!(crate::UsageError(message));
    }
    bail!(Conflict(message))
}

/// A choice detection could not settle alone: the user's value, else the clear default without a terminal
/// (returned as a note), else a question; the chosen option's facts apply.
fn apply_choices(
    preset: &Preset,
    candidate: Option<&Candidate>,
    facts: &mut Facts,
    answers: &mut IndexMap<String, Answer>,
    prompter: &mut dyn Prompter,
) -> Result<(Vec<String>, Vec<String>)> {
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    for choice in candidate.map(|c| c.choices.as_slice()).unwrap_or_default() {
        let Some(spec) = preset.answers.get(&choice.key) else {
            continue;
        };
        let chosen = if let Some(answer) = answers.get(&choice.key) {
            answer.value.as_str().unwrap_or_default().to_string()
        } else {
            let (text, origin) = pick(choice, &spec.help, prompter)?;
            if origin != Origin::Picked {
                notes.extend(choice.default_note());
            }
            answers.insert(
                choice.key.clone(),
                Answer {
                    value: answer_kind::parse(spec, &text)?,
                    origin,
                },
            );
            text
        };
        if let Some(option) = apply_option(choice, &chosen, facts) {
            warnings.extend(option.warnings.iter().cloned());
            notes.extend(option.notes.iter().cloned());
        }
    }
    Ok((notes, warnings))
}

/// Settles one choice nobody answered: its default when no one can be asked, else the user's pick from a
/// list that starts on the default. Returns the value and its origin.
pub fn pick(choice: &Choice, help: &str, prompter: &mut dyn Prompter) -> Result<(String, Origin)> {
    if let (Some(default), false) = (&choice.default, prompter.is_interactive()) {
        return Ok((default.clone(), Origin::StrongestCandidate));
    }
    let question = Question::choice(&choice.key, help, choice.option_list())
        .with_default(choice.default.clone())
        .with_alternative(choice.alternative.clone());
    Ok((prompter.ask(&question)?, Origin::Picked))
}

/// Applies preset defaults (or `[when.flag]` defaults) until no more can be resolved. Returns the defaults
/// that cannot be derived from the answers they read (`image_family` of an unknown image), each with why.
fn fill_defaults(
    preset: &Preset,
    facts: &Facts,
    answers: &mut IndexMap<String, Answer>,
) -> Result<IndexMap<String, String>> {
    let mut undecided = IndexMap::new();
    loop {
        let mut progressed = false;
        let values = context_values(facts, answers);
        for (key, spec) in &preset.answers {
            // An answer the facts say is not needed (a front-end image without a front-end) stays unset.
            if answers.contains_key(key) || undecided.contains_key(key) || !applies(spec, &values) {
                continue;
            }
            let Some(default) = default_for(preset, key, spec, answers) else {
                continue;
            };
            let text = match default {
                toml::Value::String(expression) if expression.contains("{{") => {
                    match render::render_default(expression, &context_values(facts, answers)) {
                        Ok(text) => text,
                        // A default that needs a missing answer waits for it; a real error surfaces below.
                        Err(_) if mentions_missing(expression, preset, answers) => continue,
                        Err(e) => {
                            undecided.insert(key.clone(), crate::error_line(&e));
                            continue;
                        }
                    }
                }
                toml::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let value = answer_kind::parse(spec, &text)
                .with_context(|| format!("default of {key} in preset {}", preset.name))?;
            answers.insert(
                key.clone(),
                Answer {
                    value,
                    origin: Origin::PresetDefault(preset.name.clone()),
                },
            );
            progressed = true;
        }
        if !progressed {
            return Ok(undecided);
        }
    }
}

/// The default for `key`, from `[when.flag]` when that boolean answer is true; None while a flag it depends
/// on is still unresolved.
fn default_for<'a>(
    preset: &'a Preset,
    key: &str,
    spec: &'a AnswerSpec,
    answers: &IndexMap<String, Answer>,
) -> Option<&'a toml::Value> {
    for (flag, defaults) in &preset.when {
        if let Some(value) = defaults.get(key) {
            match answers.get(flag).map(|a| &a.value) {
                Some(Value::Bool(true)) => return Some(value),
                Some(_) => {}
                None => return None,
            }
        }
    }
    spec.default.as_ref()
}

fn mentions_missing(expression: &str, preset: &Preset, answers: &IndexMap<String, Answer>) -> bool {
    preset
        .answers
        .keys()
        .any(|k| !answers.contains_key(k) && expression.contains(k.as_str()))
}

/// Whether an answer's default expression reads `key` (`{{ runtime_image | image_family }}` reads `runtime_image`).
fn default_reads(spec: &AnswerSpec, key: &str) -> bool {
    spec.default
        .as_ref()
        .and_then(toml::Value::as_str)
        .is_some_and(|expression| expression.contains(key))
}

/// True when the answer's `needed_when` conditions all hold (or it has none).
fn is_needed(spec: &AnswerSpec, values: &Map<String, Value>) -> bool {
    !spec.optional && applies(spec, values)
}

/// Whether the facts and answers so far call for the answer at all (`needed_when`, `needed_unless`).
fn applies(spec: &AnswerSpec, values: &Map<String, Value>) -> bool {
    crate::preset::conditions_hold(&spec.needed_when, values)
        && !spec.needed_unless.iter().any(|key| values.contains_key(key))
}

/// The next thing to ask: an answer with no default first, since the others' defaults may wait for it.
fn next_question(preset: &Preset, answers: &IndexMap<String, Answer>, values: &Map<String, Value>) -> Option<Question> {
    let missing: Vec<&String> = preset
        .answers
        .iter()
        .filter(|(k, spec)| !answers.contains_key(*k) && is_needed(spec, values))
        .map(|(k, _)| k)
        .collect();
    let waiting_on = |key: &str| -> Vec<String> {
        missing
            .iter()
            .filter(|other| default_reads(&preset.answers[other.as_str()], key))
            .map(|other| (*other).clone())
            .collect()
    };
    let key = missing
        .iter()
        .find(|k| !waiting_on(k).is_empty())
        .or_else(|| missing.first())?;
    Some(Question {
        key: (*key).clone(),
        help: preset.answers[key.as_str()].help.clone(),
        problem: None,
        options: Vec::new(),
        needed_by: waiting_on(key),
        default: None,
        kind: Some(preset.answers[key.as_str()].kind).filter(|k| *k != Kind::Choice),
        choices: preset.answers[key.as_str()].choices.clone(),
        alternative: None,
    })
}

/// Everything the templates see: detected facts' values, then answers over them.
fn context_values(facts: &Facts, answers: &IndexMap<String, Answer>) -> Map<String, Value> {
    let mut values: Map<String, Value> = facts.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect();
    values.extend(answers.iter().map(|(k, a)| (k.clone(), a.value.clone())));
    values
}

pub(crate) fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        // The only null a fact holds is a port that is none.
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Merges the facts of the option `chosen` names (`./cmd/api`, `cmd/api/` alike) into `facts`, with the choice's
/// own key; None when no option fits.
pub fn apply_option<'a>(choice: &'a Choice, chosen: &str, facts: &mut Facts) -> Option<&'a ChoiceOption> {
    let option = choice.options.iter().find(|o| same_path(&o.value, chosen))?;
    facts.extend(option.facts.clone());
    facts
        .entry(choice.key.clone())
        .or_insert_with(|| crate::detect::Fact::new(option.value.clone(), option.source.clone()));
    Some(option)
}

/// `./cmd/api`, `cmd/api` and `./cmd/api/` name the same package.
fn same_path(a: &str, b: &str) -> bool {
    answer_kind::normalise_path(a) == answer_kind::normalise_path(b)
}

/// The plan worth confirming at a terminal (the preset's `ask` list: what to build, how it starts, the port and
/// the images), each pre-filled with the value it would take; skipped when the user already set or picked it, or the repository allows no other value.
pub fn confirmations(preset: &Preset, candidate: Option<&Candidate>, resolved: &Resolved) -> Vec<Question> {
    preset
        .ask
        .iter()
        .filter_map(|key| {
            let answer = resolved.answers.get(key)?;
            let sole = candidate
                .and_then(|c| c.facts.get(key))
                .is_some_and(|fact| fact.sole && fact.value == answer.value);
            if answer.is_given() || answer.is_prompted() || sole {
                return None;
            }
            let spec = &preset.answers[key];
            Some(Question {
                key: key.clone(),
                help: format!("{} [{}]", spec.help, answer.origin),
                problem: None,
                options: Vec::new(),
                needed_by: Vec::new(),
                default: Some(value_text(&answer.value)),
                kind: Some(spec.kind),
                choices: spec.choices.clone(),
                alternative: None,
            })
        })
        .collect()
}

/// At a terminal: walks the plan one value at a time. A changed value is resolved again at once, keeping what
/// was already picked at the prompt, so the next question shows what follows from it (a new main package's
/// binary, a new runtime image's user tools) and nothing is asked twice.
pub fn confirm_and_resolve(
    preset: &Preset,
    candidate: Option<&Candidate>,
    mut given: IndexMap<String, Given>,
    mut resolved: Resolved,
    prompter: &mut dyn Prompter,
) -> Result<Resolved> {
    let mut asked: Vec<String> = Vec::new();
    while let Some(mut question) = confirmations(preset, candidate, &resolved)
        .into_iter()
        .find(|q| !asked.contains(&q.key))
    {
        asked.push(question.key.clone());
        // Asked again, with the reason, while the value typed cannot work with the others.
        loop {
            let text = prompter.ask(&question)?;
            if Some(text.trim()) == question.default.as_deref() {
                break;
            }
            let mut attempt = given.clone();
            for (key, answer) in resolved.answers.iter().filter(|(_, a)| a.is_prompted()) {
                attempt.insert(
                    key.clone(),
                    Given {
                        text: value_text(&answer.value),
                        origin: answer.origin.clone(),
                    },
                );
            }
            attempt.insert(
                question.key.clone(),
                Given {
                    text,
                    origin: Origin::Typed,
                },
            );
            match resolve(preset, candidate, &attempt, prompter) {
                Ok(again) => {
                    (resolved, given) = (again, attempt);
                    break;
                }
                Err(e) if e.is::<Conflict>() => question.problem = Some(e.to_string()),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(resolved)
}

/// A version saved in dockgen.toml that the repository's manifest now says otherwise (go.mod bumped after
/// `--save`): the saved one still wins, but both sources are named so the user can delete the stale line.
/// Other answers (a binary name, a port) are the user's choices over a derived value, not stale copies.
fn saved_against_detected(preset: &Preset, facts: &Facts, answers: &IndexMap<String, Answer>) -> Vec<String> {
    answers
        .iter()
        .filter(|(key, answer)| {
            matches!(answer.origin, Origin::AnswersFile(_))
                && preset.answers.get(*key).is_some_and(|spec| spec.kind == Kind::Version)
        })
        .filter_map(|(key, answer)| {
            let fact = facts.get(key).filter(|f| !f.default)?;
            (value_text(&fact.value) != value_text(&answer.value)).then(|| {
                format!(
                    "{} = {} but {} says {}: the saved answer is used; delete it from {} to follow the repository",
                    answer.origin,
                    value_text(&answer.value),
                    fact.source,
                    value_text(&fact.value),
                    crate::origin::ANSWERS_FILE
                )
            })
        })
        .collect()
}
