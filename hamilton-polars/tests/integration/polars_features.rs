//! Polars features passed through hamilton-polars (`strings`, `diff`, `cum_agg`, ... of the
//! one pinned Polars) are usable in node code, and the build holds one Polars.

use hamilton_core::node::{Args, Node, NodeError};
use hamilton_core::{Driver, Inputs};
use polars::prelude::*;

#[test]
fn node_code_uses_str_diff_and_cum_sum_through_the_passed_through_features() {
    let frame = Node::builder("frame").build(|_: &Args| {
        Ok(df!("region" => ["uk", "us", "uk"], "spend" => [1.0, 3.0, 6.0])?.lazy())
    });
    let features = Node::builder("features").param::<LazyFrame>("frame").build(
        |args: &Args| -> Result<DataFrame, NodeError> {
            Ok(args
                .get::<LazyFrame>(0)?
                .clone()
                .select([
                    col("region").str().to_uppercase(),
                    col("spend")
                        .diff(lit(1), Default::default())
                        .alias("change"),
                    col("spend").cum_sum(false).alias("total"),
                ])
                .collect()?)
        },
    );
    let dr = Driver::builder()
        .with_nodes([frame, features])
        .build()
        .unwrap();
    let out = dr.execute(&["features"], Inputs::new()).unwrap();
    let expected = df!(
        "region" => ["UK", "US", "UK"],
        "change" => [None, Some(2.0), Some(3.0)],
        "total" => [1.0, 4.0, 10.0],
    )
    .unwrap();
    let got = out.get::<DataFrame>("features").unwrap();
    assert!(got.equals_missing(&expected), "{got}");
}

#[test]
fn the_workspace_resolves_one_polars() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("the workspace's Cargo.lock");
    for crate_name in ["polars", "polars-core", "polars-lazy", "polars-arrow"] {
        let versions: Vec<&str> = lock
            .split("[[package]]")
            .filter(|p| p.contains(&format!("\nname = \"{crate_name}\"\n")))
            .filter_map(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
            .collect();
        assert_eq!(versions, ["\"0.55.2\""], "{crate_name}");
    }
}
