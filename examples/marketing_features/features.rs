//! The marketing features over `Series`: eager mode, each node computes its column when it
//! runs.

use hamilton_core::node;
use polars::prelude::*;

use crate::calendar::{DEFAULT_HOLIDAY_WEEKS, UK_HOLIDAY_WEEKS};

hamilton_core::module!();

/// Whether each week has a UK public holiday: chosen when config `region` is `"UK"`, as in the
/// talk's `@config.when(region="UK")`. Reads `week` as `&Int64Chunked`: a `week` column of
/// another dtype is an error naming both dtypes.
#[node(when(region = "UK"))]
pub(crate) fn holidays__uk(week: &Int64Chunked) -> BooleanChunked {
    in_weeks(week, UK_HOLIDAY_WEEKS)
}

/// Whether each week has a public holiday in the default calendar: chosen for every other
/// region.
#[node(default)]
pub(crate) fn holidays__default(week: &Int64Chunked) -> BooleanChunked {
    in_weeks(week, DEFAULT_HOLIDAY_WEEKS)
}

fn in_weeks(week: &Int64Chunked, weeks: &[i64]) -> BooleanChunked {
    week.iter().map(|w| w.map(|w| weeks.contains(&w))).collect()
}

/// Three-week rolling average of spend; null until three weeks are in the window.
#[node(tag(owner = "growth"))]
pub(crate) fn avg_3wk_spend(spend: &Series) -> PolarsResult<Series> {
    spend.rolling_mean(RollingOptionsFixedWindow {
        window_size: 3,
        min_periods: 3,
        ..Default::default()
    })
}

/// Spend per signup.
#[node(tag(owner = "growth"))]
pub(crate) fn spend_per_signup(spend: &Series, signups: &Series) -> PolarsResult<Series> {
    spend / signups
}

/// Spend three weeks earlier; null for the first three weeks.
#[node]
pub(crate) fn spend_shift_3weeks(spend: &Series) -> Series {
    spend.shift(3)
}

/// Spend three weeks earlier per signup this week.
#[node]
pub(crate) fn spend_shift_3weeks_per_signup(
    spend_shift_3weeks: &Series,
    signups: &Series,
) -> PolarsResult<Series> {
    spend_shift_3weeks / signups
}

/// Mean weekly spend.
#[node]
pub(crate) fn spend_mean(spend: &Float64Chunked) -> PolarsResult<f64> {
    spend
        .mean()
        .ok_or_else(|| polars_err!(ComputeError: "`spend` has no values to average"))
}

/// Spend minus its mean.
#[node]
pub(crate) fn spend_zero_mean(spend: &Series, spend_mean: &f64) -> Series {
    spend - *spend_mean
}

/// Sample standard deviation of spend (ddof 1).
#[node]
pub(crate) fn spend_std_dev(spend: &Float64Chunked) -> PolarsResult<f64> {
    spend.std(1).ok_or_else(
        || polars_err!(ComputeError: "`spend` needs two values for a standard deviation"),
    )
}

/// Spend scaled to zero mean and unit variance.
#[node]
pub(crate) fn spend_zero_mean_unit_variance(
    spend_zero_mean: &Series,
    spend_std_dev: &f64,
) -> Series {
    spend_zero_mean / *spend_std_dev
}
