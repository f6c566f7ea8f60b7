//! Rendering: a plan (preset + resolved answers) in, file contents out. Pure: no I/O, no environment.
//! Every value passes through a validating filter on its way into the Dockerfile.

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context as _, Result};
use serde_json::{Map, Value};
use tera::Tera;

use crate::knowledge::{self, images, jvm, node};
use crate::plan::Plan;
use crate::preset::Preset;
use crate::validate;

mod compiled;

/// The files a preset produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub dockerfile: String,
    pub dockerignore: String,
    /// The preset's other files (`nginx.conf`), by name.
    pub extra: Vec<(String, String)>,
    /// What the Dockerfile's build reads from a whole-context copy (the plan's `build_reads`: a tsconfig, the
    /// sources' folder), which an ignore file must not hide.
    pub reads: Vec<String>,
}

/// Renders the preset's Dockerfile and .dockerignore from its `plan` (answers, facts and derived values by name).
pub fn render(preset: &Preset, plan: &Plan) -> Result<Rendered> {
    let tera = engine(preset, plan.values())?;
    let context =
        tera::Context::from_value(Value::Object(plan.values().clone())).context("building the template context")?;
    let render = |name: &str| {
        let origin = preset
            .templates
            .get(name)
            .map_or("built-in", |(_, origin)| origin.as_str());
        let shown = if origin == "built-in" {
            name.to_string()
        } else {
            format!("{name} ({origin})")
        };
        tera.render(name, &context)
            .map_err(|e| anyhow::anyhow!("{}", error_chain(&e)))
            .with_context(|| format!("rendering template {shown}"))
    };
    let extra = preset
        .extra_files
        .iter()
        .map(|(name, template)| Ok((name.clone(), tidy(&render(template)?))))
        .collect::<Result<_>>()?;
    Ok(Rendered {
        dockerfile: tidy(&render(&preset.dockerfile_template)?),
        dockerignore: tidy(&render(&preset.dockerignore_template)?),
        extra,
        reads: plan
            .values()
            .get("build_reads")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|read| read.as_str().map(String::from))
            .collect(),
    })
}

/// The template compose.yaml is printed from (a layer's `templates/compose/compose.yaml.tera` replaces it).
pub const COMPOSE_TEMPLATE: &str = "compose/compose.yaml.tera";

/// The template docker-bake.hcl is printed from, for `init --all`.
pub const BAKE_TEMPLATE: &str = "compose/docker-bake.hcl.tera";

/// Renders compose.yaml from its plan (`crate::compose::plan`).
pub fn render_compose(preset: &Preset, plan: &Value) -> Result<String> {
    render_named(preset, COMPOSE_TEMPLATE, plan)
}

/// Renders one stand-alone template (no includes) that a layer may replace, from `context`.
pub fn render_named(preset: &Preset, name: &str, context: &Value) -> Result<String> {
    let (text, origin) = preset
        .templates
        .get(name)
        .with_context(|| format!("no template {name}"))?;
    let mut tera = with_filters(Tera::default());
    tera.add_raw_template(name, text)
        .map_err(|e| template_error(preset, &e))?;
    let context = tera::Context::from_value(context.clone()).with_context(|| format!("building {name}'s context"))?;
    let text = tera
        .render(name, &context)
        .map_err(|e| anyhow::anyhow!("{}", error_chain(&e)))
        .with_context(|| format!("rendering template {name} ({origin})"))?;
    Ok(tidy(&text))
}

