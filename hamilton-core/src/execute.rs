//! Running a plan: load the given values, run each node in order, free values after their last
//! use, and collect the outputs.

use std::cell::Cell;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use crate::args::{Arg, Args};
use crate::check::CheckReport;
use crate::error::{Error, RequestError};
use crate::graph::{Graph, Kind};
use crate::hooks::{Hook, HookError, NodeContext, NodeOutcome, RunInfo, RunOutcome};
use crate::node::{Node, NodeError};
use crate::outputs::Outputs;
use crate::plan::{ArgPlan, Load, LoadFrom, Plan, Step};
use crate::value::Value;
use crate::values::{Inputs, Overrides};

/// Fills the slots a plan loads, checking every given value's type; all problems together.
pub(crate) fn load(
    graph: &Graph,
    plan: &Plan,
    mut inputs: Inputs,
    mut overrides: Overrides,
) -> Result<Vec<Option<Value>>, Error> {
    let mut slots: Vec<Option<Value>> = Vec::with_capacity(plan.slot_count);
    slots.resize_with(plan.slot_count, || None);
    let mut errors = Vec::new();
    for load in &plan.loads {
        let vertex = &graph.vertices[load.vertex];
        let value = match load.from {
            LoadFrom::Input => inputs.0.entries.remove(&*vertex.name),
            LoadFrom::Override => overrides.0.entries.remove(&*vertex.name),
            LoadFrom::Config => graph.config.copy_value(&vertex.name),
        };
        let Some(value) = value else { continue };
        let converted = if value.type_id() == vertex.ty.id {
            Ok(value)
        } else {
            match graph.conversions.get(&(value.type_id(), vertex.ty.id)) {
                Some(c) => c
                    .apply(value.as_any())
                    .map_err(|e| (value.type_name(), e.to_string())),
                None => Err((value.type_name(), String::new())),
            }
        };
        match converted {
            Ok(v) => slots[load.slot as usize] = Some(v),
            Err((found, message)) => {
                let found = if message.is_empty() {
                    found.to_string()
                } else {
                    format!("{found} ({message})")
                };
                errors.push(type_problem(graph, plan, load, found));
            }
        }
    }
    if errors.is_empty() {
        Ok(slots)
    } else {
        Err(Error::Request(errors))
    }
}

/// The error for a loaded value of the wrong type (`found` describes what was given).
pub(crate) fn type_problem(graph: &Graph, plan: &Plan, load: &Load, found: String) -> RequestError {
    let vertex = &graph.vertices[load.vertex];
    match load.from {
        LoadFrom::Override => RequestError::OverrideType {
            name: vertex.name.to_string(),
            expected: vertex.ty.name.to_string(),
            found,
        },
        _ => RequestError::InputType {
            name: vertex.name.to_string(),
            expected: vertex.ty.name.to_string(),
            found,
            needed_by: readers_in_plan(graph, plan, load.vertex),
        },
    }
}

fn readers_in_plan(graph: &Graph, plan: &Plan, vertex: usize) -> Vec<String> {
    let in_plan: HashSet<usize> = plan.steps.iter().map(|s| s.vertex).collect();
    graph.consumers[vertex]
        .iter()
        .filter(|c| in_plan.contains(c))
        .map(|&c| graph.vertices[c].name.to_string())
        .collect()
}

/// Runs every step of `plan` in order over `slots`, calling `hooks` around the run and each node.
pub(crate) fn run(
    graph: &Graph,
    plan: &Plan,
    mut slots: Vec<Option<Value>>,
    hooks: &[Arc<dyn Hook>],
    run_id: u64,
) -> Result<Outputs, Error> {
    let mut reports = Vec::new();
    if hooks.is_empty() {
        for step in &plan.steps {
            advance(graph, step, &mut slots, None, &mut reports)?;
        }
        return Ok(collect_outputs(plan, &mut slots, reports));
    }
    let run = RunHooks::start(graph, plan, hooks, run_id)?;
    let mut result = Ok(());
    for (position, step) in plan.steps.iter().enumerate() {
        let hooked = run.node_hooks(position);
        if let Err(e) = advance(graph, step, &mut slots, hooked.as_ref(), &mut reports) {
            result = Err(e);
            break;
        }
    }
    run.finish(result)?;
    Ok(collect_outputs(plan, &mut slots, reports))
}

