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

/// What each locked (or pinned) package that stops at some line says about it: the newest line it installs and
/// runs on. Empty when nothing limits the line. (`version::python_line` takes the lowest that the project's own
/// range leaves a line for: a lock made on 3.11 holding a package whose wheels stop at 3.9 installed it from its
/// source.)
pub(super) fn newest_lines(locked: Option<(&str, &[Locked])>, dependencies: &[Dependency]) -> Vec<Cap> {
    match locked {
        // A pure package's wheel fits every line: the known releases say where it stops running.
        Some((file, packages)) => {
            let main = || packages.iter().filter(|p| p.main);
            let wheels = main().filter_map(|package| {
                let minor = newest_interpreter(package.files.iter().map(String::as_str))?;
                Some(Cap {
                    minor,
                    why: format!("{} {} has wheels up to CPython 3.{minor} only", package.name, package.version),
                    source: file.to_string(),
                })
            });
            let known = known_releases(main().map(|p| (p.name.as_str(), Allowed::Exactly(&p.version), file)));
            wheels.chain(known).collect()
        }
        None => known_releases(dependencies.iter().filter_map(|d| {
            let allowed = match (&d.pinned, &d.below) {
                (Some(pin), _) => Allowed::Exactly(pin),
                (None, Some((bound, inclusive))) => Allowed::Below(bound, *inclusive),
                (None, None) => return None,
            };
            Some((d.name.as_str(), allowed, d.source.as_str()))
        })),
    }
}

/// The releases a requirement allows: one (`==2.9.5`, a lock's version), or those below a bound (`<3.0`; with
/// `true`, the bound too: `<=2.2.28`).
enum Allowed<'a> {
    Exactly(&'a str),
    Below(&'a str, bool),
}

impl Allowed<'_> {
    /// Whether every release allowed is older than `first`.
    fn all_before(&self, first: &Version) -> bool {
        match self {
            Allowed::Exactly(version) => Version::from_str(version).is_ok_and(|v| v < *first),
            Allowed::Below(bound, inclusive) => {
                Version::from_str(bound).is_ok_and(|b| if *inclusive { b < *first } else { b <= *first })
            }
        }
    }

    fn describe(&self, name: &str) -> String {
        match self {
            Allowed::Exactly(version) => format!("{name} {version}"),
            Allowed::Below(bound, true) => format!("{name} up to {bound}"),
            Allowed::Below(bound, false) => format!("{name} below {bound}"),
        }
    }
}

