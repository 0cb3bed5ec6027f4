//! Data quality for Polars: validators of `Series` (and `Column`) values for hamilton-core's
//! data checks ([`hamilton_core::check`]).
//!
//! Each function here returns an `Arc<Check>`, which is a
//! [`Validator`]`<Series>` and a `Validator<Column>`, so it goes wherever hamilton-core takes
//! an `Arc<dyn Validator<T>>`: the `check(..)` option of `#[node]`, `Modifier::check`,
//! `hamilton_core::check::checked`, or [`checked`] here, which also checks the node's type.
//!
//! | validator | passes when |
//! |---|---|
//! | [`dtype`] | the Series has the dtype |
//! | [`range`] | every value is in `[min, max]` |
//! | [`max_nulls`] / [`max_null_fraction`] | few enough values are null |
//! | [`values_in`] | every value is in a set |
//! | [`unique`] | no value repeats |
//! | [`not_null`] / [`no_nans`] | no value is null / NaN (Hamilton's `allow_none=False` / `allow_nans=False`) |
//! | [`mean_in_range`] / [`max_std`] | the mean is in `[min, max]` / the standard deviation is at most `max` |
//! | [`frame`] | a `DataFrame` has the columns, dtypes, non-null columns, unique key and row count asked for, every failure in one result |
//! | [`custom`] | your closure returns `Ok(())` |
//!
//! # Nulls
//!
//! Each check states what it makes of nulls. Checks of values ([`range`], [`values_in`],
//! [`unique`], [`mean_in_range`], [`max_std`]) count each null as a failure, as Hamilton's
//! validators do with a missing value, unless told otherwise with
//! [`.allow_nulls()`](Check::allow_nulls) (then nulls are left out, and the check's name says
//! so). Checks about nulls ([`max_nulls`], [`max_null_fraction`], [`not_null`]), [`dtype`],
//! [`no_nans`] and [`custom`] checks see nulls themselves. NaN is a float value, not a null:
//! [`range`] counts it as outside, [`no_nans`] finds it.
//!
//! # How checks run
//!
//! A checked node `x` becomes three: `x.raw` (the computation), `x.checks` (a [`CheckReport`]
//! of every validator's [`CheckResult`]) and `x` (the same value, after its checks). Checks
//! therefore run whenever `x` is computed; their reports come back with every run
//! (`Outputs::check_reports`) and can be requested by name (`x.checks`). With
//! [`Importance::Fail`] a failure ends the run with `hamilton_core::Error::DataCheck`, listing
//! every failed check; with [`Importance::Warn`] failures are logged (`tracing::warn!`) and
//! recorded. Dotted generated names cannot clash with Rust function names.
//!
//! Checking inside one wrapping node would leave no report to ask for; checking in an executor
//! hook would hide the checks from the graph, its diagrams and `Request::validate`. The split
//! into nodes (Hamilton's own design) keeps them visible and costs one cheap extra node.
//!
//! ```
//! use hamilton_core::{Driver, Inputs, node::{Args, Node}};
//! use hamilton_polars::checks::{self, Importance};
//! use polars::prelude::*;
//!
//! let spend = Node::builder("spend")
//!     .build(|_: &Args| Ok(Series::new("spend".into(), &[10.0, -5.0, 20.0])));
//! let nodes = checks::checked(spend, vec![checks::range(0.0, 100.0), checks::max_nulls(0)], Importance::Warn).unwrap();
//! let dr = Driver::builder().with_nodes(nodes).build().unwrap();
//! let out = dr.execute(&["spend"], Inputs::new()).unwrap();
//! let report = &out.check_reports()[0];
//! assert!(!report.passed());
//! assert_eq!(report.failures().next().unwrap().check, "range [0, 100]");
//! assert_eq!(out.get::<Series>("spend").unwrap().len(), 3);
//! ```

mod frame;
mod validators;

pub use frame::{FrameCheck, frame};

use std::any::TypeId;
use std::fmt;
use std::sync::Arc;

pub use hamilton_core::check::{CheckReport, CheckResult, Importance, Validator};
use hamilton_core::{check, node::Node};
use polars::prelude::*;

use crate::error::Error;

type Validate = dyn Fn(&Series) -> CheckResult + Send + Sync;

