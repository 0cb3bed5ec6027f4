//! Code generation for `#[node]`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, Item};

use crate::ast::{Node, Output, Param, generic_arg_of};
use crate::attr::{Options, Wired};
use crate::call::{MAX_GENERIC_PARAMS, async_shims, generic_call, sync_shim};
use crate::modifiers::{self, Mods};
use crate::spans::{respan, spanned_call};
use crate::valid::{self, Errors};

/// Expands `#[node(args)] item`.
///
/// On any error the function is emitted unchanged, followed by one `compile_error!` per problem:
/// the rest of the crate (and the IDE) still sees the function, and no hidden struct or
/// registration is generated.
pub(crate) fn node(args: TokenStream, item: TokenStream) -> TokenStream {
    let func = match crate::parse_fn::parse_item(&item) {
        Ok(Item::Fn(func)) => func,
        Ok(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "`#[node]` goes on a function: the function's name is the node, its parameters \
                 are the nodes and inputs it depends on",
            );
            return with_error(item, error);
        }
        Err(error) => return with_error(item, error),
    };
    let mut errors = Errors::default();
    let options = Options::parse(args, &mut errors);
    let mut func = func;
    let empty_body = func.block.stmts.is_empty();
    if let Some((path, slice, span)) = &options.mods.does {
        if func.block.stmts.is_empty() {
            func.block = Box::new(if options.mods.does_mapping.is_empty() {
                modifiers::does_body(&func, path, *slice)
            } else {
                let krate = options.crate_path();
                let private = quote!(#krate::__private);
                modifiers::does_body_by_name(&func, path, &options.mods.does_mapping, &private)
            });
        } else {
            errors.push(syn::Error::new(
                *span,
                "a `does(..)` function's body is generated (a call to the function it reuses); leave it empty: `{}`",
            ));
            errors.push(syn::Error::new(
                func.block.span(),
                "this body would be replaced; write `{}`",
            ));
        }
    }
    // The version of the tokens as written, unless `does(..)` wrote the body.
    let node = if options.mods.does.is_none() {
        Node::with_code_version(func, crate::hash::code_version_of(item.clone()))
    } else {
        Node::new(func)
    };
    valid::check(&node, &mut errors);
    if let Some(wired) = &options.wired {
        check_except(&node, wired, &mut errors);
    }
    if node.output.is_some() {
        options
            .mods
            .check(&node, options.name.as_ref(), &mut errors);
    }
    match errors.finish() {
        // The function as written, unless `does(..)` wrote its body: re-emitting the input
        // costs nothing, printing the parsed function costs a token-by-token rebuild.
        Ok(()) if options.mods.does.is_none() => generate(&node, &options, item),
        Ok(()) => {
            let func = node.func.to_token_stream();
            generate(&node, &options, func)
        }
        // A `does` function's empty body would add errors of its own: give it a neutral one.
        Err(error) if options.mods.does_written && empty_body => {
            let mut func = node.func.clone();
            func.block = Box::new(syn::parse_quote!({ ::core::unreachable!() }));
            func.attrs.push(syn::parse_quote!(#[allow(unused)]));
            with_error(func.into_token_stream(), error)
        }
        Err(error) => with_error(item, error),
    }
}

/// Each name in `wired(except(..))` must be a parameter of the function.
fn check_except(node: &Node, wired: &Wired, errors: &mut Errors) {
    let names: Vec<String> = node.params.iter().filter_map(Param::name).collect();
    for ident in &wired.except {
        let name = ident.unraw().to_string();
        if !names.contains(&name) {
            errors.push(syn::Error::new(
                ident.span(),
                format_args!(
                    "`{name}` in `wired(except(..))` is not a parameter of `{}`; the parameters \
                     are: {}",
                    node.fn_name(),
                    if names.is_empty() {
                        "(none)".to_string()
                    } else {
                        names.join(", ")
                    },
                ),
            ));
        }
    }
}

/// The compile-time wiring check of a `#[node(wired)]` function: per checked parameter, a
/// constant that reads its producer's `__output` field as the parameter's value type (spanned on
/// the parameter: an unknown producer or a different type is reported there), and a field of the
/// node's hidden struct holding its producers' structs (a cycle among wired nodes is then a type
/// of infinite size, rustc's E0072, naming each node of it).
///
/// Returns the field and the top-level check items.
fn wiring(node: &Node, options: &Options, cfgs: &[&Attribute]) -> (TokenStream, TokenStream) {
    let Some(wired) = &options.wired else {
        return (quote!(), quote!());
    };
    let mut producers = Vec::new();
    let mut checks = Vec::new();
    for param in &node.params {
        let (Some(dep), Some(name)) = (param.ident(), param.name()) else {
            continue;
        };
        if param.read.kind.is_optional() || param.collect || wired.excepts(&name) {
            continue;
        }
        let value = &param.read.value;
        let span = param.pat.span();
        // Spanned like the check below, so that an unknown producer is reported once; a
        // cycle's labels point at each parameter. (rustc's help then suggests boxing the
        // parameter; the fix is to break the cycle in the dataflow.)
        producers.push(quote_spanned!(span=> #dep,));
        checks.push(quote_spanned! {span=>
            #(#cfgs)*
            const _: fn(&#dep) -> &::core::marker::PhantomData<#value> = |n| &n.__output;
        });
    }
    (quote!(pub __wired: (#(#producers)*),), quote!(#(#checks)*))
}

/// `item` unchanged, followed by the errors.
fn with_error(item: TokenStream, error: syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    quote!(#item #errors)
}

/// The items generated for a valid node.
///
/// Per function: the function as given; a hidden struct of the function's name (so that
/// `nodes![f]` and `step(f, ..)` find the node wherever the function is in scope, imported or in
/// a function body) whose `PhantomData` fields type dependents (`__output`) and `value(..)`
/// bindings (one per parameter); the static `NodeDef`, whose call is a generic `FnCall` over
/// marker types rather than a shim, placed in the registry section by `register!` (one item, no
/// constructor); and the struct's one inherent impl with `DEF` and `OUTPUT`. No trait impl and
/// no function body: see `BENCHMARKS.md`, "The compile cost of `#[node]`".
fn generate(node: &Node, options: &Options, func_tokens: TokenStream) -> TokenStream {
    let krate = options.crate_path();
    let private = quote!(#krate::__private);
    // Inside the descriptor's initializer, `__private` is imported under one short name: a path
    // of one token instead of eight, dozens of times per function (fewer tokens for the macro to
    // build and for the compiler to parse and resolve).
    let local = Ident::new("__hamilton", Span::call_site());
    // `spend__uk` is Hamilton's variant naming: not a style problem here.
    let variant_fn = (options.mods.is_variant() && node.fn_name().contains("__"))
        .then(|| quote!(#[allow(non_snake_case)]));
    let func = &node.func;
    let ident = &func.sig.ident;
    let vis = &func.vis;
    // A `#[cfg]` after `#[node]` applies to the function: make it apply to everything generated.
    let cfgs: Vec<&Attribute> = func
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .collect();
    let output = node
        .output
        .as_ref()
        .expect("validation rejects a missing return type");

    let fn_name = node.fn_name();
    let name = match &options.name {
        Some(name) => name.value(),
        None if options.mods.is_variant() => {
            Mods::variant_name(&fn_name).unwrap_or(&fn_name).to_string()
        }
        None => fn_name.clone(),
    };
    let hidden = |what: &str| format_ident!("__hamilton_{}_{}", what, fn_name);
    let (call, async_call, shims) = if func.sig.asyncness.is_some() {
        let call_ident = hidden("call");
        let async_ident = hidden("call_async");
        (
            quote!(&(#ident::#call_ident as #local::CallFn)),
            quote!(::core::option::Option::Some(#ident::#async_ident)),
            async_shims(node, output, &name, &call_ident, &async_ident, &private),
        )
    } else if node.params.len() > MAX_GENERIC_PARAMS {
        let call_ident = hidden("call");
        (
            quote!(&(#ident::#call_ident as #local::CallFn)),
            quote!(#local::None),
            sync_shim(node, output, &call_ident, &private),
        )
    } else {
        (
            generic_call(node, output, &local),
            quote!(#local::None),
            quote!(),
        )
    };
    let binders = modifiers::binders(node);
    let def_ident = format_ident!("__hamilton_node_{}", fn_name);
    let modifiers = options.mods.generate(node, &private);
    let modifiers_fn = if modifiers.is_some() {
        let ident = hidden("modifiers");
        quote!(#ident)
    } else {
        quote!(#local::no_modifiers)
    };
    let modifiers = modifiers.map(|list| {
        quote! {
            #(#cfgs)*
            #[doc(hidden)]
            #[allow(deprecated, non_snake_case, clippy::all)]
            fn #modifiers_fn() -> ::std::vec::Vec<#private::Modifier> #list
        }
    });
    let doc = &node.doc;
    let line = node.line.map_or_else(
        || quote!(::core::line!()),
        |line| Literal::u32_unsuffixed(line).into_token_stream(),
    );
    let params = node.params.iter().map(|param| param_def(param, &local));
    let output_ty = output_value_type(output, &private);
    let output_name = &output.value_name;
    let (wired_field, wiring) = wiring(node, options, &cfgs);
    // Spanned like `output_info`, so that a `..Result` that is not a `Result` is reported once.
    // What a dependent reads: the value, or a fan-out's item (the nodes after a `Parallel<T>`
    // read `T` under its name).
    let read_ty = match output
        .parallel
        .as_ref()
        .and_then(|parallel| generic_arg_of(parallel, "Parallel"))
    {
        Some(item) => item.to_token_stream(),
        None => output_ty.clone(),
    };
    // Spanned like `output_info`, so that a `..Result` that is not a `Result` is reported once.
    let own_output = respan(
        own_output_const(node, options, &output_ty, &name, &private),
        output.ty.span(),
    );
    // The type dependents read (a fan-out's item type), checked by `#[node(wired)]`.
    let output_field = respan(
        quote!(pub __output: ::core::marker::PhantomData<#read_ty>,),
        output.ty.span(),
    );
    // The output type is checked by the call's output marker (or the shim's wrapping). Spanned on
    // the return type like it, so that a `..Result` that is not a `Result` is reported once.
    let output_info = respan(
        quote!(#local::TypeInfo::named::<#output_ty>),
        output.ty.span(),
    );
    let tags = options
        .tags
        .iter()
        .map(|(key, value)| quote!((#key, #value)));
    let tag_lists = options
        .tag_lists
        .iter()
        .map(|(key, values)| quote!((#key, &[#(#values),*])));
    let code_version = Literal::u64_unsuffixed(node.code_version);
    // Spanned on the `Parallel<T>` as written: an item type that is not `Clone`, or a `Parallel`
    // that is not hamilton_core's, is reported there.
    let fan_out = match &output.parallel {
        Some(parallel) => {
            let fan_out_of = spanned_call(&local, "fan_out_of", parallel, parallel);
            quote!(::core::option::Option::Some(#fan_out_of))
        }
        None => quote!(#local::None),
    };

    quote! {
        #variant_fn
        #func_tokens

        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code, unreachable_pub, private_interfaces)]
        #vis struct #ident {
            #output_field
            #binders
            #wired_field
        }

        #private::register! {
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unreachable_pub, deprecated)]
        #vis static #def_ident: #private::NodeDef = {
            use #private as #local;
            #local::NodeDef {
                name: #name,
                function: #fn_name,
                module: ::core::module_path!(),
                location: #local::Location { file: ::core::file!(), line: #line },
                doc: #doc,
                params: &[#(#params),*],
                output: #output_info(#output_name),
                tags: &[#(#tags),*],
                tag_lists: &[#(#tag_lists),*],
                code_version: #code_version,
                call: #call,
                async_call: #async_call,
                modifiers: #modifiers_fn,
                fan_out: #fan_out,
            }
        };
        }

        #(#cfgs)*
        impl #ident {
            /// The node's definition.
            pub const DEF: &'static #private::NodeDef = &#def_ident;
            #own_output

            #shims
        }

        #modifiers

        #wiring
    }
}

/// The `OUTPUT` constant `outputs![..]` and `Outputs::get_typed` read: the node of the function's
/// own name with its type, or a marker saying why there is none.
fn own_output_const(
    node: &Node,
    options: &Options,
    output_ty: &TokenStream,
    name: &str,
    private: &TokenStream,
) -> TokenStream {
    let fans_out = node.output.as_ref().is_some_and(|o| o.parallel.is_some());
    let reason = options
        .mods
        .no_own_output()
        .or(fans_out.then_some("FansOutIntoItems"));
    match reason {
        Some(reason) => {
            let reason = Ident::new(reason, Span::call_site());
            let ident = &node.func.sig.ident;
            quote! {
                /// No node of the function's own name and type (see `hamilton_core::OwnOutput`).
                #[allow(unreachable_pub, dead_code)]
                pub const OUTPUT: #private::no_own_output::#reason<#ident> =
                    #private::no_own_output::#reason::NEW;
            }
        }
        None => quote! {
            /// The function's node, named and typed, for `outputs![..]` and `Outputs::get_typed`.
            #[allow(unreachable_pub, dead_code)]
            pub const OUTPUT: #private::TypedOutput<#output_ty> = #private::TypedOutput::new(#name);
        },
    }
}

/// The type of the value a node produces: the return type, or `T` of a `Result<T, E>`.
pub(crate) fn output_value_type(output: &Output, private: &TokenStream) -> TokenStream {
    let ty = &output.ty;
    if output.fallible {
        quote!(<#ty as #private::Fallible>::Ok)
    } else {
        quote!(#ty)
    }
}

/// The `ParamDef` literal of a parameter.
fn param_def(param: &Param, private: &dyn ToTokens) -> TokenStream {
    let name = param
        .name()
        .expect("validation rejects non-identifier parameters");
    let value = &param.read.value;
    let value_name = &param.read.value_name;
    let kind = Ident::new(param.read.kind.variant(), Span::call_site());
    // The compile-time check that the type can be a node value, spanned on the parameter's type
    // as written (`Clone` is checked by the marker of a by-value parameter).
    let ty = quote_spanned!(param.ty.span()=> #private::param_type::<#value>);
    // Spanned on the `Collect<T>` as written: one that is not hamilton_core's is reported there.
    let gather = if param.collect {
        let gather_of = spanned_call(private, "gather_of", value, value);
        quote!(::core::option::Option::Some(#gather_of))
    } else {
        quote!(#private::None)
    };
    quote! {
        #private::ParamDef {
            name: #name,
            ty: #ty(#value_name),
            kind: #private::ParamKind::#kind,
            gather: #gather,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(args: TokenStream, item: TokenStream) -> String {
        node(args, item).to_string()
    }

    #[test]
    fn generates_the_struct_def_generic_call_and_registration() {
        let out = expand(
            quote!(),
            quote! {
                /// Doc.
                pub fn avg(spend: &Series, k: Option<&f64>, n: usize, label: &str, xs: Option<&[f64]>) -> PolarsResult<Series> { todo!() }
            },
        );
        for expected in [
            "pub fn avg",
            "pub struct avg { pub __output : :: core :: marker :: PhantomData < < PolarsResult < Series > as :: hamilton_core :: __private :: Fallible > :: Ok > , pub __hamilton_value_spend : :: core :: marker :: PhantomData < Series > ,",
            "pub static __hamilton_node_avg : :: hamilton_core :: __private :: NodeDef = { use :: hamilton_core :: __private as __hamilton ; __hamilton :: NodeDef {",
            "location : __hamilton :: Location { file : :: core :: file ! () , line : :: core :: line ! () }",
            "modifiers : __hamilton :: no_modifiers",
            "impl avg",
            "pub const DEF : & 'static :: hamilton_core :: __private :: NodeDef = & __hamilton_node_avg ;",
            "call : & __hamilton :: fn_call ((\
             __hamilton :: Ref :: < Series > :: NEW , \
             __hamilton :: OptRef :: < f64 > :: NEW , \
             __hamilton :: owned :: < usize > () , \
             __hamilton :: Deref :: < :: std :: string :: String > :: NEW , \
             __hamilton :: OptDeref :: < :: std :: vec :: Vec < f64 > > :: NEW ,) , \
             __hamilton :: returns_result :: < PolarsResult < Series > > () , avg)",
            "TypeInfo :: named :: < < PolarsResult < Series > as :: hamilton_core :: __private :: Fallible > :: Ok >",
            "ty : __hamilton :: param_type :: < usize > (\"usize\")",
            "gather : __hamilton :: None",
            "name : \"avg\"",
            "doc : \"Doc.\"",
            "ParamKind :: OptionalRef",
            "param_type :: < :: std :: vec :: Vec < f64 > > (\"Vec<f64>\")",
            "pub __hamilton_value_label : :: core :: marker :: PhantomData < :: std :: string :: String > ,",
            "line ! ()",
            ":: hamilton_core :: __private :: register ! { # [doc (hidden)]",
        ] {
            assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
        }
    }

    #[test]
    fn async_fns_take_then_borrow_and_await_in_a_boxed_future() {
        let out = expand(
            quote!(name = "fetched"),
            quote! {
                async fn fetch(url: &str, retries: usize, k: Option<&f64>) -> Result<String, E> { todo!() }
            },
        );
        let shim = out
            .split("fn __hamilton_call_async_fetch")
            .nth(1)
            .unwrap_or_else(|| panic!("no async shim in:\n{out}"));
        for expected in [
            "(mut args : :: hamilton_core :: __private :: AsyncArgs) -> :: hamilton_core :: __private :: NodeFuture",
            ":: hamilton_core :: __private :: node_future (async move {",
            "let arg1 = args . take :: < usize > (1) ? ; let arg0 = args . get :: < :: std :: string :: String > (0) ? . as_str () ; let arg2 = args . get_opt :: < f64 > (2) ? ;",
            "let value = fetch (arg0 , arg1 , arg2) . await ;",
            "result_value :: < < Result < String , E > as :: hamilton_core :: __private :: Fallible > :: Ok , _ > (value)",
        ] {
            assert!(shim.contains(expected), "missing `{expected}` in:\n{shim}");
        }
        for expected in [
            "async_call : :: core :: option :: Option :: Some (fetch :: __hamilton_call_async_fetch)",
            "call : & (fetch :: __hamilton_call_fetch as __hamilton :: CallFn)",
        ] {
            assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
        }
        assert!(
            out.contains(":: hamilton_core :: __private :: needs_async (\"fetched\")"),
            "{out}"
        );
        // Without a by-value parameter, the arguments need not be `mut`.
        let out = expand(
            quote!(),
            quote!(
                async fn f(a: &i64) -> i64 {
                    *a
                }
            ),
        );
        assert!(out.contains("fn __hamilton_call_async_f (args :"), "{out}");
    }

    #[test]
    fn parallel_and_collect_fill_fan_out_and_gather() {
        let out = expand(
            quote!(),
            quote!(
                fn f(xs: &Collect<u64>, ys: fanout::Collect<u64>) -> io::Result<Parallel<u64>> {
                    todo!()
                }
            ),
        );
        for expected in [
            "fan_out : :: core :: option :: Option :: Some (__hamilton :: fan_out_of :: < Parallel < u64 > >)",
            "gather : :: core :: option :: Option :: Some (__hamilton :: gather_of :: < Collect < u64 > >)",
            "gather : :: core :: option :: Option :: Some (__hamilton :: gather_of :: < fanout :: Collect < u64 > >)",
            "param_type :: < Collect < u64 > > (\"Collect<u64>\")",
            "owned :: < fanout :: Collect < u64 > > ()",
            // Dependents of a fan-out read its item type.
            "pub __output : :: core :: marker :: PhantomData < u64 > ,",
        ] {
            assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
        }
        let out = expand(
            quote!(),
            quote!(
                fn g(x: &u64) -> u64 {
                    *x
                }
            ),
        );
        assert!(out.contains("fan_out : __hamilton :: None"), "{out}");
        assert!(out.contains("gather : __hamilton :: None"), "{out}");
        assert!(out.contains("async_call : __hamilton :: None"), "{out}");
    }

    #[test]
    fn functions_past_the_generic_arity_get_a_shim() {
        let params = (0..=MAX_GENERIC_PARAMS).map(|i| format_ident!("p{i}"));
        let out = expand(quote!(), quote!(fn wide(#(#params: &u8),*) -> u8 { 0 }));
        assert!(out.contains("fn __hamilton_call_wide"), "{out}");
        assert!(
            out.contains(
                ":: hamilton_core :: __private :: Read :: read (& :: hamilton_core :: __private :: Ref :: < u8 > :: NEW , args , 12) ?"
            ),
            "{out}"
        );
        assert!(!out.contains("FnCall"), "{out}");
    }

    #[test]
    fn crate_option_changes_every_path() {
        let out = expand(
            quote!(crate = my::ham),
            quote!(
                fn one() -> i64 {
                    1
                }
            ),
        );
        assert!(!out.contains("hamilton_core"), "{out}");
        assert!(out.contains("my :: ham :: __private :: NodeDef"), "{out}");
        assert!(
            out.contains("use my :: ham :: __private as __hamilton ;"),
            "{out}"
        );
        assert!(out.contains("__hamilton :: returns :: < i64 >"), "{out}");
    }

    #[test]
    fn errors_keep_the_function_and_generate_nothing_else() {
        let out = expand(
            quote!(bogus),
            quote!(
                async fn f<T>(x: &mut T) {}
            ),
        );
        assert!(
            out.starts_with("async fn f < T > (x : & mut T) { }"),
            "{out}"
        );
        assert!(!out.contains("struct"), "{out}");
        assert_eq!(out.matches("compile_error").count(), 4, "{out}");
    }

    #[test]
    fn wired_nodes_check_each_plain_parameter_against_its_producer() {
        let out = expand(
            quote!(wired(except(raw))),
            quote!(
                fn mean(
                    total: &f64,
                    label: &str,
                    raw: &[f64],
                    k: Option<&f64>,
                    xs: Collect<u8>,
                ) -> f64 {
                    todo!()
                }
            ),
        );
        for expected in [
            "struct mean { pub __output : :: core :: marker :: PhantomData < f64 > ,",
            "pub __wired : (total , label ,) , }",
            "const _ : fn (& total) -> & :: core :: marker :: PhantomData < f64 > = | n | & n . __output ;",
            "const _ : fn (& label) -> & :: core :: marker :: PhantomData < :: std :: string :: String > = | n | & n . __output ;",
        ] {
            assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
        }
        for unchecked in ["& raw", "& k)", "& xs"] {
            assert!(!out.contains(unchecked), "{unchecked} in:\n{out}");
        }
        let plain = expand(
            quote!(),
            quote!(
                fn f(a: &f64) -> f64 {
                    *a
                }
            ),
        );
        assert!(!plain.contains("__wired"), "{plain}");
        assert!(!plain.contains("const _"), "{plain}");
    }

    #[test]
    fn non_functions_are_an_error() {
        let out = expand(
            quote!(),
            quote!(
                struct S;
            ),
        );
        assert!(out.starts_with("struct S ;"), "{out}");
        assert!(out.contains("`#[node]` goes on a function"), "{out}");
    }
}
