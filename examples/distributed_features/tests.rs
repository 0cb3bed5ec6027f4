//! The generated partitions, the command line, and the local run's features against the same
//! features computed by hand on the whole data set.

use polars::prelude::*;

use crate::args::{self, Mode};
use crate::partitions::{self, REGIONS, YEARS};
use crate::{generate, modes, pipeline};

fn generated(rows: u64, seed: u64) -> Vec<DataFrame> {
    partitions::plan(rows, seed)
        .iter()
        .map(|p| generate::rows(p).unwrap())
        .collect()
}

#[test]
fn a_partition_generates_the_same_rows_every_time_and_other_partitions_or_seeds_other_rows() {
    let first = generated(20_000, 7);
    let again = generated(20_000, 7);
    assert_eq!(first, again);
    // Generated alone, out of order, a partition has the same rows.
    let plan = partitions::plan(20_000, 7);
    assert_eq!(generate::rows(&plan[13]).unwrap(), first[13]);
    let signups = |frame: &DataFrame| frame.column("signups").unwrap().clone();
    assert_ne!(
        signups(&first[0]),
        signups(&first[1]).with_name("signups".into())
    );
    assert_ne!(signups(&first[0]), signups(&generated(20_000, 8)[0]));
}

#[test]
fn the_partitions_cover_every_row_once_one_per_region_and_year() {
    let plan = partitions::plan(20_003, 1);
    assert_eq!(plan.len(), REGIONS.len() * YEARS.count());
    let mut next_row = 0;
    for p in &plan {
        assert_eq!(
            p.first_row, next_row,
            "partition {} starts where the last ended",
            p.index
        );
        assert!(
            p.rows == 1000 || p.rows == 1001,
            "rows split evenly: {}",
            p.rows
        );
        next_row += p.rows;
    }
    assert_eq!(next_row, 20_003);
    let mut keys: Vec<_> = plan.iter().map(|p| (p.region.clone(), p.year)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), plan.len(), "each (region, year) once");
}

#[test]
fn the_generated_columns_are_in_range_and_numbered_by_the_data_sets_row() {
    let plan = partitions::plan(20_000, 3);
    let frame = generate::rows(&plan[5]).unwrap();
    assert_eq!(frame.height(), 1000);
    let row = frame.column("row").unwrap().i64().unwrap();
    assert_eq!((row.get(0), row.get(999)), (Some(5000), Some(5999)));
    let signups = frame.column("signups").unwrap().i64().unwrap();
    assert!(signups.min().unwrap() >= 1 && signups.max().unwrap() <= 500);
    let week = frame.column("week").unwrap().i64().unwrap();
    assert_eq!((week.min(), week.max()), (Some(1), Some(52)));
    let region = frame.column("region").unwrap().str().unwrap();
    assert_eq!(region.get(0), Some(plan[5].region.as_str()));
}

/// The features of the local run, over `rows` rows.
fn local_features(rows: u64, seed: u64) -> DataFrame {
    let dr = pipeline::builder().build().unwrap();
    modes::execute(&dr, rows, seed).unwrap().0
}

#[test]
fn the_local_run_gives_every_row_once_in_order_with_the_features() {
    let features = local_features(20_000, 5);
    assert_eq!(features.shape(), (20_000, 6 + pipeline::FEATURES.len()));
    let row = features.column("row").unwrap().i64().unwrap();
    assert!(row.iter().zip(0..).all(|(r, i)| r == Some(i)));
    for name in pipeline::FEATURES {
        assert_eq!(
            features.column(name).unwrap().dtype(),
            &DataType::Float64,
            "{name}"
        );
    }
}

/// The features of one partition, written by hand over the whole data set filtered to it.
fn expected_for(whole: &DataFrame, region: &str, year: i64) -> DataFrame {
    let window = RollingOptionsFixedWindow {
        window_size: 3,
        min_periods: 3,
        ..Default::default()
    };
    whole
        .clone()
        .lazy()
        .filter(col("region").eq(lit(region)).and(col("year").eq(lit(year))))
        .sort(["row"], Default::default())
        .with_columns([
            col("spend").rolling_mean(window).alias("avg_3wk_spend"),
            (col("spend") / col("signups")).alias("spend_per_signup"),
            (col("spend").shift(lit(3)) / col("signups")).alias("spend_shift_3weeks_per_signup"),
            ((col("spend") - col("spend").mean()) / col("spend").std(1))
                .alias("spend_zero_mean_unit_variance"),
        ])
        .collect()
        .unwrap()
}

fn rows_of(features: &DataFrame, region: &str, year: i64) -> DataFrame {
    features
        .clone()
        .lazy()
        .filter(col("region").eq(lit(region)).and(col("year").eq(lit(year))))
        .collect()
        .unwrap()
}

