//! The driver's side: [`Remote`], the executor that runs fan-out items and chosen nodes on
//! workers, and the rest of the run in the driver's process, in plan order.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::broker::{Broker, BrokerConfig, TaskEnd};
use super::codec::Codec;
use super::error::RemoteError;
use super::identity::{graph_version, plan_digest, queue_name, request_of};
use super::node_runs::replay;
use super::run_task::GRAPH_MISMATCH;
use super::store::{BlobKey, ResultStore};
use super::task::{Failed, Outcome, Task, Unit};
use crate::error::Error;
use crate::graph::Graph;
use crate::plan::{ArgPlan, Step};
use crate::run::fan_out::{BlockRun, ItemValues};
use crate::run::hooks::HookCtx;
use crate::run::sequential::{Elsewhere, RunRef, run_in_order};
use crate::run::{Executor, Run, RunFuture};
use crate::tag_filter::TagFilter;
use crate::value::Value;

/// How long a wait for task results blocks before the driver checks that workers are live.
const WAIT_SLICE: Duration = Duration::from_millis(500);

/// How long a failed run waits for its tasks already running to end before it forgets them.
const DRAIN: Duration = Duration::from_secs(10);

/// An executor that runs each fan-out item's block (or chunk of items) and the nodes you
/// choose on worker processes, through a Redis broker, passing values through a shared
/// [`ResultStore`]; everything else runs in the driver's process, in plan order. Give it to
/// [`DriverBuilder::with_executor`](crate::DriverBuilder::with_executor).
///
/// Workers are the same binary running [`Worker`](super::Worker) with the same modules: only
/// workers built from the same code (the same graph version) take the driver's tasks.
///
/// ```no_run
/// use hamilton_core::remote::{DirStore, Remote};
/// use hamilton_core::introspect::TagFilter;
/// let remote = Remote::new("redis://127.0.0.1:6379", DirStore::new("/mnt/shared/hamilton")?)
///     .items_per_task(4)
///     .nodes(TagFilter::new().is("runs_on", "worker"))
///     .retry("flaky_download", 2);
/// # Ok::<(), hamilton_core::remote::StoreError>(())
/// ```
pub struct Remote {
    url: String,
    store: Arc<dyn ResultStore>,
    items_per_task: usize,
    nodes: Option<TagFilter>,
    retries: BTreeMap<String, u32>,
    wait_for_workers: Duration,
    heartbeat: Option<(Duration, u32)>,
    max_starts: Option<u32>,
}

impl Remote {
    /// Runs on the workers of the broker at `broker_url` (`redis://host:port`), values passed
    /// through `store` (which every worker must reach too).
    pub fn new(broker_url: impl Into<String>, store: impl ResultStore) -> Self {
        Self {
            url: broker_url.into(),
            store: Arc::new(store),
            items_per_task: 1,
            nodes: None,
            retries: BTreeMap::new(),
            wait_for_workers: Duration::from_secs(30),
            heartbeat: None,
            max_starts: None,
        }
    }

    /// Sends `n` items of a fan-out per task (default 1): fewer, larger tasks for many small
    /// items.
    pub fn items_per_task(mut self, n: usize) -> Self {
        self.items_per_task = n.max(1);
        self
    }

    /// Runs the nodes (outside fan-out blocks) matching `filter` on workers too, one task each.
    pub fn nodes(mut self, filter: TagFilter) -> Self {
        self.nodes = Some(filter);
        self
    }

    /// Runs node `node` again, up to `times` more times, when it returns an error on a worker
    /// (by default a node's error is not retried).
    pub fn retry(mut self, node: impl Into<String>, times: u32) -> Self {
        self.retries.insert(node.into(), times);
        self
    }

    /// How long a run waits while no worker of this dataflow is live before it fails
    /// (default 30 s).
    pub fn wait_for_workers(mut self, wait: Duration) -> Self {
        self.wait_for_workers = wait;
        self
    }

