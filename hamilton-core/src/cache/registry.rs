//! What the cache knows about each value type: how to fingerprint it, and how to store it.

use std::any::{Any, TypeId, type_name};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::fingerprint::{DataVersion, Fingerprint, Fingerprinter, fingerprint_serde};
#[cfg(feature = "distributed")]
use super::store::PAYLOAD_ALIGNMENT;
use crate::node::NodeError;
use crate::value::{NodeValue, Value};

type AnyRef<'a> = &'a (dyn Any + Send + Sync);
type FingerprintFn = Arc<dyn Fn(AnyRef<'_>, &mut Fingerprinter) + Send + Sync>;
/// Writes a value's payload to the result file being written.
type EncodeFn = Arc<dyn Fn(AnyRef<'_>, &mut dyn Write) -> Result<(), NodeError> + Send + Sync>;
type DecodeFn = Arc<dyn Fn(&[u8]) -> Result<Value, NodeError> + Send + Sync>;
pub(crate) type MapFn = Arc<dyn Fn(&File) -> std::io::Result<SharedBytes> + Send + Sync>;
type DecodeSharedFn = Arc<dyn Fn(StoredPayload) -> Result<Value, NodeError> + Send + Sync>;
type CloneFn = Arc<dyn Fn(AnyRef<'_>) -> Option<Value> + Send + Sync>;

/// How values of one type are written to and read from the result store.
#[derive(Clone)]
pub(crate) struct Format {
    /// The format's name, also the stored files' extension (`postcard`, `arrow`).
    pub(crate) name: &'static str,
    pub(crate) encode: EncodeFn,
    pub(crate) decode: Decode,
    pub(crate) clone: CloneFn,
}

/// How a format reads its payload back.
#[derive(Clone)]
pub(crate) enum Decode {
    /// From the payload's bytes, read into a buffer.
    Bytes(DecodeFn),
    /// From the file mapped by `map`: the decoded value may keep the bytes it points into.
    Mapped { map: MapFn, decode: DecodeSharedFn },
}

/// Bytes a decoded value may share with where they were read from: a memory-mapped result file,
/// or a buffer. `as_ref` must give the same slice (address and length) every time it is called:
/// the cache checks the bytes once, and a decoded value may keep pointers into them.
/// ```
/// use std::sync::Arc;
/// use hamilton_core::cache::SharedBytes;
/// let bytes: SharedBytes = Arc::new(vec![1_u8, 2, 3]);
/// assert_eq!((*bytes).as_ref(), &[1, 2, 3]);
/// ```
pub type SharedBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// The payload of a stored result, given to the decoder of a format registered with
/// [`CacheType::with_mapped_format`]: the bytes of the whole file (shared, so a decoded value can
/// point into them instead of copying) and where in them the payload lies. Given by the cache,
/// the payload starts at a multiple of 64 bytes from the start of the file and its checksum has
/// been checked; [`new`](Self::new) (for tests of a decoder) checks neither.
/// ```
/// use std::sync::Arc;
/// use hamilton_core::cache::StoredPayload;
/// let p = StoredPayload::new(Arc::new(vec![0_u8, 1, 2, 3]), 1..3);
/// assert_eq!(p.as_bytes(), &[1, 2]);
/// assert_eq!(p.whole().len(), 4);
/// assert_eq!(p.range(), 1..3);
/// ```
#[derive(Clone)]
pub struct StoredPayload {
    bytes: SharedBytes,
    range: Range<usize>,
}

impl fmt::Debug for StoredPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredPayload")
            .field("file_len", &self.whole().len())
            .field("range", &self.range)
            .finish()
    }
}

impl StoredPayload {
    /// The payload lying at `range` of `bytes`.
    /// # Panics
    /// When `range` is not within `bytes`.
    pub fn new(bytes: SharedBytes, range: Range<usize>) -> Self {
        assert!(
            range.start <= range.end && range.end <= (*bytes).as_ref().len(),
            "payload range {range:?} out of {} bytes",
            (*bytes).as_ref().len()
        );
        Self { bytes, range }
    }

    /// The payload's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &(*self.bytes).as_ref()[self.range.clone()]
    }

    /// The bytes of the whole file the payload lies in.
    pub fn whole(&self) -> &[u8] {
        (*self.bytes).as_ref()
    }

    /// The bytes of the whole file the payload lies in, shared: a decoded value may keep them.
    pub fn shared(&self) -> &SharedBytes {
        &self.bytes
    }

    /// Where the payload lies in [`shared`](Self::shared).
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }
}

