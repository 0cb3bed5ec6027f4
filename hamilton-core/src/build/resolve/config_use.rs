//! What the modifiers of a dataflow read of the config, to find misspelt and unread keys.

use std::collections::{BTreeMap, BTreeSet};

use crate::modifiers::messages::origin;
use crate::modifiers::{Condition, Kind};
use crate::module::Module;
use crate::node::Node;

/// The config keys modifiers test or set.
#[derive(Default)]
pub(crate) struct ConfigUse {
    /// Each key a `when` condition (of a function or a pipeline step) tests, with the
    /// functions testing it and where they are defined.
    pub(crate) when_keys: BTreeMap<String, BTreeSet<(String, String)>>,
    /// Keys a sub-dataflow's own config sets.
    pub(crate) subdag_keys: BTreeSet<String>,
    /// Keys of the driver's config a sub-dataflow reads under another name
    /// (`configuration("key")`).
    pub(crate) subdag_reads: BTreeSet<String>,
    /// A `when_fn` predicate or a `resolve` reads the config in ways that cannot be listed.
    pub(crate) opaque: bool,
}

impl ConfigUse {
    /// What the nodes of `modules` (and of their sub-dataflows) read of the config.
    pub(crate) fn of(modules: &[Module]) -> Self {
        let mut found = Self::default();
        found.modules(modules);
        found
    }

    fn modules(&mut self, modules: &[Module]) {
        for module in modules {
            for node in module.nodes().unwrap_or_default() {
                self.node(&node);
            }
        }
    }

    fn node(&mut self, node: &Node) {
        for m in node.modifiers() {
            match &m.kind {
                Kind::When(c) => self.condition(c, node),
                Kind::Resolve { .. } => self.opaque = true,
                Kind::Subdag(subdag) => {
                    self.subdag_keys
                        .extend(subdag.config.keys().map(str::to_string));
                    for (key, outer) in &subdag.config_from {
                        self.subdag_keys.insert(key.to_string());
                        self.subdag_reads.insert(outer.to_string());
                    }
                    self.modules(&subdag.modules);
                }
                Kind::PipeInput { steps, .. } | Kind::PipeOutput(steps) => {
                    for step in steps {
                        for c in &step.conditions {
                            self.condition(c, &step.node);
                        }
                        self.node(&step.node);
                    }
                }
                Kind::Does(n, _) => self.node(n),
                _ => {}
            }
        }
    }

    fn condition(&mut self, condition: &Condition, node: &Node) {
        match condition.key() {
            Some(key) => {
                self.when_keys
                    .entry(key.to_string())
                    .or_default()
                    .insert((node.function().to_string(), origin(node)));
            }
            None => self.opaque = true,
        }
    }
}
