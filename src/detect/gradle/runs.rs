//! Which Gradle builds the project and on which JDK: the wrapper's Gradle, else dockgen's default (the newest,
//! or the newest that still runs on an older Java the build targets); the JDK is the build's Java line, moved
//! into the range of lines that Gradle runs on (Gradle 9 needs Java 17 to start; 7.6 dies on Java 21), since
//! `release` and the compatibility settings still compile for the line asked.

use super::build::Build;
use crate::detect::Fact;
use crate::knowledge::jvm::{gradle, gradle_lines};

const KNOWLEDGE: &str = "src/knowledge/jvm/gradle.toml";

/// The Gradle version as a fact, and the warning a default needs: the wrapper's, else the default for the
/// Java line (`java`: the build's, when known).
pub(super) fn gradle_version(build: &Build, java: Option<u32>) -> (Fact, Option<String>) {
    if let Some((version, source)) = &build.gradle_version {
        return (Fact::new(version.clone(), source.clone()), None);
    }
    let known = &gradle().version;
    let legacy = known.legacy.as_ref().filter(|legacy| java.is_some_and(|line| line < legacy.below_java));
    let (version, note) = match legacy {
        Some(legacy) => (
            &legacy.version,
            format!("dockgen's default for a build targeting Java older than {}", legacy.below_java),
        ),
        None => (&known.default, "dockgen's default".to_string()),
    };
    let why = match (legacy, known.released) {
        (Some(legacy), _) => format!(" (the build targets Java older than {}, which Gradle {} no longer starts on)", legacy.below_java, known.default),
        (None, Some(day)) => format!(" (out by {day})"),
        (None, None) => String::new(),
    };
    let warning = format!(
        "no Gradle version in the repository (gradle/wrapper/gradle-wrapper.properties): Gradle {version}{why} is \
         used; pin it with --set gradle_version=VERSION"
    );
    (Fact::new(version.clone(), KNOWLEDGE).with_note(note), Some(warning))
}

/// Why the builder's JDK is not the build's own `java` line (`knowledge::jvm::gradle_jdk_line`, which the
/// preset's builder image uses): the oldest line Gradle starts on when the build targets an older one (a
/// toolchain then needs that JDK too: said), the newest it runs on when the build targets a newer one.
pub(super) fn builder_line(gradle_version: &str, java: u32, toolchain: bool) -> Option<(u32, String)> {
    let (oldest, newest) = gradle_lines(gradle_version);
    if let Some(oldest) = oldest.filter(|oldest| java < *oldest) {
        let toolchain_too = if toolchain {
            format!(
                "; the toolchain asks for a JDK {java} the builder lacks: pin an older Gradle (--set \
                 gradle_version=VERSION) or let the toolchain download one"
            )
        } else {
            String::new()
        };
        let why = format!(
            "Gradle {gradle_version} starts on Java {oldest} or later: the builder is a JDK {oldest}, which compiles for \
             Java {java}{toolchain_too}"
        );
        return Some((oldest, why));
    }
    let newest = newest.filter(|newest| java > *newest)?;
    Some((
        newest,
        format!(
            "Gradle {gradle_version} runs on Java {newest} at most, and the build targets Java {java}: the builder is a \
             JDK {newest}, which compiles for {java} only through a toolchain that provides a JDK {java}; upgrade \
             Gradle to build on {java}"
        ),
    ))
}
