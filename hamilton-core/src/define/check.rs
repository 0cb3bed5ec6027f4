//! Data checks: validators run on a node's output, with results reported to the caller and a
//! typed error listing every failed check when they must pass.
//!
//! [`checked`] turns one node `x` into three:
//! - `x.raw`: the original computation;
//! - `x.checks`: runs every validator on `x.raw`'s value and produces a [`CheckReport`]; with
//!   [`Importance::Fail`], any failure ends the run with [`Error::DataCheck`](crate::Error::DataCheck)
//!   listing every failed check; with [`Importance::Warn`], failures are logged (`tracing`) and
//!   recorded;
//! - `x`: the same value as `x.raw`, after its checks ran.
//!
//! Validators of single values come ready-made: [`in_range`], [`not_nan`], [`is_some`],
//! [`one_of`] (Hamilton's `range`, `allow_nans=False`, `allow_none=False`, `values_in`); for
//! Polars Series and DataFrames, see `hamilton_polars::checks`; anything else is a
//! [`check_fn`] or your own [`Validator`].
//!
//! Every report of a run is also returned with its outputs ([`Outputs::check_reports`](crate::Outputs::check_reports)),
//! requested or not. Generated names contain a `.`, which no Rust function name can, so they never
//! collide with user nodes.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use crate::define::scalar_checks::{MaybeNan, in_range, is_some, not_nan, one_of};

use crate::args::Args;
use crate::node::{Node, Param};
use crate::types::{ParamKind, TypeInfo};
use crate::value::{NodeValue, Value};

/// What happens when a check fails.
///
/// ```
/// use hamilton_core::check::Importance;
/// assert_eq!(Importance::default(), Importance::Warn);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Importance {
    /// Log and record the failure; the run goes on.
    #[default]
    Warn,
    /// End the run with [`Error::DataCheck`](crate::Error::DataCheck).
    Fail,
}

/// The outcome of one validator on one value.
///
/// ```
/// use hamilton_core::check::CheckResult;
/// let r = CheckResult::fail("range", "3 values above 10").with("max", "12.5");
/// assert!(!r.passed);
/// assert_eq!(r.diagnostics["max"], "12.5");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckResult {
    /// The validator's name.
    pub check: String,
    /// Whether the value passed.
    pub passed: bool,
    /// What was found.
    pub message: String,
    /// Details (counts, offending values, ...).
    pub diagnostics: BTreeMap<String, String>,
}

impl CheckResult {
    /// A passing result.
    pub fn pass(check: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            passed: true,
            message: message.into(),
            diagnostics: BTreeMap::new(),
        }
    }

    /// A failing result.
    pub fn fail(check: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            passed: false,
            ..Self::pass(check, message)
        }
    }

    /// This result with one more diagnostic.
    pub fn with(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.diagnostics.insert(key.into(), value.to_string());
        self
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = if self.passed { "passed" } else { "failed" };
        write!(f, "`{}` {status}: {}", self.check, self.message)
    }
}

/// A check on values of type `T`. Implement it for your own checks, or use [`check_fn`].
///
/// ```
/// use hamilton_core::check::{CheckResult, Validator};
/// struct Positive;
/// impl Validator<f64> for Positive {
///     fn name(&self) -> String { "positive".into() }
///     fn validate(&self, v: &f64) -> CheckResult {
///         if *v > 0.0 { CheckResult::pass("positive", "ok") } else { CheckResult::fail("positive", format!("{v} <= 0")) }
///     }
/// }
/// assert!(Positive.validate(&1.0).passed);
/// ```
pub trait Validator<T: ?Sized>: Send + Sync + 'static {
    /// The check's name in reports.
    fn name(&self) -> String;
    /// Checks `value`.
    fn validate(&self, value: &T) -> CheckResult;
}

struct FnValidator<F> {
    name: String,
    f: F,
}

impl<T: ?Sized, F> Validator<T> for FnValidator<F>
where
    F: Fn(&T) -> Result<(), String> + Send + Sync + 'static,
{
    fn name(&self) -> String {
        self.name.clone()
    }

    fn validate(&self, value: &T) -> CheckResult {
        match (self.f)(value) {
            Ok(()) => CheckResult::pass(&self.name, "passed"),
            Err(message) => CheckResult::fail(&self.name, message),
        }
    }
}

/// A validator from a closure returning `Err(message)` on failure.
///
/// ```
/// use hamilton_core::check::{check_fn, Validator};
/// let v = check_fn("non_empty", |s: &String| if s.is_empty() { Err("empty".to_string()) } else { Ok(()) });
/// assert!(!v.validate(&String::new()).passed);
/// ```
pub fn check_fn<T: ?Sized + 'static>(
    name: impl Into<String>,
    f: impl Fn(&T) -> Result<(), String> + Send + Sync + 'static,
) -> Arc<dyn Validator<T>> {
    Arc::new(FnValidator {
        name: name.into(),
        f,
    })
}

