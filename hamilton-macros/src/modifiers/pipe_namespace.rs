//! `pipe_input(.., namespace = "ns")`: the steps are named `ns.with_f` instead of `x.with_f`
//! (Hamilton's `@pipe_input(.., namespace="ns")`).

use syn::{Expr, ExprAssign, ExprLit, Lit, LitStr};

use super::syntax::path_ident;

/// The namespace `namespace = "ns"` gives, or `None` for another expression.
pub(super) fn pipe_namespace(expr: &Expr) -> Option<syn::Result<LitStr>> {
    let Expr::Assign(ExprAssign { left, right, .. }) = expr else {
        return None;
    };
    if path_ident(left).is_none_or(|i| i != "namespace") {
        return None;
    }
    Some(match &**right {
        Expr::Lit(ExprLit {
            lit: Lit::Str(ns), ..
        }) => crate::attr::check_node_name(ns).map(|()| ns.clone()),
        other => Err(syn::Error::new_spanned(
            other,
            "`namespace` is a string: `namespace = \"clean\"` names the steps `clean.with_f`",
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(expr: Expr) -> Option<Result<String, String>> {
        pipe_namespace(&expr).map(|r| r.map(|ns| ns.value()).map_err(|e| e.to_string()))
    }

    #[test]
    fn reads_a_string_namespace_and_ignores_other_options() {
        assert_eq!(
            parse(syn::parse_quote!(namespace = "prep.a")),
            Some(Ok("prep.a".into()))
        );
        assert_eq!(parse(syn::parse_quote!(on_input = x)), None);
        assert_eq!(parse(syn::parse_quote!(step(f))), None);
    }

    #[test]
    fn rejects_a_namespace_that_is_not_a_node_name() {
        assert_eq!(
            parse(syn::parse_quote!(namespace = prep)),
            Some(Err(
                "`namespace` is a string: `namespace = \"clean\"` names the steps `clean.with_f`"
                    .into()
            ))
        );
        assert!(matches!(
            parse(syn::parse_quote!(namespace = "a b")),
            Some(Err(e)) if e.starts_with("invalid node name")
        ));
    }
}