/// Renders a preset default such as `golang:{{ go_version }}-alpine` against the answers known so far.
pub fn render_default(expression: &str, values: &Map<String, Value>) -> Result<String> {
    // Defaults need the filters, not the templates: one engine with the filters serves every default of a run,
    // each expression added to it once under its own text.
    static DEFAULTS: OnceLock<Mutex<Tera>> = OnceLock::new();
    if let Some(text) = substituted(expression, values) {
        return Ok(text);
    }
    let engine = DEFAULTS.get_or_init(|| Mutex::new(with_filters(Tera::default())));
    let mut tera = engine
        .lock()
        .map_err(|_| anyhow::anyhow!("the defaults' template engine is unusable"))?;
    // Named so that no name ends like an HTML file's, which Tera would escape; the template has no useful
    // name for errors, so the innermost cause is the message.
    let name = format!("{expression} (a default)");
    if !tera.get_template_names().any(|known| known == name) {
        tera.add_raw_template(&name, expression)
            .map_err(|e| anyhow::anyhow!("{}", root_cause(&e)))?;
    }
    let context = tera::Context::from_value(Value::Object(values.clone())).context("building the default's context")?;
    tera.render(&name, &context)
        .map_err(|e| anyhow::anyhow!("{}", root_cause(&e)))
}

/// A default whose only tags are plain names (`golang:{{ go_version }}-alpine`) with a text or a whole number
/// known, filled in without the template engine (which renders them the same).
fn substituted(expression: &str, values: &Map<String, Value>) -> Option<String> {
    if expression.contains("{%") || expression.contains("{#") {
        return None;
    }
    let mut out = String::new();
    let mut rest = expression;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}")? + start;
        let name = rest[start + 2..end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        match values.get(name)? {
            Value::String(text) => out.push_str(text),
            Value::Number(number) if number.is_i64() || number.is_u64() => out.push_str(&number.to_string()),
            _ => return None,
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

fn root_cause(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message = cause.to_string();
        source = cause.source();
    }
    message.replace('\n', " ")
}

/// The engine for the templates a plan renders, assembled once per process for the same templates (the fuzz
/// pipeline, benches and tests render the same presets thousands of times); a small cache, emptied when full.
fn engine(preset: &Preset, values: &Map<String, Value>) -> Result<Arc<Tera>> {
    static ENGINES: OnceLock<Mutex<HashMap<u64, Arc<Tera>>>> = OnceLock::new();
    let reached = reach(preset, Some(values));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (name, text, _) in &reached {
        (name, text).hash(&mut hasher);
    }
    let key = hasher.finish();
    let engines = ENGINES.get_or_init(Mutex::default);
    if let Some(tera) = engines.lock().ok().and_then(|cache| cache.get(&key).cloned()) {
        return Ok(tera);
    }
    let mut tera = Tera::default();
    for (name, _, template) in reached {
        let template = template.map_err(|e| template_error(preset, &e))?;
        tera.templates.insert(name, Arc::unwrap_or_clone(template));
    }
    // What `Tera::add_raw_templates` checks after parsing.
    tera.build_inheritance_chains()
        .and_then(|()| tera.check_macro_files())
        .map_err(|e| template_error(preset, &e))?;
    let tera = Arc::new(with_filters(tera));
    if let Ok(mut cache) = engines.lock() {
        if cache.len() >= 32 {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&tera));
    }
    Ok(tera)
}

/// The template files a preset can render, with the partials, macro files and parents they reach, for
/// `presets eject`.
pub fn template_files(preset: &Preset) -> Vec<(String, String)> {
    reach(preset, None)
        .into_iter()
        .map(|(name, text, _)| (name, text))
        .collect()
}

/// A reached template: its name, its text and the template parsed (or why it does not parse).
type Reached = (String, String, Result<Arc<tera::Template>, tera::Error>);

/// The templates the preset's files reach through `include`, `import` and `extends`, by name. With `values`
/// (a plan), what only a `{% if name is defined %}` branch reaches is left out when the plan has no `name` (a
/// Go service without a front-end does not parse the front-end stage and the Node macros it imports); a name
/// some template `set`s counts as defined. Without, every branch counts (`presets eject`). A template that
/// does not parse is reached with its error, and what it names is not followed.
fn reach(preset: &Preset, values: Option<&Map<String, Value>>) -> Vec<Reached> {
    let mut defined: Vec<String> = Vec::new();
    loop {
        let mut walk = Walk {
            values,
            defined: &defined,
            sets: Vec::new(),
            skipped: Vec::new(),
        };
        let mut reached: Vec<Reached> = Vec::new();
        let mut wanted = vec![preset.dockerfile_template.clone(), preset.dockerignore_template.clone()];
        wanted.extend(preset.extra_files.values().cloned());
        while let Some(name) = wanted.pop() {
            if reached.iter().any(|(known, ..)| *known == name) {
                continue;
            }
            let Some((text, _)) = preset.templates.get(&name) else {
                continue;
            };
            let template = parsed(&name, text);
            if let Ok(template) = &template {
                walk.nodes(&template.ast, &mut wanted);
            }
            reached.push((name, text.clone(), template));
        }
        // A skipped branch tested a name that a template sets after all: walk again with it defined.
        let newly: Vec<String> = walk.skipped.iter().filter(|n| walk.sets.contains(n)).cloned().collect();
        if newly.is_empty() {
            reached.sort_by(|a, b| a.0.cmp(&b.0));
            return reached;
        }
        defined.extend(newly);
    }
}

