//! Data checks: `check(validator, custom = path, importance = "fail")`, validators run on the
//! node's value (Hamilton's `@check_output` and `@check_output_custom`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Path};

use super::syntax::{parenthesized_list, path_ident};
use super::{Expansion, Mods};
use crate::valid::Errors;

/// One `check(...)` option.
#[derive(Default)]
pub(crate) struct CheckOpt {
    pub(crate) validators: Vec<Expr>,
    pub(crate) customs: Vec<Path>,
    pub(crate) importance: Option<LitStr>,
}

// ---- parse ------------------------------------------------------------------------------------

impl Mods {
    /// Parses `check(validator, .., custom = path, importance = "..")`.
    pub(super) fn parse_check(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let span = meta.path.span();
        let exprs = parenthesized_list(meta, "check(validator, importance = \"fail\")")?;
        let mut opt = CheckOpt::default();
        for expr in exprs {
            if let Expr::Assign(assign) = &expr
                && let Some(key) = path_ident(&assign.left)
            {
                if key == "importance" {
                    match &*assign.right {
                        Expr::Lit(ExprLit {
                            lit: Lit::Str(s), ..
                        }) if matches!(s.value().as_str(), "warn" | "fail") => {
                            opt.importance = Some(s.clone());
                        }
                        other => {
                            return Err(syn::Error::new_spanned(
                                other,
                                "`importance` is \"warn\" (log and record failures) or \"fail\" (stop the run)",
                            ));
                        }
                    }
                    continue;
                }
                if key == "custom" {
                    let Expr::Path(path) = &*assign.right else {
                        return Err(syn::Error::new_spanned(
                            &assign.right,
                            "`custom` names a function `fn(&T) -> Result<(), String>`: `custom = path::to::check`",
                        ));
                    };
                    opt.customs.push(path.path.clone());
                    continue;
                }
            }
            opt.validators.push(expr);
        }
        if opt.validators.is_empty() && opt.customs.is_empty() {
            return Err(syn::Error::new(
                span,
                "`check` needs a validator: `check(my_crate::positive(), custom = path::to::fn, importance = \"fail\")`",
            ));
        }
        self.checks.push((span, opt));
        Ok(())
    }
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// Every check of a node has one importance.
    pub(super) fn check_importances(&self, errors: &mut Errors) {
        let importances: Vec<&LitStr> = self
            .checks
            .iter()
            .filter_map(|(_, c)| c.importance.as_ref())
            .collect();
        if let Some(first) = importances.first()
            && let Some(other) = importances.iter().find(|i| i.value() != first.value())
        {
            errors.push(syn::Error::new(
                other.span(),
                "every check of a node has one importance; give `importance` once, or the same in each `check`",
            ));
        }
    }
}

// ---- generate ---------------------------------------------------------------------------------

impl Mods {
    /// One `Modifier::check::<T>(validators, importance)` for every `check` option.
    pub(super) fn generate_check(&self, out: &mut Expansion<'_>) {
        if self.checks.is_empty() {
            return;
        }
        let private = out.private;
        // After `pipe_output` the checked value's type is the last step's: inferred from the
        // validators then, and compared when the graph is built.
        let ty: TokenStream = if self.pipe_output.is_some() {
            quote!(_)
        } else {
            out.out_ty.clone()
        };
        let mut validators: Vec<TokenStream> = Vec::new();
        let mut importance = quote!(Warn);
        for (_, c) in &self.checks {
            for v in &c.validators {
                validators.push(quote_spanned!(v.span()=> {
                    let validator: ::std::sync::Arc<dyn #private::Validator<#ty>> = #v;
                    validator
                }));
            }
            for path in &c.customs {
                let name = path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                validators
                    .push(quote_spanned!(path.span()=> #private::check_fn::<#ty>(#name, #path)));
            }
            if let Some(i) = &c.importance {
                importance = if i.value() == "fail" {
                    quote!(Fail)
                } else {
                    quote!(Warn)
                };
            }
        }
        let m = &out.modifier;
        out.items.push(quote!(#m::check::<#ty>(::std::vec![#(#validators),*], #private::Importance::#importance)));
    }
}
