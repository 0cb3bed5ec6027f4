//! The dataflow of the command-line example: an order's total, its discount, and a receipt.

use hamilton_core::node;

hamilton_core::module!();

/// The price of the items times how many of each.
#[node(tag(stage = "price"))]
pub fn total(prices: &[f64], quantity: &u32) -> f64 {
    prices.iter().sum::<f64>() * f64::from(*quantity)
}

/// The total less the discount (a fraction), if one is given.
#[node(tag(stage = "price"))]
pub fn discounted(total: &f64, discount: Option<&f64>) -> f64 {
    total * (1.0 - discount.copied().unwrap_or(0.0))
}

/// A greeting for `name` in the configured `language` (`en` or `fr`).
#[node(tag(stage = "text"))]
pub fn greeting(name: &str, language: &str) -> String {
    match language {
        "fr" => format!("Bonjour {name}"),
        _ => format!("Hello {name}"),
    }
}

/// The greeting and the amount due.
///
/// The last line of what `execute --output receipt` prints.
#[node(tag(stage = "text"))]
pub fn receipt(greeting: &str, discounted: &f64) -> String {
    format!("{greeting}, you owe {discounted:.2}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_discount_is_a_fraction_of_the_total() {
        assert_eq!(super::discounted(&200.0, Some(&0.25)), 150.0);
        assert_eq!(super::discounted(&200.0, None), 200.0);
    }
}
