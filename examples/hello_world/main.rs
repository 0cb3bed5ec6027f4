//! The hello world dataflow.
fn main() {}
