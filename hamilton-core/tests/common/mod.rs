//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hamilton_core::node::{Args, Node};

/// Call counters, one per node name, shared with the nodes they count.
#[derive(Clone, Default)]
pub(crate) struct Counters(Arc<std::sync::Mutex<BTreeMap<String, Arc<AtomicUsize>>>>);

impl Counters {
    /// The counter of `name`, created at zero.
    pub(crate) fn counter(&self, name: &str) -> Arc<AtomicUsize> {
        self.0
            .lock()
            .unwrap()
            .entry(name.to_string())
            .or_default()
            .clone()
    }

    /// How many times `name` ran.
    pub(crate) fn calls(&self, name: &str) -> usize {
        self.counter(name).load(Ordering::SeqCst)
    }

    /// The names that ran at least once, sorted.
    pub(crate) fn ran(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, c)| c.load(Ordering::SeqCst) > 0)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The total number of node calls.
    pub(crate) fn total(&self) -> usize {
        self.0
            .lock()
            .unwrap()
            .values()
            .map(|c| c.load(Ordering::SeqCst))
            .sum()
    }

    /// Sets every counter back to zero.
    pub(crate) fn reset(&self) {
        for c in self.0.lock().unwrap().values() {
            c.store(0, Ordering::SeqCst);
        }
    }

    /// A node `name` computing `constant` plus the sum of its `deps` (all `i64`, wrapping),
    /// counting its calls.
    pub(crate) fn sum_node(&self, name: &str, deps: &[&str], constant: i64) -> Node {
        let counter = self.counter(name);
        let mut builder = Node::builder(name);
        for d in deps {
            builder = builder.param::<i64>(*d);
        }
        let n = deps.len();
        builder.build(move |args: &Args| {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut total = constant;
            for i in 0..n {
                total = total.wrapping_add(*args.get::<i64>(i)?);
            }
            Ok(total)
        })
    }
}
