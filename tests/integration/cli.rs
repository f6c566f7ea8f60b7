//! The CLI contract: exit codes, refusal to overwrite, --force, --stdout, environment variables, presets.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::common::{assert_safe, dockgen, hadolint_findings, project_copy};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/go-http")
}

fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn stdout_prints_the_dockerfile_and_writes_nothing() {
    let project = project_copy(&example());
    let printed = stdout_of(dockgen().args(["init", "--stdout"]).arg(project.path()));
    assert!(printed.starts_with("# syntax=docker/dockerfile:1\n"), "{printed}");
    assert!(!project.path().join("Dockerfile").exists());
    assert!(!project.path().join(".dockerignore").exists());

    dockgen()
        .arg("init")
        .arg(project.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote"));
    let written = std::fs::read_to_string(project.path().join("Dockerfile")).unwrap();
    assert_eq!(printed, written, "--stdout prints exactly what init writes");
}

#[test]
fn an_existing_dockerfile_is_never_overwritten_without_force() {
    let project = project_copy(&example());
    let dockerfile = project.path().join("Dockerfile");
    std::fs::write(&dockerfile, "FROM scratch\n").unwrap();
    dockgen().arg("init").arg(project.path()).assert().code(1).stderr(
        predicate::str::contains("Dockerfile already exists")
            .and(predicate::str::contains("--force"))
            .and(predicate::str::contains("--stdout")),
    );
    assert_eq!(std::fs::read_to_string(&dockerfile).unwrap(), "FROM scratch\n");
    assert!(
        !project.path().join(".dockerignore").exists(),
        "nothing is written when one file is refused"
    );

    dockgen()
        .arg("init")
        .arg(project.path())
        .arg("--force")
        .assert()
        .success();
    assert!(std::fs::read_to_string(&dockerfile).unwrap().contains("ENTRYPOINT"));
}

#[test]
fn an_existing_dockerignore_alone_also_blocks_the_write() {
    let project = project_copy(&example());
    std::fs::write(project.path().join(".dockerignore"), "secret\n").unwrap();
    dockgen()
        .arg("init")
        .arg(project.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(".dockerignore already exists"));
    assert!(!project.path().join("Dockerfile").exists());
}

#[test]
fn output_is_deterministic() {
    let first = stdout_of(dockgen().args(["init", "--stdout"]).arg(example()));
    let second = stdout_of(dockgen().args(["init", "--stdout"]).arg(example()));
    assert_eq!(first, second);
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &["frobnicate"],
        &["init", "--port", "0"],
        &["init", "--port", "http"],
        &["init", "--set", "no-equals-sign"],
        &["init", "--set", "bad key=1"],
        &["init", "--preset", "cobol"],
        &["init", "--set", "colour=blue"],
        &["presets", "show", "cobol"],
    ];
    for args in cases {
        let mut cmd = dockgen();
        cmd.args(*args);
        if args[0] == "init" {
            cmd.arg(example());
        }
        let output = cmd.output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn failures_exit_1_with_one_line_naming_the_path() {
    let missing = Path::new(env!("CARGO_MANIFEST_DIR")).join("no/such/dir");
    let assert = dockgen().arg("init").arg(&missing).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no/such/dir"), "{stderr}");

    let file = example().join("go.mod");
    dockgen()
        .arg("detect")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a directory"));
}

#[test]
fn a_bad_answer_names_the_flag_it_came_from() {
    dockgen()
        .args(["init", "--stdout", "--runtime-image", "alpine:3.20\nRUN curl evil"])
        .arg(example())
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("--runtime-image").and(predicate::str::contains("not a valid image reference")),
        );
}

#[test]
fn environment_variables_supply_options_and_flags_win() {
    let env_port = stdout_of(
        dockgen()
            .env("DOCKGEN_PORT", "7000")
            .args(["init", "--stdout"])
            .arg(example()),
    );
    assert!(env_port.contains("EXPOSE 7000\n"), "{env_port}");

    let flag_wins = stdout_of(
        dockgen()
            .env("DOCKGEN_PORT", "7000")
            .args(["init", "--stdout", "--port", "7100"])
            .arg(example()),
    );
    assert!(flag_wins.contains("EXPOSE 7100\n"), "{flag_wins}");

    let env_set = stdout_of(
        dockgen()
            .env("DOCKGEN_SET", "binary_name=svc,go_version=1.23")
            .env("DOCKGEN_PRESET", "go-distroless")
            .args(["init", "--stdout"])
            .arg(example()),
    );
    assert!(
        env_set.contains("/out/svc") && env_set.contains("golang:1.23-alpine") && env_set.contains("distroless"),
        "{env_set}"
    );

    dockgen()
        .env("DOCKGEN_BUILDER_IMAGE", "not an image")
        .args(["init", "--stdout"])
        .arg(example())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("DOCKGEN_BUILDER_IMAGE"));
}

