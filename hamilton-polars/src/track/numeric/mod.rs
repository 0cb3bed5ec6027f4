//! A numeric column's statistics: one pass over its values for the count, minimum, maximum, mean
//! and standard deviation, which also takes an even sample of at most [`MAX_SAMPLE`] values for
//! the quantiles and the histogram.
//!
//! The values are read from the chunks' buffers in their own type (no cast to a new `f64`
//! column), converted to `f64` a block at a time with nulls and NaNs left out.

use hamilton_core::track::summary::{HISTOGRAM_BINS, NumericSummary};
use polars::prelude::*;

use super::MAX_SAMPLE;
use super::words::by_words;

mod distribution;
mod moments;
mod sample;

use distribution::distribution;
use moments::Moments;
use sample::Sample;

/// The quantiles of a numeric column.
pub(super) const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The most values converted to `f64` and handed to a pass at once.
const BLOCK: usize = 1024;
const _: () = assert!(BLOCK.is_power_of_two());

/// The statistics of a primitive numeric `s`, `None` for other dtypes.
pub(super) fn summarize_numeric(s: &Series) -> Option<NumericSummary> {
    match s.dtype() {
        DataType::Float64 => s.f64().ok().map(numeric),
        DataType::Float32 => s.f32().ok().map(numeric),
        DataType::Int64 => s.i64().ok().map(numeric),
        DataType::Int32 => s.i32().ok().map(numeric),
        DataType::UInt64 => s.u64().ok().map(numeric),
        DataType::UInt32 => s.u32().ok().map(numeric),
        // The narrower and wider integers, and `f16`: through a cast.
        dtype if dtype.is_primitive_numeric() => s
            .cast(&DataType::Float64)
            .ok()
            .and_then(|f| f.f64().ok().map(numeric)),
        _ => None,
    }
}

/// A native number read as an `f64`.
trait AsF64: Copy {
    /// Whether a value of the type can be NaN (floats), so that integers skip the check.
    const MAY_BE_NAN: bool;
    fn as_f64(self) -> f64;
}

