//! What one module loads and names: the modules it imports or requires, loads whose target is only known at
//! run time, and the paths it builds or passes around (`path.join(__dirname, '../views')`,
//! `express.static('public')`), each with its line.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use oxc_allocator::Vec as ArenaVec;
use oxc_ast::ast::{
    Argument, BindingPattern, CallExpression, ExportAllDeclaration, ExportFromDeclaration, Expression, FormalParameter,
    ImportDeclaration, ImportDeclarationSpecifier, ImportExpression, ImportOrExportKind, NewExpression, ObjectExpression, ObjectProperty, ObjectPropertyKind,
    TemplateLiteral, VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_span::GetSpan;

use super::eval::{join, Scope, Static};
use super::{with_program, Lines};
use crate::knowledge::node;

/// The references of one module.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct References {
    /// Specifiers of static imports, re-exports, and `require`/`import()` of a known string, with their line.
    pub(crate) modules: Vec<(String, usize)>,
    /// The indexes of `modules`' entries that are `import()` expressions: loaded when the code gets there,
    /// often only on one path (a development server, test mocks).
    pub(crate) lazy: Vec<usize>,
    /// Loads whose specifier is only known at run time, with the folder it is known to be under when it is
    /// (`require(path.join(__dirname, 'routes', file))` → `routes`).
    pub(crate) dynamic: Vec<(Option<Static>, usize)>,
    /// Strings and paths the code names where a path can go: paths built from `__dirname`, `import.meta` or
    /// the working directory anywhere; plain strings only as call arguments, property values or initial values.
    pub(crate) paths: Vec<(Static, usize)>,
    /// Paths the code writes (knowledge/node/runtime.toml `[writes]`): the folder it makes or the file it
    /// writes, with its line.
    pub(crate) writes: Vec<(Written, usize)>,
    /// Programs the code starts that runtime images lack (`spawn('ffmpeg', …)`, `execSync('git rev-parse
    /// HEAD')`; knowledge/programs), with their line.
    pub(crate) runs: Vec<(String, usize)>,
    /// Static file servers given the module's own folder or the working directory (`express.static('./')`,
    /// `express.static(__dirname)`): every file there may be asked for. The folder, with its line.
    pub(crate) serves_folder: Vec<(Static, usize)>,
}

/// What a function given as a setting hands its callback, its last parameter (`(req, file, cb) => cb(null,
/// 'uploads')`): each known second argument of a call to it, with where.
fn callback_values<'a>(value: &Expression<'a>, scope: &Scope<'_, 'a>) -> Vec<(Static, u32)> {
    let params = match value.get_inner_expression() {
        Expression::ArrowFunctionExpression(arrow) => &arrow.params,
        Expression::FunctionExpression(function) => &function.params,
        _ => return Vec::new(),
    };
    let Some(BindingPattern::BindingIdentifier(callback)) = params.items.last().map(|p| &p.pattern) else {
        return Vec::new();
    };
    let mut calls = CallbackCalls {
        callback: callback.name.as_str(),
        scope,
        found: Vec::new(),
    };
    match value.get_inner_expression() {
        Expression::ArrowFunctionExpression(arrow) => calls.visit_arrow_function_body(&arrow.body),
        Expression::FunctionExpression(function) => {
            if let Some(body) = &function.body {
                calls.visit_function_body(body);
            }
        }
        _ => {}
    }
    calls.found
}

/// The calls of one callback inside a function body, with their known second argument.
struct CallbackCalls<'c, 's, 'a> {
    callback: &'c str,
    scope: &'c Scope<'s, 'a>,
    found: Vec<(Static, u32)>,
}

impl<'a> Visit<'a> for CallbackCalls<'_, '_, 'a> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if it.callee.is_specific_id(self.callback) {
            if let Some(value) = it.arguments.get(1).and_then(Argument::as_expression).and_then(|e| self.scope.eval(e)) {
                if !matches!(value, Static::ThisFile) {
                    self.found.push((value, it.span.start));
                }
            }
        }
        walk::walk_call_expression(self, it);
    }
}

