#![doc = include_str!("../../docs/cli.md")]

mod args;
mod commands;
mod file;
mod parse;
mod show;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

pub use crate::cli_error::CliError;
use crate::node::NodeValue;
use crate::{DriverBuilder, Error};
use args::{Args, Command};

/// Runs the command line of the process (`std::env::args_os`) on `builder`: the short form of
/// [`Cli::new`]`(builder).`[`main`](Cli::main)`()`.
///
/// ```no_run
/// # let builder = hamilton_core::Driver::builder();
/// let code: std::process::ExitCode = hamilton_core::cli::main(builder);
/// ```
pub fn main(builder: DriverBuilder) -> ExitCode {
    Cli::new(builder).main()
}

/// Runs the command line `args` (the program's name first) on `builder`, writing to `out`: the
/// short form of [`Cli::new`]`(builder).`[`run`](Cli::run)`(args, out)`.
///
/// ```
/// use hamilton_core::{Driver, node::{Args, Node}};
/// let builder = Driver::builder()
///     .with_nodes([Node::builder("b").param::<f64>("a").build(|x: &Args| Ok(*x.get::<f64>(0)?))]);
/// let mut out = Vec::new();
/// hamilton_core::cli::run(builder, ["app", "validate"], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "ok: 1 node, 1 input, 0 config values\n");
/// ```
pub fn run(
    builder: DriverBuilder,
    args: impl IntoIterator<Item = impl Into<OsString>>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    Cli::new(builder).run(args, out)
}

/// What a parser given to [`Cli::parse_input`] returns when the text is not a value: any error
/// (`?` converts them), or a message (`Err("expected `x,y`".into())`).
///
/// ```
/// use hamilton_core::cli::ParseError;
/// let parse = |text: &str| -> Result<u8, ParseError> { Ok(text.parse::<u8>()?) };
/// assert_eq!(parse("300").unwrap_err().to_string(), "number too large to fit in target type");
/// ```
pub type ParseError = Box<dyn std::error::Error + Send + Sync>;

/// The command line of a dataflow binary: the user's driver builder, with parsers for input
/// types and ways to show output types beyond the built-in ones.
///
/// ```
/// use hamilton_core::{Driver, cli::Cli, node::{Args, Node}};
/// #[derive(Clone, Copy)]
/// struct Celsius(f64);
/// let builder = Driver::builder().with_nodes([Node::builder("fahrenheit").param::<Celsius>("temp")
///     .build(|a: &Args| Ok(Celsius(a.get::<Celsius>(0)?.0 * 9.0 / 5.0 + 32.0)))]);
/// let cli = Cli::new(builder)
///     .parse_input::<Celsius>(|text| Ok(Celsius(text.trim_end_matches('C').parse()?)))
///     .display_output::<Celsius>(|c| format!("{:.1}F", c.0));
/// let mut out = Vec::new();
/// cli.run(["app", "execute", "--output", "fahrenheit", "--input", "temp=100C"], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "fahrenheit = 212.0F\n");
/// ```
#[must_use]
pub struct Cli {
    builder: DriverBuilder,
    parsers: parse::Parsers,
    shows: show::Shows,
}

impl Cli {
    /// The command line over `builder`, with the built-in parsers and ways to show values.
    pub fn new(builder: DriverBuilder) -> Self {
        Self {
            builder,
            parsers: parse::Parsers::builtin(),
            shows: show::Shows::builtin(),
        }
    }

    /// Reads inputs of type `T` with `parse` (replacing the built-in parser of `T`, if any). It
    /// gets the text after `--input name=`, or a value of the file's `[inputs]` table: a
    /// string's content, other TOML values as TOML writes them (`[1, 2]`). Its error is shown
    /// with the input's name and type.
    ///
    /// ```
    /// use hamilton_core::{Driver, cli::Cli};
    /// struct Point(i32, i32);
    /// let cli = Cli::new(Driver::builder()).parse_input::<Point>(|text| {
    ///     let (x, y) = text.split_once(',').ok_or("expected `x,y`")?;
    ///     Ok(Point(x.trim().parse()?, y.trim().parse()?))
    /// });
    /// # drop(cli);
    /// ```
    pub fn parse_input<T: NodeValue>(
        mut self,
        parse: impl Fn(&str) -> Result<T, ParseError> + Send + Sync + 'static,
    ) -> Self {
        self.parsers.add(parse);
        self
    }

