//! The two stores under the cache directory: SQLite metadata (`cache.sqlite`: cache keys, runs,
//! per-node history) and content-addressed result files (`results/ab/<data version>.<format>`).
//!
//! Nothing here panics or fails a run: every problem comes back as an `Err(String)` that the
//! hook turns into a miss (or a skipped write) with a note.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};

use super::CacheOptions;
use super::fingerprint::DataVersion;
use super::registry::{MapFn, StoredPayload, guarded};

const DB_FILE: &str = "cache.sqlite";
const RESULTS: &str = "results";
const TMP: &str = "tmp";
const MAGIC: &[u8; 8] = b"HMLTNCR1";
/// Payloads start at a multiple of this many bytes from the start of their file, so that a
/// memory-mapped payload's buffers keep the alignment they were written with.
pub(crate) const PAYLOAD_ALIGNMENT: usize = 64;
/// The largest read buffer a thread keeps between result reads (bytes).
const KEPT_READ_BUFFER: usize = 256 << 20;
/// How many read buffers are kept (one per thread loading at once).
const KEPT_READ_BUFFERS: usize = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS cache_keys (
    cache_key    TEXT PRIMARY KEY,
    node         TEXT NOT NULL,
    code_version TEXT NOT NULL,
    inputs       TEXT NOT NULL,
    data_version TEXT NOT NULL,
    format       TEXT NOT NULL,
    compute_ns   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cache_keys_node ON cache_keys(node);
CREATE INDEX IF NOT EXISTS cache_keys_data_version ON cache_keys(data_version);
CREATE TABLE IF NOT EXISTS result_use (
    data_version TEXT NOT NULL,
    format       TEXT NOT NULL,
    last_used    INTEGER NOT NULL,
    PRIMARY KEY (data_version, format)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    outputs     TEXT NOT NULL,
    success     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    run_id       TEXT NOT NULL,
    position     INTEGER NOT NULL,
    node         TEXT NOT NULL,
    behavior     TEXT NOT NULL,
    status       TEXT NOT NULL,
    cache_key    TEXT,
    code_version TEXT,
    data_version TEXT,
    inputs       TEXT,
    note         TEXT,
    duration_ns  INTEGER NOT NULL,
    PRIMARY KEY (run_id, position)
);
";

/// One row of `cache_keys`: what a cache key resolved to.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) data_version: DataVersion,
    pub(crate) format: String,
}

/// What is written for a new cache key.
pub(crate) struct NewEntry<'a> {
    pub(crate) cache_key: &'a str,
    pub(crate) node: &'a str,
    pub(crate) code_version: &'a str,
    pub(crate) inputs: &'a str,
    pub(crate) data_version: DataVersion,
    pub(crate) format: &'a str,
    pub(crate) compute: Duration,
}

/// One node of a run, as written to `history`.
pub(crate) struct HistoryRow {
    pub(crate) node: String,
    pub(crate) behavior: String,
    pub(crate) status: String,
    pub(crate) cache_key: Option<String>,
    pub(crate) code_version: Option<String>,
    pub(crate) data_version: Option<String>,
    pub(crate) inputs: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) duration: Duration,
}

/// A run, as written to `runs`.
pub(crate) struct RunRow<'a> {
    pub(crate) run_id: &'a str,
    pub(crate) started_at: SystemTime,
    pub(crate) duration: Duration,
    pub(crate) outputs: &'a str,
    pub(crate) success: bool,
}

pub(crate) struct Store {
    dir: PathBuf,
    lock_timeout: Duration,
    /// Opened for reading only (asked for, or the directory cannot be written): no result
    /// file, cache key or run is written.
    read_only: bool,
    /// How many runs, and runs how old, the history keeps.
    keep_runs: Option<usize>,
    keep_runs_for: Option<Duration>,
    /// The most bytes of result files kept.
    max_size: Option<u64>,
    /// The results each run in progress (by its id) has loaded or stored.
    pins: Mutex<HashMap<u64, HashSet<(DataVersion, String)>>>,
    conn: Mutex<Option<Connection>>,
    /// The wait for other processes' locks spent in the current run: a run waits at most
    /// `lock_timeout` in all, not on each call.
    waited: Mutex<Waited>,
    /// Problems found outside any node (a corrupt database set aside, ...), for the next run's
    /// record.
    notes: Mutex<Vec<String>>,
    /// Read buffers kept between result reads, so that loading many results does not map
    /// fresh memory for every file.
    buffers: Mutex<Vec<Vec<u8>>>,
}

/// The lock wait a run has spent, and the busy timeout last given to the connection.
#[derive(Default)]
struct Waited {
    spent: Duration,
    applied: Option<Duration>,
}

/// A call taking longer than this is taken to have waited for a lock.
const SLOW_CALL: Duration = Duration::from_millis(10);

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

