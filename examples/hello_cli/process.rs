//! The `hello_cli` binary run as a process: what it prints, and its exit codes.

use std::process::{Command, Output};

fn hello_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hello_cli"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn execute_prints_the_outputs_and_exits_with_0() {
    let output = hello_cli(&[
        "execute",
        "--output",
        "receipt",
        "--input",
        "name=Ada",
        "--input",
        "prices=1.5,2.5",
        "--input",
        "quantity=2",
        "--input",
        "discount=0.25",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "receipt = Hello Ada, you owe 6.00\n");
}

#[test]
fn the_order_file_runs_with_config_set_on_the_command_line() {
    let output = hello_cli(&[
        "execute",
        "--config",
        "hello_cli/order.toml",
        "--set",
        "language=fr",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"receipt": "Bonjour Ada, you owe 6.00", "discounted": 6.0})
    );
}

#[test]
fn a_bad_input_is_printed_to_stderr_with_exit_code_1() {
    let output = hello_cli(&[
        "execute",
        "--output",
        "total",
        "--input",
        "prices=1.5",
        "--input",
        "quantity=two",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert_eq!(
        stderr(&output),
        "error: input `quantity` from `--input`: cannot read `two` as a `u32` (invalid digit found in string); give a `u32`, e.g. `quantity=32`\n"
    );
}

#[test]
fn a_usage_error_is_printed_by_clap_with_exit_code_2() {
    let output = hello_cli(&["execute", "--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("unexpected argument '--frobnicate'"),
        "{text}"
    );
    assert!(text.contains("Usage: hello_cli execute"), "{text}");
}

#[test]
fn validate_and_list_describe_the_dataflow() {
    let output = hello_cli(&["validate"]);
    assert_eq!(stdout(&output), "ok: 4 nodes, 4 inputs, 1 config value\n");
    let output = hello_cli(&["list", "--tag", "stage=text"]);
    let text = stdout(&output);
    let names: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["greeting", "receipt"]);
}
