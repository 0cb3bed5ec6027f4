use hamilton_core::node;

#[node]
fn total(xs: impl IntoIterator<Item = f64>) -> f64 {
    xs.into_iter().sum()
}

fn main() {}
