use std::rc::Rc;

use hamilton_core::node;

#[node]
fn shared(count: &Rc<i32>, ok: &f64) -> f64 {
    **count as f64 + ok
}

fn main() {}
