//! Tag values with several strings, `tag(team = ["ml", "growth"])` and
//! `tag_outputs(out(team = ["ml", "growth"]))` (Hamilton's `@tag(team=["ml", "growth"])`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{LitStr, Token};

/// A tag's value as written: one string or a list of them.
pub(crate) enum TagLit {
    One(LitStr),
    Many(Vec<LitStr>),
}

impl TagLit {
    /// The `Modifier` tagging `output` with this value under `key`.
    pub(super) fn tag_output(
        &self,
        modifier: &TokenStream,
        output: &str,
        key: &str,
    ) -> TokenStream {
        match self {
            TagLit::One(v) => quote!(#modifier::tag_output(#output, #key, #v)),
            TagLit::Many(vs) => quote!(#modifier::tag_output_list(#output, #key, [#(#vs),*])),
        }
    }
}

/// `["a", "b"]`, the values of tag `key`: string literals, at least one, each once.
pub(crate) fn tag_list(input: ParseStream<'_>, key: &str) -> syn::Result<Vec<LitStr>> {
    let content;
    let brackets = syn::bracketed!(content in input);
    let values = Punctuated::<LitStr, Token![,]>::parse_terminated(&content).map_err(|error| {
        syn::Error::new(
            error.span(),
            format_args!(
                "the values of tag `{key}` must be string literals: `{key} = [\"a\", \"b\"]`"
            ),
        )
    })?;
    let values: Vec<LitStr> = values.into_iter().collect();
    if values.is_empty() {
        return Err(syn::Error::new(
            brackets.span.join(),
            format_args!(
                "tag `{key}` has no value; give one (`{key} = \"a\"`) or several (`{key} = [\"a\", \"b\"]`)"
            ),
        ));
    }
    for (i, v) in values.iter().enumerate() {
        if values[..i].iter().any(|seen| seen.value() == v.value()) {
            return Err(syn::Error::new(
                v.span(),
                format_args!(
                    "`{}` is listed twice in tag `{key}`; list each value once",
                    v.value()
                ),
            ));
        }
    }
    Ok(values)
}
