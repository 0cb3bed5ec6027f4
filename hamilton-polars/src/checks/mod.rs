//! Data quality: validators for Series, attached to a node with [`checked`].
//!
//! # Design
//!
//! [`checked`] turns a node `x` into three:
//!
//! | node | value | depends on |
//! |---|---|---|
//! | `x.raw` | the original node, renamed | the original dependencies |
//! | `x.checks` | a [`CheckReport`] with every check's result | `x.raw` |
//! | `x` | the same value as `x.raw` | `x.raw`, `x.checks` |
//!
//! So the checks run whenever `x` is computed, their results can be requested on their own
//! (`dr.execute(&["x.checks"], ..)`), they appear in the DAG's diagrams, and overriding `x.raw`
//! checks data given from outside. With [`Importance::Fail`] a failed check fails `x.checks`,
//! and thereby the run, with an error listing *every* failed check; with [`Importance::Warn`]
//! each failure is logged with `tracing::warn!` and recorded in the report. `x` takes `x.raw`
//! by value on its last use, so there is no copy. Dotted names cannot clash with Rust
//! function names.
//!
//! The alternatives were weighed: checking inside one wrapping node leaves no way to ask for
//! the report; checking in an executor hook hides the checks from the graph and from
//! `validate_execution`. Hamilton itself generates `x_raw`/validator nodes the same way.
//!
//! ```
//! use hamilton_core::{Args, Driver, Inputs, Node};
//! use hamilton_polars::checks::{Check, CheckReport, Importance, checked};
//! use polars::prelude::*;
//!
//! let spend = Node::builder("spend")
//!     .build(|_: &Args| Ok(Series::new("spend".into(), &[10.0, -5.0, 20.0])));
//! let nodes = checked(spend, vec![Check::range(0.0, 100.0), Check::max_nulls(0)], Importance::Warn).unwrap();
//! let dr = Driver::builder().with_nodes(nodes).build().unwrap();
//! let out = dr.execute(&["spend", "spend.checks"], Inputs::new()).unwrap();
//! let report = out.get::<CheckReport>("spend.checks").unwrap();
//! assert!(!report.passed());
//! assert_eq!(report.failures().next().unwrap().check, "range [0, 100]");
//! assert_eq!(out.get::<Series>("spend").unwrap().len(), 3);
//! ```

mod report;
mod validators;

use std::any::TypeId;
use std::fmt;
use std::sync::Arc;

use hamilton_core::{Args, Node, NodeError, NodeValue};
use polars::prelude::*;

pub use report::{CheckReport, CheckResult};

use crate::error::Error;

/// What a failed check does.
///
/// ```
/// use hamilton_polars::checks::Importance;
/// assert_eq!(Importance::default(), Importance::Fail);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Importance {
    /// Log the failure (`tracing::warn!`) and record it; the run goes on.
    Warn,
    /// Fail the run, listing every failed check.
    #[default]
    Fail,
}

type Validate = dyn Fn(&Series) -> CheckResult + Send + Sync;

