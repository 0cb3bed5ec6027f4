//! Every parameter form, `&str` and `&[T]` included.
#![deny(warnings, missing_docs)]

use hamilton_core::__private::{Arg, Args, ParamKind, Value};
use hamilton_core::node;

/// Every parameter form.
#[node]
pub fn all(
    borrowed: &Vec<f64>,
    owned: usize,
    optional: Option<&f64>,
    optional_owned: Option<String>,
    text: &str,
    slice: &[f64],
    optional_text: Option<&str>,
    optional_slice: Option<&[u8]>,
    mut mutable_binding: Vec<i64>,
    r#type: &'_ i64,
) -> f64 {
    mutable_binding.push(*r#type);
    borrowed.iter().sum::<f64>()
        + owned as f64
        + optional.copied().unwrap_or_default()
        + optional_owned.map_or(0, |s| s.len()) as f64
        + text.len() as f64
        + slice.iter().sum::<f64>()
        + optional_text.map_or(0, str::len) as f64
        + optional_slice.map_or(0, <[u8]>::len) as f64
        + mutable_binding.len() as f64
}

/// Named like the shim's argument, with a parameter of that name too.
#[node]
pub fn args(args: &i64) -> i64 {
    *args
}

/// Named like the shim's local for the result.
#[node]
pub fn value(args: i64) -> i64 {
    args
}

/// A raw identifier as the node's name.
#[node]
pub fn r#type(value: &i64) -> i64 {
    *value
}

fn main() {
    assert_eq!(<r#type>::DEF.name, "type");
    assert_eq!(<r#type>::DEF.params[0].name, "value");
    let v = 4_i64;
    let out = <value>::DEF.call.call(&Args::new(&[Arg::Ref(&v)])).unwrap();
    assert_eq!(out.downcast_ref::<i64>(), Some(&4));
    let def = <all>::DEF;
    let kinds: Vec<_> = def.params.iter().map(|p| (p.name, p.ty.name(), p.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("borrowed", "Vec<f64>", ParamKind::Ref),
            ("owned", "usize", ParamKind::Owned),
            ("optional", "f64", ParamKind::OptionalRef),
            ("optional_owned", "String", ParamKind::OptionalOwned),
            ("text", "String", ParamKind::Ref),
            ("slice", "Vec<f64>", ParamKind::Ref),
            ("optional_text", "String", ParamKind::OptionalRef),
            ("optional_slice", "Vec<u8>", ParamKind::OptionalRef),
            ("mutable_binding", "Vec<i64>", ParamKind::Owned),
            ("type", "i64", ParamKind::Ref),
        ]
    );
    let (borrowed, text, slice, ty) = (vec![1.0], String::from("ab"), vec![2.0], 7_i64);
    let slots = [
        Arg::Ref(&borrowed),
        Arg::owned(Value::new(3_usize)),
        Arg::Absent,
        Arg::Absent,
        Arg::Ref(&text),
        Arg::Ref(&slice),
        Arg::Absent,
        Arg::Absent,
        Arg::owned(Value::new(Vec::<i64>::new())),
        Arg::Ref(&ty),
    ];
    let value = def.call.call(&Args::new(&slots)).unwrap();
    assert_eq!(value.downcast_ref::<f64>(), Some(&9.0));

    let x = 5_i64;
    let value = <args>::DEF.call.call(&Args::new(&[Arg::Ref(&x)])).unwrap();
    assert_eq!(value.downcast_ref::<i64>(), Some(&5));
}
