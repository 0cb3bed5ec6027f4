//! `async` nodes inside a fan-out's block: awaited per item under `execute_async`, items at once,
//! results in item order; a clear error under the sync `execute`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hamilton_core::fanout::Collect;
use hamilton_core::{
    Driver, Error, Inputs, RequestError,
    node::{Args, AsyncArgs, Node},
};
use tokio::sync::Barrier;

/// `ids`: the items `0..n`.
fn ids() -> Node {
    Node::builder("ids")
        .param::<u64>("n")
        .build_fan_out(|a: &Args| Ok((0..*a.get::<u64>(0)?).collect()))
}

/// `offset = n * 1000`, computed once, outside the block.
fn offset() -> Node {
    Node::builder("offset")
        .param::<u64>("n")
        .build(|a: &Args| Ok(*a.get::<u64>(0)? * 1000))
}

/// Async `fetched = id * 10`; later items answer first, so finishing order is reversed.
fn fetched() -> Node {
    Node::builder("fetched")
        .param::<u64>("ids")
        .param::<u64>("n")
        .build_async(|a: AsyncArgs| async move {
            let (id, n) = (*a.get::<u64>(0)?, *a.get::<u64>(1)?);
            tokio::time::sleep(Duration::from_millis((n - id) * 15)).await;
            Ok(id * 10)
        })
}

/// Sync `doubled = fetched * 2`, between two async nodes of the block.
fn doubled() -> Node {
    Node::builder("doubled")
        .param::<u64>("fetched")
        .build(|a: &Args| Ok(a.get::<u64>(0)? * 2))
}

/// Async `labelled = "{offset + doubled}"`, reading a value from outside the block.
fn labelled() -> Node {
    Node::builder("labelled")
        .param::<u64>("doubled")
        .param::<u64>("offset")
        .build_async(|a: AsyncArgs| async move {
            tokio::task::yield_now().await;
            Ok(format!("{}", a.get::<u64>(0)? + a.get::<u64>(1)?))
        })
}

fn labels() -> Node {
    Node::builder("labels")
        .collect_param::<String>("labelled")
        .build(|a: &Args| Ok(a.get::<Collect<String>>(0)?.0.clone()))
}

fn sum_of_doubled() -> Node {
    Node::builder("sum_of_doubled")
        .collect_param::<u64>("doubled")
        .build(|a: &Args| Ok(a.get::<Collect<u64>>(0)?.iter().sum::<u64>()))
}

/// The fan-out `ids`, `offset`, and `nodes` (the block and what collects it).
fn driver(nodes: impl IntoIterator<Item = Node>) -> Driver {
    Driver::builder()
        .with_nodes([ids(), offset()])
        .with_nodes(nodes)
        .build()
        .unwrap()
}

/// The full block (async, sync, async) and both collects.
fn full() -> Driver {
    driver([fetched(), doubled(), labelled(), labels(), sum_of_doubled()])
}

