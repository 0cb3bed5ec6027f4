//! The owned model of a `#[node]` function, built leniently: [`valid`](crate::valid) rejects
//! what the model cannot express, [`expand`](crate::expand) reads it.

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{
    FnArg, GenericArgument, Ident, ItemFn, Pat, PathArguments, ReturnType, Type, TypePath,
    ext::IdentExt, parse_quote,
};

use crate::{docs, hash};

/// A `#[node]` function.
pub(crate) struct Node {
    /// The function as written; re-emitted unchanged.
    pub(crate) func: ItemFn,
    /// The typed parameters, in declaration order (a `self` receiver is not among them).
    pub(crate) params: Vec<Param>,
    /// The return type.
    pub(crate) output: Option<Output>,
    /// The doc comment.
    pub(crate) doc: String,
    /// The line of the function's name, when the compiler tells it.
    pub(crate) line: Option<u32>,
    /// The code version (see [`hash::code_version`]).
    pub(crate) code_version: u64,
}

impl Node {
    /// The model of `func`.
    pub(crate) fn new(func: ItemFn) -> Self {
        let code_version = hash::code_version(&func);
        Self::with_code_version(func, code_version)
    }

    /// The model of `func`, whose code version is known (from the tokens it was parsed from:
    /// [`hash::code_version_of`]).
    pub(crate) fn with_code_version(func: ItemFn, code_version: u64) -> Self {
        let params = func
            .sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                FnArg::Typed(arg) => Some(Param::new(&arg.pat, &arg.ty)),
                FnArg::Receiver(_) => None,
            })
            .collect();
        let output = match &func.sig.output {
            ReturnType::Type(_, ty) => Some(Output::new(ty)),
            ReturnType::Default => None,
        };
        Self {
            doc: docs::extract(&func.attrs),
            line: line_of(func.sig.ident.span()),
            code_version,
            params,
            output,
            func,
        }
    }

    /// The function's name (`r#type` → `type`).
    pub(crate) fn fn_name(&self) -> String {
        self.func.sig.ident.unraw().to_string()
    }
}

/// The 1-based line of `span`, when running inside the compiler.
fn line_of(span: Span) -> Option<u32> {
    if proc_macro::is_available() {
        u32::try_from(span.unwrap().line()).ok()
    } else {
        None
    }
}

/// A parameter of a node.
pub(crate) struct Param {
    /// The pattern as written (an identifier, once validated).
    pub(crate) pat: Pat,
    /// The type as written.
    pub(crate) ty: Type,
    /// How the argument is read.
    pub(crate) read: Read,
    /// Whether it reads a `Collect<T>` (last path segment `Collect`): it gathers the items of a
    /// fan-out.
    pub(crate) collect: bool,
}

impl Param {
    fn new(pat: &Pat, ty: &Type) -> Self {
        let read = Read::of(ty);
        Self {
            pat: pat.clone(),
            ty: ty.clone(),
            collect: generic_arg_of(&read.value, "Collect").is_some(),
            read,
        }
    }

    /// The parameter's name (`r#type` → `type`), when it is a plain identifier.
    pub(crate) fn name(&self) -> Option<String> {
        self.ident().map(|ident| ident.unraw().to_string())
    }

    /// The parameter's identifier, when the pattern is a plain identifier.
    pub(crate) fn ident(&self) -> Option<&Ident> {
        match &self.pat {
            Pat::Ident(pat) if pat.subpat.is_none() => Some(&pat.ident),
            _ => None,
        }
    }
}

/// How a parameter is passed; mirrors `hamilton_core::node::ParamKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `&T`
    Ref,
    /// `T`
    Owned,
    /// `Option<&T>`
    OptionalRef,
    /// `Option<T>`
    OptionalOwned,
}

