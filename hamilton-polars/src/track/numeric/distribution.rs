//! A numeric column's histogram and quantiles, from its sample.
//!
//! One pass counts the sample in fine bins, 128 to a histogram bin, laid out so that they add up
//! to the histogram's bins exactly. Their counts tell which few fine bins
//! hold the quantiles' ranks; a second pass gathers the values of those bins only, and each rank
//! is selected among them. That is two cheap passes over the sample instead of a selection over
//! most of it per quantile; a short sample, or one whose bins cannot be fine (all values equal,
//! an infinite range), takes the plain way.

use hamilton_core::track::summary::HISTOGRAM_BINS;

/// Fine bins per histogram bin, as a power of two: scaling by it is exact, so a value's fine
/// bin shifted right by it is its histogram bin (see [`Bins::of`]).
const FINE_SHIFT: u32 = 7;
const FINE: usize = HISTOGRAM_BINS << FINE_SHIFT;
/// Below this many values, one selection per rank is as quick as counting fine bins.
const FEW: usize = 4096;
/// Histograms counted in turn: a run of values in one bin (sorted values) would otherwise make
/// each increment wait for the one before.
const LANES: usize = 4;

/// A column's histogram and quantiles.
#[derive(Debug, PartialEq)]
pub(super) struct Distribution {
    /// [`HISTOGRAM_BINS`] counts, adding up to about the column's count.
    pub(super) histogram: Vec<u64>,
    /// One per quantile asked for.
    pub(super) quantiles: Vec<f64>,
}

/// The histogram ([`HISTOGRAM_BINS`] equal bins from `min` to `max`, every value in the first if
/// they are equal) and the ascending linear quantiles `qs` (Polars' `linear`) of a column of `n`
/// values, from its non-empty `sample` (no NaNs, every value from `min` to `max`): the sample's
/// counts scaled to `n` (rounded) if it has fewer. `sample` may end up reordered.
pub(super) fn distribution(
    sample: &mut [f64],
    min: f64,
    max: f64,
    n: u64,
    qs: &[f64],
) -> Distribution {
    let binned = if sample.len() >= FEW {
        binned(sample, min, max, qs)
    } else {
        None
    };
    let mut d = binned.unwrap_or_else(|| Distribution {
        histogram: histogram(sample, min, max),
        quantiles: linear_quantiles(sample, qs),
    });
    if sample.len() as u64 != n {
        let per_value = n as f64 / sample.len() as f64;
        for count in &mut d.histogram {
            *count = (*count as f64 * per_value).round() as u64;
        }
    }
    d
}

/// Histogram bins per unit from `min` to `max`; 0 (every value in the first bin) when they are
/// equal or their distance is not finite.
fn bin_scale(min: f64, max: f64) -> f64 {
    let bins_per_unit = HISTOGRAM_BINS as f64 / (max - min);
    if bins_per_unit.is_finite() {
        bins_per_unit
    } else {
        0.0
    }
}

/// The sample's histogram, one bin per value.
fn histogram(sample: &[f64], min: f64, max: f64) -> Vec<u64> {
    let scale = bin_scale(min, max);
    let mut lanes = [[0_u64; HISTOGRAM_BINS]; LANES];
    for (i, v) in sample.iter().enumerate() {
        lanes[i % LANES][(((v - min) * scale) as usize).min(HISTOGRAM_BINS - 1)] += 1;
    }
    (0..HISTOGRAM_BINS)
        .map(|bin| lanes.iter().map(|lane| lane[bin]).sum())
        .collect()
}

/// [`distribution`] through fine bins (before the counts are scaled), `None` where they cannot
/// be used: all values in one bin, or bins too narrow for the scale to be finite.
fn binned(sample: &[f64], min: f64, max: f64, qs: &[f64]) -> Option<Distribution> {
    let scale = bin_scale(min, max) * f64::from(1_u32 << FINE_SHIFT);
    if scale == 0.0 || !scale.is_finite() || u32::try_from(sample.len()).is_err() {
        return None;
    }
    let bins = Bins { min, scale };
    let counts = bins.count(sample);
    let histogram = counts
        .chunks(1 << FINE_SHIFT)
        .map(|fine| fine.iter().map(|c| u64::from(*c)).sum())
        .collect();
    Some(Distribution {
        histogram,
        quantiles: bins.quantiles(sample, &counts, qs),
    })
}

/// [`FINE`] equal bins from `min`.
struct Bins {
    min: f64,
    /// Fine bins per unit: the histogram's scale times `2^FINE_SHIFT`, exactly.
    scale: f64,
}