/// A template parsed once per process for the same name and text (a small cache, emptied when full); the
/// error is `Tera::add_raw_templates`'s.
fn parsed(name: &str, text: &str) -> Result<Arc<tera::Template>, tera::Error> {
    static PARSED: OnceLock<Mutex<HashMap<u64, Arc<tera::Template>>>> = OnceLock::new();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (name, text).hash(&mut hasher);
    let key = hasher.finish();
    let cache = PARSED.get_or_init(Mutex::default);
    if let Some(template) = cache.lock().ok().and_then(|cache| cache.get(&key).cloned()) {
        return Ok(template);
    }
    let template = match compiled::builtin(name, text) {
        Some(template) => Arc::new(template),
        None => Arc::new(
            tera::Template::new(name, None, text)
                .map_err(|e| tera::Error::chain(format!("Failed to parse '{name}'"), e))?,
        ),
    };
    if let Ok(mut cache) = cache.lock() {
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&template));
    }
    Ok(template)
}

/// One walk of the templates' syntax trees for `reach`.
struct Walk<'a> {
    /// The plan's values; None when every branch counts.
    values: Option<&'a Map<String, Value>>,
    defined: &'a [String],
    /// Names `set` anywhere reached.
    sets: Vec<String>,
    /// Names whose `is defined` branches were skipped.
    skipped: Vec<String>,
}

impl Walk<'_> {
    fn nodes(&mut self, nodes: &[tera::ast::Node], wanted: &mut Vec<String>) {
        use tera::ast::Node;
        for node in nodes {
            match node {
                Node::Include(_, names, _) => wanted.extend(names.iter().cloned()),
                Node::ImportMacro(_, file, _) | Node::Extends(_, file) => wanted.push(file.clone()),
                Node::Set(_, set) => self.sets.push(set.key.clone()),
                Node::If(branches, _) => {
                    for (_, condition, body) in &branches.conditions {
                        match self.absent_test(condition) {
                            Some(name) => self.skipped.push(name),
                            None => self.nodes(body, wanted),
                        }
                    }
                    if let Some((_, body)) = &branches.otherwise {
                        self.nodes(body, wanted);
                    }
                }
                Node::Forloop(_, forloop, _) => {
                    self.nodes(&forloop.body, wanted);
                    self.nodes(forloop.empty_body.as_deref().unwrap_or_default(), wanted);
                }
                Node::Block(_, block, _) => self.nodes(&block.body, wanted),
                Node::FilterSection(_, section, _) => self.nodes(&section.body, wanted),
                Node::MacroDefinition(_, definition, _) => self.nodes(&definition.body, wanted),
                _ => {}
            }
        }
    }

    /// The name of a plain `name is defined` condition whose name the plan does not have.
    fn absent_test(&self, condition: &tera::ast::Expr) -> Option<String> {
        let values = self.values?;
        match &condition.val {
            tera::ast::ExprVal::Test(test)
                if test.name == "defined"
                    && !test.negated
                    && !condition.negated
                    && condition.filters.is_empty()
                    && !test.ident.contains('.')
                    && !values.contains_key(&test.ident)
                    && !self.defined.contains(&test.ident) =>
            {
                Some(test.ident.clone())
            }
            _ => None,
        }
    }
}

