//! The Java release a module targets (from its pom) and the lines dockgen builds and runs it on: the JDK of
//! that release and the JRE of the first LTS line at or above it (knowledge/jvm/lines.toml).

use std::path::Path;

use super::pom::Props;
use super::{plugin, Project};
use crate::detect::toolchains::{self, Mention, Place, Tool};
use crate::detect::Fact;
use crate::knowledge::jvm::{self, java_runtime_line};

/// The release in the order Maven's compiler applies the settings; `1.8` means 8.
pub(super) fn java_version(project: &Project) -> Option<Fact> {
    if let Some((version, source, note)) = release_from_props(&project.props) {
        return Some(Fact::new(version, source).with_note(note));
    }
    let compiler = plugin(project, "maven-compiler-plugin")?;
    ["configuration/release", "configuration/source", "configuration/target"]
        .iter()
        .find_map(|path| {
            let (value, line) = compiler.value(path)?;
            let value = project.props.resolve(value).ok()?;
            java_release(&value).map(|v| {
                Fact::new(v, format!("{}:{line}", project.file)).with_note(format!("maven-compiler-plugin {path}"))
            })
        })
}

/// When the pom names no release: the Java line the repository's tool-version files pin, else the newest LTS
/// line its CI workflows build with, else its own Dockerfile's JDK.
pub(super) fn named_elsewhere(root: &Path, dir: &str) -> Option<Fact> {
    let dirs: Vec<&str> = if dir == "." { vec!["."] } else { vec![dir, "."] };
    let mentions = toolchains::mentions(root, &dirs, Tool::Java);
    let release = |m: &&Mention| {
        let major = m.version.strip_prefix("1.").unwrap_or(&m.version);
        java_release(major.split('.').next().unwrap_or_default())
    };
    for place in [Place::ToolFile, Place::Ci, Place::ContainerFile] {
        let named: Vec<(String, &Mention)> = mentions
            .iter()
            .filter(|m| m.place == place)
            .filter_map(|m| release(&m).map(|r| (r, m)))
            .collect();
        let lts = |r: &str| r.parse().ok().and_then(java_runtime_line) == r.parse().ok();
        let chosen = if place == Place::ToolFile {
            named.first()
        } else {
            let newest = |only_lts: bool| {
                named
                    .iter()
                    .filter(|(r, _)| !only_lts || lts(r))
                    .max_by_key(|(r, _)| r.parse::<u32>().unwrap_or_default())
            };
            newest(true).or_else(|| newest(false))
        };
        if let Some((release, mention)) = chosen {
            return Some(
                Fact::new(release.clone(), mention.source.clone())
                    .with_note(format!("the pom names no release; {} names Java {}", place.said(), mention.version)),
            );
        }
    }
    None
}

/// The release the compiler properties ask for: `(release, source, what said it)`.
pub(super) fn release_from_props(props: &Props) -> Option<(String, String, String)> {
    [
        "maven.compiler.release",
        "maven.compiler.source",
        "maven.compiler.target",
        "java.version",
        // Micronaut's parent and others build maven.compiler.release from these.
        "release.version",
        "jdk.version",
    ]
    .iter()
    .find_map(|key| {
        let (value, source) = props.get(key)?;
        let value = props.resolve(value).ok()?;
        let version = java_release(&value)?;
        Some((version, source.to_string(), format!("{key} = {value}")))
    })
}

pub(super) fn java_release(value: &str) -> Option<String> {
    let version = value.strip_prefix("1.").unwrap_or(value);
    (!version.is_empty() && version.len() <= 3 && version.chars().all(|c| c.is_ascii_digit()))
        .then(|| version.to_string())
}

