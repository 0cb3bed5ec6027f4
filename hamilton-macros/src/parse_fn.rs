//! Parsing a `#[node]` function without parsing its body.
//!
//! The macro reads the signature and attributes; the body is only passed through (or, for
//! `does(..)`, checked to be empty and replaced). Parsing it statement by statement was a
//! quarter of the macro's time on small functions, and grows with the body.

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::token::{Brace, Bracket, Paren};
use syn::{
    AttrStyle, Attribute, Block, Expr, ExprLit, FnArg, Generics, Ident, Item, ItemFn, Lit, Meta,
    MetaNameValue, Pat, PatIdent, PatType, Path, ReturnType, Signature, Stmt, Token, Type,
    TypePath, TypeReference, Visibility,
};

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
    let (vis, sig) = match plain_signature(signature) {
        Some(parsed) => parsed,
        None => (|input: ParseStream<'_>| {
            let vis: Visibility = input.parse()?;
            let sig: Signature = input.parse()?;
            Ok((vis, sig))
        })
        .parse2(signature.iter().cloned().collect())
        .ok()?,
    };
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
    if let Some(func) = plain_fn(item) {
        return Ok(Item::Fn(func));
    }
    match syn::parse2::<LazyFn>(item.clone()) {
        Ok(LazyFn(func)) => Ok(Item::Fn(func)),
        Err(_) => syn::parse2::<Item>(item.clone()),
    }
}

/// `item` as a function when its signature is plain (see [`plain_signature`]).
fn plain_fn(item: &TokenStream) -> Option<ItemFn> {
    let trees: Vec<TokenTree> = item.clone().into_iter().collect();
    let (TokenTree::Group(body), head) = trees.split_last()? else {
        return None;
    };
    let attrs_end = outer_attributes_end(head);
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let (vis, sig) = plain_signature(&head[attrs_end..])?;
    let attrs = outer_attributes(&head[..attrs_end])?;
    Some(ItemFn {
        attrs,
        vis,
        sig,
        block: Box::new(lazy_block(body)),
    })
}

/// Where the outer attributes at the start of `trees` end: each is `#` and a bracketed group.
pub(crate) fn outer_attributes_end(trees: &[TokenTree]) -> usize {
    let mut end = 0;
    while let (Some(TokenTree::Punct(hash)), Some(TokenTree::Group(group))) =
        (trees.get(end), trees.get(end + 1))
    {
        if hash.as_char() != '#' || group.delimiter() != Delimiter::Bracket {
            break;
        }
        end += 2;
    }
    end
}

/// Outer attributes, `#` and a bracketed group each: `#[doc = "..."]` (what `///` becomes) and
/// `#[name]` built directly, others parsed by `syn`. Equal to what `syn` parses
/// (`outer_attributes_parse_as_syn_parses_them`); `None` where `syn` fails.
pub(crate) fn outer_attributes(trees: &[TokenTree]) -> Option<Vec<Attribute>> {
    trees
        .chunks(2)
        .map(|pair| match pair {
            [TokenTree::Punct(pound), TokenTree::Group(group)]
                if pound.as_char() == '#' && group.delimiter() == Delimiter::Bracket =>
            {
                plain_attribute(pound, group).or_else(|| {
                    let mut parsed = Attribute::parse_outer
                        .parse2(pair.iter().cloned().collect())
                        .ok()?;
                    (parsed.len() == 1).then(|| parsed.remove(0))
                })
            }
            _ => None,
        })
        .collect()
}

