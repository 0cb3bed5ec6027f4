use hamilton_core::node;

#[node]
fn prices() -> Vec<f64> {
    vec![]
}

#[node(mutate(apply_to(pricse, k = value(1.0)).named("shifted")))]
fn misspelled_target(xs: Vec<f64>, k: &f64) -> Vec<f64> {
    let _ = k;
    xs
}

fn main() {}
