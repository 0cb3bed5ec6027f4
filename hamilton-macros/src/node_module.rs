//! Code generation for `#[node_module]`: the plain `#[node]` functions of a module, registered
//! together.
//!
//! The module's items are split at the top level (a function's body is never parsed). A
//! function whose only hamilton attribute is a bare `#[node]` and that `#[node]` would accept as
//! it is (sync, at most twelve parameters, no `Parallel`/`Collect`, no `#[cfg]`) is *batched*:
//! its `#[node]` is removed, a type alias named like it stands for
//! `hamilton_core::__private::Batched<Output, __hamilton_module, INDEX>`, and one line of the
//! module's registration function describes it. Every other item is emitted as written, so a
//! `#[node(..)]` with arguments, or a function `#[node]` rejects, expands (or reports its
//! errors) exactly as without `#[node_module]`.

use proc_macro2::{Delimiter, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Meta};

use std::fmt::Write as _;

use crate::ast::{Borrowed, Node, Output, type_name};
use crate::call::{MAX_GENERIC_PARAMS, marker_names};
use crate::pieces::{Lexer, Pieces};
use crate::valid::{self, Errors};

/// Separates the fields of a node's metadata string (`hamilton_core::__private::batch`).
const SEPARATOR: char = '\u{1f}';

/// Expands `#[node_module(args)] mod name { items }`.
pub(crate) fn node_module(args: TokenStream, item: TokenStream) -> TokenStream {
    let krate = match crate_path(args) {
        Ok(krate) => krate,
        Err(error) => return with_error(item, error),
    };
    let (head, body, brace) = match split_module(&item) {
        Ok(parts) => parts,
        Err(error) => return with_error(item, error),
    };
    // Trees are collected and made into one stream at the end: extending a stream item by item
    // copies it through the compiler bridge each time.
    let mut emitted: Vec<TokenTree> = Vec::new();
    let mut batch = Batch::default();
    // Top-level trees only: a function's body is one group, never looked into. An item ends at
    // a `;` or a `{ .. }`; where that splits an item in two (`use a::{b, c};`), both parts are
    // emitted as they are, and only a split that is exactly a `#[node]` function is batched.
    let trees: Vec<TokenTree> = body.into_iter().collect();
    let mut start = 0;
    for (i, tree) in trees.iter().enumerate() {
        let ends = match tree {
            TokenTree::Punct(punct) => punct.as_char() == ';',
            TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
            _ => false,
        };
        if ends {
            let item = &trees[start..=i];
            match batchable(item) {
                Some((node, attrs)) => batch.add(node, item, &attrs, &mut emitted),
                None => emitted.extend(item.iter().cloned()),
            }
            start = i + 1;
        }
    }
    emitted.extend(trees[start..].iter().cloned());
    emitted.extend(batch.finish(&krate));
    let mut group = proc_macro2::Group::new(Delimiter::Brace, emitted.into_iter().collect());
    group.set_span(brace);
    let mut out = head;
    out.extend([TokenTree::Group(group)]);
    out
}

/// `crate = path` (a re-exported `hamilton_core`), or nothing.
fn crate_path(args: TokenStream) -> syn::Result<TokenStream> {
    if args.is_empty() {
        return Ok(quote!(::hamilton_core));
    }
    let meta: syn::MetaNameValue = syn::parse2(args.clone()).map_err(|_| {
        syn::Error::new_spanned(
            &args,
            "`#[node_module]` takes no arguments other than `crate = path` (a re-exported \
             `hamilton_core`); modifiers go on each function's `#[node(..)]`",
        )
    })?;
    if !meta.path.is_ident("crate") {
        return Err(syn::Error::new_spanned(
            &meta.path,
            "unknown `#[node_module]` option; the one option is `crate = path`",
        ));
    }
    match meta.value {
        syn::Expr::Path(path) => Ok(path.into_token_stream()),
        other => Err(syn::Error::new_spanned(
            other,
            "expected a path: `crate = my_crate::hamilton_core`",
        )),
    }
}

