//! Compile-pass and compile-fail tests of `#[node]`.
//!
//! The `.stderr` snapshots depend on the compiler's wording, so they run on the toolchain they
//! were written for (1.95) and later. Regenerate them with `TRYBUILD=overwrite`, then read each
//! one: it must point at the offending token and say what to write instead.

#[rustversion::attr(not(since(1.95)), ignore = "diagnostics are snapshotted on rustc 1.95")]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
