//! DOT and Mermaid text of the whole dataflow and of one execution: inputs, outputs, config and
//! overrides drawn apart, every box labelled with its type. Pinned by snapshots.

use hamilton_core::diagram::{Draw, Format};
use hamilton_core::{Config, Driver, Inputs, Overrides};

/// A small marketing dataflow with an input, an optional input and a config value.
pub mod marketing {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Spend with negatives clipped.
    #[node]
    pub fn clean_spend(spend: &[f64]) -> Vec<f64> {
        spend.iter().map(|x| x.max(0.0)).collect()
    }

    /// Rolling mean of `clean_spend` over `window`.
    #[node]
    pub fn avg_spend(clean_spend: &[f64], window: &usize) -> f64 {
        let n = (*window).min(clean_spend.len()).max(1);
        clean_spend.iter().rev().take(n).sum::<f64>() / n as f64
    }

    /// Spend per signup, plus an optional bonus.
    #[node]
    pub fn spend_per_signup(avg_spend: &f64, signups: &u32, bonus: Option<&f64>) -> f64 {
        avg_spend / f64::from(*signups) + bonus.copied().unwrap_or(0.0)
    }

    /// A report line for `region`.
    #[node]
    pub fn report(spend_per_signup: &f64, region: &str) -> String {
        format!("{region}: {spend_per_signup:.2}")
    }

    /// Unrelated to the report.
    #[node]
    pub fn audit(spend: &[f64]) -> Result<usize, std::io::Error> {
        Ok(spend.len())
    }
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([marketing::MODULE])
        .with_config(
            Config::new()
                .set("window", 3_usize)
                .set("region", "UK & <IE>"),
        )
        .build()
        .unwrap()
}

#[test]
fn whole_graph_dot() {
    insta::assert_snapshot!(driver().diagram(Draw::Graph, Format::Dot));
}

#[test]
fn whole_graph_mermaid() {
    insta::assert_snapshot!(driver().diagram(Draw::Graph, Format::Mermaid));
}

#[test]
fn execution_dot_marks_outputs_and_overrides_and_leaves_out_pruned_nodes() {
    let dot = driver()
        .request(&["report", "avg_spend"])
        .inputs(Inputs::new().set("signups", 10_u32))
        .overrides(Overrides::new().set("clean_spend", vec![1.0_f64]))
        .diagram(Format::Dot)
        .unwrap();
    assert!(!dot.contains("\"audit\""), "{dot}");
    assert!(!dot.contains("\"spend\""), "{dot}");
    insta::assert_snapshot!(dot);
}

#[test]
fn execution_mermaid_marks_outputs_and_overrides_and_leaves_out_pruned_nodes() {
    let mermaid = driver()
        .request(&["report"])
        .inputs(Inputs::new().set("signups", 10_u32).set("bonus", 1.0_f64))
        .overrides(Overrides::new().set("avg_spend", 2.0_f64))
        .diagram(Format::Mermaid)
        .unwrap();
    assert!(!mermaid.contains("audit"), "{mermaid}");
    assert!(!mermaid.contains("clean_spend"), "{mermaid}");
    insta::assert_snapshot!(mermaid);
}

#[test]
fn execution_diagram_of_a_bad_request_is_the_requests_error() {
    let err = driver()
        .request(&["reprt"])
        .diagram(Format::Dot)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown output `reprt`; did you mean `report`?"),
        "{err}"
    );
    let err = driver()
        .request(&["report"])
        .diagram(Format::Mermaid)
        .unwrap_err();
    assert!(err.to_string().contains("missing input `spend`"), "{err}");
}

#[test]
fn every_vertex_and_edge_of_the_graph_is_drawn() {
    let dr = driver();
    let dot = dr.diagram(Draw::Graph, Format::Dot);
    let mermaid = dr.diagram(Draw::Graph, Format::Mermaid);
    for node in dr.nodes() {
        assert!(
            dot.contains(&format!("\"{}\" [label=", node.name())),
            "{}",
            node.name()
        );
        let escaped = node.name().replace('<', "#lt;");
        assert!(mermaid.contains(&escaped), "{}", node.name());
        for dep in node.dependencies() {
            assert!(
                dot.contains(&format!("\"{}\" -> \"{}\"", dep.name, node.name())),
                "{} -> {}",
                dep.name,
                node.name()
            );
        }
    }
}
