//! Sub-dataflows: `subdag(modules = [..], inputs(p = source("x")), config(k = "v"),
//! namespace = "ns")` and `parameterized_subdag(modules = [..], a(..), b(..))`, modules re-used
//! as namespaced sub-dataflows feeding the function (Hamilton's `@subdag` and
//! `@parameterized_subdag`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr};

use super::binding::{Bind, BindValue, bind_value};
use super::config::config_key;
use super::syntax::single_ident;
use super::{Expansion, Mods};
use crate::valid::Errors;

/// The inputs and config of a sub-dataflow.
#[derive(Default)]
pub(crate) struct SubdagSpec {
    pub(crate) inputs: Vec<Bind>,
    pub(crate) config: Vec<(Ident, Expr)>,
    /// `key = configuration("outer")`: keys read from other keys of the driver's config.
    pub(crate) config_from: Vec<(Ident, LitStr)>,
    pub(crate) namespace: Option<LitStr>,
}

/// `subdag(..)` or `parameterized_subdag(..)`.
pub(crate) struct SubdagOpt {
    pub(crate) modules: Vec<Expr>,
    pub(crate) shared: SubdagSpec,
    /// For `parameterized_subdag`: each output and its own inputs and config.
    pub(crate) outputs: Vec<(Ident, SubdagSpec)>,
    pub(crate) parameterized: bool,
}

// ---- parse ------------------------------------------------------------------------------------

impl Mods {
    /// Parses `subdag(..)` or `parameterized_subdag(..)`.
    pub(super) fn parse_subdag(
        &mut self,
        key: &str,
        meta: &ParseNestedMeta<'_>,
    ) -> syn::Result<()> {
        let span = meta.path.span();
        if self.subdag.is_some() {
            return Err(syn::Error::new_spanned(
                &meta.path,
                "give one `subdag` or `parameterized_subdag`; for several sub-dataflows, use `parameterized_subdag(.., a(..), b(..))`",
            ));
        }
        let parameterized = key == "parameterized_subdag";
        let mut opt = SubdagOpt {
            modules: Vec::new(),
            shared: SubdagSpec::default(),
            outputs: Vec::new(),
            parameterized,
        };
        let mut errors = Vec::new();
        let parsed = meta.parse_nested_meta(|part| {
            if part.path.is_ident("modules") {
                let value: Expr = part.value()?.parse()?;
                let Expr::Array(array) = value else {
                    return Err(syn::Error::new_spanned(
                        value,
                        "`modules` is a list: `modules = [features::MODULE, nodes![a, b]]`",
                    ));
                };
                opt.modules = array.elems.into_iter().collect();
                return Ok(());
            }
            if opt.shared.parse_part(&part, &mut errors)? {
                return Ok(());
            }
            if !parameterized {
                errors.push(part.error(
                    "expected `modules = [..]`, `inputs(..)`, `config(..)` or `namespace = \"..\"` (outputs go in `parameterized_subdag`)",
                ));
                if part.input.peek(syn::token::Paren) {
                    let skipped;
                    syn::parenthesized!(skipped in part.input);
                    skipped.parse::<TokenStream>()?;
                }
                return Ok(());
            }
            let name = single_ident(&part.path, "an output name")?;
            let mut own = SubdagSpec::default();
            part.parse_nested_meta(|p| {
                if own.parse_part(&p, &mut errors)? {
                    Ok(())
                } else {
                    Err(p.error("expected `inputs(..)`, `config(..)` or `namespace = \"..\"`"))
                }
            })?;
            opt.outputs.push((name, own));
            Ok(())
        });
        self.errors.extend(errors);
        parsed?;
        if opt.modules.is_empty() {
            return Err(syn::Error::new(
                span,
                "give the modules of the sub-dataflow: `modules = [features::MODULE]`",
            ));
        }
        if parameterized && opt.outputs.is_empty() {
            return Err(syn::Error::new(
                span,
                "`parameterized_subdag` needs outputs: `parameterized_subdag(modules = [..], uk(config(region = \"UK\")), us(config(region = \"US\")))`",
            ));
        }
        self.subdag = Some((span, opt));
        Ok(())
    }
}

impl SubdagSpec {
    /// Parses `inputs(..)`, `config(..)` or `namespace = ".."`; `false` for another key.
    fn parse_part(
        &mut self,
        meta: &ParseNestedMeta<'_>,
        errors: &mut Vec<syn::Error>,
    ) -> syn::Result<bool> {
        if meta.path.is_ident("inputs") {
            meta.parse_nested_meta(|b| {
                let param = single_ident(&b.path, "an input name")?;
                match bind_value(&b.value()?.parse()?) {
                    Ok(BindValue::Group(_, span)) => errors.push(syn::Error::new(
                        span,
                        "`group` is not supported for sub-dataflow inputs; bind a `source` or a `value`",
                    )),
                    Ok(value) => self.inputs.push(Bind { param, value }),
                    Err(e) => errors.push(e),
                }
                Ok(())
            })?;
            Ok(true)
        } else if meta.path.is_ident("config") {
            meta.parse_nested_meta(|kv| {
                let key = config_key(&kv)?;
                let value: Expr = kv.value()?.parse()?;
                match configuration(&value) {
                    Some(Ok(outer)) => self.config_from.push((key, outer)),
                    Some(Err(e)) => errors.push(e),
                    None => self.config.push((key, value)),
                }
                Ok(())
            })?;
            Ok(true)
        } else if meta.path.is_ident("namespace") {
            let ns: LitStr = meta.value()?.parse()?;
            match crate::attr::check_node_name(&ns) {
                Ok(()) => self.namespace = Some(ns),
                Err(e) => errors.push(e),
            }
            Ok(true)
        } else {
            Ok(false)
        }
    }
}

