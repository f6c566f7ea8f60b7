//! The runtime contract the deployment files describe, one record whatever file it came from: ports, the
//! command, environment, volumes, WORKDIR and health check, each value with its `file:line`; how a
//! lower-ranked file fills what a higher one left out, and the note that says what was carried over.

use super::build_steps::BuiltFrontend;
use crate::validate;

/// A value with the `file:line` it came from.
pub(crate) type Sourced<T> = (T, String);

/// The runtime contract the deployment files describe; every part is optional.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Runtime {
    /// The (TCP) ports the program serves, in the order written.
    pub(crate) ports: Vec<Sourced<u16>>,
    /// The UDP ports it serves (`EXPOSE 53/udp`, compose `53:53/udp`, a container port with `protocol: UDP`).
    pub(crate) udp_ports: Vec<Sourced<u16>>,
    /// TCP ports a lower-ranked file publishes that `ports` (a higher-ranked file's) lack: compose's `5000:5000`
    /// beside an old Dockerfile's `EXPOSE 500`. The code's port settles such a disagreement.
    pub(crate) other_ports: Vec<Sourced<u16>>,
    /// The command that starts the program, as words (`ENTRYPOINT` + `CMD`, compose `command`, Procfile `web:`).
    pub(crate) command: Option<Sourced<Vec<String>>>,
    /// The steps a shell command runs before it (`python manage.py migrate && gunicorn …`), which the new
    /// image's exec-form command does not run.
    pub(crate) steps_before: Vec<String>,
    /// The folder the command runs in, relative to the app's, when the start script or chain moves there first
    /// (`cd src && gunicorn …`); None: the app's own folder.
    pub(crate) run_dir: Option<String>,
    /// Arguments given to the image's own command without naming the program (a Kubernetes container's
    /// `args` without `command`).
    pub(crate) entry_args: Option<Sourced<Vec<String>>>,
    /// Plain environment values the program reads at run time.
    pub(crate) env: Vec<Sourced<(String, String)>>,
    /// Variables whose names say they hold credentials: only their names are kept, for a hint.
    pub(crate) secret_env: Vec<Sourced<String>>,
    /// Variables whose compose value names another service of that compose file (`mongodb://mongodb:27017`):
    /// its host name resolves only inside that project, so only the names are kept, given at run time.
    pub(crate) service_env: Vec<Sourced<String>>,
    /// Container paths declared as volumes.
    pub(crate) volumes: Vec<Sourced<String>>,
    pub(crate) workdir: Option<Sourced<String>>,
    /// The old final stage's WORKDIR as written, also one the new image would not take (`/usr/src/app`): where
    /// its paths relative to the program were.
    pub(crate) old_workdir: Option<String>,
    /// The health check command in exec form, with its options (`--interval=30s`).
    pub(crate) healthcheck: Option<Sourced<(Vec<String>, Vec<String>)>>,
    /// Where the old final stage copied files from the build context (`COPY conf/app.yml /etc/app/`): the
    /// program's arguments may name them, and the new image holds only the program.
    pub(crate) copied_in: Vec<Sourced<Copied>>,
    /// Each folder of the context the old final stage copied whole (`COPY src ./` under WORKDIR /app): the
    /// folder and where its files landed, an absolute path; for finding the repository file an image path is.
    pub(crate) folder_copies: Vec<(String, String)>,
    /// The name of the compose service that builds the app, with its compose file (a rewrite of that file keeps
    /// the name: override files extend it).
    pub(crate) service_name: Option<Sourced<String>>,
    /// The other compose services the app's service talks to (by `depends_on` or a variable whose value names
    /// one), by image: the backing services a generated compose.yaml runs beside it.
    pub(crate) links: Vec<Sourced<Link>>,
    /// A Node front-end built in a stage of its own, whose output the final stage copies into the app.
    pub(crate) frontend: Option<Sourced<BuiltFrontend>>,
    /// System packages the final stage installs for run time, with their image family (`debian`, `alpine`).
    pub(crate) packages: Vec<Sourced<(String, &'static str)>>,
    /// The line where the final stage adds a package source of its own (an apt list, a PPA, an apk repository).
    pub(crate) package_source: Option<String>,
    /// Packages the final stage installs after adding that source: they may exist only there, so they are said,
    /// not carried over.
    pub(crate) foreign_packages: Vec<Sourced<String>>,
    /// Python packages the final stage installs by name besides the project's dependencies (`pip install
    /// gunicorn`), as written.
    pub(crate) pip_packages: Vec<Sourced<String>>,
    /// Absolute folders the final stage makes and hands to a user (`mkdir -p /data && chown node /data`): the
    /// program writes there.
    pub(crate) owned_dirs: Vec<Sourced<String>>,
    /// Python scripts of the project the final stage runs once its sources are in (`RUN python db.py`): a step
    /// the image needs (tables made, data prepared), carried over with where it came from.
    pub(crate) script_runs: Vec<Sourced<Vec<String>>>,
}

