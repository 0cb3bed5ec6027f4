//! The parallel executor: independent nodes run at once on a thread pool of the driver's own.
//!
//! A node starts as soon as every node it reads has finished. Values are freed when their last
//! reader finishes (by count, since the order varies), and a by-value parameter receives the
//! value moved when no other reader is left. A node's error stops the scheduling of new nodes;
//! nodes already running finish, and the error of the earliest failed node (in topological
//! order) is returned. The pool is separate from Polars' own, so nodes that call Polars cannot
//! starve it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::args::{Arg, Args};
use crate::check::CheckReport;
use crate::error::Error;
use crate::execute::{HookCtx, RunHooks, collect_outputs, invoke_node};
use crate::graph::Graph;
use crate::hooks::Hook;
use crate::outputs::Outputs;
use crate::plan::{ArgPlan, Plan};
use crate::schedule::Schedule;
use crate::value::Value;

struct Shared<'a> {
    graph: &'a Graph,
    plan: &'a Plan,
    schedule: &'a Schedule,
    slots: Vec<RwLock<Option<Value>>>,
    waiting: Vec<AtomicUsize>,
    readers_left: Vec<AtomicUsize>,
    failed: AtomicBool,
    /// (position, error) of the earliest failure.
    error: Mutex<Option<(usize, Error)>>,
    /// (position, report) of every data-check report.
    reports: Mutex<Vec<(usize, CheckReport)>>,
    hooks: &'a [Arc<dyn Hook>],
    run_id: u64,
    pool: &'a rayon::ThreadPool,
}

/// Runs `plan` on `pool`, with the same results as the sequential executor.
pub(crate) fn run(
    graph: &Graph,
    plan: &Plan,
    schedule: &Schedule,
    slots: Vec<Option<Value>>,
    hooks: &[Arc<dyn Hook>],
    run_id: u64,
    pool: &rayon::ThreadPool,
) -> Result<Outputs, Error> {
    let shared = Shared {
        graph,
        plan,
        schedule,
        slots: slots.into_iter().map(RwLock::new).collect(),
        waiting: schedule
            .waits_for
            .iter()
            .map(|&n| AtomicUsize::new(n))
            .collect(),
        readers_left: schedule
            .readers
            .iter()
            .map(|&n| AtomicUsize::new(n))
            .collect(),
        failed: AtomicBool::new(false),
        error: Mutex::new(None),
        reports: Mutex::new(Vec::new()),
        hooks,
        run_id,
        pool,
    };
    let run = RunHooks::start(graph, plan, hooks, run_id)?;
    pool.scope(|scope| {
        for (i, &n) in schedule.waits_for.iter().enumerate() {
            if n == 0 {
                let shared = &shared;
                scope.spawn(move |scope| run_task(shared, i, scope));
            }
        }
    });
    let result = match shared.error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some((_, e)) => Err(e),
        None => Ok(()),
    };
    run.finish(result)?;
    let mut slots: Vec<Option<Value>> = shared
        .slots
        .into_iter()
        .map(|s| s.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect();
    let mut reports = shared
        .reports
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    reports.sort_by_key(|(position, _)| *position);
    let reports = reports.into_iter().map(|(_, r)| r).collect();
    Ok(collect_outputs(plan, &mut slots, reports))
}

fn run_task<'s>(shared: &'s Shared<'s>, position: usize, scope: &rayon::Scope<'s>) {
    if shared.failed.load(Ordering::Acquire) {
        return;
    }
    let step = &shared.plan.steps[position];
    if step.fan_out.is_some() {
        match execute_fan_out(shared, position) {
            Ok(produced) => {
                for (slot, value) in produced {
                    *shared.slots[slot as usize]
                        .write()
                        .unwrap_or_else(|p| p.into_inner()) = Some(value);
                }
                unblock(shared, position, scope);
            }
            Err(e) => fail(shared, position, e),
        }
        return;
    }
    match execute_step(shared, position) {
        Ok(value) => {
            if let Some(report) = crate::check::as_report(&value) {
                shared
                    .reports
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((position, report.clone()));
            }
            *shared.slots[step.slot as usize]
                .write()
                .unwrap_or_else(|p| p.into_inner()) = Some(value);
            unblock(shared, position, scope);
        }
        Err(e) => fail(shared, position, e),
    }
}

fn unblock<'s>(shared: &'s Shared<'s>, position: usize, scope: &rayon::Scope<'s>) {
    for &next in &shared.schedule.unblocks[position] {
        if shared.waiting[next].fetch_sub(1, Ordering::AcqRel) == 1 {
            scope.spawn(move |scope| run_task(shared, next, scope));
        }
    }
}

