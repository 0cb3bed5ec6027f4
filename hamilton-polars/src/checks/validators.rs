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
    let distinct = match series.n_unique() {
        Ok(n) => n,
        Err(e) => return fail(format!("cannot count distinct values: {e}")),
    };
    let repeats = series.len() - distinct.min(series.len());
    if repeats == 0 {
        pass(format!("all {} value(s) are distinct", series.len()))
    } else {
        fail(format!(
            "{repeats} value(s) repeat an earlier one ({distinct} distinct of {}){}",
            series.len(),
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
        let value = series.get(row).ok()?.to_string();
        if let Some(earlier) = seen.insert(value.clone(), row) {
            return Some(format!("{value} (rows {earlier} and {row})"));
        }
    }
    None
}
