//! A small tracker database written row by row, for the reader's and the UI's unit tests.
//!
//! Two graph versions: `V1` (`raw` → `clean` → `features` → `model`, modules `prep` and
//! `train`) and `V2` (`clean`'s code changed, `model` removed, `score` added). Runs: 1 (V1,
//! success, `env=prod`, cache hit on `clean`), 2 (V2, failure, `env=dev`), 3 (V1, never ended,
//! by a process that is gone: interrupted), 4 (V1, running, by this process).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::SCHEMA;
use super::host_name;

pub(crate) const V1: &str = "00000000000000000000000000000001";
pub(crate) const V2: &str = "00000000000000000000000000000002";

/// A pid no process has (above Linux's `pid_max` limit).
const GONE_PID: i64 = 9_999_999;

pub(crate) fn write(dir: &Path) -> PathBuf {
    let file = dir.join("runs.sqlite");
    let c = Connection::open(&file).unwrap();
    c.execute_batch(SCHEMA).unwrap();
    let node = |v: &str, name: &str, module: &str, ty: &str, code: &str, input: bool| {
        c.execute(
            "INSERT INTO graph_nodes VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '{\"team\":\"data\"}', ?8)",
            params![
                v,
                name,
                module,
                ty,
                code,
                format!("The <{name}> step."),
                format!("src/{module}.rs:{}", name.len()),
                input as i64
            ],
        )
        .unwrap();
    };
    let edge = |v: &str, s: &str, t: &str| {
        c.execute(
            "INSERT INTO graph_edges VALUES (?1, ?2, ?3, ?2)",
            params![v, s, t],
        )
        .unwrap();
    };
    for (v, nodes, edges) in [(V1, 4, 3), (V2, 4, 3)] {
        c.execute(
            "INSERT INTO graph_versions VALUES (?1, 1000, ?2, ?3)",
            params![v, nodes, edges],
        )
        .unwrap();
    }
    node(V1, "raw", "", "Vec<f64>", "", true);
    node(V1, "clean", "prep", "Vec<f64>", "c1", false);
    node(V1, "features", "prep", "DataFrame", "f1", false);
    node(V1, "model", "train", "f64", "m1", false);
    edge(V1, "raw", "clean");
    edge(V1, "clean", "features");
    edge(V1, "features", "model");
    node(V2, "raw", "", "Vec<f64>", "", true);
    node(V2, "clean", "prep", "Vec<f64>", "c2", false);
    node(V2, "features", "prep", "DataFrame", "f1", false);
    node(V2, "score", "train", "f64", "s1", false);
    edge(V2, "raw", "clean");
    edge(V2, "clean", "features");
    edge(V2, "features", "score");

    let host = host_name();
    let run = |v: &str,
               started: i64,
               ended: Option<i64>,
               status: &str,
               pid: i64,
               tags: &str,
               error: Option<&str>| {
        c.execute(
            "INSERT INTO runs (graph_version, driver_run_id, started_ms, ended_ms, status, executor, host, pid, config, outputs, inputs, tags, error) \
             VALUES (?1, 1, ?2, ?3, ?4, 'sequential', ?5, ?6, '{\"region\":\"eu\"}', '[\"model\"]', '[{\"name\":\"raw\",\"type\":\"Vec<f64>\",\"fingerprint\":\"ab\"}]', ?7, ?8)",
            params![v, started, ended, status, host, pid, tags, error],
        )
        .unwrap();
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    run(
        V1,
        1_700_000_000_000,
        Some(1_700_000_000_050),
        "success",
        1,
        r#"{"env":"prod"}"#,
        None,
    );
    run(
        V2,
        1_700_086_400_000,
        Some(1_700_086_400_090),
        "failure",
        1,
        r#"{"env":"dev"}"#,
        Some(r#"["node `score` failed: division by zero","denominator was 0"]"#),
    );
    run(V1, now - 1000, None, "running", GONE_PID, "{}", None);
    run(
        V1,
        now - 1000,
        None,
        "running",
        std::process::id() as i64,
        "{}",
        None,
    );

    let node_run = |run: i64,
                    node: &str,
                    pos: i64,
                    status: &str,
                    start: i64,
                    dur: i64,
                    cache: Option<&str>,
                    summary: Option<&str>,
                    error: Option<&str>| {
        c.execute(
            "INSERT INTO node_runs VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, 'local', ?8, ?9)",
            params![run, node, pos, status, start, dur, cache, summary, error],
        )
        .unwrap();
    };
    let frame = r#"{"kind":"frame","type":"DataFrame","rows":3,"columns":[{"name":"x","dtype":"f64","count":3,"nulls":0,"numeric":{"min":1.0,"max":3.0,"mean":2.0,"std":1.0,"quantiles":[1.0,1.5,2.0,2.5,3.0],"histogram":[1,0,0,0,1,0,0,0,0,1]}},{"name":"label","dtype":"str","count":3,"nulls":1,"text":{"top":[["a",2]],"distinct":1,"min_len":1,"max_len":1,"mean_len":1.0}}],"columns_omitted":0}"#;
    node_run(
        1,
        "clean",
        0,
        "success",
        0,
        10_000,
        Some("hit"),
        Some(r#"{"kind":"other","type":"Vec<f64>","bytes":24}"#),
        None,
    );
    node_run(
        1,
        "features",
        1,
        "success",
        10_000,
        20_000,
        Some("miss"),
        Some(frame),
        None,
    );
    node_run(
        1,
        "model",
        2,
        "success",
        30_000,
        15_000,
        Some("miss"),
        Some(r#"{"kind":"scalar","type":"f64","value":"0.93"}"#),
        None,
    );
    node_run(
        2,
        "clean",
        0,
        "success",
        0,
        12_000,
        Some("miss"),
        None,
        None,
    );
    node_run(
        2,
        "features",
        1,
        "success",
        12_000,
        50_000,
        None,
        Some(frame),
        None,
    );
    node_run(
        2,
        "score",
        2,
        "failure",
        62_000,
        1_000,
        None,
        None,
        Some(r#"["node `score` failed: division by zero","denominator was 0"]"#),
    );
    file
}
