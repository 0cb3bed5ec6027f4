//! Dynamic fan-out: a node yields many items, the nodes downstream of it run once per item, and
//! a collecting node receives every result in item order (Hamilton's `Parallelizable[T]` /
//! `Collect[T]`).
//!
//! A node producing [`Parallel<T>`] *fans out*. Every node that reads it (as `T`), directly or
//! through other such nodes, is part of its *block* and runs once per item. A parameter of type
//! [`Collect<U>`] reading a block node ends the block: it receives the `U` of every item, in item
//! order. With the parallel executor, items run at once.
//!
//! A block may hold `async` nodes: under [`Driver::execute_async`](crate::Driver::execute_async)
//! each item's nodes run in order (async ones awaited, sync ones inline) and the items run
//! concurrently, on whatever executor polls the run; the collected values keep item order. If an
//! item fails, the others stop before their next node, and the earliest failed item is reported.
//! The sync `execute` rejects such a request up front with
//! [`RequestError::NeedsAsync`](crate::RequestError::NeedsAsync) naming the async nodes.
//!
//! Hooks see a block's nodes once per item, with [`NodeContext::item`](crate::hooks::NodeContext)
//! set to the item's index. A node's failure for one item is [`Error::FanOutItem`] (naming the
//! fan-out and the item, with the node's error inside); a hook's failure is [`Error::Hook`]
//! naming the node, as everywhere.
//!
//! Shapes are checked when the driver is built, with errors naming the nodes: a `Collect` that
//! reads no fan-out, a block inside a block (nesting is not supported), a node reading the items
//! of two fan-outs, a `Collect` reading the fan-out node itself. Several `Collect`s of one fan-out
//! are supported. Requesting or overriding a node inside a block is a request error: such a node
//! has one value per item; request the collecting node instead.
//!
//! ```
//! use hamilton_core::fanout::Collect;
//! use hamilton_core::{Args, Driver, Inputs, Node};
//! let dr = Driver::builder().with_nodes([
//!     Node::builder("numbers").param::<u64>("n").build_fan_out(|a: &Args| Ok((0..*a.get::<u64>(0)?).collect())),
//!     Node::builder("squared").param::<u64>("numbers").build(|a: &Args| Ok(a.get::<u64>(0)?.pow(2))),
//!     Node::builder("total").collect_param::<u64>("squared").build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>())),
//! ]).build().unwrap();
//! let out = dr.execute(&["total"], Inputs::new().set("n", 4_u64)).unwrap();
//! assert_eq!(out.get::<u64>("total").unwrap(), &14);
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::args::{Arg, Args, AsyncArg, AsyncArgs};
use crate::error::{BuildError, Error};
use crate::execute::{HookCtx, invoke_node_for_item};
use crate::graph::{Kind, Vertex};
use crate::node::{Node, NodeError};
use crate::plan::{ArgPlan, Step};
use crate::types::TypeInfo;
use crate::value::{NodeValue, Value};

/// The output of a node that fans out: each item runs the nodes downstream separately.
///
/// ```
/// let p: hamilton_core::fanout::Parallel<u8> = vec![1, 2].into();
/// assert_eq!(p.0.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Parallel<T>(pub Vec<T>);

impl<T> From<Vec<T>> for Parallel<T> {
    fn from(items: Vec<T>) -> Self {
        Self(items)
    }
}

impl<T> FromIterator<T> for Parallel<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// The results of a fan-out's block for every item, in item order.
///
/// ```
/// let c = hamilton_core::fanout::Collect(vec![1, 4, 9]);
/// assert_eq!(c.iter().sum::<i32>(), 14);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Collect<T>(pub Vec<T>);

impl<T> Deref for Collect<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> IntoIterator for Collect<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// How a fan-out node's value splits into items (set by
/// [`NodeBuilder::build_fan_out`](crate::NodeBuilder::build_fan_out)).
#[derive(Clone, Copy, Debug)]
pub struct FanOut {
    /// The type of one item.
    pub item: TypeInfo,
    /// Splits a `Parallel<T>` into its items.
    pub split: fn(&Value) -> Result<Vec<Value>, NodeError>,
}

impl FanOut {
    /// The fan-out of a `Parallel<T>`.
    pub fn of<T: NodeValue + Clone>() -> Self {
        fn split<T: NodeValue + Clone>(v: &Value) -> Result<Vec<Value>, NodeError> {
            let p = v
                .downcast_ref::<Parallel<T>>()
                .ok_or_else(|| format!("expected a `Parallel<{}>`", TypeInfo::of::<T>().name()))?;
            Ok(p.0.iter().cloned().map(Value::new).collect())
        }
        Self {
            item: TypeInfo::of::<T>(),
            split: split::<T>,
        }
    }
}

