//! The package manager and its version: `packageManager`, else the lockfile (checked to be what it claims), else
//! npm without a lockfile.

use anyhow::{bail, Result};
use serde_json::Value;

use super::{has_marker, lockstate, read_manifest, Context, Fact, Facts, JsonDoc};

/// `packageManager` (pinned through corepack), else the lockfile, else npm without a lockfile. Returns the
/// lockfile's name in the context root, if there is one.
pub(super) fn package_manager(
    context: &Context,
    package: &JsonDoc,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) -> Result<Option<&'static str>> {
    let locks = [
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("bun.lock", "bun"),
        ("bun.lockb", "bun"),
        ("package-lock.json", "npm"),
        ("npm-shrinkwrap.json", "npm"),
    ];
    let mut present = Vec::new();
    for (file, manager) in locks {
        if has_marker(&context.dir, file)? {
            present.push((file, manager));
        }
    }
    let berry_rc = has_marker(&context.dir, ".yarnrc.yml")?;
    let pinned = package.str("packageManager").map(|field| {
        let source = context.shown(&format!("package.json:{}", package.line("packageManager")));
        (field.to_string(), source)
    });
    let family = |manager: &str| if manager == "yarn-berry" { "yarn" } else { manager }.to_string();
    let pinned_family = pinned
        .as_ref()
        .map(|(field, _)| family(field.split_once('@').map_or(field.as_str(), |(name, _)| name)));
    let lockfile = chosen_lockfile(context, package, &present, (pinned.as_ref(), pinned_family.as_deref()), warnings);
    let mut lock_version = None;
    if let Some((file, _)) = lockfile {
        lock_version = check_lockfile(context, file)?;
    }
    let lock_manager = lockfile.map(|(file, manager)| {
        let manager = if manager == "yarn" && (berry_rc || lock_version.as_deref() == Some("berry")) {
            "yarn-berry"
        } else {
            manager
        };
        (file, manager)
    });
    match (pinned, lock_manager) {
        // The lockfile present is what an install can be frozen to: it decides when packageManager disagrees.
        (Some((field, source)), Some((file, manager))) if pinned_family.as_deref() != Some(&family(manager)) => {
            warnings.push(format!(
                "{source} names {} but the lockfile is {}: the install follows the lockfile ({manager}); \
                 remove one of them, or pass --set package_manager=NAME",
                field.chars().take(40).collect::<String>().escape_debug(),
                context.shown(file)
            ));
            locked_manager(context, file, manager, lock_version.as_deref(), facts, warnings)?;
        }
        (Some((field, source)), lockfile) => {
            pinned_manager(&field, &source, facts)?;
            if let Some(("bun.lock", _)) = lockfile {
                reads_text_bun_lock(context, facts, warnings);
            }
            if lockfile.is_none() {
                warnings.push(format!(
                    "{source} names {field} but there is no lockfile: the image installs without one, resolving \
                     versions anew on every build; commit the lockfile for reproducible images"
                ));
            }
        }
        (None, Some((file, manager))) => {
            locked_manager(context, file, manager, lock_version.as_deref(), facts, warnings)?;
        }
        (None, None) if let Some((source, why)) = bun_without_lockfile(context, package) => {
            facts.insert(
                "package_manager".into(),
                Fact::new("bun", source.clone())
                    .with_note(format!("no lockfile; {why}, so the project installs and runs with it")),
            );
            facts.insert(
                "package_manager_version".into(),
                Fact::new("1", source).with_note("the newest bun 1.x: nothing pins one"),
            );
            warnings.push(format!(
                "no lockfile next to {}: the image runs `bun install` with the newest bun 1.x, which resolves \
                 versions anew on every build; commit bun.lock (bun install) and pin bun (\"packageManager\": \
                 \"bun@1.x.y\") for reproducible images",
                context.shown("package.json")
            ));
        }
        (None, None) => {
            facts.insert(
                "package_manager".into(),
                Fact::new("npm", context.shown("package.json")).with_note("no lockfile"),
            );
            warnings.push(format!(
                "no lockfile next to {}: the image runs `npm install`, which resolves versions anew on every \
                 build; commit a package-lock.json (npm install) for reproducible images",
                context.shown("package.json")
            ));
        }
    }
    if let Some((file, _)) = lockfile {
        facts.insert("lockfile".into(), Fact::new(context.shown(file), context.shown(file)));
    }
    yarn_focus(context, facts, warnings)?;
    Ok(lockfile.map(|(file, _)| file))
}

