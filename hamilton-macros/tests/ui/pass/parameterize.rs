//! `parameterize`, `inject`, `source`, `value`, `group`.
#![deny(warnings)]

use hamilton_core::node;

/// {output_name} is {x} times {k}.
#[node(parameterize(
    double(k = value(2.0)),
    triple(k = value(3.0), x = source("ns.base"), doc = "Three times."),
    from_y(k = source(y)),
))]
pub fn scale(x: &f64, k: f64) -> f64 {
    x * k
}

#[node(inject(label = value("UK"), sizes = value([1, 2]), parts = group(a, "b.c", source("d"))))]
fn labelled(label: &str, sizes: &[u8], parts: Vec<i64>) -> usize {
    label.len() + sizes.len() + parts.len()
}

fn main() {
    let text = format!("{:?}", (<scale>::DEF.modifiers)());
    assert_eq!(
        text,
        "[parameterize(double(k = value(2.0)), triple(k = value(3.0), x = source(\"ns.base\")), from_y(k = source(\"y\")))]"
    );
    let text = format!("{:?}", (<labelled>::DEF.modifiers)());
    assert_eq!(
        text,
        "[inject(label = value(UK)), inject(sizes = value([1, 2])), inject(parts = group(a, b.c, d))]"
    );
}
