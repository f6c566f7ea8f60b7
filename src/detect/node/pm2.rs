//! pm2, the process manager a start script or the old image runs the server through (`pm2-runtime start
//! ecosystem.config.js --env production`, `pm2 start app.js --no-daemon`): the image runs node on the app's
//! script itself, one process per container, with the port the ecosystem file gives it.

use super::js::config::{exported_setting, json_setting, Setting};
use super::js::eval::join;
use super::scripts::is_script_file;
use super::App;
use crate::detect::Fact;

/// pm2's commands: `pm2 start`, and the foreground forms made for containers.
const RUNNERS: &[&str] = &["pm2", "pm2-runtime", "pm2-docker"];

/// Options of `pm2 start` that take a value (`--name api`), so the value is not taken for the file to run.
const VALUE_OPTIONS: &[&str] = &[
    "--name", "-n", "--env", "-i", "--instances", "--max-memory-restart", "--log", "-l", "--output", "-o", "--error",
    "-e", "--cwd", "--interpreter", "--node-args", "--interpreter-args", "--log-date-format", "--cron", "--wait-ready",
    "--listen-timeout", "--kill-timeout", "--restart-delay", "--max-restarts", "--exp-backoff-restart-delay",
];

/// Whether the command's program is pm2.
pub(super) fn is_runner(words: &[String]) -> bool {
    words
        .first()
        .is_some_and(|w| RUNNERS.contains(&crate::detect::deploy::base_name(w)))
}

/// The command that runs what pm2 ran, and the variables pm2 gave it (`PORT`).
pub(super) type Started = (Fact, Vec<(String, String)>);

/// What pm2 runs for `words`, said where it is written (`source`) and how it was reached (`how`): node on a
/// script file named on the command line, or on the one app of an ecosystem file at the app's top level,
/// with that app's arguments, node options and listen variables. None when pm2 runs something else (another
/// interpreter, an npm script, several apps, a folder of its own) or the file cannot be read statically.
pub(super) fn started(app: &App, words: &[String], source: &str, how: &str) -> Option<Started> {
    let command = CommandLine::read(words)?;
    if is_script_file(command.target) && !is_ecosystem_file(command.target) {
        let file = command.target.trim_start_matches("./");
        let mut started = vec!["node".to_string(), file.to_string()];
        started.extend(command.args.iter().map(|a| (*a).to_string()));
        let command = Fact::new(started.join(" "), source.to_string())
            .with_note(format!("{how} runs {file} through pm2; the image runs it with node, one process"));
        return Some((command, Vec::new()));
    }
    from_ecosystem(app, &command, how)
}

/// `pm2 start` as written: the file or ecosystem file it starts, the `--env` it picks, and what follows `--`.
struct CommandLine<'w> {
    target: &'w str,
    env: Option<&'w str>,
    args: Vec<&'w str>,
}

impl<'w> CommandLine<'w> {
    fn read(words: &'w [String]) -> Option<Self> {
        let mut rest = words.iter().skip(1).map(String::as_str).peekable();
        match (crate::detect::deploy::base_name(words.first()?), rest.peek()) {
            (_, Some(&"start")) => {
                rest.next();
            }
            // `pm2 logs`, `pm2 restart`: not a start.
            ("pm2", _) => return None,
            _ => {}
        }
        let (mut target, mut env, mut args) = (None, None, Vec::new());
        while let Some(word) = rest.next() {
            if word == "--" {
                args.extend(rest.by_ref());
            } else if let Some(name) = word.strip_prefix("--env=") {
                env = Some(name);
            } else if word == "--env" {
                env = rest.next();
            } else if VALUE_OPTIONS.contains(&word) {
                rest.next();
            } else if word.starts_with('-') {
                // A switch (`--no-daemon`, `--attach`) or an option with its value written in (`--name=api`).
            } else if target.is_none() {
                target = Some(word);
            } else {
                return None;
            }
        }
        Some(Self { target: target?, env, args })
    }
}

