//! `dockgen init`: detection, the preset and its answers, then the files rendered, checked or written, and
//! what was decided said on stderr.

use std::io::IsTerminal as _;
use std::path::Path;

use anyhow::{bail, Result};
use clap::parser::ValueSource;
use clap::ArgMatches;
use indexmap::IndexMap;

use crate::answers::{Given, Origin};
use crate::choose::choose_preset;
use crate::cli::{self, InitArgs};
use crate::detect::Candidate;
use crate::preset::{self, Preset};
use crate::prompt::{NonInteractive, Prompter, Terminal};
use crate::{
    answers, answers_file, compose, detect, drift, files, next_steps, outputs, paint, plan, print, render, report, say,
    write, ProjectConfig, UsageError,
};

/// One app's run, as `--all` assembles them: its resolved values, stack, Dockerfile and build context.
pub(crate) struct AppRun {
    pub(crate) values: serde_json::Map<String, serde_json::Value>,
    pub(crate) stack: String,
    /// The image's name (`api`).
    pub(crate) image: String,
    pub(crate) file: String,
    pub(crate) context_dir: std::path::PathBuf,
}

/// `init` for one app (`--all` runs it for each, `crate::init_all`); what it settled, unless it only printed the
/// plan.
pub(crate) fn init_app(
    args: &InitArgs,
    presets: &[Preset],
    config: &ProjectConfig,
    detection: &detect::Detection,
    matches: &ArgMatches,
) -> Result<Option<AppRun>> {
    let saved = if config.read_answers_file {
        answers_file::load(&args.path)?
    } else {
        None
    };
    let args = &mut with_saved_inputs(args, saved.as_ref(), matches)?;
    if !args.json {
        say(config.note().as_slice(), &[]);
    }
    let (interactive, mut prompter) = prompter_for(args);
    let settled = settle(
        args,
        presets,
        detection,
        saved.as_ref(),
        matches,
        interactive,
        prompter.as_mut(),
    )?;
    let (preset, candidate) = (settled.preset, settled.candidate.as_ref());
    let mut warnings = settled.warnings.clone();
    let (resolved, unused) = with_run_inputs(args, preset, &settled.resolved)?;
    if let Some(unused) = unused {
        paint::warning(&unused);
    }
    let asked_compose = interactive && !args.compose && args.services.is_none() && !args.check && !args.stdout;
    if asked_compose {
        args.compose = ask_compose(&resolved, prompter.as_mut())?;
    }
    let args = &*args;
    let plan = plan::derive(preset, &resolved.values);
    if args.plan {
        print(&format!("{}\n", serde_json::to_string_pretty(&plan)?))?;
        return Ok(None);
    }
    let rendered = render::render(preset, &plan)?;
    let context_dir = build_context(&args.path, preset, &resolved)?;
    let program = crate::detect::stack(&preset.stack).and_then(|stack| (stack.image_name)(&resolved.values));
    let run = AppRun {
        values: resolved.values.clone(),
        stack: preset.stack.clone(),
        image: next_steps::image_name(&args.path, program),
        file: args.file.clone(),
        context_dir: context_dir.clone(),
    };
    let wanted = (args.compose || args.services.is_some()) && !args.stdout && !args.one_of_all;
    let services = args.services.as_deref();
    let compose_file = wanted
        .then(|| compose_file(&args.path, &[&run], services, preset, args.json))
        .transpose()?;
    let mut written = Vec::new();
    let from_replaced = replaced_evidence(args, &resolved);
    if args.stdout {
        warnings.extend(print_dockerfile(args, &context_dir, rendered)?);
    } else {
        let mut planned = outputs::plan(&args.path, &context_dir, &args.file, rendered)?;
        planned.files.extend(compose_file.clone());
        if !args.json {
            say(&planned.notes, &planned.warnings);
        }
        warnings.extend(planned.warnings);
        let (files, owned) = (planned.files, planned.owned);
        // Only files whose content would change are written (or need --force); identical output is success.
        let changed = write::changed(&files);
        if args.check {
            outputs::check(&files, &changed, drift_hint(args, &settled, &changed))?;
            return Ok(Some(run));
        }
        if interactive && !args.force && !changed.is_empty() {
            eprint!(
                "{}",
                report::plan_summary(preset, &resolved, report::Layout::for_stream(&std::io::stderr(), false))
            );
        }
        if changed.is_empty() {
            eprintln!("up to date: {}", outputs::file_names(&files));
        } else {
            let Some(paths) = outputs::write_changed(changed, &owned, args.force, interactive, prompter.as_mut())?
            else {
                eprintln!("wrote nothing; the files are as they were");
                return Ok(Some(run));
            };
            say_replaced_evidence(args, &from_replaced, &paths);
            written.extend(paths);
        }
    }
    // A compose file chosen at the prompt is a decision `--yes` does not take.
    let asked_changed = settled.asked_changed || asked_compose && args.compose;
    if wants_saving(args, asked_changed, prompter.as_mut())? {
        let saving = with_compose_services(args, compose_file.is_some(), &resolved);
        written.extend(save_answers(&saving, preset, candidate, &resolved, &from_replaced)?);
    }
    let steps = (!args.stdout).then(|| {
        let mut steps = steps_for(args, preset, &context_dir, &resolved);
        steps.compose = compose_file.as_ref().map(|(path, _)| next_steps::compose_up(path));
        steps
    });
    finish(args, preset, &resolved, &warnings, &written, config, steps.as_ref())?;
    Ok(Some(run))
}

