//! Which program to build: every `package main` of the build, ranked by the evidence for it — named by a
//! build file (goreleaser, Makefile, justfile, Taskfile, a Dockerfile, Procfile), `cmd/<project name>`, the
//! root package — with example, tool, test and deploy programs never the default unless a build file names
//! them. The binary's name comes from the same evidence, else from the folder.

use std::cmp::Reverse;
use std::path::Path;

use super::super::Fact;
use super::buildfiles::{BuildFiles, BuildTags, GoBuild};
use super::packages::Tree;
use super::Module;

/// Folders whose programs help develop the project (generators, examples, tests, deploy helpers) rather
/// than being it.
const AUXILIARY_FOLDERS: &[&str] = &[
    "example",
    "examples",
    "hack",
    "tool",
    "tools",
    "test",
    "tests",
    "testing",
    "e2e",
    "integration",
    "script",
    "scripts",
    "doc",
    "docs",
    "benchmark",
    "benchmarks",
    "bench",
    "contrib",
    "deploy",
    "deployment",
    "deployments",
    "demo",
    "demos",
    "sample",
    "samples",
    "fixtures",
    "mock",
    "mocks",
];

/// Evidence for a main package, strongest first when compared.
// Each flag is one kind of evidence; the derived order compares them field by field, which is the ranking.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Strength {
    /// A deployment file runs it as the service (Procfile's `web:`, a compose service publishing ports).
    served: bool,
    named_by_build_file: bool,
    not_auxiliary: bool,
    named_after_project: bool,
    root: bool,
    under_cmd: bool,
}

/// A `package main` with its rank's evidence and the binary it builds.
#[derive(Clone)]
pub(super) struct MainCandidate {
    pub(super) package: usize,
    pub(super) dir: String,
    /// `cmd/api/main.go:1`: where the package clause says `main`.
    pub(super) evidence: String,
    pub(super) binary_name: Fact,
    /// The custom build tags (`sqlite,fs_embed`) its strongest build passes, when that build or another one
    /// that builds it passes any.
    pub(super) build_tags: Option<Fact>,
    /// The `CGO_ENABLED` its strongest build that sets one sets, with that build's `file:line`.
    pub(super) cgo: Option<(bool, String)>,
    /// Said when it is built: tags a build passes that dockgen cannot read.
    pub(super) warnings: Vec<String>,
    /// Said when it is built: the other builds' tags when they differ from those taken.
    pub(super) notes: Vec<String>,
    /// Why it ranks where it does, in words (`named by Makefile:12`, `under hack/`).
    pub(super) why: Vec<String>,
    strength: Strength,
}

