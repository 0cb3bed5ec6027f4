use hamilton_core::node;

#[node(exclude)]
fn add(x: &f64, k: &f64) -> f64 {
    x + k
}

#[node(pipe_input(step(add, k = value(1.0)), namespace = prep))]
fn not_a_string(x: &f64) -> f64 {
    *x
}

#[node(pipe_input(step(add, k = value(1.0)), namespace = "a..b"))]
fn not_a_name(x: &f64) -> f64 {
    *x
}

fn main() {}
