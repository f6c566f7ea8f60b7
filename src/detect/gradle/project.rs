//! One project of a Gradle build (or a convention plugin of its build logic, read the same way).

use super::script::Script;

/// One project of the build.
#[derive(Debug)]
pub(super) struct Project {
    /// Its Gradle path: `:` for the root, `:app`, `:services:api`.
    pub(super) path: String,
    /// Its folder, relative to the repository (`.`, `app`, `services/api`).
    pub(super) dir: String,
    /// Its build script.
    pub(super) file: String,
    /// Its project name: the settings' `rootProject.name` for the root (else the build folder's name, which is
    /// the image's working folder `src`), the last part of its path for the others.
    pub(super) name: String,
    /// Whether the build names it (a subproject, or a root with `rootProject.name`), not the folder it is in.
    pub(super) named: bool,
    /// Where its name is written: the settings script's line (`include`, `rootProject.name`), else its build
    /// script.
    pub(super) name_source: String,
    pub(super) script: Script,
}

impl Project {
    /// What goes before a task name in its path: nothing for the root, `:app` for `:app`.
    pub(super) fn path_prefix(&self) -> &str {
        if self.path == ":" {
            ""
        } else {
            &self.path
        }
    }
}
