//! Choosing nodes by their tags, several at once: Hamilton's `tag_filter` of
//! `list_available_variables`.

/// Which tags a node must carry: every condition must hold. A condition on a key is met by a
/// node whose tag of that key has the value (or, for [`any_of`](Self::any_of), one of the
/// values); for a tag with several values, by any of them.
///
/// Hamilton's `tag_filter={"team": "ml"}` is `.is("team", "ml")`, `{"team": ["ml", "bi"]}` is
/// `.any_of("team", ["ml", "bi"])`, `{"team": None}` is `.has("team")`.
///
/// ```
/// use hamilton_core::{Driver, introspect::TagFilter, node::{Args, Node}};
/// let one = |_: &Args| Ok(1_i64);
/// let dr = Driver::builder().with_nodes([
///     Node::builder("a").tag_list("team", ["ml", "growth"]).tag("stage", "clean").build(one),
///     Node::builder("b").tag("team", "bi").tag("stage", "raw").build(one),
///     Node::builder("c").tag("team", "ml").build(one),
/// ]).build().unwrap();
/// let names = |f: &TagFilter| dr.nodes_matching(f).iter().map(|n| n.name().to_string()).collect::<Vec<_>>();
/// assert_eq!(names(&TagFilter::new().any_of("team", ["growth", "bi"])), ["a", "b"]);
/// assert_eq!(names(&TagFilter::new().is("team", "ml").has("stage")), ["a"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagFilter {
    conditions: Vec<(String, Wanted)>,
}

/// What one condition wants of a tag.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Wanted {
    /// The tag, whatever its value.
    Present,
    /// One of these values.
    AnyOf(Vec<String>),
}

impl TagFilter {
    /// A filter every node passes (inputs and config values included), until conditions are
    /// added.
    pub fn new() -> Self {
        Self::default()
    }

    /// The node's tag `key` has value `value` (among its values, for a tag with several).
    pub fn is(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.any_of(key, [value])
    }

    /// The node's tag `key` has one of `values`.
    pub fn any_of(
        mut self,
        key: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let values = values.into_iter().map(Into::into).collect();
        self.conditions.push((key.into(), Wanted::AnyOf(values)));
        self
    }

    /// The node has tag `key`, whatever its value.
    pub fn has(mut self, key: impl Into<String>) -> Self {
        self.conditions.push((key.into(), Wanted::Present));
        self
    }

    /// Whether a node whose tag `key` has the values `values_of(key)` meets every condition.
    pub(crate) fn admits<'v>(&self, values_of: impl Fn(&str) -> &'v [String]) -> bool {
        self.conditions.iter().all(|(key, wanted)| {
            let values = values_of(key);
            match wanted {
                Wanted::Present => !values.is_empty(),
                Wanted::AnyOf(want) => values.iter().any(|v| want.contains(v)),
            }
        })
    }
}