/// The name a call is made by: the function's (`writeFile(…)`) or the method's (`fs.writeFile(…)`).
fn called_name<'e>(callee: &'e Expression) -> Option<&'e str> {
    match callee.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(member) => Some(member.property.name.as_str()),
        _ => None,
    }
}

/// The folder a template's literal start names (`./uploads/${name}` → `./uploads`): only one written as relative
/// (`./`, `../`) when `relative_only`; an absolute one as it is; None for a URL or no folder at all.
fn template_folder(template: &TemplateLiteral, relative_only: bool) -> Option<Static> {
    let head = template.quasis.first()?.value.cooked?.as_str();
    let folder = head.rsplit_once('/')?.0;
    if head.contains("://") || (relative_only && !folder.starts_with('.')) {
        return None;
    }
    match folder {
        "" => None,
        absolute if absolute.starts_with('/') => Some(Static::Text(absolute.to_string())),
        relative => Some(Static::Text(format!("./{}", join("", relative)))),
    }
}

/// Whether a package's default export constructs a database on the file it is given (knowledge/node/runtime.toml).
fn is_constructor_package(specifier: &str) -> bool {
    node::runtime().files.writes.constructor_packages.iter().any(|p| p == specifier)
}

/// Calls that serve the files of the folder they are given (`express.static`, serve-static, koa-static).
const STATIC_SERVING_CALLS: &[&str] = &["static", "serveStatic", "koaStatic"];

/// `child_process` and execa calls whose first argument is the program.
const RUN_CALLS: &[&str] = &["spawn", "spawnSync", "execFile", "execFileSync", "execa", "execaSync"];
/// Calls whose first argument is a shell command line, starting with the program.
const RUN_COMMAND_CALLS: &[&str] = &["exec", "execSync", "execaCommand", "execaCommandSync"];

/// A path the code writes to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Written {
    /// A folder the program makes (`fs.mkdirSync('uploads')`, multer's `dest`).
    Folder(Static),
    /// A file it writes (`new Database('data/app.db')`): its folder must be writable.
    File(Static),
}

/// The references of the module `text`, parsed as the file `name`; None when it does not parse.
pub(crate) fn references(text: &str, name: &str) -> Option<References> {
    with_program(text, name, |program| {
        let scope = Scope::of(program);
        let mut collector = Collector {
            lines: Lines::new(text),
            scope: &scope,
            found: References::default(),
            strings_are_paths: false,
            folders_of: HashMap::default(),
            constructors: Vec::new(),
        };
        collector.visit_program(program);
        collector.found
    })
}

struct Collector<'c, 's, 'a> {
    lines: Lines,
    scope: &'c Scope<'s, 'a>,
    found: References,
    /// Whether the expression visited next sits where a path can go (an argument, a property value).
    strings_are_paths: bool,
    /// Names bound to a path only partly known, with the folder it is under (`const filepath =
    /// path.join(__dirname, 'files', name)` → `files`): a write to them writes in that folder.
    folders_of: HashMap<String, Static>,
    /// Names bound to a database constructor package's default export (`const sqlite =
    /// require('better-sqlite3')`, `import Db from 'better-sqlite3'`): `new sqlite(file)` writes the file.
    constructors: Vec<String>,
}

impl<'a> Collector<'_, '_, 'a> {
    fn line(&self, offset: u32) -> usize {
        self.lines.at(offset)
    }

    /// A load of `specifier`: a module when it is a known string, else a dynamic load.
    fn load(&mut self, specifier: &Expression<'a>, offset: u32) {
        let line = self.line(offset);
        let value = self.scope.eval(specifier);
        if let Some(Static::Text(module)) = value {
            self.found.modules.push((module, line));
        } else if let Some(Static::Here(path)) = value {
            // import(path.join(__dirname, 'dist', 'server.mjs')): a module beside this file.
            self.found.modules.push((format!("./{path}"), line));
        } else if let Some(Static::Cwd(path)) = value {
            self.found.dynamic.push((Some(Static::Cwd(path)), line));
        } else {
            let known = self.known_prefix(specifier);
            self.found.dynamic.push((known, line));
        }
    }

