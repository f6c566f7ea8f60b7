//! A start command that hands the program to a shell script of the repository (`sh start.sh`,
//! `./docker/run.sh`, `bash /usr/src/app/run.sh` under the old WORKDIR, `/start.sh` that the old image copied
//! there): the script's last command is the program's, read like the last step of a chain, and the commands
//! before it are steps the new image's exec-form command does not run, but for a `cd` into a folder of the app,
//! which says where the command runs (`Runtime::run_dir`). A script that is more than a list of commands
//! (conditions, loops, a `cd` elsewhere, or a wrapper's `exec "$@"`) is left as the command it is.

use std::path::Path;

use super::record::{add_env, Runtime};
use super::syntax::{chain, command_words, first_word, logical_lines};
use crate::detect::{join_rel, read_small_text};

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash"];

/// Words that make a script more than a list of commands.
const CONTROL: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "{", "}",
    "pushd", "popd", "trap", "wait",
];

/// Replaces a command that runs a script of `base` (the deployment file's folder, `dir` as the user sees it)
/// with the script's last command, its line as the evidence; the commands before it join `steps_before`.
pub(super) fn follow(base: &Path, dir: &str, runtime: &mut Runtime) {
    follow_script(base, dir, runtime);
    take_run_dir(runtime);
}

/// A `cd DIR` the command's steps run before it (`cd src && gunicorn …`, a script's `cd /usr/src/app/api` under
/// the old WORKDIR): the folder the command runs in, relative to the app's, instead of a step. Left as a step
/// when there are several, or the folder is not plainly one of the app's.
fn take_run_dir(runtime: &mut Runtime) {
    let cds: Vec<usize> = (0..runtime.steps_before.len())
        .filter(|&at| first_word(&runtime.steps_before[at]) == "cd")
        .collect();
    let [at] = cds[..] else { return };
    let Some(rel) = run_dir_of(&runtime.steps_before[at], runtime.old_workdir.as_deref()) else {
        return;
    };
    runtime.steps_before.remove(at);
    runtime.run_dir = (rel != ".").then_some(rel);
}

/// The one folder a `cd` step names, when it is written out plainly (no variable, home, glob or `..`).
fn plain_cd_target(step: &str) -> Option<&str> {
    let words: Vec<&str> = step.split_whitespace().collect();
    let ["cd", target] = words[..] else { return None };
    let target = target.trim_matches(['"', '\'']);
    let plain = !target.contains(['$', '~', '`', '*']) && target.split('/').all(|part| part != "..");
    plain.then_some(target)
}

/// The folder of the app a `cd` step moves to ("." for its own), relative to it.
fn run_dir_of(step: &str, old_workdir: Option<&str>) -> Option<String> {
    let target = plain_cd_target(step)?;
    let rel = if target.starts_with('/') {
        let old = old_workdir?.trim_end_matches('/');
        if target.trim_end_matches('/') == old {
            "."
        } else {
            crate::detect::inside(target, old)?
        }
    } else {
        target
    };
    let rel = rel.trim_start_matches("./").trim_end_matches('/');
    match rel {
        "" | "." => Some(".".to_string()),
        _ if !rel.starts_with('-') && rel.split('/').all(|part| !part.is_empty()) => Some(rel.to_string()),
        _ => None,
    }
}

fn follow_script(base: &Path, dir: &str, runtime: &mut Runtime) {
    let Some((words, _)) = &runtime.command else { return };
    let Some(script) = script_path(words) else { return };
    let Some(rel) = in_repository(script, runtime) else {
        return;
    };
    let Some(text) = read_small_text(&base.join(&rel)) else {
        return;
    };
    let Some((line, command, steps)) = last_command(&text) else {
        return;
    };
    // `export NAME=value` sets the program's environment: not a step of its own.
    let (exports, steps): (Vec<String>, Vec<String>) = steps.into_iter().partition(|step| exported(step).is_some());
    for (name, value) in exports.iter().filter_map(|step| exported(step)) {
        add_env(
            runtime,
            name.to_string(),
            Some(value.to_string()),
            &format!("{}:{line}", join_rel(dir, &rel)),
        );
    }
    runtime.steps_before.extend(steps);
    runtime.command = Some((command, format!("{}:{line}", join_rel(dir, &rel))));
}

