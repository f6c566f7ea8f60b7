//! A Python module read with tree-sitter's Python grammar (error-tolerant: a file with syntax the grammar does
//! not know still yields the statements around it) into what detection asks of it: its top-level imports,
//! assignments from calls and functions, and the calls a probe looks for, with their literal arguments.

use std::cell::RefCell;

use tree_sitter::{Node, Parser, Tree};

/// A literal argument: a plain string, an integer, or anything else (a name, an f-string, an expression).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Literal {
    Str(String),
    Int(i64),
    /// `...`, which pydantic's `Field(...)` takes for "required".
    Ellipsis,
    /// A path under the project's base folder: `BASE_DIR / "logs"`, `os.path.join(BASE_DIR, "logs")` → `logs`.
    UnderBase(String),
    /// A path beside the module, `up` folders above its own: `Path(__file__).parent / "app.db"` → (0,
    /// `app.db`), `os.path.join(os.path.dirname(os.path.dirname(__file__)), "data")` → (1, `data`).
    BesideModule(usize, String),
    /// A plain name (`LOGS_DIR`), which the module may have assigned a literal.
    Name(String),
    /// A list or tuple of literals (`["ffmpeg", "-i", path]`); one nested in it is `Other`.
    List(Vec<Literal>),
    /// A `SQLite` URL built on a path: `"sqlite:///" + os.path.join(basedir, "app.db")` holds that path.
    SqliteUrl(Box<Literal>),
    /// An f-string, each substitution written `{}`, a plain name's as `{name}`: `f"./logs/{day}.log"` →
    /// `./logs/{day}.log`, `f"{base}/{len(x)}"` → `{base}/{}`.
    Formatted(String),
    /// A variable read with a number for its default: `int(os.getenv("PORT", "8080"))`,
    /// `os.environ.get("PORT") or 8080` → (`PORT`, 8080).
    EnvNumber(String, i64),
    Other,
}

impl Literal {
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Literal::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A port number: an integer from 1 to 65535, or a variable's default that is one.
    pub(super) fn as_port(&self) -> Option<u16> {
        match self {
            Literal::Int(port) | Literal::EnvNumber(_, port) => u16::try_from(*port).ok().filter(|p| *p > 0),
            _ => None,
        }
    }

    /// A path relative to the repository, for a module in the folder `module_dir`: a plain string (from the
    /// working directory, the repository's root in the image), one under the project's base folder, or one
    /// beside the module.
    pub(super) fn path_in(&self, module_dir: &str) -> Option<String> {
        match self {
            Literal::Str(s) | Literal::UnderBase(s) => Some(s.clone()),
            Literal::BesideModule(up, path) => {
                let parents = vec![".."; *up].join("/");
                let folder = crate::detect::normalised_rel(module_dir, &parents)?;
                crate::detect::normalised_rel(&folder, path)
            }
            _ => None,
        }
    }

}

/// Calls that return the working directory (`os.path.join(os.getcwd(), "state.json")` is `state.json`).
const WORKING_DIRECTORY: &[&str] = &["os.getcwd()", "getcwd()", "Path.cwd()", "pathlib.Path.cwd()"];

/// Names that hold the project's base folder by convention (Django's `BASE_DIR`), by their last part.
const BASE_FOLDERS: &[&str] = &["BASE_DIR", "ROOT_DIR", "PROJECT_DIR", "PROJECT_ROOT", "APP_ROOT", "ROOT"];

/// One call: the called name as written (`uvicorn.run`, `os.environ.setdefault`), its positional and keyword
/// arguments, and its line.
#[derive(Debug, Clone)]
pub(super) struct Call {
    pub(super) callee: String,
    pub(super) args: Vec<Literal>,
    pub(super) keywords: Vec<(String, Literal)>,
    pub(super) line: usize,
}

