use hamilton_core::node;

#[node(parameterize(uk(k = value(1.0)), us(k = value(2.0))), tag_outputs(fr(pii = "no")))]
fn revenue(k: &f64) -> f64 {
    *k
}

#[node(unpack(train, test), tag_outputs(tset(x = "1"), train(x = 1), train(y = "a", y = "b")))]
fn split() -> (f64, f64) {
    (1.0, 2.0)
}

fn main() {}