/// A file that holds secrets (a dotenv file, keys; the table the `.dockerignore` keeps out): never copied into
/// an image, whatever the old one did.
fn holds_secrets(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    crate::knowledge::node::runtime().is_secret(name)
}

/// One `COPY` of the old final stage from the build context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Copied {
    /// Where it lands in the image (a folder, or the file's path).
    pub(crate) dest: String,
    /// The one file it copies and where that file lands, when it copies a single plain repository path
    /// (`conf/app.yml` → `/etc/app/app.yml`).
    pub(crate) file: Option<(String, String)>,
}

/// A compose service the app's service talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) image: String,
    /// The variable whose value names it, and whether that value is a URL (`scheme://…`).
    pub(crate) variable: Option<(String, bool)>,
}

/// Fills what `found` lacks from a lower-ranked file (compose under a Dockerfile, Procfile under both).
pub(super) fn merge(found: &mut Runtime, other: Runtime, runs_program: &dyn Fn(&Runtime) -> bool) {
    if found.command.is_none() && runs_program(&other) {
        found.command = other.command;
        found.steps_before = other.steps_before;
        found.run_dir = other.run_dir;
    }
    if found.command.is_none() && found.entry_args.is_none() {
        found.entry_args = other.entry_args;
    }
    if found.ports.is_empty() && found.udp_ports.is_empty() {
        found.ports = other.ports;
        found.udp_ports = other.udp_ports;
    } else {
        for (port, source) in other.ports {
            if !found
                .ports
                .iter()
                .chain(&found.other_ports)
                .any(|(known, _)| *known == port)
            {
                found.other_ports.push((port, source));
            }
        }
    }
    for pair in other.env {
        if !found.env.iter().any(|((name, _), _)| *name == pair.0 .0) {
            found.env.push(pair);
        }
    }
    for secret in other.secret_env {
        if !found.secret_env.iter().any(|(name, _)| *name == secret.0) {
            found.secret_env.push(secret);
        }
    }
    for wired in other.service_env {
        if !found.service_env.iter().any(|(name, _)| *name == wired.0) {
            found.service_env.push(wired);
        }
    }
    for volume in other.volumes {
        if !found.volumes.iter().any(|(path, _)| *path == volume.0) {
            found.volumes.push(volume);
        }
    }
    if found.old_workdir.is_none() {
        found.old_workdir = other.old_workdir;
    }
    if found.workdir.is_none() {
        found.workdir = other.workdir;
    }
    if found.service_name.is_none() {
        found.service_name = other.service_name;
    }
    for link in other.links {
        if !found.links.iter().any(|(known, _)| *known == link.0) {
            found.links.push(link);
        }
    }
}

/// A variable for the runtime contract: a secret by its name or a password in its value (a URL's user part)
/// keeps only its name; a value that is not plain text (a `$` reference, quotes, spaces) is not taken.
pub(super) fn add_env(found: &mut Runtime, name: String, value: Option<String>, source: &str) {
    if !is_program_variable(&name) {
        return;
    }
    let password_in_value = value.as_deref().is_some_and(validate::holds_password);
    if validate::looks_secret(&name) || password_in_value {
        found.secret_env.push((name, source.to_string()));
        return;
    }
    let Some(value) = value.filter(|v| validate::env_value(v).is_ok()) else {
        return;
    };
    found.env.push(((name, value), source.to_string()));
}

/// A variable that addresses another service (`REDIS_URL=redis://redis:6379`): kept by name, for run time.
pub(super) fn add_service_env(found: &mut Runtime, name: String, source: &str) {
    if is_program_variable(&name) && !found.service_env.iter().any(|(known, _)| *known == name) {
        found.service_env.push((name, source.to_string()));
    }
}

/// A name the program can be given as a variable: a valid one (not `database.host`, which a shell cannot
/// export), and not `COMPOSE_*`, which configures Compose itself (`COMPOSE_PROFILES`).
fn is_program_variable(name: &str) -> bool {
    validate::is_env_name(name) && !name.starts_with("COMPOSE_")
}

impl Runtime {
    /// The program's arguments: the command's words after the first `skip` (the program and what starts it).
    pub(super) fn args(&self, skip: usize) -> Option<Sourced<Vec<String>>> {
        let (words, source) = self.command.as_ref()?;
        let args: Vec<String> = words.iter().skip(skip).cloned().collect();
        (!args.is_empty()).then(|| (args, source.clone()))
    }