#[test]
fn without_a_terminal_a_needed_choice_fails_with_the_flag_even_without_yes() {
    let two = crate::common::fixtures_dir().join("cmd-two-binaries/repo");
    dockgen()
        .args(["init", "--stdout"])
        .arg(&two)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--set main_package=").and(predicate::str::contains("./cmd/worker")));
}

#[test]
fn detect_explains_each_fact_with_its_evidence() {
    let text = stdout_of(dockgen().arg("detect").arg(example()));
    assert!(text.contains("go_version") && text.contains("go.mod:3"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(dockgen().args(["detect", "--json"]).arg(example()))).unwrap();
    assert_eq!(json["preset"], "go");
    // go 1.22 is a minimum: the build uses the oldest maintained line, and says so.
    assert_eq!(json["facts"]["go_version"]["value"], "1.26");
    assert_eq!(json["facts"]["go_version"]["source"], "go.mod:3");
    let note = json["facts"]["go_version"]["note"].as_str().unwrap();
    assert!(note.contains("go 1.22 is a minimum"), "{note}");
    assert_eq!(json["facts"]["port"]["source"], "main.go:15");
}

#[test]
fn detect_marks_a_default_port_as_a_default() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("go.mod"), "module example.com/quiet\n\ngo 1.22\n").unwrap();
    // It listens, but on an address computed at run time.
    std::fs::write(
        project.path().join("main.go"),
        "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() { http.ListenAndServe(os.Args[1], nil) }\n",
    )
    .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(dockgen().args(["detect", "--json"]).arg(project.path()))).unwrap();
    assert_eq!(json["facts"]["port"]["value"], 8080);
    assert_eq!(json["facts"]["port"]["default"], true);
}

#[test]
fn a_program_that_never_listens_gets_no_expose_and_detect_says_why() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("go.mod"), "module example.com/quiet\n\ngo 1.26\n").unwrap();
    std::fs::write(project.path().join("main.go"), "package main\n\nfunc main() {}\n").unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(dockgen().args(["detect", "--json"]).arg(project.path()))).unwrap();
    assert_eq!(json["facts"]["port"]["value"], serde_json::Value::Null);
    let note = json["facts"]["port"]["note"].as_str().unwrap();
    assert!(note.contains("listens: no EXPOSE"), "{note}");
    let dockerfile = stdout_of(dockgen().args(["init", "--stdout", "--yes"]).arg(project.path()));
    assert!(!dockerfile.contains("EXPOSE"), "{dockerfile}");
    // --port gives it one after all; --port none takes it away from a server.
    let dockerfile = stdout_of(
        dockgen()
            .args(["init", "--stdout", "--yes", "--port", "9000"])
            .arg(project.path()),
    );
    assert!(dockerfile.contains("EXPOSE 9000\n"), "{dockerfile}");
    let server = stdout_of(
        dockgen()
            .args(["init", "--stdout", "--yes", "--port", "none"])
            .arg(example()),
    );
    assert!(!server.contains("EXPOSE"), "{server}");
    dockgen()
        .args(["init", "--stdout", "--yes", "--port", "http"])
        .arg(project.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a port (1-65535) or `none`"));
}

