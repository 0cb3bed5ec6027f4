use hamilton_core::node;

#[node]
fn first<T: Clone + Send + Sync + 'static>(xs: &Vec<T>) -> T {
    xs[0].clone()
}

fn main() {}
