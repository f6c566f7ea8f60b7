//! The derive step, between answers and render: the resolved answers plus what dockgen decides from them
//! (which package-manager setup, which Maven flags, how a Spring Boot jar is laid out), each stack's part
//! computed by its registry entry (`Stack::derive`). Templates receive the plan and only print it. Pure:
//! values in, plan out.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::detect;
use crate::preset::Preset;

/// What the templates of one preset are rendered from. Only `derive` makes one, so nothing renders without it.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Plan {
    values: Map<String, Value>,
}

impl Plan {
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }
}

/// The plan for `preset` from its resolved answers: they, the preset's name (`preset`) and the stack's derived
/// fields.
pub fn derive(preset: &Preset, values: &Map<String, Value>) -> Plan {
    let mut values = values.clone();
    values.insert("preset".into(), Value::from(preset.name.clone()));
    if let Some(stack) = detect::stack(&preset.stack) {
        (stack.derive)(&mut values);
    }
    Plan { values }
}
