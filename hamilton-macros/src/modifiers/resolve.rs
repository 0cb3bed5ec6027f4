//! `resolve(path)`: modifiers computed from the config when the graph is built (Hamilton's
//! `@resolve`).

use quote::quote_spanned;
use syn::Path;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;

use super::syntax::parenthesized;
use super::{Expansion, Mods};
use crate::ast::type_name;

impl Mods {
    /// Parses `resolve(path)`.
    pub(super) fn parse_resolve(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let path = parenthesized::<Path>(meta, "resolve(path::to::resolver)")?;
        self.resolve.push(path);
        Ok(())
    }

    /// `Modifier::resolve(name, path)` per resolver.
    pub(super) fn generate_resolve(&self, out: &mut Expansion<'_>) {
        let m = &out.modifier;
        for path in &self.resolve {
            let text = type_name(path);
            out.items
                .push(quote_spanned!(path.span()=> #m::resolve(#text, #path)));
        }
    }
}
