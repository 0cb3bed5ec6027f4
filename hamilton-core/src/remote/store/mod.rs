//! The result store: where values cross between the driver and its workers, as blobs named by
//! the hash of their bytes and grouped by run, so that a run's blobs go together when it ends.

mod dir;
mod object;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

pub use dir::DirStore;
pub use object::ObjectStoreResults;

/// Where values cross between the driver and its workers: blobs of bytes, grouped by run, each
/// named by the hash of its bytes ([`BlobKey`]). Every process of a run (the driver and its
/// workers) must reach the same store: a directory they all mount ([`DirStore`]) or object
/// storage ([`ObjectStoreResults`]).
///
/// ```
/// use hamilton_core::remote::{DirStore, ResultStore};
/// let dir = std::env::temp_dir().join(format!("hamilton-doc-trait-{}", std::process::id()));
/// let store: Box<dyn ResultStore> = Box::new(DirStore::new(&dir)?);
/// let key = store.put("run-1", b"payload")?;
/// assert_eq!(store.get("run-1", &key)?, b"payload");
/// store.remove_run("run-1")?;
/// assert!(store.get("run-1", &key).is_err());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), hamilton_core::remote::StoreError>(())
/// ```
pub trait ResultStore: Send + Sync + 'static {
    /// Stores `bytes` for `run` and returns their key. Atomic: a reader never sees part of a
    /// blob. Putting the same bytes twice gives the same key, and is not an error.
    fn put(&self, run: &str, bytes: &[u8]) -> Result<BlobKey, StoreError>;

    /// The bytes stored for `run` under `key`. Their hash is checked: a blob changed after it
    /// was written is [`StoreError::Corrupt`], never a wrong value.
    fn get(&self, run: &str, key: &BlobKey) -> Result<Vec<u8>, StoreError>;

    /// Removes every blob of `run` (nothing to remove is not an error).
    fn remove_run(&self, run: &str) -> Result<(), StoreError>;

    /// Removes the runs whose newest blob is older than `older_than`: those left behind by a
    /// driver that ended without removing them (it crashed). Returns how many runs were
    /// removed.
    fn sweep(&self, older_than: Duration) -> Result<usize, StoreError>;

    /// The store, for messages: "directory `/mnt/shared/results`".
    fn describe(&self) -> String;
}

/// The key of a blob in a [`ResultStore`]: the xxh3-128 hash of its bytes, written (and
/// serialized) as 32 lowercase hex digits.
///
/// ```
/// use hamilton_core::remote::BlobKey;
/// let key = BlobKey::of(b"payload");
/// assert_eq!(key, BlobKey::of(b"payload"));
/// assert_ne!(key, BlobKey::of(b"other"));
/// let text = key.to_string();
/// assert_eq!(text.len(), 32);
/// assert_eq!(text.parse::<BlobKey>()?, key);
/// assert!("not-a-key".parse::<BlobKey>().is_err());
/// # Ok::<(), hamilton_core::remote::StoreError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(u128);

impl BlobKey {
    /// The key of `bytes`.
    ///
    /// ```
    /// use hamilton_core::remote::BlobKey;
    /// assert_eq!(BlobKey::of(b"").to_string().len(), 32);
    /// ```
    pub fn of(bytes: &[u8]) -> Self {
        Self(xxhash_rust::xxh3::xxh3_128(bytes))
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobKey({self})")
    }
}

impl FromStr for BlobKey {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || StoreError::InvalidKey { key: s.to_string() };
        if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        u128::from_str_radix(s, 16).map(Self).map_err(|_| invalid())
    }
}

impl serde::Serialize for BlobKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BlobKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What went wrong in a [`ResultStore`]. Every variant names the store
/// ([`ResultStore::describe`]).
///
/// ```
/// use hamilton_core::remote::{DirStore, ResultStore, StoreError};
/// let dir = std::env::temp_dir().join(format!("hamilton-doc-error-{}", std::process::id()));
/// let store = DirStore::new(&dir)?;
/// let e = store.put("../escape", b"x").unwrap_err();
/// assert!(matches!(e, StoreError::InvalidRun { .. }));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), StoreError>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing a file of the store failed.
    #[error(
        "the result store ({store}) could not read or write `{}`: {source}; check that the directory exists on every machine, that this process may write it, and that the disk is not full",
        path.display()
    )]
    Io {
        /// The store.
        store: String,
        /// The file or directory.
        path: PathBuf,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// No blob under that key: the run was removed, or the process reading it does not share
    /// the store with the one that wrote it.
    #[error(
        "the result store ({store}) has no blob `{key}` of run `{run}`: the run was removed (it ended, or a sweep took it for abandoned), or this process does not reach the same store as the one that wrote it; give the driver and every worker the same store"
    )]
    Missing {
        /// The store.
        store: String,
        /// The run.
        run: String,
        /// The blob's key.
        key: BlobKey,
    },
    /// The bytes read do not hash to their key: the blob was changed after it was written.
    #[error(
        "blob `{key}` of run `{run}` in the result store ({store}) is corrupt: its bytes hash to `{found}`, not `{expected}`; it was changed after it was written (a disk or network fault, or another program writing the store); run again"
    )]
    Corrupt {
        /// The store.
        store: String,
        /// The run.
        run: String,
        /// The blob's key.
        key: BlobKey,
        /// The hash the bytes should have (the key).
        expected: BlobKey,
        /// The hash of the bytes read.
        found: BlobKey,
    },
    /// The storage backend (object storage, or the runtime driving it) failed.
    #[error("the result store ({store}) failed: {source}")]
    Backend {
        /// The store.
        store: String,
        /// What the backend reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A run name that cannot name a directory of the store.
    #[error(
        "`{run}` cannot name a run in the result store: use 1 to {MAX_RUN_LEN} letters, digits, `-`, `_` and `.`, not starting with `.` (no `/`, no `..`)"
    )]
    InvalidRun {
        /// The name given.
        run: String,
    },
    /// Text that is not a [`BlobKey`].
    #[error("`{key}` is not a blob key: a blob key is 32 hex digits")]
    InvalidKey {
        /// The text given.
        key: String,
    },
}

