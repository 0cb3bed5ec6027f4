use hamilton_core::node;

// Every problem is reported at once, and the function is still emitted (so `main` compiles).
#[node(colour = "red")]
unsafe fn spend<T>(_: T, (a, b): (f64, f64), c: &mut f64) {
    let _ = (a, b, c);
}

fn main() {
    let _ = spend::<u8>;
}
