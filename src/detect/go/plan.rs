//! Go's derive step: the front-end stage a Go service embeds is a Node build, so its package-manager setup is
//! derived as Node derives it (through the registry), into the `frontend` value.

use serde_json::{Map, Value};

use super::super::stack::PlanField;

pub(super) const FIELDS: &[PlanField] = &[PlanField {
    name: "frontend.package_manager_setup, frontend.node_ships_yarn",
    holds: "the front-end stage's package-manager setup and whether its Node image has yarn, as Node derives them",
}];

pub(super) fn derive(values: &mut Map<String, Value>) {
    let Some(Value::Object(frontend)) = values.get("frontend") else {
        return;
    };
    let Some(node) = crate::detect::stack("node") else {
        return;
    };
    let mut as_node = frontend.clone();
    if let Some(version) = values.get("frontend_node_version") {
        as_node.insert("node_version".into(), version.clone());
    }
    (node.derive)(&mut as_node);
    if let Some(Value::Object(frontend)) = values.get_mut("frontend") {
        for field in ["package_manager_setup", "node_ships_yarn"] {
            if let Some(value) = as_node.remove(field) {
                frontend.insert(field.into(), value);
            }
        }
    }
}
