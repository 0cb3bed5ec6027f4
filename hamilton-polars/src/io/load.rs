//! Loader nodes: read a CSV, Parquet or Arrow IPC file into a `DataFrame`, or scan it as a
//! `LazyFrame`, with the format's read options.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hamilton_core::node::{Args, Node, NodeError};
use polars::prelude::*;

use super::{Format, IO_TAG, PathSource};
use crate::error::Error;

/// A loader node being configured; [`build`](Loader::build) makes the node. `F` is the file
/// format ([`Csv`], [`Parquet`] or [`Ipc`]): a CSV loader has CSV's read options
/// ([`separator`](Loader::separator), [`null_values`](Loader::null_values),
/// [`schema_overrides`](Loader::schema_overrides), ...), every loader a projection
/// ([`columns`](Loader::columns)) and a row limit ([`n_rows`](Loader::n_rows)).
///
/// ```
/// use hamilton_polars::io::{PathSource, csv_loader};
/// use polars::prelude::DataType;
/// let node = csv_loader("marketing", PathSource::param("data_path"))
///     .separator(b';')
///     .expect_schema([("week", DataType::Int64), ("spend", DataType::Float64)])
///     .lazy()
///     .build();
/// assert_eq!(node.name(), "marketing");
/// assert_eq!(node.output().name(), "LazyFrame");
/// assert_eq!(node.params()[0].name(), "data_path");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Loader<F = Csv> {
    name: String,
    source: PathSource,
    lazy: bool,
    expected: Vec<(String, Option<DataType>)>,
    columns: Option<Vec<String>>,
    n_rows: Option<usize>,
    format: F,
}

/// The CSV format and its read options (defaults: a header row, `,` separated, `"` quoted,
/// dtypes inferred from the first 100 rows, no null values but empty fields).
///
/// ```
/// use hamilton_polars::io::csv_loader;
/// let node = csv_loader("orders", "orders.csv").separator(b'\t').has_header(false).build();
/// assert_eq!(node.tags()["hamilton.io"], "csv");
/// ```
#[derive(Clone, Debug)]
pub struct Csv {
    separator: u8,
    has_header: bool,
    quote_char: Option<u8>,
    null_values: Vec<String>,
    schema_overrides: Vec<(String, DataType)>,
    try_parse_dates: bool,
    skip_rows: usize,
    infer_schema_length: Option<usize>,
    ignore_errors: bool,
    comment_prefix: Option<String>,
    decimal_comma: bool,
}

impl Default for Csv {
    fn default() -> Self {
        Self {
            separator: b',',
            has_header: true,
            quote_char: Some(b'"'),
            null_values: Vec::new(),
            schema_overrides: Vec::new(),
            try_parse_dates: false,
            skip_rows: 0,
            infer_schema_length: Some(100),
            ignore_errors: false,
            comment_prefix: None,
            decimal_comma: false,
        }
    }
}

/// The Parquet format.
///
/// ```
/// use hamilton_polars::io::parquet_loader;
/// let node = parquet_loader("features", "features.parquet").columns(["week"]).build();
/// assert_eq!(node.tags()["hamilton.io"], "parquet");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Parquet;

/// The Arrow IPC (Feather v2) format.
///
/// ```
/// use hamilton_polars::io::ipc_loader;
/// let node = ipc_loader("features", "features.arrow").n_rows(10).build();
/// assert_eq!(node.tags()["hamilton.io"], "ipc");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Ipc;

/// A file format a [`Loader`] reads: [`Csv`], [`Parquet`] or [`Ipc`].
pub trait FileFormat: Clone + Send + Sync + 'static + private::Scan {}

impl FileFormat for Csv {}
impl FileFormat for Parquet {}
impl FileFormat for Ipc {}

mod private {
    use super::*;

    /// How a format scans a file (sealed: the formats are this module's).
    pub trait Scan {
        fn format(&self) -> Format;
        fn scan(&self, path: PlRefPath) -> PolarsResult<LazyFrame>;
    }

    impl Scan for Csv {
        fn format(&self) -> Format {
            Format::Csv
        }

        fn scan(&self, path: PlRefPath) -> PolarsResult<LazyFrame> {
            let overrides = (!self.schema_overrides.is_empty()).then(|| {
                Arc::new(Schema::from_iter(
                    self.schema_overrides
                        .iter()
                        .map(|(name, dtype)| Field::new(name.into(), dtype.clone())),
                ))
            });
            let null_values = (!self.null_values.is_empty()).then(|| {
                NullValues::AllColumns(self.null_values.iter().map(|v| v.into()).collect())
            });
            LazyCsvReader::new(path)
                .with_has_header(self.has_header)
                .with_separator(self.separator)
                .with_quote_char(self.quote_char)
                .with_null_values(null_values)
                .with_dtype_overwrite(overrides)
                .with_try_parse_dates(self.try_parse_dates)
                .with_skip_rows(self.skip_rows)
                .with_infer_schema_length(self.infer_schema_length)
                .with_ignore_errors(self.ignore_errors)
                .with_comment_prefix(self.comment_prefix.as_deref().map(Into::into))
                .with_decimal_comma(self.decimal_comma)
                .finish()
        }
    }

