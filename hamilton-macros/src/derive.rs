//! `#[derive(Fields)]`: every named field of a struct as a node of `extract_fields`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Fields as SynFields, Item, Path};

use crate::valid::Errors;

/// Expands `#[derive(Fields)]`.
pub(crate) fn fields(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<Item>(input) {
        Ok(Item::Struct(input)) => input,
        Ok(other) => {
            return syn::Error::new_spanned(
                other,
                "`#[derive(Fields)]` goes on a struct with named fields",
            )
            .to_compile_error();
        }
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let mut krate: Option<Path> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("fields")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let value = meta.value()?;
                krate = Some(if value.peek(syn::LitStr) {
                    value
                        .parse::<syn::LitStr>()?
                        .parse_with(Path::parse_mod_style)?
                } else {
                    value.call(Path::parse_mod_style)?
                });
                Ok(())
            } else {
                Err(meta.error("expected `crate = path`"))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    let krate = krate.map_or_else(|| quote!(::hamilton_core), |p| quote!(#p));
    let ident = &input.ident;
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "`#[derive(Fields)]` needs a concrete struct: node values have one concrete type",
        ));
    }
    let named = match &input.fields {
        SynFields::Named(named) => Some(named),
        _ => None,
    };
    let Some(named) = named else {
        errors.push(syn::Error::new(
            ident.span(),
            "`#[derive(Fields)]` goes on a struct with named fields; for a tuple, use `unpack(a, b)` on the node",
        ));
        return errors
            .finish()
            .err()
            .map(|e| e.to_compile_error())
            .unwrap_or_default();
    };
    let mut fields = Vec::new();
    for field in &named.named {
        let mut skip = false;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("fields")) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("skip") {
                    skip = true;
                    Ok(())
                } else {
                    Err(meta.error("expected `skip`"))
                }
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        if skip {
            continue;
        }
        let name = field.ident.as_ref().expect("named field");
        let text = name.unraw().to_string();
        fields.push(quote_spanned!(field.ty.span()=>
            #krate::modifiers::Field::new(#text, |v: &#ident| ::core::clone::Clone::clone(&v.#name))
        ));
    }
    if let Err(error) = errors.finish() {
        return error.to_compile_error();
    }
    quote! {
        impl #krate::modifiers::Fields for #ident {
            fn fields() -> ::std::vec::Vec<#krate::modifiers::Field> {
                ::std::vec![#(#fields),*]
            }
        }
    }
}
