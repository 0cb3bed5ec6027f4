//! Materialization: requested nodes computed and saved in one call, in every format, from
//! eager and lazy values, atomically, with metadata and paths from inputs or config.

use crate::common::entries;

use std::fs;
use std::path::Path;

use hamilton_core::node::{Args, Node, NodeError};
use hamilton_core::{Config, Driver, Error as CoreError, Inputs};
use hamilton_polars::Error;
use hamilton_polars::io::{Materialize, PathSource, csv_loader, ipc_loader, parquet_loader, to};
use polars::prelude::*;

fn frame() -> DataFrame {
    df!(
        "week" => [1_i64, 2, 3],
        "spend" => [Some(10.5), None, Some(30.25)],
        "region" => ["UK", "US", "UK"],
    )
    .unwrap()
}

fn driver(config: Config) -> Driver {
    Driver::builder()
        .with_nodes([
            Node::builder("frame").build(|_: &Args| Ok(frame())),
            Node::builder("lazy")
                .build(|_: &Args| Ok(frame().lazy().filter(col("week").gt(lit(1))))),
            Node::builder("spend")
                .build(|_: &Args| Ok(frame().column("spend")?.as_materialized_series().clone())),
            Node::builder("count").build(|_: &Args| Ok(3_i64)),
            Node::builder("broken")
                .build(|_: &Args| -> Result<DataFrame, NodeError> { Err("no data today".into()) }),
        ])
        .with_config(config)
        .build()
        .unwrap()
}

fn read_back(path: &Path) -> DataFrame {
    let node = match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => csv_loader("data", path).build(),
        Some("parquet") => parquet_loader("data", path).build(),
        Some("arrow") => ipc_loader("data", path).build(),
        _ => {
            let pl_path = PlRefPath::try_from_path(path).unwrap();
            return LazyJsonLineReader::new(pl_path)
                .finish()
                .unwrap()
                .collect()
                .unwrap();
        }
    };
    let dr = Driver::builder().with_nodes([node]).build().unwrap();
    dr.execute(&["data"], Inputs::new())
        .unwrap()
        .get::<DataFrame>("data")
        .unwrap()
        .clone()
}

#[test]
fn every_format_saves_eager_and_lazy_frames_that_read_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(Config::new());
    let mut targets = Vec::new();
    for ext in ["csv", "parquet", "arrow", "jsonl"] {
        let make = match ext {
            "csv" => to::csv,
            "parquet" => to::parquet,
            "arrow" => to::ipc,
            _ => to::json_lines,
        };
        targets.push(make("frame", dir.path().join(format!("eager.{ext}"))));
        targets.push(make("lazy", dir.path().join(format!("lazy.{ext}"))));
    }
    let done = dr.materialize(&targets, &["count"], Inputs::new()).unwrap();
    assert_eq!(done.outputs.get::<i64>("count").unwrap(), &3);
    let lazy_expected = frame()
        .lazy()
        .filter(col("week").gt(lit(1)))
        .collect()
        .unwrap();
    for (target, meta) in targets.iter().zip(&done.saved) {
        let expected = if target.node() == "frame" {
            frame()
        } else {
            lazy_expected.clone()
        };
        let back = read_back(&meta.path);
        assert!(
            back.equals_missing(&expected),
            "{}: {back}",
            meta.path.display()
        );
        assert_eq!(
            (meta.rows, meta.columns),
            expected.shape(),
            "{}",
            meta.path.display()
        );
        assert_eq!(meta.column_names, ["week", "spend", "region"]);
        assert_eq!(meta.bytes, fs::metadata(&meta.path).unwrap().len());
        assert_eq!(meta.content_hash.len(), 32);
    }
    assert!(
        entries(dir.path()).iter().all(|f| !f.ends_with(".tmp")),
        "{:?}",
        entries(dir.path())
    );
}

