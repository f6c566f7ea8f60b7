//! The CLI contract: exit codes, refusal to overwrite, --force, --stdout, environment variables, presets.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::common::{assert_safe, copy_tree, dockgen, hadolint_findings, project_copy};

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
fn plan_prints_what_the_templates_receive_and_writes_nothing() {
    let project = project_copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/java-maven"));
    let printed = stdout_of(dockgen().args(["init", "--plan", "--port", "9000"]).arg(project.path()));
    let plan: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(plan["preset"], "maven", "{printed}");
    assert_eq!(plan["port"], 9000, "the answers are in the plan: {printed}");
    assert_eq!(
        plan["maven_flags"], "-B -ntp",
        "the derived fields are in the plan: {printed}"
    );
    assert!(!project.path().join("Dockerfile").exists());
    assert!(!project.path().join(".dockerignore").exists());
    dockgen()
        .args(["init", "--plan", "--stdout"])
        .arg(project.path())
        .assert()
        .code(2);
}

/// The words of the `docker build` next step in `init --json` output.
fn build_words(json: &serde_json::Value) -> Vec<&str> {
    json["next_steps"]["build"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .collect()
}

/// The printed `docker build` names the Dockerfile and the context from where dockgen ran, as Docker reads
/// them: from the workspace root, from the app's folder and from an unrelated folder.
#[test]
fn next_steps_build_from_where_the_user_stands() {
    let workspace = project_copy(&crate::common::fixtures_dir().join("node-workspace-app/repo"));
    let elsewhere = tempfile::tempdir().unwrap();
    let app = workspace.path().join("apps/api");
    let absolute_app = app.display().to_string();
    for (cwd, path) in [
        (workspace.path(), "apps/api"),
        (app.as_path(), "."),
        (elsewhere.path(), absolute_app.as_str()),
    ] {
        let _ = std::fs::remove_file(app.join("Dockerfile"));
        let output = dockgen()
            .current_dir(cwd)
            .args(["init", "--yes", "--json", "--force", path])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let build = build_words(&json);
        let context = cwd.join(build.last().unwrap());
        let named = build.iter().position(|w| *w == "-f").map(|at| cwd.join(build[at + 1]));
        let dockerfile = named.unwrap_or_else(|| context.join("Dockerfile"));
        assert!(
            dockerfile.is_file()
                && dockerfile.canonicalize().unwrap() == app.join("Dockerfile").canonicalize().unwrap(),
            "from {}: {build:?} does not name apps/api/Dockerfile",
            cwd.display()
        );
        assert_eq!(
            context.canonicalize().unwrap(),
            workspace.path().canonicalize().unwrap(),
            "from {}: {build:?} does not build the workspace root",
            cwd.display()
        );
    }
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

/// The project's Dockerfile spelled `dockerfile` (which `docker build` reads when there is no `Dockerfile`) is the
/// one dockgen would replace: refused without --force, then rewritten in place, never joined by a second file
/// whose name differs only in case.
#[test]
fn a_dockerfile_spelled_in_lower_case_is_the_existing_one() {
    let project = project_copy(&example());
    let lower = project.path().join("dockerfile");
    std::fs::write(&lower, "FROM scratch\n").unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(project.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("dockerfile already exists").and(predicate::str::contains("--force")));
    assert_eq!(std::fs::read_to_string(&lower).unwrap(), "FROM scratch\n");
    dockgen()
        .args(["init", "--yes", "--force"])
        .arg(project.path())
        .assert()
        .success();
    let names: Vec<String> = std::fs::read_dir(project.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.eq_ignore_ascii_case("Dockerfile"))
        .collect();
    assert_eq!(names, ["dockerfile"]);
    assert!(std::fs::read_to_string(&lower).unwrap().contains("ENTRYPOINT"));
}

/// The user's .dockerignore is merged, not replaced: dockgen owns one marked block, every other line stays
/// where it was, and rewriting only the block needs no --force.
#[test]
fn the_users_dockerignore_lines_are_kept_around_dockgens_block() {
    let project = project_copy(&example());
    let dir = project.path();
    let ignore = dir.join(".dockerignore");
    std::fs::write(&ignore, "# mine\nsecrets/\n").unwrap();
    dockgen().args(["init", "--yes"]).arg(dir).assert().success();
    let merged = std::fs::read_to_string(&ignore).unwrap();
    assert!(merged.starts_with("# mine\nsecrets/\n# >>> dockgen >>>"), "{merged}");
    assert!(merged.ends_with("# <<< dockgen <<<\n"), "{merged}");

    // A line the user adds after the block wins over it; when it hides what the Dockerfile copies, the pair could
    // not build: nothing is written, and the error names the line as the user sees it.
    let line = merged.lines().count() + 1;
    std::fs::write(&ignore, format!("{merged}go.mod\n")).unwrap();
    dockgen()
        .args(["init", "--yes", "--force"])
        .arg(dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            ".dockerignore:{line} `go.mod` hides go.mod, which Dockerfile copies: the build fails with this line"
        )));
    assert!(std::fs::read_to_string(&ignore).unwrap().ends_with("<<<\ngo.mod\n"));
    std::fs::write(&ignore, &merged).unwrap();

    // dockgen's earlier whole-file .dockerignore is taken over only with --force, keeping the lines it did not write.
    std::fs::write(&ignore, "# Generated by dockgen (preset go): old\n.git\nlocal.db\n").unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(".dockerignore already exists"));
    dockgen()
        .args(["init", "--yes", "--force"])
        .arg(dir)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "kept 1 line of the earlier file that dockgen does not write (local.db)",
        ));
    let taken_over = std::fs::read_to_string(&ignore).unwrap();
    assert!(taken_over.starts_with("local.db\n# >>> dockgen >>>"), "{taken_over}");
}

