//! Dynamic fan-out: `Parallel<T>` items run the block once each; `Collect<T>` gathers them.

use hamilton_core::fanout::Collect;
use hamilton_core::{
    BuildError, Driver, Error, Inputs, Overrides, RequestError,
    node::{Args, Node},
};

fn urls() -> Node {
    Node::builder("urls")
        .param::<u64>("n")
        .build_fan_out(|a: &Args| Ok((1..=*a.get::<u64>(0)?).map(|i| format!("u{i}")).collect()))
}

fn length() -> Node {
    Node::builder("length")
        .param::<String>("urls")
        .param::<u64>("bonus")
        .build(|a: &Args| Ok(a.get::<String>(0)?.len() as u64 + a.get::<u64>(1)?))
}

fn bonus() -> Node {
    Node::builder("bonus")
        .param::<u64>("n")
        .build(|a: &Args| Ok(*a.get::<u64>(0)? * 100))
}

fn total() -> Node {
    Node::builder("total")
        .collect_param::<u64>("length")
        .build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>()))
}

fn listing() -> Node {
    Node::builder("listing")
        .collect_param::<u64>("length")
        .build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.0.clone()))
}

fn nodes() -> Vec<Node> {
    vec![urls(), length(), bonus(), total(), listing()]
}

fn check(dr: &Driver) {
    let out = dr
        .execute(&["total", "listing"], Inputs::new().set("n", 11_u64))
        .unwrap();
    // u1..u9 have 2 chars, u10 and u11 have 3; each item also reads `bonus` (1100), computed
    // outside the block.
    assert_eq!(
        out.get::<Vec<u64>>("listing").unwrap(),
        &[
            1102, 1102, 1102, 1102, 1102, 1102, 1102, 1102, 1102, 1103, 1103
        ]
    );
    assert_eq!(out.get::<u64>("total").unwrap(), &(9 * 1102 + 2 * 1103));
}

#[test]
fn each_item_runs_the_block_and_two_collects_see_every_result_in_order() {
    check(&Driver::builder().with_nodes(nodes()).build().unwrap());
}

#[test]
fn items_run_on_the_parallel_executor_with_the_same_results() {
    check(
        &Driver::builder()
            .with_nodes(nodes())
            .with_parallelism(2)
            .build()
            .unwrap(),
    );
}

#[tokio::test]
async fn fan_outs_run_under_execute_async_too() {
    let dr = Driver::builder().with_nodes(nodes()).build().unwrap();
    let out = dr
        .execute_async(&["total"], Inputs::new().set("n", 2_u64))
        .await
        .unwrap();
    assert_eq!(out.get::<u64>("total").unwrap(), &404);
}

#[test]
fn an_empty_fan_out_collects_nothing() {
    let dr = Driver::builder().with_nodes(nodes()).build().unwrap();
    let out = dr
        .execute(&["listing"], Inputs::new().set("n", 0_u64))
        .unwrap();
    assert!(out.get::<Vec<u64>>("listing").unwrap().is_empty());
}

#[test]
fn a_failing_item_names_the_fan_out_the_item_and_the_node() {
    let picky = Node::builder("length")
        .param::<String>("urls")
        .build(|a: &Args| {
            let u = a.get::<String>(0)?;
            if u == "u2" {
                return Err("cannot fetch u2".into());
            }
            Ok(u.len() as u64)
        });
    let dr = Driver::builder()
        .with_nodes([urls(), picky, total()])
        .build()
        .unwrap();
    let err = dr
        .execute(&["total"], Inputs::new().set("n", 3_u64))
        .unwrap_err();
    match &err {
        Error::FanOutItem {
            fan_out,
            item,
            source,
        } => {
            assert_eq!((fan_out.as_str(), *item), ("urls", 1));
            assert!(matches!(source.as_ref(), Error::NodeFailed { node, .. } if node == "length"));
        }
        other => panic!("unexpected error {other}"),
    }
    assert_eq!(
        err.to_string(),
        "fan-out `urls`, item 1: node `length` failed: cannot fetch u2"
    );
}

