//! Run tracking (feature `track`): every run and every node run recorded in a SQLite file, for
//! the UI, the report and the command line.
//!
//! The database's tables are in [`SCHEMA`]; a value is kept as its [`Summary`], never itself.

pub mod read;
pub mod summary;

#[cfg(test)]
pub(crate) mod fixture;

pub use summary::Summary;

/// The tracker database's schema (SQLite): the contract between the tracker that writes it and
/// the UI, report and command line that read it.
///
/// ```
/// assert!(hamilton_core::track::SCHEMA.contains("CREATE TABLE IF NOT EXISTS node_runs"));
/// ```
pub const SCHEMA: &str = include_str!("schema.sql");
