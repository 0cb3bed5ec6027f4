//! The hello world dataflow: `c = a + b`, `d = transform(c)`.
//!
//! Run it with `cargo run --example hello_world`.

pub mod my_functions;

use hamilton_core::diagram::{Draw, Format};
use hamilton_core::{Driver, Inputs};

fn main() -> Result<(), hamilton_core::Error> {
    // Build once: every wiring problem (a typo in a parameter name, two nodes disagreeing on a
    // type, a cycle) is reported here, all together, before anything runs.
    let dr = Driver::builder()
        .with_modules([my_functions::MODULE])
        .build()?;

    // Run: compute what is asked for, and only what it needs, from the inputs.
    let inputs = Inputs::new()
        .set("a", vec![1.0_f64, 2.0, 3.0])
        .set("b", vec![10.0_f64, 20.0, 30.0]);
    let out = dr.execute(&["c", "d", "d_mean"], inputs)?;

    println!("c      = {:?}", out.get::<Vec<f64>>("c")?);
    println!("d      = {:?}", out.get::<Vec<f64>>("d")?);
    println!("d_mean = {}", out.get::<f64>("d_mean")?);

    // The dataflow as a Mermaid diagram (paste it into https://mermaid.live).
    println!();
    println!("{}", dr.diagram(Draw::Graph, Format::Mermaid));
    Ok(())
}

#[cfg(test)]
mod tests {
    use hamilton_core::{Driver, Inputs};

    /// The hello world's values under the sequential, parallel and async executors.
    #[test]
    fn every_executor_computes_the_same_values() {
        let inputs = || {
            Inputs::new()
                .set("a", vec![1.0_f64, 2.0])
                .set("b", vec![3.0_f64, 4.0])
        };
        let builder = || Driver::builder().with_modules([super::my_functions::MODULE]);
        let sequential = builder().build().unwrap();
        let parallel = builder().with_parallelism(2).build().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let outputs = ["d", "d_mean"];
        for out in [
            sequential.execute(&outputs, inputs()).unwrap(),
            parallel.execute(&outputs, inputs()).unwrap(),
            runtime
                .block_on(sequential.execute_async(&outputs, inputs()))
                .unwrap(),
        ] {
            assert_eq!(out.get::<Vec<f64>>("d").unwrap(), &[16.0, 36.0]);
            assert_eq!(out.get::<f64>("d_mean").unwrap(), &26.0);
        }
    }
}