/// A template that does not load, naming the user's file when it came from a layer.
fn template_error(preset: &Preset, error: &tera::Error) -> anyhow::Error {
    let chain = error_chain(error);
    let origin = preset
        .templates
        .iter()
        .find(|(name, (_, origin))| origin != "built-in" && chain.contains(name.as_str()))
        .map(|(_, (_, origin))| origin.clone());
    match origin {
        Some(origin) => anyhow::anyhow!("{origin}: {chain}"),
        None => anyhow::anyhow!("{chain}"),
    }
}

fn with_filters(mut tera: Tera) -> Tera {
    // Dockerfiles are not HTML: escaping would corrupt them; the filters below do the quoting that matters.
    tera.autoescape_on(vec![]);
    // Filters that only validate: the value passes through unchanged or the render fails naming it.
    let validators: [(&str, Validator); 12] = [
        ("image", validate::image_reference),
        ("path", validate::context_path),
        ("file_name", validate::file_name),
        ("file_glob", validate::file_glob),
        ("container_path", validate::container_path),
        ("healthcheck_option", validate::healthcheck_option),
        ("env_name", validate::env_name),
        ("env_value", validate::env_value),
        ("version", validate::version),
        ("name", validate::package_name),
        ("shell_word", validate::shell_word),
        ("class_name", validate::class_name),
    ];
    for (name, validator) in validators {
        tera.register_filter(name, validating(validator));
    }
    tera.register_filter(
        "port",
        checked(|v| {
            let n = v.as_i64().with_context(|| format!("`{v}` is not a number"))?;
            validate::port(n).map(Value::from)
        }),
    );
    tera.register_filter(
        "exec_arg",
        checked(|v| {
            // JSON string syntax is exactly what exec-form instructions parse, quotes and backslashes included.
            let s = as_str(v)?;
            if s.chars().any(char::is_control) {
                anyhow::bail!("`{}` contains a control character", s.escape_debug());
            }
            Ok(Value::from(exec_word(s)))
        }),
    );
    with_node_filters(&mut tera);
    tera.register_filter(
        "app_dirs",
        checked(|v| {
            // The folders of a list that may be handed to the app user (never `/` or a system folder).
            let dirs = v.as_array().context("not a list")?;
            Ok(dirs
                .iter()
                .filter(|d| d.as_str().is_some_and(validate::is_app_dir))
                .cloned()
                .collect())
        }),
    );
    tera.register_filter(
        "command_words",
        checked(|v| {
            // `node dist/main.js` → ["node", "dist/main.js"], once the command is known to be plain words.
            let command = as_str(v)?;
            validate::command(command)?;
            Ok(Value::from(command.split_whitespace().collect::<Vec<_>>()))
        }),
    );
    tera.register_filter(
        "image_family",
        checked(|v| images::image_family(as_str(v)?).map(Value::from)),
    );
    tera.register_filter("distroless_python_debian", checked(distroless_python_debian));
    tera.register_filter("carried_packages", carried_packages_filter);
    tera.register_filter("base_name", checked(|v| base_name(as_str(v)?).map(Value::from)));
    tera.register_filter("parent_dir", checked(|v| Ok(Value::from(parent_dir(as_str(v)?)))));
    tera.register_filter(
        "java_runtime_line",
        checked(|v| {
            // A non-LTS Java release runs on the next LTS line's runtime; a release dockgen does not know
            // stays as it is (its images may be newer than this table).
            let release = as_str(v)?;
            validate::version(release)?;
            Ok(release
                .parse::<u32>()
                .ok()
                .and_then(jvm::java_runtime_line)
                .map_or_else(|| v.clone(), |line| Value::from(line.to_string())))
        }),
    );
    tera.register_filter("gradle_jdk_line", gradle_jdk_line_filter);
    tera.register_filter("in_folder", in_folder_filter);
    tera.register_filter("packages_for", packages_for_filter);
    tera.register_filter("version_at_least", |value: &Value, args: &HashMap<String, Value>| {
        let minimum = args
            .get("minimum")
            .and_then(Value::as_str)
            .ok_or_else(|| tera::Error::msg("version_at_least needs minimum=\"X.Y\""))?;
        let version = value
            .as_str()
            .ok_or_else(|| tera::Error::msg(format!("`{value}` is not a version")))?;
        Ok(Value::Bool(knowledge::version_at_least(version, minimum)))
    });
    tera
}

