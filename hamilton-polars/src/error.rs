//! The errors of hamilton-polars: each names the node or output, what was expected, what was
//! found, and the fix.

use std::fmt;
use std::path::PathBuf;

use polars::prelude::{DataType, PolarsError};

/// An error of hamilton-polars.
///
/// Nodes built by this crate return it; hamilton-core wraps it as
/// `hamilton_core::Error::NodeFailed { node, source }` (or, for conversions, as
/// `hamilton_core::Error::Conversion`), so `source.downcast_ref::<hamilton_polars::Error>()`
/// gives it back. The result builders ([`to_dataframe`](crate::to_dataframe),
/// [`collect_exprs`](crate::collect_exprs)) return it directly.
///
/// ```
/// use hamilton_polars::Error;
/// let e = Error::HeightMismatch { heights: vec![("a".into(), 3), ("b".into(), 2)] };
/// assert!(e.to_string().contains("`a` has 3 rows, `b` has 2 rows"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A Series has another dtype than the typed chunked array a parameter reads.
    #[error(
        "Series `{series}` has dtype {found}, expected {expected}; cast it with `.cast(&DataType::{expected:?})` upstream"
    )]
    DType {
        /// The Series' own name.
        series: String,
        /// The dtype the parameter reads.
        expected: DataType,
        /// The Series' dtype.
        found: DataType,
    },
    /// Outputs to be put in one DataFrame have different heights.
    #[error(
        "cannot put the outputs in one DataFrame: their heights differ ({}); request outputs of one height, or aggregate the odd ones to scalars (scalars are broadcast)",
        Heights(.heights)
    )]
    HeightMismatch {
        /// Each column-like output and its height, in request order.
        heights: Vec<(String, usize)>,
    },
    /// An output cannot become a DataFrame column.
    #[error("output `{name}` is a `{type_name}`: {hint}")]
    UnsupportedOutput {
        /// The output.
        name: String,
        /// Its type.
        type_name: String,
        /// What to do instead.
        hint: String,
    },
    /// Two columns of a result would share a name.
    #[error("column `{name}` would appear twice in the result; {hint}")]
    DuplicateColumn {
        /// The shared name.
        name: String,
        /// How it came about and what to do.
        hint: String,
    },
    /// A column asked for is not in the frame.
    #[error(
        "{} has no column `{column}`; its columns are: {}; fix the column name, or give a fill value (`extract_columns(.., fill_with = ..)`, `extract_columns_with_fill`)",
        .node.as_ref().map_or_else(|| "the frame".to_string(), |n| format!("node `{n}`")),
        List(.available)
    )]
    MissingColumn {
        /// The frame node, when known (the column extractors of `#[node(extract_columns(..))]`
        /// only see the frame; the failing column node is named by hamilton-core).
        node: Option<String>,
        /// The column asked for.
        column: String,
        /// The frame's columns.
        available: Vec<String>,
    },
    /// A node's type does not support the operation.
    #[error("cannot {operation} node `{node}`: it produces `{type_name}`, expected {expected}")]
    UnsupportedNode {
        /// The node.
        node: String,
        /// What was attempted (e.g. "extract columns from").
        operation: &'static str,
        /// The node's output type.
        type_name: String,
        /// The types supported.
        expected: &'static str,
    },
    /// An argument to a node factory is unusable (empty list, duplicate name, ...).
    #[error("{0}")]
    Usage(String),
    /// A file to load does not exist.
    #[error(
        "file `{}` does not exist (working directory: `{}`); fix the path, or pass another one",
        .path.display(), .cwd.display()
    )]
    FileNotFound {
        /// The path given.
        path: PathBuf,
        /// The working directory relative paths are resolved from.
        cwd: PathBuf,
    },
    /// A file could not be read or parsed.
    #[error("cannot read {format} file `{}`: {source}", .path.display())]
    Read {
        /// "CSV", "Parquet" or "IPC".
        format: &'static str,
        /// The path.
        path: PathBuf,
        /// Polars' error.
        #[source]
        source: PolarsError,
    },
    /// A node reading a lazy scan failed with a Polars error: a scan reads its files when its
    /// plan is collected, so errors in reading them (a malformed row, a changed file) come
    /// from the node that collects it. Names the files the plan scans.
    #[error("in a plan that scans {}: {source}", Files(.files))]
    Scan {
        /// The files the plan scans, each with its format ("CSV", "Parquet", ...).
        files: Vec<(&'static str, PathBuf)>,
        /// Polars' error.
        #[source]
        source: PolarsError,
    },
    /// A loaded file lacks expected columns or has other dtypes.
    #[error(
        "file `{}` does not have the expected schema: {}; its columns are: {}",
        .path.display(), .problems.join("; "), List(.found)
    )]
    Schema {
        /// The path.
        path: PathBuf,
        /// Each problem found ("missing column `spend`", ...).
        problems: Vec<String>,
        /// The file's columns with their dtypes.
        found: Vec<String>,
    },
    /// A file could not be written; the destination was left untouched.
    #[error(
        "cannot write {format} file `{}`: {source}; the destination was left untouched (files are written to a temporary file and renamed)",
        .path.display()
    )]
    Write {
        /// "CSV", "Parquet" or "IPC".
        format: &'static str,
        /// The destination.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A Polars operation failed.
    #[error("{context}: {source}")]
    Polars {
        /// What was being done.
        context: String,
        /// Polars' error.
        #[source]
        source: PolarsError,
    },
}

