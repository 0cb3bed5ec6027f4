//! Fan-out nodes (`Parallel<T>`, also fallible and async) and collecting parameters
//! (`Collect<T>` by reference and by value).
#![deny(warnings, missing_docs)]

use hamilton_core::__private::{ParamKind};
use hamilton_core::fanout::{self, Collect, Parallel};
use hamilton_core::node;

/// Fans out.
#[node]
pub fn items(n: &u64) -> Parallel<u64> {
    (0..*n).collect()
}

/// Fans out, fallibly, with the type's full path.
#[node(name = "listed", tag(kind = "fan-out"), when(source = "disk"))]
pub fn listed__disk(dir: &str) -> Result<fanout::Parallel<String>, std::io::Error> {
    Ok(Parallel(vec![dir.to_owned()]))
}

/// Fans out, asynchronously.
#[node]
pub async fn fetched(n: &u64) -> std::io::Result<Parallel<u64>> {
    Ok(Parallel(vec![*n]))
}

/// Runs per item.
#[node]
pub fn squared(items: &u64) -> u64 {
    items * items
}

/// Gathers by reference.
#[node]
pub fn total(squared: &Collect<u64>) -> u64 {
    squared.iter().sum()
}

/// Gathers by value, with the type's full path, beside a plain parameter.
#[node]
pub fn listing(squared: fanout::Collect<u64>, offset: &u64) -> Vec<u64> {
    squared.into_iter().map(|s| s + offset).collect()
}

/// Gathers, asynchronously.
#[node]
pub async fn stored(squared: &Collect<u64>) -> usize {
    squared.len()
}

fn main() {
    let items = <items>::DEF;
    assert_eq!(items.fan_out.map(|f| f().item.name()), Some("u64"));
    assert_eq!(items.output.name(), "Parallel<u64>");
    assert_eq!(
        <listed__disk>::DEF.fan_out.map(|f| f().item.name()),
        Some("String")
    );
    assert!(<fetched>::DEF.fan_out.is_some());
    assert!(<squared>::DEF.fan_out.is_none());
    let total = <total>::DEF.params[0];
    assert_eq!(total.gather.map(|g| g().item.name()), Some("u64"));
    assert_eq!(total.kind, ParamKind::Ref);
    let listing = <listing>::DEF.params;
    assert_eq!(listing[0].kind, ParamKind::Owned);
    assert!(listing[0].gather.is_some() && listing[1].gather.is_none());
    assert!(<stored>::DEF.params[0].gather.is_some());
}
