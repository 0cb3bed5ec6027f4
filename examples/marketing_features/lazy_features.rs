//! The marketing features over `Expr`: expression mode, each node adds to one lazy plan that
//! Polars optimises and runs once. Same names and dependencies as `features`, same values.

use hamilton_core::node;
use polars::prelude::*;

use crate::calendar::{DEFAULT_HOLIDAY_WEEKS, UK_HOLIDAY_WEEKS};

hamilton_core::module!();

/// Whether each week has a UK public holiday: chosen when config `region` is `"UK"`.
#[node(when(region = "UK"))]
pub(crate) fn holidays__uk(week: &Expr) -> Expr {
    in_weeks(week, UK_HOLIDAY_WEEKS)
}

/// Whether each week has a public holiday in the default calendar: every other region.
#[node(default)]
pub(crate) fn holidays__default(week: &Expr) -> Expr {
    in_weeks(week, DEFAULT_HOLIDAY_WEEKS)
}

fn in_weeks(week: &Expr, weeks: &[i64]) -> Expr {
    let weeks = Series::new("weeks".into(), weeks);
    week.clone().is_in(lit(weeks).implode(false), false)
}

/// Three-week rolling average of spend; null until three weeks are in the window.
#[node(tag(owner = "growth"))]
pub(crate) fn avg_3wk_spend(spend: &Expr) -> Expr {
    spend.clone().rolling_mean(RollingOptionsFixedWindow {
        window_size: 3,
        min_periods: 3,
        ..Default::default()
    })
}

/// Spend per signup.
#[node(tag(owner = "growth"))]
pub(crate) fn spend_per_signup(spend: &Expr, signups: &Expr) -> Expr {
    spend.clone() / signups.clone()
}

/// Spend three weeks earlier; null for the first three weeks.
#[node]
pub(crate) fn spend_shift_3weeks(spend: &Expr) -> Expr {
    spend.clone().shift(lit(3))
}

/// Spend three weeks earlier per signup this week.
#[node]
pub(crate) fn spend_shift_3weeks_per_signup(spend_shift_3weeks: &Expr, signups: &Expr) -> Expr {
    spend_shift_3weeks.clone() / signups.clone()
}

/// Mean weekly spend.
#[node]
pub(crate) fn spend_mean(spend: &Expr) -> Expr {
    spend.clone().mean()
}

/// Spend minus its mean.
#[node]
pub(crate) fn spend_zero_mean(spend: &Expr, spend_mean: &Expr) -> Expr {
    spend.clone() - spend_mean.clone()
}

/// Sample standard deviation of spend (ddof 1).
#[node]
pub(crate) fn spend_std_dev(spend: &Expr) -> Expr {
    spend.clone().std(1)
}

/// Spend scaled to zero mean and unit variance.
#[node]
pub(crate) fn spend_zero_mean_unit_variance(spend_zero_mean: &Expr, spend_std_dev: &Expr) -> Expr {
    spend_zero_mean.clone() / spend_std_dev.clone()
}
