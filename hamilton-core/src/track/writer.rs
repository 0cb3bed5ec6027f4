//! The tracker's writer: one thread that owns the SQLite connection and writes what runs send
//! it, in batches (one transaction per batch), so that a run never waits on the disk.
//!
//! Every SQLite failure is a warning, once per kind of failure (not per node), and never reaches
//! the run: what cannot be written is dropped.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};

use rusqlite::{Connection, OptionalExtension, params};

use super::summary::Summary;
use crate::build::version::GraphVersion;

/// How many records a run may queue before the writer catches up; beyond that, records are
/// dropped (with a warning) rather than slowing the run.
pub(crate) const QUEUE: usize = 1 << 16;

/// The most records written in one transaction.
const BATCH: usize = 4096;

/// A value's summary, made now or on the writer thread.
pub(crate) enum SummaryJob {
    /// No summary (a failed node).
    None,
    /// Made on the run's thread (cheap).
    Ready(Summary),
    /// Made on the writer thread, from a cheap copy of the value.
    Deferred(Box<dyn FnOnce() -> Summary + Send>),
}

/// A run as `runs` keeps it when it starts.
pub(crate) struct RunRow {
    pub(crate) graph_version: String,
    pub(crate) driver_run_id: u64,
    pub(crate) started_ms: i64,
    pub(crate) executor: &'static str,
    pub(crate) host: Arc<str>,
    pub(crate) pid: u32,
    /// JSON.
    pub(crate) config: Arc<str>,
    pub(crate) outputs: String,
    pub(crate) inputs: String,
    pub(crate) tags: String,
}

/// One node run.
pub(crate) struct NodeRunRow {
    pub(crate) node: String,
    pub(crate) item: Option<usize>,
    pub(crate) position: usize,
    pub(crate) success: bool,
    pub(crate) start_us: u64,
    pub(crate) duration_us: u64,
    pub(crate) cache: Option<&'static str>,
    pub(crate) summary: SummaryJob,
    /// The error chain, outermost first (empty on success).
    pub(crate) error: Vec<String>,
    /// The worker that ran it, `None` for the driver's own process.
    pub(crate) worker: Option<String>,
}

/// What the writer is asked to do.
pub(crate) enum Msg {
    /// Record a graph version (once per version).
    Graph(Arc<GraphVersion>),
    /// A run started; `key` names it in the messages that follow.
    RunStarted {
        key: u64,
        row: Box<RunRow>,
    },
    NodeRun {
        run: u64,
        row: Box<NodeRunRow>,
    },
    RunEnded {
        key: u64,
        ended_ms: i64,
        success: bool,
        error: Vec<String>,
    },
    /// Reply once everything sent before is written (or dropped).
    Flush(SyncSender<()>),
}

/// Sends `msg` without waiting; `false` when the queue is full or the writer is gone.
pub(crate) fn send(tx: &SyncSender<Msg>, msg: Msg) -> bool {
    match tx.try_send(msg) {
        Ok(()) => true,
        Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
    }
}

/// The writer thread's state.
pub(crate) struct Writer {
    conn: Connection,
    /// The file, for warnings.
    path: String,
    /// Runs of this process by key: their row id.
    runs: HashMap<u64, i64>,
    /// Graph versions of this process: kept when older runs are deleted, and written again
    /// if they were deleted by another process.
    graphs: HashMap<String, Arc<GraphVersion>>,
    /// The kinds of failure already warned about.
    warned: HashSet<&'static str>,
    keep_runs: Option<usize>,
}

impl Writer {
    pub(crate) fn new(conn: Connection, path: String, keep_runs: Option<usize>) -> Self {
        Self {
            conn,
            path,
            runs: HashMap::new(),
            graphs: HashMap::new(),
            warned: HashSet::new(),
            keep_runs,
        }
    }

