//! What a module reads from its environment (`process.env.NAME`, `process.env['NAME']`,
//! `import.meta.env.NAME`, `SvelteKit`'s `import { NAME } from '$env/static/public'`) and the env schemas it
//! declares (`createEnv({ server, client, shared, skipValidation })`, as the @t3-oss/env-* packages take them),
//! each with its line. Comments and strings are not reads: the source is parsed.

use oxc_ast::ast::{
    BinaryOperator, CallExpression, ComputedMemberExpression, Expression, ImportDeclaration,
    ImportDeclarationSpecifier, LogicalOperator, ObjectExpression, ObjectPropertyKind, StaticMemberExpression,
    UnaryOperator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_span::GetSpan;

use super::{with_program, Lines};

/// Where a name is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// `process.env.NAME`
    Process,
    /// `import.meta.env.NAME`
    ImportMeta,
    /// `import { NAME } from '$env/static/public'`: `SvelteKit` inlines it at build time.
    SvelteKitPublic,
    /// `import { NAME } from '$env/static/private'`: inlined into the server at build time too.
    SvelteKitPrivate,
}

/// The environment one module reads.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct EnvReads {
    pub(crate) names: Vec<(Access, String, usize)>,
    pub(crate) schemas: Vec<Schema>,
    /// Names read with prisma/config's `env("NAME")`, which throws when the variable is unset, with their lines.
    pub(crate) required_by_prisma_config: Vec<(String, usize)>,
}

/// A `createEnv({...})` call: what it requires and how it is skipped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Schema {
    pub(crate) line: usize,
    /// Names its `server`, `client` and `shared` parts require (no `.optional()`, `.default()`, … on every
    /// branch), with their lines.
    pub(crate) required: Vec<(String, usize)>,
    pub(crate) skip: Skip,
}

/// A schema's `skipValidation`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Skip {
    /// Not given: the schema always checks.
    Absent,
    /// Turned on by a variable (`!!process.env.SKIP_ENV_VALIDATION` → the variable set to `1`;
    /// `process.env.CI === "true"` → set to `true`).
    Switch { name: String, value: String, line: usize },
    /// Something dockgen cannot turn on (`skipValidation: isLint()`).
    Unknown { line: usize },
}

/// Zod's modifiers that let a value be missing.
const OPTIONAL: &[&str] = &["optional", "default", "nullish", "catch", "nullable"];

/// Schema parts whose names are checked.
const PARTS: &[&str] = &["server", "client", "shared"];

/// The environment reads of the module `text`, parsed as the file `name`; None when it does not parse.
pub(crate) fn env_reads(text: &str, name: &str) -> Option<EnvReads> {
    // Every read and every schema names it (`process.env`, `import.meta.env`, `createEnv`): a module without
    // the word has nothing to find, and is not parsed.
    if !text.contains("env") && !text.contains("Env") {
        return Some(EnvReads::default());
    }
    with_program(text, name, |program| {
        let mut collector = Collector {
            lines: Lines::new(text),
            found: EnvReads::default(),
            prisma_env: Vec::new(),
        };
        collector.visit_program(program);
        collector.found
    })
}

struct Collector {
    lines: Lines,
    found: EnvReads,
    /// The local names of prisma/config's `env` (`import { env } from "prisma/config"`).
    prisma_env: Vec<String>,
}

impl Collector {
    fn line(&self, offset: u32) -> usize {
        self.lines.at(offset)
    }

    fn schema(&self, call: &CallExpression) -> Schema {
        let line = self.line(call.span.start);
        let Some(Expression::ObjectExpression(options)) = call.arguments.first().and_then(|a| a.as_expression()) else {
            return Schema {
                line,
                required: Vec::new(),
                skip: Skip::Unknown { line },
            };
        };
        let mut required = Vec::new();
        for part in PARTS {
            let Some(Expression::ObjectExpression(names)) = property(options, part) else {
                continue;
            };
            for property in &names.properties {
                if let ObjectPropertyKind::ObjectProperty(p) = property {
                    if let Some(key) = p.key.static_name() {
                        if can_be_missing(&p.value) {
                            continue;
                        }
                        required.push((key.to_string(), self.line(p.span.start)));
                    }
                }
            }
        }
        let skip = match property(options, "skipValidation") {
            None => Skip::Absent,
            Some(value) => {
                let line = self.line(value.span().start);
                match switch(value) {
                    Some((name, value)) => Skip::Switch { name, value, line },
                    None => Skip::Unknown { line },
                }
            }
        };
        Schema { line, required, skip }
    }
}

