//! `Series` and `DataFrame` results in a cached dataflow: stored as Arrow IPC, read back from a
//! memory map by a new driver, and recomputed when their files are damaged.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hamilton_core::cache::{CacheOptions, CacheRun, CacheStatus};
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};
use hamilton_polars::cache::{FrameFormat, cache_types_in};
use polars::prelude::*;

type Calls = Arc<Mutex<usize>>;

/// `doubled` (a Float64 Series with nulls) and `table` (a frame with a Float64, a String, an
/// Int32, a Boolean and a Date column), counting the calls of each.
fn driver(dir: &Path, calls: &Calls) -> Driver {
    // Links hamilton-polars' registered cache types into this test binary.
    assert!(!hamilton_polars::cache::cache_types().is_empty());
    driver_with(CacheOptions::new(dir), calls)
}

fn driver_with(options: CacheOptions, calls: &Calls) -> Driver {
    let (c1, c2) = (calls.clone(), calls.clone());
    Driver::builder()
        .with_nodes([
            Node::builder("doubled")
                .code_version(1)
                .param::<Series>("spend")
                .build(move |a: &Args| {
                    *c1.lock().unwrap() += 1;
                    Ok(a.get::<Series>(0)? * 2.0)
                }),
            Node::builder("table")
                .code_version(1)
                .param::<Series>("doubled")
                .build(move |a: &Args| {
                    *c2.lock().unwrap() += 1;
                    let doubled = a.get::<Series>(0)?.clone();
                    let n = doubled.len();
                    let labels: Vec<Option<String>> = (0..n)
                        .map(|i| (i % 3 != 0).then(|| format!("row {i}")))
                        .collect();
                    let ids: Vec<i32> = (0..n as i32).collect();
                    let flags: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
                    let days = Series::new("day".into(), ids.clone()).cast(&DataType::Date)?;
                    Ok(DataFrame::new(
                        n,
                        vec![
                            Column::from(doubled),
                            Column::new("label".into(), labels),
                            Column::new("id".into(), ids),
                            Column::new("flag".into(), flags),
                            Column::from(days),
                        ],
                    )?)
                }),
        ])
        .with_cache(options)
        .build()
        .unwrap()
}

fn spend() -> Series {
    let values: Vec<Option<f64>> = (0..10_000)
        .map(|i| (i % 7 != 0).then_some(i as f64 / 4.0))
        .collect();
    Series::new("spend".into(), values)
}

/// Runs both outputs, checks them against a run without cache, returns the cache's record.
fn check(dr: &Driver) -> CacheRun {
    let out = dr
        .execute(&["doubled", "table"], Inputs::new().set("spend", spend()))
        .unwrap();
    let doubled = out.get::<Series>("doubled").unwrap();
    let expected = spend() * 2.0;
    assert!(doubled.equals_missing(&expected));
    let table = out.get::<DataFrame>("table").unwrap();
    assert_eq!(table.height(), 10_000);
    assert!(
        table
            .column("spend")
            .unwrap()
            .as_materialized_series()
            .equals_missing(&expected)
    );
    let label = table.column("label").unwrap().str().unwrap();
    assert_eq!(label.get(0), None);
    assert_eq!(label.get(4), Some("row 4"));
    assert_eq!(
        table.column("id").unwrap().i32().unwrap().get(9_999),
        Some(9_999)
    );
    assert_eq!(
        table.column("flag").unwrap().bool().unwrap().get(3),
        Some(false)
    );
    let day = table.column("day").unwrap();
    assert_eq!(day.dtype(), &DataType::Date);
    assert_eq!(day.date().unwrap().physical().get(9_999), Some(9_999));
    dr.cache().unwrap().last_run().unwrap()
}

fn result_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in std::fs::read_dir(dir.join("results")).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out
}

