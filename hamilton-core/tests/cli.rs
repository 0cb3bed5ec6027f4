//! The command line (`cli::run`) over a dataflow: each subcommand, and each way it can be
//! misused, reported as a typed error naming the flag, input or file and the fix.

use std::io::Write as _;

use hamilton_core::cli::{self, Cli, CliError};
use hamilton_core::{Config, Driver, DriverBuilder, Error};

/// The marketing dataflow.
pub mod marketing {
    use hamilton_core::node;

    hamilton_core::module!();

    /// Spend with negative values clipped to zero.
    ///
    /// Second paragraph.
    #[node(tag(owner = "growth", stage = "clean"))]
    pub fn clean_spend(spend: &[f64]) -> Vec<f64> {
        spend.iter().map(|x| x.max(0.0)).collect()
    }

    /// Total spend in `region`.
    #[node(tag(owner = "finance"))]
    pub fn total_spend(clean_spend: &[f64], region: &str) -> f64 {
        let _ = region;
        clean_spend.iter().sum()
    }

    /// Spend per signup.
    #[node(tag(owner = "growth"))]
    pub fn spend_per_signup(total_spend: &f64, signups: &u32, bonus: Option<&f64>) -> f64 {
        total_spend / f64::from(*signups) + bonus.copied().unwrap_or(0.0)
    }

    /// A label for the report.
    #[node]
    pub fn label(region: &str, initial: &char) -> String {
        format!("{initial}-{region}")
    }

    /// Where a point is.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Point(pub i32, pub i32);

    /// The point moved right by one.
    #[node]
    pub fn moved(origin: &Point) -> Point {
        Point(origin.0 + 1, origin.1)
    }
}

use marketing::Point;

fn builder() -> DriverBuilder {
    Driver::builder()
        .with_modules([marketing::MODULE])
        .with_config(Config::new().set("region", "UK"))
}

/// What `args` prints, or its error.
fn run_cli(cli: Cli, args: &[&str]) -> Result<String, Error> {
    let mut out = Vec::new();
    let mut argv = vec!["app"];
    argv.extend_from_slice(args);
    cli.run(argv, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn run(args: &[&str]) -> Result<String, Error> {
    run_cli(Cli::new(builder()), args)
}

fn cli_error(args: &[&str]) -> Box<CliError> {
    match run(args) {
        Err(Error::Cli(e)) => e,
        other => panic!("expected a command line error for {args:?}, got {other:?}"),
    }
}

fn toml_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

const SPEND: [&str; 6] = [
    "--input",
    "spend=10,-5,20",
    "--input",
    "signups=3",
    "--input",
    "initial=X",
];

// --- validate

#[test]
fn validate_prints_the_count_of_nodes_inputs_and_config_values() {
    assert_eq!(
        run(&["validate"]).unwrap(),
        "ok: 5 nodes, 5 inputs, 1 config value\n"
    );
}

#[test]
fn validate_reports_every_build_error_together() {
    let err = run(&["validate", "--set", "total_spend=1", "--set", "label=x"]).unwrap_err();
    assert_eq!(err.build_errors().len(), 2, "{err}");
    let text = err.to_string();
    assert!(text.contains("config key `total_spend` has the name of node `total_spend`"));
    assert!(text.contains("config key `label` has the name of node `label`"));
}

// --- list

#[test]
fn list_shows_kind_type_module_tags_and_first_doc_line() {
    let text = run(&["list"]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "KIND", "TYPE", "MODULE", "TAGS", "DOC"]
    );
    let row = |name: &str| {
        lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name} in\n{text}"))
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("clean_spend"),
        [
            "clean_spend",
            "function",
            "Vec<f64>",
            "cli::marketing",
            "owner=growth,stage=clean",
            "Spend with negative values clipped to zero."
        ]
    );
    assert_eq!(row("spend"), ["spend", "input", "Vec<f64>"]);
    assert_eq!(row("bonus"), ["bonus", "input?", "f64"]);
    assert_eq!(row("region"), ["region", "config", "String", "= UK"]);
}

#[test]
fn list_tag_filters_must_all_match() {
    let names = |args: &[&str]| {
        run(args)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&["list", "--tag", "owner=growth"]),
        ["clean_spend", "spend_per_signup"]
    );
    assert_eq!(
        names(&["list", "--tag", "owner=growth", "--tag", "stage=clean"]),
        ["clean_spend"]
    );
    assert_eq!(
        names(&["list", "--tag", "owner"]),
        ["clean_spend", "spend_per_signup", "total_spend"]
    );
    assert!(names(&["list", "--tag", "owner=nobody"]).is_empty());
}

