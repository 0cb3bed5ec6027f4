//! `#[node_module]` with every parameter kind, a fallible node, private and public functions, a
//! node with arguments beside batched ones, a deprecated node, a renamed crate path, and
//! `nodes![..]` over both, without a warning.
#![forbid(unsafe_code)]
#![deny(warnings)]

use hamilton_core::{Driver, Inputs, nodes, outputs};

#[hamilton_core::node_module(crate = hamilton_core)]
mod features {
    use hamilton_core::node;
    hamilton_core::module!();

    #[node]
    pub fn base(a: &f64, b: f64, c: Option<&f64>, d: Option<u32>) -> f64 {
        a + b + c.copied().unwrap_or(0.0) + f64::from(d.unwrap_or(0))
    }

    #[node]
    fn words(text: &str, extra: Option<&str>) -> Vec<String> {
        text.split(' ').chain(extra).map(str::to_owned).collect()
    }

    #[node]
    pub fn mean(values: &[f64]) -> Result<f64, String> {
        if values.is_empty() {
            return Err("no values".to_string());
        }
        Ok(values.iter().sum::<f64>() / values.len() as f64)
    }

    #[node(tag(kind = "summary"))]
    pub fn summary(base: &f64, mean: &f64, words: &[String]) -> String {
        format!("{base} {mean} {}", words.len())
    }

    /// Kept for older callers.
    #[deprecated = "use `base`"]
    #[node]
    pub fn old_base(a: &f64) -> f64 {
        *a
    }

    pub fn count_words(text: &str) -> usize {
        words(text, None).len()
    }
}

fn main() {
    assert_eq!(features::count_words("a b c"), 3);
    let inputs = || {
        Inputs::new()
            .set("a", 1.0)
            .set("b", 2.0)
            .set("text", "x y".to_string())
            .set("values", vec![2.0, 4.0])
    };
    let dr = Driver::builder().with_modules([features::MODULE]).build().unwrap();
    let out = dr.execute(&outputs![features::summary], inputs()).unwrap();
    assert_eq!(out.get_typed(features::summary::OUTPUT).unwrap(), "3 3 2");
    let listed = nodes![features::base, features::mean];
    let dr = Driver::builder().with_modules([listed]).build().unwrap();
    let out = dr.execute(&outputs![features::mean], inputs()).unwrap();
    assert_eq!(out.get_typed(features::mean::OUTPUT).unwrap(), &3.0);
}
