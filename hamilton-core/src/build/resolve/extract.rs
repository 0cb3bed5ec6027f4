//! (6) Several outputs: `extract_fields`, `unpack` and `extract_columns` make a node per
//! field, tuple element or column of each output.

use std::sync::Arc;

use super::{Finals, Function, Resolver};
use crate::modifiers::fields::{ColumnFill, Extract, column_extractors};
use crate::modifiers::{ColumnExtractor, Field, Kind};
use crate::node::{Node, NodeBuilder, Param};
use crate::types::ParamKind;

impl Resolver<'_> {
    /// The fields and columns of `node`, each named `<prefix><part>`, pushed to `out` (and
    /// listed in `finals`).
    pub(super) fn extract(
        &mut self,
        node: &Node,
        function: &Function,
        prefix: &str,
        out: &mut Vec<Node>,
        finals: &mut Finals,
    ) {
        for m in &function.modifiers {
            match &m.kind {
                Kind::ExtractFields(fields) => self.fields(node, fields, prefix, out, finals),
                Kind::ExtractColumns {
                    columns,
                    extractor,
                    fill,
                } => self.columns(
                    node,
                    columns,
                    extractor.as_ref(),
                    fill.as_ref(),
                    prefix,
                    out,
                    finals,
                ),
                _ => {}
            }
        }
    }

    /// `extract_fields` / `unpack`: one node per field, reading `node`.
    fn fields(
        &mut self,
        node: &Node,
        fields: &[Field],
        prefix: &str,
        out: &mut Vec<Node>,
        finals: &mut Finals,
    ) {
        for field in fields {
            if field.source != node.output() {
                self.error(
                    node,
                    "extract_fields",
                    format!(
                        "field `{}` is read from a `{}`, but the node produces `{}`",
                        field.name,
                        field.source,
                        node.output()
                    ),
                );
                continue;
            }
            let name = format!("{prefix}{}", field.name);
            let part = format!("field `{}` of `{}`", field.name, node.name());
            let doc = match &field.doc {
                Some(own) => own.to_string(),
                None => inherited(node, &part),
            };
            let builder = node.derived(name).doc(doc).with_param(Param::new(
                node.name(),
                node.output(),
                ParamKind::Ref,
            ));
            finals.push(out.len());
            out.push(with_tags(builder, node).build_erased(field.ty, field.get.clone()));
        }
    }

    /// `extract_columns`: one node per column, read by the frame type's extractor (filling
    /// missing columns with `fill`, if given).
    #[allow(clippy::too_many_arguments)]
    fn columns(
        &mut self,
        node: &Node,
        columns: &[Arc<str>],
        explicit: Option<&ColumnExtractor>,
        fill: Option<&ColumnFill>,
        prefix: &str,
        out: &mut Vec<Node>,
        finals: &mut Finals,
    ) {
        let extractor = match explicit {
            Some(x) => Some(x.clone()),
            None => self
                .extractors
                .get_or_insert_with(column_extractors)
                .get(&node.output().id())
                .cloned(),
        };
        let Some(extractor) = extractor else {
            self.error(
                node,
                "extract_columns",
                format!(
                    "no column extractor is registered for `{}`; add hamilton-polars to the build for `DataFrame` (→ `Series`) and `LazyFrame` (→ `Expr`), or register one with `hamilton_core::register_column_extractor!`",
                    node.output()
                ),
            );
            return;
        };
        if extractor.frame != node.output() {
            self.error(
                node,
                "extract_columns",
                format!(
                    "the column extractor reads a `{}`, but the node produces `{}`",
                    extractor.frame,
                    node.output()
                ),
            );
            return;
        }
        let extract = match fill {
            None => extractor.extract.clone(),
            Some(fill) => match self.fill(node, &extractor, fill) {
                Some(extract) => extract,
                None => return,
            },
        };
        for column in columns {
            let name = format!("{prefix}{column}");
            let doc = inherited(node, &format!("column `{column}` of `{}`", node.name()));
            let builder = node.derived(name).doc(doc).with_param(Param::new(
                node.name(),
                node.output(),
                ParamKind::Ref,
            ));
            let extract = extract.clone();
            let column = column.clone();
            finals.push(out.len());
            out.push(with_tags(builder, node).build_erased(
                extractor.column,
                Arc::new(move |args| extract(args, &column)),
            ));
        }
    }
}

impl Resolver<'_> {
    /// The extraction filling missing columns with `fill`, or a build error when the extractor
    /// cannot fill, or not with a value of that type.
    fn fill(
        &mut self,
        node: &Node,
        extractor: &ColumnExtractor,
        fill: &ColumnFill,
    ) -> Option<Extract> {
        let Some((prepare, takes)) = &extractor.fill else {
            self.error(
                node,
                "extract_columns",
                format!(
                    "the column extractor for `{}` cannot fill missing columns, so `fill_with = {}` cannot apply; register one built with `ColumnExtractor::filling`, or remove `fill_with`",
                    extractor.frame, fill.text
                ),
            );
            return None;
        };
        let extract = prepare(&fill.value);
        if extract.is_none() {
            self.error(
                node,
                "extract_columns",
                format!(
                    "`fill_with = {}` is a `{}`, but the column extractor for `{}` fills with {takes}; give one of those",
                    fill.text,
                    fill.value.type_name(),
                    extractor.frame
                ),
            );
        }
        extract
    }
}

/// The doc of a part of `node` (`part`: "column `x` of `frame`"): the function's doc with the
/// part named after it, or the part alone when the function has no doc.
fn inherited(node: &Node, part: &str) -> String {
    let doc = node.doc().trim_end();
    if doc.is_empty() {
        let mut part = part.to_string();
        if let Some(first) = part.get(..1) {
            part.replace_range(..1, &first.to_uppercase());
        }
        format!("{part}.")
    } else {
        format!("{doc}\n\n(The {part}.)")
    }
}

/// `builder` with the tags of `from`.
fn with_tags(builder: NodeBuilder, from: &Node) -> NodeBuilder {
    builder.tags_of(from)
}
