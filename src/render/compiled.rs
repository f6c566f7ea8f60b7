//! The built-in templates' syntax trees, parsed when dockgen was compiled (`build/template_ast.rs` writes them;
//! the form is described there): a template whose text is the built-in one is read back from them instead of
//! being parsed again, which was most of an `init`'s time. A layer's own template is parsed as before.

use std::collections::HashMap;

use tera::ast::{
    Block, Expr, ExprVal, FilterSection, Forloop, FunctionCall, If, In, LogicExpr, LogicOperator, MacroCall,
    MacroDefinition, MathExpr, MathOperator, Node, Set, StringConcat, Test, WS,
};

/// The encoded trees, by `build.rs`.
static ENCODED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/template_ast.bin"));

/// The template `name` as Tera's parse would give it, when `text` is the built-in template's.
pub(super) fn builtin(name: &str, text: &str) -> Option<tera::Template> {
    if crate::preset::builtin_template(name) != Some(text) {
        return None;
    }
    let ast = tree_of(name)?;
    Some(template(name, ast))
}

/// The encoded tree of `name`, decoded.
fn tree_of(name: &str) -> Option<Vec<Node>> {
    let mut reader = Reader { bytes: ENCODED };
    let found = (|| -> Read<Option<Vec<Node>>> {
        for _ in 0..reader.count()? {
            let this = reader.string()?;
            let length = reader.count()?;
            let tree = reader.take(length)?;
            if this == name {
                let mut tree = Reader { bytes: tree };
                let nodes = tree.nodes()?;
                return Ok(tree.bytes.is_empty().then_some(nodes));
            }
        }
        Ok(None)
    })();
    found.ok().flatten()
}

/// A template from its tree, with what `tera::Template::new` derives from it (macros, imports, parent, blocks).
fn template(name: &str, ast: Vec<Node>) -> tera::Template {
    let mut macros = HashMap::new();
    let mut imported_macro_files = Vec::new();
    let mut parent = None;
    for node in &ast {
        match node {
            Node::Extends(_, file) => parent = Some(file.clone()),
            Node::MacroDefinition(_, definition, _) => {
                macros.insert(definition.name.clone(), definition.clone());
            }
            Node::ImportMacro(_, file, namespace) => imported_macro_files.push((file.clone(), namespace.clone())),
            _ => {}
        }
    }
    let mut blocks = HashMap::new();
    collect_blocks(&ast, &mut blocks);
    tera::Template {
        name: name.to_string(),
        path: None,
        ast,
        from_extend: false,
        macros,
        imported_macro_files,
        parent,
        blocks,
        parents: Vec::new(),
        blocks_definitions: HashMap::new(),
    }
}

fn collect_blocks(ast: &[Node], blocks: &mut HashMap<String, Block>) {
    for node in ast {
        if let Node::Block(_, block, _) = node {
            blocks.insert(block.name.clone(), block.clone());
            collect_blocks(&block.body, blocks);
        }
    }
}

/// The encoded form ends early or holds a tag this reader does not know.
struct Corrupt;

type Read<T> = Result<T, Corrupt>;

