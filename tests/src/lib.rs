//! Scenarios that cross crates (hamilton-core with hamilton-macros and hamilton-polars) live in
//! `tests/tests/`. A test of one crate's behaviour lives in that crate's own `tests/` folder:
//! hamilton-core's behaviour (`#[node]` included) in `hamilton-core/tests/`. See CONTRIBUTING.md.
