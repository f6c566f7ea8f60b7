//! The Java release a module targets, from its pom (the lines it is built and run on are `jvm::line`'s), and
//! the JDK versions a profile's activation matches.

use super::pom::Props;
use super::{plugin, Project};
use crate::detect::jvm::line::java_release;
use crate::detect::Fact;

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
}
