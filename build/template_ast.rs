//! The syntax trees of the built-in templates, parsed by Tera when dockgen is compiled and written in a compact
//! binary form that `src/render/compiled.rs` reads back: a run then only parses the templates a user's layer
//! replaces. Tera's parser costs more than everything else an `init` does (about 1,700 instructions per byte
//! of template); reading the form back costs a few per byte.
//!
//! The form, little-endian: a count, then per template its name, its tree's length in bytes and its tree. A string is its length (u32)
//! and bytes; a list its length and items; an option a 0/1 byte; a map its length and (key, value) pairs in
//! key order. Each enum is a tag byte (the variant's position below) and its fields in declaration order.
//! `compiled.rs` decodes the same; a test compares every decoded tree with Tera's own parse.

use std::collections::HashMap;

use tera::ast::{Expr, ExprVal, Forloop, FunctionCall, If, LogicOperator, MacroDefinition, MathOperator, Node, WS};

/// The encoded trees of `templates` (name, text); a template that does not parse is left out (the run then
/// parses it and reports the error).
pub(crate) fn encode_all(templates: &[(String, String)]) -> Vec<u8> {
    let parsed: Vec<(&String, tera::Template)> = templates
        .iter()
        .filter_map(|(name, text)| Some((name, tera::Template::new(name, None, text).ok()?)))
        .collect();
    let mut out = Vec::new();
    count(&mut out, parsed.len());
    for (name, template) in parsed {
        string(&mut out, name);
        // The tree's length first, so that a run finds one template without decoding the others.
        let mut tree = Vec::new();
        nodes(&mut tree, &template.ast);
        count(&mut out, tree.len());
        out.extend_from_slice(&tree);
    }
    out
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(
        &u32::try_from(n)
            .expect("a template holds fewer than 2^32 items")
            .to_le_bytes(),
    );
}

