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

    fn decide(&mut self, _: &str) -> Result<dockgen::prompt::Decision> {
        Ok(dockgen::prompt::Decision::Yes)
    }

    fn review(&mut self, _: &str) -> Result<dockgen::prompt::Review> {
        Ok(dockgen::prompt::Review::Write)
    }

    fn confirm(&mut self, _: &str, _: &str, default: bool) -> Result<bool> {
        Ok(default)
    }
}

/// Runs the interactive flow of `dockgen init` on `repo` with scripted answers: resolve, then confirm.
fn run(repo: &Path, prompter: &mut Scripted) -> Result<(Preset, Resolved)> {
    let presets = preset::builtin()?;
    let detection = detect::detect(repo)?;
    let mut given: IndexMap<String, Given> = IndexMap::new();
    let (preset, candidate) = dockgen::choose_preset(repo, None, &presets, &detection, &mut given, prompter)?;
    let preset = preset.clone();
    let resolved = answers::resolve(&preset, candidate.as_ref(), &given, prompter)?;
    let confirmed = answers::confirm_and_resolve(&preset, candidate.as_ref(), given, resolved, prompter)?;
    Ok((preset, confirmed))
}

fn repo(case: &str) -> std::path::PathBuf {
    fixtures_dir().join(case).join("repo")
}

/// Pressing Enter at every question of a fixture: the question list, snapshotted. Run by the fixture's own test
/// (`fixtures::case::<case>`); a fixture with no `repo/` of its own (it runs on another's) has none.
pub(crate) fn question_list(name: &str) {
    let fixture = fixtures_dir().join(name);
    if !fixture.join("repo").is_dir() {
        return;
    }
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
            let message = format!("{err:#}").replace(&fixtures_dir().display().to_string(), "[FIXTURES]");
            let _ = writeln!(report, "=> error: {message}");
        }
    }
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("{name}.questions"), report);
    });
}

#[test]
fn accepting_every_default_renders_what_yes_renders() {
    let mut prompter = Scripted::new(&[Some(""); 5]);
    let (preset, resolved) = run(&repo("cmd-two-binaries"), &mut prompter).unwrap();
    let keys: Vec<&str> = prompter.asked.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(
        keys,
        ["preset", "main_package", "port", "builder_image", "runtime_image"]
    );
    let dockerfile = render::render(&preset, &dockgen::plan::derive(&preset, &resolved.values))
        .unwrap()
        .dockerfile;
    assert!(
        dockerfile.contains("EXPOSE 8081\n") && dockerfile.contains("./cmd/api"),
        "{dockerfile}"
    );
}

#[test]
fn every_confirmed_value_can_be_overridden() {
    let script = [
        Some("go"),
        Some("./cmd/worker"),
        Some("9000"),
        Some("golang:1.23-bookworm"),
        Some("debian:bookworm-slim"),
    ];
    let mut prompter = Scripted::new(&script);
    let (preset, resolved) = run(&repo("cmd-two-binaries"), &mut prompter).unwrap();
    let dockerfile = render::render(&preset, &dockgen::plan::derive(&preset, &resolved.values))
        .unwrap()
        .dockerfile;
    for expected in [
        "ARG BUILDER_IMAGE=golang:1.23-bookworm",
        "ARG RUNTIME_IMAGE=debian:bookworm-slim",
        "EXPOSE 9000",
        "./cmd/worker",
        "useradd",
    ] {
        assert!(dockerfile.contains(expected), "{expected}:\n{dockerfile}");
    }
    assert_eq!(resolved.answers["port"].origin, answers::Origin::Typed);
}

#[test]
fn an_invalid_answer_is_explained_and_asked_again() {
    // A library with no main package: the package to build is asked, and a path outside the context refused.
    let mut prompter = Scripted::new(&[
        Some(""),
        Some("../elsewhere"),
        Some("."),
        Some("mylib"),
        Some(""),
        Some(""),
        Some(""),
        Some(""),
        Some(""),
    ]);
    let (_, resolved) = run(&repo("library-no-main"), &mut prompter).unwrap();
    assert_eq!(prompter.asked[1].key, "main_package");
    assert_eq!(prompter.asked[2].key, "main_package");
    let problem = prompter.asked[2].problem.clone().unwrap_or_default();
    assert!(problem.contains(".."), "{problem}");
    assert_eq!(resolved.values["main_package"], ".");
}

