//! A small lexer for C-family sources, shared by the stacks: Go and Java as written, JavaScript and TypeScript
//! with `'` strings. Just enough to read literals around listen calls and the names near them (and, for Go, the
//! package clause, imports, build constraints and embeds) without being fooled by comments or strings that
//! mention them.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

/// One token of Go source with the 1-based line it starts on. Its text borrows the source: a token costs no
/// allocation of its own, and a file's tokens go with one free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    Ident(Text<'a>),
    /// The decoded value of an interpreted or raw string literal.
    Str(Text<'a>),
    /// An integer or float literal, as written.
    Number(Text<'a>),
    Punct(char),
}

impl Token<'_> {
    /// The same token holding its own text, to be kept after the source is gone (a constant's value).
    pub(crate) fn into_owned(self) -> Token<'static> {
        match self {
            Token::Ident(text) => Token::Ident(text.into_owned()),
            Token::Str(text) => Token::Str(text.into_owned()),
            Token::Number(text) => Token::Number(text.into_owned()),
            Token::Punct(c) => Token::Punct(c),
        }
    }
}

/// A token's text: a slice of the source where it is written as is (nearly always), owned where it was
/// decoded (a string with escapes) or must outlive the source.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub(crate) struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Self {
        Text(Cow::Borrowed(text))
    }
}

impl From<String> for Text<'_> {
    fn from(text: String) -> Self {
        Text(Cow::Owned(text))
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text<'_> {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text<'_>> for &str {
    fn eq(&self, other: &Text<'_>) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Text<'_>> for String {
    fn eq(&self, other: &Text<'_>) -> bool {
        **self == *other.0
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Lexed<'a> {
    pub(crate) tokens: Vec<(Token<'a>, usize)>,
    /// `//go:build` or `// +build` lines before the package clause.
    pub(crate) build_constraints: Vec<String>,
    /// The patterns of each `//go:embed` directive, with its line.
    pub(crate) embeds: Vec<(String, usize)>,
    /// A header lex reached the first declaration, so the imports are complete even if the text was cut.
    pub(crate) reached_declarations: bool,
    /// Go's mark of a generated file before the package clause: a line `// Code generated … DO NOT EDIT.`
    pub(crate) generated: bool,
}

/// What a Go file's header says, kept after its text is gone: the package clause, imports, build
/// constraints and generated mark.
#[derive(Debug, Clone, Default)]
pub(crate) struct GoHeader {
    pub(crate) package: Option<(String, usize)>,
    pub(crate) imports: Vec<(String, usize)>,
    pub(crate) build_constraints: Vec<String>,
    pub(crate) reached_declarations: bool,
    pub(crate) generated: bool,
}

impl GoHeader {
    /// Import paths with their lines.
    pub(crate) fn imports(&self) -> impl Iterator<Item = (&str, usize)> {
        self.imports.iter().map(|(path, line)| (path.as_str(), *line))
    }
}

/// How much of a file to read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Extent {
    Whole,
    /// Up to the first declaration after the imports: package clause, constraints and imports only.
    Header,
}

/// The top-level arguments of the call whose `(` is at `open`: where each starts (an empty call has none) and the
/// index of the `)` that closes it (None when the tokens end first). Brackets of every kind nest.
pub(crate) struct CallArgs {
    pub(crate) starts: Vec<usize>,
    pub(crate) close: Option<usize>,
}

pub(crate) fn call_args(tokens: &[(Token<'_>, usize)], open: usize) -> CallArgs {
    let mut starts = Vec::new();
    let mut next = None;
    let mut depth = 0usize;
    for (j, (token, _)) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Punct('(' | '[' | '{') => {
                depth += 1;
                if depth == 1 {
                    next = Some(j + 1);
                    continue;
                }
            }
            Token::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return CallArgs { starts, close: Some(j) };
                }
            }
            Token::Punct(',') if depth == 1 => {
                next = Some(j + 1);
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            break;
        }
        starts.extend(next.take());
    }
    CallArgs { starts, close: None }
}

/// Where a file's calls are: the index of each name followed by `(`, in order. The probes that read only calls
/// walk these instead of every token (a file holds about one call per ten tokens).
pub(crate) fn call_positions(tokens: &[(Token<'_>, usize)]) -> Vec<usize> {
    tokens
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| matches!((&pair[0].0, &pair[1].0), (Token::Ident(_), Token::Punct('('))))
        .map(|(i, _)| i)
        .collect()
}

/// Tokenizes Go (or Java) source. Malformed input (an unterminated string, a stray byte) never fails: the lexer skips
/// what it cannot read, because a probe only needs the well-formed parts that `go build` would also accept.
pub(crate) fn source(src: &str) -> Lexed<'_> {
    lex_with(src, Quotes::Double, Extent::Whole)
}

/// Like `source`, but stops at the first top-level declaration: enough for the package clause, build
/// constraints and imports, which is all a package outside the chosen program's import graph needs.
pub(crate) fn header(src: &str) -> Lexed<'_> {
    lex_with(src, Quotes::Double, Extent::Header)
}

/// Tokenizes JavaScript or TypeScript well enough for literal lookups: like Go, except that `'` quotes
/// strings. Template literals read as raw strings; regular expressions may be misread, which costs at most a
/// missed literal on that line.
pub(crate) fn javascript(src: &str) -> Lexed<'_> {
    lex_with(src, Quotes::Single, Extent::Whole)
}

/// Tokenizes a Gradle build script, Groovy or Kotlin: `'` quotes strings as in JavaScript, and triple-quoted
/// strings (`"""`, `'''`) span lines, so a script's embedded text is never read as code.
pub(crate) fn gradle(src: &str) -> Lexed<'_> {
    lex_with(src, Quotes::Groovy, Extent::Whole)
}

