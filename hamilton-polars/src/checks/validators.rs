//! The built-in validators: each inspects a Series and says what it found.

use polars::prelude::*;

use hamilton_core::check::CheckResult;

/// A passing result; [`Check`](super::Check) names it.
fn pass(message: impl Into<String>) -> CheckResult {
    CheckResult::pass("", message)
}

/// A failing result; [`Check`](super::Check) names it.
fn fail(message: impl Into<String>) -> CheckResult {
    CheckResult::fail("", message)
}

/// At most this many offending values are quoted in a message.
const QUOTED: usize = 5;

pub(super) fn dtype(series: &Series, expected: &DataType) -> CheckResult {
    let found = series.dtype();
    if found == expected {
        pass(format!("dtype is {found}"))
    } else {
        fail(format!(
            "dtype is {found}, expected {expected}; cast it upstream with `.cast(&DataType::{expected:?})`"
        ))
    }
    .with("dtype", found)
}

pub(super) fn range(series: &Series, min: f64, max: f64) -> CheckResult {
    if !series.dtype().is_primitive_numeric() {
        return fail(format!(
            "a range applies to numeric values; this Series has dtype {}",
            series.dtype()
        ));
    }
    if min > max || min.is_nan() || max.is_nan() {
        return fail(format!(
            "the range is empty (min {min} > max {max}); give the bounds as (min, max)"
        ));
    }
    let values = match series.cast(&DataType::Float64) {
        Ok(values) => values,
        Err(e) => return fail(format!("cannot read the values as f64: {e}")),
    };
    let Ok(values) = values.f64() else {
        return fail("cannot read the values as f64");
    };
    let mut outside = 0_usize;
    let mut first: Vec<String> = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (row, value) in values.iter().enumerate() {
        let Some(v) = value else { continue };
        lo = lo.min(v);
        hi = hi.max(v);
        // NaN is outside every range.
        if !(min..=max).contains(&v) {
            outside += 1;
            if first.len() < QUOTED {
                first.push(format!("{v} (row {row})"));
            }
        }
    }
    let result = if outside == 0 {
        pass(format!("every value is in [{min}, {max}]"))
    } else {
        fail(format!(
            "{outside} of {} value(s) outside [{min}, {max}], e.g. {}",
            series.len(),
            first.join(", ")
        ))
    };
    let result = result.with("outside", outside);
    if lo <= hi {
        result.with("min_found", lo).with("max_found", hi)
    } else {
        result
    }
}

pub(super) fn max_nulls(series: &Series, max: usize) -> CheckResult {
    let nulls = series.null_count();
    if nulls <= max {
        pass(format!("{nulls} null(s), at most {max} allowed"))
    } else {
        fail(format!(
            "{nulls} null(s) of {} value(s), at most {max} allowed",
            series.len()
        ))
    }
    .with("nulls", nulls)
}

pub(super) fn max_null_fraction(series: &Series, max: f64) -> CheckResult {
    let nulls = series.null_count();
    let fraction = if series.is_empty() {
        0.0
    } else {
        nulls as f64 / series.len() as f64
    };
    if fraction <= max {
        pass(format!(
            "null fraction {fraction:.4}, at most {max} allowed"
        ))
    } else {
        fail(format!(
            "null fraction {fraction:.4} ({nulls} of {} value(s)), at most {max} allowed",
            series.len()
        ))
    }
    .with("nulls", nulls)
    .with("fraction", fraction)
}

pub(super) fn values_in(series: &Series, allowed: &Series) -> CheckResult {
    let allowed = match allowed.strict_cast(series.dtype()) {
        Ok(a) => a,
        Err(_) => {
            return fail(format!(
                "the allowed values have dtype {}, which does not cast to the Series' dtype {}; give values of dtype {}",
                allowed.dtype(),
                series.dtype(),
                series.dtype()
            ));
        }
    };
    let mask = allowed
        .implode()
        .and_then(|list| is_in(series, &list.into_series(), false));
    let mask = match mask {
        Ok(mask) => mask,
        Err(e) => return fail(format!("cannot compare the values: {e}")),
    };
    let mut outside = 0_usize;
    let mut first: Vec<String> = Vec::new();
    for (row, inside) in mask.iter().enumerate() {
        if inside == Some(false) {
            outside += 1;
            if first.len() < QUOTED {
                let value = series
                    .get(row)
                    .map_or_else(|_| "?".into(), |v| v.to_string());
                first.push(format!("{value} (row {row})"));
            }
        }
    }
    if outside == 0 {
        pass("every non-null value is allowed")
    } else {
        fail(format!(
            "{outside} of {} value(s) not in the allowed set, e.g. {}",
            series.len(),
            first.join(", ")
        ))
    }
    .with("outside", outside)
}

