//! The example's features against a hand-written Polars computation, in both modes.

use std::path::{Path, PathBuf};

use hamilton_core::{Error as CoreError, Overrides};
use polars::prelude::*;

use crate::pipeline::{self, Mode, OUTPUTS};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/marketing_spend.csv")
}

fn features(
    mode: Mode,
    region: &str,
    path: &Path,
) -> Result<pipeline::Features, Box<dyn std::error::Error>> {
    let dr = pipeline::driver(mode, region)?;
    pipeline::features(&dr, mode, path)
}

/// The features written out by hand as one Polars query.
fn expected(holiday_weeks: &[i64]) -> DataFrame {
    let weeks = Series::new("weeks".into(), holiday_weeks);
    let window = RollingOptionsFixedWindow {
        window_size: 3,
        min_periods: 3,
        ..Default::default()
    };
    let zero_mean = col("spend") - col("spend").mean();
    CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(data()))
        .unwrap()
        .finish()
        .unwrap()
        .lazy()
        .select([
            col("year"),
            col("week"),
            col("signups"),
            col("spend"),
            col("week")
                .is_in(lit(weeks).implode(false), false)
                .alias("holidays"),
            col("spend").rolling_mean(window).alias("avg_3wk_spend"),
            (col("spend") / col("signups")).alias("spend_per_signup"),
            col("spend").shift(lit(3)).alias("spend_shift_3weeks"),
            (col("spend").shift(lit(3)) / col("signups")).alias("spend_shift_3weeks_per_signup"),
            col("spend").mean().alias("spend_mean"),
            zero_mean.clone().alias("spend_zero_mean"),
            col("spend").std(1).alias("spend_std_dev"),
            (zero_mean / col("spend").std(1)).alias("spend_zero_mean_unit_variance"),
        ])
        .collect()
        .unwrap()
}

/// Same columns in the same order, same dtypes, same nulls, floats equal to 1e-9 relative.
fn assert_frames_match(got: &DataFrame, want: &DataFrame) {
    assert_eq!(got.get_column_names(), want.get_column_names());
    assert_eq!(got.height(), want.height());
    for (g, w) in got.columns().iter().zip(want.columns()) {
        let name = g.name();
        assert_eq!(g.dtype(), w.dtype(), "dtype of `{name}`");
        if g.dtype() == &DataType::Float64 {
            let pairs = g.f64().unwrap().iter().zip(w.f64().unwrap().iter());
            for (row, (a, b)) in pairs.enumerate() {
                match (a, b) {
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                        "`{name}` row {row}: {a} != {b}"
                    ),
                    (a, b) => assert_eq!(a, b, "`{name}` row {row}"),
                }
            }
        } else {
            assert!(
                g.as_materialized_series()
                    .equals_missing(w.as_materialized_series()),
                "`{name}`"
            );
        }
    }
}

/// How a test runs the dataflow.
#[derive(Clone, Copy, Debug)]
enum Executor {
    Sequential,
    Parallel,
    Async,
}

/// The features of the example's data, computed by `executor`.
fn features_by(executor: Executor, mode: Mode) -> pipeline::Features {
    let mut builder = pipeline::builder(mode, "UK").unwrap();
    if let Executor::Parallel = executor {
        builder = builder.with_parallelism(2);
    }
    let dr = builder.build().unwrap();
    let out = match executor {
        Executor::Sequential | Executor::Parallel => {
            dr.execute(&pipeline::request(mode), pipeline::inputs(&data()))
        }
        // Polars' readers call `tokio::task::block_in_place`, which needs tokio's multi-thread
        // runtime when they run inside one.
        Executor::Async => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap()
            .block_on(dr.execute_async(&pipeline::request(mode), pipeline::inputs(&data()))),
    };
    pipeline::from_outputs(mode, out.unwrap()).unwrap()
}

#[test]
fn every_executor_computes_the_hand_written_features_in_both_modes() {
    let want = expected(crate::calendar::UK_HOLIDAY_WEEKS);
    let checked = |f: &pipeline::Features| -> Vec<String> {
        f.checks.iter().map(|r| r.node.clone()).collect()
    };
    let in_order = checked(&features_by(Executor::Sequential, Mode::Eager));
    assert_eq!(in_order.len(), 3, "{in_order:?}");
    for executor in [Executor::Sequential, Executor::Parallel, Executor::Async] {
        for mode in [Mode::Eager, Mode::Lazy] {
            let got = features_by(executor, mode);
            assert_frames_match(&got.frame, &want);
            if mode == Mode::Eager {
                // The data checks ran, and their reports come in plan order.
                assert_eq!(checked(&got), in_order, "{executor:?}");
            }
        }
    }
}

#[test]
fn eager_features_equal_the_hand_written_query() {
    let got = features(Mode::Eager, "UK", &data()).unwrap();
    assert_frames_match(&got.frame, &expected(crate::calendar::UK_HOLIDAY_WEEKS));
}

#[test]
fn expression_mode_features_equal_the_hand_written_query() {
    let got = features(Mode::Lazy, "UK", &data()).unwrap();
    assert_frames_match(&got.frame, &expected(crate::calendar::UK_HOLIDAY_WEEKS));
}

