//! Calling one node, the same way under every executor: its hooks around it, its panic caught,
//! its error wrapped with its name, its value's type checked.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use futures_util::FutureExt;

use super::Failure;
use super::hooks::{self, HookCtx, HookFailed, NodePanic};
use crate::args::{Args, AsyncArgs};
use crate::convert::Conversion;
use crate::error::Error;
use crate::error_context::add_context;
use crate::graph::Vertex;
use crate::node::{Node, NodeError, Param};
use crate::plan::Step;
use crate::value::Value;

/// Calls a sync node on `args` (with hooks when given; `item` is the fan-out item it runs for,
/// if any), catching its panic, and checks its value's type.
pub(crate) fn call(
    vertex: &Vertex,
    node: &Node,
    args: &Args<'_>,
    hooked: Option<&HookCtx<'_>>,
    item: Option<usize>,
) -> Result<Value, Failure> {
    let Some(hooked) = hooked else {
        return match catch_unwind(AssertUnwindSafe(|| node.call(args))) {
            Ok(Ok(value)) => Ok(check_output_type(vertex, node, value)?),
            Ok(Err(source)) => Err(Box::new(node_failed(
                vertex.name(),
                add_context(args, source),
            ))),
            Err(payload) => Err(Box::new(panicked(vertex, payload))),
        };
    };
    let name = vertex.name();
    let input_types = hooks::input_types(node);
    let ctx = hooked.node_context(name, node, vertex.ty_name(), &input_types, item, Some(args));
    hooks::before_node(hooked.hooks, &ctx)?;
    let started = Instant::now();
    let mut inner = || match catch_unwind(AssertUnwindSafe(|| node.call(args))) {
        Ok(r) => r.map_err(|source| add_context(args, source)),
        Err(payload) => Err(Box::new(NodePanic(panic_message(payload.as_ref()))) as NodeError),
    };
    let result = match catch_unwind(AssertUnwindSafe(|| {
        hooks::around_node(hooked.hooks, &ctx, &mut inner)
    })) {
        Ok(result) => checked(vertex, node, result),
        Err(payload) => Checked::failed(hooks::around_panicked(
            "around_node",
            name,
            payload.as_ref(),
        )),
    };
    Ok(finish_hooked(hooked, &ctx, started, result)?)
}

/// The error of a node that panicked with `payload`.
#[cold]
#[inline(never)]
fn panicked(vertex: &Vertex, payload: Box<dyn std::any::Any + Send>) -> Error {
    Error::NodePanicked {
        node: vertex.name().to_string(),
        message: panic_message(payload.as_ref()),
    }
}

/// Calls a sync node without hooks and without a panic guard of its own, for an executor that
/// catches panics around many calls and knows which node was being called (the sequential
/// executor: [`node_panicked`] makes the error); otherwise as [`call`].
/// The node is reached through the step, the vertex only for a type check or an error.
#[inline(always)]
pub(crate) fn call_unguarded(
    vertex: &Vertex,
    step: &Step,
    args: &Args<'_>,
) -> Result<Value, Failure> {
    match (step.call.0)(args) {
        Ok(value) if step.typed || value.type_id() == vertex.ty_id() => Ok(value),
        Ok(value) => Err(wrong_output_failure(vertex, &value)),
        Err(source) => Err(node_failure(vertex, args, source)),
    }
}

/// [`wrong_output_type`], boxed: out of the way of the call that succeeds.
#[cold]
#[inline(never)]
fn wrong_output_failure(vertex: &Vertex, value: &Value) -> Failure {
    Box::new(wrong_output_type(vertex, value))
}

/// The failure of node `vertex`, which returned `source`, with what its `args` add to it.
#[cold]
#[inline(never)]
pub(crate) fn node_failure(vertex: &Vertex, args: &Args<'_>, source: NodeError) -> Failure {
    Box::new(node_failed(vertex.name(), add_context(args, source)))
}

/// The error of node `vertex`, which panicked with `payload`.
#[cold]
#[inline(never)]
pub(crate) fn node_panicked(vertex: &Vertex, payload: Box<dyn std::any::Any + Send>) -> Error {
    panicked(vertex, payload)
}

/// Runs an async node to completion: its hooks (`before_node`, the `around_async_node` chain,
/// `after_node`) when given, its panic caught, its value's type checked. `item` is the
/// fan-out item it runs for, if any.
pub(crate) async fn call_async<'a>(
    vertex: &'a Vertex,
    node: &'a Node,
    args: AsyncArgs,
    hooked: Option<HookCtx<'a>>,
    item: Option<usize>,
) -> Result<Value, Error> {
    let start = move || {
        node.call_async(args)
            .expect("async nodes have an async call")
    };
    let Some(hooked) = hooked else {
        return match AssertUnwindSafe(start()).catch_unwind().await {
            Ok(Ok(value)) => check_output_type(vertex, node, value),
            Ok(Err(source)) => Err(node_failed(vertex.name(), source)),
            Err(payload) => Err(Error::NodePanicked {
                node: vertex.name().to_string(),
                message: panic_message(payload.as_ref()),
            }),
        };
    };
    let name = vertex.name();
    let input_types = hooks::input_types(node);
    // Made anew for each use: a context is not held across an await (its `args` is not `Sync`).
    let context = || hooked.node_context(name, node, vertex.ty_name(), &input_types, item, None);
    hooks::before_node(hooked.hooks, &context())?;
    let started = Instant::now();
    let wrapped = hooks::around_async_node(hooked.hooks, &context(), start())?;
    let result = match AssertUnwindSafe(wrapped).catch_unwind().await {
        Ok(result) => checked(vertex, node, result),
        Err(payload) => Checked::failed(hooks::around_panicked(
            "around_async_node",
            name,
            payload.as_ref(),
        )),
    };
    finish_hooked(&hooked, &context(), started, result)
}