/// Every check result for one node in one run.
///
/// ```
/// use hamilton_core::check::{CheckReport, CheckResult, Importance};
/// let report = CheckReport::new("spend", Importance::Warn,
///     vec![CheckResult::pass("a", "ok"), CheckResult::fail("b", "bad")]);
/// assert!(!report.passed());
/// assert_eq!(report.failures().count(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckReport {
    /// The checked node.
    pub node: String,
    /// What failures do.
    pub importance: Importance,
    /// One result per validator, in declaration order.
    pub results: Vec<CheckResult>,
}

impl CheckReport {
    /// The report of `node`'s checks.
    pub fn new(node: impl Into<String>, importance: Importance, results: Vec<CheckResult>) -> Self {
        Self {
            node: node.into(),
            importance,
            results,
        }
    }

    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.passed)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| !r.passed)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "checks of `{}`:", self.node)?;
        for r in &self.results {
            write!(f, "\n    - {r}")?;
        }
        Ok(())
    }
}

/// Raised by a `.checks` node with [`Importance::Fail`]; the executor turns it into
/// [`Error::DataCheck`](crate::Error::DataCheck).
#[derive(Debug)]
pub(crate) struct ChecksFailed(pub(crate) CheckReport);

impl fmt::Display for ChecksFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ChecksFailed {}

/// The name of the node holding `node`'s original computation.
pub fn raw_name(node: &str) -> String {
    format!("{node}.raw")
}

/// The name of the node producing `node`'s [`CheckReport`].
pub fn checks_name(node: &str) -> String {
    format!("{node}.checks")
}

/// Splits `node` into `x.raw`, `x.checks` and `x` so that `validators` run on its output.
///
/// ```
/// use hamilton_core::check::{check_fn, checked, Importance};
/// use hamilton_core::{Driver, Error, Inputs, node::{Args, Node}};
/// let price = Node::builder("price").param::<f64>("raw_price").build(|a: &Args| Ok(*a.get::<f64>(0)?));
/// let nodes = checked::<f64>(price, vec![check_fn("positive", |v: &f64| if *v > 0.0 { Ok(()) } else { Err(format!("{v} is not positive")) })], Importance::Fail);
/// let dr = Driver::builder().with_nodes(nodes).build().unwrap();
/// assert!(dr.execute(&["price"], Inputs::new().set("raw_price", 2.0)).is_ok());
/// let err = dr.execute(&["price"], Inputs::new().set("raw_price", -1.0)).unwrap_err();
/// assert!(matches!(err, Error::DataCheck { .. }));
/// assert!(err.to_string().contains("-1 is not positive"));
/// ```
pub fn checked<T: NodeValue + Clone>(
    node: Node,
    validators: Vec<Arc<dyn Validator<T>>>,
    importance: Importance,
) -> Vec<Node> {
    let name = node.name().to_string();
    let raw = raw_name(&name);
    let checks = checks_name(&name);
    let ty = node.output();
    let module = node.module().to_string();
    let location = node.location();
    let doc = node.doc().to_string();

    let report_node = name.clone();
    let mut checks_builder = Node::builder(checks.clone())
        .doc(format!("Data checks of `{name}`."))
        .module(module.clone())
        .with_param(Param::new(raw.clone(), ty, ParamKind::Ref));
    if let Some(loc) = location {
        checks_builder = checks_builder.location(loc);
    }
    let checks_node = checks_builder.build(move |args: &Args<'_>| {
        let value = args.get::<T>(0)?;
        let report = CheckReport {
            node: report_node.clone(),
            importance,
            results: validators.iter().map(|v| v.validate(value)).collect(),
        };
        if !report.passed() {
            match importance {
                Importance::Fail => return Err(Box::new(ChecksFailed(report))),
                Importance::Warn => {
                    for failure in report.failures() {
                        tracing::warn!(node = %report.node, check = %failure.check, "data check failed: {}", failure.message);
                    }
                }
            }
        }
        Ok(report)
    });

    let mut final_builder = Node::builder(name.clone())
        .doc(doc)
        .module(module)
        .with_param(Param::new(raw.clone(), ty, ParamKind::Ref))
        .with_param(Param::new(
            checks,
            TypeInfo::of::<CheckReport>(),
            ParamKind::Ref,
        ));
    final_builder = final_builder.tags_of(&node);
    if let Some(loc) = location {
        final_builder = final_builder.location(loc);
    }
    let final_node = final_builder.build(|args: &Args<'_>| Ok(args.get::<T>(0)?.clone()));
    vec![node.renamed(raw), checks_node, final_node]
}

/// Wraps a checks node's value for the run's record of reports.
pub(crate) fn as_report(value: &Value) -> Option<&CheckReport> {
    value.downcast_ref::<CheckReport>()
}