#[test]
fn both_modes_agree_for_the_default_calendar() {
    let eager = features(Mode::Eager, "US", &data()).unwrap().frame;
    let lazy = features(Mode::Lazy, "US", &data()).unwrap().frame;
    assert_frames_match(&eager, &lazy);
    assert_frames_match(&eager, &expected(crate::calendar::DEFAULT_HOLIDAY_WEEKS));
}

#[test]
fn the_frame_has_one_column_per_requested_feature() {
    let got = features(Mode::Eager, "UK", &data()).unwrap().frame;
    let names: Vec<&str> = got
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(names, OUTPUTS);
    assert_eq!(got.height(), 104);
}

#[test]
fn the_region_config_chooses_the_holiday_calendar() {
    let holidays = |region| -> Vec<Option<bool>> {
        let f = features(Mode::Eager, region, &data()).unwrap().frame;
        f.column("holidays")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .take(52)
            .collect()
    };
    let (uk, us) = (holidays("UK"), holidays("US"));
    // Week 35 has the UK's August bank holiday; week 36 the US Labor Day.
    assert_eq!((uk[34], uk[35]), (Some(true), Some(false)));
    assert_eq!((us[34], us[35]), (Some(false), Some(true)));
}

#[test]
fn the_standard_deviation_is_the_sample_one() {
    let got = features(Mode::Eager, "UK", &data()).unwrap().frame;
    let spend: Vec<f64> = got
        .column("spend")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let n = spend.len() as f64;
    let mean = spend.iter().sum::<f64>() / n;
    let var = spend.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let std = got
        .column("spend_std_dev")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!((std - var.sqrt()).abs() < 1e-9, "{std} vs {}", var.sqrt());
}

#[test]
fn eager_mode_reports_every_data_check() {
    let got = features(Mode::Eager, "UK", &data()).unwrap();
    let mut nodes: Vec<&str> = got.checks.iter().map(|r| r.node.as_str()).collect();
    nodes.sort();
    assert_eq!(nodes, ["signups", "spend", "week"]);
    for report in &got.checks {
        assert!(report.passed(), "{report}");
    }
}

#[test]
fn negative_spend_fails_the_spend_checks_naming_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        "year,week,signups,spend\n2023,1,10,5.5\n2023,2,10,-1.5\n",
    )
    .unwrap();
    let err = features(Mode::Eager, "UK", &path).unwrap_err().to_string();
    assert!(err.contains("data checks of node `spend` failed"), "{err}");
    assert!(err.contains("-1.5 (row 1)"), "{err}");
}

#[test]
fn a_file_missing_a_column_fails_the_loader_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.csv");
    std::fs::write(&path, "year,week,spend\n2023,1,5.5\n").unwrap();
    for mode in [Mode::Eager, Mode::Lazy] {
        let err = features(mode, "UK", &path).unwrap_err().to_string();
        assert!(err.contains("node `marketing` failed"), "{err}");
        assert!(
            err.contains("short.csv") && err.contains("missing column `signups`"),
            "{err}"
        );
    }
}

#[test]
fn a_week_column_of_another_dtype_is_a_conversion_error_for_holidays() {
    let dr = pipeline::driver(Mode::Eager, "UK").unwrap();
    let weeks = Series::new("week".into(), &[1_i32, 2]);
    let err = dr
        .request(&["holidays"])
        .overrides(Overrides::new().set("week", weeks))
        .execute()
        .unwrap_err();
    let CoreError::Conversion {
        node,
        param,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((node.as_str(), param.as_str()), ("holidays", "week"));
    assert!(message.contains("has dtype i32, expected i64"), "{message}");
}

#[test]
fn the_features_saved_through_materialization_read_back_equal_in_both_modes() {
    let dir = tempfile::tempdir().unwrap();
    for mode in [Mode::Eager, Mode::Lazy] {
        let dr = pipeline::driver(mode, "UK").unwrap();
        let dest = dir.path().join(format!("{mode:?}.parquet"));
        let (features, saved) = pipeline::materialize(&dr, mode, &data(), &dest).unwrap();
        let file = std::fs::File::open(&dest).unwrap();
        let back = ParquetReader::new(file).finish().unwrap();
        assert_frames_match(&back, &features.frame);
        assert_eq!((saved.rows, saved.columns), features.frame.shape());
        assert_eq!(saved.path, dest);
    }
}

#[test]
fn a_tracked_run_records_every_node_once_with_the_frame_s_summary() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = hamilton_core::track::Tracker::open(dir.path().join("runs.sqlite")).unwrap();
    let dr = pipeline::builder(Mode::Eager, "UK")
        .unwrap()
        .with_tracker(tracker.clone())
        .build()
        .unwrap();
    let features = pipeline::features(&dr, Mode::Eager, &data()).unwrap();
    tracker.flush();
    let db = rusqlite::Connection::open(tracker.path()).unwrap();
    let (status, nodes, distinct, failed): (String, i64, i64, i64) = db
        .query_row(
            "SELECT r.status, count(*), count(DISTINCT n.node), sum(n.status != 'success')
             FROM runs r JOIN node_runs n ON n.run_id = r.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(status, "success");
    assert_eq!(
        (nodes, failed),
        (distinct, 0),
        "each node once, none failed"
    );
    assert!(nodes >= OUTPUTS.len() as i64);
    let rows: i64 = db
        .query_row(
            "SELECT json_extract(summary, '$.rows') FROM node_runs WHERE node = 'marketing'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows as usize, features.frame.height());
}
