//! Writing: refuses to overwrite without `--force`, and writes every file or none. Each file is first staged
//! as a temporary file beside its target; only when all are staged are they moved into place, a replaced file
//! kept as a hard-linked backup until every move succeeded, so a failure puts every file back. A file that did
//! not exist is created only if it still does not (two concurrent runs cannot both create it). SIGINT and
//! SIGTERM while writing remove the staged files and change nothing.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use anyhow::{bail, Context, Result};
use tempfile::NamedTempFile;

/// Stopped by SIGINT/SIGTERM before these files were changed: exit 130 like a cancelled prompt.
#[derive(Debug)]
pub struct Interrupted(String);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted; {} left unchanged", self.0)
    }
}

impl std::error::Error for Interrupted {}

/// Writes every `(path, contents)` or none: existing files are checked before anything is written.
pub fn write_all(files: &[(PathBuf, String)], force: bool) -> Result<()> {
    if !force {
        refuse_existing(files.iter().map(|(p, _)| p.as_path()))?;
    }
    write_deciding(files, |_| force)
}

/// Writes every `(path, contents)` or none. `may_replace` says which files may replace one that exists — the
/// caller decides from what existed when it compared them; any other file is created only if it still does
/// not exist, so of two runs creating it at once exactly one writes it and the other reports the conflict.
pub fn write_deciding(files: &[(PathBuf, String)], may_replace: impl Fn(&Path) -> bool) -> Result<()> {
    let interrupted = interrupted()?;
    let staged = files
        .iter()
        .map(|(path, contents)| stage(path, contents, may_replace(path)))
        .collect::<Result<Vec<_>>>()?;
    pause_for_tests(interrupted);
    if interrupted.load(Ordering::SeqCst) {
        // Dropping the staged files removes them.
        let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        bail!(Interrupted(names.join(", ")));
    }
    commit(staged)
}

/// Fails naming the files of `paths` that exist: overwriting them needs `--force`.
pub fn refuse_existing<'a>(paths: impl Iterator<Item = &'a Path>) -> Result<()> {
    let existing: Vec<String> = paths
        // A dangling symlink is an existing file too: replacing it is the user's call.
        .filter(|p| fs::symlink_metadata(p).is_ok())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        bail!(
            "{} already exist{} with other content; pass --force to overwrite (`dockgen init --check` shows the \
             diff), or --stdout to print the Dockerfile instead",
            existing.join(" and "),
            if existing.len() == 1 { "s" } else { "" }
        );
    }
    Ok(())
}

/// The files whose content would change: missing, or holding other bytes than `contents`.
pub fn changed(files: &[(PathBuf, String)]) -> Vec<(PathBuf, String)> {
    files
        .iter()
        .filter(|(path, contents)| {
            // Only a regular file of the same size is read to compare: a FIFO or a huge file named like a
            // target is simply not what dockgen would write.
            let same_size = fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == contents.len() as u64);
            !same_size || current(path, contents.len() as u64).is_none_or(|old| old != contents.as_bytes())
        })
        .cloned()
        .collect()
}

/// The most of an existing file a diff shows; a larger one is shown as replaced whole.
const MAX_DIFFED: u64 = 1024 * 1024;

/// What a regular file holds, read up to `cap` bytes; None for anything else, or a larger file.
fn current(path: &Path, cap: u64) -> Option<Vec<u8>> {
    crate::files::read_bytes(path, None, cap).ok()
}

/// A unified diff from what `path` holds now (nothing when it is missing) to `contents`.
pub fn diff(path: &Path, contents: &str) -> String {
    let shown = path.display().to_string();
    let old = current(path, MAX_DIFFED).map(|b| String::from_utf8_lossy(&b).into_owned());
    let from = if old.is_some() {
        shown.clone()
    } else {
        "/dev/null".to_string()
    };
    let old = old.unwrap_or_default();
    similar::TextDiff::from_lines(old.as_str(), contents)
        .unified_diff()
        .context_radius(3)
        .header(&from, &format!("{shown} (new)"))
        .to_string()
}

