//! uv workspaces: the members `[tool.uv.workspace]` lists (`members` globs less `exclude`), each a folder with a
//! pyproject.toml of its own. One lock covers them all; the member an app lives in is the package
//! `uv sync --package` installs, with the members it depends on.

use std::path::Path;

use toml_edit::{Item, Table};

use crate::detect::members;

/// One workspace member: its project name and folder, and where the name is written.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub(super) name: String,
    pub(super) dir: String,
    pub(super) source: String,
}

/// The member folders `[tool.uv.workspace]` admits (never the root, which is read as the project itself).
pub(super) fn member_dirs(root: &Path, workspace: &Table) -> Vec<String> {
    let list = |key: &str| -> Vec<String> {
        workspace
            .get(key)
            .and_then(Item::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    let mut patterns = list("members");
    patterns.extend(list("exclude").into_iter().map(|p| format!("!{}", p.trim_start_matches("./"))));
    members::expand(root, &patterns, "pyproject.toml")
}

/// The member whose folder holds the file an app's evidence names (`apps/api/src/main.py:5`): the deepest
/// one, since members may nest. None for a file outside every member, or in the root project.
pub(super) fn member_of<'a>(members: &'a [Member], evidence: &str) -> Option<&'a Member> {
    let file = evidence.rsplit_once(':').map_or(evidence, |(file, _)| file);
    members
        .iter()
        .filter(|m| m.dir != "." && file.starts_with(&format!("{}/", m.dir)))
        .max_by_key(|m| m.dir.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, dir: &str) -> Member {
        Member {
            name: name.into(),
            dir: dir.into(),
            source: format!("{dir}/pyproject.toml:2"),
        }
    }

    #[test]
    fn the_deepest_member_holding_the_file_is_its_package() {
        let members = [member("root", "."), member("api", "apps/api"), member("inner", "apps/api/plugins/inner")];
        assert_eq!(member_of(&members, "apps/api/src/api/main.py:4").unwrap().name, "api");
        assert_eq!(member_of(&members, "apps/api/plugins/inner/x.py:1").unwrap().name, "inner");
        assert!(member_of(&members, "apps/apiary/main.py:1").is_none());
        assert!(member_of(&members, "main.py:1").is_none());
    }

    #[test]
    fn excluded_folders_are_no_members() {
        let dir = tempfile::tempdir().unwrap();
        for member in ["apps/api", "apps/legacy", "libs/core"] {
            std::fs::create_dir_all(dir.path().join(member)).unwrap();
            std::fs::write(dir.path().join(member).join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
        }
        let doc: toml_edit::DocumentMut =
            "members = [\"apps/*\", \"libs/*\"]\nexclude = [\"apps/legacy\"]\n".parse().unwrap();
        assert_eq!(member_dirs(dir.path(), doc.as_table()), vec!["apps/api", "libs/core"]);
    }
}
