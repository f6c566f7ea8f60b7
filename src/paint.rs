//! Colour for what dockgen says on stderr: warnings and diffs. anstream drops it when stderr is not a terminal
//! or `NO_COLOR` is set (`CLICOLOR_FORCE=1` keeps it, for a pager).

use anstyle::{AnsiColor, Style};

const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const REMOVED: Style = AnsiColor::Red.on_default();
const ADDED: Style = AnsiColor::Green.on_default();
const HUNK: Style = AnsiColor::Cyan.on_default();

/// `warning: MESSAGE` on stderr, the word in yellow.
pub(crate) fn warning(message: &str) {
    let text = fit_to_terminal(&format!("warning: {message}"));
    let rest = text.strip_prefix("warning:").unwrap_or(&text);
    anstream::eprintln!("{WARNING}warning:{WARNING:#}{rest}");
}

/// `note: MESSAGE` on stderr.
pub(crate) fn note(message: &str) {
    eprintln!("{}", fit_to_terminal(&format!("note: {message}")));
}

/// At a terminal, a message broken between words at its width (the terminal itself would break words);
/// elsewhere one line, for logs and grep.
fn fit_to_terminal(message: &str) -> String {
    crate::term::hanging(message, crate::term::terminal_width(&std::io::stderr()))
}

/// A unified diff on stderr: removed lines red, added lines green, hunk headers cyan.
pub(crate) fn diff(text: &str) {
    for line in text.lines() {
        let style = if line.starts_with("---") || line.starts_with("+++") {
            Style::new().bold()
        } else if line.starts_with('-') {
            REMOVED
        } else if line.starts_with('+') {
            ADDED
        } else if line.starts_with("@@") {
            HUNK
        } else {
            Style::new()
        };
        anstream::eprintln!("{style}{line}{style:#}");
    }
}