    /// Writes what arrives until every sender is gone.
    pub(crate) fn run(mut self, rx: Receiver<Msg>) {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(msg) => batch.push(msg),
                    Err(_) => break,
                }
            }
            self.write_batch(batch);
        }
    }

    fn write_batch(&mut self, batch: Vec<Msg>) {
        let mut flushes = Vec::new();
        let known: HashSet<u64> = self.runs.keys().copied().collect();
        if !self.conn.is_autocommit() {
            // Left open by a failure: what it held is lost either way.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let began = self.conn.execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = &began {
            self.warn("write", e);
        }
        for msg in batch {
            match msg {
                Msg::Flush(reply) => flushes.push(reply),
                msg => {
                    if let Err(e) = self.write(msg) {
                        self.warn("write", &e);
                    }
                }
            }
        }
        if began.is_ok()
            && let Err(e) = self.conn.execute_batch("COMMIT")
        {
            self.warn("write", &e);
            let _ = self.conn.execute_batch("ROLLBACK");
            // The runs started in the batch were not written: their node runs have no row.
            self.runs.retain(|key, _| known.contains(key));
        }
        for reply in flushes {
            let _ = reply.send(());
        }
    }

    /// Warns about a failure of kind `what`, once.
    fn warn(&mut self, what: &'static str, e: &dyn std::fmt::Display) {
        if self.warned.insert(what) {
            tracing::warn!(
                target: "hamilton::track",
                "the run tracker could not {what} `{}`: {e}; runs go on, but what cannot be written is not recorded",
                self.path
            );
        }
    }

    fn write(&mut self, msg: Msg) -> rusqlite::Result<()> {
        match msg {
            Msg::Graph(g) => {
                self.graphs.insert(g.version.clone(), g.clone());
                write_graph(&self.conn, &g)
            }
            Msg::RunStarted { key, row } => {
                if let Some(g) = self.graphs.get(&row.graph_version) {
                    write_graph(&self.conn, g)?;
                }
                let id = self.conn.query_row(
                    "INSERT INTO runs (graph_version, driver_run_id, started_ms, status, executor,
                        host, pid, config, outputs, inputs, tags)
                     VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
                    params![
                        row.graph_version,
                        i64::try_from(row.driver_run_id).unwrap_or(i64::MAX),
                        row.started_ms,
                        row.executor,
                        &*row.host,
                        row.pid,
                        &*row.config,
                        row.outputs,
                        row.inputs,
                        row.tags,
                    ],
                    |r| r.get::<_, i64>(0),
                )?;
                self.runs.insert(key, id);
                Ok(())
            }
            Msg::NodeRun { run, row } => {
                let Some(&run_id) = self.runs.get(&run) else {
                    return Ok(());
                };
                let summary = match row.summary {
                    SummaryJob::None => None,
                    SummaryJob::Ready(s) => Some(s),
                    SummaryJob::Deferred(f) => {
                        // A summarizer's panic costs the summary, nothing else.
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
                    }
                };
                let summary = summary.and_then(|s| serde_json::to_string(&s).ok());
                let error = (!row.error.is_empty()).then(|| json_strings(&row.error));
                self.conn
                    .prepare_cached(
                        "INSERT INTO node_runs (run_id, node, item, position, status, start_us,
                            duration_us, cache, worker, summary, error)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    )?
                    .execute(params![
                        run_id,
                        row.node,
                        row.item.map(|i| i64::try_from(i).unwrap_or(i64::MAX)),
                        i64::try_from(row.position).unwrap_or(i64::MAX),
                        if row.success { "success" } else { "failure" },
                        i64::try_from(row.start_us).unwrap_or(i64::MAX),
                        i64::try_from(row.duration_us).unwrap_or(i64::MAX),
                        row.cache,
                        row.worker.as_deref().unwrap_or("local"),
                        summary,
                        error,
                    ])?;
                Ok(())
            }
            Msg::RunEnded {
                key,
                ended_ms,
                success,
                error,
            } => {
                let Some(id) = self.runs.remove(&key) else {
                    return Ok(());
                };
                let error = (!error.is_empty()).then(|| json_strings(&error));
                self.conn.execute(
                    "UPDATE runs SET ended_ms = ?1, status = ?2, error = ?3 WHERE id = ?4",
                    params![
                        ended_ms,
                        if success { "success" } else { "failure" },
                        error,
                        id
                    ],
                )?;
                if let Some(keep) = self.keep_runs {
                    self.prune(keep)?;
                }
                Ok(())
            }
            Msg::Flush(_) => Ok(()),
        }
    }

    /// Deletes all but the newest `keep` runs (never one of this process still running), their
    /// node runs, and the graph versions no run and no driver of this process refers to; in
    /// the batch's transaction, so the file holds at most `keep` runs and those in progress.
    fn prune(&mut self, keep: usize) -> rusqlite::Result<()> {
        let Some(last_dropped) = self
            .conn
            .query_row(
                "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?1",
                [i64::try_from(keep).unwrap_or(i64::MAX)],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
        else {
            return Ok(());
        };
        let running: Vec<String> = self.runs.values().map(i64::to_string).collect();
        let keep_running = if running.is_empty() {
            String::new()
        } else {
            format!(" AND id NOT IN ({})", running.join(","))
        };
        let keep_graphs: Vec<String> = self
            .graphs
            .keys()
            .map(|v| format!("'{}'", v.replace('\'', "''")))
            .collect();
        let keep_graphs = if keep_graphs.is_empty() {
            String::new()
        } else {
            format!(" AND version NOT IN ({})", keep_graphs.join(","))
        };
        let gone = format!("SELECT id FROM runs WHERE id <= {last_dropped}{keep_running}");
        let unused = format!("version NOT IN (SELECT graph_version FROM runs){keep_graphs}");
        self.conn.execute_batch(&format!(
            "DELETE FROM node_runs WHERE run_id IN ({gone});
             DELETE FROM runs WHERE id IN ({gone});
             DELETE FROM graph_edges WHERE {unused};
             DELETE FROM graph_nodes WHERE {unused};
             DELETE FROM graph_versions WHERE {unused};"
        ))
    }
}

/// Records a graph version and its nodes and edges, unless it is there already.
fn write_graph(conn: &Connection, g: &GraphVersion) -> rusqlite::Result<()> {
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO graph_versions (version, first_seen_ms, node_count, edge_count)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            g.version,
            super::now_ms(),
            i64::try_from(g.nodes.len()).unwrap_or(i64::MAX),
            i64::try_from(g.edges.len()).unwrap_or(i64::MAX),
        ],
    )?;
    if inserted == 0 {
        return Ok(());
    }
    let mut node = conn.prepare_cached(
        "INSERT OR IGNORE INTO graph_nodes (version, name, module, output_type, code_version, doc,
            location, tags, is_input) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for n in &g.nodes {
        node.execute(params![
            g.version,
            n.name,
            n.module,
            n.output_type,
            n.code_version,
            n.doc,
            n.location,
            n.tags,
            n.is_input
        ])?;
    }
    let mut edge = conn.prepare_cached(
        "INSERT OR IGNORE INTO graph_edges (version, source, target, param) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for e in &g.edges {
        edge.execute(params![g.version, e.source, e.target, e.param])?;
    }
    Ok(())
}

/// A JSON array of strings.
pub(crate) fn json_strings(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}
