#![doc = include_str!("../../docs/distributed.md")]
//!
//! # How it works
//!
//! Every machine runs the same binary. The driver's process runs the dataflow as usual, with
//! [`Remote`] as its executor: it hands each fan-out item's block (or chunk of items) and each
//! node chosen to run remotely to a job broker (Redis, through `apalis`) as a task that names
//! what to run; a [`Worker`] process (the same binary, built from the same modules) takes the
//! task, reads the values it needs from a shared [`ResultStore`], runs it, writes what it
//! produced back to the store and answers with where it put it. Only data crosses between
//! processes, never code: a node is found by name in the worker's own graph, and a worker only
//! takes tasks of drivers with the same graph version (each version has its own queue).
//!
//! # Why Redis through apalis
//!
//! A worker dying mid-task must not lose the task, and a run must not wait forever on a broker
//! that went away. `apalis-redis` keeps each task's lease under a worker heartbeat and hands the
//! tasks of a worker that stopped beating to another one; it is a kept crate over a server
//! people already run. Three things are done here on top of it: a start count per task (a task
//! that ends its worker every time fails the run after [`Remote::max_starts`] starts instead of
//! looping), a node's own error is answered as an outcome rather than a failed job (the broker
//! would retry it; retries are per node, [`Remote::retry`]), and a cancelled or failed run takes
//! its queued tasks back. Every broker call has a timeout: a stopped broker is an
//! [`Error::Remote`](crate::Error::Remote) within about a second, never a hang.
//!
//! # Values
//!
//! Values cross through the result store, encoded by the cache's type registry (Arrow IPC for
//! Polars frames and series with hamilton-polars' `cache` feature, postcard for serde types;
//! see [`cache::CacheType`](crate::cache::CacheType)). A value that would cross without an
//! encoder is a build error ([`BuildError::CannotCross`](crate::BuildError::CannotCross)).
//! Stores: [`DirStore`] (a directory every machine mounts) and [`ObjectStoreResults`] (S3, GCS,
//! Azure through `object_store`). Blobs are written atomically and named by their hash; a run's
//! blobs are removed when it ends, and what a crashed driver left is removed after a day.
//!
//! # Hooks
//!
//! Hooks see a node run on a worker when its answer arrives: `before_node` and `after_node`
//! (with the duration measured on the worker, [`NodeContext::worker`](crate::hooks::NodeContext)
//! naming the worker, and an [`OnWorker`] in place of the value); `around_node` is not called
//! for them, since the node did not run in this process.

mod broker;
mod builder;
mod codec;
mod crossing;
mod dispatch;
mod error;
mod executor;
mod identity;
mod node_runs;
mod run_task;
mod store;
mod task;
mod worker;

pub use broker::BrokerError;
pub use builder::Remote;
pub use codec::CodecError;
pub use error::RemoteError;
pub use node_runs::OnWorker;
pub use store::{BlobKey, DirStore, ObjectStoreResults, ResultStore, StoreError};
pub use worker::Worker;
