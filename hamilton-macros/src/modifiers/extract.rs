//! Several outputs: `extract_fields(a, b: T)` (or alone, with `#[derive(Fields)]`),
//! `unpack(a, _, c)` and `extract_columns(a, "b")`, one node per part of the value (Hamilton's
//! `@extract_fields`, `@unpack_fields` and `@extract_columns`).

use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Token, Type};

use super::syntax::bare;
use super::{Expansion, Function, Mods};
use crate::ast::ungroup;
use crate::valid::Errors;

/// The fields listed in `extract_fields(a, b: T)`, each with its type when given.
pub(crate) type FieldList = Vec<(Ident, Option<Type>)>;

/// The multiple-output options.
pub(crate) enum Extract {
    /// `extract_fields` (derive) or `extract_fields(a, b: T)`.
    Fields(Option<FieldList>),
    /// `unpack(a, _, c)`.
    Unpack(Vec<Option<Ident>>),
    /// `extract_columns(a, "b")`, with `fill_with = expr` if given.
    Columns(Vec<LitStr>, Option<Expr>),
}

impl Extract {
    /// The option's name.
    pub(super) fn option(&self) -> &'static str {
        match self {
            Extract::Fields(_) => "extract_fields",
            Extract::Unpack(_) => "unpack",
            Extract::Columns(..) => "extract_columns",
        }
    }

    /// The names of the parts it makes nodes of, when the attribute lists them.
    pub(super) fn parts(&self) -> Vec<String> {
        match self {
            Extract::Fields(Some(list)) => {
                list.iter().map(|(n, _)| n.unraw().to_string()).collect()
            }
            Extract::Unpack(names) => names
                .iter()
                .flatten()
                .map(|n| n.unraw().to_string())
                .collect(),
            Extract::Columns(cols, _) => cols.iter().map(LitStr::value).collect(),
            Extract::Fields(None) => Vec::new(),
        }
    }
}

// ---- parse ------------------------------------------------------------------------------------

impl Mods {
    /// Parses `extract_fields`, `unpack(..)` or `extract_columns(..)`.
    pub(super) fn parse_extract(
        &mut self,
        key: &str,
        meta: &ParseNestedMeta<'_>,
    ) -> syn::Result<()> {
        let span = meta.path.span();
        let extract = match key {
            "extract_fields" => Extract::Fields(fields(meta)?),
            "unpack" => {
                let content;
                syn::parenthesized!(content in meta.input);
                let names = Punctuated::<UnpackName, Token![,]>::parse_terminated(&content)?;
                let names: Vec<Option<Ident>> = names.into_iter().map(|n| n.0).collect();
                if names.iter().all(Option::is_none) {
                    return Err(syn::Error::new(
                        span,
                        "`unpack` needs at least one name: `unpack(train, test)`",
                    ));
                }
                Extract::Unpack(names)
            }
            "extract_columns" => {
                let content;
                syn::parenthesized!(content in meta.input);
                let args = Punctuated::<ColumnArg, Token![,]>::parse_terminated(&content)?;
                let mut cols: Vec<LitStr> = Vec::new();
                let mut fill: Option<Expr> = None;
                for arg in args {
                    match arg {
                        ColumnArg::Column(c) => cols.push(c),
                        ColumnArg::Fill(key, expr) => {
                            if fill.is_some() {
                                return Err(syn::Error::new(
                                    key.span(),
                                    "`fill_with` is given twice; give one fill value",
                                ));
                            }
                            fill = Some(expr);
                        }
                    }
                }
                if cols.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`extract_columns` needs at least one column: `extract_columns(year, week)`",
                    ));
                }
                for (i, c) in cols.iter().enumerate() {
                    crate::attr::check_node_name(c)?;
                    if cols[..i].iter().any(|p| p.value() == c.value()) {
                        return Err(syn::Error::new(
                            c.span(),
                            format_args!("duplicate column `{}`", c.value()),
                        ));
                    }
                }
                Extract::Columns(cols, fill)
            }
            _ => unreachable!("`{key}` is not an extract option"),
        };
        self.extract.push((span, extract));
        Ok(())
    }
}

