//! Running a fan-out's block once per item, the same way under every executor: one item runner,
//! one stop rule, one way to gather the results.
//!
//! Each item runs the block's nodes in order (sync ones inline, async ones awaited). Items run
//! in order (sequential executor), on the driver's pool (parallel executor) or concurrently
//! (async executor, for a block with an async node). When an item fails, items after it start
//! no further node while the items before it go on (one of them may fail too); the earliest
//! failed item is reported, so every executor reports the same item.

use std::sync::Arc;

#[cfg(feature = "parallel")]
use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};
use rustc_hash::FxHashMap;

use super::FirstFailure;
use super::bind::{self, SharedSlotStore, SlotStore};
use super::hooks::HookCtx;
use super::invoke;
use crate::cancel::{self, Cancel};
use crate::error::Error;
use crate::graph::Vertex;
use crate::node::Node;
use crate::plan::FanOutPlan;
use crate::value::Value;

/// The values a block reads from outside it (the fan-out's own value among them).
pub(crate) trait OuterValues: Sync {
    /// The value in `slot`.
    fn get(&self, slot: u32) -> Option<&Value>;

    /// The value in `slot`, shared with an async node's future; only the async executor,
    /// which runs blocks with async nodes, keeps its values shareable.
    fn share(&self, slot: u32) -> Option<Arc<Value>> {
        let _ = slot;
        None
    }
}

/// A run's slots, read in place.
impl OuterValues for Vec<Option<Value>> {
    fn get(&self, slot: u32) -> Option<&Value> {
        self[slot as usize].as_ref()
    }
}

/// How the items of a block run.
#[derive(Clone, Copy)]
pub(crate) enum Items<'p> {
    /// One after another.
    InOrder,
    /// At once on a thread pool (a block of sync nodes).
    #[cfg(feature = "parallel")]
    OnPool(&'p rayon::ThreadPool),
    /// At once, as futures polled together (a block with async nodes).
    Concurrently,
    #[doc(hidden)]
    #[cfg(not(feature = "parallel"))]
    _Pool(std::marker::PhantomData<&'p ()>),
}

/// One run of a fan-out's block.
pub(crate) struct BlockRun<'a> {
    pub(crate) vertices: &'a [Vertex],
    /// The fan-out node's vertex.
    pub(crate) fan_out: &'a Vertex,
    pub(crate) fan: &'a FanOutPlan,
    pub(crate) outer: &'a dyn OuterValues,
    /// The hooks of the block's first node (the others follow in order).
    pub(crate) hooked: Option<HookCtx<'a>>,
    /// What stops the run from outside, if anything: no item's node starts once it is
    /// cancelled.
    pub(crate) cancel: Option<&'a Cancel>,
}

/// The values one item's nodes computed, by slot.
pub(crate) type ItemValues = FxHashMap<u32, Value>;