/// The Dockerfile's "your lines" blocks belong to the user: a later run keeps them byte for byte, `--check`
/// does not compare them, `--stdout` prints them, and a change anywhere else in the file is still drift.
#[test]
fn the_users_lines_in_the_dockerfile_are_kept_and_not_checked() {
    let project = project_copy(&example());
    let dir = project.path();
    let dockerfile = dir.join("Dockerfile");
    dockgen().args(["init", "--yes"]).arg(dir).assert().success();
    let generated = std::fs::read_to_string(&dockerfile).unwrap();
    let mine = generated
        .replace(
            "# <<< your lines: build stage <<<",
            "RUN go vet ./...\n# <<< your lines: build stage <<<",
        )
        .replace(
            "# <<< your lines: runtime stage <<<",
            "RUN apk add --no-cache tzdata=2025b-r0\nHEALTHCHECK CMD [\"/usr/local/bin/hello\", \"-health\"]\n# <<< your lines: runtime stage <<<",
        );
    assert_ne!(mine, generated, "the generated Dockerfile has both blocks");
    std::fs::write(&dockerfile, &mine).unwrap();

    dockgen()
        .args(["init", "--check"])
        .arg(dir)
        .assert()
        .success()
        .stderr(predicate::str::contains("up to date"));
    assert_eq!(stdout_of(dockgen().args(["init", "--stdout"]).arg(dir)), mine);
    // A changed answer rewrites dockgen's part (with --force) and keeps the user's lines where they were.
    dockgen()
        .args(["init", "--yes", "--force", "--port", "9090"])
        .arg(dir)
        .assert()
        .success();
    let rewritten = std::fs::read_to_string(&dockerfile).unwrap();
    assert!(rewritten.contains("EXPOSE 9090"), "{rewritten}");
    assert!(
        rewritten.contains("RUN apk add --no-cache tzdata=2025b-r0\nHEALTHCHECK CMD [\"/usr/local/bin/hello\", \"-health\"]\n# <<< your lines: runtime stage <<<"),
        "{rewritten}"
    );
    assert!(
        rewritten.contains("RUN go vet ./...\n# <<< your lines: build stage <<<"),
        "{rewritten}"
    );

    // Outside the blocks an edit is drift, shown as a diff of that line alone.
    dockgen().args(["init", "--yes", "--force"]).arg(dir).assert().success();
    let kept = std::fs::read_to_string(&dockerfile).unwrap();
    std::fs::write(&dockerfile, kept.replace("WORKDIR /app", "WORKDIR /srv")).unwrap();
    let diff = dockgen()
        .args(["init", "--check"])
        .arg(dir)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let diff = String::from_utf8(diff).unwrap();
    assert!(diff.contains("-WORKDIR /srv\n+WORKDIR /app"), "{diff}");
    assert!(!diff.contains("-RUN go vet") && !diff.contains("+RUN go vet"), "{diff}");

    // An unfinished block is an error naming the line, and nothing is written.
    std::fs::write(&dockerfile, kept.replace("# <<< your lines: build stage <<<\n", "")).unwrap();
    dockgen()
        .args(["init", "--yes", "--force"])
        .arg(dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the block `your lines: build stage` begins here but never ends",
        ));
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
        &["init", "--bogus"],
        &["init", "--stdout", "--check"],
        &["detect", "a", "b"],
    ];
    for args in cases {
        let mut cmd = dockgen();
        cmd.args(*args);
        if args[0] == "init" {
            cmd.arg(example());
        }
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        // One style for every usage error, clap's and dockgen's own: one line, naming what is wrong.
        assert!(
            stderr.starts_with("dockgen: ") && stderr.lines().count() == 1,
            "{args:?}: {stderr}"
        );
    }
    let unknown = dockgen().args(["init", "--bogus"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr),
        "dockgen: unexpected argument '--bogus' found (tip: to pass '--bogus' as a value, use '-- --bogus'; usage: \
         dockgen init [OPTIONS] [PATH]; --help for more)\n"
    );
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
        .code(2)
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
        .code(2)
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
fn detect_shows_how_the_program_runs_as_one_block() {
    let fixtures = crate::common::fixtures_dir();
    for case in ["go-dockerfile-contract", "node-compose-service", "maven-jar-contract"] {
        let text = stdout_of(dockgen().arg("detect").arg(fixtures.join(case).join("repo")));
        let (builds, runs) = text.split_once("how it runs\n").expect("a block of its own");
        assert!(
            !builds.contains("\n  port "),
            "{case}: the port is part of how it runs:\n{text}"
        );
        insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("detect-runs-{case}"), runs);
        });
    }
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
fn a_privileged_port_is_said_with_where_it_works() {
    dockgen()
        .args(["init", "--stdout", "--yes", "--port", "80"])
        .arg(example())
        .assert()
        .success()
        .stdout(predicate::str::contains("EXPOSE 80\n"))
        .stderr(
            predicate::str::contains("port 80 (--port) is a privileged port")
                .and(predicate::str::contains("net.ipv4.ip_unprivileged_port_start")),
        );
    let quiet = dockgen()
        .args(["init", "--stdout", "--yes", "--port", "1024"])
        .arg(example())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("privileged"));
}

