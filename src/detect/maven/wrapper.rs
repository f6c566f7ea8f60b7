//! Which Maven builds the project: the wrapper's (`./mvnw`, its version from
//! `.mvn/wrapper/maven-wrapper.properties`) or the builder image's. The version decides which command-line
//! flags are safe: `-ntp` exists from Maven 3.6.1.

use std::path::Path;

use crate::detect::{read_small_text, Candidate, Fact};

const WRAPPER_PROPERTIES: &str = ".mvn/wrapper/maven-wrapper.properties";

pub(super) fn build_tool(root: &Path, candidate: &mut Candidate) {
    let wrapper = root.join("mvnw").is_file() && root.join(".mvn/wrapper").is_dir();
    if !wrapper {
        candidate
            .facts
            .insert("build_tool".into(), Fact::new("maven", "pom.xml"));
        return;
    }
    candidate.facts.insert(
        "build_tool".into(),
        Fact::new("maven-wrapper", "mvnw").with_note(".mvn/wrapper/ is present"),
    );
    let Some(text) = read_small_text(&root.join(WRAPPER_PROPERTIES)) else {
        return;
    };
    match distribution_version(&text) {
        Some((version, line)) => {
            let source = format!("{WRAPPER_PROPERTIES}:{line}");
            let mut fact = Fact::new(version.clone(), source.clone()).with_note("the wrapper's distributionUrl");
            if !at_least(&version, &[3, 6, 1]) {
                fact = fact.with_note(format!(
                    "the wrapper's distributionUrl: Maven {version} predates -ntp (3.6.1), so the build runs without it"
                ));
            }
            candidate.facts.insert("maven_version".into(), fact);
        }
        None => candidate.warnings.push(format!(
            "{WRAPPER_PROPERTIES}: no distributionUrl naming an apache-maven version; ./mvnw is run with flags for Maven 3.6.1 or later"
        )),
    }
}

/// `distributionUrl=https\://…/apache-maven/3.3.9/apache-maven-3.3.9-bin.zip` → ("3.3.9", line).
fn distribution_version(text: &str) -> Option<(String, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let (key, value) = line.split_once('=')?;
        if key.trim() != "distributionUrl" {
            return None;
        }
        let file = value.trim().rsplit('/').next()?;
        let version = file
            .strip_prefix("apache-maven-")?
            .strip_suffix("-bin.zip")
            .or_else(|| file.strip_prefix("apache-maven-")?.strip_suffix("-bin.tar.gz"))?;
        let plausible = !version.is_empty()
            && version.len() <= 20
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
        plausible.then(|| (version.to_string(), i + 1))
    })
}

fn at_least(version: &str, minimum: &[u32]) -> bool {
    let numbers: Vec<u32> = version.split(['.', '-']).map_while(|p| p.parse().ok()).collect();
    numbers.as_slice() >= minimum
}

pub(super) fn fuzz_text(text: &str) -> usize {
    usize::from(distribution_version(text).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_version_from_the_distribution_url() {
        let text = "# comment\ndistributionUrl=https\\://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.3.9/apache-maven-3.3.9-bin.zip\nwrapperUrl=x\n";
        assert_eq!(distribution_version(text), Some(("3.3.9".into(), 2)));
        assert_eq!(distribution_version("distributionUrl=https://x/y.zip"), None);
        assert!(!at_least("3.3.9", &[3, 6, 1]));
        assert!(at_least("3.6.1", &[3, 6, 1]));
        assert!(at_least("3.9.9", &[3, 6, 1]));
        assert!(at_least("4.0.0-rc-2", &[3, 6, 1]));
    }
}
