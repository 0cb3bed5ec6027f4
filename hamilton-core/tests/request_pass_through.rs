//! Requests for values no node computes: an input no node reads comes back as given (result
//! frames carry ids through this way), an optional input not given comes back as absent; under
//! every executor. Other unknown outputs and missing inputs stay errors.

use hamilton_core::node::{Args, Node};
use hamilton_core::{Driver, Error, Inputs, Outputs, RequestError};

fn driver(parallel: bool) -> Driver {
    let builder = Driver::builder().with_nodes([Node::builder("doubled")
        .param::<i64>("x")
        .optional_param::<i64>("offset")
        .build(|a: &Args| Ok(a.get::<i64>(0)? * 2 + a.get_opt::<i64>(1)?.copied().unwrap_or(0)))]);
    if parallel {
        builder.with_parallelism(2)
    } else {
        builder
    }
    .build()
    .unwrap()
}

fn each_executor(
    outputs: &[&str],
    inputs: impl Fn() -> Inputs,
    check: impl Fn(Result<Outputs, Error>),
) {
    for executor in ["sequential", "parallel", "async"] {
        let dr = driver(executor == "parallel");
        let result = match executor {
            "async" => tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(dr.execute_async(outputs, inputs())),
            _ => dr.execute(outputs, inputs()),
        };
        check(result);
    }
}

#[test]
fn an_input_no_node_reads_is_returned_as_given_in_request_order() {
    each_executor(
        &["order_id", "doubled", "order_id"],
        || {
            Inputs::new()
                .set("x", 2_i64)
                .set("order_id", "A-17".to_string())
        },
        |result| {
            let out = result.unwrap();
            assert_eq!(out.names().collect::<Vec<_>>(), ["order_id", "doubled"]);
            assert_eq!(out.get::<String>("order_id").unwrap(), "A-17");
            assert_eq!(out.get::<i64>("doubled").unwrap(), &4);
        },
    );
}

#[test]
fn an_optional_input_not_given_comes_back_absent() {
    each_executor(
        &["doubled", "offset"],
        || Inputs::new().set("x", 2_i64),
        |result| {
            let out = result.unwrap();
            assert_eq!(out.get_opt::<i64>("offset").unwrap(), None);
            assert!(matches!(
                out.get::<i64>("offset"),
                Err(Error::NoSuchOutput { .. })
            ));
            assert_eq!(out.get_opt::<i64>("doubled").unwrap(), Some(&4));
            assert!(out.get_opt::<i64>("nothing").is_err());
        },
    );
    let out = driver(false)
        .execute(&["offset"], Inputs::new().set("offset", 5_i64))
        .unwrap();
    assert_eq!(out.get_opt::<i64>("offset").unwrap(), Some(&5));
}

#[test]
fn other_unknown_outputs_and_missing_inputs_stay_errors() {
    each_executor(
        &["doubled", "order_idd"],
        || {
            Inputs::new()
                .set("x", 2_i64)
                .set("order_id", "A-17".to_string())
        },
        |result| {
            let Err(Error::Request(errors)) = result else {
                panic!("{result:?}")
            };
            assert!(
                matches!(&errors[..], [RequestError::UnknownOutput { name, .. }] if name == "order_idd"),
                "{errors:?}"
            );
        },
    );
    each_executor(
        &["doubled", "order_id"],
        || Inputs::new().set("order_id", "A-17".to_string()),
        |result| {
            let Err(Error::Request(errors)) = result else {
                panic!("{result:?}")
            };
            assert!(
                matches!(&errors[..], [RequestError::MissingInput { name, .. }] if name == "x"),
                "{errors:?}"
            );
        },
    );
}
