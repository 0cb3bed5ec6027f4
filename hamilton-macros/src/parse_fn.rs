//! Parsing a `#[node]` function without parsing its body.
//!
//! The macro reads the signature and attributes; the body is only passed through (or, for
//! `does(..)`, checked to be empty and replaced). Parsing it statement by statement was a
//! quarter of the macro's time on small functions, and grows with the body.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::token::Brace;
use syn::{Attribute, Block, Item, ItemFn, Signature, Stmt, Visibility};

/// A function whose body is kept as written: a block of one verbatim item (none when empty).
struct LazyFn(ItemFn);

impl Parse for LazyFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != Delimiter::Brace || !input.is_empty() {
            return Err(input.error("expected a function body"));
        }
        Ok(Self(ItemFn {
            attrs,
            vis,
            sig,
            block: Box::new(lazy_block(&body)),
        }))
    }
}

/// A block of one verbatim item holding `body`'s tokens (none when empty).
fn lazy_block(body: &Group) -> Block {
    let inner = body.stream();
    let stmts = if inner.is_empty() {
        Vec::new()
    } else {
        vec![Stmt::Item(Item::Verbatim(inner))]
    };
    Block {
        brace_token: Brace {
            span: body.delim_span(),
        },
        stmts,
    }
}

/// The function of `attrs`, the signature's tokens (visibility included) and `body`, with its
/// body unparsed; `None` when the tokens are not a signature.
pub(crate) fn parse_signature(
    attrs: Vec<Attribute>,
    signature: &[TokenTree],
    body: &Group,
) -> Option<ItemFn> {
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let (vis, sig) = (|input: ParseStream<'_>| {
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        Ok((vis, sig))
    })
    .parse2(signature.iter().cloned().collect())
    .ok()?;
    Some(ItemFn {
        attrs,
        vis,
        sig,
        block: Box::new(lazy_block(body)),
    })
}

/// `item` as a function with its body unparsed, or `item` parsed as any item (a function that
/// did not parse lazily, or another kind of item, for the caller's error).
pub(crate) fn parse_item(item: &TokenStream) -> syn::Result<Item> {
    match syn::parse2::<LazyFn>(item.clone()) {
        Ok(LazyFn(func)) => Ok(Item::Fn(func)),
        Err(_) => syn::parse2::<Item>(item.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{ToTokens, quote};

    #[test]
    fn a_function_keeps_its_body_tokens_unparsed() {
        let item = quote! {
            /// Doc.
            pub fn f(a: &f64) -> f64 { let b = a * 2.0; b + 1.0 }
        };
        let Ok(Item::Fn(func)) = parse_item(&item) else {
            panic!("not a function");
        };
        assert_eq!(func.sig.ident, "f");
        assert_eq!(func.block.stmts.len(), 1);
        assert!(matches!(func.block.stmts[0], Stmt::Item(Item::Verbatim(_))));
        assert_eq!(
            func.to_token_stream().to_string(),
            item.to_string(),
            "printing gives back the same tokens"
        );
    }

    #[test]
    fn the_code_version_is_the_same_as_with_a_parsed_body() {
        for item in [
            quote!(
                fn f(a: &f64) -> f64 {
                    let b = a * 2.0;
                    if b > 1.0 { b } else { -b }
                }
            ),
            quote!(
                fn g(xs: &[u8]) -> usize {
                    xs.iter().filter(|x| **x > 3).count()
                }
            ),
            quote!(
                fn h() -> String {
                    format!("{}-{}", 1, r#"raw"#)
                }
            ),
        ] {
            let Ok(Item::Fn(lazy)) = parse_item(&item) else {
                panic!("not a function");
            };
            let parsed: syn::ItemFn = syn::parse2(item).expect("a function");
            assert_eq!(
                crate::hash::code_version(&lazy),
                crate::hash::code_version(&parsed)
            );
        }
    }

    #[test]
    fn an_empty_body_has_no_statements() {
        let Ok(Item::Fn(func)) = parse_item(&quote!(
            fn f() -> i64 {}
        )) else {
            panic!("not a function");
        };
        assert!(func.block.stmts.is_empty());
    }

    #[test]
    fn other_items_parse_as_themselves() {
        assert!(matches!(
            parse_item(&quote!(
                struct S;
            )),
            Ok(Item::Struct(_))
        ));
        assert!(parse_item(&quote!(fn f(;))).is_err());
    }
}