#[test]
fn list_json_is_an_array_of_nodes() {
    let text = run(&["list", "--json"]).unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let bonus = rows.iter().find(|r| r["name"] == "bonus").unwrap();
    assert_eq!(
        (&bonus["kind"], &bonus["optional"]),
        (&serde_json::json!("input"), &serde_json::json!(true))
    );

    let text = run(&["list", "--json", "--tag", "owner=finance"]).unwrap();
    let rows: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([{
            "name": "total_spend",
            "kind": "function",
            "optional": false,
            "type": "f64",
            "module": "cli::marketing",
            "tags": {"owner": "finance"},
            "doc": "Total spend in `region`.",
        }])
    );
}

// --- diagram

#[test]
fn diagram_draws_the_whole_dataflow_in_dot_or_mermaid() {
    let dot = run(&["diagram"]).unwrap();
    assert!(dot.starts_with("digraph hamilton {"), "{dot}");
    assert!(dot.contains("\"clean_spend\" -> \"total_spend\""));
    let mermaid = run(&["diagram", "--format", "mermaid"]).unwrap();
    assert!(mermaid.starts_with("flowchart LR"), "{mermaid}");
}

#[test]
fn diagram_of_outputs_draws_only_what_they_need() {
    let dot = run(&["diagram", "--output", "label", "--input", "initial=X"]).unwrap();
    assert!(dot.contains("\"label\""), "{dot}");
    assert!(!dot.contains("\"clean_spend\""), "{dot}");
}

#[test]
fn diagram_out_writes_the_file_instead_of_printing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flow.mmd");
    let printed = run(&[
        "diagram",
        "--format",
        "mermaid",
        "--out",
        path.to_str().unwrap(),
    ])
    .unwrap();
    assert!(printed.is_empty());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("flowchart LR")
    );
}

#[test]
fn diagram_out_into_a_missing_folder_names_the_flag_and_path() {
    let err = cli_error(&["diagram", "--out", "/no/such/folder/flow.dot"]);
    assert!(matches!(
        *err,
        CliError::File {
            action: "write",
            flag: "--out",
            ..
        }
    ));
    assert!(
        err.to_string()
            .starts_with("cannot write file `/no/such/folder/flow.dot`: "),
        "{err}"
    );
}

#[test]
fn diagram_svg_draws_one_box_per_node_without_graphviz() {
    let svg = run(&["diagram", "--format", "svg"]).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    for node in ["clean_spend", "total_spend", "label"] {
        assert!(
            svg.contains(&format!(">{node}<")),
            "no box for `{node}`: {svg}"
        );
    }
    let only_label = run(&[
        "diagram",
        "--format",
        "svg",
        "--output",
        "label",
        "--input",
        "initial=X",
    ])
    .unwrap();
    assert!(only_label.contains(">label<") && !only_label.contains(">clean_spend<"));
}

#[test]
fn ui_on_a_missing_database_names_the_file_and_how_to_record_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("runs.sqlite");
    let err = run(&["ui", "--db", db.to_str().unwrap()]).unwrap_err();
    assert!(matches!(err, Error::TrackerRead { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("runs.sqlite") && text.contains("with_tracker"),
        "{text}"
    );
    assert!(!db.exists(), "reading must not create the database");
}

// --- execute

#[test]
fn execute_reads_each_input_as_the_type_the_dataflow_reads() {
    let mut args = vec![
        "execute",
        "--output",
        "spend_per_signup",
        "--output",
        "label",
    ];
    args.extend(SPEND);
    assert_eq!(run(&args).unwrap(), "spend_per_signup = 10\nlabel = X-UK\n");
}

#[test]
fn execute_json_prints_one_object_of_json_values() {
    let mut args = vec![
        "execute",
        "--json",
        "--output",
        "clean_spend",
        "--output",
        "spend_per_signup",
    ];
    args.extend(SPEND);
    let value: serde_json::Value = serde_json::from_str(&run(&args).unwrap()).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"clean_spend": [10.0, 0.0, 20.0], "spend_per_signup": 10.0})
    );
}

#[test]
fn an_optional_input_is_used_when_given_and_left_out_by_none() {
    let mut args = vec!["execute", "--output", "spend_per_signup"];
    args.extend(SPEND);
    let mut with_bonus = args.clone();
    with_bonus.extend(["--input", "bonus=0.5"]);
    assert_eq!(run(&with_bonus).unwrap(), "spend_per_signup = 10.5\n");
    args.extend(["--input", "bonus=none"]);
    assert_eq!(run(&args).unwrap(), "spend_per_signup = 10\n");
}

