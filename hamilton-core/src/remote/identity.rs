//! What a driver and a worker must agree on: the graph (its version names the broker's queue),
//! the request a plan was made for, and the plan itself (a digest of its steps).

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

use super::task::Request;
use crate::build::version::GraphVersion;
use crate::graph::Graph;
use crate::plan::{ArgPlan, LoadFrom, Plan, PlanKey, Step};

/// The graph's version (32 hex digits): the same for two builds of the same code and wiring.
pub(crate) fn graph_version(graph: &Graph) -> String {
    GraphVersion::of(graph).version
}

/// The broker queue of a graph version: only workers built from the same code take its tasks.
pub(crate) fn queue_name(version: &str) -> String {
    format!("hamilton-{}", &version[..16.min(version.len())])
}

/// The request `plan` was made for, as a worker makes the same plan from it.
pub(crate) fn request_of(graph: &Graph, plan: &Plan) -> Request {
    let mut request = Request {
        outputs: plan
            .output_vertices()
            .map(|v| graph.vertices[v].name().to_string())
            .collect(),
        ..Request::default()
    };
    for load in &plan.loads {
        let name = graph.vertices[load.vertex].name().to_string();
        match load.from {
            LoadFrom::Input => request.inputs.push(name),
            LoadFrom::Override => request.overrides.push(name),
            LoadFrom::Config => {}
        }
    }
    request
}

impl From<&Request> for PlanKey {
    fn from(r: &Request) -> Self {
        PlanKey {
            outputs: r.outputs.clone(),
            overrides: r.overrides.clone(),
            inputs: r.inputs.clone(),
        }
    }
}

/// A digest of the plan's steps (which vertex runs into which slot, reading which slots): two
/// plans with the same digest number their slots alike.
pub(crate) fn plan_digest(plan: &Plan) -> u64 {
    let mut h = FxHasher::default();
    plan.slot_count.hash(&mut h);
    fn digest_steps(steps: &[Step], h: &mut FxHasher) {
        for step in steps {
            (step.vertex, step.slot).hash(h);
            for arg in &step.args {
                match arg {
                    ArgPlan::Slot { slot, .. } => slot.hash(h),
                    ArgPlan::Absent => u32::MAX.hash(h),
                }
            }
            if let Some(fan) = step.fan_out() {
                fan.expand_slot.hash(h);
                digest_steps(&fan.steps, h);
                for (slot, _) in &fan.gathers {
                    slot.hash(h);
                }
            }
        }
    }
    digest_steps(&plan.steps, &mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::convert::conversion_table;
    use crate::module::Module;
    use crate::node::Node;
    use crate::values::Config;

    fn graph(second: &str) -> Graph {
        let nodes = vec![
            Node::builder("a")
                .param::<i64>("x")
                .build(|a: &Args| Ok(a.get::<i64>(0)? + 1)),
            Node::builder(second)
                .param::<i64>("a")
                .build(|a: &Args| Ok(a.get::<i64>(0)? * 2)),
        ];
        Graph::build(
            &[Module::from_nodes("m", nodes)],
            Config::new(),
            false,
            conversion_table(&[]),
            None,
        )
        .unwrap()
    }

    fn plan(g: &Graph, key: &PlanKey) -> Plan {
        let (plan, errors) = Plan::checked(g, key);
        assert!(errors.is_empty(), "{errors:?}");
        plan
    }

    #[test]
    fn a_plan_made_again_from_its_request_has_the_same_digest() {
        let g = graph("b");
        let key = PlanKey {
            outputs: vec!["b".into(), "a".into()],
            overrides: vec![],
            inputs: vec!["x".into()],
        };
        let first = plan(&g, &key);
        let request = request_of(&g, &first);
        assert_eq!(request.outputs, ["b", "a"]);
        assert_eq!(request.inputs, ["x"]);
        let again = plan(&g, &PlanKey::from(&request));
        assert_eq!(plan_digest(&first), plan_digest(&again));
    }

    #[test]
    fn another_request_or_graph_gives_another_digest_or_queue() {
        let g = graph("b");
        let b = |outputs: Vec<String>, overrides: Vec<String>| PlanKey {
            outputs,
            overrides,
            inputs: vec!["x".into()],
        };
        let both = plan(&g, &b(vec!["b".into()], vec![]));
        let overridden = plan(&g, &b(vec!["b".into()], vec!["a".into()]));
        assert_ne!(plan_digest(&both), plan_digest(&overridden));
        assert_ne!(
            queue_name(&graph_version(&g)),
            queue_name(&graph_version(&graph("c")))
        );
        assert!(queue_name(&graph_version(&g)).starts_with("hamilton-"));
        assert!(!queue_name(&graph_version(&g)).contains(':'));
    }
}
