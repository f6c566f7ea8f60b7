//! How the project already runs its Go program (a hand-written Dockerfile, compose, Procfile, Kubernetes),
//! applied to the main packages: a command runs a program when its first word is the program's binary.

use std::path::Path;

use crate::detect::deploy::{self, Program, Start};
use crate::detect::{Candidate, ChoiceOption, Facts};

/// How the project already runs its program (a hand-written Dockerfile, compose, Procfile), applied to the
/// program it runs.
pub(super) fn apply(root: &Path, options: &mut [ChoiceOption], candidate: &mut Candidate) {
    let mut programs: Vec<Program> = options
        .iter_mut()
        .map(|option| Program {
            names: binary_of(&option.facts).into_iter().collect(),
            dir: ".".into(),
            facts: &mut option.facts,
            warnings: &mut option.warnings,
            builds_frontend: false,
            runs_python_scripts: false,
            kept_at_start: |_| false,
            takes_workdir: true,
            // The toolchain's settings: they change how the binary is built, nothing at run time.
            own_env: &["CGO_ENABLED", "GOOS", "GOARCH", "GOARM", "GOAMD64", "GOFLAGS", "GOPROXY", "GOPRIVATE", "GO111MODULE", "GOPATH", "GOCACHE"],
        })
        .collect();
    let notes = deploy::apply_to_programs(root, &mut programs, &runs_binary, &|s| s.to_string());
    candidate.notes.extend(notes);
    for option in options.iter_mut() {
        drop_passed_port_flag(&mut option.facts);
        super::runfiles::ship_named_arguments(root, &mut option.facts);
    }
}

/// The binary a program builds.
fn binary_of(facts: &Facts) -> Option<String> {
    facts.get("binary_name")?.value.as_str().map(String::from)
}

/// A command runs a Go program when its first word is the program's binary (by any path).
fn runs_binary(facts: &Facts, words: &[String]) -> Option<Start> {
    let binary = facts.get("binary_name")?.value.as_str()?;
    (deploy::base_name(words.first()?) == binary).then(|| Start::words(1))
}

/// Arguments that already pass the listen flag set the port themselves: the template does not add it again.
fn drop_passed_port_flag(facts: &mut Facts) {
    let Some(flag) = facts
        .get("port_flag")
        .and_then(|f| f.value["name"].as_str().map(String::from))
    else {
        return;
    };
    let passes = facts
        .get("args")
        .and_then(|f| f.value.as_array())
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str())
        .any(|arg| {
            let name = arg.trim_start_matches('-');
            arg.starts_with('-') && (name == flag || name.starts_with(&format!("{flag}=")))
        });
    if passes {
        facts.shift_remove("port_flag");
    }
}