#[test]
fn an_image_without_a_version_is_warned_about() {
    let output = dockgen()
        .args([
            "init",
            "--stdout",
            "--yes",
            "--runtime-image",
            "registry.example.com:5000/base",
        ])
        .args(["--builder-image", "golang:latest", "--set", "runtime_family=alpine"])
        .arg(example())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for image in [
        "runtime_image registry.example.com:5000/base (--runtime-image)",
        "builder_image golang:latest",
    ] {
        assert!(
            stderr.contains(image) && stderr.contains("names no version"),
            "{stderr}"
        );
    }
    let pinned = dockgen()
        .args(["init", "--stdout", "--yes"])
        .arg(example())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&pinned.stderr).contains("names no version"));
}

/// After writing, the commands that build and run the image, per preset: the real port(s), `-f` for a Dockerfile
/// that is not the context's own, build variables and secrets the Dockerfile declares; `--json` carries them.
#[test]
fn next_steps_per_preset() {
    let mut screens = String::new();
    for preset in dockgen::preset::builtin().unwrap() {
        let project = project_copy(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples")
                .join(example_for(&preset)),
        );
        let output = dockgen()
            .args(["init", "--yes", "--preset", &preset.name])
            .arg(project.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", preset.name);
        let stderr =
            String::from_utf8_lossy(&output.stderr).replace(&project.path().display().to_string(), "[PROJECT]");
        let steps = &stderr[stderr.find("next: ").expect("next steps are printed")..];
        let _ = write!(screens, "--- {}\n{steps}", preset.name);
    }
    let project = project_copy(&crate::common::fixtures_dir().join("node-npmrc-token/repo"));
    let output = dockgen()
        .args([
            "init",
            "--yes",
            "--json",
            "--build-env",
            "SENTRY_RELEASE",
            "--file",
            "Dockerfile.web",
        ])
        .arg(project.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let build = build_words(&json);
    let dockerfile = project.path().join("Dockerfile.web").display().to_string();
    assert_eq!(
        &build[..8],
        [
            "docker",
            "build",
            "-f",
            dockerfile.as_str(),
            "--build-arg",
            "SENTRY_RELEASE",
            "--secret",
            "id=NPM_TOKEN,env=NPM_TOKEN"
        ]
    );
    let stdout_only = dockgen()
        .args(["init", "--stdout", "--yes"])
        .arg(example())
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&stdout_only.stderr).contains("next: "),
        "--stdout prints nothing extra"
    );
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("next-steps", screens);
    });
}

#[test]
fn presets_list_and_show() {
    let list = stdout_of(dockgen().args(["presets", "list"]));
    assert!(list.contains("go ") && list.contains("go-distroless"), "{list}");
    let shown = stdout_of(dockgen().args(["presets", "show", "go-distroless"]));
    assert!(shown.contains("extends = \"go\""), "{shown}");
}

/// `--port none` on every preset: no EXPOSE and no port variable where the program may not listen; a usage error
/// naming why where something always listens (nginx, Next.js).
#[test]
fn port_none_on_every_preset() {
    for preset in dockgen::preset::builtin().unwrap() {
        let output = dockgen()
            .args(["init", "--stdout", "--yes", "--port", "none", "--preset", &preset.name])
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("examples")
                    .join(example_for(&preset)),
            )
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if matches!(preset.name.as_str(), "node-static" | "nextjs-standalone") {
            assert_eq!(output.status.code(), Some(2), "{}: {stderr}", preset.name);
            assert!(
                stderr.contains("`none` is not a port for this preset"),
                "{}: {stderr}",
                preset.name
            );
        } else {
            assert!(output.status.success(), "{}: {stderr}", preset.name);
            assert!(
                !stdout.contains("EXPOSE") && !stdout.contains("PORT="),
                "{}: {stdout}",
                preset.name
            );
        }
    }
}

