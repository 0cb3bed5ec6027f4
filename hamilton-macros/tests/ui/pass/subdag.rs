//! `subdag`, `parameterized_subdag`.
#![deny(warnings)]

use hamilton_core::{node, nodes};

mod features {
    use hamilton_core::node;
    hamilton_core::module!();

    #[node]
    pub fn scaled(x: &f64, k: &f64) -> f64 {
        x * k
    }
}

#[node(subdag(
    modules = [features::MODULE, nodes![features::scaled]],
    inputs(x = source("raw"), k = value(2.0)),
    config(region = "UK", window = 3_i64),
    namespace = "uk",
))]
fn report(scaled: &f64) -> f64 {
    *scaled
}

#[node(parameterized_subdag(
    modules = [features::MODULE],
    inputs(x = source("raw")),
    config(region = configuration("market")),
    a(inputs(k = value(1.0))),
    b(inputs(k = value(2.0)), config(mode = "b"), namespace = "bee"),
), tag_outputs(a(owner = "x")))]
fn each(scaled: &f64) -> f64 {
    *scaled
}

fn main() {
    let text = format!("{:?}", (<report>::DEF.modifiers)());
    assert!(text.contains("::features, nodes![features::scaled]], inputs(x = source(\"raw\"), k = value(2.0)), config({\"region\": Value<String>, \"window\": Value<i64>}), namespace = \"uk\")]"), "{text}");
    let text = format!("{:?}", (<each>::DEF.modifiers)());
    assert!(text.contains("inputs(x = source(\"raw\"), k = value(1.0)), config(region = configuration(\"market\")), output = \"a\")"), "{text}");
    assert!(text.contains("namespace = \"bee\", output = \"b\")"), "{text}");
}
