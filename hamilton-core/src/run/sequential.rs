//! The sequential executor: every step in plan order, values in a `Vec` of slots, each freed
//! right after its last reader.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use futures_util::FutureExt;

use super::bind::{self, SlotStore};
use super::fan_out::{BlockRun, Items};
use super::hooks::{HookCtx, RunHooks};
use super::load::{end_run, record_report};
use super::{Executor, Failure, Run, RunFuture, invoke};
use crate::args::Args;
use crate::cancel;
use crate::check::CheckReport;
use crate::error::Error;
use crate::graph::Graph;
use crate::outputs::Outputs;
use crate::plan::{ArgPlan, INLINE_ARGS, Step};
use crate::value::Value;

/// Runs the steps one after another on the calling thread.
pub(crate) struct Sequential;

impl Executor for Sequential {
    fn run<'r>(&'r self, run: Run<'r>) -> RunFuture<'r> {
        Box::pin(async move { run_in_order(run, None) })
    }
}

/// What runs some of a run's steps somewhere else than on the calling thread (fan-out items and
/// chosen nodes on worker processes), the rest of the run going on in plan order here.
#[cfg_attr(not(feature = "distributed"), allow(dead_code))]
pub(crate) trait Elsewhere: Sync {
    /// What the run's hooks are told runs it (see [`RunInfo::executor`](crate::hooks::RunInfo)).
    fn name(&self) -> &'static str;

    /// Runs the items of `block` (plan step `position` of `run`); the values it collected.
    fn block(
        &self,
        run: RunRef<'_>,
        position: usize,
        block: &BlockRun<'_>,
    ) -> Result<Vec<(u32, Value)>, Error>;

    /// Whether the node of `vertex` runs elsewhere.
    fn runs_node(&self, vertex: usize) -> bool;

    /// Runs `step` (plan step `position` of `run`) elsewhere, reading its arguments from
    /// `slots`; its value.
    fn node(
        &self,
        run: RunRef<'_>,
        position: usize,
        step: &Step,
        slots: &[Option<Value>],
        hooked: Option<HookCtx<'_>>,
    ) -> Result<Value, Error>;

    /// Called once when run `run_id` has ended, however it ended.
    fn finish(&self, run_id: u64);
}

/// What [`Elsewhere`] sees of the run it serves.
#[cfg_attr(not(feature = "distributed"), allow(dead_code))]
#[derive(Clone, Copy)]
pub(crate) struct RunRef<'a> {
    pub(crate) graph: &'a Graph,
    pub(crate) plan: &'a crate::plan::Plan,
    pub(crate) run_id: u64,
    /// What stops the run from outside, if anything.
    pub(crate) cancel: Option<&'a crate::cancel::Cancel>,
}

/// A run's values, one slot each.
struct Slots {
    values: Vec<Option<Value>>,
    /// The slot whose value is being dropped, if one is.
    dropping: Option<u32>,
    /// The vertex whose node is being called without a panic guard of its own, if one is.
    calling: Option<usize>,
}

impl SlotStore for Slots {
    type Ref<'s>
        = &'s Value
    where
        Self: 's;

    #[inline]
    fn read(&self, slot: u32) -> &Value {
        self.values[slot as usize]
            .as_ref()
            .expect("a read slot is filled")
    }

    /// Plan order is run order: the plan's last read is the last.
    fn hand_over(&mut self, slot: u32, last_use: bool) -> Option<Value> {
        if last_use {
            self.values[slot as usize].take()
        } else {
            None
        }
    }
}