#[test]
fn a_collect_without_a_fan_out_is_a_build_error() {
    let err = Driver::builder()
        .with_nodes([
            bonus(),
            Node::builder("t")
                .collect_param::<u64>("bonus")
                .build(|_: &Args| Ok(0_u64)),
        ])
        .build()
        .unwrap_err();
    assert!(
        matches!(&err.build_errors()[0], BuildError::CollectWithoutFanOut { node, param } if node == "t" && param == "bonus")
    );
}

#[test]
fn collecting_the_fan_out_node_itself_is_a_build_error() {
    let err = Driver::builder()
        .with_nodes([
            urls(),
            Node::builder("t")
                .collect_param::<String>("urls")
                .build(|_: &Args| Ok(0_u64)),
        ])
        .build()
        .unwrap_err();
    assert!(err.build_errors().iter().any(|e| matches!(e, BuildError::CollectOfFanOutItself { node, fan_out } if node == "t" && fan_out == "urls")));
}

#[test]
fn nested_fan_outs_are_a_build_error() {
    let inner = Node::builder("chars")
        .param::<String>("urls")
        .build_fan_out(|a: &Args| Ok(a.get::<String>(0)?.chars().collect()));
    let err = Driver::builder()
        .with_nodes([urls(), inner])
        .build()
        .unwrap_err();
    assert!(
        matches!(&err.build_errors()[0], BuildError::NestedFanOut { outer, inner } if outer == "urls" && inner == "chars")
    );
}

#[test]
fn a_node_reading_two_fan_outs_is_a_build_error() {
    let other = Node::builder("ids").build_fan_out(|_: &Args| Ok(vec![1_u64, 2]));
    let both = Node::builder("pair")
        .param::<String>("urls")
        .param::<u64>("ids")
        .build(|_: &Args| Ok(0_u64));
    let err = Driver::builder()
        .with_nodes([urls(), other, both])
        .build()
        .unwrap_err();
    assert!(
        err.build_errors()
            .iter()
            .any(|e| matches!(e, BuildError::TwoFanOuts { node, .. } if node == "pair"))
    );
}

#[test]
fn requesting_or_overriding_a_node_inside_a_block_is_a_request_error() {
    let dr = Driver::builder().with_nodes(nodes()).build().unwrap();
    let err = dr
        .execute(&["length"], Inputs::new().set("n", 1_u64))
        .unwrap_err();
    assert!(
        matches!(&err.request_errors()[0], RequestError::InsideFanOut { name, fan_out, action: "request" } if name == "length" && fan_out == "urls")
    );
    let err = dr
        .request(&["total"])
        .inputs(Inputs::new().set("n", 1_u64))
        .overrides(Overrides::new().set("length", 1_u64))
        .execute()
        .unwrap_err();
    assert!(matches!(
        &err.request_errors()[0],
        RequestError::InsideFanOut {
            action: "override",
            ..
        }
    ));
}

#[test]
fn a_block_edge_of_the_wrong_item_type_is_a_build_error() {
    let wrong = Node::builder("length")
        .param::<u64>("urls")
        .build(|a: &Args| Ok(*a.get::<u64>(0)?));
    let err = Driver::builder()
        .with_nodes([urls(), wrong, total()])
        .build()
        .unwrap_err();
    assert!(
        matches!(&err.build_errors()[0], BuildError::EdgeTypeMismatch { consumer, .. } if consumer == "length")
    );
}

#[test]
fn a_block_reading_a_collect_of_itself_is_a_cycle_at_build() {
    // `scaled` runs once per item of `urls` and reads `total`, which collects the block.
    let scaled = Node::builder("scaled")
        .param::<String>("urls")
        .param::<u64>("total")
        .build(|a: &Args| Ok(a.get::<String>(0)?.len() as u64 * *a.get::<u64>(1)?));
    let err = Driver::builder()
        .with_nodes([urls(), length(), bonus(), total(), scaled])
        .build()
        .unwrap_err();
    let cycle = err.build_errors().iter().find_map(|e| match e {
        BuildError::Cycle { path, .. } => Some(path.clone()),
        _ => None,
    });
    assert_eq!(
        cycle,
        Some(vec!["total".into(), "urls".into(), "total".into()])
    );
    assert!(err.to_string().contains("cycle: total"), "{err}");
}
