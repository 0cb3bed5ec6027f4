use hamilton_core::node;

#[node]
fn log_spend(spend: &f64) {
    println!("{spend}");
}

fn main() {}