/// A hooked node's result as the run sees it, with the text hooks see of its failure: the
/// node's own message, without the "node `x` failed" the run's error adds.
struct Checked {
    result: Result<Value, Error>,
    error_text: Option<String>,
}

impl Checked {
    fn failed(error: Error) -> Self {
        Self {
            error_text: Some(error.to_string()),
            result: Err(error),
        }
    }
}

/// What the `around_*` chain returned, with its value's type checked.
fn checked(vertex: &Vertex, node: &Node, result: Result<Value, NodeError>) -> Checked {
    match result {
        Ok(value) => match check_output_type(vertex, node, value) {
            Ok(value) => Checked {
                result: Ok(value),
                error_text: None,
            },
            Err(error) => Checked {
                error_text: Some(match &error {
                    Error::NodeFailed { source, .. } => source.to_string(),
                    other => other.to_string(),
                }),
                result: Err(error),
            },
        },
        Err(error) => Checked {
            error_text: Some(error.to_string()),
            result: Err(node_error(vertex.name(), error)),
        },
    }
}

/// Calls every `after_node` with how the node ended; the node's own error comes first.
fn finish_hooked(
    hooked: &HookCtx<'_>,
    ctx: &crate::hooks::NodeContext<'_>,
    started: Instant,
    checked: Checked,
) -> Result<Value, Error> {
    let duration = started.elapsed();
    let Checked { result, error_text } = checked;
    let outcome = hooks::outcome(&result, error_text.as_deref(), duration);
    let after = hooks::after_node(hooked.hooks, ctx, &outcome);
    let value = result?;
    after?;
    Ok(value)
}

/// The node's value if it is of the type the node declares (always, for a node whose call is
/// typed: see `Node::typed_output`).
#[inline]
pub(crate) fn check_output_type(
    vertex: &Vertex,
    node: &Node,
    value: Value,
) -> Result<Value, Error> {
    if !node.typed_output() && value.type_id() != vertex.ty_id() {
        return Err(wrong_output_type(vertex, &value));
    }
    Ok(value)
}

/// The error of a node whose value is not of the type it declares.
#[cold]
#[inline(never)]
fn wrong_output_type(vertex: &Vertex, value: &Value) -> Error {
    Error::NodeFailed {
        node: vertex.name().to_string(),
        source: format!(
            "returned a `{}` but declares `{}`; make the node's function return what it declares",
            value.type_name(),
            vertex.ty_name()
        )
        .into(),
    }
}

/// Converts `source` for parameter `param` of `vertex`, or says which node, parameter and types
/// were involved.
pub(crate) fn convert(
    vertex: &Vertex,
    param: &Param,
    conversion: &Conversion,
    source: &Value,
) -> Result<Value, Error> {
    conversion
        .apply(source.as_any())
        .map_err(|e| Error::Conversion {
            node: vertex.name().to_string(),
            param: param.name().to_string(),
            expected: param.ty().name().to_string(),
            found: source.type_name().to_string(),
            message: e.to_string(),
        })
}

/// A node's error (from inside hook wrappers) as the run's error: [`Error::NodePanicked`] for a
/// caught panic, [`node_failed`] otherwise.
pub(crate) fn node_error(name: &str, error: NodeError) -> Error {
    let error = match error.downcast::<HookFailed>() {
        Ok(failed) => {
            return Error::Hook {
                hook: failed.hook,
                phase: "around_node",
                node: Some(name.to_string()),
                message: failed.message,
            };
        }
        Err(error) => error,
    };
    match error.downcast::<NodePanic>() {
        Ok(panic) => Error::NodePanicked {
            node: name.to_string(),
            message: panic.0,
        },
        Err(source) => node_failed(name, source),
    }
}

/// A node's error as [`Error::NodeFailed`], or [`Error::DataCheck`] for failed data checks.
pub(crate) fn node_failed(name: &str, source: NodeError) -> Error {
    match source.downcast::<crate::check::ChecksFailed>() {
        Ok(failed) => Error::DataCheck {
            node: failed.0.node.clone(),
            report: failed.0,
        },
        Err(source) => Error::NodeFailed {
            node: name.to_string(),
            source,
        },
    }
}

/// Drops `value`, a value of node `node`: a panic in its `Drop` becomes that node's
/// [`Error::NodePanicked`] instead of escaping the run.
#[inline]
pub(crate) fn drop_value<T>(node: &str, value: T) -> Result<(), Error> {
    match catch_unwind(AssertUnwindSafe(move || drop(value))) {
        Ok(()) => Ok(()),
        Err(payload) => Err(drop_panicked(node, payload)),
    }
}

/// The error for a value of node `node` whose `Drop` panicked with `payload`.
#[cold]
#[inline(never)]
pub(crate) fn drop_panicked(node: &str, payload: Box<dyn std::any::Any + Send>) -> Error {
    Error::NodePanicked {
        node: node.to_string(),
        message: format!(
            "its value panicked when dropped: {}",
            panic_message(payload.as_ref())
        ),
    }
}

/// The message of a caught panic.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_message_reads_str_and_string_payloads() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&7_u8), "a panic with a non-string payload");
    }
}