/// How the cache handles values of one type: its fingerprint (the data version downstream
/// cache keys are made of) and, optionally, the format its values are stored in.
///
/// A type the cache does not know has no fingerprint: a node producing it is never cached, and
/// the nodes reading it never hit. The cache knows the primitives, `String`, and `Vec`,
/// `Option`, `HashMap<String, _>` and `BTreeMap<String, _>` of those (stored with postcard);
/// `hamilton-polars` adds Polars' `Series` and `DataFrame` (stored as Arrow IPC, read back from a
/// memory map: [`with_mapped_format`](CacheType::with_mapped_format)). Make another type
/// known with [`register_cache_type!`](crate::register_cache_type!) (found by every driver) or
/// [`CacheOptions::with_type`](crate::cache::CacheOptions::with_type) (one driver).
///
/// ```
/// use hamilton_core::cache::CacheType;
/// #[derive(Clone, serde::Serialize, serde::Deserialize)]
/// struct Settings { alpha: f64 }
/// let t = CacheType::serde::<Settings>();
/// assert!(t.type_name().ends_with("Settings"));
/// assert_eq!(t.format_name(), Some("postcard"));
/// ```
#[derive(Clone)]
pub struct CacheType {
    pub(crate) id: TypeId,
    pub(crate) name: &'static str,
    pub(crate) fingerprint: FingerprintFn,
    pub(crate) format: Option<Format>,
}

impl fmt::Debug for CacheType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheType")
            .field("type", &self.name)
            .field("format", &self.format.as_ref().map(|f| f.name))
            .finish()
    }
}

fn downcast<T: 'static>(value: AnyRef<'_>) -> Result<&T, NodeError> {
    value
        .downcast_ref::<T>()
        .ok_or_else(|| format!("expected a `{}`", type_name::<T>()).into())
}

fn postcard_format<T: Serialize + DeserializeOwned + NodeValue + Clone>() -> Format {
    Format {
        name: "postcard",
        encode: Arc::new(|v, out| {
            postcard::to_io(downcast::<T>(v)?, out)?;
            Ok(())
        }),
        decode: Decode::Bytes(Arc::new(|bytes| {
            Ok(Value::new(postcard::from_bytes::<T>(bytes)?))
        })),
        clone: clone_fn::<T>(),
    }
}

fn clone_fn<T: NodeValue + Clone>() -> CloneFn {
    Arc::new(|v| v.downcast_ref::<T>().map(|t| Value::new(t.clone())))
}

impl CacheType {
    /// A type fingerprinted by `f` (called with the value), with no stored format: nodes
    /// producing it are not cached, but the nodes reading it can hit. Add a format with
    /// [`with_format`](Self::with_format).
    ///
    /// ```
    /// use hamilton_core::cache::CacheType;
    /// struct Celsius(f64);
    /// let t = CacheType::fingerprint_with(|c: &Celsius, f| f.write_value(&c.0));
    /// assert_eq!(t.format_name(), None);
    /// ```
    pub fn fingerprint_with<T: NodeValue>(
        f: impl Fn(&T, &mut Fingerprinter) + Send + Sync + 'static,
    ) -> Self {
        Self {
            id: TypeId::of::<T>(),
            name: type_name::<T>(),
            fingerprint: Arc::new(move |v, out| match v.downcast_ref::<T>() {
                Some(t) => f(t, out),
                None => out.unavailable(format!("expected a `{}`", type_name::<T>())),
            }),
            format: None,
        }
    }

    /// A type with a [`Fingerprint`] implementation and no stored format.
    ///
    /// ```
    /// use hamilton_core::cache::CacheType;
    /// assert_eq!(CacheType::fingerprint_only::<u8>().format_name(), None);
    /// ```
    pub fn fingerprint_only<T: NodeValue + Fingerprint>() -> Self {
        Self::fingerprint_with(|v: &T, f| v.fingerprint(f))
    }

