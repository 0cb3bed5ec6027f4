//! An index of names, for the graph's vertices and a request's outputs: each one's number by
//! its name, in eight bytes an entry (the number and the name's hash). Names are not copied
//! into the index: a lookup compares the name of the entry it finds, through a function the
//! caller passes.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Vertex numbers by name.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameIndex {
    /// `(vertex, hash of its name)`.
    table: HashTable<(u32, u32)>,
}

/// A name's hash, folded to 32 bits.
fn hash(name: &str) -> u32 {
    let h = FxBuildHasher.hash_one(name);
    (h ^ (h >> 32)) as u32
}

/// The table's hash of a stored one: the table places by the low bits and tags by the top
/// seven, so both come from the 32 bits kept.
fn widen(h: u32) -> u64 {
    (u64::from(h) << 32) | u64::from(h)
}

impl NameIndex {
    /// Room for `additional` more names without growing.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional, |&(_, h)| widen(h));
    }

    /// The vertex named `name`, where `name_of(v)` is vertex `v`'s name.
    pub(crate) fn get<'s>(&self, name: &str, name_of: impl Fn(usize) -> &'s str) -> Option<usize> {
        let h = hash(name);
        self.table
            .find(widen(h), |&(v, vh)| vh == h && name_of(v as usize) == name)
            .map(|&(v, _)| v as usize)
    }

    /// Records that `vertex` is named `name` (a name not in the index yet).
    pub(crate) fn insert(&mut self, name: &str, vertex: usize) {
        // Over 2^32 vertices would need over 300 GiB of vertices alone.
        let vertex = u32::try_from(vertex).expect("fewer than 2^32 vertices");
        let h = hash(name);
        self.table
            .insert_unique(widen(h), (vertex, h), |&(_, h)| widen(h));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn every_inserted_name_finds_its_vertex_and_no_other_name_finds_one(
            names in proptest::collection::hash_set("[a-z_]{1,6}", 0..200),
            others in proptest::collection::vec("[a-z_]{1,6}", 0..50),
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let mut index = NameIndex::default();
            index.reserve(names.len() / 2);
            for (v, name) in names.iter().enumerate() {
                index.insert(name, v);
            }
            let name_of = |v: usize| names[v].as_str();
            for (v, name) in names.iter().enumerate() {
                prop_assert_eq!(index.get(name, name_of), Some(v));
            }
            for other in others.iter().filter(|o| !names.contains(o)) {
                prop_assert_eq!(index.get(other, name_of), None);
            }
        }
    }
}
