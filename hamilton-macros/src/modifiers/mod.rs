//! The function modifiers of `#[node(...)]` (`when`, `parameterize`, `pipe_output`, `check`,
//! ...): parsed here from the attribute, checked against the function (every misuse the macro
//! can see is a spanned error), and generated as the `fn() -> Vec<Modifier>` the `NodeDef` points
//! to. hamilton-core applies them when the graph is built, in its documented order.
//!
//! Each family of options has its own file, holding its parsing, its checks and its code
//! generation, in that order; this module holds what they fill ([`Mods`]) and calls them.

mod binding;
mod check_output;
mod config;
mod does;
mod extract;
mod fanout;
mod group;
mod mutate;
mod own_output;
mod parameterize;
mod pipe;
mod pipe_namespace;
mod resolve;
mod subdag;
mod syntax;
mod tag_outputs;
mod tags;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr, Path};

pub(crate) use binding::binders;
use binding::{Bind, binding};
use check_output::CheckOpt;
use config::Cond;
pub(crate) use does::{does_body, does_body_by_name};
use extract::Extract;
use parameterize::Output;
use pipe::StepSpec;
use subdag::SubdagOpt;
use tags::TagLit;
pub(crate) use tags::tag_list;

use crate::ast::Node;
use crate::valid::Errors;

/// The modifier options, in the order the "expected one of" message lists them.
pub(crate) const OPTIONS: &[&str] = &[
    "when",
    "when_not",
    "when_in",
    "when_not_in",
    "when_fn",
    "default",
    "exclude",
    "resolve",
    "does",
    "parameterize",
    "inject",
    "pipe_input",
    "extract_fields",
    "unpack",
    "extract_columns",
    "pipe_output",
    "mutate",
    "check",
    "tag_outputs",
    "subdag",
    "parameterized_subdag",
];

/// Every modifier option of one attribute.
#[derive(Default)]
pub(crate) struct Mods {
    pub(crate) conds: Vec<Cond>,
    /// The `when*` option paths, for spans.
    pub(crate) when_spans: Vec<Span>,
    pub(crate) default: Option<Span>,
    pub(crate) exclude: Option<Span>,
    pub(crate) resolve: Vec<Path>,
    pub(crate) does: Option<(Path, bool, Span)>,
    /// `does(f, their = ours, ..)`: `f`'s parameters matched to the function's by name.
    pub(crate) does_mapping: Vec<(Ident, Ident)>,
    pub(crate) parameterize: Option<(Span, Vec<Output>)>,
    pub(crate) inject: Vec<Bind>,
    pub(crate) pipe_input: Option<(Span, Vec<StepSpec>, Option<Ident>)>,
    /// `pipe_input(.., namespace = "ns")`.
    pub(crate) pipe_input_namespace: Option<LitStr>,
    pub(crate) extract: Vec<(Span, Extract)>,
    pub(crate) pipe_output: Option<(Span, Vec<StepSpec>)>,
    pub(crate) mutate: Option<(Span, Vec<StepSpec>, Vec<Bind>)>,
    pub(crate) checks: Vec<(Span, CheckOpt)>,
    pub(crate) tag_outputs: Vec<(Ident, String, TagLit)>,
    pub(crate) subdag: Option<(Span, SubdagOpt)>,
    /// Whether a `does` option was written (even one that failed to parse).
    pub(crate) does_written: bool,
    /// Errors found after a value was fully parsed: reported without stopping the option.
    pub(crate) errors: Vec<syn::Error>,
}

impl Mods {
    /// Whether `key` is a modifier option.
    pub(crate) fn is_option(key: &str) -> bool {
        OPTIONS.contains(&key)
    }

    /// Whether any modifier is given.
    fn is_empty(&self) -> bool {
        self.conds.is_empty()
            && self.default.is_none()
            && self.exclude.is_none()
            && self.resolve.is_empty()
            && self.parameterize.is_none()
            && self.inject.is_empty()
            && self.pipe_input.is_none()
            && self.extract.is_empty()
            && self.pipe_output.is_none()
            && self.mutate.is_none()
            && self.checks.is_empty()
            && self.tag_outputs.is_empty()
            && self.subdag.is_none()
    }

