use hamilton_core::node;

#[node]
fn prices() -> Vec<f64> {
    vec![]
}

#[node(mutate(pricse))]
fn misspelled_target(xs: Vec<f64>) -> Vec<f64> {
    xs
}

fn main() {}
