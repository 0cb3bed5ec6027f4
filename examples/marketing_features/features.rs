//! The marketing features over `Series`: eager mode, each node computes its column when it
//! runs.

use hamilton_core::node;
use polars::prelude::*;

use crate::calendar::holiday_weeks;

hamilton_core::module!();

/// Whether each week has a public holiday in `region` (config; `"UK"` or the default
/// calendar). Reads `week` as `&Int64Chunked`: a `week` column of another dtype is an error
/// naming both dtypes.
#[node]
pub(crate) fn holidays(week: &Int64Chunked, region: &str) -> BooleanChunked {
    let weeks = holiday_weeks(region);
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
