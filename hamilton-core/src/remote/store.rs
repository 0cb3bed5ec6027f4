//! STUB
#![allow(dead_code, unused_variables)]
use std::time::Duration;
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlobKey(String);
#[derive(Debug, thiserror::Error)]
#[error("store")]
pub enum StoreError {
    X,
}
pub trait ResultStore: Send + Sync + 'static {
    fn put(&self, run: &str, bytes: &[u8]) -> Result<BlobKey, StoreError>;
    fn get(&self, run: &str, key: &BlobKey) -> Result<Vec<u8>, StoreError>;
    fn remove_run(&self, run: &str) -> Result<(), StoreError>;
    fn sweep(&self, older_than: Duration) -> Result<usize, StoreError>;
    fn describe(&self) -> String;
}
pub struct DirStore;
impl DirStore {
    pub fn new(p: impl AsRef<std::path::Path>) -> Result<Self, StoreError> {
        todo!()
    }
}
impl ResultStore for DirStore {
    fn put(&self, run: &str, bytes: &[u8]) -> Result<BlobKey, StoreError> {
        todo!()
    }
    fn get(&self, run: &str, key: &BlobKey) -> Result<Vec<u8>, StoreError> {
        todo!()
    }
    fn remove_run(&self, run: &str) -> Result<(), StoreError> {
        todo!()
    }
    fn sweep(&self, older_than: Duration) -> Result<usize, StoreError> {
        todo!()
    }
    fn describe(&self) -> String {
        todo!()
    }
}
pub struct ObjectStoreResults;