/// How a `Collect<T>` parameter gathers per-item values (set by
/// [`NodeBuilder::collect_param`](crate::NodeBuilder::collect_param)).
#[derive(Clone, Copy, Debug)]
pub struct Gather {
    /// The type of one item's value.
    pub item: TypeInfo,
    /// Builds the `Collect<T>` from the items' values.
    pub gather: fn(Vec<Value>) -> Result<Value, NodeError>,
}

impl Gather {
    /// The gathering of `T`s into a `Collect<T>`.
    pub fn of<T: NodeValue>() -> Self {
        fn gather<T: NodeValue>(values: Vec<Value>) -> Result<Value, NodeError> {
            let items = values
                .into_iter()
                .map(|v| {
                    v.downcast::<T>().map_err(|v| {
                        format!(
                            "expected `{}`, found `{}`",
                            TypeInfo::of::<T>().name(),
                            v.type_name()
                        )
                    })
                })
                .collect::<Result<Vec<T>, String>>()?;
            Ok(Value::new(Collect(items)))
        }
        Self {
            item: TypeInfo::of::<T>(),
            gather: gather::<T>,
        }
    }
}

/// The nodes that run once per item of one fan-out.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    /// The fan-out vertex.
    pub(crate) expand: usize,
}

/// Finds each fan-out's block and checks the shapes; fills `block_of` for every vertex.
pub(crate) fn analyze(
    vertices: &[Vertex],
    consumers: &[Vec<usize>],
) -> (Vec<Block>, Vec<Option<u32>>, Vec<BuildError>) {
    let mut errors = Vec::new();
    let mut blocks = Vec::new();
    let mut block_of: Vec<Option<u32>> = vec![None; vertices.len()];
    // Whether `consumer` reads `source` through a `Collect` parameter (`gathering`) or a plain one.
    let reads = |consumer: usize, source: usize, gathering: bool| -> bool {
        let v = &vertices[consumer];
        let Kind::Function(node) = &v.kind else {
            return false;
        };
        v.sources
            .iter()
            .zip(node.params())
            .any(|(s, p)| s.node == source && p.gather().is_some() == gathering)
    };
    for (e, vertex) in vertices.iter().enumerate() {
        if vertex.function().and_then(|n| n.fan_out()).is_none() {
            continue;
        }
        let id = blocks.len() as u32;
        blocks.push(Block { expand: e });
        let mut queue = VecDeque::from([e]);
        let mut seen = HashSet::from([e]);
        while let Some(at) = queue.pop_front() {
            for &c in &consumers[at] {
                if at == e && reads(c, e, true) {
                    errors.push(BuildError::CollectOfFanOutItself {
                        node: vertices[c].name.to_string(),
                        fan_out: vertex.name.to_string(),
                    });
                }
                if !reads(c, at, false) || !seen.insert(c) {
                    continue;
                }
                if vertices[c].function().and_then(|n| n.fan_out()).is_some() {
                    errors.push(BuildError::NestedFanOut {
                        outer: vertex.name.to_string(),
                        inner: vertices[c].name.to_string(),
                    });
                    continue;
                }
                match block_of[c] {
                    Some(other) if other != id => errors.push(BuildError::TwoFanOuts {
                        node: vertices[c].name.to_string(),
                        first: vertices[blocks[other as usize].expand].name.to_string(),
                        second: vertex.name.to_string(),
                    }),
                    _ => block_of[c] = Some(id),
                }
                queue.push_back(c);
            }
        }
    }
    // Every `Collect` must read a node inside a block, from outside that block.
    for (c, v) in vertices.iter().enumerate() {
        let Kind::Function(node) = &v.kind else {
            continue;
        };
        for (s, p) in v.sources.iter().zip(node.params()) {
            if p.gather().is_none() {
                continue;
            }
            let is_fan_out = vertices[s.node]
                .function()
                .and_then(|n| n.fan_out())
                .is_some();
            match block_of[s.node] {
                None if !is_fan_out => errors.push(BuildError::CollectWithoutFanOut {
                    node: v.name.to_string(),
                    param: p.name().to_string(),
                }),
                Some(b) if block_of[c] == Some(b) => errors.push(BuildError::CollectInsideBlock {
                    node: v.name.to_string(),
                    fan_out: vertices[blocks[b as usize].expand].name.to_string(),
                }),
                _ => {}
            }
        }
    }
    (blocks, block_of, errors)
}

