//! The parallel executor: independent nodes run at once on a thread pool of the driver's own.
//!
//! A node starts as soon as every node it reads has finished. Values are freed when their last
//! reader finishes (by count, since the order varies), and a by-value parameter receives the
//! value moved when no other reader is left. A node's error stops the scheduling of new nodes;
//! nodes already running finish, and the error of the earliest failed node (in topological
//! order) is returned (the failure policy of [`run`](super)). The pool is separate from Polars' own, so nodes that call Polars cannot
//! starve it.
//!
//! Nodes run in *tasks*, each running one node after another on one thread ([`Task`]). Steps
//! ready at once are taken in blocks by every thread of the pool ([`ReadyList`]): trivial
//! nodes run in tight loops, heavy ones one at a time on whichever thread is free. A finished
//! node's first newly ready successor runs next in the same task; the others are handed to the
//! pool.
//!
//! Only what threads share costs locks and atomic counts: the values some step reads
//! ([`Schedule::read_slots`]), each with a read-write lock and a reader count, and a count of
//! unfinished dependencies per step. A task keeps its read locks from one node to the next
//! while they read the same slots. A value no step reads (an output) is kept by the task that
//! made it and put in the run's slots a batch at a time, under one lock.

use std::borrow::Cow;
use std::ops::Deref;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use futures_util::FutureExt;

use super::bind::{self, SlotStore};
use super::fan_out::{BlockRun, Items, OuterValues};
use super::hooks::RunHooks;
use super::load::{end_run, in_plan_order, report_of};
use super::{Executor, FirstFailure, Run, RunFuture, invoke};
use crate::args::{Arg, Args};
use crate::cancel::{self, Cancel};
use crate::check::CheckReport;
use crate::error::{BuildError, Error};
use crate::graph::Graph;
use crate::outputs::Outputs;
use crate::plan::{ArgPlan, Plan, Step};
use crate::schedule::{ABSENT, ArgSlots, Borrowing, INLINE_ARGS, NOT_READ, Reads, Schedule};
use crate::value::Value;

/// Runs independent steps at once on a thread pool of its own (rayon), separate from Polars'
/// pool so that nodes calling Polars cannot starve it.
pub(crate) struct Parallel {
    pool: rayon::ThreadPool,
}

impl Parallel {
    /// An executor with `threads` threads (`0`: one per core).
    pub(crate) fn new(threads: usize) -> Result<Self, Error> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("hamilton-{i}"))
            .build()
            .map(|pool| Self { pool })
            .map_err(|e| {
                Error::Build(vec![BuildError::ThreadPool {
                    message: e.to_string(),
                }])
            })
    }
}

impl Executor for Parallel {
    fn run<'r>(&'r self, run: Run<'r>) -> RunFuture<'r> {
        Box::pin(async move { run_on_pool(run, &self.pool) })
    }
}

/// The most arguments a borrowing step has (given without a heap allocation), and so the most
/// slots a task keeps read locks on.
const INLINE: usize = INLINE_ARGS;

/// What the threads of one run share.
struct Shared<'a> {
    graph: &'a Graph,
    plan: &'a Plan,
    schedule: &'a Schedule,
    reads: &'a Reads,
    run_hooks: &'a RunHooks<'a>,
    /// The slots some step reads, by [`Schedule::read_index`].
    read_slots: Vec<ReadSlot>,
    /// For each step: how many of the steps it waits for have not finished.
    waiting: Vec<AtomicU32>,
    failure: FirstFailure,
    /// (position, report) of every data-check report.
    reports: Mutex<Vec<(usize, CheckReport)>>,
    /// The run's other slots: the given values no step reads, and the values no step reads
    /// (outputs), which tasks put there a batch at a time.
    unread_slots: Mutex<Vec<Option<Value>>>,
    pool: &'a rayon::ThreadPool,
    /// What stops the run from outside, if anything.
    cancel: Option<&'a Cancel>,
}

/// A slot some step reads.
struct ReadSlot {
    value: RwLock<Option<Value>>,
    /// Reads not yet subtracted: by readers still to run or running, or finished by a task
    /// that subtracts them later ([`Held`]). Not kept up to date for output slots, which are
    /// never freed.
    readers_left: AtomicUsize,
}

