//! Which files a Linux build compiles: `//go:build` expressions (and old `// +build` lines) and `_GOOS`/
//! `_GOARCH` file-name suffixes, read the way the go command reads them for linux on amd64 or arm64 with no
//! custom tags but those the project's build files pass. A file only another system compiles (`cpu_aix.go`)
//! or only a custom tag nothing passes enables (`mage`, `assets`) says nothing about what the image's binary
//! needs.

const GOOS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

const GOARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// Nesting deeper than this is not a real constraint; such a file is kept (go build will judge it).
const MAX_DEPTH: usize = 64;

/// True when the build of a Linux image with the custom `tags` compiles `file_name` with these constraint
/// lines.
pub(super) fn compiled_on_linux(file_name: &str, constraint_lines: &[String], tags: &[String]) -> bool {
    name_allows_linux(file_name) && constraints_allow_linux(constraint_lines, tags)
}

/// `x_windows.go`, `x_darwin_arm64.go` are for other systems; `x_arm64.go`, `x_linux.go` are kept.
fn name_allows_linux(file_name: &str) -> bool {
    let stem = file_name.strip_suffix(".go").unwrap_or(file_name);
    let stem = stem.strip_suffix("_test").unwrap_or(stem);
    let parts: Vec<&str> = stem.split('_').collect();
    let (os, last) = match parts.as_slice() {
        [_, .., os, arch] if GOOS.contains(os) && GOARCH.contains(arch) => (Some(*os), None),
        [_, .., last] => (None, Some(*last)),
        _ => return true,
    };
    match (os, last) {
        (Some(os), _) => os == "linux",
        (None, Some(last)) if GOOS.contains(&last) => last == "linux",
        _ => true,
    }
}

/// A `//go:build` line wins; without one, every `// +build` line must hold.
fn constraints_allow_linux(lines: &[String], tags: &[String]) -> bool {
    if let Some(expr) = lines.iter().find_map(|l| l.strip_prefix("//go:build")) {
        let tokens = tokenize(expr);
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
            tags,
        };
        return match parser.or(0) {
            Some(value) if parser.at == tokens.len() => value,
            // A malformed expression: go build reports it; the file is not silently dropped here.
            _ => true,
        };
    }
    lines.iter().filter_map(|l| l.strip_prefix("// +build")).all(|line| {
        // Space-separated options are alternatives; comma-separated terms must all hold.
        line.split_whitespace().any(|option| {
            option.split(',').all(|term| match term.strip_prefix('!') {
                Some(tag) => !tag_holds(tag, tags),
                None => tag_holds(term, tags),
            })
        })
    })
}

/// The tags a plain Linux build satisfies: the system, the usual architectures, the gc toolchain, cgo (a
/// cgo-only file still shows what the program would need with cgo), every go1.N release tag and the custom
/// `tags` the build passes.
fn tag_holds(tag: &str, tags: &[String]) -> bool {
    matches!(tag, "linux" | "unix" | "amd64" | "arm64" | "gc" | "cgo")
        || tags.iter().any(|custom| custom == tag)
        || tag
            .strip_prefix("go1.")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

#[derive(Debug, PartialEq, Eq)]
enum Tok {
    Tag(String),
    Not,
    And,
    Or,
    Open,
    Close,
}

fn tokenize(expr: &str) -> Vec<Tok> {
    let mut tokens = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '!' => tokens.push(Tok::Not),
            '(' => tokens.push(Tok::Open),
            ')' => tokens.push(Tok::Close),
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                tokens.push(Tok::And);
            }
            '|' if chars.peek() == Some(&'|') => {
                chars.next();
                tokens.push(Tok::Or);
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' => {
                let mut tag = c.to_string();
                while let Some(&next) = chars.peek() {
                    if next.is_alphanumeric() || next == '_' || next == '.' {
                        tag.push(next);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(Tok::Tag(tag));
            }
            c if c.is_whitespace() => {}
            // Anything else makes the expression malformed: an unknown token fails the parse.
            _ => tokens.push(Tok::Close),
        }
    }
    tokens
}

struct Parser<'a> {
    tokens: &'a [Tok],
    at: usize,
    tags: &'a [String],
}

impl Parser<'_> {
    fn or(&mut self, depth: usize) -> Option<bool> {
        let mut value = self.and(depth)?;
        while self.tokens.get(self.at) == Some(&Tok::Or) {
            self.at += 1;
            value |= self.and(depth)?;
        }
        Some(value)
    }

    fn and(&mut self, depth: usize) -> Option<bool> {
        let mut value = self.unary(depth)?;
        while self.tokens.get(self.at) == Some(&Tok::And) {
            self.at += 1;
            value &= self.unary(depth)?;
        }
        Some(value)
    }

    fn unary(&mut self, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let token = self.tokens.get(self.at)?;
        self.at += 1;
        match token {
            Tok::Not => self.unary(depth + 1).map(|v| !v),
            Tok::Open => {
                let value = self.or(depth + 1)?;
                (self.tokens.get(self.at) == Some(&Tok::Close)).then(|| {
                    self.at += 1;
                    value
                })
            }
            Tok::Tag(tag) => Some(tag_holds(tag, self.tags)),
            Tok::And | Tok::Or | Tok::Close => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn file_names_for_other_systems_are_not_compiled() {
        assert!(!compiled_on_linux("cpu_aix.go", &[], &[]));
        assert!(!compiled_on_linux("x_windows_amd64.go", &[], &[]));
        assert!(compiled_on_linux("x_linux_arm64.go", &[], &[]));
        assert!(compiled_on_linux("x_arm64.go", &[], &[]));
        assert!(compiled_on_linux("main.go", &[], &[]));
        assert!(compiled_on_linux("linux.go", &[], &[]));
    }

    #[test]
    fn build_expressions_are_evaluated_for_linux() {
        assert!(!compiled_on_linux("a.go", &lines(&["//go:build ignore"]), &[]));
        assert!(!compiled_on_linux("a.go", &lines(&["//go:build mage"]), &[]));
        assert!(!compiled_on_linux("a.go", &lines(&["//go:build windows || darwin"]), &[]));
        assert!(compiled_on_linux("a.go", &lines(&["//go:build (linux || darwin) && !appengine"]), &[]));
        assert!(compiled_on_linux("a.go", &lines(&["//go:build go1.21 && cgo"]), &[]));
        assert!(!compiled_on_linux("a.go", &lines(&["//go:build !linux"]), &[]));
        assert!(!compiled_on_linux("a.go", &lines(&["// +build darwin freebsd"]), &[]));
        assert!(compiled_on_linux("a.go", &lines(&["// +build linux,amd64 darwin"]), &[]));
        // Malformed or absurdly nested: kept.
        assert!(compiled_on_linux("a.go", &lines(&["//go:build (linux"]), &[]));
        let deep = format!("//go:build {}linux{}", "(".repeat(500), ")".repeat(500));
        assert!(compiled_on_linux("a.go", &lines(&[&deep]), &[]));
    }

    #[test]
    fn tags_the_build_passes_hold() {
        let sqlite = vec!["sqlite".to_string()];
        assert!(!compiled_on_linux("db.go", &lines(&["//go:build sqlite"]), &[]));
        assert!(compiled_on_linux("db.go", &lines(&["//go:build sqlite"]), &sqlite));
        assert!(!compiled_on_linux("nodb.go", &lines(&["//go:build !sqlite"]), &sqlite));
        assert!(compiled_on_linux("db.go", &lines(&["// +build sqlite,linux"]), &sqlite));
    }
}
