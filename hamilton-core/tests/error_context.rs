//! A registered error context: a node that fails while reading a value of a registered type
//! reports the context that value adds (e.g. the files a lazy scan reads), under every
//! executor, with or without hooks; errors of nodes reading other types are unchanged.

use std::sync::{Arc, Mutex};

use hamilton_core::hooks::{Hook, NodeContext, NodeOutcome};
use hamilton_core::node::{Args, Node, NodeError};
use hamilton_core::{Driver, DriverBuilder, Error, Inputs};

/// A value that knows where it comes from, as a lazy scan knows its file.
#[derive(Debug)]
struct Scan(&'static str);

fn name_the_source(scan: &Scan, error: NodeError) -> NodeError {
    format!("{error} (reading `{}`)", scan.0).into()
}

hamilton_core::register_error_context!(name_the_source);

fn nodes() -> Vec<Node> {
    vec![
        Node::builder("scan").build(|_: &Args| Ok(Scan("in.csv"))),
        Node::builder("plain").build(|_: &Args| Ok(1_i64)),
        Node::builder("total")
            .param::<Scan>("scan")
            .build(|_: &Args| -> Result<i64, NodeError> { Err("bad row".into()) }),
        Node::builder("other")
            .param::<i64>("plain")
            .build(|_: &Args| -> Result<i64, NodeError> { Err("bad row".into()) }),
    ]
}

fn each_executor(
    f: impl Fn(DriverBuilder) -> DriverBuilder,
    check: impl Fn(Result<(), Error>, &str),
) {
    for executor in ["sequential", "parallel", "async"] {
        for output in ["total", "other"] {
            let builder = f(Driver::builder().with_nodes(nodes()));
            let builder = match executor {
                "parallel" => builder.with_parallelism(2),
                _ => builder,
            };
            let dr = builder.build().unwrap();
            let result = match executor {
                "async" => tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap()
                    .block_on(dr.execute_async(&[output], Inputs::new())),
                _ => dr.execute(&[output], Inputs::new()),
            };
            check(result.map(drop), output);
        }
    }
}

fn expected(output: &str) -> String {
    match output {
        "total" => "node `total` failed: bad row (reading `in.csv`)".into(),
        _ => format!("node `{output}` failed: bad row"),
    }
}

#[test]
fn a_failed_node_reports_what_its_arguments_add_under_every_executor() {
    each_executor(
        |b| b,
        |result, output| {
            let err = result.unwrap_err();
            assert!(
                matches!(&err, Error::NodeFailed { node, .. } if node == output),
                "{err:?}"
            );
            assert_eq!(err.to_string(), expected(output));
        },
    );
}

struct Seen(Arc<Mutex<Vec<String>>>);

impl Hook for Seen {
    fn name(&self) -> &str {
        "seen"
    }
    fn after_node(
        &self,
        _: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), hamilton_core::hooks::HookError> {
        if let NodeOutcome::Failure { error, .. } = outcome {
            self.0.lock().unwrap().push(error.to_string());
        }
        Ok(())
    }
}

#[test]
fn hooks_see_the_error_with_its_context() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    each_executor(
        |b| b.with_hook(Seen(seen.clone())),
        |result, output| {
            assert_eq!(result.unwrap_err().to_string(), expected(output));
            let last = seen.lock().unwrap().pop().unwrap();
            assert_eq!(format!("node `{output}` failed: {last}"), expected(output));
        },
    );
}
