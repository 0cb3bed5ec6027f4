//! A column's values visited 64 at a time with their validity bits.

use polars_arrow::bitmap::Bitmap;

/// Calls `f` with each run of (at most) 64 of `values`, in order, and the validity bits of
/// the run (bit `j` for `run[j]`, read from `valid` a 64-bit word at a time rather than bit by
/// bit; all set without a validity). Runs are never empty.
#[inline(always)]
pub(super) fn by_words<T>(values: &[T], valid: Option<&Bitmap>, mut f: impl FnMut(&[T], u64)) {
    let Some(valid) = valid else {
        for run in values.chunks(64) {
            f(run, u64::MAX);
        }
        return;
    };
    let mut words = valid.fast_iter_u64();
    let mut at = 0;
    for word in &mut words {
        f(&values[at..at + 64], word);
        at += 64;
    }
    let ([lo, hi], _) = words.remainder();
    let rest = &values[at..];
    if !rest.is_empty() {
        f(&rest[..rest.len().min(64)], lo);
    }
    if rest.len() > 64 {
        f(&rest[64..], hi);
    }
}
