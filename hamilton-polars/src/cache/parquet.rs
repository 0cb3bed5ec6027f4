//! Result files of `Series` and `DataFrame` as Parquet ([`FrameFormat::Parquet`]): uncompressed
//! (random floats do not compress, and decompressing is a second copy) and without statistics.
//!
//! [`FrameFormat::Parquet`]: super::FrameFormat::Parquet

use std::io::Cursor;

use hamilton_core::node::NodeError;
use polars::prelude::*;

/// The format's name, also the result files' extension.
pub(super) const FORMAT: &str = "parquet";

/// The Parquet file of `df`.
pub(super) fn encode(mut df: DataFrame) -> Result<Vec<u8>, NodeError> {
    // Sized up front (at most the data's size: pages never written are never faulted in).
    let mut bytes = Vec::with_capacity(df.estimated_size() + 4096);
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Uncompressed)
        .with_statistics(StatisticsOptions::empty())
        .finish(&mut df)?;
    Ok(bytes)
}

/// The `DataFrame` of a Parquet file.
pub(super) fn decode(bytes: &[u8]) -> Result<DataFrame, NodeError> {
    Ok(ParquetReader::new(Cursor::new(bytes)).finish()?)
}