#[test]
fn a_toml_file_gives_config_inputs_and_outputs() {
    let file = toml_file(
        "outputs = [\"label\", \"clean_spend\"]\n[config]\nregion = \"FR\"\n[inputs]\ninitial = \"Y\"\nspend = [1.5, -2]\n",
    );
    let out = run(&["execute", "--config", file.path().to_str().unwrap()]).unwrap();
    assert_eq!(out, "label = Y-FR\nclean_spend = [1.5, 0.0]\n");
}

#[test]
fn command_line_flags_win_over_the_file() {
    let file = toml_file(
        "outputs = [\"clean_spend\"]\n[config]\nregion = \"FR\"\n[inputs]\ninitial = \"Y\"\n",
    );
    let out = run(&[
        "execute",
        "--config",
        file.path().to_str().unwrap(),
        "--output",
        "label",
        "--input",
        "initial=Z",
        "--set",
        "region=DE",
    ])
    .unwrap();
    assert_eq!(out, "label = Z-DE\n");
}

#[test]
fn registered_parsers_and_displays_serve_other_types() {
    let cli = Cli::new(builder())
        .parse_input::<Point>(|text| {
            let (x, y) = text.split_once(',').ok_or("expected `x,y`")?;
            Ok(Point(x.trim().parse()?, y.trim().parse()?))
        })
        .display_output::<Point>(|p| format!("({}, {})", p.0, p.1));
    let out = run_cli(
        cli,
        &["execute", "--output", "moved", "--input", "origin=1,2"],
    )
    .unwrap();
    assert_eq!(out, "moved = (2, 2)\n");
}

#[test]
fn an_output_of_a_type_without_display_shows_its_type_name() {
    let cli = Cli::new(builder()).parse_input::<Point>(|_| Ok(Point(0, 0)));
    let out = run_cli(
        cli,
        &["execute", "--output", "moved", "--input", "origin=."],
    )
    .unwrap();
    assert_eq!(out, "moved = <Point>\n");
}

/// The marketing dataflow with a node reading config `window` as a `usize`.
fn with_window() -> Cli {
    use hamilton_core::node::{Args, Node};
    Cli::new(
        builder().with_nodes([Node::builder("periods")
            .param::<usize>("window")
            .build(|a: &Args| Ok(a.get::<usize>(0)? * 2))]),
    )
}

#[test]
fn config_text_is_read_as_the_type_its_readers_read() {
    let out = run_cli(
        with_window(),
        &["execute", "--output", "periods", "--set", "window=3"],
    );
    assert_eq!(out.unwrap(), "periods = 6\n");
    let file = toml_file("[config]\nwindow = 4\n");
    let path = file.path().to_str().unwrap();
    let out = run_cli(
        with_window(),
        &["execute", "--output", "periods", "--config", path],
    );
    assert_eq!(out.unwrap(), "periods = 8\n");
}

