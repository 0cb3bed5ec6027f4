//! `outputs![path::f, ..]` and `Outputs::get_typed(path::f::OUTPUT)`: outputs named by their
//! functions (renames and config variants included) and read back with the function's type.

use hamilton_core::{Config, Driver, Error, Inputs, node, nodes, outputs};

mod features {
    use hamilton_core::node;

    #[node]
    pub(crate) fn spend(raw: &[f64]) -> f64 {
        raw.iter().sum()
    }

    #[node(name = "spend_label")]
    pub(crate) fn label(spend: &f64) -> String {
        format!("{spend:.1}")
    }

    #[node(when(region = "UK"))]
    pub(crate) fn vat__uk() -> f64 {
        0.2
    }

    #[node(default)]
    pub(crate) fn vat__other() -> f64 {
        0.5
    }

    #[node(unpack(low, high))]
    pub(crate) fn bounds(raw: &[f64]) -> (f64, f64) {
        (raw[0], raw[raw.len() - 1])
    }
}

#[test]
fn outputs_lists_the_node_names_of_functions_renamed_and_variants_included() {
    assert_eq!(
        outputs![
            features::spend,
            features::label,
            features::vat__uk,
            features::vat__other,
            features::bounds,
        ],
        ["spend", "spend_label", "vat", "vat", "bounds"]
    );
}

#[test]
fn a_request_by_functions_reads_each_value_with_its_functions_type() {
    let dr = Driver::builder()
        .with_modules([nodes![
            features::spend,
            features::label,
            features::vat__uk,
            features::vat__other,
            features::bounds
        ]])
        .with_config(Config::new().set("region", "UK"))
        .build()
        .unwrap();
    let mut out = dr
        .execute(
            &outputs![features::label, features::vat__uk, features::bounds],
            Inputs::new().set("raw", vec![1.0, 2.5]),
        )
        .unwrap();
    let label: &String = out.get_typed(features::label::OUTPUT).unwrap();
    assert_eq!(label, "3.5");
    assert_eq!(out.get_typed(features::vat__uk::OUTPUT).unwrap(), &0.2);
    let bounds: (f64, f64) = out.take_typed(features::bounds::OUTPUT).unwrap();
    assert_eq!(bounds, (1.0, 2.5));
    // Not requested: an error naming what was, not a panic.
    let err = out.get_typed(features::spend::OUTPUT).unwrap_err();
    assert!(matches!(err, Error::NoSuchOutput { .. }), "{err}");
}

#[node(mutate(retyped))]
fn to_text(x: &f64) -> String {
    x.to_string()
}

#[node]
fn retyped() -> f64 {
    1.5
}

#[test]
fn a_node_retyped_by_anothers_mutate_is_a_typed_error_not_a_panic() {
    let dr = Driver::builder()
        .with_modules([nodes![retyped, to_text]])
        .build()
        .unwrap();
    let out = dr.execute(&outputs![retyped], Inputs::new()).unwrap();
    let err = out.get_typed(retyped::OUTPUT).unwrap_err();
    assert!(
        matches!(&err, Error::OutputType { name, expected, found } if name == "retyped" && expected == "f64" && found == "String"),
        "{err}"
    );
    assert_eq!(out.get::<String>("retyped").unwrap(), "1.5");
}