/// `#[doc = "..."]` or `#[name]`, built without `syn`'s attribute parser.
fn plain_attribute(pound: &proc_macro2::Punct, group: &Group) -> Option<Attribute> {
    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
    let meta = match inner.as_slice() {
        [TokenTree::Ident(name)] if !is_reserved(name) => Meta::Path(Path::from(name.clone())),
        [
            TokenTree::Ident(doc),
            TokenTree::Punct(eq),
            TokenTree::Literal(text),
        ] if eq.as_char() == '=' && eq.spacing() == Spacing::Alone && doc == "doc" => {
            let Lit::Str(text) = Lit::new(text.clone()) else {
                return None;
            };
            Meta::NameValue(MetaNameValue {
                path: Path::from(doc.clone()),
                eq_token: Token![=](eq.span()),
                value: Expr::Lit(ExprLit {
                    attrs: Vec::new(),
                    lit: Lit::Str(text),
                }),
            })
        }
        _ => return None,
    };
    Some(Attribute {
        pound_token: Token![#](pound.span()),
        style: AttrStyle::Outer,
        bracket_token: Bracket {
            span: group.delim_span(),
        },
        meta,
    })
}

/// The visibility and signature of the plainest functions, `[pub] fn name(a: A, ..) [-> R]`
/// with each parameter a plain name, built from the tokens without `syn`'s signature parser:
/// the parser tries every keyword a signature may start with and every pattern a parameter may
/// be, one comparison of identifier text each, and in a debug build (where a proc macro runs
/// unoptimised) that was most of the macro's time. A type that is a name, or a reference to a
/// name, is built directly; any other type is parsed by `syn`. Anything else (generics, a
/// `where` clause, `pub(crate)`, `async`, `mut x`, a `self` receiver..) gives `None`, for `syn`.
/// What it builds equals what `syn` parses (`plain_signatures_parse_as_syn_parses_them`).
fn plain_signature(trees: &[TokenTree]) -> Option<(Visibility, Signature)> {
    let (vis, rest) = match trees {
        [TokenTree::Ident(public), rest @ ..] if public == "pub" => {
            (Visibility::Public(Token![pub](public.span())), rest)
        }
        _ => (Visibility::Inherited, trees),
    };
    let [
        TokenTree::Ident(fn_token),
        TokenTree::Ident(ident),
        TokenTree::Group(params),
        rest @ ..,
    ] = rest
    else {
        return None;
    };
    if fn_token != "fn" || params.delimiter() != Delimiter::Parenthesis || is_reserved(ident) {
        return None;
    }
    let output = match rest {
        [] => ReturnType::Default,
        [TokenTree::Punct(minus), TokenTree::Punct(gt), ty @ ..]
            if minus.as_char() == '-'
                && minus.spacing() == Spacing::Joint
                && gt.as_char() == '>' =>
        {
            let arrow = Token![->]([minus.span(), gt.span()]);
            ReturnType::Type(arrow, Box::new(plain_type(ty)?))
        }
        _ => return None,
    };
    let param_trees: Vec<TokenTree> = params.stream().into_iter().collect();
    let mut inputs = Punctuated::new();
    for (param, comma) in split_params(&param_trees) {
        let [TokenTree::Ident(name), TokenTree::Punct(colon), ty @ ..] = param else {
            return None;
        };
        if colon.as_char() != ':' || colon.spacing() != Spacing::Alone || is_reserved(name) {
            return None;
        }
        let pat = Pat::Ident(PatIdent {
            attrs: Vec::new(),
            by_ref: None,
            mutability: None,
            ident: name.clone(),
            subpat: None,
        });
        inputs.push_value(FnArg::Typed(PatType {
            attrs: Vec::new(),
            pat: Box::new(pat),
            colon_token: Token![:](colon.span()),
            ty: Box::new(plain_type(ty)?),
        }));
        if let Some(comma) = comma {
            inputs.push_punct(Token![,](comma.span()));
        }
    }
    let sig = Signature {
        constness: None,
        asyncness: None,
        unsafety: None,
        abi: None,
        fn_token: Token![fn](fn_token.span()),
        ident: ident.clone(),
        generics: Generics::default(),
        paren_token: Paren {
            span: params.delim_span(),
        },
        inputs,
        variadic: None,
        output,
    };
    Some((vis, sig))
}

/// A parameter list split at its top-level commas (those outside `<..>`), each part with the
/// comma after it (none after the last part when there is no trailing comma).
fn split_params(trees: &[TokenTree]) -> Vec<(&[TokenTree], Option<&proc_macro2::Punct>)> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut arrow = false;
    for (i, tree) in trees.iter().enumerate() {
        let TokenTree::Punct(punct) = tree else {
            arrow = false;
            continue;
        };
        match punct.as_char() {
            '<' => depth += 1,
            // `->` (in `Fn(A) -> B`) closes nothing.
            '>' if !arrow => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push((&trees[start..i], Some(punct)));
                start = i + 1;
            }
            _ => {}
        }
        arrow = punct.as_char() == '-' && punct.spacing() == Spacing::Joint;
    }
    if start < trees.len() {
        parts.push((&trees[start..], None));
    }
    parts
}

