//! `execute_async`: async nodes run concurrently on the caller's runtime, beside sync nodes.

use std::sync::Arc;
use std::time::Duration;

use hamilton_core::{
    Driver, Error, Inputs, RequestError,
    node::{Args, AsyncArgs, Node},
};
use tokio::sync::Barrier;

fn waits_at(barrier: &Arc<Barrier>, name: &str) -> Node {
    let barrier = barrier.clone();
    Node::builder(name)
        .param::<i64>("x")
        .build_async(move |a: AsyncArgs| {
            let barrier = barrier.clone();
            async move {
                // Both nodes must be waiting at once for the barrier to open.
                barrier.wait().await;
                Ok(*a.get::<i64>(0)? + 1)
            }
        })
}

#[tokio::test]
async fn independent_async_nodes_run_concurrently() {
    let barrier = Arc::new(Barrier::new(2));
    let dr = Driver::builder()
        .with_nodes([waits_at(&barrier, "a"), waits_at(&barrier, "b")])
        .build()
        .unwrap();
    let run = dr.execute_async(&["a", "b"], Inputs::new().set("x", 1_i64));
    let out = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("the two nodes waited for each other: they ran one after the other")
        .unwrap();
    assert_eq!(out.get::<i64>("a").unwrap(), &2);
    assert_eq!(out.get::<i64>("b").unwrap(), &2);
}

fn mixed() -> Driver {
    Driver::builder()
        .with_nodes([
            Node::builder("fetched")
                .param::<i64>("id")
                .build_async(|a: AsyncArgs| async move {
                    tokio::task::yield_now().await;
                    Ok(*a.get::<i64>(0)? * 10)
                }),
            Node::builder("doubled")
                .param::<i64>("fetched")
                .build(|a: &Args| Ok(a.get::<i64>(0)? * 2)),
            Node::builder("summary")
                .param::<i64>("doubled")
                .param::<i64>("fetched")
                .build_async(|a: AsyncArgs| async move {
                    Ok(format!("{} {}", a.get::<i64>(0)?, a.get::<i64>(1)?))
                }),
        ])
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_and_async_nodes_feed_each_other() {
    let out = mixed()
        .execute_async(&["summary", "doubled"], Inputs::new().set("id", 4_i64))
        .await
        .unwrap();
    assert_eq!(out.get::<String>("summary").unwrap(), "80 40");
    assert_eq!(out.get::<i64>("doubled").unwrap(), &80);
}

#[tokio::test]
async fn the_run_is_a_send_future_that_can_be_spawned() {
    let dr = Arc::new(mixed());
    let handle = tokio::spawn({
        let dr = dr.clone();
        async move {
            dr.execute_async(&["summary"], Inputs::new().set("id", 1_i64))
                .await
        }
    });
    let out = handle.await.unwrap().unwrap();
    assert_eq!(out.get::<String>("summary").unwrap(), "20 10");
}

#[test]
fn sync_execute_of_an_async_node_names_it_and_points_to_execute_async() {
    let err = mixed()
        .execute(&["summary"], Inputs::new().set("id", 1_i64))
        .unwrap_err();
    let problems = err.request_errors();
    assert!(
        matches!(&problems[0], RequestError::NeedsAsync { nodes } if nodes == &["fetched", "summary"])
    );
    assert!(err.to_string().contains("`execute_async`"));
}

#[tokio::test]
async fn an_async_node_error_is_wrapped_with_its_name() {
    let dr = Driver::builder()
        .with_nodes([Node::builder("remote")
            .build_async(|_: AsyncArgs| async move { Err::<i64, _>("connection refused".into()) })])
        .build()
        .unwrap();
    let err = dr
        .execute_async(&["remote"], Inputs::new())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::NodeFailed { node, .. } if node == "remote"));
    assert!(err.to_string().contains("connection refused"));
}

#[tokio::test]
async fn an_async_node_panic_is_caught_and_the_driver_stays_usable() {
    let dr = Driver::builder()
        .with_nodes([Node::builder("boom").param::<bool>("explode").build_async(
            |a: AsyncArgs| async move {
                if *a.get::<bool>(0)? {
                    panic!("kaboom");
                }
                Ok(1_i64)
            },
        )])
        .build()
        .unwrap();
    let err = dr
        .execute_async(&["boom"], Inputs::new().set("explode", true))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NodePanicked { node, message } if node == "boom" && message == "kaboom")
    );
    let out = dr
        .execute_async(&["boom"], Inputs::new().set("explode", false))
        .await
        .unwrap();
    assert_eq!(out.get::<i64>("boom").unwrap(), &1);
}

#[tokio::test]
async fn async_runs_prune_to_the_request() {
    let out = mixed()
        .execute_async(&["fetched"], Inputs::new().set("id", 2_i64))
        .await
        .unwrap();
    assert_eq!(out.names().collect::<Vec<_>>(), ["fetched"]);
}
