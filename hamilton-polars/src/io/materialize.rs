//! Materialization: computing requested nodes and saving their values to files in one call,
//! as Hamilton's `dr.materialize(to.parquet(..), ..)` does, without saver nodes written by hand.
//!
//! A [`Materializer`] names a node and a destination ([`to::csv`], [`to::parquet`],
//! [`to::ipc`], [`to::json_lines`]); [`Materialize::materialize`] runs the request and writes
//! each value atomically (a temporary file, then a rename), returning a [`SaveMetadata`] per
//! file (path, rows, columns, dtypes, bytes, content hash). A `DataFrame` is written as it is,
//! a `Series` as a one-column frame, and a `LazyFrame` through Polars' streaming sinks: it is
//! never collected into memory. Paths are fixed or read from the call's inputs or the driver's
//! config ([`PathSource::param`]).
//!
//! ```
//! use hamilton_core::{Driver, Inputs, node::{Args, Node}};
//! use hamilton_polars::io::{Materialize, to};
//! use polars::prelude::*;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let features = Node::builder("features")
//!     .build(|_: &Args| Ok(df!("week" => [1_i64, 2], "spend" => [10.5, 20.0])?));
//! let dr = Driver::builder().with_nodes([features]).build().unwrap();
//! let done = dr
//!     .materialize(
//!         &[
//!             to::parquet("features", dir.path().join("features.parquet")),
//!             to::csv("features", dir.path().join("features.csv")).separator(b';'),
//!         ],
//!         &[],
//!         Inputs::new(),
//!     )
//!     .unwrap();
//! assert_eq!(done.saved.len(), 2);
//! assert_eq!((done.saved[0].rows, done.saved[0].columns), (2, 2));
//! assert_eq!(std::fs::read_to_string(dir.path().join("features.csv")).unwrap(), "week;spend\n1;10.5\n2;20.0\n");
//! ```

use std::path::{Path, PathBuf};

use hamilton_core::{Driver, Inputs, Outputs};
use polars::prelude::*;

use super::PathSource;
use super::atomic::write_atomic_at;
use super::format::Format;
use super::save::{CsvStyle, SaveMetadata, metadata, save, write_error};
use crate::error::Error;
use crate::exprs::lazyframe_of;
use crate::piece::Piece;
use crate::result::frame_of;

/// A node's value and where to save it; made by the functions of [`to`].
///
/// ```
/// use hamilton_polars::io::to;
/// let m = to::csv("features", "out/features.csv").separator(b'\t').header(false).null_value("NA");
/// assert_eq!(m.node(), "features");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Materializer {
    node: String,
    format: Format,
    dest: PathSource,
    csv: CsvStyle,
    /// The outputs combined into one frame, when not `node` alone.
    combine: Vec<String>,
    /// The `LazyFrame` output the combined `Expr` outputs are computed over.
    over: Option<String>,
}

/// The destinations of [`Materializer`]s, one function per format (`to::parquet(..)` reads
/// as Hamilton's `to.parquet(..)`).
pub mod to {
    use super::{Format, Materializer, PathSource};

    fn target(
        node: impl Into<String>,
        format: Format,
        dest: impl Into<PathSource>,
    ) -> Materializer {
        Materializer {
            node: node.into(),
            format,
            dest: dest.into(),
            csv: Default::default(),
            combine: Vec::new(),
            over: None,
        }
    }

    /// Saves node `node`'s value to the CSV file at `dest` (a header row, `,` separated,
    /// nulls as empty fields; see [`Materializer::separator`] and the other CSV options).
    ///
    /// ```
    /// let m = hamilton_polars::io::to::csv("features", "out.csv");
    /// assert_eq!(m.node(), "features");
    /// ```
    pub fn csv(node: impl Into<String>, dest: impl Into<PathSource>) -> Materializer {
        target(node, Format::Csv, dest)
    }

    /// Saves node `node`'s value to the Parquet file at `dest`.
    ///
    /// ```
    /// let m = hamilton_polars::io::to::parquet("features", "out.parquet");
    /// assert_eq!(m.node(), "features");
    /// ```
    pub fn parquet(node: impl Into<String>, dest: impl Into<PathSource>) -> Materializer {
        target(node, Format::Parquet, dest)
    }

    /// Saves node `node`'s value to the Arrow IPC (Feather v2) file at `dest`.
    ///
    /// ```
    /// let m = hamilton_polars::io::to::ipc("features", "out.arrow");
    /// assert_eq!(m.node(), "features");
    /// ```
    pub fn ipc(node: impl Into<String>, dest: impl Into<PathSource>) -> Materializer {
        target(node, Format::Ipc, dest)
    }

    /// Saves node `node`'s value to the JSON lines file at `dest` (one object per row).
    ///
    /// ```
    /// let m = hamilton_polars::io::to::json_lines("features", "out.jsonl");
    /// assert_eq!(m.node(), "features");
    /// ```
    pub fn json_lines(node: impl Into<String>, dest: impl Into<PathSource>) -> Materializer {
        target(node, Format::JsonLines, dest)
    }
}