/// Where a project with no lockfile and no packageManager says it is bun's, and how: its start script runs bun
/// (`bun src/server.ts`), or its own Dockerfile installs with bun. The project is then one bun installs and runs
/// (the Node image has no bun).
fn bun_without_lockfile(context: &Context, package: &JsonDoc) -> Option<(String, &'static str)> {
    let started = package
        .str("scripts.start")
        .is_some_and(|start| matches!(start.split_whitespace().next(), Some("bun" | "bunx")));
    if started {
        let source = context.shown(&format!("package.json:{}", package.line("scripts.start")));
        return Some((source, "the start script runs bun"));
    }
    installing_manager(context)
        .filter(|(manager, _)| *manager == "bun")
        .map(|(_, source)| (source, "the project's Dockerfile installs with bun"))
}

/// The lockfile the install follows: with several, the one of the pinned manager, else of the manager the
/// project's own Dockerfile installs with, else the first in the order of `present`, said either way.
fn chosen_lockfile<'a>(
    context: &Context,
    package: &JsonDoc,
    present: &[(&'a str, &'a str)],
    (pinned, pinned_family): (Option<&(String, String)>, Option<&str>),
    warnings: &mut Vec<String>,
) -> Option<(&'a str, &'a str)> {
    let installed_by = match present {
        [_, _, ..] if pinned.is_none() => installing_manager(context),
        _ => None,
    };
    let wanted = pinned_family.or(installed_by.as_ref().map(|(manager, _)| *manager));
    // With nothing naming a manager, a lockfile package.json has moved away from is the one no one updates.
    let manifests = [lockstate::Manifest { dir: ".", doc: package }];
    let agrees = |(file, manager): &&(&str, &str)| lockstate::agrees(context, manager, file, &manifests);
    let up_to_date = match present {
        [first, rest @ ..] if wanted.is_none() && agrees(&first) == Some(false) => {
            rest.iter().find(|candidate| agrees(candidate) == Some(true)).map(|fresh| (*first, *fresh))
        }
        _ => None,
    };
    let lockfile = present
        .iter()
        .find(|(_, manager)| wanted == Some(*manager))
        .or(up_to_date.as_ref().map(|(_, fresh)| fresh))
        .or(present.first())
        .copied();
    if let (Some((chosen, _)), [_, _, ..]) = (lockfile, present) {
        let names: Vec<String> = present.iter().map(|(file, _)| context.shown(file)).collect();
        let why = match pinned {
            Some((field, source)) if pinned_family == lockfile.map(|(_, m)| m) => {
                format!(
                    "{source} names {}",
                    field.chars().take(40).collect::<String>().escape_debug()
                )
            }
            _ => match &installed_by {
                Some((manager, source)) if lockfile.is_some_and(|(_, m)| m == *manager) => {
                    format!("{source} installs with {manager}")
                }
                _ => match up_to_date {
                    Some((stale, _)) => format!(
                        "nothing pins a manager, and {} is out of date with package.json",
                        context.shown(stale.0)
                    ),
                    None => "nothing pins a manager; the first of pnpm, yarn, bun, npm".to_string(),
                },
            },
        };
        let listed = match names.split_last() {
            Some((last, [only])) => format!("{only} and {last} are both"),
            Some((last, rest)) => format!("{} and {last} are all", rest.join(", ")),
            None => String::new(),
        };
        warnings.push(format!(
            "{listed} committed: the install follows {} ({why}); delete the lockfile no one updates",
            context.shown(chosen)
        ));
    }
    lockfile
}

