// An attribute macro sees only the function it is on, not the `impl` block around it, so a
// method without `self` cannot be told from a free function: the errors are rustc's, on the
// items `#[node]` generates next to the function, which an `impl` block cannot hold.
use hamilton_core::node;

struct Pipeline;

impl Pipeline {
    #[node]
    fn spend(a: &f64) -> f64 {
        *a
    }
}

fn main() {}