    /// The path a write call or constructor is given first, when it is known.
    fn written_path(&self, arguments: &[Argument<'a>]) -> Option<Static> {
        let value = self.scope.eval(arguments.first()?.as_expression()?)?;
        let named = match &value {
            Static::Text(text) => !text.is_empty() && !text.starts_with(':') && !text.contains("://"),
            Static::Here(_) | Static::Cwd(_) => true,
            Static::ThisFile => false,
        };
        named.then_some(value)
    }

    /// A call or constructor that writes: `fs.mkdirSync(dir)`, `writeFile(file)`, `new Database(file)`.
    fn note_write(&mut self, callee: &Expression<'a>, arguments: &[Argument<'a>], offset: u32, constructs: bool) {
        let Some(name) = called_name(callee) else { return };
        // Most calls write nothing: their name is no listed call's, nor a database constructor's.
        if !(write_call_names().contains(name) || constructs && self.constructors.iter().any(|c| c == name)) {
            return;
        }
        let writes = &node::runtime().files.writes;
        // `Bun.write(path, data)`: listed with its object, as a bare `write` is every stream's.
        let qualified = match callee.get_inner_expression() {
            Expression::StaticMemberExpression(member) => match &member.object {
                Expression::Identifier(object) => Some((object.name.as_str(), name)),
                _ => None,
            },
            _ => None,
        };
        let listed = |names: &[String]| {
            names.iter().any(|n| match n.split_once('.') {
                Some(call) => qualified == Some(call),
                None => n == name,
            })
        };
        let written = if constructs {
            (listed(&writes.file_constructors) || self.constructors.iter().any(|c| c == name))
                .then_some(Written::File as fn(Static) -> Written)
        } else if listed(&writes.folder_calls) {
            Some(Written::Folder as fn(Static) -> Written)
        } else {
            listed(&writes.file_calls).then_some(Written::File as fn(Static) -> Written)
        };
        if let Some(written) = written {
            let line = self.line(offset);
            if let Some(path) = self.written_path(arguments) {
                self.found.writes.push((written(path), line));
            } else if let Some(folder) = arguments.first().and_then(Argument::as_expression).and_then(|first| {
                match first.get_inner_expression() {
                    Expression::Identifier(id) => self.folders_of.get(id.name.as_str()).cloned(),
                    // A write's template path is a path whatever its start (`public/${board}/points.csv`), where
                    // a load's or a URL's is not.
                    Expression::TemplateLiteral(template) => template_folder(template, false),
                    other => self.known_prefix(other),
                }
            }) {
                // `file.mv(path.join(__dirname, 'files', name))`: a file of that folder, named at run time.
                self.found.writes.push((Written::Folder(folder), line));
            }
        }
    }