/// One fan-out in a plan: the block's steps, run once per item.
#[derive(Debug)]
pub(crate) struct FanOutPlan {
    /// The slot of the fan-out node's value.
    pub(crate) expand_slot: u32,
    /// The block's steps, in topological order.
    pub(crate) steps: Vec<Step>,
    /// Slots local to one item (the block's values and the item itself).
    pub(crate) local: HashSet<u32>,
    /// The block values collected after every item, and how.
    pub(crate) gathers: Vec<(u32, Gather)>,
}

/// Runs the block once per item (in parallel on `pool` when given) and gathers the collected
/// values, in item order, calling `hooked`'s hooks around every node of the block for every
/// item. `hooked` is the fan-out step's
/// [`RunHooks::node_hooks`](crate::execute::RunHooks::node_hooks): its position is the block's
/// first node's, and the block's nodes follow in order.
pub(crate) fn run_with_hooks<'v>(
    vertices: &[Vertex],
    fan: &FanOutPlan,
    fan_out_name: &str,
    read: &(dyn Fn(u32) -> Option<&'v Value> + Sync),
    hooked: Option<&HookCtx<'_>>,
    #[cfg(feature = "parallel")] pool: Option<&rayon::ThreadPool>,
) -> Result<Vec<(u32, Value)>, Error> {
    let parallel = read(fan.expand_slot).ok_or_else(|| missing(fan_out_name))?;
    let items = split(vertices, fan_out_name, parallel)?;
    let run_one = |(index, item): (usize, Value)| {
        run_item(vertices, fan, fan_out_name, read, hooked, index, item)
    };
    #[cfg(feature = "parallel")]
    let per_item: Vec<Result<HashMap<u32, Value>, Error>> = match pool {
        Some(pool) => {
            use rayon::prelude::*;
            pool.install(|| {
                items
                    .into_iter()
                    .enumerate()
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .map(run_one)
                    .collect()
            })
        }
        None => items.into_iter().enumerate().map(run_one).collect(),
    };
    #[cfg(not(feature = "parallel"))]
    let per_item: Vec<Result<HashMap<u32, Value>, Error>> =
        items.into_iter().enumerate().map(run_one).collect();
    gather_items(fan, fan_out_name, per_item)
}

/// Whether the block holds an `async` node, which only [`run_async`] can run.
pub(crate) fn has_async_nodes(vertices: &[Vertex], fan: &FanOutPlan) -> bool {
    fan.steps
        .iter()
        .any(|s| vertices[s.vertex].function().is_some_and(Node::is_async))
}

/// Runs the block once per item, awaiting its `async` nodes, and gathers the collected values
/// in item order. Items run concurrently on whatever executor polls the returned future; within
/// an item, the block's nodes run in order (sync ones inline). `outer` holds every value the
/// block reads from outside it, the fan-out's own value included.
///
/// When an item fails, the others stop before their next node (nodes already started finish),
/// and the failure of the earliest item is returned.
pub(crate) async fn run_async(
    vertices: &[Vertex],
    fan: &FanOutPlan,
    fan_out_name: &str,
    outer: Vec<(u32, Arc<Value>)>,
    hooked: Option<HookCtx<'_>>,
) -> Result<Vec<(u32, Value)>, Error> {
    let parallel = shared_value(&outer, fan.expand_slot).ok_or_else(|| missing(fan_out_name))?;
    let items = split(vertices, fan_out_name, parallel)?;
    let count = items.len();
    let stop = AtomicBool::new(false);
    let block = AsyncBlock {
        vertices,
        fan,
        fan_out_name,
        outer: &outer,
        hooked,
        stop: &stop,
    };
    let mut running: FuturesUnordered<_> = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let block = &block;
            async move { (index, block.run_item(index, item).await) }
        })
        .collect();
    let mut per_item: Vec<Option<Result<HashMap<u32, Value>, Error>>> =
        std::iter::repeat_with(|| None).take(count).collect();
    while let Some((index, result)) = running.next().await {
        match result {
            Ok(Some(values)) => per_item[index] = Some(Ok(values)),
            // Stopped because another item failed: that item's error is reported.
            Ok(None) => {}
            Err(e) => {
                stop.store(true, Ordering::Release);
                per_item[index] = Some(Err(e));
            }
        }
    }
    drop(running);
    // Items stopped early left no result; an item failed, and it is the earliest failure that
    // `gather_items` returns.
    gather_items(fan, fan_out_name, per_item.into_iter().flatten().collect())
}

