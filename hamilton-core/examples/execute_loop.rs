//! Executes the scalar chain or wide graph of the benchmarks a given number of times, for
//! counting instructions with callgrind (see BENCHMARKS.md, "Close to the floor"):
//!
//! ```text
//! cargo build --release -p hamilton-core --example execute_loop
//! valgrind --tool=callgrind --toggle-collect='*Driver*execute*' \
//!     target/release/examples/execute_loop chain 10000 4 execute
//! ```
//!
//! Arguments: `chain` or `wide`, the number of nodes, the number of executes, and the mode:
//! `execute` (one request, `Driver::execute`), `prepared` (`Driver::prepare` once, then
//! `PreparedRequest::execute`), `distinct` (a different one-output request each time) or
//! `build` (the driver built again each time, from the same module; nothing executed), or
//! `floor` (the same node bodies run by a minimal executor of erased nodes: a loop of boxed
//! `dyn Fn(&[&dyn Any]) -> Box<dyn Any>` calls over a `Vec` of slots, each value freed after
//! its last reader; no driver). With `--tool=cachegrind --cache-sim=yes` instead, the
//! difference between 4 executes and 1 gives the cache misses of one execute.

use std::any::Any;
use std::hint::black_box;

use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shape = args.get(1).map_or("chain", String::as_str);
    let n: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
        .max(1);
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let mode = args.get(4).map_or("execute", String::as_str);
    let (nodes, outputs): (Vec<Node>, Vec<String>) = if shape == "chain" {
        let nodes = (0..n)
            .map(|i| {
                let dep = if i == 0 {
                    "x".to_string()
                } else {
                    format!("n_{}", i - 1)
                };
                Node::builder(format!("n_{i}"))
                    .param::<f64>(dep)
                    .build(|a: &Args| Ok(a.get::<f64>(0)? + 1.0))
            })
            .collect();
        (nodes, vec![format!("n_{}", n - 1)])
    } else {
        let nodes = (0..n)
            .map(|i| {
                Node::builder(format!("w_{i}"))
                    .param::<f64>("x")
                    .build(move |a: &Args| Ok(a.get::<f64>(0)? * i as f64))
            })
            .collect();
        (nodes, (0..n).map(|i| format!("w_{i}")).collect())
    };
    if mode == "build" {
        let module = hamilton_core::Module::from_nodes("graph", nodes);
        for _ in 0..reps {
            let started = std::time::Instant::now();
            let dr = Driver::builder()
                .with_modules([module.clone()])
                .build()
                .unwrap();
            let per_node = started.elapsed().as_secs_f64() / n as f64;
            println!("build: {:.3} µs per node", per_node * 1e6);
            drop(black_box(dr));
        }
        return;
    }
    if mode == "floor" {
        let floor = Floor::new(shape == "chain", n);
        for _ in 0..reps {
            black_box(floor.run(Box::new(1.0_f64)));
        }
        return;
    }
    let dr = Driver::builder().with_nodes(nodes).build().unwrap();
    let inputs = || Inputs::new().set("x", 1.0_f64);
    match mode {
        "prepared" => {
            let prepared = dr.prepare(&outputs, &["x"]).unwrap();
            for _ in 0..reps {
                black_box(prepared.execute(inputs()).unwrap());
            }
        }
        "distinct" => {
            for i in 0..reps {
                let output = [outputs[(i * 7919) % outputs.len()].as_str()];
                black_box(dr.execute(&output, inputs()).unwrap());
            }
        }
        _ => {
            for _ in 0..reps {
                black_box(dr.execute(&outputs, inputs()).unwrap());
            }
        }
    }
}

/// A node of the minimal executor: its body, erased.
type ErasedFn = Box<dyn Fn(&[&dyn Any]) -> Box<dyn Any>>;

/// The chain or the wide graph for the minimal executor: slot 0 is `x`, slot `i + 1` node `i`.
struct Floor {
    steps: Vec<(ErasedFn, u32)>,
    chain: bool,
}

impl Floor {
    fn new(chain: bool, n: usize) -> Self {
        let steps = (0..n)
            .map(|i| {
                let f: ErasedFn = if chain {
                    Box::new(|a: &[&dyn Any]| Box::new(a[0].downcast_ref::<f64>().unwrap() + 1.0))
                } else {
                    Box::new(move |a: &[&dyn Any]| {
                        Box::new(a[0].downcast_ref::<f64>().unwrap() * i as f64)
                    })
                };
                (f, if chain { i as u32 } else { 0 })
            })
            .collect();
        Self { steps, chain }
    }

    /// Runs every node; the outputs (the last node of the chain, every node of the wide graph).
    fn run(&self, x: Box<dyn Any>) -> Vec<Box<dyn Any>> {
        let mut slots: Vec<Option<Box<dyn Any>>> = Vec::with_capacity(self.steps.len() + 1);
        slots.push(Some(x));
        for (f, arg) in &self.steps {
            let value = f(&[&**slots[*arg as usize].as_ref().unwrap()]);
            if self.chain {
                // The argument's only reader ran: free it.
                slots[*arg as usize] = None;
            }
            slots.push(Some(value));
        }
        if self.chain {
            slots.pop().into_iter().flatten().collect()
        } else {
            slots.into_iter().skip(1).flatten().collect()
        }
    }
}
