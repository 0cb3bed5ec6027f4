//! Applying modifiers when the graph is built: each module's nodes and the config in, the final
//! nodes out, every problem collected as a [`BuildError`].
//!
//! The order is fixed and documented in the [module docs](super): config selection, `resolve`,
//! `does`, expansion, `pipe_input`, fields and columns, `pipe_output`/`mutate`, `check`,
//! `tag_outputs`.

use std::any::TypeId;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::binding::{BindingKind, Bindings};
use super::fields::column_extractors;
use super::messages::{origin, quoted};
use super::{
    CheckSpec, ColumnExtractor, Condition, Field, Kind, Modifier, Parameterization, Step, Subdag,
};
use crate::error::BuildError;
use crate::module::{EmptyModuleReason, Module};
use crate::node::{Node, Param};
use crate::types::ParamKind;
use crate::values::Config;

/// The nodes of each module after every modifier is applied (or why a module has none).
pub(crate) fn resolve_modules(
    modules: &[Module],
    config: &Config,
    errors: &mut Vec<BuildError>,
) -> Vec<Result<Vec<Node>, EmptyModuleReason>> {
    let mut resolver = Resolver {
        config,
        errors,
        extractors: None,
        dropped: Vec::new(),
    };
    let resolved: Vec<_> = modules
        .iter()
        .map(|module| {
            module.nodes().map(|nodes| {
                if nodes.iter().all(|n| n.modifiers().is_empty()) {
                    nodes
                } else {
                    resolver.module(nodes)
                }
            })
        })
        .collect();
    let dropped = std::mem::take(&mut resolver.dropped);
    if !dropped.is_empty() {
        let all = || resolved.iter().flatten().flatten();
        let provided: HashSet<&str> = all().map(Node::name).chain(config.keys()).collect();
        for d in dropped {
            if d.missing.is_empty() || provided.contains(d.name.as_str()) {
                continue;
            }
            let mut needed_by: Vec<String> = all()
                .filter(|n| {
                    n.params()
                        .iter()
                        .any(|p| p.name() == d.name && !p.is_optional())
                })
                .map(|n| n.name().to_string())
                .collect();
            if needed_by.is_empty() {
                continue;
            }
            needed_by.sort();
            errors.push(BuildError::MissingConfig {
                name: d.name,
                needed_by,
                variants: d.variants,
                keys: d.missing,
            });
        }
    }
    resolved
}

/// A node name none of whose variants was selected.
struct Dropped {
    name: String,
    /// (function, conditions) of each variant.
    variants: Vec<(String, String)>,
    /// Config keys that are not set and that a variant needs.
    missing: Vec<String>,
}

struct Resolver<'a> {
    config: &'a Config,
    errors: &'a mut Vec<BuildError>,
    extractors: Option<HashMap<TypeId, ColumnExtractor>>,
    dropped: Vec<Dropped>,
}

/// A `when` variant: a node with conditions, or the default.
struct Variant {
    node: Node,
    conditions: Vec<Condition>,
    default: bool,
}