/// Every main package ranked, strongest first, and whether the first is clearly the one to build: stronger
/// than the second, and not a helper program unless a build file names it.
pub(super) fn ranked(
    tree: &Tree,
    modules: &[Module],
    builds: &BuildFiles,
    project_names: &[String],
) -> (Vec<MainCandidate>, bool) {
    let mut found: Vec<MainCandidate> = tree
        .packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_main())
        .map(|(index, package)| {
            let module = &modules[package.module];
            let naming: Vec<&GoBuild> = builds
                .go_builds
                .iter()
                .filter(|b| names_package(b, &package.dir, modules))
                .collect();
            let folder = package.dir.rsplit('/').next().unwrap_or(&package.dir).to_string();
            // A folder named for what it holds (`src/`, `cmd/`) does not name the program: the module does.
            let generic = package.dir != module.dir && GENERIC_FOLDERS.contains(&folder.as_str());
            let default_binary = if package.dir == module.dir || generic {
                module_binary_name(&module.path)
            } else {
                folder.clone()
            };
            let default_source = match &module.gomod.module {
                Some((_, line)) if generic => format!("{}:{line}", super::super::join_rel(&module.dir, "go.mod")),
                _ => package.clause.clone(),
            };
            let built_binaries: Vec<&str> = naming.iter().filter_map(|b| b.binary.as_deref()).collect();
            let runs_it = |program: &String| *program == default_binary || built_binaries.contains(&program.as_str());
            let procfile = builds.procfile_web.as_ref().filter(|(program, _)| runs_it(program));
            let served = builds.compose_served.iter().find(|(program, _)| runs_it(program));
            let auxiliary = package.dir.split('/').find(|part| AUXILIARY_FOLDERS.contains(part));
            let parent_is_cmd = package.dir.rsplit('/').nth(1) == Some("cmd");
            let strength = Strength {
                served: procfile.is_some() || served.is_some(),
                named_by_build_file: !naming.is_empty() || procfile.is_some(),
                not_auxiliary: auxiliary.is_none(),
                named_after_project: parent_is_cmd && project_names.contains(&folder),
                root: package.dir == ".",
                under_cmd: package.dir.split('/').any(|part| part == "cmd"),
            };
            let mut why: Vec<String> = naming.iter().map(|b| format!("built by {}", b.source)).collect();
            if let Some((_, source)) = procfile {
                why.push(format!("run by {source}"));
            }
            if let Some((_, source)) = served {
                why.push(format!("served by {source}"));
            }
            if let Some(folder) = auxiliary {
                why.push(format!("under {folder}/: a helper program"));
            }
            if strength.named_after_project {
                why.push(format!("cmd/{folder} is named after the project"));
            }
            if strength.root {
                why.push("the repository's root package".into());
            }
            let binary_name = naming
                .iter()
                .find_map(|b| Some(Fact::new(b.binary.clone()?, b.source.clone())))
                .unwrap_or_else(|| Fact::new(default_binary, default_source));
            let Tags {
                fact: build_tags,
                warnings,
                notes,
            } = build_tags(&naming, &package.dir);
            let cgo = strongest_first(&naming)
                .into_iter()
                .find_map(|b| Some((b.cgo?, b.source.clone())));
            MainCandidate {
                package: index,
                dir: package.dir.clone(),
                evidence: package.clause.clone(),
                binary_name,
                build_tags,
                cgo,
                warnings,
                notes,
                why,
                strength,
            }
        })
        .collect();
    found.sort_by_key(|c| Reverse(c.strength));
    let clear = match found.as_slice() {
        [] => false,
        [first, rest @ ..] => {
            let usable = first.strength.named_by_build_file || first.strength.not_auxiliary;
            usable && rest.first().is_none_or(|second| second.strength < first.strength)
        }
    };
    (found, clear)
}

impl MainCandidate {
    /// The custom tags it is built with, as a list (none for `none`): the files the build compiles depend on
    /// them.
    pub(super) fn tags(&self) -> Vec<&str> {
        let spelled = self.build_tags.as_ref().and_then(|fact| fact.value.as_str());
        spelled
            .filter(|tags| *tags != "none")
            .map(|tags| tags.split(',').collect())
            .unwrap_or_default()
    }
}

/// The tag the image's build always passes (time zones compiled in), so never a project tag to add.
const ALWAYS_PASSED_TAG: &str = "timetzdata";

/// The builds of a program, the one the project's own Dockerfile runs (how it already builds its image) first,
/// the others in build-file order: what a build sets (tags, `CGO_ENABLED`) is taken from the first that sets it.
fn strongest_first<'b>(naming: &[&'b GoBuild]) -> Vec<&'b GoBuild> {
    let mut ordered = naming.to_vec();
    ordered.sort_by_key(|build| !build.in_container_file);
    ordered
}

/// The custom tags a program is built with, and what is said about them.
#[derive(Default)]
struct Tags {
    fact: Option<Fact>,
    warnings: Vec<String>,
    notes: Vec<String>,
}