/// `java_version | gradle_jdk_line(gradle=VERSION)`: the JDK line that runs that Gradle for the build's line.
fn gradle_jdk_line_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let gradle = args
        .get("gradle")
        .and_then(Value::as_str)
        .ok_or_else(|| tera::Error::msg("gradle_jdk_line needs gradle=\"X.Y\""))?;
    let java = value.as_str().unwrap_or_default();
    // A line that is not a number (a user's `--set java_version=`) is left as written for the image check.
    Ok(java.parse::<u32>().map_or_else(
        |_| value.clone(),
        |line| Value::from(jvm::gradle_jdk_line(gradle, line).to_string()),
    ))
}

type FilterFn = fn(&Value) -> Result<Value>;

/// The Debian release of a Node line's glibc images (`node:8-buster`, `node:22-bookworm`); bookworm for a line
/// dockgen does not know.
fn node_debian(version: &Value) -> Value {
    let text = version.as_str().map_or_else(|| version.to_string(), str::to_string);
    Value::from(node::line_of(&text).map_or("bookworm", |line| line.debian.as_str()))
}

/// The filters of the Node templates: the image's Debian release and tools, the package manager's exec.
fn with_node_filters(tera: &mut Tera) {
    tera.register_filter("node_debian", checked(|v| Ok(node_debian(v))));
    tera.register_filter("node_exec", checked(|v| node_exec(as_str(v)?).map(Value::from)));
    tera.register_filter("node_image_has", |value: &Value, args: &HashMap<String, Value>| {
        // Whether the official image of this Node line ships a tool (`corepack`, `yarn`), from the lines data.
        let tool = args
            .get("tool")
            .and_then(Value::as_str)
            .ok_or_else(|| tera::Error::msg("node_image_has needs tool=\"corepack\" or tool=\"yarn\""))?;
        let major = value
            .as_str()
            .map(|v| v.split('.').next().unwrap_or_default().to_string())
            .or_else(|| value.as_u64().map(|n| n.to_string()))
            .and_then(|m| m.parse::<u64>().ok());
        Ok(Value::Bool(major.is_some_and(|m| node::node_image_has(m, tool))))
    });
}

/// How a package manager runs a command of the project's `node_modules` (`npx --no-install vite build`).
fn node_exec(package_manager: &str) -> Result<&'static str> {
    Ok(match package_manager {
        "npm" => "npx --no-install",
        "pnpm" => "pnpm exec",
        "bun" => "bunx",
        "yarn" | "yarn-berry" => "yarn",
        other => anyhow::bail!("`{other}` is not a package manager dockgen knows"),
    })
}

/// Adapts a validator to Tera's filter signature; its error message becomes the render error.
fn checked(f: FilterFn) -> impl tera::Filter {
    move |value: &Value, _: &HashMap<String, Value>| f(value).map_err(|e| tera::Error::msg(format!("{e:#}")))
}

type Validator = fn(&str) -> Result<()>;

/// A filter that passes a string through when `validator` accepts it; its error becomes the render error.
fn validating(validator: Validator) -> impl tera::Filter {
    move |value: &Value, _: &HashMap<String, Value>| {
        as_str(value)
            .and_then(validator)
            .map(|()| value.clone())
            .map_err(|e| tera::Error::msg(format!("{e:#}")))
    }
}

/// One exec-form word as a JSON string, every backslash written `\u005c`: Docker's JSON parser reads it the
/// same, while hadolint's exec-form parser misreads `\\` at the end of a line (a line continuation) or before
/// a quote or another backslash (DL3025).
fn exec_word(word: &str) -> String {
    serde_json::Value::from(word).to_string().replace("\\\\", "\\u005c")
}

fn as_str(value: &Value) -> Result<&str> {
    value.as_str().with_context(|| format!("`{value}` is not a string"))
}

