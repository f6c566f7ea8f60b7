//! Templates, presets and the plan agree: every value a built-in template reads is a preset answer, a field a
//! stack's derive step declares, or a value some fixture's plan holds (a probe's fact); and every declared plan
//! field reaches a fixture's plan.

use std::collections::BTreeSet;
use std::path::Path;

/// Tera words that are not values: keywords, tests and literals.
const NOT_VALUES: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "set",
    "set_global",
    "macro",
    "endmacro",
    "import",
    "as",
    "include",
    "true",
    "false",
    "loop",
    "defined",
    "undefined",
    "containing",
    "ending_with",
    "starting_with",
    "string",
    "number",
    "object",
    "iterable",
    "filter",
    "endfilter",
    "raw",
    "endraw",
];

/// The top-level names one template text reads from its context, and the names it assigns itself (`set`,
/// `set_global`, `for` variables, macro parameters).
fn reads_and_locals(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut reads = BTreeSet::new();
    let mut locals = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find(['{']) {
        let after = &rest[start..];
        let close = match after.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            Some("{#") => "#}",
            _ => {
                rest = &after[1..];
                continue;
            }
        };
        let Some(end) = after.find(close) else { break };
        let tag = &after[2..end];
        rest = &after[end + 2..];
        if close == "#}" {
            continue;
        }
        let tag = without_strings(tag.trim_matches('-').trim());
        let words: Vec<&str> = tag.split_whitespace().collect();
        match words.first().copied() {
            Some("set" | "set_global") => {
                if let Some(name) = words.get(1) {
                    locals.insert(name.trim_end_matches('=').to_string());
                }
            }
            Some("for") => {
                let until_in = tag.split(" in ").next().unwrap_or_default();
                for name in until_in.trim_start_matches("for").split(',') {
                    locals.insert(name.trim().to_string());
                }
            }
            Some("macro") => {
                let params = tag.split_once('(').map_or("", |(_, p)| p).trim_end_matches(')');
                for param in params.split(',') {
                    locals.insert(param.split('=').next().unwrap_or_default().trim().to_string());
                }
                continue;
            }
            Some("import" | "include" | "endmacro") => continue,
            _ => {}
        }
        collect_reads(&tag, &mut reads);
    }
    (reads, locals)
}

/// The expression with its string literals emptied.
fn without_strings(tag: &str) -> String {
    let mut out = String::new();
    let mut quote = None;
    for c in tag.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => {}
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// Identifiers used as values: not after `.` (an attribute), `|` (a filter) or `is` (a test), not a macro
/// namespace (`node::`), not a keyword argument's name (`value=`), not a number.
fn collect_reads(expression: &str, reads: &mut BTreeSet<String>) {
    let chars: Vec<char> = expression.chars().collect();
    let mut at = 0;
    let mut previous_word = String::new();
    while at < chars.len() {
        if !(chars[at].is_ascii_alphabetic() || chars[at] == '_') {
            at += 1;
            continue;
        }
        let start = at;
        while at < chars.len() && (chars[at].is_ascii_alphanumeric() || chars[at] == '_') {
            at += 1;
        }
        let word: String = chars[start..at].iter().collect();
        let before = chars[..start].iter().rev().find(|c| !c.is_whitespace()).copied();
        let after: String = chars[at..]
            .iter()
            .collect::<String>()
            .trim_start()
            .chars()
            .take(2)
            .collect();
        let attribute = before == Some('.') || (start >= 2 && chars[start - 1] == ':' && chars[start - 2] == ':');
        let filter_or_test = before == Some('|') || previous_word == "is";
        let keyword_argument = after.starts_with('=') && !after.starts_with("==");
        let namespace = after.starts_with("::");
        if !(attribute || filter_or_test || keyword_argument || namespace || NOT_VALUES.contains(&word.as_str())) {
            reads.insert(word.clone());
        }
        previous_word = word;
    }
}

#[test]
fn the_read_scan_sees_values_not_filters_or_keywords() {
    let (reads, locals) = reads_and_locals(
        "{%- set x = a | default(value=b) -%}{% if c is defined and not d %}{{ node::setup(pm=e.f) }}{% endif %}\
         {% for k, v in g %}{{ \"h\" ~ k }}{% endfor %}{% macro m(p, q=1) %}{% endmacro m %}",
    );
    let names = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>().join(" ");
    assert_eq!(names(reads), "a b c d e g k v");
    assert_eq!(names(locals), "k p q v x");
}

/// Every top-level key of the committed plan snapshots (`snapshots/*.plan.snap`).
fn keys_in_fixture_plans(root: &Path) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for entry in std::fs::read_dir(root.join("snapshots")).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".plan.snap") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let json = text.splitn(3, "---\n").nth(2).unwrap_or_default();
        let plan: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (key, value) in plan {
            if let serde_json::Value::Object(inner) = &value {
                keys.extend(inner.keys().map(|k| format!("{key}.{k}")));
            }
            keys.insert(key);
        }
    }
    keys
}

#[test]
fn every_value_a_template_reads_is_declared_and_every_plan_field_is_produced() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let in_plans = keys_in_fixture_plans(root);
    assert!(
        in_plans.len() > 50,
        "the plan snapshots hold too few values: {in_plans:?}"
    );
    let presets = dockgen::preset::builtin().unwrap();
    let answers: BTreeSet<String> = presets.iter().flat_map(|p| p.answers.keys().cloned()).collect();
    let mut plan_fields = BTreeSet::new();
    for stack in dockgen::detect::STACKS {
        for field in stack.plan_fields {
            for name in field.name.split(", ") {
                assert!(
                    in_plans.contains(name),
                    "stack {} declares plan field {name}, which no fixture's plan holds",
                    stack.name
                );
                plan_fields.insert(name.split('.').next().unwrap_or(name).to_string());
            }
        }
    }

    // compose/ reads the compose plan (src/compose.rs), not a preset's: its own tests render it.
    let mut templates = Vec::new();
    let mut folders = vec![root.join("templates")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name != "compose") {
                    folders.push(path);
                }
            } else {
                templates.push(path);
            }
        }
    }
    // Partials and macros see the names their includers set, so locals are taken over all templates.
    let mut reads = BTreeSet::new();
    let mut locals = BTreeSet::new();
    for template in &templates {
        let (read, local) = reads_and_locals(&std::fs::read_to_string(template).unwrap());
        reads.extend(
            read.into_iter()
                .map(|name| (name, template.strip_prefix(root).unwrap().display().to_string())),
        );
        locals.extend(local);
    }
    let undeclared: Vec<String> = reads
        .iter()
        .filter(|(name, _)| {
            !locals.contains(name)
                && !answers.contains(name)
                && !plan_fields.contains(name)
                && !in_plans.contains(name)
                && name != "preset"
        })
        .map(|(name, template)| format!("{template}: {name}"))
        .collect();
    assert!(
        undeclared.is_empty(),
        "templates read values that no preset answers, no stack derives and no fixture's plan holds: {undeclared:?}"
    );
}
