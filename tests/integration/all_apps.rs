//! `dockgen init --all`: every app of a multi-program repository written in one run — one `Dockerfile.NAME` per
//! app (hadolint-clean), `docker-bake.hcl` (parsed as HCL) and, with `--compose`, one compose.yaml running them
//! (validated against the Compose specification) — and `--check --all` passing right after.

use std::fmt::Write as _;
use std::path::Path;

use crate::common::{dockgen, fixtures_dir, hadolint_findings, project_copy, written_compose};

/// Runs `init --all` with `extra` on a copy of a fixture's repository; returns the copy and the stderr.
fn all_apps(fixture: &str, extra: &[&str]) -> (tempfile::TempDir, String) {
    let project = project_copy(&fixtures_dir().join(fixture).join("repo"));
    let out = dockgen()
        .args(["init", "--all", "--yes"])
        .args(extra)
        .arg(project.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&project.path().display().to_string(), "[PROJECT]");
    assert!(out.status.success(), "{fixture}: {stderr}");
    (project, stderr)
}

/// The written files a reader checks: each Dockerfile.NAME (linted), the bake file (parsed) and compose.yaml.
fn report(project: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(project)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("Dockerfile") && !n.ends_with(".dockerignore"))
        .collect();
    names.sort();
    let mut report = format!("Dockerfiles: {}\n", names.join(", "));
    for name in &names {
        let findings = hadolint_findings(&project.join(name));
        assert!(findings.is_empty(), "{name}: {findings:?}");
        let ignore = if name == "Dockerfile" {
            ".dockerignore".to_string()
        } else {
            format!("{name}.dockerignore")
        };
        assert!(project.join(ignore).is_file(), "{name} has no ignore file");
    }
    let bake = std::fs::read_to_string(project.join("docker-bake.hcl")).unwrap();
    let body: hcl::Body =
        hcl::from_str(&bake).unwrap_or_else(|e| panic!("docker-bake.hcl does not parse: {e}\n{bake}"));
    let targets = body.blocks().filter(|b| b.identifier() == "target").count();
    assert_eq!(targets, names.len(), "one bake target per Dockerfile:\n{bake}");
    let _ = write!(report, "----- docker-bake.hcl -----\n{bake}");
    if let Some((file, text)) = written_compose(project) {
        let _ = write!(report, "----- {file} -----\n{text}");
    }
    report
}

#[test]
fn every_go_program_gets_its_dockerfile_the_bake_file_and_compose() {
    let (project, _) = all_apps("cmd-two-binaries", &["--compose"]);
    let report = report(project.path());
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("all-apps-go-programs", report);
    });
    let check = dockgen()
        .args(["init", "--all", "--compose", "--check"])
        .arg(project.path())
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn every_maven_module_and_node_app_too() {
    for fixture in ["reactor-two-runnable", "node-npm-workspace"] {
        let (project, stderr) = all_apps(fixture, &[]);
        let report = report(project.path());
        assert!(report.contains("target \""), "{fixture}: {report}\n{stderr}");
        let check = dockgen()
            .args(["init", "--all", "--check"])
            .arg(project.path())
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{fixture}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

#[test]
fn all_refuses_a_set_that_picks_one_app() {
    let project = project_copy(&fixtures_dir().join("cmd-two-binaries").join("repo"));
    let out = dockgen()
        .args(["init", "--all", "--yes", "--set", "main_package=./cmd/api"])
        .arg(project.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
