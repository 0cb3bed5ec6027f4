//! A `#[node(wired)]` dataflow across two modules: its wiring is checked at compile time (each
//! checked parameter names a producer in scope with the same value type), and it builds and runs
//! through a `Driver` like any other.

use hamilton_core::{Driver, Inputs};

/// Loads and cleans the raw amounts.
pub mod loaders {
    use hamilton_core::node;

    hamilton_core::module!();

    /// The amounts, without negative entries; `raw` is an input, left to `build()`.
    #[node(wired(except(raw)))]
    pub fn amounts(raw: &[f64]) -> Vec<f64> {
        raw.iter().copied().filter(|x| *x >= 0.0).collect()
    }

    /// The region's label, read through `&str`.
    #[node(wired(except(region)))]
    pub fn label(region: &str) -> String {
        region.to_uppercase()
    }

    /// How many amounts; fallible, so dependents read its `Ok` type.
    #[node(wired)]
    pub fn count(amounts: &[f64]) -> Result<usize, std::io::Error> {
        Ok(amounts.len())
    }
}

/// Features over the loaders' outputs, imported with `use` so that the check finds them.
pub mod features {
    use hamilton_core::node;

    use super::loaders::{amounts, count, label};

    hamilton_core::module!();

    /// The total amount.
    #[node(wired)]
    pub fn total(amounts: &[f64]) -> f64 {
        amounts.iter().sum()
    }

    /// The mean amount; `scale` is optional, so it stays a `build()` check.
    #[node(wired)]
    pub fn mean(total: &f64, count: usize, scale: Option<&f64>) -> f64 {
        total / count as f64 * scale.copied().unwrap_or(1.0)
    }

    /// A one-line summary, taking the label by value.
    #[node(wired)]
    pub fn summary(label: String, mean: &f64) -> String {
        format!("{label}: {mean}")
    }
}

/// A wired fan-out: the nodes after a `Parallel<T>` read `T`; the `Collect<T>` is left to
/// `build()`.
pub mod fan_out {
    use hamilton_core::fanout::{Collect, Parallel};
    use hamilton_core::node;

    hamilton_core::module!();

    /// One item per word of `text` (an input).
    #[node(wired(except(text)))]
    pub fn word(text: &str) -> Parallel<String> {
        text.split(' ').map(str::to_string).collect()
    }

    /// Each word's length, read from the fan-out's item type.
    #[node(wired)]
    pub fn word_len(word: &str) -> usize {
        word.len()
    }

    /// The lengths, gathered.
    #[node(wired)]
    pub fn longest(word_len: Collect<usize>) -> usize {
        word_len.iter().copied().max().unwrap_or(0)
    }
}

#[test]
fn a_wired_fan_out_reads_the_item_type_and_runs() {
    let dr = Driver::builder()
        .with_modules([fan_out::MODULE])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["longest"],
            Inputs::new().set("text", "a wired fan-out".to_string()),
        )
        .unwrap();
    assert_eq!(out.get::<usize>("longest").unwrap(), &7);
    let _: fn(&fan_out::word) -> &std::marker::PhantomData<String> = |n| &n.__output;
}

#[test]
fn a_wired_dataflow_across_modules_builds_and_runs() {
    let dr = Driver::builder()
        .with_modules([loaders::MODULE, features::MODULE])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["summary", "mean"],
            Inputs::new()
                .set("raw", vec![1.0_f64, -5.0, 3.0])
                .set("region", "uk".to_string()),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("mean").unwrap(), &2.0);
    assert_eq!(out.get::<String>("summary").unwrap(), "UK: 2");
}

#[test]
fn the_wiring_check_leaves_optional_parameters_to_the_driver() {
    let dr = Driver::builder()
        .with_modules([loaders::MODULE, features::MODULE])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["mean"],
            Inputs::new()
                .set("raw", vec![2.0_f64, 4.0])
                .set("scale", 10.0_f64),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("mean").unwrap(), &30.0);
}

#[test]
fn every_node_exposes_its_output_type_for_the_check() {
    let _: fn(&loaders::count) -> &std::marker::PhantomData<usize> = |n| &n.__output;
    let _: fn(&loaders::amounts) -> &std::marker::PhantomData<Vec<f64>> = |n| &n.__output;
    // An unwired node's hidden struct holds no producers: it is zero-sized and ends no cycle.
    assert_eq!(std::mem::size_of::<features::summary>(), 0);
}

/// A public wired node may read a private producer: its hidden struct holds the producer's
/// without a `private_interfaces` warning (CI's clippy denies warnings on this file).
pub mod visibility {
    use hamilton_core::node;

    hamilton_core::module!();

    #[node]
    fn hidden_base() -> i64 {
        2
    }

    /// Twice the private base.
    #[node(wired)]
    pub fn shown(hidden_base: &i64) -> i64 {
        hidden_base * 2
    }
}

#[test]
fn a_public_wired_node_reads_a_private_producer() {
    let dr = Driver::builder()
        .with_modules([visibility::MODULE])
        .build()
        .unwrap();
    let out = dr.execute(&["shown"], Inputs::new()).unwrap();
    assert_eq!(out.get::<i64>("shown").unwrap(), &4);
}