/// `export NAME=value` with a plain value: the name and the value.
fn exported(step: &str) -> Option<(&str, &str)> {
    let (name, value) = step.strip_prefix("export ")?.trim().split_once('=')?;
    let value = value.trim_matches(['"', '\'']);
    let plain = crate::validate::is_upper_env_name(name) && !value.contains(['$', '`', ' ', ';', '&', '|']);
    plain.then_some((name, value))
}

/// The script a command runs: `sh [-e] start.sh` or `./start.sh` itself.
fn script_path(words: &[String]) -> Option<&str> {
    let first = words.first()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    let script = if SHELLS.contains(&name) {
        // `sh -c "…"` hands the shell a command, not a file (read as a chain elsewhere).
        words[1..].iter().find(|w| !w.starts_with('-') || *w == "-c")?
    } else {
        first
    };
    Path::new(script.as_str())
        .extension()
        .is_some_and(|e| e == "sh")
        .then_some(script.as_str())
}

/// The repository path of a script the old image ran: relative to its working directory (the folder its
/// files came from), under its WORKDIR, or a file it copied where the command names it.
fn in_repository(script: &str, runtime: &Runtime) -> Option<String> {
    let rel = if script.starts_with('/') {
        let under_workdir = runtime
            .old_workdir
            .as_deref()
            .and_then(|w| crate::detect::inside(script, w));
        let copied = || {
            runtime.copied_in.iter().find_map(|(copied, _)| {
                let (from, to) = copied.file.as_ref()?;
                (to == script).then_some(from.as_str())
            })
        };
        under_workdir.or_else(copied)?.to_string()
    } else {
        script.trim_start_matches("./").to_string()
    };
    let plain = !rel.is_empty() && !rel.starts_with('/') && rel.split('/').all(|part| !part.is_empty() && part != "..");
    plain.then_some(rel)
}