/// `--stdout`: the Dockerfile as the file would become (the user's lines in the one there stay), and notes on
/// what it does not write; the warnings said about the ignore file already there.
fn print_dockerfile(args: &InitArgs, context_dir: &Path, rendered: render::Rendered) -> Result<Vec<String>> {
    let hides = outputs::existing_ignore_hides(&args.path, context_dir, &args.file, &rendered);
    say(&[], &hides);
    print(&outputs::with_your_lines(&args.path, &args.file, rendered.dockerfile)?)?;
    for (name, _) in &rendered.extra {
        eprintln!("note: the Dockerfile also needs {name}, which --stdout does not write");
    }
    if args.compose || args.services.is_some() {
        eprintln!("note: --stdout prints the Dockerfile only: compose.yaml is not written");
    }
    Ok(hides)
}

/// The inputs `--save` records: with a compose file written, the services it runs, so `--check` reproduces them
/// once the file that linked them is this one.
fn with_compose_services(args: &InitArgs, compose_written: bool, resolved: &answers::Resolved) -> InitArgs {
    let mut saving = args.clone();
    if compose_written && saving.services.is_none() {
        let names: Vec<String> = compose::services(None, &resolved.values)
            .iter()
            .map(|s| s.name.clone())
            .collect();
        saving.services = Some(names).filter(|n| !n.is_empty());
    }
    saving
}

/// The preset and the answers as settled from the repository, dockgen.toml, the command line and the
/// terminal, before the run's lists (`--env`, `--build-env`) are added.
struct Settled<'a> {
    preset: &'a Preset,
    candidate: Option<Candidate>,
    resolved: answers::Resolved,
    /// The answers given before any question: what `--yes` would start from.
    given: IndexMap<String, Given>,
    /// Whether the terminal settled anything `--yes` would settle otherwise.
    asked_changed: bool,
    warnings: Vec<String>,
}

/// Chooses the preset and resolves its answers, asking at a terminal; what was decided is said on stderr.
fn settle<'a>(
    args: &InitArgs,
    presets: &'a [Preset],
    detection: &detect::Detection,
    saved: Option<&answers_file::AnswersFile>,
    matches: &ArgMatches,
    interactive: bool,
    prompter: &mut dyn Prompter,
) -> Result<Settled<'a>> {
    let preset_name = args.preset.clone().or_else(|| saved.and_then(|s| s.preset.clone()));
    // Said before a preset is chosen: they often explain why none fits.
    // A preset asked for by name speaks only for its stack's candidate (a set-aside build included).
    if !args.json {
        let asked_stack = preset_name
            .as_deref()
            .and_then(|name| preset::find(presets, name).ok())
            .map(|p| p.stack.as_str());
        let spoken = match asked_stack {
            Some(stack) => detection
                .candidates
                .iter()
                .chain(&detection.set_aside)
                .filter(|c| c.stack == stack)
                .collect(),
            None => detection.candidates.iter().collect::<Vec<_>>(),
        };
        for candidate in spoken {
            say(&candidate.notes, &candidate.warnings);
        }
    }
    // dockgen.toml ranks below flags and DOCKGEN_*: its answers go in first and are overwritten.
    let mut given = saved
        .map(answers_file::AnswersFile::given)
        .transpose()?
        .unwrap_or_default();
    given.extend(given_answers(args, matches)?);
    let given_before_asking = given.clone();
    if interactive {
        // What was found comes first, so the plan's questions can be read against it. Its notes and warnings
        // were said above: each is printed once per run.
        eprint!(
            "{}",
            report::Report::new(detection, presets)
                .without_messages()
                .to_text(report::Layout::for_stream(&std::io::stderr(), false))
        );
    }
    let (preset, candidate) = choose_preset(
        &args.path,
        preset_name.as_deref(),
        presets,
        detection,
        &mut given,
        prompter,
    )?;
    if !args.json {
        // Notes the choice added (a tie settled by its strongest evidence); the detected ones were said above.
        let said = detection
            .candidates
            .iter()
            .find(|c| Some(c.stack) == candidate.as_ref().map(|c| c.stack))
            .map_or(0, |c| c.notes.len());
        say(
            candidate
                .as_ref()
                .map_or(&[][..], |c| c.notes.get(said..).unwrap_or_default()),
            &[],
        );
    }
    let mut warnings: Vec<String> = candidate.iter().flat_map(|c| c.warnings.clone()).collect();
    let mut resolved = answers::resolve(preset, candidate.as_ref(), &given, prompter)?;
    let mut asked_changed = false;
    if interactive {
        resolved = answers::confirm_and_resolve(preset, candidate.as_ref(), given, resolved, prompter)?;
        asked_changed = !reproduced_without_asking(
            &args.path,
            preset_name.as_deref(),
            presets,
            detection,
            &given_before_asking,
            preset,
            &resolved,
        );
    }
    let said = answer_warnings(preset, candidate.as_ref(), &resolved);
    resolved.warnings.extend(said);
    warnings.extend(resolved.warnings.iter().cloned());
    if !args.json {
        say(&resolved.notes, &resolved.warnings);
    }
    check_paths_exist(&args.path, preset, &resolved)?;
    Ok(Settled {
        preset,
        candidate,
        resolved,
        given: given_before_asking,
        asked_changed,
        warnings,
    })
}

