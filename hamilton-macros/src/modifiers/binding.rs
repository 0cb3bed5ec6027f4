//! What a parameter is bound to, shared by `inject`, `parameterize`, `mutate`, steps and
//! sub-dataflow inputs: `source("x")`, `value(expr)`, `group(a, b)` (Hamilton's `source`,
//! `value` and `group`), and the per-parameter binders that type `value(..)` literals.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, Type};

use super::group::{self, GroupSpec};
use super::syntax::path_ident;
use crate::ast::{Borrowed, Node, type_name, ungroup};
use crate::spans::respan;

/// What a parameter is bound to.
pub(crate) enum BindValue {
    /// `source("x")` / `source(x)`.
    Source(String),
    /// `value(expr)`.
    Value(Expr),
    /// `group(a, value(2), "c")` or `group(x = a, y = value(2))`.
    Group(GroupSpec, Span),
}

/// `param = binding`.
pub(crate) struct Bind {
    pub(crate) param: Ident,
    pub(crate) value: BindValue,
}

// ---- parse ------------------------------------------------------------------------------------

/// `source("x")`, `value(expr)` or `group(a, b)`.
pub(super) fn bind_value(expr: &Expr) -> syn::Result<BindValue> {
    const EXPECTED: &str =
        "expected `source(\"node\")`, `value(literal)`, `group(a, b, ..)` or `group(x = a, y = b)`";
    let Expr::Call(call) = expr else {
        return Err(syn::Error::new_spanned(expr, EXPECTED));
    };
    let Some(func) = path_ident(&call.func) else {
        return Err(syn::Error::new_spanned(&call.func, EXPECTED));
    };
    let args: Vec<&Expr> = call.args.iter().collect();
    match func.to_string().as_str() {
        "source" => match args.as_slice() {
            [arg] => node_name(arg).map(BindValue::Source),
            _ => Err(syn::Error::new_spanned(
                expr,
                "`source` takes one node name: `source(\"spend\")`",
            )),
        },
        "value" => match args.as_slice() {
            [arg] => Ok(BindValue::Value((*arg).clone())),
            _ => Err(syn::Error::new_spanned(
                expr,
                "`value` takes one expression: `value(2.5)`",
            )),
        },
        "group" => Ok(BindValue::Group(group::parse(call)?, expr.span())),
        _ => Err(syn::Error::new_spanned(&call.func, EXPECTED)),
    }
}

/// A node name: an identifier or a string literal (which may hold dots).
pub(super) fn node_name(expr: &Expr) -> syn::Result<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            crate::attr::check_node_name(s)?;
            Ok(s.value())
        }
        other => path_ident(other)
            .map(|i| i.unraw().to_string())
            .ok_or_else(|| {
                syn::Error::new_spanned(other, "expected a node name: `spend` or `\"ns.spend\"`")
            }),
    }
}

// ---- check ------------------------------------------------------------------------------------

/// `T` when `value` (a parameter's value type) is `Vec<T>`.
pub(super) fn group_element(value: &Type) -> Option<Type> {
    let Type::Path(p) = ungroup(value) else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

// ---- generate ---------------------------------------------------------------------------------

/// The `Binding` expression of `b`, a parameter of the function whose hidden struct is `owner`.
pub(super) fn binding(
    b: &Bind,
    node: &Node,
    owner: &TokenStream,
    private: &TokenStream,
) -> TokenStream {
    let binding = quote!(#private::Binding);
    match &b.value {
        BindValue::Source(s) => quote!(#binding::source(#s)),
        BindValue::Value(expr) => {
            let p = b.param.unraw().to_string();
            let plain = node
                .params
                .iter()
                .find(|x| x.name().as_deref() == Some(&p))
                .is_some_and(|x| x.read.borrowed == Borrowed::Plain);
            value_binding(&b.param, expr, owner, plain, private)
        }
        BindValue::Group(g, span) => {
            let p = b.param.unraw().to_string();
            match node.params.iter().find(|x| x.name().as_deref() == Some(&p)) {
                Some(param) => group::binding(g, &param.read.value, *span, private),
                None => quote!(::core::unreachable!()),
            }
        }
    }
}

/// `value(expr)` for parameter `param` of the node whose hidden struct is `owner`: typed by the
/// parameter through its generated binder, so a literal of the wrong type is an error on it.
pub(super) fn value_binding(
    param: &Ident,
    expr: &Expr,
    owner: &TokenStream,
    plain: bool,
    private: &TokenStream,
) -> TokenStream {
    let binder = binder_ident(&param.unraw().to_string(), param.span());
    let text = match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => s.value(),
        other => type_name(other),
    };
    // A parameter known to read its own type takes the expression as is (the best message
    // for a wrong literal); `&str`, `&[T]` and the parameters of other functions' steps convert
    // through `IntoLiteral`.
    let make = if plain {
        quote_spanned!(expr.span()=> || #expr)
    } else {
        let convert = respan(quote!(#private::IntoLiteral::into_literal), expr.span());
        quote_spanned!(expr.span()=> || #convert(#expr))
    };
    quote!(#private::Binding::value_with(#private::typed(|n: &#owner| &n.#binder, #make), #text))
}

/// The name of the binder a `#[node]` generates for parameter `param`.
fn binder_ident(param: &str, span: Span) -> Ident {
    format_ident!("__hamilton_value_{}", param, span = span)
}

/// The per-parameter binders `#[node]` generates as fields of its hidden struct, typing
/// `value(..)` bindings (its own, and those of `step(this_fn, p = value(..))` elsewhere): a
/// `PhantomData<T>` field each (a field costs the compiler less than a constant).
pub(crate) fn binders(node: &Node) -> TokenStream {
    let binders = node.params.iter().filter_map(|param| {
        let name = param.name()?;
        let ident = binder_ident(&name, Span::call_site());
        let value = &param.read.value;
        // No bound on the value type here: a parameter type that cannot be a node value is
        // reported once, on the parameter, not again on its binder.
        Some(quote! {
            pub #ident: ::core::marker::PhantomData<#value>,
        })
    });
    quote!(#(#binders)*)
}
