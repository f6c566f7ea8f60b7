//! How `init` writes: `--file` names, the ignore file a workspace's apps share, all-or-nothing under
//! signals, and create-if-absent between two concurrent runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::common::{dockgen, fixtures_dir, project_copy};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/go-http")
}

/// `dockgen init` as a child process that pauses between staging its files and moving them into place.
fn paused_init(dir: &Path, args: &[&str], pause_ms: u64) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin!("dockgen"))
        .arg("init")
        .args(args)
        .arg(dir)
        .env("__DOCKGEN_TEST_PAUSE_STAGED_MS", pause_ms.to_string())
        .env(
            "XDG_CONFIG_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-config"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn staged_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".dockgen-"))
        .collect()
}

#[test]
fn a_named_dockerfile_gets_its_own_ignore_file_beside_it() {
    let project = project_copy(&example());
    let dir = project.path();
    dockgen()
        .args(["init", "--yes", "--file", "Dockerfile.api"])
        .arg(dir)
        .assert()
        .success()
        .stderr(predicate::str::contains("Dockerfile.api.dockerignore"));
    assert!(!dir.join("Dockerfile").exists() && !dir.join(".dockerignore").exists());
    let ignore = std::fs::read_to_string(dir.join("Dockerfile.api.dockerignore")).unwrap();
    assert!(
        ignore.contains("# --- for Dockerfile.api\n") && ignore.contains("**/Dockerfile.api\n"),
        "{ignore}"
    );
    // The same name reproduces the same files; DOCKGEN_FILE is the same option.
    dockgen()
        .args(["init", "--check"])
        .env("DOCKGEN_FILE", "Dockerfile.api")
        .arg(dir)
        .assert()
        .success();
    for bad in ["../Dockerfile", "a/Dockerfile", "x.dockerignore", ""] {
        dockgen()
            .args(["init", "--yes", "--file", bad])
            .arg(dir)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a Dockerfile name"));
    }
}

/// Two apps of one workspace share the root's .dockerignore: generating the second keeps the first's
/// section, needs no --force, and regenerating either changes nothing.
#[test]
fn a_workspaces_apps_share_one_block_with_a_section_each() {
    let project = project_copy(&fixtures_dir().join("node-workspace-app/repo"));
    let root = project.path();
    for app in ["apps/web", "apps/api"] {
        dockgen().args(["init", "--yes"]).arg(root.join(app)).assert().success();
    }
    let shared = std::fs::read_to_string(root.join(".dockerignore")).unwrap();
    assert!(
        shared.contains("# --- for apps/web/Dockerfile\n") && shared.contains("# --- for apps/api/Dockerfile\n"),
        "{shared}"
    );
    for app in ["apps/web", "apps/api"] {
        dockgen()
            .args(["init", "--check"])
            .arg(root.join(app))
            .assert()
            .success();
    }
    // An app whose Dockerfile is gone loses its section on the next run.
    std::fs::remove_file(root.join("apps/api/Dockerfile")).unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(root.join("apps/web"))
        .assert()
        .success()
        .stderr(predicate::str::contains("dropped the section for apps/api/Dockerfile"));
    let after = std::fs::read_to_string(root.join(".dockerignore")).unwrap();
    assert!(!after.contains("apps/api/Dockerfile"), "{after}");
}

