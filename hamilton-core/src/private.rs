//! Items used by code that `#[node]` and the declarative macros generate. Not public API.

pub use crate::args::{Arg, Args, AsyncArg, AsyncArgs};
pub use crate::node::{AsyncCallFn, CallFn, NodeDef, NodeError, NodeFuture, ParamDef};
pub use crate::types::{Location, ParamKind, TypeInfo};
pub use crate::value::{NodeValue, Value};

#[cfg(feature = "inventory")]
pub use inventory;

/// Implemented by the hidden same-named struct `#[node]` emits next to a function, so that
/// `nodes![path::to::function]` can find the function's [`NodeDef`].
pub trait NodeSpec {
    /// The node's static description.
    const DEF: &'static NodeDef;
}

/// A `#[node]` function, registered for discovery by [`Module`](crate::Module).
#[derive(Debug)]
pub struct Registration {
    /// The registered node.
    pub def: &'static NodeDef,
}

impl Registration {
    /// Registers `def`.
    pub const fn new(def: &'static NodeDef) -> Self {
        Self { def }
    }
}

#[cfg(feature = "inventory")]
inventory::collect!(Registration);

/// The success type of a fallible return type (`T` for `Result<T, E>`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` looks like a `Result` but is not one",
    label = "a return type whose name ends in `Result` is read as `Result<T, E>`",
    note = "return `Result<T, E>` (or an alias of it) with `E: Into<Box<dyn std::error::Error + Send + Sync>>`"
)]
pub trait Fallible {
    /// The success type.
    type Ok;
}

impl<T, E> Fallible for Result<T, E> {
    type Ok = T;
}

/// Wraps an infallible node's return value.
#[inline]
pub fn ok_value<T: NodeValue>(value: T) -> Result<Value, NodeError> {
    Ok(Value::new(value))
}

/// Wraps a fallible node's return value.
#[inline]
pub fn result_value<T: NodeValue, E: Into<NodeError>>(
    result: Result<T, E>,
) -> Result<Value, NodeError> {
    result.map(Value::new).map_err(Into::into)
}

/// Compile-time check that a parameter type can be a node value (spanned on the parameter).
#[inline]
pub const fn assert_param<T: NodeValue>() {}

/// Compile-time check that a by-value parameter type can be cloned (spanned on the parameter).
#[inline]
pub const fn assert_owned_param<T: NodeValue + CloneParam>() {}

/// Compile-time check that a return type can be a node value (spanned on the return type).
#[inline]
pub const fn assert_output<T: NodeValue>() {}

/// A type a node can take by value: the executor clones it when other nodes still need it.
#[diagnostic::on_unimplemented(
    message = "a node parameter taken by value must implement `Clone`; `{Self}` does not",
    label = "taken by value here",
    note = "borrow it instead (`&{Self}`), or derive `Clone` for it"
)]
pub trait CloneParam: Clone {}

impl<T: Clone> CloneParam for T {}

/// Registers a node with `inventory` when the `inventory` feature is on; expands to nothing
/// otherwise (nodes are then reachable through `nodes![..]` only).
#[cfg(feature = "inventory")]
#[doc(hidden)]
#[macro_export]
macro_rules! __submit {
    ($def:expr) => {
        $crate::__private::inventory::submit! {
            $crate::__private::Registration::new($def)
        }
    };
}

/// Registers a node with `inventory` when the `inventory` feature is on; expands to nothing
/// otherwise (nodes are then reachable through `nodes![..]` only).
#[cfg(not(feature = "inventory"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __submit {
    ($def:expr) => {};
}

pub use crate::__submit as submit;

pub use crate::convert::RegisteredConversion;

/// Registers a conversion with `inventory` when the `inventory` feature is on.
#[cfg(feature = "inventory")]
#[doc(hidden)]
#[macro_export]
macro_rules! __submit_conversion {
    ($c:expr) => {
        $crate::__private::inventory::submit! { $c }
    };
}

/// Registers a conversion with `inventory` when the `inventory` feature is on.
#[cfg(not(feature = "inventory"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __submit_conversion {
    ($c:expr) => {};
}

pub use crate::__submit_conversion as submit_conversion;

/// Registers a column extractor with `inventory` when the `inventory` feature is on.
#[cfg(feature = "inventory")]
#[doc(hidden)]
#[macro_export]
macro_rules! __submit_column_extractor {
    ($c:expr) => {
        $crate::__private::inventory::submit! { $c }
    };
}

/// Registers a column extractor with `inventory` when the `inventory` feature is on.
#[cfg(not(feature = "inventory"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __submit_column_extractor {
    ($c:expr) => {};
}

pub use crate::__submit_column_extractor as submit_column_extractor;

pub use crate::check::{Importance, Validator, check_fn};
pub use crate::modifiers::{
    Binding, Condition, ConfigValue, Field, Fields, IntoLiteral, Modifier, Parameterization, Step,
    Subdag,
};
pub use crate::values::Config;