/// When the Dockerfile about to be replaced is the project's own, the answers this run took from it and where:
/// the evidence goes with it, so later runs (`--check`) would settle them differently unless they are saved.
fn replaced_evidence(args: &InitArgs, resolved: &answers::Resolved) -> Vec<(String, String)> {
    if args.stdout || args.check {
        return Vec::new();
    }
    // Read as every project file is (a regular file, bounded): a FIFO or a huge file is no evidence.
    let path = args.path.join(&args.file);
    let Ok(text) = files::read_text_within(&path, Some(&files::boundary(&args.path)), files::MANIFEST_CAP) else {
        return Vec::new();
    };
    if crate::detect::is_dockgens_own(&text) {
        return Vec::new();
    }
    let prefix = format!("{}:", args.file);
    resolved
        .answers
        .iter()
        .filter_map(|(key, answer)| match &answer.origin {
            Origin::Detected(source) if source.starts_with(&prefix) => {
                Some((key.clone(), source.split(" (").next().unwrap_or(source).to_string()))
            }
            _ => None,
        })
        .collect()
}

/// Said once the project's own Dockerfile was replaced (`written`) without `--save`: the answers it gave.
fn say_replaced_evidence(args: &InitArgs, from_replaced: &[(String, String)], written: &[std::path::PathBuf]) {
    if from_replaced.is_empty() || args.save || !written.contains(&args.path.join(&args.file)) {
        return;
    }
    let answers: Vec<String> = from_replaced.iter().map(|(key, at)| format!("{key} ({at})")).collect();
    eprintln!(
        "note: the replaced {} was the evidence for {}; later runs cannot read it: `dockgen init --yes --save` \
         records these answers in {} so `--check` reproduces this Dockerfile",
        args.file,
        answers.join(", "),
        answers_file::FILE_NAME
    );
}

/// `--save`, `--no-save`, or — when the terminal settled something `--yes` would not — the user's answer to
/// saving (Enter says yes); declined, what that means is said.
fn wants_saving(args: &InitArgs, asked_changed: bool, prompter: &mut dyn Prompter) -> Result<bool> {
    if args.save || !asked_changed || args.stdout {
        return Ok(args.save);
    }
    let save = !args.no_save && {
        let question = format!("Save these answers to {}?", answers_file::FILE_NAME);
        let help = "so `dockgen init --yes` and `--check` reproduce them (--save / --no-save decide without asking)";
        prompter.confirm(&question, help, true)?
    };
    if !save {
        eprintln!(
            "note: the answers given at the prompt are not saved: `dockgen init --check` will report them as \
             drift; `dockgen init --save` records them in {}",
            answers_file::FILE_NAME
        );
    }
    Ok(save)
}

