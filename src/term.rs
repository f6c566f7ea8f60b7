//! Text laid out for a terminal: its width, values wrapped between words, evidence cut with an ellipsis.
//! Shared by the detection report and the questions at the prompt.

/// The width of the terminal `stream` is, None when it is not one.
pub(crate) fn terminal_width(stream: &impl std::os::fd::AsFd) -> Option<usize> {
    terminal_size::terminal_size_of(stream).map(|(terminal_size::Width(w), _)| usize::from(w))
}

/// `text` cut to `width` characters, the last one an ellipsis when something was cut.
pub(crate) fn fit(text: &str, width: Option<usize>) -> String {
    match width {
        Some(width) if text.chars().count() > width => {
            let kept: String = text.chars().take(width.saturating_sub(1)).collect();
            format!("{kept}…")
        }
        _ => text.to_string(),
    }
}

/// `text` in lines of at most `width` characters, broken between words (a longer word is broken inside).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let (mut lines, mut line) = (Vec::new(), Vec::<char>::new());
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        if !line.is_empty() && line.len() + 1 + word.len() <= width {
            line.push(' ');
            line.append(&mut word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line).into_iter().collect());
        }
        while word.len() > width {
            let rest = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = rest;
        }
        line = word;
    }
    lines.push(line.into_iter().collect());
    lines
}

/// A message in lines of `width` broken between words, each line after the first indented by two spaces; one
/// line when there is no width (not a terminal).
pub(crate) fn hanging(message: &str, width: Option<usize>) -> String {
    match width {
        Some(width) if width > 20 && message.chars().count() > width => {
            let lines = wrap(message, width - 2);
            lines.join("\n  ")
        }
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{fit, hanging, wrap};

    #[test]
    fn values_wrap_between_words_and_long_words_are_broken() {
        assert_eq!(
            wrap("node dist/server.js --port 3000", 15),
            ["node", "dist/server.js", "--port 3000"]
        );
        assert_eq!(wrap("node dist/server.js", 8), ["node", "dist/ser", "ver.js"]);
        assert_eq!(wrap("a b c", 20), ["a b c"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn messages_break_between_words_with_an_indent_at_a_terminal_only() {
        let message = "note: the project's deployment files say how it runs: ports 8081 (Dockerfile:6)";
        assert_eq!(
            hanging(message, Some(40)),
            "note: the project's deployment files\n  say how it runs: ports 8081\n  (Dockerfile:6)"
        );
        assert_eq!(hanging(message, None), message);
        assert_eq!(hanging("short", Some(40)), "short");
    }

    #[test]
    fn evidence_is_cut_with_an_ellipsis() {
        assert_eq!(fit("go.mod:3 (from go 1.22)", Some(10)), "go.mod:3 …");
        assert_eq!(fit("go.mod:3", Some(10)), "go.mod:3");
        assert_eq!(fit("anything at all", None), "anything at all");
    }
}
