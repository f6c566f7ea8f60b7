//! Procfile's `web:` process: the command a platform runs, with the variables set before it.

use super::record::{add_env, Runtime};

/// Procfile's `web:` process: its command words; `$PORT` in them is the port the platform gives.
pub(crate) fn web(text: &str, file: &str) -> Option<Runtime> {
    text.lines().enumerate().find_map(|(index, line)| {
        let command = line.strip_prefix("web:")?.trim();
        let mut words = shlex::split(command)?;
        let source = format!("{file}:{}", index + 1);
        let mut found = Runtime::default();
        // `VAR=value` prefixes are env for the program.
        while words.first().is_some_and(|w| w.contains('=') && !w.starts_with('-')) {
            let word = words.remove(0);
            let (name, value) = word.split_once('=').unwrap_or_default();
            add_env(&mut found, name.to_string(), Some(value.to_string()), &source);
        }
        if words.first().is_some_and(|w| w == "exec") {
            words.remove(0);
        }
        (!words.is_empty()).then(|| {
            found.command = Some((words, source));
            found
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procfile_web_process() {
        let web = web(
            "worker: x\nweb: NODE_OPTIONS=--max-old-space-size=512 bin/server --port $PORT\n",
            "Procfile",
        )
        .unwrap();
        assert_eq!(
            web.command.unwrap(),
            (
                vec!["bin/server".into(), "--port".into(), "$PORT".into()],
                "Procfile:2".into()
            )
        );
        assert_eq!(web.env[0].0 .0, "NODE_OPTIONS");
    }
}
