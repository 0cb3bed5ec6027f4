//! Nothing escapes a run: a hook failing inside `around_node` is reported as that hook, and a
//! value whose `Drop` panics fails the run naming the node that made it; under every executor,
//! and the driver runs again afterwards.

use std::sync::Once;

use hamilton_core::hooks::{Hook, NodeContext};
use hamilton_core::node::{Args, Node, NodeError, Value};
use hamilton_core::{Driver, DriverBuilder, Error, Inputs, Outputs};

#[derive(Clone, Copy, Debug)]
enum Executor {
    Sequential,
    Parallel,
    Async,
}

const EXECUTORS: [Executor; 3] = [Executor::Sequential, Executor::Parallel, Executor::Async];

fn build(builder: DriverBuilder, executor: Executor) -> Driver {
    match executor {
        Executor::Parallel => builder.with_parallelism(2),
        _ => builder,
    }
    .build()
    .unwrap()
}

fn run(dr: &Driver, executor: Executor, outputs: &[&str]) -> Result<Outputs, Error> {
    match executor {
        Executor::Sequential | Executor::Parallel => dr.execute(outputs, Inputs::new()),
        Executor::Async => tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(dr.execute_async(outputs, Inputs::new())),
    }
}

/// Lets the test's own expected panics through silently.
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info.payload().downcast_ref::<&str>().copied();
            if !message.is_some_and(|m| m.starts_with("expected:")) {
                default(info);
            }
        }));
    });
}

/// An `around_node` hook that fails by itself: with an error of its own, or a panic.
struct Failing {
    panics: bool,
}

impl Hook for Failing {
    fn name(&self) -> &str {
        if self.panics { "panicky" } else { "refusing" }
    }

    fn around_node(
        &self,
        _node: &NodeContext<'_>,
        run: &mut dyn FnMut() -> Result<Value, NodeError>,
    ) -> Result<Value, NodeError> {
        let value = run()?;
        if self.panics {
            panic!("expected: the hook panics");
        }
        drop(value);
        Err("the hook refuses the value".into())
    }
}

/// An `around_node` hook that passes everything through.
struct Passing;

impl Hook for Passing {
    fn name(&self) -> &str {
        "passing"
    }
}

fn one(value: i64) -> Node {
    Node::builder("one").build(move |_: &Args| Ok(value))
}

#[test]
fn a_hook_failing_inside_around_node_is_reported_as_that_hook() {
    quiet_panics();
    for executor in EXECUTORS {
        for panics in [false, true] {
            let dr = build(
                Driver::builder()
                    .with_nodes([one(1)])
                    .with_hook(Passing)
                    .with_hook(Failing { panics }),
                executor,
            );
            let err = run(&dr, executor, &["one"]).unwrap_err();
            let Error::Hook {
                hook,
                phase,
                node,
                message,
            } = &err
            else {
                panic!("{executor:?}: {err:?}");
            };
            assert_eq!(
                (hook.as_str(), *phase, node.as_deref()),
                (
                    if panics { "panicky" } else { "refusing" },
                    "around_node",
                    Some("one")
                ),
                "{executor:?}"
            );
            let expected = if panics {
                "panicked: expected: the hook panics"
            } else {
                "the hook refuses the value"
            };
            assert_eq!(message, expected, "{executor:?}");
        }
    }
}

#[test]
fn a_node_failing_through_around_node_hooks_is_still_the_node_failing() {
    for executor in EXECUTORS {
        let dr =
            build(
                Driver::builder()
                    .with_nodes([Node::builder("bad").build(
                        |_: &Args| -> Result<i64, NodeError> { Err("the node's own error".into()) },
                    )])
                    .with_hook(Passing),
                executor,
            );
        let err = run(&dr, executor, &["bad"]).unwrap_err();
        assert!(
            matches!(&err, Error::NodeFailed { node, .. } if node == "bad"),
            "{executor:?}: {err:?}"
        );
    }
}

/// A value whose `Drop` panics.
#[derive(Debug)]
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("expected: the value panics when dropped");
        }
    }
}

fn bomb_graph() -> DriverBuilder {
    Driver::builder().with_nodes([
        Node::builder("bomb").build(|_: &Args| Ok(Bomb)),
        Node::builder("reader")
            .param::<Bomb>("bomb")
            .build(|_: &Args| Ok(1_i64)),
    ])
}

#[test]
fn a_value_panicking_when_dropped_fails_the_run_naming_its_node_and_the_driver_runs_again() {
    quiet_panics();
    for executor in EXECUTORS {
        let dr = build(bomb_graph(), executor);
        for _ in 0..2 {
            let err = run(&dr, executor, &["reader"]).unwrap_err();
            match &err {
                Error::NodePanicked { node, message } => {
                    assert_eq!(node, "bomb", "{executor:?}");
                    assert!(
                        message.contains("dropped") && message.contains("expected:"),
                        "{executor:?}: {message}"
                    );
                }
                other => panic!("{executor:?}: {other:?}"),
            }
        }
    }
}