/// The bundled example each preset is shown on: its stack's registry entry names it (a new preset needs one).
fn example_for(preset: &dockgen::preset::Preset) -> &'static str {
    let example = dockgen::detect::stack(&preset.stack)
        .and_then(|stack| stack.examples.iter().find(|example| example.preset == preset.name));
    match example {
        Some(example) => example.folder,
        None => panic!(
            "preset {} ({}) has no bundled example in its stack's registry entry",
            preset.name, preset.stack
        ),
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
fn saved_lists_and_file_name_reproduce_the_run_and_rank_below_flags() {
    let project = project_copy(&crate::common::fixtures_dir().join("node-procfile/repo"));
    let flags = [
        "--arg=--verbose",
        "--env",
        "LOG_LEVEL=debug",
        "--build-env",
        "BUILD_CHANNEL=stable",
        "--build-env",
        "SENTRY_RELEASE",
        "--secret",
        "NPM_TOKEN",
        "--file",
        "Dockerfile.web",
    ];
    dockgen()
        .args(["init", "--yes", "--save"])
        .args(flags)
        .arg(project.path())
        .assert()
        .success();
    let saved = std::fs::read_to_string(project.path().join("dockgen.toml")).unwrap();
    for line in [
        "file = \"Dockerfile.web\"",
        "[run]\nargs = [\"--verbose\"]\nenv = [\"LOG_LEVEL=debug\"]",
        "[build]\nenv = [\"BUILD_CHANNEL=stable\", \"SENTRY_RELEASE\"]\nsecrets = [\"NPM_TOKEN\"]",
    ] {
        assert!(saved.contains(line), "{line} missing from:\n{saved}");
    }
    let first = std::fs::read_to_string(project.path().join("Dockerfile.web")).unwrap();
    assert!(
        first.contains("\"--verbose\"]") && first.contains("LOG_LEVEL=debug"),
        "{first}"
    );
    // Without a flag, the file gives the same inputs: the same bytes, and --check finds Dockerfile.web current.
    let again = stdout_of(dockgen().args(["init", "--stdout", "--yes"]).arg(project.path()));
    assert_eq!(again, first);
    dockgen()
        .args(["init", "--check"])
        .arg(project.path())
        .assert()
        .success();
    // A flag replaces the saved list.
    let flagged = stdout_of(
        dockgen()
            .args(["init", "--stdout", "--yes", "--arg", "--quiet"])
            .arg(project.path()),
    );
    assert!(
        flagged.contains("\"--quiet\"]") && !flagged.contains("--verbose"),
        "{flagged}"
    );
    // A saved value is checked like the flag's.
    std::fs::write(
        project.path().join("dockgen.toml"),
        "[run]\nenv = [\"API_TOKEN=abc\"]\n",
    )
    .unwrap();
    dockgen()
        .args(["init", "--stdout", "--yes"])
        .arg(project.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "dockgen.toml: run.env[0]: API_TOKEN looks like a credential",
        ));
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
        .replace("alpine:3.24", "alpine:3.19");
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

    // `presets` commands read the same project as `init PATH`, by --project; --presets-dir only where presets
    // are read.
    let shown = stdout_of(
        dockgen()
            .args(["presets", "show", "go", "--project"])
            .arg(project.path()),
    );
    assert!(shown.contains("alpine:3.18"), "{shown}");
    let listed = stdout_of(dockgen().args(["presets", "list", "--project"]).arg(project.path()));
    assert!(listed.contains(".dockgen/presets/go.toml"), "{listed}");
    dockgen()
        .args(["completions", "bash", "--presets-dir"])
        .arg(mine.path())
        .assert()
        .code(2);
}

