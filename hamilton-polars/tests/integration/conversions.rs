//! Typed chunked arrays as parameters: conversions from `Series`/`Column`, found
//! automatically, with the dtype checked as values flow.

use hamilton_core::{
    Driver, Error, Inputs,
    node::{Args, Node},
};
use polars::prelude::*;

// Naming the crate links it, and with it its registered conversions.
use hamilton_polars as _;

fn spend_node(series: Series) -> Node {
    Node::builder("spend").build(move |_: &Args| Ok(series.clone()))
}

fn total_node() -> Node {
    Node::builder("total")
        .param::<Float64Chunked>("spend")
        .build(|a: &Args| Ok(a.get::<Float64Chunked>(0)?.sum().unwrap_or(0.0)))
}

#[test]
fn a_series_edge_feeds_a_float64_chunked_parameter_without_explicit_registration() {
    let dr = Driver::builder()
        .with_nodes([
            spend_node(Series::new("spend".into(), &[1.0, 2.5])),
            total_node(),
        ])
        .build()
        .unwrap();
    let out = dr.execute(&["total"], Inputs::new()).unwrap();
    assert_eq!(out.get::<f64>("total").unwrap(), &3.5);
}

#[test]
fn a_series_of_another_dtype_is_a_conversion_error_naming_node_param_and_dtypes() {
    let dr = Driver::builder()
        .with_nodes([
            spend_node(Series::new("spend".into(), &[1_i64, 2])),
            total_node(),
        ])
        .build()
        .unwrap();
    let err = dr.execute(&["total"], Inputs::new()).unwrap_err();
    let Error::Conversion {
        node,
        param,
        expected,
        found,
        message,
    } = &err
    else {
        panic!("expected a conversion error, got {err:?}")
    };
    assert_eq!((node.as_str(), param.as_str()), ("total", "spend"));
    assert_eq!(found, "Series");
    assert!(expected.contains("Float64"), "{expected}");
    assert_eq!(
        message,
        "Series `spend` has dtype i64, expected f64; cast it with `.cast(&DataType::Float64)` upstream"
    );
}

#[test]
fn an_input_series_is_converted_for_a_typed_parameter() {
    let dr = Driver::builder()
        .with_nodes([total_node()])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["total"],
            Inputs::new().set("spend", Series::new("s".into(), &[4.0])),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("total").unwrap(), &4.0);
}

#[test]
fn an_input_series_of_another_dtype_is_a_request_error_naming_the_dtypes() {
    let dr = Driver::builder()
        .with_nodes([total_node()])
        .build()
        .unwrap();
    let err = dr
        .execute(
            &["total"],
            Inputs::new().set("spend", Series::new("s".into(), &["a"])),
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("input `spend`"), "{text}");
    assert!(text.contains("has dtype str, expected f64"), "{text}");
}

#[test]
fn a_column_feeds_a_series_parameter() {
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("c").build(|_: &Args| Ok(Column::new("c".into(), &[1_i64, 2, 3]))),
            Node::builder("n")
                .param::<Series>("c")
                .build(|a: &Args| Ok(a.get::<Series>(0)?.len())),
        ])
        .build()
        .unwrap();
    assert_eq!(
        dr.execute(&["n"], Inputs::new())
            .unwrap()
            .get::<usize>("n")
            .unwrap(),
        &3
    );
}

#[test]
fn every_typed_parameter_reads_its_dtype() {
    macro_rules! reads {
        ($ca:ty, $series:expr) => {{
            let dr = Driver::builder()
                .with_nodes([Node::builder("n")
                    .param::<$ca>("x")
                    .build(|a: &Args| Ok(a.get::<$ca>(0)?.len()))])
                .build()
                .unwrap();
            let out = dr.execute(&["n"], Inputs::new().set("x", $series)).unwrap();
            assert_eq!(out.get::<usize>("n").unwrap(), &2, stringify!($ca));
        }};
    }
    reads!(Float64Chunked, Series::new("x".into(), &[1.0_f64, 2.0]));
    reads!(Float32Chunked, Series::new("x".into(), &[1.0_f32, 2.0]));
    reads!(Int64Chunked, Series::new("x".into(), &[1_i64, 2]));
    reads!(Int32Chunked, Series::new("x".into(), &[1_i32, 2]));
    reads!(UInt32Chunked, Series::new("x".into(), &[1_u32, 2]));
    reads!(BooleanChunked, Series::new("x".into(), &[true, false]));
    reads!(StringChunked, Series::new("x".into(), &["a", "b"]));
    reads!(Int64Chunked, Column::new("x".into(), &[1_i64, 2]));
}

#[test]
fn explicit_conversions_work_like_registered_ones() {
    let mut builder = Driver::builder().with_nodes([
        spend_node(Series::new("spend".into(), &[2.0])),
        total_node(),
    ]);
    for c in hamilton_polars::conversions() {
        builder = builder.with_conversion(c);
    }
    let out = builder
        .build()
        .unwrap()
        .execute(&["total"], Inputs::new())
        .unwrap();
    assert_eq!(out.get::<f64>("total").unwrap(), &2.0);
}

#[test]
fn a_dataframe_feeds_a_lazyframe_parameter() {
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("frame").build(|_: &Args| Ok(df!("a" => [1, 2, 3])?)),
            Node::builder("rows")
                .param::<LazyFrame>("frame")
                .build(|a: &Args| Ok(a.get::<LazyFrame>(0)?.clone().collect()?.height())),
        ])
        .build()
        .unwrap();
    assert_eq!(
        dr.execute(&["rows"], Inputs::new())
            .unwrap()
            .get::<usize>("rows")
            .unwrap(),
        &3
    );
}