fn unix_nanos(t: SystemTime) -> i64 {
    nanos(t.duration_since(UNIX_EPOCH).unwrap_or_default())
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// What a file that is not a regular file is, for messages.
fn file_kind(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else if meta.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Opens the result file at `path`, after checking that it is a regular file (following
/// links): opening a FIFO would wait for a writer forever, a directory or a device holds no
/// result. Anything else there is reported as damage, so it is cleared and written afresh.
fn open_result(path: &Path) -> Result<fs::File, ReadError> {
    let not_read = |e: std::io::Error| ReadError::unreadable(path, &e);
    let not_a_file = |meta: &fs::Metadata| {
        ReadError::damaged(path, format!("{}, not a result file", file_kind(meta)))
    };
    let meta = fs::metadata(path).map_err(not_read)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let file = fs::File::open(path).map_err(not_read)?;
    let meta = file.metadata().map_err(not_read)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    Ok(file)
}

/// Checks that the tables have the columns the cache reads and writes.
fn check_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "SELECT cache_key, node, code_version, inputs, data_version, format, compute_ns, created_at
         FROM cache_keys LIMIT 0;
         SELECT run_id, started_at, duration_ns, outputs, success FROM runs LIMIT 0;
         SELECT run_id, position, node, behavior, status, cache_key, code_version, data_version,
                inputs, note, duration_ns FROM history LIMIT 0;",
    )
}

/// Deletes the runs beyond the last `keep` (by start time) and those started before
/// `older_than`, and their nodes; returns how many runs were deleted.
fn prune(
    tx: &Transaction<'_>,
    keep: Option<usize>,
    older_than: Option<SystemTime>,
) -> rusqlite::Result<usize> {
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS pruned (run_id TEXT PRIMARY KEY); DELETE FROM pruned;",
    )?;
    if let Some(keep) = keep {
        tx.execute(
            "INSERT OR IGNORE INTO pruned SELECT run_id FROM runs
             ORDER BY started_at DESC, run_id DESC LIMIT -1 OFFSET ?1",
            params![i64::try_from(keep).unwrap_or(i64::MAX)],
        )?;
    }
    if let Some(older_than) = older_than {
        tx.execute(
            "INSERT OR IGNORE INTO pruned SELECT run_id FROM runs WHERE started_at < ?1",
            params![unix_nanos(older_than)],
        )?;
    }
    tx.execute(
        "DELETE FROM history WHERE run_id IN (SELECT run_id FROM pruned)",
        [],
    )?;
    let removed = tx.execute(
        "DELETE FROM runs WHERE run_id IN (SELECT run_id FROM pruned)",
        [],
    )?;
    tx.execute("DELETE FROM pruned", [])?;
    Ok(removed)
}

/// `path` for a SQLite URI (`file:` + this): the characters URIs give a meaning escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Temporary files whose owner cannot be looked up are removed once this old.
const STALE_TEMP_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The start time of process `pid` (clock ticks since boot, field 22 of `/proc/<pid>/stat`):
/// `Ok(None)` for a process that has ended (or is a zombie), `Err` where `/proc` is unavailable.
fn process_start(pid: u32) -> Result<Option<u64>, ()> {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // The command name (field 2) is in parentheses and may hold spaces.
            let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
                return Err(());
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.first() == Some(&"Z") || fields.first() == Some(&"X") {
                return Ok(None);
            }
            fields
                .get(19)
                .and_then(|f| f.parse().ok())
                .map(Some)
                .ok_or(())
        }
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && Path::new("/proc/self/stat").exists() =>
        {
            Ok(None)
        }
        Err(_) => Err(()),
    }
}

/// Whether the process `pid` (started at `start`, when known) is running; `None` when that
/// cannot be told.
fn process_alive(pid: u32, start: Option<u64>) -> Option<bool> {
    match process_start(pid) {
        Ok(None) => Some(false),
        Ok(Some(found)) => Some(start.is_none_or(|start| start == found)),
        Err(()) => None,
    }
}

/// This process's owner tag in temporary file names: `p<pid>-<start time>`.
fn temp_owner_tag() -> String {
    static TAG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        let pid = std::process::id();
        match process_start(pid) {
            Ok(Some(start)) => format!("p{pid}-{start}"),
            _ => format!("p{pid}-0"),
        }
    })
    .clone()
}

/// The writer named in a temporary file's name: its pid and start time (`0`: unknown). Names
/// are `p<pid>-<start>.<unique suffix>.<data version>.tmp`, or, from earlier versions,
/// `<data version>.<nanos>-<pid>-<counter>.tmp` (pid in hex, no start time).
fn temp_owner(name: &str) -> Option<(u32, Option<u64>)> {
    let stem = name.strip_suffix(".tmp")?;
    if let Some(rest) = stem.strip_prefix('p') {
        let owner = rest.split('.').next()?;
        let (pid, start) = owner.split_once('-')?;
        let start: u64 = start.parse().ok()?;
        return Some((pid.parse().ok()?, (start != 0).then_some(start)));
    }
    let (_, suffix) = stem.split_once('.')?;
    let pid = suffix.split('-').nth(1)?;
    Some((u32::from_str_radix(pid, 16).ok()?, None))
}

/// Flushes a file's content to the disk.
fn sync_file(file: &fs::File, path: &Path) -> std::io::Result<()> {
    file.sync_all()?;
    #[cfg(test)]
    tests::SYNCED.with(|s| s.borrow_mut().push(path.to_path_buf()));
    #[cfg(not(test))]
    let _ = path;
    Ok(())
}