/// Completion scripts list the preset names where a preset is named, the project's own presets included.
#[test]
fn completions_complete_preset_names() {
    let project = project_copy(&example());
    std::fs::create_dir_all(project.path().join(".dockgen/presets")).unwrap();
    std::fs::write(
        project.path().join(".dockgen/presets/go-internal.toml"),
        "extends = \"go\"\ndescription = \"Go on our base image\"\n",
    )
    .unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(dockgen().args(["completions", shell]).current_dir(project.path()));
        for name in ["go-distroless", "node-static", "go-internal"] {
            assert!(script.contains(name), "{shell}: {name}");
        }
    }
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
    // After the note that custom templates are in use, the error is one line.
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("dockgen: ")).count(),
        1,
        "{stderr}"
    );
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
        .args(["presets", "list", "--presets-dir", "/nonexistent/dockgen-presets"])
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

    // A file that would change needs --force; the unchanged .dockerignore is not rewritten either way.
    std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    let ignore = std::fs::metadata(dir.join(".dockerignore"))
        .unwrap()
        .modified()
        .unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Dockerfile already exists with other content"));
    dockgen()
        .args(["init", "--yes", "--force"])
        .arg(dir)
        .assert()
        .success()
        .stderr(predicate::str::contains("Dockerfile").and(predicate::str::contains(".dockerignore").not()));
    assert_eq!(std::fs::read_to_string(dir.join("Dockerfile")).unwrap(), dockerfile);
    let unchanged = std::fs::metadata(dir.join(".dockerignore"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(unchanged, ignore, "the unchanged .dockerignore was not rewritten");
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

/// A Dockerfile written with answers that were never saved (typed at a prompt, or flags once): `--check` names
/// each value in the file against this run's and the command that saves them — not `--force`, which would
/// throw them away; only when other lines differ too does it mention `--force`.
#[test]
fn check_names_unsaved_answers_and_how_to_keep_them() {
    let project = project_copy(&example());
    let dir = project.path();
    dockgen()
        .args(["init", "--yes", "--port", "9090", "--runtime-image", "ubuntu:24.04"])
        .arg(dir)
        .assert()
        .success();
    let drift = dockgen().args(["init", "--check"]).arg(dir).assert().code(1);
    let err = String::from_utf8_lossy(&drift.get_output().stderr).into_owned();
    assert!(
        err.contains("Dockerfile was written with runtime_image ubuntu:24.04 (this run: alpine:")
            && err.contains("and port 9090 (this run: 8080, main.go:")
            && err.contains("`dockgen init --yes --save --runtime-image ubuntu:24.04 --port 9090`"),
        "{err}"
    );
    assert!(!err.contains("--force"), "{err}");

    // With a hand edit besides, both are said.
    let path = dir.join("Dockerfile");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("WORKDIR /app", "WORKDIR /srv")).unwrap();
    let drift = dockgen().args(["init", "--check"]).arg(dir).assert().code(1);
    let err = String::from_utf8_lossy(&drift.get_output().stderr).into_owned();
    assert!(
        err.contains("--save --runtime-image ubuntu:24.04 --port 9090") && err.contains("other lines differ too"),
        "{err}"
    );

    // The command it names keeps them: the check passes once they are saved.
    std::fs::write(&path, text).unwrap();
    dockgen()
        .args([
            "init",
            "--yes",
            "--save",
            "--runtime-image",
            "ubuntu:24.04",
            "--port",
            "9090",
        ])
        .arg(dir)
        .assert()
        .success();
    dockgen().args(["init", "--check"]).arg(dir).assert().success();
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

/// `--arg` words follow the program in exec form and `--env` pairs become ENV, on every stack; a credential's
/// name or a value a shell would read is a usage error.
#[test]
fn program_arguments_and_environment_from_the_command_line() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for (example, command) in [
        (
            "go-http",
            "ENTRYPOINT [\"/usr/local/bin/go-http\"]\nCMD [\"--verbose\", \"--name=a b\"]\n",
        ),
        (
            "java-maven",
            "ENTRYPOINT [\"java\", \"-jar\", \"/app/app.jar\"]\nCMD [\"--verbose\", \"--name=a b\"]\n",
        ),
        (
            "node-server",
            "CMD [\"node\", \"dist/server.js\", \"--verbose\", \"--name=a b\"]\n",
        ),
    ] {
        let dockerfile = stdout_of(
            dockgen()
                .args(["init", "--stdout", "--yes", "--arg", "--verbose", "--arg", "--name=a b"])
                .args(["--env", "LOG_LEVEL=debug", "--env", "LOG_LEVEL=info"])
                .arg(examples.join(example)),
        );
        assert!(dockerfile.contains(command), "{example}: {dockerfile}");
        assert!(dockerfile.contains("ENV LOG_LEVEL=info\n"), "{example}: {dockerfile}");
        assert!(!dockerfile.contains("LOG_LEVEL=debug"), "{example}: {dockerfile}");
    }
    for bad in ["API_TOKEN=x", "A=$(id)", "A B=c", "NOEQUALS"] {
        dockgen()
            .args(["init", "--stdout", "--yes", "--env", bad])
            .arg(examples.join("go-http"))
            .assert()
            .code(2);
    }
}

/// Without a terminal, an image whose user tools dockgen cannot tell stops with what to pass and the preset's
/// choices; a combination the preset names as broken (a cgo binary on scratch) is a usage error when the user
/// chose one of its parts.
#[test]
fn an_unknown_runtime_image_names_the_family_choices_and_a_broken_combination_is_refused() {
    let (code, stderr) = init_example(&["--runtime-image", "registry.example.com/base:1"], &[]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("cannot tell how `registry.example.com/base:1` adds a user")
            && stderr.contains("--set runtime_family=VALUE")
            && stderr.contains("one of alpine, debian, distroless, scratch"),
        "{stderr}"
    );
    let (code, stderr) = init_example(&["--runtime-image", "scratch", "--set", "cgo=true"], &[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("a cgo binary needs the C library") && stderr.contains("runtime_image from --runtime-image"),
        "{stderr}"
    );
}

/// `dockgen init --stdout --yes ARGS` on the Go example with `vars` set (and no colour settings of the
/// caller's): the exit code and stderr.
fn init_example(args: &[&str], vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = dockgen()
        .args(["init", "--stdout", "--yes"])
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(vars.iter().copied())
        .arg(example())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every invalid value given by flag or variable is a usage error (exit 2) naming the flag or the variable,
/// whatever the field.
#[test]
fn invalid_values_from_flags_and_variables_are_usage_errors_naming_them() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 6] = [
        (&["--port", "http"], &[], "--port"),
        (&["--set", "port=abc"], &[], "--set port="),
        (&["--builder-image", "a b"], &[], "--builder-image"),
        (
            &["--set", "main_package=./nowhere"],
            &[],
            "--set main_package=./nowhere",
        ),
        (&["--set", "runtime_family=busybox"], &[], "--set runtime_family="),
        (&[], &[("DOCKGEN_PORT", "http")], "DOCKGEN_PORT=http"),
    ];
    for (args, vars, named) in cases {
        let (code, stderr) = init_example(args, vars);
        assert_eq!(code, Some(2), "{args:?} {vars:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?} {vars:?}: {stderr}");
    }
}

/// Warnings are coloured only where colour can be read: never in a pipe, never with `NO_COLOR`, and when a
/// pager asks for it with `CLICOLOR_FORCE`.
#[test]
fn warnings_are_coloured_only_for_a_terminal_or_when_forced() {
    let run = |vars: &[(&str, &str)]| init_example(&["--runtime-image", "alpine"], vars).1;
    let piped = run(&[]);
    assert!(
        piped.contains("warning: runtime_image alpine") && !piped.contains('\x1b'),
        "{piped:?}"
    );
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.contains("\x1b[1m\x1b[33mwarning:\x1b[0m runtime_image alpine"),
        "{forced:?}"
    );
    let refused = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!refused.contains('\x1b'), "{refused:?}");
}

