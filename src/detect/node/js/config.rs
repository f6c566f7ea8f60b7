//! A setting of a framework config (`vite.config.ts`, `next.config.mjs`, `astro.config.mjs`, `vue.config.js`)
//! or a JSON-with-comments file (tsconfig.json, nest-cli.json), found by its object path in what the file
//! exports and evaluated statically.

use oxc_ast::ast::{
    ArrowFunctionExpression, AssignmentTarget, Expression, FunctionBody, LogicalOperator, ObjectExpression,
    ObjectPropertyKind, Statement,
};
use oxc_span::GetSpan;

use super::eval::{Scope, Static};
use super::{line_at, with_expression, with_program};

/// How deep wrappers and constants may nest before the lookup gives up.
const MAX_DEPTH: usize = 24;

/// A config setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    /// Set to a value known without running the config (a path relative to the config's folder).
    Value { value: String, line: usize },
    /// Not set: the framework's default applies.
    Unset,
    /// Set (or possibly set) to something only running the config would tell; the line shows where.
    Unknown { line: usize },
}

/// The setting at `path` (`["build", "outDir"]`) in the object the JS/TS config file `name` exports
/// (`export default`, `module.exports =`), through `defineConfig(…)`-style wrappers, functions returning the
/// object, constants and spreads.
pub(crate) fn exported_setting(text: &str, name: &str, path: &[&str]) -> Setting {
    with_program(text, name, |program| {
        let scope = Scope::of(program);
        let lookup = Lookup { text, scope: &scope };
        let Some(exported) = exported(program.body.as_slice()) else {
            return Setting::Unset;
        };
        lookup.setting(exported, path, 0)
    })
    .unwrap_or(Setting::Unknown { line: 1 })
}

/// The setting at `path` in a JSON file that may have comments and trailing commas.
pub(crate) fn json_setting(text: &str, path: &[&str]) -> Setting {
    with_expression(text, |root| {
        let scope = Scope::default();
        Lookup { text, scope: &scope }.setting(root, path, 0)
    })
    .unwrap_or(Setting::Unknown { line: 1 })
}

/// A list setting: its strings, or not set (the default applies).
pub(crate) enum Strings {
    Set(Vec<String>),
    Unset,
}

/// The strings of a list setting in a JSON file that may have comments (tsconfig's `include`); `None` when it
/// is not a list of strings known as written.
pub(crate) fn json_strings(text: &str, path: &[&str]) -> Option<Strings> {
    with_expression(text, |root| {
        let scope = Scope::default();
        Lookup { text, scope: &scope }.strings(root, path)
    })
    .flatten()
}

/// The entries of an object whose values are lists of strings, in a JSON file that may have comments
/// (tsconfig's `compilerOptions.paths`: `"@/*": ["./src/*"]`); entries of any other shape are left out. `None`
/// when the object is not there as written.
pub(crate) fn json_string_lists(text: &str, path: &[&str]) -> Option<Vec<(String, Vec<String>)>> {
    with_expression(text, |root| {
        let scope = Scope::default();
        let lookup = Lookup { text, scope: &scope };
        let mut value = root;
        for key in path {
            match lookup.property(lookup.object(value, 0).ok()?, key, 0) {
                Found::Value(inner) => value = inner,
                Found::Unset | Found::Unknown(_) => return None,
            }
        }
        let object = lookup.object(value, 0).ok()?;
        let entries = object.properties.iter().filter_map(|property| {
            let ObjectPropertyKind::ObjectProperty(p) = property else { return None };
            let key = p.key.static_name().filter(|_| !p.computed)?.to_string();
            Some((key, string_list(&p.value)?))
        });
        Some(entries.collect())
    })
    .flatten()
}

/// A list of string literals as written.
fn string_list(value: &Expression) -> Option<Vec<String>> {
    let Expression::ArrayExpression(array) = value.get_inner_expression() else {
        return None;
    };
    let strings = array.elements.iter().map(|element| match element.as_expression()?.get_inner_expression() {
        Expression::StringLiteral(string) => Some(string.value.to_string()),
        _ => None,
    });
    strings.collect()
}

/// What the file exports as its config: the last `export default` or `module.exports =`.
fn exported<'s, 'a>(body: &'s [Statement<'a>]) -> Option<&'s Expression<'a>> {
    body.iter().rev().find_map(|statement| match statement {
        Statement::ExportDefaultDeclaration(export) => export.declaration.as_expression(),
        Statement::ExpressionStatement(statement) => match &statement.expression {
            Expression::AssignmentExpression(assign) => match &assign.left {
                AssignmentTarget::StaticMemberExpression(target)
                    if target.object.is_specific_id("module") && target.property.name == "exports" =>
                {
                    Some(&assign.right)
                }
                _ => None,
            },
            _ => None,
        },
        _ => None,
    })
}