impl Kind {
    /// The `ParamKind` variant's name.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Self::Ref => "Ref",
            Self::Owned => "Owned",
            Self::OptionalRef => "OptionalRef",
            Self::OptionalOwned => "OptionalOwned",
        }
    }

    /// Whether the value is taken by value (and must therefore be `Clone`).
    pub(crate) fn is_owned(self) -> bool {
        matches!(self, Self::Owned | Self::OptionalOwned)
    }

    /// Whether the value may be absent (`Option<..>`).
    pub(crate) fn is_optional(self) -> bool {
        matches!(self, Self::OptionalRef | Self::OptionalOwned)
    }
}

/// A borrowed type whose value is stored as its owned form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Borrowed {
    /// `&T`: stored as `T`.
    Plain,
    /// `&str`: stored as `String`, passed as `.as_str()`.
    Str,
    /// `&[T]`: stored as `Vec<T>`, passed as `.as_slice()`.
    Slice,
}

/// How a parameter reads its argument.
#[derive(Clone, Debug)]
pub(crate) struct Read {
    /// How it is passed.
    pub(crate) kind: Kind,
    /// The type of the value in the graph (`T` for `&T`, `String` for `&str`, ...).
    pub(crate) value: Type,
    /// `value` as written, for messages (`Vec<f64>` for `&[f64]`).
    pub(crate) value_name: String,
    /// For references, how the borrow is made from the value.
    pub(crate) borrowed: Borrowed,
}

impl Read {
    /// Classifies a parameter type: `&T`, `T`, `Option<&T>` or `Option<T>`.
    pub(crate) fn of(ty: &Type) -> Self {
        let (optional, inner) = match option_arg(ty) {
            Some(inner) => (true, inner),
            None => (false, ty),
        };
        let (kind, value, value_name, borrowed) = match ungroup(inner) {
            Type::Reference(reference) => {
                let (value, name, borrowed) = borrowed_value(&reference.elem);
                let kind = if optional {
                    Kind::OptionalRef
                } else {
                    Kind::Ref
                };
                (kind, value, name, borrowed)
            }
            owned => {
                let kind = if optional {
                    Kind::OptionalOwned
                } else {
                    Kind::Owned
                };
                (kind, owned.clone(), type_text(owned), Borrowed::Plain)
            }
        };
        Self {
            kind,
            value,
            value_name,
            borrowed,
        }
    }
}

/// The stored value for a borrow of `elem`: `String` for `str`, `Vec<T>` for `[T]`, else `elem`.
fn borrowed_value(elem: &Type) -> (Type, String, Borrowed) {
    match ungroup(elem) {
        Type::Path(TypePath { qself: None, path }) if path.is_ident("str") => (
            parse_quote!(::std::string::String),
            "String".to_owned(),
            Borrowed::Str,
        ),
        Type::Slice(slice) => {
            let elem = &slice.elem;
            (
                parse_quote!(::std::vec::Vec<#elem>),
                format!("Vec<{}>", type_text(elem)),
                Borrowed::Slice,
            )
        }
        elem => (elem.clone(), type_text(elem), Borrowed::Plain),
    }
}

/// `T` when `ty` is `Option<T>` (written with any path ending in `Option`).
pub(crate) fn option_arg(ty: &Type) -> Option<&Type> {
    generic_arg_of(ty, "Option")
}

/// `T` when `ty` is `name<T>` (written with any path whose last segment is `name`).
pub(crate) fn generic_arg_of<'t>(ty: &'t Type, name: &str) -> Option<&'t Type> {
    match ungroup(ty) {
        Type::Path(TypePath { qself: None, path }) => {
            let last = path.segments.last()?;
            if last.ident != name {
                return None;
            }
            single_type_arg(&last.arguments)
        }
        _ => None,
    }
}

/// The type inside `(T)` or an invisible group from a `macro_rules!` `$t:ty`.
pub(crate) fn ungroup(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Group(group) => ty = &group.elem,
            Type::Paren(paren) => ty = &paren.elem,
            _ => return ty,
        }
    }
}

