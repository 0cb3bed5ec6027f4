//! Tags with several values (`tag(team = ["ml", "growth"])`, Hamilton's list-valued `@tag`), and
//! choosing nodes by several tags and values at once (Hamilton's `tag_filter`).

use std::sync::{Arc, Mutex};

use hamilton_core::hooks::{Hook, HookError, NodeContext};
use hamilton_core::introspect::TagFilter;
use hamilton_core::{Driver, Inputs, node, nodes};

#[node(
    tag(team = ["ml", "growth"], owner = "ana"),
    unpack(train, test),
    tag_outputs(test(audience = ["qa", "ops"]), train(audience = "ml"))
)]
fn split(xs: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (a, b) = xs.split_at(xs.len() / 2);
    (a.to_vec(), b.to_vec())
}

#[node(tag(team = "bi", stage = "report"))]
fn report(test: &[f64]) -> usize {
    test.len()
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([nodes![split, report]])
        .build()
        .unwrap()
}

fn names(nodes: Vec<hamilton_core::introspect::NodeInfo<'_>>) -> Vec<String> {
    nodes.iter().map(|n| n.name().to_string()).collect()
}

#[test]
fn a_list_tag_is_kept_whole_on_the_node_and_its_parts() {
    let dr = driver();
    for name in ["split", "train", "test"] {
        let n = dr.node(name).unwrap();
        assert_eq!(n.tag_values("team"), ["ml", "growth"], "{name}");
        assert_eq!(n.tag_lists()["team"], ["ml", "growth"], "{name}");
        // One-value tags stay in `tags()`, list-valued ones are not squeezed into a string.
        assert_eq!(n.tags().get("owner").map(String::as_str), Some("ana"));
        assert!(!n.tags().contains_key("team"));
    }
    assert_eq!(dr.node("report").unwrap().tag_values("team"), ["bi"]);
}

#[test]
fn tag_outputs_takes_lists_for_one_output() {
    let dr = driver();
    assert_eq!(
        dr.node("test").unwrap().tag_values("audience"),
        ["qa", "ops"]
    );
    assert_eq!(dr.node("train").unwrap().tag_values("audience"), ["ml"]);
    assert!(dr.node("split").unwrap().tag_values("audience").is_empty());
}

#[test]
fn nodes_tagged_matches_any_value_of_a_list_tag() {
    let dr = driver();
    assert_eq!(
        names(dr.nodes_tagged("team", Some("growth"))),
        ["split", "test", "train"]
    );
    assert_eq!(names(dr.nodes_tagged("audience", Some("ops"))), ["test"]);
}

#[test]
fn a_filter_matches_any_of_its_values_and_every_key() {
    let dr = driver();
    let any = TagFilter::new().any_of("team", ["growth", "bi"]);
    assert_eq!(
        names(dr.nodes_matching(&any)),
        ["report", "split", "test", "train"]
    );
    let both = TagFilter::new()
        .any_of("team", ["ml", "bi"])
        .any_of("audience", ["ops", "nobody"]);
    assert_eq!(names(dr.nodes_matching(&both)), ["test"]);
    let present = TagFilter::new().has("stage").is("team", "bi");
    assert_eq!(names(dr.nodes_matching(&present)), ["report"]);
    assert!(
        dr.nodes_matching(&TagFilter::new().is("team", "finance"))
            .is_empty()
    );
    // No condition: every vertex, the input `xs` included (as Hamilton lists inputs).
    assert_eq!(
        names(dr.nodes_matching(&TagFilter::new())),
        ["report", "split", "test", "train", "xs"]
    );
}

struct TeamsSeen(Arc<Mutex<Vec<String>>>);

impl Hook for TeamsSeen {
    fn name(&self) -> &str {
        "teams"
    }

    fn before_node(&self, node: &NodeContext<'_>) -> Result<(), HookError> {
        let teams = node
            .tag_lists
            .get("team")
            .map(|t| t.join("+"))
            .or_else(|| node.tags.get("team").cloned())
            .unwrap_or_default();
        self.0
            .lock()
            .unwrap()
            .push(format!("{}={teams}", node.name));
        Ok(())
    }
}

#[test]
fn hooks_see_list_tags() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let dr = Driver::builder()
        .with_modules([nodes![split, report]])
        .with_hook(TeamsSeen(seen.clone()))
        .build()
        .unwrap();
    dr.execute(&["report"], Inputs::new().set("xs", vec![1.0, 2.0]))
        .unwrap();
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, ["report=bi", "split=ml+growth", "test=ml+growth"]);
}
