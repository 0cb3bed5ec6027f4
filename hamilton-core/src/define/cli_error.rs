//! The command line's own problems (feature `cli`): a flag, an input's text or a TOML file that
//! cannot be used.

/// A problem of the command line ([`hamilton_core::cli`](crate::cli)), carried by
/// [`Error::Cli`](crate::Error::Cli). Each message names the flag, input or file, what was
/// expected, what was found, and the fix.
///
/// ```
/// use hamilton_core::cli::CliError;
/// let e = CliError::NoParser { input: "point".into(), ty: "Point".into() };
/// assert!(e.to_string().contains(".parse_input::<Point>("));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The arguments do not match the command line's grammar (or ask for help): clap's own
    /// message, printed as clap prints it.
    #[error("{}", .0.render())]
    Usage(clap::Error),
    /// An input's text does not parse as the type the dataflow reads it as.
    #[error(
        "input `{input}` from {origin}: cannot read `{text}` as a `{ty}` ({message}); give a `{ty}`{}",
        match .example {
            Some(e) => format!(", e.g. `{input}={e}`"),
            None => " in the form its `parse_input` parser reads".to_string(),
        }
    )]
    BadInput {
        /// The input.
        input: String,
        /// Where the text came from: `--input`, or the file's `[inputs]` table.
        origin: String,
        /// The type the dataflow reads it as.
        ty: String,
        /// The text given.
        text: String,
        /// What the parser reported.
        message: String,
        /// A text that parses as the type (for the built-in parsers).
        example: Option<String>,
    },
    /// A config value's text does not parse as the type the dataflow reads it as.
    #[error(
        "config value `{key}` from {origin}: node `{consumer}` reads it as a `{ty}`, but `{text}` is not one ({message}); give a `{ty}`{}",
        match .example {
            Some(e) => format!(", e.g. `{key}={e}`"),
            None => String::new(),
        }
    )]
    BadConfig {
        /// The config key.
        key: String,
        /// Where the text came from: `--set`, or the file's `[config]` table.
        origin: String,
        /// A node reading it.
        consumer: String,
        /// The type that node reads it as.
        ty: String,
        /// The text given.
        text: String,
        /// What the parser reported.
        message: String,
        /// A text that parses as the type.
        example: Option<String>,
    },
    /// An input's type has no parser.
    #[error(
        "input `{input}` is a `{ty}`, which the command line cannot parse from text; register a parser with `Cli::new(builder).parse_input::<{ty}>(|text| ..)`"
    )]
    NoParser {
        /// The input.
        input: String,
        /// Its type.
        ty: String,
    },
    /// A name given as an input that is no input of the dataflow.
    #[error(
        "`{name}` is not an input of the dataflow{}",
        match .suggestion {
            Some(s) => format!("; did you mean input `{s}`?"),
            None => "; list the inputs with the `list` command".to_string(),
        }
    )]
    UnknownInput {
        /// The name given.
        name: String,
        /// The closest input name.
        suggestion: Option<String>,
    },
    /// A name given as an input that is a config key.
    #[error(
        "`{name}` is a config key, not an input; set it with `--set {name}=..` or in the file's `[config]` table"
    )]
    InputIsConfig {
        /// The name given.
        name: String,
    },
    /// A name given as an input that a node computes.
    #[error(
        "`{name}` is computed by a node, not an input; request it with `--output {name}` instead"
    )]
    InputIsComputed {
        /// The name given.
        name: String,
    },
    /// Required inputs of the requested outputs were not given.
    #[error(
        "missing input(s): {}; give each with `--input name=value` or in the `[inputs]` table of the `--config` file",
        .missing.iter().map(|(name, ty, needed_by)| format!("`{name}` (a `{ty}`, needed by {needed_by})")).collect::<Vec<_>>().join(", ")
    )]
    MissingInputs {
        /// Each missing input: its name, type, and the nodes needing it.
        missing: Vec<(String, String, String)>,
    },
    /// A name set twice on the command line.
    #[error(
        "`{flag} {name}=..` is given twice, as `{first}` and as `{second}`; give it once (the command line already overrides the file)"
    )]
    GivenTwice {
        /// `--input` or `--set`.
        flag: &'static str,
        /// The name.
        name: String,
        /// The first text.
        first: String,
        /// The second text.
        second: String,
    },
    /// Nothing to compute.
    #[error(
        "no output requested; give `--output <name>` (repeatable) or `outputs = [..]` in the `--config` file"
    )]
    NoOutputs,
    /// A file that cannot be read or written.
    #[error("cannot {action} file `{path}`: {source}; check the path given to `{flag}`")]
    File {
        /// `read` or `write`.
        action: &'static str,
        /// The flag naming the file.
        flag: &'static str,
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A `--config` file that is not valid TOML.
    #[error("config file `{path}` is not valid TOML: {message}")]
    Toml {
        /// The path.
        path: String,
        /// The parser's message, with the line and column.
        message: String,
    },
    /// A `--config` file whose TOML does not have the expected shape.
    #[error("config file `{path}`, `{key}`: expected {expected}, found {found}; {fix}")]
    FileShape {
        /// The path.
        path: String,
        /// The key (`config.window`, `outputs`, ...).
        key: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
        /// How to fix it.
        fix: String,
    },
    /// The output of the command could not be written.
    #[error("cannot write the command's output: {0}")]
    Write(#[source] std::io::Error),
    /// A command that needs a feature of hamilton-core that is not enabled.
    #[error(
        "`{command}` needs hamilton-core's `{feature}` feature; enable it in Cargo.toml: `hamilton-core = {{ features = [\"cli\", \"{feature}\"] }}`"
    )]
    FeatureOff {
        /// The command (`ui`, `diagram --format svg`).
        command: &'static str,
        /// The feature to enable.
        feature: &'static str,
    },
}

impl CliError {
    /// The process exit code for this problem: clap's own for usage errors and help (2, or 0
    /// for `--help`), 1 otherwise.
    ///
    /// ```
    /// assert_eq!(hamilton_core::cli::CliError::NoOutputs.exit_code(), 1);
    /// ```
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(e) => u8::try_from(e.exit_code()).unwrap_or(2),
            _ => 1,
        }
    }
}