    impl Scan for Parquet {
        fn format(&self) -> Format {
            Format::Parquet
        }

        fn scan(&self, path: PlRefPath) -> PolarsResult<LazyFrame> {
            LazyFrame::scan_parquet(path, ScanArgsParquet::default())
        }
    }

    impl Scan for Ipc {
        fn format(&self) -> Format {
            Format::Ipc
        }

        fn scan(&self, path: PlRefPath) -> PolarsResult<LazyFrame> {
            LazyFrame::scan_ipc(path, Default::default(), Default::default())
        }
    }
}

/// A node named `name` reading the CSV file at `source`, with CSV's read options (see
/// [`Csv`]): by default a header row and dtypes inferred.
///
/// ```
/// use hamilton_polars::io::csv_loader;
/// use polars::prelude::DataType;
/// let node = csv_loader("marketing", "data/marketing.csv")
///     .null_values(["NA", "-"])
///     .schema_overrides([("region", DataType::String)])
///     .try_parse_dates(true)
///     .build();
/// assert_eq!(node.output().name(), "DataFrame");
/// assert!(node.params().is_empty());
/// ```
pub fn csv_loader(name: impl Into<String>, source: impl Into<PathSource>) -> Loader<Csv> {
    Loader::new(name.into(), source.into(), Csv::default())
}

/// A node named `name` reading the Parquet file at `source`.
///
/// ```
/// use hamilton_polars::io::{PathSource, parquet_loader};
/// let node = parquet_loader("features", PathSource::param("features_path")).build();
/// assert_eq!(node.tags()["hamilton.io"], "parquet");
/// ```
pub fn parquet_loader(name: impl Into<String>, source: impl Into<PathSource>) -> Loader<Parquet> {
    Loader::new(name.into(), source.into(), Parquet)
}

/// A node named `name` reading the Arrow IPC (Feather v2) file at `source`.
///
/// ```
/// use hamilton_polars::io::ipc_loader;
/// let node = ipc_loader("features", "features.arrow").lazy().build();
/// assert_eq!(node.output().name(), "LazyFrame");
/// ```
pub fn ipc_loader(name: impl Into<String>, source: impl Into<PathSource>) -> Loader<Ipc> {
    Loader::new(name.into(), source.into(), Ipc)
}

impl<F: FileFormat> Loader<F> {
    fn new(name: String, source: PathSource, format: F) -> Self {
        Self {
            name,
            source,
            lazy: false,
            expected: Vec::new(),
            columns: None,
            n_rows: None,
            format,
        }
    }

    /// Produce a `LazyFrame` scan instead of a `DataFrame`: nothing is read but the schema
    /// until the plan is collected, and then only the columns and rows it needs.
    pub fn lazy(mut self) -> Self {
        self.lazy = true;
        self
    }

    /// Read only these columns, in this order (a missing one is an error naming the path and
    /// listing the file's columns).
    ///
    /// ```
    /// use hamilton_polars::io::parquet_loader;
    /// let node = parquet_loader("p", "in.parquet").columns(["week", "spend"]).build();
    /// assert_eq!(node.name(), "p");
    /// ```
    pub fn columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Read at most `n` rows (from the start of the file).
    ///
    /// ```
    /// use hamilton_polars::io::ipc_loader;
    /// let node = ipc_loader("sample", "in.arrow").n_rows(1_000).build();
    /// assert_eq!(node.name(), "sample");
    /// ```
    pub fn n_rows(mut self, n: usize) -> Self {
        self.n_rows = Some(n);
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
        let format = self.format.format();
        let doc = format!(
            "Loads {} from {}{}.",
            if self.lazy {
                "a LazyFrame scan"
            } else {
                "a DataFrame"
            },
            format.name(),
            match &self.source {
                PathSource::Path(p) => format!(" file `{}`", p.display()),
                PathSource::Param(p) => format!(" (path from `{p}`)"),
            }
        );
        let builder = self.source.declare(
            Node::builder(self.name.clone())
                .doc(doc)
                .tag(IO_TAG, format.tag())
                .tag("hamilton.io.kind", "loader"),
        );
        let path = self.source.resolver(0);
        let lazy = self.lazy;
        let read = Arc::new(Read {
            format: self.format,
            expected: self.expected,
            columns: self.columns,
            n_rows: self.n_rows,
        });
        if lazy {
            builder.build(move |args: &Args| -> Result<LazyFrame, NodeError> {
                Ok(read.scan(&path.resolve(args)?)?)
            })
        } else {
            builder.build(move |args: &Args| -> Result<DataFrame, NodeError> {
                let path = path.resolve(args)?;
                let frame = read.scan(&path)?;
                Ok(frame.collect().map_err(read.error(&path))?)
            })
        }
    }
}

impl<F: FileFormat> From<Loader<F>> for Node {
    fn from(loader: Loader<F>) -> Node {
        loader.build()
    }
}

