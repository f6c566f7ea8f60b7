//! What a package.json script finally runs: `"start": "npm run serve"` followed through `npm run`, `yarn`,
//! `pnpm` and `bun run` to `"serve": "cross-env NODE_ENV=production node dist/server.js"`, with the env
//! assignments in front of it and the steps an `&&` sequence runs before it.

use super::App;

/// Chains longer than this are a loop or a mistake; nothing real goes this deep.
const MAX_DEPTH: usize = 8;

/// The command a script ends in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Resolved {
    /// The command's words, env prefixes removed (`node`, `dist/server.js`).
    pub words: Vec<String>,
    /// `NAME=value` assignments in front of it (`NODE_ENV=production`, `cross-env PORT=8080`).
    pub env: Vec<(String, String)>,
    /// The scripts followed, first to last (`start`, `serve`), each with its `package.json:line`.
    pub chain: Vec<(String, String)>,
    /// Commands an `&&` sequence runs before it (`prisma migrate deploy`), which a CMD does not run, each with
    /// the `package.json:line` of its script.
    pub before: Vec<(String, String)>,
    /// The log formatter the last script pipes the program's output into (`pino-pretty`), left out of the
    /// command: a terminal's convenience, while an image keeps the program's own log lines.
    pub piped_to: Option<String>,
    /// The deployment file that runs the script (`Procfile:1`), when one does.
    pub deployed_by: Option<String>,
}

impl Resolved {
    /// `scripts.start → scripts.serve: node dist/server.js`, for notes.
    pub(super) fn describe(&self) -> String {
        let names: Vec<String> = self.chain.iter().map(|(name, _)| format!("scripts.{name}")).collect();
        let piped = self.piped_to.as_ref().map_or_else(String::new, |formatter| {
            format!(" (its logs piped to {formatter} there, for a terminal: the image keeps the program's own)")
        });
        let deployed = self
            .deployed_by
            .as_ref()
            .map_or_else(String::new, |at| format!(" (run by {at}, the project's deployment)"));
        format!("{}: {}{piped}{deployed}", names.join(" → "), self.words.join(" "))
    }

    /// Where the last script of the chain is written.
    pub(super) fn source(&self) -> String {
        self.chain.last().map(|(_, source)| source.clone()).unwrap_or_default()
    }
}

/// Follows script `name` of `app` to the command it finally runs; None when it is missing, uses the shell in
/// ways an exec-form CMD cannot reproduce (pipes, redirections, substitutions), or loops.
pub(super) fn resolve(app: &App, name: &str) -> Option<Resolved> {
    let mut chain = Vec::new();
    let mut before = Vec::new();
    let mut env = Vec::new();
    let mut current = name.to_string();
    // Arguments the previous script passed on (`npm run with:env -- node x.js`): they end this one's command.
    let mut passed: Vec<String> = Vec::new();
    let mut piped_to = None;
    loop {
        if chain.len() >= MAX_DEPTH || chain.iter().any(|(seen, _)| *seen == current) {
            return None;
        }
        let (text, source) = app.script(&current)?;
        chain.push((current.clone(), source.clone()));
        let (program, formatter) = without_log_formatter(&text);
        piped_to = formatter.or(piped_to);
        let mut segments = segments(program)?;
        let mut last = segments.pop()?;
        last.append(&mut passed);
        before.extend(segments.into_iter().map(|words| (words.join(" "), source.clone())));
        let (assigned, mut words) = strip_env(last);
        env.extend(assigned);
        // `npx ts-node src/app.ts` runs the installed ts-node: the command is the package's own bin.
        if words.len() > 1 && matches!(words[0].as_str(), "npx" | "pnpx" | "bunx") && !words[1].starts_with('-') {
            words.remove(0);
        }
        match run_target(&words) {
            Some((next, arguments)) => {
                current = next;
                passed = arguments;
            }
            None => {
                return (!words.is_empty()).then_some(Resolved {
                    words,
                    env,
                    chain,
                    before,
                    piped_to,
                    deployed_by: None,
                })
            }
        }
    }
}

