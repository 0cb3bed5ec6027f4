//! (9) `tag_outputs`: tags on named outputs of the function.

use super::{Finals, Function, Resolver};
use crate::modifiers::messages::quoted;
use crate::modifiers::{Kind, TagOutputValue};
use crate::node::Node;

impl Resolver<'_> {
    /// Tags the outputs `finals` points to in `out`, as the function's `tag_outputs` say.
    pub(super) fn tag_outputs(&mut self, function: &Function, finals: &Finals, out: &mut [Node]) {
        for m in &function.modifiers {
            if let Kind::TagOutput { output, key, value } = &m.kind {
                match finals.iter().find(|&&i| out[i].name() == &**output) {
                    Some(&i) => {
                        let node = out[i].clone();
                        out[i] = match value {
                            TagOutputValue::One(v) => node.with_tag(key.clone(), v.clone()),
                            TagOutputValue::Many(vs) => node.with_tag_list(key.clone(), vs.clone()),
                        };
                    }
                    None => {
                        let names = quoted(finals.iter().map(|&i| out[i].name()));
                        self.error(
                            &function.base,
                            "tag_outputs",
                            format!("`{output}` is not an output of this function; its outputs are {names}"),
                        );
                    }
                }
            }
        }
    }
}
