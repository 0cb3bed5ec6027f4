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
//!
//! Hooks: `before_node`/`after_node` see every node (once per item inside a block), sync nodes
//! are wrapped by `around_node`, async ones by `around_async_node`.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::args::{Arg, Args, AsyncArg, AsyncArgs};
use crate::check::CheckReport;
use crate::error::Error;
use crate::execute::{
    HookCtx, NodePanic, RunHooks, after_node_hooks, around_panicked, before_node_hooks,
    check_output_type, collect_outputs, input_types, invoke_node, node_error, node_failed, outcome,
    panic_message, record_report,
};
use crate::fanout::FanOutPlan;
use crate::graph::{Graph, Vertex};
use crate::hooks::{AsyncNodeRun, Hook, NodeContext};
use crate::node::Node;
use crate::outputs::Outputs;
use crate::plan::{ArgPlan, Plan};
use crate::schedule::Schedule;
use crate::value::Value;

struct State<'a> {
    graph: &'a Graph,
    plan: &'a Plan,
    schedule: &'a Schedule,
    slots: Vec<Option<Arc<Value>>>,
    waiting: Vec<usize>,
    readers_left: Vec<usize>,
    ready: VecDeque<usize>,
    error: Option<(usize, Error)>,
    reports: Vec<CheckReport>,
    run_hooks: RunHooks<'a>,
}

impl State<'_> {
    fn complete(&mut self, position: usize, result: Result<Value, Error>) {
        match result {
            Ok(value) => {
                record_report(&value, &mut self.reports);
                let step = &self.plan.steps[position];
                self.slots[step.slot as usize] = Some(Arc::new(value));
                self.unblock(position);
            }
            Err(e) => {
                if self.error.as_ref().is_none_or(|(p, _)| position < *p) {
                    self.error = Some((position, e));
                }
            }
        }
    }

    /// Stores what a fan-out's block collected, or records its error.
    fn complete_block(&mut self, position: usize, produced: Result<Vec<(u32, Value)>, Error>) {
        match produced {
            Ok(produced) => {
                for (slot, value) in produced {
                    self.slots[slot as usize] = Some(Arc::new(value));
                }
                self.unblock(position);
            }
            Err(e) => self.complete(position, Err(e)),
        }
    }

    fn unblock(&mut self, position: usize) {
        for &next in &self.schedule.unblocks[position] {
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
                self.readers_left[s] -= 1;
                if self.readers_left[s] == 0 && !self.schedule.is_output[s] {
                    self.slots[s] = None;
                }
            }
        }
    }

    /// The value for argument `i` of `position` handed over to the node: converted, or moved
    /// when this is its last reader and nobody else holds it.
    fn hand_over(&mut self, position: usize, i: usize) -> Result<Option<Value>, Error> {
        let step = &self.plan.steps[position];
        let vertex = &self.graph.vertices[step.vertex];
        let param = &vertex.function().expect("steps run functions").params()[i];
        let ArgPlan::Slot {
            slot, conversion, ..
        } = &step.args[i]
        else {
            return Ok(None);
        };
        let s = *slot as usize;
        if let Some(c) = conversion {
            let source = self.slots[s].as_ref().expect("a read slot is filled");
            return crate::execute::convert(vertex, param, c, source).map(Some);
        }
        if param.kind().is_owned()
            && self.readers_left[s] == 1
            && !self.schedule.is_output[s]
            && let Some(shared) = self.slots[s].take()
        {
            match Arc::try_unwrap(shared) {
                Ok(value) => return Ok(Some(value)),
                Err(shared) => self.slots[s] = Some(shared),
            }
        }
        Ok(None)
    }
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