#[test]
fn each_partitions_features_equal_the_features_of_the_whole_data_set_filtered_to_it() {
    let features = local_features(20_000, 9);
    // The whole data set, its partitions stacked in reverse: filtering must find each one.
    let mut parts = generated(20_000, 9).into_iter().rev();
    let mut whole = parts.next().unwrap();
    for part in parts {
        whole.vstack_mut_owned(part).unwrap();
    }
    for region in REGIONS {
        for year in YEARS {
            let got = rows_of(&features, region, year);
            let want = expected_for(&whole, region, year);
            assert_eq!(got.height(), 1000, "{region} {year}");
            assert_frames_match(&got, &want, &format!("{region} {year}"));
        }
    }
}

/// Same columns in the same order, same dtypes, same nulls, floats equal to 1e-9 relative.
fn assert_frames_match(got: &DataFrame, want: &DataFrame, what: &str) {
    assert_eq!(got.get_column_names(), want.get_column_names(), "{what}");
    assert_eq!(got.height(), want.height(), "{what}");
    for (g, w) in got.columns().iter().zip(want.columns()) {
        let name = g.name();
        assert_eq!(g.dtype(), w.dtype(), "{what}: dtype of `{name}`");
        if g.dtype() == &DataType::Float64 {
            let pairs = g.f64().unwrap().iter().zip(w.f64().unwrap().iter());
            for (row, (a, b)) in pairs.enumerate() {
                match (a, b) {
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                        "{what}: `{name}` row {row}: {a} != {b}"
                    ),
                    (a, b) => assert_eq!(a, b, "{what}: `{name}` row {row}"),
                }
            }
        } else {
            assert!(
                g.as_materialized_series()
                    .equals_missing(w.as_materialized_series()),
                "{what}: `{name}`"
            );
        }
    }
}

fn parse(line: &str, env: &[(&str, &str)]) -> Result<args::Args, String> {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    args::parse(line.split_whitespace().map(str::to_string), |key| {
        env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    })
}

#[test]
fn the_first_argument_picks_the_mode_and_flags_win_over_the_environment() {
    let args = parse(
        "driver --rows 1_000",
        &[("HAMILTON_BROKER", "redis://10.0.0.1:6379")],
    )
    .unwrap();
    assert_eq!((args.mode, args.rows), (Mode::Driver, 1000));
    assert_eq!(args.broker, "redis://10.0.0.1:6379");
    let args = parse(
        "worker --broker redis://127.0.0.1:6390 --store /tmp/x --concurrency 2",
        &[
            ("HAMILTON_BROKER", "redis://10.0.0.1:6379"),
            ("HAMILTON_STORE", "/mnt/s"),
        ],
    )
    .unwrap();
    assert_eq!(args.mode, Mode::Worker);
    assert_eq!(args.broker, "redis://127.0.0.1:6390");
    assert_eq!(args.store, std::path::Path::new("/tmp/x"));
    assert_eq!(args.concurrency, Some(2));
    let args = parse("local", &[]).unwrap();
    assert_eq!(
        (args.rows, args.broker.as_str()),
        (20_000_000, "redis://127.0.0.1:6379")
    );
}

#[test]
fn a_missing_or_unknown_mode_and_a_bad_number_are_usage_errors_naming_them() {
    assert!(parse("", &[]).unwrap_err().contains("no mode given"));
    assert!(
        parse("drive", &[])
            .unwrap_err()
            .contains("unknown mode `drive`")
    );
    let err = parse("local --rows many", &[]).unwrap_err();
    assert!(
        err.contains("--rows takes a whole number") && err.contains("`many`"),
        "{err}"
    );
    assert!(
        parse("local --rows", &[])
            .unwrap_err()
            .contains("--rows needs a value")
    );
    assert!(
        parse("local --fast", &[])
            .unwrap_err()
            .contains("unknown argument `--fast`")
    );
}

#[test]
fn a_driver_whose_broker_cannot_be_reached_fails_to_build_with_the_brokers_error() {
    use hamilton_core::remote::{DirStore, Remote, RemoteError};
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1. Every value that crosses to the workers (the partitions, the
    // partitions' frames) has an encoder: the build gets as far as the broker.
    let remote = Remote::new("redis://127.0.0.1:1", DirStore::new(dir.path()).unwrap());
    let Err(err) = pipeline::builder().with_executor(remote).build() else {
        panic!("built, though no broker listens on port 1");
    };
    assert!(
        matches!(err.remote(), Some(RemoteError::Broker(_))),
        "{err:?}"
    );
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
}
