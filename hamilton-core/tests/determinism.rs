//! The same dataflow always lists, draws and reports the same way: `nodes()` order, DOT and
//! Mermaid text and error lists do not depend on hashing, registration or declaration order.

mod common;

use common::Counters;
use hamilton_core::diagram::{Draw, Format};
use hamilton_core::{Config, Driver, Inputs, Overrides, node::Node};
use proptest::prelude::*;

/// A few nodes with inputs, config and an optional parameter.
pub mod features {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Spend with negatives clipped.
    #[node]
    pub fn clean_spend(spend: &[f64]) -> Vec<f64> {
        spend.iter().map(|x| x.max(0.0)).collect()
    }

    /// Total of `clean_spend`.
    #[node(tag(owner = "growth"))]
    pub fn total_spend(clean_spend: &[f64], scale: Option<&f64>) -> f64 {
        clean_spend.iter().sum::<f64>() * scale.copied().unwrap_or(1.0)
    }

    /// Spend per signup in `region`.
    #[node]
    pub fn spend_per_signup(total_spend: &f64, signups: &u32, region: &str) -> String {
        format!("{region}: {}", total_spend / f64::from(*signups))
    }

    /// Signups, doubled.
    #[node]
    pub fn double_signups(signups: &u32) -> u32 {
        signups * 2
    }
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([features::MODULE])
        .with_config(Config::new().set("region", "UK").set("unused", 1_i64))
        .build()
        .unwrap()
}

fn listing(dr: &Driver) -> Vec<(String, String)> {
    dr.nodes()
        .iter()
        .map(|n| (n.name().to_string(), n.type_name().to_string()))
        .collect()
}

#[test]
fn nodes_are_listed_in_the_same_order_by_every_build() {
    let first = listing(&driver());
    for _ in 0..5 {
        assert_eq!(listing(&driver()), first);
    }
}

#[test]
fn dot_and_mermaid_are_identical_across_builds() {
    let (dot, mermaid) = (
        driver().diagram(Draw::Graph, Format::Dot),
        driver().diagram(Draw::Graph, Format::Mermaid),
    );
    for _ in 0..5 {
        let dr = driver();
        assert_eq!(dr.diagram(Draw::Graph, Format::Dot), dot);
        assert_eq!(dr.diagram(Draw::Graph, Format::Mermaid), mermaid);
    }
}

#[test]
fn execution_diagrams_are_identical_across_builds() {
    let draw = |dr: &Driver| {
        let request = dr
            .request(&["spend_per_signup"])
            .inputs(Inputs::new().set("signups", 3_u32))
            .overrides(Overrides::new().set("clean_spend", vec![1.0_f64]));
        (
            request.diagram(Format::Dot).unwrap(),
            request.diagram(Format::Mermaid).unwrap(),
        )
    };
    let first = draw(&driver());
    for _ in 0..5 {
        assert_eq!(draw(&driver()), first);
    }
}

#[test]
fn request_errors_come_in_the_same_order_every_time() {
    let errors = |dr: &Driver| {
        dr.execute(
            &["spend_per_signup", "double_signups", "totl_spend"],
            Inputs::new(),
        )
        .unwrap_err()
        .to_string()
    };
    let first = errors(&driver());
    for _ in 0..5 {
        assert_eq!(errors(&driver()), first);
    }
}

#[test]
fn the_order_nodes_are_given_in_does_not_change_the_drawing() {
    let counters = Counters::default();
    let nodes = || {
        vec![
            counters.sum_node("c", &["a", "b"], 0),
            counters.sum_node("d", &["c", "b"], 0),
            counters.sum_node("e", &["a"], 0),
        ]
    };
    let forward = Driver::builder().with_nodes(nodes()).build().unwrap();
    let mut reversed_nodes = nodes();
    reversed_nodes.reverse();
    let reversed = Driver::builder()
        .with_nodes(reversed_nodes)
        .build()
        .unwrap();
    assert_eq!(
        forward.diagram(Draw::Graph, Format::Dot),
        reversed.diagram(Draw::Graph, Format::Dot)
    );
    assert_eq!(
        forward.diagram(Draw::Graph, Format::Mermaid),
        reversed.diagram(Draw::Graph, Format::Mermaid)
    );
    assert_eq!(listing(&forward), listing(&reversed));
}

fn shuffled_chain_drivers(order: &[usize]) -> (Driver, Driver) {
    let counters = Counters::default();
    let node = |i: usize| -> Node {
        let deps: Vec<String> = (0..i)
            .filter(|j| (i + j).is_multiple_of(3))
            .map(|j| format!("n{j}"))
            .chain(std::iter::once(format!("in{}", i % 4)))
            .collect();
        let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
        counters.sum_node(&format!("n{i}"), &deps, i as i64)
    };
    let sorted = Driver::builder()
        .with_nodes((0..order.len()).map(node))
        .build()
        .unwrap();
    let shuffled = Driver::builder()
        .with_nodes(order.iter().map(|&i| node(i)))
        .build()
        .unwrap();
    (sorted, shuffled)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_declaration_order_gives_the_same_listing_and_drawing(
        order in (1usize..30).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle())
    ) {
        let (sorted, shuffled) = shuffled_chain_drivers(&order);
        prop_assert_eq!(listing(&sorted), listing(&shuffled));
        prop_assert_eq!(sorted.diagram(Draw::Graph, Format::Dot), shuffled.diagram(Draw::Graph, Format::Dot));
        prop_assert_eq!(sorted.diagram(Draw::Graph, Format::Mermaid), shuffled.diagram(Draw::Graph, Format::Mermaid));
    }
}
