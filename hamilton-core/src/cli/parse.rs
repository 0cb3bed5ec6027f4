//! Inputs from text: a parser per type, built in for the standard scalars and for `Option` and
//! `Vec` of them, and added with [`Cli::parse_input`](super::Cli::parse_input).

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt::Display;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use crate::Config;
use crate::node::{NodeValue, Value};
use crate::value::short_type_name;

/// An input's value as given: text from the command line, or a value of the TOML file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Raw {
    /// `--input name=text`.
    Text(String),
    /// `name = value` in the file's `[inputs]` table.
    Toml(toml::Value),
}

impl Raw {
    /// The value as text: a TOML string's content, other TOML values as TOML writes them.
    pub(crate) fn text(&self) -> String {
        match self {
            Self::Text(s) | Self::Toml(toml::Value::String(s)) => s.clone(),
            Self::Toml(v) => v.to_string(),
        }
    }
}

type ParseFn = dyn Fn(&Raw) -> Result<Value, String> + Send + Sync;

/// How to read one type.
struct Parser {
    parse: Arc<ParseFn>,
    /// A text that parses, for messages; `None` for parsers added by the user.
    example: Option<String>,
    /// For the built-in types: the type's name, and how to set a config value of it.
    config: Option<(&'static str, SetConfig)>,
}

/// Sets a config key to a value (of the parser's type).
pub(crate) type SetConfig = fn(Config, &str, Value) -> Config;

/// `config` with `key` set to `value` if it is a `T` (it is: it comes from `T`'s parser).
fn set_config_as<T: NodeValue + Clone>(config: Config, key: &str, value: Value) -> Config {
    match value.downcast::<T>() {
        Ok(v) => config.set(key, v),
        Err(_) => config,
    }
}

/// The parsers, by the type they produce.
pub(crate) struct Parsers {
    by_type: HashMap<TypeId, Parser>,
}

/// Why a value could not be parsed.
#[derive(Debug, PartialEq)]
pub(crate) enum ParseFailure {
    /// No parser for the type.
    NoParser,
    /// The parser refused the text.
    Invalid {
        /// What the parser reported.
        message: String,
        /// A text that parses.
        example: Option<String>,
    },
}

/// One scalar from text, by `FromStr`.
fn scalar<T: FromStr>(text: &str) -> Result<T, String>
where
    T::Err: Display,
{
    text.trim().parse::<T>().map_err(|e| e.to_string())
}

/// The text `none` (any case) or nothing: an absent optional value.
pub(crate) fn is_none(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t.eq_ignore_ascii_case("none")
}

/// The items of a list: a TOML array (`[1, 2]`, in the file or as text), or comma-separated text.
fn items(raw: &Raw) -> Result<Vec<String>, String> {
    let array = match raw {
        Raw::Toml(toml::Value::Array(a)) => Some(a.clone()),
        Raw::Text(t) if t.trim_start().starts_with('[') => match t.parse::<toml::Value>() {
            Ok(toml::Value::Array(a)) => Some(a),
            _ => return Err(format!("`{t}` is not a TOML array")),
        },
        _ => None,
    };
    Ok(match array {
        Some(a) => a.into_iter().map(|v| Raw::Toml(v).text()).collect(),
        None => {
            let text = raw.text();
            if text.trim().is_empty() {
                Vec::new()
            } else {
                text.split(',').map(|s| s.trim().to_string()).collect()
            }
        }
    })
}

impl Parsers {
    /// The built-in parsers: integers, floats, `bool`, `String`, `char`, `PathBuf`, and
    /// `Option<T>` and `Vec<T>` of each.
    pub(crate) fn builtin() -> Self {
        let mut parsers = Self {
            by_type: HashMap::new(),
        };
        macro_rules! builtin {
            ($($t:ty => $example:expr),* $(,)?) => {
                $(parsers.add_builtin::<$t>($example);)*
            };
        }
        builtin!(
            i8 => "-8", i16 => "-16", i32 => "-32", i64 => "-64", isize => "-1",
            u8 => "8", u16 => "16", u32 => "32", u64 => "64", usize => "1",
            f32 => "1.5", f64 => "1.5", bool => "true", String => "text", char => "x",
            PathBuf => "data/file.csv",
        );
        parsers
    }

