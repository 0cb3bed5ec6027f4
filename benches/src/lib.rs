//! Benchmarks for hamilton-rs.
