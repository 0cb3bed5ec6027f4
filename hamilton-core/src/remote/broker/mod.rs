//! The job broker: tasks handed to worker processes through Redis (`apalis-redis`), and their
//! ends read back.
//!
//! The driver's side is [`Broker`], a blocking facade over a runtime of its own (the driver may
//! itself run inside a tokio runtime); the worker's side is [`serve`]. `apalis` is the transport
//! (queue, leases, handing out again the tasks of a worker that stopped beating); this module
//! adds what it lacks: our own task ids, a start counter per task (a task whose worker dies every
//! time is answered [`TaskEnd::Killed`] instead of looping), results read by batched sweeps
//! instead of `wait_for`'s 100 ms polls, cancelling queued tasks and dropping ended ones, a lease
//! per driver (the tasks a killed driver left are removed by the workers' sweeps or the next
//! driver to connect), and a bound on every call so that a stopped or hung Redis is an error,
//! never a hang.
//!
//! A handler's error is answered through `apalis`'s `AbortError` (status `Killed`): a plain
//! error would be retried 25 times by `apalis-redis`.

use std::sync::Arc;
use std::time::Duration;

mod driver;
mod keys;
mod ops;
mod worker;

#[cfg(test)]
#[path = "../../../tests/common/redis.rs"]
mod test_redis;
#[cfg(test)]
mod tests;

pub(crate) use driver::Broker;
pub(crate) use worker::serve;

/// Where the broker is and how it is used: the Redis URL, the queue, and the timings.
#[derive(Clone, Debug)]
pub(crate) struct BrokerConfig {
    /// The Redis URL, e.g. `redis://127.0.0.1:6379`.
    pub(crate) url: String,
    /// The queue, e.g. `hamilton-3fa9c0d1e2b34a57` (no `:`).
    pub(crate) queue: String,
    /// How often a worker reports that it is alive.
    pub(crate) heartbeat: Duration,
    /// How many heartbeats a worker may miss before its running tasks are handed out again.
    pub(crate) missed_heartbeats: u32,
    /// How often an idle worker asks for a task (at least 20 ms: below, idle workers of
    /// `apalis` 1.0 may stop asking until their next heartbeat).
    pub(crate) poll: Duration,
    /// How long one request to Redis may take.
    pub(crate) response_timeout: Duration,
    /// How long connecting to Redis may take.
    pub(crate) connect_timeout: Duration,
    /// How often a task may be started: a task started more often (its worker ended each time)
    /// is answered [`TaskEnd::Killed`] without running.
    pub(crate) max_starts: u32,
    /// How long a driver's tasks stay its own without it renewing its lease (every sixth of
    /// this): once the lease has lapsed (the driver was killed), the workers (every
    /// [`sweep_every`](Self::sweep_every)) or the next driver to connect take back its queued
    /// tasks and remove the records of its ended ones.
    pub(crate) driver_lease: Duration,
    /// How often a worker removes what drivers whose lease lapsed left (see
    /// [`driver_lease`](Self::driver_lease)), so that the queued tasks of a killed driver are
    /// not run even if no driver connects again.
    pub(crate) sweep_every: Duration,
}

