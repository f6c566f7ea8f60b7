//! The build logic a Gradle build brings besides its projects' scripts: the build scripts and precompiled
//! convention plugins of `buildSrc` and included builds, and the Gradle its own Dockerfile builds with.

use std::path::Path;

use anyhow::Result;

use super::project::Project;
use super::script;
use crate::detect::deploy::{self, logical_lines};
use crate::detect::{join_rel, read_manifest, read_small_text};

/// How many convention plugin scripts are read, and followed from one project.
pub(super) const MAX_CONVENTIONS: usize = 100;

/// The build logic folders' own build scripts, each read as a project named after its folder.
pub(super) fn logic_scripts(root: &Path, logic_dirs: &[String]) -> Result<Vec<Project>> {
    let mut found = Vec::new();
    for dir in logic_dirs {
        let file = ["build.gradle.kts", "build.gradle"].into_iter().map(|name| join_rel(dir, name)).find(|f| root.join(f).is_file());
        if let Some(file) = file {
            let script = script::read(&read_manifest(root, &file)?);
            found.push(Project { path: dir.clone(), dir: dir.clone(), name: dir.clone(), named: false, name_source: file.clone(), file, script });
        }
    }
    Ok(found)
}

/// The precompiled script plugins under the build logic folders' `src/main/kotlin` and `src/main/groovy`.
pub(super) fn conventions(root: &Path, logic_dirs: &[String]) -> Result<Vec<Project>> {
    let mut found = Vec::new();
    for dir in logic_dirs {
        // Kotlin DSL plugins are `*.gradle.kts`, Groovy ones `*.gradle`.
        let kinds: [(&str, &str, &'static [&'static str]); 2] =
            [("src/main/kotlin", ".gradle.kts", &["kts"]), ("src/main/groovy", ".gradle", &["gradle"])];
        for (folder, suffix, exts) in kinds {
            let base = root.join(dir).join(folder);
            if !base.is_dir() {
                continue;
            }
            for path in crate::detect::walk::files_with_extensions(&base, exts, |_| false).files {
                let Some(id) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(suffix)) else { continue };
                let Ok(rel) = path.strip_prefix(root) else { continue };
                let rel = rel.to_string_lossy().into_owned();
                if found.len() >= MAX_CONVENTIONS {
                    return Ok(found);
                }
                found.push(Project {
                    path: id.to_string(),
                    dir: dir.clone(),
                    name: id.to_string(),
                    named: false,
                    name_source: rel.clone(),
                    script: script::read(&read_manifest(root, &rel)?),
                    file: rel,
                });
            }
        }
    }
    Ok(found)
}

/// The Gradle of a `FROM gradle:7.6.1-jdk17` line in the project's own Dockerfiles: the version it is built with
/// when no wrapper names one.
pub(super) fn container_gradle(root: &Path) -> Option<(String, String)> {
    deploy::container_files(root).into_iter().find_map(|rel| {
        let text = read_small_text(&root.join(&rel)).filter(|t| !deploy::is_dockgens_own(t))?;
        logical_lines(&text).into_iter().find_map(|(line, logical)| {
            let mut words = logical.split_whitespace();
            if !words.next()?.eq_ignore_ascii_case("FROM") {
                return None;
            }
            let image = words.find(|w| !w.starts_with("--"))?;
            let (name, tag) = image.split_once(':')?;
            let version = tag.split('-').next()?;
            (name.rsplit('/').next() == Some("gradle") && crate::validate::version(version).is_ok())
                .then(|| (version.to_string(), format!("{rel}:{line}")))
        })
    })
}
