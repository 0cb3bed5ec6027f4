//! One step of a pipeline, for phases (5) and (7): a node `<owner>.with_<f>` reading the piped
//! value.

use std::collections::HashSet;

use super::Resolver;
use crate::modifiers::Step;
use crate::node::Node;

impl Resolver<'_> {
    /// Whether `step`'s conditions hold for the config.
    pub(super) fn active(&self, step: &Step) -> bool {
        step.conditions.iter().all(|c| c.holds(self.config))
    }

    /// One step node `<owner>.with_<f>` reading `input`; its helpers are pushed to `out`.
    pub(super) fn step(
        &mut self,
        step: &Step,
        owner: &Node,
        input: &str,
        used: &mut HashSet<String>,
        option: &str,
        out: &mut Vec<Node>,
    ) -> Option<Node> {
        self.step_in(step, owner, owner.name(), input, used, option, out)
    }

    /// One step node `<prefix>.with_<f>` of `owner` reading `input`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn step_in(
        &mut self,
        step: &Step,
        owner: &Node,
        prefix: &str,
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
        let mut name = format!("{prefix}.{stem}");
        let mut n = 0;
        while !used.insert(name.clone()) {
            n += 1;
            name = format!("{prefix}.{stem}_{n}");
        }
        let node = self.bind(&function, &name, &step.bindings, option, owner, out)?;
        let mut params = node.params().to_vec();
        params[0] = params[0].renamed(input);
        Some(node.with_params(params))
    }
}