    /// How often workers tell the broker they are alive, and how many missed beats mark a
    /// worker dead (its tasks then go to another worker). Default 1 s and 3. Workers and the
    /// driver must use the same values.
    pub fn heartbeat(mut self, interval: Duration, missed: u32) -> Self {
        self.heartbeat = Some((interval, missed));
        self
    }

    /// How many times a task may start (its worker dying each time) before the run fails
    /// (default 3).
    pub fn max_starts(mut self, starts: u32) -> Self {
        self.max_starts = Some(starts);
        self
    }

    /// The broker's settings for the queue of `version`.
    fn broker_config(&self, version: &str) -> BrokerConfig {
        let mut config = BrokerConfig::new(self.url.clone(), queue_name(version));
        if let Some((interval, missed)) = self.heartbeat {
            config.heartbeat = interval;
            config.missed_heartbeats = missed;
        }
        if let Some(starts) = self.max_starts {
            config.max_starts = starts;
        }
        config
    }

    /// Checks that every value that crosses to a worker can be encoded, connects to the
    /// broker, and makes the executor for `graph`.
    pub(crate) fn setup(self, graph: &Graph) -> Result<Box<dyn Executor>, Error> {
        let codec = Codec::new(&[]);
        let remote_nodes: Vec<bool> = graph
            .vertices
            .iter()
            .enumerate()
            .map(|(v, vertex)| {
                graph.block_of[v].is_none()
                    && self.nodes.as_ref().is_some_and(|filter| {
                        vertex
                            .function()
                            .is_some_and(|node| filter.admits(|key| node.tag_values(key)))
                    })
            })
            .collect();
        let problems = super::crossing::unencodable(graph, &remote_nodes, &codec);
        if !problems.is_empty() {
            return Err(Error::Build(problems));
        }
        let version = graph_version(graph);
        let config = self.broker_config(&version);
        let broker = Broker::connect(&config).map_err(RemoteError::from)?;
        if let Err(e) = self.store.sweep(Duration::from_secs(24 * 3600)) {
            tracing::warn!("the result store could not remove what old runs left: {e}");
        }
        Ok(Box::new(RemoteExecutor {
            id: driver_id(),
            queue: config.queue.clone(),
            version,
            broker,
            store: self.store,
            codec,
            remote_nodes,
            items_per_task: self.items_per_task,
            retries: self.retries.into_iter().collect(),
            wait_for_workers: self.wait_for_workers,
        }))
    }
}

/// A name for this driver that no other driver shares: the host, the process, the time.
fn driver_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{}-{nanos:x}",
        crate::host::host_name(),
        std::process::id()
    )
}

pub(crate) struct RemoteExecutor {
    id: String,
    queue: String,
    version: String,
    broker: Broker,
    store: Arc<dyn ResultStore>,
    codec: Codec,
    remote_nodes: Vec<bool>,
    items_per_task: usize,
    retries: Vec<(String, u32)>,
    wait_for_workers: Duration,
}

impl Executor for RemoteExecutor {
    fn run<'r>(&'r self, run: Run<'r>) -> RunFuture<'r> {
        Box::pin(async move { run_in_order(run, Some(self)) })
    }
}

