//! `extract_fields`, `#[derive(Fields)]`, `unpack`, `extract_columns`.
#![deny(warnings, missing_docs)]

use hamilton_core::{Fields, node};

/// Model output.
#[derive(Clone, Fields)]
pub struct Model {
    /// Weights.
    pub weights: Vec<f64>,
    /// Bias.
    pub r#type: f64,
}

/// Fits.
#[node(extract_fields)]
pub fn fit() -> Result<Model, String> {
    Ok(Model { weights: vec![], r#type: 0.0 })
}

/// Fits, listing the fields.
#[node(extract_fields(weights: Vec<f64>, r#type))]
pub fn fit_listed() -> Model {
    Model { weights: vec![], r#type: 0.0 }
}

/// Bounds.
#[node(unpack(low, _, high))]
pub fn bounds() -> std::io::Result<(f64, u8, f64)> {
    Ok((0.0, 1, 2.0))
}

/// A frame.
#[node(extract_columns(year, "week_no"))]
pub fn frame() -> Vec<f64> {
    vec![]
}

fn main() {
    assert_eq!(Model::fields().iter().map(|f| f.name().to_string()).collect::<Vec<_>>(), ["weights", "type"]);
    assert_eq!(format!("{:?}", (<fit>::DEF.modifiers)()), "[extract_fields(weights: Vec<f64>, type: f64)]");
    assert_eq!(format!("{:?}", (<fit_listed>::DEF.modifiers)()), "[extract_fields(weights: Vec<f64>, type: f64)]");
    assert_eq!(format!("{:?}", (<bounds>::DEF.modifiers)()), "[extract_fields(low: f64, high: f64)]");
    assert_eq!(format!("{:?}", (<frame>::DEF.modifiers)()), "[extract_columns(year, week_no)]");
}
