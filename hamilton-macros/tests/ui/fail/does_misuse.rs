use hamilton_core::node;

fn add(a: &f64, b: &f64) -> f64 {
    a + b
}

#[node(does(add))]
fn with_body(a: &f64, b: &f64) -> f64 {
    a * b
}

#[node(does(add))]
fn wrong_signature(a: &f64, b: &i64) -> f64 {}

#[node(does(add, all))]
fn bad_mode(a: &f64, b: &f64) -> f64 {}

#[node(does(add, slice))]
fn slice_of_nothing() -> f64 {}

fn main() {}
