use hamilton_core::node;

#[node]
fn amount_clean(amount: &f64) -> f64 {
    amount.abs()
}

#[node(wired)]
fn amount_doubled(amount_cleen: &f64) -> f64 {
    amount_cleen * 2.0
}

fn main() {}
