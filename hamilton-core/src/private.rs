//! Items used by code that `#[node]` and the declarative macros generate. Not public API.

pub use crate::args::{Arg, Args, AsyncArg, AsyncArgs};
pub use crate::batch::{
    Batched, BatchedModule, ModuleEntry, NodeRef, OutputMarker, ParamFn, ParamMarker, ParamMarkers,
    Registrar, by_deref, by_ref, by_value, fn_call, opt_deref, opt_ref, opt_value,
};
pub use crate::call::{
    Call, CloneParam, Deref, Fallible, FnCall, OptDeref, OptOwned, OptRef, Output, Owned, Read,
    Ref, Returns, ReturnsResult, opt_owned, owned, returns, returns_result,
};
pub use crate::fanout::{Collect, FanOut, Gather, Parallel};
pub use crate::node::{AsyncCallFn, CallFn, NodeDef, NodeError, NodeFuture, ParamDef};
pub use crate::types::{Location, ParamKind, TypeInfo};
pub use crate::value::{NodeValue, Value};
pub use crate::values::ValueMap;

#[cfg(feature = "inventory")]
pub use inventory;

/// `None`, for the descriptor `#[node]` writes (one short path instead of `::core::option::..`).
pub use ::core::option::Option::None;

/// The cell a `#[node_module]` module keeps its descriptors in.
pub use ::std::sync::OnceLock;

/// The modifiers of a node without any: a plain function, so that a descriptor does not
/// instantiate `Vec::new` (see `BENCHMARKS.md`, "The compile cost of `#[node]`").
pub fn no_modifiers() -> Vec<Modifier> {
    Vec::new()
}

/// Registration of `#[node]` functions in a linker section: on with the `inventory` feature on a
/// target with linker sections (those `linkme` supports).
#[cfg(all(
    feature = "inventory",
    any(
        target_os = "none",
        target_os = "linux",
        target_os = "android",
        target_os = "fuchsia",
        target_os = "macos",
        target_os = "ios",
        target_os = "tvos",
        target_os = "windows",
        target_os = "uefi",
        target_os = "illumos",
        target_os = "freebsd",
        target_os = "openbsd",
    )
))]
pub mod registry {
    use crate::batch::ModuleEntry;
    use crate::node::NodeDef;

    /// Every `#[node]` function's definition, each a static the linker places in one section:
    /// one item per function and no constructor run at start-up (see `BENCHMARKS.md`, "The
    /// compile cost of `#[node]`"). `#[node]` puts its static here through
    /// [`register!`](crate::__private::register).
    #[linkme::distributed_slice]
    pub static HAMILTON_NODES: [NodeDef];

    /// Every `#[node_module]` module: one entry per module, whose descriptors are built on
    /// first use (see [`batch`](crate::batch)). `#[node_module]` puts its entry here through
    /// [`register_module!`](crate::__private::register_module).
    #[linkme::distributed_slice]
    pub static HAMILTON_MODULES: [ModuleEntry];

    /// The registered `#[node]` functions of the whole program, those of `#[node_module]`
    /// modules included.
    ///
    /// ```
    /// #[hamilton_core::node]
    /// fn registered_two() -> i64 { 2 }
    /// let names: Vec<&str> = hamilton_core::__private::registered_nodes().map(|d| d.name).collect();
    /// assert!(names.contains(&"registered_two"));
    /// ```
    pub fn registered_nodes() -> impl Iterator<Item = &'static NodeDef> {
        HAMILTON_NODES
            .iter()
            .chain(HAMILTON_MODULES.iter().flat_map(ModuleEntry::defs))
    }

    /// `#[node]`'s static `NodeDef`, placed in [`HAMILTON_NODES`].
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __register {
        ($item:item) => {
            $crate::__private::registry::HAMILTON_NODES! {
                #![linkme_macro = $crate::__private::registry::HAMILTON_NODES]
                $item
            }
        };
    }

    /// A `#[node_module]` module's static [`ModuleEntry`], placed in [`HAMILTON_MODULES`].
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __register_module {
        ($item:item) => {
            $crate::__private::registry::HAMILTON_MODULES! {
                #![linkme_macro = $crate::__private::registry::HAMILTON_MODULES]
                $item
            }
        };
    }
}

/// Without registration (the `inventory` feature off, or a target without linker sections),
/// nodes are reachable through `nodes![..]` only.
#[cfg(not(all(
    feature = "inventory",
    any(
        target_os = "none",
        target_os = "linux",
        target_os = "android",
        target_os = "fuchsia",
        target_os = "macos",
        target_os = "ios",
        target_os = "tvos",
        target_os = "windows",
        target_os = "uefi",
        target_os = "illumos",
        target_os = "freebsd",
        target_os = "openbsd",
    )
)))]
pub mod registry {
    use crate::node::NodeDef;

