//! The options of `#[node(...)]`.
//!
//! Each option is one arm of [`Options::parse_option`] plus one entry in [`OPTIONS`]. The function
//! modifiers (`when`, `parameterize`, `extract_columns`, `check`, ...) are parsed by
//! [`Mods`](crate::modifiers::Mods), listed in [`modifiers::OPTIONS`](crate::modifiers::OPTIONS).

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{LitStr, Path, Token};

use crate::modifiers::{self, Mods};
use crate::valid::Errors;

/// The options `#[node(...)]` accepts, in the order the "expected one of" message lists them.
const OPTIONS: &[&str] = &["name", "tag", "crate", "wired"];

/// The parsed options of one `#[node(...)]` attribute.
#[derive(Default)]
pub(crate) struct Options {
    /// `name = "..."`: the node's name, when it differs from the function's.
    pub(crate) name: Option<LitStr>,
    /// `tag(key = "value", ...)`, in the order written.
    pub(crate) tags: Vec<(String, LitStr)>,
    /// `tag(key = ["a", "b"], ...)`: tags with several values, in the order written.
    pub(crate) tag_lists: Vec<(String, Vec<LitStr>)>,
    /// `crate = path`: where `hamilton_core` is, for crates that re-export it.
    pub(crate) krate: Option<Path>,
    /// The function modifiers.
    pub(crate) mods: Mods,
    /// `wired` or `wired(except(a, b))`: check the parameters' producers at compile time.
    pub(crate) wired: Option<Wired>,
}

/// The `wired` option: the parameters are checked against their producers at compile time (see
/// `hamilton-core/docs/wiring.md`), except those listed.
pub(crate) struct Wired {
    /// Parameters left to `build()`: inputs, config values, names made by modifiers, ...
    pub(crate) except: Vec<syn::Ident>,
}

impl Wired {
    /// Whether the parameter `name` is left to `build()`.
    pub(crate) fn excepts(&self, name: &str) -> bool {
        self.except.iter().any(|ident| ident.unraw() == name)
    }
}

impl Options {
    /// Parses the attribute's arguments. Errors are pushed to `errors`; every well-formed option
    /// is still recorded, and unknown options are skipped so that all of them are reported.
    pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> Self {
        let mut options = Self::default();
        let parser = syn::meta::parser(|meta| {
            if let Err(error) = options.parse_option(&meta) {
                errors.push(error);
                skip_value(&meta)?;
            }
            Ok(())
        });
        if let Err(error) = parser.parse2(args) {
            errors.push(error);
        }
        for error in std::mem::take(&mut options.mods.errors) {
            errors.push(error);
        }
        options
    }

    /// The path generated code uses to reach `hamilton_core`.
    pub(crate) fn crate_path(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote::quote!(#path),
            None => quote::quote!(::hamilton_core),
        }
    }

    /// Parses one option.
    fn parse_option(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match key.as_str() {
            "name" => {
                let name: LitStr = meta.value()?.parse()?;
                check_node_name(&name)?;
                set_once(&mut self.name, name, meta, "name")
            }
            "tag" => meta.parse_nested_meta(|tag| self.parse_tag(&tag)),
            "crate" => {
                let path = parse_crate_path(meta)?;
                set_once(&mut self.krate, path, meta, "crate")
            }
            "wired" => {
                let wired = parse_wired(meta)?;
                set_once(&mut self.wired, wired, meta, "wired")
            }
            key if Mods::is_option(key) => self.mods.parse(key, meta),
            _ => Err(meta.error(format_args!(
                "unknown `#[node]` option `{}`; expected one of: {}, {}",
                path_text(&meta.path),
                OPTIONS.join(", "),
                modifiers::OPTIONS.join(", "),
            ))),
        }
    }