impl Shared<'_> {
    /// Whether the run was cancelled before step `position` started (then recorded as its
    /// failure).
    #[inline]
    fn cancelled(&self, position: usize) -> bool {
        let Some(cancel) = self.cancel else {
            return false;
        };
        let vertex = &self.graph.vertices[self.plan.steps[position].vertex];
        match cancel::check(Some(cancel), vertex.name()) {
            Ok(()) => false,
            Err(cancelled) => {
                self.failure.record(position, cancelled);
                true
            }
        }
    }

    /// The shared state of `slot`, which some step reads.
    fn slot(&self, slot: usize) -> &ReadSlot {
        &self.read_slots[self.schedule.read_index[slot] as usize]
    }
}

/// Runs the plan on `pool`, with the same results as the sequential executor.
fn run_on_pool(run: Run<'_>, pool: &rayon::ThreadPool) -> Result<Outputs, Error> {
    let Run {
        graph,
        plan,
        mut slots,
        hooks,
        run_id,
        cancel,
    } = run;
    let schedule = plan.schedule();
    let run_hooks = RunHooks::start(graph, plan, hooks, run_id, "parallel")?;
    let read_slots = schedule
        .read_slots
        .iter()
        .map(|&s| ReadSlot {
            value: RwLock::new(slots[s as usize].take()),
            readers_left: AtomicUsize::new(schedule.readers[s as usize]),
        })
        .collect();
    let shared = Shared {
        graph,
        plan,
        schedule,
        reads: schedule.reads(plan),
        run_hooks: &run_hooks,
        read_slots,
        waiting: schedule
            .waits_for
            .iter()
            .map(|&n| AtomicU32::new(n as u32))
            .collect(),
        failure: FirstFailure::new(),
        reports: Mutex::new(Vec::new()),
        unread_slots: Mutex::new(slots),
        pool,
        cancel,
    };
    let ready_at_start = ReadyList::new(Cow::Borrowed(&schedule.ready_at_start), pool);
    // Every thread is woken at once, each to take blocks of the steps ready at the start.
    pool.in_place_scope(|scope| {
        for _ in 0..ready_at_start.takers() {
            scope.spawn(|scope| ready_at_start.run_blocks(&shared, scope));
        }
    });
    let Shared {
        read_slots,
        unread_slots,
        failure,
        reports,
        ..
    } = shared;
    let mut slots = unread_slots.into_inner().unwrap_or_else(|p| p.into_inner());
    for (&slot, read) in schedule.read_slots.iter().zip(read_slots) {
        slots[slot as usize] = read.value.into_inner().unwrap_or_else(|p| p.into_inner());
    }
    let reports = reports.into_inner().unwrap_or_else(|p| p.into_inner());
    end_run(
        run_hooks,
        graph,
        plan,
        slots,
        in_plan_order(reports),
        failure.into_result(),
    )
}

/// Runs the steps at `ready` (each waits for nothing more) and everything they unblock: one
/// in a task of its own, several in blocks taken by this thread and the pool's others.
fn run_ready<'s>(shared: &'s Shared<'s>, ready: Vec<usize>, scope: &rayon::Scope<'s>) {
    if let [only] = *ready {
        return Task::new(shared).run_from(only, scope);
    }
    let list = Arc::new(ReadyList::new(Cow::Owned(ready), shared.pool));
    for _ in 1..list.takers() {
        let list = Arc::clone(&list);
        scope.spawn(move |scope| list.run_blocks(shared, scope));
    }
    list.run_blocks(shared, scope);
}

/// Steps ready to run, which threads take in blocks until none is left.
///
/// The steps are split in one part per thread of the pool. A thread takes blocks from its own
/// part first (so that, from one run to the next, it tends to run the same steps, whose data
/// its cache still holds), then from the others'. Blocks start at one step and double while a
/// block takes less than [`BLOCK_TIME`] (and halve when it takes longer), up to [`MAX_BLOCK`]
/// steps and a quarter of what is left of the part: trivial steps run in tight loops, each
/// block taken with one atomic operation, while heavy steps are taken one at a time, so that
/// the threads finish close together, and a thread that is held up (by its operating system,
/// or a slow step) holds up little work.
struct ReadyList<'s> {
    steps: Cow<'s, [usize]>,
    parts: Vec<Part>,
}

/// A part of a [`ReadyList`]: `steps[start..end]`, of which `taken` have been taken. On a cache
/// line of its own, since several threads count on it.
#[repr(align(64))]
struct Part {
    start: usize,
    end: usize,
    taken: AtomicUsize,
}

