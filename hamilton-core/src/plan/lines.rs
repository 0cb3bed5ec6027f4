//! Buffers that every run reads, from whichever thread runs it, placed on cache lines of their
//! own.
//!
//! An allocator places small allocations next to one another. A small buffer that runs only
//! read (a plan's outputs, its slots' vertices, a cached request's names) can share a cache
//! line with what another thread allocates and writes on every run, and each of those writes
//! then takes the line away from the readers: two threads sharing one driver ran at 1.3–1.6×
//! the rate of one instead of 2×. A buffer whose size is a whole number of 64-byte lines is
//! placed on lines of its own by the allocators the library is used with (jemalloc's size
//! classes of whole lines are line-aligned; glibc gives each thread an arena of its own).

/// The bytes of a cache line.
pub(crate) const LINE: usize = 64;

/// The number of `T`s that fill `len` of them rounded up to whole [`LINE`]s (at least one line).
pub(crate) fn capacity_in_lines<T>(len: usize) -> usize {
    let size = size_of::<T>().max(1);
    let bytes = len.saturating_mul(size).div_ceil(LINE).max(1) * LINE;
    bytes.div_ceil(size)
}

/// `items` in a buffer of whole cache lines (the same items, in the same order).
pub(crate) fn in_lines<T>(mut items: Vec<T>) -> Vec<T> {
    let capacity = capacity_in_lines::<T>(items.len());
    if items.capacity() > capacity {
        items.shrink_to(capacity);
    } else {
        items.reserve_exact(capacity - items.len());
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_in_lines_keeps_its_items_and_fills_whole_lines() {
        for len in [0_usize, 1, 4, 15, 16, 17, 100] {
            let items: Vec<u32> = (0..len as u32).collect();
            let padded = in_lines(items.clone());
            assert_eq!(padded, items);
            let bytes = padded.capacity() * size_of::<u32>();
            assert_eq!(bytes % LINE, 0, "{len} items: {bytes} bytes");
            assert!(bytes >= LINE && bytes < len * size_of::<u32>() + 2 * LINE);
        }
    }

    #[test]
    fn items_larger_than_a_line_are_counted_whole() {
        assert_eq!(capacity_in_lines::<[u8; 100]>(1), 2);
        assert_eq!(capacity_in_lines::<[u8; 64]>(3), 3);
        assert_eq!(capacity_in_lines::<[u8; 24]>(1), 3);
    }
}
