//! A Dockerfile's (or Containerfile's) final stage: what the image it builds runs and how (EXPOSE,
//! ENTRYPOINT/CMD, ENV, VOLUME, WORKDIR, HEALTHCHECK, and the files it copies in from the context).

use super::record::{add_env, Copied, Runtime};
use super::syntax::{chained_command, command_words, exec_form, first_word, logical_lines, through_shell};

/// The image a Dockerfile builds by default (its final stage): what it runs and how. `is_dir` tells whether a
/// path of the build context is a folder.
pub(super) fn dockerfile(text: &str, file: &str, is_dir: &dyn Fn(&str) -> bool) -> Runtime {
    image(text, file, is_dir, None)
}

/// What one RUN of the final stage tells: the system and Python packages it installs, the project's scripts it
/// runs once the sources are in, the folders it hands to a user.
fn run_step(rest: &str, source: &str, sources_in: bool, found: &mut Runtime) {
    let mut source_added = found.package_source.is_some();
    for (package, after_source) in super::build_steps::installed_packages_by_source(rest, &mut source_added) {
        if after_source {
            found.foreign_packages.push((package.0, source.to_string()));
        } else {
            found.packages.push((package, source.to_string()));
        }
    }
    if source_added && found.package_source.is_none() {
        found.package_source = Some(source.to_string());
    }
    for package in super::build_steps::pip_packages(rest) {
        if !found.pip_packages.iter().any(|(known, _)| *known == package) {
            found.pip_packages.push((package, source.to_string()));
        }
    }
    if sources_in {
        for words in super::build_steps::script_runs(rest) {
            found.script_runs.push((words, source.to_string()));
        }
    }
    for dir in super::build_steps::owned_folders(rest) {
        if !found.owned_dirs.iter().any(|(known, _)| *known == dir) {
            found.owned_dirs.push((dir, source.to_string()));
        }
    }
}