/// The most steps a thread takes from a [`ReadyList`] at once.
const MAX_BLOCK: usize = 64;

/// How long a block of a [`ReadyList`] may take for the next one to be twice as long.
const BLOCK_TIME: Duration = Duration::from_micros(20);

impl<'s> ReadyList<'s> {
    /// `steps`, split in parts for the threads of `pool`.
    fn new(steps: Cow<'s, [usize]>, pool: &rayon::ThreadPool) -> Self {
        let len = steps.len();
        let parts = pool.current_num_threads().clamp(1, len.max(1));
        Self {
            steps,
            parts: (0..parts)
                .map(|k| Part {
                    start: k * len / parts,
                    end: (k + 1) * len / parts,
                    taken: AtomicUsize::new(0),
                })
                .collect(),
        }
    }

    /// How many threads should take blocks: one per part (at most one per step).
    fn takers(&self) -> usize {
        self.parts.len().min(self.steps.len())
    }

    /// Takes blocks of steps, from this thread's part first, and runs them (with what they
    /// unblock) until none is left; after a failure, only the steps before it still run.
    fn run_blocks(&self, shared: &'s Shared<'s>, scope: &rayon::Scope<'s>) {
        let mut task = Task::new(shared);
        let mut block = 1;
        let mut started = Instant::now();
        let own = rayon::current_thread_index().unwrap_or(0);
        for k in 0..self.parts.len() {
            let part = &self.parts[(own + k) % self.parts.len()];
            let len = part.end - part.start;
            loop {
                let left = len.saturating_sub(part.taken.load(Ordering::Relaxed));
                let size = block.min(left / 4).max(1);
                let start = part.taken.fetch_add(size, Ordering::Relaxed);
                if start >= len {
                    break;
                }
                let steps = &self.steps[part.start + start..part.start + (start + size).min(len)];
                for &position in steps {
                    task.run_from(position, scope);
                }
                let now = Instant::now();
                let took = now - std::mem::replace(&mut started, now);
                block = if took < BLOCK_TIME {
                    (2 * size).clamp(block, MAX_BLOCK)
                } else {
                    (block / 2).max(1)
                };
            }
        }
    }
}

/// Subtracts `reads` finished reads from `slot`'s reader count, and frees its value when they
/// were the last. Output slots are neither counted nor freed.
///
/// The caller holds no read lock on `slot` any more (freeing takes the write lock).
fn subtract_reads(shared: &Shared<'_>, slot: usize, reads: usize) {
    if reads == 0 || shared.schedule.is_output[slot] {
        return;
    }
    let read = shared.slot(slot);
    if read.readers_left.fetch_sub(reads, Ordering::AcqRel) == reads {
        let freed = read.value.write().unwrap_or_else(|p| p.into_inner()).take();
        let node = &shared.graph.vertices[shared.plan.vertex_of(slot)].name();
        if let Err(e) = invoke::drop_value(node, freed) {
            shared
                .failure
                .record(shared.schedule.producer[slot] as usize, e);
        }
    }
}

/// Nodes run one after another on one thread: from a ready step along the first step each
/// one unblocks, then from the next ready step of its block, and so on.
///
/// A task keeps the read lock of each slot its last node read while the next node reads that
/// slot too, and counts the finished reads of such a slot itself ([`Held::unsubtracted`])
/// instead of subtracting each from the slot's shared reader count: a slot read by thousands
/// of nodes is not locked and counted thousands of times from several threads.
///
/// This is sound because a slot is only written (freed, or its value taken by a by-value
/// parameter) when its reader count says no other reader is left: reads not yet subtracted
/// only keep the count higher, so nothing is freed or taken early, and a task only has a read
/// lock while its reads of the slot still count (pending, or by the node it runs), so a write
/// never waits for one.
///
/// Values are still freed after their last reader, before anything that runs after it: a task
/// releases its slots (subtracts their reads, freeing the values they were the last reads of)
/// before it unblocks a node's successors, before it runs a node that does not read them, and
/// when it ends. So a by-value parameter of a node that runs after every other reader also
/// finds the count at one, and takes the value over.
///
/// Values no step reads stay with the task for a batch of [`UNREAD_BATCH`].
struct Task<'s> {
    shared: &'s Shared<'s>,
    /// The slot of each entry of `held` ([`ABSENT`] for an empty one), to look up quickly.
    held_slots: [u32; INLINE],
    held: [Option<Held<'s>>; INLINE],
    /// The arguments of the last borrowing node and where `held` has each, while it still has
    /// them all: a next node reading the same slots (as the nodes of a wide graph do) skips the
    /// look-ups.
    arranged: Option<(ArgSlots, [usize; INLINE])>,
    /// (slot, value) of the values this task made that no step reads.
    unread: Vec<(u32, Value)>,
}

