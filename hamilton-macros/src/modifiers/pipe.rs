//! Pipelines: `pipe_input(step(..), .., on_input = p)` and `pipe_output(step(..), ..)`, built of
//! steps `step(f, k = value(..)).when(..).named("..")` (Hamilton's `@pipe_input`, `@pipe_output`
//! and `step`); `mutate` (its own file) adds steps to other functions.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Path};

use super::binding::{Bind, BindValue, bind_value, value_binding};
use super::config::{Cond, check_config_literal, condition, config_list};
use super::syntax::{once, parenthesized_list, path_ident};
use super::{Expansion, Function, Mods};
use crate::valid::Errors;

/// `step(f, k = value(..)).when(..).named("..")`.
pub(crate) struct StepSpec {
    pub(crate) path: Path,
    pub(crate) binds: Vec<Bind>,
    pub(crate) conds: Vec<Cond>,
    pub(crate) named: Option<LitStr>,
}

// ---- parse ------------------------------------------------------------------------------------

impl Mods {
    /// Parses `pipe_input(step(f), .., on_input = p)`.
    pub(super) fn parse_pipe_input(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let span = meta.path.span();
        once(&self.pipe_input, meta, "pipe_input")?;
        let exprs = parenthesized_list(meta, "pipe_input(step(f), step(g), ...)")?;
        let mut steps = Vec::new();
        let mut on = None;
        for expr in &exprs {
            if let Some(ns) = super::pipe_namespace::pipe_namespace(expr) {
                self.pipe_input_namespace = Some(ns?);
                continue;
            }
            if let Expr::Assign(assign) = expr
                && path_ident(&assign.left).is_some_and(|i| i == "on_input")
            {
                let Some(param) = path_ident(&assign.right) else {
                    return Err(syn::Error::new_spanned(
                        &assign.right,
                        "`on_input` names a parameter: `on_input = spend`",
                    ));
                };
                on = Some(param);
                continue;
            }
            match step(expr) {
                Ok(s) => steps.push(s),
                Err(e) => self.errors.push(e),
            }
        }
        if exprs.iter().all(|e| matches!(e, Expr::Assign(_))) {
            return Err(syn::Error::new(
                span,
                "`pipe_input` needs at least one `step(..)`",
            ));
        }
        self.pipe_input = Some((span, steps, on));
        Ok(())
    }

    /// Parses `pipe_output(step(f), ..)`.
    pub(super) fn parse_pipe_output(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let span = meta.path.span();
        once(&self.pipe_output, meta, "pipe_output")?;
        let exprs = parenthesized_list(meta, "pipe_output(step(f), step(g), ...)")?;
        let mut steps = Vec::new();
        for expr in &exprs {
            match step(expr) {
                Ok(s) => steps.push(s),
                Err(e) => self.errors.push(e),
            }
        }
        if exprs.is_empty() {
            return Err(syn::Error::new(
                span,
                "`pipe_output` needs at least one `step(..)`",
            ));
        }
        self.pipe_output = Some((span, steps));
        Ok(())
    }
}

/// `step(f, k = value(..))`, with `.when*(..)` and `.named("..")`; a bare `f` is `step(f)`.
fn step(expr: &Expr) -> syn::Result<StepSpec> {
    const EXPECTED: &str = "expected `step(function, param = value(..), ..)`, optionally followed by `.when(key = value)` or `.named(\"name\")`";
    with_methods(expr, EXPECTED, &|head| step_head(head, EXPECTED))
}

/// `head` followed by `.when*(..)` and `.named("..")` calls (`expected`: what to write, for
/// messages), `head` parsed by `parse_head`.
pub(super) fn with_methods(
    expr: &Expr,
    expected: &str,
    parse_head: &dyn Fn(&Expr) -> syn::Result<StepSpec>,
) -> syn::Result<StepSpec> {
    match expr {
        Expr::MethodCall(call) => {
            let mut s = with_methods(&call.receiver, expected, parse_head)?;
            let method = call.method.to_string();
            match method.as_str() {
                "when" | "when_not" | "when_in" | "when_not_in" => {
                    for arg in &call.args {
                        let Expr::Assign(assign) = arg else {
                            return Err(syn::Error::new_spanned(arg, "expected `key = value`"));
                        };
                        let Some(key) = path_ident(&assign.left) else {
                            return Err(syn::Error::new_spanned(
                                &assign.left,
                                "expected a config key",
                            ));
                        };
                        let not = method.contains("not");
                        if method.ends_with("in") {
                            let values = config_list(&assign.right)?;
                            s.conds.push(Cond::In { key, values, not });
                        } else {
                            check_config_literal(&assign.right)?;
                            s.conds.push(Cond::Is {
                                key,
                                value: (*assign.right).clone(),
                                not,
                            });
                        }
                    }
                    Ok(s)
                }
                "named" => match call.args.first() {
                    Some(Expr::Lit(ExprLit {
                        lit: Lit::Str(name),
                        ..
                    })) if call.args.len() == 1 => {
                        crate::attr::check_node_name(name)?;
                        s.named = Some(name.clone());
                        Ok(s)
                    }
                    _ => Err(syn::Error::new_spanned(
                        call,
                        "`.named` takes a string: `.named(\"clean\")`",
                    )),
                },
                _ => Err(syn::Error::new_spanned(&call.method, expected)),
            }
        }
        other => parse_head(other),
    }
}

