//! Questions about a built dataflow: its nodes and their metadata, how they connect, and whether
//! a request can run, answered without running anything.

mod common;

use common::Counters;
use hamilton_core::{
    Config, Driver, Error, Inputs, Overrides, RequestError,
    introspect::{NodeInfo, NodeKind},
};

/// The marketing dataflow.
pub mod marketing {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Spend with negative values clipped to zero.
    ///
    /// Second paragraph.
    #[node(tag(owner = "growth", stage = "clean"))]
    pub fn clean_spend(spend: &[f64]) -> Vec<f64> {
        spend.iter().map(|x| x.max(0.0)).collect()
    }

    /// Total spend in `region`.
    #[node(tag(owner = "finance"))]
    pub fn total_spend(clean_spend: &[f64], region: &str) -> f64 {
        let _ = region;
        clean_spend.iter().sum()
    }

    /// Spend per signup.
    #[node(tag(owner = "growth"))]
    pub fn spend_per_signup(total_spend: &f64, signups: &u32, bonus: Option<&f64>) -> f64 {
        total_spend / f64::from(*signups) + bonus.copied().unwrap_or(0.0)
    }

    /// Not connected to the rest.
    #[node]
    pub fn here() -> u32 {
        line!()
    }
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([marketing::MODULE])
        .with_config(Config::new().set("region", "UK"))
        .build()
        .unwrap()
}

fn names(nodes: Vec<NodeInfo<'_>>) -> Vec<String> {
    nodes.iter().map(|n| n.name().to_string()).collect()
}

#[test]
fn nodes_lists_functions_inputs_and_config_sorted_by_name() {
    let dr = driver();
    let listed: Vec<_> = dr
        .nodes()
        .iter()
        .map(|n| (n.name(), n.kind(), n.type_name()))
        .collect();
    assert_eq!(
        listed,
        [
            ("bonus", NodeKind::Input, "f64"),
            ("clean_spend", NodeKind::Function, "Vec<f64>"),
            ("here", NodeKind::Function, "u32"),
            ("region", NodeKind::Config, "String"),
            ("signups", NodeKind::Input, "u32"),
            ("spend", NodeKind::Input, "Vec<f64>"),
            ("spend_per_signup", NodeKind::Function, "f64"),
            ("total_spend", NodeKind::Function, "f64"),
        ]
    );
}

#[test]
fn node_finds_one_vertex_by_name() {
    let dr = driver();
    assert_eq!(dr.node("total_spend").unwrap().kind(), NodeKind::Function);
    assert_eq!(dr.node("region").unwrap().kind(), NodeKind::Config);
    assert!(dr.node("total_spnd").is_none());
}

#[test]
fn node_metadata_comes_from_the_node_attribute_and_the_function() {
    let dr = driver();
    let clean = dr.node("clean_spend").unwrap();
    assert_eq!(
        clean.doc(),
        "Spend with negative values clipped to zero.\n\nSecond paragraph."
    );
    assert_eq!(clean.module(), Some("introspection::marketing"));
    assert_eq!(
        clean.tags().get("owner").map(String::as_str),
        Some("growth")
    );
    assert_eq!(clean.tags().get("stage").map(String::as_str), Some("clean"));

    let here = dr.node("here").unwrap();
    let location = here.location().unwrap();
    assert!(location.file.ends_with("introspection.rs"), "{location}");
    // `here` returns the line of its body; its name is on the line before.
    assert_eq!(location.line, marketing::here() - 1);
    assert!(here.tags().is_empty());

    // Inputs and config have no function metadata.
    let spend = dr.node("spend").unwrap();
    assert_eq!(
        (spend.doc(), spend.module(), spend.location()),
        ("", None, None)
    );
    assert!(spend.tags().is_empty());
    assert!(spend.dependencies().is_empty());
}

#[test]
fn hand_built_nodes_report_what_they_were_given() {
    let node = hamilton_core::node::Node::builder("n")
        .doc("by hand")
        .module("my::module")
        .location(hamilton_core::node::Location::new("src/n.rs", 7))
        .build(|_: &hamilton_core::node::Args| Ok(1_i64));
    let dr = Driver::builder().with_nodes([node]).build().unwrap();
    let n = dr.node("n").unwrap();
    assert_eq!(n.doc(), "by hand");
    assert_eq!(n.module(), Some("my::module"));
    assert_eq!(n.location().unwrap().to_string(), "src/n.rs:7");
}

#[test]
fn dependencies_are_listed_in_parameter_order_with_type_and_optionality() {
    let dr = driver();
    let deps: Vec<_> = dr
        .node("spend_per_signup")
        .unwrap()
        .dependencies()
        .iter()
        .map(|d| (d.name, d.type_name, d.optional))
        .collect();
    assert_eq!(
        deps,
        [
            ("total_spend", "f64", false),
            ("signups", "u32", false),
            ("bonus", "f64", true),
        ]
    );
    let deps: Vec<_> = dr
        .node("total_spend")
        .unwrap()
        .dependencies()
        .iter()
        .map(|d| (d.name, d.type_name))
        .collect();
    assert_eq!(deps, [("clean_spend", "Vec<f64>"), ("region", "String")]);
}

#[test]
fn nodes_tagged_filters_by_key_and_value() {
    let dr = driver();
    assert_eq!(
        names(dr.nodes_tagged("owner", Some("growth"))),
        ["clean_spend", "spend_per_signup"]
    );
    assert_eq!(
        names(dr.nodes_tagged("owner", None)),
        ["clean_spend", "spend_per_signup", "total_spend"]
    );
    assert_eq!(
        names(dr.nodes_tagged("stage", Some("clean"))),
        ["clean_spend"]
    );
    assert!(dr.nodes_tagged("owner", Some("nobody")).is_empty());
    assert!(dr.nodes_tagged("missing", None).is_empty());
}