#[test]
fn presets_list_and_show() {
    let list = stdout_of(dockgen().args(["presets", "list"]));
    assert!(list.contains("go ") && list.contains("go-distroless"), "{list}");
    let shown = stdout_of(dockgen().args(["presets", "show", "go-distroless"]));
    assert!(shown.contains("extends = \"go\""), "{shown}");
}

/// The bundled example each preset is shown on (a new preset needs one).
fn example_for(preset: &dockgen::preset::Preset) -> &'static str {
    match (preset.stack.as_str(), preset.name.as_str()) {
        ("go", _) => "go-http",
        ("maven", _) => "java-maven",
        ("node", "node-static") => "node-spa",
        ("node", "node-server") => "node-server",
        ("node", "nextjs-standalone") => "node-nextjs",
        (stack, name) => panic!("preset {name} ({stack}) has no bundled example under examples/"),
    }
}

/// Every preset renders its stack's bundled example, lints clean and matches its snapshot.
#[test]
fn every_preset_renders_its_example() {
    let presets = dockgen::preset::builtin().unwrap();
    for preset in &presets {
        let example = example_for(preset);
        let project = project_copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(example));
        dockgen()
            .args(["init", "--preset", &preset.name])
            .arg(project.path())
            .assert()
            .success();
        let dockerfile = std::fs::read_to_string(project.path().join("Dockerfile")).unwrap();
        let dockerignore = std::fs::read_to_string(project.path().join(".dockerignore")).unwrap();
        assert_safe(&preset.name, &dockerfile, &dockerignore);
        let findings = hadolint_findings(&project.path().join("Dockerfile"));
        assert!(findings.is_empty(), "{}: {}", preset.name, findings.join("\n"));
        // The preset's other files (nginx.conf) are part of what it writes, so part of the snapshot.
        let mut written = dockerfile;
        for name in preset.extra_files.keys() {
            let text = std::fs::read_to_string(project.path().join(name)).unwrap();
            let _ = write!(written, "----- {name} -----\n{text}");
        }
        insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("example-{example}.{}", preset.name), written);
        });
    }
}

/// The lint check itself must be able to fail: hadolint reports a Dockerfile with known problems.
#[test]
fn hadolint_reports_a_bad_dockerfile() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("Dockerfile");
    std::fs::write(&bad, "FROM alpine:latest\nRUN apk add curl\nCMD curl example.com\n").unwrap();
    if std::process::Command::new("hadolint").arg("--version").output().is_ok() {
        let findings = hadolint_findings(&bad);
        assert!(findings.iter().any(|f| f.contains("DL3007")), "{findings:?}");
    }
}

#[test]
fn detection_ignores_dependency_vcs_and_ignored_folders() {
    let project = project_copy(&example());
    let planted = "package p\n\nimport \"C\"\n\nfunc init() { http.ListenAndServe(\":1111\", nil) }\n";
    for dir in ["node_modules/pkg", ".git/objects", "testdata", "_build", "generated"] {
        std::fs::create_dir_all(project.path().join(dir)).unwrap();
        std::fs::write(project.path().join(dir).join("planted.go"), planted).unwrap();
    }
    std::fs::write(project.path().join(".gitignore"), "generated/\n").unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(dockgen().args(["detect", "--json"]).arg(project.path()))).unwrap();
    assert_eq!(json["facts"]["cgo"]["value"], false, "{json}");
    assert_eq!(json["facts"]["port"]["value"], 8080, "{json}");
}