/// A filter's string argument `name`, or the error `missing`.
fn named_arg<'a>(args: &'a HashMap<String, Value>, name: &str, missing: &str) -> tera::Result<&'a str> {
    args.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| tera::Error::msg(missing))
}

/// The packages that install a list of programs in an image family (knowledge/programs), each once.
fn packages_for_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let family = named_arg(args, "family", "packages_for needs family=\"alpine\"")?;
    let programs = value
        .as_array()
        .ok_or_else(|| tera::Error::msg(format!("`{value}` is not a list of programs")))?;
    let mut packages: Vec<&str> = programs
        .iter()
        .filter_map(|p| crate::knowledge::programs::package_for(p.as_str()?, family))
        .collect();
    packages.sort_unstable();
    packages.dedup();
    Ok(Value::from(packages))
}

/// The system packages a project's Dockerfile installed (`system_packages`: name, family, the program it
/// provides when dockgen knows it) for an image family: `install`, those that family's manager installs (a
/// known program by its package there, another package of the same family as named), and `foreign`, those
/// named for another family, which cannot be carried over.
fn carried_packages_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let family = named_arg(args, "family", "carried_packages needs family=\"debian\"")?;
    let packages = value
        .as_array()
        .ok_or_else(|| tera::Error::msg(format!("`{value}` is not a list of packages")))?;
    let (mut install, mut foreign): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for package in packages {
        let field = |key: &str| package.get(key).and_then(Value::as_str).unwrap_or_default();
        let translated = crate::knowledge::programs::package_for(field("program"), family);
        match translated {
            Some(name) => install.push(name),
            None if field("family") == family => install.push(field("name")),
            None => foreign.push(field("name")),
        }
    }
    install.dedup();
    Ok(serde_json::json!({ "install": install, "foreign": foreign }))
}

/// The Debian release of the distroless Python image that carries a line (`3.11` → `12`).
fn distroless_python_debian(value: &Value) -> Result<Value> {
    let line = as_str(value)?;
    crate::knowledge::python::distroless_debian(line)
        .map(Value::from)
        .map_err(anyhow::Error::msg)
}

/// `path | in_folder(folder="/app")`, or a list of paths each placed in the folder.
fn in_folder_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let folder = named_arg(args, "folder", "in_folder needs folder=\"/app\"")?;
    let placed = |path: &Value| {
        path.as_str()
            .map(|p| Value::from(in_folder(folder, p)))
            .ok_or_else(|| tera::Error::msg(format!("`{path}` is not a path")))
    };
    match value.as_array() {
        Some(paths) => paths
            .iter()
            .map(placed)
            .collect::<tera::Result<Vec<_>>>()
            .map(Value::from),
        None => placed(value),
    }
}

/// A path relative to a folder of the image (`data` in `/app` → `/app/data`); an absolute one as it is.
fn in_folder(folder: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        folder.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `a/b/c.jar` → `a/b`; `c.jar` → `.`.
fn parent_dir(path: &str) -> String {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => parent.to_string(),
        _ => ".".into(),
    }
}

/// The last element of a package path: `./cmd/api` → `api`.
fn base_name(path: &str) -> Result<String> {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    if last.is_empty() || last == "." || last == ".." {
        anyhow::bail!("`{path}` has no directory name to call the binary by: pass --set binary_name=NAME");
    }
    Ok(last.to_string())
}

/// Tera reports the outer "failed to render" first and the cause underneath; one line carries both.
fn error_chain(error: &tera::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts.join(": ").replace('\n', " ")
}

