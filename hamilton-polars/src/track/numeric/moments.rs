//! The count, extremes, mean and standard deviation of a stream of blocks of values, in one
//! pass.

/// The running count, extremes, sum and sum of squared deviations of blocks of values: each
/// block's deviations from its own mean, merged by Chan et al.'s update, all of the values less
/// the first one (so a column far from zero loses no precision): about as precise as two passes
/// over the whole column.
#[derive(Debug)]
pub(super) struct Moments {
    pub(super) n: u64,
    pub(super) min: f64,
    pub(super) max: f64,
    /// Subtracted from every value: the first one, if finite.
    shift: f64,
    /// The sum of the shifted values.
    sum: f64,
    /// The mean of the shifted values.
    mean: f64,
    m2: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            shift: 0.0,
            sum: 0.0,
            mean: 0.0,
            m2: 0.0,
        }
    }
}

/// Independent accumulators per loop, so the compiler can use vector instructions.
const LANES: usize = 8;

impl Moments {
    /// Adds a non-empty block of values (no NaNs).
    pub(super) fn add(&mut self, block: &[f64]) {
        if self.n == 0 && block[0].is_finite() {
            self.shift = block[0];
        }
        let shift = self.shift;
        let (mut lo, mut hi, mut sum) = (
            [f64::INFINITY; LANES],
            [f64::NEG_INFINITY; LANES],
            [0.0; LANES],
        );
        let lanes = block.chunks_exact(LANES);
        let rest = lanes.remainder();
        // No NaNs: a comparison is a minimum (`f64::min` would also handle NaNs, more slowly).
        for part in lanes {
            for i in 0..LANES {
                lo[i] = if part[i] < lo[i] { part[i] } else { lo[i] };
                hi[i] = if part[i] > hi[i] { part[i] } else { hi[i] };
                sum[i] += part[i] - shift;
            }
        }
        for (i, v) in rest.iter().enumerate() {
            lo[i] = lo[i].min(*v);
            hi[i] = hi[i].max(*v);
            sum[i] += v - shift;
        }
        let sum: f64 = sum.iter().sum();
        let n = block.len() as f64;
        // Of the shifted values.
        let mean = sum / n;
        let mut squares = [0.0; LANES];
        let lanes = block.chunks_exact(LANES);
        let rest = lanes.remainder();
        for part in lanes {
            for i in 0..LANES {
                let d = part[i] - shift - mean;
                squares[i] += d * d;
            }
        }
        for (i, v) in rest.iter().enumerate() {
            let d = v - shift - mean;
            squares[i] += d * d;
        }
        let m2: f64 = squares.iter().sum();
        let before = self.n as f64;
        let total = before + n;
        let delta = mean - self.mean;
        self.mean += delta * n / total;
        self.m2 += m2 + delta * delta * before * n / total;
        self.n += block.len() as u64;
        self.sum += sum;
        self.min = lo.iter().fold(self.min, |a, b| a.min(*b));
        self.max = hi.iter().fold(self.max, |a, b| a.max(*b));
    }

    /// The mean of the values.
    pub(super) fn mean(&self) -> f64 {
        self.shift + self.sum / self.n as f64
    }

    /// The sample standard deviation (`ddof` 1), `None` below two values.
    pub(super) fn std(&self) -> Option<f64> {
        (self.n > 1).then(|| (self.m2 / (self.n - 1) as f64).sqrt())
    }
}
