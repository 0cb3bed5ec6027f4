//! Applying modifiers when the graph is built: each module's nodes and the config in, the final
//! nodes out, every problem collected as a [`BuildError`].
//!
//! One file per phase of the [composition order](super#composition-order);
//! [`Resolver::module`] runs them in that order.

mod bind;
mod check;
mod config_use;
mod does;
mod expand;
mod extract;
mod mutate;
mod pipe_input;
mod pipe_output;
mod resolvers;
mod select;
mod step;
mod subdag;
mod tag_outputs;

use std::any::TypeId;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::error::BuildError;
use crate::modifiers::messages::origin;
use crate::modifiers::{ColumnExtractor, Modifier};
use crate::module::{EmptyModuleReason, Module};
use crate::node::Node;
use crate::values::Config;
use expand::Expansion;
use select::Dropped;

pub(crate) use config_use::ConfigUse;

/// The nodes of each module after every modifier is applied (or why a module has none).
pub(crate) fn resolve_modules(
    modules: &[Module],
    config: &Config,
    errors: &mut Vec<BuildError>,
) -> Vec<Result<Vec<Arc<Node>>, EmptyModuleReason>> {
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
                    // Shared with the module, not copied.
                    nodes
                } else {
                    let owned = nodes.into_iter().map(Arc::unwrap_or_clone).collect();
                    resolver.module(owned).into_iter().map(Arc::new).collect()
                }
            })
        })
        .collect();
    let dropped = std::mem::take(&mut resolver.dropped);
    select::report_missing_config(dropped, &resolved, config, errors);
    resolved
}

struct Resolver<'a> {
    config: &'a Config,
    errors: &'a mut Vec<BuildError>,
    extractors: Option<HashMap<TypeId, ColumnExtractor>>,
    dropped: Vec<Dropped>,
}

/// The public outputs of one function, for `tag_outputs`: their indices in the nodes built.
type Finals = Vec<usize>;

/// A selected function after `resolve` and `does`: its node without modifiers, and its
/// modifiers (with those its resolvers returned).
struct Function {
    base: Node,
    modifiers: Vec<Modifier>,
}

impl Resolver<'_> {
    fn error(&mut self, node: &Node, option: &str, problem: impl Into<String>) {
        self.errors.push(BuildError::Modifier {
            node: node.name().to_string(),
            at: origin(node),
            option: option.to_string(),
            problem: problem.into(),
        });
    }

    /// Resolves the nodes of one module: every phase, in order.
    fn module(&mut self, nodes: Vec<Node>) -> Vec<Node> {
        let known: HashSet<String> = nodes
            .iter()
            .flat_map(|n| [n.name().to_string(), n.function().to_string()])
            .collect();
        // (1) config selection.
        let selected = self.select(nodes);
        // (7, collected first) `mutate`: the functions it applies to get their steps.
        let (functions, mutations) = self.mutations(selected, &known);

        let mut out = Vec::new();
        for node in functions {
            let modifiers = node.modifiers().to_vec();
            let base = node.without_modifiers();
            // (2) resolve.
            let Some(modifiers) = self.resolve(&base, modifiers) else {
                continue;
            };
            // (3) does, then sub-dataflows.
            let function = Function {
                base: self.does(base, &modifiers),
                modifiers,
            };
            let Some(subdag_outputs) = self.subdags(&function, &mut out) else {
                continue;
            };
            // (4) expansion.
            let expansion = Expansion::new(&function, subdag_outputs);
            let mut finals: Finals = Vec::new();
            for output in &expansion.outputs {
                let Some(node) = self.expand(&function, &expansion, output, &mut out) else {
                    continue;
                };
                // Step names are unique per output, across both pipelines.
                let mut used = HashSet::new();
                // (5) pipe_input.
                let node = self.pipe_inputs(node, &function, &mut used, &mut out);
                // (6) fields and columns.
                let prefix = expansion.prefix(&node);
                self.extract(&node, &function, &prefix, &mut out, &mut finals);
                // (7) pipe_output, then `mutate` steps.
                let name: Arc<str> = node.name().into();
                let (last, raw) =
                    self.pipe_outputs(node, &function, &mutations, &mut used, &mut out);
                // (8) check.
                self.checks(last, &name, raw, &function, &mut out, &mut finals);
            }
            // (9) tag_outputs.
            self.tag_outputs(&function, &finals, &mut out);
        }
        out
    }
}
