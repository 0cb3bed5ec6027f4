//! `group(..)` in a binding: nodes and literals gathered into a list (`group(a, value(2.0),
//! source("x"))` → `&[T]`/`Vec<T>`) or, with a key for each, into a map (`group(a = source("x"),
//! b = value(2.0))` → `BTreeMap<String, T>`/`HashMap<String, T>`), Hamilton's `group(*deps)` and
//! `group(**deps)`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, Type};

use super::binding::{group_element, node_name};
use super::syntax::path_ident;
use crate::ast::{type_name, ungroup};
use crate::spans::respan;

/// A parsed `group(..)`.
pub(crate) struct GroupSpec {
    /// The members in order, each with its key in a map group.
    members: Vec<(Option<String>, Member)>,
    /// Whether the members have keys (a map) or not (a list).
    keyed: bool,
}

/// One member: a node or a literal.
enum Member {
    Source(String),
    Value(Expr),
}

// ---- parse ------------------------------------------------------------------------------------

/// The members of `group(..)`: `a`, `"ns.a"`, `source("a")`, `value(expr)`, each optionally
/// under a key (`k = ..`), all of them or none.
pub(super) fn parse(call: &syn::ExprCall) -> syn::Result<GroupSpec> {
    if call.args.is_empty() {
        return Err(syn::Error::new_spanned(
            call,
            "`group` takes the nodes and literals to gather: `group(a, b, value(1.0))`, or `group(x = a, y = value(1.0))` for a map",
        ));
    }
    let keyed = matches!(call.args.first(), Some(Expr::Assign(_)));
    let mut members: Vec<(Option<String>, Member)> = Vec::new();
    for arg in &call.args {
        let (key, item) = match arg {
            Expr::Assign(assign) => {
                let key = key(&assign.left)?;
                if members.iter().any(|(k, _)| k.as_deref() == Some(&key)) {
                    return Err(syn::Error::new_spanned(
                        &assign.left,
                        format_args!(
                            "key `{key}` is given twice in this `group`; give each key once"
                        ),
                    ));
                }
                (Some(key), &*assign.right)
            }
            other => (None, other),
        };
        if key.is_some() != keyed {
            return Err(syn::Error::new_spanned(
                arg,
                "give every member of a `group` a key (`group(a = x, b = value(1.0))`, gathered into a map) or none (`group(x, value(1.0))`, gathered into a list)",
            ));
        }
        members.push((key, member(item)?));
    }
    Ok(GroupSpec { members, keyed })
}

/// A map key: an identifier or a string literal.
fn key(expr: &Expr) -> syn::Result<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.value()),
        other => path_ident(other)
            .map(|i| i.unraw().to_string())
            .ok_or_else(|| {
                syn::Error::new_spanned(
                    other,
                    "a `group` key is a name: `group(uk = source(\"uk_spend\"))`",
                )
            }),
    }
}

/// `value(expr)`, `source(x)`, or a node name.
fn member(expr: &Expr) -> syn::Result<Member> {
    if let Expr::Call(inner) = expr
        && let Some(func) = path_ident(&inner.func)
    {
        let arg = match inner.args.len() {
            1 => &inner.args[0],
            _ => {
                return Err(syn::Error::new_spanned(
                    expr,
                    "a `group` member is a node (`a`, `source(\"a\")`) or one literal (`value(2.0)`)",
                ));
            }
        };
        return match func.to_string().as_str() {
            "source" => node_name(arg).map(Member::Source),
            "value" => Ok(Member::Value(arg.clone())),
            _ => Err(syn::Error::new_spanned(
                &inner.func,
                "a `group` member is a node (`a`, `source(\"a\")`) or a literal (`value(2.0)`)",
            )),
        };
    }
    node_name(expr).map(Member::Source)
}

// ---- check ------------------------------------------------------------------------------------

/// The value type of a map with `String` keys (`T` of `BTreeMap<String, T>` / `HashMap<String,
/// T>`), when `value` is one.
fn map_item(value: &Type) -> Option<Type> {
    let Type::Path(p) = ungroup(value) else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != "BTreeMap" && last.ident != "HashMap" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() >= 2 => match &args.args[1] {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Why parameter `param`, reading a `value` (written `written`), cannot take `group`; `None`
/// when it can.
pub(super) fn mismatch(
    group: &GroupSpec,
    param: &str,
    value: &Type,
    written: &str,
) -> Option<String> {
    if group.keyed && map_item(value).is_none() {
        Some(format!(
            "`group(key = ..)` gathers its members into a map, but `{param}` reads a `{written}`; declare it `&BTreeMap<String, T>` or `&HashMap<String, T>`, or drop the keys for a list"
        ))
    } else if !group.keyed && group_element(value).is_none() {
        Some(format!(
            "`group(..)` gathers several nodes into a `Vec<T>`, but `{param}` reads a `{written}`; declare it `&[T]` or `Vec<T>`, or give each member a key (`group(a = x, b = y)`) for a map"
        ))
    } else {
        None
    }
}

// ---- generate ---------------------------------------------------------------------------------

/// The `Binding` of `group` for a parameter reading a `value`, spanned on `span`.
pub(super) fn binding(
    group: &GroupSpec,
    value: &Type,
    span: Span,
    private: &TokenStream,
) -> TokenStream {
    let elem = if group.keyed {
        map_item(value)
    } else {
        group_element(value)
    };
    let Some(elem) = elem else {
        // Reported by the check.
        return quote!(::core::unreachable!());
    };
    let members = group.members.iter().map(|(key, m)| {
        let member = match m {
            Member::Source(s) => quote!(#private::GroupMember::<#elem>::source(#s)),
            Member::Value(expr) => {
                let text = match expr {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) => format!("{:?}", s.value()),
                    other => type_name(other),
                };
                let convert = respan(quote!(#private::IntoLiteral::<#elem>::into_literal), expr.span());
                quote_spanned!(expr.span()=> #private::GroupMember::<#elem>::value_with(|| #convert(#expr), #text))
            }
        };
        match key {
            Some(k) => quote!((#k, #member)),
            None => member,
        }
    });
    if group.keyed {
        // Spanned on `group(..)`, where a map type without `String` keys is reported.
        let group_map = respan(quote!(#private::Binding::group_map), span);
        quote_spanned!(span=> #group_map::<#value>([#(#members),*]))
    } else {
        quote_spanned!(span=> #private::Binding::group_of::<#elem>([#(#members),*]))
    }
}