/// The tokens before a module's braces, its items, and the braces' span.
fn split_module(item: &TokenStream) -> syn::Result<(TokenStream, TokenStream, Span)> {
    let trees: Vec<TokenTree> = item.clone().into_iter().collect();
    let is_mod = trees
        .iter()
        .any(|tree| matches!(tree, TokenTree::Ident(ident) if ident == "mod"));
    match trees.last() {
        Some(TokenTree::Group(group)) if is_mod && group.delimiter() == Delimiter::Brace => {
            let head = trees[..trees.len() - 1].iter().cloned().collect();
            Ok((head, group.stream(), group.span()))
        }
        _ if is_mod => Err(syn::Error::new(
            Span::call_site(),
            "`#[node_module]` needs the module's items in braces (`mod features { .. }`): an \
             attribute does not see the items of a module in its own file; move them into the \
             braces, or keep `#[node]` on each function without `#[node_module]`",
        )),
        _ => Err(syn::Error::new(
            Span::call_site(),
            "`#[node_module]` goes on a module (`mod features { .. }`): it registers the \
             module's `#[node]` functions together; on a function, write `#[node]`",
        )),
    }
}

/// `#[node]`, `#[node(..)]`, `#[hamilton_core::node]`, ...
fn is_node(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "node")
}

fn is_bare_node(attr: &Attribute) -> bool {
    is_node(attr) && matches!(attr.meta, Meta::Path(_))
}