/// The run-level hooks of one run: `before_run` when it starts, `after_run` (in reverse order)
/// when it ends, whatever the outcome. Shared by every executor, which asks it for each step's
/// [`HookCtx`] with [`node_hooks`](Self::node_hooks).
///
/// Hooks see each node the run computes once, in execution order ([`RunInfo::nodes`]): a fan-out
/// step stands for its block's nodes, listed in the block's order where the block runs.
pub(crate) struct RunHooks<'a> {
    hooks: &'a [Arc<dyn Hook>],
    run_id: u64,
    nodes: Vec<&'a str>,
    outputs: Vec<&'a str>,
    /// For each plan step, its node's index in `nodes` (for a fan-out step: its block's first
    /// node). Empty when there are no hooks.
    positions: Vec<usize>,
    started: Instant,
}

impl<'a> RunHooks<'a> {
    /// Calls every `before_run`.
    pub(crate) fn start(
        graph: &'a Graph,
        plan: &'a Plan,
        hooks: &'a [Arc<dyn Hook>],
        run_id: u64,
    ) -> Result<Self, Error> {
        let mut run = Self {
            hooks,
            run_id,
            nodes: Vec::new(),
            outputs: Vec::new(),
            positions: Vec::new(),
            started: Instant::now(),
        };
        if hooks.is_empty() {
            return Ok(run);
        }
        run.outputs = plan.outputs.iter().map(|(n, _)| &**n).collect();
        run.positions.reserve(plan.steps.len());
        for step in &plan.steps {
            run.positions.push(run.nodes.len());
            match &step.fan_out {
                Some(fan) => run
                    .nodes
                    .extend(fan.steps.iter().map(|s| &*graph.vertices[s.vertex].name)),
                None => run.nodes.push(&graph.vertices[step.vertex].name),
            }
        }
        let info = run.info();
        for hook in hooks {
            guard_hook(hook.as_ref(), "before_run", None, || hook.before_run(&info))?;
        }
        Ok(run)
    }

    /// The hooks of plan step `position` (for a fan-out step: of its block's first node), or
    /// `None` when the run has no hooks.
    pub(crate) fn node_hooks(&self, position: usize) -> Option<HookCtx<'a>> {
        if self.hooks.is_empty() {
            return None;
        }
        Some(HookCtx {
            hooks: self.hooks,
            run_id: self.run_id,
            position: self.positions[position],
            total: self.nodes.len(),
        })
    }

    fn info(&self) -> RunInfo<'_> {
        RunInfo {
            run_id: self.run_id,
            outputs: &self.outputs,
            nodes: &self.nodes,
        }
    }

    /// Calls every `after_run` with how the run ended; the run's own error comes first, then
    /// the first hook error.
    pub(crate) fn finish(self, result: Result<(), Error>) -> Result<(), Error> {
        let duration = self.started.elapsed();
        let outcome = match &result {
            Ok(()) => RunOutcome::Success { duration },
            Err(error) => RunOutcome::Failure { error, duration },
        };
        let info = self.info();
        let mut after = Ok(());
        for hook in self.hooks.iter().rev() {
            let r = guard_hook(hook.as_ref(), "after_run", None, || {
                hook.after_run(&info, &outcome)
            });
            if after.is_ok() {
                after = r;
            }
        }
        result?;
        after
    }
}

/// Runs one step and stores what it produced: a node's value, or the values a fan-out's block
/// collected.
fn advance(
    graph: &Graph,
    step: &Step,
    slots: &mut [Option<Value>],
    hooked: Option<&HookCtx<'_>>,
    reports: &mut Vec<CheckReport>,
) -> Result<(), Error> {
    if let Some(fan) = &step.fan_out {
        let produced = {
            let view: &[Option<Value>] = slots;
            crate::fanout::run_with_hooks(
                &graph.vertices,
                fan,
                &graph.vertices[step.vertex].name,
                &|s| view[s as usize].as_ref(),
                hooked,
                #[cfg(feature = "parallel")]
                None,
            )?
        };
        free_last_reads(step, slots);
        for (slot, value) in produced {
            slots[slot as usize] = Some(value);
        }
        return Ok(());
    }
    let value = run_step(graph, step, slots, hooked)?;
    record_report(&value, reports);
    slots[step.slot as usize] = Some(value);
    Ok(())
}

/// Converts `source` for parameter `param` of `vertex`, or says which node, parameter and types
/// were involved.
pub(crate) fn convert(
    vertex: &crate::graph::Vertex,
    param: &crate::node::Param,
    conversion: &crate::convert::Conversion,
    source: &Value,
) -> Result<Value, Error> {
    conversion
        .apply(source.as_any())
        .map_err(|e| Error::Conversion {
            node: vertex.name.to_string(),
            param: param.name().to_string(),
            expected: param.ty().name().to_string(),
            found: source.type_name().to_string(),
            message: e.to_string(),
        })
}

