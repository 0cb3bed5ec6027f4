//! The tracker records every run and every node run once (per item in a fan-out's block), under
//! every executor, with failures' and panics' error chains.

use std::fmt;

use hamilton_core::fanout::Collect;
use hamilton_core::track::Tracker;
use hamilton_core::{
    Driver, DriverBuilder, Inputs,
    node::{Args, AsyncArgs, Node},
};
use rusqlite::Connection;

fn chain() -> Vec<Node> {
    vec![
        Node::builder("b")
            .param::<i64>("a")
            .build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
        Node::builder("c")
            .param::<i64>("b")
            .build(|x: &Args| Ok(x.get::<i64>(0)? * 2)),
        Node::builder("d")
            .param::<i64>("b")
            .param::<i64>("c")
            .build(|x: &Args| Ok(x.get::<i64>(0)? + x.get::<i64>(1)?)),
    ]
}

/// A tracker on a new file in `dir`.
fn tracker(dir: &tempfile::TempDir) -> Tracker {
    Tracker::open(dir.path().join("runs.sqlite")).unwrap()
}

/// A node run: `(node, item, position, status, cache)`.
type NodeRun = (String, Option<i64>, i64, String, Option<String>);

/// Every node run, by position and item.
fn node_runs(t: &Tracker) -> Vec<NodeRun> {
    t.flush();
    let db = Connection::open(t.path()).unwrap();
    let mut q = db
        .prepare("SELECT node, item, position, status, cache FROM node_runs ORDER BY run_id, position, item")
        .unwrap();
    q.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// `(status, executor, outputs, error)` of every run.
fn runs(t: &Tracker) -> Vec<(String, String, String, Option<String>)> {
    t.flush();
    let db = Connection::open(t.path()).unwrap();
    let mut q = db
        .prepare("SELECT status, executor, outputs, error FROM runs ORDER BY id")
        .unwrap();
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn names(rows: &[NodeRun]) -> Vec<&str> {
    rows.iter().map(|r| r.0.as_str()).collect()
}

/// Runs the chain on `builder` with a tracker (the directory holds its file).
fn run_chain(builder: DriverBuilder) -> (tempfile::TempDir, Tracker) {
    let dir = tempfile::tempdir().unwrap();
    let t = tracker(&dir);
    let dr = builder
        .with_nodes(chain())
        .with_tracker(t.clone())
        .build()
        .unwrap();
    let out = dr.execute(&["d"], Inputs::new().set("a", 1_i64)).unwrap();
    assert_eq!(out.get::<i64>("d").unwrap(), &6);
    (dir, t)
}

#[test]
fn every_node_of_a_sequential_run_is_recorded_once() {
    let (_dir, t) = run_chain(Driver::builder());
    let rows = node_runs(&t);
    assert_eq!(names(&rows), ["b", "c", "d"]);
    assert!(rows.iter().all(|r| r.3 == "success" && r.4.is_none()));
    assert_eq!(
        runs(&t),
        [(
            "success".to_string(),
            "sequential".to_string(),
            r#"["d"]"#.to_string(),
            None
        )]
    );
}

#[test]
fn every_node_of_a_parallel_run_is_recorded_once() {
    let (_dir, t) = run_chain(Driver::builder().with_parallelism(2));
    assert_eq!(names(&node_runs(&t)), ["b", "c", "d"]);
    assert_eq!(runs(&t)[0].1, "parallel");
}

#[test]
fn every_node_of_an_async_run_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let t = tracker(&dir);
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("fetched")
                .param::<i64>("id")
                .build_async(|a: AsyncArgs| async move { Ok(*a.get::<i64>(0)? * 10) }),
            Node::builder("plus_one")
                .param::<i64>("fetched")
                .build(|a: &Args| Ok(a.get::<i64>(0)? + 1)),
        ])
        .with_tracker(t.clone())
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let out = rt
        .block_on(dr.execute_async(&["plus_one"], Inputs::new().set("id", 4_i64)))
        .unwrap();
    assert_eq!(out.get::<i64>("plus_one").unwrap(), &41);
    assert_eq!(names(&node_runs(&t)), ["fetched", "plus_one"]);
    assert_eq!(runs(&t)[0].1, "async");
}

fn fan_out_nodes() -> Vec<Node> {
    vec![
        Node::builder("urls")
            .param::<u64>("n")
            .build_fan_out(|a: &Args| {
                Ok((1..=*a.get::<u64>(0)?).map(|i| format!("u{i}")).collect())
            }),
        Node::builder("length")
            .param::<String>("urls")
            .build(|a: &Args| Ok(a.get::<String>(0)?.len() as u64)),
        Node::builder("total")
            .collect_param::<u64>("length")
            .build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>())),
    ]
}

#[test]
fn a_fan_out_s_block_is_recorded_once_per_item_under_every_executor() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for (builder, executor) in [
        (Driver::builder(), "sequential"),
        (Driver::builder().with_parallelism(3), "parallel"),
        (Driver::builder(), "async"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let t = tracker(&dir);
        let dr = builder
            .with_nodes(fan_out_nodes())
            .with_tracker(t.clone())
            .build()
            .unwrap();
        let inputs = Inputs::new().set("n", 12_u64);
        let out = if executor == "async" {
            rt.block_on(dr.execute_async(&["total"], inputs)).unwrap()
        } else {
            dr.execute(&["total"], inputs).unwrap()
        };
        assert_eq!(out.get::<u64>("total").unwrap(), &(9 * 2 + 3 * 3));
        assert_eq!(runs(&t)[0].1, executor);
        let rows = node_runs(&t);
        let items: Vec<i64> = rows
            .iter()
            .filter(|r| r.0 == "length")
            .map(|r| r.1.unwrap())
            .collect();
        assert_eq!(items, (0..12).collect::<Vec<_>>(), "{executor}");
        assert_eq!(rows.iter().filter(|r| r.0 == "urls").count(), 1);
        assert_eq!(rows.iter().filter(|r| r.0 == "total").count(), 1);
        assert!(
            rows.iter()
                .filter(|r| r.0 != "length")
                .all(|r| r.1.is_none())
        );
    }
}

