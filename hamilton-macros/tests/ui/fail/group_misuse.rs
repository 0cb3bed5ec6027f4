use std::collections::BTreeMap;

use hamilton_core::node;

#[node(inject(parts = group(a, y = b)))]
fn mixed_keys(parts: &[f64]) -> f64 {
    parts.iter().sum()
}

#[node(inject(parts = group(x = a, x = value(1.0))))]
fn key_twice(parts: &BTreeMap<String, f64>) -> usize {
    parts.len()
}

#[node(inject(parts = group(x = a, y = b)))]
fn keys_into_a_list(parts: &[f64]) -> f64 {
    parts.iter().sum()
}

#[node(inject(parts = group(a, b)))]
fn list_into_a_map(parts: &BTreeMap<String, f64>) -> usize {
    parts.len()
}

#[node(inject(parts = group(a, group(b, c))))]
fn nested(parts: &[f64]) -> f64 {
    parts.iter().sum()
}

#[node(inject(parts = group(a, value("one"))))]
fn wrong_list_literal(parts: &[f64]) -> f64 {
    parts.iter().sum()
}

#[node(inject(parts = group(x = value(1_i64))))]
fn wrong_map_literal(parts: &BTreeMap<String, f64>) -> usize {
    parts.len()
}

#[node(inject(parts = group(x = a)))]
fn map_with_other_keys(parts: &BTreeMap<u32, f64>) -> usize {
    parts.len()
}

fn main() {}
