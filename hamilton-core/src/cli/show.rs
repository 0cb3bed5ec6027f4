//! Outputs as text or JSON: built in for the standard scalars and for `Option` and `Vec` of
//! them, and added with [`Cli::display_output`](super::Cli::display_output).

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::node::{NodeValue, Value};

type TextFn = dyn Fn(&Value) -> Option<String> + Send + Sync;
type JsonFn = dyn Fn(&Value) -> Option<Json> + Send + Sync;

/// How to show one type.
struct Show {
    text: Arc<TextFn>,
    /// For the built-in types; others are shown in JSON as their text.
    json: Option<Arc<JsonFn>>,
}

/// The ways to show outputs, by type.
pub(crate) struct Shows {
    by_type: HashMap<TypeId, Show>,
}

/// A JSON value of a scalar.
trait ToJson {
    fn to_json(&self) -> Json;
}

macro_rules! to_json_via_from {
    ($($t:ty),*) => {
        $(impl ToJson for $t {
            fn to_json(&self) -> Json {
                Json::from(self.clone())
            }
        })*
    };
}

to_json_via_from!(
    i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, bool, String
);

impl ToJson for char {
    fn to_json(&self) -> Json {
        Json::from(self.to_string())
    }
}

impl ToJson for PathBuf {
    fn to_json(&self) -> Json {
        Json::from(self.display().to_string())
    }
}

/// Shows a scalar by `Display` (a path by its `display()`).
trait ToText {
    fn to_text(&self) -> String;
}

macro_rules! to_text_via_display {
    ($($t:ty),*) => {
        $(impl ToText for $t {
            fn to_text(&self) -> String {
                self.to_string()
            }
        })*
    };
}

to_text_via_display!(
    i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, bool, String, char
);

impl ToText for PathBuf {
    fn to_text(&self) -> String {
        self.display().to_string()
    }
}

impl Shows {
    /// The built-in ways: scalars by `Display`, `Option<T>` as the value or `none`, `Vec<T>` as
    /// a list (`[1, 2]`); in JSON as numbers, booleans, strings, `null` and arrays.
    pub(crate) fn builtin() -> Self {
        let mut shows = Self {
            by_type: HashMap::new(),
        };
        macro_rules! builtin {
            ($($t:ty),*) => {
                $(shows.add_builtin::<$t>();)*
            };
        }
        builtin!(
            i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, bool, String, char,
            PathBuf
        );
        shows
    }

    fn add_builtin<T: NodeValue + ToText + ToJson + Debug>(&mut self) {
        self.insert::<T>(|v: &T| v.to_text(), |v: &T| v.to_json());
        self.insert::<Option<T>>(
            |v: &Option<T>| v.as_ref().map_or_else(|| "none".to_string(), T::to_text),
            |v: &Option<T>| v.as_ref().map_or(Json::Null, T::to_json),
        );
        self.insert::<Vec<T>>(
            |v: &Vec<T>| format!("{v:?}"),
            |v: &Vec<T>| Json::Array(v.iter().map(T::to_json).collect()),
        );
    }

    fn insert<T: NodeValue>(
        &mut self,
        text: impl Fn(&T) -> String + Send + Sync + 'static,
        json: impl Fn(&T) -> Json + Send + Sync + 'static,
    ) {
        let show = Show {
            text: Arc::new(move |v: &Value| v.downcast_ref::<T>().map(&text)),
            json: Some(Arc::new(move |v: &Value| v.downcast_ref::<T>().map(&json))),
        };
        self.by_type.insert(TypeId::of::<T>(), show);
    }

    /// Adds (or replaces) how `T` is shown; in JSON it is shown as that text.
    pub(crate) fn add<T: NodeValue>(
        &mut self,
        show: impl Fn(&T) -> String + Send + Sync + 'static,
    ) {
        let show = Show {
            text: Arc::new(move |v: &Value| v.downcast_ref::<T>().map(&show)),
            json: None,
        };
        self.by_type.insert(TypeId::of::<T>(), show);
    }

    /// The value as text; a value of a type with no way to show it as its type name in angle
    /// brackets (`<DataFrame>`).
    pub(crate) fn text(&self, value: &Value) -> String {
        self.by_type
            .get(&value.type_id())
            .and_then(|s| (s.text)(value))
            .unwrap_or_else(|| format!("<{}>", value.type_name()))
    }

    /// The value as JSON: the built-in types as JSON values, types shown by the user as their
    /// text, others as `null`.
    pub(crate) fn json(&self, value: &Value) -> Json {
        match self.by_type.get(&value.type_id()) {
            Some(Show {
                json: Some(json), ..
            }) => json(value),
            Some(Show { text, .. }) => text(value).map(Json::from),
            None => None,
        }
        .unwrap_or(Json::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_show_by_display_and_as_json_values() {
        let shows = Shows::builtin();
        assert_eq!(shows.text(&Value::new(2.5_f64)), "2.5");
        assert_eq!(shows.text(&Value::new("UK")), "UK");
        assert_eq!(shows.json(&Value::new(3_u8)), serde_json::json!(3));
        assert_eq!(shows.json(&Value::new(true)), serde_json::json!(true));
        assert_eq!(shows.json(&Value::new('x')), serde_json::json!("x"));
        assert_eq!(
            shows.json(&Value::new(PathBuf::from("a/b.csv"))),
            serde_json::json!("a/b.csv")
        );
    }

    #[test]
    fn options_and_vecs_show_their_items() {
        let shows = Shows::builtin();
        assert_eq!(shows.text(&Value::new(None::<i64>)), "none");
        assert_eq!(shows.text(&Value::new(Some(4_i64))), "4");
        assert_eq!(shows.json(&Value::new(None::<i64>)), Json::Null);
        assert_eq!(shows.text(&Value::new(vec![1_i32, 2])), "[1, 2]");
        assert_eq!(
            shows.json(&Value::new(vec!["a".to_string()])),
            serde_json::json!(["a"])
        );
    }

    #[test]
    fn other_types_show_their_type_name_until_given_a_display() {
        struct Report(u32);
        let mut shows = Shows::builtin();
        assert_eq!(shows.text(&Value::new(Report(3))), "<Report>");
        assert_eq!(shows.json(&Value::new(Report(3))), Json::Null);
        shows.add::<Report>(|r| format!("{} rows", r.0));
        assert_eq!(shows.text(&Value::new(Report(3))), "3 rows");
        assert_eq!(
            shows.json(&Value::new(Report(3))),
            serde_json::json!("3 rows")
        );
    }
}
