//! The result store in object storage (S3, GCS, Azure, ... through `object_store`).

use std::future::Future;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};

use super::{BlobKey, ResultStore, StoreError, check_run};

/// A [`ResultStore`] in object storage: a blob is the object `<prefix>/<run>/<key>` (an
/// object store's puts are atomic). Runs are swept by the `last_modified` time of their
/// objects.
///
/// `object_store` is asynchronous: the store drives it on a runtime of its own (one thread), and
/// each call blocks the calling thread until it is done. Call it from plain threads; from async
/// code, call it inside `tokio::task::spawn_blocking`, as a call blocks a runtime's worker
/// thread for as long as it takes.
///
/// ```
/// use std::sync::Arc;
/// use hamilton_core::remote::{ObjectStoreResults, ResultStore};
/// use object_store::memory::InMemory;
/// let store = ObjectStoreResults::new(Arc::new(InMemory::new()), "hamilton/results")?;
/// let key = store.put("run-1", b"payload")?;
/// assert_eq!(store.get("run-1", &key)?, b"payload");
/// assert_eq!(store.describe(), "object store `InMemory` under `hamilton/results`");
/// store.remove_run("run-1")?;
/// assert!(store.get("run-1", &key).is_err());
/// # Ok::<(), hamilton_core::remote::StoreError>(())
/// ```
pub struct ObjectStoreResults {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    /// Taken (and shut down without waiting) when the store is dropped, so that dropping it in
    /// async code does not panic.
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for ObjectStoreResults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStoreResults")
            .field("store", &self.store.to_string())
            .field("prefix", &self.prefix.as_ref())
            .finish()
    }
}

