//! Result caching across runs (feature `cache`): a node is recomputed only when its code or
//! the data it reads changed.
//!
//! ```
//! use hamilton_core::{Driver, Inputs, node::{Args, Node}};
//! let dir = tempfile::tempdir().unwrap();
//! let build = || {
//!     Driver::builder()
//!         .with_nodes([Node::builder("doubled")
//!             .code_version(1)
//!             .param::<Vec<f64>>("xs")
//!             .build(|a: &Args| Ok(a.get::<Vec<f64>>(0)?.iter().map(|x| x * 2.0).collect::<Vec<f64>>()))])
//!         .with_cache(dir.path())
//!         .build()
//!         .unwrap()
//! };
//! let inputs = || Inputs::new().set("xs", vec![1.0_f64, 2.0]);
//! let first = build().execute(&["doubled"], inputs()).unwrap();
//! let dr = build(); // another driver (or process) on the same cache directory
//! let second = dr.execute(&["doubled"], inputs()).unwrap();
//! assert_eq!(first.get::<Vec<f64>>("doubled").unwrap(), second.get::<Vec<f64>>("doubled").unwrap());
//! assert_eq!(dr.cache().unwrap().last_run().unwrap().hits(), ["doubled"]);
//! ```
//!
//! # How a node is looked up
//!
//! Each node's **cache key** is made of its name, its **code version** and the **data version** of
//! every value it reads. A key seen before resolves to the data version of the result stored for
//! it, and the result is loaded instead of computed. Data versions travel along the dataflow: a
//! node that hit passes on the data version it was stored with, a node that ran passes on the
//! fingerprint of its result. Inputs, config and overrides are fingerprinted as they are read.
//!
//! A run is resolved **before it starts** as far as it can be: every node whose inputs have data
//! versions known at that point (inputs, config, overrides, and nodes found ahead of it) is
//! looked up by key alone, so a hit costs a metadata lookup, not a load. A hit's result is then
//! loaded only if the caller asked for it or a node that runs reads it; those results enter the
//! run like overrides, so nothing before them runs, and hits nobody reads are never loaded (the
//! run's record says so). What cannot be resolved ahead (the nodes after a miss, fan-outs,
//! values converted on their way in) is looked up as it runs. Nodes that did not
//! run because everything reading them hit (an `ignore` client, say) are not created at all and
//! do not appear in the record.
//!
//! - **Code version**: the hash `#[node]` computes at compile time over the function's tokens
//!   (signature, body, non-doc attributes; whitespace, comments and doc comments excluded). It
//!   does **not** see helper functions the body calls, types it uses, or the crates it depends on:
//!   after changing those, bump the node's `cache_version` tag
//!   (`#[node(tag(cache_version = "2"))]` or `Node::builder(..).tag("cache_version", "2")`), which is
//!   part of the code version, or clear the node ([`Cache::clear_node`]). Nodes built by hand have
//!   no code version unless given one with [`NodeBuilder::code_version`](crate::node::NodeBuilder::code_version)
//!   or a `cache_version` tag; until then they always run (their results are still fingerprinted,
//!   so the nodes after them can hit). The version given must change whenever the closure, or
//!   anything it captures, does.
//! - **Data version**: the fingerprint of a value ([`Fingerprint`], [`DataVersion`]), found by the
//!   value's type ([`CacheType`]). A value whose type has no fingerprint makes the node reading
//!   it run (and says so in the logs): the cache never guesses. `build()` reports each cached
//!   node whose type the cache does not know ([`BuildError::UncachedType`]: a warning and a
//!   note of the first run, an error in strict mode), naming the registration that fixes it
//!   (for Polars values: hamilton-polars' `cache` feature).
//!
//! [`BuildError::UncachedType`]: crate::BuildError::UncachedType
//!
//! # Behaviours
//!
//! [`Behavior`]: `default` (look up, else compute and store), `recompute` (always compute, then
//! store), `ignore` (always compute, never store; the nodes reading it leave it out of their keys:
//! for clients and connections) and `disable` (always compute, never store; its result is still
//! fingerprinted for the nodes reading it). Set per node with the tag `cache`
//! (`#[node(tag(cache = "recompute"))]`), or per driver with [`CacheOptions`], which wins.
//!
//! # Stores
//!
//! Under the cache directory: `cache.sqlite` (SQLite, WAL mode) holds the cache keys, the runs
//! and what each node of each run did; `results/` holds one file per stored value, named by its
//! data version (so equal results are stored once), written to a temporary file under `tmp/`,
//! synced to the disk and renamed into place (the directory synced after), with a header and
//! checksum; the payload after the header starts at a multiple of 64
//! bytes, so a format read back from a memory map
//! ([`CacheType::with_mapped_format`]) finds its buffers aligned. Every read checks the
//! checksum over the whole payload. A missing, truncated or corrupt result file, something
//! else at a result's path (a directory, set aside; a FIFO or a device, removed), or an
//! unreadable, locked or corrupt database, makes the affected nodes run again with a note in the
//! run's record; a corrupt database, or one of another schema, is set aside and re-created. A
//! run waits for a locked database at most [`CacheOptions::lock_timeout`] in all. Temporary
//! files name their writer; opening the cache removes those of writers no longer running.
//! Several threads and processes can share one directory. A directory that cannot be written
//! is read only ([`CacheOptions::read_only`]). The run history and the result files can be
//! bounded ([`CacheOptions::keep_runs`], [`Cache::prune_history`], [`CacheOptions::max_size`]).
//!
//! # Limits
//!
//! - Nodes inside a fan-out block ([`fanout`](crate::fanout)) are cached per item, keyed by
//!   their code and the values they read for that item (events named `node[item]` in
//!   [`CacheRun`]), so a rerun recomputes only the items whose values changed; an `async` node
//!   inside a block always runs. The `Parallel`/`Collect` value itself is not cached.
//! - `async` nodes hit only when resolved ahead (every input's version known before the run);
//!   one that is not (it reads the result of a miss) runs, and its result is stored for the next
//!   run.
//! - Nothing is evicted: watch [`Cache::size`] and [`Cache::clear`].
//! - External state a node reads (files, databases, clocks) is invisible: make such nodes
//!   `recompute` or `disable` (so their output's fingerprint decides what follows).
//! - Conversions applied along edges are treated like helper functions: not versioned.

