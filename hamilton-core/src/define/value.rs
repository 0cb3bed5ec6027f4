//! Type-erased node values.

use std::any::{Any, TypeId};
use std::fmt;

/// A type that can flow along an edge of the dataflow: any `'static + Send + Sync` value.
///
/// Implemented for every such type; it exists so that a parameter or return type that cannot be a
/// node value is reported on that parameter, with a note saying why.
///
/// ```
/// fn assert_node_value<T: hamilton_core::node::NodeValue>() {}
/// assert_node_value::<Vec<f64>>();
/// assert_node_value::<String>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a node value",
    label = "not usable as a node parameter or output",
    note = "node values must be `'static + Send + Sync`: own the data (`String` instead of `&'a str`, `Arc<T>` instead of `Rc<T>`)"
)]
pub trait NodeValue: Any + Send + Sync {}

impl<T: Any + Send + Sync> NodeValue for T {}

/// A node value whose concrete type is known only at run time.
///
/// `&'static str` is stored as `String`, so a literal given as an input satisfies a `&str` or
/// `String` parameter.
///
/// ```
/// use hamilton_core::node::Value;
/// let v = Value::new(3.5_f64);
/// assert_eq!(v.downcast_ref::<f64>(), Some(&3.5));
/// assert_eq!(v.type_name(), "f64");
/// assert_eq!(Value::new("UK").downcast_ref::<String>().map(String::as_str), Some("UK"));
/// ```
pub struct Value {
    /// The value, with its type's name reachable through the vtable: a `Value` is two words.
    inner: Box<dyn Erased>,
}

/// A boxed node value: `Any`, with its type name (for error messages) from the same vtable.
/// Seen as `dyn Any` by upcasting (a load from the vtable, not a call).
trait Erased: Any + Send + Sync {
    fn full_type_name(&self) -> &'static str;
}

impl<T: Any + Send + Sync> Erased for T {
    fn full_type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
}

impl Value {
    /// Wraps a value, remembering its type name for error messages.
    pub fn new<T: NodeValue>(value: T) -> Self {
        let any: &dyn Any = &value;
        if let Some(s) = any.downcast_ref::<&'static str>() {
            return Self {
                inner: Box::new(String::from(*s)),
            };
        }
        Self {
            inner: Box::new(value),
        }
    }

    /// The [`TypeId`] of the wrapped value.
    #[inline]
    pub fn type_id(&self) -> TypeId {
        self.as_any().type_id()
    }

    /// The wrapped value's type, as `std::any::type_name` gives it with module paths removed.
    pub fn type_name(&self) -> &'static str {
        // Shortened when asked for (errors, hooks), not on every value.
        short_type_name(<dyn Erased>::full_type_name(&*self.inner))
    }

    /// Whether the wrapped value is a `T`.
    #[inline]
    pub fn is<T: Any>(&self) -> bool {
        self.as_any().is::<T>()
    }

    /// A reference to the wrapped value if it is a `T`.
    #[inline]
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }

    /// The wrapped value if it is a `T`, else `self` back unchanged.
    pub fn downcast<T: Any>(self) -> Result<T, Self> {
        if !self.is::<T>() {
            return Err(self);
        }
        let any: Box<dyn Any + Send + Sync> = self.inner;
        match any.downcast::<T>() {
            Ok(value) => Ok(*value),
            Err(_) => unreachable!("the value was checked to be a `T`"),
        }
    }

    /// The wrapped value as `&dyn Any`.
    #[inline]
    pub fn as_any(&self) -> &(dyn Any + Send + Sync) {
        &*self.inner
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value<{}>", self.type_name())
    }
}

/// Shortens `alloc::vec::Vec<core::option::Option<f64>>` to `Vec<Option<f64>>`.
pub(crate) fn short_type_name(full: &'static str) -> &'static str {
    if !full.contains("::") {
        return full;
    }
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for ch in full.chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == ':' {
            segment.push(ch);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(&segment));
            segment.clear();
            out.push(ch);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(&segment));
    // Interned: the set of type names in a program is small and fixed.
    intern(out)
}

fn intern(s: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(existing) = names.get(s.as_str()) {
        return existing;
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    names.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_type_name_strips_paths_inside_generics() {
        assert_eq!(
            short_type_name(std::any::type_name::<Vec<Option<String>>>()),
            "Vec<Option<String>>"
        );
        assert_eq!(short_type_name("f64"), "f64");
    }

    #[test]
    fn static_str_values_are_stored_as_string() {
        let v = Value::new("x");
        assert!(v.is::<String>());
        assert_eq!(v.type_name(), "String");
    }

    #[test]
    fn downcast_to_wrong_type_returns_the_value() {
        let v = Value::new(1_i32);
        let v = v.downcast::<f64>().unwrap_err();
        assert_eq!(v.downcast::<i32>().unwrap(), 1);
    }

    #[test]
    fn type_id_is_the_wrapped_type() {
        assert_eq!(Value::new(1_u8).type_id(), TypeId::of::<u8>());
        assert_eq!(Value::new(1_u8).type_name(), "u8");
        assert_eq!(Value::new(vec![1_u8]).type_name(), "Vec<u8>");
    }

    #[test]
    fn a_value_is_two_words() {
        assert_eq!(
            std::mem::size_of::<Value>(),
            2 * std::mem::size_of::<usize>()
        );
        assert_eq!(
            std::mem::size_of::<Option<Value>>(),
            std::mem::size_of::<Value>()
        );
    }
}
