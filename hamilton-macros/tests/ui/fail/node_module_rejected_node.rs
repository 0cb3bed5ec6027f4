// A function `#[node]` rejects is left to `#[node]`, which reports it as without the attribute.
#[hamilton_core::node_module]
mod features {
    use hamilton_core::node;

    #[node]
    pub fn generic<T: Clone>(x: &T) -> f64 {
        let _ = x;
        1.0
    }

    #[node]
    pub fn fine(x: &f64) -> f64 {
        *x
    }
}

fn main() {}