#[test]
fn upstream_of_includes_the_nodes_and_all_their_ancestors() {
    let dr = driver();
    assert_eq!(
        names(dr.upstream_of(&["total_spend"]).unwrap()),
        ["clean_spend", "region", "spend", "total_spend"]
    );
    assert_eq!(
        names(dr.upstream_of(&["clean_spend", "here"]).unwrap()),
        ["clean_spend", "here", "spend"]
    );
}

#[test]
fn downstream_of_includes_the_nodes_and_all_their_descendants() {
    let dr = driver();
    assert_eq!(
        names(dr.downstream_of(&["spend"]).unwrap()),
        ["clean_spend", "spend", "spend_per_signup", "total_spend"]
    );
    assert_eq!(
        names(dr.downstream_of(&["bonus"]).unwrap()),
        ["bonus", "spend_per_signup"]
    );
    assert_eq!(names(dr.downstream_of(&["here"]).unwrap()), ["here"]);
}

#[test]
fn path_between_lists_every_node_on_a_path_or_none() {
    let dr = driver();
    assert_eq!(
        names(dr.path_between("spend", "spend_per_signup").unwrap()),
        ["clean_spend", "spend", "spend_per_signup", "total_spend"]
    );
    assert_eq!(
        names(dr.path_between("region", "spend_per_signup").unwrap()),
        ["region", "spend_per_signup", "total_spend"]
    );
    // Edges have a direction.
    assert!(
        dr.path_between("spend_per_signup", "spend")
            .unwrap()
            .is_empty()
    );
    assert!(dr.path_between("here", "total_spend").unwrap().is_empty());
}

#[test]
fn unknown_names_in_graph_queries_are_errors_with_suggestions() {
    let dr = driver();
    let err = dr
        .upstream_of(&["totl_spend", "nothing_like_it"])
        .unwrap_err();
    assert!(matches!(err, Error::Request(_)), "{err:?}");
    assert_eq!(
        err.request_errors(),
        [
            RequestError::UnknownNode {
                name: "totl_spend".into(),
                suggestion: Some("total_spend".into()),
            },
            RequestError::UnknownNode {
                name: "nothing_like_it".into(),
                suggestion: None,
            },
        ]
    );
    assert!(
        err.to_string()
            .contains("unknown node `totl_spend`; did you mean `total_spend`?"),
        "{err}"
    );
    assert!(dr.downstream_of(&["spnd"]).is_err());
    let err = dr.path_between("spend", "signup").unwrap_err();
    assert_eq!(
        err.request_errors(),
        [RequestError::UnknownNode {
            name: "signup".into(),
            suggestion: Some("signups".into()),
        }]
    );
}

#[test]
fn validate_accepts_a_runnable_request() {
    let dr = driver();
    dr.request(&["spend_per_signup"])
        .inputs(
            Inputs::new()
                .set("spend", vec![1.0_f64])
                .set("signups", 1_u32),
        )
        .validate()
        .unwrap();
}

#[test]
fn validate_reports_every_problem_without_running_anything() {
    let counters = Counters::default();
    let dr = Driver::builder()
        .with_nodes([
            counters.sum_node("b", &["a"], 1),
            counters.sum_node("c", &["b", "x"], 1),
            counters.sum_node("d", &["c", "y"], 1),
        ])
        .build()
        .unwrap();
    let err = dr
        .request(&["d", "dd"])
        .inputs(Inputs::new().set("x", 1.5_f64).set("b", 1_i64))
        .overrides(Overrides::new().set("c", "three").set("zzz", 0_i64))
        .validate()
        .unwrap_err();
    let errors = err.request_errors();
    let expected = [
        RequestError::UnknownOverride {
            name: "zzz".into(),
            suggestion: None,
        },
        RequestError::InputIsComputed {
            name: "b".into(),
            at: "nodes built by hand".into(),
        },
        RequestError::UnknownOutput {
            name: "dd".into(),
            suggestion: Some("d".into()),
        },
        RequestError::MissingInput {
            name: "y".into(),
            ty: "i64".into(),
            needed_by: vec!["d".into()],
            did_you_mean: None,
        },
        RequestError::OverrideType {
            name: "c".into(),
            expected: "i64".into(),
            found: "String".into(),
        },
    ];
    for e in &expected {
        assert!(errors.contains(e), "{e:?} not in {errors:#?}");
    }
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    // `x` is only read by `c`, which is overridden: its type does not matter for this request.
    assert_eq!(counters.total(), 0);
}

#[test]
fn validate_reports_mistyped_inputs_with_their_readers() {
    let counters = Counters::default();
    let dr = Driver::builder()
        .with_nodes([
            counters.sum_node("b", &["a"], 1),
            counters.sum_node("c", &["a", "b"], 1),
        ])
        .build()
        .unwrap();
    let err = dr
        .request(&["c"])
        .inputs(Inputs::new().set("a", 1_u64))
        .validate()
        .unwrap_err();
    assert_eq!(
        err.request_errors(),
        [RequestError::InputType {
            name: "a".into(),
            expected: "i64".into(),
            found: "u64".into(),
            needed_by: vec!["b".into(), "c".into()],
        }]
    );
    assert_eq!(counters.total(), 0);
}
