//! Parsers for `go.mod` and `go.work`: the same line-and-block syntax, read the way the go command reads it,
//! strictly enough that a file go would reject is reported with its line instead of half-understood.

use anyhow::{bail, Result};

/// A value and the 1-based line it was read from.
pub(crate) type Located<T> = (T, usize);

#[derive(Debug, Default)]
pub(crate) struct GoMod {
    pub(crate) module: Option<Located<String>>,
    pub(crate) go: Option<Located<String>>,
    pub(crate) toolchain: Option<Located<String>>,
    pub(crate) requires: Vec<Located<String>>,
    /// Module paths on the left of `replace ... =>`.
    pub(crate) replaced: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct GoWork {
    pub(crate) go: Option<Located<String>>,
    pub(crate) toolchain: Option<Located<String>>,
    pub(crate) uses: Vec<Located<String>>,
    pub(crate) replaced: Vec<String>,
}

struct Directive {
    verb: String,
    args: Vec<String>,
    line: usize,
}

const GO_MOD_VERBS: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
];
const GO_WORK_VERBS: &[&str] = &["go", "toolchain", "godebug", "use", "replace"];

/// Parses go.mod text. Errors carry the line (`3: ...`); the caller adds the file name.
pub(crate) fn parse_go_mod(text: &str) -> Result<GoMod> {
    let mut parsed = GoMod::default();
    for d in directives(text, GO_MOD_VERBS)? {
        match d.verb.as_str() {
            "module" => set_once(&mut parsed.module, single_arg(&d)?, &d)?,
            "go" => set_once(&mut parsed.go, go_version_arg(&d)?, &d)?,
            "toolchain" => set_once(&mut parsed.toolchain, single_arg(&d)?, &d)?,
            "require" => match d.args.first() {
                Some(path) if d.args.len() >= 2 => parsed.requires.push((path.clone(), d.line)),
                _ => bail!("{}: usage: require module/path v1.2.3", d.line),
            },
            "replace" => parsed.replaced.push(replaced_path(&d)?),
            _ => {}
        }
    }
    Ok(parsed)
}

/// Parses go.work text. Errors carry the line; the caller adds the file name.
pub(crate) fn parse_go_work(text: &str) -> Result<GoWork> {
    let mut parsed = GoWork::default();
    for d in directives(text, GO_WORK_VERBS)? {
        match d.verb.as_str() {
            "go" => set_once(&mut parsed.go, go_version_arg(&d)?, &d)?,
            "toolchain" => set_once(&mut parsed.toolchain, single_arg(&d)?, &d)?,
            "use" => parsed.uses.push((single_arg(&d)?, d.line)),
            "replace" => parsed.replaced.push(replaced_path(&d)?),
            _ => {}
        }
    }
    Ok(parsed)
}

/// The `major.minor` line of a `go` directive (`1.22.3` → `1.22`, `1.21rc1` → `1.21`), or None when it is
/// not a Go version.
pub(crate) fn minor_version(version: &str) -> Option<String> {
    let mut parts = version.splitn(3, '.');
    let major = parts.next()?;
    let minor_with_suffix = parts.next()?;
    let minor: String = minor_with_suffix.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &minor_with_suffix[minor.len()..];
    let patch_ok = parts
        .next()
        .is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let suffix_ok = suffix.is_empty()
        || ["rc", "beta"].iter().any(|pre| {
            suffix
                .strip_prefix(pre)
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        });
    (major == "1" && !minor.is_empty() && minor.len() <= 3 && patch_ok && suffix_ok).then(|| format!("1.{minor}"))
}

/// The `major.minor` of a `toolchain` directive (`go1.23.1` → `1.23`, `go1.23.1+auto`), None for `default`.
pub(crate) fn toolchain_minor(toolchain: &str) -> Option<String> {
    let version = toolchain.strip_prefix("go")?;
    // A custom toolchain name may follow the version after a dash or plus (go1.23.1-bigcorp).
    let version = version.split(['-', '+']).next().unwrap_or(version);
    minor_version(version)
}

/// `module`, `go` and `toolchain` may appear once; go rejects a file that repeats one, and so does dockgen
/// rather than guess which of the two was meant.
fn set_once(slot: &mut Option<Located<String>>, value: String, d: &Directive) -> Result<()> {
    if let Some((_, first)) = slot {
        bail!("{}: repeated `{}` directive (first on line {first})", d.line, d.verb);
    }
    *slot = Some((value, d.line));
    Ok(())
}

fn single_arg(d: &Directive) -> Result<String> {
    match d.args.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "{}: `{}` takes exactly one argument, found {}",
            d.line,
            d.verb,
            d.args.len()
        ),
    }
}

/// The module path a `replace old [v] => new [v]` directive replaces.
fn replaced_path(d: &Directive) -> Result<String> {
    match (d.args.first(), d.args.iter().position(|a| a == "=>")) {
        (Some(old), Some(1 | 2)) if d.args.len() > 2 => Ok(old.clone()),
        _ => bail!("{}: usage: replace module/path [v1.2.3] => other/path [v1.2.3]", d.line),
    }
}

fn go_version_arg(d: &Directive) -> Result<String> {
    let version = single_arg(d)?;
    if minor_version(&version).is_none() {
        bail!("{}: invalid go version `{version}` (expected 1.N or 1.N.P)", d.line);
    }
    Ok(version)
}