/// A value that cannot work with the others (scratch for a cgo binary) is asked again with the reason, not
/// the end of the session.
#[test]
fn a_conflicting_value_is_asked_again_with_the_reason() {
    // Preset, port, builder image (the one main package is not asked about), then the runtime image twice.
    let script = [
        Some(""),
        Some(""),
        Some(""),
        Some("scratch"),
        Some("gcr.io/distroless/base-debian12:nonroot"),
    ];
    let mut prompter = Scripted::new(&script);
    let (_, resolved) = run(&repo("cgo-import"), &mut prompter).unwrap();
    let runtime: Vec<&Question> = prompter.asked.iter().filter(|q| q.key == "runtime_image").collect();
    assert_eq!(runtime.len(), 2, "{:?}", prompter.asked);
    let problem = runtime[1].problem.clone().unwrap_or_default();
    assert!(problem.contains("a cgo binary needs the C library"), "{problem}");
    assert_eq!(
        resolved.values["runtime_image"],
        "gcr.io/distroless/base-debian12:nonroot"
    );
    assert_eq!(resolved.values["runtime_family"], "distroless");
}

#[test]
fn cancelling_stops_with_cancelled() {
    let mut prompter = Scripted::new(&[Some(""), Some(""), None]);
    let err = run(&repo("cmd-two-binaries"), &mut prompter).unwrap_err();
    assert!(err.is::<Cancelled>(), "{err:#}");
}

/// dockgen in an 80-column pseudo-terminal, `args` then `path` (no user config folder, no `DOCKGEN_*` from the
/// caller's environment, 30 s for each expectation). Everything it prints also goes through a vt100 screen of the
/// same size, so a test can snapshot what the user saw.
struct Pty {
    session: expectrl::session::OsSession,
    screen: vt100::Parser,
}

/// Tall enough that a whole session stays on the screen: nothing scrolls away before the snapshot.
const ROWS: u16 = 300;

impl Pty {
    fn spawn(args: &[&str], path: &Path) -> Self {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("dockgen"));
        command.args(args).arg(path).env("TERM", "xterm-256color");
        command.env(
            "XDG_CONFIG_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-config"),
        );
        for (key, _) in std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("DOCKGEN_")) {
            command.env_remove(key);
        }
        let mut session = expectrl::session::Session::spawn(command).unwrap();
        session.get_process_mut().set_window_size(80, ROWS).unwrap();
        session.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
        Pty {
            session,
            screen: vt100::Parser::new(ROWS.try_into().unwrap(), 80.try_into().unwrap(), 0),
        }
    }

    /// Waits until `text` is printed; returns everything printed since the last wait.
    fn wait(&mut self, text: &str) -> String {
        use expectrl::Expect;
        let found = self
            .session
            .expect(text)
            .unwrap_or_else(|e| panic!("waiting for {text:?}: {e}\n{}", self.screen.screen().contents()));
        self.screen.process(found.as_bytes());
        String::from_utf8_lossy(found.as_bytes()).into_owned()
    }

    /// Waits for `text` (a question's label), then types `keys`.
    fn answer(&mut self, text: &str, keys: &str) -> String {
        let printed = self.wait(text);
        // The label is drawn before inquire reads keys: a moment for it to finish drawing and switch to raw mode.
        std::thread::sleep(std::time::Duration::from_millis(200));
        self.send(keys);
        printed
    }

    /// Types `keys`.
    fn send(&mut self, keys: impl AsRef<str>) {
        use expectrl::Expect;
        self.session.send(keys.as_ref()).unwrap();
    }

    /// Waits for dockgen to exit; returns the screen, the project's path shown as [PROJECT].
    fn finish(mut self, project: &Path) -> String {
        use expectrl::{Eof, Expect};
        let rest = self.session.expect(Eof).unwrap();
        self.screen.process(rest.as_bytes());
        let contents = self.screen.screen().contents();
        let lines: Vec<&str> = contents.lines().map(str::trim_end).collect();
        let text = lines.join("\n");
        text.trim_end().replace(&project.display().to_string(), "[PROJECT]") + "\n"
    }
}

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

