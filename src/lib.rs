//! dockgen: detect → preset → answers → render → write. This file wires the commands to those stages;
//! each stage lives in its own module (`init` runs them in order, `choose` picks the preset) and only `prompt`
//! talks to the terminal.

pub mod answer_kind;
pub mod answers;
pub mod answers_file;
mod choose;
pub mod cli;
mod compose;
pub mod detect;
pub mod dockerignore;
mod drift;
pub(crate) mod files;
#[doc(hidden)]
pub mod fuzzing;
mod init;
mod init_all;
pub(crate) mod knowledge;
pub mod next_steps;
pub mod origin;
mod outputs;
mod paint;
pub mod plan;
pub mod preset;
pub mod prompt;
pub mod render;
mod report;
mod term;
pub mod validate;
pub mod write;
mod your_lines;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::parser::ValueSource;
use clap::ArgMatches;

pub use crate::choose::choose_preset;
use crate::cli::{Cli, Command, DetectArgs, PresetsCommand};
use crate::preset::Preset;

/// A mistake in how dockgen was called (unknown preset, malformed `--set`): exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Runs one command. `matches` tells whether an option came from a flag or from its environment variable.
pub fn run(cli: Cli, matches: &ArgMatches) -> Result<()> {
    // Each command's own matches: they tell whether an option came from a flag or from its variable.
    let sub = |names: &[&str]| {
        names
            .iter()
            .try_fold(matches, |m, name| m.subcommand_matches(name))
            .unwrap_or(matches)
    };
    match cli.command {
        Command::Init(mut args) => {
            let matches = sub(&["init"]);
            let (presets, detection) = lone_project(&args.source, &mut args.path, matches, !args.all)?;
            let config = ProjectConfig::new(&args.path, &presets, !args.source.no_project_config);
            if args.all {
                init_all::init_all(&args, &presets, &config, &detection, matches)
            } else {
                init::init_app(&args, &presets, &config, &detection, matches).map(|_| ())
            }
        }
        Command::Detect(mut args) => {
            let (presets, detection) = lone_project(&args.source, &mut args.path, sub(&["detect"]), true)?;
            let config = ProjectConfig::new(&args.path, &presets, !args.source.no_project_config);
            detect_command(&args, &presets, &config, &detection)
        }
        Command::Presets(PresetsCommand::List { scope }) => {
            let presets = load_presets(&scope.source, &scope.project, sub(&["presets", "list"]))?;
            print(&report::preset_list(&presets))
        }
        Command::Presets(PresetsCommand::Show { name, scope }) => {
            let presets = load_presets(&scope.source, &scope.project, sub(&["presets", "show"]))?;
            let found = preset::find(&presets, &name).map_err(|e| UsageError(format!("{e:#}")))?;
            print(&found.source_text)
        }
        Command::Presets(PresetsCommand::Eject { name, to, force, scope }) => {
            let presets = load_presets(&scope.source, &scope.project, sub(&["presets", "eject"]))?;
            let found = preset::find(&presets, &name).map_err(|e| UsageError(format!("{e:#}")))?;
            eject(found, &to.unwrap_or_else(|| scope.project.join(".dockgen")), force)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut completion_command(), "dockgen", &mut script);
            print(&String::from_utf8_lossy(&script))
        }
    }
}

/// The presets a command sees: built-in, the user config folder's, the project's `.dockgen/` (unless
/// `--no-project-config`) and `--presets-dir`. A presets folder that was asked for must exist: a mistyped one
/// is a usage error, not a silent fall-back to the built-in presets (an empty `DOCKGEN_PRESETS_DIR` is caught
/// by cli).
fn load_presets(source: &cli::PresetSource, project: &Path, matches: &ArgMatches) -> Result<Vec<Preset>> {
    if let Some(dir) = &source.presets_dir {
        if !dir.is_dir() {
            let from_env = matches.value_source("presets_dir") == Some(ValueSource::EnvVariable);
            bail!(UsageError(format!(
                "{} {}: no such folder",
                if from_env {
                    "DOCKGEN_PRESETS_DIR"
                } else {
                    "--presets-dir"
                },
                dir.display().to_string().escape_debug()
            )));
        }
    }
    let trusted = !source.no_project_config;
    preset::load(&preset::layers(
        trusted.then_some(project),
        source.presets_dir.as_deref(),
    ))
}

/// The presets and the detection of the project at `path`, read side by side (neither needs the other, and
/// parsing the presets costs about as much as detecting a small project). A presets error is said first, as
/// when they were read before the project.
fn presets_and_detection(
    source: &cli::PresetSource,
    path: &Path,
    matches: &ArgMatches,
) -> Result<(Vec<Preset>, detect::Detection)> {
    std::thread::scope(|scope| {
        let detection = scope.spawn(|| check_project_dir(path).and_then(|()| detect::detect(path)));
        let presets = load_presets(source, path, matches);
        let detection = detection
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("detection of {} stopped unexpectedly", path.display())));
        Ok((presets?, detection?))
    })
}

