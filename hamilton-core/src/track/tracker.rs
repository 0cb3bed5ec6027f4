//! The public handle: [`Tracker`], opened on a file and given to drivers with
//! [`DriverBuilder::with_tracker`](crate::DriverBuilder::with_tracker).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use super::writer::{Msg, QUEUE, Writer, send};

/// How long a write waits for another process's lock on the file before it gives up (and
/// warns).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a tracker database could not be opened.
///
/// ```
/// let err = hamilton_core::track::Tracker::open("/no/such/dir/runs.sqlite").unwrap_err();
/// assert!(err.to_string().contains("/no/such/dir/runs.sqlite"));
/// ```
#[derive(Debug, thiserror::Error)]
#[error(
    "the run tracker could not open `{}`: {reason}; give a path to a file (or to a file to create) in a directory that exists and can be written",
    path.display()
)]
#[non_exhaustive]
pub struct TrackerError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

/// Records runs in a SQLite file (see the [module docs](crate::track)): give it to drivers with
/// [`DriverBuilder::with_tracker`](crate::DriverBuilder::with_tracker).
///
/// A tracker is a cheap handle: clones share one file and one writer thread. Writing happens on
/// that thread, so runs never wait on the disk; what cannot be written (a full disk, a file
/// locked too long) is a warning, never a run's error. The last handle dropped writes what is
/// queued before it goes.
///
/// ```
/// use hamilton_core::track::Tracker;
/// let dir = tempfile::tempdir().unwrap();
/// let tracker = Tracker::open(dir.path().join("runs.sqlite")).unwrap().keep_runs(100);
/// tracker.flush();
/// assert!(dir.path().join("runs.sqlite").exists());
/// ```
#[derive(Clone)]
pub struct Tracker {
    pub(crate) shared: Arc<Shared>,
}

/// What the handles of one tracker share.
pub(crate) struct Shared {
    pub(crate) path: PathBuf,
    /// `None` once the tracker is closing.
    tx: Mutex<Option<SyncSender<Msg>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Keys for runs, unique across the drivers sharing this tracker.
    next_run: AtomicU64,
    /// Records dropped because the queue was full.
    dropped: AtomicU64,
    /// Pending settings, taken by the writer thread when it starts.
    keep_runs: Mutex<Option<usize>>,
    max_pages: Mutex<Option<u64>>,
    conn: Mutex<Option<Connection>>,
    pub(crate) host: Arc<str>,
    /// The tags of every run recorded (see [`Tracker::tag`]).
    tags: Mutex<std::collections::BTreeMap<String, String>>,
}

impl std::fmt::Debug for Tracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracker")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

impl Tracker {
    /// Opens (or creates) the tracker database at `path`: its tables, WAL mode (so readers never
    /// block the writer), and a wait of a few seconds on another process's lock.
    ///
    /// An error means the file cannot be a tracker database at all (a missing directory, a file
    /// that is not SQLite); anything that goes wrong after this only warns. A program that must
    /// run untracked rather than stop can log the error and build its driver without a tracker.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// assert!(hamilton_core::track::Tracker::open(dir.path().join("runs.sqlite")).is_ok());
    /// assert!(hamilton_core::track::Tracker::open(dir.path()).is_err(), "a directory");
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TrackerError> {
        let path = path.as_ref().to_path_buf();
        let error = |reason: String| TrackerError {
            path: path.clone(),
            reason,
        };
        if path.is_dir() {
            return Err(error("it is a directory".to_string()));
        }
        let conn = Connection::open(&path).map_err(|e| error(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| error(e.to_string()))?;
        // A file that cannot be written but has the tables is opened: its runs only warn.
        let _ = conn.pragma_update(None, "journal_mode", "WAL");
        let _ = conn.pragma_update(None, "synchronous", "NORMAL");
        let created = conn.execute_batch(super::SCHEMA).and_then(|()| {
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1')",
                [],
            )
        });
        if let Err(e) = created
            && conn
                .execute_batch("SELECT id FROM runs LIMIT 0; SELECT run_id FROM node_runs LIMIT 0;")
                .is_err()
        {
            return Err(error(e.to_string()));
        }
        Ok(Self {
            shared: Arc::new(Shared {
                path,
                tx: Mutex::new(None),
                writer: Mutex::new(None),
                next_run: AtomicU64::new(1),
                dropped: AtomicU64::new(0),
                keep_runs: Mutex::new(None),
                max_pages: Mutex::new(None),
                conn: Mutex::new(Some(conn)),
                host: super::host_name().into(),
                tags: Mutex::new(Default::default()),
            }),
        })
    }

