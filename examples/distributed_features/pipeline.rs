//! The dataflow: the partitions fan out, each one's rows are generated and its features
//! computed on a worker (the marketing features, reused), and the driver stacks the features of
//! every partition into one frame.

use hamilton_core::fanout::{Collect, Parallel};
use hamilton_core::{DriverBuilder, Inputs, node};
use polars::prelude::*;

use crate::partitions::{Partition, plan};

hamilton_core::module!();

/// The node whose value is the features of every partition, stacked.
pub(crate) const OUTPUT: &str = "features";

/// The features each partition's frame gets, by the marketing features' node names.
pub(crate) const FEATURES: [&str; 4] = [
    "avg_3wk_spend",
    "spend_per_signup",
    "spend_shift_3weeks_per_signup",
    "spend_zero_mean_unit_variance",
];

/// The data set's partitions: one per region and year, `rows` rows in all, from `seed`.
#[node]
pub(crate) fn partitions(rows: &u64, seed: &u64) -> Parallel<Partition> {
    plan(*rows, *seed).into()
}

/// One partition's rows, generated where the partition runs; its `signups` and `spend` columns
/// are the nodes the marketing features read.
#[node(extract_columns(signups, spend))]
pub(crate) fn partition_frame(partitions: &Partition) -> PolarsResult<DataFrame> {
    crate::generate::rows(partitions)
}

/// One partition's rows with its features.
#[node]
pub(crate) fn partition_features(
    partition_frame: &DataFrame,
    avg_3wk_spend: &Series,
    spend_per_signup: &Series,
    spend_shift_3weeks_per_signup: &Series,
    spend_zero_mean_unit_variance: &Series,
) -> PolarsResult<DataFrame> {
    let mut frame = partition_frame.clone();
    let columns = [
        avg_3wk_spend,
        spend_per_signup,
        spend_shift_3weeks_per_signup,
        spend_zero_mean_unit_variance,
    ];
    for (name, column) in FEATURES.into_iter().zip(columns) {
        frame.with_column(column.clone().with_name(name.into()).into_column())?;
    }
    Ok(frame)
}

/// The features of every partition, stacked in partition order.
#[node]
pub(crate) fn features(partition_features: Collect<DataFrame>) -> PolarsResult<DataFrame> {
    let mut frames = partition_features.0.into_iter();
    let mut all = frames
        .next()
        .ok_or_else(|| polars_err!(NoData: "there are no partitions to stack"))?;
    for frame in frames {
        all.vstack_mut_owned(frame)?;
    }
    Ok(all)
}

/// The dataflow, the same for the driver, its workers and a local run.
pub(crate) fn builder() -> DriverBuilder {
    let mut builder =
        hamilton_core::Driver::builder().with_modules([MODULE, crate::features::MODULE]);
    // Naming hamilton-polars links it, and with it what it registers: its conversions (a
    // `Series` read as `&Float64Chunked`), its column extractors (`extract_columns`) and its
    // value encoders (frames cross to the workers as Arrow IPC).
    for conversion in hamilton_polars::conversions() {
        builder = builder.with_conversion(conversion);
    }
    builder
}

/// The inputs of a run over `rows` generated rows.
pub(crate) fn inputs(rows: u64, seed: u64) -> Inputs {
    Inputs::new().set("rows", rows).set("seed", seed)
}
