//! Caching of Polars values (feature `cache`, see [`hamilton_core::cache`]): fingerprints of
//! `Series`, `Column`, `DataFrame` and typed chunked arrays by content, of `LazyFrame` and `Expr`
//! by plan, and the files results are stored in.
//!
//! The types are registered with [`hamilton_core::register_cache_type!`], so every driver with a
//! cache finds them, provided this crate is linked (see [`conversions`](crate::conversions) for
//! the caveat); [`cache_types`] lists them for [`CacheOptions::with_type`].
//!
//! - **Fingerprint**: the name, dtype and length, then the values of each column in order:
//!   primitive buffers as bytes (nulls zeroed, null positions hashed apart), booleans, strings and
//!   binaries value by value, temporal dtypes through their physical integers, Categorical and
//!   Enum columns by their strings (their integer codes depend on a mapping that differs between
//!   processes). The dtype is written in full: time unit and zone, an Enum's categories in order,
//!   a Categorical's name, namespace and physical type. The same values in other chunks
//!   fingerprint the same. Nested dtypes (List, Array, Struct) and Object have no fingerprint:
//!   their nodes are not cached and say so.
//! - **Stored**: one file per value, for booleans, integers, floats, strings, binaries, dates,
//!   datetimes, durations and times: the cache's header (64 bytes or more), then an uncompressed
//!   Arrow IPC file (what Polars' `read_ipc` or pyarrow's `feather.read_table` read, once the
//!   header is skipped). Read back, a file is memory-mapped and its checksum checked; integer,
//!   float and temporal columns then point into the mapping instead of being copied (nothing is
//!   decoded, no fresh memory is taken: a reload costs one pass of the checksum over the bytes),
//!   strings, binaries and booleans are read by Polars' IPC reader.
//! - **Mapped values**: a value loaded from the cache keeps its file mapped for as long as it
//!   lives. The checksum is checked when the file is loaded, not afterwards: a result file
//!   changed in place by another program (`rsync --inplace`, a restore, `cp` over it) changes
//!   the loaded values with it, and truncating it makes the process crash (`SIGBUS`) when they
//!   are read. The cache itself never does either: it writes new files and renames them into
//!   place, and deletes files (on Unix a loaded value stays readable after
//!   [`Cache::clear`](hamilton_core::cache::Cache::clear); on Windows a mapped file cannot be
//!   deleted, so clearing fails while values loaded from it live). Use
//!   [`FrameFormat::Parquet`] where that matters: its values are copied into memory.
//! - **Format**: Arrow IPC by default because Parquet must be
//!   decoded into fresh memory: on the features benchmark a reload from Parquet took 4 times as
//!   long (see `BENCHMARKS.md`). Parquet (smaller files when columns repeat values) is one
//!   option away: [`cache_types_in`]`(`[`FrameFormat::Parquet`]`)` given to
//!   [`CacheOptions::with_types`](hamilton_core::cache::CacheOptions::with_types).
//! - **`LazyFrame` and `Expr`** are fingerprinted by their plan ([`fingerprint_lazyframe`],
//!   [`fingerprint_expr`]): Polars' versioned serialization of it, which holds every literal
//!   value, every function option (a rolling window's size) and every in-memory frame (as Arrow
//!   IPC, with its sortedness flags), plus the optimizations a `LazyFrame` allows. Equal plans
//!   built twice fingerprint alike; within the limits below, a fingerprint is never shared by two
//!   plans that can give different results. What the plan does not hold makes the value's
//!   fingerprint unavailable, with the reason in the logs: a Rust closure or callback (`map`,
//!   `apply`, UDFs: they cannot be serialized), a function registered with Polars by name, a file
//!   sink, and a scan of a URL, a glob pattern, a directory, an open file handle, a `~` path or
//!   deletion files.
//! - **Scans of local files** add each file's path, length and content (read in full each time
//!   the plan is fingerprinted), so changing a file changes the fingerprint, and what Polars kept
//!   of a scan's files from an earlier collect is dropped so the next collect reads them as
//!   fingerprinted. Such a plan is not stored (a hit would pass on the files' old fingerprint
//!   without reading them): its node runs each time, which only builds the plan, and the nodes
//!   reading it hit while the files are unchanged. A plan whose schema was asked for
//!   (`collect_schema`, which keeps Polars' reading of the files in the `LazyFrame`) has no
//!   fingerprint; ask a clone instead.
//! - **Stored plans**: a plan without file scans is stored as a `polars-plan` file (its
//!   optimization flags and serialized plan, in-memory frames included), an expression as a
//!   `polars-expr` file; a later Polars version may not read them back, and their nodes then run
//!   again.
//! - **Limits**: a file changed between the fingerprint and the collect is read as changed while
//!   the result is keyed by the old content. Code a plan calls without holding it (an FFI
//!   plugin's library) is not versioned, like a node's helper functions: bump the
//!   `cache_version` tag after changing it. A plan with `.cache()` gets a random id, so two such
//!   plans built alike do not hit each other. Unseeded random expressions (`sample`, `shuffle`)
//!   hit with one of the results the plan can give.
//!
//! [`CacheOptions::with_type`]: hamilton_core::cache::CacheOptions::with_type
//!
//! ```
//! use hamilton_core::{Driver, Inputs, node::{Args, Node}};
//! use polars::prelude::*;
//! let dir = tempfile::tempdir().unwrap();
//! let build = || Driver::builder()
//!     .with_nodes([Node::builder("doubled")
//!         .code_version(1)
//!         .param::<Series>("spend")
//!         .build(|a: &Args| Ok(a.get::<Series>(0)? * 2.0))])
//!     .with_cache(dir.path())
//!     .build()
//!     .unwrap();
//! let spend = || Inputs::new().set("spend", Series::new("spend".into(), [1.0, 2.5]));
//! build().execute(&["doubled"], spend()).unwrap();
//! let dr = build();
//! let out = dr.execute(&["doubled"], spend()).unwrap();
//! assert_eq!(out.get::<Series>("doubled").unwrap().f64().unwrap().get(1), Some(5.0));
//! assert_eq!(dr.cache().unwrap().last_run().unwrap().hits(), ["doubled"]);
//! # let _ = hamilton_polars::cache::cache_types();
//! ```