/// The script's last command (its line and words) and the commands before it, when the script is a plain list
/// of commands that ends in one the new image can run itself.
fn last_command(text: &str) -> Option<(usize, Vec<String>, Vec<String>)> {
    let lines: Vec<(usize, String)> = logical_lines(text)
        .into_iter()
        .map(|(line, text)| (line, text.trim().trim_end_matches(';').trim_end().to_string()))
        .filter(|(_, text)| !text.is_empty() && !text.starts_with('#'))
        .collect();
    // A `cd` to a plainly written folder is read past here; `take_run_dir` decides whether it is one of the app's.
    let control = |text: &str| {
        let cd_somewhere = first_word(text) == "cd" && plain_cd_target(text).is_none();
        CONTROL.contains(&first_word(text)) || text.ends_with('{') || cd_somewhere
    };
    if lines.iter().any(|(_, text)| control(text)) {
        return None;
    }
    // A script that starts the program in the background (`nohup java -jar app.jar > log 2>&1 &`) and then
    // only says so (`echo $! > pid`): that one command is the program's.
    let backgrounded: Vec<usize> = (0..lines.len())
        .filter(|&at| in_background(&lines[at].1).is_some())
        .collect();
    let (lines, foreground) = match backgrounded[..] {
        [at] => (&lines[..=at], in_background(&lines[at].1)),
        _ => (&lines[..], None),
    };
    let ((line, last), before) = lines.split_last()?;
    let (last, mut steps) = match &foreground {
        Some(command) => (command.as_str(), Vec::new()),
        None => chain(last).map_or((last.as_str(), Vec::new()), |(step, steps)| (step, steps)),
    };
    let words = command_words(last)?;
    // A wrapper (`exec "$@"`), a variable's program or an environment prefix: not a command of its own.
    if words.first().is_none_or(|w| w.contains(['$', '='])) {
        return None;
    }
    let mut before: Vec<String> = before
        .iter()
        .filter(|(_, text)| first_word(text) != "set")
        // A background launch's process keeping on the host (`sh stop.sh`, `kill`, `rm -f app.pid`): a container
        // is its program's only process.
        .filter(|(_, text)| foreground.is_none() || !manages_processes(text))
        .map(|(_, text)| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    before.append(&mut steps);
    Some((*line, words, before))
}

/// A step that stops an earlier run of the program or clears its pid file (`sh stop.sh`, `./stop.sh`, `kill
/// $(cat app.pid)`, `pkill -f app.jar`, `rm -f tpid`).
fn manages_processes(step: &str) -> bool {
    let words: Vec<&str> = step.split_whitespace().collect();
    let script = words.iter().find(|w| !SHELLS.contains(w) && !w.starts_with('-'));
    let stops = script.is_some_and(|w| {
        let name = w.rsplit('/').next().unwrap_or(w);
        Path::new(name).extension().is_some_and(|e| e == "sh") && (name.starts_with("stop") || name.starts_with("kill"))
    });
    let kills = matches!(words.first(), Some(&("kill" | "pkill" | "killall")));
    let clears_pid =
        words.first() == Some(&"rm") && words.iter().skip(1).any(|w| !w.starts_with('-') && w.contains("pid"));
    stops || kills || clears_pid
}

/// A command a script runs in the background, as it would run in the foreground: `nohup` and the trailing `&`
/// dropped, and its output redirections (`> app.log 2>&1`, `< /dev/null`), which a container's log replaces.
fn in_background(text: &str) -> Option<String> {
    let nohup = first_word(text) == "nohup";
    let body = text.strip_suffix('&').filter(|rest| !rest.ends_with('&'));
    if !nohup && body.is_none() {
        return None;
    }
    let words = shlex::split(body.unwrap_or(text))?;
    let mut kept = Vec::new();
    let mut words = words.into_iter().skip(usize::from(nohup)).peekable();
    while let Some(word) = words.next() {
        let redirect = word.trim_start_matches(|c: char| c.is_ascii_digit());
        if let Some(target) = redirect
            .strip_prefix(">>")
            .or_else(|| redirect.strip_prefix('>'))
            .or_else(|| redirect.strip_prefix('<'))
        {
            // `>file` carries its target; `> file` takes the next word; `2>&1` is whole.
            if target.is_empty() {
                words.next();
            }
            continue;
        }
        kept.push(word);
    }
    (!kept.is_empty())
        .then(|| shlex::try_join(kept.iter().map(String::as_str)).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::words;

    #[test]
    fn a_cd_into_a_folder_of_the_app_is_where_the_command_runs() {
        let mut runtime = Runtime {
            command: Some((words("gunicorn app:app"), "start.sh:3".into())),
            steps_before: vec!["cd src".into(), "python migrate.py".into()],
            ..Runtime::default()
        };
        take_run_dir(&mut runtime);
        assert_eq!(runtime.run_dir.as_deref(), Some("src"));
        assert_eq!(runtime.steps_before, ["python migrate.py"]);
        // Under the old WORKDIR, relative to it; the WORKDIR itself is the app's own folder.
        assert_eq!(
            run_dir_of("cd /usr/src/app/api/", Some("/usr/src/app")).as_deref(),
            Some("api")
        );
        assert_eq!(
            run_dir_of("cd /usr/src/app", Some("/usr/src/app/")).as_deref(),
            Some(".")
        );
        assert_eq!(run_dir_of("cd ./web", None).as_deref(), Some("web"));
        // Elsewhere, or not one plain folder: left as a step.
        for step in ["cd /opt/app", "cd ../x", "cd $HOME", "cd", "cd a b", "cd -"] {
            assert_eq!(run_dir_of(step, Some("/usr/src/app")), None, "{step}");
        }
        let mut twice = Runtime {
            command: Some((words("node x.js"), "Procfile:1".into())),
            steps_before: vec!["cd a".into(), "cd b".into()],
            ..Runtime::default()
        };
        take_run_dir(&mut twice);
        assert_eq!((twice.run_dir, twice.steps_before.len()), (None, 2));
    }

    #[test]
    fn exports_with_plain_values_are_environment() {
        assert_eq!(
            exported("export FLASK_ENV=production"),
            Some(("FLASK_ENV", "production"))
        );
        assert_eq!(exported("export PORT='5000'"), Some(("PORT", "5000")));
        assert_eq!(exported("export PATH=$PATH:/x"), None);
        assert_eq!(exported("pip install -r requirements.txt"), None);
    }

    #[test]
    fn the_script_a_command_runs() {
        assert_eq!(script_path(&words("sh start.sh")), Some("start.sh"));
        assert_eq!(
            script_path(&words("/bin/bash -e ./docker/run.sh prod")),
            Some("./docker/run.sh")
        );
        assert_eq!(script_path(&words("./entrypoint.sh")), Some("./entrypoint.sh"));
        assert_eq!(script_path(&words("sh -c start.sh")), None);
        assert_eq!(script_path(&words("node server.js")), None);
    }

    #[test]
    fn a_scripts_last_command_with_the_steps_before_it() {
        let script = "#!/bin/sh\nset -e\n\n# migrate first\npython manage.py migrate --noinput\npython manage.py \\\n  collectstatic --noinput\nexec gunicorn core.wsgi:application -c ./gunicorn.conf.py\n";
        let (line, command, steps) = last_command(script).unwrap();
        assert_eq!(
            (line, command),
            (8, words("gunicorn core.wsgi:application -c ./gunicorn.conf.py"))
        );
        assert_eq!(
            steps,
            [
                "python manage.py migrate --noinput",
                "python manage.py collectstatic --noinput"
            ]
        );
        let chained = last_command("npm run migrate && node dist/index.js\n").unwrap();
        assert_eq!(
            (chained.1, chained.2),
            (words("node dist/index.js"), vec!["npm run migrate".to_string()])
        );
        // A continuation on the file's last line continues into nothing, with or without a final newline.
        for ending in ["", "\n"] {
            let dangling = format!("python manage.py migrate\nexec gunicorn app.wsgi \\\n  --workers 4 \\{ending}");
            let (line, command, steps) = last_command(&dangling).unwrap();
            assert_eq!((line, command), (2, words("gunicorn app.wsgi --workers 4")));
            assert_eq!(steps, ["python manage.py migrate"]);
        }
        // Wrappers, conditions and a changed folder are more than a list of commands.
        assert!(last_command("#!/bin/sh\nset -e\nexec \"$@\"\n").is_none());
        assert!(last_command("if [ -n \"$X\" ]; then\n  migrate\nfi\nnode app.js\n").is_none());
        assert!(last_command("cd \"$APP_HOME\"\nnode app.js\n").is_none());
        assert!(last_command("cd ../other\nnode app.js\n").is_none());
        assert!(last_command("PORT=80 node app.js\n").is_none());
        assert!(last_command("# nothing\n").is_none());
    }

    #[test]
    fn scripts_are_found_where_the_old_image_had_them() {
        let runtime = Runtime {
            old_workdir: Some("/usr/src/app".into()),
            copied_in: vec![(
                super::super::record::Copied {
                    dest: "/start.sh".into(),
                    file: Some(("docker/start.sh".into(), "/start.sh".into())),
                },
                "Dockerfile:4".into(),
            )],
            ..Runtime::default()
        };
        assert_eq!(
            in_repository("/usr/src/app/bin/run.sh", &runtime).as_deref(),
            Some("bin/run.sh")
        );
        assert_eq!(in_repository("/start.sh", &runtime).as_deref(), Some("docker/start.sh"));
        assert_eq!(in_repository("./run.sh", &runtime).as_deref(), Some("run.sh"));
        assert_eq!(in_repository("/opt/other.sh", &runtime), None);
        assert_eq!(in_repository("../outside.sh", &runtime), None);
    }

    #[test]
    fn a_background_launch_is_the_programs_command() {
        let script = "#!/bin/sh\nsh stop.sh\nrm -f tpid\nexport APP_ENV=prod\nnohup  java -jar target/app-1.0.jar server conf/dev.yml > /dev/null 2>&1 &\necho $! > tpid\necho Started\n";
        let (line, command, steps) = last_command(script).unwrap();
        assert_eq!(line, 5);
        assert_eq!(
            command,
            ["java", "-jar", "target/app-1.0.jar", "server", "conf/dev.yml"]
        );
        // The process keeping around it is the host's, not a step of the program.
        assert_eq!(steps, ["export APP_ENV=prod"]);
        assert_eq!(
            in_background("./server --port 80 >>server.log 2>&1 &").as_deref(),
            Some("./server --port 80")
        );
        assert_eq!(
            in_background("nohup bin/worker </dev/null").as_deref(),
            Some("bin/worker")
        );
        assert_eq!(in_background("make && ./app"), None);
        // Two programs started in the background: neither is the one command.
        assert!(last_command("nohup ./a &\nnohup ./b &\n").is_none_or(|(_, words, _)| words != ["./a"]));
    }
}
