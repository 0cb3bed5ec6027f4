use hamilton_core::node;

#[node(exclude)]
fn add(x: &f64, k: &f64) -> f64 {
    x + k
}

fn plain(x: &f64) -> f64 {
    *x
}

#[node(pipe_input(step(add, k = value(1.0))))]
fn no_params() -> f64 {
    1.0
}

#[node(pipe_input(step(add, k = value(1.0)), on_input = y))]
fn unknown_input(x: &f64) -> f64 {
    *x
}

#[node(pipe_output(step(add, k = value("one")), step(add, kk = value(1.0))))]
fn wrong_step_values(x: &f64) -> f64 {
    *x
}

#[node(pipe_output(step(plain)))]
fn not_a_node_step(x: &f64) -> f64 {
    *x
}

#[node(pipe_output(add(1.0), step(add, 2.0), step(add, k = group(a, b)), step(add).when(k), step(add).named(1)))]
fn malformed(x: &f64) -> f64 {
    *x
}

#[node(pipe_output())]
fn empty(x: &f64) -> f64 {
    *x
}

fn main() {}