/// One data check of a Series: what the functions of this module return.
///
/// ```
/// use hamilton_polars::checks::{self, Validator};
/// use polars::prelude::*;
/// let week = Series::new("week".into(), &[1_i64, 2, 2]);
/// assert!(checks::range(1.0, 52.0).run(&week).passed);
/// let column = week.clone().into_column();
/// assert!(!Validator::<Column>::validate(&*checks::unique(), &column).passed);
/// ```
#[derive(Clone)]
pub struct Check {
    name: String,
    validate: Arc<Validate>,
    nulls: Nulls,
}

/// What a check makes of null values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Nulls {
    /// A check of values: each null is a failure.
    Fail,
    /// A check of values, told to leave nulls out ([`Check::allow_nulls`]).
    Allow,
    /// A check about nulls or dtypes, or your own: it sees nulls itself.
    Own,
}

impl Check {
    /// A check of values (`validate` skips nulls): each null fails it unless allowed.
    fn of_values(
        name: String,
        validate: impl Fn(&Series) -> CheckResult + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            name,
            validate: Arc::new(validate),
            nulls: Nulls::Fail,
        })
    }

    /// A check that sees nulls itself.
    fn new(
        name: String,
        validate: impl Fn(&Series) -> CheckResult + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            name,
            validate: Arc::new(validate),
            nulls: Nulls::Own,
        })
    }

    /// This check with nulls left out: by default a check of values ([`range`],
    /// [`values_in`], [`unique`], [`mean_in_range`], [`max_std`]) counts each null as a
    /// failure, as Hamilton's validators do with a missing value. Checks about nulls or dtypes
    /// ([`max_nulls`], [`dtype`], ...) and [`custom`] checks see nulls themselves and are
    /// returned unchanged.
    ///
    /// ```
    /// use polars::prelude::*;
    /// let s = Series::new("x".into(), &[Some(0.5), None]);
    /// let strict = hamilton_polars::checks::range(0.0, 1.0);
    /// assert_eq!(strict.run(&s).message, "1 null(s) of 2 value(s) (row 1); this check counts nulls as failures: allow them with `.allow_nulls()`");
    /// let lenient = strict.allow_nulls();
    /// assert_eq!(lenient.name(), "range [0, 1], nulls allowed");
    /// assert!(lenient.run(&s).passed);
    /// ```
    pub fn allow_nulls(&self) -> Arc<Self> {
        let mut check = self.clone();
        if check.nulls == Nulls::Fail {
            check.nulls = Nulls::Allow;
            check.name.push_str(", nulls allowed");
        }
        Arc::new(check)
    }

    /// The check's name, as reports show it.
    ///
    /// ```
    /// assert_eq!(hamilton_polars::checks::range(0.0, 1.5).name(), "range [0, 1.5]");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the check on `series`; the result carries the check's name.
    ///
    /// ```
    /// use polars::prelude::*;
    /// let r = hamilton_polars::checks::max_nulls(0).run(&Series::new("x".into(), &[1]));
    /// assert_eq!((r.check.as_str(), r.passed), ("at most 0 null(s)", true));
    /// ```
    pub fn run(&self, series: &Series) -> CheckResult {
        let mut result = (self.validate)(series);
        if self.nulls == Nulls::Fail {
            result = validators::nulls_fail(series, result);
        }
        result.check.clone_from(&self.name);
        result
    }
}

impl Validator<Series> for Check {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn validate(&self, value: &Series) -> CheckResult {
        self.run(value)
    }
}

impl Validator<Column> for Check {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn validate(&self, value: &Column) -> CheckResult {
        self.run(value.as_materialized_series())
    }
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Check({})", self.name)
    }
}

/// The Series has dtype `dtype`.
///
/// ```
/// use polars::prelude::*;
/// let r = hamilton_polars::checks::dtype(DataType::Float64).run(&Series::new("x".into(), &[1_i64]));
/// assert_eq!(r.message, "dtype is i64, expected f64; cast it upstream with `.cast(&DataType::Float64)`");
/// ```
pub fn dtype(dtype: DataType) -> Arc<Check> {
    Check::new(format!("dtype {dtype}"), move |s| {
        validators::dtype(s, &dtype)
    })
}

/// Every value is in `[min, max]` (inclusive; NaN is outside, each null a failure unless
/// [allowed](Check::allow_nulls)). Numeric Series only; others fail the check.
///
/// ```
/// use polars::prelude::*;
/// let s = Series::new("x".into(), &[Some(0.0), None, Some(12.0)]);
/// let r = hamilton_polars::checks::range(0.0, 10.0).allow_nulls().run(&s);
/// assert_eq!(r.message, "1 of 3 value(s) outside [0, 10], e.g. 12 (row 2)");
/// ```
pub fn range(min: f64, max: f64) -> Arc<Check> {
    Check::of_values(format!("range [{min}, {max}]"), move |s| {
        validators::range(s, min, max)
    })
}

