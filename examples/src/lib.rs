//! Examples for hamilton-rs: see the `[[example]]` entries in Cargo.toml.
