//! Pipelines: `pipe_input(step(..), .., on_input = p)`, `pipe_output(step(..), ..)` and
//! `mutate(target, .., k = value(..))`, built of steps `step(f, k = value(..)).when(..)
//! .named("..")` (Hamilton's `@pipe_input`, `@pipe_output`, `@mutate` and `step`).

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

    /// Parses `mutate(target, .., k = value(..))`.
    pub(super) fn parse_mutate(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let span = meta.path.span();
        once(&self.mutate, meta, "mutate")?;
        let exprs = parenthesized_list(meta, "mutate(target_fn, other_fn, k = value(..))")?;
        let mut targets = Vec::new();
        let mut binds = Vec::new();
        for expr in &exprs {
            match expr {
                Expr::Assign(assign) => {
                    let Some(param) = path_ident(&assign.left) else {
                        return Err(syn::Error::new_spanned(
                            &assign.left,
                            "expected a parameter name",
                        ));
                    };
                    binds.push(Bind {
                        param,
                        value: bind_value(&assign.right)?,
                    });
                }
                other => match path_ident(other) {
                    Some(target) => targets.push(target),
                    None => {
                        return Err(syn::Error::new_spanned(
                            other,
                            "expected the name of a function of this module to mutate, or `param = value(..)`",
                        ));
                    }
                },
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

/// `step(f, k = value(..))`, with `.when*(..)` and `.named("..")`; a bare `f` is `step(f)`.
fn step(expr: &Expr) -> syn::Result<StepSpec> {
    const EXPECTED: &str = "expected `step(function, param = value(..), ..)`, optionally followed by `.when(key = value)` or `.named(\"name\")`";
    match expr {
        Expr::MethodCall(call) => {
            let mut s = step(&call.receiver)?;
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
                _ => Err(syn::Error::new_spanned(&call.method, EXPECTED)),
            }
        }
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
        _ => Err(syn::Error::new_spanned(expr, EXPECTED)),
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

    /// A `mutate` function is a step of other nodes, not a node: it takes no option that
    /// shapes a node.
    pub(super) fn check_mutate(&self, errors: &mut Errors) {
        if let Some((span, _, _)) = &self.mutate
            && (self.parameterize.is_some()
                || !self.inject.is_empty()
                || self.pipe_input.is_some()
                || self.pipe_output.is_some()
                || !self.extract.is_empty()
                || !self.checks.is_empty()
                || !self.tag_outputs.is_empty()
                || self.default.is_some())
        {
            errors.push(syn::Error::new(
                *span,
                "a `mutate` function is a step of its targets, not a node: it takes only `when*`, `tag` and `mutate` options",
            ));
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

    /// `Modifier::mutate([..], bindings)`, after checking that each target is a function in
    /// scope (an error spanned on the target).
    pub(super) fn generate_mutate(&self, out: &mut Expansion<'_>) {
        let Some((_, targets, binds)) = &self.mutate else {
            return;
        };
        let private = out.private;
        let names = targets.iter().map(|t| t.unraw().to_string());
        let binds: Vec<_> = binds
            .iter()
            .map(|b| {
                let p = b.param.unraw().to_string();
                let binding = out.binding(b);
                quote!((#p, #binding))
            })
            .collect();
        for t in targets {
            out.checks.push(quote_spanned!(t.span()=> let _ = #t;));
        }
        let m = &out.modifier;
        out.items.push(quote! {
            #m::mutate([#(#names),*], {
                let bindings: ::std::vec::Vec<(&'static str, #private::Binding)> = ::std::vec![#(#binds),*];
                bindings
            })
        });
    }
}

/// The `Step` expression of a step.
fn step_tokens(s: &StepSpec, private: &TokenStream) -> TokenStream {
    let path = &s.path;
    let owner = quote!(<#path>);
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
