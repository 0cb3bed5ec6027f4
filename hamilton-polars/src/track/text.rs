//! A string column's statistics, exact over the whole column: every value counted once in one
//! pass, then the most frequent values, the distinct count and the lengths read off the counts.
//!
//! A string of up to 12 bytes is stored whole in its 16-byte view (Arrow's string view layout),
//! so such values are counted by their view, one integer; longer ones by their bytes. Each
//! distinct value's length is measured once.

use hamilton_core::track::summary::{MAX_TOP_VALUES, TextSummary, cut};
use std::borrow::Cow;

use polars::prelude::*;
use polars_arrow::array::{Array, View};

use super::words::by_words;

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
    let mut top: Vec<(&str, u64)> = counts.iter().map(|(s, c)| (s.as_ref(), *c)).collect();
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
fn count_values(ca: &StringChunked) -> PlHashMap<Cow<'_, str>, u64> {
    // The values stored in their views, by view: one `u128` hashed, no bytes read.
    let mut inline: ViewCounts = ViewCounts::default();
    let mut long: PlHashMap<&[u8], u64> = PlHashMap::default();
    for arr in ca.downcast_iter() {
        let views = arr.views().as_slice();
        let buffers = arr.data_buffers();
        match arr.validity().filter(|valid| valid.unset_bits() > 0) {
            None => {
                for view in views {
                    count(view, &mut inline, &mut long, buffers);
                }
            }
            Some(valid) => {
                // The validity read 64 bits at a time; a word with nulls by its set bits.
                let in_word = |views: &[View], word: u64| {
                    let mut bits = word & (u64::MAX >> (64 - views.len()));
                    while bits != 0 {
                        count(
                            &views[bits.trailing_zeros() as usize],
                            &mut inline,
                            &mut long,
                            buffers,
                        );
                        bits &= bits - 1;
                    }
                };
                by_words(views, Some(valid), in_word);
            }
        }
    }
    let mut counts: PlHashMap<Cow<'_, str>, u64> = PlHashMap::default();
    // Always UTF-8: the values of a string column.
    for (view, n) in inline {
        let view = View::from(view);
        let bytes = view.get_inlined_slice().expect("counted as inline");
        if let Ok(s) = std::str::from_utf8(bytes) {
            // Equal values have equal views unless a view's unused bytes differ: merged here.
            *counts.entry(Cow::Owned(s.to_string())).or_default() += n;
        }
    }
    for (bytes, n) in long {
        if let Ok(s) = std::str::from_utf8(bytes) {
            *counts.entry(Cow::Borrowed(s)).or_default() += n;
        }
    }
    counts
}

/// Counts of inline values by view.
type ViewCounts = std::collections::HashMap<u128, u64, BuildViewHasher>;

/// Counts one value: an inline one by its view, a longer one by its bytes.
#[inline(always)]
fn count<'a, B: std::ops::Deref<Target = [u8]>>(
    view: &View,
    inline: &mut ViewCounts,
    long: &mut PlHashMap<&'a [u8], u64>,
    buffers: &'a [B],
) {
    if view.length <= View::MAX_INLINE_SIZE {
        *inline.entry(view.as_u128()).or_default() += 1;
    } else {
        let (start, len) = (view.offset as usize, view.length as usize);
        let bytes = &buffers[view.buffer_idx as usize][start..start + len];
        *long.entry(bytes).or_default() += 1;
    }
}

/// Hashes a view (a `u128`) with one folded multiply: its 16 bytes are the value (length,
/// then up to 12 bytes), so the two halves are mixed into every bit of the hash.
#[derive(Clone, Copy, Default)]
struct BuildViewHasher;

impl std::hash::BuildHasher for BuildViewHasher {
    type Hasher = ViewHasher;
    fn build_hasher(&self) -> ViewHasher {
        ViewHasher(0)
    }
}

/// See [`BuildViewHasher`].
struct ViewHasher(u64);

impl std::hash::Hasher for ViewHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u128`s are hashed; any other input is still hashed, byte by byte.
        for b in bytes {
            self.0 = fold(self.0 ^ u64::from(*b), 0x9E37_79B9_7F4A_7C15);
        }
    }

    #[inline(always)]
    fn write_u128(&mut self, view: u128) {
        self.0 = fold(
            view as u64 ^ 0x243F_6A88_85A3_08D3,
            (view >> 64) as u64 ^ 0x1319_8A2E_0370_7344,
        );
    }
}

/// The 128-bit product's halves xored: every input bit reaches the low and the high bits.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    product as u64 ^ (product >> 64) as u64
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
        let counted = |counts: &PlHashMap<Cow<'_, str>, u64>| -> HashMap<String, u64> {
            counts.iter().map(|(s, n)| (s.to_string(), *n)).collect()
        };
        let owned = |expected: &HashMap<&str, u64>| -> HashMap<String, u64> {
            expected.iter().map(|(s, n)| (s.to_string(), *n)).collect()
        };
        assert_eq!(counted(&counts), owned(&expected));
        // Slices starting at every bit offset, around the 64-bit validity words.
        for offset in 0..9_i64 {
            for len in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
                let part = ca.slice(offset, len);
                let mut expected: HashMap<&str, u64> = HashMap::new();
                for s in part.iter().flatten() {
                    *expected.entry(s).or_default() += 1;
                }
                assert_eq!(
                    counted(&count_values(&part)),
                    owned(&expected),
                    "offset {offset}, {len} rows"
                );
            }
        }

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