    /// Parses option `key`.
    pub(crate) fn parse(&mut self, key: &str, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        match key {
            "when" | "when_not" | "when_in" | "when_not_in" | "when_fn" | "default" | "exclude" => {
                self.parse_config(key, meta)
            }
            "resolve" => self.parse_resolve(meta),
            "does" => self.parse_does(meta),
            "parameterize" => self.parse_parameterize(meta),
            "inject" => self.parse_inject(meta),
            "pipe_input" => self.parse_pipe_input(meta),
            "pipe_output" => self.parse_pipe_output(meta),
            "mutate" => self.parse_mutate(meta),
            "extract_fields" | "unpack" | "extract_columns" => self.parse_extract(key, meta),
            "check" => self.parse_check(meta),
            "tag_outputs" => self.parse_tag_outputs(meta),
            "subdag" | "parameterized_subdag" => self.parse_subdag(key, meta),
            _ => unreachable!("`{key}` is listed in OPTIONS"),
        }
    }

    /// Checks the options against the function, reporting errors in this order.
    pub(crate) fn check(&self, node: &Node, name: Option<&LitStr>, errors: &mut Errors) {
        let function = Function::new(node, name);
        self.check_variants(&function, errors);
        self.check_bindings(&function, errors);
        self.check_subdag(errors);
        self.check_does(&function, errors);
        self.check_fanout(&function, errors);
        self.check_pipe_input(&function, errors);
        self.check_extract(&function, errors);
        self.check_importances(errors);
        self.check_mutate(&function, errors);
        self.check_tag_outputs(&function, errors);
    }

    /// The expression building the `Vec<Modifier>`, or `None` without modifiers. The
    /// modifiers are listed in this order.
    pub(crate) fn generate(&self, node: &Node, private: &TokenStream) -> Option<TokenStream> {
        if self.is_empty() {
            return None;
        }
        let mut out = Expansion::new(node, private);
        self.generate_config(&mut out);
        self.generate_resolve(&mut out);
        self.generate_subdag(&mut out);
        self.generate_inject(&mut out);
        self.generate_parameterize(&mut out);
        self.generate_pipe_input(&mut out);
        self.generate_extract(&mut out);
        self.generate_pipe_output(&mut out);
        self.generate_mutate(&mut out);
        self.generate_check(&mut out);
        self.generate_tag_outputs(&mut out);
        Some(out.finish())
    }
}

/// The function the options are checked against.
struct Function<'a> {
    node: &'a Node,
    /// The `name = ".."` option.
    name: Option<&'a LitStr>,
    /// Its parameter names.
    params: Vec<String>,
    fn_name: String,
}

impl<'a> Function<'a> {
    fn new(node: &'a Node, name: Option<&'a LitStr>) -> Self {
        Self {
            node,
            name,
            params: node.params.iter().filter_map(|p| p.name()).collect(),
            fn_name: node.fn_name(),
        }
    }

    /// "its parameters are `a`, `b`", for messages.
    fn param_list(&self) -> String {
        if self.params.is_empty() {
            "it takes none".to_string()
        } else {
            format!(
                "its parameters are {}",
                self.params
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// The generated `Modifier` expressions of one function, and what they are built with.
struct Expansion<'a> {
    node: &'a Node,
    /// The path to `hamilton_core::__private`.
    private: &'a TokenStream,
    /// `Modifier`, through `private`.
    modifier: TokenStream,
    /// The type of the function's value (`T` of `Result<T, E>`).
    out_ty: TokenStream,
    /// The `Modifier` expressions, in order.
    items: Vec<TokenStream>,
    /// Statements before the list (e.g. that each `mutate` target is a function in scope).
    checks: Vec<TokenStream>,
}

impl<'a> Expansion<'a> {
    fn new(node: &'a Node, private: &'a TokenStream) -> Self {
        let out_ty = node
            .output
            .as_ref()
            .map(|o| crate::expand::output_value_type(o, private))
            .expect("validation rejects a missing return type");
        Self {
            node,
            private,
            modifier: quote!(#private::Modifier),
            out_ty,
            items: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// The `Binding` expression of `b`, a binding of one of the function's own parameters.
    fn binding(&self, b: &Bind) -> TokenStream {
        let owner = &self.node.func.sig.ident;
        binding(b, self.node, &quote!(#owner), self.private)
    }

    /// The block building the `Vec<Modifier>`.
    fn finish(self) -> TokenStream {
        let Self { items, checks, .. } = self;
        quote! {{
            #(#checks)*
            ::std::vec![#(#items),*]
        }}
    }
}