impl Call {
    pub(super) fn keyword(&self, name: &str) -> Option<&Literal> {
        self.keywords.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// What one module says at its top level, and the calls asked for anywhere in it.
#[derive(Debug, Default)]
pub(super) struct Summary {
    /// The first part of each module imported at the top level (`from flask import Flask` → `flask`).
    pub(super) imports: Vec<String>,
    /// Each module the top level imports, whole and as written (`app.views`, `.views` for `from . import
    /// views`), and each name taken from one: (module, name, the name it is bound to, line).
    pub(super) imported_modules: Vec<String>,
    /// Each module an `import` statement binds, with the name it is bound to (`import config as cfg` →
    /// (`config`, `cfg`); `import config` → (`config`, `config`)).
    pub(super) imported_as: Vec<(String, String)>,
    pub(super) imported_names: Vec<(String, String, String, usize)>,
    /// `name = callee(...)` at the top level: (name, the callee's last name, line).
    pub(super) assignments: Vec<(String, String, usize)>,
    /// Functions defined at the top level: name, the last name of its return annotation (`-> Litestar`) if
    /// any, line.
    pub(super) functions: Vec<(String, Option<String>, usize)>,
    /// `NAME = "text"` at the top level (Django's `WSGI_APPLICATION`), with their lines.
    pub(super) constants: Vec<(String, Literal, usize)>,
    /// Every name assigned at the top level, whatever the value (`STATIC_ROOT = BASE_DIR / "static"`).
    pub(super) assigned: Vec<(String, usize)>,
    pub(super) calls: Vec<Call>,
    /// `os.environ["NAME"]` anywhere: variables read with no default, with their lines.
    pub(super) environ_subscripts: Vec<(String, usize)>,
    /// Classes defined at the top level.
    pub(super) classes: Vec<Class>,
    /// `app.config["UPLOAD_FOLDER"] = value` anywhere (Flask's settings set in a factory): (key, value, line).
    pub(super) config_settings: Vec<(String, Literal, usize)>,
    /// Every assignment to a plain name anywhere in the module, with the string it assigns when it is one
    /// (`filepath = "txtfile"` in a function, a path from the working directory, a variable's default): a name
    /// assigned once, to a string, stands for it.
    pub(super) bindings: Vec<(String, Option<String>)>,
}

impl Summary {
    /// The string a name stands for anywhere in the module: assigned exactly once, to a plain string.
    pub(super) fn bound_string(&self, name: &str) -> Option<&str> {
        let mut assigned = self.bindings.iter().filter(|(n, _)| n == name);
        let (_, value) = assigned.next()?;
        if assigned.next().is_some() {
            return None;
        }
        value.as_deref()
    }
}

/// A class at the top level: its bases (by last name), its annotated fields, and the literal settings of its
/// body (`env_prefix = "APP_"` in it or in a nested class, the keywords of a `model_config = ...(...)` call).
#[derive(Debug, Default)]
pub(super) struct Class {
    pub(super) name: String,
    pub(super) bases: Vec<String>,
    pub(super) fields: Vec<Field>,
    pub(super) settings: Vec<(String, Literal)>,
    /// The plain assignments of the body (`SQLALCHEMY_DATABASE_URI = ...` of a Flask config class): name,
    /// value and line.
    pub(super) values: Vec<(String, Literal, usize)>,
}

/// `name: annotation = default` in a class body.
#[derive(Debug)]
pub(super) struct Field {
    pub(super) name: String,
    pub(super) annotation: String,
    pub(super) default: FieldDefault,
    pub(super) line: usize,
}

/// A field's default: none, a call (`Field(..., alias="X")`), or another value.
#[derive(Debug)]
pub(super) enum FieldDefault {
    Missing,
    Call(Call),
    /// Anything else, as a literal where it is one (`"sqlite:///./app.db"`).
    Value(Literal),
}

/// The most a module may be nested (calls inside calls inside blocks) before the rest of it is not read: a
/// generated file cannot make the walk unbounded.
const MAX_DEPTH: usize = 200;

thread_local! {
    /// The names the module being read binds at its top level to its own folder or one above it
    /// (`basedir = os.path.abspath(os.path.dirname(__file__))`, `HERE = Path(__file__).parent`), with how
    /// many folders up: later paths built on them are beside the module.
    static MODULE_FOLDERS: RefCell<Vec<(String, usize)>> = const { RefCell::new(Vec::new()) };
}

/// Reads `text`; `wanted` tells which calls to keep by the callee's last name (`run`, `setdefault`).
pub(super) fn summarise(text: &str, wanted: &dyn Fn(&str) -> bool) -> Summary {
    let mut summary = Summary::default();
    MODULE_FOLDERS.with(|names| names.borrow_mut().clear());
    let Some(tree) = parse(text) else { return summary };
    let bytes = text.as_bytes();
    let root = tree.root_node();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        top_level(statement, bytes, &mut summary);
    }
    collect_calls(root, bytes, wanted, &mut summary, 0);
    summary
}

fn parse(text: &str) -> Option<Tree> {
    thread_local! {
        static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
    }
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&tree_sitter_python::LANGUAGE.into()).ok()?;
            *slot = Some(parser);
        }
        // Bounded by construction: some inputs (a file of 100,000 line continuations) make the grammar's
        // scanner quadratic. Real modules parse in milliseconds; one that takes longer is not read.
        let started = std::time::Instant::now();
        let mut over_budget = |_: &tree_sitter::ParseState| started.elapsed() > PARSE_BUDGET;
        let options = tree_sitter::ParseOptions::new().progress_callback(&mut over_budget);
        let bytes = text.as_bytes();
        slot.as_mut()?.parse_with_options(
            &mut |offset, _| bytes.get(offset..).unwrap_or_default(),
            None,
            Some(options),
        )
    })
}

/// The longest one module's parse may take.
const PARSE_BUDGET: std::time::Duration = std::time::Duration::from_secs(1);

fn text_of<'a>(node: Node, bytes: &'a [u8]) -> &'a str {
    node.utf8_text(bytes).unwrap_or("")
}

fn line_of(node: Node) -> usize {
    node.start_position().row + 1
}

