//! Whether the chosen program needs cgo: `import "C"` in a package it compiles, or a package of a module
//! known to compile C imported by one of them. A go.mod line alone (often `// indirect`) is not evidence by
//! itself, but it is when nothing in the repository imports that module: then a dependency of the program
//! does (GORM's `dialects/sqlite` wraps go-sqlite3), and the build keeps cgo on to be safe.

use super::super::Fact;
use super::packages::{is_in_module, Tree};

/// `requires`: the modules the program's go.mod requires, with their `go.mod:line`.
/// `built_with`: the `CGO_ENABLED` the project's own build of the program sets, with its `file:line`; it settles
/// what the code alone only guesses (a cgo module go.mod requires for some dependency).
pub(super) fn cgo_fact(
    tree: &Tree,
    graph: &[usize],
    requires: &[(String, String)],
    built_with: Option<&(bool, String)>,
) -> Fact {
    for &index in graph {
        for (path, at) in tree.packages[index].imports() {
            if path == "C" {
                return Fact::new(true, at.source()).with_note("imports \"C\"");
            }
            if let Some(module) = crate::knowledge::go::cgo_modules()
                .iter()
                .find(|m| is_in_module(path, m))
            {
                return Fact::new(true, at.source()).with_note(format!("imports {module}, which needs cgo"));
            }
        }
    }
    // A cgo module go.mod requires that no package here imports is there for a dependency; which one cannot be
    // read without its sources, so a program that imports any module from outside keeps cgo on.
    let imported_here = |module: &str| {
        tree.packages
            .iter()
            .any(|package| package.imports().any(|(path, _)| is_in_module(path, module)))
    };
    let no_cgo = || {
        Fact::new(false, "*.go").with_note(format!(
            "none of the program's {} packages (its own and those it imports from the module) uses \"C\" or a cgo module",
            graph.len()
        ))
    };
    let Some((module, source)) = requires.iter().find(|(module, _)| {
        crate::knowledge::go::cgo_modules().iter().any(|m| m == module) && !imported_here(module)
    }) else {
        return no_cgo();
    };
    let external: Vec<&str> = graph
        .iter()
        .flat_map(|&index| tree.packages[index].imports())
        .filter(|(path, _)| path.split('/').next().is_some_and(|host| host.contains('.')) && !tree.has_package(path))
        .map(|(path, _)| path)
        .collect();
    if external.is_empty() {
        return no_cgo();
    }
    // The import most likely to wrap it names what the module is for (`sqlite` in go-sqlite3).
    let topic = module.rsplit('/').next().unwrap_or(module).trim_start_matches("go-");
    let topic = topic.split(['-', '.']).find(|w| w.len() > 2).unwrap_or(topic);
    let topic = topic.trim_end_matches(|c: char| c.is_ascii_digit());
    let example = external.iter().find(|path| path.contains(topic)).unwrap_or(&external[0]);
    if let Some((false, build)) = built_with {
        return Fact::new(false, build.clone()).with_note(format!(
            "the project builds it with CGO_ENABLED=0 ({build}), though go.mod requires {module}, which needs cgo, \
             for a dependency (perhaps {example}): built as the project builds it (--set cgo=true if the image needs it)"
        ));
    }
    Fact::new(true, source.clone()).with_note(format!(
        "go.mod requires {module}, which needs cgo, and nothing here imports it: a dependency the program \
         imports does (perhaps {example}), so the build keeps cgo on (--set cgo=false if the program never loads it)"
    ))
}
