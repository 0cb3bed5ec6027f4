//! Running a dataflow on many machines: fan-out items and chosen nodes on worker processes.
//!
//! Every machine runs the same binary. The driver's process runs the dataflow as usual and
//! hands each fan-out item's block (or chunk of items) and each node chosen to run remotely to
//! a job broker (Redis, through `apalis`) as a task that names what to run; a worker process
//! (the same binary, built from the same modules) takes the task, reads the values it needs
//! from a shared result store, runs it, writes what it produced back to the store and answers
//! with where it put it. Only data crosses between processes, never code.

mod broker;
mod codec;
mod store;

pub use broker::BrokerError;
