//! (3) Sub-dataflows: `subdag` and `parameterized_subdag` re-use modules as namespaced
//! sub-dataflows, each feeding one output of the function.

use std::collections::HashSet;
use std::sync::Arc;

use super::{Function, Resolver};
use crate::modifiers::binding::BindingKind;
use crate::modifiers::messages::quoted;
use crate::modifiers::{Binding, Kind, Parameterization, Subdag};
use crate::node::{Node, Param, TypeInfo};
use crate::values::Config;

impl Resolver<'_> {
    /// The outputs the function's sub-dataflows feed, each binding the parameters its
    /// sub-dataflow produces; their nodes are pushed to `out`. `None` when the function is also
    /// parameterized (reported).
    pub(super) fn subdags(
        &mut self,
        function: &Function,
        out: &mut Vec<Node>,
    ) -> Option<Vec<Parameterization>> {
        let base = &function.base;
        let modifiers = &function.modifiers;
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
                base,
                "subdag",
                "a function fed by sub-dataflows cannot also be parameterized; give each sub-dataflow its own output (`parameterized_subdag`) instead",
            );
            return None;
        }
        for sd in subdags {
            let name: Arc<str> = sd.output.clone().unwrap_or_else(|| base.name().into());
            let namespace = sd.namespace.clone().unwrap_or_else(|| name.clone());
            let inner = self.subdag(sd, &namespace, base, out);
            let mut output = Parameterization::new(name);
            for p in base.params() {
                if inner.contains(p.name()) {
                    output = output.bind(
                        p.name(),
                        Binding::source(format!("{namespace}.{}", p.name())),
                    );
                }
            }
            outputs.push(output);
        }
        Some(outputs)
    }

    /// The nodes of `sd`'s modules, resolved with its config and renamed into
    /// `namespace`, pushed to `out`, with a node `namespace.<key>` per key of its own config.
    /// Returns the names of its nodes (without the namespace).
    fn subdag(
        &mut self,
        sd: &Subdag,
        namespace: &str,
        owner: &Node,
        out: &mut Vec<Node>,
    ) -> HashSet<String> {
        let own = self.own_config(sd, namespace, owner);
        let config = self.config.clone().merge(own.clone());
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
                Ok(found) if found.iter().all(|n| n.modifiers().is_empty()) => {
                    nodes.extend(found.into_iter().map(Arc::unwrap_or_clone));
                }
                Ok(found) => {
                    nodes.extend(
                        inner.module(found.into_iter().map(Arc::unwrap_or_clone).collect()),
                    );
                }
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
        let bound = sd.inputs.iter().map(|(i, _)| i);
        for input in bound.chain(sd.numbers.iter().map(|(i, _)| i)) {
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
        let inputs = self.typed_inputs(sd, &nodes, &names, owner);
        for node in nodes {
            let mut params = Vec::with_capacity(node.params().len());
            for p in node.params() {
                let inner_name = format!("{namespace}.{}", p.name());
                if names.contains(p.name()) {
                    params.push(p.renamed(inner_name));
                    continue;
                }
                if let Some((_, binding)) = inputs.iter().find(|(i, _)| **i == *p.name()) {
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
                if let Some(ty) = own.type_info(p.name()) {
                    if ty != p.ty() {
                        self.error(
                            owner,
                            "subdag",
                            format!(
                                "config key `{}` of the sub-dataflow holds a `{}`, but node `{}` reads it as `{}`; set it as a `{}`",
                                p.name(),
                                ty,
                                node.name(),
                                p.ty(),
                                p.ty()
                            ),
                        );
                        // Reported once: no config node of the other type.
                        helpers.insert(inner_name.clone());
                    } else if helpers.insert(inner_name.clone()) {
                        out.push(config_node(owner, &own, namespace, p.name(), ty));
                    }
                    params.push(Param::new(inner_name, p.ty(), p.kind()));
                    continue;
                }
                params.push(p.clone());
            }
            let name = format!("{namespace}.{}", node.name());
            out.push(node.renamed(name).with_params(params));
        }
        // Every key of its own config is a node, read or not (as in Hamilton); but not one
        // named like a node or an input of the sub-dataflow.
        for key in own.keys() {
            let inner_name = format!("{namespace}.{key}");
            let input = inputs.iter().any(|(i, _)| **i == *key);
            if names.contains(key) || input || helpers.contains(&inner_name) {
                continue;
            }
            if let Some(ty) = own.type_info(key) {
                out.push(config_node(owner, &own, namespace, key, ty));
            }
        }
        names
    }

    /// The sub-dataflow's own config: its literal config, then each key read from another key
    /// of the driver's config (`configuration("outer")`); an outer key not set is reported.
    fn own_config(&mut self, sd: &Subdag, namespace: &str, owner: &Node) -> Config {
        let mut own = sd.config.clone();
        for (key, outer) in &sd.config_from {
            if !own.copy_key(key, self.config, outer) {
                let hint = match crate::error::did_you_mean(outer, self.config.keys()) {
                    Some(near) => format!(" (did you mean `{near}`?)"),
                    None => String::new(),
                };
                self.error(
                    owner,
                    "subdag",
                    format!(
                        "`config({key} = configuration(\"{outer}\"))` of sub-dataflow `{namespace}` reads config key `{outer}`, which the driver's config does not set{hint}; set it with `Config::new().set(\"{outer}\", ..)`"
                    ),
                );
            }
        }
        own
    }

    /// The bound inputs of `sd`, with its untyped numbers typed by the first parameter reading
    /// them (a number the type cannot hold is reported).
    fn typed_inputs(
        &mut self,
        sd: &Subdag,
        nodes: &[Node],
        names: &HashSet<String>,
        owner: &Node,
    ) -> Vec<(Arc<str>, Binding)> {
        let mut inputs = sd.inputs.clone();
        for (input, number) in &sd.numbers {
            let reader = nodes.iter().find_map(|n| {
                n.params()
                    .iter()
                    .find(|p| *p.name() == **input && !names.contains(p.name()))
                    .map(|p| (n.name(), p.ty()))
            });
            let Some((node, ty)) = reader else {
                continue;
            };
            match number.binding_for(ty) {
                Ok(binding) => inputs.push((input.clone(), binding)),
                Err(problem) => self.error(
                    owner,
                    "subdag",
                    format!(
                        "input `{input} = value({number})`: node `{node}` of the sub-dataflow reads it as `{ty}`, but {problem}"
                    ),
                ),
            }
        }
        inputs
    }
}

/// The node `namespace.<key>` holding config key `key` of a sub-dataflow's own config.
fn config_node(owner: &Node, own: &Config, namespace: &str, key: &str, ty: TypeInfo) -> Node {
    let name = format!("{namespace}.{key}");
    let key = key.to_string();
    let own = own.clone();
    owner
        .derived(name)
        .doc(format!("Config `{key}` of sub-dataflow `{namespace}`."))
        .build_erased(
            ty,
            Arc::new(move |_| {
                own.copy_value(&key)
                    .ok_or_else(|| format!("config key `{key}` is not set").into())
            }),
        )
}
