//! (6) Several outputs: `extract_fields`, `unpack` and `extract_columns` make a node per
//! field, tuple element or column of each output.

use std::sync::Arc;

use super::{Finals, Function, Resolver};
use crate::modifiers::fields::column_extractors;
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
                Kind::ExtractColumns { columns, extractor } => {
                    self.columns(node, columns, extractor.as_ref(), prefix, out, finals)
                }
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

    /// `extract_columns`: one node per column, read by the frame type's extractor.
    fn columns(
        &mut self,
        node: &Node,
        columns: &[Arc<str>],
        explicit: Option<&ColumnExtractor>,
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
        for column in columns {
            let name = format!("{prefix}{column}");
            let doc = inherited(node, &format!("column `{column}` of `{}`", node.name()));
            let builder = node.derived(name).doc(doc).with_param(Param::new(
                node.name(),
                node.output(),
                ParamKind::Ref,
            ));
            let extract = extractor.extract.clone();
            let column = column.clone();
            finals.push(out.len());
            out.push(with_tags(builder, node).build_erased(
                extractor.column,
                Arc::new(move |args| extract(args, &column)),
            ));
        }
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