impl BrokerConfig {
    /// The broker at `url`, queue `queue`, with the default timings: heartbeat 1 s, 3 missed
    /// heartbeats, polls every 20 ms, 500 ms per request, 1 s to connect, 3 starts at most, a
    /// driver's lease of 30 s, workers sweeping lapsed drivers' tasks every 10 s.
    pub(crate) fn new(url: impl Into<String>, queue: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            queue: queue.into(),
            heartbeat: Duration::from_secs(1),
            missed_heartbeats: 3,
            poll: Duration::from_millis(20),
            response_timeout: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(1),
            max_starts: 3,
            driver_lease: Duration::from_secs(30),
            sweep_every: Duration::from_secs(10),
        }
    }

    /// The same, with the heartbeat `(interval, missed beats)` and the most starts of a task
    /// where given (the driver's and its workers' settings).
    pub(crate) fn tuned(
        mut self,
        heartbeat: Option<(Duration, u32)>,
        max_starts: Option<u32>,
    ) -> Self {
        if let Some((interval, missed)) = heartbeat {
            self.heartbeat = interval;
            self.missed_heartbeats = missed;
        }
        if let Some(starts) = max_starts {
            self.max_starts = starts;
        }
        self
    }

    /// The poll interval actually used: never below 20 ms.
    fn poll_interval(&self) -> Duration {
        self.poll.max(Duration::from_millis(20))
    }

    /// How long a worker may stay silent before it counts as gone (whole seconds, as `apalis`
    /// stores heartbeats).
    fn orphan_window(&self) -> Duration {
        let window = self.heartbeat * self.missed_heartbeats.max(1);
        Duration::from_secs(window.as_secs_f64().ceil().max(1.0) as u64)
    }
}

/// How a task ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TaskEnd {
    /// The handler answered `Ok`: its JSON.
    Done(String),
    /// The handler answered `Err`, panicked, or the task was started too often, or the broker
    /// lost its record: why.
    Killed(String),
}

/// One start of a task, as a worker's handler sees it.
#[derive(Clone, Debug)]
pub(crate) struct TaskStart {
    /// The task's id, as pushed.
    pub(crate) id: String,
    /// The task's payload, as pushed.
    pub(crate) payload: String,
    /// How many times the task was started, this start included.
    pub(crate) starts: u32,
    /// The name of the worker running it.
    pub(crate) worker: String,
}

/// What a worker does with a task: `Ok(json)` ends it [`TaskEnd::Done`], `Err(reason)` ends it
/// [`TaskEnd::Killed`] (never retried).
pub(crate) type Handler = Arc<dyn Fn(TaskStart) -> Result<String, String> + Send + Sync>;

/// A problem with the job broker (Redis): it cannot be reached, failed or did not answer in
/// time, or its URL or queue is unusable. Each message names the broker and what was being done.
///
/// ```
/// use hamilton_core::remote::BrokerError;
/// let e = BrokerError::InvalidUrl {
///     url: "http://127.0.0.1:6379".into(),
///     reason: "not a Redis URL".into(),
/// };
/// assert!(e.to_string().contains("redis://127.0.0.1:6379"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrokerError {
    /// Redis could not be reached.
    #[error(
        "cannot connect to the broker at `{url}`: {source}; is Redis running there? Start it \
         (`redis-server`) or give the URL of a running one"
    )]
    Connect {
        /// The broker's URL (password hidden).
        url: String,
        /// What the connection reported.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A request to Redis failed.
    #[error("the broker at `{url}` failed while {operation}: {source}; is Redis running?")]
    Broker {
        /// The broker's URL (password hidden).
        url: String,
        /// What was being done, e.g. `waiting for task results`.
        operation: String,
        /// What Redis or the connection reported.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Redis did not answer in time.
    #[error(
        "the broker at `{url}` did not answer within {after:?} while {operation}; is Redis \
         running, and not stopped or overloaded?"
    )]
    Timeout {
        /// The broker's URL (password hidden).
        url: String,
        /// What was being done.
        operation: String,
        /// How long it was given.
        after: Duration,
    },
    /// The broker's URL cannot be used.
    #[error(
        "`{url}` is not a usable broker URL ({reason}); give a Redis URL such as \
         `redis://127.0.0.1:6379`"
    )]
    InvalidUrl {
        /// The URL given (password hidden).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The queue's name cannot be used.
    #[error(
        "`{queue}` is not a usable queue name ({reason}); give a name of letters, digits, `-` \
         and `_`, such as `hamilton-3fa9c0d1e2b34a57`"
    )]
    InvalidQueue {
        /// The queue name given.
        queue: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// `url` with its password, if any, replaced by `***`.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let Some(at) = rest.find('@') else {
        return url.to_string();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}
