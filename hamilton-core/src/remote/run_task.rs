//! A worker running one task: the same plan made from the task's request, the values it reads
//! fetched from the result store, the step run (a fan-out's items, or one node), what it
//! produced written back, the answer returned.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use rustc_hash::FxHashMap;

use super::broker::TaskStart;
use super::codec::Codec;
use super::identity::plan_digest;
use super::node_runs::{Recorder, recorder};
use super::store::{BlobKey, ResultStore};
use super::task::{Failed, NodeRun, Outcome, Task, Unit};
use crate::error::Error;
use crate::graph::Graph;
use crate::hooks::Hook;
use crate::plan::{Plan, PlanKey, Step};
use crate::run::bind::{self, SlotStore};
use crate::run::fan_out::{BlockRun, OuterValues};
use crate::run::hooks::RunHooks;
use crate::run::invoke;
use crate::value::Value;

/// Why a worker refused a task (the start of its reason): the driver's dataflow is not its own.
pub(crate) const GRAPH_MISMATCH: &str = "graph mismatch: ";

/// The most plans a worker keeps (one per distinct request it served).
const MAX_PLANS: usize = 64;

/// Runs tasks for one worker.
pub(crate) struct TaskRunner {
    pub(crate) graph: Arc<Graph>,
    pub(crate) version: String,
    pub(crate) codec: Codec,
    pub(crate) store: Arc<dyn ResultStore>,
    plans: Mutex<HashMap<String, Arc<Plan>>>,
}

/// The values a task read, by slot.
struct Fetched(FxHashMap<u32, Value>);

impl OuterValues for Fetched {
    fn get(&self, slot: u32) -> Option<&Value> {
        self.0.get(&slot)
    }
}

impl SlotStore for Fetched {
    type Ref<'s>
        = &'s Value
    where
        Self: 's;

    fn read(&self, slot: u32) -> &Value {
        self.0
            .get(&slot)
            .expect("a task is given every value it reads")
    }

    fn hand_over(&mut self, slot: u32, last_use: bool) -> Option<Value> {
        if last_use { self.0.remove(&slot) } else { None }
    }
}

impl TaskRunner {
    pub(crate) fn new(
        graph: Arc<Graph>,
        version: String,
        codec: Codec,
        store: Arc<dyn ResultStore>,
    ) -> Self {
        Self {
            graph,
            version,
            codec,
            store,
            plans: Mutex::new(HashMap::new()),
        }
    }

    /// Runs the task; its answer (JSON), or why it could not be run.
    pub(crate) fn run(&self, start: TaskStart) -> Result<String, String> {
        if start.starts > 1 {
            tracing::info!(
                "task `{}` starts again ({} starts): a worker running it ended",
                start.id,
                start.starts
            );
        }
        let task: Task = serde_json::from_str(&start.payload)
            .map_err(|e| format!("the task `{}` could not be read: {e}", start.id))?;
        if task.graph != self.version {
            return Err(format!(
                "{GRAPH_MISMATCH}the driver's dataflow has graph version {} and this worker's {}",
                task.graph, self.version
            ));
        }
        let plan = self.plan(&task)?;
        let step = plan
            .steps
            .get(task.position)
            .ok_or_else(|| format!("the plan has no step {}", task.position))?;
        let mut values = FxHashMap::default();
        for (slot, key) in &task.values {
            values.insert(*slot, self.fetch(&task.run, key)?);
        }
        let mut fetched = Fetched(values);
        let mut outcome = Outcome {
            worker: start.worker.clone(),
            nodes: Vec::new(),
            values: Vec::new(),
            failure: None,
        };
        let (recorder, hooks) = recorder();
        match &task.unit {
            Unit::Items(items) => self.run_items(
                &task,
                &plan,
                step,
                items,
                &fetched,
                &hooks,
                &recorder,
                &mut outcome,
            )?,
            Unit::Node => self.run_node(
                &task,
                &plan,
                step,
                &mut fetched,
                &hooks,
                &recorder,
                &mut outcome,
            )?,
        }
        serde_json::to_string(&outcome).map_err(|e| format!("the answer could not be written: {e}"))
    }

    /// The plan of the task's request, checked against the driver's.
    fn plan(&self, task: &Task) -> Result<Arc<Plan>, String> {
        let key = serde_json::to_string(&task.request).unwrap_or_default();
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        let plan = match plans.get(&key) {
            Some(plan) => plan.clone(),
            None => {
                let (plan, errors) = Plan::checked(&self.graph, &PlanKey::from(&task.request));
                if !errors.is_empty() {
                    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    return Err(format!(
                        "{GRAPH_MISMATCH}this worker cannot plan the driver's request: {}",
                        errors.join("; ")
                    ));
                }
                if plans.len() >= MAX_PLANS {
                    plans.clear();
                }
                let plan = Arc::new(plan);
                plans.insert(key, plan.clone());
                plan
            }
        };
        if plan_digest(&plan) != task.plan {
            return Err(format!(
                "{GRAPH_MISMATCH}this worker plans the driver's request differently"
            ));
        }
        Ok(plan)
    }

    fn fetch(&self, run: &str, key: &BlobKey) -> Result<Value, String> {
        let bytes = self.store.get(run, key).map_err(|e| e.to_string())?;
        self.codec.decode(&bytes).map_err(|e| e.to_string())
    }