/// Flushes a directory's entries (a rename into it) to the disk, where directories can be
/// opened (Unix).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    sync_file(&fs::File::open(dir)?, dir)?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A name no other writer (thread or process) uses at the same time.
pub(crate) fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:x}-{:x}-{:x}",
        unix_nanos(SystemTime::now()),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Store {
    /// The stores under `dir`, created if needed. Never fails: a store that cannot be opened
    /// makes every lookup a miss, with a note saying why.
    pub(crate) fn open(options: &CacheOptions) -> Self {
        let mut store = Self {
            dir: options.dir.clone(),
            lock_timeout: options.lock_timeout,
            read_only: options.read_only,
            keep_runs: options.keep_runs,
            keep_runs_for: options.keep_runs_for,
            max_size: options.max_size,
            pins: Mutex::new(HashMap::new()),
            conn: Mutex::new(None),
            waited: Mutex::new(Waited::default()),
            notes: Mutex::new(Vec::new()),
            buffers: Mutex::new(Vec::new()),
        };
        if store.read_only {
            store.note(format!(
                "the cache `{}` is opened read-only: stored results are served, nothing new will be stored",
                store.dir.display()
            ));
        } else if let Err(e) = store.prepare_dirs() {
            if store.dir.join(DB_FILE).exists() {
                store.read_only = true;
                store.note(format!(
                    "the cache directory `{}` cannot be written ({e}): stored results are served, nothing new will be stored",
                    store.dir.display()
                ));
            } else {
                store.note(format!("could not create the cache directory: {e}"));
            }
        }
        if !store.read_only {
            store.sweep_temp_files();
        }
        // Open now so that problems show in the first run's notes; errors are retried later.
        let _ = store.with_conn(|_| Ok(()));
        store
    }

    /// Removes the temporary files of writers that ended without finishing (a process killed
    /// mid-write): those whose owner, named in the file name, is no longer running. A live
    /// writer's files are never touched. Where processes cannot be looked up (no `/proc`), a
    /// temporary file is removed once it is older than [`STALE_TEMP_AGE`].
    pub(crate) fn sweep_temp_files(&self) {
        let tmp_dir = self.dir.join(TMP);
        let Ok(entries) = fs::read_dir(&tmp_dir) else {
            return;
        };
        let (mut removed, mut bytes) = (0_usize, 0_u64);
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.ends_with(".tmp") {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            let abandoned = match temp_owner(name).map(|(pid, start)| process_alive(pid, start)) {
                Some(Some(alive)) => !alive,
                Some(None) | None => meta
                    .modified()
                    .ok()
                    .and_then(|m| m.elapsed().ok())
                    .is_some_and(|age| age >= STALE_TEMP_AGE),
            };
            if abandoned && meta.is_file() && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
                bytes += meta.len();
            }
        }
        if removed > 0 {
            self.note(format!(
                "removed {removed} temporary file(s) ({bytes} bytes) left in `{}` by writers that ended without finishing",
                tmp_dir.display()
            ));
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether nothing is written (see [`CacheOptions::read_only`]).
    pub(crate) fn read_only(&self) -> bool {
        self.read_only
    }

    /// Creates the directories results are written to, and checks that a file can be written
    /// there (a read-only mount or missing permission fails here).
    fn prepare_dirs(&self) -> Result<(), String> {
        for sub in [RESULTS, TMP] {
            let path = self.dir.join(sub);
            fs::create_dir_all(&path).map_err(|e| format!("`{}`: {e}", path.display()))?;
        }
        let probe = self.dir.join(TMP).join(format!(
            "{}.{}.probe.tmp",
            temp_owner_tag(),
            unique_suffix()
        ));
        fs::write(&probe, b"").map_err(|e| format!("`{}`: {e}", probe.display()))?;
        let _ = fs::remove_file(&probe);
        Ok(())
    }

    /// Starts a run's lock-wait budget afresh.
    pub(crate) fn begin_run(&self) {
        self.waited.lock().unwrap_or_else(|p| p.into_inner()).spent = Duration::ZERO;
    }

    /// The lock wait left to the current run.
    fn wait_left(&self) -> Duration {
        let waited = self.waited.lock().unwrap_or_else(|p| p.into_inner());
        self.lock_timeout.saturating_sub(waited.spent)
    }

    /// Counts `elapsed` against the run's lock wait when the call waited (it failed on a lock,
    /// or took long).
    fn count_wait(&self, elapsed: Duration, busy: bool) {
        if busy || elapsed >= SLOW_CALL {
            let mut waited = self.waited.lock().unwrap_or_else(|p| p.into_inner());
            waited.spent = waited.spent.saturating_add(elapsed);
        }
    }

    /// Gives the connection the lock wait left to the run, when it changed.
    fn apply_wait(&self, conn: &Connection) {
        let left = self.wait_left();
        let mut waited = self.waited.lock().unwrap_or_else(|p| p.into_inner());
        if waited.applied != Some(left) && conn.busy_timeout(left).is_ok() {
            waited.applied = Some(left);
        }
    }

    /// Notes that run `run_id` uses the result `dv` in `format`: it is not evicted while the
    /// run is in progress, and counts as used when the run ends.
    pub(crate) fn pin(&self, run_id: u64, dv: DataVersion, format: &str) {
        if self.max_size.is_none() || self.read_only {
            return;
        }
        self.pins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(run_id)
            .or_default()
            .insert((dv, format.to_string()));
    }

    /// At the end of run `run_id`: records when its results were used, then evicts the least
    /// recently used results beyond [`CacheOptions::max_size`], but those of runs in progress.
    pub(crate) fn end_run(&self, run_id: u64) {
        let Some(max) = self.max_size else { return };
        if self.read_only {
            return;
        }
        let (used, pinned) = {
            let mut pins = self.pins.lock().unwrap_or_else(|p| p.into_inner());
            let used = pins.remove(&run_id).unwrap_or_default();
            let pinned: HashSet<(DataVersion, String)> = pins.values().flatten().cloned().collect();
            (used, pinned)
        };
        let now = unix_nanos(SystemTime::now());
        let touched = self.with_conn(|c| {
            let tx = Transaction::new_unchecked(c, TransactionBehavior::Immediate)?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR REPLACE INTO result_use (data_version, format, last_used)
                     VALUES (?1, ?2, ?3)",
                )?;
                for (dv, format) in &used {
                    stmt.execute(params![dv.to_string(), format, now])?;
                }
            }
            tx.commit()
        });
        if let Err(why) = touched {
            self.note(format!("results not marked as used: {why}"));
        }
        if let Err(why) = self.evict(max, &pinned) {
            self.note(format!("results not evicted: {why}"));
        }
    }

    /// Deletes the least recently used result files (and their cache keys) until the files
    /// take at most `max` bytes, keeping `pinned`.
    fn evict(&self, max: u64, pinned: &HashSet<(DataVersion, String)>) -> Result<(), String> {
        struct Candidate {
            path: PathBuf,
            dv: DataVersion,
            format: String,
            size: u64,
            used: i64,
        }
        let mut candidates = Vec::new();
        let mut total = 0_u64;
        let results = self.dir.join(RESULTS);
        for shard in fs::read_dir(&results).map_err(|e| e.to_string())?.flatten() {
            let Ok(files) = fs::read_dir(shard.path()) else {
                continue;
            };
            for file in files.flatten() {
                let Ok(meta) = file.metadata() else { continue };
                if !meta.is_file() {
                    continue;
                }
                total += meta.len();
                let name = file.file_name();
                let Some((dv, format)) = name.to_str().and_then(|n| n.split_once('.')) else {
                    continue;
                };
                let Some(dv) = DataVersion::parse(dv) else {
                    continue;
                };
                let used = meta.modified().map_or(0, unix_nanos);
                candidates.push(Candidate {
                    path: file.path(),
                    dv,
                    format: format.to_string(),
                    size: meta.len(),
                    used,
                });
            }
        }
        if total <= max {
            return Ok(());
        }
        let last_used: HashMap<(String, String), i64> = self.with_conn(|c| {
            let mut stmt = c.prepare("SELECT data_version, format, last_used FROM result_use")?;
            stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
                .collect()
        })?;
        for c in &mut candidates {
            if let Some(&used) = last_used.get(&(c.dv.to_string(), c.format.clone())) {
                c.used = c.used.max(used);
            }
        }
        candidates.sort_by_key(|c| c.used);
        let mut victims = Vec::new();
        for c in candidates {
            if total <= max {
                break;
            }
            if pinned.contains(&(c.dv, c.format.clone())) {
                continue;
            }
            total -= c.size;
            victims.push(c);
        }
        if victims.is_empty() {
            return Ok(());
        }
        self.with_conn(|conn| {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            for c in &victims {
                let dv = c.dv.to_string();
                tx.execute(
                    "DELETE FROM cache_keys WHERE data_version = ?1 AND format = ?2",
                    params![dv, c.format],
                )?;
                tx.execute(
                    "DELETE FROM result_use WHERE data_version = ?1 AND format = ?2",
                    params![dv, c.format],
                )?;
            }
            tx.commit()
        })?;
        let bytes: u64 = victims.iter().map(|c| c.size).sum();
        for c in &victims {
            let _ = fs::remove_file(&c.path);
        }
        self.note(format!(
            "evicted {} result(s) ({bytes} bytes), least recently used first, to keep the results under {max} bytes",
            victims.len()
        ));
        Ok(())
    }

    /// `Err` when the cache is read-only.
    fn writable(&self) -> Result<(), String> {
        if self.read_only {
            return Err(format!("the cache `{}` is read-only", self.dir.display()));
        }
        Ok(())
    }

    pub(crate) fn note(&self, note: String) {
        tracing::warn!(target: "hamilton::cache", "{note}");
        self.notes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(note);
    }

    pub(crate) fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// A read-only connection: the database as it is, through SQLite's read-only mode, or,
    /// where that needs files it cannot create (the WAL index on a read-only mount), as an
    /// immutable file.
    fn connect_read_only(&self) -> rusqlite::Result<Connection> {
        let path = self.db_path();
        let check = |conn: Connection| -> rusqlite::Result<Connection> {
            conn.busy_timeout(self.wait_left())?;
            conn.query_row("SELECT COUNT(*) FROM cache_keys", [], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(conn)
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        match Connection::open_with_flags(&path, flags).and_then(check) {
            Ok(conn) => Ok(conn),
            Err(e) if is_corruption(&e) => Err(e),
            Err(_) => {
                let uri = format!("file:{}?immutable=1", uri_path(&path));
                Connection::open_with_flags(uri, flags).and_then(check)
            }
        }
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        if self.read_only {
            return self.connect_read_only();
        }
        let conn = Connection::open(self.db_path())?;
        conn.busy_timeout(self.wait_left())?;
        let _mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A database of another program (or another layout) fails here: it is set aside like
        // a corrupt one, rather than turning caching off for good.
        conn.execute_batch(SCHEMA)
            .and_then(|()| check_schema(&conn))
            .map_err(|e| {
                if is_busy(&e) || is_corruption(&e) {
                    e
                } else {
                    rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
                        Some(format!("not the cache's schema: {e}")),
                    )
                }
            })?;
        Ok(conn)
    }

    /// Moves a corrupt database (and its WAL files) aside, so the next open starts afresh.
    fn set_aside(&self, why: &rusqlite::Error) {
        if self.read_only {
            self.note(format!(
                "the cache's metadata database is unreadable ({why}); read-only, so left as it is"
            ));
            return;
        }
        let suffix = unique_suffix();
        let mut moved = Vec::new();
        for ext in ["", "-wal", "-shm"] {
            let from = self.dir.join(format!("{DB_FILE}{ext}"));
            if from.exists() {
                let to = self.dir.join(format!("{DB_FILE}{ext}.corrupt-{suffix}"));
                match fs::rename(&from, &to) {
                    Ok(()) => moved.push(to.display().to_string()),
                    Err(e) => {
                        let _ = fs::remove_file(&from);
                        moved.push(format!("(removed {}: rename failed: {e})", from.display()));
                    }
                }
            }
        }
        self.note(format!(
            "the cache's metadata database was unreadable ({why}); set aside as {} and started afresh",
            moved.join(", ")
        ));
    }

    /// Runs `f` on the connection, opening it first if needed. A corrupt database is set aside
    /// (and re-created on the next call); any error comes back as text.
    pub(crate) fn with_conn<R>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<R>,
    ) -> Result<R, String> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let started = std::time::Instant::now();
            let connected = self.connect();
            self.count_wait(
                started.elapsed(),
                connected.as_ref().err().is_some_and(is_busy),
            );
            self.waited
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .applied = None;
            match connected {
                Ok(c) => *guard = Some(c),
                Err(e) if is_corruption(&e) => {
                    self.set_aside(&e);
                    match self.connect() {
                        Ok(c) => *guard = Some(c),
                        Err(e) => return Err(format!("metadata store unavailable: {e}")),
                    }
                }
                Err(e) => return Err(format!("metadata store unavailable: {e}")),
            }
        }
        let conn = guard.as_ref().expect("opened above");
        self.apply_wait(conn);
        let started = std::time::Instant::now();
        let result = f(conn);
        self.count_wait(
            started.elapsed(),
            result.as_ref().err().is_some_and(is_busy),
        );
        match result {
            Ok(r) => Ok(r),
            Err(e) => {
                if is_corruption(&e) {
                    *guard = None;
                    self.set_aside(&e);
                }
                Err(format!("metadata store: {e}"))
            }
        }
    }

    /// The entry for `cache_key`, if any.
    pub(crate) fn lookup(&self, cache_key: &str) -> Result<Option<Entry>, String> {
        let row = self.with_conn(|c| {
            c.prepare_cached("SELECT data_version, format FROM cache_keys WHERE cache_key = ?1")?
                .query_row(params![cache_key], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .optional()
        })?;
        match row {
            None => Ok(None),
            Some((dv, format)) => match DataVersion::parse(&dv) {
                Some(data_version) => Ok(Some(Entry {
                    data_version,
                    format,
                })),
                None => Err(format!("metadata store: malformed data version `{dv}`")),
            },
        }
    }

    /// Records what `entry.cache_key` resolves to (replacing an older entry).
    pub(crate) fn record(&self, entry: &NewEntry<'_>) -> Result<(), String> {
        self.writable()?;
        self.with_conn(|c| {
            c.prepare_cached(
                "INSERT OR REPLACE INTO cache_keys
                 (cache_key, node, code_version, inputs, data_version, format, compute_ns, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                entry.cache_key,
                entry.node,
                entry.code_version,
                entry.inputs,
                entry.data_version.to_string(),
                entry.format,
                nanos(entry.compute),
                unix_nanos(SystemTime::now()),
            ])
            .map(drop)
        })
    }

    /// Writes a run and its nodes in one transaction.
    pub(crate) fn record_run(&self, run: &RunRow<'_>, rows: &[HistoryRow]) -> Result<(), String> {
        self.writable()?;
        self.with_conn(|c| {
            let tx = Transaction::new_unchecked(c, TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT OR REPLACE INTO runs (run_id, started_at, duration_ns, outputs, success)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    run.run_id,
                    unix_nanos(run.started_at),
                    nanos(run.duration),
                    run.outputs,
                    run.success
                ],
            )?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR REPLACE INTO history
                     (run_id, position, node, behavior, status, cache_key, code_version, data_version, inputs, note, duration_ns)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?;
                for (i, row) in rows.iter().enumerate() {
                    stmt.execute(params![
                        run.run_id,
                        i64::try_from(i).unwrap_or(i64::MAX),
                        row.node,
                        row.behavior,
                        row.status,
                        row.cache_key,
                        row.code_version,
                        row.data_version,
                        row.inputs,
                        row.note,
                        nanos(row.duration),
                    ])?;
                }
            }
            let older_than = self
                .keep_runs_for
                .and_then(|age| SystemTime::now().checked_sub(age));
            if self.keep_runs.is_some() || older_than.is_some() {
                prune(&tx, self.keep_runs, older_than)?;
            }
            tx.commit()
        })
    }

    /// Forgets the runs beyond the last `keep` and those started before `older_than`, with
    /// their nodes; returns how many runs were forgotten. The write-ahead log is then
    /// truncated, so the file shrinks back.
    pub(crate) fn prune_history(
        &self,
        keep: Option<usize>,
        older_than: Option<SystemTime>,
    ) -> Result<usize, String> {
        self.writable()?;
        self.with_conn(|c| {
            let tx = Transaction::new_unchecked(c, TransactionBehavior::Immediate)?;
            let removed = prune(&tx, keep, older_than)?;
            tx.commit()?;
            // Best effort: another reader may keep the log in use.
            let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            Ok(removed)
        })
    }

    /// Run ids, oldest first.
    pub(crate) fn run_ids(&self) -> Result<Vec<String>, String> {
        self.with_conn(|c| {
            let mut stmt = c.prepare("SELECT run_id FROM runs ORDER BY started_at, run_id")?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(ids)
        })
    }

    /// A recorded run: its outputs, whether it succeeded, and its nodes.
    #[allow(clippy::type_complexity)]
    pub(crate) fn run(
        &self,
        run_id: &str,
    ) -> Result<Option<(String, bool, Duration, Vec<HistoryRow>)>, String> {
        self.with_conn(|c| {
            let head = c
                .query_row(
                    "SELECT outputs, success, duration_ns FROM runs WHERE run_id = ?1",
                    params![run_id],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, bool>(1)?,
                            r.get::<_, i64>(2)?,
                        ))
                    },
                )
                .optional()?;
            let Some((outputs, success, duration)) = head else {
                return Ok(None);
            };
            let mut stmt = c.prepare(
                "SELECT node, behavior, status, cache_key, code_version, data_version, inputs, note, duration_ns
                 FROM history WHERE run_id = ?1 ORDER BY position",
            )?;
            let rows = stmt
                .query_map(params![run_id], |r| {
                    Ok(HistoryRow {
                        node: r.get(0)?,
                        behavior: r.get(1)?,
                        status: r.get(2)?,
                        cache_key: r.get(3)?,
                        code_version: r.get(4)?,
                        data_version: r.get(5)?,
                        inputs: r.get(6)?,
                        note: r.get(7)?,
                        duration: Duration::from_nanos(
                            u64::try_from(r.get::<_, i64>(8)?).unwrap_or(0),
                        ),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Some((
                outputs,
                success,
                Duration::from_nanos(u64::try_from(duration).unwrap_or(0)),
                rows,
            )))
        })
    }

    fn result_path(&self, dv: DataVersion, format: &str) -> PathBuf {
        let hex = dv.to_string();
        self.dir
            .join(RESULTS)
            .join(&hex[..2])
            .join(format!("{hex}.{format}"))
    }

    /// Writes a result file (atomically: a temporary file renamed into place), its payload
    /// written by `encode` straight into the file; returns the bytes the result takes (the
    /// payload's length, or the length of a file already there). A file already there holds the
    /// same value (the name is the value's data version) and is kept: `encode` is not called.
    pub(crate) fn write_result(
        &self,
        dv: DataVersion,
        format: &str,
        type_name: &str,
        encode: impl FnOnce(&mut dyn std::io::Write) -> Result<(), String>,
    ) -> Result<u64, String> {
        use std::io::{BufWriter, Seek, SeekFrom};
        self.writable()?;
        let path = self.result_path(dv, format);
        match fs::metadata(&path) {
            Ok(meta) if meta.is_file() => return Ok(meta.len()),
            Ok(meta) => {
                let kind = file_kind(&meta);
                let aside = self.remove_result_path(&path);
                self.note(format!(
                    "result path `{}` was {kind}, not a result file: {aside}; the result is written afresh",
                    path.display()
                ));
            }
            Err(_) => {}
        }
        let could_not = |e: std::io::Error| format!("could not write `{}`: {e}", path.display());
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(could_not)?;
        }
        let tmp_dir = self.dir.join(TMP);
        fs::create_dir_all(&tmp_dir).map_err(|e| {
            let in_the_way = fs::metadata(&tmp_dir)
                .ok()
                .filter(|meta| !meta.is_dir())
                .map(|meta| format!(" (it is {}, not a directory)", file_kind(&meta)))
                .unwrap_or_default();
            format!(
                "could not create the directory of temporary files `{}`{in_the_way}: {e}",
                tmp_dir.display()
            )
        })?;
        let tmp = tmp_dir.join(format!("{}.{}.{dv}.tmp", temp_owner_tag(), unique_suffix()));
        let could_not_write_tmp = |e: std::io::Error| {
            format!(
                "could not write the result file `{}` (under its temporary name `{}`): {e}",
                path.display(),
                tmp.display()
            )
        };
        let result = (|| {
            let file = fs::File::create(&tmp).map_err(could_not_write_tmp)?;
            let header_len = header(dv, format, type_name, 0, 0).len();
            let mut out = Checksummed {
                inner: BufWriter::with_capacity(1 << 16, file),
                hasher: xxhash_rust::xxh3::Xxh3::new(),
                len: 0,
                failed: None,
            };
            out.inner
                .write_all(&vec![0; header_len])
                .map_err(could_not_write_tmp)?;
            let encoded = guarded("encoding", || encode(&mut out));
            // A failed write (a full disk, an I/O error) is what went wrong, whatever the
            // encoder made of it.
            if let Some(error) = out.failed.take() {
                return Err(could_not_write_tmp(error));
            }
            encoded.map_err(|e| format!("could not encode the result: {e}"))?;
            let (len, sum) = (out.len, out.hasher.digest128());
            let mut inner = out.inner;
            inner.flush().map_err(could_not_write_tmp)?;
            inner
                .seek(SeekFrom::Start(0))
                .map_err(could_not_write_tmp)?;
            inner
                .write_all(&header(dv, format, type_name, len, sum))
                .map_err(could_not_write_tmp)?;
            let file = inner
                .into_inner()
                .map_err(|e| could_not_write_tmp(e.into_error()))?;
            // On the disk before it has its name, and the name after: a committed entry never
            // points at an empty or partial file after a power loss.
            sync_file(&file, &tmp).map_err(could_not_write_tmp)?;
            drop(file);
            fs::rename(&tmp, &path).map_err(could_not)?;
            if let Some(parent) = path.parent() {
                sync_dir(parent).map_err(could_not)?;
            }
            Ok(len)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Reads a result file back, checks its header and checksum, and passes its payload to
    /// `decode`. The bytes are read into a buffer kept for later reads (up to
    /// [`KEPT_READ_BUFFER`]), so loading many results does not map fresh memory for each file.
    pub(crate) fn read_result<R>(
        &self,
        dv: DataVersion,
        format: &str,
        type_name: &str,
        decode: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, ReadError> {
        use std::io::Read;
        let path = self.result_path(dv, format);
        let mut file = open_result(&path)?;
        let mut bytes = self
            .buffers
            .lock()
            .map(|mut b| b.pop())
            .ok()
            .flatten()
            .unwrap_or_default();
        bytes.clear();
        let result = file
            .read_to_end(&mut bytes)
            .map_err(|e| ReadError::unreadable(&path, &e))
            .and_then(|_| {
                parse(&bytes, dv, format, type_name).map_err(|why| ReadError::damaged(&path, why))
            })
            .map(|start| decode(&bytes[start..]));
        if bytes.capacity() <= KEPT_READ_BUFFER
            && let Ok(mut kept) = self.buffers.lock()
            && kept.len() < KEPT_READ_BUFFERS
        {
            kept.push(bytes);
        }
        result
    }

    /// Reads a result file back through `map` (a memory map, say), checks its header and
    /// checksum, and passes the mapped bytes and the payload's place to `decode`.
    pub(crate) fn read_mapped<R>(
        &self,
        dv: DataVersion,
        format: &str,
        type_name: &str,
        map: &MapFn,
        decode: impl FnOnce(StoredPayload) -> R,
    ) -> Result<R, ReadError> {
        let path = self.result_path(dv, format);
        let file = open_result(&path)?;
        let bytes = guarded("mapping the file", || map(&file).map_err(|e| e.to_string())).map_err(
            |why| ReadError {
                why: format!("could not map `{}`: {why}", path.display()),
                damaged: false,
            },
        )?;
        let whole: &[u8] = (*bytes).as_ref();
        let end = whole.len();
        let start =
            parse(whole, dv, format, type_name).map_err(|why| ReadError::damaged(&path, why))?;
        Ok(decode(StoredPayload::new(bytes, start..end)))
    }

    /// Deletes a result file found to be bad, so that it is written afresh.
    pub(crate) fn discard_result(&self, dv: DataVersion, format: &str) {
        if self.read_only {
            return;
        }
        let path = self.result_path(dv, format);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let aside = self.remove_result_path(&path);
            self.note(format!(
                "result path `{}` was a directory: {aside}",
                path.display()
            ));
        } else {
            let _ = fs::remove_file(path);
        }
    }

    /// Clears `path` for a result file: a directory found there is moved aside (its content is
    /// not the cache's to delete), anything else (a FIFO, a device, a symbolic link) is
    /// removed (a link's target is left alone). Says what was done.
    fn remove_result_path(&self, path: &Path) -> String {
        let is_dir = fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        if is_dir {
            let mut aside = path.as_os_str().to_owned();
            aside.push(format!(".set-aside-{}", unique_suffix()));
            let aside = PathBuf::from(aside);
            match fs::rename(path, &aside) {
                Ok(()) => format!("set aside as `{}`", aside.display()),
                Err(e) => format!("could not be set aside ({e})"),
            }
        } else {
            match fs::remove_file(path) {
                Ok(()) => "removed".to_string(),
                Err(e) => format!("could not be removed ({e})"),
            }
        }
    }

    /// The bytes the cache directory takes.
    pub(crate) fn size(&self) -> std::io::Result<u64> {
        fn walk(dir: &Path) -> std::io::Result<u64> {
            let mut total = 0;
            for entry in fs::read_dir(dir)? {
                let entry = entry?;
                let meta = entry.metadata()?;
                total += if meta.is_dir() {
                    walk(&entry.path())?
                } else {
                    meta.len()
                };
            }
            Ok(total)
        }
        walk(&self.dir)
    }

    /// Forgets every cache key and deletes every result file (the run history is kept).
    pub(crate) fn clear_all(&self) -> Result<(), String> {
        self.writable()?;
        self.with_conn(|c| c.execute("DELETE FROM cache_keys", []).map(drop))?;
        let results = self.dir.join(RESULTS);
        match fs::remove_dir_all(&results) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("could not delete `{}`: {e}", results.display())),
        }
        let _ = fs::remove_dir_all(self.dir.join(TMP));
        fs::create_dir_all(&results)
            .and_then(|()| fs::create_dir_all(self.dir.join(TMP)))
            .map_err(|e| format!("could not re-create `{}`: {e}", results.display()))
    }

    /// Forgets the cache keys of `node`, and deletes the result files no other key uses.
    /// Returns how many keys were forgotten.
    pub(crate) fn clear_node(&self, node: &str) -> Result<usize, String> {
        self.writable()?;
        let (count, orphans) = self.with_conn(|c| {
            let tx = Transaction::new_unchecked(c, TransactionBehavior::Immediate)?;
            let versions: Vec<(String, String)> = {
                let mut stmt = tx.prepare(
                    "SELECT DISTINCT data_version, format FROM cache_keys WHERE node = ?1",
                )?;
                stmt.query_map(params![node], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?
            };
            let count = tx.execute("DELETE FROM cache_keys WHERE node = ?1", params![node])?;
            let mut orphans = Vec::new();
            for (dv, format) in versions {
                let still_used: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM cache_keys WHERE data_version = ?1 AND format = ?2",
                    params![dv, format],
                    |r| r.get(0),
                )?;
                if still_used == 0 {
                    orphans.push((dv, format));
                }
            }
            tx.commit()?;
            Ok((count, orphans))
        })?;
        for (dv, format) in orphans {
            if let Some(dv) = DataVersion::parse(&dv) {
                self.discard_result(dv, &format);
            }
        }
        Ok(count)
    }
}

