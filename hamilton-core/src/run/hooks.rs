//! The hook sequence around a run and around each node, the same for every executor:
//! `before_run` … (`before_node`, the `around_*` chain, `after_node`) per node … `after_run`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt;

use super::invoke::panic_message;
use crate::args::Args;
use crate::error::Error;
use crate::graph::Graph;
use crate::hooks::{AsyncNodeRun, Hook, HookError, NodeContext, NodeOutcome, RunInfo, RunOutcome};
use crate::node::{Node, NodeError, NodeFuture};
use crate::plan::Plan;
use crate::value::Value;

/// The run-level hooks of one run: `before_run` when it starts, `after_run` (in reverse order)
/// when it ends, whatever the outcome. Executors ask it for each step's [`HookCtx`] with
/// [`node_hooks`](Self::node_hooks).
///
/// Hooks see each node the run computes once, in execution order ([`RunInfo::nodes`]): a fan-out
/// step stands for its block's nodes, listed in the block's order where the block runs.
pub(crate) struct RunHooks<'a> {
    hooks: &'a [Arc<dyn Hook>],
    run_id: u64,
    /// What runs the nodes (see [`RunInfo::executor`]).
    executor: &'static str,
    nodes: Vec<&'a str>,
    outputs: Vec<&'a str>,
    /// For each plan step, its node's index in `nodes` (for a fan-out step: its block's first
    /// node). Empty when there are no hooks.
    positions: Vec<usize>,
    /// When the run started (read only with hooks: no clock read on a hook-less run).
    started: Option<Instant>,
}

impl<'a> RunHooks<'a> {
    /// Calls every `before_run` of a run on `executor` (see [`RunInfo::executor`]).
    pub(crate) fn start(
        graph: &'a Graph,
        plan: &'a Plan,
        hooks: &'a [Arc<dyn Hook>],
        run_id: u64,
        executor: &'static str,
    ) -> Result<Self, Error> {
        let mut run = Self {
            hooks,
            run_id,
            executor,
            nodes: Vec::new(),
            outputs: Vec::new(),
            positions: Vec::new(),
            started: None,
        };
        if hooks.is_empty() {
            return Ok(run);
        }
        run.started = Some(Instant::now());
        run.outputs = plan
            .output_vertices()
            .map(|v| graph.vertices[v].name())
            .collect();
        run.positions.reserve(plan.steps.len());
        for step in &plan.steps {
            run.positions.push(run.nodes.len());
            match step.fan_out() {
                Some(fan) => run
                    .nodes
                    .extend(fan.steps.iter().map(|s| graph.vertices[s.vertex].name())),
                None => run.nodes.push(graph.vertices[step.vertex].name()),
            }
        }
        let info = run.info();
        for hook in hooks {
            guard_hook(hook.as_ref(), "before_run", None, || hook.before_run(&info))?;
        }
        Ok(run)
    }

    /// Whether the run has no hooks.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }

    /// The hooks of plan step `position` (for a fan-out step: of its block's first node), or
    /// `None` when the run has no hooks.
    #[inline]
    pub(crate) fn node_hooks(&self, position: usize) -> Option<HookCtx<'a>> {
        if self.hooks.is_empty() {
            return None;
        }
        Some(HookCtx {
            hooks: self.hooks,
            run_id: self.run_id,
            position: self.positions[position],
            total: self.nodes.len(),
        })
    }

    fn info(&self) -> RunInfo<'_> {
        RunInfo {
            run_id: self.run_id,
            outputs: &self.outputs,
            nodes: &self.nodes,
            executor: self.executor,
        }
    }

    /// Calls every `after_run` with how the run ended; the run's own error comes first, then
    /// the first hook error.
    pub(crate) fn finish<T>(self, result: Result<T, Error>) -> Result<T, Error> {
        if self.hooks.is_empty() {
            return result;
        }
        let duration = self.started.map(|s| s.elapsed()).unwrap_or_default();
        let outcome = match &result {
            Ok(_) => RunOutcome::Success { duration },
            Err(error) => RunOutcome::Failure { error, duration },
        };
        let info = self.info();
        let mut after = Ok(());
        for hook in self.hooks.iter().rev() {
            let r = guard_hook(hook.as_ref(), "after_run", None, || {
                hook.after_run(&info, &outcome)
            });
            if after.is_ok() {
                after = r;
            }
        }
        let value = result?;
        after.map(|()| value)
    }
}

/// Hooks and the position of the node being run (see [`RunHooks::node_hooks`]).
#[derive(Clone, Copy)]
pub(crate) struct HookCtx<'a> {
    pub(crate) hooks: &'a [Arc<dyn Hook>],
    pub(crate) run_id: u64,
    /// The node's index in [`RunInfo::nodes`].
    pub(crate) position: usize,
    /// The length of [`RunInfo::nodes`].
    pub(crate) total: usize,
}

impl<'a> HookCtx<'a> {
    /// The hooks of the node `offset` places after this one (a block's nodes follow its first
    /// one in order).
    pub(crate) fn offset(&self, offset: usize) -> Self {
        Self {
            position: self.position + offset,
            ..*self
        }
    }

    /// What hooks see of `node` (named `name`, producing `output_type`), run for `item` of a
    /// fan-out (or `None`), with its arguments when the executor offers them.
    pub(crate) fn node_context<'c>(
        &self,
        name: &'c str,
        node: &'c Node,
        output_type: &'static str,
        input_types: &'c [(&'c str, &'static str)],
        item: Option<usize>,
        args: Option<&'c Args<'c>>,
    ) -> NodeContext<'c> {
        NodeContext {
            run_id: self.run_id,
            name,
            tags: node.tags(),
            tag_lists: node.tag_lists(),
            input_types,
            output_type,
            position: self.position,
            total: self.total,
            item,
            worker: None,
            args,
        }
    }
}