/// Every command script `name` runs, through `npm run`/`yarn` chains and `&&` sequences, env prefixes and
/// `npx` removed (`yarn build:app && yarn build:version` → `vite build`, `node ../scripts/build-version.js`).
pub(super) fn commands(app: &App, name: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut pending = vec![(name.to_string(), 0)];
    let mut seen: Vec<String> = Vec::new();
    while let Some((current, depth)) = pending.pop() {
        if depth >= MAX_DEPTH || seen.contains(&current) {
            continue;
        }
        seen.push(current.clone());
        let Some(segments) = app.script(&current).and_then(|(text, _)| segments(&text)) else {
            continue;
        };
        for segment in segments.into_iter().rev() {
            let (_, mut words) = strip_env(segment);
            if words.first().is_some_and(|w| w == "npx") {
                words.remove(0);
            }
            match run_target(&words) {
                Some((next, _)) => pending.push((next, depth + 1)),
                None => found.push(words),
            }
        }
    }
    found
}

/// Whether script `name` runs `program sub` (`vite build`) anywhere in its chain.
pub(super) fn runs(app: &App, name: &str, program: &str, sub: &str) -> bool {
    commands(app, name)
        .iter()
        .any(|words| words.first().is_some_and(|w| w == program) && words.get(1).is_some_and(|w| w == sub))
}

/// A script that pipes its program's output into a log formatter (`node src/server.js | pino-colada`), as the
/// program's part and the formatter; any other script as it is.
fn without_log_formatter(text: &str) -> (&str, Option<String>) {
    let Some((program, formatter)) = text.rsplit_once('|') else {
        return (text, None);
    };
    let name = formatter.split_whitespace().next().unwrap_or_default();
    let formatters = &crate::knowledge::node::runtime().files.log_formatters;
    // (`||` is a fallback, not a pipe.)
    if program.ends_with('|') || program.contains('|') || !formatters.iter().any(|f| f == name) {
        return (text, None);
    }
    (program.trim_end(), Some(name.to_string()))
}

/// The `&&`/`;`-separated commands of a script, as words; None for anything else the shell would interpret.
fn segments(text: &str) -> Option<Vec<Vec<String>>> {
    if text.contains(['|', '>', '<', '`', '\n']) || text.contains("$(") {
        return None;
    }
    let words = shlex::split(text)?;
    let mut found: Vec<Vec<String>> = vec![Vec::new()];
    for word in words {
        if word == "&&" || word == ";" {
            found.push(Vec::new());
        } else if let Some(stripped) = word.strip_suffix(';') {
            found.last_mut()?.push(stripped.to_string());
            found.push(Vec::new());
        } else {
            found.last_mut()?.push(word);
        }
    }
    found.retain(|segment| !segment.is_empty());
    (!found.is_empty()).then_some(found)
}

/// `NODE_ENV=production node x`, `cross-env A=1 node x`, `env A=1 node x`, `dotenv -e .env -- node x`: the
/// assignments and the command. (dotenv-cli loads files the image does not hold; their variables are given at
/// run time.)
fn strip_env(words: Vec<String>) -> (Vec<(String, String)>, Vec<String>) {
    let mut env = Vec::new();
    let mut rest = words.into_iter().peekable();
    while let Some(word) = rest.peek() {
        if matches!(word.as_str(), "cross-env" | "cross-env-shell" | "env") {
            rest.next();
            continue;
        }
        if word == "dotenv" || word == "dotenvx" {
            // Its options up to `--`, after which the command it runs starts; without `--`, unknown.
            let remaining: Vec<String> = rest.collect();
            return match remaining.iter().position(|w| w == "--") {
                Some(end) => {
                    let (more, command) = strip_env(remaining[end + 1..].to_vec());
                    env.extend(more);
                    (env, command)
                }
                None => (env, remaining),
            };
        }
        match word.split_once('=') {
            Some((name, value)) if crate::validate::is_env_name(name) => {
                env.push((name.to_string(), value.to_string()));
                rest.next();
            }
            _ => break,
        }
    }
    (env, rest.collect())
}

/// The script a package-manager command runs (`npm run serve`, `npm start`, `yarn serve`, `pnpm run serve`,
/// `bun run serve`) and the arguments it passes on (after `--`, or after the name). None when the words are not
/// such a command.
pub(super) fn run_target(words: &[String]) -> Option<(String, Vec<String>)> {
    let word = |i: usize| words.get(i).map(String::as_str);
    let script = match (word(0)?, word(1)) {
        ("npm", Some("run" | "run-script")) | ("pnpm" | "yarn" | "bun", Some("run")) => word(2)?,
        ("npm" | "pnpm" | "yarn" | "bun", Some(name @ ("start" | "test"))) => name,
        // `yarn serve` and `pnpm serve` run a script by its bare name (anything but their own commands).
        ("yarn" | "pnpm", Some(name)) if !name.starts_with('-') && !MANAGER_COMMANDS.contains(&name) => name,
        _ => return None,
    };
    // Flags between `run` and the name (`npm run --silent serve`) are not followed; `bun run index.ts` runs a
    // file, not a script.
    if script.starts_with('-') || word(0) == Some("bun") && is_bun_file(script) {
        return None;
    }
    let at = words.iter().position(|w| w == script)?;
    let mut arguments = words[at + 1..].to_vec();
    if arguments.first().is_some_and(|w| w == "--") {
        arguments.remove(0);
    }
    Some((script.to_string(), arguments))
}