/// The fields of `extract_fields(a, b: T)`; `None` for `extract_fields` alone.
fn fields(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<FieldList>> {
    if bare(meta) {
        return Ok(None);
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let fields = Punctuated::<FieldSpec, Token![,]>::parse_terminated(&content)?;
    let mut list: FieldList = Vec::new();
    for f in fields {
        if list.iter().any(|(n, _)| *n == f.name) {
            return Err(syn::Error::new(
                f.name.span(),
                format_args!("duplicate field `{}`", f.name),
            ));
        }
        list.push((f.name, f.ty));
    }
    if list.is_empty() {
        return Err(syn::Error::new(
            meta.path.span(),
            "list the fields (`extract_fields(a, b)`), or write `extract_fields` alone to extract every field of a `#[derive(Fields)]` struct",
        ));
    }
    Ok(Some(list))
}

/// `name` or `name: Type` in `extract_fields(..)`.
struct FieldSpec {
    name: Ident,
    ty: Option<Type>,
}

impl Parse for FieldSpec {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name = Ident::parse_any(input)?;
        let ty = if input.parse::<Option<Token![:]>>()?.is_some() {
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Self { name, ty })
    }
}

/// A name or `_` in `unpack(..)`.
struct UnpackName(Option<Ident>);

impl Parse for UnpackName {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.parse::<Option<Token![_]>>()?.is_some() {
            return Ok(Self(None));
        }
        Ok(Self(Some(input.parse()?)))
    }
}

/// In `extract_columns(..)`: a column, an identifier or a string literal; or `fill_with =
/// expr`, the value of the columns the frame lacks (Hamilton's `fill_with`).
enum ColumnArg {
    Column(LitStr),
    Fill(Ident, Expr),
}

impl Parse for ColumnArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return Ok(Self::Column(input.parse()?));
        }
        let ident = Ident::parse_any(input)?;
        if ident == "fill_with" && input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            return Ok(Self::Fill(ident, input.parse()?));
        }
        Ok(Self::Column(LitStr::new(
            &ident.unraw().to_string(),
            ident.span(),
        )))
    }
}

// ---- check ------------------------------------------------------------------------------------

impl Mods {
    /// One extract option at most; `unpack` splits a tuple of at least as many elements.
    pub(super) fn check_extract(&self, function: &Function<'_>, errors: &mut Errors) {
        if self.extract.len() > 1 {
            errors.push(syn::Error::new(
                self.extract[1].0,
                "give one of `extract_fields`, `unpack` and `extract_columns`",
            ));
        }
        for (span, extract) in &self.extract {
            if let Extract::Unpack(names) = extract {
                let arity =
                    function
                        .node
                        .output
                        .as_ref()
                        .and_then(|o| match ungroup(&output_type(o)) {
                            Type::Tuple(t) => Some(t.elems.len()),
                            _ => None,
                        });
                match arity {
                    None => errors.push(syn::Error::new(
                        *span,
                        "`unpack` splits a tuple; the function must return `(A, B, ..)` (or `Result<(A, B, ..), E>`)",
                    )),
                    Some(n) if names.len() > n => errors.push(syn::Error::new(
                        *span,
                        format_args!("`unpack` names {} elements, but the function returns a tuple of {n}", names.len()),
                    )),
                    _ => {}
                }
            }
        }
    }
}

/// The produced value's type as written (`T` of `Result<T, E>`).
fn output_type(output: &crate::ast::Output) -> Type {
    if output.fallible
        && let Type::Path(p) = ungroup(&output.ty)
        && let Some(last) = p.path.segments.last()
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(t)) = args.args.first()
    {
        return t.clone();
    }
    output.ty.clone()
}

// ---- generate ---------------------------------------------------------------------------------

impl Mods {
    /// `Modifier::extract_fields([..])` (fields or tuple elements) or
    /// `Modifier::extract_columns([..])`.
    pub(super) fn generate_extract(&self, out: &mut Expansion<'_>) {
        let m = &out.modifier;
        let private = out.private;
        let out_ty = &out.out_ty;
        for (_, extract) in &self.extract {
            out.items.push(match extract {
                Extract::Fields(None) => quote!(#m::extract_fields(<#out_ty as #private::Fields>::fields())),
                Extract::Fields(Some(list)) => {
                    let fields = list.iter().map(|(name, ty)| {
                        let text = name.unraw().to_string();
                        let ret = ty.as_ref().map(|t| quote!(-> #t));
                        quote_spanned!(name.span()=> #private::Field::new(#text, |v: &#out_ty| #ret { ::core::clone::Clone::clone(&v.#name) }))
                    });
                    quote!(#m::extract_fields([#(#fields),*]))
                }
                Extract::Unpack(names) => {
                    let fields = names.iter().enumerate().filter_map(|(i, name)| {
                        let name = name.as_ref()?;
                        let text = name.unraw().to_string();
                        let index = syn::Index::from(i);
                        Some(quote_spanned!(name.span()=> #private::Field::new(#text, |v: &#out_ty| ::core::clone::Clone::clone(&v.#index))))
                    });
                    quote!(#m::extract_fields([#(#fields),*]))
                }
                Extract::Columns(cols, None) => quote!(#m::extract_columns([#(#cols),*])),
                Extract::Columns(cols, Some(fill)) => {
                    quote_spanned!(fill.span()=> #m::extract_columns_filled([#(#cols),*], #fill))
                }
            });
        }
    }
}
