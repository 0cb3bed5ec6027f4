//! Loader nodes: read a CSV or Parquet file into a `DataFrame`, or scan it as a `LazyFrame`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hamilton_core::node::{Args, Node, NodeError};
use polars::prelude::*;

use super::{Format, IO_TAG, PathSource};
use crate::error::Error;

/// A loader node being configured; [`build`](Loader::build) makes the node.
///
/// ```
/// use hamilton_polars::io::{PathSource, csv_loader};
/// use polars::prelude::DataType;
/// let node = csv_loader("marketing", PathSource::param("data_path"))
///     .expect_schema([("week", DataType::Int64), ("spend", DataType::Float64)])
///     .lazy()
///     .build();
/// assert_eq!(node.name(), "marketing");
/// assert_eq!(node.output().name(), "LazyFrame");
/// assert_eq!(node.params()[0].name(), "data_path");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Loader {
    name: String,
    format: Format,
    source: PathSource,
    lazy: bool,
    expected: Vec<(String, Option<DataType>)>,
}

/// A node named `name` reading the CSV file at `source` (with a header row; dtypes inferred).
///
/// ```
/// use hamilton_polars::io::csv_loader;
/// let node = csv_loader("marketing", "data/marketing.csv").build();
/// assert_eq!(node.output().name(), "DataFrame");
/// assert!(node.params().is_empty());
/// ```
pub fn csv_loader(name: impl Into<String>, source: impl Into<PathSource>) -> Loader {
    Loader::new(name.into(), Format::Csv, source.into())
}

/// A node named `name` reading the Parquet file at `source`.
///
/// ```
/// use hamilton_polars::io::{PathSource, parquet_loader};
/// let node = parquet_loader("features", PathSource::param("features_path")).build();
/// assert_eq!(node.tags()["hamilton.io"], "parquet");
/// ```
pub fn parquet_loader(name: impl Into<String>, source: impl Into<PathSource>) -> Loader {
    Loader::new(name.into(), Format::Parquet, source.into())
}

impl Loader {
    fn new(name: String, format: Format, source: PathSource) -> Self {
        Self {
            name,
            format,
            source,
            lazy: false,
            expected: Vec::new(),
        }
    }

    /// Produce a `LazyFrame` scan instead of a `DataFrame`: nothing is read but the schema
    /// until the plan is collected, and then only the columns and rows it needs.
    pub fn lazy(mut self) -> Self {
        self.lazy = true;
        self
    }

    /// Fail, naming the path, unless the file has these columns (others are allowed).
    pub fn expect_columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expected
            .extend(columns.into_iter().map(|c| (c.into(), None)));
        self
    }

    /// Fail, naming the path, unless the file has these columns with these dtypes (others
    /// are allowed).
    pub fn expect_schema<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = (S, DataType)>,
        S: Into<String>,
    {
        self.expected
            .extend(columns.into_iter().map(|(c, t)| (c.into(), Some(t))));
        self
    }

    /// The node.
    pub fn build(self) -> Node {
        let Loader {
            name,
            format,
            source,
            lazy,
            expected,
        } = self;
        let doc = format!(
            "Loads {} from {}{}.",
            if lazy {
                "a LazyFrame scan"
            } else {
                "a DataFrame"
            },
            format.name(),
            match &source {
                PathSource::Path(p) => format!(" file `{}`", p.display()),
                PathSource::Param(p) => format!(" (path from `{p}`)"),
            }
        );
        let builder = source.declare(
            Node::builder(name)
                .doc(doc)
                .tag(IO_TAG, format.tag())
                .tag("hamilton.io.kind", "loader"),
        );
        let path = source.resolver(0);
        let expected: Arc<[(String, Option<DataType>)]> = expected.into();
        if lazy {
            builder.build(move |args: &Args| -> Result<LazyFrame, NodeError> {
                let path = path.resolve(args)?;
                let mut frame = scan(format, &path)?;
                let schema = frame.collect_schema().map_err(|source| Error::Read {
                    format: format.name(),
                    path: path.clone(),
                    source,
                })?;
                check_schema(&path, &schema, &expected)?;
                Ok(frame)
            })
        } else {
            builder.build(move |args: &Args| -> Result<DataFrame, NodeError> {
                let path = path.resolve(args)?;
                let frame = read(format, &path)?;
                check_schema(&path, frame.schema(), &expected)?;
                Ok(frame)
            })
        }
    }
}

impl From<Loader> for Node {
    fn from(loader: Loader) -> Node {
        loader.build()
    }
}

fn ensure_exists(path: &Path) -> Result<(), Error> {
    if path.exists() {
        return Ok(());
    }
    Err(Error::FileNotFound {
        path: path.to_path_buf(),
        cwd: std::env::current_dir().unwrap_or_default(),
    })
}

fn read(format: Format, path: &Path) -> Result<DataFrame, Error> {
    ensure_exists(path)?;
    let read_error = |source| Error::Read {
        format: format.name(),
        path: path.to_path_buf(),
        source,
    };
    match format {
        Format::Csv => CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|reader| reader.finish())
            .map_err(read_error),
        Format::Parquet => File::open(path)
            .map_err(PolarsError::from)
            .and_then(|file| ParquetReader::new(file).finish())
            .map_err(read_error),
    }
}

fn scan(format: Format, path: &Path) -> Result<LazyFrame, Error> {
    ensure_exists(path)?;
    let read_error = |source| Error::Read {
        format: format.name(),
        path: path.to_path_buf(),
        source,
    };
    let pl_path = PlRefPath::try_from_path(path).map_err(read_error)?;
    match format {
        Format::Csv => LazyCsvReader::new(pl_path)
            .with_has_header(true)
            .finish()
            .map_err(read_error),
        Format::Parquet => {
            LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default()).map_err(read_error)
        }
    }
}

fn check_schema(
    path: &Path,
    schema: &Schema,
    expected: &[(String, Option<DataType>)],
) -> Result<(), Error> {
    let mut problems = Vec::new();
    for (name, dtype) in expected {
        match (schema.get(name), dtype) {
            (None, _) => problems.push(format!("missing column `{name}`")),
            (Some(found), Some(want)) if found != want => problems.push(format!(
                "column `{name}` has dtype {found}, expected {want}"
            )),
            _ => {}
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::Schema {
        path: PathBuf::from(path),
        problems,
        found: schema
            .iter()
            .map(|(name, dtype)| format!("{name}: {dtype}"))
            .collect(),
    })
}
