//! Every problem with a request (outputs, inputs, overrides) is a typed `RequestError` naming
//! the node, what was expected and found, and the fix; a request's problems come back together.

use hamilton_core::{Config, Driver, Error, Inputs, Overrides, RequestError};

/// Marketing spend, per signup and smoothed.
pub mod marketing {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Spend per signup.
    #[node]
    pub fn spend_per_signup(spend: &f64, signups: &u32) -> f64 {
        spend / f64::from(*signups)
    }

    /// Spend, smoothed over `window`.
    #[node]
    pub fn smoothed_spend(spend: &f64, window: &usize) -> f64 {
        spend / *window as f64
    }

    /// Both, summed.
    #[node]
    pub fn spend_score(spend_per_signup: &f64, smoothed_spend: &f64) -> f64 {
        spend_per_signup + smoothed_spend
    }

    /// The region's label.
    #[node]
    pub fn region_label(region: &str) -> String {
        format!("[{region}]")
    }
}

fn driver() -> Driver {
    Driver::builder()
        .with_modules([marketing::MODULE])
        .with_config(Config::new().set("region", "UK"))
        .build()
        .unwrap()
}

fn request_err(result: Result<hamilton_core::Outputs, Error>) -> Error {
    match result {
        Ok(out) => panic!("expected a request error, got {out:?}"),
        Err(e) => e,
    }
}

#[test]
fn unknown_output_suggests_the_closest_name() {
    let err = request_err(driver().execute(&["spend_per_signp"], Inputs::new()));
    assert_eq!(
        err.request_errors(),
        [RequestError::UnknownOutput {
            name: "spend_per_signp".into(),
            suggestion: Some("spend_per_signup".into()),
        }]
    );
    assert!(
        err.to_string()
            .contains("unknown output `spend_per_signp`; did you mean `spend_per_signup`?"),
        "{err}"
    );
}

#[test]
fn unknown_output_far_from_every_name_points_to_the_node_list() {
    let err = request_err(driver().execute(&["zzzz"], Inputs::new()));
    assert_eq!(
        err.request_errors(),
        [RequestError::UnknownOutput {
            name: "zzzz".into(),
            suggestion: None,
        }]
    );
    assert!(err.to_string().contains("Driver::nodes()"), "{err}");
}