/// Each parameter's name and the type it reads, as hooks see them.
pub(crate) fn input_types(node: &Node) -> Vec<(&str, &'static str)> {
    node.params()
        .iter()
        .map(|p| (p.name(), p.ty().name()))
        .collect()
}

/// Calls every hook's `before_node`, in order; the first failure stops the node.
pub(crate) fn before_node(hooks: &[Arc<dyn Hook>], ctx: &NodeContext<'_>) -> Result<(), Error> {
    for hook in hooks {
        guard_hook(hook.as_ref(), "before_node", Some(ctx.name), || {
            hook.before_node(ctx)
        })?;
    }
    Ok(())
}

/// Calls every hook's `after_node`, in reverse order (all of them, even after a failure);
/// returns the first failure.
pub(crate) fn after_node(
    hooks: &[Arc<dyn Hook>],
    ctx: &NodeContext<'_>,
    outcome: &NodeOutcome<'_>,
) -> Result<(), Error> {
    let mut after = Ok(());
    for hook in hooks.iter().rev() {
        let r = guard_hook(hook.as_ref(), "after_node", Some(ctx.name), || {
            hook.after_node(ctx, outcome)
        });
        if after.is_ok() {
            after = r;
        }
    }
    after
}

/// Runs a hook method, turning its error or panic into [`Error::Hook`].
pub(crate) fn guard_hook(
    hook: &dyn Hook,
    phase: &'static str,
    node: Option<&str>,
    f: impl FnOnce() -> Result<(), HookError>,
) -> Result<(), Error> {
    let message = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(payload) => format!("panicked: {}", panic_message(payload.as_ref())),
    };
    Err(Error::Hook {
        hook: hook.name().to_string(),
        phase,
        node: node.map(str::to_string),
        message,
    })
}

/// A node's panic, carried through `around_node` and `around_async_node` wrappers as an error.
#[derive(Debug)]
pub(crate) struct NodePanic(pub(crate) String);

impl std::fmt::Display for NodePanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "panicked: {}", self.0)
    }
}

impl std::error::Error for NodePanic {}

/// A hook's own failure inside an `around_*` chain (its panic, or an error it returned that its
/// inner call did not), carried out of the chain as an error and reported as
/// [`Error::Hook`] naming the hook.
#[derive(Debug)]
pub(crate) struct HookFailed {
    pub(crate) hook: String,
    pub(crate) message: String,
}

impl std::fmt::Display for HookFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HookFailed {}

/// Calls the node through every hook's `around_node`, first hook outermost. A hook that panics,
/// or returns an error its inner call did not return, fails as itself ([`HookFailed`]).
pub(crate) fn around_node(
    hooks: &[Arc<dyn Hook>],
    ctx: &NodeContext<'_>,
    inner: &mut dyn FnMut() -> Result<Value, NodeError>,
) -> Result<Value, NodeError> {
    let Some((hook, rest)) = hooks.split_first() else {
        return inner();
    };
    let mut inner_failed = false;
    let result = catch_unwind(AssertUnwindSafe(|| {
        hook.around_node(ctx, &mut || {
            let result = around_node(rest, ctx, inner);
            inner_failed |= result.is_err();
            result
        })
    }));
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) if inner_failed => Err(error),
        Ok(Err(error)) => Err(Box::new(HookFailed {
            hook: hook.name().to_string(),
            message: error.to_string(),
        })),
        Err(payload) => Err(Box::new(HookFailed {
            hook: hook.name().to_string(),
            message: format!("panicked: {}", panic_message(payload.as_ref())),
        })),
    }
}

/// Wraps an async node's future in every hook's `around_async_node`, first hook outermost (so
/// the last hook is asked first). The node's own panic is carried as a [`NodePanic`] error; a
/// hook's panic while wrapping is [`Error::Hook`].
pub(crate) fn around_async_node<'a>(
    hooks: &'a [Arc<dyn Hook>],
    ctx: &NodeContext<'_>,
    node_future: NodeFuture,
) -> Result<AsyncNodeRun<'a>, Error> {
    let mut wrapped: AsyncNodeRun<'a> = Box::pin(AssertUnwindSafe(node_future).catch_unwind().map(
        |caught| match caught {
            Ok(result) => result,
            Err(payload) => Err(Box::new(NodePanic(panic_message(payload.as_ref()))) as _),
        },
    ));
    for hook in hooks.iter().rev() {
        let hook: &'a dyn Hook = hook.as_ref();
        wrapped = catch_unwind(AssertUnwindSafe(|| hook.around_async_node(ctx, wrapped))).map_err(
            |payload| Error::Hook {
                hook: hook.name().to_string(),
                phase: "around_async_node",
                node: Some(ctx.name.to_string()),
                message: format!("panicked: {}", panic_message(payload.as_ref())),
            },
        )?;
    }
    Ok(wrapped)
}

/// The error for an `around_*` hook wrapper that panicked around node `node`.
pub(crate) fn around_panicked(
    phase: &'static str,
    node: &str,
    payload: &(dyn std::any::Any + Send),
) -> Error {
    Error::Hook {
        hook: "a hook".to_string(),
        phase,
        node: Some(node.to_string()),
        message: format!("panicked: {}", panic_message(payload)),
    }
}

/// How a node's run ended, as hooks see it (`error_text`: the error's message, if it failed).
pub(crate) fn outcome<'a, E>(
    result: &'a Result<Value, E>,
    error_text: Option<&'a str>,
    duration: std::time::Duration,
) -> NodeOutcome<'a> {
    match result {
        Ok(value) => NodeOutcome::Success { value, duration },
        Err(_) => NodeOutcome::Failure {
            error: error_text.unwrap_or(""),
            duration,
        },
    }
}
