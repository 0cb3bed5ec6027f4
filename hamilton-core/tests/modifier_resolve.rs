//! `resolve(f)`: modifiers computed from the config at build time; they join their own phase.

use hamilton_core::modifiers::{Binding, Modifier, Parameterization};
use hamilton_core::{
    BuildError, Config, Driver, Inputs, node,
    node::{Args, Node},
    nodes,
};

/// One output per configured window: `avg_<n>`.
fn windows(config: &Config) -> Result<Vec<Modifier>, String> {
    let list = config
        .get_str("windows")
        .ok_or("set `windows` in the config, e.g. \"3,7\"")?;
    let outputs = list
        .split(',')
        .map(|w| {
            let n: usize = w.trim().parse().map_err(|_| format!("bad window `{w}`"))?;
            Ok(Parameterization::new(format!("avg_{n}")).bind("window", Binding::value(n)))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(vec![Modifier::parameterize(outputs)])
}

/// Rolling average over the last `window` values.
#[node(resolve(windows))]
fn rolling(xs: &[f64], window: usize) -> f64 {
    let tail = &xs[xs.len().saturating_sub(window)..];
    tail.iter().sum::<f64>() / tail.len() as f64
}

fn build(config: Config) -> Result<Driver, hamilton_core::Error> {
    Driver::builder()
        .with_modules([nodes![rolling]])
        .with_config(config)
        .build()
}

#[test]
fn resolved_modifiers_apply_like_written_ones() {
    let dr = build(Config::new().set("windows", "2, 4")).unwrap();
    let out = dr
        .execute(
            &["avg_2", "avg_4"],
            Inputs::new().set("xs", vec![1.0, 2.0, 3.0, 4.0]),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("avg_2").unwrap(), &3.5);
    assert_eq!(out.get::<f64>("avg_4").unwrap(), &2.5);
}

#[test]
fn a_failing_resolver_is_a_build_error() {
    let err = build(Config::new()).unwrap_err();
    let [
        BuildError::Modifier {
            node,
            option,
            problem,
            ..
        },
    ] = err.build_errors()
    else {
        panic!("{err}");
    };
    assert_eq!((node.as_str(), option.as_str()), ("rolling", "resolve"));
    assert_eq!(
        problem,
        "resolver `windows` failed: set `windows` in the config, e.g. \"3,7\""
    );
}

#[test]
fn a_resolver_may_drop_the_node_but_not_choose_variants() {
    let n = |m: Modifier| Node::builder("n").modifier(m).build(|_: &Args| Ok(1_i64));
    let drop_when_off = Modifier::resolve("drop_when_off", |c: &Config| {
        Ok(if c.contains("off") {
            vec![Modifier::exclude()]
        } else {
            vec![]
        })
    });
    let dr = Driver::builder()
        .with_nodes([n(drop_when_off.clone())])
        .with_config(Config::new().set("off", true))
        .build()
        .unwrap();
    assert!(dr.node("n").is_none());
    let dr = Driver::builder()
        .with_nodes([n(drop_when_off)])
        .build()
        .unwrap();
    assert!(dr.node("n").is_some());

    let err = Driver::builder()
        .with_nodes([n(Modifier::resolve("late", |_: &Config| {
            Ok(vec![Modifier::when("k", 1)])
        }))])
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "resolver `late` returned `when`, which cannot be decided after config selection"
        ),
        "{err}"
    );
}