/// The folders the package's scripts change into (`"server": "cd server && yarn dev"`) that hold a package.json
/// of their own, in the order the scripts name them: apps of their own, which a wrapper package only runs.
pub(super) fn entered_packages(app: &App) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let Some(scripts) = app.package.object("scripts") else { return found };
    for text in scripts.values().filter_map(|v| v.as_str()) {
        let Some(segments) = segments(text) else { continue };
        for words in segments {
            let [cd, folder] = words.as_slice() else { continue };
            let folder = super::js::eval::join("", folder);
            let is_package = !folder.is_empty() && !folder.starts_with("..") && app.path(&super::join_rel(&folder, "package.json")).is_file();
            if cd == "cd" && is_package && !found.contains(&folder) {
                found.push(folder);
            }
        }
    }
    found
}

/// Flags by which compilers and bundlers name the folder (or file) they write: tsc, babel, swc, esbuild, ncc.
const OUTPUT_FLAGS: &[&str] = &["--outDir", "--outdir", "--out-dir", "-d", "--outfile", "--out-file", "-o"];

/// The build script (`build`, `build:server`, `server:build`, `build-api`, `prod-build`, `compile`, `tsc`) whose
/// commands write `file` (a start command's `dist-server/index.js`): an output flag naming its folder or the file,
/// or tsc with a tsconfig whose outDir holds it (`tsc -p FILE`, else the app's own). `build` first, then the others
/// by name.
pub(super) fn writing(app: &App, file: &str) -> Option<(String, String)> {
    let file = file.trim_start_matches("./");
    let scripts = app.package.object("scripts")?;
    let mut names: Vec<&String> = scripts
        .keys()
        .filter(|name| name.split([':', '-', '_']).any(|part| matches!(part, "build" | "compile" | "tsc")))
        .collect();
    names.sort_by_key(|name| (name.as_str() != "build", name.as_str()));
    let holds = |out: &str| {
        let out = super::js::eval::join("", out);
        !out.is_empty() && (file == out || file.starts_with(&format!("{out}/")))
    };
    names.into_iter().find_map(|name| {
        let writes = commands(app, name).iter().any(|words| {
            let flagged = words.windows(2).any(|pair| OUTPUT_FLAGS.contains(&pair[0].as_str()) && holds(&pair[1]))
                || words.iter().any(|word| {
                    word.split_once('=')
                        .is_some_and(|(flag, value)| OUTPUT_FLAGS.contains(&flag) && holds(value))
                });
            let named_project = words.windows(2).find_map(|pair| {
                matches!(pair[0].as_str(), "-p" | "--project" | "-b" | "--build")
                    .then(|| pair[1].clone())
                    .filter(|project| !project.starts_with('-'))
            });
            let out_dir = match &named_project {
                Some(project) => super::tsconfig::tsconfig_option_in(app, project, "outDir"),
                None => super::tsconfig::tsconfig_option_in(app, "tsconfig.json", "outDir"),
            };
            let project = words.first().is_some_and(|w| w == "tsc") && out_dir.is_some_and(|out| holds(&out));
            flagged || project
        });
        writes.then(|| app.script(name).map(|(_, source)| (name.clone(), source))).flatten()
    })
}

/// The workspace member a root script runs its own script in: `npm run start --prefix backend`, `npm start
/// -w apps/api`, `yarn workspace @acme/api start`, `yarn --cwd api start`, `pnpm --filter api start`, `cd api &&
/// npm start`. A folder (`backend`) or a package name (`@acme/api`), as written; None for anything else.
pub(super) fn delegated_member(app: &App, name: &str) -> Option<String> {
    member_of_command(&app.script(name)?.0)
}

