//! The only module that talks to the terminal. Answers ask for a missing value through the `Prompter` trait:
//! at a terminal `Terminal` asks with inquire; otherwise `NonInteractive` fails with the flag to pass.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::preset::Kind;

/// A question for one answer the templates need and nothing supplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub key: String,
    pub help: String,
    /// Why the previous answer was refused, when this is a second try.
    pub problem: Option<String>,
    /// When detection found several fitting values: each with the evidence that found it.
    pub options: Vec<(String, String)>,
    /// Other answers whose defaults wait for this one.
    pub needed_by: Vec<String>,
    /// The value Enter accepts: what detection found or the preset's default.
    pub default: Option<String>,
    /// How typed text is checked before it is accepted.
    pub kind: Option<Kind>,
    /// The only values the answer may take (a preset's `choices`): picked from a list at a terminal.
    pub choices: Vec<String>,
    /// Another way to settle it, said where no one can be asked (see `detect::Choice::alternative`).
    pub alternative: Option<String>,
}

impl Question {
    /// A pick from a list: each option with the evidence that found it.
    pub fn choice(key: &str, help: &str, options: Vec<(String, String)>) -> Self {
        Question {
            key: key.to_string(),
            help: help.to_string(),
            problem: None,
            options,
            needed_by: Vec::new(),
            default: None,
            kind: None,
            choices: Vec::new(),
            alternative: None,
        }
    }

    /// How the question is labelled at a terminal: in words (`Runtime image`), not the answer's key.
    pub fn label(&self) -> String {
        let words = self.key.replace('_', " ");
        let mut chars = words.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }

    /// The option a list starts on (and `--yes` takes): the one detection ranks clearly strongest.
    #[must_use]
    pub fn with_default(mut self, default: Option<String>) -> Self {
        self.default = default;
        self
    }

    #[must_use]
    pub fn with_alternative(mut self, alternative: Option<String>) -> Self {
        self.alternative = alternative;
        self
    }
}

pub trait Prompter {
    /// Returns the answer as text; `crate::answers` parses and validates it.
    fn ask(&mut self, question: &Question) -> Result<String>;

    /// Whether to write one changed file, after its diff was shown.
    fn decide(&mut self, file: &str) -> Result<Decision>;

    /// Whether to write the files just shown (each new one's content, each changed one's diff): one answer for
    /// all, or file by file.
    fn review(&mut self, files: &str) -> Result<Review>;

    /// A yes-or-no question with the answer Enter takes.
    fn confirm(&mut self, question: &str, help: &str, default: bool) -> Result<bool>;

    /// False when nobody can be asked: a choice with a clear default is then taken without asking.
    fn is_interactive(&self) -> bool {
        true
    }
}

/// The flag that supplies an answer on the command line.
pub fn flag_for(key: &str) -> String {
    let flag = match key {
        "builder_image" => "--builder-image IMAGE".into(),
        "runtime_image" => "--runtime-image IMAGE".into(),
        "port" => "--port N".into(),
        "preset" => return "--preset NAME (or preset in dockgen.toml)".into(),
        _ => format!("--set {key}=VALUE"),
    };
    format!("{flag} (or answers.{key} in dockgen.toml)")
}

/// Never asks: explains what is missing and which flag provides it.
pub struct NonInteractive;

impl Prompter for NonInteractive {
    fn ask(&mut self, question: &Question) -> Result<String> {
        let flag = flag_for(&question.key);
        if !question.options.is_empty() {
            let listed: Vec<String> = question
                .options
                .iter()
                .map(|(value, source)| format!("{value} ({source})"))
                .collect();
            let alternative = question
                .alternative
                .as_ref()
                .map(|a| format!(", {a}"))
                .unwrap_or_default();
            bail!(
                "several values fit {}: {}; pass {flag} to choose one{alternative}",
                question.key,
                listed.join(", ")
            );
        }
        let one_of = if question.choices.is_empty() {
            String::new()
        } else {
            format!(", one of {}", question.choices.join(", "))
        };
        if let Some(problem) = &question.problem {
            bail!("{}: {problem}; pass {flag}{one_of}", question.key);
        }
        let needed_by = if question.needed_by.is_empty() {
            String::new()
        } else {
            format!(", which {} needs", question.needed_by.join(" and "))
        };
        bail!(
            "no value for {} ({}){needed_by}: pass {flag}",
            question.key,
            question.help
        );
    }

    fn decide(&mut self, file: &str) -> Result<Decision> {
        bail!("cannot ask whether to overwrite {file} without a terminal: pass --force")
    }

    fn review(&mut self, files: &str) -> Result<Review> {
        bail!("cannot ask whether to write {files} without a terminal: pass --yes")
    }

    fn confirm(&mut self, question: &str, _: &str, _: bool) -> Result<bool> {
        bail!("cannot ask `{question}` without a terminal")
    }

    fn is_interactive(&self) -> bool {
        false
    }
}

/// Asks at the terminal with inquire: a list to pick from when detection found options, else a text prompt.
pub struct Terminal {
    /// The project: a folder answer (a main package, a workspace app) must exist in it.
    project: PathBuf,
}

impl Terminal {
    pub fn new(project: &Path) -> Self {
        Terminal {
            project: project.to_path_buf(),
        }
    }
}