impl BlockRun<'_> {
    /// Whether the block holds an `async` node, which only the async executor can run.
    pub(crate) fn has_async_nodes(vertices: &[Vertex], fan: &FanOutPlan) -> bool {
        fan.steps
            .iter()
            .any(|s| vertices[s.vertex].function().is_some_and(Node::is_async))
    }

    /// Runs every item and gathers each collected value, in item order: `(slot, value)` for
    /// every `Collect` reading the block.
    pub(crate) async fn run(&self, items: Items<'_>) -> Result<Vec<(u32, Value)>, Error> {
        let values = self.items()?;
        let count = values.len();
        let failure = FirstFailure::new();
        let mut per_item: Vec<Option<ItemValues>> =
            std::iter::repeat_with(|| None).take(count).collect();
        match items {
            Items::InOrder => {
                for (index, item) in values.into_iter().enumerate() {
                    if failure.stops(index) {
                        break;
                    }
                    per_item[index] = self.run_item(&failure, index, item).await;
                }
            }
            #[cfg(feature = "parallel")]
            Items::OnPool(pool) => {
                use rayon::prelude::*;
                let failure = &failure;
                let done: Vec<Option<ItemValues>> = pool.install(|| {
                    values
                        .into_par_iter()
                        .enumerate()
                        .map(|(index, item)| {
                            self.run_item(failure, index, item)
                                .now_or_never()
                                .expect("a block of sync nodes never waits")
                        })
                        .collect()
                });
                per_item = done;
            }
            Items::Concurrently => {
                let failure = &failure;
                let mut running: FuturesUnordered<_> = values
                    .into_iter()
                    .enumerate()
                    .map(|(index, item)| async move {
                        (index, self.run_item(failure, index, item).await)
                    })
                    .collect();
                while let Some((index, values)) = running.next().await {
                    per_item[index] = values;
                }
            }
            #[cfg(not(feature = "parallel"))]
            Items::_Pool(_) => unreachable!(),
        }
        failure.into_result()?;
        self.gather(per_item)
    }

    /// The fan-out's items: its value split.
    pub(crate) fn items(&self) -> Result<Vec<Value>, Error> {
        let parallel = self
            .outer
            .get(self.fan.expand_slot)
            .ok_or_else(|| self.missing())?;
        self.split(parallel)
    }

    /// Runs the given items (each with its index among all the fan-out's items) one after
    /// another, as [`run`](Self::run) does: each item's gathered values, or the earliest
    /// failure. For an executor that runs some items of a block elsewhere (a worker process).
    #[cfg(feature = "distributed")]
    pub(crate) async fn run_some(
        &self,
        items: Vec<(usize, Value)>,
    ) -> Result<Vec<(usize, ItemValues)>, Error> {
        let failure = FirstFailure::new();
        let mut done = Vec::with_capacity(items.len());
        for (index, item) in items {
            if failure.stops(index) {
                break;
            }
            if let Some(values) = self.run_item(&failure, index, item).await {
                done.push((index, values));
            }
        }
        failure.into_result()?;
        Ok(done)
    }

    /// Runs every node of the block for item `index`; its gathered values, or `None` when it
    /// failed (recorded in `failure`) or stopped because an earlier item failed.
    async fn run_item(
        &self,
        failure: &FirstFailure,
        index: usize,
        item: Value,
    ) -> Option<ItemValues> {
        let fan = self.fan;
        let mut store = ItemStore {
            fan,
            outer: self.outer,
            local: FxHashMap::default(),
        };
        store.local.insert(fan.expand_slot, Arc::new(item));
        for (j, step) in fan.steps.iter().enumerate() {
            if failure.stops(index) {
                return None;
            }
            let vertex = &self.vertices[step.vertex];
            if let Err(cancelled) = cancel::check(self.cancel, vertex.name()) {
                // Recorded as it is, not as the item's failure: the run was stopped.
                failure.record(index, cancelled);
                return None;
            }
            let node = vertex.function().expect("block steps run functions");
            let hooked = self.hooked.map(|h| h.offset(j));
            let value = if node.is_async() {
                match bind::async_args(vertex, step, &mut store) {
                    Ok(args) => invoke::call_async(vertex, node, args, hooked, Some(index)).await,
                    Err(e) => Err(e),
                }
            } else {
                bind::with_args(vertex, step, &mut store, |args| {
                    invoke::call(vertex, node, args, hooked.as_ref(), Some(index))
                })
                .and_then(|r| r)
                .map_err(|e| *e)
            };
            match value {
                Ok(value) => {
                    store.local.insert(step.slot, Arc::new(value));
                }
                Err(e) => {
                    failure.record(index, self.item_failed(index, e));
                    return None;
                }
            }
        }
        let mut gathered = FxHashMap::default();
        for (slot, _) in &fan.gathers {
            let shared = store
                .local
                .remove(slot)
                .expect("every gathered value is computed per item");
            let value = Arc::try_unwrap(shared)
                .unwrap_or_else(|_| unreachable!("an item's nodes have all finished"));
            gathered.insert(*slot, value);
        }
        Some(gathered)
    }

    /// Splits the fan-out's value into its items.
    fn split(&self, parallel: &Value) -> Result<Vec<Value>, Error> {
        let split = self
            .fan_out
            .function()
            .and_then(Node::fan_out)
            .expect("the fan-out node has a fan-out")
            .split;
        split(parallel).map_err(|e| Error::NodeFailed {
            node: self.fan_out.name().to_string(),
            source: e,
        })
    }

    /// Gathers every item's collected values (in item order) into each `Collect`.
    pub(crate) fn gather(
        &self,
        per_item: Vec<Option<ItemValues>>,
    ) -> Result<Vec<(u32, Value)>, Error> {
        let fan = self.fan;
        let mut gathered: Vec<Vec<Value>> = fan.gathers.iter().map(|_| Vec::new()).collect();
        for item in per_item {
            let mut values = item.ok_or_else(|| self.missing())?;
            for (g, (slot, _)) in fan.gathers.iter().enumerate() {
                gathered[g].push(
                    values
                        .remove(slot)
                        .expect("every gathered value is computed per item"),
                );
            }
        }
        fan.gathers
            .iter()
            .zip(gathered)
            .map(|((slot, gather), values)| {
                (gather.gather)(values)
                    .map(|v| (*slot, v))
                    .map_err(|e| Error::NodeFailed {
                        node: self.fan_out.name().to_string(),
                        source: e,
                    })
            })
            .collect()
    }

    fn missing(&self) -> Error {
        Error::NodeFailed {
            node: self.fan_out.name().to_string(),
            source: "the fan-out value is missing".into(),
        }
    }

    /// A block node's failure for one item: wrapped with the fan-out and the item, except a
    /// hook's failure, which ends the run as [`Error::Hook`] naming the node, as it does
    /// everywhere.
    fn item_failed(&self, index: usize, error: Error) -> Error {
        match error {
            Error::Hook { .. } => error,
            other => Error::FanOutItem {
                fan_out: self.fan_out.name().to_string(),
                item: index,
                source: Box::new(other),
            },
        }
    }
}

/// One item's values: its own (the item and the block's nodes' values), and the block's reads
/// from outside.
struct ItemStore<'a> {
    fan: &'a FanOutPlan,
    outer: &'a dyn OuterValues,
    local: FxHashMap<u32, Arc<Value>>,
}

impl ItemStore<'_> {
    fn get(&self, slot: u32) -> &Value {
        if self.fan.local.contains(&slot) {
            self.local.get(&slot).map(|v| &**v)
        } else {
            self.outer.get(slot)
        }
        .expect("a block reads values computed before it")
    }
}

impl SlotStore for ItemStore<'_> {
    type Ref<'s>
        = &'s Value
    where
        Self: 's;

    fn read(&self, slot: u32) -> &Value {
        self.get(slot)
    }

    /// Every item reads the same outer values, and an item's own values may be gathered:
    /// nothing is handed over.
    fn hand_over(&mut self, _slot: u32, _last_use: bool) -> Option<Value> {
        None
    }
}

impl SharedSlotStore for ItemStore<'_> {
    fn share(&self, slot: u32) -> Arc<Value> {
        if self.fan.local.contains(&slot) {
            self.local.get(&slot).cloned()
        } else {
            self.outer.share(slot)
        }
        .expect("blocks with async nodes run under the async executor, which shares its values")
    }
}
