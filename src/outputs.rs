//! Where `init`'s files go and what they hold once merged with the project's: the Dockerfile (under
//! `--file`'s name) in the project folder, its ignore file in the build context (`.dockerignore`, shared by
//! the apps of a workspace) or beside a named Dockerfile (`NAME.dockerignore`, which `BuildKit` reads for that
//! Dockerfile alone), and the preset's other files (nginx.conf); then which of them change, and writing those
//! (`--check`, `--force`, or the user's decision per file at a terminal).

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::dockerignore;
use crate::files;
use crate::prompt::{Decision, Prompter, Review};
use crate::render::Rendered;
use crate::write;
use crate::your_lines;

/// The Dockerfile name builders look for without `-f`.
pub(crate) const DEFAULT_DOCKERFILE: &str = "Dockerfile";

/// The files to write, and what the merge found worth saying.
pub(crate) struct Planned {
    pub(crate) files: Vec<(PathBuf, String)>,
    pub(crate) notes: Vec<String>,
    pub(crate) warnings: Vec<String>,
    /// Files dockgen may rewrite without `--force`: an ignore file whose user lines stay as they are.
    pub(crate) owned: Vec<PathBuf>,
}

/// The ignore file the builder reads for `file_name` in `project`, built from `context`.
fn ignore_path(project: &Path, context: &Path, file_name: &str) -> PathBuf {
    if file_name == DEFAULT_DOCKERFILE {
        context.join(".dockerignore")
    } else {
        project.join(format!("{file_name}.dockerignore"))
    }
}

/// The rendered files placed in the project, the ignore file merged into the one already there.
pub(crate) fn plan(project: &Path, context: &Path, file_name: &str, rendered: Rendered) -> Result<Planned> {
    let ignore = ignore_path(project, context, file_name);
    let ignore_dir = ignore.parent().unwrap_or(Path::new("."));
    let name = ignore.display().to_string();
    let key = dockerfile_key(project, ignore_dir, file_name)?;
    let mut notes = Vec::new();
    let mut mergeable = true;
    let existing = match read_small_text(&ignore) {
        Ok(text) => text,
        Err(why) => {
            // Replacing what is there (a link, a huge or binary file) is the user's call: --force.
            mergeable = false;
            notes.push(format!("{name} {why}: dockgen's block replaces it, nothing is merged"));
            None
        }
    };
    let mut generated = rendered.dockerignore;
    if file_name != DEFAULT_DOCKERFILE {
        // The template leaves out `Dockerfile` and `.dockerignore`; a named pair must stay out too.
        generated.push_str(&["**/", file_name, "\n**/", file_name, ".dockerignore\n"].concat());
    }
    let ours = dockerignore::Copies {
        reads: rendered.reads,
        ..copies_of(&rendered.dockerfile, context)
    };
    let copies = |k: &str| -> Option<dockerignore::Copies> {
        if k == key.escape_debug().to_string() {
            return Some(ours.clone());
        }
        other_dockerfile_copies(ignore_dir, context, k)
    };
    let merged = dockerignore::merge(existing.as_deref(), &name, &key, &generated, &copies)?;
    notes.extend(merged.notes);
    let owned = if merged.keeps_user_lines && mergeable {
        vec![ignore.clone()]
    } else {
        Vec::new()
    };
    let file_name = existing_spelling(project, file_name);
    let dockerfile = with_your_lines(project, &file_name, rendered.dockerfile)?;
    let mut files = vec![(project.join(&file_name), dockerfile), (ignore, merged.text)];
    files.extend(
        rendered
            .extra
            .into_iter()
            .map(|(extra, text)| (project.join(extra), text)),
    );
    Ok(Planned {
        files,
        notes,
        warnings: merged.warnings,
        owned,
    })
}

/// The project's own Dockerfile under another case (`dockerfile`, which `docker build` also reads when there is
/// no `Dockerfile`): the file written, so it is replaced (with `--force`) rather than joined by a second one that
/// differs only in case (two such names cannot both be checked out on macOS or Windows).
fn existing_spelling(project: &Path, file_name: &str) -> String {
    if file_name != DEFAULT_DOCKERFILE || project.join(file_name).exists() {
        return file_name.to_string();
    }
    let entries = std::fs::read_dir(project).into_iter().flatten().flatten();
    entries
        .filter_map(|entry| entry.file_name().into_string().ok())
        .find(|name| name.eq_ignore_ascii_case(DEFAULT_DOCKERFILE) && project.join(name).is_file())
        .unwrap_or_else(|| file_name.to_string())
}

