//! The layout docs/architecture.md promises, checked on the source tree: no two modules import each other,
//! rendering never reaches into detection, every stack sits in its own folder and its registry entry is
//! complete (presets, templates, examples, docs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `src/` by its module path (`detect::go::mains`; `lib.rs` is the crate root, "").
fn modules() -> BTreeMap<String, String> {
    let src = manifest_dir().join("src");
    let mut found = BTreeMap::new();
    let mut folders = vec![src.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.insert(module_path(&src, &path), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    found
}

fn module_path(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without its comments and its `#[cfg(test)]` module (tests may reach anywhere).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names through `crate::` or `super::`, brace groups expanded (`crate::{a, b::c}` → `a`,
/// `b::c`), each as segments from the crate root.
fn referenced_paths(module: &str, code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let rest: String = chars[at..chars.len().min(at + 7)].iter().collect();
        let boundary = at == 0 || !(chars[at - 1].is_alphanumeric() || chars[at - 1] == '_' || chars[at - 1] == ':');
        let start = if boundary && rest.starts_with("crate::") {
            Some((Vec::new(), at + 7))
        } else if boundary && rest.starts_with("super::") {
            let mut base: Vec<String> = module.split("::").filter(|p| !p.is_empty()).map(String::from).collect();
            base.pop();
            Some((base, at + 7))
        } else {
            None
        };
        let Some((base, from)) = start else {
            at += 1;
            continue;
        };
        let (paths, end) = read_tree(&chars, from, base);
        out.extend(paths);
        at = end.max(at + 1);
    }
    out
}

/// Reads `a::b::{c, d::e}` from `at`, each full path prefixed with `base`; returns the paths and where it ended.
fn read_tree(chars: &[char], mut at: usize, base: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = base;
    loop {
        if chars.get(at) == Some(&'{') {
            let mut paths = Vec::new();
            at += 1;
            loop {
                while chars.get(at).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    at += 1;
                }
                if matches!(chars.get(at), Some('}') | None) {
                    return (paths, at + 1);
                }
                let (inner, end) = read_tree(chars, at, path.clone());
                paths.extend(inner);
                at = end.max(at + 1);
            }
        }
        let word_end = (at..chars.len())
            .find(|&i| !(chars[i].is_alphanumeric() || chars[i] == '_'))
            .unwrap_or(chars.len());
        let word: String = chars[at..word_end].iter().collect();
        match word.as_str() {
            "super" => {
                path.pop();
            }
            "self" | "" => {}
            _ => path.push(word),
        }
        at = word_end;
        if chars.get(at) == Some(&':') && chars.get(at + 1) == Some(&':') {
            at += 2;
            continue;
        }
        return (vec![path], at);
    }
}

/// Module pairs where the first names the second, neither being the other's ancestor.
fn import_edges() -> BTreeSet<(String, String)> {
    let modules = modules();
    let mut edges = BTreeSet::new();
    for (module, text) in &modules {
        for path in referenced_paths(module, &code_of(text)) {
            let target = (1..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|candidate| modules.contains_key(candidate));
            let Some(target) = target else { continue };
            let related = |a: &str, b: &str| a.is_empty() || a == b || b.starts_with(&format!("{a}::"));
            if !related(&target, module) && !related(module, &target) {
                edges.insert((module.clone(), target));
            }
        }
    }
    edges
}

#[test]
fn no_two_modules_import_each_other() {
    let edges = import_edges();
    assert!(edges.len() > 50, "the import scan found too little: {edges:?}");
    for (from, to) in [
        ("render", "knowledge::images"),
        ("init", "detect"),
        ("detect::frontend", "detect::walk"),
    ] {
        assert!(
            edges.contains(&(from.to_string(), to.to_string())),
            "the import scan missed {from} -> {to}"
        );
    }
    let circles: Vec<String> = edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .map(|(a, b)| format!("{a} <-> {b}"))
        .collect();
    assert!(circles.is_empty(), "modules that import each other: {circles:?}");
}

#[test]
fn rendering_does_not_reach_into_detection() {
    let reached: Vec<String> = import_edges()
        .into_iter()
        .filter(|(from, to)| from == "render" && (to == "detect" || to.starts_with("detect::")))
        .map(|(_, to)| to)
        .collect();
    assert!(
        reached.is_empty(),
        "render imports {reached:?}; it reads knowledge and the answers only"
    );
}

#[test]
fn the_import_scan_sees_brace_groups_and_super() {
    let paths = referenced_paths(
        "detect::go::embed",
        "use super::{lex, packages::Tree};\nuse crate::{a, b::{c, d}};",
    );
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        joined,
        ["detect::go::lex", "detect::go::packages::Tree", "a", "b::c", "b::d"]
    );
    let from_folder = referenced_paths("detect::go", "use super::walk;");
    assert_eq!(from_folder, [vec!["detect".to_string(), "walk".to_string()]]);
}

/// The stack-neutral modules of `src/detect/` (and `jvm`, what every JVM build tool's probe shares); everything
/// else there is a registered stack's folder.
const NEUTRAL_DETECTION: &[&str] = &[
    "mod.rs",
    "stack.rs",
    "lex.rs",
    "walk.rs",
    "members.rs",
    "toolchains.rs",
    "services.rs",
    "programs.rs",
    "frontend.rs",
    "configport.rs",
    "deploy",
    "jvm",
];

#[test]
fn every_stack_sits_in_its_own_folder() {
    let stacks: Vec<&str> = dockgen::detect::STACKS.iter().map(|s| s.name).collect();
    for entry in std::fs::read_dir(manifest_dir().join("src/detect")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let is_stack_folder = path.is_dir() && stacks.contains(&name.as_str());
        assert!(
            is_stack_folder || NEUTRAL_DETECTION.contains(&name.as_str()),
            "src/detect/{name}: a stack's code goes in its folder (src/detect/<stack>/), shared code in a neutral \
             module listed in docs/architecture.md and NEUTRAL_DETECTION here"
        );
    }
}

#[test]
fn every_registered_stack_is_complete() {
    let presets = dockgen::preset::builtin().unwrap();
    let mut names = BTreeSet::new();
    for stack in dockgen::detect::STACKS {
        assert!(names.insert(stack.name), "stack {} is registered twice", stack.name);
        let folder = |relative: String| -> PathBuf { manifest_dir().join(relative) };
        for place in [
            format!("src/detect/{}/mod.rs", stack.name),
            format!("templates/{}", stack.name),
            format!("docs/stacks/{}.md", stack.name),
        ] {
            assert!(
                folder(place.clone()).exists(),
                "stack {}: {place} is missing",
                stack.name
            );
        }
        let stacks_page = std::fs::read_to_string(folder("docs/stacks/README.md".into())).unwrap();
        assert!(
            stacks_page.contains(&format!("({}.md)", stack.name)),
            "stack {}: docs/stacks/README.md's table has no row linking {}.md",
            stack.name,
            stack.name
        );
        assert!(!stack.markers.is_empty(), "stack {} names no marker files", stack.name);
        assert!(
            !stack.parsers.is_empty(),
            "stack {} gives the fuzzers no parser",
            stack.name
        );
        assert!(
            !stack.fuzz_paths.is_empty(),
            "stack {} gives the pipeline fuzzer no files",
            stack.name
        );
        let own: Vec<&str> = presets
            .iter()
            .filter(|p| p.stack == stack.name)
            .map(|p| p.name.as_str())
            .collect();
        assert!(!own.is_empty(), "stack {} has no preset", stack.name);
        for preset in &own {
            assert!(
                stack.examples.iter().any(|example| example.preset == *preset),
                "stack {}: preset {preset} has no bundled example in its registry entry",
                stack.name
            );
        }
        for example in stack.examples {
            assert!(
                own.contains(&example.preset),
                "stack {}: example {} names preset {}, which is not one of its presets",
                stack.name,
                example.folder,
                example.preset
            );
            assert!(
                folder(format!("examples/{}", example.folder)).is_dir(),
                "stack {}: examples/{} is missing",
                stack.name,
                example.folder
            );
        }
    }
    for preset in &presets {
        assert!(
            names.contains(preset.stack.as_str()),
            "preset {} builds stack {}, which is not registered",
            preset.name,
            preset.stack
        );
    }
    let parsers: Vec<&str> = dockgen::fuzzing::parsers().map(|p| p.name).collect();
    let unique: BTreeSet<&&str> = parsers.iter().collect();
    assert_eq!(
        unique.len(),
        parsers.len(),
        "two stacks name a parser alike: {parsers:?}"
    );
}
