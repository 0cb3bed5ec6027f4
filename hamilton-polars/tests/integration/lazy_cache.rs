//! `LazyFrame` values in a cached dataflow: fingerprinted by their plan, stored, and read back.

use std::path::Path;

use hamilton_core::cache::CacheStatus;
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};
use polars::prelude::*;

fn window(size: usize) -> RollingOptionsFixedWindow {
    RollingOptionsFixedWindow {
        window_size: size,
        min_periods: 1,
        ..Default::default()
    }
}

/// `features` builds a plan over the input `spend`; `total` collects it.
fn nodes() -> Vec<Node> {
    vec![
        Node::builder("features")
            .code_version(1)
            .param::<Series>("spend")
            .build(|a: &Args| {
                Ok(a.get::<Series>(0)?.clone().into_frame().lazy().with_column(
                    (col("spend") * lit(2.0))
                        .rolling_mean(window(2))
                        .alias("smooth"),
                ))
            }),
        total_node(),
    ]
}

fn total_node() -> Node {
    Node::builder("total")
        .code_version(1)
        .param::<LazyFrame>("features")
        .build(|a: &Args| {
            Ok(a.get::<LazyFrame>(0)?
                .clone()
                .select([col("smooth").sum()])
                .collect()?)
        })
}

fn driver(nodes: Vec<Node>, dir: &Path) -> Driver {
    // Naming the crate links it, and with it the cache types it registers.
    assert!(!hamilton_polars::cache::cache_types().is_empty());
    Driver::builder()
        .with_nodes(nodes)
        .with_cache(dir)
        .build()
        .unwrap()
}

fn spend(values: &[f64]) -> Inputs {
    Inputs::new().set("spend", Series::new("spend".into(), values))
}

fn status(dr: &Driver, node: &str) -> CacheStatus {
    dr.cache()
        .unwrap()
        .last_run()
        .unwrap()
        .status(node)
        .unwrap()
}

#[test]
fn lazy_frame_nodes_hit_on_the_second_run_and_recompute_when_an_input_changes() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = ["features", "total"];

    let dr = driver(nodes(), dir.path());
    let first = dr.execute(&outputs, spend(&[1.0, 2.0, 4.0])).unwrap();
    assert_eq!(dr.cache().unwrap().last_run().unwrap().misses(), outputs);

    let dr = driver(nodes(), dir.path());
    let second = dr.execute(&outputs, spend(&[1.0, 2.0, 4.0])).unwrap();
    let run = dr.cache().unwrap().last_run().unwrap();
    assert_eq!(run.hits(), outputs, "{run}");
    let total = |out: &hamilton_core::Outputs| out.get::<DataFrame>("total").unwrap().clone();
    assert!(total(&first).equals(&total(&second)));
    // The plan read back from the store collects to the same frame.
    let collect = |out: &hamilton_core::Outputs| {
        out.get::<LazyFrame>("features")
            .unwrap()
            .clone()
            .collect()
            .unwrap()
    };
    assert!(collect(&first).equals(&collect(&second)));

    let dr = driver(nodes(), dir.path());
    let third = dr.execute(&outputs, spend(&[1.0, 2.0, 5.0])).unwrap();
    let run = dr.cache().unwrap().last_run().unwrap();
    assert_eq!(run.misses(), outputs, "{run}");
    assert!(!total(&first).equals(&total(&third)));
}

/// `features` scans the CSV file named by the input `path`; `total` collects it.
fn scan_nodes() -> Vec<Node> {
    vec![
        Node::builder("features")
            .code_version(1)
            .param::<String>("path")
            .build(|a: &Args| {
                let path = PlRefPath::new(a.get::<String>(0)?.as_str());
                Ok(LazyCsvReader::new(path).finish()?.with_column(
                    (col("spend") * lit(2.0))
                        .rolling_mean(window(2))
                        .alias("smooth"),
                ))
            }),
        total_node(),
    ]
}

#[test]
fn readers_of_a_csv_scan_hit_until_the_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("spend.csv");
    let path = || Inputs::new().set("path", csv.to_str().unwrap().to_string());
    let total = |dr: &Driver| {
        dr.execute(&["total"], path())
            .unwrap()
            .get::<DataFrame>("total")
            .unwrap()
            .column("smooth")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap()
    };
    std::fs::write(&csv, "spend\n1.0\n2.0\n4.0\n").unwrap();
    let cache = dir.path().join("cache");

    let dr = driver(scan_nodes(), &cache);
    let first = total(&dr);
    assert_eq!(status(&dr, "total"), CacheStatus::Miss);
    // The plan names the file but does not hold it: it is not stored, and says why.
    assert_eq!(status(&dr, "features"), CacheStatus::Uncached);
    let run = dr.cache().unwrap().last_run().unwrap();
    let note = run.event("features").unwrap().note.clone().unwrap();
    assert!(note.contains("scans files is not stored"), "{note}");

    let dr = driver(scan_nodes(), &cache);
    assert_eq!(total(&dr), first);
    assert_eq!(status(&dr, "total"), CacheStatus::Hit);

    // Same length, one digit changed: the reader runs again and sees the new content.
    std::fs::write(&csv, "spend\n1.0\n2.0\n5.0\n").unwrap();
    let dr = driver(scan_nodes(), &cache);
    let changed = total(&dr);
    assert_eq!(status(&dr, "total"), CacheStatus::Miss);
    assert_ne!(changed, first);
    assert_eq!(changed, 2.0 * (1.0 + 1.5 + 3.5));
}
