//! Procfile's `web:` process (or its only process): the command a platform runs, with the variables set before
//! it.

use super::record::{add_env, Runtime};

/// Procfile's `web:` process, or its only process when it has no web one (a bot's `worker: python bot.py`;
/// `release:` is a one-off step, not a process): its command words; `$PORT` in them is the port the platform
/// gives.
pub(crate) fn web(text: &str, file: &str) -> Option<Runtime> {
    let processes: Vec<(usize, &str, &str)> = text
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let (name, command) = line.split_once(':')?;
            let plain = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            (plain && name != "release").then_some((index, name, command))
        })
        .collect();
    let chosen = match processes.iter().find(|(_, name, _)| *name == "web") {
        Some(web) => vec![*web],
        None if processes.len() == 1 => processes,
        None => Vec::new(),
    };
    chosen
        .into_iter()
        .find_map(|(index, _, command)| shell_command(command, &format!("{file}:{}", index + 1)))
}

/// A platform's start command as one line of shell (a Procfile process, render.yaml's `startCommand`): its last
/// `&&` step's words, the steps before it, and the `VAR=value` prefixes as the program's environment.
pub(super) fn shell_command(command: &str, source: &str) -> Option<Runtime> {
    let mut found = Runtime::default();
    let mut command = command.trim();
    // `release: migrate && gunicorn …` in one line: the last step starts the program.
    if let Some((last, steps)) = super::syntax::chain(command) {
        found.steps_before = steps;
        command = last;
    }
    let mut words = shlex::split(command)?;
    // `VAR=value` prefixes are env for the program.
    while words.first().is_some_and(|w| w.contains('=') && !w.starts_with('-')) {
        let word = words.remove(0);
        let (name, value) = word.split_once('=').unwrap_or_default();
        add_env(&mut found, name.to_string(), Some(value.to_string()), source);
    }
    if words.first().is_some_and(|w| w == "exec") {
        words.remove(0);
    }
    (!words.is_empty()).then(|| {
        found.command = Some((words, source.to_string()));
        found
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
        // The only process, when none is web; several others are a tie nothing here settles.
        let only = super::web(
            "release: python manage.py migrate\nworker: python3 bot.py\n",
            "Procfile",
        )
        .unwrap();
        assert_eq!(only.command.unwrap().0, ["python3", "bot.py"]);
        assert!(super::web("worker: a\nclock: b\n", "Procfile").is_none());
    }
}