/// Why a result file could not be read back.
#[derive(Debug)]
pub(crate) struct ReadError {
    pub(crate) why: String,
    /// The file is there but its content is not the result (truncated, corrupt, another
    /// value's): it is deleted so the recomputed result is written afresh. Otherwise (missing,
    /// unreadable, unmappable) the file is left as it is.
    pub(crate) damaged: bool,
}

impl ReadError {
    fn unreadable(path: &Path, e: &std::io::Error) -> Self {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => format!("result file `{}` is missing", path.display()),
            _ => format!("could not read `{}`: {e}", path.display()),
        };
        Self {
            why,
            damaged: false,
        }
    }

    fn damaged(path: &Path, why: String) -> Self {
        Self {
            why: format!("result file `{}` is {why}", path.display()),
            damaged: true,
        }
    }
}

/// The header of a result file: magic, then the header's length, the data version, the format
/// and type names, the payload's length and its XXH3-128 checksum, then zeros up to a multiple
/// of [`PAYLOAD_ALIGNMENT`]. Its length does not depend on `len` and `sum`.
fn header(dv: DataVersion, format: &str, type_name: &str, len: u64, sum: u128) -> Vec<u8> {
    let mut h = Vec::with_capacity(96 + type_name.len());
    h.extend_from_slice(MAGIC);
    let mut body = Vec::new();
    body.extend_from_slice(dv.to_string().as_bytes());
    body.extend_from_slice(&(format.len() as u32).to_le_bytes());
    body.extend_from_slice(format.as_bytes());
    body.extend_from_slice(&(type_name.len() as u32).to_le_bytes());
    body.extend_from_slice(type_name.as_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(&sum.to_le_bytes());
    let unpadded = MAGIC.len() + 4 + body.len();
    body.resize(
        body.len() + unpadded.next_multiple_of(PAYLOAD_ALIGNMENT) - unpadded,
        0,
    );
    h.extend_from_slice(&(body.len() as u32).to_le_bytes());
    h.extend_from_slice(&body);
    h
}

/// A writer that counts and checksums what goes through it, and keeps the first error of the
/// writer under it.
struct Checksummed<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
    len: u64,
    failed: Option<std::io::Error>,
}

