//! The pricing dataflow the config-key tests share: a `when(home_market = "DE")` variant, a
//! default, and a reader.

use hamilton_core::{Config, Driver, Error, Module, node, nodes};

/// The rate in Germany.
#[node(when(home_market = "DE"))]
fn rate__de() -> f64 {
    0.19
}

/// The rate anywhere else.
#[node(default)]
fn rate__other() -> f64 {
    0.5
}

/// The price with the rate.
#[node]
fn price(rate: &f64, net: &f64) -> f64 {
    net * (1.0 + rate)
}

pub(crate) fn pricing() -> Module {
    nodes![rate__de, rate__other, price]
}

pub(crate) fn build(config: Config, strict: bool) -> Result<Driver, Error> {
    let builder = Driver::builder()
        .with_modules([pricing()])
        .with_config(config);
    if strict {
        builder.with_inputs(["net"]).build()
    } else {
        builder.build()
    }
}

/// Where `rate__de` is defined, as build errors name it.
pub(crate) fn rate_de_at() -> String {
    let dr = build(Config::new().set("home_market", "DE"), true).unwrap();
    let node = dr.node("rate").unwrap();
    format!(
        "module `{}` ({})",
        node.module().unwrap(),
        node.location().unwrap()
    )
}
