//! Which preset a run uses: the one asked for, else the detected stack's (asked on a terminal when several
//! fit), and the detection's choices settled on the way.

use std::path::Path;

use anyhow::{bail, Context, Result};
use indexmap::IndexMap;

use crate::answers::Given;
use crate::detect::{Candidate, Detection};
use crate::preset::{self, Preset};
use crate::prompt::{NonInteractive, Prompter, Question};
use crate::{answers, files, paint, UsageError};

/// `--preset`, or the detected stack's default preset; several stacks are a question. When the stack's
/// default depends on facts that a pending choice brings (which app of a workspace), that choice is settled
/// first and recorded in `given`.
pub fn choose_preset<'a>(
    path: &Path,
    preset_name: Option<&str>,
    presets: &'a [Preset],
    detection: &Detection,
    given: &mut IndexMap<String, Given>,
    prompter: &mut dyn Prompter,
) -> Result<(&'a Preset, Option<Candidate>)> {
    let looked_for = || format!("looked for {}", detection.looked_for.join(", "));
    if let Some(name) = preset_name {
        let preset = preset::find(presets, name).map_err(|e| UsageError(format!("{e:#}")))?;
        let candidate = detection
            .candidates
            .iter()
            .chain(&detection.set_aside)
            .find(|c| c.stack == preset.stack)
            .with_context(|| {
                format!(
                    "preset {name} builds a {} project, but none was found in {} ({})",
                    preset.stack,
                    path.display(),
                    looked_for()
                )
            })?;
        return Ok((preset, Some(candidate.clone())));
    }
    let stack_default = |c: &Candidate| preset::default_for(presets, c.stack, &c.values());
    let candidate = match detection.candidates.as_slice() {
        [] => bail!("{}", detection.nothing_found(path)),
        [only] => only,
        several => {
            // Each stack's default, or its most general preset while a pending choice (which app) decides.
            let options = several
                .iter()
                .filter_map(|c| {
                    let preset = stack_default(c).or_else(|| stack_presets(presets, c.stack).first().copied())?;
                    Some((preset.name.clone(), c.evidence.clone()))
                })
                .collect();
            let question = Question::choice(
                "preset",
                "Several stacks were found; which one should the image build?",
                options,
            );
            let name = prompter.ask(&question)?;
            let picked = preset::find(presets, &name)?;
            // A preset picked by name is the user's choice, as with --preset.
            let candidate = several.iter().find(|c| c.stack == picked.stack).unwrap_or(&several[0]);
            let preset = confirm_preset(picked, presets, candidate, given, prompter)?;
            return Ok((preset, Some(candidate.clone())));
        }
    };
    let mut candidate = candidate.clone();
    if stack_default(&candidate).is_none() && !candidate.choices.is_empty() {
        settle_choices(presets, &mut candidate, given, prompter)?;
    }
    if let Some(preset) = stack_default(&candidate) {
        return Ok((
            confirm_preset(preset, presets, &candidate, given, prompter)?,
            Some(candidate),
        ));
    }
    let options = preset_options(presets, &candidate, given);
    if options.is_empty() {
        bail!("no built-in preset for the {} stack", candidate.stack);
    }
    let help = format!(
        "No {} preset fits what was found (see the warnings); which one should build it?",
        candidate.stack
    );
    let question = Question::choice("preset", &help, options);
    let name = prompter.ask(&question)?;
    let preset = preset::find(presets, &name)?;
    Ok((preset, Some(candidate)))
}

/// At a terminal, the first line of the plan: the stack's presets to pick from, starting on the one detection
/// chose (Enter keeps it). The images and everything else are resolved for the preset picked here.
fn confirm_preset<'a>(
    chosen: &'a Preset,
    presets: &'a [Preset],
    candidate: &Candidate,
    given: &IndexMap<String, Given>,
    prompter: &mut dyn Prompter,
) -> Result<&'a Preset> {
    let options = preset_options(presets, candidate, given);
    if !prompter.is_interactive() || options.len() < 2 {
        return Ok(chosen);
    }
    let question = Question::choice(
        "preset",
        "How the image is built and what it runs on (--preset NAME)",
        options,
    )
    .with_default(Some(chosen.name.clone()));
    preset::find(presets, &prompter.ask(&question)?)
}

/// Each preset of the candidate's stack with what it would make of this repository: the title of its
/// description (`Node static site`) and the images it settles on here — not the rest of the description,
/// which says what it does in general (alpine) and may not hold (a cgo binary runs on Debian); the whole
/// description while a pending choice leaves the images open.
fn preset_options(presets: &[Preset], candidate: &Candidate, given: &IndexMap<String, Given>) -> Vec<(String, String)> {
    stack_presets(presets, candidate.stack)
        .into_iter()
        .map(|p| {
            let title = p
                .description
                .split_once(": ")
                .map_or(p.description.as_str(), |(title, _)| title);
            let given: IndexMap<String, Given> = given
                .iter()
                .filter(|(key, _)| p.answers.contains_key(*key))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            let resolved = answers::resolve(p, Some(candidate), &given, &mut NonInteractive);
            if resolved
                .as_ref()
                .is_err_and(|e| e.downcast_ref::<answers::Conflict>().is_some())
            {
                // A preset whose images cannot run this repository (a musl build of glibc-only wheels).
                let text = format!("{title}: refused for this repository (--preset {} says why)", p.name);
                return (p.name.clone(), text);
            }
            let images = resolved.ok().and_then(|resolved| {
                let image = |key: &str| resolved.values.get(key)?.as_str().map(str::to_string);
                Some(format!(
                    "built on {}, runs on {}",
                    image("builder_image")?,
                    image("runtime_image")?
                ))
            });
            // Before a pending choice (which main package) the images are not known yet: what it does in general.
            let text = images.map_or_else(|| p.description.clone(), |images| format!("{title}: {images}"));
            (p.name.clone(), text)
        })
        .collect()
}

