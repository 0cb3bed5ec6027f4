//! The hello world dataflow: `c = a + b`, `d = transform(c)`.
//!
//! Run it with `cargo run --example hello_world`.

pub mod my_functions;

use hamilton_core::diagram::{Draw, Format};
use hamilton_core::{Driver, Inputs};

fn main() -> Result<(), hamilton_core::Error> {
    // Build once: every wiring problem (two nodes disagreeing on a type, a cycle, and, with the
    // inputs declared, a typo in a parameter name) is reported here, all together, before
    // anything runs.
    let dr = Driver::builder()
        .with_modules([my_functions::MODULE])
        .with_inputs(["a", "b"])
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

    /// With the inputs declared as in `main`, a parameter naming neither a node nor an input
    /// is a build error naming the node and the parameter.
    #[test]
    fn build_reports_a_typo_in_a_parameter_name() {
        use hamilton_core::BuildError;
        use hamilton_core::node::{Args, Node};
        let typo = Node::builder("d_max")
            .param::<Vec<f64>>("dd")
            .build(|x: &Args| {
                Ok(x.get::<Vec<f64>>(0)?
                    .iter()
                    .copied()
                    .fold(f64::MIN, f64::max))
            });
        let err = Driver::builder()
            .with_modules([super::my_functions::MODULE])
            .with_nodes([typo])
            .with_inputs(["a", "b"])
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err.build_errors(),
                [BuildError::UndeclaredInput { node, param, .. }] if node == "d_max" && param == "dd"
            ),
            "{err}"
        );
        assert!(format!("{err:?}").contains("node `d_max`"), "{err:?}");
    }

    /// What `main` prints when the inputs are forgotten (quoted in the README's quick start).
    #[test]
    fn main_prints_the_curated_text_of_a_mistake() {
        let dr = Driver::builder()
            .with_modules([super::my_functions::MODULE])
            .with_inputs(["a", "b"])
            .build()
            .unwrap();
        let err = dr.execute(&["d"], Inputs::new()).unwrap_err();
        assert_eq!(
            format!("Error: {err:?}"),
            "Error: cannot run the request: 2 problem(s)\n  - missing input `a` of type `Vec<f64>`, needed by node `c`; pass it with `Inputs::new().set(\"a\", ..)`\n  - missing input `b` of type `Vec<f64>`, needed by node `c`; pass it with `Inputs::new().set(\"b\", ..)`"
        );
    }

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