impl Variant {
    fn describe(&self) -> String {
        if self.default {
            "`default`".to_string()
        } else {
            self.conditions
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// The public outputs of one function, for `tag_outputs`.
type Finals = Vec<usize>;

impl Resolver<'_> {
    fn error(&mut self, node: &Node, option: &str, problem: impl Into<String>) {
        self.errors.push(BuildError::Modifier {
            node: node.name().to_string(),
            at: origin(node),
            option: option.to_string(),
            problem: problem.into(),
        });
    }

    /// Resolves the nodes of one module.
    fn module(&mut self, nodes: Vec<Node>) -> Vec<Node> {
        let known: HashSet<String> = nodes
            .iter()
            .flat_map(|n| [n.name().to_string(), n.function().to_string()])
            .collect();
        // (1) Config selection.
        let selected = self.select(nodes);

        // (7, collected first) `mutate`: transforms become steps of their targets.
        let (mut mutators, functions): (Vec<Node>, Vec<Node>) =
            selected.into_iter().partition(|n| {
                n.modifiers()
                    .iter()
                    .any(|m| matches!(m.kind, Kind::Mutate { .. }))
            });
        mutators.sort_by(|a, b| {
            (a.location().map(|l| (l.file, l.line)), a.name())
                .cmp(&(b.location().map(|l| (l.file, l.line)), b.name()))
        });
        let mut mutations: HashMap<Arc<str>, Vec<Step>> = HashMap::new();
        for mutator in mutators {
            let step_node = mutator.clone().without_modifiers();
            for m in mutator.modifiers() {
                let Kind::Mutate { targets, bindings } = &m.kind else {
                    continue;
                };
                for target in targets {
                    let exists = functions
                        .iter()
                        .any(|f| f.function() == &**target || f.name() == &**target);
                    if !exists && !known.contains(&**target) {
                        let mut names: Vec<&str> = functions.iter().map(Node::function).collect();
                        names.sort_unstable();
                        self.error(
                            &mutator,
                            "mutate",
                            format!(
                                "no function `{target}` in this module; `mutate` applies to functions of its own module (here: {})",
                                quoted(names.iter().copied())
                            ),
                        );
                        continue;
                    }
                    let mut step = Step::new(step_node.clone());
                    step.bindings = bindings.clone();
                    mutations.entry(target.clone()).or_default().push(step);
                }
            }
        }

        let mut out = Vec::new();
        for node in functions {
            self.function(node, &mutations, &mut out);
        }
        out
    }

    /// (1) Keeps the nodes whose `when` conditions hold, one variant per name.
    fn select(&mut self, nodes: Vec<Node>) -> Vec<Node> {
        let mut keep = Vec::with_capacity(nodes.len());
        let mut groups: BTreeMap<String, Vec<Variant>> = BTreeMap::new();
        for node in nodes {
            let mut conditions = Vec::new();
            let mut default = false;
            let mut exclude = false;
            for m in node.modifiers() {
                match &m.kind {
                    Kind::When(c) => conditions.push(c.clone()),
                    Kind::Default => default = true,
                    Kind::Exclude => exclude = true,
                    _ => {}
                }
            }
            if exclude {
                continue;
            }
            if default && !conditions.is_empty() {
                self.error(
                    &node,
                    "default",
                    "a `default` variant is used when no other variant matches, so it takes no `when` condition; remove the conditions or `default`",
                );
                continue;
            }
            if conditions.is_empty() && !default {
                keep.push(node);
                continue;
            }
            groups
                .entry(node.name().to_string())
                .or_default()
                .push(Variant {
                    node,
                    conditions,
                    default,
                });
        }
        for (name, variants) in groups {
            let matching: Vec<usize> = (0..variants.len())
                .filter(|&i| {
                    !variants[i].default
                        && variants[i].conditions.iter().all(|c| c.holds(self.config))
                })
                .collect();
            let defaults: Vec<usize> = (0..variants.len())
                .filter(|&i| variants[i].default)
                .collect();
            let chosen = match (matching.len(), defaults.len()) {
                (1, _) => Some(matching[0]),
                (0, 1) => Some(defaults[0]),
                (0, 0) => {
                    let mut missing: Vec<String> = variants
                        .iter()
                        .flat_map(|v| &v.conditions)
                        .filter_map(|c| c.missing_key(self.config))
                        .map(str::to_string)
                        .collect();
                    missing.sort();
                    missing.dedup();
                    self.dropped.push(Dropped {
                        name: name.clone(),
                        variants: variants
                            .iter()
                            .map(|v| (v.node.function().to_string(), v.describe()))
                            .collect(),
                        missing,
                    });
                    None
                }
                _ => {
                    let clashing = if matching.len() > 1 {
                        &matching
                    } else {
                        &defaults
                    };
                    let mut described: Vec<(String, String, String)> = clashing
                        .iter()
                        .map(|&i| {
                            let v = &variants[i];
                            (v.node.function().to_string(), origin(&v.node), v.describe())
                        })
                        .collect();
                    described.sort();
                    self.errors.push(BuildError::ConflictingVariants {
                        name: name.clone(),
                        variants: described,
                    });
                    Some(clashing[0])
                }
            };
            if let Some(i) = chosen {
                keep.push(variants.into_iter().nth(i).expect("chosen index").node);
            }
        }
        keep
    }

    /// (2)–(9) for one selected function: its final nodes are pushed to `out`.
    fn function(
        &mut self,
        node: Node,
        mutations: &HashMap<Arc<str>, Vec<Step>>,
        out: &mut Vec<Node>,
    ) {
        let mut modifiers: Vec<Modifier> = node.modifiers().to_vec();
        let mut base = node.without_modifiers();

        // (2) resolve: config-driven modifiers join their own phase.
        let resolvers: Vec<(Arc<str>, _)> = modifiers
            .iter()
            .filter_map(|m| match &m.kind {
                Kind::Resolve { name, f } => Some((name.clone(), f.clone())),
                _ => None,
            })
            .collect();
        for (name, f) in resolvers {
            match f(self.config) {
                Ok(more) => {
                    for m in more {
                        match m.kind {
                            Kind::Exclude => return,
                            Kind::When(_)
                            | Kind::Default
                            | Kind::Resolve { .. }
                            | Kind::Mutate { .. } => self.error(
                                &base,
                                "resolve",
                                format!(
                                    "resolver `{name}` returned `{}`, which cannot be decided after config selection; write it in the attribute instead",
                                    m.option()
                                ),
                            ),
                            _ => modifiers.push(m),
                        }
                    }
                }
                Err(problem) => {
                    self.error(
                        &base,
                        "resolve",
                        format!("resolver `{name}` failed: {problem}"),
                    );
                    return;
                }
            }
        }

        // (3) does: another function's code.
        for m in &modifiers {
            if let Kind::Does(implementation) = &m.kind {
                base = self.does(base, implementation);
            }
        }

        // (3) generation: sub-dataflows, each feeding one output.
        let mut outputs: Vec<Parameterization> = Vec::new();
        let subdags: Vec<&Subdag> = modifiers
            .iter()
            .filter_map(|m| match &m.kind {
                Kind::Subdag(sd) => Some(&**sd),
                _ => None,
            })
            .collect();
        let from_subdags = !subdags.is_empty();
        if from_subdags
            && modifiers
                .iter()
                .any(|m| matches!(m.kind, Kind::Parameterize(_)))
        {
            self.error(
                &base,
                "subdag",
                "a function fed by sub-dataflows cannot also be parameterized; give each sub-dataflow its own output (`parameterized_subdag`) instead",
            );
            return;
        }
        for sd in subdags {
            let name: Arc<str> = sd.output.clone().unwrap_or_else(|| base.name().into());
            let namespace = sd.namespace.clone().unwrap_or_else(|| name.clone());
            let inner = self.subdag(sd, &namespace, &base, out);
            let mut output = Parameterization::new(name);
            for p in base.params() {
                if inner.contains(p.name()) {
                    output = output.bind(
                        p.name(),
                        super::Binding::source(format!("{namespace}.{}", p.name())),
                    );
                }
            }
            outputs.push(output);
        }

        // (4) expansion: parameterize / inject.
        let mut injected: Bindings = Vec::new();
        let mut parameterized = from_subdags;
        for m in &modifiers {
            match &m.kind {
                Kind::Inject(p, b) => injected.push((p.clone(), b.clone())),
                Kind::Parameterize(o) => {
                    parameterized = true;
                    outputs.extend(o.iter().cloned());
                }
                _ => {}
            }
        }
        if outputs.is_empty() {
            outputs.push(Parameterization::new(base.name()));
        }
        let multi = outputs.len() > 1;
        let option = if parameterized {
            "parameterize"
        } else {
            "inject"
        };
        let mut finals: Finals = Vec::new();
        for output in outputs {
            let mut bindings = injected.clone();
            bindings.extend(output.bindings.iter().cloned());
            let Some(mut node) = self.bind(&base, &output.name, &bindings, option, &base, out)
            else {
                continue;
            };
            if parameterized && !from_subdags {
                let template = output.doc.clone().unwrap_or_else(|| base.doc().into());
                let doc = doc_template(&template, &base, &output.name, &bindings);
                node = node.with_doc(doc);
            }

            // (5) pipe_input. Step names are unique per output, across both pipelines.
            let mut used = HashSet::new();
            for m in &modifiers {
                if let Kind::PipeInput { on, steps } = &m.kind {
                    node = self.pipe_input(node, &base, on.as_deref(), steps, &mut used, out);
                }
            }

            // (6) fields and columns.
            let prefix = if multi {
                format!("{}.", node.name())
            } else {
                String::new()
            };
            for m in &modifiers {
                match &m.kind {
                    Kind::ExtractFields(fields) => {
                        self.fields(&node, fields, &prefix, out, &mut finals)
                    }
                    Kind::ExtractColumns { columns, extractor } => self.columns(
                        &node,
                        columns,
                        extractor.as_ref(),
                        &prefix,
                        out,
                        &mut finals,
                    ),
                    _ => {}
                }
            }

            // (7) pipe_output, then `mutate` steps in source order.
            let mut steps: Vec<&Step> = Vec::new();
            for m in &modifiers {
                if let Kind::PipeOutput(s) = &m.kind {
                    steps.extend(s.iter());
                }
            }
            let mut targets = vec![base.function()];
            if base.name() != base.function() {
                targets.push(base.name());
            }
            for target in targets {
                if let Some(s) = mutations.get(target) {
                    steps.extend(s.iter());
                }
            }
            let final_name: Arc<str> = node.name().into();
            let (last, raw) = self.pipe_output(node, &steps, &mut used, out);

            // (8) check.
            let checks: Vec<&CheckSpec> = modifiers
                .iter()
                .filter_map(|m| match &m.kind {
                    Kind::Check(spec) => Some(spec),
                    _ => None,
                })
                .collect();
            match checks.as_slice() {
                [] => {
                    finals.push(out.len());
                    out.push(last.renamed(final_name));
                }
                [spec, rest @ ..] => {
                    if !rest.is_empty() {
                        self.error(
                            &base,
                            "check",
                            "give every validator of a node in one `check(...)` (one `Modifier::check`)",
                        );
                    }
                    self.check(last, &final_name, raw, spec, out, &mut finals);
                }
            }
        }

        // (9) tag_outputs.
        for m in &modifiers {
            if let Kind::TagOutput { output, key, value } = &m.kind {
                match finals.iter().find(|&&i| out[i].name() == &**output) {
                    Some(&i) => {
                        out[i] = out[i].clone().with_tag(key.clone(), value.clone());
                    }
                    None => {
                        let names = quoted(finals.iter().map(|&i| out[i].name()));
                        self.error(
                            &base,
                            "tag_outputs",
                            format!("`{output}` is not an output of this function; its outputs are {names}"),
                        );
                    }
                }
            }
        }
    }

    /// (3) `subdag`: the nodes of `sd`'s modules, resolved with its config and renamed into
    /// `namespace`, pushed to `out`. Returns the names of its nodes (without the namespace).
    fn subdag(
        &mut self,
        sd: &Subdag,
        namespace: &str,
        owner: &Node,
        out: &mut Vec<Node>,
    ) -> HashSet<String> {
        let config = self.config.clone().merge(sd.config.clone());
        let mut inner = Resolver {
            config: &config,
            errors: &mut *self.errors,
            extractors: self.extractors.take(),
            dropped: Vec::new(),
        };
        let mut nodes = Vec::new();
        let mut empty = Vec::new();
        for module in &sd.modules {
            match module.nodes() {
                Ok(found) if found.iter().all(|n| n.modifiers().is_empty()) => nodes.extend(found),
                Ok(found) => nodes.extend(inner.module(found)),
                Err(_) => empty.push(module.name().to_string()),
            }
        }
        let dropped = std::mem::take(&mut inner.dropped);
        self.extractors = inner.extractors.take();
        for module in empty {
            self.error(
                owner,
                "subdag",
                format!("module `{module}` has no nodes; check that its functions carry `#[node]`, or list them with `nodes![..]`"),
            );
        }
        for mut d in dropped {
            d.name = format!("{namespace}.{}", d.name);
            self.dropped.push(d);
        }
        let names: HashSet<String> = nodes.iter().map(|n| n.name().to_string()).collect();
        let mut helpers: HashSet<String> = HashSet::new();
        let read: HashSet<&str> = nodes
            .iter()
            .flat_map(|n| n.params().iter().map(Param::name))
            .collect();
        for (input, _) in &sd.inputs {
            if !read.contains(&**input) {
                let mut readable: Vec<&str> = read
                    .iter()
                    .copied()
                    .filter(|p| !names.contains(*p))
                    .collect();
                readable.sort_unstable();
                self.error(
                    owner,
                    "subdag",
                    format!(
                        "input `{input}` is not read by any node of the sub-dataflow; its inputs are {}",
                        quoted(readable.into_iter())
                    ),
                );
            }
        }
        for node in nodes {
            let mut params = Vec::with_capacity(node.params().len());
            for p in node.params() {
                let inner_name = format!("{namespace}.{}", p.name());
                if names.contains(p.name()) {
                    params.push(p.renamed(inner_name));
                    continue;
                }
                if let Some((_, binding)) = sd.inputs.iter().find(|(i, _)| **i == *p.name()) {
                    match &binding.0 {
                        BindingKind::Source(s) => params.push(p.renamed(s.clone())),
                        BindingKind::Value { ty, make, text } => {
                            if *ty != p.ty() {
                                self.error(
                                    owner,
                                    "subdag",
                                    format!(
                                        "input `{} = value({text})` is a `{ty}`, but node `{}` of the sub-dataflow reads it as `{}`; give a `{}` (for example `value(2_i64)`)",
                                        p.name(),
                                        node.name(),
                                        p.ty(),
                                        p.ty()
                                    ),
                                );
                            } else if helpers.insert(inner_name.clone()) {
                                let make = make.clone();
                                out.push(
                                    owner
                                        .derived(inner_name.clone())
                                        .doc(format!(
                                            "Input `{}` of sub-dataflow `{namespace}`: {text}.",
                                            p.name()
                                        ))
                                        .build_erased(*ty, Arc::new(move |_| Ok(make()))),
                                );
                            }
                            params.push(Param::new(inner_name, p.ty(), p.kind()));
                        }
                        BindingKind::Group { .. } => {
                            self.error(
                                owner,
                                "subdag",
                                format!("input `{}`: `group` is not supported for sub-dataflow inputs; bind a `source` or a `value`", p.name()),
                            );
                            params.push(p.clone());
                        }
                    }
                    continue;
                }
                if let Some(value) = sd.config.value(p.name()) {
                    if value.type_id() != p.ty().id() {
                        self.error(
                            owner,
                            "subdag",
                            format!(
                                "config key `{}` of the sub-dataflow holds a `{}`, but node `{}` reads it as `{}`; set it as a `{}`",
                                p.name(),
                                value.type_name(),
                                node.name(),
                                p.ty(),
                                p.ty()
                            ),
                        );
                    } else if helpers.insert(inner_name.clone()) {
                        let key = p.name().to_string();
                        let own = sd.config.clone();
                        out.push(
                            owner
                                .derived(inner_name.clone())
                                .doc(format!("Config `{key}` of sub-dataflow `{namespace}`."))
                                .build_erased(
                                    p.ty(),
                                    Arc::new(move |_| {
                                        own.copy_value(&key).ok_or_else(|| {
                                            format!("config key `{key}` is not set").into()
                                        })
                                    }),
                                ),
                        );
                    }
                    params.push(Param::new(inner_name, p.ty(), p.kind()));
                    continue;
                }
                params.push(p.clone());
            }
            let name = format!("{namespace}.{}", node.name());
            out.push(node.renamed(name).with_params(params));
        }
        names
    }

    /// (3) `does`: `base` computed by `implementation`.
    fn does(&mut self, base: Node, implementation: &Node) -> Node {
        let types = |n: &Node| {
            n.params()
                .iter()
                .map(|p| p.ty().name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let same = base.params().len() == implementation.params().len()
            && base
                .params()
                .iter()
                .zip(implementation.params())
                .all(|(a, b)| a.ty() == b.ty())
            && base.output() == implementation.output();
        if !same {
            self.error(
                &base,
                "does",
                format!(
                    "`{}` takes ({}) and produces `{}`, but this node takes ({}) and produces `{}`; give them the same parameter types, in the same order, and the same output type",
                    implementation.function(),
                    types(implementation),
                    implementation.output(),
                    types(&base),
                    base.output()
                ),
            );
            return base;
        }
        let params = base
            .params()
            .iter()
            .zip(implementation.params())
            .map(|(own, theirs)| Param::new(own.name(), own.ty(), theirs.kind()))
            .collect();
        base.with_code_of(implementation).with_params(params)
    }

    /// Binds parameters of `base` (by their names in `base`) and names the result `name`;
    /// literal and group bindings become helper nodes `<name>.<param>`, pushed to `out`.
    fn bind(
        &mut self,
        base: &Node,
        name: &str,
        bindings: &Bindings,
        option: &str,
        owner: &Node,
        out: &mut Vec<Node>,
    ) -> Option<Node> {
        let mut params = base.params().to_vec();
        let mut bound: HashSet<&str> = HashSet::new();
        let mut ok = true;
        for (param, binding) in bindings {
            let Some(i) = base.params().iter().position(|p| p.name() == &**param) else {
                let subject = if base.function() == owner.function() {
                    "the function".to_string()
                } else {
                    format!("step `{}`", base.function())
                };
                self.error(
                    owner,
                    option,
                    format!(
                        "{subject} has no parameter `{param}` to bind; its parameters are {}",
                        quoted(base.params().iter().map(Param::name))
                    ),
                );
                ok = false;
                continue;
            };
            if !bound.insert(param) {
                self.error(
                    owner,
                    option,
                    format!("parameter `{param}` is bound twice; bind it once"),
                );
                ok = false;
                continue;
            }
            let helper = format!("{name}.{param}");
            match &binding.0 {
                BindingKind::Source(source) => params[i] = params[i].renamed(source.clone()),
                BindingKind::Value { ty, make, text } => {
                    if *ty != params[i].ty() {
                        self.error(
                            owner,
                            option,
                            format!(
                                "`{param} = value({text})` is a `{ty}`, but parameter `{param}` reads a `{}`; give a `{}`",
                                params[i].ty(),
                                params[i].ty()
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    let make = make.clone();
                    out.push(
                        base.derived(helper.clone())
                            .doc(format!("`{param}` of `{name}`: {text}."))
                            .build_erased(*ty, Arc::new(move |_| Ok(make()))),
                    );
                    params[i] = Param::new(helper, *ty, params[i].kind());
                }
                BindingKind::Group {
                    elem,
                    ty,
                    members,
                    combine,
                } => {
                    if *ty != params[i].ty() {
                        self.error(
                            owner,
                            option,
                            format!(
                                "`{param} = group(..)` gathers a `Vec<{elem}>`, but parameter `{param}` reads a `{}`; read `&[{elem}]` or `Vec<{elem}>`",
                                params[i].ty()
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    let mut builder = base
                        .derived(helper.clone())
                        .doc(format!("`{param}` of `{name}`: {}.", binding));
                    for m in members {
                        builder =
                            builder.with_param(Param::new(m.clone(), *elem, ParamKind::Owned));
                    }
                    out.push(builder.build_erased(*ty, combine.clone()));
                    params[i] = Param::new(helper, *ty, params[i].kind());
                }
            }
        }
        ok.then(|| base.clone().renamed(name).with_params(params))
    }

    /// (5) `pipe_input`: `steps` run on one parameter of `node` before it.
    fn pipe_input(
        &mut self,
        node: Node,
        base: &Node,
        on: Option<&str>,
        steps: &[Step],
        used: &mut HashSet<String>,
        out: &mut Vec<Node>,
    ) -> Node {
        let index = match on {
            Some(p) => base.params().iter().position(|x| x.name() == p),
            None => (!base.params().is_empty()).then_some(0),
        };
        let Some(index) = index else {
            let problem = match on {
                Some(p) => format!(
                    "`on_input = {p}`: the function has no parameter `{p}`; its parameters are {}",
                    quoted(base.params().iter().map(Param::name))
                ),
                None => "the function takes no parameter to pipe into".to_string(),
            };
            self.error(base, "pipe_input", problem);
            return node;
        };
        let mut prev: Arc<str> = node.params()[index].name().into();
        let active: Vec<&Step> = steps.iter().filter(|s| self.active(s)).collect();
        for step in active {
            if let Some(s) = self.step(step, &node, &prev, used, "pipe_input", out) {
                prev = s.name().into();
                out.push(s);
            }
        }
        let mut params = node.params().to_vec();
        params[index] = params[index].renamed(prev);
        node.with_params(params)
    }

    /// (7) `pipe_output`: `node` becomes `<node>.raw`, followed by the steps. Returns the last
    /// node (not yet pushed) and, when there were steps, its own name.
    fn pipe_output(
        &mut self,
        node: Node,
        steps: &[&Step],
        used: &mut HashSet<String>,
        out: &mut Vec<Node>,
    ) -> (Node, Option<String>) {
        let active: Vec<&Step> = steps.iter().copied().filter(|s| self.active(s)).collect();
        if active.is_empty() {
            return (node, None);
        }
        let raw = format!("{}.raw", node.name());
        let mut prev: Arc<str> = raw.as_str().into();
        let mut built = Vec::new();
        for step in active {
            if let Some(s) = self.step(step, &node, &prev, used, "pipe_output", out) {
                prev = s.name().into();
                built.push(s);
            }
        }
        // Every step failed (already reported): keep the original computation.
        let Some(last) = built.pop() else {
            return (node, None);
        };
        let last = last.with_identity_of(&node);
        out.push(node.renamed(raw));
        out.extend(built);
        let name = last.name().to_string();
        (last, Some(name))
    }

    fn active(&self, step: &Step) -> bool {
        step.conditions.iter().all(|c| c.holds(self.config))
    }

    /// One step node `<owner>.with_<f>` reading `input`; its helpers are pushed to `out`.
    fn step(
        &mut self,
        step: &Step,
        owner: &Node,
        input: &str,
        used: &mut HashSet<String>,
        option: &str,
        out: &mut Vec<Node>,
    ) -> Option<Node> {
        let function = step.node.clone().without_modifiers();
        let Some(first) = function.params().first() else {
            self.error(
                owner,
                option,
                format!(
                    "step `{}` takes no parameter; its first parameter receives the piped value",
                    function.function()
                ),
            );
            return None;
        };
        if let Some((p, _)) = step.bindings.iter().find(|(p, _)| **p == *first.name()) {
            self.error(
                owner,
                option,
                format!(
                    "`{p}` is the first parameter of step `{}`: it receives the piped value and cannot be bound",
                    function.function()
                ),
            );
            return None;
        }
        let stem = match &step.name {
            Some(n) => n.to_string(),
            None => format!("with_{}", function.function().trim_start_matches('_')),
        };
        let mut name = format!("{}.{stem}", owner.name());
        let mut n = 0;
        while !used.insert(name.clone()) {
            n += 1;
            name = format!("{}.{stem}_{n}", owner.name());
        }
        let node = self.bind(&function, &name, &step.bindings, option, owner, out)?;
        let mut params = node.params().to_vec();
        params[0] = params[0].renamed(input);
        Some(node.with_params(params))
    }

    /// (6) `extract_fields` / `unpack`: one node per field, reading `node`.
    fn fields(
        &mut self,
        node: &Node,
        fields: &[Field],
        prefix: &str,
        out: &mut Vec<Node>,
        finals: &mut Finals,
    ) {
        for field in fields {
            if field.source != node.output() {
                self.error(
                    node,
                    "extract_fields",
                    format!(
                        "field `{}` is read from a `{}`, but the node produces `{}`",
                        field.name,
                        field.source,
                        node.output()
                    ),
                );
                continue;
            }
            let name = format!("{prefix}{}", field.name);
            let builder = node
                .derived(name)
                .doc(format!("Field `{}` of `{}`.", field.name, node.name()))
                .with_param(Param::new(node.name(), node.output(), ParamKind::Ref));
            finals.push(out.len());
            out.push(with_tags(builder, node).build_erased(field.ty, field.get.clone()));
        }
    }

    /// (6) `extract_columns`: one node per column, read by the frame type's extractor.
    fn columns(
        &mut self,
        node: &Node,
        columns: &[Arc<str>],
        explicit: Option<&ColumnExtractor>,
        prefix: &str,
        out: &mut Vec<Node>,
        finals: &mut Finals,
    ) {
        let extractor = match explicit {
            Some(x) => Some(x.clone()),
            None => self
                .extractors
                .get_or_insert_with(column_extractors)
                .get(&node.output().id())
                .cloned(),
        };
        let Some(extractor) = extractor else {
            self.error(
                node,
                "extract_columns",
                format!(
                    "no column extractor is registered for `{}`; add hamilton-polars to the build for `DataFrame` (→ `Series`) and `LazyFrame` (→ `Expr`), or register one with `hamilton_core::register_column_extractor!`",
                    node.output()
                ),
            );
            return;
        };
        if extractor.frame != node.output() {
            self.error(
                node,
                "extract_columns",
                format!(
                    "the column extractor reads a `{}`, but the node produces `{}`",
                    extractor.frame,
                    node.output()
                ),
            );
            return;
        }
        for column in columns {
            let name = format!("{prefix}{column}");
            let builder = node
                .derived(name)
                .doc(format!("Column `{column}` of `{}`.", node.name()))
                .with_param(Param::new(node.name(), node.output(), ParamKind::Ref));
            let extract = extractor.extract.clone();
            let column = column.clone();
            finals.push(out.len());
            out.push(with_tags(builder, node).build_erased(
                extractor.column,
                Arc::new(move |args| extract(args, &column)),
            ));
        }
    }

    /// (8) `check`: `last` (the function's computation, or its last `pipe_output` step named
    /// `raw`) checked, the checked value named `name`.
    fn check(
        &mut self,
        last: Node,
        name: &Arc<str>,
        raw: Option<String>,
        spec: &CheckSpec,
        out: &mut Vec<Node>,
        finals: &mut Finals,
    ) {
        if spec.ty != last.output() {
            self.error(
                &last,
                "check",
                format!(
                    "the validators check a `{}`, but node `{name}` produces `{}`{}; check the value the node produces",
                    spec.ty,
                    last.output(),
                    if raw.is_some() { " after its `pipe_output`/`mutate` steps" } else { "" }
                ),
            );
            finals.push(out.len());
            out.push(last.renamed(name.clone()));
            return;
        }
        let mut nodes = (spec.apply)(last.renamed(name.clone()));
        if let Some(raw) = raw {
            let default_raw = crate::check::raw_name(name);
            for n in &mut nodes {
                if n.name() == default_raw {
                    *n = n.clone().renamed(raw.as_str());
                } else if n.params().iter().any(|p| p.name() == default_raw) {
                    let params = n
                        .params()
                        .iter()
                        .map(|p| {
                            if p.name() == default_raw {
                                p.renamed(raw.as_str())
                            } else {
                                p.clone()
                            }
                        })
                        .collect();
                    *n = n.clone().with_params(params);
                }
            }
        }
        for n in nodes {
            if n.name() == &**name {
                finals.push(out.len());
            }
            out.push(n);
        }
    }
}

fn with_tags(mut builder: crate::node::NodeBuilder, from: &Node) -> crate::node::NodeBuilder {
    for (k, v) in from.tags() {
        builder = builder.tag(k.clone(), v.clone());
    }
    builder
}

/// `{param}` → what it is bound to (or its own name), `{output_name}` → `output`.
fn doc_template(template: &str, base: &Node, output: &str, bindings: &Bindings) -> String {
    if !template.contains('{') {
        return template.to_string();
    }
    let mut doc = template.replace("{output_name}", output);
    for p in base.params() {
        let text = bindings
            .iter()
            .find(|(name, _)| **name == *p.name())
            .map_or_else(|| p.name().to_string(), |(_, b)| b.text());
        doc = doc.replace(&format!("{{{}}}", p.name()), &text);
    }
    doc
}
