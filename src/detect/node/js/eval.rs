//! Static evaluation: the strings and paths an expression is known to be without running it — literals,
//! concatenations and templates of them, top-level constants, `path.join`/`path.resolve` over `__dirname`,
//! `import.meta` and `process.cwd()`. Anything else is unknown.

use std::cell::RefCell;
use rustc_hash::FxHashMap as HashMap;

use oxc_ast::ast::{
    Argument, BinaryOperator, BindingPattern, CallExpression, Declaration, Expression, ImportDeclarationSpecifier,
    LogicalOperator, Program, Statement, VariableDeclaration,
};

/// How deep constants may refer to constants before evaluation gives up.
const MAX_DEPTH: usize = 24;

/// What an expression is known to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Static {
    /// A string (a path, when used as one, relative to the working directory unless it starts with `/`).
    Text(String),
    /// A path relative to the folder of the file read (`__dirname`, `import.meta.dirname`,
    /// `new URL('./x', import.meta.url)`); it may start with `..`.
    Here(String),
    /// The file read itself (`__filename`, `import.meta.url`).
    ThisFile,
    /// A path relative to the working directory (`process.cwd()`, `path.resolve('public')`).
    Cwd(String),
}

impl Static {
    /// The path as written, whatever it is relative to; None for the file read itself.
    pub(crate) fn path(&self) -> Option<&str> {
        match self {
            Static::Text(path) | Static::Here(path) | Static::Cwd(path) => Some(path),
            Static::ThisFile => None,
        }
    }
}

const PATH_MODULES: &[&str] = &["path", "node:path", "path/posix", "node:path/posix"];
const URL_MODULES: &[&str] = &["url", "node:url"];

/// The top-level names of one file that evaluation follows.
#[derive(Default)]
pub(crate) struct Scope<'s, 'a> {
    /// `const NAME = expression` (also `let`/`var` declared once) at the top level.
    consts: HashMap<&'s str, &'s Expression<'a>>,
    /// Names declared more than once: never followed.
    redeclared: Vec<&'s str>,
    /// Local names of the `path` module (`import path from 'node:path'`, `const path = require('path')`).
    path_modules: Vec<&'s str>,
    /// Functions of `path` and `url` bound to local names (`import { join as j } from 'path'`).
    functions: HashMap<&'s str, &'s str>,
    /// Constants inside functions, learned as a walk meets them (None: declared with different values).
    learned: RefCell<HashMap<String, Option<Static>>>,
    /// Every name an `import` binds, whatever the module: another package's code, never evaluated here.
    imported: Vec<&'s str>,
}