/// A cursor over the encoded form; every read fails past its end or on a tag it does not know.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Read<&[u8]> {
        if self.bytes.len() < n {
            return Err(Corrupt);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Read<u8> {
        self.take(1).map(|b| b[0])
    }

    fn flag(&mut self) -> Read<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Corrupt),
        }
    }

    fn count(&mut self) -> Read<usize> {
        let bytes: [u8; 4] = self.take(4)?.try_into().map_err(|_| Corrupt)?;
        usize::try_from(u32::from_le_bytes(bytes)).map_err(|_| Corrupt)
    }

    fn eight(&mut self) -> Read<[u8; 8]> {
        self.take(8)?.try_into().map_err(|_| Corrupt)
    }

    fn string(&mut self) -> Read<String> {
        let n = self.count()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| Corrupt)
    }

    fn ws(&mut self) -> Read<WS> {
        let bits = self.byte()?;
        Ok(WS {
            left: bits & 1 != 0,
            right: bits & 2 != 0,
        })
    }

    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Read<T>) -> Read<Vec<T>> {
        let n = self.count()?;
        // Each item takes at least one byte: a count past the end is corrupt, not a reason to allocate.
        if n > self.bytes.len() {
            return Err(Corrupt);
        }
        (0..n).map(|_| item(self)).collect()
    }

    fn optional<T>(&mut self, item: impl FnOnce(&mut Self) -> Read<T>) -> Read<Option<T>> {
        if self.flag()? {
            item(self).map(Some)
        } else {
            Ok(None)
        }
    }

    fn map<T>(&mut self, mut value: impl FnMut(&mut Self) -> Read<T>) -> Read<HashMap<String, T>> {
        Ok(self.list(|r| Ok((r.string()?, value(r)?)))?.into_iter().collect())
    }

    fn nodes(&mut self) -> Read<Vec<Node>> {
        self.list(Self::node)
    }

    fn node(&mut self) -> Read<Node> {
        Ok(match self.byte()? {
            0 => Node::Super,
            1 => Node::Text(self.string()?),
            2 => Node::VariableBlock(self.ws()?, self.expr()?),
            3 => {
                let ws = self.ws()?;
                let definition = MacroDefinition {
                    name: self.string()?,
                    args: self.map(|r| r.optional(Self::expr))?,
                    body: self.nodes()?,
                };
                Node::MacroDefinition(ws, definition, self.ws()?)
            }
            4 => Node::Extends(self.ws()?, self.string()?),
            5 => Node::Include(self.ws()?, self.list(Self::string)?, self.flag()?),
            6 => Node::ImportMacro(self.ws()?, self.string()?, self.string()?),
            7 => {
                let ws = self.ws()?;
                let set = Set {
                    key: self.string()?,
                    value: self.expr()?,
                    global: self.flag()?,
                };
                Node::Set(ws, set)
            }
            8 => Node::Raw(self.ws()?, self.string()?, self.ws()?),
            9 => {
                let ws = self.ws()?;
                let section = FilterSection {
                    filter: self.call()?,
                    body: self.nodes()?,
                };
                Node::FilterSection(ws, section, self.ws()?)
            }
            10 => {
                let ws = self.ws()?;
                let block = Block {
                    name: self.string()?,
                    body: self.nodes()?,
                };
                Node::Block(ws, block, self.ws()?)
            }
            11 => {
                let ws = self.ws()?;
                let forloop = Forloop {
                    key: self.optional(Self::string)?,
                    value: self.string()?,
                    container: self.expr()?,
                    body: self.nodes()?,
                    empty_body: self.optional(Self::nodes)?,
                };
                Node::Forloop(ws, forloop, self.ws()?)
            }
            12 => {
                let branches = If {
                    conditions: self.list(|r| Ok((r.ws()?, r.expr()?, r.nodes()?)))?,
                    otherwise: self.optional(|r| Ok((r.ws()?, r.nodes()?)))?,
                };
                Node::If(branches, self.ws()?)
            }
            13 => Node::Break(self.ws()?),
            14 => Node::Continue(self.ws()?),
            15 => Node::Comment(self.ws()?, self.string()?),
            _ => return Err(Corrupt),
        })
    }

    fn call(&mut self) -> Read<FunctionCall> {
        Ok(FunctionCall {
            name: self.string()?,
            args: self.map(Self::expr)?,
        })
    }

    fn expr(&mut self) -> Read<Expr> {
        Ok(Expr {
            val: self.value()?,
            negated: self.flag()?,
            filters: self.list(Self::call)?,
        })
    }

    fn boxed(&mut self) -> Read<Box<Expr>> {
        self.expr().map(Box::new)
    }

    fn value(&mut self) -> Read<ExprVal> {
        Ok(match self.byte()? {
            0 => ExprVal::String(self.string()?),
            1 => ExprVal::Int(i64::from_le_bytes(self.eight()?)),
            2 => ExprVal::Float(f64::from_bits(u64::from_le_bytes(self.eight()?))),
            3 => ExprVal::Bool(self.flag()?),
            4 => ExprVal::Ident(self.string()?),
            5 => {
                let (lhs, rhs) = (self.boxed()?, self.boxed()?);
                let operator = match self.byte()? {
                    0 => MathOperator::Add,
                    1 => MathOperator::Sub,
                    2 => MathOperator::Mul,
                    3 => MathOperator::Div,
                    4 => MathOperator::Modulo,
                    _ => return Err(Corrupt),
                };
                ExprVal::Math(MathExpr { lhs, rhs, operator })
            }
            6 => {
                let (lhs, rhs) = (self.boxed()?, self.boxed()?);
                let operator = match self.byte()? {
                    0 => LogicOperator::Gt,
                    1 => LogicOperator::Gte,
                    2 => LogicOperator::Lt,
                    3 => LogicOperator::Lte,
                    4 => LogicOperator::Eq,
                    5 => LogicOperator::NotEq,
                    6 => LogicOperator::And,
                    7 => LogicOperator::Or,
                    _ => return Err(Corrupt),
                };
                ExprVal::Logic(LogicExpr { lhs, rhs, operator })
            }
            7 => ExprVal::Test(Test {
                ident: self.string()?,
                negated: self.flag()?,
                name: self.string()?,
                args: self.list(Self::expr)?,
            }),
            8 => ExprVal::MacroCall(MacroCall {
                namespace: self.string()?,
                name: self.string()?,
                args: self.map(Self::expr)?,
            }),
            9 => ExprVal::FunctionCall(self.call()?),
            10 => ExprVal::Array(self.list(Self::expr)?),
            11 => ExprVal::StringConcat(StringConcat {
                values: self.list(Self::value)?,
            }),
            12 => ExprVal::In(In {
                lhs: self.boxed()?,
                rhs: self.boxed()?,
                negated: self.flag()?,
            }),
            _ => return Err(Corrupt),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in template reads back exactly as Tera parses it, with what Tera derives from the tree.
    #[test]
    fn every_builtin_template_reads_back_as_tera_parses_it() {
        let names = crate::preset::builtin_template_names();
        assert!(names.len() > 20, "the built-in templates are listed");
        for name in names {
            let text = crate::preset::builtin_template(&name).unwrap();
            let parsed = tera::Template::new(&name, None, text).unwrap();
            let read = builtin(&name, text).unwrap_or_else(|| panic!("{name} is not in the compiled trees"));
            assert_eq!(read.ast, parsed.ast, "{name}");
            assert_eq!(read.macros, parsed.macros, "{name}");
            assert_eq!(read.imported_macro_files, parsed.imported_macro_files, "{name}");
            assert_eq!(read.parent, parsed.parent, "{name}");
            assert_eq!(read.blocks, parsed.blocks, "{name}");
        }
    }

    #[test]
    fn other_texts_and_corrupt_bytes_are_not_read() {
        assert!(builtin("go/Dockerfile.tera", "a layer's own text").is_none());
        assert!(builtin("no/such.tera", "").is_none());
        let mut truncated = Reader {
            bytes: &ENCODED[..ENCODED.len() / 2],
        };
        let count = truncated.count().ok().unwrap();
        let all_read = (0..count)
            .all(|_| truncated.string().is_ok() && truncated.count().is_ok_and(|n| truncated.take(n).is_ok()));
        assert!(!all_read);
        assert!(Reader {
            bytes: &[9, 0, 0, 0, 0xff]
        }
        .nodes()
        .is_err());
    }
}
