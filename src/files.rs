//! Every file dockgen reads from a project or a config folder is read here: only a regular file, only inside
//! the folder being read once links are resolved, and never more than a cap suited to its kind — enforced
//! while reading, because the size a file system reports can be wrong (`/proc` files say 0). Text quoted back
//! to the user goes through `excerpt`/`printable`, so a hostile file can neither flood the terminal nor send
//! it control sequences.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Manifests, framework configs and build files: larger ones are not hand-written project files.
pub(crate) const MANIFEST_CAP: u64 = 4 * 1024 * 1024;
/// Lockfiles of big monorepos reach tens of megabytes.
pub(crate) const LOCKFILE_CAP: u64 = 64 * 1024 * 1024;
/// `dockgen.toml` holds a few answers.
pub(crate) const ANSWERS_CAP: u64 = 256 * 1024;
/// A preset or a template of a project or user folder.
pub(crate) const PRESET_CAP: u64 = 1024 * 1024;
/// An existing `.dockerignore` dockgen merges into.
pub(crate) const IGNORE_CAP: u64 = 1024 * 1024;

/// How many characters of a file's content a message may quote.
const EXCERPT_CHARS: usize = 80;

/// Why a file was not read. Its `Display` completes a sentence that starts with the file's name.
#[derive(Debug)]
pub(crate) enum Refusal {
    NotRegular,
    /// A link whose target, resolved, is outside the folder being read.
    Outside(PathBuf),
    TooLarge {
        size: Option<u64>,
        cap: u64,
    },
    NotUtf8 {
        offset: usize,
    },
    Io(std::io::Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotRegular => write!(f, "is not a regular file"),
            Refusal::Outside(target) => write!(
                f,
                "is a link to {}, outside the folder dockgen reads",
                excerpt(&target.display().to_string())
            ),
            Refusal::TooLarge { size: Some(size), cap } => {
                write!(
                    f,
                    "is {size} bytes, more than the {cap} bytes dockgen reads of such a file"
                )
            }
            Refusal::TooLarge { size: None, cap } => {
                write!(f, "is larger than the {cap} bytes dockgen reads of such a file")
            }
            Refusal::NotUtf8 { offset } => write!(f, "is not UTF-8 text (invalid byte at offset {offset})"),
            Refusal::Io(err) => write!(f, "is not readable ({err})"),
        }
    }
}

impl Refusal {
    /// A one-line message: `NAME is not a regular file`, `NAME: cannot read: ...`.
    pub(crate) fn about(&self, name: &str) -> String {
        let name = printable(name);
        match self {
            Refusal::Io(err) => format!("{name}: cannot read: {err}"),
            _ => format!("{name} {self}"),
        }
    }
}

/// What a path is, for a probe asking whether a marker file is there.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Missing,
    File,
    Dir,
}