/// The manager the project's own Dockerfile installs the packages with (`RUN npm ci`, `yarn install
/// --frozen-lockfile`, `pnpm i`), with its `file:line`: the lockfile that install follows is the one kept up to date.
fn installing_manager(context: &Context) -> Option<(&'static str, String)> {
    for rel in crate::detect::deploy::container_files(&context.dir) {
        let Some(text) = crate::detect::read_small_text(&context.dir.join(&rel)).filter(|t| !crate::detect::deploy::is_dockgens_own(t)) else {
            continue;
        };
        for (line, logical) in crate::detect::deploy::logical_lines(&text) {
            let Some(run) = logical.trim_start().strip_prefix("RUN ") else { continue };
            let manager = run.split(['&', ';', '|']).find_map(|step| {
                let words: Vec<&str> = step.split_whitespace().collect();
                // The project's packages from its lockfile: options only (`npm install -g pnpm` installs a tool).
                let lockfile_install = words.iter().skip(2).all(|w| w.starts_with('-') && !matches!(*w, "-g" | "--global"));
                if !lockfile_install {
                    return None;
                }
                match words.as_slice() {
                    ["npm", "ci" | "install" | "i", ..] => Some("npm"),
                    ["yarn"] | ["yarn", "install" | "--frozen-lockfile" | "--immutable", ..] => Some("yarn"),
                    ["pnpm", "install" | "i", ..] => Some("pnpm"),
                    ["bun", "install" | "i", ..] => Some("bun"),
                    _ => None,
                }
            });
            if let Some(manager) = manager {
                return Some((manager, context.shown(&format!("{rel}:{line}"))));
            }
        }
    }
    None
}

/// Yarn berry installs production dependencies alone with `yarn workspaces focus --production`, built into
/// yarn 4 and a plugin (workspace-tools) before: a yarn 2 or 3 without the plugin imported in .yarnrc.yml
/// installs everything (`yarn_focus` false), said.
fn yarn_focus(context: &Context, facts: &mut Facts, warnings: &mut Vec<String>) -> Result<()> {
    if facts.get("package_manager").and_then(|f| f.value.as_str()) != Some("yarn-berry") {
        return Ok(());
    }
    let Some(version) = facts.get("package_manager_version").cloned() else {
        return Ok(());
    };
    let written = version.value.as_str().unwrap_or_default().to_string();
    let major: u64 = written.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(4);
    if major >= 4 {
        return Ok(());
    }
    let rc = if has_marker(&context.dir, ".yarnrc.yml")? {
        read_manifest(&context.dir, ".yarnrc.yml")?
    } else {
        String::new()
    };
    if let Some(line) = rc.lines().position(|l| l.contains("plugin-workspace-tools")) {
        facts.insert(
            "yarn_focus".into(),
            Fact::new(true, context.shown(&format!(".yarnrc.yml:{}", line + 1)))
                .with_note("the workspace-tools plugin gives yarn workspaces focus"),
        );
        return Ok(());
    }
    facts.insert(
        "yarn_focus".into(),
        Fact::new(false, version.source.clone()).with_note(format!(
            "yarn {written} has no `workspaces focus` without the workspace-tools plugin"
        )),
    );
    warnings.push(format!(
        "{}: yarn {written} installs production dependencies alone only with the workspace-tools plugin, which \
         .yarnrc.yml does not import: the runtime gets every dependency, dev ones too (run `yarn plugin import \
         workspace-tools` and commit the result for a smaller image)",
        version.source
    ));
    Ok(())
}

/// The text bun.lock is written and read by bun 1.2 and later: an older pinned bun does not know it and resolves
/// every version anew (or stops on a frozen install), so the image installs the newest bun 1.x, said.
fn reads_text_bun_lock(context: &Context, facts: &mut Facts, warnings: &mut Vec<String>) {
    let Some(pinned) = facts.get("package_manager_version").cloned() else { return };
    let version = pinned.value.as_str().and_then(|v| nodejs_semver::Version::parse(v).ok());
    if version.is_none_or(|v| (v.major(), v.minor()) >= (1, 2)) {
        return;
    }
    let written = pinned.value.as_str().unwrap_or_default().to_string();
    let shown = context.shown("bun.lock");
    facts.insert(
        "package_manager_version".into(),
        Fact::new("1", shown.clone()).with_note(format!(
            "the newest bun 1.x: {shown} is the text lockfile bun 1.2 and later write, which bun {written} ({}) cannot read",
            pinned.source
        )),
    );
    warnings.push(format!(
        "{}: packageManager pins bun {written}, which cannot read {shown} (the text lockfile of bun 1.2 and later) \
         and would resolve every version anew: the image installs the newest bun 1.x; update the pin \
         (\"packageManager\": \"bun@1.x.y\")",
        pinned.source
    ));
}

