use hamilton_core::node;

#[node]
fn f64(spend: &f64) -> f64 {
    *spend
}

fn main() {}