/// Which quotes open a string besides `"` and the backtick.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quotes {
    /// Go and Java: `'` is a character literal.
    Double,
    /// JavaScript and TypeScript: `'` too.
    Single,
    /// Groovy and Kotlin: `'` too, and triple-quoted strings.
    Groovy,
}

fn lex_with(src: &str, quotes: Quotes, extent: Extent) -> Lexed<'_> {
    let single_quoted_strings = quotes != Quotes::Double;
    let bytes = src.as_bytes();
    // About one token per six bytes of source: sized once instead of grown a dozen times.
    let expected = if extent == Extent::Whole { src.len() / 6 } else { 64 };
    let mut tokens: Vec<(Token<'_>, usize)> = Vec::with_capacity(expected);
    let mut build_constraints = Vec::new();
    let mut embeds = Vec::new();
    let mut reached_declarations = false;
    let mut generated = false;
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            // Indentation and spacing first: they are most of the bytes.
            b' ' | b'\t' | b'\r' | b'\x0c' => i = class_end(bytes, i + 1, SPACE),
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = find_byte(bytes, i, b'\n');
                let comment = &src[i..end];
                if tokens.is_empty() && (comment.starts_with("//go:build") || comment.starts_with("// +build")) {
                    build_constraints.push(comment.to_string());
                } else if tokens.is_empty() && is_generated_mark(comment) {
                    generated = true;
                } else if let Some(patterns) = comment.strip_prefix("//go:embed ") {
                    embeds.push((patterns.trim().to_string(), line));
                }
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |p| i + 2 + p + 2);
                line += memchr::memchr_iter(b'\n', &bytes[i..end]).count();
                i = end;
            }
            b'"' | b'\'' if quotes == Quotes::Groovy && bytes[i..].starts_with(&[c, c, c]) => {
                let close = [c, c, c];
                let end = memchr::memmem::find(&bytes[i + 3..], &close).map_or(bytes.len(), |p| i + 3 + p);
                let raw = &src[i + 3..end];
                tokens.push((Token::Str(raw_string(raw)), line));
                line += memchr::memchr_iter(b'\n', raw.as_bytes()).count();
                i = (end + 3).min(bytes.len());
            }
            b'"' => {
                let (value, end) = interpreted_string(src, i + 1, '"');
                tokens.push((Token::Str(value), line));
                i = end;
            }
            b'`' => {
                let end = find_byte(bytes, i + 1, b'`');
                let raw = &src[i + 1..end];
                tokens.push((Token::Str(raw_string(raw)), line));
                line += memchr::memchr_iter(b'\n', raw.as_bytes()).count();
                i = (end + 1).min(bytes.len());
            }
            b'\'' if single_quoted_strings => {
                let (value, end) = interpreted_string(src, i + 1, '\'');
                tokens.push((Token::Str(value), line));
                i = end;
            }
            b'\'' => {
                // Rune literal: skip it, honouring escapes, so '"' does not open a string.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'\'' && bytes[j] != b'\n' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                i = (j + 1).min(bytes.len());
            }
            b'0'..=b'9' => {
                let end = scan_while(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
                tokens.push((Token::Number(src[i..end].into()), line));
                i = end;
            }
            _ if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                let end = class_end(bytes, i + 1, WORD);
                // Slicing on byte offsets is safe: identifiers stop only at ASCII bytes.
                let word = &src[i..end];
                // Imports come before every declaration, so the first one ends the header.
                if extent == Extent::Header && tokens.len() >= 2 && matches!(word, "func" | "var" | "const" | "type") {
                    reached_declarations = true;
                    break;
                }
                tokens.push((Token::Ident(word.into()), line));
                i = end;
            }
            _ => {
                tokens.push((Token::Punct(c as char), line));
                i += 1;
            }
        }
    }
    Lexed {
        tokens,
        build_constraints,
        embeds,
        reached_declarations,
        generated,
    }
}