/// The caps requirements set (`==` pins, upper bounds, a lock's versions: name, what is allowed, where), by the
/// first release of each known package that installs and runs on each line.
fn known_releases<'a>(versions: impl Iterator<Item = (&'a str, Allowed<'a>, &'a str)>) -> Vec<Cap> {
    let mut caps = Vec::new();
    for (name, allowed, source) in versions {
        let Some(known) = native_releases(name) else {
            continue;
        };
        // The oldest line no allowed release installs on; the cap is the line before it.
        let blocked = known
            .first
            .iter()
            .filter(|(_, first)| Version::from_str(first).is_ok_and(|first| allowed.all_before(&first)))
            .filter_map(|(line, _)| line.strip_prefix("3.")?.parse::<u32>().ok())
            .min();
        let Some(blocked) = blocked else { continue };
        caps.push(Cap {
            minor: blocked - 1,
            why: format!("{} does not install on Python 3.{blocked} or newer", allowed.describe(name)),
            source: source.to_string(),
        });
    }
    caps
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

/// Why the dependencies would not all install on Alpine's musl libc with `CPython` 3.`minor` without a compiler:
/// the production packages of a lock whose Linux wheels are all built for glibc (`manylinux`), or whose only
/// source holds native code dockgen knows of; or no lock that lists wheels at all (requirement files and
/// Pipfile.lock say nothing of them). None when every package has a pure-Python wheel, a musllinux wheel for
/// the line, or a source to build that holds no native code dockgen knows of. Returns (why, where).
pub(super) fn musl_blockers(
    locked: Option<(&str, &[Locked])>,
    dependencies: &[Dependency],
    minor: u32,
) -> Option<(String, String)> {
    let Some((file, packages)) = locked else {
        let first = dependencies.first()?;
        return Some((
            "no lock that lists each package's wheels (uv.lock, poetry.lock, pdm.lock): whether every dependency has \
             a musl wheel cannot be told"
                .to_string(),
            first.source.clone(),
        ));
    };
    let known_native = |name: &str| {
        native_releases(name).is_some() || crate::knowledge::python::knowledge().native.iter().any(|n| n.package == name)
    };
    let blocked: Vec<String> = packages
        .iter()
        .filter(|p| p.main)
        .filter(|p| {
            let wheels: Vec<&str> = p.files.iter().filter_map(|f| f.strip_suffix(".whl")).collect();
            if wheels.is_empty() {
                // Built from its source at install: only code dockgen knows to be native needs a compiler.
                return known_native(&p.name);
            }
            !wheels.iter().any(|wheel| installs_on_musl(wheel, minor))
        })
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    (!blocked.is_empty()).then(|| {
        (
            format!(
                "{} {} no wheel for musl and CPython 3.{minor} (only glibc's manylinux, or a native source to compile)",
                blocked.join(", "),
                if blocked.len() == 1 { "has" } else { "have" }
            ),
            file.to_string(),
        )
    })
}

/// Whether a wheel (its file stem) installs on musl with `CPython` 3.`minor`: a pure-Python wheel, or a
/// musllinux one for that interpreter, for the stable ABI of an older one, or for no particular ABI.
fn installs_on_musl(stem: &str, minor: u32) -> bool {
    let tags: Vec<&str> = stem.rsplitn(4, '-').collect();
    let [platform, abi, python, ..] = tags[..] else { return false };
    if platform == "any" {
        return true;
    }
    if !platform.split('.').any(|p| p.starts_with("musllinux")) {
        return false;
    }
    let interpreters = || python.split('.').filter_map(|t| t.strip_prefix("cp3")?.parse::<u32>().ok());
    match abi {
        "none" => true,
        "abi3" => interpreters().any(|built| built <= minor),
        _ => interpreters().any(|built| built == minor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowest(caps: Vec<Cap>) -> Option<Cap> {
        caps.into_iter().min_by_key(|cap| cap.minor)
    }

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

    /// A lock's pure-Python package, which limits nothing.
    const PURE: &str = r#"
[[package]]
name = "six"
version = "1.16.0"
wheels = [{ url = "https://files.example/six-1.16.0-py2.py3-none-any.whl" }]
"#;

    #[test]
    fn a_lock_caps_the_line_at_its_most_limited_package() {
        let lock = PURE.to_string() + r#"
[[package]]
name = "psycopg2-binary"
version = "2.9.5"
wheels = [{ url = "https://files.example/psycopg2_binary-2.9.5-cp311-cp311-manylinux_2_17_x86_64.whl" }]
"#;
        let cap = lowest(newest_lines(Some(("uv.lock", &super::super::lock::parse(&lock).unwrap())), &[])).unwrap();
        assert_eq!(cap.minor, 11);
        assert_eq!(cap.why, "psycopg2-binary 2.9.5 has wheels up to CPython 3.11 only");
        assert_eq!(cap.source, "uv.lock");
    }

    #[test]
    fn musl_needs_a_pure_or_musllinux_wheel_for_the_line() {
        assert!(installs_on_musl("six-1.16.0-py2.py3-none-any", 13));
        assert!(installs_on_musl("orjson-3.10.0-cp313-cp313-musllinux_1_2_x86_64", 13));
        assert!(!installs_on_musl("orjson-3.10.0-cp312-cp312-musllinux_1_2_x86_64", 13));
        assert!(installs_on_musl("cryptography-44.0.0-cp39-abi3-musllinux_1_2_x86_64", 13));
        assert!(!installs_on_musl("cryptography-44.0.0-cp314-abi3-musllinux_1_2_x86_64", 13));
        assert!(installs_on_musl("ruff-0.8.0-py3-none-musllinux_1_2_x86_64", 11));
        assert!(!installs_on_musl("numpy-1.24.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", 11));
    }

    #[test]
    fn a_lock_names_the_packages_that_would_compile_on_alpine() {
        let lock = PURE.to_string() + r#"
[[package]]
name = "numpy"
version = "1.24.0"
wheels = [{ url = "https://files.example/numpy-1.24.0-cp311-cp311-manylinux_2_17_x86_64.whl" }]

[[package]]
name = "psycopg2"
version = "2.9.10"
sdist = { url = "https://files.example/psycopg2-2.9.10.tar.gz" }

[[package]]
name = "docopt"
version = "0.6.2"
sdist = { url = "https://files.example/docopt-0.6.2.tar.gz" }
"#;
        let packages = super::super::lock::parse(&lock).unwrap();
        let (why, source) = musl_blockers(Some(("uv.lock", &packages)), &[], 11).unwrap();
        assert_eq!(source, "uv.lock");
        assert!(why.starts_with("numpy 1.24.0, psycopg2 2.9.10 have no wheel for musl"), "{why}");
        let pure = super::super::lock::parse(PURE).unwrap();
        assert_eq!(musl_blockers(Some(("uv.lock", &pure)), &[], 11), None);
        let dependency = Dependency {
            name: "flask".into(),
            extras: Vec::new(),
            pinned: None,
            below: None,
            source: "requirements.txt:1".into(),
        };
        assert!(musl_blockers(None, &[dependency], 13).unwrap().0.starts_with("no lock that lists"));
        assert_eq!(musl_blockers(None, &[], 13), None);
    }

    #[test]
    fn pins_older_than_a_lines_first_release_cap_it() {
        let dependency = |name: &str, pin: &str| Dependency {
            name: name.into(),
            extras: Vec::new(),
            pinned: Some(pin.into()),
            below: None,
            source: "requirements.txt:3".into(),
        };
        let pinned = |dependencies: &[Dependency]| lowest(newest_lines(None, dependencies));
        let cap = pinned(&[dependency("psycopg2", "2.9.5"), dependency("flask", "3.0.0")]).unwrap();
        assert_eq!(cap.minor, 11);
        assert_eq!(pinned(&[dependency("psycopg2", "2.9.10")]).map(|c| c.minor), Some(13));
        assert_eq!(pinned(&[dependency("psycopg2", "2.9.11")]), None);
        // Pure Python, stopped by what a line removed: Django 3.2 imports distutils.
        let django = pinned(&[dependency("django", "3.2.25")]).unwrap();
        assert_eq!((django.minor, django.why.as_str()), (11, "django 3.2.25 does not install on Python 3.12 or newer"));
        let below = |bound: &str, inclusive: bool| Dependency {
            pinned: None,
            below: Some((bound.into(), inclusive)),
            ..dependency("django", "0")
        };
        let capped = |d: Dependency| lowest(newest_lines(None, &[d])).map(|c| (c.minor, c.why));
        assert_eq!(capped(below("3.0", false)), Some((11, "django below 3.0 does not install on Python 3.12 or newer".into())));
        assert_eq!(capped(below("5.1.3", false)).map(|c| c.0), Some(12));
        assert_eq!(capped(below("5.1.3", true)).map(|c| c.0), Some(13));
    }

    #[test]
    fn a_lock_of_pure_packages_is_capped_by_their_known_releases() {
        let lock = PURE.to_string() + r#"
[[package]]
name = "django"
version = "4.2.7"
wheels = [{ url = "https://files.example/Django-4.2.7-py3-none-any.whl" }]
"#;
        let packages = super::super::lock::parse(&lock).unwrap();
        let cap = lowest(newest_lines(Some(("uv.lock", &packages)), &[])).unwrap();
        assert_eq!((cap.minor, cap.source.as_str()), (11, "uv.lock"));
    }
}
