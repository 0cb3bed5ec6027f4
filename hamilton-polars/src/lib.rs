//! Polars for hamilton-core.
#![forbid(unsafe_code)]