    /// The registered `#[node]` functions: none.
    pub fn registered_nodes() -> impl Iterator<Item = &'static NodeDef> {
        [].into_iter()
    }

    /// `#[node]`'s static `NodeDef`, unchanged.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __register {
        ($item:item) => {
            $item
        };
    }

    /// A `#[node_module]` module's static entry, unchanged.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __register_module {
        ($item:item) => {
            $item
        };
    }
}

pub use registry::registered_nodes;

pub use crate::__register as register;
pub use crate::__register_module as register_module;

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

/// The type of a parameter, written `written`; its bound is the compile-time check that the
/// type can be a node value (spanned on the parameter; a by-value parameter's `Clone` is checked
/// by its marker, [`owned`]).
#[inline]
pub const fn param_type<T: NodeValue>(written: &'static str) -> TypeInfo {
    TypeInfo::named::<T>(written)
}

/// Types the closure of a `value(..)` binding by the parameter it binds (`binder` reads the
/// `PhantomData<T>` field `#[node]` writes for the parameter into its hidden struct).
#[inline]
pub fn typed<N, T>(binder: fn(&N) -> &std::marker::PhantomData<T>, make: fn() -> T) -> fn() -> T {
    let _ = binder;
    make
}

/// The sync call of an `async fn` node: an error saying how to run it.
pub fn needs_async(node: &str) -> Result<Value, NodeError> {
    Err(format!(
        "node `{node}` is an `async fn`; run the dataflow with `Driver::execute_async` (and not \
         per item of a fan-out, whose nodes run synchronously)"
    )
    .into())
}

/// Boxes the future of an `async fn` node (spanned on the function, so that a future that is not
/// `Send` is reported there).
#[inline]
pub fn node_future<F>(future: F) -> NodeFuture
where
    F: std::future::Future<Output = Result<Value, NodeError>> + Send + 'static,
{
    Box::pin(future)
}

/// The return type of a fan-out node: `Parallel<T>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `hamilton_core::fanout::Parallel<T>`",
    label = "a node returning a type named `Parallel<..>` fans out",
    note = "return `hamilton_core::fanout::Parallel<T>` (or `Result<Parallel<T>, E>`), or rename the type"
)]
pub trait ParallelOutput {
    /// The type of one item.
    type Item;
}

impl<T> ParallelOutput for Parallel<T> {
    type Item = T;
}

/// The items of a fan-out: each is cloned out of the `Parallel<T>` for its run.
#[diagnostic::on_unimplemented(
    message = "the items of a fan-out must implement `Clone`; `{Self}` does not",
    label = "fans out `{Self}` items",
    note = "derive `Clone` for it, or fan out `Arc<{Self}>`"
)]
pub trait CloneItem: Clone {}

impl<T: Clone> CloneItem for T {}

/// How the `Parallel<T>` a fan-out node returns splits into items.
#[inline]
pub fn fan_out_of<P: ParallelOutput>() -> FanOut
where
    P::Item: NodeValue + CloneItem,
{
    FanOut::of::<P::Item>()
}

/// The type of a collecting parameter: `Collect<T>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `hamilton_core::fanout::Collect<T>`",
    label = "a parameter of a type named `Collect<..>` gathers the items of a fan-out",
    note = "read `hamilton_core::fanout::Collect<T>` (or `&Collect<T>`), or rename the type"
)]
pub trait CollectParam {
    /// The type of one item's value.
    type Item;
}

impl<T> CollectParam for Collect<T> {
    type Item = T;
}

/// How a `Collect<T>` parameter gathers per-item values.
#[inline]
pub fn gather_of<C: CollectParam>() -> Gather
where
    C::Item: NodeValue,
{
    Gather::of::<C::Item>()
}

pub use crate::convert::RegisteredConversion;
pub use crate::error_context::RegisteredErrorContext;

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

/// Registers an error context with `inventory` when the `inventory` feature is on.
#[cfg(feature = "inventory")]
#[doc(hidden)]
#[macro_export]
macro_rules! __submit_error_context {
    ($c:expr) => {
        $crate::__private::inventory::submit! { $c }
    };
}

/// Registers an error context with `inventory` when the `inventory` feature is on.
#[cfg(not(feature = "inventory"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __submit_error_context {
    ($c:expr) => {};
}

pub use crate::__submit_error_context as submit_error_context;

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
pub use crate::define::does_by_name::{Pick, argument_order, has_param};
pub use crate::define::typed_output::{TypedOutput, no_own_output};
pub use crate::modifiers::Number;
pub use crate::modifiers::{
    ApplyTo, Binding, Condition, ConfigValue, Field, Fields, GroupMember, IntoLiteral, Modifier,
    Parameterization, Step, Subdag,
};
pub use crate::values::Config;