    /// A built-in parser for `T`, `Option<T>` and `Vec<T>`.
    fn add_builtin<T>(&mut self, example: &str)
    where
        T: NodeValue + FromStr + Clone,
        T::Err: Display,
    {
        self.insert::<T>(
            |raw| scalar::<T>(&raw.text()).map(Value::new),
            example.to_string(),
        );
        self.insert::<Option<T>>(
            |raw| {
                let text = raw.text();
                if is_none(&text) {
                    return Ok(Value::new(None::<T>));
                }
                scalar::<T>(&text).map(|v| Value::new(Some(v)))
            },
            example.to_string(),
        );
        self.insert::<Vec<T>>(
            |raw| {
                items(raw)?
                    .iter()
                    .map(|item| scalar::<T>(item))
                    .collect::<Result<Vec<T>, String>>()
                    .map(Value::new)
            },
            format!("{example},{example}"),
        );
    }

    fn insert<T: NodeValue + Clone>(
        &mut self,
        parse: impl Fn(&Raw) -> Result<Value, String> + Send + Sync + 'static,
        example: String,
    ) {
        let name = short_type_name(std::any::type_name::<T>());
        let parser = Parser {
            parse: Arc::new(parse),
            example: Some(example),
            config: Some((name, set_config_as::<T> as SetConfig)),
        };
        self.by_type.insert(TypeId::of::<T>(), parser);
    }

