//! Validators of single values (`f64`, `i64`, `Option<T>`, ...): Hamilton's `range`,
//! `allow_nans=False`, `allow_none=False` and `values_in` for scalars, without a closure of
//! your own. Re-exported by [`check`](crate::check).

use std::fmt;
use std::sync::Arc;

use crate::check::{CheckResult, Validator};

struct InRange<T> {
    min: T,
    max: T,
}

impl<T> Validator<T> for InRange<T>
where
    T: PartialOrd + fmt::Display + Send + Sync + 'static,
{
    fn name(&self) -> String {
        format!("range [{}, {}]", self.min, self.max)
    }

    fn validate(&self, value: &T) -> CheckResult {
        // A value that does not compare (NaN) is outside.
        let inside = *value >= self.min && *value <= self.max;
        if inside {
            CheckResult::pass(
                self.name(),
                format!("{value} is in [{}, {}]", self.min, self.max),
            )
        } else {
            CheckResult::fail(
                self.name(),
                format!("{value} is outside [{}, {}]", self.min, self.max),
            )
        }
        .with("value", value)
    }
}

/// The value is in `[min, max]` (inclusive; NaN is outside).
///
/// ```
/// use hamilton_core::check::in_range;
/// assert!(in_range(0.0, 1.0).validate(&0.5).passed);
/// assert_eq!(in_range(0.0, 1.0).validate(&f64::NAN).message, "NaN is outside [0, 1]");
/// assert!(!in_range(1_i64, 52).validate(&53).passed);
/// ```
pub fn in_range<T>(min: T, max: T) -> Arc<dyn Validator<T>>
where
    T: PartialOrd + fmt::Display + Send + Sync + 'static,
{
    Arc::new(InRange { min, max })
}

/// A value that may be NaN: the floats, and options of them (`None` is not NaN).
pub trait MaybeNan: Send + Sync + 'static {
    /// Whether the value is NaN.
    fn is_nan_value(&self) -> bool;
}

impl MaybeNan for f64 {
    fn is_nan_value(&self) -> bool {
        self.is_nan()
    }
}

impl MaybeNan for f32 {
    fn is_nan_value(&self) -> bool {
        self.is_nan()
    }
}

impl<T: MaybeNan> MaybeNan for Option<T> {
    fn is_nan_value(&self) -> bool {
        self.as_ref().is_some_and(MaybeNan::is_nan_value)
    }
}

impl<T: MaybeNan> MaybeNan for Vec<T> {
    fn is_nan_value(&self) -> bool {
        self.iter().any(MaybeNan::is_nan_value)
    }
}

struct NotNan;

impl<T: MaybeNan> Validator<T> for NotNan {
    fn name(&self) -> String {
        "no NaN".into()
    }

    fn validate(&self, value: &T) -> CheckResult {
        if value.is_nan_value() {
            CheckResult::fail("no NaN", "the value is or holds NaN")
        } else {
            CheckResult::pass("no NaN", "no NaN")
        }
    }
}

/// The value is not NaN (Hamilton's `allow_nans=False`); for a `Vec`, no element is.
///
/// ```
/// use hamilton_core::check::not_nan;
/// assert!(not_nan().validate(&1.0_f64).passed);
/// assert!(!not_nan().validate(&vec![1.0, f64::NAN]).passed);
/// assert!(not_nan().validate(&None::<f32>).passed);
/// ```
pub fn not_nan<T: MaybeNan>() -> Arc<dyn Validator<T>> {
    Arc::new(NotNan)
}

struct IsSome;

impl<T: Send + Sync + 'static> Validator<Option<T>> for IsSome {
    fn name(&self) -> String {
        "not none".into()
    }

    fn validate(&self, value: &Option<T>) -> CheckResult {
        match value {
            Some(_) => CheckResult::pass("not none", "a value is present"),
            None => CheckResult::fail("not none", "the value is `None`"),
        }
    }
}

/// The optional value is present (Hamilton's `allow_none=False`).
///
/// ```
/// use hamilton_core::check::is_some;
/// assert!(is_some().validate(&Some(3)).passed);
/// assert!(!is_some::<i32>().validate(&None).passed);
/// ```
pub fn is_some<T: Send + Sync + 'static>() -> Arc<dyn Validator<Option<T>>> {
    Arc::new(IsSome)
}

struct OneOf<T>(Vec<T>);

impl<T> Validator<T> for OneOf<T>
where
    T: PartialEq + fmt::Debug + Send + Sync + 'static,
{
    fn name(&self) -> String {
        format!("one of {:?}", self.0)
    }

    fn validate(&self, value: &T) -> CheckResult {
        if self.0.contains(value) {
            CheckResult::pass(self.name(), format!("{value:?} is allowed"))
        } else {
            CheckResult::fail(self.name(), format!("{value:?} is not one of {:?}", self.0))
        }
    }
}

/// The value is one of `values`.
///
/// ```
/// use hamilton_core::check::one_of;
/// let region = one_of(["UK".to_string(), "US".to_string()]);
/// assert!(region.validate(&"UK".to_string()).passed);
/// assert_eq!(region.validate(&"FR".to_string()).message, "\"FR\" is not one of [\"UK\", \"US\"]");
/// ```
pub fn one_of<T>(values: impl IntoIterator<Item = T>) -> Arc<dyn Validator<T>>
where
    T: PartialEq + fmt::Debug + Send + Sync + 'static,
{
    Arc::new(OneOf(values.into_iter().collect()))
}
