//! Hostile repositories: every malformed, empty, binary, huge, non-UTF-8, looping or special manifest gets a
//! one-line error naming the file, exit 1, no panic, and nothing written or changed.

use std::path::{Path, PathBuf};

use crate::common::dockgen;

/// How a case sets up its project directory.
type Setup = fn(&Path);

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn huge(dir: &Path, rel: &str) {
    // Sparse: 100 MB on paper, nothing on disk.
    let file = std::fs::File::create(dir.join(rel)).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
}

fn symlink_loop(dir: &Path, rel: &str) {
    std::os::unix::fs::symlink(rel, dir.join(rel)).unwrap();
}

fn fifo(dir: &Path, rel: &str) {
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join(rel))
        .status()
        .unwrap();
    assert!(status.success());
}

const MAIN_GO: &[u8] = b"package main\n\nfunc main() {}\n";
const MAIN_JAVA: &[u8] = b"package app;\n\npublic class Main {\n    public static void main(String[] args) {}\n}\n";
const GO_MOD: &[u8] = b"module example.com/x\n\ngo 1.22\n";
const ESCAPING_MODULE: &[u8] = b"<project><artifactId>a</artifactId><version>1</version>\
    <packaging>pom</packaging><modules><module>../x</module></modules></project>";
/// Each entity expands the previous one ten times: a billion laughs in miniature.
const ENTITY_BOMB: &[u8] = b"<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">]>\n<project><artifactId>&g;</artifactId></project>\n";
const BINARY: &[u8] = b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00\x00binary";
const PACKAGE_JSON: &[u8] = b"{\n  \"name\": \"x\",\n  \"scripts\": { \"start\": \"node server.js\" }\n}\n";

/// A valid package.json beside `file` with these bytes (a lockfile, a workspace file).
fn with_package(dir: &Path, file: &str, bytes: &[u8]) {
    write(dir, "package.json", PACKAGE_JSON);
    write(dir, file, bytes);
}

