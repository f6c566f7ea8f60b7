//! What dockgen knows about Go beyond a module, as data: its release lines and the oldest still maintained
//! (lines.toml), and the modules that need cgo (cgo.toml).

use std::sync::OnceLock;

use serde::Deserialize;

use super::table;

const CGO_TOML: &str = include_str!("cgo.toml");
const GENERATED_TOML: &str = include_str!("generated.toml");
pub(crate) const LINES_TOML: &str = include_str!("lines.toml");

/// Go's lines: the oldest one still maintained, and every line dockgen knows.
#[derive(Deserialize, Default)]
pub(crate) struct GoLines {
    pub(crate) oldest_maintained: String,
    pub(crate) line: Vec<GoLine>,
}

/// One Go line; its `variants` (the image tags published for it) are checked by the tests below, so the table
/// cannot list a maintained line whose alpine or bookworm image does not exist.
#[derive(Deserialize)]
pub(crate) struct GoLine {
    pub(crate) version: String,
}


#[derive(Deserialize, Default)]
struct Go {
    cgo_modules: Vec<String>,
}

/// Modules that compile C code through cgo, so the binary needs `CGO_ENABLED=1` and a libc at run time.
pub(crate) fn cgo_modules() -> &'static [String] {
    static GO: OnceLock<Go> = OnceLock::new();
    &GO.get_or_init(|| table(CGO_TOML)).cgo_modules
}

/// Which generated files are read for what a program does at run time (generated.toml).
#[derive(Deserialize, Default)]
struct Generated {
    reaching_standard: Vec<String>,
    schema_runtimes: Vec<String>,
}

/// Whether a generated file importing these packages is left out of the run-time probes: each import is a
/// standard package that reaches nothing outside the process, a schema runtime, or a package of the build
/// (`in_build`).
pub(crate) fn generated_is_schema_code<'a>(
    mut imports: impl Iterator<Item = &'a str>,
    in_build: impl Fn(&str) -> bool,
) -> bool {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    let table = GENERATED.get_or_init(|| table(GENERATED_TOML));
    let under = |path: &str, roots: &[String]| roots.iter().any(|root| is_in_module(path, root));
    imports.all(|path| {
        let standard = !path.split('/').next().unwrap_or_default().contains('.');
        (standard && !under(path, &table.reaching_standard)) || under(path, &table.schema_runtimes) || in_build(path)
    })
}

/// Whether an import path is the module's root package or one of its packages (`net` holds `net/http`, not
/// `netx`).
pub(crate) fn is_in_module(path: &str, module: &str) -> bool {
    path.strip_prefix(module)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Go's release lines (lines.toml).
pub(crate) fn lines() -> &'static GoLines {
    static LINES: OnceLock<GoLines> = OnceLock::new();
    LINES.get_or_init(|| table(LINES_TOML))
}

/// `1.22` → 22, for comparing Go lines.
pub(crate) fn go_minor(line: &str) -> u32 {
    line.strip_prefix("1.").and_then(|m| m.parse().ok()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_file_is_schema_code_only_when_every_import_is() {
        let parsed: Generated = toml::from_str(GENERATED_TOML).unwrap();
        assert!(parsed.reaching_standard.iter().any(|p| p == "net"));
        let in_build = |path: &str| path.starts_with("example.com/app/");
        let pb = ["context", "sync", "google.golang.org/protobuf/reflect/protoreflect", "example.com/app/api"];
        assert!(generated_is_schema_code(pb.into_iter(), in_build));
        // A generated server (go-swagger) listens and reads flags; os/exec, net/url and a driver are read too.
        for reaching in ["net/http", "os", "os/exec", "net/url", "github.com/jackc/pgx/v5", "google.golang.org/protobufx"] {
            assert!(!generated_is_schema_code(["context", reaching].into_iter(), in_build), "{reaching}");
        }
    }

    #[test]
    fn the_cgo_table_parses() {
        let parsed: Go = toml::from_str(CGO_TOML).unwrap();
        assert!(parsed.cgo_modules.iter().any(|m| m == "github.com/mattn/go-sqlite3"));
    }

    #[test]
    fn every_maintained_go_line_has_the_variants_the_presets_use() {
        let table: toml::Value = toml::from_str(LINES_TOML).unwrap();
        let oldest = go_minor(table["oldest_maintained"].as_str().unwrap());
        assert!(oldest > 0);
        let maintained: Vec<&toml::Value> = table["line"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| go_minor(l["version"].as_str().unwrap()) >= oldest)
            .collect();
        assert!(maintained.len() >= 2, "Go maintains two lines");
        for line in maintained {
            let variants = line["variants"].as_array().unwrap();
            for variant in ["alpine", "bookworm"] {
                assert!(
                    variants.iter().any(|v| v.as_str() == Some(variant)),
                    "golang:{}-{variant}",
                    line["version"]
                );
            }
        }
    }
}