    /// A call that starts a program runtime images lack: `spawn('ffmpeg', args)`, `execSync('git pull')`.
    fn note_run(&mut self, callee: &Expression<'a>, arguments: &[Argument<'a>], offset: u32) {
        // `/re/.exec(text)` matches a pattern, it runs nothing.
        let pattern = matches!(callee.get_inner_expression(), Expression::StaticMemberExpression(member)
            if matches!(member.object, Expression::RegExpLiteral(_)));
        let Some(name) = called_name(callee).filter(|_| !pattern) else { return };
        let whole_command = RUN_COMMAND_CALLS.contains(&name);
        if !(whole_command || RUN_CALLS.contains(&name)) {
            return;
        }
        let Some(Static::Text(text)) = arguments
            .first()
            .and_then(Argument::as_expression)
            .and_then(|e| self.scope.eval(e))
        else {
            return;
        };
        let program = if whole_command {
            text.split_whitespace().next().unwrap_or_default()
        } else {
            text.as_str()
        };
        let program = program.rsplit('/').next().unwrap_or(program);
        let line = self.line(offset);
        if crate::knowledge::programs::is_known(program) {
            self.found.runs.push((program.to_string(), line));
        }
        // The files a whole command names (`Rscript plots/roster.R data.csv`) are read where it runs: paths of
        // the working directory, shipped when the repository has them.
        if whole_command {
            for word in text.split_whitespace().skip(1).filter(|w| !w.starts_with('-') && w.contains(['/', '.'])) {
                self.found.paths.push((Static::Text(word.to_string()), line));
            }
        }
    }

    /// A static file server given its module's folder or the working directory itself: `express.static('./')`,
    /// `express.static(__dirname)`, `serveStatic(process.cwd())`; a subfolder it names is a path of the working
    /// directory, a bare word (`build`) too.
    fn note_served_folder(&mut self, callee: &Expression<'a>, arguments: &[Argument<'a>], offset: u32) {
        if !called_name(callee).is_some_and(|name| STATIC_SERVING_CALLS.contains(&name)) {
            return;
        }
        let Some(value) = arguments.first().and_then(Argument::as_expression).and_then(|e| self.scope.eval(e)) else {
            return;
        };
        let own = match &value {
            Static::Text(text) => matches!(text.as_str(), "." | "./" | ""),
            Static::Here(rel) | Static::Cwd(rel) => matches!(rel.as_str(), "" | "." | "./"),
            Static::ThisFile => false,
        };
        let line = self.line(offset);
        if own {
            self.found.serves_folder.push((value, line));
        } else if let Static::Text(folder) = value {
            // A plain name it serves (`express.static('build')`) is a folder of the working directory, however
            // short: the server resolves it from there.
            self.found.paths.push((Static::Cwd(folder), line));
        }
    }

    /// A template a view engine renders by a path from its root (`reply.view('/index.ejs')`: @fastify/view's root
    /// is the working directory unless given): a file of the working directory, where an absolute-looking name
    /// would otherwise be taken for a path outside the app.
    fn note_template(&mut self, callee: &Expression<'a>, arguments: &[Argument<'a>], offset: u32) {
        if called_name(callee) != Some("view") {
            return;
        }
        if let Some(Argument::StringLiteral(name)) = arguments.first() {
            if let Some(rel) = name.value.strip_prefix('/').filter(|rel| !rel.is_empty() && !rel.starts_with('/')) {
                let line = self.line(offset);
                self.found.paths.push((Static::Cwd(rel.to_string()), line));
            }
        }
    }

    /// A setting naming a path written to: `{ dest: 'uploads/' }`, `{ filename: './data/app.db' }`.
    fn note_written_setting(&mut self, it: &ObjectProperty<'a>) {
        let Some(key) = it.key.static_name() else { return };
        let writes = &node::runtime().files.writes;
        let folder = writes.folder_keys.iter().any(|k| *k == key);
        let file = writes.file_keys.iter().any(|k| *k == key);
        if !(folder || file) {
            return;
        }
        // multer's `destination: (req, file, cb) => cb(null, 'uploads')`: the folder the callback is given.
        if folder {
            for (value, offset) in callback_values(&it.value, self.scope) {
                let line = self.line(offset);
                self.found.writes.push((Written::Folder(value), line));
            }
        }
        let Some(value) = self.scope.eval(&it.value) else {
            // `` filename: `./logs/${day}/server.log` ``: a file made at run time in a folder the text starts with.
            if let Expression::TemplateLiteral(template) = it.value.get_inner_expression() {
                let last = template.quasis.last().and_then(|q| q.value.cooked.as_ref()).map(oxc_ast::ast::Str::as_str);
                let folder = template_folder(template, false).filter(|_| file && template.quasis.len() > 1);
                if let Some(folder) = folder.filter(|_| last.is_some_and(has_written_extension)) {
                    let line = self.line(it.span.start);
                    self.found.writes.push((Written::Folder(folder), line));
                }
            }
            return;
        };
        let Some(text) = value.path() else { return };
        let written = if folder {
            Written::Folder(value)
        } else if has_written_extension(text) && !text.contains("://") {
            Written::File(value)
        } else {
            return;
        };
        let line = self.line(it.span.start);
        self.found.writes.push((written, line));
    }

    /// The file a `SQLite` settings object names, when no extension told it apart (`{ type: 'sqlite', database:
    /// 'db' }`, Knex's `{ client: 'sqlite3', connection: { filename: './data/app' } }`).
    fn note_sqlite_settings(&mut self, it: &ObjectExpression<'a>) {
        let writes = &node::runtime().files.writes;
        let sqlite = property_named(it, &writes.sqlite_driver_keys).is_some_and(|property| {
            matches!(&property.value, Expression::StringLiteral(driver) if writes.sqlite_drivers.iter().any(|d| *d == driver.value.as_str()))
        });
        if !sqlite {
            return;
        }
        let connection = property_named(it, &["connection".to_string()]).and_then(|property| match &property.value {
            Expression::ObjectExpression(inner) => property_named(inner, &writes.file_keys),
            _ => None,
        });
        let Some(property) = property_named(it, &writes.file_keys).or(connection) else { return };
        let Some(value) = self.scope.eval(&property.value) else { return };
        let Some(text) = value.path() else { return };
        // (A name with a known extension is noted with every other setting; `:memory:` is no file.)
        if text.is_empty() || text.starts_with(':') || has_written_extension(text) {
            return;
        }
        let line = self.line(property.span.start);
        self.found.writes.push((Written::File(value), line));
    }

    /// The folder a partly known path is under: `` `./routes/${name}` `` → `routes`,
    /// `path.join(__dirname, 'routes', name)` → `routes` beside the file.
    fn known_prefix(&self, expr: &Expression<'a>) -> Option<Static> {
        match expr.get_inner_expression() {
            Expression::TemplateLiteral(template) => template_folder(template, true),
            // Only a prefix of the arguments is known: the longest one that evaluates.
            Expression::CallExpression(call) => (1..call.arguments.len())
                .rev()
                .find_map(|n| self.scope.call_prefix(call, n))
                .filter(|p| matches!(p, Static::Here(rel) | Static::Cwd(rel) if !rel.is_empty())),
            _ => None,
        }
    }
}

