//! Result files of `Series` and `DataFrame`: Arrow IPC (uncompressed), memory-mapped when read
//! back. Columns of fixed-width dtypes (integers, floats, dates, datetimes, durations, times)
//! point into the mapped file instead of being copied; the others (strings, binaries, booleans)
//! are read by Polars' IPC reader.

use std::fs::File;
use std::io::{Cursor, Write};
use std::sync::Arc;

use hamilton_core::cache::{SharedBytes, StoredPayload};
use hamilton_core::node::NodeError;
use polars::prelude::*;
use polars_arrow::array::{Array, PrimitiveArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::ArrowDataType;
use polars_arrow::io::ipc::format::ipc::planus::ReadAsRoot;
use polars_arrow::io::ipc::format::ipc::{Block, MessageHeaderRef, MessageRef};
use polars_arrow::io::ipc::read::read_file_metadata;
use polars_arrow::types::NativeType;
use polars_buffer::Buffer;
use polars_io::ipc::{IpcReader, IpcWriter};
use polars_utils::mmap::MMapSemaphore;

/// The format's name, also the result files' extension.
pub(super) const FORMAT: &str = "arrow";

/// A result file's bytes, memory-mapped.
pub(super) fn map(file: &File) -> std::io::Result<SharedBytes> {
    let mapped = MMapSemaphore::new_from_file(file).map_err(std::io::Error::other)?;
    Ok(Arc::new(mapped))
}

/// Writes the Arrow IPC file of `df`, uncompressed, to `out` (the result file: no copy of the
/// data is made in memory first).
pub(super) fn write(mut df: DataFrame, out: &mut dyn Write) -> Result<(), NodeError> {
    IpcWriter::new(out).with_compression(None).finish(&mut df)?;
    Ok(())
}

/// The `DataFrame` of an Arrow IPC payload: its fixed-width columns pointing into the payload's
/// bytes where they are aligned, the rest read by Polars.
pub(super) fn decode(payload: &StoredPayload) -> Result<DataFrame, NodeError> {
    match borrowed(payload)? {
        Some(df) => Ok(df),
        None => Ok(IpcReader::new(Cursor::new(payload.as_bytes())).finish()?),
    }
}

/// The prefix of the shared bytes that is a whole number of 8-byte words, as Polars' buffers
/// reinterpret only whole storages.
struct Words(SharedBytes, usize);

impl AsRef<[u8]> for Words {
    fn as_ref(&self) -> &[u8] {
        &(*self.0).as_ref()[..self.1]
    }
}

/// How a column of a record batch is laid out: how many field nodes and buffers it takes.
enum Layout {
    /// Read without copying: one node, a validity and a values buffer.
    Fixed,
    /// Read by Polars: one node and this many buffers (plus the batch's next variadic count
    /// for views).
    Other { buffers: usize, views: bool },
}

fn layout(dtype: &ArrowDataType) -> Option<Layout> {
    use ArrowDataType as A;
    Some(match dtype {
        d if fixed_width(d) => Layout::Fixed,
        A::Boolean => Layout::Other {
            buffers: 2,
            views: false,
        },
        A::Utf8 | A::LargeUtf8 | A::Binary | A::LargeBinary => Layout::Other {
            buffers: 3,
            views: false,
        },
        A::Utf8View | A::BinaryView => Layout::Other {
            buffers: 2,
            views: true,
        },
        _ => return None,
    })
}

/// The frame with its fixed-width columns pointing into the payload and its other columns read
/// by Polars, or `None` when it has no fixed-width column, another byte order than this
/// machine's, or a layout this reader does not walk (nested dtypes, dictionaries, compression):
/// Polars then reads all of it.
fn borrowed(payload: &StoredPayload) -> Result<Option<DataFrame>, NodeError> {
    let bytes = payload.as_bytes();
    let metadata = read_file_metadata(&mut Cursor::new(bytes))?;
    let fields: Vec<_> = metadata.schema.iter_values().collect();
    let Some(layouts) = fields
        .iter()
        .map(|f| layout(&f.dtype))
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    // A file written on a machine of the other byte order is read (and swapped) by Polars.
    if !layouts.iter().any(|l| matches!(l, Layout::Fixed))
        || metadata.ipc_schema.is_little_endian != cfg!(target_endian = "little")
        || metadata
            .dictionaries
            .as_ref()
            .is_some_and(|d| !d.is_empty())
    {
        return Ok(None);
    }
    let whole = payload.shared().clone();
    let words = payload.whole().len() / 8 * 8;
    let storage = Buffer::<u8>::from_owner(Words(whole, words));
    let mut chunks: Vec<Vec<Box<dyn Array>>> = vec![Vec::new(); fields.len()];
    let mut height = 0;
    for block in &metadata.blocks {
        let (message, body) = message(bytes, block)?;
        let Some(MessageHeaderRef::RecordBatch(batch)) = message.header()? else {
            return Err("an IPC block that is not a record batch".into());
        };
        if batch.compression()?.is_some() {
            return Ok(None);
        }
        let nodes: Vec<_> = batch
            .nodes()?
            .ok_or("a record batch without nodes")?
            .iter()
            .collect();
        let buffers: Vec<_> = batch
            .buffers()?
            .ok_or("a record batch without buffers")?
            .iter()
            .collect();
        let mut variadic = batch
            .variadic_buffer_counts()?
            .map(|counts| counts.iter().collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter();
        height += usize::try_from(batch.length()?)?;
        let (mut node, mut buffer) = (0, 0);
        for (i, field) in fields.iter().enumerate() {
            let (Some(n), Some(validity), Some(values)) = (
                nodes.get(node),
                buffers.get(buffer),
                buffers.get(buffer + 1),
            ) else {
                return Err("a record batch with fewer buffers than its schema needs".into());
            };
            node += 1;
            match layouts[i] {
                Layout::Fixed => buffer += 2,
                Layout::Other { buffers, views } => {
                    let extra = if views {
                        usize::try_from(variadic.next().ok_or("a view without its count")?)?
                    } else {
                        0
                    };
                    buffer += buffers + extra;
                    continue;
                }
            }
            let len = usize::try_from(n.length())?;
            let nulls = usize::try_from(n.null_count())?;
            let region = |b: &polars_arrow::io::ipc::format::ipc::BufferRef<'_>| {
                let out_of_bounds = || NodeError::from("an IPC buffer out of bounds");
                let start = (payload.range().start + body)
                    .checked_add(usize::try_from(b.offset())?)
                    .ok_or_else(out_of_bounds)?;
                let end = start
                    .checked_add(usize::try_from(b.length())?)
                    .ok_or_else(out_of_bounds)?;
                Ok::<_, NodeError>(start..end)
            };
            let validity = (nulls > 0)
                .then(|| bitmap(&storage, region(validity)?, len))
                .transpose()?;
            chunks[i].push(array(
                &field.dtype,
                &storage,
                region(values)?,
                len,
                validity,
            )?);
        }
        if node != nodes.len() || buffer != buffers.len() {
            return Err("a record batch with more buffers than its schema needs".into());
        }
    }
    let others: Vec<usize> = (0..fields.len())
        .filter(|&i| !matches!(layouts[i], Layout::Fixed))
        .collect();
    let copied = if others.is_empty() {
        None
    } else {
        Some(
            IpcReader::new(Cursor::new(bytes))
                .with_projection(Some(others))
                .finish()?,
        )
    };
    let columns = fields
        .iter()
        .zip(chunks)
        .zip(&layouts)
        .map(|((field, arrays), layout)| match (layout, &copied) {
            (Layout::Fixed, _) => Ok(Column::from(Series::from_arrow_chunks(
                field.name.clone(),
                arrays,
            )?)),
            (_, Some(copied)) => Ok(copied.column(&field.name)?.clone()),
            (_, None) => Err("a column neither borrowed nor read".into()),
        })
        .collect::<Result<Vec<_>, NodeError>>()?;
    Ok(Some(DataFrame::new(height, columns)?))
}

/// Whether columns of `dtype` are read without copying.
fn fixed_width(dtype: &ArrowDataType) -> bool {
    use ArrowDataType as A;
    matches!(
        dtype,
        A::Int8
            | A::Int16
            | A::Int32
            | A::Int64
            | A::UInt8
            | A::UInt16
            | A::UInt32
            | A::UInt64
            | A::Float32
            | A::Float64
            | A::Date32
            | A::Date64
            | A::Time32(_)
            | A::Time64(_)
            | A::Timestamp(_, _)
            | A::Duration(_)
    )
}

/// The message of an IPC block and where its body starts in `bytes`.
fn message<'a>(bytes: &'a [u8], block: &Block) -> Result<(MessageRef<'a>, usize), NodeError> {
    const CONTINUATION: [u8; 4] = [0xff; 4];
    let offset = usize::try_from(block.offset)?;
    let meta_len = usize::try_from(block.meta_data_length)?;
    let mut at = offset;
    let word = |at: usize| -> Result<[u8; 4], NodeError> {
        Ok(bytes
            .get(at..at.saturating_add(4))
            .ok_or("an IPC block out of bounds")?
            .try_into()?)
    };
    let mut len = word(at)?;
    at += 4;
    if len == CONTINUATION {
        len = word(at)?;
        at += 4;
    }
    let len = usize::try_from(i32::from_le_bytes(len))?;
    let flatbuffer = at
        .checked_add(len)
        .and_then(|end| bytes.get(at..end))
        .ok_or("an IPC message out of bounds")?;
    let body = offset
        .checked_add(meta_len)
        .ok_or("an IPC block out of bounds")?;
    Ok((MessageRef::read_as_root(flatbuffer)?, body))
}

