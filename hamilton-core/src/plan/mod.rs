//! Planning one request: prune to the ancestors of the outputs, stop at overrides, order the
//! nodes topologically, and decide when each value is used for the last time.

pub(crate) mod cached;
pub(crate) mod key_text;
pub(crate) mod lines;
pub(crate) mod schedule;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

use crate::convert::Conversion;
use crate::error::{RequestError, did_you_mean};
use crate::fanout::Gather;
use crate::graph::{Graph, Kind, Source};
use crate::modifiers::messages::place;
use crate::node::Callable;
use crate::outputs::OutputNames;
use crate::schedule::Schedule;

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
    },
    Absent,
}

/// The most arguments a step's node is called with without a heap allocation for them (by
/// every executor: borrowed in an array of the step's own size).
pub(crate) const INLINE_ARGS: usize = 4;

/// A step's arguments: kept in the step itself for up to two (most nodes), so that running a
/// step reads one place.
pub(crate) type ArgPlans = SmallVec<[ArgPlan; 2]>;

/// One node to run.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub(crate) vertex: usize,
    pub(crate) slot: u32,
    pub(crate) args: ArgPlans,
    /// Some argument is converted, or a by-value parameter reads a value that is not an output
    /// (and so may be handed over): values are prepared before the call. The others only
    /// borrow their arguments.
    pub(crate) prepares: bool,
    /// What few steps need (a fan-out's block, conversions), behind one pointer so that a step
    /// stays small (64 bytes).
    pub(crate) extra: Option<Arc<StepExtra>>,
    /// The node's sync call, kept in the step so that running it reads the step alone, not the
    /// vertex and the node behind it.
    pub(crate) call: StepCall,
    /// The call is typed to return the declared output (no run-time type check).
    pub(crate) typed: bool,
    /// The node's value is a data-check report, which the run keeps a copy of.
    pub(crate) reports: bool,
    /// The step is a node call that only borrows given values, at most
    /// [`INLINE_ARGS`] of them, and returns its declared type
    /// (no report): what the hook-less sequential loop runs without further checks.
    pub(crate) plain: bool,
}

/// What few steps need, kept out of the step itself.
#[derive(Debug)]
pub(crate) enum StepExtra {
    /// The step runs a fan-out's block (its `vertex` is the fan-out node).
    FanOut(FanOutPlan),
    /// The conversion of each argument, by position (for a step converting some).
    Conversions(Box<[Option<Conversion>]>),
}

/// A step's node call.
#[derive(Clone)]
pub(crate) struct StepCall(pub(crate) Callable);

impl std::fmt::Debug for StepCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StepCall")
    }
}

impl Step {
    /// A step running `v`'s node with `args`; not yet [`prepares`](Self::prepares) nor
    /// [`plain`](Self::plain) (decided once the plan is whole).
    fn new(graph: &Graph, v: usize, slot: u32, args: ArgPlans, extra: Option<StepExtra>) -> Self {
        let vertex = &graph.vertices[v];
        let node = vertex.function().expect("steps run functions");
        Self {
            vertex: v,
            slot,
            args,
            prepares: false,
            extra: extra.map(Arc::new),
            call: StepCall(node.callable().clone()),
            typed: node.typed_output(),
            reports: vertex.ty_id() == std::any::TypeId::of::<crate::check::CheckReport>(),
            plain: false,
        }
    }

    /// For the step that runs a fan-out's block: the block.
    pub(crate) fn fan_out(&self) -> Option<&FanOutPlan> {
        match self.extra.as_deref() {
            Some(StepExtra::FanOut(fan)) => Some(fan),
            _ => None,
        }
    }

    /// Whether some argument is converted on the way in (the step then prepares).
    pub(crate) fn converts(&self) -> bool {
        matches!(self.extra.as_deref(), Some(StepExtra::Conversions(_)))
    }