impl Error {
    /// Wraps a Polars error with what was being done.
    pub(crate) fn polars(context: impl Into<String>) -> impl FnOnce(PolarsError) -> Self {
        let context = context.into();
        move |source| Self::Polars { context, source }
    }
}

struct Heights<'a>(&'a [(String, usize)]);

impl fmt::Display for Heights<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, height)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            let rows = if *height == 1 { "row" } else { "rows" };
            write!(f, "`{name}` has {height} {rows}")?;
        }
        Ok(())
    }
}

struct Files<'a>(&'a [(&'static str, PathBuf)]);

impl fmt::Display for Files<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (format, path)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{format} file `{}`", path.display())?;
        }
        Ok(())
    }
}

struct List<'a>(&'a [String]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(none)");
        }
        f.write_str(&self.0.join(", "))
    }
}

/// Polars integration errors as [`hamilton_core::Error::ResultBuilder`], so `?` works in code
/// returning the core error.
///
/// ```
/// let e = hamilton_polars::Error::Usage("no outputs".into());
/// let core: hamilton_core::Error = e.into();
/// assert!(matches!(core, hamilton_core::Error::ResultBuilder { builder: "hamilton-polars", .. }));
/// ```
impl From<Error> for hamilton_core::Error {
    fn from(e: Error) -> Self {
        hamilton_core::Error::ResultBuilder {
            builder: "hamilton-polars",
            source: Box::new(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_error_names_both_dtypes_and_the_cast() {
        let e = Error::DType {
            series: "spend".into(),
            expected: DataType::Float64,
            found: DataType::Int64,
        };
        assert_eq!(
            e.to_string(),
            "Series `spend` has dtype i64, expected f64; cast it with `.cast(&DataType::Float64)` upstream"
        );
    }

    #[test]
    fn missing_column_lists_the_available_columns() {
        let e = Error::MissingColumn {
            node: Some("marketing".into()),
            column: "spnd".into(),
            available: vec!["year".into(), "spend".into()],
        };
        let text = e.to_string();
        assert!(text.contains("node `marketing` has no column `spnd`"));
        assert!(text.contains("its columns are: year, spend"));
    }

    #[test]
    fn height_mismatch_says_row_for_one() {
        let e = Error::HeightMismatch {
            heights: vec![("a".into(), 1), ("b".into(), 2)],
        };
        assert!(e.to_string().contains("`a` has 1 row, `b` has 2 rows"));
    }
}