fn top_level(statement: Node, bytes: &[u8], summary: &mut Summary) {
    match statement.kind() {
        "import_statement" | "import_from_statement" | "future_import_statement" => {
            let module = if statement.kind() == "import_from_statement" {
                statement.child_by_field_name("module_name").into_iter().collect::<Vec<_>>()
            } else {
                let mut cursor = statement.walk();
                statement.children_by_field_name("name", &mut cursor).collect()
            };
            for name in &module {
                let alias = (name.kind() == "aliased_import")
                    .then(|| name.child_by_field_name("alias"))
                    .flatten()
                    .map(|alias| text_of(alias, bytes).to_string());
                let name = match name.kind() {
                    "aliased_import" => name.child_by_field_name("name").unwrap_or(*name),
                    _ => *name,
                };
                let text = text_of(name, bytes);
                if statement.kind() == "import_statement" {
                    let bound = alias.unwrap_or_else(|| text.trim().to_string());
                    summary.imported_as.push((text.trim().to_string(), bound));
                }
                if !text.starts_with('.') {
                    if let Some(first) = text.split('.').next() {
                        summary.imports.push(first.trim().to_string());
                    }
                }
                summary.imported_modules.push(text.trim().to_string());
            }
            if let (true, Some(from)) = (statement.kind() == "import_from_statement", module.first()) {
                imported_names(statement, text_of(*from, bytes).trim(), bytes, summary);
            }
        }
        "expression_statement" => {
            let Some(inner) = statement.named_child(0) else { return };
            if inner.kind() != "assignment" {
                return;
            }
            let (Some(left), Some(right)) = (inner.child_by_field_name("left"), inner.child_by_field_name("right")) else {
                return;
            };
            if left.kind() != "identifier" {
                return;
            }
            let name = text_of(left, bytes).to_string();
            summary.assigned.push((name.clone(), line_of(statement)));
            if let Some(up) = module_folder(right, bytes, 0) {
                MODULE_FOLDERS.with(|names| names.borrow_mut().push((name.clone(), up)));
            }
            if right.kind() == "call" {
                // `LOGS_DIR = os.path.join(BASE_DIR, "logs")`, `DOWNLOADS = Path("downloads")` and
                // `DATA = os.environ.get("DATA_DIR", "data")` are paths as well as calls.
                if let path @ (Literal::UnderBase(_) | Literal::Str(_) | Literal::BesideModule(..) | Literal::EnvNumber(..)) =
                    literal(right, bytes)
                {
                    summary.constants.push((name.clone(), path, line_of(statement)));
                }
                if let Some(function) = right.child_by_field_name("function") {
                    let callee = text_of(function, bytes);
                    let last = callee.rsplit('.').next().unwrap_or(callee).to_string();
                    summary.assignments.push((name, last, line_of(statement)));
                }
            } else {
                let value = literal(right, bytes);
                if value != Literal::Other {
                    summary.constants.push((name, value, line_of(statement)));
                }
            }
        }
        "function_definition" => {
            if let Some(name) = statement.child_by_field_name("name") {
                let returns = statement.child_by_field_name("return_type").map(|annotation| {
                    let annotation = text_of(annotation, bytes);
                    annotation.rsplit('.').next().unwrap_or(annotation).to_string()
                });
                summary.functions.push((text_of(name, bytes).to_string(), returns, line_of(statement)));
            }
        }
        "decorated_definition" => {
            if let Some(definition) = statement.child_by_field_name("definition") {
                top_level(definition, bytes, summary);
            }
        }
        "class_definition" => summary.classes.push(class(statement, bytes)),
        _ => {}
    }
}

/// The names `from MODULE import a, b as c` binds, each as (module, name, bound name, line); `from x import *`
/// binds none that can be named.
fn imported_names(statement: Node, from: &str, bytes: &[u8], summary: &mut Summary) {
    let mut cursor = statement.walk();
    for name in statement.children_by_field_name("name", &mut cursor) {
        let (original, bound) = match name.kind() {
            "aliased_import" => (
                name.child_by_field_name("name").map_or("", |n| text_of(n, bytes)),
                name.child_by_field_name("alias").map_or("", |n| text_of(n, bytes)),
            ),
            _ => (text_of(name, bytes), text_of(name, bytes)),
        };
        if !original.is_empty() && !bound.is_empty() {
            let entry = (from.to_string(), original.to_string(), bound.to_string(), line_of(statement));
            summary.imported_names.push(entry);
        }
    }
}

fn class(definition: Node, bytes: &[u8]) -> Class {
    let mut found = Class {
        name: definition.child_by_field_name("name").map(|n| text_of(n, bytes).to_string()).unwrap_or_default(),
        ..Class::default()
    };
    if let Some(bases) = definition.child_by_field_name("superclasses") {
        let mut cursor = bases.walk();
        for base in bases.named_children(&mut cursor).filter(|b| b.kind() != "keyword_argument") {
            let text = text_of(base, bytes);
            found.bases.push(text.rsplit('.').next().unwrap_or(text).to_string());
        }
    }
    let Some(body) = definition.child_by_field_name("body") else { return found };
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        match statement.kind() {
            "expression_statement" => {
                let Some(assignment) = statement.named_child(0).filter(|n| n.kind() == "assignment") else { continue };
                class_assignment(assignment, bytes, &mut found);
            }
            // `class Config: env_prefix = "APP_"`: its literals are the outer class's settings.
            "class_definition" => found.settings.extend(class(statement, bytes).settings),
            _ => {}
        }
    }
    found
}

