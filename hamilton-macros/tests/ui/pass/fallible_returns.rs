//! `Result`, `io::Result`, and an alias named like `PolarsResult`.
#![deny(warnings)]

use std::io;

use hamilton_core::__private::{Args};
use hamilton_core::node;

#[derive(Debug)]
struct MyError;

impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("my error")
    }
}

impl std::error::Error for MyError {}

type PolarsResult<T> = Result<T, MyError>;
type BoxResult = Result<Vec<f64>, Box<dyn std::error::Error + Send + Sync>>;

#[node]
fn plain() -> Result<f64, MyError> {
    Ok(1.0)
}

#[node]
fn polars_like() -> PolarsResult<Vec<f64>> {
    Err(MyError)
}

#[node]
fn io_result() -> io::Result<String> {
    Ok("x".to_owned())
}

#[node]
fn std_result() -> std::result::Result<(), String> {
    Ok(())
}

#[node]
fn no_generics() -> BoxResult {
    Ok(vec![])
}

fn main() {
    let no_args = Args::new(&[]);
    assert_eq!(<plain>::DEF.output.name(), "f64");
    assert!(<plain>::DEF.call.call(&no_args).is_ok());
    assert_eq!(<polars_like>::DEF.output.name(), "Vec<f64>");
    let error = <polars_like>::DEF.call.call(&no_args).unwrap_err();
    assert_eq!(error.to_string(), "my error");
    assert_eq!(<io_result>::DEF.output.name(), "String");
    assert_eq!(<std_result>::DEF.output.name(), "()");
    assert_eq!(<no_generics>::DEF.output.name(), "BoxResult");
    assert_eq!(
        <no_generics>::DEF.output.id(),
        std::any::TypeId::of::<Vec<f64>>()
    );
}
