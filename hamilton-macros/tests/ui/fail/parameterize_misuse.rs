use hamilton_core::node;

#[node(parameterize(a(spnd = source("x")), b(k = value(1.0), k = value(2.0))))]
fn unknown_and_twice(spend: &f64, k: &f64) -> f64 {
    spend * k
}

#[node(parameterize(a(k = group(x, y))))]
fn group_into_a_scalar(k: &f64) -> f64 {
    *k
}

#[node(parameterize(a(k = "x"), a(k = value(1.0))))]
fn bare_string_and_duplicate_output(k: &f64) -> f64 {
    *k
}

#[node(name = "other", parameterize(a(k = value(1.0))))]
fn with_name(k: &f64, output_name: &str) -> f64 {
    let _ = output_name;
    *k
}

#[node(parameterize())]
fn no_outputs(k: &f64) -> f64 {
    *k
}

#[node(inject(window = value(3)), inject(k = source(1)))]
fn inject_unknown(k: &f64) -> f64 {
    *k
}

fn main() {}
