//! `to_dataframe`: outputs as one DataFrame.

use hamilton_core::{
    Driver, Inputs, Outputs,
    node::{Args, Node},
};
use hamilton_polars::{Error, OutputsExt, to_dataframe};
use polars::prelude::*;

/// A node `name` that produces `value`.
fn constant<T: Clone + Send + Sync + 'static>(name: &str, value: T) -> Node {
    Node::builder(name).build(move |_: &Args| Ok(value.clone()))
}

fn run(nodes: Vec<Node>, outputs: &[&str]) -> Outputs {
    Driver::builder()
        .with_nodes(nodes)
        .build()
        .unwrap()
        .execute(outputs, Inputs::new())
        .unwrap()
}

fn names(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect()
}

#[test]
fn columns_are_named_after_their_nodes_in_request_order() {
    let out = run(
        vec![
            constant("a", Series::new("whatever".into(), &[1_i64, 2])),
            constant("b", Column::new("other".into(), &[3.0, 4.0])),
            constant("c", Int32Chunked::from_vec("".into(), vec![5, 6])),
        ],
        &["c", "a", "b"],
    );
    let df = to_dataframe(out).unwrap();
    assert_eq!(names(&df), ["c", "a", "b"]);
    assert_eq!(df.column("a").unwrap().i64().unwrap().get(1), Some(2));
}

#[test]
fn scalars_are_broadcast_to_the_height_and_keep_their_place() {
    let out = run(
        vec![
            constant("mean", 2.5_f64),
            constant("x", Series::new("x".into(), &[1_i64, 2, 3])),
            constant("flag", true),
            constant("label", String::from("UK")),
            constant("count", 7_i64),
        ],
        &["mean", "x", "flag", "label", "count"],
    );
    let df = out.to_dataframe().unwrap();
    assert_eq!(names(&df), ["mean", "x", "flag", "label", "count"]);
    assert_eq!(df.height(), 3);
    assert_eq!(df.column("mean").unwrap().f64().unwrap().get(2), Some(2.5));
    assert_eq!(
        df.column("flag").unwrap().bool().unwrap().get(2),
        Some(true)
    );
    assert_eq!(
        df.column("label").unwrap().str().unwrap().get(2),
        Some("UK")
    );
    assert_eq!(df.column("count").unwrap().i64().unwrap().get(0), Some(7));
}

#[test]
fn only_scalars_make_one_row() {
    let out = run(
        vec![constant("a", 1.0_f64), constant("b", 2_i64)],
        &["a", "b"],
    );
    let df = to_dataframe(out).unwrap();
    assert_eq!(df.shape(), (1, 2));
}

#[test]
fn unequal_heights_are_an_error_naming_each_node_and_height() {
    let out = run(
        vec![
            constant("a", Series::new("a".into(), &[1_i64, 2, 3])),
            constant("b", Series::new("b".into(), &[1_i64, 2])),
            constant("s", 1.0_f64),
        ],
        &["a", "b", "s"],
    );
    let err = to_dataframe(out).unwrap_err();
    let Error::HeightMismatch { heights } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(heights, &[("a".to_string(), 3), ("b".to_string(), 2)]);
    assert!(
        err.to_string().contains("`a` has 3 rows, `b` has 2 rows"),
        "{err}"
    );
}

#[test]
fn a_single_dataframe_is_returned_as_is() {
    let df = df!("x" => [1, 2], "y" => [3, 4]).unwrap();
    let out = run(vec![constant("frame", df.clone())], &["frame"]);
    assert!(to_dataframe(out).unwrap().equals(&df));
}

#[test]
fn a_single_lazyframe_is_collected() {
    let lf = df!("x" => [1, 2])
        .unwrap()
        .lazy()
        .with_column((col("x") * lit(3)).alias("y"));
    let out = run(vec![constant("frame", lf)], &["frame"]);
    let df = to_dataframe(out).unwrap();
    assert_eq!(names(&df), ["x", "y"]);
    assert_eq!(df.column("y").unwrap().i32().unwrap().get(1), Some(6));
}

#[test]
fn a_frame_among_other_outputs_contributes_prefixed_columns() {
    let out = run(
        vec![
            constant("frame", df!("x" => [1, 2]).unwrap()),
            constant("z", Series::new("z".into(), &[5, 6])),
        ],
        &["z", "frame"],
    );
    let df = to_dataframe(out).unwrap();
    assert_eq!(names(&df), ["z", "frame.x"]);
}

#[test]
fn an_expr_output_is_an_error_pointing_to_collect_exprs() {
    let out = run(vec![constant("e", col("a"))], &["e"]);
    let err = to_dataframe(out).unwrap_err().to_string();
    assert!(err.starts_with("output `e` is a `Expr`"), "{err}");
    assert!(err.contains("collect_exprs"), "{err}");
}

#[test]
fn an_output_of_an_unsupported_type_is_an_error_naming_it_and_its_type() {
    let out = run(
        vec![constant("v", vec![1_u8]), constant("a", 1.0_f64)],
        &["a", "v"],
    );
    let err = to_dataframe(out).unwrap_err().to_string();
    assert!(
        err.starts_with("output `v` is a `Vec<u8>`: it cannot be a DataFrame column"),
        "{err}"
    );
}

#[test]
fn an_optional_scalar_broadcasts_as_null_when_absent() {
    let out = run(
        vec![
            constant("x", Series::new("x".into(), &[1_i64, 2])),
            constant("m", None::<f64>),
        ],
        &["x", "m"],
    );
    let df = to_dataframe(out).unwrap();
    assert_eq!(df.column("m").unwrap().null_count(), 2);
}

#[test]
fn no_outputs_make_an_empty_frame() {
    let out = run(vec![constant("a", 1.0_f64)], &[]);
    assert_eq!(to_dataframe(out).unwrap().width(), 0);
}
