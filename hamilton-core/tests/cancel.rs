//! Cancelling a run through its `Cancel` handle: no node starts after the cancel, under every
//! executor, in plain steps and in fan-out blocks, and the error names the first node that did
//! not start.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hamilton_core::{
    Cancel, Driver, Error, Inputs, Outputs,
    node::{Args, Node},
};

#[derive(Clone, Copy, Debug)]
enum Executor {
    Sequential,
    Parallel,
    Async,
}

const EXECUTORS: [Executor; 3] = [Executor::Sequential, Executor::Parallel, Executor::Async];

/// The nodes that ran, in the order they started.
type Calls = Arc<Mutex<Vec<String>>>;

/// `a -> b -> c`, each adding one; `a` cancels `cancel_in_a` (if given) after it has computed.
fn chain(calls: &Calls, cancel_in_a: Option<Cancel>) -> Vec<Node> {
    let step = |name: &'static str, dep: Option<&'static str>, cancel: Option<Cancel>| {
        let calls = calls.clone();
        let builder = Node::builder(name);
        let builder = match dep {
            Some(dep) => builder.param::<i64>(dep),
            None => builder.param::<i64>("start"),
        };
        builder.build(move |x: &Args| {
            calls.lock().unwrap().push(name.to_string());
            if let Some(cancel) = &cancel {
                cancel.cancel();
            }
            Ok(x.get::<i64>(0)? + 1)
        })
    };
    vec![
        step("a", None, cancel_in_a),
        step("b", Some("a"), None),
        step("c", Some("b"), None),
    ]
}

fn run(
    nodes: Vec<Node>,
    executor: Executor,
    outputs: &[&str],
    inputs: Inputs,
    cancel: &Cancel,
) -> Result<Outputs, Error> {
    let mut builder = Driver::builder().with_nodes(nodes);
    if let Executor::Parallel = executor {
        builder = builder.with_parallelism(2);
    }
    let dr = builder.build().unwrap();
    let request = dr.request(outputs).inputs(inputs).cancel_with(cancel);
    match executor {
        Executor::Sequential | Executor::Parallel => request.execute(),
        Executor::Async => tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(request.execute_async()),
    }
}

/// Runs the chain for `c` from `start = 0` under `executor` with `cancel`; `a` cancels
/// `cancel_in_a` if given. The outcome and the nodes that ran.
fn run_chain(
    executor: Executor,
    cancel: &Cancel,
    cancel_in_a: Option<Cancel>,
) -> (Result<Outputs, Error>, Vec<String>) {
    let calls = Calls::default();
    let nodes = chain(&calls, cancel_in_a);
    let result = run(
        nodes,
        executor,
        &["c"],
        Inputs::new().set("start", 0_i64),
        cancel,
    );
    let ran = calls.lock().unwrap().clone();
    (result, ran)
}

/// Whether `result` is a cancelled run naming `node`.
fn cancelled_at(result: &Result<Outputs, Error>, node: &str) -> bool {
    matches!(result, Err(Error::Cancelled { node: n }) if n == node)
}

#[test]
fn a_run_cancelled_by_a_node_starts_nothing_after_it_under_every_executor() {
    for executor in EXECUTORS {
        let cancel = Cancel::new();
        let (result, ran) = run_chain(executor, &cancel, Some(cancel.clone()));
        assert!(cancelled_at(&result, "b"), "{executor:?}: {result:?}");
        assert_eq!(ran, ["a"], "{executor:?}");
        let text = result.unwrap_err().to_string();
        assert!(
            text.contains("cancelled before node `b` started")
                && text.contains("run the request again"),
            "{text}"
        );
    }
}

#[test]
fn a_handle_never_cancelled_changes_nothing() {
    for executor in EXECUTORS {
        let (result, ran) = run_chain(executor, &Cancel::new(), None);
        assert_eq!(result.unwrap().get::<i64>("c").unwrap(), &3, "{executor:?}");
        assert_eq!(ran, ["a", "b", "c"], "{executor:?}");
    }
}

#[test]
fn a_handle_cancelled_before_the_run_runs_nothing() {
    for executor in EXECUTORS {
        let cancel = Cancel::new();
        cancel.cancel();
        let (result, ran) = run_chain(executor, &cancel, None);
        assert!(cancelled_at(&result, "a"), "{executor:?}: {result:?}");
        assert!(ran.is_empty(), "{executor:?}");
    }
}

