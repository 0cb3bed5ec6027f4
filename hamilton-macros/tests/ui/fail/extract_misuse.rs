use hamilton_core::node;

#[derive(Clone)]
pub struct Split {
    train: Vec<f64>,
}

#[node(unpack(a, b))]
fn not_a_tuple() -> f64 {
    1.0
}

#[node(unpack(a, b, c))]
fn too_many_names() -> (f64, f64) {
    (1.0, 2.0)
}

#[node(extract_fields(train, tset, train: Vec<u8>))]
fn unknown_field() -> Split {
    Split { train: vec![] }
}

#[node(extract_fields(tset))]
fn misspelled_field() -> Split {
    Split { train: vec![] }
}

#[node(extract_fields(train: Vec<u8>))]
fn wrong_field_type() -> Split {
    Split { train: vec![] }
}

#[node(extract_fields)]
fn not_derived() -> Split {
    Split { train: vec![] }
}

#[node(extract_columns(a, "b c"))]
fn bad_column_name() -> (f64,) {
    (1.0,)
}

#[node(extract_columns(a, a))]
fn duplicate_column() -> (f64,) {
    (1.0,)
}

#[node(extract_columns(a), unpack(x))]
fn two_extractions() -> (f64,) {
    (1.0,)
}

fn main() {}
