//! Reading outputs by name when a request has many of them (the indexed lookup).

use hamilton_core::{
    Driver, Error, Inputs,
    node::{Args, Node},
};

fn wide(n: usize) -> Driver {
    Driver::builder()
        .with_nodes((0..n).map(|i| {
            Node::builder(format!("w{i}"))
                .param::<i64>("x")
                .build(move |a: &Args| Ok(a.get::<i64>(0)? * i as i64))
        }))
        .build()
        .unwrap()
}

#[test]
fn every_one_of_many_outputs_is_found_by_name_taken_once_and_kept_on_a_type_mismatch() {
    let names: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    let mut out = wide(40)
        .execute(&names, Inputs::new().set("x", 2_i64))
        .unwrap();
    for (i, name) in names.iter().enumerate() {
        assert_eq!(out.get::<i64>(name).unwrap(), &(2 * i as i64));
    }
    assert!(matches!(
        out.take::<f64>("w7"),
        Err(Error::OutputType { .. })
    ));
    assert_eq!(
        out.take::<i64>("w7").unwrap(),
        14,
        "a failed take leaves the output in place"
    );
    assert!(matches!(
        out.get::<i64>("w7"),
        Err(Error::NoSuchOutput { .. })
    ));
    assert!(matches!(
        out.get::<i64>("nope"),
        Err(Error::NoSuchOutput { .. })
    ));
    assert_eq!(out.len(), 39);
}