#[test]
fn every_missing_input_is_reported_at_once_with_the_nodes_needing_it() {
    let err = request_err(driver().execute(&["spend_score"], Inputs::new()));
    let errors = err.request_errors();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let missing = |name: &str| {
        errors
            .iter()
            .find_map(|e| match e {
                RequestError::MissingInput {
                    name: n,
                    ty,
                    needed_by,
                    ..
                } if n == name => Some((ty.clone(), needed_by.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no MissingInput for `{name}` in {errors:#?}"))
    };
    let (ty, mut needed_by) = missing("spend");
    needed_by.sort();
    assert_eq!(ty, "f64");
    assert_eq!(needed_by, ["smoothed_spend", "spend_per_signup"]);
    assert_eq!(
        missing("signups"),
        ("u32".into(), vec!["spend_per_signup".into()])
    );
    assert_eq!(
        missing("window"),
        ("usize".into(), vec!["smoothed_spend".into()])
    );
    let text = err.to_string();
    assert!(
        text.starts_with("cannot run the request: 3 problem(s)"),
        "{text}"
    );
    assert!(
        text.contains("missing input `signups` of type `u32`, needed by node `spend_per_signup`"),
        "{text}"
    );
    assert!(
        text.contains("pass it with `Inputs::new().set(\"window\", ..)`"),
        "{text}"
    );
}

#[test]
fn only_inputs_of_the_requested_part_are_required() {
    let out = driver()
        .execute(
            &["smoothed_spend"],
            Inputs::new().set("spend", 12.0_f64).set("window", 3_usize),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("smoothed_spend").unwrap(), &4.0);
}

#[test]
fn a_requested_input_that_is_not_given_is_missing() {
    let err = request_err(driver().execute(&["spend"], Inputs::new()));
    assert_eq!(
        err.request_errors(),
        [RequestError::MissingInput {
            name: "spend".into(),
            ty: "f64".into(),
            needed_by: vec![],
            did_you_mean: None,
        }]
    );
    assert!(err.to_string().contains("needed by the request"), "{err}");
}

#[test]
fn input_of_the_wrong_type_names_expected_and_found() {
    let err = request_err(driver().execute(
        &["spend_per_signup"],
        Inputs::new().set("spend", 10_i64).set("signups", 2_u32),
    ));
    assert_eq!(
        err.request_errors(),
        [RequestError::InputType {
            name: "spend".into(),
            expected: "f64".into(),
            found: "i64".into(),
            needed_by: vec!["spend_per_signup".into()],
        }]
    );
    let text = err.to_string();
    assert!(
        text.contains(
            "input `spend` is a `i64`, but node `spend_per_signup` read(s) it as `f64`; pass a `f64`"
        ),
        "{text}"
    );
}

#[test]
fn inputs_of_the_wrong_type_are_reported_together() {
    let err = request_err(driver().execute(
        &["spend_per_signup"],
        Inputs::new().set("spend", "ten").set("signups", 2_i32),
    ));
    let mut names: Vec<_> = err
        .request_errors()
        .iter()
        .map(|e| match e {
            RequestError::InputType { name, found, .. } => format!("{name}:{found}"),
            other => panic!("expected InputType, got {other:?}"),
        })
        .collect();
    names.sort();
    assert_eq!(names, ["signups:i32", "spend:String"]);
}

#[test]
fn override_of_the_wrong_type_names_the_nodes_type() {
    let err = request_err(
        driver()
            .request(&["spend_score"])
            .inputs(Inputs::new().set("spend", 1.0_f64).set("window", 1_usize))
            .overrides(Overrides::new().set("spend_per_signup", 3_u8))
            .execute(),
    );
    assert_eq!(
        err.request_errors(),
        [RequestError::OverrideType {
            name: "spend_per_signup".into(),
            expected: "f64".into(),
            found: "u8".into(),
        }]
    );
    assert!(
        err.to_string().contains(
            "override `spend_per_signup` is a `u8`, but node `spend_per_signup` produces `f64`; pass a `f64`"
        ),
        "{err}"
    );
}

#[test]
fn unknown_override_suggests_the_closest_name() {
    let err = request_err(
        driver()
            .request(&["region_label"])
            .overrides(Overrides::new().set("smoothed_spnd", 1.0_f64))
            .execute(),
    );
    assert_eq!(
        err.request_errors(),
        [RequestError::UnknownOverride {
            name: "smoothed_spnd".into(),
            suggestion: Some("smoothed_spend".into()),
        }]
    );
}

#[test]
fn input_given_for_a_computed_node_points_to_overrides() {
    let err = request_err(
        driver().execute(
            &["spend_score"],
            Inputs::new()
                .set("spend", 1.0_f64)
                .set("window", 1_usize)
                .set("signups", 1_u32)
                .set("smoothed_spend", 5.0_f64),
        ),
    );
    match err.request_errors() {
        [RequestError::InputIsComputed { name, at }] => {
            assert_eq!(name, "smoothed_spend");
            assert!(
                at.starts_with("module `request_errors::marketing` ("),
                "{at}"
            );
            assert!(at.contains("request_errors.rs:"), "{at}");
        }
        other => panic!("expected one InputIsComputed, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("`smoothed_spend` was given as an input, but node `smoothed_spend`"),
        "{text}"
    );
    assert!(text.contains("pass it as an override"), "{text}");
}

#[test]
fn input_shadowing_config_is_rejected() {
    let err = request_err(driver().execute(&["region_label"], Inputs::new().set("region", "FR")));
    assert_eq!(
        err.request_errors(),
        [RequestError::InputShadowsConfig {
            name: "region".into()
        }]
    );
    assert!(
        err.to_string()
            .contains("`region` is both a config key and an input"),
        "{err}"
    );
}

#[test]
fn request_problems_of_several_kinds_are_reported_together() {
    let err = request_err(
        driver()
            .request(&["spend_score", "regin_label"])
            .inputs(Inputs::new().set("region", "FR").set("window", 2_usize))
            .overrides(Overrides::new().set("nope", 1_i64))
            .execute(),
    );
    let errors = err.request_errors();
    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            RequestError::UnknownOutput { .. } => "unknown output",
            RequestError::UnknownOverride { .. } => "unknown override",
            RequestError::InputShadowsConfig { .. } => "input shadows config",
            RequestError::MissingInput { .. } => "missing input",
            _ => "other",
        })
        .collect();
    for kind in [
        "unknown output",
        "unknown override",
        "input shadows config",
        "missing input",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in {errors:#?}");
    }
    assert_eq!(errors.len(), 5, "{errors:#?}"); // spend and signups are both missing
}

#[test]
fn a_failed_request_leaves_the_driver_usable() {
    let dr = driver();
    assert!(dr.execute(&["spend_score"], Inputs::new()).is_err());
    let out = dr
        .execute(
            &["spend_score"],
            Inputs::new()
                .set("spend", 12.0_f64)
                .set("signups", 4_u32)
                .set("window", 3_usize),
        )
        .unwrap();
    assert_eq!(out.get::<f64>("spend_score").unwrap(), &7.0);
}

#[test]
fn missing_and_mistyped_inputs_are_reported_together() {
    let err = request_err(driver().execute(
        &["spend_score"],
        Inputs::new().set("spend", 1_i64).set("window", 2_usize),
    ));
    let errors = err.request_errors();
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, RequestError::MissingInput { name, .. } if name == "signups")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, RequestError::InputType { name, .. } if name == "spend")),
        "{errors:#?}"
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");
}