/// Set by SIGINT/SIGTERM once dockgen has started writing: the signal then stops the run at the next point
/// where no file is half-changed, instead of killing it between two moves. Registered on the first write.
fn interrupted() -> Result<&'static Arc<AtomicBool>> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    if let Some(flag) = FLAG.get() {
        return Ok(flag);
    }
    let flag = Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while the first is being honoured ends the process at once, as users expect.
        signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&flag))
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&flag)))
            .context("cannot install the signal handler that keeps an interrupted write clean")?;
    }
    Ok(FLAG.get_or_init(|| flag))
}

/// A test hook: integration tests stop the process between staging and moving files into place.
fn pause_for_tests(flag: &AtomicBool) {
    let Some(millis) = std::env::var("__DOCKGEN_TEST_PAUSE_STAGED_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return;
    };
    let until = std::time::Instant::now() + std::time::Duration::from_millis(millis);
    while std::time::Instant::now() < until && !flag.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A file written in full beside its target, not yet in place.
struct Staged {
    temp: NamedTempFile,
    target: PathBuf,
    /// The target existed when staged (a dangling symlink counts): it is replaced, not created.
    replaces: bool,
}

/// Why `path` cannot be written, naming it rather than the temporary file beside it, and what to do when its
/// folder is not writable.
fn cannot_write(path: &Path, err: &std::io::Error) -> anyhow::Error {
    let hint = if err.kind() == std::io::ErrorKind::PermissionDenied {
        " (its folder is not writable: --stdout prints the Dockerfile instead)"
    } else {
        ""
    };
    anyhow::anyhow!(
        "cannot write {}: {}{hint}",
        path.display(),
        std::io::Error::from(err.kind())
    )
}

fn stage(path: &Path, contents: &str, may_replace: bool) -> Result<Staged> {
    let shown = path.display();
    let mut temp = tempfile::Builder::new()
        .prefix(".dockgen-")
        .tempfile_in(folder_of(path))
        .map_err(|err| cannot_write(path, &err))?;
    temp.write_all(contents.as_bytes())
        .with_context(|| format!("cannot write {shown}"))?;
    temp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {shown}"))?;
    // Keep the mode of a file being replaced; a new file gets the usual 0644 rather than the temp file's 0600.
    let existing = fs::metadata(path).ok().map(|meta| meta.permissions());
    #[cfg(unix)]
    let permissions = existing.or_else(|| {
        use std::os::unix::fs::PermissionsExt as _;
        Some(fs::Permissions::from_mode(0o644))
    });
    #[cfg(not(unix))]
    let permissions = existing;
    if let Some(permissions) = permissions {
        fs::set_permissions(temp.path(), permissions).with_context(|| format!("cannot set the mode of {shown}"))?;
    }
    Ok(Staged {
        temp,
        target: path.to_path_buf(),
        // Only a file the caller decided to replace is; one that appeared since is a conflict (move_into_place).
        replaces: may_replace && fs::symlink_metadata(path).is_ok(),
    })
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// How to take back one move that already happened.
enum Undo {
    /// Put the old file (a hard link to it) back.
    Restore(tempfile::TempPath, PathBuf),
    /// Remove a file this run created.
    Remove(PathBuf),
}

/// Moves every staged file into place; when one move fails, the ones before it are taken back.
fn commit(staged: Vec<Staged>) -> Result<()> {
    let mut done: Vec<Undo> = Vec::new();
    for file in staged {
        match move_into_place(file) {
            Ok(undo) => done.push(undo),
            Err(err) => {
                for undo in done.into_iter().rev() {
                    // Best effort: the error below is what the user must see.
                    let _ = match undo {
                        Undo::Restore(backup, target) => backup.persist(&target).map_err(|e| e.error),
                        Undo::Remove(target) => fs::remove_file(target),
                    };
                }
                return Err(err);
            }
        }
    }
    // Every file is in place: the backups go (dropping a TempPath removes it).
    Ok(())
}

fn move_into_place(file: Staged) -> Result<Undo> {
    let Staged { temp, target, replaces } = file;
    let shown = target.display().to_string();
    if !replaces {
        // Create-if-absent: a file that appeared since (another run) is not overwritten.
        temp.persist_noclobber(&target).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!("{shown} was created by something else while dockgen ran; nothing was written")
            } else {
                anyhow::Error::new(e.error).context(format!("cannot create {shown}"))
            }
        })?;
        return Ok(Undo::Remove(target));
    }
    let backup = tempfile::Builder::new()
        .prefix(".dockgen-old-")
        .make_in(folder_of(&target), |backup| {
            // A copy where the file system has no hard links.
            fs::hard_link(&target, backup).or_else(|_| fs::copy(&target, backup).map(drop))
        })
        .with_context(|| format!("cannot keep a backup of {shown} while replacing it"))?
        .into_temp_path();
    temp.persist(&target)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {shown}"))?;
    Ok(Undo::Restore(backup, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unwritable_folder_names_the_file_and_suggests_stdout() {
        let denied = std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "Permission denied (os error 13) at path \"/srv/app/.dockgen-x1\"",
        );
        let message = cannot_write(Path::new("/srv/app/Dockerfile"), &denied).to_string();
        assert_eq!(
            message,
            "cannot write /srv/app/Dockerfile: permission denied (its folder is not writable: --stdout prints the \
             Dockerfile instead)"
        );
        let full = std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "No space left at path \"/x/.dockgen-y\"",
        );
        assert!(!cannot_write(Path::new("/x/Dockerfile"), &full)
            .to_string()
            .contains(".dockgen-"));
    }

    #[test]
    fn refuses_to_overwrite_and_writes_nothing_then() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join(".dockerignore");
        fs::write(&existing, "old").unwrap();
        let files = vec![
            (dir.path().join("Dockerfile"), "new".to_string()),
            (existing.clone(), "new".to_string()),
        ];
        let err = write_all(&files, false).unwrap_err().to_string();
        assert!(
            err.contains("--force") && err.contains("--stdout") && err.contains(".dockerignore"),
            "{err}"
        );
        assert!(!dir.path().join("Dockerfile").exists());
        write_all(&files, true).unwrap();
        assert_eq!(fs::read_to_string(&existing).unwrap(), "new");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary files are left behind");
    }

    #[test]
    fn only_missing_or_different_files_are_changed() {
        let dir = tempfile::tempdir().unwrap();
        let same = dir.path().join("Dockerfile");
        let other = dir.path().join(".dockerignore");
        fs::write(&same, "FROM x\n").unwrap();
        fs::write(&other, "old\n").unwrap();
        let missing = dir.path().join("nginx.conf");
        let files = vec![
            (same, "FROM x\n".to_string()),
            (other.clone(), "new\n".to_string()),
            (missing.clone(), "listen 8080;\n".to_string()),
        ];
        let paths: Vec<PathBuf> = changed(&files).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, [other.clone(), missing.clone()]);
        assert!(diff(&other, "new\n").contains("-old\n+new"));
        assert!(diff(&missing, "listen 8080;\n").starts_with("--- /dev/null"));
    }

    #[test]
    fn a_failed_move_puts_every_file_back() {
        let dir = tempfile::tempdir().unwrap();
        let replaced = dir.path().join("Dockerfile");
        let created = dir.path().join(".dockerignore");
        fs::write(&replaced, "old").unwrap();
        let staged = vec![
            stage(&replaced, "new", true).unwrap(),
            stage(&created, "new", false).unwrap(),
        ];
        // Another run creates the second file between staging and moving.
        fs::write(&created, "theirs").unwrap();
        let err = commit(staged).unwrap_err().to_string();
        assert!(err.contains("created by something else"), "{err}");
        assert_eq!(fs::read_to_string(&replaced).unwrap(), "old");
        assert_eq!(fs::read_to_string(&created).unwrap(), "theirs");
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "backups and staged files are gone: {names:?}");
    }

    #[test]
    fn a_file_that_cannot_be_staged_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let replaced = dir.path().join("Dockerfile");
        fs::write(&replaced, "old").unwrap();
        let files = vec![
            (replaced.clone(), "new".to_string()),
            (dir.path().join("missing-folder/nginx.conf"), "x".to_string()),
        ];
        assert!(write_all(&files, true).is_err());
        assert_eq!(fs::read_to_string(&replaced).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_mode_of_a_replaced_file() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_all(&[(path.clone(), "new".into())], true).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        let fresh = dir.path().join(".dockerignore");
        write_all(&[(fresh.clone(), "x".into())], false).unwrap();
        assert_eq!(fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o644);
    }
}
