use hamilton_core::node;

#[derive(Clone)]
struct Point {
    x: f64,
    y: f64,
}

#[node]
fn norm(Point { x, y }: Point) -> f64 {
    (x * x + y * y).sqrt()
}

fn main() {}
