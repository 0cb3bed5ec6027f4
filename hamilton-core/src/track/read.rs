//! Typed, read-only queries over a tracker database: the runs (filtered by tag, status and
//! date), one run and its node runs, a graph version's nodes and edges, two runs or two graph
//! versions compared, a node's lineage, and cache hits. The UI, the report and the command line
//! read through here.
//!
//! **Interrupted runs.** A run is written with `ended_ms` NULL and status `running` when it
//! starts. If its process died, that row never changes; such a run reads as
//! [`RunStatus::Interrupted`] when it was started on this host by a process that no longer
//! exists (checked in `/proc` on Linux), or when it started more than [`STALE_AFTER_MS`] ago.
//!
//! ```
//! use hamilton_core::track::read::{Db, RunFilter};
//! let dir = tempfile::tempdir().unwrap();
//! let file = dir.path().join("runs.sqlite");
//! // A database the tracker made (here: its schema alone).
//! rusqlite::Connection::open(&file).unwrap().execute_batch(hamilton_core::track::SCHEMA).unwrap();
//! let db = Db::open(&file).unwrap();
//! assert!(db.runs(&RunFilter::default()).unwrap().is_empty());
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};
use serde::Deserialize;

use super::{Summary, now_ms};
use crate::error::Error;

/// A run whose process is not known to be dead reads as interrupted once it started this long
/// ago without ending (24 hours).
pub const STALE_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

/// Why a tracker database could not be read. Each message names the file and the fix.
///
/// ```
/// use hamilton_core::track::read::{Db, ReadError};
/// let err = Db::open("no/such/runs.sqlite").unwrap_err();
/// assert!(matches!(err, ReadError::Missing { .. }));
/// assert!(err.to_string().contains("no/such/runs.sqlite"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file does not exist.
    #[error(
        "no tracker database at `{file}`; record runs into it with `DriverBuilder::with_tracker`, or pass the path of an existing one"
    )]
    Missing {
        /// The path given.
        file: PathBuf,
    },
    /// The file is not SQLite, or lacks the tracker's tables.
    #[error(
        "not a tracker database: `{file}` ({found}); record runs with `DriverBuilder::with_tracker`, which creates the tables, and pass that file"
    )]
    NotATrackerDb {
        /// The path given.
        file: PathBuf,
        /// What was found instead.
        found: String,
    },
    /// No run has this id.
    #[error("no run {id} in `{file}`; the runs list shows the ids there are")]
    NoSuchRun {
        /// The database.
        file: PathBuf,
        /// The id asked for.
        id: i64,
    },
    /// No graph version has this id.
    #[error("no graph version `{version}` in `{file}`; a run's page shows its graph version")]
    NoSuchVersion {
        /// The database.
        file: PathBuf,
        /// The version asked for.
        version: String,
    },
    /// The graph version has no node of this name.
    #[error(
        "graph version `{version}` in `{file}` has no node `{node}`; the run's page lists its nodes"
    )]
    NoSuchNode {
        /// The database.
        file: PathBuf,
        /// The graph version.
        version: String,
        /// The node asked for.
        node: String,
    },
    /// SQLite failed while reading.
    #[error(
        "cannot read the tracker database `{file}`: {source}; check the file is readable and not damaged"
    )]
    Sqlite {
        /// The database.
        file: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

impl ReadError {
    /// The database file the error is about.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// let err = Db::open("gone.sqlite").unwrap_err();
    /// assert_eq!(err.file(), std::path::Path::new("gone.sqlite"));
    /// ```
    pub fn file(&self) -> &Path {
        match self {
            Self::Missing { file }
            | Self::NotATrackerDb { file, .. }
            | Self::NoSuchRun { file, .. }
            | Self::NoSuchVersion { file, .. }
            | Self::NoSuchNode { file, .. }
            | Self::Sqlite { file, .. } => file,
        }
    }

    /// Whether the thing asked for (a run, a version, a node) is not there, as opposed to a
    /// database that cannot be read.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// assert!(!Db::open("gone.sqlite").unwrap_err().is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::NoSuchRun { .. } | Self::NoSuchVersion { .. } | Self::NoSuchNode { .. }
        )
    }
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Self {
        Error::TrackerRead {
            file: e.file().display().to_string(),
            source: Box::new(e),
        }
    }
}