/// At most `max` values are null (missing; NaN is not null in Polars).
///
/// ```
/// use polars::prelude::*;
/// let s = Series::new("x".into(), &[Some(1.0), None, Some(f64::NAN)]);
/// assert!(hamilton_polars::checks::max_nulls(1).run(&s).passed);
/// assert!(!hamilton_polars::checks::max_nulls(0).run(&s).passed);
/// ```
pub fn max_nulls(max: usize) -> Arc<Check> {
    Check::new(format!("at most {max} null(s)"), move |s| {
        validators::max_nulls(s, max)
    })
}

/// At most the fraction `max` (0 to 1) of the values is null.
///
/// ```
/// use polars::prelude::*;
/// let s = Series::new("x".into(), &[Some(1), None, Some(3), Some(4)]);
/// assert!(hamilton_polars::checks::max_null_fraction(0.25).run(&s).passed);
/// assert!(!hamilton_polars::checks::max_null_fraction(0.1).run(&s).passed);
/// ```
pub fn max_null_fraction(max: f64) -> Arc<Check> {
    Check::new(format!("null fraction at most {max}"), move |s| {
        validators::max_null_fraction(s, max)
    })
}

/// Every value is one of `values` (anything a Series can be made of: `&[i64]`, `&[&str]`,
/// `Vec<f64>`, ...; each null a failure unless [allowed](Check::allow_nulls)). The values are
/// cast to the Series' dtype.
///
/// ```
/// use polars::prelude::*;
/// let regions = Series::new("region".into(), &["UK", "FR"]);
/// let r = hamilton_polars::checks::values_in(&["UK", "US"]).run(&regions);
/// assert_eq!(r.message, "1 of 2 value(s) not in the allowed set, e.g. \"FR\" (row 1)");
/// ```
pub fn values_in<T, P: ?Sized>(values: T) -> Arc<Check>
where
    Series: NamedFrom<T, P>,
{
    let allowed = Series::new("allowed".into(), values);
    let shown: Vec<String> = (0..allowed.len().min(5))
        .filter_map(|i| allowed.get(i).ok().map(|v| v.to_string()))
        .collect();
    let more = if allowed.len() > 5 { ", ..." } else { "" };
    Check::of_values(
        format!("values in {{{}{more}}}", shown.join(", ")),
        move |s| validators::values_in(s, &allowed),
    )
}

/// No value appears twice (each null a failure unless [allowed](Check::allow_nulls); allowed
/// nulls are left out, however many).
///
/// ```
/// use polars::prelude::*;
/// let r = hamilton_polars::checks::unique().run(&Series::new("id".into(), &[7, 8, 7]));
/// assert_eq!(r.message, "1 value(s) repeat an earlier one (2 distinct of 3), e.g. 7 (rows 0 and 2)");
/// ```
pub fn unique() -> Arc<Check> {
    Check::of_values("unique".into(), validators::unique)
}

/// No value is null (Hamilton's `allow_none=False`); the same test as `max_nulls(0)`.
///
/// ```
/// use polars::prelude::*;
/// let r = hamilton_polars::checks::not_null().run(&Series::new("x".into(), &[Some(1), None]));
/// assert_eq!((r.check.as_str(), r.passed), ("not null", false));
/// ```
pub fn not_null() -> Arc<Check> {
    Check::new("not null".into(), |s| validators::max_nulls(s, 0))
}

/// No value is NaN (Hamilton's `allow_nans=False`; NaN is a float value, not a null). Passes
/// for Series of other dtypes, which hold no NaN.
///
/// ```
/// use polars::prelude::*;
/// let r = hamilton_polars::checks::no_nans().run(&Series::new("x".into(), &[1.0, f64::NAN]));
/// assert_eq!(r.message, "1 NaN(s) of 2 value(s), e.g. row 1");
/// ```
pub fn no_nans() -> Arc<Check> {
    Check::new("no NaN".into(), validators::no_nans)
}

/// The mean of the values is in `[min, max]` (inclusive; each null a failure unless
/// [allowed](Check::allow_nulls), allowed nulls left out of the mean). Numeric Series only.
///
/// ```
/// use polars::prelude::*;
/// let r = hamilton_polars::checks::mean_in_range(0.0, 1.0).run(&Series::new("x".into(), &[1.0, 2.0]));
/// assert_eq!(r.message, "mean 1.5 is outside [0, 1]");
/// ```
pub fn mean_in_range(min: f64, max: f64) -> Arc<Check> {
    Check::of_values(format!("mean in [{min}, {max}]"), move |s| {
        validators::mean_in_range(s, min, max)
    })
}