/// The plan, walked and edited at a real terminal: another preset (whose images follow), another main package
/// picked by arrow key, a port typed for the program that had none, and a runtime image dockgen does not know,
/// whose user tools are then asked for (scratch picked). The screen is snapshotted at 80 columns.
#[test]
fn the_plan_is_edited_at_the_terminal() {
    let project = crate::common::project_copy(&repo("cmd-two-binaries"));
    let mut pty = Pty::spawn(&["init"], project.path());
    pty.answer("Preset", &format!("{DOWN}{ENTER}"));
    pty.answer("Main package", &format!("{DOWN}{ENTER}"));
    pty.answer("Port", &format!("9100{ENTER}"));
    pty.answer("Builder image", ENTER);
    // The go-distroless preset's own runtime image is offered: the images were resolved for the new preset.
    pty.answer(
        "Runtime image: (gcr.io/distroless/static-debian12:nonroot)",
        &format!("registry.example.com/base:1{ENTER}"),
    );
    pty.answer("cannot tell how", &format!("{DOWN}{DOWN}{DOWN}{ENTER}"));
    pty.answer("[y,n,f]", &format!("y{ENTER}"));
    pty.answer("Save these answers", &format!("n{ENTER}"));
    let screen = pty.finish(project.path());
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("terminal-plan-edited", screen);
    });
    let dockerfile = std::fs::read_to_string(project.path().join("Dockerfile")).unwrap();
    for expected in [
        "(preset go-distroless)",
        "./cmd/worker",
        "ARG RUNTIME_IMAGE=registry.example.com/base:1",
        "COPY --from=build /scratch/etc/passwd /scratch/etc/group /etc/",
        "EXPOSE 9100",
        "ARG BUILDER_IMAGE=golang:1.26-alpine",
    ] {
        assert!(dockerfile.contains(expected), "{expected}:\n{dockerfile}");
    }
}

/// A Node server's plan: the start command is one of its values; a typed command that is not plain words is
/// explained and asked again, and the one accepted is the image's CMD.
#[test]
fn the_start_command_is_edited_at_the_terminal() {
    let project = crate::common::project_copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/node-server"));
    let mut pty = Pty::spawn(&["init"], project.path());
    pty.answer("Preset", ENTER);
    let piped = "node server.js | tee log";
    pty.answer("Start command", &format!("{piped}{ENTER}"));
    // Refused as typed, explained; the line inquire kept is erased, then a command of plain words.
    let erase = "\x7f".repeat(piped.len());
    pty.answer("needs a shell", &format!("{erase}node server.js --verbose{ENTER}"));
    pty.answer("Port", &format!("4100{ENTER}"));
    pty.answer("Builder image", ENTER);
    pty.answer("Runtime image", ENTER);
    pty.answer("[y,n,f]", &format!("y{ENTER}"));
    pty.answer("Save these answers", ENTER);
    let screen = pty.finish(project.path());
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("terminal-start-command-edited", screen);
    });
    let dockerfile = std::fs::read_to_string(project.path().join("Dockerfile")).unwrap();
    for expected in ["\"server.js\", \"--verbose\"]", "EXPOSE 4100"] {
        assert!(dockerfile.contains(expected), "{expected}:\n{dockerfile}");
    }
}

/// At a terminal each warning is printed once, though the facts table is shown before the questions.
#[test]
fn a_warning_is_printed_once_at_the_terminal() {
    let project = crate::common::project_copy(&repo("go-toolchain-below-go"));
    let mut pty = Pty::spawn(&["init"], project.path());
    for question in ["Preset", "Port", "Builder image", "Runtime image"] {
        pty.answer(question, ENTER);
    }
    // Every default taken: nothing to save, so the review is the last question.
    pty.answer("[y,n,f]", &format!("y{ENTER}"));
    let screen = pty.finish(project.path());
    assert_eq!(
        screen.matches("toolchain go1.25.3 is older than go 1.26.0").count(),
        1,
        "{screen}"
    );
    assert!(screen.contains("go_version"), "the facts table is shown: {screen}");
}

