//! The worker's side: [`Worker`], a process that takes the tasks of drivers built from the same
//! code and runs them.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::broker::{self, BrokerConfig};
use super::codec::Codec;
use super::error::RemoteError;
use super::identity::{graph_version, queue_name};
use super::run_task::TaskRunner;
use super::store::ResultStore;
use crate::error::Error;
use crate::module::Module;
use crate::values::Config;
use crate::{Driver, DriverBuilder};

/// A worker process: takes tasks from the broker for the dataflow built from its modules, runs
/// them, and answers; it takes only the tasks of drivers whose graph is the same as its own
/// (same nodes, code and wiring), so a worker of an older build never runs a newer driver's
/// tasks. Run it in the same binary as the driver (e.g. behind a `worker` subcommand), with the
/// same modules and config.
///
/// A worker that dies mid-task (killed, out of memory, its machine lost) has its task handed to
/// another worker after a few missed heartbeats; a worker that loses the broker reconnects and
/// goes on.
///
/// ```no_run
/// use hamilton_core::remote::{DirStore, Worker};
/// # mod features { hamilton_core::module!(); #[hamilton_core::node] pub fn a() -> i64 { 1 } }
/// Worker::new("redis://127.0.0.1:6379", DirStore::new("/mnt/shared/hamilton")?)
///     .with_modules([features::MODULE])
///     .concurrency(2)
///     .run()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Worker {
    url: String,
    store: Arc<dyn ResultStore>,
    builder: DriverBuilder,
    concurrency: usize,
    name: String,
    heartbeat: Option<(Duration, u32)>,
    max_starts: Option<u32>,
    stop: Arc<AtomicBool>,
}

impl Worker {
    /// A worker of the broker at `broker_url`, reading and writing values in `store` (the
    /// store its drivers use).
    pub fn new(broker_url: impl Into<String>, store: impl ResultStore) -> Self {
        Self {
            url: broker_url.into(),
            store: Arc::new(store),
            builder: Driver::builder(),
            concurrency: std::thread::available_parallelism().map_or(1, |n| n.get()),
            name: "worker".to_string(),
            heartbeat: None,
            max_starts: None,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Adds modules of nodes, as [`DriverBuilder::with_modules`] does: the same modules as the
    /// driver's.
    pub fn with_modules(mut self, modules: impl IntoIterator<Item = Module>) -> Self {
        self.builder = self.builder.with_modules(modules);
        self
    }

    /// Adds config, as [`DriverBuilder::with_config`] does: config that selects nodes must be the
    /// driver's.
    pub fn with_config(mut self, config: Config) -> Self {
        self.builder = self.builder.with_config(config);
        self
    }

    /// Builds the dataflow with `builder` (modules, config, conversions) instead of
    /// [`with_modules`](Self::with_modules) and [`with_config`](Self::with_config); its hooks,
    /// cache and executor are not used.
    pub fn with_builder(mut self, builder: DriverBuilder) -> Self {
        self.builder = builder;
        self
    }

    /// How many tasks run at once (default: the machine's cores).
    pub fn concurrency(mut self, tasks: usize) -> Self {
        self.concurrency = tasks.max(1);
        self
    }

    /// The start of the worker's name, as drivers report it (default `worker`; the host, the
    /// process id and a counter follow).
    pub fn name(mut self, prefix: impl Into<String>) -> Self {
        self.name = prefix.into();
        self
    }

    /// The heartbeat, as [`Remote::heartbeat`](super::Remote::heartbeat): the same as the
    /// driver's.
    pub fn heartbeat(mut self, interval: Duration, missed: u32) -> Self {
        self.heartbeat = Some((interval, missed));
        self
    }

    /// As [`Remote::max_starts`](super::Remote::max_starts): the same as the driver's.
    pub fn max_starts(mut self, starts: u32) -> Self {
        self.max_starts = Some(starts);
        self
    }

    /// A flag that stops the worker when set: it finishes the tasks it is running, then
    /// [`run`](Self::run) returns.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Takes and runs tasks until the stop flag is set; an error only if the dataflow does not
    /// build or the broker's address is not valid.
    pub fn run(self) -> Result<(), Error> {
        let driver = self.builder.build()?;
        let graph = driver.graph.clone();
        let version = graph_version(&graph);
        let config = BrokerConfig::new(self.url.clone(), queue_name(&version))
            .tuned(self.heartbeat, self.max_starts);
        let runner = Arc::new(TaskRunner::new(graph, version, Codec::new(&[]), self.store));
        let handler: broker::Handler = Arc::new(move |start| runner.run(start));
        broker::serve(&config, &self.name, self.concurrency, handler, self.stop)
            .map_err(|e| Error::from(RemoteError::from(e)))
    }
}