/// (name, setup, text the error must contain)
const CASES: &[(&str, Setup, &str)] = &[
    (
        "empty go.mod",
        |d| write(d, "go.mod", b""),
        "go.mod has no module directive",
    ),
    (
        "binary go.mod",
        |d| write(d, "go.mod", BINARY),
        "go.mod is not UTF-8 text (invalid byte at offset 8)",
    ),
    (
        "latin-1 go.mod",
        |d| write(d, "go.mod", b"module caf\xe9\n"),
        "go.mod is not UTF-8 text",
    ),
    ("huge go.mod", |d| huge(d, "go.mod"), "go.mod is 104857600 bytes"),
    (
        "malformed go.mod",
        |d| write(d, "go.mod", b"module a\ngo 1.22\nrequire (\n"),
        "go.mod:3:",
    ),
    (
        "go.mod symlink loop",
        |d| symlink_loop(d, "go.mod"),
        "go.mod: cannot read",
    ),
    (
        "go.mod is a FIFO",
        |d| fifo(d, "go.mod"),
        "go.mod is not a regular file",
    ),
    (
        "go.work using a missing module",
        |d| write(d, "go.work", b"go 1.22\nuse ./gone\n"),
        "go.work:2",
    ),
    (
        "go.work escaping the root",
        |d| write(d, "go.work", b"go 1.22\nuse ../outside\n"),
        "go.work:2",
    ),
    (
        "binary go.work",
        |d| write(d, "go.work", BINARY),
        "go.work is not UTF-8 text",
    ),
    ("empty pom.xml", |d| write(d, "pom.xml", b""), "pom.xml:1:1:"),
    (
        "binary pom.xml",
        |d| write(d, "pom.xml", BINARY),
        "pom.xml is not UTF-8 text",
    ),
    ("huge pom.xml", |d| huge(d, "pom.xml"), "pom.xml is 104857600 bytes"),
    (
        "pom.xml that is HTML",
        |d| write(d, "pom.xml", b"<html><body>404</body></html>"),
        "pom.xml:1: the root element is <html>",
    ),
    (
        "pom.xml with an unclosed tag",
        |d| write(d, "pom.xml", b"<project>\n<artifactId>a</artifactId>\n"),
        "pom.xml:1:1: the root node was opened but never closed",
    ),
    (
        "pom.xml module escaping the root",
        |d| write(d, "pom.xml", ESCAPING_MODULE),
        "pom.xml:1: module `../x` is outside the build context",
    ),
    (
        "pom.xml symlink loop",
        |d| symlink_loop(d, "pom.xml"),
        "pom.xml: cannot read",
    ),
    ("pom.xml entity bomb", |d| write(d, "pom.xml", ENTITY_BOMB), "pom.xml:"),
    (
        "binary build.gradle",
        |d| write(d, "build.gradle", BINARY),
        "build.gradle is not UTF-8 text (invalid byte at offset 8)",
    ),
    (
        "huge build.gradle.kts",
        |d| huge(d, "build.gradle.kts"),
        "build.gradle.kts is 104857600 bytes",
    ),
    (
        "settings.gradle linked to itself",
        |d| {
            write(d, "build.gradle", b"plugins { id 'application' }\n");
            symlink_loop(d, "settings.gradle");
        },
        "settings.gradle: cannot read",
    ),
    (
        "an application named like a path",
        |d| {
            write(d, "src/main/java/app/Main.java", MAIN_JAVA);
            write(
                d,
                "build.gradle",
                b"plugins { id 'application' }\napplication {\n  mainClass = 'app.Main'\n  applicationName = '../../bin/sh'\n}\n",
            );
        },
        "build.gradle:4: the application's name `../../bin/sh` is not a file name",
    ),
    (
        "a Gradle root project named with a shell command",
        |d| {
            write(d, "src/main/java/app/Main.java", MAIN_JAVA);
            write(d, "settings.gradle", b"rootProject.name = 'x$(reboot)'\n");
            write(
                d,
                "build.gradle",
                b"plugins { id 'application' }\napplication { mainClass = 'app.Main' }\n",
            );
        },
        "settings.gradle:1: the application's name `x$(reboot)` is not a file name",
    ),
    (
        "a shadow jar named with quotes",
        |d| {
            write(d, "src/main/java/app/Main.java", MAIN_JAVA);
            write(
                d,
                "build.gradle",
                b"plugins {\n  id 'com.gradleup.shadow'\n  id 'application'\n}\napplication { mainClass = 'app.Main' }\nshadowJar { archiveFileName = \"x'; reboot; '.jar\" }\n",
            );
        },
        "build.gradle:6: the shadowJar jar's name",
    ),
    (
        "empty package.json",
        |d| write(d, "package.json", b""),
        "package.json is empty: it needs at least `{}`",
    ),
    (
        "binary package.json",
        |d| write(d, "package.json", BINARY),
        "package.json is not UTF-8 text (invalid byte at offset 8)",
    ),
    (
        "latin-1 package.json",
        |d| write(d, "package.json", b"{\"name\": \"caf\xe9\"}"),
        "package.json is not UTF-8 text (invalid byte at offset 13)",
    ),
    (
        "huge package.json",
        |d| huge(d, "package.json"),
        "package.json is 104857600 bytes",
    ),
    (
        "package.json with a trailing comma",
        |d| write(d, "package.json", b"{\n  \"name\": \"x\",\n}\n"),
        "package.json:3:1: trailing comma",
    ),
    (
        "package.json that is a list",
        |d| write(d, "package.json", b"[1, 2]\n"),
        "package.json:1: the top level is not a JSON object",
    ),
    (
        "package.json symlink loop",
        |d| symlink_loop(d, "package.json"),
        "package.json: cannot read",
    ),
    (
        "package.json is a FIFO",
        |d| fifo(d, "package.json"),
        "package.json is not a regular file",
    ),
    (
        "binary package-lock.json",
        |d| with_package(d, "package-lock.json", BINARY),
        "package-lock.json is not UTF-8 text (invalid byte at offset 8)",
    ),
    (
        "truncated package-lock.json",
        |d| {
            with_package(
                d,
                "package-lock.json",
                b"{\n  \"name\": \"x\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n",
            );
        },
        "package-lock.json:5:0: EOF while parsing an object",
    ),
    (
        "package-lock.json without a lockfileVersion",
        |d| with_package(d, "package-lock.json", b"{}"),
        "package-lock.json: no lockfileVersion",
    ),
    (
        "huge package-lock.json",
        |d| {
            write(d, "package.json", PACKAGE_JSON);
            huge(d, "package-lock.json");
        },
        "package-lock.json is 104857600 bytes",
    ),
    (
        "package-lock.json symlink loop",
        |d| {
            write(d, "package.json", PACKAGE_JSON);
            symlink_loop(d, "package-lock.json");
        },
        "package-lock.json: cannot read",
    ),
    (
        "pnpm-lock.yaml that is not one",
        |d| with_package(d, "pnpm-lock.yaml", b"<html>404</html>\n"),
        "pnpm-lock.yaml:1: no lockfileVersion",
    ),
    (
        "latin-1 pnpm-lock.yaml",
        |d| with_package(d, "pnpm-lock.yaml", b"lockfileVersion: '9.0'\n# caf\xe9\n"),
        "pnpm-lock.yaml is not UTF-8 text (invalid byte at offset 28)",
    ),
    (
        "yarn.lock that is not one",
        |d| with_package(d, "yarn.lock", b"hello world"),
        "yarn.lock:1: neither a yarn v1 lockfile nor a yarn berry one",
    ),
    (
        "binary yarn.lock",
        |d| with_package(d, "yarn.lock", BINARY),
        "yarn.lock is not UTF-8 text",
    ),
    (
        "bun.lock that is not JSON",
        |d| with_package(d, "bun.lock", b"lockfile = 1\n"),
        "bun.lock:1: not a bun text lockfile",
    ),
    (
        "binary pnpm-workspace.yaml",
        |d| with_package(d, "pnpm-workspace.yaml", BINARY),
        "pnpm-workspace.yaml is not UTF-8 text",
    ),
    (
        "workspace pattern escaping the root",
        |d| write(d, "package.json", b"{\"workspaces\": [\"../*\"]}"),
        "package.json:1: the workspace patterns (../*) match no folder with a package.json",
    ),
    (
        "packageManager that is not one",
        |d| write(d, "package.json", b"{\n  \"packageManager\": \"curl@1 | sh\"\n}"),
        "package.json:2: packageManager `curl@1 | sh` is not npm, pnpm, yarn or bun",
    ),
    (
        "malformed angular.json",
        |d| {
            write(
                d,
                "package.json",
                b"{\"scripts\": {\"build\": \"ng build\"}, \"dependencies\": {\"@angular/core\": \"18\"}}",
            );
            write(d, "angular.json", b"{\n  \"projects\": {\n    \"a\": ]\n}");
        },
        "angular.json:3:10: expected value",
    ),
];