/// The longest run name.
const MAX_RUN_LEN: usize = 128;

/// Checks that `run` can name a directory (or a path segment) of a store: ASCII letters,
/// digits, `-`, `_` and `.`, not starting with `.`.
fn check_run(run: &str) -> Result<(), StoreError> {
    let valid = !run.is_empty()
        && run.len() <= MAX_RUN_LEN
        && !run.starts_with('.')
        && run
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidRun {
            run: run.to_string(),
        })
    }
}

/// What every store does, checked on each of them.
#[cfg(test)]
mod contract {
    use super::*;

    pub(super) fn round_trip(store: &dyn ResultStore) {
        let big: Vec<u8> = (0..100_000_u32).map(|i| (i % 251) as u8).collect();
        for bytes in [&b""[..], b"x", &big] {
            let key = store.put("r1", bytes).unwrap();
            assert_eq!(key, BlobKey::of(bytes));
            assert_eq!(store.get("r1", &key).unwrap(), bytes);
        }
    }

    pub(super) fn same_bytes_twice(store: &dyn ResultStore) {
        let first = store.put("r1", b"same").unwrap();
        let second = store.put("r1", b"same").unwrap();
        assert_eq!(first, second);
        assert_eq!(store.get("r1", &first).unwrap(), b"same");
    }

    pub(super) fn missing(store: &dyn ResultStore) {
        let key = store.put("r1", b"there").unwrap();
        let absent = BlobKey::of(b"never put");
        let e = store.get("r1", &absent).unwrap_err();
        assert!(matches!(e, StoreError::Missing { .. }), "{e:?}");
        assert!(e.to_string().contains(&absent.to_string()), "{e}");
        assert!(e.to_string().contains(&store.describe()), "{e}");
        // A blob of another run is not this run's.
        assert!(matches!(
            store.get("r2", &key),
            Err(StoreError::Missing { .. })
        ));
    }

    pub(super) fn remove_run(store: &dyn ResultStore) {
        let a = store.put("r1", b"a").unwrap();
        let b = store.put("r1", b"b").unwrap();
        let kept = store.put("r2", b"a").unwrap();
        store.remove_run("r1").unwrap();
        for key in [a, b] {
            assert!(matches!(
                store.get("r1", &key),
                Err(StoreError::Missing { .. })
            ));
        }
        assert_eq!(store.get("r2", &kept).unwrap(), b"a");
        // Removing a run with nothing left is not an error.
        store.remove_run("r1").unwrap();
        store.remove_run("never-used").unwrap();
    }

    pub(super) fn invalid_runs(store: &dyn ResultStore) {
        let key = BlobKey::of(b"x");
        for run in ["..", "../outside", "a/b", ""] {
            let invalid = |r: Result<(), StoreError>| {
                assert!(
                    matches!(r, Err(StoreError::InvalidRun { .. })),
                    "{run:?}: {r:?}"
                );
            };
            invalid(store.put(run, b"x").map(drop));
            invalid(store.get(run, &key).map(drop));
            invalid(store.remove_run(run));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_key_is_the_hash_of_the_bytes_and_reads_back_from_its_text() {
        let key = BlobKey::of(b"abc");
        assert_eq!(key.0, xxhash_rust::xxh3::xxh3_128(b"abc"));
        assert_eq!(key.to_string().parse::<BlobKey>().unwrap(), key);
        assert_eq!(
            key.to_string().to_uppercase().parse::<BlobKey>().unwrap(),
            key
        );
    }

    #[test]
    fn text_that_is_not_32_hex_digits_is_not_a_blob_key() {
        for text in [
            "",
            "abc",
            &"g".repeat(32),
            &format!("+{}", "0".repeat(31)),
            &"0".repeat(33),
        ] {
            assert!(
                matches!(text.parse::<BlobKey>(), Err(StoreError::InvalidKey { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn a_blob_key_serializes_as_its_hex_text() {
        let key = BlobKey::of(b"abc");
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(json, format!("\"{key}\""));
        assert_eq!(serde_json::from_str::<BlobKey>(&json).unwrap(), key);
        assert!(serde_json::from_str::<BlobKey>("\"xyz\"").is_err());
    }

    #[test]
    fn run_names_that_could_leave_the_store_are_refused() {
        for run in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "a b",
            &"r".repeat(129),
        ] {
            assert!(
                matches!(check_run(run), Err(StoreError::InvalidRun { .. })),
                "{run:?}"
            );
        }
        for run in ["run-1", "2026_12_02.a", "R"] {
            check_run(run).unwrap();
        }
    }
}