/// What `--check` says about a drifted Dockerfile written with answers this run does not have: the values,
/// and the command that saves them (not `--force`, which would throw them away). None when no answer explains
/// the drift.
fn drift_hint(args: &InitArgs, settled: &Settled<'_>, changed: &[(std::path::PathBuf, String)]) -> Option<String> {
    let path = args.path.join(&args.file);
    let (_, new) = changed.iter().find(|(changed, _)| *changed == path)?;
    let existing = std::fs::read_to_string(&path).ok()?;
    let preset = settled.preset;
    let dockerfile_of = |resolved: &answers::Resolved| -> Result<String> {
        let (resolved, _) = with_run_inputs(args, preset, resolved)?;
        let rendered = render::render(preset, &plan::derive(preset, &resolved.values))?;
        outputs::with_your_lines(&args.path, &args.file, rendered.dockerfile)
    };
    let explained = drift::explain(
        preset,
        settled.candidate.as_ref(),
        &settled.given,
        &settled.resolved,
        &existing,
        new,
        &dockerfile_of,
    )?;
    let values: Vec<String> = explained
        .answers
        .iter()
        .map(|w| format!("{} {} (this run: {}, {})", w.key, w.in_file, w.this_run, w.origin))
        .collect();
    let rest = if explained.complete {
        ""
    } else {
        "; other lines differ too: `dockgen init --force` writes what this run rendered"
    };
    Some(format!(
        "{} was written with {}, not in {} (typed at a prompt and not saved?): keep {} with `dockgen init --yes \
         --save {}`{rest}",
        args.file,
        values.join(" and "),
        answers_file::FILE_NAME,
        if values.len() == 1 { "it" } else { "them" },
        drift::flags(&explained.answers)
    ))
}

/// Whether this run asks (a terminal on both ends, no --yes or --check), and who answers.
fn prompter_for(args: &InitArgs) -> (bool, Box<dyn Prompter>) {
    let interactive = !args.yes && !args.check && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let prompter: Box<dyn Prompter> = if interactive {
        Box::new(Terminal::new(&args.path))
    } else {
        Box::new(NonInteractive)
    };
    (interactive, prompter)
}

/// The build and run commands for the files written. Docker reads `-f` from the current directory, as it does
/// the context, so both are named from where dockgen ran: the Dockerfile is PATH/NAME.
fn steps_for(
    args: &InitArgs,
    preset: &Preset,
    context_dir: &Path,
    resolved: &answers::Resolved,
) -> next_steps::NextSteps {
    let dockerfile = args.path.join(&args.file);
    let program = crate::detect::stack(&preset.stack).and_then(|stack| (stack.image_name)(&resolved.values));
    next_steps::next_steps(&args.path, context_dir, &dockerfile, program, &resolved.values)
}

/// A port other than the program's, when the program's is written in its code or in the arguments the image
/// passes (`-port=3000`): EXPOSE says what was asked, and the warning says the program still listens where those
/// say.
fn fixed_port_moved(candidate: Option<&Candidate>, resolved: &answers::Resolved) -> Option<String> {
    let facts = &candidate?.facts;
    let fixed = facts.get("port_fixed")?;
    let detected = &facts.get("port")?.value;
    let asked = resolved.values.get("port")?;
    let by_args = facts.get("args").is_some_and(|args| args.source == fixed.source);
    let (place, change) = if by_args {
        ("in the arguments the image passes", "edit the CMD's arguments")
    } else {
        ("in its code", "change the code")
    };
    (asked != detected && !asked.is_null()).then(|| {
        format!(
            "{}: the program's port {detected} is written {place}, so it still listens there; the Dockerfile exposes \
             {asked} as asked: {change} or publish {asked}:{detected}",
            fixed.source
        )
    })
}

/// What the settled answers deserve a word about: a port the code fixes elsewhere, a privileged port, an image
/// without a version.
fn answer_warnings(preset: &Preset, candidate: Option<&Candidate>, resolved: &answers::Resolved) -> Vec<String> {
    let mut warnings: Vec<String> = fixed_port_moved(candidate, resolved).into_iter().collect();
    warnings.extend(privileged_port(resolved));
    warnings.extend(unpinned_images(preset, resolved));
    warnings
}

/// Images without a tag or tagged `latest`: each build takes whatever the registry holds that day, which is
/// what pinning in the Dockerfile is for.
fn unpinned_images(preset: &Preset, resolved: &answers::Resolved) -> Vec<String> {
    preset
        .answers
        .iter()
        .filter(|(_, spec)| spec.kind == preset::Kind::Image)
        .filter_map(|(key, _)| {
            let answer = resolved.answers.get(key)?;
            let image = answer.value.as_str()?;
            let name = image.rsplit('/').next().unwrap_or(image);
            let tag = name.split_once(':').map(|(_, tag)| tag);
            // `scratch` is the empty image, built into every builder: there is nothing to pin.
            let unpinned = image != "scratch" && !image.contains('@') && matches!(tag, None | Some("latest"));
            unpinned.then(|| {
                format!(
                    "{key} {image} ({}) names no version: every build takes whatever the registry holds that day; \
                     pin one (IMAGE:VERSION)",
                    answer.origin
                )
            })
        })
        .collect()
}

