//! The small grammars the deployment readers share: a file's logical lines (backslash continuations joined),
//! exec-form arrays, commands as plain words, and YAML positions.

/// Lines with their backslash continuations joined, each with the 1-based line it starts on.
pub(crate) fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, first)) = lines.next() {
        // Appended in place: a file of a million continuation lines stays linear.
        let mut logical = first.to_string();
        while logical.trim_end().ends_with('\\') {
            let keep = logical.trim_end().len() - 1;
            logical.truncate(keep);
            // A continuation at the end of the file continues into nothing: the command ends there.
            let Some((_, next)) = lines.next() else { break };
            logical.push(' ');
            logical.push_str(next.trim_start());
        }
        out.push((index + 1, logical));
    }
    out
}

pub(super) fn first_word(line: &str) -> &str {
    line.split_whitespace().next().unwrap_or_default()
}

/// An exec-form array (`["a", "b"]`), parsed as the JSON it is.
pub(super) fn exec_form(text: &str) -> Option<Vec<String>> {
    text.starts_with('[').then(|| serde_json::from_str(text).ok()).flatten()
}

/// A command's words: exec form, or a shell form that is plain words (no pipes, substitutions or `&&`, which
/// only a shell runs; a leading `exec` is dropped).
pub(super) fn command_words(text: &str) -> Option<Vec<String>> {
    if let Some(words) = exec_form(text) {
        return Some(words);
    }
    if text.contains(['|', '>', '<', '`', ';', '&']) || text.contains("$(") {
        return None;
    }
    let mut words = shlex::split(text)?;
    if words.first().is_some_and(|w| w == "exec") {
        words.remove(0);
    }
    Some(words)
}

/// A shell command whose last `&&` step is plain words (`python manage.py migrate && gunicorn app:app`): that
/// step's words, and the steps before it, which only a shell runs (an exec-form CMD does not).
pub(super) fn chained_command(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let (last, steps) = chain(text)?;
    Some((command_words(last)?, steps))
}

/// The text of a chain's last step when it is plain words, and the steps before it: steps joined by `&&` or run
/// one after the other with `;` (`flask db upgrade; gunicorn app:app`), split outside quotes.
pub(super) fn chain(text: &str) -> Option<(&str, Vec<String>)> {
    let steps = chain_steps(text);
    let (last, before) = steps.split_last().filter(|(_, before)| !before.is_empty())?;
    let last = last.trim();
    command_words(last).filter(|w| !w.is_empty())?;
    let steps: Vec<String> = before.iter().map(|s| s.trim().to_string()).collect();
    (!steps.iter().any(String::is_empty)).then_some((last, steps))
}

/// A command line's steps, split at `&&` and `;` outside quotes (a `\`-escaped character is never a separator).
fn chain_steps(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let (mut steps, mut start, mut at) = (Vec::new(), 0, 0);
    let mut quote = None;
    while at < bytes.len() {
        match (quote, bytes[at]) {
            (_, b'\\') if quote != Some(b'\'') => at += 1,
            (None, b'\'' | b'"') => quote = Some(bytes[at]),
            (Some(open), c) if c == open => quote = None,
            (None, b';') => {
                steps.push(&text[start..at]);
                start = at + 1;
            }
            (None, b'&') if bytes.get(at + 1) == Some(&b'&') => {
                steps.push(&text[start..at]);
                start = at + 2;
                at += 1;
            }
            _ => {}
        }
        at += 1;
    }
    steps.push(&text[start.min(text.len())..]);
    steps
}

/// A command that hands a script to a shell (`["sh", "-c", "migrate && exec node app.js"]`): the script's
/// command, with the steps a chain runs before it; other words as they are.
pub(super) fn through_shell(words: Vec<String>) -> (Vec<String>, Vec<String>) {
    let shell = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
    if let ([_, flag, script], Some("sh" | "bash" | "ash" | "dash")) = (words.as_slice(), shell) {
        if flag == "-c" {
            if let Some(inner) = command_words(script) {
                return (inner, Vec::new());
            }
            if let Some(chained) = chained_command(script) {
                return chained;
            }
        }
    }
    (words, Vec::new())
}

/// A YAML command: a list of words, or a string of plain words.
pub(super) fn command_words_of(node: &marked_yaml::Node) -> Option<Vec<String>> {
    match node {
        marked_yaml::Node::Scalar(s) => command_words(s.as_str()),
        marked_yaml::Node::Sequence(list) => list
            .iter()
            .map(|w| w.as_scalar().map(|s| s.as_str().to_string()))
            .collect(),
        marked_yaml::Node::Mapping(_) => None,
    }
}

/// The line (1-based) where a YAML node starts.
pub(crate) fn line_of(node: &marked_yaml::Node) -> usize {
    node.span().start().map_or(1, marked_yaml::Marker::line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_of_steps_ends_in_its_command() {
        let (words, steps) = chained_command(
            "python manage.py migrate && python manage.py collectstatic --noinput && gunicorn app:app -b 0.0.0.0:8000",
        )
        .unwrap();
        assert_eq!(words, ["gunicorn", "app:app", "-b", "0.0.0.0:8000"]);
        assert_eq!(
            steps,
            ["python manage.py migrate", "python manage.py collectstatic --noinput"]
        );
        assert_eq!(chained_command("a && b | tee log"), None);
        assert_eq!(chained_command("&& node x.js"), None);
        assert_eq!(chained_command("node x.js"), None);
        let shell = |w: &[&str]| through_shell(w.iter().map(ToString::to_string).collect());
        let (words, steps) = shell(&["/bin/sh", "-c", "npx prisma migrate deploy && exec node dist/main.js"]);
        assert_eq!(
            (words, steps),
            (
                vec!["node".to_string(), "dist/main.js".to_string()],
                vec!["npx prisma migrate deploy".to_string()]
            )
        );
        assert_eq!(shell(&["node", "-c", "x"]).0, ["node", "-c", "x"]);
        // Steps run one after the other with `;`, split outside quotes.
        let (words, steps) =
            chained_command("flask db upgrade; flask translate compile; gunicorn microblog:app").unwrap();
        assert_eq!(
            (words, steps),
            (
                vec!["gunicorn".to_string(), "microblog:app".to_string()],
                vec!["flask db upgrade".to_string(), "flask translate compile".to_string()]
            )
        );
        assert_eq!(
            chain("echo 'a; b' && run"),
            Some(("run", vec!["echo 'a; b'".to_string()]))
        );
        assert_eq!(
            chain_steps("find . -exec rm {} \\; && run"),
            ["find . -exec rm {} \\; ", " run"]
        );
        assert_eq!(chained_command("a; b;"), None);
    }

    #[test]
    fn continuation_lines_join_in_linear_time() {
        let text = "RUN go build \\\n".repeat(200_000) + "  -o bin/x ./cmd/x\n";
        let joined = logical_lines(&text);
        assert_eq!(joined.len(), 1);
        assert!(joined[0].1.ends_with("-o bin/x ./cmd/x"));
    }
}
