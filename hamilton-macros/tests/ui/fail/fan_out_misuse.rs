use hamilton_core::fanout::{Collect, Parallel};
use hamilton_core::node;

fn positive(_: &Parallel<u64>) -> Result<(), String> {
    Ok(())
}

fn halve(x: &Parallel<u64>) -> Parallel<u64> {
    x.clone()
}

// A fan-out's value is split into items: nothing transforms it whole.
#[node(pipe_output(step(halve)), check(custom = positive))]
fn items(n: &u64) -> Parallel<u64> {
    (0..*n).collect()
}

#[node(extract_fields(a: u64))]
fn extracted(n: &u64) -> Parallel<u64> {
    (0..*n).collect()
}

// A `Collect` gathers a fan-out that always runs: it cannot be optional.
#[node]
fn optional(squared: Option<&Collect<u64>>) -> u64 {
    squared.map_or(0, |s| s.iter().sum())
}

fn sum(xs: &Collect<u64>) -> u64 {
    xs.iter().sum()
}

// `does` would replace the parameters, and the collecting one would stop gathering.
#[node(does(sum))]
fn reused(squared: &Collect<u64>) -> u64 {}

// The items are cloned out of the `Parallel` for their runs.
struct NotClone;

#[node]
fn not_clone(n: &u64) -> Parallel<NotClone> {
    Parallel((0..*n).map(|_| NotClone).collect())
}

#[node]
fn fallible_not_clone(n: &u64) -> Result<Parallel<NotClone>, String> {
    Ok(Parallel((0..*n).map(|_| NotClone).collect()))
}

// Types named like the fan-out types, but not them.
mod other {
    pub struct Parallel<T>(pub Vec<T>);
    pub struct Collect<T>(pub Vec<T>);
}

#[node]
fn fake_parallel(n: &u64) -> other::Parallel<u64> {
    other::Parallel(vec![*n])
}

#[node]
fn fake_collect(squared: &other::Collect<u64>) -> u64 {
    squared.0.iter().sum()
}

fn main() {}
