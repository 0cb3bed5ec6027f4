//! Saver nodes: write a `DataFrame` node's value to CSV, Parquet, Arrow IPC or JSON lines,
//! atomically; and the writing itself, shared with [materialization](super::materialize).

use std::path::{Path, PathBuf};

use hamilton_core::node::{Args, Node, NodeError};
use polars::prelude::*;

use super::atomic::{WriteError, write_atomic};
use super::{Format, IO_TAG, PathSource};
use crate::error::Error;

/// What a saver wrote: the value of a saver node.
///
/// ```
/// use hamilton_polars::io::SaveMetadata;
/// use polars::prelude::DataType;
/// let m = SaveMetadata {
///     path: "out.csv".into(), format: "CSV", rows: 2, columns: 1,
///     column_names: vec!["a".into()], dtypes: vec![DataType::Int64], bytes: 6,
///     content_hash: "0123456789abcdef0123456789abcdef".into(),
/// };
/// assert_eq!(m.to_string(), "wrote 2 rows x 1 columns (6 bytes) to CSV file `out.csv`");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SaveMetadata {
    /// The file written.
    pub path: PathBuf,
    /// "CSV", "Parquet" or "IPC".
    pub format: &'static str,
    /// Rows written.
    pub rows: usize,
    /// Columns written.
    pub columns: usize,
    /// The columns' names, in order.
    pub column_names: Vec<String>,
    /// The columns' dtypes, in order.
    pub dtypes: Vec<DataType>,
    /// The file's size.
    pub bytes: u64,
    /// The file's content hash (XXH3-128 of its bytes, 32 hex digits): equal files, equal
    /// hashes.
    pub content_hash: String,
}

impl std::fmt::Display for SaveMetadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "wrote {} rows x {} columns ({} bytes) to {} file `{}`",
            self.rows,
            self.columns,
            self.bytes,
            self.format,
            self.path.display()
        )
    }
}

/// A node named `name` writing the `DataFrame` produced by node (or input) `frame` to the CSV
/// file at `dest`, with a header row. See [the module docs](super) for atomicity.
///
/// ```
/// use hamilton_polars::io::{PathSource, csv_saver};
/// let node = csv_saver("saved_features", "features", PathSource::param("out_path"));
/// let params: Vec<_> = node.params().iter().map(|p| p.name()).collect();
/// assert_eq!(params, ["features", "out_path"]);
/// assert_eq!(node.output().name(), "SaveMetadata");
/// ```
pub fn csv_saver(
    name: impl Into<String>,
    frame: impl Into<String>,
    dest: impl Into<PathSource>,
) -> Node {
    saver(name.into(), frame.into(), Format::Csv, dest.into())
}

/// A node named `name` writing the `DataFrame` produced by node (or input) `frame` to the
/// Parquet file at `dest`. See [the module docs](super) for atomicity.
///
/// ```
/// use hamilton_polars::io::parquet_saver;
/// let node = parquet_saver("saved", "features", "out/features.parquet");
/// assert_eq!(node.tags()["hamilton.io"], "parquet");
/// ```
pub fn parquet_saver(
    name: impl Into<String>,
    frame: impl Into<String>,
    dest: impl Into<PathSource>,
) -> Node {
    saver(name.into(), frame.into(), Format::Parquet, dest.into())
}

/// A node named `name` writing the `DataFrame` produced by node (or input) `frame` to the
/// Arrow IPC (Feather v2) file at `dest`, which [`ipc_loader`](super::ipc_loader) and Polars'
/// `scan_ipc` read back. See [the module docs](super) for atomicity.
///
/// ```
/// use hamilton_polars::io::ipc_saver;
/// let node = ipc_saver("saved", "features", "out/features.arrow");
/// assert_eq!(node.tags()["hamilton.io"], "ipc");
/// ```
pub fn ipc_saver(
    name: impl Into<String>,
    frame: impl Into<String>,
    dest: impl Into<PathSource>,
) -> Node {
    saver(name.into(), frame.into(), Format::Ipc, dest.into())
}