/// How many unread values a task keeps before it puts them in the run's slots, under one lock.
const UNREAD_BATCH: usize = 64;

/// A read lock a task keeps on a slot.
struct Held<'s> {
    guard: RwLockReadGuard<'s, Option<Value>>,
    /// Reads of the slot the task finished and has not yet subtracted from its reader count.
    unsubtracted: usize,
}

impl<'s> Task<'s> {
    fn new(shared: &'s Shared<'s>) -> Self {
        Self {
            shared,
            held_slots: [ABSENT; INLINE],
            held: [const { None }; INLINE],
            arranged: None,
            unread: Vec::new(),
        }
    }

    /// Runs the step at `first`, then, while each unblocks another, the first step it unblocks;
    /// the other unblocked steps go to the pool. Stops when a step fails or one before it has.
    #[inline(always)]
    fn run_from(&mut self, first: usize, scope: &rayon::Scope<'s>) {
        let shared = self.shared;
        let mut next = Some(first);
        while let Some(position) = next.take() {
            if shared.failure.stops(position)
                || shared.cancelled(position)
                || !self.run_step(position)
            {
                return;
            }
            let unblocked = shared.schedule.unblocked_by(position);
            if !unblocked.is_empty() {
                // Whatever runs after this node sees the values it read for the last time freed.
                self.release_counted();
            }
            let mut others: Vec<usize> = Vec::new();
            for &after in unblocked {
                let after = after as usize;
                if shared.waiting[after].fetch_sub(1, Ordering::AcqRel) == 1 {
                    if next.is_none() {
                        next = Some(after);
                    } else {
                        others.push(after);
                    }
                }
            }
            if !others.is_empty() {
                scope.spawn(move |scope| run_ready(shared, others, scope));
            }
        }
    }

    /// Runs one step and stores what it produced; `false` (and the failure recorded) when it
    /// failed.
    fn run_step(&mut self, position: usize) -> bool {
        let shared = self.shared;
        if let Some(borrowing) = &shared.reads.borrowing[position] {
            return self.run_borrowing(position, borrowing);
        }
        // The other kinds of step read the shared slots themselves.
        self.release_all();
        let step = &shared.plan.steps[position];
        if step.fan_out().is_some() {
            return self.run_fan_out(position);
        }
        let result = call_step(shared, position);
        let read_index = shared.schedule.read_index[step.slot as usize];
        self.complete(position, (step.slot, read_index), result)
    }

    /// Stores the value step `position` produced for `slot` (whose [`Schedule::read_index`] is
    /// `read_index`) and its data-check report, or records its failure; `false` when it failed.
    #[inline(always)]
    fn complete(
        &mut self,
        position: usize,
        (slot, read_index): (u32, u32),
        result: Result<Value, Error>,
    ) -> bool {
        match result {
            Ok(value) => {
                let vertex = &self.shared.graph.vertices[self.shared.plan.vertex_of(slot as usize)];
                if let Some(report) = report_of(vertex, &value) {
                    self.shared
                        .reports
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((position, report.clone()));
                }
                self.store_at(slot, read_index, value);
                true
            }
            Err(e) => {
                self.shared.failure.record(position, e);
                false
            }
        }
    }

    /// Runs the fan-out step at `position` and stores what its block collected; `false` (and
    /// the failure recorded) when it failed.
    fn run_fan_out(&mut self, position: usize) -> bool {
        match execute_fan_out(self.shared, position) {
            Ok(produced) => {
                for (slot, value) in produced {
                    self.store(slot, value);
                }
                true
            }
            Err(e) => {
                self.shared.failure.record(position, e);
                false
            }
        }
    }

    /// Puts a value a step produced where its readers find it, or keeps it for the outputs
    /// when no step reads it.
    #[inline(always)]
    fn store(&mut self, slot: u32, value: Value) {
        self.store_at(slot, self.shared.schedule.read_index[slot as usize], value);
    }