/// `detect` shows the decisive facts first and leaves out what only the templates need; `--verbose` shows
/// everything, and `--json` always carries everything.
#[test]
fn detect_hides_internal_facts_unless_verbose() {
    let node = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/node-server");
    let plain = stdout_of(dockgen().arg("detect").arg(&node));
    let verbose = stdout_of(dockgen().args(["detect", "--verbose"]).arg(&node));
    let json = stdout_of(dockgen().args(["detect", "--json"]).arg(&node));
    for internal in ["install_files", "lockfile", "dockerfile_dir"] {
        assert!(!plain.contains(internal), "{internal}: {plain}");
        assert!(verbose.contains(internal) && json.contains(internal), "{internal}");
    }
    let facts: Vec<&str> = plain
        .lines()
        .skip_while(|l| *l != "facts")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(facts.first(), Some(&"app"), "decisive facts come first: {facts:?}");
    assert!(
        facts.contains(&"node_version") && facts.contains(&"package_manager"),
        "{facts:?}"
    );
}

/// Names an env schema checks while building are declared once: a `--build-env` value replaces the bare ARG,
/// a `--secret` replaces it with a mount (a secret never becomes a build argument).
#[test]
fn given_build_inputs_replace_what_the_env_schema_requires() {
    let project = project_copy(&crate::common::fixtures_dir().join("node-t3-env-checked/repo"));
    let dockerfile = stdout_of(
        dockgen()
            .args(["init", "--yes", "--stdout"])
            .args([
                "--build-env",
                "DATABASE_URL=postgres://build.invalid/db",
                "--secret",
                "AUTH_SECRET",
            ])
            .arg(project.path()),
    );
    assert!(
        dockerfile.contains("ARG DATABASE_URL=postgres://build.invalid/db\n"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("ARG AUTH_SECRET"), "{dockerfile}");
    assert!(!dockerfile.contains("ARG DATABASE_URL\n"), "{dockerfile}");
    assert!(
        dockerfile.contains("--mount=type=secret,id=AUTH_SECRET"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("ARG NEXT_PUBLIC_SITE_URL\n"), "{dockerfile}");
}

/// The pre-commit hook this repository provides runs a dockgen command that exists, on the whole repository.
#[test]
fn the_pre_commit_hook_runs_init_check() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml")).unwrap();
    let doc = marked_yaml::parse_yaml_with_options(0, &text, marked_yaml::LoaderOptions::default().toplevel_sequence())
        .unwrap();
    let hooks = doc.as_sequence().expect("a list of hooks");
    let hook = hooks
        .iter()
        .filter_map(|h| h.as_mapping())
        .find(|h| h.get_scalar("id").map(marked_yaml::types::MarkedScalarNode::as_str) == Some("dockgen-check"))
        .expect("a dockgen-check hook");
    let field = |name: &str| {
        hook.get_scalar(name)
            .map(|v| v.as_str().to_string())
            .unwrap_or_default()
    };
    assert_eq!(field("entry"), "dockgen init --check");
    assert_eq!(
        field("pass_filenames"),
        "false",
        "the check covers the repository, not the staged files"
    );
    // The entry works: on an up-to-date project it exits 0, on a drifted one 1 with the diff.
    let project = project_copy(&example());
    dockgen().args(["init", "--yes"]).arg(project.path()).assert().success();
    let words: Vec<String> = field("entry").split_whitespace().skip(1).map(String::from).collect();
    dockgen().args(&words).current_dir(project.path()).assert().success();
    std::fs::write(project.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    dockgen()
        .args(&words)
        .current_dir(project.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FROM scratch"));
}

/// A project's own Dockerfile that was the evidence for the answers is gone once replaced: init says which
/// answers came from it, and `--save` records them, so `--check` reproduces the new Dockerfile without it.
#[test]
fn answers_from_a_replaced_dockerfile_are_said_and_saved() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/python-bot-started-as-module/repo");
    let project = project_copy(&fixture);
    dockgen()
        .args(["init", "--yes", "--force"])
        .arg(project.path())
        .assert()
        .success()
        .stderr(
            predicate::str::contains("the replaced Dockerfile was the evidence for")
                .and(predicate::str::contains("start_command (Dockerfile:8)"))
                .and(predicate::str::contains("--save")),
        );
    // Without the old Dockerfile and without saved answers, the Python line it named is gone.
    dockgen()
        .args(["init", "--check"])
        .arg(project.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("out of date").and(predicate::str::contains("python:3.13")));

    let project = project_copy(&fixture);
    dockgen()
        .args(["init", "--yes", "--force", "--save"])
        .arg(project.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("the replaced Dockerfile was the evidence").not());
    let saved = std::fs::read_to_string(project.path().join("dockgen.toml")).unwrap();
    assert!(saved.contains("start_command = \"python -m src.bot\""), "{saved}");
    dockgen()
        .args(["init", "--check"])
        .arg(project.path())
        .assert()
        .success();
}

/// A Python project with no app object and nothing that starts it: its only module that runs as a program is
/// taken; with two, `--yes` refuses naming the answer, and that answer (`--set start_command=…`) settles it.
#[test]
fn a_python_program_nothing_starts_takes_its_start_command_from_the_user() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/python-bot-started-as-module/repo");
    let project = project_copy(&fixture);
    std::fs::remove_file(project.path().join("Dockerfile")).unwrap();
    // The only module that runs as a program is the one candidate: taken, as a module of its package.
    let alone = dockgen()
        .args(["init", "--yes", "--stdout"])
        .arg(project.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&alone.stdout).contains("CMD [\"python\", \"-m\", \"src.bot\"]"));
    assert!(String::from_utf8_lossy(&alone.stderr).contains("src/bot.py is the only module that runs as a program"));
    // A second one is a tie nothing in the repository settles.
    std::fs::write(
        project.path().join("src/seed.py"),
        "def seed():\n    pass\n\n\nif __name__ == \"__main__\":\n    seed()\n",
    )
    .unwrap();
    dockgen()
        .args(["init", "--yes", "--stdout"])
        .arg(project.path())
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("nothing in the repository starts the program")
                .and(predicate::str::contains("no value for start_command")),
        );
    let printed = stdout_of(
        dockgen()
            .args(["init", "--yes", "--stdout", "--set", "start_command=python -m src.bot"])
            .arg(project.path()),
    );
    assert!(printed.contains("CMD [\"python\", \"-m\", \"src.bot\"]"), "{printed}");
    assert!(!printed.contains("EXPOSE"), "nothing says it listens: {printed}");
}

