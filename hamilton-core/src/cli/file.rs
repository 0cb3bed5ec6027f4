//! The `--config` file: a TOML file with a `[config]` table, an `[inputs]` table and
//! `outputs = [..]`.

use std::path::Path;

use crate::cli_error::CliError;
use crate::{Config, Error};

/// What a `--config` file holds.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct RunFile {
    /// `[config]`: each value a string, integer, float or boolean.
    pub(crate) config: Vec<(String, toml::Value)>,
    /// `[inputs]`: each value read by the input's parser.
    pub(crate) inputs: Vec<(String, toml::Value)>,
    /// `outputs = [..]`.
    pub(crate) outputs: Vec<String>,
}

/// The TOML type of a value, for messages.
fn kind(value: &toml::Value) -> String {
    format!("a TOML {}", value.type_str())
}

impl RunFile {
    /// Reads and checks the file at `path`.
    pub(crate) fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| CliError::File {
                action: "read",
                flag: "--config",
                path: path.display().to_string(),
                source,
            })
            .map_err(Error::from)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Checks the TOML `text` of the file `path`.
    pub(crate) fn parse(path: &str, text: &str) -> Result<Self, Error> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| CliError::Toml {
                path: path.to_string(),
                message: e.to_string().trim_end().to_string(),
            })
            .map_err(Error::from)?;
        let shape = |key: &str, expected: &str, found: String, fix: &str| {
            Error::from(CliError::FileShape {
                path: path.to_string(),
                key: key.to_string(),
                expected: expected.to_string(),
                found,
                fix: fix.to_string(),
            })
        };
        let mut file = Self::default();
        for (key, value) in table {
            match (key.as_str(), value) {
                ("config", toml::Value::Table(t)) => {
                    for (name, v) in t {
                        if !is_scalar(&v) {
                            return Err(shape(
                                &format!("config.{name}"),
                                "a string, integer, float or boolean",
                                kind(&v),
                                "config values are scalars; give the value as one of those",
                            ));
                        }
                        file.config.push((name, v));
                    }
                }
                ("inputs", toml::Value::Table(t)) => file.inputs.extend(t),
                ("outputs", toml::Value::Array(a)) => {
                    for v in a {
                        match v {
                            toml::Value::String(s) => file.outputs.push(s),
                            other => {
                                return Err(shape(
                                    "outputs",
                                    "an array of node names (strings)",
                                    format!("an array holding {}", kind(&other)),
                                    "quote each name: `outputs = [\"a\", \"b\"]`",
                                ));
                            }
                        }
                    }
                }
                (key @ ("config" | "inputs"), other) => {
                    return Err(shape(
                        key,
                        "a table",
                        kind(&other),
                        &format!("write the values under a `[{key}]` header"),
                    ));
                }
                ("outputs", other) => {
                    return Err(shape(
                        "outputs",
                        "an array of node names",
                        kind(&other),
                        "write `outputs = [\"a\", \"b\"]`",
                    ));
                }
                (other, _) => {
                    return Err(shape(
                        other,
                        "one of `config`, `inputs`, `outputs`",
                        format!("the unknown key `{other}`"),
                        "remove it, or move it under `[config]` or `[inputs]`",
                    ));
                }
            }
        }
        Ok(file)
    }
}

fn is_scalar(value: &toml::Value) -> bool {
    matches!(
        value,
        toml::Value::String(_)
            | toml::Value::Integer(_)
            | toml::Value::Float(_)
            | toml::Value::Boolean(_)
    )
}

/// `config` with `key` set to a scalar TOML value as its TOML type: a string as `String`, an
/// integer as `i64`, a float as `f64`, a boolean as `bool`.
pub(crate) fn set_config(config: Config, key: &str, value: &toml::Value) -> Config {
    match value {
        toml::Value::Integer(i) => config.set(key, *i),
        toml::Value::Float(f) => config.set(key, *f),
        toml::Value::Boolean(b) => config.set(key, *b),
        toml::Value::String(s) => config.set(key, s.clone()),
        other => config.set(key, other.to_string()),
    }
}

/// The text of `--set key=text` as a TOML value: `3` an integer, `0.5` a float, `true` a
/// boolean, `"3"` the string `3`, anything else (`UK`) a string.
pub(crate) fn set_value(text: &str) -> toml::Value {
    match text.parse::<toml::Value>() {
        Ok(v) if is_scalar(&v) => v,
        _ => toml::Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_gives_config_inputs_and_outputs() {
        let file = RunFile::parse(
            "run.toml",
            "outputs = [\"b\", \"c\"]\n[config]\nregion = \"UK\"\nwindow = 3\n[inputs]\na = 1.5\n",
        )
        .unwrap();
        assert_eq!(file.outputs, ["b", "c"]);
        assert_eq!(
            file.config,
            [
                ("region".to_string(), toml::Value::String("UK".into())),
                ("window".to_string(), toml::Value::Integer(3))
            ]
        );
        assert_eq!(file.inputs, [("a".to_string(), toml::Value::Float(1.5))]);
    }

    #[test]
    fn invalid_toml_names_the_file_line_and_column() {
        let err = RunFile::parse("run.toml", "[config]\nregion = UK\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("config file `run.toml` is not valid TOML"),
            "{text}"
        );
        assert!(text.contains("line 2, column 10"), "{text}");
    }

    #[test]
    fn an_unknown_top_level_key_is_named_with_the_fix() {
        let err = RunFile::parse("run.toml", "output = [\"b\"]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "config file `run.toml`, `output`: expected one of `config`, `inputs`, `outputs`, found the unknown key `output`; remove it, or move it under `[config]` or `[inputs]`"
        );
    }

    #[test]
    fn a_config_array_and_unquoted_outputs_are_refused() {
        let err = RunFile::parse("f.toml", "[config]\nxs = [1]\n").unwrap_err();
        assert!(err.to_string().contains(
            "`config.xs`: expected a string, integer, float or boolean, found a TOML array"
        ));
        let err = RunFile::parse("f.toml", "outputs = [1]\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("found an array holding a TOML integer")
        );
        let err = RunFile::parse("f.toml", "outputs = \"b\"\n").unwrap_err();
        assert!(err.to_string().contains("found a TOML string"));
    }

    #[test]
    fn config_values_keep_their_toml_types() {
        let c = [
            ("s", toml::Value::String("UK".into())),
            ("i", toml::Value::Integer(3)),
            ("f", toml::Value::Float(0.5)),
            ("b", toml::Value::Boolean(true)),
        ]
        .iter()
        .fold(Config::new(), |c, (k, v)| set_config(c, k, v));
        assert_eq!(c.get_str("s"), Some("UK"));
        assert_eq!(c.get::<i64>("i"), Some(&3));
        assert_eq!(c.get::<f64>("f"), Some(&0.5));
        assert_eq!(c.get::<bool>("b"), Some(&true));
    }

    #[test]
    fn set_text_is_typed_like_a_toml_value() {
        assert_eq!(set_value("3"), toml::Value::Integer(3));
        assert_eq!(set_value("0.5"), toml::Value::Float(0.5));
        assert_eq!(set_value("true"), toml::Value::Boolean(true));
        assert_eq!(set_value("\"3\""), toml::Value::String("3".into()));
        assert_eq!(set_value("UK"), toml::Value::String("UK".into()));
        assert_eq!(
            set_value("2024-01-01"),
            toml::Value::String("2024-01-01".into())
        );
    }
}
