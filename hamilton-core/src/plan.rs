//! Planning one request: prune to the ancestors of the outputs, stop at overrides, order the
//! nodes topologically, and decide when each value is used for the last time.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::convert::Conversion;
use crate::error::{RequestError, did_you_mean};
use crate::graph::{Graph, Kind};

/// Where a value that is not computed in this run comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoadFrom {
    Input,
    Override,
    Config,
}

/// A value placed in a slot before any node runs.
#[derive(Clone, Debug)]
pub(crate) struct Load {
    pub(crate) slot: u32,
    pub(crate) vertex: usize,
    pub(crate) from: LoadFrom,
}

/// How one argument of a step is read.
#[derive(Clone, Debug)]
pub(crate) enum ArgPlan {
    Slot {
        slot: u32,
        /// This is the slot's last read in the run and it is not an output: free it after (or
        /// move it into a by-value parameter).
        last_use: bool,
        conversion: Option<Conversion>,
    },
    Absent,
}

/// One node to run.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub(crate) vertex: usize,
    pub(crate) slot: u32,
    pub(crate) args: Vec<ArgPlan>,
    /// Some argument is moved or converted: take the slow path that prepares values first.
    pub(crate) prepares: bool,
}

/// A request, compiled: reusable for every run with the same outputs, overrides and set of
/// given inputs.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) loads: Vec<Load>,
    pub(crate) steps: Vec<Step>,
    pub(crate) slot_count: usize,
    pub(crate) outputs: Vec<(Arc<str>, u32)>,
    /// The vertex in each slot.
    pub(crate) slot_vertex: Vec<usize>,
    /// The `async` nodes of the plan, which only `execute_async` can run.
    pub(crate) async_nodes: Vec<String>,
    /// The dependency structure, built on the first out-of-order (parallel or async) run.
    pub(crate) schedule: std::sync::OnceLock<crate::schedule::Schedule>,
}

/// What a plan depends on: the request's shape, not its values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PlanKey {
    pub(crate) outputs: Vec<String>,
    pub(crate) overrides: Vec<String>,
    pub(crate) inputs: Vec<String>,
}

const NO_SLOT: u32 = u32::MAX;