fn class_assignment(assignment: Node, bytes: &[u8], found: &mut Class) {
    let Some(left) = assignment.child_by_field_name("left").filter(|l| l.kind() == "identifier") else { return };
    let name = text_of(left, bytes).to_string();
    let right = assignment.child_by_field_name("right");
    // `BASE_DIR = os.path.dirname(os.path.abspath(__file__))` in a config class: the later attributes built on
    // it are beside the module, as at the top level.
    if let Some(up) = right.and_then(|value| module_folder(value, bytes, 0)) {
        MODULE_FOLDERS.with(|names| names.borrow_mut().push((name.clone(), up)));
    }
    let annotation = assignment.child_by_field_name("type");
    // `model_config: ClassVar[...] = SettingsConfigDict(...)`, `_prefix: ClassVar[str] = "APP_"`: settings of the
    // class, not fields.
    let class_level = annotation.is_some_and(|a| text_of(a, bytes).starts_with("ClassVar")) || name == "model_config";
    if let Some(annotation) = annotation.filter(|_| !class_level) {
        let default = match right {
            None => FieldDefault::Missing,
            Some(value) if value.kind() == "call" => {
                let callee = value.child_by_field_name("function").map_or("", |f| text_of(f, bytes));
                FieldDefault::Call(call(value, callee, bytes))
            }
            Some(value) => FieldDefault::Value(literal(value, bytes)),
        };
        found.fields.push(Field {
            name,
            annotation: text_of(annotation, bytes).to_string(),
            default,
            line: line_of(assignment),
        });
        return;
    }
    match right {
        Some(value) if value.kind() == "call" => {
            // A path built by a call (`os.path.join(basedir, "uploads")`) is a value like a string.
            let path = literal(value, bytes);
            if path.path_in(".").is_some() {
                found.values.push((name.clone(), path, line_of(assignment)));
            }
            found.settings.extend(call(value, "", bytes).keywords);
        }
        Some(value) => {
            let value = literal(value, bytes);
            found.values.push((name.clone(), value.clone(), line_of(assignment)));
            found.settings.push((name, value));
        }
        None => {}
    }
}

fn collect_calls(node: Node, bytes: &[u8], wanted: &dyn Fn(&str) -> bool, summary: &mut Summary, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match node.kind() {
        "call" => {
            if let Some(function) = node.child_by_field_name("function") {
                let callee = text_of(function, bytes);
                if wanted(callee.rsplit('.').next().unwrap_or(callee)) {
                    summary.calls.push(call(node, callee, bytes));
                }
            }
        }
        "dictionary" => {
            if let Some(handler) = dict_handler(node, bytes).filter(|h| wanted(h.callee.rsplit('.').next().unwrap_or(&h.callee))) {
                summary.calls.push(handler);
            }
        }
        "assignment" => {
            if let (Some(left), Some(right)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) {
                if left.kind() == "identifier" {
                    // A string, or a path a call builds from the working directory (`os.path.join(os.getcwd(),
                    // "config.json")`), or a variable's default.
                    let value = matches!(right.kind(), "string" | "call" | "binary_operator").then(|| literal(right, bytes));
                    let value = value.and_then(|v| v.as_str().map(str::to_string));
                    summary.bindings.push((text_of(left, bytes).to_string(), value));
                }
                let on_config = left.kind() == "subscript"
                    && left.child_by_field_name("value").is_some_and(|v| text_of(v, bytes).ends_with("config"));
                if let (true, Some(key)) = (on_config, left.child_by_field_name("subscript")) {
                    if let Literal::Str(key) = literal(key, bytes) {
                        summary.config_settings.push((key, literal(right, bytes), line_of(node)));
                    }
                }
            }
        }
        "subscript" => {
            // `os.environ["X"] = ...` sets the variable; only a subscript that is not assigned to reads it.
            let assigned = node
                .parent()
                .filter(|p| p.kind() == "assignment")
                .and_then(|p| p.child_by_field_name("left"))
                .is_some_and(|left| left.id() == node.id());
            let on_environ = !assigned
                && node
                    .child_by_field_name("value")
                    .is_some_and(|value| text_of(value, bytes).ends_with("environ"));
            if let (true, Some(key)) = (on_environ, node.child_by_field_name("subscript")) {
                if let Literal::Str(name) = literal(key, bytes) {
                    summary.environ_subscripts.push((name, line_of(node)));
                }
            }
        }
        _ => {}
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        collect_calls(child, bytes, wanted, summary, depth + 1);
    }
}