/// Splits the file into directives, expanding `verb ( ... )` blocks into one directive per line.
fn directives(text: &str, verbs: &[&str]) -> Result<Vec<Directive>> {
    let mut out = Vec::new();
    let mut block: Option<(String, usize)> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let words = words(raw).map_err(|e| anyhow::anyhow!("{line}: {e}"))?;
        let Some(first) = words.first() else { continue };
        if let Some((verb, _)) = &block {
            if first == ")" && words.len() == 1 {
                block = None;
            } else {
                out.push(Directive {
                    verb: verb.clone(),
                    args: words,
                    line,
                });
            }
            continue;
        }
        if !verbs.contains(&first.as_str()) {
            let shown: String = first.chars().take(40).collect();
            bail!("{line}: unknown directive `{shown}`");
        }
        if words.len() == 2 && words[1] == "(" {
            block = Some((first.clone(), line));
        } else {
            out.push(Directive {
                verb: first.clone(),
                args: words[1..].to_vec(),
                line,
            });
        }
    }
    if let Some((verb, line)) = block {
        bail!("{line}: `{verb} (` block is never closed");
    }
    Ok(out)
}

/// The words of one line: whitespace-separated, `"quoted"` or `` `raw` ``, up to a `//` comment.
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() && !rest.starts_with("//") {
        let word_end;
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').ok_or("unterminated quoted string")?;
            words.push(quoted[..end].to_string());
            word_end = end + 2;
        } else if let Some(raw) = rest.strip_prefix('`') {
            let end = raw.find('`').ok_or("unterminated raw string")?;
            words.push(raw[..end].to_string());
            word_end = end + 2;
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '`')
                .unwrap_or(rest.len());
            let end = rest[..end].find("//").unwrap_or(end);
            words.push(rest[..end].to_string());
            word_end = end;
        }
        rest = rest[word_end..].trim_start();
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_module_go_toolchain_and_requires() {
        let m = parse_go_mod(
            "// comment\nmodule example.com/app // trailing\n\ngo 1.22.3\ntoolchain go1.23.1\n\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1.14.22 // indirect\n)\nrequire golang.org/x/sync v0.7.0\n",
        )
        .unwrap();
        assert_eq!(m.module, Some(("example.com/app".into(), 2)));
        assert_eq!(m.go, Some(("1.22.3".into(), 4)));
        assert_eq!(m.toolchain, Some(("go1.23.1".into(), 5)));
        assert_eq!(
            m.requires,
            vec![
                ("github.com/mattn/go-sqlite3".into(), 8),
                ("golang.org/x/sync".into(), 10)
            ]
        );
        let r = parse_go_mod("module a\nreplace b v1.0.0 => ../b\nreplace (\n\tc => ./c\n)\n").unwrap();
        assert_eq!(r.replaced, vec!["b".to_string(), "c".to_string()]);
        assert!(parse_go_mod("module a\nreplace b\n").is_err());
    }

    #[test]
    fn versions_reduce_to_the_minor_line() {
        assert_eq!(minor_version("1.22").as_deref(), Some("1.22"));
        assert_eq!(minor_version("1.22.3").as_deref(), Some("1.22"));
        assert_eq!(minor_version("1.21rc1").as_deref(), Some("1.21"));
        assert_eq!(toolchain_minor("go1.23.1").as_deref(), Some("1.23"));
        assert_eq!(toolchain_minor("go1.23.1-bigcorp").as_deref(), Some("1.23"));
        for bad in [
            "",
            "1",
            "2.0",
            "1.x",
            "1.22.",
            "1.22.3.4",
            "1.22rc",
            "latest",
            "1.22; rm -rf /",
        ] {
            assert_eq!(minor_version(bad), None, "{bad}");
        }
        assert_eq!(toolchain_minor("default"), None);
    }

    #[test]
    fn rejects_what_go_would_reject_with_the_line() {
        let err = |text: &str| parse_go_mod(text).unwrap_err().to_string();
        assert_eq!(
            err("module a\ngo banana\n"),
            "2: invalid go version `banana` (expected 1.N or 1.N.P)"
        );
        assert_eq!(err("<html>\n"), "1: unknown directive `<html>`");
        assert_eq!(
            err("module a\nrequire (\n x v1\n"),
            "2: `require (` block is never closed"
        );
        assert_eq!(err("module \"a\n"), "1: unterminated quoted string");
        assert_eq!(
            err("module a\ngo 1.22\ngo 1.24\n"),
            "3: repeated `go` directive (first on line 2)"
        );
        assert_eq!(
            err("module a\nmodule b\n"),
            "2: repeated `module` directive (first on line 1)"
        );
        assert!(parse_go_work("go 1.22\ntoolchain go1.22.1\ntoolchain go1.23.0\n").is_err());
    }

    #[test]
    fn reads_use_directives_of_a_workspace() {
        let w = parse_go_work("go 1.22\n\nuse (\n\t./api\n\t./tools // helpers\n)\nuse ./lib\n").unwrap();
        assert_eq!(
            w.uses,
            vec![("./api".into(), 4), ("./tools".into(), 5), ("./lib".into(), 7)]
        );
    }
}
