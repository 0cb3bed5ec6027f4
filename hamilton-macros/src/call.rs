//! How a node is called: the markers of the generic `__private::FnCall` (one per parameter, and
//! one for the return value), and the call shims written for what it does not take (an
//! `async fn`, or more than [`MAX_GENERIC_PARAMS`] parameters).

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{Borrowed, Kind, Node, Output, Param};
use crate::expand::output_value_type;
use crate::spans::{respan, spanned_call};

/// The most parameters the generic call (`__private::FnCall`) takes; a longer function gets a
/// call shim of its own.
pub(crate) const MAX_GENERIC_PARAMS: usize = 12;
/// The marker value of how parameter `param` is read (`__private::Ref::<T>::NEW`, ...). A
/// by-value parameter's marker is built by `owned::<T>()`, spanned on the parameter's type: a
/// `T` that is not `Clone` is reported there.
fn read_marker(param: &Param, private: &dyn ToTokens) -> TokenStream {
    let value = &param.read.value;
    let (marker, _) = marker_names(param);
    match param.read.kind {
        Kind::Owned => quote_spanned!(param.ty.span()=> #private::owned::<#value>()),
        Kind::OptionalOwned => quote_spanned!(param.ty.span()=> #private::opt_owned::<#value>()),
        _ => {
            let marker = Ident::new(marker, Span::call_site());
            quote!(#private::#marker::<#value>::NEW)
        }
    }
}

/// How a parameter is read: its marker type's name, and the name of the constructor that checks
/// the parameter's type (`#[node_module]`'s registration calls it).
pub(crate) fn marker_names(param: &Param) -> (&'static str, &'static str) {
    match (param.read.kind, param.read.borrowed) {
        (Kind::Owned, _) => ("Owned", "by_value"),
        (Kind::OptionalOwned, _) => ("OptOwned", "opt_value"),
        (Kind::Ref, Borrowed::Plain) => ("Ref", "by_ref"),
        (Kind::OptionalRef, Borrowed::Plain) => ("OptRef", "opt_ref"),
        (Kind::Ref, _) => ("Deref", "by_deref"),
        (Kind::OptionalRef, _) => ("OptDeref", "opt_deref"),
    }
}

/// The marker value of how the return value is wrapped, spanned on the return type: an output
/// that cannot be a node value, or a `..Result` that is not a `Result` of an error, is reported
/// there.
fn output_marker(output: &Output, private: &dyn ToTokens) -> TokenStream {
    let ty = &output.ty;
    let function = if output.fallible {
        "returns_result"
    } else {
        "returns"
    };
    let marker = spanned_call(private, function, ty, ty);
    quote_spanned!(ty.span()=> #marker())
}

/// The generic call: `&FnCall::new(function, (markers..,), output marker)`. Every bound a user's
/// type may fail is on a marker, spanned where the type is written; the call itself then holds.
pub(crate) fn generic_call(node: &Node, output: &Output, private: &dyn ToTokens) -> TokenStream {
    let ident = &node.func.sig.ident;
    let markers = node.params.iter().map(|param| read_marker(param, private));
    let out = output_marker(output, private);
    quote!(&#private::fn_call((#(#markers,)*), #out, #ident))
}

/// The call shim of a sync node: reads the arguments, calls the function, wraps its value.
pub(crate) fn sync_shim(
    node: &Node,
    output: &Output,
    call: &Ident,
    private: &TokenStream,
) -> TokenStream {
    let ident = &node.func.sig.ident;
    // Hygienic: a user function or parameter named `args` does not collide with it.
    let args = Ident::new("args", Span::mixed_site());
    let reads = node.params.iter().enumerate().map(|(index, param)| {
        let marker = read_marker(param, private);
        let index = Literal::usize_unsuffixed(index);
        quote!(#private::Read::read(&#marker, #args, #index)?)
    });
    let value = Ident::new("value", Span::mixed_site());
    let out = output_marker(output, private);
    let wrap = quote!(#private::Output::wrap(&#out, #value));
    quote! {
        #[doc(hidden)]
        #[allow(deprecated, non_snake_case)]
        fn #call(
            #args: &#private::Args<'_>,
        ) -> ::core::result::Result<#private::Value, #private::NodeError> {
            let #value = #ident(#(#reads),*);
            #wrap
        }
    }
}

/// The shims of an `async fn` node: a sync call reporting that the node needs
/// `execute_async`, and the async call, whose future owns the arguments and lends the borrowed
/// parameters from them.
///
/// By-value parameters are taken first (`take` needs `&mut`), then the borrowed ones are read;
/// the function gets them in declaration order. The future is boxed by `node_future`, spanned on
/// the function's name: a future that is not `Send` is reported there, with the compiler's note
/// on the value held across an `.await`.
pub(crate) fn async_shims(
    node: &Node,
    output: &Output,
    name: &str,
    call: &Ident,
    call_async: &Ident,
    private: &TokenStream,
) -> TokenStream {
    let ident = &node.func.sig.ident;
    let span = ident.span();
    let args = Ident::new("args", Span::mixed_site());
    let vars: Vec<Ident> = (0..node.params.len())
        .map(|i| Ident::new(&format!("arg{i}"), Span::mixed_site()))
        .collect();
    let (owned, borrowed): (Vec<_>, Vec<_>) = node
        .params
        .iter()
        .enumerate()
        .partition(|(_, param)| param.read.kind.is_owned());
    let reads = owned.iter().chain(&borrowed).map(|(index, param)| {
        let var = &vars[*index];
        let read = read(param, *index, &args);
        quote!(let #var = #read;)
    });
    let mutability = (!owned.is_empty()).then(|| quote!(mut));
    let value = Ident::new("value", Span::mixed_site());
    let wrap = wrap(output, private, &value);
    let awaited = quote_spanned!(span=> #ident(#(#vars),*).await);
    let boxed = respan(quote!(#private::node_future), span);
    let future = quote_spanned!(span=> #boxed(async move {
        #(#reads)*
        let #value = #awaited;
        #wrap
    }));
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #call(
            _: &#private::Args<'_>,
        ) -> ::core::result::Result<#private::Value, #private::NodeError> {
            #private::needs_async(#name)
        }

        #[doc(hidden)]
        #[allow(deprecated, non_snake_case)]
        fn #call_async(#mutability #args: #private::AsyncArgs) -> #private::NodeFuture {
            #future
        }
    }
}

/// The expression reading parameter `index` from `args` as the function takes it.
fn read(param: &Param, index: usize, args: &Ident) -> TokenStream {
    let value = &param.read.value;
    let index = Literal::usize_unsuffixed(index);
    let method = match param.read.kind {
        Kind::Ref => quote!(get),
        Kind::Owned => quote!(take),
        Kind::OptionalRef => quote!(get_opt),
        Kind::OptionalOwned => quote!(take_opt),
    };
    // Spanned on the parameter, so that a missing `Clone` on a by-value type points there.
    let read = quote_spanned!(param.ty.span()=> #args.#method::<#value>(#index)?);
    let optional = matches!(param.read.kind, Kind::OptionalRef | Kind::OptionalOwned);
    match (param.read.borrowed, optional) {
        (Borrowed::Plain, _) => read,
        (Borrowed::Str, false) => quote!(#read.as_str()),
        (Borrowed::Slice, false) => quote!(#read.as_slice()),
        (Borrowed::Str, true) => quote!(#read.map(::std::string::String::as_str)),
        (Borrowed::Slice, true) => quote!(#read.map(::std::vec::Vec::as_slice)),
    }
}

/// The expression wrapping the function's return value `value` into
/// `Result<Value, NodeError>`.
///
/// Used by the call shims (an `async fn`, or more parameters than the generic call takes).
/// Spanned on the return type and naming the output type explicitly: an output type that cannot
/// be a node value is reported on the return type.
fn wrap(output: &Output, private: &TokenStream, value: &Ident) -> TokenStream {
    let span = output.ty.span();
    let value = Ident::new(&value.to_string(), value.span().located_at(span));
    let output_ty = output_value_type(output, private);
    if output.fallible {
        quote_spanned!(span=> #private::result_value::<#output_ty, _>(#value))
    } else {
        quote_spanned!(span=> #private::ok_value::<#output_ty>(#value))
    }
}