/// A logging handler configured as a dictionary (`dictConfig`, Django's `LOGGING`: `{"class":
/// "logging.handlers.RotatingFileHandler", "filename": LOG_FILE}`), read as the call that makes it: the class
/// is the callee, the other string keys its keywords.
fn dict_handler(node: Node, bytes: &[u8]) -> Option<Call> {
    let mut class = None;
    let mut keywords = Vec::new();
    let mut cursor = node.walk();
    for pair in node.named_children(&mut cursor).filter(|c| c.kind() == "pair") {
        let (Some(key), Some(value)) = (pair.child_by_field_name("key"), pair.child_by_field_name("value")) else {
            continue;
        };
        let Literal::Str(key) = literal(key, bytes) else { continue };
        match (key.as_str(), literal(value, bytes)) {
            ("class", Literal::Str(name)) => class = Some(name),
            (_, value) => keywords.push((key, value)),
        }
    }
    Some(Call {
        callee: class.filter(|c| c.contains("Handler"))?,
        args: Vec::new(),
        keywords,
        line: line_of(node),
    })
}

fn call(node: Node, callee: &str, bytes: &[u8]) -> Call {
    let mut args = Vec::new();
    let mut keywords = Vec::new();
    if let Some(arguments) = node.child_by_field_name("arguments") {
        let mut cursor = arguments.walk();
        for argument in arguments.named_children(&mut cursor) {
            if argument.kind() == "keyword_argument" {
                if let (Some(name), Some(value)) =
                    (argument.child_by_field_name("name"), argument.child_by_field_name("value"))
                {
                    keywords.push((text_of(name, bytes).to_string(), literal(value, bytes)));
                }
            } else if argument.kind() != "comment" {
                args.push(literal(argument, bytes));
            }
        }
    }
    Call {
        callee: callee.split_whitespace().collect(),
        args,
        keywords,
        line: line_of(node),
    }
}

/// A string without interpolation or escapes, a decimal integer, `...`, or a path under the base folder;
/// anything else is `Other`.
fn literal(node: Node, bytes: &[u8]) -> Literal {
    let text = text_of(node, bytes);
    match node.kind() {
        "call" => env_number(node, bytes)
            .or_else(|| path_call(node, bytes))
            .or_else(|| based_path(node, bytes, 0))
            .unwrap_or(Literal::Other),
        "binary_operator" => based_path(node, bytes, 0)
            .or_else(|| sqlite_url(node, bytes))
            .unwrap_or(Literal::Other),
        // `os.environ.get("DATABASE_URL") or "sqlite:///app.db"`: the value when the variable is unset.
        "boolean_operator" => match node.child_by_field_name("operator").map(|o| text_of(o, bytes)) {
            Some("or") => {
                let right = node.child_by_field_name("right").map_or(Literal::Other, |right| literal(right, bytes));
                // `os.environ.get("PORT") or 8080`: the variable, with the number when it is unset.
                let read = node.child_by_field_name("left").and_then(|left| env_read(left, bytes));
                match (read, right) {
                    (Some((name, None)), Literal::Int(default)) => Literal::EnvNumber(name, default),
                    (_, right) => right,
                }
            }
            _ => Literal::Other,
        },
        "integer" => text.replace('_', "").parse().map_or(Literal::Other, Literal::Int),
        "ellipsis" => Literal::Ellipsis,
        // `cfg.PORT` as a dotted name: an attribute of an imported module.
        "identifier" | "attribute" => Literal::Name(text.to_string()),
        "list" | "tuple" => {
            let mut cursor = node.walk();
            let items = node.named_children(&mut cursor).filter(|item| item.kind() != "comment");
            Literal::List(
                items
                    .map(|item| match item.kind() {
                        "list" | "tuple" => Literal::Other,
                        _ => literal(item, bytes),
                    })
                    .collect(),
            )
        }
        "string" => {
            let prefix_len = text.find(['"', '\'']).unwrap_or(0);
            let prefix = text[..prefix_len].to_ascii_lowercase();
            if prefix.contains('b') {
                return Literal::Other;
            }
            if prefix.contains('f') {
                return formatted(node, bytes).map_or(Literal::Other, Literal::Formatted);
            }
            let body = &text[prefix_len..];
            let quote = if body.starts_with("\"\"\"") || body.starts_with("'''") { 3 } else { 1 };
            if body.len() < quote * 2 {
                return Literal::Other;
            }
            let inner = &body[quote..body.len() - quote];
            if inner.contains('\\') && !prefix.contains('r') {
                return Literal::Other;
            }
            Literal::Str(inner.to_string())
        }
        _ => Literal::Other,
    }
}

/// An f-string's text with each substitution written `{}` (a plain name's `{name}`); None when it holds escapes.
fn formatted(node: Node, bytes: &[u8]) -> Option<String> {
    let mut text = String::new();
    let mut cursor = node.walk();
    for part in node.named_children(&mut cursor) {
        match part.kind() {
            "string_start" | "string_end" => {}
            "string_content" => {
                if text_of(part, bytes).contains('\\') {
                    return None;
                }
                text.push_str(text_of(part, bytes));
            }
            // A plain name is kept (`{db_file}`), for a module that assigned it a string to fill in.
            "interpolation" => {
                let mut inner = part.walk();
                let name = part.named_children(&mut inner).find(|child| child.kind() != "comment");
                match name.filter(|child| child.kind() == "identifier" && child.next_named_sibling().is_none()) {
                    Some(name) => {
                        text.push('{');
                        text.push_str(text_of(name, bytes));
                        text.push('}');
                    }
                    None => text.push_str("{}"),
                }
            }
            _ => return None,
        }
    }
    Some(text)
}