/// `configuration("outer")` (Hamilton's): the value of another key of the driver's config;
/// `None` for any other value.
fn configuration(value: &Expr) -> Option<syn::Result<LitStr>> {
    let Expr::Call(call) = value else {
        return None;
    };
    if super::syntax::path_ident(&call.func).is_none_or(|f| f != "configuration") {
        return None;
    }
    Some(match call.args.first() {
        Some(Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(outer),
            ..
        })) if call.args.len() == 1 => Ok(outer.clone()),
        _ => Err(syn::Error::new_spanned(
            call,
            "`configuration` takes the driver's config key as a string: `configuration(\"market\")`",
        )),
    })
}

/// The number an unsuffixed literal (`10`, `-2.5`) is, as a `Number` expression, for inputs
/// typed by their readers when the graph is built.
fn untyped_number(expr: &Expr, private: &TokenStream) -> Option<TokenStream> {
    let (negative, lit) = match expr {
        Expr::Lit(l) => (false, &l.lit),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => match &**expr {
            Expr::Lit(l) => (true, &l.lit),
            _ => return None,
        },
        _ => return None,
    };
    let sign = negative.then(|| quote!(-));
    match lit {
        syn::Lit::Int(i) if i.suffix().is_empty() => {
            let digits = syn::LitInt::new(&format!("{}_i128", i.base10_digits()), i.span());
            Some(quote_spanned!(expr.span()=> #private::Number::Int(#sign #digits)))
        }
        syn::Lit::Float(f) if f.suffix().is_empty() => {
            let digits = syn::LitFloat::new(&format!("{}_f64", f.base10_digits()), f.span());
            Some(quote_spanned!(expr.span()=> #private::Number::Float(#sign #digits)))
        }
        _ => None,
    }
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// A function fed by sub-dataflows is not also parameterized.
    pub(super) fn check_subdag(&self, errors: &mut Errors) {
        if let Some((span, _)) = &self.subdag
            && self.parameterize.is_some()
        {
            errors.push(syn::Error::new(
                *span,
                "a function fed by sub-dataflows cannot also be parameterized; use `parameterized_subdag` to get several outputs",
            ));
        }
    }
}

// ---- generate ---------------------------------------------------------------------------------

impl Mods {
    /// One `Modifier::subdag(..)`, or one per output of `parameterized_subdag`.
    pub(super) fn generate_subdag(&self, out: &mut Expansion<'_>) {
        if let Some((_, sd)) = &self.subdag {
            out.items.extend(subdag_tokens(sd, out.private));
        }
    }
}

/// The `Modifier::subdag` expressions of a `subdag` / `parameterized_subdag` option.
fn subdag_tokens(sd: &SubdagOpt, private: &TokenStream) -> Vec<TokenStream> {
    let modules = &sd.modules;
    let build = |own: Option<(&Ident, &SubdagSpec)>| {
        let mut inputs: Vec<&Bind> = Vec::new();
        if let Some((_, own)) = own {
            inputs.extend(&own.inputs);
        }
        for b in &sd.shared.inputs {
            if !inputs.iter().any(|i| i.param == b.param) {
                inputs.push(b);
            }
        }
        let inputs = inputs.iter().map(|b| {
            let p = b.param.unraw().to_string();
            let binding = match &b.value {
                BindValue::Source(s) => quote!(#private::Binding::source(#s)),
                BindValue::Value(e) => match untyped_number(e, private) {
                    Some(number) => return quote!(.input_number(#p, #number)),
                    None => quote_spanned!(e.span()=> #private::Binding::value(#e)),
                },
                BindValue::Group(..) => quote!(::core::unreachable!()),
            };
            quote!(.input(#p, #binding))
        });
        // An output's own key replaces a shared one, whichever way each is given.
        let own_keys: Vec<String> = own
            .iter()
            .flat_map(|(_, o)| {
                o.config
                    .iter()
                    .map(|(k, _)| k)
                    .chain(o.config_from.iter().map(|(k, _)| k))
            })
            .map(|k| k.unraw().to_string())
            .collect();
        let shared = |k: &Ident| !own_keys.contains(&k.unraw().to_string());
        let configs = sd
            .shared
            .config
            .iter()
            .filter(|(k, _)| shared(k))
            .chain(own.iter().flat_map(|(_, o)| o.config.iter()))
            .map(|(k, v)| {
                let k = k.unraw().to_string();
                quote_spanned!(v.span()=> .set(#k, #v))
            });
        let config_from = sd
            .shared
            .config_from
            .iter()
            .filter(|(k, _)| shared(k))
            .chain(own.iter().flat_map(|(_, o)| o.config_from.iter()))
            .map(|(k, outer)| {
                let k = k.unraw().to_string();
                quote!(.config_from(#k, #outer))
            });
        let namespace = own
            .and_then(|(_, o)| o.namespace.as_ref())
            .or(sd.shared.namespace.as_ref())
            .map(|ns| quote!(.namespace(#ns)));
        let output = own.map(|(name, _)| {
            let name = name.unraw().to_string();
            quote!(.output(#name))
        });
        quote! {
            #private::Modifier::subdag(
                #private::Subdag::new([#(#modules),*])
                    #(#inputs)*
                    .config(#private::Config::new() #(#configs)*)
                    #(#config_from)*
                    #namespace
                    #output
            )
        }
    };
    if sd.parameterized {
        sd.outputs
            .iter()
            .map(|(n, o)| build(Some((n, o))))
            .collect()
    } else {
        vec![build(None)]
    }
}