thread_local! {
    /// The folder reads are confined to while a detection runs (see `Confine`).
    static BOUNDARY: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

/// Confines the reads of `read_text`/`kind` without an explicit boundary to `root` (resolved) until dropped:
/// detection reads many files from many probes, all inside the repository it was given.
pub(crate) struct Confine {
    previous: Option<PathBuf>,
}

impl Confine {
    pub(crate) fn to(root: &Path) -> Confine {
        RESOLVED_DIRS.with(|dirs| dirs.borrow_mut().clear());
        crate::detect::walk::forget_gitignores();
        GENERATION.with(|g| g.set(g.get() + 1));
        Confine {
            previous: BOUNDARY.with(|b| b.replace(Some(boundary(root)))),
        }
    }
}

impl Drop for Confine {
    fn drop(&mut self) {
        BOUNDARY.with(|b| *b.borrow_mut() = self.previous.take());
        RESOLVED_DIRS.with(|dirs| dirs.borrow_mut().clear());
        crate::detect::walk::forget_gitignores();
        GENERATION.with(|g| g.set(g.get() + 1));
    }
}

thread_local! {
    /// Counts the confinements begun and ended on this thread: what a detection keeps while it runs is valid
    /// only as long as this number stays the same (see `confinement`).
    static GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Which confinement this thread's reads are in, None outside a detection: a cache keyed on it is dropped when
/// a detection starts or ends, so a file changed between two detections in one process is read again.
pub(crate) fn confinement() -> Option<u64> {
    BOUNDARY
        .with(|b| b.borrow().is_some())
        .then(|| GENERATION.with(std::cell::Cell::get))
}

/// The boundary of the current detection, if one is running on this thread.
pub(crate) fn current_boundary() -> Option<PathBuf> {
    BOUNDARY.with(|b| b.borrow().clone())
}

/// Confines this thread's reads as another's are (`current_boundary` there): a helper thread of a detection
/// reads inside the same repository.
pub(crate) fn confine_thread(boundary: Option<PathBuf>) {
    BOUNDARY.with(|b| *b.borrow_mut() = boundary);
}

/// Where `path` leads once links are resolved, refused when that is outside `boundary`.
fn resolve(path: &Path, boundary: Option<&Path>) -> Result<PathBuf, Refusal> {
    let resolved = std::fs::canonicalize(path).map_err(Refusal::Io)?;
    within(resolved, boundary)
}

fn within(resolved: PathBuf, boundary: Option<&Path>) -> Result<PathBuf, Refusal> {
    match boundary {
        Some(boundary) if !resolved.starts_with(boundary) => Err(Refusal::Outside(resolved)),
        _ => Ok(resolved),
    }
}

thread_local! {
    /// Folders already resolved while a detection runs (see `Confine`): a probe reads thousands of files from a
    /// few hundred folders, and resolving each file's path anew reads every link of every component.
    static RESOLVED_DIRS: RefCell<HashMap<PathBuf, PathBuf>> = RefCell::new(HashMap::new());
}

/// `dir` resolved, looked up once per folder while a detection is confined (outside one, the working
/// directory may change between calls, so nothing is kept).
fn resolve_dir(dir: &Path) -> Result<PathBuf, Refusal> {
    let confined = BOUNDARY.with(|b| b.borrow().is_some());
    if let Some(known) = RESOLVED_DIRS.with(|dirs| dirs.borrow().get(dir).cloned()) {
        return Ok(known);
    }
    let resolved = std::fs::canonicalize(dir).map_err(Refusal::Io)?;
    if confined {
        RESOLVED_DIRS.with(|dirs| dirs.borrow_mut().insert(dir.to_path_buf(), resolved.clone()));
    }
    Ok(resolved)
}

/// Where the existing `path` (with `meta`, its own metadata) leads: a regular file or a folder that is not a
/// link resolves through its folder, looked up once.
fn resolve_known(path: &Path, meta: &std::fs::Metadata, boundary: Option<&Path>) -> Result<PathBuf, Refusal> {
    if meta.is_dir() {
        return within(resolve_dir(path)?, boundary);
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if meta.is_file() => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            within(resolve_dir(parent)?.join(name), boundary)
        }
        _ => resolve(path, boundary),
    }
}

/// `dir` resolved, to confine reads to it.
pub(crate) fn boundary(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// Whether `path` is absent, a regular file or a folder inside the current boundary. A name that exists but
/// cannot be followed (a loop, a dangling link), leads outside or is a special file is a refusal.
pub(crate) fn kind(path: &Path) -> Result<Kind, Refusal> {
    kind_within(path, current_boundary().as_deref())
}

/// `kind` inside `boundary`, which must itself be resolved.
pub(crate) fn kind_within(path: &Path, boundary: Option<&Path>) -> Result<Kind, Refusal> {
    let own = match std::fs::symlink_metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Kind::Missing),
        Err(err) => return Err(Refusal::Io(err)),
        Ok(own) => own,
    };
    let resolved = resolve_known(path, &own, boundary)?;
    let meta = if own.is_symlink() {
        std::fs::metadata(&resolved).map_err(Refusal::Io)?
    } else {
        own
    };
    if meta.is_file() {
        Ok(Kind::File)
    } else if meta.is_dir() {
        Ok(Kind::Dir)
    } else {
        Err(Refusal::NotRegular)
    }
}

/// A file's text, inside the current detection's boundary (if any), at most `cap` bytes.
pub(crate) fn read_text(path: &Path, cap: u64) -> Result<String, Refusal> {
    read_text_within(path, current_boundary().as_deref(), cap)
}

/// A file's text, at most `cap` bytes, refused when it is not a regular file or (links resolved) not inside
/// `boundary`, which must itself be resolved.
pub(crate) fn read_text_within(path: &Path, boundary: Option<&Path>, cap: u64) -> Result<String, Refusal> {
    let bytes = read_bytes(path, boundary, cap)?;
    String::from_utf8(bytes).map_err(|e| Refusal::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// A source file's text as the language's tools read it: a stray byte that is not UTF-8 (a Latin-1 letter in a
/// comment or string) becomes U+FFFD instead of hiding the whole file; a file with a NUL byte is binary, refused.
pub(crate) fn read_source_text(path: &Path, cap: u64) -> Result<String, Refusal> {
    let bytes = read_bytes(path, current_boundary().as_deref(), cap)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) if err.as_bytes().contains(&0) => Err(Refusal::NotUtf8 {
            offset: err.utf8_error().valid_up_to(),
        }),
        Err(err) => Ok(String::from_utf8_lossy(err.as_bytes()).into_owned()),
    }
}

