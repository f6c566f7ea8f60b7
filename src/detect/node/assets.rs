//! What a server compiled file by file reads from its output folder that the build does not write there: a JSON
//! file `babel src -d dist` leaves behind, a data folder tsc never copies. The image copies each from the
//! sources into the output folder (`compiled_assets`), with the line that reads it as evidence.

use std::collections::BTreeMap;

use serde_json::json;

use super::js::eval::join;
use super::runfiles::{has_extension_in, under, Asset};
use super::tsc_root::nest_compiler;
use super::tsconfig::tsconfig_switch;
use super::{scripts, App, Fact, Facts};
use crate::knowledge::node;

/// The build's compile step, as far as it decides what lands in the output folder.
struct Compile {
    /// The compiler's program (`tsc`, `babel`).
    program: String,
    /// Its command's words.
    words: Vec<String>,
}

/// Inserts `compiled_assets`: the sources' files and folders the program reads from `out_dir` that neither the
/// compiler nor a copy step of the build writes there. Nothing when the build is not a known file-by-file
/// compile (a bundler, a task runner, a script dockgen cannot follow): what lands in the output is then not
/// known.
pub(super) fn compiled_assets(app: &App, assets: &BTreeMap<String, Asset>, out_dir: &str, facts: &mut Facts) {
    if assets.is_empty() {
        return;
    }
    let known = &node::runtime().files.compile;
    let Some((commands, source)) = build_commands(app, facts) else { return };
    if bundles(&commands) {
        return;
    }
    let Some(compile) = commands
        .iter()
        .find(|words| known.transpilers.contains_key(&program(words)))
        .map(|words| Compile {
            program: program(words),
            words: words.clone(),
        })
    else {
        return;
    };
    let copy_flags = &known.transpilers[&compile.program];
    if compile.words.iter().any(|word| copy_flags.contains(word)) || !nest_compiles_file_by_file(app, &compile) {
        return;
    }
    // tsc writes the JSON modules the code imports when it resolves them.
    let json_written = matches!(compile.program.as_str(), "tsc" | "nest") && tsconfig_switch(app, "resolveJsonModule");
    let copy_sources: Vec<String> = commands
        .iter()
        .filter(|words| known.copy_programs.contains(&program(words)))
        .flat_map(|words| words.iter().skip(1).filter(|w| !w.starts_with('-')).map(|w| copied_prefix(w)))
        .collect();
    let written_by_build = |asset: &Asset| {
        (asset.imported && json_written && has_extension_in(&asset.source, &["json"]))
            || copy_sources.iter().any(|prefix| prefix.is_empty() || under(&asset.source, prefix))
    };
    let missing: Vec<(&String, &Asset)> = assets.iter().filter(|(_, asset)| !written_by_build(asset)).collect();
    // A file inside a folder that is copied whole goes with it.
    let copies: Vec<&(&String, &Asset)> = missing
        .iter()
        .filter(|(_, asset)| {
            !missing
                .iter()
                .any(|(_, other)| other.source != asset.source && under(&asset.source, &other.source))
        })
        .collect();
    let Some((_, first)) = copies.first() else {
        return;
    };
    let at = first.why.split_once(' ').map_or(first.why.as_str(), |(at, _)| at).to_string();
    let value: Vec<serde_json::Value> = copies.iter().map(|(to, asset)| json!({ "from": asset.source, "to": to })).collect();
    let evidence: Vec<&str> = copies.iter().map(|(_, asset)| asset.why.as_str()).collect();
    let note = format!(
        "{} ({source}) writes only compiled code into {out_dir}/: {}",
        compile.words.join(" "),
        evidence.join("; ")
    );
    facts.insert("compiled_assets".into(), Fact::new(json!(value), at).with_note(note));
}

/// The commands of the app's build (its build script, else the `tsc` dockgen runs for it), with their source.
fn build_commands(app: &App, facts: &Facts) -> Option<(Vec<Vec<String>>, String)> {
    match app.build_script() {
        Some((_, source)) => Some((scripts::commands(app, "build"), source)),
        None => facts.get("compile_command").map(|fact| (vec![vec!["tsc".to_string()]], fact.source.clone())),
    }
}

fn program(words: &[String]) -> String {
    words.first().cloned().unwrap_or_default()
}

/// Whether one of the commands is a bundler, which may put the packages the code imports into its output.
fn bundles(commands: &[Vec<String>]) -> bool {
    let known = &node::runtime().files.compile;
    commands.iter().any(|words| known.bundlers.contains(&program(words)))
}

/// Whether the app's build may bundle what its code imports; without a bundler (tsc, babel) the compiled
/// output imports every package as the sources do.
pub(super) fn build_may_bundle(app: &App, facts: &Facts) -> bool {
    build_commands(app, facts).is_none_or(|(commands, _)| bundles(&commands))
}

/// Whether `nest build` compiles file by file as tsc does: with tsc or swc, not webpack, and not when
/// nest-cli.json lists the assets to copy itself.
fn nest_compiles_file_by_file(app: &App, compile: &Compile) -> bool {
    if compile.program != "nest" {
        return true;
    }
    let assets_listed = app
        .text("nest-cli.json")
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|cli| !cli["compilerOptions"]["assets"].is_null());
    nest_compiler(app).is_some_and(|compiler| matches!(compiler.as_str(), "tsc" | "swc")) && !assets_listed
}

/// The part of a copy argument before its first glob (`src/**/*.json` → `src`), relative to the app.
fn copied_prefix(argument: &str) -> String {
    let fixed = argument.split(['*', '?', '{', '[']).next().unwrap_or_default();
    let folder = if fixed.len() < argument.len() {
        fixed.rsplit_once('/').map_or("", |(folder, _)| folder)
    } else {
        fixed
    };
    join("", folder)
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_arguments_cover_what_precedes_their_globs() {
        assert_eq!(copied_prefix("src/**/*.json"), "src");
        assert_eq!(copied_prefix("./src/data/"), "src/data");
        assert_eq!(copied_prefix("src/views/*.hbs"), "src/views");
        assert_eq!(copied_prefix("*.json"), "");
    }
}
