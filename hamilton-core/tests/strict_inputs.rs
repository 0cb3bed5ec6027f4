//! A parameter that no node produces is an input. When its name is close to a node's it is most
//! likely a typo: the missing input's error says so, and in strict mode (declared inputs,
//! `DriverBuilder::with_inputs`) `build()` reports it, with every other undeclared parameter.

use hamilton_core::{BuildError, Driver, Error, Inputs, RequestError};

/// Cleaning, with a typo in `amount_net`'s parameter.
pub mod cleaning {
    use hamilton_core::node;

    hamilton_core::module!();

    /// The amount, made positive.
    #[node]
    pub fn amount_clean(amount: &f64) -> f64 {
        amount.abs()
    }

    /// The amount net of `fee`; `amount_cleen` is a typo of `amount_clean`.
    #[node]
    pub fn amount_net(amount_cleen: &f64, fee: &f64) -> f64 {
        amount_cleen - fee
    }

    /// The amount with an optional bonus.
    #[node]
    pub fn amount_bonus(amount_clean: &f64, bonus: Option<&f64>) -> f64 {
        amount_clean + bonus.copied().unwrap_or(0.0)
    }
}

/// The same, spelt right.
pub mod spelt_right {
    use hamilton_core::node;

    hamilton_core::module!();

    /// The amount, made positive.
    #[node]
    pub fn amount_clean(amount: &f64) -> f64 {
        amount.abs()
    }

    /// The amount net of `fee`.
    #[node]
    pub fn amount_net(amount_clean: &f64, fee: &f64) -> f64 {
        amount_clean - fee
    }
}

/// Where `amount_clean` of `cleaning` is defined.
fn amount_clean_at() -> String {
    let dr = Driver::builder()
        .with_modules([cleaning::MODULE])
        .build()
        .unwrap();
    dr.node("amount_clean")
        .unwrap()
        .location()
        .unwrap()
        .to_string()
}

#[test]
fn a_missing_input_close_to_a_nodes_name_is_reported_as_a_likely_typo() {
    let at = amount_clean_at();
    assert!(at.contains("strict_inputs.rs:"), "{at}");
    let dr = Driver::builder()
        .with_modules([cleaning::MODULE])
        .build()
        .unwrap();
    let err = dr
        .execute(
            &["amount_net"],
            Inputs::new().set("amount", 3.0).set("fee", 1.0),
        )
        .unwrap_err();
    assert_eq!(
        err.request_errors(),
        [RequestError::MissingInput {
            name: "amount_cleen".into(),
            ty: "f64".into(),
            needed_by: vec!["amount_net".into()],
            did_you_mean: Some(("amount_clean".into(), at.clone())),
        }]
    );
    assert_eq!(
        err.request_errors()[0].to_string(),
        format!(
            "missing input `amount_cleen` of type `f64`, needed by node `amount_net`; did you mean node `amount_clean` ({at})? Rename the parameter to `amount_clean`; if `amount_cleen` is an input, pass it with `Inputs::new().set(\"amount_cleen\", ..)`"
        )
    );
}

#[test]
fn short_input_names_are_not_taken_for_typos() {
    let dr = Driver::builder()
        .with_nodes([hamilton_core::node::Node::builder("c")
            .param::<f64>("a")
            .build(|x: &hamilton_core::node::Args| Ok(*x.get::<f64>(0)?))])
        .build()
        .unwrap();
    let err = dr.execute(&["c"], Inputs::new()).unwrap_err();
    assert!(
        matches!(
            err.request_errors(),
            [RequestError::MissingInput {
                did_you_mean: None,
                ..
            }]
        ),
        "{err}"
    );
}

#[test]
fn strict_mode_reports_a_misspelt_dependency_at_build() {
    let err = Driver::builder()
        .with_modules([cleaning::MODULE])
        .with_inputs(["amount", "fee"])
        .build()
        .unwrap_err();
    let at = amount_clean_at();
    let [
        BuildError::MisspeltDependency {
            node,
            node_at,
            param,
            suggestion,
            suggestion_at,
        },
    ] = err.build_errors()
    else {
        panic!("expected one MisspeltDependency, got {err}");
    };
    assert_eq!(
        (node.as_str(), param.as_str(), suggestion.as_str()),
        ("amount_net", "amount_cleen", "amount_clean")
    );
    assert_eq!(suggestion_at, &at);
    assert!(node_at.contains("strict_inputs.rs:"), "{node_at}");
    assert_eq!(
        err.build_errors()[0].to_string(),
        format!(
            "node `amount_net` ({node_at}), parameter `amount_cleen`: no node produces `amount_cleen` and it is not a declared input; did you mean node `amount_clean` ({at})? Rename the parameter to `amount_clean`, or add `amount_cleen` to `with_inputs([..])` if it is an input"
        )
    );
}

#[test]
fn strict_mode_reports_every_undeclared_parameter_with_the_other_build_errors() {
    let cycle = hamilton_core::node::Node::builder("loop")
        .param::<i64>("loop")
        .build(|x: &hamilton_core::node::Args| Ok(*x.get::<i64>(0)?));
    let err = Driver::builder()
        .with_modules([cleaning::MODULE])
        .with_nodes([cycle])
        .with_inputs(["amount"])
        .build()
        .unwrap_err();
    let errors = err.build_errors();
    assert_eq!(errors.len(), 3, "{err}");
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, BuildError::Cycle { path, .. } if path[0] == "loop")),
        "{err}"
    );
    assert!(
        errors.iter().any(
            |e| matches!(e, BuildError::MisspeltDependency { param, .. } if param == "amount_cleen")
        ),
        "{err}"
    );
    let fee = errors
        .iter()
        .find(|e| matches!(e, BuildError::UndeclaredInput { .. }))
        .unwrap_or_else(|| panic!("no UndeclaredInput in {err}"));
    let BuildError::UndeclaredInput {
        node,
        node_at,
        param,
        ty,
    } = fee
    else {
        unreachable!()
    };
    assert_eq!(
        (node.as_str(), param.as_str(), ty.as_str()),
        ("amount_net", "fee", "f64")
    );
    assert_eq!(
        fee.to_string(),
        format!(
            "node `amount_net` ({node_at}), parameter `fee`: expects a `f64` input, but no node produces `fee` and the declared inputs do not list it; add `fee` to `with_inputs([..])`, or add a node named `fee`"
        )
    );
    // The optional `bonus` needs no declaration.
    assert!(!err.to_string().contains("`bonus`"), "{err}");
}

#[test]
fn strict_mode_with_every_input_declared_builds_and_runs() {
    let dr = Driver::builder()
        .with_modules([spelt_right::MODULE])
        .with_inputs(["amount"])
        .with_inputs(["fee"])
        .build()
        .unwrap();
    let out = dr
        .execute(
            &["amount_net"],
            Inputs::new().set("amount", -3.0).set("fee", 1.0),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("amount_net").unwrap(), &2.0);
}

#[test]
fn strict_without_inputs_declares_that_there_are_none() {
    let err: Error = Driver::builder()
        .with_modules([spelt_right::MODULE])
        .strict()
        .build()
        .unwrap_err();
    let params: Vec<&str> = err
        .build_errors()
        .iter()
        .map(|e| match e {
            BuildError::UndeclaredInput { param, .. } => param.as_str(),
            other => panic!("expected only undeclared inputs, got {other}"),
        })
        .collect();
    assert_eq!(params, ["amount", "fee"]);
}
