//! Dynamic fan-out: a node yields many items, the nodes downstream of it run once per item, and
//! a collecting node receives every result in item order (Hamilton's `Parallelizable[T]` /
//! `Collect[T]`).
//!
//! A node producing [`Parallel<T>`] *fans out*. Every node that reads it (as `T`), directly or
//! through other such nodes, is part of its *block* and runs once per item. A parameter of type
//! [`Collect<U>`] reading a block node ends the block: it receives the `U` of every item, in item
//! order. With the parallel executor, items run at once.
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

use crate::args::{Arg, Args};
use crate::error::{BuildError, Error};
use crate::execute::invoke_node;
use crate::graph::{Kind, Vertex};
use crate::node::NodeError;
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
/// values, in item order.
pub(crate) fn run<'v>(
    vertices: &[Vertex],
    fan: &FanOutPlan,
    fan_out_name: &str,
    read: &(dyn Fn(u32) -> Option<&'v Value> + Sync),
    #[cfg(feature = "parallel")] pool: Option<&rayon::ThreadPool>,
) -> Result<Vec<(u32, Value)>, Error> {
    let parallel = read(fan.expand_slot).ok_or_else(|| missing(fan_out_name))?;
    let split = vertices
        .iter()
        .find(|v| &*v.name == fan_out_name)
        .and_then(|v| v.function())
        .and_then(|n| n.fan_out())
        .expect("the fan-out node has a fan-out")
        .split;
    let items = split(parallel).map_err(|e| Error::NodeFailed {
        node: fan_out_name.to_string(),
        source: e,
    })?;
    let run_one =
        |(index, item): (usize, Value)| run_item(vertices, fan, fan_out_name, read, index, item);
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

/// Runs every step of the block for one item; returns the gathered slots' values.
fn run_item<'v>(
    vertices: &[Vertex],
    fan: &FanOutPlan,
    fan_out_name: &str,
    read: &(dyn Fn(u32) -> Option<&'v Value> + Sync),
    index: usize,
    item: Value,
) -> Result<HashMap<u32, Value>, Error> {
    let mut local: HashMap<u32, Value> = HashMap::new();
    local.insert(fan.expand_slot, item);
    for step in &fan.steps {
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
            let value = if fan.local.contains(slot) {
                local.get(slot)
            } else {
                read(*slot)
            }
            .ok_or_else(|| missing(fan_out_name))?;
            temps.push(match conversion {
                None => None,
                Some(c) => Some(crate::execute::convert(vertex, &params[i], c, value)?),
            });
            sources.push(Some(value));
        }
        let result = {
            let args: Vec<Arg<'_>> = temps
                .iter()
                .zip(&sources)
                .map(|(temp, source)| match (temp, source) {
                    (Some(t), _) => Arg::Ref(t.as_any()),
                    (None, Some(v)) => Arg::Ref(v.as_any()),
                    (None, None) => Arg::Absent,
                })
                .collect();
            invoke_node(vertex, node, &Args::new(&args), None)
        };
        let value = result.map_err(|e| Error::FanOutItem {
            fan_out: fan_out_name.to_string(),
            item: index,
            source: Box::new(e),
        })?;
        local.insert(step.slot, value);
    }
    let gathered: HashSet<u32> = fan.gathers.iter().map(|(s, _)| *s).collect();
    local.retain(|slot, _| gathered.contains(slot));
    Ok(local)
}
