//! Validation of a `#[node]` function: every misuse is reported, each spanned on the offending
//! tokens, with what to write instead.

use proc_macro2::TokenTree;
use quote::ToTokens;
use syn::{Attribute, FnArg, Pat, ReturnType, Type};

use crate::ast::{Node, option_arg, ungroup};

/// Errors collected while reading a `#[node]`, reported together.
#[derive(Default)]
pub(crate) struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    /// Adds an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Adds an error spanned on `tokens`.
    fn spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// `Err` with every error collected, if any.
    pub(crate) fn finish(self) -> syn::Result<()> {
        self.combined.map_or(Ok(()), Err)
    }
}

/// Primitive type names a node function cannot have: its hidden same-named struct would shadow
/// the primitive in the module.
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "f16", "f32", "f64", "f128", "i8", "i16", "i32", "i64", "i128", "isize",
    "u8", "u16", "u32", "u64", "u128", "usize",
];

/// Checks everything `#[node]` requires of a function.
pub(crate) fn check(node: &Node, errors: &mut Errors) {
    check_attributes(&node.func.attrs, errors);
    check_signature(node, errors);
    check_params(node, errors);
    check_output(node, errors);
}

fn check_signature(node: &Node, errors: &mut Errors) {
    let sig = &node.func.sig;
    let name = node.fn_name();
    if PRIMITIVES.contains(&name.as_str()) {
        errors.spanned(
            &sig.ident,
            format_args!(
                "a node function cannot be named `{name}`: the hidden struct `#[node]` defines \
                 next to it would shadow the primitive type `{name}`; rename the function and \
                 keep the node name with `#[node(name = \"{name}\")]`"
            ),
        );
    }
    if !sig.generics.params.is_empty() {
        errors.spanned(&sig.generics, GENERIC);
    } else if let Some(where_clause) = &sig.generics.where_clause {
        errors.spanned(where_clause, GENERIC);
    }
    if let Some(token) = &sig.unsafety {
        errors.spanned(
            token,
            "a node cannot be an `unsafe fn`: the graph calls it with no way to uphold its \
             safety contract; make it safe and use an `unsafe` block inside",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(
            abi,
            "a node cannot have an `extern` ABI; remove it, or write a Rust-ABI node that calls \
             the extern function",
        );
    }
    if let Some(receiver) = sig.receiver() {
        errors.spanned(
            receiver,
            "a node cannot take `self`: write a free function whose parameters name the nodes \
             and inputs it depends on",
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.spanned(
            variadic,
            "a node cannot be variadic: declare one named parameter per dependency",
        );
    }
}

/// A second `#[node]` on the function (the one being expanded is already removed from `attrs`).
fn check_attributes(attrs: &[Attribute], errors: &mut Errors) {
    for attr in attrs {
        let path = attr.path();
        if path
            .segments
            .last()
            .is_some_and(|last| last.ident == "node")
        {
            errors.spanned(
                attr,
                "`#[node]` is applied twice to this function; give it once, with all its options \
                 in one `#[node(...)]`",
            );
        }
    }
}

/// `#[cfg]` on a parameter: the macro sees the parameter, the compiled function may not have it.
fn check_param_attributes(node: &Node, errors: &mut Errors) {
    for input in &node.func.sig.inputs {
        let FnArg::Typed(arg) = input else { continue };
        for attr in &arg.attrs {
            if attr.path().is_ident("cfg") {
                errors.spanned(
                    attr,
                    "`#[cfg]` on a parameter of a `#[node]` function is not supported: the \
                     parameters are the node's dependencies, which cannot change with the build; \
                     put the cfg on the whole function (one function per configuration), or make \
                     the parameter optional (`Option<&T>`)",
                );
            }
        }
    }
}

const GENERIC: &str = "a node cannot be generic: the graph is wired by concrete types; write one \
                       function per type, or a non-generic wrapper";

fn check_params(node: &Node, errors: &mut Errors) {
    check_param_attributes(node, errors);
    for param in &node.params {
        match &param.pat {
            Pat::Wild(wild) => errors.spanned(
                wild,
                "a node parameter needs a name: it names the node or input the function depends \
                 on",
            ),
            Pat::Ident(pat) if pat.subpat.is_none() => {}
            pat => errors.spanned(
                pat,
                "a node parameter must be a plain identifier: its name is the node or input it \
                 depends on; bind a name (`point: Point`) and destructure it in the body \
                 (`let Point { x, y } = point;`)",
            ),
        }
        check_param_type(&param.ty, errors);
        if param.collect && param.read.kind.is_optional() {
            errors.spanned(
                &param.ty,
                "a `Collect<T>` parameter cannot be optional: the fan-out it gathers always runs \
                 (with no items it gives an empty `Collect`); write `Collect<T>` or `&Collect<T>`",
            );
        }
    }
}

fn check_param_type(ty: &Type, errors: &mut Errors) {
    if has_impl(ty) {
        errors.spanned(
            ty,
            "a node parameter cannot be `impl Trait`: the graph passes values of one concrete \
             type; name the type",
        );
        return;
    }
    let inner = ungroup(option_arg(ty).unwrap_or(ty));
    if let Type::Reference(reference) = inner {
        if reference.mutability.is_some() {
            errors.spanned(
                ty,
                "nodes cannot mutate their inputs; take `T` by value (it is cloned, or moved when \
                 nothing else needs it) and return the changed value",
            );
        } else if let Some(lifetime) = &reference.lifetime
            && lifetime.ident != "_"
        {
            errors.spanned(
                lifetime,
                format_args!(
                    "remove the lifetime `{lifetime}`: a node parameter borrows its value only \
                     for the call"
                ),
            );
        }
    }
}

fn check_output(node: &Node, errors: &mut Errors) {
    let sig = &node.func.sig;
    let ReturnType::Type(_, ty) = &sig.output else {
        errors.spanned(
            &sig.ident,
            "a node must return the value it produces: add `-> T`",
        );
        return;
    };
    if let Type::Never(never) = ungroup(ty) {
        errors.spanned(
            never,
            "a node cannot return `!`: it must produce a value for the nodes that depend on it; \
             return `Result<T, E>` to report a failure",
        );
    } else if has_impl(ty) {
        errors.spanned(
            ty,
            "a node cannot return `impl Trait`: the graph needs the concrete type of the value; \
             name the type",
        );
    } else if let Type::Reference(_) = ungroup(ty) {
        errors.spanned(
            ty,
            "a node must return an owned value (`String` rather than `&str`, `Vec<T>` rather \
             than `&[T]`, `T` rather than `&T`)",
        );
    }
}

/// Whether `ty` holds an `impl` keyword, at any depth (a name, or a reference to one, does not;
/// anything else is looked through).
fn has_impl(ty: &Type) -> bool {
    let plain = |ty: &Type| matches!(ty, Type::Path(path) if path.qself.is_none() && path.path.get_ident().is_some());
    match ty {
        Type::Reference(reference) if plain(&reference.elem) => false,
        ty if plain(ty) => false,
        ty => find_impl(ty.to_token_stream()).is_some(),
    }
}

/// The first `impl` keyword in `tokens`, at any depth.
fn find_impl(tokens: proc_macro2::TokenStream) -> Option<TokenTree> {
    tokens.into_iter().find_map(|token| match &token {
        TokenTree::Ident(ident) if ident == "impl" => Some(token),
        TokenTree::Group(group) => find_impl(group.stream()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors_of(func: syn::ItemFn) -> Vec<String> {
        let mut errors = Errors::default();
        check(&Node::new(func), &mut errors);
        errors
            .finish()
            .err()
            .map(|e| e.into_iter().map(|e| e.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn accepts_valid_nodes() {
        let ok: Vec<syn::ItemFn> = vec![
            parse_quote!(
                fn a(x: &f64, y: Option<&str>, z: Vec<u8>, mut w: Option<u8>) -> f64 {
                    0.0
                }
            ),
            parse_quote!(
                pub const fn b() -> Result<f64, E> {
                    Ok(0.0)
                }
            ),
            parse_quote!(
                fn c(s: &'_ str) -> String {
                    String::new()
                }
            ),
            parse_quote!(
                async fn d(x: &f64, c: &Collect<u8>, d: Collect<u8>) -> Parallel<f64> {
                    Parallel(vec![*x])
                }
            ),
        ];
        for func in ok {
            assert_eq!(errors_of(func), Vec::<String>::new());
        }
    }

    #[test]
    fn collects_every_error() {
        let errors = errors_of(parse_quote! {
            async unsafe extern "C" fn f64<T>(&self, _: u8, (a, b): (u8, u8), m: &mut u8, i: impl Fn(), c: Option<&Collect<u8>>) {}
        });
        assert_eq!(errors.len(), 11, "{errors:#?}");
    }
}
