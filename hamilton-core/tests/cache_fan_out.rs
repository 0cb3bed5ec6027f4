//! Caching inside fan-out blocks: each item's nodes are cached per item, keyed by the values
//! they read for that item, so a rerun recomputes only the items that changed; under every
//! executor.
#![cfg(feature = "cache")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hamilton_core::cache::CacheOptions;
use hamilton_core::fanout::Collect;
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

/// `words` fans out over the words of `text`; `length` (counted) runs per word; `total` sums.
fn driver(dir: &std::path::Path, calls: &Arc<AtomicUsize>, parallel: bool) -> Driver {
    let calls = calls.clone();
    let builder = Driver::builder()
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
                .build(move |a: &Args| {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok(a.get::<String>(0)?.len() as u64)
                }),
            Node::builder("total")
                .code_version(1)
                .collect_param::<u64>("length")
                .build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>())),
        ])
        .with_cache(CacheOptions::new(dir));
    if parallel {
        builder.with_parallelism(2)
    } else {
        builder
    }
    .build()
    .unwrap()
}

fn total(dr: &Driver, text: &str) -> u64 {
    *dr.execute(&["total"], Inputs::new().set("text", text.to_string()))
        .unwrap()
        .get::<u64>("total")
        .unwrap()
}

#[test]
fn a_rerun_recomputes_only_the_items_that_changed() {
    for parallel in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let dr = driver(dir.path(), &calls, parallel);
        assert_eq!(total(&dr, "a bb ccc"), 6);
        assert_eq!(calls.swap(0, Ordering::SeqCst), 3);
        let run = dr.cache().unwrap().last_run().unwrap();
        assert_eq!(
            run.misses(),
            ["length[0]", "length[1]", "length[2]"],
            "parallel: {parallel}"
        );

        // The same items: every item hits.
        assert_eq!(total(&dr, "a bb ccc"), 6);
        assert_eq!(calls.swap(0, Ordering::SeqCst), 0);
        // One item changed: only it runs, in a new driver as in this one.
        let dr = driver(dir.path(), &calls, parallel);
        assert_eq!(total(&dr, "a bb dddd"), 7);
        assert_eq!(calls.swap(0, Ordering::SeqCst), 1);
        let run = dr.cache().unwrap().last_run().unwrap();
        assert_eq!(run.hits(), ["length[0]", "length[1]"]);
        assert_eq!(run.misses(), ["length[2]"]);
    }
}

#[test]
fn async_runs_cache_items_alike() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let dr = driver(dir.path(), &calls, false);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let run = |text: &str| {
        rt.block_on(dr.execute_async(&["total"], Inputs::new().set("text", text.to_string())))
            .unwrap()
    };
    run("x yy");
    run("x zz");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}
