use std::rc::Rc;

use hamilton_core::node;

async fn tick() {}

// The future must be `Send`: reported on the function's name, with the value held across the
// `.await`.
#[node]
async fn not_send(x: &i64) -> i64 {
    let shared = Rc::new(*x);
    tick().await;
    *shared
}

fn add(a: &f64, b: &f64) -> f64 {
    a + b
}

// `does` generates a body that calls the reused function without awaiting it.
#[node(does(add))]
async fn reused(a: &f64, b: &f64) -> f64 {}

fn main() {}
