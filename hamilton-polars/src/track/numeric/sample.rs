//! An even sample of a stream of values, taken as the blocks go by.

/// An even sample of at most `max` of a stream of values that has at most `expected` of them:
/// every value if `expected <= max`, else the values at positions `⌊k · expected / max⌋`.
///
/// The next position is stepped to from the last one by the quotient and remainder of
/// `expected / max`, so taking a value costs an addition, not a division.
#[derive(Debug)]
pub(super) struct Sample {
    /// Whether every value is taken (`expected <= max`).
    whole: bool,
    max: usize,
    /// `expected / max` and `expected % max`.
    step: usize,
    carry: usize,
    /// The position of the next value to take, and `k · expected mod max` for its `k`.
    next: usize,
    remainder: usize,
    /// How many values went past.
    seen: usize,
    pub(super) values: Vec<f64>,
}

impl Sample {
    pub(super) fn new(expected: usize, max: usize) -> Self {
        Sample {
            whole: expected <= max,
            max,
            step: expected / max.max(1),
            carry: expected % max.max(1),
            next: 0,
            remainder: 0,
            seen: 0,
            values: Vec::with_capacity(expected.min(max)),
        }
    }

    /// Takes the sampled values of the next `block` of the stream.
    pub(super) fn take(&mut self, block: &[f64]) {
        let end = self.seen + block.len();
        if self.whole {
            self.values.extend_from_slice(block);
        } else {
            // Locals, not fields: the compiler cannot tell a push does not change a field.
            let (seen, step, carry, max) = (self.seen, self.step, self.carry, self.max);
            let (mut next, mut remainder) = (self.next, self.remainder);
            let room = max - self.values.len();
            let mut taken = 0;
            while next < end && taken < room {
                self.values.push(block[next - seen]);
                taken += 1;
                // ⌊(k+1)·e/m⌋ - ⌊k·e/m⌋ is e/m, plus one when the remainders carry.
                next += step;
                remainder += carry;
                if remainder >= max {
                    remainder -= max;
                    next += 1;
                }
            }
            (self.next, self.remainder) = (next, remainder);
        }
        self.seen = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_stream_is_taken_whole_and_a_long_one_evenly_across_blocks() {
        let values: Vec<f64> = (0..100).map(f64::from).collect();
        let mut whole = Sample::new(100, 200);
        let mut even = Sample::new(100, 10);
        for block in values.chunks(7) {
            whole.take(block);
            even.take(block);
        }
        assert_eq!(whole.values, values);
        assert_eq!(
            even.values,
            [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0]
        );
        let mut short = Sample::new(100, 10);
        short.take(&values[..45]);
        assert_eq!(
            short.values,
            [0.0, 10.0, 20.0, 30.0, 40.0],
            "fewer than expected"
        );
    }

    #[test]
    fn the_stepped_positions_are_those_of_the_division() {
        for (expected, max) in [
            (1000, 7),
            (1000, 999),
            (1001, 1000),
            (12_345, 100),
            (97, 96),
        ] {
            let values: Vec<f64> = (0..expected).map(|i| i as f64).collect();
            let mut sample = Sample::new(expected, max);
            for block in values.chunks(13) {
                sample.take(block);
            }
            let divided: Vec<f64> = (0..max).map(|k| (k * expected / max) as f64).collect();
            assert_eq!(sample.values, divided, "{expected} values, {max} taken");
        }
    }
}
