//! Hooks around nodes run on a worker: the worker records each node run, the driver replays
//! them to its own hooks when the answer arrives (with the worker's name), so hooks, the
//! progress bar and the tracker see remote nodes as they see local ones.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::task::NodeRun;
use crate::error::Error;
use crate::graph::Graph;
use crate::hooks::{Hook, HookError, NodeContext, NodeOutcome};
use crate::plan::Step;
use crate::run::hooks::{self, HookCtx};
use crate::value::Value;

/// What a driver's hooks are given as the value of a node run on a worker: the value itself
/// stayed there (a fan-out block's values are read on the worker; only what is collected comes
/// back, once every item is done).
///
/// ```
/// use hamilton_core::remote::OnWorker;
/// let v = OnWorker { worker: "w-host-42-0".into() };
/// assert_eq!(v.worker, "w-host-42-0");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnWorker {
    /// The worker that holds (or held) the value.
    pub worker: String,
}

/// The worker's hook: records every node run of a task.
#[derive(Default)]
pub(crate) struct Recorder {
    runs: Mutex<Vec<(usize, NodeRun)>>,
}

impl Recorder {
    /// The node runs recorded, each with its position among the run's nodes.
    pub(crate) fn take(&self) -> Vec<(usize, NodeRun)> {
        std::mem::take(&mut *self.runs.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Hook for Recorder {
    fn name(&self) -> &str {
        "remote node recorder"
    }

    fn after_node(
        &self,
        node: &NodeContext<'_>,
        outcome: &NodeOutcome<'_>,
    ) -> Result<(), HookError> {
        let (error, output_type) = match outcome {
            NodeOutcome::Success { value, .. } => (None, Some(value.type_name().to_string())),
            NodeOutcome::Failure { error, .. } => (Some(error.to_string()), None),
        };
        let run = NodeRun {
            offset: 0,
            item: node.item,
            micros: outcome.duration().as_micros() as u64,
            error,
            output_type,
        };
        self.runs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((node.position, run));
        Ok(())
    }
}

/// The recorder as a hook list, and its handle.
pub(crate) fn recorder() -> (Arc<Recorder>, Vec<Arc<dyn Hook>>) {
    let recorder = Arc::new(Recorder::default());
    let hooks: Vec<Arc<dyn Hook>> = vec![recorder.clone()];
    (recorder, hooks)
}

/// Calls the driver's hooks for each node run a worker reported: `before_node`, then
/// `after_node` with its duration and outcome. `steps` are the steps the task ran (a block's
/// steps, or the one node's step), `hooked` the hooks of the first of them.
pub(crate) fn replay(
    graph: &Graph,
    steps: &[Step],
    hooked: Option<HookCtx<'_>>,
    worker: &str,
    runs: &[NodeRun],
) -> Result<(), Error> {
    let Some(hooked) = hooked else {
        return Ok(());
    };
    let placeholder = Value::new(OnWorker {
        worker: worker.to_string(),
    });
    for run in runs {
        let Some(step) = steps.get(run.offset) else {
            continue;
        };
        let vertex = &graph.vertices[step.vertex];
        let Some(node) = vertex.function() else {
            continue;
        };
        let input_types = hooks::input_types(node);
        let ctx = hooked.offset(run.offset);
        let mut context = ctx.node_context(
            vertex.name(),
            node,
            vertex.ty_name(),
            &input_types,
            run.item,
            None,
        );
        context.worker = Some(worker);
        hooks::before_node(ctx.hooks, &context)?;
        let duration = Duration::from_micros(run.micros);
        let outcome = match &run.error {
            Some(error) => NodeOutcome::Failure { error, duration },
            None => NodeOutcome::Success {
                value: &placeholder,
                duration,
            },
        };
        hooks::after_node(ctx.hooks, &context, &outcome)?;
    }
    Ok(())
}
