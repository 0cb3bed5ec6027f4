//! The driver's side of a run on workers: fan-out items and chosen nodes handed to workers as
//! tasks, their answers read back, the rest of the run in the driver's process in plan order.

use std::sync::Arc;
use std::time::Duration;

use super::broker::Broker;
use super::codec::Codec;
use super::dispatch::{node_error, protocol};
use super::error::RemoteError;
use super::identity::{plan_digest, request_of};
use super::node_runs::replay;
use super::store::{BlobKey, ResultStore};
use super::task::{Failed, Task, Unit};
use crate::error::Error;
use crate::graph::Graph;
use crate::plan::{ArgPlan, Step};
use crate::run::fan_out::{BlockRun, ItemValues};
use crate::run::hooks::HookCtx;
use crate::run::sequential::{Elsewhere, RunRef, run_in_order};
use crate::run::{Executor, Run, RunFuture};
use crate::value::Value;

/// The executor [`Remote`](super::Remote) sets up for a graph.
pub(crate) struct RemoteExecutor {
    pub(super) id: String,
    pub(super) queue: String,
    pub(super) version: String,
    pub(super) broker: Broker,
    pub(super) store: Arc<dyn ResultStore>,
    pub(super) codec: Codec,
    pub(super) remote_nodes: Vec<bool>,
    pub(super) items_per_task: usize,
    pub(super) retries: Vec<(String, u32)>,
    pub(super) wait_for_workers: Duration,
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
        let what = format!("items of fan-out `{}`", block.fan_out.name());
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
                        self.put(&key, run.graph, run.plan.vertex_of(*slot as usize), value)?,
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
        let (request, digest) = (request_of(run.graph, run.plan), plan_digest(run.plan));
        let mut tasks = Vec::new();
        for (chunk, first) in keys
            .chunks(self.items_per_task)
            .zip((0..).step_by(self.items_per_task))
        {
            let task = Task {
                run: key.clone(),
                graph: self.version.clone(),
                request: request.clone(),
                plan: digest,
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
        let first_node = &run.graph.vertices[fan.steps[0].vertex].name();
        self.run_tasks(
            tasks.into_iter().map(|(id, _, t)| (id, t)).collect(),
            &what,
            (run.cancel, first_node),
            |outcome| {
                replay(
                    run.graph,
                    &fan.steps,
                    block.hooked,
                    &outcome.worker,
                    &outcome.nodes,
                )?;
                for (item, slot, blob) in &outcome.values {
                    let value =
                        self.fetch(&key, run.graph, run.plan.vertex_of(*slot as usize), blob)?;
                    per_item
                        .get_mut(*item)
                        .ok_or_else(|| protocol(&what, &format!("no item {item}")))?
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
                Ok(cancel)
            },
        )?;
        if let Some(failed) = first_failure {
            let item = failed.item.unwrap_or(0);
            return Err(Error::FanOutItem {
                fan_out: block.fan_out.name().to_string(),
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
                    self.put(&key, run.graph, run.plan.vertex_of(*slot as usize), value)?,
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
        let what = format!("node `{}`", vertex.name());
        let mut answer = None;
        self.run_tasks(
            vec![(format!("{key}-{position}"), task)],
            &what,
            (run.cancel, vertex.name()),
            |outcome| {
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
                node: graph.vertices[vertex].name().to_string(),
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
                node: graph.vertices[vertex].name().to_string(),
                source,
            })?)
    }
}
