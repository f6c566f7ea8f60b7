//! Maven's derive step: the Maven command and flags for the build, and how a Spring Boot jar is unpacked and
//! started (its loader moved in 3.2, and 3.3 replaced `layertools` with `tools`).

use serde_json::{Map, Value};

use super::super::jvm::spring_boot_layout;
use super::super::stack::PlanField;
use crate::knowledge::version_at_least;

pub(super) const FIELDS: &[PlanField] = &[
    PlanField {
        name: "maven_command",
        holds: "./mvnw when the build uses the committed wrapper, else mvn",
    },
    PlanField {
        name: "maven_flags",
        holds: "-B -ntp, or -B alone when the wrapper pins a Maven older than 3.6.1 (which added -ntp)",
    },
    PlanField {
        name: "spring_boot_layout",
        holds: "for a Spring Boot jar: tools (3.3+: `-Djarmode=tools extract --layers`, started with java -jar), \
                launcher (3.2: layertools, org.springframework.boot.loader.launch.JarLauncher) or legacy \
                (layertools, org.springframework.boot.loader.JarLauncher)",
    },
];

pub(super) fn derive(values: &mut Map<String, Value>) {
    let text = |key: &str| values.get(key).and_then(Value::as_str);
    let wrapper = text("build_tool") == Some("maven-wrapper");
    let old_maven = text("maven_version").is_some_and(|version| !version_at_least(version, "3.6.1"));
    let command = if wrapper { "./mvnw" } else { "mvn" };
    let flags = if wrapper && old_maven { "-B" } else { "-B -ntp" };
    let layout = match (text("launch"), text("spring_boot_version")) {
        (Some("spring-boot"), Some(version)) => Some(spring_boot_layout(version)),
        _ => None,
    };
    values.insert("maven_command".into(), Value::from(command));
    values.insert("maven_flags".into(), Value::from(flags));
    if let Some(layout) = layout {
        values.insert("spring_boot_layout".into(), Value::from(layout));
    }
}