/// The validity bitmap of `len` values at `region` (copied: an eighth of a byte per value).
fn bitmap(
    storage: &Buffer<u8>,
    region: std::ops::Range<usize>,
    len: usize,
) -> Result<Bitmap, NodeError> {
    let needed = len.div_ceil(8);
    let bytes = storage
        .as_slice()
        .get(region.start..region.start.saturating_add(needed))
        .filter(|_| region.len() >= needed)
        .ok_or("an IPC validity buffer out of bounds")?;
    Ok(Bitmap::try_new(bytes.to_vec(), len)?)
}

/// The fixed-width array of `len` values of `dtype` at `region` of `storage`.
fn array(
    dtype: &ArrowDataType,
    storage: &Buffer<u8>,
    region: std::ops::Range<usize>,
    len: usize,
    validity: Option<Bitmap>,
) -> Result<Box<dyn Array>, NodeError> {
    use ArrowDataType as A;
    Ok(match dtype {
        A::Int8 => primitive::<i8>(dtype, storage, region, len, validity)?,
        A::Int16 => primitive::<i16>(dtype, storage, region, len, validity)?,
        A::Int32 | A::Date32 | A::Time32(_) => {
            primitive::<i32>(dtype, storage, region, len, validity)?
        }
        A::Int64 | A::Date64 | A::Time64(_) | A::Timestamp(_, _) | A::Duration(_) => {
            primitive::<i64>(dtype, storage, region, len, validity)?
        }
        A::UInt8 => primitive::<u8>(dtype, storage, region, len, validity)?,
        A::UInt16 => primitive::<u16>(dtype, storage, region, len, validity)?,
        A::UInt32 => primitive::<u32>(dtype, storage, region, len, validity)?,
        A::UInt64 => primitive::<u64>(dtype, storage, region, len, validity)?,
        A::Float32 => primitive::<f32>(dtype, storage, region, len, validity)?,
        A::Float64 => primitive::<f64>(dtype, storage, region, len, validity)?,
        other => return Err(format!("no fixed-width reading of {other:?}").into()),
    })
}

