//! Programs an app runs that runtime images lack, and the package installing each per image family
//! (packages.toml).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::table;

const PACKAGES_TOML: &str = include_str!("packages.toml");

#[derive(Deserialize, Default)]
struct Packages {
    programs: BTreeMap<String, BTreeMap<String, String>>,
}

fn packages() -> &'static Packages {
    static PACKAGES: OnceLock<Packages> = OnceLock::new();
    PACKAGES.get_or_init(|| table(PACKAGES_TOML))
}

/// Whether dockgen knows how to install `program`.
pub(crate) fn is_known(program: &str) -> bool {
    packages().programs.contains_key(program)
}

/// The package that installs `program` in the image family `family` (`alpine`, `debian`), if any.
pub(crate) fn package_for(program: &str, family: &str) -> Option<&'static str> {
    packages().programs.get(program)?.get(family).map(String::as_str)
}

/// The program a package of an image family installs, when dockgen knows it (`imagemagick` → `convert`).
pub(crate) fn provided_by(package: &str, family: &str) -> Option<&'static str> {
    packages()
        .programs
        .iter()
        .find(|(_, families)| families.get(family).is_some_and(|p| p == package))
        .map(|(program, _)| program.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_program_installs_on_both_families() {
        let parsed: Packages = toml::from_str(PACKAGES_TOML).unwrap();
        assert!(parsed.programs.contains_key("git"));
        for (program, families) in &parsed.programs {
            for family in ["alpine", "debian"] {
                assert!(families.contains_key(family), "{program} has no {family} package");
            }
        }
        assert_eq!(package_for("sqlite3", "alpine"), Some("sqlite"));
        assert_eq!(provided_by("sqlite3", "debian"), Some("sqlite3"));
        assert_eq!(provided_by("libgl1", "debian"), None);
    }
}
