//! A string column's statistics, exact over the whole column: every value counted once in one
//! pass, then the most frequent values, the distinct count and the lengths read off the counts.
//!
//! A string of up to 12 bytes is stored whole in its 16-byte view (Arrow's string view layout),
//! so such values are counted by their view, one integer; longer ones by their bytes. Each
//! distinct value's length is measured once.

use hamilton_core::track::summary::{MAX_TOP_VALUES, TextSummary, cut};
use polars::prelude::*;

/// A string column's most frequent values, distinct count and lengths, nulls left out.
pub(super) fn summarize_text(ca: &StringChunked) -> TextSummary {
    let counts = count_values(ca);
    let (mut min_len, mut max_len, mut total_len, mut n) = (u64::MAX, 0_u64, 0_u64, 0_u64);
    for (s, count) in &counts {
        let len = s.chars().count() as u64;
        min_len = min_len.min(len);
        max_len = max_len.max(len);
        total_len += len * count;
        n += count;
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

/// How many times each value of `ca` occurs, nulls left out.
fn count_values(ca: &StringChunked) -> PlHashMap<&str, u64> {
    let mut counts: PlHashMap<&[u8], u64> = PlHashMap::default();
    for arr in ca.downcast_iter() {
        // The values stored in their views, by view.
        let mut inline: PlHashMap<u128, (&[u8], u64)> = PlHashMap::default();
        let buffers = arr.data_buffers();
        for view in arr.non_null_views_iter() {
            match view.get_inlined_slice() {
                Some(bytes) => inline.entry(view.as_u128()).or_insert((bytes, 0)).1 += 1,
                None => {
                    let (start, len) = (view.offset as usize, view.length as usize);
                    let bytes = &buffers[view.buffer_idx as usize][start..start + len];
                    *counts.entry(bytes).or_default() += 1;
                }
            }
        }
        // Equal inline values have equal views, but merge them by their bytes in case an
        // array's views have unused bytes that differ.
        for (bytes, n) in inline.into_values() {
            *counts.entry(bytes).or_default() += n;
        }
    }
    counts
        .into_iter()
        // Always UTF-8: the values of a string column.
        .filter_map(|(bytes, n)| std::str::from_utf8(bytes).ok().map(|s| (s, n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn values_counted_by_view_and_by_text_over_chunks_match_a_plain_count() {
        // Inline (up to 12 bytes) and longer values, multi-byte characters, nulls, three chunks.
        let words = [
            "UK",
            "café",
            "exactly12byt",
            "thirteen byte",
            "ñandú ñandú ñandú",
            "",
        ];
        let column = |rows: std::ops::Range<usize>| {
            let values: Vec<Option<&str>> = rows
                .map(|i| (i % 7 != 0).then_some(words[(i * i + i / 5) % words.len()]))
                .collect();
            StringChunked::from_iter_options("w".into(), values.into_iter())
        };
        let mut ca = column(0..500);
        ca.append(&column(500..501)).unwrap();
        ca.append(&column(501..1200)).unwrap();
        assert_eq!(ca.chunks().len(), 3);

        let mut expected: HashMap<&str, u64> = HashMap::new();
        for s in ca.iter().flatten() {
            *expected.entry(s).or_default() += 1;
        }
        assert_eq!(expected.len(), words.len(), "every word occurs");
        let counts = count_values(&ca);
        assert_eq!(counts.into_iter().collect::<HashMap<_, _>>(), expected);

        let summary = summarize_text(&ca);
        let n: u64 = expected.values().sum();
        let chars: u64 = expected
            .iter()
            .map(|(s, c)| s.chars().count() as u64 * c)
            .sum();
        assert_eq!(summary.distinct, expected.len() as u64);
        assert_eq!((summary.min_len, summary.max_len), (Some(0), Some(17)));
        assert_eq!(summary.mean_len, Some(chars as f64 / n as f64));
        let mut top: Vec<(&str, u64)> = expected.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let top: Vec<(String, u64)> = top
            .into_iter()
            .take(MAX_TOP_VALUES)
            .map(|(s, c)| (cut(s), c))
            .collect();
        assert_eq!(summary.top, top);
    }
}
