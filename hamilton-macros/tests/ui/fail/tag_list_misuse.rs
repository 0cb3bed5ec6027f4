use hamilton_core::node;

#[node(tag(team = []))]
fn empty_list() -> f64 {
    1.0
}

#[node(tag(team = ["ml", "bi", "ml"]))]
fn value_twice() -> f64 {
    1.0
}

#[node(tag(team = ["ml", 2]))]
fn not_a_string() -> f64 {
    1.0
}

#[node(tag(team = "ml", team = ["bi"]))]
fn key_twice() -> f64 {
    1.0
}

#[node(unpack(a, b), tag_outputs(a(team = [])))]
fn empty_output_list() -> (f64, f64) {
    (1.0, 2.0)
}

fn main() {}