/// An interactive run saved with --save is reproduced byte for byte by `init --yes`; a later interactive
/// run that would change the files shows the diff, and declining leaves them untouched.
#[test]
fn an_interactive_save_round_trips_and_a_declined_diff_changes_nothing() {
    let project = crate::common::project_copy(&repo("cmd-two-binaries"));
    let spawn = |args: &[&str]| Pty::spawn(args, project.path());
    let mut first = spawn(&["init", "--save"]);
    first.answer("Preset", ENTER);
    first.answer("Main package", ENTER);
    first.answer("Port", &format!("9300{ENTER}"));
    first.answer("Builder image", ENTER);
    first.answer("Runtime image", ENTER);
    // Before writing: the plan, then each new file whole, then one answer for all.
    let shown = first.answer("[y,n,f]", &format!("y{ENTER}"));
    assert!(shown.contains("Dockerfile (new)") && shown.contains("new: "), "{shown}");
    first.finish(project.path());
    let written = std::fs::read_to_string(project.path().join("Dockerfile")).unwrap();
    assert!(written.contains("EXPOSE 9300"), "{written}");
    let again = crate::common::dockgen()
        .args(["init", "--yes", "--stdout"])
        .arg(project.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap(), written);

    std::fs::remove_file(project.path().join("dockgen.toml")).unwrap();
    let mut second = spawn(&["init"]);
    for question in ["Preset", "Main package", "Port", "Builder image", "Runtime image"] {
        second.answer(question, ENTER);
    }
    // At a terminal the diff is coloured: the removed line in red.
    let diff = second.wait("-EXPOSE 9300");
    assert!(diff.contains("\x1b[31m-EXPOSE 9300"), "{diff:?}");
    second.answer("Write", &format!("n{ENTER}"));
    second.wait("as they were");
    second.finish(project.path());
    assert_eq!(
        std::fs::read_to_string(project.path().join("Dockerfile")).unwrap(),
        written
    );
}

/// A first run at a terminal: the plan and each new file are shown before one confirmation; a value typed at
/// the prompt ends with the offer to save it (Enter says yes), after which `--check` passes. Declined, or with
/// --no-save, the run says what that means, and `--check` names the unsaved value.
#[test]
fn a_changed_answer_is_offered_for_saving_and_check_then_passes() {
    let project = crate::common::project_copy(&repo("cmd-two-binaries"));
    let dir = project.path();
    let session = |extra: &[&str], save: Option<&str>| {
        let mut args = vec!["init", "--set", "main_package=./cmd/api"];
        args.extend(extra);
        let mut session = Pty::spawn(&args, dir);
        session.answer("Preset", ENTER);
        session.answer("Port", &format!("9400{ENTER}"));
        session.answer("Builder image", ENTER);
        session.answer("Runtime image", ENTER);
        let review = session.answer("[y,n,f]", &format!("y{ENTER}"));
        if let Some(keys) = save {
            session.answer("Save these answers to dockgen.toml?", keys);
        }
        (review, session.finish(dir))
    };
    let (review, screen) = session(&[], Some(ENTER));
    assert!(
        review.contains("The plan (preset go") && review.contains("answered at the prompt"),
        "{review}"
    );
    assert!(
        review.contains("+EXPOSE 9400") && review.contains("Dockerfile (new)"),
        "{review}"
    );
    assert!(screen.contains("dockgen.toml"), "{screen}");
    let saved = std::fs::read_to_string(dir.join("dockgen.toml")).unwrap();
    assert!(saved.contains("port = 9400"), "{saved}");
    crate::common::dockgen()
        .args(["init", "--check"])
        .arg(dir)
        .assert()
        .success();

    for (extra, save) in [(&[][..], Some(format!("n{ENTER}"))), (&["--no-save"][..], None)] {
        let _ = std::fs::remove_file(dir.join("dockgen.toml"));
        std::fs::remove_file(dir.join("Dockerfile")).unwrap();
        let (_, screen) = session(extra, save.as_deref());
        assert!(screen.contains("not saved"), "{screen}");
        assert!(!dir.join("dockgen.toml").exists());
        let drift = crate::common::dockgen()
            .args(["init", "--check", "--set", "main_package=./cmd/api"])
            .arg(dir)
            .assert()
            .code(1);
        let err = String::from_utf8_lossy(&drift.get_output().stderr).into_owned();
        assert!(
            err.contains("written with port 9400") && err.contains("--save --port 9400"),
            "{err}"
        );
    }
}

