//! Every `tests/fixtures/<case>/` is run through `dockgen init` and `dockgen detect --json`; the results,
//! errors included, are insta snapshots in `snapshots/`, and every Dockerfile produced is linted.

use std::fmt::Write as _;

use serde::Deserialize;

use crate::common::{assert_safe, dockgen, fixture_cases, fixtures_dir, hadolint_findings, project_copy};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    /// Another case whose `repo/` this case runs on with other arguments.
    repo: Option<String>,
    /// Extra arguments to `dockgen init PATH --yes`.
    args: Vec<String>,
    /// The folder of `repo/` to run on (an app inside a workspace); default the root.
    path: Option<String>,
}

#[test]
fn every_fixture_renders_as_snapshotted_and_lints_clean() {
    let fixtures = fixture_cases();
    assert!(fixtures.len() >= 10, "fixtures are missing");
    for fixture in &fixtures {
        let case_path = fixture.join("case.toml");
        let case: Case = toml::from_str(&std::fs::read_to_string(&case_path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", case_path.display()));
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let repo = case
            .repo
            .as_ref()
            .map_or_else(|| fixture.join("repo"), |other| fixtures_dir().join(other).join("repo"));
        let project = project_copy(&repo);
        let target = project.path().join(case.path.as_deref().unwrap_or("."));

        // Detection first: the repository as the user has it (init --force may replace its own Dockerfile).
        let detect = dockgen().arg("detect").arg(&target).arg("--json").output().unwrap();
        let init = dockgen()
            .arg("init")
            .arg(&target)
            .arg("--yes")
            .args(&case.args)
            .output()
            .unwrap();

        let mut report = format!("exit: {}\n", init.status.code().unwrap_or(-1));
        let stderr = String::from_utf8_lossy(&init.stderr)
            .replace(&target.display().to_string(), "[PROJECT]")
            .replace(&project.path().display().to_string(), "[PROJECT]");
        if !stderr.is_empty() {
            let _ = write!(report, "stderr:\n{stderr}");
        }
        let dockerfile = target.join("Dockerfile");
        if init.status.success() {
            // The .dockerignore belongs to the build context: the workspace root for an app inside one.
            let ignore_dir = if target.join(".dockerignore").exists() {
                &target
            } else {
                &project.path().to_path_buf()
            };
            let files = [
                ("Dockerfile", target.join("Dockerfile")),
                (".dockerignore", ignore_dir.join(".dockerignore")),
                ("nginx.conf", target.join("nginx.conf")),
            ];
            for (file, path) in &files {
                if let Ok(text) = std::fs::read_to_string(path) {
                    let _ = write!(report, "----- {file} -----\n{text}");
                }
            }
            let written = |path: &std::path::Path| std::fs::read_to_string(path).unwrap();
            assert_safe(&name, &written(&files[0].1), &written(&files[1].1));
            // dockgen's own .dockerignore never hides what its Dockerfile copies from the context.
            let copied = dockgen::dockerignore::copied_sources(&written(&files[0].1));
            let hidden = dockgen::dockerignore::hidden(&written(&files[1].1), &copied);
            assert!(hidden.is_empty(), "{name}: the .dockerignore hides {hidden:?}");
            let findings = hadolint_findings(&dockerfile);
            assert!(
                findings.is_empty(),
                "{name}: hadolint findings:\n{}",
                findings.join("\n")
            );
        } else {
            assert!(!dockerfile.exists(), "{name}: a failed init must write nothing");
        }

        let detect_report = if detect.status.success() {
            String::from_utf8(detect.stdout).unwrap()
        } else {
            let stderr = String::from_utf8_lossy(&detect.stderr).replace(&target.display().to_string(), "[PROJECT]");
            format!("exit: {}\nstderr:\n{stderr}", detect.status.code().unwrap_or(-1))
        };

        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            description => case.description.clone(),
            info => &case.args,
        }, {
            insta::assert_snapshot!(format!("{name}.init"), report);
            insta::assert_snapshot!(format!("{name}.detect"), detect_report);
        });
    }
}
