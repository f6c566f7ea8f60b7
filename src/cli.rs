//! The command line: clap derive only. Doc comments are the `--help` text; every option also reads a
//! `DOCKGEN_*` environment variable.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, CommandFactory as _, Parser, Subcommand};

/// Detects a project's stack and writes a multi-stage, non-root, cache-friendly Dockerfile.
#[derive(Debug, Parser)]
#[command(name = "dockgen", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where presets and templates come from, for the commands that read them.
#[derive(Debug, Clone, Args)]
pub struct PresetSource {
    /// A folder of your own presets (presets/*.toml) and templates (templates/**), over the project's
    /// .dockgen/ and the user config folder's.
    #[arg(long, env = "DOCKGEN_PRESETS_DIR", value_name = "DIR")]
    pub presets_dir: Option<PathBuf>,
    /// Ignore the project's .dockgen/ (presets and templates) and dockgen.toml, for a run on a checkout you do
    /// not trust: only built-in presets, the user config folder's and --presets-dir are used.
    #[arg(long, env = "DOCKGEN_NO_PROJECT_CONFIG", value_parser = BoolishValueParser::new())]
    pub no_project_config: bool,
}

/// The project a `presets` command reads, as `init PATH` would: its .dockgen/ presets and templates.
#[derive(Debug, Clone, Args)]
pub struct PresetsScope {
    /// The project whose .dockgen/ presets and templates are read (the PATH given to `init`).
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub project: PathBuf,
    #[command(flatten)]
    pub source: PresetSource,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Detect the stack, choose a preset and write PATH/Dockerfile and PATH/.dockerignore.
    Init(Box<InitArgs>),
    /// Show what was found in PATH and the evidence for each fact.
    Detect(DetectArgs),
    /// List, show or eject presets (built-in and your own).
    #[command(subcommand)]
    Presets(PresetsCommand),
    /// Print a shell completion script, e.g. `dockgen completions bash > /etc/bash_completion.d/dockgen`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

// Each bool is an on/off command-line flag; an enum would not read better on the command line.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Use this preset instead of the detected stack's default (see `dockgen presets list`).
    #[arg(long, env = "DOCKGEN_PRESET", value_name = "NAME")]
    pub preset: Option<String>,
    /// Image that builds the project.
    #[arg(long, env = "DOCKGEN_BUILDER_IMAGE", value_name = "IMAGE")]
    pub builder_image: Option<String>,
    /// Image the built artifact runs on.
    #[arg(long, env = "DOCKGEN_RUNTIME_IMAGE", value_name = "IMAGE")]
    pub runtime_image: Option<String>,
    /// Port the service listens on (EXPOSE), or `none` for a program that does not listen.
    #[arg(long, env = "DOCKGEN_PORT", value_name = "N|none", value_parser = parse_port)]
    pub port: Option<String>,
    /// Set any template answer, e.g. `--set main_package=./cmd/api` (repeatable; `DOCKGEN_SET` takes a
    /// comma-separated list).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub set: Vec<(String, String)>,
    /// Never prompt; fail with the flag to pass when something is missing (implied without a terminal).
    #[arg(long, short = 'y', env = "DOCKGEN_YES", value_parser = BoolishValueParser::new())]
    pub yes: bool,
    /// Overwrite an existing Dockerfile or .dockerignore.
    #[arg(long, env = "DOCKGEN_FORCE", value_parser = BoolishValueParser::new())]
    pub force: bool,
    /// Print the Dockerfile to stdout and write nothing.
    #[arg(long, env = "DOCKGEN_STDOUT", value_parser = BoolishValueParser::new())]
    pub stdout: bool,
    /// Record the answers in PATH/dockgen.toml, which later runs read (below flags and DOCKGEN_*).
    #[arg(long, env = "DOCKGEN_SAVE", value_parser = BoolishValueParser::new())]
    pub save: bool,
    /// Do not record the answers, and do not ask whether to at the end of a terminal session.
    #[arg(long, env = "DOCKGEN_NO_SAVE", value_parser = BoolishValueParser::new(), conflicts_with = "save")]
    pub no_save: bool,
    /// Write nothing; exit 0 when the files are what this run would write, 1 with a diff of each that is
    /// not (for CI: renders from dockgen.toml and the repository as they are now, never prompts).
    #[arg(long, env = "DOCKGEN_CHECK", value_parser = BoolishValueParser::new(), conflicts_with_all = ["stdout", "force", "save"])]
    pub check: bool,
    /// A variable the build reads, declared as a build ARG before the build step: `NAME=VALUE` (the default)
    /// or `NAME` (a value from `--build-arg` at build time). Repeatable; Node presets.
    #[arg(long = "build-env", value_name = "NAME[=VALUE]", value_parser = parse_build_env)]
    pub build_env: Vec<(String, Option<String>)>,
    /// A secret the build step reads as the environment variable ID, mounted with
    /// `RUN --mount=type=secret,id=ID` (`docker build --secret id=ID,env=ID`). Repeatable; Node presets.
    #[arg(long = "secret", value_name = "ID", value_parser = parse_secret_id)]
    pub secret: Vec<String>,
    /// An argument for the program, appended to the image's command (exec form). Repeatable; replaces the
    /// arguments the project's deployment files give.
    #[arg(long = "arg", value_name = "VALUE", value_parser = parse_program_arg, allow_hyphen_values = true)]
    pub arg: Vec<String>,
    /// A variable the program reads at run time, written as ENV: `NAME=VALUE` with a plain value (never a
    /// credential: those are given at run time). Repeatable; overrides the deployment files' value.
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = parse_runtime_env)]
    pub env: Vec<(String, String)>,
    /// Write the Dockerfile under this name (`Dockerfile.api`), with its ignore file beside it as
    /// NAME.dockerignore, which `BuildKit` reads for that Dockerfile only; build it with `-f NAME`.
    #[arg(long, short = 'f', env = "DOCKGEN_FILE", value_name = "NAME", default_value = "Dockerfile", value_parser = parse_file_name)]
    pub file: String,
    /// Every deployable app of a workspace or multi-module root (Node workspaces, Go programs, Maven
    /// modules): one Dockerfile.NAME with its ignore file per app, and docker-bake.hcl to build them all (with
    /// --compose, one compose.yaml running them together). Never prompts; --check checks them all.
    #[arg(long, env = "DOCKGEN_ALL", value_parser = BoolishValueParser::new(), conflicts_with_all = ["stdout", "plan", "json", "file", "save"])]
    pub all: bool,
    /// Also write compose.yaml (or rewrite the project's compose file, asking first): the app built from the
    /// Dockerfile, and the backing services its code talks to (`dockgen detect` shows them) with health checks,
    /// volumes and the connection variables the app reads. At a terminal it is offered when there are some.
    #[arg(long, env = "DOCKGEN_COMPOSE", value_parser = BoolishValueParser::new())]
    pub compose: bool,
    /// The backing services compose.yaml runs beside the app instead of the detected ones: a comma-separated
    /// list of postgres, mysql, mariadb, mongodb, redis, rabbitmq and kafka, or `none` (implies --compose).
    #[arg(long, env = "DOCKGEN_SERVICES", value_name = "LIST", value_delimiter = ',', value_parser = parse_service)]
    pub services: Option<Vec<String>>,
    /// Print what was written and from which answers as JSON, for scripts.
    #[arg(long, env = "DOCKGEN_JSON", conflicts_with = "stdout", value_parser = BoolishValueParser::new())]
    pub json: bool,
    /// Print the plan the templates are rendered from (the answers, and what dockgen derives from them) as
    /// JSON and write nothing: for writing your own templates.
    #[arg(long, env = "DOCKGEN_PLAN", value_parser = BoolishValueParser::new(), conflicts_with_all = ["stdout", "check", "save", "force", "json"])]
    pub plan: bool,
    #[command(flatten)]
    pub source: PresetSource,
    /// Set by `--all` for each app it writes: that app's run writes no compose file of its own.
    #[arg(skip)]
    pub one_of_all: bool,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Print JSON: {"preset", "stack", "facts": {name: {value, source}}, "candidates", "choices", "warnings"}.
    #[arg(long, env = "DOCKGEN_JSON", value_parser = BoolishValueParser::new())]
    pub json: bool,
    /// Show every fact, also those only the templates need (install files, lockfile, internal paths).
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub source: PresetSource,
}

