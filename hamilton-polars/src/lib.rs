//! Polars for [hamilton-core](hamilton_core): Polars values as node values, typed chunked
//! arrays as parameters, result builders, column extraction, expression mode, data checks and
//! loaders/savers.
//!
//! | need | use |
//! |---|---|
//! | `Series`, `Column`, `DataFrame`, `LazyFrame`, `Expr` as node values | nothing: any `Send + Sync + 'static` type is a node value |
//! | a parameter that reads `&Float64Chunked` (dtype checked as the value flows) | the [`conversions`], registered automatically (see there for the linking caveat) |
//! | the outputs as one `DataFrame` | [`to_dataframe`] / [`OutputsExt::to_dataframe`] |
//! | `Expr` nodes as one lazy plan, collected once | [`collect_exprs`], [`to_lazyframe`] |
//! | one node per column of a frame node | [`extract_columns`], [`extract_columns_with_fill`]; `#[node(extract_columns(..))]` through the registered [`column_extractors`] |
//! | data-check validators for Series (`#[node(check(..))]`) | [`checks`] |
//! | CSV/Parquet/IPC loaders with read options, and atomic savers, as nodes | [`io`] |
//!
//! Failures are [`Error`]s whose messages name the node or output, what was expected, what
//! was found and the fix; inside a run hamilton-core wraps them with the failing node's name.
//!
//! Polars is pinned (`=0.55.2`) and re-exported as [`polars`], so a crate using this one can
//! name the same version.
//!
//! # Polars features
//!
//! Polars builds only the features asked for. Node code that needs more of it (`.str()`,
//! `.diff()`, `.cum_sum()`, ...) enables the feature through this crate, which passes it on to
//! the one Polars of the build: `strings`, `diff`, `cum_agg`, `abs`, `round_series`,
//! `pct_change`, `rank`, `mode`, `unique_counts`, `is_between`, `log`, `interpolate`, `moment`,
//! `replace`, `top_k`, `concat_str`, `regex`, `string_pad`, `list_eval`, `pivot`,
//! `cross_join`, `semi_anti_join`, `asof_join`, `dynamic_group_by`, `timezones`,
//! `dtype-full`, `dtype-categorical`, `dtype-struct`, `dtype-decimal`, `dtype-array`:
//!
//! ```toml
//! hamilton-polars = { version = "0.1", features = ["strings", "diff", "cum_agg"] }
//! ```
//!
//! Any other Polars feature: name Polars at the same pinned version in your own `Cargo.toml`
//! (`polars = { version = "=0.55.2", default-features = false, features = [..] }`); Cargo
//! builds one Polars with the union of the features. Never another version: that would be a
//! second Polars whose `DataFrame` is not this crate's.
//!
//! ```
//! use hamilton_core::{Driver, Inputs, node::{Args, Node}};
//! use hamilton_polars::{OutputsExt, extract_columns};
//! use polars::prelude::*;
//!
//! let frame = Node::builder("marketing")
//!     .build(|_: &Args| Ok(df!("spend" => [10.0, 20.0, 30.0], "signups" => [1_i64, 2, 3])?));
//! let per_signup = Node::builder("spend_per_signup")
//!     .param::<Float64Chunked>("spend") // a typed parameter: the Series' dtype is checked
//!     .param::<Series>("signups")
//!     .build(|a: &Args| Ok((&a.get::<Float64Chunked>(0)?.clone().into_series() / a.get::<Series>(1)?)?));
//! let dr = Driver::builder()
//!     .with_nodes(extract_columns(frame, &["spend", "signups"]).unwrap())
//!     .with_nodes([per_signup])
//!     .build()
//!     .unwrap();
//! let df = dr.execute(&["spend", "spend_per_signup"], Inputs::new()).unwrap().to_dataframe().unwrap();
//! let names: Vec<&str> = df.get_column_names().into_iter().map(|n| n.as_str()).collect();
//! assert_eq!(names, ["spend", "spend_per_signup"]);
//! assert_eq!(df.column("spend_per_signup").unwrap().f64().unwrap().get(2), Some(10.0));
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "cache")]
pub mod cache;
pub mod checks;
mod convert;
mod error;
mod exprs;
mod extract;
pub mod io;
mod piece;
mod result;
#[cfg(feature = "track")]
pub mod track;

pub use convert::conversions;
pub use error::Error;
pub use exprs::{collect_exprs, to_lazyframe};
pub use extract::{EXTRACT_TAG, column_extractors, extract_columns, extract_columns_with_fill};
pub use polars;
pub use result::{OutputsExt, to_dataframe};
