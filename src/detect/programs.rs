//! The programs a stack's code starts that runtime images lack (knowledge/programs), as one fact for every
//! stack: `runtime_programs`, which the templates install with the runtime image's package manager.

use serde_json::json;

use super::{Fact, Facts};

/// Records `found` (program → where the code starts it) as `runtime_programs`, first place as the source.
pub(crate) fn runtime_programs<'a>(found: impl Iterator<Item = (&'a String, &'a String)>, facts: &mut Facts) {
    let found: Vec<(&String, &String)> = found.collect();
    let Some((_, source)) = found.first() else { return };
    let names: Vec<&String> = found.iter().map(|(program, _)| *program).collect();
    let evidence: Vec<String> = found
        .iter()
        .map(|(program, at)| format!("{at} runs {program}"))
        .collect();
    facts.insert(
        "runtime_programs".into(),
        Fact::new(json!(names), (*source).clone())
            .with_note(format!("{}: installed in the runtime image", evidence.join("; "))),
    );
}
