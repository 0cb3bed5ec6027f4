//! The results of data checks.

use std::collections::BTreeMap;
use std::fmt;

use super::Importance;

/// The result of one check on one value.
///
/// ```
/// use hamilton_polars::checks::CheckResult;
/// let r = CheckResult::fail("2 value(s) are negative").with_diagnostic("negatives", 2);
/// assert!(!r.passed);
/// assert_eq!(r.diagnostics["negatives"], "2");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// The check's name (e.g. `range [0, 100]`); set by the check that ran.
    pub check: String,
    /// Whether the value passed.
    pub passed: bool,
    /// What was found, in a sentence.
    pub message: String,
    /// Figures behind the message (counts, offending values, ...), by name.
    pub diagnostics: BTreeMap<String, String>,
}

impl CheckResult {
    /// A passing result.
    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(true, message)
    }

    /// A failing result.
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(false, message)
    }

    fn new(passed: bool, message: impl Into<String>) -> Self {
        Self {
            check: String::new(),
            passed,
            message: message.into(),
            diagnostics: BTreeMap::new(),
        }
    }

    /// This result with one more diagnostic.
    #[must_use]
    pub fn with_diagnostic(mut self, key: impl Into<String>, value: impl fmt::Display) -> Self {
        self.diagnostics.insert(key.into(), value.to_string());
        self
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "passed" } else { "FAILED" };
        write!(f, "{} {verdict}: {}", self.check, self.message)?;
        if !self.diagnostics.is_empty() {
            let pairs: Vec<String> = self
                .diagnostics
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, " ({})", pairs.join(", "))?;
        }
        Ok(())
    }
}

/// Every check's result for one node: the value of the `<node>.checks` node that
/// [`checked`](super::checked) adds.
///
/// ```
/// use hamilton_polars::checks::{Check, CheckReport, Importance};
/// use polars::prelude::*;
/// let spend = Series::new("spend".into(), &[1.0, -2.0]);
/// let report = CheckReport::run("spend", &spend, &[Check::range(0.0, 100.0)], Importance::Warn);
/// assert!(!report.passed());
/// assert_eq!(report.failures().count(), 1);
/// assert!(report.to_string().contains("range [0, 100] FAILED"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    /// The checked node.
    pub node: String,
    /// What a failure does.
    pub importance: Importance,
    /// One result per check, in the order the checks were given.
    pub results: Vec<CheckResult>,
}

impl CheckReport {
    /// Runs `checks` on `series`, the value of `node`.
    pub fn run(
        node: &str,
        series: &polars::prelude::Series,
        checks: &[super::Check],
        importance: Importance,
    ) -> Self {
        Self {
            node: node.to_string(),
            importance,
            results: checks.iter().map(|c| c.run(series)).collect(),
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
        let failed = self.failures().count();
        write!(
            f,
            "data checks of `{}`: {failed} of {} failed",
            self.node,
            self.results.len()
        )?;
        for r in &self.results {
            write!(f, "\n  - {r}")?;
        }
        if failed > 0 && self.importance == Importance::Fail {
            write!(
                f,
                "\nfix the data upstream, relax the checks, or give them `Importance::Warn` to log failures instead"
            )?;
        }
        Ok(())
    }
}