/// A port below 1024 while every preset's image runs as a non-root user: where that works is worth a word.
fn privileged_port(resolved: &answers::Resolved) -> Option<String> {
    let port = resolved.values.get("port")?.as_u64().filter(|p| *p < 1024)?;
    let origin = resolved
        .answers
        .get("port")
        .map_or(String::new(), |a| a.origin.to_string());
    Some(format!(
        "port {port} ({origin}) is a privileged port and the image runs as a non-root user: Docker (20.10 and later) \
         lets it listen there, Kubernetes only with the sysctl net.ipv4.ip_unprivileged_port_start=0; pass --port \
         8080 (or another above 1023) if the program can listen elsewhere"
    ))
}

/// The settled answers with the run's lists added (`--build-env`, `--secret`, `--arg`, `--env`), and the
/// warning when `--build-env` reaches nothing: what every render of this run starts from.
fn with_run_inputs(
    args: &InitArgs,
    preset: &Preset,
    settled: &answers::Resolved,
) -> Result<(answers::Resolved, Option<String>)> {
    let mut resolved = settled.clone();
    let unused = add_build_inputs(args, preset, &mut resolved)?;
    add_runtime_inputs(args, &mut resolved);
    Ok((resolved, unused))
}

/// `--arg` replaces the program's arguments; `--env` sets run-time variables over the deployment files' ones.
fn add_runtime_inputs(args: &InitArgs, resolved: &mut answers::Resolved) {
    if !args.arg.is_empty() {
        resolved.values.insert("args".into(), serde_json::json!(args.arg));
    }
    if args.env.is_empty() {
        return;
    }
    let mut env: Vec<serde_json::Value> = resolved
        .values
        .get("runtime_env")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (name, value) in &args.env {
        env.retain(|pair| pair["name"] != name.as_str());
        env.push(serde_json::json!({ "name": name, "value": value }));
    }
    resolved
        .values
        .insert("runtime_env".into(), serde_json::Value::Array(env));
}

/// `--build-env` and `--secret` go to the build step of the Node presets: given names replace detected ones.
/// Returns a warning when `--build-env` reaches nothing.
fn add_build_inputs(args: &InitArgs, preset: &Preset, resolved: &mut answers::Resolved) -> Result<Option<String>> {
    let names = |key: &str| -> Vec<String> {
        resolved
            .values
            .get(key)
            .and_then(serde_json::Value::as_array)
            .map(|names| names.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    // Variables .npmrc reads are secrets the install needs too (the templates use them when nothing is given);
    // so are the secrets an env schema checks while building, unless --build-env gives a value.
    let mut secrets = names("npmrc_secrets");
    let schema_secrets = names("build_env_secrets");
    for id in schema_secrets
        .iter()
        .filter(|id| !args.build_env.iter().any(|(given, _)| given == *id))
        .chain(&args.secret)
    {
        if !secrets.contains(id) {
            secrets.push(id.clone());
        }
    }
    if args.build_env.is_empty() && args.secret.is_empty() {
        if !schema_secrets.is_empty() {
            resolved
                .values
                .insert("build_secrets".into(), serde_json::json!(secrets));
        }
        return Ok(None);
    }
    if !crate::detect::stack(&preset.stack).is_some_and(|stack| stack.build_inputs) {
        bail!(UsageError(format!(
            "--build-env and --secret reach a Node build step; preset {} has none",
            preset.name
        )));
    }
    let unused = (!resolved.values.contains_key("build_script") && !args.build_env.is_empty())
        .then(|| "--build-env has no effect: this app has no build step".to_string());
    let given: Vec<serde_json::Value> = args
        .build_env
        .iter()
        .map(|(name, value)| serde_json::json!({ "name": name, "value": value.clone().unwrap_or_default() }))
        .collect();
    let is_given =
        |name: &str| args.build_env.iter().any(|(given, _)| given == name) || args.secret.iter().any(|id| id == name);
    for key in ["build_env", "build_env_checked"] {
        if let Some(serde_json::Value::Array(detected)) = resolved.values.get_mut(key) {
            detected.retain(|name| !name.as_str().is_some_and(is_given));
        }
    }
    if let Some(serde_json::Value::Array(committed)) = resolved.values.get_mut("build_env_committed") {
        committed.retain(|pair| !pair["name"].as_str().is_some_and(is_given));
    }
    resolved
        .values
        .insert("build_env_given".into(), serde_json::Value::Array(given));
    resolved
        .values
        .insert("build_secrets".into(), serde_json::json!(secrets));
    Ok(unused)
}

/// The repeatable inputs and the Dockerfile's name: what the command line gives wins, else dockgen.toml's
/// (each value checked as its flag checks it).
fn with_saved_inputs(
    args: &InitArgs,
    saved: Option<&answers_file::AnswersFile>,
    matches: &ArgMatches,
) -> Result<InitArgs> {
    fn parsed<T>(values: &[String], key: &str, parse: fn(&str) -> Result<T, String>) -> Result<Vec<T>> {
        values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                parse(value).map_err(|why| anyhow::anyhow!("{}: {key}[{i}]: {why}", answers_file::FILE_NAME))
            })
            .collect()
    }
    let mut args = args.clone();
    let Some(saved) = saved else { return Ok(args) };
    if args.arg.is_empty() {
        args.arg = parsed(&saved.run.args, "run.args", cli::parse_program_arg)?;
    }
    if args.env.is_empty() {
        args.env = parsed(&saved.run.env, "run.env", cli::parse_runtime_env)?;
    }
    if args.build_env.is_empty() {
        args.build_env = parsed(&saved.build.env, "build.env", cli::parse_build_env)?;
    }
    if args.secret.is_empty() {
        args.secret = parsed(&saved.build.secrets, "build.secrets", cli::parse_secret_id)?;
    }
    if matches
        .value_source("compose")
        .is_none_or(|source| source == ValueSource::DefaultValue)
    {
        args.compose = saved.compose.write;
    }
    if args.services.is_none() {
        if let Some(services) = &saved.compose.services {
            let services: Vec<String> = services
                .iter()
                .map(|name| cli::parse_service(name))
                .collect::<Result<_, _>>()
                .map_err(|why| anyhow::anyhow!("{}: compose.services: {why}", answers_file::FILE_NAME))?;
            args.services = Some(services);
        }
    }
    if let (Some(file), Some(ValueSource::DefaultValue)) = (&saved.file, matches.value_source("file")) {
        args.file =
            cli::parse_file_name(file).map_err(|why| anyhow::anyhow!("{}: file: {why}", answers_file::FILE_NAME))?;
    }
    Ok(args)
}

