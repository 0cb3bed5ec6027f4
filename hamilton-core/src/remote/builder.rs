//! [`Remote`]: the executor's settings, and its setup once the graph is built.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::broker::{Broker, BrokerConfig};
use super::codec::Codec;
use super::error::RemoteError;
use super::executor::RemoteExecutor;
use super::identity::{graph_version, queue_name};
use super::store::ResultStore;
use crate::error::Error;
use crate::graph::Graph;
use crate::run::Executor;
use crate::tag_filter::TagFilter;

/// An executor that runs each fan-out item's block (or chunk of items) and the nodes you
/// choose on worker processes, through a Redis broker, passing values through a shared
/// [`ResultStore`]; everything else runs in the driver's process, in plan order. Give it to
/// [`DriverBuilder::with_executor`](crate::DriverBuilder::with_executor).
///
/// Workers are the same binary running [`Worker`](super::Worker) with the same modules: only
/// workers built from the same code (the same graph version) take the driver's tasks.
///
/// ```no_run
/// use hamilton_core::remote::{DirStore, Remote};
/// use hamilton_core::introspect::TagFilter;
/// let remote = Remote::new("redis://127.0.0.1:6379", DirStore::new("/mnt/shared/hamilton")?)
///     .items_per_task(4)
///     .nodes(TagFilter::new().is("runs_on", "worker"))
///     .retry("flaky_download", 2);
/// # Ok::<(), hamilton_core::remote::StoreError>(())
/// ```
pub struct Remote {
    url: String,
    store: Arc<dyn ResultStore>,
    items_per_task: usize,
    nodes: Option<TagFilter>,
    retries: BTreeMap<String, u32>,
    wait_for_workers: Duration,
    heartbeat: Option<(Duration, u32)>,
    max_starts: Option<u32>,
    lease: Option<Duration>,
}

impl Remote {
    /// Runs on the workers of the broker at `broker_url` (`redis://host:port`), values passed
    /// through `store` (which every worker must reach too).
    pub fn new(broker_url: impl Into<String>, store: impl ResultStore) -> Self {
        Self {
            url: broker_url.into(),
            store: Arc::new(store),
            items_per_task: 1,
            nodes: None,
            retries: BTreeMap::new(),
            wait_for_workers: Duration::from_secs(30),
            heartbeat: None,
            max_starts: None,
            lease: None,
        }
    }

    /// Sends `n` items of a fan-out per task (default 1): fewer, larger tasks for many small
    /// items.
    pub fn items_per_task(mut self, n: usize) -> Self {
        self.items_per_task = n.max(1);
        self
    }

    /// Runs the nodes (outside fan-out blocks) matching `filter` on workers too, one task each.
    pub fn nodes(mut self, filter: TagFilter) -> Self {
        self.nodes = Some(filter);
        self
    }

    /// Runs node `node` again, up to `times` more times, when it returns an error on a worker
    /// (by default a node's error is not retried).
    pub fn retry(mut self, node: impl Into<String>, times: u32) -> Self {
        self.retries.insert(node.into(), times);
        self
    }

    /// How long a run waits while no worker of this dataflow is live before it fails
    /// (default 30 s).
    pub fn wait_for_workers(mut self, wait: Duration) -> Self {
        self.wait_for_workers = wait;
        self
    }

    /// How often workers tell the broker they are alive, and how many missed beats mark a
    /// worker dead (its tasks then go to another worker). Default 1 s and 3. Workers and the
    /// driver must use the same values.
    pub fn heartbeat(mut self, interval: Duration, missed: u32) -> Self {
        self.heartbeat = Some((interval, missed));
        self
    }

    /// How many times a task may start (its worker dying each time) before the run fails
    /// (default 3).
    pub fn max_starts(mut self, starts: u32) -> Self {
        self.max_starts = Some(starts);
        self
    }

    /// How long the driver's tasks stay its own without it renewing its lease on them (default
    /// 30 s; it renews every sixth of that while its process lives). Once a killed driver's
    /// lease has lapsed, the workers, or the next driver to connect, take its queued tasks back
    /// (they never run) and remove the records of its ended ones.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use hamilton_core::remote::{DirStore, Remote};
    /// let remote = Remote::new("redis://127.0.0.1:6379", DirStore::new("/mnt/shared/hamilton")?)
    ///     .lease(Duration::from_secs(120));
    /// # Ok::<(), hamilton_core::remote::StoreError>(())
    /// ```
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = Some(lease.max(Duration::from_millis(100)));
        self
    }

    /// The broker's settings for the queue of `version`.
    fn broker_config(&self, version: &str) -> BrokerConfig {
        let mut config = BrokerConfig::new(self.url.clone(), queue_name(version))
            .tuned(self.heartbeat, self.max_starts);
        if let Some(lease) = self.lease {
            config.driver_lease = lease;
        }
        config
    }

    /// Checks that every value that crosses to a worker can be encoded, connects to the
    /// broker, and makes the executor for `graph`.
    pub(crate) fn setup(self, graph: &Graph) -> Result<Box<dyn Executor>, Error> {
        let codec = Codec::new(&[]);
        let remote_nodes: Vec<bool> = graph
            .vertices
            .iter()
            .enumerate()
            .map(|(v, vertex)| {
                graph.block_of.of(v).is_none()
                    && self.nodes.as_ref().is_some_and(|filter| {
                        vertex
                            .function()
                            .is_some_and(|node| filter.admits(|key| node.tag_values(key)))
                    })
            })
            .collect();
        let problems = super::crossing::unencodable(graph, &remote_nodes, &codec);
        if !problems.is_empty() {
            return Err(Error::Build(problems));
        }
        let version = graph_version(graph);
        let config = self.broker_config(&version);
        let broker = Broker::connect(&config).map_err(RemoteError::from)?;
        if let Err(e) = self.store.sweep(Duration::from_secs(24 * 3600)) {
            tracing::warn!("the result store could not remove what old runs left: {e}");
        }
        Ok(Box::new(RemoteExecutor {
            id: driver_id(),
            queue: config.queue.clone(),
            version,
            broker,
            store: self.store,
            codec,
            remote_nodes,
            items_per_task: self.items_per_task,
            retries: self.retries.into_iter().collect(),
            wait_for_workers: self.wait_for_workers,
        }))
    }
}

/// A name for this driver that no other driver shares: the host, the process, the time.
fn driver_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{}-{nanos:x}",
        crate::host::host_name(),
        std::process::id()
    )
}

impl crate::DriverBuilder {
    /// Runs fan-out items and chosen nodes on worker processes (feature `distributed`; see
    /// [`remote`](crate::remote)); the rest of each run goes on in this process, in plan order
    /// (this replaces [`with_parallelism`](Self::with_parallelism)). `build()` connects to the
    /// broker and checks that every value crossing to a worker has an encoder.
    ///
    /// ```no_run
    /// use hamilton_core::{Driver, remote::{DirStore, Remote}};
    /// # mod features { hamilton_core::module!(); #[hamilton_core::node] pub fn a() -> i64 { 1 } }
    /// let dr = Driver::builder()
    ///     .with_modules([features::MODULE])
    ///     .with_executor(Remote::new("redis://127.0.0.1:6379", DirStore::new("/mnt/shared/hamilton")?))
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_executor(mut self, remote: Remote) -> Self {
        self.executor_setup = Some(Box::new(move |graph| remote.setup(graph)));
        self
    }
}
