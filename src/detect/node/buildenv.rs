//! Environment a build reads and bakes into its output: Vite's `import.meta.env.VITE_*`, Next's
//! `process.env.NEXT_PUBLIC_*`, the same names in `.env.example`, and env-validation schemas that a build would
//! run (`@t3-oss/env-*` with `SKIP_ENV_VALIDATION`). Each becomes a build ARG, declared before the build step.

use serde_json::json;

use super::{read_small_text, App, Fact, Facts};
use crate::detect::walk;

/// Prefixes a bundler inlines at build time, by the dependency that does it.
const INLINED: &[(&str, &str, &str)] = &[
    ("vite", "import.meta.env.", "VITE_"),
    ("next", "process.env.", "NEXT_PUBLIC_"),
];

/// Files that document a project's variables without holding values.
const ENV_TEMPLATES: &[&str] = &[".env.example", ".env.sample", ".env.template", ".env.dist"];

/// Validation libraries whose schemas run in the build unless `SKIP_ENV_VALIDATION` is set.
const ENV_SCHEMAS: &[&str] = &["@t3-oss/env-nextjs", "@t3-oss/env-core", "@t3-oss/env-nuxt"];

/// A cap on names: a real app reads a handful; more is a generated file.
const MAX_NAMES: usize = 64;

/// Records `build_env` (names the build reads, each with where it was seen) and `skip_env_validation`.
pub(super) fn build_env(app: &App, facts: &mut Facts) {
    if !facts.contains_key("build_script") {
        return;
    }
    let prefixes: Vec<(&str, &str)> = INLINED
        .iter()
        .filter(|(dependency, _, _)| app.dependency(dependency).is_some())
        .map(|(_, access, prefix)| (*access, *prefix))
        .collect();
    let schema = ENV_SCHEMAS.iter().find_map(|name| app.dependency(name));
    if prefixes.is_empty() && schema.is_none() {
        return;
    }
    let mut found: Vec<(String, String)> = Vec::new();
    let mut skip_switch: Option<String> = None;
    let root = app.path(".");
    let boundary_root = root.clone();
    let walked = walk::files_with_extensions(
        &root,
        &["js", "jsx", "ts", "tsx", "mjs", "mts", "vue", "svelte", "astro"],
        move |p| p != boundary_root && p.join("package.json").is_file(),
    );
    for path in walked.files {
        let Some(text) = read_small_text(&path) else { continue };
        let rel = path
            .strip_prefix(&root)
            .map_or_else(|_| path.display().to_string(), |p| p.to_string_lossy().into_owned());
        for (line_number, line) in text.lines().enumerate() {
            let at = || format!("{}:{}", app.file(&rel), line_number + 1);
            for (access, prefix) in &prefixes {
                for name in names_after(line, &format!("{access}{prefix}")) {
                    add(&mut found, format!("{prefix}{name}"), at());
                }
            }
            if schema.is_some() && skip_switch.is_none() && line.contains("SKIP_ENV_VALIDATION") {
                skip_switch = Some(at());
            }
        }
    }
    // Vite also replaces `%VITE_NAME%` in index.html.
    if let Some(text) = prefixes
        .iter()
        .any(|(_, p)| *p == "VITE_")
        .then(|| app.text("index.html"))
        .flatten()
    {
        for (line_number, line) in text.lines().enumerate() {
            for name in names_after(line, "%VITE_") {
                add(
                    &mut found,
                    format!("VITE_{name}"),
                    format!("{}:{}", app.file("index.html"), line_number + 1),
                );
            }
        }
    }
    for template in ENV_TEMPLATES {
        let Some(text) = app.text(template) else { continue };
        for (line_number, line) in text.lines().enumerate() {
            let name = line
                .trim()
                .trim_start_matches("export ")
                .split('=')
                .next()
                .unwrap_or_default()
                .trim();
            if prefixes.iter().any(|(_, prefix)| name.starts_with(prefix)) && crate::validate::env_name(name).is_ok() {
                add(
                    &mut found,
                    name.to_string(),
                    format!("{}:{}", app.file(template), line_number + 1),
                );
            }
        }
    }
    if let Some((_, first)) = found.first() {
        let seen: Vec<String> = found.iter().map(|(name, at)| format!("{name} ({at})")).collect();
        facts.insert(
            "build_env".into(),
            Fact::new(
                json!(found.iter().map(|(name, _)| name).collect::<Vec<_>>()),
                first.clone(),
            )
            .with_note(format!(
                "read by the build and baked into its output; pass values with --build-arg: {}",
                seen.join(", ")
            )),
        );
    }
    if let (Some(schema), Some(at)) = (schema, skip_switch) {
        facts.insert(
            "skip_env_validation".into(),
            Fact::new(true, at).with_note(format!(
                "{}'s schema is checked when the server starts, not while building",
                schema.value.as_str().unwrap_or_default()
            )),
        );
    }
}

fn add(found: &mut Vec<(String, String)>, name: String, at: String) {
    if found.len() < MAX_NAMES && !found.iter().any(|(known, _)| *known == name) {
        found.push((name, at));
    }
}

/// The identifier tails after each `marker` in `line` (`import.meta.env.VITE_` + `API_URL`).
pub(super) fn names_after<'a>(line: &'a str, marker: &str) -> Vec<&'a str> {
    line.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &line[at + marker.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (end > 0).then(|| &rest[..end])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_their_marker() {
        let line = "fetch(import.meta.env.VITE_API_URL + import.meta.env.VITE_ + import.meta.env.VITE_X1)";
        assert_eq!(names_after(line, "import.meta.env.VITE_"), ["API_URL", "X1"]);
        assert!(names_after("process.env.NODE_ENV", "process.env.NEXT_PUBLIC_").is_empty());
    }
}