    /// A type fingerprinted by its [`Fingerprint`] implementation and stored with postcard
    /// (serde).
    ///
    /// ```
    /// use hamilton_core::cache::CacheType;
    /// assert_eq!(CacheType::of::<Vec<f64>>().format_name(), Some("postcard"));
    /// ```
    pub fn of<T>() -> Self
    where
        T: NodeValue + Fingerprint + Serialize + DeserializeOwned + Clone,
    {
        let mut t = Self::fingerprint_only::<T>();
        t.format = Some(postcard_format::<T>());
        t
    }

    /// A serde type: fingerprinted by its postcard encoding (see
    /// [`fingerprint_serde`]) and stored with postcard.
    ///
    /// ```
    /// use hamilton_core::cache::CacheType;
    /// #[derive(Clone, serde::Serialize, serde::Deserialize)]
    /// struct Row { id: u32, name: String }
    /// assert_eq!(CacheType::serde::<Row>().format_name(), Some("postcard"));
    /// ```
    pub fn serde<T>() -> Self
    where
        T: NodeValue + Serialize + DeserializeOwned + Clone,
    {
        let mut t = Self::fingerprint_with(|v: &T, f| fingerprint_serde(v, f));
        t.format = Some(postcard_format::<T>());
        t
    }

    /// Stores the type's values in the format `name` (also the files' extension): `encode` writes
    /// a value's bytes, `decode` reads them back. Decoding what `encode` wrote must give a value
    /// equal to the original.
    ///
    /// # Panics
    /// When `T` is not the type this `CacheType` describes.
    ///
    /// ```
    /// use hamilton_core::cache::CacheType;
    /// #[derive(Clone)]
    /// struct Celsius(f64);
    /// let t = CacheType::fingerprint_with(|c: &Celsius, f| f.write_value(&c.0)).with_format(
    ///     "celsius",
    ///     |c: &Celsius| Ok(c.0.to_le_bytes().to_vec()),
    ///     |b: &[u8]| Ok(Celsius(f64::from_le_bytes(b.try_into()?))),
    /// );
    /// assert_eq!(t.format_name(), Some("celsius"));
    /// ```
    pub fn with_format<T: NodeValue + Clone>(
        self,
        name: &'static str,
        encode: impl Fn(&T) -> Result<Vec<u8>, NodeError> + Send + Sync + 'static,
        decode: impl Fn(&[u8]) -> Result<T, NodeError> + Send + Sync + 'static,
    ) -> Self {
        self.set_format::<T>(
            "with_format",
            name,
            Arc::new(move |v, out| Ok(out.write_all(&encode(downcast::<T>(v)?)?)?)),
            Decode::Bytes(Arc::new(move |bytes| decode(bytes).map(Value::new))),
        )
    }