pub(super) fn unique(series: &Series) -> CheckResult {
    // Nulls are the null policy's: left out here.
    let values = series.len() - series.null_count();
    let distinct = match series.drop_nulls().n_unique() {
        Ok(n) => n,
        Err(e) => return fail(format!("cannot count distinct values: {e}")),
    };
    let repeats = values - distinct.min(values);
    if repeats == 0 {
        pass(format!("all {values} value(s) are distinct"))
    } else {
        fail(format!(
            "{repeats} value(s) repeat an earlier one ({distinct} distinct of {values}){}",
            first_repeat(series)
                .map(|v| format!(", e.g. {v}"))
                .unwrap_or_default()
        ))
    }
    .with("distinct", distinct)
    .with("repeats", repeats)
}

/// The first value seen twice, with the rows it is on.
fn first_repeat(series: &Series) -> Option<String> {
    let mut seen = std::collections::HashMap::new();
    for row in 0..series.len() {
        let value = series.get(row).ok()?;
        if value.is_null() {
            continue;
        }
        let value = value.to_string();
        if let Some(earlier) = seen.insert(value.clone(), row) {
            return Some(format!("{value} (rows {earlier} and {row})"));
        }
    }
    None
}

/// `result` of a check of values, failed further by each null of `series` (the default null
/// policy: nulls are failures unless allowed).
pub(super) fn nulls_fail(series: &Series, result: CheckResult) -> CheckResult {
    let nulls = series.null_count();
    if nulls == 0 {
        return result;
    }
    let rows: Vec<String> = series
        .is_null()
        .iter()
        .enumerate()
        .filter(|(_, null)| *null == Some(true))
        .take(QUOTED)
        .map(|(row, _)| row.to_string())
        .collect();
    let more = if nulls > QUOTED { ", ..." } else { "" };
    let found = format!(
        "{nulls} null(s) of {} value(s) (row{} {}{more}); this check counts nulls as failures: allow them with `.allow_nulls()`",
        series.len(),
        if nulls == 1 { "" } else { "s" },
        rows.join(", ")
    );
    let message = if result.passed {
        found
    } else {
        format!("{}; and {found}", result.message)
    };
    let mut failed = fail(message);
    failed.diagnostics = result.diagnostics;
    failed.with("nulls", nulls)
}

/// The values as f64 (nulls kept), or the failure saying why they are not numbers.
fn as_f64(series: &Series, what: &str) -> Result<Float64Chunked, CheckResult> {
    if !series.dtype().is_primitive_numeric() {
        return Err(fail(format!(
            "{what} applies to numeric values; this Series has dtype {}",
            series.dtype()
        )));
    }
    series
        .cast(&DataType::Float64)
        .and_then(|s| s.f64().cloned())
        .map_err(|e| fail(format!("cannot read the values as f64: {e}")))
}

pub(super) fn no_nans(series: &Series) -> CheckResult {
    if !series.dtype().is_float() {
        return pass(format!("dtype {} holds no NaN", series.dtype()));
    }
    let values = match as_f64(series, "a NaN check") {
        Ok(values) => values,
        Err(failed) => return failed,
    };
    let rows: Vec<usize> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_some_and(f64::is_nan))
        .map(|(row, _)| row)
        .collect();
    if rows.is_empty() {
        return pass("no NaN").with("nans", 0);
    }
    let shown: Vec<String> = rows.iter().take(QUOTED).map(ToString::to_string).collect();
    let more = if rows.len() > QUOTED { ", ..." } else { "" };
    fail(format!(
        "{} NaN(s) of {} value(s), e.g. row{} {}{more}",
        rows.len(),
        series.len(),
        if rows.len() == 1 { "" } else { "s" },
        shown.join(", ")
    ))
    .with("nans", rows.len())
}

pub(super) fn mean_in_range(series: &Series, min: f64, max: f64) -> CheckResult {
    let values = match as_f64(series, "a mean") {
        Ok(values) => values,
        Err(failed) => return failed,
    };
    let Some(mean) = values.mean() else {
        return fail("no values to average");
    };
    // A NaN mean is outside every range.
    if (min..=max).contains(&mean) {
        pass(format!("mean {mean} is in [{min}, {max}]"))
    } else {
        fail(format!("mean {mean} is outside [{min}, {max}]"))
    }
    .with("mean", mean)
}

pub(super) fn max_std(series: &Series, max: f64) -> CheckResult {
    let values = match as_f64(series, "a standard deviation") {
        Ok(values) => values,
        Err(failed) => return failed,
    };
    let Some(std) = values
        .std(1)
        .filter(|_| values.len() - values.null_count() >= 2)
    else {
        return pass("fewer than two values: no deviation");
    };
    if std <= max {
        pass(format!("standard deviation {std} is at most {max}"))
    } else {
        fail(format!("standard deviation {std} is above {max}"))
    }
    .with("std", std)
}
