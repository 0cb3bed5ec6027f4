//! A tracker database with two runs of one small dataflow, and what the pages must show of it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

/// The database and what the test looks for.
pub struct Recorded {
    pub db: PathBuf,
    pub first: i64,
    pub second: i64,
    /// Nodes in the graph (inputs included).
    pub graph_nodes: usize,
    /// The nodes each run computed.
    pub computed: Vec<String>,
    /// A node whose summary is checked, and text of it the node page shows.
    pub summarised: String,
    pub summary_text: String,
}

const VERSION: &str = "0123456789abcdef0123456789abcdef";

pub fn record(dir: &Path) -> Recorded {
    let db = dir.join("runs.sqlite");
    let c = Connection::open(&db).unwrap();
    c.execute_batch(hamilton_core::track::SCHEMA).unwrap();
    c.execute("INSERT INTO graph_versions VALUES (?1, 1, 3, 2)", [VERSION])
        .unwrap();
    for (name, input) in [("x", true), ("doubled", false), ("total", false)] {
        c.execute(
            "INSERT INTO graph_nodes VALUES (?1, ?2, 'numbers', 'i64', 'v1', 'Doc of it.', 'src/numbers.rs:1', '{}', ?3)",
            params![VERSION, name, input as i64],
        )
        .unwrap();
    }
    c.execute(
        "INSERT INTO graph_edges VALUES (?1, 'x', 'doubled', 'x')",
        [VERSION],
    )
    .unwrap();
    c.execute(
        "INSERT INTO graph_edges VALUES (?1, 'doubled', 'total', 'doubled')",
        [VERSION],
    )
    .unwrap();
    for (run, total) in [(1, "42"), (2, "44")] {
        c.execute(
            "INSERT INTO runs (graph_version, driver_run_id, started_ms, ended_ms, status, executor, host, pid, config, outputs, inputs, tags, error) \
             VALUES (?1, ?2, ?3, ?4, 'success', 'sequential', 'here', 1, '{}', '[\"total\"]', '[]', '{}', NULL)",
            params![VERSION, run, 1_700_000_000_000i64 + run, 1_700_000_000_010i64 + run],
        )
        .unwrap();
        for (pos, node, value) in [(0, "doubled", "21"), (1, "total", total)] {
            c.execute(
                "INSERT INTO node_runs VALUES (?1, ?2, NULL, ?3, 'success', ?4, 1000, NULL, 'local', ?5, NULL)",
                params![run, node, pos, pos * 1000, format!(r#"{{"kind":"scalar","type":"i64","value":"{value}"}}"#)],
            )
            .unwrap();
        }
    }
    Recorded {
        db,
        first: 1,
        second: 2,
        graph_nodes: 3,
        computed: vec!["doubled".into(), "total".into()],
        summarised: "total".into(),
        summary_text: r#"<code class="scalar">42</code>"#.into(),
    }
}
