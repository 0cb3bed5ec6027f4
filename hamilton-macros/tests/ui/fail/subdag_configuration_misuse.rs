use hamilton_core::node;

mod features {
    hamilton_core::module!();
}

#[node(subdag(modules = [features::MODULE], config(region = configuration(market))))]
fn not_a_string(a: &f64) -> f64 {
    *a
}

#[node(subdag(modules = [features::MODULE], config(region = configuration("a", "b"))))]
fn two_keys(a: &f64) -> f64 {
    *a
}

fn main() {}
