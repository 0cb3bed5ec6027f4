//! The floor: a minimal executor of type-erased nodes, which any executor of erased nodes pays.
//!
//! A loop of boxed `dyn Fn(&[&dyn Any]) -> Box<dyn Any>` calls over a `Vec` of slots, each value
//! freed after its last reader, the outputs taken out in request order. No names, no plan
//! lookup, no checks, no hooks: the same node bodies as [`Workload::handwritten`], reached
//! through one indirect call and one box per node, as a type-erased engine must.

use std::any::Any;

use crate::dags::{Val, Workload, eval1, eval2};

/// A node of the floor executor: its body, erased.
type ErasedFn = Box<dyn Fn(&[&dyn Any]) -> Box<dyn Any> + Send + Sync>;

/// One step: the node, the slots it reads, the slots freed after it.
struct FloorStep {
    f: ErasedFn,
    args: [u32; 2],
    arity: usize,
    frees: Vec<u32>,
}

/// A workload compiled for the floor executor.
pub struct Floor {
    steps: Vec<FloorStep>,
    outputs: Vec<u32>,
    slots: usize,
}

impl Floor {
    /// The nodes of `wl` as erased functions over values of type `V`.
    pub fn new<V: Val>(wl: &Workload) -> Self {
        let steps = wl
            .specs
            .iter()
            .zip(&wl.frees)
            .map(|(spec, frees)| {
                let op = spec.op;
                let f: ErasedFn = if spec.arity == 1 {
                    Box::new(move |a: &[&dyn Any]| {
                        Box::new(eval1(op, a[0].downcast_ref::<V>().expect("a V")))
                    })
                } else {
                    Box::new(move |a: &[&dyn Any]| {
                        Box::new(eval2(
                            op,
                            a[0].downcast_ref::<V>().expect("a V"),
                            a[1].downcast_ref::<V>().expect("a V"),
                        ))
                    })
                };
                FloorStep {
                    f,
                    args: spec.deps,
                    arity: spec.arity as usize,
                    frees: frees.clone(),
                }
            })
            .collect();
        Self {
            steps,
            outputs: wl.output_slots.clone(),
            slots: wl.n + 1,
        }
    }

    /// Runs every node from `x`; the requested values in request order.
    pub fn run(&self, x: Box<dyn Any>) -> Vec<Box<dyn Any>> {
        let mut slots: Vec<Option<Box<dyn Any>>> = Vec::with_capacity(self.slots);
        slots.resize_with(self.slots, || None);
        slots[0] = Some(x);
        for (i, step) in self.steps.iter().enumerate() {
            let read = |s: u32| &**slots[s as usize].as_ref().expect("computed before");
            let value = if step.arity == 1 {
                (step.f)(&[read(step.args[0])])
            } else {
                (step.f)(&[read(step.args[0]), read(step.args[1])])
            };
            slots[i + 1] = Some(value);
            for &s in &step.frees {
                slots[s as usize] = None;
            }
        }
        self.outputs
            .iter()
            .map(|&s| slots[s as usize].take().expect("outputs are kept"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dags::Shape;

    #[test]
    fn the_floor_computes_what_the_handwritten_loop_does() {
        for shape in [Shape::Chain, Shape::Wide, Shape::Diamond] {
            let wl = Workload::new(shape, 30).unwrap();
            let floor = Floor::new::<f64>(&wl);
            let got: Vec<f64> = floor
                .run(Box::new(0.5_f64))
                .into_iter()
                .map(|v| *v.downcast::<f64>().unwrap())
                .collect();
            assert_eq!(got, wl.handwritten(&0.5_f64), "{shape}");
        }
    }
}
