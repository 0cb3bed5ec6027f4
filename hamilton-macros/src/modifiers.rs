//! The function modifiers of `#[node(...)]` (`when`, `parameterize`, `pipe_output`, `check`,
//! ...): parsed here from the attribute, checked against the function (every misuse the macro
//! can see is a spanned error), and generated as the `fn() -> Vec<Modifier>` the `NodeDef` points
//! to. hamilton-core applies them when the graph is built, in its documented order.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Path, Token, Type, UnOp};

use crate::ast::{Borrowed, Node, type_name, ungroup};
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

/// A config test.
pub(crate) enum Cond {
    /// `when(k = v)` (`Eq`) or `when_not(k = v)` (`Ne`).
    Is { key: Ident, value: Expr, not: bool },
    /// `when_in(k = [..])` or `when_not_in(k = [..])`.
    In {
        key: Ident,
        values: Vec<Expr>,
        not: bool,
    },
    /// `when_fn(path)`.
    Fn(Path),
}

/// What a parameter is bound to.
pub(crate) enum BindValue {
    /// `source("x")` / `source(x)`.
    Source(String),
    /// `value(expr)`.
    Value(Expr),
    /// `group(a, b, "c")`.
    Group(Vec<String>, Span),
}

/// `param = binding`.
pub(crate) struct Bind {
    pub(crate) param: Ident,
    pub(crate) value: BindValue,
}

/// One output of `parameterize`.
pub(crate) struct Output {
    pub(crate) name: Ident,
    pub(crate) binds: Vec<Bind>,
    pub(crate) doc: Option<LitStr>,
}

/// `step(f, k = value(..)).when(..).named("..")`.
pub(crate) struct StepSpec {
    pub(crate) path: Path,
    pub(crate) binds: Vec<Bind>,
    pub(crate) conds: Vec<Cond>,
    pub(crate) named: Option<LitStr>,
}

/// The multiple-output options.
pub(crate) enum Extract {
    /// `extract_fields` (derive) or `extract_fields(a, b: T)`.
    Fields(Option<Vec<(Ident, Option<Type>)>>),
    /// `unpack(a, _, c)`.
    Unpack(Vec<Option<Ident>>),
    /// `extract_columns(a, "b")`.
    Columns(Vec<LitStr>),
}

/// One `check(...)` option.
#[derive(Default)]
pub(crate) struct CheckOpt {
    pub(crate) validators: Vec<Expr>,
    pub(crate) customs: Vec<Path>,
    pub(crate) importance: Option<LitStr>,
}

/// The inputs and config of a sub-dataflow.
#[derive(Default)]
pub(crate) struct SubdagSpec {
    pub(crate) inputs: Vec<Bind>,
    pub(crate) config: Vec<(Ident, Expr)>,
    pub(crate) namespace: Option<LitStr>,
}

impl SubdagSpec {
    /// Parses `inputs(..)`, `config(..)` or `namespace = ".."`; `false` for another key.
    fn parse_part(
        &mut self,
        meta: &ParseNestedMeta<'_>,
        errors: &mut Vec<syn::Error>,
    ) -> syn::Result<bool> {
        if meta.path.is_ident("inputs") {
            meta.parse_nested_meta(|b| {
                let param = single_ident(&b.path, "an input name")?;
                match bind_value(&b.value()?.parse()?) {
                    Ok(BindValue::Group(_, span)) => errors.push(syn::Error::new(
                        span,
                        "`group` is not supported for sub-dataflow inputs; bind a `source` or a `value`",
                    )),
                    Ok(value) => self.inputs.push(Bind { param, value }),
                    Err(e) => errors.push(e),
                }
                Ok(())
            })?;
            Ok(true)
        } else if meta.path.is_ident("config") {
            meta.parse_nested_meta(|kv| {
                let key = config_key(&kv)?;
                let value: Expr = kv.value()?.parse()?;
                self.config.push((key, value));
                Ok(())
            })?;
            Ok(true)
        } else if meta.path.is_ident("namespace") {
            let ns: LitStr = meta.value()?.parse()?;
            match crate::attr::check_node_name(&ns) {
                Ok(()) => self.namespace = Some(ns),
                Err(e) => errors.push(e),
            }
            Ok(true)
        } else {
            Ok(false)
        }
    }
}

