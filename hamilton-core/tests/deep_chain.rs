//! A chain of a million nodes builds, plans and runs: nothing in the driver recurses, so depth is
//! bounded by memory, not by the stack.

use std::time::Instant;

use hamilton_core::{
    Driver, Inputs, Overrides,
    node::{Args, Node},
};

const N: usize = 1_000_000;

fn chain(n: usize) -> Vec<Node> {
    (0..n)
        .map(|i| {
            let dep = if i == 0 {
                "x".to_string()
            } else {
                format!("n{}", i - 1)
            };
            Node::builder(format!("n{i}"))
                .param::<u64>(dep)
                .build(|a: &Args| Ok(a.get::<u64>(0)? + 1))
        })
        .collect()
}

#[test]
fn a_million_node_chain_builds_and_executes_without_recursion() {
    // On a thread with a small stack: a recursive walk of this depth would overflow it.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let started = Instant::now();
            let nodes = chain(N);
            let made = started.elapsed();
            let dr = Driver::builder().with_nodes(nodes).build().unwrap();
            let built = started.elapsed();
            let last = format!("n{}", N - 1);
            let out = dr
                .execute(&[last.as_str()], Inputs::new().set("x", 0_u64))
                .unwrap();
            assert_eq!(out.get::<u64>(&last).unwrap(), &(N as u64));
            let ran = started.elapsed();
            // Halfway through, from an override: only the upper half runs.
            let out = dr
                .request(&[last.as_str()])
                .overrides(Overrides::new().set(format!("n{}", N / 2), 0_u64))
                .execute()
                .unwrap();
            assert_eq!(out.get::<u64>(&last).unwrap(), &((N - 1 - N / 2) as u64));
            let upstream = dr.upstream_of(&[format!("n{}", N / 2)]).unwrap();
            assert_eq!(upstream.len(), N / 2 + 2); // n0..=n(N/2) and x
            eprintln!(
                "{N}-node chain: nodes made in {made:?}, built by {built:?}, executed by {ran:?}, \
                 override run and upstream query by {:?}",
                started.elapsed()
            );
            drop(dr);
        })
        .unwrap();
    handle.join().unwrap();
}