mod ahead;
mod fingerprint;
pub(crate) mod hook;
pub(crate) mod registry;
mod store;
mod view;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use fingerprint::{DataVersion, Fingerprint, Fingerprinter, fingerprint_serde};
pub use registry::{CacheType, RegisteredCacheType, SharedBytes, StoredPayload};

use crate::graph::Graph;
use crate::hooks::Hook;
use crate::run::prepare::{RunPreparation, Setup};

/// How the cache treats a node.
///
/// ```
/// use hamilton_core::cache::Behavior;
/// assert_eq!("recompute".parse::<Behavior>(), Ok(Behavior::Recompute));
/// assert_eq!(Behavior::Ignore.to_string(), "ignore");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Behavior {
    /// Load the result if its cache key was seen before; otherwise compute and store it.
    #[default]
    Default,
    /// Always compute, then store the result (replacing what the key resolved to).
    Recompute,
    /// Always compute, never store; nodes reading it leave it out of their cache keys, so a
    /// change to it never makes them run (for clients, credentials, connections).
    Ignore,
    /// Always compute, never store, as if caching were off for the node; its result is still
    /// fingerprinted, so the nodes after it can hit.
    Disable,
}

impl Behavior {
    /// The behaviour's name, as the `cache` tag spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Recompute => "recompute",
            Self::Ignore => "ignore",
            Self::Disable => "disable",
        }
    }
}