/// The rendered Dockerfile with the user's lines of the one at `project/file_name` kept in their blocks. A file
/// that cannot be read as small text has none to keep: it is shown as a diff and replaced only when decided.
pub(crate) fn with_your_lines(project: &Path, file_name: &str, rendered: String) -> Result<String> {
    let path = project.join(file_name);
    match read_small_text(&path) {
        Ok(Some(existing)) => your_lines::keep(Some(&existing), &path.display().to_string(), &rendered),
        _ => Ok(rendered),
    }
}

/// With `--stdout` the ignore file is not merged: the one already there is what the printed Dockerfile meets.
pub(crate) fn existing_ignore_hides(
    project: &Path,
    context: &Path,
    file_name: &str,
    rendered: &Rendered,
) -> Vec<String> {
    let ignore = ignore_path(project, context, file_name);
    let Ok(Some(text)) = read_small_text(&ignore) else {
        return Vec::new();
    };
    dockerignore::problems(
        &ignore.display().to_string(),
        &text,
        "the generated Dockerfile",
        &dockerignore::Copies {
            reads: rendered.reads.clone(),
            ..copies_of(&rendered.dockerfile, context)
        },
    )
}

/// The folder `to` relative to the folder `from` (`.`, `apps/api`, `../..`), as a compose or bake file names a
/// build context from its own folder.
pub(crate) fn relative_folder(from: &Path, to: &Path) -> Result<String> {
    let resolve = |p: &Path| {
        p.canonicalize()
            .with_context(|| format!("cannot resolve {}", p.display()))
    };
    let (from, to) = (resolve(from)?, resolve(to)?);
    Ok(match to.strip_prefix(&from) {
        Ok(below) if below.as_os_str().is_empty() => ".".to_string(),
        Ok(below) => below.display().to_string(),
        Err(_) => {
            let up = from.strip_prefix(&to).map_or(0, |rest| rest.components().count());
            vec![".."; up].join("/")
        }
    })
}

/// The Dockerfile's path relative to the ignore file's folder: the name of its section in the block.
fn dockerfile_key(project: &Path, ignore_dir: &Path, file_name: &str) -> Result<String> {
    let canonical = |p: &Path| {
        p.canonicalize()
            .with_context(|| format!("cannot resolve {}", p.display()))
    };
    let dockerfile = canonical(project)?.join(file_name);
    let relative = dockerfile
        .strip_prefix(canonical(ignore_dir)?)
        .map_or_else(|_| PathBuf::from(file_name), Path::to_path_buf);
    Ok(relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/"))
}

/// What a Dockerfile takes from the build context `context`.
fn copies_of(dockerfile: &str, context: &Path) -> dockerignore::Copies {
    let context_entries = if dockerignore::copies_whole_context(dockerfile) {
        fs::read_dir(context)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    // A bounded listing: enough to tell whether an ignore line hides all of it.
                    .take(10_000)
                    .collect::<Vec<_>>()
            })
            .map(|mut names| {
                // In name order: the block's re-includes must not follow the file system's listing order.
                names.sort_unstable();
                names
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    dockerignore::Copies {
        paths: dockerignore::copied_sources(dockerfile),
        context_entries,
        reads: Vec::new(),
    }
}

/// What another Dockerfile the block serves takes from the context; `None` when it no longer exists. Only
/// plain relative paths below the ignore file's folder are read: the key is text from the project's file.
fn other_dockerfile_copies(ignore_dir: &Path, context: &Path, key: &str) -> Option<dockerignore::Copies> {
    let relative = Path::new(key);
    if key.contains('\\') || !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let path = ignore_dir.join(relative);
    fs::symlink_metadata(&path).ok()?;
    // A Dockerfile that exists but cannot be read (a link, a huge file) keeps its section, with nothing known.
    let text = read_small_text(&path).ok().flatten().unwrap_or_default();
    Some(copies_of(&text, context))
}

/// A regular file's text when it is small and UTF-8; `Ok(None)` when there is no file; why not otherwise. A
/// link is not followed: dockgen would replace the link, not write through it.
fn read_small_text(path: &Path) -> std::result::Result<Option<String>, String> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Err(files::Refusal::NotRegular.to_string());
    }
    files::read_text_within(path, None, files::IGNORE_CAP)
        .map(Some)
        .map_err(|why| why.to_string())
}

