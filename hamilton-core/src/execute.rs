//! Running a plan: load the given values, run each node in order, free values after their last
//! use, and collect the outputs.

use std::cell::Cell;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::args::{Arg, Args};
use crate::error::{Error, RequestError};
use crate::graph::{Graph, Kind};
use crate::outputs::Outputs;
use crate::plan::{ArgPlan, LoadFrom, Plan, Step};
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
            LoadFrom::Input => inputs.0.entries.remove(&*vertex.name),
            LoadFrom::Override => overrides.0.entries.remove(&*vertex.name),
            LoadFrom::Config => graph.config.copy_value(&vertex.name),
        };
        let Some(value) = value else { continue };
        let converted = if value.type_id() == vertex.ty.id {
            Ok(value)
        } else {
            match graph.conversions.get(&(value.type_id(), vertex.ty.id)) {
                Some(c) => c.apply(value.as_any()).map_err(|e| (value.type_name(), e.to_string())),
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
                errors.push(match load.from {
                    LoadFrom::Override => RequestError::OverrideType {
                        name: vertex.name.to_string(),
                        expected: vertex.ty.name.to_string(),
                        found,
                    },
                    _ => RequestError::InputType {
                        name: vertex.name.to_string(),
                        expected: vertex.ty.name.to_string(),
                        found,
                        needed_by: readers_in_plan(graph, plan, load.vertex),
                    },
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(slots)
    } else {
        Err(Error::Request(errors))
    }
}

fn readers_in_plan(graph: &Graph, plan: &Plan, vertex: usize) -> Vec<String> {
    let in_plan: HashSet<usize> = plan.steps.iter().map(|s| s.vertex).collect();
    graph.consumers[vertex]
        .iter()
        .filter(|c| in_plan.contains(c))
        .map(|&c| graph.vertices[c].name.to_string())
        .collect()
}

/// Runs every step of `plan` in order over `slots`.
pub(crate) fn run(graph: &Graph, plan: &Plan, mut slots: Vec<Option<Value>>) -> Result<Outputs, Error> {
    for step in &plan.steps {
        let value = run_step(graph, step, &mut slots)?;
        slots[step.slot as usize] = Some(value);
    }
    let outputs = plan
        .outputs
        .iter()
        .map(|(name, slot)| {
            let value = slots[*slot as usize]
                .take()
                .expect("an output slot is filled by its load or its step");
            (name.clone(), value)
        })
        .collect();
    Ok(Outputs::new(outputs))
}

/// Runs one node: prepares its arguments, calls it (catching panics), frees values read for the
/// last time, and checks the result's type.
pub(crate) fn run_step(
    graph: &Graph,
    step: &Step,
    slots: &mut [Option<Value>],
) -> Result<Value, Error> {
    let vertex = &graph.vertices[step.vertex];
    let Kind::Function(node) = &vertex.kind else {
        unreachable!("steps run function vertices")
    };
    let params = node.params();

    // Values moved into by-value parameters or converted for this call.
    let mut prepared: Vec<Option<Value>> = Vec::new();
    if step.prepares {
        prepared.resize_with(step.args.len(), || None);
        for (i, arg) in step.args.iter().enumerate() {
            let ArgPlan::Slot {
                slot,
                last_use,
                conversion,
            } = arg
            else {
                continue;
            };
            let slot = *slot as usize;
            if let Some(c) = conversion {
                let source = slots[slot].as_ref().expect("a read slot is filled");
                let converted = c.apply(source.as_any()).map_err(|e| Error::Conversion {
                    node: vertex.name.to_string(),
                    param: params[i].name().to_string(),
                    expected: c.to().name().to_string(),
                    found: source.type_name().to_string(),
                    message: e.to_string(),
                })?;
                prepared[i] = Some(converted);
            } else if *last_use && params[i].kind().is_owned() {
                prepared[i] = slots[slot].take();
            }
        }
    }

    let result = {
        let mut owned_cells: Vec<Option<Value>> = Vec::new();
        if step.prepares {
            owned_cells.resize_with(step.args.len(), || None);
            for (i, p) in params.iter().enumerate() {
                if p.kind().is_owned() {
                    owned_cells[i] = prepared[i].take();
                }
            }
        }
        let args: Vec<Arg<'_>> = step
            .args
            .iter()
            .enumerate()
            .map(|(i, arg)| match arg {
                ArgPlan::Absent => Arg::Absent,
                ArgPlan::Slot { slot, .. } => {
                    if step.prepares {
                        if let Some(v) = owned_cells[i].take() {
                            return Arg::Owned(Cell::new(Some(v)));
                        }
                        if let Some(v) = &prepared[i] {
                            return Arg::Ref(v.as_any());
                        }
                    }
                    Arg::Ref(
                        slots[*slot as usize]
                            .as_ref()
                            .expect("a read slot is filled")
                            .as_any(),
                    )
                }
            })
            .collect();
        catch_unwind(AssertUnwindSafe(|| node.call(&Args::new(&args))))
    };

    for arg in &step.args {
        if let ArgPlan::Slot {
            slot,
            last_use: true,
            ..
        } = arg
        {
            slots[*slot as usize] = None;
        }
    }

    let value = match result {
        Ok(Ok(value)) => value,
        Ok(Err(source)) => {
            return Err(Error::NodeFailed {
                node: vertex.name.to_string(),
                source,
            });
        }
        Err(payload) => {
            return Err(Error::NodePanicked {
                node: vertex.name.to_string(),
                message: panic_message(payload.as_ref()),
            });
        }
    };
    if value.type_id() != vertex.ty.id {
        return Err(Error::NodeFailed {
            node: vertex.name.to_string(),
            source: format!(
                "returned a `{}` but declares `{}`; make the node's function return what it declares",
                value.type_name(),
                vertex.ty.name
            )
            .into(),
        });
    }
    Ok(value)
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}
