//! A node's own failure is wrapped with the node's name (`NodeFailed`, source chain intact); a
//! node's panic is caught (`NodePanicked`) and the driver stays usable; reading an output at the
//! wrong type is an error, not a panic.

use std::error::Error as _;
use std::fmt;

use hamilton_core::{Driver, Error, Inputs};

/// A domain error with a cause.
#[derive(Debug)]
pub struct LoadError {
    path: String,
    cause: std::io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot load `{}`", self.path)
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

/// Nodes that fail in various ways.
pub mod failing {
    use hamilton_core::node;

    use super::LoadError;

    hamilton_core::module!();

    /// Loads rows from `path`; fails on a path that does not exist.
    #[node]
    pub fn rows(path: &str) -> Result<Vec<f64>, LoadError> {
        if path == "missing.csv" {
            return Err(LoadError {
                path: path.to_string(),
                cause: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        Ok(vec![1.0, 2.0, 3.0])
    }

    /// The mean; panics on no rows.
    #[node]
    pub fn mean(rows: &[f64]) -> f64 {
        assert!(!rows.is_empty(), "mean of no rows");
        rows.iter().sum::<f64>() / rows.len() as f64
    }

    /// The rows, scaled by `divisor`; panics with a formatted message on zero.
    #[node]
    pub fn scaled(rows: &[f64], divisor: &i64) -> Vec<f64> {
        if *divisor == 0 {
            panic!("divisor is {divisor}");
        }
        rows.iter().map(|r| r / *divisor as f64).collect()
    }

    /// Panics with a non-string payload.
    #[node]
    pub fn odd_panic(rows: &[f64]) -> usize {
        if rows.len() == 3 {
            std::panic::panic_any(42_u32);
        }
        rows.len()
    }

    /// Fails with a plain string error.
    #[node]
    pub fn checked(mean: &f64) -> Result<f64, String> {
        if *mean > 1.5 {
            Err(format!("mean {mean} is too high"))
        } else {
            Ok(*mean)
        }
    }
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([failing::MODULE])
        .build()
        .unwrap()
}

#[test]
fn a_node_error_is_wrapped_with_the_nodes_name_and_keeps_its_source_chain() {
    let err = driver()
        .execute(&["mean"], Inputs::new().set("path", "missing.csv"))
        .unwrap_err();
    let Error::NodeFailed { node, source } = &err else {
        panic!("expected NodeFailed, got {err:?}");
    };
    assert_eq!(node, "rows");
    assert_eq!(
        err.to_string(),
        "node `rows` failed: cannot load `missing.csv`"
    );
    let load = source
        .downcast_ref::<LoadError>()
        .expect("the node's own error type");
    assert_eq!(load.path, "missing.csv");
    // The chain goes on from the node's error, which is already in the message: its cause.
    let cause = err.source().expect("LoadError has a cause");
    assert_eq!(cause.to_string(), "no such file");
    assert!(cause.downcast_ref::<std::io::Error>().is_some());
    assert!(cause.source().is_none());
}

/// The text and causes as `anyhow` prints them with `{:?}`: each level of the chain once.
fn with_causes(err: &Error) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        text.push_str(&format!("\ncaused by: {cause}"));
        next = cause.source();
    }
    text
}

#[test]
fn a_failed_nodes_error_is_printed_once_with_its_chain() {
    let err = driver()
        .execute(&["mean"], Inputs::new().set("path", "missing.csv"))
        .unwrap_err();
    let text = with_causes(&err);
    assert_eq!(
        text,
        "node `rows` failed: cannot load `missing.csv`\ncaused by: no such file"
    );
    assert_eq!(text.matches("cannot load").count(), 1, "{text}");
}

#[test]
fn debug_shows_the_curated_text_and_its_causes_as_main_prints_it() {
    let err = driver()
        .execute(&["mean"], Inputs::new().set("path", "missing.csv"))
        .unwrap_err();
    // `fn main() -> Result<(), Error>` prints `Error: {err:?}`.
    assert_eq!(
        format!("{err:?}"),
        "node `rows` failed: cannot load `missing.csv`\n\nCaused by:\n    no such file"
    );
    let structure = format!("{err:#?}");
    assert!(structure.starts_with("NodeFailed {"), "{structure}");
    assert!(structure.contains("node: \"rows\""), "{structure}");

    let err = driver().execute(&["mean"], Inputs::new()).unwrap_err();
    assert_eq!(format!("{err:?}"), err.to_string());
    assert!(
        format!("{err:?}")
            .starts_with("cannot run the request: 1 problem(s)\n  - missing input `path`"),
        "{err:?}"
    );
    assert!(format!("{err:#?}").starts_with("Request("), "{err:#?}");
}

#[test]
fn debug_of_a_build_error_is_its_message() {
    let err = Driver::builder()
        .with_nodes([hamilton_core::node::Node::builder("a")
            .param::<i64>("a")
            .build(|x: &hamilton_core::node::Args| Ok(*x.get::<i64>(0)?))])
        .build()
        .unwrap_err();
    assert_eq!(
        format!("{err:?}"),
        "cannot build the dataflow: 1 problem(s)\n  - cycle: a (nodes built by hand) -> a; a node cannot depend on its own output, break the loop by renaming a parameter or removing an edge"
    );
}

#[test]
fn a_string_error_becomes_the_nodes_error_message() {
    let err = driver()
        .execute(&["checked"], Inputs::new().set("path", "data.csv"))
        .unwrap_err();
    assert!(
        matches!(&err, Error::NodeFailed { node, .. } if node == "checked"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "node `checked` failed: mean 2 is too high");
}

#[test]
fn a_node_panic_is_caught_with_its_message() {
    let dr = driver();
    let err = dr
        .execute(
            &["scaled"],
            Inputs::new().set("path", "data.csv").set("divisor", 0_i64),
        )
        .unwrap_err();
    match &err {
        Error::NodePanicked { node, message } => {
            assert_eq!(node, "scaled");
            assert_eq!(message, "divisor is 0");
        }
        other => panic!("expected NodePanicked, got {other:?}"),
    }
    assert_eq!(err.to_string(), "node `scaled` panicked: divisor is 0");
}

#[test]
fn a_static_str_panic_message_is_kept() {
    let err = Driver::builder()
        .with_modules([hamilton_core::nodes![failing::mean]])
        .build()
        .unwrap()
        .execute(&["mean"], Inputs::new().set("rows", Vec::<f64>::new()))
        .unwrap_err();
    assert!(
        matches!(&err, Error::NodePanicked { node, message } if node == "mean" && message == "mean of no rows"),
        "{err:?}"
    );
}

#[test]
fn a_panic_without_a_string_payload_is_still_reported() {
    let err = driver()
        .execute(&["odd_panic"], Inputs::new().set("path", "data.csv"))
        .unwrap_err();
    match &err {
        Error::NodePanicked { node, message } => {
            assert_eq!(node, "odd_panic");
            assert!(message.contains("non-string payload"), "{message}");
        }
        other => panic!("expected NodePanicked, got {other:?}"),
    }
}

#[test]
fn the_driver_stays_usable_after_a_node_panics() {
    let dr = driver();
    for _ in 0..2 {
        let err = dr
            .execute(
                &["scaled"],
                Inputs::new().set("path", "data.csv").set("divisor", 0_i64),
            )
            .unwrap_err();
        assert!(matches!(err, Error::NodePanicked { .. }), "{err:?}");
        let out = dr
            .execute(
                &["scaled", "mean"],
                Inputs::new().set("path", "data.csv").set("divisor", 2_i64),
            )
            .unwrap();
        assert_eq!(out.get::<Vec<f64>>("scaled").unwrap(), &[0.5, 1.0, 1.5]);
        assert_eq!(out.get::<f64>("mean").unwrap(), &2.0);
    }
}

#[test]
fn the_driver_can_be_used_from_another_thread_after_a_panic() {
    let dr = std::sync::Arc::new(driver());
    let worker = {
        let dr = dr.clone();
        std::thread::spawn(move || {
            dr.execute(
                &["scaled"],
                Inputs::new().set("path", "data.csv").set("divisor", 0_i64),
            )
            .is_err()
        })
    };
    assert!(worker.join().unwrap());
    let out = dr
        .execute(&["mean"], Inputs::new().set("path", "data.csv"))
        .unwrap();
    assert_eq!(out.get::<f64>("mean").unwrap(), &2.0);
}

#[test]
fn outputs_get_at_the_wrong_type_is_an_error_naming_both_types() {
    let out = driver()
        .execute(&["mean"], Inputs::new().set("path", "data.csv"))
        .unwrap();
    let err = out.get::<i64>("mean").unwrap_err();
    match &err {
        Error::OutputType {
            name,
            expected,
            found,
        } => {
            assert_eq!(name, "mean");
            assert_eq!(expected, "i64");
            assert_eq!(found, "f64");
        }
        other => panic!("expected OutputType, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "output `mean` is a `f64`, not a `i64`; read it as `f64`"
    );
    assert_eq!(out.get::<f64>("mean").unwrap(), &2.0);
}

#[test]
fn outputs_take_at_the_wrong_type_leaves_the_output_in_place() {
    let mut out = driver()
        .execute(&["rows"], Inputs::new().set("path", "data.csv"))
        .unwrap();
    let err = out.take::<Vec<i64>>("rows").unwrap_err();
    assert!(
        matches!(&err, Error::OutputType { name, expected, found }
            if name == "rows" && expected == "Vec<i64>" && found == "Vec<f64>"),
        "{err:?}"
    );
    assert_eq!(out.take::<Vec<f64>>("rows").unwrap(), [1.0, 2.0, 3.0]);
    // Taken: no longer there.
    let err = out.take::<Vec<f64>>("rows").unwrap_err();
    assert!(
        matches!(&err, Error::NoSuchOutput { name, .. } if name == "rows"),
        "{err:?}"
    );
    assert!(out.is_empty());
}

#[test]
fn reading_an_output_that_was_not_requested_lists_the_outputs() {
    let out = driver()
        .execute(&["rows", "mean"], Inputs::new().set("path", "data.csv"))
        .unwrap();
    let err = out.get::<f64>("scaled").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`scaled` is not among the outputs (rows, mean); request it in `execute`"
    );
}