struct Lookup<'l, 's, 'a> {
    text: &'l str,
    scope: &'l Scope<'s, 'a>,
}

impl<'s, 'a> Lookup<'_, 's, 'a> {
    fn line(&self, expr: &Expression<'a>) -> usize {
        line_at(self.text, expr.span().start)
    }

    fn setting(&self, expr: &Expression<'a>, path: &[&str], depth: usize) -> Setting {
        let Some((key, rest)) = path.split_first() else {
            return self.value(expr);
        };
        // An imported function called without options (`adapter()`): the package's defaults, nothing set.
        if let Expression::CallExpression(call) = expr.get_inner_expression() {
            let imported = matches!(&call.callee, Expression::Identifier(id) if self.scope.is_imported(id.name.as_str()));
            if imported && call.arguments.is_empty() {
                return Setting::Unset;
            }
        }
        // An index into a list written out (`apps[0]` of a pm2 ecosystem file); past its end, not set.
        if let (Ok(index), Expression::ArrayExpression(array)) = (key.parse::<usize>(), expr.get_inner_expression()) {
            return match array.elements.get(index) {
                None => Setting::Unset,
                Some(element) => match element.as_expression() {
                    Some(value) => self.setting(value, rest, depth + 1),
                    None => Setting::Unknown { line: line_at(self.text, element.span().start) },
                },
            };
        }
        let object = match self.object(expr, depth) {
            Ok(object) => object,
            Err(line) => return Setting::Unknown { line },
        };
        match self.property(object, key, depth) {
            Found::Value(value) => self.setting(value, rest, depth + 1),
            Found::Unset => Setting::Unset,
            Found::Unknown(line) => Setting::Unknown { line },
        }
    }

    fn strings(&self, expr: &Expression<'a>, path: &[&str]) -> Option<Strings> {
        let (key, rest) = path.split_first()?;
        let object = self.object(expr, 0).ok()?;
        let value = match self.property(object, key, 0) {
            Found::Value(value) => value,
            Found::Unset => return Some(Strings::Unset),
            Found::Unknown(_) => return None,
        };
        if !rest.is_empty() {
            return self.strings(value, rest);
        }
        string_list(value).map(Strings::Set)
    }

    /// The setting's value: a string, a path or a whole number known statically; `undefined` and `null` are not
    /// set.
    fn value(&self, expr: &Expression<'a>) -> Setting {
        let line = self.line(expr);
        let inner = expr.get_inner_expression();
        if inner.is_null() || inner.is_undefined() {
            return Setting::Unset;
        }
        // A whole number (a port) as its digits.
        if let Expression::NumericLiteral(number) = inner {
            if number.value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&number.value) {
                return Setting::Value {
                    value: format!("{}", number.value),
                    line,
                };
            }
        }
        // A switch (`resolveJsonModule: true`) as its word.
        if let Expression::BooleanLiteral(switch) = inner {
            return Setting::Value {
                value: switch.value.to_string(),
                line,
            };
        }
        match self.scope.eval(expr) {
            Some(Static::Text(value) | Static::Here(value) | Static::Cwd(value)) => Setting::Value { value, line },
            _ => Setting::Unknown { line },
        }
    }

    /// The object literal an expression stands for; Err(line) when that cannot be known.
    fn object<'e>(&self, expr: &'e Expression<'a>, depth: usize) -> Result<&'e ObjectExpression<'a>, usize>
    where
        's: 'e,
    {
        let line = self.line(expr);
        if depth > MAX_DEPTH {
            return Err(line);
        }
        match expr.get_inner_expression() {
            Expression::ObjectExpression(object) => Ok(object),
            Expression::Identifier(id) => match self.scope.constant(id.name.as_str()) {
                Some(bound) => self.object(bound, depth + 1),
                None => Err(line),
            },
            // defineConfig({...}), withSentryConfig(nextConfig, {...}): the first argument that is an object.
            Expression::CallExpression(call) => call
                .arguments
                .iter()
                .filter_map(|a| a.as_expression())
                .find_map(|a| self.object(a, depth + 1).ok())
                .ok_or(line),
            Expression::ArrowFunctionExpression(arrow) => self.returned(arrow, depth).ok_or(line),
            Expression::FunctionExpression(function) => function
                .body
                .as_deref()
                .and_then(|body| self.only_return(body, depth))
                .ok_or(line),
            _ => Err(line),
        }
    }

    /// `defineConfig(({ mode }) => ({ … }))`: what the function returns, when it has one return.
    fn returned<'e>(&self, arrow: &'e ArrowFunctionExpression<'a>, depth: usize) -> Option<&'e ObjectExpression<'a>>
    where
        's: 'e,
    {
        match arrow.get_expression() {
            Some(returned) => self.object(returned, depth + 1).ok(),
            None => self.only_return(arrow.get_function_body()?, depth),
        }
    }

    fn only_return<'e>(&self, body: &'e FunctionBody<'a>, depth: usize) -> Option<&'e ObjectExpression<'a>>
    where
        's: 'e,
    {
        let mut returns = body.statements.iter().filter_map(|s| match s {
            Statement::ReturnStatement(r) => Some(r.argument.as_ref()),
            _ => None,
        });
        let only = returns.next()??;
        if returns.next().is_some() {
            return None;
        }
        self.object(only, depth + 1).ok()
    }

    /// Whether a spread of `expr` can never set `key`: every object it may stand for is known and lacks it
    /// (`...(flag && { basePath })`, `...(dev ? {} : { compiler })`); the condition of `&&` spreads nothing.
    fn never_sets(&self, expr: &Expression<'a>, key: &str, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match expr.get_inner_expression() {
            Expression::LogicalExpression(logical) if logical.operator == LogicalOperator::And => {
                self.never_sets(&logical.right, key, depth + 1)
            }
            Expression::LogicalExpression(logical) => {
                self.never_sets(&logical.left, key, depth + 1) && self.never_sets(&logical.right, key, depth + 1)
            }
            Expression::ConditionalExpression(choice) => {
                self.never_sets(&choice.consequent, key, depth + 1)
                    && self.never_sets(&choice.alternate, key, depth + 1)
            }
            other if other.is_null() || other.is_undefined() => true,
            Expression::BooleanLiteral(_) => true,
            other => self
                .object(other, depth + 1)
                .is_ok_and(|object| matches!(self.property(object, key, depth + 1), Found::Unset)),
        }
    }

    /// Property `key` of an object literal, the last one written winning as in JavaScript; a spread of an
    /// object that cannot be known, or a computed key, may set it.
    fn property<'e>(&self, object: &'e ObjectExpression<'a>, key: &str, depth: usize) -> Found<'e, 'a>
    where
        's: 'e,
    {
        let mut found = Found::Unset;
        for property in &object.properties {
            match property {
                ObjectPropertyKind::ObjectProperty(p) if p.computed => {
                    if p.key.static_name().is_none_or(|name| name == key) {
                        found = Found::Unknown(line_at(self.text, p.span.start));
                    }
                }
                ObjectPropertyKind::ObjectProperty(p) => {
                    if p.key.static_name().is_some_and(|name| name == key) {
                        found = Found::Value(&p.value);
                    }
                }
                ObjectPropertyKind::SpreadProperty(spread) => match self.object(&spread.argument, depth + 1) {
                    Ok(inner) => match self.property(inner, key, depth + 1) {
                        Found::Unset => {}
                        other => found = other,
                    },
                    Err(_) if self.never_sets(&spread.argument, key, depth + 1) => {}
                    Err(line) => found = Found::Unknown(line),
                },
            }
        }
        found
    }
}

