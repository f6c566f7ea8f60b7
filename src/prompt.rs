//! The only module that talks to the terminal. Answers ask for a missing value through the `Prompter` trait:
//! at a terminal `Terminal` asks with inquire; otherwise `NonInteractive` fails with the flag to pass.

use anyhow::{bail, Result};

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
}

pub trait Prompter {
    /// Returns the answer as text; `crate::answers` parses and validates it.
    fn ask(&mut self, question: &Question) -> Result<String>;
}

/// The flag that supplies an answer on the command line.
pub fn flag_for(key: &str) -> String {
    match key {
        "builder_image" => "--builder-image IMAGE".into(),
        "runtime_image" => "--runtime-image IMAGE".into(),
        "port" => "--port N".into(),
        "preset" => "--preset NAME".into(),
        _ => format!("--set {key}=VALUE"),
    }
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
            bail!(
                "several values fit {}: {}; pass {flag} to choose one",
                question.key,
                listed.join(", ")
            );
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
}

/// Asks at the terminal with inquire: a list to pick from when detection found options, else a text prompt.
pub struct Terminal;

impl Prompter for Terminal {
    fn ask(&mut self, question: &Question) -> Result<String> {
        let help = match &question.problem {
            Some(problem) => format!("{problem}. {}", question.help),
            None => question.help.clone(),
        };
        let answer = if question.options.is_empty() {
            inquire::Text::new(&format!("{}:", question.key))
                .with_help_message(&help)
                .prompt()
        } else {
            let labels: Vec<String> = question
                .options
                .iter()
                .map(|(value, source)| format!("{value}  ({source})"))
                .collect();
            inquire::Select::new(&format!("{}:", question.key), labels.clone())
                .with_help_message(&help)
                .prompt()
                .map(|picked| {
                    let index = labels.iter().position(|l| *l == picked).unwrap_or_default();
                    question.options[index].0.clone()
                })
        };
        answer.map_err(|e| match e {
            inquire::InquireError::OperationCanceled | inquire::InquireError::OperationInterrupted => {
                anyhow::Error::new(Cancelled)
            }
            other => anyhow::anyhow!("asking for {}: {other}", question.key),
        })
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
