//! The code version: a hash of a node function's tokens.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ItemFn;

/// The code version of `func`: the 64-bit FNV-1a hash of its tokens, rendered to a string.
///
/// What it sees: the function's own tokens — its signature, body and non-doc attributes. Any
/// change to them (renaming a variable, changing a constant) changes the version.
///
/// What it does not see:
/// - doc comments (`#[doc]` attributes), so editing documentation keeps the version;
/// - whitespace and ordinary `//` comments, which are not tokens;
/// - the code of helper functions the body calls, of types it uses, and of dependencies — a
///   change there leaves the version unchanged.
///
/// The rendering of tokens is the compiler's, so the version is stable for a given source and
/// compiler, not necessarily across compiler versions.
pub(crate) fn code_version(func: &ItemFn) -> u64 {
    code_version_of(func.to_token_stream())
}

/// The code version of a function from its tokens as written (what [`code_version`] gives for
/// the function they parse to), without parsing or printing it again: the macros' input is
/// hashed as it came.
pub(crate) fn code_version_of(tokens: TokenStream) -> u64 {
    let mut kept = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        if let TokenTree::Punct(hash) = &tree
            && hash.as_char() == '#'
            && let Some(TokenTree::Group(attr)) = trees.peek()
            && attr.delimiter() == Delimiter::Bracket
            && is_doc(attr.stream())
        {
            trees.next();
            continue;
        }
        kept.push(tree);
    }
    let text = kept.into_iter().collect::<TokenStream>().to_string();
    fnv1a64(text.as_bytes())
}

/// Whether an attribute's tokens (inside its brackets) are `doc ..`.
fn is_doc(attr: TokenStream) -> bool {
    matches!(attr.into_iter().next(), Some(TokenTree::Ident(ident)) if ident == "doc")
}

/// The 64-bit FNV-1a hash of `bytes`.
fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn fnv1a64_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn is_stable_for_the_same_tokens() {
        let a: ItemFn = parse_quote! { fn f(x: &f64) -> f64 { x * 2.0 } };
        let b: ItemFn = parse_quote! { fn f(x: &f64) -> f64 {
            // formatting and comments are not tokens
            x   *   2.0
        } };
        assert_eq!(code_version(&a), code_version(&b));
    }

    #[test]
    fn ignores_doc_comments() {
        let a: ItemFn = parse_quote! {
            /// One.
            fn f(x: &f64) -> f64 { x * 2.0 }
        };
        let b: ItemFn = parse_quote! {
            /// Two, longer.
            #[doc = "more"]
            fn f(x: &f64) -> f64 { x * 2.0 }
        };
        assert_eq!(code_version(&a), code_version(&b));
    }

    #[test]
    fn the_version_of_written_tokens_is_the_version_of_the_parsed_function() {
        for tokens in [
            quote::quote! { fn f(x: &f64) -> f64 { x * 2.0 } },
            quote::quote! {
                /// Doc.
                #[inline]
                #[doc = "more"]
                pub(crate) fn g<'a>(x: &'a [u8], y: Option<&str>) -> Result<u8, String> {
                    let z = x.iter().map(|v| *v as u32).sum::<u32>();
                    Ok(z as u8)
                }
            },
            quote::quote! { #[deprecated(note = "old")] fn h() -> String { format!("{}", r#"raw"#) } },
        ] {
            let func: ItemFn = syn::parse2(tokens.clone()).unwrap();
            assert_eq!(code_version_of(tokens), code_version(&func));
        }
    }

    #[test]
    fn changes_with_the_body_and_other_attributes() {
        let a: ItemFn = parse_quote! { fn f(x: &f64) -> f64 { x * 2.0 } };
        let b: ItemFn = parse_quote! { fn f(x: &f64) -> f64 { x * 3.0 } };
        let c: ItemFn = parse_quote! { #[inline] fn f(x: &f64) -> f64 { x * 2.0 } };
        assert_ne!(code_version(&a), code_version(&b));
        assert_ne!(code_version(&a), code_version(&c));
    }
}
