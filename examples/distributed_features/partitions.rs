//! How the generated data set is split: one partition per region and year, each a contiguous
//! range of the data set's rows with its own random stream. A partition describes its rows; the
//! worker that takes it generates them.

use std::ops::RangeInclusive;

/// The regions of the data set.
pub(crate) const REGIONS: [&str; 4] = ["UK", "US", "DE", "FR"];

/// The years of the data set.
pub(crate) const YEARS: RangeInclusive<i64> = 2020..=2024;

/// One region's rows of one year: what a worker needs to generate them, not the rows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Partition {
    /// The partition's index among all partitions: its random stream.
    pub(crate) index: u64,
    pub(crate) region: String,
    pub(crate) year: i64,
    /// The data set's row number of the partition's first row.
    pub(crate) first_row: u64,
    /// How many rows the partition has.
    pub(crate) rows: u64,
    /// The data set's seed, shared by all partitions.
    pub(crate) seed: u64,
}

// Partitions cross to the workers encoded with postcard.
hamilton_core::register_cache_type!(hamilton_core::cache::CacheType::serde::<Partition>());

/// The partitions of a data set of `rows` rows generated from `seed`: every (region, year),
/// in that order, with the rows split as evenly as they divide.
pub(crate) fn plan(rows: u64, seed: u64) -> Vec<Partition> {
    let keys: Vec<(&str, i64)> = REGIONS
        .iter()
        .flat_map(|region| YEARS.map(move |year| (*region, year)))
        .collect();
    let count = keys.len() as u64;
    keys.into_iter()
        .zip(0..)
        .map(|((region, year), index)| {
            let first_row = rows * index / count;
            Partition {
                index,
                region: region.to_string(),
                year,
                first_row,
                rows: rows * (index + 1) / count - first_row,
                seed,
            }
        })
        .collect()
}