impl fmt::Display for Behavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Behavior {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "default" => Ok(Self::Default),
            "recompute" => Ok(Self::Recompute),
            "ignore" => Ok(Self::Ignore),
            "disable" => Ok(Self::Disable),
            other => Err(format!(
                "unknown cache behaviour `{other}`; use default, recompute, ignore or disable"
            )),
        }
    }
}

/// What happened to one node in a run.
///
/// ```
/// use hamilton_core::cache::CacheStatus;
/// assert_eq!(CacheStatus::Hit.as_str(), "hit");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheStatus {
    /// The result was loaded; the node did not run.
    Hit,
    /// The key was not found (or its stored result could not be used); the node ran and its
    /// result was stored.
    Miss,
    /// The node ran because its behaviour is `recompute`; its result was stored.
    Recomputed,
    /// The node ran and was not stored (behaviour `ignore`).
    Ignored,
    /// The node ran and was not stored (behaviour `disable`).
    Disabled,
    /// The node ran and could not be cached: no code version, a value without fingerprint, an
    /// `async` node... (see the event's note).
    Uncached,
    /// The node failed.
    Failed,
}

impl CacheStatus {
    /// The status's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Recomputed => "recomputed",
            Self::Ignored => "ignored",
            Self::Disabled => "disabled",
            Self::Uncached => "uncached",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "hit" => Self::Hit,
            "miss" => Self::Miss,
            "recomputed" => Self::Recomputed,
            "ignored" => Self::Ignored,
            "disabled" => Self::Disabled,
            "failed" => Self::Failed,
            _ => Self::Uncached,
        }
    }
}

impl fmt::Display for CacheStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One node of a run, as the cache saw it.
///
/// ```
/// use hamilton_core::cache::{Behavior, CacheEvent, CacheStatus};
/// let e = CacheEvent::new("b", CacheStatus::Hit);
/// assert_eq!(e.to_string(), "b: hit");
/// assert_eq!(e.behavior, Behavior::Default);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheEvent {
    /// The node.
    pub node: String,
    /// What happened.
    pub status: CacheStatus,
    /// The node's behaviour in the run.
    pub behavior: Behavior,
    /// The cache key, when one could be made.
    pub cache_key: Option<String>,
    /// The code version, when the node has one.
    pub code_version: Option<String>,
    /// The data version of the result, when it has one.
    pub data_version: Option<String>,
    /// The data versions of what the node read (`name=version, ...`), when known.
    pub inputs: Option<String>,
    /// Why the node was not a hit or not stored, or what was recovered from.
    pub note: Option<String>,
    /// How long the node took (loading included).
    pub duration: Duration,
}

impl CacheEvent {
    /// What happened to `node`, with no key, versions, note or duration.
    pub fn new(node: impl Into<String>, status: CacheStatus) -> Self {
        Self {
            node: node.into(),
            status,
            behavior: Behavior::Default,
            cache_key: None,
            code_version: None,
            data_version: None,
            inputs: None,
            note: None,
            duration: Duration::ZERO,
        }
    }
}

impl fmt::Display for CacheEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.node, self.status)?;
        if let Some(note) = &self.note {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

/// One run, as the cache saw it: each node's [`CacheEvent`], in execution order.
///
/// ```
/// use hamilton_core::cache::CacheRun;
/// let run = CacheRun::default();
/// assert!(run.hits().is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheRun {
    /// Identifies the run in the cache's history (unique across processes).
    pub run_id: String,
    /// The requested outputs.
    pub outputs: Vec<String>,
    /// Whether the run succeeded.
    pub success: bool,
    /// How long the run took.
    pub duration: Duration,
    /// The nodes that ran or hit, in execution order.
    pub nodes: Vec<CacheEvent>,
    /// Problems found outside any node (a corrupt database set aside, history not written...).
    pub notes: Vec<String>,
}

