//! A Rust keyword as a node or parameter name, written as a raw identifier: `fn r#final` is
//! node `final`, a parameter `r#type` reads `type`.

use hamilton_core::{Driver, Inputs, node, nodes};

/// The final score.
#[node]
fn r#final(r#type: &i64) -> i64 {
    r#type + 1
}

/// Reads the node `final`.
#[node]
fn reported(r#final: &i64) -> String {
    format!("score {final}", final = r#final)
}

#[test]
fn raw_identifiers_name_nodes_and_parameters_without_the_prefix() {
    let dr = Driver::builder()
        .with_modules([nodes![r#final, reported]])
        .build()
        .unwrap();
    let out = dr
        .execute(&["final", "reported"], Inputs::new().set("type", 41_i64))
        .unwrap();
    assert_eq!(out.get::<i64>("final").unwrap(), &42);
    assert_eq!(out.get::<String>("reported").unwrap(), "score 42");
    let params: Vec<_> = dr
        .node("final")
        .unwrap()
        .dependencies()
        .iter()
        .map(|d| d.name.to_string())
        .collect();
    assert_eq!(params, ["type"]);
    // The function itself stays callable.
    assert_eq!(r#final(&1), 2);
}