#[test]
fn cancelling_from_another_thread_stops_the_run_at_the_next_node() {
    let calls = Calls::default();
    let slow_calls = calls.clone();
    let rest = chain(&calls, None).split_off(1);
    let slow = Node::builder("a")
        .param::<i64>("start")
        .build(move |x: &Args| {
            slow_calls.lock().unwrap().push("a".into());
            std::thread::sleep(Duration::from_millis(300));
            Ok(x.get::<i64>(0)? + 1)
        });
    let cancel = Cancel::new();
    let stop = cancel.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        stop.cancel();
    });
    let mut nodes = vec![slow];
    nodes.extend(rest);
    let err = run(
        nodes,
        Executor::Sequential,
        &["c"],
        Inputs::new().set("start", 0_i64),
        &cancel,
    )
    .unwrap_err();
    canceller.join().unwrap();
    assert!(
        matches!(&err, Error::Cancelled { node } if node == "b"),
        "{err:?}"
    );
    assert_eq!(*calls.lock().unwrap(), ["a"]);
}

/// A fan-out over items 1..=n whose block node `work` cancels once it has done item `at`.
fn fan_out(calls: &Calls, cancel: &Cancel, at: u64) -> Vec<Node> {
    let calls = calls.clone();
    let cancel = cancel.clone();
    vec![
        Node::builder("items")
            .param::<u64>("n")
            .build_fan_out(|a: &Args| Ok((1..=*a.get::<u64>(0)?).collect::<Vec<u64>>())),
        Node::builder("work")
            .param::<u64>("items")
            .build(move |a: &Args| {
                let item = *a.get::<u64>(0)?;
                calls.lock().unwrap().push(format!("work {item}"));
                if item == at {
                    cancel.cancel();
                }
                Ok(item * 2)
            }),
        Node::builder("total")
            .collect_param::<u64>("work")
            .build(|a: &Args| {
                Ok(a.get::<hamilton_core::fanout::Collect<u64>>(0)?
                    .iter()
                    .sum::<u64>())
            }),
    ]
}

#[test]
fn a_fan_out_cancelled_during_an_item_starts_no_later_item() {
    // Items run in order under the sequential and async executors (a block of sync nodes).
    for executor in [Executor::Sequential, Executor::Async] {
        let calls = Calls::default();
        let cancel = Cancel::new();
        let err = run(
            fan_out(&calls, &cancel, 3),
            executor,
            &["total"],
            Inputs::new().set("n", 10_u64),
            &cancel,
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Cancelled { node } if node == "work"),
            "{executor:?}: {err:?}"
        );
        assert_eq!(
            *calls.lock().unwrap(),
            ["work 1", "work 2", "work 3"],
            "{executor:?}"
        );
    }
    // On the pool, items run two at a time: the run still ends cancelled, `total` never runs.
    let calls = Calls::default();
    let cancel = Cancel::new();
    let err = run(
        fan_out(&calls, &cancel, 3),
        Executor::Parallel,
        &["total"],
        Inputs::new().set("n", 10_u64),
        &cancel,
    )
    .unwrap_err();
    assert!(matches!(&err, Error::Cancelled { .. }), "{err:?}");
}

#[test]
fn an_async_node_that_cancels_stops_the_nodes_after_it() {
    let calls = Calls::default();
    let cancel = Cancel::new();
    let (in_a, seen) = (cancel.clone(), calls.clone());
    let nodes = vec![
        Node::builder("a").param::<i64>("start").build_async(
            move |x: hamilton_core::node::AsyncArgs| {
                let (cancel, calls) = (in_a.clone(), seen.clone());
                async move {
                    calls.lock().unwrap().push("a".into());
                    cancel.cancel();
                    Ok(*x.get::<i64>(0)? + 1)
                }
            },
        ),
        chain(&calls, None).remove(1),
    ];
    let err = run(
        nodes,
        Executor::Async,
        &["b"],
        Inputs::new().set("start", 0_i64),
        &cancel,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Cancelled { node } if node == "b"),
        "{err:?}"
    );
    assert_eq!(*calls.lock().unwrap(), ["a"]);
}

#[test]
fn a_prepared_request_given_a_handle_stops_each_of_its_runs_once_cancelled() {
    let calls = Calls::default();
    let dr = Driver::builder()
        .with_nodes(chain(&calls, None))
        .build()
        .unwrap();
    let cancel = Cancel::new();
    let prepared = dr.prepare(&["c"], &["start"]).unwrap().cancel_with(&cancel);
    let inputs = || Inputs::new().set("start", 0_i64);
    assert_eq!(
        prepared.execute(inputs()).unwrap().get::<i64>("c").unwrap(),
        &3
    );
    cancel.cancel();
    let err = prepared.execute(inputs()).unwrap_err();
    assert!(
        matches!(&err, Error::Cancelled { node } if node == "a"),
        "{err:?}"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = runtime
        .block_on(prepared.execute_async(inputs()))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Cancelled { node } if node == "a"),
        "{err:?}"
    );
    assert_eq!(*calls.lock().unwrap(), ["a", "b", "c"]);
}