impl Bins {
    /// The fine bin of `v`. The same for every value in one histogram bin: `(v - min) · scale`
    /// is the histogram's `(v - min) · scale'` times `2^FINE_SHIFT`, exactly (a power of two
    /// changes a product's exponent only), so its whole part shifted right is the histogram's
    /// whole part. Rising with `v`, so each fine bin holds a run of the sorted values.
    #[inline(always)]
    fn of(&self, v: f64) -> usize {
        // At most `FINE` for a value up to the maximum: an `i32` (converted in fewer steps).
        (((v - self.min) * self.scale) as i32).min(FINE as i32 - 1) as usize
    }

    /// How many values of `sample` (at most `u32::MAX`) are in each fine bin.
    fn count(&self, sample: &[f64]) -> Vec<u32> {
        let mut lanes = Box::new([[0_u32; FINE]; LANES]);
        let parts = sample.chunks_exact(LANES);
        let rest = parts.remainder();
        for part in parts {
            for (lane, v) in lanes.iter_mut().zip(part) {
                lane[self.of(*v)] += 1;
            }
        }
        for v in rest {
            lanes[0][self.of(*v)] += 1;
        }
        (0..FINE)
            .map(|bin| lanes.iter().map(|lane| lane[bin]).sum())
            .collect()
    }

    /// The quantiles `qs` of `sample`, whose fine bins hold `counts` values.
    fn quantiles(&self, sample: &[f64], counts: &[u32], qs: &[f64]) -> Vec<f64> {
        // `starts[b]`: the rank, in sorted order, of the first value of bin `b`.
        let mut starts = Vec::with_capacity(FINE + 1);
        let mut total = 0_usize;
        starts.push(0);
        for count in counts {
            total += *count as usize;
            starts.push(total);
        }
        let bin_of = |rank: usize| starts.partition_point(|start| *start <= rank) - 1;
        let ranks: Vec<(usize, usize, f64)> = qs.iter().map(|q| ranks(*q, sample.len())).collect();
        // The bins holding a rank, in order; each gathered once.
        let mut held: Vec<usize> = ranks
            .iter()
            .flat_map(|(lo, hi, _)| [bin_of(*lo), bin_of(*hi)])
            .collect();
        held.sort_unstable();
        held.dedup();
        let mut slot = vec![u32::MAX; FINE];
        for (i, bin) in held.iter().enumerate() {
            slot[*bin] = i as u32;
        }
        let mut gathered: Vec<Vec<f64>> = held
            .iter()
            .map(|bin| Vec::with_capacity(counts[*bin] as usize))
            .collect();
        for v in sample {
            let at = slot[self.of(*v)];
            if at != u32::MAX {
                gathered[at as usize].push(*v);
            }
        }
        let mut rankers = vec![Ranker::default(); held.len()];
        let mut nth = |rank: usize| {
            let bin = bin_of(rank);
            let at = held.binary_search(&bin).expect("every rank's bin is held");
            rankers[at].nth(&mut gathered[at], rank - starts[bin])
        };
        ranks
            .iter()
            .map(|(lo, hi, fraction)| {
                let (lo_value, hi_value) = (nth(*lo), nth(*hi));
                lo_value + (hi_value - lo_value) * fraction
            })
            .collect()
    }
}

/// The ranks, in sorted order, the `q` quantile of `len` values interpolates between, and how far
/// from the first.
fn ranks(q: f64, len: usize) -> (usize, usize, f64) {
    let at = q * (len - 1) as f64;
    let lo = at.floor() as usize;
    (lo, at.ceil() as usize, at - lo as f64)
}

/// Finds ranks of one slice in ascending order, each by selection in the part above the last
/// one found rather than by a full sort.
#[derive(Clone, Debug, Default)]
struct Ranker {
    /// `values[..placed]` are all at or below `values[placed..]`, the last at its sorted place.
    placed: usize,
}

impl Ranker {
    /// The `k`-th smallest of `values` (`k` at least the last one asked); reorders `values`.
    fn nth(&mut self, values: &mut [f64], k: usize) -> f64 {
        if k >= self.placed {
            let rest = &mut values[self.placed..];
            if k == self.placed {
                // The rank just above the last one: the smallest of the rest.
                let smallest =
                    (1..rest.len()).fold(0, |at, i| if rest[i] < rest[at] { i } else { at });
                rest.swap(0, smallest);
            } else {
                rest.select_nth_unstable_by(k - self.placed, f64::total_cmp);
            }
            self.placed = k + 1;
        }
        values[k]
    }
}

