//! Conversions along edges: a producer's type feeding a parameter of another type, checked when
//! the graph is built and applied when the value flows.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::node::NodeError;
use crate::types::TypeInfo;
use crate::value::{NodeValue, Value};

type ConvertFn = Arc<dyn Fn(&(dyn Any + Send + Sync)) -> Result<Value, NodeError> + Send + Sync>;

/// A conversion from values of one type to another, applied when a producer of `from` feeds a
/// parameter that reads `to` (for example a Polars `Series` feeding `&Float64Chunked`, with the
/// dtype checked as the value flows). Inputs of type `from` are converted the same way.
///
/// Conversions are registered with [`register_conversion!`](crate::register_conversion!) (found
/// automatically, like `#[node]` functions) or given to
/// [`DriverBuilder::with_conversion`](crate::DriverBuilder::with_conversion).
///
/// ```
/// use hamilton_core::node::{Conversion, Value};
/// let c = Conversion::new(|x: &i32| Ok(f64::from(*x)));
/// assert_eq!(c.from().name(), "i32");
/// assert_eq!(c.to().name(), "f64");
/// let out = c.apply(Value::new(2_i32).as_any()).unwrap();
/// assert_eq!(out.downcast_ref::<f64>(), Some(&2.0));
/// ```
#[derive(Clone)]
pub struct Conversion {
    /// Shared: a plan keeps one per converted argument, so a `Conversion` is one pointer.
    inner: Arc<Inner>,
}

struct Inner {
    from: TypeInfo,
    to: TypeInfo,
    convert: ConvertFn,
}

impl Conversion {
    /// A conversion from `F` to `T` by `f`.
    pub fn new<F, T, C>(f: C) -> Self
    where
        F: NodeValue,
        T: NodeValue,
        C: Fn(&F) -> Result<T, NodeError> + Send + Sync + 'static,
    {
        Self {
            inner: Arc::new(Inner {
                from: TypeInfo::of::<F>(),
                to: TypeInfo::of::<T>(),
                convert: Arc::new(move |value| {
                    let x = value
                        .downcast_ref::<F>()
                        .ok_or_else(|| format!("expected a `{}`", TypeInfo::of::<F>().name()))?;
                    f(x).map(Value::new)
                }),
            }),
        }
    }

    /// The type converted from.
    pub fn from(&self) -> TypeInfo {
        self.inner.from
    }

    /// The type converted to.
    pub fn to(&self) -> TypeInfo {
        self.inner.to
    }

    /// Converts `value`.
    pub fn apply(&self, value: &(dyn Any + Send + Sync)) -> Result<Value, NodeError> {
        (self.inner.convert)(value)
    }
}

impl fmt::Debug for Conversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Conversion({} -> {})", self.inner.from, self.inner.to)
    }
}

/// A conversion registered for discovery.
#[doc(hidden)]
pub struct RegisteredConversion(pub fn() -> Conversion);

#[cfg(feature = "inventory")]
inventory::collect!(RegisteredConversion);

/// Registers a conversion, found by every driver (with the `inventory` feature): `$f` is a
/// `fn(&From) -> Result<To, NodeError>`.
///
/// ```
/// pub struct Celsius(pub f64);
/// fn from_f64(x: &f64) -> Result<Celsius, hamilton_core::node::NodeError> { Ok(Celsius(*x)) }
/// hamilton_core::register_conversion!(from_f64);
/// ```
#[macro_export]
macro_rules! register_conversion {
    ($f:path) => {
        $crate::__private::submit_conversion! {
            $crate::__private::RegisteredConversion(|| $crate::node::Conversion::new($f))
        }
    };
}

/// Conversions by (from, to) type.
pub(crate) type ConversionTable = HashMap<(TypeId, TypeId), Conversion>;

/// All conversions: the registered ones, then `extra` (which win on the same pair of types).
pub(crate) fn conversion_table(extra: &[Conversion]) -> ConversionTable {
    let mut table = HashMap::new();
    #[cfg(feature = "inventory")]
    for r in inventory::iter::<RegisteredConversion> {
        let c = (r.0)();
        table.insert((c.from().id(), c.to().id()), c);
    }
    for c in extra {
        table.insert((c.from().id(), c.to().id()), c.clone());
    }
    table
}