#[test]
fn the_machines_global_git_excludes_do_not_change_detection() {
    let project = project_copy(&example());
    let detect = || {
        let mut cmd = dockgen();
        cmd.args(["detect", "--json"]).arg(project.path());
        cmd
    };
    let plain = stdout_of(&mut detect());
    // git's core.excludesFile default ($XDG_CONFIG_HOME/git/ignore) hiding every Go source on this machine.
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(config.path().join("git")).unwrap();
    std::fs::write(config.path().join("git/ignore"), "*.go\n").unwrap();
    let mut excluded = detect();
    excluded
        .env("XDG_CONFIG_HOME", config.path())
        .env("HOME", config.path());
    assert_eq!(stdout_of(&mut excluded), plain);
}

/// A Vite front-end package in `dir` (made if missing): a second project beside the one a root builds.
fn vite_package(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("package.json"),
        "{\"name\": \"x\", \"scripts\": {\"build\": \"vite build\"}}",
    )
    .unwrap();
}

/// A root with no project of its own: the Go example in `go_folder`, a Vite site in `site_folder` and the root
/// `Dockerfile`; `init` at the root builds the Go one and says what chose it.
fn init_below_a_root_dockerfile(go_folder: &str, site_folder: &str, dockerfile: &str, said: &str) {
    let root = tempfile::tempdir().unwrap();
    let go = root.path().join(go_folder);
    std::fs::create_dir(&go).unwrap();
    copy_tree(&example(), &go);
    vite_package(&root.path().join(site_folder));
    std::fs::write(root.path().join("Dockerfile"), dockerfile).unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(root.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(said));
    assert!(go.join("Dockerfile").is_file());
    assert!(!root.path().join(site_folder).join("Dockerfile").exists());
}