    /// What is carried over, with where each part came from, for a note; None when nothing it carries is
    /// worth one (links to other services, said where they are used).
    pub(crate) fn summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.ports.is_empty() {
            let numbers: Vec<String> = self.ports.iter().map(|(p, _)| p.to_string()).collect();
            parts.push(format!("ports {} ({})", numbers.join(" "), self.ports[0].1));
        }
        if !self.udp_ports.is_empty() {
            let numbers: Vec<String> = self.udp_ports.iter().map(|(p, _)| format!("{p}/udp")).collect();
            parts.push(format!("ports {} ({})", numbers.join(" "), self.udp_ports[0].1));
        }
        if let Some((words, source)) = &self.command {
            parts.push(format!(
                "the command `{}` ({source})",
                crate::files::excerpt(&words.join(" "))
            ));
        } else if let Some((words, source)) = &self.entry_args {
            parts.push(format!(
                "the arguments `{}` ({source})",
                crate::files::excerpt(&words.join(" "))
            ));
        }
        let mut named = |what: &str, items: Vec<&str>, source: Option<&String>| {
            if let Some(source) = source {
                parts.push(format!("{what} {} ({source})", items.join(" ")));
            }
        };
        named(
            "env",
            self.env.iter().map(|((n, _), _)| n.as_str()).collect(),
            self.env.first().map(|(_, s)| s),
        );
        named(
            "credentials given at run time",
            self.secret_env.iter().map(|(n, _)| n.as_str()).collect(),
            self.secret_env.first().map(|(_, s)| s),
        );
        named(
            "addresses of other services for run time",
            self.service_env.iter().map(|(n, _)| n.as_str()).collect(),
            self.service_env.first().map(|(_, s)| s),
        );
        named(
            "volumes",
            self.volumes.iter().map(|(v, _)| v.as_str()).collect(),
            self.volumes.first().map(|(_, s)| s),
        );
        named(
            "system packages",
            self.packages.iter().map(|((name, _), _)| name.as_str()).collect(),
            self.packages.first().map(|(_, s)| s),
        );
        named(
            "Python packages",
            self.pip_packages.iter().map(|(name, _)| name.as_str()).collect(),
            self.pip_packages.first().map(|(_, s)| s),
        );
        named(
            "the scripts its build runs once the code is in,",
            self.script_runs
                .iter()
                .filter_map(|(words, _)| words.get(1).map(String::as_str))
                .collect(),
            self.script_runs.first().map(|(_, s)| s),
        );
        named(
            "folders the program writes",
            self.owned_dirs.iter().map(|(dir, _)| dir.as_str()).collect(),
            self.owned_dirs.first().map(|(_, s)| s),
        );
        if let Some((dir, source)) = &self.workdir {
            parts.push(format!("WORKDIR {dir} ({source})"));
        }
        if let Some((_, source)) = &self.healthcheck {
            parts.push(format!("the health check ({source})"));
        }