/// A variable read whose default is a number (`os.getenv("PORT", "8080")`, `os.environ.get("PORT", 8080)`), also
/// under `int(…)`: the variable and the number.
fn env_number(node: Node, bytes: &[u8]) -> Option<Literal> {
    match env_read(node, bytes)? {
        (name, Some(default)) => Some(Literal::EnvNumber(name, default)),
        (_, None) => None,
    }
}

/// `os.getenv("NAME")`, `os.environ.get("NAME", default)` (also under `int(…)`): the variable's name and its
/// default when that is a number or a string of digits.
fn env_read(node: Node, bytes: &[u8]) -> Option<(String, Option<i64>)> {
    if node.kind() != "call" {
        return None;
    }
    let callee = text_of(node.child_by_field_name("function")?, bytes);
    let arguments = node.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    let positional: Vec<Node> = arguments.named_children(&mut cursor).filter(|a| a.kind() != "comment").collect();
    match callee {
        "int" => env_read(*positional.first()?, bytes),
        "os.environ.get" | "os.getenv" | "environ.get" | "getenv" => {
            let Literal::Str(name) = literal(*positional.first()?, bytes) else { return None };
            let default = positional.get(1).map(|d| match d.kind() {
                "keyword_argument" => d.child_by_field_name("value").map_or(Literal::Other, |v| literal(v, bytes)),
                _ => literal(*d, bytes),
            });
            let number = match default {
                None => None,
                Some(Literal::Int(n)) => Some(n),
                Some(Literal::Str(digits)) => Some(digits.parse().ok()?),
                Some(_) => return None,
            };
            Some((name, number))
        }
        _ => None,
    }
}

/// The path a call stands for: `Path("downloads")` and `str(UI_DIR)` are their argument; `os.environ.get("DATA_DIR", "data")` and
/// `os.getenv(…, default)` are their default, the path the program uses when the variable is unset.
fn path_call(node: Node, bytes: &[u8]) -> Option<Literal> {
    let callee = text_of(node.child_by_field_name("function")?, bytes);
    let arguments = node.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    let mut positional = arguments.named_children(&mut cursor).filter(|a| a.kind() != "keyword_argument");
    // `str(UI_DIR)` is the path its argument names, a constant's name included.
    let (at, names) = match callee {
        "Path" | "pathlib.Path" | "PurePath" => (0, false),
        "str" | "os.fspath" => (0, true),
        "os.environ.get" | "os.getenv" | "environ.get" | "getenv" => (1, false),
        _ => return None,
    };
    let argument = positional.nth(at)?;
    match literal(argument, bytes) {
        path @ (Literal::Str(_) | Literal::UnderBase(_) | Literal::BesideModule(..)) => Some(path),
        name @ Literal::Name(_) if names => Some(name),
        _ => None,
    }
}

/// `BASE_DIR / "logs" / "app.log"` or `os.path.join(BASE_DIR, "logs")` → `logs/app.log` under the project's
/// base folder; the same from the module's folder (`Path(__file__).parent`, `os.path.dirname(__file__)`) is a
/// path beside the module. None for anything else (another base, a part that is not a plain string).
fn based_path(node: Node, bytes: &[u8], depth: usize) -> Option<Literal> {
    if depth > 16 {
        return None;
    }
    // A name bound to the module's own folder is that folder, whatever it is called (`BASE_DIR =
    // os.path.dirname(__file__)` in a package below the project); otherwise the conventional names are the
    // project's base folder (Django's `BASE_DIR = Path(__file__).resolve().parent.parent`).
    let base = |node: Node| {
        // The working directory: a path from it is relative, as a plain string's is.
        if WORKING_DIRECTORY.contains(&text_of(node, bytes)) {
            return Some(Literal::Str(String::new()));
        }
        let folder = module_folder(node, bytes, 0);
        if folder == Some(0) {
            return Some(Literal::BesideModule(0, String::new()));
        }
        let text = text_of(node, bytes);
        if BASE_FOLDERS.contains(&text.rsplit('.').next().unwrap_or(text)) {
            return Some(Literal::UnderBase(String::new()));
        }
        folder.map(|up| Literal::BesideModule(up, String::new()))
    };
    let string = |node: Node| match literal(node, bytes) {
        Literal::Str(s) if !s.is_empty() => Some(s),
        _ => None,
    };
    let joined = |base: Literal, rest: &str| match base {
        Literal::Str(s) => Some(Literal::Str(join_path(&s, rest))),
        Literal::UnderBase(s) => Some(Literal::UnderBase(join_path(&s, rest))),
        Literal::BesideModule(up, s) => Some(Literal::BesideModule(up, join_path(&s, rest))),
        _ => None,
    };
    match node.kind() {
        "binary_operator" => {
            let operator = node.child_by_field_name("operator").map(|o| text_of(o, bytes));
            let (left, right) = (node.child_by_field_name("left")?, node.child_by_field_name("right")?);
            if operator != Some("/") {
                return None;
            }
            let left = base(left).or_else(|| based_path(left, bytes, depth + 1))?;
            joined(left, &string(right)?)
        }
        "call" => {
            let callee = text_of(node.child_by_field_name("function")?, bytes);
            if !callee.ends_with("path.join") {
                return None;
            }
            let arguments = node.child_by_field_name("arguments")?;
            let mut cursor = arguments.walk();
            let parts: Vec<Node> = arguments.named_children(&mut cursor).filter(|a| a.kind() != "comment").collect();
            let (first, rest) = parts.split_first()?;
            let rest: Option<Vec<String>> = rest.iter().map(|part| string(*part)).collect();
            let rest = rest.filter(|r| !r.is_empty())?;
            match base(*first) {
                Some(first) => joined(first, &rest.join("/")),
                // `os.path.join('app', 'static', 'uploads')`: a path as its strings joined would be.
                None => Some(Literal::Str(join_path(&string(*first)?, &rest.join("/")))),
            }
        }
        _ => None,
    }
}