    fn put(&self, run: &str, node: &str, value: &Value) -> Result<BlobKey, String> {
        let bytes = self
            .codec
            .encode(value)
            .map_err(|e| format!("node `{node}`: {e}"))?;
        self.store.put(run, &bytes).map_err(|e| e.to_string())
    }

    /// How many times the node of `vertex` may be run again after its own error.
    fn retries(task: &Task, name: &str) -> u32 {
        task.retries
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, r)| *r)
    }

    #[allow(clippy::too_many_arguments)]
    fn run_items(
        &self,
        task: &Task,
        plan: &Plan,
        step: &Step,
        items: &[(usize, BlobKey)],
        outer: &Fetched,
        hooks: &[Arc<dyn Hook>],
        recorder: &Recorder,
        outcome: &mut Outcome,
    ) -> Result<(), String> {
        let fan = step
            .fan_out()
            .ok_or_else(|| format!("plan step {} is not a fan-out", task.position))?;
        let run_hooks =
            RunHooks::start(&self.graph, plan, hooks, 0, "worker").map_err(|e| e.to_string())?;
        let hooked = run_hooks.node_hooks(task.position);
        let base = hooked.map_or(0, |h| h.position);
        let block = BlockRun {
            vertices: &self.graph.vertices,
            fan_out: &self.graph.vertices[step.vertex],
            fan,
            outer,
            hooked,
            cancel: None,
        };
        for (index, key) in items {
            let mut attempts = 0;
            let result = loop {
                attempts += 1;
                let item = self.fetch(&task.run, key)?;
                let result = block
                    .run_some(vec![(*index, item)])
                    .now_or_never()
                    .expect("a block of sync nodes never waits");
                match &result {
                    Err(e) if attempts <= Self::retries(task, failed_node(e)) => {
                        recorder.take();
                        continue;
                    }
                    _ => break result,
                }
            };
            outcome.nodes.extend(
                recorder
                    .take()
                    .into_iter()
                    .map(|(p, r)| offset(r, p - base)),
            );
            match result {
                Ok(done) => {
                    for (_, values) in done {
                        for (slot, value) in values {
                            let node = &self.graph.vertices[plan.vertex_of(slot as usize)].name();
                            outcome
                                .values
                                .push((*index, slot, self.put(&task.run, node, &value)?));
                        }
                    }
                }
                Err(e) => {
                    outcome.failure = Some(failed(&e, Some(*index), attempts));
                    break;
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn run_node(
        &self,
        task: &Task,
        plan: &Plan,
        step: &Step,
        args: &mut Fetched,
        hooks: &[Arc<dyn Hook>],
        recorder: &Recorder,
        outcome: &mut Outcome,
    ) -> Result<(), String> {
        let vertex = &self.graph.vertices[step.vertex];
        let node = vertex
            .function()
            .ok_or_else(|| format!("`{}` is not a function node", vertex.name()))?;
        let run_hooks =
            RunHooks::start(&self.graph, plan, hooks, 0, "worker").map_err(|e| e.to_string())?;
        let hooked = run_hooks.node_hooks(task.position);
        let mut attempts = 0;
        let result = loop {
            attempts += 1;
            let result = bind::with_args(vertex, step, args, |a| {
                invoke::call(vertex, node, a, hooked.as_ref(), None)
            })
            .and_then(|r| r)
            .map_err(|e| *e);
            match &result {
                Err(_) if attempts <= Self::retries(task, vertex.name()) => {
                    recorder.take();
                    continue;
                }
                _ => break result,
            }
        };
        outcome
            .nodes
            .extend(recorder.take().into_iter().map(|(_, r)| offset(r, 0)));
        match result {
            Ok(value) => {
                outcome
                    .values
                    .push((0, step.slot, self.put(&task.run, vertex.name(), &value)?))
            }
            Err(e) => outcome.failure = Some(failed(&e, None, attempts)),
        }
        Ok(())
    }
}

fn offset(mut run: NodeRun, offset: usize) -> NodeRun {
    run.offset = offset;
    run
}

/// The node whose failure `error` is (inside a fan-out item's failure).
fn failed_node(error: &Error) -> &str {
    match error {
        Error::FanOutItem { source, .. } => failed_node(source),
        Error::NodeFailed { node, .. } | Error::NodePanicked { node, .. } => node,
        _ => "",
    }
}

/// A node's failure as the worker reports it.
fn failed(error: &Error, item: Option<usize>, attempts: u32) -> Failed {
    let inner = match error {
        Error::FanOutItem { source, .. } => source,
        other => other,
    };
    let (node, panicked, message) = match inner {
        Error::NodeFailed { node, source } => {
            let mut message = source.to_string();
            let mut cause = source.source();
            while let Some(c) = cause {
                message.push_str(": ");
                message.push_str(&c.to_string());
                cause = c.source();
            }
            (node.clone(), false, message)
        }
        Error::NodePanicked { node, message } => (node.clone(), true, message.clone()),
        other => (failed_node(other).to_string(), false, other.to_string()),
    };
    Failed {
        node,
        item,
        panicked,
        message,
        attempts,
    }
}
