//! Data versions: fingerprints of values.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;

use xxhash_rust::xxh3::Xxh3;

/// The fingerprint of a value: 128 bits of XXH3 over a canonical encoding of its content, shown
/// as 32 hex digits. Equal values have equal data versions; a different data version means a
/// different value (up to the odds of a 128-bit collision).
///
/// ```
/// use hamilton_core::cache::{DataVersion, Fingerprinter};
/// let a = Fingerprinter::digest_of(&vec![1.0_f64, 2.0]).unwrap();
/// let b = Fingerprinter::digest_of(&vec![1.0_f64, 2.0]).unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.to_string().len(), 32);
/// assert_eq!(DataVersion::parse(&a.to_string()), Some(a));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataVersion(u128);

impl DataVersion {
    /// Reads a data version from its 32 hex digits.
    ///
    /// ```
    /// use hamilton_core::cache::DataVersion;
    /// assert!(DataVersion::parse("not hex").is_none());
    /// ```
    pub fn parse(hex: &str) -> Option<Self> {
        if hex.len() != 32 {
            return None;
        }
        u128::from_str_radix(hex, 16).ok().map(Self)
    }
}

impl fmt::Display for DataVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for DataVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataVersion({self})")
    }
}

/// Accumulates the canonical encoding of a value into a [`DataVersion`].
///
/// [`Fingerprint`] implementations write their content with [`write`](Self::write) and friends.
/// A value that cannot be fingerprinted soundly (an opaque handle, a nested type whose content
/// cannot be read) calls [`unavailable`](Self::unavailable): its node is then not cached, and the
/// nodes that read it cannot hit either.
///
/// ```
/// use hamilton_core::cache::Fingerprinter;
/// let mut f = Fingerprinter::new();
/// f.write_str("spend");
/// f.write_u64(3);
/// let v = f.finish().unwrap();
/// let mut g = Fingerprinter::new();
/// g.unavailable("a socket has no content");
/// assert_eq!(g.finish().unwrap_err(), "a socket has no content");
/// # let _ = v;
/// ```
pub struct Fingerprinter {
    hasher: Xxh3,
    unavailable: Option<String>,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fingerprinter")
            .field("unavailable", &self.unavailable)
            .finish_non_exhaustive()
    }
}

impl Fingerprinter {
    /// An empty fingerprint.
    pub fn new() -> Self {
        Self {
            hasher: Xxh3::new(),
            unavailable: None,
        }
    }

    /// The data version of `value` alone.
    ///
    /// ```
    /// use hamilton_core::cache::Fingerprinter;
    /// assert_ne!(Fingerprinter::digest_of("a").unwrap(), Fingerprinter::digest_of("b").unwrap());
    /// ```
    pub fn digest_of<T: Fingerprint + ?Sized>(value: &T) -> Result<DataVersion, String> {
        let mut f = Self::new();
        value.fingerprint(&mut f);
        f.finish()
    }

    /// Adds raw bytes. Callers writing a variable number of bytes should write their length
    /// first (or use [`write_str`](Self::write_str)), so that `["ab", "c"]` and `["a", "bc"]`
    /// differ.
    pub fn write(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }

    /// Adds a `u64`.
    pub fn write_u64(&mut self, value: u64) {
        self.hasher.update(&value.to_le_bytes());
    }

    /// Adds a string, prefixed with its length.
    pub fn write_str(&mut self, value: &str) {
        self.write_u64(value.len() as u64);
        self.hasher.update(value.as_bytes());
    }

    /// Adds the fingerprint of `value`.
    pub fn write_value<T: Fingerprint + ?Sized>(&mut self, value: &T) {
        value.fingerprint(self);
    }

    /// Adds a data version computed separately (for example the fingerprint of one part).
    pub fn write_version(&mut self, version: DataVersion) {
        self.hasher.update(&version.0.to_le_bytes());
    }

    /// Marks the value as having no sound fingerprint, with the reason shown in the cache's
    /// logs. The first reason given is kept.
    pub fn unavailable(&mut self, reason: impl Into<String>) {
        if self.unavailable.is_none() {
            self.unavailable = Some(reason.into());
        }
    }

    /// Whether [`unavailable`](Self::unavailable) was called.
    pub fn is_unavailable(&self) -> bool {
        self.unavailable.is_some()
    }

    /// The data version, or why there is none.
    pub fn finish(self) -> Result<DataVersion, String> {
        match self.unavailable {
            Some(reason) => Err(reason),
            None => Ok(DataVersion(self.hasher.digest128())),
        }
    }