/// How a run ended, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunStatus {
    /// Still running (its process is alive, or cannot be checked and the run is recent).
    Running,
    /// Every requested output was computed.
    Success,
    /// The run failed; its error chain is in [`Run::error`].
    Failure,
    /// It never ended: its process died (see the module docs).
    Interrupted,
    /// A status this version does not know, as written.
    Other(String),
}

impl RunStatus {
    /// The status's name: `running`, `success`, `failure`, `interrupted`, or as written.
    ///
    /// ```
    /// assert_eq!(hamilton_core::track::read::RunStatus::Interrupted.as_str(), "interrupted");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Self::Running => "running",
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Interrupted => "interrupted",
            Self::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "success" => Self::Success,
            "failure" => Self::Failure,
            "interrupted" => Self::Interrupted,
            other => Self::Other(other.to_string()),
        }
    }
}

/// An input a run was given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RunInput {
    /// The input's name.
    pub name: String,
    /// Its type.
    pub r#type: String,
    /// Its fingerprint, where the value has one.
    pub fingerprint: Option<String>,
}

/// One run, as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The run's id in the database.
    pub id: i64,
    /// Its graph version.
    pub graph_version: String,
    /// The driver's own run id.
    pub driver_run_id: i64,
    /// Start, ms since the Unix epoch.
    pub started_ms: i64,
    /// End, ms since the Unix epoch; `None` while running or if interrupted.
    pub ended_ms: Option<i64>,
    /// How it ended (see the module docs for [`RunStatus::Interrupted`]).
    pub status: RunStatus,
    /// The executor (`sequential`, `parallel`, `async`, ...).
    pub executor: String,
    /// The host it ran on.
    pub host: String,
    /// Its process id.
    pub pid: i64,
    /// The driver's config: key to value text.
    pub config: BTreeMap<String, String>,
    /// The requested outputs, in request order.
    pub outputs: Vec<String>,
    /// The inputs given.
    pub inputs: Vec<RunInput>,
    /// The run's tags.
    pub tags: BTreeMap<String, String>,
    /// The error chain, outermost first; empty unless it failed.
    pub error: Vec<String>,
    /// Node runs recorded.
    pub node_runs: u64,
    /// Node runs served from the cache.
    pub cache_hits: u64,
    /// Node runs the cache missed (computed, then stored).
    pub cache_misses: u64,
}

impl Run {
    /// The run's duration in ms, once it ended.
    ///
    /// ```
    /// # use hamilton_core::track::read::{Db, RunFilter};
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # rusqlite::Connection::open(&file).unwrap().execute_batch(hamilton_core::track::SCHEMA).unwrap();
    /// let db = Db::open(&file).unwrap();
    /// for run in db.runs(&RunFilter::default()).unwrap() {
    ///     println!("run {}: {:?} ms", run.id, run.duration_ms());
    /// }
    /// ```
    pub fn duration_ms(&self) -> Option<i64> {
        self.ended_ms.map(|e| e - self.started_ms)
    }
}

/// One node run (one node, or one item of a fan-out's block).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRun {
    /// The node's name.
    pub node: String,
    /// The fan-out item index, `None` outside a block.
    pub item: Option<i64>,
    /// The node's position in the run.
    pub position: i64,
    /// `success` or `failure`.
    pub status: String,
    /// Start, µs from the run's start.
    pub start_us: i64,
    /// Duration, µs.
    pub duration_us: i64,
    /// `hit`, `miss`, or `None` without a cache.
    pub cache: Option<String>,
    /// Where it ran: `local` or a worker's id.
    pub worker: String,
    /// Its value's summary (`None` on failure, or if unreadable).
    pub summary: Option<Summary>,
    /// Its error chain, outermost first.
    pub error: Vec<String>,
}

/// A node of a graph version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphNode {
    /// Its name.
    pub name: String,
    /// Its module, `""` for inputs and nodes built by hand.
    pub module: String,
    /// Its output type.
    pub output_type: String,
    /// Its code version, `""` where it has none.
    pub code_version: String,
    /// Its doc comment.
    pub doc: String,
    /// `file:line`, `""` where unknown.
    pub location: String,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// An external input.
    pub is_input: bool,
}

/// An edge of a graph version: `target`'s parameter `param` reads `source`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GraphEdge {
    /// The dependency.
    pub source: String,
    /// The node reading it.
    pub target: String,
    /// The parameter.
    pub param: String,
}