#[test]
fn a_config_value_its_readers_cannot_read_names_the_key_the_node_and_the_type() {
    let err = run_cli(with_window(), &["validate", "--set", "window=-3"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "config value `window` from `--set`: node `periods` reads it as a `usize`, but `-3` is not one (invalid digit found in string); give a `usize`, e.g. `window=1`"
    );
}

#[test]
fn help_is_written_to_the_output() {
    let help = run(&["execute", "--help"]).unwrap();
    assert!(help.contains("--input <NAME=VALUE>"), "{help}");
}

// --- errors

#[test]
fn bad_input_text_names_the_input_its_type_and_an_example() {
    let err = cli_error(&["execute", "--output", "clean_spend", "--input", "spend=1,x"]);
    assert_eq!(
        err.to_string(),
        "input `spend` from `--input`: cannot read `1,x` as a `Vec<f64>` (invalid float literal); give a `Vec<f64>`, e.g. `spend=1.5,1.5`"
    );
}

#[test]
fn bad_input_in_the_file_names_the_inputs_table() {
    let file = toml_file("[inputs]\nsignups = -3\n");
    let err = cli_error(&[
        "execute",
        "--output",
        "spend_per_signup",
        "--config",
        file.path().to_str().unwrap(),
    ]);
    assert!(
        err.to_string().starts_with(
            "input `signups` from the file's `[inputs]` table: cannot read `-3` as a `u32`"
        ),
        "{err}"
    );
}

#[test]
fn a_missing_input_names_it_its_type_and_the_flag() {
    let err = cli_error(&["execute", "--output", "label"]);
    assert_eq!(
        err.to_string(),
        "missing input(s): `initial` (a `char`, needed by node `label`); give each with `--input name=value` or in the `[inputs]` table of the `--config` file"
    );
}

#[test]
fn an_input_type_without_parser_names_the_fix() {
    let err = cli_error(&["execute", "--output", "moved", "--input", "origin=1,2"]);
    assert_eq!(
        err.to_string(),
        "input `origin` is a `Point`, which the command line cannot parse from text; register a parser with `Cli::new(builder).parse_input::<Point>(|text| ..)`"
    );
}

#[test]
fn a_registered_parsers_error_is_reported_with_the_input() {
    let cli = Cli::new(builder()).parse_input::<Point>(|_| Err("expected `x,y`".into()));
    let err = run_cli(
        cli,
        &["execute", "--output", "moved", "--input", "origin=1"],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "input `origin` from `--input`: cannot read `1` as a `Point` (expected `x,y`); give a `Point` in the form its `parse_input` parser reads"
    );
}

#[test]
fn bad_toml_names_the_file_line_and_column() {
    let file = toml_file("[config]\nregion = \"UK\"\nwindow = \n");
    let err = cli_error(&["validate", "--config", file.path().to_str().unwrap()]);
    let text = err.to_string();
    assert!(matches!(*err, CliError::Toml { .. }));
    assert!(
        text.contains("is not valid TOML: TOML parse error at line 3"),
        "{text}"
    );
}

#[test]
fn a_missing_config_file_names_the_flag() {
    let err = cli_error(&["validate", "--config", "/no/such/run.toml"]);
    assert!(
        err.to_string()
            .starts_with("cannot read file `/no/such/run.toml`: "),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("; check the path given to `--config`")
    );
}

#[test]
fn an_unknown_output_is_the_drivers_did_you_mean_error() {
    let err = run(&["execute", "--output", "clean_spnd"]).unwrap_err();
    assert_eq!(
        err.request_errors()
            .first()
            .map(ToString::to_string)
            .as_deref(),
        Some("unknown output `clean_spnd`; did you mean `clean_spend`?")
    );
}

#[test]
fn names_that_are_no_inputs_are_refused_with_the_fix() {
    let err = cli_error(&["execute", "--output", "label", "--input", "intial=X"]);
    assert_eq!(
        err.to_string(),
        "`intial` is not an input of the dataflow; did you mean input `initial`?"
    );
    let err = cli_error(&["execute", "--output", "label", "--input", "region=FR"]);
    assert!(err.to_string().contains("set it with `--set region=..`"));
    let err = cli_error(&["execute", "--output", "label", "--input", "clean_spend=1"]);
    assert!(
        err.to_string()
            .contains("request it with `--output clean_spend`")
    );
}

#[test]
fn a_name_given_twice_on_the_command_line_is_refused() {
    let err = cli_error(&[
        "execute",
        "--output",
        "label",
        "--input",
        "initial=X",
        "--input",
        "initial=Y",
    ]);
    assert_eq!(
        err.to_string(),
        "`--input initial=..` is given twice, as `X` and as `Y`; give it once (the command line already overrides the file)"
    );
    let err = cli_error(&["validate", "--set", "region=A", "--set", "region=B"]);
    assert!(matches!(*err, CliError::GivenTwice { flag: "--set", .. }));
}

#[test]
fn execute_without_outputs_says_how_to_request_them() {
    let err = cli_error(&["execute"]);
    assert!(matches!(*err, CliError::NoOutputs));
}

#[test]
fn usage_errors_are_clap_errors_with_exit_code_2() {
    for args in [
        &["frobnicate"][..],
        &["execute", "--input", "initial"],
        &["diagram", "--input", "initial=X"],
        &["diagram", "--format", "png"],
        &["ui", "--db", "runs.sqlite", "--addr", "localhost"],
    ] {
        let err = cli_error(args);
        assert!(matches!(*err, CliError::Usage(_)), "{args:?}: {err}");
        assert_eq!(err.exit_code(), 2, "{args:?}");
    }
    let err = cli_error(&["execute", "--input", "initial"]);
    assert!(
        err.to_string()
            .contains("expected `name=value`, found no `=`; write `initial=<value>`"),
        "{err}"
    );
    let err = cli_error(&["diagram", "--input", "initial=X"]);
    assert!(err.to_string().contains("--output <NODE>"), "{err}");
}

#[test]
fn cli_run_is_the_short_form_of_cli_new_run() {
    let mut out = Vec::new();
    cli::run(builder(), ["app", "validate"], &mut out).unwrap();
    assert_eq!(out, b"ok: 5 nodes, 5 inputs, 1 config value\n");
}