/// `"sqlite:///" + os.path.join(basedir, "app.db")`: a `SQLite` URL on a path built from a base folder.
fn sqlite_url(node: Node, bytes: &[u8]) -> Option<Literal> {
    let operator = node.child_by_field_name("operator").map(|o| text_of(o, bytes));
    let (left, right) = (node.child_by_field_name("left")?, node.child_by_field_name("right")?);
    let Literal::Str(prefix) = literal(left, bytes) else { return None };
    // Three slashes and a relative path; four would be an absolute one, which a base folder cannot follow.
    if operator != Some("+") || !prefix.starts_with("sqlite") || !prefix.ends_with(":///") {
        return None;
    }
    let path = based_path(right, bytes, 0)?;
    Some(Literal::SqliteUrl(Box::new(path)))
}

fn join_path(base: &str, rest: &str) -> String {
    if base.is_empty() {
        rest.to_string()
    } else {
        format!("{base}/{rest}")
    }
}

/// How many folders above the module's own an expression names: `Path(__file__).parent`,
/// `Path(__file__).resolve().parent`, `os.path.dirname(__file__)` and `os.path.dirname(os.path.abspath(__file__))`
/// are 0, each further `.parent` or `dirname` one more. None for anything else.
fn module_folder(node: Node, bytes: &[u8], depth: usize) -> Option<usize> {
    if depth > 16 {
        return None;
    }
    let is_file = |node: Node| {
        let text: String = text_of(node, bytes).split_whitespace().collect();
        matches!(
            text.as_str(),
            "__file__"
                | "Path(__file__)"
                | "pathlib.Path(__file__)"
                | "Path(__file__).resolve()"
                | "Path(__file__).absolute()"
                | "pathlib.Path(__file__).resolve()"
                | "os.path.abspath(__file__)"
                | "os.path.realpath(__file__)"
        )
    };
    match node.kind() {
        "identifier" => {
            let name = text_of(node, bytes);
            MODULE_FOLDERS.with(|names| names.borrow().iter().rev().find(|(n, _)| n == name).map(|(_, up)| *up))
        }
        "attribute" => {
            let object = node.child_by_field_name("object")?;
            if text_of(node.child_by_field_name("attribute")?, bytes) != "parent" {
                return None;
            }
            if is_file(object) {
                return Some(0);
            }
            module_folder(object, bytes, depth + 1).map(|up| up + 1)
        }
        "call" => {
            let function = node.child_by_field_name("function")?;
            let callee = text_of(function, bytes);
            let arguments = node.child_by_field_name("arguments")?;
            // The same folder, made absolute: `os.path.abspath(os.path.dirname(__file__))`, `HERE.resolve()`.
            if matches!(callee, "os.path.abspath" | "os.path.realpath" | "Path" | "pathlib.Path") {
                return module_folder(arguments.named_child(0)?, bytes, depth + 1);
            }
            if function.kind() == "attribute" && arguments.named_child_count() == 0 {
                let method = function.child_by_field_name("attribute").map(|m| text_of(m, bytes));
                if matches!(method, Some("resolve" | "absolute")) {
                    return module_folder(function.child_by_field_name("object")?, bytes, depth + 1);
                }
            }
            if callee != "os.path.dirname" && callee != "path.dirname" {
                return None;
            }
            let argument = arguments.named_child(0)?;
            if is_file(argument) {
                return Some(0);
            }
            module_folder(argument, bytes, depth + 1).map(|up| up + 1)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_base_folder_are_read() {
        let text = "os.makedirs(BASE_DIR / 'logs', exist_ok=True)\nopen(settings.BASE_DIR / 'data' / 'x.db', 'w')\n\
                    os.makedirs(os.path.join(BASE_DIR, 'media', 'uploads'))\nos.makedirs(other / 'x')\n\
                    os.makedirs(os.path.join(BASE_DIR, name))\n";
        let summary = summarise(text, &|name| name == "makedirs" || name == "open");
        let paths: Vec<Option<String>> = summary.calls.iter().map(|c| c.args[0].path_in(".")).collect();
        let paths: Vec<Option<&str>> = paths.iter().map(Option::as_deref).collect();
        assert_eq!(paths, vec![Some("logs"), Some("data/x.db"), Some("media/uploads"), None, None]);
        assert_eq!(summary.calls[0].args[0].as_str(), None);
    }

    #[test]
    fn paths_beside_the_module_are_read_from_its_folder() {
        let text = "DB_PATH = Path(__file__).parent / 'sage.db'\nDATA = os.path.join(os.path.dirname(os.path.dirname(\
                    os.path.abspath(__file__))), 'data')\nUP = Path(__file__).resolve().parent.parent / 'uploads'\n\
                    NOT = Path(other).parent / 'x'\n";
        let summary = summarise(text, &|_| false);
        let paths: Vec<(String, Option<String>)> =
            summary.constants.iter().map(|(n, v, _)| (n.clone(), v.path_in("api/db"))).collect();
        assert_eq!(
            paths,
            [
                ("DB_PATH".to_string(), Some("api/db/sage.db".to_string())),
                ("DATA".to_string(), Some("api/data".to_string())),
                ("UP".to_string(), Some("api/uploads".to_string())),
            ]
        );
        // Above the repository: no path.
        assert_eq!(summary.constants[1].1.path_in("."), None);
    }

    #[test]
    fn a_module_is_summarised() {
        let text = "import os\nfrom fastapi import FastAPI\nfrom . import routes\n\napp = FastAPI(title='x')\n\n\
                    WSGI_APPLICATION = 'mysite.wsgi.application'\n\n@decorator\ndef create_app():\n    return 1\n\n\
                    if __name__ == '__main__':\n    import uvicorn\n    uvicorn.run(app, host=\"0.0.0.0\", port=8080)\n";
        let summary = summarise(text, &|name| name == "run");
        assert_eq!(summary.imports, vec!["os", "fastapi"]);
        assert_eq!(summary.assignments, vec![("app".into(), "FastAPI".into(), 5)]);
        assert_eq!(summary.functions, vec![("create_app".into(), None, 10)]);
        assert_eq!(
            summary.constants,
            vec![("WSGI_APPLICATION".into(), Literal::Str("mysite.wsgi.application".into()), 7)]
        );
        assert_eq!(summary.calls.len(), 1);
        assert_eq!(summary.calls[0].keyword("port"), Some(&Literal::Int(8080)));
        assert_eq!(summary.calls[0].keyword("host").and_then(Literal::as_str), Some("0.0.0.0"));
    }

    #[test]
    fn variables_read_with_a_number_are_ports_that_name_their_variable() {
        let text = "A = os.getenv('PORT', '53110')\nB = int(os.environ.get(\"API_PORT\", 8080))\n\
                    C = os.environ.get('PORT') or 5000\nD = os.getenv('DATA_DIR', 'data')\nE = os.getenv('X', 'abc')\n\
                    import config as cfg\nimport settings\n";
        let summary = summarise(text, &|_| false);
        let values: Vec<(&str, &Literal)> = summary.constants.iter().map(|(n, v, _)| (n.as_str(), v)).collect();
        assert_eq!(
            values,
            [
                ("A", &Literal::EnvNumber("PORT".into(), 53110)),
                ("B", &Literal::EnvNumber("API_PORT".into(), 8080)),
                ("C", &Literal::EnvNumber("PORT".into(), 5000)),
                ("D", &Literal::Str("data".into())),
                ("E", &Literal::Str("abc".into())),
            ]
        );
        assert_eq!(values[0].1.as_port(), Some(53110));
        let bound = [("config".to_string(), "cfg".to_string()), ("settings".to_string(), "settings".to_string())];
        assert_eq!(summary.imported_as, bound);
    }

    #[test]
    fn classes_are_summarised() {
        let text = "class Settings(pydantic_settings.BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n\
                    \x20   db_url: str\n    debug: bool = False\n    key: SecretStr = Field(alias='KEY')\n    x = 1\n\
                    \x20   class Config:\n        env_file = '.env'\n";
        let summary = summarise(text, &|_| false);
        let class = &summary.classes[0];
        assert_eq!((class.name.as_str(), class.bases.as_slice()), ("Settings", &["BaseSettings".to_string()][..]));
        let fields: Vec<(&str, &str)> = class.fields.iter().map(|f| (f.name.as_str(), f.annotation.as_str())).collect();
        assert_eq!(fields, vec![("db_url", "str"), ("debug", "bool"), ("key", "SecretStr")]);
        assert!(matches!(class.fields[0].default, FieldDefault::Missing) && matches!(class.fields[1].default, FieldDefault::Value(_)));
        assert!(matches!(&class.fields[2].default, FieldDefault::Call(c) if c.keyword("alias").is_some()));
        assert_eq!(class.settings[0], ("env_prefix".to_string(), Literal::Str("APP_".into())));
        assert!(class.settings.iter().any(|(k, _)| k == "env_file"));
    }

    #[test]
    fn broken_and_hostile_text_yields_what_it_can() {
        let summary = summarise("app = Flask(__name__\nx = [[[[[", &|_| true);
        assert!(summary.functions.is_empty());
        let deep = "f(".repeat(5000);
        let _ = summarise(&deep, &|_| true);
    }
}
