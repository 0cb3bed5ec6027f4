#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

extern crate self as hamilton_core;

mod args;
mod module;
mod node;
mod types;
mod value;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use args::{Arg, ArgError, Args};
pub use module::Module;
pub use node::{CallFn, Callable, Node, NodeBuilder, NodeDef, NodeError, Param, ParamDef};
pub use types::{Location, ParamKind, TypeInfo};
pub use value::{NodeValue, Value};

#[cfg(feature = "macros")]
pub use hamilton_macros::node;