/// `// Code generated <anything> DO NOT EDIT.`, the line `go generate` tools write (the regular expression of
/// the Go documentation, `^// Code generated .* DO NOT EDIT\.$`).
fn is_generated_mark(comment: &str) -> bool {
    let comment = comment.trim_end_matches('\r');
    comment
        .strip_prefix("// Code generated ")
        .is_some_and(|rest| rest.ends_with(" DO NOT EDIT."))
}

/// What each byte is to the scanning loops: a table look-up instead of a chain of comparisons per byte.
const WORD: u8 = 1;
const SPACE: u8 = 2;
static CLASS: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        #[allow(clippy::cast_possible_truncation)] // below 256
        let b = byte as u8;
        if b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80 {
            classes[byte] = WORD;
        } else if matches!(b, b' ' | b'\t' | b'\r' | b'\x0c') {
            classes[byte] = SPACE;
        }
        byte += 1;
    }
    classes
};

/// Where the run of bytes of `class` that goes on at `from` ends.
fn class_end(bytes: &[u8], from: usize, class: u8) -> usize {
    let mut end = from;
    while end < bytes.len() && CLASS[usize::from(bytes[end])] == class {
        end += 1;
    }
    end
}

/// A raw string's value: its text without carriage returns (Go drops them), borrowed when it has none.
fn raw_string(raw: &str) -> Text<'_> {
    if memchr::memchr(b'\r', raw.as_bytes()).is_some() {
        Text::from(raw.replace('\r', ""))
    } else {
        Text::from(raw)
    }
}

fn find_byte(bytes: &[u8], from: usize, wanted: u8) -> usize {
    memchr::memchr(wanted, &bytes[from.min(bytes.len())..]).map_or(bytes.len(), |p| from + p)
}

fn scan_while(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| !keep(b))
        .map_or(bytes.len(), |p| from + p)
}

/// Decodes an interpreted string starting after its opening quote; returns the value and the index after the
/// closing quote (or the end of the line when it is unterminated).
fn interpreted_string(src: &str, start: usize, quote: char) -> (Text<'_>, usize) {
    // Most strings have no escape: their value is the text up to the quote (or the line's end).
    let rest = &src.as_bytes()[start..];
    let quote_byte = quote as u8;
    match memchr::memchr3(quote_byte, b'\\', b'\n', rest) {
        Some(end) if rest[end] == quote_byte => return (src[start..start + end].into(), start + end + 1),
        Some(end) if rest[end] == b'\n' => return (src[start..start + end].into(), start + end),
        None => return (src[start..].into(), src.len()),
        Some(_) => {}
    }
    let mut value = String::new();
    let mut chars = src[start..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            c if c == quote => return (value.into(), start + offset + 1),
            '\n' => return (value.into(), start + offset),
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, other)) => value.push(other),
                None => break,
            },
            _ => value.push(c),
        }
    }
    (value.into(), src.len())
}

