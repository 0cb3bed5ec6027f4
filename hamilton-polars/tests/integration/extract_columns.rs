//! `extract_columns`: one node per column, Series for DataFrames, Expr for LazyFrames.

use hamilton_core::{
    Driver, Error as CoreError, Inputs,
    node::{Args, Node},
};
use hamilton_polars::{
    EXTRACT_TAG, Error, collect_exprs, extract_columns, extract_columns_with_fill,
};
use polars::prelude::*;

fn frame() -> DataFrame {
    df!("year" => [2023_i64, 2023, 2024], "spend" => [1.0, 2.0, 3.0]).unwrap()
}

fn eager_node() -> Node {
    Node::builder("marketing").build(|_: &Args| Ok(frame()))
}

fn lazy_node() -> Node {
    Node::builder("marketing").build(|_: &Args| Ok(frame().lazy()))
}

fn driver(nodes: Vec<Node>) -> Driver {
    Driver::builder().with_nodes(nodes).build().unwrap()
}

/// The error a failed node returned, as this crate's error.
fn node_error(err: &CoreError) -> (&str, &Error) {
    let CoreError::NodeFailed { node, source } = err else {
        panic!("{err:?}")
    };
    (
        node,
        source
            .downcast_ref::<Error>()
            .unwrap_or_else(|| panic!("{source:?}")),
    )
}

#[test]
fn a_dataframe_node_gives_series_nodes_named_after_the_columns() {
    let nodes = extract_columns(eager_node(), &["spend", "year"]).unwrap();
    let names: Vec<&str> = nodes.iter().map(Node::name).collect();
    assert_eq!(names, ["marketing", "spend", "year"]);
    assert_eq!(nodes[1].output().name(), "Series");
    assert_eq!(nodes[1].tags()[EXTRACT_TAG], "marketing");
    assert_eq!(nodes[1].params()[0].name(), "marketing");

    let out = driver(nodes)
        .execute(&["spend", "year"], Inputs::new())
        .unwrap();
    let spend = out.get::<Series>("spend").unwrap();
    assert!(spend.equals(frame().column("spend").unwrap().as_materialized_series()));
    assert_eq!(
        out.get::<Series>("year").unwrap().i64().unwrap().get(2),
        Some(2024)
    );
}

#[test]
fn a_lazyframe_node_gives_expr_nodes() {
    let nodes = extract_columns(lazy_node(), &["spend"]).unwrap();
    assert_eq!(nodes[1].output().name(), "Expr");
    let mut out = driver(nodes)
        .execute(&["spend", "marketing"], Inputs::new())
        .unwrap();
    assert_eq!(out.get::<Expr>("spend").unwrap(), &col("spend"));
    let base = out.take::<LazyFrame>("marketing").unwrap();
    let df = collect_exprs(base, out).unwrap();
    assert_eq!(df.column("spend").unwrap().f64().unwrap().get(1), Some(2.0));
}

#[test]
fn a_missing_column_of_a_dataframe_fails_its_node_naming_frame_column_and_columns() {
    let nodes = extract_columns(eager_node(), &["spnd"]).unwrap();
    let err = driver(nodes).execute(&["spnd"], Inputs::new()).unwrap_err();
    let (node, source) = node_error(&err);
    assert_eq!(node, "spnd");
    let Error::MissingColumn {
        node,
        column,
        available,
    } = source
    else {
        panic!("{source:?}")
    };
    assert_eq!(
        (node.as_deref(), column.as_str()),
        (Some("marketing"), "spnd")
    );
    assert_eq!(available, &["year", "spend"]);
    assert!(
        err.to_string().contains("its columns are: year, spend"),
        "{err}"
    );
}

#[test]
fn a_missing_column_of_a_lazyframe_fails_against_its_schema() {
    let nodes = extract_columns(lazy_node(), &["week"]).unwrap();
    let err = driver(nodes).execute(&["week"], Inputs::new()).unwrap_err();
    let (_, source) = node_error(&err);
    assert!(
        matches!(source, Error::MissingColumn { column, .. } if column == "week"),
        "{source:?}"
    );
}

#[test]
fn a_fill_value_gives_a_full_height_series_for_a_missing_column() {
    let nodes = extract_columns_with_fill(eager_node(), &["spend", "discount"], 0.5).unwrap();
    let out = driver(nodes)
        .execute(&["spend", "discount"], Inputs::new())
        .unwrap();
    let discount = out.get::<Series>("discount").unwrap();
    assert_eq!(discount.name().as_str(), "discount");
    let values: Vec<Option<f64>> = discount.f64().unwrap().iter().collect();
    assert_eq!(values, [Some(0.5); 3]);
    // Present columns are not filled.
    assert_eq!(
        out.get::<Series>("spend").unwrap().f64().unwrap().get(0),
        Some(1.0)
    );
}

#[test]
fn a_fill_value_gives_a_full_height_expr_for_a_missing_lazy_column_even_alone() {
    let nodes =
        extract_columns_with_fill(lazy_node(), &["region"], PlSmallStr::from("UK")).unwrap();
    let mut out = driver(nodes)
        .execute(&["region", "marketing"], Inputs::new())
        .unwrap();
    let base = out.take::<LazyFrame>("marketing").unwrap();
    let df = collect_exprs(base, out).unwrap();
    assert_eq!(df.shape(), (3, 1));
    assert_eq!(
        df.column("region").unwrap().str().unwrap().get(2),
        Some("UK")
    );
}

#[test]
fn a_null_fill_of_a_given_dtype_works() {
    let nodes = extract_columns_with_fill(eager_node(), &["clicks"], Scalar::null(DataType::Int64))
        .unwrap();
    let out = driver(nodes).execute(&["clicks"], Inputs::new()).unwrap();
    let clicks = out.get::<Series>("clicks").unwrap();
    assert_eq!((clicks.dtype(), clicks.null_count()), (&DataType::Int64, 3));
}

#[test]
fn a_node_of_another_type_is_an_error_naming_it_and_its_type() {
    let node = Node::builder("numbers").build(|_: &Args| Ok(vec![1.0_f64]));
    let err = extract_columns(node, &["a"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot extract columns from node `numbers`: it produces `Vec<f64>`, expected `DataFrame` or `LazyFrame`"
    );
}

#[test]
fn a_series_node_is_not_a_frame() {
    let node = Node::builder("s").build(|_: &Args| Ok(Series::new("s".into(), &[1])));
    assert!(matches!(
        extract_columns(node, &["a"]),
        Err(Error::UnsupportedNode { .. })
    ));
}

#[test]
fn unusable_column_lists_are_errors() {
    let empty = extract_columns(eager_node(), &[]).unwrap_err().to_string();
    assert!(
        empty.contains("no columns to extract from node `marketing`"),
        "{empty}"
    );
    let twice = extract_columns(eager_node(), &["a", "a"])
        .unwrap_err()
        .to_string();
    assert!(twice.contains("column `a` is listed twice"), "{twice}");
    let itself = extract_columns(eager_node(), &["marketing"])
        .unwrap_err()
        .to_string();
    assert!(
        itself.contains("has the name of the frame node"),
        "{itself}"
    );
}