/// What `--save` records besides the answers: the repeatable flags as they are written, and the file name.
fn saved_inputs(args: &InitArgs) -> answers_file::Inputs {
    answers_file::Inputs {
        run: answers_file::RunInputs {
            args: args.arg.clone(),
            env: args.env.iter().map(|(name, value)| format!("{name}={value}")).collect(),
        },
        build: answers_file::BuildInputs {
            env: args
                .build_env
                .iter()
                .map(|(name, value)| value.as_ref().map_or_else(|| name.clone(), |v| format!("{name}={v}")))
                .collect(),
            secrets: args.secret.clone(),
        },
        compose: answers_file::ComposeInputs {
            write: args.compose,
            services: args.services.clone(),
        },
        file: (args.file != "Dockerfile").then(|| args.file.clone()),
    }
}

/// Whether `--yes` would settle the same preset and values the terminal did: when not, only dockgen.toml
/// keeps what was answered there.
fn reproduced_without_asking(
    path: &Path,
    preset_name: Option<&str>,
    presets: &[Preset],
    detection: &detect::Detection,
    given: &IndexMap<String, Given>,
    asked: &Preset,
    resolved: &answers::Resolved,
) -> bool {
    let mut given = given.clone();
    let Ok((preset, candidate)) = choose_preset(path, preset_name, presets, detection, &mut given, &mut NonInteractive)
    else {
        return false;
    };
    preset.name == asked.name
        && answers::resolve(preset, candidate.as_ref(), &given, &mut NonInteractive)
            .is_ok_and(|unasked| unasked.values == resolved.values)
}

/// dockgen.toml with the answers (`--save`, or yes at the end of a terminal session), written only when its
/// content changes; the path when written.
fn save_answers(
    args: &InitArgs,
    preset: &Preset,
    candidate: Option<&detect::Candidate>,
    resolved: &answers::Resolved,
    from_replaced: &[(String, String)],
) -> Result<Option<std::path::PathBuf>> {
    if args.stdout {
        eprintln!(
            "note: --stdout writes nothing, so --save did not write {}",
            answers_file::FILE_NAME
        );
        return Ok(None);
    }
    let choices: Vec<String> = candidate
        .iter()
        .flat_map(|c| &c.choices)
        .map(|c| c.key.clone())
        .chain(from_replaced.iter().map(|(key, _)| key.clone()))
        .collect();
    let inside = files::boundary(&args.path);
    let path = args.path.join(answers_file::FILE_NAME);
    // Edited in place when it exists (read with the same bounds as load(), which --no-project-config skips).
    let existing = files::read_text_within(&path, Some(&inside), files::ANSWERS_CAP).ok();
    let text = answers_file::render(preset, resolved, &choices, &saved_inputs(args), existing.as_deref());
    let saved = [(path.clone(), text)];
    if write::changed(&saved).is_empty() {
        return Ok(None);
    }
    write::write_all(&saved, true)?;
    Ok(Some(path))
}