/// Splits the fan-out's value into its items.
fn split(vertices: &[Vertex], fan_out_name: &str, parallel: &Value) -> Result<Vec<Value>, Error> {
    let split = vertices
        .iter()
        .find(|v| &*v.name == fan_out_name)
        .and_then(|v| v.function())
        .and_then(|n| n.fan_out())
        .expect("the fan-out node has a fan-out")
        .split;
    split(parallel).map_err(|e| Error::NodeFailed {
        node: fan_out_name.to_string(),
        source: e,
    })
}

/// Gathers every item's collected values (in item order) into each `Collect`; the first failed
/// item's error otherwise.
fn gather_items(
    fan: &FanOutPlan,
    fan_out_name: &str,
    per_item: Vec<Result<HashMap<u32, Value>, Error>>,
) -> Result<Vec<(u32, Value)>, Error> {
    let mut gathered: Vec<Vec<Value>> = fan.gathers.iter().map(|_| Vec::new()).collect();
    for item in per_item {
        let mut values = item?;
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
                    node: fan_out_name.to_string(),
                    source: e,
                })
        })
        .collect()
}

fn missing(name: &str) -> Error {
    Error::NodeFailed {
        node: name.to_string(),
        source: "the fan-out value is missing".into(),
    }
}

/// A block node's failure for one item: wrapped with the fan-out and the item, except a hook's
/// failure, which ends the run as [`Error::Hook`] naming the node, as it does everywhere.
fn item_failed(fan_out_name: &str, index: usize, error: Error) -> Error {
    match error {
        Error::Hook { .. } => error,
        other => Error::FanOutItem {
            fan_out: fan_out_name.to_string(),
            item: index,
            source: Box::new(other),
        },
    }
}

/// The hooks of the block's step `j`: the block's nodes follow its first one in order.
fn step_hooks<'h>(hooked: Option<&HookCtx<'h>>, j: usize) -> Option<HookCtx<'h>> {
    hooked.map(|h| HookCtx {
        position: h.position + j,
        ..*h
    })
}

/// Runs every step of the block for one item; returns the gathered slots' values.
fn run_item<'v>(
    vertices: &[Vertex],
    fan: &FanOutPlan,
    fan_out_name: &str,
    read: &(dyn Fn(u32) -> Option<&'v Value> + Sync),
    hooked: Option<&HookCtx<'_>>,
    index: usize,
    item: Value,
) -> Result<HashMap<u32, Value>, Error> {
    let mut local: HashMap<u32, Value> = HashMap::new();
    local.insert(fan.expand_slot, item);
    for (j, step) in fan.steps.iter().enumerate() {
        let value = {
            let value_of = |slot: u32| {
                if fan.local.contains(&slot) {
                    local.get(&slot)
                } else {
                    read(slot)
                }
            };
            let hooks = step_hooks(hooked, j);
            invoke_sync_step(
                vertices,
                step,
                fan_out_name,
                value_of,
                hooks.as_ref(),
                index,
            )
        };
        let value = value.map_err(|e| item_failed(fan_out_name, index, e))?;
        local.insert(step.slot, value);
    }
    let gathered: HashSet<u32> = fan.gathers.iter().map(|(s, _)| *s).collect();
    local.retain(|slot, _| gathered.contains(slot));
    Ok(local)
}

/// Runs one sync node of the block for item `index`, reading its arguments with `value_of`.
fn invoke_sync_step<'v>(
    vertices: &[Vertex],
    step: &Step,
    fan_out_name: &str,
    value_of: impl Fn(u32) -> Option<&'v Value>,
    hooked: Option<&HookCtx<'_>>,
    index: usize,
) -> Result<Value, Error> {
    let vertex = &vertices[step.vertex];
    let node = vertex.function().expect("block steps run functions");
    let params = node.params();
    let mut temps: Vec<Option<Value>> = Vec::with_capacity(step.args.len());
    let mut sources: Vec<Option<&Value>> = Vec::with_capacity(step.args.len());
    for (i, arg) in step.args.iter().enumerate() {
        let ArgPlan::Slot {
            slot, conversion, ..
        } = arg
        else {
            temps.push(None);
            sources.push(None);
            continue;
        };
        let value = value_of(*slot).ok_or_else(|| missing(fan_out_name))?;
        temps.push(match conversion {
            None => None,
            Some(c) => Some(crate::execute::convert(vertex, &params[i], c, value)?),
        });
        sources.push(Some(value));
    }
    let args: Vec<Arg<'_>> = temps
        .iter()
        .zip(&sources)
        .map(|(temp, source)| match (temp, source) {
            (Some(t), _) => Arg::Ref(t.as_any()),
            (None, Some(v)) => Arg::Ref(v.as_any()),
            (None, None) => Arg::Absent,
        })
        .collect();
    invoke_node_for_item(vertex, node, &Args::new(&args), hooked, Some(index))
}