impl Loader<Csv> {
    /// The field separator (default `,`).
    ///
    /// ```
    /// use hamilton_polars::io::csv_loader;
    /// let node = csv_loader("orders", "orders.csv").separator(b';').build();
    /// assert_eq!(node.name(), "orders");
    /// ```
    pub fn separator(mut self, separator: u8) -> Self {
        self.format.separator = separator;
        self
    }

    /// Whether the first row holds the column names (default `true`; without, columns are
    /// named `column_1`, `column_2`, ...).
    pub fn has_header(mut self, has_header: bool) -> Self {
        self.format.has_header = has_header;
        self
    }

    /// The quote character (default `"`; `None`: no quoting).
    pub fn quote_char(mut self, quote_char: Option<u8>) -> Self {
        self.format.quote_char = quote_char;
        self
    }

    /// Fields read as null, in every column (e.g. `["NA", "-"]`).
    ///
    /// ```
    /// use hamilton_polars::io::csv_loader;
    /// let node = csv_loader("orders", "orders.csv").null_values(["NA"]).build();
    /// assert_eq!(node.name(), "orders");
    /// ```
    pub fn null_values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.format.null_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// These columns read with these dtypes instead of inferred ones (others are inferred).
    ///
    /// ```
    /// use hamilton_polars::io::csv_loader;
    /// use polars::prelude::DataType;
    /// let node = csv_loader("orders", "orders.csv")
    ///     .schema_overrides([("zip", DataType::String), ("amount", DataType::Float64)])
    ///     .build();
    /// assert_eq!(node.name(), "orders");
    /// ```
    pub fn schema_overrides<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = (S, DataType)>,
        S: Into<String>,
    {
        self.format
            .schema_overrides
            .extend(columns.into_iter().map(|(c, t)| (c.into(), t)));
        self
    }

    /// Parse columns that look like dates or datetimes as such (default `false`: strings).
    pub fn try_parse_dates(mut self, try_parse_dates: bool) -> Self {
        self.format.try_parse_dates = try_parse_dates;
        self
    }

    /// Skip this many lines before the header (default 0).
    pub fn skip_rows(mut self, n: usize) -> Self {
        self.format.skip_rows = n;
        self
    }

    /// How many rows dtypes are inferred from (default 100; `None`: all rows, slower but
    /// never wrong about a late odd value).
    pub fn infer_schema_length(mut self, n: Option<usize>) -> Self {
        self.format.infer_schema_length = n;
        self
    }

    /// Read fields that do not parse as their column's dtype as null instead of failing.
    pub fn ignore_errors(mut self, ignore_errors: bool) -> Self {
        self.format.ignore_errors = ignore_errors;
        self
    }

    /// Skip lines starting with this prefix (e.g. `#`).
    pub fn comment_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.format.comment_prefix = Some(prefix.into());
        self
    }

    /// Read `,` as the decimal separator of floats (then separate fields with another
    /// character, e.g. `;`).
    pub fn decimal_comma(mut self, decimal_comma: bool) -> Self {
        self.format.decimal_comma = decimal_comma;
        self
    }
}

/// What a loader node does when it runs: scan, check, project, limit.
struct Read<F> {
    format: F,
    expected: Vec<(String, Option<DataType>)>,
    columns: Option<Vec<String>>,
    n_rows: Option<usize>,
}

impl<F: FileFormat> Read<F> {
    fn error<'p>(&self, path: &'p Path) -> impl FnOnce(PolarsError) -> Error + 'p {
        let format = self.format.format().name();
        move |source| Error::Read {
            format,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The file's scan with its schema checked, projected to the columns asked for and
    /// limited to the rows asked for.
    fn scan(&self, path: &Path) -> Result<LazyFrame, Error> {
        ensure_exists(path)?;
        let pl_path = PlRefPath::try_from_path(path).map_err(self.error(path))?;
        let mut frame = self.format.scan(pl_path).map_err(self.error(path))?;
        let schema = frame.collect_schema().map_err(self.error(path))?;
        let projected = self.columns.iter().flatten().map(|c| (c.clone(), None));
        let expected: Vec<_> = self.expected.iter().cloned().chain(projected).collect();
        check_schema(path, &schema, &expected)?;
        if let Some(columns) = &self.columns {
            frame = frame.select(columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>());
        }
        if let Some(n) = self.n_rows {
            frame = frame.limit(IdxSize::try_from(n).unwrap_or(IdxSize::MAX));
        }
        Ok(frame)
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

fn check_schema(
    path: &Path,
    schema: &Schema,
    expected: &[(String, Option<DataType>)],
) -> Result<(), Error> {
    let mut problems = Vec::new();
    for (name, dtype) in expected {
        let problem = match (schema.get(name), dtype) {
            (None, _) => format!("missing column `{name}`"),
            (Some(found), Some(want)) if found != want => {
                format!("column `{name}` has dtype {found}, expected {want}")
            }
            _ => continue,
        };
        if !problems.contains(&problem) {
            problems.push(problem);
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
