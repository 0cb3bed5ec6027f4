//! The Redis keys of a queue: those `apalis-redis` keeps, and the start counters we add.

use super::{BrokerConfig, BrokerError};

/// The keys of one queue.
#[derive(Clone, Debug)]
pub(super) struct Keys {
    config: apalis_redis::Config,
    /// `{q}:starts`: task id -> how many times it was started.
    pub(super) starts: String,
}

impl Keys {
    /// The keys of `config.queue`, once the name is known to be usable.
    pub(super) fn new(config: &BrokerConfig) -> Result<Self, BrokerError> {
        check_queue(&config.queue)?;
        let apalis = apalis_redis::Config::default()
            .queue(&config.queue)
            .heartbeat_interval(config.heartbeat)
            .missed_heartbeats(config.missed_heartbeats.max(1) as usize)
            // One task at a time: a batch would sit in one worker's in-flight set, where it
            // cannot be cancelled and waits for the orphan timeout if that worker dies.
            .batch_size(1);
        Ok(Self {
            starts: format!("{}:starts", config.queue),
            config: apalis,
        })
    }

    /// The `apalis-redis` configuration of the queue.
    pub(super) fn apalis(&self) -> &apalis_redis::Config {
        &self.config
    }

    /// `{q}:active`: the queued task ids.
    pub(super) fn active(&self) -> String {
        self.config.active_jobs_list()
    }

    /// `{q}:scheduled`: task ids waiting for their time (every push lands here first).
    pub(super) fn scheduled(&self) -> String {
        self.config.scheduled_jobs_set()
    }

    /// `{q}:data`: task id -> payload.
    pub(super) fn data(&self) -> String {
        self.config.job_data_hash()
    }

    /// `{q}:meta`: the prefix of each task's `{q}:meta:{id}` hash.
    pub(super) fn meta_prefix(&self) -> String {
        self.config.job_meta_hash()
    }

    /// `{q}:meta:{id}`.
    pub(super) fn meta(&self, id: &str) -> String {
        format!("{}:{id}", self.config.job_meta_hash())
    }

    /// `{q}:done`: the tasks that ended `Done`.
    pub(super) fn done(&self) -> String {
        self.config.done_jobs_set()
    }

    /// `{q}:dead`: the tasks that ended `Killed`.
    pub(super) fn dead(&self) -> String {
        self.config.dead_jobs_set()
    }

    /// `{q}:failed`.
    pub(super) fn failed(&self) -> String {
        self.config.failed_jobs_set()
    }

    /// `{q}:drivers`: driver id -> when its lease ends (Unix milliseconds).
    pub(super) fn drivers(&self) -> String {
        format!("{}:drivers", AsRef::<str>::as_ref(&self.config.queue))
    }

    /// `{q}:drivers:{driver}`: the ids of the tasks `driver` pushed and has not forgotten.
    pub(super) fn driver_tasks(&self, driver: &str) -> String {
        format!("{}:{driver}", self.drivers())
    }

    /// `{q}:workers`: worker name -> its last heartbeat (Unix seconds).
    pub(super) fn workers(&self) -> String {
        self.config.workers_set()
    }

    /// `{q}:workers:metadata:{worker}`.
    pub(super) fn worker_metadata(&self, worker: &str) -> String {
        format!("{}:metadata:{worker}", self.config.workers_set())
    }
}

/// The suffix of the workers set of every queue, for finding other queues.
pub(super) const WORKERS_SUFFIX: &str = ":workers";

/// A queue name is non-empty, and made of letters, digits, `-` and `_` (`apalis-redis` splits
/// keys at `:`, and glob characters would confuse the scan for other queues).
fn check_queue(queue: &str) -> Result<(), BrokerError> {
    let invalid = |reason: &str| {
        Err(BrokerError::InvalidQueue {
            queue: queue.to_string(),
            reason: reason.to_string(),
        })
    };
    if queue.is_empty() {
        return invalid("it is empty");
    }
    match queue
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        Some(c) => invalid(&format!("it contains `{c}`")),
        None => Ok(()),
    }
}