/// A file's text as tools that honour a byte-order mark read it (pip does): UTF-8 with or without its BOM, or
/// UTF-16 (little or big endian) after its BOM, as Windows shells write `pip freeze > requirements.txt`.
pub(crate) fn read_text_with_bom(path: &Path, cap: u64) -> Result<String, Refusal> {
    let bytes = read_bytes(path, current_boundary().as_deref(), cap)?;
    let utf16 = |bytes: &[u8], word: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| word([pair[0], pair[1]])).collect();
        String::from_utf16(&units).map_err(|_| Refusal::NotUtf8 { offset: 0 })
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).map_err(|e| Refusal::NotUtf8 {
            offset: e.utf8_error().valid_up_to() + 3,
        }),
        _ => String::from_utf8(bytes).map_err(|e| Refusal::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
        }),
    }
}

/// A file's bytes, under the same rules as `read_text_within`.
pub(crate) fn read_bytes(path: &Path, boundary: Option<&Path>, cap: u64) -> Result<Vec<u8>, Refusal> {
    let own = std::fs::symlink_metadata(path).map_err(Refusal::Io)?;
    let resolved = resolve_known(path, &own, boundary)?;
    // Checked before opening: opening a FIFO blocks until something writes to it.
    if !own.is_file() && !std::fs::metadata(&resolved).map_err(Refusal::Io)?.is_file() {
        return Err(Refusal::NotRegular);
    }
    let file = std::fs::File::open(&resolved).map_err(Refusal::Io)?;
    let meta = file.metadata().map_err(Refusal::Io)?;
    if !meta.is_file() {
        return Err(Refusal::NotRegular);
    }
    if meta.len() > cap {
        return Err(Refusal::TooLarge {
            size: Some(meta.len()),
            cap,
        });
    }
    // Sized from the file system's length, so a file is read in one call (plus the one that finds its end)
    // instead of a growing buffer's dozen; the cap still holds if the length was wrong.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(cap) + 1).unwrap_or(0));
    file.take(cap + 1).read_to_end(&mut bytes).map_err(Refusal::Io)?;
    if bytes.len() as u64 > cap {
        return Err(Refusal::TooLarge { size: None, cap });
    }
    Ok(bytes)
}

/// A TOML error as `line L, column C: what`, without the excerpt of the file the parser's own message quotes.
pub(crate) fn toml_error(err: &toml::de::Error, text: &str) -> String {
    let what = excerpt(err.message().trim_end());
    match err.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.lines().count().max(1) + usize::from(before.ends_with('\n'));
            let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
            format!("line {line}, column {column}: {what}")
        }
        None => what,
    }
}

/// `text` safe to print on one terminal line: control characters (ESC, BEL, newlines...) escaped.
pub(crate) fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// At most a short, printable piece of a file's content, for a message that quotes it.
pub(crate) fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    let cut = if chars.next().is_some() { "…" } else { "" };
    format!("{}{cut}", printable(&head))
}

/// A whole message: printable, and no longer than a terminal screen can take in, however much of a file an
/// error chain carries.
pub(crate) fn message(text: &str) -> String {
    const MAX_CHARS: usize = 1000;
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(MAX_CHARS).collect();
    let cut = if chars.next().is_some() { " …" } else { "" };
    format!("{}{cut}", printable(&head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_out_of_the_boundary_are_refused_and_links_inside_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(dir.path().join("outside.txt"), "secret").unwrap();
        std::fs::write(root.join("sub/inside.txt"), "fine").unwrap();
        std::os::unix::fs::symlink("../outside.txt", root.join("out")).unwrap();
        std::os::unix::fs::symlink("sub/inside.txt", root.join("in")).unwrap();
        let _confine = Confine::to(&root);
        assert!(matches!(read_text(&root.join("out"), 100), Err(Refusal::Outside(_))));
        assert!(matches!(kind(&root.join("out")), Err(Refusal::Outside(_))));
        assert_eq!(read_text(&root.join("in"), 100).unwrap(), "fine");
        assert_eq!(kind(&root.join("sub")).unwrap(), Kind::Dir);
        assert_eq!(kind(&root.join("none")).unwrap(), Kind::Missing);
    }

    #[test]
    fn the_cap_holds_when_the_reported_size_is_wrong() {
        // /proc files report a size of 0.
        let read = read_text_within(Path::new("/proc/self/environ"), None, 16);
        assert!(
            matches!(read, Err(Refusal::TooLarge { size: None, cap: 16 })),
            "{read:?}"
        );
        assert!(matches!(
            read_text_within(Path::new("/dev/zero"), None, 16),
            Err(Refusal::NotRegular)
        ));
    }

    #[test]
    fn toml_errors_say_where_without_quoting_the_file() {
        let text = "preset = \"go\"\nsecret\u{1b}[2J = \n";
        let err = toml::from_str::<toml::Table>(text).unwrap_err();
        let shown = toml_error(&err, text);
        assert!(shown.starts_with("line 2, column "), "{shown}");
        assert!(!shown.contains("secret") && !shown.contains('\u{1b}'), "{shown}");
    }

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(printable("a\u{1b}]0;x\u{7}b\n"), "a\\u{1b}]0;x\\u{7}b\\n");
        let long = "x".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
        assert!(message(&long.repeat(10)).ends_with(" …"));
    }
}
