use hamilton_core::Fields;

#[derive(Clone, Fields)]
pub struct Pair(f64, f64);

#[derive(Clone, Fields)]
pub enum Choice {
    A,
}

#[derive(Clone, Fields)]
pub struct Generic<T> {
    value: T,
}

#[derive(Clone, Fields)]
pub struct BadAttr {
    #[fields(rename = "x")]
    value: f64,
}

fn main() {}
