//! Config selection: `when(k = v)`, `when_not(k = v)`, `when_in(k = [..])`,
//! `when_not_in(k = [..])`, `when_fn(path)`, `default` and `exclude` (Hamilton's
//! `@config.when*` and `@hamilton_exclude`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, Path, UnOp};

use super::syntax::{expect_parens, flag, parenthesized, single_ident};
use super::{Expansion, Function, Mods};
use crate::ast::type_name;
use crate::valid::Errors;

/// A config test.
pub(crate) enum Cond {
    /// `when(k = v)` (`Eq`) or `when_not(k = v)` (`Ne`).
    Is { key: Ident, value: Expr, not: bool },
    /// `when_in(k = [..])` or `when_not_in(k = [..])`.
    In {
        key: Ident,
        values: Vec<Expr>,
        not: bool,
    },
    /// `when_fn(path)`.
    Fn(Path),
}

// ---- parse ------------------------------------------------------------------------------------

impl Mods {
    /// Parses `when`, `when_not`, `when_in`, `when_not_in`, `when_fn`, `default` or `exclude`.
    pub(super) fn parse_config(
        &mut self,
        key: &str,
        meta: &ParseNestedMeta<'_>,
    ) -> syn::Result<()> {
        let span = meta.path.span();
        match key {
            "when" | "when_not" => {
                expect_parens(meta, &format!("{key}(region = \"UK\")"))?;
                self.when_spans.push(span);
                let not = key == "when_not";
                meta.parse_nested_meta(|kv| {
                    let key = config_key(&kv)?;
                    let value: Expr = kv.value()?.parse()?;
                    match check_config_literal(&value) {
                        Ok(()) => self.conds.push(Cond::Is { key, value, not }),
                        Err(e) => self.errors.push(e),
                    }
                    Ok(())
                })
            }
            "when_in" | "when_not_in" => {
                expect_parens(meta, &format!("{key}(region = [\"UK\", \"IE\"])"))?;
                self.when_spans.push(span);
                let not = key == "when_not_in";
                meta.parse_nested_meta(|kv| {
                    let key = config_key(&kv)?;
                    match config_list(&kv.value()?.parse()?) {
                        Ok(values) => self.conds.push(Cond::In { key, values, not }),
                        Err(e) => self.errors.push(e),
                    }
                    Ok(())
                })
            }
            "when_fn" => {
                self.when_spans.push(span);
                let path = parenthesized::<Path>(meta, "when_fn(path::to::predicate)")?;
                self.conds.push(Cond::Fn(path));
                Ok(())
            }
            "default" => flag(&mut self.default, meta, "default"),
            "exclude" => flag(&mut self.exclude, meta, "exclude"),
            _ => unreachable!("`{key}` is not a config option"),
        }
    }
}

/// The key of a `when` pair.
pub(super) fn config_key(kv: &ParseNestedMeta<'_>) -> syn::Result<Ident> {
    single_ident(&kv.path, "a config key: `when(region = \"UK\")`")
}

/// Checks that a `when` value is a literal: a string, number (maybe negative) or bool.
pub(super) fn check_config_literal(expr: &Expr) -> syn::Result<()> {
    let ok = match expr {
        Expr::Lit(ExprLit { lit, .. }) => {
            matches!(
                lit,
                Lit::Str(_) | Lit::Int(_) | Lit::Float(_) | Lit::Bool(_)
            )
        }
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => matches!(
            &*u.expr,
            Expr::Lit(ExprLit {
                lit: Lit::Int(_) | Lit::Float(_),
                ..
            })
        ),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            expr,
            "a config value in `when` is a literal: a string, a number or a bool (`when(region = \"UK\", window = 3)`)",
        ))
    }
}

/// The literals of `[a, b]` in `when_in(k = [a, b])`.
pub(super) fn config_list(expr: &Expr) -> syn::Result<Vec<Expr>> {
    let Expr::Array(array) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            "`when_in` / `when_not_in` take a list of literals: `when_in(region = [\"UK\", \"IE\"])`",
        ));
    };
    if array.elems.is_empty() {
        return Err(syn::Error::new_spanned(
            expr,
            "the list is empty; give at least one value",
        ));
    }
    for e in &array.elems {
        check_config_literal(e)?;
    }
    Ok(array.elems.iter().cloned().collect())
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// Whether the function is a `when` variant (or the default one).
    pub(crate) fn is_variant(&self) -> bool {
        !self.conds.is_empty() || self.default.is_some()
    }

    /// The node name of a `when` variant: the function's name up to its last `__`
    /// (`spend__uk` → `spend`).
    pub(crate) fn variant_name(fn_name: &str) -> Option<&str> {
        fn_name.rfind("__").map(|at| &fn_name[..at])
    }

    /// `default` takes no condition; a variant's function name must give a node name.
    pub(super) fn check_variants(&self, function: &Function<'_>, errors: &mut Errors) {
        if let Some(span) = self.default
            && !self.conds.is_empty()
        {
            errors.push(syn::Error::new(
                span,
                "`default` is the variant used when no other variant matches, so it takes no `when` condition; remove the conditions or `default`",
            ));
        }
        if self.is_variant() && function.name.is_none() {
            let fn_name = &function.fn_name;
            let stripped = Self::variant_name(fn_name);
            if fn_name.ends_with("__") || stripped == Some("") {
                errors.push(syn::Error::new(
                    function.node.func.sig.ident.span(),
                    format_args!(
                        "`{fn_name}` cannot name a `when` variant: the node name is the function name up to its last `__` (`spend__uk` → `spend`); put a name before and a suffix after `__`, or give `name = \"..\"`"
                    ),
                ));
            }
        }
    }
}

// ---- generate ---------------------------------------------------------------------------------

impl Mods {
    /// `Modifier::condition(..)` per condition, then `default_variant()` and `exclude()`.
    pub(super) fn generate_config(&self, out: &mut Expansion<'_>) {
        let m = &out.modifier;
        for cond in &self.conds {
            let c = condition(cond, out.private);
            out.items.push(quote!(#m::condition(#c)));
        }
        if self.default.is_some() {
            out.items.push(quote!(#m::default_variant()));
        }
        if self.exclude.is_some() {
            out.items.push(quote!(#m::exclude()));
        }
    }
}

/// The `Condition` expression of `cond`.
pub(super) fn condition(cond: &Cond, private: &TokenStream) -> TokenStream {
    let c = quote!(#private::Condition);
    let v = quote!(#private::ConfigValue);
    match cond {
        Cond::Is { key, value, not } => {
            let key = key.unraw().to_string();
            if *not {
                quote!(#c::ne(#key, #value))
            } else {
                quote!(#c::eq(#key, #value))
            }
        }
        Cond::In { key, values, not } => {
            let key = key.unraw().to_string();
            let values = values.iter().map(|x| quote!(#v::from(#x)));
            if *not {
                quote!(#c::not_in(#key, [#(#values),*]))
            } else {
                quote!(#c::is_in(#key, [#(#values),*]))
            }
        }
        Cond::Fn(path) => {
            let text = type_name(path);
            quote_spanned!(path.span()=> #c::custom(#text, #path))
        }
    }
}