fn fail(shared: &Shared<'_>, position: usize, e: Error) {
    shared.failed.store(true, Ordering::Release);
    let mut first = shared.error.lock().unwrap_or_else(|p| p.into_inner());
    if first.as_ref().is_none_or(|(p, _)| position < *p) {
        *first = Some((position, e));
    }
}

/// Runs a fan-out's block for every item, items in parallel on the driver's pool.
fn execute_fan_out(shared: &Shared<'_>, position: usize) -> Result<Vec<(u32, Value)>, Error> {
    let step = &shared.plan.steps[position];
    let fan = step.fan_out.as_ref().expect("a fan-out step");
    let produced = {
        let guards: Vec<(u32, _)> = step
            .args
            .iter()
            .filter_map(|a| match a {
                ArgPlan::Slot { slot, .. } => Some((
                    *slot,
                    shared.slots[*slot as usize]
                        .read()
                        .unwrap_or_else(|p| p.into_inner()),
                )),
                ArgPlan::Absent => None,
            })
            .collect();
        let read = |s: u32| {
            guards
                .iter()
                .find(|(g, _)| *g == s)
                .and_then(|(_, guard)| guard.as_ref())
        };
        crate::fanout::run(
            &shared.graph.vertices,
            fan,
            &shared.graph.vertices[step.vertex].name,
            &read,
            Some(shared.pool),
        )
    };
    release(shared, step);
    produced
}

/// One read of each argument of `step` is done: free values whose last reader this was.
fn release(shared: &Shared<'_>, step: &crate::plan::Step) {
    for arg in &step.args {
        if let ArgPlan::Slot { slot, .. } = arg {
            let s = *slot as usize;
            if shared.readers_left[s].fetch_sub(1, Ordering::AcqRel) == 1
                && !shared.schedule.is_output[s]
            {
                *shared.slots[s].write().unwrap_or_else(|p| p.into_inner()) = None;
            }
        }
    }
}

/// Reads the step's arguments from the shared slots, runs the node, and frees values whose last
/// reader this was.
fn execute_step(shared: &Shared<'_>, position: usize) -> Result<Value, Error> {
    let step = &shared.plan.steps[position];
    let vertex = &shared.graph.vertices[step.vertex];
    let node = vertex.function().expect("steps run function vertices");
    let params = node.params();

    // Values this node takes over: moved when it is the last reader left, or converted.
    let mut prepared: Vec<Option<Value>> = Vec::new();
    prepared.resize_with(step.args.len(), || None);
    for (i, arg) in step.args.iter().enumerate() {
        let ArgPlan::Slot {
            slot, conversion, ..
        } = arg
        else {
            continue;
        };
        let s = *slot as usize;
        if let Some(c) = conversion {
            let guard = shared.slots[s].read().unwrap_or_else(|p| p.into_inner());
            let source = guard.as_ref().expect("a read slot is filled");
            prepared[i] = Some(crate::execute::convert(vertex, &params[i], c, source)?);
        } else if params[i].kind().is_owned()
            && !shared.schedule.is_output[s]
            && shared.readers_left[s].load(Ordering::Acquire) == 1
        {
            prepared[i] = shared.slots[s]
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .take();
        }
    }

    let result = {
        let guards: Vec<_> = step
            .args
            .iter()
            .enumerate()
            .map(|(i, arg)| match arg {
                ArgPlan::Slot { slot, .. } if prepared[i].is_none() => Some(
                    shared.slots[*slot as usize]
                        .read()
                        .unwrap_or_else(|p| p.into_inner()),
                ),
                _ => None,
            })
            .collect();
        let mut owned: Vec<Option<Value>> = Vec::new();
        owned.resize_with(step.args.len(), || None);
        for (i, p) in params.iter().enumerate() {
            if p.kind().is_owned() {
                owned[i] = prepared[i].take();
            }
        }
        let args: Vec<Arg<'_>> = step
            .args
            .iter()
            .enumerate()
            .map(|(i, arg)| match arg {
                ArgPlan::Absent => Arg::Absent,
                ArgPlan::Slot { .. } => {
                    if let Some(v) = owned[i].take() {
                        Arg::owned(v)
                    } else if let Some(v) = &prepared[i] {
                        Arg::Ref(v.as_any())
                    } else {
                        Arg::Ref(
                            guards[i]
                                .as_ref()
                                .and_then(|g| g.as_ref())
                                .expect("a read slot is filled")
                                .as_any(),
                        )
                    }
                }
            })
            .collect();
        let hooked = HookCtx {
            hooks: shared.hooks,
            run_id: shared.run_id,
            position,
            total: shared.plan.steps.len(),
        };
        let hooked = (!shared.hooks.is_empty()).then_some(&hooked);
        invoke_node(vertex, node, &Args::new(&args), hooked)
    };

    release(shared, step);
    result
}
