//! Doc-comment extraction, after clap_derive's `utils/doc_comments.rs`.

use syn::{AttrStyle, Attribute, Expr, ExprLit, Lit, Meta};

/// Whether `attr` is a `#[doc ...]` attribute of any form.
pub(crate) fn is_doc(attr: &Attribute) -> bool {
    attr.path().is_ident("doc")
}

/// The documentation written on an item: its outer `#[doc = "..."]` attributes (what `///`
/// comments become) joined by `\n`, with one leading space removed from each line and blank
/// lines removed at the start and end.
///
/// Doc attributes whose value is not a string literal (`#[doc = include_str!("x.md")]`) are
/// skipped: their text is not known to the macro.
pub(crate) fn extract(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| is_doc(attr) && matches!(attr.style, AttrStyle::Outer))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|text| {
            // A `/** ... */` block comment arrives as one attribute spanning several lines.
            text.split('\n')
                .map(|line| line.strip_suffix('\r').unwrap_or(line))
                .map(|line| line.strip_prefix(' ').unwrap_or(line).to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let is_blank = |line: &&String| line.trim().is_empty();
    let start = lines
        .iter()
        .position(|l| !is_blank(&l))
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !is_blank(&l))
        .map_or(start, |i| i + 1);
    lines[start..end].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn doc_of(item: syn::ItemFn) -> String {
        extract(&item.attrs)
    }

    #[test]
    fn joins_lines_and_strips_one_leading_space() {
        let f: syn::ItemFn = parse_quote! {
            /// Three-week rolling average.
            ///
            ///   Indented line.
            fn avg() -> f64 { 0.0 }
        };
        assert_eq!(doc_of(f), "Three-week rolling average.\n\n  Indented line.");
    }

    #[test]
    fn trims_blank_lines_at_both_ends() {
        let f: syn::ItemFn = parse_quote! {
            ///
            /// Body.
            ///
            fn f() -> f64 { 0.0 }
        };
        assert_eq!(doc_of(f), "Body.");
    }

    #[test]
    fn skips_non_literal_docs_and_other_attributes() {
        let f: syn::ItemFn = parse_quote! {
            /// Kept.
            #[doc = include_str!("x.md")]
            #[inline]
            fn f() -> f64 { 0.0 }
        };
        assert_eq!(doc_of(f), "Kept.");
    }

    #[test]
    fn splits_block_comments() {
        let f: syn::ItemFn = parse_quote! {
            #[doc = " First.\n Second.\n"]
            fn f() -> f64 { 0.0 }
        };
        assert_eq!(doc_of(f), "First.\nSecond.");
    }

    #[test]
    fn no_docs_is_empty() {
        let f: syn::ItemFn = parse_quote! { fn f() -> f64 { 0.0 } };
        assert_eq!(doc_of(f), "");
    }
}