/// A type: a name or a reference to a name built directly, anything else parsed by `syn`.
fn plain_type(trees: &[TokenTree]) -> Option<Type> {
    let named = |ident: &Ident| {
        Type::Path(TypePath {
            qself: None,
            path: Path::from(ident.clone()),
        })
    };
    match trees {
        [TokenTree::Ident(name)] if !is_reserved(name) => Some(named(name)),
        [TokenTree::Punct(and), TokenTree::Ident(name)]
            if and.as_char() == '&' && !is_reserved(name) =>
        {
            Some(Type::Reference(TypeReference {
                and_token: Token![&](and.span()),
                lifetime: None,
                mutability: None,
                elem: Box::new(named(name)),
            }))
        }
        [] => None,
        _ => syn::parse2(trees.iter().cloned().collect()).ok(),
    }
}

/// Identifiers `syn` reads as something other than a plain name, in a pattern or a type.
fn is_reserved(ident: &Ident) -> bool {
    let text = ident.to_string();
    matches!(
        text.as_str(),
        "_" | "self"
            | "Self"
            | "super"
            | "crate"
            | "mut"
            | "ref"
            | "dyn"
            | "impl"
            | "fn"
            | "unsafe"
            | "extern"
            | "const"
            | "async"
            | "for"
    )
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

    #[test]
    fn plain_signatures_parse_as_syn_parses_them() {
        for item in [
            quote!(
                fn f() {}
            ),
            quote!(
                pub fn f(x: &f64) -> f64 {}
            ),
            quote!(
                fn r#type(a: f64, b: &Series) -> DataFrame {}
            ),
            quote!(
                pub fn g(
                    a: Option<&f64>,
                    m: HashMap<String, Vec<i64>>,
                    c: &[u8],
                ) -> Result<f64, String> {
                }
            ),
            quote!(
                fn h(
                    f: Box<dyn Fn(f64) -> f64 + Send>,
                    t: (f64, i64),
                    s: &'static str,
                ) -> Vec<(u8, u8)> {
                }
            ),
            quote!(
                fn k(p: <T as Trait>::Out, q: ::polars::prelude::Series, r: [u8; 4]) -> impl Fn() {}
            ),
            quote!(
                fn n(x: &mut f64, y: fn(&str) -> bool, z: Vec<Vec<u8>>) -> Option<Vec<u8>> {}
            ),
        ] {
            let trees: Vec<TokenTree> = item.clone().into_iter().collect();
            let signature = &trees[..trees.len() - 1];
            let plain = plain_signature(signature).unwrap_or_else(|| panic!("plain: {item}"));
            let parsed: ItemFn = syn::parse2(item.clone()).unwrap();
            assert_eq!(plain, (parsed.vis.clone(), parsed.sig.clone()), "{item}");
            let Ok(Item::Fn(func)) = parse_item(&item) else {
                panic!("not a function: {item}");
            };
            assert_eq!(func.sig, parsed.sig, "{item}");
        }
    }

    #[test]
    fn other_signatures_are_left_to_syn() {
        for item in [
            quote!(
                pub(crate) fn f(x: &f64) -> f64 {}
            ),
            quote!(
                fn f<T>(x: &T) -> f64 {}
            ),
            quote!(
                fn f(x: &f64) -> f64
                where
                    f64: Copy,
                {
                }
            ),
            quote!(
                async fn f(x: &f64) -> f64 {}
            ),
            quote!(
                fn f(mut x: f64) -> f64 {}
            ),
            quote!(
                fn f(_: f64) -> f64 {}
            ),
            quote!(
                fn f(&self) -> f64 {}
            ),
            quote!(
                fn f((a, b): (f64, f64)) -> f64 {}
            ),
            quote!(fn f(x: f64 y: f64) -> f64 {}),
            quote!(
                const fn f() -> f64 {}
            ),
        ] {
            let trees: Vec<TokenTree> = item.clone().into_iter().collect();
            assert!(
                plain_signature(&trees[..trees.len() - 1]).is_none(),
                "{item}"
            );
        }
    }

    #[test]
    fn outer_attributes_parse_as_syn_parses_them() {
        let item = quote! {
            /// Doc, "quoted" and \\ escaped.
            #[doc = "more"]
            #[node]
            #[inline]
            #[node(tag(team = "a"))]
            #[doc = concat!("a", "b")]
            #[deprecated = "old"]
            #[hamilton_core::node]
            fn f() {}
        };
        let trees: Vec<TokenTree> = item.clone().into_iter().collect();
        let attrs = outer_attributes(&trees[..trees.len() - 4]).unwrap();
        let parsed: ItemFn = syn::parse2(item).unwrap();
        assert_eq!(attrs, parsed.attrs);
    }
}
