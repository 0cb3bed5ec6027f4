//! `mutate`, collected before the other phases run: each `mutate` function becomes a step of
//! the functions of its module it targets, run in phase (7) after their own `pipe_output`
//! steps.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::Resolver;
use crate::modifiers::messages::quoted;
use crate::modifiers::{Kind, Step};
use crate::node::Node;

/// The `mutate` steps of each target function, in source order.
pub(super) type Mutations = HashMap<Arc<str>, Vec<Step>>;

impl Resolver<'_> {
    /// Splits `selected` into the functions and the steps `mutate` functions add to them;
    /// `known` holds every name and function of the module before selection.
    pub(super) fn mutations(
        &mut self,
        selected: Vec<Node>,
        known: &HashSet<String>,
    ) -> (Vec<Node>, Mutations) {
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
        let mut mutations: Mutations = HashMap::new();
        for mutator in mutators {
            let step_node = mutator.clone().without_modifiers();
            for m in mutator.modifiers() {
                let Kind::Mutate { targets, bindings } = &m.kind else {
                    continue;
                };
                for apply in targets {
                    let target = &apply.target;
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
                    step.bindings = apply.bindings_over(bindings);
                    step.conditions = apply.conditions.clone();
                    step.name = apply.name.clone();
                    mutations.entry(target.clone()).or_default().push(step);
                }
            }
        }
        (functions, mutations)
    }
}