impl Elsewhere for RemoteExecutor {
    fn name(&self) -> &'static str {
        "remote"
    }

    fn block(
        &self,
        run: RunRef<'_>,
        position: usize,
        block: &BlockRun<'_>,
    ) -> Result<Vec<(u32, Value)>, Error> {
        let key = self.run_key(run.run_id);
        let fan = block.fan;
        let what = format!("items of fan-out `{}`", block.fan_out.name);
        let fan_out_vertex = run.plan.steps[position].vertex;
        // The values the block reads from outside (the fan-out's own value is split here).
        let mut values = Vec::new();
        for step in &fan.steps {
            for arg in &step.args {
                if let ArgPlan::Slot { slot, .. } = arg
                    && !fan.local.contains(slot)
                    && *slot != fan.expand_slot
                    && !values.iter().any(|(s, _)| s == slot)
                {
                    let value = block
                        .outer
                        .get(*slot)
                        .expect("a block reads computed values");
                    values.push((
                        *slot,
                        self.put(&key, run.graph, run.plan.slot_vertex[*slot as usize], value)?,
                    ));
                }
            }
        }
        let items = block.items()?;
        let count = items.len();
        let mut keys = Vec::with_capacity(count);
        for item in &items {
            keys.push(self.put(&key, run.graph, fan_out_vertex, item)?);
        }
        drop(items);
        let mut tasks = Vec::new();
        for (chunk, first) in keys
            .chunks(self.items_per_task)
            .zip((0..).step_by(self.items_per_task))
        {
            let task = Task {
                run: key.clone(),
                graph: self.version.clone(),
                request: request_of(run.graph, run.plan),
                plan: plan_digest(run.plan),
                position,
                unit: Unit::Items(
                    chunk
                        .iter()
                        .cloned()
                        .enumerate()
                        .map(|(i, k)| (first + i, k))
                        .collect(),
                ),
                values: values.clone(),
                retries: self.retries.clone(),
            };
            tasks.push((format!("{key}-{position}-{first}"), first, task));
        }
        let mut per_item: Vec<Option<ItemValues>> =
            std::iter::repeat_with(|| None).take(count).collect();
        let mut first_failure: Option<Failed> = None;
        let mut worker_of_failure = String::new();
        let firsts: Vec<(String, usize)> = tasks
            .iter()
            .map(|(id, first, _)| (id.clone(), *first))
            .collect();
        self.run_tasks(
            tasks.into_iter().map(|(id, _, t)| (id, t)).collect(),
            &what,
            |id, outcome| {
                replay(
                    run.graph,
                    &fan.steps,
                    block.hooked,
                    &outcome.worker,
                    &outcome.nodes,
                )?;
                for (item, slot, blob) in &outcome.values {
                    let value =
                        self.fetch(&key, run.graph, run.plan.slot_vertex[*slot as usize], blob)?;
                    per_item[*item]
                        .get_or_insert_with(ItemValues::default)
                        .insert(*slot, value);
                }
                let mut cancel = Vec::new();
                if let Some(failed) = outcome.failure {
                    let item = failed.item.unwrap_or(0);
                    if first_failure
                        .as_ref()
                        .is_none_or(|f| item < f.item.unwrap_or(0))
                    {
                        worker_of_failure = outcome.worker.clone();
                        first_failure = Some(failed);
                    }
                    // Tasks whose items all come after the failed one need not run.
                    cancel = firsts
                        .iter()
                        .filter(|(_, first)| *first > item)
                        .map(|(id, _)| id.clone())
                        .collect();
                }
                let _ = id;
                Ok(cancel)
            },
        )?;
        if let Some(failed) = first_failure {
            let item = failed.item.unwrap_or(0);
            return Err(Error::FanOutItem {
                fan_out: block.fan_out.name.to_string(),
                item,
                source: Box::new(node_error(failed, &worker_of_failure)),
            });
        }
        block.gather(per_item)
    }

    fn runs_node(&self, vertex: usize) -> bool {
        self.remote_nodes[vertex]
    }

    fn node(
        &self,
        run: RunRef<'_>,
        position: usize,
        step: &Step,
        slots: &[Option<Value>],
        hooked: Option<HookCtx<'_>>,
    ) -> Result<Value, Error> {
        let key = self.run_key(run.run_id);
        let vertex = &run.graph.vertices[step.vertex];
        let mut values = Vec::new();
        for arg in &step.args {
            if let ArgPlan::Slot { slot, .. } = arg
                && !values.iter().any(|(s, _)| s == slot)
            {
                let value = slots[*slot as usize]
                    .as_ref()
                    .expect("a step reads computed values");
                values.push((
                    *slot,
                    self.put(&key, run.graph, run.plan.slot_vertex[*slot as usize], value)?,
                ));
            }
        }
        let task = Task {
            run: key.clone(),
            graph: self.version.clone(),
            request: request_of(run.graph, run.plan),
            plan: plan_digest(run.plan),
            position,
            unit: Unit::Node,
            values,
            retries: self.retries.clone(),
        };
        let what = format!("node `{}`", vertex.name);
        let mut answer = None;
        self.run_tasks(
            vec![(format!("{key}-{position}"), task)],
            &what,
            |_, outcome| {
                replay(
                    run.graph,
                    std::slice::from_ref(step),
                    hooked,
                    &outcome.worker,
                    &outcome.nodes,
                )?;
                answer = Some(outcome);
                Ok(Vec::new())
            },
        )?;
        let outcome = answer.ok_or_else(|| protocol(&what, "no answer"))?;
        if let Some(failed) = outcome.failure {
            return Err(node_error(failed, &outcome.worker));
        }
        let (_, _, blob) = outcome
            .values
            .iter()
            .find(|(_, slot, _)| *slot == step.slot)
            .ok_or_else(|| protocol(&what, "the answer holds no value"))?;
        self.fetch(&key, run.graph, step.vertex, blob)
    }

    fn finish(&self, run_id: u64) {
        if let Err(e) = self.store.remove_run(&self.run_key(run_id)) {
            tracing::warn!("the result store could not remove run {run_id}'s values: {e}");
        }
    }
}

