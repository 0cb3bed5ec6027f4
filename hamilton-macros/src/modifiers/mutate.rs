//! `mutate(target, apply_to(other, k = value(..)).named("..").when(..), .., k = value(..))`: the
//! function becomes a `pipe_output` step of other functions of its module (Hamilton's `@mutate`
//! and `apply_to`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, Path};

use super::binding::{Bind, BindValue, bind_value};
use super::config::condition;
use super::group;
use super::pipe::{StepSpec, with_methods};
use super::syntax::{once, parenthesized_list, path_ident};
use super::{Expansion, Function, Mods};
use crate::valid::Errors;

const APPLY_TO: &str = "expected `apply_to(target_fn, param = value(..), ..)`, optionally followed by `.when(key = value)` or `.named(\"name\")`";

// ---- parse ------------------------------------------------------------------------------------

impl Mods {
    /// Parses `mutate(target, apply_to(target, ..).., .., k = value(..))`.
    pub(super) fn parse_mutate(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let span = meta.path.span();
        once(&self.mutate, meta, "mutate")?;
        let exprs = parenthesized_list(
            meta,
            "mutate(target_fn, apply_to(other_fn, k = value(..)), k = value(..))",
        )?;
        let mut targets = Vec::new();
        let mut binds = Vec::new();
        for expr in &exprs {
            match expr {
                Expr::Assign(assign) => binds.push(bind(&assign.left, &assign.right)?),
                Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                    targets.push(target(p.path.clone()));
                }
                Expr::Call(_) | Expr::MethodCall(_) => {
                    targets.push(with_methods(expr, APPLY_TO, &apply_to_head)?);
                }
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "expected the name of a function of this module to mutate, `apply_to(function, ..)`, or `param = value(..)`",
                    ));
                }
            }
        }
        if targets.is_empty() {
            return Err(syn::Error::new(
                span,
                "`mutate` needs at least one target function: `mutate(spend, signups)`",
            ));
        }
        self.mutate = Some((span, targets, binds));
        Ok(())
    }
}

/// A target with nothing of its own.
fn target(path: Path) -> StepSpec {
    StepSpec {
        path,
        binds: Vec::new(),
        conds: Vec::new(),
        named: None,
    }
}

/// `param = binding`.
fn bind(left: &Expr, right: &Expr) -> syn::Result<Bind> {
    let Some(param) = path_ident(left) else {
        return Err(syn::Error::new_spanned(left, "expected a parameter name"));
    };
    Ok(Bind {
        param,
        value: bind_value(right)?,
    })
}

/// `apply_to(target, k = value(..), ..)`.
fn apply_to_head(expr: &Expr) -> syn::Result<StepSpec> {
    let Expr::Call(call) = expr else {
        return Err(syn::Error::new_spanned(expr, APPLY_TO));
    };
    if path_ident(&call.func).is_none_or(|f| f != "apply_to") {
        return Err(syn::Error::new_spanned(&call.func, APPLY_TO));
    }
    let mut args = call.args.iter();
    let Some(Expr::Path(first)) = args.next().filter(|a| path_ident(a).is_some()) else {
        return Err(syn::Error::new_spanned(
            call,
            "`apply_to` takes the target function first: `apply_to(prices, k = value(2.0))`",
        ));
    };
    let mut spec = target(first.path.clone());
    for arg in args {
        let Expr::Assign(assign) = arg else {
            return Err(syn::Error::new_spanned(
                arg,
                "bind the mutating function's other parameters by name: `apply_to(prices, k = value(2.0))`",
            ));
        };
        spec.binds.push(bind(&assign.left, &assign.right)?);
    }
    Ok(spec)
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// A `mutate` function is a step of other nodes, not a node: it takes no option that
    /// shapes a node. Its bindings (shared and per target) bind its parameters but the first.
    pub(super) fn check_mutate(&self, function: &Function<'_>, errors: &mut Errors) {
        let Some((span, targets, binds)) = &self.mutate else {
            return;
        };
        if self.parameterize.is_some()
            || !self.inject.is_empty()
            || self.pipe_input.is_some()
            || self.pipe_output.is_some()
            || !self.extract.is_empty()
            || !self.checks.is_empty()
            || !self.tag_outputs.is_empty()
            || self.default.is_some()
        {
            errors.push(syn::Error::new(
                *span,
                "a `mutate` function is a step of its targets, not a node: it takes only `when*`, `tag` and `mutate` options",
            ));
        }
        check_step_binds(binds, function, errors);
        for t in targets {
            check_step_binds(&t.binds, function, errors);
        }
    }
}

