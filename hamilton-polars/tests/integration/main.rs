//! The integration tests of hamilton-polars, one binary (each links Polars once).

mod cache_fingerprint_details;
mod common;
mod conversions;
mod expression_mode;
mod extract_columns;
mod extract_columns_fill;
mod frame_cache;
mod io;
mod lazy_cache;
mod materialize;
mod modifiers;
mod polars_features;
mod result_builders;
mod track_summaries;
mod values;