impl CacheRun {
    fn with_status(&self, status: CacheStatus) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|e| e.status == status)
            .map(|e| e.node.as_str())
            .collect()
    }

    /// The nodes that were loaded from the cache.
    pub fn hits(&self) -> Vec<&str> {
        self.with_status(CacheStatus::Hit)
    }

    /// The nodes that were looked up, not found, computed and stored.
    pub fn misses(&self) -> Vec<&str> {
        self.with_status(CacheStatus::Miss)
    }

    /// The nodes computed because their behaviour is `recompute`.
    pub fn recomputed(&self) -> Vec<&str> {
        self.with_status(CacheStatus::Recomputed)
    }

    /// Every node that ran (whatever the reason).
    pub fn computed(&self) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|e| e.status != CacheStatus::Hit)
            .map(|e| e.node.as_str())
            .collect()
    }

    /// What happened to `node`, if it was part of the run.
    pub fn status(&self, node: &str) -> Option<CacheStatus> {
        self.event(node).map(|e| e.status)
    }

    /// The event of `node`, if it was part of the run.
    pub fn event(&self, node: &str) -> Option<&CacheEvent> {
        self.nodes.iter().find(|e| e.node == node)
    }
}

impl fmt::Display for CacheRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "run {} ({}, {:.3?}): {} hit(s), {} computed",
            self.run_id,
            if self.success { "succeeded" } else { "failed" },
            self.duration,
            self.hits().len(),
            self.computed().len()
        )?;
        for e in &self.nodes {
            writeln!(f, "  {e} [{:.3?}]", e.duration)?;
        }
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        Ok(())
    }
}

/// A cache operation that failed (clearing, reading the history).
///
/// ```
/// let e = hamilton_core::cache::CacheError("locked".into());
/// assert_eq!(e.to_string(), "cache: locked");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheError(pub String);

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cache: {}", self.0)
    }
}

impl std::error::Error for CacheError {}

/// Where and how a driver caches: the directory, per-node behaviours, extra types. Give it to
/// [`DriverBuilder::with_cache`](crate::DriverBuilder::with_cache); a path converts into one
/// with the defaults.
///
/// ```
/// use hamilton_core::cache::{Behavior, CacheOptions};
/// let options = CacheOptions::new("/tmp/my-cache")
///     .recompute(["raw_data"])
///     .ignore(["client"])
///     .keep_in_memory(256 << 20);
/// assert_eq!(options.behavior_of("client"), Some(Behavior::Ignore));
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CacheOptions {
    dir: PathBuf,
    per_node: HashMap<String, Behavior>,
    default_behavior: Behavior,
    types: Vec<CacheType>,
    memory_bytes: usize,
    lock_timeout: Duration,
    read_only: bool,
    keep_runs: Option<usize>,
    keep_runs_for: Option<Duration>,
    max_size: Option<u64>,
}

