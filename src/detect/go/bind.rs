//! How a Go program binds, where no port literal says it: a listen address built from a loopback host
//! (`router.Run("localhost:" + port)`, `fmt.Sprintf("127.0.0.1:%d", port)` given to a listen call), said
//! since no published port reaches it; and a host variable whose default is loopback (`host :=
//! os.Getenv("HOST")` then `if host == "" { host = "localhost" }`, `getEnv("HOST", "127.0.0.1")`, a struct tag
//! `env:"HOST" envDefault:"localhost"`), which the image sets to every interface.

use super::ports::{tag_value, LISTENER_CALLS};
use crate::detect::lex::Token;
use crate::detect::{is_host_variable, is_loopback_host};

/// Calls that start a server on an address besides the standard library's (gin's `Run`, echo's `Start`).
const FRAMEWORK_LISTEN_CALLS: &[&str] = &["Run", "RunTLS", "Start", "StartTLS"];

/// What one file says about binding.
#[derive(Default, Debug, PartialEq, Eq)]
pub(super) struct Binds {
    /// Listen addresses built from a loopback host, as written, with their line.
    pub(super) loopback: Vec<(String, usize)>,
    /// Host variables whose default is loopback, with their line.
    pub(super) host_variables: Vec<(String, usize)>,
}

/// The binds of one file's tokens.
pub(super) fn file_binds(tokens: &[(Token, usize)]) -> Binds {
    let mut binds = Binds::default();
    for (i, (token, line)) in tokens.iter().enumerate() {
        let Token::Str(text) = token else { continue };
        if let Some(host) = loopback_prefix(text) {
            if listens_on_line(tokens, *line) && continues_address(tokens, i) {
                binds.loopback.push((format!("{host}:…"), *line));
            }
        } else if is_host_variable(text) {
            if let Some(default_line) = loopback_default(tokens, i) {
                binds.host_variables.push((text.to_string(), default_line));
            }
        } else if let Some((name, _)) = tag_host_default(text) {
            binds.host_variables.push((name, *line));
        }
    }
    binds
}

/// The loopback host a string starts an address with, the port left to what follows (`"localhost:"`,
/// `"127.0.0.1:%d"`, `"localhost:%s"`).
fn loopback_prefix(text: &str) -> Option<&str> {
    let (host, rest) = text.rsplit_once(':')?;
    let port_left = rest.is_empty() || matches!(rest, "%d" | "%s" | "%v");
    (port_left && is_loopback_host(host)).then_some(host)
}

/// Whether a listen call is on `line` (the address is its argument, or an `Addr:` beside it).
fn listens_on_line(tokens: &[(Token, usize)], line: usize) -> bool {
    tokens.iter().any(|(token, at)| {
        *at == line
            && matches!(token, Token::Ident(name) if LISTENER_CALLS.contains(&name.as_str())
                || FRAMEWORK_LISTEN_CALLS.contains(&name.as_str())
                || name == "Addr")
    })
}

/// Whether the string at `i` is completed by what follows: `"localhost:" + port`, or a format string's
/// argument list (`Sprintf("localhost:%d", port)`).
fn continues_address(tokens: &[(Token, usize)], i: usize) -> bool {
    matches!(tokens.get(i + 1), Some((Token::Punct('+' | ','), _)))
}

/// The line of a loopback default given to the host variable named at `i`: the next argument of the same
/// call (`getEnv("HOST", "localhost")`), or, for `x := os.Getenv("HOST")`, the `x = "localhost"` a few
/// statements on.
fn loopback_default(tokens: &[(Token, usize)], i: usize) -> Option<usize> {
    if let (Some((Token::Punct(','), _)), Some((Token::Str(default), line))) = (tokens.get(i + 1), tokens.get(i + 2)) {
        return is_loopback_host(default).then_some(*line);
    }
    // `name := os.Getenv("HOST")` (or `name = …`): the name is before `:=`/`=`, `os`, `.`, `Getenv`, `(`.
    let Some(
        [(Token::Ident(name), _), (Token::Punct(':'), _), (Token::Punct('='), _), ..]
        | [_, (Token::Ident(name), _), (Token::Punct('='), _), ..],
    ) = i.checked_sub(7).map(|at| &tokens[at..i])
    else {
        return None;
    };
    tokens[i..tokens.len().min(i + 40)].windows(3).find_map(|w| match w {
        [(Token::Ident(assigned), _), (Token::Punct('='), _), (Token::Str(default), line)]
            if assigned == name.as_str() && is_loopback_host(default) =>
        {
            Some(*line)
        }
        _ => None,
    })
}

/// A struct tag naming a host variable with a loopback default (`env:"HOST" envDefault:"localhost"`).
fn tag_host_default(tag: &str) -> Option<(String, String)> {
    let name = tag_value(tag, "env")?;
    let name = name.split(',').next()?;
    let default = tag_value(tag, "envDefault").or_else(|| tag_value(tag, "default"))?;
    (is_host_variable(name) && is_loopback_host(&default)).then(|| (name.to_string(), default))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lex;

    fn binds(src: &str) -> Binds {
        file_binds(&lex::source(src).tokens)
    }

    #[test]
    fn addresses_built_from_a_loopback_host() {
        let gin = "package route\nfunc Run(port int) {\n\trouter.Run(\"localhost:\" + strconv.Itoa(port))\n}\n";
        assert_eq!(binds(gin).loopback, [("localhost:…".to_string(), 3)]);
        let sprintf = "package main\nfunc main() {\n\thttp.ListenAndServe(fmt.Sprintf(\"127.0.0.1:%d\", port), nil)\n}\n";
        assert_eq!(binds(sprintf).loopback.len(), 1);
        // A client's address, or every interface, is not a loopback bind.
        let client = "package main\nfunc main() {\n\tredis.Dial(\"localhost:\" + port)\n}\n";
        assert!(binds(client).loopback.is_empty());
        assert!(binds("package main\nfunc main() {\n\tr.Run(\"0.0.0.0:\" + port)\n}\n").loopback.is_empty());
    }

    #[test]
    fn host_variables_with_a_loopback_default() {
        let fallback = "package main\nfunc main() {\n\thost := os.Getenv(\"HOST\")\n\tif host == \"\" {\n\t\thost = \"localhost\"\n\t}\n}\n";
        assert_eq!(binds(fallback).host_variables, [("HOST".to_string(), 5)]);
        let helper = "package main\nvar addr = getEnv(\"BIND_ADDRESS\", \"127.0.0.1\")\n";
        assert_eq!(binds(helper).host_variables, [("BIND_ADDRESS".to_string(), 2)]);
        let tag = "package config\ntype C struct {\n\tHost string `env:\"HOST\" envDefault:\"localhost\"`\n}\n";
        assert_eq!(binds(tag).host_variables, [("HOST".to_string(), 3)]);
        // A database's host, or a default of every interface, is not one.
        assert!(binds("package main\nvar h = getEnv(\"DB_HOST\", \"localhost\")\n").host_variables.is_empty());
        assert!(binds("package main\nvar h = getEnv(\"HOST\", \"0.0.0.0\")\n").host_variables.is_empty());
    }
}
