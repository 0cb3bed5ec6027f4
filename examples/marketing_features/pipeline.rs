//! Wiring: the CSV loader, its columns, the data checks and the feature nodes, in eager or
//! expression mode.

use std::error::Error;
use std::path::Path;

use hamilton_core::{Config, Driver, DriverBuilder, Inputs, Outputs, node::Node};
use hamilton_polars::checks::{self, CheckReport, Importance, checked};
use hamilton_polars::io::{Materialize, PathSource, SaveMetadata, csv_loader, to};
use hamilton_polars::{OutputsExt, extract_columns};
use polars::prelude::*;

/// How the features are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `Series` nodes, each computed when it runs.
    Eager,
    /// `Expr` nodes over a `LazyFrame` scan, run as one Polars plan.
    Lazy,
}

/// The node loading the CSV file (its path is the input `data_path`).
pub(crate) const FRAME: &str = "marketing";

/// The columns of the CSV file, each extracted as a node.
pub(crate) const COLUMNS: [&str; 4] = ["year", "week", "signups", "spend"];

/// The outputs: the columns and the features, in the order they are shown.
pub(crate) const OUTPUTS: [&str; 13] = [
    "year",
    "week",
    "signups",
    "spend",
    "holidays",
    "avg_3wk_spend",
    "spend_per_signup",
    "spend_shift_3weeks",
    "spend_shift_3weeks_per_signup",
    "spend_mean",
    "spend_zero_mean",
    "spend_std_dev",
    "spend_zero_mean_unit_variance",
];

/// The features and their data-check reports.
#[derive(Debug)]
pub(crate) struct Features {
    /// One column per output (the check reports excepted).
    pub(crate) frame: DataFrame,
    /// The data checks' reports (eager mode only).
    pub(crate) checks: Vec<CheckReport>,
}

/// The dataflow for `mode`, with holidays for `region`.
#[cfg(test)]
pub(crate) fn driver(mode: Mode, region: &str) -> Result<Driver, Box<dyn Error>> {
    Ok(builder(mode, region)?.build()?)
}

/// The dataflow for `mode`, with holidays for `region`, ready for more options (an executor,
/// hooks, a cache) before it is built.
pub(crate) fn builder(mode: Mode, region: &str) -> Result<DriverBuilder, Box<dyn Error>> {
    let loader = csv_loader(FRAME, PathSource::param("data_path")).expect_schema([
        ("year", DataType::Int64),
        ("week", DataType::Int64),
        ("signups", DataType::Int64),
        ("spend", DataType::Float64),
    ]);
    let (loader, module) = match mode {
        Mode::Eager => (loader.build(), crate::features::MODULE),
        Mode::Lazy => (loader.lazy().build(), crate::lazy_features::MODULE),
    };
    let mut nodes = Vec::new();
    for node in extract_columns(loader, &COLUMNS)? {
        nodes.extend(with_checks(mode, node)?);
    }
    Ok(Driver::builder()
        .with_modules([module])
        .with_nodes(nodes)
        .with_config(Config::new().set("region", region.to_string())))
}

/// Data checks on the loaded columns, in eager mode (expression nodes hold no data to check).
fn with_checks(mode: Mode, node: Node) -> Result<Vec<Node>, Box<dyn Error>> {
    if mode == Mode::Lazy {
        return Ok(vec![node]);
    }
    Ok(match node.name() {
        "spend" => checked(
            node,
            vec![
                checks::dtype(DataType::Float64),
                checks::max_nulls(0),
                checks::range(0.0, 1e7),
            ],
            Importance::Fail,
        )?,
        "signups" => checked(
            node,
            vec![checks::max_nulls(0), checks::range(1.0, 1e9)],
            Importance::Warn,
        )?,
        "week" => checked(node, vec![checks::range(1.0, 53.0)], Importance::Fail)?,
        _ => vec![node],
    })
}

/// Computes the features of the CSV file at `data_path` (without saving them).
#[cfg(test)]
pub(crate) fn features(
    dr: &Driver,
    mode: Mode,
    data_path: &Path,
) -> Result<Features, Box<dyn Error>> {
    let out = dr.execute(&request(mode), inputs(data_path))?;
    from_outputs(mode, out)
}

/// Computes the features of the CSV file at `data_path` and saves them to the Parquet file
/// `dest` through the materialization API (in expression mode the plan streams into the file),
/// returning the features and what was written.
pub(crate) fn materialize(
    dr: &Driver,
    mode: Mode,
    data_path: &Path,
    dest: &Path,
) -> Result<(Features, SaveMetadata), Box<dyn Error>> {
    let target = to::parquet("features", dest).combine(OUTPUTS);
    let target = match mode {
        Mode::Eager => target,
        Mode::Lazy => target.over(FRAME),
    };
    let mut done = dr.materialize(&[target], &[], inputs(data_path))?;
    let saved = done.saved.remove(0);
    Ok((from_outputs(mode, done.outputs)?, saved))
}

#[cfg(test)]
/// What a run of `mode` requests: the outputs, and in expression mode the frame they apply to.
pub(crate) fn request(mode: Mode) -> Vec<&'static str> {
    match mode {
        Mode::Eager => OUTPUTS.to_vec(),
        Mode::Lazy => OUTPUTS.into_iter().chain([FRAME]).collect(),
    }
}

/// The inputs of a run over the CSV file at `data_path`.
pub(crate) fn inputs(data_path: &Path) -> Inputs {
    Inputs::new().set("data_path", data_path.display().to_string())
}

/// The features from a run's outputs.
pub(crate) fn from_outputs(mode: Mode, mut out: Outputs) -> Result<Features, Box<dyn Error>> {
    match mode {
        Mode::Eager => {
            // Every data check that ran comes back with the outputs.
            let checks = out.check_reports().to_vec();
            Ok(Features {
                frame: out.to_dataframe()?,
                checks,
            })
        }
        Mode::Lazy => {
            let base = out.take::<LazyFrame>(FRAME)?;
            Ok(Features {
                frame: out.collect_exprs(base)?,
                checks: Vec::new(),
            })
        }
    }
}
