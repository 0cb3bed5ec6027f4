//! Records a few runs of a small order-analysis dataflow into a tracker database, to try the UI
//! on (and to make the README's screenshots):
//!
//! ```text
//! cargo run -p hamilton-core --features ui,cache --example ui_demo -- /tmp/demo
//! cargo run -p hamilton-core --features ui --bin hamilton-ui -- --db /tmp/demo/runs.sqlite
//! ```
//!
//! Three runs: the first computes every node, the second finds them all in the cache, the third
//! is given no valid order and fails in `mean_order`.

use std::path::PathBuf;

use hamilton_core::track::Tracker;
use hamilton_core::{Driver, Inputs};

mod load {
    use hamilton_core::node;
    hamilton_core::module!();

    /// The orders' amounts, refunds (negative amounts) left out.
    #[node]
    pub(super) fn orders(raw_amounts: &[f64]) -> Vec<f64> {
        raw_amounts.iter().copied().filter(|a| *a > 0.0).collect()
    }

    /// The refunds, as positive amounts.
    #[node]
    pub(super) fn refunds(raw_amounts: &[f64]) -> Vec<f64> {
        raw_amounts
            .iter()
            .filter(|a| **a < 0.0)
            .map(|a| -a)
            .collect()
    }
}

mod features {
    use hamilton_core::node;
    hamilton_core::module!();

    /// How many orders there are.
    #[node]
    pub(super) fn order_count(orders: &[f64]) -> u64 {
        orders.len() as u64
    }

    /// The sum of the orders.
    #[node]
    pub(super) fn revenue(orders: &[f64]) -> f64 {
        orders.iter().sum()
    }

    /// The mean order; there must be at least one.
    #[node]
    pub(super) fn mean_order(revenue: &f64, order_count: &u64) -> Result<f64, String> {
        if *order_count == 0 {
            return Err("no order to average: every amount was a refund".into());
        }
        Ok(revenue / *order_count as f64)
    }

    /// The sum of the refunds.
    #[node]
    pub(super) fn refund_total(refunds: &[f64]) -> f64 {
        refunds.iter().sum()
    }

    /// Refunds as a share of revenue.
    #[node]
    pub(super) fn refund_rate(refund_total: &f64, revenue: &f64) -> f64 {
        if *revenue > 0.0 {
            refund_total / revenue
        } else {
            0.0
        }
    }
}

mod report {
    use hamilton_core::node;
    hamilton_core::module!();

    /// One line for the dashboard.
    #[node]
    pub(super) fn headline(mean_order: &f64, refund_rate: &f64) -> String {
        format!(
            "mean order {mean_order:.2}, refunds {:.1}%",
            refund_rate * 100.0
        )
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "ui-demo".into()));
    std::fs::create_dir_all(&dir)?;
    let tracker = Tracker::open(dir.join("runs.sqlite"))?;
    let dr = Driver::builder()
        .with_modules([load::MODULE, features::MODULE, report::MODULE])
        .with_cache(dir.join("cache").display().to_string())
        .with_tracker(tracker.clone())
        .build()?;
    let amounts = vec![12.5, 40.0, -5.0, 7.25, 99.0, -12.0, 30.0];
    for raw in [amounts.clone(), amounts, vec![-3.0, -4.0]] {
        match dr.execute(&["headline"], Inputs::new().set("raw_amounts", raw)) {
            Ok(out) => println!("{}", out.get::<String>("headline")?),
            Err(e) => println!("failed, as meant: {e}"),
        }
    }
    tracker.flush();
    println!(
        "recorded into {}; serve it with: hamilton-ui --db {0}",
        tracker.path().display()
    );
    Ok(())
}
