//! Whether the chosen program needs cgo: `import "C"` in a package it compiles, or a package of a module
//! known to compile C imported by one of them. A go.mod line alone (often `// indirect`) is not evidence.

use super::super::Fact;
use super::packages::Tree;

/// Modules that compile C code through cgo, so the binary needs `CGO_ENABLED=1` and a libc at runtime.
const CGO_MODULES: &[&str] = &[
    "github.com/mattn/go-sqlite3",
    "github.com/confluentinc/confluent-kafka-go",
    "gopkg.in/confluentinc/confluent-kafka-go.v1",
    "github.com/mattn/go-oci8",
    "github.com/godror/godror",
    // GORM's SQLite driver wraps go-sqlite3 (the pure-Go one is github.com/glebarez/sqlite).
    "gorm.io/driver/sqlite",
];

pub(super) fn cgo_fact(tree: &Tree, graph: &[usize]) -> Fact {
    for &index in graph {
        for (path, source) in tree.packages[index].imports() {
            if path == "C" {
                return Fact::new(true, source).with_note("imports \"C\"");
            }
            if let Some(module) = CGO_MODULES
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