/// The node of an item that can be batched, and the item's attributes: a function whose one
/// hamilton attribute is a bare `#[node]` that `#[node]` would accept as it is.
fn batchable(item: &[TokenTree]) -> Option<(Node, Vec<Attribute>)> {
    let (TokenTree::Group(body), head) = item.split_last()? else {
        return None;
    };
    let attrs_end = crate::parse_fn::outer_attributes_end(head);
    let signature = &head[attrs_end..];
    let is_fn = signature
        .iter()
        .any(|tree| matches!(tree, TokenTree::Ident(ident) if ident == "fn"));
    if attrs_end == 0 || !is_fn {
        return None;
    }
    let attrs = crate::parse_fn::outer_attributes(&head[..attrs_end])?;
    if attrs.iter().filter(|a| is_node(a)).count() != 1 || !attrs.iter().any(is_bare_node) {
        return None;
    }
    if attrs
        .iter()
        .any(|attr| attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr"))
    {
        return None;
    }
    let own: Vec<Attribute> = attrs.iter().filter(|a| !is_node(a)).cloned().collect();
    let func = crate::parse_fn::parse_signature(own, signature, body)?;
    if func.sig.asyncness.is_some() {
        return None;
    }
    // The function's tokens as `#[node]` receives them: all but its own attribute.
    let at = 2 * attrs.iter().position(is_node)?;
    let written = item[..at].iter().chain(&item[at + 2..]).cloned().collect();
    let node = Node::with_code_version(func, crate::hash::code_version_of(written));
    let mut errors = Errors::default();
    valid::check(&node, &mut errors);
    let output = node.output.as_ref()?;
    let plain = errors.finish().is_ok()
        && node.params.len() <= MAX_GENERIC_PARAMS
        && output.parallel.is_none()
        && node.params.iter().all(|p| !p.collect && p.name().is_some())
        && !node.doc.contains(SEPARATOR)
        && !node.fn_name().contains(SEPARATOR);
    plain.then_some((node, attrs))
}

/// The batched nodes' names, aliases and registration lines.
///
/// The generated items are written as text and made into tokens in few pieces: building them
/// token by token costs a call through the compiler bridge per token, which made the macro the
/// larger part of a module's `cargo check`.
#[derive(Default)]
struct Batch {
    names: Vec<String>,
    /// The aliases, one per batched function.
    aliases: String,
    /// The registration functions written so far, each registering [`CHUNK`] nodes.
    chunks: Vec<TokenStream>,
    /// The lines of the registration function being written.
    lines: Pieces,
    lexer: Lexer,
    /// Whether a removed `#[node]` was written as the bare name (an import the module now
    /// uses nowhere else).
    imported: bool,
}

/// How many nodes one registration function registers. After an edit to one function, the
/// compiler checks again the registration function holding its line (its code version changed):
/// one of a few lines rather than one of the whole module's.
const CHUNK: usize = 16;

impl Batch {
    /// Emits the function without its `#[node]`, and its alias; records its registration.
    fn add(
        &mut self,
        node: Node,
        item: &[TokenTree],
        attrs: &[Attribute],
        out: &mut Vec<TokenTree>,
    ) {
        let output = node
            .output
            .as_ref()
            .expect("batchable nodes have an output");
        // Every outer attribute is two token trees (`#` and its brackets): keep all but `#[node]`.
        let node_attr = attrs
            .iter()
            .position(is_node)
            .expect("a batched node has `#[node]`");
        self.imported |= attrs[node_attr].path().is_ident("node");
        out.extend(item[..2 * node_attr].iter().cloned());
        out.extend(item[2 * node_attr + 2..].iter().cloned());

        let alias = node.func.sig.ident.to_string();
        let vis = match &node.func.vis {
            syn::Visibility::Inherited => String::new(),
            syn::Visibility::Public(_) => "pub".to_owned(),
            vis => type_name(vis),
        };
        let index = self.names.len();
        let value = &output.value_name;
        let _ = writeln!(
            self.aliases,
            "#[doc(hidden)] #[allow(non_camel_case_types, unreachable_pub)] {vis} type {alias} = \
             {PRIVATE}::Batched<{value}, __hamilton_module, {index}>;"
        );
        self.line(&node, output);
        self.names.push(node.fn_name());
        if self.names.len().is_multiple_of(CHUNK) {
            self.end_chunk();
        }
    }

    /// `__r.node::<(markers..,), returns>(f, (marker values..,), returns value, "meta");`:
    /// the marker types as text, each marker value spanned on its type (whose bounds report a
    /// type that cannot be a node value, or a by-value one that is not `Clone`, on that type).
    fn line(&mut self, node: &Node, output: &Output) {
        let types: String = node
            .params
            .iter()
            .map(|param| {
                let marker = marker_names(param).0;
                // The value of a `&str` or `&[T]` by its full path (the name as written,
                // `String`, could be a type of the module's own).
                let value = match param.read.borrowed {
                    Borrowed::Plain => param.read.value_name.clone(),
                    _ => type_name(&param.read.value),
                };
                format!("{PRIVATE}::{marker}<{value}>, ")
            })
            .collect();
        let (returns_type, returns_value) = returns_marker(output, &mut self.lexer);
        let mut values = Pieces::default();
        for param in &node.params {
            let make = marker_names(param).1;
            values.text(&format!("{PRIVATE}::{make}::<"));
            push_type(&mut values, &param.read.value);
            values.text(">(), ");
        }
        let mut args = Pieces::default();
        args.tree(node.func.sig.ident.clone());
        args.text(", ");
        args.group(Delimiter::Parenthesis, values);
        args.text(", ");
        args.tokens(returns_value);
        args.text(", ");
        args.tree(Literal::string(&metadata(node, output)));
        self.lines
            .text(&format!("__r.node::<({types}), {returns_type}>"));
        self.lines.group(Delimiter::Parenthesis, args);
        self.lines.text(";");
    }

    /// Closes the registration function being written.
    fn end_chunk(&mut self) {
        let index = self.chunks.len();
        let mut chunk = Pieces::default();
        chunk.text(&format!(
            "#[doc(hidden)] #[allow(deprecated, clippy::all)] \
             fn __hamilton_register_{index}(__r: &mut {PRIVATE}::Registrar)"
        ));
        chunk.group(Delimiter::Brace, std::mem::take(&mut self.lines));
        self.chunks.push(chunk.finish(&mut self.lexer));
    }

    /// The module's registration: the aliases, the marker type, the names and descriptors, the
    /// registry entry.
    fn finish(mut self, krate: &TokenStream) -> TokenStream {
        if self.names.is_empty() {
            return TokenStream::new();
        }
        if !self.lines.is_empty() {
            self.end_chunk();
        }
        let Self {
            names,
            aliases,
            chunks,
            imported,
            mut lexer,
            ..
        } = self;
        // The `use hamilton_core::node;` that the removed attributes named: still used.
        let uses_node = if imported {
            "#[allow(unused_imports)] use self::node as _;"
        } else {
            ""
        };
        let names: String = names.iter().map(|name| format!("{name:?}, ")).collect();
        let code = format!(
            "{uses_node}
            #[doc(hidden)] #[allow(unused_imports)] use {krate}::__private as {PRIVATE};
            {aliases}
            #[doc(hidden)] #[allow(non_camel_case_types, unreachable_pub)]
            pub struct __hamilton_module;
            impl {PRIVATE}::BatchedModule for __hamilton_module {{
                const NAMES: &'static [&'static str] = &[{names}];
                fn defs() -> &'static [{PRIVATE}::NodeDef] {{
                    static DEFS: {PRIVATE}::OnceLock<::std::boxed::Box<[{PRIVATE}::NodeDef]>> =
                        {PRIVATE}::OnceLock::new();
                    DEFS.get_or_init(|| {{
                        let mut r = {PRIVATE}::Registrar::new(::core::module_path!(), ::core::file!());
                        __hamilton_register(&mut r);
                        r.finish()
                    }})
                }}
            }}
            {PRIVATE}::register_module! {{
                #[doc(hidden)] #[allow(non_upper_case_globals)]
                static __HAMILTON_MODULE: {PRIVATE}::ModuleEntry =
                    {PRIVATE}::ModuleEntry::new(<__hamilton_module as {PRIVATE}::BatchedModule>::defs);
            }}"
        );
        let calls: String = (0..chunks.len())
            .map(|index| format!("__hamilton_register_{index}(__r); "))
            .collect();
        let register = format!(
            "#[doc(hidden)] fn __hamilton_register(__r: &mut {PRIVATE}::Registrar) {{ {calls} }}"
        );
        let mut out = Pieces::default();
        out.text(&code);
        out.text(&register);
        for chunk in chunks {
            out.tokens(chunk);
        }
        out.finish(&mut lexer)
    }
}