    /// Parses one `key = "value"` inside `tag(...)`.
    fn parse_tag(&mut self, tag: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let Some(key) = tag.path.get_ident() else {
            return Err(tag.error("a tag key must be an identifier: `tag(owner = \"growth\")`"));
        };
        let key = key.unraw().to_string();
        let value = tag.value()?;
        if value.peek(syn::token::Bracket) {
            let values = crate::modifiers::tag_list(value, &key)?;
            self.check_new_tag(tag, &key)?;
            self.tag_lists.push((key, values));
            return Ok(());
        }
        let value: LitStr = value.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                format_args!(
                    "a tag value must be a string literal or a list of them: `{key} = \"...\"`, `{key} = [\"a\", \"b\"]`"
                ),
            )
        })?;
        self.check_new_tag(tag, &key)?;
        self.tags.push((key, value));
        Ok(())
    }

    /// Errors when tag `key` was given before.
    fn check_new_tag(&self, tag: &ParseNestedMeta<'_>, key: &str) -> syn::Result<()> {
        if self.tags.iter().any(|(k, _)| k == key) || self.tag_lists.iter().any(|(k, _)| k == key) {
            return Err(syn::Error::new_spanned(
                &tag.path,
                format_args!("duplicate tag `{key}`; give each tag key once"),
            ));
        }
        Ok(())
    }
}

/// Stores `value` in `slot`, or errors (spanned on the option) when the option was already given.
fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    meta: &ParseNestedMeta<'_>,
    option: &str,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            &meta.path,
            format_args!("duplicate `{option}` option; give it once"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// Parses `wired` or `wired(except(a, b))`.
fn parse_wired(meta: &ParseNestedMeta<'_>) -> syn::Result<Wired> {
    let mut except: Vec<syn::Ident> = Vec::new();
    if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| {
            if !inner.path.is_ident("except") {
                skip_value(&inner)?;
                return Err(inner.error(
                    "`wired` takes only `except(..)`: the parameters left to `build()`, such as \
                     `wired(except(spend, region))`",
                ));
            }
            inner.parse_nested_meta(|param| {
                let Some(ident) = param.path.get_ident() else {
                    return Err(param.error("expected a parameter name: `except(spend)`"));
                };
                if except.iter().any(|seen| seen == ident) {
                    return Err(param.error(format_args!(
                        "`{ident}` is already listed in `except`; list it once"
                    )));
                }
                except.push(ident.clone());
                Ok(())
            })
        })?;
    } else if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        return Err(meta.error("expected `wired` or `wired(except(a, b))`"));
    }
    Ok(Wired { except })
}

/// Parses `crate = "path"` or `crate = path`.
fn parse_crate_path(meta: &ParseNestedMeta<'_>) -> syn::Result<Path> {
    let value = meta.value()?;
    if value.peek(LitStr) {
        let lit: LitStr = value.parse()?;
        lit.parse_with(Path::parse_mod_style).map_err(|_| {
            syn::Error::new(
                lit.span(),
                "expected a path to `hamilton_core`, such as `crate = \"my_crate::hamilton\"`",
            )
        })
    } else {
        value.call(Path::parse_mod_style)
    }
}

/// Checks that a `name = "..."` value is a possible node name: identifier-like segments
/// separated by dots.
pub(crate) fn check_node_name(name: &LitStr) -> syn::Result<()> {
    let text = name.value();
    let valid_segment = |segment: &str| {
        let mut chars = segment.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    };
    if text.split('.').all(valid_segment) {
        Ok(())
    } else {
        Err(syn::Error::new(
            name.span(),
            format_args!(
                "invalid node name {:?}: use an identifier such as \"spend_avg\", with dots \
                 between namespaces (\"marketing.spend_avg\")",
                text
            ),
        ))
    }
}