use hamilton_core::cache::{CacheType, Fingerprinter, StoredPayload};
use hamilton_core::node::NodeError;
use polars::prelude::*;

mod ipc;
mod lazy;
mod parquet;

use lazy::{expr_type, lazyframe_type};
pub use lazy::{fingerprint_expr, fingerprint_lazyframe};

/// The file format `Series`, `Column`, `DataFrame` and chunked-array results are stored in.
///
/// ```
/// use hamilton_core::cache::CacheOptions;
/// use hamilton_polars::cache::{FrameFormat, cache_types_in};
/// assert_eq!(FrameFormat::default(), FrameFormat::ArrowIpc);
/// // Parquet for one driver: smaller files, values copied into memory when read back.
/// let options = CacheOptions::new("cache").with_types(cache_types_in(FrameFormat::Parquet));
/// # let _ = options;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FrameFormat {
    /// Uncompressed Arrow IPC, read back from a memory map without copying fixed-width columns
    /// (the default: the fastest reload).
    #[default]
    ArrowIpc,
    /// Uncompressed Parquet, decoded into memory when read back: smaller files for repetitive
    /// columns (dictionary encoding), slower reloads.
    Parquet,
}

/// Every Polars type this module makes known to the cache, for
/// [`CacheOptions::with_types`](hamilton_core::cache::CacheOptions::with_types) where
/// registration is unavailable.
///
/// ```
/// assert!(hamilton_polars::cache::cache_types().len() >= 4);
/// ```
pub fn cache_types() -> Vec<CacheType> {
    cache_types_in(FrameFormat::ArrowIpc)
}

