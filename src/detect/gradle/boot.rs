//! A Spring Boot project's jar, by its plugin's version: layered (2.4 on, unless `bootJar { layered { enabled
//! = false } }`), a fat jar run with `java -jar` before (2.3 and older build no layer index by default), and
//! Spring Boot 1.x (no `bootJar`: `bootRepackage`) refused.

use super::build::Project;
use crate::detect::jvm::{boot_layers_by_default, release_numbers};
use crate::detect::{Fact, Facts};

/// Records `spring_boot_version` (digits and dots: `2.3.2.RELEASE` is 2.3.2) and how the jar starts; an error
/// for a version whose build has no `bootJar` task.
pub(super) fn facts(
    project: &Project,
    version: Option<(String, String)>,
    evidence: &str,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) -> Result<(), String> {
    let Some((written, source)) = version else {
        warnings.push(format!(
            "{evidence}: the Spring Boot plugin's version is written neither on its plugins line nor in the settings' \
             plugin management, a buildscript classpath or a spring-boot-dependencies BOM (a convention plugin may set \
             it): pass --set spring_boot_version=VERSION"
        ));
        return Ok(());
    };
    let numbers = release_numbers(&written);
    if numbers.first() == Some(&1) {
        return Err(format!(
            "{source}: Spring Boot {written} builds its jar with bootRepackage, which has no bootJar task: Spring \
             Boot 1.x with Gradle is not supported; upgrade to 2.x or write the Dockerfile by hand"
        ));
    }
    let plain = numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
    let fact = Fact::new(plain.clone(), source.clone());
    facts.insert(
        "spring_boot_version".into(),
        if plain == written { fact } else { fact.with_note(format!("written {written}")) },
    );
    let disabled = project
        .script
        .settings
        .iter()
        .find(|s| s.key.ends_with("enabled") && s.blocks.iter().any(|b| b == "layered") && s.value == "false");
    let old = !boot_layers_by_default(&written);
    let why = match (disabled, old) {
        (Some(setting), _) => Some((
            format!("{}:{}", project.file, setting.line),
            "layers are disabled: the fat jar runs with java -jar",
        )),
        (None, true) => Some((source, "Spring Boot before 2.4 builds no layer index: the fat jar runs with java -jar")),
        (None, false) => None,
    };
    if let Some((at, note)) = why {
        facts.insert("launch".into(), Fact::new("jar", at).with_note(note));
    }
    Ok(())
}
