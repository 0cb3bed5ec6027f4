//! (5) `pipe_input`: steps run on a parameter before the function.

use std::collections::HashSet;
use std::sync::Arc;

use super::{Function, Resolver};
use crate::modifiers::messages::quoted;
use crate::modifiers::{Kind, Step};
use crate::node::{Node, Param};

impl Resolver<'_> {
    /// The steps of each `pipe_input` of the function run before `node`; the step nodes are
    /// pushed to `out`, their names to `used`.
    pub(super) fn pipe_inputs(
        &mut self,
        mut node: Node,
        function: &Function,
        used: &mut HashSet<String>,
        out: &mut Vec<Node>,
    ) -> Node {
        for m in &function.modifiers {
            if let Kind::PipeInput {
                on,
                steps,
                namespace,
            } = &m.kind
            {
                // `ns`, or `ns.<output>` for an output of a parameterized function.
                let prefix: Arc<str> = match namespace {
                    Some(ns) if node.name() == function.base.name() => ns.clone(),
                    Some(ns) => format!("{ns}.{}", node.name()).into(),
                    None => node.name().into(),
                };
                let base = &function.base;
                node = self.pipe_input(node, base, on.as_deref(), steps, &prefix, used, out);
            }
        }
        node
    }

    /// `steps` run on one parameter of `node` (`on`, or the first) before it, named
    /// `<prefix>.with_<f>`.
    #[allow(clippy::too_many_arguments)]
    fn pipe_input(
        &mut self,
        node: Node,
        base: &Node,
        on: Option<&str>,
        steps: &[Step],
        prefix: &str,
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
            if let Some(s) = self.step_in(step, &node, prefix, &prev, used, "pipe_input", out) {
                prev = s.name().into();
                out.push(s);
            }
        }
        let mut params = node.params().to_vec();
        params[index] = params[index].renamed(prev);
        node.with_params(params)
    }
}