    /// Like [`with_format`](Self::with_format), for a format whose values can point into the
    /// file they are read from instead of copying it: `encode` writes a value's payload straight
    /// into the result file (no copy in memory first), `map` gives the bytes of a result file (a
    /// memory map, say), the cache checks the file's header and checksum on them, and `decode`
    /// gets them with the payload's place ([`StoredPayload`]). A value keeping mapped bytes
    /// keeps the file's content alive after the file is deleted (on Unix; on Windows a mapped
    /// file cannot be deleted, so [`Cache::clear`](crate::cache::Cache::clear) fails while such
    /// values live). The checksum is checked when the file is loaded, not afterwards: a file
    /// changed in place by another program changes such values with it, and one truncated makes
    /// reading them crash the process (`SIGBUS`). The cache itself only writes new files and
    /// renames them into place. A `map` that fails or panics makes the node run (the file is
    /// kept).
    /// # Panics
    /// When `T` is not the type this `CacheType` describes.
    /// ```
    /// use std::io::Read;
    /// use std::sync::Arc;
    /// use hamilton_core::cache::{CacheType, StoredPayload};
    /// #[derive(Clone)]
    /// struct Blob(Vec<u8>);
    /// let t = CacheType::fingerprint_with(|b: &Blob, f| f.write(&b.0)).with_mapped_format(
    ///     "blob",
    ///     |b: &Blob, out: &mut dyn std::io::Write| Ok(out.write_all(&b.0)?),
    ///     |mut file: &std::fs::File| { let mut v = Vec::new(); file.read_to_end(&mut v)?; Ok(Arc::new(v)) },
    ///     |p: StoredPayload| Ok(Blob(p.as_bytes().to_vec())),
    /// );
    /// assert_eq!(t.format_name(), Some("blob"));
    /// ```
    pub fn with_mapped_format<T: NodeValue + Clone>(
        self,
        name: &'static str,
        encode: impl Fn(&T, &mut dyn Write) -> Result<(), NodeError> + Send + Sync + 'static,
        map: impl Fn(&File) -> std::io::Result<SharedBytes> + Send + Sync + 'static,
        decode: impl Fn(StoredPayload) -> Result<T, NodeError> + Send + Sync + 'static,
    ) -> Self {
        self.set_format::<T>(
            "with_mapped_format",
            name,
            Arc::new(move |v, out| encode(downcast::<T>(v)?, out)),
            Decode::Mapped {
                map: Arc::new(map),
                decode: Arc::new(move |payload| decode(payload).map(Value::new)),
            },
        )
    }

    /// Stores the type's values in the format `name`, after checking that `T` is the type.
    fn set_format<T: NodeValue + Clone>(
        mut self,
        method: &str,
        name: &'static str,
        encode: EncodeFn,
        decode: Decode,
    ) -> Self {
        assert_eq!(
            self.id,
            TypeId::of::<T>(),
            "`{method}::<{}>` on the cache type of `{}`",
            type_name::<T>(),
            self.name
        );
        self.format = Some(Format {
            name,
            encode,
            decode,
            clone: clone_fn::<T>(),
        });
        self
    }

    /// The full name of the type.
    pub fn type_name(&self) -> &'static str {
        self.name
    }

    /// The name of the format values are stored in, if any.
    pub fn format_name(&self) -> Option<&'static str> {
        self.format.as_ref().map(|f| f.name)
    }

    /// The data version of `value` (a value of this type): the type's name, then its content.
    pub(crate) fn version(&self, value: AnyRef<'_>) -> Result<DataVersion, String> {
        guarded("fingerprinting", || {
            let mut f = Fingerprinter::new();
            f.write_str(self.name);
            (self.fingerprint)(value, &mut f);
            f.finish()
        })
    }
}

// Used by `remote`'s codec, which the executor and the worker use.
#[cfg(feature = "distributed")]
impl Format {
    /// Decodes `payload`, held in memory rather than in a result file. A mapped decoder
    /// ([`Decode::Mapped`]) gets a copy at an address that is a multiple of
    /// [`PAYLOAD_ALIGNMENT`], as it finds the payload of a memory-mapped result file.
    pub(crate) fn decode_in_memory(&self, payload: &[u8]) -> Result<Value, NodeError> {
        match &self.decode {
            Decode::Bytes(decode) => decode(payload),
            Decode::Mapped { decode, .. } => {
                let mut copy = vec![0_u8; payload.len() + PAYLOAD_ALIGNMENT - 1];
                let start = match copy.as_ptr().align_offset(PAYLOAD_ALIGNMENT) {
                    offset if offset < PAYLOAD_ALIGNMENT => offset,
                    _ => return Err("no aligned address for the payload".into()),
                };
                let range = start..start + payload.len();
                copy[range.clone()].copy_from_slice(payload);
                // Moving the vector into the `Arc` keeps its buffer where it is.
                decode(StoredPayload::new(Arc::new(copy), range))
            }
        }
    }
}

#[cfg(feature = "distributed")]
impl CacheType {
    /// Every known type ([`type_table`]), for the modules outside the cache (which cannot name
    /// this one).
    pub(crate) fn known_types(extra: &[CacheType]) -> TypeTable {
        type_table(extra)
    }
}