    /// The conversion of argument `i`, if it is converted.
    pub(crate) fn conversion(&self, i: usize) -> Option<&Conversion> {
        match self.extra.as_deref() {
            Some(StepExtra::Conversions(c)) => c.get(i).and_then(Option::as_ref),
            _ => None,
        }
    }

    /// Whether the step is [`plain`](Self::plain), from its other fields.
    fn is_plain(&self) -> bool {
        self.extra.is_none()
            && !self.prepares
            && self.typed
            && !self.reports
            && self.args.len() <= INLINE_ARGS
            && self.args.iter().all(|a| matches!(a, ArgPlan::Slot { .. }))
    }

    /// The slots this step fills: its node's, or every value its fan-out block collects.
    pub(crate) fn produced(&self) -> Vec<u32> {
        match self.fan_out() {
            Some(fan) => fan.gathers.iter().map(|(s, _)| *s).collect(),
            None => vec![self.slot],
        }
    }
}

/// A request, compiled: reusable for every run with the same outputs, overrides and set of
/// given inputs.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) loads: Vec<Load>,
    pub(crate) steps: Vec<Step>,
    pub(crate) slot_count: usize,
    /// The outputs' slots, deduplicated, in request order (their names are their vertices').
    pub(crate) outputs: Vec<u32>,
    /// The outputs' names, shared with the [`Outputs`](crate::outputs::Outputs) of every run
    /// on the same thread (see [`output_names`](Self::output_names)).
    output_names: thread_local::ThreadLocal<Arc<OutputNames>>,
    /// The vertex in each slot.
    pub(crate) slot_vertex: Vec<u32>,
    /// The `async` nodes of the plan, which only `execute_async` can run.
    pub(crate) async_nodes: Vec<String>,
    /// The dependency structure, built on the first out-of-order (parallel or async) run.
    schedule: std::sync::OnceLock<Schedule>,
}

/// One fan-out in a plan: the block's steps, run once per item.
#[derive(Debug)]
pub(crate) struct FanOutPlan {
    /// The slot of the fan-out node's value.
    pub(crate) expand_slot: u32,
    /// The block's steps, in topological order.
    pub(crate) steps: Vec<Step>,
    /// Slots local to one item (the block's values and the item itself).
    pub(crate) local: HashSet<u32>,
    /// The block values collected after every item, and how.
    pub(crate) gathers: Vec<(u32, Gather)>,
}

impl Plan {
    /// The vertex whose value `slot` holds.
    pub(crate) fn vertex_of(&self, slot: usize) -> usize {
        self.slot_vertex[slot] as usize
    }

    /// The outputs' names, for the [`Outputs`](crate::outputs::Outputs) of a run: made once
    /// per thread, so that the runs of two threads do not change one reference count.
    pub(crate) fn output_names(&self, graph: &Graph) -> Arc<OutputNames> {
        self.output_names
            .get_or(|| {
                Arc::new(OutputNames::new(
                    self.output_vertices()
                        .map(|v| graph.vertices[v].name_shared())
                        .collect(),
                ))
            })
            .clone()
    }

    /// The outputs' vertices, in request order.
    pub(crate) fn output_vertices(&self) -> impl Iterator<Item = usize> + '_ {
        self.outputs
            .iter()
            .map(|&slot| self.vertex_of(slot as usize))
    }

    /// The plan's dependency structure, made on first use.
    pub(crate) fn schedule(&self) -> &Schedule {
        self.schedule.get_or_init(|| Schedule::new(self))
    }
}

/// What a plan depends on: the request's shape, not its values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PlanKey {
    pub(crate) outputs: Vec<String>,
    pub(crate) overrides: Vec<String>,
    pub(crate) inputs: Vec<String>,
}

const NO_SLOT: u32 = u32::MAX;

/// The slot of each vertex the plan holds a value of.
#[derive(Default)]
struct SlotOf(FxHashMap<usize, u32>);

impl SlotOf {
    /// The slot of vertex `v`, or [`NO_SLOT`].
    fn get(&self, v: usize) -> u32 {
        self.0.get(&v).copied().unwrap_or(NO_SLOT)
    }
}