/// A stack's presets, the general ones (fewest `default_when` conditions) first, so Enter picks a general one.
fn stack_presets<'a>(presets: &'a [Preset], stack: &str) -> Vec<&'a Preset> {
    let mut found: Vec<&Preset> = presets.iter().filter(|p| p.stack == stack).collect();
    found.sort_by_key(|p| p.default_when.len());
    found
}

/// Picks each pending choice (from `given`, else by asking), records it in `given` and merges the chosen
/// option's facts into the candidate.
fn settle_choices(
    presets: &[Preset],
    candidate: &mut Candidate,
    given: &mut IndexMap<String, Given>,
    prompter: &mut dyn Prompter,
) -> Result<()> {
    for choice in std::mem::take(&mut candidate.choices) {
        let help = presets
            .iter()
            .filter(|p| p.stack == candidate.stack)
            .find_map(|p| p.answers.get(&choice.key))
            .map_or_else(|| format!("Which {}?", choice.key), |spec| spec.help.clone());
        let text = if let Some(value) = given.get(&choice.key) {
            value.text.clone()
        } else {
            let (text, origin) = answers::pick(&choice, &help, prompter)?;
            if origin != answers::Origin::Picked {
                // Said by the caller after the preset is chosen, with the candidate's other new notes.
                candidate.notes.extend(choice.default_note());
            }
            given.insert(
                choice.key.clone(),
                Given {
                    text: text.clone(),
                    origin,
                },
            );
            text
        };
        if let Some(option) = answers::apply_option(&choice, &text, &mut candidate.facts) {
            for warning in &option.warnings {
                paint::warning(&files::message(warning));
            }
            candidate.warnings.extend(option.warnings.iter().cloned());
            candidate.notes.extend(option.notes.iter().cloned());
        } else {
            let known: Vec<&str> = choice.options.iter().map(|o| o.value.as_str()).collect();
            bail!(UsageError(format!(
                "{} `{text}` is not one of {}",
                choice.key,
                known.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect;
    use crate::prompt::NonInteractive;

    fn candidate(stack: &'static str, evidence: &str) -> Candidate {
        Candidate {
            stack,
            evidence: evidence.into(),
            facts: detect::Facts::new(),
            choices: Vec::new(),
            warnings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// `choose_preset` without a terminal and with nothing given.
    fn choose<'a>(
        name: Option<&str>,
        presets: &'a [Preset],
        detection: &Detection,
    ) -> Result<(&'a Preset, Option<Candidate>)> {
        choose_preset(
            Path::new("."),
            name,
            presets,
            detection,
            &mut IndexMap::new(),
            &mut NonInteractive,
        )
    }

    #[test]
    fn several_stacks_need_a_preset_and_the_error_names_the_flag() {
        let presets = preset::builtin().unwrap();
        let detection = Detection {
            candidates: vec![candidate("go", "go.mod"), candidate("other", "other.lock")],
            looked_for: vec!["go.mod"],
            unsupported: Vec::new(),
            nested: Vec::new(),
            deployed_nested: None,
            set_aside: Vec::new(),
            idle_markers: Vec::new(),
        };
        let err = choose(None, &presets, &detection).unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains("--preset NAME") && message.contains("go (go.mod)"),
            "{message}"
        );

        let (chosen, found) = choose(Some("go-distroless"), &presets, &detection).unwrap();
        assert_eq!(chosen.name, "go-distroless");
        assert_eq!(found.unwrap().evidence, "go.mod");
    }

    #[test]
    fn nothing_detected_says_what_was_looked_for_and_what_was_seen() {
        let presets = preset::builtin().unwrap();
        let mut detection = Detection {
            candidates: Vec::new(),
            looked_for: vec!["go.mod", "go.work"],
            unsupported: Vec::new(),
            nested: Vec::new(),
            deployed_nested: None,
            set_aside: Vec::new(),
            idle_markers: Vec::new(),
        };
        let err = choose(None, &presets, &detection).unwrap_err();
        assert!(err.to_string().ends_with("(looked for go.mod, go.work)"), "{err}");
        // A marker that is there but holds no project (a go.work with no modules) is said, not left to look absent.
        detection.idle_markers = vec!["go.work".into()];
        let err = choose(None, &presets, &detection).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("(looked for go.mod, go.work; go.work is there but declares no project or dependencies)"),
            "{err}"
        );
        detection.idle_markers.clear();
        detection.unsupported.push(crate::detect::Unsupported {
            file: "pyproject.toml".into(),
            stack: "Python".into(),
            hint: None,
        });
        let err = choose(None, &presets, &detection).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("(looked for go.mod, go.work; found pyproject.toml: Python is not supported yet)"),
            "{err}"
        );
        detection.nested = vec![("api".into(), "go.mod".into()), ("web".into(), "package.json".into())];
        let err = choose(None, &presets, &detection).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "; projects below it: api/go.mod, web/package.json (run dockgen in the one to build, e.g. `dockgen \
                 init ./api`)"
            ),
            "{err}"
        );
    }
}
