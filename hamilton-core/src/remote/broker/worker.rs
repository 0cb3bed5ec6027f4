//! The worker's side of the broker: takes tasks of a queue and answers them with a handler.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use apalis::prelude::{
    AbortError, BackendExt, BoxDynError, Data, TaskId, WorkerBuilder, WorkerBuilderExt, WorkerError,
};
use apalis_redis::RedisStorage;

use super::keys::Keys;
use super::ops::{self, Ops};
use super::{BrokerConfig, BrokerError, Handler, TaskStart, redact};

/// The first pause after a broker error; it doubles up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(100);
/// The longest pause after a broker error.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// How often the stop flag is looked at.
const STOP_POLL: Duration = Duration::from_millis(20);

/// Numbers the workers of this process, so that no two ever share a name (a name whose
/// heartbeat is recent cannot register again).
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// What every task of one worker generation shares.
#[derive(Clone)]
struct Shared {
    ops: Ops,
    handler: Handler,
    max_starts: u32,
    worker: String,
}

/// Takes tasks of `config.queue` until `stop` is set, `concurrency` at once, each handler call
/// on a blocking thread: `Ok(json)` ends the task [`Done`](super::TaskEnd::Done), `Err(reason)`
/// ends it [`Killed`](super::TaskEnd::Killed) (never retried). A task started more than
/// `config.max_starts` times is answered `Killed` without calling the handler. A broker error
/// is logged, then the worker waits (100 ms, doubling up to 2 s), reconnects and goes on under
/// a new name (`{name_prefix}-{host}-{pid}-{generation}`).
///
/// Blocks (on a thread of its own, so it may be called from inside a runtime). Returns `Ok`
/// once `stop` is set and the running tasks have ended; `Err` only for an unusable URL or
/// queue name, or when no runtime can be built.
pub(crate) fn serve(
    config: &BrokerConfig,
    name_prefix: &str,
    concurrency: usize,
    handler: Handler,
    stop: Arc<AtomicBool>,
) -> Result<(), BrokerError> {
    let client = ops::client(config)?;
    Keys::new(config)?;
    let config = config.clone();
    let name_prefix = name_prefix.to_string();
    let url = redact(&config.url);
    let runtime_error = |e: std::io::Error| BrokerError::Broker {
        url: url.clone(),
        operation: "starting the worker's runtime".into(),
        source: Box::new(e),
    };
    let thread = std::thread::Builder::new()
        .name("hamilton-worker".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("hamilton-worker-io")
                .enable_all()
                .build()?;
            runtime.block_on(serve_until_stopped(
                client,
                config,
                name_prefix,
                concurrency.max(1),
                handler,
                stop,
            ));
            Ok(())
        })
        .map_err(runtime_error)?;
    match thread.join() {
        Ok(result) => result.map_err(runtime_error),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Runs worker generations until `stop` is set, pausing after each broker error.
async fn serve_until_stopped(
    client: redis::Client,
    config: BrokerConfig,
    name_prefix: String,
    concurrency: usize,
    handler: Handler,
    stop: Arc<AtomicBool>,
) {
    let host = crate::host::host_name();
    let mut backoff = MIN_BACKOFF;
    while !stop.load(Ordering::SeqCst) {
        let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
        let name = format!("{name_prefix}-{host}-{}-{generation}", std::process::id());
        let started = Instant::now();
        match run_generation(&client, &config, &name, concurrency, &handler, &stop).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(worker = %name, "{e}; reconnecting in {backoff:?}");
            }
        }
        // A generation that ran a while was healthy: start the back-off afresh.
        if started.elapsed() > MAX_BACKOFF * 2 {
            backoff = MIN_BACKOFF;
        }
        let until = Instant::now() + backoff;
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            tokio::time::sleep(STOP_POLL).await;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One worker, named `name`, from connecting until `stop` is set (`Ok`) or a broker error.
async fn run_generation(
    client: &redis::Client,
    config: &BrokerConfig,
    name: &str,
    concurrency: usize,
    handler: &Handler,
    stop: &Arc<AtomicBool>,
) -> Result<(), BrokerError> {
    let ops = Ops::connect(client, config).await?;
    let storage = RedisStorage::<String>::new(ops.conn()).with_config(ops.keys.apalis().clone());
    let shared = Shared {
        ops: ops.clone(),
        handler: handler.clone(),
        max_starts: config.max_starts,
        worker: name.to_string(),
    };
    // The queued tasks of killed drivers are taken back rather than run.
    let sweeper = tokio::spawn(sweep_abandoned(ops.clone(), config.sweep_every));
    let stop = stop.clone();
    let stopped = async move {
        while !stop.load(Ordering::SeqCst) {
            tokio::time::sleep(STOP_POLL).await;
        }
        Ok::<(), WorkerError>(())
    };
    let served = WorkerBuilder::new(name)
        .backend(storage.poll_with_interval(config.poll_interval()))
        .concurrency(concurrency)
        .data(shared)
        .build(run_task)
        .run_until(stopped)
        .await;
    sweeper.abort();
    served.map_err(|e| BrokerError::Broker {
        url: ops.url.clone(),
        operation: "taking tasks".into(),
        source: Box::new(e),
    })?;
    // Stopped with no task held: leave the live workers at once rather than after the window.
    ops.deregister(name).await
}

/// Every `every`, removes what drivers whose lease lapsed left on the queue (until aborted).
async fn sweep_abandoned(ops: Ops, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match ops.sweep_abandoned().await {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} tasks left by drivers that are gone"),
            Err(e) => tracing::debug!("{e}; trying again in {every:?}"),
        }
    }
}

/// Runs one task: counts its start, then calls the handler on a blocking thread.
async fn run_task(
    payload: String,
    id: TaskId,
    shared: Data<Shared>,
) -> Result<String, BoxDynError> {
    let id = id.to_string();
    let starts = shared.ops.count_start(&id).await.map_err(|e| {
        AbortError::new(format!("the worker could not count the task's start: {e}"))
    })?;
    if starts > shared.max_starts {
        return Err(AbortError::new(format!(
            "the task was started {} times and its worker ended each time (the process \
             exited, or lost the broker, before answering); it is not started again (at most \
             {} starts)",
            starts - 1,
            shared.max_starts
        ))
        .into());
    }
    let start = TaskStart {
        id,
        payload,
        starts,
        worker: shared.worker.clone(),
    };
    let handler = shared.handler.clone();
    match tokio::task::spawn_blocking(move || handler(start)).await {
        Ok(Ok(json)) => Ok(json),
        Ok(Err(reason)) => Err(AbortError::new(reason).into()),
        Err(join) => Err(AbortError::new(format!(
            "the task's handler panicked: {}",
            panic_message(join)
        ))
        .into()),
    }
}

/// The message of a handler's panic.
fn panic_message(join: tokio::task::JoinError) -> String {
    match join.try_into_panic() {
        Ok(panic) => panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string()),
        Err(join) => join.to_string(),
    }
}
