//! The async executor: `async fn` nodes run concurrently, on whatever executor polls the run
//! (tokio, async-std, smol, a `block_on`); the library owns no runtime.
//!
//! A node starts as soon as everything it reads is ready. Async nodes are started and awaited
//! together; sync nodes run inline when they become ready (keep them short, or run heavy sync
//! work in your runtime's blocking pool from an async node). Values are shared by reference
//! count and freed when their last reader has finished. `around_node` hooks wrap sync nodes
//! only; `before_node`/`after_node` see every node.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::args::{Arg, Args, AsyncArg, AsyncArgs};
use crate::check::CheckReport;
use crate::error::Error;
use crate::execute::{
    HookCtx, RunHooks, check_output_type, collect_outputs, guard_hook, invoke_node, node_failed,
    panic_message, record_report,
};
use crate::graph::{Graph, Vertex};
use crate::hooks::{Hook, NodeContext, NodeOutcome};
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
    hooks: &'a [Arc<dyn Hook>],
    run_id: u64,
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

type Running = std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = (
                    usize,
                    Result<Result<Value, crate::NodeError>, Box<dyn std::any::Any + Send>>,
                    Duration,
                ),
            > + Send,
    >,
>;

fn context<'a>(
    state: &State<'a>,
    position: usize,
    vertex: &'a Vertex,
    node: &'a Node,
    input_types: &'a [(&'a str, &'static str)],
) -> NodeContext<'a> {
    NodeContext {
        run_id: state.run_id,
        name: &vertex.name,
        tags: node.tags(),
        input_types,
        output_type: vertex.ty.name,
        position,
        total: state.plan.steps.len(),
        args: None,
    }
}

/// Runs `plan`, awaiting async nodes concurrently.
pub(crate) async fn run(
    graph: &Graph,
    plan: &Plan,
    schedule: &Schedule,
    slots: Vec<Option<Value>>,
    hooks: &[Arc<dyn Hook>],
    run_id: u64,
) -> Result<Outputs, Error> {
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
        hooks,
        run_id,
    };
    let run = RunHooks::start(graph, plan, hooks, run_id)?;

    let mut running: FuturesUnordered<Running> = FuturesUnordered::new();
    loop {
        while state.error.is_none() {
            let Some(position) = state.ready.pop_front() else {
                break;
            };
            start(&mut state, position, &mut running);
        }
        let Some((position, result, duration)) = running.next().await else {
            break;
        };
        let step = &plan.steps[position];
        let vertex = &graph.vertices[step.vertex];
        let node = vertex.function().expect("steps run functions");
        let result = match result {
            Ok(Ok(value)) => check_output_type(vertex, value),
            Ok(Err(source)) => Err(node_failed(&vertex.name, source)),
            Err(payload) => Err(Error::NodePanicked {
                node: vertex.name.to_string(),
                message: panic_message(payload.as_ref()),
            }),
        };
        let result = if hooks.is_empty() {
            result
        } else {
            let input_types: Vec<(&str, &'static str)> = node
                .params()
                .iter()
                .map(|p| (p.name(), p.ty().name()))
                .collect();
            let ctx = context(&state, position, vertex, node, &input_types);
            let error_text = result.as_ref().err().map(|e| e.to_string());
            let outcome = match &result {
                Ok(value) => NodeOutcome::Success { value, duration },
                Err(_) => NodeOutcome::Failure {
                    error: error_text.as_deref().unwrap_or(""),
                    duration,
                },
            };
            let mut after = Ok(());
            for hook in hooks.iter().rev() {
                let r = guard_hook(hook.as_ref(), "after_node", Some(&vertex.name), || {
                    hook.after_node(&ctx, &outcome)
                });
                if after.is_ok() {
                    after = r;
                }
            }
            match (result, after) {
                (Ok(v), Ok(())) => Ok(v),
                (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            }
        };
        state.complete(position, result);
    }

    let result = match state.error.take() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    };
    run.finish(result)?;
    let mut slots: Vec<Option<Value>> = state
        .slots
        .into_iter()
        .map(|v| v.map(|shared| Arc::try_unwrap(shared).unwrap_or_else(|_| unreachable_shared())))
        .collect();
    Ok(collect_outputs(plan, &mut slots, state.reports))
}

/// Every future has finished when the run ends, so no output is still shared.
fn unreachable_shared() -> Value {
    unreachable!("all readers have finished when a run ends")
}

/// Starts the node at `position`: runs it now if it is sync, or queues its future.
fn start(state: &mut State<'_>, position: usize, running: &mut FuturesUnordered<Running>) {
    let plan = state.plan;
    let graph = state.graph;
    let step = &plan.steps[position];
    let vertex = &graph.vertices[step.vertex];
    let node = vertex.function().expect("steps run functions");

    if let Some(fan) = &step.fan_out {
        let produced = {
            let slots = &state.slots;
            crate::fanout::run(
                &graph.vertices,
                fan,
                &vertex.name,
                &|s| slots[s as usize].as_deref(),
                #[cfg(feature = "parallel")]
                None,
            )
        };
        state.release(position);
        match produced {
            Ok(produced) => {
                for (slot, value) in produced {
                    state.slots[slot as usize] = Some(Arc::new(value));
                }
                state.unblock(position);
            }
            Err(e) => state.complete(position, Err(e)),
        }
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
        if !state.hooks.is_empty() {
            let input_types: Vec<(&str, &'static str)> = node
                .params()
                .iter()
                .map(|p| (p.name(), p.ty().name()))
                .collect();
            let ctx = context(state, position, vertex, node, &input_types);
            for hook in state.hooks {
                if let Err(e) = guard_hook(hook.as_ref(), "before_node", Some(&vertex.name), || {
                    hook.before_node(&ctx)
                }) {
                    state.complete(position, Err(e));
                    return;
                }
            }
        }
        let future = node
            .call_async(AsyncArgs::new(args))
            .expect("async nodes have an async call");
        running.push(Box::pin(async move {
            let started = Instant::now();
            let result = AssertUnwindSafe(future).catch_unwind().await;
            (position, result, started.elapsed())
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
        let hooked = HookCtx {
            hooks: state.hooks,
            run_id: state.run_id,
            position,
            total: plan.steps.len(),
        };
        let hooked = (!state.hooks.is_empty()).then_some(&hooked);
        invoke_node(vertex, node, &Args::new(&args), hooked)
    };
    state.release(position);
    state.complete(position, result);
}
