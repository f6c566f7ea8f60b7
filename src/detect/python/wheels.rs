//! The newest Python line the project's locked or pinned native packages install on. A lock that lists each
//! package's wheels (uv.lock, poetry.lock, pdm.lock) says it itself: a package whose Linux wheels are all built
//! for particular interpreters (`cp311`, not `abi3` or `none`) installs up to the newest of them. Pins without
//! such a lock (`psycopg2==2.9.5`) are checked against `knowledge/python/wheels.toml`.

use std::str::FromStr;

use pep440_rs::Version;

use super::lock::Locked;
use super::requirements::Dependency;
use crate::knowledge::python::native_releases;

/// A line (its minor number: 11 for 3.11) and why nothing newer installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cap {
    pub(super) minor: u32,
    pub(super) why: String,
    /// The file that sets it (the lock, or the requirement's `file:line`).
    pub(super) source: String,
}

/// The newest line every locked (or pinned) native package installs on; None when nothing limits it.
pub(super) fn newest_line(locked: Option<(&str, &[Locked])>, dependencies: &[Dependency]) -> Option<Cap> {
    match locked {
        Some((file, packages)) => locked_cap(packages, file),
        None => pinned(dependencies),
    }
}

/// The cap a lock's wheels set (None: the lock limits nothing).
fn locked_cap(packages: &[Locked], file: &str) -> Option<Cap> {
    let mut cap: Option<Cap> = None;
    for package in packages.iter().filter(|p| p.main) {
        let Some(minor) = newest_interpreter(package.files.iter().map(String::as_str)) else { continue };
        if cap.as_ref().is_none_or(|c| minor < c.minor) {
            cap = Some(Cap {
                minor,
                why: format!("{} {} has wheels up to CPython 3.{minor} only", package.name, package.version),
                source: file.to_string(),
            });
        }
    }
    cap
}

/// The newest `CPython` minor a package's Linux wheels are built for, when every one of them is built for
/// particular interpreters; None for a package with a universal wheel (`py3-none-any`, `abi3`), or none for
/// Linux.
fn newest_interpreter<'a>(files: impl Iterator<Item = &'a str>) -> Option<u32> {
    let mut newest = None;
    for file in files {
        let Some(stem) = file.strip_suffix(".whl") else { continue };
        let tags: Vec<&str> = stem.rsplitn(4, '-').collect();
        let [platform, abi, python, ..] = tags[..] else { continue };
        if abi == "none" || abi == "abi3" {
            return None;
        }
        if !platform.contains("linux") {
            continue;
        }
        for tag in python.split('.') {
            if let Some(minor) = tag.strip_prefix("cp3").and_then(|m| m.parse::<u32>().ok()) {
                newest = newest.max(Some(minor));
            }
        }
    }
    newest
}

/// The cap `==` pins set, by the first release of each known package that installs on each line.
fn pinned(dependencies: &[Dependency]) -> Option<Cap> {
    let mut cap: Option<Cap> = None;
    for dependency in dependencies {
        let (Some(pin), Some(known)) = (&dependency.pinned, native_releases(&dependency.name)) else {
            continue;
        };
        let Ok(pin_version) = Version::from_str(pin) else { continue };
        // The oldest line this release does not install on; the cap is the line before it.
        let blocked = known
            .first
            .iter()
            .filter(|(_, first)| Version::from_str(first).is_ok_and(|first| pin_version < first))
            .filter_map(|(line, _)| line.strip_prefix("3.")?.parse::<u32>().ok())
            .min();
        let Some(blocked) = blocked else { continue };
        let minor = blocked - 1;
        if cap.as_ref().is_none_or(|c| minor < c.minor) {
            cap = Some(Cap {
                minor,
                why: format!("{} {pin} does not install on Python 3.{blocked} or newer", dependency.name),
                source: dependency.source.clone(),
            });
        }
    }
    cap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheels_name_their_interpreters() {
        let old = [
            "psycopg2_binary-2.9.5-cp310-cp310-manylinux_2_17_x86_64.whl",
            "psycopg2_binary-2.9.5-cp311-cp311-manylinux_2_17_x86_64.whl",
            "psycopg2_binary-2.9.5-cp312-cp312-win_amd64.whl",
        ];
        assert_eq!(newest_interpreter(old.into_iter()), Some(11));
        assert_eq!(newest_interpreter(["six-1.16.0-py2.py3-none-any.whl"].into_iter()), None);
        assert_eq!(newest_interpreter(["cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl"].into_iter()), None);
        assert_eq!(newest_interpreter(["pywin32-306-cp311-cp311-win_amd64.whl"].into_iter()), None);
    }

    #[test]
    fn a_lock_caps_the_line_at_its_most_limited_package() {
        let lock = r#"
[[package]]
name = "six"
version = "1.16.0"
wheels = [{ url = "https://files.example/six-1.16.0-py2.py3-none-any.whl" }]

[[package]]
name = "psycopg2-binary"
version = "2.9.5"
wheels = [{ url = "https://files.example/psycopg2_binary-2.9.5-cp311-cp311-manylinux_2_17_x86_64.whl" }]
"#;
        let cap = locked_cap(&super::super::lock::parse(lock).unwrap(), "uv.lock").unwrap();
        assert_eq!(cap.minor, 11);
        assert_eq!(cap.why, "psycopg2-binary 2.9.5 has wheels up to CPython 3.11 only");
        assert_eq!(cap.source, "uv.lock");
    }

    #[test]
    fn pins_older_than_a_lines_first_release_cap_it() {
        let dependency = |name: &str, pin: &str| Dependency {
            name: name.into(),
            extras: Vec::new(),
            pinned: Some(pin.into()),
            source: "requirements.txt:3".into(),
        };
        let cap = pinned(&[dependency("psycopg2", "2.9.5"), dependency("flask", "3.0.0")]).unwrap();
        assert_eq!(cap.minor, 11);
        assert_eq!(pinned(&[dependency("psycopg2", "2.9.10")]).map(|c| c.minor), Some(13));
        assert_eq!(pinned(&[dependency("psycopg2", "2.9.11")]), None);
    }
}
