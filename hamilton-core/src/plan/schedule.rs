//! The dependency structure of a plan, for executors that run nodes out of order (parallel,
//! async). Part of planning: it knows no executor.

#[cfg(feature = "parallel")]
use std::sync::OnceLock;

#[cfg(feature = "parallel")]
use crate::plan::Step;
use crate::plan::{ArgPlan, Plan};

/// [`Schedule::read_index`] of a slot no step reads.
#[cfg(feature = "parallel")]
pub(crate) const NOT_READ: u32 = u32::MAX;

/// The dependency structure of a plan, for scheduling.
#[derive(Debug)]
pub(crate) struct Schedule {
    /// For each step: how many distinct steps it waits for.
    pub(crate) waits_for: Vec<usize>,
    /// For each step, the steps waiting for it, flat: step `i`'s are
    /// `flat_unblocks[unblocks_from[i]..unblocks_from[i + 1]]`.
    flat_unblocks: Vec<u32>,
    unblocks_from: Vec<u32>,
    /// For each slot: how many steps read it.
    pub(crate) readers: Vec<usize>,
    /// For each slot: the step that fills it (`u32::MAX` for a value given to the run).
    #[cfg(feature = "parallel")]
    pub(crate) producer: Vec<u32>,
    /// For each slot: whether it is an output (never freed).
    pub(crate) is_output: Vec<bool>,
    /// The steps that wait for nothing, in plan order: where a run starts.
    pub(crate) ready_at_start: Vec<usize>,
    /// For each slot some step reads: its index in [`read_slots`](Self::read_slots); for the
    /// others, [`NOT_READ`].
    #[cfg(feature = "parallel")]
    pub(crate) read_index: Vec<u32>,
    /// The slots some step reads, in slot order: the only values a run shares between
    /// threads. The others (requested values no step reads) go straight to the outputs.
    #[cfg(feature = "parallel")]
    pub(crate) read_slots: Vec<u32>,
    /// How each step reads its arguments, from its node's parameters; made on first use.
    #[cfg(feature = "parallel")]
    reads: OnceLock<Reads>,
}

/// How the steps of a plan read their arguments: which may take a value over and which only
/// borrow. Depends on the graph's parameter kinds, so it is made by [`Schedule::reads`].
#[cfg(feature = "parallel")]
#[derive(Debug)]
pub(crate) struct Reads {
    /// For each step that only borrows its arguments (no conversion, no by-value parameter
    /// that could take a slot's value over), at most [`INLINE_ARGS`] of them, and is not a
    /// fan-out: the slots it reads.
    pub(crate) borrowing: Vec<Option<Borrowing>>,
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
        for slot in &plan.outputs {
            is_output[*slot as usize] = true;
        }
        let mut unblocks_from = Vec::with_capacity(plan.steps.len() + 1);
        let mut flat_unblocks = Vec::new();
        for next in &unblocks {
            unblocks_from.push(flat_unblocks.len() as u32);
            flat_unblocks.extend(next.iter().map(|&n| n as u32));
        }
        unblocks_from.push(flat_unblocks.len() as u32);
        let ready_at_start = (0..plan.steps.len())
            .filter(|&i| waits_for[i] == 0)
            .collect();
        #[cfg(feature = "parallel")]
        let read_slots: Vec<u32> = (0..plan.slot_count as u32)
            .filter(|&s| readers[s as usize] > 0)
            .collect();
        #[cfg(feature = "parallel")]
        let mut read_index = vec![NOT_READ; plan.slot_count];
        #[cfg(feature = "parallel")]
        for (i, &s) in read_slots.iter().enumerate() {
            read_index[s as usize] = i as u32;
        }
        Self {
            waits_for,
            #[cfg(feature = "parallel")]
            producer: producer.iter().map(|&p| p as u32).collect(),
            flat_unblocks,
            unblocks_from,
            readers,
            is_output,
            ready_at_start,
            #[cfg(feature = "parallel")]
            read_index,
            #[cfg(feature = "parallel")]
            read_slots,
            #[cfg(feature = "parallel")]
            reads: OnceLock::new(),
        }
    }

    /// The steps waiting for step `step`.
    pub(crate) fn unblocked_by(&self, step: usize) -> &[u32] {
        let from = self.unblocks_from[step] as usize;
        let to = self.unblocks_from[step + 1] as usize;
        &self.flat_unblocks[from..to]
    }

    /// How the steps of `plan` (the plan this schedule was made from) read their arguments;
    /// made on the first call.
    #[cfg(feature = "parallel")]
    pub(crate) fn reads(&self, plan: &Plan) -> &Reads {
        self.reads
            .get_or_init(|| Reads::new(plan, &self.read_index))
    }
}

#[cfg(feature = "parallel")]
pub(crate) use super::INLINE_ARGS;

/// What the parallel executor needs to run a step that only borrows its arguments, in one
/// place.
#[cfg(feature = "parallel")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Borrowing {
    /// The slots it reads.
    pub(crate) args: ArgSlots,
    /// The vertex of its node.
    pub(crate) vertex: u32,
    /// The slot it fills.
    pub(crate) slot: u32,
    /// [`Schedule::read_index`] of that slot.
    pub(crate) read_index: u32,
}

/// The slots a step's arguments read, in parameter order.
#[cfg(feature = "parallel")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ArgSlots {
    /// The slot of each argument; [`ABSENT`] for an optional one not given, and past `count`.
    pub(crate) slots: [u32; INLINE_ARGS],
    /// How many arguments the step takes.
    pub(crate) count: u32,
}

/// An [`ArgSlots::slots`] entry with no slot.
#[cfg(feature = "parallel")]
pub(crate) const ABSENT: u32 = u32::MAX;

#[cfg(feature = "parallel")]
impl Reads {
    fn new(plan: &Plan, read_index: &[u32]) -> Self {
        Self {
            borrowing: plan
                .steps
                .iter()
                .map(|step| Borrowing::of(step, read_index))
                .collect(),
        }
    }
}

#[cfg(feature = "parallel")]
impl Borrowing {
    /// How `step` reads its arguments, if it only borrows them (see [`Reads::borrowing`]).
    fn of(step: &Step, read_index: &[u32]) -> Option<Self> {
        if step.fan_out().is_some() || step.prepares || step.args.len() > INLINE_ARGS {
            return None;
        }
        let mut slots = [ABSENT; INLINE_ARGS];
        for (s, arg) in slots.iter_mut().zip(&step.args) {
            if let ArgPlan::Slot { slot, .. } = arg {
                *s = *slot;
            }
        }
        Some(Self {
            args: ArgSlots {
                slots,
                count: step.args.len() as u32,
            },
            vertex: step.vertex as u32,
            slot: step.slot,
            read_index: read_index[step.slot as usize],
        })
    }
}