/// `presets_and_detection`, moved into the one project below a folder that holds none (`follow`), said: that
/// project is what the command at the folder means, and `path` becomes its folder.
fn lone_project(
    source: &cli::PresetSource,
    path: &mut PathBuf,
    matches: &ArgMatches,
    follow: bool,
) -> Result<(Vec<Preset>, detect::Detection)> {
    let (presets, detection) = presets_and_detection(source, path, matches)?;
    if !follow {
        return Ok((presets, detection));
    }
    let (folder, why) = if let Some(folder) = detection.lone_nested_project() {
        (folder.to_string(), format!("{folder}/ holds the only one below it"))
    } else if let Some((folder, evidence, others)) = detection.deployed_nested_project() {
        let others: Vec<String> = others
            .iter()
            .map(|dir| format!("`dockgen init {}`", path.join(dir).display()))
            .collect();
        let why = format!(
            "of the projects below it, {folder}/ is the one {evidence} builds ({} for another)",
            others.join(", ")
        );
        (folder.to_string(), why)
    } else {
        return Ok((presets, detection));
    };
    let below = path.join(&folder);
    paint::note(&files::message(&format!(
        "no project in {} itself; {why}, so dockgen works there (as `dockgen init {}`)",
        path.display(),
        below.display()
    )));
    *path = below;
    presets_and_detection(source, path, matches)
}

/// Writes a preset and the templates it uses under `to`, for editing.
fn eject(found: &Preset, to: &Path, force: bool) -> Result<()> {
    let mut files = vec![(
        to.join("presets").join(format!("{}.toml", found.name)),
        found.source_text.clone(),
    )];
    files.extend(
        render::template_files(found)
            .into_iter()
            .map(|(path, text)| (to.join("templates").join(path), text)),
    );
    for (path, _) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
    }
    write::write_all(&files, force)?;
    for (path, _) in &files {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The command line for a completion script, with the preset names of this folder (built-in, the user config
/// folder's and the project's `.dockgen/`) listed where a preset is named: `init --preset`, `presets show` and
/// `presets eject`. The list is the one at generation time.
fn completion_command() -> clap::Command {
    let command = <Cli as clap::CommandFactory>::command();
    let Ok(presets) = preset::load(&preset::layers(Some(Path::new(".")), None)) else {
        return command;
    };
    let names: Vec<String> = presets.iter().map(|p| p.name.clone()).collect();
    let listed = || clap::builder::PossibleValuesParser::new(names.clone());
    command
        .mut_subcommand("init", |init| init.mut_arg("preset", |arg| arg.value_parser(listed())))
        .mut_subcommand("presets", |presets| {
            presets
                .mut_subcommand("show", |show| show.mut_arg("name", |arg| arg.value_parser(listed())))
                .mut_subcommand("eject", |eject| eject.mut_arg("name", |arg| arg.value_parser(listed())))
        })
}

pub(crate) fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A reader that stopped reading (`| head`) is not a failure.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}

fn check_project_dir(path: &Path) -> Result<()> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("{} does not exist or cannot be read", path.display()))?;
    if !meta.is_dir() {
        bail!("{} is not a directory", path.display());
    }
    Ok(())
}

/// What a run takes from outside dockgen itself: preset and template files of the project or user folders,
/// and whether the project's dockgen.toml is read.
struct ProjectConfig {
    custom_files: Vec<String>,
    read_answers_file: bool,
}

impl ProjectConfig {
    fn new(project: &Path, presets: &[Preset], trusted: bool) -> Self {
        let custom_files = preset::custom_files(presets);
        if !trusted && project.join(answers_file::FILE_NAME).exists() {
            eprintln!("note: --no-project-config: {} is not read", answers_file::FILE_NAME);
        }
        ProjectConfig {
            custom_files,
            read_answers_file: trusted,
        }
    }

    /// Said on every run that uses them: a committed `.dockgen/` changes what dockgen writes.
    fn note(&self) -> Option<String> {
        (!self.custom_files.is_empty()).then(|| {
            format!(
                "presets and templates from outside dockgen are in use, replacing built-in ones of the same name: \
                 {} (--no-project-config ignores the project's)",
                self.custom_files.join(", ")
            )
        })
    }
}

fn detect_command(
    args: &DetectArgs,
    presets: &[Preset],
    config: &ProjectConfig,
    detection: &detect::Detection,
) -> Result<()> {
    let mut report = report::Report::new(detection, presets);
    report.custom_files.clone_from(&config.custom_files);
    if args.json {
        print(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        print(&report.to_text(report::Layout::for_stream(&std::io::stdout(), args.verbose)))?;
    }
    // As `init` would: a folder with nothing to build is a failure, after the report says what was seen.
    if detection.candidates.is_empty() {
        bail!("{}", detection.nothing_found(&args.path));
    }
    Ok(())
}

/// Decisions taken on evidence (notes) and problems (warnings), on stderr.
fn say(notes: &[String], warnings: &[String]) {
    for note in notes {
        paint::note(&files::message(note));
    }
    for warning in warnings {
        paint::warning(&files::message(warning));
    }
}

/// An error as the one line `main` prints: the whole chain, printable, of bounded length.
pub fn error_line(err: &anyhow::Error) -> String {
    files::message(&format!("{err:#}"))
}