/// Each of `binds` binds a parameter of the mutating function other than its first (which
/// receives the target's value), once.
fn check_step_binds(binds: &[Bind], function: &Function<'_>, errors: &mut Errors) {
    let fn_name = &function.fn_name;
    let mut seen: Vec<String> = Vec::new();
    for b in binds {
        let p = b.param.unraw().to_string();
        if function.params.first() == Some(&p) {
            errors.push(syn::Error::new(
                b.param.span(),
                format_args!("`{p}` is the first parameter of `{fn_name}`: it receives the target's value, so it cannot be bound"),
            ));
        } else if !function.params.contains(&p) {
            errors.push(syn::Error::new(
                b.param.span(),
                format_args!(
                    "`{fn_name}` has no parameter `{p}` to bind; {}",
                    function.param_list()
                ),
            ));
        } else if seen.contains(&p) {
            errors.push(syn::Error::new(
                b.param.span(),
                format_args!("parameter `{p}` is bound twice; bind it once"),
            ));
        } else if let BindValue::Group(g, span) = &b.value
            && let Some(param) = function
                .node
                .params
                .iter()
                .find(|x| x.name().as_deref() == Some(&p))
            && let Some(message) = group::mismatch(g, &p, &param.read.value, &param.read.value_name)
        {
            errors.push(syn::Error::new(*span, message));
        }
        seen.push(p);
    }
}

// ---- generate ---------------------------------------------------------------------------------

impl Mods {
    /// `Modifier::mutate([..], bindings)`, after checking that each target is a function in
    /// scope (an error spanned on the target).
    pub(super) fn generate_mutate(&self, out: &mut Expansion<'_>) {
        let Some((_, targets, binds)) = &self.mutate else {
            return;
        };
        let private = out.private;
        let bindings = |binds: &[Bind]| -> Vec<TokenStream> {
            binds
                .iter()
                .map(|b| {
                    let p = b.param.unraw().to_string();
                    let binding = out.binding(b);
                    quote!((#p, #binding))
                })
                .collect()
        };
        let shared = bindings(binds);
        let targets: Vec<TokenStream> = targets
            .iter()
            .map(|t| {
                let name = t
                    .path
                    .get_ident()
                    .map(|i| i.unraw().to_string())
                    .unwrap_or_default();
                let binds = bindings(&t.binds).into_iter().map(|pb| quote!(.bind #pb));
                let conds = t.conds.iter().map(|c| {
                    let c = condition(c, private);
                    quote!(.condition(#c))
                });
                let named = t.named.as_ref().map(|n| quote!(.named(#n)));
                quote!(#private::ApplyTo::new(#name) #(#binds)* #(#conds)* #named)
            })
            .collect();
        for t in self.mutate.iter().flat_map(|(_, targets, _)| targets) {
            let path = &t.path;
            out.checks
                .push(quote_spanned!(path.span()=> let _ = #path;));
        }
        let m = &out.modifier;
        out.items.push(quote! {
            #m::mutate([#(#targets),*], {
                let bindings: ::std::vec::Vec<(&'static str, #private::Binding)> = ::std::vec![#(#shared),*];
                bindings
            })
        });
    }
}