macro_rules! as_f64 {
    ($nan:literal: $($t:ty),*) => {$(
        impl AsF64 for $t {
            const MAY_BE_NAN: bool = $nan;
            #[inline]
            fn as_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
as_f64!(true: f64, f32);
as_f64!(false: i64, i32, u64, u32);

/// A column's statistics, nulls and NaNs left out.
fn numeric<T>(ca: &ChunkedArray<T>) -> NumericSummary
where
    T: PolarsNumericType,
    T::Native: AsF64,
{
    let mut moments = Moments::default();
    let mut sample = Sample::new(ca.len() - ca.null_count(), MAX_SAMPLE);
    for_each_block(ca, |block| {
        moments.add(block);
        sample.take(block);
    });
    if moments.n == 0 {
        return NumericSummary {
            quantiles: vec![None; QUANTILES.len()],
            histogram: vec![0; HISTOGRAM_BINS],
            ..NumericSummary::default()
        };
    }
    let (min, max) = (moments.min, moments.max);
    let distribution = distribution(&mut sample.values, min, max, moments.n, &QUANTILES);
    NumericSummary {
        min: Some(min),
        max: Some(max),
        mean: Some(moments.mean()),
        std: moments.std(),
        quantiles: distribution.quantiles.into_iter().map(Some).collect(),
        histogram: distribution.histogram,
    }
}

/// Calls `f` with the values of `ca` in order, as `f64`, nulls and NaNs left out, a block of at
/// most [`BLOCK`] at a time (blocks are never empty).
fn for_each_block<T>(ca: &ChunkedArray<T>, mut f: impl FnMut(&[f64]))
where
    T: PolarsNumericType,
    T::Native: AsF64,
{
    let mut block = [0.0; BLOCK];
    let mut len = 0;
    // Values go in 64 at a time with their 64 validity bits (all set without a validity).
    let mut add = |values: &[T::Native], valid: u64| {
        if len + values.len() > BLOCK {
            f(&block[..len]);
            len = 0;
        }
        len = keep_valid(&mut block, len, values, valid);
    };
    for arr in ca.downcast_iter() {
        let valid = arr.validity().filter(|valid| valid.unset_bits() > 0);
        by_words(arr.values().as_slice(), valid, &mut add);
    }
    if len > 0 {
        f(&block[..len]);
    }
}

/// Appends to `block[..len]` the values of `values` (at most 64, and room for them) whose bit
/// in `valid` is set and that are not NaN, without a branch (nulls and NaNs in no pattern would
/// make one mispredicted); the new length. The length stays in a register: a loop that kept it
/// in memory waited for its own store on every value.
#[inline(always)]
fn keep_valid<N: AsF64>(
    block: &mut [f64; BLOCK],
    mut len: usize,
    values: &[N],
    valid: u64,
) -> usize {
    for (j, v) in values.iter().enumerate() {
        let v = v.as_f64();
        // `len` is below `BLOCK` here; the mask only lets the compiler see it.
        block[len & (BLOCK - 1)] = v;
        len += usize::from(((valid >> j) & 1 == 1) & !(N::MAY_BE_NAN && v.is_nan()));
    }
    len
}

#[cfg(test)]
mod tests {
    use super::distribution::tests::sorted_quantiles;
    use super::*;

    /// A column of `chunks`, one chunk each (appended, not rechunked).
    fn chunked(chunks: &[Vec<Option<f64>>]) -> Float64Chunked {
        let mut ca = Float64Chunked::from_iter_options("x".into(), chunks[0].iter().copied());
        for chunk in &chunks[1..] {
            ca.append(&Float64Chunked::from_iter_options(
                "x".into(),
                chunk.iter().copied(),
            ))
            .unwrap();
        }
        ca
    }

    #[test]
    fn the_one_pass_statistics_match_polars_own_over_chunks_with_nulls_and_nans() {
        // Three chunks, over several blocks each, of values far from zero (a test of the
        // precision of the standard deviation) with nulls and NaNs between them.
        let value = |i: u32| match i % 13 {
            0 => None,
            5 => Some(f64::NAN),
            _ => Some(1e9 + f64::from((i * 7919) % 1000) / 7.0),
        };
        let chunks: Vec<Vec<Option<f64>>> = [0..3000, 3000..3001, 3001..7500]
            .into_iter()
            .map(|rows| rows.map(value).collect())
            .collect();
        let ca = chunked(&chunks);
        assert_eq!(ca.chunks().len(), 3);
        let clean: Vec<f64> = chunks
            .iter()
            .flatten()
            .flatten()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        let expected = Float64Chunked::from_vec("x".into(), clean.clone());

        let n = numeric(&ca);
        assert_eq!(n.min, expected.min());
        assert_eq!(n.max, expected.max());
        let close = |a: Option<f64>, b: Option<f64>, tolerance: f64| {
            let (a, b) = (a.unwrap(), b.unwrap());
            assert!((a - b).abs() <= tolerance * b.abs(), "{a} != {b}");
        };
        close(n.mean, expected.mean(), 1e-15);
        // Polars' own standard deviation is less precise here (off by 5e-11) than two passes.
        close(n.std, expected.std(1), 1e-9);
        let mean = clean.iter().sum::<f64>() / clean.len() as f64;
        let squares: f64 = clean.iter().map(|v| (v - mean) * (v - mean)).sum();
        let two_passes = (squares / (clean.len() - 1) as f64).sqrt();
        close(n.std, Some(two_passes), 1e-12);
        let quantiles: Vec<f64> = n.quantiles.iter().map(|q| q.unwrap()).collect();
        assert_eq!(
            quantiles,
            sorted_quantiles(&clean),
            "fewer values than the sample: exact"
        );
        let (min, max) = (n.min.unwrap(), n.max.unwrap());
        let mut histogram = vec![0_u64; HISTOGRAM_BINS];
        for v in &clean {
            let bin = ((v - min) * (HISTOGRAM_BINS as f64 / (max - min))) as usize;
            histogram[bin.min(HISTOGRAM_BINS - 1)] += 1;
        }
        assert_eq!(n.histogram, histogram);
        assert_eq!(n.histogram.iter().sum::<u64>(), clean.len() as u64);
    }

    #[test]
    fn a_slice_starting_mid_byte_reads_the_validity_of_its_own_rows() {
        // Nulls at rows 3k of the whole column; slices starting at every bit offset, of lengths
        // around the 64-bit words the validity is read in.
        let whole = Float64Chunked::from_iter_options(
            "x".into(),
            (0..1_000_u32).map(|i| (i % 3 != 0).then_some(f64::from(i))),
        );
        for offset in 0..9 {
            for len in [0, 1, 63, 64, 65, 127, 128, 129, 200, 991 - offset] {
                let part = whole.slice(offset as i64, len);
                let clean: Vec<f64> = part.iter().flatten().collect();
                let n = numeric(&part);
                let what = format!("offset {offset}, {len} rows");
                assert_eq!(
                    n.histogram.iter().sum::<u64>(),
                    clean.len() as u64,
                    "{what}"
                );
                if clean.is_empty() {
                    assert_eq!(n.min, None, "{what}");
                    continue;
                }
                let fold = |f: fn(f64, f64) -> f64| clean.iter().copied().reduce(f);
                assert_eq!((n.min, n.max), (fold(f64::min), fold(f64::max)), "{what}");
                let mean = clean.iter().sum::<f64>() / clean.len() as f64;
                assert!((n.mean.unwrap() - mean).abs() < 1e-9, "{what}");
            }
        }
    }

    #[test]
    fn every_integer_and_float_dtype_is_summarized_as_its_f64_cast() {
        let values: Vec<Option<i32>> = (0..3000)
            .map(|i| (i % 11 != 3).then_some((i * 7919) % 5000))
            .collect();
        let s = Series::new("n".into(), values);
        let reference = summarize_numeric(&s.cast(&DataType::Float64).unwrap()).unwrap();
        for dtype in [
            DataType::Int32,
            DataType::Int64,
            DataType::UInt32,
            DataType::UInt64,
            DataType::Float32,
        ] {
            let summary = summarize_numeric(&s.cast(&dtype).unwrap());
            assert_eq!(summary.as_ref(), Some(&reference), "{dtype}");
        }
        assert_eq!(summarize_numeric(&Series::new("s".into(), ["a"])), None);
    }

    #[test]
    fn a_column_longer_than_the_sample_has_quantiles_and_a_histogram_close_to_the_exact_ones() {
        // Pseudo-random values (an LCG), then the same sorted. How far off a quantile is: the
        // distance, in sorted order, between its rank and the exact quantile's, over n; a
        // histogram's bin: the difference of its count and the exact one, over n.
        let n = 1_000_003;
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let random: Vec<f64> = (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 11) as f64 / (1_u64 << 53) as f64 * 1e6
            })
            .collect();
        let mut sorted = random.clone();
        sorted.sort_by(f64::total_cmp);
        for values in [random, sorted.clone()] {
            let summary = numeric(&Float64Chunked::from_vec("x".into(), values));
            for (q, quantile) in QUANTILES.iter().zip(&summary.quantiles) {
                let rank = sorted.partition_point(|v| *v < quantile.unwrap());
                let off = (rank as f64 - q * (n - 1) as f64).abs() / n as f64;
                assert!(
                    off <= 0.005,
                    "quantile {q}: {quantile:?} is {off} of the values off"
                );
            }
            assert_eq!(
                (summary.min, summary.max),
                (Some(sorted[0]), Some(sorted[n - 1]))
            );
            let (min, max) = (sorted[0], sorted[n - 1]);
            let mut exact = vec![0_u64; HISTOGRAM_BINS];
            for v in &sorted {
                let bin = ((v - min) * (HISTOGRAM_BINS as f64 / (max - min))) as usize;
                exact[bin.min(HISTOGRAM_BINS - 1)] += 1;
            }
            for (count, exact) in summary.histogram.iter().zip(exact) {
                let off = count.abs_diff(exact) as f64 / n as f64;
                assert!(
                    off <= 0.005,
                    "{count} in a bin of {exact}: {off} of the values off"
                );
            }
        }
    }
}
