use std::rc::Rc;

use hamilton_core::node;

#[node]
fn shared(a: &i32) -> Rc<i32> {
    Rc::new(*a)
}

fn main() {}