/// A run killed at any moment leaves each file either as it was or fully written, never half of either.
#[test]
fn a_killed_run_leaves_the_old_or_the_new_file() {
    let project = project_copy(&example());
    let old = "FROM scratch\n# the user's own Dockerfile\n";
    std::fs::write(project.path().join("Dockerfile"), old).unwrap();
    std::fs::write(project.path().join(".dockerignore"), old).unwrap();
    let new = stdout_of(dockgen().args(["init", "--stdout"]).arg(project.path()));
    let binary = assert_cmd::cargo::cargo_bin!("dockgen");
    for attempt in 0..40u64 {
        let mut child = std::process::Command::new(binary)
            .args(["init", "--force", "--yes"])
            .arg(project.path())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a different point of the run each time, from before detection to after the renames.
        std::thread::sleep(std::time::Duration::from_micros(attempt * 150));
        let _ = child.kill();
        let _ = child.wait();
        let dockerfile = std::fs::read_to_string(project.path().join("Dockerfile")).unwrap();
        assert!(
            dockerfile == old || dockerfile == new,
            "attempt {attempt}: a partial Dockerfile:\n{dockerfile}"
        );
        let ignore = std::fs::read_to_string(project.path().join(".dockerignore")).unwrap();
        assert!(
            ignore == old || ignore.starts_with("# Generated by dockgen"),
            "attempt {attempt}: partial .dockerignore"
        );
        if dockerfile == new {
            std::fs::write(project.path().join("Dockerfile"), old).unwrap();
            std::fs::write(project.path().join(".dockerignore"), old).unwrap();
        }
    }
}

#[test]
fn saved_answers_reproduce_the_same_bytes_and_rank_below_flags() {
    let two = crate::common::fixtures_dir().join("cmd-two-binaries/repo");
    let project = project_copy(&two);
    dockgen()
        .args(["init", "--set", "main_package=./cmd/api", "--port", "9000", "--save"])
        .arg(project.path())
        .assert()
        .success();
    let saved = std::fs::read_to_string(project.path().join("dockgen.toml")).unwrap();
    assert!(
        saved.contains("main_package = \"./cmd/api\"") && saved.contains("port = 9000"),
        "{saved}"
    );
    let first = std::fs::read_to_string(project.path().join("Dockerfile")).unwrap();

    // Without any flag the answers file settles the choice detection cannot, byte for byte.
    let again = stdout_of(dockgen().args(["init", "--stdout", "--yes"]).arg(project.path()));
    assert_eq!(again, first);
    // A flag beats the file, and the file beats what detection found (cmd/api listens on 8081).
    let flagged = stdout_of(
        dockgen()
            .args(["init", "--stdout", "--port", "7000"])
            .arg(project.path()),
    );
    assert!(flagged.contains("EXPOSE 7000\n"), "{flagged}");
    assert!(first.contains("EXPOSE 9000\n"), "{first}");
}

#[test]
fn an_unknown_key_in_the_answers_file_names_the_key() {
    let project = project_copy(&example());
    std::fs::write(
        project.path().join("dockgen.toml"),
        "preset = \"go\"\ncolour = \"blue\"\n",
    )
    .unwrap();
    dockgen()
        .args(["init", "--stdout"])
        .arg(project.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("dockgen.toml").and(predicate::str::contains("colour")));
    std::fs::write(project.path().join("dockgen.toml"), "[answers]\ncolour = \"blue\"\n").unwrap();
    dockgen()
        .args(["init", "--stdout"])
        .arg(project.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("dockgen.toml answers.colour"));
}

#[test]
fn init_json_reports_files_and_answer_origins() {
    let project = project_copy(&example());
    let json: serde_json::Value = serde_json::from_str(&stdout_of(
        dockgen().args(["init", "--json", "--port", "8181"]).arg(project.path()),
    ))
    .unwrap();
    assert_eq!(json["preset"], "go");
    assert_eq!(json["written"].as_array().unwrap().len(), 2);
    assert_eq!(json["answers"]["port"]["origin"], "--port");
    assert_eq!(json["answers"]["go_version"]["origin"], "go.mod:3");
    assert_eq!(json["answers"]["runtime_image"]["origin"], "default of preset go");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout_of(dockgen().args(["completions", shell]));
        assert!(script.contains("dockgen") && script.contains("init"), "{shell}");
    }
}

