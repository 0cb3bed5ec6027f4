//! (4) Expansion: `parameterize` and `inject`, one node per output with its parameters bound.

use std::sync::Arc;

use super::{Function, Resolver};
use crate::modifiers::binding::Bindings;
use crate::modifiers::{Kind, Parameterization};
use crate::node::Node;

/// The outputs of one function, and what each is bound with.
pub(super) struct Expansion {
    /// The outputs: those of its sub-dataflows and of `parameterize`, or else the function's
    /// own.
    pub(super) outputs: Vec<Parameterization>,
    /// The bindings of `inject`, given to every output.
    injected: Bindings,
    /// Whether sub-dataflows or `parameterize` name the outputs.
    parameterized: bool,
    /// Whether the outputs are those of sub-dataflows.
    from_subdags: bool,
}

impl Expansion {
    /// The outputs of `function`, after `subdag_outputs` (those its sub-dataflows feed).
    pub(super) fn new(function: &Function, subdag_outputs: Vec<Parameterization>) -> Self {
        let from_subdags = !subdag_outputs.is_empty();
        let mut outputs = subdag_outputs;
        let mut injected: Bindings = Vec::new();
        let mut parameterized = from_subdags;
        for m in &function.modifiers {
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
            outputs.push(Parameterization::new(function.base.name()));
        }
        Self {
            outputs,
            injected,
            parameterized,
            from_subdags,
        }
    }

    /// What the names of `node`'s fields and columns start with: `<node>.` when the function
    /// has several outputs.
    pub(super) fn prefix(&self, node: &Node) -> String {
        if self.outputs.len() > 1 {
            format!("{}.", node.name())
        } else {
            String::new()
        }
    }
}

impl Resolver<'_> {
    /// The node of `output`: the function with the bindings of `inject` and of the output,
    /// named after it and, when parameterized, documented by the doc template. Helper nodes are
    /// pushed to `out`; `None` when a binding fails (reported).
    pub(super) fn expand(
        &mut self,
        function: &Function,
        expansion: &Expansion,
        output: &Parameterization,
        out: &mut Vec<Node>,
    ) -> Option<Node> {
        let base = &function.base;
        let option = if expansion.parameterized {
            "parameterize"
        } else {
            "inject"
        };
        let mut bindings = expansion.injected.clone();
        bindings.extend(output.bindings.iter().cloned());
        let mut node = self.bind(base, &output.name, &bindings, option, base, out)?;
        if !bindings.is_empty() {
            let bound = bindings
                .iter()
                .map(|(param, binding)| (param.clone(), Arc::from(binding.to_string())))
                .collect();
            node = node.with_bound(bound);
        }
        if expansion.parameterized && !expansion.from_subdags {
            let template = output.doc.clone().unwrap_or_else(|| base.doc().into());
            let doc = doc_template(&template, base, &output.name, &bindings);
            node = node.with_doc(doc);
        }
        Some(node)
    }
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