/// The image a Dockerfile builds: its final stage, or the stage `target` names (compose's `build.target`), read
/// with the stages it is built on (`FROM base AS production` inherits base's ENV, WORKDIR and CMD).
pub(super) fn image(text: &str, file: &str, is_dir: &dyn Fn(&str) -> bool, target: Option<&str>) -> Runtime {
    let lines = logical_lines(text);
    let mut found = Runtime::default();
    let mut entrypoint: Option<Vec<String>> = None;
    let mut cmd: Option<Vec<String>> = None;
    let mut command_line = 0;
    let mut sources_in = false;
    let image_lines = stages_of_image(&lines, target)
        .into_iter()
        .flat_map(|range| &lines[range]);
    for (line, logical) in image_lines {
        let source = format!("{file}:{line}");
        let instruction = first_word(logical).to_ascii_uppercase();
        let rest = logical.trim_start()[instruction.len()..].trim();
        match instruction.as_str() {
            "EXPOSE" => {
                for word in rest.split_whitespace() {
                    let (number, protocol) = word.split_once('/').unwrap_or((word, "tcp"));
                    if let Ok(port) = number.parse::<u16>() {
                        found.add_port(port, protocol, &source);
                    }
                }
            }
            "ENV" => env_assignments(rest, &source, &mut found),
            "VOLUME" => {
                let paths = exec_form(rest).or_else(|| Some(rest.split_whitespace().map(String::from).collect()));
                for path in paths.unwrap_or_default() {
                    if path.starts_with('/') && !path.contains('$') {
                        found.volumes.push((path, source.clone()));
                    }
                }
            }
            "WORKDIR" => {
                let dir = rest.trim_end_matches('/');
                found.workdir = crate::validate::is_app_dir(dir).then(|| (dir.to_string(), source.clone()));
                found.old_workdir = (dir.starts_with('/') && !dir.contains('$')).then(|| dir.to_string());
            }
            "ENTRYPOINT" => {
                entrypoint = with_steps(rest, &mut found.steps_before);
                // An ENTRYPOINT resets the CMD inherited so far.
                cmd = None;
                command_line = *line;
            }
            "CMD" => {
                cmd = with_steps(rest, &mut found.steps_before);
                command_line = *line;
            }
            "RUN" => run_step(rest, &source, sources_in, &mut found),
            "HEALTHCHECK" => found.healthcheck = healthcheck(rest).map(|h| (h, source.clone())),
            "COPY" | "ADD" if !rest.contains("--from") => {
                let words = exec_form(rest).or_else(|| shlex::split(rest)).unwrap_or_default();
                let paths: Vec<&String> = words.iter().filter(|w| !w.starts_with("--")).collect();
                // The whole context copied in (`COPY . /app`): the project's scripts are there from now on.
                sources_in |= paths.len() >= 2
                    && paths[..paths.len() - 1]
                        .iter()
                        .any(|p| matches!(p.as_str(), "." | "./"));
                if let [from, dest] = paths.as_slice() {
                    folder_copy(
                        from,
                        dest,
                        found.old_workdir.as_deref(),
                        is_dir,
                        &mut found.folder_copies,
                    );
                }
                if let (true, Some(dest)) = (paths.len() >= 2, paths.last()) {
                    // A relative destination is under the WORKDIR (the root when there is none).
                    let dest = &under_workdir(dest, found.old_workdir.as_deref());
                    if dest.starts_with('/') {
                        let file = (paths.len() == 2).then(|| copied_file(paths[0], dest)).flatten();
                        let dest = dest.trim_end_matches('/').to_string();
                        found.copied_in.push((Copied { dest, file }, source.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    let words: Vec<String> = entrypoint
        .into_iter()
        .flatten()
        .chain(cmd.into_iter().flatten())
        .collect();
    let words = without_init(words);
    if !words.is_empty() {
        found.command = Some((words, format!("{file}:{command_line}")));
    }
    found.frontend = super::build_steps::built_frontend(text, file, is_dir);
    found
}

/// The name of a Dockerfile's final stage, and those of the stages before it (`FROM node:22 AS production`), in
/// order: each is an image `docker build --target` can build.
pub(super) fn stage_names(text: &str) -> (Option<String>, Vec<String>) {
    let lines = logical_lines(text);
    let mut heads = stage_heads(&lines);
    let last = heads.pop().and_then(|(_, name, _)| name);
    (last, heads.into_iter().filter_map(|(_, name, _)| name).collect())
}

/// Each stage's first line, its name (`AS x`, lower case) and the image it starts from.
fn stage_heads(lines: &[(usize, String)]) -> Vec<(usize, Option<String>, String)> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, (_, l))| first_word(l).eq_ignore_ascii_case("FROM"))
        .map(|(at, (_, l))| {
            let words: Vec<&str> = l.split_whitespace().skip(1).filter(|w| !w.starts_with("--")).collect();
            let name = match words.as_slice() {
                [_, as_word, name, ..] if as_word.eq_ignore_ascii_case("as") => Some(name.to_ascii_lowercase()),
                _ => None,
            };
            (
                at,
                name,
                words.first().map_or_else(String::new, |w| w.to_ascii_lowercase()),
            )
        })
        .collect()
}

/// Where a multi-stage Dockerfile builds the program its final stage runs in the folder `dir` of the context: an
/// earlier stage whose WORKDIR is that folder (`WORKDIR /app/server`, then `go build -o /main .`) and whose file
/// the final stage copies (`COPY --from=builder /main ./`) and starts (`CMD ./main`). The line of that COPY.
pub(super) fn final_program_built_in(text: &str, dir: &str) -> Option<usize> {
    let lines = logical_lines(text);
    let stages = stage_heads(&lines);
    let (final_at, ..) = stages.last()?;
    let suffix = format!("/{}", dir.trim_matches('/'));
    let end_of = |index: usize| stages.get(index + 1).map_or(lines.len(), |(at, ..)| *at);
    // Each earlier stage (by name and by index) whose last WORKDIR is the folder.
    let in_folder = |stage: &str| {
        let index = stages
            .iter()
            .position(|(_, name, _)| name.as_deref() == Some(stage))
            .or_else(|| stage.parse().ok())?;
        let (at, ..) = stages.get(index)?;
        let workdir = lines[*at..end_of(index)]
            .iter()
            .rev()
            .find(|(_, l)| first_word(l).eq_ignore_ascii_case("WORKDIR"))?;
        let folder = workdir.1.split_whitespace().nth(1)?.trim_end_matches('/').to_string();
        (index + 1 < stages.len() && folder.ends_with(&suffix)).then_some(())
    };
    let final_lines = &lines[*final_at..];
    let program = final_lines.iter().rev().find_map(|(_, l)| {
        let instruction = first_word(l).to_ascii_uppercase();
        if instruction != "CMD" && instruction != "ENTRYPOINT" {
            return None;
        }
        let rest = l.trim_start()[instruction.len()..].trim();
        let words = exec_form(rest).or_else(|| shlex::split(rest))?;
        Some(words.first()?.rsplit('/').next()?.to_string())
    })?;
    final_lines.iter().find_map(|(line, l)| {
        if !first_word(l).eq_ignore_ascii_case("COPY") {
            return None;
        }
        let words: Vec<&str> = l.split_whitespace().skip(1).collect();
        let stage = words
            .iter()
            .find_map(|w| w.strip_prefix("--from="))?
            .to_ascii_lowercase();
        let paths: Vec<&&str> = words.iter().filter(|w| !w.starts_with("--")).collect();
        let (dest, sources) = paths.split_last()?;
        let names_program = sources
            .iter()
            .chain(std::iter::once(dest))
            .any(|p| p.trim_end_matches('/').rsplit('/').next() == Some(program.as_str()));
        (names_program && in_folder(&stage).is_some()).then_some(*line)
    })
}

/// The line ranges of the stages the image is made of, the first one it is built on first: the final stage (or
/// the one named `target`), and each earlier stage its `FROM` names.
fn stages_of_image(lines: &[(usize, String)], target: Option<&str>) -> Vec<std::ops::Range<usize>> {
    let stages = stage_heads(lines);
    let end_of = |index: usize| stages.get(index + 1).map_or(lines.len(), |(at, ..)| *at);
    // The last stage of that name above `before` (a stage can only start from one defined above it).
    let named = |name: &str, before: usize| {
        stages[..before]
            .iter()
            .rposition(|(_, n, _)| n.as_deref() == Some(name))
    };
    let targeted = target.and_then(|t| named(&t.to_ascii_lowercase(), stages.len()));
    let Some(mut index) = targeted.or(stages.len().checked_sub(1)) else {
        return std::iter::once(0..lines.len()).collect();
    };
    let mut chain: Vec<std::ops::Range<usize>> = std::iter::once(stages[index].0..end_of(index)).collect();
    // Each parent comes before its child.
    while let Some(parent) = named(&stages[index].2, index) {
        index = parent;
        chain.insert(0, stages[index].0..end_of(index));
    }
    chain
}

/// Init processes an image runs its program under (`ENTRYPOINT ["tini", "--"]`), which reap zombies and pass
/// signals on: the program is what follows them and their options.
const INIT_PROCESSES: &[&str] = &["tini", "tini-static", "dumb-init", "catatonit"];

/// The command without an init process in front of it (`tini -g -- node app.js` → `node app.js`).
fn without_init(words: Vec<String>) -> Vec<String> {
    let Some(first) = words.first() else { return words };
    if !INIT_PROCESSES.contains(&super::base_name(first)) {
        return words;
    }
    let mut rest = words.into_iter().skip(1).peekable();
    while let Some(word) = rest.next_if(|w| w.starts_with('-')) {
        if word == "--" {
            break;
        }
        // dumb-init's `--rewrite 15:2` and tini's `-e 143` take a value.
        if matches!(word.as_str(), "-r" | "--rewrite" | "-e" | "-p") {
            rest.next();
        }
    }
    rest.collect()
}

/// A command's words; for a shell chain (`migrate && node app.js`, also handed to `sh -c`), its last step's,
/// with the steps before it kept in `steps`.
fn with_steps(text: &str, steps: &mut Vec<String>) -> Option<Vec<String>> {
    // `CMD sh -c "migrate && serve"` in shell form: the quoted script is one word, read by `through_shell`.
    let handed_to_shell =
        || shlex::split(text).filter(|words| matches!(words.as_slice(), [_, flag, _] if flag == "-c"));
    let (words, before) = match command_words(text).or_else(handed_to_shell) {
        Some(words) => through_shell(words),
        None => chained_command(text)?,
    };
    *steps = before;
    Some(words)
}

/// `COPY src ./`: a folder of the context copied whole, with where its files land (`dest` resolved against the
/// WORKDIR in force), recorded in `copies`.
fn folder_copy(
    from: &str,
    dest: &str,
    workdir: Option<&str>,
    is_dir: &dyn Fn(&str) -> bool,
    copies: &mut Vec<(String, String)>,
) {
    let folder = from
        .trim_start_matches('/')
        .trim_start_matches("./")
        .trim_end_matches('/');
    let folder = if folder == "." { "" } else { folder };
    let plain = folder.is_empty() || crate::validate::context_path(folder).is_ok() && is_dir(folder);
    if !plain || dest.contains('$') {
        return;
    }
    let dest = if dest.starts_with('/') {
        dest.trim_end_matches('/').to_string()
    } else {
        let Some(workdir) = workdir else { return };
        let relative = dest
            .trim_start_matches("./")
            .trim_end_matches('/')
            .trim_end_matches('.');
        format!("{}/{}", workdir.trim_end_matches('/'), relative)
            .trim_end_matches('/')
            .to_string()
    };
    copies.push((folder.to_string(), dest));
}

/// A plain relative file path copied to `dest` (a folder when it ends in `/`): the file and where it lands;
/// None for globs, folders named as such, paths above the context or with odd characters.
/// A `COPY` destination as an absolute path: a relative one under the WORKDIR, `/` when the stage sets none
/// (`COPY app.yml .` → `/app/app.yml` under `WORKDIR /app`); one with a variable stays as written.
fn under_workdir(dest: &str, workdir: Option<&str>) -> String {
    if dest.starts_with('/') || dest.contains('$') {
        return dest.to_string();
    }
    let base = workdir.unwrap_or("/").trim_end_matches('/');
    match dest.trim_start_matches("./") {
        "" | "." => format!("{base}/"),
        rest => format!("{base}/{rest}"),
    }
}

fn copied_file(from: &str, dest: &str) -> Option<(String, String)> {
    let from = from.trim_start_matches("./");
    if from.ends_with('/') || crate::validate::context_path(from).is_err() {
        return None;
    }
    let name = from.rsplit('/').next()?;
    let to = if dest.ends_with('/') {
        format!("{dest}{name}")
    } else {
        dest.to_string()
    };
    Some((from.to_string(), to))
}

/// `ENV A=1 B="two words"` and the legacy `ENV A 1`.
fn env_assignments(text: &str, source: &str, found: &mut Runtime) {
    let Some(words) = shlex::split(text) else { return };
    let pairs: Vec<(String, String)> = if words.first().is_some_and(|w| !w.contains('=')) {
        let (name, value) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        vec![(name.to_string(), value.trim().to_string())]
    } else {
        words
            .iter()
            .filter_map(|w| w.split_once('=').map(|(n, v)| (n.to_string(), v.to_string())))
            .collect()
    };
    for (name, value) in pairs {
        add_env(found, name, Some(value), source);
    }
}

/// `HEALTHCHECK [--interval=30s ...] CMD ...` as (options, exec-form command); `NONE` and shell forms that need
/// a shell are not taken.
fn healthcheck(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let mut options = Vec::new();
    let mut rest = text;
    while let Some(option) = rest.strip_prefix("--") {
        let (word, after) = option.split_once(char::is_whitespace)?;
        options.push(format!("--{word}"));
        rest = after.trim_start();
    }
    let command = rest.strip_prefix("CMD")?.trim();
    Some((options, command_words(command)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::words;

    #[test]
    fn an_init_process_is_looked_through() {
        let words = |text: &str| text.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(
            without_init(words("/sbin/tini -- node server.js")),
            words("node server.js")
        );
        assert_eq!(
            without_init(words("tini -g -e 143 -- node server.js")),
            words("node server.js")
        );
        assert_eq!(
            without_init(words("dumb-init --rewrite 15:2 node app.js")),
            words("node app.js")
        );
        assert_eq!(without_init(words("node app.js")), words("node app.js"));
    }

    const OLD: &str = "FROM golang:1.22 AS build\nEXPOSE 1\nRUN go build -o /server .\n\nFROM alpine:3.20\n\
        ENV APP_MODE=production DB_PASSWORD=hunter2 \\\n    GREETING=\"two words\"\nVOLUME [\"/data\"]\n\
        WORKDIR /srv\nEXPOSE 3592 3593/tcp\nHEALTHCHECK --interval=30s CMD [\"/server\", \"health\"]\n\
        ENTRYPOINT [\"/server\"]\nCMD [\"serve\", \"--verbose\"]\n";

    #[test]
    fn a_dockerfiles_final_stage_is_its_contract() {
        let found = dockerfile(OLD, "Dockerfile", &|_| false);
        assert_eq!(
            found.ports,
            vec![(3592, "Dockerfile:10".into()), (3593, "Dockerfile:10".into())]
        );
        assert_eq!(
            found.command,
            Some((
                vec!["/server".into(), "serve".into(), "--verbose".into()],
                "Dockerfile:13".into()
            ))
        );
        assert_eq!(
            found.env,
            vec![(("APP_MODE".into(), "production".into()), "Dockerfile:6".into())]
        );
        assert_eq!(found.secret_env, vec![("DB_PASSWORD".into(), "Dockerfile:6".into())]);
        assert_eq!(found.volumes, vec![("/data".into(), "Dockerfile:8".into())]);
        assert_eq!(found.workdir, Some(("/srv".into(), "Dockerfile:9".into())));
        let (health, _) = found.healthcheck.unwrap();
        assert_eq!(
            health,
            (vec!["--interval=30s".into()], vec!["/server".into(), "health".into()])
        );
    }

    #[test]
    fn shell_commands_and_references_are_not_taken() {
        let found = dockerfile(
            "FROM a\nENV A=$HOME\nCMD ./x | tee log\nVOLUME $DATA\n",
            "Dockerfile",
            &|_| false,
        );
        assert_eq!(found, Runtime::default());
    }

    #[test]
    fn the_folder_a_build_stage_makes_the_final_program_in() {
        let text = "FROM golang AS builder\nADD . /app\nWORKDIR /app/server\nRUN go build -o /main .\n\
                    FROM node AS web\nWORKDIR /app/client\nRUN npm run build\n\
                    FROM alpine\nCOPY --from=web /app/client/dist ./web\nCOPY --from=builder /main ./\nCMD ./main\n";
        assert_eq!(final_program_built_in(text, "server"), Some(10));
        // The front-end's stage is copied too, but the final stage does not run what it made.
        assert_eq!(final_program_built_in(text, "client"), None);
        let by_index = "FROM golang\nWORKDIR /src/api/\nRUN go build -o app\nFROM alpine\nCOPY --from=0 /src/api/app /usr/bin/app\nENTRYPOINT [\"app\"]\n";
        assert_eq!(final_program_built_in(by_index, "api"), Some(5));
        assert_eq!(
            final_program_built_in("FROM alpine\nWORKDIR /app/api\nCMD ./api\n", "api"),
            None
        );
    }

    #[test]
    fn relative_arguments_name_what_was_copied_under_the_workdir() {
        // No WORKDIR: the root; the new image opens the file where its own program runs.
        let found = dockerfile(
            "FROM a\nCOPY ./conf-docker.yml conf.yml\nCMD java -jar app.jar server conf.yml\n",
            "Dockerfile",
            &|_| false,
        );
        let args = found.args(3).unwrap().0;
        let (files, said) = found.named_files(&args, &|path| path == "conf-docker.yml");
        assert!(said.is_empty(), "{said:?}");
        assert_eq!(
            files,
            [(
                "conf-docker.yml".to_string(),
                "conf.yml".to_string(),
                "Dockerfile:2".to_string()
            )]
        );
        let under = dockerfile(
            "FROM a\nWORKDIR /srv\nCOPY settings/prod.yml config/\nCMD [\"/srv/app\", \"--config=config/prod.yml\"]\n",
            "Dockerfile",
            &|_| false,
        );
        let args = under.args(1).unwrap().0;
        let (files, _) = under.named_files(&args, &|_| true);
        assert_eq!(files[0].1, "config/prod.yml");
        assert_eq!(under_workdir(".", Some("/app")), "/app/");
        assert_eq!(under_workdir("$HOME/x", None), "$HOME/x");
    }

    #[test]
    fn arguments_naming_files_the_old_image_copied_in_are_said() {
        let found = dockerfile(
            "FROM a\nCOPY conf/app.yml /etc/app/app.yml\nENTRYPOINT [\"/bin/app\"]\nCMD [\"--config=/etc/app/app.yml\", \"--v\"]\n",
            "Dockerfile",
            &|_| false,
        );
        let args = found.args(1).unwrap().0;
        let (files, said) = found.named_files(&args, &|_| false);
        assert!(files.is_empty());
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("Dockerfile:4: the argument `--config=/etc/app/app.yml` names /etc/app/app.yml"));
        // The repository has the file: it is copied where the old image had it.
        let (files, said) = found.named_files(&args, &|path| path == "conf/app.yml");
        assert!(said.is_empty());
        assert_eq!(
            files,
            [(
                "conf/app.yml".to_string(),
                "/etc/app/app.yml".to_string(),
                "Dockerfile:2".to_string()
            )]
        );
        // Into a folder, by name; a dotenv file never.
        let into_folder = dockerfile(
            "FROM a\nCOPY docker/app.docker.yaml /app/\nCMD [\"/app/run\", \"-c\", \"/app/app.docker.yaml\"]\n",
            "D",
            &|_| false,
        );
        let args = into_folder.args(1).unwrap().0;
        assert_eq!(into_folder.named_files(&args, &|_| true).0[0].1, "/app/app.docker.yaml");
        let secret = dockerfile(
            "FROM a\nCOPY .env /app/.env\nCMD [\"/app/run\", \"--env\", \"/app/.env\"]\n",
            "D",
            &|_| false,
        );
        let args = secret.args(1).unwrap().0;
        assert_eq!(secret.named_files(&args, &|_| true).1.len(), 1);
    }

    #[test]
    fn udp_ports_are_kept_apart() {
        let found = dockerfile("FROM a\nEXPOSE 53 53/udp 8053/sctp\n", "Dockerfile", &|_| false);
        assert_eq!(found.ports, vec![(53, "Dockerfile:2".into())]);
        assert_eq!(found.udp_ports, vec![(53, "Dockerfile:2".into())]);
    }

    #[test]
    fn a_shell_form_command_handing_a_chain_to_a_shell() {
        let found = dockerfile(
            "FROM python\nCMD sh -c \".venv/bin/alembic upgrade head && .venv/bin/uvicorn app.main:app --port 8000\"\n",
            "Dockerfile",
            &|_| false,
        );
        assert_eq!(
            found.command.unwrap().0,
            words(".venv/bin/uvicorn app.main:app --port 8000")
        );
        assert_eq!(found.steps_before, [".venv/bin/alembic upgrade head"]);
    }

    #[test]
    fn a_file_of_the_old_image_is_found_through_the_folder_it_copied() {
        let text = "FROM node\nWORKDIR /usr/src/app\nCOPY package.json ./\nCOPY /src ./\nCOPY conf/ /etc/app/\n";
        let found = dockerfile(text, "Dockerfile", &|path| ["src", "conf"].contains(&path));
        assert_eq!(found.repository_file("index.js").as_deref(), Some("src/index.js"));
        assert_eq!(found.repository_file("./lib/a.js").as_deref(), Some("src/lib/a.js"));
        assert_eq!(
            found.repository_file("/etc/app/app.yml").as_deref(),
            Some("conf/app.yml")
        );
        assert_eq!(found.repository_file("/opt/other.js"), None);
        let whole = dockerfile("FROM node\nWORKDIR /app\nCOPY . .\n", "Dockerfile", &|_| true);
        assert_eq!(whole.repository_file("server.js").as_deref(), Some("server.js"));
    }

    #[test]
    fn a_stage_is_read_with_the_stages_it_is_built_on() {
        let text = "FROM python:3.11 AS base\nENV A=1\nWORKDIR /srv\nCMD [\"python\", \"a.py\"]\n\
                    FROM base AS production\nEXPOSE 7000\n\
                    FROM node:22 AS assets\nRUN npm ci\n\
                    FROM production AS tests\nCMD [\"pytest\"]\n";
        let last = dockerfile(text, "Dockerfile", &|_| false);
        assert_eq!(last.command.unwrap().0, ["pytest"]);
        assert_eq!(
            (last.env.len(), last.ports.len()),
            (1, 1),
            "base's ENV and production's EXPOSE are inherited"
        );
        let production = image(text, "Dockerfile", &|_| false, Some("Production"));
        assert_eq!(
            production.command.unwrap(),
            (vec!["python".into(), "a.py".into()], "Dockerfile:4".into())
        );
        assert_eq!(production.workdir.unwrap().0, "/srv");
        // A target that names no stage builds the final one; an unrelated stage in between is not inherited.
        assert_eq!(
            image(text, "Dockerfile", &|_| false, Some("nope")).command.unwrap().0,
            ["pytest"]
        );
        assert!(image(text, "Dockerfile", &|_| false, Some("assets")).env.is_empty());
        assert_eq!(
            stage_names(text),
            (
                Some("tests".into()),
                vec!["base".into(), "production".into(), "assets".into()]
            )
        );
    }

    #[test]
    fn only_an_apps_own_folder_is_a_workdir() {
        assert_eq!(dockerfile("FROM a\nWORKDIR /\n", "D", &|_| false,).workdir, None);
    }
}