#[tokio::test]
async fn async_nodes_inside_a_block_run_per_item_and_collect_in_item_order() {
    let dr = full();
    let out = dr
        .execute_async(&["labels", "sum_of_doubled"], Inputs::new().set("n", 4_u64))
        .await
        .unwrap();
    assert_eq!(
        out.get::<Vec<String>>("labels").unwrap(),
        &["4000", "4020", "4040", "4060"]
    );
    assert_eq!(out.get::<u64>("sum_of_doubled").unwrap(), &120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_with_an_async_block_is_a_send_future_that_can_be_spawned() {
    let dr = Arc::new(full());
    let handle = tokio::spawn({
        let dr = dr.clone();
        async move {
            dr.execute_async(&["labels"], Inputs::new().set("n", 3_u64))
                .await
        }
    });
    let out = handle.await.unwrap().unwrap();
    assert_eq!(
        out.get::<Vec<String>>("labels").unwrap(),
        &["3000", "3020", "3040"]
    );
}

#[tokio::test]
async fn the_items_of_a_block_run_concurrently() {
    const ITEMS: u64 = 3;
    let barrier = Arc::new(Barrier::new(ITEMS as usize));
    let waiting = Node::builder("fetched").param::<u64>("ids").build_async({
        let barrier = barrier.clone();
        move |a: AsyncArgs| {
            let barrier = barrier.clone();
            async move {
                // Every item must be waiting at once for the barrier to open.
                barrier.wait().await;
                Ok(*a.get::<u64>(0)?)
            }
        }
    });
    let dr = driver([waiting, doubled(), sum_of_doubled()]);
    let run = dr.execute_async(&["sum_of_doubled"], Inputs::new().set("n", ITEMS));
    let out = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("the items waited for each other: they ran one after the other")
        .unwrap();
    assert_eq!(out.get::<u64>("sum_of_doubled").unwrap(), &6);
}

#[tokio::test]
async fn an_empty_fan_out_with_an_async_block_collects_nothing() {
    let dr = full();
    let out = dr
        .execute_async(&["labels"], Inputs::new().set("n", 0_u64))
        .await
        .unwrap();
    assert!(out.get::<Vec<String>>("labels").unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_async_node_names_the_fan_out_the_item_and_the_node() {
    let picky =
        Node::builder("fetched")
            .param::<u64>("ids")
            .build_async(|a: AsyncArgs| async move {
                let id = *a.get::<u64>(0)?;
                if id == 2 {
                    return Err("item 2 is unreachable".into());
                }
                Ok(id)
            });
    let dr = driver([picky, doubled(), sum_of_doubled()]);
    let err = dr
        .execute_async(&["sum_of_doubled"], Inputs::new().set("n", 4_u64))
        .await
        .unwrap_err();
    match &err {
        Error::FanOutItem {
            fan_out,
            item,
            source,
        } => {
            assert_eq!((fan_out.as_str(), *item), ("ids", 2));
            assert!(matches!(source.as_ref(), Error::NodeFailed { node, .. } if node == "fetched"));
        }
        other => panic!("unexpected error {other}"),
    }
    assert_eq!(
        err.to_string(),
        "fan-out `ids`, item 2: node `fetched` failed: item 2 is unreachable"
    );
}

#[tokio::test]
async fn an_async_node_panic_inside_a_block_is_that_items_node_panic() {
    let boom =
        Node::builder("fetched")
            .param::<u64>("ids")
            .build_async(|a: AsyncArgs| async move {
                if *a.get::<u64>(0)? == 1 {
                    panic!("kaboom");
                }
                Ok(1_u64)
            });
    let dr = driver([boom, doubled(), sum_of_doubled()]);
    let err = dr
        .execute_async(&["sum_of_doubled"], Inputs::new().set("n", 3_u64))
        .await
        .unwrap_err();
    assert!(matches!(
        &err,
        Error::FanOutItem { item: 1, source, .. }
            if matches!(source.as_ref(), Error::NodePanicked { node, message } if node == "fetched" && message == "kaboom")
    ));
    // The driver stays usable.
    let dr = driver([fetched(), doubled(), sum_of_doubled()]);
    assert!(
        dr.execute_async(&["sum_of_doubled"], Inputs::new().set("n", 2_u64))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn when_an_item_fails_the_other_items_stop_before_their_next_node() {
    let later_nodes = Arc::new(AtomicUsize::new(0));
    let first =
        Node::builder("fetched")
            .param::<u64>("ids")
            .build_async(|a: AsyncArgs| async move {
                let id = *a.get::<u64>(0)?;
                if id == 0 {
                    return Err("item 0 fails at once".into());
                }
                // The other items are still waiting here when item 0 fails.
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(id)
            });
    let second = Node::builder("doubled").param::<u64>("fetched").build({
        let later_nodes = later_nodes.clone();
        move |a: &Args| {
            later_nodes.fetch_add(1, Ordering::SeqCst);
            Ok(a.get::<u64>(0)? * 2)
        }
    });
    let dr = driver([first, second, sum_of_doubled()]);
    let err = dr
        .execute_async(&["sum_of_doubled"], Inputs::new().set("n", 3_u64))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::FanOutItem { item: 0, .. }), "{err}");
    assert_eq!(later_nodes.load(Ordering::SeqCst), 0);
}

#[test]
fn sync_execute_of_a_block_with_an_async_node_names_it_and_points_to_execute_async() {
    for parallelism in [None, Some(2)] {
        let mut builder = Driver::builder()
            .with_nodes([ids(), offset(), labels(), sum_of_doubled()])
            .with_nodes([fetched(), doubled(), labelled()]);
        if let Some(threads) = parallelism {
            builder = builder.with_parallelism(threads);
        }
        let err = builder
            .build()
            .unwrap()
            .execute(&["labels"], Inputs::new().set("n", 2_u64))
            .unwrap_err();
        assert!(
            matches!(&err.request_errors()[0], RequestError::NeedsAsync { nodes } if nodes == &["fetched", "labelled"]),
            "{err}"
        );
        assert!(err.to_string().contains("`execute_async`"), "{err}");
    }
}
