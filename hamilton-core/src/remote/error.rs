//! What can go wrong when running on workers, apart from the nodes' own errors (which are
//! reported as they are in one process, naming the worker).

use std::time::Duration;

use super::broker::BrokerError;
use super::codec::CodecError;
use super::store::StoreError;

/// Why a run on workers failed, apart from a node's own error; carried by
/// [`Error::Remote`](crate::Error::Remote).
///
/// ```
/// use hamilton_core::remote::RemoteError;
/// let e = RemoteError::NoWorkers {
///     queue: "hamilton-0123456789abcdef".into(),
///     waited: std::time::Duration::from_secs(10),
///     elsewhere: vec![],
/// };
/// assert!(e.to_string().contains("no worker"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The broker could not be reached or failed.
    #[error(transparent)]
    Broker(#[from] BrokerError),
    /// The result store could not be written or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value could not be sent to or read back from a worker.
    #[error("node `{node}`: {source}")]
    Codec {
        /// The node whose value it is.
        node: String,
        /// What went wrong, with the fix.
        #[source]
        source: CodecError,
    },
    /// No live worker serves this dataflow's graph version.
    #[error(
        "no worker serves this dataflow (queue `{queue}`) after waiting {waited:?}{}; start workers built from the same code (`Worker::new(..).run()` in this binary)",
        elsewhere_text(.elsewhere)
    )]
    NoWorkers {
        /// The queue of this graph version.
        queue: String,
        /// How long the driver waited for one.
        waited: Duration,
        /// Queues with live workers (other builds of the dataflow) and how many each has.
        elsewhere: Vec<(String, usize)>,
    },
    /// A worker refused a task: its dataflow is not the driver's.
    #[error(
        "worker `{worker}` refused a task: {reason}; rebuild the workers from the driver's code"
    )]
    GraphMismatch {
        /// The worker's name.
        worker: String,
        /// What differs.
        reason: String,
    },
    /// A task was given up: it ended its worker every time it ran, or a worker could not run
    /// it.
    #[error("{what} was given up on a worker: {reason}")]
    TaskFailed {
        /// What the task ran: a node, or a fan-out's items.
        what: String,
        /// Why it was given up.
        reason: String,
    },
    /// A worker's answer could not be read.
    #[error("a worker's answer to {what} could not be read: {reason}")]
    Protocol {
        /// What the task ran.
        what: String,
        /// What was wrong with the answer.
        reason: String,
    },
}

impl From<RemoteError> for crate::Error {
    fn from(e: RemoteError) -> Self {
        Self::Remote(Box::new(e))
    }
}

impl crate::Error {
    /// The [`RemoteError`] of an [`Error::Remote`](crate::Error::Remote), if this is one.
    ///
    /// ```
    /// use hamilton_core::{Error, remote::RemoteError};
    /// let e = Error::from(RemoteError::Protocol { what: "node `a`".into(), reason: "no answer".into() });
    /// assert!(matches!(e.remote(), Some(RemoteError::Protocol { .. })));
    /// ```
    pub fn remote(&self) -> Option<&RemoteError> {
        match self {
            Self::Remote(e) => e.downcast_ref(),
            _ => None,
        }
    }
}

fn elsewhere_text(elsewhere: &[(String, usize)]) -> String {
    if elsewhere.is_empty() {
        return String::new();
    }
    let queues: Vec<String> = elsewhere
        .iter()
        .map(|(q, n)| format!("`{q}` ({n} worker{})", if *n == 1 { "" } else { "s" }))
        .collect();
    format!(
        "; workers are live on other queues, so they were built from other code (another graph version): {}",
        queues.join(", ")
    )
}
