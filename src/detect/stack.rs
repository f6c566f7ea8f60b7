//! What a stack gives the rest of dockgen. Each stack's folder defines one `STACK` in its `mod.rs`, and the
//! `stacks!` line in `detect/mod.rs` lists them; detection, the report, `init`, next steps, fuzzing and the
//! tests iterate that list instead of naming stacks (docs/architecture.md: adding a stack).

use std::path::Path;

use anyhow::Result;
use serde_json::{Map, Value};

use super::Candidate;

/// One stack: its name (the `stack` of its presets and candidates) and what the stack-neutral code asks of it.
pub struct Stack {
    /// The name presets give in `stack = "..."`, and `detect` prints.
    pub name: &'static str,
    /// The files whose presence makes the probe look further; named when nothing is recognised.
    pub markers: &'static [&'static str],
    /// Path in, a candidate with its facts and evidence out (None: not this stack). Errors name the file.
    pub probe: fn(&Path) -> Result<Option<Candidate>>,
    /// The facts `detect` shows first, in this order: what is built, how, and with which toolchain.
    pub decisive_facts: &'static [&'static str],
    /// Facts the templates need but a reader does not: kept in `--json`, shown by `detect --verbose`.
    pub internal_facts: &'static [&'static str],
    /// Whether the stack's build step reads build-time env and secrets (`--build-env`, `--secret`).
    pub build_inputs: bool,
    /// The derive step: after the answers are resolved, adds what the stack's templates would otherwise decide
    /// (install shapes, launch modes) to the plan, so templates only print (`crate::plan`).
    pub derive: fn(&mut Map<String, Value>),
    /// The fields `derive` adds, each with what it holds: the plan fields templates may read besides the
    /// answers and facts (`dockgen init --plan` shows them; tests/integration/plan.rs checks the templates).
    pub plan_fields: &'static [PlanField],
    /// The answer that picks which program of a repository is built (`main_package`, `app`, `module`): what
    /// `init --all` sets for each of the choice's options.
    pub program_key: &'static str,
    /// The program's name from the resolved answers, for the image name in the printed next steps.
    pub image_name: fn(&Map<String, Value>) -> Option<String>,
    /// The bundled example (a folder under `examples/`) each of the stack's presets is shown and tested on.
    pub examples: &'static [Example],
    /// The stack's text parsers, each on arbitrary text, for the fuzz targets and their regression replay
    /// (`fuzz/regressions/<name>/`). They return a number only so the work cannot be optimised away.
    pub parsers: &'static [Parser],
    /// Files the pipeline fuzz target may write for this stack (its manifests, configs and sources).
    pub fuzz_paths: &'static [&'static str],
}

/// A preset and the bundled example it is shown on.
pub struct Example {
    pub preset: &'static str,
    pub folder: &'static str,
}

/// A named parser entry point for fuzzing.
pub struct Parser {
    pub name: &'static str,
    pub parse: fn(&str) -> usize,
}

/// A value the derive step adds to the plan.
pub struct PlanField {
    pub name: &'static str,
    pub holds: &'static str,
}
