//! STUB
#![allow(dead_code, unused_variables)]
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
#[derive(Debug, thiserror::Error)]
#[error("broker")]
pub struct BrokerError;
pub(crate) struct BrokerConfig {
    pub(crate) url: String,
    pub(crate) queue: String,
    pub(crate) heartbeat: Duration,
    pub(crate) missed_heartbeats: u32,
    pub(crate) max_starts: u32,
}
impl BrokerConfig {
    pub(crate) fn new(url: String, queue: String) -> Self {
        todo!()
    }
}
pub(crate) struct Broker;
pub(crate) enum TaskEnd {
    Done(String),
    Killed(String),
}
impl Broker {
    pub(crate) fn connect(config: &BrokerConfig) -> Result<Broker, BrokerError> {
        todo!()
    }
    pub(crate) fn push(&self, tasks: Vec<(String, String)>) -> Result<(), BrokerError> {
        todo!()
    }
    pub(crate) fn wait(
        &self,
        pending: &[String],
        timeout: Duration,
    ) -> Result<Vec<(String, TaskEnd)>, BrokerError> {
        todo!()
    }
    pub(crate) fn cancel(&self, ids: &[String]) -> Result<usize, BrokerError> {
        todo!()
    }
    pub(crate) fn forget(&self, ids: &[String]) -> Result<(), BrokerError> {
        todo!()
    }
    pub(crate) fn live_workers(&self) -> Result<usize, BrokerError> {
        todo!()
    }
    pub(crate) fn live_queues(&self) -> Result<Vec<(String, usize)>, BrokerError> {
        todo!()
    }
}
pub(crate) struct TaskStart {
    pub(crate) id: String,
    pub(crate) payload: String,
    pub(crate) starts: u32,
    pub(crate) worker: String,
}
pub(crate) type Handler = Arc<dyn Fn(TaskStart) -> Result<String, String> + Send + Sync>;
pub(crate) fn serve(
    config: &BrokerConfig,
    name_prefix: &str,
    concurrency: usize,
    handler: Handler,
    stop: Arc<AtomicBool>,
) -> Result<(), BrokerError> {
    todo!()
}