/// [`cache_types`], with frames and series stored in `format`. Given to a driver's
/// [`CacheOptions::with_types`](hamilton_core::cache::CacheOptions::with_types), they replace
/// the registered ones for that driver: results stored in another format are then misses, run
/// and stored again.
///
/// ```
/// use hamilton_core::cache::CacheOptions;
/// use hamilton_polars::cache::{FrameFormat, cache_types_in};
/// let options = CacheOptions::new("cache").with_types(cache_types_in(FrameFormat::Parquet));
/// # let _ = options;
/// ```
pub fn cache_types_in(format: FrameFormat) -> Vec<CacheType> {
    vec![
        series_type(format),
        column_type(format),
        dataframe_type(format),
        chunked_type::<Float64Type>(format),
        chunked_type::<Float32Type>(format),
        chunked_type::<Int64Type>(format),
        chunked_type::<Int32Type>(format),
        chunked_type::<UInt32Type>(format),
        chunked_type::<BooleanType>(format),
        chunked_type::<StringType>(format),
        lazyframe_type(),
        expr_type(),
    ]
}

hamilton_core::register_cache_type!(series_type(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(column_type(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(dataframe_type(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(chunked_type::<Float64Type>(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(chunked_type::<Float32Type>(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(chunked_type::<Int64Type>(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(chunked_type::<Int32Type>(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(chunked_type::<UInt32Type>(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(chunked_type::<BooleanType>(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(chunked_type::<StringType>(FrameFormat::ArrowIpc));
hamilton_core::register_cache_type!(lazyframe_type());
hamilton_core::register_cache_type!(expr_type());

/// `t` stored in `format` as a frame: `to_frame` gives the frame written, `from_frame` the value
/// read back.
fn stored_as_frame<T: hamilton_core::node::NodeValue + Clone>(
    t: CacheType,
    format: FrameFormat,
    to_frame: fn(&T) -> DataFrame,
    from_frame: fn(DataFrame) -> Result<T, NodeError>,
) -> CacheType {
    let encode = move |v: &T| check_stored(to_frame(v));
    match format {
        FrameFormat::ArrowIpc => t.with_mapped_format(
            ipc::FORMAT,
            move |v: &T, out: &mut dyn std::io::Write| ipc::write(encode(v)?, out),
            ipc::map,
            move |p: StoredPayload| from_frame(ipc::decode(&p)?),
        ),
        FrameFormat::Parquet => t.with_format(
            parquet::FORMAT,
            move |v: &T| parquet::encode(encode(v)?),
            move |bytes: &[u8]| from_frame(parquet::decode(bytes)?),
        ),
    }
}

fn series_type(format: FrameFormat) -> CacheType {
    stored_as_frame(
        CacheType::fingerprint_with(fingerprint_series),
        format,
        |s: &Series| s.clone().into_frame(),
        only_series,
    )
}

fn column_type(format: FrameFormat) -> CacheType {
    stored_as_frame(
        CacheType::fingerprint_with(|c: &Column, f| {
            fingerprint_series(c.as_materialized_series(), f)
        }),
        format,
        |c: &Column| c.as_materialized_series().clone().into_frame(),
        |df| Ok(Column::from(only_series(df)?)),
    )
}

fn dataframe_type(format: FrameFormat) -> CacheType {
    stored_as_frame(
        CacheType::fingerprint_with(fingerprint_dataframe),
        format,
        DataFrame::clone,
        Ok,
    )
}

fn chunked_type<T>(format: FrameFormat) -> CacheType
where
    T: PolarsPhysicalType,
    ChunkedArray<T>: IntoSeries + Clone + Send + Sync,
{
    stored_as_frame(
        CacheType::fingerprint_with(|ca: &ChunkedArray<T>, f| {
            fingerprint_series(&ca.clone().into_series(), f)
        }),
        format,
        |ca: &ChunkedArray<T>| ca.clone().into_series().into_frame(),
        |df| Ok(only_series(df)?.unpack::<T>()?.clone()),
    )
}

/// Writes the content of a `DataFrame`: its height and width, then the fingerprint of each
/// column as [`fingerprint_series`] makes it. The columns of a large frame are fingerprinted on
/// several threads.
///
/// ```
/// use hamilton_core::cache::Fingerprinter;
/// use hamilton_polars::cache::fingerprint_dataframe;
/// use polars::prelude::*;
/// let dv = |df: &DataFrame| { let mut f = Fingerprinter::new(); fingerprint_dataframe(df, &mut f); f.finish().unwrap() };
/// let a = df!("x" => [1, 2, 3]).unwrap();
/// let mut b = df!("x" => [1]).unwrap();
/// b.vstack_mut(&df!("x" => [2, 3]).unwrap()).unwrap(); // same values, two chunks
/// assert_eq!(dv(&a), dv(&b));
/// assert_ne!(dv(&a), dv(&df!("x" => [1, 2, 4]).unwrap()));
/// ```
pub fn fingerprint_dataframe(df: &DataFrame, f: &mut Fingerprinter) {
    /// Below this many bytes, starting threads costs more than it saves.
    const PARALLEL_FROM: usize = 4 << 20;
    f.write_str("DataFrame");
    f.write_u64(df.height() as u64);
    f.write_u64(df.width() as u64);
    let column = |c: &Column| {
        let mut part = Fingerprinter::new();
        fingerprint_series(c.as_materialized_series(), &mut part);
        part.finish()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(df.width());
    let parts: Vec<Result<_, String>> = if threads > 1 && df.estimated_size() >= PARALLEL_FROM {
        let per_thread = df.width().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = df
                .columns()
                .chunks(per_thread)
                .map(|group| scope.spawn(move || group.iter().map(column).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|_| vec![Err("fingerprinting a column panicked".into())])
                })
                .collect()
        })
    } else {
        df.columns().iter().map(column).collect()
    };
    for part in parts {
        match part {
            Ok(version) => f.write_version(version),
            Err(why) => f.unavailable(why),
        }
    }
}

/// Writes the content of a `Series`: name, dtype, length, then its values (see the
/// [module](self) docs).
///
/// ```
/// use hamilton_core::cache::Fingerprinter;
/// use hamilton_polars::cache::fingerprint_series;
/// use polars::prelude::*;
/// let dv = |s: &Series| { let mut f = Fingerprinter::new(); fingerprint_series(s, &mut f); f.finish() };
/// let a = Series::new("a".into(), [Some(1.0), None]);
/// assert_eq!(dv(&a), dv(&a.clone()));
/// assert_ne!(dv(&a), dv(&Series::new("a".into(), [Some(1.0), Some(0.0)])));
/// assert_ne!(dv(&a), dv(&Series::new("b".into(), [Some(1.0), None])));
/// ```
pub fn fingerprint_series(s: &Series, f: &mut Fingerprinter) {
    f.write_str("Series");
    f.write_str(s.name());
    let mut dtype = String::new();
    describe_dtype(s.dtype(), &mut dtype);
    f.write_str(&dtype);
    f.write_u64(s.len() as u64);
    // Categorical and Enum codes mean nothing without their mapping, which differs between
    // processes and between `Categories` objects: the values are fingerprinted as strings (an
    // Enum's categories, hence its order, are in its dtype above).
    let physical = if matches!(s.dtype(), DataType::Categorical(..) | DataType::Enum(..)) {
        match s.cast(&DataType::String) {
            Ok(strings) => std::borrow::Cow::Owned(strings),
            Err(e) => {
                f.unavailable(format!("column `{}`: {e}", s.name()));
                return;
            }
        }
    } else {
        s.to_physical_repr()
    };
    let result = match physical.dtype() {
        DataType::Boolean => physical.bool().map(|ca| booleans(ca, f)),
        DataType::String => physical.str().map(|ca| strings(ca.iter(), f)),
        DataType::Binary => physical.binary().map(|ca| strings(ca.iter(), f)),
        DataType::Int8 => physical.i8().map(|ca| primitives(ca, f)),
        DataType::Int16 => physical.i16().map(|ca| primitives(ca, f)),
        DataType::Int32 => physical.i32().map(|ca| primitives(ca, f)),
        DataType::Int64 => physical.i64().map(|ca| primitives(ca, f)),
        DataType::UInt8 => physical.u8().map(|ca| primitives(ca, f)),
        DataType::UInt16 => physical.u16().map(|ca| primitives(ca, f)),
        DataType::UInt32 => physical.u32().map(|ca| primitives(ca, f)),
        DataType::UInt64 => physical.u64().map(|ca| primitives(ca, f)),
        DataType::Float32 => physical.f32().map(|ca| primitives(ca, f)),
        DataType::Float64 => physical.f64().map(|ca| primitives(ca, f)),
        DataType::Null => Ok(()),
        other => {
            f.unavailable(format!(
                "column `{}` of dtype {other} has no fingerprint",
                s.name()
            ));
            Ok(())
        }
    };
    if let Err(e) = result {
        f.unavailable(format!("column `{}`: {e}", s.name()));
    }
}

/// Writes every detail of `dtype` to `out`, unambiguously: names and categories length-prefixed,
/// an Enum's categories in order (`Debug` shows them as `[...]`), a Categorical's name,
/// namespace and physical type, the time unit and zone of temporal dtypes, nested dtypes
/// recursively.
fn describe_dtype(dtype: &DataType, out: &mut String) {
    use std::fmt::Write as _;
    let text = |out: &mut String, s: &str| {
        let _ = write!(out, "{}:{s}", s.len());
    };
    match dtype {
        DataType::Enum(categories, _) => {
            let values = categories.categories();
            let _ = write!(out, "Enum({:?};{};", categories.physical(), values.len());
            for i in 0..values.len() {
                text(out, values.value(i));
            }
            out.push(')');
        }
        DataType::Categorical(categories, _) => {
            out.push_str("Categorical(");
            text(out, categories.name());
            text(out, categories.namespace());
            let _ = write!(out, "{:?})", categories.physical());
        }
        DataType::Datetime(unit, zone) => {
            let _ = write!(out, "Datetime({unit:?};");
            match zone {
                Some(zone) => text(out, zone.as_str()),
                None => out.push('-'),
            }
            out.push(')');
        }
        DataType::List(inner) => {
            out.push_str("List(");
            describe_dtype(inner, out);
            out.push(')');
        }
        DataType::Struct(fields) => {
            let _ = write!(out, "Struct({};", fields.len());
            for field in fields {
                text(out, field.name());
                describe_dtype(field.dtype(), out);
            }
            out.push(')');
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}

/// Values (nulls zeroed) and null positions, hashed apart so that chunking does not matter.
fn primitives<T: PolarsNumericType>(ca: &ChunkedArray<T>, f: &mut Fingerprinter) {
    let mut values = Fingerprinter::new();
    let mut nulls = Fingerprinter::new();
    let mut offset = 0_u64;
    let mut buffer: Vec<T::Native> = Vec::new();
    for array in ca.downcast_iter() {
        if array.validity().is_none_or(|v| v.unset_bits() == 0) {
            values.write(bytemuck::cast_slice(array.values().as_slice()));
        } else {
            buffer.clear();
            buffer.extend(array.iter().map(|v| v.copied().unwrap_or_default()));
            values.write(bytemuck::cast_slice(&buffer));
            for (i, v) in array.iter().enumerate() {
                if v.is_none() {
                    nulls.write_u64(offset + i as u64);
                }
            }
        }
        offset += array.len() as u64;
    }
    finish_parts(values, nulls, f);
}

fn booleans(ca: &BooleanChunked, f: &mut Fingerprinter) {
    let bytes: Vec<u8> = ca
        .iter()
        .map(|v| match v {
            None => 2,
            Some(b) => u8::from(b),
        })
        .collect();
    f.write(&bytes);
}

/// Length-prefixed values (`u64::MAX` for a null), written in batches.
fn strings<'a, S: AsRef<[u8]> + ?Sized + 'a>(
    items: impl Iterator<Item = Option<&'a S>>,
    f: &mut Fingerprinter,
) {
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 16);
    for item in items {
        match item {
            None => buffer.extend_from_slice(&u64::MAX.to_le_bytes()),
            Some(v) => {
                let v = v.as_ref();
                buffer.extend_from_slice(&(v.len() as u64).to_le_bytes());
                buffer.extend_from_slice(v);
            }
        }
        if buffer.len() >= 1 << 16 {
            f.write(&buffer);
            buffer.clear();
        }
    }
    f.write(&buffer);
}

fn finish_parts(values: Fingerprinter, nulls: Fingerprinter, f: &mut Fingerprinter) {
    for part in [values.finish(), nulls.finish()] {
        match part {
            Ok(v) => f.write_version(v),
            Err(why) => f.unavailable(why),
        }
    }
}

/// Whether values of `dtype` are stored (read back exactly, with a fingerprint).
fn stored_exactly(dtype: &DataType) -> bool {
    matches!(
        dtype,
        DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float32
            | DataType::Float64
            | DataType::String
            | DataType::Binary
            | DataType::Date
            | DataType::Datetime(_, _)
            | DataType::Duration(_)
            | DataType::Time
    )
}

/// `df`, if every column's dtype is stored.
fn check_stored(df: DataFrame) -> Result<DataFrame, NodeError> {
    if let Some(column) = df.columns().iter().find(|c| !stored_exactly(c.dtype())) {
        return Err(format!(
            "column `{}` of dtype {} is not stored (not known to be read back exactly)",
            column.name(),
            column.dtype()
        )
        .into());
    }
    Ok(df)
}

/// The one column of a stored `Series`.
fn only_series(df: DataFrame) -> Result<Series, NodeError> {
    match df.columns() {
        [column] => Ok(column.as_materialized_series().clone()),
        columns => Err(format!(
            "a stored Series has one column, this file has {}",
            columns.len()
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hamilton_core::node::Value;

    /// The data version the registered type gives `v`.
    fn version(t: &CacheType, v: &Value) -> String {
        let mut f = Fingerprinter::new();
        match v.downcast_ref::<DataFrame>() {
            Some(df) => fingerprint_dataframe(df, &mut f),
            None => fingerprint_series(v.downcast_ref::<Series>().unwrap(), &mut f),
        }
        format!("{}:{}", t.type_name(), f.finish().unwrap())
    }

    fn frame() -> DataFrame {
        let dates = Series::new("d".into(), [Some(1_i32), None, Some(19000)])
            .cast(&DataType::Date)
            .unwrap();
        let times = Series::new("t".into(), [Some(1_i64), Some(2), None])
            .cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ))
            .unwrap();
        let mut df = df!(
            "f" => [Some(1.5), None, Some(f64::NAN)],
            "i" => [1_i64, -2, 3],
            "u" => [Some(1_u32), Some(2), None],
            "b" => [Some(true), None, Some(false)],
            "s" => [Some("a"), None, Some("ünï")],
        )
        .unwrap();
        df.with_column(dates.into()).unwrap();
        df.with_column(times.into()).unwrap();
        df
    }

    /// `bytes` as the payload of a result file starting at 64 bytes.
    fn stored(bytes: Vec<u8>) -> StoredPayload {
        let mut file = vec![0_u8; 64];
        file.extend(bytes);
        let len = file.len();
        StoredPayload::new(std::sync::Arc::new(file), 64..len)
    }

    /// `df` written and read back in `format`.
    fn round_trip(format: FrameFormat, df: DataFrame) -> DataFrame {
        let df = check_stored(df).unwrap();
        match format {
            FrameFormat::ArrowIpc => {
                let mut bytes = Vec::new();
                ipc::write(df, &mut bytes).unwrap();
                ipc::decode(&stored(bytes)).unwrap()
            }
            FrameFormat::Parquet => parquet::decode(&parquet::encode(df).unwrap()).unwrap(),
        }
    }

    #[test]
    fn frames_and_series_round_trip_through_both_formats_with_equal_fingerprints() {
        for (format, name) in [
            (FrameFormat::ArrowIpc, "arrow"),
            (FrameFormat::Parquet, "parquet"),
        ] {
            let df = frame();
            let t = dataframe_type(format);
            assert_eq!(t.format_name(), Some(name));
            let back = round_trip(format, df.clone());
            assert_eq!(back.schema(), df.schema(), "{name}");
            assert!(back.equals_missing(&df), "{name}");
            assert_eq!(
                version(&t, &Value::new(df.clone())),
                version(&t, &Value::new(back))
            );
            let t = series_type(format);
            assert_eq!(t.format_name(), Some(name));
            for column in df.columns() {
                let s = column.as_materialized_series().clone();
                let back = only_series(round_trip(format, s.clone().into_frame())).unwrap();
                assert_eq!(back.name(), s.name());
                assert_eq!(back.dtype(), s.dtype());
                assert_eq!(
                    version(&t, &Value::new(s.clone())),
                    version(&t, &Value::new(back))
                );
            }
        }
    }

    #[test]
    fn fingerprints_see_values_nulls_names_and_dtypes_but_not_chunks() {
        let dv = |s: &Series| {
            let mut f = Fingerprinter::new();
            fingerprint_series(s, &mut f);
            f.finish().unwrap()
        };
        let a = Series::new("x".into(), [Some(1_i64), None, Some(3)]);
        let mut chunked = Series::new("x".into(), [Some(1_i64)]);
        chunked
            .append(&Series::new("x".into(), [None, Some(3_i64)]))
            .unwrap();
        assert_eq!(chunked.n_chunks(), 2);
        assert_eq!(dv(&a), dv(&chunked));
        // A null is not a zero.
        assert_ne!(
            dv(&a),
            dv(&Series::new("x".into(), [Some(1_i64), Some(0), Some(3)]))
        );
        assert_ne!(dv(&a), dv(&a.cast(&DataType::Float64).unwrap()));
        assert_ne!(dv(&a), dv(&a.clone().with_name("y".into())));
        let s1 = Series::new("s".into(), ["ab", "c"]);
        let s2 = Series::new("s".into(), ["a", "bc"]);
        assert_ne!(dv(&s1), dv(&s2));
    }

    #[test]
    fn large_frames_fingerprint_every_column_in_order_on_any_number_of_threads() {
        let dv = |df: &DataFrame| {
            let mut f = Fingerprinter::new();
            fingerprint_dataframe(df, &mut f);
            f.finish().unwrap()
        };
        let rows = 200_000;
        let columns: Vec<Column> = (0..5)
            .map(|c| Column::new(format!("c{c}").into(), vec![c as f64; rows]))
            .collect();
        let df = DataFrame::new(rows, columns.clone()).unwrap();
        assert!(df.estimated_size() >= 4 << 20, "large enough for threads");
        // The definition: height, width, then each column's own fingerprint, in order.
        let mut by_hand = Fingerprinter::new();
        by_hand.write_str("DataFrame");
        by_hand.write_u64(rows as u64);
        by_hand.write_u64(5);
        for c in &columns {
            let mut part = Fingerprinter::new();
            fingerprint_series(c.as_materialized_series(), &mut part);
            by_hand.write_version(part.finish().unwrap());
        }
        assert_eq!(dv(&df), by_hand.finish().unwrap());
        let mut last_changed = columns.clone();
        last_changed[4] = Column::new("c4".into(), vec![4.5; rows]);
        assert_ne!(dv(&df), dv(&DataFrame::new(rows, last_changed).unwrap()));
        let mut swapped = columns;
        swapped.swap(0, 1);
        assert_ne!(dv(&df), dv(&DataFrame::new(rows, swapped).unwrap()));
    }

    #[test]
    fn nested_values_have_no_fingerprint() {
        let list = Series::new("l".into(), [Series::new("".into(), [1_i64, 2])]);
        let mut f = Fingerprinter::new();
        fingerprint_series(&list, &mut f);
        assert!(f.finish().unwrap_err().contains("no fingerprint"));
        assert!(check_stored(list.into_frame()).is_err());
    }
}
