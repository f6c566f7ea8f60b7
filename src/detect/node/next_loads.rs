//! The packages `next start` loads from `node_modules` that only devDependencies declare. The image installs
//! production dependencies, and Next.js's server requires from `node_modules` every package the pages router's
//! code imports (it bundles none of them) and, for the app router, the packages it keeps out of its bundles
//! (knowledge/node/runtime.toml `[next]`): a page then answers 500, `Cannot find module '@prisma/client'`.

use std::collections::BTreeMap;

use super::runfiles::{run_files, Ships, Walk, SOURCE_EXTENSIONS};
use super::{read_source, App, Facts};
use crate::detect::walk;
use crate::knowledge::node;

/// The route folders of each router, and whether its server requires every package it imports (pages) or only
/// the ones Next keeps external (app).
const ROUTERS: &[(&[&str], bool)] = &[(&["pages", "src/pages"], true), (&["app", "src/app"], false)];

/// Records the dev-only packages the server loads (`dev_dependencies_loaded`: the image installs every
/// dependency) with a warning naming each load and the fix.
pub(super) fn next_server_loads(app: &App, facts: &mut Facts, warnings: &mut Vec<String>) {
    let dev_only: Vec<String> = app
        .package
        .object("devDependencies")
        .map(|deps| deps.keys().filter(|name| !name.starts_with("@types/") && app.is_dev_only(name)).cloned().collect())
        .unwrap_or_default();
    // (The pages router's candidates are all of them: none, nothing to look for.)
    if dev_only.is_empty() {
        return;
    }
    let externals = &node::runtime().files.next.external_packages;
    let candidates = |every: bool| dev_only.iter().filter(move |name| every || externals.contains(name));
    // Sources are parsed only when one of them names a candidate at all (a quoted specifier's start).
    let mentioned = mentioned_packages(app, &dev_only);
    let mut loads = BTreeMap::new();
    for (folders, every) in ROUTERS {
        let wanted: Vec<&String> = candidates(*every).filter(|name| mentioned.contains(*name)).collect();
        if wanted.is_empty() {
            continue;
        }
        let entries = route_files(app, folders);
        if entries.is_empty() {
            continue;
        }
        let found = run_files(
            app,
            &Walk {
                entries,
                outputs: &[],
                ships: Ships::Files,
                layout: None,
            },
        );
        for (package, at) in found.dev_only {
            if wanted.contains(&&package) {
                loads.entry(package).or_insert(at);
            }
        }
    }
    super::server::install_dev_loads(loads, facts, warnings);
}

/// A TypeScript config (`next.config.ts`) that `next start` compiles at every start needs its loader installed:
/// recorded as a dev-only load when only devDependencies declare it.
pub(super) fn typescript_config_loader(app: &App, config: &str, facts: &mut Facts, warnings: &mut Vec<String>) {
    let loader = &node::runtime().files.next.typescript_config_loader;
    if super::typescript::is_typescript(config) && app.is_dev_only(loader) {
        super::server::install_dev_loads([(loader, format!("{config}:1"))], facts, warnings);
    }
}

/// The candidates some source file of the app names in quotes (`from '@prisma/client'`, `require("pg")`).
fn mentioned_packages(app: &App, candidates: &[String]) -> Vec<String> {
    let root = app.path(".");
    let boundary_root = root.clone();
    let walked = walk::files_with_extensions(&root, SOURCE_EXTENSIONS, move |p| {
        p != boundary_root && p.join("package.json").is_file()
    });
    let quoted: Vec<(&String, [String; 2])> =
        candidates.iter().map(|name| (name, [format!("'{name}"), format!("\"{name}")])).collect();
    let mut mentioned: Vec<String> = Vec::new();
    for path in walked.files {
        let Some(text) = read_source(&path) else { continue };
        for (name, forms) in &quoted {
            if !mentioned.contains(name) && forms.iter().any(|form| text.contains(form.as_str())) {
                mentioned.push((*name).clone());
            }
        }
        if mentioned.len() == candidates.len() {
            break;
        }
    }
    mentioned
}

/// The source files of a router's folders, relative to the app, tests left out.
fn route_files(app: &App, folders: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    for folder in folders {
        let dir = app.path(folder);
        if !dir.is_dir() {
            continue;
        }
        let walked = walk::files_with_extensions(&dir, SOURCE_EXTENSIONS, |_| false);
        files.extend(
            walked
                .files
                .iter()
                .filter_map(|path| Some(format!("{folder}/{}", path.strip_prefix(&dir).ok()?.to_str()?)))
                .filter(|rel| !super::listen::is_test_or_tooling(rel)),
        );
    }
    files
}
