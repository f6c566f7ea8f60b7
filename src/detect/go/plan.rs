//! Go's derive step: the program's port flag when the image must pass it, and the front-end stage a Go service
//! embeds, a Node build whose package-manager setup is derived as Node derives it (through the registry), into
//! the `frontend` value.

use serde_json::{Map, Value};

use super::super::stack::PlanField;

pub(super) const FIELDS: &[PlanField] = &[
    PlanField {
        name: "port_flag_arg",
        holds: "`--NAME=PORT` (`--NAME=:PORT` for an address flag) for the program's port flag, when the port is \
                not the flag's default or the default binds loopback; absent otherwise",
    },
    PlanField {
        name: "frontend.package_manager_setup, frontend.node_ships_yarn",
        holds: "the front-end stage's package-manager setup and whether its Node image has yarn, as Node derives \
                them",
    },
];

pub(super) fn derive(values: &mut Map<String, Value>) {
    if let Some(arg) = port_flag_arg(values) {
        values.insert("port_flag_arg".into(), Value::from(arg));
    }
    crate::detect::frontend::derive(values);
}

/// The argument that tells the program its port: needed when the image's port is not the flag's default (the
/// program would listen elsewhere), or when the default binds loopback (the published port would answer
/// nothing). None without a flag or without a port.
fn port_flag_arg(values: &Map<String, Value>) -> Option<String> {
    let Some(Value::Object(flag)) = values.get("port_flag") else {
        return None;
    };
    let port = values.get("port")?;
    let text = match port {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        _ => return None,
    };
    let loopback = flag.get("loopback").and_then(Value::as_bool).unwrap_or(false);
    if flag.get("default") == Some(port) && !loopback {
        return None;
    }
    let name = flag.get("name").and_then(Value::as_str)?;
    let address = flag.get("address").and_then(Value::as_bool).unwrap_or(false);
    Some(format!("--{name}={}{text}", if address { ":" } else { "" }))
}