impl<W> Checksummed<W> {
    /// Keeps the first error (other than an interruption, which is retried) and passes it on.
    fn keep(&mut self, error: std::io::Error) -> std::io::Error {
        if error.kind() == std::io::ErrorKind::Interrupted || self.failed.is_some() {
            return error;
        }
        let copy = std::io::Error::new(error.kind(), error.to_string());
        self.failed = Some(error);
        copy
    }
}

impl<W: std::io::Write> std::io::Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        #[cfg(test)]
        if let Some(kind) = tests::FAIL_WRITES.with(std::cell::Cell::get) {
            return Err(self.keep(std::io::Error::from(kind)));
        }
        let n = self.inner.write(buf).map_err(|e| self.keep(e))?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().map_err(|e| self.keep(e))
    }
}

/// Where the payload of a result file starts, if the file is whole and holds `format` of
/// `type_name`.
fn parse(bytes: &[u8], dv: DataVersion, format: &str, type_name: &str) -> Result<usize, String> {
    struct Reader<'a>(&'a [u8]);
    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
            if self.0.len() < n {
                return Err("truncated".to_string());
            }
            let (head, rest) = self.0.split_at(n);
            self.0 = rest;
            Ok(head)
        }
        fn u32(&mut self) -> Result<usize, String> {
            let b = self.take(4)?;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        }
    }
    let mut r = Reader(bytes);
    if r.take(MAGIC.len())? != MAGIC {
        return Err("not a result file (bad magic)".to_string());
    }
    let header_len = r.u32()?;
    let mut h = Reader(r.take(header_len)?);
    let found_dv = h.take(32)?;
    if found_dv != dv.to_string().as_bytes() {
        return Err(format!(
            "the result of data version {}, not {dv}",
            String::from_utf8_lossy(found_dv)
        ));
    }
    let n = h.u32()?;
    let found_format = h.take(n)?;
    let n = h.u32()?;
    let found_type = h.take(n)?;
    let len_bytes = h.take(8)?;
    let len = u64::from_le_bytes(len_bytes.try_into().map_err(|_| "truncated")?);
    let sum_bytes = h.take(16)?;
    let sum = u128::from_le_bytes(sum_bytes.try_into().map_err(|_| "truncated")?);
    if found_format != format.as_bytes() {
        return Err(format!(
            "in format `{}`, not `{format}`",
            String::from_utf8_lossy(found_format)
        ));
    }
    if found_type != type_name.as_bytes() {
        return Err(format!(
            "a `{}`, not a `{type_name}`",
            String::from_utf8_lossy(found_type)
        ));
    }
    let payload = r.0;
    if payload.len() as u64 != len {
        return Err(format!(
            "truncated ({} of {len} payload bytes)",
            payload.len()
        ));
    }
    if xxhash_rust::xxh3::xxh3_128(payload) != sum {
        return Err("corrupt (checksum mismatch)".to_string());
    }
    Ok(bytes.len() - payload.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// The files and directories this thread flushed to the disk, in order.
        pub(super) static SYNCED: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
        /// Makes every write of a result's payload on this thread fail with this error.
        pub(super) static FAIL_WRITES: std::cell::Cell<Option<std::io::ErrorKind>> = const { std::cell::Cell::new(None) };
    }

    #[test]
    fn a_full_disk_while_encoding_is_reported_as_a_failed_write_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::open(&CacheOptions::new(dir.path()).lock_timeout(Duration::from_secs(1)));
        let dv = DataVersion::parse("0123456789abcdef0123456789abcdef").unwrap();
        FAIL_WRITES.with(|f| f.set(Some(std::io::ErrorKind::StorageFull)));
        // An encoder that reports the write error as an error of its own.
        let error = store
            .write_result(dv, "raw", "bytes", |out| {
                out.write_all(&[7; 1 << 20])
                    .map_err(|_| "the encoder failed".to_string())
            })
            .unwrap_err();
        FAIL_WRITES.with(|f| f.set(None));
        assert!(!error.contains("encode"), "{error}");
        assert!(error.contains("could not write the result file"), "{error}");
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull).to_string();
        assert!(error.contains(&full), "{error}");
        assert!(!store.result_path(dv, "raw").exists());
        assert_eq!(fs::read_dir(dir.path().join(TMP)).unwrap().count(), 0);
    }

    #[test]
    fn a_result_file_is_synced_before_its_rename_and_its_directory_after() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::open(&CacheOptions::new(dir.path()).lock_timeout(Duration::from_secs(1)));
        let dv = DataVersion::parse("0123456789abcdef0123456789abcdef").unwrap();
        SYNCED.with(|s| s.borrow_mut().clear());
        store
            .write_result(dv, "raw", "bytes", |out| {
                out.write_all(b"payload").map_err(|e| e.to_string())
            })
            .unwrap();
        let synced = SYNCED.with(|s| s.borrow().clone());
        let path = store.result_path(dv, "raw");
        assert_eq!(synced.len(), 2, "{synced:?}");
        // The file under its temporary name (its content, before the rename) ...
        assert!(synced[0].starts_with(dir.path().join(TMP)), "{synced:?}");
        assert!(synced[0].to_string_lossy().ends_with(".tmp"));
        // ... then the directory it was renamed into.
        assert_eq!(synced[1], path.parent().unwrap());
        let read = store
            .read_result(dv, "raw", "bytes", <[u8]>::to_vec)
            .unwrap();
        assert_eq!(read, b"payload");
    }

    #[test]
    fn temp_file_owners_are_read_from_both_name_forms() {
        assert_eq!(
            temp_owner("p123-456.18f-7b-0.0123456789abcdef0123456789abcdef.tmp"),
            Some((123, Some(456)))
        );
        assert_eq!(temp_owner("p123-0.x.y.tmp"), Some((123, None)));
        assert_eq!(
            temp_owner("0123456789abcdef0123456789abcdef.18f00aa-7b-3.tmp"),
            Some((0x7b, None))
        );
        assert_eq!(temp_owner("junk.tmp"), None);
        let me = std::process::id();
        assert_eq!(process_alive(me, None), Some(true));
        let tag = temp_owner_tag();
        let (pid, start) = temp_owner(&format!("{tag}.x.y.tmp")).unwrap();
        assert_eq!(pid, me);
        assert_eq!(process_alive(pid, start), Some(true));
        // Another process under this pid (a reused pid) does not own the file.
        assert_eq!(process_alive(me, start.map(|s| s + 1)), Some(false));
    }

    #[test]
    fn result_files_round_trip_and_detect_damage() {
        let dv = DataVersion::parse("0123456789abcdef0123456789abcdef").unwrap();
        let other = DataVersion::parse("f123456789abcdef0123456789abcdef").unwrap();
        let payload = b"some bytes".to_vec();
        let sum = xxhash_rust::xxh3::xxh3_128(&payload);
        let mut file = header(dv, "postcard", "i64", payload.len() as u64, sum);
        file.extend_from_slice(&payload);
        let start = parse(&file, dv, "postcard", "i64").unwrap();
        assert_eq!(&file[start..], &payload[..]);
        assert_eq!(start % PAYLOAD_ALIGNMENT, 0);
        let err = |bytes: &[u8], dv, format, ty| parse(bytes, dv, format, ty).unwrap_err();
        assert!(err(&file, other, "postcard", "i64").contains("data version"));
        assert!(err(&file, dv, "parquet", "i64").contains("format"));
        assert!(err(&file, dv, "postcard", "u8").contains("u8"));
        assert!(err(&file[..file.len() - 3], dv, "postcard", "i64").contains("truncated"));
        let mut flipped = file.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(err(&flipped, dv, "postcard", "i64").contains("checksum"));
        assert!(err(b"junk", dv, "postcard", "i64").contains("truncated"));
        assert!(err(&[0; 40], dv, "postcard", "i64").contains("magic"));
    }
}