/// The workspace member a command runs a script in (`yarn workspace @acme/api start`), as `delegated_member`
/// reads a script: for a deployment file's command (Procfile `web:`, a Dockerfile's `CMD`).
pub(super) fn member_of_command(text: &str) -> Option<String> {
    let segments = segments(text)?;
    let last = segments.last()?;
    let (_, words) = strip_env(last.clone());
    let word = |i: usize| words.get(i).map(String::as_str);
    // `cd api && npm start`: the folder the last command runs in.
    let folder = segments
        .iter()
        .rev()
        .skip(1)
        .find_map(|segment| match segment.as_slice() {
            [cd, dir] if cd == "cd" => Some(dir.clone()),
            _ => None,
        });
    let option = |names: &[&str]| -> Option<String> {
        words.iter().enumerate().find_map(|(i, w)| {
            names.iter().find_map(|flag| {
                if w == flag {
                    words.get(i + 1).cloned()
                } else {
                    w.strip_prefix(&format!("{flag}=")).map(str::to_string)
                }
            })
        })
    };
    let runs_script = |w: Option<&str>| matches!(w, Some("run" | "run-script" | "start"));
    let member = match word(0)? {
        "npm" => option(&["--prefix", "-w", "--workspace"]).filter(|_| words.iter().any(|w| runs_script(Some(w)))),
        "yarn" if word(1) == Some("workspace") => word(2).map(str::to_string),
        "yarn" => option(&["--cwd"]),
        "pnpm" => option(&["--filter", "-F", "-C", "--dir"]),
        _ => None,
    };
    member
        .or_else(|| folder.filter(|_| matches!(word(0), Some("npm" | "yarn" | "pnpm" | "bun"))))
        .map(|member| member.trim_start_matches("./").trim_end_matches('/').to_string())
        .filter(|member| !member.is_empty() && member != ".")
}

/// Whether a word names a JavaScript or TypeScript file (`dist/server.js`, `src/index.ts`).
pub(super) fn is_script_file(word: &str) -> bool {
    [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
        .iter()
        .any(|e| word.ends_with(e))
        && !word.starts_with('-')
}

/// A file bun runs as it is: a script file as node's, and JSX or TSX too (`bun run index.tsx`).
pub(super) fn is_bun_file(word: &str) -> bool {
    is_script_file(word) || ([".tsx", ".jsx"].iter().any(|e| word.ends_with(e)) && !word.starts_with('-'))
}

/// Built-in commands of yarn and pnpm that are not script names.
const MANAGER_COMMANDS: &[&str] = &[
    "add",
    "install",
    "remove",
    "exec",
    "dlx",
    "workspace",
    "workspaces",
    "build",
    "dev",
    "create",
    "why",
    "node",
    "prisma",
    "tsc",
];

/// The script-text readers on arbitrary text, for the fuzz target.
pub(super) fn fuzz_text(text: &str) -> usize {
    let segments = segments(text).map_or(0, |s| s.len());
    let (env, words) = strip_env(text.split_whitespace().map(String::from).collect());
    segments + env.len() + usize::from(run_target(&words).is_some())
}

/// The lifecycle scripts a package manager runs for the package itself during an install.
const INSTALL_HOOKS: &[&str] = &[
    "preinstall",
    "install",
    "postinstall",
    "preprepare",
    "prepare",
    "postprepare",
];

/// Programs an install hook runs a file of the repository with (`"preinstall": "node scripts/build.js"`).
const HOOK_RUNNERS: &[&str] = &["node", "tsx", "ts-node", "bun", "sh", "bash"];

/// The files of the repository the app's install hooks run, with the hook's `package.json:LINE`: the install runs
/// them before the sources are copied, so they go in with the manifests. A file in a folder brings its folder
/// (`scripts/`: a script loads its neighbours), except the sources' own folder, which would make every change of
/// the code reinstall the dependencies.
pub(super) fn hook_inputs(app: &App) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for hook in INSTALL_HOOKS {
        let Some((_, source)) = app.script(hook) else { continue };
        for words in commands(app, hook) {
            if !words.first().is_some_and(|w| HOOK_RUNNERS.contains(&w.as_str())) {
                continue;
            }
            let Some(file) = words
                .iter()
                .skip(1)
                .find(|w| !w.starts_with('-'))
                .map(|w| super::js::eval::join("", w))
                .filter(|f| !f.is_empty() && !f.starts_with("..") && app.path(f).is_file())
            else {
                continue;
            };
            let input = match file.split_once('/') {
                Some((folder, _)) if !matches!(folder, "src" | "app" | "lib" | "server") => format!("{folder}/"),
                _ => file,
            };
            if !found.iter().any(|(known, _)| *known == input) {
                found.push((input, source.clone()));
            }
        }
    }
    found
}

