//! Summaries of Polars values for the run tracker: per-column statistics with nulls and NaNs
//! left out, text columns' top values and lengths, bounded columns, a LazyFrame's schema; and a
//! tracked run stores them.

use hamilton_core::track::summary::{HISTOGRAM_BINS, MAX_COLUMNS, MAX_TEXT};
use hamilton_core::track::{Summary, Tracker};
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};
use hamilton_polars::polars::prelude::*;
use hamilton_polars::track::{summarize_frame, summarize_lazy, summarize_series};

fn frame(df: &DataFrame) -> hamilton_core::track::summary::FrameSummary {
    match summarize_frame(df) {
        Summary::Frame(f) => f,
        other => panic!("not a frame: {other:?}"),
    }
}

#[test]
fn numbers_are_summarized_without_their_nulls_and_nans() {
    let s = Series::new(
        "x".into(),
        [
            Some(1.0),
            None,
            Some(f64::NAN),
            Some(2.0),
            Some(3.0),
            Some(4.0),
        ],
    );
    let c = summarize_series(&s);
    assert_eq!((c.name.as_str(), c.dtype.as_str()), ("x", "f64"));
    assert_eq!((c.count, c.nulls), (6, 1));
    let n = c.numeric.unwrap();
    assert_eq!((n.min, n.max, n.mean), (Some(1.0), Some(4.0), Some(2.5)));
    let std = n.std.unwrap();
    assert!((std - 1.290_994_448_735_805_6).abs() < 1e-12, "{std}");
    assert_eq!(n.quantiles[2], Some(2.5), "the median");
    assert_eq!(n.quantiles.len(), 5);
    assert_eq!(n.histogram.len(), HISTOGRAM_BINS);
    assert_eq!(n.histogram.iter().sum::<u64>(), 4);
    assert_eq!((n.histogram[0], n.histogram[HISTOGRAM_BINS - 1]), (1, 1));
    assert!(c.text.is_none());
}

#[test]
fn integers_are_numbers_too() {
    let c = summarize_series(&Series::new("n".into(), [5_i32, 5, 5]));
    let n = c.numeric.unwrap();
    assert_eq!((n.min, n.max, n.std), (Some(5.0), Some(5.0), Some(0.0)));
    assert_eq!(n.histogram[0], 3, "one value: every count in the first bin");
}

#[test]
fn an_all_null_column_has_counts_and_no_statistics() {
    let s = Series::new("empty".into(), [None::<f64>, None]);
    let c = summarize_series(&s);
    assert_eq!((c.count, c.nulls), (2, 2));
    let n = c.numeric.unwrap();
    assert_eq!((n.min, n.max, n.mean, n.std), (None, None, None, None));
    assert_eq!(n.quantiles, [None; 5]);
    assert_eq!(n.histogram, [0; HISTOGRAM_BINS]);
}

#[test]
fn a_text_column_keeps_its_top_values_distinct_count_and_lengths() {
    let long = "z".repeat(MAX_TEXT * 3);
    let s = Series::new(
        "city".into(),
        [
            Some("Paris"),
            Some("Oslo"),
            Some("Paris"),
            None,
            Some("Lima"),
            Some("Oslo"),
            Some("Paris"),
            Some(long.as_str()),
            Some("Rome"),
            Some("Bern"),
            Some("Kyiv"),
        ],
    );
    let c = summarize_series(&s);
    assert_eq!((c.count, c.nulls), (11, 1));
    assert!(c.numeric.is_none());
    let t = c.text.unwrap();
    assert_eq!(t.top.len(), 5);
    assert_eq!(t.top[0], ("Paris".to_string(), 3));
    assert_eq!(t.top[1], ("Oslo".to_string(), 2));
    assert!(t.top.iter().all(|(v, _)| v.chars().count() <= MAX_TEXT + 1));
    assert_eq!(t.distinct, 7);
    assert_eq!((t.min_len, t.max_len), (Some(4), Some(MAX_TEXT as u64 * 3)));
}

#[test]
fn an_empty_frame_has_its_schema_and_no_rows() {
    let df = df!("a" => Vec::<i64>::new(), "b" => Vec::<String>::new()).unwrap();
    let f = frame(&df);
    assert_eq!(f.rows, 0);
    let names: Vec<&str> = f.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(f.columns[0].numeric.as_ref().unwrap().min, None);
    assert_eq!(f.columns[1].text.as_ref().unwrap().distinct, 0);
}

#[test]
fn a_wide_frame_describes_its_first_columns_and_counts_the_rest() {
    let columns: Vec<Column> = (0..MAX_COLUMNS + 7)
        .map(|i| Column::new(format!("c{i}").into(), [i as i64]))
        .collect();
    let f = frame(&DataFrame::new_infer_height(columns).unwrap());
    assert_eq!(f.columns.len(), MAX_COLUMNS);
    assert_eq!(f.columns_omitted, 7);
    assert_eq!(f.rows, 1);
}

#[test]
fn a_lazy_frame_is_summarized_by_its_schema_only() {
    let lf = df!("a" => [1_i64, 2], "b" => ["x", "y"])
        .unwrap()
        .lazy()
        .with_column((col("a") * lit(2.0)).alias("c"));
    let Summary::Lazy { r#type, schema } = summarize_lazy(lf) else {
        panic!("not lazy")
    };
    assert_eq!(r#type, "LazyFrame");
    let names: Vec<(&str, &str)> = schema
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    assert_eq!(names, [("a", "i64"), ("b", "str"), ("c", "f64")]);
}

#[test]
fn a_tracked_run_stores_its_frames_and_series_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("frame").build(|_: &Args| {
                Ok(df!("spend" => [1.0, 2.0, 3.0], "region" => ["UK", "US", "UK"])?)
            }),
            Node::builder("spend")
                .param::<DataFrame>("frame")
                .build(|a: &Args| {
                    Ok(a.get::<DataFrame>(0)?
                        .column("spend")?
                        .as_materialized_series()
                        .clone())
                }),
        ])
        .with_tracker(t.clone())
        .build()
        .unwrap();
    dr.execute(&["spend"], Inputs::new()).unwrap();
    t.flush();
    let db = stored_summaries(t.path());
    let Summary::Frame(f) = &db[0] else {
        panic!("{:?}", db[0])
    };
    assert_eq!((f.rows, f.columns.len()), (3, 2));
    assert_eq!(
        f.columns[1].text.as_ref().unwrap().top[0],
        ("UK".to_string(), 2)
    );
    let Summary::Column { r#type, column } = &db[1] else {
        panic!("{:?}", db[1])
    };
    assert_eq!(r#type, "Series");
    assert_eq!(column.numeric.as_ref().unwrap().mean, Some(2.0));
}

/// The node runs' summaries, by position.
fn stored_summaries(path: &std::path::Path) -> Vec<Summary> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut q = db
        .prepare("SELECT summary FROM node_runs ORDER BY position")
        .unwrap();
    q.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|s| serde_json::from_str(&s.unwrap()).unwrap())
        .collect()
}