impl Materializer {
    /// The node whose value is saved (with [`combine`](Self::combine): the materializer's
    /// name).
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Saves these outputs combined into one frame (as
    /// [`to_dataframe`](crate::to_dataframe) does: columns in order, scalars broadcast)
    /// instead of one node's value, as Hamilton's `dependencies=[..]` with a result builder.
    /// The materializer's node name then only names it.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// use hamilton_polars::io::{Materialize, to};
    /// use polars::prelude::*;
    /// let dir = tempfile::tempdir().unwrap();
    /// let dr = Driver::builder().with_nodes([
    ///     Node::builder("spend").build(|_: &Args| Ok(Series::new("s".into(), &[1.0, 2.0]))),
    ///     Node::builder("total").build(|_: &Args| Ok(3.0_f64)),
    /// ]).build().unwrap();
    /// let path = dir.path().join("features.csv");
    /// dr.materialize(&[to::csv("features", &*path).combine(["spend", "total"])], &[], Inputs::new()).unwrap();
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "spend,total\n1.0,3.0\n2.0,3.0\n");
    /// ```
    pub fn combine<I, S>(mut self, outputs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.combine = outputs.into_iter().map(Into::into).collect();
        self
    }

    /// Expression mode: computes the [combined](Self::combine) `Expr` outputs over the
    /// `LazyFrame` output `base` in one Polars plan (as
    /// [`collect_exprs`](crate::collect_exprs) does) and streams the result into the file
    /// through Polars' sink, never collecting it into memory.
    ///
    /// ```
    /// use hamilton_core::{Driver, Inputs, node::{Args, Node}};
    /// use hamilton_polars::io::{Materialize, to};
    /// use polars::prelude::*;
    /// let dir = tempfile::tempdir().unwrap();
    /// let dr = Driver::builder().with_nodes([
    ///     Node::builder("base").build(|_: &Args| Ok(df!("spend" => [1.0, 3.0])?.lazy())),
    ///     Node::builder("doubled").build(|_: &Args| Ok(col("spend") * lit(2.0))),
    /// ]).build().unwrap();
    /// let path = dir.path().join("features.csv");
    /// dr.materialize(&[to::csv("features", &*path).combine(["doubled"]).over("base")], &[], Inputs::new()).unwrap();
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "doubled\n2.0\n6.0\n");
    /// ```
    pub fn over(mut self, base: impl Into<String>) -> Self {
        self.over = Some(base.into());
        self
    }

    /// The outputs this materializer reads.
    fn reads(&self) -> Vec<&str> {
        let mut reads: Vec<&str> = if self.combine.is_empty() {
            vec![self.node.as_str()]
        } else {
            self.combine.iter().map(String::as_str).collect()
        };
        reads.extend(self.over.as_deref());
        reads
    }

    /// Saves what this materializer reads from `outputs` to `path`.
    fn save_from(
        &self,
        outputs: &Outputs,
        path: &Path,
    ) -> Result<SaveMetadata, hamilton_core::Error> {
        if self.combine.is_empty() {
            return Ok(self.save(outputs.value(&self.node)?, path)?);
        }
        let mut pieces = Vec::with_capacity(self.combine.len());
        for name in &self.combine {
            pieces.push((name.clone(), Piece::of(outputs.value(name)?)));
        }
        match &self.over {
            Some(base) => {
                let base = outputs.get::<LazyFrame>(base)?.clone();
                Ok(self.sink(lazyframe_of(base, pieces)?, path)?)
            }
            None => Ok(save(self.format, &self.csv, &frame_of(pieces)?, path)?),
        }
    }

    /// CSV: the field separator (default `,`).
    pub fn separator(mut self, separator: u8) -> Self {
        self.csv.separator = separator;
        self
    }

    /// CSV: whether to write a header row (default `true`).
    pub fn header(mut self, header: bool) -> Self {
        self.csv.header = header;
        self
    }

    /// CSV: the text written for a null (default: an empty field).
    pub fn null_value(mut self, null: impl Into<String>) -> Self {
        self.csv.null = null.into();
        self
    }

    /// The path, fixed or read from the inputs or the config.
    fn path(&self, inputs: &Inputs, dr: &Driver) -> Result<PathBuf, Error> {
        let name = match &self.dest {
            PathSource::Path(path) => return Ok(path.clone()),
            PathSource::Param(name) => name,
        };
        let given = inputs
            .get(name)
            .and_then(|v| v.downcast_ref::<String>())
            .or_else(|| dr.config().get::<String>(name));
        given.map(PathBuf::from).ok_or_else(|| {
            Error::Usage(format!(
                "the path to save node `{}` to is read from `{name}`, which is neither a `String` input of this call nor a `String` config key; pass it with `Inputs::new().set(\"{name}\", \"out/{}.{}\".to_string())`",
                self.node,
                self.node,
                self.format.tag()
            ))
        })
    }

    /// Writes `value`, the node's value, to `path`.
    fn save(&self, value: &hamilton_core::node::Value, path: &Path) -> Result<SaveMetadata, Error> {
        if let Some(frame) = value.downcast_ref::<DataFrame>() {
            return save(self.format, &self.csv, frame, path);
        }
        if let Some(series) = value.downcast_ref::<Series>() {
            return save(self.format, &self.csv, &series.clone().into_frame(), path);
        }
        if let Some(frame) = value.downcast_ref::<LazyFrame>() {
            return self.sink(frame.clone(), path);
        }
        Err(Error::UnsupportedNode {
            node: self.node.clone(),
            operation: "save",
            type_name: value.type_name().to_string(),
            expected: "`DataFrame`, `LazyFrame` or `Series`",
        })
    }

    /// Streams `frame` into `path` through Polars' sink for the format, never collecting it.
    fn sink(&self, mut frame: LazyFrame, path: &Path) -> Result<SaveMetadata, Error> {
        let schema = frame.collect_schema().map_err(Error::polars(format!(
            "reading the schema of node `{}`",
            self.node
        )))?;
        let format = match self.format {
            Format::Csv => {
                let mut options = CsvWriterOptions {
                    include_header: self.csv.header,
                    check_extension: false,
                    ..Default::default()
                };
                let serialize = std::sync::Arc::make_mut(&mut options.serialize_options);
                serialize.separator = self.csv.separator;
                serialize.null = self.csv.null.as_str().into();
                FileWriteFormat::Csv(options)
            }
            Format::Parquet => FileWriteFormat::Parquet(Default::default()),
            Format::Ipc => FileWriteFormat::Ipc(Default::default()),
            Format::JsonLines => FileWriteFormat::NDJson(NDJsonWriterOptions {
                check_extension: false,
                ..Default::default()
            }),
        };
        let bytes = write_atomic_at(path, |temp| {
            let target = SinkTarget::Path(PlRefPath::try_from_path(temp)?);
            frame
                .clone()
                .sink(
                    SinkDestination::File { target },
                    format,
                    UnifiedSinkArgs::default(),
                )?
                .collect()?;
            Ok(())
        })
        .map_err(write_error(self.format, path))?;
        let rows = self.count_rows(path)?;
        metadata(self.format, path, rows, &schema, bytes)
    }

    /// The rows of the file just written, counted by streaming it.
    fn count_rows(&self, path: &Path) -> Result<usize, Error> {
        let read_error = |source| Error::Read {
            format: self.format.name(),
            path: path.to_path_buf(),
            source,
        };
        let pl_path = PlRefPath::try_from_path(path).map_err(read_error)?;
        let scan = match self.format {
            Format::Csv => LazyCsvReader::new(pl_path)
                .with_has_header(self.csv.header)
                .with_separator(self.csv.separator)
                .finish(),
            Format::Parquet => LazyFrame::scan_parquet(pl_path, Default::default()),
            Format::Ipc => LazyFrame::scan_ipc(pl_path, Default::default(), Default::default()),
            Format::JsonLines => LazyJsonLineReader::new(pl_path).finish(),
        };
        let counted = scan
            .and_then(|frame| frame.select([len()]).collect())
            .map_err(read_error)?;
        let rows = counted
            .column("len")
            .ok()
            .and_then(|c| c.get(0).ok())
            .and_then(|v| v.extract::<usize>());
        Ok(rows.unwrap_or(0))
    }
}

