//! Where each token of a call's arguments stands, in a JS/TS token stream: `listen(3000, 'localhost')`,
//! `listen({ port, host })`.

use crate::detect::lex::Token;

/// How far past its `(` a call is read: an argument list longer than this is not a listen call's.
const MAX_CALL_TOKENS: usize = 400;

/// Where a token of a call's arguments stands.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ArgumentAt {
    /// Bracket depth: 1 directly in the argument list, 2 inside an options object (or any bracket) in it.
    pub(super) depth: usize,
    /// Which argument, from 0.
    pub(super) argument: usize,
    /// Whether the first argument is an object literal (`listen({ port })`).
    pub(super) options: bool,
}

/// Hands each token of the call whose `(` is at `open` to `visit` with where it stands (after the token
/// itself: the `(` stands at depth 1, a `,` in the argument it starts), until the call closes or `visit`
/// returns false.
pub(super) fn walk_arguments(tokens: &[(Token, usize)], open: usize, mut visit: impl FnMut(usize, ArgumentAt) -> bool) {
    let mut at = ArgumentAt::default();
    for (k, (token, _)) in tokens.iter().enumerate().skip(open).take(MAX_CALL_TOKENS + 1) {
        match token {
            Token::Punct('(' | '[' | '{') => {
                if at.depth == 1 && at.argument == 0 && k == open + 1 && *token == Token::Punct('{') {
                    at.options = true;
                }
                at.depth += 1;
            }
            Token::Punct(')' | ']' | '}') => {
                at.depth = at.depth.saturating_sub(1);
                if at.depth == 0 {
                    return;
                }
            }
            Token::Punct(',') if at.depth == 1 => at.argument += 1,
            _ => {}
        }
        if !visit(k, at) {
            return;
        }
    }
}
