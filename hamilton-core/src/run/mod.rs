//! Running a plan: one design behind every executor.
//!
//! A run goes through the same stages whatever runs it:
//! 1. [`load`]: the given values (inputs, overrides, config) put in the plan's slots, every
//!    mistyped one reported together;
//! 2. the executor runs the plan's steps, each through the same pieces:
//!    - [`bind`]: a step's arguments read from the executor's storage ([`bind::SlotStore`]):
//!      borrowed, handed over (a by-value parameter, the value's last reader) or converted;
//!    - [`invoke`]: the node called with its hooks around it, its panic caught, its error
//!      wrapped with its name, its value's type checked;
//!    - [`hooks`]: the hook sequence (`before_run`, `before_node`, the `around_*` chain,
//!      `after_node`, `after_run`);
//!    - [`fan_out`]: a fan-out's block run once per item, its results gathered;
//! 3. the requested values taken out in request order ([`load::end_run`]).
//!
//! # Executors
//!
//! An executor only decides *when* each step runs and *where* values are kept:
//! [`sequential`] runs the steps in plan order over a `Vec` of slots; `parallel` runs ready
//! steps at once on the driver's thread pool, values behind read-write locks with reader
//! counts; [`asynchronous`] starts async nodes as futures polled together, values shared by
//! reference count.
//!
//! # The failure policy, the same under every executor
//!
//! When a node fails (an error, a panic, a value of the wrong type, a hook's failure), no step
//! after it in plan order starts; steps before it still run, since one of them may fail too;
//! what is running finishes. The run reports the failure of the earliest step in plan order
//! (a topological order, fixed when the driver is built: among the nodes that are ready, the
//! one made ready last runs first, so a run finishes what a value feeds before it starts on a
//! sibling and frees values early; ties go to the node of the earlier module, then to the name
//! that sorts first; a fan-out and its block are one stretch, before the nodes that collect
//! it). Inside a fan-out's block the same rule holds for items: items after a
//! failed one start no further node, items before it go on, and the earliest failed item is
//! reported ([`Error::FanOutItem`](crate::Error::FanOutItem) with its index). So every executor
//! reports the same node, and the same item, as running the plan one step at a time would.
//! Hooks see every node that ran: each node up to the reported one exactly as the sequential
//! executor calls them; a node after it only if it had started when the failure happened.
//!
//! # The executor contract
//!
//! An [`Executor`] receives a [`Run`] (the graph, the plan, the loaded slots, the hooks, the
//! run's id) and returns its [`Outputs`] or its error. A new executor (one that runs nodes on
//! other processes, say) plugs in as one more implementation, and must:
//! - run each step only after every step it reads from
//!   ([`Schedule`](crate::schedule::Schedule) lists them) and run each step once (a fan-out
//!   step once per item of its block);
//! - call every node through [`invoke::call`] / [`invoke::call_async`] with the step's
//!   [`HookCtx`](hooks::HookCtx) (or make the same calls on the process that runs it and report
//!   them back as they happened), and a run's hooks through [`hooks::RunHooks`]; a node
//!   without hooks may be called through [`invoke::call_unguarded`] by an executor whose own
//!   panic guard reports a panic as that node's ([`invoke::node_panicked`]);
//! - bind arguments through [`bind`] (its own [`bind::SlotStore`]), run blocks through
//!   [`fan_out::BlockRun`], and hand a by-value parameter a value only when no other reader
//!   needs it;
//! - free each value after its last reader (never an output), and keep every data-check report
//!   in plan order;
//! - follow the failure policy above through [`FirstFailure`];
//! - never return a value that a node did not compute for this run.

pub(crate) mod asynchronous;
pub(crate) mod bind;
pub(crate) mod fan_out;
pub(crate) mod hooks;
pub(crate) mod invoke;
pub(crate) mod load;
#[cfg(feature = "parallel")]
pub(crate) mod parallel;
pub(crate) mod prepare;
pub(crate) mod sequential;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::cancel::Cancel;
use crate::error::Error;
use crate::graph::Graph;
use crate::hooks::Hook;
use crate::outputs::Outputs;
use crate::plan::Plan;
use crate::value::Value;

/// A node's failure as the hot path carries it: boxed, so that a step's `Result<Value, Failure>`
/// is moved as a value-sized word pair rather than as the whole [`Error`] (120 bytes).
pub(crate) type Failure = Box<Error>;

/// One run, ready to execute: what every executor receives.
pub(crate) struct Run<'r> {
    pub(crate) graph: &'r Graph,
    pub(crate) plan: &'r Plan,
    /// The plan's slots, with the given values loaded.
    pub(crate) slots: Vec<Option<Value>>,
    pub(crate) hooks: &'r [Arc<dyn Hook>],
    pub(crate) run_id: u64,
    /// What stops the run from outside, if anything.
    pub(crate) cancel: Option<&'r Cancel>,
}

/// Makes a driver's executor for its built graph (the remote executor).
pub(crate) type ExecutorSetup = Box<dyn FnOnce(&Graph) -> Result<Box<dyn Executor>, Error> + Send>;

/// The future of a run's outputs.
pub(crate) type RunFuture<'r> = Pin<Box<dyn Future<Output = Result<Outputs, Error>> + Send + 'r>>;

/// Runs a plan's steps: decides when each runs and where values are kept (see the contract in
/// the [module docs](self)).
pub(crate) trait Executor: Send + Sync {
    /// Runs `run` to its end. The future of an executor that does not run async nodes
    /// finishes on its first poll.
    fn run<'r>(&'r self, run: Run<'r>) -> RunFuture<'r>;
}

/// The earliest failure of a run (by plan position) or of a block's items (by item index),
/// shared by whatever runs them; see the failure policy in the [module docs](self).
pub(crate) struct FirstFailure {
    /// The position of the earliest failure recorded; `usize::MAX` while none.
    at: AtomicUsize,
    error: Mutex<Option<(usize, Error)>>,
}

impl FirstFailure {
    pub(crate) fn new() -> Self {
        Self {
            at: AtomicUsize::new(usize::MAX),
            error: Mutex::new(None),
        }
    }

    /// Records the failure at `position`; the earliest one is kept.
    pub(crate) fn record(&self, position: usize, error: Error) {
        self.at.fetch_min(position, Ordering::AcqRel);
        let mut first = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if first.as_ref().is_none_or(|(p, _)| position < *p) {
            *first = Some((position, error));
        }
    }

    /// Whether what is at `position` must not start: something before it failed.
    #[inline]
    pub(crate) fn stops(&self, position: usize) -> bool {
        self.at.load(Ordering::Acquire) < position
    }

    /// The earliest failure, if any.
    pub(crate) fn into_result(self) -> Result<(), Error> {
        match self.error.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some((_, error)) => Err(error),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(node: &str) -> Error {
        Error::NodePanicked {
            node: node.to_string(),
            message: String::new(),
        }
    }

    #[test]
    fn the_earliest_failure_is_kept_and_stops_only_what_comes_after_it() {
        let first = FirstFailure::new();
        assert!(!first.stops(usize::MAX - 1));
        first.record(7, failed("late"));
        assert!(first.stops(8) && !first.stops(7) && !first.stops(3));
        first.record(3, failed("early"));
        first.record(5, failed("middle"));
        assert!(first.stops(4) && !first.stops(3));
        let err = first.into_result().unwrap_err();
        assert!(matches!(err, Error::NodePanicked { node, .. } if node == "early"));
    }

    #[test]
    fn no_failure_is_ok() {
        assert!(FirstFailure::new().into_result().is_ok());
    }
}