/// Runs `plan`, awaiting async nodes concurrently.
pub(crate) async fn run(
    graph: &Graph,
    plan: &Plan,
    schedule: &Schedule,
    slots: Vec<Option<Value>>,
    hooks: &[Arc<dyn Hook>],
    run_id: u64,
) -> Result<Outputs, Error> {
    let run_hooks = RunHooks::start(graph, plan, hooks, run_id)?;
    let mut state = State {
        graph,
        plan,
        schedule,
        slots: slots.into_iter().map(|v| v.map(Arc::new)).collect(),
        waiting: schedule.waits_for.clone(),
        readers_left: schedule.readers.clone(),
        ready: (0..plan.steps.len())
            .filter(|&i| schedule.waits_for[i] == 0)
            .collect(),
        error: None,
        reports: Vec::new(),
        run_hooks,
    };

    let mut running: FuturesUnordered<Running<'_>> = FuturesUnordered::new();
    loop {
        while state.error.is_none() {
            let Some(position) = state.ready.pop_front() else {
                break;
            };
            start(&mut state, position, &mut running);
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
        error,
        slots,
        reports,
        ..
    } = state;
    let result = match error {
        Some((_, e)) => Err(e),
        None => Ok(()),
    };
    run_hooks.finish(result)?;
    let mut slots: Vec<Option<Value>> = slots
        .into_iter()
        .map(|v| v.map(|shared| Arc::try_unwrap(shared).unwrap_or_else(|_| unreachable_shared())))
        .collect();
    Ok(collect_outputs(plan, &mut slots, reports))
}

/// Every future has finished when the run ends, so no output is still shared.
fn unreachable_shared() -> Value {
    unreachable!("all readers have finished when a run ends")
}

/// Starts the step at `position`: runs a sync node (or an all-sync block) now, or queues the
/// future of an async node (or of a block with async nodes).
fn start<'a>(state: &mut State<'a>, position: usize, running: &mut FuturesUnordered<Running<'a>>) {
    let plan = state.plan;
    let graph = state.graph;
    let step = &plan.steps[position];
    let vertex = &graph.vertices[step.vertex];
    let node = vertex.function().expect("steps run functions");

    if let Some(fan) = &step.fan_out {
        start_block(state, position, fan, running);
        return;
    }

    let mut handed: Vec<Option<Value>> = Vec::with_capacity(step.args.len());
    for i in 0..step.args.len() {
        match state.hand_over(position, i) {
            Ok(v) => handed.push(v),
            Err(e) => {
                state.complete(position, Err(e));
                return;
            }
        }
    }

    if node.is_async() {
        let args: Vec<AsyncArg> = step
            .args
            .iter()
            .zip(handed)
            .map(|(arg, handed)| match (arg, handed) {
                (ArgPlan::Absent, _) => AsyncArg::Absent,
                (_, Some(v)) => AsyncArg::Owned(v),
                (ArgPlan::Slot { slot, .. }, None) => AsyncArg::Shared(
                    state.slots[*slot as usize]
                        .clone()
                        .expect("a read slot is filled"),
                ),
            })
            .collect();
        state.release(position);
        let hooked = state.run_hooks.node_hooks(position);
        running.push(Box::pin(async move {
            let result = call_async_node(vertex, node, AsyncArgs::new(args), hooked, None).await;
            (position, Finished::Node(result))
        }));
        return;
    }

    let result = {
        let args: Vec<Arg<'_>> = step
            .args
            .iter()
            .zip(handed)
            .map(|(arg, handed)| match (arg, handed) {
                (ArgPlan::Absent, _) => Arg::Absent,
                (_, Some(v)) => Arg::owned(v),
                (ArgPlan::Slot { slot, .. }, None) => Arg::Ref(
                    state.slots[*slot as usize]
                        .as_ref()
                        .expect("a read slot is filled")
                        .as_any(),
                ),
            })
            .collect();
        let hooked = state.run_hooks.node_hooks(position);
        invoke_node(vertex, node, &Args::new(&args), hooked.as_ref())
    };
    state.release(position);
    state.complete(position, result);
}