/// What was written: a line on stderr, or the JSON report.
fn finish(
    args: &InitArgs,
    preset: &Preset,
    resolved: &answers::Resolved,
    warnings: &[String],
    written: &[std::path::PathBuf],
    config: &ProjectConfig,
    steps: Option<&next_steps::NextSteps>,
) -> Result<()> {
    if args.json {
        let report = serde_json::json!({
            "preset": preset.name,
            "custom_files": config.custom_files,
            "written": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "answers": resolved.answers,
            "notes": resolved.notes,
            "warnings": warnings,
            "next_steps": steps,
        });
        print(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        return Ok(());
    }
    if !written.is_empty() {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        eprintln!("wrote {} (preset {})", names.join(", "), preset.name);
    }
    if let Some(steps) = steps {
        eprint!("{}", steps.text());
    }
    Ok(())
}

/// At a terminal, when the code talks to backing services: whether to write compose.yaml to run them beside
/// the app (Enter says yes). Without any, compose.yaml is only written when asked for (`--compose`).
fn ask_compose(resolved: &answers::Resolved, prompter: &mut dyn Prompter) -> Result<bool> {
    let services = compose::services(None, &resolved.values);
    if services.is_empty() {
        return Ok(false);
    }
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    let question = format!(
        "The app talks to {}: also write compose.yaml to run it with them?",
        names.join(" and ")
    );
    prompter.confirm(
        &question,
        "--compose writes it without asking; --services picks the services",
        true,
    )
}

/// compose.yaml's path and text for the apps of `runs`, in the folder `project`: the project's compose file when
/// it has one (rewritten only as the other files are: when decided or forced), else `project/compose.yaml`.
pub(crate) fn compose_file(
    project: &Path,
    runs: &[&AppRun],
    services: Option<&[String]>,
    preset: &Preset,
    quiet: bool,
) -> Result<(std::path::PathBuf, String)> {
    let name = compose::FILES
        .iter()
        .find(|name| std::fs::symlink_metadata(project.join(name)).is_ok())
        .unwrap_or(&compose::FILES[0]);
    let mut apps = Vec::new();
    for run in runs {
        if !quiet {
            let said = run.values.get("service_notes").and_then(serde_json::Value::as_array);
            let notes: Vec<String> = said
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str().map(String::from))
                .collect();
            say(&notes, &[]);
        }
        let project_in_context = outputs::relative_folder(&run.context_dir, project)?;
        apps.push(compose::App {
            values: &run.values,
            image: run.image.clone(),
            stack: &run.stack,
            services: compose::services(services, &run.values),
            context: outputs::relative_folder(project, &run.context_dir)?,
            dockerfile: if project_in_context == "." {
                run.file.clone()
            } else {
                format!("{project_in_context}/{}", run.file)
            },
        });
    }
    let path = project.join(name);
    let mut kept: Vec<&'static crate::knowledge::services::Service> = Vec::new();
    for service in apps.iter().flat_map(|app| app.services.iter()) {
        if !kept.iter().any(|k| std::ptr::eq(*k, *service)) {
            kept.push(service);
        }
    }
    let app_service = match runs {
        [only] => only.values.get("compose_service").and_then(serde_json::Value::as_str),
        _ => None,
    };
    let existing = files::read_text(&path, files::MANIFEST_CAP)
        .map(|text| compose::existing(&text, app_service, &kept))
        .unwrap_or_default();
    if existing.unreadable && !quiet {
        paint::warning(&format!(
            "{}: dockgen cannot read its services (YAML anchors and merge keys are not read), so it cannot say \
             what rewriting it drops: compare before you keep the rewrite",
            path.display()
        ));
    }
    if !existing.dropped.is_empty() && !quiet {
        paint::warning(&format!(
            "{}: rewriting it drops the services {} (the new file runs the app and one service of each kind it talks to): keep them in a \
             compose.override.yaml, which compose merges, or decline the rewrite",
            path.display(),
            existing.dropped.join(", ")
        ));
    }
    let plan = compose::plan(&compose::Request { apps, existing });
    if !quiet {
        // A variable written by its common name is a guess: said, not only commented in the file.
        let guessed: Vec<String> = plan["apps"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|app| app["environment"].as_array().into_iter().flatten())
            .filter(|v| v["guessed"] == true)
            .filter_map(|v| v["name"].as_str().map(String::from))
            .collect();
        let configs: Vec<&str> = plan["apps"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|app| app["config_files"].as_array().into_iter().flatten())
            .filter_map(serde_json::Value::as_str)
            .collect();
        let where_else = if configs.is_empty() {
            String::new()
        } else {
            format!(
                "; the app also reads {}, where its connection settings may be: point them at the services",
                configs.join(", ")
            )
        };
        if !guessed.is_empty() {
            say(
                &[format!(
                    "{}: no file says which variable the app reads to reach its services, so compose.yaml sets {} \
                     (the common names, marked there): rename them to what the app reads{where_else}",
                    path.display(),
                    guessed.join(", ")
                )],
                &[],
            );
        }
    }
    Ok((path, render::render_compose(preset, &plan)?))
}

