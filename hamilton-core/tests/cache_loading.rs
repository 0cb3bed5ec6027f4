//! Result caching: a run is resolved against the cache before it starts, and a stored result is
//! loaded only when the caller asked for it or a node that runs reads it.
#![cfg(feature = "cache")]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hamilton_core::cache::{CacheRun, CacheStatus};
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

/// Records which node bodies ran.
#[derive(Clone, Default)]
struct Calls(Arc<Mutex<Vec<String>>>);

impl Calls {
    fn take(&self) -> Vec<String> {
        let mut v = std::mem::take(&mut *self.0.lock().unwrap());
        v.sort();
        v
    }
}

/// `a = x + 1`, `b = a * 2`, `c = b + 1` with code version `c_version`, `d = c * 10`.
fn chain(calls: &Calls, c_version: u64) -> Vec<Node> {
    let step = |name: &'static str, dep: &'static str, version: u64, f: fn(i64) -> i64| {
        let calls = calls.clone();
        Node::builder(name)
            .code_version(version)
            .param::<i64>(dep)
            .build(move |a: &Args| {
                calls.0.lock().unwrap().push(name.to_string());
                Ok(f(*a.get::<i64>(0)?))
            })
    };
    vec![
        step("a", "x", 1, |x| x + 1),
        step("b", "a", 1, |a| a * 2),
        step("c", "b", c_version, |b| b + 1),
        step("d", "c", 1, |c| c * 10),
    ]
}

fn driver(dir: &Path, nodes: Vec<Node>) -> Driver {
    Driver::builder()
        .with_nodes(nodes)
        .with_cache(dir)
        .build()
        .unwrap()
}

fn run(dr: &Driver, output: &str) -> (i64, CacheRun) {
    let out = dr
        .execute(&[output], Inputs::new().set("x", 4_i64))
        .unwrap();
    let value = *out.get::<i64>(output).unwrap();
    (value, dr.cache().unwrap().last_run().unwrap())
}

/// The file holding the result `node` produced in `record`.
fn result_file(dir: &Path, record: &CacheRun, node: &str) -> PathBuf {
    let dv = record.event(node).unwrap().data_version.clone().unwrap();
    dir.join("results")
        .join(&dv[..2])
        .join(format!("{dv}.postcard"))
}

#[test]
fn an_unchanged_run_loads_only_the_requested_result() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let (value, first) = run(&driver(dir.path(), chain(&calls, 1)), "d");
    assert_eq!(value, 110);
    // Remove what only the requested result was computed from: a run that loaded it would
    // have to recover and recompute.
    for node in ["a", "b", "c"] {
        std::fs::remove_file(result_file(dir.path(), &first, node)).unwrap();
    }
    calls.take();

    let (value, second) = run(&driver(dir.path(), chain(&calls, 1)), "d");
    assert_eq!(value, 110);
    assert_eq!(calls.take(), Vec::<String>::new());
    assert_eq!(second.hits(), ["a", "b", "c", "d"]);
    for node in ["a", "b", "c"] {
        let note = second.event(node).unwrap().note.clone();
        assert_eq!(
            note.as_deref(),
            Some("not loaded: nothing in this run reads it"),
            "{node}"
        );
    }
    assert_eq!(second.event("d").unwrap().note, None);
    assert!(second.notes.is_empty(), "{:?}", second.notes);
}

#[test]
fn a_changed_node_loads_the_hit_it_reads_and_nothing_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let (_, first) = run(&driver(dir.path(), chain(&calls, 1)), "d");
    std::fs::remove_file(result_file(dir.path(), &first, "a")).unwrap();
    calls.take();

    let (value, second) = run(&driver(dir.path(), chain(&calls, 2)), "d");
    assert_eq!(value, 110);
    assert_eq!(calls.take(), ["c"], "only the changed node runs");
    assert_eq!(second.status("c"), Some(CacheStatus::Miss));
    assert_eq!(
        second.event("b").unwrap().note,
        None,
        "`b` was loaded for `c`"
    );
    assert_eq!(second.status("b"), Some(CacheStatus::Hit));
    assert_eq!(second.status("a"), Some(CacheStatus::Hit));
    // Same value from the new `c`: `d` hits by data version.
    assert_eq!(second.status("d"), Some(CacheStatus::Hit));
    assert!(second.notes.is_empty(), "{:?}", second.notes);
}

#[test]
fn a_damaged_result_that_is_needed_is_recomputed_from_the_hits_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let (_, first) = run(&driver(dir.path(), chain(&calls, 1)), "c");
    let file = result_file(dir.path(), &first, "c");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    calls.take();

    let (value, second) = run(&driver(dir.path(), chain(&calls, 1)), "c");
    assert_eq!(value, 11);
    assert_eq!(calls.take(), ["c"]);
    assert_eq!(second.status("b"), Some(CacheStatus::Hit));
    assert_eq!(second.status("c"), Some(CacheStatus::Miss));
    let said = format!("{:?} {:?}", second.event("c").unwrap().note, second.notes);
    assert!(said.contains("recovered"), "{said}");

    // Stored afresh: the next run hits again, quietly.
    let (value, third) = run(&driver(dir.path(), chain(&calls, 1)), "c");
    assert_eq!(value, 11);
    assert_eq!(third.hits(), ["a", "b", "c"]);
    assert!(third.notes.is_empty(), "{:?}", third.notes);
}

#[test]
fn the_record_lists_nodes_in_execution_order_whether_resolved_ahead_or_run() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let (_, first) = run(&driver(dir.path(), chain(&calls, 1)), "d");
    let (_, second) = run(&driver(dir.path(), chain(&calls, 2)), "d");
    let names = |r: &CacheRun| r.nodes.iter().map(|e| e.node.clone()).collect::<Vec<_>>();
    assert_eq!(names(&first), ["a", "b", "c", "d"]);
    assert_eq!(names(&second), ["a", "b", "c", "d"]);
}