/// A domain error with a cause.
#[derive(Debug)]
struct LoadError {
    cause: std::io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot load `prices.csv`")
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

fn error_of(t: &Tracker, node: &str) -> Vec<String> {
    t.flush();
    let db = Connection::open(t.path()).unwrap();
    let json: String = db
        .query_row(
            "SELECT error FROM node_runs WHERE node = ?1 AND status = 'failure'",
            [node],
            |r| r.get(0),
        )
        .unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn a_failing_node_is_recorded_with_its_error_chain_and_the_run_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let t = tracker(&dir);
    let dr = Driver::builder()
        .with_nodes([Node::builder("prices").param::<i64>("a").build(
            |_: &Args| -> Result<i64, _> {
                Err(Box::new(LoadError {
                    cause: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
                })
                .into())
            },
        )])
        .with_tracker(t.clone())
        .build()
        .unwrap();
    assert!(
        dr.execute(&["prices"], Inputs::new().set("a", 1_i64))
            .is_err()
    );
    let chain = error_of(&t, "prices");
    assert_eq!(chain.first().unwrap(), "cannot load `prices.csv`");
    assert_eq!(chain.last().unwrap(), "no such file");
    let run = &runs(&t)[0];
    assert_eq!(run.0, "failure");
    let run_chain: Vec<String> = serde_json::from_str(run.3.as_deref().unwrap()).unwrap();
    assert!(run_chain[0].contains("prices"), "{run_chain:?}");
    assert_eq!(run_chain.last().unwrap(), "no such file");
}

#[test]
fn a_panicking_node_is_recorded_with_its_message_under_every_executor() {
    let nodes = || {
        [Node::builder("boom").param::<i64>("a").build(
            |_: &Args| -> Result<i64, hamilton_core::node::NodeError> { panic!("the sky fell") },
        )]
    };
    for builder in [Driver::builder(), Driver::builder().with_parallelism(2)] {
        let dir = tempfile::tempdir().unwrap();
        let t = tracker(&dir);
        let dr = builder
            .with_nodes(nodes())
            .with_tracker(t.clone())
            .build()
            .unwrap();
        assert!(
            dr.execute(&["boom"], Inputs::new().set("a", 1_i64))
                .is_err()
        );
        assert_eq!(error_of(&t, "boom"), ["panicked: the sky fell"]);
        assert_eq!(runs(&t)[0].0, "failure");
    }
}

#[test]
fn a_run_s_inputs_and_config_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let t = tracker(&dir);
    let dr = Driver::builder()
        .with_nodes(chain())
        .with_config(hamilton_core::Config::new().set("region", "UK"))
        .with_tracker(t.clone())
        .build()
        .unwrap();
    dr.execute(&["c"], Inputs::new().set("a", 1_i64)).unwrap();
    t.flush();
    let db = Connection::open(t.path()).unwrap();
    let (config, inputs, pid): (String, String, i64) = db
        .query_row("SELECT config, inputs, pid FROM runs", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(config, r#"{"region":"UK"}"#);
    let inputs: serde_json::Value = serde_json::from_str(&inputs).unwrap();
    assert_eq!(inputs[0]["name"], "a");
    assert_eq!(inputs[0]["type"], "i64");
    assert_eq!(inputs[0]["fingerprint"].as_str().unwrap().len(), 32);
    assert_eq!(pid, i64::from(std::process::id()));
}

#[test]
fn an_async_run_dropped_before_its_end_is_recorded_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let t = tracker(&dir);
    let dr = Driver::builder()
        .with_nodes([Node::builder("never").build_async(|_: AsyncArgs| async {
            std::future::pending::<()>().await;
            Ok(1_i64)
        })])
        .with_tracker(t.clone())
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let run = dr.execute_async(&["never"], Inputs::new());
    let waited = rt
        .block_on(async { tokio::time::timeout(std::time::Duration::from_millis(10), run).await });
    assert!(waited.is_err(), "the node never ends");
    let run = &runs(&t)[0];
    assert_eq!(run.0, "failure");
    assert_eq!(
        run.3.as_deref(),
        Some(r#"["the run was dropped before it ended"]"#)
    );
}

#[test]
fn a_tracker_s_tags_are_recorded_on_each_run_and_runs_are_found_by_them() {
    use hamilton_core::track::read::{Db, RunFilter};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("runs.sqlite");
    for env in ["ci", "prod"] {
        let t = Tracker::open(&file)
            .unwrap()
            .tag("env", env)
            .tag("team", "growth");
        let dr = Driver::builder()
            .with_nodes(chain())
            .with_tracker(t.clone())
            .build()
            .unwrap();
        dr.execute(&["d"], Inputs::new().set("a", 1_i64)).unwrap();
        t.flush();
    }
    let db = Db::open(&file).unwrap();
    let tagged = |k: &str, v: &str| {
        let filter = RunFilter {
            tag: Some((k.to_string(), v.to_string())),
            ..RunFilter::default()
        };
        db.runs(&filter).unwrap()
    };
    let ci = tagged("env", "ci");
    assert_eq!(ci.len(), 1);
    assert_eq!(ci[0].tags.get("team").map(String::as_str), Some("growth"));
    assert_eq!(tagged("team", "growth").len(), 2);
    assert!(tagged("env", "staging").is_empty());
}
