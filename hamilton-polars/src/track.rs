//! Summaries of Polars values for the run tracker (feature `track`): a `DataFrame`'s rows and
//! per-column statistics, a `Series`' or `Column`'s statistics, a `LazyFrame`'s schema.
//!
//! The summarizers are registered with [`hamilton_core::register_summary!`], so every tracked
//! driver uses them, provided this crate is linked (see [`conversions`](crate::conversions) for
//! that caveat). Each copies the value on the run's thread (Polars copies share their data) and
//! summarizes the copy on the tracker's writer thread, so a run never waits for a summary.
//!
//! Per column: the count of values and of nulls; for numbers (nulls and NaNs left out) the
//! minimum, maximum, mean, standard deviation, the 5/25/50/75/95% quantiles and a histogram of
//! [`HISTOGRAM_BINS`] bins; for strings the [`MAX_TOP_VALUES`] most frequent values (each cut to
//! [`MAX_TEXT`](hamilton_core::track::summary::MAX_TEXT) characters), the number of distinct
//! values and the shortest, longest and mean length. A frame describes its first
//! [`MAX_COLUMNS`] columns; a `LazyFrame` is never collected, only its schema is resolved.
//!
//! ```
//! use hamilton_polars::polars::prelude::*;
//! use hamilton_core::track::Summary;
//!
//! let df = df!("spend" => [10.0, 20.0, f64::NAN], "region" => [Some("UK"), None, Some("UK")]).unwrap();
//! let Summary::Frame(frame) = hamilton_polars::track::summarize_frame(&df) else { unreachable!() };
//! assert_eq!(frame.rows, 3);
//! let spend = frame.columns[0].numeric.as_ref().unwrap();
//! assert_eq!((spend.min, spend.max, spend.mean), (Some(10.0), Some(20.0), Some(15.0)));
//! let region = frame.columns[1].text.as_ref().unwrap();
//! assert_eq!((frame.columns[1].nulls, region.top[0].clone()), (1, ("UK".to_string(), 2)));
//! ```

use hamilton_core::track::summary::{
    ColumnSummary, FrameSummary, HISTOGRAM_BINS, MAX_COLUMNS, MAX_TOP_VALUES, NumericSummary,
    TextSummary, cut,
};
use hamilton_core::track::{Summary, SummaryType};
use polars::prelude::*;

/// The most values a column's quantiles and histogram are computed from: a longer column is
/// sampled evenly, so its quantiles are approximate.
///
/// ```
/// assert_eq!(hamilton_polars::track::MAX_SAMPLE, 1_000_000);
/// ```
pub const MAX_SAMPLE: usize = 1_000_000;

/// The quantiles of a numeric column.
const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

hamilton_core::register_summary!(SummaryType::deferred(|df: DataFrame| summarize_frame(&df)));
hamilton_core::register_summary!(SummaryType::deferred(|s: Series| Summary::Column {
    r#type: "Series".to_string(),
    column: Box::new(summarize_series(&s)),
}));
hamilton_core::register_summary!(SummaryType::deferred(|c: Column| Summary::Column {
    r#type: "Column".to_string(),
    column: Box::new(summarize_series(c.as_materialized_series())),
}));
hamilton_core::register_summary!(SummaryType::deferred(|lf: LazyFrame| summarize_lazy(lf)));

/// A frame's summary: its rows and its first [`MAX_COLUMNS`] columns' statistics.
///
/// ```
/// use hamilton_polars::polars::prelude::*;
/// let df = DataFrame::empty();
/// let hamilton_core::track::Summary::Frame(f) = hamilton_polars::track::summarize_frame(&df) else { unreachable!() };
/// assert_eq!((f.rows, f.columns.len()), (0, 0));
/// ```
pub fn summarize_frame(df: &DataFrame) -> Summary {
    let columns = df.columns();
    Summary::Frame(FrameSummary {
        r#type: "DataFrame".to_string(),
        rows: df.height() as u64,
        columns: columns
            .iter()
            .take(MAX_COLUMNS)
            .map(|c| summarize_series(c.as_materialized_series()))
            .collect(),
        columns_omitted: columns.len().saturating_sub(MAX_COLUMNS) as u64,
    })
}

/// A `LazyFrame`'s summary: its schema, resolved without collecting it.
///
/// ```
/// use hamilton_polars::polars::prelude::*;
/// let lf = df!("a" => [1_i64]).unwrap().lazy();
/// let hamilton_core::track::Summary::Lazy { schema, .. } = hamilton_polars::track::summarize_lazy(lf) else { unreachable!() };
/// assert_eq!(schema, [("a".to_string(), "i64".to_string())]);
/// ```
pub fn summarize_lazy(mut lf: LazyFrame) -> Summary {
    match lf.collect_schema() {
        Ok(schema) => Summary::Lazy {
            r#type: "LazyFrame".to_string(),
            schema: schema
                .iter()
                .map(|(name, dtype)| (cut(name), dtype.to_string()))
                .collect(),
        },
        Err(_) => Summary::Other {
            r#type: "LazyFrame".to_string(),
            bytes: None,
        },
    }
}

