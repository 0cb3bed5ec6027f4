//! Turning a plan step into its node's arguments, written once for every executor.
//!
//! Each executor keeps the run's values its own way (a `Vec` of slots, read-write locks shared
//! by threads, reference counts shared by futures, an item's local values). It tells the
//! binder how to read a slot and when a value may be handed over ([`SlotStore`]); the binder
//! does the rest the same way everywhere:
//! - a converted parameter gets the converted value: borrowed by a `&T` parameter, owned by a
//!   `T` one;
//! - a by-value (`T`) parameter gets the value itself when the store hands it over (its last
//!   reader, and not an output), a clone otherwise;
//! - everything else is borrowed where it is, without a heap allocation for up to
//!   [`INLINE_ARGS`] arguments;
//! - an optional parameter whose value was not given is absent.

use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::sync::Arc;

use super::Failure;
use super::invoke::convert;
use crate::args::{Arg, Args, AsyncArg, AsyncArgs};
use crate::error::Error;
use crate::graph::Vertex;
use crate::node::Param;
use crate::plan::{ArgPlan, INLINE_ARGS, Step};
use crate::value::Value;

/// How an executor keeps the run's values, as the binder reads them.
pub(crate) trait SlotStore {
    /// A borrow of one value (a plain reference, or a lock guard).
    type Ref<'s>: Deref<Target = Value>
    where
        Self: 's;

    /// Borrows the value in `slot`, which the plan guarantees is filled when a step reads it.
    fn read(&self, slot: u32) -> Self::Ref<'_>;

    /// The value in `slot`, handed over to a by-value parameter if no other reader needs it
    /// (the plan marks `last_use` on the read that is last in plan order); `None` to pass a
    /// clone instead.
    fn hand_over(&mut self, slot: u32, last_use: bool) -> Option<Value>;
}

/// A store whose values can be shared with an async node's future.
pub(crate) trait SharedSlotStore: SlotStore {
    /// The value in `slot`, shared.
    fn share(&self, slot: u32) -> Arc<Value>;
}

/// Values a step receives instead of a borrow from the store: converted, or handed over.
struct Handed {
    /// For each argument: the value an owned parameter takes.
    owned: Vec<Option<Value>>,
    /// For each argument: a converted value a borrowing parameter borrows.
    converted: Vec<Option<Value>>,
}

/// Converts and hands over the values `step` takes (only for a step that
/// [`prepares`](Step::prepares)).
fn hand_over<S: SlotStore + ?Sized>(
    vertex: &Vertex,
    params: &[Param],
    step: &Step,
    store: &mut S,
) -> Result<Handed, Failure> {
    let n = step.args.len();
    let mut handed = Handed {
        owned: std::iter::repeat_with(|| None).take(n).collect(),
        converted: std::iter::repeat_with(|| None).take(n).collect(),
    };
    for (i, (arg, param)) in step.args.iter().zip(params).enumerate() {
        let ArgPlan::Slot { slot, last_use, .. } = arg else {
            continue;
        };
        let value = match step.conversion(i) {
            Some(c) => Some(convert(vertex, param, c, &store.read(*slot))?),
            None if param.kind().is_owned() => store.hand_over(*slot, *last_use),
            None => None,
        };
        if param.kind().is_owned() {
            handed.owned[i] = value;
        } else {
            handed.converted[i] = value;
        }
    }
    Ok(handed)
}

