#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as hamilton_core;

// The layers, lowest first: each imports only from those before it (`tests/layers.rs`). Their
// modules are bound here, at the root, so that code names them `crate::node`, `crate::graph`, ...
mod define;

mod build;

mod plan;

mod run;

mod driver;

// What extends the driver.
#[cfg(feature = "cache")]
pub mod cache;
#[cfg(feature = "cli")]
pub mod cli;
pub mod diagram;
#[cfg(any(feature = "track", feature = "distributed"))]
mod host;
pub mod introspect;
mod prepared;
#[cfg(feature = "distributed")]
pub mod remote;
mod request;
mod tag_filter;
#[cfg(feature = "track")]
pub mod track;
#[cfg(feature = "ui")]
pub mod ui;

use build::{blocks, edges, graph, resolve};
#[cfg(feature = "cli")]
use define::cli_error;
use define::{
    args, batch, call, cancel, convert, error, error_context, module, names, outputs, types, value,
    values,
};
pub use define::{check, fanout, hooks, modifiers, node};
use plan::schedule;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use cancel::Cancel;
pub use define::typed_output::{OwnOutput, TypedOutput};
pub use driver::{Driver, DriverBuilder};
pub use error::{BuildError, Error, RequestError};
pub use module::Module;
pub use outputs::Outputs;
pub use prepared::PreparedRequest;
pub use request::Request;
pub use values::{Config, Inputs, Overrides};

#[cfg(feature = "macros")]
pub use hamilton_macros::{Fields, node, node_module};
pub use modifiers::Fields;