impl Prompter for Terminal {
    fn ask(&mut self, question: &Question) -> Result<String> {
        let help = match &question.problem {
            Some(problem) => format!("{problem}. {}", question.help),
            None => question.help.clone(),
        };
        let label = format!("{}:", question.label());
        let answer = if !question.choices.is_empty() {
            let start = question
                .default
                .as_ref()
                .and_then(|d| question.choices.iter().position(|c| c == d))
                .unwrap_or_default();
            inquire::Select::new(&label, question.choices.clone())
                .with_help_message(&help)
                .with_starting_cursor(start)
                .prompt()
        } else if question.options.is_empty() {
            let mut text = inquire::Text::new(&label).with_help_message(&help);
            if let Some(default) = &question.default {
                text = text.with_default(default);
            }
            if let Some(kind) = question.kind {
                // Checked as the user types: a bad value is explained and never returned.
                let project = self.project.clone();
                text = text.with_validator(move |input: &str| {
                    let checked = crate::answer_kind::check_text(kind, input).and_then(|()| {
                        let missing = kind == Kind::Path && !project.join(input.trim()).is_dir();
                        if missing {
                            Err(format!("no folder {} in {}", input.trim(), project.display()))
                        } else {
                            Ok(())
                        }
                    });
                    Ok(match checked {
                        Ok(()) => inquire::validator::Validation::Valid,
                        Err(why) => inquire::validator::Validation::Invalid(why.into()),
                    })
                });
            }
            text.prompt()
        } else {
            // One line per option: the evidence is cut with … at the terminal's width (inquire's cursor is 2 wide).
            let width = crate::term::terminal_width(&std::io::stderr()).map(|w| w.saturating_sub(3));
            let labels: Vec<String> = question
                .options
                .iter()
                .map(|(value, source)| crate::term::fit(&format!("{value}  ({source})"), width))
                .collect();
            let start = question
                .default
                .as_ref()
                .and_then(|d| question.options.iter().position(|(value, _)| value == d))
                .unwrap_or_default();
            // Picked by position: two labels cut to the same text still name different options.
            inquire::Select::new(&label, labels)
                .with_help_message(&help)
                .with_starting_cursor(start)
                // Once picked, the answer line shows the value alone.
                .with_formatter(&|picked| picked.value.split("  (").next().unwrap_or_default().to_string())
                .raw_prompt()
                .map(|picked| question.options[picked.index].0.clone())
        };
        answer.map_err(|e| inquire_error(e, &question.key))
    }

    fn decide(&mut self, file: &str) -> Result<Decision> {
        let help = "y: write it · n: keep the file as it is · a: this and every later file · q: write nothing";
        letter(
            &format!("Write {file}? [y,n,a,q]"),
            help,
            "answer y, n, a or q",
            "overwriting",
            Decision::parse,
        )
    }

    fn review(&mut self, files: &str) -> Result<Review> {
        let help = "y: write them · n: write nothing · f: decide file by file";
        letter(
            &format!("Write {files}? [y,n,f]"),
            help,
            "answer y, n or f",
            "writing",
            Review::parse,
        )
    }

    fn confirm(&mut self, question: &str, help: &str, default: bool) -> Result<bool> {
        inquire::Confirm::new(question)
            .with_help_message(help)
            .with_default(default)
            .prompt()
            .map_err(|e| inquire_error(e, question))
    }
}

/// The one answer about every file shown before writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Write,
    Nothing,
    /// Ask about each file by itself (`Decision`).
    FileByFile,
}

impl Review {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => Some(Review::Write),
            "n" | "no" => Some(Review::Nothing),
            "f" | "file" => Some(Review::FileByFile),
            _ => None,
        }
    }
}

/// An answer typed like `git add -p`: one letter (or the word), Enter; nothing is assumed, anything else is
/// explained (`invalid`) and typed again.
fn letter<T>(label: &str, help: &str, invalid: &'static str, what: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let answer = inquire::Text::new(label)
        .with_help_message(help)
        .with_validator(move |input: &str| {
            Ok(match parse(input) {
                Some(_) => inquire::validator::Validation::Valid,
                None => inquire::validator::Validation::Invalid(invalid.into()),
            })
        })
        .prompt()
        .map_err(|e| inquire_error(e, what))?;
    parse(&answer).ok_or_else(|| anyhow::anyhow!("asking for {what}: `{answer}` is not an answer"))
}

/// Esc and Ctrl-C become `Cancelled` (exit 130); anything else names what was being asked.
fn inquire_error(error: inquire::InquireError, what: &str) -> anyhow::Error {
    match error {
        inquire::InquireError::OperationCanceled | inquire::InquireError::OperationInterrupted => {
            anyhow::Error::new(Cancelled)
        }
        other => anyhow::anyhow!("asking for {what}: {other}"),
    }
}

/// What to do with one changed file at the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Yes,
    No,
    /// This file and every later one.
    All,
    /// Nothing at all, not even files already approved.
    Quit,
}

impl Decision {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => Some(Decision::Yes),
            "n" | "no" => Some(Decision::No),
            "a" | "all" => Some(Decision::All),
            "q" | "quit" => Some(Decision::Quit),
            _ => None,
        }
    }
}

/// The user pressed Esc or Ctrl-C: nothing is written and dockgen exits 130.
#[derive(Debug)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled; nothing was written")
    }
}

impl std::error::Error for Cancelled {}

#[cfg(test)]
mod tests {
    use super::{Decision, Review};

    #[test]
    fn decisions_are_letters_or_words_in_any_case() {
        assert_eq!(Decision::parse(" Y "), Some(Decision::Yes));
        assert_eq!(Decision::parse("no"), Some(Decision::No));
        assert_eq!(Decision::parse("ALL"), Some(Decision::All));
        assert_eq!(Decision::parse("q"), Some(Decision::Quit));
        assert_eq!(Decision::parse("maybe"), None);
        assert_eq!(Decision::parse(""), None);
        assert_eq!(Review::parse(" F"), Some(Review::FileByFile));
        assert_eq!(Review::parse("Yes"), Some(Review::Write));
        assert_eq!(Review::parse("a"), None);
    }
}