/// An output that is not in the dataflow: a node of a registered module that was not passed to
/// the driver, or else unknown, with the closest name.
fn unknown_output<'a>(
    graph: &Graph,
    name: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> RequestError {
    let elsewhere = crate::module::registered_named(name)
        .into_iter()
        .find(|def| !graph.modules.iter().any(|m| m.takes(def)));
    match elsewhere {
        Some(def) => RequestError::NodeOfUnpassedModule {
            name: name.to_string(),
            module: def.module.to_string(),
            at: def.location.to_string(),
        },
        None => RequestError::UnknownOutput {
            name: name.to_string(),
            suggestion: did_you_mean(name, names),
        },
    }
}

impl Plan {
    /// The plan and the request's problems. A plan with problems must not run, but it still
    /// tells which values the request would load, so that their types are checked too and every
    /// problem is reported at once.
    pub(crate) fn checked(graph: &Graph, key: &PlanKey) -> (Self, Vec<RequestError>) {
        // Sets and maps over the vertices the request reaches, not vectors over the graph: a
        // small request of a large graph plans in time proportional to its ancestors.
        let mut errors = Vec::new();
        let names = || graph.vertices.iter().map(|v| v.name());

        let mut overridden = FxHashSet::default();
        for name in &key.overrides {
            match graph.get(name) {
                Some(v) => {
                    overridden.insert(v);
                }
                None => errors.push(RequestError::UnknownOverride {
                    name: name.clone(),
                    suggestion: did_you_mean(name, names()),
                }),
            }
        }
        let mut given = FxHashSet::default();
        for name in &key.inputs {
            if let Some(v) = graph.get(name) {
                match graph.vertices[v].kind() {
                    Kind::Input => {
                        given.insert(v);
                    }
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
        let mut outputs: Vec<usize> = Vec::with_capacity(key.outputs.len());
        let mut requested = FxHashSet::default();
        for name in &key.outputs {
            match graph.get(name) {
                Some(v) => {
                    if requested.insert(v) {
                        outputs.push(v);
                    }
                }
                None => errors.push(unknown_output(graph, name, names())),
            }
        }

        // Walk upstream from the outputs, stopping at overrides and at inputs.
        let mut slot_of = SlotOf::default();
        let mut slot_vertex = Vec::new();
        let mut computed = Vec::new();
        let mut loads = Vec::new();
        let mut stack: Vec<usize> = outputs.clone();
        while let Some(v) = stack.pop() {
            if slot_of.get(v) != NO_SLOT {
                continue;
            }
            let vertex = &graph.vertices[v];
            let from = if overridden.contains(&v) {
                Some(LoadFrom::Override)
            } else {
                match vertex.kind() {
                    Kind::Function(_) => None,
                    Kind::Config => Some(LoadFrom::Config),
                    Kind::Input if given.contains(&v) => Some(LoadFrom::Input),
                    // Not given: an absent optional argument, or a missing input reported below.
                    Kind::Input => continue,
                }
            };
            let slot = slot_vertex.len() as u32;
            slot_of.0.insert(v, slot);
            slot_vertex.push(v as u32);
            match from {
                Some(from) => loads.push(Load {
                    slot,
                    vertex: v,
                    from,
                }),
                None => {
                    computed.push(v);
                    stack.extend(graph.sources_of(vertex).iter().map(|s| s.node()));
                }
            }
        }

        // Missing inputs: every one at once, with the nodes that need them.
        let mut missing: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for v in &outputs {
            if matches!(graph.vertices[*v].kind(), Kind::Input) && slot_of.get(*v) == NO_SLOT {
                missing.entry(*v).or_default();
            }
        }
        computed.sort_unstable_by_key(|&v| graph.topo_pos[v]);
        let mut steps = Vec::with_capacity(computed.len());
        for &v in &computed {
            let vertex = &graph.vertices[v];
            let node = vertex.function().expect("computed vertices are functions");
            let sources = graph.sources_of(vertex);
            let mut args = ArgPlans::with_capacity(sources.len());
            for (source, param) in sources.iter().zip(node.params()) {
                let slot = slot_of.get(source.node());
                if slot == NO_SLOT {
                    if !param.is_optional() {
                        missing
                            .entry(source.node())
                            .or_default()
                            .push(vertex.name().to_string());
                    }
                    args.push(ArgPlan::Absent);
                } else {
                    args.push(ArgPlan::Slot {
                        slot,
                        last_use: false,
                    });
                }
            }
            // The conversions of the arguments given (an absent one converts nothing).
            let converted = |(arg, source): (&ArgPlan, &Source)| match arg {
                ArgPlan::Slot { .. } => graph.conversion_of(*source).cloned(),
                ArgPlan::Absent => None,
            };
            let conversions = args
                .iter()
                .zip(sources)
                .any(|a| converted(a).is_some())
                .then(|| StepExtra::Conversions(args.iter().zip(sources).map(converted).collect()));
            steps.push(Step::new(graph, v, slot_of.get(v), args, conversions));
        }
        let mut steps = group_fan_outs(
            graph,
            steps,
            &slot_of,
            &outputs,
            &key.overrides,
            &mut errors,
        );
        for (input, needed_by) in missing {
            errors.push(RequestError::MissingInput {
                name: graph.vertices[input].name().to_string(),
                ty: graph.vertices[input].ty_name().to_string(),
                needed_by,
                did_you_mean: graph.near_nodes.get(&input).map(|&node| {
                    let vertex = &graph.vertices[node];
                    (
                        vertex.name().to_string(),
                        vertex.function().map(place).unwrap_or_default(),
                    )
                }),
            });
        }
        // Last reads: walking backwards, the first read of a slot seen is its last.
        let mut is_output = vec![false; slot_vertex.len()];
        for v in &outputs {
            if slot_of.get(*v) != NO_SLOT {
                is_output[slot_of.get(*v) as usize] = true;
            }
        }
        let mut seen = is_output.clone();
        for step in steps.iter_mut().rev() {
            let node = graph.vertices[step.vertex]
                .function()
                .expect("computed vertices are functions");
            // A fan-out step's arguments are the block's reads, not the node's parameters.
            let params = if step.fan_out().is_some() {
                &[][..]
            } else {
                node.params()
            };
            // Slots this step reads through several parameters (two parameters renamed to one
            // dependency): moving the value into one would leave the others nothing to read.
            let mut shared: Vec<u32> = Vec::new();
            if step.args.len() > 1 {
                let mut read: Vec<u32> = step
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        ArgPlan::Slot { slot, .. } => Some(*slot),
                        ArgPlan::Absent => None,
                    })
                    .collect();
                read.sort_unstable();
                shared = read
                    .windows(2)
                    .filter(|w| w[0] == w[1])
                    .map(|w| w[0])
                    .collect();
            }
            let converts = step.converts();
            for (i, arg) in step.args.iter_mut().enumerate() {
                if let ArgPlan::Slot { slot, last_use } = arg {
                    let owned = params.get(i).is_some_and(|p| p.kind().is_owned());
                    if !seen[*slot as usize] {
                        seen[*slot as usize] = true;
                        // A shared slot is not moved: it is freed with the run instead.
                        *last_use = !(owned && shared.contains(slot));
                    }
                    if converts || (owned && !is_output[*slot as usize]) {
                        step.prepares = true;
                    }
                }
            }
        }

        for step in &mut steps {
            step.plain = step.is_plain();
        }

        // What every run reads, on cache lines of its own (see `lines`).
        let plan = Self {
            output_names: thread_local::ThreadLocal::new(),
            loads: lines::in_lines(loads),
            steps: lines::in_lines(steps),
            slot_count: slot_vertex.len(),
            outputs: lines::in_lines(outputs.into_iter().map(|v| slot_of.get(v)).collect()),
            slot_vertex: lines::in_lines(slot_vertex),
            async_nodes: computed
                .iter()
                .filter(|&&v| graph.vertices[v].function().is_some_and(|n| n.is_async()))
                .map(|&v| graph.vertices[v].name().to_string())
                .collect(),
            schedule: std::sync::OnceLock::new(),
        };
        (plan, errors)
    }
}

/// Moves the steps of each fan-out's block into one step that runs the block per item, placed
/// where the block's last node was in the run order (the block is one stretch of it, after
/// everything the block reads and before everything that collects it).
fn group_fan_outs(
    graph: &Graph,
    steps: Vec<Step>,
    slot_of: &SlotOf,
    outputs: &[usize],
    overrides: &[String],
    errors: &mut Vec<RequestError>,
) -> Vec<Step> {
    if graph.blocks.is_empty() {
        return steps;
    }
    let fan_out_name = |b: u32| {
        graph.vertices[graph.blocks[b as usize].expand]
            .name()
            .to_string()
    };
    for &v in outputs {
        if let Some(b) = graph.block_of.of(v) {
            errors.push(RequestError::InsideFanOut {
                name: graph.vertices[v].name().to_string(),
                fan_out: fan_out_name(b),
                action: "request",
            });
        }
    }
    for name in overrides {
        if let Some(b) = graph.get(name).and_then(|v| graph.block_of.of(v)) {
            errors.push(RequestError::InsideFanOut {
                name: name.clone(),
                fan_out: fan_out_name(b),
                action: "override",
            });
        }
    }
    let mut main: Vec<(u32, Step)> = Vec::new();
    let mut blocks: BTreeMap<u32, (u32, Vec<Step>)> = BTreeMap::new();
    for step in steps {
        let pos = graph.topo_pos[step.vertex];
        match graph.block_of.of(step.vertex) {
            Some(b) => {
                let entry = blocks.entry(b).or_insert((0, Vec::new()));
                entry.0 = entry.0.max(pos);
                entry.1.push(step);
            }
            None => main.push((pos, step)),
        }
    }
    for (b, (pos, members)) in blocks {
        let expand = graph.blocks[b as usize].expand;
        let expand_slot = slot_of.get(expand);
        let mut local: HashSet<u32> = members.iter().map(|s| s.slot).collect();
        local.insert(expand_slot);
        let mut gathers = Vec::new();
        for (_, step) in &main {
            let node = graph.vertices[step.vertex]
                .function()
                .expect("steps run functions");
            for (arg, param) in step.args.iter().zip(node.params()) {
                if let (ArgPlan::Slot { slot, .. }, Some(g)) = (arg, param.gather())
                    && local.contains(slot)
                    && !gathers.iter().any(|(s, _)| s == slot)
                {
                    gathers.push((*slot, g));
                }
            }
        }
        let mut reads = vec![expand_slot];
        for step in &members {
            for arg in &step.args {
                if let ArgPlan::Slot { slot, .. } = arg
                    && !local.contains(slot)
                    && !reads.contains(slot)
                {
                    reads.push(*slot);
                }
            }
        }
        let Some(&(first, _)) = gathers.first() else {
            continue;
        };
        let mut members = members;
        for step in &mut members {
            let params = graph.vertices[step.vertex]
                .function()
                .expect("steps run functions")
                .params();
            step.prepares = step.converts()
                || step
                    .args
                    .iter()
                    .zip(params)
                    .any(|(_, param)| param.kind().is_owned());
        }
        main.push((
            pos,
            Step::new(
                graph,
                expand,
                first,
                reads
                    .into_iter()
                    .map(|slot| ArgPlan::Slot {
                        slot,
                        last_use: false,
                    })
                    .collect(),
                Some(StepExtra::FanOut(FanOutPlan {
                    expand_slot,
                    steps: members,
                    local,
                    gathers,
                })),
            ),
        ));
    }
    main.sort_by_key(|(pos, _)| *pos);
    main.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::convert::conversion_table;
    use crate::module::Module;
    use crate::node::Node;
    use crate::values::Config;

    fn graph(nodes: Vec<Node>) -> Graph {
        Graph::build(
            &[Module::from_nodes("m", nodes)],
            Config::new().set("k", 1_i64),
            false,
            conversion_table(&[]),
            None,
        )
        .unwrap()
    }

    fn node(name: &str, deps: &[&str]) -> Node {
        let mut b = Node::builder(name);
        for d in deps {
            b = b.param::<i64>(*d);
        }
        b.build(|_: &Args| Ok(0_i64))
    }

    fn key(outputs: &[&str], inputs: &[&str], overrides: &[&str]) -> PlanKey {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        PlanKey {
            outputs: owned(outputs),
            overrides: owned(overrides),
            inputs: owned(inputs),
        }
    }

    fn step_names<'g>(g: &'g Graph, plan: &Plan) -> Vec<&'g str> {
        plan.steps
            .iter()
            .map(|s| g.vertices[s.vertex].name())
            .collect()
    }

    /// a <- x; b <- a; c <- a, b; unrelated <- y
    fn diamond() -> Graph {
        graph(vec![
            node("a", &["x"]),
            node("b", &["a"]),
            node("c", &["a", "b"]),
            node("unrelated", &["y"]),
        ])
    }

    #[test]
    fn steps_are_the_ancestors_of_the_outputs_in_topological_order() {
        let g = diamond();
        let (plan, errors) = Plan::checked(&g, &key(&["c"], &["x"], &[]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(step_names(&g, &plan), ["a", "b", "c"]);
        assert_eq!(plan.loads.len(), 1);
        assert_eq!(plan.loads[0].from, LoadFrom::Input);
        assert_eq!(plan.slot_count, 4);
        assert_eq!(plan.outputs.len(), 1);
    }

    #[test]
    fn the_last_read_of_each_value_is_marked_and_outputs_are_never_freed() {
        let g = diamond();
        let (plan, _) = Plan::checked(&g, &key(&["c"], &["x"], &[]));
        let last_uses = |plan: &Plan| -> Vec<(String, Vec<bool>)> {
            plan.steps
                .iter()
                .map(|s| {
                    let flags = s
                        .args
                        .iter()
                        .map(|a| matches!(a, ArgPlan::Slot { last_use: true, .. }))
                        .collect();
                    (g.vertices[s.vertex].name().to_string(), flags)
                })
                .collect()
        };
        // `x` is last read by `a`; `a` by `c` (not by `b`); `b` by `c`.
        assert_eq!(
            last_uses(&plan),
            [
                ("a".to_string(), vec![true]),
                ("b".to_string(), vec![false]),
                ("c".to_string(), vec![true, true]),
            ]
        );
        // Requested as outputs, `a` and `x` are kept.
        let (plan, _) = Plan::checked(&g, &key(&["c", "a", "x"], &["x"], &[]));
        assert_eq!(
            last_uses(&plan),
            [
                ("a".to_string(), vec![false]),
                ("b".to_string(), vec![false]),
                ("c".to_string(), vec![false, true]),
            ]
        );
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_step_is_one_cache_line_and_an_argument_plan_eight_bytes() {
        assert_eq!(size_of::<Step>(), 64);
        assert_eq!(size_of::<ArgPlan>(), 8);
    }

    #[test]
    fn a_step_prepares_only_for_a_move_or_a_conversion() {
        let g = graph(vec![
            node("a", &["x"]),
            Node::builder("b")
                .owned_param::<i64>("a")
                .build(|_: &Args| Ok(0_i64)),
        ]);
        let (plan, _) = Plan::checked(&g, &key(&["b"], &["x"], &[]));
        assert_eq!(
            plan.steps.iter().map(|s| s.prepares).collect::<Vec<_>>(),
            [false, true]
        );
        // With `a` requested, `b` gets a clone: nothing to prepare.
        let (plan, _) = Plan::checked(&g, &key(&["a", "b"], &["x"], &[]));
        assert_eq!(
            plan.steps.iter().map(|s| s.prepares).collect::<Vec<_>>(),
            [false, false]
        );
    }

    #[test]
    fn an_override_stops_the_walk_upstream() {
        let g = diamond();
        let (plan, errors) = Plan::checked(&g, &key(&["c"], &[], &["a"]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(step_names(&g, &plan), ["b", "c"]);
        assert_eq!(plan.loads.len(), 1);
        assert_eq!(plan.loads[0].from, LoadFrom::Override);
        assert_eq!(g.vertices[plan.loads[0].vertex].name(), "a");
    }

    #[test]
    fn config_is_loaded_and_absent_optional_inputs_are_skipped() {
        let g = graph(vec![
            Node::builder("n")
                .param::<i64>("k")
                .optional_param::<i64>("maybe")
                .build(|_: &Args| Ok(0_i64)),
        ]);
        let (plan, errors) = Plan::checked(&g, &key(&["n"], &[], &[]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(plan.loads.len(), 1);
        assert_eq!(plan.loads[0].from, LoadFrom::Config);
        assert!(matches!(plan.steps[0].args[1], ArgPlan::Absent));
    }

    #[test]
    fn a_plan_with_problems_still_lists_its_loads_and_every_problem() {
        let g = diamond();
        let (plan, errors) = Plan::checked(&g, &key(&["c", "zz", "y"], &["k", "b"], &["nope"]));
        // The walk went on: `x` is missing, but the plan knows `c` needs it.
        assert_eq!(step_names(&g, &plan), ["a", "b", "c"]);
        let kinds: Vec<&str> = errors
            .iter()
            .map(|e| match e {
                RequestError::UnknownOverride { .. } => "unknown override",
                RequestError::InputShadowsConfig { .. } => "input shadows config",
                RequestError::InputIsComputed { .. } => "input is computed",
                RequestError::UnknownOutput { .. } => "unknown output",
                RequestError::MissingInput { .. } => "missing input",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "unknown override",
                "input shadows config",
                "input is computed",
                "unknown output",
                "missing input",
                "missing input",
            ]
        );
        let missing: Vec<(String, Vec<String>)> = errors
            .iter()
            .filter_map(|e| match e {
                RequestError::MissingInput {
                    name, needed_by, ..
                } => Some((name.clone(), needed_by.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            missing,
            [
                ("x".to_string(), vec!["a".to_string()]),
                ("y".to_string(), vec![]),
            ]
        );
    }

    #[test]
    fn a_slot_read_twice_by_one_step_is_never_moved_out_from_under_the_other_read() {
        let g = graph(vec![
            node("a", &["x"]),
            Node::builder("b")
                .owned_param::<i64>("a")
                .param::<i64>("a")
                .build(|_: &Args| Ok(0_i64)),
        ]);
        let (plan, _) = Plan::checked(&g, &key(&["b"], &["x"], &[]));
        let b = &plan.steps[1];
        assert!(
            b.args.iter().all(|a| matches!(
                a,
                ArgPlan::Slot {
                    last_use: false,
                    ..
                }
            )),
            "{:?}",
            b.args
        );
        // A single by-value read is still a move.
        let g = graph(vec![
            node("a", &["x"]),
            Node::builder("b")
                .owned_param::<i64>("a")
                .param::<i64>("x")
                .build(|_: &Args| Ok(0_i64)),
        ]);
        let (plan, _) = Plan::checked(&g, &key(&["b"], &["x"], &[]));
        assert!(matches!(
            plan.steps[1].args[0],
            ArgPlan::Slot { last_use: true, .. }
        ));
        assert!(plan.steps[1].prepares);
    }

    #[test]
    fn duplicate_outputs_are_computed_and_returned_once() {
        let g = diamond();
        let (plan, errors) = Plan::checked(&g, &key(&["b", "b", "a"], &["x"], &[]));
        assert!(errors.is_empty());
        assert_eq!(
            plan.output_vertices()
                .map(|v| g.vertices[v].name())
                .collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(step_names(&g, &plan), ["a", "b"]);
    }
}
