//! Procedural macros for hamilton-core.
#![forbid(unsafe_code)]
use proc_macro::TokenStream;

/// Marks a function as a node.
#[proc_macro_attribute]
pub fn node(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