    /// [`store`](Self::store), given the slot's [`Schedule::read_index`].
    #[inline(always)]
    fn store_at(&mut self, slot: u32, read_index: u32, value: Value) {
        match read_index {
            NOT_READ if self.unread.len() < UNREAD_BATCH => self.unread.push((slot, value)),
            index => self.store_elsewhere(slot, index, value),
        }
    }

    /// [`store`](Self::store) for a value some step reads, or when the task's batch of unread
    /// values is full. Out of line, so that the common case stays a push.
    #[inline(never)]
    fn store_elsewhere(&mut self, slot: u32, index: u32, value: Value) {
        if index == NOT_READ {
            self.put_unread();
            self.unread.push((slot, value));
        } else {
            *self.shared.read_slots[index as usize]
                .value
                .write()
                .unwrap_or_else(|p| p.into_inner()) = Some(value);
        }
    }

    /// Runs a step that only borrows its arguments, through the task's read locks and without
    /// a heap allocation, and stores its value; `false` (and the failure recorded) when it
    /// failed.
    fn run_borrowing(&mut self, position: usize, step: &Borrowing) -> bool {
        let shared = self.shared;
        let vertex = &shared.graph.vertices[step.vertex as usize];
        let node = vertex.function().expect("steps run function vertices");
        let reads = &step.args;
        let held_at = match &self.arranged {
            Some((last, held_at)) if last == reads => *held_at,
            _ => self.arrange(reads),
        };
        let count = reads.count as usize;
        let result = {
            let mut args: [Arg<'_>; INLINE] = [const { Arg::Absent }; INLINE];
            for (arg, &at) in args.iter_mut().zip(&held_at[..count]) {
                if let Some(held) = self.held.get(at).and_then(Option::as_ref) {
                    *arg = Arg::Ref(held.guard.as_ref().expect("a read slot is filled").as_any());
                }
            }
            let hooked = shared.run_hooks.node_hooks(position);
            invoke::call(
                vertex,
                node,
                &Args::new(&args[..count]),
                hooked.as_ref(),
                None,
            )
            .map_err(|e| *e)
        };
        for &at in &held_at[..count] {
            if let Some(held) = self.held.get_mut(at).and_then(Option::as_mut) {
                held.unsubtracted += 1;
            }
        }
        self.complete(position, (step.slot, step.read_index), result)
    }

    /// Releases the held slots a node reading `reads` does not read and takes read locks on
    /// the others; returns where `held` has each argument (past the end for an absent one).
    fn arrange(&mut self, reads: &ArgSlots) -> [usize; INLINE] {
        for i in 0..INLINE {
            let slot = self.held_slots[i];
            if slot != ABSENT && !reads.slots.contains(&slot) {
                self.release(i);
            }
        }
        let mut held_at = [INLINE; INLINE];
        for (at, &slot) in held_at.iter_mut().zip(&reads.slots[..reads.count as usize]) {
            if slot != ABSENT {
                *at = self.hold(slot);
            }
        }
        self.arranged = Some((*reads, held_at));
        held_at
    }

    /// The index in `held` of the read lock on `slot`, taken now if the task does not hold it.
    fn hold(&mut self, slot: u32) -> usize {
        if let Some(i) = self.held_slots.iter().position(|&h| h == slot) {
            return i;
        }
        let free = self
            .held_slots
            .iter()
            .position(|&h| h == ABSENT)
            .expect("a task holds only slots of the step it runs, at most INLINE");
        self.held_slots[free] = slot;
        self.held[free] = Some(Held {
            guard: self
                .shared
                .slot(slot as usize)
                .value
                .read()
                .unwrap_or_else(|p| p.into_inner()),
            unsubtracted: 0,
        });
        free
    }

    /// Gives up the read lock of entry `i` of `held` (if any), then subtracts its pending reads
    /// (freeing the value if they were the last).
    fn release(&mut self, i: usize) {
        let Some(slot) = self.held_slots.get_mut(i) else {
            return;
        };
        let slot = std::mem::replace(slot, ABSENT);
        if let Some(Held {
            guard,
            unsubtracted,
        }) = self.held[i].take()
        {
            self.arranged = None;
            drop(guard);
            subtract_reads(self.shared, slot as usize, unsubtracted);
        }
    }

    /// Releases the held slots whose reads are counted: every one but the outputs.
    fn release_counted(&mut self) {
        for i in 0..INLINE {
            let slot = self.held_slots[i];
            if slot != ABSENT && !self.shared.schedule.is_output[slot as usize] {
                self.release(i);
            }
        }
    }

    /// Releases every held slot.
    fn release_all(&mut self) {
        for i in 0..INLINE {
            self.release(i);
        }
    }

    /// Puts the values no step reads that the task keeps in the run's slots.
    fn put_unread(&mut self) {
        if !self.unread.is_empty() {
            let mut slots = self
                .shared
                .unread_slots
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            for (slot, value) in self.unread.drain(..) {
                slots[slot as usize] = Some(value);
            }
        }
    }
}

impl Drop for Task<'_> {
    /// A task that ends subtracts the reads it still holds and puts its unread values in the
    /// run's slots.
    fn drop(&mut self) {
        self.release_all();
        self.put_unread();
    }
}