/// The name the generated items use for `hamilton_core::__private` (imported once per module).
const PRIVATE: &str = "__hamilton_private";

/// The return value's marker type (text) and its constructor, spanned on the return type.
fn returns_marker(output: &Output, lexer: &mut Lexer) -> (String, TokenStream) {
    let ty = &output.ty;
    if output.fallible {
        // `R: Fallible` is reported over the whole path: span all of it on the return type.
        let private = Ident::new(PRIVATE, Span::call_site());
        let make = crate::spans::spanned_call(&private, "returns_result", ty, ty);
        let marker = format!("{PRIVATE}::ReturnsResult<{}>", type_name(ty));
        (marker, quote_spanned!(ty.span()=> #make()))
    } else {
        let mut make = Pieces::default();
        make.text(&format!("{PRIVATE}::returns::<"));
        push_type(&mut make, ty);
        make.text(">()");
        let marker = format!("{PRIVATE}::Returns<{}>", output.value_name);
        (marker, make.finish(lexer))
    }
}

/// A type's tokens, spans kept: a plain name as its one token (no stream to build).
fn push_type(pieces: &mut Pieces, ty: &syn::Type) {
    if let syn::Type::Path(path) = ty
        && path.qself.is_none()
        && let Some(ident) = path.path.get_ident()
    {
        pieces.tree(ident.clone());
    } else {
        pieces.tokens(ty.to_token_stream());
    }
}

/// The node's metadata as `Registrar::node` reads it: name, line, doc, code version, output type
/// as written, then each parameter's name and type as written.
fn metadata(node: &Node, output: &Output) -> String {
    let mut fields = vec![
        node.fn_name(),
        node.line.unwrap_or(0).to_string(),
        node.doc.clone(),
        node.code_version.to_string(),
        output.value_name.clone(),
    ];
    for param in &node.params {
        fields.push(param.name().unwrap_or_default());
        fields.push(param.read.value_name.clone());
    }
    fields.join(&SEPARATOR.to_string())
}

/// `item` unchanged, followed by the error.
fn with_error(item: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote!(#item #error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(item: TokenStream) -> String {
        node_module(TokenStream::new(), item).to_string()
    }

    #[test]
    fn a_bare_node_is_batched_and_its_attribute_removed() {
        let out = expand(quote! {
            mod features {
                use hamilton_core::node;
                /// Doubles.
                #[node]
                pub fn double(x: &f64) -> f64 { x * 2.0 }
            }
        });
        assert!(!out.contains("# [node]"), "{out}");
        assert!(out.contains("pub type double ="), "{out}");
        assert!(
            out.contains("Batched < f64 , __hamilton_module , 0 >"),
            "{out}"
        );
        let flat: String = out.split_whitespace().collect();
        assert!(
            flat.contains("__r.node::<(__hamilton_private::Ref<f64>,),"),
            "{out}"
        );
        assert!(
            flat.contains("(__hamilton_private::by_ref::<f64>(),)"),
            "{out}"
        );
        assert!(out.contains("register_module !"), "{out}");
    }

    #[test]
    fn registration_is_split_into_functions_of_a_chunk_of_nodes_each() {
        let functions = (0..=CHUNK).map(|i| {
            let name = quote::format_ident!("n_{i}");
            quote!(#[node] pub fn #name(x: &f64) -> f64 { *x })
        });
        let out = expand(quote!(mod features { #(#functions)* }));
        let flat: String = out.split_whitespace().collect();
        assert!(flat.contains("fn__hamilton_register_0(__r:"), "{out}");
        assert!(flat.contains("fn__hamilton_register_1(__r:"), "{out}");
        assert!(!flat.contains("fn__hamilton_register_2("), "{out}");
        assert!(
            flat.contains("__hamilton_register_0(__r);__hamilton_register_1(__r);"),
            "{out}"
        );
        let second = &flat[flat.find("fn__hamilton_register_1(").unwrap()..];
        assert_eq!(second.matches("__r.node::<").count(), 1, "{out}");
    }

    #[test]
    fn a_node_with_arguments_and_other_items_are_left_as_written() {
        let out = expand(quote! {
            mod features {
                use hamilton_core::node;
                const K: f64 = 2.0;
                #[node(tag(team = "a"))]
                pub fn tagged(x: &f64) -> f64 { x * K }
                pub fn helper() -> f64 { 1.0 }
            }
        });
        assert!(out.contains("# [node (tag (team = \"a\"))]"), "{out}");
        assert!(out.contains("const K : f64 = 2.0 ;"), "{out}");
        assert!(out.contains("pub fn helper"), "{out}");
        assert!(!out.contains("__hamilton_module"), "nothing batched: {out}");
    }

    #[test]
    fn functions_node_rejects_are_left_to_node_for_its_errors() {
        let out = expand(quote! {
            mod features {
                #[node]
                pub fn generic<T>(x: &T) -> f64 { 1.0 }
                #[node]
                async fn later(x: &f64) -> f64 { *x }
                #[node]
                #[cfg(test)]
                fn tested(x: &f64) -> f64 { *x }
            }
        });
        assert_eq!(out.matches("# [node]").count(), 3, "{out}");
        assert!(!out.contains("__hamilton_module"), "{out}");
    }

    #[test]
    fn the_metadata_holds_names_types_doc_and_version_in_order() {
        let func: syn::ItemFn = syn::parse_quote! {
            /// Spend per signup.
            fn per_signup(spend: &[f64], signups: Option<u64>) -> Result<f64, String> { todo!() }
        };
        let node = Node::new(func);
        let meta = metadata(&node, node.output.as_ref().unwrap());
        let fields: Vec<&str> = meta.split(SEPARATOR).collect();
        assert_eq!(fields[0], "per_signup");
        assert_eq!(fields[2], "Spend per signup.");
        assert_eq!(fields[3], node.code_version.to_string());
        assert_eq!(fields[4], "f64");
        assert_eq!(&fields[5..], ["spend", "Vec<f64>", "signups", "u64"]);
    }

    #[test]
    fn misplaced_attribute_is_an_error_saying_where_it_goes() {
        let on_fn = expand(quote!(
            fn f() -> i64 {
                1
            }
        ));
        assert!(on_fn.contains("goes on a module"), "{on_fn}");
        let out_of_line = expand(quote!(
            mod features;
        ));
        assert!(out_of_line.contains("items in braces"), "{out_of_line}");
        let args = node_module(
            quote!(wired),
            quote!(
                mod m {}
            ),
        )
        .to_string();
        assert!(
            args.contains("no arguments other than `crate = path`"),
            "{args}"
        );
    }
}
