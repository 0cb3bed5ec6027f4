//! Prepared requests (`Driver::prepare`), and many distinct request shapes on one driver.

use hamilton_core::{
    Driver, Error, Inputs, RequestError,
    node::{Args, Node},
};

/// `x -> c0 -> c1 -> ... -> c{n-1}`, each adding one, beside `w{i} = x * i` for i < n.
fn driver(n: usize) -> Driver {
    let chain = (0..n).map(|i| {
        let dep = if i == 0 {
            "x".to_string()
        } else {
            format!("c{}", i - 1)
        };
        Node::builder(format!("c{i}"))
            .param::<i64>(dep)
            .build(|a: &Args| Ok(a.get::<i64>(0)? + 1))
    });
    let wide = (0..n).map(|i| {
        Node::builder(format!("w{i}"))
            .param::<i64>("x")
            .optional_param::<i64>("offset")
            .build(move |a: &Args| {
                Ok(a.get::<i64>(0)? * i as i64 + a.get_opt::<i64>(1)?.copied().unwrap_or(0))
            })
    });
    Driver::builder()
        .with_nodes(chain.chain(wide))
        .build()
        .unwrap()
}

fn values(out: hamilton_core::Outputs) -> Vec<(String, i64)> {
    out.into_iter()
        .map(|(n, v)| (n, *v.downcast_ref::<i64>().unwrap()))
        .collect()
}

#[test]
fn a_prepared_request_gives_the_same_outputs_as_execute() {
    let dr = driver(30);
    let outputs: Vec<String> = ["c29", "w3", "c4", "w29"]
        .into_iter()
        .map(String::from)
        .chain((0..20).map(|i| format!("w{i}")))
        .collect();
    let prepared = dr.prepare(&outputs, &["x"]).unwrap();
    for x in [0_i64, 5, -7] {
        let plain = dr.execute(&outputs, Inputs::new().set("x", x)).unwrap();
        let again = prepared.execute(Inputs::new().set("x", x)).unwrap();
        assert_eq!(values(again), values(plain));
    }
    // Read by name too (more than 16 outputs: through the shared index).
    let out = prepared.execute(Inputs::new().set("x", 2_i64)).unwrap();
    assert_eq!(out.get::<i64>("w7").unwrap(), &14);
    assert_eq!(out.get::<i64>("c29").unwrap(), &32);
}

#[test]
fn a_prepared_request_with_an_optional_input_uses_it() {
    let dr = driver(3);
    let with = dr.prepare(&["w2"], &["x", "offset"]).unwrap();
    let without = dr.prepare(&["w2"], &["x"]).unwrap();
    let out = with
        .execute(Inputs::new().set("x", 1_i64).set("offset", 100_i64))
        .unwrap();
    assert_eq!(out.get::<i64>("w2").unwrap(), &102);
    let out = without.execute(Inputs::new().set("x", 1_i64)).unwrap();
    assert_eq!(out.get::<i64>("w2").unwrap(), &2);
}

#[test]
fn a_prepared_request_rejects_inputs_it_was_not_prepared_for_with_a_typed_error() {
    let dr = driver(3);
    let prepared = dr.prepare(&["c2", "w1"], &["x"]).unwrap();
    // An extra input (even an optional one the plan would read) is refused, not ignored.
    let err = prepared
        .execute(Inputs::new().set("x", 1_i64).set("offset", 1_i64))
        .unwrap_err();
    match err.request_errors() {
        [
            RequestError::InputsNotPrepared {
                prepared,
                unexpected,
                missing,
            },
        ] => {
            assert_eq!(prepared, &["x"]);
            assert_eq!(unexpected, &["offset"]);
            assert!(missing.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("not prepared for: `offset`"), "{text}");
    assert!(text.contains("Driver::prepare"), "{text}");
    // A missing one is refused before any node runs.
    let err = prepared.execute(Inputs::new()).unwrap_err();
    assert!(matches!(
        err.request_errors(),
        [RequestError::InputsNotPrepared { missing, unexpected, .. }] if missing == &["x"] && unexpected.is_empty()
    ));
    // The prepared request still runs afterwards.
    let out = prepared.execute(Inputs::new().set("x", 1_i64)).unwrap();
    assert_eq!(out.get::<i64>("c2").unwrap(), &4);
}

#[test]
fn a_prepared_request_reports_a_mistyped_input_like_execute() {
    let dr = driver(2);
    let prepared = dr.prepare(&["c1"], &["x"]).unwrap();
    let err = prepared.execute(Inputs::new().set("x", "one")).unwrap_err();
    let plain = dr
        .execute(&["c1"], Inputs::new().set("x", "one"))
        .unwrap_err();
    assert_eq!(err.to_string(), plain.to_string());
    assert!(matches!(
        err.request_errors(),
        [RequestError::InputType { name, .. }] if name == "x"
    ));
}

#[test]
fn preparing_a_request_that_cannot_run_reports_every_problem() {
    let dr = driver(2);
    let err = dr.prepare(&["c1", "nope"], &[] as &[&str]).unwrap_err();
    let kinds: Vec<&str> = err
        .request_errors()
        .iter()
        .map(|e| match e {
            RequestError::UnknownOutput { .. } => "unknown output",
            RequestError::MissingInput { .. } => "missing input",
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["unknown output", "missing input"]);
    assert!(matches!(err, Error::Request(_)));
}

#[test]
fn one_prepared_request_runs_on_two_threads_at_once() {
    let dr = driver(50);
    let prepared = dr.prepare(&["c49", "w10"], &["x"]).unwrap();
    std::thread::scope(|s| {
        for t in 0..2_i64 {
            let prepared = &prepared;
            s.spawn(move || {
                for x in 0..200_i64 {
                    let out = prepared.execute(Inputs::new().set("x", x + t)).unwrap();
                    assert_eq!(out.get::<i64>("c49").unwrap(), &(x + t + 50));
                    assert_eq!(out.get::<i64>("w10").unwrap(), &((x + t) * 10));
                }
            });
        }
    });
}

#[test]
fn more_than_256_distinct_requests_stay_correct() {
    let dr = driver(400);
    // 400 shapes, twice over: each the right values, whether its plan is cached or not.
    for round in 0..2_i64 {
        for i in 0..400 {
            let outputs = [format!("c{i}"), format!("w{}", 399 - i)];
            let out = dr.execute(&outputs, Inputs::new().set("x", round)).unwrap();
            assert_eq!(
                out.get::<i64>(&outputs[0]).unwrap(),
                &(round + i as i64 + 1)
            );
            assert_eq!(
                out.get::<i64>(&outputs[1]).unwrap(),
                &(round * (399 - i as i64))
            );
        }
    }
}
