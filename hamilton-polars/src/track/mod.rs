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
//! [`HISTOGRAM_BINS`](hamilton_core::track::summary::HISTOGRAM_BINS) bins; for strings the
//! [`MAX_TOP_VALUES`](hamilton_core::track::summary::MAX_TOP_VALUES) most frequent values (each
//! cut to [`MAX_TEXT`](hamilton_core::track::summary::MAX_TEXT) characters), the number of
//! distinct values and the shortest, longest and mean length. A frame describes its first
//! [`MAX_COLUMNS`] columns, summarized in parallel on Polars' thread pool; a `LazyFrame` is never
//! collected, only its schema is resolved.
//!
//! Every statistic is exact over the whole column but the quantiles and histogram of a column of
//! more than [`MAX_SAMPLE`] numbers, which come from an even sample of it (see there). Each
//! column is read once.
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

use hamilton_core::track::summary::{ColumnSummary, FrameSummary, MAX_COLUMNS, cut};
use hamilton_core::track::{Summary, SummaryType};
use polars::prelude::*;
use polars_core::runtime::RAYON;
use polars_core::utils::rayon::prelude::*;

mod numeric;
mod text;
mod words;

use numeric::summarize_numeric;
use text::summarize_text;

/// The most values a numeric column's quantiles and histogram are computed from. A column with
/// more (nulls and NaNs left out) is sampled evenly by position, every `n / MAX_SAMPLE`-th value,
/// so its quantiles and histogram are approximate: for values in no particular order, or sorted,
/// each quantile lies at most 0.5% of the values away (in sorted order) from the exact one, and
/// each bin's count (the sample's, scaled to the column: the counts add up to about `n`) at most
/// 0.5% of `n` from the exact count; values that repeat a pattern in step with the sample can be
/// further off. The count, minimum, maximum, mean and standard deviation are exact, and so is
/// every statistic of a string column.
///
/// ```
/// assert_eq!(hamilton_polars::track::MAX_SAMPLE, 100_000);
/// ```
pub const MAX_SAMPLE: usize = 100_000;

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
    let described = &columns[..columns.len().min(MAX_COLUMNS)];
    // The costliest columns first (strings, then numbers), each a task of its own, so that the
    // threads end together rather than one waiting on a string column taken last.
    let mut order: Vec<usize> = (0..described.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost_rank(described[i].dtype())));
    let mut summaries: Vec<(usize, ColumnSummary)> = RAYON.install(|| {
        order
            .par_iter()
            .with_max_len(1)
            .map(|&i| (i, summarize_series(described[i].as_materialized_series())))
            .collect()
    });
    summaries.sort_by_key(|(i, _)| *i);
    Summary::Frame(FrameSummary {
        r#type: "DataFrame".to_string(),
        rows: df.height() as u64,
        columns: summaries.into_iter().map(|(_, c)| c).collect(),
        columns_omitted: columns.len().saturating_sub(MAX_COLUMNS) as u64,
    })
}

/// How costly a column of `dtype` is to summarize, roughly, per row: strings (a hash-map
/// probe each), then numbers (one pass), then the rest (counts only).
fn cost_rank(dtype: &DataType) -> u8 {
    if dtype.is_string() {
        2
    } else if dtype.is_primitive_numeric() {
        1
    } else {
        0
    }
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
        numeric: summarize_numeric(s),
        text: if dtype.is_string() {
            s.str().ok().map(summarize_text)
        } else {
            None
        },
    }
}
