//! Multiple outputs: `extract_fields` (a field list, or `#[derive(Fields)]`), `unpack` for
//! tuples, and `extract_columns` through the registry of column extractors; with
//! `parameterize`, and the build errors (no extractor registered, a field of the wrong type).

use std::collections::BTreeMap;

use hamilton_core::modifiers::{ColumnExtractor, Field, Modifier};
use hamilton_core::{
    BuildError, Driver, Error, Fields, Inputs, Module, node,
    node::{Args, Node},
    nodes, register_column_extractor,
};

/// Train and test data.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    train: Vec<f64>,
    test: Vec<f64>,
    seed: u64,
}

/// Splits the data in two.
#[node(extract_fields(train, test: Vec<f64>), tag(stage = "prep"))]
fn split(data: &[f64], random_seed: Option<&u64>) -> Split {
    let (train, test) = data.split_at(data.len() / 2);
    Split {
        train: train.to_vec(),
        test: test.to_vec(),
        seed: random_seed.copied().unwrap_or(0),
    }
}

#[node]
fn train_mean(train: &[f64]) -> f64 {
    train.iter().sum::<f64>() / train.len() as f64
}

fn build(modules: impl IntoIterator<Item = Module>) -> Result<Driver, Error> {
    Driver::builder().with_modules(modules).build()
}

fn data() -> Inputs {
    Inputs::new().set("data", vec![1.0, 2.0, 3.0, 4.0])
}

#[test]
fn each_listed_field_is_a_node_and_the_struct_node_stays() {
    let dr = build([nodes![split, train_mean]]).unwrap();
    let out = dr
        .execute(&["train_mean", "test", "split"], data())
        .unwrap();
    assert_eq!(out.get::<f64>("train_mean").unwrap(), &1.5);
    assert_eq!(out.get::<Vec<f64>>("test").unwrap(), &[3.0, 4.0]);
    assert_eq!(out.get::<Split>("split").unwrap().seed, 0);
    let test = dr.node("test").unwrap();
    assert_eq!(test.type_name(), "Vec<f64>");
    assert_eq!(
        test.tags().get("stage").map(String::as_str),
        Some("prep"),
        "the function's tags go on its fields"
    );
    assert!(dr.node("seed").is_none(), "only listed fields");
}

/// Summary statistics.
#[derive(Clone, Fields)]
pub struct Stats {
    mean: f64,
    count: usize,
    #[fields(skip)]
    _scratch: Vec<f64>,
}

#[node(extract_fields)]
fn stats(xs: &[f64]) -> Result<Stats, String> {
    if xs.is_empty() {
        return Err("no data".into());
    }
    Ok(Stats {
        mean: xs.iter().sum::<f64>() / xs.len() as f64,
        count: xs.len(),
        _scratch: Vec::new(),
    })
}

#[test]
fn a_derived_fields_struct_extracts_every_field() {
    let dr = build([nodes![stats]]).unwrap();
    let out = dr
        .execute(&["mean", "count"], Inputs::new().set("xs", vec![2.0, 4.0]))
        .unwrap();
    assert_eq!(out.get::<f64>("mean").unwrap(), &3.0);
    assert_eq!(out.get::<usize>("count").unwrap(), &2);
    assert!(dr.node("_scratch").is_none());
}

#[node(unpack(low, _, high))]
fn bounds(xs: &[f64]) -> (f64, usize, f64) {
    let low = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let high = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (low, xs.len(), high)
}

#[test]
fn unpack_names_tuple_elements() {
    let dr = build([nodes![bounds]]).unwrap();
    let out = dr
        .execute(
            &["low", "high"],
            Inputs::new().set("xs", vec![3.0, -1.0, 7.0]),
        )
        .unwrap();
    assert_eq!(
        (
            out.get::<f64>("low").unwrap(),
            out.get::<f64>("high").unwrap()
        ),
        (&-1.0, &7.0)
    );
}

#[node(parameterize(uk_bounds(xs = source("uk")), us_bounds(xs = source("us"))), unpack(min, max))]
fn range(xs: &[f64]) -> (f64, f64) {
    (xs[0], xs[xs.len() - 1])
}

#[test]
fn with_several_outputs_fields_are_namespaced_by_output() {
    let dr = build([nodes![range]]).unwrap();
    let out = dr
        .execute(
            &["uk_bounds.min", "us_bounds.max"],
            Inputs::new()
                .set("uk", vec![1.0, 2.0])
                .set("us", vec![5.0, 9.0]),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("uk_bounds.min").unwrap(), &1.0);
    assert_eq!(out.get::<f64>("us_bounds.max").unwrap(), &9.0);
}

/// A stand-in for a dataframe: columns by name.
#[derive(Clone, Debug)]
pub struct Frame(BTreeMap<String, Vec<f64>>);

/// A stand-in for a column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column(Vec<f64>);

fn frame_column(frame: &Frame, name: &str) -> Result<Column, String> {
    frame
        .0
        .get(name)
        .cloned()
        .map(Column)
        .ok_or_else(|| format!("no column `{name}` in the frame"))
}

register_column_extractor!(frame_column);