/// Frees the values `step` read for the last time in the run.
fn free_last_reads(step: &Step, slots: &mut [Option<Value>]) {
    for arg in &step.args {
        if let ArgPlan::Slot {
            slot,
            last_use: true,
            ..
        } = arg
        {
            slots[*slot as usize] = None;
        }
    }
}

/// Keeps a copy of every data-check report a run produces, for [`Outputs::check_reports`].
pub(crate) fn record_report(value: &Value, reports: &mut Vec<CheckReport>) {
    if let Some(report) = crate::check::as_report(value) {
        reports.push(report.clone());
    }
}

pub(crate) fn collect_outputs(
    plan: &Plan,
    slots: &mut [Option<Value>],
    reports: Vec<CheckReport>,
) -> Outputs {
    Outputs::new(
        plan.outputs
            .iter()
            .map(|(name, slot)| {
                let value = slots[*slot as usize]
                    .take()
                    .expect("an output slot is filled by its load or its step");
                (name.clone(), value)
            })
            .collect(),
        reports,
    )
}

/// Hooks and the position of the node being run (see [`RunHooks::node_hooks`]).
#[derive(Clone, Copy)]
pub(crate) struct HookCtx<'a> {
    pub(crate) hooks: &'a [Arc<dyn Hook>],
    pub(crate) run_id: u64,
    /// The node's index in [`RunInfo::nodes`].
    pub(crate) position: usize,
    /// The length of [`RunInfo::nodes`].
    pub(crate) total: usize,
}

impl<'a> HookCtx<'a> {
    /// What hooks see of `node` (named `name`, producing `output_type`), run for `item` of a
    /// fan-out (or `None`), with its arguments when the executor offers them.
    pub(crate) fn node_context<'c>(
        &self,
        name: &'c str,
        node: &'c Node,
        output_type: &'static str,
        input_types: &'c [(&'c str, &'static str)],
        item: Option<usize>,
        args: Option<&'c Args<'c>>,
    ) -> NodeContext<'c> {
        NodeContext {
            run_id: self.run_id,
            name,
            tags: node.tags(),
            input_types,
            output_type,
            position: self.position,
            total: self.total,
            item,
            args,
        }
    }
}

/// Each parameter's name and the type it reads, as hooks see them.
pub(crate) fn input_types(node: &Node) -> Vec<(&str, &'static str)> {
    node.params()
        .iter()
        .map(|p| (p.name(), p.ty().name()))
        .collect()
}

/// Calls every hook's `before_node`, in order; the first failure stops the node.
pub(crate) fn before_node_hooks(
    hooks: &[Arc<dyn Hook>],
    ctx: &NodeContext<'_>,
) -> Result<(), Error> {
    for hook in hooks {
        guard_hook(hook.as_ref(), "before_node", Some(ctx.name), || {
            hook.before_node(ctx)
        })?;
    }
    Ok(())
}

/// Calls every hook's `after_node`, in reverse order (all of them, even after a failure);
/// returns the first failure.
pub(crate) fn after_node_hooks(
    hooks: &[Arc<dyn Hook>],
    ctx: &NodeContext<'_>,
    outcome: &NodeOutcome<'_>,
) -> Result<(), Error> {
    let mut after = Ok(());
    for hook in hooks.iter().rev() {
        let r = guard_hook(hook.as_ref(), "after_node", Some(ctx.name), || {
            hook.after_node(ctx, outcome)
        });
        if after.is_ok() {
            after = r;
        }
    }
    after
}

/// Runs a hook method, turning its error or panic into [`Error::Hook`].
pub(crate) fn guard_hook(
    hook: &dyn Hook,
    phase: &'static str,
    node: Option<&str>,
    f: impl FnOnce() -> Result<(), HookError>,
) -> Result<(), Error> {
    let message = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(payload) => format!("panicked: {}", panic_message(payload.as_ref())),
    };
    Err(Error::Hook {
        hook: hook.name().to_string(),
        phase,
        node: node.map(str::to_string),
        message,
    })
}

/// A node's panic, carried through `around_node` and `around_async_node` wrappers as an error.
#[derive(Debug)]
pub(crate) struct NodePanic(pub(crate) String);