/// Consumes what is left of an option that failed to parse (`= expr`, `(...)`, or the rest of
/// either), so that the options after it are still read.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    let input = meta.input;
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// `path` as written (`foo`, `a::b`).
fn path_text(path: &Path) -> String {
    crate::ast::type_name(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;
    use quote::quote;

    fn parse(args: TokenStream) -> (Options, Vec<String>) {
        let mut errors = Errors::default();
        let options = Options::parse(args, &mut errors);
        let messages = match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        };
        (options, messages)
    }

    #[test]
    fn empty() {
        let (options, errors) = parse(quote!());
        assert!(errors.is_empty());
        assert!(options.name.is_none() && options.tags.is_empty() && options.krate.is_none());
    }

    #[test]
    fn all_options() {
        let (options, errors) = parse(quote!(
            name = "marketing.spend",
            tag(owner = "growth", pii = "no"),
            tag(tier = "1"),
            crate = "my::ham"
        ));
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(options.name.as_ref().unwrap().value(), "marketing.spend");
        let tags: Vec<_> = options
            .tags
            .iter()
            .map(|(k, v)| (k.as_str(), v.value()))
            .collect();
        assert_eq!(
            tags,
            [
                ("owner", "growth".into()),
                ("pii", "no".into()),
                ("tier", "1".into())
            ]
        );
        assert_eq!(options.crate_path().to_string(), "my :: ham");
    }

    #[test]
    fn crate_as_a_path() {
        let (options, errors) = parse(quote!(crate = ::some::path));
        assert!(errors.is_empty());
        assert_eq!(options.crate_path().to_string(), ":: some :: path");
    }

    #[test]
    fn reports_every_unknown_option() {
        let (options, errors) = parse(quote!(foo = 1, name = "n", bar(x), baz));
        assert_eq!(
            errors,
            [
                format!(
                    "unknown `#[node]` option `foo`; expected one of: name, tag, crate, wired, {}",
                    modifiers::OPTIONS.join(", ")
                ),
                format!(
                    "unknown `#[node]` option `bar`; expected one of: name, tag, crate, wired, {}",
                    modifiers::OPTIONS.join(", ")
                ),
                format!(
                    "unknown `#[node]` option `baz`; expected one of: name, tag, crate, wired, {}",
                    modifiers::OPTIONS.join(", ")
                ),
            ]
        );
        assert_eq!(options.name.unwrap().value(), "n");
    }

    #[test]
    fn rejects_duplicates_and_bad_values() {
        let (_, errors) = parse(quote!(
            name = "a",
            name = "b",
            tag(k = "1", k = "2"),
            tag(v = 3),
            name = "1x",
            name = 2,
            crate = "a b"
        ));
        assert_eq!(
            errors,
            [
                "duplicate `name` option; give it once",
                "duplicate tag `k`; give each tag key once",
                "a tag value must be a string literal or a list of them: `v = \"...\"`, `v = [\"a\", \"b\"]`",
                "invalid node name \"1x\": use an identifier such as \"spend_avg\", with dots \
                 between namespaces (\"marketing.spend_avg\")",
                "expected string literal",
                "expected a path to `hamilton_core`, such as `crate = \"my_crate::hamilton\"`",
            ]
        );
    }

    #[test]
    fn wired_with_and_without_exceptions() {
        let (options, errors) = parse(quote!(wired));
        assert!(errors.is_empty());
        assert!(options.wired.unwrap().except.is_empty());
        let (options, errors) = parse(quote!(wired(except(spend, r#type)), name = "n"));
        assert!(errors.is_empty(), "{errors:?}");
        let wired = options.wired.unwrap();
        assert!(wired.excepts("spend") && wired.excepts("type") && !wired.excepts("other"));
        assert_eq!(options.name.unwrap().value(), "n");
    }

    #[test]
    fn wired_misuse_is_reported_and_later_options_still_read() {
        let (options, errors) = parse(quote!(wired, wired, tag(a = "1"), name = "n"));
        assert_eq!(errors, ["duplicate `wired` option; give it once"]);
        assert_eq!(options.tags.len(), 1);
        let (options, errors) = parse(quote!(wired(only(x)), name = "n"));
        assert_eq!(
            errors,
            [
                "`wired` takes only `except(..)`: the parameters left to `build()`, such as \
              `wired(except(spend, region))`"
            ]
        );
        assert_eq!(options.name.unwrap().value(), "n");
        let (_, errors) = parse(quote!(wired(except(a, a))));
        assert_eq!(errors, ["`a` is already listed in `except`; list it once"]);
    }

    #[test]
    fn node_names() {
        for ok in ["a", "_a1", "ns.a", "a.b.c"] {
            assert!(
                check_node_name(&LitStr::new(ok, Span::call_site())).is_ok(),
                "{ok}"
            );
        }
        for bad in ["", "a b", ".a", "a.", "a..b", "1a", "a-b"] {
            assert!(
                check_node_name(&LitStr::new(bad, Span::call_site())).is_err(),
                "{bad}"
            );
        }
    }
}
