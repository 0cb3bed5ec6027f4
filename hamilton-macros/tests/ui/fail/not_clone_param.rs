use hamilton_core::node;

struct Model {
    weights: Vec<f64>,
}

#[node]
fn score(model: Model, x: &f64) -> f64 {
    model.weights.iter().sum::<f64>() * x
}

fn main() {}