/// A lifecycle script that calls a tool only `devDependencies` provide (`"prepare": "husky install"`): a
/// production install does not have the tool, so the script fails it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DevHook {
    pub script: String,
    pub tool: String,
    pub source: String,
}

/// The app's install hooks that need a devDependency.
pub(super) fn dev_tool_hooks(app: &App) -> Vec<DevHook> {
    let dev_only = |tool: &str| {
        app.package
            .object("devDependencies")
            .is_some_and(|d| d.contains_key(tool))
            && !app.package.object("dependencies").is_some_and(|d| d.contains_key(tool))
    };
    let mut found = Vec::new();
    for script in INSTALL_HOOKS {
        let Some((text, source)) = app.script(script) else {
            continue;
        };
        // Every command of the script, whatever joins them (`is-ci || husky install`, `a && b; c`).
        let tools = text
            .split(['&', '|', ';'])
            .filter_map(|command| {
                let (_, words) = strip_env(command.split_whitespace().map(String::from).collect());
                let mut words = words.into_iter();
                let first = words.next()?;
                if matches!(first.as_str(), "npx" | "pnpx" | "bunx") || first == "yarn" || first == "pnpm" {
                    words.find(|w| !w.starts_with('-') && w != "exec" && w != "dlx")
                } else {
                    Some(first)
                }
            })
            .find(|tool| dev_only(tool));
        if let Some(tool) = tools {
            found.push(DevHook {
                script: (*script).to_string(),
                tool,
                source,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::*;
    use crate::detect::node::pkgjson::JsonDoc;

    fn app_with(scripts: &str) -> (tempfile::TempDir, Context, JsonDoc) {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("{{\"name\": \"a\", \"scripts\": {scripts}}}");
        std::fs::write(dir.path().join("package.json"), &text).unwrap();
        let context = Context::new(dir.path().to_path_buf(), ".".into(), ".".into());
        let doc = JsonDoc::parse(&text).unwrap();
        (dir, context, doc)
    }

    #[test]
    fn a_root_script_that_runs_a_members_script_names_the_member() {
        let cases = [
            ("npm run start --prefix backend", Some("backend")),
            ("npm --prefix ./backend run start", Some("backend")),
            ("npm start -w apps/api", Some("apps/api")),
            ("npm run start --workspace=apps/api", Some("apps/api")),
            ("yarn workspace @acme/api start", Some("@acme/api")),
            ("yarn --cwd api start", Some("api")),
            ("pnpm --filter api start", Some("api")),
            ("cd server && npm start", Some("server")),
            ("cd server && node index.js", None),
            ("npm install --prefix backend", None),
            ("node server.js", None),
        ];
        for (script, member) in cases {
            let (_dir, context, doc) = app_with(&format!("{{\"start\": \"{script}\"}}"));
            let app = App::new(&context, ".", &doc);
            assert_eq!(delegated_member(&app, "start").as_deref(), member, "{script}");
        }
    }

    #[test]
    fn a_log_formatter_piped_to_is_left_to_the_terminal() {
        let (_dir, context, doc) = app_with(
            r#"{"start": "npm run serve | pino-pretty -c", "serve": "node src/server.js", "other": "node a.js | tee out.log", "or": "node a.js || pino-pretty"}"#,
        );
        let app = App::new(&context, ".", &doc);
        let found = resolve(&app, "start").unwrap();
        assert_eq!(found.words, ["node", "src/server.js"]);
        assert_eq!(found.piped_to.as_deref(), Some("pino-pretty"));
        assert!(found.describe().contains("piped to pino-pretty"));
        assert!(resolve(&app, "other").is_none());
        assert!(resolve(&app, "or").is_none());
    }

    #[test]
    fn bun_running_a_file_is_not_a_script() {
        let (_dir, context, doc) = app_with(r#"{"start": "bun run src/index.ts", "serve": "bun run start"}"#);
        let app = App::new(&context, ".", &doc);
        assert_eq!(resolve(&app, "start").unwrap().words, ["bun", "run", "src/index.ts"]);
        assert_eq!(resolve(&app, "serve").unwrap().words, ["bun", "run", "src/index.ts"]);
    }

    #[test]
    fn arguments_passed_down_a_chain_end_the_next_script_and_dotenv_wraps() {
        let (_dir, context, doc) = app_with(
            r#"{"start": "npm run with:env -- cross-env NODE_ENV=production node build/server/main.js", "with:env": "dotenv -e ../../.env -e ../../.env.local --"}"#,
        );
        let app = App::new(&context, ".", &doc);
        let found = resolve(&app, "start").unwrap();
        assert_eq!(found.words, ["node", "build/server/main.js"]);
        assert_eq!(found.env, [("NODE_ENV".to_string(), "production".to_string())]);
        let (_, words) = strip_env(vec!["dotenv".into(), "node".into(), "x.js".into()]);
        assert_eq!(
            words,
            ["dotenv", "node", "x.js"],
            "without `--` the wrapped command is unknown"
        );
    }

    #[test]
    fn chains_are_followed_to_the_command_and_its_env() {
        let (_dir, context, doc) = app_with(
            r#"{"start": "npm run build && npm run serve", "serve": "cross-env NODE_ENV=production TZ=UTC node -r dotenv/config dist/server.js", "build": "tsc"}"#,
        );
        let app = App::new(&context, ".", &doc);
        let found = resolve(&app, "start").unwrap();
        assert_eq!(found.words, ["node", "-r", "dotenv/config", "dist/server.js"]);
        assert_eq!(
            found.env,
            [
                ("NODE_ENV".to_string(), "production".to_string()),
                ("TZ".into(), "UTC".into())
            ]
        );
        assert_eq!(found.before[0].0, "npm run build");
        assert_eq!(
            found.describe(),
            "scripts.start → scripts.serve: node -r dotenv/config dist/server.js"
        );
        assert!(found.source().starts_with("package.json:"));
    }

    #[test]
    fn loops_shell_features_and_missing_scripts_stop_the_chain() {
        let (_dir, context, doc) = app_with(
            r#"{"a": "yarn b", "b": "pnpm run a", "piped": "node x.js | tee log", "gone": "npm run nowhere", "sub": "node $(cat entry)"}"#,
        );
        let app = App::new(&context, ".", &doc);
        for name in ["a", "piped", "gone", "sub", "missing"] {
            assert_eq!(resolve(&app, name), None, "{name}");
        }
    }

    #[test]
    fn install_hooks_that_need_a_dev_tool_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let text = r#"{"scripts": {"prepare": "is-ci || husky install", "postinstall": "patch-package", "build": "husky"},
            "dependencies": {"patch-package": "8"}, "devDependencies": {"husky": "9", "is-ci": "3"}}"#;
        let context = Context::new(dir.path().to_path_buf(), ".".into(), ".".into());
        let doc = JsonDoc::parse(text).unwrap();
        let app = App::new(&context, ".", &doc);
        let hooks = dev_tool_hooks(&app);
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        assert_eq!((hooks[0].script.as_str(), hooks[0].tool.as_str()), ("prepare", "is-ci"));
    }

    #[test]
    fn commands_of_a_chain() {
        let (_dir, context, package) = app_with(
            r#"{"build": "yarn build:app && yarn build:version", "build:app": "cross-env A=1 vite build",
                "build:version": "node ../scripts/version.js", "loop": "npm run loop"}"#,
        );
        let app = App::new(&context, ".", &package);
        assert_eq!(
            commands(&app, "build"),
            [
                vec!["vite".to_string(), "build".to_string()],
                vec!["node".into(), "../scripts/version.js".into()]
            ]
        );
        assert!(runs(&app, "build", "vite", "build"));
        assert!(!runs(&app, "loop", "vite", "build"));
    }

    #[test]
    fn manager_commands_name_scripts() {
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let name = |text: &str| run_target(&words(text)).map(|(name, _)| name);
        assert_eq!(name("npm start").as_deref(), Some("start"));
        assert_eq!(name("yarn serve").as_deref(), Some("serve"));
        assert_eq!(name("bun run start:prod").as_deref(), Some("start:prod"));
        assert_eq!(
            run_target(&words("npm run with:env -- node x.js")),
            Some(("with:env".to_string(), words("node x.js")))
        );
        assert_eq!(run_target(&words("yarn install")), None);
        assert_eq!(run_target(&words("node server.js")), None);
        assert_eq!(run_target(&words("npm ci")), None);
    }
}
