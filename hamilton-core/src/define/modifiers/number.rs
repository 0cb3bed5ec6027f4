//! Numbers written without a type suffix (`value(10)`, `value(2.5)`) in a sub-dataflow's inputs:
//! typed when the graph is built, by the parameter that reads them.

use std::fmt;

use super::Binding;
use crate::types::TypeInfo;

/// A number literal without a type suffix, bound to a sub-dataflow's input
/// ([`Subdag::input_number`](super::Subdag::input_number), what `subdag(inputs(k = value(10)))`
/// generates): it takes the type of the parameter that reads it, as a literal does in Rust. An
/// integer fits any integer type whose range holds it; a float is an `f64` or `f32`.
///
/// ```
/// use hamilton_core::modifiers::Number;
/// assert_eq!(Number::Int(10).to_string(), "10");
/// assert_eq!(Number::Float(2.5).to_string(), "2.5");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// An integer literal (`10`, `-3`).
    Int(i128),
    /// A float literal (`2.5`, `1e3`).
    Float(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x:?}"),
        }
    }
}

impl Number {
    /// The number as a value of type `ty`, or what is wrong (for a message naming the input).
    pub(crate) fn binding_for(self, ty: TypeInfo) -> Result<Binding, String> {
        let id = ty.id();
        macro_rules! ints {
            ($i:expr, $($t:ty),*) => {
                $(if id == std::any::TypeId::of::<$t>() {
                    return <$t>::try_from($i).map(Binding::value).map_err(|_| {
                        format!(
                            "{} does not fit in a `{}` ({}..={})",
                            $i,
                            stringify!($t),
                            <$t>::MIN,
                            <$t>::MAX
                        )
                    });
                })*
            };
        }
        match self {
            Number::Int(i) => {
                ints!(
                    i, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
                );
                Err(format!(
                    "an integer literal cannot be read as `{}`; give a value of that type (a float is written `10.0`)",
                    ty.name()
                ))
            }
            Number::Float(x) => {
                if id == std::any::TypeId::of::<f64>() {
                    Ok(Binding::value(x))
                } else if id == std::any::TypeId::of::<f32>() {
                    Ok(Binding::value(x as f32))
                } else {
                    Err(format!(
                        "a float literal cannot be read as `{}`; give a value of that type",
                        ty.name()
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_take_the_readers_integer_type_within_its_range() {
        let b = Number::Int(10).binding_for(TypeInfo::of::<u8>()).unwrap();
        assert_eq!(b.to_string(), "value(10)");
        let err = Number::Int(300)
            .binding_for(TypeInfo::of::<u8>())
            .unwrap_err();
        assert_eq!(err, "300 does not fit in a `u8` (0..=255)");
        let err = Number::Int(-1)
            .binding_for(TypeInfo::of::<usize>())
            .unwrap_err();
        assert!(err.starts_with("-1 does not fit in a `usize`"), "{err}");
    }

    #[test]
    fn floats_take_f64_or_f32_and_nothing_else_converts() {
        let b = Number::Float(2.5)
            .binding_for(TypeInfo::of::<f32>())
            .unwrap();
        assert_eq!(b.to_string(), "value(2.5)");
        let err = Number::Float(2.5)
            .binding_for(TypeInfo::of::<i64>())
            .unwrap_err();
        assert_eq!(
            err,
            "a float literal cannot be read as `i64`; give a value of that type"
        );
        let err = Number::Int(2)
            .binding_for(TypeInfo::of::<f64>())
            .unwrap_err();
        assert!(
            err.starts_with("an integer literal cannot be read as `f64`"),
            "{err}"
        );
    }
}