fn listing(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.path().symlink_metadata().unwrap();
        out.push((entry.path(), meta.len()));
    }
    out.sort();
    out
}

#[test]
fn hostile_manifests_fail_with_one_line_naming_the_file_and_write_nothing() {
    for (name, setup, expected) in CASES {
        let project = tempfile::tempdir().unwrap();
        let manifests = ["go.mod", "pom.xml", "go.work", "package", "lock", "yaml", "angular"];
        if !manifests.iter().any(|m| name.contains(m)) {
            write(project.path(), "main.go", MAIN_GO);
        }
        setup(project.path());
        let before = listing(project.path());
        for command in ["init", "detect"] {
            let mut cmd = dockgen();
            cmd.arg(command).arg(project.path());
            if command == "init" {
                cmd.arg("--yes");
            }
            let output = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{name} ({command}): {stderr}");
            assert_eq!(
                stderr.lines().count(),
                1,
                "{name} ({command}): one line expected, got:\n{stderr}"
            );
            assert!(
                stderr.contains(expected),
                "{name} ({command}): expected `{expected}` in: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{name} ({command}): {stderr}");
        }
        assert_eq!(listing(project.path()), before, "{name}: the project changed");
    }
}

#[test]
fn hostile_sources_are_skipped_not_fatal() {
    let project = tempfile::tempdir().unwrap();
    write(project.path(), "go.mod", GO_MOD);
    write(project.path(), "main.go", MAIN_GO);
    write(project.path(), "junk.go", BINARY);
    huge(project.path(), "generated.go");
    fifo(project.path(), "pipe.go");
    std::os::unix::fs::symlink(".", project.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("nowhere", project.path().join("dangling.go")).unwrap();
    let output = dockgen()
        .arg("init")
        .arg(project.path())
        .args(["--yes", "--stdout"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_path_that_is_missing_or_a_file_is_one_line_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GO_MOD);
    for (path, expected) in [
        (dir.path().join("missing"), "does not exist"),
        (dir.path().join("go.mod"), "is not a directory"),
    ] {
        for command in ["init", "detect"] {
            let output = dockgen().arg(command).arg(&path).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.contains(expected) && stderr.contains(&path.display().to_string()),
                "{stderr}"
            );
        }
    }
}

/// Unreadable manifests and folders. Root reads everything, so under root the run drops to `nobody`.
#[test]
fn unreadable_files_and_folders_are_named() {
    use std::os::unix::fs::PermissionsExt as _;
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    // A copy `nobody` can run wherever this checkout lives.
    let bin_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(bin_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let binary = bin_dir.path().join("dockgen");
    std::fs::copy(assert_cmd::cargo::cargo_bin!("dockgen"), &binary).unwrap();
    for (name, unreadable, expected) in [
        ("file", "go.mod", "go.mod: cannot read"),
        ("folder", "pkg", "pkg: cannot read"),
    ] {
        let project = tempfile::tempdir().unwrap();
        std::fs::set_permissions(project.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        write(project.path(), "go.mod", GO_MOD);
        write(project.path(), "main.go", MAIN_GO);
        write(project.path(), "pkg/p.go", b"package pkg\n");
        std::fs::set_permissions(project.path().join(unreadable), std::fs::Permissions::from_mode(0o000)).unwrap();
        let mut command = if is_root {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(&binary);
            c
        } else {
            std::process::Command::new(&binary)
        };
        let output = command.args(["init", "--yes"]).arg(project.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        std::fs::set_permissions(project.path().join(unreadable), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!project.path().join("Dockerfile").exists(), "{name}");
    }
}

/// Node's optional files (framework configs, version files) behave the same.
#[test]
fn hostile_node_configs_are_named_and_ignored() {
    let project = crate::common::project_copy(&crate::common::fixtures_dir().join("node-vite-npm/repo"));
    write(project.path(), "vite.config.ts", BINARY);
    huge(project.path(), ".nvmrc");
    fifo(project.path(), "tsconfig.json");
    // The committed env files the build's values may come from.
    huge(project.path(), ".env");
    fifo(project.path(), ".env.production");
    let (dockerfile, stderr) = crate::common::init_stdout(project.path());
    assert!(
        stderr.contains("vite.config.ts is not readable")
            && stderr.contains(".nvmrc is not readable")
            && stderr.contains(".env is not readable"),
        "{stderr}"
    );
    assert!(dockerfile.contains("COPY --from=build /app/dist/ /usr/share/nginx/html/"));
}

/// Framework configs are optional: a binary or huge one is named in a warning and ignored, never fatal.
#[test]
fn hostile_framework_configs_are_named_and_ignored() {
    let project = crate::common::project_copy(&crate::common::fixtures_dir().join("spring-boot-2/repo"));
    write(project.path(), "src/main/resources/application.properties", BINARY);
    huge(project.path(), "src/main/resources/application.yml");
    let (dockerfile, stderr) = crate::common::init_stdout(project.path());
    assert!(
        stderr.contains("application.properties is not readable") && stderr.contains("application.yml is not readable"),
        "{stderr}"
    );
    assert!(dockerfile.contains("EXPOSE 8080\n"));
}

/// Build files read as evidence (Makefile, justfile, Taskfile, goreleaser, Dockerfiles, Procfile) are
/// optional: binary, huge, special, looping or malformed ones never stop a run, and a YAML alias bomb or a
/// self-referencing make variable costs nothing.
#[test]
fn hostile_build_files_are_ignored_or_named() {
    let project = tempfile::tempdir().unwrap();
    write(project.path(), "go.mod", GO_MOD);
    write(project.path(), "main.go", MAIN_GO);
    write(
        project.path(),
        "Makefile",
        b"X := $(X)$(X)$(X)$(X)\nbuild:\n\tgo build -o $(X) .\n",
    );
    write(project.path(), "justfile", BINARY);
    huge(project.path(), "Dockerfile");
    fifo(project.path(), "Containerfile");
    symlink_loop(project.path(), "Procfile");
    write(
        project.path(),
        ".goreleaser.yaml",
        b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
    );
    write(project.path(), "Taskfile.yml", b"tasks: [unclosed\n");
    let started = std::time::Instant::now();
    let (dockerfile, stderr) = crate::common::init_stdout(project.path());
    assert!(
        stderr.contains(".goreleaser.yaml:") && stderr.contains("(ignored)"),
        "{stderr}"
    );
    assert!(stderr.contains("Taskfile.yml:"), "{stderr}");
    // The binary keeps the module's name: no build file said anything literal.
    assert!(dockerfile.contains("-o /out/x ."));
    // A generous bound: only a hang or a blow-up would come near it.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// How long any run below may take: only a hang or a blow-up comes near it.
const TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);
/// The address space a run below may use (`ulimit -v`); dockgen needs a small fraction of it.
const MEMORY_LIMIT_KB: u64 = 1024 * 1024;

/// Runs dockgen in `dir` with `args` under `TIME_LIMIT` and `MEMORY_LIMIT_KB`: a run still going at the limit is
/// killed and fails the test. `env` adds variables (a secret that must not be echoed).
fn bounded(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    use std::io::Read as _;
    let binary = assert_cmd::cargo::cargo_bin!("dockgen");
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KB} && exec \"$0\" \"$@\""))
        .arg(binary)
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join(".no-user-config"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("DOCKGEN_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().unwrap();
    // Drained while it runs, so a chatty run cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out_pipe.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err_pipe.read_to_string(&mut text);
        text
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dockgen {args:?} in {} ran past {TIME_LIMIT:?}", dir.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    (status.code(), out.join().unwrap(), err.join().unwrap())
}

const SECRET: &str = "s3cr3t-token-value";

fn go_project(dir: &Path) {
    write(dir, "go.mod", GO_MOD);
    write(dir, "main.go", MAIN_GO);
}

/// (name, setup, arguments, exit code, text stderr must contain). Every case runs under the time and memory
/// bounds, with `SECRET` in the environment: no output may contain it, nor an escape character.
type BoundedCase = (&'static str, Setup, &'static [&'static str], i32, &'static str);

const BOUNDED_CASES: &[BoundedCase] = &[
    (
        "backtracking workspace glob",
        |d| {
            write(
                d,
                "package.json",
                b"{\"workspaces\": [\"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\"], \"scripts\": {\"start\": \"node a.js\"}}",
            );
            write(d, &format!("{}/package.json", "a".repeat(200)), b"{}");
        },
        &["detect", "."],
        0,
        "match no folder with a package.json besides the root",
    ),
    (
        "many ** patterns over thousands of folders",
        |d| {
            let patterns: Vec<String> = (1..=10).map(|n| format!("\"{}x\"", "**/".repeat(n))).collect();
            write(
                d,
                "package.json",
                format!("{{\"workspaces\": [{}]}}", patterns.join(",")).as_bytes(),
            );
            for i in 0..60 {
                for j in 0..60 {
                    std::fs::create_dir_all(d.join(format!("d{i}/e{j}"))).unwrap();
                }
            }
        },
        &["detect", "."],
        0,
        "match no folder",
    ),
    (
        "Maven properties that each expand the next three times",
        |d| {
            let props: Vec<String> = (0..12)
                .map(|i| format!("<p{i}>${{p{n}}}${{p{n}}}${{p{n}}}</p{i}>", n = i + 1))
                .collect();
            let props = props.concat();
            let pom = format!(
                "<project><artifactId>a</artifactId><version>1</version>\n<properties>{props}<p12>x</p12></properties>\n<build><finalName>${{p0}}</finalName></build></project>"
            );
            write(d, "pom.xml", pom.as_bytes());
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "pom.xml:3: finalName: ${p0} takes more than 4096 substitutions to expand",
    ),
    (
        "a circular property in finalName",
        |d| {
            write(d, "pom.xml", b"<project><artifactId>a</artifactId><version>1</version>\n<properties><x>${y}</x><y>${x}</y></properties>\n<build><finalName>${x}</finalName></build></project>");
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "pom.xml:3: finalName: ${x} refers to itself (${x} → ${y} → ${x})",
    ),
    (
        "an undefined property in finalName",
        |d| {
            write(d, "pom.xml", b"<project><artifactId>a</artifactId><version>1</version>\n<build><finalName>${nowhere}</finalName></build></project>");
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "pom.xml:2: finalName: ${nowhere} is not defined",
    ),
    (
        "a 200 MB dockgen.toml",
        |d| {
            go_project(d);
            let file = std::fs::File::create(d.join("dockgen.toml")).unwrap();
            file.set_len(200 * 1024 * 1024).unwrap();
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "dockgen.toml is 209715200 bytes, more than the 262144 bytes",
    ),
    (
        "dockgen.toml linked to the process environment",
        |d| {
            go_project(d);
            std::os::unix::fs::symlink("/proc/self/environ", d.join("dockgen.toml")).unwrap();
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "dockgen.toml is a link to /proc/",
    ),
    (
        ".nvmrc linked to the process environment",
        |d| {
            write(d, "package.json", PACKAGE_JSON);
            write(d, "server.js", b"require('http').createServer().listen(3000)\n");
            std::os::unix::fs::symlink("/proc/self/environ", d.join(".nvmrc")).unwrap();
        },
        &["init", "--yes", "--stdout", "."],
        0,
        ".nvmrc is not readable",
    ),
    (
        "go.mod linked out of the repository",
        |d| {
            std::fs::create_dir_all(d.join("outside")).unwrap();
            write(d, "outside/go.mod", GO_MOD);
            std::fs::create_dir_all(d.join("repo")).unwrap();
            write(d, "repo/main.go", MAIN_GO);
            std::os::unix::fs::symlink("../outside/go.mod", d.join("repo/go.mod")).unwrap();
        },
        &["detect", "repo"],
        1,
        "repo/go.mod is a link to ",
    ),
    (
        "go.mod linked to /etc/passwd",
        |d| {
            write(d, "main.go", MAIN_GO);
            std::os::unix::fs::symlink("/etc/passwd", d.join("go.mod")).unwrap();
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "go.mod is a link to /etc/passwd, outside the folder dockgen reads",
    ),
    (
        "a FIFO among the project's templates",
        |d| {
            go_project(d);
            std::fs::create_dir_all(d.join(".dockgen/templates")).unwrap();
            fifo(d, ".dockgen/templates/x.tera");
        },
        &["detect", "."],
        1,
        ".dockgen/templates/x.tera is not a regular file",
    ),
    (
        "a project preset linked to /dev/zero",
        |d| {
            go_project(d);
            std::fs::create_dir_all(d.join(".dockgen/presets")).unwrap();
            std::os::unix::fs::symlink("/dev/zero", d.join(".dockgen/presets/z.toml")).unwrap();
        },
        &["detect", "."],
        1,
        ".dockgen/presets/z.toml is a link to /dev/zero",
    ),
    (
        "a Dockerfile and a .dockerignore that are FIFOs",
        |d| {
            go_project(d);
            fifo(d, "Dockerfile");
            fifo(d, ".dockerignore");
        },
        &["init", "--yes", "."],
        1,
        "pass --force",
    ),
    (
        "a symlink loop among the project's templates",
        |d| {
            go_project(d);
            std::fs::create_dir_all(d.join(".dockgen/templates/a")).unwrap();
            for i in 0..8 {
                std::os::unix::fs::symlink("..", d.join(format!(".dockgen/templates/a/l{i}"))).unwrap();
            }
        },
        &["detect", "."],
        0,
        "",
    ),
    (
        "control sequences and a long line in dockgen.toml",
        |d| {
            go_project(d);
            let line = format!("preset = \"go\"\n\u{1b}]0;pwned\u{7}{} {SECRET}\n", "x".repeat(10_000));
            write(d, "dockgen.toml", line.as_bytes());
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "dockgen.toml: line 2, column ",
    ),
    (
        "control sequences in a script detect prints",
        |d| {
            write(
                d,
                "package.json",
                b"{\"scripts\": {\"start\": \"node \\u001b]0;pwned\\u0007a.js\"}}",
            );
        },
        &["detect", "."],
        0,
        "",
    ),
    (
        "a main outside the app",
        |d| {
            write(
                d,
                "package.json",
                b"{\n  \"name\": \"x\",\n  \"main\": \"../../etc/passwd\"\n}\n",
            );
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "package.json:3: the server's entry `../../etc/passwd` is outside the app's folder",
    ),
    (
        "a start script with a line break",
        |d| {
            write(
                d,
                "package.json",
                b"{\n  \"scripts\": {\n    \"start\": \"node a.js\\nrm -rf /\"\n  }\n}\n",
            );
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "package.json:3: scripts.start uses the shell (a line break",
    ),
    (
        "a Go server bound to localhost",
        |d| {
            write(d, "go.mod", GO_MOD);
            write(d, "main.go", b"package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\"localhost:8080\", nil) }\n");
        },
        &["init", "--yes", "--stdout", "."],
        0,
        "main.go:5: the program listens on localhost:8080, a loopback address",
    ),
    (
        "a Gradle main class with a shell command",
        |d| {
            write(d, "src/main/java/app/Main.java", MAIN_JAVA);
            write(
                d,
                "build.gradle",
                b"plugins { id 'application' }\napplication { mainClass = 'a.B; rm -rf /' }\n",
            );
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "main_class detected at build.gradle:2",
    ),
    (
        "a build.gradle of 100,000 opening braces",
        |d| write(d, "build.gradle", "{".repeat(100_000).as_bytes()),
        &["init", "--yes", "--stdout", "."],
        1,
        "build.gradle: no project applies a plugin that makes a program",
    ),
    (
        "a settings.gradle including 100,000 projects",
        |d| {
            write(d, "src/main/java/app/Main.java", MAIN_JAVA);
            let includes: Vec<String> = (0..100_000).map(|i| format!("'p{i}'")).collect();
            write(
                d,
                "settings.gradle",
                format!("include {}\n", includes.join(", ")).as_bytes(),
            );
            write(
                d,
                "build.gradle",
                b"plugins { id 'application' }\napplication { mainClass = 'app.Main' }\n",
            );
        },
        &["init", "--yes", "--stdout", "."],
        0,
        "ENTRYPOINT",
    ),
    (
        "Gradle plugins only in comments and strings",
        |d| {
            write(
                d,
                "build.gradle",
                b"/* plugins { id 'application' } */\n// application { mainClass = 'a.B' }\ndef s = '''\nplugins { id 'org.springframework.boot' }\n'''\n",
            );
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "build.gradle: no project applies a plugin that makes a program",
    ),
    (
        "an engines range no Node satisfies",
        |d| {
            write(
                d,
                "package.json",
                b"{\n  \"engines\": { \"node\": \">=18 <17\" },\n  \"scripts\": { \"start\": \"node a.js\" }\n}\n",
            );
        },
        &["init", "--yes", "--stdout", "."],
        1,
        "package.json:2",
    ),
];

/// Hostile inputs of every class: bounded in time and memory, one line naming the file, nothing read from
/// outside the repository, nothing echoed raw.
#[test]
fn hostile_inputs_stay_bounded_and_echo_nothing_raw() {
    for (name, setup, args, code, expected) in BOUNDED_CASES {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        let (status, stdout, stderr) = bounded(dir.path(), args, &[("DOCKGEN_TEST_SECRET", SECRET)]);
        assert_eq!(status, Some(*code), "{name}: {stderr}");
        // `detect` reports warnings on stdout, `init` on stderr.
        assert!(
            stderr.contains(expected) || stdout.contains(expected),
            "{name}: expected `{expected}` in: {stderr}{stdout}"
        );
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            assert!(
                !text.contains(SECRET),
                "{name}: the environment leaked to {stream}: {text}"
            );
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{name}: control character on {stream}"
            );
        }
        for line in stderr.lines() {
            assert!(line.len() <= 1200, "{name}: a {} byte line on stderr", line.len());
        }
        if *code == 1 {
            // Warnings may come first; the error itself is one line.
            let errors = stderr.lines().filter(|l| l.starts_with("dockgen: ")).count();
            assert_eq!(errors, 1, "{name}: one error line expected: {stderr}");
        }
    }
}

/// A project's `.dockgen/` changes what dockgen writes: every run says so, and `--no-project-config` runs
/// without it (and without dockgen.toml).
#[test]
fn project_config_is_announced_and_can_be_ignored() {
    let dir = tempfile::tempdir().unwrap();
    go_project(dir.path());
    let (status, _, _) = bounded(dir.path(), &["presets", "eject", "go", "--to", ".dockgen"], &[]);
    assert_eq!(status, Some(0));
    let template = dir.path().join(".dockgen/templates/go/Dockerfile.tera");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, format!("{text}\nUSER root\n")).unwrap();
    write(dir.path(), "dockgen.toml", b"preset = \"go\"\n[answers]\nport = 9999\n");

    let (status, stdout, stderr) = bounded(dir.path(), &["init", "--yes", "--stdout", "."], &[]);
    assert_eq!(status, Some(0), "{stderr}");
    assert!(stdout.contains("USER root") && stdout.contains("EXPOSE 9999"));
    assert!(
        stderr.contains("note: presets and templates from outside dockgen are in use")
            && stderr.contains(".dockgen/templates/go/Dockerfile.tera"),
        "{stderr}"
    );
    let (_, detected, _) = bounded(dir.path(), &["detect", "--json", "."], &[]);
    assert!(
        detected.contains("\"custom_files\"") && detected.contains(".dockgen/presets/go.toml"),
        "{detected}"
    );

    for args in [
        &["init", "--yes", "--stdout", "--no-project-config", "."][..],
        &["init", "--no-project-config", "--yes", "--stdout", "."][..],
    ] {
        let (status, stdout, stderr) = bounded(dir.path(), args, &[]);
        assert_eq!(status, Some(0), "{stderr}");
        assert!(
            !stdout.contains("USER root") && !stdout.contains("EXPOSE 9999"),
            "{stdout}"
        );
        assert!(
            stderr.contains("--no-project-config: dockgen.toml is not read"),
            "{stderr}"
        );
        assert!(!stderr.contains("outside dockgen are in use"), "{stderr}");
    }
    let (status, stdout, _) = bounded(dir.path(), &["detect", "."], &[("DOCKGEN_NO_PROJECT_CONFIG", "1")]);
    assert_eq!(status, Some(0));
    assert!(!stdout.contains("custom presets"), "{stdout}");
}

/// A server's modules with names a COPY line cannot hold (a space, `$(…)`) are never written into one: the
/// whole folder ships instead, and the detect fact says why; a module that does not parse is the same.
#[test]
fn odd_module_names_ship_the_whole_folder() {
    let project = crate::common::project_copy(&crate::common::fixtures_dir().join("node-express-runtime-files/repo"));
    // (Inside a shipped folder such names are fine: `COPY lib ./lib` carries them.)
    write(project.path(), "we ird.js", b"module.exports = 1;\n");
    write(project.path(), "$(touch x).js", b"module.exports = 2;\n");
    let app = std::fs::read_to_string(project.path().join("app.js")).unwrap();
    write(
        project.path(),
        "app.js",
        format!("require('./we ird');\nrequire('./$(touch x)');\n{app}").as_bytes(),
    );
    let (dockerfile, _) = crate::common::init_stdout(project.path());
    assert!(dockerfile.contains("\nCOPY . .\n"), "{dockerfile}");
    assert!(
        !dockerfile.contains("we ird") && !dockerfile.contains("touch"),
        "{dockerfile}"
    );

    write(project.path(), "lib/greet.js", b"exports.greet = (\n");
    let detect = dockgen()
        .arg("detect")
        .arg(project.path())
        .arg("--json")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&detect.stdout);
    assert!(report.contains("lib/greet.js (does not parse)"), "{report}");
}
