//! What the tracker keeps of a value: a bounded summary, never the value itself.
//!
//! A [`Summary`] is stored as JSON in the `node_runs.summary` column and shown by the UI and the
//! report. Scalars are kept as their value, Polars frames and series (by `hamilton-polars`, feature
//! `track`) as their schema and per-column statistics, every other type as its name.

use serde::{Deserialize, Serialize};

/// The longest text a summary keeps of any one string (a scalar's value, a top value).
pub const MAX_TEXT: usize = 200;
/// The most columns a frame's summary describes; the rest are counted in
/// [`FrameSummary::columns_omitted`].
pub const MAX_COLUMNS: usize = 100;
/// The most top values kept for a text column.
pub const MAX_TOP_VALUES: usize = 5;
/// The number of histogram bins of a numeric column.
pub const HISTOGRAM_BINS: usize = 10;

/// A value's summary.
///
/// ```
/// use hamilton_core::track::Summary;
/// let s = Summary::scalar("i64", "42");
/// let json = serde_json::to_string(&s).unwrap();
/// assert_eq!(serde_json::from_str::<Summary>(&json).unwrap(), s);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Summary {
    /// A scalar (number, bool, string, ...), kept as its text.
    Scalar {
        /// The value's type.
        r#type: String,
        /// The value's text, cut to [`MAX_TEXT`] characters.
        value: String,
    },
    /// A table (a Polars `DataFrame`).
    Frame(FrameSummary),
    /// One column (a Polars `Series`).
    Column {
        /// The value's type.
        r#type: String,
        /// The column's statistics.
        column: Box<ColumnSummary>,
    },
    /// A lazy plan (a Polars `LazyFrame`): its schema only, it is never collected for a summary.
    Lazy {
        /// The value's type.
        r#type: String,
        /// Each column's name and data type.
        schema: Vec<(String, String)>,
    },
    /// Any other value: its type, and its size where known.
    Other {
        /// The value's type.
        r#type: String,
        /// The value's size in bytes, where known.
        bytes: Option<u64>,
    },
}

impl Summary {
    /// A scalar's summary, its text cut to [`MAX_TEXT`] characters.
    ///
    /// ```
    /// use hamilton_core::track::Summary;
    /// let long = "x".repeat(1000);
    /// let Summary::Scalar { value, .. } = Summary::scalar("String", &long) else { unreachable!() };
    /// assert!(value.chars().count() <= hamilton_core::track::summary::MAX_TEXT + 1);
    /// ```
    pub fn scalar(r#type: &str, value: &str) -> Self {
        Self::Scalar {
            r#type: r#type.to_string(),
            value: cut(value),
        }
    }
}

/// A frame's summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameSummary {
    /// The value's type.
    pub r#type: String,
    /// The number of rows.
    pub rows: u64,
    /// The first [`MAX_COLUMNS`] columns.
    pub columns: Vec<ColumnSummary>,
    /// How many columns were left out.
    pub columns_omitted: u64,
}

/// One column's statistics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// The column's name.
    pub name: String,
    /// Its data type, as Polars writes it.
    pub dtype: String,
    /// The number of values (nulls included).
    pub count: u64,
    /// The number of nulls.
    pub nulls: u64,
    /// Numbers: their statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericSummary>,
    /// Text: its most frequent values and lengths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextSummary>,
}

/// A numeric column's statistics (nulls and NaNs left out).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
    /// Standard deviation (sample, `ddof` 1).
    pub std: Option<f64>,
    /// The 5%, 25%, 50%, 75% and 95% quantiles, in that order.
    pub quantiles: Vec<Option<f64>>,
    /// A histogram of [`HISTOGRAM_BINS`] equal bins from `min` to `max`: the count of each (for a
    /// long column, a summarizer may estimate them from a sample, as it may the quantiles).
    pub histogram: Vec<u64>,
}

/// A text column's most frequent values and lengths.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TextSummary {
    /// Up to [`MAX_TOP_VALUES`] most frequent values (each cut to [`MAX_TEXT`]) and their counts.
    pub top: Vec<(String, u64)>,
    /// The number of distinct values.
    pub distinct: u64,
    /// Shortest length, in characters.
    pub min_len: Option<u64>,
    /// Longest length, in characters.
    pub max_len: Option<u64>,
    /// Mean length, in characters.
    pub mean_len: Option<f64>,
}

/// `text` cut to [`MAX_TEXT`] characters, with `…` where it was cut.
pub fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_round_trips_through_json_tagged_by_kind() {
        let s = Summary::Frame(FrameSummary {
            r#type: "DataFrame".into(),
            rows: 3,
            columns: vec![ColumnSummary {
                name: "a".into(),
                dtype: "i64".into(),
                count: 3,
                nulls: 1,
                numeric: Some(NumericSummary {
                    min: Some(1.0),
                    ..Default::default()
                }),
                text: None,
            }],
            columns_omitted: 0,
        });
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.starts_with(r#"{"kind":"frame""#), "{json}");
        assert_eq!(serde_json::from_str::<Summary>(&json).unwrap(), s);
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let s = "é".repeat(MAX_TEXT + 5);
        let c = cut(&s);
        assert_eq!(c.chars().count(), MAX_TEXT + 1);
        assert!(c.ends_with('…'));
        assert_eq!(cut("short"), "short");
    }
}
