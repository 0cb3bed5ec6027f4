use hamilton_core::node;

mod features {
    hamilton_core::module!();
}

#[node(subdag(inputs(x = source("y"))))]
fn no_modules(a: &f64) -> f64 {
    *a
}

#[node(subdag(modules = features::MODULE))]
fn not_a_list(a: &f64) -> f64 {
    *a
}

#[node(subdag(modules = [features::MODULE], inputs(x = group(a, b)), namespace = "a b"))]
fn bad_parts(a: &f64) -> f64 {
    *a
}

#[node(subdag(modules = [features::MODULE], uk(config(region = "UK"))))]
fn outputs_need_parameterized(a: &f64) -> f64 {
    *a
}

#[node(parameterized_subdag(modules = [features::MODULE]))]
fn no_outputs(a: &f64) -> f64 {
    *a
}

#[node(subdag(modules = [features::MODULE]), parameterize(b(a = value(1.0))))]
fn with_parameterize(a: &f64) -> f64 {
    *a
}

#[node(subdag(modules = [features::MODULE]), subdag(modules = [features::MODULE]))]
fn twice(a: &f64) -> f64 {
    *a
}

fn main() {}