/// One data check of a Series.
///
/// ```
/// use hamilton_polars::checks::{Check, CheckResult};
/// use polars::prelude::*;
/// let s = Series::new("week".into(), &[1_i64, 2, 2]);
/// assert!(Check::dtype(DataType::Int64).run(&s).passed);
/// assert!(Check::range(1.0, 52.0).run(&s).passed);
/// assert!(!Check::unique().run(&s).passed);
/// assert!(Check::values_in(&[1_i64, 2, 3]).run(&s).passed);
/// let even = Check::custom("even", |s: &Series| {
///     let odd = s.i64().map(|ca| ca.iter().flatten().filter(|v| v % 2 != 0).count()).unwrap_or(0);
///     if odd == 0 { CheckResult::pass("all even") } else { CheckResult::fail(format!("{odd} odd value(s)")) }
/// });
/// assert_eq!(even.run(&s).message, "1 odd value(s)");
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
    ) -> Self {
        Self {
            name,
            validate: Arc::new(validate),
        }
    }

    /// The Series has dtype `dtype`.
    ///
    /// ```
    /// use hamilton_polars::checks::Check;
    /// use polars::prelude::*;
    /// let r = Check::dtype(DataType::Float64).run(&Series::new("x".into(), &[1_i64]));
    /// assert_eq!(r.message, "dtype is i64, expected f64; cast it upstream with `.cast(&DataType::Float64)`");
    /// ```
    pub fn dtype(dtype: DataType) -> Self {
        Self::new(format!("dtype {dtype}"), move |s| {
            validators::dtype(s, &dtype)
        })
    }

    /// Every non-null value is in `[min, max]` (inclusive; NaN is outside). Numeric Series
    /// only; others fail the check.
    ///
    /// ```
    /// use hamilton_polars::checks::Check;
    /// use polars::prelude::*;
    /// let r = Check::range(0.0, 10.0).run(&Series::new("x".into(), &[Some(0.0), None, Some(12.0)]));
    /// assert_eq!(r.message, "1 of 3 value(s) outside [0, 10], e.g. 12 (row 2)");
    /// ```
    pub fn range(min: f64, max: f64) -> Self {
        Self::new(format!("range [{min}, {max}]"), move |s| {
            validators::range(s, min, max)
        })
    }

    /// At most `max` values are null (missing; NaN is not null in Polars).
    ///
    /// ```
    /// use hamilton_polars::checks::Check;
    /// use polars::prelude::*;
    /// let s = Series::new("x".into(), &[Some(1.0), None, Some(f64::NAN)]);
    /// assert!(Check::max_nulls(1).run(&s).passed);
    /// assert!(!Check::max_nulls(0).run(&s).passed);
    /// ```
    pub fn max_nulls(max: usize) -> Self {
        Self::new(format!("at most {max} null(s)"), move |s| {
            validators::max_nulls(s, max)
        })
    }

    /// At most the fraction `max` (0 to 1) of the values is null.
    ///
    /// ```
    /// use hamilton_polars::checks::Check;
    /// use polars::prelude::*;
    /// let s = Series::new("x".into(), &[Some(1), None, Some(3), Some(4)]);
    /// assert!(Check::max_null_fraction(0.25).run(&s).passed);
    /// assert!(!Check::max_null_fraction(0.1).run(&s).passed);
    /// ```
    pub fn max_null_fraction(max: f64) -> Self {
        Self::new(format!("null fraction at most {max}"), move |s| {
            validators::max_null_fraction(s, max)
        })
    }

    /// Every non-null value is one of `values` (anything a Series can be made of:
    /// `&[i64]`, `&[&str]`, `Vec<f64>`, ...). The values are cast to the Series' dtype.
    ///
    /// ```
    /// use hamilton_polars::checks::Check;
    /// use polars::prelude::*;
    /// let regions = Series::new("region".into(), &["UK", "FR"]);
    /// let r = Check::values_in(&["UK", "US"]).run(&regions);
    /// assert_eq!(r.message, "1 of 2 value(s) not in the allowed set, e.g. \"FR\" (row 1)");
    /// ```
    pub fn values_in<T, P: ?Sized>(values: T) -> Self
    where
        Series: NamedFrom<T, P>,
    {
        let allowed = Series::new("allowed".into(), values);
        let shown: Vec<String> = (0..allowed.len().min(5))
            .filter_map(|i| allowed.get(i).ok().map(|v| v.to_string()))
            .collect();
        let more = if allowed.len() > 5 { ", ..." } else { "" };
        Self::new(
            format!("values in {{{}{more}}}", shown.join(", ")),
            move |s| validators::values_in(s, &allowed),
        )
    }

    /// No value appears twice (nulls count as one value).
    ///
    /// ```
    /// use hamilton_polars::checks::Check;
    /// use polars::prelude::*;
    /// let r = Check::unique().run(&Series::new("id".into(), &[7, 8, 7]));
    /// assert_eq!(r.message, "1 value(s) repeat an earlier one (2 distinct of 3), e.g. 7 (rows 0 and 2)");
    /// ```
    pub fn unique() -> Self {
        Self::new("unique".into(), validators::unique)
    }

    /// A check of your own, named `name`: `validate` returns [`CheckResult::pass`] or
    /// [`CheckResult::fail`], with diagnostics if useful.
    ///
    /// ```
    /// use hamilton_polars::checks::{Check, CheckResult};
    /// use polars::prelude::*;
    /// let not_empty = Check::custom("not empty", |s: &Series| match s.len() {
    ///     0 => CheckResult::fail("no rows"),
    ///     n => CheckResult::pass(format!("{n} rows")),
    /// });
    /// assert_eq!(not_empty.name(), "not empty");
    /// assert!(!not_empty.run(&Series::new_empty("x".into(), &DataType::Int64)).passed);
    /// ```
    pub fn custom(
        name: impl Into<String>,
        validate: impl Fn(&Series) -> CheckResult + Send + Sync + 'static,
    ) -> Self {
        Self::new(name.into(), validate)
    }

    /// The check's name, as reports show it.
    ///
    /// ```
    /// assert_eq!(hamilton_polars::checks::Check::range(0.0, 1.5).name(), "range [0, 1.5]");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the check on `series`; the result carries the check's name.
    ///
    /// ```
    /// use hamilton_polars::checks::Check;
    /// use polars::prelude::*;
    /// let r = Check::max_nulls(0).run(&Series::new("x".into(), &[1]));
    /// assert_eq!((r.check.as_str(), r.passed), ("at most 0 null(s)", true));
    /// ```
    pub fn run(&self, series: &Series) -> CheckResult {
        let mut result = (self.validate)(series);
        result.check.clone_from(&self.name);
        result
    }
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Check({})", self.name)
    }
}