        if let Some((built, source)) = &self.frontend {
            parts.push(format!("the front-end build of {}/ ({source})", built.dir));
        }
        let kept = if self.frontend.is_some() || !self.script_runs.is_empty() {
            "that (not their other build steps)"
        } else {
            "that (not their build steps)"
        };
        (!parts.is_empty()).then(|| {
            format!(
                "the project's deployment files say how it runs: {}; the new Dockerfile keeps {kept}",
                parts.join(", ")
            )
        })
    }

    /// The files the arguments name that the old image copied in from the repository (`--config=/etc/app/app.yml`
    /// after `COPY conf/app.yml /etc/app/app.yml`): each as (repository file, image path, where it was copied),
    /// when `exists` says the repository has it and it holds no secret; the others are said as warnings, as the
    /// new image lacks them.
    pub(crate) fn named_files(
        &self,
        args: &[String],
        exists: &dyn Fn(&str) -> bool,
    ) -> (Vec<(String, String, String)>, Vec<String>) {
        let Some((_, command_source)) = &self.command else {
            return (Vec::new(), Vec::new());
        };
        let (mut files, mut missing) = (Vec::new(), Vec::new());
        for written in args {
            // A relative path (`server confg.yml`, `--config=conf/app.yml`) is opened in the old WORKDIR.
            let value = written.rsplit_once('=').map_or(written.as_str(), |(_, value)| value);
            let relative =
                (!value.starts_with(['/', '-', '$']) && !value.is_empty()).then(|| value.trim_start_matches("./"));
            let resolved = relative.map(|rel| {
                format!(
                    "{}/{rel}",
                    self.old_workdir.as_deref().unwrap_or("").trim_end_matches('/')
                )
            });
            let arg = resolved.as_ref().unwrap_or(written);
            let named = self.copied_in.iter().find(|(copied, _)| {
                let dest = copied.dest.as_str();
                !dest.is_empty()
                    && arg.find(dest).is_some_and(|at| {
                        let after = &arg[at + dest.len()..];
                        after.is_empty() || after.starts_with('/')
                    })
            });
            let Some((copied, copied_at)) = named else { continue };
            let shippable = copied
                .file
                .as_ref()
                .filter(|(from, to)| arg.contains(to.as_str()) && exists(from) && !holds_secrets(from));
            match shippable {
                // Where the new image's program opens it: a relative path under its own WORKDIR.
                Some((from, to)) => {
                    let to = match relative {
                        Some(rel) if resolved.as_deref() == Some(to.as_str()) => rel.to_string(),
                        _ => to.clone(),
                    };
                    files.push((from.clone(), to, copied_at.clone()));
                }
                None => missing.push(format!(
                    "{command_source}: the argument `{}` names {}, which the old Dockerfile copied in ({copied_at}) \
                     and the new image does not hold: mount it at run time (docker run -v FILE:{})",
                    crate::files::excerpt(written),
                    copied.dest,
                    copied.dest
                )),
            }
        }
        (files, missing)
    }

    /// A port the program serves, once, by protocol (`tcp`, `udp`; another protocol is not a port a
    /// Dockerfile publishes).
    pub(super) fn add_port(&mut self, port: u16, protocol: &str, source: &str) {
        let list = match protocol.to_ascii_lowercase().as_str() {
            "tcp" => &mut self.ports,
            "udp" => &mut self.udp_ports,
            _ => return,
        };
        if port > 0 && !list.iter().any(|(p, _)| *p == port) {
            list.push((port, source.to_string()));
        }
    }

    /// The repository file the old image had at `path` (relative to its WORKDIR, or absolute): through the
    /// folder it copied there whole (`COPY src ./` puts src/index.js at ./index.js), the last such copy winning.
    pub(crate) fn repository_file(&self, path: &str) -> Option<String> {
        let absolute = if path.starts_with('/') {
            path.to_string()
        } else {
            format!(
                "{}/{}",
                self.old_workdir.as_deref()?.trim_end_matches('/'),
                path.trim_start_matches("./")
            )
        };
        self.folder_copies.iter().rev().find_map(|(folder, dest)| {
            let rest = crate::detect::inside(&absolute, dest)?;
            let file = if folder.is_empty() {
                rest.to_string()
            } else {
                format!("{folder}/{rest}")
            };
            crate::validate::context_path(&file).is_ok().then_some(file)
        })
    }

    /// Moves the folders the old image kept under its WORKDIR (`VOLUME /usr/src/app/data`, a `chown`ed
    /// `/usr/src/app/uploads`) to the same place under the new image's app folder, where the program, started
    /// from there, looks for them.
    pub(super) fn reroot_workdir(&mut self, app_root: &str) {
        let Some(old) = &self.old_workdir else { return };
        let old = old.trim_end_matches('/');
        if old == app_root || old.is_empty() {
            return;
        }
        let moved = |path: &mut String| {
            if let Some(rest) = crate::detect::inside(path, old) {
                *path = format!("{app_root}/{rest}");
            }
        };
        self.volumes.iter_mut().for_each(|(path, _)| moved(path));
        self.owned_dirs.iter_mut().for_each(|(path, _)| moved(path));
    }

    /// Names every source as the user sees it.
    pub(super) fn relabel(&mut self, shown: &dyn Fn(&str) -> String) {
        let sources = self
            .ports
            .iter_mut()
            .chain(self.udp_ports.iter_mut())
            .map(|(_, s)| s)
            .chain(self.command.iter_mut().map(|(_, s)| s))
            .chain(self.entry_args.iter_mut().map(|(_, s)| s))
            .chain(self.env.iter_mut().map(|(_, s)| s))
            .chain(self.secret_env.iter_mut().map(|(_, s)| s))
            .chain(self.service_env.iter_mut().map(|(_, s)| s))
            .chain(self.volumes.iter_mut().map(|(_, s)| s))
            .chain(self.workdir.iter_mut().map(|(_, s)| s))
            .chain(self.healthcheck.iter_mut().map(|(_, s)| s))
            .chain(self.copied_in.iter_mut().map(|(_, s)| s))
            .chain(self.links.iter_mut().map(|(_, s)| s))
            .chain(self.frontend.iter_mut().map(|(_, s)| s))
            .chain(self.packages.iter_mut().map(|(_, s)| s))
            .chain(self.pip_packages.iter_mut().map(|(_, s)| s))
            .chain(self.owned_dirs.iter_mut().map(|(_, s)| s))
            .chain(self.script_runs.iter_mut().map(|(_, s)| s));
        for source in sources {
            *source = shown(source);
        }
    }

    /// Whether the contract says anything at all.
    pub(crate) fn is_empty(&self) -> bool {
        // The old WORKDIR and the folders copied there say where the other paths were, nothing by themselves.
        *self
            == Runtime {
                old_workdir: self.old_workdir.clone(),
                folder_copies: self.folder_copies.clone(),
                ..Runtime::default()
            }
    }
}
