//! What the tracker records across runs: cache hits on a rerun (found before the run, or per
//! fan-out item as it runs), and graph versions shared by builds of the same graph.
#![cfg(feature = "cache")]

use hamilton_core::cache::CacheOptions;
use hamilton_core::fanout::Collect;
use hamilton_core::track::Tracker;
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};
use rusqlite::Connection;

fn chain(code: u64) -> Vec<Node> {
    vec![
        Node::builder("b")
            .code_version(code)
            .param::<i64>("a")
            .build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
        Node::builder("c")
            .code_version(1)
            .param::<i64>("b")
            .build(|x: &Args| Ok(x.get::<i64>(0)? * 2)),
    ]
}

/// `(node, item, position, cache, summary)` of run `run` (1-based), by position and item.
type NodeRun = (String, Option<i64>, i64, Option<String>, Option<String>);

fn node_runs(t: &Tracker, run: i64) -> Vec<NodeRun> {
    t.flush();
    let db = Connection::open(t.path()).unwrap();
    let mut q = db
        .prepare(
            "SELECT node, item, position, cache, summary FROM node_runs WHERE run_id = ?1
             ORDER BY position, item",
        )
        .unwrap();
    q.query_map([run], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn caching(rows: &[NodeRun]) -> Vec<(&str, &str)> {
    rows.iter()
        .map(|r| (r.0.as_str(), r.3.as_deref().unwrap_or("-")))
        .collect()
}

#[test]
fn a_cache_hit_is_recorded_as_a_hit_on_a_rerun_with_its_summary_where_it_was_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    let dr = Driver::builder()
        .with_nodes(chain(1))
        .with_cache(CacheOptions::new(dir.path().join("cache")))
        .with_tracker(t.clone())
        .build()
        .unwrap();
    for _ in 0..2 {
        let out = dr.execute(&["c"], Inputs::new().set("a", 1_i64)).unwrap();
        assert_eq!(out.get::<i64>("c").unwrap(), &4);
    }
    assert_eq!(caching(&node_runs(&t, 1)), [("b", "miss"), ("c", "miss")]);
    let rerun = node_runs(&t, 2);
    assert_eq!(caching(&rerun), [("b", "hit"), ("c", "hit")]);
    assert_eq!(rerun[0].4, None, "`b` is not loaded: nothing reads it");
    assert_eq!(
        rerun[1].4.as_deref(),
        Some(r#"{"kind":"scalar","type":"i64","value":"4"}"#)
    );
    // The input's fingerprint is the cache's data version.
    let inputs: String = Connection::open(t.path())
        .unwrap()
        .query_row("SELECT inputs FROM runs WHERE id = 2", [], |r| r.get(0))
        .unwrap();
    let inputs: serde_json::Value = serde_json::from_str(&inputs).unwrap();
    assert!(!inputs[0]["fingerprint"].as_str().unwrap().is_empty());
}

#[test]
fn fan_out_items_answered_by_the_cache_are_hits_and_the_changed_one_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("words")
                .code_version(1)
                .param::<String>("text")
                .build_fan_out(|a: &Args| {
                    Ok(a.get::<String>(0)?.split(' ').map(str::to_string).collect())
                }),
            Node::builder("length")
                .code_version(1)
                .param::<String>("words")
                .build(|a: &Args| Ok(a.get::<String>(0)?.len() as u64)),
            Node::builder("total")
                .code_version(1)
                .collect_param::<u64>("length")
                .build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>())),
        ])
        .with_cache(CacheOptions::new(dir.path().join("cache")))
        .with_tracker(t.clone())
        .build()
        .unwrap();
    for text in ["a bb ccc", "a bb cccc"] {
        dr.execute(&["total"], Inputs::new().set("text", text.to_string()))
            .unwrap();
    }
    let items: Vec<(Option<i64>, Option<String>)> = node_runs(&t, 2)
        .into_iter()
        .filter(|r| r.0 == "length")
        .map(|r| (r.1, r.3))
        .collect();
    let hit = || Some("hit".to_string());
    assert_eq!(
        items,
        [
            (Some(0), hit()),
            (Some(1), hit()),
            (Some(2), Some("miss".to_string()))
        ]
    );
}

fn versions(t: &Tracker) -> Vec<String> {
    t.flush();
    let db = Connection::open(t.path()).unwrap();
    let mut q = db
        .prepare("SELECT version FROM graph_versions ORDER BY first_seen_ms, version")
        .unwrap();
    q.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn builds_of_the_same_graph_share_a_version_and_a_code_or_edge_change_makes_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    let build = |nodes: Vec<Node>| {
        let dr = Driver::builder()
            .with_nodes(nodes)
            .with_tracker(t.clone())
            .build()
            .unwrap();
        dr.execute(&["c"], Inputs::new().set("a", 1_i64).set("z", 1_i64))
            .unwrap();
    };
    build(chain(1));
    build(chain(1));
    assert_eq!(versions(&t).len(), 1);
    build(chain(2));
    assert_eq!(versions(&t).len(), 2, "a new code version");
    let mut rewired = chain(1);
    rewired[0] = Node::builder("b")
        .code_version(1)
        .param::<i64>("z")
        .build(|x: &Args| Ok(x.get::<i64>(0)? + 1));
    build(rewired);
    assert_eq!(versions(&t).len(), 3, "a new edge");
    let db = Connection::open(t.path()).unwrap();
    let runs_per_version: Vec<i64> = db
        .prepare("SELECT count(*) FROM runs GROUP BY graph_version ORDER BY min(id)")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(runs_per_version, [2, 1, 1]);
    let edges: i64 = db
        .query_row(
            "SELECT count(*) FROM graph_edges WHERE target = 'b' AND source = 'z'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(edges, 1);
}