/// Starts a fan-out's block: inline when all its nodes are sync, as a queued future otherwise.
fn start_block<'a>(
    state: &mut State<'a>,
    position: usize,
    fan: &'a FanOutPlan,
    running: &mut FuturesUnordered<Running<'a>>,
) {
    let graph = state.graph;
    let step = &state.plan.steps[position];
    let fan_out_name: &'a str = &graph.vertices[step.vertex].name;
    let hooked = state.run_hooks.node_hooks(position);
    if !crate::fanout::has_async_nodes(&graph.vertices, fan) {
        let produced = {
            let slots = &state.slots;
            crate::fanout::run_with_hooks(
                &graph.vertices,
                fan,
                fan_out_name,
                &|s| slots[s as usize].as_deref(),
                hooked.as_ref(),
                #[cfg(feature = "parallel")]
                None,
            )
        };
        state.release(position);
        state.complete_block(position, produced);
        return;
    }
    // The block reads these values from outside; they stay alive (shared) until it finishes.
    let outer: Vec<(u32, Arc<Value>)> = step
        .args
        .iter()
        .filter_map(|arg| match arg {
            ArgPlan::Slot { slot, .. } => Some((
                *slot,
                state.slots[*slot as usize]
                    .clone()
                    .expect("a read slot is filled"),
            )),
            ArgPlan::Absent => None,
        })
        .collect();
    state.release(position);
    running.push(Box::pin(async move {
        let produced =
            crate::fanout::run_async(&graph.vertices, fan, fan_out_name, outer, hooked).await;
        (position, Finished::Block(produced))
    }));
}

/// Runs an async node to completion: its hooks (`before_node`, the `around_async_node` chain,
/// `after_node`) when given, its panic caught, its value's type checked. `item` is the
/// fan-out item it runs for, if any.
pub(crate) async fn call_async_node<'a>(
    vertex: &'a Vertex,
    node: &'a Node,
    args: AsyncArgs,
    hooked: Option<HookCtx<'a>>,
    item: Option<usize>,
) -> Result<Value, Error> {
    let start = move || {
        node.call_async(args)
            .expect("async nodes have an async call")
    };
    let Some(hooked) = hooked else {
        return match AssertUnwindSafe(start()).catch_unwind().await {
            Ok(Ok(value)) => check_output_type(vertex, value),
            Ok(Err(source)) => Err(node_failed(&vertex.name, source)),
            Err(payload) => Err(Error::NodePanicked {
                node: vertex.name.to_string(),
                message: panic_message(payload.as_ref()),
            }),
        };
    };
    let input_types = input_types(node);
    let context =
        || hooked.node_context(&vertex.name, node, vertex.ty.name, &input_types, item, None);
    before_node_hooks(hooked.hooks, &context())?;
    let started = Instant::now();
    let wrapped = around_async(hooked.hooks, &context(), start())?;
    let result = match AssertUnwindSafe(wrapped).catch_unwind().await {
        Ok(Ok(value)) => check_output_type(vertex, value),
        Ok(Err(error)) => Err(node_error(&vertex.name, error)),
        Err(payload) => Err(around_panicked(
            "around_async_node",
            &vertex.name,
            payload.as_ref(),
        )),
    };
    let duration = started.elapsed();
    let error_text = result.as_ref().err().map(|e| e.to_string());
    let outcome = outcome(&result, error_text.as_deref(), duration);
    let after = after_node_hooks(hooked.hooks, &context(), &outcome);
    let value = result?;
    after?;
    Ok(value)
}

/// Wraps an async node's future in every hook's `around_async_node`, first hook outermost (so
/// the last hook is asked first). The node's own panic is carried as a [`NodePanic`] error; a
/// hook's panic while wrapping is [`Error::Hook`].
fn around_async<'a>(
    hooks: &'a [Arc<dyn Hook>],
    ctx: &NodeContext<'_>,
    node_future: crate::node::NodeFuture,
) -> Result<AsyncNodeRun<'a>, Error> {
    let mut wrapped: AsyncNodeRun<'a> = Box::pin(AssertUnwindSafe(node_future).catch_unwind().map(
        |caught| match caught {
            Ok(result) => result,
            Err(payload) => Err(Box::new(NodePanic(panic_message(payload.as_ref()))) as _),
        },
    ));
    for hook in hooks.iter().rev() {
        let hook: &'a dyn Hook = hook.as_ref();
        wrapped =
            std::panic::catch_unwind(AssertUnwindSafe(|| hook.around_async_node(ctx, wrapped)))
                .map_err(|payload| Error::Hook {
                    hook: hook.name().to_string(),
                    phase: "around_async_node",
                    node: Some(ctx.name.to_string()),
                    message: format!("panicked: {}", panic_message(payload.as_ref())),
                })?;
    }
    Ok(wrapped)
}