/// An ignore file that is not a regular text file (here a link) is not merged: replacing it needs --force.
#[cfg(unix)]
#[test]
fn an_ignore_file_that_is_a_link_is_replaced_only_with_force() {
    let project = project_copy(&example());
    let dir = project.path();
    std::fs::write(dir.join("shared.ignore"), "secrets/\n").unwrap();
    std::os::unix::fs::symlink("shared.ignore", dir.join(".dockerignore")).unwrap();
    dockgen()
        .args(["init", "--yes"])
        .arg(dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a regular file").and(predicate::str::contains("--force")));
    assert_eq!(
        std::fs::read_to_string(dir.join("shared.ignore")).unwrap(),
        "secrets/\n"
    );
    assert!(!dir.join("Dockerfile").exists());
}

/// SIGINT or SIGTERM while files are staged: the run stops with 130, the staged files are removed and the
/// user's files are as they were.
#[cfg(unix)]
#[test]
fn a_signal_while_writing_changes_nothing_and_leaves_no_temporary_files() {
    for signal in ["-INT", "-TERM"] {
        let project = project_copy(&example());
        let dir = project.path();
        let old = "FROM scratch\n# the user's own\n";
        std::fs::write(dir.join("Dockerfile"), old).unwrap();
        std::fs::write(dir.join(".dockerignore"), old).unwrap();
        let child = paused_init(dir, &["--yes", "--force"], 60_000);
        let started = Instant::now();
        while staged_files(dir).len() < 2 {
            assert!(started.elapsed() < Duration::from_secs(30), "nothing was staged");
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(130), "{signal}: {stderr}");
        assert!(stderr.contains("interrupted;"), "{stderr}");
        assert_eq!(std::fs::read_to_string(dir.join("Dockerfile")).unwrap(), old);
        assert_eq!(std::fs::read_to_string(dir.join(".dockerignore")).unwrap(), old);
        assert_eq!(staged_files(dir), Vec::<String>::new(), "{signal}");
    }
}

/// Two runs that both find no Dockerfile and both create one: exactly one wins, the other reports the
/// conflict and leaves the winner's files whole.
#[test]
fn two_concurrent_runs_cannot_both_create_the_dockerfile() {
    for attempt in 0..3 {
        let project = project_copy(&example());
        let dir = project.path();
        // Both stage before either moves a file into place.
        let first = paused_init(dir, &["--yes", "--port", "9001"], 1500);
        let second = paused_init(dir, &["--yes", "--port", "9002"], 1500);
        let outputs = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
        let won: Vec<usize> = (0..2).filter(|i| outputs[*i].status.success()).collect();
        let stderr: Vec<String> = outputs
            .iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .collect();
        assert_eq!(won.len(), 1, "attempt {attempt}: {stderr:?}");
        let lost = 1 - won[0];
        assert_eq!(outputs[lost].status.code(), Some(1), "{stderr:?}");
        assert!(
            stderr[lost].contains("was created by something else while dockgen ran"),
            "{stderr:?}"
        );
        let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let port = if won[0] == 0 { "EXPOSE 9001" } else { "EXPOSE 9002" };
        assert!(
            dockerfile.contains(port),
            "the winner's Dockerfile, whole:\n{dockerfile}"
        );
        assert_eq!(staged_files(dir), Vec::<String>::new());
    }
}

/// Two first runs at once, unpaused, 200 times: exactly one writes, the other says the file appeared, and the
/// Dockerfile left is the winner's (a run never replaces a file that another created after it looked).
#[test]
fn of_two_concurrent_first_runs_exactly_one_writes() {
    let binary = assert_cmd::cargo::cargo_bin!("dockgen");
    for pair in 0..200 {
        let project = project_copy(&example());
        let start = |port: &str| {
            Command::new(binary)
                .args(["init", "--yes", "--port", port])
                .arg(project.path())
                .env("XDG_CONFIG_HOME", project.path().join(".no-config"))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let runs = [start("9001"), start("9002")];
        let outputs: Vec<_> = runs.into_iter().map(|r| r.wait_with_output().unwrap()).collect();
        let stderr: Vec<String> = outputs
            .iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .collect();
        let won: Vec<usize> = (0..2).filter(|i| outputs[*i].status.success()).collect();
        assert_eq!(won.len(), 1, "pair {pair}: {stderr:?}");
        let lost = 1 - won[0];
        assert!(
            stderr[lost].contains("was created by something else") || stderr[lost].contains("already exist"),
            "pair {pair}: {stderr:?}"
        );
        let dockerfile = std::fs::read_to_string(project.path().join("Dockerfile")).unwrap();
        let port = ["EXPOSE 9001", "EXPOSE 9002"][won[0]];
        assert!(
            dockerfile.contains(port),
            "pair {pair}: the winner's file was replaced:\n{dockerfile}"
        );
        assert_eq!(staged_files(project.path()), Vec::<String>::new(), "pair {pair}");
    }
}