/// flags > DOCKGEN_* > dockgen.toml > detected facts > preset defaults, one level at a time.
#[test]
fn answers_resolve_in_the_documented_order() {
    let project = crate::common::project_copy(&repo("cmd-two-binaries"));
    let port = |cmd: &mut assert_cmd::Command, extra: &[&str]| {
        let out = cmd
            .args(["init", "--stdout", "--set", "main_package=./cmd/worker"])
            .args(extra)
            .arg(project.path())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("EXPOSE "))
            .unwrap_or_default()
            .to_string()
    };
    let dockgen = crate::common::dockgen;
    assert_eq!(
        port(&mut dockgen(), &[]),
        "",
        "detected: the worker listens on nothing, so no EXPOSE"
    );
    let port_with_fact = {
        let out = dockgen()
            .args(["init", "--stdout", "--set", "main_package=./cmd/api"])
            .arg(project.path())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(
        port_with_fact.contains("EXPOSE 8081"),
        "detected fact beats the default"
    );
    std::fs::write(project.path().join("dockgen.toml"), "[answers]\nport = 7001\n").unwrap();
    assert_eq!(
        port(&mut dockgen(), &[]),
        "7001",
        "dockgen.toml beats facts and defaults"
    );
    assert_eq!(
        port(dockgen().env("DOCKGEN_PORT", "7002"), &[]),
        "7002",
        "DOCKGEN_* beats dockgen.toml"
    );
    assert_eq!(
        port(dockgen().env("DOCKGEN_PORT", "7002"), &["--port", "7003"]),
        "7003",
        "flags beat all"
    );
}

/// At a terminal each changed file gets its own diff and decision: n keeps it, y writes it, q writes
/// nothing at all, a writes this and every later one.
#[test]
fn each_changed_file_is_decided_on_by_itself() {
    let project = crate::common::project_copy(&repo("cmd-two-binaries"));
    let dir = project.path();
    crate::common::dockgen()
        .args(["init", "--yes", "--set", "main_package=./cmd/api"])
        .arg(dir)
        .assert()
        .success();
    let generated_ignore = std::fs::read_to_string(dir.join(".dockerignore")).unwrap();
    let spoil = || {
        std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
        // A line deleted inside dockgen's block: the merge puts it back.
        std::fs::write(dir.join(".dockerignore"), generated_ignore.replacen(".git\n", "", 1)).unwrap();
    };
    let session = |answers: &[(&str, &str)]| {
        let mut session = Pty::spawn(&["init", "--set", "main_package=./cmd/api"], dir);
        for question in ["Preset", "Port", "Builder image", "Runtime image"] {
            session.answer(question, ENTER);
        }
        session.answer("[y,n,f]", &format!("f{ENTER}"));
        for (file, answer) in answers {
            session.answer(
                &format!("Write {}? [y,n,a,q]", dir.join(file).display()),
                &format!("{answer}{ENTER}"),
            );
        }
        session.finish(dir);
    };

    spoil();
    session(&[("Dockerfile", "n"), (".dockerignore", "y")]);
    assert_eq!(
        std::fs::read_to_string(dir.join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".dockerignore")).unwrap(),
        generated_ignore
    );

    spoil();
    session(&[("Dockerfile", "q")]);
    assert_eq!(
        std::fs::read_to_string(dir.join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    assert_ne!(
        std::fs::read_to_string(dir.join(".dockerignore")).unwrap(),
        generated_ignore
    );

    session(&[("Dockerfile", "a")]);
    assert!(std::fs::read_to_string(dir.join("Dockerfile"))
        .unwrap()
        .contains("./cmd/api"));
    assert_eq!(
        std::fs::read_to_string(dir.join(".dockerignore")).unwrap(),
        generated_ignore
    );
}
