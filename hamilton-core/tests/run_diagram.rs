//! Drawing one finished run: each node's status and duration.

use hamilton_core::diagram::{Draw, Format};
use hamilton_core::hooks::{NodeStatus, RunRecorder};
use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node},
};

fn driver(recorder: &RunRecorder) -> Driver {
    Driver::builder()
        .with_nodes([
            Node::builder("c")
                .param::<i64>("a")
                .build(|x: &Args| Ok(x.get::<i64>(0)? + 1)),
            Node::builder("d").param::<i64>("c").build(|x: &Args| {
                let c = *x.get::<i64>(0)?;
                if c > 100 {
                    return Err("too big".into());
                }
                Ok(c)
            }),
            Node::builder("e")
                .param::<i64>("d")
                .build(|x: &Args| Ok(x.get::<i64>(0)? * 2)),
        ])
        .with_hook(recorder.clone())
        .build()
        .unwrap()
}

#[test]
fn a_successful_run_records_every_node_as_succeeded() {
    let recorder = RunRecorder::new();
    let dr = driver(&recorder);
    dr.execute(&["e"], Inputs::new().set("a", 1_i64)).unwrap();
    let run = recorder.last_run().unwrap();
    assert_eq!(run.outputs, ["e"]);
    let statuses: Vec<_> = run
        .nodes
        .iter()
        .map(|(n, s, _)| (n.as_str(), s.clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("c", NodeStatus::Succeeded),
            ("d", NodeStatus::Succeeded),
            ("e", NodeStatus::Succeeded)
        ]
    );
}

#[test]
fn a_failed_run_marks_the_failure_and_the_nodes_that_never_ran() {
    let recorder = RunRecorder::new();
    let dr = driver(&recorder);
    dr.execute(&["e"], Inputs::new().set("a", 500_i64))
        .unwrap_err();
    let run = recorder.last_run().unwrap();
    assert_eq!(run.nodes[0].1, NodeStatus::Succeeded);
    assert_eq!(run.nodes[1].1, NodeStatus::Failed("too big".into()));
    assert_eq!(run.nodes[2].1, NodeStatus::NotRun);

    let dot = dr.diagram(Draw::Run(&run), Format::Dot);
    assert!(
        dot.contains("\"d\" [label=<<b>d</b><br/><i>i64</i><br/>"),
        "{dot}"
    );
    assert!(
        dot.contains("fillcolor=\"#EA5556\""),
        "the failed node is red: {dot}"
    );
    assert!(
        dot.contains("<br/>not run>"),
        "the skipped node says so: {dot}"
    );
    assert!(dot.contains("\"a\" -> \"c\""), "inputs are drawn: {dot}");

    let mermaid = dr.diagram(Draw::Run(&run), Format::Mermaid);
    assert!(mermaid.contains(":::failed"), "{mermaid}");
    assert!(mermaid.contains(":::notrun"), "{mermaid}");
}