/// Runs a fan-out's block for every item, items in parallel on the driver's pool.
fn execute_fan_out(shared: &Shared<'_>, position: usize) -> Result<Vec<(u32, Value)>, Error> {
    let step = &shared.plan.steps[position];
    let fan = step.fan_out().expect("a fan-out step");
    let produced = {
        let outer = Guards(
            step.args
                .iter()
                .filter_map(|a| match a {
                    ArgPlan::Slot { slot, .. } => Some((*slot, SharedSlots(shared).read(*slot))),
                    ArgPlan::Absent => None,
                })
                .collect(),
        );
        BlockRun {
            vertices: &shared.graph.vertices,
            fan_out: &shared.graph.vertices[step.vertex],
            fan,
            outer: &outer,
            hooked: shared.run_hooks.node_hooks(position),
            cancel: shared.cancel,
        }
        .run(Items::OnPool(shared.pool))
        .now_or_never()
        .expect("a block of sync nodes never waits")
    };
    release(shared, step);
    produced
}

/// One read of each argument of `step` is done: free values whose last reader this was.
fn release(shared: &Shared<'_>, step: &Step) {
    for arg in &step.args {
        if let ArgPlan::Slot { slot, .. } = arg {
            subtract_reads(shared, *slot as usize, 1);
        }
    }
}

/// Runs a step that may take values over (by-value parameters, moved when no other reader is
/// left) or convert them, or that has more than [`INLINE`] arguments: binds its arguments from
/// the shared slots, runs the node, and frees values whose last reader this was.
fn call_step(shared: &Shared<'_>, position: usize) -> Result<Value, Error> {
    let step = &shared.plan.steps[position];
    let vertex = &shared.graph.vertices[step.vertex];
    let node = vertex.function().expect("steps run function vertices");
    let hooked = shared.run_hooks.node_hooks(position);
    let result = bind::with_args(vertex, step, &mut SharedSlots(shared), |args| {
        invoke::call(vertex, node, args, hooked.as_ref(), None)
    })
    .and_then(|r| r)
    .map_err(|e| *e);
    release(shared, step);
    result
}

/// The slots threads share, as the binder reads them.
struct SharedSlots<'a, 's>(&'a Shared<'s>);

/// A read lock on a filled slot.
struct SlotGuard<'a>(RwLockReadGuard<'a, Option<Value>>);

impl Deref for SlotGuard<'_> {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.0.as_ref().expect("a read slot is filled")
    }
}

impl<'a> SlotStore for SharedSlots<'a, '_> {
    type Ref<'g>
        = SlotGuard<'a>
    where
        Self: 'g;

    fn read(&self, slot: u32) -> SlotGuard<'a> {
        SlotGuard(
            self.0
                .slot(slot as usize)
                .value
                .read()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }

    /// Handed over when no other reader is left (whatever the plan's order).
    fn hand_over(&mut self, slot: u32, _last_use: bool) -> Option<Value> {
        let s = slot as usize;
        let read = self.0.slot(s);
        if self.0.schedule.is_output[s] || read.readers_left.load(Ordering::Acquire) != 1 {
            return None;
        }
        read.value.write().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// The values a block reads from outside, read-locked while it runs.
struct Guards<'a>(Vec<(u32, SlotGuard<'a>)>);

impl OuterValues for Guards<'_> {
    fn get(&self, slot: u32) -> Option<&Value> {
        self.0.iter().find(|(s, _)| *s == slot).map(|(_, g)| &**g)
    }
}