    /// The fingerprints of `items`, sorted: for collections whose iteration order is not part
    /// of their value (hash maps and sets).
    fn write_unordered<'a, T: Fingerprint + ?Sized + 'a>(
        &mut self,
        len: usize,
        items: impl Iterator<Item = &'a T>,
    ) {
        let mut digests = Vec::with_capacity(len);
        for item in items {
            match Self::digest_of(item) {
                Ok(d) => digests.push(d),
                Err(reason) => {
                    self.unavailable(reason);
                    return;
                }
            }
        }
        digests.sort_unstable();
        self.write_u64(len as u64);
        for d in digests {
            self.write_version(d);
        }
    }
}

/// A value whose content can be fingerprinted: the data version the cache keys downstream nodes
/// by. Equal values must write equal bytes; values that differ must (almost always) write
/// different bytes.
///
/// Implemented for the primitives, strings, `Option`, tuples, `Vec`, slices, arrays,
/// `VecDeque`, maps and sets of fingerprintable values, `Box` and `Arc`. Types that implement
/// `serde::Serialize` can use [`fingerprint_serde`](crate::cache::fingerprint_serde). Register a
/// type with [`register_cache_type!`](crate::register_cache_type!) so the cache finds it.
///
/// ```
/// use hamilton_core::cache::{Fingerprint, Fingerprinter};
/// struct Point { x: f64, y: f64 }
/// impl Fingerprint for Point {
///     fn fingerprint(&self, f: &mut Fingerprinter) {
///         f.write_value(&self.x);
///         f.write_value(&self.y);
///     }
/// }
/// let a = Fingerprinter::digest_of(&Point { x: 1.0, y: 2.0 }).unwrap();
/// let b = Fingerprinter::digest_of(&Point { x: 2.0, y: 1.0 }).unwrap();
/// assert_ne!(a, b);
/// ```
pub trait Fingerprint {
    /// Writes the value's content to `f`.
    fn fingerprint(&self, f: &mut Fingerprinter);
}

macro_rules! fingerprint_le_bytes {
    ($($t:ty),*) => {$(
        impl Fingerprint for $t {
            fn fingerprint(&self, f: &mut Fingerprinter) {
                f.write(&self.to_le_bytes());
            }
        }
    )*};
}

fingerprint_le_bytes!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl Fingerprint for f32 {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write(&self.to_bits().to_le_bytes());
    }
}

impl Fingerprint for f64 {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write(&self.to_bits().to_le_bytes());
    }
}

impl Fingerprint for bool {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write(&[u8::from(*self)]);
    }
}

impl Fingerprint for char {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write(&u32::from(*self).to_le_bytes());
    }
}

impl Fingerprint for () {
    fn fingerprint(&self, _f: &mut Fingerprinter) {}
}

impl Fingerprint for str {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write_str(self);
    }
}

impl Fingerprint for String {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write_str(self);
    }
}

impl Fingerprint for std::path::Path {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write_str(&self.to_string_lossy());
    }
}

impl Fingerprint for std::path::PathBuf {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        self.as_path().fingerprint(f);
    }
}

impl<T: Fingerprint + ?Sized> Fingerprint for &T {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        (**self).fingerprint(f);
    }
}

impl<T: Fingerprint + ?Sized> Fingerprint for Box<T> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        (**self).fingerprint(f);
    }
}

impl<T: Fingerprint + ?Sized> Fingerprint for Arc<T> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        (**self).fingerprint(f);
    }
}

impl<T: Fingerprint> Fingerprint for Option<T> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        match self {
            None => f.write(&[0]),
            Some(v) => {
                f.write(&[1]);
                v.fingerprint(f);
            }
        }
    }
}

impl<T: Fingerprint> Fingerprint for [T] {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write_u64(self.len() as u64);
        for item in self {
            item.fingerprint(f);
        }
    }
}

impl<T: Fingerprint, const N: usize> Fingerprint for [T; N] {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        self.as_slice().fingerprint(f);
    }
}

impl<T: Fingerprint> Fingerprint for Vec<T> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        self.as_slice().fingerprint(f);
    }
}

impl<T: Fingerprint> Fingerprint for VecDeque<T> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write_u64(self.len() as u64);
        for item in self {
            item.fingerprint(f);
        }
    }
}

impl<K: Fingerprint, V: Fingerprint> Fingerprint for BTreeMap<K, V> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write_u64(self.len() as u64);
        for (k, v) in self {
            k.fingerprint(f);
            v.fingerprint(f);
        }
    }
}