#[derive(Debug, Subcommand)]
pub enum PresetsCommand {
    /// List every preset with its stack and description.
    List {
        #[command(flatten)]
        scope: PresetsScope,
    },
    /// Print a preset's definition.
    Show {
        /// The preset's name.
        name: String,
        #[command(flatten)]
        scope: PresetsScope,
    },
    /// Write a preset and its templates out for editing (they then shadow the built-in).
    Eject {
        /// The preset's name.
        name: String,
        /// Where to write presets/NAME.toml and templates/ [default: PROJECT/.dockgen].
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// Overwrite files that already exist there.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        scope: PresetsScope,
    },
}

/// Parses `KEY=VALUE`; the key is an answer name (letters, digits, underscores).
pub fn parse_key_value(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    let key = key.trim();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("`{key}` is not an answer name (letters, digits and _)"));
    }
    Ok((key.to_string(), value.to_string()))
}

/// `--services NAME`: a backing service dockgen knows how to run, or `none`.
pub(crate) fn parse_service(text: &str) -> Result<String, String> {
    let text = text.trim();
    let runnable = crate::compose::runnable_services();
    if text == "none" || runnable.contains(&text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{}` is not a service dockgen runs (one of {}, or none)",
            text.escape_debug(),
            runnable.join(", ")
        ))
    }
}

/// `--arg VALUE`: one word of the command, without control characters.
pub(crate) fn parse_program_arg(text: &str) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err(format!("`{}` contains a control character", text.escape_debug()));
    }
    Ok(text.to_string())
}

/// `--env NAME=VALUE`: a variable name and a plain value, never a credential's (an ENV stays in the image).
pub(crate) fn parse_runtime_env(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{}` is not NAME=VALUE", text.escape_debug()))?;
    crate::validate::env_name(name).map_err(|e| format!("{e:#}"))?;
    if crate::validate::looks_secret(name) || crate::validate::holds_password(value) {
        return Err(format!(
            "{name} looks like a credential, and an ENV value stays in the image: give it at run time \
             (docker run -e {name}=...)"
        ));
    }
    crate::validate::env_value(value).map_err(|e| format!("{e:#}"))?;
    Ok((name.to_string(), value.to_string()))
}

/// `--build-env NAME[=VALUE]`: a variable name, and a plain value that is not a secret's.
pub(crate) fn parse_build_env(text: &str) -> Result<(String, Option<String>), String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (text, None),
    };
    crate::validate::env_name(name).map_err(|e| format!("{e:#}"))?;
    if let Some(value) = value {
        if crate::validate::looks_secret(name) || crate::validate::holds_password(value) {
            return Err(format!(
                "{name} looks like a secret, and a build ARG's value stays in the image's history: pass it with \
                 --secret {name} (or --build-env {name} without a value, given at build time)"
            ));
        }
        crate::validate::env_value(value).map_err(|e| format!("{e:#}"))?;
    }
    Ok((name.to_string(), value.map(str::to_string)))
}

