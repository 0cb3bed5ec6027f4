//! The two ends of every run: the given values put in their slots before the first node, the
//! requested values taken out after the last.

use std::collections::HashSet;

use crate::check::CheckReport;
use crate::error::{Error, RequestError};
use crate::graph::{Graph, Vertex};
use crate::outputs::Outputs;
use crate::plan::{Load, LoadFrom, Plan};
use crate::value::Value;
use crate::values::{Inputs, Overrides};

/// Fills the slots a plan loads, checking every given value's type; all problems together.
pub(crate) fn load(
    graph: &Graph,
    plan: &Plan,
    mut inputs: Inputs,
    mut overrides: Overrides,
) -> Result<Vec<Option<Value>>, Error> {
    let mut slots: Vec<Option<Value>> = Vec::with_capacity(plan.slot_count);
    slots.resize_with(plan.slot_count, || None);
    let mut errors = Vec::new();
    for load in &plan.loads {
        let vertex = &graph.vertices[load.vertex];
        let value = match load.from {
            LoadFrom::Input => inputs.0.entries.remove(vertex.name()),
            LoadFrom::Override => overrides.0.entries.remove(vertex.name()),
            LoadFrom::Config => graph.config.copy_value(vertex.name()),
        };
        let Some(value) = value else { continue };
        let converted = if value.type_id() == vertex.ty_id() {
            Ok(value)
        } else {
            match graph.conversions.get(&(value.type_id(), vertex.ty_id())) {
                Some(c) => c
                    .apply(value.as_any())
                    .map_err(|e| (value.type_name(), e.to_string())),
                None => Err((value.type_name(), String::new())),
            }
        };
        match converted {
            Ok(v) => slots[load.slot as usize] = Some(v),
            Err((found, message)) => {
                let found = if message.is_empty() {
                    found.to_string()
                } else {
                    format!("{found} ({message})")
                };
                errors.push(type_problem(graph, plan, load, found));
            }
        }
    }
    if errors.is_empty() {
        Ok(slots)
    } else {
        Err(Error::Request(errors))
    }
}

/// The error for a loaded value of the wrong type (`found` describes what was given).
pub(crate) fn type_problem(graph: &Graph, plan: &Plan, load: &Load, found: String) -> RequestError {
    let vertex = &graph.vertices[load.vertex];
    match load.from {
        LoadFrom::Override => RequestError::OverrideType {
            name: vertex.name().to_string(),
            expected: vertex.ty_name().to_string(),
            found,
        },
        _ => RequestError::InputType {
            name: vertex.name().to_string(),
            expected: vertex.ty_name().to_string(),
            found,
            needed_by: readers_in_plan(graph, plan, load.vertex),
        },
    }
}

fn readers_in_plan(graph: &Graph, plan: &Plan, vertex: usize) -> Vec<String> {
    let in_plan: HashSet<usize> = plan.steps.iter().map(|s| s.vertex).collect();
    graph
        .consumers
        .of(vertex)
        .iter()
        .map(|&c| c as usize)
        .filter(|c| in_plan.contains(c))
        .map(|c| graph.vertices[c].name().to_string())
        .collect()
}

/// The data-check report `value` is, if `vertex` produces reports (known from its type, without
/// looking at the value).
#[inline]
pub(crate) fn report_of<'v>(vertex: &Vertex, value: &'v Value) -> Option<&'v CheckReport> {
    if vertex.ty_id() == std::any::TypeId::of::<CheckReport>() {
        crate::check::as_report(value)
    } else {
        None
    }
}

/// Data-check reports collected in completion order, each with its step's position, in plan
/// order (the order the sequential executor makes them in).
pub(crate) fn in_plan_order(mut reports: Vec<(usize, CheckReport)>) -> Vec<CheckReport> {
    reports.sort_by_key(|(position, _)| *position);
    reports.into_iter().map(|(_, r)| r).collect()
}

/// Keeps a copy of a data-check report a run produces, for [`Outputs::check_reports`].
#[inline]
pub(crate) fn record_report(vertex: &Vertex, value: &Value, reports: &mut Vec<CheckReport>) {
    if let Some(report) = report_of(vertex, value) {
        reports.push(report.clone());
    }
}

/// Ends a run that went as `result`: the outputs taken out ([`take_outputs`]), then the hooks'
/// `after_run` told how it ended, drops included.
pub(crate) fn end_run(
    run_hooks: super::hooks::RunHooks<'_>,
    graph: &Graph,
    plan: &Plan,
    slots: Vec<Option<Value>>,
    reports: Vec<CheckReport>,
    result: Result<(), Error>,
) -> Result<Outputs, Error> {
    run_hooks.finish(take_outputs(graph, plan, slots, reports, result))
}

/// The requested values, taken out of the run's slots in request order, once `result` (how the
/// run went) is known; every other value left is dropped, a panic in its `Drop` failing the run
/// (after any earlier failure) with its node named.
fn take_outputs(
    graph: &Graph,
    plan: &Plan,
    mut slots: Vec<Option<Value>>,
    reports: Vec<CheckReport>,
    result: Result<(), Error>,
) -> Result<Outputs, Error> {
    let outputs = result.map(|()| {
        plan.outputs
            .iter()
            .map(|slot| {
                slots[*slot as usize]
                    .take()
                    .expect("an output slot is filled by its load or its step")
            })
            .collect()
    });
    let mut dropped = Ok(());
    for (slot, value) in slots.into_iter().enumerate() {
        if let Some(value) = value {
            let node = &graph.vertices[plan.vertex_of(slot)].name();
            let r = super::invoke::drop_value(node, value);
            if dropped.is_ok() {
                dropped = r;
            }
        }
    }
    let outputs = outputs?;
    dropped?;
    Ok(Outputs::new(plan.output_names(graph), outputs, reports))
}
