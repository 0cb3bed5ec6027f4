use hamilton_core::node;

#[node]
fn prices() -> Vec<f64> {
    vec![]
}

#[node(mutate(k = value(1.0)))]
fn no_target(xs: Vec<f64>, k: &f64) -> Vec<f64> {
    let _ = k;
    xs
}

#[node(mutate(prices), parameterize(a(xs = source("b"))))]
fn mutate_and_expand(xs: Vec<f64>) -> Vec<f64> {
    xs
}

fn main() {}
