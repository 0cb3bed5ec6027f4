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
//! concurrently, on whatever executor polls the run; the collected values keep item order. Under
//! every executor, if an item fails, the items after it start no further node, the items before
//! it go on, and the earliest failed item is reported.
//! The sync `execute` rejects such a request up front with
//! [`RequestError::NeedsAsync`](crate::RequestError::NeedsAsync) naming the async nodes.
//!
//! Hooks see a block's nodes once per item, with [`NodeContext::item`](crate::hooks::NodeContext)
//! set to the item's index. A node's failure for one item is [`Error::FanOutItem`](crate::Error::FanOutItem) (naming the
//! fan-out and the item, with the node's error inside); a hook's failure is [`Error::Hook`](crate::Error::Hook)
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
//! use hamilton_core::{Driver, Inputs, node::{Args, Node}};
//! let dr = Driver::builder().with_nodes([
//!     Node::builder("numbers").param::<u64>("n").build_fan_out(|a: &Args| Ok((0..*a.get::<u64>(0)?).collect())),
//!     Node::builder("squared").param::<u64>("numbers").build(|a: &Args| Ok(a.get::<u64>(0)?.pow(2))),
//!     Node::builder("total").collect_param::<u64>("squared").build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>())),
//! ]).build().unwrap();
//! let out = dr.execute(&["total"], Inputs::new().set("n", 4_u64)).unwrap();
//! assert_eq!(out.get::<u64>("total").unwrap(), &14);
//! ```

use std::ops::Deref;

use crate::node::NodeError;
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
/// [`NodeBuilder::build_fan_out`](crate::node::NodeBuilder::build_fan_out)).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
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
/// [`NodeBuilder::collect_param`](crate::node::NodeBuilder::collect_param)).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
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
