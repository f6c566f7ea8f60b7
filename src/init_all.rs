//! `dockgen init --all`: every deployable app of a workspace or multi-module root (the options of its stack's
//! program choice: Node workspace apps, Go programs, Maven modules), each written as `init` writes one —
//! `Dockerfile.NAME` and `Dockerfile.NAME.dockerignore` in PATH, built from its context — then
//! `docker-bake.hcl`, which builds every image with one `docker buildx bake`, and with `--compose` one
//! compose.yaml running them together with their backing services.

use std::path::Path;

use anyhow::{bail, Result};
use clap::ArgMatches;
use serde_json::json;

use crate::cli::InitArgs;
use crate::init::{compose_file, init_app, AppRun};
use crate::preset::Preset;
use crate::prompt::NonInteractive;
use crate::{detect, next_steps, outputs, render, write, ProjectConfig, UsageError};

/// The bake file beside the Dockerfiles.
const BAKE_FILE: &str = "docker-bake.hcl";

pub(crate) fn init_all(
    args: &InitArgs,
    presets: &[Preset],
    config: &ProjectConfig,
    detection: &detect::Detection,
    matches: &ArgMatches,
) -> Result<()> {
    let candidate = one_stack(args, presets, detection)?;
    let Some(stack) = detect::stack(candidate.stack) else {
        bail!("no stack {}", candidate.stack);
    };
    if args.set.iter().any(|(key, _)| key == stack.program_key) {
        bail!(UsageError(format!(
            "--all writes every app, so --set {}= cannot pick one",
            stack.program_key
        )));
    }
    // Each app by the choice's value, with the name of its image; none: the repository has one app.
    let apps: Vec<(String, String)> = candidate
        .choices
        .iter()
        .filter(|choice| choice.key == stack.program_key)
        .flat_map(|choice| &choice.options)
        .map(|option| {
            let values = option.facts.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect();
            let image = next_steps::image_name(&args.path.join(&option.value), (stack.image_name)(&values));
            (option.value.clone(), image)
        })
        .collect();
    let mut runs: Vec<AppRun> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let one_app = |app: Option<(&str, String)>| {
        let mut one = args.clone();
        one.all = false;
        one.one_of_all = true;
        one.yes = true;
        if let Some((value, file)) = app {
            eprintln!("== {value} ({file})");
            one.file = file;
            one.set.push((stack.program_key.to_string(), value.to_string()));
        }
        init_app(&one, presets, config, detection, matches)
    };
    if apps.is_empty() {
        match one_app(None) {
            Ok(run) => runs.extend(run),
            Err(why) => failures.push(format!("{why:#}")),
        }
    }
    let mut files_used: Vec<String> = Vec::new();
    for (value, image) in &apps {
        let mut file = format!("Dockerfile.{image}");
        if files_used.contains(&file) {
            file = format!("{file}-{}", files_used.len() + 1);
        }
        files_used.push(file.clone());
        match one_app(Some((value, file))) {
            Ok(run) => runs.extend(run),
            Err(why) => failures.push(format!("{value}: {why:#}")),
        }
    }
    let Some(preset) = presets.first() else {
        bail!("no presets")
    };
    if let Err(why) = write_shared(args, &runs, preset) {
        failures.push(format!("{why:#}"));
    }
    if !failures.is_empty() {
        bail!("--all: {} failed: {}", failures.len(), failures.join("; "));
    }
    Ok(())
}

/// The candidate whose apps `--all` writes: the only one, or the stack `--preset` names among several.
fn one_stack<'a>(
    args: &InitArgs,
    presets: &[Preset],
    detection: &'a detect::Detection,
) -> Result<&'a detect::Candidate> {
    match detection.candidates.as_slice() {
        [] => bail!("{}", detection.nothing_found(&args.path)),
        [only] => Ok(only),
        several => {
            let wanted = args
                .preset
                .as_deref()
                .and_then(|name| presets.iter().find(|p| p.name == name))
                .map(|p| p.stack.as_str());
            let stacks: Vec<&str> = several.iter().map(|c| c.stack).collect();
            match several.iter().find(|c| Some(c.stack) == wanted) {
                Some(candidate) => Ok(candidate),
                None => bail!(UsageError(format!(
                    "--all writes one stack's apps, and {} has {}: pass --preset to pick the stack",
                    args.path.display(),
                    stacks.join(" and ")
                ))),
            }
        }
    }
}

/// docker-bake.hcl and, with `--compose`, compose.yaml for every app that was written: checked, or written
/// (existing ones only with `--force`).
fn write_shared(args: &InitArgs, runs: &[AppRun], preset: &Preset) -> Result<()> {
    let refs: Vec<&AppRun> = runs.iter().collect();
    let mut files = Vec::new();
    if !runs.is_empty() {
        files.push((args.path.join(BAKE_FILE), bake_file(&args.path, &refs, preset)?));
        if args.compose || args.services.is_some() {
            files.push(compose_file(
                &args.path,
                &refs,
                args.services.as_deref(),
                preset,
                false,
            )?);
        }
    }
    let changed = write::changed(&files);
    if args.check {
        return outputs::check(&files, &changed, None);
    }
    if changed.is_empty() {
        if !files.is_empty() {
            eprintln!("up to date: {}", outputs::file_names(&files));
        }
    } else if let Some(written) = outputs::write_changed(changed, &[], args.force, false, &mut NonInteractive)? {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        eprintln!("wrote {}", names.join(", "));
        let bake = args.path.join(BAKE_FILE);
        let compose = if files.len() > 1 {
            ", run them with `docker compose up --build`"
        } else {
            ""
        };
        eprintln!(
            "next: build every image with `docker buildx bake -f {}`{compose}",
            bake.display()
        );
    }
    Ok(())
}

/// docker-bake.hcl: one target per app (its context, Dockerfile and image name) in the default group.
fn bake_file(project: &Path, runs: &[&AppRun], preset: &Preset) -> Result<String> {
    let mut targets: Vec<serde_json::Value> = Vec::new();
    for run in runs {
        let context = outputs::relative_folder(project, &run.context_dir)?;
        let dockerfile = match outputs::relative_folder(&run.context_dir, project)?.as_str() {
            "." => run.file.clone(),
            folder => format!("{folder}/{}", run.file),
        };
        targets.push(json!({ "name": run.image, "context": context, "dockerfile": dockerfile }));
    }
    render::render_named(preset, render::BAKE_TEMPLATE, &json!({ "targets": targets }))
}
