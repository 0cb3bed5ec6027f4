//! `does(f)` / `does(f, slice)` / `does(f, their_param = our_param, ..)`: the function's
//! (empty) body becomes a call to `f` with its parameters, in order or matched by name
//! (Hamilton's `@does`, with its `argument_mapping`).

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Ident, Path, Token};

use super::syntax::{once, parenthesized};
use super::{Function, Mods};
use crate::valid::Errors;

// ---- parse ------------------------------------------------------------------------------------

/// The arguments of `does(f)` / `does(f, slice)` / `does(f, their = ours, ..)`.
struct DoesArgs {
    path: Path,
    slice: bool,
    /// `their = ours`: `f`'s parameter `their` receives this function's `ours`.
    mapping: Vec<(Ident, Ident)>,
}

impl Parse for DoesArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: Path = input.parse()?;
        let mut slice = false;
        let mut mapping = Vec::new();
        while input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let first: Ident = input.call(Ident::parse_any)?;
            if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                let ours: Ident = input.call(Ident::parse_any)?;
                mapping.push((first, ours));
                continue;
            }
            if first != "slice" || slice {
                return Err(syn::Error::new(
                    first.span(),
                    "expected `slice` or `their_param = our_param`: `does(f, slice)` calls `f(&[a, b, ..])` with every parameter, `does(f, xs = values)` passes `values` as `f`'s `xs`",
                ));
            }
            slice = true;
        }
        Ok(Self {
            path,
            slice,
            mapping,
        })
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
        self.does_mapping = does.mapping;
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

        if let Some((_, slice, span)) = &self.does {
            self.check_does_mapping(function, *slice, errors);
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

impl Mods {
    /// Each mapped parameter of this function exists and is mapped once, and the reused
    /// function's parameters (mapped names, and the other parameters' own) are distinct.
    fn check_does_mapping(&self, function: &Function<'_>, slice: bool, errors: &mut Errors) {
        let Some((first, _)) = self.does_mapping.first() else {
            return;
        };
        if slice {
            errors.push(syn::Error::new(
                first.span(),
                "`does(f, slice)` passes the parameters in order as one slice; a mapping by name cannot apply: drop `slice` or the mapping",
            ));
            return;
        }
        let mut theirs: Vec<String> = Vec::new();
        let mut ours: Vec<String> = Vec::new();
        for (their, our) in &self.does_mapping {
            let (their_name, our_name) = (their.unraw().to_string(), our.unraw().to_string());
            if !function.params.contains(&our_name) {
                errors.push(syn::Error::new(
                    our.span(),
                    format_args!(
                        "`{}` has no parameter `{our_name}` to pass as `{their_name}`; {}",
                        function.fn_name,
                        function.param_list()
                    ),
                ));
            } else if ours.contains(&our_name) {
                errors.push(syn::Error::new(
                    our.span(),
                    format_args!("`{our_name}` is already mapped; pass each parameter once"),
                ));
            }
            if theirs.contains(&their_name) {
                errors.push(syn::Error::new(
                    their.span(),
                    format_args!("`{their_name}` is mapped twice; map each parameter once"),
                ));
            }
            theirs.push(their_name);
            ours.push(our_name);
        }
        for (their, _) in &self.does_mapping {
            let name = their.unraw().to_string();
            if function.params.contains(&name) && !ours.contains(&name) {
                errors.push(syn::Error::new(
                    their.span(),
                    format_args!(
                        "`{name}` would receive two parameters: this function's own `{name}` (passed under its name) and the one mapped to it; map `{name}` too"
                    ),
                ));
            }
        }
    }
}

// ---- generate ---------------------------------------------------------------------------------

/// The names of a function's parameters, in order.
fn arg_idents(func: &syn::ItemFn) -> Vec<Ident> {
    func.sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(i) => Some(i.ident.clone()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

/// The body a `does(f, their = ours, ..)` function gets: `f` called with this function's
/// arguments in `f`'s order, matched by name (the mapped name, or the parameter's own). `f`
/// is a `#[node]` function: its `DEF` lists its parameters, read in constants, so that a name it
/// lacks or another number of parameters is a compile error naming them.
pub(crate) fn does_body_by_name(
    func: &syn::ItemFn,
    path: &Path,
    mapping: &[(Ident, Ident)],
    private: &TokenStream,
) -> syn::Block {
    let args = arg_idents(func);
    let n = args.len();
    let f = crate::ast::type_name(path);
    let own = func.sig.ident.unraw().to_string();
    let targets: Vec<(String, Option<&Ident>)> = args
        .iter()
        .map(|a| {
            let name = a.unraw().to_string();
            match mapping.iter().find(|(_, our)| our.unraw() == name) {
                Some((their, _)) => (their.unraw().to_string(), Some(their)),
                None => (name, None),
            }
        })
        .collect();
    let names = targets.iter().map(|(t, _)| t);
    let def = quote_spanned!(path.span()=> <#path>::DEF);
    let arity = format!(
        "`does({f}, ..)`: `{f}` must take as many parameters as `{own}` ({n}), each receiving one of them by name"
    );
    let checks = targets.iter().map(|(name, their)| {
        let (span, message) = match their {
            Some(their) => (their.span(), format!("`does({f}, ..)`: `{f}` has no parameter `{name}`")),
            None => (
                path.span(),
                format!("`does({f}, ..)`: `{f}` has no parameter `{name}`; map `{own}`'s `{name}` to one of its parameters: `does({f}, its_param = {name})`"),
            ),
        };
        quote_spanned!(span=> const _: () = ::core::assert!(#private::has_param(#def, #name), #message);)
    });
    let picks = (0..n).map(|k| {
        quote_spanned!(path.span()=> <_ as #private::Pick<{ __HAMILTON_ORDER[#k] }>>::pick(&mut __hamilton_args))
    });
    let call = quote_spanned!(path.span()=> #path(#(#picks),*));
    syn::parse_quote!({
        const _: () = ::core::assert!(#def.params.len() == #n, #arity);
        #(#checks)*
        const __HAMILTON_ORDER: [usize; #n] = #private::argument_order(#def, [#(#names),*]);
        let mut __hamilton_args = (#(::core::option::Option::Some(#args),)*);
        #call
    })
}

/// The body a `does(f)` function gets: `f(a, b, ..)`, or `f(&[a, b, ..])` with `slice`.
pub(crate) fn does_body(func: &syn::ItemFn, path: &Path, slice: bool) -> syn::Block {
    let args = arg_idents(func);
    let call = if slice {
        quote_spanned!(path.span()=> #path(&[#(#args),*]))
    } else {
        quote_spanned!(path.span()=> #path(#(#args),*))
    };
    syn::parse_quote!({ #call })
}
