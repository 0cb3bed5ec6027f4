//! Parsing shared by the modifier options: their shapes (a flag, a parenthesized value or
//! list, given once) and the identifiers they hold.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::Parse;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Path, Token};

/// Errors unless `(` follows the option; `example` is the option written out.
pub(super) fn expect_parens(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<()> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format_args!("expected `{example}`")));
    }
    Ok(())
}

/// Whether the option is written alone (`extract_fields`, `default`).
pub(super) fn bare(meta: &ParseNestedMeta<'_>) -> bool {
    meta.input.is_empty() || meta.input.peek(Token![,])
}

/// A flag option (`default`, `exclude`).
pub(super) fn flag(
    slot: &mut Option<Span>,
    meta: &ParseNestedMeta<'_>,
    option: &str,
) -> syn::Result<()> {
    if !bare(meta) {
        return Err(meta.error(format_args!(
            "`{option}` takes no value: write `{option}` alone"
        )));
    }
    once(slot, meta, option)?;
    *slot = Some(meta.path.span());
    Ok(())
}

/// Errors when the option was given before.
pub(super) fn once<T>(
    slot: &Option<T>,
    meta: &ParseNestedMeta<'_>,
    option: &str,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            &meta.path,
            format_args!("duplicate `{option}` option; give it once"),
        ));
    }
    Ok(())
}

/// `(T)` after the option.
pub(super) fn parenthesized<T: Parse>(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<T> {
    expect_parens(meta, example)?;
    let content;
    syn::parenthesized!(content in meta.input);
    let value = content.parse()?;
    if !content.is_empty() {
        return Err(content.error(format_args!("unexpected tokens; expected `{example}`")));
    }
    Ok(value)
}

/// `(expr, expr, ...)` after the option.
pub(super) fn parenthesized_list(
    meta: &ParseNestedMeta<'_>,
    example: &str,
) -> syn::Result<Vec<Expr>> {
    expect_parens(meta, example)?;
    let content;
    syn::parenthesized!(content in meta.input);
    Ok(Punctuated::<Expr, Token![,]>::parse_terminated(&content)?
        .into_iter()
        .collect())
}

/// A single-identifier path.
pub(super) fn single_ident(path: &Path, what: &str) -> syn::Result<Ident> {
    path.get_ident()
        .cloned()
        .ok_or_else(|| syn::Error::new_spanned(path, format_args!("expected {what}")))
}

/// The identifier an expression is, if it is a single identifier.
pub(super) fn path_ident(expr: &Expr) -> Option<Ident> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
        _ => None,
    }
}