#[test]
fn an_ejected_unmodified_preset_renders_exactly_as_the_built_in() {
    let project = project_copy(&example());
    let built_in = stdout_of(dockgen().args(["init", "--stdout"]).arg(project.path()));
    dockgen()
        .args(["presets", "eject", "go"])
        .current_dir(project.path())
        .assert()
        .success();
    assert!(project
        .path()
        .join(".dockgen/templates/partials/runtime-user.tera")
        .is_file());
    let list = stdout_of(dockgen().args(["presets", "list"]).current_dir(project.path()));
    assert!(
        list.lines()
            .any(|l| l.starts_with("go ") && l.contains(".dockgen/presets/go.toml")),
        "{list}"
    );
    assert_eq!(
        stdout_of(dockgen().args(["init", "--stdout"]).arg(project.path())),
        built_in
    );
    // Ejecting again would overwrite the user's edits: refused without --force.
    dockgen()
        .args(["presets", "eject", "go"])
        .current_dir(project.path())
        .assert()
        .code(1);
    dockgen()
        .args(["presets", "eject", "go", "--force"])
        .current_dir(project.path())
        .assert()
        .success();
}

#[test]
fn a_user_preset_shadows_the_built_in_and_presets_dir_wins_over_the_project() {
    let project = project_copy(&example());
    let mine = tempfile::tempdir().unwrap();
    dockgen()
        .args(["presets", "eject", "go", "--to"])
        .arg(mine.path())
        .assert()
        .success();
    let preset = mine.path().join("presets/go.toml");
    let text = std::fs::read_to_string(&preset)
        .unwrap()
        .replace("alpine:3.20", "alpine:3.19");
    std::fs::write(&preset, text).unwrap();
    std::fs::create_dir_all(project.path().join(".dockgen/presets")).unwrap();
    let project_text = std::fs::read_to_string(&preset)
        .unwrap()
        .replace("alpine:3.19", "alpine:3.18");
    std::fs::write(project.path().join(".dockgen/presets/go.toml"), project_text).unwrap();

    let from_project = stdout_of(dockgen().args(["init", "--stdout"]).arg(project.path()));
    assert!(from_project.contains("ARG RUNTIME_IMAGE=alpine:3.18"), "{from_project}");
    let from_dir = stdout_of(
        dockgen()
            .args(["init", "--stdout", "--presets-dir"])
            .arg(mine.path())
            .arg(project.path()),
    );
    assert!(from_dir.contains("ARG RUNTIME_IMAGE=alpine:3.19"), "{from_dir}");
}