impl RemoteExecutor {
    /// The run's key in the result store and in task ids: unique across drivers.
    fn run_key(&self, run_id: u64) -> String {
        format!("{}-{run_id}", self.id)
    }

    /// Writes `value` (the value of `vertex`) to the store.
    fn put(
        &self,
        run: &str,
        graph: &Graph,
        vertex: usize,
        value: &Value,
    ) -> Result<BlobKey, Error> {
        let bytes = self
            .codec
            .encode(value)
            .map_err(|source| RemoteError::Codec {
                node: graph.vertices[vertex].name.to_string(),
                source,
            })?;
        Ok(self.store.put(run, &bytes).map_err(RemoteError::from)?)
    }

    /// Reads a value of `vertex` a worker wrote.
    fn fetch(
        &self,
        run: &str,
        graph: &Graph,
        vertex: usize,
        key: &BlobKey,
    ) -> Result<Value, Error> {
        let bytes = self.store.get(run, key).map_err(RemoteError::from)?;
        Ok(self
            .codec
            .decode(&bytes)
            .map_err(|source| RemoteError::Codec {
                node: graph.vertices[vertex].name.to_string(),
                source,
            })?)
    }

    /// Pushes `tasks` and waits for each to end, handing each answer to `answered` (which
    /// returns tasks no longer needed); on any failure, takes back what is still queued.
    fn run_tasks(
        &self,
        tasks: Vec<(String, Task)>,
        what: &str,
        mut answered: impl FnMut(&str, Outcome) -> Result<Vec<String>, Error>,
    ) -> Result<(), Error> {
        let ids: Vec<String> = tasks.iter().map(|(id, _)| id.clone()).collect();
        let payloads = tasks
            .into_iter()
            .map(|(id, task)| {
                serde_json::to_string(&task)
                    .map(|json| (id, json))
                    .map_err(|e| protocol(what, &e.to_string()))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let mut pending = ids.clone();
        let result = self
            .broker
            .push(payloads)
            .map_err(|e| Error::from(RemoteError::from(e)))
            .and_then(|()| self.wait_all(&mut pending, what, &mut answered));
        if result.is_err() && !pending.is_empty() {
            self.take_back(pending);
        }
        let _ = self.broker.forget(&ids);
        result
    }

    /// Takes back the tasks of a failed run still queued, and waits a while for those already
    /// running to end, so that the broker keeps no record of them once they are forgotten.
    fn take_back(&self, mut pending: Vec<String>) {
        let Ok(removed) = self.broker.cancel(&pending) else {
            return;
        };
        pending.retain(|p| !removed.contains(p));
        let deadline = Instant::now() + DRAIN;
        while !pending.is_empty() && Instant::now() < deadline {
            match self.broker.wait(&pending, WAIT_SLICE) {
                Ok(ended) => pending.retain(|p| !ended.iter().any(|(id, _)| id == p)),
                Err(_) => return,
            }
        }
    }

    fn wait_all(
        &self,
        pending: &mut Vec<String>,
        what: &str,
        answered: &mut impl FnMut(&str, Outcome) -> Result<Vec<String>, Error>,
    ) -> Result<(), Error> {
        let mut no_workers_since: Option<Instant> = None;
        while !pending.is_empty() {
            let ended = self
                .broker
                .wait(&pending, WAIT_SLICE)
                .map_err(RemoteError::from)?;
            if ended.is_empty() {
                // Nothing ended: are there workers to run it?
                if self.broker.live_workers().map_err(RemoteError::from)? > 0 {
                    no_workers_since = None;
                    continue;
                }
                let since = *no_workers_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= self.wait_for_workers {
                    let elsewhere = self
                        .broker
                        .live_queues()
                        .map_err(RemoteError::from)?
                        .into_iter()
                        .filter(|(q, _)| *q != self.queue)
                        .collect();
                    return Err(RemoteError::NoWorkers {
                        queue: self.queue.clone(),
                        waited: since.elapsed(),
                        elsewhere,
                    }
                    .into());
                }
                continue;
            }
            no_workers_since = None;
            for (id, end) in ended {
                pending.retain(|p| *p != id);
                match end {
                    TaskEnd::Done(json) => {
                        let outcome: Outcome = serde_json::from_str(&json)
                            .map_err(|e| protocol(what, &e.to_string()))?;
                        let cancel = answered(&id, outcome)?;
                        if !cancel.is_empty() {
                            let cancel: Vec<String> =
                                cancel.into_iter().filter(|c| pending.contains(c)).collect();
                            if !cancel.is_empty() {
                                // What was still queued is taken back; what had started is
                                // waited for, so that it leaves nothing behind.
                                let removed =
                                    self.broker.cancel(&cancel).map_err(RemoteError::from)?;
                                pending.retain(|p| !removed.contains(p));
                            }
                        }
                    }
                    TaskEnd::Killed(reason) => {
                        return Err(match reason.strip_prefix(GRAPH_MISMATCH) {
                            Some(reason) => RemoteError::GraphMismatch {
                                worker: String::from("a worker"),
                                reason: reason.to_string(),
                            },
                            None => RemoteError::TaskFailed {
                                what: what.to_string(),
                                reason,
                            },
                        }
                        .into());
                    }
                }
            }
        }
        Ok(())
    }
}

fn protocol(what: &str, reason: &str) -> Error {
    RemoteError::Protocol {
        what: what.to_string(),
        reason: reason.to_string(),
    }
    .into()
}

/// A node's failure on a worker, as the same node's failure in the driver's process would be
/// reported, naming the worker.
fn node_error(failed: Failed, worker: &str) -> Error {
    let retried = if failed.attempts > 1 {
        format!(", after {} attempts", failed.attempts)
    } else {
        String::new()
    };
    if failed.panicked {
        Error::NodePanicked {
            node: failed.node,
            message: format!("{} (on worker `{worker}`{retried})", failed.message),
        }
    } else {
        Error::NodeFailed {
            node: failed.node,
            source: Box::new(WorkerError {
                worker: worker.to_string(),
                message: format!("{}{retried}", failed.message),
            }),
        }
    }
}

/// A node's own error, returned on a worker: its text (with its causes) and the worker.
#[derive(Debug)]
struct WorkerError {
    worker: String,
    message: String,
}

impl std::fmt::Display for WorkerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (on worker `{}`)", self.message, self.worker)
    }
}

impl std::error::Error for WorkerError {}
