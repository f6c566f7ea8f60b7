//! Nx: the build a project's `project.json` configures. Its `serve` target is a dev server; its `build` target
//! with a bundling executor writes the app to `options.outputPath`, whose entry node runs in production.

use std::path::Path;

use super::js::config::{json_setting, Setting};
use super::{App, Fact};

/// Executors that write the app's entry into `outputPath`, and the option that names its file.
enum Bundler {
    /// esbuild keeps the `main` file's stem, with the extension `esbuildOptions.outExtension[".js"]` gives (its
    /// default changed across Nx versions, so only a configured one is taken).
    Esbuild,
    /// webpack writes `outputFileName`, `main.js` by default.
    Webpack,
}

const BUNDLERS: &[(&str, Bundler)] = &[
    ("@nx/esbuild:esbuild", Bundler::Esbuild),
    ("@nrwl/esbuild:esbuild", Bundler::Esbuild),
    ("@nx/webpack:webpack", Bundler::Webpack),
    ("@nrwl/webpack:webpack", Bundler::Webpack),
];

/// What the app's Nx build writes: the output folder and the compiled entry in it, with project.json's
/// `file:line`.
pub(super) struct NxBuild {
    pub(super) output: String,
    pub(super) entry: String,
    /// The entry's source (`src/main.ts`), relative to the app.
    pub(super) main: String,
    pub(super) source: String,
}

/// The app's Nx build, when its project.json builds it with a bundling executor into a plain relative folder.
pub(super) fn build(app: &App) -> Option<NxBuild> {
    let (file, text) = app.config(&["project.json"])?;
    let value = |path: &[&str]| match json_setting(&text, path) {
        Setting::Value { value, line } => Some((value, line)),
        Setting::Unset | Setting::Unknown { .. } => None,
    };
    let (executor, _) = value(&["targets", "build", "executor"])?;
    let (_, bundler) = BUNDLERS.iter().find(|(known, _)| *known == executor)?;
    let (output, line) = value(&["targets", "build", "options", "outputPath"])?;
    let (main, _) = value(&["targets", "build", "options", "main"])?;
    // `{workspaceRoot}/dist/api` and the like are Nx's to expand; only a plain folder is taken.
    let output = output.trim_start_matches("./").trim_end_matches('/').to_string();
    crate::validate::context_path(&output).ok()?;
    let name = match bundler {
        Bundler::Esbuild => {
            let extension = ["targets", "build", "options", "esbuildOptions", "outExtension", ".js"];
            let (extension, _) = value(&extension)?;
            format!("{}{extension}", Path::new(&main).file_stem()?.to_str()?)
        }
        Bundler::Webpack => value(&["targets", "build", "options", "outputFileName"]).map_or_else(|| "main.js".into(), |(name, _)| name),
    };
    crate::validate::file_name(&name).ok()?;
    Some(NxBuild {
        entry: format!("{output}/{name}"),
        output,
        main: main.trim_start_matches("./").to_string(),
        source: format!("{file}:{line}"),
    })
}

/// What runs in production when a start script runs Nx's dev server: node on the entry the build target
/// compiles.
pub(super) fn served_entry(app: &App, words: &[String]) -> Option<Fact> {
    if !is_serve(words) {
        return None;
    }
    let build = build(app)?;
    let note = format!("`{}` runs Nx's dev server; its build target compiles {}", words.join(" "), build.entry);
    Some(Fact::new(format!("node {}", build.entry), build.source).with_note(note))
}

/// Whether a script's words run the Nx dev server (`nx serve`, `nx serve api`, `nx run api:serve`).
fn is_serve(words: &[String]) -> bool {
    match words {
        [nx, serve, ..] if nx == "nx" && serve == "serve" => true,
        [nx, run, target, ..] if nx == "nx" && run == "run" => target.ends_with(":serve"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_commands() {
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert!(is_serve(&words("nx serve")) && is_serve(&words("nx run api:serve")));
        assert!(!is_serve(&words("nx build")) && !is_serve(&words("nx run api:build")));
    }
}