impl<'a> Visit<'a> for Collector {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let access = match it.source.value.as_str() {
            "$env/static/public" => Access::SvelteKitPublic,
            "$env/static/private" => Access::SvelteKitPrivate,
            "prisma/config" => {
                for specifier in it.specifiers.iter().flatten() {
                    if let ImportDeclarationSpecifier::ImportSpecifier(named) = specifier {
                        if named.imported.name() == "env" {
                            self.prisma_env.push(named.local.name.to_string());
                        }
                    }
                }
                return;
            }
            _ => return,
        };
        for specifier in it.specifiers.iter().flatten() {
            if let ImportDeclarationSpecifier::ImportSpecifier(named) = specifier {
                let line = self.line(named.span.start);
                self.found.names.push((access, named.imported.name().to_string(), line));
            }
        }
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        if let Some(access) = env_object(&it.object) {
            let line = self.line(it.span.start);
            self.found.names.push((access, it.property.name.to_string(), line));
        }
        walk::walk_static_member_expression(self, it);
    }

    fn visit_computed_member_expression(&mut self, it: &ComputedMemberExpression<'a>) {
        if let (Some(access), Expression::StringLiteral(name)) = (env_object(&it.object), &it.expression) {
            let line = self.line(it.span.start);
            self.found.names.push((access, name.value.to_string(), line));
        }
        walk::walk_computed_member_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if it.callee.is_specific_id("createEnv") {
            let schema = self.schema(it);
            self.found.schemas.push(schema);
        }
        if let (Expression::Identifier(callee), Some(Expression::StringLiteral(name))) = (
            it.callee.get_inner_expression(),
            it.arguments.first().and_then(|a| a.as_expression()).map(Expression::get_inner_expression),
        ) {
            if self.prisma_env.iter().any(|local| local == callee.name.as_str()) {
                let line = self.line(it.span.start);
                self.found.required_by_prisma_config.push((name.value.to_string(), line));
            }
        }
        walk::walk_call_expression(self, it);
    }
}

/// `process.env` or `import.meta.env`.
fn env_object(expr: &Expression) -> Option<Access> {
    let Expression::StaticMemberExpression(member) = expr.get_inner_expression() else {
        return None;
    };
    if member.property.name != "env" {
        return None;
    }
    match member.object.get_inner_expression() {
        Expression::Identifier(id) if id.name == "process" => Some(Access::Process),
        Expression::ImportMeta(_) => Some(Access::ImportMeta),
        _ => None,
    }
}