/// A graph version: its nodes (by name) and edges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    /// The version (32 hex digits).
    pub version: String,
    /// When it was first seen, ms since the Unix epoch.
    pub first_seen_ms: i64,
    /// Its nodes, by name.
    pub nodes: Vec<GraphNode>,
    /// Its edges, sorted.
    pub edges: Vec<GraphEdge>,
}

impl Graph {
    /// The node of this name.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// let graph = db.graph(&db.run(1).unwrap().graph_version).unwrap();
    /// assert_eq!(graph.node("b").unwrap().output_type, "i64");
    /// assert!(graph.node("c").is_none());
    /// ```
    pub fn node(&self, name: &str) -> Option<&GraphNode> {
        self.nodes
            .binary_search_by(|n| n.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.nodes[i])
    }
}

/// A graph version in the list of versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionInfo {
    /// The version.
    pub version: String,
    /// When it was first seen.
    pub first_seen_ms: i64,
    /// Its node count.
    pub node_count: i64,
    /// Its edge count.
    pub edge_count: i64,
    /// Runs recorded with it.
    pub runs: i64,
}

/// Which runs [`Db::runs`] returns. Every field left `None` matches every run.
///
/// ```
/// use hamilton_core::track::read::RunFilter;
/// let f = RunFilter { status: Some("failure".into()), ..RunFilter::default() };
/// assert_eq!(f.limit, 200);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFilter {
    /// A tag the run has: key and value.
    pub tag: Option<(String, String)>,
    /// The status name (`running`, `success`, `failure`, `interrupted`).
    pub status: Option<String>,
    /// Runs started at or after this time (ms since the Unix epoch).
    pub from_ms: Option<i64>,
    /// Runs started before this time (ms since the Unix epoch).
    pub to_ms: Option<i64>,
    /// The most runs returned, newest first.
    pub limit: usize,
}

impl Default for RunFilter {
    fn default() -> Self {
        Self {
            tag: None,
            status: None,
            from_ms: None,
            to_ms: None,
            limit: 200,
        }
    }
}

/// One node's time in each of two runs (fan-out items summed), µs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimingChange {
    /// The node.
    pub node: String,
    /// Its time in run A, if it ran there.
    pub a_us: Option<i64>,
    /// Its time in run B, if it ran there.
    pub b_us: Option<i64>,
}

impl TimingChange {
    /// B's time minus A's, where it ran in both.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// let t = &db.compare_runs(1, 2).unwrap().timings[0];
    /// assert_eq!(t.delta_us(), Some(t.b_us.unwrap() - t.a_us.unwrap()));
    /// ```
    pub fn delta_us(&self) -> Option<i64> {
        Some(self.b_us? - self.a_us?)
    }
}

/// A node whose code version differs between two graph versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChange {
    /// The node.
    pub node: String,
    /// Its code version in A.
    pub a: String,
    /// Its code version in B.
    pub b: String,
}

/// Two graph versions compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionComparison {
    /// Version A.
    pub a: String,
    /// Version B.
    pub b: String,
    /// Nodes in B only.
    pub added: Vec<String>,
    /// Nodes in A only.
    pub removed: Vec<String>,
    /// Nodes in both whose code version or output type differs.
    pub changed: Vec<CodeChange>,
    /// Edges in B only.
    pub edges_added: Vec<GraphEdge>,
    /// Edges in A only.
    pub edges_removed: Vec<GraphEdge>,
}

/// Two runs compared: their graphs, and each node's time.
#[derive(Clone, Debug, PartialEq)]
pub struct RunComparison {
    /// Run A.
    pub a: Run,
    /// Run B.
    pub b: Run,
    /// Their graph versions compared (empty lists when both share one).
    pub graph: VersionComparison,
    /// Each node that ran in either, biggest change first.
    pub timings: Vec<TimingChange>,
}

/// The nodes within some hops of a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lineage {
    /// The node.
    pub node: String,
    /// Its dependencies, transitively: name and hops away (1 = read directly).
    pub upstream: Vec<(String, usize)>,
    /// Its dependents, transitively: name and hops away.
    pub downstream: Vec<(String, usize)>,
    /// The edges among the node and those listed.
    pub edges: Vec<GraphEdge>,
}

