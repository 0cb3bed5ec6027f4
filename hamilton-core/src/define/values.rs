//! Named values given to a driver: config at build time, inputs and overrides per run.

use std::collections::BTreeMap;
use std::fmt;

use crate::types::TypeInfo;
use crate::value::{NodeValue, Value};

/// A config value with a way to copy it into each run that reads it, and its type.
struct ConfigEntry {
    value: Value,
    clone: fn(&Value) -> Value,
    ty: TypeInfo,
}

/// Build-time configuration: chooses node variants (`when`) and feeds parameters of the same
/// name, like inputs that are fixed for the driver's lifetime. Type-checked when the driver is
/// built.
///
/// ```
/// use hamilton_core::Config;
/// let c = Config::new().set("region", "UK").set("window", 3_usize);
/// assert_eq!(c.get::<String>("region").map(String::as_str), Some("UK"));
/// assert_eq!(c.get::<usize>("window"), Some(&3));
/// assert_eq!(c.get_str("region"), Some("UK"));
/// ```
#[derive(Default)]
pub struct Config {
    entries: BTreeMap<String, ConfigEntry>,
}

impl Config {
    /// An empty config.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value` (a later `set` of the same key wins). `&'static str` is stored as
    /// `String`.
    pub fn set<T: NodeValue + Clone>(mut self, key: impl Into<String>, value: T) -> Self {
        fn clone_as<T: NodeValue + Clone>(v: &Value) -> Value {
            match v.downcast_ref::<T>() {
                Some(t) => Value::new(t.clone()),
                None => Value::new(v.downcast_ref::<String>().cloned().unwrap_or_default()),
            }
        }
        let value = Value::new(value);
        let (clone, ty) = if value.is::<String>() {
            (
                clone_as::<String> as fn(&Value) -> Value,
                TypeInfo::of::<String>(),
            )
        } else {
            (clone_as::<T> as fn(&Value) -> Value, TypeInfo::of::<T>())
        };
        self.entries
            .insert(key.into(), ConfigEntry { value, clone, ty });
        self
    }

    /// Adds every entry of `other`, replacing keys set in both.
    pub fn merge(mut self, other: Config) -> Self {
        self.entries.extend(other.entries);
        self
    }

    /// The value of `key` if it is a `T`.
    pub fn get<T: NodeValue>(&self, key: &str) -> Option<&T> {
        self.entries.get(key)?.value.downcast_ref::<T>()
    }

    /// The value of `key` if it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get::<String>(key).map(String::as_str)
    }

    /// The untyped value of `key`.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.entries.get(key).map(|e| &e.value)
    }

    /// Whether `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A copy of the value of `key`, for a run that reads it.
    pub(crate) fn copy_value(&self, key: &str) -> Option<Value> {
        self.entries.get(key).map(|e| (e.clone)(&e.value))
    }

    /// The type of the value of `key`.
    pub(crate) fn type_info(&self, key: &str) -> Option<TypeInfo> {
        self.entries.get(key).map(|e| e.ty)
    }

    /// Sets `key` to a copy of `from`'s `from_key`; `false` when `from_key` is not set.
    pub(crate) fn copy_key(&mut self, key: &str, from: &Config, from_key: &str) -> bool {
        let Some(e) = from.entries.get(from_key) else {
            return false;
        };
        let entry = ConfigEntry {
            value: (e.clone)(&e.value),
            clone: e.clone,
            ty: e.ty,
        };
        self.entries.insert(key.to_string(), entry);
        true
    }

    /// A display string of the value of `key` for diagrams (strings, numbers and booleans).
    pub(crate) fn display_value(&self, key: &str) -> Option<String> {
        let v = self.value(key)?;
        display_scalar(v)
    }
}

impl Clone for Config {
    /// A copy of every entry (each value copied the way runs copy it).
    fn clone(&self) -> Self {
        Self {
            entries: self
                .entries
                .iter()
                .map(|(k, e)| {
                    let entry = ConfigEntry {
                        value: (e.clone)(&e.value),
                        clone: e.clone,
                        ty: e.ty,
                    };
                    (k.clone(), entry)
                })
                .collect(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, e)| (k, &e.value)))
            .finish()
    }
}

pub(crate) fn display_scalar(v: &Value) -> Option<String> {
    macro_rules! try_types {
        ($($t:ty),*) => {
            $(if let Some(x) = v.downcast_ref::<$t>() { return Some(x.to_string()); })*
        };
    }
    try_types!(
        String, bool, i8, i16, i32, i64, u8, u16, u32, u64, usize, isize, f32, f64
    );
    None
}

/// Values for a run: the inputs of [`Driver::execute`](crate::Driver::execute), or the overrides
/// of [`Request::overrides`](crate::Request::overrides).
#[derive(Default, Debug)]
pub struct ValueMap {
    pub(crate) entries: BTreeMap<String, Value>,
}

impl ValueMap {
    fn insert<T: NodeValue>(&mut self, name: impl Into<String>, value: T) {
        self.entries.insert(name.into(), Value::new(value));
    }
}

macro_rules! value_map {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Default, Debug)]
        pub struct $name(pub(crate) ValueMap);

        impl $name {
            /// An empty set of values.
            pub fn new() -> Self {
                Self::default()
            }

            /// Sets `name` to `value`; `&'static str` is stored as `String`.
            pub fn set<T: NodeValue>(mut self, name: impl Into<String>, value: T) -> Self {
                self.0.insert(name, value);
                self
            }

            /// Sets `name` to an already type-erased value.
            pub fn set_value(mut self, name: impl Into<String>, value: Value) -> Self {
                self.0.entries.insert(name.into(), value);
                self
            }

            /// Whether `name` is set.
            pub fn contains(&self, name: &str) -> bool {
                self.0.entries.contains_key(name)
            }

            /// The value of `name`, untyped.
            pub fn get(&self, name: &str) -> Option<&Value> {
                self.0.entries.get(name)
            }

            /// The names, sorted.
            pub fn names(&self) -> impl Iterator<Item = &str> {
                self.0.entries.keys().map(String::as_str)
            }

            /// The number of values.
            pub fn len(&self) -> usize {
                self.0.entries.len()
            }

            /// Whether there are none.
            pub fn is_empty(&self) -> bool {
                self.0.entries.is_empty()
            }
        }
    };
}

value_map! {
    /// The inputs of one run: values for the parameters that no node produces.
    ///
    /// ```
    /// use hamilton_core::Inputs;
    /// let inputs = Inputs::new().set("a", 1.0_f64).set("path", "data/marketing.csv");
    /// assert_eq!(inputs.len(), 2);
    /// assert!(inputs.get("path").unwrap().is::<String>());
    /// ```
    Inputs
}

value_map! {
    /// The overrides of one run: values that replace nodes, so their upstream is not computed.
    ///
    /// ```
    /// use hamilton_core::Overrides;
    /// let o = Overrides::new().set("c", 10.0_f64);
    /// assert!(o.contains("c"));
    /// ```
    Overrides
}
