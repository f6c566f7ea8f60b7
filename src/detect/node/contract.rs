//! How the project already runs its Node server (a hand-written Dockerfile, the compose service built from the
//! app, Procfile's `web:`), applied to the server: `node [options] ENTRY [args]`, the start command's own words,
//! or the package manager running a start script.

use super::super::Facts;
use super::scripts::is_script_file;
use super::server::START_SCRIPTS;
use super::Context;
use crate::detect::deploy::{self, base_name, Program, Start};

/// Applies the deployment files of the app in `dir` (and the workspace root's, when they run it) to a
/// server's facts; returns the notes saying what was carried over.
pub(super) fn apply(context: &Context, dir: &str, facts: &mut Facts, warnings: &mut Vec<String>) -> Vec<String> {
    if !facts.get("kind").is_some_and(|k| k.value == "server") {
        return Vec::new();
    }
    let mut programs = [Program {
        names: published_names(dir, facts),
        dir: dir.to_string(),
        facts,
        warnings,
        builds_frontend: false,
        runs_python_scripts: false,
        kept_at_start: |_| false,
        takes_workdir: false,
        // The image runs in production, on the port it exposes.
        own_env: &["NODE_ENV", "PORT"],
    }];
    deploy::apply_to_programs(&context.dir, &mut programs, &node_start, &|s| context.shown(s))
}

/// The names an app's image may be published under: its package name without the scope, and its folder.
fn published_names(dir: &str, facts: &Facts) -> Vec<String> {
    let package = facts
        .get("app_name")
        .and_then(|f| f.value.as_str())
        .map(|name| base_name(name).to_string());
    let folder = (dir != ".").then(|| base_name(dir).to_string());
    package.into_iter().chain(folder).collect()
}

/// Whether a file named in a command (`./dist/main.js`, `/usr/src/app/dist/main.js`, `dist/main`) is the
/// start command's `expected` file (`dist/main.js`).
fn same_file(word: &str, expected: &str) -> bool {
    let word = word.strip_prefix("./").unwrap_or(word);
    let expected = expected.strip_prefix("./").unwrap_or(expected);
    word == expected
        || word.ends_with(&format!("/{expected}"))
        || !expected.is_empty() && format!("{word}.js") == expected
}

/// How a command starts the server: the package manager running a start script (`npm start`, `yarn run
/// start:prod -- --trace`), or the start command's words (`node dist/main.js`, by any path to the same file),
/// with Node's own options before the entry (`--enable-source-maps`).
fn node_start(facts: &Facts, words: &[String]) -> Option<Start> {
    let program = base_name(words.first()?);
    // `bun src/app.ts` and `bun run src/app.ts` run a file, as node does; `bun run start` a script.
    if program == "bun" {
        let skipped = usize::from(words.get(1).is_some_and(|w| w == "run"));
        if words.get(1 + skipped).is_some_and(|w| is_script_file(w)) {
            let mut file_words = vec![words[0].clone()];
            file_words.extend_from_slice(&words[1 + skipped..]);
            return file_start(facts, program, &file_words).map(|start| Start {
                words: start.words + skipped,
                options: start.options,
            });
        }
    }
    if matches!(program, "npm" | "yarn" | "pnpm" | "bun") {
        let mut at = 1;
        if matches!(words.get(1).map(String::as_str), Some("run" | "run-script")) {
            at = 2;
        }
        if !START_SCRIPTS.contains(&words.get(at)?.as_str()) {
            return None;
        }
        at += 1;
        if words.get(at).is_some_and(|w| w == "--") {
            at += 1;
        }
        return Some(Start::words(at));
    }
    file_start(facts, program, words)
}

/// How `words` start the start command's file by the same runtime, with Node's own options before it.
fn file_start(facts: &Facts, program: &str, words: &[String]) -> Option<Start> {
    let start = facts.get("start_command")?.value.as_str()?;
    let expected: Vec<&str> = start.split_whitespace().collect();
    if program != base_name(expected.first()?) {
        return None;
    }
    let mut options = Vec::new();
    let mut at = 1;
    for want in &expected[1..] {
        while program == "node" && !want.starts_with('-') && words.get(at).is_some_and(|w| w.starts_with('-')) {
            options.push(words[at].clone());
            at += 1;
        }
        if !same_file(words.get(at)?, want) {
            return None;
        }
        at += 1;
    }
    Some(Start { words: at, options })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::words;
    use crate::detect::Fact;

    #[test]
    fn commands_that_start_the_server() {
        let mut facts = Facts::new();
        facts.insert("start_command".into(), Fact::new("node dist/main.js", "package.json:5"));
        let start = node_start(
            &facts,
            &words("node --enable-source-maps /usr/src/app/dist/main.js --trace"),
        )
        .unwrap();
        assert_eq!(
            (start.words, start.options),
            (3, vec!["--enable-source-maps".to_string()])
        );
        assert_eq!(node_start(&facts, &words("node ./dist/main")).map(|s| s.words), Some(2));
        assert_eq!(node_start(&facts, &words("npm start")).map(|s| s.words), Some(2));
        assert_eq!(
            node_start(&facts, &words("yarn run start:prod -- --trace")).map(|s| s.words),
            Some(4)
        );
        assert_eq!(node_start(&facts, &words("npm run dev")), None);
        assert_eq!(node_start(&facts, &words("node scripts/migrate.js")), None);
        assert_eq!(node_start(&facts, &words("nginx -g daemon")), None);
        facts.insert("start_command".into(), Fact::new("bun src/app.ts", "Dockerfile:16"));
        assert_eq!(node_start(&facts, &words("bun src/app.ts")).map(|s| s.words), Some(2));
        assert_eq!(node_start(&facts, &words("bun run ./src/app.ts")).map(|s| s.words), Some(3));
        assert_eq!(node_start(&facts, &words("bun src/worker.ts")), None);
    }
}