/// The tag set on the `<node>.checks` node; its value is the checked node's name.
///
/// ```
/// use hamilton_core::{Args, Node};
/// use hamilton_polars::checks::{CHECKS_TAG, Check, Importance, checked};
/// use polars::prelude::*;
/// let x = Node::builder("x").build(|_: &Args| Ok(Series::new("x".into(), &[1])));
/// let nodes = checked(x, vec![Check::unique()], Importance::Warn).unwrap();
/// assert_eq!(nodes[1].tags()[CHECKS_TAG], "x");
/// ```
pub const CHECKS_TAG: &str = "hamilton.checks";

/// Attaches `checks` to `node`, which must produce a `Series` or a `Column`: the nodes
/// `<node>.raw`, `<node>.checks` and `<node>` described in the [module docs](self).
///
/// An empty list of checks is an [`Error::Usage`]; a node of another type an
/// [`Error::UnsupportedNode`].
///
/// ```
/// use hamilton_core::{Args, Driver, Inputs, Node};
/// use hamilton_polars::checks::{Check, Importance, checked};
/// use polars::prelude::*;
///
/// let signups = Node::builder("signups")
///     .build(|_: &Args| Ok(Series::new("signups".into(), &[Some(3_i64), None, Some(-1)])));
/// let nodes = checked(signups, vec![Check::max_nulls(0), Check::range(0.0, 1e6)], Importance::Fail).unwrap();
/// assert_eq!(nodes.iter().map(|n| n.name()).collect::<Vec<_>>(), ["signups.raw", "signups.checks", "signups"]);
///
/// let dr = Driver::builder().with_nodes(nodes).build().unwrap();
/// let err = dr.execute(&["signups"], Inputs::new()).unwrap_err().to_string();
/// assert!(err.contains("2 of 2 failed"));
/// assert!(err.contains("1 null(s)") && err.contains("-1 (row 2)"));
/// ```
pub fn checked(node: Node, checks: Vec<Check>, importance: Importance) -> Result<Vec<Node>, Error> {
    if checks.is_empty() {
        return Err(Error::Usage(format!(
            "no checks given for node `{}`; give at least one `Check`",
            node.name()
        )));
    }
    let output = node.output().id();
    if output == TypeId::of::<Series>() {
        Ok(build::<Series>(node, checks, importance, |s| s))
    } else if output == TypeId::of::<Column>() {
        Ok(build::<Column>(node, checks, importance, |c| {
            c.as_materialized_series()
        }))
    } else {
        Err(Error::UnsupportedNode {
            node: node.name().to_string(),
            operation: "check",
            type_name: node.output().name().to_string(),
            expected: "`Series` or `Column`",
        })
    }
}

fn build<T: NodeValue + Clone>(
    node: Node,
    checks: Vec<Check>,
    importance: Importance,
    series: fn(&T) -> &Series,
) -> Vec<Node> {
    let name: Arc<str> = node.name().into();
    let raw_name = format!("{name}.raw");
    let checks_name = format!("{name}.checks");
    let names: Vec<&str> = checks.iter().map(Check::name).collect();

    let mut report_node = Node::builder(checks_name.as_str())
        .doc(format!("Data checks of `{name}`: {}.", names.join("; ")))
        .module(node.module())
        .function(node.function())
        .tag(CHECKS_TAG, &*name)
        .param::<T>(raw_name.as_str());
    let mut final_node = Node::builder(&*name)
        .doc(node.doc())
        .module(node.module())
        .function(node.function())
        .owned_param::<T>(raw_name.as_str())
        .param::<CheckReport>(checks_name.as_str());
    if let Some(location) = node.location() {
        report_node = report_node.location(location);
        final_node = final_node.location(location);
    }
    for (k, v) in node.tags() {
        final_node = final_node.tag(k, v);
    }

    let checked_name = name.clone();
    let report_node = report_node.build(move |args: &Args| -> Result<CheckReport, NodeError> {
        let value = series(args.get::<T>(0)?);
        let report = CheckReport::run(&checked_name, value, &checks, importance);
        if report.passed() {
            return Ok(report);
        }
        if importance == Importance::Fail {
            return Err(Error::ChecksFailed { report }.into());
        }
        for failure in report.failures() {
            tracing::warn!(node = %checked_name, check = %failure.check, "data check failed: {failure}");
        }
        Ok(report)
    });
    let final_node =
        final_node.build(|args: &Args| -> Result<T, NodeError> { Ok(args.take::<T>(0)?) });
    vec![node.renamed(raw_name), report_node, final_node]
}

#[cfg(test)]
mod tests;
