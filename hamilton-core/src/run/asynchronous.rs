//! The async executor: `async fn` nodes run concurrently, on whatever executor polls the run
//! (tokio, async-std, smol, a `block_on`); the library owns no runtime.
//!
//! A node starts as soon as everything it reads is ready. Async nodes are started and awaited
//! together; sync nodes run inline when they become ready (keep them short, or run heavy sync
//! work in your runtime's blocking pool from an async node). Values are shared by reference
//! count and freed when their last reader has finished.
//!
//! A fan-out's block whose nodes are all sync runs inline, item after item. A block with an
//! `async` node runs as one future beside the other nodes: its items run concurrently, each
//! item's nodes in order (async ones awaited), and the collected values keep item order.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::bind::{self, SharedSlotStore, SlotStore};
use super::fan_out::{BlockRun, Items, OuterValues};
use super::hooks::RunHooks;
use super::load::{end_run, in_plan_order, report_of};
use super::{Executor, FirstFailure, Run, RunFuture, invoke};
use crate::cancel::{self, Cancel};
use crate::check::CheckReport;
use crate::error::Error;
use crate::graph::Graph;
use crate::outputs::Outputs;
use crate::plan::{ArgPlan, Plan};
use crate::schedule::Schedule;
use crate::value::Value;

/// Runs async nodes concurrently, sync nodes inline as they become ready.
pub(crate) struct Asynchronous;

impl Executor for Asynchronous {
    fn run<'r>(&'r self, run: Run<'r>) -> RunFuture<'r> {
        Box::pin(run_concurrently(run))
    }
}

/// The run's values, shared with the futures that read them.
struct SharedSlots<'a> {
    slots: Vec<Option<Arc<Value>>>,
    /// For each slot: the reads not yet done.
    readers_left: Vec<usize>,
    schedule: &'a Schedule,
}

impl SlotStore for SharedSlots<'_> {
    type Ref<'s>
        = &'s Value
    where
        Self: 's;

    fn read(&self, slot: u32) -> &Value {
        self.slots[slot as usize]
            .as_deref()
            .expect("a read slot is filled")
    }

    /// Handed over when this is the value's last reader and no future still holds it.
    fn hand_over(&mut self, slot: u32, _last_use: bool) -> Option<Value> {
        let s = slot as usize;
        if self.readers_left[s] != 1 || self.schedule.is_output[s] {
            return None;
        }
        let shared = self.slots[s].take()?;
        match Arc::try_unwrap(shared) {
            Ok(value) => Some(value),
            Err(shared) => {
                self.slots[s] = Some(shared);
                None
            }
        }
    }
}

impl SharedSlotStore for SharedSlots<'_> {
    fn share(&self, slot: u32) -> Arc<Value> {
        self.slots[slot as usize]
            .clone()
            .expect("a read slot is filled")
    }
}

impl OuterValues for SharedSlots<'_> {
    fn get(&self, slot: u32) -> Option<&Value> {
        self.slots[slot as usize].as_deref()
    }
}

/// The values a block with async nodes reads from outside, kept alive until it finishes.
struct Captured(Vec<(u32, Arc<Value>)>);

impl OuterValues for Captured {
    fn get(&self, slot: u32) -> Option<&Value> {
        self.0.iter().find(|(s, _)| *s == slot).map(|(_, v)| &**v)
    }

    fn share(&self, slot: u32) -> Option<Arc<Value>> {
        self.0
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, v)| v.clone())
    }
}

struct State<'a> {
    graph: &'a Graph,
    plan: &'a Plan,
    schedule: &'a Schedule,
    store: SharedSlots<'a>,
    waiting: Vec<usize>,
    ready: VecDeque<usize>,
    failure: FirstFailure,
    reports: Vec<(usize, CheckReport)>,
    run_hooks: RunHooks<'a>,
    /// What stops the run from outside, if anything.
    cancel: Option<&'a Cancel>,
}

/// What a running future finished: a node, or a fan-out's block.
enum Finished {
    /// The node's value.
    Node(Result<Value, Error>),
    /// The values the block collected.
    Block(Result<Vec<(u32, Value)>, Error>),
}

/// A started node or block, with its step's position.
type Running<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = (usize, Finished)> + Send + 'a>>;

/// Runs the plan, awaiting async nodes concurrently.
pub(crate) async fn run_concurrently(run: Run<'_>) -> Result<Outputs, Error> {
    let Run {
        graph,
        plan,
        slots,
        hooks,
        run_id,
        cancel,
    } = run;
    let schedule = plan.schedule();
    let run_hooks = RunHooks::start(graph, plan, hooks, run_id, "async")?;
    let mut state = State {
        graph,
        plan,
        schedule,
        store: SharedSlots {
            slots: slots.into_iter().map(|v| v.map(Arc::new)).collect(),
            readers_left: schedule.readers.clone(),
            schedule,
        },
        waiting: schedule.waits_for.clone(),
        ready: schedule.ready_at_start.iter().copied().collect(),
        failure: FirstFailure::new(),
        reports: Vec::new(),
        run_hooks,
        cancel,
    };

    let mut running: FuturesUnordered<Running<'_>> = FuturesUnordered::new();
    loop {
        while let Some(position) = state.ready.pop_front() {
            if state.failure.stops(position) {
                continue;
            }
            let node = &graph.vertices[plan.steps[position].vertex].name();
            match cancel::check(state.cancel, node) {
                Ok(()) => start(&mut state, position, &mut running),
                Err(cancelled) => state.failure.record(position, cancelled),
            }
        }
        let Some((position, finished)) = running.next().await else {
            break;
        };
        match finished {
            Finished::Node(result) => state.complete(position, result),
            Finished::Block(result) => state.complete_block(position, result),
        }
    }
    drop(running);

    let State {
        run_hooks,
        failure,
        store,
        reports,
        ..
    } = state;
    let slots: Vec<Option<Value>> = store
        .slots
        .into_iter()
        .map(|v| v.map(|shared| Arc::try_unwrap(shared).unwrap_or_else(|_| unreachable_shared())))
        .collect();
    end_run(
        run_hooks,
        graph,
        plan,
        slots,
        in_plan_order(reports),
        failure.into_result(),
    )
}