impl Drop for ObjectStoreResults {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Whether an error of the object store says that the object is not there.
fn not_found(e: &object_store::Error) -> bool {
    matches!(e, object_store::Error::NotFound { .. })
}

impl ObjectStoreResults {
    /// The store of blobs under `prefix` (`""`: at the root) of `store`, and the runtime that
    /// drives it. A prefix that is not an object path (`a//b`, `a/../b`), or a runtime that
    /// cannot be started, is an error.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hamilton_core::remote::{ObjectStoreResults, ResultStore, StoreError};
    /// use object_store::memory::InMemory;
    /// let at_root = ObjectStoreResults::new(Arc::new(InMemory::new()), "")?;
    /// assert_eq!(at_root.describe(), "object store `InMemory`");
    /// let e = ObjectStoreResults::new(Arc::new(InMemory::new()), "a//b").unwrap_err();
    /// assert!(matches!(e, StoreError::Backend { .. }));
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn new(store: Arc<dyn ObjectStore>, prefix: impl Into<String>) -> Result<Self, StoreError> {
        let prefix = prefix.into();
        let backend = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Backend {
            store: format!("object store `{store}` under `{prefix}`"),
            source,
        };
        let path = Path::parse(&prefix).map_err(|e| backend(e.into()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hamilton-result-store")
            .enable_all()
            .build()
            .map_err(|e| backend(format!("could not start its runtime: {e}").into()))?;
        Ok(Self {
            store,
            prefix: path,
            runtime: Some(runtime),
        })
    }

    fn backend(&self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StoreError {
        StoreError::Backend {
            store: self.describe(),
            source: source.into(),
        }
    }

    /// Runs `work` on the store's runtime and waits for it. The calling thread only waits (it
    /// does not drive the runtime), so it may even be a thread of another runtime.
    fn block<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, object_store::Error>> + Send + 'static,
    ) -> Result<T, object_store::Error> {
        let stopped = || object_store::Error::Generic {
            store: "hamilton result store",
            source: "the runtime driving the object store stopped before answering".into(),
        };
        let Some(runtime) = &self.runtime else {
            return Err(stopped());
        };
        let (tx, rx) = mpsc::sync_channel(1);
        runtime.spawn(async move {
            let _ = tx.send(work.await);
        });
        // A task that panicked drops its sender: an error, not a panic here.
        rx.recv().unwrap_or_else(|_| Err(stopped()))
    }

    fn run_path(&self, run: &str) -> Result<Path, StoreError> {
        check_run(run)?;
        Ok(self.prefix.clone().join(run))
    }

    /// Removes every object under `path`.
    fn remove_all(&self, path: Path) -> Result<(), object_store::Error> {
        let store = Arc::clone(&self.store);
        self.block(async move {
            let locations: Vec<Path> = store
                .list(Some(&path))
                .map_ok(|meta| meta.location)
                .try_collect()
                .await?;
            let mut deleted = store
                .delete_stream(futures_util::stream::iter(locations.into_iter().map(Ok)).boxed());
            while let Some(result) = deleted.next().await {
                match result {
                    Ok(_) => {}
                    // Removed meanwhile (by the driver, or another sweep).
                    Err(e) if not_found(&e) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
    }

    /// Removes the runs whose newest object was last modified before `cutoff`.
    fn sweep_before(&self, cutoff: SystemTime) -> Result<usize, StoreError> {
        let store = Arc::clone(&self.store);
        let prefix = self.prefix.clone();
        let objects = self
            .block(async move { store.list(Some(&prefix)).try_collect::<Vec<_>>().await })
            .map_err(|e| self.backend(e))?;
        let mut newest: std::collections::BTreeMap<String, SystemTime> = Default::default();
        for meta in objects {
            let Some(run) = meta
                .location
                .prefix_match(&self.prefix)
                .and_then(|mut parts| parts.next())
                .map(|part| part.as_ref().to_string())
                .filter(|run| check_run(run).is_ok())
            else {
                continue;
            };
            let modified = SystemTime::from(meta.last_modified);
            let entry = newest.entry(run).or_insert(UNIX_EPOCH);
            *entry = (*entry).max(modified);
        }
        let mut removed = 0;
        for (run, modified) in newest {
            if modified < cutoff {
                self.remove_run(&run)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

impl ResultStore for ObjectStoreResults {
    fn put(&self, run: &str, bytes: &[u8]) -> Result<BlobKey, StoreError> {
        let key = BlobKey::of(bytes);
        let path = self.run_path(run)?.join(key.to_string());
        let store = Arc::clone(&self.store);
        let payload = PutPayload::from(bytes.to_vec());
        self.block(async move { store.put(&path, payload).await.map(drop) })
            .map_err(|e| self.backend(e))?;
        Ok(key)
    }

    fn get(&self, run: &str, key: &BlobKey) -> Result<Vec<u8>, StoreError> {
        let path = self.run_path(run)?.join(key.to_string());
        let store = Arc::clone(&self.store);
        let bytes = self
            .block(async move { store.get(&path).await?.bytes().await })
            .map_err(|e| {
                if not_found(&e) {
                    StoreError::Missing {
                        store: self.describe(),
                        run: run.to_string(),
                        key: *key,
                    }
                } else {
                    self.backend(e)
                }
            })?;
        let found = BlobKey::of(&bytes);
        if found != *key {
            return Err(StoreError::Corrupt {
                store: self.describe(),
                run: run.to_string(),
                key: *key,
                expected: *key,
                found,
            });
        }
        Ok(Vec::from(bytes))
    }

    fn remove_run(&self, run: &str) -> Result<(), StoreError> {
        let path = self.run_path(run)?;
        self.remove_all(path).map_err(|e| self.backend(e))
    }

    fn sweep(&self, older_than: Duration) -> Result<usize, StoreError> {
        self.sweep_before(
            SystemTime::now()
                .checked_sub(older_than)
                .unwrap_or(UNIX_EPOCH),
        )
    }

    fn describe(&self) -> String {
        if self.prefix.is_root() {
            format!("object store `{}`", self.store)
        } else {
            format!("object store `{}` under `{}`", self.store, self.prefix)
        }
    }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;

    use super::*;
    use crate::remote::store::contract;

    fn store() -> ObjectStoreResults {
        ObjectStoreResults::new(Arc::new(InMemory::new()), "shared/results").unwrap()
    }

    #[test]
    fn a_blob_reads_back_as_it_was_put() {
        contract::round_trip(&store());
    }

    #[test]
    fn putting_the_same_bytes_twice_gives_the_same_key() {
        contract::same_bytes_twice(&store());
    }

    #[test]
    fn a_blob_never_put_is_missing() {
        contract::missing(&store());
    }

    #[test]
    fn removing_a_run_removes_its_blobs_only() {
        contract::remove_run(&store());
    }

    #[test]
    fn invalid_run_names_are_refused_by_every_call() {
        contract::invalid_runs(&store());
    }

    /// The object of a blob, written or read behind the store's back.
    fn object(store: &ObjectStoreResults, run: &str, key: &BlobKey) -> Path {
        store.prefix.clone().join(run).join(key.to_string())
    }

    #[test]
    fn a_blob_is_the_object_prefix_run_key() {
        let store = store();
        let key = store.put("r1", b"bytes").unwrap();
        let inner = Arc::clone(&store.store);
        let path = Path::parse(format!("shared/results/r1/{key}")).unwrap();
        let bytes = store
            .block(async move { inner.get(&path).await?.bytes().await })
            .unwrap();
        assert_eq!(&bytes[..], b"bytes");
    }

    #[test]
    fn a_flipped_byte_in_the_object_is_corrupt() {
        let store = store();
        let key = store.put("r1", b"some bytes").unwrap();
        let mut garbled = b"some bytes".to_vec();
        garbled[3] ^= 1;
        let (inner, path) = (Arc::clone(&store.store), object(&store, "r1", &key));
        let payload = PutPayload::from(garbled.clone());
        store
            .block(async move { inner.put(&path, payload).await.map(drop) })
            .unwrap();
        let e = store.get("r1", &key).unwrap_err();
        let StoreError::Corrupt {
            expected, found, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(*expected, key);
        assert_eq!(*found, BlobKey::of(&garbled));
    }

    /// When the object of a blob was last modified.
    fn modified(store: &ObjectStoreResults, run: &str, key: &BlobKey) -> SystemTime {
        let (inner, path) = (Arc::clone(&store.store), object(store, run, key));
        let meta = store.block(async move { inner.head(&path).await }).unwrap();
        SystemTime::from(meta.last_modified)
    }

    #[test]
    fn sweep_removes_only_the_runs_not_written_since_the_cutoff() {
        let store = store();
        let old = store.put("old", b"a").unwrap();
        let old_time = modified(&store, "old", &old);
        store.put("half", b"a").unwrap();
        // Written until the clock has moved past the old run's time.
        let mut new = store.put("new", b"a").unwrap();
        while modified(&store, "new", &new) <= old_time {
            new = store.put("new", b"a").unwrap();
        }
        let recent = store.put("half", b"b").unwrap();
        let cutoff = modified(&store, "new", &new).min(modified(&store, "half", &recent));
        assert_eq!(store.sweep_before(cutoff).unwrap(), 1);
        assert!(matches!(
            store.get("old", &old),
            Err(StoreError::Missing { .. })
        ));
        assert!(store.get("new", &new).is_ok());
        assert!(store.get("half", &BlobKey::of(b"a")).is_ok());
        assert_eq!(store.sweep(Duration::from_secs(3600)).unwrap(), 0);
        let later = SystemTime::now() + Duration::from_secs(3600);
        assert_eq!(store.sweep_before(later).unwrap(), 2);
    }

    #[test]
    fn objects_outside_the_prefix_are_never_swept() {
        let store = store();
        let inner = Arc::clone(&store.store);
        let other = Path::parse("elsewhere/r1/x").unwrap();
        let check = other.clone();
        store
            .block(async move {
                inner
                    .put(&other, PutPayload::from(b"kept".to_vec()))
                    .await
                    .map(drop)
            })
            .unwrap();
        store.put("r1", b"a").unwrap();
        let later = SystemTime::now() + Duration::from_secs(3600);
        assert_eq!(store.sweep_before(later).unwrap(), 1);
        let inner = Arc::clone(&store.store);
        assert!(store.block(async move { inner.head(&check).await }).is_ok());
    }

    #[test]
    fn calls_from_inside_a_tokio_runtime_work_and_dropping_there_does_not_panic() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = store();
            let key = store.put("r1", b"a").unwrap();
            assert_eq!(store.get("r1", &key).unwrap(), b"a");
            drop(store);
        });
    }
}