impl std::fmt::Display for NodePanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "panicked: {}", self.0)
    }
}

impl std::error::Error for NodePanic {}

/// Calls the node through every hook's `around_node`, first hook outermost.
fn around(
    hooks: &[Arc<dyn Hook>],
    ctx: &NodeContext<'_>,
    inner: &mut dyn FnMut() -> Result<Value, NodeError>,
) -> Result<Value, NodeError> {
    match hooks.split_first() {
        None => inner(),
        Some((hook, rest)) => hook.around_node(ctx, &mut || around(rest, ctx, inner)),
    }
}

/// Calls a node with hooks: `before_node`, the `around_node` chain, `after_node`.
fn invoke_hooked(
    hooked: &HookCtx<'_>,
    name: &str,
    node: &Node,
    output_type: &'static str,
    args: &Args<'_>,
    item: Option<usize>,
) -> Result<Value, Error> {
    let input_types = input_types(node);
    let ctx = hooked.node_context(name, node, output_type, &input_types, item, Some(args));
    before_node_hooks(hooked.hooks, &ctx)?;
    let started = Instant::now();
    let mut inner = || match catch_unwind(AssertUnwindSafe(|| node.call(args))) {
        Ok(r) => r,
        Err(payload) => Err(Box::new(NodePanic(panic_message(payload.as_ref()))) as NodeError),
    };
    let result = match catch_unwind(AssertUnwindSafe(|| around(hooked.hooks, &ctx, &mut inner))) {
        Ok(r) => r,
        Err(payload) => return Err(around_panicked("around_node", name, payload.as_ref())),
    };
    let duration = started.elapsed();
    let error_text = result.as_ref().err().map(|e| e.to_string());
    let outcome = outcome(&result, error_text.as_deref(), duration);
    let after = after_node_hooks(hooked.hooks, &ctx, &outcome);
    let value = result.map_err(|e| node_error(name, e))?;
    after?;
    Ok(value)
}

/// A node's error (from inside hook wrappers) as the run's error: [`Error::NodePanicked`] for a
/// caught panic, [`node_failed`] otherwise.
pub(crate) fn node_error(name: &str, error: NodeError) -> Error {
    match error.downcast::<NodePanic>() {
        Ok(panic) => Error::NodePanicked {
            node: name.to_string(),
            message: panic.0,
        },
        Err(source) => node_failed(name, source),
    }
}

/// The error for an `around_*` hook wrapper that panicked around node `node`.
pub(crate) fn around_panicked(
    phase: &'static str,
    node: &str,
    payload: &(dyn std::any::Any + Send),
) -> Error {
    Error::Hook {
        hook: "a hook".to_string(),
        phase,
        node: Some(node.to_string()),
        message: format!("panicked: {}", panic_message(payload)),
    }
}

/// How a node's run ended, as hooks see it (`error_text`: the error's message, if it failed).
pub(crate) fn outcome<'a, E>(
    result: &'a Result<Value, E>,
    error_text: Option<&'a str>,
    duration: std::time::Duration,
) -> NodeOutcome<'a> {
    match result {
        Ok(value) => NodeOutcome::Success { value, duration },
        Err(_) => NodeOutcome::Failure {
            error: error_text.unwrap_or(""),
            duration,
        },
    }
}