#[test]
fn a_broken_user_preset_or_template_names_the_file_and_line() {
    let mine = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(mine.path().join("presets")).unwrap();
    std::fs::write(mine.path().join("presets/mine.toml"), "description = \"x\"\nstack = \n").unwrap();
    let output = dockgen()
        .args(["presets", "list", "--presets-dir"])
        .arg(mine.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("presets/mine.toml") && stderr.contains("line 2"),
        "{stderr}"
    );

    std::fs::remove_file(mine.path().join("presets/mine.toml")).unwrap();
    std::fs::create_dir_all(mine.path().join("templates/go")).unwrap();
    std::fs::write(mine.path().join("templates/go/Dockerfile.tera"), "FROM x\n{% if %}\n").unwrap();
    let output = dockgen()
        .args(["init", "--stdout", "--presets-dir"])
        .arg(mine.path())
        .arg(example())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("templates/go/Dockerfile.tera") && stderr.contains("2:"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn on_off_variables_take_the_usual_words_and_name_themselves_when_wrong() {
    for (value, writes) in [
        ("1", true),
        ("yes", true),
        ("On", true),
        ("TRUE", true),
        ("0", false),
        ("off", false),
    ] {
        let project = project_copy(&example());
        let assert = dockgen()
            .env("DOCKGEN_STDOUT", if writes { "0" } else { "1" })
            .env("DOCKGEN_YES", value)
            .arg("init")
            .arg(project.path())
            .assert()
            .success();
        // DOCKGEN_STDOUT=0 writes the files, =1 prints instead: the variable was read as said.
        assert_eq!(
            project.path().join("Dockerfile").exists(),
            writes,
            "{value}: {assert:?}"
        );
    }
    dockgen()
        .env("DOCKGEN_FORCE", "maybe")
        .args(["init", "--stdout"])
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("DOCKGEN_FORCE=maybe").and(predicate::str::contains("--force").not()));
}

#[test]
fn a_presets_folder_that_is_empty_or_missing_is_a_usage_error() {
    dockgen()
        .env("DOCKGEN_PRESETS_DIR", "")
        .args(["presets", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("DOCKGEN_PRESETS_DIR is empty"));
    dockgen()
        .env("DOCKGEN_PRESETS_DIR", "/nonexistent/dockgen-presets")
        .args(["presets", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "DOCKGEN_PRESETS_DIR /nonexistent/dockgen-presets: no such folder",
        ));
    dockgen()
        .args(["--presets-dir", "/nonexistent/dockgen-presets", "presets", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--presets-dir /nonexistent"));
}

#[test]
fn identical_output_is_success_and_only_changed_files_need_force() {
    let project = project_copy(&example());
    let dir = project.path();
    dockgen().args(["init", "--yes"]).arg(dir).assert().success();
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();

    // A second run with nothing to change writes nothing and succeeds, with or without --force.
    for extra in [None, Some("--force")] {
        dockgen()
            .args(["init", "--yes"])
            .args(extra)
            .arg(dir)
            .assert()
            .success()
            .stderr(predicate::str::contains("up to date:").and(predicate::str::contains("wrote").not()));
    }

    // A missing file is created without --force when the others are unchanged.
    std::fs::remove_file(dir.join(".dockerignore")).unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(dir)
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote").and(predicate::str::contains(".dockerignore")));

    // A file that would change needs --force; the unchanged Dockerfile is not rewritten either way.
    std::fs::write(dir.join(".dockerignore"), "secrets/\n").unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            ".dockerignore already exists with other content",
        ));
    dockgen()
        .args(["init", "--yes", "--force"])
        .arg(dir)
        .assert()
        .success()
        .stderr(predicate::str::contains(".dockerignore").and(predicate::str::contains("Dockerfile,").not()));
    assert_eq!(std::fs::read_to_string(dir.join("Dockerfile")).unwrap(), dockerfile);
}

#[test]
fn check_reports_drift_with_a_diff_and_writes_nothing() {
    let project = project_copy(&example());
    let dir = project.path();
    // Nothing written yet: both files would be created, so the check fails with their diffs.
    let missing = dockgen().args(["init", "--check"]).arg(dir).assert().code(1);
    let out = String::from_utf8_lossy(&missing.get_output().stdout).into_owned();
    assert!(out.contains("--- /dev/null") && out.contains("+FROM "), "{out}");
    assert!(!dir.join("Dockerfile").exists(), "--check writes nothing");

    // The CI step the README documents: generate once, then check on every change.
    dockgen().args(["init", "--yes"]).arg(dir).assert().success();
    dockgen()
        .args(["init", "--check"])
        .arg(dir)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("up to date:"));

    // A hand edit is drift: exit 1, a unified diff on stdout, a one-line summary naming the file.
    let path = dir.join("Dockerfile");
    let edited = std::fs::read_to_string(&path).unwrap().replace("USER ", "# USER ");
    std::fs::write(&path, &edited).unwrap();
    let drift = dockgen().args(["init", "--check"]).arg(dir).assert().code(1);
    let out = String::from_utf8_lossy(&drift.get_output().stdout).into_owned();
    let err = String::from_utf8_lossy(&drift.get_output().stderr).into_owned();
    assert!(out.contains("-# USER ") && out.contains("+USER "), "{out}");
    assert!(
        err.contains("1 file is out of date") && err.contains("Dockerfile"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        edited,
        "--check writes nothing"
    );

    // Usage errors are 2.
    dockgen().args(["init", "--check", "--force"]).arg(dir).assert().code(2);
}

#[test]
fn saved_answers_keep_decisions_so_a_manifest_bump_flows_through() {
    let project = project_copy(&example());
    let dir = project.path();
    let go_mod = dir.join("go.mod");
    std::fs::write(&go_mod, "module example.com/go-http\n\ngo 1.26\n").unwrap();
    dockgen()
        .args(["init", "--yes", "--save", "--port", "9000"])
        .arg(dir)
        .assert()
        .success();
    let saved = std::fs::read_to_string(dir.join("dockgen.toml")).unwrap();
    assert!(saved.contains("port = 9000"), "a given answer is a decision: {saved}");
    assert!(
        !saved.contains("builder_image") && !saved.contains("go_version"),
        "derived values are not frozen: {saved}"
    );

    // go.mod moves on: --check says the Dockerfile is behind, --force follows the repository.
    std::fs::write(&go_mod, "module example.com/go-http\n\ngo 1.27\n").unwrap();
    let check = dockgen().args(["init", "--check"]).arg(dir).assert().code(1);
    let diff = String::from_utf8_lossy(&check.get_output().stdout).into_owned();
    assert!(
        diff.contains("-ARG BUILDER_IMAGE=golang:1.26-alpine")
            && diff.contains("+ARG BUILDER_IMAGE=golang:1.27-alpine"),
        "{diff}"
    );
    dockgen().args(["init", "--yes", "--force"]).arg(dir).assert().success();
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("golang:1.27-alpine") && dockerfile.contains("EXPOSE 9000"),
        "{dockerfile}"
    );

    // A saved value the repository now contradicts is kept, with both sources named.
    let mut pinned = std::fs::read_to_string(dir.join("dockgen.toml")).unwrap();
    pinned.push_str("go_version = \"1.26\"\n");
    std::fs::write(dir.join("dockgen.toml"), pinned).unwrap();
    dockgen()
        .args(["init", "--yes", "--stdout"])
        .arg(dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("golang:1.26-alpine"))
        .stderr(
            predicate::str::contains("dockgen.toml answers.go_version = 1.26")
                .and(predicate::str::contains("go.mod:3 says 1.27")),
        );
}

#[test]
fn save_edits_dockgen_toml_in_place_and_stdout_never_writes() {
    let project = project_copy(&example());
    let dir = project.path();
    let file = dir.join("dockgen.toml");
    std::fs::write(
        &file,
        "# our team's choices\npreset = \"go\"   # reviewed\n\n[answers]\nport = 9000 # the proxy expects it\n",
    )
    .unwrap();
    dockgen()
        .args(["init", "--yes", "--save", "--port", "9100", "--set", "binary_name=svc"])
        .arg(dir)
        .assert()
        .success();
    let edited = std::fs::read_to_string(&file).unwrap();
    assert!(
        edited.starts_with("# our team's choices\npreset = \"go\"   # reviewed\n"),
        "{edited}"
    );
    assert!(edited.contains("port = 9100 # the proxy expects it\n"), "{edited}");
    assert!(edited.contains("binary_name = \"svc\""), "{edited}");

    dockgen()
        .args(["init", "--yes", "--save", "--stdout", "--port", "9200"])
        .arg(dir)
        .assert()
        .success()
        .stderr(predicate::str::contains("--save did not write dockgen.toml"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        edited,
        "--stdout writes nothing"
    );
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_counts_as_an_existing_file() {
    let project = project_copy(&example());
    let dir = project.path();
    std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("Dockerfile")).unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Dockerfile already exists"));
    assert!(std::fs::symlink_metadata(dir.join("Dockerfile"))
        .unwrap()
        .file_type()
        .is_symlink());
}
