//! The dependency structure of a plan, for executors that run nodes out of order (parallel,
//! async).

use crate::plan::{ArgPlan, Plan};

/// The dependency structure of a plan, for scheduling.
#[derive(Debug)]
pub(crate) struct Schedule {
    /// For each step: how many distinct steps it waits for.
    pub(crate) waits_for: Vec<usize>,
    /// For each step: the steps waiting for it.
    pub(crate) unblocks: Vec<Vec<usize>>,
    /// For each slot: how many steps read it.
    pub(crate) readers: Vec<usize>,
    /// For each slot: whether it is an output (never freed).
    pub(crate) is_output: Vec<bool>,
}

impl Schedule {
    pub(crate) fn new(plan: &Plan) -> Self {
        let mut producer = vec![usize::MAX; plan.slot_count];
        for (i, step) in plan.steps.iter().enumerate() {
            for slot in step.produced() {
                producer[slot as usize] = i;
            }
        }
        let mut waits_for = vec![0; plan.steps.len()];
        let mut unblocks = vec![Vec::new(); plan.steps.len()];
        let mut readers = vec![0; plan.slot_count];
        for (i, step) in plan.steps.iter().enumerate() {
            for arg in &step.args {
                if let ArgPlan::Slot { slot, .. } = arg {
                    readers[*slot as usize] += 1;
                    let p = producer[*slot as usize];
                    if p != usize::MAX && !unblocks[p].contains(&i) {
                        unblocks[p].push(i);
                        waits_for[i] += 1;
                    }
                }
            }
        }
        let mut is_output = vec![false; plan.slot_count];
        for (_, slot) in &plan.outputs {
            is_output[*slot as usize] = true;
        }
        Self {
            waits_for,
            unblocks,
            readers,
            is_output,
        }
    }
}
