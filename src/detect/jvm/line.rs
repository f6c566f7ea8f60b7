//! The Java line a JVM build runs on, whatever the build tool: a release as written (`1.8` is 8), the lines the
//! repository names besides its build file (tool-version files, CI, its Dockerfile), and the JDK and JRE lines
//! dockgen builds and runs a release on (knowledge/jvm/lines.toml).

use std::path::Path;

use crate::detect::toolchains::{self, Mention, Place, Tool};
use crate::detect::Fact;
use crate::knowledge::jvm::{self, java_runtime_line};

/// When the build file (`build_file`: "the pom") names no release: the Java line the repository's tool-version files pin, else the newest LTS
/// line its CI workflows build with, else its own Dockerfile's JDK.
pub(in crate::detect) fn named_elsewhere(root: &Path, dir: &str, build_file: &str) -> Option<Fact> {
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
            return Some(Fact::new(release.clone(), mention.source.clone()).with_note(format!(
                "{build_file} names no release; {} names Java {}",
                place.said(),
                mention.version
            )));
        }
    }
    None
}

pub(in crate::detect) fn java_release(value: &str) -> Option<String> {
    let version = value.strip_prefix("1.").unwrap_or(value);
    (!version.is_empty() && version.len() <= 3 && version.chars().all(|c| c.is_ascii_digit()))
        .then(|| version.to_string())
}

/// The JDK line to build a requested release with: the release itself when Temurin publishes it, else the
/// next LTS line (a newer compiler builds every older release); the note says what was decided.
pub(in crate::detect) fn build_line(asked: Fact) -> (Fact, Option<String>) {
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
    fn java_release_normalises_old_style_versions() {
        assert_eq!(java_release("1.8").as_deref(), Some("8"));
        assert_eq!(java_release("11").as_deref(), Some("11"));
        assert_eq!(java_release("${x}"), None);
        assert_eq!(java_release("17; rm"), None);
    }
}