impl<T: Fingerprint> Fingerprint for BTreeSet<T> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write_u64(self.len() as u64);
        for item in self {
            item.fingerprint(f);
        }
    }
}

impl<K: Fingerprint, V: Fingerprint, S> Fingerprint for HashMap<K, V, S> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        let pairs: Vec<(&K, &V)> = self.iter().collect();
        f.write_unordered(pairs.len(), pairs.iter());
    }
}

impl<T: Fingerprint, S> Fingerprint for HashSet<T, S> {
    fn fingerprint(&self, f: &mut Fingerprinter) {
        f.write_unordered(self.len(), self.iter());
    }
}

macro_rules! fingerprint_tuple {
    ($($name:ident)+) => {
        impl<$($name: Fingerprint),+> Fingerprint for ($($name,)+) {
            #[allow(non_snake_case)]
            fn fingerprint(&self, f: &mut Fingerprinter) {
                let ($($name,)+) = self;
                $($name.fingerprint(f);)+
            }
        }
    };
}

fingerprint_tuple!(A);
fingerprint_tuple!(A B);
fingerprint_tuple!(A B C);
fingerprint_tuple!(A B C D);
fingerprint_tuple!(A B C D E);
fingerprint_tuple!(A B C D E F);

/// Writes the fingerprint of any `serde::Serialize` value: its postcard encoding. Use it to
/// implement [`Fingerprint`] for a serde type, or register the type with
/// [`CacheType::serde`](crate::cache::CacheType::serde), which does this for you.
///
/// A `HashMap` inside serializes in its iteration order, which differs between processes: the
/// fingerprint is then still sound, but it may miss where it could hit. Prefer `BTreeMap`.
///
/// ```
/// use hamilton_core::cache::{Fingerprint, Fingerprinter, fingerprint_serde};
/// #[derive(serde::Serialize)]
/// struct Settings { alpha: f64, label: String }
/// impl Fingerprint for Settings {
///     fn fingerprint(&self, f: &mut Fingerprinter) { fingerprint_serde(self, f) }
/// }
/// let v = Fingerprinter::digest_of(&Settings { alpha: 0.5, label: "x".into() });
/// assert!(v.is_ok());
/// ```
pub fn fingerprint_serde<T: serde::Serialize + ?Sized>(value: &T, f: &mut Fingerprinter) {
    struct Sink<'a>(&'a mut Fingerprinter);
    impl std::io::Write for Sink<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.write(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    if let Err(e) = postcard::to_io(value, Sink(f)) {
        f.unavailable(format!(
            "could not serialize the value to fingerprint it: {e}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dv<T: Fingerprint + ?Sized>(v: &T) -> DataVersion {
        Fingerprinter::digest_of(v).unwrap()
    }

    #[test]
    fn sequences_are_length_prefixed_and_ordered() {
        assert_ne!(
            dv(&vec!["ab".to_string(), "c".to_string()]),
            dv(&vec!["a".to_string(), "bc".to_string()])
        );
        assert_ne!(dv(&vec![1_i64, 2]), dv(&vec![2_i64, 1]));
        assert_eq!(dv(&vec![1_i64, 2]), dv(&[1_i64, 2][..]));
    }

    #[test]
    fn hash_maps_do_not_depend_on_iteration_order() {
        let a: HashMap<String, i64> = (0..50).map(|i| (format!("k{i}"), i)).collect();
        let b: HashMap<String, i64> = (0..50).rev().map(|i| (format!("k{i}"), i)).collect();
        assert_eq!(dv(&a), dv(&b));
        let mut c = b.clone();
        c.insert("k0".into(), 99);
        assert_ne!(dv(&a), dv(&c));
    }

    #[test]
    fn floats_are_fingerprinted_by_bits() {
        assert_ne!(dv(&0.1_f64), dv(&0.2_f64));
        assert_eq!(dv(&f64::NAN), dv(&f64::NAN));
    }

    #[test]
    fn unavailable_parts_poison_the_whole() {
        struct Opaque;
        impl Fingerprint for Opaque {
            fn fingerprint(&self, f: &mut Fingerprinter) {
                f.unavailable("opaque");
            }
        }
        let set: HashMap<i64, Box<Opaque>> = [(1, Box::new(Opaque))].into_iter().collect();
        assert_eq!(Fingerprinter::digest_of(&set).unwrap_err(), "opaque");
        assert!(Fingerprinter::digest_of(&(1_i64, Opaque)).is_err());
    }
}