/// What [`Materialize::materialize`] did: a [`SaveMetadata`] per materializer, in order, and
/// the outputs computed (the materialized nodes and the additional outputs asked for).
#[derive(Debug)]
#[non_exhaustive]
pub struct Materialized {
    /// What each materializer wrote, in order.
    pub saved: Vec<SaveMetadata>,
    /// The values computed.
    pub outputs: Outputs,
}

/// Materialization on a [`Driver`]: see [the module docs](self).
pub trait Materialize {
    /// Computes the nodes of `materializers` and `additional` outputs with `inputs`, then saves
    /// each materializer's value, atomically. A failed run saves nothing; a failed save is an
    /// error naming the file (files saved before it stay, each complete).
    fn materialize(
        &self,
        materializers: &[Materializer],
        additional: &[&str],
        inputs: Inputs,
    ) -> Result<Materialized, hamilton_core::Error>;
}

impl Materialize for Driver {
    fn materialize(
        &self,
        materializers: &[Materializer],
        additional: &[&str],
        inputs: Inputs,
    ) -> Result<Materialized, hamilton_core::Error> {
        let paths = materializers
            .iter()
            .map(|m| m.path(&inputs, self))
            .collect::<Result<Vec<_>, _>>()?;
        let mut requested: Vec<&str> = Vec::new();
        let reads = materializers.iter().flat_map(Materializer::reads);
        for name in reads.chain(additional.iter().copied()) {
            if !requested.contains(&name) {
                requested.push(name);
            }
        }
        let outputs = self.execute(&requested, inputs)?;
        let mut saved = Vec::with_capacity(materializers.len());
        for (m, path) in materializers.iter().zip(&paths) {
            saved.push(m.save_from(&outputs, path)?);
        }
        Ok(Materialized { saved, outputs })
    }
}