/// The value in `slot` among `values`.
fn shared_value(values: &[(u32, Arc<Value>)], slot: u32) -> Option<&Arc<Value>> {
    values.iter().find(|(s, _)| *s == slot).map(|(_, v)| v)
}

/// What every item of an async run of a block shares.
struct AsyncBlock<'a> {
    vertices: &'a [Vertex],
    fan: &'a FanOutPlan,
    fan_out_name: &'a str,
    outer: &'a [(u32, Arc<Value>)],
    hooked: Option<HookCtx<'a>>,
    /// Set when an item fails: the other items stop before their next node.
    stop: &'a AtomicBool,
}

impl AsyncBlock<'_> {
    /// Runs every step of the block for one item, awaiting async nodes; returns the gathered
    /// slots' values, or `None` when the item stopped because another one failed.
    async fn run_item(
        &self,
        index: usize,
        item: Value,
    ) -> Result<Option<HashMap<u32, Value>>, Error> {
        let fan = self.fan;
        let mut local: HashMap<u32, Arc<Value>> = HashMap::new();
        local.insert(fan.expand_slot, Arc::new(item));
        for (j, step) in fan.steps.iter().enumerate() {
            if self.stop.load(Ordering::Acquire) {
                return Ok(None);
            }
            let vertex = &self.vertices[step.vertex];
            let node = vertex.function().expect("block steps run functions");
            let hooks = step_hooks(self.hooked.as_ref(), j);
            let value = if node.is_async() {
                match self.async_args(&local, step) {
                    Ok(args) => {
                        crate::async_exec::call_async_node(vertex, node, args, hooks, Some(index))
                            .await
                    }
                    Err(e) => Err(e),
                }
            } else {
                let value_of = |slot: u32| self.value_of(&local, slot).map(|v| &**v);
                invoke_sync_step(
                    self.vertices,
                    step,
                    self.fan_out_name,
                    value_of,
                    hooks.as_ref(),
                    index,
                )
            };
            let value = value.map_err(|e| item_failed(self.fan_out_name, index, e))?;
            local.insert(step.slot, Arc::new(value));
        }
        let mut gathered = HashMap::with_capacity(fan.gathers.len());
        for (slot, _) in &fan.gathers {
            let shared = local
                .remove(slot)
                .expect("every gathered value is computed per item");
            let value = Arc::try_unwrap(shared)
                .unwrap_or_else(|_| unreachable!("an item's nodes have all finished"));
            gathered.insert(*slot, value);
        }
        Ok(Some(gathered))
    }

    /// The value in `slot` for the item whose values are `local`.
    fn value_of<'v>(
        &'v self,
        local: &'v HashMap<u32, Arc<Value>>,
        slot: u32,
    ) -> Option<&'v Arc<Value>> {
        if self.fan.local.contains(&slot) {
            local.get(&slot)
        } else {
            shared_value(self.outer, slot)
        }
    }

    /// The arguments of an async step: shared values, or converted ones handed over.
    fn async_args(
        &self,
        local: &HashMap<u32, Arc<Value>>,
        step: &Step,
    ) -> Result<AsyncArgs, Error> {
        let vertex = &self.vertices[step.vertex];
        let params = vertex
            .function()
            .expect("block steps run functions")
            .params();
        let mut args = Vec::with_capacity(step.args.len());
        for (i, arg) in step.args.iter().enumerate() {
            let ArgPlan::Slot {
                slot, conversion, ..
            } = arg
            else {
                args.push(AsyncArg::Absent);
                continue;
            };
            let value = self
                .value_of(local, *slot)
                .ok_or_else(|| missing(self.fan_out_name))?;
            args.push(match conversion {
                Some(c) => AsyncArg::Owned(crate::execute::convert(vertex, &params[i], c, value)?),
                None => AsyncArg::Shared(value.clone()),
            });
        }
        Ok(AsyncArgs::new(args))
    }
}
