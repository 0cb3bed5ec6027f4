//! The run history stays bounded: the last N runs (or the runs of a recent period) by option,
//! and `prune_history` on demand; results are not affected.
#![cfg(feature = "cache")]

use std::path::Path;
use std::time::Duration;

use hamilton_core::cache::CacheOptions;
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

fn driver(options: CacheOptions) -> Driver {
    Driver::builder()
        .with_nodes([
            Node::builder("double")
                .code_version(1)
                .param::<i64>("x")
                .build(|a: &Args| Ok(*a.get::<i64>(0)? * 2)),
            Node::builder("inc")
                .code_version(1)
                .param::<i64>("double")
                .build(|a: &Args| Ok(*a.get::<i64>(0)? + 1)),
        ])
        .with_cache(options)
        .build()
        .unwrap()
}

/// Runs `x` through `dr`, returns the run's id.
fn run(dr: &Driver, x: i64) -> String {
    let out = dr.execute(&["inc"], Inputs::new().set("x", x)).unwrap();
    assert_eq!(out.get::<i64>("inc").unwrap(), &(2 * x + 1));
    dr.cache().unwrap().last_run().unwrap().run_id
}

fn db_rows(dir: &Path, table: &str) -> i64 {
    let db = rusqlite::Connection::open(dir.join("cache.sqlite")).unwrap();
    db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn keep_runs_keeps_the_history_of_the_last_runs_only() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(CacheOptions::new(dir.path()).keep_runs(3));
    let ids: Vec<String> = (0..10).map(|x| run(&dr, x % 4)).collect();
    let cache = dr.cache().unwrap();
    assert_eq!(cache.run_ids().unwrap(), ids[7..]);
    assert!(cache.run(&ids[0]).unwrap().is_none());
    assert_eq!(cache.run(&ids[9]).unwrap().unwrap().nodes.len(), 2);
    assert_eq!(db_rows(dir.path(), "runs"), 3);
    assert_eq!(db_rows(dir.path(), "history"), 3 * 2);
    // Results are kept: every input seen hits.
    for x in 0..4 {
        run(&dr, x);
        assert_eq!(cache.last_run().unwrap().hits().len(), 2);
    }
}

#[test]
fn keep_runs_for_forgets_runs_older_than_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let old: Vec<String> = {
        let dr = driver(CacheOptions::new(dir.path()));
        (0..4).map(|x| run(&dr, x)).collect()
    };
    // A period long enough that the new run is within it however slow the machine (it was
    // pruned itself at 200 ms under a loaded CI run), the old runs well past it.
    std::thread::sleep(Duration::from_millis(2_500));
    let dr = driver(CacheOptions::new(dir.path()).keep_runs_for(Duration::from_millis(2_000)));
    let new = run(&dr, 9);
    assert_eq!(dr.cache().unwrap().run_ids().unwrap(), [new]);
    assert!(dr.cache().unwrap().run(&old[3]).unwrap().is_none());
    assert_eq!(db_rows(dir.path(), "history"), 2);
}

#[test]
fn prune_history_forgets_all_but_the_last_runs_and_keeps_results() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(CacheOptions::new(dir.path()));
    let ids: Vec<String> = (0..10).map(|x| run(&dr, x)).collect();
    let cache = dr.cache().unwrap();
    assert_eq!(cache.run_ids().unwrap().len(), 10);
    assert_eq!(cache.prune_history(4).unwrap(), 6);
    assert_eq!(cache.run_ids().unwrap(), ids[6..]);
    assert_eq!(db_rows(dir.path(), "history"), 4 * 2);
    assert_eq!(cache.prune_history(4).unwrap(), 0);
    assert_eq!(cache.prune_history(0).unwrap(), 4);
    assert!(cache.run_ids().unwrap().is_empty());
    assert_eq!(db_rows(dir.path(), "history"), 0);
    run(&dr, 3);
    assert_eq!(cache.last_run().unwrap().hits().len(), 2);
    assert_eq!(cache.run_ids().unwrap().len(), 1);
}

#[test]
fn prune_history_on_a_read_only_cache_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    run(&driver(CacheOptions::new(dir.path())), 1);
    let dr = driver(CacheOptions::new(dir.path()).read_only(true));
    let err = dr
        .cache()
        .unwrap()
        .prune_history(0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(db_rows(dir.path(), "runs"), 1);
}
