//! The driver's side of the broker: a blocking facade over a runtime of its own.

use std::future::Future;
use std::time::{Duration, Instant};

use super::ops::{self, Ops, Owner};
use super::{BrokerConfig, BrokerError, TaskEnd, redact};

/// How much longer than its own bound the caller waits for a request's answer before it
/// reports a timeout itself.
const SLACK: Duration = Duration::from_millis(200);

/// The pause between two sweeps of a wait: 5 ms, plus 2 µs per pending task (so that a large
/// fan-out is not re-read back to back), at most 100 ms.
fn sweep_pause(pending: usize) -> Duration {
    Duration::from_micros(5_000 + 2 * pending as u64).min(Duration::from_millis(100))
}

/// The driver's connection to the broker: pushes tasks, waits for their ends, cancels and
/// forgets them. Every call is bounded: a stopped or hung Redis gives a [`BrokerError`], never
/// a hang. The calls block the calling thread but never run a runtime on it, so the driver may
/// call them from inside a tokio runtime.
pub(crate) struct Broker {
    /// Runs the requests (shut down in the background on drop, which is allowed anywhere).
    runtime: Option<tokio::runtime::Runtime>,
    ops: Ops,
    /// This driver on the broker: the owner of the tasks it pushes.
    owner: Owner,
    response_timeout: Duration,
}

impl Broker {
    /// Connects to the broker of `config`.
    pub(crate) fn connect(config: &BrokerConfig) -> Result<Broker, BrokerError> {
        let client = ops::client(config)?;
        let url = redact(&config.url);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hamilton-broker")
            .enable_all()
            .build()
            .map_err(|e| BrokerError::Broker {
                url: url.clone(),
                operation: "starting its client's runtime".into(),
                source: Box::new(e),
            })?;
        let bound = ops::connect_bound(config);
        let config_ = config.clone();
        let ops = run_on(&runtime, &url, "connecting", bound, async move {
            Ops::connect(&client, &config_).await
        })?;
        let owner = Owner {
            id: owner_id(),
            lease: config.driver_lease,
        };
        // The lease is renewed for as long as the broker lives: a driver killed stops renewing.
        let (renewing, renewed) = (ops.clone(), owner.clone());
        runtime.spawn(async move {
            loop {
                if let Err(e) = renewing.renew(&renewed).await {
                    tracing::warn!("{e}; trying again");
                }
                tokio::time::sleep(renewed.lease / 6).await;
            }
        });
        // What killed drivers left on this queue.
        let sweeping = ops.clone();
        match run_on(
            &runtime,
            &url,
            "removing the tasks of drivers that are gone",
            config.response_timeout * 8,
            async move { sweeping.sweep_abandoned().await },
        ) {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} tasks left by drivers that are gone"),
            Err(e) => tracing::warn!("{e}; the tasks of drivers that are gone stay for now"),
        }
        Ok(Broker {
            runtime: Some(runtime),
            ops,
            owner,
            response_timeout: config.response_timeout,
        })
    }

    /// Queues `tasks` (task id, payload JSON) in one round trip per thousand; an id the queue
    /// already knows is left as it is.
    pub(crate) fn push(&self, tasks: Vec<(String, String)>) -> Result<(), BrokerError> {
        let round_trips = tasks.len().div_ceil(1_000).max(1) as u32;
        let (ops, owner) = (self.ops.clone(), self.owner.clone());
        self.call(
            "pushing tasks",
            self.response_timeout * (round_trips + 1),
            async move { ops.push(tasks, &owner).await },
        )
    }

    /// Waits until at least one task of `pending` has ended, or `timeout` passes, or `cancel`
    /// is cancelled (then answers none): sweeps the queue's done and dead sets every few
    /// milliseconds. Returns within `timeout` plus one response timeout.
    pub(crate) fn wait(
        &self,
        pending: &[String],
        timeout: Duration,
        cancel: Option<crate::Cancel>,
    ) -> Result<Vec<(String, TaskEnd)>, BrokerError> {
        let ops = self.ops.clone();
        let pending = pending.to_vec();
        self.call(
            "waiting for task results",
            timeout + self.response_timeout,
            async move {
                let deadline = Instant::now() + timeout;
                let pause = sweep_pause(pending.len());
                loop {
                    let ended = ops.sweep(&pending).await?;
                    let now = Instant::now();
                    let cancelled = cancel.as_ref().is_some_and(crate::Cancel::is_cancelled);
                    if !ended.is_empty() || now >= deadline || cancelled {
                        return Ok(ended);
                    }
                    tokio::time::sleep(pause.min(deadline - now)).await;
                }
            },
        )
    }

    /// Removes the tasks of `ids` still queued (with their payloads and records), atomically;
    /// tasks already running are left alone. Returns the ids removed.
    pub(crate) fn cancel(&self, ids: &[String]) -> Result<Vec<String>, BrokerError> {
        let ops = self.ops.clone();
        let ids = ids.to_vec();
        self.call("cancelling tasks", self.response_timeout * 2, async move {
            ops.cancel(&ids).await
        })
    }

    /// Drops what the broker keeps of the ended tasks `ids`: payloads, records, results and
    /// start counters.
    pub(crate) fn forget(&self, ids: &[String]) -> Result<(), BrokerError> {
        let (ops, owner) = (self.ops.clone(), self.owner.id.clone());
        let ids = ids.to_vec();
        self.call(
            "forgetting ended tasks",
            self.response_timeout * 2,
            async move { ops.forget(&ids, &owner).await },
        )
    }

    /// How many workers of this queue beat recently (within the heartbeat times the missed
    /// heartbeats allowed).
    pub(crate) fn live_workers(&self) -> Result<usize, BrokerError> {
        let ops = self.ops.clone();
        self.call("counting live workers", self.response_timeout, async move {
            ops.live_workers().await
        })
    }

    /// The other `hamilton-*` queues that have live workers, with how many: workers that run
    /// another build of the dataflow.
    pub(crate) fn live_queues(&self) -> Result<Vec<(String, usize)>, BrokerError> {
        let ops = self.ops.clone();
        self.call(
            "looking for queues with live workers",
            self.response_timeout * 4,
            async move { ops.live_queues().await },
        )
    }

    /// Runs `request` on the broker's runtime, bounded by `bound`.
    fn call<T: Send + 'static>(
        &self,
        operation: &str,
        bound: Duration,
        request: impl Future<Output = Result<T, BrokerError>> + Send + 'static,
    ) -> Result<T, BrokerError> {
        let runtime = self.runtime.as_ref().expect("the runtime lives until drop");
        run_on(runtime, &self.ops.url, operation, bound, request)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A name for this driver no other driver has: host, process, and the time it connected.
fn owner_id() -> String {
    static CONNECTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let n = CONNECTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{}-{}-{nanos:x}-{n}",
        crate::host::host_name(),
        std::process::id()
    )
}

/// Runs `request` on `runtime` and waits for its answer on this thread, at most `bound` (plus
/// a little): a request that takes longer is a [`BrokerError::Timeout`].
fn run_on<T: Send + 'static>(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    operation: &str,
    bound: Duration,
    request: impl Future<Output = Result<T, BrokerError>> + Send + 'static,
) -> Result<T, BrokerError> {
    let (answer, answered) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = answer.send(tokio::time::timeout(bound, request).await);
    });
    match answered.recv_timeout(bound + SLACK) {
        Ok(Ok(result)) => result,
        Ok(Err(_)) | Err(_) => Err(BrokerError::Timeout {
            url: url.to_string(),
            operation: operation.to_string(),
            after: bound,
        }),
    }
}
