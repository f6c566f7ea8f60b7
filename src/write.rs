//! Writing: refuses to overwrite without `--force`, and replaces each file atomically (temp file + rename),
//! so an interrupted run leaves the old file or the new one, never half of either.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Writes every `(path, contents)` or none: existing files are checked before anything is written.
pub fn write_all(files: &[(PathBuf, String)], force: bool) -> Result<()> {
    if !force {
        let existing: Vec<String> = files
            .iter()
            // A dangling symlink is an existing file too: replacing it is the user's call.
            .filter(|(p, _)| fs::symlink_metadata(p).is_ok())
            .map(|(p, _)| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            bail!(
                "{} already exist{} with other content; pass --force to overwrite (`dockgen init --check` shows the \
                 diff), or --stdout to print the Dockerfile instead",
                existing.join(" and "),
                if existing.len() == 1 { "s" } else { "" }
            );
        }
    }
    for (path, contents) in files {
        write_atomically(path, contents)?;
    }
    Ok(())
}

/// The files whose content would change: missing, or holding other bytes than `contents`.
pub fn changed(files: &[(PathBuf, String)]) -> Vec<(PathBuf, String)> {
    files
        .iter()
        .filter(|(path, contents)| fs::read(path).map_or(true, |old| old != contents.as_bytes()))
        .cloned()
        .collect()
}

/// A unified diff from what `path` holds now (nothing when it is missing) to `contents`.
pub fn diff(path: &Path, contents: &str) -> String {
    let shown = path.display().to_string();
    let old = fs::read(path).ok().map(|b| String::from_utf8_lossy(&b).into_owned());
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

fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let shown = path.display();
    let mut temp = tempfile::Builder::new()
        .prefix(".dockgen-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file beside {shown}"))?;
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
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {shown}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