/// `packageManager: "pnpm@9.12.0+sha512..."`: the manager and exact version corepack installs.
fn pinned_manager(field: &str, source: &str, facts: &mut Facts) -> Result<()> {
    let (name, version) = field.split_once('@').unwrap_or((field, ""));
    let version = version.split('+').next().unwrap_or_default();
    let manager = match name {
        "yarn" if !version.starts_with("1.") => "yarn-berry",
        "npm" | "pnpm" | "yarn" | "bun" => name,
        _ => bail!("{source}: packageManager `{field}` is not npm, pnpm, yarn or bun"),
    };
    if nodejs_semver::Version::parse(version).is_err() {
        bail!("{source}: packageManager `{field}` needs an exact version (name@x.y.z), as corepack requires");
    }
    facts.insert("package_manager".into(), Fact::new(manager, source));
    facts.insert(
        "package_manager_version".into(),
        Fact::new(version, source).with_note("pinned through corepack"),
    );
    facts.insert("corepack".into(), Fact::new(true, source));
    Ok(())
}

/// The manager a lockfile belongs to, and the version it can tell (pnpm's lockfile format, yarn's checked-in
/// release); a manager that must be installed without a known version is said.
fn locked_manager(
    context: &Context,
    file: &str,
    manager: &str,
    lock_version: Option<&str>,
    facts: &mut Facts,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let berry_rc = has_marker(&context.dir, ".yarnrc.yml")?;
    let shown = context.shown(file);
    let note = if manager == "yarn-berry" && berry_rc {
        format!("{shown} with {}", context.shown(".yarnrc.yml"))
    } else {
        format!("from {shown}")
    };
    facts.insert(
        "package_manager".into(),
        Fact::new(manager, shown.clone()).with_note(note),
    );
    match manager {
        "pnpm" => {
            if let Some(major) = lock_version.and_then(pnpm_major_for_lockfile) {
                let fact = match workspace_settings(context).filter(|_| major == "9") {
                    // pnpm 10 writes the same lockfile format, and only it reads settings from the workspace file.
                    Some((key, source)) => Fact::new("10", source).with_note(format!(
                        "pnpm-workspace.yaml holds settings (`{key}`), which pnpm reads there from 10 on; \
                         lockfileVersion {} is written by 9 and 10",
                        lock_version.unwrap_or_default()
                    )),
                    None => Fact::new(major, shown.clone()).with_note(format!(
                        "lockfileVersion {} is read by pnpm {major}",
                        lock_version.unwrap_or_default()
                    )),
                };
                facts.insert("package_manager_version".into(), fact);
            }
        }
        "yarn-berry" => {
            if let Some((release, source)) = yarn_path(context)? {
                facts.insert("yarn_path".into(), Fact::new(release.clone(), source.clone()));
                let version = release
                    .rsplit('/')
                    .next()
                    .and_then(|f| f.strip_prefix("yarn-"))
                    .and_then(|f| f.strip_suffix(".cjs").or_else(|| f.strip_suffix(".js")))
                    .unwrap_or_default()
                    .to_string();
                if !version.is_empty() {
                    facts.insert(
                        "package_manager_version".into(),
                        Fact::new(version, source).with_note("the checked-in yarn release"),
                    );
                }
            }
        }
        _ => {}
    }
    if manager == "bun" {
        // The lockfile's format tells the line: text bun.lock is written by bun 1.2 and later, the binary
        // bun.lockb by every 1.x (and still read by later ones). The newest 1.x reads both.
        let format = if file == "bun.lock" {
            "bun.lock is written by bun 1.2 and later"
        } else {
            "bun.lockb is read by every bun 1.x"
        };
        facts.insert(
            "package_manager_version".into(),
            Fact::new("1", shown.clone()).with_note(format!("the newest bun 1.x: {format}")),
        );
        warnings.push(format!(
            "{shown}: no packageManager field in package.json pins the bun version; the image installs the newest \
             bun 1.x ({format}); pin one (\"packageManager\": \"bun@1.x.y\") or pass --set package_manager_version=X"
        ));
    }
    // npm and yarn 1 come with the node images; the others are installed at the version pinned here.
    if manager != "npm" && manager != "yarn" && !facts.contains_key("package_manager_version") {
        warnings.push(format!(
            "{shown}: no packageManager field in package.json pins the {manager} version; add one \
             (corepack use {manager}@x.y.z) or pass --set package_manager_version=X"
        ));
    }
    Ok(())
}