/// Runs a registered function, turning its panic into an error: a faulty fingerprint or format
/// makes a node uncached, never a failed run.
pub(crate) fn guarded<R>(what: &str, f: impl FnOnce() -> Result<R, String>) -> Result<R, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(format!(
            "{what} panicked: {}",
            crate::run::invoke::panic_message(payload.as_ref())
        )),
    }
}

/// Whether `ty` (a type's name) looks like one of Polars' types, which hamilton-polars' `cache`
/// feature registers.
pub(crate) fn is_polars_type(ty: &str) -> bool {
    [
        "DataFrame",
        "LazyFrame",
        "Series",
        "Column",
        "Expr",
        "Chunked",
    ]
    .iter()
    .any(|t| ty.contains(t))
        || ty.contains("polars")
}

/// A [`CacheType`] registered for discovery by [`register_cache_type!`](crate::register_cache_type!).
#[doc(hidden)]
pub struct RegisteredCacheType(pub fn() -> CacheType);

inventory::collect!(RegisteredCacheType);

/// Registers a [`CacheType`](crate::cache::CacheType), found by every driver with a cache: the
/// argument is an expression building it.
///
/// ```
/// use hamilton_core::cache::CacheType;
/// #[derive(Clone, serde::Serialize, serde::Deserialize)]
/// pub struct Settings { pub alpha: f64 }
/// hamilton_core::register_cache_type!(CacheType::serde::<Settings>());
/// ```
#[macro_export]
macro_rules! register_cache_type {
    ($cache_type:expr) => {
        $crate::__private::inventory::submit! {
            $crate::cache::RegisteredCacheType(|| $cache_type)
        }
    };
}

/// Cache types by type.
pub(crate) type TypeTable = HashMap<TypeId, Arc<CacheType>>;

/// Every known type: the built-in ones, the registered ones, then `extra` (later wins).
pub(crate) fn type_table(extra: &[CacheType]) -> TypeTable {
    let mut table = TypeTable::new();
    for t in builtin() {
        table.insert(t.id, Arc::new(t));
    }
    for r in inventory::iter::<RegisteredCacheType> {
        let t = (r.0)();
        table.insert(t.id, Arc::new(t));
    }
    for t in extra {
        table.insert(t.id, Arc::new(t.clone()));
    }
    table
}

fn builtin() -> Vec<CacheType> {
    let mut out = Vec::new();
    macro_rules! scalars {
        ($($t:ty),*) => {$(
            out.push(CacheType::of::<$t>());
            out.push(CacheType::of::<Option<$t>>());
            out.push(CacheType::of::<Vec<$t>>());
            out.push(CacheType::of::<Vec<Option<$t>>>());
            out.push(CacheType::of::<Vec<Vec<$t>>>());
            out.push(CacheType::of::<HashMap<String, $t>>());
            out.push(CacheType::of::<BTreeMap<String, $t>>());
        )*};
    }
    scalars!(
        bool, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64,
        String
    );
    out.push(CacheType::of::<()>());
    out.push(CacheType::of::<std::path::PathBuf>());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_types_round_trip_through_their_format() {
        let table = type_table(&[]);
        let value = Value::new(vec![Some(1.5_f64), None]);
        let t = &table[&value.type_id()];
        let format = t.format.as_ref().unwrap();
        let mut bytes = Vec::new();
        (format.encode)(value.as_any(), &mut bytes).unwrap();
        let Decode::Bytes(decode) = &format.decode else {
            panic!("postcard decodes bytes")
        };
        let back = decode(&bytes).unwrap();
        assert_eq!(
            back.downcast_ref::<Vec<Option<f64>>>(),
            Some(&vec![Some(1.5), None])
        );
        assert_eq!(
            t.version(value.as_any()).unwrap(),
            t.version(back.as_any()).unwrap()
        );
    }

    #[test]
    fn the_type_is_part_of_the_data_version() {
        let table = type_table(&[]);
        let a = table[&TypeId::of::<i64>()].version(&1_i64).unwrap();
        let b = table[&TypeId::of::<u64>()].version(&1_u64).unwrap();
        assert_ne!(a, b);
    }
}
