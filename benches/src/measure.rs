//! Timing and memory measurement: medians, paired runs, batching of short calls, peak RSS.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The median of `values` (the mean of the two middle values for an even count; NaN if empty).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// How many calls of a function that took `single` make one sample of at least `min_sample`
/// (at least 1, at most 100,000).
pub fn batch_size(single: Duration, min_sample: Duration) -> usize {
    if min_sample.is_zero() || single >= min_sample {
        return 1;
    }
    let per_call = single.as_secs_f64().max(1e-9);
    ((min_sample.as_secs_f64() / per_call).ceil() as usize).clamp(1, 100_000)
}

/// Seconds per call of `f`, over `calls` back-to-back calls. The value each call returns is
/// dropped inside the timed region (as a caller that discards it would pay for).
pub fn time_per_call<T>(calls: usize, mut f: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        black_box(f());
    }
    start.elapsed().as_secs_f64() / calls as f64
}

/// Seconds per call of `f`, keeping every result until the clock stops (so that dropping them,
/// e.g. drivers, is not timed).
pub fn time_per_call_keep<T>(calls: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut kept = Vec::with_capacity(calls);
    let start = Instant::now();
    for _ in 0..calls {
        kept.push(f());
    }
    let elapsed = start.elapsed().as_secs_f64();
    drop(black_box(kept));
    elapsed / calls as f64
}

/// `reps` paired samples of `a` and `b`, after one unpaired warm-up pair. Pairs alternate their
/// order (a b, b a, a b, ...), as the Python baseline does (H W W H H W ...), so that drift of a
/// noisy machine hits both alike. Each sample is the time per call over `calls` calls.
pub fn paired<A, B>(
    reps: usize,
    calls: usize,
    mut a: impl FnMut() -> A,
    mut b: impl FnMut() -> B,
) -> (Vec<f64>, Vec<f64>) {
    let mut ta = Vec::with_capacity(reps);
    let mut tb = Vec::with_capacity(reps);
    for i in 0..=reps {
        let (x, y) = if i % 2 == 0 {
            let x = time_per_call(calls, &mut a);
            let y = time_per_call(calls, &mut b);
            (x, y)
        } else {
            let y = time_per_call(calls, &mut b);
            let x = time_per_call(calls, &mut a);
            (x, y)
        };
        if i > 0 {
            ta.push(x);
            tb.push(y);
        }
    }
    (ta, tb)
}

/// `reps` samples of each of `fns`, after one warm-up round: round `i` runs them in turn starting
/// from the `i`-th (a b c, b c a, c a b, ...), so that drift of a noisy machine hits all alike.
/// Each sample is the time per call over `calls` calls; one `Vec` of samples per function.
pub fn rotated(reps: usize, calls: usize, fns: &mut [&mut dyn FnMut()]) -> Vec<Vec<f64>> {
    let k = fns.len();
    let mut samples = vec![Vec::with_capacity(reps); k];
    for round in 0..=reps {
        for j in 0..k {
            let at = (round + j) % k;
            let t = time_per_call(calls, &mut *fns[at]);
            if round > 0 {
                samples[at].push(t);
            }
        }
    }
    samples
}

/// The median over pairs of `f(a_i, b_i)`.
pub fn median_paired(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> f64 {
    let v: Vec<f64> = a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect();
    median(&v)
}

fn status_field_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Peak resident set size of this process so far (`VmHWM`, KiB), if the platform reports it.
pub fn peak_rss_kib() -> Option<u64> {
    status_field_kib("VmHWM")
}

/// Current resident set size (`VmRSS`, KiB).
pub fn rss_kib() -> Option<u64> {
    status_field_kib("VmRSS")
}

/// The bytes the allocator counts as allocated and not freed (jemalloc's `stats.allocated`,
/// refreshed first): exact where the resident set also counts pages the allocator keeps after
/// frees. `None` without the `jemalloc` feature.
pub fn allocated_bytes() -> Option<u64> {
    #[cfg(feature = "jemalloc")]
    {
        tikv_jemalloc_ctl::epoch::advance().ok()?;
        tikv_jemalloc_ctl::stats::allocated::read()
            .ok()
            .map(|b| b as u64)
    }
    #[cfg(not(feature = "jemalloc"))]
    {
        None
    }
}

/// Resets the peak RSS (`VmHWM`) to the current RSS by writing `5` to `/proc/self/clear_refs`
/// (Linux ≥ 4.0). Returns whether that worked.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Runs this executable with `args` in a fresh child process (so that its memory is its own);
/// the JSON of the last line it printed.
pub fn child_json(args: &[&str]) -> Result<serde_json::Value, String> {
    child_json_with_env(args, &[])
}

/// [`child_json`], the child started with the environment variables `env` set as well.
pub fn child_json_with_env(
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<serde_json::Value, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(exe)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|e| format!("`{}` printed `{line}`: {e}", args.join(" ")))
}