/// The JDK line to build a requested release with: the release itself when Temurin publishes it, else the
/// next LTS line (a newer compiler builds every older release); the note says what was decided.
pub(super) fn build_line(asked: Fact) -> (Fact, Option<String>) {
    let Some(note) = asked.value.as_str().and_then(line_note) else {
        return (asked, None);
    };
    let release: Option<u32> = asked.value.as_str().and_then(|v| v.parse().ok());
    let published = release.is_some_and(|r| jvm::lines().iter().any(|l| l.version == r));
    match release.and_then(java_runtime_line) {
        Some(lts) if !published => {
            let said = asked.note.clone().unwrap_or_default();
            let fact = Fact {
                value: lts.to_string().into(),
                note: Some(format!("{said}; built on the next LTS line")),
                ..asked
            };
            (fact, Some(note))
        }
        _ => (asked, Some(note)),
    }
}

/// What the lines table says about a requested release, for a note.
fn line_note(release: &str) -> Option<String> {
    let asked: u32 = release.parse().ok()?;
    let table = jvm::lines();
    match java_runtime_line(asked) {
        Some(lts) if lts != asked => Some(if table.iter().any(|l| l.version == asked) {
            format!("Java {asked} is not an LTS line: built with JDK {asked}, run on the Java {lts} JRE (the next LTS line)")
        } else {
            format!("Java {asked} has no Temurin images: built and run on Java {lts}, the next LTS line")
        }),
        Some(_) => None,
        None => Some(format!(
            "Java {asked} is newer than the lines dockgen knows; its images may not exist yet"
        )),
    }
}

/// Whether a profile's `<activation><jdk>` matches a JDK of `release`: a prefix (`17`, `1.8`), a negated
/// prefix (`!1.8`) or a version range (`[17,)`, `(,11]`, `[11,17)`).
pub(super) fn jdk_activation_matches(spec: &str, release: u32) -> bool {
    let spec = spec.trim();
    if let Some(negated) = spec.strip_prefix('!') {
        return !jdk_activation_matches(negated, release);
    }
    let number = |text: &str| -> Option<u32> {
        let text = text.trim();
        let text = text.strip_prefix("1.").unwrap_or(text);
        text.split('.').next()?.parse().ok()
    };
    if let (Some(open), Some(close)) = (spec.chars().next(), spec.chars().last()) {
        if matches!(open, '[' | '(') && matches!(close, ']' | ')') && spec.len() >= 2 {
            let inner = &spec[1..spec.len() - 1];
            let Some((low, high)) = inner.split_once(',') else {
                return number(inner) == Some(release);
            };
            let low_ok = low.trim().is_empty()
                || number(low).is_some_and(|l| if open == '[' { release >= l } else { release > l });
            let high_ok = high.trim().is_empty()
                || number(high).is_some_and(|h| if close == ']' { release <= h } else { release < h });
            return low_ok && high_ok;
        }
    }
    number(spec) == Some(release)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_lts_releases_run_on_the_next_lts_line() {
        assert!(line_note("23")
            .unwrap()
            .contains("built with JDK 23, run on the Java 25 JRE"));
        assert!(line_note("10").unwrap().contains("no Temurin images"));
        assert_eq!(line_note("21"), None);
    }

    #[test]
    fn jdk_activation_specs() {
        assert!(jdk_activation_matches("17", 17));
        assert!(jdk_activation_matches("1.8", 8));
        assert!(!jdk_activation_matches("!1.8", 8));
        assert!(jdk_activation_matches("!1.8", 17));
        assert!(jdk_activation_matches("[17,)", 21));
        assert!(!jdk_activation_matches("[17,)", 11));
        assert!(jdk_activation_matches("(,11]", 11));
        assert!(!jdk_activation_matches("[11,17)", 17));
        assert!(!jdk_activation_matches("nonsense", 17));
    }

    #[test]
    fn java_release_normalises_old_style_versions() {
        assert_eq!(java_release("1.8").as_deref(), Some("8"));
        assert_eq!(java_release("11").as_deref(), Some("11"));
        assert_eq!(java_release("${x}"), None);
        assert_eq!(java_release("17; rm"), None);
    }
}
