use hamilton_core::node;

const UK: &str = "UK";

#[node(when(region = UK))]
fn vat__named_const() -> f64 {
    0.2
}

#[node(when_in(region = "UK"))]
fn vat__not_a_list() -> f64 {
    0.2
}

#[node(when_in(region = []))]
fn vat__empty_list() -> f64 {
    0.2
}

#[node(default, when(region = "UK"))]
fn vat__both() -> f64 {
    0.2
}

#[node(when(region = "UK"))]
fn vat__() -> f64 {
    0.2
}

#[node(default = true)]
fn vat__valued_default() -> f64 {
    0.2
}

#[node(when = "UK")]
fn vat__no_parens() -> f64 {
    0.2
}

#[node(default, default)]
fn vat__twice() -> f64 {
    0.2
}

fn main() {}
