use hamilton_core::node;

#[node(wired)]
fn a(c: &i64) -> i64 {
    c + 1
}

#[node(wired)]
fn b(a: &i64) -> i64 {
    a + 1
}

#[node(wired)]
fn c(b: &i64) -> i64 {
    b + 1
}

fn main() {}
