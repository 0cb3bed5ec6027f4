//! Expansion: `parameterize(out(p = source("x"), k = value(2)), ..)`, one node per output, and
//! `inject(p = ..)`, bindings in the node itself (Hamilton's `@parameterize*` and `@inject`).

use quote::quote;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

use super::binding::{Bind, BindValue, bind_value};
use super::group;
use super::syntax::{expect_parens, once, single_ident};
use super::{Expansion, Function, Mods};
use crate::valid::Errors;

/// One output of `parameterize`.
pub(crate) struct Output {
    pub(crate) name: Ident,
    pub(crate) binds: Vec<Bind>,
    pub(crate) doc: Option<LitStr>,
}

// ---- parse ------------------------------------------------------------------------------------

impl Mods {
    /// Parses `parameterize(out_a(p = ..), out_b(p = ..))`.
    pub(super) fn parse_parameterize(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        expect_parens(
            meta,
            "parameterize(out_a(param = value(1)), out_b(param = value(2)))",
        )?;
        let span = meta.path.span();
        once(&self.parameterize, meta, "parameterize")?;
        let fork = meta.input.fork();
        let content;
        syn::parenthesized!(content in fork);
        if content.is_empty() {
            return Err(syn::Error::new(
                span,
                "`parameterize` needs at least one output: `parameterize(out_a(p = value(1)), out_b(p = value(2)))`",
            ));
        }
        let mut outputs: Vec<Output> = Vec::new();
        meta.parse_nested_meta(|out| {
            let name = single_ident(&out.path, "an output name")?;
            if outputs.iter().any(|o| o.name == name) {
                self.errors.push(syn::Error::new(
                    name.span(),
                    format_args!("duplicate output `{name}`; name each output once"),
                ));
            }
            let mut output = Output {
                name,
                binds: Vec::new(),
                doc: None,
            };
            if !out.input.is_empty() && !out.input.peek(Token![,]) {
                out.parse_nested_meta(|b| {
                    let param = single_ident(&b.path, "a parameter name")?;
                    let expr: Expr = b.value()?.parse()?;
                    if param == "doc"
                        && let Expr::Lit(ExprLit {
                            lit: Lit::Str(doc), ..
                        }) = &expr
                    {
                        output.doc = Some(doc.clone());
                        return Ok(());
                    }
                    match bind_value(&expr) {
                        Ok(value) => output.binds.push(Bind { param, value }),
                        Err(e) => self.errors.push(e),
                    }
                    Ok(())
                })?;
            }
            outputs.push(output);
            Ok(())
        })?;
        if outputs.is_empty() {
            return Err(syn::Error::new(
                span,
                "`parameterize` needs at least one output: `parameterize(out_a(p = value(1)), out_b(p = value(2)))`",
            ));
        }
        self.parameterize = Some((span, outputs));
        Ok(())
    }

    /// Parses `inject(p = ..)`.
    pub(super) fn parse_inject(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        expect_parens(meta, "inject(param = source(\"node\"))")?;
        meta.parse_nested_meta(|b| {
            let param = single_ident(&b.path, "a parameter name")?;
            match bind_value(&b.value()?.parse()?) {
                Ok(value) => self.inject.push(Bind { param, value }),
                Err(e) => self.errors.push(e),
            }
            Ok(())
        })
    }
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// The bindings of `inject` and of each output bind parameters of the function, once;
    /// `parameterize` names its outputs and owns `{output_name}`.
    pub(super) fn check_bindings(&self, function: &Function<'_>, errors: &mut Errors) {
        self.check_binds(&self.inject, false, function, errors);
        if let Some((span, outputs)) = &self.parameterize {
            for o in outputs {
                self.check_binds(&o.binds, true, function, errors);
            }
            if let Some(name) = function.name {
                errors.push(syn::Error::new(
                    name.span(),
                    "`parameterize` names its outputs; remove `name`",
                ));
            }
            if function.params.iter().any(|p| p == "output_name") {
                errors.push(syn::Error::new(
                    *span,
                    "`{output_name}` in a `parameterize` doc template stands for the output's name, so no parameter may be called `output_name`; rename it",
                ));
            }
        }
    }

    /// Each of `binds` names a parameter, bound once (`beside_inject`: counting `inject`'s); a
    /// `group` goes into a `Vec<T>`.
    fn check_binds(
        &self,
        binds: &[Bind],
        beside_inject: bool,
        function: &Function<'_>,
        errors: &mut Errors,
    ) {
        let fn_name = &function.fn_name;
        let mut seen: Vec<String> = Vec::new();
        for b in binds {
            let p = b.param.unraw().to_string();
            if !function.params.contains(&p) {
                errors.push(syn::Error::new(
                    b.param.span(),
                    format_args!(
                        "`{fn_name}` has no parameter `{p}` to bind; {}",
                        function.param_list()
                    ),
                ));
                continue;
            }
            if seen.contains(&p)
                || (beside_inject && self.inject.iter().any(|i| i.param.unraw() == p))
            {
                errors.push(syn::Error::new(
                    b.param.span(),
                    format_args!("parameter `{p}` is bound twice; bind it once"),
                ));
            }
            seen.push(p.clone());
            if let BindValue::Group(g, span) = &b.value
                && let Some(param) = function
                    .node
                    .params
                    .iter()
                    .find(|x| x.name().as_deref() == Some(&p))
                && let Some(message) =
                    group::mismatch(g, &p, &param.read.value, &param.read.value_name)
            {
                errors.push(syn::Error::new(*span, message));
            }
        }
    }
}

// ---- generate ---------------------------------------------------------------------------------

impl Mods {
    /// `Modifier::inject(p, binding)` per binding.
    pub(super) fn generate_inject(&self, out: &mut Expansion<'_>) {
        for b in &self.inject {
            let m = &out.modifier;
            let p = b.param.unraw().to_string();
            let binding = out.binding(b);
            out.items.push(quote!(#m::inject(#p, #binding)));
        }
    }

    /// `Modifier::parameterize([..])`, each output with its bindings and doc.
    pub(super) fn generate_parameterize(&self, out: &mut Expansion<'_>) {
        let Some((_, outputs)) = &self.parameterize else {
            return;
        };
        let private = out.private;
        let outputs: Vec<_> = outputs
            .iter()
            .map(|o| {
                let name = o.name.unraw().to_string();
                let binds = o.binds.iter().map(|b| {
                    let p = b.param.unraw().to_string();
                    let binding = out.binding(b);
                    quote!(.bind(#p, #binding))
                });
                let doc = o.doc.as_ref().map(|d| quote!(.doc(#d)));
                quote!(#private::Parameterization::new(#name) #(#binds)* #doc)
            })
            .collect();
        let m = &out.modifier;
        out.items.push(quote!(#m::parameterize([#(#outputs),*])));
    }
}