fn notes(run: &CacheRun) -> String {
    run.nodes
        .iter()
        .filter_map(|e| e.note.clone())
        .chain(run.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn series_and_frames_read_back_by_a_new_driver_equal_the_computed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    check(&driver(dir.path(), &calls));
    let files = result_files(dir.path());
    assert_eq!(files.len(), 2);
    assert!(
        files.iter().all(|f| f.extension().unwrap() == "arrow"),
        "{files:?}"
    );
    let run = check(&driver(dir.path(), &calls));
    assert_eq!(run.hits().len(), 2, "{run}");
    assert_eq!(*calls.lock().unwrap(), 2);
}

/// On Unix, where a mapped file can be deleted (on Windows clearing fails while it is mapped).
#[cfg(unix)]
#[test]
fn values_read_back_stay_readable_after_the_cache_is_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    check(&driver(dir.path(), &calls));
    let dr = driver(dir.path(), &calls);
    let out = dr
        .execute(&["doubled"], Inputs::new().set("spend", spend()))
        .unwrap();
    assert_eq!(dr.cache().unwrap().last_run().unwrap().hits(), ["doubled"]);
    dr.cache().unwrap().clear().unwrap();
    assert!(result_files(dir.path()).is_empty());
    let doubled = out.get::<Series>("doubled").unwrap();
    assert!(doubled.equals_missing(&(spend() * 2.0)));
}

/// Damages every result file, then checks that the next run recomputes both nodes, says what
/// it found, and that the run after it hits again.
fn recovers_from(damage: impl Fn(&Path), expect_in_note: &str) {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    check(&driver(dir.path(), &calls));
    for f in result_files(dir.path()) {
        damage(&f);
    }
    let run = check(&driver(dir.path(), &calls));
    assert_eq!(run.status("doubled"), Some(CacheStatus::Miss), "{run}");
    assert_eq!(*calls.lock().unwrap(), 4);
    let notes = notes(&run);
    assert!(notes.contains(expect_in_note), "{notes}");
    assert!(!notes.contains("missing"), "{notes}");
    let run = check(&driver(dir.path(), &calls));
    assert_eq!(run.hits().len(), 2, "{run}");
}

#[test]
fn a_result_file_with_a_flipped_value_byte_is_recomputed() {
    recovers_from(
        |f| {
            let mut bytes = std::fs::read(f).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x10;
            std::fs::write(f, bytes).unwrap();
        },
        "checksum",
    );
}

#[test]
fn a_truncated_result_file_is_recomputed() {
    recovers_from(
        |f| {
            let len = std::fs::metadata(f).unwrap().len();
            let file = std::fs::OpenOptions::new().write(true).open(f).unwrap();
            file.set_len(len - 100).unwrap();
        },
        "truncated",
    );
}

#[test]
fn an_empty_result_file_is_recomputed() {
    recovers_from(|f| std::fs::write(f, b"").unwrap(), "truncated");
}

#[test]
fn parquet_can_be_chosen_per_driver_and_switching_formats_stores_again() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Calls::default();
    let parquet = || CacheOptions::new(dir.path()).with_types(cache_types_in(FrameFormat::Parquet));
    check(&driver_with(parquet(), &calls));
    let files = result_files(dir.path());
    assert!(
        files.iter().all(|f| f.extension().unwrap() == "parquet"),
        "{files:?}"
    );
    let run = check(&driver_with(parquet(), &calls));
    assert_eq!(run.hits().len(), 2, "{run}");
    assert_eq!(*calls.lock().unwrap(), 2);
    // The default format does not read Parquet files: both run again and are stored as Arrow.
    let run = check(&driver(dir.path(), &calls));
    assert_eq!(run.hits().len(), 0, "{run}");
    assert!(notes(&run).contains("format `parquet`"), "{}", notes(&run));
    let run = check(&driver(dir.path(), &calls));
    assert_eq!(run.hits().len(), 2, "{run}");
    assert_eq!(*calls.lock().unwrap(), 4);
}
