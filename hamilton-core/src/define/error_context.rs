//! What a node's arguments add to the node's error: a value that carries where it comes from
//! (a lazy scan knows the files it reads) names it when the node reading it fails, since
//! errors of lazy values surface only where they are evaluated.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::args::Args;
use crate::node::NodeError;
use crate::types::TypeInfo;
use crate::value::NodeValue;

type AddFn = Arc<dyn Fn(&(dyn Any + Send + Sync), NodeError) -> NodeError + Send + Sync>;

/// Context that arguments of one type add to the error of a node that fails while reading
/// them: `f` gets the argument and the node's error and returns the error to report (the same
/// one, or one wrapping it). Registered with
/// [`register_error_context!`](crate::register_error_context!); applied to each argument of a
/// failed sync node, in parameter order.
///
/// ```
/// use hamilton_core::node::{ErrorContext, NodeError, Value};
/// #[derive(Debug)]
/// struct Scan(&'static str);
/// let c = ErrorContext::new(|scan: &Scan, error: NodeError| -> NodeError {
///     format!("{error} (while reading `{}`)", scan.0).into()
/// });
/// assert_eq!(c.ty().name(), "Scan");
/// let error = c.apply(Value::new(Scan("in.csv")).as_any(), "bad row".into());
/// assert_eq!(error.to_string(), "bad row (while reading `in.csv`)");
/// ```
#[derive(Clone)]
pub struct ErrorContext {
    ty: TypeInfo,
    add: AddFn,
}

impl ErrorContext {
    /// Context added by arguments of type `T`.
    pub fn new<T: NodeValue>(f: fn(&T, NodeError) -> NodeError) -> Self {
        Self {
            ty: TypeInfo::of::<T>(),
            add: Arc::new(move |value, error| match value.downcast_ref::<T>() {
                Some(value) => f(value, error),
                None => error,
            }),
        }
    }

    /// The argument type it applies to.
    pub fn ty(&self) -> TypeInfo {
        self.ty
    }

    /// The error to report when a node reading `value` failed with `error` (`error` itself
    /// when `value` is of another type).
    pub fn apply(&self, value: &(dyn Any + Send + Sync), error: NodeError) -> NodeError {
        (self.add)(value, error)
    }
}

impl fmt::Debug for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorContext")
            .field("ty", &self.ty.name())
            .finish_non_exhaustive()
    }
}

/// An error context registered for discovery.
#[doc(hidden)]
pub struct RegisteredErrorContext(pub fn() -> ErrorContext);

#[cfg(feature = "inventory")]
inventory::collect!(RegisteredErrorContext);

/// Registers an error context (see [`ErrorContext`]), found by every driver (with the
/// `inventory` feature): `$f` is a `fn(&T, NodeError) -> NodeError`.
///
/// ```
/// #[derive(Debug)]
/// pub struct Scan(pub String);
/// fn name_the_file(scan: &Scan, error: hamilton_core::node::NodeError) -> hamilton_core::node::NodeError {
///     format!("{error} (reading `{}`)", scan.0).into()
/// }
/// hamilton_core::register_error_context!(name_the_file);
/// ```
#[macro_export]
macro_rules! register_error_context {
    ($f:path) => {
        $crate::__private::submit_error_context! {
            $crate::__private::RegisteredErrorContext(|| $crate::node::ErrorContext::new($f))
        }
    };
}

/// The registered contexts by argument type, collected once.
fn registered() -> &'static HashMap<TypeId, ErrorContext> {
    static TABLE: OnceLock<HashMap<TypeId, ErrorContext>> = OnceLock::new();
    TABLE.get_or_init(|| {
        #[allow(unused_mut)]
        let mut table = HashMap::new();
        #[cfg(feature = "inventory")]
        for r in inventory::iter::<RegisteredErrorContext> {
            let c = (r.0)();
            table.insert(c.ty.id(), c);
        }
        table
    })
}

/// `error`, with what the node's arguments add to it (only run when a node failed).
pub(crate) fn add_context(args: &Args<'_>, error: NodeError) -> NodeError {
    let table = registered();
    if table.is_empty() {
        return error;
    }
    let mut error = error;
    for index in 0..args.len() {
        error = args.inspect(index, |value| {
            match value.and_then(|v| Some((v, table.get(&<dyn Any>::type_id(v))?))) {
                Some((value, context)) => context.apply(value, error),
                None => error,
            }
        });
    }
    error
}
