//! Loaders and savers as nodes, and materialization: CSV, Parquet, Arrow IPC and JSON lines
//! through Polars' readers, writers and sinks.
//!
//! - [`csv_loader`] / [`parquet_loader`] / [`ipc_loader`] make a node producing a `DataFrame` (or, with
//!   [`Loader::lazy`], a `LazyFrame` scan); bad files are errors naming the path, and
//!   [`Loader::expect_columns`] / [`Loader::expect_schema`] check what was read. A lazy scan
//!   reads its file when its plan is collected, so a malformed row fails the node that
//!   collects it: that node's error then names the files its plan scans ([`Error::Scan`]).
//! - [`Materialize::materialize`] computes requested nodes and saves them to files in one
//!   call ([`to::csv`], [`to::parquet`], [`to::ipc`], [`to::json_lines`]); see
//!   [`materialize`].
//! - [`csv_saver`] / [`parquet_saver`] / [`ipc_saver`] / [`json_lines_saver`] make a node that
//!   writes a `DataFrame` node's value **atomically** (a temporary file in the same directory, then a rename: a failed write
//!   never leaves a half-written file) and produces [`SaveMetadata`].
//!
//! Paths are fixed ([`PathSource::path`], or any `&str`/`PathBuf`) or read from an input or
//! config value ([`PathSource::param`]).
//!
//! ```
//! use hamilton_core::{Driver, Inputs};
//! use hamilton_polars::io::{PathSource, SaveMetadata, csv_loader, parquet_saver};
//! use polars::prelude::*;
//!
//! let dir = std::env::temp_dir().join(format!("hamilton-polars-io-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("in.csv"), "week,spend\n1,10.5\n2,20.0\n").unwrap();
//!
//! let dr = Driver::builder()
//!     .with_nodes([
//!         csv_loader("marketing", PathSource::param("source")).expect_columns(["week", "spend"]).build(),
//!         parquet_saver("saved", "marketing", dir.join("out.parquet")),
//!     ])
//!     .build()
//!     .unwrap();
//! let out = dr.execute(&["saved"], Inputs::new().set("source", dir.join("in.csv").display().to_string())).unwrap();
//! let meta = out.get::<SaveMetadata>("saved").unwrap();
//! assert_eq!((meta.rows, meta.columns), (2, 2));
//! assert_eq!(meta.column_names, ["week", "spend"]);
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

//!
//! [`Error::Scan`]: crate::Error::Scan

mod atomic;
mod format;
mod load;
pub mod materialize;
mod save;
mod scan_errors;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hamilton_core::node::{Args, NodeBuilder, NodeError};

use self::format::Format;

pub use load::{Csv, FileFormat, Ipc, Loader, Parquet, csv_loader, ipc_loader, parquet_loader};
pub use materialize::{Materialize, Materialized, Materializer, to};
pub use save::{SaveMetadata, csv_saver, ipc_saver, json_lines_saver, parquet_saver};

/// The tag set on loader and saver nodes: `csv` or `parquet`.
///
/// ```
/// use hamilton_polars::io::{IO_TAG, csv_saver};
/// assert_eq!(csv_saver("saved", "frame", "out.csv").tags()[IO_TAG], "csv");
/// ```
pub const IO_TAG: &str = "hamilton.io";

/// Where a loader or saver finds its path.
///
/// ```
/// use hamilton_polars::io::PathSource;
/// assert_eq!(PathSource::from("data/x.csv"), PathSource::path("data/x.csv"));
/// assert_eq!(PathSource::param("data_path").param_name(), Some("data_path"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSource {
    /// A fixed path.
    Path(PathBuf),
    /// The `String` value of an input or config key of this name.
    Param(String),
}

impl PathSource {
    /// A fixed path.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Self::Path(path.into())
    }

    /// The path given as the input or config value `name` (a `String`).
    pub fn param(name: impl Into<String>) -> Self {
        Self::Param(name.into())
    }

    /// The input or config key read, if any.
    pub fn param_name(&self) -> Option<&str> {
        match self {
            Self::Param(name) => Some(name),
            Self::Path(_) => None,
        }
    }

    /// Adds the parameter this source reads, if any, to `builder`.
    fn declare(&self, builder: NodeBuilder) -> NodeBuilder {
        match self {
            Self::Param(name) => builder.param::<String>(name.as_str()),
            Self::Path(_) => builder,
        }
    }

    /// A resolver of the path from a node's arguments (`index` is the parameter's position).
    fn resolver(&self, index: usize) -> PathResolver {
        match self {
            Self::Path(path) => PathResolver::Fixed(path.as_path().into()),
            Self::Param(_) => PathResolver::Arg(index),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Path(path) => format!("`{}`", path.display()),
            Self::Param(name) => format!("the path in `{name}`"),
        }
    }
}

impl From<&str> for PathSource {
    fn from(path: &str) -> Self {
        Self::path(path)
    }
}

impl From<String> for PathSource {
    fn from(path: String) -> Self {
        Self::path(path)
    }
}

impl From<PathBuf> for PathSource {
    fn from(path: PathBuf) -> Self {
        Self::Path(path)
    }
}

impl From<&Path> for PathSource {
    fn from(path: &Path) -> Self {
        Self::path(path)
    }
}

/// How a node finds its path when it runs.
#[derive(Clone)]
enum PathResolver {
    Fixed(Arc<Path>),
    Arg(usize),
}

impl PathResolver {
    fn resolve(&self, args: &Args<'_>) -> Result<PathBuf, NodeError> {
        Ok(match self {
            Self::Fixed(path) => path.to_path_buf(),
            Self::Arg(index) => PathBuf::from(args.get::<String>(*index)?),
        })
    }
}