/// Runs every step of the plan in order, those `elsewhere` takes on elsewhere.
pub(crate) fn run_in_order(
    run: Run<'_>,
    elsewhere: Option<&dyn Elsewhere>,
) -> Result<Outputs, Error> {
    let Run {
        graph,
        plan,
        slots,
        hooks,
        run_id,
        cancel,
    } = run;
    #[cfg(feature = "distributed")]
    let executor = elsewhere.map_or("sequential", |e| e.name());
    #[cfg(not(feature = "distributed"))]
    let executor = "sequential";
    let run_hooks = RunHooks::start(graph, plan, hooks, run_id, executor)?;
    let mut slots = Slots {
        values: slots,
        dropping: None,
        calling: None,
    };
    let mut reports = Vec::new();
    // Hooks, hooked nodes and fan-out blocks are called under their own panic guards. What
    // else can panic here, a hook-less node or a value's `Drop` when it is freed, is caught
    // once around the whole loop rather than around every call and drop (`Slots::calling` and
    // `Slots::dropping` tell whose it was). A panic ends the loop, as any failure does.
    let plain = run_hooks.is_empty() && elsewhere.is_none();
    let steps = catch_unwind(AssertUnwindSafe(|| {
        if plain {
            return run_plain(graph, plan, &mut slots, &mut reports, cancel);
        }
        for (position, step) in plan.steps.iter().enumerate() {
            if cancel.is_some() {
                cancel::check(cancel, graph.vertices[step.vertex].name())?;
            }
            let hooked = run_hooks.node_hooks(position);
            #[cfg(feature = "distributed")]
            if let Some(elsewhere) = elsewhere {
                let run = RunRef {
                    graph,
                    plan,
                    run_id,
                    cancel,
                };
                if advance_elsewhere(
                    elsewhere,
                    run,
                    position,
                    step,
                    &mut slots,
                    hooked,
                    &mut reports,
                )? {
                    continue;
                }
            }
            advance(graph, step, &mut slots, hooked, &mut reports, cancel)?;
        }
        Ok::<(), Failure>(())
    }));
    let result = match steps {
        Ok(result) => result.map_err(|e| *e),
        Err(payload) => match (slots.calling.take(), slots.dropping.take()) {
            (Some(vertex), _) => Err(invoke::node_panicked(&graph.vertices[vertex], payload)),
            (None, Some(slot)) => Err(invoke::drop_panicked(
                graph.vertices[plan.vertex_of(slot as usize)].name(),
                payload,
            )),
            (None, None) => resume_unwind(payload),
        },
    };
    #[cfg(feature = "distributed")]
    if let Some(elsewhere) = elsewhere {
        elsewhere.finish(run_id);
    }
    #[cfg(not(feature = "distributed"))]
    let _ = elsewhere;
    end_run(run_hooks, graph, plan, slots.values, reports, result)
}

/// Runs `step` elsewhere if `elsewhere` takes it (a fan-out, or a node it runs), storing what it
/// produced; whether it did.
#[cfg(feature = "distributed")]
fn advance_elsewhere(
    elsewhere: &dyn Elsewhere,
    run: RunRef<'_>,
    position: usize,
    step: &Step,
    slots: &mut Slots,
    hooked: Option<HookCtx<'_>>,
    reports: &mut Vec<CheckReport>,
) -> Result<bool, Failure> {
    let vertex = &run.graph.vertices[step.vertex];
    let produced = if let Some(fan) = step.fan_out() {
        let block = BlockRun {
            vertices: &run.graph.vertices,
            fan_out: vertex,
            fan,
            outer: &slots.values,
            hooked,
            cancel: run.cancel,
        };
        elsewhere.block(run, position, &block)?
    } else if elsewhere.runs_node(step.vertex) {
        let value = elsewhere.node(run, position, step, &slots.values, hooked)?;
        if step.reports {
            record_report(vertex, &value, reports);
        }
        vec![(step.slot, value)]
    } else {
        return Ok(false);
    };
    free_last_reads(step, slots);
    for (slot, value) in produced {
        slots.values[slot as usize] = Some(value);
    }
    Ok(true)
}

/// Runs every step of a run without hooks on this thread: a [`plain`](Step::plain) step by a
/// call and nothing else, the others as [`advance`] runs them.
fn run_plain(
    graph: &Graph,
    plan: &crate::plan::Plan,
    slots: &mut Slots,
    reports: &mut Vec<CheckReport>,
    cancel: Option<&cancel::Cancel>,
) -> Result<(), Failure> {
    for step in &plan.steps {
        if cancel.is_some() {
            cancel::check(cancel, graph.vertices[step.vertex].name())?;
        }
        if !step.plain {
            advance(graph, step, slots, None, reports, cancel)?;
            continue;
        }
        slots.calling = Some(step.vertex);
        let call = |args: &Args<'_>| {
            (step.call.0)(args)
                .map_err(|source| invoke::node_failure(&graph.vertices[step.vertex], args, source))
        };
        let store = &*slots;
        let value = match step.args.len() {
            0 => call(&Args::new(&[])),
            1 => bind::borrowed::<_, _, 1>(&step.args, store, call),
            2 => bind::borrowed::<_, _, 2>(&step.args, store, call),
            3 => bind::borrowed::<_, _, 3>(&step.args, store, call),
            _ => bind::borrowed::<_, _, INLINE_ARGS>(&step.args, store, call),
        };
        slots.calling = None;
        free_last_reads(step, slots);
        slots.values[step.slot as usize] = Some(value?);
    }
    Ok(())
}