impl Plan {
    /// The plan and the request's problems. A plan with problems must not run, but it still
    /// tells which values the request would load, so that their types are checked too and every
    /// problem is reported at once.
    pub(crate) fn checked(graph: &Graph, key: &PlanKey) -> (Self, Vec<RequestError>) {
        let mut errors = Vec::new();
        let n = graph.vertices.len();
        let names = || graph.vertices.iter().map(|v| &*v.name);

        let mut overridden = vec![false; n];
        for name in &key.overrides {
            match graph.get(name) {
                Some(v) => overridden[v] = true,
                None => errors.push(RequestError::UnknownOverride {
                    name: name.clone(),
                    suggestion: did_you_mean(name, names()),
                }),
            }
        }
        let mut given = vec![false; n];
        for name in &key.inputs {
            if let Some(v) = graph.get(name) {
                match &graph.vertices[v].kind {
                    Kind::Input => given[v] = true,
                    Kind::Config => {
                        errors.push(RequestError::InputShadowsConfig { name: name.clone() })
                    }
                    Kind::Function(node) => errors.push(RequestError::InputIsComputed {
                        name: name.clone(),
                        at: crate::graph::origin(node),
                    }),
                }
            }
        }

        // Outputs, deduplicated, in request order.
        let mut outputs: Vec<(Arc<str>, usize)> = Vec::new();
        for name in &key.outputs {
            match graph.get(name) {
                Some(v) => {
                    if !outputs.iter().any(|(_, o)| *o == v) {
                        outputs.push((graph.vertices[v].name.clone(), v));
                    }
                }
                None => errors.push(RequestError::UnknownOutput {
                    name: name.clone(),
                    suggestion: did_you_mean(name, names()),
                }),
            }
        }

        // Walk upstream from the outputs, stopping at overrides and at inputs.
        let mut slot_of = vec![NO_SLOT; n];
        let mut slot_vertex = Vec::new();
        let mut computed = Vec::new();
        let mut loads = Vec::new();
        let mut stack: Vec<usize> = outputs.iter().map(|(_, v)| *v).collect();
        while let Some(v) = stack.pop() {
            if slot_of[v] != NO_SLOT {
                continue;
            }
            let vertex = &graph.vertices[v];
            let from = if overridden[v] {
                Some(LoadFrom::Override)
            } else {
                match vertex.kind {
                    Kind::Function(_) => None,
                    Kind::Config => Some(LoadFrom::Config),
                    Kind::Input if given[v] => Some(LoadFrom::Input),
                    // Not given: an absent optional argument, or a missing input reported below.
                    Kind::Input => continue,
                }
            };
            slot_of[v] = slot_vertex.len() as u32;
            slot_vertex.push(v);
            match from {
                Some(from) => loads.push(Load {
                    slot: slot_of[v],
                    vertex: v,
                    from,
                }),
                None => {
                    computed.push(v);
                    stack.extend(vertex.sources.iter().map(|s| s.node));
                }
            }
        }

        // Missing inputs: every one at once, with the nodes that need them.
        let mut missing: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (_, v) in &outputs {
            if matches!(graph.vertices[*v].kind, Kind::Input) && slot_of[*v] == NO_SLOT {
                missing.entry(*v).or_default();
            }
        }
        computed.sort_unstable_by_key(|&v| graph.topo_pos[v]);
        let mut steps = Vec::with_capacity(computed.len());
        for &v in &computed {
            let vertex = &graph.vertices[v];
            let node = vertex.function().expect("computed vertices are functions");
            let mut args = Vec::with_capacity(vertex.sources.len());
            for (source, param) in vertex.sources.iter().zip(node.params()) {
                let slot = slot_of[source.node];
                if slot == NO_SLOT {
                    if !param.is_optional() {
                        missing
                            .entry(source.node)
                            .or_default()
                            .push(vertex.name.to_string());
                    }
                    args.push(ArgPlan::Absent);
                } else {
                    args.push(ArgPlan::Slot {
                        slot,
                        last_use: false,
                        conversion: source.conversion.clone(),
                    });
                }
            }
            steps.push(Step {
                vertex: v,
                slot: slot_of[v],
                args,
                prepares: false,
            });
        }
        for (input, needed_by) in missing {
            errors.push(RequestError::MissingInput {
                name: graph.vertices[input].name.to_string(),
                ty: graph.vertices[input].ty.name.to_string(),
                needed_by,
            });
        }
        // Last reads: walking backwards, the first read of a slot seen is its last.
        let mut is_output = vec![false; slot_vertex.len()];
        for (_, v) in &outputs {
            if slot_of[*v] != NO_SLOT {
                is_output[slot_of[*v] as usize] = true;
            }
        }
        let mut seen = is_output.clone();
        for step in steps.iter_mut().rev() {
            let node = graph.vertices[step.vertex]
                .function()
                .expect("computed vertices are functions");
            for (arg, param) in step.args.iter_mut().zip(node.params()) {
                if let ArgPlan::Slot {
                    slot,
                    last_use,
                    conversion,
                } = arg
                {
                    if !seen[*slot as usize] {
                        seen[*slot as usize] = true;
                        *last_use = true;
                    }
                    if conversion.is_some() || (*last_use && param.kind().is_owned()) {
                        step.prepares = true;
                    }
                }
            }
        }

        let plan = Self {
            loads,
            steps,
            slot_count: slot_vertex.len(),
            outputs: outputs
                .into_iter()
                .map(|(name, v)| (name, slot_of[v]))
                .collect(),
            slot_vertex,
            async_nodes: computed
                .iter()
                .filter(|&&v| graph.vertices[v].function().is_some_and(|n| n.is_async()))
                .map(|&v| graph.vertices[v].name.to_string())
                .collect(),
            schedule: std::sync::OnceLock::new(),
        };
        (plan, errors)
    }
}
