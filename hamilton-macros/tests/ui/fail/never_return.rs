use hamilton_core::node;

#[node]
fn spend(a: &f64) -> ! {
    panic!("{a}")
}

fn main() {}
