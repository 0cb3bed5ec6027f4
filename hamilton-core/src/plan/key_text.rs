//! A cached plan's request, as the plan cache compares it on every run: the names of its
//! outputs, overrides and inputs in one buffer of whole cache lines.
//!
//! Every run of a cached request compares its names with the entry's, from whichever thread
//! runs it. Kept as a `String` per name, those names were small allocations of their own, and
//! an allocator places small allocations next to one another: the bytes of a name the entry
//! only reads shared a cache line with the inputs another thread allocated and wrote on every
//! run, and two threads executing one request on one driver reached 1.4–1.5× the one-thread
//! rate instead of 2×. One buffer whose length is a whole number of 64-byte lines is placed on
//! lines of its own by the allocators the library is used with (jemalloc's size classes of
//! whole lines are line-aligned; glibc gives each thread an arena of its own).

use super::PlanKey;
use super::lines::LINE;

/// A request's names: for outputs, then overrides, then inputs, a count and then each name as
/// its length and its bytes (lengths and counts as little-endian `u32`), zero-padded to a
/// whole number of [`LINE`]s.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct KeyText(Vec<u8>);

impl KeyText {
    /// The text of `key`.
    pub(crate) fn new(key: &PlanKey) -> Self {
        Self::of_lists([&key.outputs, &key.overrides, &key.inputs])
    }

    /// The text of a request with no outputs or overrides and inputs named `inputs`: what a
    /// prepared request checks the inputs of each run against.
    pub(crate) fn of_inputs(inputs: &[String]) -> Self {
        Self::of_lists([&[], &[], inputs])
    }

    fn of_lists(lists: [&[String]; 3]) -> Self {
        let len = 12
            + lists
                .iter()
                .flat_map(|l| l.iter())
                .map(|n| 4 + n.len())
                .sum::<usize>();
        let mut text = Vec::with_capacity(len.div_ceil(LINE).max(1) * LINE);
        for list in lists {
            push_u32(&mut text, list.len());
            for name in list {
                push_u32(&mut text, name.len());
                text.extend_from_slice(name.as_bytes());
            }
        }
        text.resize(text.capacity(), 0);
        Self(text)
    }

    /// Whether this is the text of the request for `outputs` with overrides named `overrides`
    /// and inputs named `inputs` (in the order their key lists them), without building its key.
    pub(crate) fn is_request<'r, S: AsRef<str>>(
        &self,
        outputs: &[S],
        overrides: impl Iterator<Item = &'r str>,
        inputs: impl Iterator<Item = &'r str>,
    ) -> bool {
        let mut rest = self.0.as_slice();
        list_matches(&mut rest, outputs.iter().map(AsRef::as_ref))
            && list_matches(&mut rest, overrides)
            && list_matches(&mut rest, inputs)
    }
}

fn push_u32(text: &mut Vec<u8>, n: usize) {
    // A request of over 2^32 names, or a name of over 4 GiB, is not one a driver can plan.
    let n = u32::try_from(n).expect("fewer than 2^32 names of under 4 GiB each");
    text.extend_from_slice(&n.to_le_bytes());
}

fn read_u32(rest: &mut &[u8]) -> Option<usize> {
    let (n, tail) = rest.split_first_chunk::<4>()?;
    *rest = tail;
    Some(u32::from_le_bytes(*n) as usize)
}

/// Whether the list at the start of `rest` is `names`; moves `rest` past it.
fn list_matches<'r>(rest: &mut &[u8], names: impl Iterator<Item = &'r str>) -> bool {
    let Some(count) = read_u32(rest) else {
        return false;
    };
    let mut seen = 0;
    for name in names {
        if seen == count {
            return false;
        }
        seen += 1;
        let Some(len) = read_u32(rest) else {
            return false;
        };
        if len != name.len() || rest.len() < len {
            return false;
        }
        let (stored, tail) = rest.split_at(len);
        if stored != name.as_bytes() {
            return false;
        }
        *rest = tail;
    }
    seen == count
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key(outputs: &[&str], overrides: &[&str], inputs: &[&str]) -> PlanKey {
        let owned = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
        PlanKey {
            outputs: owned(outputs),
            overrides: owned(overrides),
            inputs: owned(inputs),
        }
    }

    fn is_request(text: &KeyText, of: &PlanKey) -> bool {
        text.is_request(
            &of.outputs,
            of.overrides.iter().map(String::as_str),
            of.inputs.iter().map(String::as_str),
        )
    }

    #[test]
    fn a_key_text_fills_whole_cache_lines() {
        for k in [
            key(&[], &[], &[]),
            key(&["a"], &[], &["x"]),
            key(&["a".repeat(100).as_str()], &["b"], &["x", "y"]),
        ] {
            let text = KeyText::new(&k);
            assert!(!text.0.is_empty());
            assert_eq!(text.0.len() % LINE, 0);
            assert_eq!(text.0.capacity(), text.0.len());
        }
    }

    #[test]
    fn a_name_moved_to_another_list_is_another_request() {
        let text = KeyText::new(&key(&["a"], &[], &["x"]));
        assert!(is_request(&text, &key(&["a"], &[], &["x"])));
        assert!(!is_request(&text, &key(&["a"], &["x"], &[])));
        assert!(!is_request(&text, &key(&["a", "x"], &[], &[])));
        assert!(!is_request(&text, &key(&[], &[], &["a", "x"])));
    }

    proptest! {
        /// The reference: a key's text describes exactly the requests equal to that key.
        #[test]
        fn a_key_text_is_the_request_of_exactly_its_key(
            a in proptest::collection::vec(proptest::collection::vec("[ab]{0,3}", 0..3), 3),
            b in proptest::collection::vec(proptest::collection::vec("[ab]{0,3}", 0..3), 3),
        ) {
            let as_key = |lists: &Vec<Vec<String>>| PlanKey {
                outputs: lists[0].clone(),
                overrides: lists[1].clone(),
                inputs: lists[2].clone(),
            };
            let (a, b) = (as_key(&a), as_key(&b));
            prop_assert!(is_request(&KeyText::new(&a), &a));
            prop_assert_eq!(is_request(&KeyText::new(&a), &b), a == b);
            prop_assert_eq!(KeyText::new(&a) == KeyText::new(&b), a == b);
        }
    }
}
