//! Tasks pushed to the broker and their answers awaited: the driver's side of the broker's
//! protocol, with the failure handling every remote step shares.

use std::time::{Duration, Instant};

use super::broker::TaskEnd;
use super::error::RemoteError;
use super::executor::RemoteExecutor;
use super::run_task::GRAPH_MISMATCH;
use super::task::{Failed, Outcome, Task};
use crate::cancel::{self, Cancel};
use crate::error::Error;

/// How long a wait for task results blocks before the driver checks that workers are live.
const WAIT_SLICE: Duration = Duration::from_millis(500);

/// How long a failed run waits for its tasks already running to end before it forgets them.
const DRAIN: Duration = Duration::from_secs(10);

impl RemoteExecutor {
    /// Pushes `tasks` and waits for each to end, handing each answer to `answered` (which
    /// returns tasks no longer needed); on any failure, or once `cancel` is cancelled (then
    /// [`Error::Cancelled`] naming `first_node`), takes back what is still queued.
    pub(super) fn run_tasks(
        &self,
        tasks: Vec<(String, Task)>,
        what: &str,
        (cancel, first_node): (Option<&Cancel>, &str),
        mut answered: impl FnMut(Outcome) -> Result<Vec<String>, Error>,
    ) -> Result<(), Error> {
        cancel::check(cancel, first_node)?;
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
            .and_then(|()| self.wait_all(&mut pending, what, (cancel, first_node), &mut answered));
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
            match self.broker.wait(&pending, WAIT_SLICE, None) {
                Ok(ended) => pending.retain(|p| !ended.iter().any(|(id, _)| id == p)),
                Err(_) => return,
            }
        }
    }

    fn wait_all(
        &self,
        pending: &mut Vec<String>,
        what: &str,
        (cancel, first_node): (Option<&Cancel>, &str),
        answered: &mut impl FnMut(Outcome) -> Result<Vec<String>, Error>,
    ) -> Result<(), Error> {
        let mut no_workers_since: Option<Instant> = None;
        while !pending.is_empty() {
            let ended = self
                .broker
                .wait(pending, WAIT_SLICE, cancel.cloned())
                .map_err(RemoteError::from)?;
            cancel::check(cancel, first_node)?;
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
                        let cancel = answered(outcome)?;
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

pub(super) fn protocol(what: &str, reason: &str) -> Error {
    RemoteError::Protocol {
        what: what.to_string(),
        reason: reason.to_string(),
    }
    .into()
}

/// A node's failure on a worker, as the same node's failure in the driver's process would be
/// reported, naming the worker.
pub(super) fn node_error(failed: Failed, worker: &str) -> Error {
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