enum Found<'e, 'a> {
    Value(&'e Expression<'a>),
    Unset,
    Unknown(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(value: &str, line: usize) -> Setting {
        Setting::Value {
            value: value.into(),
            line,
        }
    }

    #[test]
    fn vite_out_dir_by_object_path() {
        let config = "import { defineConfig } from 'vite'\nexport default defineConfig({\n  test: { outDir: 'coverage' },\n  build: {\n    // outDir: 'old',\n    outDir: 'web-dist',\n  },\n})\n";
        assert_eq!(
            exported_setting(config, "vite.config.ts", &["build", "outDir"]),
            value("web-dist", 6)
        );
        assert_eq!(exported_setting(config, "vite.config.ts", &["root"]), Setting::Unset);
    }

    #[test]
    fn list_elements_by_index() {
        let config = "module.exports = {\n  apps: [{\n    name: 'api',\n    script: './src/server.js',\n  }],\n};\n";
        let name = "ecosystem.config.js";
        assert_eq!(exported_setting(config, name, &["apps", "0", "script"]), value("./src/server.js", 4));
        assert_eq!(exported_setting(config, name, &["apps", "1"]), Setting::Unset);
        assert_eq!(exported_setting(config, name, &["apps", "0", "cwd"]), Setting::Unset);
        let spread = "const more = [];\nmodule.exports = { apps: [...more] };\n";
        assert_eq!(exported_setting(spread, name, &["apps", "0"]), Setting::Unknown { line: 2 });
    }

    #[test]
    fn static_expressions_only() {
        let concat = "export default { build: { outDir: 'we' + 'b' } }";
        assert_eq!(
            exported_setting(concat, "vite.config.js", &["build", "outDir"]),
            value("web", 1)
        );
        let resolve = "import path from 'path'\nexport default { build: { outDir: path.resolve(__dirname, 'web') } }";
        assert_eq!(
            exported_setting(resolve, "vite.config.js", &["build", "outDir"]),
            value("web", 2)
        );
        let env = "export default { build: {\n outDir: process.env.OUT } }";
        assert_eq!(
            exported_setting(env, "vite.config.js", &["build", "outDir"]),
            Setting::Unknown { line: 2 }
        );
    }

    #[test]
    fn conditional_spreads_that_cannot_set_the_key() {
        let config = "const c = {\n  output: 'standalone',\n  ...(process.env.BASE && { basePath: process.env.BASE }),\n  \
                      ...(dev ? {} : { compiler: {} }),\n}\nexport default c\n";
        assert_eq!(exported_setting(config, "next.config.ts", &["output"]), value("standalone", 2));
        let overridden = "export default {\n  output: 'standalone',\n  ...(flag && { output: 'export' }),\n}\n";
        assert_eq!(
            exported_setting(overridden, "next.config.ts", &["output"]),
            Setting::Unknown { line: 3 }
        );
        let unknown = "export default { output: 'standalone', ...extra }\n";
        assert_eq!(exported_setting(unknown, "next.config.ts", &["output"]), Setting::Unknown { line: 1 });
        assert_eq!(
            exported_setting("import adapter from 'x'\nexport default { kit: { adapter: adapter() } }", "s.js", &["kit", "adapter", "out"]),
            Setting::Unset
        );
    }

    #[test]
    fn next_config_shapes() {
        let cjs = "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  // output: 'export',\n  output: \"standalone\",\n}\nmodule.exports = nextConfig\n";
        assert_eq!(
            exported_setting(cjs, "next.config.js", &["output"]),
            value("standalone", 4)
        );
        let wrapped = "import withBundleAnalyzer from '@next/bundle-analyzer'\nconst config = { output: 'export' }\nexport default withBundleAnalyzer({ enabled: false })(config)\n";
        // A wrapper's result called on the config: the config is an argument of the outer call.
        assert_eq!(
            exported_setting(wrapped, "next.config.mjs", &["output"]),
            value("export", 2)
        );
        let function = "module.exports = (phase) => {\n  return { output: 'standalone' }\n}\n";
        assert_eq!(
            exported_setting(function, "next.config.js", &["output"]),
            value("standalone", 2)
        );
        let spread = "import base from './base.mjs'\nexport default { ...base, reactStrictMode: true }\n";
        assert_eq!(
            exported_setting(spread, "next.config.mjs", &["output"]),
            Setting::Unknown { line: 2 }
        );
        let typed = "import type { NextConfig } from 'next'\nconst config: NextConfig = { output: 'standalone' } satisfies NextConfig\nexport default config\n";
        assert_eq!(
            exported_setting(typed, "next.config.ts", &["output"]),
            value("standalone", 2)
        );
        assert_eq!(
            exported_setting("export default {}", "next.config.mjs", &["output"]),
            Setting::Unset
        );
        assert_eq!(
            exported_setting("export default {", "next.config.mjs", &["output"]),
            Setting::Unknown { line: 1 }
        );
    }

    #[test]
    fn json_with_comments() {
        let tsconfig = "{\n  // the build\n  \"compilerOptions\": {\n    \"outDir\": \"./build\",\n  },\n}\n";
        assert_eq!(
            json_setting(tsconfig, &["compilerOptions", "outDir"]),
            value("./build", 4)
        );
        assert_eq!(json_setting(tsconfig, &["compilerOptions", "rootDir"]), Setting::Unset);
        assert_eq!(json_setting("[1]", &["a"]), Setting::Unknown { line: 1 });
    }
}