/// Runs one step and stores what it produced: a node's value, or the values a fan-out's block
/// collected.
#[inline]
fn advance(
    graph: &Graph,
    step: &Step,
    slots: &mut Slots,
    hooked: Option<HookCtx<'_>>,
    reports: &mut Vec<CheckReport>,
    cancel: Option<&cancel::Cancel>,
) -> Result<(), Failure> {
    let vertex = &graph.vertices[step.vertex];
    if let Some(fan) = step.fan_out() {
        let block = BlockRun {
            vertices: &graph.vertices,
            fan_out: vertex,
            fan,
            outer: &slots.values,
            hooked,
            cancel,
        };
        let produced = block
            .run(Items::InOrder)
            .now_or_never()
            .expect("a block of sync nodes never waits")?;
        free_last_reads(step, slots);
        for (slot, value) in produced {
            slots.values[slot as usize] = Some(value);
        }
        return Ok(());
    }
    let value = match &hooked {
        Some(hooked) => {
            let node = vertex.function().expect("steps run functions");
            bind::with_args(vertex, step, slots, |args| {
                invoke::call(vertex, node, args, Some(hooked), None)
            })
        }
        None => {
            slots.calling = Some(step.vertex);
            let value = bind::with_args(vertex, step, slots, |args| {
                invoke::call_unguarded(vertex, step, args)
            });
            slots.calling = None;
            value
        }
    }
    .and_then(|r| r);
    free_last_reads(step, slots);
    let value = value?;
    if step.reports {
        record_report(vertex, &value, reports);
    }
    slots.values[step.slot as usize] = Some(value);
    Ok(())
}

/// Frees the values `step` read for the last time in the run, telling `slots.dropping` whose
/// value is being dropped.
#[inline(always)]
fn free_last_reads(step: &Step, slots: &mut Slots) {
    for arg in &step.args {
        if let ArgPlan::Slot {
            slot,
            last_use: true,
            ..
        } = arg
        {
            slots.dropping = Some(*slot);
            slots.values[*slot as usize] = None;
        }
    }
    slots.dropping = None;
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::args::Args;
    use crate::convert::{Conversion, conversion_table};
    use crate::error::RequestError;
    use crate::module::Module;
    use crate::node::Node;
    use crate::plan::{Plan, PlanKey};
    use crate::run::load::load;
    use crate::types::TypeInfo;
    use crate::values::{Config, Inputs, Overrides};

    fn graph(nodes: Vec<Node>, conversions: &[Conversion]) -> Graph {
        Graph::build(
            &[Module::from_nodes("m", nodes)],
            Config::new(),
            false,
            conversion_table(conversions),
            None,
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

    fn run(g: &Graph, p: &Plan, slots: Vec<Option<Value>>) -> Result<Outputs, Error> {
        run_in_order(
            Run {
                graph: g,
                plan: p,
                slots,
                hooks: &[],
                run_id: 1,
                cancel: None,
            },
            None,
        )
    }

    #[test]
    fn values_are_freed_on_their_last_read_only() {
        let g = graph(vec![plus_one("a", "x"), plus_one("b", "a")], &[]);
        let p = plan(&g, &["b"], &["x"], &[]);
        let mut slots = Slots {
            values: load(&g, &p, Inputs::new().set("x", 1_i64), Overrides::new()).unwrap(),
            dropping: None,
            calling: None,
        };
        assert!(slots.values.iter().filter(|s| s.is_some()).count() == 1);
        let mut reports = Vec::new();
        advance(&g, &p.steps[0], &mut slots, None, &mut reports, None).unwrap();
        // `x` was read for the last time by `a`; only `a` is left.
        assert_eq!(slots.values.iter().filter(|s| s.is_some()).count(), 1);
        assert!(slots.values[p.steps[0].slot as usize].is_some());
        advance(&g, &p.steps[1], &mut slots, None, &mut reports, None).unwrap();
        assert_eq!(
            slots.values[p.steps[1].slot as usize]
                .as_ref()
                .and_then(|v| v.downcast_ref::<i64>()),
            Some(&3)
        );
        assert_eq!(slots.values.iter().filter(|s| s.is_some()).count(), 1);
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
        let err = run(&g, &p, slots).unwrap_err();
        assert!(matches!(&err, Error::NodeFailed { node, .. } if node == "liar"));
        assert!(
            err.to_string()
                .contains("returned a `i32` but declares `f64`"),
            "{err}"
        );
    }

    #[test]
    fn outputs_come_in_request_order() {
        let g = graph(vec![plus_one("a", "x"), plus_one("b", "a")], &[]);
        let p = plan(&g, &["b", "x", "a"], &["x"], &[]);
        let slots = load(&g, &p, Inputs::new().set("x", 0_i64), Overrides::new()).unwrap();
        let out = run(&g, &p, slots).unwrap();
        let values: Vec<(&str, i64)> = out
            .iter()
            .map(|(n, v)| (n, *v.downcast_ref::<i64>().unwrap()))
            .collect();
        assert_eq!(values, [("b", 2), ("x", 0), ("a", 1)]);
    }
}
