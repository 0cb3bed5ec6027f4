use hamilton_core::node;

fn plain(x: &f64) -> f64 {
    *x
}

#[node(pipe_output(step(plain)))]
fn not_a_node_step(x: &f64) -> f64 {
    *x
}

fn main() {}
