//! Cross-crate integration tests for hamilton-rs live in `tests/`.