/// `len` values of `T` at `region`: the storage itself when the region is aligned for `T`, a
/// copy otherwise.
fn primitive<T: NativeType + bytemuck::Pod>(
    dtype: &ArrowDataType,
    storage: &Buffer<u8>,
    region: std::ops::Range<usize>,
    len: usize,
    validity: Option<Bitmap>,
) -> Result<Box<dyn Array>, NodeError> {
    let size = size_of::<T>();
    let needed = len
        .checked_mul(size)
        .filter(|n| *n <= region.len() && region.start + n <= storage.len())
        .ok_or("an IPC values buffer out of bounds")?;
    let values = match storage.clone().try_transmute::<T>() {
        Ok(typed) if region.start.is_multiple_of(size) => {
            let start = region.start / size;
            typed.sliced(start..start + len)
        }
        _ => Buffer::from_vec(bytemuck::pod_collect_to_vec(
            &storage.as_slice()[region.start..region.start + needed],
        )),
    };
    Ok(Box::new(PrimitiveArray::<T>::try_new(
        dtype.clone(),
        values,
        validity,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(df: DataFrame) -> Result<Vec<u8>, NodeError> {
        let mut bytes = Vec::new();
        write(df, &mut bytes)?;
        Ok(bytes)
    }

    /// Bytes aligned like a memory map's.
    struct Aligned(Vec<u64>, usize);

    impl AsRef<[u8]> for Aligned {
        fn as_ref(&self) -> &[u8] {
            &bytemuck::cast_slice(&self.0)[..self.1]
        }
    }

    /// `bytes` stored at offset `at` of an aligned file.
    fn stored(bytes: Vec<u8>, at: usize) -> StoredPayload {
        let mut file = vec![0_u8; at];
        file.extend(bytes);
        let len = file.len();
        let mut words = vec![0_u64; len.div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..len].copy_from_slice(&file);
        StoredPayload::new(Arc::new(Aligned(words, len)), at..len)
    }

    /// Where the values of a fixed-width column's first chunk start.
    fn values_ptr(df: &DataFrame, column: &str) -> *const u8 {
        let physical = df
            .column(column)
            .unwrap()
            .as_materialized_series()
            .to_physical_repr();
        let chunk = &physical.chunks()[0];
        macro_rules! ptr {
            ($($t:ty),*) => {$(
                if let Some(a) = chunk.as_any().downcast_ref::<PrimitiveArray<$t>>() {
                    return a.values().as_ptr().cast();
                }
            )*};
        }
        ptr!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
        panic!("`{column}` is not fixed-width")
    }

    /// A frame of every fixed-width dtype this build of Polars has (8- and 16-bit integers are
    /// optional Polars features), with nulls.
    fn fixed_width_frame() -> DataFrame {
        let ints = Series::new("i64".into(), [Some(1_i64), None, Some(-3)]);
        let cast = |name: &str, dtype: DataType| {
            ints.cast(&dtype)
                .unwrap()
                .with_name(name.into())
                .into_column()
        };
        DataFrame::new(
            3,
            vec![
                ints.clone().into_column(),
                cast("i32", DataType::Int32),
                Column::new("u32".into(), [1_u32, 2, 3]),
                Column::new("u64".into(), [1_u64, 2, u64::MAX]),
                cast("f32", DataType::Float32),
                cast("f64", DataType::Float64),
                cast("date", DataType::Date),
                cast("ns", DataType::Datetime(TimeUnit::Nanoseconds, None)),
                cast("us", DataType::Datetime(TimeUnit::Microseconds, None)),
                cast("ms", DataType::Datetime(TimeUnit::Milliseconds, None)),
                cast("duration", DataType::Duration(TimeUnit::Microseconds)),
                cast("time", DataType::Time),
            ],
        )
        .unwrap()
    }

    #[test]
    fn fixed_width_columns_of_every_dtype_point_into_the_stored_bytes() {
        let df = fixed_width_frame();
        let payload = stored(encode(df.clone()).unwrap(), 64);
        assert!(borrowed(&payload).unwrap().is_some());
        let back = decode(&payload).unwrap();
        assert_eq!(back.schema(), df.schema());
        assert!(back.equals_missing(&df));
        let inside = payload.whole().as_ptr_range();
        for name in df.get_column_names() {
            assert!(
                inside.contains(&values_ptr(&back, name)),
                "`{name}` was copied"
            );
        }
    }

    #[test]
    fn in_mixed_frames_only_the_other_dtypes_are_copied() {
        let df = df!(
            "s" => [Some("a"), None, Some("ünï")],
            "x" => [1.5, 2.5, 3.5],
            "b" => [Some(true), None, Some(false)],
            "bin" => [Some(&b"\x00\x01"[..]), None, Some(&b""[..])],
            "n" => [Some(1_i64), None, Some(3)],
        )
        .unwrap();
        let payload = stored(encode(df.clone()).unwrap(), 64);
        let back = borrowed(&payload)
            .unwrap()
            .expect("read without a full copy");
        assert_eq!(back.schema(), df.schema());
        assert!(back.equals_missing(&df));
        let inside = payload.whole().as_ptr_range();
        assert!(inside.contains(&values_ptr(&back, "x")));
        assert!(inside.contains(&values_ptr(&back, "n")));
    }

    #[test]
    fn frames_of_several_chunks_and_sliced_columns_come_back_equal() {
        let mut df = df!("x" => [Some(1.0), None, Some(3.0)], "d" => [1_i32, 2, 3]).unwrap();
        df.vstack_mut(&df!("x" => [Some(4.0), Some(5.0), None], "d" => [4_i32, 5, 6]).unwrap())
            .unwrap();
        assert_eq!(df.first_col_n_chunks(), 2);
        let bytes = encode(df.clone()).unwrap();
        let blocks = read_file_metadata(&mut Cursor::new(&bytes)).unwrap().blocks;
        assert_eq!(blocks.len(), 2, "one record batch per chunk");
        let back = decode(&stored(bytes, 64)).unwrap();
        assert_eq!(back.first_col_n_chunks(), 2);
        assert!(back.equals_missing(&df));
        let sliced = df.slice(1, 4);
        let back = decode(&stored(encode(sliced.clone()).unwrap(), 64)).unwrap();
        assert!(back.equals_missing(&sliced));
        assert_eq!(back.column("x").unwrap().null_count(), 1);
    }

    #[test]
    fn unaligned_payloads_are_copied_with_the_same_values() {
        let df = df!("x" => [1.5, 2.5, 3.5], "n" => [Some(1_i64), None, Some(3)]).unwrap();
        let payload = stored(encode(df.clone()).unwrap(), 3);
        let back = decode(&payload).unwrap();
        assert!(back.equals_missing(&df));
        let inside = payload.whole().as_ptr_range();
        assert!(!inside.contains(&values_ptr(&back, "x")));
    }

    #[test]
    fn columns_of_other_dtypes_are_read_by_polars_with_the_same_values() {
        let df = df!(
            "s" => [Some("a"), None, Some("ünï")],
            "b" => [Some(true), None, Some(false)],
            "x" => [1.0, 2.0, 3.0],
        )
        .unwrap();
        let back = decode(&stored(encode(df.clone()).unwrap(), 0)).unwrap();
        assert!(back.equals_missing(&df));
        assert_eq!(back.schema(), df.schema());
    }

    #[test]
    fn a_damaged_payload_is_an_error_not_a_panic() {
        let df = df!("x" => [1.0, 2.0, 3.0]).unwrap();
        let bytes = encode(df).unwrap();
        for cut in [0, 8, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&stored(bytes[..cut].to_vec(), 0)).is_err());
        }
    }

    #[test]
    fn damaged_record_batches_never_make_the_borrowing_reader_panic() {
        // Past the checksum only what the cache wrote is read; this is the reader's own guard
        // over the record batches it walks (message, nodes, buffer offsets and lengths).
        let df = df!("x" => [Some(1.0), None, Some(3.0)], "s" => ["a", "b", "c"]).unwrap();
        let bytes = encode(df).unwrap();
        let block = read_file_metadata(&mut Cursor::new(&bytes)).unwrap().blocks[0];
        let start = usize::try_from(block.offset).unwrap();
        let end = start
            + usize::try_from(block.meta_data_length).unwrap()
            + usize::try_from(block.body_length).unwrap();
        for at in start..end {
            for flip in [0x01_u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                let payload = stored(damaged, 64);
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| borrowed(&payload)));
                assert!(outcome.is_ok(), "byte {at} ^ {flip:#x} panicked");
            }
        }
    }
}