#[node(extract_columns(year, week, "spend_total"))]
fn frame(path: &str) -> Frame {
    let mut cols = BTreeMap::new();
    cols.insert("year".to_string(), vec![2024.0, 2025.0]);
    cols.insert("week".to_string(), vec![1.0, 2.0]);
    cols.insert("spend_total".to_string(), vec![path.len() as f64]);
    Frame(cols)
}

#[node]
fn weeks(week: &Column) -> usize {
    week.0.len()
}

#[test]
fn extract_columns_uses_the_registered_extractor_for_the_output_type() {
    let dr = build([nodes![frame, weeks]]).unwrap();
    let out = dr
        .execute(
            &["weeks", "year", "spend_total"],
            Inputs::new().set("path", "abc"),
        )
        .unwrap();
    assert_eq!(out.get::<usize>("weeks").unwrap(), &2);
    assert_eq!(
        out.get::<Column>("year").unwrap(),
        &Column(vec![2024.0, 2025.0])
    );
    assert_eq!(
        out.get::<Column>("spend_total").unwrap(),
        &Column(vec![3.0])
    );
    assert_eq!(dr.node("week").unwrap().type_name(), "Column");
}

#[node(extract_columns(missing))]
fn thin_frame() -> Frame {
    Frame(BTreeMap::new())
}

#[test]
fn a_missing_column_fails_the_column_node_at_run_time() {
    let dr = build([nodes![thin_frame]]).unwrap();
    let err = dr.execute(&["missing"], Inputs::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("node `missing` failed: no column `missing` in the frame"),
        "{err}"
    );
}

/// No extractor is registered for this type.
#[derive(Clone)]
pub struct Table;

#[node(extract_columns(a))]
fn table() -> Table {
    Table
}

#[test]
fn no_registered_extractor_is_a_build_error_naming_the_node_and_type() {
    let err = build([nodes![table]]).unwrap_err();
    let [
        BuildError::Modifier {
            node,
            option,
            problem,
            ..
        },
    ] = err.build_errors()
    else {
        panic!("{err}");
    };
    assert_eq!(
        (node.as_str(), option.as_str()),
        ("table", "extract_columns")
    );
    assert!(
        problem.starts_with("no column extractor is registered for `Table`"),
        "{problem}"
    );
    assert!(problem.contains("register_column_extractor!"), "{problem}");
}

#[test]
fn hand_built_fields_and_columns() {
    let pair = Node::builder("pair")
        .modifier(Modifier::extract_fields([
            Field::new("left", |p: &(i64, String)| p.0),
            Field::new("right", |p: &(i64, String)| p.1.clone()),
        ]))
        .build(|_: &Args| Ok((1_i64, "r".to_string())));
    let table = Node::builder("cols")
        .modifier(Modifier::extract_columns_with(
            ColumnExtractor::new(|t: &Vec<(String, i64)>, name: &str| {
                t.iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| *v)
                    .ok_or("missing")
            }),
            ["x"],
        ))
        .build(|_: &Args| Ok(vec![("x".to_string(), 42_i64)]));
    let dr = Driver::builder().with_nodes([pair, table]).build().unwrap();
    let out = dr.execute(&["left", "right", "x"], Inputs::new()).unwrap();
    assert_eq!(out.get::<i64>("left").unwrap(), &1);
    assert_eq!(out.get::<String>("right").unwrap(), "r");
    assert_eq!(out.get::<i64>("x").unwrap(), &42);
}

#[test]
fn a_field_read_from_another_type_is_a_build_error() {
    let n = Node::builder("n")
        .modifier(Modifier::extract_fields([Field::new(
            "f",
            |p: &(i64, i64)| p.0,
        )]))
        .build(|_: &Args| Ok(1_i64));
    let err = Driver::builder().with_nodes([n]).build().unwrap_err();
    assert!(
        err.to_string()
            .contains("field `f` is read from a `(i64, i64)`, but the node produces `i64`"),
        "{err}"
    );
}

#[test]
fn extracted_fields_and_columns_inherit_their_functions_doc() {
    let dr = build([nodes![split, frame, weeks]]).unwrap();
    assert_eq!(
        dr.node("train").unwrap().doc(),
        "Splits the data in two.\n\n(The field `train` of `split`.)"
    );
    assert_eq!(dr.node("year").unwrap().doc(), "Column `year` of `frame`.");
}

#[test]
fn a_field_with_its_own_doc_keeps_it() {
    let pair = Node::builder("pair")
        .doc("The bounds.")
        .modifier(Modifier::extract_fields([
            Field::new("lo", |p: &(f64, f64)| p.0).doc("The lower bound."),
            Field::new("hi", |p: &(f64, f64)| p.1),
        ]))
        .build(|_: &hamilton_core::node::Args| Ok((1.0_f64, 2.0_f64)));
    let dr = Driver::builder().with_nodes([pair]).build().unwrap();
    assert_eq!(dr.node("lo").unwrap().doc(), "The lower bound.");
    assert_eq!(
        dr.node("hi").unwrap().doc(),
        "The bounds.\n\n(The field `hi` of `pair`.)"
    );
}