/// Calls `f` with the arguments of `step` (a step of `vertex`'s node) read from `store`.
#[inline]
pub(crate) fn with_args<S: SlotStore + ?Sized, R>(
    vertex: &Vertex,
    step: &Step,
    store: &mut S,
    f: impl FnOnce(&Args<'_>) -> R,
) -> Result<R, Failure> {
    if !step.prepares {
        // Borrowed arguments in an array of the step's own size.
        let store = &*store;
        match step.args.len() {
            0 => return Ok(f(&Args::new(&[]))),
            1 => return Ok(borrowed::<S, R, 1>(&step.args, store, f)),
            2 => return Ok(borrowed::<S, R, 2>(&step.args, store, f)),
            3 => return Ok(borrowed::<S, R, 3>(&step.args, store, f)),
            INLINE_ARGS => return Ok(borrowed::<S, R, INLINE_ARGS>(&step.args, store, f)),
            _ => {}
        }
    }
    prepared(vertex, step, store, f)
}

/// Calls `f` with the `N` arguments of a step that only borrows them, without a heap allocation.
#[inline(always)]
pub(crate) fn borrowed<S: SlotStore + ?Sized, R, const N: usize>(
    plan: &[ArgPlan],
    store: &S,
    f: impl FnOnce(&Args<'_>) -> R,
) -> R {
    let guards: [Option<S::Ref<'_>>; N] = std::array::from_fn(|i| match &plan[i] {
        ArgPlan::Slot { slot, .. } => Some(store.read(*slot)),
        ArgPlan::Absent => None,
    });
    // Borrows and absences own nothing: the array needs no drop (its drop glue was a call per
    // step, matching each argument against the owned variant).
    let args: ManuallyDrop<[Arg<'_>; N]> =
        ManuallyDrop::new(std::array::from_fn(|i| match &guards[i] {
            Some(guard) => Arg::Ref(guard.as_any()),
            None => Arg::Absent,
        }));
    f(&Args::new(&*args))
}

/// Calls `f` with the arguments of a step that converts or takes over values, or that has more
/// than [`INLINE_ARGS`] arguments.
#[inline(never)]
fn prepared<S: SlotStore + ?Sized, R>(
    vertex: &Vertex,
    step: &Step,
    store: &mut S,
    f: impl FnOnce(&Args<'_>) -> R,
) -> Result<R, Failure> {
    let params = vertex.function().expect("steps run functions").params();
    let n = step.args.len();
    let mut handed = if step.prepares {
        Some(hand_over(vertex, params, step, store)?)
    } else {
        None
    };
    let store = &*store;
    let guards: Vec<Option<S::Ref<'_>>> = step
        .args
        .iter()
        .enumerate()
        .map(|(i, arg)| match arg {
            ArgPlan::Slot { slot, .. }
                if handed
                    .as_ref()
                    .is_none_or(|h| h.owned[i].is_none() && h.converted[i].is_none()) =>
            {
                Some(store.read(*slot))
            }
            _ => None,
        })
        .collect();
    let mut owned = handed
        .as_mut()
        .map(|h| std::mem::take(&mut h.owned))
        .unwrap_or_default();
    let converted = handed.map(|h| h.converted).unwrap_or_default();
    let args: Vec<Arg<'_>> = (0..n)
        .map(|i| {
            if let Some(value) = owned.get_mut(i).and_then(Option::take) {
                Arg::owned(value)
            } else if let Some(value) = converted.get(i).and_then(Option::as_ref) {
                Arg::Ref(value.as_any())
            } else if let Some(guard) = &guards[i] {
                Arg::Ref(guard.as_any())
            } else {
                Arg::Absent
            }
        })
        .collect();
    Ok(f(&Args::new(&args)))
}

/// The arguments of an async node's `step` read from `store`: handed-over and converted values
/// owned, the others shared.
pub(crate) fn async_args<S: SharedSlotStore + ?Sized>(
    vertex: &Vertex,
    step: &Step,
    store: &mut S,
) -> Result<AsyncArgs, Error> {
    let params = vertex.function().expect("steps run functions").params();
    let handed = if step.prepares {
        Some(hand_over(vertex, params, step, store).map_err(|e| *e)?)
    } else {
        None
    };
    let (mut owned, mut converted) = match handed {
        Some(h) => (h.owned, h.converted),
        None => (Vec::new(), Vec::new()),
    };
    let args = step
        .args
        .iter()
        .enumerate()
        .map(|(i, arg)| {
            let given = owned
                .get_mut(i)
                .and_then(Option::take)
                .or_else(|| converted.get_mut(i).and_then(Option::take));
            match (arg, given) {
                (ArgPlan::Absent, _) => AsyncArg::Absent,
                (_, Some(value)) => AsyncArg::Owned(value),
                (ArgPlan::Slot { slot, .. }, None) => AsyncArg::Shared(store.share(*slot)),
            }
        })
        .collect();
    Ok(AsyncArgs::new(args))
}
