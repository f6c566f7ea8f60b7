//! Node's derive step: how the builder gets the package manager the project pins, decided from the answers and
//! what the official image of the Node line ships (corepack, yarn; `knowledge/node/lines.toml`).

use serde_json::{Map, Value};

use super::super::stack::PlanField;
use crate::knowledge::node;

pub(super) const FIELDS: &[PlanField] = &[
    PlanField {
        name: "package_manager_setup",
        holds: "how the builder gets the package manager: npm-pinned, bun, corepack, pnpm, yarn, \
                yarn-path-launcher, yarn-berry-corepack, yarn-berry-npm or none (the image's own npm)",
    },
    PlanField {
        name: "frozen_install",
        holds: "whether the install is frozen to the lockfile: there is one and package.json has not moved away from it",
    },
    PlanField {
        name: "node_ships_yarn",
        holds: "whether the Node line's official image has yarn 1",
    },
    PlanField {
        name: "frontend.package_manager_setup, frontend.node_ships_yarn",
        holds: "the front-end stage's package-manager setup and whether its Node image has yarn, as for the app",
    },
    PlanField {
        name: "npm_omits_dev",
        holds: "whether the Node line's npm takes --omit=dev (npm 7 and later; older ones say --production)",
    },
];

pub(super) fn derive(values: &mut Map<String, Value>) {
    crate::detect::frontend::derive(values);
    let (setup, ships_yarn) = package_manager_setup(values);
    values.insert("package_manager_setup".into(), Value::from(setup));
    values.insert("node_ships_yarn".into(), Value::from(ships_yarn));
    let stale = values.get("lockfile_stale").and_then(Value::as_bool).unwrap_or(false);
    // `npm ci` came with npm 6 here (the images of Node 8 on); older lines install from the lockfile anew.
    let npm = line(values).map_or(u64::MAX, |line| line.npm);
    let frozen = values.contains_key("lockfile") && !stale && (npm >= 6 || text(values, "package_manager") != "npm");
    values.insert("frozen_install".into(), Value::from(frozen));
    values.insert("npm_omits_dev".into(), Value::from(npm >= 7));
}

/// The record of the Node line `node_version` names, when known.
fn line(values: &Map<String, Value>) -> Option<&'static node::NodeLine> {
    let version = values.get("node_version")?;
    let text = version.as_str().map_or_else(|| version.to_string(), str::to_string);
    node::line_of(&text)
}

fn text<'a>(values: &'a Map<String, Value>, key: &str) -> &'a str {
    values.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The setup shape for the package manager in `values` (`package_manager`, `package_manager_version`,
/// `corepack`, `yarn_path`) on the Node line `node_version`, and whether that line's image has yarn. A Go
/// service's front-end stage takes the same through the registry (go/plan.rs).
fn package_manager_setup(values: &Map<String, Value>) -> (&'static str, bool) {
    let pm = text(values, "package_manager");
    let pinned = !text(values, "package_manager_version").is_empty();
    let corepack = values.get("corepack").and_then(Value::as_bool).unwrap_or(false);
    let yarn_path = !text(values, "yarn_path").is_empty();
    let major = line(values).map(|line| line.version);
    let ships = |tool: &str| major.is_some_and(|m| node::node_image_has(m, tool));
    let (has_corepack, has_yarn) = (ships("corepack"), ships("yarn"));
    let setup = match pm {
        "npm" if pinned => "npm-pinned",
        "bun" => "bun",
        _ if corepack && has_corepack => "corepack",
        "pnpm" => "pnpm",
        "yarn" if pinned || !has_yarn => "yarn",
        "yarn-berry" if yarn_path && !has_yarn => "yarn-path-launcher",
        "yarn-berry" if !yarn_path && has_corepack => "yarn-berry-corepack",
        "yarn-berry" if !yarn_path => "yarn-berry-npm",
        _ => "none",
    };
    (setup, has_yarn)
}