/// The tags of the strongest of the builds that build a program — the project's own Dockerfile (how it
/// already builds its image), else the first build file in goreleaser, Makefile, justfile, Taskfile order —
/// with the others' named in a note when they differ. Tags a build cannot be read for (`-tags
/// "${BUILD_TAGS}"` set by a script) leave the next build that lists its tags to decide; when none does, a
/// warning says the image is built without them.
fn build_tags(naming: &[&GoBuild], dir: &str) -> Tags {
    let ordered = strongest_first(naming);
    let package = super::package_arg(dir);
    let spelled = |build: &GoBuild| -> String {
        let tags: Vec<&str> = build
            .tags
            .listed()
            .iter()
            .map(String::as_str)
            .filter(|tag| *tag != ALWAYS_PASSED_TAG)
            .collect();
        tags.join(",")
    };
    // `-tags ${BUILD_TAGS} (Dockerfile:74, Dockerfile:141)`: each value once, with every build that passes it.
    let mut unreadable: Vec<(&str, Vec<&str>)> = Vec::new();
    for build in &ordered {
        if let BuildTags::Unknown(text) = &build.tags {
            match unreadable.iter_mut().find(|(known, _)| known == text) {
                Some((_, sources)) => sources.push(&build.source),
                None => unreadable.push((text, vec![&build.source])),
            }
        }
    }
    let unreadable: Vec<String> = unreadable
        .iter()
        .map(|(text, sources)| format!("-tags {text} ({})", sources.join(", ")))
        .collect();
    let strongest = match ordered.first() {
        Some(first) if matches!(first.tags, BuildTags::Unknown(_)) => {
            ordered.iter().find(|build| matches!(build.tags, BuildTags::Listed(_)))
        }
        first => first,
    };
    let Some(strongest) = strongest else {
        if unreadable.is_empty() {
            return Tags::default();
        }
        let warning = format!(
            "{package} is built with {}, which name no tags dockgen can read: the image is built without \
             them; pass --set build_tags=TAG,... to add them",
            unreadable.join(" and ")
        );
        return Tags {
            warnings: vec![warning],
            ..Tags::default()
        };
    };
    let chosen = spelled(strongest);
    let mut others: Vec<String> = ordered
        .iter()
        .filter(|build| !std::ptr::eq(**build, *strongest) && !matches!(build.tags, BuildTags::Unknown(_)))
        .filter(|build| spelled(build) != chosen)
        .map(|build| match spelled(build).as_str() {
            "" => format!("{} builds it without tags (--set build_tags=none)", build.source),
            tags => format!("{} builds it with -tags {tags} (--set build_tags={tags})", build.source),
        })
        .collect();
    if !others.is_empty() || !chosen.is_empty() {
        others.extend(unreadable.iter().map(|passes| format!("it is also built with {passes}, unread")));
    }
    if chosen.is_empty() && others.is_empty() {
        return Tags::default();
    }
    let taken = if chosen.is_empty() { "none".to_string() } else { chosen };
    let mut tags = Tags {
        fact: Some(Fact::new(taken.clone(), strongest.source.clone())),
        ..Tags::default()
    };
    if !others.is_empty() {
        let how = if taken == "none" { "without tags".to_string() } else { format!("with -tags {taken}") };
        tags.notes.push(format!(
            "{package} is built {how}, as {} builds it; {}",
            strongest.source,
            others.join("; ")
        ));
    }
    tags
}

/// Whether a build line builds the package in `dir` (relative to the repository root).
fn names_package(build: &GoBuild, dir: &str, modules: &[Module]) -> bool {
    let Some(package) = build.package.as_deref() else {
        // `go build` with no package builds the folder it runs in: the root for these files.
        return dir == ".";
    };
    let as_dir = |path: &str| -> String {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        let path = if Path::new(path).extension().is_some_and(|e| e == "go") {
            path.rsplit_once('/').map_or("", |(d, _)| d)
        } else {
            path
        };
        if path.is_empty() || path == "." {
            ".".into()
        } else {
            path.to_string()
        }
    };
    if package == "." || package.starts_with("./") || Path::new(package).extension().is_some_and(|e| e == "go") {
        return as_dir(package) == dir;
    }
    // A full import path of one of the build's modules.
    modules.iter().any(|module| {
        let inside = if package == module.path {
            Some(".")
        } else {
            package.strip_prefix(&format!("{}/", module.path))
        };
        inside.is_some_and(|inside| super::super::join_rel(&module.dir, &as_dir(inside)) == dir)
    })
}

