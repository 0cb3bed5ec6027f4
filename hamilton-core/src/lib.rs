#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

extern crate self as hamilton_core;

mod args;
#[cfg(feature = "cache")]
pub mod cache;
pub mod check;
mod convert;
mod driver;
mod error;
pub mod fanout;
mod graph;
pub mod hooks;
mod introspect;
pub mod modifiers;
mod module;
mod node;
mod outputs;
mod plan;
mod run;
mod schedule;
mod types;
mod value;
mod values;
mod viz;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use args::{Arg, ArgError, Args, AsyncArg, AsyncArgs};
pub use convert::Conversion;
pub use driver::{Driver, DriverBuilder};
pub use error::{BuildError, Error, RequestError};
pub use introspect::{Dependency, NodeInfo, NodeKind};
pub use module::Module;
pub use node::{
    AsyncCallFn, AsyncCallable, CallFn, Callable, Node, NodeBuilder, NodeDef, NodeError,
    NodeFuture, Param, ParamDef,
};
pub use outputs::Outputs;
pub use types::{Location, ParamKind, TypeInfo};
pub use value::{NodeValue, Value};
pub use values::{Config, Inputs, Overrides, ValueMap};

#[cfg(feature = "macros")]
pub use hamilton_macros::{Fields, node};
pub use modifiers::Fields;