/// The only generic argument in `<..>`, when it is exactly one type.
fn single_type_arg(arguments: &PathArguments) -> Option<&Type> {
    match arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        },
        _ => None,
    }
}

/// A node's return type.
pub(crate) struct Output {
    /// The type as written.
    pub(crate) ty: Type,
    /// Whether it is a `Result` (its last path segment's name ends in `Result`).
    pub(crate) fallible: bool,
    /// The produced value's type as written (`Series` for `PolarsResult<Series>`).
    pub(crate) value_name: String,
    /// When the produced value is a `Parallel<T>` (last path segment `Parallel`), that type as
    /// written: the node fans out.
    pub(crate) parallel: Option<Type>,
}

impl Output {
    fn new(ty: &Type) -> Self {
        let fallible = is_fallible(ty);
        let value = if fallible {
            first_type_arg(ty)
        } else {
            Some(ty)
        };
        Self {
            ty: ty.clone(),
            fallible,
            value_name: type_text(value.unwrap_or(ty)),
            parallel: value
                .filter(|value| generic_arg_of(value, "Parallel").is_some())
                .cloned(),
        }
    }
}

/// Whether a return type is a `Result`: its last path segment's name ends in `Result`
/// (`Result`, `PolarsResult`, `io::Result`, `anyhow::Result`, ...).
pub(crate) fn is_fallible(ty: &Type) -> bool {
    match ungroup(ty) {
        Type::Path(TypePath { path, .. }) => path
            .segments
            .last()
            .is_some_and(|last| last.ident.to_string().ends_with("Result")),
        _ => false,
    }
}

/// The first generic type argument of the last path segment (`T` in `Result<T, E>`).
fn first_type_arg(ty: &Type) -> Option<&Type> {
    let Type::Path(TypePath { path, .. }) = ungroup(ty) else {
        return None;
    };
    let PathArguments::AngleBracketed(args) = &path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

/// [`type_name`] of a type, a plain name read directly (without going through its tokens).
pub(crate) fn type_text(ty: &Type) -> String {
    match ty {
        Type::Path(TypePath { qself: None, path }) => match path.get_ident() {
            Some(ident) => ident.to_string(),
            None => type_name(ty),
        },
        ty => type_name(ty),
    }
}

/// `tokens` rendered compactly, as a person would write them: `Vec<f64>`, `&[f64]`,
/// `HashMap<String, i64>`, `&'a mut T`, `Box<dyn Fn(f64) -> f64 + Send>`.
pub(crate) fn type_name(tokens: &impl ToTokens) -> String {
    let mut out = String::new();
    render(tokens.to_token_stream(), &mut out);
    out
}

/// What was last written, to decide whether a space goes before the next token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing, or an opening token (`<`, `&`, `::`, `(`): no space follows.
    Open,
    /// An identifier, literal or closing token: a space separates it from a following word.
    Word,
    /// `mut`, `dyn`, `impl`, `const`: a space separates it from a following word or group.
    Keyword,
    /// A separator written with its trailing space (`, `, ` + `, ` -> `).
    Separator,
}