impl CacheOptions {
    /// Caching in `dir` (created if needed), every node `default` unless tagged otherwise.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            per_node: HashMap::new(),
            default_behavior: Behavior::Default,
            types: Vec::new(),
            memory_bytes: 0,
            lock_timeout: Duration::from_secs(5),
            read_only: false,
            keep_runs: None,
            keep_runs_for: None,
            max_size: None,
        }
    }

    fn set(mut self, nodes: impl IntoIterator<Item = impl Into<String>>, b: Behavior) -> Self {
        for n in nodes {
            self.per_node.insert(n.into(), b);
        }
        self
    }

    /// These nodes always run, and their results are stored.
    pub fn recompute(self, nodes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.set(nodes, Behavior::Recompute)
    }

    /// These nodes always run, are never stored, and are left out of the keys of the nodes
    /// reading them.
    pub fn ignore(self, nodes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.set(nodes, Behavior::Ignore)
    }

    /// These nodes always run and are never stored.
    pub fn disable(self, nodes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.set(nodes, Behavior::Disable)
    }

    /// These nodes behave as `default`, whatever their `cache` tag says.
    pub fn default_for(self, nodes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.set(nodes, Behavior::Default)
    }

    /// The behaviour of nodes with neither a per-node setting nor a `cache` tag.
    pub fn default_behavior(mut self, behavior: Behavior) -> Self {
        self.default_behavior = behavior;
        self
    }

    /// Makes a type known to this driver's cache (beside the registered ones; for a type
    /// registered too, this one is used).
    pub fn with_type(mut self, cache_type: CacheType) -> Self {
        self.types.push(cache_type);
        self
    }

    /// Makes several types known to this driver's cache, as [`with_type`](Self::with_type).
    /// ```
    /// use hamilton_core::cache::{CacheOptions, CacheType};
    /// let options = CacheOptions::new("cache")
    ///     .with_types([CacheType::of::<Vec<u8>>(), CacheType::of::<Vec<u16>>()]);
    /// # let _ = options;
    /// ```
    pub fn with_types(mut self, cache_types: impl IntoIterator<Item = CacheType>) -> Self {
        self.types.extend(cache_types);
        self
    }

    /// Also keeps up to `bytes` of recently stored or loaded results in memory (measured by their
    /// stored size), so a driver repeating a request skips reading them back. Off (0) by
    /// default.
    pub fn keep_in_memory(mut self, bytes: usize) -> Self {
        self.memory_bytes = bytes;
        self
    }

    /// How long a run waits in all for another process holding the metadata database (default
    /// 5 s): once it has waited that long, its remaining lookups and writes give up at once,
    /// its nodes are computed and not stored. Each run starts with the whole wait again.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Opens the cache for reading only: stored results are served, nothing new is stored and
    /// no run history is written. A cache whose directory cannot be written (a read-only mount,
    /// no permission) is opened this way by itself, and its first run says so once.
    /// ```
    /// use hamilton_core::cache::CacheOptions;
    /// let shared = CacheOptions::new("/mnt/team-cache").read_only(true);
    /// # let _ = shared;
    /// ```
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Keeps the history of the last `runs` runs only: older runs are forgotten as each run is
    /// recorded (all runs are kept by default). Results are not affected.
    /// ```
    /// use hamilton_core::cache::CacheOptions;
    /// let options = CacheOptions::new("cache").keep_runs(100);
    /// # let _ = options;
    /// ```
    pub fn keep_runs(mut self, runs: usize) -> Self {
        self.keep_runs = Some(runs);
        self
    }

    /// Keeps the history of runs started within `age` only: older runs are forgotten as each
    /// run is recorded (all runs are kept by default). Results are not affected.
    /// ```
    /// use std::time::Duration;
    /// use hamilton_core::cache::CacheOptions;
    /// let options = CacheOptions::new("cache").keep_runs_for(Duration::from_secs(7 * 86_400));
    /// # let _ = options;
    /// ```
    pub fn keep_runs_for(mut self, age: Duration) -> Self {
        self.keep_runs_for = Some(age);
        self
    }

    /// Keeps the result files under `bytes` in all: after each run, the results used least
    /// recently (loaded or stored, by any driver on this cache) are deleted, with their cache
    /// keys, until the files fit; results a run of this driver still in progress has loaded or
    /// stored are kept. Unbounded by default. The metadata database is not counted.
    /// ```
    /// use hamilton_core::cache::CacheOptions;
    /// let options = CacheOptions::new("cache").max_size(10 << 30);
    /// # let _ = options;
    /// ```
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max_size = Some(bytes);
        self
    }

    /// The behaviour set for `node` by these options, if any.
    pub fn behavior_of(&self, node: &str) -> Option<Behavior> {
        self.per_node.get(node).copied()
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl From<&str> for CacheOptions {
    fn from(dir: &str) -> Self {
        Self::new(dir)
    }
}

impl From<String> for CacheOptions {
    fn from(dir: String) -> Self {
        Self::new(dir)
    }
}

impl From<&Path> for CacheOptions {
    fn from(dir: &Path) -> Self {
        Self::new(dir)
    }
}

impl From<PathBuf> for CacheOptions {
    fn from(dir: PathBuf) -> Self {
        Self::new(dir)
    }
}

impl From<&PathBuf> for CacheOptions {
    fn from(dir: &PathBuf) -> Self {
        Self::new(dir.clone())
    }
}

/// A driver's cache: what its runs did, and the stores' housekeeping. Get it with
/// [`Driver::cache`](crate::Driver::cache); clones share the same cache.
///
/// ```
/// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
/// let dir = tempfile::tempdir().unwrap();
/// let dr = Driver::builder()
///     .with_nodes([Node::builder("b").code_version(1).param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
///     .with_cache(dir.path())
///     .build()
///     .unwrap();
/// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
/// let cache = dr.cache().unwrap();
/// assert_eq!(cache.last_run().unwrap().misses(), ["b"]);
/// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
/// assert_eq!(cache.last_run().unwrap().hits(), ["b"]);
/// assert_eq!(cache.run_ids().unwrap().len(), 2);
/// assert!(cache.size().unwrap() > 0);
/// cache.clear().unwrap();
/// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
/// assert_eq!(cache.last_run().unwrap().misses(), ["b"]);
/// ```
#[derive(Clone)]
pub struct Cache {
    inner: Arc<hook::Inner>,
}

impl Cache {
    /// What runs the cache (for the tracker, which reads the hits it found).
    #[cfg(feature = "track")]
    pub(crate) fn inner(&self) -> &Arc<hook::Inner> {
        &self.inner
    }
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("dir", &self.dir())
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// The cache directory.
    pub fn dir(&self) -> &Path {
        self.inner.store.dir()
    }

    /// The driver's last finished run.
    pub fn last_run(&self) -> Option<CacheRun> {
        self.inner.last_run()
    }

    /// The last run as log lines: one per node (`name: status (note)`), then the notes.
    pub fn logs(&self) -> Vec<String> {
        self.last_run().map_or_else(Vec::new, |run| {
            run.nodes
                .iter()
                .map(ToString::to_string)
                .chain(run.notes.iter().map(|n| format!("note: {n}")))
                .collect()
        })
    }

    /// The ids of the runs recorded in the cache directory (by any process), oldest first.
    pub fn run_ids(&self) -> Result<Vec<String>, CacheError> {
        self.inner.store.run_ids().map_err(CacheError)
    }

    /// A run recorded in the cache directory (by any process).
    pub fn run(&self, run_id: &str) -> Result<Option<CacheRun>, CacheError> {
        let Some((outputs, success, duration, rows)) =
            self.inner.store.run(run_id).map_err(CacheError)?
        else {
            return Ok(None);
        };
        Ok(Some(CacheRun {
            run_id: run_id.to_string(),
            outputs: outputs
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            success,
            duration,
            nodes: rows
                .into_iter()
                .map(|r| CacheEvent {
                    node: r.node,
                    status: CacheStatus::parse(&r.status),
                    behavior: r.behavior.parse().unwrap_or_default(),
                    cache_key: r.cache_key,
                    code_version: r.code_version,
                    data_version: r.data_version,
                    inputs: r.inputs,
                    note: r.note,
                    duration: r.duration,
                })
                .collect(),
            notes: Vec::new(),
        }))
    }

    /// Forgets the history of all runs but the last `keep` (their results stay cached);
    /// returns how many runs were forgotten.
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let dir = tempfile::tempdir().unwrap();
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").code_version(1).param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
    ///     .with_cache(dir.path())
    ///     .build()
    ///     .unwrap();
    /// for a in 0..5_i64 {
    ///     dr.execute(&["b"], Inputs::new().set("a", a)).unwrap();
    /// }
    /// let cache = dr.cache().unwrap();
    /// assert_eq!(cache.prune_history(2).unwrap(), 3);
    /// assert_eq!(cache.run_ids().unwrap().len(), 2);
    /// ```
    pub fn prune_history(&self, keep: usize) -> Result<usize, CacheError> {
        self.inner
            .store
            .prune_history(Some(keep), None)
            .map_err(CacheError)
    }

    /// The bytes the cache directory takes on disk.
    pub fn size(&self) -> std::io::Result<u64> {
        self.inner.store.size()
    }

    /// Forgets every cached result (the run history is kept).
    pub fn clear(&self) -> Result<(), CacheError> {
        self.inner.clear_memory();
        self.inner.store.clear_all().map_err(CacheError)
    }

    /// Forgets the cached results of `node`; returns how many cache keys were forgotten.
    pub fn clear_node(&self, node: &str) -> Result<usize, CacheError> {
        self.inner.clear_memory();
        self.inner.store.clear_node(node).map_err(CacheError)
    }

    /// The behaviour `node` has in this driver.
    pub fn behavior(&self, node: &str) -> Option<Behavior> {
        self.inner.nodes.get(node).map(|s| s.behavior)
    }

    /// The code version `node` is cached under (`None`: the node has none and always runs).
    pub fn code_version(&self, node: &str) -> Option<&str> {
        self.inner
            .nodes
            .get(node)
            .and_then(|s| s.code_version.as_deref())
    }
}

/// The cache resolves each request ahead of its run (see `ahead.rs`): the loaded results of the
/// hits the run needs stand in for their nodes.
impl RunPreparation for Cache {
    fn prepare(
        &self,
        graph: &Graph,
        plan: &crate::plan::Plan,
        inputs: &crate::Inputs,
        overrides: &crate::Overrides,
        run_id: u64,
    ) -> Vec<(String, crate::value::Value)> {
        self.inner
            .resolve_ahead(graph, plan, inputs, overrides, run_id)
    }

    /// Forgets what was resolved ahead for the run if it did not pick it up.
    fn finish(&self, run_id: u64) {
        self.inner.forget_ahead(run_id);
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Sets up the cache for a graph: the hook that runs it (appended to `hooks`, innermost) and the
/// handle the driver keeps.
fn install(options: CacheOptions) -> Setup {
    Box::new(move |graph: &Graph, hooks: &mut Vec<Arc<dyn Hook>>| {
        let (inner, uncached) = hook::Inner::new(options, graph);
        let inner = Arc::new(inner);
        hooks.push(Arc::new(hook::CacheHook(inner.clone())));
        (
            Arc::new(Cache { inner }) as Arc<dyn RunPreparation>,
            uncached,
        )
    })
}

impl crate::DriverBuilder {
    /// Caches results across runs (and processes) in a directory: a node runs only when its code
    /// or the data it reads changed. Takes a path, or [`CacheOptions`] for per-node behaviours.
    /// See [`cache`](crate::cache).
    ///
    /// ```
    /// use hamilton_core::cache::CacheOptions;
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// let dir = tempfile::tempdir().unwrap();
    /// let dr = Driver::builder()
    ///     .with_nodes([Node::builder("b").code_version(1).param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
    ///     .with_cache(CacheOptions::new(dir.path()).recompute(["b"]))
    ///     .build()
    ///     .unwrap();
    /// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
    /// dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
    /// assert_eq!(dr.cache().unwrap().last_run().unwrap().recomputed(), ["b"]);
    /// ```
    pub fn with_cache(mut self, options: impl Into<CacheOptions>) -> Self {
        self.preparation = Some(install(options.into()));
        self
    }
}

impl crate::Driver {
    /// The driver's cache, if it was built [`with_cache`](crate::DriverBuilder::with_cache).
    ///
    /// ```
    /// let dr = hamilton_core::Driver::builder().build().unwrap();
    /// assert!(dr.cache().is_none());
    /// ```
    pub fn cache(&self) -> Option<&Cache> {
        self.preparation.as_ref()?.as_any().downcast_ref::<Cache>()
    }
}
