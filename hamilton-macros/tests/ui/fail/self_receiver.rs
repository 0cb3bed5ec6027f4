use hamilton_core::node;

struct Pipeline;

impl Pipeline {
    #[node]
    fn spend(&self, a: &f64) -> f64 {
        *a
    }
}

fn main() {}