fn render(tokens: TokenStream, out: &mut String) {
    let mut last = Last::Open;
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Ident(ident) => {
                if matches!(last, Last::Word | Last::Keyword) {
                    out.push(' ');
                }
                let text = ident.to_string();
                last = if matches!(text.as_str(), "mut" | "dyn" | "impl" | "const") {
                    Last::Keyword
                } else {
                    Last::Word
                };
                out.push_str(&text);
            }
            TokenTree::Literal(literal) => {
                if matches!(last, Last::Word | Last::Keyword) {
                    out.push(' ');
                }
                out.push_str(&literal.to_string());
                last = Last::Word;
            }
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                if last == Last::Keyword
                    || (group.delimiter() == Delimiter::None && last == Last::Word)
                {
                    out.push(' ');
                }
                out.push_str(open);
                render(group.stream(), out);
                if out.ends_with(' ') {
                    out.pop();
                }
                out.push_str(close);
                last = Last::Word;
            }
            TokenTree::Punct(punct) => {
                let ch = punct.as_char();
                let joint_with = |next: char, tokens: &mut std::iter::Peekable<_>| {
                    punct.spacing() == Spacing::Joint
                        && matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == next)
                };
                match ch {
                    ':' if joint_with(':', &mut tokens) => {
                        tokens.next();
                        out.push_str("::");
                        last = Last::Open;
                    }
                    '-' if joint_with('>', &mut tokens) => {
                        tokens.next();
                        out.push_str(" -> ");
                        last = Last::Separator;
                    }
                    ',' | ';' => {
                        out.push(ch);
                        out.push(' ');
                        last = Last::Separator;
                    }
                    '+' | '=' => {
                        if !out.ends_with(' ') && !out.is_empty() {
                            out.push(' ');
                        }
                        out.push(ch);
                        out.push(' ');
                        last = Last::Separator;
                    }
                    '\'' => {
                        if matches!(last, Last::Word | Last::Keyword) {
                            out.push(' ');
                        }
                        out.push(ch);
                        last = Last::Open;
                    }
                    '>' | '!' => {
                        out.push(ch);
                        last = Last::Word;
                    }
                    _ => {
                        out.push(ch);
                        last = Last::Open;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn name(tokens: TokenStream) -> String {
        let ty: Type = syn::parse2(tokens).unwrap();
        type_name(&ty)
    }

    #[test]
    fn a_plain_name_reads_as_its_tokens_render() {
        for ty in [
            quote!(f64),
            quote!(r#type),
            quote!(DataFrame),
            quote!(Vec<f64>),
            quote!(&str),
        ] {
            let ty: Type = syn::parse2(ty).unwrap();
            assert_eq!(type_text(&ty), type_name(&ty));
        }
    }

    #[test]
    fn renders_types_compactly() {
        assert_eq!(name(quote!(Vec<f64>)), "Vec<f64>");
        assert_eq!(name(quote!(&[f64])), "&[f64]");
        assert_eq!(name(quote!(Option<&f64>)), "Option<&f64>");
        assert_eq!(
            name(quote!(HashMap<String, Vec<i64>>)),
            "HashMap<String, Vec<i64>>"
        );
        assert_eq!(name(quote!(&'a mut T)), "&'a mut T");
        assert_eq!(name(quote!(&mut [f64])), "&mut [f64]");
        assert_eq!(name(quote!(&'static str)), "&'static str");
        assert_eq!(name(quote!(std::io::Result<()>)), "std::io::Result<()>");
        assert_eq!(
            name(quote!(::polars::prelude::Series)),
            "::polars::prelude::Series"
        );
        assert_eq!(name(quote!((f64, i64))), "(f64, i64)");
        assert_eq!(name(quote!((f64,))), "(f64,)");
        assert_eq!(name(quote!([u8; 4])), "[u8; 4]");
        assert_eq!(name(quote!(<T as Trait>::Out)), "<T as Trait>::Out");
        assert_eq!(
            name(quote!(Box<dyn Fn(f64) -> f64 + Send>)),
            "Box<dyn Fn(f64) -> f64 + Send>"
        );
        assert_eq!(name(quote!(fn(&str) -> bool)), "fn(&str) -> bool");
        assert_eq!(
            name(quote!(Box<dyn Iterator<Item = u8>>)),
            "Box<dyn Iterator<Item = u8>>"
        );
        assert_eq!(name(quote!(*const u8)), "*const u8");
        assert_eq!(name(quote!(impl Fn(u8))), "impl Fn(u8)");
    }

    fn read(tokens: TokenStream) -> (Kind, String, Borrowed) {
        let read = Read::of(&syn::parse2(tokens).unwrap());
        assert_eq!(
            type_name(&read.value)
                .replace("::std::string::", "")
                .replace("::std::vec::", ""),
            read.value_name
        );
        (read.kind, read.value_name, read.borrowed)
    }

    #[test]
    fn classifies_parameters() {
        use Borrowed::*;
        use Kind::*;
        assert_eq!(read(quote!(&Series)), (Ref, "Series".into(), Plain));
        assert_eq!(read(quote!(usize)), (Owned, "usize".into(), Plain));
        assert_eq!(
            read(quote!(Option<&f64>)),
            (OptionalRef, "f64".into(), Plain)
        );
        assert_eq!(
            read(quote!(Option<Vec<u8>>)),
            (OptionalOwned, "Vec<u8>".into(), Plain)
        );
        assert_eq!(read(quote!(&str)), (Ref, "String".into(), Str));
        assert_eq!(read(quote!(&[f64])), (Ref, "Vec<f64>".into(), Slice));
        assert_eq!(
            read(quote!(Option<&str>)),
            (OptionalRef, "String".into(), Str)
        );
        assert_eq!(
            read(quote!(std::option::Option<&[u8]>)),
            (OptionalRef, "Vec<u8>".into(), Slice)
        );
        assert_eq!(read(quote!(&String)), (Ref, "String".into(), Plain));
        assert_eq!(read(quote!(&Vec<f64>)), (Ref, "Vec<f64>".into(), Plain));
    }

    fn output(tokens: TokenStream) -> (bool, String) {
        let out = Output::new(&syn::parse2(tokens).unwrap());
        (out.fallible, out.value_name)
    }

    #[test]
    fn detects_fan_outs_and_collects() {
        let parallel = |tokens: TokenStream| {
            Output::new(&syn::parse2(tokens).unwrap())
                .parallel
                .is_some()
        };
        assert!(parallel(quote!(Parallel<u64>)));
        assert!(parallel(quote!(hamilton_core::fanout::Parallel<String>)));
        assert!(parallel(quote!(Result<Parallel<u64>, E>)));
        assert!(parallel(quote!(PolarsResult<Parallel<Series>>)));
        assert!(!parallel(quote!(Vec<Parallel<u64>>)));
        assert!(!parallel(quote!(Parallel)));
        assert!(!parallel(quote!(Result<u64, Parallel<u8>>)));
        let collect = |tokens: TokenStream| {
            let ty: Type = syn::parse2(tokens).unwrap();
            Param::new(&parse_quote!(x), &ty).collect
        };
        assert!(collect(quote!(Collect<u64>)));
        assert!(collect(quote!(&Collect<u64>)));
        assert!(collect(quote!(&fanout::Collect<String>)));
        assert!(collect(quote!(Option<&Collect<u64>>)));
        assert!(!collect(quote!(&Vec<Collect<u64>>)));
        assert!(!collect(quote!(&[u64])));
    }

    #[test]
    fn detects_fallible_returns() {
        assert_eq!(output(quote!(Series)), (false, "Series".into()));
        assert_eq!(output(quote!(Vec<f64>)), (false, "Vec<f64>".into()));
        assert_eq!(
            output(quote!(Result<Vec<f64>, E>)),
            (true, "Vec<f64>".into())
        );
        assert_eq!(
            output(quote!(PolarsResult<Series>)),
            (true, "Series".into())
        );
        assert_eq!(output(quote!(std::io::Result<()>)), (true, "()".into()));
        assert_eq!(output(quote!(anyhow::Result<f64>)), (true, "f64".into()));
        assert_eq!(output(quote!(MyResult)), (true, "MyResult".into()));
        assert_eq!(output(quote!(ResultSet)), (false, "ResultSet".into()));
        assert_eq!(
            output(quote!((f64, Result<u8, E>))),
            (false, "(f64, Result<u8, E>)".into())
        );
    }
}
