//! A partition's rows, generated from its description alone: the same partition gives the same
//! rows on any machine, in any order of partitions.

use polars::prelude::*;
use rand::RngExt;
use rand_pcg::Pcg64;

use crate::partitions::Partition;

/// The rows of `partition`: `row` (the data set's row number), `region`, `year`, `week` (1 to
/// 52, repeating), `signups` (1 to 500) and `spend` (2 to 20 per signup), in row order.
pub(crate) fn rows(partition: &Partition) -> PolarsResult<DataFrame> {
    let len = usize::try_from(partition.rows).map_err(|_| {
        polars_err!(
            ComputeError: "partition {} has {} rows, more than this machine can address",
            partition.index,
            partition.rows
        )
    })?;
    // PCG's streams: one per partition, from the data set's seed.
    let mut rng = Pcg64::new(u128::from(partition.seed), u128::from(partition.index));
    let mut signups = Vec::with_capacity(len);
    let mut spend = Vec::with_capacity(len);
    for _ in 0..len {
        let s: i64 = rng.random_range(1..=500);
        signups.push(s);
        spend.push(s as f64 * rng.random_range(2.0..20.0));
    }
    let first = partition.first_row as i64;
    let row = Int64Chunked::from_iter_values("row".into(), first..first + len as i64);
    let week = Int64Chunked::from_iter_values("week".into(), (0..len as i64).map(|i| i % 52 + 1));
    DataFrame::new(
        len,
        vec![
            row.into_column(),
            StringChunked::full("region".into(), &partition.region, len).into_column(),
            Int64Chunked::full("year".into(), partition.year, len).into_column(),
            week.into_column(),
            Column::new("signups".into(), signups),
            Column::new("spend".into(), spend),
        ],
    )
}