impl<'s, 'a> Scope<'s, 'a> {
    /// The top-level names of `program`.
    pub(crate) fn of(program: &'s Program<'a>) -> Self {
        let mut scope = Scope::default();
        for statement in &program.body {
            match statement {
                Statement::ImportDeclaration(import) => {
                    let module = import.source.value.as_str();
                    scope
                        .imported
                        .extend(import.specifiers.iter().flatten().map(|s| s.local().name.as_str()));
                    let known = PATH_MODULES.contains(&module) || URL_MODULES.contains(&module);
                    for specifier in import.specifiers.iter().flatten().filter(|_| known) {
                        match specifier {
                            ImportDeclarationSpecifier::ImportSpecifier(named) => {
                                scope
                                    .functions
                                    .insert(named.local.name.as_str(), named.imported.name().as_str());
                            }
                            ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                                scope.path_modules.push(s.local.name.as_str());
                            }
                            ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                                scope.path_modules.push(s.local.name.as_str());
                            }
                        }
                    }
                }
                Statement::VariableDeclaration(declaration) => scope.declare(declaration),
                Statement::ExportDeclaration(export) => {
                    if let Declaration::VariableDeclaration(declaration) = &export.declaration {
                        scope.declare(declaration);
                    }
                }
                _ => {}
            }
        }
        scope
    }

    fn declare(&mut self, declaration: &'s VariableDeclaration<'a>) {
        for declarator in &declaration.declarations {
            let Some(init) = &declarator.init else { continue };
            let required = required_module(init);
            match &declarator.id {
                BindingPattern::BindingIdentifier(id) => {
                    let name = id.name.as_str();
                    if required.is_some_and(|m| PATH_MODULES.contains(&m)) {
                        self.path_modules.push(name);
                    } else if self.consts.insert(name, init).is_some() {
                        self.redeclared.push(name);
                    }
                }
                BindingPattern::ObjectPattern(pattern) => {
                    if !required.is_some_and(|m| PATH_MODULES.contains(&m) || URL_MODULES.contains(&m)) {
                        continue;
                    }
                    for property in &pattern.properties {
                        let (Some(key), BindingPattern::BindingIdentifier(local)) =
                            (property.key.static_name(), &property.value)
                        else {
                            continue;
                        };
                        if let Some(name) = function_name(&key) {
                            self.functions.insert(local.name.as_str(), name);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// What `expr` is, when it can be known.
    pub(crate) fn eval(&self, expr: &Expression<'a>) -> Option<Static> {
        self.eval_at(expr, 0)
    }

    /// Records a constant declared inside a function, for the expressions after it that use it.
    pub(crate) fn learn(&self, name: &str, value: Option<Static>) {
        if self.consts.contains_key(name) {
            return;
        }
        let mut learned = self.learned.borrow_mut();
        match learned.get(name) {
            Some(known) if *known != value => {
                learned.insert(name.to_string(), None);
            }
            Some(_) => {}
            None => {
                learned.insert(name.to_string(), value);
            }
        }
    }

    /// The expression a top-level constant is bound to.
    /// Whether an `import` binds `name`.
    pub(crate) fn is_imported(&self, name: &str) -> bool {
        self.imported.contains(&name)
    }

    pub(crate) fn constant(&self, name: &str) -> Option<&'s Expression<'a>> {
        if self.redeclared.contains(&name) {
            return None;
        }
        self.consts.get(name).copied()
    }

    fn eval_at(&self, expr: &Expression<'a>, depth: usize) -> Option<Static> {
        if depth > MAX_DEPTH {
            return None;
        }
        let depth = depth + 1;
        match expr.get_inner_expression() {
            Expression::StringLiteral(s) => Some(Static::Text(s.value.to_string())),
            Expression::TemplateLiteral(template) => {
                let mut text = String::new();
                // `${__dirname}/assets`: a folder's path as the template's start, then text.
                let mut base = None;
                for (i, quasi) in template.quasis.iter().enumerate() {
                    text.push_str(quasi.value.cooked?.as_str());
                    if let Some(part) = template.expressions.get(i) {
                        match self.eval_at(part, depth)? {
                            Static::Text(part) => text.push_str(&part),
                            folder @ (Static::Here(_) | Static::Cwd(_)) if i == 0 && text.is_empty() => {
                                base = Some(folder);
                            }
                            _ => return None,
                        }
                    }
                }
                match base {
                    None => Some(Static::Text(text)),
                    Some(Static::Here(base)) => under(&text).map(|rest| Static::Here(join(&base, rest))),
                    Some(Static::Cwd(base)) => under(&text).map(|rest| Static::Cwd(join(&base, rest))),
                    Some(_) => None,
                }
            }
            Expression::BinaryExpression(sum) if sum.operator == BinaryOperator::Addition => {
                let left = self.eval_at(&sum.left, depth)?;
                let Static::Text(right) = self.eval_at(&sum.right, depth)? else {
                    return None;
                };
                match left {
                    Static::Text(left) => Some(Static::Text(left + &right)),
                    // `__dirname + '/views'`
                    Static::Here(base) => right.strip_prefix('/').map(|r| Static::Here(join(&base, r))),
                    Static::Cwd(base) => right.strip_prefix('/').map(|r| Static::Cwd(join(&base, r))),
                    Static::ThisFile => None,
                }
            }
            Expression::Identifier(id) => match id.name.as_str() {
                "__dirname" => Some(Static::Here(String::new())),
                "__filename" => Some(Static::ThisFile),
                name => match self.constant(name) {
                    Some(bound) => self.eval_at(bound, depth),
                    None => self.learned.borrow().get(name).cloned().flatten(),
                },
            },
            // new URL(import.meta.url).pathname
            Expression::StaticMemberExpression(member)
                if matches!(member.property.name.as_str(), "pathname" | "href")
                    && self.eval_at(&member.object, depth) == Some(Static::ThisFile) =>
            {
                Some(Static::ThisFile)
            }
            Expression::StaticMemberExpression(member) if matches!(member.object, Expression::ImportMeta(_)) => {
                match member.property.name.as_str() {
                    "dirname" => Some(Static::Here(String::new())),
                    "url" | "filename" => Some(Static::ThisFile),
                    _ => None,
                }
            }
            Expression::CallExpression(call) => self.call(call, call.arguments.len(), depth),
            // `process.env.DB_FILE || 'app.db'`: the value the program uses when the variable is unset.
            Expression::LogicalExpression(either)
                if matches!(either.operator, LogicalOperator::Or | LogicalOperator::Coalesce)
                    && reads_environment(&either.left) =>
            {
                self.eval_at(&either.right, depth)
            }
            Expression::NewExpression(new) if new.callee.is_specific_id("URL") => {
                if let [only] = new.arguments.as_slice() {
                    let only = self.eval_at(only.as_expression()?, depth)?;
                    return (only == Static::ThisFile).then_some(Static::ThisFile);
                }
                // new URL('./public', import.meta.url): a path beside this file.
                let [Argument::StringLiteral(relative), base] = new.arguments.as_slice() else {
                    return None;
                };
                let base = base.as_expression()?;
                (self.eval_at(base, depth)? == Static::ThisFile)
                    .then(|| Static::Here(join("", relative.value.as_str())))
            }
            _ => None,
        }
    }

    /// What a `path` call is with only its first `n` arguments: the folder a partly known path is under.
    pub(crate) fn call_prefix(&self, call: &CallExpression<'a>, n: usize) -> Option<Static> {
        self.call(call, n, 0)
    }

    fn call(&self, call: &CallExpression<'a>, n: usize, depth: usize) -> Option<Static> {
        let callee = call.callee.get_inner_expression();
        if callee.is_specific_member_access("process", "cwd") {
            return Some(Static::Cwd(String::new()));
        }
        let function = match callee {
            Expression::StaticMemberExpression(member) => {
                let Expression::Identifier(object) = &member.object else {
                    return None;
                };
                if !self.path_modules.contains(&object.name.as_str()) {
                    return None;
                }
                function_name(member.property.name.as_str())?
            }
            Expression::Identifier(id) => self.functions.get(id.name.as_str()).copied()?,
            _ => return None,
        };
        let mut args = Vec::with_capacity(call.arguments.len());
        for argument in call.arguments.iter().take(n) {
            args.push(self.eval_at(argument.as_expression()?, depth)?);
        }
        match function {
            "join" => join_all(&args),
            "resolve" => resolve_all(&args),
            "dirname" => match args.as_slice() {
                [Static::ThisFile] => Some(Static::Here(String::new())),
                [Static::Here(p)] => Some(Static::Here(join(p, ".."))),
                [Static::Cwd(p)] => Some(Static::Cwd(join(p, ".."))),
                [Static::Text(p)] => Some(Static::Text(join(p, ".."))),
                _ => None,
            },
            "normalize" | "fileURLToPath" => match args.as_slice() {
                [Static::Text(p)] => Some(Static::Text(join("", p))),
                [only] => Some(only.clone()),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The module a `require('…')` call loads.
pub(crate) fn required_module<'a>(expr: &Expression<'a>) -> Option<&'a str> {
    let Expression::CallExpression(call) = expr.get_inner_expression() else {
        return None;
    };
    if !call.callee.is_specific_id("require") {
        return None;
    }
    match call.arguments.as_slice() {
        [Argument::StringLiteral(module)] => Some(module.value.as_str()),
        _ => None,
    }
}

/// The `path`/`url` functions evaluation knows, by their exported name.
fn function_name(name: &str) -> Option<&'static str> {
    ["join", "resolve", "dirname", "normalize", "fileURLToPath"]
        .into_iter()
        .find(|known| *known == name)
}

/// `path.join(first, texts…)`: the first argument sets what the result is relative to.
fn join_all(args: &[Static]) -> Option<Static> {
    let (first, rest) = args.split_first()?;
    let mut tail = String::new();
    for part in rest {
        let Static::Text(part) = part else { return None };
        tail = if tail.is_empty() {
            part.clone()
        } else {
            format!("{tail}/{part}")
        };
    }
    Some(match first {
        Static::Text(base) if base.starts_with('/') => Static::Text(format!("/{}", join(base, &tail))),
        Static::Text(base) => Static::Text(join(base, &tail)),
        Static::Here(base) => Static::Here(join(base, &tail)),
        Static::Cwd(base) => Static::Cwd(join(base, &tail)),
        // join(__filename, '..', 'x'): the file's folder, then the rest; a path inside the file itself is none.
        Static::ThisFile => {
            let rel = join(THIS_FILE, &tail);
            if rel.split('/').next() == Some(THIS_FILE) {
                return None;
            }
            Static::Here(rel)
        }
    })
}

/// The file itself as a path part, for joins that start from it; never a real name (NUL).
const THIS_FILE: &str = "\0file";

/// `path.resolve(…)`: from the last absolute argument (or the working directory), the rest joined on.
fn resolve_all(args: &[Static]) -> Option<Static> {
    let start = args
        .iter()
        .rposition(|a| !matches!(a, Static::Text(t) if !t.starts_with('/')))
        .unwrap_or(usize::MAX);
    let (base, rest) = if start == usize::MAX {
        (Static::Cwd(String::new()), args)
    } else {
        (args[start].clone(), &args[start + 1..])
    };
    let mut joined = vec![base];
    joined.extend(rest.iter().cloned());
    match join_all(&joined)? {
        Static::Text(absolute) if absolute.starts_with('/') => Some(Static::Text(absolute)),
        Static::Text(_) => None,
        other => Some(other),
    }
}

/// What follows a folder in a template (`/assets` → `assets`; nothing: the folder itself).
fn under(text: &str) -> Option<&str> {
    if text.is_empty() {
        Some("")
    } else {
        text.strip_prefix('/')
    }
}

/// `base` and `rel` joined and normalised: no `.` parts, `..` folded where it can be, no leading `./`;
/// `..` kept at the front when the path leaves `base`'s root.
pub(crate) fn join(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Whether an expression reads a variable of the environment: `process.env.NAME`, `process.env['NAME']`.
fn reads_environment(expr: &Expression) -> bool {
    let object = match expr.get_inner_expression() {
        Expression::StaticMemberExpression(member) => &member.object,
        Expression::ComputedMemberExpression(member) => &member.object,
        _ => return false,
    };
    object.get_inner_expression().is_specific_member_access("process", "env")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the last line of `source`, evaluated as an expression after the lines before it.
    fn eval_last(source: &str) -> Option<Static> {
        let (before, last) = source.rsplit_once(';').unwrap_or(("", source));
        let source = format!("{before};\n({last})");
        super::super::with_program(&source, "x.mjs", |program| {
            let scope = Scope::of(program);
            let Some(Statement::ExpressionStatement(last)) = program.body.last() else {
                return None;
            };
            scope.eval(&last.expression)
        })
        .flatten()
    }

    #[test]
    fn literals_and_templates() {
        assert_eq!(eval_last("'web'"), Some(Static::Text("web".into())));
        assert_eq!(eval_last("'we' + 'b'"), Some(Static::Text("web".into())));
        assert_eq!(eval_last("const d = 'b'; `we${d}`"), Some(Static::Text("web".into())));
        assert_eq!(eval_last("`we${process.env.X}`"), None);
        // The image sets no such variable: the default is the value in force.
        assert_eq!(eval_last("process.env.OUT || 'dist'"), Some(Static::Text("dist".into())));
        assert_eq!(eval_last("process.env['OUT'] ?? 'dist'"), Some(Static::Text("dist".into())));
        assert_eq!(eval_last("options.out || 'dist'"), None);
        assert_eq!(eval_last("var d = 'a'; var d = 'b'; d"), None);
    }

    #[test]
    fn paths_beside_the_file() {
        let here = |p: &str| Some(Static::Here(p.into()));
        assert_eq!(
            eval_last("const path = require('path'); path.join(__dirname, '..', 'views')"),
            here("../views")
        );
        assert_eq!(
            eval_last("import path from 'node:path'; path.resolve(__dirname, 'web')"),
            here("web")
        );
        assert_eq!(
            eval_last("import { join } from 'path'; join(import.meta.dirname, 'public')"),
            here("public")
        );
        assert_eq!(
            eval_last(
                "import { fileURLToPath } from 'url'; import path from 'path';\n\
                 const __dirname = path.dirname(fileURLToPath(import.meta.url));\n\
                 path.join(__dirname, 'dist')"
            ),
            here("dist")
        );
        assert_eq!(eval_last("new URL('./static/', import.meta.url)"), here("static"));
        assert_eq!(
            eval_last("import path from 'path'; const f = new URL(import.meta.url).pathname; path.join(path.dirname(f), 'dist')"),
            here("dist")
        );
        assert_eq!(eval_last("__dirname + '/views'"), here("views"));
        assert_eq!(eval_last("`${__dirname}/assets`"), here("assets"));
        assert_eq!(eval_last("`${__dirname}`"), here(""));
        assert_eq!(eval_last("`${__dirname}assets`"), None);
        assert_eq!(eval_last("`x/${__dirname}`"), None);
        assert_eq!(
            eval_last("const { join } = require('path'); join(__filename, '..', 'a')"),
            here("a")
        );
    }

    #[test]
    fn paths_from_the_working_directory() {
        let cwd = |p: &str| Some(Static::Cwd(p.into()));
        assert_eq!(
            eval_last("const path = require('path'); path.resolve('public')"),
            cwd("public")
        );
        assert_eq!(
            eval_last("const path = require('path'); path.join(process.cwd(), 'data')"),
            cwd("data")
        );
        assert_eq!(
            eval_last("const path = require('path'); path.resolve(__dirname, '/srv/www')"),
            Some(Static::Text("/srv/www".into()))
        );
        // Not the path module: unknown.
        assert_eq!(
            eval_last("const path = require('upath'); path.join(__dirname, 'x')"),
            None
        );
    }

    #[test]
    fn joins_normalise() {
        assert_eq!(join("", "./a/./b/"), "a/b");
        assert_eq!(join("src", "../views"), "views");
        assert_eq!(join("", "../../x"), "../../x");
    }
}