/// One column's statistics.
///
/// ```
/// use hamilton_polars::polars::prelude::*;
/// let s = Series::new("n".into(), [Some(1_i64), None, Some(3)]);
/// let c = hamilton_polars::track::summarize_series(&s);
/// assert_eq!((c.count, c.nulls, c.numeric.unwrap().mean), (3, 1, Some(2.0)));
/// ```
pub fn summarize_series(s: &Series) -> ColumnSummary {
    let dtype = s.dtype();
    ColumnSummary {
        name: cut(s.name()),
        dtype: dtype.to_string(),
        count: s.len() as u64,
        nulls: s.null_count() as u64,
        numeric: if dtype.is_primitive_numeric() {
            s.cast(&DataType::Float64)
                .ok()
                .and_then(|f| f.f64().ok().map(numeric))
        } else {
            None
        },
        text: if dtype.is_string() {
            s.str().ok().map(text)
        } else {
            None
        },
    }
}

/// A numeric column's statistics, nulls and NaNs left out.
fn numeric(ca: &Float64Chunked) -> NumericSummary {
    let values: Vec<f64> = ca.iter().flatten().filter(|v| !v.is_nan()).collect();
    if values.is_empty() {
        return NumericSummary {
            quantiles: vec![None; QUANTILES.len()],
            histogram: vec![0; HISTOGRAM_BINS],
            ..NumericSummary::default()
        };
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.len() > 1)
        .then(|| (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let mut histogram = vec![0_u64; HISTOGRAM_BINS];
    let width = (max - min) / HISTOGRAM_BINS as f64;
    for v in &values {
        let bin = if width > 0.0 {
            (((v - min) / width) as usize).min(HISTOGRAM_BINS - 1)
        } else {
            0
        };
        histogram[bin] += 1;
    }
    let mut values = evenly(values, MAX_SAMPLE);
    let quantiles = linear_quantiles(&mut values, &QUANTILES)
        .into_iter()
        .map(Some)
        .collect();
    NumericSummary {
        min: Some(min),
        max: Some(max),
        mean: Some(mean),
        std,
        quantiles,
        histogram,
    }
}

/// At most `max` of `values`, taken evenly.
fn evenly(values: Vec<f64>, max: usize) -> Vec<f64> {
    if values.len() <= max {
        return values;
    }
    let step = values.len() as f64 / max as f64;
    (0..max)
        .map(|i| values[(i as f64 * step) as usize])
        .collect()
}

/// The ascending quantiles `qs` of non-empty `values`, interpolated linearly (Polars' `linear`).
/// Each rank is found by selection in the part above the previous one, not by a full sort, so
/// `values` ends up partly reordered.
fn linear_quantiles(values: &mut [f64], qs: &[f64]) -> Vec<f64> {
    // `values[..placed]` are all at or below `values[placed..]`, each at its sorted position.
    let mut placed = 0;
    let mut rank = |values: &mut [f64], k: usize| {
        if k >= placed {
            values[placed..].select_nth_unstable_by(k - placed, f64::total_cmp);
            placed = k;
        }
        values[k]
    };
    qs.iter()
        .map(|q| {
            let at = q * (values.len() - 1) as f64;
            let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
            let (lo_value, hi_value) = (rank(values, lo), rank(values, hi));
            lo_value + (hi_value - lo_value) * (at - lo as f64)
        })
        .collect()
}

/// A string column's most frequent values and lengths.
fn text(ca: &StringChunked) -> TextSummary {
    let mut counts: PlHashMap<&str, u64> = PlHashMap::default();
    let (mut min_len, mut max_len, mut total_len, mut n) = (u64::MAX, 0_u64, 0_u64, 0_u64);
    for s in ca.iter().flatten() {
        *counts.entry(s).or_default() += 1;
        let len = s.chars().count() as u64;
        min_len = min_len.min(len);
        max_len = max_len.max(len);
        total_len += len;
        n += 1;
    }
    let mut top: Vec<(&str, u64)> = counts.iter().map(|(s, c)| (*s, *c)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    TextSummary {
        top: top
            .into_iter()
            .take(MAX_TOP_VALUES)
            .map(|(s, c)| (cut(s), c))
            .collect(),
        distinct: counts.len() as u64,
        min_len: (n > 0).then_some(min_len),
        max_len: (n > 0).then_some(max_len),
        mean_len: (n > 0).then(|| total_len as f64 / n as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_column_is_sampled_evenly_for_its_quantiles() {
        let values: Vec<f64> = (0..100).map(f64::from).collect();
        assert_eq!(evenly(values.clone(), 200).len(), 100);
        let sample = evenly(values, 10);
        assert_eq!(
            sample,
            [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0]
        );
    }

    #[test]
    fn quantiles_interpolate_linearly_between_values() {
        let q = linear_quantiles(&mut [4.0, 2.0, 1.0, 3.0], &[0.0, 0.25, 0.5, 1.0]);
        assert_eq!((q[0], q[2], q[3]), (1.0, 2.5, 4.0));
        assert!((q[1] - 1.75).abs() < 1e-12);
        assert_eq!(linear_quantiles(&mut [7.0], &[0.95]), [7.0]);
    }

    #[test]
    fn selected_quantiles_match_those_of_the_sorted_values() {
        let values: Vec<f64> = (0..1001)
            .map(|i| f64::from((i * 7919) % 1001) / 3.0)
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let at = q * (sorted.len() - 1) as f64;
            let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
            sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
        };
        let expected: Vec<f64> = QUANTILES.iter().map(|q| at(*q)).collect();
        assert_eq!(linear_quantiles(&mut values.clone(), &QUANTILES), expected);
    }
}
