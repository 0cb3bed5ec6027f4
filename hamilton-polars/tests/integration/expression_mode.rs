//! Expression mode: `Expr` nodes become one lazy plan, collected once.

use hamilton_core::{
    Driver, Inputs, Outputs,
    node::{Args, Node},
};
use hamilton_polars::{OutputsExt, collect_exprs, extract_columns, to_lazyframe};
use polars::prelude::*;

fn expr_node(name: &str, deps: &[&str], f: fn(Vec<Expr>) -> Expr) -> Node {
    let mut b = Node::builder(name);
    for d in deps {
        b = b.param::<Expr>(*d);
    }
    let n = deps.len();
    b.build(move |a: &Args| {
        let exprs = (0..n)
            .map(|i| a.get::<Expr>(i).cloned())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(f(exprs))
    })
}

fn base() -> DataFrame {
    df!(
        "spend" => [10.0, 20.0, 30.0, 40.0],
        "signups" => [1_i64, 2, 3, 4],
        "unused" => ["a", "b", "c", "d"],
    )
    .unwrap()
}

/// The lazy frame node `frame`, its columns as `Expr` nodes, and two features over them.
fn driver() -> Driver {
    let frame = Node::builder("frame").build(|_: &Args| Ok(base().lazy()));
    Driver::builder()
        .with_nodes(extract_columns(frame, &["spend", "signups"]).unwrap())
        .with_nodes([
            expr_node("per_signup", &["spend", "signups"], |e| {
                e[0].clone() / e[1].clone()
            }),
            expr_node("mean", &["spend"], |e| e[0].clone().mean()),
            expr_node("centered", &["spend", "mean"], |e| {
                e[0].clone() - e[1].clone()
            }),
            expr_node("scaled", &["centered", "mean"], |e| {
                e[0].clone() / e[1].clone()
            }),
        ])
        .build()
        .unwrap()
}

fn run(outputs: &[&str]) -> (LazyFrame, Outputs) {
    let mut requested = outputs.to_vec();
    requested.push("frame");
    let mut out = driver().execute(&requested, Inputs::new()).unwrap();
    let base = out.take::<LazyFrame>("frame").unwrap();
    (base, out)
}

fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().f64().unwrap().iter().collect()
}

#[test]
fn expressions_compute_the_same_values_as_a_hand_written_plan() {
    let (base, out) = run(&["per_signup", "centered", "scaled", "mean"]);
    let df = collect_exprs(base, out).unwrap();
    let expected = self::base()
        .lazy()
        .select([
            (col("spend") / col("signups")).alias("per_signup"),
            (col("spend") - col("spend").mean()).alias("centered"),
            ((col("spend") - col("spend").mean()) / col("spend").mean()).alias("scaled"),
            col("spend").mean().alias("mean"),
        ])
        .collect()
        .unwrap();
    assert!(df.equals_missing(&expected), "{df}\n{expected}");
    assert_eq!(
        f64s(&df, "centered"),
        [Some(-15.0), Some(-5.0), Some(5.0), Some(15.0)]
    );
    assert_eq!(f64s(&df, "mean"), [Some(25.0); 4]); // an aggregation is broadcast
}

#[test]
fn the_columns_follow_request_order_and_node_names() {
    let (base, out) = run(&["mean", "spend", "per_signup"]);
    let df = out.collect_exprs(base).unwrap();
    let names: Vec<&str> = df
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(names, ["mean", "spend", "per_signup"]);
}

#[test]
fn the_plan_is_one_select_over_the_base_reading_only_the_columns_needed() {
    let (base, out) = run(&["per_signup", "scaled"]);
    let plan = to_lazyframe(base, out).unwrap();
    let optimized = plan.explain(true).unwrap();
    assert_eq!(optimized.matches("SELECT").count(), 1, "{optimized}");
    // Projection pushdown: the base's `unused` column is not read.
    assert!(
        optimized.contains("PROJECT[\"spend\", \"signups\"] 2/3 COLUMNS"),
        "{optimized}"
    );
}

#[test]
fn a_subexpression_shared_by_several_nodes_is_computed_once() {
    let (base, out) = run(&["centered", "scaled"]);
    let optimized = to_lazyframe(base, out).unwrap().explain(true).unwrap();
    assert!(optimized.contains("__POLARS_CSE"), "{optimized}");
}

#[test]
fn series_and_scalar_outputs_join_the_plan_as_literals() {
    let dr = Driver::builder()
        .with_nodes([
            Node::builder("e").build(|_: &Args| Ok(col("x") * lit(2))),
            Node::builder("s").build(|_: &Args| Ok(Series::new("s".into(), &[7_i64, 8]))),
            Node::builder("k").build(|_: &Args| Ok(1.5_f64)),
        ])
        .build()
        .unwrap();
    let out = dr.execute(&["e", "s", "k"], Inputs::new()).unwrap();
    let df = collect_exprs(df!("x" => [1_i64, 2]).unwrap().lazy(), out).unwrap();
    assert_eq!(df.shape(), (2, 3));
    assert_eq!(df.column("s").unwrap().i64().unwrap().get(1), Some(8));
    assert_eq!(df.column("k").unwrap().f64().unwrap().get(1), Some(1.5));
}

#[test]
fn a_frame_output_is_an_error_saying_to_pass_it_as_base() {
    let out = driver().execute(&["frame", "mean"], Inputs::new()).unwrap();
    let err = collect_exprs(base().lazy(), out).unwrap_err().to_string();
    assert!(err.starts_with("output `frame` is a `LazyFrame`"), "{err}");
    assert!(err.contains("`base`"), "{err}");
}

#[test]
fn a_failing_plan_is_an_error_naming_the_outputs() {
    let dr = Driver::builder()
        .with_nodes([Node::builder("e").build(|_: &Args| Ok(col("nope") + lit(1)))])
        .build()
        .unwrap();
    let out = dr.execute(&["e"], Inputs::new()).unwrap();
    let err = collect_exprs(base().lazy(), out).unwrap_err().to_string();
    assert!(
        err.starts_with("cannot compute the expressions of `e`"),
        "{err}"
    );
    assert!(err.contains("nope"), "{err}");
}