impl<'a> Visit<'a> for Collector<'_, '_, 'a> {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        if it.import_kind != ImportOrExportKind::Type {
            let line = self.line(it.span.start);
            self.found.modules.push((it.source.value.to_string(), line));
            if is_constructor_package(it.source.value.as_str()) {
                for specifier in it.specifiers.iter().flatten() {
                    if let ImportDeclarationSpecifier::ImportDefaultSpecifier(default) = specifier {
                        self.constructors.push(default.local.name.to_string());
                    }
                }
            }
        }
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        if it.export_kind != ImportOrExportKind::Type {
            let line = self.line(it.span.start);
            self.found.modules.push((it.source.value.to_string(), line));
        }
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        if it.export_kind != ImportOrExportKind::Type {
            let line = self.line(it.span.start);
            self.found.modules.push((it.source.value.to_string(), line));
        }
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        let before = self.found.modules.len();
        self.load(&it.source, it.span.start);
        if self.found.modules.len() > before {
            self.found.lazy.push(before);
        }
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if it.callee.is_specific_id("require") {
            if let [Argument::SpreadElement(_)] | [] = it.arguments.as_slice() {
                return;
            }
            if let Some(specifier) = it.arguments.first().and_then(Argument::as_expression) {
                self.load(specifier, it.span.start);
            }
            return;
        }
        self.note_write(&it.callee, &it.arguments, it.span.start, false);
        self.note_run(&it.callee, &it.arguments, it.span.start);
        self.note_served_folder(&it.callee, &it.arguments, it.span.start);
        self.note_template(&it.callee, &it.arguments, it.span.start);
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        self.note_write(&it.callee, &it.arguments, it.span.start, true);
        walk::walk_new_expression(self, it);
    }

    fn visit_arguments(&mut self, it: &ArenaVec<'a, Argument<'a>>) {
        for argument in it {
            match argument.as_expression() {
                Some(expr) => {
                    self.strings_are_paths = true;
                    self.visit_expression(expr);
                    self.strings_are_paths = false;
                }
                None => walk::walk_argument(self, argument),
            }
        }
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        self.note_sqlite_settings(it);
        walk::walk_object_expression(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        self.note_written_setting(it);
        self.visit_property_key(&it.key);
        self.strings_are_paths = true;
        self.visit_expression(&it.value);
        self.strings_are_paths = false;
    }

    fn visit_formal_parameter(&mut self, it: &FormalParameter<'a>) {
        // A parameter's default (`logFile = "logs/combined.log"`) is what the function uses unless given another:
        // the path it writes when called as the code calls it.
        // (oxc keeps a parameter's default in `initializer`, beside a plain binding.)
        if let (BindingPattern::BindingIdentifier(id), Some(default)) = (&it.pattern, it.initializer.as_deref()) {
            let value = self.scope.eval(default);
            self.scope.learn(id.name.as_str(), value);
        }
        walk::walk_formal_parameter(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
            if let Expression::CallExpression(call) = init.get_inner_expression() {
                let loaded = call.callee.is_specific_id("require").then(|| call.arguments.first()).flatten();
                if let Some(Argument::StringLiteral(package)) = loaded {
                    if is_constructor_package(package.value.as_str()) {
                        self.constructors.push(id.name.to_string());
                    }
                }
            }
            // `const handler = path.join(__dirname, 'dist', 'entry.mjs')` inside a function, used below it.
            let value = self.scope.eval(init);
            if value.is_none() {
                if let Some(folder) = self.known_prefix(init) {
                    self.folders_of.insert(id.name.to_string(), folder);
                }
            }
            self.scope.learn(id.name.as_str(), value);
        }
        if let Some(init) = &it.init {
            self.strings_are_paths = true;
            self.visit_expression(init);
            self.strings_are_paths = false;
        }
    }

    fn visit_expression(&mut self, it: &Expression<'a>) {
        let strings_are_paths = std::mem::take(&mut self.strings_are_paths);
        // A string where no path goes is kept by nothing below and holds nothing to walk.
        if !strings_are_paths && matches!(it.get_inner_expression(), Expression::StringLiteral(_)) {
            return;
        }
        // Only the outermost known value counts: `path.join(__dirname, 'views')` is `views`, not also the
        // file's own folder and the word.
        let is_load = matches!(it, Expression::CallExpression(c) if c.callee.is_specific_id("require"))
            || matches!(it, Expression::ImportExpression(_));
        if !is_load {
            if let Some(value) = self.scope.eval(it) {
                let keep = match &value {
                    Static::Here(rel) | Static::Cwd(rel) => !rel.is_empty(),
                    Static::Text(_) => strings_are_paths,
                    Static::ThisFile => false,
                };
                if keep {
                    let line = self.line(it.span().start);
                    self.found.paths.push((value, line));
                }
                return;
            }
        }
        walk::walk_expression(self, it);
    }
}

