//! Spans for generated code: where the compiler reports an error in it.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote_spanned};

/// `private::function::<ty>`, spanned from the first token of `written` to its last: the
/// compiler reports an unmet bound on the function's type parameter over the whole path, which
/// then covers `written` exactly (a single span cannot, without `Span::join`).
pub(crate) fn spanned_call(
    private: &dyn ToTokens,
    function: &str,
    ty: &impl ToTokens,
    written: &syn::Type,
) -> TokenStream {
    let mut tokens = written.to_token_stream().into_iter();
    let first = tokens.next().map_or_else(Span::call_site, |t| t.span());
    let last = tokens.last().map_or(first, |t| t.span());
    let private = respan(private.to_token_stream(), first);
    let function = Ident::new(function, first);
    let mut close = proc_macro2::Punct::new('>', proc_macro2::Spacing::Alone);
    close.set_span(last);
    quote_spanned!(first=> #private::#function::<#ty #close)
}

/// `tokens` with every span set to `span`.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = inner.into();
            }
            token.set_span(span);
            token
        })
        .collect()
}
