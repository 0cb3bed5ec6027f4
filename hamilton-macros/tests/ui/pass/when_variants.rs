//! `when` variants: names, and no `non_snake_case` warning for `foo__variant`.
#![deny(warnings)]

use hamilton_core::node;

fn big(config: &hamilton_core::Config) -> bool {
    config.contains("big")
}

#[node(when(region = "UK", tier = 2, ratio = -0.5, on = true))]
fn vat__uk() -> f64 {
    0.2
}

#[node(when_not_in(region = ["UK", "US"]), when_fn(big))]
fn vat__rest() -> f64 {
    0.1
}

#[node(default, name = "tax")]
fn any_tax() -> f64 {
    0.0
}

#[node(when_not(region = "UK"))]
fn no_suffix() -> f64 {
    0.0
}

fn main() {
    assert_eq!(<vat__uk>::DEF.name, "vat");
    assert_eq!(<vat__uk>::DEF.function, "vat__uk");
    assert_eq!((<vat__uk>::DEF.modifiers)().len(), 4);
    assert_eq!(<vat__rest>::DEF.name, "vat");
    assert_eq!(<any_tax>::DEF.name, "tax");
    assert_eq!(<no_suffix>::DEF.name, "no_suffix");
    let text = format!("{:?}", (<vat__uk>::DEF.modifiers)());
    assert_eq!(text, "[when(region = \"UK\"), when(tier = 2), when(ratio = -0.5), when(on = true)]");
}