/// The sample standard deviation of the values is at most `max` (each null a failure unless
/// [allowed](Check::allow_nulls)); fewer than two values have no deviation and pass. Numeric
/// Series only.
///
/// ```
/// use polars::prelude::*;
/// let r = hamilton_polars::checks::max_std(1.0).run(&Series::new("x".into(), &[1.0, 5.0]));
/// assert!(r.message.starts_with("standard deviation 2.828"), "{}", r.message);
/// ```
pub fn max_std(max: f64) -> Arc<Check> {
    Check::of_values(format!("standard deviation at most {max}"), move |s| {
        validators::max_std(s, max)
    })
}

/// A check of your own, named `name`: `validate` returns `Err(message)` on failure. (For
/// diagnostics in the report, implement [`Validator`]`<Series>` instead.)
///
/// ```
/// use polars::prelude::*;
/// let not_empty = hamilton_polars::checks::custom("not empty", |s: &Series| {
///     if s.is_empty() { Err("no rows".to_string()) } else { Ok(()) }
/// });
/// let r = not_empty.run(&Series::new_empty("x".into(), &DataType::Int64));
/// assert_eq!((r.check.as_str(), r.passed, r.message.as_str()), ("not empty", false, "no rows"));
/// ```
pub fn custom(
    name: impl Into<String>,
    validate: impl Fn(&Series) -> Result<(), String> + Send + Sync + 'static,
) -> Arc<Check> {
    Check::new(name.into(), move |s| match validate(s) {
        Ok(()) => CheckResult::pass("", "passed"),
        Err(message) => CheckResult::fail("", message),
    })
}

/// Attaches `checks` to `node`, which must produce a `Series` or a `Column`: the nodes
/// `<node>.raw`, `<node>.checks` and `<node>` described in the [module docs](self), made by
/// `hamilton_core::check::checked`.
///
/// An empty list of checks is an [`Error::Usage`]; a node of another type an
/// [`Error::UnsupportedNode`] (for other types, implement [`Validator`] and use
/// `hamilton_core::check::checked`).
///
/// ```
/// use hamilton_core::{Driver, Error, Inputs, node::{Args, Node}};
/// use hamilton_polars::checks::{self, Importance};
/// use polars::prelude::*;
///
/// let signups = Node::builder("signups")
///     .build(|_: &Args| Ok(Series::new("signups".into(), &[Some(3_i64), None, Some(-1)])));
/// let nodes = checks::checked(signups, vec![checks::max_nulls(0), checks::range(0.0, 1e6)], Importance::Fail).unwrap();
/// let names: Vec<&str> = nodes.iter().map(|n| n.name()).collect();
/// assert_eq!(names, ["signups.raw", "signups.checks", "signups"]);
///
/// let dr = Driver::builder().with_nodes(nodes).build().unwrap();
/// let err = dr.execute(&["signups"], Inputs::new()).unwrap_err();
/// assert!(matches!(err, Error::DataCheck { .. }));
/// let text = err.to_string();
/// assert!(text.contains("1 null(s)") && text.contains("-1 (row 2)"), "{text}");
/// ```
pub fn checked(
    node: Node,
    checks: Vec<Arc<Check>>,
    importance: Importance,
) -> Result<Vec<Node>, Error> {
    if checks.is_empty() {
        return Err(Error::Usage(format!(
            "no checks given for node `{}`; give at least one, e.g. `checks::max_nulls(0)`",
            node.name()
        )));
    }
    let output = node.output().id();
    if output == TypeId::of::<Series>() {
        let validators = checks
            .into_iter()
            .map(|c| c as Arc<dyn Validator<Series>>)
            .collect();
        Ok(check::checked::<Series>(node, validators, importance))
    } else if output == TypeId::of::<Column>() {
        let validators = checks
            .into_iter()
            .map(|c| c as Arc<dyn Validator<Column>>)
            .collect();
        Ok(check::checked::<Column>(node, validators, importance))
    } else {
        Err(Error::UnsupportedNode {
            node: node.name().to_string(),
            operation: "check",
            type_name: node.output().name().to_string(),
            expected: "`Series` or `Column`",
        })
    }
}

#[cfg(test)]
mod tests;