impl Lexed<'_> {
    /// The header's facts, owned.
    pub(crate) fn go_header(self) -> GoHeader {
        GoHeader {
            package: self.package().map(|(name, line)| (name.to_string(), line)),
            imports: self
                .imports()
                .into_iter()
                .map(|(path, line)| (path.to_string(), line))
                .collect(),
            build_constraints: self.build_constraints,
            reached_declarations: self.reached_declarations,
            generated: self.generated,
        }
    }

    /// The package clause's name and line, if the file has one.
    pub(crate) fn package(&self) -> Option<(&str, usize)> {
        match self.tokens.as_slice() {
            [(Token::Ident(kw), line), (Token::Ident(name), _), ..] if kw == "package" => Some((name, *line)),
            _ => None,
        }
    }

    /// Import paths with their lines, from single imports and import blocks.
    pub(crate) fn imports(&self) -> Vec<(&str, usize)> {
        let mut found = Vec::new();
        let mut i = 0;
        let tokens = &self.tokens;
        while i < tokens.len() {
            if matches!(&tokens[i].0, Token::Ident(word) if word == "import") {
                i += 1;
                if tokens.get(i).map(|t| &t.0) == Some(&Token::Punct('(')) {
                    while i < tokens.len() && tokens[i].0 != Token::Punct(')') {
                        if let (Token::Str(path), line) = &tokens[i] {
                            found.push((path.as_str(), *line));
                        }
                        i += 1;
                    }
                } else {
                    // Skip an optional alias (`_`, `.` or a name) before the path.
                    while let Some((tok, line)) = tokens.get(i) {
                        match tok {
                            Token::Str(path) => {
                                found.push((path.as_str(), *line));
                                break;
                            }
                            Token::Ident(_) | Token::Punct('.') => i += 1,
                            _ => break,
                        }
                    }
                }
            }
            i += 1;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_arguments_start_where_their_tokens_do() {
        let tokens = source("f(a, g(b, c), [d, e],)").tokens;
        let args = call_args(&tokens, 1);
        assert_eq!(args.starts, [2, 4, 11]);
        assert_eq!(args.close, Some(tokens.len() - 1));
        assert!(call_args(&source("f()").tokens, 1).starts.is_empty());
        assert_eq!(call_args(&source("f(a, b").tokens, 1).close, None);
    }

    #[test]
    fn reads_package_imports_and_ignores_comments() {
        let lexed = source("// Package x mentions import \"C\"\n/* package fake */\npackage main\n\nimport (\n\t\"fmt\"\n\tsql \"database/sql\"\n)\nimport \"C\"\n");
        assert_eq!(lexed.package(), Some(("main", 3)));
        assert_eq!(lexed.imports(), vec![("fmt", 6), ("database/sql", 7), ("C", 9)]);
    }

    #[test]
    fn a_rune_or_raw_string_does_not_confuse_the_lexer() {
        let lexed = source("package p\nvar a = '\"'\nvar b = `x\n\"y`\nvar c = \"z\"\n");
        let strings: Vec<_> = lexed
            .tokens
            .iter()
            .filter_map(|(t, l)| {
                if let Token::Str(s) = t {
                    Some((s.as_str(), *l))
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(strings, vec![("x\n\"y", 3), ("z", 5)]);
    }

    #[test]
    fn build_constraints_are_read_only_before_the_package_clause() {
        assert_eq!(
            source("//go:build ignore\n\npackage main\n").build_constraints,
            vec!["//go:build ignore"]
        );
        assert!(source("package main\n//go:build ignore\n").build_constraints.is_empty());
    }

    #[test]
    fn the_header_stops_at_the_first_declaration_and_embeds_are_kept() {
        let src = "package main\n\nimport (\n\t\"embed\"\n\t\"net/http\"\n)\n\n//go:embed all:web/dist\nvar dist embed.FS\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n";
        let header = header(src);
        assert_eq!(header.imports(), vec![("embed", 4), ("net/http", 5)]);
        assert!(!header.tokens.iter().any(|(t, _)| *t == Token::Str(":8080".into())));
        let whole = source(src);
        assert_eq!(whole.embeds, vec![("all:web/dist".to_string(), 8)]);
        assert!(whole.tokens.iter().any(|(t, _)| *t == Token::Str(":8080".into())));
    }

    #[test]
    fn the_generated_mark_counts_only_before_the_package_clause() {
        assert!(header("// Code generated by protoc-gen-go. DO NOT EDIT.\r\n\npackage pb\n").generated);
        assert!(header("// Copyright x\n\n// Code generated by mockgen. DO NOT EDIT.\npackage m\n").generated);
        assert!(!header("package main\n// Code generated by hand. DO NOT EDIT.\n").generated);
        assert!(!header("// Code generated by a tool; edit freely.\npackage p\n").generated);
        assert!(!header("// Code generated DO NOT EDIT.\npackage p\n").generated);
    }

    #[test]
    fn garbage_never_panics() {
        for src in [
            "\"unterminated",
            "`raw",
            "'\\",
            "/* open",
            "\u{0}\u{ff}é\"\\",
            "package",
        ] {
            let _ = source(src).imports();
        }
    }
}
