//! Gradle's derive step: the command that runs the build (the committed wrapper or the image's Gradle), and how
//! a Spring Boot jar is unpacked and started.

use serde_json::{Map, Value};

use super::super::jvm::{boot_layers_by_default, spring_boot_layout};
use super::super::stack::PlanField;

pub(super) const FIELDS: &[PlanField] = &[
    PlanField {
        name: "gradle_command",
        holds: "./gradlew when the build uses the committed wrapper, else gradle",
    },
    PlanField {
        name: "build_dir",
        holds: "the project's build output folder in the build stage, relative to /src: build for the root, \
                app/build for :app (a project path's `:` are folders)",
    },
    PlanField {
        name: "artifact",
        holds: "for a Spring Boot or plain jar: app.jar, the name the build stage copies the task's jar to (its own \
                name is the project's and version's, found with find, never guessed)",
    },
    PlanField {
        name: "jar_dir",
        holds: "for a jar launch: the folder the task writes its jar to, relative to /src (app/build/libs; a Quarkus \
                uber-jar's is app/build)",
    },
    PlanField {
        name: "jar_name",
        holds: "for a jar launch: the name the jar is found by in jar_dir, `*.jar` for the project's own jar (its \
                plain, sources and javadoc jars left out), else the task's (`*-all.jar`, `*-runner.jar`)",
    },
    PlanField {
        name: "spring_boot_layout",
        holds: "for a Spring Boot jar: tools (3.3+), launcher (3.2) or legacy, as for Maven",
    },
];

pub(super) fn derive(values: &mut Map<String, Value>) {
    let text = |key: &str| values.get(key).and_then(Value::as_str);
    let command = if text("build_tool") == Some("gradle-wrapper") { "./gradlew" } else { "gradle" };
    // A Spring Boot before 2.4 (as detected or as given) builds no layer index: its fat jar runs with java -jar.
    let boot_version = text("spring_boot_version");
    let launch = match text("launch") {
        Some("spring-boot") if !boot_version.is_none_or(boot_layers_by_default) => Some("jar"),
        other => other,
    };
    let layout = match (launch, boot_version) {
        (Some("spring-boot"), Some(version)) => Some(spring_boot_layout(version)),
        _ => None,
    };
    let copies_jar = matches!(launch, Some("spring-boot" | "jar"));
    let quarkus = text("framework") == Some("quarkus");
    let build_dir = match text("project").map(|p| p.trim_start_matches(':')) {
        Some(path) if !path.is_empty() => format!("{}/build", path.replace(':', "/")),
        _ => "build".to_string(),
    };
    let launch = launch.map(String::from);
    if let Some(launch) = launch {
        values.insert("launch".into(), Value::from(launch));
    }
    if copies_jar {
        values.insert("artifact".into(), Value::from("app.jar"));
        // Quarkus writes its runner jar beside quarkus-app/, every other task to libs/.
        let jar_dir = if quarkus { build_dir.clone() } else { format!("{build_dir}/libs") };
        values.insert("jar_dir".into(), Value::from(jar_dir));
        if !values.contains_key("jar_name") {
            values.insert("jar_name".into(), Value::from("*.jar"));
        }
    }
    values.insert("gradle_command".into(), Value::from(command));
    values.insert("build_dir".into(), Value::from(build_dir));
    if let Some(layout) = layout {
        values.insert("spring_boot_layout".into(), Value::from(layout));
    }
}
