//! Config conditions: `when`, `when_not`, `when_in`, `when_not_in` and custom predicates.

use std::fmt;
use std::sync::Arc;

use crate::value::Value;
use crate::values::Config;

/// A literal compared with a config value: a string, an integer, a float or a boolean.
///
/// An integer matches a config value of any integer type holding the same number; a float
/// matches an `f32` or `f64`; a string matches a `String` (what `Config::set("k", "v")` stores).
///
/// ```
/// use hamilton_core::modifiers::ConfigValue;
/// assert_eq!(ConfigValue::from("UK"), ConfigValue::Str("UK".into()));
/// assert_eq!(ConfigValue::from(3_u8), ConfigValue::Int(3));
/// assert_eq!(ConfigValue::from(true).to_string(), "true");
/// assert_eq!(ConfigValue::from("UK").to_string(), "\"UK\"");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigValue {
    /// A string.
    Str(String),
    /// An integer, of any width.
    Int(i128),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl ConfigValue {
    /// Whether the config value `value` equals this literal.
    pub fn matches(&self, value: &Value) -> bool {
        match self {
            Self::Str(s) => value.downcast_ref::<String>().is_some_and(|v| v == s),
            Self::Bool(b) => value.downcast_ref::<bool>() == Some(b),
            Self::Float(f) => {
                value.downcast_ref::<f64>() == Some(f)
                    || value.downcast_ref::<f32>().map(|v| f64::from(*v)) == Some(*f)
            }
            Self::Int(i) => int_of(value) == Some(*i),
        }
    }
}

/// The value of an integer config value, of any integer type.
fn int_of(value: &Value) -> Option<i128> {
    macro_rules! try_ints {
        ($($t:ty),*) => {
            $(if let Some(v) = value.downcast_ref::<$t>() { return i128::try_from(*v).ok(); })*
        };
    }
    try_ints!(
        i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
    );
    None
}

impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => write!(f, "{s:?}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x:?}"),
            Self::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl From<&str> for ConfigValue {
    fn from(s: &str) -> Self {
        Self::Str(s.to_owned())
    }
}

impl From<String> for ConfigValue {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}

impl From<bool> for ConfigValue {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<f64> for ConfigValue {
    fn from(x: f64) -> Self {
        Self::Float(x)
    }
}

impl From<f32> for ConfigValue {
    fn from(x: f32) -> Self {
        Self::Float(f64::from(x))
    }
}

macro_rules! from_ints {
    ($($t:ty),*) => {
        $(impl From<$t> for ConfigValue {
            fn from(i: $t) -> Self {
                Self::Int(i128::from(i))
            }
        })*
    };
}
from_ints!(i8, i16, i32, i64, i128, u8, u16, u32, u64);

impl From<usize> for ConfigValue {
    fn from(i: usize) -> Self {
        Self::Int(i as i128)
    }
}

impl From<isize> for ConfigValue {
    fn from(i: isize) -> Self {
        Self::Int(i as i128)
    }
}

#[derive(Clone)]
enum Test {
    Eq(ConfigValue),
    Ne(ConfigValue),
    In(Vec<ConfigValue>),
    NotIn(Vec<ConfigValue>),
    Custom(Arc<dyn Fn(&Config) -> bool + Send + Sync>),
}

/// A test of the config: what `when(...)` and its siblings test, on a node or on a pipeline
/// step.
///
/// | constructor | `#[node(...)]` | holds when |
/// |---|---|---|
/// | [`Condition::eq`] | `when(k = v)` | `k` is set and equals `v` |
/// | [`Condition::ne`] | `when_not(k = v)` | `k` is not set, or differs from `v` |
/// | [`Condition::is_in`] | `when_in(k = [a, b])` | `k` is set and equals one of them |
/// | [`Condition::not_in`] | `when_not_in(k = [a, b])` | `k` is not set, or equals none of them |
/// | [`Condition::custom`] | `when_fn(path)` | the function returns `true` |
///
/// ```
/// use hamilton_core::Config;
/// use hamilton_core::modifiers::Condition;
/// let config = Config::new().set("region", "UK").set("tier", 2_i64);
/// assert!(Condition::eq("region", "UK").holds(&config));
/// assert!(Condition::is_in("tier", [1, 2]).holds(&config));
/// assert!(Condition::ne("missing", 1).holds(&config));
/// assert!(!Condition::eq("missing", 1).holds(&config));
/// assert_eq!(Condition::not_in("region", ["US", "CA"]).to_string(), "region not in [\"US\", \"CA\"]");
/// ```
#[derive(Clone)]
pub struct Condition {
    key: Arc<str>,
    test: Test,
}

impl Condition {
    /// `key` is set and equals `value`.
    pub fn eq(key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        Self {
            key: key.into(),
            test: Test::Eq(value.into()),
        }
    }

    /// `key` is not set, or differs from `value`.
    pub fn ne(key: impl Into<Arc<str>>, value: impl Into<ConfigValue>) -> Self {
        Self {
            key: key.into(),
            test: Test::Ne(value.into()),
        }
    }

    /// `key` is set and equals one of `values`.
    pub fn is_in<V: Into<ConfigValue>>(
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self {
            key: key.into(),
            test: Test::In(values.into_iter().map(Into::into).collect()),
        }
    }

    /// `key` is not set, or equals none of `values`.
    pub fn not_in<V: Into<ConfigValue>>(
        key: impl Into<Arc<str>>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self {
            key: key.into(),
            test: Test::NotIn(values.into_iter().map(Into::into).collect()),
        }
    }

    /// `predicate(config)`; `name` stands for it in messages.
    ///
    /// ```
    /// use hamilton_core::Config;
    /// use hamilton_core::modifiers::Condition;
    /// let big = Condition::custom("big_window", |c: &Config| c.get::<i64>("window").is_some_and(|w| *w > 10));
    /// assert!(big.holds(&Config::new().set("window", 20_i64)));
    /// ```
    pub fn custom(
        name: impl Into<Arc<str>>,
        predicate: impl Fn(&Config) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            key: name.into(),
            test: Test::Custom(Arc::new(predicate)),
        }
    }

    /// Whether the condition holds for `config`.
    pub fn holds(&self, config: &Config) -> bool {
        let value = config.value(&self.key);
        let matches = |v: &ConfigValue| value.is_some_and(|value| v.matches(value));
        match &self.test {
            Test::Eq(v) => matches(v),
            Test::Ne(v) => !matches(v),
            Test::In(vs) => vs.iter().any(matches),
            Test::NotIn(vs) => !vs.iter().any(matches),
            Test::Custom(f) => f(config),
        }
    }

    /// The key, when the condition fails only because `key` is not set in `config`.
    pub(crate) fn missing_key(&self, config: &Config) -> Option<&str> {
        match self.test {
            Test::Eq(_) | Test::In(_) if !config.contains(&self.key) => Some(&self.key),
            _ => None,
        }
    }

    /// The config key the condition reads, unless it is a custom predicate.
    pub fn key(&self) -> Option<&str> {
        match self.test {
            Test::Custom(_) => None,
            _ => Some(&self.key),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |vs: &[ConfigValue]| {
            vs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.test {
            Test::Eq(v) => write!(f, "{} = {v}", self.key),
            Test::Ne(v) => write!(f, "{} != {v}", self.key),
            Test::In(vs) => write!(f, "{} in [{}]", self.key, list(vs)),
            Test::NotIn(vs) => write!(f, "{} not in [{}]", self.key, list(vs)),
            Test::Custom(_) => write!(f, "{}(config)", self.key),
        }
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Condition({self})")
    }
}
