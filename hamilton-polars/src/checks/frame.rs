//! Checks of a whole `DataFrame`: required columns, dtypes, non-null columns, a unique key and
//! row-count bounds, every failure listed in one result.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use hamilton_core::check::{CheckResult, Validator};
use polars::prelude::*;

/// At most this many offending rows are quoted.
const QUOTED: usize = 5;

/// A check of a whole `DataFrame`, built from [`frame()`]: a [`Validator`]`<DataFrame>`, so it
/// goes wherever hamilton-core takes one (the `check(..)` option of `#[node]` on a
/// `DataFrame` node, `Modifier::check`, `hamilton_core::check::checked`). One result lists
/// every failure.
///
/// ```
/// use hamilton_polars::checks::{self, Validator};
/// use polars::prelude::*;
/// let orders = df!("id" => [1, 2, 2], "amount" => [Some(9.5), None, Some(3.0)]).unwrap();
/// let check = checks::frame()
///     .columns(["id", "amount", "day"])
///     .dtypes([("id", DataType::Int64)])
///     .not_null(["amount"])
///     .unique_key(["id"])
///     .rows(1..);
/// let r = check.validate(&orders);
/// assert!(!r.passed);
/// assert_eq!(r.message, "missing column `day`; column `id` has dtype i32, expected i64; \
///     column `amount` has 1 null(s) (row 1); key (`id`) is not unique: 2 row(s) share a key, e.g. (2) in rows 1 and 2");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct FrameCheck {
    columns: Vec<String>,
    dtypes: Vec<(String, DataType)>,
    not_null: Vec<String>,
    key: Vec<String>,
    rows: (Bound<usize>, Bound<usize>),
}

/// A check of a whole `DataFrame`, to be told what to check (see [`FrameCheck`]).
pub fn frame() -> FrameCheck {
    FrameCheck {
        columns: Vec::new(),
        dtypes: Vec::new(),
        not_null: Vec::new(),
        key: Vec::new(),
        rows: (Bound::Unbounded, Bound::Unbounded),
    }
}

impl FrameCheck {
    /// These columns must be present (others are allowed).
    pub fn columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns.extend(columns.into_iter().map(Into::into));
        self
    }

    /// These columns must be present with these dtypes.
    pub fn dtypes<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = (S, DataType)>,
        S: Into<String>,
    {
        self.dtypes
            .extend(columns.into_iter().map(|(c, t)| (c.into(), t)));
        self
    }

    /// These columns must be present and hold no null.
    pub fn not_null<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.not_null.extend(columns.into_iter().map(Into::into));
        self
    }

    /// No two rows may have the same values in these columns together (a key).
    pub fn unique_key<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.key = columns.into_iter().map(Into::into).collect();
        self
    }

    /// The row count must be in `rows` (`1..`, `..=1_000`, `10..=20`, ...).
    pub fn rows(mut self, rows: impl RangeBounds<usize>) -> Self {
        self.rows = (rows.start_bound().cloned(), rows.end_bound().cloned());
        self
    }

    /// The check as an `Arc`, as the other checks of this module come.
    pub fn build(self) -> Arc<Self> {
        Arc::new(self)
    }

    fn check(&self, frame: &DataFrame) -> Vec<String> {
        let mut problems = Vec::new();
        let missing = |name: &str, problems: &mut Vec<String>| {
            let absent = frame.column(name).is_err();
            let problem = format!("missing column `{name}`");
            if absent && !problems.contains(&problem) {
                problems.push(problem);
            }
            absent
        };
        for name in &self.columns {
            missing(name, &mut problems);
        }
        for (name, want) in &self.dtypes {
            if !missing(name, &mut problems)
                && let Ok(found) = frame.column(name).map(Column::dtype)
                && found != want
            {
                problems.push(format!(
                    "column `{name}` has dtype {found}, expected {want}"
                ));
            }
        }
        for name in &self.not_null {
            if missing(name, &mut problems) {
                continue;
            }
            if let Ok(column) = frame.column(name) {
                let nulls = column.null_count();
                if nulls > 0 {
                    problems.push(format!(
                        "column `{name}` has {nulls} null(s) ({})",
                        null_rows(column.as_materialized_series())
                    ));
                }
            }
        }
        if !self.key.is_empty() {
            let absent: Vec<_> = self
                .key
                .iter()
                .filter(|k| missing(k, &mut problems))
                .collect();
            if absent.is_empty()
                && let Some(problem) = self.key_problem(frame)
            {
                problems.push(problem);
            }
        }
        let height = frame.height();
        if !self.rows.contains(&height) {
            problems.push(format!("{height} row(s), expected {}", Rows(self.rows)));
        }
        problems
    }

    fn key_problem(&self, frame: &DataFrame) -> Option<String> {
        let names = self
            .key
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let keys = match frame.select(self.key.iter().map(|k| k.as_str())) {
            Ok(keys) => keys,
            Err(e) => return Some(format!("key ({names}) cannot be read: {e}")),
        };
        let duplicated = match keys.is_duplicated() {
            Ok(mask) => mask,
            Err(e) => return Some(format!("key ({names}) cannot be compared: {e}")),
        };
        let shared = duplicated.sum().unwrap_or(0) as usize;
        if shared == 0 {
            return None;
        }
        // The first key seen twice, with its two rows.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut example = String::new();
        for (row, dup) in duplicated.iter().enumerate() {
            if dup != Some(true) {
                continue;
            }
            let values = keys.get(row).unwrap_or_default();
            let key = values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            if let Some(first) = seen.insert(key.clone(), row) {
                let _ = write!(example, ", e.g. ({key}) in rows {first} and {row}");
                break;
            }
        }
        Some(format!(
            "key ({names}) is not unique: {shared} row(s) share a key{example}"
        ))
    }
}

impl Validator<DataFrame> for FrameCheck {
    fn name(&self) -> String {
        "frame".into()
    }

    fn validate(&self, frame: &DataFrame) -> CheckResult {
        let problems = self.check(frame);
        let result = if problems.is_empty() {
            CheckResult::pass(
                "frame",
                format!("{} row(s), every frame check passed", frame.height()),
            )
        } else {
            CheckResult::fail("frame", problems.join("; "))
        };
        result
            .with("rows", frame.height())
            .with("problems", problems.len())
    }
}

/// The first rows of `series` that are null, as "row 1" or "rows 1, 4, ...".
fn null_rows(series: &Series) -> String {
    let rows: Vec<String> = series
        .is_null()
        .iter()
        .enumerate()
        .filter(|(_, null)| *null == Some(true))
        .take(QUOTED + 1)
        .map(|(row, _)| row.to_string())
        .collect();
    let more = rows.len() > QUOTED;
    let shown = &rows[..rows.len().min(QUOTED)];
    format!(
        "row{} {}{}",
        if shown.len() == 1 { "" } else { "s" },
        shown.join(", "),
        if more { ", ..." } else { "" }
    )
}

/// A row-count range as text.
struct Rows((Bound<usize>, Bound<usize>));

impl std::fmt::Display for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (lo, hi) = self.0;
        match lo {
            Bound::Included(n) => write!(f, "at least {n}")?,
            Bound::Excluded(n) => write!(f, "more than {n}")?,
            Bound::Unbounded => {}
        }
        if !matches!(lo, Bound::Unbounded) && !matches!(hi, Bound::Unbounded) {
            f.write_str(" and ")?;
        }
        match hi {
            Bound::Included(n) => write!(f, "at most {n}"),
            Bound::Excluded(n) => write!(f, "fewer than {n}"),
            Bound::Unbounded => Ok(()),
        }
    }
}