/// A tracker database, opened read-only.
#[derive(Debug)]
pub struct Db {
    conn: Connection,
    file: PathBuf,
}

const RUN_COLUMNS: &str = "r.id, r.graph_version, r.driver_run_id, r.started_ms, r.ended_ms, r.status, r.executor, r.host, r.pid, r.config, r.outputs, r.inputs, r.tags, r.error, \
    (SELECT count(*) FROM node_runs n WHERE n.run_id = r.id), \
    (SELECT count(*) FROM node_runs n WHERE n.run_id = r.id AND n.cache = 'hit'), \
    (SELECT count(*) FROM node_runs n WHERE n.run_id = r.id AND n.cache = 'miss')";

const TABLES: [&str; 5] = [
    "graph_versions",
    "graph_nodes",
    "graph_edges",
    "runs",
    "node_runs",
];

impl Db {
    /// Opens `file` read-only, checking it holds the tracker's tables.
    ///
    /// ```
    /// use hamilton_core::track::read::{Db, ReadError};
    /// let dir = tempfile::tempdir().unwrap();
    /// let file = dir.path().join("other.sqlite");
    /// rusqlite::Connection::open(&file).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    /// let err = Db::open(&file).unwrap_err();
    /// assert!(matches!(err, ReadError::NotATrackerDb { .. }));
    /// assert!(err.to_string().contains("with_tracker"));
    /// ```
    pub fn open(file: impl AsRef<Path>) -> Result<Self, ReadError> {
        let file = file.as_ref().to_path_buf();
        if !file.is_file() {
            return Err(ReadError::Missing { file });
        }
        let conn = Connection::open_with_flags(
            &file,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| ReadError::Sqlite {
            file: file.clone(),
            source,
        })?;
        let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
        let found: Result<Vec<String>, rusqlite::Error> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
        let found = match found {
            Ok(tables) => tables,
            Err(e) => {
                return Err(ReadError::NotATrackerDb {
                    file,
                    found: e.to_string(),
                });
            }
        };
        let missing: Vec<&str> = TABLES
            .iter()
            .copied()
            .filter(|t| !found.iter().any(|f| f == t))
            .collect();
        if !missing.is_empty() {
            return Err(ReadError::NotATrackerDb {
                file,
                found: format!("no table {}", missing.join(", ")),
            });
        }
        Ok(Self { conn, file })
    }

    /// The database file.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// assert_eq!(db.file(), file.as_path());
    /// ```
    pub fn file(&self) -> &Path {
        &self.file
    }

    fn sql(&self, source: rusqlite::Error) -> ReadError {
        ReadError::Sqlite {
            file: self.file.clone(),
            source,
        }
    }