fn string(out: &mut Vec<u8>, s: &str) {
    count(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn flag(out: &mut Vec<u8>, b: bool) {
    out.push(u8::from(b));
}

fn ws(out: &mut Vec<u8>, ws: WS) {
    out.push(u8::from(ws.left) | (u8::from(ws.right) << 1));
}

fn map<T>(out: &mut Vec<u8>, map: &HashMap<String, T>, mut value: impl FnMut(&mut Vec<u8>, &T)) {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    count(out, keys.len());
    for key in keys {
        string(out, key);
        value(out, &map[key]);
    }
}

fn nodes(out: &mut Vec<u8>, nodes: &[Node]) {
    count(out, nodes.len());
    for n in nodes {
        node(out, n);
    }
}

fn optional_nodes(out: &mut Vec<u8>, body: Option<&Vec<Node>>) {
    flag(out, body.is_some());
    if let Some(body) = body {
        nodes(out, body);
    }
}

fn node(out: &mut Vec<u8>, node: &Node) {
    match node {
        Node::Super => out.push(0),
        Node::Text(text) => {
            out.push(1);
            string(out, text);
        }
        Node::VariableBlock(w, e) => {
            out.push(2);
            ws(out, *w);
            expr(out, e);
        }
        Node::MacroDefinition(w, definition, end) => {
            out.push(3);
            ws(out, *w);
            macro_definition(out, definition);
            ws(out, *end);
        }
        Node::Extends(w, name) => {
            out.push(4);
            ws(out, *w);
            string(out, name);
        }
        Node::Include(w, names, ignore_missing) => {
            out.push(5);
            ws(out, *w);
            count(out, names.len());
            for name in names {
                string(out, name);
            }
            flag(out, *ignore_missing);
        }
        Node::ImportMacro(w, file, namespace) => {
            out.push(6);
            ws(out, *w);
            string(out, file);
            string(out, namespace);
        }
        Node::Set(w, set) => {
            out.push(7);
            ws(out, *w);
            string(out, &set.key);
            expr(out, &set.value);
            flag(out, set.global);
        }
        Node::Raw(w, text, end) => {
            out.push(8);
            ws(out, *w);
            string(out, text);
            ws(out, *end);
        }
        Node::FilterSection(w, section, end) => {
            out.push(9);
            ws(out, *w);
            call(out, &section.filter);
            nodes(out, &section.body);
            ws(out, *end);
        }
        Node::Block(w, block, end) => {
            out.push(10);
            ws(out, *w);
            string(out, &block.name);
            nodes(out, &block.body);
            ws(out, *end);
        }
        Node::Forloop(w, forloop, end) => {
            out.push(11);
            ws(out, *w);
            for_loop(out, forloop);
            ws(out, *end);
        }
        Node::If(branches, end) => {
            out.push(12);
            if_branches(out, branches);
            ws(out, *end);
        }
        Node::Break(w) => {
            out.push(13);
            ws(out, *w);
        }
        Node::Continue(w) => {
            out.push(14);
            ws(out, *w);
        }
        Node::Comment(w, text) => {
            out.push(15);
            ws(out, *w);
            string(out, text);
        }
    }
}

fn macro_definition(out: &mut Vec<u8>, definition: &MacroDefinition) {
    string(out, &definition.name);
    map(out, &definition.args, |out, default| {
        flag(out, default.is_some());
        if let Some(default) = default {
            expr(out, default);
        }
    });
    nodes(out, &definition.body);
}

fn for_loop(out: &mut Vec<u8>, forloop: &Forloop) {
    flag(out, forloop.key.is_some());
    if let Some(key) = &forloop.key {
        string(out, key);
    }
    string(out, &forloop.value);
    expr(out, &forloop.container);
    nodes(out, &forloop.body);
    optional_nodes(out, forloop.empty_body.as_ref());
}

fn if_branches(out: &mut Vec<u8>, branches: &If) {
    count(out, branches.conditions.len());
    for (w, condition, body) in &branches.conditions {
        ws(out, *w);
        expr(out, condition);
        nodes(out, body);
    }
    flag(out, branches.otherwise.is_some());
    if let Some((w, body)) = &branches.otherwise {
        ws(out, *w);
        nodes(out, body);
    }
}

fn call(out: &mut Vec<u8>, call: &FunctionCall) {
    string(out, &call.name);
    map(out, &call.args, expr);
}

fn exprs(out: &mut Vec<u8>, list: &[Expr]) {
    count(out, list.len());
    for e in list {
        expr(out, e);
    }
}

fn expr(out: &mut Vec<u8>, e: &Expr) {
    value(out, &e.val);
    flag(out, e.negated);
    count(out, e.filters.len());
    for filter in &e.filters {
        call(out, filter);
    }
}

fn value(out: &mut Vec<u8>, v: &ExprVal) {
    match v {
        ExprVal::String(s) => {
            out.push(0);
            string(out, s);
        }
        ExprVal::Int(i) => {
            out.push(1);
            out.extend_from_slice(&i.to_le_bytes());
        }
        ExprVal::Float(f) => {
            out.push(2);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        ExprVal::Bool(b) => {
            out.push(3);
            flag(out, *b);
        }
        ExprVal::Ident(name) => {
            out.push(4);
            string(out, name);
        }
        ExprVal::Math(math) => {
            out.push(5);
            expr(out, &math.lhs);
            expr(out, &math.rhs);
            out.push(match math.operator {
                MathOperator::Add => 0,
                MathOperator::Sub => 1,
                MathOperator::Mul => 2,
                MathOperator::Div => 3,
                MathOperator::Modulo => 4,
            });
        }
        ExprVal::Logic(logic) => {
            out.push(6);
            expr(out, &logic.lhs);
            expr(out, &logic.rhs);
            out.push(match logic.operator {
                LogicOperator::Gt => 0,
                LogicOperator::Gte => 1,
                LogicOperator::Lt => 2,
                LogicOperator::Lte => 3,
                LogicOperator::Eq => 4,
                LogicOperator::NotEq => 5,
                LogicOperator::And => 6,
                LogicOperator::Or => 7,
            });
        }
        ExprVal::Test(test) => {
            out.push(7);
            string(out, &test.ident);
            flag(out, test.negated);
            string(out, &test.name);
            exprs(out, &test.args);
        }
        ExprVal::MacroCall(macro_call) => {
            out.push(8);
            string(out, &macro_call.namespace);
            string(out, &macro_call.name);
            map(out, &macro_call.args, expr);
        }
        ExprVal::FunctionCall(function) => {
            out.push(9);
            call(out, function);
        }
        ExprVal::Array(items) => {
            out.push(10);
            exprs(out, items);
        }
        ExprVal::StringConcat(concat) => {
            out.push(11);
            count(out, concat.values.len());
            for v in &concat.values {
                value(out, v);
            }
        }
        ExprVal::In(within) => {
            out.push(12);
            expr(out, &within.lhs);
            expr(out, &within.rhs);
            flag(out, within.negated);
        }
    }
}
