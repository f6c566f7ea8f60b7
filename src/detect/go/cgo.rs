//! Whether the chosen program needs cgo: `import "C"` in a package it compiles, or a package of a module
//! known to compile C imported by one of them. A go.mod line alone (often `// indirect`) is not evidence.

use super::super::Fact;
use super::packages::Tree;

pub(super) fn cgo_fact(tree: &Tree, graph: &[usize]) -> Fact {
    for &index in graph {
        for (path, source) in tree.packages[index].imports() {
            if path == "C" {
                return Fact::new(true, source).with_note("imports \"C\"");
            }
            if let Some(module) = crate::knowledge::go::cgo_modules()
                .iter()
                .find(|m| path == **m || path.starts_with(&format!("{m}/")))
            {
                return Fact::new(true, source).with_note(format!("imports {module}, which needs cgo"));
            }
        }
    }
    Fact::new(false, "*.go").with_note(format!(
        "none of the program's {} packages (its own and those it imports from the module) uses \"C\" or a cgo module",
        graph.len()
    ))
}
