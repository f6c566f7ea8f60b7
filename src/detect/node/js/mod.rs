//! JavaScript and TypeScript read with a real parser (oxc): the static settings of framework configs and the
//! modules and paths a server loads. Only what can be known without running the code is taken; the rest is
//! "cannot tell".

pub(super) mod config;
pub(super) mod env;
pub(super) mod eval;
pub(super) mod imports;

use oxc_allocator::Allocator;
use oxc_ast::ast::{Expression, Program};
use oxc_parser::Parser;
use oxc_span::SourceType;

/// Deeper bracket nesting than this is not parsed: the parser and the walks over its tree recurse per level,
/// and no config or server source nests anywhere near it.
const MAX_NESTING: usize = 96;

/// Parses `text` as the file `name` says (`.ts`, `.mjs`, `.jsx`…; JSX allowed in `.js`) and hands the program
/// to `read`. None when it does not parse or nests too deep.
pub(crate) fn with_program<R>(text: &str, name: &str, read: impl FnOnce(&Program) -> R) -> Option<R> {
    if too_deep(text) {
        return None;
    }
    let source_type = source_type(name);
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, source_type).parse();
    if parsed.panicked || parsed.diagnostics.has_errors() {
        return None;
    }
    Some(read(&parsed.program))
}

/// Parses `text` as one expression (a JSON or JSONC file: tsconfig.json, nest-cli.json) and hands it to `read`.
pub(crate) fn with_expression<R>(text: &str, read: impl FnOnce(&Expression) -> R) -> Option<R> {
    if too_deep(text) {
        return None;
    }
    let allocator = Allocator::default();
    let expression = Parser::new(&allocator, text, SourceType::mjs())
        .parse_expression()
        .ok()?;
    Some(read(&expression))
}

fn source_type(name: &str) -> SourceType {
    let typed = SourceType::from_path(name).unwrap_or_else(|_| SourceType::mjs());
    if typed.is_typescript() {
        typed
    } else {
        typed.with_jsx(true)
    }
}

/// Whether brackets nest deeper than `MAX_NESTING`, counted over the raw text: brackets inside strings and
/// comments count too, which can only make a file look deeper than it is (then it is not read).
fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    for byte in text.bytes() {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Where each line of a text starts, for the lines of many offsets in one file: a visitor that asked
/// `line_at` for every string of a big module would count its newlines again each time.
pub(crate) struct Lines {
    starts: Vec<u32>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)));
        Lines { starts }
    }

    /// The 1-based line of a byte offset, as `line_at` counts it.
    pub(crate) fn at(&self, offset: u32) -> usize {
        self.starts.partition_point(|start| *start <= offset)
    }
}

/// The 1-based line of a byte offset.
pub(crate) fn line_at(text: &str, offset: u32) -> usize {
    let mut end = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_by_file_type() {
        assert_eq!(with_program("const a: number = 1", "x.ts", |p| p.body.len()), Some(1));
        assert_eq!(with_program("const a = <div/>", "x.js", |p| p.body.len()), Some(1));
        assert_eq!(with_program("const a = ", "x.js", |p| p.body.len()), None);
        assert_eq!(with_expression("{ \"a\": 1, // note\n }", |_| 1), Some(1));
    }

    #[test]
    fn deep_nesting_is_not_parsed() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(with_program(&deep, "x.js", |p| p.body.len()), None);
        assert_eq!(with_expression(&deep, |_| 1), None);
        let fine = format!("{}1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        let worker = std::thread::Builder::new().stack_size(1 << 20);
        let parsed = worker
            .spawn(move || with_program(&fine, "x.js", |p| p.body.len()))
            .ok()
            .and_then(|h| h.join().ok());
        assert_eq!(parsed, Some(Some(1)));
    }

    #[test]
    fn lines_from_offsets() {
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 99), 3);
        let text = "a\nbé\n\nc";
        let lines = Lines::new(text);
        for offset in 0..12 {
            assert_eq!(lines.at(offset), line_at(text, offset), "offset {offset}");
        }
    }
}