/// Checks a lockfile is what it claims to be; returns its format version where one is written.
pub(super) fn check_lockfile(context: &Context, file: &str) -> Result<Option<String>> {
    let shown = context.shown(file);
    let path = context.dir.join(file);
    if file == "bun.lockb" {
        // A binary format by design; only bun reads it. It must still be a regular file of the repository.
        return match crate::files::kind(&path) {
            Ok(_) => Ok(None),
            Err(why) => Err(anyhow::anyhow!(why.about(&shown))),
        };
    }
    let text =
        crate::files::read_text(&path, crate::files::LOCKFILE_CAP).map_err(|why| anyhow::anyhow!(why.about(&shown)))?;
    match file {
        "package-lock.json" | "npm-shrinkwrap.json" => {
            #[derive(serde::Deserialize)]
            struct Header {
                #[serde(rename = "lockfileVersion")]
                lockfile_version: Option<Value>,
            }
            let header: Header = JsonDoc::parse_fields(&text, &shown)?;
            match header.lockfile_version.as_ref().and_then(Value::as_u64) {
                Some(version) => Ok(Some(version.to_string())),
                None => bail!("{shown}: no lockfileVersion; is this an npm lockfile?"),
            }
        }
        "pnpm-lock.yaml" => {
            let version = text.lines().find_map(|l| l.strip_prefix("lockfileVersion:"));
            match version {
                Some(v) => Ok(Some(v.trim().trim_matches(['\'', '"']).to_string())),
                None => bail!("{shown}:1: no lockfileVersion; is this a pnpm lockfile?"),
            }
        }
        "yarn.lock" => {
            if text.contains("__metadata:") {
                Ok(Some("berry".into()))
            } else if text.trim().is_empty()
                || text.contains("# yarn lockfile v1")
                || text.contains("\":\n")
                || text.contains(":\n  version")
            {
                Ok(Some("1".into()))
            } else {
                bail!("{shown}:1: neither a yarn v1 lockfile nor a yarn berry one (no `# yarn lockfile v1` or `__metadata:`)")
            }
        }
        _ => {
            if text.trim_start().starts_with('{') {
                Ok(None)
            } else {
                bail!("{shown}:1: not a bun text lockfile (expected a JSON object)")
            }
        }
    }
}

/// The first setting of pnpm-workspace.yaml (a key other than `packages` and the catalogs), with its line.
fn workspace_settings(context: &Context) -> Option<(String, String)> {
    let text = super::read_small_text(&context.dir.join("pnpm-workspace.yaml"))?;
    let doc = marked_yaml::parse_yaml(0, &text).ok()?;
    doc.as_mapping()?.iter().find_map(|(key, _)| {
        let name = key.as_str();
        (!matches!(name, "packages" | "catalog" | "catalogs")).then(|| {
            let line = key.span().start().map_or(1, marked_yaml::Marker::line);
            (name.to_string(), context.shown(&format!("pnpm-workspace.yaml:{line}")))
        })
    })
}

/// The pnpm major that writes a lockfile format.
pub(super) fn pnpm_major_for_lockfile(version: &str) -> Option<&'static str> {
    match version.split('.').next()? {
        "9" => Some("9"),
        "6" => Some("8"),
        "5" => Some("7"),
        _ => None,
    }
}

/// `yarnPath:` in .yarnrc.yml, when the release file it names is checked in.
pub(super) fn yarn_path(context: &Context) -> Result<Option<(String, String)>> {
    if !has_marker(&context.dir, ".yarnrc.yml")? {
        return Ok(None);
    }
    let text = read_manifest(&context.dir, ".yarnrc.yml")?;
    for (i, line) in text.lines().enumerate() {
        if let Some(value) = line.strip_prefix("yarnPath:") {
            let value = value
                .trim()
                .trim_matches(['\'', '"'])
                .trim_start_matches("./")
                .to_string();
            if context.dir.join(&value).is_file() {
                return Ok(Some((value, context.shown(&format!(".yarnrc.yml:{}", i + 1)))));
            }
        }
    }
    Ok(None)
}
