use hamilton_core::node;

fn mean(values: &[f64], weights: &[f64]) -> f64 {
    values.iter().zip(weights).map(|(v, w)| v * w).sum()
}

#[node(does(mean, values = spend, weights = importance))]
fn not_a_node(spend: &[f64], importance: &[f64]) -> f64 {}

fn main() {}
