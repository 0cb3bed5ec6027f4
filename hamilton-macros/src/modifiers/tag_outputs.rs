//! `tag_outputs(out(k = "v"))`: tags on one output of the function (Hamilton's
//! `@tag_outputs`).

use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, Lit};

use super::extract::Extract;
use super::syntax::{expect_parens, single_ident};
use super::tags::{TagLit, tag_list};
use super::{Expansion, Function, Mods};
use crate::valid::Errors;

// ---- parse ------------------------------------------------------------------------------------

impl Mods {
    /// Parses `tag_outputs(output(key = "value", ..), ..)`.
    pub(super) fn parse_tag_outputs(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        expect_parens(meta, "tag_outputs(output(key = \"value\"))")?;
        meta.parse_nested_meta(|out| {
            let output = single_ident(&out.path, "an output name")?;
            out.parse_nested_meta(|kv| {
                let key_ident = single_ident(&kv.path, "a tag key")?;
                let key = key_ident.unraw().to_string();
                let input = kv.value()?;
                let value = if input.peek(syn::token::Bracket) {
                    TagLit::Many(tag_list(input, &key)?)
                } else {
                    let value: Expr = input.parse()?;
                    let Expr::Lit(ExprLit {
                        lit: Lit::Str(value),
                        ..
                    }) = value
                    else {
                        self.errors.push(syn::Error::new_spanned(
                            value,
                            format_args!("a tag value must be a string literal or a list of them: `{key} = \"...\"`, `{key} = [\"a\", \"b\"]`"),
                        ));
                        return Ok(());
                    };
                    TagLit::One(value)
                };
                if self
                    .tag_outputs
                    .iter()
                    .any(|(o, k, _)| o.unraw() == output.unraw() && key == *k)
                {
                    self.errors.push(syn::Error::new(
                        key_ident.span(),
                        format_args!("duplicate tag `{key}` for output `{}`", output.unraw()),
                    ));
                    return Ok(());
                }
                self.tag_outputs.push((output.clone(), key, value));
                Ok(())
            })
        })
    }
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// Each tagged output is an output of the function, when every output is known (not with
    /// the fields of a `#[derive(Fields)]` struct).
    pub(super) fn check_tag_outputs(&self, function: &Function<'_>, errors: &mut Errors) {
        let derived_fields = self
            .extract
            .iter()
            .any(|(_, e)| matches!(e, Extract::Fields(None)));
        if derived_fields {
            return;
        }
        let fn_name = &function.fn_name;
        let mut outputs: Vec<String> = match (&self.parameterize, &self.subdag) {
            (Some((_, o)), _) => o.iter().map(|o| o.name.unraw().to_string()).collect(),
            (None, Some((_, sd))) if sd.parameterized => sd
                .outputs
                .iter()
                .map(|(n, _)| n.unraw().to_string())
                .collect(),
            _ => vec![match function.name {
                Some(n) => n.value(),
                None if self.is_variant() => {
                    Self::variant_name(fn_name).unwrap_or(fn_name).to_string()
                }
                None => fn_name.clone(),
            }],
        };
        let multi = outputs.len() > 1;
        let mains = outputs.clone();
        for (_, e) in &self.extract {
            let parts = e.parts();
            for m in &mains {
                for p in &parts {
                    outputs.push(if multi { format!("{m}.{p}") } else { p.clone() });
                }
            }
        }
        for (output, _, _) in &self.tag_outputs {
            let o = output.unraw().to_string();
            if !outputs.contains(&o) {
                errors.push(syn::Error::new(
                    output.span(),
                    format_args!(
                        "`{o}` is not an output of `{fn_name}`; its outputs are {}",
                        outputs
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
}

// ---- generate ---------------------------------------------------------------------------------

impl Mods {
    /// `Modifier::tag_output(output, key, value)` (or `tag_output_list`) per tag.
    pub(super) fn generate_tag_outputs(&self, out: &mut Expansion<'_>) {
        for (output, key, value) in &self.tag_outputs {
            let output = output.unraw().to_string();
            out.items
                .push(value.tag_output(&out.modifier, &output, key));
        }
    }
}
