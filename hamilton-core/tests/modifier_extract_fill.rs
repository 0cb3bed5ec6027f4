//! `extract_columns(.., fill_with = v)`: columns the frame lacks are filled by the registered
//! extractor (built with `ColumnExtractor::filling`), which decides which fill values it takes.

use std::collections::BTreeMap;

use hamilton_core::modifiers::ColumnExtractor;
use hamilton_core::{BuildError, Driver, Inputs, node, nodes, register_column_extractor};

/// A frame of float columns, all of one height.
pub struct Sheet(BTreeMap<String, Vec<f64>>);

fn sheet_column(sheet: &Sheet, name: &str) -> Result<Vec<f64>, String> {
    sheet
        .0
        .get(name)
        .cloned()
        .ok_or_else(|| format!("no column `{name}`"))
}

fn sheet_column_or(sheet: &Sheet, name: &str, fill: &f64) -> Result<Vec<f64>, String> {
    let height = sheet.0.values().next().map_or(0, Vec::len);
    Ok(sheet
        .0
        .get(name)
        .cloned()
        .unwrap_or_else(|| vec![*fill; height]))
}

fn sheet_extractor() -> ColumnExtractor {
    ColumnExtractor::filling(
        sheet_column,
        "an `f64`",
        |v| v.downcast_ref::<f64>().copied(),
        sheet_column_or,
    )
}

register_column_extractor!(extractor = sheet_extractor);

fn two_rows() -> Sheet {
    Sheet(BTreeMap::from([("a".to_string(), vec![1.0, 2.0])]))
}

#[node(extract_columns(a, b, fill_with = 0.5))]
fn sheet() -> Sheet {
    two_rows()
}

#[node(extract_columns(a, c, fill_with = "zero"))]
fn text_filled() -> Sheet {
    two_rows()
}

#[node(extract_columns(a, d))]
fn unfilled() -> Sheet {
    two_rows()
}

#[test]
fn a_missing_column_is_filled_and_a_present_one_read() {
    let dr = Driver::builder()
        .with_modules([nodes![sheet]])
        .build()
        .unwrap();
    let out = dr.execute(&["a", "b"], Inputs::new()).unwrap();
    assert_eq!(out.get::<Vec<f64>>("a").unwrap(), &[1.0, 2.0]);
    assert_eq!(out.get::<Vec<f64>>("b").unwrap(), &[0.5, 0.5]);
}

#[test]
fn without_fill_with_a_missing_column_still_fails_its_node() {
    let dr = Driver::builder()
        .with_modules([nodes![unfilled]])
        .build()
        .unwrap();
    let err = dr.execute(&["d"], Inputs::new()).unwrap_err();
    assert!(err.to_string().contains("no column `d`"), "{err}");
}

#[test]
fn a_fill_the_extractor_does_not_take_is_a_build_error_naming_what_it_takes() {
    let err = Driver::builder()
        .with_modules([nodes![text_filled]])
        .build()
        .unwrap_err();
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
    assert_eq!(
        (node.as_str(), option.as_str()),
        ("text_filled", "extract_columns")
    );
    assert_eq!(
        problem,
        "`fill_with = \"zero\"` is a `String`, but the column extractor for `Sheet` fills with an `f64`; give one of those"
    );
}
