//! (7) `pipe_output`, then the steps `mutate` functions add: steps run on the function's value.

use std::collections::HashSet;
use std::sync::Arc;

use super::mutate::Mutations;
use super::{Function, Resolver};
use crate::modifiers::{Kind, Step};
use crate::node::Node;

impl Resolver<'_> {
    /// The steps of the function's `pipe_output`, then those of `mutate` functions targeting
    /// it, run on `node`'s value (see [`Resolver::pipe_output`]).
    pub(super) fn pipe_outputs(
        &mut self,
        node: Node,
        function: &Function,
        mutations: &Mutations,
        used: &mut HashSet<String>,
        out: &mut Vec<Node>,
    ) -> (Node, Option<String>) {
        let base = &function.base;
        let mut steps: Vec<&Step> = Vec::new();
        for m in &function.modifiers {
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
        self.pipe_output(node, &steps, used, out)
    }

    /// `node` becomes `<node>.raw`, followed by the steps. Returns the last
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
}