/// The build context: PATH, or the folder the preset's `context` value names relative to it (a workspace root,
/// `../..`). Only parent steps are accepted: the value comes from detection, never from a file's text.
fn build_context(path: &Path, preset: &Preset, resolved: &answers::Resolved) -> Result<std::path::PathBuf> {
    let Some(key) = &preset.context else {
        return Ok(path.to_path_buf());
    };
    let Some(up) = resolved.values.get(key).and_then(serde_json::Value::as_str) else {
        return Ok(path.to_path_buf());
    };
    if up != "." && !up.split('/').all(|part| part == "..") {
        bail!("{key} `{up}` is not a folder above {}", path.display());
    }
    // `apps/web` + `../..` is shown as `.`, not `apps/web/../..`: pop the path's own folders first.
    let mut context = path.to_path_buf();
    for _ in up.split('/').filter(|part| *part == "..") {
        let last_is_folder = matches!(context.components().next_back(), Some(std::path::Component::Normal(_)));
        if last_is_folder && context.parent().is_some() {
            context.pop();
            if context.as_os_str().is_empty() {
                context.push(".");
            }
        } else {
            context.push("..");
        }
    }
    Ok(context)
}

/// A path answer must name a directory of the project, or the build would fail on a typo.
fn check_paths_exist(root: &Path, preset: &Preset, resolved: &answers::Resolved) -> Result<()> {
    for (key, answer) in &resolved.answers {
        if preset.answers.get(key).map(|spec| spec.kind) != Some(preset::Kind::Path) {
            continue;
        }
        let rel = answer.value.as_str().unwrap_or_default();
        if !root.join(rel).is_dir() {
            let what = if answer.origin.ends_with_key() {
                format!("{}{rel}", answer.origin)
            } else {
                format!("{key} {rel} ({})", answer.origin)
            };
            let message = format!("{what}: no such directory in {}", root.display());
            // A folder the user named on the command line or in DOCKGEN_* is a usage error.
            if answer.origin.is_command_line() {
                bail!(UsageError(message));
            }
            bail!(message);
        }
    }
    Ok(())
}

/// The answers given on the command line or in `DOCKGEN_*`, each with where it came from.
fn given_answers(args: &InitArgs, matches: &ArgMatches) -> Result<IndexMap<String, Given>> {
    let origin = |id: &str, flag: &'static str, env: &'static str| match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => Origin::Env(env),
        _ => Origin::Flag(flag),
    };
    let mut given = IndexMap::new();
    let mut add = |key: &str, text: String, origin: Origin| {
        given.insert(key.to_string(), Given { text, origin });
    };
    if let Some(image) = &args.builder_image {
        add(
            "builder_image",
            image.clone(),
            origin("builder_image", "--builder-image", "DOCKGEN_BUILDER_IMAGE"),
        );
    }
    if let Some(image) = &args.runtime_image {
        add(
            "runtime_image",
            image.clone(),
            origin("runtime_image", "--runtime-image", "DOCKGEN_RUNTIME_IMAGE"),
        );
    }
    if let Some(port) = &args.port {
        add("port", port.clone(), origin("port", "--port", "DOCKGEN_PORT"));
    }
    // Flags win over the environment, so DOCKGEN_SET is read only when no --set was given.
    if args.set.is_empty() {
        if let Some(env) = std::env::var_os("DOCKGEN_SET") {
            let env = env
                .into_string()
                .map_err(|_| UsageError("DOCKGEN_SET is not UTF-8".into()))?;
            for item in env.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (key, value) = cli::parse_key_value(item).map_err(|e| UsageError(format!("DOCKGEN_SET: {e}")))?;
                add(&key, value, Origin::SetEnv(key.clone()));
            }
        }
    }
    for (key, value) in &args.set {
        add(key, value.clone(), Origin::SetFlag(key.clone()));
    }
    Ok(given)
}