/// The name of an environment read (`process.env.X`, `process.env["X"]`, `import.meta.env.X`).
fn env_name(expr: &Expression) -> Option<String> {
    match expr.get_inner_expression() {
        Expression::StaticMemberExpression(member) if env_object(&member.object).is_some() => {
            Some(member.property.name.to_string())
        }
        Expression::ComputedMemberExpression(member) if env_object(&member.object).is_some() => {
            match &member.expression {
                Expression::StringLiteral(name) => Some(name.value.to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The value of `key` in an object literal.
fn property<'e, 'a>(object: &'e ObjectExpression<'a>, key: &str) -> Option<&'e Expression<'a>> {
    object.properties.iter().find_map(|p| match p {
        ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().is_some_and(|k| k == key) => {
            Some(p.value.get_inner_expression())
        }
        _ => None,
    })
}

/// Whether a schema lets the value be missing: a modifier in its chain (`z.string().optional()`), on every
/// branch of a conditional.
fn can_be_missing(expr: &Expression) -> bool {
    match expr.get_inner_expression() {
        Expression::ConditionalExpression(conditional) => {
            can_be_missing(&conditional.consequent) && can_be_missing(&conditional.alternate)
        }
        Expression::CallExpression(call) => match call.callee.get_inner_expression() {
            Expression::StaticMemberExpression(member) => {
                OPTIONAL.contains(&member.property.name.as_str()) || can_be_missing(&member.object)
            }
            _ => false,
        },
        Expression::StaticMemberExpression(member) => can_be_missing(&member.object),
        _ => false,
    }
}

/// The variable and the value that turn a `skipValidation` expression on, when it is one dockgen can set
/// (not `npm_*`: npm sets those itself for the script it runs).
fn switch(expr: &Expression) -> Option<(String, String)> {
    settable(expr).filter(|(name, _)| !name.starts_with("npm_"))
}

fn settable(expr: &Expression) -> Option<(String, String)> {
    match expr.get_inner_expression() {
        // `!!process.env.X`
        Expression::UnaryExpression(not) if not.operator == UnaryOperator::LogicalNot => {
            match not.argument.get_inner_expression() {
                Expression::UnaryExpression(inner) if inner.operator == UnaryOperator::LogicalNot => {
                    env_name(&inner.argument).map(|name| (name, "1".to_string()))
                }
                _ => None,
            }
        }
        // `Boolean(process.env.X)`
        Expression::CallExpression(call) if call.callee.is_specific_id("Boolean") => {
            env_name(call.arguments.first()?.as_expression()?).map(|name| (name, "1".to_string()))
        }
        // `process.env.X === "true"`
        Expression::BinaryExpression(compare)
            if matches!(
                compare.operator,
                BinaryOperator::StrictEquality | BinaryOperator::Equality
            ) =>
        {
            let ((read, Expression::StringLiteral(literal)) | (Expression::StringLiteral(literal), read)) =
                (&compare.left, &compare.right)
            else {
                return None;
            };
            let value = literal.value.to_string();
            if value.is_empty() {
                return None;
            }
            env_name(read).map(|name| (name, value))
        }
        // `process.env.X || process.env.Y`: either
        Expression::LogicalExpression(either) if either.operator == LogicalOperator::Or => {
            switch(&either.left).or_else(|| switch(&either.right))
        }
        other => env_name(other).map(|name| (name, "1".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prisma_config_env_calls_are_required_names() {
        let text = "import { defineConfig, env as read } from 'prisma/config'\nimport { env } from './other'\n\
                    export default defineConfig({\n  datasource: { url: read('DATABASE_URL') },\n  x: env('NOT_PRISMA'),\n})\n";
        let reads = env_reads(text, "prisma.config.ts").unwrap();
        assert_eq!(reads.required_by_prisma_config, [("DATABASE_URL".to_string(), 4)]);
    }

    #[test]
    fn reads_of_both_kinds_without_comments() {
        let found = env_reads(
            "// process.env.OLD\nconst a = import.meta.env.VITE_API_URL;\nconst b = process.env['NEXT_PUBLIC_X'];\n\
             const c = `process.env.IN_STRING`;\n",
            "x.ts",
        )
        .unwrap();
        assert_eq!(
            found.names,
            [
                (Access::ImportMeta, "VITE_API_URL".to_string(), 2),
                (Access::Process, "NEXT_PUBLIC_X".to_string(), 3)
            ]
        );
    }

    #[test]
    fn a_schema_without_a_switch_and_its_required_names() {
        let found = env_reads(
            "import { createEnv } from '@t3-oss/env-nextjs';\nimport { z } from 'zod';\nexport const env = createEnv({\n\
             server: {\n  DATABASE_URL: z.string().url(),\n  NODE_ENV: z.enum(['development', 'production']).default('development'),\n\
             SECRET: process.env.NODE_ENV === 'production' ? z.string() : z.string().optional(),\n  SENTRY: z.string().optional(),\n},\n\
             client: { NEXT_PUBLIC_URL: z.string() },\n\
             runtimeEnv: { DATABASE_URL: process.env.DATABASE_URL },\n});\n",
            "env.mjs",
        )
        .unwrap();
        let schema = &found.schemas[0];
        assert_eq!(schema.line, 3);
        assert_eq!(schema.skip, Skip::Absent);
        let names: Vec<&str> = schema.required.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["DATABASE_URL", "SECRET", "NEXT_PUBLIC_URL"]);
        assert_eq!(schema.required[0].1, 5);
    }

    #[test]
    fn skip_switches() {
        let skip = |expr: &str| {
            env_reads(
                &format!("createEnv({{ server: {{}}, skipValidation: {expr} }})"),
                "env.js",
            )
            .unwrap()
            .schemas
            .remove(0)
            .skip
        };
        let on = |name: &str, value: &str| Skip::Switch {
            name: name.into(),
            value: value.into(),
            line: 1,
        };
        assert_eq!(
            skip("!!process.env.SKIP_ENV_VALIDATION"),
            on("SKIP_ENV_VALIDATION", "1")
        );
        assert_eq!(skip("process.env.CI === 'true'"), on("CI", "true"));
        assert_eq!(skip("Boolean(process.env['SKIP'])"), on("SKIP", "1"));
        assert_eq!(
            skip("process.env.npm_lifecycle_event === 'lint' || !!process.env.SKIP"),
            on("SKIP", "1")
        );
        assert_eq!(skip("isLint()"), Skip::Unknown { line: 1 });
    }
}