/// `--secret ID`: the secret's id, also the variable the build step reads it as.
pub(crate) fn parse_secret_id(text: &str) -> Result<String, String> {
    crate::validate::env_name(text).map_err(|e| format!("{e:#}"))?;
    Ok(text.to_string())
}

/// `--file`: a plain file name in the project folder, not a path and not an ignore file.
pub(crate) fn parse_file_name(text: &str) -> Result<String, String> {
    let plain = !text.is_empty()
        && text != "."
        && text != ".."
        && !text.contains(['/', '\\'])
        && !text.chars().any(char::is_control)
        && !text.ends_with(".dockerignore");
    if plain {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{}` is not a Dockerfile name (a file name such as Dockerfile.api, written in the project folder)",
            text.escape_debug()
        ))
    }
}

/// `--port`: 1-65535, or `none` for no EXPOSE.
fn parse_port(text: &str) -> Result<String, String> {
    if text == "none" {
        return Ok(text.to_string());
    }
    match text.parse::<u16>() {
        Ok(n) if n > 0 => Ok(n.to_string()),
        _ => Err(format!("`{text}` is not a port (1-65535) or `none`")),
    }
}

/// The words an on/off `DOCKGEN_*` variable may hold, as other command-line tools accept them.
const TRUE_WORDS: &[&str] = &["1", "true", "yes", "on", "y", "t"];
const FALSE_WORDS: &[&str] = &["0", "false", "no", "off", "n", "f", ""];

/// Checks every option's `DOCKGEN_*` variable before parsing, so a bad value is reported by the
/// variable's name (clap would name the flag, which the user never typed): on/off flags take the usual
/// words, options with a value take a non-empty one.
/// clap names the flag when a value is invalid; when the value came from the flag's `DOCKGEN_*` variable (the
/// flag itself not given), the usage error names the variable instead.
pub fn variable_error(err: &clap::Error) -> Option<String> {
    if !matches!(
        err.kind(),
        clap::error::ErrorKind::ValueValidation | clap::error::ErrorKind::InvalidValue
    ) {
        return None;
    }
    let clap::error::ContextValue::String(shown) = err.get(clap::error::ContextKind::InvalidArg)? else {
        return None;
    };
    let long = shown.split_whitespace().next()?.strip_prefix("--")?;
    let command = Cli::command();
    let arg = all_commands(&command)
        .into_iter()
        .flat_map(clap::Command::get_arguments)
        .find(|a| a.get_long() == Some(long))?;
    let name = arg.get_env()?.to_str()?;
    let value = std::env::var_os(name)?;
    let flag = format!("--{long}");
    if std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}="))) {
        return None;
    }
    let why = std::error::Error::source(err).map_or_else(|| err.kind().to_string(), ToString::to_string);
    Some(format!("{name}={}: {why}", value.to_string_lossy().escape_debug()))
}

/// A command and every subcommand below it (`presets list` too).
fn all_commands(command: &clap::Command) -> Vec<&clap::Command> {
    let mut found = vec![command];
    for sub in command.get_subcommands() {
        found.extend(all_commands(sub));
    }
    found
}

pub fn check_flag_variables() -> Result<(), String> {
    let command = Cli::command();
    for command in all_commands(&command) {
        for arg in command.get_arguments() {
            let Some(name) = arg.get_env().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(value) = std::env::var_os(name) else {
                continue;
            };
            if arg.get_action().takes_values() {
                if value.is_empty() {
                    return Err(format!("{name} is empty: unset it or give it a value"));
                }
                continue;
            }
            let text = value.to_string_lossy().trim().to_ascii_lowercase();
            if !TRUE_WORDS.contains(&text.as_str()) && !FALSE_WORDS.contains(&text.as_str()) {
                return Err(format!(
                    "{name}={}: not an on/off value (use 1/0, true/false, yes/no or on/off)",
                    value
                        .to_string_lossy()
                        .escape_debug()
                        .to_string()
                        .chars()
                        .take(40)
                        .collect::<String>()
                ));
            }
        }
    }
    Ok(())
}

/// clap's multi-line parse error (`error: ...`, a `tip:`, `Usage: ...`, a help hint) as one line:
/// `unexpected argument '--x' found (tip: ...; usage: dockgen init [OPTIONS] [PATH]; --help for more)`.
pub fn one_line_usage_error(rendered: &str) -> String {
    let lines: Vec<&str> = rendered.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let what = lines.first().map_or("", |l| l.strip_prefix("error: ").unwrap_or(l));
    let mut extra: Vec<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("tip: "))
        .map(|tip| format!("tip: {tip}"))
        .collect();
    if let Some(usage) = lines.iter().find_map(|l| l.strip_prefix("Usage: ")) {
        extra.push(format!("usage: {usage}"));
    }
    extra.push("--help for more".into());
    format!("{what} ({})", extra.join("; "))
}