/// Collapses the blank lines that template conditionals leave behind, and ends the file with one newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line);
            out.push('\n');
        }
    }
    let trimmed = out.trim_end_matches('\n').trim_start_matches('\n');
    format!("{trimmed}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_render_the_same_with_or_without_the_engine() {
        let values = serde_json::json!({ "go_version": "1.26", "major": 21, "path": "./cmd/api", "flag": true });
        let values = values.as_object().unwrap();
        assert_eq!(
            substituted("golang:{{ go_version }}-alpine", values).as_deref(),
            Some("golang:1.26-alpine")
        );
        assert_eq!(
            substituted("eclipse-temurin:{{major}}-jre", values).as_deref(),
            Some("eclipse-temurin:21-jre")
        );
        // Filters, other values, missing names and statements are the engine's.
        assert_eq!(substituted("{{ path | base_name }}", values), None);
        assert_eq!(substituted("{{ flag }}", values), None);
        assert_eq!(substituted("{{ missing }}", values), None);
        assert_eq!(substituted("{% if flag %}x{% endif %}", values), None);
        for expression in [
            "golang:{{ go_version }}-alpine",
            "eclipse-temurin:{{major}}-jre",
            "{{ path | base_name }}",
            "{{ flag }}",
        ] {
            let mut tera = with_filters(Tera::default());
            let context = tera::Context::from_value(Value::Object(values.clone())).unwrap();
            let expected = tera.render_str(expression, &context).unwrap();
            assert_eq!(render_default(expression, values).unwrap(), expected, "{expression}");
        }
        assert!(render_default("{{ missing }}", values).is_err());
        assert!(render_default("{{ path | no_such_filter }}", values).is_err());
    }

    #[test]
    fn paths_in_a_folder() {
        assert_eq!(
            in_folder("/app/apps/api", "data/uploads/"),
            "/app/apps/api/data/uploads"
        );
        assert_eq!(in_folder("/app", "./x/../y"), "/app/y");
        assert_eq!(in_folder("/app", "/var/lib/app/"), "/var/lib/app");
        assert_eq!(in_folder("/app", "../.."), "/");
    }

    #[test]
    fn base_name_needs_a_directory_name() {
        assert_eq!(base_name("./cmd/api").unwrap(), "api");
        assert_eq!(base_name("./cmd/api/").unwrap(), "api");
        assert!(base_name(".").is_err());
    }

    #[test]
    fn exec_words_write_every_backslash_escaped() {
        assert_eq!(exec_word("a\\"), "\"a\\u005c\"");
        assert_eq!(exec_word("a\\b"), "\"a\\u005cb\"");
        assert_eq!(exec_word("\\\""), "\"\\u005c\\\"\"");
        assert_eq!(exec_word("say \"hi\""), "\"say \\\"hi\\\"\"");
        let decoded: String = serde_json::from_str(&exec_word("x\\\\")).unwrap();
        assert_eq!(decoded, "x\\\\");
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(knowledge::version_at_least("3.10.0", "3.3"));
        assert!(!knowledge::version_at_least("3.2.5", "3.3"));
        assert!(!knowledge::version_at_least("2.7.18", "3.2"));
        assert_eq!(parent_dir("app/target/x.jar"), "app/target");
        assert_eq!(parent_dir("x.jar"), ".");
    }

    #[test]
    fn only_the_templates_a_plan_can_render_are_parsed() {
        let presets = crate::preset::builtin().unwrap();
        let go = crate::preset::find(&presets, "go").unwrap();
        let names = |values: &Map<String, Value>| -> Vec<String> {
            reach(go, Some(values)).into_iter().map(|(name, ..)| name).collect()
        };
        let without = names(&Map::new());
        assert!(without.contains(&"go/Dockerfile.tera".to_string()));
        assert!(
            !without
                .iter()
                .any(|n| n == "partials/frontend.tera" || n == "node/macros.tera"),
            "{without:?}"
        );
        let mut with_frontend = Map::new();
        with_frontend.insert("frontend".into(), serde_json::json!({"dir": "web"}));
        let with = names(&with_frontend);
        assert!(with.iter().any(|n| n == "partials/frontend.tera") && with.iter().any(|n| n == "node/macros.tera"));
        // Every template the preset reaches at all, whatever the plan, is ejected.
        let ejected: Vec<String> = template_files(go).into_iter().map(|(name, _)| name).collect();
        assert!(
            with.iter().chain(&without).all(|name| ejected.contains(name)),
            "{ejected:?}"
        );
    }

    #[test]
    fn tidy_collapses_blank_runs() {
        assert_eq!(tidy("\na\n\n\n\nb  \n\n"), "a\n\nb\n");
    }
}
