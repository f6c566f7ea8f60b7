//! The interactive flow driven by a scripted prompter (inquire itself needs a terminal): the questions each
//! fixture raises are snapshotted, and scripted answers accept defaults, override values, retry after an
//! invalid value and cancel.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use dockgen::answers::{self, Given, Resolved};
use dockgen::detect;
use dockgen::preset::{self, Preset};
use dockgen::prompt::{Cancelled, Prompter, Question};
use dockgen::render;
use indexmap::IndexMap;

use crate::common::fixtures_dir;

/// Answers from a script; `None` in the script means Esc. Every question is recorded.
struct Scripted {
    script: VecDeque<Option<String>>,
    asked: Vec<Question>,
}

impl Scripted {
    fn new(script: &[Option<&str>]) -> Self {
        Scripted {
            script: script.iter().map(|a| a.map(str::to_string)).collect(),
            asked: Vec::new(),
        }
    }
}

impl Prompter for Scripted {
    fn ask(&mut self, question: &Question) -> Result<String> {
        self.asked.push(question.clone());
        match self.script.pop_front() {
            Some(Some(answer)) if answer.is_empty() => {
                // Enter: the pre-filled value, else the first option.
                Ok(question
                    .default
                    .clone()
                    .or_else(|| question.options.first().map(|o| o.0.clone()))
                    .unwrap_or_default())
            }
            Some(Some(answer)) => Ok(answer),
            Some(None) => Err(anyhow::Error::new(Cancelled)),
            None => panic!("unscripted question {}", question.key),
        }
    }

    fn confirm(&mut self, _: &str) -> Result<bool> {
        Ok(true)
    }
}

/// Runs the interactive flow of `dockgen init` on `repo` with scripted answers: resolve, then confirm.
fn run(repo: &Path, prompter: &mut Scripted) -> Result<(Preset, Resolved)> {
    let presets = preset::builtin()?;
    let detection = detect::detect(repo)?;
    let candidate = detection
        .candidates
        .first()
        .ok_or_else(|| anyhow::anyhow!("nothing detected"))?;
    let preset = preset::default_for_stack(&presets, candidate.stack).unwrap().clone();
    let mut given: IndexMap<String, Given> = IndexMap::new();
    let resolved = answers::resolve(&preset, Some(candidate), &given, prompter)?;
    let changed = answers::confirm(&answers::confirmations(&preset, &resolved), prompter)?;
    if changed.is_empty() {
        return Ok((preset, resolved));
    }
    for (key, answer) in resolved.answers.iter().filter(|(_, a)| a.origin.contains("prompt")) {
        let text = answer
            .value
            .as_str()
            .map_or_else(|| answer.value.to_string(), str::to_string);
        given.insert(
            key.clone(),
            Given {
                text,
                origin: answer.origin.clone(),
            },
        );
    }
    given.extend(changed);
    let again = answers::resolve(&preset, Some(candidate), &given, prompter)?;
    Ok((preset, again))
}

fn repo(case: &str) -> std::path::PathBuf {
    fixtures_dir().join(case).join("repo")
}

/// Pressing Enter at every question of every fixture: the question list, snapshotted per fixture.
#[test]
fn question_lists_per_fixture() {
    let mut fixtures: Vec<_> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    for fixture in fixtures.iter().filter(|f| f.join("repo").is_dir()) {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let mut prompter = Scripted::new(&[Some(""); 12]);
        let outcome = run(&fixture.join("repo"), &mut prompter);
        let mut report = String::new();
        for q in &prompter.asked {
            let _ = writeln!(report, "? {}  default={:?}  kind={:?}", q.key, q.default, q.kind);
            for (value, source) in &q.options {
                let _ = writeln!(report, "    option {value}  ({source})");
            }
        }
        match outcome {
            Ok((_, resolved)) => {
                let _ = writeln!(
                    report,
                    "=> port {}",
                    resolved.values.get("port").map(ToString::to_string).unwrap_or_default()
                );
            }
            Err(err) => {
                let _ = writeln!(report, "=> error: {err:#}");
            }
        }
        insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("{name}.questions"), report);
        });
    }
}

#[test]
fn accepting_every_default_renders_what_yes_renders() {
    let mut prompter = Scripted::new(&[Some(""), Some(""), Some(""), Some("")]);
    let (preset, resolved) = run(&repo("cmd-two-binaries"), &mut prompter).unwrap();
    let keys: Vec<&str> = prompter.asked.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["main_package", "builder_image", "runtime_image", "port"]);
    let dockerfile = render::render(&preset, &resolved.values).unwrap().dockerfile;
    assert!(
        dockerfile.contains("EXPOSE 8081\n") && dockerfile.contains("./cmd/api"),
        "{dockerfile}"
    );
}

#[test]
fn every_confirmed_value_can_be_overridden() {
    let script = [
        Some("./cmd/worker"),
        Some("golang:1.23-bookworm"),
        Some("debian:bookworm-slim"),
        Some("9000"),
    ];
    let mut prompter = Scripted::new(&script);
    let (preset, resolved) = run(&repo("cmd-two-binaries"), &mut prompter).unwrap();
    let dockerfile = render::render(&preset, &resolved.values).unwrap().dockerfile;
    for expected in [
        "ARG BUILDER_IMAGE=golang:1.23-bookworm",
        "ARG RUNTIME_IMAGE=debian:bookworm-slim",
        "EXPOSE 9000",
        "./cmd/worker",
        "useradd",
    ] {
        assert!(dockerfile.contains(expected), "{expected}:\n{dockerfile}");
    }
    assert_eq!(resolved.answers["port"].origin, "answered at the prompt");
}

#[test]
fn an_invalid_answer_is_explained_and_asked_again() {
    let mut prompter = Scripted::new(&[Some("one point twenty"), Some("1.23"), Some(""), Some(""), Some("")]);
    let (_, resolved) = run(&repo("no-go-directive"), &mut prompter).unwrap();
    assert_eq!(prompter.asked[0].key, "go_version");
    assert_eq!(prompter.asked[1].key, "go_version");
    let problem = prompter.asked[1].problem.clone().unwrap_or_default();
    assert!(problem.contains("not a version"), "{problem}");
    assert_eq!(resolved.values["builder_image"], "golang:1.23-alpine");
}

#[test]
fn cancelling_stops_with_cancelled() {
    let mut prompter = Scripted::new(&[Some(""), None]);
    let err = run(&repo("cmd-two-binaries"), &mut prompter).unwrap_err();
    assert!(err.is::<Cancelled>(), "{err:#}");
}