/// The names of every listed write call and file constructor (`Bun.write` by its `write`).
fn write_call_names() -> &'static HashSet<&'static str> {
    static NAMES: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let writes = &node::runtime().files.writes;
        [&writes.folder_calls, &writes.file_calls, &writes.file_constructors]
            .into_iter()
            .flatten()
            .map(|entry| entry.rsplit_once('.').map_or(entry.as_str(), |(_, call)| call))
            .collect()
    })
}

/// Whether a path ends in an extension of the files settings name to be written (knowledge `file_extensions`).
fn has_written_extension(path: &str) -> bool {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    extension.is_some_and(|e| node::runtime().files.writes.file_extensions.contains(&e))
}

/// The property of `object` named one of `keys`, the first written.
fn property_named<'o, 'a>(object: &'o ObjectExpression<'a>, keys: &[String]) -> Option<&'o ObjectProperty<'a>> {
    object.properties.iter().find_map(|property| {
        let ObjectPropertyKind::ObjectProperty(property) = property else { return None };
        let key = property.key.static_name()?;
        keys.iter().any(|k| *k == key).then_some(&**property)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(source: &str) -> References {
        refs_in("server.js", source)
    }

    fn refs_in(name: &str, source: &str) -> References {
        references(source, name).unwrap_or_default()
    }

    #[test]
    fn imports_requires_and_reexports() {
        let found = refs_in(
            "server.ts",
            "import express from 'express'\nimport type { X } from './types'\nconst db = require('./db')\n\
             export * from './routes/index.js'\nexport { a } from './a.mjs'\nconst lazy = () => import('./lazy')\n",
        );
        let modules: Vec<&str> = found.modules.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(modules, ["express", "./db", "./routes/index.js", "./a.mjs", "./lazy"]);
        assert_eq!(found.lazy, [4], "only import() is lazy");
        assert_eq!(found.modules[1].1, 3);
        assert!(found.dynamic.is_empty());
    }

    #[test]
    fn dynamic_loads_with_known_folders() {
        let found = refs(
            "const path = require('path')\nfor (const f of files) {\n  require(path.join(__dirname, 'routes', f))\n}\n\
             import(`./plugins/${name}.js`)\nrequire(name)\n",
        );
        assert_eq!(
            found.dynamic,
            [
                (Some(Static::Here("routes".into())), 3),
                (Some(Static::Text("./plugins".into())), 5),
                (None, 6)
            ]
        );
    }

    #[test]
    fn constants_inside_functions() {
        let found = refs(
            "import path from 'path';\nconst __filename = new URL(import.meta.url).pathname;\n\
             const __dirname = path.dirname(__filename);\napp.use(async () => {\n\
             const handler = path.join(__dirname, 'dist', 'server', 'entry.mjs');\n  import(handler);\n});\n",
        );
        assert!(found.modules.contains(&("./dist/server/entry.mjs".to_string(), 6)));
        assert!(found.dynamic.is_empty());
    }

    #[test]
    fn paths_the_code_writes() {
        let found = refs(
            "const fs = require('fs')\nconst path = require('path')\nconst Database = require('better-sqlite3')\nconst multer = require('multer')\n\
             fs.mkdirSync(path.join(__dirname, 'uploads'), { recursive: true })\nconst db = new Database('data/app.db')\n\
             const upload = multer({ dest: 'tmp/uploads/' })\nfs.writeFileSync(process.argv[2], 'x')\n\
             const mem = new Database(':memory:')\nres.download(f, { filename: 'report.pdf' })\n\
             new winston.transports.File({ filename: 'logs/error.log' })\n",
        );
        assert_eq!(
            found.writes,
            [
                (Written::Folder(Static::Here("uploads".into())), 5),
                (Written::File(Static::Text("data/app.db".into())), 6),
                (Written::Folder(Static::Text("tmp/uploads/".into())), 7),
                (Written::File(Static::Text("logs/error.log".into())), 11),
            ]
        );
    }

    #[test]
    fn a_parameter_default_is_the_path_written() {
        let found = refs(
            "export class Logger {\n  static configure(level = 'debug', logFile = 'logs/combined.log') {\n\
             log4js.configure({ appenders: { file: { type: 'file', filename: logFile } } })\n  }\n}\n",
        );
        assert_eq!(found.writes, [(Written::File(Static::Text("logs/combined.log".into())), 3)]);
    }

    #[test]
    fn bun_write_is_a_write_and_a_stream_write_is_not() {
        let found = refs(
            "await Bun.write(`public/${board}/points.csv`, rows)\nres.write('chunk')\nawait Bun.write('data/out.json', '{}')\n",
        );
        assert_eq!(
            found.writes,
            [
                (Written::Folder(Static::Text("./public".into())), 1),
                (Written::File(Static::Text("data/out.json".into())), 3),
            ]
        );
    }

    #[test]
    fn database_files_under_any_name_and_as_defaults() {
        let found = refs(
            "const sqlite = require('better-sqlite3')\nconst file = process.env.DB_FILE || 'pictures.db'\n\
             const db = new sqlite(file)\nTypeOrmModule.forRoot({ type: 'sqlite', database: 'db.sqlite' })\n\
             TypeOrmModule.forRoot({ type: 'postgres', database: 'shop' })\nnew Other('x.db')\n\
             TypeOrmModule.forRoot({ type: 'sqlite', database: 'db', synchronize: true })\n\
             knex({ client: 'sqlite3', connection: { filename: './data/app' } })\n\
             new DataSource({ type: 'better-sqlite3', database: ':memory:' })\n",
        );
        assert_eq!(
            found.writes,
            [
                (Written::File(Static::Text("pictures.db".into())), 3),
                (Written::File(Static::Text("db.sqlite".into())), 4),
                (Written::File(Static::Text("db".into())), 7),
                (Written::File(Static::Text("./data/app".into())), 8),
            ]
        );
        let imported = refs("import Db from 'better-sqlite3'\nconst db = new Db('data/app.db')\n");
        assert_eq!(imported.writes, [(Written::File(Static::Text("data/app.db".into())), 2)]);
    }

    #[test]
    fn a_destination_handed_to_a_callback() {
        let found = refs(
            "const path = require('path')\nconst storage = multer.diskStorage({\n  destination: function (req, file, cb) {\n    cb(null, 'uploads/')\n  },\n\
             filename: (req, file, cb) => cb(null, file.originalname),\n})\n\
             const other = multer.diskStorage({ destination: (req, file, done) => done(null, path.join(__dirname, 'files')) })\n",
        );
        assert_eq!(
            found.writes,
            [
                (Written::Folder(Static::Text("uploads/".into())), 4),
                (Written::Folder(Static::Here("files".into())), 8),
            ]
        );
    }

    #[test]
    fn static_servers_of_the_own_folder() {
        let found = refs(
            "app.use(express.static('./'))\napp.use(express.static(__dirname))\napp.use(express.static('public'))\n\
             app.use(serveStatic(process.cwd()))\n",
        );
        let lines: Vec<usize> = found.serves_folder.iter().map(|(_, line)| *line).collect();
        assert_eq!(lines, [1, 2, 4]);
    }

    #[test]
    fn programs_the_code_runs() {
        let found = refs(
            "const { spawn, execSync } = require('child_process')\nconst sha = execSync('git rev-parse HEAD')\n\
             spawn('/usr/bin/ffmpeg', ['-i', input]);\nexecSync('ls -la');\n/x/.exec('git');\nspawn(tool);\n",
        );
        assert_eq!(found.runs, [("git".to_string(), 2), ("ffmpeg".to_string(), 3)]);
        // The files a whole command names are paths of the working directory.
        let found = refs("require('child_process').exec('Rscript rscript/plot.R roster.csv -o out.png --vanilla')
");
        assert_eq!(found.runs, [("Rscript".to_string(), 1)]);
        let named: Vec<&Static> = found.paths.iter().map(|(path, _)| path).collect();
        for file in ["rscript/plot.R", "roster.csv", "out.png"] {
            assert!(named.contains(&&Static::Text(file.into())), "{file} in {named:?}");
        }
        assert!(!named.contains(&&Static::Text("--vanilla".into())));
    }

    #[test]
    fn paths_named_by_the_code() {
        let found = refs(
            "const path = require('path')\nconst express = require('express')\nconst app = express()\n\
             app.use(express.static(path.join(__dirname, 'public')))\napp.set('views', 'views')\n\
             if (process.env.NODE_ENV === 'test') {}\nconst cfg = { root: '../data' }\n",
        );
        let paths: Vec<(Static, usize)> = found.paths;
        assert!(paths.contains(&(Static::Here("public".into()), 4)));
        assert!(paths.contains(&(Static::Text("views".into()), 5)));
        assert!(paths.contains(&(Static::Text("../data".into()), 7)));
        // Comparisons are not paths, nor is the file's own folder on its way into a join.
        assert!(!paths.iter().any(|(p, _)| *p == Static::Text("test".into())));
        assert!(!paths.iter().any(|(p, _)| *p == Static::Here(String::new())));
    }
}
