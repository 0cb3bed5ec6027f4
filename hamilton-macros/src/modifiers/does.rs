//! `does(f)` / `does(f, slice)`: the function's (empty) body becomes a call to `f` with its
//! parameters (Hamilton's `@does`).

use proc_macro2::Span;
use quote::quote_spanned;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Ident, Path, Token};

use super::syntax::{once, parenthesized};
use super::{Function, Mods};
use crate::valid::Errors;

// ---- parse ------------------------------------------------------------------------------------

/// The arguments of `does(f)` / `does(f, slice)`.
struct DoesArgs {
    path: Path,
    slice: bool,
}

impl Parse for DoesArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: Path = input.parse()?;
        let mut slice = false;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let mode: Ident = input.parse()?;
            if mode != "slice" {
                return Err(syn::Error::new(
                    mode.span(),
                    "expected `slice`: `does(f, slice)` calls `f(&[a, b, ..])` with every parameter",
                ));
            }
            slice = true;
            input.parse::<Option<Token![,]>>()?;
        }
        Ok(Self { path, slice })
    }
}

impl Mods {
    /// Parses `does(f)` or `does(f, slice)`.
    pub(super) fn parse_does(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let span: Span = meta.path.span();
        self.does_written = true;
        let does = parenthesized::<DoesArgs>(meta, "does(function)")?;
        once(&self.does, meta, "does")?;
        self.does = Some((does.path, does.slice, span));
        Ok(())
    }
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// `slice` needs parameters; the generated body cannot await nor gather a `Collect`.
    pub(super) fn check_does(&self, function: &Function<'_>, errors: &mut Errors) {
        let node = function.node;
        if let Some((_, true, span)) = &self.does
            && function.params.is_empty()
        {
            errors.push(syn::Error::new(
                *span,
                "`does(f, slice)` passes the parameters as one slice, but the function takes none",
            ));
        }

        if let Some((_, _, span)) = &self.does {
            if node.func.sig.asyncness.is_some() {
                errors.push(syn::Error::new(
                    *span,
                    "`does` cannot be used on an `async fn`: the body it generates calls the reused function without awaiting it; make this a plain `fn` (the reused function may be async)",
                ));
            }
            if let Some(param) = node.params.iter().find(|p| p.collect) {
                errors.push(syn::Error::new(
                    *span,
                    format_args!(
                        "`does` cannot be used on a function with a `Collect<T>` parameter (`{}`): the reused function's parameters replace this one's, which would stop gathering; call the function in the body instead",
                        param.name().unwrap_or_default()
                    ),
                ));
            }
        }
    }
}

// ---- generate ---------------------------------------------------------------------------------

/// The body a `does(f)` function gets: `f(a, b, ..)`, or `f(&[a, b, ..])` with `slice`.
pub(crate) fn does_body(func: &syn::ItemFn, path: &Path, slice: bool) -> syn::Block {
    let args = func.sig.inputs.iter().filter_map(|arg| match arg {
        syn::FnArg::Typed(t) => match &*t.pat {
            syn::Pat::Ident(i) => Some(i.ident.clone()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    });
    let call = if slice {
        quote_spanned!(path.span()=> #path(&[#(#args),*]))
    } else {
        quote_spanned!(path.span()=> #path(#(#args),*))
    };
    syn::parse_quote!({ #call })
}