/// `subdag(..)` or `parameterized_subdag(..)`.
pub(crate) struct SubdagOpt {
    pub(crate) modules: Vec<Expr>,
    pub(crate) shared: SubdagSpec,
    /// For `parameterized_subdag`: each output and its own inputs and config.
    pub(crate) outputs: Vec<(Ident, SubdagSpec)>,
    pub(crate) parameterized: bool,
}

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
    pub(crate) parameterize: Option<(Span, Vec<Output>)>,
    pub(crate) inject: Vec<Bind>,
    pub(crate) pipe_input: Option<(Span, Vec<StepSpec>, Option<Ident>)>,
    pub(crate) extract: Vec<(Span, Extract)>,
    pub(crate) pipe_output: Option<(Span, Vec<StepSpec>)>,
    pub(crate) mutate: Option<(Span, Vec<Ident>, Vec<Bind>)>,
    pub(crate) checks: Vec<(Span, CheckOpt)>,
    pub(crate) tag_outputs: Vec<(Ident, String, LitStr)>,
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

    /// Whether the function is a `when` variant (or the default one).
    pub(crate) fn is_variant(&self) -> bool {
        !self.conds.is_empty() || self.default.is_some()
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
        let span = meta.path.span();
        match key {
            "when" | "when_not" | "when_in" | "when_not_in" | "inject" | "parameterize"
            | "tag_outputs"
                if !meta.input.peek(syn::token::Paren) =>
            {
                let example = match key {
                    "when" | "when_not" => "(region = \"UK\")",
                    "when_in" | "when_not_in" => "(region = [\"UK\", \"IE\"])",
                    "inject" => "(param = source(\"node\"))",
                    "parameterize" => "(out_a(param = value(1)), out_b(param = value(2)))",
                    _ => "(output(key = \"value\"))",
                };
                Err(meta.error(format_args!("expected `{key}{example}`")))
            }
            "when" | "when_not" => {
                self.when_spans.push(span);
                let not = key == "when_not";
                meta.parse_nested_meta(|kv| {
                    let key = config_key(&kv)?;
                    let value: Expr = kv.value()?.parse()?;
                    match check_config_literal(&value) {
                        Ok(()) => self.conds.push(Cond::Is { key, value, not }),
                        Err(e) => self.errors.push(e),
                    }
                    Ok(())
                })
            }
            "when_in" | "when_not_in" => {
                self.when_spans.push(span);
                let not = key == "when_not_in";
                meta.parse_nested_meta(|kv| {
                    let key = config_key(&kv)?;
                    match config_list(&kv.value()?.parse()?) {
                        Ok(values) => self.conds.push(Cond::In { key, values, not }),
                        Err(e) => self.errors.push(e),
                    }
                    Ok(())
                })
            }
            "when_fn" => {
                self.when_spans.push(span);
                let path = parenthesized::<Path>(meta, "when_fn(path::to::predicate)")?;
                self.conds.push(Cond::Fn(path));
                Ok(())
            }
            "default" => flag(&mut self.default, meta, "default"),
            "exclude" => flag(&mut self.exclude, meta, "exclude"),
            "resolve" => {
                let path = parenthesized::<Path>(meta, "resolve(path::to::resolver)")?;
                self.resolve.push(path);
                Ok(())
            }
            "does" => {
                self.does_written = true;
                let does = parenthesized::<DoesArgs>(meta, "does(function)")?;
                once(&self.does, meta, "does")?;
                self.does = Some((does.path, does.slice, span));
                Ok(())
            }
            "parameterize" => {
                once(&self.parameterize, meta, "parameterize")?;
                let fork = meta.input.fork();
                let content;
                syn::parenthesized!(content in fork);
                if content.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`parameterize` needs at least one output: `parameterize(out_a(p = value(1)), out_b(p = value(2)))`",
                    ));
                }
                let mut outputs: Vec<Output> = Vec::new();
                meta.parse_nested_meta(|out| {
                    let name = single_ident(&out.path, "an output name")?;
                    if outputs.iter().any(|o| o.name == name) {
                        self.errors.push(syn::Error::new(
                            name.span(),
                            format_args!("duplicate output `{name}`; name each output once"),
                        ));
                    }
                    let mut output = Output {
                        name,
                        binds: Vec::new(),
                        doc: None,
                    };
                    if !out.input.is_empty() && !out.input.peek(Token![,]) {
                        out.parse_nested_meta(|b| {
                            let param = single_ident(&b.path, "a parameter name")?;
                            let expr: Expr = b.value()?.parse()?;
                            if param == "doc"
                                && let Expr::Lit(ExprLit {
                                    lit: Lit::Str(doc), ..
                                }) = &expr
                            {
                                output.doc = Some(doc.clone());
                                return Ok(());
                            }
                            match bind_value(&expr) {
                                Ok(value) => output.binds.push(Bind { param, value }),
                                Err(e) => self.errors.push(e),
                            }
                            Ok(())
                        })?;
                    }
                    outputs.push(output);
                    Ok(())
                })?;
                if outputs.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`parameterize` needs at least one output: `parameterize(out_a(p = value(1)), out_b(p = value(2)))`",
                    ));
                }
                self.parameterize = Some((span, outputs));
                Ok(())
            }
            "inject" => meta.parse_nested_meta(|b| {
                let param = single_ident(&b.path, "a parameter name")?;
                match bind_value(&b.value()?.parse()?) {
                    Ok(value) => self.inject.push(Bind { param, value }),
                    Err(e) => self.errors.push(e),
                }
                Ok(())
            }),
            "pipe_input" => {
                once(&self.pipe_input, meta, "pipe_input")?;
                let exprs = parenthesized_list(meta, "pipe_input(step(f), step(g), ...)")?;
                let mut steps = Vec::new();
                let mut on = None;
                for expr in &exprs {
                    if let Expr::Assign(assign) = expr
                        && path_ident(&assign.left).is_some_and(|i| i == "on_input")
                    {
                        let Some(param) = path_ident(&assign.right) else {
                            return Err(syn::Error::new_spanned(
                                &assign.right,
                                "`on_input` names a parameter: `on_input = spend`",
                            ));
                        };
                        on = Some(param);
                        continue;
                    }
                    match step(expr) {
                        Ok(s) => steps.push(s),
                        Err(e) => self.errors.push(e),
                    }
                }
                if exprs.iter().all(|e| matches!(e, Expr::Assign(_))) {
                    return Err(syn::Error::new(
                        span,
                        "`pipe_input` needs at least one `step(..)`",
                    ));
                }
                self.pipe_input = Some((span, steps, on));
                Ok(())
            }
            "pipe_output" => {
                once(&self.pipe_output, meta, "pipe_output")?;
                let exprs = parenthesized_list(meta, "pipe_output(step(f), step(g), ...)")?;
                let mut steps = Vec::new();
                for expr in &exprs {
                    match step(expr) {
                        Ok(s) => steps.push(s),
                        Err(e) => self.errors.push(e),
                    }
                }
                if exprs.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`pipe_output` needs at least one `step(..)`",
                    ));
                }
                self.pipe_output = Some((span, steps));
                Ok(())
            }
            "mutate" => {
                once(&self.mutate, meta, "mutate")?;
                let exprs = parenthesized_list(meta, "mutate(target_fn, other_fn, k = value(..))")?;
                let mut targets = Vec::new();
                let mut binds = Vec::new();
                for expr in &exprs {
                    match expr {
                        Expr::Assign(assign) => {
                            let Some(param) = path_ident(&assign.left) else {
                                return Err(syn::Error::new_spanned(
                                    &assign.left,
                                    "expected a parameter name",
                                ));
                            };
                            binds.push(Bind {
                                param,
                                value: bind_value(&assign.right)?,
                            });
                        }
                        other => match path_ident(other) {
                            Some(target) => targets.push(target),
                            None => {
                                return Err(syn::Error::new_spanned(
                                    other,
                                    "expected the name of a function of this module to mutate, or `param = value(..)`",
                                ));
                            }
                        },
                    }
                }
                if targets.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`mutate` needs at least one target function: `mutate(spend, signups)`",
                    ));
                }
                self.mutate = Some((span, targets, binds));
                Ok(())
            }
            "extract_fields" => {
                let list = if bare(meta) {
                    None
                } else {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let fields = Punctuated::<FieldSpec, Token![,]>::parse_terminated(&content)?;
                    let mut list: Vec<(Ident, Option<Type>)> = Vec::new();
                    for f in fields {
                        if list.iter().any(|(n, _)| *n == f.name) {
                            return Err(syn::Error::new(
                                f.name.span(),
                                format_args!("duplicate field `{}`", f.name),
                            ));
                        }
                        list.push((f.name, f.ty));
                    }
                    if list.is_empty() {
                        return Err(syn::Error::new(
                            span,
                            "list the fields (`extract_fields(a, b)`), or write `extract_fields` alone to extract every field of a `#[derive(Fields)]` struct",
                        ));
                    }
                    Some(list)
                };
                self.extract.push((span, Extract::Fields(list)));
                Ok(())
            }
            "unpack" => {
                let content;
                syn::parenthesized!(content in meta.input);
                let names = Punctuated::<UnpackName, Token![,]>::parse_terminated(&content)?;
                let names: Vec<Option<Ident>> = names.into_iter().map(|n| n.0).collect();
                if names.iter().all(Option::is_none) {
                    return Err(syn::Error::new(
                        span,
                        "`unpack` needs at least one name: `unpack(train, test)`",
                    ));
                }
                self.extract.push((span, Extract::Unpack(names)));
                Ok(())
            }
            "extract_columns" => {
                let content;
                syn::parenthesized!(content in meta.input);
                let cols = Punctuated::<ColumnName, Token![,]>::parse_terminated(&content)?;
                let cols: Vec<LitStr> = cols.into_iter().map(|c| c.0).collect();
                if cols.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`extract_columns` needs at least one column: `extract_columns(year, week)`",
                    ));
                }
                for (i, c) in cols.iter().enumerate() {
                    crate::attr::check_node_name(c)?;
                    if cols[..i].iter().any(|p| p.value() == c.value()) {
                        return Err(syn::Error::new(
                            c.span(),
                            format_args!("duplicate column `{}`", c.value()),
                        ));
                    }
                }
                self.extract.push((span, Extract::Columns(cols)));
                Ok(())
            }
            "check" => {
                let exprs = parenthesized_list(meta, "check(validator, importance = \"fail\")")?;
                let mut opt = CheckOpt::default();
                for expr in exprs {
                    if let Expr::Assign(assign) = &expr
                        && let Some(key) = path_ident(&assign.left)
                    {
                        if key == "importance" {
                            match &*assign.right {
                                Expr::Lit(ExprLit {
                                    lit: Lit::Str(s), ..
                                }) if matches!(s.value().as_str(), "warn" | "fail") => {
                                    opt.importance = Some(s.clone());
                                }
                                other => {
                                    return Err(syn::Error::new_spanned(
                                        other,
                                        "`importance` is \"warn\" (log and record failures) or \"fail\" (stop the run)",
                                    ));
                                }
                            }
                            continue;
                        }
                        if key == "custom" {
                            let Expr::Path(path) = &*assign.right else {
                                return Err(syn::Error::new_spanned(
                                    &assign.right,
                                    "`custom` names a function `fn(&T) -> Result<(), String>`: `custom = path::to::check`",
                                ));
                            };
                            opt.customs.push(path.path.clone());
                            continue;
                        }
                    }
                    opt.validators.push(expr);
                }
                if opt.validators.is_empty() && opt.customs.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`check` needs a validator: `check(my_crate::positive(), custom = path::to::fn, importance = \"fail\")`",
                    ));
                }
                self.checks.push((span, opt));
                Ok(())
            }
            "tag_outputs" => meta.parse_nested_meta(|out| {
                let output = single_ident(&out.path, "an output name")?;
                out.parse_nested_meta(|kv| {
                    let key = single_ident(&kv.path, "a tag key")?;
                    let value: Expr = kv.value()?.parse()?;
                    let Expr::Lit(ExprLit {
                        lit: Lit::Str(value),
                        ..
                    }) = value
                    else {
                        self.errors.push(syn::Error::new_spanned(
                            value,
                            format_args!("a tag value must be a string literal: `{key} = \"...\"`"),
                        ));
                        return Ok(());
                    };
                    if self
                        .tag_outputs
                        .iter()
                        .any(|(o, k, _)| *o == output && key == k)
                    {
                        self.errors.push(syn::Error::new(
                            key.span(),
                            format_args!("duplicate tag `{key}` for output `{output}`"),
                        ));
                        return Ok(());
                    }
                    self.tag_outputs
                        .push((output.clone(), key.to_string(), value));
                    Ok(())
                })
            }),
            "subdag" | "parameterized_subdag" => {
                if self.subdag.is_some() {
                    return Err(syn::Error::new_spanned(
                        &meta.path,
                        "give one `subdag` or `parameterized_subdag`; for several sub-dataflows, use `parameterized_subdag(.., a(..), b(..))`",
                    ));
                }
                let parameterized = key == "parameterized_subdag";
                let mut opt = SubdagOpt {
                    modules: Vec::new(),
                    shared: SubdagSpec::default(),
                    outputs: Vec::new(),
                    parameterized,
                };
                let mut errors = Vec::new();
                let parsed = meta.parse_nested_meta(|part| {
                    if part.path.is_ident("modules") {
                        let value: Expr = part.value()?.parse()?;
                        let Expr::Array(array) = value else {
                            return Err(syn::Error::new_spanned(
                                value,
                                "`modules` is a list: `modules = [features::MODULE, nodes![a, b]]`",
                            ));
                        };
                        opt.modules = array.elems.into_iter().collect();
                        return Ok(());
                    }
                    if opt.shared.parse_part(&part, &mut errors)? {
                        return Ok(());
                    }
                    if !parameterized {
                        errors.push(part.error(
                            "expected `modules = [..]`, `inputs(..)`, `config(..)` or `namespace = \"..\"` (outputs go in `parameterized_subdag`)",
                        ));
                        if part.input.peek(syn::token::Paren) {
                            let skipped;
                            syn::parenthesized!(skipped in part.input);
                            skipped.parse::<TokenStream>()?;
                        }
                        return Ok(());
                    }
                    let name = single_ident(&part.path, "an output name")?;
                    let mut own = SubdagSpec::default();
                    part.parse_nested_meta(|p| {
                        if own.parse_part(&p, &mut errors)? {
                            Ok(())
                        } else {
                            Err(p.error("expected `inputs(..)`, `config(..)` or `namespace = \"..\"`"))
                        }
                    })?;
                    opt.outputs.push((name, own));
                    Ok(())
                });
                self.errors.extend(errors);
                parsed?;
                if opt.modules.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "give the modules of the sub-dataflow: `modules = [features::MODULE]`",
                    ));
                }
                if parameterized && opt.outputs.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`parameterized_subdag` needs outputs: `parameterized_subdag(modules = [..], uk(config(region = \"UK\")), us(config(region = \"US\")))`",
                    ));
                }
                self.subdag = Some((span, opt));
                Ok(())
            }
            _ => unreachable!("`{key}` is listed in OPTIONS"),
        }
    }

    /// The node name of a `when` variant: the function's name up to its last `__`
    /// (`spend__uk` → `spend`).
    pub(crate) fn variant_name(fn_name: &str) -> Option<&str> {
        fn_name.rfind("__").map(|at| &fn_name[..at])
    }

    /// Checks the options against the function.
    pub(crate) fn check(&self, node: &Node, name: Option<&LitStr>, errors: &mut Errors) {
        let params: Vec<String> = node.params.iter().filter_map(|p| p.name()).collect();
        let param_list = || {
            if params.is_empty() {
                "it takes none".to_string()
            } else {
                format!(
                    "its parameters are {}",
                    params
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        };
        let fn_name = node.fn_name();

        // Variants.
        if let Some(span) = self.default
            && !self.conds.is_empty()
        {
            errors.push(syn::Error::new(
                span,
                "`default` is the variant used when no other variant matches, so it takes no `when` condition; remove the conditions or `default`",
            ));
        }
        if self.is_variant() && name.is_none() {
            let stripped = Self::variant_name(&fn_name);
            if fn_name.ends_with("__") || stripped == Some("") {
                errors.push(syn::Error::new(
                    node.func.sig.ident.span(),
                    format_args!(
                        "`{fn_name}` cannot name a `when` variant: the node name is the function name up to its last `__` (`spend__uk` → `spend`); put a name before and a suffix after `__`, or give `name = \"..\"`"
                    ),
                ));
            }
        }

        // Bindings.
        let check_binds = |binds: &[Bind], errors: &mut Errors| {
            let mut seen: Vec<String> = Vec::new();
            for b in binds {
                let p = b.param.unraw().to_string();
                if !params.contains(&p) {
                    errors.push(syn::Error::new(
                        b.param.span(),
                        format_args!(
                            "`{fn_name}` has no parameter `{p}` to bind; {}",
                            param_list()
                        ),
                    ));
                    continue;
                }
                if seen.contains(&p)
                    || (!std::ptr::eq(binds, self.inject.as_slice())
                        && self.inject.iter().any(|i| i.param.unraw() == p))
                {
                    errors.push(syn::Error::new(
                        b.param.span(),
                        format_args!("parameter `{p}` is bound twice; bind it once"),
                    ));
                }
                seen.push(p.clone());
                if let BindValue::Group(_, span) = &b.value
                    && let Some(param) =
                        node.params.iter().find(|x| x.name().as_deref() == Some(&p))
                    && group_element(&param.read.value).is_none()
                {
                    errors.push(syn::Error::new(
                        *span,
                        format_args!(
                            "`group(..)` gathers several nodes into a `Vec<T>`, but `{p}` reads a `{}`; declare it `&[T]` or `Vec<T>`",
                            param.read.value_name
                        ),
                    ));
                }
            }
        };
        check_binds(&self.inject, errors);
        if let Some((span, outputs)) = &self.parameterize {
            for o in outputs {
                check_binds(&o.binds, errors);
            }
            if let Some(name) = name {
                errors.push(syn::Error::new(
                    name.span(),
                    "`parameterize` names its outputs; remove `name`",
                ));
            }
            if params.iter().any(|p| p == "output_name") {
                errors.push(syn::Error::new(
                    *span,
                    "`{output_name}` in a `parameterize` doc template stands for the output's name, so no parameter may be called `output_name`; rename it",
                ));
            }
        }

        // subdag.
        if let Some((span, _)) = &self.subdag
            && self.parameterize.is_some()
        {
            errors.push(syn::Error::new(
                *span,
                "a function fed by sub-dataflows cannot also be parameterized; use `parameterized_subdag` to get several outputs",
            ));
        }

        // does.
        if let Some((_, true, span)) = &self.does
            && params.is_empty()
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

        // Fan-out nodes: their value is split into items, so nothing may transform it whole.
        if node.output.as_ref().is_some_and(|o| o.parallel.is_some()) {
            let transforms = self
                .pipe_output
                .iter()
                .map(|(span, _)| (*span, "pipe_output"))
                .chain(self.extract.iter().map(|(span, e)| {
                    let option = match e {
                        Extract::Fields(_) => "extract_fields",
                        Extract::Unpack(_) => "unpack",
                        Extract::Columns(_) => "extract_columns",
                    };
                    (*span, option)
                }))
                .chain(self.checks.iter().map(|(span, _)| (*span, "check")));
            for (span, option) in transforms {
                errors.push(syn::Error::new(
                    span,
                    format_args!(
                        "a fan-out node (returning `Parallel<T>`) cannot take `{option}`: its items run the nodes that read it one by one; apply `{option}` to one of those nodes instead"
                    ),
                ));
            }
        }

        // pipe_input.
        if let Some((span, _, on)) = &self.pipe_input {
            match on {
                Some(on) if !params.contains(&on.unraw().to_string()) => {
                    errors.push(syn::Error::new(
                        on.span(),
                        format_args!(
                            "`on_input`: `{fn_name}` has no parameter `{on}`; {}",
                            param_list()
                        ),
                    ))
                }
                None if params.is_empty() => errors.push(syn::Error::new(
                    *span,
                    "`pipe_input` runs its steps on a parameter, but the function takes none",
                )),
                _ => {}
            }
        }

        // Multiple outputs.
        if self.extract.len() > 1 {
            errors.push(syn::Error::new(
                self.extract[1].0,
                "give one of `extract_fields`, `unpack` and `extract_columns`",
            ));
        }
        for (span, extract) in &self.extract {
            if let Extract::Unpack(names) = extract {
                let arity = node
                    .output
                    .as_ref()
                    .and_then(|o| match ungroup(&output_type(o)) {
                        Type::Tuple(t) => Some(t.elems.len()),
                        _ => None,
                    });
                match arity {
                    None => errors.push(syn::Error::new(
                        *span,
                        "`unpack` splits a tuple; the function must return `(A, B, ..)` (or `Result<(A, B, ..), E>`)",
                    )),
                    Some(n) if names.len() > n => errors.push(syn::Error::new(
                        *span,
                        format_args!("`unpack` names {} elements, but the function returns a tuple of {n}", names.len()),
                    )),
                    _ => {}
                }
            }
        }

        // check.
        let importances: Vec<&LitStr> = self
            .checks
            .iter()
            .filter_map(|(_, c)| c.importance.as_ref())
            .collect();
        if let Some(first) = importances.first()
            && let Some(other) = importances.iter().find(|i| i.value() != first.value())
        {
            errors.push(syn::Error::new(
                other.span(),
                "every check of a node has one importance; give `importance` once, or the same in each `check`",
            ));
        }

        // mutate.
        if let Some((span, _, _)) = &self.mutate
            && (self.parameterize.is_some()
                || !self.inject.is_empty()
                || self.pipe_input.is_some()
                || self.pipe_output.is_some()
                || !self.extract.is_empty()
                || !self.checks.is_empty()
                || !self.tag_outputs.is_empty()
                || self.default.is_some())
        {
            errors.push(syn::Error::new(
                *span,
                "a `mutate` function is a step of its targets, not a node: it takes only `when*`, `tag` and `mutate` options",
            ));
        }

        // tag_outputs, when every output is known.
        let derived_fields = self
            .extract
            .iter()
            .any(|(_, e)| matches!(e, Extract::Fields(None)));
        if !derived_fields {
            let mut outputs: Vec<String> = match (&self.parameterize, &self.subdag) {
                (Some((_, o)), _) => o.iter().map(|o| o.name.unraw().to_string()).collect(),
                (None, Some((_, sd))) if sd.parameterized => sd
                    .outputs
                    .iter()
                    .map(|(n, _)| n.unraw().to_string())
                    .collect(),
                _ => vec![match name {
                    Some(n) => n.value(),
                    None if self.is_variant() => {
                        Self::variant_name(&fn_name).unwrap_or(&fn_name).to_string()
                    }
                    None => fn_name.clone(),
                }],
            };
            let multi = outputs.len() > 1;
            let mains = outputs.clone();
            for (_, e) in &self.extract {
                let parts: Vec<String> = match e {
                    Extract::Fields(Some(list)) => {
                        list.iter().map(|(n, _)| n.unraw().to_string()).collect()
                    }
                    Extract::Unpack(names) => names
                        .iter()
                        .flatten()
                        .map(|n| n.unraw().to_string())
                        .collect(),
                    Extract::Columns(cols) => cols.iter().map(LitStr::value).collect(),
                    Extract::Fields(None) => Vec::new(),
                };
                for m in &mains {
                    for p in &parts {
                        outputs.push(if multi { format!("{m}.{p}") } else { p.clone() });
                    }
                }
            }
            for (output, _, _) in &self.tag_outputs {
                let o = output.unraw().to_string();
                if !outputs.contains(&o) {
                    errors.push(syn::Error::new(
                        output.span(),
                        format_args!(
                            "`{o}` is not an output of `{fn_name}`; its outputs are {}",
                            outputs
                                .iter()
                                .map(|p| format!("`{p}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
    }

    /// The expression building the `Vec<Modifier>`, or `None` without modifiers.
    pub(crate) fn generate(&self, node: &Node, private: &TokenStream) -> Option<TokenStream> {
        if self.is_empty() {
            return None;
        }
        let out_ty = node
            .output
            .as_ref()
            .map(|o| crate::expand::output_value_type(o, private))
            .expect("validation rejects a missing return type");
        let m = quote!(#private::Modifier);
        let mut items: Vec<TokenStream> = Vec::new();
        let mut checks: Vec<TokenStream> = Vec::new();
        let own = quote!(Self);

        for cond in &self.conds {
            let c = condition(cond, private);
            items.push(quote!(#m::condition(#c)));
        }
        if self.default.is_some() {
            items.push(quote!(#m::default_variant()));
        }
        if self.exclude.is_some() {
            items.push(quote!(#m::exclude()));
        }
        for path in &self.resolve {
            let text = type_name(path);
            items.push(quote_spanned!(path.span()=> #m::resolve(#text, #path)));
        }
        if let Some((_, sd)) = &self.subdag {
            items.extend(subdag_tokens(sd, private));
        }
        for b in &self.inject {
            let p = b.param.unraw().to_string();
            let binding = binding(b, node, &own, private);
            items.push(quote!(#m::inject(#p, #binding)));
        }
        if let Some((_, outputs)) = &self.parameterize {
            let outputs = outputs.iter().map(|o| {
                let name = o.name.unraw().to_string();
                let binds = o.binds.iter().map(|b| {
                    let p = b.param.unraw().to_string();
                    let binding = binding(b, node, &own, private);
                    quote!(.bind(#p, #binding))
                });
                let doc = o.doc.as_ref().map(|d| quote!(.doc(#d)));
                quote!(#private::Parameterization::new(#name) #(#binds)* #doc)
            });
            items.push(quote!(#m::parameterize([#(#outputs),*])));
        }
        if let Some((_, steps, on)) = &self.pipe_input {
            let steps = steps.iter().map(|s| step_tokens(s, private));
            items.push(match on {
                Some(on) => {
                    let on = on.unraw().to_string();
                    quote!(#m::pipe_input_on(#on, [#(#steps),*]))
                }
                None => quote!(#m::pipe_input([#(#steps),*])),
            });
        }
        for (_, extract) in &self.extract {
            items.push(match extract {
                Extract::Fields(None) => quote!(#m::extract_fields(<#out_ty as #private::Fields>::fields())),
                Extract::Fields(Some(list)) => {
                    let fields = list.iter().map(|(name, ty)| {
                        let text = name.unraw().to_string();
                        let ret = ty.as_ref().map(|t| quote!(-> #t));
                        quote_spanned!(name.span()=> #private::Field::new(#text, |v: &#out_ty| #ret { ::core::clone::Clone::clone(&v.#name) }))
                    });
                    quote!(#m::extract_fields([#(#fields),*]))
                }
                Extract::Unpack(names) => {
                    let fields = names.iter().enumerate().filter_map(|(i, name)| {
                        let name = name.as_ref()?;
                        let text = name.unraw().to_string();
                        let index = syn::Index::from(i);
                        Some(quote_spanned!(name.span()=> #private::Field::new(#text, |v: &#out_ty| ::core::clone::Clone::clone(&v.#index))))
                    });
                    quote!(#m::extract_fields([#(#fields),*]))
                }
                Extract::Columns(cols) => quote!(#m::extract_columns([#(#cols),*])),
            });
        }
        if let Some((_, steps)) = &self.pipe_output {
            let steps = steps.iter().map(|s| step_tokens(s, private));
            items.push(quote!(#m::pipe_output([#(#steps),*])));
        }
        if let Some((_, targets, binds)) = &self.mutate {
            let names = targets.iter().map(|t| t.unraw().to_string());
            let binds = binds.iter().map(|b| {
                let p = b.param.unraw().to_string();
                let binding = binding(b, node, &own, private);
                quote!((#p, #binding))
            });
            // Each target must be a function in scope (spanned on the target).
            for t in targets {
                checks.push(quote_spanned!(t.span()=> let _ = #t;));
            }
            items.push(quote! {
                #m::mutate([#(#names),*], {
                    let bindings: ::std::vec::Vec<(&'static str, #private::Binding)> = ::std::vec![#(#binds),*];
                    bindings
                })
            });
        }
        if !self.checks.is_empty() {
            // After `pipe_output` the checked value's type is the last step's: inferred from the
            // validators then, and compared when the graph is built.
            let ty = if self.pipe_output.is_some() {
                quote!(_)
            } else {
                out_ty.clone()
            };
            let mut validators: Vec<TokenStream> = Vec::new();
            let mut importance = quote!(Warn);
            for (_, c) in &self.checks {
                for v in &c.validators {
                    validators.push(quote_spanned!(v.span()=> {
                        let validator: ::std::sync::Arc<dyn #private::Validator<#ty>> = #v;
                        validator
                    }));
                }
                for path in &c.customs {
                    let name = path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default();
                    validators.push(
                        quote_spanned!(path.span()=> #private::check_fn::<#ty>(#name, #path)),
                    );
                }
                if let Some(i) = &c.importance {
                    importance = if i.value() == "fail" {
                        quote!(Fail)
                    } else {
                        quote!(Warn)
                    };
                }
            }
            items.push(quote!(#m::check::<#ty>(::std::vec![#(#validators),*], #private::Importance::#importance)));
        }
        for (output, key, value) in &self.tag_outputs {
            let output = output.unraw().to_string();
            items.push(quote!(#m::tag_output(#output, #key, #value)));
        }
        Some(quote! {{
            #(#checks)*
            ::std::vec![#(#items),*]
        }})
    }
}

/// The `Modifier::subdag` expressions of a `subdag` / `parameterized_subdag` option.
fn subdag_tokens(sd: &SubdagOpt, private: &TokenStream) -> Vec<TokenStream> {
    let modules = &sd.modules;
    let build = |own: Option<(&Ident, &SubdagSpec)>| {
        let mut inputs: Vec<&Bind> = Vec::new();
        if let Some((_, own)) = own {
            inputs.extend(&own.inputs);
        }
        for b in &sd.shared.inputs {
            if !inputs.iter().any(|i| i.param == b.param) {
                inputs.push(b);
            }
        }
        let inputs = inputs.iter().map(|b| {
            let p = b.param.unraw().to_string();
            let binding = match &b.value {
                BindValue::Source(s) => quote!(#private::Binding::source(#s)),
                BindValue::Value(e) => quote_spanned!(e.span()=> #private::Binding::value(#e)),
                BindValue::Group(..) => quote!(::core::unreachable!()),
            };
            quote!(.input(#p, #binding))
        });
        let configs = sd
            .shared
            .config
            .iter()
            .chain(own.iter().flat_map(|(_, o)| o.config.iter()))
            .map(|(k, v)| {
                let k = k.unraw().to_string();
                quote_spanned!(v.span()=> .set(#k, #v))
            });
        let namespace = own
            .and_then(|(_, o)| o.namespace.as_ref())
            .or(sd.shared.namespace.as_ref())
            .map(|ns| quote!(.namespace(#ns)));
        let output = own.map(|(name, _)| {
            let name = name.unraw().to_string();
            quote!(.output(#name))
        });
        quote! {
            #private::Modifier::subdag(
                #private::Subdag::new([#(#modules),*])
                    #(#inputs)*
                    .config(#private::Config::new() #(#configs)*)
                    #namespace
                    #output
            )
        }
    };
    if sd.parameterized {
        sd.outputs
            .iter()
            .map(|(n, o)| build(Some((n, o))))
            .collect()
    } else {
        vec![build(None)]
    }
}

/// The `Condition` expression of `cond`.
fn condition(cond: &Cond, private: &TokenStream) -> TokenStream {
    let c = quote!(#private::Condition);
    let v = quote!(#private::ConfigValue);
    match cond {
        Cond::Is { key, value, not } => {
            let key = key.unraw().to_string();
            if *not {
                quote!(#c::ne(#key, #value))
            } else {
                quote!(#c::eq(#key, #value))
            }
        }
        Cond::In { key, values, not } => {
            let key = key.unraw().to_string();
            let values = values.iter().map(|x| quote!(#v::from(#x)));
            if *not {
                quote!(#c::not_in(#key, [#(#values),*]))
            } else {
                quote!(#c::is_in(#key, [#(#values),*]))
            }
        }
        Cond::Fn(path) => {
            let text = type_name(path);
            quote_spanned!(path.span()=> #c::custom(#text, #path))
        }
    }
}

/// The `Binding` expression of `b`, a parameter of the function whose hidden struct is `owner`.
fn binding(b: &Bind, node: &Node, owner: &TokenStream, private: &TokenStream) -> TokenStream {
    let binding = quote!(#private::Binding);
    match &b.value {
        BindValue::Source(s) => quote!(#binding::source(#s)),
        BindValue::Value(expr) => {
            let p = b.param.unraw().to_string();
            let plain = node
                .params
                .iter()
                .find(|x| x.name().as_deref() == Some(&p))
                .is_some_and(|x| x.read.borrowed == Borrowed::Plain);
            value_binding(&b.param, expr, owner, plain, private)
        }
        BindValue::Group(members, span) => {
            let p = b.param.unraw().to_string();
            let elem = node
                .params
                .iter()
                .find(|x| x.name().as_deref() == Some(&p))
                .and_then(|x| group_element(&x.read.value));
            match elem {
                Some(elem) => quote_spanned!(*span=> #binding::group::<#elem>([#(#members),*])),
                None => quote!(::core::unreachable!()),
            }
        }
    }
}

/// `value(expr)` for parameter `param` of the node whose hidden struct is `owner`: typed by the
/// parameter through its generated binder, so a literal of the wrong type is an error on it.
fn value_binding(
    param: &Ident,
    expr: &Expr,
    owner: &TokenStream,
    plain: bool,
    private: &TokenStream,
) -> TokenStream {
    let binder = binder_ident(&param.unraw().to_string(), param.span());
    let text = match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => s.value(),
        other => type_name(other),
    };
    // A parameter known to read its own type takes the expression as is (the best message
    // for a wrong literal); `&str`, `&[T]` and the parameters of other functions' steps convert
    // through `IntoLiteral`.
    let make = if plain {
        quote_spanned!(expr.span()=> || #expr)
    } else {
        let convert = respan(quote!(#private::IntoLiteral::into_literal), expr.span());
        quote_spanned!(expr.span()=> || #convert(#expr))
    };
    quote!(#private::Binding::value_with(#owner::#binder(#make), #text))
}

/// `tokens` with every span set to `span`, so that an error in them points there.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let proc_macro2::TokenTree::Group(g) = &t {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                t = group.into();
            } else {
                t.set_span(span);
            }
            t
        })
        .collect()
}

/// The name of the binder a `#[node]` generates for parameter `param`.
fn binder_ident(param: &str, span: Span) -> Ident {
    format_ident!("__hamilton_value_{}", param, span = span)
}

/// The per-parameter binders `#[node]` generates on its hidden struct, used by `value(..)`
/// bindings (its own, and those of `step(this_fn, p = value(..))` elsewhere).
pub(crate) fn binders(node: &Node, vis: &syn::Visibility) -> TokenStream {
    let binders = node.params.iter().filter_map(|param| {
        let name = param.name()?;
        let ident = binder_ident(&name, Span::call_site());
        let value = &param.read.value;
        let doc = format!("Binds parameter `{name}` to a literal (generated by `#[node]`).");
        // No bound on the value type here: a parameter type that cannot be a node value is
        // reported once, on the parameter, not again on its binder.
        Some(quote! {
            #[doc = #doc]
            #[doc(hidden)]
            #[allow(dead_code, unreachable_pub, non_snake_case)]
            #vis fn #ident(make: fn() -> #value) -> fn() -> #value {
                make
            }
        })
    });
    quote!(#(#binders)*)
}

/// The `Step` expression of a step.
fn step_tokens(s: &StepSpec, private: &TokenStream) -> TokenStream {
    let path = &s.path;
    let owner = quote!(<#path>);
    let def = quote_spanned!(path.span()=> <#path as #private::NodeSpec>::DEF);
    let binds = s.binds.iter().map(|b| {
        let p = b.param.unraw().to_string();
        let binding = match &b.value {
            BindValue::Source(src) => quote!(#private::Binding::source(#src)),
            BindValue::Value(expr) => value_binding(&b.param, expr, &owner, false, private),
            BindValue::Group(..) => quote!(::core::unreachable!()),
        };
        quote!(.bind(#p, #binding))
    });
    let conds = s.conds.iter().map(|c| {
        let c = condition(c, private);
        quote!(.condition(#c))
    });
    let named = s.named.as_ref().map(|n| quote!(.named(#n)));
    quote!(#private::Step::of(#def) #(#binds)* #(#conds)* #named)
}

/// `T` when `value` (a parameter's value type) is `Vec<T>`.
fn group_element(value: &Type) -> Option<Type> {
    let Type::Path(p) = ungroup(value) else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The produced value's type as written (`T` of `Result<T, E>`).
fn output_type(output: &crate::ast::Output) -> Type {
    if output.fallible
        && let Type::Path(p) = ungroup(&output.ty)
        && let Some(last) = p.path.segments.last()
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(t)) = args.args.first()
    {
        return t.clone();
    }
    output.ty.clone()
}

// ---- parsing helpers -------------------------------------------------------------------------

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

/// `name` or `name: Type` in `extract_fields(..)`.
struct FieldSpec {
    name: Ident,
    ty: Option<Type>,
}

impl Parse for FieldSpec {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name = Ident::parse_any(input)?;
        let ty = if input.parse::<Option<Token![:]>>()?.is_some() {
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Self { name, ty })
    }
}

/// A name or `_` in `unpack(..)`.
struct UnpackName(Option<Ident>);

impl Parse for UnpackName {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.parse::<Option<Token![_]>>()?.is_some() {
            return Ok(Self(None));
        }
        Ok(Self(Some(input.parse()?)))
    }
}

/// A column: an identifier or a string literal.
struct ColumnName(LitStr);

impl Parse for ColumnName {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return Ok(Self(input.parse()?));
        }
        let ident = Ident::parse_any(input)?;
        Ok(Self(LitStr::new(&ident.unraw().to_string(), ident.span())))
    }
}

/// Whether the option is written alone (`extract_fields`, `default`).
fn bare(meta: &ParseNestedMeta<'_>) -> bool {
    meta.input.is_empty() || meta.input.peek(Token![,])
}

/// A flag option (`default`, `exclude`).
fn flag(slot: &mut Option<Span>, meta: &ParseNestedMeta<'_>, option: &str) -> syn::Result<()> {
    if !bare(meta) {
        return Err(meta.error(format_args!(
            "`{option}` takes no value: write `{option}` alone"
        )));
    }
    once(slot, meta, option)?;
    *slot = Some(meta.path.span());
    Ok(())
}

/// Errors when the option was given before.
fn once<T>(slot: &Option<T>, meta: &ParseNestedMeta<'_>, option: &str) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            &meta.path,
            format_args!("duplicate `{option}` option; give it once"),
        ));
    }
    Ok(())
}

/// `(T)` after the option.
fn parenthesized<T: Parse>(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<T> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format_args!("expected `{example}`")));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let value = content.parse()?;
    if !content.is_empty() {
        return Err(content.error(format_args!("unexpected tokens; expected `{example}`")));
    }
    Ok(value)
}

/// `(expr, expr, ...)` after the option.
fn parenthesized_list(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<Vec<Expr>> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format_args!("expected `{example}`")));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    Ok(Punctuated::<Expr, Token![,]>::parse_terminated(&content)?
        .into_iter()
        .collect())
}

/// A single-identifier path.
fn single_ident(path: &Path, what: &str) -> syn::Result<Ident> {
    path.get_ident()
        .cloned()
        .ok_or_else(|| syn::Error::new_spanned(path, format_args!("expected {what}")))
}

/// The key of a `when` pair.
fn config_key(kv: &ParseNestedMeta<'_>) -> syn::Result<Ident> {
    single_ident(&kv.path, "a config key: `when(region = \"UK\")`")
}

/// The identifier an expression is, if it is a single identifier.
fn path_ident(expr: &Expr) -> Option<Ident> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
        _ => None,
    }
}

/// Checks that a `when` value is a literal: a string, number (maybe negative) or bool.
fn check_config_literal(expr: &Expr) -> syn::Result<()> {
    let ok = match expr {
        Expr::Lit(ExprLit { lit, .. }) => {
            matches!(
                lit,
                Lit::Str(_) | Lit::Int(_) | Lit::Float(_) | Lit::Bool(_)
            )
        }
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => matches!(
            &*u.expr,
            Expr::Lit(ExprLit {
                lit: Lit::Int(_) | Lit::Float(_),
                ..
            })
        ),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            expr,
            "a config value in `when` is a literal: a string, a number or a bool (`when(region = \"UK\", window = 3)`)",
        ))
    }
}

/// The literals of `[a, b]` in `when_in(k = [a, b])`.
fn config_list(expr: &Expr) -> syn::Result<Vec<Expr>> {
    let Expr::Array(array) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            "`when_in` / `when_not_in` take a list of literals: `when_in(region = [\"UK\", \"IE\"])`",
        ));
    };
    if array.elems.is_empty() {
        return Err(syn::Error::new_spanned(
            expr,
            "the list is empty; give at least one value",
        ));
    }
    for e in &array.elems {
        check_config_literal(e)?;
    }
    Ok(array.elems.iter().cloned().collect())
}

/// `source("x")`, `value(expr)` or `group(a, b)`.
fn bind_value(expr: &Expr) -> syn::Result<BindValue> {
    const EXPECTED: &str = "expected `source(\"node\")`, `value(literal)` or `group(a, b, ..)`";
    let Expr::Call(call) = expr else {
        return Err(syn::Error::new_spanned(expr, EXPECTED));
    };
    let Some(func) = path_ident(&call.func) else {
        return Err(syn::Error::new_spanned(&call.func, EXPECTED));
    };
    let args: Vec<&Expr> = call.args.iter().collect();
    match func.to_string().as_str() {
        "source" => match args.as_slice() {
            [arg] => node_name(arg).map(BindValue::Source),
            _ => Err(syn::Error::new_spanned(
                expr,
                "`source` takes one node name: `source(\"spend\")`",
            )),
        },
        "value" => match args.as_slice() {
            [arg] => Ok(BindValue::Value((*arg).clone())),
            _ => Err(syn::Error::new_spanned(
                expr,
                "`value` takes one expression: `value(2.5)`",
            )),
        },
        "group" => {
            if args.is_empty() {
                return Err(syn::Error::new_spanned(
                    expr,
                    "`group` takes the nodes to gather: `group(a, b, c)`",
                ));
            }
            let members = args
                .iter()
                .map(|a| match a {
                    Expr::Call(inner)
                        if path_ident(&inner.func).is_some_and(|f| f == "source")
                            && inner.args.len() == 1 =>
                    {
                        node_name(&inner.args[0])
                    }
                    other => node_name(other),
                })
                .collect::<syn::Result<Vec<_>>>()?;
            Ok(BindValue::Group(members, expr.span()))
        }
        _ => Err(syn::Error::new_spanned(&call.func, EXPECTED)),
    }
}

/// A node name: an identifier or a string literal (which may hold dots).
fn node_name(expr: &Expr) -> syn::Result<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            crate::attr::check_node_name(s)?;
            Ok(s.value())
        }
        other => path_ident(other)
            .map(|i| i.unraw().to_string())
            .ok_or_else(|| {
                syn::Error::new_spanned(other, "expected a node name: `spend` or `\"ns.spend\"`")
            }),
    }
}

/// `step(f, k = value(..))`, with `.when*(..)` and `.named("..")`; a bare `f` is `step(f)`.
fn step(expr: &Expr) -> syn::Result<StepSpec> {
    const EXPECTED: &str = "expected `step(function, param = value(..), ..)`, optionally followed by `.when(key = value)` or `.named(\"name\")`";
    match expr {
        Expr::MethodCall(call) => {
            let mut s = step(&call.receiver)?;
            let method = call.method.to_string();
            match method.as_str() {
                "when" | "when_not" | "when_in" | "when_not_in" => {
                    for arg in &call.args {
                        let Expr::Assign(assign) = arg else {
                            return Err(syn::Error::new_spanned(arg, "expected `key = value`"));
                        };
                        let Some(key) = path_ident(&assign.left) else {
                            return Err(syn::Error::new_spanned(
                                &assign.left,
                                "expected a config key",
                            ));
                        };
                        let not = method.contains("not");
                        if method.ends_with("in") {
                            let values = config_list(&assign.right)?;
                            s.conds.push(Cond::In { key, values, not });
                        } else {
                            check_config_literal(&assign.right)?;
                            s.conds.push(Cond::Is {
                                key,
                                value: (*assign.right).clone(),
                                not,
                            });
                        }
                    }
                    Ok(s)
                }
                "named" => match call.args.first() {
                    Some(Expr::Lit(ExprLit {
                        lit: Lit::Str(name),
                        ..
                    })) if call.args.len() == 1 => {
                        crate::attr::check_node_name(name)?;
                        s.named = Some(name.clone());
                        Ok(s)
                    }
                    _ => Err(syn::Error::new_spanned(
                        call,
                        "`.named` takes a string: `.named(\"clean\")`",
                    )),
                },
                _ => Err(syn::Error::new_spanned(&call.method, EXPECTED)),
            }
        }
        Expr::Call(call) if path_ident(&call.func).is_some_and(|f| f == "step") => {
            let mut args = call.args.iter();
            let Some(Expr::Path(function)) = args.next() else {
                return Err(syn::Error::new_spanned(
                    call,
                    "`step` takes the step function first: `step(normalize, k = value(2.0))`",
                ));
            };
            let mut binds = Vec::new();
            for arg in args {
                let Expr::Assign(assign) = arg else {
                    return Err(syn::Error::new_spanned(
                        arg,
                        "bind the step's other parameters by name: `step(f, k = value(2.0), base = source(\"x\"))`",
                    ));
                };
                let Some(param) = path_ident(&assign.left) else {
                    return Err(syn::Error::new_spanned(
                        &assign.left,
                        "expected a parameter name",
                    ));
                };
                let value = bind_value(&assign.right)?;
                if matches!(value, BindValue::Group(..)) {
                    return Err(syn::Error::new_spanned(
                        &assign.right,
                        "`group` is not supported in steps; bind a `source` or a `value`",
                    ));
                }
                binds.push(Bind { param, value });
            }
            Ok(StepSpec {
                path: function.path.clone(),
                binds,
                conds: Vec::new(),
                named: None,
            })
        }
        Expr::Path(p) if p.qself.is_none() => Ok(StepSpec {
            path: p.path.clone(),
            binds: Vec::new(),
            conds: Vec::new(),
            named: None,
        }),
        _ => Err(syn::Error::new_spanned(expr, EXPECTED)),
    }
}

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
