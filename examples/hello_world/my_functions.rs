//! The dataflow of the hello world: each function's name is the value it produces, its
//! parameters are the values it needs.

use hamilton_core::node;

hamilton_core::module!();

/// The sum of `a` and `b`, element by element.
#[node]
pub fn c(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a + b).collect()
}

/// `c`, transformed: each value squared.
#[node]
pub fn d(c: &[f64]) -> Vec<f64> {
    c.iter().map(|x| x * x).collect()
}

/// The average of `d`.
#[node]
pub fn d_mean(d: &[f64]) -> f64 {
    d.iter().sum::<f64>() / d.len() as f64
}

#[cfg(test)]
mod tests {
    // Nodes are plain functions: test them like any other.
    #[test]
    fn c_adds_element_by_element() {
        assert_eq!(super::c(&[1.0, 2.0], &[10.0, 20.0]), [11.0, 22.0]);
    }
}