/// A node named `name` writing the `DataFrame` produced by node (or input) `frame` to the
/// JSON lines file at `dest` (one JSON object per row). See [the module docs](super) for
/// atomicity.
///
/// ```
/// use hamilton_polars::io::json_lines_saver;
/// let node = json_lines_saver("saved", "features", "out/features.jsonl");
/// assert_eq!(node.tags()["hamilton.io"], "jsonl");
/// ```
pub fn json_lines_saver(
    name: impl Into<String>,
    frame: impl Into<String>,
    dest: impl Into<PathSource>,
) -> Node {
    saver(name.into(), frame.into(), Format::JsonLines, dest.into())
}

fn saver(name: String, frame: String, format: Format, dest: PathSource) -> Node {
    let doc = format!(
        "Writes `{frame}` to {} {}, atomically.",
        format.name(),
        dest.describe()
    );
    let builder = Node::builder(name)
        .doc(doc)
        .tag(IO_TAG, format.tag())
        .tag("hamilton.io.kind", "saver")
        .param::<DataFrame>(frame);
    let path = dest.resolver(1);
    dest.declare(builder)
        .build(move |args: &Args| -> Result<SaveMetadata, NodeError> {
            let frame = args.get::<DataFrame>(0)?;
            let path = path.resolve(args)?;
            Ok(save(format, &CsvStyle::default(), frame, &path)?)
        })
}

/// How CSV files are written: separator, header row, the text of a null.
#[derive(Clone, Debug)]
pub(super) struct CsvStyle {
    pub(super) separator: u8,
    pub(super) header: bool,
    pub(super) null: String,
}

impl Default for CsvStyle {
    fn default() -> Self {
        Self {
            separator: b',',
            header: true,
            null: String::new(),
        }
    }
}

/// Writes `frame` to `path` in `format`, atomically.
pub(super) fn save(
    format: Format,
    csv: &CsvStyle,
    frame: &DataFrame,
    path: &Path,
) -> Result<SaveMetadata, Error> {
    let mut frame = frame.clone();
    let bytes = write_atomic(path, |w| -> Result<(), WriteError> {
        match format {
            Format::Csv => CsvWriter::new(w)
                .include_header(csv.header)
                .with_separator(csv.separator)
                .with_null_value(csv.null.as_str().into())
                .finish(&mut frame)?,
            Format::Parquet => {
                ParquetWriter::new(w).finish(&mut frame)?;
            }
            Format::Ipc => IpcWriter::new(w).finish(&mut frame)?,
            Format::JsonLines => JsonWriter::new(w)
                .with_json_format(JsonFormat::JsonLines)
                .finish(&mut frame)?,
        }
        Ok(())
    })
    .map_err(write_error(format, path))?;
    metadata(format, path, frame.height(), frame.schema(), bytes)
}

/// The error of a failed write of `path`.
pub(super) fn write_error(format: Format, path: &Path) -> impl FnOnce(WriteError) -> Error + '_ {
    move |source| Error::Write {
        format: format.name(),
        path: path.to_path_buf(),
        source,
    }
}

/// What was written to `path`: `rows` rows of `schema`, `bytes` bytes, and the content hash of
/// the file (read back).
pub(super) fn metadata(
    format: Format,
    path: &Path,
    rows: usize,
    schema: &Schema,
    bytes: u64,
) -> Result<SaveMetadata, Error> {
    Ok(SaveMetadata {
        path: path.to_path_buf(),
        format: format.name(),
        rows,
        columns: schema.len(),
        column_names: schema.iter_names().map(|n| n.to_string()).collect(),
        dtypes: schema.iter_values().cloned().collect(),
        bytes,
        content_hash: content_hash(path).map_err(|e| write_error(format, path)(e.into()))?,
    })
}

/// XXH3-128 of the file's bytes, as 32 hex digits.
fn content_hash(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buffer = vec![0_u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut file, &mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(format!("{:032x}", hasher.digest128()))
}