    /// The runs matching `filter`, newest first.
    ///
    /// ```
    /// # use hamilton_core::track::read::{Db, RunFilter};
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # rusqlite::Connection::open(&file).unwrap().execute_batch(hamilton_core::track::SCHEMA).unwrap();
    /// let db = Db::open(&file).unwrap();
    /// let failed = db.runs(&RunFilter { status: Some("failure".into()), ..Default::default() }).unwrap();
    /// assert!(failed.is_empty());
    /// ```
    pub fn runs(&self, filter: &RunFilter) -> Result<Vec<Run>, ReadError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs r WHERE (?1 IS NULL OR r.started_ms >= ?1) AND (?2 IS NULL OR r.started_ms < ?2) ORDER BY r.started_ms DESC, r.id DESC"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![filter.from_ms, filter.to_ms], read_run)
            .map_err(|e| self.sql(e))?;
        let now = now_ms();
        let mut out = Vec::new();
        for row in rows {
            let mut run = row.map_err(|e| self.sql(e))?;
            run.status = settle(&run, now);
            if let Some(status) = &filter.status
                && run.status.as_str() != status
            {
                continue;
            }
            if let Some((k, v)) = &filter.tag
                && run.tags.get(k) != Some(v)
            {
                continue;
            }
            out.push(run);
            if out.len() >= filter.limit {
                break;
            }
        }
        Ok(out)
    }

    /// The run of this id.
    ///
    /// ```
    /// # use hamilton_core::track::read::{Db, ReadError};
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # rusqlite::Connection::open(&file).unwrap().execute_batch(hamilton_core::track::SCHEMA).unwrap();
    /// let db = Db::open(&file).unwrap();
    /// assert!(matches!(db.run(7), Err(ReadError::NoSuchRun { id: 7, .. })));
    /// ```
    pub fn run(&self, id: i64) -> Result<Run, ReadError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs r WHERE r.id = ?1");
        let run = self
            .conn
            .query_row(&sql, [id], read_run)
            .optional()
            .map_err(|e| self.sql(e))?;
        let mut run = run.ok_or_else(|| ReadError::NoSuchRun {
            file: self.file.clone(),
            id,
        })?;
        run.status = settle(&run, now_ms());
        Ok(run)
    }

    /// The node runs of run `id`, in run order.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// let nodes = db.node_runs(1).unwrap();
    /// assert_eq!(nodes.len(), 1);
    /// assert_eq!((nodes[0].node.as_str(), nodes[0].status.as_str()), ("b", "success"));
    /// ```
    pub fn node_runs(&self, id: i64) -> Result<Vec<NodeRun>, ReadError> {
        self.run(id)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT node, item, position, status, start_us, duration_us, cache, worker, summary, error \
                 FROM node_runs WHERE run_id = ?1 ORDER BY position, item",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([id], |r| {
                let summary: Option<String> = r.get(8)?;
                let error: Option<String> = r.get(9)?;
                Ok(NodeRun {
                    node: r.get(0)?,
                    item: r.get(1)?,
                    position: r.get(2)?,
                    status: r.get(3)?,
                    start_us: r.get(4)?,
                    duration_us: r.get(5)?,
                    cache: r.get(6)?,
                    worker: r.get(7)?,
                    summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
                    error: strings(error.as_deref()),
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// The graph versions, newest first, with how many runs each has.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// let versions = db.versions().unwrap();
    /// assert_eq!(versions.len(), 1, "both runs share one graph version");
    /// assert_eq!(versions[0].runs, 2);
    /// ```
    pub fn versions(&self) -> Result<Vec<VersionInfo>, ReadError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT v.version, v.first_seen_ms, v.node_count, v.edge_count, \
                 (SELECT count(*) FROM runs r WHERE r.graph_version = v.version) \
                 FROM graph_versions v ORDER BY v.first_seen_ms DESC, v.version",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(VersionInfo {
                    version: r.get(0)?,
                    first_seen_ms: r.get(1)?,
                    node_count: r.get(2)?,
                    edge_count: r.get(3)?,
                    runs: r.get(4)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// A graph version's nodes and edges.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// let run = db.run(1).unwrap();
    /// let graph = db.graph(&run.graph_version).unwrap();
    /// assert!(graph.node("a").unwrap().is_input);
    /// assert_eq!(graph.edges[0].target, "b");
    /// ```
    pub fn graph(&self, version: &str) -> Result<Graph, ReadError> {
        let first_seen_ms: Option<i64> = self
            .conn
            .query_row(
                "SELECT first_seen_ms FROM graph_versions WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        let first_seen_ms = first_seen_ms.ok_or_else(|| ReadError::NoSuchVersion {
            file: self.file.clone(),
            version: version.to_string(),
        })?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, module, output_type, code_version, doc, location, tags, is_input \
                 FROM graph_nodes WHERE version = ?1 ORDER BY name",
            )
            .map_err(|e| self.sql(e))?;
        let nodes = stmt
            .query_map([version], |r| {
                let tags: String = r.get(6)?;
                Ok(GraphNode {
                    name: r.get(0)?,
                    module: r.get(1)?,
                    output_type: r.get(2)?,
                    code_version: r.get(3)?,
                    doc: r.get(4)?,
                    location: r.get(5)?,
                    tags: serde_json::from_str(&tags).unwrap_or_default(),
                    is_input: r.get::<_, i64>(7)? != 0,
                })
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, target, param FROM graph_edges WHERE version = ?1 ORDER BY source, target, param",
            )
            .map_err(|e| self.sql(e))?;
        let edges = stmt
            .query_map([version], |r| {
                Ok(GraphEdge {
                    source: r.get(0)?,
                    target: r.get(1)?,
                    param: r.get(2)?,
                })
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(Graph {
            version: version.to_string(),
            first_seen_ms,
            nodes,
            edges,
        })
    }

    /// Two graph versions compared: nodes added and removed, nodes whose code version or type
    /// changed, edges added and removed.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// let v = db.run(1).unwrap().graph_version;
    /// let same = db.compare_versions(&v, &v).unwrap();
    /// assert!(same.added.is_empty() && same.removed.is_empty() && same.changed.is_empty());
    /// ```
    pub fn compare_versions(&self, a: &str, b: &str) -> Result<VersionComparison, ReadError> {
        Ok(compare_graphs(&self.graph(a)?, &self.graph(b)?))
    }

    /// Two runs compared: their graph versions, and each node's time (fan-out items summed),
    /// the biggest change first.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// let c = db.compare_runs(1, 2).unwrap();
    /// assert_eq!(c.timings.len(), 1);
    /// assert_eq!(c.timings[0].node, "b");
    /// assert!(c.timings[0].delta_us().is_some(), "`b` ran in both");
    /// ```
    pub fn compare_runs(&self, a: i64, b: i64) -> Result<RunComparison, ReadError> {
        let (run_a, run_b) = (self.run(a)?, self.run(b)?);
        let graph = compare_graphs(
            &self.graph(&run_a.graph_version)?,
            &self.graph(&run_b.graph_version)?,
        );
        let total = |runs: Vec<NodeRun>| {
            let mut t: BTreeMap<String, i64> = BTreeMap::new();
            for n in runs {
                *t.entry(n.node).or_default() += n.duration_us;
            }
            t
        };
        let ta = total(self.node_runs(a)?);
        let tb = total(self.node_runs(b)?);
        let names: BTreeSet<&String> = ta.keys().chain(tb.keys()).collect();
        let mut timings: Vec<TimingChange> = names
            .into_iter()
            .map(|n| TimingChange {
                node: n.clone(),
                a_us: ta.get(n).copied(),
                b_us: tb.get(n).copied(),
            })
            .collect();
        timings.sort_by_key(|t| std::cmp::Reverse(t.delta_us().map_or(i64::MAX, |d| d.abs())));
        Ok(RunComparison {
            a: run_a,
            b: run_b,
            graph,
            timings,
        })
    }

    /// The nodes up to `hops` edges up (dependencies) and down (dependents) from `node` in
    /// graph version `version`.
    ///
    /// ```
    /// use hamilton_core::track::read::Db;
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let file = dir.path().join("runs.sqlite");
    /// # let tracker = hamilton_core::track::Tracker::open(&file).unwrap();
    /// # let dr = hamilton_core::Driver::builder()
    /// #     .with_nodes([hamilton_core::node::Node::builder("b").param::<i64>("a")
    /// #         .build(|x: &hamilton_core::node::Args| Ok(x.get::<i64>(0)? + 1))])
    /// #     .with_tracker(tracker.clone()).build().unwrap();
    /// # for a in [1_i64, 2] { dr.execute(&["b"], hamilton_core::Inputs::new().set("a", a)).unwrap(); }
    /// # tracker.flush();
    /// // A database with two runs of `b = a + 1`.
    /// let db = Db::open(&file).unwrap();
    /// let v = db.run(1).unwrap().graph_version;
    /// let l = db.lineage(&v, "b", 1).unwrap();
    /// assert_eq!(l.upstream, [("a".to_string(), 1)]);
    /// assert!(l.downstream.is_empty());
    /// ```
    pub fn lineage(&self, version: &str, node: &str, hops: usize) -> Result<Lineage, ReadError> {
        let graph = self.graph(version)?;
        if graph.node(node).is_none() {
            return Err(ReadError::NoSuchNode {
                file: self.file.clone(),
                version: version.to_string(),
                node: node.to_string(),
            });
        }
        Ok(lineage(&graph, node, hops))
    }
}

/// The nodes within `hops` of `node` in `graph`, both ways.
pub(crate) fn lineage(graph: &Graph, node: &str, hops: usize) -> Lineage {
    let mut up: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut down: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in &graph.edges {
        up.entry(&e.target).or_default().push(&e.source);
        down.entry(&e.source).or_default().push(&e.target);
    }
    let walk = |next: &HashMap<&str, Vec<&str>>| {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut queue = VecDeque::from([(node, 0usize)]);
        while let Some((n, d)) = queue.pop_front() {
            if d == hops {
                continue;
            }
            for &m in next.get(n).map(Vec::as_slice).unwrap_or_default() {
                if m != node && !seen.contains_key(m) {
                    seen.insert(m.to_string(), d + 1);
                    queue.push_back((m, d + 1));
                }
            }
        }
        let mut v: Vec<(String, usize)> = seen.into_iter().collect();
        v.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let upstream = walk(&up);
    let downstream = walk(&down);
    let kept: BTreeSet<&str> = upstream
        .iter()
        .chain(&downstream)
        .map(|(n, _)| n.as_str())
        .chain([node])
        .collect();
    let edges = graph
        .edges
        .iter()
        .filter(|e| kept.contains(e.source.as_str()) && kept.contains(e.target.as_str()))
        .cloned()
        .collect();
    Lineage {
        node: node.to_string(),
        upstream,
        downstream,
        edges,
    }
}

fn compare_graphs(a: &Graph, b: &Graph) -> VersionComparison {
    let na: BTreeMap<&str, &GraphNode> = a.nodes.iter().map(|n| (n.name.as_str(), n)).collect();
    let nb: BTreeMap<&str, &GraphNode> = b.nodes.iter().map(|n| (n.name.as_str(), n)).collect();
    let added = nb
        .keys()
        .filter(|n| !na.contains_key(*n))
        .map(|n| n.to_string())
        .collect();
    let removed = na
        .keys()
        .filter(|n| !nb.contains_key(*n))
        .map(|n| n.to_string())
        .collect();
    let changed = na
        .iter()
        .filter_map(|(name, x)| {
            let y = nb.get(name)?;
            (x.code_version != y.code_version || x.output_type != y.output_type).then(|| {
                CodeChange {
                    node: name.to_string(),
                    a: x.code_version.clone(),
                    b: y.code_version.clone(),
                }
            })
        })
        .collect();
    let ea: BTreeSet<&GraphEdge> = a.edges.iter().collect();
    let eb: BTreeSet<&GraphEdge> = b.edges.iter().collect();
    VersionComparison {
        a: a.version.clone(),
        b: b.version.clone(),
        added,
        removed,
        changed,
        edges_added: eb.difference(&ea).map(|e| (*e).clone()).collect(),
        edges_removed: ea.difference(&eb).map(|e| (*e).clone()).collect(),
    }
}

fn read_run(r: &Row<'_>) -> rusqlite::Result<Run> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let error: Option<String> = r.get(13)?;
    Ok(Run {
        id: r.get(0)?,
        graph_version: r.get(1)?,
        driver_run_id: r.get(2)?,
        started_ms: r.get(3)?,
        ended_ms: r.get(4)?,
        status: RunStatus::parse(&text(5)?),
        executor: text(6)?,
        host: text(7)?,
        pid: r.get(8)?,
        config: map(&text(9)?),
        outputs: strings(Some(&text(10)?)),
        inputs: serde_json::from_str(&text(11)?).unwrap_or_default(),
        tags: map(&text(12)?),
        error: strings(error.as_deref()),
        node_runs: r.get::<_, i64>(14)?.max(0) as u64,
        cache_hits: r.get::<_, i64>(15)?.max(0) as u64,
        cache_misses: r.get::<_, i64>(16)?.max(0) as u64,
    })
}

/// A JSON object of strings; values that are not strings are kept as their JSON text.
fn map(json: &str) -> BTreeMap<String, String> {
    match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(json) {
        Ok(m) => m
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect(),
        Err(_) => BTreeMap::new(),
    }
}

/// A JSON array of strings; text that is not one is kept whole, as one string.
fn strings(json: Option<&str>) -> Vec<String> {
    match json {
        None => Vec::new(),
        Some(text) => serde_json::from_str(text).unwrap_or_else(|_| vec![text.to_string()]),
    }
}

/// Whether process `pid` of this host is known to be gone (`None`: cannot tell).
fn process_gone(pid: i64) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(!proc.join(pid.to_string()).exists())
}

/// A `running` row that never ended reads as interrupted when its process is gone or it is
/// stale (see the module docs).
fn settle(run: &Run, now: i64) -> RunStatus {
    if run.status != RunStatus::Running || run.ended_ms.is_some() {
        return run.status.clone();
    }
    let dead = run.host == super::host_name() && process_gone(run.pid) == Some(true);
    if dead || now - run.started_ms > STALE_AFTER_MS {
        RunStatus::Interrupted
    } else {
        RunStatus::Running
    }
}

#[cfg(test)]
mod tests;