#[test]
fn of_two_projects_below_the_one_the_root_dockerfile_copies_is_built() {
    // The old image copies backend/ whole into its WORKDIR: that folder is what the repository deploys.
    init_below_a_root_dockerfile(
        "backend",
        "web",
        "FROM golang:1.22\nWORKDIR /src\nCOPY backend/ ./\nRUN go build -o /server .\nCMD [\"/server\"]\n",
        "of the projects below it, backend/ is the one Dockerfile builds",
    );
    // A multi-stage one builds server/ in a stage (`WORKDIR /app/server`) and runs what it made; the client/ it
    // also builds is only copied in as files.
    init_below_a_root_dockerfile(
        "server",
        "client",
        "FROM golang:1.22 AS builder\nADD . /app\nWORKDIR /app/server\nRUN go build -o /main .\n\n\
         FROM node:20-alpine AS web\nCOPY --from=builder /app/client/ ./\nRUN npm install && npm run build\n\n\
         FROM alpine:3.20\nCOPY --from=builder /main ./\nCOPY --from=web /dist ./web\nEXPOSE 8080\nCMD ./main\n",
        "of the projects below it, server/ is the one Dockerfile:11 builds",
    );
}

#[test]
fn the_presets_a_refusal_names_render_without_the_facts_it_lacked() {
    // Astro built for Netlify functions: detection names no framework and asks for a preset; the advice it gives
    // (`--preset node-static --set output_dir=...`) writes a working pair, nginx.conf included.
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("package.json"),
        r#"{"name": "site", "private": true, "scripts": {"build": "astro build"},
            "dependencies": {"astro": "^4.0.0", "@astrojs/netlify": "^5.0.0"}}"#,
    )
    .unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(root.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("--preset node-static with --set output_dir="));
    dockgen()
        .args(["init", "--yes", "--preset", "node-static", "--set", "output_dir=dist"])
        .arg(root.path())
        .assert()
        .success();
    let nginx = std::fs::read_to_string(root.path().join("nginx.conf")).unwrap();
    assert!(nginx.contains("nginx serving the static build"), "{nginx}");
}

#[test]
fn the_one_project_below_an_empty_root_is_the_one_init_builds() {
    let root = tempfile::tempdir().unwrap();
    let backend = root.path().join("backend");
    std::fs::create_dir(&backend).unwrap();
    copy_tree(&example(), &backend);
    std::fs::write(
        root.path().join("compose.yaml"),
        "services:\n  api:\n    build: ./backend\n",
    )
    .unwrap();
    let init = || dockgen().args(["init", "--yes"]).arg(root.path()).assert();
    init().success().stderr(predicate::str::contains(
        "backend/ holds the only one below it, so dockgen works there",
    ));
    assert!(backend.join("Dockerfile").is_file());
    assert!(!root.path().join("Dockerfile").exists());

    // A second project the compose file does not build: the one it builds is still the one, said with the other.
    std::fs::remove_file(backend.join("Dockerfile")).unwrap();
    std::fs::remove_file(backend.join(".dockerignore")).unwrap();
    let web = root.path().join("web");
    vite_package(&web);
    init()
        .success()
        .stderr(predicate::str::contains(
            "of the projects below it, backend/ is the one compose.yaml:3 builds (`dockgen init ",
        ))
        .stderr(predicate::str::contains("web` for another), so dockgen works there"));
    assert!(backend.join("Dockerfile").is_file());
    assert!(!web.join("Dockerfile").exists());

    // Both built by the compose file, or the only one an example: the root names them and writes nothing.
    std::fs::write(
        root.path().join("compose.yaml"),
        "services:\n  api:\n    build: ./backend\n  web:\n    build: ./web\n",
    )
    .unwrap();
    let refused = || {
        init().failure().stderr(predicate::str::contains("projects below it"));
    };
    refused();
    std::fs::remove_dir_all(&backend).unwrap();
    std::fs::remove_dir_all(&web).unwrap();
    let demo = root.path().join("examples/demo");
    vite_package(&demo);
    refused();
}