/// Whether pm2 reads `name` as an ecosystem file rather than a script to run.
fn is_ecosystem_file(name: &str) -> bool {
    [".config.js", ".config.cjs", ".config.mjs", ".json"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// The one app of an ecosystem file at the app's top level, run with node where pm2 would run it.
fn from_ecosystem(app: &App, command: &CommandLine, how: &str) -> Option<Started> {
    let name = command.target.trim_start_matches("./");
    if !is_ecosystem_file(name) || name.contains('/') {
        return None;
    }
    let text = app.text(name)?;
    let setting = |path: &[&str]| {
        if std::path::Path::new(name).extension().is_some_and(|ext| ext == "json") {
            json_setting(&text, path)
        } else {
            exported_setting(&text, name, path)
        }
    };
    let value = |path: &[&str]| match setting(path) {
        Setting::Value { value, line } => Ok(Some((value, line))),
        Setting::Unset => Ok(None),
        Setting::Unknown { .. } => Err(()),
    };
    // Several apps (an API and a worker) leave the choice to the user.
    if !matches!(setting(&["apps", "1"]), Setting::Unset) {
        return None;
    }
    let (script, line) = value(&["apps", "0", "script"]).ok()??;
    let in_place = |dir: Option<(String, usize)>| dir.is_none_or(|(dir, _)| matches!(dir.as_str(), "." | "./"));
    let node = |interpreter: Option<(String, usize)>| interpreter.is_none_or(|(program, _)| program == "node");
    if !is_script_file(&script)
        || !in_place(value(&["apps", "0", "cwd"]).ok()?)
        || !node(value(&["apps", "0", "interpreter"]).ok()?)
    {
        return None;
    }
    let mut started = vec!["node".to_string()];
    for options in ["node_args", "interpreter_args"] {
        if let Some((options, _)) = value(&["apps", "0", options]).ok()? {
            started.extend(options.split_whitespace().map(str::to_string));
        }
    }
    started.push(join("", &script));
    if let Some((args, _)) = value(&["apps", "0", "args"]).ok()? {
        started.extend(args.split_whitespace().map(str::to_string));
    }
    started.extend(command.args.iter().map(|a| (*a).to_string()));
    // pm2 lays `env_NAME` (picked with `--env NAME`) over `env`.
    let picked = command.env.map(|env| format!("env_{env}"));
    // Only the port: the app's other variables are its development or deployment settings (a database
    // address, a loopback HOST), not the image's defaults.
    let from = |block: &str| value(&["apps", "0", block, "PORT"]).ok().flatten();
    let env: Vec<(String, String)> = picked
        .as_deref()
        .and_then(from)
        .or_else(|| from("env"))
        .map(|(port, _)| ("PORT".to_string(), port))
        .into_iter()
        .collect();
    let cluster = match value(&["apps", "0", "instances"]) {
        Ok(Some((instances, _))) if instances != "1" => {
            format!("; pm2 ran {instances} instances of it, the image runs one process (scale with replicas)")
        }
        _ => String::new(),
    };
    let command = Fact::new(started.join(" "), format!("{}:{line}", app.file(name)))
        .with_note(format!("{how} starts the one app of {name} through pm2; the image runs it with node{cluster}"));
    Some((command, env))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(command: &str) -> Vec<String> {
        command.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn command_lines() {
        let read = |command: &str| {
            let words = words(command);
            CommandLine::read(&words).map(|c| (c.target.to_string(), c.env.map(str::to_string), c.args.join(" ")))
        };
        let line = |target: &str, env: Option<&str>, args: &str| Some((target.into(), env.map(Into::into), args.into()));
        assert_eq!(
            read("pm2-runtime start ecosystem.config.js --env production"),
            line("ecosystem.config.js", Some("production"), "")
        );
        assert_eq!(read("pm2-runtime process.json"), line("process.json", None, ""));
        assert_eq!(
            read("pm2 start --name api -i max app.js --no-daemon -- --verbose"),
            line("app.js", None, "--verbose")
        );
        assert_eq!(read("pm2 logs"), None);
        assert_eq!(read("pm2 app.js"), None);
        assert_eq!(read("pm2-runtime start"), None);
    }
}