/// The ascending quantiles `qs` of non-empty `values`, interpolated linearly, by selection over
/// `values` (partly reordered).
fn linear_quantiles(values: &mut [f64], qs: &[f64]) -> Vec<f64> {
    let mut ranker = Ranker::default();
    qs.iter()
        .map(|q| {
            let (lo, hi, fraction) = ranks(*q, values.len());
            let (lo_value, hi_value) = (ranker.nth(values, lo), ranker.nth(values, hi));
            lo_value + (hi_value - lo_value) * fraction
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::track::numeric::QUANTILES;
    use proptest::prelude::*;

    /// The exact linear quantiles of `values`, by a full sort.
    pub(in crate::track::numeric) fn sorted_quantiles(values: &[f64]) -> Vec<f64> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        QUANTILES
            .iter()
            .map(|q| {
                let at = q * (sorted.len() - 1) as f64;
                let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
                sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
            })
            .collect()
    }

    /// The histogram of `values`, by the definition.
    fn plain_histogram(values: &[f64], min: f64, max: f64) -> Vec<u64> {
        let scale = bin_scale(min, max);
        let mut counts = vec![0; HISTOGRAM_BINS];
        for v in values {
            counts[(((v - min) * scale) as usize).min(HISTOGRAM_BINS - 1)] += 1;
        }
        counts
    }

    fn extremes(values: &[f64]) -> (f64, f64) {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (min, max)
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
        assert_eq!(
            linear_quantiles(&mut values.clone(), &QUANTILES),
            sorted_quantiles(&values)
        );
        // Repeated values, and lengths where a quantile falls on one rank (5: 25% is rank 1).
        for len in [1, 2, 5, 21, 400] {
            let values: Vec<f64> = (0..len).map(|i| f64::from((i * 31) % 7)).collect();
            assert_eq!(
                linear_quantiles(&mut values.clone(), &QUANTILES),
                sorted_quantiles(&values),
                "{len} values"
            );
        }
    }

    #[test]
    fn a_long_sample_is_binned_finely_and_a_constant_or_unbounded_one_is_not() {
        let spread: Vec<f64> = (0..FEW).map(|i| ((i * 7919) % FEW) as f64).collect();
        let (min, max) = extremes(&spread);
        assert!(binned(&spread, min, max, &QUANTILES).is_some());
        assert!(binned(&[3.0; FEW], 3.0, 3.0, &QUANTILES).is_none());
        let mut unbounded = spread.clone();
        unbounded[7] = f64::INFINITY;
        assert!(binned(&unbounded, min, f64::INFINITY, &QUANTILES).is_none());
        // What `distribution` then gives is the plain way's.
        let d = distribution(
            &mut unbounded.clone(),
            min,
            f64::INFINITY,
            FEW as u64,
            &QUANTILES,
        );
        assert_eq!(d.quantiles, sorted_quantiles(&unbounded));
        assert_eq!(d.histogram, plain_histogram(&unbounded, min, f64::INFINITY));
    }

    /// Values of a few kinds: small integers (many repeats), a narrow range far from zero, any
    /// finite number, and numbers a few steps apart at the edge of the subnormals.
    fn values() -> impl Strategy<Value = Vec<f64>> {
        let value = prop_oneof![
            (-6_i32..6).prop_map(f64::from),
            (0.0..1.0_f64).prop_map(|x| 1e9 + x),
            any::<f64>().prop_filter("finite", |x| x.is_finite()),
            (0_u32..50).prop_map(|k| f64::MIN_POSITIVE * (1.0 + f64::from(k) * f64::EPSILON)),
        ];
        prop_oneof![
            proptest::collection::vec(value.clone(), 1..200),
            proptest::collection::vec(value, FEW..FEW + 300),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn fine_bins_give_the_exact_histogram_and_quantiles(
            values in values(),
            pick in prop_oneof![Just(0_u8), Just(1), Just(2)],
        ) {
            // All values, or those of one kind only (a range fine bins can split).
            let values: Vec<f64> = match pick {
                1 => values.iter().copied().filter(|v| v.abs() < 10.0).collect(),
                2 => values.iter().copied().filter(|v| (1e9..1e9 + 1.0).contains(v)).collect(),
                _ => values,
            };
            prop_assume!(!values.is_empty());
            let (min, max) = extremes(&values);
            let expected_histogram = plain_histogram(&values, min, max);
            let expected_quantiles = sorted_quantiles(&values);
            if let Some(d) = binned(&values, min, max, &QUANTILES) {
                prop_assert_eq!(&d.histogram, &expected_histogram);
                prop_assert_eq!(&d.quantiles, &expected_quantiles);
            }
            let d = distribution(&mut values.clone(), min, max, values.len() as u64, &QUANTILES);
            prop_assert_eq!(d.histogram, expected_histogram);
            prop_assert_eq!(d.quantiles, expected_quantiles);
        }
    }
}
