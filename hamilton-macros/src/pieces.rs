//! Generated code written as text and tokens, made into one token stream with few calls
//! through the compiler bridge.
//!
//! Building generated code token by token costs a call through the compiler bridge per token;
//! lexing text costs one per run of text. Here each distinct run of text is lexed once per
//! macro call and reused, and tokens that must keep the spans they were written with (a
//! parameter's type, where its bounds report a problem) are put in between.

use std::collections::HashMap;

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};

/// Code in pieces, in order.
#[derive(Default)]
pub(crate) struct Pieces {
    segments: Vec<Segment>,
}

enum Segment {
    Text(String),
    Tokens(TokenStream),
    Tree(TokenTree),
    Group(Delimiter, Pieces),
}

impl Pieces {
    /// Code as text (appended to the text before it).
    pub(crate) fn text(&mut self, text: &str) {
        if let Some(Segment::Text(before)) = self.segments.last_mut() {
            before.push_str(text);
        } else {
            self.segments.push(Segment::Text(text.to_owned()));
        }
    }

    /// Tokens as they are, spans included.
    pub(crate) fn tokens(&mut self, tokens: TokenStream) {
        self.segments.push(Segment::Tokens(tokens));
    }

    /// One token as it is.
    pub(crate) fn tree(&mut self, tree: impl Into<TokenTree>) {
        self.segments.push(Segment::Tree(tree.into()));
    }

    /// `inner` in delimiters.
    pub(crate) fn group(&mut self, delimiter: Delimiter, inner: Pieces) {
        self.segments.push(Segment::Group(delimiter, inner));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// The pieces as one stream.
    pub(crate) fn finish(self, lexer: &mut Lexer) -> TokenStream {
        let mut streams = Vec::new();
        let mut trees = Vec::new();
        for segment in self.segments {
            let stream = match segment {
                Segment::Tree(tree) => {
                    trees.push(tree);
                    continue;
                }
                Segment::Group(delimiter, inner) => {
                    trees.push(Group::new(delimiter, inner.finish(lexer)).into());
                    continue;
                }
                Segment::Text(text) => lexer.lex(&text),
                Segment::Tokens(tokens) => tokens,
            };
            if !trees.is_empty() {
                streams.push(trees.drain(..).collect());
            }
            streams.push(stream);
        }
        if !trees.is_empty() {
            streams.push(trees.into_iter().collect());
        }
        streams.into_iter().collect()
    }
}

/// Lexes text once per distinct text.
#[derive(Default)]
pub(crate) struct Lexer {
    lexed: HashMap<String, TokenStream>,
}

impl Lexer {
    /// `text` as tokens; an error at the call site if it does not lex (generated text always
    /// does).
    pub(crate) fn lex(&mut self, text: &str) -> TokenStream {
        if let Some(tokens) = self.lexed.get(text) {
            return tokens.clone();
        }
        let tokens = lex(text).unwrap_or_else(|| {
            syn::Error::new(
                Span::call_site(),
                "generated code did not lex; write the items without the attribute, and \
                 report this",
            )
            .to_compile_error()
        });
        self.lexed.insert(text.to_owned(), tokens.clone());
        tokens
    }
}

/// `code` as tokens: lexed by the compiler itself when running inside it (`proc_macro2` checks
/// the text with a lexer of its own first, which costs more than the compiler's).
fn lex(code: &str) -> Option<TokenStream> {
    if proc_macro::is_available() {
        code.parse::<proc_macro::TokenStream>().ok().map(Into::into)
    } else {
        code.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn text_tokens_and_groups_come_out_in_order() {
        let mut lexer = Lexer::default();
        let mut inner = Pieces::default();
        inner.text("a, ");
        inner.tokens(quote!(b::<c>));
        inner.text(", d");
        let mut pieces = Pieces::default();
        pieces.text("f");
        pieces.group(Delimiter::Parenthesis, inner);
        pieces.tree(proc_macro2::Literal::string("m"));
        pieces.text(";");
        let out = pieces.finish(&mut lexer).to_string();
        assert_eq!(
            out.split_whitespace().collect::<String>(),
            r#"f(a,b::<c>,d)"m";"#
        );
    }

    #[test]
    fn the_same_text_is_lexed_once() {
        let mut lexer = Lexer::default();
        for _ in 0..3 {
            let mut pieces = Pieces::default();
            pieces.text("x::<");
            pieces.tokens(quote!(T));
            pieces.text(">()");
            let out = pieces.finish(&mut lexer).to_string();
            assert_eq!(out.split_whitespace().collect::<String>(), "x::<T>()");
        }
        assert_eq!(lexer.lexed.len(), 2);
    }
}