/// Every future has finished when the run ends, so no output is still shared.
fn unreachable_shared() -> Value {
    unreachable!("all readers have finished when a run ends")
}

impl State<'_> {
    fn complete(&mut self, position: usize, result: Result<Value, Error>) {
        match result {
            Ok(value) => {
                let step = &self.plan.steps[position];
                if let Some(report) = report_of(&self.graph.vertices[step.vertex], &value) {
                    self.reports.push((position, report.clone()));
                }
                self.store.slots[step.slot as usize] = Some(Arc::new(value));
                self.unblock(position);
            }
            Err(e) => self.failure.record(position, e),
        }
    }

    /// Stores what a fan-out's block collected, or records its error.
    fn complete_block(&mut self, position: usize, produced: Result<Vec<(u32, Value)>, Error>) {
        match produced {
            Ok(produced) => {
                for (slot, value) in produced {
                    self.store.slots[slot as usize] = Some(Arc::new(value));
                }
                self.unblock(position);
            }
            Err(e) => self.failure.record(position, e),
        }
    }

    fn unblock(&mut self, position: usize) {
        for &next in self.schedule.unblocked_by(position) {
            let next = next as usize;
            self.waiting[next] -= 1;
            if self.waiting[next] == 0 {
                self.ready.push_back(next);
            }
        }
    }

    /// One read of each argument of `position` is done: free values nobody reads any more.
    fn release(&mut self, position: usize) {
        for arg in &self.plan.steps[position].args {
            if let ArgPlan::Slot { slot, .. } = arg {
                let s = *slot as usize;
                self.store.readers_left[s] -= 1;
                if self.store.readers_left[s] == 0
                    && !self.schedule.is_output[s]
                    && let Some(value) = self.store.slots[s].take()
                {
                    let node = &self.graph.vertices[self.plan.vertex_of(s)].name();
                    if let Err(e) = invoke::drop_value(node, value) {
                        self.failure.record(position, e);
                    }
                }
            }
        }
    }
}

/// Starts the step at `position`: runs a sync node (or an all-sync block) now, or queues the
/// future of an async node (or of a block with async nodes).
fn start<'a>(state: &mut State<'a>, position: usize, running: &mut FuturesUnordered<Running<'a>>) {
    let graph = state.graph;
    let step = &state.plan.steps[position];
    let vertex = &graph.vertices[step.vertex];
    let node = vertex.function().expect("steps run functions");
    let hooked = state.run_hooks.node_hooks(position);

    if let Some(fan) = step.fan_out() {
        if !BlockRun::has_async_nodes(&graph.vertices, fan) {
            let produced = BlockRun {
                vertices: &graph.vertices,
                fan_out: vertex,
                fan,
                outer: &state.store,
                hooked,
                cancel: state.cancel,
            }
            .run(Items::InOrder)
            .now_or_never()
            .expect("a block of sync nodes never waits");
            state.release(position);
            state.complete_block(position, produced);
            return;
        }
        // The block reads these values from outside; they stay alive (shared) until it ends.
        let outer = Captured(
            step.args
                .iter()
                .filter_map(|arg| match arg {
                    ArgPlan::Slot { slot, .. } => {
                        Some((*slot, SharedSlotStore::share(&state.store, *slot)))
                    }
                    ArgPlan::Absent => None,
                })
                .collect(),
        );
        state.release(position);
        let cancel = state.cancel;
        running.push(Box::pin(async move {
            let block = BlockRun {
                vertices: &graph.vertices,
                fan_out: vertex,
                fan,
                outer: &outer,
                hooked,
                cancel,
            };
            (
                position,
                Finished::Block(block.run(Items::Concurrently).await),
            )
        }));
        return;
    }

    if node.is_async() {
        let args = bind::async_args(vertex, step, &mut state.store);
        state.release(position);
        match args {
            Ok(args) => running.push(Box::pin(async move {
                let result = invoke::call_async(vertex, node, args, hooked, None).await;
                (position, Finished::Node(result))
            })),
            Err(e) => state.complete(position, Err(e)),
        }
        return;
    }

    let result = bind::with_args(vertex, step, &mut state.store, |args| {
        invoke::call(vertex, node, args, hooked.as_ref(), None)
    })
    .and_then(|r| r)
    .map_err(|e| *e);
    state.release(position);
    state.complete(position, result);
}
