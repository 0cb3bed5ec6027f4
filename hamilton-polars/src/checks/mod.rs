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
//! | [`range`] | every non-null value is in `[min, max]` |
//! | [`max_nulls`] / [`max_null_fraction`] | few enough values are null |
//! | [`values_in`] | every non-null value is in a set |
//! | [`unique`] | no value repeats |
//! | [`custom`] | your closure returns `Ok(())` |
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

mod validators;

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
}

impl Check {
    fn new(
        name: String,
        validate: impl Fn(&Series) -> CheckResult + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            name,
            validate: Arc::new(validate),
        })
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

/// Every non-null value is in `[min, max]` (inclusive; NaN is outside). Numeric Series only;
/// others fail the check.
///
/// ```
/// use polars::prelude::*;
/// let s = Series::new("x".into(), &[Some(0.0), None, Some(12.0)]);
/// let r = hamilton_polars::checks::range(0.0, 10.0).run(&s);
/// assert_eq!(r.message, "1 of 3 value(s) outside [0, 10], e.g. 12 (row 2)");
/// ```
pub fn range(min: f64, max: f64) -> Arc<Check> {
    Check::new(format!("range [{min}, {max}]"), move |s| {
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

/// Every non-null value is one of `values` (anything a Series can be made of: `&[i64]`,
/// `&[&str]`, `Vec<f64>`, ...). The values are cast to the Series' dtype.
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
    Check::new(
        format!("values in {{{}{more}}}", shown.join(", ")),
        move |s| validators::values_in(s, &allowed),
    )
}

/// No value appears twice (nulls count as one value).
///
/// ```
/// use polars::prelude::*;
/// let r = hamilton_polars::checks::unique().run(&Series::new("id".into(), &[7, 8, 7]));
/// assert_eq!(r.message, "1 value(s) repeat an earlier one (2 distinct of 3), e.g. 7 (rows 0 and 2)");
/// ```
pub fn unique() -> Arc<Check> {
    Check::new("unique".into(), validators::unique)
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