/// `--check`: a unified diff of every file that would change on stdout; exit 1 (an error naming them, with
/// `hint` when the drift is explained, else how to write this run's files) when any would, 0 when all are up
/// to date.
pub(crate) fn check(files: &[(PathBuf, String)], changed: &[(PathBuf, String)], hint: Option<String>) -> Result<()> {
    if changed.is_empty() {
        eprintln!("up to date: {}", file_names(files));
        return Ok(());
    }
    let diffs: String = changed.iter().map(|(path, new)| write::diff(path, new)).collect();
    crate::print(&diffs)?;
    let hint = hint.unwrap_or_else(|| "`dockgen init --force` writes what this run rendered".to_string());
    bail!(
        "{} out of date: {} ({hint})",
        if changed.len() == 1 { "1 file is" } else { "files are" },
        file_names(changed)
    )
}

/// The paths of rendered files, comma-separated, for one-line messages.
pub(crate) fn file_names(files: &[(PathBuf, String)]) -> String {
    files
        .iter()
        .map(|(path, _)| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the files that would change: at a terminal the user sees each diff and decides per file (`None`
/// when nothing was approved); elsewhere only `--force` overwrites a file that is not dockgen's to rewrite.
pub(crate) fn write_changed(
    changed: Vec<(PathBuf, String)>,
    owned: &[PathBuf],
    force: bool,
    interactive: bool,
    prompter: &mut dyn Prompter,
) -> Result<Option<Vec<PathBuf>>> {
    // What exists now is what the diffs and the checks below are about: a file another run creates after this
    // is never replaced.
    let existed: Vec<PathBuf> = changed
        .iter()
        .filter(|(path, _)| std::fs::symlink_metadata(path).is_ok())
        .map(|(path, _)| path.clone())
        .collect();
    let approved = if interactive && !force {
        review(changed, prompter)?
    } else {
        changed
    };
    if approved.is_empty() {
        return Ok(None);
    }
    if !force && !interactive {
        write::refuse_existing(
            approved
                .iter()
                .map(|(p, _)| p.as_path())
                .filter(|p| !owned.iter().any(|o| o == p)),
        )?;
    }
    write::write_deciding(&approved, |path| existed.iter().any(|e| e == path))?;
    Ok(Some(approved.into_iter().map(|(path, _)| path).collect()))
}

/// At a terminal every file is shown before anything is written — a new one whole, a changed one as its
/// unified diff — and one answer writes them all, none, or leads to a decision per file. Returns the files to
/// write.
fn review(files: Vec<(PathBuf, String)>, prompter: &mut dyn Prompter) -> Result<Vec<(PathBuf, String)>> {
    for (path, new) in &files {
        crate::paint::diff(&write::diff(path, new));
    }
    let (changed, new): (Vec<String>, Vec<String>) = files
        .iter()
        .map(|(path, _)| path.display().to_string())
        .partition(|path| std::fs::symlink_metadata(path).is_ok());
    for (state, names) in [("new", new), ("changed", changed)] {
        if !names.is_empty() {
            eprintln!("{state}: {}", names.join(", "));
        }
    }
    let asked = if files.len() == 1 {
        "this file".to_string()
    } else {
        format!("these {} files", files.len())
    };
    match prompter.review(&asked)? {
        Review::Write => Ok(files),
        Review::Nothing => Ok(Vec::new()),
        Review::FileByFile => decide_per_file(files, prompter),
    }
}

/// Each file, already shown, decided on by itself. Returns the files to write (none after "quit").
fn decide_per_file(files: Vec<(PathBuf, String)>, prompter: &mut dyn Prompter) -> Result<Vec<(PathBuf, String)>> {
    let mut approved = Vec::new();
    let mut all = false;
    for (path, new) in files {
        if all {
            approved.push((path, new));
            continue;
        }
        match prompter.decide(&path.display().to_string())? {
            Decision::Yes => approved.push((path, new)),
            Decision::No => eprintln!("kept {}", path.display()),
            Decision::All => {
                all = true;
                approved.push((path, new));
            }
            Decision::Quit => return Ok(Vec::new()),
        }
    }
    Ok(approved)
}