    /// Keeps only the newest `runs` runs: after each run, older runs are deleted with their node
    /// runs, and so are the graph versions no run refers to (never one a driver of this
    /// process uses). Set it before the first run.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let t = hamilton_core::track::Tracker::open(dir.path().join("runs.sqlite")).unwrap().keep_runs(10);
    /// # drop(t);
    /// ```
    pub fn keep_runs(self, runs: usize) -> Self {
        *lock(&self.shared.keep_runs) = Some(runs.max(1));
        self
    }

    /// Caps the file at about `bytes` (at least one page): once it is full, what does not fit is
    /// not recorded, with a warning. Set it before the first run.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let t = hamilton_core::track::Tracker::open(dir.path().join("runs.sqlite")).unwrap().max_size(64 << 20);
    /// # drop(t);
    /// ```
    pub fn max_size(self, bytes: u64) -> Self {
        *lock(&self.shared.max_pages) = Some((bytes / 4096).max(1));
        self
    }

    /// Tags every run this tracker records with `key = value` (the environment, the team, a
    /// CI job...): the UI filters runs by them. A key given again keeps its last value.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let t = hamilton_core::track::Tracker::open(dir.path().join("runs.sqlite"))
    ///     .unwrap()
    ///     .tag("env", "ci")
    ///     .tag("team", "growth");
    /// assert_eq!(t.tags()["env"], "ci");
    /// ```
    pub fn tag(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        lock(&self.shared.tags).insert(key.into(), value.into());
        self
    }

    /// The tags every run is recorded with (see [`tag`](Self::tag)).
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let t = hamilton_core::track::Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    /// assert!(t.tags().is_empty());
    /// ```
    pub fn tags(&self) -> std::collections::BTreeMap<String, String> {
        lock(&self.shared.tags).clone()
    }

    /// The file the tracker writes.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let t = hamilton_core::track::Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    /// assert!(t.path().ends_with("runs.sqlite"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Blocks until everything queued so far is written (or found unwritable): for tests, and
    /// for the end of a program that exits without dropping its drivers.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let t = hamilton_core::track::Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    /// t.flush();
    /// ```
    pub fn flush(&self) {
        let Some(tx) = self.sender() else {
            return;
        };
        let (reply, done) = sync_channel(1);
        if tx.send(Msg::Flush(reply)).is_ok() {
            let _ = done.recv();
        }
    }

    /// Queues `msg` for the writer, without waiting; counts it as dropped if the queue is full.
    pub(crate) fn send(&self, msg: Msg) {
        let Some(tx) = self.sender() else {
            return;
        };
        if !send(&tx, msg) && self.shared.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
            tracing::warn!(
                target: "hamilton::track",
                "the run tracker `{}` fell behind ({QUEUE} records queued): some node runs are not recorded",
                self.shared.path.display()
            );
        }
    }

    /// A key for a new run, unique across the drivers sharing this tracker.
    pub(crate) fn run_key(&self) -> u64 {
        self.shared.next_run.fetch_add(1, Ordering::Relaxed)
    }

    /// The writer's queue, the writer started on first use.
    fn sender(&self) -> Option<SyncSender<Msg>> {
        let mut tx = lock(&self.shared.tx);
        if let Some(tx) = &*tx {
            return Some(tx.clone());
        }
        let conn = lock(&self.shared.conn).take()?;
        if let Some(pages) = *lock(&self.shared.max_pages)
            && let Err(e) = conn.pragma_update(
                None,
                "max_page_count",
                i64::try_from(pages).unwrap_or(i64::MAX),
            )
        {
            tracing::warn!(target: "hamilton::track", "the run tracker could not cap its file's size: {e}");
        }
        let (sender, receiver) = sync_channel(QUEUE);
        let writer = Writer::new(
            conn,
            self.shared.path.display().to_string(),
            *lock(&self.shared.keep_runs),
        );
        let spawned = std::thread::Builder::new()
            .name("hamilton-tracker".to_string())
            .spawn(move || writer.run(receiver));
        match spawned {
            Ok(handle) => {
                *lock(&self.shared.writer) = Some(handle);
                *tx = Some(sender.clone());
                Some(sender)
            }
            Err(e) => {
                tracing::warn!(target: "hamilton::track", "the run tracker could not start its writer thread: {e}; runs are not recorded");
                None
            }
        }
    }
}

impl Drop for Shared {
    /// Writes what is queued: the writer ends when its queue closes.
    fn drop(&mut self) {
        let tx = self.tx.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        drop(tx);
        if let Some(handle) = self
            .writer
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = handle.join();
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