    /// Adds (or replaces) the parser of `T`: `parse` reads the text of an input (a TOML value of
    /// the file as TOML writes it, a string as its content).
    pub(crate) fn add<T, E>(&mut self, parse: impl Fn(&str) -> Result<T, E> + Send + Sync + 'static)
    where
        T: NodeValue,
        E: Display,
    {
        let parser = Parser {
            parse: Arc::new(move |raw: &Raw| {
                parse(&raw.text())
                    .map(Value::new)
                    .map_err(|e| e.to_string())
            }),
            example: None,
            config: None,
        };
        self.by_type.insert(TypeId::of::<T>(), parser);
    }

    /// `raw` read as the built-in type named `ty` (as the graph names types: `usize`,
    /// `Vec<f64>`), and how to set a config value of that type; `None` if no built-in type
    /// has that name.
    pub(crate) fn parse_named(
        &self,
        ty: &str,
        raw: &Raw,
    ) -> Option<(Result<Value, ParseFailure>, SetConfig)> {
        self.by_type.iter().find_map(|(id, p)| match p.config {
            Some((name, set)) if name == ty => Some((self.parse(*id, raw), set)),
            _ => None,
        })
    }

    /// `raw` read as the type `ty`.
    pub(crate) fn parse(&self, ty: TypeId, raw: &Raw) -> Result<Value, ParseFailure> {
        let parser = self.by_type.get(&ty).ok_or(ParseFailure::NoParser)?;
        (parser.parse)(raw).map_err(|message| ParseFailure::Invalid {
            message,
            example: parser.example.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: NodeValue + Clone>(raw: Raw) -> Result<T, ParseFailure> {
        Parsers::builtin()
            .parse(TypeId::of::<T>(), &raw)
            .map(|v| v.downcast::<T>().unwrap())
    }

    fn text(s: &str) -> Raw {
        Raw::Text(s.to_string())
    }

    #[test]
    fn scalars_parse_from_their_text() {
        assert_eq!(parse::<i64>(text("-42")).unwrap(), -42);
        assert_eq!(parse::<u8>(text(" 7 ")).unwrap(), 7);
        assert_eq!(parse::<f64>(text("2.5")).unwrap(), 2.5);
        assert!(parse::<bool>(text("true")).unwrap());
        assert_eq!(parse::<char>(text("x")).unwrap(), 'x');
        assert_eq!(parse::<String>(text("UK")).unwrap(), "UK");
        assert_eq!(
            parse::<PathBuf>(text("data/a.csv")).unwrap(),
            PathBuf::from("data/a.csv")
        );
    }

    #[test]
    fn bad_text_reports_the_parsers_message_and_an_example() {
        let Err(ParseFailure::Invalid { message, example }) = parse::<u8>(text("300")) else {
            panic!("300 is no u8");
        };
        assert_eq!(message, "number too large to fit in target type");
        assert_eq!(example.as_deref(), Some("8"));
    }

    #[test]
    fn option_reads_none_and_empty_text_as_absent() {
        assert_eq!(parse::<Option<i32>>(text("none")).unwrap(), None);
        assert_eq!(parse::<Option<i32>>(text("None")).unwrap(), None);
        assert_eq!(parse::<Option<i32>>(text("")).unwrap(), None);
        assert_eq!(parse::<Option<i32>>(text("3")).unwrap(), Some(3));
        assert!(parse::<Option<i32>>(text("three")).is_err());
    }

    #[test]
    fn vec_reads_comma_separated_text_and_toml_arrays() {
        assert_eq!(parse::<Vec<i64>>(text("1, 2,3")).unwrap(), [1, 2, 3]);
        assert_eq!(parse::<Vec<i64>>(text("[4, 5]")).unwrap(), [4, 5]);
        assert_eq!(parse::<Vec<i64>>(text("")).unwrap(), Vec::<i64>::new());
        let array = toml::Value::Array(vec!["a".into(), "b".into()]);
        assert_eq!(parse::<Vec<String>>(Raw::Toml(array)).unwrap(), ["a", "b"]);
        assert!(parse::<Vec<i64>>(text("1,x")).is_err());
    }

    #[test]
    fn toml_values_are_read_through_their_text() {
        assert_eq!(
            parse::<u16>(Raw::Toml(toml::Value::Integer(12))).unwrap(),
            12
        );
        assert_eq!(
            parse::<f32>(Raw::Toml(toml::Value::Float(0.5))).unwrap(),
            0.5
        );
        assert_eq!(
            parse::<String>(Raw::Toml(toml::Value::String("UK".into()))).unwrap(),
            "UK"
        );
        assert!(parse::<u8>(Raw::Toml(toml::Value::Integer(-1))).is_err());
    }

    #[test]
    fn a_built_in_type_is_found_by_its_name_for_config_values() {
        let parsers = Parsers::builtin();
        let (value, set) = parsers.parse_named("usize", &text("3")).unwrap();
        let config = set(Config::new(), "window", value.unwrap());
        assert_eq!(config.get::<usize>("window"), Some(&3));
        let (value, _) = parsers.parse_named("Vec<u8>", &text("1,2")).unwrap();
        assert_eq!(value.unwrap().downcast_ref::<Vec<u8>>(), Some(&vec![1, 2]));
        assert!(
            parsers
                .parse_named("usize", &text("-3"))
                .unwrap()
                .0
                .is_err()
        );
        assert!(parsers.parse_named("Window", &text("3")).is_none());
    }

    #[test]
    fn an_added_parser_reads_its_type_and_reports_its_errors() {
        #[derive(Debug, Clone, PartialEq)]
        struct Point(i32, i32);
        let mut parsers = Parsers::builtin();
        assert_eq!(
            parsers
                .parse(TypeId::of::<Point>(), &text("1,2"))
                .unwrap_err(),
            ParseFailure::NoParser
        );
        parsers.add::<Point, String>(|s| {
            let (x, y) = s.split_once(',').ok_or("expected `x,y`")?;
            Ok(Point(scalar(x)?, scalar(y)?))
        });
        let v = parsers.parse(TypeId::of::<Point>(), &text("1,2")).unwrap();
        assert_eq!(v.downcast_ref::<Point>(), Some(&Point(1, 2)));
        assert_eq!(
            parsers
                .parse(TypeId::of::<Point>(), &text("1"))
                .unwrap_err(),
            ParseFailure::Invalid {
                message: "expected `x,y`".into(),
                example: None
            }
        );
    }
}