/// Folder names that say what a folder holds, not which program it is.
const GENERIC_FOLDERS: &[&str] = &["src", "cmd", "main", "source", "go", "golang"];

/// The last element of a module path, skipping a major-version suffix: `example.com/tool/v2` → `tool`.
pub(super) fn module_binary_name(module_path: &str) -> String {
    let mut elements = module_path.rsplit('/');
    let last = elements.next().unwrap_or(module_path);
    let is_major_suffix = last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
    match (is_major_suffix, elements.next()) {
        (true, Some(previous)) => previous.to_string(),
        _ => last.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_name_skips_a_major_version_suffix() {
        assert_eq!(module_binary_name("example.com/tool/v2"), "tool");
        assert_eq!(module_binary_name("example.com/tool"), "tool");
        assert_eq!(module_binary_name("tool"), "tool");
        assert_eq!(module_binary_name("example.com/v2"), "example.com");
        assert_eq!(module_binary_name("example.com/tool/vx"), "vx");
    }

    fn build(source: &str, tags: BuildTags, in_container_file: bool) -> GoBuild {
        GoBuild {
            package: Some(".".into()),
            binary: None,
            source: source.into(),
            tags,
            in_container_file,
            cgo: None,
        }
    }

    fn listed(tags: &[&str]) -> BuildTags {
        BuildTags::Listed(tags.iter().map(|t| (*t).to_string()).collect())
    }

    #[test]
    fn the_project_dockerfile_decides_the_tags_and_unread_ones_give_way() {
        let make = build("Makefile:3", listed(&["sqlite", "timetzdata"]), false);
        let docker = build("Dockerfile:9", listed(&["netgo"]), true);
        let tags = build_tags(&[&make, &docker], ".");
        assert_eq!(tags.fact.unwrap().value, "netgo");
        assert_eq!(
            tags.notes,
            vec![". is built with -tags netgo, as Dockerfile:9 builds it; Makefile:3 builds it with -tags sqlite (--set build_tags=sqlite)"]
        );
        // The Dockerfile's tags come from a script: the Makefile's listed ones decide.
        let scripted = build("Dockerfile:9", BuildTags::Unknown("${TAGS}".into()), true);
        let tags = build_tags(&[&make, &scripted], "cmd/api");
        assert_eq!(tags.fact.unwrap().value, "sqlite");
        assert!(tags.notes[0].ends_with("it is also built with -tags ${TAGS} (Dockerfile:9), unread"));
        let only_unread = build_tags(&[&scripted], ".");
        assert!(only_unread.fact.is_none());
        assert_eq!(only_unread.warnings.len(), 1);
        // Agreeing builds without tags say nothing.
        let plain = build("Makefile:3", BuildTags::None, false);
        let tags = build_tags(&[&plain], ".");
        assert!(tags.fact.is_none() && tags.notes.is_empty() && tags.warnings.is_empty());
    }

    #[test]
    fn strength_orders_evidence_before_convention() {
        let s = |named, not_aux, project, root, cmd| Strength {
            served: false,
            named_by_build_file: named,
            not_auxiliary: not_aux,
            named_after_project: project,
            root,
            under_cmd: cmd,
        };
        // A release config naming an example beats an unnamed cmd/ program.
        assert!(s(true, false, false, false, false) > s(false, true, true, false, true));
        // cmd/<project> beats the root package, which beats another cmd/ program.
        assert!(s(false, true, true, false, true) > s(false, true, false, true, false));
        assert!(s(false, true, false, true, false) > s(false, true, false, false, true));
        // Of two programs the build files name, the one a deployment file serves.
        let served = Strength { served: true, ..s(true, true, false, false, true) };
        assert!(served > s(true, true, false, false, true));
    }
}