#[test]
fn equal_files_have_equal_content_hashes_and_changed_ones_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(Config::new());
    let save = |node: &str, name: &str| {
        let target = to::csv(node, dir.path().join(name));
        dr.materialize(&[target], &[], Inputs::new())
            .unwrap()
            .saved
            .remove(0)
    };
    let a = save("frame", "a.csv");
    let b = save("frame", "b.csv");
    let c = save("lazy", "c.csv");
    assert_eq!(a.content_hash, b.content_hash);
    assert_ne!(a.content_hash, c.content_hash);
}

#[test]
fn csv_options_series_and_combined_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(Config::new());
    let styled = dir.path().join("styled.csv");
    let series = dir.path().join("spend.csv");
    let combined = dir.path().join("combined.csv");
    dr.materialize(
        &[
            to::csv("frame", &*styled)
                .separator(b';')
                .header(false)
                .null_value("NA"),
            to::csv("spend", &*series),
            to::csv("report", &*combined).combine(["spend", "count"]),
        ],
        &[],
        Inputs::new(),
    )
    .unwrap();
    assert_eq!(
        fs::read_to_string(styled).unwrap(),
        "1;10.5;UK\n2;NA;US\n3;30.25;UK\n"
    );
    assert_eq!(
        fs::read_to_string(series).unwrap(),
        "spend\n10.5\n\n30.25\n"
    );
    assert_eq!(
        fs::read_to_string(combined).unwrap(),
        "spend,count\n10.5,3\n,3\n30.25,3\n"
    );
}

#[test]
fn paths_come_from_the_inputs_or_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let from_config = dir.path().join("config.parquet").display().to_string();
    let from_input = dir.path().join("input.parquet").display().to_string();
    let dr = driver(Config::new().set("config_path", from_config.clone()));
    let done = dr
        .materialize(
            &[
                to::parquet("frame", PathSource::param("config_path")),
                to::parquet("frame", PathSource::param("out_path")),
            ],
            &[],
            Inputs::new().set("out_path", from_input.clone()),
        )
        .unwrap();
    let paths: Vec<String> = done
        .saved
        .iter()
        .map(|m| m.path.display().to_string())
        .collect();
    assert_eq!(paths, [from_config, from_input]);
    let err = dr
        .materialize(
            &[to::parquet("frame", PathSource::param("nowhere"))],
            &[],
            Inputs::new(),
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("read from `nowhere`, which is neither"),
        "{text}"
    );
}

#[test]
fn a_failed_run_or_an_unsavable_value_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dr = driver(Config::new());
    let err = dr
        .materialize(
            &[
                to::csv("frame", dir.path().join("a.csv")),
                to::csv("broken", dir.path().join("b.csv")),
            ],
            &[],
            Inputs::new(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::NodeFailed { node, .. } if node == "broken"),
        "{err:?}"
    );
    let err = dr
        .materialize(
            &[to::csv("count", dir.path().join("c.csv"))],
            &[],
            Inputs::new(),
        )
        .unwrap_err();
    let CoreError::ResultBuilder { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(source.downcast_ref::<Error>(), Some(Error::UnsupportedNode { node, .. }) if node == "count"),
        "{source:?}"
    );
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn a_failed_save_keeps_the_old_file_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    let mut text = String::from("a\n");
    for i in 0..500 {
        text.push_str(&format!("{i}\n"));
    }
    text.push_str("oops\n");
    fs::write(&csv, text).unwrap();
    let path = dir.path().join("out.parquet");
    fs::write(&path, "old").unwrap();
    // A lazy scan failing while it streams into the file: the sink fails midway.
    let dr = Driver::builder()
        .with_nodes([csv_loader("scan", &*csv).lazy().build()])
        .build()
        .unwrap();
    let err = dr
        .materialize(&[to::parquet("scan", &*path)], &[], Inputs::new())
        .unwrap_err();
    assert!(err.to_string().contains("out.parquet"), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "old");
    assert_eq!(entries(dir.path()), ["in.csv", "out.parquet"]);
}