/// Runs one node: prepares its arguments, calls it (catching panics), frees values read for the
/// last time, and checks the result's type.
pub(crate) fn run_step(
    graph: &Graph,
    step: &Step,
    slots: &mut [Option<Value>],
    hooked: Option<&HookCtx<'_>>,
) -> Result<Value, Error> {
    let vertex = &graph.vertices[step.vertex];
    let Kind::Function(node) = &vertex.kind else {
        unreachable!("steps run function vertices")
    };
    let params = node.params();

    // Fast path: every argument is borrowed from its slot; no heap allocation for them.
    const INLINE: usize = 4;
    if !step.prepares && step.args.len() <= INLINE {
        let result = {
            let mut buf: [Arg<'_>; INLINE] = [const { Arg::Absent }; INLINE];
            for (cell, arg) in buf.iter_mut().zip(&step.args) {
                if let ArgPlan::Slot { slot, .. } = arg {
                    *cell = Arg::Ref(
                        slots[*slot as usize]
                            .as_ref()
                            .expect("a read slot is filled")
                            .as_any(),
                    );
                }
            }
            invoke_node(vertex, node, &Args::new(&buf[..step.args.len()]), hooked)
        };
        free_last_reads(step, slots);
        return result;
    }

    // Values moved into by-value parameters or converted for this call.
    let mut prepared: Vec<Option<Value>> = Vec::new();
    if step.prepares {
        prepared.resize_with(step.args.len(), || None);
        for (i, arg) in step.args.iter().enumerate() {
            let ArgPlan::Slot {
                slot,
                last_use,
                conversion,
            } = arg
            else {
                continue;
            };
            let slot = *slot as usize;
            if let Some(c) = conversion {
                let source = slots[slot].as_ref().expect("a read slot is filled");
                let converted = convert(vertex, &params[i], c, source)?;
                prepared[i] = Some(converted);
            } else if *last_use && params[i].kind().is_owned() {
                prepared[i] = slots[slot].take();
            }
        }
    }

    let result = {
        let mut owned_cells: Vec<Option<Value>> = Vec::new();
        if step.prepares {
            owned_cells.resize_with(step.args.len(), || None);
            for (i, p) in params.iter().enumerate() {
                if p.kind().is_owned() {
                    owned_cells[i] = prepared[i].take();
                }
            }
        }
        let args: Vec<Arg<'_>> = step
            .args
            .iter()
            .enumerate()
            .map(|(i, arg)| match arg {
                ArgPlan::Absent => Arg::Absent,
                ArgPlan::Slot { slot, .. } => {
                    if step.prepares {
                        if let Some(v) = owned_cells[i].take() {
                            return Arg::Owned(Cell::new(Some(v)));
                        }
                        if let Some(v) = &prepared[i] {
                            return Arg::Ref(v.as_any());
                        }
                    }
                    Arg::Ref(
                        slots[*slot as usize]
                            .as_ref()
                            .expect("a read slot is filled")
                            .as_any(),
                    )
                }
            })
            .collect();
        invoke_node(vertex, node, &Args::new(&args), hooked)
    };

    free_last_reads(step, slots);
    result
}

/// Calls a node (with hooks when given), catching its panic, and checks its result's type.
pub(crate) fn invoke_node(
    vertex: &crate::graph::Vertex,
    node: &Node,
    args: &Args<'_>,
    hooked: Option<&HookCtx<'_>>,
) -> Result<Value, Error> {
    invoke_node_for_item(vertex, node, args, hooked, None)
}

/// [`invoke_node`] for one item of a fan-out's block (`item`), which hooks see in
/// [`NodeContext::item`].
pub(crate) fn invoke_node_for_item(
    vertex: &crate::graph::Vertex,
    node: &Node,
    args: &Args<'_>,
    hooked: Option<&HookCtx<'_>>,
    item: Option<usize>,
) -> Result<Value, Error> {
    let value = match hooked {
        Some(h) => invoke_hooked(h, &vertex.name, node, vertex.ty.name, args, item)?,
        None => match catch_unwind(AssertUnwindSafe(|| node.call(args))) {
            Ok(Ok(value)) => value,
            Ok(Err(source)) => return Err(node_failed(&vertex.name, source)),
            Err(payload) => {
                return Err(Error::NodePanicked {
                    node: vertex.name.to_string(),
                    message: panic_message(payload.as_ref()),
                });
            }
        },
    };
    check_output_type(vertex, value)
}

/// The node's value if it is of the type the node declares.
pub(crate) fn check_output_type(
    vertex: &crate::graph::Vertex,
    value: Value,
) -> Result<Value, Error> {
    if value.type_id() != vertex.ty.id {
        return Err(Error::NodeFailed {
            node: vertex.name.to_string(),
            source: format!(
                "returned a `{}` but declares `{}`; make the node's function return what it declares",
                value.type_name(),
                vertex.ty.name
            )
            .into(),
        });
    }
    Ok(value)
}

/// A node's error as [`Error::NodeFailed`], or [`Error::DataCheck`] for failed data checks.
pub(crate) fn node_failed(name: &str, source: NodeError) -> Error {
    match source.downcast::<crate::check::ChecksFailed>() {
        Ok(failed) => Error::DataCheck {
            node: failed.0.node.clone(),
            report: failed.0,
        },
        Err(source) => Error::NodeFailed {
            node: name.to_string(),
            source,
        },
    }
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{Conversion, conversion_table};
    use crate::module::Module;
    use crate::plan::PlanKey;
    use crate::types::TypeInfo;
    use crate::values::Config;

    fn graph(nodes: Vec<Node>, conversions: &[Conversion]) -> Graph {
        Graph::build(
            &[Module::from_nodes("m", nodes)],
            Config::new(),
            false,
            conversion_table(conversions),
        )
        .unwrap()
    }

    fn plan(g: &Graph, outputs: &[&str], inputs: &[&str], overrides: &[&str]) -> Plan {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        let (plan, errors) = Plan::checked(
            g,
            &PlanKey {
                outputs: owned(outputs),
                overrides: owned(overrides),
                inputs: owned(inputs),
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
        plan
    }

    fn plus_one(name: &str, dep: &str) -> Node {
        Node::builder(name)
            .param::<i64>(dep)
            .build(|a: &Args| Ok(a.get::<i64>(0)? + 1))
    }

    #[test]
    fn panic_message_reads_str_and_string_payloads() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&7_u8), "a panic with a non-string payload");
    }

    #[test]
    fn run_step_frees_values_on_their_last_read_only() {
        let g = graph(vec![plus_one("a", "x"), plus_one("b", "a")], &[]);
        let p = plan(&g, &["b"], &["x"], &[]);
        let mut slots = load(&g, &p, Inputs::new().set("x", 1_i64), Overrides::new()).unwrap();
        assert!(slots.iter().filter(|s| s.is_some()).count() == 1);
        let a = run_step(&g, &p.steps[0], &mut slots, None).unwrap();
        // `x` was read for the last time by `a`.
        assert!(slots.iter().all(Option::is_none));
        slots[p.steps[0].slot as usize] = Some(a);
        let b = run_step(&g, &p.steps[1], &mut slots, None).unwrap();
        assert_eq!(b.downcast_ref::<i64>(), Some(&3));
        assert!(slots.iter().all(Option::is_none));
    }

    #[test]
    fn load_reports_every_mistyped_value_and_converts_convertible_ones() {
        let g = graph(
            vec![
                plus_one("a", "x"),
                Node::builder("b")
                    .param::<f64>("y")
                    .param::<i64>("a")
                    .build(|a: &Args| Ok(*a.get::<f64>(0)?)),
            ],
            &[Conversion::new(|v: &i32| Ok(f64::from(*v)))],
        );
        let p = plan(&g, &["b", "a"], &["x", "y"], &[]);
        let err = load(
            &g,
            &p,
            Inputs::new().set("x", 1_u8).set("y", "no"),
            Overrides::new(),
        )
        .unwrap_err();
        let mut names: Vec<_> = err
            .request_errors()
            .iter()
            .map(|e| match e {
                RequestError::InputType { name, found, .. } => format!("{name}:{found}"),
                other => panic!("{other:?}"),
            })
            .collect();
        names.sort();
        assert_eq!(names, ["x:u8", "y:String"]);
        // An `i32` for the `f64` input `y` is converted on load.
        let slots = load(
            &g,
            &p,
            Inputs::new().set("x", 1_i64).set("y", 2_i32),
            Overrides::new(),
        )
        .unwrap();
        assert!(
            slots
                .iter()
                .flatten()
                .any(|v| v.downcast_ref::<f64>() == Some(&2.0))
        );
    }

    #[test]
    fn a_node_returning_another_type_than_it_declares_fails() {
        let liar = Node::builder("liar").build_erased(
            TypeInfo::of::<f64>(),
            Arc::new(|_: &Args| Ok(Value::new(1_i32))),
        );
        let g = graph(vec![liar], &[]);
        let p = plan(&g, &["liar"], &[], &[]);
        let slots = load(&g, &p, Inputs::new(), Overrides::new()).unwrap();
        let err = run(&g, &p, slots, &[], 1).unwrap_err();
        assert!(matches!(&err, Error::NodeFailed { node, .. } if node == "liar"));
        assert!(
            err.to_string()
                .contains("returned a `i32` but declares `f64`"),
            "{err}"
        );
    }

    #[test]
    fn run_collects_the_outputs_in_request_order() {
        let g = graph(vec![plus_one("a", "x"), plus_one("b", "a")], &[]);
        let p = plan(&g, &["b", "x", "a"], &["x"], &[]);
        let slots = load(&g, &p, Inputs::new().set("x", 0_i64), Overrides::new()).unwrap();
        let out = run(&g, &p, slots, &[], 1).unwrap();
        let values: Vec<(&str, i64)> = out
            .iter()
            .map(|(n, v)| (n, *v.downcast_ref::<i64>().unwrap()))
            .collect();
        assert_eq!(values, [("b", 2), ("x", 0), ("a", 1)]);
    }
}
