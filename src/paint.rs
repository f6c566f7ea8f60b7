//! Colour for what dockgen says on stderr: warnings and diffs. anstream drops it when stderr is not a terminal
//! or `NO_COLOR` is set (`CLICOLOR_FORCE=1` keeps it, for a pager).

use anstyle::{AnsiColor, Style};

const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const REMOVED: Style = AnsiColor::Red.on_default();
const ADDED: Style = AnsiColor::Green.on_default();
const HUNK: Style = AnsiColor::Cyan.on_default();

/// `warning: MESSAGE` on stderr, the word in yellow.
pub(crate) fn warning(message: &str) {
    anstream::eprintln!("{WARNING}warning:{WARNING:#} {message}");
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
