//! Polars types flow along edges as ordinary node values.

use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};
use polars::prelude::*;

/// A node `out` that returns its input `x` unchanged.
fn passthrough<T: Clone + Send + Sync + 'static>(x: T) -> Result<T, hamilton_core::Error> {
    let dr = Driver::builder()
        .with_nodes([Node::builder("out")
            .param::<T>("x")
            .build(|a: &Args| Ok(a.get::<T>(0)?.clone()))])
        .build()?;
    dr.execute(&["out"], Inputs::new().set("x", x))?
        .take::<T>("out")
}

#[test]
fn a_series_is_a_node_value() {
    let s = Series::new("a".into(), &[1_i64, 2]);
    assert!(passthrough(s.clone()).unwrap().equals(&s));
}

#[test]
fn a_column_is_a_node_value() {
    let c = Column::new("a".into(), &[1.5, 2.5]);
    assert_eq!(passthrough(c.clone()).unwrap(), c);
}

#[test]
fn a_dataframe_is_a_node_value() {
    let df = df!("a" => [1, 2], "b" => ["x", "y"]).unwrap();
    assert!(passthrough(df.clone()).unwrap().equals(&df));
}

#[test]
fn a_lazyframe_is_a_node_value() {
    let lf = df!("a" => [1, 2])
        .unwrap()
        .lazy()
        .select([col("a") * lit(10)]);
    let out = passthrough(lf).unwrap().collect().unwrap();
    assert_eq!(out.column("a").unwrap().i32().unwrap().get(1), Some(20));
}

#[test]
fn an_expr_is_a_node_value() {
    let e = col("a").sum();
    assert_eq!(passthrough(e.clone()).unwrap(), e);
}

#[test]
fn a_typed_chunked_array_is_a_node_value() {
    let ca = Float64Chunked::from_vec("a".into(), vec![1.0, 2.0]);
    assert!(passthrough(ca.clone()).unwrap().equal_missing(&ca).all());
}

#[test]
fn a_series_node_value_of_the_wrong_type_is_an_edge_error_at_build() {
    let err = Driver::builder()
        .with_nodes([
            Node::builder("spend").build(|_: &Args| Ok(Series::new("spend".into(), &[1.0]))),
            Node::builder("total")
                .param::<DataFrame>("spend")
                .build(|a: &Args| Ok(a.get::<DataFrame>(0)?.height())),
        ])
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("expects `DataFrame`") && text.contains("produces `Series`"),
        "{text}"
    );
}
