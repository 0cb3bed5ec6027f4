use hamilton_core::node;

pub struct Frame;

#[node(extract_columns(a, fill_with = 0.0, fill_with = 1.0))]
fn fill_twice() -> Frame {
    Frame
}

#[node(extract_columns(fill_with = 0.0))]
fn only_a_fill() -> Frame {
    Frame
}

struct NoDebug;

#[node(extract_columns(a, fill_with = NoDebug))]
fn fill_without_debug() -> Frame {
    Frame
}

fn main() {}
