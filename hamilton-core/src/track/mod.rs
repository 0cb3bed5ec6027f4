//! Run tracking (feature `track`): every run and every node run recorded in a SQLite file, for
//! the UI, the report and the command line.
//!
//! Open a [`Tracker`] on a file and give it to a driver with
//! [`DriverBuilder::with_tracker`](crate::DriverBuilder::with_tracker):
//!
//! ```
//! use hamilton_core::track::Tracker;
//! use hamilton_core::{Driver, Inputs, node::{Args, Node}};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let tracker = Tracker::open(dir.path().join("runs.sqlite")).unwrap();
//! let dr = Driver::builder()
//!     .with_nodes([Node::builder("b").param::<i64>("a").build(|x: &Args| Ok(x.get::<i64>(0)? + 1))])
//!     .with_tracker(tracker.clone())
//!     .build()
//!     .unwrap();
//! dr.execute(&["b"], Inputs::new().set("a", 1_i64)).unwrap();
//! tracker.flush();
//!
//! let db = rusqlite::Connection::open(tracker.path()).unwrap();
//! let (node, status, summary): (String, String, String) = db
//!     .query_row("SELECT node, status, summary FROM node_runs", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
//!     .unwrap();
//! assert_eq!((node.as_str(), status.as_str()), ("b", "success"));
//! assert_eq!(summary, r#"{"kind":"scalar","type":"i64","value":"2"}"#);
//! ```
//!
//! # What is recorded
//!
//! The tables are in [`SCHEMA`]. When a driver is built, its graph version (a hash of every
//! node's name, output type and code version, and of every edge) with its nodes and edges,
//! once per version. For each run: a `runs` row when it starts (`status` `'running'`, the
//! executor, the host and process id, the config, the requested outputs, each input's name,
//! type and fingerprint), completed when it ends (`ended_ms`, `'success'` or `'failure'`, the
//! error chain). For each node run (once per item inside a fan-out's block, `item` set): its
//! status, its start (from the run's start) and duration, `'hit'` or `'miss'` when the driver
//! has a cache (a hit found before the run, which never runs, is recorded too, with the time
//! its lookup took), where it ran (`'local'`), a [`Summary`] of its value, or its error chain
//! (the error and its sources, outermost first; a panic as `panicked: …`).
//!
//! A value is never stored, only its bounded summary: scalars as their text, Polars frames and
//! series (`hamilton-polars`, feature `track`) as their schema and per-column statistics,
//! other types as their name. Register a summary for your own types with
//! [`register_summary!`](crate::register_summary!).
//!
//! Positions: hits found before the run come first, in execution order; then the nodes the run
//! computed, in [`RunInfo::nodes`](crate::hooks::RunInfo::nodes) order.
//!
//! An input's fingerprint is the cache's data version when the driver has a cache, a hash of
//! its text for a scalar otherwise, and empty for other values (hashing a large value would
//! slow the run).
//!
//! # Never in the way
//!
//! Runs only queue records; a writer thread writes them in batches. Whatever goes wrong with
//! the file after it is opened (a full disk, a lock held too long by another process) is a
//! `tracing` warning, once, and the run goes on. [`Tracker::flush`] waits for what is queued;
//! dropping the last handle of a tracker (drivers hold one) writes what is left.
//!
//! An async run whose future is dropped before it ends is recorded as failed. A run whose
//! process was killed stays `'running'` with no `ended_ms`: readers tell it from a
//! run in progress by its `host` and `pid` (no such process on that host: interrupted).
//! [`Tracker::keep_runs`] bounds the file.
//!
//! The guide, with the tables and summaries in detail, is `hamilton-core/docs/tracking.md`.

mod hook;
pub mod read;
mod registry;
pub mod summary;
mod tracker;
mod writer;

#[cfg(test)]
pub(crate) mod fixture;

pub use registry::{RegisteredSummaryType, SummaryType};
pub use summary::Summary;
pub use tracker::{Tracker, TrackerError};

/// The tracker database's schema (SQLite): the contract between the tracker that writes it and
/// the UI, report and command line that read it.
///
/// ```
/// assert!(hamilton_core::track::SCHEMA.contains("CREATE TABLE IF NOT EXISTS node_runs"));
/// ```
pub const SCHEMA: &str = include_str!("schema.sql");

pub(crate) use crate::host::host_name;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl crate::DriverBuilder {
    /// Records every run of the driver in `tracker`'s database (see [`track`](crate::track)).
    ///
    /// ```
    /// use hamilton_core::{Driver, track::Tracker};
    /// let dir = tempfile::tempdir().unwrap();
    /// let tracker = Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    /// let dr = Driver::builder().with_tracker(tracker).build().unwrap();
    /// # drop(dr);
    /// ```
    pub fn with_tracker(mut self, tracker: Tracker) -> Self {
        self.observer = Some(hook::install(tracker));
        self
    }
}

/// The guide's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/tracking.md")]
struct TrackingGuide;