    /// Shows outputs of type `T` with `show` (replacing the built-in way, if any); `--json`
    /// gives that text as a JSON string. Outputs of a type with no way to show them are shown
    /// as their type name (`<DataFrame>`), `null` in JSON.
    ///
    /// ```
    /// use hamilton_core::{Driver, cli::Cli};
    /// struct Money(i64);
    /// let cli = Cli::new(Driver::builder()).display_output::<Money>(|m| format!("${}", m.0));
    /// # drop(cli);
    /// ```
    pub fn display_output<T: NodeValue>(
        mut self,
        show: impl Fn(&T) -> String + Send + Sync + 'static,
    ) -> Self {
        self.shows.add(show);
        self
    }

    /// Runs the command line of the process (`std::env::args_os`), printing to stdout; a
    /// problem is printed to stderr. Exits with 0 on success, 2 on a usage error (printed as
    /// clap prints it), 1 on any other error.
    ///
    /// ```no_run
    /// # let builder = hamilton_core::Driver::builder();
    /// let code: std::process::ExitCode = hamilton_core::cli::Cli::new(builder).main();
    /// ```
    pub fn main(self) -> ExitCode {
        let mut stdout = std::io::stdout().lock();
        match self.run(std::env::args_os(), &mut stdout) {
            Ok(()) => ExitCode::SUCCESS,
            Err(Error::Cli(e)) if matches!(*e, CliError::Usage(_)) => {
                if let CliError::Usage(usage) = &*e {
                    let _ = usage.print();
                }
                ExitCode::from(e.exit_code())
            }
            Err(e) => {
                let code = match &e {
                    Error::Cli(c) => c.exit_code(),
                    _ => 1,
                };
                eprintln!("error: {e:?}");
                ExitCode::from(code)
            }
        }
    }

    /// Runs the command line `args` (the program's name first), writing what the command
    /// prints to `out`. `--help` writes the help to `out`; a usage error is
    /// [`CliError::Usage`].
    ///
    /// ```
    /// use hamilton_core::{Driver, Error, cli::{Cli, CliError}};
    /// let err = Cli::new(Driver::builder()).run(["app", "frobnicate"], &mut Vec::new()).unwrap_err();
    /// assert!(matches!(err, Error::Cli(e) if matches!(*e, CliError::Usage(_))));
    /// let mut help = Vec::new();
    /// Cli::new(Driver::builder()).run(["app", "--help"], &mut help).unwrap();
    /// assert!(String::from_utf8(help).unwrap().contains("execute"));
    /// ```
    pub fn run(
        mut self,
        args: impl IntoIterator<Item = impl Into<OsString>>,
        out: &mut dyn Write,
    ) -> Result<(), Error> {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let parsed = Args::command()
            .try_get_matches_from(args)
            .and_then(|matches| Args::from_arg_matches(&matches));
        let args = match parsed {
            Ok(args) => args,
            Err(e) if e.exit_code() == 0 => {
                return out
                    .write_all(e.render().to_string().as_bytes())
                    .map_err(|e| CliError::Write(e).into());
            }
            Err(e) => return Err(CliError::Usage(e).into()),
        };
        match &args.command {
            Command::Validate(setup) => self.validate(setup, out),
            Command::List(list) => self.list(list, out),
            Command::Diagram(diagram) => self.diagram(diagram, out),
            Command::Execute(execute) => self.execute(execute, out),
            Command::Ui(ui) => self.ui(ui),
        }
    }
}
