//! `#[node(extract_columns(.., fill_with = ..))]`: columns the frame lacks are filled to its
//! full height (Hamilton's `fill_with`, which is broken for Polars there).

use hamilton_core::modifiers::{ColumnExtractor, Modifier};
use hamilton_core::{
    BuildError, Driver, Inputs, node,
    node::{Args, Node},
    nodes,
};
use hamilton_polars::{collect_exprs, column_extractors};
use polars::prelude::*;

fn frame() -> PolarsResult<DataFrame> {
    df!("week" => [1_i64, 2, 3], "spend" => [10.0, 20.0, 30.0])
}

/// Marketing data; `discount` may be missing from it.
#[node(extract_columns(spend, discount, fill_with = 0.5))]
fn marketing() -> PolarsResult<DataFrame> {
    frame()
}

#[node(extract_columns(week, channel, fill_with = "organic"))]
fn visits() -> PolarsResult<DataFrame> {
    frame()
}

#[node(extract_columns(spend, discount, fill_with = 0.25))]
fn plan() -> PolarsResult<LazyFrame> {
    frame().map(IntoLazy::lazy)
}

#[node]
fn net_spend(spend: &Series, discount: &Series) -> PolarsResult<Series> {
    spend - &(spend * discount)?
}

fn driver(module: hamilton_core::Module) -> Driver {
    Driver::builder().with_modules([module]).build().unwrap()
}

#[test]
fn a_missing_column_of_a_dataframe_is_filled_to_the_frames_height() {
    let dr = driver(nodes![marketing, net_spend]);
    let out = dr
        .execute(&["discount", "spend", "net_spend"], Inputs::new())
        .unwrap();
    let discount = out.get::<Series>("discount").unwrap();
    assert_eq!(discount.name().as_str(), "discount");
    assert_eq!(
        discount.f64().unwrap().iter().collect::<Vec<_>>(),
        [Some(0.5); 3]
    );
    // A present column is read, not filled.
    assert_eq!(
        out.get::<Series>("spend").unwrap().f64().unwrap().get(2),
        Some(30.0)
    );
    let net: Vec<Option<f64>> = out
        .get::<Series>("net_spend")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(net, [Some(5.0), Some(10.0), Some(15.0)]);
}

#[test]
fn a_string_fill_gives_a_string_column() {
    let dr = driver(nodes![visits]);
    let out = dr.execute(&["channel"], Inputs::new()).unwrap();
    let channel = out.get::<Series>("channel").unwrap();
    assert_eq!(channel.dtype(), &DataType::String);
    assert_eq!(
        channel.str().unwrap().iter().collect::<Vec<_>>(),
        [Some("organic"); 3]
    );
}

#[test]
fn a_missing_column_of_a_lazyframe_becomes_a_full_height_literal() {
    let dr = driver(nodes![plan]);
    let mut out = dr.execute(&["plan", "discount"], Inputs::new()).unwrap();
    let base = out.take::<LazyFrame>("plan").unwrap();
    let df = collect_exprs(base, out).unwrap();
    let discount: Vec<Option<f64>> = df
        .column("discount")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(discount, [Some(0.25); 3]);
}

fn build_errors(node: Node) -> Vec<String> {
    Driver::builder()
        .with_nodes([node])
        .build()
        .unwrap_err()
        .build_errors()
        .iter()
        .map(BuildError::to_string)
        .collect()
}

#[test]
fn a_fill_the_extractor_cannot_take_is_a_build_error_naming_what_it_takes() {
    let node = Node::builder("frame")
        .modifier(Modifier::extract_columns_filled(["x"], vec![1_u8]))
        .build(|_: &Args| Ok(frame()?));
    let errors = build_errors(node);
    assert!(
        errors[0].contains("`fill_with = [1]` is a `Vec<u8>`"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("fills with a number (`f64`"),
        "{errors:?}"
    );
}

#[test]
fn an_extractor_that_cannot_fill_is_a_build_error() {
    fn column(df: &DataFrame, name: &str) -> PolarsResult<Series> {
        Ok(df.column(name)?.as_materialized_series().clone())
    }
    let node = Node::builder("frame")
        .modifier(Modifier::extract_columns_filled_with(
            ColumnExtractor::new(column),
            ["x"],
            0.0,
        ))
        .build(|_: &Args| Ok(frame()?));
    let errors = build_errors(node);
    assert!(
        errors[0].contains("the column extractor for `DataFrame` cannot fill missing columns"),
        "{errors:?}"
    );
}

#[test]
fn hand_built_nodes_fill_through_the_crates_extractors() {
    let [eager, _] = column_extractors();
    let node = Node::builder("frame")
        .modifier(Modifier::extract_columns_filled_with(
            eager,
            ["clicks"],
            7_i64,
        ))
        .build(|_: &Args| Ok(frame()?));
    let dr = Driver::builder().with_nodes([node]).build().unwrap();
    let out = dr.execute(&["clicks"], Inputs::new()).unwrap();
    let clicks = out.get::<Series>("clicks").unwrap();
    assert_eq!(
        clicks.i64().unwrap().iter().collect::<Vec<_>>(),
        [Some(7); 3]
    );
}
