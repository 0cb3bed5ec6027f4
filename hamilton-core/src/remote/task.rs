//! What a driver asks of a worker, and what the worker answers: the broker's payloads (JSON).
//! A task names what to run (the plan's request and a step) and where its values are in the
//! result store; it never carries code, and values only by their store keys.

use serde::{Deserialize, Serialize};

use super::store::BlobKey;

/// One task: a fan-out's items (their whole block each) or one node, of one run.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Task {
    /// The run's key in the result store (unique across drivers).
    pub(crate) run: String,
    /// The graph version of the driver (see [`graph_version`](super::queue)).
    pub(crate) graph: String,
    /// The plan's request, from which the worker makes the same plan.
    pub(crate) request: Request,
    /// A digest of the plan's steps, so a worker whose plan differs refuses the task.
    pub(crate) plan: u64,
    /// The plan step the task runs.
    pub(crate) position: usize,
    pub(crate) unit: Unit,
    /// The values read from outside the step: `(slot, key)`.
    pub(crate) values: Vec<(u32, BlobKey)>,
    /// How often a node's own error is retried, by node (only nodes given a retry count).
    pub(crate) retries: Vec<(String, u32)>,
}

/// The request a plan was made for.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Request {
    pub(crate) outputs: Vec<String>,
    pub(crate) inputs: Vec<String>,
    pub(crate) overrides: Vec<String>,
}

/// What a task runs.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Unit {
    /// These items of the step's fan-out: `(index among all items, key of the item)`.
    Items(Vec<(usize, BlobKey)>),
    /// The step's node.
    Node,
}

/// A worker's answer to a task it ran (successfully or not).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Outcome {
    /// The worker's name.
    pub(crate) worker: String,
    /// Every node it ran, in the order it ran them.
    pub(crate) nodes: Vec<NodeRun>,
    /// What it produced: `(item, slot, key)` (item 0 for a node task).
    pub(crate) values: Vec<(usize, u32, BlobKey)>,
    /// The node that failed, if one did (for items: the earliest failed item).
    pub(crate) failure: Option<Failed>,
}

/// One node run on the worker.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct NodeRun {
    /// The node's position in the step's block (0 for a node task).
    pub(crate) offset: usize,
    pub(crate) item: Option<usize>,
    pub(crate) micros: u64,
    /// The node's error, if it failed.
    pub(crate) error: Option<String>,
    /// The value's type, if it succeeded.
    pub(crate) output_type: Option<String>,
}

/// A node's failure on a worker.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Failed {
    pub(crate) node: String,
    pub(crate) item: Option<usize>,
    /// Whether the node panicked (rather than returned an error).
    pub(crate) panicked: bool,
    pub(crate) message: String,
    /// How many times the node was run (1 + retries).
    pub(crate) attempts: u32,
}