/// `step(f, k = value(..))` or `f`.
fn step_head(expr: &Expr, expected: &str) -> syn::Result<StepSpec> {
    match expr {
        Expr::Call(call) if path_ident(&call.func).is_some_and(|f| f == "step") => {
            let mut args = call.args.iter();
            let Some(Expr::Path(function)) = args.next() else {
                return Err(syn::Error::new_spanned(
                    call,
                    "`step` takes the step function first: `step(normalize, k = value(2.0))`",
                ));
            };
            let mut binds = Vec::new();
            for arg in args {
                let Expr::Assign(assign) = arg else {
                    return Err(syn::Error::new_spanned(
                        arg,
                        "bind the step's other parameters by name: `step(f, k = value(2.0), base = source(\"x\"))`",
                    ));
                };
                let Some(param) = path_ident(&assign.left) else {
                    return Err(syn::Error::new_spanned(
                        &assign.left,
                        "expected a parameter name",
                    ));
                };
                let value = bind_value(&assign.right)?;
                if matches!(value, BindValue::Group(..)) {
                    return Err(syn::Error::new_spanned(
                        &assign.right,
                        "`group` is not supported in steps; bind a `source` or a `value`",
                    ));
                }
                binds.push(Bind { param, value });
            }
            Ok(StepSpec {
                path: function.path.clone(),
                binds,
                conds: Vec::new(),
                named: None,
            })
        }
        Expr::Path(p) if p.qself.is_none() => Ok(StepSpec {
            path: p.path.clone(),
            binds: Vec::new(),
            conds: Vec::new(),
            named: None,
        }),
        _ => Err(syn::Error::new_spanned(expr, expected)),
    }
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// `pipe_input` pipes into a parameter the function has.
    pub(super) fn check_pipe_input(&self, function: &Function<'_>, errors: &mut Errors) {
        let Some((span, _, on)) = &self.pipe_input else {
            return;
        };
        match on {
            Some(on) if !function.params.contains(&on.unraw().to_string()) => {
                errors.push(syn::Error::new(
                    on.span(),
                    format_args!(
                        "`on_input`: `{}` has no parameter `{on}`; {}",
                        function.fn_name,
                        function.param_list()
                    ),
                ))
            }
            None if function.params.is_empty() => errors.push(syn::Error::new(
                *span,
                "`pipe_input` runs its steps on a parameter, but the function takes none",
            )),
            _ => {}
        }
    }
}

// ---- generate ---------------------------------------------------------------------------------

impl Mods {
    /// `Modifier::pipe_input([..])` or `Modifier::pipe_input_on(p, [..])`.
    pub(super) fn generate_pipe_input(&self, out: &mut Expansion<'_>) {
        let Some((_, steps, on)) = &self.pipe_input else {
            return;
        };
        let m = &out.modifier;
        let steps = steps.iter().map(|s| step_tokens(s, out.private));
        if let Some(ns) = &self.pipe_input_namespace {
            let on = match on {
                Some(on) => {
                    let on = on.unraw().to_string();
                    quote!(::core::option::Option::Some(#on))
                }
                None => quote!(::core::option::Option::None),
            };
            out.items
                .push(quote!(#m::pipe_input_in(#ns, #on, [#(#steps),*])));
            return;
        }
        out.items.push(match on {
            Some(on) => {
                let on = on.unraw().to_string();
                quote!(#m::pipe_input_on(#on, [#(#steps),*]))
            }
            None => quote!(#m::pipe_input([#(#steps),*])),
        });
    }

    /// `Modifier::pipe_output([..])`.
    pub(super) fn generate_pipe_output(&self, out: &mut Expansion<'_>) {
        let Some((_, steps)) = &self.pipe_output else {
            return;
        };
        let m = &out.modifier;
        let steps = steps.iter().map(|s| step_tokens(s, out.private));
        out.items.push(quote!(#m::pipe_output([#(#steps),*])));
    }
}

/// The `Step` expression of a step.
fn step_tokens(s: &StepSpec, private: &TokenStream) -> TokenStream {
    let path = &s.path;
    let owner = quote!(#path);
    let def = quote_spanned!(path.span()=> <#path>::DEF);
    let binds = s.binds.iter().map(|b| {
        let p = b.param.unraw().to_string();
        let binding = match &b.value {
            BindValue::Source(src) => quote!(#private::Binding::source(#src)),
            BindValue::Value(expr) => value_binding(&b.param, expr, &owner, false, private),
            BindValue::Group(..) => quote!(::core::unreachable!()),
        };
        quote!(.bind(#p, #binding))
    });
    let conds = s.conds.iter().map(|c| {
        let c = condition(c, private);
        quote!(.condition(#c))
    });
    let named = s.named.as_ref().map(|n| quote!(.named(#n)));
    quote!(#private::Step::of(#def) #(#binds)* #(#conds)* #named)
}
